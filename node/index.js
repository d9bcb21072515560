'use strict'
// voucherkit for Node: Smart Gift and Spaaza voucher redemption through the voucherkit
// Rust core. The native addon does the work (off the main thread for Promise methods);
// this file turns its answers into plain result objects and VoucherErrors.

const util = require('node:util')
const native = require('./native.js')

/** Every error kind, in the core's code order (DESIGN.md §4). */
const ERROR_KINDS = Object.freeze([
  'invalid_request',
  'authentication',
  'permission_denied',
  'voucher_not_found',
  'voucher_not_owned',
  'voucher_expired',
  'voucher_already_redeemed',
  'voucher_not_held',
  'voucher_locked',
  'invalid_site',
  'invalid_amount',
  'rate_limited',
  'provider_error',
  'network',
  'outcome_unknown',
  'invalid_response',
  'internal',
])

/**
 * Every voucherkit failure. `kind` (also `code`, as Node errors have) says what to do
 * next: `outcome_unknown` means the provider may have acted — check the voucher before
 * trying again.
 */
class VoucherError extends Error {
  constructor(parts) {
    const p = parts ?? {}
    super(p.message ?? '')
    this.kind = p.kind
    this.code = p.kind
    this.field = p.field ?? null
    this.fieldErrors = p.fieldErrors ?? {}
    this.httpStatus = p.httpStatus ?? null
    this.provider = p.provider ?? null
    this.providerCode = p.providerCode ?? null
    this.retryable = p.retryable === true
    this.retryAfter = p.retryAfter ?? null
  }

  /** The same JSON object every voucherkit language prints (wire names, as the CLI). */
  toJSON() {
    return {
      kind: this.kind,
      message: this.message,
      field: this.field,
      field_errors: this.fieldErrors,
      http_status: this.httpStatus,
      provider: this.provider,
      provider_code: this.providerCode,
      retryable: this.retryable,
      retry_after: this.retryAfter,
    }
  }
}
Object.defineProperty(VoucherError.prototype, 'name', {
  value: 'VoucherError',
  writable: true,
  configurable: true,
})

/** The core's `Error::to_json()` as a VoucherError. */
function fromWire(w) {
  return new VoucherError({
    kind: w.kind,
    message: w.message,
    field: w.field,
    fieldErrors: w.field_errors,
    httpStatus: w.http_status,
    provider: w.provider,
    providerCode: w.provider_code,
    retryable: w.retryable,
    retryAfter: w.retry_after,
  })
}

/** The addon answers JSON text: `{…}` is a result, `E{…}` an error. */
function decode(text) {
  if (text.charCodeAt(0) === 123 /* { */) return JSON.parse(text)
  throw fromWire(JSON.parse(text.slice(1)))
}

/**
 * A hold's `receivedAt` comes from the core as RFC 3339 UTC text with milliseconds
 * (`2026-01-31T09:30:00.123Z`, what the CLI's `--json` prints); a Node till gets a `Date`.
 */
function decodeHold(text) {
  const hold = decode(text)
  hold.receivedAt = new Date(hold.receivedAt)
  return hold
}

const THROWN_MARK = 'voucherkit:E'

/** A native constructor throws a plain Error carrying the error's JSON. */
function rethrow(err) {
  if (err && typeof err.message === 'string' && err.message.startsWith(THROWN_MARK)) {
    return fromWire(JSON.parse(err.message.slice(THROWN_MARK.length)))
  }
  return err
}

/** The `onRequest` option as the addon's callback; a throwing logger never breaks a call. */
function requestCallback(options, provider) {
  if (options === null || typeof options !== 'object') return undefined
  const onRequest = options.onRequest
  if (onRequest === undefined || onRequest === null) return undefined
  if (typeof onRequest !== 'function') {
    throw new VoucherError({
      kind: 'invalid_request',
      message: `on_request must be a function, got ${typeof onRequest}`,
      field: 'on_request',
      provider,
    })
  }
  return (entry) => {
    try {
      onRequest(entry)
    } catch (err) {
      process.emitWarning(`voucherkit: the onRequest callback threw: ${err && err.message}`, 'VoucherkitWarning')
    }
  }
}

function construct(NativeClass, options, provider) {
  try {
    return new NativeClass(options, requestCallback(options, provider))
  } catch (err) {
    throw rethrow(err)
  }
}

/** Smart Gift: check, hold, redeem, release, reverse. */
class SmartGift {
  #native

  constructor(options) {
    this.#native = construct(native.SmartGift, options, 'smartgift')
  }

  /** The User-Agent sent with every request. */
  get userAgent() {
    return this.#native.userAgent
  }

  check(options) {
    return this.#native.check(options).then(decode)
  }

  checkSync(options) {
    return decode(this.#native.checkSync(options))
  }

  hold(options) {
    return this.#native.hold(options).then(decodeHold)
  }

  holdSync(options) {
    return decodeHold(this.#native.holdSync(options))
  }

  redeem(options) {
    return this.#native.redeem(options).then(decode)
  }

  redeemSync(options) {
    return decode(this.#native.redeemSync(options))
  }

  release(options) {
    return this.#native.release(options).then(decode)
  }

  releaseSync(options) {
    return decode(this.#native.releaseSync(options))
  }

  reverse(options) {
    return this.#native.reverse(options).then(decode)
  }

  reverseSync(options) {
    return decode(this.#native.reverseSync(options))
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

  constructor(options) {
    this.#native = construct(native.Spaaza, options, 'spaaza')
  }

  /** The User-Agent sent with every request. */
  get userAgent() {
    return this.#native.userAgent
  }

  redeemVoucher(options) {
    return this.#native.redeemVoucher(options).then(decode)
  }

  redeemVoucherSync(options) {
    return decode(this.#native.redeemVoucherSync(options))
  }

  unlockVoucher(options) {
    return this.#native.unlockVoucher(options).then(decode)
  }

  unlockVoucherSync(options) {
    return decode(this.#native.unlockVoucherSync(options))
  }

  unclaimVoucher(options) {
    return this.#native.unclaimVoucher(options).then(decode)
  }

  unclaimVoucherSync(options) {
    return decode(this.#native.unclaimVoucherSync(options))
  }

  lockVoucher(options) {
    return this.#native.lockVoucher(options).then(decode)
  }

  lockVoucherSync(options) {
    return decode(this.#native.lockVoucherSync(options))
  }

  claimVoucher(options) {
    return this.#native.claimVoucher(options).then(decode)
  }

  claimVoucherSync(options) {
    return decode(this.#native.claimVoucherSync(options))
  }

  getVouchers(options) {
    return this.#native.getVouchers(options).then(decode)
  }

  getVouchersSync(options) {
    return decode(this.#native.getVouchersSync(options))
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
  VoucherError,
  ERROR_KINDS,
  coreVersion,
  // For voucherkit's own tests and the CLI; not part of the public API.
  _internal: { native, decode, rethrow },
}
