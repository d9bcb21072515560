/*
 * The install test's example (bindings/c/tests/install_test.sh): a till that redeems against the
 * stateful sandbox, built from an installed voucherkit with pkg-config or CMake.
 * Exits 0 and prints "example: ok" when the redeem and its errors behave.
 */
#include <stdio.h>
#include <string.h>

#include <voucherkit.h>
#include <voucherkit/testing.h> /* the sandbox: test code only */

int main(void) {
    vk_sandbox *sb = NULL;
    vk_error *err = NULL;
    if (vk_sandbox_start(NULL, &sb, &err) != VK_OK) {
        fprintf(stderr, "sandbox: %s\n", vk_error_message(err));
        return 1;
    }
    vk_smartgift_config cfg = vk_smartgift_config_default();
    cfg.api_key = vk_sandbox_smartgift_key(sb);
    cfg.base_url = vk_sandbox_smartgift_url(sb);
    vk_smartgift *sg = NULL;
    int ok = vk_smartgift_new(&cfg, &sg, &err) == VK_OK;
    vk_smartgift_redemption *r = NULL;
    ok = ok && vk_smartgift_redeem(sg, "1000000002", "12", "5.00", NULL, 0, NULL, &r, &err) == VK_OK;
    ok = ok && vk_smartgift_redemption_count(r) == 1;
    vk_status st = vk_smartgift_redeem(sg, "1000000004", "12", "5.00", NULL, 0, NULL, NULL, &err);
    ok = ok && st == VK_INVALID_REQUEST; /* out is NULL */
    vk_error_free(err);
    err = NULL;
    vk_smartgift_redemption *r2 = NULL;
    st = vk_smartgift_redeem(sg, "1000000004", "12", "5.00", NULL, 0, NULL, &r2, &err);
    ok = ok && st == VK_VOUCHER_EXPIRED && strcmp(vk_error_kind_str(st), "voucher_expired") == 0;
    ok = ok && strcmp(vk_version(), VOUCHERKIT_VERSION_STRING) == 0;
    vk_error_free(err);
    vk_smartgift_redemption_free(r);
    vk_smartgift_free(sg);
    vk_sandbox_free(sb);
    printf("example: %s (voucherkit %s)\n", ok ? "ok" : "FAILED", vk_version());
    return ok ? 0 : 1;
}
