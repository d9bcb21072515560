/* Version, statuses, and every operation of both providers against the scripted server. */
#include "test_c.h"

/* ---- version and statuses ---- */

void test_version(void) {
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

void test_statuses(void) {
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

void test_smartgift_operations(void) {
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

void test_spaaza_operations(void) {
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
