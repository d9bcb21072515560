package voucherkit

import voucherkit.testing.Sandbox
import voucherkit.testing.SandboxException
import voucherkit.testing.ScriptedServer
import com.fasterxml.jackson.databind.JsonNode
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.BeforeEach
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import org.junit.jupiter.api.io.TempDir
import java.math.BigDecimal
import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.attribute.PosixFilePermissions
import java.time.Duration
import java.time.Instant
import java.util.concurrent.CountDownLatch
import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit

/** The redemption journal and reconcile, over real HTTP against the stateful sandbox. */
class JournalTest {
    private lateinit var sb: Sandbox

    @TempDir
    lateinit var dir: Path

    @BeforeEach
    fun start() {
        sb = Sandbox.start()
    }

    @AfterEach
    fun stop() {
        sb.close()
    }

    // A short deadline: a stalled answer becomes OUTCOME_UNKNOWN quickly.
    private fun smartGift(journal: Journal?) = SmartGift(
        SmartGiftConfig(apiKey = sb.smartgiftKey(), baseUrl = sb.smartgiftUrl(), timeoutMs = 600, maxRetries = 0, journal = journal),
    )

    private fun spaaza(journal: Journal?) = Spaaza(
        SpaazaConfig(
            sessionUserId = sb.spaazaSessionUserId(),
            sessionKey = sb.spaazaSessionKey(),
            baseUrl = sb.spaazaUrl(),
            timeoutMs = 600,
            maxRetries = 0,
            journal = journal,
        ),
    )

    private fun paths(): List<String> = Corpus.parse(sb.requestsJson()).map { it["path"].textValue() }

    private fun json(text: String?): JsonNode = Corpus.parse(checkNotNull(text) { "no JSON" })

    private fun lose(path: String, kind: String, processed: Boolean) {
        assertEquals(1u, sb.injectFault("""{"path": "$path", "process": $processed, "times": 1, "answer": {"fault": {"kind": "$kind"}}}"""))
    }

    private fun remaining(sg: SmartGift, voucherNo: String = "1000000001"): BigDecimal =
        checkNotNull(sg.check(voucherNo = voucherNo, siteId = "12").remainingValue)

    private fun refused(field: String, call: () -> Unit) {
        val e = assertThrows<VoucherException> { call() }
        assertEquals(ErrorKind.INVALID_REQUEST, e.kind, e.toString())
        assertEquals(field, e.field, e.toString())
    }

    @Test
    fun `a journaled redeem reads first and records what happened`() {
        val journal = Journal(":memory:")
        assertEquals(":memory:", journal.path())
        val sg = smartGift(journal)
        val started = Instant.now().minusSeconds(1)
        val done = sg.redeem(voucherNo = "1000000001", siteId = "12", value = BigDecimal("10.00"), reference = "sale-1")
        val id = checkNotNull(done.journalId)
        assertEquals(listOf("/smartgift/redeem/check", "/smartgift/redeem"), paths())

        val e = checkNotNull(journal.entry(id))
        assertEquals(id, e.id)
        assertEquals("applied", e.state)
        assertEquals("sale-1", e.reference)
        assertEquals("smartgift", e.provider)
        assertEquals("redeem", e.operation)
        assertEquals("10.00", json(e.request)["value"].textValue())
        assertEquals("100", json(e.before)["remaining_value"].textValue())
        assertEquals(done.redemptions, json(e.result)["redemptions"].map { it.longValue() })
        assertNull(e.error)
        assertTrue(e.createdAt.isAfter(started) && e.createdAt.isBefore(Instant.now().plusSeconds(1)), "${e.createdAt}")
        assertFalse(checkNotNull(e.resolvedAt).isBefore(e.createdAt))
        assertEquals(0, e.reconcileAttempts)
        // Nothing is open: reconcile examines nothing.
        assertEquals(listOf<JournalEntry>(), sg.reconcile())

        // The record form carries the reference the same way; a reverse is journaled too.
        val more = sg.redeem(RedeemRequest(voucherNo = "1000000001", siteId = SiteId.Text("12"), value = BigDecimal("5.00"), reference = "sale-2"))
        assertEquals("sale-2", journal.entry(more.journalId!!)!!.reference)
        val back = sg.reverse(voucherNo = "1000000001", siteId = "12", redemptions = done.redemptions, reference = "sale-1")
        val reversed = journal.entry(checkNotNull(back.journalId))!!
        assertEquals(listOf("reverse", "applied", "sale-1"), listOf(reversed.operation, reversed.state, reversed.reference))
        assertEquals(0, BigDecimal("95.00").compareTo(remaining(sg)))

        // A definite refusal is not_applied at once, and the error names its entry.
        val tooMuch = assertThrows<VoucherException> {
            sg.redeem(voucherNo = "1000000002", siteId = "12", value = BigDecimal("500.00"), reference = "sale-3")
        }
        assertEquals(ErrorKind.INVALID_AMOUNT, tooMuch.kind)
        val refusedEntry = journal.entry(checkNotNull(tooMuch.journalId))!!
        assertEquals("not_applied", refusedEntry.state)
        assertEquals("invalid_amount", json(refusedEntry.error)["kind"].textValue())
        assertNull(refusedEntry.result)

        // A client without a journal: no entry, no journalId, only the redeem on the wire.
        sb.reset()
        val plain = smartGift(null).redeem(voucherNo = "1000000001", siteId = "12", value = BigDecimal("1.00"), reference = "sale-4")
        assertNull(plain.journalId)
        assertEquals(listOf("/smartgift/redeem"), paths())
        assertEquals(listOf<JournalEntry>(), journal.entries(reference = "sale-4"))
    }

    @Test
    fun `a lost answer after the redeem happened is reconciled as applied`() {
        val journal = Journal(":memory:")
        val sg = smartGift(journal)
        lose("/smartgift/redeem", "stall", processed = true)
        val e = assertThrows<VoucherException> {
            sg.redeem(voucherNo = "1000000001", siteId = "12", value = BigDecimal("10.00"), reference = "sale-42")
        }
        assertEquals(ErrorKind.OUTCOME_UNKNOWN, e.kind, e.toString())
        val id = checkNotNull(e.journalId)
        assertEquals("unknown", journal.entry(id)!!.state)
        assertEquals(listOf(id), journal.entries(state = "unknown").map { it.id })

        val settled = sg.reconcile()
        assertEquals(listOf(id), settled.map { it.id })
        val s = settled[0]
        assertEquals("applied", s.state, s.toString())
        assertEquals("sale-42", s.reference)
        assertFalse(s.certain, "no hold: evidence, not proof")
        assertEquals(1, s.reconcileAttempts)
        assertNotNull(s.note)
        assertNotNull(s.resolvedAt)
        assertEquals(s, journal.entry(id))
        assertEquals(listOf<JournalEntry>(), sg.reconcile(), "settled once")
        assertEquals(0, BigDecimal("90.00").compareTo(remaining(sg)))
    }

    @Test
    fun `a lost request that never happened is reconciled as not applied`() {
        val journal = Journal(":memory:")
        val sg = smartGift(journal)
        // The server reads the request and closes the connection without acting on it.
        lose("/smartgift/redeem", "close", processed = false)
        val e = assertThrows<VoucherException> {
            sg.redeem(voucherNo = "1000000001", siteId = "12", value = BigDecimal("10.00"), reference = "sale-43")
        }
        assertEquals(ErrorKind.OUTCOME_UNKNOWN, e.kind, e.toString())
        val settled = sg.reconcile()
        assertEquals(listOf(e.journalId), settled.map { it.id })
        assertEquals("not_applied", settled[0].state, settled[0].toString())
        assertEquals(0, BigDecimal("100").compareTo(remaining(sg)))
    }

    @Test
    fun `spaaza needs a voucher id with a journal and is reconciled by status`() {
        val journal = Journal(":memory:")
        val sp = spaaza(journal)
        refused("voucher_id") { sp.redeemVoucher(chainId = ACME, voucherKey = KEY_10) }
        refused("voucher_id") { sp.redeemVoucher(RedeemVoucherRequest(chainId = ACME, voucherKey = KEY_10, reference = "basket-1")) }
        assertEquals(listOf<String>(), paths(), "nothing sent")
        assertEquals(listOf<JournalEntry>(), journal.entries())

        lose("/spaaza/auth/redeem-voucher", "truncate", processed = true)
        val e = assertThrows<VoucherException> {
            sp.redeemVoucher(chainId = ACME, voucherId = 438595, amount = BigDecimal("2.00"), reference = "basket-9")
        }
        assertEquals(ErrorKind.OUTCOME_UNKNOWN, e.kind, e.toString())
        val settled = sp.reconcile()
        assertEquals(listOf(e.journalId), settled.map { it.id })
        val s = settled[0]
        assertEquals(listOf("applied", "spaaza", "redeem_voucher", "basket-9"), listOf(s.state, s.provider, s.operation, s.reference))
        assertTrue(s.certain, "redeemed within the call's window, for the amount asked")
        assertEquals("redeemed", json(s.result)["voucher_status"].textValue())

        // A journaled success carries its entry's id.
        val ok = sp.redeemVoucher(chainId = ACME, voucherId = 35735, reference = "basket-10")
        assertEquals("basket-10", journal.entry(checkNotNull(ok.journalId))!!.reference)
        assertEquals(listOf<JournalEntry>(), sp.reconcile())
    }

    @Test
    fun `reconcile without a journal is refused by name`() {
        refused("journal") { smartGift(null).reconcile() }
        refused("journal") { spaaza(null).reconcile() }
        assertEquals(listOf<String>(), paths())
    }

    @Test
    fun `entries are filtered by state reference provider time and count`() {
        val journal = Journal(":memory:")
        val sg = smartGift(journal)
        val sp = spaaza(journal)
        val before = Instant.now().minusSeconds(1)
        sg.redeem(voucherNo = "1000000001", siteId = "12", value = BigDecimal("1.00"), reference = "sale-a")
        assertThrows<VoucherException> { sg.redeem(voucherNo = "1000000002", siteId = "12", value = BigDecimal("500"), reference = "sale-b") }
        sp.redeemVoucher(chainId = ACME, voucherId = 35735, reference = "basket-c")
        lose("/smartgift/redeem", "reset", processed = true)
        val lost = assertThrows<VoucherException> { sg.redeem(voucherNo = "1000000001", siteId = "12", value = BigDecimal("2.00"), reference = "sale-d") }

        val all = journal.entries()
        assertEquals(listOf("sale-d", "basket-c", "sale-b", "sale-a"), all.map { it.reference }, "newest first")
        assertEquals(all, journal.entries(JournalFilter()))
        assertEquals(listOf("basket-c", "sale-a"), journal.entries(state = "applied").map { it.reference })
        assertEquals(listOf("sale-b"), journal.entries(state = "not_applied").map { it.reference })
        assertEquals(listOf(lost.journalId), journal.entries(JournalFilter(state = "unknown")).map { it.id })
        assertEquals(listOf<JournalEntry>(), journal.entries(state = "pending"))
        assertEquals(listOf("sale-a"), journal.entries(reference = "sale-a").map { it.reference })
        assertEquals(listOf("redeem_voucher"), journal.entries(provider = "spaaza").map { it.operation })
        assertEquals(3, journal.entries(provider = "smartgift").size)
        assertEquals(listOf("sale-b"), journal.entries(provider = "smartgift", state = "not_applied").map { it.reference })
        assertEquals(listOf("sale-d", "basket-c"), journal.entries(limit = 2).map { it.reference })
        assertEquals(listOf<JournalEntry>(), journal.entries(limit = 0))
        assertEquals(4, journal.entries(since = before).size)
        assertEquals(listOf<JournalEntry>(), journal.entries(since = Instant.now().plusSeconds(60)))
        assertTrue(journal.entries(since = all[0].createdAt).map { it.id }.contains(all[0].id))
        assertNull(journal.entry("0190aaaa-0000-7000-8000-000000000000"))

        refused("state") { journal.entries(state = "done") }
        refused("state") { journal.entries(JournalFilter(state = "Applied")) }
        refused("provider") { journal.entries(provider = "SmartGift") }
        refused("limit") { journal.entries(limit = -1) }
    }

    @Test
    fun `a journal that cannot be used is refused when opened`() {
        refused("journal") { Journal(dir.toString()) }
        refused("journal") { Journal(dir.resolve("missing/till.journal").toString()) }
        val text = dir.resolve("notes.txt")
        Files.writeString(text, "not a database, just some text that is long enough")
        refused("journal") { Journal(text.toString()) }
        // Refused before anything else happens: the file is left as it was.
        assertEquals("not a database, just some text that is long enough", Files.readString(text))
    }

    @Test
    fun `the journal file holds no key and outlives its handle`() {
        val path = dir.resolve("till.journal")
        val journal = Journal(path.toString())
        assertEquals(path.toString(), journal.path())
        val sg = smartGift(journal)
        val sp = spaaza(journal)
        // The clients keep the journal open after this handle is closed.
        journal.close()
        sg.redeem(voucherNo = "1000000001", siteId = "12", value = BigDecimal("1.00"), reference = "sale-x")
        sp.redeemVoucher(chainId = ACME, voucherId = 35735, reference = "basket-x")

        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(path)))
        fun bytes(): ByteArray = listOf("", "-wal", "-shm")
            .map { dir.resolve("till.journal$it") }
            .filter { Files.exists(it) }
            .fold(ByteArray(0)) { acc, p -> acc + Files.readAllBytes(p) }
        fun holds(all: ByteArray, s: String): Boolean {
            val needle = s.toByteArray()
            return (0..all.size - needle.size).any { i -> needle.indices.all { all[i + it] == needle[it] } }
        }
        fun assertNoKey(moment: String) {
            val all = bytes()
            assertTrue(holds(all, "sale-x") && holds(all, "basket-x"), "the journal's files were read ($moment)")
            for (secret in listOf(sb.smartgiftKey().reveal(), sb.spaazaSessionKey().reveal())) {
                assertFalse(holds(all, secret), "the journal holds a key ($moment)")
            }
        }
        assertNoKey("open")
        sg.close()
        sp.close()
        assertNoKey("closed")
        Journal(path.toString()).use { again ->
            assertEquals(listOf("basket-x", "sale-x"), again.entries().map { it.reference })
        }
    }

    @Test
    fun `a journal that cannot record the call stops the write`() {
        val path = dir.resolve("broken.journal")
        val journal = Journal(path.toString())
        val sg = smartGift(journal)
        sg.redeem(voucherNo = "1000000001", siteId = "12", value = BigDecimal("1.00"))
        // Something else overwrites the journal's files under the open journal (as a
        // failing disk would): the next entry cannot be written, so nothing is sent.
        val junk = "this is not a database page, it is text written over the journal. ".repeat(512).toByteArray()
        for (suffix in listOf("", "-wal", "-shm")) {
            val f = dir.resolve("broken.journal$suffix")
            if (Files.exists(f)) Files.write(f, junk.copyOf(maxOf(Files.size(f).toInt(), junk.size)))
        }
        sb.reset()
        val e = assertThrows<VoucherException> {
            sg.redeem(voucherNo = "1000000001", siteId = "12", value = BigDecimal("1.00"), reference = "sale-z")
        }
        assertEquals(ErrorKind.JOURNAL, e.kind, e.toString())
        assertFalse(e.retryable)
        assertNull(e.journalId)
        assertFalse(paths().contains("/smartgift/redeem"), "the redeem was not sent")
        assertEquals(ErrorKind.JOURNAL, assertThrows<VoucherException> { sg.reconcile() }.kind)
        assertEquals(ErrorKind.JOURNAL, assertThrows<VoucherException> { journal.entries() }.kind)
    }

    @Test
    fun `8 threads share one journaled client, then reconcile`() {
        val journal = Journal(dir.resolve("threads.journal").toString())
        val sg = SmartGift(SmartGiftConfig(apiKey = sb.smartgiftKey(), baseUrl = sb.smartgiftUrl(), journal = journal))
        val threads = 8
        val perThread = 5
        val pool = Executors.newFixedThreadPool(threads)
        val go = CountDownLatch(1)
        val futures = (1..threads).map { t ->
            pool.submit<List<String>> {
                go.await()
                (1..perThread).map { n ->
                    sg.redeem(voucherNo = "1000000001", siteId = "12", value = BigDecimal("1.00"), reference = "till-$t-$n").journalId!!
                }
            }
        }
        go.countDown()
        val ids = futures.flatMap { it.get(120, TimeUnit.SECONDS) }
        assertEquals(threads * perThread, ids.toSet().size)
        val applied = journal.entries(state = "applied")
        assertEquals(ids.toSet(), applied.map { it.id }.toSet())
        assertEquals((1..threads).flatMap { t -> (1..perThread).map { "till-$t-$it" } }.toSet(), applied.map { it.reference }.toSet())
        assertEquals(listOf<JournalEntry>(), sg.reconcile(), "nothing open")

        // One answer lost; eight reconciles at once settle it exactly once.
        val short = SmartGift(SmartGiftConfig(apiKey = sb.smartgiftKey(), baseUrl = sb.smartgiftUrl(), timeoutMs = 600, maxRetries = 0, journal = journal))
        lose("/smartgift/redeem", "stall", processed = true)
        val lost = assertThrows<VoucherException> { short.redeem(voucherNo = "1000000001", siteId = "12", value = BigDecimal("1.00")) }
        assertEquals(ErrorKind.OUTCOME_UNKNOWN, lost.kind)
        val start = CountDownLatch(1)
        val reconciles = (1..threads).map { pool.submit<List<JournalEntry>> { start.await(); sg.reconcile() } }
        start.countDown()
        val examined = reconciles.flatMap { it.get(120, TimeUnit.SECONDS) }
        pool.shutdown()
        assertEquals(listOf(lost.journalId), examined.map { it.id })
        assertEquals("applied", examined[0].state)
        assertEquals(0, BigDecimal("59.00").compareTo(remaining(sg)))
        assertTrue(Duration.between(examined[0].createdAt, examined[0].resolvedAt) >= Duration.ZERO)
    }

    private companion object {
        const val ACME = 2L
        const val KEY_10 = "b45069f0c789fe686b7d538eb97b6d017225a119e43733f73ccd230f12024eb5"
    }
}
