'use strict'
// The Node API's own rules, over real HTTP against the scripted server: money in and
// out, option types, constructor errors, secrets kept out of util.inspect, the request
// log callback, caught panics, the ESM entry points, the event loop staying free.
const { test, before, after, beforeEach } = require('node:test')
const assert = require('node:assert/strict')
const util = require('node:util')

const voucherkit = require('voucherkit')
const { SmartGift, Spaaza, VoucherError, ERROR_KINDS, coreVersion } = voucherkit
const { ScriptedServer } = require('voucherkit/testing')

const API_KEY = 'sk_live_secret_api_key_0123456789'
const SESSION_KEY = 'sess_secret_session_key_0123456789'
const BEARER = 'bearer_secret_token_0123456789'

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
  return new Spaaza({ sessionUserId: 1, sessionKey: SESSION_KEY, baseUrl: server.url, ...extra })
}

const REDEEMED = { status: 200, body: { data: { message: 'The voucher has been redeemed.', redemptions: [21] } } }
const SPAAZA_OK = (voucher) => ({
  status: 200,
  body_text: JSON.stringify({ result: { code: 1, status: 'ok' }, results: voucher }).replace(
    /"__AMOUNT__"/g,
    '10.50',
  ),
})

/** Calls fn expecting a VoucherError; returns it. */
async function refused(fn) {
  try {
    await fn()
  } catch (e) {
    assert.ok(e instanceof VoucherError, `not a VoucherError: ${e && e.stack}`)
    assert.ok(e instanceof Error)
    assert.equal(e.code, e.kind)
    return e
  }
  assert.fail('expected a VoucherError')
}

test('money in: numbers become their shortest decimal text, strings keep their digits', async () => {
  const sg = smartgift()
  const cases = [
    [10, '10'],
    [2.5, '2.5'],
    [0.1, '0.1'],
    ['10.00', '10.00'],
    ['10.500', '10.50'],
    [99.99, '99.99'],
  ]
  for (const [value, wire] of cases) {
    server.reset()
    server.push(REDEEMED)
    await sg.redeem({ voucherNo: 'V1', siteId: 12, value })
    const [req] = server.requests()
    assert.equal(req.bodyText, `{"voucher_no":"V1","site_id":"12","value":${wire}}`, `value ${value}`)
  }
  const sp = spaaza()
  for (const [amount, wire] of [
    [2, '2'],
    ['2.00', '2.00'],
    [10.5, '10.5'],
  ]) {
    server.reset()
    server.push(SPAAZA_OK({ voucher_id: 1, voucher_amount: '__AMOUNT__' }))
    sp.redeemVoucherSync({ chainId: 2, voucherId: 1, amount })
    assert.deepEqual(server.requests()[0].form(), [
      ['voucher_id', '1'],
      ['chain_id', '2'],
      ['amount', wire],
    ])
  }
})

test('money in: what cannot be sent exactly is refused before sending', async () => {
  const sg = smartgift()
  const refusals = [
    [0.1 + 0.2, '2 decimal places'], // 0.30000000000000004
    ['10.005', '2 decimal places'],
    [Number.NaN, 'finite'],
    [Number.POSITIVE_INFINITY, 'finite'],
    [0, 'greater than zero'],
    [-1, 'greater than zero'],
    ['1e3', 'decimal number'],
    ['', 'decimal number'],
    [true, 'decimal string'],
    [{}, 'decimal string'],
  ]
  for (const [value, words] of refusals) {
    const e = await refused(() => sg.redeem({ voucherNo: 'V1', siteId: 12, value }))
    assert.equal(e.kind, 'invalid_request', String(value))
    assert.equal(e.field, 'value')
    assert.equal(e.provider, 'smartgift')
    assert.equal(e.httpStatus, null)
    assert.equal(e.retryable, false)
    assert.match(e.message, new RegExp(words), `${String(value)}: ${e.message}`)
  }
  const sp = spaaza()
  const e = await refused(() => sp.redeemVoucher({ chainId: 2, voucherId: 1, amount: 0.30000000000000004 }))
  assert.equal(e.field, 'amount')
  assert.equal(server.requests().length, 0, 'nothing was sent')
})

test("money out: decimal strings with the provider's own digits", async () => {
  const sg = smartgift()
  server.push({
    status: 200,
    body_text: '{"data":{"id":1,"voucher_no":"V1","remaining_value":10.50,"type":"monetary","experiences":[]}}',
  })
  const v = await sg.check({ voucherNo: 'V1', siteId: 12 })
  assert.equal(v.remainingValue, '10.50')
  assert.equal(v.raw.remaining_value, 10.5, 'raw is the parsed JSON')
  server.push({
    status: 200,
    body_text:
      '{"result":{"code":1,"status":"ok"},"results":{"voucher_id":7,"voucher_amount":2,' +
      '"voucher_amount_original":25.5,"voucher_amount_redeemed":"23.50"}}',
  })
  const sv = spaaza().redeemVoucherSync({ chainId: 2, voucherId: 7 })
  assert.equal(sv.voucherAmount, '2')
  assert.equal(sv.voucherAmountOriginal, '25.5')
  assert.equal(sv.voucherAmountRedeemed, '23.50')
  assert.equal(sv.regeneratedVoucher, null)
  assert.deepEqual(sv.warnings, [])
})

test('results are plain objects with the documented camelCase fields and raw', async () => {
  server.push({ status: 200, body: { message: 'Voucher hold successful', hold_token: 'tok_1' } })
  const hold = await smartgift().hold({ voucherNo: 'V1' })
  assert.ok(hold.receivedAt instanceof Date)
  assert.ok(hold.expiresAt instanceof Date)
  assert.equal(hold.expiresAt.getTime() - hold.receivedAt.getTime(), 5 * 60 * 1000)
  assert.deepEqual(hold, {
    message: 'Voucher hold successful',
    holdToken: 'tok_1',
    receivedAt: hold.receivedAt,
    expiresAt: hold.expiresAt,
    raw: { message: 'Voucher hold successful', hold_token: 'tok_1' },
  })
  assert.equal(Object.getPrototypeOf(hold), Object.prototype)
})

test('options of the wrong type name the wire field; unknown options are refused', async () => {
  const sg = smartgift()
  const table = [
    [{ voucherNo: 123, siteId: 12, value: '1' }, 'voucher_no', 'must be a string'],
    [{ voucherNo: 'V', siteId: 1.5, value: '1' }, 'site_id', 'must be an integer'],
    [{ voucherNo: 'V', siteId: true, value: '1' }, 'site_id', 'integer or a string'],
    [{ voucherNo: 'V', siteId: 12, experiences: [1, 'x'] }, 'experiences', 'must be an integer'],
    [{ voucherNo: 'V', siteId: 12, experiences: 4 }, 'experiences', 'must be an array'],
    [{ voucherNo: 'V', siteId: 12, value: '1', holdToken: 5 }, 'hold_token', 'must be a string'],
    [{ voucher_no: 'V', siteId: 12, value: '1' }, 'voucher_no', 'did you mean voucherNo'],
    [{ voucherNo: 'V', siteId: 12, valeu: '1' }, 'valeu', 'has no option'],
    ['V1', 'options', 'options object'],
    [[1], 'options', 'options object'],
  ]
  for (const [options, field, words] of table) {
    for (const call of [() => sg.redeem(options), () => sg.redeemSync(options)]) {
      const e = await refused(call)
      assert.equal(e.kind, 'invalid_request')
      assert.equal(e.field, field, `${JSON.stringify(options)}: ${e.message}`)
      assert.match(e.message, new RegExp(words))
    }
  }
  const e = await refused(() => spaaza().getVouchers({ chainId: 2, showRedeemed: 'yes' }))
  assert.equal(e.field, 'show_redeemed')
  const m = await refused(() =>
    sg.check({ voucherNo: 'V', siteId: 12, metaConditions: [{ key: 'k', operator: 'in', value: [1] }] }),
  )
  assert.equal(m.field, 'meta_conditions')
  assert.equal(server.requests().length, 0, 'nothing was sent')
})

test('a missing required option is the core’s refusal, naming the wire field', async () => {
  const e = await refused(() => smartgift().redeem({ siteId: 12, value: '1' }))
  assert.equal(e.field, 'voucher_no')
  const s = await refused(() => smartgift().check({ voucherNo: 'V1' }))
  assert.equal(s.field, 'site_id')
  const r = await refused(() => spaaza().redeemVoucher({ voucherId: 1 }))
  assert.equal(r.field, 'chain_id')
  const both = await refused(() => smartgift().redeem({ voucherNo: 'V', siteId: 12, value: '1', experiences: [1] }))
  assert.equal(both.field, 'value')
})

test('constructors refuse bad configuration with a VoucherError', () => {
  const table = [
    [() => new SmartGift({ apiKey: 'k', baseUrl: 'ftp://example.com' }), 'base_url', 'smartgift'],
    [() => new SmartGift({ apiKey: 'k', baseUrl: 'http://example.com' }), 'base_url', 'smartgift'],
    [() => new SmartGift({ apiKey: 'bad\nkey' }), 'api_key', 'smartgift'],
    [() => new SmartGift({ apiKey: 'k', timeoutMs: -1 }), 'timeout', 'smartgift'],
    [() => new SmartGift({ apiKey: 'k', maxRetries: 1.5 }), 'max_retries', 'smartgift'],
    [() => new SmartGift({ apiKey: 'k', onRequest: 'log' }), 'on_request', 'smartgift'],
    [() => new SmartGift({ apiKey: 'k', apikey: 'x' }), 'apikey', 'smartgift'],
    [() => new Spaaza({ sessionKey: 's' }), 'session_user_id', 'spaaza'],
    [() => new Spaaza({ sessionUserId: 1 }), 'session_key', 'spaaza'],
    [() => new Spaaza({ auth: 'root' }), 'auth', 'spaaza'],
    [() => new Spaaza({ auth: 'privileged', appHostname: 'a.b' }), 'bearer_token', 'spaaza'],
    [() => new Spaaza({ auth: 'user', sessionUserId: 1, sessionKey: 's' }), 'app_hostname', 'spaaza'],
    [() => new Spaaza({ sessionUserId: 1, sessionKey: 's', apiVersion: '1.6' }), 'api_version', 'spaaza'],
  ]
  for (const [make, field, provider] of table) {
    assert.throws(make, (e) => {
      assert.ok(e instanceof VoucherError, String(e))
      assert.equal(e.kind, 'invalid_request')
      assert.equal(e.field, field, e.message)
      assert.equal(e.provider, provider)
      return true
    })
  }
  // Loopback http is fine; an explicit opt-in allows any http host.
  new SmartGift({ apiKey: 'k', baseUrl: 'http://127.0.0.1:1' })
  new SmartGift({ apiKey: 'k', baseUrl: 'http://example.com', allowInsecureHttp: true })
})

test('secrets never appear in util.inspect, JSON or errors', async () => {
  const sg = smartgift()
  const sp = spaaza()
  const priv = new Spaaza({ auth: 'privileged', bearerToken: BEARER, appHostname: 'acme.spaaza.com', baseUrl: server.url })
  for (const [client, secret] of [
    [sg, API_KEY],
    [sp, SESSION_KEY],
    [priv, BEARER],
  ]) {
    const shown = util.inspect(client, { showHidden: true, depth: 10 })
    assert.ok(!shown.includes(secret), shown)
    assert.ok(!JSON.stringify(client).includes(secret))
    assert.ok(!String(client).includes(secret))
    assert.match(shown, /…6789/, 'shown redacted')
  }
  assert.deepEqual(sg.toJSON(), { baseUrl: server.url, apiKey: '…6789' })
  server.push({ status: 401, body: { message: 'Unauthenticated.' } })
  const e = await refused(() => sg.check({ voucherNo: 'V1', siteId: 12 }))
  assert.equal(e.kind, 'authentication')
  const shown = util.inspect(e, { showHidden: true, depth: 10 }) + JSON.stringify(e) + e.stack
  assert.ok(!shown.includes(API_KEY))
  assert.equal(server.requests()[0].header('smart-auth'), API_KEY, 'the key was sent to the provider')
  // A key passed where it does not belong is not echoed back either.
  const c = await refused(() => new SmartGift({ apiKey: `${API_KEY}\r\n` }))
  assert.ok(!util.inspect(c).includes(API_KEY))
})

test('onRequest sees every attempt (no secrets), and a throwing callback breaks nothing', async () => {
  const logs = []
  const sg = smartgift({ onRequest: (log) => logs.push(log), maxRetries: 1 })
  server.push({ status: 429, headers: { 'Retry-After': '0' }, body: { message: 'Too Many Attempts.' } }, REDEEMED)
  const r = await sg.redeem({ voucherNo: 'V1', siteId: 12, value: '1.00' })
  assert.deepEqual(r.redemptions, [21])
  await new Promise((resolve) => setImmediate(resolve))
  assert.equal(logs.length, 2)
  assert.deepEqual(
    logs.map(({ provider, method, path, status, attempt }) => ({ provider, method, path, status, attempt })),
    [
      { provider: 'smartgift', method: 'POST', path: '/redeem', status: 429, attempt: 1 },
      { provider: 'smartgift', method: 'POST', path: '/redeem', status: 200, attempt: 2 },
    ],
  )
  for (const log of logs) {
    assert.equal(typeof log.durationMs, 'number')
    assert.ok(log.durationMs >= 0)
    assert.ok(!JSON.stringify(log).includes(API_KEY))
  }
  // Sync calls log too (delivered once the event loop runs).
  logs.length = 0
  server.push(REDEEMED)
  sg.redeemSync({ voucherNo: 'V1', siteId: 12, value: '1.00' })
  await new Promise((resolve) => setTimeout(resolve, 20))
  assert.equal(logs.length, 1)
  // A failed connection is logged with no status.
  const dead = new SmartGift({ apiKey: API_KEY, baseUrl: 'http://127.0.0.1:1', maxRetries: 0, onRequest: (l) => logs.push(l) })
  logs.length = 0
  const e = await refused(() => dead.check({ voucherNo: 'V1', siteId: 12 }))
  assert.equal(e.kind, 'network')
  await new Promise((resolve) => setTimeout(resolve, 20))
  assert.equal(logs.length, 1)
  assert.equal(logs[0].status, null)
  assert.equal(typeof logs[0].failure, 'string')

  const warnings = []
  const onWarning = (w) => warnings.push(w)
  process.on('warning', onWarning)
  const loud = smartgift({
    onRequest: () => {
      throw new Error('logger broke')
    },
  })
  server.push(REDEEMED)
  assert.deepEqual((await loud.redeem({ voucherNo: 'V1', siteId: 12, value: 1 })).redemptions, [21])
  await new Promise((resolve) => setTimeout(resolve, 20))
  process.off('warning', onWarning)
  assert.ok(warnings.some((w) => /logger broke/.test(w.message)))
})

test('a Rust panic becomes an internal VoucherError, sync and async, and Node carries on', async () => {
  const native = require('../native.js')
  const { decode } = require('../wire.js')
  const sync = await refused(() => decode(native.debugPanic(true)))
  assert.equal(sync.kind, 'internal')
  assert.match(sync.message, /panic/)
  const asyncErr = await refused(() => native.debugPanic(false).then(decode))
  assert.equal(asyncErr.kind, 'internal')
  server.push(REDEEMED)
  assert.deepEqual((await smartgift().redeem({ voucherNo: 'V1', siteId: 12, value: 1 })).redemptions, [21])
})

test('a Promise call waits off the main thread: timers keep firing during a stalled answer', async () => {
  const sg = smartgift({ timeoutMs: 600 })
  server.push({ fault: { kind: 'stall' } })
  let ticks = 0
  const timer = setInterval(() => (ticks += 1), 10)
  const started = Date.now()
  const pending = sg.redeem({ voucherNo: 'V1', siteId: 12, value: '5.00' })
  const ticksAtCall = ticks
  const e = await refused(() => pending)
  clearInterval(timer)
  const waited = Date.now() - started
  assert.equal(e.kind, 'outcome_unknown', 'a stalled redeem may have happened')
  assert.equal(e.retryable, false)
  assert.ok(waited >= 500, `waited ${waited} ms`)
  assert.equal(ticksAtCall, 0, 'the call returned at once')
  assert.ok(ticks >= 20, `the interval fired ${ticks} times while the call waited ${waited} ms`)

  // The …Sync twin blocks the thread it runs on: no timer fires meanwhile.
  server.push({ fault: { kind: 'stall' } })
  let syncTicks = 0
  const t2 = setInterval(() => (syncTicks += 1), 10)
  await refused(() => sg.redeemSync({ voucherNo: 'V1', siteId: 12, value: '5.00' }))
  const during = syncTicks
  clearInterval(t2)
  assert.equal(during, 0)
})

test('the ESM entry points export the same API', async () => {
  const esm = await import('voucherkit')
  assert.equal(esm.SmartGift, SmartGift)
  assert.equal(esm.Spaaza, Spaaza)
  assert.equal(esm.VoucherError, VoucherError)
  assert.equal(esm.Journal, voucherkit.Journal)
  assert.equal(typeof esm.Journal, 'function')
  assert.equal(esm.default, voucherkit)
  const testing = await import('voucherkit/testing')
  assert.equal(testing.ScriptedServer, ScriptedServer)
  assert.equal(typeof testing.Sandbox.start, 'function')
})

test('VoucherError: every kind, the Node error conventions, JSON in wire names', () => {
  assert.equal(ERROR_KINDS.length, 18)
  assert.equal(ERROR_KINDS[17], 'journal')
  const e = new VoucherError({ kind: 'rate_limited', message: 'slow down', retryable: true, retryAfter: 30, provider: 'spaaza' })
  assert.equal(e.name, 'VoucherError')
  assert.equal(e.code, 'rate_limited')
  assert.ok(e.stack.startsWith('VoucherError: slow down'))
  assert.deepEqual(e.toJSON(), {
    kind: 'rate_limited',
    message: 'slow down',
    field: null,
    field_errors: {},
    http_status: null,
    provider: 'spaaza',
    provider_code: null,
    retryable: true,
    retry_after: 30,
    journal_id: null,
  })
  assert.equal(e.journalId, null)
  assert.equal(new VoucherError({ kind: 'outcome_unknown', message: 'm', journalId: 'j-1' }).toJSON().journal_id, 'j-1')
  assert.match(coreVersion, /^\d+\.\d+\.\d+/)
  assert.match(smartgift().userAgent, new RegExp(`^voucherkit/${coreVersion} \\(node; ${process.versions.node}\\)$`))
})

test('the published API is the clients, Journal and errors only; the sandbox lives in voucherkit/testing', async () => {
  assert.deepEqual(Object.keys(voucherkit).sort(), ['ERROR_KINDS', 'Journal', 'SmartGift', 'Spaaza', 'VoucherError', 'coreVersion'])
  const esm = await import('voucherkit')
  assert.deepEqual(Object.keys(esm).filter((k) => k !== 'default').sort(), Object.keys(voucherkit).sort())
  // The package's exports map keeps the addon and its test hooks out of reach by name.
  assert.throws(() => require('voucherkit/native.js'), { code: 'ERR_PACKAGE_PATH_NOT_EXPORTED' })
  assert.throws(() => require('voucherkit/wire.js'), { code: 'ERR_PACKAGE_PATH_NOT_EXPORTED' })
  const testing = require('voucherkit/testing')
  assert.deepEqual(Object.keys(testing).sort(), ['RecordedRequest', 'Sandbox', 'ScriptedServer'])
})
