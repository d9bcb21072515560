package voucherkit

import com.fasterxml.jackson.databind.JsonNode
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.BeforeEach
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import voucherkit.testing.Sandbox
import voucherkit.testing.ScriptedServer
import java.math.BigDecimal
import java.time.Duration

/** What users of a payments SDK expect, over real HTTP against the sandbox. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SdkFeaturesTest {
    private val sb = Sandbox.start()

    @AfterAll
    fun stop() = sb.close()

    @BeforeEach
    fun reset() = sb.reset()

    private fun smartGift(appInfo: AppInfo? = null, logger: RequestLogger? = null) =
        SmartGift(SmartGiftConfig(apiKey = sb.smartgiftKey(), baseUrl = sb.smartgiftUrl(), appInfo = appInfo, logger = logger))

    private fun spaaza() = Spaaza(
        SpaazaConfig(sessionUserId = sb.spaazaSessionUserId(), sessionKey = sb.spaazaSessionKey(), baseUrl = sb.spaazaUrl()),
    )

    @Test
    fun `appInfo is appended to the User-Agent every request carries`() {
        smartGift(AppInfo(name = "acme-till", version = "4.2", url = "https://acme.example")).use { sg ->
            assertTrue(sg.userAgent().endsWith(" acme-till/4.2 (https://acme.example)"), sg.userAgent())
            sg.check(voucherNo = "1000000001", siteId = "12")
            val sent = Corpus.parse(sb.requestsJson()).last()["headers"]
                .first { it[0].textValue().equals("user-agent", ignoreCase = true) }[1].textValue()
            assertEquals(sg.userAgent(), sent)
        }
        // Checked by the core, before anything is sent.
        val e = org.junit.jupiter.api.assertThrows<VoucherException> { smartGift(AppInfo(name = "acme till")) }
        assertEquals(ErrorKind.INVALID_REQUEST, e.kind)
        assertEquals("app_info", e.field)
    }

    @Test
    fun `a hold says when it lapses`() {
        smartGift().use { sg ->
            val hold = sg.hold(voucherNo = "1000000001")
            assertEquals(Duration.ofMinutes(5), Duration.between(hold.receivedAt, hold.expiresAt))
        }
    }

    private fun text(n: JsonNode?): String? = n?.takeUnless { it.isNull }?.asText()

    /** Each new field is what the voucher's JSON says. */
    private fun sameAsRaw(v: SpaazaVoucher) {
        val raw = Corpus.parse(v.raw)
        assertEquals(text(raw["campaign_title"]), v.campaignTitle)
        assertEquals(text(raw["campaign_type"]), v.campaignType)
        assertEquals(raw["voucher_expiry_seconds_remaining"]?.takeUnless { it.isNull }?.longValue(), v.voucherExpirySecondsRemaining)
        val card = raw["user_entity_card"]?.takeUnless { it.isNull }
        assertEquals(text(card?.get("type")), v.userEntityCard?.cardType)
        assertEquals(text(card?.get("code")), v.userEntityCard?.code)
        assertEquals(raw["parent_voucher"]?.takeUnless { it.isNull }?.get("voucher_id")?.longValue(), v.parentVoucher?.voucherId)
    }

    @Test
    fun `Spaaza vouchers carry the campaign, the card, the expiry countdown and the parent`() {
        spaaza().use { sp ->
            val before = sp.getVouchers(chainId = 2, voucherId = 438595, showAllStatuses = true).vouchers.single()
            val done = sp.redeemVoucher(chainId = 2, voucherId = 438595, amount = BigDecimal("2.00"))
            val rest = checkNotNull(done.regeneratedVoucher) { "a partial redeem regenerates" }
            listOf(before, done, rest).forEach(::sameAsRaw)
            assertEquals("ACME Loyalty Campaign", before.campaignTitle)
            assertTrue(checkNotNull(before.voucherExpirySecondsRemaining) > 0)
            assertTrue(listOf(before, done).any { it.userEntityCard?.code != null }, "no voucher named its card")
            assertEquals(438595L, checkNotNull(rest.parentVoucher) { "a regenerated voucher names its parent: ${rest.raw}" }.voucherId)
        }
    }

    @Test
    fun `the request log shows the provider's rate limit`() {
        val server = ScriptedServer(baseDir = Corpus.dir.path)
        try {
            server.push(
                """{"status": 200, "headers": {"X-RateLimit-Limit": "60", "X-RateLimit-Remaining": "7"},
                   "body_file": "bodies/smartgift-check-monetary.json"}""",
            )
            val seen = mutableListOf<RequestLog>()
            SmartGift(
                SmartGiftConfig(apiKey = Secret("sk_test_x"), baseUrl = server.url(), logger = RequestLogger { seen += it }),
            ).use { sg -> sg.check(voucherNo = "XXXXXXXXXX", siteId = "12") }
            assertEquals(listOf(7L to 60L), seen.map { it.rateLimitRemaining to it.rateLimitLimit })
        } finally {
            server.stop()
        }
    }

    private fun voucherReads() = Corpus.parse(sb.requestsJson()).count { it["path"].textValue().startsWith("/spaaza/get-vouchers") }

    @Test
    fun `vouchers walks every page lazily, as one Sequence`() {
        spaaza().use { sp ->
            val all = sp.getVouchers(chainId = 2, showAllStatuses = true).vouchers.map { it.voucherId }
            assertTrue(all.size >= 3, "the demo chain has too few vouchers: $all")
            sb.reset()
            val seq = sp.vouchers(chainId = 2, showAllStatuses = true, numberResults = 2)
            assertEquals(0, voucherReads(), "nothing is read before the sequence is iterated")
            assertEquals(all, seq.map { it.voucherId }.toList())
            // Pages of 2 until a short page or the reported total.
            val pages = voucherReads()
            assertTrue(pages in (all.size + 1) / 2..all.size / 2 + 1, "$pages reads for ${all.size} vouchers")
            sb.reset()
            assertEquals(all.take(3), sp.vouchers(chainId = 2, showAllStatuses = true, numberResults = 2, max = 3).map { it.voucherId }.toList())
            assertEquals(2, voucherReads(), "max stops the reads too")
            sb.reset()
            // Taking only the first voucher reads only the first page.
            assertEquals(all.first(), sp.vouchers(chainId = 2, showAllStatuses = true, numberResults = 2).first().voucherId)
            assertEquals(1, voucherReads())
        }
    }

    @Test
    fun `a page that fails ends the Sequence with its VoucherException`() {
        spaaza().use { sp ->
            val it = sp.vouchers(chainId = 2, showAllStatuses = true, numberResults = 1).iterator()
            assertNotNull(it.next().voucherId)
            sb.injectFault("""{"path": "/spaaza/get-vouchers", "answer": {"status": 500, "body_text": "down"}}""")
            val e = org.junit.jupiter.api.assertThrows<VoucherException> { it.next() }
            assertTrue(e.kind == ErrorKind.PROVIDER_ERROR || e.kind == ErrorKind.INVALID_RESPONSE, "${e.kind}")
        }
        sb.reset()
        // Underneath, the pager ends at the failed page: the next call is the end, not a retry.
        spaaza().use { sp ->
            sp.iterVouchers(GetVouchersRequest(chainId = 2, showAllStatuses = true, numberResults = 1), null).use { pager ->
                assertNotNull(pager.next())
                sb.injectFault("""{"path": "/spaaza/get-vouchers", "answer": {"status": 500, "body_text": "down"}}""")
                org.junit.jupiter.api.assertThrows<VoucherException> { pager.next() }
                assertEquals(null, pager.next())
            }
        }
        val e = org.junit.jupiter.api.assertThrows<VoucherException> { spaaza().use { sp -> sp.vouchers(chainId = 2, max = -1).toList() } }
        assertEquals("max", e.field)
    }

    @Test
    fun `a Smart Gift site may be an integer id`() {
        smartGift().use { sg ->
            assertEquals(0, BigDecimal("100").compareTo(sg.check(voucherNo = "1000000001", siteId = 12L).remainingValue))
            val done = sg.redeem(voucherNo = "1000000001", siteId = 12, value = BigDecimal("10.00"))
            sg.reverse(voucherNo = "1000000001", siteId = 12L, redemptions = done.redemptions)
            sg.redeem(RedeemRequest(voucherNo = "1000000001", siteId = SiteId.Number(12), value = BigDecimal("1.00")))
            // Sent as the same text either way.
            val bodies = Corpus.parse(sb.requestsJson()).filter { it["path"].textValue() == "/smartgift/redeem" }.map { Corpus.parse(it["body_text"].textValue())["site_id"] }
            assertEquals(2, bodies.size)
            bodies.forEach { assertEquals("12", it.asText()) }
            // The core's rule for an integer id, before anything is sent.
            sb.reset()
            for (bad in listOf(0L, -5L)) {
                val e = org.junit.jupiter.api.assertThrows<VoucherException> { sg.redeem(voucherNo = "1000000001", siteId = bad, value = BigDecimal("1.00")) }
                assertEquals(ErrorKind.INVALID_REQUEST, e.kind)
                assertEquals("site_id", e.field)
            }
            assertEquals(0, Corpus.parse(sb.requestsJson()).size())
        }
    }

    /**
     * The clients are AutoCloseable: after close() (or the end of use {}) every call is
     * VoucherException INVALID_REQUEST naming `client`, as in every language, and sends
     * nothing; closing twice is harmless; baseUrl/userAgent still answer.
     */
    @Test
    fun `a call after close or use is INVALID_REQUEST naming client and closing twice is harmless`() {
        fun assertClosed(provider: String, call: () -> Any) {
            val e = org.junit.jupiter.api.assertThrows<VoucherException> { call() }
            assertEquals(ErrorKind.INVALID_REQUEST, e.kind)
            assertEquals("client", e.field)
            assertEquals(provider, e.provider)
            assertTrue(e.errorMessage.contains("closed"), e.errorMessage)
        }
        val sg = smartGift()
        sg.check(voucherNo = "1000000001", siteId = "12")
        sg.close()
        sg.close()
        sb.reset()
        assertTrue(sg.userAgent().startsWith("voucherkit"), sg.userAgent())
        listOf<() -> Any>(
            { sg.check(voucherNo = "1000000001", siteId = "12") },
            { sg.hold(voucherNo = "1000000001") },
            { sg.redeem(voucherNo = "1000000001", siteId = "12", value = BigDecimal("1.00")) },
            { sg.release(voucherNo = "1000000001", holdToken = "t") },
            { sg.reverse(voucherNo = "1000000001", siteId = "12", redemptions = listOf(1L)) },
            { sg.reconcile() },
        ).forEach { assertClosed("smartgift", it) }

        val sp = spaaza().use { sp ->
            assertEquals(1, sp.getVouchers(chainId = 2, voucherId = 438595, showAllStatuses = true).vouchers.size)
            sp
        }
        sb.reset()
        assertClosed("spaaza") { sp.getVouchers(chainId = 2) }
        assertClosed("spaaza") { sp.redeemVoucher(chainId = 2, voucherId = 438595, amount = BigDecimal("1.00")) }
        assertClosed("spaaza") { sp.vouchers(chainId = 2).toList() }
        sp.close()
        // destroy() still frees the native object at once; a call after it is the JVM's
        // IllegalStateException (uniffi's), never a crash.
        sp.destroy()
        org.junit.jupiter.api.assertThrows<IllegalStateException> { sp.getVouchers(chainId = 2) }
        assertEquals(0, Corpus.parse(sb.requestsJson()).size(), "nothing was sent after close()")
        // Other clients carry on, and no money moved.
        smartGift().use { other ->
            assertEquals(0, BigDecimal("100").compareTo(other.check(voucherNo = "1000000001", siteId = "12").remainingValue))
        }
    }
}
