'use strict'
// Till scenarios against the stateful sandbox (voucherkit/testing's Sandbox): real HTTP
// on 127.0.0.1, balances that go down, holds that block, faults that lose answers.
const { test, before, after, beforeEach } = require('node:test')
const assert = require('node:assert/strict')
const util = require('node:util')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

const { SmartGift, Spaaza, Journal, VoucherError, ERROR_KINDS } = require('voucherkit')
// The test build's hooks (the `test-hooks` feature), reached by path: not package exports.
const native = require('../native.js')
const { decode } = require('../wire.js')
const { Sandbox, ScriptedServer } = require('voucherkit/testing')

let sb
let sg
let sp
before(async () => {
  sb = await Sandbox.start()
  sg = new SmartGift({ apiKey: sb.smartgiftKey, baseUrl: sb.smartgiftUrl })
  sp = new Spaaza({ sessionUserId: sb.spaazaSessionUserId, sessionKey: sb.spaazaSessionKey, baseUrl: sb.spaazaUrl })
})
after(() => sb.stop())
beforeEach(() => sb.reset())

async function kindOf(promise) {
  try {
    await promise
  } catch (e) {
    assert.ok(e instanceof VoucherError, String(e && e.stack))
    return e
  }
  assert.fail('expected a VoucherError')
}

test('the sandbox gives URLs, demo credentials and its data set', () => {
  assert.match(sb.url, /^http:\/\/127\.0\.0\.1:\d+$/)
  assert.equal(sb.smartgiftUrl, `${sb.url}/smartgift`)
  assert.equal(sb.spaazaUrl, `${sb.url}/spaaza`)
  assert.equal(sb.port, Number(new URL(sb.url).port))
  assert.ok(sb.smartgiftKey.length > 0)
  assert.equal(typeof sb.spaazaSessionUserId, 'number')
  assert.ok(sb.spaazaSessionKey.length > 0)
  const data = sb.data
  assert.equal(data.smartgift.vouchers[0].voucher_no, '1000000001')
  assert.ok(data.smartgift.companies[0].api_keys.includes(sb.smartgiftKey))
  assert.ok(data.spaaza.vouchers.some((v) => v.voucher_id === 438595))
})

test('Smart Gift till session: check, hold, redeem with the hold, release, reverse', async () => {
  const before = await sg.check({ voucherNo: '1000000002', siteId: 12 })
  assert.equal(before.remainingValue, '25')
  assert.equal(before.voucherType, 'monetary')
  const hold = await sg.hold({ voucherNo: '1000000002' })
  assert.match(hold.holdToken, /\S/)
  // Another till cannot take the held voucher.
  const other = await kindOf(sg.redeem({ voucherNo: '1000000002', siteId: 14, value: '1.00' }))
  assert.equal(other.kind, 'voucher_locked')
  const done = await sg.redeem({ voucherNo: '1000000002', siteId: 12, value: '10.50', holdToken: hold.holdToken })
  assert.equal(done.redemptions.length, 1)
  assert.equal((await sg.check({ voucherNo: '1000000002', siteId: 12 })).remainingValue, '14.5')
  assert.equal((await sg.release({ voucherNo: '1000000002', holdToken: hold.holdToken })).message, 'Voucher hold released')
  await sg.reverse({ voucherNo: '1000000002', siteId: 12, redemptions: done.redemptions })
  assert.equal(sg.checkSync({ voucherNo: '1000000002', siteId: 12 }).remainingValue, '25')
  const paths = sb.requests().map((r) => `${r.method} ${r.pathOnly}`)
  assert.deepEqual(paths.slice(0, 3), ['POST /smartgift/redeem/check', 'POST /smartgift/redeem/hold', 'POST /smartgift/redeem'])
})

test('a hold says when its answer arrived: receivedAt is a Date within a minute of now', async () => {
  const MINUTE = 60 * 1000
  const hold = await sg.hold({ voucherNo: '1000000001' })
  assert.ok(hold.receivedAt instanceof Date, `receivedAt: ${util.inspect(hold.receivedAt)}`)
  assert.ok(!Number.isNaN(hold.receivedAt.getTime()))
  assert.ok(Math.abs(Date.now() - hold.receivedAt.getTime()) < MINUTE, hold.receivedAt.toISOString())
  await sg.release({ voucherNo: '1000000001', holdToken: hold.holdToken })

  const held = sg.holdSync({ voucherNo: '1000000002' })
  assert.ok(held.receivedAt instanceof Date)
  assert.ok(Math.abs(Date.now() - held.receivedAt.getTime()) < MINUTE, held.receivedAt.toISOString())
  assert.ok(held.receivedAt.getTime() >= hold.receivedAt.getTime())
  sg.releaseSync({ voucherNo: '1000000002', holdToken: held.holdToken })
  // The JSON form (what the CLI prints with --json) is ISO 8601 again.
  assert.match(JSON.parse(JSON.stringify(held)).receivedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
})

test('experience vouchers: redeem experiences by bit value', async () => {
  const v = await sg.check({ voucherNo: '1000000003', siteId: 12 })
  assert.equal(v.voucherType, 'experience')
  const bits = v.experiences.map((e) => e.bitValue)
  assert.ok(bits.includes(1) && bits.includes(4), JSON.stringify(bits))
  const r = sg.redeemSync({ voucherNo: '1000000003', siteId: 12, experiences: [1, 4] })
  assert.equal(r.redemptions.length, 2)
  const after = await sg.check({ voucherNo: '1000000003', siteId: 12 })
  assert.equal(Number(after.remainingValue), Number(v.remainingValue) - 5)
  const again = await kindOf(sg.redeem({ voucherNo: '1000000003', siteId: 12, experiences: [1] }))
  assert.equal(again.kind, 'invalid_amount')
})

test('the sandbox clock: a hold runs out after five minutes', async () => {
  const hold = await sg.hold({ voucherNo: '1000000001' })
  const t0 = sb.now()
  sb.advanceClock(301)
  assert.ok(sb.now() - t0 >= 301_000)
  const late = await kindOf(sg.release({ voucherNo: '1000000001', holdToken: hold.holdToken }))
  assert.equal(late.kind, 'voucher_not_held')
  // The voucher is free again.
  await sg.redeem({ voucherNo: '1000000001', siteId: 12, value: 1 })
})

test('Spaaza: partial redeem regenerates the remainder; locks block other baskets', async () => {
  const v = await sp.redeemVoucher({ chainId: 2, voucherId: 438595, amount: '2.00' })
  assert.equal(v.voucherStatus, 'redeemed')
  assert.equal(v.voucherAmountRedeemed, '2')
  const rest = v.regeneratedVoucher
  assert.ok(rest, 'a regenerated voucher')
  assert.equal(rest.voucherAmount, '8')
  assert.equal(rest.voucherStatus, 'generated')
  const list = await sp.getVouchers({ chainId: 2, voucherId: rest.voucherId, showAllStatuses: true })
  assert.equal(list.vouchers.length, 1)
  assert.equal(list.vouchers[0].voucherId, rest.voucherId)

  const locked = await sp.lockVoucher({ voucherId: 35735, retailerBasketCode: 'basket-A', voucherLockPeriod: 120 })
  assert.equal(locked.voucherLocked, true)
  const blocked = await kindOf(sp.redeemVoucher({ chainId: 2, voucherId: 35735 }))
  assert.equal(blocked.kind, 'voucher_locked')
  assert.equal(blocked.providerCode, 'voucher_locked')
  const unlocked = sp.unlockVoucherSync({ voucherId: 35735 })
  assert.equal(unlocked.voucherLocked, false)
  const whole = await sp.redeemVoucher({ chainId: 2, voucherId: 35735 })
  assert.equal(whole.voucherStatus, 'redeemed')
  assert.equal(whole.regeneratedVoucher, null)
})

test('Spaaza: claim and unclaim move a voucher between end-users', async () => {
  const claimed = await sp.claimVoucher({ chainId: 2, voucherId: 40577, memberNumber: '404064' })
  assert.equal(claimed.voucherStatus, 'claimed')
  const unclaimed = await sp.unclaimVoucher({ chainId: 2, voucherId: 40577, memberNumber: '404064' })
  assert.equal(unclaimed.voucherStatus, 'generated')
  const e = await kindOf(sp.unclaimVoucher({ chainId: 2, voucherId: 40577 }))
  assert.equal(e.kind, 'invalid_request', 'an end-user identifier is required under admin auth')
})

test('outcome_unknown: a redeem that happened but whose answer was lost, then reconciled', async () => {
  const till = new SmartGift({ apiKey: sb.smartgiftKey, baseUrl: sb.smartgiftUrl, timeoutMs: 400 })
  sb.injectFault({ path: '/smartgift/redeem', process: true, times: 1, answer: { fault: { kind: 'stall' } } })
  const lost = await kindOf(till.redeem({ voucherNo: '1000000001', siteId: 12, value: '30.00' }))
  assert.equal(lost.kind, 'outcome_unknown')
  assert.equal(lost.retryable, false)
  // Reconcile: the balance shows the redeem happened, so it must not be sent again.
  assert.equal((await till.check({ voucherNo: '1000000001', siteId: 12 })).remainingValue, '70')
  assert.equal(sb.requests().filter((r) => r.pathOnly === '/smartgift/redeem').length, 1, 'never re-sent')
})

test('100 concurrent Promise redeems all succeed, each once, and the balance adds up', async () => {
  const redeems = Array.from({ length: 100 }, (_, i) =>
    sg.redeem({ voucherNo: '1000000001', siteId: i % 2 ? 12 : 14, value: i % 2 ? '0.50' : 0.5 }),
  )
  const results = await Promise.all(redeems)
  const ids = results.flatMap((r) => r.redemptions)
  assert.equal(ids.length, 100)
  assert.equal(new Set(ids).size, 100, 'every redemption id is distinct')
  for (const r of results) assert.equal(r.message, 'The voucher has been redeemed.')
  const v = await sg.check({ voucherNo: '1000000001', siteId: 12 })
  assert.equal(Number(v.remainingValue), 50)
  const redeemed = sb.requests().filter((r) => r.pathOnly === '/smartgift/redeem')
  assert.equal(redeemed.length, 100)
  assert.ok(redeemed.every((r) => r.json().value === 0.5))
})

test('concurrent redeems racing for one balance: exactly the affordable ones succeed', async () => {
  // £25 voucher, 8 tills each taking £5: five succeed, three are refused.
  const outcomes = await Promise.allSettled(
    Array.from({ length: 8 }, () => sg.redeem({ voucherNo: '1000000002', siteId: 12, value: '5.00' })),
  )
  const ok = outcomes.filter((o) => o.status === 'fulfilled')
  const refused = outcomes.filter((o) => o.status === 'rejected')
  assert.equal(ok.length, 5)
  for (const r of refused) {
    assert.ok(r.reason instanceof VoucherError)
    assert.ok(['invalid_amount', 'voucher_already_redeemed'].includes(r.reason.kind), r.reason.kind)
  }
})

test('every error kind, each from a real answer (or a real refusal before sending)', async () => {
  const seen = new Map()
  const record = (e) => {
    assert.ok(e instanceof VoucherError)
    assert.equal(e.code, e.kind)
    if (!seen.has(e.kind)) seen.set(e.kind, e)
    return e
  }
  const expectKind = async (kind, call) => {
    const e = record(await kindOf(call()))
    assert.equal(e.kind, kind, `${kind}: got ${e.kind} (${e.message})`)
    return e
  }
  const quick = { maxRetries: 0, timeoutMs: 400 }
  const sgQuick = new SmartGift({ apiKey: sb.smartgiftKey, baseUrl: sb.smartgiftUrl, ...quick })

  await expectKind('invalid_request', () => sg.redeem({ voucherNo: '', siteId: 12, value: '1' }))
  const auth = await expectKind('authentication', () =>
    new SmartGift({ apiKey: 'sk_wrong_key_000000', baseUrl: sb.smartgiftUrl }).check({ voucherNo: '1000000001', siteId: 12 }),
  )
  assert.equal(auth.httpStatus, 401)
  const perm = await expectKind('permission_denied', () => sp.redeemVoucher({ chainId: 3, voucherId: 500001 }))
  assert.equal(perm.provider, 'spaaza')
  const nf = await expectKind('voucher_not_found', () => sg.check({ voucherNo: '9999999999', siteId: 12 }))
  assert.equal(nf.message, 'Sorry, that voucher number is invalid.')
  assert.equal(nf.field, 'voucher_no')
  assert.deepEqual(nf.fieldErrors, { voucher_no: ['Sorry, that voucher number is invalid.'] })
  assert.equal(nf.httpStatus, 422)
  await expectKind('voucher_not_owned', () => sg.check({ voucherNo: '2000000001', siteId: 12 }))
  await expectKind('voucher_expired', () => sg.redeem({ voucherNo: '1000000004', siteId: 12, value: '1.00' }))
  await expectKind('voucher_already_redeemed', () => sg.redeem({ voucherNo: '1000000005', siteId: 12, value: '1.00' }))
  await expectKind('voucher_not_held', () => sg.release({ voucherNo: '1000000001', holdToken: 'hold_token_none' }))
  const h = await sg.hold({ voucherNo: '1000000002' })
  await expectKind('voucher_locked', () => sg.hold({ voucherNo: '1000000002' }))
  await sg.release({ voucherNo: '1000000002', holdToken: h.holdToken })
  await expectKind('invalid_site', () => sg.check({ voucherNo: '1000000001', siteId: 99 }))
  await expectKind('invalid_amount', () => sg.redeem({ voucherNo: '1000000002', siteId: 12, value: '30.00' }))

  sb.injectFault({
    path: '/smartgift/redeem/check',
    times: 1,
    answer: { status: 429, headers: { 'Retry-After': '30' }, body: { message: 'Too Many Attempts.' } },
  })
  const limited = await expectKind('rate_limited', () => sgQuick.check({ voucherNo: '1000000001', siteId: 12 }))
  assert.equal(limited.retryAfter, 30)
  assert.equal(limited.retryable, true)

  sb.injectFault({ path: '/smartgift/redeem/check', times: 1, answer: { status: 400, body: { message: 'Something odd.' } } })
  const odd = await expectKind('provider_error', () => sgQuick.check({ voucherNo: '1000000001', siteId: 12 }))
  assert.equal(odd.httpStatus, 400)

  const dead = new SmartGift({ apiKey: 'k', baseUrl: 'http://127.0.0.1:1', ...quick })
  const net = await expectKind('network', () => dead.redeem({ voucherNo: '1000000001', siteId: 12, value: '1' }))
  assert.equal(net.retryable, true)
  assert.equal(net.httpStatus, null)

  sb.injectFault({
    path: '/smartgift/redeem',
    times: 1,
    answer: { status: 502, body_text: '<html>Bad Gateway</html>', content_type: 'text/html' },
  })
  const gw = await expectKind('outcome_unknown', () => sgQuick.redeem({ voucherNo: '1000000001', siteId: 12, value: '1' }))
  assert.equal(gw.httpStatus, 502)

  sb.injectFault({ path: '/smartgift/redeem/check', times: 1, answer: { status: 200, body_text: 'not json', content_type: 'text/plain' } })
  await expectKind('invalid_response', () => sgQuick.check({ voucherNo: '1000000001', siteId: 12 }))

  await expectKind('internal', () => native.debugPanic(false).then(decode))

  // A journal that cannot record the call (another process broke the file under it):
  // the redeem is refused before it is sent.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'voucherkit-kinds-'))
  try {
    const file = path.join(dir, 'broken.journal')
    const journaled = new SmartGift({ apiKey: sb.smartgiftKey, baseUrl: sb.smartgiftUrl, journal: new Journal(file) })
    native.debugBreakJournal(file)
    sb.reset()
    const broken = await expectKind('journal', () => journaled.redeem({ voucherNo: '1000000001', siteId: 12, value: '1.00' }))
    assert.equal(broken.retryable, false)
    assert.match(broken.message, /nothing was sent/)
    assert.deepEqual(sb.requests().map((r) => r.pathOnly), ['/smartgift/redeem/check'])
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }

  assert.deepEqual([...seen.keys()].sort(), [...ERROR_KINDS].sort())
})

test('ScriptedServer: queued answers in order, recorded requests, pending count, reset', async () => {
  const server = await ScriptedServer.start()
  try {
    assert.equal(server.push({ status: 200, body: { message: 'Voucher hold successful', hold_token: 't1' } }), 1)
    assert.equal(server.pending(), 1)
    const till = new SmartGift({ apiKey: 'sk_test_0001', baseUrl: server.url })
    assert.equal((await till.hold({ voucherNo: 'V9' })).holdToken, 't1')
    const [req] = server.requests()
    assert.equal(req.method, 'POST')
    assert.equal(req.path, '/redeem/hold')
    assert.equal(req.header('SMART-AUTH'), 'sk_test_0001')
    assert.deepEqual(req.json(), { voucher_no: 'V9' })
    assert.equal(server.pending(), 0)
    // Past the script the server answers 599, so one call too many fails loudly.
    const extra = await kindOf(till.hold({ voucherNo: 'V9' }))
    assert.equal(extra.httpStatus, 599)
    assert.throws(() => server.push({ statuz: 200 }), /unknown key/)
    server.reset()
    assert.equal(server.requests().length, 0)
  } finally {
    await server.stop()
  }
})
