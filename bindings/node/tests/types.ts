// Type-checked (never run) by `tsc -p tests/tsconfig.json`: every class, option, result
// and error of index.d.ts and testing.d.ts used as a till would, plus misuses that must
// not compile (`@ts-expect-error`).
import {
  SmartGift,
  Spaaza,
  Journal,
  VoucherError,
  ERROR_KINDS,
  coreVersion,
  type ErrorKind,
  type RequestLog,
  type VoucherkitWarning,
  type SmartGiftVoucher,
  type Hold,
  type Redemption,
  type Released,
  type Reversed,
  type SpaazaVoucher,
  type VoucherList,
  type VoucherErrorJson,
  type Json,
  type JournalEntry,
  type JournalEntryState,
  type JournalEntryFilter,
} from 'voucherkit'
import { Sandbox, ScriptedServer, type RecordedRequest, type FaultRule } from 'voucherkit/testing'

async function till(): Promise<void> {
  const sb: Sandbox = await Sandbox.start({ port: 0, startTime: new Date(), baseDir: '.' })
  const logs: RequestLog[] = []
  const sg = new SmartGift({
    apiKey: sb.smartgiftKey,
    baseUrl: sb.smartgiftUrl,
    connectTimeoutMs: 5000,
    timeoutMs: 30000,
    maxRetries: 2,
    allowInsecureHttp: false,
    maxIdleAgeMs: 30000,
    maxIdleConnections: 32,
    onWarning: (w) => {
      const provider: 'smartgift' | 'spaaza' = w.provider
      const op: string = w.operation
      const text: string = w.message
      void provider, op, text
    },
    onRequest: (log) => {
      const status: number | null = log.status
      const ms: number = log.durationMs
      logs.push(log)
      void status, ms
    },
  })
  const ua: string = sg.userAgent

  const v: SmartGiftVoucher = await sg.check({
    voucherNo: '1000000001',
    siteId: 12,
    classifications: ['food_and_beverage'],
    metaConditions: [{ key: 'used_in', operator: 'in', value: ['a'] }],
  })
  const left: string | null = v.remainingValue
  for (const e of v.experiences) {
    const bit: number | null = e.bitValue
    void bit
  }
  const h: Hold = await sg.hold({ voucherNo: '1000000001' })
  const r: Redemption = await sg.redeem({ voucherNo: '1000000001', siteId: '12', value: '10.00', holdToken: h.holdToken })
  const ids: number[] = r.redemptions
  sg.redeemSync({ voucherNo: '1000000003', siteId: 12, experiences: [1, 4] })
  sg.redeemSync({ voucherNo: '1000000001', siteId: 12, value: 2.5 })
  const rel: Released = sg.releaseSync({ voucherNo: '1000000001', holdToken: h.holdToken })
  const rev: Reversed = await sg.reverse({ voucherNo: '1000000001', siteId: 12, redemptions: ids })
  const raw: Json | undefined = rev.raw['message']
  const c2: SmartGiftVoucher = sg.checkSync({ voucherNo: '1', siteId: 1 })
  const h2: Hold = sg.holdSync({ voucherNo: '1' })
  const heldUntil: number = h2.receivedAt.getTime() + 5 * 60 * 1000
  const rel2: Released = await sg.release({ voucherNo: '1', holdToken: h2.holdToken })
  const rev2: Reversed = sg.reverseSync({ voucherNo: '1', siteId: 1, redemptions: [1] })
  const cfg: { baseUrl: string; apiKey: string } = sg.toJSON()
  void ua, left, rel, raw, c2, rel2, rev2, cfg, heldUntil

  // @ts-expect-error value and experiences are exclusive
  sg.redeem({ voucherNo: '1', siteId: 12, value: '1', experiences: [1] })
  // @ts-expect-error voucherNo is required
  sg.check({ siteId: 12 })
  // @ts-expect-error options are camelCase
  sg.hold({ voucher_no: '1' })
  // @ts-expect-error apiKey is required
  new SmartGift({ baseUrl: 'https://x' })

  const sp = new Spaaza({
    sessionUserId: sb.spaazaSessionUserId,
    sessionKey: sb.spaazaSessionKey,
    baseUrl: sb.spaazaUrl,
    apiVersion: '1.6.3',
    auth: 'admin',
  })
  new Spaaza({ auth: 'privileged', bearerToken: 't', appHostname: 'acme.spaaza.com' })
  const seenWarnings: VoucherkitWarning[] = []
  new Spaaza({ sessionUserId: 1, sessionKey: 's', onWarning: (w) => seenWarnings.push(w), maxIdleConnections: 0 })
  new SmartGift({ apiKey: 'k', appInfo: { name: 'acme-till', version: '4.2.0', url: 'https://till.example' } })
  new Spaaza({ sessionUserId: 1, sessionKey: 's', appInfo: { name: 'acme-till' } })
  // @ts-expect-error appInfo needs a name
  new SmartGift({ apiKey: 'k', appInfo: { version: '1' } })
  // @ts-expect-error onWarning takes a function
  new Spaaza({ sessionUserId: 1, sessionKey: 's', onWarning: 'log' })
  // @ts-expect-error maxIdleConnections is a number
  new Spaaza({ sessionUserId: 1, sessionKey: 's', maxIdleConnections: '32' })
  // @ts-expect-error auth is one of three names
  new Spaaza({ auth: 'root' })
  const sv: SpaazaVoucher = await sp.redeemVoucher({ chainId: 2, voucherId: 438595, amount: '2.00' })
  const rest: SpaazaVoucher | null = sv.regeneratedVoucher
  const amount: string | null = sv.voucherAmount
  const warn: string | null | undefined = sv.warnings[0]?.message
  const remaining: number | null | undefined = logs[0]?.rateLimitRemaining
  const limit: number | null | undefined = logs[0]?.rateLimitLimit
  void remaining, limit
  const parent: SpaazaVoucher | null = sv.regeneratedVoucher?.parentVoucher ?? null
  const card: string | null | undefined = sv.userEntityCard?.cardType
  const secondsLeft: number | null = sv.voucherExpirySecondsRemaining
  const campaign: [string | null, string | null] = [sv.campaignTitle, sv.campaignType]
  void parent, card, secondsLeft, campaign
  sp.redeemVoucherSync({ chainId: 2, voucherKey: 'k', userId: 1, amount: 2 })
  await sp.unlockVoucher({ voucherId: 35735 })
  sp.unlockVoucherSync({ voucherKey: 'k', voucherId: 1 })
  await sp.unclaimVoucher({ chainId: 2, voucherKey: 'k', memberNumber: '404064' })
  sp.unclaimVoucherSync({ chainId: 2, thirdPartyId: 3914599659, username: 'a@b.c' })
  await sp.claimVoucher({ chainId: 2, voucherId: 40577, userId: 1107604 })
  sp.claimVoucherSync({ chainId: 2, voucherId: 40577, authenticationPointIdentifier: 'x', auxiliaryIdentifier: undefined })
  await sp.lockVoucher({ voucherId: 438595, retailerBasketCode: 'basket-1', voucherLockPeriod: 300, voucherLockingCode: 'c' })
  sp.lockVoucherSync({ voucherKey: 'k', retailerBasketCode: 'b' })
  const list: VoucherList = await sp.getVouchers({ chainId: 2, voucherId: 438595, showAllStatuses: true, numberResults: 10 })
  const total: number | null = list.resultsCountTotal
  for await (const each of sp.vouchers({ chainId: 2, numberResults: 20 }, { max: 100 })) {
    const id: number | null = each.voucherId
    void id
  }
  const pages: AsyncGenerator<SpaazaVoucher, void, undefined> = sp.vouchers({ chainId: 2 })
  void pages
  // @ts-expect-error max is a number
  sp.vouchers({ chainId: 2 }, { max: '10' })
  const first: SpaazaVoucher | undefined = list.vouchers[0]
  sp.getVouchersSync({ chainId: 2, minCreatedDatetime: '2024-01-01 00:00:00' })
  const spCfg = sp.toJSON()
  const key: string | null = spCfg.sessionKey
  void rest, amount, warn, total, first, key, sp.userAgent
  sp.close()
  const closed: void = sg.close()
  void closed
  // @ts-expect-error chainId is required
  sp.getVouchers({ voucherId: 1 })
  // @ts-expect-error retailerBasketCode is required
  sp.lockVoucher({ voucherId: 1 })

  try {
    await sg.redeem({ voucherNo: '1000000005', siteId: 12, value: '1' })
  } catch (e) {
    if (e instanceof VoucherError) {
      const kind: ErrorKind = e.kind
      const code: ErrorKind = e.code
      const field: string | null = e.field
      const fe: string[] | undefined = e.fieldErrors['voucher_no']
      const status: number | null = e.httpStatus
      const provider: 'smartgift' | 'spaaza' | null = e.provider
      const pc: string | null = e.providerCode
      const retry: boolean = e.retryable
      const after: number | null = e.retryAfter
      const json: VoucherErrorJson = e.toJSON()
      const name: 'VoucherError' = e.name
      void kind, code, field, fe, status, provider, pc, retry, after, json, name
      if (e.kind === 'outcome_unknown') {
        await sg.check({ voucherNo: '1000000005', siteId: 12 })
      }
    }
  }
  const made = new VoucherError({ kind: 'network', message: 'm', retryable: true })
  // @ts-expect-error not a kind
  new VoucherError({ kind: 'nope', message: 'm' })
  const kinds: readonly ErrorKind[] = ERROR_KINDS
  const version: string = coreVersion
  void made, kinds, version

  const rule: FaultRule = { path: '/smartgift/redeem', process: true, times: 1, answer: { fault: { kind: 'stall' } } }
  sb.injectFault(rule, [{ path: '/spaaza/auth/redeem-voucher', answer: { status: 502, body_text: '<html>', content_type: 'text/html' } }])
  sb.clearFaults()
  sb.advanceClock(301)
  const now: Date = sb.now()
  const reqs: RecordedRequest[] = sb.requests()
  const auth: string | undefined = reqs[0]?.header('smart-auth')
  const firstNo: string | undefined = sb.data.smartgift.vouchers[0]?.voucher_no
  const state = sb.state()
  const url: string = sb.url
  sb.reset()
  await sb.stop()
  void now, auth, firstNo, state, url, sb.port

  const server = await ScriptedServer.start({ baseDir: '.' })
  server.push({ status: 200, body: { ok: true } }, [{ status: 429, headers: { 'Retry-After': '1' } }])
  server.push({ fault: { kind: 'delay', ms: 10 } }, { fault: { kind: 'oversize', bytes: 2000000 } })
  server.push({ status: 429, headers: { 'Retry-After': '1' }, fault: { kind: 'duplicate' } })
  const pending: number = server.pending()
  const seen: RecordedRequest[] = server.requests()
  const form: [string, string][] = seen[0]?.form() ?? []
  const q: [string, string][] = seen[0]?.query() ?? []
  const body: unknown = seen[0]?.json()
  server.reset()
  await server.stop()
  void pending, form, q, body, server.url
}

async function journaled(sb: Sandbox): Promise<void> {
  const journal = new Journal('/var/lib/till/vouchers.journal')
  const where: string = journal.path
  const sg = new SmartGift({ apiKey: sb.smartgiftKey, baseUrl: sb.smartgiftUrl, journal })
  const sp = new Spaaza({ sessionUserId: 1, sessionKey: 's', journal: new Journal(':memory:') })
  const r: Redemption = await sg.redeem({ voucherNo: '1000000001', siteId: 12, value: '10.00', reference: 'sale-42' })
  const id: string | null = r.journalId
  const rev: Reversed = sg.reverseSync({ voucherNo: '1000000001', siteId: 12, redemptions: r.redemptions, reference: 'sale-42' })
  const revId: string | null = rev.journalId
  const sv: SpaazaVoucher = await sp.redeemVoucher({ chainId: 2, voucherId: 438595, reference: 'basket-7' })
  const svId: string | null = sv.journalId
  try {
    sg.redeemSync({ voucherNo: '1000000001', siteId: 12, experiences: [1], reference: 'sale-43' })
  } catch (e) {
    if (e instanceof VoucherError && e.kind === 'outcome_unknown') {
      const entryId: string | null = e.journalId
      const wire: string | null = e.toJSON().journal_id
      void entryId, wire
    }
  }
  const settled: JournalEntry[] = await sg.reconcile()
  const settledSync: JournalEntry[] = sp.reconcileSync()
  await sp.reconcile()
  for (const e of [...settled, ...settledSync]) {
    const state: JournalEntryState = e.state
    const op: 'redeem' | 'reverse' | 'redeem_voucher' = e.operation
    const created: Date = e.createdAt
    const resolved: Date | null = e.resolvedAt
    const attempts: number = e.reconcileAttempts
    const ref: string | null = e.reference
    const provider: 'smartgift' | 'spaaza' = e.provider
    const voucherNo: Json | undefined = e.request['voucher_no']
    const before: Json | undefined = e.before?.['remaining_value']
    const result: Json | undefined = e.result?.['redemptions']
    const failed: ErrorKind | undefined = e.error?.kind
    const status: number | null | undefined = e.error?.http_status
    const certain: boolean = e.certain
    const note: string | null = e.note
    void state, op, created, resolved, attempts, ref, provider, voucherNo, before, result, failed, status, certain, note
    // @ts-expect-error entries are frozen records
    e.state = 'applied'
  }
  const filter: JournalEntryFilter = { state: 'unknown', reference: 'sale-42', provider: 'smartgift', since: new Date(), limit: 10 }
  const open: JournalEntry[] = journal.entries(filter)
  const all: JournalEntry[] = journal.entries()
  const one: JournalEntry | null = journal.entry(id ?? '')
  const cfg: { path: string } = journal.toJSON()
  void where, revId, svId, open, all, one, cfg
  const kind: ErrorKind = 'journal'
  void kind

  // @ts-expect-error not a state
  journal.entries({ state: 'done' })
  // @ts-expect-error since is a Date
  journal.entries({ since: '2026-01-01' })
  // @ts-expect-error the journal option takes a Journal, not its path
  new SmartGift({ apiKey: 'k', journal: '/var/lib/till/vouchers.journal' })
  // @ts-expect-error reference is a string
  sg.redeem({ voucherNo: '1', siteId: 12, value: '1', reference: 42 })
  // @ts-expect-error a path is required
  new Journal()
}

void till, journaled
