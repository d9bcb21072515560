package voucherkit

import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import java.io.ByteArrayOutputStream
import java.io.PrintStream

/**
 * The README's Kotlin quick start, as written: tools/readme_quickstart.py copies it into
 * target/generated-test-sources/readme (so it is compiled with the tests), and this runs it.
 */
class ReadmeTest {
    @Test
    fun `the README quick start runs as written`() {
        val main = Class.forName("ReadmeQuickStart").getMethod("main")
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
        assertTrue(printed.contains("remaining: 100"), printed)
        assertTrue(printed.contains("redeemed 10.00"), printed)
        assertTrue(printed.contains("refused: INVALID_AMOUNT"), printed)
    }
}
