package voucherkit

import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import java.io.ByteArrayOutputStream
import java.io.PrintStream

/**
 * The README's Kotlin examples, as written: tools/readme_quickstart.py copies them into
 * target/generated-test-sources/readme (so they are compiled with the tests), and this
 * runs each one's `main()`.
 */
class ReadmeTest {
    private fun run(className: String): String {
        val main = Class.forName(className).getMethod("main")
        val out = ByteArrayOutputStream()
        val saved = System.out
        System.setOut(PrintStream(out, true, "UTF-8"))
        try {
            main.invoke(null)
        } finally {
            System.setOut(saved)
        }
        val printed = out.toString("UTF-8")
        print(printed)
        return printed
    }

    @Test
    fun `the README quick start runs as written`() {
        val printed = run("ReadmeQuickStart")
        assertTrue(printed.contains("remaining: 100"), printed)
        assertTrue(printed.contains("redeemed 10.00"), printed)
        assertTrue(printed.contains("refused: INVALID_AMOUNT"), printed)
    }

    @Test
    fun `the README lost-answer example runs as written`() {
        val printed = run("lostanswer.ReadmeLostAnswer")
        // The redeem's answer was lost, its entry named, and reconcile found it applied.
        assertTrue(Regex("OUTCOME_UNKNOWN: journal entry [0-9a-f-]{36}\n").containsMatchIn(printed), printed)
        assertTrue(printed.contains("sale-42: applied\n"), printed)
        assertTrue(printed.contains("still unknown: 0\n"), printed)
    }
}
