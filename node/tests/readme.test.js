'use strict'
// The README's Node quick start, run as written against the sandbox.
const { test } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const { execFileSync } = require('node:child_process')

test('the README Node quick start runs as written', () => {
  const readme = fs.readFileSync(path.join(__dirname, '../../README.md'), 'utf8')
  const section = readme.split(/^## Node quick start$/m)[1]
  assert.ok(section, 'README.md has a "## Node quick start" section')
  const block = /```js\n([\s\S]*?)```/.exec(section)
  assert.ok(block, 'the section has a ```js block')
  // Written inside the package so that require('voucherkit') resolves to it.
  const file = path.join(__dirname, '..', '.readme-quickstart.cjs')
  fs.writeFileSync(file, block[1])
  try {
    const out = execFileSync(process.execPath, [file], { encoding: 'utf8', timeout: 60_000 })
    const lines = out.trim().split('\n')
    assert.deepEqual(lines, [
      '£100 Gift Voucher 100',
      'The voucher has been redeemed. [ 21 ]',
      'voucher_expired The voucher number provided has expired.',
      'redeemed 8',
    ])
    // Every commented output in the block is what it printed.
    for (const [, shown] of block[1].matchAll(/\/\/ (.+)$/gm)) {
      if (/^[A-Z£a-z_]/.test(shown) && lines.some((l) => l === shown)) continue
      if (/^(or|A local|the redeem)/.test(shown)) continue
      assert.fail(`README comment not printed: ${shown}`)
    }
  } finally {
    fs.rmSync(file, { force: true })
  }
})
