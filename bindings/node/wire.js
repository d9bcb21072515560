'use strict'
// The addon's answers as values and VoucherErrors: shared by index.js and voucherkit's own
// tests (which reach it by path; it is not one of the package's exports).

/**
 * Every error kind, in the core's code order (docs/errors.md, "The 18 kinds"); the drift
 * test fails when the core gains a kind this list lacks.
 */
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
  'journal',
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
    this.journalId = p.journalId ?? null
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
      journal_id: this.journalId,
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
    journalId: w.journal_id,
  })
}

/**
 * The addon answers JSON text: `{…}`, `[…]` or `null` is a result, `E{…}` an error,
 * either one after `W[…]\n` when the core raised warnings during the call; those go to
 * `onWarning` first, so a till sees them before the call returns.
 */
function decode(text, onWarning = defaultWarning) {
  if (text.charCodeAt(0) === 87 /* W */) {
    const end = text.indexOf('\n')
    for (const warning of JSON.parse(text.slice(1, end))) onWarning(warning)
    text = text.slice(end + 1)
  }
  if (text.charCodeAt(0) !== 69 /* E */) return JSON.parse(text)
  throw fromWire(JSON.parse(text.slice(1)))
}

/** Without `onWarning`, a warning is a Node process warning (printed once by default). */
function defaultWarning(warning) {
  process.emitWarning(warning.message, {
    type: 'VoucherkitWarning',
    code: 'VOUCHERKIT_WARNING',
    detail: `${warning.provider} ${warning.operation}`,
  })
}

const THROWN_MARK = 'voucherkit:E'

/** A native constructor throws a plain Error carrying the error's JSON. */
function rethrow(err) {
  if (err && typeof err.message === 'string' && err.message.startsWith(THROWN_MARK)) {
    return fromWire(JSON.parse(err.message.slice(THROWN_MARK.length)))
  }
  return err
}

module.exports = { ERROR_KINDS, VoucherError, fromWire, decode, defaultWarning, rethrow }
