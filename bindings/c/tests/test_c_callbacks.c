/* The logging and warning callbacks (a logger that calls voucherkit itself) and one client
 * shared by threads. */
#include "test_c.h"

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

void test_logging(void) {
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

void test_threads(void) {
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

void test_reentrant_logger(void) {
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

void test_warning_callback(void) {
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
