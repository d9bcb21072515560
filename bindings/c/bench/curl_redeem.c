/*
 * The libcurl side of bindings/c/bench: docs/performance.md's reference client, "C libcurl
 * easy handle reused + cJSON", written as a C developer would without voucherkit. One easy handle is
 * reused for every call (so one keep-alive connection, as the core keeps), each call is the
 * POST /redeem the core sends (same JSON body, same headers), and cJSON reads
 * data.redemptions from the answer after a 2xx check, as SmartGift::redeem does.
 *
 * It runs against the same in-process scripted sandbox server as c_redeem.c and
 * rust_redeem.rs (from libvoucherkit.a: the server and the one-off probe below are the only
 * voucherkit code here), answering every call with the seed's redeem success body.
 * Before measuring, one redeem through the C API and one through libcurl are compared as
 * the server recorded them, so the request libcurl sends cannot drift from the core's
 * unnoticed. Prints `calls_per_sec <n>` and `cpu_us_per_call <n>` like c_redeem.c.
 * Usage: bench_c_curl <tests/conformance dir> <calls>
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>

#include "voucherkit.h"
#include "voucherkit/testing.h"
#include "bench_clock.h"

#define API_KEY "sk_bench_0001"

/* What the core serialises for RedeemRequest::money("SG-1000-0001", "12", "10.00")
 * (core/src/smartgift/mod.rs, `Body`): compact, fields in the documented order, site_id as
 * text, the amount a JSON number with the caller's digits. The probe checks it. */
static const char BODY[] = "{\"voucher_no\":\"SG-1000-0001\",\"site_id\":\"12\",\"value\":10.00}";


static void die(const char *what, const char *detail) {
    fprintf(stderr, "%s: %s\n", what, detail ? detail : "?");
    exit(1);
}

/* The answer body. One buffer for the whole run, emptied per call: what a C client that
 * cares about speed does (the core allocates one per call). */
struct buf {
    char *data;
    size_t len, cap;
};

static size_t on_data(char *ptr, size_t size, size_t n, void *userdata) {
    struct buf *b = userdata;
    size_t add = size * n;
    if (b->len + add > b->cap) {
        size_t cap = 2 * (b->len + add);
        char *p = realloc(b->data, cap);
        if (p == NULL) return 0; /* curl then fails the call with CURLE_WRITE_ERROR */
        b->data = p;
        b->cap = cap;
    }
    memcpy(b->data + b->len, ptr, add);
    b->len += add;
    return add;
}

/* One redeem: the POST, the status check and the parse of data.redemptions into `ids`.
 * Returns how many ids, or -1 for anything the core would report as an error. Kept out of
 * line so that run.py's callgrind count can toggle on it. */
__attribute__((noinline)) static int curl_redeem(CURL *h, struct buf *b, unsigned long long *ids,
                                                 int max) {
    b->len = 0;
    if (curl_easy_perform(h) != CURLE_OK) return -1;
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    if (status < 200 || status > 299) return -1;
    cJSON *root = cJSON_ParseWithLength(b->data, b->len);
    cJSON *data = cJSON_GetObjectItemCaseSensitive(root, "data");
    cJSON *list = cJSON_GetObjectItemCaseSensitive(data, "redemptions");
    int n = cJSON_IsArray(list) ? 0 : -1;
    const cJSON *id;
    cJSON_ArrayForEach(id, list) {
        /* The core takes each id as a u64: a non-negative whole number. */
        if (n < 0 || n == max || !cJSON_IsNumber(id) || id->valuedouble < 0 ||
            id->valuedouble != (double)(unsigned long long)id->valuedouble) {
            n = -1;
            break;
        }
        ids[n++] = (unsigned long long)id->valuedouble;
    }
    cJSON_Delete(root); /* NULL-safe: a body that is not JSON ends here with n == -1 */
    return n;
}

/* The recorded header named `name` (case-insensitive) of one request, or NULL. */
static const char *header(const cJSON *req, const char *name) {
    const cJSON *pair;
    cJSON_ArrayForEach(pair, cJSON_GetObjectItemCaseSensitive(req, "headers")) {
        const char *k = cJSON_GetStringValue(cJSON_GetArrayItem(pair, 0));
        if (k != NULL && strcasecmp(k, name) == 0)
            return cJSON_GetStringValue(cJSON_GetArrayItem(pair, 1));
    }
    return NULL;
}

/* Compares the first two recorded requests (the core's, then libcurl's): same method,
 * path, body and header set. Only User-Agent values differ by design (the C API says
 * "(c)", this client sends the Rust core's "(rust)"), so for it only presence counts. */
static void check_same_request(const vk_scripted_server *server) {
    vk_text *text = NULL;
    vk_error *err = NULL;
    if (vk_scripted_server_requests_json(server, &text, &err) != VK_OK)
        die("requests", vk_error_message(err));
    cJSON *all = cJSON_Parse(vk_text_str(text));
    vk_text_free(text);
    const cJSON *core = cJSON_GetArrayItem(all, 0), *curl = cJSON_GetArrayItem(all, 1);
    if (core == NULL || curl == NULL) die("probe", "the server did not record both requests");
    const char *fields[] = {"method", "path", "body_text"};
    for (size_t i = 0; i < sizeof fields / sizeof *fields; i++) {
        const char *a = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(core, fields[i]));
        const char *b = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(curl, fields[i]));
        if (a == NULL || b == NULL || strcmp(a, b) != 0) {
            fprintf(stderr, "%s: core %s, libcurl %s\n", fields[i], a ? a : "-", b ? b : "-");
            die("probe", "libcurl's request differs from the core's");
        }
    }
    /* Both ways round, so a header only one side sends is caught. */
    const cJSON *sides[2][2] = {{core, curl}, {curl, core}};
    for (int s = 0; s < 2; s++) {
        const cJSON *pair;
        cJSON_ArrayForEach(pair, cJSON_GetObjectItemCaseSensitive(sides[s][0], "headers")) {
            const char *name = cJSON_GetStringValue(cJSON_GetArrayItem(pair, 0));
            const char *mine = cJSON_GetStringValue(cJSON_GetArrayItem(pair, 1));
            if (name == NULL || mine == NULL) die("probe", "malformed request log");
            const char *theirs = header(sides[s][1], name);
            if (theirs == NULL || (strcasecmp(name, "user-agent") != 0 && strcmp(mine, theirs) != 0)) {
                fprintf(stderr, "header %s: %s has \"%s\", %s has \"%s\"\n", name,
                        s ? "libcurl" : "core", mine, s ? "core" : "libcurl", theirs ? theirs : "(none)");
                die("probe", "libcurl's request differs from the core's");
            }
        }
    }
    cJSON_Delete(all);
}

int main(int argc, char **argv) {
    const char *corpus = argc > 1 ? argv[1] : "tests/conformance";
    long calls = argc > 2 ? atol(argv[2]) : 20000;
    long warmup = calls / 10;
    vk_error *err = NULL;
    vk_scripted_server *server = NULL;
    if (vk_scripted_server_start(corpus, &server, &err) != VK_OK) die("server", vk_error_message(err));
    const char *answer = "{\"status\":200,\"body_file\":\"bodies/smartgift-redeem-success.json\"}";
    char url[256];
    snprintf(url, sizeof url, "%s/redeem", vk_scripted_server_url(server));

    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) die("curl", "global init failed");
    CURL *h = curl_easy_init();
    if (h == NULL) die("curl", "easy init failed");
    /* The headers the core sends (core/src/smartgift/mod.rs and transport.rs): Accept,
     * Smart-Auth, its User-Agent, Content-Type. Setting Accept also replaces curl's own
     * catch-all Accept; Host and Content-Length curl writes itself, as ureq does. */
    struct curl_slist *headers = NULL;
    const char *lines[] = {"Accept: application/json", "Smart-Auth: " API_KEY,
                           "User-Agent: voucherkit/" VOUCHERKIT_VERSION_STRING " (rust)",
                           "Content-Type: application/json"};
    for (size_t i = 0; i < sizeof lines / sizeof *lines; i++) {
        struct curl_slist *more = curl_slist_append(headers, lines[i]);
        if (more == NULL) die("curl", "header list");
        headers = more;
    }
    struct buf body = {NULL, 0, 0};
    /* Set once: a reused easy handle keeps its options and its connection. The timeouts
     * are the core's defaults (30 s per call, 5 s to connect); NOSIGNAL because a timeout
     * must not use signals in a threaded program; no proxy, as the core for loopback. */
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, BODY);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)(sizeof BODY - 1));
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 30000L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_PROXY, "");

    /* The probe: one redeem through the C API, one through libcurl, then the comparison.
     * The reset forgets them, so the loop starts from an empty request log like c_redeem.c. */
    vk_smartgift_config cfg = vk_smartgift_config_default();
    cfg.api_key = API_KEY;
    cfg.base_url = vk_scripted_server_url(server);
    vk_smartgift *sg = NULL;
    vk_smartgift_redemption *r = NULL;
    unsigned long long ids[16];
    for (int i = 0; i < 2; i++)
        if (vk_scripted_server_push_json(server, answer, &err) != VK_OK) die("push", vk_error_message(err));
    if (vk_smartgift_new(&cfg, &sg, &err) != VK_OK) die("client", vk_error_message(err));
    if (vk_smartgift_redeem(sg, "SG-1000-0001", "12", "10.00", NULL, 0, NULL, &r, &err) != VK_OK)
        die("probe redeem", vk_error_message(err));
    vk_smartgift_redemption_free(r);
    vk_smartgift_free(sg);
    if (curl_redeem(h, &body, ids, 16) != 3) die("probe", "libcurl redeem failed");
    check_same_request(server);
    vk_scripted_server_reset(server);

    for (long i = 0; i < warmup + calls; i++)
        if (vk_scripted_server_push_json(server, answer, &err) != VK_OK) die("push", vk_error_message(err));
    for (long i = 0; i < warmup; i++)
        if (curl_redeem(h, &body, ids, 16) != 3) die("redeem", "warm-up call failed");
    long connects = 0;
    unsigned long long cpu = thread_cpu_ns();
    double start = now();
    for (long i = 0; i < calls; i++) {
        if (curl_redeem(h, &body, ids, 16) != 3) die("redeem", "call failed");
        long made = 0;
        curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &made);
        connects += made;
    }
    double secs = now() - start;
    double cpu_us = (double)(thread_cpu_ns() - cpu) / 1000.0 / (double)calls;
    /* One connection for the whole loop, or this is not the keep-alive reference. */
    if (connects != 0) die("keep-alive", "libcurl opened new connections during the loop");
    printf("calls_per_sec %.1f\n", (double)calls / secs);
    printf("cpu_us_per_call %.2f\n", cpu_us);
    curl_easy_cleanup(h);
    curl_slist_free_all(headers);
    curl_global_cleanup();
    free(body.data);
    vk_scripted_server_free(server);
    return 0;
}
