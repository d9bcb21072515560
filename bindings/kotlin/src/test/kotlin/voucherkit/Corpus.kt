package voucherkit

import voucherkit.testing.Sandbox
import voucherkit.testing.SandboxException
import voucherkit.testing.ScriptedServer
import com.fasterxml.jackson.databind.DeserializationFeature
import com.fasterxml.jackson.databind.JsonNode
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature
import com.fasterxml.jackson.databind.json.JsonMapper
import com.fasterxml.jackson.databind.node.ArrayNode
import com.fasterxml.jackson.databind.node.JsonNodeFactory
import com.fasterxml.jackson.databind.node.NullNode
import com.fasterxml.jackson.databind.node.ObjectNode
import java.io.ByteArrayOutputStream
import java.io.File
import java.math.BigDecimal

/**
 * The Kotlin runner of the conformance corpus (tests/conformance/README.md is the contract;
 * core/tests/conformance.rs the reference): queue a case's answers on the scripted server,
 * play its operation through the binding, then compare the requests on the wire and the
 * outcome with the case.
 */
object Corpus {
    /** Key order and number digits kept (10.50 stays 10.50). */
    val mapper: JsonMapper = JsonMapper.builder()
        .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
        .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
        .build()
    private val nodes = JsonNodeFactory.instance

    val dir: File = File(System.getProperty("voucherkit.corpus.dir") ?: "../../tests/conformance").canonicalFile

    /** Every case file, sorted by path like the Rust runner. */
    fun caseFiles(): List<File> = listOf("smartgift", "spaaza")
        .flatMap { provider ->
            File(dir, "cases/$provider").listFiles { f -> f.name.endsWith(".json") }?.toList()
                ?: error("no corpus at $dir")
        }
        .sortedBy { it.path }

    /** How many cases the corpus holds, counted the way check_corpus.py counts them: every
     *  file in every directory under `cases/` (whatever its name or provider), so a case the
     *  runner does not pick up (a new provider directory, a misnamed file) is a failure. */
    fun caseCount(): Int = (File(dir, "cases").listFiles { f -> f.isDirectory } ?: error("no corpus at $dir"))
        .sumOf { d -> d.listFiles { f -> f.isFile }?.size ?: 0 }

    fun load(file: File): ObjectNode = mapper.readTree(file) as ObjectNode

    fun parse(text: String): JsonNode = mapper.readTree(text)

    /** Sees every `VoucherException` a case raises (the error tests use it). */
    var onError: ((VoucherException) -> Unit)? = null

    /** A `BigDecimal` whose text is anything: the binding sends `toPlainString()`. */
    class RawAmount(private val text: String) : BigDecimal(0) {
        override fun toPlainString(): String = text

        override fun toString(): String = text

        override fun toByte(): Byte = error("not a number: $text")

        override fun toShort(): Short = error("not a number: $text")
    }

    class CaseFailure(message: String) : Exception(message)

    private fun fail(message: String): Nothing = throw CaseFailure(message)

    /** Plays one case; throws [CaseFailure] with the first difference found. */
    fun play(server: ScriptedServer, case: JsonNode) {
        server.reset()
        val answers = case["answers"] as? ArrayNode ?: fail("answers must be an array")
        server.push(mapper.writeValueAsString(answers))
        val outcome = execute(case, server.url())
        checkRequests(case["expect_requests"], parse(server.requestsJson()))
        val expect = case["expect"]
        val want = expect["result"]
        val wantError = expect["error"]
        when {
            want != null && wantError == null -> when (outcome) {
                is Outcome.Ok -> matches(want, outcome.value, "result")
                is Outcome.Err -> fail("expected a result, got error ${outcome.value}")
            }
            want == null && wantError != null -> when (outcome) {
                is Outcome.Err -> matches(wantError, outcome.value, "error")
                is Outcome.Ok -> fail("expected an error, got result ${outcome.value}")
            }
            else -> fail("expect must hold exactly one of result / error")
        }
    }

    sealed class Outcome {
        data class Ok(val value: JsonNode) : Outcome()
        data class Err(val value: JsonNode) : Outcome()
    }

    /** Reads a case's `input` / `config`, refusing keys it does not know (a typo must fail). */
    class Input(node: JsonNode?) {
        private val obj: ObjectNode = when (node) {
            null, is NullNode -> JsonNodeFactory.instance.objectNode()
            is ObjectNode -> node
            else -> fail("input/config must be an object")
        }
        private val used = mutableSetOf<String>()

        fun get(key: String): JsonNode? {
            used += key
            return obj[key]?.takeUnless { it.isNull }
        }

        fun str(key: String): String? = get(key)?.let {
            if (it.isTextual) it.textValue() else fail("$key must be a string")
        }

        fun long(key: String): Long? = get(key)?.let {
            if (it.isIntegralNumber) it.longValue() else fail("$key must be an integer")
        }

        fun bool(key: String): Boolean = get(key)?.let {
            if (it.isBoolean) it.booleanValue() else fail("$key must be true or false")
        } ?: false

        fun longs(key: String): List<Long>? = get(key)?.let { a ->
            if (!a.isArray) fail("$key must be an array")
            a.map { if (it.isIntegralNumber) it.longValue() else fail("$key must hold integers") }
        }

        fun strings(key: String): List<String> = get(key)?.filter { it.isTextual }?.map { it.textValue() } ?: listOf()

        /** Money strings become `BigDecimal`s. Text no BigDecimal can hold (`"NaN"`, `"abc"`)
         *  goes in a [RawAmount], so the binding hands that text to the core, which judges
         *  it as in every language (the Kotlin type system cannot even express it). */
        fun money(key: String): BigDecimal? = str(key)?.let {
            try {
                BigDecimal(it)
            } catch (_: NumberFormatException) {
                RawAmount(it)
            }
        }

        /** A string or an integer site id, as given (the core judges each kind). */
        fun siteId(): SiteId = when (val v = get("site_id")) {
            null -> SiteId.Text("")
            else -> if (v.isTextual) SiteId.Text(v.textValue()) else if (v.isIntegralNumber) SiteId.Number(v.longValue()) else fail("site_id must be a string or integer")
        }

        fun markAllUsed() {
            obj.fieldNames().forEach { used += it }
        }

        fun done(what: String) {
            obj.fieldNames().asSequence().firstOrNull { it !in used }?.let { fail("unknown $what key \"$it\"") }
        }
    }

    private fun execute(case: JsonNode, url: String): Outcome {
        val cfg = Input(case["config"])
        val input = Input(case["input"])
        val baseUrl = cfg.str("base_url") ?: url
        val op = case["operation"]?.textValue() ?: ""
        val connectTimeoutMs = cfg.long("connect_timeout_ms") ?: 2000
        val timeoutMs = cfg.long("timeout_ms") ?: 5000
        val maxRetries = (cfg.long("max_retries") ?: 2).toInt()
        val allowInsecureHttp = cfg.bool("allow_insecure_http")
        // `proxy: "scripted"`: the scripted server plays the client's CONNECT proxy.
        val proxy = when (val p = cfg.str("proxy")) {
            null -> null
            "scripted" -> url
            else -> fail("unknown proxy \"$p\" (only \"scripted\")")
        }
        val outcome = when (val provider = case["provider"]?.textValue()) {
            "smartgift" -> {
                val config = SmartGiftConfig(
                    apiKey = Secret(cfg.str("api_key") ?: "sk_test_conformance_0001"),
                    baseUrl = baseUrl,
                    connectTimeoutMs = connectTimeoutMs,
                    timeoutMs = timeoutMs,
                    maxRetries = maxRetries,
                    allowInsecureHttp = allowInsecureHttp,
                    proxy = proxy,
                )
                cfg.done("config")
                play(input, { SmartGift(config) }) { smartgift(it, op, input) }
            }
            "spaaza" -> {
                val auth = cfg.str("auth") ?: "admin"
                val config = SpaazaConfig(
                    auth = SpaazaAuth.entries.firstOrNull { it.name.lowercase() == auth } ?: fail("unknown auth $auth"),
                    sessionUserId = cfg.long("session_user_id") ?: 1,
                    sessionKey = Secret(cfg.str("session_key") ?: "sess_conformance_0001"),
                    appHostname = cfg.str("app_hostname"),
                    bearerToken = cfg.str("bearer_token")?.let(::Secret),
                    apiVersion = cfg.str("api_version") ?: "1.6.3",
                    baseUrl = baseUrl,
                    connectTimeoutMs = connectTimeoutMs,
                    timeoutMs = timeoutMs,
                    maxRetries = maxRetries,
                    allowInsecureHttp = allowInsecureHttp,
                    proxy = proxy,
                )
                cfg.done("config")
                play(input, { Spaaza(config) }) { spaaza(it, op, input) }
            }
            else -> fail("unknown provider $provider")
        }
        input.done("input")
        return outcome
    }

    /** A refusing constructor is the case's outcome: its input is then not read. */
    private fun <C : AutoCloseable> play(input: Input, build: () -> C, call: (C) -> JsonNode): Outcome {
        val client = try {
            build()
        } catch (e: VoucherException) {
            onError?.invoke(e)
            input.markAllUsed()
            return Outcome.Err(errorJson(e))
        }
        return client.use {
            try {
                Outcome.Ok(call(it))
            } catch (e: VoucherException) {
                onError?.invoke(e)
                Outcome.Err(errorJson(e))
            }
        }
    }

    private fun smartgift(client: SmartGift, op: String, i: Input): JsonNode =
        when (op) {
            "check" -> voucherJson(
                client.check(
                    voucherNo = i.str("voucher_no") ?: "",
                    siteId = i.siteId(),
                    classifications = i.strings("classifications"),
                    metaConditions = i.get("meta_conditions")?.map { m ->
                        MetaCondition(
                            key = m["key"]?.textValue() ?: "",
                            operator = m["operator"]?.textValue() ?: "",
                            value = m["value"]?.filter { it.isTextual }?.map { it.textValue() } ?: listOf(),
                        )
                    } ?: listOf(),
                ),
            )
            "hold" -> client.hold(voucherNo = i.str("voucher_no") ?: "").let {
                obj("message" to text(it.message), "hold_token" to text(it.holdToken), "raw" to parse(it.raw))
            }
            "redeem" -> client.redeem(
                voucherNo = i.str("voucher_no") ?: "",
                siteId = i.siteId(),
                value = i.money("value"),
                experiences = i.longs("experiences"),
                holdToken = i.str("hold_token"),
            ).let {
                obj(
                    "message" to text(it.message),
                    "redemptions" to nodes.arrayNode().apply { it.redemptions.forEach { id -> add(id) } },
                    "raw" to parse(it.raw),
                )
            }
            "release" -> client.release(voucherNo = i.str("voucher_no") ?: "", holdToken = i.str("hold_token") ?: "").let {
                obj("message" to text(it.message), "raw" to parse(it.raw))
            }
            "reverse" -> client.reverse(
                voucherNo = i.str("voucher_no") ?: "",
                siteId = i.siteId(),
                redemptions = i.longs("redemptions") ?: listOf(),
            ).let { obj("message" to text(it.message), "raw" to parse(it.raw)) }
            else -> fail("unknown smartgift operation $op")
        }

    private fun spaaza(client: Spaaza, op: String, i: Input): JsonNode =
        when (op) {
            "redeem_voucher" -> spaazaJson(
                client.redeemVoucher(
                    chainId = i.long("chain_id") ?: 0,
                    voucherKey = i.str("voucher_key"),
                    voucherId = i.long("voucher_id"),
                    userId = i.long("user_id"),
                    amount = i.money("amount"),
                ),
            )
            "unlock_voucher" -> spaazaJson(client.unlockVoucher(voucherKey = i.str("voucher_key"), voucherId = i.long("voucher_id")))
            "unclaim_voucher" -> spaazaJson(
                client.unclaimVoucher(
                    chainId = i.long("chain_id"),
                    voucherKey = i.str("voucher_key"),
                    voucherId = i.long("voucher_id"),
                    thirdPartyId = i.long("third_party_id"),
                    userId = i.long("user_id"),
                    memberNumber = i.str("member_number"),
                    username = i.str("username"),
                    authenticationPointIdentifier = i.str("authentication_point_identifier"),
                    auxiliaryIdentifier = i.str("auxiliary_identifier"),
                ),
            )
            "claim_voucher" -> spaazaJson(
                client.claimVoucher(
                    chainId = i.long("chain_id"),
                    voucherKey = i.str("voucher_key"),
                    voucherId = i.long("voucher_id"),
                    thirdPartyId = i.long("third_party_id"),
                    userId = i.long("user_id"),
                    memberNumber = i.str("member_number"),
                    username = i.str("username"),
                    authenticationPointIdentifier = i.str("authentication_point_identifier"),
                    auxiliaryIdentifier = i.str("auxiliary_identifier"),
                ),
            )
            "lock_voucher" -> spaazaJson(
                client.lockVoucher(
                    retailerBasketCode = i.str("retailer_basket_code") ?: "",
                    voucherKey = i.str("voucher_key"),
                    voucherId = i.long("voucher_id"),
                    voucherLockPeriod = i.long("voucher_lock_period"),
                    voucherLockingCode = i.str("voucher_locking_code"),
                ),
            )
            "get_vouchers" -> client.getVouchers(
                chainId = i.long("chain_id") ?: 0,
                voucherId = i.long("voucher_id"),
                userId = i.long("user_id"),
                username = i.str("username"),
                memberNumber = i.str("member_number"),
                authenticationPointIdentifier = i.str("authentication_point_identifier"),
                campaignId = i.long("campaign_id"),
                showAllStatuses = i.bool("show_all_statuses"),
                showRedeemed = i.bool("show_redeemed"),
                showExpired = i.bool("show_expired"),
                excludeRegenerated = i.bool("exclude_regenerated"),
                numberResults = i.long("number_results"),
                resultsOffset = i.long("results_offset"),
            ).let { list ->
                obj(
                    "results_count_total" to num(list.resultsCountTotal),
                    "vouchers" to nodes.arrayNode().apply { list.vouchers.forEach { add(spaazaJson(it)) } },
                    "warnings" to warningsJson(list.warnings),
                    "raw" to parse(list.raw),
                )
            }
            else -> fail("unknown spaaza operation $op")
        }

    // Results and errors as JSON, with the names the corpus uses (the core's serde names).

    private fun text(s: String?): JsonNode = if (s == null) NullNode.instance else nodes.textNode(s)
    private fun num(n: Long?): JsonNode = if (n == null) NullNode.instance else nodes.numberNode(n)
    private fun bool(b: Boolean?): JsonNode = if (b == null) NullNode.instance else nodes.booleanNode(b)
    private fun money(m: BigDecimal?): JsonNode = text(m?.toPlainString())

    private fun obj(vararg pairs: Pair<String, JsonNode>): ObjectNode =
        nodes.objectNode().apply { pairs.forEach { (k, v) -> set<JsonNode>(k, v) } }

    fun voucherJson(v: SmartGiftVoucher): JsonNode = obj(
        "id" to num(v.id),
        "name" to text(v.name),
        "description" to text(v.description),
        "voucher_no" to text(v.voucherNo),
        "remaining_value" to money(v.remainingValue),
        "voucher_type" to text(v.voucherType),
        "sold_out" to bool(v.soldOut),
        "experiences" to nodes.arrayNode().apply {
            v.experiences.forEach {
                add(obj("bit_value" to num(it.bitValue), "id" to num(it.id), "name" to text(it.name), "raw" to parse(it.raw)))
            }
        },
        "available_to_redeem" to (v.availableToRedeem?.let(::parse) ?: NullNode.instance),
        "raw" to parse(v.raw),
    )

    private fun warningsJson(ws: List<SpaazaWarning>): JsonNode = nodes.arrayNode().apply {
        ws.forEach {
            add(obj("code" to num(it.code), "name" to text(it.name), "description" to text(it.description), "message" to text(it.message)))
        }
    }

    fun spaazaJson(v: SpaazaVoucher): JsonNode = obj(
        "voucher_key" to text(v.voucherKey),
        "voucher_id" to num(v.voucherId),
        "voucher_status" to text(v.voucherStatus),
        "voucher_type" to text(v.voucherType),
        "voucher_locked" to bool(v.voucherLocked),
        "voucher_locked_until" to text(v.voucherLockedUntil),
        "voucher_locking_code" to text(v.voucherLockingCode),
        "voucher_retailer_basket_code_exclusive" to text(v.voucherRetailerBasketCodeExclusive),
        "voucher_amount_original" to money(v.voucherAmountOriginal),
        "voucher_amount_redeemed" to money(v.voucherAmountRedeemed),
        "voucher_amount" to money(v.voucherAmount),
        "voucher_currency_id" to num(v.voucherCurrencyId),
        "voucher_currency_symbol" to text(v.voucherCurrencySymbol),
        "voucher_expiry_datetime_utc" to text(v.voucherExpiryDatetimeUtc),
        "voucher_redeemed_datetime" to text(v.voucherRedeemedDatetime),
        "user_id" to num(v.userId),
        "voucher_third_party_id" to num(v.voucherThirdPartyId),
        "campaign_id" to num(v.campaignId),
        "voucher_expiry_seconds_remaining" to num(v.voucherExpirySecondsRemaining),
        "user_entity_card" to (
            v.userEntityCard?.let { obj("card_type" to text(it.cardType), "code" to text(it.code)) } ?: NullNode.instance
        ),
        "campaign_title" to text(v.campaignTitle),
        "campaign_type" to text(v.campaignType),
        "regenerated_voucher" to (v.regeneratedVoucher?.let(::spaazaJson) ?: NullNode.instance),
        "parent_voucher" to (v.parentVoucher?.let(::spaazaJson) ?: NullNode.instance),
        "warnings" to warningsJson(v.warnings),
        "raw" to parse(v.raw),
    )

    fun errorJson(e: VoucherException): JsonNode = obj(
        "kind" to text(e.kind.wireName),
        "message" to text(e.errorMessage),
        "field" to text(e.field),
        "field_errors" to nodes.objectNode().apply {
            e.fieldErrors.forEach { (k, v) -> set<JsonNode>(k, nodes.arrayNode().apply { v.forEach { add(it) } }) }
        },
        "http_status" to num(e.httpStatus?.toLong()),
        "provider" to text(e.provider),
        "provider_code" to text(e.providerCode),
        "retryable" to bool(e.retryable),
        "retry_after" to num(e.retryAfter),
        "journal_id" to text(e.journalId),
    )

    // Comparison, as core/tests/conformance.rs does it.

    private fun sameNumber(a: JsonNode, b: JsonNode): Boolean =
        a.isNumber && b.isNumber && a.decimalValue().compareTo(b.decimalValue()) == 0

    /** `want` may leave object keys out (a missing key counts as null); arrays element by
     *  element; numbers by value. */
    fun matches(want: JsonNode, got: JsonNode?, at: String) {
        val g = got ?: NullNode.instance
        when {
            want.isObject && g.isObject -> want.properties().forEach { (k, wv) -> matches(wv, g[k], "$at.$k") }
            want.isObject && g.isNull && want.isEmpty -> {}
            want.isArray && g.isArray -> {
                if (want.size() != g.size()) fail("$at: expected ${want.size()} items, got ${g.size()}: $g")
                want.forEachIndexed { n, wv -> matches(wv, g[n], "$at[$n]") }
            }
            want.isNumber && g.isNumber && sameNumber(want, g) -> {}
            !want.isNumber && want == g -> {}
            else -> fail("$at: expected $want, got $g")
        }
    }

    /** Objects compared with exact key sets, then as [matches]. */
    fun exact(want: JsonNode, got: JsonNode, at: String) {
        if (want.isObject && got.isObject) {
            got.fieldNames().asSequence().firstOrNull { !want.has(it) }?.let { fail("$at: unexpected key \"$it\" in $got") }
            want.properties().forEach { (k, wv) ->
                exact(wv, got[k] ?: fail("$at: missing key \"$k\" in $got"), "$at.$k")
            }
            return
        }
        if (want.isArray && got.isArray && want.size() == got.size()) {
            want.forEachIndexed { n, wv -> exact(wv, got[n], "$at[$n]") }
            return
        }
        matches(want, got, at)
    }

    private fun percentDecode(s: String): String {
        val out = ByteArrayOutputStream()
        val bytes = s.toByteArray(Charsets.UTF_8)
        var i = 0
        while (i < bytes.size) {
            val b = bytes[i]
            if (b == '+'.code.toByte()) {
                out.write(' '.code)
            } else if (b == '%'.code.toByte() && i + 2 < bytes.size) {
                val h = Character.digit(bytes[i + 1].toInt().toChar(), 16)
                val l = Character.digit(bytes[i + 2].toInt().toChar(), 16)
                if (h >= 0 && l >= 0) {
                    out.write(h shl 4 or l)
                    i += 3
                    continue
                }
                out.write(b.toInt())
            } else {
                out.write(b.toInt())
            }
            i++
        }
        return out.toString(Charsets.UTF_8)
    }

    private fun pairs(encoded: String, at: String): ObjectNode {
        val map = nodes.objectNode()
        encoded.split('&').filter { it.isNotEmpty() }.forEach { pair ->
            val eq = pair.indexOf('=')
            val (k, v) = if (eq >= 0) pair.substring(0, eq) to pair.substring(eq + 1) else pair to ""
            val key = percentDecode(k)
            if (map.has(key)) fail("$at: field \"$key\" sent twice")
            map.put(key, percentDecode(v))
        }
        return map
    }

    private fun header(r: JsonNode, name: String): String? =
        r["headers"].firstOrNull { it[0].textValue().equals(name, ignoreCase = true) }?.get(1)?.textValue()

    fun checkRequests(want: JsonNode?, got: JsonNode) {
        if (want == null || !want.isArray) fail("expect_requests must be an array")
        if (want.size() != got.size()) {
            val seen = got.map { "${it["method"].textValue()} ${it["path"].textValue()}" }
            fail("expected ${want.size()} request(s) on the wire, got ${got.size()}: $seen")
        }
        want.forEachIndexed { n, w ->
            val r = got[n]
            val at = "request[$n]"
            val method = r["method"].textValue()
            w["method"]?.textValue()?.let { if (it != method) fail("$at: method $method instead of $it") }
            val fullPath = r["path"].textValue()
            val path = if (w.has("query")) fullPath.substringBefore('?') else fullPath
            w["path"]?.textValue()?.let { if (it != path) fail("$at: path $path instead of $it") }
            w["headers"]?.properties()?.forEach { (name, value) ->
                val sent = header(r, name)
                if (sent != value.textValue()) fail("$at: header $name is $sent, expected $value")
            }
            w["absent_headers"]?.forEach { name ->
                header(r, name.textValue())?.let { fail("$at: header ${name.textValue()} must be absent, was \"$it\"") }
            }
            val body = r["body_text"].textValue()
            w["json"]?.let { json ->
                val sent = try {
                    parse(body)
                } catch (e: Exception) {
                    fail("$at: body is not JSON: \"$body\"")
                }
                exact(json, sent, "$at.json")
            }
            w["body_text"]?.textValue()?.let { if (it != body) fail("$at: body \"$body\", expected \"$it\"") }
            w["form"]?.let { exact(it, pairs(body, at), "$at.form") }
            w["query"]?.let { exact(it, pairs(fullPath.substringAfter('?', ""), at), "$at.query") }
        }
    }

    /** One changed copy of `case` that a correct runner must reject; the change rotates
     *  with `n` over what the case expects (as the Rust runner's self-check). */
    fun mutate(case: ObjectNode, n: Int): Pair<String, ObjectNode>? {
        val options = mutableListOf<Pair<String, ObjectNode>>()
        fun push(what: String, change: (ObjectNode) -> Unit) {
            val copy = case.deepCopy()
            change(copy)
            options += what to copy
        }
        val expect = case["expect"]
        val error = expect["error"]
        error?.get("kind")?.textValue()?.let { kind ->
            val other = if (kind == "provider_error") "network" else "provider_error"
            push("error kind") { (it["expect"]["error"] as ObjectNode).put("kind", other) }
        }
        if (error?.get("message")?.isTextual == true) {
            push("error message") { c -> (c["expect"]["error"] as ObjectNode).put("message", error["message"].textValue() + "!") }
        }
        if (error?.get("field")?.isTextual == true) {
            push("error field") { (it["expect"]["error"] as ObjectNode).put("field", "nope") }
        }
        (expect["result"] as? ObjectNode)?.properties()?.firstOrNull { !it.value.isObject && !it.value.isArray }?.let { (key, value) ->
            push("result field") { c ->
                val r = c["expect"]["result"] as ObjectNode
                when {
                    value.isTextual -> r.put(key, value.textValue() + "!")
                    value.isBoolean -> r.put(key, !value.booleanValue())
                    value.isNumber -> r.put(key, 987_654_321)
                    else -> r.put(key, "x")
                }
            }
        }
        val reqs = case["expect_requests"]
        if (reqs != null && reqs.isArray) {
            if (reqs.isEmpty) {
                push("requests on the wire") { c ->
                    c.set<JsonNode>("expect_requests", parse("""[{"method": "POST", "path": "/x"}]"""))
                }
            } else {
                push("method") { (it["expect_requests"][0] as ObjectNode).put("method", "PATCH") }
                for (key in listOf("json", "form", "query")) {
                    val first = (reqs[0][key] as? ObjectNode)?.fieldNames()?.asSequence()?.firstOrNull() ?: continue
                    push("$key field $first") { (it["expect_requests"][0][key] as ObjectNode).put(first, "changed!") }
                }
                if (reqs[0]["body_text"]?.isTextual == true) {
                    push("body text") { c ->
                        val r = c["expect_requests"][0] as ObjectNode
                        r.put("body_text", r["body_text"].textValue() + " ")
                    }
                }
            }
        }
        if (options.isEmpty()) return null
        return options[n % options.size]
    }
}
