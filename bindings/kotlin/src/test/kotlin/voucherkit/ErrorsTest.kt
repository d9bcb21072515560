package voucherkit

import voucherkit.testing.Sandbox
import voucherkit.testing.SandboxException
import voucherkit.testing.ScriptedServer
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.DynamicTest
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestFactory
import org.junit.jupiter.api.assertThrows
import java.math.BigDecimal

/** The error model: every kind from a real answer (or refusal), its attributes, secrets. */
class ErrorsTest {
    companion object {
        private lateinit var server: ScriptedServer

        @JvmStatic
        @BeforeAll
        fun start() {
            server = ScriptedServer(baseDir = Corpus.dir.path)
        }

        @JvmStatic
        @AfterAll
        fun stop() = server.close()
    }

    /** What a till does with each kind; the compiler proves the `when` covers them all. */
    private fun advice(e: VoucherException): String = when (e.kind) {
        ErrorKind.INVALID_REQUEST -> "fix the request"
        ErrorKind.AUTHENTICATION -> "check the key"
        ErrorKind.PERMISSION_DENIED -> "not allowed"
        ErrorKind.VOUCHER_NOT_FOUND -> "no such voucher"
        ErrorKind.VOUCHER_NOT_OWNED -> "another company's voucher"
        ErrorKind.VOUCHER_EXPIRED -> "expired"
        ErrorKind.VOUCHER_ALREADY_REDEEMED -> "already used"
        ErrorKind.VOUCHER_NOT_HELD -> "no hold"
        ErrorKind.VOUCHER_LOCKED -> "in use at another till"
        ErrorKind.INVALID_SITE -> "wrong site"
        ErrorKind.INVALID_AMOUNT -> "wrong amount"
        ErrorKind.RATE_LIMITED -> "wait ${e.retryAfter}"
        ErrorKind.PROVIDER_ERROR -> "provider said no"
        ErrorKind.NETWORK -> "try again"
        ErrorKind.OUTCOME_UNKNOWN -> "reconcile first"
        ErrorKind.INVALID_RESPONSE -> "unreadable answer"
        ErrorKind.INTERNAL -> "report a bug"
        ErrorKind.JOURNAL -> "fix the journal, then reconcile"
    }

    @Test
    fun `eighteen kinds with the names of every language`() {
        assertEquals(
            listOf(
                "invalid_request", "authentication", "permission_denied", "voucher_not_found", "voucher_not_owned",
                "voucher_expired", "voucher_already_redeemed", "voucher_not_held", "voucher_locked", "invalid_site",
                "invalid_amount", "rate_limited", "provider_error", "network", "outcome_unknown", "invalid_response",
                "internal", "journal",
            ),
            ErrorKind.entries.map { it.wireName },
        )
    }

    /** For each kind but `internal` (a caught panic) and `journal` (the till's own journal
     *  failing, see JournalTest), the first corpus case that expects it, played through the
     *  API: a `VoucherException` of that kind with the case's attributes. */
    @TestFactory
    fun `every kind from a real answer`(): List<DynamicTest> {
        val cases = Corpus.caseFiles().map(Corpus::load)
        return ErrorKind.entries.filter { it != ErrorKind.INTERNAL && it != ErrorKind.JOURNAL }.map { kind ->
            DynamicTest.dynamicTest(kind.wireName) {
                val case = cases.first { it["expect"]["error"]?.get("kind")?.textValue() == kind.wireName }
                var caught: VoucherException? = null
                Corpus.onError = { caught = it }
                try {
                    Corpus.play(server, case)
                } finally {
                    Corpus.onError = null
                }
                val e = caught ?: error("${case["name"]} raised nothing")
                assertEquals(kind, e.kind)
                assertEquals(e.kind, (e as VoucherException.Failure).kind)
                assertTrue(advice(e).isNotEmpty())
                assertTrue(e.message.contains("kind=${kind.name}"), e.message)
            }
        }
    }

    @Test
    fun `errors from the stateful sandbox carry every attribute`() {
        Sandbox.start().use { sb ->
            val sg = SmartGift(SmartGiftConfig(apiKey = sb.smartgiftKey(), baseUrl = sb.smartgiftUrl()))
            val nf = assertThrows<VoucherException> { sg.check(voucherNo = "9999999999", siteId = "12") }
            assertEquals(ErrorKind.VOUCHER_NOT_FOUND, nf.kind)
            assertEquals("Sorry, that voucher number is invalid.", nf.errorMessage)
            assertEquals(422, nf.httpStatus)
            assertEquals("voucher_no", nf.field)
            assertEquals("smartgift", nf.provider)
            assertNull(nf.providerCode)
            assertFalse(nf.retryable)
            assertNull(nf.retryAfter)
            assertEquals(mapOf("voucher_no" to listOf("Sorry, that voucher number is invalid.")), nf.fieldErrors)
            fun kindOf(call: () -> Unit) = assertThrows<VoucherException>(call).kind
            assertEquals(ErrorKind.VOUCHER_EXPIRED, kindOf { sg.redeem(voucherNo = "1000000004", siteId = "12", value = BigDecimal("1.00")) })
            assertEquals(ErrorKind.VOUCHER_ALREADY_REDEEMED, kindOf { sg.redeem(voucherNo = "1000000005", siteId = "12", value = BigDecimal("1.00")) })
            assertEquals(ErrorKind.VOUCHER_NOT_OWNED, kindOf { sg.redeem(voucherNo = "2000000001", siteId = "12", value = BigDecimal("1.00")) })
            assertEquals(ErrorKind.INVALID_SITE, kindOf { sg.redeem(voucherNo = "1000000001", siteId = "99", value = BigDecimal("1.00")) })
            assertEquals(ErrorKind.INVALID_AMOUNT, kindOf { sg.redeem(voucherNo = "1000000002", siteId = "12", value = BigDecimal("25.01")) })
            assertEquals(ErrorKind.VOUCHER_NOT_HELD, kindOf { sg.release(voucherNo = "1000000001", holdToken = "hold_token_not_live") })

            val wrongKey = "sk_wrong_key_000000"
            val bad = SmartGift(SmartGiftConfig(apiKey = Secret(wrongKey), baseUrl = sb.smartgiftUrl()))
            val auth = assertThrows<VoucherException> { bad.check(voucherNo = "1000000001", siteId = "12") }
            assertEquals(ErrorKind.AUTHENTICATION, auth.kind)
            assertFalse(auth.toString().contains(wrongKey))
            assertFalse(Corpus.errorJson(auth).toString().contains(wrongKey))

            val sp = Spaaza(SpaazaConfig(sessionUserId = sb.spaazaSessionUserId(), sessionKey = sb.spaazaSessionKey(), baseUrl = sb.spaazaUrl()))
            val denied = assertThrows<VoucherException> { sp.redeemVoucher(chainId = 3, voucherId = 500001) }
            assertEquals(ErrorKind.PERMISSION_DENIED, denied.kind)
            assertEquals("spaaza", denied.provider)
            assertTrue(denied.providerCode != null)
            sp.lockVoucher(voucherId = 35735, retailerBasketCode = "basket-1")
            assertEquals(ErrorKind.VOUCHER_LOCKED, kindOf { sp.redeemVoucher(chainId = 2, voucherId = 35735) })
        }
    }

    @Test
    fun `a refused connection is a retryable network error`() {
        val sg = SmartGift(SmartGiftConfig(apiKey = Secret("sk_test_x"), baseUrl = "http://127.0.0.1:1", maxRetries = 0, connectTimeoutMs = 1000))
        val e = assertThrows<VoucherException> { sg.check(voucherNo = "1", siteId = "12") }
        assertEquals(ErrorKind.NETWORK, e.kind)
        assertTrue(e.retryable)
        assertNull(e.httpStatus)
    }

    @Test
    fun `constructors refuse bad configuration by field`() {
        fun refused(call: () -> Unit): VoucherException = assertThrows<VoucherException>(call).also {
            assertEquals(ErrorKind.INVALID_REQUEST, it.kind)
        }
        assertEquals("base_url", refused { SmartGift(SmartGiftConfig(apiKey = Secret("k"), baseUrl = "ftp://x")) }.field)
        assertEquals("base_url", refused { SmartGift(SmartGiftConfig(apiKey = Secret("k"), baseUrl = "http://example.com")) }.field)
        assertEquals("timeout", refused { SmartGift(SmartGiftConfig(apiKey = Secret("k"), timeoutMs = -1)) }.field)
        assertEquals("max_retries", refused { SmartGift(SmartGiftConfig(apiKey = Secret("k"), maxRetries = -1)) }.field)
        assertEquals("connect_timeout", refused { Spaaza(SpaazaConfig(sessionUserId = 1, sessionKey = Secret("s"), connectTimeoutMs = -5)) }.field)
        assertEquals("session_key", refused { Spaaza(SpaazaConfig(sessionUserId = 1)) }.field)
        assertEquals("bearer_token", refused { Spaaza(SpaazaConfig(auth = SpaazaAuth.PRIVILEGED, appHostname = "acme.spaaza.com")) }.field)
        assertEquals("api_version", refused { Spaaza(SpaazaConfig(sessionUserId = 1, sessionKey = Secret("s"), apiVersion = "1.6")) }.field)
        val insecure = SmartGift(SmartGiftConfig(apiKey = Secret("k"), baseUrl = "http://example.com", allowInsecureHttp = true))
        assertEquals("http://example.com", insecure.baseUrl())
    }

    @Test
    fun `secrets never print`() {
        val key = "sk_live_0123456789abcd"
        val config = SmartGiftConfig(apiKey = Secret(key), baseUrl = "https://example.com")
        assertFalse(config.toString().contains(key), config.toString())
        assertTrue(config.toString().contains("Secret(…abcd)"), config.toString())
        val sp = SpaazaConfig(sessionUserId = 1, sessionKey = Secret("session-key-0123456789"), bearerToken = Secret("bearer-token-0123456789"))
        assertFalse(sp.toString().contains("0123456789"), sp.toString())
        assertEquals("Secret(…)", Secret("short").toString())
        assertEquals(Secret(key), Secret(key))
        assertEquals(key, Secret(key).reveal())
    }

    @Test
    fun `request records and named arguments send the same requests`() {
        val sg = SmartGift(SmartGiftConfig(apiKey = Secret("sk_test_x"), baseUrl = server.url(), timeoutMs = 2000))
        val sp = Spaaza(SpaazaConfig(sessionUserId = 1, sessionKey = Secret("k_0123456789"), baseUrl = server.url(), timeoutMs = 2000))
        val sgOk = """{"status": 200, "body": {"data": {"message": "ok", "hold_token": "t", "redemptions": [1], "voucher_no": "1"}}}"""
        val spOk = """{"status": 200, "body": {"result_type": "voucher", "results": {"voucher_key": "k", "vouchers": []}}}"""
        // What one call puts on the wire (method, path, query, body) and how it ends; the
        // answers are minimal, so some calls end in an error: the same one either way.
        fun wire(answer: String, call: () -> Unit): String {
            server.reset()
            server.push(answer)
            val outcome = runCatching(call).exceptionOrNull()?.let { (it as VoucherException).kind.name } ?: "ok"
            val r = Corpus.parse(server.requestsJson())
            assertEquals(1, r.size())
            return listOf("method", "path", "query", "body_text").joinToString(" ") { r[0][it]?.toString() ?: "-" } + " -> $outcome"
        }
        fun same(answer: String, named: () -> Unit, record: () -> Unit) = assertEquals(wire(answer, named), wire(answer, record))
        val ten = BigDecimal("10.00")
        same(sgOk, { sg.check(voucherNo = "1", siteId = "12", classifications = listOf("food")) }) {
            sg.check(CheckRequest(voucherNo = "1", siteId = SiteId.Text("12"), classifications = listOf("food")))
        }
        same(sgOk, { sg.hold(voucherNo = "1") }) { sg.hold(HoldRequest(voucherNo = "1")) }
        same(sgOk, { sg.redeem(voucherNo = "1", siteId = "12", value = ten, holdToken = "t") }) {
            sg.redeem(RedeemRequest(voucherNo = "1", siteId = SiteId.Text("12"), value = ten, holdToken = "t"))
        }
        // A reference is the till's own: kept on a journal entry, never on the wire.
        same(sgOk, { sg.redeem(voucherNo = "1", siteId = "12", value = ten, reference = "sale-1") }) {
            sg.redeem(RedeemRequest(voucherNo = "1", siteId = SiteId.Text("12"), value = ten))
        }
        same(sgOk, { sg.release(voucherNo = "1", holdToken = "t") }) { sg.release(ReleaseRequest(voucherNo = "1", holdToken = "t")) }
        same(sgOk, { sg.reverse(voucherNo = "1", siteId = "12", redemptions = listOf(1L, 2L)) }) {
            sg.reverse(ReverseRequest(voucherNo = "1", siteId = SiteId.Text("12"), redemptions = listOf(1L, 2L)))
        }
        same(sgOk, { sg.reverse(voucherNo = "1", siteId = "12", redemptions = listOf(1L), reference = "sale-1") }) {
            sg.reverse(ReverseRequest(voucherNo = "1", siteId = SiteId.Text("12"), redemptions = listOf(1L), reference = "sale-1"))
        }
        same(spOk, { sp.redeemVoucher(chainId = 2, voucherKey = "k", amount = ten) }) {
            sp.redeemVoucher(RedeemVoucherRequest(chainId = 2, voucherKey = "k", amount = ten))
        }
        same(spOk, { sp.redeemVoucher(chainId = 2, voucherId = 7, reference = "basket-1") }) {
            sp.redeemVoucher(RedeemVoucherRequest(chainId = 2, voucherId = 7, reference = "basket-1"))
        }
        same(spOk, { sp.unlockVoucher(voucherId = 7) }) { sp.unlockVoucher(UnlockVoucherRequest(voucherId = 7)) }
        same(spOk, { sp.claimVoucher(chainId = 2, voucherKey = "k", userId = 9) }) {
            sp.claimVoucher(ClaimRequest(chainId = 2, voucherKey = "k", userId = 9))
        }
        same(spOk, { sp.unclaimVoucher(chainId = 2, voucherKey = "k", memberNumber = "m") }) {
            sp.unclaimVoucher(ClaimRequest(chainId = 2, voucherKey = "k", memberNumber = "m"))
        }
        same(spOk, { sp.lockVoucher(retailerBasketCode = "b", voucherKey = "k", voucherLockPeriod = 60) }) {
            sp.lockVoucher(LockVoucherRequest(retailerBasketCode = "b", voucherKey = "k", voucherLockPeriod = 60))
        }
        val list = """{"status": 200, "body": {"result_type": "vouchers", "results": {"vouchers": []}}}"""
        same(list, { sp.getVouchers(chainId = 2, userId = 9, showRedeemed = true, numberResults = 5, maxExpiryDatetime = "2030-01-01") }) {
            sp.getVouchers(GetVouchersRequest(chainId = 2, userId = 9, showRedeemed = true, numberResults = 5, maxExpiryDatetime = "2030-01-01"))
        }
        // Validation names the same field either way, before anything is sent.
        server.reset()
        val e = assertThrows<VoucherException> { sg.redeem(RedeemRequest(voucherNo = "1", siteId = SiteId.Text("12"))) }
        assertEquals("value", e.field)
        assertEquals(0, Corpus.parse(server.requestsJson()).size())
    }

    @Test
    fun `money is BigDecimal and exact both ways`() {
        val sg = SmartGift(SmartGiftConfig(apiKey = Secret("sk_test_x"), baseUrl = server.url(), timeoutMs = 2000))
        fun sent(value: BigDecimal): String {
            server.reset()
            server.push("""{"status": 200, "body": {"data": {"message": "ok", "redemptions": [1]}}}""")
            sg.redeem(voucherNo = "1000000001", siteId = "12", value = value)
            return Corpus.parse(server.requestsJson())[0]["body_text"].textValue()
        }
        assertEquals("""{"voucher_no":"1000000001","site_id":"12","value":10.00}""", sent(BigDecimal("10.00")))
        assertEquals("""{"voucher_no":"1000000001","site_id":"12","value":10.50}""", sent(BigDecimal("10.500")))
        assertEquals("""{"voucher_no":"1000000001","site_id":"12","value":1000}""", sent(BigDecimal("1E+3")))
        assertEquals("""{"voucher_no":"1000000001","site_id":"12","value":0.1}""", sent(BigDecimal("0.1")))
        for (bad in listOf("10.005", "0", "-1", "0.00")) {
            server.reset()
            val e = assertThrows<VoucherException> { sg.redeem(voucherNo = "1000000001", siteId = "12", value = BigDecimal(bad)) }
            assertEquals(ErrorKind.INVALID_REQUEST, e.kind, bad)
            assertEquals("value", e.field)
            assertEquals(0, Corpus.parse(server.requestsJson()).size(), "nothing sent for $bad")
        }
        // Amounts out keep the provider's digits.
        server.reset()
        server.push("""{"status": 200, "body_text": "{\"data\": {\"voucher_no\": \"1\", \"remaining_value\": 25.50}}"}""")
        val v = sg.check(voucherNo = "1", siteId = "12")
        assertEquals("25.50", v.remainingValue!!.toPlainString())
    }
}
