// The journal scenarios of tests/conformance/journal/ (format: tests/conformance/README.md,
// "Journal scenarios"; what they check: docs/journal.md), played through the C API against
// the stateful sandbox, as core/tests/journal_scenarios.rs plays them through the Rust core.
// One in-memory journal is shared by a journaled Smart Gift client and a journaled Spaaza
// admin client. Every scenario is also played with its last expected state, kind or
// request path changed, and that copy must fail (the self-check: the runner compares what
// it claims to).
//
// Usage: journal_scenarios <path to tests/conformance> [--no-self-check] [--timeout-scale N]
// (--timeout-scale multiplies every scenario's timeout_ms: under valgrind, a call is ten
// times slower and a short timeout would end it before its request is even sent)
// Prints one line per scenario and `journal scenarios: N passed, N failed`.

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "results_json.hpp"
#include "voucherkit.h"
#include "voucherkit/testing.h"

namespace fs = std::filesystem;

namespace {

uint64_t timeout_scale = 1;

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

// Deep subset match: objects by the keys given (null = absent or null), arrays of the same
// length element by element, "<any>" = present and not null, numbers by value.
void matches(const json &want, const json &got, const std::string &at) {
    if (want.is_string() && want.get<std::string>() == "<any>") {
        if (got.is_null()) fail(at + ": expected a value, got null");
        return;
    }
    if (want.is_null()) {
        if (!got.is_null()) fail(at + ": expected null, got " + got.dump());
        return;
    }
    if (want.is_object()) {
        if (!got.is_object()) fail(at + ": expected an object, got " + got.dump());
        for (auto it = want.begin(); it != want.end(); ++it)
            matches(it.value(), got.contains(it.key()) ? got.at(it.key()) : json(nullptr), at + "." + it.key());
        return;
    }
    if (want.is_array() && got.is_array()) {
        if (want.size() != got.size())
            fail(at + ": expected " + std::to_string(want.size()) + " item(s), got " + std::to_string(got.size()) +
                 ": " + got.dump());
        for (size_t i = 0; i < want.size(); i++) matches(want[i], got[i], at + "[" + std::to_string(i) + "]");
        return;
    }
    if (want.is_number() && got.is_number() && want.get<long double>() == got.get<long double>()) return;
    if (want.type() == got.type() && !want.is_number() && want == got) return;
    fail(at + ": expected " + want.dump() + ", got " + got.dump());
}

// A call's Outcome (results_json.hpp): the result's JSON plus its journal_id, or the
// error's (vk_error_to_json, journal_id included).
template <typename H>
Outcome outcome(vk_status st, H *out, vk_error *err, json (*to_json)(const H *), void (*free_h)(H *),
                const char *(*journal_id)(const H *)) {
    Outcome o;
    if (st == VK_OK) {
        o.ok = true;
        o.value = to_json(out);
        if (journal_id) o.value["journal_id"] = opt_str(journal_id(out));
    } else {
        o.value = err ? json::parse(vk_error_to_json(err)) : json{{"kind", vk_error_kind_str(st)}};
    }
    free_h(out);
    vk_error_free(err);
    return o;
}

json entries_json(vk_journal_entry_list *list) {
    json out = json::array();
    for (size_t i = 0, n = vk_journal_entry_list_count(list); i < n; i++)
        out.push_back(json::parse(vk_journal_entry_to_json(vk_journal_entry_list_at(list, i))));
    vk_journal_entry_list_free(list);
    return out;
}

// One scenario's world: a fresh sandbox, an in-memory journal, both clients.
class Run {
  public:
    explicit Run(const json &config) {
        vk_error *err = nullptr;
        if (vk_sandbox_start(nullptr, &sb_, &err) != VK_OK) setup_failed("vk_sandbox_start", err);
        if (vk_journal_open(":memory:", &journal_, &err) != VK_OK) setup_failed("vk_journal_open", err);
        const uint64_t timeout = config.is_object() && config.contains("timeout_ms")
                                     ? config.at("timeout_ms").get<uint64_t>()
                                     : 2000;
        const uint64_t scaled = timeout * timeout_scale;
        const uint32_t retries = config.is_object() && config.contains("max_retries")
                                     ? config.at("max_retries").get<uint32_t>()
                                     : 0;
        vk_smartgift_config sgc = vk_smartgift_config_default();
        sgc.api_key = vk_sandbox_smartgift_key(sb_);
        sgc.base_url = vk_sandbox_smartgift_url(sb_);
        sgc.options.timeout_ms = scaled;
        sgc.options.max_retries = retries;
        sgc.journal = journal_;
        if (vk_smartgift_new(&sgc, &sg_, &err) != VK_OK) setup_failed("vk_smartgift_new", err);
        vk_spaaza_config spc = vk_spaaza_config_default();
        spc.session_user_id = vk_sandbox_spaaza_session_user_id(sb_);
        spc.session_key = vk_sandbox_spaaza_session_key(sb_);
        spc.base_url = vk_sandbox_spaaza_url(sb_);
        spc.options.timeout_ms = scaled;
        spc.options.max_retries = retries;
        spc.journal = journal_;
        if (vk_spaaza_new(&spc, &sp_, &err) != VK_OK) setup_failed("vk_spaaza_new", err);
    }
    ~Run() {
        vk_smartgift_free(sg_);
        vk_spaaza_free(sp_);
        vk_journal_free(journal_);
        vk_sandbox_free(sb_);
    }
    Run(const Run &) = delete;
    Run &operator=(const Run &) = delete;

    void step(const json &s) {
        if (!s.is_object()) fail("a step must be an object");
        vk_error *err = nullptr;
        if (s.contains("fault")) {
            const std::string rule = s.at("fault").dump();
            control(vk_sandbox_inject_json(sb_, rule.c_str(), &err), err, "fault");
        } else if (s.contains("clear_faults")) {
            vk_sandbox_clear_faults(sb_);
        } else if (s.contains("advance_clock")) {
            vk_sandbox_advance_clock(sb_, s.at("advance_clock").get<uint64_t>());
        } else if (s.contains("call")) {
            const json input = resolve(s.value("input", json::object()));
            Outcome o = call(s.at("call").get<std::string>(), input);
            const json actual = o.ok ? json{{"result", o.value}} : json{{"error", o.value}};
            matches(resolve(s.at("expect")), actual, "expect");
            if (s.contains("save"))
                for (auto it = s.at("save").begin(); it != s.at("save").end(); ++it) {
                    const std::string field = it.value().get<std::string>();
                    vars_[it.key()] = o.value.contains(field) ? o.value.at(field) : json(nullptr);
                }
        } else if (s.contains("reconcile")) {
            const std::string provider = s.at("reconcile").get<std::string>();
            vk_journal_entry_list *list = nullptr;
            vk_status st;
            if (provider == "smartgift")
                st = vk_smartgift_reconcile(sg_, &list, &err);
            else if (provider == "spaaza")
                st = vk_spaaza_reconcile(sp_, &list, &err);
            else
                fail("unknown provider " + provider);
            control(st, err, "reconcile");
            matches(resolve(s.at("expect")), entries_json(list), "reconcile");
        } else if (s.contains("entries")) {
            matches(resolve(s.at("expect")), entries(s.at("entries")), "entries");
        } else if (s.contains("requests")) {
            matches(s.at("requests"), new_requests(), "requests");
        } else {
            fail("unknown step " + s.dump());
        }
    }

  private:
    vk_sandbox *sb_ = nullptr;
    vk_journal *journal_ = nullptr;
    vk_smartgift *sg_ = nullptr;
    vk_spaaza *sp_ = nullptr;
    std::map<std::string, json> vars_;
    size_t seen_ = 0;  // provider requests already compared by a `requests` step

    [[noreturn]] static void setup_failed(const char *what, vk_error *err) {
        std::string msg = std::string(what) + ": " + (err ? vk_error_message(err) : "?");
        vk_error_free(err);
        throw std::runtime_error(msg);
    }

    static void control(vk_status st, vk_error *err, const char *what) {
        if (st == VK_OK) return;
        std::string msg = std::string(what) + " failed: " + (err ? vk_error_message(err) : vk_error_kind_str(st));
        vk_error_free(err);
        fail(msg);
    }

    // "$name" strings become the value saved under `name`, anywhere in `v`.
    json resolve(const json &v) const {
        if (v.is_string()) {
            const std::string s = v.get<std::string>();
            if (!s.empty() && s[0] == '$') {
                auto it = vars_.find(s.substr(1));
                if (it == vars_.end()) fail(s + " was never saved");
                return it->second;
            }
            return v;
        }
        json out = v;
        if (v.is_array())
            for (size_t i = 0; i < v.size(); i++) out[i] = resolve(v[i]);
        if (v.is_object())
            for (auto it = v.begin(); it != v.end(); ++it) out[it.key()] = resolve(it.value());
        return out;
    }

    Outcome call(const std::string &name, const json &in) {
        auto str = [&](const char *k) -> std::optional<std::string> {
            if (!in.contains(k) || in.at(k).is_null()) return std::nullopt;
            return in.at(k).get<std::string>();
        };
        auto c = [](const std::optional<std::string> &s) { return s ? s->c_str() : nullptr; };
        auto num = [&](const char *k) -> std::optional<int64_t> {
            if (!in.contains(k) || in.at(k).is_null()) return std::nullopt;
            return in.at(k).get<int64_t>();
        };
        auto ints = [&](const char *k) {
            std::vector<int64_t> out;
            if (in.contains(k))
                for (const auto &x : in.at(k)) out.push_back(x.get<int64_t>());
            return out;
        };
        // The C API takes Smart Gift's site_id as text; the corpus gives a number or a string.
        std::string site;
        if (in.contains("site_id"))
            site = in.at("site_id").is_string() ? in.at("site_id").get<std::string>()
                                                : std::to_string(in.at("site_id").get<int64_t>());
        const std::string voucher_no = str("voucher_no").value_or("");
        const auto reference = str("reference");
        vk_error *err = nullptr;
        if (name == "smartgift.check") {
            vk_smartgift_voucher *v = nullptr;
            vk_status st = vk_smartgift_check(sg_, voucher_no.c_str(), site.c_str(), nullptr, 0, nullptr, 0, &v, &err);
            return outcome<vk_smartgift_voucher>(st, v, err, smartgift_voucher_json, vk_smartgift_voucher_free,
                                                 nullptr);
        }
        if (name == "smartgift.hold") {
            vk_smartgift_held *h = nullptr;
            vk_status st = vk_smartgift_hold(sg_, voucher_no.c_str(), &h, &err);
            return outcome<vk_smartgift_held>(st, h, err, held_json, vk_smartgift_held_free, nullptr);
        }
        if (name == "smartgift.release") {
            const auto token = str("hold_token").value_or("");
            vk_smartgift_released *r = nullptr;
            vk_status st = vk_smartgift_release(sg_, voucher_no.c_str(), token.c_str(), &r, &err);
            return outcome<vk_smartgift_released>(st, r, err, released_json, vk_smartgift_released_free, nullptr);
        }
        if (name == "smartgift.redeem") {
            const auto value = str("value");
            const auto token = str("hold_token");
            const bool has_exp = in.contains("experiences") && in.at("experiences").is_array();
            const std::vector<int64_t> exp = ints("experiences");
            vk_smartgift_redemption *r = nullptr;
            vk_status st = vk_smartgift_redeem_ref(sg_, voucher_no.c_str(), site.c_str(), c(value),
                                                   has_exp ? exp.data() : nullptr, exp.size(), c(token), c(reference),
                                                   &r, &err);
            return outcome<vk_smartgift_redemption>(st, r, err, redemption_json, vk_smartgift_redemption_free,
                                                    vk_smartgift_redemption_journal_id);
        }
        if (name == "smartgift.reverse") {
            const std::vector<int64_t> ids = ints("redemptions");
            vk_smartgift_reversed *r = nullptr;
            vk_status st = vk_smartgift_reverse_ref(sg_, voucher_no.c_str(), site.c_str(), ids.data(), ids.size(),
                                                    c(reference), &r, &err);
            return outcome<vk_smartgift_reversed>(st, r, err, reversed_json, vk_smartgift_reversed_free,
                                                  vk_smartgift_reversed_journal_id);
        }
        if (name == "spaaza.redeem_voucher") {
            const auto key = str("voucher_key");
            const auto amount = str("amount");
            const auto voucher_id = num("voucher_id");
            const auto user_id = num("user_id");
            vk_spaaza_voucher *v = nullptr;
            vk_status st = vk_spaaza_redeem_voucher_ref(sp_, num("chain_id").value_or(0), c(key),
                                                        voucher_id ? &*voucher_id : nullptr,
                                                        user_id ? &*user_id : nullptr, c(amount), c(reference), &v, &err);
            return outcome<vk_spaaza_voucher>(st, v, err, spaaza_voucher_json, vk_spaaza_voucher_free,
                                              vk_spaaza_voucher_journal_id);
        }
        if (name == "spaaza.get_vouchers") {
            const auto voucher_id = num("voucher_id");
            vk_spaaza_get_vouchers_request q{};
            q.chain_id = num("chain_id").value_or(0);
            q.voucher_id = voucher_id ? &*voucher_id : nullptr;
            q.show_all_statuses = true;
            vk_spaaza_voucher_list *l = nullptr;
            vk_status st = vk_spaaza_get_vouchers(sp_, &q, &l, &err);
            return outcome<vk_spaaza_voucher_list>(st, l, err, voucher_list_json, vk_spaaza_voucher_list_free,
                                                   nullptr);
        }
        fail("unknown call " + name);
    }

    json entries(const json &f) {
        if (!f.is_object()) fail("entries takes a filter object");
        std::optional<std::string> state, reference, provider;
        std::optional<size_t> limit;
        for (auto it = f.begin(); it != f.end(); ++it) {
            if (it.key() == "state")
                state = it.value().get<std::string>();
            else if (it.key() == "reference")
                reference = it.value().get<std::string>();
            else if (it.key() == "provider")
                provider = it.value().get<std::string>();
            else if (it.key() == "limit")
                limit = it.value().get<size_t>();
            else
                fail("unknown filter key " + it.key());
        }
        vk_journal_filter filter{};
        filter.state = state ? state->c_str() : nullptr;
        filter.reference = reference ? reference->c_str() : nullptr;
        filter.provider = provider ? provider->c_str() : nullptr;
        filter.limit = limit ? &*limit : nullptr;
        vk_journal_entry_list *list = nullptr;
        vk_error *err = nullptr;
        control(vk_journal_entries(journal_, &filter, &list, &err), err, "entries");
        return entries_json(list);
    }

    // "METHOD /path" (no query) of each provider request since the last `requests` step.
    json new_requests() {
        vk_text *t = nullptr;
        vk_error *err = nullptr;
        control(vk_sandbox_requests_json(sb_, &t, &err), err, "requests");
        const json all = json::parse(vk_text_str(t));
        vk_text_free(t);
        json out = json::array();
        for (size_t i = seen_; i < all.size(); i++) {
            std::string path = all[i].at("path").get<std::string>();
            path = path.substr(0, path.find('?'));
            out.push_back(all[i].at("method").get<std::string>() + " " + path);
        }
        seen_ = all.size();
        return out;
    }
};

void play(const json &scenario) {
    Run run(scenario.value("config", json::object()));
    const json &steps = scenario.at("steps");
    for (size_t i = 0; i < steps.size(); i++) {
        try {
            run.step(steps[i]);
        } catch (const Mismatch &e) {
            fail("step " + std::to_string(i) + ": " + e.what());
        }
    }
}

// Changes the last expectation naming a state or an error kind (else the last expected
// request path) into a wrong one, as the Rust runner does; false when there is none.
bool mutate(json &v) {
    if (v.is_array()) {
        for (size_t i = v.size(); i-- > 0;)
            if (mutate(v[i])) return true;
        return false;
    }
    if (!v.is_object()) return false;
    for (const char *key : {"state", "kind"})
        if (v.contains(key) && v.at(key).is_string()) {
            v[key] = v.at(key).get<std::string>() == "applied" ? "not_applied" : "applied";
            return true;
        }
    if (v.contains("requests") && v.at("requests").is_array() && !v.at("requests").empty() &&
        v.at("requests").back().is_string()) {
        v["requests"].back() = v.at("requests").back().get<std::string>() + "-changed";
        return true;
    }
    std::vector<std::string> keys;
    for (auto it = v.begin(); it != v.end(); ++it) keys.push_back(it.key());
    std::reverse(keys.begin(), keys.end());
    for (const auto &k : keys)
        if (k != "fault" && k != "input" && mutate(v[k])) return true;
    return false;
}

}  // namespace

int main(int argc, char **argv) {
    const fs::path corpus = argc > 1 ? argv[1] : "tests/conformance";
    bool self_check = true;
    for (int i = 2; i < argc; i++) {
        const std::string arg = argv[i];
        if (arg == "--no-self-check") {
            self_check = false;
        } else if (arg == "--timeout-scale" && i + 1 < argc) {
            timeout_scale = std::stoull(argv[++i]);
        } else {
            std::cerr << "usage: journal_scenarios <tests/conformance> [--no-self-check] [--timeout-scale N]\n";
            return 2;
        }
    }
    std::vector<fs::path> files;
    for (const auto &e : fs::directory_iterator(corpus / "journal"))
        if (e.path().extension() == ".json") files.push_back(e.path());
    std::sort(files.begin(), files.end());
    if (files.empty()) {
        std::cerr << "no journal scenarios in " << (corpus / "journal") << "\n";
        return 1;
    }
    size_t passed = 0, failed = 0;
    for (const auto &file : files) {
        json scenario;
        std::string name = file.filename().string();
        try {
            scenario = json::parse(read_file(file));
            name = scenario.value("name", name);
            play(scenario);
            std::cout << "journal scenario " << name << " ... ok\n";
            passed++;
        } catch (const std::exception &e) {
            std::cout << "journal scenario " << name << " ... FAILED\n    " << e.what() << "\n";
            failed++;
            continue;
        }
        if (!self_check) continue;
        json changed = scenario;
        bool caught = false;
        if (!mutate(changed["steps"])) {
            std::cout << "journal scenario " << name << " ... FAILED\n    nothing to mutate\n";
        } else {
            try {
                play(changed);
            } catch (const std::exception &) {
                caught = true;
            }
            if (!caught) std::cout << "journal scenario " << name << " ... FAILED\n    a changed copy passed too\n";
        }
        if (!caught) {
            passed--;
            failed++;
        }
    }
    if (self_check) std::cout << "journal self-check: " << files.size() << " mutated scenarios, each must fail\n";
    std::cout << "journal scenarios: " << passed << " passed, " << failed << " failed\n";
    return failed == 0 && passed == files.size() ? 0 : 1;
}
