'use strict'
// Client options and hooks, over real HTTP against the scripted server: the idle pool's
// size, duration options that are not a usable number of milliseconds, onWarning (and
// its process-warning default), and an onRequest logger that calls voucherkit itself.
const { test, before, after, beforeEach } = require('node:test')
const assert = require('node:assert/strict')

const { SmartGift, Spaaza, VoucherError } = require('voucherkit')
const { ScriptedServer } = require('voucherkit/testing')

const API_KEY = 'sk_test_options_0001'

let server
before(async () => {
  server = await ScriptedServer.start()
})
after(() => server.stop())
beforeEach(() => server.reset())

function smartgift(extra = {}) {
  return new SmartGift({ apiKey: API_KEY, baseUrl: server.url, timeoutMs: 5000, ...extra })
}

function spaaza(extra = {}) {
  return new Spaaza({ sessionUserId: 1, sessionKey: 'sess_test_options', baseUrl: server.url, ...extra })
}

const REDEEMED = { status: 200, body: { data: { message: 'The voucher has been redeemed.', redemptions: [21] } } }
const REDEEM = { voucherNo: 'V1', siteId: 12, value: '1.00' }

/** A Spaaza redeem answered "ok" with the voucher in `status`. */
function spaazaOk(status) {
  return {
    status: 200,
    body: {
      result: { code: 1, status: 'ok' },
      results: { voucher_id: 438595, voucher_key: 'k438595', voucher_status: status, voucher_amount: 10 },
    },
  }
}
const SPAAZA_REDEEM = { chainId: 2, voucherId: 438595 }

/** Asserts that make() throws an invalid_request VoucherError naming `field`. */
function refusedByName(make, field, provider, what) {
  assert.throws(make, (e) => {
    assert.ok(e instanceof VoucherError, `${what}: ${e && e.stack}`)
    assert.equal(e.kind, 'invalid_request', what)
    assert.equal(e.field, field, `${what}: ${e.message}`)
    assert.equal(e.provider, provider, what)
    assert.equal(e.retryable, false)
    return true
  })
}

/** Resolves once the event loop has run pending callbacks (thread-safe function calls). */
function settle(ms = 30) {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** Collects process warnings while fn runs (and a little after). */
async function processWarnings(fn) {
  const seen = []
  const listen = (w) => seen.push(w)
  process.on('warning', listen)
  try {
    await fn()
    await settle()
  } finally {
    process.off('warning', listen)
  }
  return seen
}

test('maxIdleConnections: 0 opens a connection per call, the default keeps one for reuse', async () => {
  const pooled = smartgift()
  server.push(REDEEMED, REDEEMED)
  await pooled.redeem(REDEEM)
  await pooled.redeem(REDEEM)
  const [a, b] = server.requests()
  assert.equal(a.connectionId, b.connectionId, 'the default pool reused the connection')

  server.reset()
  const unpooled = smartgift({ maxIdleConnections: 0 })
  server.push(REDEEMED, REDEEMED)
  await unpooled.redeem(REDEEM)
  unpooled.redeemSync(REDEEM)
  const [c, d] = server.requests()
  assert.notEqual(c.connectionId, d.connectionId, 'nothing was kept idle')

  // The range ends are accepted, by both clients.
  smartgift({ maxIdleConnections: 1024 })
  spaaza({ maxIdleConnections: 0 })
  spaaza({ maxIdleConnections: 1024 })
})

test('maxIdleConnections out of range or not an integer is refused by name', () => {
  for (const bad of [1025, -1, 1.5, NaN, Infinity, 2 ** 60, '32', true]) {
    refusedByName(() => smartgift({ maxIdleConnections: bad }), 'max_idle_connections', 'smartgift', String(bad))
    refusedByName(() => spaaza({ maxIdleConnections: bad }), 'max_idle_connections', 'spaaza', String(bad))
  }
  assert.equal(server.requests().length, 0)
})

test('duration options that are not a usable number of milliseconds are refused by name, never a crash', () => {
  const table = [
    ['timeoutMs', 'timeout'],
    ['connectTimeoutMs', 'connect_timeout'],
    ['maxIdleAgeMs', 'max_idle_age'],
  ]
  for (const [option, field] of table) {
    for (const bad of [1e19, Infinity, -Infinity, NaN, -1, -0.5, 3_600_001, Number.MAX_VALUE, '500', false]) {
      const what = `${option}: ${String(bad)}`
      refusedByName(() => smartgift({ [option]: bad }), field, 'smartgift', what)
      refusedByName(() => spaaza({ [option]: bad }), field, 'spaaza', what)
    }
    // The ends of the range are usable.
    smartgift({ [option]: 3_600_000 })
    spaaza({ [option]: 1 })
  }
  // Under 1 ms: the core's range check (every refusal names the core option, as the
  // conformance corpus does in every language)…
  refusedByName(() => smartgift({ timeoutMs: 0 }), 'timeout', 'smartgift', 'timeoutMs: 0')
  refusedByName(() => spaaza({ connectTimeoutMs: 0 }), 'connect_timeout', 'spaaza', 'connectTimeoutMs: 0')
  refusedByName(() => smartgift({ timeoutMs: 0.5 }), 'timeout', 'smartgift', 'timeoutMs: 0.5')
  // …while an idle age of 0 means "never reuse a connection".
  smartgift({ maxIdleAgeMs: 0 })
  assert.equal(server.requests().length, 0)
})

test('onWarning: a Spaaza redeem answered ok but not redeemed warns once, naming the voucher, before the call returns', async () => {
  const seen = []
  const sp = spaaza({ onWarning: (w) => seen.push(w) })

  server.push(spaazaOk('claimed'))
  const seenWhenSettled = await sp.redeemVoucher(SPAAZA_REDEEM).then((v) => {
    assert.equal(v.voucherStatus, 'claimed', 'the call still succeeds')
    return seen.length
  })
  assert.equal(seenWhenSettled, 1, 'delivered before the Promise resolved')
  assert.equal(seen.length, 1)
  assert.deepEqual(Object.keys(seen[0]).sort(), ['message', 'operation', 'provider'])
  assert.equal(seen[0].provider, 'spaaza')
  assert.equal(seen[0].operation, 'redeem-voucher')
  assert.match(seen[0].message, /\b438595\b/)
  assert.match(seen[0].message, /claimed/)

  // The …Sync twin: delivered before it returns.
  seen.length = 0
  server.push(spaazaOk('claimed'))
  assert.equal(sp.redeemVoucherSync(SPAAZA_REDEEM).voucherStatus, 'claimed')
  assert.equal(seen.length, 1)
  assert.match(seen[0].message, /\b438595\b/)

  // A redeemed voucher is no news.
  seen.length = 0
  server.push(spaazaOk('redeemed'), spaazaOk('redeemed'))
  await sp.redeemVoucher(SPAAZA_REDEEM)
  sp.redeemVoucherSync(SPAAZA_REDEEM)
  await settle()
  assert.equal(seen.length, 0)
  assert.equal(server.requests().length, 4)

  refusedByName(() => spaaza({ onWarning: 'log' }), 'on_warning', 'spaaza', 'onWarning: string')
  refusedByName(() => smartgift({ onWarning: {} }), 'on_warning', 'smartgift', 'onWarning: object')
})

test('without onWarning, a warning is a process warning (VOUCHERKIT_WARNING)', async () => {
  const sp = spaaza()
  server.push(spaazaOk('claimed'), spaazaOk('claimed'))
  const warnings = await processWarnings(async () => {
    await sp.redeemVoucher(SPAAZA_REDEEM)
    sp.redeemVoucherSync(SPAAZA_REDEEM)
  })
  const ours = warnings.filter((w) => w.code === 'VOUCHERKIT_WARNING')
  assert.equal(ours.length, 2, warnings.map(String).join('\n'))
  for (const w of ours) {
    assert.equal(w.name, 'VoucherkitWarning')
    assert.match(w.message, /\b438595\b/)
    assert.equal(w.detail, 'spaaza redeem-voucher')
  }
})

test('a throwing onWarning fails nothing: the call succeeds, the error becomes a process warning', async () => {
  const sp = spaaza({
    onWarning: () => {
      throw new Error('warning hook broke')
    },
  })
  server.push(spaazaOk('claimed'), spaazaOk('claimed'))
  let viaPromise
  let viaSync
  const warnings = await processWarnings(async () => {
    viaPromise = await sp.redeemVoucher(SPAAZA_REDEEM)
    viaSync = sp.redeemVoucherSync(SPAAZA_REDEEM)
  })
  assert.equal(viaPromise.voucherId, 438595)
  assert.equal(viaSync.voucherId, 438595)
  const broke = warnings.filter((w) => /warning hook broke/.test(w.message))
  assert.equal(broke.length, 2)
  assert.ok(broke.every((w) => /438595/.test(w.message)), 'the warning itself is not lost')
})

test('an onRequest logger that calls voucherkit does not change the outcome of the call it logs', async () => {
  const audit = await ScriptedServer.start()
  try {
    for (const sync of [false, true]) {
      server.reset()
      audit.reset()
      audit.push(REDEEMED)
      const auditor = new SmartGift({ apiKey: API_KEY, baseUrl: audit.url })
      const nested = []
      const sg = smartgift({
        timeoutMs: 400,
        onRequest: (log) => {
          // A real call on another client, and one on the client being logged that is
          // refused before anything is sent.
          nested.push(auditor.redeemSync({ voucherNo: `AUDIT-${log.attempt}`, siteId: 1, value: '0.01' }))
          assert.throws(() => sg.redeemSync({ siteId: 12, value: '1.00' }), { kind: 'invalid_request' })
        },
      })
      server.push({ fault: { kind: 'stall' } })
      let err
      try {
        if (sync) sg.redeemSync(REDEEM)
        else await sg.redeem(REDEEM)
      } catch (e) {
        err = e
      }
      const form = sync ? 'redeemSync' : 'redeem'
      assert.ok(err instanceof VoucherError, `${form}: ${err && err.stack}`)
      assert.equal(err.kind, 'outcome_unknown', `${form}: a stalled redeem may have happened`)
      assert.equal(err.retryable, false)
      for (let i = 0; i < 100 && nested.length === 0; i += 1) await settle(10)
      await settle()
      assert.equal(nested.length, 1, `${form}: the logger ran once, for the one attempt`)
      assert.deepEqual(nested[0].redemptions, [21], `${form}: the logger's own call succeeded`)
      assert.equal(server.requests().length, 1, `${form}: exactly one request reached the server`)
      assert.equal(audit.requests().length, 1)
    }
  } finally {
    await audit.stop()
  }
})
