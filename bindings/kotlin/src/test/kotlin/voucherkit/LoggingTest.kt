package voucherkit

import voucherkit.testing.Sandbox
import voucherkit.testing.SandboxException
import voucherkit.testing.ScriptedServer
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.BeforeEach
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import java.math.BigDecimal
import java.util.Collections

/** The request logger, the warning logger and the option ranges, over real HTTP. */
class LoggingTest {
    companion object {
        private const val KEY = "sk_test_kotlin_logging_0001"
        private const val SESSION = "sess_kotlin_logging_0001"
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

    @BeforeEach
    fun reset() = server.reset()

    private fun requestCount() = Corpus.parse(server.requestsJson()).size()

    private fun refused(field: String, call: () -> Unit) {
        val e = assertThrows<VoucherException>(call)
        assertEquals(ErrorKind.INVALID_REQUEST, e.kind, e.errorMessage)
        assertEquals(field, e.field, e.errorMessage)
    }

    @Test
    fun `maxIdleConnections is checked by the core`() {
        refused("max_idle_connections") { SmartGift(SmartGiftConfig(apiKey = Secret(KEY), maxIdleConnections = 1025)) }
        refused("max_idle_connections") { SmartGift(SmartGiftConfig(apiKey = Secret(KEY), maxIdleConnections = -1)) }
        refused("max_idle_connections") {
            Spaaza(SpaazaConfig(sessionUserId = 1, sessionKey = Secret(SESSION), maxIdleConnections = 1025))
        }
        // The bounds themselves are allowed, and a client without a pool still works.
        SmartGift(SmartGiftConfig(apiKey = Secret(KEY), maxIdleConnections = 1024))
        val noPool = SmartGift(SmartGiftConfig(apiKey = Secret(KEY), baseUrl = server.url(), maxIdleConnections = 0))
        server.push("""{"status":200,"body_file":"bodies/smartgift-check-monetary.json"}""")
        assertEquals("monetary", noPool.check(voucherNo = "XXXXXXXXXX", siteId = "12").voucherType)
    }

    @Test
    fun `durations past an hour are refused by name, never a crash`() {
        refused("timeout") { SmartGift(SmartGiftConfig(apiKey = Secret(KEY), timeoutMs = Long.MAX_VALUE)) }
        refused("timeout") { Spaaza(SpaazaConfig(sessionUserId = 1, sessionKey = Secret(SESSION), timeoutMs = Long.MAX_VALUE)) }
        refused("connect_timeout") { SmartGift(SmartGiftConfig(apiKey = Secret(KEY), connectTimeoutMs = Long.MAX_VALUE)) }
        refused("max_idle_age") { SmartGift(SmartGiftConfig(apiKey = Secret(KEY), maxIdleAgeMs = Long.MAX_VALUE)) }
        refused("timeout") { SmartGift(SmartGiftConfig(apiKey = Secret(KEY), timeoutMs = 3_600_001)) }
        SmartGift(SmartGiftConfig(apiKey = Secret(KEY), timeoutMs = 3_600_000))
    }

    @Test
    fun `the request logger sees every attempt and no secret`() {
        val seen = Collections.synchronizedList(mutableListOf<RequestLog>())
        val sg = SmartGift(
            SmartGiftConfig(apiKey = Secret(KEY), baseUrl = server.url(), logger = RequestLogger { seen.add(it) }),
        )
        // Two 429s, retried as asked, then the answer: three attempts, three entries.
        val tooMany = """{"status":429,"headers":{"Retry-After":"0"},"body":{"message":"Too Many Attempts."}}"""
        server.push("""[$tooMany, $tooMany, {"status":200,"body_file":"bodies/smartgift-check-monetary.json"}]""")
        assertEquals("monetary", sg.check(voucherNo = "XXXXXXXXXX", siteId = "12").voucherType)
        assertEquals(3, requestCount())
        assertEquals(listOf(1, 2, 3), seen.map { it.attempt })
        assertEquals(listOf(429, 429, 200), seen.map { it.status })
        assertTrue(seen.all { it.provider == "smartgift" && it.method == "POST" && it.path == "/redeem/check" }, "$seen")
        assertTrue(seen.all { it.durationMs >= 0.0 && it.durationMs < 60_000.0 && it.failure == null }, "$seen")
        // A connection reset after sending: no status, a failure, and no retry.
        server.push("""{"fault":{"kind":"reset"}}""")
        assertEquals(ErrorKind.NETWORK, assertThrows<VoucherException> { sg.check(voucherNo = "XXXXXXXXXX", siteId = "12") }.kind)
        assertEquals(4, seen.size)
        assertEquals(1, seen[3].attempt)
        assertNull(seen[3].status)
        assertNotNull(seen[3].failure)
        assertFalse(seen.toString().contains(KEY), "$seen")

        // Spaaza: the query (it names the customer) and the session key stay out.
        seen.clear()
        server.reset()
        val sp = Spaaza(
            SpaazaConfig(
                sessionUserId = 1,
                sessionKey = Secret(SESSION),
                baseUrl = server.url(),
                logger = RequestLogger { seen.add(it) },
            ),
        )
        server.push("""{"status":200,"body_file":"bodies/spaaza-get-vouchers.json"}""")
        sp.getVouchers(chainId = 2, username = "jane@example.com")
        assertEquals(1, seen.size)
        assertEquals(RequestLog("spaaza", "GET", "/get-vouchers", 200, seen[0].durationMs, 1, null, null, null), seen[0])
        assertFalse(seen.toString().contains("jane"), "$seen")
        assertFalse(seen.toString().contains(SESSION), "$seen")
    }

    @Test
    fun `a logger that calls voucherkit itself does not change the outcome`() {
        // The logger's own client: nothing listens on port 1, and it does not retry.
        val dead = SmartGift(SmartGiftConfig(apiKey = Secret(KEY), baseUrl = "http://127.0.0.1:1", maxRetries = 0, timeoutMs = 1000))
        val nested = Collections.synchronizedList(mutableListOf<ErrorKind>())
        val sg = SmartGift(
            SmartGiftConfig(
                apiKey = Secret(KEY),
                baseUrl = server.url(),
                timeoutMs = 400,
                logger = RequestLogger {
                    val e = assertThrows<VoucherException> { dead.check(voucherNo = "V9", siteId = "12") }
                    nested.add(e.kind)
                },
            ),
        )
        // The redeem stalls: sent, so outcome_unknown and never sent again. Answers queued
        // behind the stall would let a second send succeed, and show.
        server.push(
            """[{"fault":{"kind":"stall"}},
                {"status":200,"body_file":"bodies/smartgift-redeem-success.json"},
                {"status":200,"body_file":"bodies/smartgift-redeem-success.json"}]""",
        )
        val e = assertThrows<VoucherException> { sg.redeem(voucherNo = "SG-1", siteId = "12", value = BigDecimal("10.00")) }
        assertEquals(ErrorKind.OUTCOME_UNKNOWN, e.kind, e.errorMessage)
        assertFalse(e.retryable)
        assertEquals(1, requestCount())
        assertEquals(2u, server.pending())
        assertEquals(listOf(ErrorKind.NETWORK), nested) // the logger's own call really ran
    }

    @Test
    fun `a logger that throws does not fail the call`() {
        val calls = Collections.synchronizedList(mutableListOf<String>())
        val throwing = listOf<() -> Nothing>(
            { throw IllegalStateException("a broken logger") },
            { throw VoucherException.Failure(ErrorKind.INTERNAL, "from a logger", null, mapOf(), null, null, null, false, null, null) },
        )
        for (fail in throwing) {
            server.reset()
            val sp = Spaaza(
                SpaazaConfig(
                    sessionUserId = 1,
                    sessionKey = Secret(SESSION),
                    baseUrl = server.url(),
                    logger = RequestLogger { calls.add(it.path); fail() },
                    warningLogger = WarningLogger { calls.add(it.operation); fail() },
                ),
            )
            server.push(
                """{"status":200,"body":{"result":{"code":1,"status":"ok"},
                    "results":{"voucher_key":"k1","voucher_id":77,"voucher_status":"claimed"}}}""",
            )
            assertEquals("claimed", sp.redeemVoucher(chainId = 2, voucherKey = "k1").voucherStatus)
        }
        assertEquals(List(2) { listOf("/auth/redeem-voucher", "redeem-voucher") }.flatten(), calls)
    }

    @Test
    fun `the warning logger hears Spaaza's ok for a voucher that is not redeemed`() {
        val warnings = Collections.synchronizedList(mutableListOf<Warning>())
        val sp = Spaaza(
            SpaazaConfig(
                sessionUserId = 1,
                sessionKey = Secret(SESSION),
                baseUrl = server.url(),
                warningLogger = WarningLogger { warnings.add(it) },
            ),
        )
        server.push("""{"status":200,"body_file":"bodies/spaaza-redeem-voucher-success.json"}""")
        assertEquals("redeemed", sp.redeemVoucher(chainId = 2, voucherKey = "k1").voucherStatus)
        assertEquals(listOf<Warning>(), warnings)

        server.push(
            """{"status":200,"body":{"result":{"code":1,"status":"ok"},
                "results":{"voucher_key":"k1","voucher_id":246813,"voucher_status":"claimed"}}}""",
        )
        assertEquals("claimed", sp.redeemVoucher(chainId = 2, voucherKey = "k1").voucherStatus)
        assertEquals(1, warnings.size)
        assertEquals("spaaza", warnings[0].provider)
        assertEquals("redeem-voucher", warnings[0].operation)
        assertTrue(warnings[0].message.contains("246813"), warnings[0].message)
    }
}
