'use strict'
// voucherkit for Node: Smart Gift and Spaaza voucher redemption through the voucherkit
// Rust core. The native addon does the work (off the main thread for Promise methods);
// this file turns its answers into plain result objects and VoucherErrors.

const util = require('node:util')
const native = require('./native.js')
const { ERROR_KINDS, VoucherError, decode, defaultWarning, rethrow } = require('./wire.js')

/**
 * A hold's `receivedAt` and `expiresAt` come from the core as RFC 3339 UTC text with
 * milliseconds (`2026-01-31T09:30:00.123Z`, what the CLI's `--json` prints); a Node till
 * gets `Date`s.
 */
function decodeHold(hold) {
  hold.receivedAt = new Date(hold.receivedAt)
  hold.expiresAt = new Date(hold.expiresAt)
  return hold
}

/** Freezes a decoded JSON value and everything in it. */
function deepFreeze(value) {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const key of Object.keys(value)) deepFreeze(value[key])
    Object.freeze(value)
  }
  return value
}

/**
 * A journal entry from the core's JSON (RFC 3339 UTC times with milliseconds): times as
 * `Date`s, the whole entry frozen — it is a record of what happened, not a handle.
 */
function decodeEntry(entry) {
  if (entry === null) return null
  entry.createdAt = new Date(entry.createdAt)
  entry.resolvedAt = entry.resolvedAt === null ? null : new Date(entry.resolvedAt)
  for (const key of ['request', 'before', 'result', 'error']) deepFreeze(entry[key])
  return Object.freeze(entry)
}

function decodeEntries(entries) {
  return entries.map(decodeEntry)
}

/** A callback option (`onRequest` → wire `on_request`), or undefined when not given. */
function callbackOption(options, name, wire, provider) {
  if (options === null || typeof options !== 'object') return undefined
  const fn = options[name]
  if (fn === undefined || fn === null) return undefined
  if (typeof fn !== 'function') {
    throw new VoucherError({
      kind: 'invalid_request',
      message: `${wire} must be a function, got ${typeof fn}`,
      field: wire,
      provider,
    })
  }
  return fn
}

/** The `onRequest` option as the addon's callback; a throwing logger never breaks a call. */
function requestCallback(options, provider) {
  const onRequest = callbackOption(options, 'onRequest', 'on_request', provider)
  if (onRequest === undefined) return undefined
  return (entry) => {
    try {
      onRequest(entry)
    } catch (err) {
      process.emitWarning(`voucherkit: the onRequest callback threw: ${err && err.message}`, 'VoucherkitWarning')
    }
  }
}

/** The `onWarning` option, or the default; a throwing callback never fails the call. */
function warningCallback(options, provider) {
  const onWarning = callbackOption(options, 'onWarning', 'on_warning', provider)
  if (onWarning === undefined) return defaultWarning
  return (warning) => {
    try {
      onWarning(warning)
    } catch (err) {
      process.emitWarning(
        `voucherkit: the onWarning callback threw (${err && err.message}); the warning was: ${warning.message}`,
        { type: 'VoucherkitWarning', code: 'VOUCHERKIT_WARNING' },
      )
    }
  }
}

/** The native journal inside a `Journal`, or undefined for anything else. */
let nativeJournal

/**
 * The redemption journal: a SQLite file on the till recording every redeem and reverse
 * of the clients given it, written before the request leaves, so that a lost answer or a
 * crash never leaves money in doubt. `":memory:"` is an in-memory journal (tests, demos).
 */
class Journal {
  #native

  static {
    nativeJournal = (j) => (j !== null && typeof j === 'object' && #native in j ? j.#native : undefined)
  }

  /** Opens the journal file at `path`, creating it when missing. */
  constructor(path) {
    try {
      this.#native = new native.Journal(path)
    } catch (err) {
      throw rethrow(err)
    }
  }

  /** Where the journal lives (`":memory:"` for an in-memory one). */
  get path() {
    return this.#native.path
  }

  /** The entries matching every filter given, newest first. */
  entries(filter) {
    return decodeEntries(decode(this.#native.entries(filter)))
  }

  /** One entry by id, or null. */
  entry(id) {
    return decodeEntry(decode(this.#native.entry(id)))
  }

  toJSON() {
    return { path: this.path }
  }

  [util.inspect.custom](depth, opts, inspect) {
    return `Journal ${(inspect ?? util.inspect)(this.toJSON(), opts)}`
  }
}

/** The `journal` option as the addon's journal, or undefined when not given. */
function journalOption(options, provider) {
  if (options === null || typeof options !== 'object') return undefined
  const j = options.journal
  if (j === undefined || j === null) return undefined
  const found = nativeJournal(j)
  if (found === undefined) {
    const what = typeof j === 'object' ? 'an object that is not a Journal' : typeof j
    throw new VoucherError({
      kind: 'invalid_request',
      message: `journal must be a Journal (new Journal(path)), got ${what}`,
      field: 'journal',
      provider,
    })
  }
  return found
}

/** The native client and the decoder of its answers. */
function construct(NativeClass, options, provider) {
  try {
    const onWarning = warningCallback(options, provider)
    const journal = journalOption(options, provider)
    const client = new NativeClass(options, requestCallback(options, provider), journal)
    return [client, (text) => decode(text, onWarning)]
  } catch (err) {
    throw rethrow(err)
  }
}

/** Smart Gift: check, hold, redeem, release, reverse. */
class SmartGift {
  #native
  #decode

  constructor(options) {
    const [client, decodeAnswer] = construct(native.SmartGift, options, 'smartgift')
    this.#native = client
    this.#decode = decodeAnswer
  }

  /** The User-Agent sent with every request. */
  get userAgent() {
    return this.#native.userAgent
  }

  /**
   * Closes the client: calls in flight finish, pooled connections are let go, and every
   * later call fails with `invalid_request` naming `client`. Calling it again does nothing.
   */
  close() {
    this.#native.close()
  }

  check(options) {
    return this.#native.check(options).then(this.#decode)
  }

  checkSync(options) {
    return this.#decode(this.#native.checkSync(options))
  }

  hold(options) {
    return this.#native.hold(options).then(this.#decode).then(decodeHold)
  }

  holdSync(options) {
    return decodeHold(this.#decode(this.#native.holdSync(options)))
  }

  redeem(options) {
    return this.#native.redeem(options).then(this.#decode)
  }

  redeemSync(options) {
    return this.#decode(this.#native.redeemSync(options))
  }

  release(options) {
    return this.#native.release(options).then(this.#decode)
  }

  releaseSync(options) {
    return this.#decode(this.#native.releaseSync(options))
  }

  reverse(options) {
    return this.#native.reverse(options).then(this.#decode)
  }

  reverseSync(options) {
    return this.#decode(this.#native.reverseSync(options))
  }

  /**
   * Settles the journal's `unknown` entries (and `pending` ones whose process died) by
   * reading each voucher again; resolves with the entries it examined, as they are now.
   */
  reconcile() {
    return this.#native.reconcile().then(this.#decode).then(decodeEntries)
  }

  reconcileSync() {
    return decodeEntries(this.#decode(this.#native.reconcileSync()))
  }

  /** The configuration with the key redacted. */
  toJSON() {
    return JSON.parse(this.#native.summary)
  }

  [util.inspect.custom](depth, opts, inspect) {
    return `SmartGift ${(inspect ?? util.inspect)(this.toJSON(), opts)}`
  }
}

/** Spaaza: redeem, unlock, unclaim, lock, claim and read vouchers. */
class Spaaza {
  #native
  #decode

  constructor(options) {
    const [client, decodeAnswer] = construct(native.Spaaza, options, 'spaaza')
    this.#native = client
    this.#decode = decodeAnswer
  }

  /** The User-Agent sent with every request. */
  get userAgent() {
    return this.#native.userAgent
  }

  /**
   * Closes the client: calls in flight finish, pooled connections are let go, and every
   * later call fails with `invalid_request` naming `client`. Calling it again does nothing.
   */
  close() {
    this.#native.close()
  }

  redeemVoucher(options) {
    return this.#native.redeemVoucher(options).then(this.#decode)
  }

  redeemVoucherSync(options) {
    return this.#decode(this.#native.redeemVoucherSync(options))
  }

  unlockVoucher(options) {
    return this.#native.unlockVoucher(options).then(this.#decode)
  }

  unlockVoucherSync(options) {
    return this.#decode(this.#native.unlockVoucherSync(options))
  }

  unclaimVoucher(options) {
    return this.#native.unclaimVoucher(options).then(this.#decode)
  }

  unclaimVoucherSync(options) {
    return this.#decode(this.#native.unclaimVoucherSync(options))
  }

  lockVoucher(options) {
    return this.#native.lockVoucher(options).then(this.#decode)
  }

  lockVoucherSync(options) {
    return this.#decode(this.#native.lockVoucherSync(options))
  }

  claimVoucher(options) {
    return this.#native.claimVoucher(options).then(this.#decode)
  }

  claimVoucherSync(options) {
    return this.#decode(this.#native.claimVoucherSync(options))
  }

  getVouchers(options) {
    return this.#native.getVouchers(options).then(this.#decode)
  }

  getVouchersSync(options) {
    return this.#decode(this.#native.getVouchersSync(options))
  }

  /**
   * Every voucher `options` selects (the `getVouchers` options), page after page, as an
   * async iterator: `for await (const v of sp.vouchers({ chainId: 2 }, { max: 500 }))`.
   * Pages hold `numberResults` vouchers (50 when not given) from `resultsOffset` (0); a
   * page is read only when the vouchers before it are used up, and reading stops at a
   * short page, at `resultsCountTotal` or after `max` vouchers. A failed page (or a bad
   * option, or a closed client) is thrown by the loop; `break` stops the reading.
   */
  vouchers(options, paging) {
    const pages = this.#native.vouchers(options, paging)
    const decodeAnswer = this.#decode
    return (async function* vouchers() {
      try {
        for (;;) {
          const voucher = decodeAnswer(await pages.next())
          if (voucher === null) return
          yield voucher
        }
      } finally {
        pages.close()
      }
    })()
  }

  /** Settles the journal's open entries; resolves with the entries it examined. */
  reconcile() {
    return this.#native.reconcile().then(this.#decode).then(decodeEntries)
  }

  reconcileSync() {
    return decodeEntries(this.#decode(this.#native.reconcileSync()))
  }

  /** The configuration with the session key and bearer token redacted. */
  toJSON() {
    return JSON.parse(this.#native.summary)
  }

  [util.inspect.custom](depth, opts, inspect) {
    return `Spaaza ${(inspect ?? util.inspect)(this.toJSON(), opts)}`
  }
}

/** The version of the voucherkit Rust core inside the addon. */
const coreVersion = native.coreVersion()

module.exports = {
  SmartGift,
  Spaaza,
  Journal,
  VoucherError,
  ERROR_KINDS,
  coreVersion,
}
