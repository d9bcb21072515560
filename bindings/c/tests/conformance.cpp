// The conformance corpus (tests/conformance/, README.md there is the contract) played
// through libvoucherkit's C ABI: every case's answers are queued on the scripted server
// (vk_scripted_server_*), the operation is called with the vk_* functions, the result is
// rebuilt from the vk_* accessors (the error from the vk_error accessors), and both the
// requests that reached the wire and the outcome are compared with the case, as the Rust
// runner (core/tests/conformance.rs) does. Then, as the Rust runner does, a changed copy of
// every case must fail (the mutation self-check), proving this runner can fail.
//
// Strings go in as NUL-terminated C strings. A case string holding a NUL byte cannot be
// one; it is converted as the C++ wrapper converts every std::string (voucherkit::detail::c
// in voucherkit.hpp): refused as invalid_request naming the field, nothing sent.
//
// Usage: conformance <tests/conformance> [--no-self-check] [--valgrind] [name filters...]
// Prints `conformance <name> ... ok|FAILED` per case and `conformance: N passed, N failed`.
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <optional>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "voucherkit.hpp"
#include "voucherkit/testing.hpp"
#include "results_json.hpp"

using json = nlohmann::ordered_json;
namespace fs = std::filesystem;

namespace {

// A failed case: the first difference found.
struct Mismatch : std::runtime_error {
    using std::runtime_error::runtime_error;
};

[[noreturn]] void fail(const std::string &why) { throw Mismatch(why); }

std::string read_file(const fs::path &p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// ---------------------------------------------------------------- case input

const std::set<std::string> KNOWN_INPUT = {
    "voucher_no", "site_id", "classifications", "meta_conditions", "value", "experiences", "hold_token",
    "redemptions", "chain_id", "voucher_key", "voucher_id", "third_party_id", "user_id", "amount", "member_number",
    "username", "authentication_point_identifier", "auxiliary_identifier", "retailer_basket_code",
    "voucher_lock_period", "voucher_locking_code", "campaign_id", "show_all_statuses", "show_redeemed",
    "show_expired", "exclude_regenerated", "number_results", "results_offset",
};
const std::set<std::string> KNOWN_CONFIG = {
    "api_key", "session_user_id", "session_key", "api_version", "auth", "app_hostname", "bearer_token",
    "base_url", "timeout_ms", "connect_timeout_ms", "max_retries", "allow_insecure_http", "proxy",
};

// Reads one object of the case; absent and null keys are "not given".
struct Input {
    const json &j;
    bool has(const char *k) const { return j.is_object() && j.contains(k) && !j.at(k).is_null(); }
    std::optional<std::string> str(const char *k) const {
        if (!has(k)) return std::nullopt;
        if (!j.at(k).is_string()) fail(std::string(k) + " must be a string");
        return j.at(k).get<std::string>();
    }
    std::string string(const char *k) const { return str(k).value_or(""); }
    std::optional<int64_t> integer(const char *k) const {
        if (!has(k)) return std::nullopt;
        if (!j.at(k).is_number_integer()) fail(std::string(k) + " must be an integer");
        return j.at(k).get<int64_t>();
    }
    bool flag(const char *k) const { return has(k) && j.at(k).is_boolean() && j.at(k).get<bool>(); }
    std::optional<std::vector<int64_t>> ints(const char *k) const {
        if (!has(k)) return std::nullopt;
        std::vector<int64_t> out;
        for (const auto &x : j.at(k)) {
            if (!x.is_number_integer()) fail(std::string(k) + " must hold integers");
            out.push_back(x.get<int64_t>());
        }
        return out;
    }
    std::vector<std::string> strings(const char *k) const {
        std::vector<std::string> out;
        if (has(k))
            for (const auto &x : j.at(k))
                if (x.is_string()) out.push_back(x.get<std::string>());
        return out;
    }
    // Smart Gift's site_id, a string or an integer: the C API takes its text.
    std::string site_id() const {
        if (!has("site_id")) return "";
        const json &v = j.at("site_id");
        if (v.is_string()) return v.get<std::string>();
        if (v.is_number_integer()) return std::to_string(v.get<int64_t>());
        fail("site_id must be a string or integer");
    }
    void only(const std::set<std::string> &known, const char *what) const {
        if (!j.is_object()) return;
        for (auto it = j.begin(); it != j.end(); ++it)
            if (!known.count(it.key())) fail(std::string("unknown ") + what + " key \"" + it.key() + "\"");
    }
};

// Results and errors as JSON from the C accessors: results_json.hpp (shared with the
// journal scenario runner).

// The C string of a case string, as the wrapper converts it (a NUL inside is refused).
const char *provider_now = nullptr;
const char *cs(const std::string &s, const char *field) { return voucherkit::detail::c(s, field, provider_now); }
const char *c_or_null(const std::optional<std::string> &s, const char *field) {
    return voucherkit::detail::c(s, field, provider_now);
}

json wrapper_error_json(const voucherkit::Error &e) {
    return json{{"kind", e.kind_str()},
                {"message", e.message()},
                {"field", e.field() ? json(*e.field()) : json(nullptr)},
                {"field_errors", json::object()},
                {"http_status", nullptr},
                {"provider", e.provider() ? json(*e.provider()) : json(nullptr)},
                {"provider_code", nullptr},
                {"retryable", e.retryable()},
                {"retry_after", nullptr}};
}
const int64_t *p_or_null(const std::optional<int64_t> &v) { return v ? &*v : nullptr; }

// `url` is the scripted server's; `proxy: "scripted"` makes it the client's CONNECT proxy
// (the caller's string outlives the constructor call that reads it).
void options_from(vk_client_options &o, const Input &cfg, const std::string &url) {
    o.timeout_ms = static_cast<uint64_t>(cfg.integer("timeout_ms").value_or(5000));
    o.connect_timeout_ms = static_cast<uint64_t>(cfg.integer("connect_timeout_ms").value_or(2000));
    o.max_retries = static_cast<uint32_t>(cfg.integer("max_retries").value_or(2));
    o.allow_insecure_http = cfg.flag("allow_insecure_http");
    if (auto proxy = cfg.str("proxy")) {
        if (*proxy != "scripted") fail("unknown proxy " + *proxy + " (only \"scripted\")");
        o.proxy = url.c_str();
    }
}

Outcome run_smartgift(const json &c, const std::string &url) {
    Input cfg{c.contains("config") ? c.at("config") : json::object()};
    Input in{c.at("input")};
    cfg.only(KNOWN_CONFIG, "config");
    in.only(KNOWN_INPUT, "input");
    std::string api_key = cfg.str("api_key").value_or("sk_test_conformance_0001");
    std::string base_url = cfg.str("base_url").value_or(url);
    vk_smartgift_config config = vk_smartgift_config_default();
    config.api_key = cs(api_key, "api_key");
    config.base_url = cs(base_url, "base_url");
    options_from(config.options, cfg, url);
    vk_smartgift *client = nullptr;
    vk_error *err = nullptr;
    vk_status st = vk_smartgift_new(&config, &client, &err);
    if (st != VK_OK) {
        Outcome o{false, error_json(st, err)};
        vk_error_free(err);
        return o;
    }
    struct Free {
        vk_smartgift *c;
        ~Free() { vk_smartgift_free(c); }
    } guard{client};

    const std::string op = c.at("operation").get<std::string>();
    std::string voucher_no = in.string("voucher_no");
    std::string site = in.site_id();
    if (op == "check") {
        std::vector<std::string> classes = in.strings("classifications");
        std::vector<const char *> class_ptrs;
        for (auto &s : classes) class_ptrs.push_back(cs(s, "classifications"));
        std::vector<std::string> keys, ops;
        std::vector<std::vector<std::string>> values;
        std::vector<std::vector<const char *>> value_ptrs;
        std::vector<vk_meta_condition> conds;
        if (in.has("meta_conditions")) {
            const json &list = in.j.at("meta_conditions");
            keys.reserve(list.size());
            ops.reserve(list.size());
            values.reserve(list.size());
            value_ptrs.reserve(list.size());
            for (const auto &m : list) {
                keys.push_back(m.value("key", ""));
                ops.push_back(m.value("operator", ""));
                values.emplace_back();
                value_ptrs.emplace_back();
                if (m.contains("value"))
                    for (const auto &x : m.at("value"))
                        if (x.is_string()) values.back().push_back(x.get<std::string>());
                for (auto &s : values.back()) value_ptrs.back().push_back(cs(s, "meta_conditions"));
                conds.push_back(vk_meta_condition{cs(keys.back(), "meta_conditions"), cs(ops.back(), "meta_conditions"),
                                                  value_ptrs.back().empty() ? nullptr : value_ptrs.back().data(),
                                                  value_ptrs.back().size()});
            }
        }
        vk_smartgift_voucher *out = nullptr;
        st = vk_smartgift_check(client, cs(voucher_no, "voucher_no"), cs(site, "site_id"), class_ptrs.empty() ? nullptr : class_ptrs.data(),
                                class_ptrs.size(), conds.empty() ? nullptr : conds.data(), conds.size(), &out, &err);
        return finish(st, out, err, smartgift_voucher_json, vk_smartgift_voucher_free);
    }
    if (op == "hold") {
        vk_smartgift_held *out = nullptr;
        st = vk_smartgift_hold(client, cs(voucher_no, "voucher_no"), &out, &err);
        return finish(st, out, err, held_json, vk_smartgift_held_free);
    }
    if (op == "redeem") {
        auto value = in.str("value");
        auto experiences = in.ints("experiences");
        auto hold_token = in.str("hold_token");
        static const int64_t none = 0;  // a given but empty list is not "absent"
        const int64_t *bits = experiences ? (experiences->empty() ? &none : experiences->data()) : nullptr;
        vk_smartgift_redemption *out = nullptr;
        st = vk_smartgift_redeem(client, cs(voucher_no, "voucher_no"), cs(site, "site_id"), c_or_null(value, "value"), bits,
                                 experiences ? experiences->size() : 0, c_or_null(hold_token, "hold_token"), &out, &err);
        return finish(st, out, err, redemption_json, vk_smartgift_redemption_free);
    }
    if (op == "release") {
        std::string token = in.string("hold_token");
        vk_smartgift_released *out = nullptr;
        st = vk_smartgift_release(client, cs(voucher_no, "voucher_no"), cs(token, "hold_token"), &out, &err);
        return finish(st, out, err, released_json, vk_smartgift_released_free);
    }
    if (op == "reverse") {
        auto ids = in.ints("redemptions").value_or(std::vector<int64_t>{});
        vk_smartgift_reversed *out = nullptr;
        st = vk_smartgift_reverse(client, cs(voucher_no, "voucher_no"), cs(site, "site_id"), ids.empty() ? nullptr : ids.data(),
                                  ids.size(), &out, &err);
        return finish(st, out, err, reversed_json, vk_smartgift_reversed_free);
    }
    fail("unknown smartgift operation " + op);
}

Outcome run_spaaza(const json &c, const std::string &url) {
    Input cfg{c.contains("config") ? c.at("config") : json::object()};
    Input in{c.at("input")};
    cfg.only(KNOWN_CONFIG, "config");
    in.only(KNOWN_INPUT, "input");
    std::string auth = cfg.str("auth").value_or("admin");
    std::string session_key = cfg.str("session_key").value_or("sess_conformance_0001");
    std::string api_version = cfg.str("api_version").value_or("1.6.3");
    auto app_hostname = cfg.str("app_hostname");
    auto bearer_token = cfg.str("bearer_token");
    std::string base_url = cfg.str("base_url").value_or(url);
    vk_spaaza_config config = vk_spaaza_config_default();
    if (auth == "admin")
        config.auth = VK_SPAAZA_AUTH_ADMIN;
    else if (auth == "user")
        config.auth = VK_SPAAZA_AUTH_USER;
    else if (auth == "privileged")
        config.auth = VK_SPAAZA_AUTH_PRIVILEGED;
    else
        fail("unknown auth " + auth);
    config.session_user_id = cfg.integer("session_user_id").value_or(1);
    config.session_key = cs(session_key, "session_key");
    config.api_version = cs(api_version, "api_version");
    config.app_hostname = c_or_null(app_hostname, "app_hostname");
    config.bearer_token = c_or_null(bearer_token, "bearer_token");
    config.base_url = cs(base_url, "base_url");
    options_from(config.options, cfg, url);
    vk_spaaza *client = nullptr;
    vk_error *err = nullptr;
    vk_status st = vk_spaaza_new(&config, &client, &err);
    if (st != VK_OK) {
        Outcome o{false, error_json(st, err)};
        vk_error_free(err);
        return o;
    }
    struct Free {
        vk_spaaza *c;
        ~Free() { vk_spaaza_free(c); }
    } guard{client};

    const std::string op = c.at("operation").get<std::string>();
    auto voucher_key = in.str("voucher_key");
    auto voucher_id = in.integer("voucher_id");
    vk_spaaza_voucher *out = nullptr;
    if (op == "redeem_voucher") {
        auto user_id = in.integer("user_id");
        auto amount = in.str("amount");
        st = vk_spaaza_redeem_voucher(client, in.integer("chain_id").value_or(0), c_or_null(voucher_key, "voucher_key"),
                                      p_or_null(voucher_id), p_or_null(user_id), c_or_null(amount, "amount"), &out, &err);
        return finish(st, out, err, spaaza_voucher_json, vk_spaaza_voucher_free);
    }
    if (op == "unlock_voucher") {
        st = vk_spaaza_unlock_voucher(client, c_or_null(voucher_key, "voucher_key"), p_or_null(voucher_id), &out, &err);
        return finish(st, out, err, spaaza_voucher_json, vk_spaaza_voucher_free);
    }
    if (op == "unclaim_voucher" || op == "claim_voucher") {
        auto chain_id = in.integer("chain_id");
        auto third_party_id = in.integer("third_party_id");
        auto user_id = in.integer("user_id");
        auto member_number = in.str("member_number");
        auto username = in.str("username");
        auto api = in.str("authentication_point_identifier");
        auto aux = in.str("auxiliary_identifier");
        vk_spaaza_claim_request r{};
        r.chain_id = p_or_null(chain_id);
        r.voucher_key = c_or_null(voucher_key, "voucher_key");
        r.voucher_id = p_or_null(voucher_id);
        r.third_party_id = p_or_null(third_party_id);
        r.user_id = p_or_null(user_id);
        r.member_number = c_or_null(member_number, "member_number");
        r.username = c_or_null(username, "username");
        r.authentication_point_identifier = c_or_null(api, "authentication_point_identifier");
        r.auxiliary_identifier = c_or_null(aux, "auxiliary_identifier");
        st = op == "claim_voucher" ? vk_spaaza_claim_voucher(client, &r, &out, &err)
                                   : vk_spaaza_unclaim_voucher(client, &r, &out, &err);
        return finish(st, out, err, spaaza_voucher_json, vk_spaaza_voucher_free);
    }
    if (op == "lock_voucher") {
        std::string basket = in.string("retailer_basket_code");
        auto period = in.integer("voucher_lock_period");
        auto locking_code = in.str("voucher_locking_code");
        st = vk_spaaza_lock_voucher(client, c_or_null(voucher_key, "voucher_key"), p_or_null(voucher_id), cs(basket, "retailer_basket_code"),
                                    p_or_null(period), c_or_null(locking_code, "voucher_locking_code"), &out, &err);
        return finish(st, out, err, spaaza_voucher_json, vk_spaaza_voucher_free);
    }
    if (op == "get_vouchers") {
        auto user_id = in.integer("user_id");
        auto username = in.str("username");
        auto member_number = in.str("member_number");
        auto api = in.str("authentication_point_identifier");
        auto campaign_id = in.integer("campaign_id");
        auto number_results = in.integer("number_results");
        auto results_offset = in.integer("results_offset");
        vk_spaaza_get_vouchers_request q{};
        q.chain_id = in.integer("chain_id").value_or(0);
        q.voucher_id = p_or_null(voucher_id);
        q.user_id = p_or_null(user_id);
        q.username = c_or_null(username, "username");
        q.member_number = c_or_null(member_number, "member_number");
        q.authentication_point_identifier = c_or_null(api, "authentication_point_identifier");
        q.campaign_id = p_or_null(campaign_id);
        q.show_all_statuses = in.flag("show_all_statuses");
        q.show_redeemed = in.flag("show_redeemed");
        q.show_expired = in.flag("show_expired");
        q.exclude_regenerated = in.flag("exclude_regenerated");
        q.number_results = p_or_null(number_results);
        q.results_offset = p_or_null(results_offset);
        vk_spaaza_voucher_list *list = nullptr;
        st = vk_spaaza_get_vouchers(client, &q, &list, &err);
        return finish(st, list, err, voucher_list_json, vk_spaaza_voucher_list_free);
    }
    fail("unknown spaaza operation " + op);
}

// ---------------------------------------------------------------- comparisons

// Numbers compare by value (10.50 == 10.5); integers exactly.
bool same_number(const json &a, const json &b) {
    if (a.is_number_integer() && b.is_number_integer()) {
        if (a.is_number_unsigned() || b.is_number_unsigned()) {
            if ((a.is_number_unsigned() || a.get<int64_t>() >= 0) && (b.is_number_unsigned() || b.get<int64_t>() >= 0))
                return a.get<uint64_t>() == b.get<uint64_t>();
            return false;
        }
        return a.get<int64_t>() == b.get<int64_t>();
    }
    return a.get<long double>() == b.get<long double>();
}

// `want` may leave object keys out (a missing key counts as null); arrays element by element.
void matches(const json &want, const json &got, const std::string &at) {
    if (want.is_object() && got.is_object()) {
        for (auto it = want.begin(); it != want.end(); ++it)
            matches(it.value(), got.contains(it.key()) ? got.at(it.key()) : json(nullptr), at + "." + it.key());
        return;
    }
    if (want.is_object() && want.empty() && got.is_null()) return;
    if (want.is_array() && got.is_array()) {
        if (want.size() != got.size())
            fail(at + ": expected " + std::to_string(want.size()) + " items, got " + std::to_string(got.size()) + ": " +
                 got.dump());
        for (size_t i = 0; i < want.size(); i++) matches(want[i], got[i], at + "[" + std::to_string(i) + "]");
        return;
    }
    if (want.is_number() && got.is_number() && same_number(want, got)) return;
    if (want.type() == got.type() && !want.is_number() && want == got) return;
    fail(at + ": expected " + want.dump() + ", got " + got.dump());
}

// Objects with exactly the same keys, all the way down.
void exact(const json &want, const json &got, const std::string &at) {
    if (want.is_object() && got.is_object()) {
        for (auto it = got.begin(); it != got.end(); ++it)
            if (!want.contains(it.key())) fail(at + ": unexpected key \"" + it.key() + "\" in " + got.dump());
        for (auto it = want.begin(); it != want.end(); ++it) {
            if (!got.contains(it.key())) fail(at + ": missing key \"" + it.key() + "\" in " + got.dump());
            exact(it.value(), got.at(it.key()), at + "." + it.key());
        }
        return;
    }
    if (want.is_array() && got.is_array() && want.size() == got.size()) {
        for (size_t i = 0; i < want.size(); i++) exact(want[i], got[i], at + "[" + std::to_string(i) + "]");
        return;
    }
    matches(want, got, at);
}

int hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string url_decode(const std::string &s) {
    std::string out;
    for (size_t i = 0; i < s.size(); i++) {
        if (s[i] == '+') {
            out += ' ';
        } else if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
            out += static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2]));
            i += 2;
        } else {
            out += s[i];
        }
    }
    return out;
}

// `application/x-www-form-urlencoded` pairs as an object; a repeated field fails.
json form_object(const std::string &text, const std::string &at) {
    json out = json::object();
    std::stringstream ss(text);
    std::string part;
    while (std::getline(ss, part, '&')) {
        if (part.empty()) continue;
        size_t eq = part.find('=');
        std::string k = url_decode(part.substr(0, eq));
        std::string v = eq == std::string::npos ? "" : url_decode(part.substr(eq + 1));
        if (out.contains(k)) fail(at + ": field \"" + k + "\" sent twice");
        out[k] = v;
    }
    return out;
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
}

const json *header(const json &req, const std::string &name) {
    for (const auto &h : req.at("headers"))
        if (lower(h.at(0).get<std::string>()) == lower(name)) return &h.at(1);
    return nullptr;
}

void check_requests(const json &want, const json &got) {
    if (!want.is_array()) fail("expect_requests must be an array");
    if (want.size() != got.size()) {
        std::string seen;
        for (const auto &r : got) seen += " " + r.at("method").get<std::string>() + " " + r.at("path").get<std::string>();
        fail("expected " + std::to_string(want.size()) + " request(s) on the wire, got " + std::to_string(got.size()) +
             ":" + seen);
    }
    for (size_t n = 0; n < want.size(); n++) {
        const json &w = want[n];
        const json &r = got[n];
        std::string at = "request[" + std::to_string(n) + "]";
        std::string method = r.at("method").get<std::string>();
        std::string full_path = r.at("path").get<std::string>();
        size_t q = full_path.find('?');
        std::string path_only = full_path.substr(0, q);
        std::string query = q == std::string::npos ? "" : full_path.substr(q + 1);
        std::string body = r.at("body_text").get<std::string>();
        if (w.contains("method") && w.at("method").get<std::string>() != method)
            fail(at + ": method " + method + " instead of " + w.at("method").get<std::string>());
        std::string path = w.contains("query") ? path_only : full_path;
        if (w.contains("path") && w.at("path").get<std::string>() != path)
            fail(at + ": path " + path + " instead of " + w.at("path").get<std::string>());
        if (w.contains("headers"))
            for (auto it = w.at("headers").begin(); it != w.at("headers").end(); ++it) {
                const json *sent = header(r, it.key());
                if (sent == nullptr || *sent != it.value())
                    fail(at + ": header " + it.key() + " is " + (sent ? sent->dump() : "absent") + ", expected " +
                         it.value().dump());
            }
        if (w.contains("absent_headers"))
            for (const auto &name : w.at("absent_headers")) {
                const json *sent = header(r, name.get<std::string>());
                if (sent != nullptr) fail(at + ": header " + name.get<std::string>() + " must be absent, was " + sent->dump());
            }
        if (w.contains("json")) {
            json sent;
            try {
                sent = json::parse(body);
            } catch (const std::exception &) {
                fail(at + ": body is not JSON: " + body);
            }
            exact(w.at("json"), sent, at + ".json");
        }
        if (w.contains("body_text") && w.at("body_text").get<std::string>() != body)
            fail(at + ": body " + json(body).dump() + ", expected " + w.at("body_text").dump());
        if (w.contains("form")) exact(w.at("form"), form_object(body, at), at + ".form");
        if (w.contains("query")) exact(w.at("query"), form_object(query, at), at + ".query");
    }
}

// ---------------------------------------------------------------- one case

vk_scripted_server *server = nullptr;

json recorded_requests() {
    vk_text *t = nullptr;
    vk_error *err = nullptr;
    if (vk_scripted_server_requests_json(server, &t, &err) != VK_OK) {
        std::string why = vk_error_message(err);
        vk_error_free(err);
        fail("requests: " + why);
    }
    json out = json::parse(vk_text_str(t));
    vk_text_free(t);
    return out;
}

void run_case(const json &c) {
    vk_scripted_server_reset(server);
    if (!c.contains("answers") || !c.at("answers").is_array()) fail("answers must be an array");
    vk_error *err = nullptr;
    if (vk_scripted_server_push_json(server, c.at("answers").dump().c_str(), &err) != VK_OK) {
        std::string why = vk_error_message(err);
        vk_error_free(err);
        fail("answers: " + why);
    }
    const std::string url = vk_scripted_server_url(server);
    const std::string provider = c.value("provider", "");
    Outcome outcome;
    try {
        if (provider == "smartgift") {
            provider_now = "smartgift";
            outcome = run_smartgift(c, url);
        } else if (provider == "spaaza") {
            provider_now = "spaaza";
            outcome = run_spaaza(c, url);
        } else {
            fail("unknown provider " + provider);
        }
    } catch (const voucherkit::Error &e) {  // a string C cannot carry (a NUL inside)
        outcome = Outcome{false, wrapper_error_json(e)};
    }
    check_requests(c.at("expect_requests"), recorded_requests());
    const json &expect = c.at("expect");
    bool want_result = expect.contains("result"), want_error = expect.contains("error");
    if (want_result == want_error) fail("expect must hold exactly one of result / error");
    if (outcome.ok && want_result) return matches(expect.at("result"), outcome.value, "result");
    if (!outcome.ok && want_error) return matches(expect.at("error"), outcome.value, "error");
    if (outcome.ok) fail("expected an error, got result " + outcome.value.dump());
    fail("expected a result, got error " + outcome.value.dump());
}

// One changed copy of `c` that a correct runner must reject (the Rust runner's rotation).
std::optional<std::pair<std::string, json>> mutate(const json &c, size_t n) {
    std::vector<std::pair<std::string, json>> options;
    const json &expect = c.at("expect");
    auto push = [&](const std::string &what, const std::function<void(json &)> &f) {
        json copy = c;
        f(copy);
        options.emplace_back(what, copy);
    };
    if (expect.contains("error") && expect.at("error").contains("kind") && expect.at("error").at("kind").is_string()) {
        std::string other = expect.at("error").at("kind") == "provider_error" ? "network" : "provider_error";
        push("error kind", [&](json &x) { x["expect"]["error"]["kind"] = other; });
    }
    if (expect.contains("error") && expect.at("error").contains("message") &&
        expect.at("error").at("message").is_string())
        push("error message", [](json &x) {
            x["expect"]["error"]["message"] = x["expect"]["error"]["message"].get<std::string>() + "!";
        });
    if (expect.contains("error") && expect.at("error").contains("field") && expect.at("error").at("field").is_string())
        push("error field", [](json &x) { x["expect"]["error"]["field"] = "nope"; });
    if (expect.contains("result") && expect.at("result").is_object()) {
        const json &result = expect.at("result");
        for (auto it = result.begin(); it != result.end(); ++it) {
            if (it.value().is_object() || it.value().is_array()) continue;
            json changed;
            if (it.value().is_string())
                changed = it.value().get<std::string>() + "!";
            else if (it.value().is_boolean())
                changed = !it.value().get<bool>();
            else if (it.value().is_number())
                changed = 987654321;
            else
                changed = "x";
            std::string key = it.key();
            push("result field", [key, changed](json &x) { x["expect"]["result"][key] = changed; });
            break;
        }
    }
    const json &reqs = c.at("expect_requests");
    if (reqs.is_array() && reqs.empty()) {
        push("requests on the wire",
             [](json &x) { x["expect_requests"] = json::array({json{{"method", "POST"}, {"path", "/x"}}}); });
    } else if (reqs.is_array()) {
        push("method", [](json &x) { x["expect_requests"][0]["method"] = "PATCH"; });
        for (const char *key : {"json", "form", "query"}) {
            if (reqs[0].contains(key) && reqs[0].at(key).is_object() && !reqs[0].at(key).empty()) {
                std::string field = reqs[0].at(key).begin().key();
                std::string k = key;
                push(k + " field " + field, [k, field](json &x) { x["expect_requests"][0][k][field] = "changed!"; });
            }
        }
        if (reqs[0].contains("body_text") && reqs[0].at("body_text").is_string())
            push("body text", [](json &x) {
                x["expect_requests"][0]["body_text"] = x["expect_requests"][0]["body_text"].get<std::string>() + " ";
            });
    }
    if (options.empty()) return std::nullopt;
    return options[n % options.size()];
}

// How many cases the corpus holds, counted the way check_corpus.py counts them: every file
// in every directory under cases/ (whatever its name or provider), so a case this runner
// does not pick up (a new provider directory, a misnamed file) is a failure.
size_t corpus_case_count(const fs::path &corpus) {
    size_t count = 0;
    for (const auto &dir : fs::directory_iterator(corpus / "cases"))
        if (dir.is_directory())
            for (const auto &entry : fs::directory_iterator(dir.path()))
                if (entry.is_regular_file()) count++;
    return count;
}

}  // namespace

int main(int argc, char **argv) {
    if (argc < 2) {
        std::cerr << "usage: conformance <tests/conformance> [--no-self-check] [--valgrind] [filters...]\n";
        return 2;
    }
    fs::path corpus = argv[1];
    bool self_check = true;
    std::vector<std::string> filters;
    for (int i = 2; i < argc; i++) {
        std::string a = argv[i];
        if (a == "--no-self-check")
            self_check = false;
        else if (a.rfind("--", 0) == 0)
            continue;  // --valgrind: accepted for the log; nothing differs
        else
            filters.push_back(a);
    }
    std::vector<fs::path> files;
    for (const char *provider : {"smartgift", "spaaza"})
        for (const auto &entry : fs::directory_iterator(corpus / "cases" / provider))
            if (entry.path().extension() == ".json") files.push_back(entry.path());
    std::sort(files.begin(), files.end());

    vk_error *err = nullptr;
    if (vk_scripted_server_start(corpus.c_str(), &server, &err) != VK_OK) {
        std::cerr << "cannot start the scripted server: " << vk_error_message(err) << "\n";
        vk_error_free(err);
        return 2;
    }
    auto selected = [&](const std::string &name) {
        if (filters.empty()) return true;
        for (const auto &f : filters)
            if (name.find(f) != std::string::npos) return true;
        return false;
    };

    size_t passed = 0, failed = 0;
    std::set<std::string> names;
    std::vector<json> cases;
    for (const auto &file : files) {
        json c;
        try {
            c = json::parse(read_file(file));
        } catch (const std::exception &e) {
            std::cerr << file << ": not JSON: " << e.what() << "\n";
            return 2;
        }
        cases.push_back(c);
        std::string name = c.value("name", "?");
        if (!selected(name)) continue;
        try {
            if (!names.insert(name).second) fail("duplicate case name");
            run_case(c);
            passed++;
            std::cout << "conformance " << name << " ... ok\n";
        } catch (const std::exception &e) {
            failed++;
            std::cout << "conformance " << name << " ... FAILED\n    " << e.what() << "\n";
        }
    }
    const size_t played = passed + failed;
    size_t mutated_total = 0;
    if (self_check) {
        std::vector<std::string> uncaught;
        size_t mutated = 0;
        for (size_t n = 0; n < cases.size(); n++) {
            std::string name = cases[n].value("name", "?");
            if (!selected(name)) continue;
            auto m = mutate(cases[n], n);
            if (m) {
                try {
                    run_case(m->second);
                    uncaught.push_back(name + ": " + m->first);
                } catch (const std::exception &) {
                }
            }
            mutated++;
        }
        mutated_total = mutated;
        if (uncaught.empty()) {
            std::cout << "conformance self-check: " << mutated << " mutated cases, every one caught\n";
        } else {
            failed += uncaught.size();
            std::cout << "conformance self-check FAILED: changed cases still passed:\n";
            for (const auto &u : uncaught) std::cout << "    " << u << "\n";
        }
    }
    // Every case must have run (and, with the self-check, been mutated) once: the expected
    // count comes from the corpus itself, never from a number written here.
    const size_t expected = corpus_case_count(corpus);
    if (filters.empty() && (played != expected || (self_check && mutated_total != expected))) {
        failed++;
        std::cout << "conformance FAILED: the corpus holds " << expected << " cases; " << played
                  << " were played, " << mutated_total << " mutated\n";
    }
    vk_scripted_server_free(server);
    std::cout << "conformance: " << passed << " passed, " << failed << " failed\n";
    return failed == 0 && passed > 0 ? 0 : 1;
}
