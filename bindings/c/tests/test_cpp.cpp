// C++ tests of include/voucherkit.hpp (the header-only C++17 wrapper) against the sandbox
// on 127.0.0.1: every operation through the RAII classes, voucherkit::Error with every
// attribute, every error kind as an exception, the logger (also one that calls voucherkit
// itself, and one that throws), the warning logger, option ranges, NUL bytes refused, moves,
// and the journal (references, a lost answer reconciled, entries filtered).
//
// Usage: test_cpp <path to tests/conformance>
// Prints failed checks and a closing line `test_cpp: N passed, N failed`.
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "voucherkit.hpp"
#include "voucherkit/testing.hpp"

namespace vk = voucherkit;

static int passed = 0, failed = 0;

#define CHECK(cond)                                                              \
    do {                                                                         \
        if (cond) {                                                              \
            passed++;                                                            \
        } else {                                                                 \
            failed++;                                                            \
            std::cerr << __FILE__ << ":" << __LINE__ << ": FAILED: " #cond "\n"; \
        }                                                                        \
    } while (0)

#define CHECK_EQ(got, want)                                                                       \
    do {                                                                                          \
        auto g_ = (got);                                                                          \
        auto w_ = (want);                                                                         \
        if (g_ == w_) {                                                                           \
            passed++;                                                                             \
        } else {                                                                                  \
            failed++;                                                                             \
            std::cerr << __FILE__ << ":" << __LINE__ << ": FAILED: " #got " == " #want "\n";       \
        }                                                                                         \
    } while (0)

// Runs `f`, which must throw a voucherkit::Error of `kind`; returns it for more checks.
template <typename F>
static std::optional<vk::Error> expect_error(vk::ErrorKind kind, F f, int line) {
    try {
        f();
        failed++;
        std::cerr << __FILE__ << ":" << line << ": FAILED: no error, expected " << vk::kind_name(kind) << "\n";
    } catch (const vk::Error &e) {
        if (e.kind() == kind) {
            passed++;
        } else {
            failed++;
            std::cerr << __FILE__ << ":" << line << ": FAILED: " << e.what() << ", expected " << vk::kind_name(kind)
                      << "\n";
        }
        return e;
    }
    return std::nullopt;
}
#define EXPECT_ERROR(kind, body) expect_error(vk::ErrorKind::kind, [&] { body; }, __LINE__)

static std::string opt_or(const std::optional<std::string> &s) { return s.value_or("(absent)"); }

static void test_version() {
    CHECK_EQ(vk::version(), std::string(VOUCHERKIT_VERSION_STRING));
    CHECK_EQ(vk::version(), std::to_string(VOUCHERKIT_VERSION_MAJOR) + "." + std::to_string(VOUCHERKIT_VERSION_MINOR) +
                                "." + std::to_string(VOUCHERKIT_VERSION_PATCH));
    CHECK_EQ(vk::kind_name(vk::ErrorKind::OutcomeUnknown), std::string("outcome_unknown"));
    CHECK_EQ(static_cast<unsigned>(vk::ErrorKind::Internal), 17u);
}

static vk::SmartGift smartgift(const vk::testing::ScriptedServer &server) {
    vk::SmartGiftConfig cfg;
    cfg.api_key = "sk_test_cpp_0001";
    cfg.base_url = server.url();
    cfg.options.timeout = std::chrono::milliseconds(3000);
    return vk::SmartGift(cfg);
}

static void test_scripted(const std::string &corpus) {
    vk::testing::ScriptedServer server(corpus);
    vk::SmartGift sg = smartgift(server);

    server.push_json(R"({"status":200,"body_file":"bodies/smartgift-check-monetary.json"})");
    vk::SmartGiftVoucher v = sg.check("XXXXXXXXXX", 12);
    CHECK_EQ(v.id().value_or(0), 11400);
    CHECK_EQ(opt_or(v.name()), std::string("Sample Monetary Voucher"));
    CHECK_EQ(opt_or(v.remaining_value()), std::string("10"));
    CHECK_EQ(opt_or(v.voucher_type()), std::string("monetary"));
    CHECK(v.sold_out() == std::optional<bool>(false));
    CHECK(v.experiences().empty());
    CHECK(!v.available_to_redeem_json());
    CHECK(server.requests_json().find(R"(\"site_id\":\"12\")") != std::string::npos);

    server.reset();
    server.push_json(R"({"status":200,"body":{"data":{"type":"experience","remaining_value":10,
        "experiences":[{"id":1,"name":"Tea","bit_value":2},{"id":2,"name":"Spa","bit_value":8}]}}})");
    v = sg.check("SG-1", "12", {"spa"}, {vk::MetaCondition{"used_in", "in", {"12"}}});
    auto exps = v.experiences();
    CHECK(exps.size() == 2 && exps[1].bit_value == std::optional<std::uint64_t>(8) && exps[1].name == "Spa");
    CHECK(server.requests_json().find("meta_conditions") != std::string::npos);

    server.push_json(R"([{"status":200,"body_file":"bodies/smartgift-hold-success.json"},
                         {"status":200,"body_file":"bodies/smartgift-redeem-success.json"},
                         {"status":200,"body_file":"bodies/smartgift-redeem-success.json"},
                         {"status":200,"body_file":"bodies/smartgift-release-success.json"},
                         {"status":200,"body_file":"bodies/smartgift-reverse-success.json"}])");
    CHECK_EQ(server.pending(), 5u);
    vk::SmartGiftHeld held = sg.hold("SG-1");
    CHECK_EQ(held.hold_token(), std::string("hold_token_jY0VMM8zd5GLkk3jDpEjTOLr"));
    CHECK(held.received_at_ms() > 1600000000000ULL);
    CHECK_EQ(sg.base_url(), server.url());
    CHECK(sg.user_agent().find("(c)") != std::string::npos);
    vk::SmartGiftRedemption r = sg.redeem("SG-1", "12", "10.00", held.hold_token());
    CHECK(r.redemptions() == (std::vector<std::uint64_t>{21, 22, 23}));
    CHECK_EQ(r.message(), std::string("The voucher has been redeemed."));
    r = sg.redeem_experiences("SG-1", "12", {2, 8});
    CHECK(server.requests_json().find(R"(\"value\":10})") != std::string::npos);
    CHECK_EQ(sg.release("SG-1", held.hold_token()).message(), std::string("Voucher hold released"));
    CHECK_EQ(sg.reverse("SG-1", "12", {21, 22}).message(), std::string("Redemption reversal complete"));

    // errors as exceptions, with every attribute
    server.reset();
    server.push_json(R"({"status":422,"body_file":"bodies/smartgift-redeem-error-voucher-invalid.json"})");
    auto e = EXPECT_ERROR(VoucherNotFound, sg.redeem("XXXXXXXXXX", "12", "10"));
    if (e) {
        CHECK_EQ(e->message(), std::string("Sorry, that voucher number is invalid."));
        CHECK(e->field() == std::optional<std::string>("voucher_no"));
        CHECK(e->http_status() == std::optional<std::uint16_t>(422));
        CHECK(e->provider() == std::optional<std::string>("smartgift"));
        CHECK(!e->provider_code());
        CHECK(!e->retryable());
        CHECK(!e->retry_after());
        CHECK(e->field_errors().size() == 1 && e->field_errors()[0].first == "voucher_no" &&
              e->field_errors()[0].second.size() == 1);
        CHECK_EQ(std::string(e->what()), std::string("voucher_not_found: Sorry, that voucher number is invalid."));
        CHECK_EQ(e->kind_str(), std::string("voucher_not_found"));
    }
    server.push_json(R"({"status":429,"headers":{"Retry-After":"30"},"body":{"message":"Too Many Attempts."}})");
    e = EXPECT_ERROR(RateLimited, sg.hold("SG-1"));
    if (e) {
        CHECK(e->retryable());
        CHECK(e->retry_after() == std::optional<std::uint64_t>(30));
    }
    server.push_json(R"({"status":502,"body_text":"<html>Bad Gateway</html>","content_type":"text/html"})");
    e = EXPECT_ERROR(OutcomeUnknown, sg.redeem("SG-1", "12", "1.00"));
    e = EXPECT_ERROR(InvalidRequest, sg.redeem("SG-1", "12", "-1"));
    if (e) CHECK(e->field() == std::optional<std::string>("value"));
    e = EXPECT_ERROR(InvalidRequest, sg.redeem_experiences("SG-1", "12", {}));
    if (e) CHECK(e->field() == std::optional<std::string>("experiences"));
    // A NUL inside a std::string is refused before the C layer could cut it short.
    e = EXPECT_ERROR(InvalidRequest, sg.hold(std::string("SG-1\0extra", 10)));
    if (e) CHECK(e->field() == std::optional<std::string>("voucher_no"));
    if (e) CHECK(e->provider() == std::optional<std::string>("smartgift"));
    CHECK(server.requests_json().find("extra") == std::string::npos);

    // Spaaza through the wrapper
    vk::SpaazaConfig spc;
    spc.session_user_id = 1;
    spc.session_key = "sess_cpp";
    spc.base_url = server.url();
    vk::Spaaza sp(spc);
    server.reset();
    server.push_json(R"([{"status":200,"body_file":"bodies/spaaza-redeem-voucher-success.json"},
                         {"status":200,"body_file":"bodies/spaaza-unlock-voucher-success.json"},
                         {"status":200,"body_file":"bodies/spaaza-unclaim-voucher-success.json"},
                         {"status":200,"body_file":"bodies/spaaza-claim-voucher-success.json"},
                         {"status":200,"body_file":"bodies/spaaza-lock-voucher-success.json"},
                         {"status":200,"body_file":"bodies/spaaza-get-vouchers.json"},
                         {"status":200,"body_file":"bodies/spaaza-error-permission-denied.json"}])");
    vk::RedeemVoucherRequest rv;
    rv.chain_id = 2;
    rv.voucher_key = "b45069f0";
    rv.amount = "2.00";
    vk::SpaazaVoucher sv = sp.redeem_voucher(rv);
    CHECK(sv.voucher_id().has_value());
    CHECK(sv.warnings().empty());
    std::optional<vk::SpaazaVoucher> regen = sv.regenerated_voucher();
    CHECK(!regen || regen->voucher_id().has_value());
    sv = sp.unlock_voucher(std::string("kk"), 35735);
    CHECK(sv.voucher_key().has_value());
    vk::ClaimRequest claim;
    claim.chain_id = 2;
    claim.third_party_id = 3914599659LL;
    claim.member_number = "404064";
    sv = sp.unclaim_voucher(claim);
    sv = sp.claim_voucher(claim);
    vk::LockVoucherRequest lock;
    lock.voucher_key = "kk";
    lock.retailer_basket_code = "RCPT1";
    sv = sp.lock_voucher(lock);
    CHECK_EQ(opt_or(sv.voucher_locking_code()), std::string("lock4001"));
    vk::GetVouchersRequest q;
    q.chain_id = 2;
    q.show_all_statuses = true;
    vk::VoucherList list = sp.get_vouchers(q);
    CHECK(list.results_count_total() == std::optional<std::int64_t>(1));
    auto vouchers = list.vouchers();
    CHECK(vouchers.size() == 1 && vouchers[0].voucher_type() == std::optional<std::string>("basket"));
    e = EXPECT_ERROR(PermissionDenied, sp.unlock_voucher(std::string("kk")));
    if (e) CHECK(e->provider_code() == std::optional<std::string>("permission_denied_or_non_existent"));
    CHECK_EQ(server.pending(), 0u);

    // a bad config, and an out-of-range enum through a cast
    spc.auth = static_cast<vk::SpaazaAuth>(7);
    e = EXPECT_ERROR(InvalidRequest, vk::Spaaza bad(spc));
    if (e) CHECK(e->field() == std::optional<std::string>("auth"));
    vk::SmartGiftConfig bad_cfg;
    e = EXPECT_ERROR(InvalidRequest, vk::SmartGift bad(bad_cfg));  // empty key
    bad_cfg.api_key = "k";
    bad_cfg.base_url = "http://127.0.0.1:1";
    vk::SmartGift dead(bad_cfg);
    EXPECT_ERROR(Network, dead.check("SG-1", "12"));
}

static void test_sandbox() {
    vk::testing::Sandbox sb;
    std::atomic<int> logged{0};
    vk::SmartGiftConfig cfg;
    cfg.api_key = sb.smartgift_key();
    cfg.base_url = sb.smartgift_url();
    cfg.options.logger = [&](const vk::RequestLog &log) {
        if (log.method == "POST" && log.status) logged++;
    };
    vk::SmartGift sg(cfg);
    CHECK_EQ(std::stod(opt_or(sg.check("1000000001", "12").remaining_value())), 100.0);
    auto held = sg.hold("1000000001");
    auto r = sg.redeem("1000000001", "12", "40.00", held.hold_token());
    CHECK(r.redemptions().size() == 1);
    sg.release("1000000001", held.hold_token());
    CHECK_EQ(std::stod(opt_or(sg.check("1000000001", "12").remaining_value())), 60.0);
    std::vector<std::int64_t> ids;
    for (auto id : r.redemptions()) ids.push_back(static_cast<std::int64_t>(id));
    sg.reverse("1000000001", "12", ids);
    CHECK_EQ(std::stod(opt_or(sg.check("1000000001", "12").remaining_value())), 100.0);
    CHECK_EQ(logged.load(), 7); // check, hold, redeem, release, check, reverse, check
    EXPECT_ERROR(VoucherExpired, sg.check("1000000004", "12"));
    EXPECT_ERROR(VoucherNotHeld, sg.release("1000000001", "no-such-token"));

    // one client, four threads
    std::vector<std::thread> threads;
    std::atomic<int> ok{0};
    for (int t = 0; t < 4; t++)
        threads.emplace_back([&] {
            for (int i = 0; i < 5; i++)
                if (sg.check("1000000002", "12").remaining_value()) ok++;
        });
    for (auto &t : threads) t.join();
    CHECK_EQ(ok.load(), 20);

    vk::SpaazaConfig spc;
    spc.session_user_id = sb.spaaza_session_user_id();
    spc.session_key = sb.spaaza_session_key();
    spc.base_url = sb.spaaza_url();
    vk::Spaaza sp(spc);
    vk::RedeemVoucherRequest rv;
    rv.chain_id = 2;
    rv.voucher_id = 438595;
    rv.amount = "2.50";
    auto v = sp.redeem_voucher(rv);
    auto regen = v.regenerated_voucher();
    CHECK(regen.has_value());
    if (regen) CHECK_EQ(std::stod(opt_or(regen->voucher_amount())), 7.5);
    EXPECT_ERROR(VoucherAlreadyRedeemed, sp.redeem_voucher(rv));
    sb.inject(R"({"path":"/spaaza/auth/redeem-voucher","answer":{"status":502,"body_text":"<html>x</html>",
                  "content_type":"text/html"},"times":1})");
    rv.voucher_id = 35735;
    rv.amount.reset();
    EXPECT_ERROR(OutcomeUnknown, sp.redeem_voucher(rv));
    CHECK(sb.requests_json().find("/spaaza/auth/redeem-voucher") != std::string::npos);
    CHECK(sb.state_json().find("438595") != std::string::npos);
    EXPECT_ERROR(InvalidRequest, sb.inject("{}"));
    sb.reset();
}

static std::size_t request_count(const vk::testing::ScriptedServer &server) {
    std::string log = server.requests_json();
    std::size_t n = 0;
    for (auto at = log.find("\"connection_id\""); at != std::string::npos; at = log.find("\"connection_id\"", at + 1))
        n++;
    return n;
}

static void test_hardening(const std::string &corpus) {
    vk::testing::ScriptedServer server(corpus);

    // A logger that calls voucherkit (a client whose server is gone) and then throws: the
    // stalled redeem is outcome_unknown, sent once.
    vk::SmartGiftConfig dead;
    dead.api_key = "sk_test_cpp_0002";
    dead.base_url = "http://127.0.0.1:1";
    dead.options.max_retries = 0;
    dead.options.timeout = std::chrono::milliseconds(1000);
    vk::SmartGift other(dead);
    int logged = 0, nested_network = 0;
    vk::SmartGiftConfig cfg;
    cfg.api_key = "sk_test_cpp_0001";
    cfg.base_url = server.url();
    cfg.options.timeout = std::chrono::milliseconds(400);
    cfg.options.logger = [&](const vk::RequestLog &) {
        logged++;
        try {
            other.check("V9", "12");
        } catch (const vk::Error &e) {
            if (e.kind() == vk::ErrorKind::Network) nested_network++;
        }
        throw std::runtime_error("a logger's exception stays in the logger");
    };
    vk::SmartGift sg(cfg);
    server.push_json(R"([{"fault":{"kind":"stall"}},
                         {"status":200,"body_file":"bodies/smartgift-redeem-success.json"},
                         {"status":200,"body_file":"bodies/smartgift-redeem-success.json"}])");
    auto e = EXPECT_ERROR(OutcomeUnknown, sg.redeem("SG-1", "12", "10.00"));
    if (e) CHECK(!e->retryable());
    CHECK_EQ(request_count(server), std::size_t{1});
    CHECK_EQ(server.pending(), 2u);
    CHECK_EQ(logged, 1);
    CHECK_EQ(nested_network, 1);
    server.reset();

    // The warning logger: Spaaza says ok, the voucher is only claimed.
    std::vector<vk::Warning> warnings;
    vk::SpaazaConfig spc;
    spc.session_user_id = 1;
    spc.session_key = "sess_cpp";
    spc.base_url = server.url();
    spc.options.warning_logger = [&](const vk::Warning &w) { warnings.push_back(w); };
    vk::Spaaza sp(spc);
    server.push_json(R"({"status":200,"body":{"result":{"code":1,"status":"ok"},
        "results":{"voucher_key":"k1","voucher_id":555123,"voucher_status":"claimed"}}})");
    vk::RedeemVoucherRequest rv;
    rv.chain_id = 2;
    rv.voucher_key = "k1";
    CHECK_EQ(opt_or(sp.redeem_voucher(rv).voucher_status()), std::string("claimed"));
    CHECK_EQ(warnings.size(), std::size_t{1});
    if (warnings.size() == 1) {
        CHECK_EQ(warnings[0].provider, std::string("spaaza"));
        CHECK_EQ(warnings[0].operation, std::string("redeem-voucher"));
        CHECK(warnings[0].message.find("555123") != std::string::npos);
    }

    // Option ranges, checked by the library before anything is sent.
    vk::SmartGiftConfig bad;
    bad.api_key = "k";
    CHECK_EQ(bad.options.max_idle_connections, 32u);
    bad.options.max_idle_connections = 1025;
    e = EXPECT_ERROR(InvalidRequest, vk::SmartGift c(bad));
    if (e) CHECK(e->field() == std::optional<std::string>("max_idle_connections"));
    bad.options.max_idle_connections = 1024;
    vk::SmartGift ok(bad);
    bad.options.timeout = std::chrono::milliseconds::max();
    e = EXPECT_ERROR(InvalidRequest, vk::SmartGift c(bad));
    if (e) CHECK(e->field() == std::optional<std::string>("timeout"));
    bad.options.timeout = std::chrono::milliseconds(-1); // wraps to 2^64-1 in the C struct
    e = EXPECT_ERROR(InvalidRequest, vk::SmartGift c(bad));
    if (e) CHECK(e->field() == std::optional<std::string>("timeout"));
}

// The journal: a redeem whose answer is lost is settled by reconcile(), entries filtered,
// journal ids on results and errors, the library's refusals as exceptions.
static void test_journal() {
    CHECK_EQ(static_cast<unsigned>(vk::ErrorKind::Journal), 18u);
    CHECK_EQ(vk::kind_name(vk::ErrorKind::Journal), std::string("journal"));

    char dir_template[] = "/tmp/vk-journal-cpp-XXXXXX";
    const char *dir_made = mkdtemp(dir_template);
    CHECK(dir_made != nullptr);
    if (dir_made == nullptr) return;
    const std::filesystem::path dir(dir_made);
    const std::string path = (dir / "till.journal").string();

    // Not a journal: a directory, a text file.
    auto e = EXPECT_ERROR(InvalidRequest, vk::Journal bad(dir.string()));
    if (e) CHECK(e->field() == std::optional<std::string>("journal"));
    {
        std::ofstream text(dir / "notes.txt");
        for (int i = 0; i < 200; i++) text << "a till's notes, not a journal\n";
    }
    e = EXPECT_ERROR(InvalidRequest, vk::Journal bad((dir / "notes.txt").string()));
    if (e) CHECK(e->field() == std::optional<std::string>("journal"));
    e = EXPECT_ERROR(InvalidRequest, vk::Journal bad(std::string("x\0y", 3)));
    if (e) CHECK(e->field() == std::optional<std::string>("path"));
    CHECK_EQ(vk::Journal(":memory:").path(), std::string(":memory:"));

    vk::testing::Sandbox sb;
    // The config's Journal (and so its handle) is gone once the client is built: the client
    // keeps its own reference.
    vk::SmartGift sg = [&] {
        vk::SmartGiftConfig cfg;
        cfg.api_key = sb.smartgift_key();
        cfg.base_url = sb.smartgift_url();
        cfg.options.timeout = std::chrono::milliseconds(2000);
        cfg.journal = vk::Journal(path);
        return vk::SmartGift(cfg);
    }();
    vk::Journal journal(path);
    CHECK_EQ(journal.path(), path);
    vk::Journal copy = journal; // copies share the handle
    CHECK(copy.handle() == journal.handle());
    const auto started = std::chrono::system_clock::now();

    auto done = sg.redeem("1000000001", "12", "10.00", std::nullopt, std::string("sale-1"));
    CHECK(done.journal_id().has_value());
    auto entry = journal.entry(done.journal_id().value_or(""));
    CHECK(entry.has_value());
    if (entry) {
        CHECK_EQ(entry->state, std::string("applied"));
        CHECK(entry->reference == std::optional<std::string>("sale-1"));
        CHECK_EQ(entry->provider, std::string("smartgift"));
        CHECK_EQ(entry->operation, std::string("redeem"));
        CHECK(entry->request_json.find(R"("value":"10.00")") != std::string::npos);
        CHECK(entry->before_json && entry->before_json->find("remaining_value") != std::string::npos);
        CHECK(entry->result_json && entry->result_json->find("redemptions") != std::string::npos);
        CHECK(!entry->error_json && !entry->certain);
        CHECK(entry->created_at > started - std::chrono::seconds(5) &&
              entry->created_at < started + std::chrono::minutes(10));
        CHECK(entry->resolved_at && *entry->resolved_at >= entry->created_at);
        CHECK_EQ(entry->reconcile_attempts, 0u);
        CHECK(entry->json.find("\"id\":\"" + entry->id + "\"") != std::string::npos);
    }
    CHECK(!journal.entry("0190c8d2-0000-7000-8000-000000000000"));

    // The answer is lost after the redeem happened: outcome_unknown with the entry's id,
    // then reconcile settles it as applied.
    sb.inject(R"({"path":"/smartgift/redeem","process":true,"times":1,"answer":{"fault":{"kind":"stall"}}})");
    e = EXPECT_ERROR(OutcomeUnknown, sg.redeem("1000000001", "12", "10.00", std::nullopt, std::string("sale-2")));
    std::string lost_id = e ? e->journal_id().value_or("") : "";
    CHECK_EQ(lost_id.size(), std::size_t{36});
    auto settled = sg.reconcile();
    CHECK_EQ(settled.size(), std::size_t{1});
    if (settled.size() == 1) {
        CHECK_EQ(settled[0].id, lost_id);
        CHECK_EQ(settled[0].state, std::string("applied"));
        CHECK_EQ(settled[0].reconcile_attempts, 1u);
        CHECK(settled[0].note.has_value());
        CHECK(settled[0].resolved_at.has_value());
    }
    CHECK(sg.reconcile().empty());

    // a reverse, journaled with its own reference
    std::vector<std::int64_t> ids;
    for (auto id : done.redemptions()) ids.push_back(static_cast<std::int64_t>(id));
    auto reversed = sg.reverse("1000000001", "12", ids, std::string("sale-1-void"));
    auto rev_entry = journal.entry(reversed.journal_id().value_or(""));
    CHECK(rev_entry && rev_entry->operation == "reverse" && rev_entry->state == "applied");

    // Spaaza: voucher_id is required with a journal; the key alone is refused, nothing sent
    vk::Spaaza sp = [&] {
        vk::SpaazaConfig spc;
        spc.session_user_id = sb.spaaza_session_user_id();
        spc.session_key = sb.spaaza_session_key();
        spc.base_url = sb.spaaza_url();
        spc.journal = journal;
        return vk::Spaaza(spc);
    }();
    vk::RedeemVoucherRequest rv;
    rv.chain_id = 2;
    rv.voucher_key = "b45069f0c789fe686b7d538eb97b6d017225a119e43733f73ccd230f12024eb5";
    rv.amount = "2.00";
    rv.reference = "basket-9";
    e = EXPECT_ERROR(InvalidRequest, sp.redeem_voucher(rv));
    if (e) CHECK(e->field() == std::optional<std::string>("voucher_id") && !e->journal_id());
    CHECK(sb.requests_json().find("/spaaza/") == std::string::npos);
    rv.voucher_key.reset();
    rv.voucher_id = 438595;
    auto sv = sp.redeem_voucher(rv);
    CHECK(sv.journal_id().has_value());
    auto regen = sv.regenerated_voucher();
    CHECK(regen && !regen->journal_id());
    CHECK(sp.reconcile().empty());
    rv.reference = std::string("bad\0ref", 7);
    e = EXPECT_ERROR(InvalidRequest, sp.redeem_voucher(rv));
    if (e) CHECK(e->field() == std::optional<std::string>("reference"));

    // filters: sale-1, sale-2, sale-1-void, basket-9
    CHECK_EQ(journal.entries().size(), std::size_t{4});
    vk::JournalFilter f;
    f.state = "applied";
    CHECK_EQ(journal.entries(f).size(), std::size_t{4});
    f.state = "unknown";
    CHECK(journal.entries(f).empty());
    f = vk::JournalFilter{};
    f.reference = "sale-2";
    auto found = journal.entries(f);
    CHECK(found.size() == 1 && found[0].id == lost_id);
    f = vk::JournalFilter{};
    f.provider = "spaaza";
    found = journal.entries(f);
    CHECK(found.size() == 1 && found[0].operation == "redeem_voucher" &&
          found[0].reference == std::optional<std::string>("basket-9"));
    f = vk::JournalFilter{};
    f.limit = 1;
    found = journal.entries(f);
    CHECK(found.size() == 1 && found[0].reference == std::optional<std::string>("basket-9")); // newest first
    f = vk::JournalFilter{};
    f.since = started + std::chrono::hours(24);
    CHECK(journal.entries(f).empty());
    f.since = std::chrono::system_clock::time_point{}; // the epoch: everything
    CHECK_EQ(journal.entries(f).size(), std::size_t{4});
    f = vk::JournalFilter{};
    f.state = "done";
    e = EXPECT_ERROR(InvalidRequest, journal.entries(f));
    if (e) CHECK(e->field() == std::optional<std::string>("state"));
    f = vk::JournalFilter{};
    f.provider = "paypal";
    e = EXPECT_ERROR(InvalidRequest, journal.entries(f));
    if (e) CHECK(e->field() == std::optional<std::string>("provider"));

    // No secret in the journal's files (open now, so the -wal file exists too).
    std::string bytes;
    int files = 0;
    for (const char *suffix : {"", "-wal", "-shm"}) {
        std::ifstream in(path + suffix, std::ios::binary);
        if (!in) continue;
        files++;
        bytes += std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    CHECK(files >= 2);
    CHECK(bytes.find("basket-9") != std::string::npos);
    CHECK(bytes.find(sb.smartgift_key()) == std::string::npos);
    CHECK(bytes.find(sb.spaaza_session_key()) == std::string::npos);

    // reconcile needs a journal; errors of clients without one carry no journal id
    vk::SmartGiftConfig plain;
    plain.api_key = sb.smartgift_key();
    plain.base_url = sb.smartgift_url();
    vk::SmartGift unjournaled(plain);
    e = EXPECT_ERROR(InvalidRequest, unjournaled.reconcile());
    if (e) CHECK(e->field() == std::optional<std::string>("journal") && !e->journal_id());
    CHECK(!unjournaled.redeem("1000000002", "12", "1.00", std::nullopt, std::string("sale-3")).journal_id());
    e = EXPECT_ERROR(VoucherExpired, unjournaled.redeem("1000000004", "12", "1.00"));
    if (e) CHECK(!e->journal_id());
    vk::SpaazaConfig plain_sp;
    plain_sp.session_user_id = sb.spaaza_session_user_id();
    plain_sp.session_key = sb.spaaza_session_key();
    plain_sp.base_url = sb.spaaza_url();
    e = EXPECT_ERROR(InvalidRequest, vk::Spaaza(plain_sp).reconcile());
    if (e) CHECK(e->field() == std::optional<std::string>("journal"));

    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
}

// Spaaza's vouchers page after page: the same vouchers as one big read; max, stopping,
// and an exception from the callback (rethrown, the walk stopped).
static void test_voucher_pages() {
    vk::testing::Sandbox sb(std::nullopt);
    vk::SpaazaConfig cfg;
    cfg.session_user_id = sb.spaaza_session_user_id();
    cfg.session_key = sb.spaaza_session_key();
    cfg.base_url = sb.spaaza_url();
    vk::Spaaza sp(cfg);
    vk::GetVouchersRequest r;
    r.chain_id = 2;
    r.show_all_statuses = true;
    auto one_read = sp.get_vouchers(r).vouchers();
    CHECK(one_read.size() >= 3);
    r.number_results = 1;
    auto paged = sp.all_vouchers(r);
    CHECK_EQ(paged.size(), one_read.size());
    for (size_t i = 0; i < paged.size() && i < one_read.size(); i++)
        CHECK(paged[i].voucher_id() == one_read[i].voucher_id());
    CHECK_EQ(sp.all_vouchers(r, 2).size(), 2u);
    size_t seen = 0;
    sp.for_each_voucher(r, [&](vk::SpaazaVoucher) { return ++seen < 2; });
    CHECK_EQ(seen, 2u);
    seen = 0;
    bool thrown = false;
    try {
        sp.for_each_voucher(r, [&](vk::SpaazaVoucher) -> bool {
            seen++;
            throw std::runtime_error("stop here");
        });
    } catch (const std::runtime_error &e) {
        thrown = std::string(e.what()) == "stop here";
    }
    CHECK(thrown && seen == 1);
    r.number_results = -1;
    auto e = EXPECT_ERROR(InvalidRequest, sp.all_vouchers(r));
    CHECK(e && e->field() == std::optional<std::string>("number_results"));
}

// Smart Gift site ids as integers: redeem, redeem_experiences and reverse send them as
// the same site as their text.
static void test_numeric_site_ids(const std::string &corpus) {
    vk::testing::ScriptedServer server(corpus);
    vk::SmartGift sg = smartgift(server);
    server.push_json(R"([{"status":200,"body_file":"bodies/smartgift-redeem-success.json"},
                         {"status":200,"body_file":"bodies/smartgift-redeem-success.json"},
                         {"status":200,"body_file":"bodies/smartgift-reverse-success.json"}])");
    CHECK(sg.redeem("SG-1", 12, "10.00").redemptions() == (std::vector<std::uint64_t>{21, 22, 23}));
    sg.redeem_experiences("SG-1", std::int64_t{34}, {2, 8});
    CHECK_EQ(sg.reverse("SG-1", 56, {21, 22}).message(), std::string("Redemption reversal complete"));
    const std::string sent = server.requests_json();
    CHECK(sent.find(R"(\"site_id\":\"12\",\"value\":10.00)") != std::string::npos);
    CHECK(sent.find(R"(\"site_id\":\"34\")") != std::string::npos);
    CHECK(sent.find(R"(\"site_id\":\"56\")") != std::string::npos);
    CHECK_EQ(server.pending(), 0u);
    // A site number is positive as in every other language: refused before anything is sent.
    for (std::int64_t bad : {std::int64_t{0}, std::int64_t{-5}}) {
        auto e = EXPECT_ERROR(InvalidRequest, sg.redeem("SG-1", bad, "10.00"));
        CHECK(e && e->field() == std::optional<std::string>("site_id"));
    }
    CHECK_EQ(server.requests_json(), sent);
}

// app_info reaches the User-Agent; a bad one is refused by the library naming app_info;
// the logger sees the provider's rate-limit headers.
static void test_app_info_and_rate_limits(const std::string &corpus) {
    vk::testing::ScriptedServer server(corpus);
    vk::SmartGiftConfig cfg;
    cfg.api_key = "sk_test_cpp_0001";
    cfg.base_url = server.url();
    cfg.options.app_info = vk::AppInfo{"MyTill", "4.2", "https://till.example"};
    std::vector<vk::RequestLog> logs;
    cfg.options.logger = [&](const vk::RequestLog &log) { logs.push_back(log); };
    vk::SmartGift sg(cfg);
    CHECK(sg.user_agent().find("(c) MyTill/4.2 (https://till.example)") != std::string::npos);
    server.push_json(R"({"status":200,"body_file":"bodies/smartgift-hold-success.json",
        "headers":{"X-RateLimit-Limit":"60","X-RateLimit-Remaining":"41"}})");
    sg.hold("SG-1");
    CHECK(server.requests_json().find("MyTill/4.2 (https://till.example)") != std::string::npos);
    CHECK(logs.size() == 1 && logs[0].rate_limit_remaining == std::optional<std::uint64_t>(41) &&
          logs[0].rate_limit_limit == std::optional<std::uint64_t>(60));

    cfg.options.logger = nullptr;
    cfg.options.app_info = vk::AppInfo{"My Till", std::nullopt, std::nullopt};
    auto e = EXPECT_ERROR(InvalidRequest, vk::SmartGift{cfg});
    CHECK(e && e->field() == std::optional<std::string>("app_info"));
    cfg.options.app_info = vk::AppInfo{std::string("My\0Till", 7), std::nullopt, std::nullopt};
    e = EXPECT_ERROR(InvalidRequest, vk::SmartGift{cfg});
    CHECK(e && e->field() == std::optional<std::string>("app_info"));
}

int main(int argc, char **argv) {
    std::string corpus = argc > 1 ? argv[1] : "tests/conformance";
    try {
        test_version();
        test_scripted(corpus);
        test_sandbox();
        test_hardening(corpus);
        test_journal();
        test_app_info_and_rate_limits(corpus);
        test_numeric_site_ids(corpus);
        test_voucher_pages();
    } catch (const vk::Error &e) {
        failed++;
        std::cerr << "unexpected voucherkit::Error: " << e.what() << "\n";
    }
    std::printf("test_cpp: %d passed, %d failed\n", passed, failed);
    return failed == 0 && passed > 0 ? 0 : 1;
}
