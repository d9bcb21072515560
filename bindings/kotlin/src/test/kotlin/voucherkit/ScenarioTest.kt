package voucherkit

import voucherkit.testing.Sandbox
import voucherkit.testing.SandboxException
import voucherkit.testing.ScriptedServer
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotEquals
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.BeforeEach
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import java.math.BigDecimal
import java.time.Duration
import java.time.Instant

/** Till scenarios against the stateful sandbox (real HTTP on 127.0.0.1). */
class ScenarioTest {
    private lateinit var sb: Sandbox

    @BeforeEach
    fun start() {
        sb = Sandbox.start()
    }

    @AfterEach
    fun stop() {
        sb.close()
    }

    private fun smartGift(timeoutMs: Long? = null) =
        SmartGift(SmartGiftConfig(apiKey = sb.smartgiftKey(), baseUrl = sb.smartgiftUrl(), timeoutMs = timeoutMs))

    private fun spaaza() = Spaaza(
        SpaazaConfig(
            sessionUserId = sb.spaazaSessionUserId(),
            sessionKey = sb.spaazaSessionKey(),
            baseUrl = sb.spaazaUrl(),
        ),
    )

    private fun requests() = Corpus.parse(sb.requestsJson())

    private fun assertMoney(expected: String, actual: BigDecimal?) {
        assertNotNull(actual)
        assertEquals(0, BigDecimal(expected).compareTo(actual), "expected $expected, got $actual")
    }

    @Test
    fun `sandbox facts`() {
        assertTrue(sb.url().startsWith("http://127.0.0.1:"))
        assertEquals(sb.url() + "/smartgift", sb.smartgiftUrl())
        assertEquals(sb.url() + "/spaaza", sb.spaazaUrl())
        assertEquals("sk_demo_harbour_7Qm2xV9pL4", sb.smartgiftKey().reveal())
        assertEquals(1L, sb.spaazaSessionUserId())
        assertEquals("demo-acme-admin-session-0001", sb.spaazaSessionKey().reveal())
        assertEquals("1000000001", Corpus.parse(sb.dataJson())["smartgift"]["vouchers"][0]["voucher_no"].textValue())
        assertEquals(sb.url().substringAfterLast(':').toInt(), sb.port().toInt())
    }

    @Test
    fun `check hold redeem release reverse`() {
        val sg = smartGift()
        val v = sg.check(voucherNo = "1000000001", siteId = "12")
        assertEquals("monetary", v.voucherType)
        assertEquals(BigDecimal("100"), v.remainingValue) // the provider's digits, as sent
        assertEquals("1000000001", Corpus.parse(v.raw)["voucher_no"].textValue())

        val hold = sg.hold(voucherNo = "1000000001")
        assertTrue(hold.holdToken.isNotEmpty())
        assertTrue(Duration.between(hold.receivedAt, Instant.now()).abs() < Duration.ofMinutes(1))
        // Another till cannot redeem a held voucher.
        val locked = assertThrows<VoucherException> {
            sg.redeem(voucherNo = "1000000001", siteId = "12", value = BigDecimal("1.00"))
        }
        assertEquals(ErrorKind.VOUCHER_LOCKED, locked.kind)
        val done = sg.redeem(voucherNo = "1000000001", siteId = "12", value = BigDecimal("10.00"), holdToken = hold.holdToken)
        assertTrue(done.redemptions.isNotEmpty())
        assertMoney("90.00", sg.check(voucherNo = "1000000001", siteId = "12").remainingValue)

        assertTrue(sg.release(voucherNo = "1000000001", holdToken = hold.holdToken).message.isNotEmpty())
        val notHeld = assertThrows<VoucherException> { sg.release(voucherNo = "1000000001", holdToken = hold.holdToken) }
        assertEquals(ErrorKind.VOUCHER_NOT_HELD, notHeld.kind)

        sg.reverse(voucherNo = "1000000001", siteId = "12", redemptions = done.redemptions)
        assertMoney("100.00", sg.check(voucherNo = "1000000001", siteId = "12").remainingValue)

        // Every request carried the binding's User-Agent and the key, nothing else secret.
        val sent = requests()
        assertTrue(sent.size() >= 8)
        sent.forEach { r ->
            val ua = r["headers"].first { it[0].textValue().equals("user-agent", true) }[1].textValue()
            assertEquals("voucherkit/${version()} (kotlin)", ua)
        }
    }

    @Test
    fun experiences() {
        val sg = smartGift()
        val v = sg.check(voucherNo = "1000000003", siteId = "12")
        assertEquals("experience", v.voucherType)
        assertEquals(mapOf("Afternoon Tea" to 1L, "Three-Course Dinner" to 4L, "Overnight Stay" to 8L), v.experiences.associate { it.name to it.bitValue })
        val food = sg.check(voucherNo = "1000000003", siteId = "12", classifications = listOf("food_and_beverage"))
        assertEquals(listOf(1L, 4L), food.experiences.map { it.bitValue }.sortedBy { it })
        val r = sg.redeem(voucherNo = "1000000003", siteId = "12", experiences = listOf(1L, 4L))
        assertEquals(2, r.redemptions.size)
        val after = sg.check(voucherNo = "1000000003", siteId = "12")
        assertEquals(listOf(8L), after.experiences.map { it.bitValue })
        assertMoney("10", after.remainingValue)
    }

    @Test
    fun `a hold expires with the sandbox clock`() {
        val sg = smartGift()
        val hold = sg.hold(voucherNo = "1000000002")
        val before = sb.now()
        sb.advanceClock(Duration.ofSeconds(301))
        assertTrue(Duration.between(before, sb.now()) >= Duration.ofSeconds(301))
        sg.redeem(voucherNo = "1000000002", siteId = "12", value = BigDecimal("5"))
        val e = assertThrows<VoucherException> { sg.release(voucherNo = "1000000002", holdToken = hold.holdToken) }
        assertEquals(ErrorKind.VOUCHER_NOT_HELD, e.kind)
    }

    @Test
    fun `outcome unknown then reconcile`() {
        val sg = smartGift(timeoutMs = 1000)
        assertEquals(1u, sb.injectFault("""{"path": "/smartgift/redeem", "answer": {"fault": {"kind": "stall"}}, "process": true, "times": 1}"""))
        val e = assertThrows<VoucherException> {
            sg.redeem(voucherNo = "1000000001", siteId = "12", value = BigDecimal("30.00"))
        }
        assertEquals(ErrorKind.OUTCOME_UNKNOWN, e.kind)
        assertFalse(e.retryable)
        assertEquals(1, requests().count { it["path"].textValue() == "/smartgift/redeem" })
        // The redeem happened: a check shows it before anything is tried again.
        assertMoney("70.00", sg.check(voucherNo = "1000000001", siteId = "12").remainingValue)
    }

    @Test
    fun `injected faults and clear`() {
        val sg = smartGift()
        sb.injectFault(
            """{"path": "/smartgift/redeem/check", "answer": {"status": 502, "body_text": "<html>Bad Gateway</html>", "content_type": "text/html"}}""",
        )
        assertEquals(ErrorKind.INVALID_RESPONSE, assertThrows<VoucherException> { sg.check(voucherNo = "1000000001", siteId = "12") }.kind)
        sb.injectFault("""{"path": "/smartgift/redeem/hold", "answer": {"status": 429, "headers": {"Retry-After": "60"}, "body": {"message": "Too Many Attempts."}}}""")
        val limited = assertThrows<VoucherException> { sg.hold(voucherNo = "1000000001") }
        assertEquals(ErrorKind.RATE_LIMITED, limited.kind)
        assertEquals(60L, limited.retryAfter)
        assertTrue(limited.retryable)
        sb.clearFaults()
        assertMoney("100.00", sg.check(voucherNo = "1000000001", siteId = "12").remainingValue)
        assertThrows<SandboxException> { sb.injectFault("""{"path": "/x", "answer": {"fault": {"kind": "nope"}}}""") }
        assertThrows<SandboxException> { sb.injectFault("""{"path": "/x"}""") }
        assertThrows<SandboxException> { sb.injectFault("not json") }
    }

    @Test
    fun `reset restores the data`() {
        val sg = smartGift()
        sg.redeem(voucherNo = "1000000001", siteId = "12", value = BigDecimal("100"))
        assertTrue(Corpus.parse(sb.stateJson())["smartgift"]["redemptions"].size() > 0)
        sb.reset()
        assertEquals(0, requests().size())
        assertMoney("100.00", sg.check(voucherNo = "1000000001", siteId = "12").remainingValue)
    }

    @Test
    fun `spaaza partial redeem regenerates the rest`() {
        val sp = spaaza()
        val v = sp.redeemVoucher(chainId = ACME, voucherKey = KEY_10, amount = BigDecimal("2.00"))
        assertEquals("redeemed", v.voucherStatus)
        assertMoney("2.00", v.voucherAmountRedeemed)
        assertNotNull(v.regeneratedVoucher)
        val rest = v.regeneratedVoucher!!
        assertMoney("8.00", rest.voucherAmount)
        assertEquals("generated", rest.voucherStatus)
        assertNotEquals(v.voucherId, rest.voucherId)
        val again = assertThrows<VoucherException> { sp.redeemVoucher(chainId = ACME, voucherKey = KEY_10) }
        assertEquals(ErrorKind.VOUCHER_ALREADY_REDEEMED, again.kind)
        assertEquals("spaaza", again.provider)
        val listed = sp.getVouchers(chainId = ACME, voucherId = rest.voucherId)
        assertEquals(listOf(rest.voucherId), listed.vouchers.map { it.voucherId })
        assertMoney("8.00", listed.vouchers[0].voucherAmount)
        assertEquals(1L, listed.resultsCountTotal)
    }

    @Test
    fun `spaaza lock unlock claim unclaim`() {
        val sp = spaaza()
        val locked = sp.lockVoucher(voucherId = 35735, retailerBasketCode = "basket-7")
        assertEquals(true, locked.voucherLocked)
        assertEquals("basket-7", locked.voucherRetailerBasketCodeExclusive)
        assertEquals(false, sp.unlockVoucher(voucherId = 35735).voucherLocked)
        sp.redeemVoucher(chainId = ACME, voucherId = 35735, amount = BigDecimal("1.00"))

        val claimed = sp.claimVoucher(chainId = ACME, voucherId = 40577, memberNumber = "404065")
        assertEquals("claimed", claimed.voucherStatus)
        assertEquals(1107605L, claimed.userId)
        assertEquals("generated", sp.unclaimVoucher(chainId = ACME, voucherId = 40577, memberNumber = "404065").voucherStatus)
        val e = assertThrows<VoucherException> { sp.unclaimVoucher(chainId = ACME, voucherId = 40577) }
        assertEquals(ErrorKind.INVALID_REQUEST, e.kind)
        assertNotNull(e.field)
        // The refused unclaim never reached the wire.
        assertEquals("/spaaza/unclaim-voucher", requests().last()["path"].textValue())
    }

    @Test
    fun `custom data and start time`() {
        val data = """
            {"smartgift": {
              "companies": [{"id": 7, "name": "Tea Rooms", "api_keys": ["sk_tea_rooms_1"], "sites": ["1"]}],
              "vouchers": [{"voucher_no": "TEA-0001", "company_id": 7, "type": "monetary",
                            "name": "£20 Gift Card", "value": "20.50", "valid_until": "2030-12-31 23:59:59"}]}}
        """.trimIndent()
        Sandbox(dataJson = data, startTime = Instant.ofEpochSecond(1_950_000_000)).use { later ->
            assertEquals("sk_tea_rooms_1", later.smartgiftKey().reveal())
            assertTrue(later.now() >= Instant.ofEpochSecond(1_950_000_000))
            val sg = SmartGift(SmartGiftConfig(apiKey = later.smartgiftKey(), baseUrl = later.smartgiftUrl()))
            assertEquals(ErrorKind.VOUCHER_EXPIRED, assertThrows<VoucherException> { sg.check(voucherNo = "TEA-0001", siteId = "1") }.kind)
        }
        Sandbox(dataJson = data).use { now ->
            val sg = SmartGift(SmartGiftConfig(apiKey = now.smartgiftKey(), baseUrl = now.smartgiftUrl()))
            assertMoney("20.50", sg.check(voucherNo = "TEA-0001", siteId = "1").remainingValue)
        }
        assertThrows<SandboxException> { Sandbox(dataJson = """{"smartgift": {"vouchers": [{"voucher_no": "X"}]}}""") }
    }

    @Test
    fun `a stopped sandbox refuses connections`() {
        val sg = SmartGift(SmartGiftConfig(apiKey = sb.smartgiftKey(), baseUrl = sb.smartgiftUrl(), maxRetries = 0, connectTimeoutMs = 1000))
        sb.stop()
        val e = assertThrows<VoucherException> { sg.check(voucherNo = "1000000001", siteId = "12") }
        assertEquals(ErrorKind.NETWORK, e.kind)
        assertTrue(e.retryable)
    }

    private companion object {
        const val ACME = 2L
        const val KEY_10 = "b45069f0c789fe686b7d538eb97b6d017225a119e43733f73ccd230f12024eb5"
    }
}
