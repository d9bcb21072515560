package voucherkit

import voucherkit.testing.Sandbox
import voucherkit.testing.SandboxException
import voucherkit.testing.ScriptedServer
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.DynamicTest
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestFactory
import org.junit.jupiter.api.fail

/**
 * The whole conformance corpus through the Kotlin binding: one dynamic test per case, named
 * after it, each printed with ok / FAILED, then `conformance: N passed, N failed` — the
 * same count and results as the Rust runner (`make conformance`).
 */
class ConformanceTest {
    companion object {
        private lateinit var server: ScriptedServer
        private var passed = 0
        private var failed = 0

        @JvmStatic
        @BeforeAll
        fun start() {
            server = ScriptedServer(baseDir = Corpus.dir.path)
        }

        /** Cases the corpus holds (counted from its files), and whether the factory ran. */
        private val expected = Corpus.caseCount()
        private var factoryRan = false

        @JvmStatic
        @AfterAll
        fun stop() {
            server.close()
            println("conformance: $passed passed, $failed failed")
            // Every case the factory made must have run: a silently skipped case fails.
            if (factoryRan) {
                assertEquals(expected, passed + failed, "the corpus holds $expected cases; ${passed + failed} were played")
            }
        }
    }

    @TestFactory
    fun corpus(): List<DynamicTest> {
        val names = mutableSetOf<String>()
        val files = Corpus.caseFiles()
        // The expected count comes from the corpus itself, never from a number written here.
        assertEquals(expected, files.size, "the corpus holds $expected cases; the runner found ${files.size}")
        factoryRan = true
        return files.map { file ->
            val case = Corpus.load(file)
            val name = case["name"]?.textValue() ?: file.name
            val duplicate = !names.add(name)
            DynamicTest.dynamicTest(name) {
                val why = try {
                    if (duplicate) "duplicate case name" else null.also { Corpus.play(server, case) }
                } catch (e: Corpus.CaseFailure) {
                    e.message
                } catch (e: Exception) {
                    "${e.javaClass.name}: ${e.message}"
                }
                if (why == null) {
                    passed++
                    println("conformance $name ... ok")
                } else {
                    failed++
                    println("conformance $name ... FAILED\n    ${why.replace("\n", "\n    ")}")
                    fail(why)
                }
            }
        }
    }

    /** The runner must be able to fail: every case, changed in one expectation (kind,
     *  message, a result field, a wire field), must be rejected. */
    @Test
    fun `every mutated case is caught`() {
        val uncaught = mutableListOf<String>()
        var mutated = 0
        Corpus.caseFiles().forEachIndexed { n, file ->
            val case = Corpus.load(file)
            val (what, changed) = Corpus.mutate(case, n) ?: return@forEachIndexed
            mutated++
            try {
                Corpus.play(server, changed)
                uncaught += "${case["name"].textValue()}: $what"
            } catch (_: Corpus.CaseFailure) {
                // caught, as it must be
            }
        }
        println("conformance self-check: $mutated mutated cases, ${mutated - uncaught.size} caught")
        assertEquals(listOf<String>(), uncaught, "changed cases that still passed")
        assertEquals(expected, mutated, "the corpus holds $expected cases; $mutated were mutated")
    }
}
