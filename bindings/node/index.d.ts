// Type declarations of the `voucherkit` package (hand-written; checked by
// `tsc --strict --noEmit` on tests/types.ts).

/** A decimal amount: a string like `"10.00"`, or a number (read as its shortest decimal text). */
export type MoneyInput = string | number

/** A decimal amount as the provider wrote it (`"2"`, `"10.5"`, `"25.50"`). */
export type Money = string

/** Any JSON value the provider sent. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

/** A JSON object the provider sent (`raw`). */
export type JsonObject = { [key: string]: Json }

/** Every error kind, identical in every voucherkit language (docs/errors.md, "The 18 kinds"). */
export type ErrorKind =
  | 'invalid_request'
  | 'authentication'
  | 'permission_denied'
  | 'voucher_not_found'
  | 'voucher_not_owned'
  | 'voucher_expired'
  | 'voucher_already_redeemed'
  | 'voucher_not_held'
  | 'voucher_locked'
  | 'invalid_site'
  | 'invalid_amount'
  | 'rate_limited'
  | 'provider_error'
  | 'network'
  | 'outcome_unknown'
  | 'invalid_response'
  | 'internal'
  /** The journal could not record a journaled call; nothing was sent. */
  | 'journal'

export type ProviderName = 'smartgift' | 'spaaza'

/** Every kind, in the core's code order. */
export declare const ERROR_KINDS: readonly ErrorKind[]

/** The version of the voucherkit Rust core inside the addon. */
export declare const coreVersion: string

/** What a VoucherError is made of (all but `kind` and `message` optional). */
export interface VoucherErrorParts {
  kind: ErrorKind
  message: string
  field?: string | null
  fieldErrors?: Record<string, string[]>
  httpStatus?: number | null
  provider?: ProviderName | null
  providerCode?: string | null
  retryable?: boolean
  retryAfter?: number | null
  journalId?: string | null
}

/** The JSON form every voucherkit language prints (wire names). */
export interface VoucherErrorJson {
  kind: ErrorKind
  message: string
  field: string | null
  field_errors: Record<string, string[]>
  http_status: number | null
  provider: ProviderName | null
  provider_code: string | null
  retryable: boolean
  retry_after: number | null
  journal_id: string | null
}

/**
 * Every voucherkit failure. Decide on `kind`: `outcome_unknown` means the provider may
 * have acted — check the voucher before trying again; `network` and `rate_limited` are
 * safe to retry (`retryable`).
 */
export declare class VoucherError extends Error {
  constructor(parts: VoucherErrorParts)
  readonly name: 'VoucherError'
  kind: ErrorKind
  /** The same string as `kind`, as Node errors carry a `code`. */
  code: ErrorKind
  message: string
  /** The first offending field by its wire name (`voucher_no`, `amount`), or null. */
  field: string | null
  /** Field → messages, exactly as the provider sent them. */
  fieldErrors: Record<string, string[]>
  /** The HTTP status, when an answer came. */
  httpStatus: number | null
  provider: ProviderName | null
  /** Spaaza's error name (or numeric code as text). */
  providerCode: string | null
  /** True only where calling again is safe. */
  retryable: boolean
  /** Seconds the provider asked to wait. */
  retryAfter: number | null
  /**
   * The journal entry of a journaled call that failed after its entry was written (above
   * all `outcome_unknown`: `reconcile()` settles it); null otherwise.
   */
  journalId: string | null
  toJSON(): VoucherErrorJson
}

/** One HTTP attempt, as the `onRequest` callback sees it (never a body or a secret). */
export interface RequestLog {
  provider: ProviderName
  method: 'GET' | 'POST' | 'PUT'
  /** The path without its query string. */
  path: string
  /** The answer's status; null when no answer came. */
  status: number | null
  durationMs: number
  /** 1 for the first attempt of a call, 2 for its first retry, … */
  attempt: number
  /** What went wrong at the transport level, if anything. */
  failure: string | null
  /**
   * The answer's `X-RateLimit-Remaining` / `X-RateLimit-Limit`, when it names them (Smart
   * Gift allows 60 requests a minute): a till can slow down before a 429. Null otherwise.
   */
  rateLimitRemaining: number | null
  rateLimitLimit: number | null
}

/**
 * Something a till should know about a call that succeeded. Today the one warning:
 * Spaaza answered a redeem "ok" but the voucher is not `redeemed` (it names the voucher
 * id; read it with `getVouchers` before handing goods over).
 */
export interface VoucherkitWarning {
  provider: ProviderName
  /** The operation's wire name, e.g. `"redeem-voucher"`. */
  operation: string
  message: string
}

/** The till software a client works for (the `appInfo` option). */
export interface AppInfo {
  name: string
  version?: string
  url?: string
}

/** Transport options both clients take. */
export interface ClientOptions {
  /** The provider's URL; defaults to production. Plain http:// only for loopback unless `allowInsecureHttp`. */
  baseUrl?: string
  /**
   * Time allowed to connect, 1 ms to 1 hour. Default 5000. The constructor throws a
   * VoucherError (`invalid_request`, field `connect_timeout`, as in every language)
   * otherwise: NaN, ±Infinity, negatives, under 1 ms, over an hour. Likewise `timeoutMs`
   * (`timeout`) and `maxIdleAgeMs` (`max_idle_age`). Every option's refusal names the
   * core's option (`max_retries`, `ca_bundle`, `app_info`, …).
   */
  connectTimeoutMs?: number
  /** One deadline for the whole call, retries included; 1 ms to 1 hour. Default 30000. */
  timeoutMs?: number
  /** Extra attempts when the request provably was not sent, or on 429/503 + Retry-After. Default 2. */
  maxRetries?: number
  /** A PEM file of extra CA certificates to trust. */
  caBundle?: string
  /** A proxy URL; by default HTTPS_PROXY/ALL_PROXY/NO_PROXY apply. */
  proxy?: string
  /** Allow plain http:// to hosts other than loopback. */
  allowInsecureHttp?: boolean
  /** Pooled connections idle longer than this are not reused; 0 to 1 hour (0: never reuse). Default 30000. */
  maxIdleAgeMs?: number
  /** Idle connections kept for reuse, an integer from 0 to 1024. Default 32. */
  maxIdleConnections?: number
  /**
   * The till software this client works for, appended to the User-Agent as
   * `name/version (url)`. `name` and `version` are one word each (no spaces, `/` or
   * control characters), the whole at most 200 bytes; otherwise the constructor throws
   * `invalid_request` naming `app_info`.
   */
  appInfo?: AppInfo
  /**
   * Called after every HTTP attempt, on the main thread once the event loop runs (for a
   * `…Sync` call: after it returns). It may call voucherkit itself; what it does never
   * changes the outcome of the call it logs. A throwing callback becomes a process warning.
   */
  onRequest?: (log: RequestLog) => void
  /**
   * Called with each warning of a call, on the main thread, before that call's Promise
   * settles or its `…Sync` twin returns. Without it, each warning is a process warning:
   * `process.emitWarning(message, { type: 'VoucherkitWarning', code: 'VOUCHERKIT_WARNING' })`,
   * which Node prints to stderr and hands to `process.on('warning')` listeners. A throwing
   * callback never fails the call: its error becomes such a process warning.
   */
  onWarning?: (warning: VoucherkitWarning) => void
  /**
   * Journal the calls that move money (Smart Gift `redeem` and `reverse`, Spaaza
   * `redeemVoucher`): the voucher is read first, an entry is on disk before the request
   * leaves, and `reconcile()` settles answers that were lost. Not a Journal: the
   * constructor throws `invalid_request` naming `journal`.
   */
  journal?: Journal
}

// ------------------------------------------------------------------------------- Journal

/** Where a journaled call stands. */
export type JournalEntryState = 'pending' | 'applied' | 'not_applied' | 'unknown'

/** The failure a journaled call ended with, as the journal stored it (wire names). */
export interface JournalEntryError {
  readonly kind: ErrorKind
  readonly message: string
  readonly field: string | null
  readonly http_status: number | null
}

/**
 * One journaled call: a plain frozen object. `request`, `before` and `result` are the
 * JSON objects the journal stored (wire names: `voucher_no`, `remaining_value`), the same
 * in every voucherkit language.
 */
export interface JournalEntry {
  /** A UUID v7 (time-ordered); `journalId` on results and errors. */
  readonly id: string
  /** The till's own sale or basket id, when the call was given one. */
  readonly reference: string | null
  readonly provider: ProviderName
  readonly operation: 'redeem' | 'reverse' | 'redeem_voucher'
  /** What was asked: identifiers, the amount as a decimal string, the hold token; never a secret. */
  readonly request: JsonObject
  /** The voucher as read just before the write (Smart Gift: `remaining_value`; Spaaza: status and amounts). */
  readonly before: JsonObject | null
  readonly state: JournalEntryState
  /** The success result, when known. */
  readonly result: JsonObject | null
  readonly error: JournalEntryError | null
  /** Whether `applied` / `not_applied` is proven (e.g. a redeem under a standing hold) rather than inferred. */
  readonly certain: boolean
  /** Why an entry is still `unknown`, or how reconcile decided. */
  readonly note: string | null
  readonly createdAt: Date
  readonly resolvedAt: Date | null
  readonly reconcileAttempts: number
}

/** Which entries `Journal.entries` returns; every field given narrows. */
export interface JournalEntryFilter {
  state?: JournalEntryState
  reference?: string
  provider?: ProviderName
  /** Created at or after this time. */
  since?: Date
  /** At most this many (newest first); an integer ≥ 0. */
  limit?: number
}

/**
 * The redemption journal: a SQLite file on the till, shared by clients (and processes),
 * that records every redeem and reverse before its request leaves. It never holds a key.
 */
export declare class Journal {
  /**
   * Opens the journal at `path`, creating it (mode 0600) when missing; `":memory:"` is an
   * in-memory journal. A directory, a missing parent directory, a file that is not a
   * voucherkit journal or a read-only one: a VoucherError (`invalid_request`, field `journal`).
   */
  constructor(path: string)
  /** Where the journal lives (`":memory:"` for an in-memory one). */
  readonly path: string
  /** The entries matching every filter given, newest first. A bad filter value: `invalid_request` naming it. */
  entries(filter?: JournalEntryFilter): JournalEntry[]
  /** One entry by id, or null. */
  entry(id: string): JournalEntry | null
  toJSON(): { path: string }
}

// ---------------------------------------------------------------------------- Smart Gift

export interface SmartGiftOptions extends ClientOptions {
  /** The secret key sent as `Smart-Auth` (never printed). */
  apiKey: string
}

export interface MetaCondition {
  key: string
  /** Only `"in"` is documented. */
  operator: string
  value: string[]
}

export interface CheckOptions {
  voucherNo: string
  /** Sent as a JSON string whatever the type. */
  siteId: number | string
  classifications?: string[]
  metaConditions?: MetaCondition[]
}

export interface HoldOptions {
  voucherNo: string
}

interface RedeemBase {
  voucherNo: string
  siteId: number | string
  /** The token from `hold`, sent only when given. */
  holdToken?: string
  /** The till's own sale or basket id: kept on the journal entry, never sent. */
  reference?: string
}

/** Money off a monetary voucher. */
export interface RedeemMoneyOptions extends RedeemBase {
  value: MoneyInput
  experiences?: undefined
}

/** Experiences used, by their `bitValue`s from `check`. */
export interface RedeemExperiencesOptions extends RedeemBase {
  experiences: number[]
  value?: undefined
}

export type RedeemOptions = RedeemMoneyOptions | RedeemExperiencesOptions

export interface ReleaseOptions {
  voucherNo: string
  holdToken: string
}

export interface ReverseOptions {
  voucherNo: string
  siteId: number | string
  /** Redemption ids from `redeem`. */
  redemptions: number[]
  /** The till's own sale or basket id: kept on the journal entry, never sent. */
  reference?: string
}

export interface Experience {
  /** Pass it to `redeem({experiences})`. */
  bitValue: number | null
  id: number | null
  name: string | null
  raw: Json
}

/** The answer to `check`. */
export interface SmartGiftVoucher {
  id: number | null
  name: string | null
  description: string | null
  voucherNo: string | null
  /** Monetary: money left. Experience: the sum of the unused experiences' bit values. */
  remainingValue: Money | null
  /** The wire `type`: `monetary` or `experience`. */
  voucherType: string | null
  soldOut: boolean | null
  experiences: Experience[]
  availableToRedeem: Json | null
  /** The answer's `data` object. */
  raw: JsonObject
}

/** The answer to `hold`. */
export interface Hold {
  message: string
  /** Pass it to `release` (and optionally `redeem`). */
  holdToken: string
  /** When the answer arrived (millisecond precision). */
  receivedAt: Date
  /**
   * When the hold lapses: five minutes after `receivedAt`, the provider's documented hold
   * time. Redeem before then, or hold again.
   */
  expiresAt: Date
  raw: JsonObject
}

/** The answer to `redeem`. */
export interface Redemption {
  message: string
  /** Keep these: `reverse` needs them. */
  redemptions: number[]
  /** The answer's `data` object. */
  raw: JsonObject
  /** The journal entry, when the client has a journal; otherwise null. */
  journalId: string | null
}

/** The answer to `release`. */
export interface Released {
  message: string
  raw: JsonObject
}

/** The answer to `reverse`. */
export interface Reversed {
  message: string
  raw: JsonObject
  /** The journal entry, when the client has a journal; otherwise null. */
  journalId: string | null
}

/** Smart Gift. Promise methods run off the main thread; `…Sync` twins block. */
export declare class SmartGift {
  /** Checks the options (nothing is sent); throws a VoucherError (`invalid_request`) when wrong. */
  constructor(options: SmartGiftOptions)
  /** The User-Agent sent with every request. */
  readonly userAgent: string
  /**
   * Closes the client: calls in flight finish, its pooled connections are let go, and
   * every later call fails with `invalid_request` naming `client`. Calling it again does
   * nothing.
   */
  close(): void
  /** What a voucher is worth at a site. A read: safe to retry. */
  check(options: CheckOptions): Promise<SmartGiftVoucher>
  checkSync(options: CheckOptions): SmartGiftVoucher
  /** Reserves the whole voucher for about five minutes. */
  hold(options: HoldOptions): Promise<Hold>
  holdSync(options: HoldOptions): Hold
  /** Redeems money or experiences. On `outcome_unknown`, `check` before redeeming again. */
  redeem(options: RedeemOptions): Promise<Redemption>
  redeemSync(options: RedeemOptions): Redemption
  /** Gives up a hold. */
  release(options: ReleaseOptions): Promise<Released>
  releaseSync(options: ReleaseOptions): Released
  /** Undoes redemptions. */
  reverse(options: ReverseOptions): Promise<Reversed>
  reverseSync(options: ReverseOptions): Reversed
  /**
   * Settles the journal's `unknown` entries (and `pending` ones whose process died) by
   * reading each voucher again; resolves with exactly the entries it examined, in their
   * state afterwards. Without a journal: `invalid_request` naming `journal`.
   */
  reconcile(): Promise<JournalEntry[]>
  reconcileSync(): JournalEntry[]
  /** The configuration with the key redacted. */
  toJSON(): { baseUrl: string; apiKey: string }
}

// -------------------------------------------------------------------------------- Spaaza

export type SpaazaAuth = 'admin' | 'user' | 'privileged'

export interface SpaazaOptions extends ClientOptions {
  /** Default `"admin"` (the till case). */
  auth?: SpaazaAuth
  /** Admin and user auth. */
  sessionUserId?: number
  /** Admin and user auth (never printed). */
  sessionKey?: string
  /** User and privileged auth. Never sent with admin auth. */
  appHostname?: string
  /** Privileged auth (never printed). */
  bearerToken?: string
  /** `X-Spaaza-API-Version`, default `"1.6.3"`. */
  apiVersion?: string
}

/**
 * Exactly one of `voucherKey` and `voucherId`. A client with a journal needs `voucherId`
 * (a voucher cannot be read back by its key).
 */
export interface RedeemVoucherOptions {
  chainId: number
  voucherKey?: string
  voucherId?: number
  userId?: number
  /** Without it the whole remaining value is redeemed. */
  amount?: MoneyInput
  /** The till's own sale or basket id: kept on the journal entry, never sent. */
  reference?: string
}

/** Either or both (only the key is sent when both are given). */
export interface UnlockVoucherOptions {
  voucherKey?: string
  voucherId?: number
}

/**
 * Exactly one of `voucherKey` / `voucherId` / `thirdPartyId`; under admin or privileged
 * auth exactly one end-user identifier; admin auth also needs `chainId`.
 */
export interface ClaimOptions {
  chainId?: number
  voucherKey?: string
  voucherId?: number
  thirdPartyId?: number
  userId?: number
  memberNumber?: string
  /** An email address. */
  username?: string
  authenticationPointIdentifier?: string
  auxiliaryIdentifier?: string
}

export interface LockVoucherOptions {
  voucherKey?: string
  voucherId?: number
  retailerBasketCode: string
  /** Seconds; default 300. */
  voucherLockPeriod?: number
  voucherLockingCode?: string
}

export interface GetVouchersOptions {
  chainId: number
  voucherId?: number
  userId?: number
  username?: string
  memberNumber?: string
  authenticationPointIdentifier?: string
  campaignId?: number
  showAllStatuses?: boolean
  showRedeemed?: boolean
  showExpired?: boolean
  excludeRegenerated?: boolean
  numberResults?: number
  resultsOffset?: number
  minCreatedDatetime?: string
  maxCreatedDatetime?: string
  minExpiryDatetime?: string
  maxExpiryDatetime?: string
  minRedeemedDatetime?: string
  maxRedeemedDatetime?: string
}

/** A warning riding on an ok answer. */
export interface SpaazaWarning {
  code: number | null
  name: string | null
  description: string | null
  message: string | null
}

/** An end-user's card as a Spaaza voucher names it (wire `{"type", "code"}`). */
export interface SpaazaEntityCard {
  /** `regular`, `custom`, … (the wire `type`). */
  cardType: string | null
  code: string | null
}

/** A Spaaza voucher, as every voucher operation returns it. */
export interface SpaazaVoucher {
  voucherKey: string | null
  voucherId: number | null
  /** `generated`, `claimed` or `redeemed`. */
  voucherStatus: string | null
  voucherType: string | null
  voucherLocked: boolean | null
  voucherLockedUntil: string | null
  voucherLockingCode: string | null
  voucherRetailerBasketCodeExclusive: string | null
  voucherAmountOriginal: Money | null
  voucherAmountRedeemed: Money | null
  voucherAmount: Money | null
  voucherCurrencyId: number | null
  voucherCurrencySymbol: string | null
  voucherExpiryDatetimeUtc: string | null
  voucherRedeemedDatetime: string | null
  /** Seconds until the voucher expires, as Spaaza counted them when it answered. */
  voucherExpirySecondsRemaining: number | null
  userId: number | null
  /** The card of the end-user the voucher is claimed by, when Spaaza names one. */
  userEntityCard: SpaazaEntityCard | null
  voucherThirdPartyId: number | null
  campaignId: number | null
  campaignTitle: string | null
  /** e.g. `loyalty`. */
  campaignType: string | null
  /** After a partial redeem: the new voucher holding the remainder. */
  regeneratedVoucher: SpaazaVoucher | null
  /** On a regenerated voucher: the voucher it was regenerated from. */
  parentVoucher: SpaazaVoucher | null
  warnings: SpaazaWarning[]
  /** The voucher object as sent. */
  raw: JsonObject
  /** The journal entry of a journaled `redeemVoucher`; otherwise null. */
  journalId: string | null
}

/** How many vouchers `Spaaza.vouchers` yields at most. */
export interface VoucherPaging {
  /** An integer ≥ 0; no limit when not given. */
  max?: number
}

/** The answer to `getVouchers`. */
export interface VoucherList {
  resultsCountTotal: number | null
  vouchers: SpaazaVoucher[]
  warnings: SpaazaWarning[]
  /** The `results` object as sent. */
  raw: JsonObject
}

/** Spaaza. Promise methods run off the main thread; `…Sync` twins block. */
export declare class Spaaza {
  /** Checks the options (nothing is sent); throws a VoucherError (`invalid_request`) when wrong. */
  constructor(options: SpaazaOptions)
  /** The User-Agent sent with every request. */
  readonly userAgent: string
  /**
   * Closes the client: calls in flight finish, its pooled connections are let go, and
   * every later call fails with `invalid_request` naming `client`. Calling it again does
   * nothing.
   */
  close(): void
  /** Redeems a voucher, wholly or `amount` of it. On `outcome_unknown`, `getVouchers` first. */
  redeemVoucher(options: RedeemVoucherOptions): Promise<SpaazaVoucher>
  redeemVoucherSync(options: RedeemVoucherOptions): SpaazaVoucher
  unlockVoucher(options: UnlockVoucherOptions): Promise<SpaazaVoucher>
  unlockVoucherSync(options: UnlockVoucherOptions): SpaazaVoucher
  unclaimVoucher(options: ClaimOptions): Promise<SpaazaVoucher>
  unclaimVoucherSync(options: ClaimOptions): SpaazaVoucher
  lockVoucher(options: LockVoucherOptions): Promise<SpaazaVoucher>
  lockVoucherSync(options: LockVoucherOptions): SpaazaVoucher
  claimVoucher(options: ClaimOptions): Promise<SpaazaVoucher>
  claimVoucherSync(options: ClaimOptions): SpaazaVoucher
  /** Reads vouchers of a chain. A read: safe to retry. */
  getVouchers(options: GetVouchersOptions): Promise<VoucherList>
  getVouchersSync(options: GetVouchersOptions): VoucherList
  /**
   * Every voucher the options select, page after page, as an async iterator:
   * `for await (const v of sp.vouchers({ chainId: 2 }, { max: 500 }))`. A page
   * (`numberResults`, default 50) is read only when the vouchers before it are used up;
   * reading stops at a short page, at `resultsCountTotal` or after `max` vouchers. A
   * failed page, a bad option or a closed client is thrown by the loop.
   */
  vouchers(options: GetVouchersOptions, paging?: VoucherPaging): AsyncGenerator<SpaazaVoucher, void, undefined>
  /** Settles the journal's open entries like `SmartGift.reconcile`. */
  reconcile(): Promise<JournalEntry[]>
  reconcileSync(): JournalEntry[]
  /** The configuration with the session key and bearer token redacted. */
  toJSON(): {
    baseUrl: string
    auth: SpaazaAuth
    apiVersion: string
    sessionUserId: number | null
    sessionKey: string | null
    bearerToken: string | null
    appHostname: string | null
  }
}
