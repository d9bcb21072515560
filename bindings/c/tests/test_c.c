/*
 * C tests of libvoucherkit through its C ABI (include/voucherkit.h), against the
 * sandbox on 127.0.0.1 (scripted server and stateful emulator): every operation of both
 * providers, every error kind, the error accessors, the logging and warning callbacks (a
 * logger that calls voucherkit itself), a client shared by threads, option ranges, and
 * misuse (NULLs, invalid UTF-8, out-of-range enums, free of NULL).
 *
 * Usage: test_c <path to tests/conformance>   (body_file answers are read from there)
 * Prints each check that fails and a closing line `test_c: N passed, N failed`.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "voucherkit.h"
#include "voucherkit/testing.h"

/* Test-only: present in the library these tests link (built with the `test-panic`
 * feature, see bindings/c/c.mk), never in the shipped one, so voucherkit.h does not declare it. */
vk_status vk_debug_panic(vk_error **err);

static int passed, failed;

#define CHECK(cond)                                                        \
    do {                                                                   \
        if (cond) {                                                        \
            passed++;                                                      \
        } else {                                                           \
            failed++;                                                      \
            fprintf(stderr, "%s:%d: FAILED: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                  \
    } while (0)

static int str_eq(const char *a, const char *b) {
    return a != NULL && b != NULL && strcmp(a, b) == 0;
}

#define CHECK_STR(got, want)                                                       \
    do {                                                                           \
        const char *g_ = (got);                                                    \
        if (str_eq(g_, (want))) {                                                  \
            passed++;                                                              \
        } else {                                                                   \
            failed++;                                                              \
            fprintf(stderr, "%s:%d: FAILED: %s is \"%s\", expected \"%s\"\n",     \
                    __FILE__, __LINE__, #got, g_ ? g_ : "(null)", (want));         \
        }                                                                          \
    } while (0)

#define CHECK_STATUS(got, want)                                                    \
    do {                                                                           \
        vk_status g_ = (got);                                                      \
        if (g_ == (vk_status)(want)) {                                             \
            passed++;                                                              \
        } else {                                                                   \
            failed++;                                                              \
            fprintf(stderr, "%s:%d: FAILED: %s gave %s, expected %s\n", __FILE__, \
                    __LINE__, #got, vk_error_kind_str(g_),                         \
                    vk_error_kind_str((vk_status)(want)));                         \
        }                                                                          \
    } while (0)

static vk_scripted_server *server;

static void push(const char *answer_json) {
    vk_error *err = NULL;
    vk_status st = vk_scripted_server_push_json(server, answer_json, &err);
    if (st != VK_OK) {
        fprintf(stderr, "push failed: %s\n", vk_error_message(err));
        vk_error_free(err);
        exit(2);
    }
}

/* The recorded requests as JSON text (caller frees with vk_text_free). */
static vk_text *requests(void) {
    vk_text *t = NULL;
    CHECK_STATUS(vk_scripted_server_requests_json(server, &t, NULL), VK_OK);
    return t;
}

static int requests_contain(const char *needle) {
    vk_text *t = requests();
    int found = t != NULL && strstr(vk_text_str(t), needle) != NULL;
    if (!found) fprintf(stderr, "requests lack %s: %s\n", needle, t ? vk_text_str(t) : "");
    vk_text_free(t);
    return found;
}

/* A request body contains `needle`: bodies are JSON strings in the log, so quotes are
 * escaped there. */
static int body_contains(const char *needle) {
    char escaped[1024];
    size_t n = 0;
    for (const char *p = needle; *p && n + 2 < sizeof escaped; p++) {
        if (*p == '"') escaped[n++] = '\\';
        escaped[n++] = *p;
    }
    escaped[n] = 0;
    return requests_contain(escaped);
}

static int requests_lack(const char *needle) {
    vk_text *t = requests();
    int absent = t != NULL && strstr(vk_text_str(t), needle) == NULL;
    vk_text_free(t);
    return absent;
}

static vk_smartgift *smartgift_client(void) {
    vk_smartgift_config cfg = vk_smartgift_config_default();
    cfg.api_key = "sk_test_c_0001";
    cfg.base_url = vk_scripted_server_url(server);
    cfg.options.timeout_ms = 5000;
    vk_smartgift *sg = NULL;
    vk_error *err = NULL;
    vk_status st = vk_smartgift_new(&cfg, &sg, &err);
    if (st != VK_OK) {
        fprintf(stderr, "vk_smartgift_new: %s\n", vk_error_message(err));
        exit(2);
    }
    return sg;
}

static vk_spaaza *spaaza_client(void) {
    vk_spaaza_config cfg = vk_spaaza_config_default();
    cfg.session_user_id = 1;
    cfg.session_key = "sess_c_0001";
    cfg.base_url = vk_scripted_server_url(server);
    vk_spaaza *sp = NULL;
    vk_error *err = NULL;
    vk_status st = vk_spaaza_new(&cfg, &sp, &err);
    if (st != VK_OK) {
        fprintf(stderr, "vk_spaaza_new: %s\n", vk_error_message(err));
        exit(2);
    }
    return sp;
}

/* ---- version and statuses ---- */

static void test_version(void) {
    char want[64];
    snprintf(want, sizeof want, "%d.%d.%d", VOUCHERKIT_VERSION_MAJOR, VOUCHERKIT_VERSION_MINOR,
             VOUCHERKIT_VERSION_PATCH);
    CHECK_STR(vk_version(), want);
    CHECK_STR(vk_version(), VOUCHERKIT_VERSION_STRING);
}

static const char *const KIND_NAMES[] = {
    "ok", "invalid_request", "authentication", "permission_denied", "voucher_not_found",
    "voucher_not_owned", "voucher_expired", "voucher_already_redeemed", "voucher_not_held",
    "voucher_locked", "invalid_site", "invalid_amount", "rate_limited", "provider_error",
    "network", "outcome_unknown", "invalid_response", "internal", "journal",
};

static void test_statuses(void) {
    const vk_status values[] = {
        VK_OK, VK_INVALID_REQUEST, VK_AUTHENTICATION, VK_PERMISSION_DENIED,
        VK_VOUCHER_NOT_FOUND, VK_VOUCHER_NOT_OWNED, VK_VOUCHER_EXPIRED,
        VK_VOUCHER_ALREADY_REDEEMED, VK_VOUCHER_NOT_HELD, VK_VOUCHER_LOCKED,
        VK_INVALID_SITE, VK_INVALID_AMOUNT, VK_RATE_LIMITED, VK_PROVIDER_ERROR, VK_NETWORK,
        VK_OUTCOME_UNKNOWN, VK_INVALID_RESPONSE, VK_INTERNAL, VK_JOURNAL,
    };
    CHECK(sizeof values / sizeof values[0] == 19);
    for (unsigned i = 0; i < sizeof values / sizeof values[0]; i++) {
        CHECK(values[i] == i); /* explicit, stable values: VK_OK = 0 ... VK_JOURNAL = 18 */
        CHECK_STR(vk_error_kind_str(values[i]), KIND_NAMES[i]);
    }
    CHECK_STR(vk_error_kind_str(19), "unknown");
    CHECK_STR(vk_error_kind_str(0xFFFFFFFFu), "unknown");
}

/* ---- Smart Gift operations ---- */

static void test_smartgift_operations(void) {
    vk_smartgift *sg = smartgift_client();
    vk_error *err = NULL;

    /* check, with filters and experiences */
    vk_scripted_server_reset(server);
    push("{\"status\":200,\"body\":{\"data\":{\"id\":11401,\"name\":\"Spa day\",\"description\":\"d\","
         "\"voucher_no\":\"SG-1\",\"remaining_value\":10.50,\"type\":\"experience\",\"sold_out\":false,"
         "\"experiences\":[{\"id\":7,\"name\":\"Massage\",\"bit_value\":2},{\"id\":8,\"name\":\"Sauna\",\"bit_value\":8}],"
         "\"available_to_redeem\":{\"x\":1},\"future_field\":\"kept\"}}}");
    const char *classes[] = {"food_and_beverage"};
    const char *vals[] = {"12", "13"};
    vk_meta_condition cond = {"used_in", "in", vals, 2};
    vk_smartgift_voucher *v = NULL;
    CHECK_STATUS(vk_smartgift_check(sg, "SG-1", "12", classes, 1, &cond, 1, &v, &err), VK_OK);
    if (v != NULL) {
        int64_t id = 0;
        CHECK(vk_smartgift_voucher_id(v, &id) && id == 11401);
        CHECK_STR(vk_smartgift_voucher_name(v), "Spa day");
        CHECK_STR(vk_smartgift_voucher_description(v), "d");
        CHECK_STR(vk_smartgift_voucher_voucher_no(v), "SG-1");
        CHECK_STR(vk_smartgift_voucher_remaining_value(v), "10.50"); /* the provider's digits */
        CHECK_STR(vk_smartgift_voucher_voucher_type(v), "experience");
        bool sold = true;
        CHECK(vk_smartgift_voucher_sold_out(v, &sold) && !sold);
        CHECK(vk_smartgift_voucher_experience_count(v) == 2);
        const vk_smartgift_experience *e = vk_smartgift_voucher_experience_at(v, 1);
        uint64_t bit = 0;
        CHECK(e != NULL && vk_smartgift_experience_bit_value(e, &bit) && bit == 8);
        CHECK(vk_smartgift_experience_id(e, &id) && id == 8);
        CHECK_STR(vk_smartgift_experience_name(e), "Sauna");
        CHECK(strstr(vk_smartgift_experience_raw_json(e), "\"Sauna\"") != NULL);
        CHECK(vk_smartgift_voucher_experience_at(v, 2) == NULL);
        CHECK_STR(vk_smartgift_voucher_available_to_redeem_json(v), "{\"x\":1}");
        CHECK(strstr(vk_smartgift_voucher_raw_json(v), "\"future_field\":\"kept\"") != NULL);
        /* the same pointer on every read: owned by the handle */
        CHECK(vk_smartgift_voucher_name(v) == vk_smartgift_voucher_name(v));
    }
    vk_smartgift_voucher_free(v);
    CHECK(body_contains("\"filters\":{\"classifications\":[\"food_and_beverage\"],"
                           "\"meta_conditions\":[{\"key\":\"used_in\",\"operator\":\"in\",\"value\":[\"12\",\"13\"]}]}"));
    CHECK(requests_contain("/redeem/check"));

    /* check: absent fields read as absent */
    vk_scripted_server_reset(server);
    push("{\"status\":200,\"body\":{\"data\":{\"voucher_no\":\"SG-2\"}}}");
    v = NULL;
    CHECK_STATUS(vk_smartgift_check(sg, "SG-2", "12", NULL, 0, NULL, 0, &v, NULL), VK_OK);
    if (v != NULL) {
        int64_t id = 42;
        bool sold = true;
        CHECK(!vk_smartgift_voucher_id(v, &id) && id == 42);
        CHECK(vk_smartgift_voucher_name(v) == NULL);
        CHECK(vk_smartgift_voucher_remaining_value(v) == NULL);
        CHECK(!vk_smartgift_voucher_sold_out(v, &sold) && sold);
        CHECK(vk_smartgift_voucher_available_to_redeem_json(v) == NULL);
        CHECK(vk_smartgift_voucher_experience_count(v) == 0);
    }
    vk_smartgift_voucher_free(v);
    CHECK(requests_lack("filters"));

    /* hold */
    vk_scripted_server_reset(server);
    push("{\"status\":200,\"body_file\":\"bodies/smartgift-hold-success.json\"}");
    vk_smartgift_held *h = NULL;
    CHECK_STATUS(vk_smartgift_hold(sg, "SG-1", &h, &err), VK_OK);
    CHECK_STR(vk_smartgift_held_message(h), "Voucher hold successful");
    CHECK_STR(vk_smartgift_held_hold_token(h), "hold_token_jY0VMM8zd5GLkk3jDpEjTOLr");
    CHECK(vk_smartgift_held_received_at_ms(h) > 1600000000000ULL);
    CHECK(vk_smartgift_held_expires_at_ms(h) == vk_smartgift_held_received_at_ms(h) + 5 * 60 * 1000);
    CHECK(strstr(vk_smartgift_held_raw_json(h), "hold_token") != NULL);
    CHECK(vk_smartgift_held_received_at_ms(h) > 1600000000000ULL);
    CHECK_STR(vk_smartgift_base_url(sg), vk_scripted_server_url(server));
    CHECK(strncmp(vk_smartgift_user_agent(sg), "voucherkit/", 11) == 0 && strstr(vk_smartgift_user_agent(sg), "(c)"));
    CHECK(requests_contain("\"voucherkit/" VOUCHERKIT_VERSION_STRING " (c)\"")); /* the User-Agent */
    CHECK(body_contains("{\"voucher_no\":\"SG-1\"}"));

    /* redeem money, with the hold token */
    vk_scripted_server_reset(server);
    push("{\"status\":200,\"body_file\":\"bodies/smartgift-redeem-success.json\"}");
    vk_smartgift_redemption *r = NULL;
    CHECK_STATUS(vk_smartgift_redeem(sg, "SG-1", "12", "10.00", NULL, 0, vk_smartgift_held_hold_token(h),
                                     &r, &err), VK_OK);
    CHECK_STR(vk_smartgift_redemption_message(r), "The voucher has been redeemed.");
    CHECK(vk_smartgift_redemption_count(r) == 3);
    uint64_t rid = 0;
    CHECK(vk_smartgift_redemption_at(r, 2, &rid) && rid == 23);
    CHECK(!vk_smartgift_redemption_at(r, 3, &rid) && rid == 23);
    CHECK(strstr(vk_smartgift_redemption_raw_json(r), "\"redemptions\":[21,22,23]") != NULL);
    CHECK(body_contains("{\"voucher_no\":\"SG-1\",\"site_id\":\"12\",\"value\":10.00,"
                           "\"hold_token\":\"hold_token_jY0VMM8zd5GLkk3jDpEjTOLr\"}"));
    vk_smartgift_redemption_free(r);
    vk_smartgift_held_free(h);

    /* redeem experiences: value = the sum of the bit values */
    vk_scripted_server_reset(server);
    push("{\"status\":200,\"body_file\":\"bodies/smartgift-redeem-success.json\"}");
    const int64_t bits[] = {2, 8};
    r = NULL;
    CHECK_STATUS(vk_smartgift_redeem(sg, "SG-1", "12", NULL, bits, 2, NULL, &r, &err), VK_OK);
    CHECK(body_contains("{\"voucher_no\":\"SG-1\",\"site_id\":\"12\",\"value\":10}"));
    vk_smartgift_redemption_free(r);

    /* release */
    vk_scripted_server_reset(server);
    push("{\"status\":200,\"body_file\":\"bodies/smartgift-release-success.json\"}");
    vk_smartgift_released *rel = NULL;
    CHECK_STATUS(vk_smartgift_release(sg, "SG-1", "hold_token_x", &rel, &err), VK_OK);
    CHECK_STR(vk_smartgift_released_message(rel), "Voucher hold released");
    CHECK(strstr(vk_smartgift_released_raw_json(rel), "Voucher hold released") != NULL);
    CHECK(requests_contain("/redeem/release"));
    vk_smartgift_released_free(rel);

    /* reverse */
    vk_scripted_server_reset(server);
    push("{\"status\":200,\"body_file\":\"bodies/smartgift-reverse-success.json\"}");
    const int64_t ids[] = {21, 22};
    vk_smartgift_reversed *rev = NULL;
    CHECK_STATUS(vk_smartgift_reverse(sg, "SG-1", "12", ids, 2, &rev, &err), VK_OK);
    CHECK_STR(vk_smartgift_reversed_message(rev), "Redemption reversal complete");
    CHECK(strstr(vk_smartgift_reversed_raw_json(rev), "reversal") != NULL);
    CHECK(body_contains("\"redemptions\":[21,22]"));
    vk_smartgift_reversed_free(rev);

    CHECK(err == NULL); /* never written on success */
    vk_smartgift_free(sg);
}

/* ---- Spaaza operations ---- */

static void test_spaaza_operations(void) {
    vk_spaaza *sp = spaaza_client();
    vk_error *err = NULL;
    vk_spaaza_voucher *v = NULL;

    /* redeem-voucher, partly: the regenerated voucher and warnings */
    vk_scripted_server_reset(server);
    push("{\"status\":200,\"body_text\":\"{\\\"result\\\":{\\\"code\\\":1,\\\"status\\\":\\\"ok\\\"},"
         "\\\"warnings\\\":[{\\\"code\\\":5,\\\"name\\\":\\\"low_balance\\\",\\\"description\\\":\\\"nearly spent\\\"}],"
         "\\\"results\\\":{\\\"voucher_key\\\":\\\"k1\\\",\\\"voucher_id\\\":101,\\\"voucher_status\\\":\\\"redeemed\\\","
         "\\\"voucher_type\\\":\\\"basket\\\",\\\"voucher_locked\\\":false,\\\"voucher_amount\\\":2.00,"
         "\\\"voucher_amount_original\\\":10,\\\"voucher_amount_redeemed\\\":2.00,\\\"voucher_currency_id\\\":1,"
         "\\\"voucher_currency_symbol\\\":\\\"\\u20ac\\\",\\\"voucher_expiry_datetime_utc\\\":\\\"2030-01-01 00:00:00\\\","
         "\\\"voucher_redeemed_datetime\\\":\\\"2024-05-01 10:00:00\\\",\\\"user_id\\\":7,\\\"voucher_third_party_id\\\":9,"
         "\\\"campaign_id\\\":3,\\\"regenerated_voucher\\\":{\\\"voucher_key\\\":\\\"k2\\\",\\\"voucher_id\\\":102,"
         "\\\"voucher_status\\\":\\\"generated\\\",\\\"voucher_amount\\\":8.00}}}\"}");
    CHECK_STATUS(vk_spaaza_redeem_voucher(sp, 2, "k1", NULL, NULL, "2.00", &v, &err), VK_OK);
    if (v != NULL) {
        int64_t n = 0;
        bool locked = true;
        CHECK_STR(vk_spaaza_voucher_voucher_key(v), "k1");
        CHECK(vk_spaaza_voucher_voucher_id(v, &n) && n == 101);
        CHECK_STR(vk_spaaza_voucher_voucher_status(v), "redeemed");
        CHECK_STR(vk_spaaza_voucher_voucher_type(v), "basket");
        CHECK(vk_spaaza_voucher_voucher_locked(v, &locked) && !locked);
        CHECK_STR(vk_spaaza_voucher_voucher_amount(v), "2.00");
        CHECK_STR(vk_spaaza_voucher_voucher_amount_original(v), "10");
        CHECK_STR(vk_spaaza_voucher_voucher_amount_redeemed(v), "2.00");
        CHECK(vk_spaaza_voucher_voucher_currency_id(v, &n) && n == 1);
        CHECK_STR(vk_spaaza_voucher_voucher_currency_symbol(v), "\xe2\x82\xac");
        CHECK_STR(vk_spaaza_voucher_voucher_expiry_datetime_utc(v), "2030-01-01 00:00:00");
        CHECK_STR(vk_spaaza_voucher_voucher_redeemed_datetime(v), "2024-05-01 10:00:00");
        CHECK(vk_spaaza_voucher_user_id(v, &n) && n == 7);
        CHECK(vk_spaaza_voucher_voucher_third_party_id(v, &n) && n == 9);
        CHECK(vk_spaaza_voucher_campaign_id(v, &n) && n == 3);
        CHECK(vk_spaaza_voucher_voucher_locked_until(v) == NULL);
        CHECK(vk_spaaza_voucher_voucher_locking_code(v) == NULL);
        CHECK(vk_spaaza_voucher_voucher_retailer_basket_code_exclusive(v) == NULL);
        CHECK(vk_spaaza_voucher_warning_count(v) == 1);
        const vk_spaaza_warning *w = vk_spaaza_voucher_warning_at(v, 0);
        CHECK(w != NULL && vk_spaaza_warning_code(w, &n) && n == 5);
        CHECK_STR(vk_spaaza_warning_name(w), "low_balance");
        CHECK_STR(vk_spaaza_warning_description(w), "nearly spent");
        CHECK(vk_spaaza_warning_message(w) == NULL);
        CHECK(vk_spaaza_voucher_warning_at(v, 1) == NULL);
        const vk_spaaza_voucher *regen = vk_spaaza_voucher_regenerated_voucher(v);
        CHECK(regen != NULL);
        CHECK_STR(vk_spaaza_voucher_voucher_key(regen), "k2");
        CHECK(vk_spaaza_voucher_voucher_id(regen, &n) && n == 102);
        CHECK_STR(vk_spaaza_voucher_voucher_status(regen), "generated");
        CHECK_STR(vk_spaaza_voucher_voucher_amount(regen), "8.00");
        CHECK(vk_spaaza_voucher_regenerated_voucher(regen) == NULL);
        CHECK(strstr(vk_spaaza_voucher_raw_json(v), "\"regenerated_voucher\"") != NULL);
    }
    vk_spaaza_voucher_free(v);
    CHECK(requests_contain("\"body_text\":\"voucher_key=k1&chain_id=2&amount=2.00\""));
    CHECK(requests_contain("/auth/redeem-voucher"));

    /* redeem-voucher by id with a user */
    vk_scripted_server_reset(server);
    push("{\"status\":200,\"body_file\":\"bodies/spaaza-redeem-voucher-success.json\"}");
    int64_t voucher_id = 101, user_id = 7;
    v = NULL;
    CHECK_STATUS(vk_spaaza_redeem_voucher(sp, 2, NULL, &voucher_id, &user_id, NULL, &v, &err), VK_OK);
    CHECK(v != NULL && vk_spaaza_voucher_warning_count(v) == 0);
    vk_spaaza_voucher_free(v);
    CHECK(requests_contain("\"body_text\":\"voucher_id=101&chain_id=2&user_id=7\""));

    /* unlock: both identifiers given, only the key is sent */
    vk_scripted_server_reset(server);
    push("{\"status\":200,\"body_file\":\"bodies/spaaza-unlock-voucher-success.json\"}");
    v = NULL;
    CHECK_STATUS(vk_spaaza_unlock_voucher(sp, "kk", &voucher_id, &v, &err), VK_OK);
    CHECK(v != NULL && vk_spaaza_voucher_voucher_key(v) != NULL);
    vk_spaaza_voucher_free(v);
    CHECK(requests_contain("\"body_text\":\"voucher_key=kk\""));

    /* unclaim and claim */
    int64_t chain = 2;
    vk_spaaza_claim_request claim;
    memset(&claim, 0, sizeof claim);
    claim.chain_id = &chain;
    claim.voucher_key = "kk";
    claim.member_number = "M-1";
    vk_scripted_server_reset(server);
    push("{\"status\":200,\"body_file\":\"bodies/spaaza-unclaim-voucher-success.json\"}");
    v = NULL;
    CHECK_STATUS(vk_spaaza_unclaim_voucher(sp, &claim, &v, &err), VK_OK);
    CHECK(v != NULL);
    vk_spaaza_voucher_free(v);
    CHECK(requests_contain("/unclaim-voucher"));
    CHECK(requests_contain("member_number=M-1"));
    vk_scripted_server_reset(server);
    push("{\"status\":200,\"body_file\":\"bodies/spaaza-claim-voucher-success.json\"}");
    v = NULL;
    CHECK_STATUS(vk_spaaza_claim_voucher(sp, &claim, &v, &err), VK_OK);
    CHECK(v != NULL);
    vk_spaaza_voucher_free(v);
    CHECK(requests_contain("\"path\":\"/claim-voucher\""));

    /* lock: PUT, default period 300 */
    vk_scripted_server_reset(server);
    push("{\"status\":200,\"body_file\":\"bodies/spaaza-lock-voucher-success.json\"}");
    v = NULL;
    CHECK_STATUS(vk_spaaza_lock_voucher(sp, "kk", NULL, "RCPT1", NULL, "lock4001", &v, &err), VK_OK);
    CHECK_STR(vk_spaaza_voucher_voucher_locking_code(v), "lock4001");
    CHECK_STR(vk_spaaza_voucher_voucher_locked_until(v), "2018-10-16 15:54:01");
    CHECK_STR(vk_spaaza_voucher_voucher_retailer_basket_code_exclusive(v), "RCPT401075452002");
    CHECK(vk_spaaza_voucher_voucher_amount_redeemed(v) == NULL); /* null on the wire */
    vk_spaaza_voucher_free(v);
    CHECK(requests_contain("\"method\":\"PUT\""));
    CHECK(requests_contain("voucher_lock_period=300"));

    /* get-vouchers */
    vk_scripted_server_reset(server);
    push("{\"status\":200,\"body_file\":\"bodies/spaaza-get-vouchers.json\"}");
    vk_spaaza_get_vouchers_request q;
    memset(&q, 0, sizeof q);
    q.chain_id = 2;
    q.voucher_id = &voucher_id;
    q.show_all_statuses = true;
    vk_spaaza_voucher_list *list = NULL;
    CHECK_STATUS(vk_spaaza_get_vouchers(sp, &q, &list, &err), VK_OK);
    if (list != NULL) {
        int64_t n = 0;
        CHECK(vk_spaaza_voucher_list_results_count_total(list, &n) && n == 1);
        CHECK(vk_spaaza_voucher_list_count(list) == 1);
        const vk_spaaza_voucher *item = vk_spaaza_voucher_list_at(list, 0);
        CHECK(item != NULL && vk_spaaza_voucher_voucher_id(item, &n) && n == 45566623);
        CHECK_STR(vk_spaaza_voucher_voucher_type(item), "basket");
        CHECK(strstr(vk_spaaza_voucher_raw_json(item), "jane@example.com") != NULL);
        CHECK(vk_spaaza_voucher_list_at(list, 1) == NULL);
        CHECK(vk_spaaza_voucher_list_warning_count(list) == 0);
        CHECK(vk_spaaza_voucher_list_warning_at(list, 0) == NULL);
        CHECK(strstr(vk_spaaza_voucher_list_raw_json(list), "results_count_total") != NULL);
    }
    vk_spaaza_voucher_list_free(list);
    CHECK(requests_contain("\"path\":\"/get-vouchers?chain_id=2&voucher_id=101&show_all_statuses=true\""));

    CHECK(err == NULL);
    CHECK_STR(vk_spaaza_base_url(sp), vk_scripted_server_url(server));
    CHECK(strstr(vk_spaaza_user_agent(sp), "(c)") != NULL);
    CHECK_STR(vk_spaaza_production_url(), "https://api0.spaaza.com");
    CHECK_STR(vk_smartgift_production_url(), "https://api.smart-gift.co.uk");
    vk_spaaza_free(sp);
}

/* ---- every error kind ---- */

struct error_case {
    vk_status kind;
    const char *answer; /* NULL: nothing is served */
};

static vk_status redeem_with(const char *base_url, vk_error **err) {
    vk_smartgift_config cfg = vk_smartgift_config_default();
    cfg.api_key = "sk_test_c_0001";
    cfg.base_url = base_url;
    cfg.options.timeout_ms = 3000;
    cfg.options.connect_timeout_ms = 1000;
    vk_smartgift *sg = NULL;
    vk_status st = vk_smartgift_new(&cfg, &sg, err);
    if (st != VK_OK) return st;
    vk_smartgift_redemption *r = NULL;
    st = vk_smartgift_redeem(sg, "SG-1", "12", "10.00", NULL, 0, NULL, &r, err);
    vk_smartgift_redemption_free(r);
    vk_smartgift_free(sg);
    return st;
}

static void test_every_error_kind(void) {
    const struct error_case cases[] = {
        {VK_AUTHENTICATION, "{\"status\":401,\"body\":{\"message\":\"Unauthenticated.\"}}"},
        {VK_PERMISSION_DENIED, "{\"status\":403,\"body\":{\"message\":\"This action is unauthorized.\"}}"},
        {VK_VOUCHER_NOT_FOUND, "{\"status\":422,\"body_file\":\"bodies/smartgift-redeem-error-voucher-invalid.json\"}"},
        {VK_VOUCHER_NOT_OWNED, "{\"status\":422,\"body_file\":\"bodies/smartgift-redeem-error-not-owned.json\"}"},
        {VK_VOUCHER_EXPIRED, "{\"status\":422,\"body_file\":\"bodies/smartgift-redeem-error-expired.json\"}"},
        {VK_VOUCHER_ALREADY_REDEEMED, "{\"status\":422,\"body_file\":\"bodies/smartgift-redeem-error-already-redeemed.json\"}"},
        {VK_VOUCHER_NOT_HELD, "{\"status\":422,\"body_file\":\"bodies/smartgift-release-error-not-held.json\"}"},
        {VK_VOUCHER_LOCKED, "{\"status\":422,\"body_file\":\"bodies/smartgift-hold-error-already-held.json\"}"},
        {VK_INVALID_SITE, "{\"status\":422,\"body_file\":\"bodies/smartgift-redeem-error-site-invalid.json\"}"},
        {VK_INVALID_AMOUNT, "{\"status\":422,\"body_file\":\"bodies/smartgift-redeem-error-insufficient-balance.json\"}"},
        {VK_RATE_LIMITED, "{\"status\":429,\"headers\":{\"Retry-After\":\"30\"},\"body\":{\"message\":\"Too Many Attempts.\"}}"},
        {VK_PROVIDER_ERROR, "{\"status\":422,\"body\":{\"message\":\"Something else\",\"errors\":{\"other\":[\"Something else\"]}}}"},
        {VK_OUTCOME_UNKNOWN, "{\"status\":502,\"body_text\":\"<html>Bad Gateway</html>\",\"content_type\":\"text/html\"}"},
        {VK_INVALID_RESPONSE, "{\"status\":422,\"body_text\":\"<html>Unprocessable</html>\",\"content_type\":\"text/html\"}"},
    };
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        vk_scripted_server_reset(server);
        push(cases[i].answer);
        vk_error *err = NULL;
        vk_status st = redeem_with(vk_scripted_server_url(server), &err);
        CHECK_STATUS(st, cases[i].kind);
        CHECK(err != NULL && vk_error_kind(err) == st);
        CHECK_STR(vk_error_provider(err), "smartgift");
        vk_error_free(err);
    }

    /* invalid_request: refused before sending, naming the field */
    vk_scripted_server_reset(server);
    vk_error *err = NULL;
    vk_smartgift *sg = smartgift_client();
    vk_smartgift_redemption *r = NULL;
    CHECK_STATUS(vk_smartgift_redeem(sg, "SG-1", "12", "10.005", NULL, 0, NULL, &r, &err), VK_INVALID_REQUEST);
    CHECK(r == NULL);
    CHECK_STR(vk_error_field(err), "value");
    CHECK(!vk_error_retryable(err));
    uint16_t status = 0;
    CHECK(!vk_error_http_status(err, &status));
    vk_error_free(err);
    CHECK(requests_lack("/redeem"));

    /* network: nothing listens on port 1 */
    err = NULL;
    CHECK_STATUS(redeem_with("http://127.0.0.1:1", &err), VK_NETWORK);
    CHECK(vk_error_retryable(err));
    CHECK(!vk_error_http_status(err, &status));
    vk_error_free(err);

    /* internal: a panic inside the library never reaches C */
    err = NULL;
    CHECK_STATUS(vk_debug_panic(&err), VK_INTERNAL);
    CHECK(vk_error_kind(err) == VK_INTERNAL);
    CHECK(strstr(vk_error_message(err), "vk_debug_panic") != NULL);
    vk_error_free(err);
    CHECK_STATUS(vk_debug_panic(NULL), VK_INTERNAL);
    vk_smartgift_free(sg);
}

static void test_error_accessors(void) {
    vk_smartgift *sg = smartgift_client();
    vk_error *err = NULL;

    /* Smart Gift: field errors, http status */
    vk_scripted_server_reset(server);
    push("{\"status\":422,\"body\":{\"message\":\"The given data was invalid.\",\"errors\":{"
         "\"voucher_no\":[\"Sorry, that voucher number is invalid.\",\"second\"],\"site_id\":[\"bad site\"]}}}");
    vk_smartgift_held *h = NULL;
    CHECK_STATUS(vk_smartgift_hold(sg, "SG-1", &h, &err), VK_VOUCHER_NOT_FOUND);
    CHECK(h == NULL);
    CHECK_STR(vk_error_message(err), "Sorry, that voucher number is invalid.");
    CHECK_STR(vk_error_field(err), "voucher_no");
    uint16_t status = 0;
    CHECK(vk_error_http_status(err, &status) && status == 422);
    CHECK(vk_error_provider_code(err) == NULL);
    CHECK(vk_error_field_error_count(err) == 2);
    CHECK_STR(vk_error_field_error_name(err, 0), "voucher_no");
    CHECK(vk_error_field_error_message_count(err, 0) == 2);
    CHECK_STR(vk_error_field_error_message(err, 0, 1), "second");
    CHECK_STR(vk_error_field_error_name(err, 1), "site_id");
    CHECK_STR(vk_error_field_error_message(err, 1, 0), "bad site");
    CHECK(vk_error_field_error_name(err, 2) == NULL);
    CHECK(vk_error_field_error_message_count(err, 2) == 0);
    CHECK(vk_error_field_error_message(err, 0, 2) == NULL);
    CHECK(strstr(vk_error_to_json(err), "\"kind\":\"voucher_not_found\"") != NULL);
    uint64_t after = 0;
    CHECK(!vk_error_retry_after(err, &after));
    vk_error_free(err);

    /* rate limit: retry_after; the key never appears in the error */
    vk_scripted_server_reset(server);
    push("{\"status\":429,\"headers\":{\"Retry-After\":\"30\"},\"body\":{\"message\":\"Too Many Attempts.\"}}");
    err = NULL;
    CHECK_STATUS(vk_smartgift_hold(sg, "SG-1", &h, &err), VK_RATE_LIMITED);
    CHECK(vk_error_retry_after(err, &after) && after == 30);
    CHECK(vk_error_retryable(err));
    CHECK(strstr(vk_error_to_json(err), "sk_test_c_0001") == NULL);
    vk_error_free(err);
    vk_smartgift_free(sg);

    /* Spaaza: provider code, permission denied */
    vk_spaaza *sp = spaaza_client();
    vk_scripted_server_reset(server);
    push("{\"status\":200,\"body_file\":\"bodies/spaaza-error-permission-denied.json\"}");
    vk_spaaza_voucher *v = NULL;
    err = NULL;
    CHECK_STATUS(vk_spaaza_unlock_voucher(sp, "kk", NULL, &v, &err), VK_PERMISSION_DENIED);
    CHECK(v == NULL);
    CHECK_STR(vk_error_provider(err), "spaaza");
    CHECK_STR(vk_error_provider_code(err), "permission_denied_or_non_existent");
    CHECK_STR(vk_error_message(err), "Permission denied or the object does not exist");
    CHECK(vk_error_field(err) == NULL);
    vk_error_free(err);
    vk_spaaza_free(sp);
}

/* ---- the logging callback ---- */

struct log_seen {
    int calls;
    char method[8];
    char path[64];
    int status;
    long long rate_remaining; /* -1: NULL */
    long long rate_limit;
};

static void on_log(void *userdata, const vk_request_log *log) {
    struct log_seen *seen = (struct log_seen *)userdata;
    seen->calls++;
    snprintf(seen->method, sizeof seen->method, "%s", log->method);
    snprintf(seen->path, sizeof seen->path, "%s", log->path);
    seen->status = log->status ? *log->status : -1;
    seen->rate_remaining = log->rate_limit_remaining ? (long long)*log->rate_limit_remaining : -1;
    seen->rate_limit = log->rate_limit_limit ? (long long)*log->rate_limit_limit : -1;
}

static void test_logging(void) {
    struct log_seen seen;
    memset(&seen, 0, sizeof seen);
    vk_spaaza_config cfg = vk_spaaza_config_default();
    cfg.session_user_id = 1;
    cfg.session_key = "sess_c_0001";
    cfg.base_url = vk_scripted_server_url(server);
    cfg.options.log_callback = on_log;
    cfg.options.log_userdata = &seen;
    vk_spaaza *sp = NULL;
    CHECK_STATUS(vk_spaaza_new(&cfg, &sp, NULL), VK_OK);
    vk_scripted_server_reset(server);
    push("{\"status\":200,\"body_file\":\"bodies/spaaza-get-vouchers.json\"}");
    vk_spaaza_get_vouchers_request q;
    memset(&q, 0, sizeof q);
    q.chain_id = 2;
    q.username = "jane@example.com";
    vk_spaaza_voucher_list *list = NULL;
    CHECK_STATUS(vk_spaaza_get_vouchers(sp, &q, &list, NULL), VK_OK);
    vk_spaaza_voucher_list_free(list);
    CHECK(seen.calls == 1);
    CHECK_STR(seen.method, "GET");
    CHECK_STR(seen.path, "/get-vouchers"); /* never the query: it names the customer */
    CHECK(seen.status == 200);
    CHECK(seen.rate_remaining == -1 && seen.rate_limit == -1); /* none named */

    /* The provider's rate-limit headers reach the record. */
    vk_scripted_server_reset(server);
    push("{\"status\":200,\"body_file\":\"bodies/spaaza-get-vouchers.json\","
         "\"headers\":{\"X-RateLimit-Limit\":\"60\",\"X-RateLimit-Remaining\":\"57\"}}");
    list = NULL;
    CHECK_STATUS(vk_spaaza_get_vouchers(sp, &q, &list, NULL), VK_OK);
    vk_spaaza_voucher_list_free(list);
    CHECK(seen.calls == 2);
    CHECK(seen.rate_remaining == 57);
    CHECK(seen.rate_limit == 60);
    vk_spaaza_free(sp);
}

/* ---- one client shared by threads ---- */

#define THREADS 4
#define CALLS_PER_THREAD 10

static void *redeem_loop(void *arg) {
    const vk_smartgift *sg = (const vk_smartgift *)arg;
    long ok = 0;
    for (int i = 0; i < CALLS_PER_THREAD; i++) {
        vk_smartgift_redemption *r = NULL;
        if (vk_smartgift_redeem(sg, "SG-1", "12", "1.00", NULL, 0, NULL, &r, NULL) == VK_OK &&
            vk_smartgift_redemption_count(r) == 3)
            ok++;
        vk_smartgift_redemption_free(r);
    }
    return (void *)ok;
}

static void test_threads(void) {
    vk_smartgift *sg = smartgift_client();
    vk_scripted_server_reset(server);
    for (int i = 0; i < THREADS * CALLS_PER_THREAD; i++)
        push("{\"status\":200,\"body_file\":\"bodies/smartgift-redeem-success.json\"}");
    pthread_t threads[THREADS];
    for (int i = 0; i < THREADS; i++) pthread_create(&threads[i], NULL, redeem_loop, sg);
    long total = 0;
    for (int i = 0; i < THREADS; i++) {
        void *ok = NULL;
        pthread_join(threads[i], &ok);
        total += (long)ok;
    }
    CHECK(total == THREADS * CALLS_PER_THREAD);
    CHECK(vk_scripted_server_pending(server) == 0);
    vk_smartgift_free(sg);
}

/* ---- the stateful sandbox: a till session, and errors with real state behind them ---- */

static vk_smartgift *sandbox_smartgift(const vk_sandbox *sb, const char *key) {
    vk_smartgift_config cfg = vk_smartgift_config_default();
    cfg.api_key = key;
    cfg.base_url = vk_sandbox_smartgift_url(sb);
    cfg.options.timeout_ms = 3000;
    vk_smartgift *sg = NULL;
    CHECK_STATUS(vk_smartgift_new(&cfg, &sg, NULL), VK_OK);
    return sg;
}

static void expect_invalid(vk_status st, vk_error *err, const char *field) {
    CHECK_STATUS(st, VK_INVALID_REQUEST);
    CHECK_STR(vk_error_field(err), field);
    vk_error_free(err);
}

/* `expr` uses &err; evaluated before err is read (argument order is unspecified in C). */
#define EXPECT_INVALID(expr, field)            \
    do {                                       \
        err = NULL;                            \
        vk_status st_ = (expr);                \
        expect_invalid(st_, err, field);       \
    } while (0)

struct voucher_walk {
    size_t count;
    size_t stop_after; /* 0: never */
    int64_t ids[64];
};

static bool on_voucher(void *userdata, vk_spaaza_voucher *v) {
    struct voucher_walk *w = (struct voucher_walk *)userdata;
    int64_t id = 0;
    if (w->count < 64 && vk_spaaza_voucher_voucher_id(v, &id)) w->ids[w->count] = id;
    w->count++;
    vk_spaaza_voucher_free(v); /* the callback's to free */
    return w->stop_after == 0 || w->count < w->stop_after;
}

static void test_sandbox(void) {
    vk_sandbox *sb = NULL;
    vk_error *err = NULL;
    CHECK_STATUS(vk_sandbox_start(NULL, &sb, &err), VK_OK);
    if (sb == NULL) return;
    CHECK(strncmp(vk_sandbox_url(sb), "http://127.0.0.1:", 17) == 0);
    CHECK_STR(vk_sandbox_smartgift_key(sb), "sk_demo_harbour_7Qm2xV9pL4");
    CHECK(vk_sandbox_spaaza_session_user_id(sb) == 1);
    CHECK_STR(vk_sandbox_spaaza_session_key(sb), "demo-acme-admin-session-0001");
    vk_smartgift *sg = sandbox_smartgift(sb, vk_sandbox_smartgift_key(sb));

    /* Smart Gift: check, hold, redeem with the hold, check again, reverse, release */
    vk_smartgift_voucher *v = NULL;
    CHECK_STATUS(vk_smartgift_check(sg, "1000000002", "12", NULL, 0, NULL, 0, &v, &err), VK_OK);
    CHECK_STR(vk_smartgift_voucher_voucher_type(v), "monetary");
    const char *before = vk_smartgift_voucher_remaining_value(v);
    CHECK(before != NULL && strtod(before, NULL) == 25.0);
    vk_smartgift_voucher_free(v);
    vk_smartgift_held *h = NULL;
    CHECK_STATUS(vk_smartgift_hold(sg, "1000000002", &h, &err), VK_OK);
    vk_smartgift_held *h2 = NULL;
    CHECK_STATUS(vk_smartgift_hold(sg, "1000000002", &h2, &err), VK_VOUCHER_LOCKED); /* already held */
    vk_error_free(err);
    err = NULL;
    vk_smartgift_redemption *r = NULL;
    CHECK_STATUS(vk_smartgift_redeem(sg, "1000000002", "12", "10.00", NULL, 0,
                                     vk_smartgift_held_hold_token(h), &r, &err), VK_OK);
    uint64_t rid = 0;
    CHECK(vk_smartgift_redemption_count(r) == 1 && vk_smartgift_redemption_at(r, 0, &rid));
    v = NULL;
    CHECK_STATUS(vk_smartgift_check(sg, "1000000002", "12", NULL, 0, NULL, 0, &v, &err), VK_OK);
    CHECK(v != NULL && strtod(vk_smartgift_voucher_remaining_value(v), NULL) == 15.0);
    vk_smartgift_voucher_free(v);
    /* held by us: another till (no token) is refused; more than the balance is refused */
    vk_smartgift_redemption *r2 = NULL;
    CHECK_STATUS(vk_smartgift_redeem(sg, "1000000002", "12", "1.00", NULL, 0, NULL, &r2, &err), VK_VOUCHER_LOCKED);
    vk_error_free(err);
    err = NULL;
    CHECK_STATUS(vk_smartgift_redeem(sg, "1000000002", "12", "99.00", NULL, 0, vk_smartgift_held_hold_token(h), &r2,
                                     &err), VK_INVALID_AMOUNT);
    CHECK(r2 == NULL);
    vk_error_free(err);
    err = NULL;
    int64_t ids[1];
    ids[0] = (int64_t)rid;
    vk_smartgift_reversed *rev = NULL;
    CHECK_STATUS(vk_smartgift_reverse(sg, "1000000002", "12", ids, 1, &rev, &err), VK_OK);
    vk_smartgift_reversed_free(rev);
    vk_smartgift_released *rel = NULL;
    CHECK_STATUS(vk_smartgift_release(sg, "1000000002", vk_smartgift_held_hold_token(h), &rel, &err), VK_OK);
    vk_smartgift_released_free(rel);
    rel = NULL;
    CHECK_STATUS(vk_smartgift_release(sg, "1000000002", vk_smartgift_held_hold_token(h), &rel, &err), VK_VOUCHER_NOT_HELD);
    vk_error_free(err);
    err = NULL;
    vk_smartgift_redemption_free(r);
    vk_smartgift_held_free(h);

    /* experiences: Afternoon Tea (1) + Dinner (4) at site 12 */
    v = NULL;
    CHECK_STATUS(vk_smartgift_check(sg, "1000000003", "12", NULL, 0, NULL, 0, &v, &err), VK_OK);
    CHECK(v != NULL && vk_smartgift_voucher_experience_count(v) >= 2);
    vk_smartgift_voucher_free(v);
    const int64_t bits[] = {1, 4};
    r = NULL;
    CHECK_STATUS(vk_smartgift_redeem(sg, "1000000003", "12", NULL, bits, 2, NULL, &r, &err), VK_OK);
    CHECK(vk_smartgift_redemption_count(r) == 2);
    vk_smartgift_redemption_free(r);

    /* errors from the emulator's state */
    struct { const char *voucher_no; const char *site; vk_status kind; } refusals[] = {
        {"0000000000", "12", VK_VOUCHER_NOT_FOUND},
        {"1000000004", "12", VK_VOUCHER_EXPIRED},
        {"1000000005", "12", VK_VOUCHER_ALREADY_REDEEMED},
        {"2000000001", "12", VK_VOUCHER_NOT_OWNED},
        {"1000000001", "99", VK_INVALID_SITE},
    };
    for (unsigned i = 0; i < sizeof refusals / sizeof refusals[0]; i++) {
        r = NULL;
        CHECK_STATUS(vk_smartgift_redeem(sg, refusals[i].voucher_no, refusals[i].site, "1.00", NULL, 0, NULL, &r, &err),
                     refusals[i].kind);
        CHECK(r == NULL);
        vk_error_free(err);
        err = NULL;
    }
    vk_smartgift *wrong = sandbox_smartgift(sb, "sk_wrong");
    CHECK_STATUS(vk_smartgift_check(wrong, "1000000001", "12", NULL, 0, NULL, 0, &v, &err), VK_AUTHENTICATION);
    vk_error_free(err);
    err = NULL;
    vk_smartgift_free(wrong);

    /* a redeem whose answer never comes: outcome_unknown, and the sandbox shows it happened */
    CHECK_STATUS(vk_sandbox_inject_json(sb, "{\"path\":\"/smartgift/redeem\",\"answer\":{\"fault\":{\"kind\":\"reset\"}},"
                                            "\"times\":1,\"process\":true}", &err), VK_OK);
    r = NULL;
    CHECK_STATUS(vk_smartgift_redeem(sg, "1000000001", "12", "5.00", NULL, 0, NULL, &r, &err), VK_OUTCOME_UNKNOWN);
    CHECK(!vk_error_retryable(err));
    vk_error_free(err);
    err = NULL;
    v = NULL;
    CHECK_STATUS(vk_smartgift_check(sg, "1000000001", "12", NULL, 0, NULL, 0, &v, &err), VK_OK);
    CHECK(v != NULL && strtod(vk_smartgift_voucher_remaining_value(v), NULL) == 95.0);
    vk_smartgift_voucher_free(v);
    CHECK(vk_sandbox_inject_json(sb, "{\"nope\":1}", NULL) == VK_INVALID_REQUEST);
    vk_smartgift_free(sg);

    /* Spaaza: partial redeem with the regenerated voucher, lock/unlock, claim/unclaim, read */
    vk_spaaza_config cfg = vk_spaaza_config_default();
    cfg.session_user_id = vk_sandbox_spaaza_session_user_id(sb);
    cfg.session_key = vk_sandbox_spaaza_session_key(sb);
    cfg.base_url = vk_sandbox_spaaza_url(sb);
    vk_spaaza *sp = NULL;
    CHECK_STATUS(vk_spaaza_new(&cfg, &sp, NULL), VK_OK);
    vk_spaaza_voucher *sv = NULL;
    CHECK_STATUS(vk_spaaza_redeem_voucher(sp, 2, "b45069f0c789fe686b7d538eb97b6d017225a119e43733f73ccd230f12024eb5",
                                          NULL, NULL, "2.00", &sv, &err), VK_OK);
    CHECK_STR(vk_spaaza_voucher_voucher_status(sv), "redeemed");
    /* The newer voucher fields: campaign, expiry countdown, card, the re-issued voucher's parent. */
    CHECK(vk_spaaza_voucher_campaign_title(sv) != NULL &&
          strstr(vk_spaaza_voucher_raw_json(sv), vk_spaaza_voucher_campaign_title(sv)) != NULL);
    CHECK(vk_spaaza_voucher_campaign_type(sv) != NULL);
    int64_t expiry_left = -1;
    CHECK(vk_spaaza_voucher_voucher_expiry_seconds_remaining(sv, &expiry_left) && expiry_left >= 0);
    CHECK(vk_spaaza_voucher_has_user_entity_card(sv) ==
          (strstr(vk_spaaza_voucher_raw_json(sv), "\"user_entity_card\":null") == NULL));
    if (vk_spaaza_voucher_has_user_entity_card(sv) && vk_spaaza_voucher_user_entity_card_code(sv) != NULL)
        CHECK(strstr(vk_spaaza_voucher_raw_json(sv), vk_spaaza_voucher_user_entity_card_code(sv)) != NULL);
    CHECK(vk_spaaza_voucher_parent_voucher(sv) == NULL); /* an original voucher */
    const vk_spaaza_voucher *regen = vk_spaaza_voucher_regenerated_voucher(sv);
    const vk_spaaza_voucher *parent = regen ? vk_spaaza_voucher_parent_voucher(regen) : NULL;
    CHECK(parent != NULL);
    CHECK_STR(parent ? vk_spaaza_voucher_voucher_key(parent) : NULL,
              "b45069f0c789fe686b7d538eb97b6d017225a119e43733f73ccd230f12024eb5");
    CHECK(regen != NULL && vk_spaaza_voucher_voucher_amount(regen) != NULL &&
          strtod(vk_spaaza_voucher_voucher_amount(regen), NULL) == 8.0);
    int64_t regen_id = 0;
    CHECK(regen != NULL && vk_spaaza_voucher_voucher_id(regen, &regen_id));
    vk_spaaza_voucher_free(sv);
    sv = NULL;
    CHECK_STATUS(vk_spaaza_redeem_voucher(sp, 2, "b45069f0c789fe686b7d538eb97b6d017225a119e43733f73ccd230f12024eb5",
                                          NULL, NULL, NULL, &sv, &err), VK_VOUCHER_ALREADY_REDEEMED);
    vk_error_free(err);
    err = NULL;
    vk_spaaza_get_vouchers_request q;
    memset(&q, 0, sizeof q);
    q.chain_id = 2;
    q.voucher_id = &regen_id;
    q.show_all_statuses = true;
    vk_spaaza_voucher_list *list = NULL;
    CHECK_STATUS(vk_spaaza_get_vouchers(sp, &q, &list, &err), VK_OK);
    CHECK(vk_spaaza_voucher_list_count(list) == 1);
    vk_spaaza_voucher_list_free(list);

    /* Every voucher of the chain, one page at a time: the same vouchers as one big read. */
    q.voucher_id = NULL;
    list = NULL;
    CHECK_STATUS(vk_spaaza_get_vouchers(sp, &q, &list, &err), VK_OK);
    size_t chain_total = vk_spaaza_voucher_list_count(list);
    CHECK(chain_total >= 3);
    int64_t one = 1;
    q.number_results = &one;
    struct voucher_walk walk;
    memset(&walk, 0, sizeof walk);
    CHECK_STATUS(vk_spaaza_each_voucher(sp, &q, NULL, on_voucher, &walk, &err), VK_OK);
    CHECK(walk.count == chain_total);
    for (size_t i = 0; i < chain_total && i < 64; i++) {
        int64_t id = 0;
        CHECK(vk_spaaza_voucher_voucher_id(vk_spaaza_voucher_list_at(list, i), &id) && id == walk.ids[i]);
    }
    vk_spaaza_voucher_list_free(list);
    size_t two = 2;
    memset(&walk, 0, sizeof walk);
    CHECK_STATUS(vk_spaaza_each_voucher(sp, &q, &two, on_voucher, &walk, &err), VK_OK);
    CHECK(walk.count == 2); /* max */
    memset(&walk, 0, sizeof walk);
    walk.stop_after = 1;
    CHECK_STATUS(vk_spaaza_each_voucher(sp, &q, NULL, on_voucher, &walk, &err), VK_OK);
    CHECK(walk.count == 1); /* the callback said stop */
    EXPECT_INVALID(vk_spaaza_each_voucher(sp, &q, NULL, NULL, NULL, &err), "callback");
    one = -1; /* a bad page size: the first page fails, nothing given */
    memset(&walk, 0, sizeof walk);
    EXPECT_INVALID(vk_spaaza_each_voucher(sp, &q, NULL, on_voucher, &walk, &err), "number_results");
    CHECK(walk.count == 0);
    q.number_results = NULL;

    const char *key35735 = "13918dc12e44bc183cb168fa10684d0714115ff37132d4c265f4a8ab6678a741";
    int64_t period = 120;
    sv = NULL;
    CHECK_STATUS(vk_spaaza_lock_voucher(sp, key35735, NULL, "BASKET-1", &period, NULL, &sv, &err), VK_OK);
    bool locked = false;
    CHECK(vk_spaaza_voucher_voucher_locked(sv, &locked) && locked);
    vk_spaaza_voucher_free(sv);
    sv = NULL;
    CHECK_STATUS(vk_spaaza_lock_voucher(sp, key35735, NULL, "BASKET-2", NULL, NULL, &sv, &err), VK_VOUCHER_LOCKED);
    vk_error_free(err);
    err = NULL;
    CHECK_STATUS(vk_spaaza_unlock_voucher(sp, key35735, NULL, &sv, &err), VK_OK);
    vk_spaaza_voucher_free(sv);
    sv = NULL;

    int64_t chain = 2, third_party = 3914599659LL;
    vk_spaaza_claim_request claim;
    memset(&claim, 0, sizeof claim);
    claim.chain_id = &chain;
    claim.third_party_id = &third_party;
    claim.member_number = "404065";
    CHECK_STATUS(vk_spaaza_claim_voucher(sp, &claim, &sv, &err), VK_OK);
    CHECK_STR(vk_spaaza_voucher_voucher_status(sv), "claimed");
    vk_spaaza_voucher_free(sv);
    sv = NULL;
    CHECK_STATUS(vk_spaaza_unclaim_voucher(sp, &claim, &sv, &err), VK_OK);
    CHECK_STR(vk_spaaza_voucher_voucher_status(sv), "generated");
    vk_spaaza_voucher_free(sv);
    sv = NULL;

    /* another chain's voucher */
    CHECK_STATUS(vk_spaaza_unlock_voucher(sp, "fac489403a3e5b3689ebe8e69578b82a1a29bcf7c50378e34d33dc8046b82a2e", NULL,
                                          &sv, &err), VK_PERMISSION_DENIED);
    CHECK_STR(vk_error_provider_code(err), "permission_denied_or_non_existent");
    vk_error_free(err);
    err = NULL;

    vk_text *log = NULL;
    CHECK_STATUS(vk_sandbox_requests_json(sb, &log, &err), VK_OK);
    CHECK(log != NULL && strstr(vk_text_str(log), "/spaaza/lock-voucher") != NULL);
    vk_text_free(log);
    vk_text *state = NULL;
    CHECK_STATUS(vk_sandbox_state_json(sb, &state, &err), VK_OK);
    CHECK(state != NULL && vk_text_len(state) > 100);
    vk_text_free(state);
    vk_sandbox_advance_clock(sb, 600);
    vk_sandbox_clear_faults(sb);
    vk_sandbox_reset(sb);
    CHECK(err == NULL);
    vk_spaaza_free(sp);
    vk_sandbox_free(sb);

    /* a data set that does not load */
    sb = NULL;
    CHECK_STATUS(vk_sandbox_start("{\"smartgift\":{\"nope\":1}}", &sb, &err), VK_INVALID_REQUEST);
    CHECK_STR(vk_error_field(err), "data_json");
    CHECK(sb == NULL);
    vk_error_free(err);
}

/* ---- misuse: errors, never crashes ---- */

static void test_misuse(void) {
    vk_smartgift *sg = smartgift_client();
    vk_spaaza *sp = spaaza_client();
    vk_error *err = NULL;
    vk_smartgift_held *h = NULL;
    vk_smartgift_redemption *r = NULL;
    vk_spaaza_voucher *v = NULL;
    const char bad_utf8[] = {'S', 'G', (char)0xff, (char)0xfe, 0};
    vk_scripted_server_reset(server);

    /* NULL client, output, required strings, config */
    EXPECT_INVALID(vk_smartgift_hold(NULL, "SG-1", &h, &err), "client");
    EXPECT_INVALID(vk_smartgift_hold(sg, "SG-1", NULL, &err), "out");
    EXPECT_INVALID(vk_smartgift_hold(sg, NULL, &h, &err), "voucher_no");
    EXPECT_INVALID(vk_smartgift_new(NULL, NULL, &err), "config");
    EXPECT_INVALID(vk_spaaza_new(NULL, NULL, &err), "config");
    EXPECT_INVALID(vk_smartgift_release(sg, "SG-1", NULL, NULL, &err), "out");
    EXPECT_INVALID(vk_smartgift_check(sg, "SG-1", NULL, NULL, 0, NULL, 0, NULL, &err), "out");
    vk_smartgift_voucher *sv = NULL;
    EXPECT_INVALID(vk_smartgift_check(sg, "SG-1", NULL, NULL, 0, NULL, 0, &sv, &err), "site_id");
    EXPECT_INVALID(vk_spaaza_unclaim_voucher(sp, NULL, &v, &err), "request");
    EXPECT_INVALID(vk_spaaza_get_vouchers(sp, NULL, NULL, &err), "request");
    EXPECT_INVALID(vk_spaaza_lock_voucher(sp, "k", NULL, NULL, NULL, NULL, &v, &err), "retailer_basket_code");
    EXPECT_INVALID(vk_scripted_server_push_json(NULL, "{}", &err), "server");
    EXPECT_INVALID(vk_scripted_server_push_json(server, "{\"status\":\"x\"}", &err), "answer_json");
    EXPECT_INVALID(vk_scripted_server_push_json(server, "not json", &err), "answer_json");
    /* a NULL list with a length */
    EXPECT_INVALID(vk_smartgift_reverse(sg, "SG-1", "12", NULL, 2, NULL, &err), "out");
    vk_smartgift_reversed *rev = NULL;
    EXPECT_INVALID(vk_smartgift_reverse(sg, "SG-1", "12", NULL, 2, &rev, &err), "redemptions");
    EXPECT_INVALID(vk_smartgift_redeem(sg, "SG-1", "12", NULL, NULL, 3, NULL, &r, &err), "experiences");
    /* an empty (non-NULL) list is a list: the core refuses it */
    const int64_t none[1] = {0};
    EXPECT_INVALID(vk_smartgift_redeem(sg, "SG-1", "12", NULL, none, 0, NULL, &r, &err), "experiences");
    /* NULL inside a string list */
    const char *classes[] = {"a", NULL};
    EXPECT_INVALID(vk_smartgift_check(sg, "SG-1", "12", classes, 2, NULL, 0, &sv, &err), "classifications");
    vk_meta_condition cond = {"k", NULL, NULL, 0};
    EXPECT_INVALID(vk_smartgift_check(sg, "SG-1", "12", NULL, 0, &cond, 1, &sv, &err), "meta_conditions");

    /* invalid UTF-8, anywhere a string goes in */
    EXPECT_INVALID(vk_smartgift_hold(sg, bad_utf8, &h, &err), "voucher_no");
    EXPECT_INVALID(vk_smartgift_redeem(sg, "SG-1", "12", bad_utf8, NULL, 0, NULL, &r, &err), "value");
    EXPECT_INVALID(vk_spaaza_redeem_voucher(sp, 2, bad_utf8, NULL, NULL, NULL, &v, &err), "voucher_key");
    vk_smartgift_config sgc = vk_smartgift_config_default();
    sgc.api_key = bad_utf8;
    vk_smartgift *sg2 = NULL;
    EXPECT_INVALID(vk_smartgift_new(&sgc, &sg2, &err), "api_key");
    sgc.api_key = "k";
    sgc.options.proxy = bad_utf8;
    EXPECT_INVALID(vk_smartgift_new(&sgc, &sg2, &err), "proxy");
    CHECK(sg2 == NULL);

    /* out-of-range enum values */
    vk_spaaza_config spc = vk_spaaza_config_default();
    spc.session_user_id = 1;
    spc.session_key = "s";
    spc.auth = 3;
    vk_spaaza *sp2 = NULL;
    EXPECT_INVALID(vk_spaaza_new(&spc, &sp2, &err), "auth");
    spc.auth = 0xFFFFFFFFu;
    EXPECT_INVALID(vk_spaaza_new(&spc, &sp2, &err), "auth");
    CHECK(sp2 == NULL);

    /* the core's own config checks come through as they are */
    sgc = vk_smartgift_config_default();
    sgc.api_key = "k";
    sgc.base_url = "ftp://example.com";
    EXPECT_INVALID(vk_smartgift_new(&sgc, &sg2, &err), "base_url");
    sgc.base_url = "http://example.com"; /* plain http off loopback */
    EXPECT_INVALID(vk_smartgift_new(&sgc, &sg2, &err), "base_url");
    sgc.base_url = NULL;
    sgc.options.timeout_ms = 0;
    EXPECT_INVALID(vk_smartgift_new(&sgc, &sg2, &err), "timeout");
    sgc.api_key = "bad\r\nkey";
    sgc.options.timeout_ms = 1000;
    EXPECT_INVALID(vk_smartgift_new(&sgc, &sg2, &err), "api_key");

    /* err may be NULL: the status still tells */
    CHECK_STATUS(vk_smartgift_hold(sg, NULL, &h, NULL), VK_INVALID_REQUEST);
    CHECK(h == NULL && r == NULL && v == NULL && sv == NULL && rev == NULL);
    CHECK(requests_lack("\"path\"")); /* nothing above reached the wire */

    /* free of NULL, and accessors on NULL, are harmless */
    vk_error_free(NULL);
    vk_smartgift_free(NULL);
    vk_spaaza_free(NULL);
    vk_smartgift_voucher_free(NULL);
    vk_smartgift_held_free(NULL);
    vk_smartgift_redemption_free(NULL);
    vk_smartgift_released_free(NULL);
    vk_smartgift_reversed_free(NULL);
    vk_spaaza_voucher_free(NULL);
    vk_spaaza_voucher_list_free(NULL);
    vk_scripted_server_free(NULL);
    vk_sandbox_free(NULL);
    vk_sandbox_reset(NULL);
    vk_sandbox_advance_clock(NULL, 1);
    vk_text_free(NULL);
    vk_scripted_server_reset(NULL);
    CHECK(vk_error_kind(NULL) == VK_INTERNAL);
    CHECK(vk_error_message(NULL) == NULL);
    CHECK(vk_error_field_error_count(NULL) == 0);
    CHECK(vk_smartgift_voucher_name(NULL) == NULL);
    CHECK(vk_smartgift_redemption_count(NULL) == 0);
    CHECK(!vk_smartgift_redemption_at(NULL, 0, NULL));
    CHECK(vk_spaaza_voucher_regenerated_voucher(NULL) == NULL);
    CHECK(vk_spaaza_voucher_list_at(NULL, 0) == NULL);
    CHECK(vk_text_str(NULL) == NULL);
    CHECK(vk_scripted_server_url(NULL) == NULL);

    vk_spaaza_free(sp);
    vk_smartgift_free(sg);
}

/* ---- the core's hardening through the C API ---- */

/* A log callback that makes a voucherkit call of its own (on a client whose server is
 * gone) for every attempt it sees. */
struct nested_logger {
    const vk_smartgift *other;
    int calls;
    int nested_network; /* nested calls that failed with VK_NETWORK, as they must */
};

static void log_and_call(void *userdata, const vk_request_log *log) {
    struct nested_logger *n = (struct nested_logger *)userdata;
    (void)log;
    n->calls++;
    vk_smartgift_voucher *v = NULL;
    vk_error *err = NULL;
    if (vk_smartgift_check(n->other, "V9", "12", NULL, 0, NULL, 0, &v, &err) == VK_NETWORK) n->nested_network++;
    vk_smartgift_voucher_free(v);
    vk_error_free(err);
}

/* How many requests the scripted server received. */
static int request_count(void) {
    vk_text *t = requests();
    int n = 0;
    for (const char *p = t ? vk_text_str(t) : ""; (p = strstr(p, "\"connection_id\"")) != NULL; p++) n++;
    vk_text_free(t);
    return n;
}

static void test_reentrant_logger(void) {
    /* the logger's own client: nothing listens on port 1, and it does not retry */
    vk_smartgift_config dead = vk_smartgift_config_default();
    dead.api_key = "sk_test_c_0002";
    dead.base_url = "http://127.0.0.1:1";
    dead.options.max_retries = 0;
    dead.options.timeout_ms = 1000;
    vk_smartgift *other = NULL;
    CHECK_STATUS(vk_smartgift_new(&dead, &other, NULL), VK_OK);

    struct nested_logger n = {other, 0, 0};
    vk_smartgift_config cfg = vk_smartgift_config_default();
    cfg.api_key = "sk_test_c_0001";
    cfg.base_url = vk_scripted_server_url(server);
    cfg.options.timeout_ms = 400;
    cfg.options.log_callback = log_and_call;
    cfg.options.log_userdata = &n;
    vk_smartgift *sg = NULL;
    CHECK_STATUS(vk_smartgift_new(&cfg, &sg, NULL), VK_OK);

    /* The redeem stalls: it was sent, so it is outcome_unknown and never re-sent, whatever
     * the logger's own failed call did in between. Answers are queued behind the stall so a
     * second send would succeed and show. */
    vk_scripted_server_reset(server);
    push("[{\"fault\":{\"kind\":\"stall\"}},"
         "{\"status\":200,\"body_file\":\"bodies/smartgift-redeem-success.json\"},"
         "{\"status\":200,\"body_file\":\"bodies/smartgift-redeem-success.json\"}]");
    vk_smartgift_redemption *r = NULL;
    vk_error *err = NULL;
    CHECK_STATUS(vk_smartgift_redeem(sg, "SG-1", "12", "10.00", NULL, 0, NULL, &r, &err), VK_OUTCOME_UNKNOWN);
    CHECK(r == NULL);
    CHECK(err != NULL && !vk_error_retryable(err));
    vk_error_free(err);
    CHECK(request_count() == 1);
    CHECK(vk_scripted_server_pending(server) == 2);
    CHECK(n.calls == 1);
    CHECK(n.nested_network == 1); /* the logger's call really ran */
    vk_scripted_server_reset(server);
    vk_smartgift_free(sg);
    vk_smartgift_free(other);
}

struct warnings_seen {
    int calls;
    char provider[16];
    char operation[32];
    char message[512];
};

static void on_warning(void *userdata, const vk_warning *w) {
    struct warnings_seen *seen = (struct warnings_seen *)userdata;
    seen->calls++;
    snprintf(seen->provider, sizeof seen->provider, "%s", w->provider);
    snprintf(seen->operation, sizeof seen->operation, "%s", w->operation);
    snprintf(seen->message, sizeof seen->message, "%s", w->message);
}

static void test_warning_callback(void) {
    struct warnings_seen seen;
    memset(&seen, 0, sizeof seen);
    vk_spaaza_config cfg = vk_spaaza_config_default();
    cfg.session_user_id = 1;
    cfg.session_key = "sess_c_0001";
    cfg.base_url = vk_scripted_server_url(server);
    cfg.options.warning_callback = on_warning;
    cfg.options.warning_userdata = &seen;
    vk_spaaza *sp = NULL;
    CHECK_STATUS(vk_spaaza_new(&cfg, &sp, NULL), VK_OK);

    /* redeemed: nothing to say */
    vk_scripted_server_reset(server);
    push("{\"status\":200,\"body_file\":\"bodies/spaaza-redeem-voucher-success.json\"}");
    vk_spaaza_voucher *v = NULL;
    CHECK_STATUS(vk_spaaza_redeem_voucher(sp, 2, "k1", NULL, NULL, NULL, &v, NULL), VK_OK);
    CHECK_STR(vk_spaaza_voucher_voucher_status(v), "redeemed");
    vk_spaaza_voucher_free(v);
    CHECK(seen.calls == 0);

    /* "ok", but the voucher is only claimed: the call succeeds and the till is told */
    vk_scripted_server_reset(server);
    push("{\"status\":200,\"body\":{\"result\":{\"code\":1,\"status\":\"ok\"},"
         "\"results\":{\"voucher_key\":\"k1\",\"voucher_id\":987654,\"voucher_status\":\"claimed\"}}}");
    v = NULL;
    CHECK_STATUS(vk_spaaza_redeem_voucher(sp, 2, "k1", NULL, NULL, NULL, &v, NULL), VK_OK);
    CHECK_STR(vk_spaaza_voucher_voucher_status(v), "claimed");
    vk_spaaza_voucher_free(v);
    CHECK(seen.calls == 1);
    CHECK_STR(seen.provider, "spaaza");
    CHECK_STR(seen.operation, "redeem-voucher");
    CHECK(strstr(seen.message, "987654") != NULL);
    CHECK(request_count() == 1);
    vk_spaaza_free(sp);
}

static void test_option_ranges(void) {
    vk_error *err = NULL;
    vk_smartgift_config sgc = vk_smartgift_config_default();
    CHECK(sgc.options.max_idle_connections == 32);
    CHECK(sgc.options.warning_callback == NULL && sgc.options.warning_userdata == NULL);
    CHECK(vk_spaaza_config_default().options.max_idle_connections == 32);
    sgc.api_key = "k";
    vk_smartgift *sg = NULL;

    sgc.options.max_idle_connections = 1025;
    EXPECT_INVALID(vk_smartgift_new(&sgc, &sg, &err), "max_idle_connections");
    sgc.options.max_idle_connections = UINT32_MAX;
    EXPECT_INVALID(vk_smartgift_new(&sgc, &sg, &err), "max_idle_connections");
    CHECK(sg == NULL);
    sgc.options.max_idle_connections = 1024; /* the bounds are allowed */
    CHECK_STATUS(vk_smartgift_new(&sgc, &sg, NULL), VK_OK);
    vk_smartgift_free(sg);
    sg = NULL;
    sgc.options.max_idle_connections = 0;
    CHECK_STATUS(vk_smartgift_new(&sgc, &sg, NULL), VK_OK);
    vk_smartgift_free(sg);
    sg = NULL;

    /* durations far past the 1 hour limit: refused by name, no overflow anywhere */
    sgc = vk_smartgift_config_default();
    sgc.api_key = "k";
    sgc.options.timeout_ms = UINT64_MAX;
    EXPECT_INVALID(vk_smartgift_new(&sgc, &sg, &err), "timeout");
    sgc.options.timeout_ms = 3600001;
    EXPECT_INVALID(vk_smartgift_new(&sgc, &sg, &err), "timeout");
    sgc.options.timeout_ms = 3600000;
    sgc.options.connect_timeout_ms = UINT64_MAX;
    EXPECT_INVALID(vk_smartgift_new(&sgc, &sg, &err), "connect_timeout");
    sgc.options.connect_timeout_ms = 1000;
    sgc.options.max_idle_age_ms = UINT64_MAX;
    EXPECT_INVALID(vk_smartgift_new(&sgc, &sg, &err), "max_idle_age");
    CHECK(sg == NULL);

    vk_spaaza_config spc = vk_spaaza_config_default();
    spc.session_user_id = 1;
    spc.session_key = "s";
    spc.options.max_idle_connections = 1025;
    vk_spaaza *sp = NULL;
    EXPECT_INVALID(vk_spaaza_new(&spc, &sp, &err), "max_idle_connections");
    spc.options.max_idle_connections = 32;
    spc.options.timeout_ms = UINT64_MAX;
    EXPECT_INVALID(vk_spaaza_new(&spc, &sp, &err), "timeout");
    CHECK(sp == NULL);
}

/* app_info: appended to the User-Agent after the library's own token; a bad one is
 * refused by the core, naming `app_info`, before anything is sent. */
static void test_app_info(void) {
    vk_error *err = NULL;
    vk_smartgift_config cfg = vk_smartgift_config_default();
    CHECK(cfg.options.app_info.name == NULL);
    cfg.api_key = "sk_test_c_0001";
    cfg.base_url = vk_scripted_server_url(server);
    cfg.options.app_info.name = "MyTill";
    cfg.options.app_info.version = "4.2";
    cfg.options.app_info.url = "https://till.example";
    vk_smartgift *sg = NULL;
    CHECK_STATUS(vk_smartgift_new(&cfg, &sg, NULL), VK_OK);
    vk_scripted_server_reset(server);
    push("{\"status\":200,\"body_file\":\"bodies/smartgift-hold-success.json\"}");
    vk_smartgift_held *h = NULL;
    CHECK_STATUS(vk_smartgift_hold(sg, "SG-1", &h, NULL), VK_OK);
    vk_smartgift_held_free(h);
    CHECK(requests_contain(" (c) MyTill/4.2 (https://till.example)\""));
    vk_smartgift_free(sg);

    const char *bad[][2] = {{"My Till", "1"}, {"", "1"}, {"MyTill", "4 2"}, {"MyTill", "a/b"}};
    vk_scripted_server_reset(server);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cfg.options.app_info.name = bad[i][0];
        cfg.options.app_info.version = bad[i][1];
        sg = NULL;
        EXPECT_INVALID(vk_smartgift_new(&cfg, &sg, &err), "app_info");
        CHECK(sg == NULL);
    }
    vk_spaaza_config spc = vk_spaaza_config_default();
    spc.session_user_id = 1;
    spc.session_key = "s";
    spc.options.app_info.name = "My Till";
    vk_spaaza *sp = NULL;
    EXPECT_INVALID(vk_spaaza_new(&spc, &sp, &err), "app_info");
    CHECK(sp == NULL);
    CHECK(request_count() == 0);
}

/* ---- the journal: redeems recorded before they leave, lost answers reconciled ---- */

/* A pointer no call may write over: outputs are written only on success. */
static void *sentinel_storage[2];
#define SENTINEL ((void *)sentinel_storage)

static char journal_dir[64];

static void journal_path(char *out, size_t size, const char *name) {
    snprintf(out, size, "%s/%s", journal_dir, name);
}

/* The whole file (binary; NULs kept), or NULL when it does not exist. */
static char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    *len = 0;
    if (f == NULL) return NULL;
    size_t cap = 4096;
    char *buf = malloc(cap);
    size_t n;
    while (buf != NULL && (n = fread(buf + *len, 1, cap - *len, f)) > 0) {
        *len += n;
        if (*len == cap) {
            char *bigger = realloc(buf, cap * 2);
            if (bigger == NULL) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = bigger;
            cap *= 2;
        }
    }
    fclose(f);
    return buf;
}

static int bytes_contain(const char *hay, size_t len, const char *needle) {
    size_t n = strlen(needle);
    for (size_t i = 0; hay != NULL && n <= len && i <= len - n; i++)
        if (memcmp(hay + i, needle, n) == 0) return 1;
    return 0;
}

/* How many of `path`, `path`-wal and `path`-shm contain `needle`; `*files` is how many exist. */
static int journal_files_containing(const char *path, const char *needle, int *files) {
    const char *suffixes[] = {"", "-wal", "-shm"};
    int found = 0;
    *files = 0;
    for (unsigned i = 0; i < 3; i++) {
        char name[256];
        snprintf(name, sizeof name, "%s%s", path, suffixes[i]);
        size_t len = 0;
        char *bytes = read_file(name, &len);
        if (bytes != NULL) (*files)++;
        if (bytes_contain(bytes, len, needle)) found++;
        free(bytes);
    }
    return found;
}

static void remove_journal_files(const char *path) {
    const char *suffixes[] = {"", "-wal", "-shm", "-journal"};
    for (unsigned i = 0; i < 4; i++) {
        char name[256];
        snprintf(name, sizeof name, "%s%s", path, suffixes[i]);
        remove(name);
    }
}

static void test_journal_open(void) {
    vk_error *err = NULL;
    vk_journal *j = SENTINEL;
    char path[256];

    /* a directory, a text file, a missing parent directory: refused at open, naming journal */
    CHECK_STATUS(vk_journal_open(journal_dir, &j, &err), VK_INVALID_REQUEST);
    CHECK_STR(vk_error_field(err), "journal");
    CHECK(j == SENTINEL);
    vk_error_free(err);
    err = NULL;
    journal_path(path, sizeof path, "notes.txt");
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (f != NULL) {
        for (int i = 0; i < 200; i++) fputs("this is a till's text file, not a journal\n", f);
        fclose(f);
    }
    CHECK_STATUS(vk_journal_open(path, &j, &err), VK_INVALID_REQUEST);
    CHECK_STR(vk_error_field(err), "journal");
    CHECK(vk_error_kind(err) == VK_INVALID_REQUEST);
    CHECK(j == SENTINEL);
    vk_error_free(err);
    err = NULL;
    remove(path);
    journal_path(path, sizeof path, "no/such/dir/vouchers.journal");
    CHECK_STATUS(vk_journal_open(path, &j, &err), VK_INVALID_REQUEST);
    CHECK_STR(vk_error_field(err), "journal");
    CHECK(j == SENTINEL);
    vk_error_free(err);
    err = NULL;

    /* NULLs and invalid UTF-8 */
    const char bad_utf8[] = {'j', (char)0xff, 0};
    CHECK_STATUS(vk_journal_open(NULL, &j, &err), VK_INVALID_REQUEST);
    CHECK_STR(vk_error_field(err), "path");
    vk_error_free(err);
    err = NULL;
    CHECK_STATUS(vk_journal_open(bad_utf8, &j, &err), VK_INVALID_REQUEST);
    CHECK_STR(vk_error_field(err), "path");
    vk_error_free(err);
    err = NULL;
    journal_path(path, sizeof path, "never.journal");
    CHECK_STATUS(vk_journal_open(path, NULL, &err), VK_INVALID_REQUEST);
    CHECK_STR(vk_error_field(err), "out");
    vk_error_free(err);
    err = NULL;
    CHECK(j == SENTINEL);
    CHECK(access(path, F_OK) != 0); /* refused before anything was created */

    /* in memory */
    j = NULL;
    CHECK_STATUS(vk_journal_open(":memory:", &j, &err), VK_OK);
    CHECK_STR(vk_journal_path(j), ":memory:");
    vk_journal_entry_list *list = NULL;
    CHECK_STATUS(vk_journal_entries(j, NULL, &list, &err), VK_OK);
    CHECK(list != NULL && vk_journal_entry_list_count(list) == 0);
    CHECK(vk_journal_entry_list_at(list, 0) == NULL);
    vk_journal_entry_list_free(list);
    vk_journal_free(j);
    CHECK(err == NULL);
}

static vk_smartgift *journaled_smartgift(const vk_sandbox *sb, const vk_journal *j) {
    vk_smartgift_config cfg = vk_smartgift_config_default();
    CHECK(cfg.journal == NULL);
    cfg.api_key = vk_sandbox_smartgift_key(sb);
    cfg.base_url = vk_sandbox_smartgift_url(sb);
    cfg.options.timeout_ms = 2000; /* a stalled answer becomes outcome_unknown after this */
    cfg.journal = j;
    vk_smartgift *sg = NULL;
    CHECK_STATUS(vk_smartgift_new(&cfg, &sg, NULL), VK_OK);
    return sg;
}

static vk_spaaza *journaled_spaaza(const vk_sandbox *sb, const vk_journal *j) {
    vk_spaaza_config cfg = vk_spaaza_config_default();
    CHECK(cfg.journal == NULL);
    cfg.session_user_id = vk_sandbox_spaaza_session_user_id(sb);
    cfg.session_key = vk_sandbox_spaaza_session_key(sb);
    cfg.base_url = vk_sandbox_spaaza_url(sb);
    cfg.options.timeout_ms = 2000;
    cfg.journal = j;
    vk_spaaza *sp = NULL;
    CHECK_STATUS(vk_spaaza_new(&cfg, &sp, NULL), VK_OK);
    return sp;
}

/* The entries a filter selects (NULL on failure; the caller frees). */
static vk_journal_entry_list *entries(const vk_journal *j, const vk_journal_filter *filter) {
    vk_journal_entry_list *list = NULL;
    vk_error *err = NULL;
    vk_status st = vk_journal_entries(j, filter, &list, &err);
    if (st != VK_OK) {
        fprintf(stderr, "vk_journal_entries: %s\n", vk_error_message(err));
        failed++;
    }
    vk_error_free(err);
    return list;
}

static size_t count_entries(const vk_journal *j, const vk_journal_filter *filter) {
    vk_journal_entry_list *list = entries(j, filter);
    size_t n = vk_journal_entry_list_count(list);
    vk_journal_entry_list_free(list);
    return n;
}

/* How many provider requests the sandbox logged whose path contains `needle`. */
static int sandbox_requests(const vk_sandbox *sb, const char *needle) {
    vk_text *t = NULL;
    CHECK_STATUS(vk_sandbox_requests_json(sb, &t, NULL), VK_OK);
    int n = 0;
    char quoted[128];
    snprintf(quoted, sizeof quoted, "\"path\":\"%s", needle);
    for (const char *p = t ? vk_text_str(t) : ""; (p = strstr(p, quoted)) != NULL; p++) n++;
    vk_text_free(t);
    return n;
}

static void test_journal(void) {
    vk_sandbox *sb = NULL;
    vk_error *err = NULL;
    CHECK_STATUS(vk_sandbox_start(NULL, &sb, &err), VK_OK);
    if (sb == NULL) return;
    char path[256];
    journal_path(path, sizeof path, "till.journal");

    /* The client keeps its own reference: the handle it was built with is freed at once,
     * and a second handle on the same file reads what the client writes. */
    vk_journal *first = NULL;
    CHECK_STATUS(vk_journal_open(path, &first, &err), VK_OK);
    CHECK_STR(vk_journal_path(first), path);
    vk_smartgift *sg = journaled_smartgift(sb, first);
    vk_journal_free(first);
    vk_journal *j = NULL;
    CHECK_STATUS(vk_journal_open(path, &j, &err), VK_OK);
    if (j == NULL || sg == NULL) {
        vk_smartgift_free(sg);
        vk_sandbox_free(sb);
        return;
    }
    uint64_t started_ms = (uint64_t)time(NULL) * 1000;

    /* a journaled redeem with a reference: check first, then the redeem, recorded applied */
    vk_smartgift_redemption *r = NULL;
    CHECK_STATUS(vk_smartgift_redeem_ref(sg, "1000000001", "12", "10.00", NULL, 0, NULL, "sale-1", &r, &err), VK_OK);
    CHECK(err == NULL);
    const char *id1 = vk_smartgift_redemption_journal_id(r);
    CHECK(id1 != NULL && strlen(id1) == 36);
    CHECK(sandbox_requests(sb, "/smartgift/redeem/check") == 1);
    CHECK(sandbox_requests(sb, "/smartgift/redeem\"") == 1);
    vk_journal_entry *e = SENTINEL;
    CHECK_STATUS(vk_journal_entry_get(j, id1, &e, &err), VK_OK);
    CHECK(e != SENTINEL && e != NULL);
    if (e != NULL && e != SENTINEL) {
        CHECK_STR(vk_journal_entry_id(e), id1);
        CHECK_STR(vk_journal_entry_reference(e), "sale-1");
        CHECK_STR(vk_journal_entry_provider(e), "smartgift");
        CHECK_STR(vk_journal_entry_operation(e), "redeem");
        CHECK_STR(vk_journal_entry_state(e), "applied");
        CHECK(strstr(vk_journal_entry_request_json(e), "\"value\":\"10.00\"") != NULL);
        CHECK(strstr(vk_journal_entry_request_json(e), "\"voucher_no\":\"1000000001\"") != NULL);
        CHECK(strstr(vk_journal_entry_before_json(e), "\"remaining_value\":\"100\"") != NULL);
        CHECK(strstr(vk_journal_entry_result_json(e), "\"redemptions\":[") != NULL);
        CHECK(vk_journal_entry_error_json(e) == NULL);
        CHECK(!vk_journal_entry_certain(e));
        CHECK(vk_journal_entry_reconcile_attempts(e) == 0);
        uint64_t created = vk_journal_entry_created_at_ms(e), resolved = 0;
        CHECK(created + 5000 >= started_ms && created <= started_ms + 600000);
        CHECK(vk_journal_entry_resolved_at_ms(e, &resolved) && resolved >= created);
        CHECK(strstr(vk_journal_entry_to_json(e), "\"state\":\"applied\"") != NULL);
        CHECK(strstr(vk_journal_entry_to_json(e), "\"created_at\":\"20") != NULL);
        /* strings are owned by the entry: the same pointer on every read */
        CHECK(vk_journal_entry_state(e) == vk_journal_entry_state(e));
        vk_journal_entry_free(e);
    }

    /* a reverse through the journal, with its own reference */
    uint64_t rid = 0;
    CHECK(vk_smartgift_redemption_at(r, 0, &rid));
    int64_t ids[1];
    ids[0] = (int64_t)rid;
    vk_smartgift_reversed *rev = NULL;
    CHECK_STATUS(vk_smartgift_reverse_ref(sg, "1000000001", "12", ids, 1, "sale-1-void", &rev, &err), VK_OK);
    const char *rev_id = vk_smartgift_reversed_journal_id(rev);
    CHECK(rev_id != NULL && !str_eq(rev_id, id1));
    e = NULL;
    CHECK_STATUS(vk_journal_entry_get(j, rev_id, &e, &err), VK_OK);
    CHECK_STR(vk_journal_entry_operation(e), "reverse");
    CHECK_STR(vk_journal_entry_state(e), "applied");
    CHECK_STR(vk_journal_entry_reference(e), "sale-1-void");
    vk_journal_entry_free(e);
    vk_smartgift_reversed_free(rev);
    char id1_copy[64];
    snprintf(id1_copy, sizeof id1_copy, "%s", id1);
    vk_smartgift_redemption_free(r);

    /* The redeem happens but its answer is lost: outcome_unknown carrying the entry's id,
     * the outputs untouched; reconcile reads the voucher (100 -> 90) and settles it. */
    CHECK_STATUS(vk_sandbox_inject_json(sb, "{\"path\":\"/smartgift/redeem\",\"process\":true,\"times\":1,"
                                            "\"answer\":{\"fault\":{\"kind\":\"stall\"}}}", &err), VK_OK);
    r = SENTINEL;
    CHECK_STATUS(vk_smartgift_redeem_ref(sg, "1000000001", "12", "10.00", NULL, 0, NULL, "sale-2", &r, &err),
                 VK_OUTCOME_UNKNOWN);
    CHECK(r == SENTINEL);
    CHECK(err != NULL && !vk_error_retryable(err));
    char lost_id[64] = "";
    if (vk_error_journal_id(err) != NULL) snprintf(lost_id, sizeof lost_id, "%s", vk_error_journal_id(err));
    CHECK(strlen(lost_id) == 36);
    CHECK(strstr(vk_error_to_json(err), lost_id) != NULL);
    CHECK(strstr(vk_error_to_json(err), "\"journal_id\":\"") != NULL);
    vk_error_free(err);
    err = NULL;
    e = NULL;
    CHECK_STATUS(vk_journal_entry_get(j, lost_id, &e, &err), VK_OK);
    CHECK_STR(vk_journal_entry_state(e), "unknown");
    uint64_t resolved = 7;
    CHECK(!vk_journal_entry_resolved_at_ms(e, &resolved) && resolved == 7);
    CHECK(strstr(vk_journal_entry_error_json(e), "\"kind\":\"outcome_unknown\"") != NULL);
    vk_journal_entry_free(e);

    vk_journal_entry_list *settled = NULL;
    CHECK_STATUS(vk_smartgift_reconcile(sg, &settled, &err), VK_OK);
    CHECK(vk_journal_entry_list_count(settled) == 1);
    const vk_journal_entry *s0 = vk_journal_entry_list_at(settled, 0);
    CHECK_STR(vk_journal_entry_id(s0), lost_id);
    CHECK_STR(vk_journal_entry_state(s0), "applied");
    CHECK_STR(vk_journal_entry_reference(s0), "sale-2");
    CHECK(!vk_journal_entry_certain(s0)); /* no hold: evidence, not proof */
    CHECK(vk_journal_entry_reconcile_attempts(s0) == 1);
    CHECK(vk_journal_entry_note(s0) != NULL && strstr(vk_journal_entry_note(s0), "90") != NULL);
    CHECK(vk_journal_entry_resolved_at_ms(s0, &resolved) && resolved != 7);
    CHECK(vk_journal_entry_list_at(settled, 1) == NULL);
    vk_journal_entry_list_free(settled);
    settled = NULL;
    CHECK_STATUS(vk_smartgift_reconcile(sg, &settled, &err), VK_OK); /* settled once */
    CHECK(settled != NULL && vk_journal_entry_list_count(settled) == 0);
    vk_journal_entry_list_free(settled);

    /* the old function on a journaled client: journaled, without a reference */
    r = NULL;
    CHECK_STATUS(vk_smartgift_redeem(sg, "1000000002", "12", "5.00", NULL, 0, NULL, &r, &err), VK_OK);
    e = NULL;
    CHECK_STATUS(vk_journal_entry_get(j, vk_smartgift_redemption_journal_id(r), &e, &err), VK_OK);
    CHECK(e != NULL && vk_journal_entry_reference(e) == NULL);
    vk_journal_entry_free(e);
    vk_smartgift_redemption_free(r);

    /* Spaaza: a journaled redeem-voucher needs voucher_id (the key alone cannot be read
     * back): refused by name, nothing sent */
    vk_spaaza *sp = journaled_spaaza(sb, j);
    vk_spaaza_voucher *v = SENTINEL;
    CHECK_STATUS(vk_spaaza_redeem_voucher_ref(sp, 2, "b45069f0c789fe686b7d538eb97b6d017225a119e43733f73ccd230f12024eb5",
                                              NULL, NULL, "2.00", "basket-8", &v, &err), VK_INVALID_REQUEST);
    CHECK_STR(vk_error_field(err), "voucher_id");
    CHECK(vk_error_journal_id(err) == NULL);
    CHECK(v == SENTINEL);
    vk_error_free(err);
    err = NULL;
    CHECK_STATUS(vk_spaaza_redeem_voucher(sp, 2, "b45069f0c789fe686b7d538eb97b6d017225a119e43733f73ccd230f12024eb5",
                                          NULL, NULL, "2.00", &v, &err), VK_INVALID_REQUEST);
    CHECK_STR(vk_error_field(err), "voucher_id");
    vk_error_free(err);
    err = NULL;
    CHECK(sandbox_requests(sb, "/spaaza/") == 0);
    int64_t voucher_id = 438595;
    v = NULL;
    CHECK_STATUS(vk_spaaza_redeem_voucher_ref(sp, 2, NULL, &voucher_id, NULL, "2.00", "basket-9", &v, &err), VK_OK);
    const char *sp_id = vk_spaaza_voucher_journal_id(v);
    CHECK(sp_id != NULL && strlen(sp_id) == 36);
    CHECK(vk_spaaza_voucher_journal_id(vk_spaaza_voucher_regenerated_voucher(v)) == NULL);
    CHECK(sandbox_requests(sb, "/spaaza/get-vouchers") == 1); /* the snapshot came first */
    e = NULL;
    CHECK_STATUS(vk_journal_entry_get(j, sp_id, &e, &err), VK_OK);
    CHECK_STR(vk_journal_entry_provider(e), "spaaza");
    CHECK_STR(vk_journal_entry_operation(e), "redeem_voucher");
    CHECK_STR(vk_journal_entry_state(e), "applied");
    CHECK_STR(vk_journal_entry_reference(e), "basket-9");
    vk_journal_entry_free(e);
    vk_spaaza_voucher_free(v);
    settled = NULL;
    CHECK_STATUS(vk_spaaza_reconcile(sp, &settled, &err), VK_OK);
    CHECK(vk_journal_entry_list_count(settled) == 0);
    vk_journal_entry_list_free(settled);

    /* an unknown id: found nothing, still VK_OK, *out set to NULL */
    e = SENTINEL;
    CHECK_STATUS(vk_journal_entry_get(j, "0190c8d2-0000-7000-8000-000000000000", &e, &err), VK_OK);
    CHECK(e == NULL);

    /* filters: 5 entries (sale-1, sale-1-void, sale-2, the unreferenced one, basket-9) */
    vk_journal_filter f;
    memset(&f, 0, sizeof f);
    CHECK(count_entries(j, &f) == 5);
    CHECK(count_entries(j, NULL) == 5);
    f.state = "applied";
    CHECK(count_entries(j, &f) == 5);
    f.state = "unknown";
    CHECK(count_entries(j, &f) == 0);
    f.state = NULL;
    f.reference = "sale-2";
    vk_journal_entry_list *list = entries(j, &f);
    CHECK(vk_journal_entry_list_count(list) == 1);
    CHECK_STR(vk_journal_entry_id(vk_journal_entry_list_at(list, 0)), lost_id);
    vk_journal_entry_list_free(list);
    f.reference = NULL;
    f.provider = "spaaza";
    CHECK(count_entries(j, &f) == 1);
    f.provider = "smartgift";
    CHECK(count_entries(j, &f) == 4);
    f.state = "applied";
    f.reference = "sale-1";
    CHECK(count_entries(j, &f) == 1);
    memset(&f, 0, sizeof f);
    size_t limit = 2;
    f.limit = &limit;
    list = entries(j, &f); /* newest first */
    CHECK(vk_journal_entry_list_count(list) == 2);
    CHECK_STR(vk_journal_entry_reference(vk_journal_entry_list_at(list, 0)), "basket-9");
    CHECK(vk_journal_entry_reference(vk_journal_entry_list_at(list, 1)) == NULL);
    vk_journal_entry_list_free(list);
    f.limit = NULL;
    uint64_t since = 0;
    f.since_ms = &since;
    CHECK(count_entries(j, &f) == 5);
    since = started_ms + 24ULL * 3600 * 1000; /* tomorrow */
    CHECK(count_entries(j, &f) == 0);
    since = UINT64_MAX;
    CHECK(count_entries(j, &f) == 0);

    /* invalid filter values: refused by name, the output untouched */
    memset(&f, 0, sizeof f);
    f.state = "done";
    list = SENTINEL;
    CHECK_STATUS(vk_journal_entries(j, &f, &list, &err), VK_INVALID_REQUEST);
    CHECK_STR(vk_error_field(err), "state");
    CHECK(strstr(vk_error_message(err), "not_applied") != NULL); /* says what is allowed */
    vk_error_free(err);
    err = NULL;
    f.state = "Applied";
    EXPECT_INVALID(vk_journal_entries(j, &f, &list, &err), "state");
    f.state = NULL;
    f.provider = "paypal";
    EXPECT_INVALID(vk_journal_entries(j, &f, &list, &err), "provider");
    f.provider = NULL;
    const char bad_utf8[] = {'s', (char)0xff, 0};
    f.reference = bad_utf8;
    EXPECT_INVALID(vk_journal_entries(j, &f, &list, &err), "reference");
    CHECK(list == SENTINEL);

    /* NULL arguments */
    EXPECT_INVALID(vk_journal_entries(NULL, NULL, &list, &err), "journal");
    EXPECT_INVALID(vk_journal_entries(j, NULL, NULL, &err), "out");
    EXPECT_INVALID(vk_journal_entry_get(NULL, "x", &e, &err), "journal");
    EXPECT_INVALID(vk_journal_entry_get(j, NULL, &e, &err), "id");
    EXPECT_INVALID(vk_journal_entry_get(j, "x", NULL, &err), "out");
    EXPECT_INVALID(vk_smartgift_reconcile(NULL, &settled, &err), "client");
    EXPECT_INVALID(vk_smartgift_reconcile(sg, NULL, &err), "out");
    EXPECT_INVALID(vk_spaaza_reconcile(NULL, &settled, &err), "client");
    EXPECT_INVALID(vk_spaaza_reconcile(sp, NULL, &err), "out");
    EXPECT_INVALID(vk_smartgift_redeem_ref(sg, "1000000001", "12", "1.00", NULL, 0, NULL, bad_utf8, &r, &err),
                   "reference");
    EXPECT_INVALID(vk_smartgift_reverse_ref(sg, "1000000001", "12", ids, 1, bad_utf8, &rev, &err), "reference");
    EXPECT_INVALID(vk_spaaza_redeem_voucher_ref(sp, 2, NULL, &voucher_id, NULL, NULL, bad_utf8, &v, &err),
                   "reference");
    CHECK_STATUS(vk_journal_entries(j, NULL, NULL, NULL), VK_INVALID_REQUEST); /* err may be NULL */
    CHECK(e == NULL && list == SENTINEL);
    vk_journal_free(NULL);
    vk_journal_entry_free(NULL);
    vk_journal_entry_list_free(NULL);
    CHECK(vk_journal_path(NULL) == NULL);
    CHECK(vk_journal_entry_list_count(NULL) == 0);
    CHECK(vk_journal_entry_list_at(NULL, 0) == NULL);
    CHECK(vk_journal_entry_id(NULL) == NULL);
    CHECK(vk_journal_entry_state(NULL) == NULL);
    CHECK(vk_journal_entry_request_json(NULL) == NULL);
    CHECK(vk_journal_entry_to_json(NULL) == NULL);
    CHECK(!vk_journal_entry_certain(NULL));
    CHECK(vk_journal_entry_created_at_ms(NULL) == 0);
    CHECK(!vk_journal_entry_resolved_at_ms(NULL, &resolved));
    CHECK(vk_journal_entry_reconcile_attempts(NULL) == 0);
    CHECK(vk_error_journal_id(NULL) == NULL);
    CHECK(vk_smartgift_redemption_journal_id(NULL) == NULL);
    CHECK(vk_smartgift_reversed_journal_id(NULL) == NULL);
    CHECK(vk_spaaza_voucher_journal_id(NULL) == NULL);

    /* The journal's bytes (with its -wal and -shm, open now) hold the references but
     * never a key or session secret. */
    int files = 0;
    CHECK(journal_files_containing(path, "basket-9", &files) >= 1);
    CHECK(files >= 2); /* WAL mode: the -wal file exists while the journal is open */
    CHECK(journal_files_containing(path, vk_sandbox_smartgift_key(sb), &files) == 0);
    CHECK(journal_files_containing(path, vk_sandbox_spaaza_session_key(sb), &files) == 0);

    /* reconcile needs a journal */
    vk_smartgift_config plain = vk_smartgift_config_default();
    plain.api_key = vk_sandbox_smartgift_key(sb);
    plain.base_url = vk_sandbox_smartgift_url(sb);
    vk_smartgift *unjournaled = NULL;
    CHECK_STATUS(vk_smartgift_new(&plain, &unjournaled, NULL), VK_OK);
    settled = SENTINEL;
    CHECK_STATUS(vk_smartgift_reconcile(unjournaled, &settled, &err), VK_INVALID_REQUEST);
    CHECK_STR(vk_error_field(err), "journal");
    CHECK_STR(vk_error_provider(err), "smartgift");
    CHECK(settled == SENTINEL);
    vk_error_free(err);
    err = NULL;
    /* without a journal a reference is ignored and nothing is read first */
    int checks_before = sandbox_requests(sb, "/smartgift/redeem/check");
    r = NULL;
    CHECK_STATUS(vk_smartgift_redeem_ref(unjournaled, "1000000002", "12", "1.00", NULL, 0, NULL, "sale-3", &r, &err),
                 VK_OK);
    CHECK(r != NULL && vk_smartgift_redemption_journal_id(r) == NULL);
    CHECK(sandbox_requests(sb, "/smartgift/redeem/check") == checks_before);
    vk_smartgift_redemption_free(r);
    vk_smartgift_free(unjournaled);
    vk_spaaza_config plain_sp = vk_spaaza_config_default();
    plain_sp.session_user_id = vk_sandbox_spaaza_session_user_id(sb);
    plain_sp.session_key = vk_sandbox_spaaza_session_key(sb);
    plain_sp.base_url = vk_sandbox_spaaza_url(sb);
    vk_spaaza *unjournaled_sp = NULL;
    CHECK_STATUS(vk_spaaza_new(&plain_sp, &unjournaled_sp, NULL), VK_OK);
    EXPECT_INVALID(vk_spaaza_reconcile(unjournaled_sp, &settled, &err), "journal");
    CHECK(settled == SENTINEL);
    vk_spaaza_free(unjournaled_sp);

    vk_spaaza_free(sp);
    vk_smartgift_free(sg);
    vk_journal_free(j);
    /* closed: the main file still holds no secret (and still holds the entries) */
    CHECK(journal_files_containing(path, "sale-1-void", &files) >= 1);
    CHECK(journal_files_containing(path, vk_sandbox_smartgift_key(sb), &files) == 0);
    CHECK(journal_files_containing(path, vk_sandbox_spaaza_session_key(sb), &files) == 0);
    remove_journal_files(path);
    vk_sandbox_free(sb);
}

static void test_journals(void) {
    const char *tmp = getenv("TMPDIR");
    snprintf(journal_dir, sizeof journal_dir, "%s/vk-journal-XXXXXX", tmp && *tmp && strlen(tmp) < 40 ? tmp : "/tmp");
    if (mkdtemp(journal_dir) == NULL) {
        fprintf(stderr, "mkdtemp failed\n");
        failed++;
        return;
    }
    test_journal_open();
    test_journal();
    rmdir(journal_dir);
}

int main(int argc, char **argv) {
    const char *corpus = argc > 1 ? argv[1] : "tests/conformance";
    vk_error *err = NULL;
    if (vk_scripted_server_start(corpus, &server, &err) != VK_OK) {
        fprintf(stderr, "cannot start the scripted server: %s\n", vk_error_message(err));
        return 2;
    }
    test_version();
    test_statuses();
    test_smartgift_operations();
    test_spaaza_operations();
    test_every_error_kind();
    test_error_accessors();
    test_logging();
    test_threads();
    test_sandbox();
    test_misuse();
    test_reentrant_logger();
    test_warning_callback();
    test_option_ranges();
    test_app_info();
    test_journals();
    vk_scripted_server_free(server);
    printf("test_c: %d passed, %d failed\n", passed, failed);
    return failed == 0 && passed > 0 ? 0 : 1;
}
