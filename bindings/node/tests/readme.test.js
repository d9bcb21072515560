'use strict'
// The README's Node examples, each run as written against the sandbox.
const { test } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const { execFileSync } = require('node:child_process')

/** The Node part of README.md: from its heading to the next `## ` heading. */
function nodeSection() {
  const readme = fs.readFileSync(path.join(__dirname, '../../../README.md'), 'utf8')
  const rest = readme.split(/^## Node quick start$/m)[1]
  assert.ok(rest, 'README.md has a "## Node quick start" section')
  return rest.split(/^## /m)[0]
}

/** The first ```js block of `text`. */
function jsBlock(text, what) {
  const block = /```js\n([\s\S]*?)```/.exec(text)
  assert.ok(block, `${what} has a \`\`\`js block`)
  return block[1]
}

/**
 * Runs `code` as a script inside the package (so that require('voucherkit') resolves to
 * it) and checks it printed `expected`, and that every commented output in it is a line
 * it printed (`skip` matches the comments that are not outputs).
 */
function runAsWritten(code, expected, skip) {
  const file = path.join(__dirname, '..', '.readme-quickstart.cjs')
  fs.writeFileSync(file, code)
  try {
    const out = execFileSync(process.execPath, [file], { encoding: 'utf8', timeout: 60_000 })
    const lines = out.trim().split('\n')
    assert.deepEqual(lines, expected)
    for (const [, shown] of code.matchAll(/\/\/ (.+)$/gm)) {
      if (lines.some((l) => l === shown)) continue
      if (skip.test(shown)) continue
      assert.fail(`README comment not printed: ${shown}`)
    }
  } finally {
    fs.rmSync(file, { force: true })
  }
}

test('the README Node quick start runs as written', () => {
  runAsWritten(
    jsBlock(nodeSection(), 'the Node quick start'),
    [
      '£100 Gift Voucher 100',
      'The voucher has been redeemed. [ 21 ]',
      'voucher_expired The voucher number provided has expired.',
      'redeemed 8',
    ],
    /^(or|A local|the redeem|Done with the clients)/,
  )
})

test('the README Node "When the answer is lost" example runs as written', () => {
  const part = nodeSection().split(/^### When the answer is lost$/m)[1]
  assert.ok(part, 'the Node section has a "### When the answer is lost" part')
  runAsWritten(
    jsBlock(part, '"When the answer is lost"'),
    ['outcome_unknown unknown', 'sale-42 applied remaining_value went from 100 to 90', '0'],
    /^(on a till:|The sandbox carries|After an outcome_unknown)/,
  )
})

test('the README Node "Every voucher, page by page" example runs as written', () => {
  const part = nodeSection().split(/^### Every voucher, page by page$/m)[1]
  assert.ok(part, 'the Node section has a "### Every voucher, page by page" part')
  runAsWritten(jsBlock(part, '"Every voucher, page by page"'), ['6 vouchers, 63 in all, 3 reads'], /^$^/)
})
