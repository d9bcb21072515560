// Named-argument forms of every operation: `smartGift.redeem(voucherNo = …, siteId = …,
// value = …)` builds the operation's request record and makes the one call into Rust.
//
// The Rust side takes one record per operation because each argument uniffi passes as a
// buffer is a JNA crossing of its own (measured: ≈ 6 µs and two native allocations that
// live until the next GC); these extensions only move arguments into the record, so both
// forms send the same request and throw the same errors. A member function wins over an
// extension only when it accepts the arguments, so `redeem(request)` and
// `redeem(voucherNo = …)` resolve without ambiguity.
@file:JvmName("Operations")

package voucherkit

import java.math.BigDecimal
import java.time.Instant

/** What a voucher is worth at a site. A read: safe to retry. */
@Throws(VoucherException::class)
fun SmartGiftInterface.check(
    voucherNo: String,
    siteId: SiteId,
    classifications: List<String> = listOf(),
    metaConditions: List<MetaCondition> = listOf(),
): SmartGiftVoucher =
    check(
        CheckRequest(
            voucherNo = voucherNo,
            siteId = siteId,
            classifications = classifications,
            metaConditions = metaConditions,
        ),
    )

/** Reserves the whole voucher for about five minutes. */
@Throws(VoucherException::class)
fun SmartGiftInterface.hold(voucherNo: String): Hold = hold(HoldRequest(voucherNo = voucherNo))

/**
 * Redeems money ([value]) or experiences (their bit values): exactly one of them.
 * [reference] (the till's sale or basket id) is kept on the journal entry, never sent.
 * On `OUTCOME_UNKNOWN` the redeem may have happened: `reconcile()` (with a journal) or
 * `check` before trying again.
 */
@Throws(VoucherException::class)
fun SmartGiftInterface.redeem(
    voucherNo: String,
    siteId: SiteId,
    value: BigDecimal? = null,
    experiences: List<Long>? = null,
    holdToken: String? = null,
    reference: String? = null,
): Redemption =
    redeem(
        RedeemRequest(
            voucherNo = voucherNo,
            siteId = siteId,
            value = value,
            experiences = experiences,
            holdToken = holdToken,
            reference = reference,
        ),
    )

/** Gives up a hold before it expires. */
@Throws(VoucherException::class)
fun SmartGiftInterface.release(voucherNo: String, holdToken: String): Released =
    release(ReleaseRequest(voucherNo = voucherNo, holdToken = holdToken))

/** Undoes redemptions (each id in full); [reference] is kept on the journal entry, never sent. */
@Throws(VoucherException::class)
fun SmartGiftInterface.reverse(
    voucherNo: String,
    siteId: SiteId,
    redemptions: List<Long>,
    reference: String? = null,
): Reversed =
    reverse(ReverseRequest(voucherNo = voucherNo, siteId = siteId, redemptions = redemptions, reference = reference))

// The site as an integer id or as text: the forms above with `SiteId.Number` / `SiteId.Text`.

/** [check] with the site's integer id. */
@Throws(VoucherException::class)
fun SmartGiftInterface.check(voucherNo: String, siteId: Long, classifications: List<String> = listOf(), metaConditions: List<MetaCondition> = listOf()): SmartGiftVoucher =
    check(voucherNo, SiteId.Number(siteId), classifications, metaConditions)

/** [check] with the site as text. */
@Throws(VoucherException::class)
fun SmartGiftInterface.check(voucherNo: String, siteId: String, classifications: List<String> = listOf(), metaConditions: List<MetaCondition> = listOf()): SmartGiftVoucher =
    check(voucherNo, SiteId.Text(siteId), classifications, metaConditions)

/** [redeem] with the site's integer id. */
@Throws(VoucherException::class)
fun SmartGiftInterface.redeem(voucherNo: String, siteId: Long, value: BigDecimal? = null, experiences: List<Long>? = null, holdToken: String? = null, reference: String? = null): Redemption =
    redeem(voucherNo, SiteId.Number(siteId), value, experiences, holdToken, reference)

/** [redeem] with the site as text. */
@Throws(VoucherException::class)
fun SmartGiftInterface.redeem(voucherNo: String, siteId: String, value: BigDecimal? = null, experiences: List<Long>? = null, holdToken: String? = null, reference: String? = null): Redemption =
    redeem(voucherNo, SiteId.Text(siteId), value, experiences, holdToken, reference)

/** [reverse] with the site's integer id. */
@Throws(VoucherException::class)
fun SmartGiftInterface.reverse(voucherNo: String, siteId: Long, redemptions: List<Long>, reference: String? = null): Reversed =
    reverse(voucherNo, SiteId.Number(siteId), redemptions, reference)

/** [reverse] with the site as text. */
@Throws(VoucherException::class)
fun SmartGiftInterface.reverse(voucherNo: String, siteId: String, redemptions: List<Long>, reference: String? = null): Reversed =
    reverse(voucherNo, SiteId.Text(siteId), redemptions, reference)

/**
 * Redeems a voucher wholly (no [amount]) or partly (the rest comes back as
 * `regeneratedVoucher`). Exactly one of [voucherKey] / [voucherId] (with a journal,
 * [voucherId] is required). [reference] is kept on the journal entry, never sent.
 * On `OUTCOME_UNKNOWN` the redeem may have happened: `reconcile()` (with a journal) or
 * `getVouchers` before retrying.
 */
@Throws(VoucherException::class)
fun SpaazaInterface.redeemVoucher(
    chainId: Long,
    voucherKey: String? = null,
    voucherId: Long? = null,
    userId: Long? = null,
    amount: BigDecimal? = null,
    reference: String? = null,
): SpaazaVoucher =
    redeemVoucher(
        RedeemVoucherRequest(
            chainId = chainId,
            voucherKey = voucherKey,
            voucherId = voucherId,
            userId = userId,
            amount = amount,
            reference = reference,
        ),
    )

/** Unlocks a locked voucher. Both identifiers may be given: only the key is sent. */
@Throws(VoucherException::class)
fun SpaazaInterface.unlockVoucher(voucherKey: String? = null, voucherId: Long? = null): SpaazaVoucher =
    unlockVoucher(UnlockVoucherRequest(voucherKey = voucherKey, voucherId = voucherId))

/**
 * Takes a claimed voucher back from its end-user. One voucher identifier; under admin or
 * privileged auth one end-user identifier (admin also needs [chainId]).
 */
@Throws(VoucherException::class)
fun SpaazaInterface.unclaimVoucher(
    chainId: Long? = null,
    voucherKey: String? = null,
    voucherId: Long? = null,
    thirdPartyId: Long? = null,
    userId: Long? = null,
    memberNumber: String? = null,
    username: String? = null,
    authenticationPointIdentifier: String? = null,
    auxiliaryIdentifier: String? = null,
): SpaazaVoucher = unclaimVoucher(
    ClaimRequest(
        chainId = chainId,
        voucherKey = voucherKey,
        voucherId = voucherId,
        thirdPartyId = thirdPartyId,
        userId = userId,
        memberNumber = memberNumber,
        username = username,
        authenticationPointIdentifier = authenticationPointIdentifier,
        auxiliaryIdentifier = auxiliaryIdentifier,
    ),
)

/** Gives a voucher to an end-user; the same identifiers as [unclaimVoucher]. */
@Throws(VoucherException::class)
fun SpaazaInterface.claimVoucher(
    chainId: Long? = null,
    voucherKey: String? = null,
    voucherId: Long? = null,
    thirdPartyId: Long? = null,
    userId: Long? = null,
    memberNumber: String? = null,
    username: String? = null,
    authenticationPointIdentifier: String? = null,
    auxiliaryIdentifier: String? = null,
): SpaazaVoucher = claimVoucher(
    ClaimRequest(
        chainId = chainId,
        voucherKey = voucherKey,
        voucherId = voucherId,
        thirdPartyId = thirdPartyId,
        userId = userId,
        memberNumber = memberNumber,
        username = username,
        authenticationPointIdentifier = authenticationPointIdentifier,
        auxiliaryIdentifier = auxiliaryIdentifier,
    ),
)

/**
 * Locks a basket voucher to [retailerBasketCode] for [voucherLockPeriod] seconds (the
 * core's 300 when null). Exactly one of [voucherKey] / [voucherId].
 */
@Throws(VoucherException::class)
fun SpaazaInterface.lockVoucher(
    retailerBasketCode: String,
    voucherKey: String? = null,
    voucherId: Long? = null,
    voucherLockPeriod: Long? = null,
    voucherLockingCode: String? = null,
): SpaazaVoucher = lockVoucher(
    LockVoucherRequest(
        retailerBasketCode = retailerBasketCode,
        voucherKey = voucherKey,
        voucherId = voucherId,
        voucherLockPeriod = voucherLockPeriod,
        voucherLockingCode = voucherLockingCode,
    ),
)

/** Reads a chain's vouchers, e.g. to reconcile after `OUTCOME_UNKNOWN`. A read: safe to retry. */
@Throws(VoucherException::class)
fun SpaazaInterface.getVouchers(
    chainId: Long,
    voucherId: Long? = null,
    userId: Long? = null,
    username: String? = null,
    memberNumber: String? = null,
    authenticationPointIdentifier: String? = null,
    campaignId: Long? = null,
    showAllStatuses: Boolean = false,
    showRedeemed: Boolean = false,
    showExpired: Boolean = false,
    excludeRegenerated: Boolean = false,
    numberResults: Long? = null,
    resultsOffset: Long? = null,
    minCreatedDatetime: String? = null,
    maxCreatedDatetime: String? = null,
    minExpiryDatetime: String? = null,
    maxExpiryDatetime: String? = null,
    minRedeemedDatetime: String? = null,
    maxRedeemedDatetime: String? = null,
): VoucherList = getVouchers(
    GetVouchersRequest(
        chainId = chainId,
        voucherId = voucherId,
        userId = userId,
        username = username,
        memberNumber = memberNumber,
        authenticationPointIdentifier = authenticationPointIdentifier,
        campaignId = campaignId,
        showAllStatuses = showAllStatuses,
        showRedeemed = showRedeemed,
        showExpired = showExpired,
        excludeRegenerated = excludeRegenerated,
        numberResults = numberResults,
        resultsOffset = resultsOffset,
        minCreatedDatetime = minCreatedDatetime,
        maxCreatedDatetime = maxCreatedDatetime,
        minExpiryDatetime = minExpiryDatetime,
        maxExpiryDatetime = maxExpiryDatetime,
        minRedeemedDatetime = minRedeemedDatetime,
        maxRedeemedDatetime = maxRedeemedDatetime,
    ),
)

/**
 * Every voucher the filters select, as a lazy [Sequence] over the pages of `getVouchers`
 * (the core's paging: [numberResults] a page, 50 when null, from [resultsOffset]; it stops
 * at a short page, the total Spaaza reports, or [max] vouchers). A page is read only when
 * the vouchers before it are used up; a page that fails throws its `VoucherException` from
 * the iteration and ends it. Iterate it once: each iteration reads the pages again.
 */
fun SpaazaInterface.vouchers(
    chainId: Long,
    voucherId: Long? = null,
    userId: Long? = null,
    username: String? = null,
    memberNumber: String? = null,
    authenticationPointIdentifier: String? = null,
    campaignId: Long? = null,
    showAllStatuses: Boolean = false,
    showRedeemed: Boolean = false,
    showExpired: Boolean = false,
    excludeRegenerated: Boolean = false,
    numberResults: Long? = null,
    resultsOffset: Long? = null,
    max: Long? = null,
): Sequence<SpaazaVoucher> = vouchers(
    GetVouchersRequest(
        chainId = chainId,
        voucherId = voucherId,
        userId = userId,
        username = username,
        memberNumber = memberNumber,
        authenticationPointIdentifier = authenticationPointIdentifier,
        campaignId = campaignId,
        showAllStatuses = showAllStatuses,
        showRedeemed = showRedeemed,
        showExpired = showExpired,
        excludeRegenerated = excludeRegenerated,
        numberResults = numberResults,
        resultsOffset = resultsOffset,
    ),
    max,
)

/** [vouchers] for a request record (every filter `getVouchers` takes). */
fun SpaazaInterface.vouchers(request: GetVouchersRequest, max: Long? = null): Sequence<SpaazaVoucher> = sequence {
    iterVouchers(request, max).use { pager ->
        while (true) yield(pager.next() ?: break)
    }
}

/**
 * The journal's entries, newest first; every non-null argument narrows: [state]
 * (`"pending"`, `"applied"`, `"not_applied"`, `"unknown"`), [reference], [provider]
 * (`"smartgift"`, `"spaaza"`), created at or after [since], at most [limit]. A name that
 * is none of these is `INVALID_REQUEST` naming the argument.
 */
@Throws(VoucherException::class)
fun JournalInterface.entries(
    state: String? = null,
    reference: String? = null,
    provider: String? = null,
    since: Instant? = null,
    limit: Int? = null,
): List<JournalEntry> =
    entries(JournalFilter(state = state, reference = reference, provider = provider, since = since, limit = limit))
