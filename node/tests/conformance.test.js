'use strict'
// The whole conformance corpus through the Node API: one subtest per case (played with
// the Promise method, then again with its …Sync twin), then the runner's self-check
// (every case, changed in one expectation, must fail).
const { test } = require('node:test')
const assert = require('node:assert/strict')

const { loadCases, runCase, mutate, startServer } = require('./conformance.js')

const cases = loadCases()

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
  assert.equal(passed + failed, cases.length)
  assert.equal(cases.length, 242, 'the corpus holds 242 cases')
})

test('conformance self-check: every changed case is caught', async () => {
  const server = await startServer()
  try {
    const uncaught = []
    for (const [n, c] of cases.entries()) {
      const m = mutate(c, n)
      assert.ok(m, `${c.name}: nothing to change`)
      const caught = await runCase(server, m[1]).then(
        () => false,
        () => true,
      )
      if (!caught) uncaught.push(`${c.name}: ${m[0]}`)
    }
    assert.deepEqual(uncaught, [])
  } finally {
    await server.stop()
  }
})
