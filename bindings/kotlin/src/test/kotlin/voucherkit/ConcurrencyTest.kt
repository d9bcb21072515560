package voucherkit

import voucherkit.testing.Sandbox
import voucherkit.testing.SandboxException
import voucherkit.testing.ScriptedServer
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Test
import java.math.BigDecimal
import java.util.concurrent.CountDownLatch
import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit

/** One client shared by 8 threads: every call lands once, and the balances add up. */
class ConcurrencyTest {
    @Test
    fun `8 threads share one SmartGift client`() {
        Sandbox.start().use { sb ->
            val sg = SmartGift(SmartGiftConfig(apiKey = sb.smartgiftKey(), baseUrl = sb.smartgiftUrl()))
            val threads = 8
            val perThread = 10
            val pool = Executors.newFixedThreadPool(threads)
            val go = CountDownLatch(1)
            val futures = (1..threads).map {
                pool.submit<List<Long>> {
                    go.await()
                    (1..perThread).flatMap {
                        sg.check(voucherNo = "1000000001", siteId = "12")
                        sg.redeem(voucherNo = "1000000001", siteId = "12", value = BigDecimal("1.00")).redemptions
                    }
                }
            }
            go.countDown()
            val ids = futures.flatMap { it.get(60, TimeUnit.SECONDS) }
            pool.shutdown()
            // 80 redeems of 1.00 from 100.00: each happened exactly once, with its own id.
            assertEquals(threads * perThread, ids.toSet().size)
            assertEquals(0, BigDecimal("20.00").compareTo(sg.check(voucherNo = "1000000001", siteId = "12").remainingValue))
            val redeems = Corpus.parse(sb.requestsJson()).count { it["path"].textValue() == "/smartgift/redeem" }
            assertEquals(threads * perThread, redeems)
        }
    }

    @Test
    fun `8 threads share one Spaaza client`() {
        Sandbox.start().use { sb ->
            val sp = Spaaza(SpaazaConfig(sessionUserId = sb.spaazaSessionUserId(), sessionKey = sb.spaazaSessionKey(), baseUrl = sb.spaazaUrl()))
            val pool = Executors.newFixedThreadPool(8)
            val results = (1..8).map {
                pool.submit<Long?> { sp.getVouchers(chainId = 2, showAllStatuses = true).resultsCountTotal }
            }.map { it.get(60, TimeUnit.SECONDS) }
            pool.shutdown()
            assertEquals(1, results.toSet().size)
            assertEquals(8, Corpus.parse(sb.requestsJson()).size())
        }
    }
}
