package voucherkit

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import voucherkit.testing.coreErrorKinds
import voucherkit.testing.coreOptions

/**
 * The Kotlin API against the core's own lists (`ErrorKind::ALL`, `voucherkit_core::OPTIONS`,
 * reported by the test tools' library, built from the same core): an error kind or a
 * transport option added to the core and not exposed here fails these tests.
 */
class DriftTest {
    @Test
    fun `every core error kind is a Kotlin ErrorKind with its name and code`() {
        val core = coreErrorKinds()
        assertTrue(core.isNotEmpty())
        for (k in core) {
            val mine = ErrorKind.entries.firstOrNull { it.wireName == k.name }
                ?: throw AssertionError("core error kind ${k.name} (code ${k.code}) is not in the Kotlin ErrorKind")
            assertEquals(k.code.toInt(), mine.code, "code of ${k.name}")
        }
        assertEquals(core.map { it.name }, ErrorKind.entries.map { it.wireName }, "the Kotlin ErrorKind has kinds the core lacks")
    }

    /** A config property per core option: durations carry their unit (`timeoutMs`). */
    private fun property(name: String, kind: String): String {
        val camel = name.split('_').mapIndexed { i, w -> if (i == 0) w else w.replaceFirstChar { it.uppercase() } }.joinToString("")
        return if (kind == "duration") camel + "Ms" else camel
    }

    @Test
    fun `every core option is a property of both configs`() {
        val core = coreOptions()
        assertTrue(core.size >= 9)
        for (config in listOf(SmartGiftConfig::class.java, SpaazaConfig::class.java)) {
            val fields = config.declaredFields.map { it.name }.toSet()
            for (o in core) {
                val p = property(o.name, o.kind)
                assertTrue(p in fields, "core option ${o.name} (${o.kind}) is not ${config.simpleName}.$p")
            }
        }
    }

    /** One bad value per core option: each is refused naming the core's option. */
    private val badValues: Map<String, () -> Unit> = mapOf(
        "connect_timeout" to { SmartGift(SmartGiftConfig(apiKey = Secret("k"), connectTimeoutMs = -1)) },
        "timeout" to { SmartGift(SmartGiftConfig(apiKey = Secret("k"), timeoutMs = 0)) },
        "max_retries" to { Spaaza(SpaazaConfig(sessionUserId = 1, sessionKey = Secret("s"), maxRetries = -1)) },
        "max_idle_age" to { SmartGift(SmartGiftConfig(apiKey = Secret("k"), maxIdleAgeMs = -1)) },
        "max_idle_connections" to { SmartGift(SmartGiftConfig(apiKey = Secret("k"), maxIdleConnections = 1025)) },
        "ca_bundle" to { SmartGift(SmartGiftConfig(apiKey = Secret("k"), caBundle = "/nonexistent/ca.pem")) },
        "proxy" to { SmartGift(SmartGiftConfig(apiKey = Secret("k"), proxy = "socks5://127.0.0.1:1080")) },
        // Without the flag a plain-http host is refused (by its URL); the flag is what
        // lets it through, checked in ErrorsTest.
        "allow_insecure_http" to { SmartGift(SmartGiftConfig(apiKey = Secret("k"), baseUrl = "http://example.com", allowInsecureHttp = false)) },
        "app_info" to { Spaaza(SpaazaConfig(sessionUserId = 1, sessionKey = Secret("s"), appInfo = AppInfo(name = " "))) },
    )

    private val refusedAs = mapOf("allow_insecure_http" to "base_url")

    @Test
    fun `every core option reaches the core and is refused by its core name`() {
        assertEquals(coreOptions().map { it.name }.toSet(), badValues.keys, "a core option without a case here")
        for ((name, call) in badValues) {
            val e = assertThrows<VoucherException>(name) { call() }
            assertEquals(ErrorKind.INVALID_REQUEST, e.kind, "$name: ${e.errorMessage}")
            assertEquals(refusedAs[name] ?: name, e.field, "$name: ${e.errorMessage}")
        }
    }
}
