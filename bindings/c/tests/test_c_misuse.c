/* Misuse (NULLs, invalid UTF-8, out-of-range enums, free of NULL), option ranges and
 * app_info: errors, never crashes, nothing sent. */
#include "test_c.h"

/* ---- misuse: errors, never crashes ---- */

void test_misuse(void) {
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

void test_option_ranges(void) {
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
void test_app_info(void) {
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
