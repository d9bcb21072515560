/* The stateful sandbox: a till session, and errors with real state behind them. */
#include "test_c.h"

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

void test_sandbox(void) {
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
