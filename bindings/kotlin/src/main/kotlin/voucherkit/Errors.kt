package voucherkit

// Every voucherkit failure is a `VoucherException` (docs/errors.md). uniffi makes it a
// sealed class whose one subclass, `VoucherException.Failure`, carries the attributes; these
// read them from the `VoucherException` itself, so a till writes
// `catch (e: VoucherException) { when (e.kind) { … } }`. No logic: each one returns the field.

private val VoucherException.failure: VoucherException.Failure
    get() = when (this) {
        is VoucherException.Failure -> this
    }

/** What went wrong; `when (e.kind)` is exhaustive. */
val VoucherException.kind: ErrorKind get() = failure.kind

/** The provider's first message, or voucherkit's own (`message` is the whole summary). */
val VoucherException.errorMessage: String get() = failure.errorMessage

/** The first offending field, by its wire name (`voucher_no`). */
val VoucherException.field: String? get() = failure.field

/** Field → messages, exactly as the provider sent them, in its order. */
val VoucherException.fieldErrors: Map<String, List<String>> get() = failure.fieldErrors

/** The HTTP status, if an answer came. */
val VoucherException.httpStatus: Int? get() = failure.httpStatus

/** `"smartgift"` or `"spaaza"`. */
val VoucherException.provider: String? get() = failure.provider

/** Spaaza's error name (or numeric code when it sends no name). */
val VoucherException.providerCode: String? get() = failure.providerCode

/** True only where trying the same call again is safe. */
val VoucherException.retryable: Boolean get() = failure.retryable

/** Seconds the provider asked to wait (rate limits). */
val VoucherException.retryAfter: Long? get() = failure.retryAfter

/**
 * The journal entry of a journaled call that failed after its entry was written (above all
 * `OUTCOME_UNKNOWN`): `reconcile()` settles it, `Journal.entry(journalId)` shows it.
 */
val VoucherException.journalId: String? get() = failure.journalId

/** The kind's name, identical in every language: `"voucher_not_found"`. */
val ErrorKind.wireName: String get() = name.lowercase()

/** The kind's stable numeric code, as the C API returns it (`vk_status`; 1-based). */
val ErrorKind.code: Int get() = ordinal + 1
