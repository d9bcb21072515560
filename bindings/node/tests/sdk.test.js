'use strict'
// What a payments SDK's users expect, over real HTTP against the sandbox: close(), the
// appInfo option, Spaaza's newer voucher fields and the rate-limit figures of the request
// log, and an async iterator over every page of vouchers.
const { test, before, after, beforeEach } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')

const { SmartGift, Spaaza, Journal, VoucherError } = require('voucherkit')
const { Sandbox, ScriptedServer } = require('voucherkit/testing')

const DTS = fs.readFileSync(path.join(__dirname, '..', 'index.d.ts'), 'utf8')

/** The property names index.d.ts declares in `export interface NAME { … }`. */
function declaredKeys(name) {
  const body = new RegExp(`export interface ${name} \\{([\\s\\S]*?)\\n\\}`).exec(DTS)
  assert.ok(body, `index.d.ts declares ${name}`)
  return [...body[1].matchAll(/^  (\w+)\??:/gm)].map((m) => m[1]).sort()
}

let sb
before(async () => {
  sb = await Sandbox.start()
})
after(() => sb.stop())
beforeEach(() => sb.reset())

function smartgift(extra = {}) {
  return new SmartGift({ apiKey: sb.smartgiftKey, baseUrl: sb.smartgiftUrl, ...extra })
}

function spaaza(extra = {}) {
  return new Spaaza({ sessionUserId: sb.spaazaSessionUserId, sessionKey: sb.spaazaSessionKey, baseUrl: sb.spaazaUrl, ...extra })
}

/** Asserts `e` is the refusal of a call on a closed client. */
function closedError(e, provider) {
  assert.ok(e instanceof VoucherError, String(e && e.stack))
  assert.equal(e.kind, 'invalid_request')
  assert.equal(e.field, 'client')
  assert.equal(e.provider, provider)
  assert.equal(e.retryable, false)
  assert.match(e.message, /closed/)
  return true
}

test('close(): a call in flight finishes, every later call (Promise or Sync) is refused naming client, nothing is sent', async () => {
  const sg = smartgift({ journal: new Journal(':memory:') })
  const inFlight = sg.check({ voucherNo: '1000000001', siteId: 12 })
  sg.close()
  assert.equal((await inFlight).remainingValue, '100')
  const sent = sb.requests().length
  const calls = [
    () => sg.check({ voucherNo: '1000000001', siteId: 12 }),
    () => sg.hold({ voucherNo: '1000000001' }),
    () => sg.redeem({ voucherNo: '1000000001', siteId: 12, value: '1.00' }),
    () => sg.release({ voucherNo: '1000000001', holdToken: 't' }),
    () => sg.reverse({ voucherNo: '1000000001', siteId: 12, redemptions: [1] }),
    () => sg.reconcile(),
  ]
  for (const call of calls) await assert.rejects(call(), (e) => closedError(e, 'smartgift'))
  assert.throws(() => sg.checkSync({ voucherNo: '1000000001', siteId: 12 }), (e) => closedError(e, 'smartgift'))
  assert.throws(() => sg.redeemSync({ voucherNo: '1000000001', siteId: 12, value: '1.00' }), (e) => closedError(e, 'smartgift'))
  assert.throws(() => sg.reconcileSync(), (e) => closedError(e, 'smartgift'))
  // Idempotent; what the client was stays readable.
  sg.close()
  assert.match(sg.userAgent, /^voucherkit\//)
  assert.equal(sg.toJSON().baseUrl, sb.smartgiftUrl)
  assert.equal(sb.requests().length, sent, 'nothing was sent after close()')
  const after = await smartgift().check({ voucherNo: '1000000001', siteId: 12 })
  assert.equal(after.remainingValue, '100', 'no money moved')
})

test('close() on Spaaza: later calls are refused naming client; other clients carry on', async () => {
  const sp = spaaza()
  const other = spaaza()
  const v = await sp.getVouchers({ chainId: 2, voucherId: 438595, showAllStatuses: true })
  assert.equal(v.vouchers.length, 1)
  sp.close()
  await assert.rejects(sp.redeemVoucher({ chainId: 2, voucherId: 438595 }), (e) => closedError(e, 'spaaza'))
  await assert.rejects(sp.getVouchers({ chainId: 2 }), (e) => closedError(e, 'spaaza'))
  assert.throws(() => sp.lockVoucherSync({ voucherId: 438595, retailerBasketCode: 'b' }), (e) => closedError(e, 'spaaza'))
  assert.throws(() => sp.unlockVoucherSync({ voucherId: 438595 }), (e) => closedError(e, 'spaaza'))
  await assert.rejects(sp.claimVoucher({ chainId: 2, voucherId: 438595, userId: 1 }), (e) => closedError(e, 'spaaza'))
  await assert.rejects(sp.unclaimVoucher({ chainId: 2, voucherId: 438595, userId: 1 }), (e) => closedError(e, 'spaaza'))
  const redeemed = await other.redeemVoucher({ chainId: 2, voucherId: 438595, amount: '1.00' })
  assert.equal(redeemed.voucherStatus, 'redeemed')
})

test('appInfo {name, version, url} joins the User-Agent of every request; bad values are refused as app_info', async () => {
  const appInfo = { name: 'acme-till', version: '4.2.0', url: 'https://till.example/about' }
  const sg = smartgift({ appInfo })
  const sp = spaaza({ appInfo: { name: 'acme-till' } })
  assert.match(sg.userAgent, /^voucherkit\/\S+ \(node; [^)]*\) acme-till\/4\.2\.0 \(https:\/\/till\.example\/about\)$/)
  assert.match(sp.userAgent, / acme-till$/)
  await sg.check({ voucherNo: '1000000001', siteId: 12 })
  await sp.getVouchers({ chainId: 2, voucherId: 438595, showAllStatuses: true })
  const [sgReq, spReq] = sb.requests()
  assert.equal(sgReq.header('user-agent'), sg.userAgent)
  assert.equal(spReq.header('user-agent'), sp.userAgent)
  // Without appInfo, no app part.
  assert.match(smartgift().userAgent, /^voucherkit\/\S+ \(node; [^)]*\)$/)

  const bad = [
    { name: '' },
    { name: '  ' },
    { name: 'two words' },
    { name: 'a/b' },
    { name: 'till', version: '1 2' },
    { name: 'till', url: 'https://x\r\nX-Evil: 1' },
    { name: 'x'.repeat(201) },
    { version: '1.0' },
    { name: 'till', verison: '1.0' },
    { name: 42 },
    'acme-till',
    ['acme-till'],
  ]
  for (const value of bad) {
    for (const [make, provider] of [[smartgift, 'smartgift'], [spaaza, 'spaaza']]) {
      assert.throws(
        () => make({ appInfo: value }),
        (e) => {
          assert.ok(e instanceof VoucherError, String(e))
          assert.equal(e.kind, 'invalid_request')
          assert.equal(e.field, 'app_info', `${JSON.stringify(value)}: ${e.message}`)
          assert.equal(e.provider, provider)
          return true
        },
      )
    }
  }
  assert.equal(sb.requests().length, 2, 'a refused appInfo sends nothing')
})

test('Spaaza vouchers carry parentVoucher, userEntityCard, voucherExpirySecondsRemaining, campaignTitle and campaignType, as index.d.ts declares', async () => {
  const sp = spaaza()
  const v = await sp.redeemVoucher({ chainId: 2, voucherId: 438595, amount: '2.00' })
  assert.deepEqual(v.userEntityCard, { cardType: 'custom', code: '404064' })
  assert.equal(v.campaignId, 300)
  assert.equal(v.campaignTitle, 'ACME Loyalty Campaign')
  assert.equal(v.campaignType, 'loyalty')
  assert.ok(Number.isInteger(v.voucherExpirySecondsRemaining) && v.voucherExpirySecondsRemaining > 0)
  assert.equal(v.parentVoucher, null)
  // The remainder names the voucher it came from.
  const rest = v.regeneratedVoucher
  assert.equal(rest.voucherAmount, '8')
  assert.equal(rest.parentVoucher.voucherId, 438595)
  assert.equal(rest.parentVoucher.voucherAmountRedeemed, '2')
  assert.equal(rest.userEntityCard, null)
  // Every key a voucher has is typed, and every typed key is there.
  assert.deepEqual(Object.keys(v).sort(), declaredKeys('SpaazaVoucher'))
  assert.deepEqual(Object.keys(v.userEntityCard).sort(), declaredKeys('SpaazaEntityCard'))
  const listed = (await sp.getVouchers({ chainId: 2, voucherId: rest.voucherId, showAllStatuses: true })).vouchers[0]
  assert.deepEqual(Object.keys(listed).sort(), declaredKeys('SpaazaVoucher'))
  assert.equal(listed.campaignType, 'loyalty')
})

test('the request log carries X-RateLimit-Remaining / -Limit when the answer names them, null otherwise', async () => {
  const server = await ScriptedServer.start()
  try {
    const logs = []
    const sg = new SmartGift({ apiKey: 'sk_rate', baseUrl: server.url, onRequest: (l) => logs.push(l) })
    const ok = { data: { message: 'The voucher has been redeemed.', redemptions: [21] } }
    server.push(
      { status: 200, headers: { 'X-RateLimit-Limit': '60', 'X-RateLimit-Remaining': '59' }, body: ok },
      { status: 200, body: ok },
    )
    await sg.redeem({ voucherNo: 'V1', siteId: 12, value: '1.00' })
    sg.redeemSync({ voucherNo: 'V1', siteId: 12, value: '1.00' })
    await new Promise((resolve) => setTimeout(resolve, 30))
    assert.equal(logs.length, 2)
    assert.equal(logs[0].rateLimitRemaining, 59)
    assert.equal(logs[0].rateLimitLimit, 60)
    assert.equal(logs[1].rateLimitRemaining, null)
    assert.equal(logs[1].rateLimitLimit, null)
    for (const log of logs) assert.deepEqual(Object.keys(log).sort(), declaredKeys('RequestLog'))
  } finally {
    await server.stop()
  }
})

/** The offsets of the get-vouchers pages the sandbox was asked for, in order. */
function pageOffsets() {
  return sb
    .requests()
    .filter((r) => r.pathOnly === '/spaaza/get-vouchers')
    .map((r) => new URLSearchParams(r.query()).get('results_offset'))
}

test('vouchers(): every page in turn by the core pager, stopping at resultsCountTotal', async () => {
  const sp = spaaza()
  const listed = await sp.getVouchers({ chainId: 2, showAllStatuses: true })
  sb.reset()
  const ids = []
  for await (const v of sp.vouchers({ chainId: 2, showAllStatuses: true, numberResults: 2 })) {
    assert.equal(typeof v.voucherKey, 'string')
    ids.push(v.voucherId)
  }
  assert.equal(listed.resultsCountTotal, 6)
  assert.deepEqual(ids, listed.vouchers.map((v) => v.voucherId))
  assert.deepEqual(pageOffsets(), ['0', '2', '4'], 'no read after the page that reached the total')
  // Without numberResults: pages of 50, so one read here.
  sb.reset()
  let n = 0
  for await (const v of sp.vouchers({ chainId: 2, showAllStatuses: true })) n += v === null ? 0 : 1
  assert.equal(n, 6)
  assert.deepEqual(sb.requests().map((r) => new URLSearchParams(r.query()).get('number_results')), ['50'])
})

test('vouchers(): a page is read only when the vouchers before it are used up; max and break stop reading', async () => {
  const sp = spaaza()
  const it = sp.vouchers({ chainId: 2, showAllStatuses: true, numberResults: 2 })
  assert.equal(sb.requests().length, 0, 'nothing is read before the first next()')
  await it.next()
  await it.next()
  assert.deepEqual(pageOffsets(), ['0'])
  await it.next()
  assert.deepEqual(pageOffsets(), ['0', '2'])
  await it.return()
  assert.deepEqual(await it.next(), { value: undefined, done: true })
  assert.deepEqual(pageOffsets(), ['0', '2'])

  sb.reset()
  const three = []
  for await (const v of sp.vouchers({ chainId: 2, showAllStatuses: true, numberResults: 2 }, { max: 3 })) three.push(v.voucherId)
  assert.equal(three.length, 3)
  assert.deepEqual(pageOffsets(), ['0', '2'])

  sb.reset()
  for await (const v of sp.vouchers({ chainId: 2, showAllStatuses: true }, { max: 0 })) assert.fail(`max 0 yielded ${v.voucherId}`)
  assert.equal(sb.requests().length, 0)

  sb.reset()
  for await (const v of sp.vouchers({ chainId: 2, showAllStatuses: true, numberResults: 2 })) {
    assert.ok(v)
    break
  }
  assert.deepEqual(pageOffsets(), ['0'])
})

test('vouchers(): a failed page ends the loop with its error; bad options and a closed client are refused before sending', async () => {
  const sp = spaaza({ maxRetries: 0 })
  const it = sp.vouchers({ chainId: 2, showAllStatuses: true, numberResults: 2 })
  await it.next()
  await it.next()
  sb.injectFault({ path: '/spaaza/get-vouchers', times: 1, answer: { status: 401, body: { result: { code: 41, status: 'error' }, errors: [{ code: 41, name: 'session_not_found' }] } } })
  await assert.rejects(it.next(), (e) => {
    assert.ok(e instanceof VoucherError, String(e))
    assert.equal(e.kind, 'authentication')
    return true
  })
  assert.deepEqual(await it.next(), { value: undefined, done: true })
  assert.deepEqual(pageOffsets(), ['0', '2'], 'no page after the failed one')

  sb.reset()
  const refusals = [
    [() => sp.vouchers({ showAllStatuses: true }), 'chain_id'],
    [() => sp.vouchers({ chainId: 2, numberResults: 'ten' }), 'number_results'],
    [() => sp.vouchers({ chainId: 2 }, { max: -1 }), 'max'],
    [() => sp.vouchers({ chainId: 2 }, { max: 1.5 }), 'max'],
    [() => sp.vouchers({ chainId: 2 }, { max: '3' }), 'max'],
    [() => sp.vouchers({ chainId: 2 }, { limit: 3 }), 'limit'],
  ]
  for (const [make, field] of refusals) {
    await assert.rejects(
      async () => {
        for await (const v of make()) assert.fail(`yielded ${v.voucherId}`)
      },
      (e) => {
        assert.ok(e instanceof VoucherError, String(e))
        assert.equal(e.kind, 'invalid_request')
        assert.equal(e.field, field, e.message)
        assert.equal(e.provider, 'spaaza')
        return true
      },
    )
  }
  assert.equal(sb.requests().length, 0)

  sp.close()
  await assert.rejects(sp.vouchers({ chainId: 2 }).next(), (e) => closedError(e, 'spaaza'))
})
