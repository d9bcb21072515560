/* Every error kind from a real answer, and the error accessors. */
#include "test_c.h"

/* Test-only: present in the library these tests link (built with the `test-panic`
 * feature, see bindings/c/c.mk), never in the shipped one, so voucherkit.h does not declare it. */
vk_status vk_debug_panic(vk_error **err);

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

void test_every_error_kind(void) {
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

void test_error_accessors(void) {
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
