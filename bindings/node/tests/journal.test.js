'use strict'
// The journal and reconcile over real HTTP against the stateful sandbox: a journaled
// redeem is read first and recorded, a lost answer is settled by reading the voucher
// again, and bad filters or journal files are refused by name before anything is sent.
const { test, before, after, beforeEach } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

const { SmartGift, Spaaza, Journal, VoucherError } = require('voucherkit')
const { Sandbox } = require('voucherkit/testing')

let sb
before(async () => {
  sb = await Sandbox.start()
})
after(() => sb.stop())
beforeEach(() => sb.reset())

// Short enough that a stalled answer is given up on quickly; no retries, so what the
// sandbox saw is exactly what was sent.
const QUICK = { timeoutMs: 800, maxRetries: 0 }

function smartgift(journal, extra = {}) {
  return new SmartGift({ apiKey: sb.smartgiftKey, baseUrl: sb.smartgiftUrl, journal, ...QUICK, ...extra })
}

function spaaza(journal) {
  return new Spaaza({
    sessionUserId: sb.spaazaSessionUserId,
    sessionKey: sb.spaazaSessionKey,
    baseUrl: sb.spaazaUrl,
    journal,
    ...QUICK,
  })
}

async function refusal(call) {
  try {
    await call()
  } catch (e) {
    assert.ok(e instanceof VoucherError, String(e && e.stack))
    return e
  }
  assert.fail('expected a VoucherError')
}

function sent() {
  return sb.requests().map((r) => r.pathOnly)
}

function tempDir() {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'voucherkit-journal-'))
}

/** What `check` says is left on a Smart Gift voucher (a read: never journaled). */
async function remaining(voucherNo) {
  const plain = new SmartGift({ apiKey: sb.smartgiftKey, baseUrl: sb.smartgiftUrl })
  return (await plain.check({ voucherNo, siteId: 12 })).remainingValue
}

const STALL_AFTER_REDEEM = { path: '/smartgift/redeem', process: true, times: 1, answer: { fault: { kind: 'stall' } } }

test('a journaled redeem reads first, records the call and gives its entry id', async () => {
  const journal = new Journal(':memory:')
  assert.equal(journal.path, ':memory:')
  const sg = smartgift(journal)
  const started = Date.now()
  const done = await sg.redeem({ voucherNo: '1000000001', siteId: 12, value: '10.00', reference: 'sale-1' })
  assert.deepEqual(done.redemptions, [21])
  assert.match(done.journalId, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/)
  assert.deepEqual(sent(), ['/smartgift/redeem/check', '/smartgift/redeem'])
  // The reference is the till's own: it is never sent.
  assert.ok(!sb.requests().some((r) => r.bodyText.includes('sale-1')))

  const e = journal.entry(done.journalId)
  assert.ok(Object.isFrozen(e))
  assert.ok(Object.isFrozen(e.request))
  assert.deepEqual(Object.keys(e).sort(), [
    'before',
    'certain',
    'createdAt',
    'error',
    'id',
    'note',
    'operation',
    'provider',
    'reconcileAttempts',
    'reference',
    'request',
    'resolvedAt',
    'result',
    'state',
  ])
  assert.equal(e.id, done.journalId)
  assert.equal(e.state, 'applied')
  assert.equal(e.reference, 'sale-1')
  assert.equal(e.provider, 'smartgift')
  assert.equal(e.operation, 'redeem')
  assert.deepEqual(e.request, { voucher_no: '1000000001', site_id: '12', value: '10.00' })
  assert.equal(e.before.remaining_value, '100')
  assert.deepEqual(e.result.redemptions, [21])
  assert.equal(e.error, null)
  assert.equal(e.certain, false)
  assert.equal(e.reconcileAttempts, 0)
  assert.ok(e.createdAt instanceof Date)
  assert.ok(e.resolvedAt instanceof Date)
  assert.ok(e.createdAt.getTime() >= started - 1000 && e.createdAt.getTime() <= Date.now())
  assert.ok(e.resolvedAt.getTime() >= e.createdAt.getTime())
  assert.throws(() => {
    'use strict'
    e.state = 'unknown'
  }, TypeError)

  // Nothing is open: reconcile examines nothing and sends nothing.
  sb.reset()
  assert.deepEqual(await sg.reconcile(), [])
  assert.deepEqual(sg.reconcileSync(), [])
  assert.deepEqual(sent(), [])

  // Without a journal the same call has no entry, and nothing is read first.
  const plain = new SmartGift({ apiKey: sb.smartgiftKey, baseUrl: sb.smartgiftUrl })
  const bare = await plain.redeem({ voucherNo: '1000000002', siteId: 12, value: '1.00', reference: 'ignored' })
  assert.equal(bare.journalId, null)
  assert.deepEqual(sent(), ['/smartgift/redeem'])
})

test('a lost answer after the redeem happened: outcome_unknown with its entry, reconcile says applied', async () => {
  const journal = new Journal(':memory:')
  const sg = smartgift(journal)
  sb.injectFault(STALL_AFTER_REDEEM)
  const lost = await refusal(() => sg.redeem({ voucherNo: '1000000001', siteId: 12, value: '10.00', reference: 'sale-2' }))
  assert.equal(lost.kind, 'outcome_unknown')
  assert.equal(typeof lost.journalId, 'string')
  assert.equal(lost.toJSON().journal_id, lost.journalId)
  const open = journal.entry(lost.journalId)
  assert.equal(open.state, 'unknown')
  assert.equal(open.error.kind, 'outcome_unknown')
  assert.equal(open.resolvedAt, null)
  assert.equal(await remaining('1000000001'), '90')

  const settled = await sg.reconcile()
  assert.equal(settled.length, 1)
  const [e] = settled
  assert.equal(e.id, lost.journalId)
  assert.equal(e.state, 'applied')
  assert.equal(e.reference, 'sale-2')
  assert.equal(e.certain, false, 'no hold: evidence, not proof')
  assert.equal(e.reconcileAttempts, 1)
  assert.match(e.note, /to 90/)
  assert.ok(e.resolvedAt instanceof Date)
  assert.ok(Object.isFrozen(e))
  assert.deepEqual(journal.entry(e.id), e)
  assert.deepEqual(await sg.reconcile(), [], 'settled once')
})

test('reconcileSync settles a lost answer the same way (fault set over the HTTP control plane)', async () => {
  const journal = new Journal(':memory:')
  const sg = smartgift(journal)
  const res = await fetch(`${sb.url}/__sandbox/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(STALL_AFTER_REDEEM),
  })
  assert.equal(res.status, 200, await res.text())
  const lost = await refusal(() => sg.redeemSync({ voucherNo: '1000000002', siteId: 12, value: '5.00', reference: 'sale-3' }))
  assert.equal(lost.kind, 'outcome_unknown')
  assert.ok(lost.journalId)
  const [e, ...rest] = sg.reconcileSync()
  assert.deepEqual(rest, [])
  assert.equal(e.id, lost.journalId)
  assert.equal(e.state, 'applied')
  assert.match(e.note, /to 20/)
  assert.deepEqual(sg.reconcileSync(), [])
  const cleared = await fetch(`${sb.url}/__sandbox/faults`, { method: 'DELETE' })
  assert.equal(cleared.status, 200)
})

test('reconcile runs off the main thread; reconcileSync blocks it', async () => {
  const sg = smartgift(new Journal(':memory:'))
  const slowRead = { path: '/smartgift/redeem/check', process: true, times: 1, answer: { fault: { kind: 'delay', ms: 300 } } }
  const loseOne = async (voucherNo) => {
    sb.injectFault(STALL_AFTER_REDEEM)
    const lost = await refusal(() => sg.redeem({ voucherNo, siteId: 12, value: '1.00' }))
    assert.equal(lost.kind, 'outcome_unknown')
    return lost.journalId
  }
  const ticksDuring = async (call) => {
    let ticks = 0
    const timer = setInterval(() => (ticks += 1), 10)
    try {
      return [await call(), ticks]
    } finally {
      clearInterval(timer)
    }
  }

  const first = await loseOne('1000000001')
  sb.injectFault(slowRead)
  const [settled, ticks] = await ticksDuring(() => sg.reconcile())
  assert.deepEqual(settled.map((e) => [e.id, e.state]), [[first, 'applied']])
  assert.ok(ticks >= 5, `the event loop ran ${ticks} times during a 300 ms reconcile`)

  const second = await loseOne('1000000002')
  sb.injectFault(slowRead)
  const [settledSync, syncTicks] = await ticksDuring(() => sg.reconcileSync())
  assert.deepEqual(settledSync.map((e) => [e.id, e.state]), [[second, 'applied']])
  assert.equal(syncTicks, 0)
})

test('a lost request that never happened is reconciled as not_applied', async () => {
  const journal = new Journal(':memory:')
  const sg = smartgift(journal)
  // The request reaches the sandbox, which drops the connection without acting.
  sb.injectFault({ path: '/smartgift/redeem', times: 1, answer: { fault: { kind: 'close' } } })
  const lost = await refusal(() => sg.redeem({ voucherNo: '1000000001', siteId: 12, value: '10.00', reference: 'sale-4' }))
  assert.equal(lost.kind, 'outcome_unknown')
  assert.equal(journal.entry(lost.journalId).state, 'unknown')
  const [e, ...rest] = await sg.reconcile()
  assert.deepEqual(rest, [])
  assert.equal(e.id, lost.journalId)
  assert.equal(e.state, 'not_applied')
  assert.equal(await remaining('1000000001'), '100')
})

test('a definite refusal is recorded as not_applied with its error; a failed read sends no write', async () => {
  const journal = new Journal(':memory:')
  const sg = smartgift(journal)
  const tooMuch = await refusal(() => sg.redeem({ voucherNo: '1000000002', siteId: 12, value: '30.00', reference: 'sale-5' }))
  assert.equal(tooMuch.kind, 'invalid_amount')
  assert.ok(tooMuch.journalId)
  const e = journal.entry(tooMuch.journalId)
  assert.equal(e.state, 'not_applied')
  assert.equal(e.error.kind, 'invalid_amount')
  assert.equal(e.error.http_status, 422)

  sb.reset()
  sb.injectFault({ path: '/smartgift/redeem/check', times: 1, answer: { fault: { kind: 'close' } } })
  const unread = await refusal(() => sg.redeem({ voucherNo: '1000000001', siteId: 12, value: '1.00', reference: 'sale-6' }))
  assert.notEqual(unread.kind, 'outcome_unknown')
  assert.equal(unread.journalId, null)
  assert.deepEqual(sent(), ['/smartgift/redeem/check'], 'the redeem was not sent')
  assert.deepEqual(journal.entries({ reference: 'sale-6' }), [])
})

test('a journaled reverse carries its entry id and reference', async () => {
  const journal = new Journal(':memory:')
  const sg = smartgift(journal)
  const done = await sg.redeem({ voucherNo: '1000000001', siteId: 12, value: '10.00', reference: 'sale-7' })
  const back = await sg.reverse({ voucherNo: '1000000001', siteId: 12, redemptions: done.redemptions, reference: 'sale-7' })
  assert.equal(typeof back.journalId, 'string')
  assert.notEqual(back.journalId, done.journalId)
  const e = journal.entry(back.journalId)
  assert.equal(e.operation, 'reverse')
  assert.equal(e.state, 'applied')
  assert.deepEqual(e.request.redemptions, done.redemptions)
  const both = journal.entries({ reference: 'sale-7' })
  assert.deepEqual(
    both.map((x) => x.operation),
    ['reverse', 'redeem'],
    'newest first',
  )
})

test('Spaaza: a journaled redeemVoucher needs voucherId; a lost answer is reconciled (Promise and Sync)', async () => {
  const journal = new Journal(':memory:')
  const sp = spaaza(journal)
  const keyOnly = await refusal(() => sp.redeemVoucher({ chainId: 2, voucherKey: 'some-voucher-key', reference: 'basket-1' }))
  assert.equal(keyOnly.kind, 'invalid_request')
  assert.equal(keyOnly.field, 'voucher_id')
  assert.equal(keyOnly.journalId, null)
  assert.throws(() => sp.redeemVoucherSync({ chainId: 2, voucherKey: 'some-voucher-key' }), { field: 'voucher_id' })
  assert.deepEqual(sent(), [], 'nothing was sent')
  assert.deepEqual(journal.entries(), [])

  const v = await sp.redeemVoucher({ chainId: 2, voucherId: 35735, reference: 'basket-2' })
  assert.equal(v.voucherStatus, 'redeemed')
  assert.equal(typeof v.journalId, 'string')
  const e = journal.entry(v.journalId)
  assert.equal(e.provider, 'spaaza')
  assert.equal(e.operation, 'redeem_voucher')
  assert.equal(e.state, 'applied')
  assert.equal(e.reference, 'basket-2')

  sb.injectFault({ path: '/spaaza/auth/redeem-voucher', process: true, times: 1, answer: { fault: { kind: 'stall' } } })
  const lost = await refusal(() => sp.redeemVoucher({ chainId: 2, voucherId: 438595, amount: '2.00', reference: 'basket-3' }))
  assert.equal(lost.kind, 'outcome_unknown')
  const [settled, ...rest] = await sp.reconcile()
  assert.deepEqual(rest, [])
  assert.equal(settled.id, lost.journalId)
  assert.equal(settled.state, 'applied')
  assert.deepEqual(sp.reconcileSync(), [])

  // Lost again, this time before the provider acted, and settled by the Sync twin.
  sb.reset()
  const sp2 = spaaza(new Journal(':memory:'))
  sb.injectFault({ path: '/spaaza/auth/redeem-voucher', times: 1, answer: { fault: { kind: 'close' } } })
  const dropped = await refusal(() => sp2.redeemVoucher({ chainId: 2, voucherId: 438595, amount: '2.00' }))
  assert.equal(dropped.kind, 'outcome_unknown')
  const [e2, ...rest2] = sp2.reconcileSync()
  assert.deepEqual(rest2, [])
  assert.equal(e2.id, dropped.journalId)
  assert.equal(e2.state, 'not_applied')
})

test('reconcile without a journal is invalid_request naming journal, for both clients', async () => {
  const sg = new SmartGift({ apiKey: sb.smartgiftKey, baseUrl: sb.smartgiftUrl })
  const sp = new Spaaza({ sessionUserId: sb.spaazaSessionUserId, sessionKey: sb.spaazaSessionKey, baseUrl: sb.spaazaUrl })
  for (const call of [() => sg.reconcile(), () => sg.reconcileSync(), () => sp.reconcile(), () => sp.reconcileSync()]) {
    const e = await refusal(call)
    assert.equal(e.kind, 'invalid_request')
    assert.equal(e.field, 'journal')
  }
  assert.equal((await refusal(() => sp.reconcile())).provider, 'spaaza')
  assert.deepEqual(sent(), [])
})

test('the journal option takes a Journal and nothing else', () => {
  for (const bad of ['/tmp/x.journal', 1, {}, { path: ':memory:' }, new Date()]) {
    for (const make of [
      () => new SmartGift({ apiKey: 'k', journal: bad }),
      () => new Spaaza({ sessionUserId: 1, sessionKey: 's', journal: bad }),
    ]) {
      assert.throws(make, (e) => e instanceof VoucherError && e.kind === 'invalid_request' && e.field === 'journal')
    }
  }
  // Given but empty is the same as not given.
  new SmartGift({ apiKey: 'k', journal: undefined })
  new SmartGift({ apiKey: 'k', journal: null })
})

test('entries: every filter narrows, newest first; bad values are refused by name', async () => {
  const journal = new Journal(':memory:')
  const sg = smartgift(journal)
  const sp = spaaza(journal)
  await sg.redeem({ voucherNo: '1000000001', siteId: 12, value: '1.00', reference: 'r-1' })
  await sg.redeem({ voucherNo: '1000000001', siteId: 12, value: '2.00', reference: 'r-2' })
  await refusal(() => sg.redeem({ voucherNo: '1000000002', siteId: 12, value: '99.00', reference: 'r-2' }))
  // Entries keep millisecond times: a few milliseconds either side keep `since` exact.
  await new Promise((resolve) => setTimeout(resolve, 5))
  const afterThree = new Date()
  await new Promise((resolve) => setTimeout(resolve, 5))
  await sp.redeemVoucher({ chainId: 2, voucherId: 35735, reference: 'r-3' })

  const all = journal.entries()
  assert.equal(all.length, 4)
  assert.deepEqual(journal.entries({}), all)
  assert.deepEqual(
    all.map((e) => e.reference),
    ['r-3', 'r-2', 'r-2', 'r-1'],
    'newest first',
  )
  for (let i = 1; i < all.length; i++) assert.ok(all[i - 1].createdAt >= all[i].createdAt)

  assert.deepEqual(journal.entries({ state: 'applied' }).map((e) => e.reference), ['r-3', 'r-2', 'r-1'])
  assert.deepEqual(journal.entries({ state: 'not_applied' }).map((e) => e.request.value), ['99.00'])
  assert.deepEqual(journal.entries({ state: 'unknown' }), [])
  assert.deepEqual(journal.entries({ state: 'pending' }), [])
  assert.equal(journal.entries({ reference: 'r-2' }).length, 2)
  assert.deepEqual(journal.entries({ reference: 'r-2', state: 'applied' }).map((e) => e.request.value), ['2.00'])
  assert.deepEqual(journal.entries({ provider: 'spaaza' }).map((e) => e.reference), ['r-3'])
  assert.equal(journal.entries({ provider: 'smartgift' }).length, 3)
  assert.deepEqual(journal.entries({ since: afterThree }).map((e) => e.reference), ['r-3'])
  assert.equal(journal.entries({ since: new Date(0) }).length, 4)
  assert.deepEqual(journal.entries({ since: new Date(Date.now() + 60_000) }), [])
  assert.deepEqual(journal.entries({ limit: 2 }).map((e) => e.reference), ['r-3', 'r-2'])
  assert.deepEqual(journal.entries({ limit: 0 }), [])
  assert.deepEqual(journal.entries({ state: undefined, reference: null }), all)
  assert.equal(journal.entry('01234567-89ab-7def-8123-456789abcdef'), null)
  assert.deepEqual(journal.entry(all[0].id), all[0])

  const refused = (filter, field, pattern) => {
    assert.throws(
      () => journal.entries(filter),
      (e) => {
        assert.ok(e instanceof VoucherError, String(e))
        assert.equal(e.kind, 'invalid_request')
        assert.equal(e.field, field, e.message)
        assert.equal(e.provider, null)
        if (pattern) assert.match(e.message, pattern)
        return true
      },
    )
  }
  refused({ state: 'done' }, 'state', /pending, applied, not_applied, unknown/)
  refused({ state: 'Applied' }, 'state')
  refused({ state: 1 }, 'state')
  refused({ provider: 'smart_gift' }, 'provider', /"smartgift" or "spaaza"/)
  refused({ provider: true }, 'provider')
  refused({ reference: 42 }, 'reference')
  refused({ since: '2026-01-01T00:00:00Z' }, 'since', /Date/)
  refused({ since: Date.now() }, 'since', /Date/)
  refused({ since: new Date('not a date') }, 'since', /invalid Date/)
  refused({ limit: -1 }, 'limit', /≥ 0/)
  refused({ limit: 1.5 }, 'limit')
  refused({ limit: '3' }, 'limit')
  refused({ limit: Infinity }, 'limit')
  refused({ status: 'applied' }, 'status', /state/)
  refused('applied', 'options')
  assert.throws(() => journal.entry(42), { kind: 'invalid_request', field: 'id' })
  assert.throws(() => journal.entry(), { kind: 'invalid_request', field: 'id' })
})

test('a journal file that cannot be used is refused when opened, naming journal', () => {
  const dir = tempDir()
  try {
    const refused = (make, pattern) => {
      assert.throws(make, (e) => {
        assert.ok(e instanceof VoucherError, String(e))
        assert.equal(e.kind, 'invalid_request')
        assert.equal(e.field, 'journal')
        assert.match(e.message, pattern)
        return true
      })
    }
    refused(() => new Journal(dir), /directory/)
    refused(() => new Journal(path.join(dir, 'missing', 'till.journal')), /cannot be used/)
    const text = path.join(dir, 'notes.txt')
    fs.writeFileSync(text, 'not a database, just some text that is long enough to be read')
    refused(() => new Journal(text), /not a voucherkit journal/)
    assert.equal(fs.readFileSync(text, 'utf8'), 'not a database, just some text that is long enough to be read')
    refused(() => new Journal(42), /string/)
    refused(() => new Journal(), /string/)
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
})

test('a journal file holds no key, is private, and is read again after reopening', async () => {
  const dir = tempDir()
  try {
    const file = path.join(dir, 'till.journal')
    const journal = new Journal(file)
    assert.equal(journal.path, file)
    await smartgift(journal).redeem({ voucherNo: '1000000001', siteId: 12, value: '1.00', reference: 'sale-file' })
    await spaaza(journal).redeemVoucher({ chainId: 2, voucherId: 35735, reference: 'basket-file' })
    if (process.platform !== 'win32') assert.equal(fs.statSync(file).mode & 0o777, 0o600)

    const bytes = Buffer.concat(
      ['', '-wal', '-shm'].filter((s) => fs.existsSync(file + s)).map((s) => fs.readFileSync(file + s)),
    )
    for (const secret of [sb.smartgiftKey, sb.spaazaSessionKey]) {
      assert.equal(bytes.indexOf(secret), -1, `the journal holds ${secret}`)
    }
    assert.notEqual(bytes.indexOf('sale-file'), -1, 'the file was read')

    const again = new Journal(file)
    assert.deepEqual(
      again.entries().map((e) => e.reference),
      ['basket-file', 'sale-file'],
    )
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
})

test('16 concurrent Promise redeems through one journaled client, some answers lost, then reconcile', async () => {
  // Sixteen vouchers of their own, so each lost answer is settled from its own voucher.
  const data = sb.data
  const numbers = Array.from({ length: 16 }, (_, i) => String(3000000001 + i))
  for (const [i, voucherNo] of numbers.entries()) {
    data.smartgift.vouchers.push({ ...data.smartgift.vouchers[0], id: 90001 + i, voucher_no: voucherNo })
  }
  const own = await Sandbox.start({ data })
  try {
    const journal = new Journal(':memory:')
    const sg = new SmartGift({ apiKey: own.smartgiftKey, baseUrl: own.smartgiftUrl, journal, timeoutMs: 1500, maxRetries: 0 })
    own.injectFault({ path: '/smartgift/redeem', process: true, times: 4, answer: { fault: { kind: 'stall' } } })
    const outcomes = await Promise.allSettled(
      numbers.map((voucherNo, i) => sg.redeem({ voucherNo, siteId: 12, value: '10.00', reference: `sale-${i}` })),
    )
    const done = outcomes.filter((o) => o.status === 'fulfilled').map((o) => o.value)
    const lost = outcomes.filter((o) => o.status === 'rejected').map((o) => o.reason)
    assert.equal(done.length, 12)
    assert.equal(lost.length, 4)
    for (const e of lost) assert.equal(e.kind, 'outcome_unknown', e.message)
    const ids = [...done.map((r) => r.journalId), ...lost.map((e) => e.journalId)]
    assert.equal(new Set(ids).size, 16, 'one entry per call')

    assert.equal(journal.entries().length, 16)
    assert.equal(journal.entries({ state: 'applied' }).length, 12)
    const unknown = journal.entries({ state: 'unknown' })
    assert.deepEqual(unknown.map((e) => e.id).sort(), lost.map((e) => e.journalId).sort())

    const settled = await sg.reconcile()
    assert.deepEqual(settled.map((e) => e.id).sort(), lost.map((e) => e.journalId).sort(), 'exactly the open ones')
    for (const e of settled) {
      assert.equal(e.state, 'applied', `${e.reference}: ${e.note}`)
      assert.equal(e.reconcileAttempts, 1)
    }
    assert.equal(journal.entries({ state: 'applied' }).length, 16)
    assert.deepEqual(await sg.reconcile(), [])
    // Every voucher was redeemed exactly once.
    const plain = new SmartGift({ apiKey: own.smartgiftKey, baseUrl: own.smartgiftUrl })
    for (const voucherNo of numbers) {
      assert.equal((await plain.check({ voucherNo, siteId: 12 })).remainingValue, '90')
    }
  } finally {
    await own.stop()
  }
})
