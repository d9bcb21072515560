package voucherkit

import com.fasterxml.jackson.databind.JsonNode
import com.fasterxml.jackson.databind.node.ArrayNode
import com.fasterxml.jackson.databind.node.JsonNodeFactory
import com.fasterxml.jackson.databind.node.NullNode
import com.fasterxml.jackson.databind.node.ObjectNode
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import voucherkit.testing.Sandbox
import java.io.File
import java.time.Duration

/**
 * The journal scenarios of tests/conformance/journal/ (format: tests/conformance/README.md,
 * "Journal scenarios"), played through the Kotlin API against the stateful sandbox, as
 * core/tests/journal_scenarios.rs plays them through the core. Each scenario also runs as a
 * copy with its last expected state, kind or request path changed, which must fail.
 */
class JournalScenarioTest {
    private class ScenarioFailure(message: String) : Exception(message)

    private fun fail(message: String): Nothing = throw ScenarioFailure(message)

    private val nodes = JsonNodeFactory.instance

    private class Run(config: JsonNode?) : AutoCloseable {
        val sandbox: Sandbox = Sandbox.start()
        val journal = Journal(":memory:")
        private val timeoutMs = config?.get("timeout_ms")?.longValue() ?: 2000
        private val maxRetries = config?.get("max_retries")?.intValue() ?: 0
        val sg = SmartGift(
            SmartGiftConfig(
                apiKey = sandbox.smartgiftKey(),
                baseUrl = sandbox.smartgiftUrl(),
                timeoutMs = timeoutMs,
                maxRetries = maxRetries,
                journal = journal,
            ),
        )
        val sp = Spaaza(
            SpaazaConfig(
                sessionUserId = sandbox.spaazaSessionUserId(),
                sessionKey = sandbox.spaazaSessionKey(),
                baseUrl = sandbox.spaazaUrl(),
                timeoutMs = timeoutMs,
                maxRetries = maxRetries,
                journal = journal,
            ),
        )
        val vars = mutableMapOf<String, JsonNode>()

        /** Provider requests already compared by a `requests` step. */
        var seen = 0

        override fun close() {
            sg.close()
            sp.close()
            journal.close()
            sandbox.close()
        }
    }

    /** `"$name"` strings become the value saved under `name`, anywhere in `v`. */
    private fun resolve(run: Run, v: JsonNode?): JsonNode = when {
        v == null -> NullNode.instance
        v.isTextual && v.textValue().startsWith("$") ->
            run.vars[v.textValue().substring(1)] ?: fail("${v.textValue()} was never saved")
        v.isArray -> nodes.arrayNode().apply { v.forEach { add(resolve(run, it)) } }
        v.isObject -> nodes.objectNode().apply { v.properties().forEach { (k, x) -> set<JsonNode>(k, resolve(run, x)) } }
        else -> v
    }

    private fun play(scenario: JsonNode) {
        Run(scenario["config"]).use { run ->
            val steps = scenario["steps"] ?: fail("no steps")
            steps.forEachIndexed { i, step ->
                try {
                    step(run, step)
                } catch (e: ScenarioFailure) {
                    fail("step $i: ${e.message}")
                } catch (e: VoucherException) {
                    fail("step $i: ${e.kind.wireName}: ${e.errorMessage}")
                }
            }
        }
    }

    private fun step(run: Run, step: JsonNode) {
        if (!step.isObject) fail("a step must be an object")
        step["fault"]?.let { run.sandbox.injectFault(it.toString()); return }
        if (step.has("clear_faults")) {
            run.sandbox.clearFaults()
            return
        }
        step["advance_clock"]?.let { run.sandbox.advanceClock(Duration.ofMillis((it.doubleValue() * 1000).toLong())); return }
        step["call"]?.textValue()?.let { call ->
            val input = resolve(run, step["input"])
            val (actual, saveFrom) = try {
                val result = call(run, call, input)
                nodes.objectNode().set<JsonNode>("result", result) to result
            } catch (e: VoucherException) {
                val error = Corpus.errorJson(e)
                nodes.objectNode().set<JsonNode>("error", error) to error
            }
            matches(resolve(run, step["expect"]), actual, "expect")
            step["save"]?.properties()?.forEach { (name, field) ->
                run.vars[name] = saveFrom[field.textValue()] ?: NullNode.instance
            }
            return
        }
        step["reconcile"]?.textValue()?.let { provider ->
            val entries = when (provider) {
                "smartgift" -> run.sg.reconcile()
                "spaaza" -> run.sp.reconcile()
                else -> fail("unknown provider $provider")
            }
            matches(resolve(run, step["expect"]), entriesJson(entries), "reconcile")
            return
        }
        step["entries"]?.let { filter ->
            val known = setOf("state", "reference", "provider", "limit")
            filter.fieldNames().asSequence().firstOrNull { it !in known }?.let { fail("unknown filter key $it") }
            val entries = run.journal.entries(
                state = filter["state"]?.textValue(),
                reference = filter["reference"]?.textValue(),
                provider = filter["provider"]?.textValue(),
                limit = filter["limit"]?.intValue(),
            )
            matches(resolve(run, step["expect"]), entriesJson(entries), "entries")
            return
        }
        step["requests"]?.let { expected ->
            val all = Corpus.parse(run.sandbox.requestsJson())
            val new = nodes.arrayNode()
            for (n in run.seen until all.size()) {
                val r = all[n]
                new.add("${r["method"].textValue()} ${r["path"].textValue().substringBefore('?')}")
            }
            run.seen = all.size()
            matches(expected, new, "requests")
            return
        }
        fail("unknown step $step")
    }

    private fun call(run: Run, call: String, i: JsonNode): JsonNode {
        fun s(k: String): String? = i[k]?.takeUnless { it.isNull }?.let { if (it.isTextual) it.textValue() else fail("$k must be a string") }
        fun n(k: String): Long? = i[k]?.takeUnless { it.isNull }?.let { if (it.isIntegralNumber) it.longValue() else fail("$k must be an integer") }
        fun site(): SiteId = i["site_id"]?.let { if (it.isTextual) SiteId.Text(it.textValue()) else if (it.isIntegralNumber) SiteId.Number(it.longValue()) else null } ?: fail("site_id")
        fun longs(k: String): List<Long>? = i[k]?.takeUnless { it.isNull }?.map { it.longValue() }
        val voucherNo = s("voucher_no") ?: ""
        return when (call) {
            "smartgift.check" -> Corpus.voucherJson(run.sg.check(voucherNo = voucherNo, siteId = site()))
            "smartgift.hold" -> run.sg.hold(voucherNo = voucherNo).let {
                obj(
                    "message" to nodes.textNode(it.message),
                    "hold_token" to nodes.textNode(it.holdToken),
                    "received_at" to nodes.textNode(it.receivedAt.toString()),
                    "raw" to Corpus.parse(it.raw),
                )
            }
            "smartgift.release" -> run.sg.release(voucherNo = voucherNo, holdToken = s("hold_token") ?: "").let {
                obj("message" to nodes.textNode(it.message), "raw" to Corpus.parse(it.raw))
            }
            "smartgift.redeem" -> run.sg.redeem(
                voucherNo = voucherNo,
                siteId = site(),
                value = s("value")?.toBigDecimal(),
                experiences = longs("experiences"),
                holdToken = s("hold_token"),
                reference = s("reference"),
            ).let {
                obj(
                    "message" to nodes.textNode(it.message),
                    "redemptions" to nodes.arrayNode().apply { it.redemptions.forEach { id -> add(id) } },
                    "raw" to Corpus.parse(it.raw),
                    "journal_id" to text(it.journalId),
                )
            }
            "smartgift.reverse" -> run.sg.reverse(
                voucherNo = voucherNo,
                siteId = site(),
                redemptions = longs("redemptions") ?: fail("redemptions"),
                reference = s("reference"),
            ).let {
                obj("message" to nodes.textNode(it.message), "raw" to Corpus.parse(it.raw), "journal_id" to text(it.journalId))
            }
            "spaaza.redeem_voucher" -> run.sp.redeemVoucher(
                chainId = n("chain_id") ?: 0,
                voucherKey = s("voucher_key"),
                voucherId = n("voucher_id"),
                userId = n("user_id"),
                amount = s("amount")?.toBigDecimal(),
                reference = s("reference"),
            ).let { v -> (Corpus.spaazaJson(v) as ObjectNode).also { it.set<JsonNode>("journal_id", text(v.journalId)) } }
            "spaaza.get_vouchers" -> run.sp.getVouchers(
                chainId = n("chain_id") ?: 0,
                voucherId = n("voucher_id"),
                showAllStatuses = true,
            ).let { list ->
                obj(
                    "results_count_total" to (list.resultsCountTotal?.let { nodes.numberNode(it) } ?: NullNode.instance),
                    "vouchers" to nodes.arrayNode().apply { list.vouchers.forEach { add(Corpus.spaazaJson(it)) } },
                    "raw" to Corpus.parse(list.raw),
                )
            }
            else -> fail("unknown call $call")
        }
    }

    private fun text(s: String?): JsonNode = if (s == null) NullNode.instance else nodes.textNode(s)

    private fun obj(vararg pairs: Pair<String, JsonNode>): ObjectNode =
        nodes.objectNode().apply { pairs.forEach { (k, v) -> set<JsonNode>(k, v) } }

    /** An entry as every binding shows it (the JSON texts parsed, instants as RFC 3339). */
    private fun entriesJson(entries: List<JournalEntry>): ArrayNode = nodes.arrayNode().apply {
        entries.forEach { e ->
            add(
                obj(
                    "id" to nodes.textNode(e.id),
                    "reference" to text(e.reference),
                    "provider" to nodes.textNode(e.provider),
                    "operation" to nodes.textNode(e.operation),
                    "request" to Corpus.parse(e.request),
                    "before" to (e.before?.let(Corpus::parse) ?: NullNode.instance),
                    "state" to nodes.textNode(e.state),
                    "result" to (e.result?.let(Corpus::parse) ?: NullNode.instance),
                    "error" to (e.error?.let(Corpus::parse) ?: NullNode.instance),
                    "certain" to nodes.booleanNode(e.certain),
                    "note" to text(e.note),
                    "created_at" to nodes.textNode(e.createdAt.toString()),
                    "resolved_at" to text(e.resolvedAt?.toString()),
                    "reconcile_attempts" to nodes.numberNode(e.reconcileAttempts),
                ),
            )
        }
    }

    /** Deep subset match: objects by the keys given (null = absent or null), arrays of the
     *  same length element by element, `"<any>"` = present and not null, numbers by value. */
    private fun matches(want: JsonNode, got: JsonNode?, at: String) {
        val g = got ?: NullNode.instance
        when {
            want.isTextual && want.textValue() == "<any>" -> if (g.isNull) fail("$at: expected a value, got null")
            want.isNull -> if (!g.isNull) fail("$at: expected null, got $g")
            want.isObject -> {
                if (!g.isObject) fail("$at: expected an object, got $g")
                want.properties().forEach { (k, wv) -> matches(wv, g[k], "$at.$k") }
            }
            want.isArray -> {
                if (!g.isArray) fail("$at: expected an array, got $g")
                if (want.size() != g.size()) fail("$at: expected ${want.size()} item(s), got ${g.size()}: $g")
                want.forEachIndexed { n, wv -> matches(wv, g[n], "$at[$n]") }
            }
            want.isNumber && g.isNumber -> if (want.decimalValue().compareTo(g.decimalValue()) != 0) fail("$at: expected $want, got $g")
            want != g -> fail("$at: expected $want, got $g")
        }
    }

    /** Changes the last expectation naming a state or an error kind (else the last expected
     *  request path) into a wrong one; false when the scenario has none. */
    private fun mutate(v: JsonNode): Boolean = when (v) {
        is ArrayNode -> (v.size() - 1 downTo 0).any { mutate(v[it]) }
        is ObjectNode -> {
            val key = listOf("state", "kind").firstOrNull { v[it]?.isTextual == true }
            val paths = v["requests"]
            when {
                key != null -> {
                    v.put(key, if (v[key].textValue() == "applied") "not_applied" else "applied")
                    true
                }
                paths is ArrayNode && paths.size() > 0 && paths.last().isTextual -> {
                    paths.set(paths.size() - 1, nodes.textNode(paths.last().textValue() + "-changed"))
                    true
                }
                else -> v.fieldNames().asSequence().toList().reversed()
                    .any { it != "fault" && it != "input" && mutate(v[it]) }
            }
        }
        else -> false
    }

    @Test
    fun `every journal scenario plays the same in Kotlin`() {
        val dir = File(Corpus.dir, "journal")
        val files = (dir.listFiles { f -> f.name.endsWith(".json") } ?: error("no scenarios at $dir")).sortedBy { it.path }
        assertTrue(files.isNotEmpty(), "no scenarios found")
        val failed = mutableListOf<String>()
        for (file in files) {
            val scenario = Corpus.parse(file.readText())
            val name = scenario["name"]?.textValue() ?: file.name
            try {
                play(scenario)
                println("journal scenario $name ... ok")
            } catch (e: ScenarioFailure) {
                println("journal scenario $name ... FAILED\n    ${e.message}")
                failed += name
            }
            // Self-check: the same scenario with one expected value changed must fail, or
            // this runner is not comparing what it claims to.
            val changed = scenario.deepCopy<JsonNode>()
            assertTrue(mutate(changed["steps"]), "$name: nothing to mutate")
            try {
                play(changed)
                println("journal scenario $name ... FAILED\n    a changed copy passed too")
                failed += "$name (self-check)"
            } catch (_: ScenarioFailure) {
            }
        }
        println("journal scenarios: ${files.size - failed.size} passed, ${failed.size} failed")
        assertTrue(failed.isEmpty(), "failed: $failed")
    }
}
