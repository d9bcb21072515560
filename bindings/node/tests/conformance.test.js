'use strict'
// The whole conformance corpus through the Node API: one subtest per case (played with
// the Promise method, then again with its …Sync twin), then the runner's self-check
// (every case, changed in one expectation, must fail).
const { test } = require('node:test')
const assert = require('node:assert/strict')

const fs = require('node:fs')
const path = require('node:path')

const { loadCases, runCase, mutate, startServer, CORPUS } = require('./conformance.js')

const cases = loadCases()

// How many cases the corpus holds, counted the way check_corpus.py counts them: every file
// in every directory under cases/ (whatever its name or provider), so a case this runner
// does not pick up (a new provider directory, a misnamed file) is a failure.
function corpusCaseCount() {
  const casesDir = path.join(CORPUS, 'cases')
  let count = 0
  for (const d of fs.readdirSync(casesDir, { withFileTypes: true })) {
    if (!d.isDirectory()) continue
    for (const f of fs.readdirSync(path.join(casesDir, d.name), { withFileTypes: true })) {
      if (f.isFile()) count += 1
    }
  }
  return count
}
const expected = corpusCaseCount()

test('conformance corpus', async (t) => {
  const server = await startServer()
  t.after(() => server.stop())
  let passed = 0
  let failed = 0
  for (const c of cases) {
    await t.test(c.name, async () => {
      try {
        await runCase(server, c)
        await runCase(server, c, { sync: true }).catch((e) => {
          throw new Error(`…Sync: ${e.message}`)
        })
        passed += 1
      } catch (e) {
        failed += 1
        throw e
      }
    })
  }
  console.log(`conformance: ${passed} passed, ${failed} failed`)
  // The expected count comes from the corpus itself, never from a number written here.
  assert.equal(cases.length, expected, `the corpus holds ${expected} cases, the runner loaded ${cases.length}`)
  assert.equal(passed + failed, expected, `the corpus holds ${expected} cases, ${passed + failed} were played`)
})

test('conformance self-check: every changed case is caught', async () => {
  const server = await startServer()
  try {
    const uncaught = []
    let mutated = 0
    for (const [n, c] of cases.entries()) {
      const m = mutate(c, n)
      assert.ok(m, `${c.name}: nothing to change`)
      const caught = await runCase(server, m[1]).then(
        () => false,
        () => true,
      )
      if (!caught) uncaught.push(`${c.name}: ${m[0]}`)
      mutated += 1
    }
    assert.deepEqual(uncaught, [])
    assert.equal(mutated, expected, `the corpus holds ${expected} cases, ${mutated} were mutated`)
  } finally {
    await server.stop()
  }
})
