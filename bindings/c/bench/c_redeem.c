/*
 * The C side of bindings/c/bench: the same redeem loop as rust_redeem.rs, through the C ABI.
 * A scripted sandbox server on 127.0.0.1 (keep-alive, one connection) answers every call
 * with the seed's redeem success body. Prints `calls_per_sec <n>` and `cpu_us_per_call <n>`
 * (the calling thread's CPU time from /proc/thread-self/schedstat, as rust_redeem.rs does).
 * Usage: bench_c_redeem <tests/conformance dir> <calls>
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "voucherkit.h"
#include "voucherkit/testing.h"
#include "bench_clock.h"


static void die(const char *what, vk_error *err) {
    fprintf(stderr, "%s: %s\n", what, err ? vk_error_message(err) : "?");
    exit(1);
}

int main(int argc, char **argv) {
    const char *corpus = argc > 1 ? argv[1] : "tests/conformance";
    long calls = argc > 2 ? atol(argv[2]) : 20000;
    long warmup = calls / 10;
    vk_error *err = NULL;
    vk_scripted_server *server = NULL;
    if (vk_scripted_server_start(corpus, &server, &err) != VK_OK) die("server", err);
    const char *answer = "{\"status\":200,\"body_file\":\"bodies/smartgift-redeem-success.json\"}";
    for (long i = 0; i < warmup + calls; i++)
        if (vk_scripted_server_push_json(server, answer, &err) != VK_OK) die("push", err);

    vk_smartgift_config cfg = vk_smartgift_config_default();
    cfg.api_key = "sk_bench_0001";
    cfg.base_url = vk_scripted_server_url(server);
    vk_smartgift *sg = NULL;
    if (vk_smartgift_new(&cfg, &sg, &err) != VK_OK) die("client", err);

    for (long i = 0; i < warmup; i++) {
        vk_smartgift_redemption *r = NULL;
        if (vk_smartgift_redeem(sg, "SG-1000-0001", "12", "10.00", NULL, 0, NULL, &r, &err) != VK_OK)
            die("redeem", err);
        vk_smartgift_redemption_free(r);
    }
    unsigned long long cpu = thread_cpu_ns();
    double start = now();
    for (long i = 0; i < calls; i++) {
        vk_smartgift_redemption *r = NULL;
        if (vk_smartgift_redeem(sg, "SG-1000-0001", "12", "10.00", NULL, 0, NULL, &r, &err) != VK_OK)
            die("redeem", err);
        if (vk_smartgift_redemption_count(r) != 3) die("redemptions", NULL);
        vk_smartgift_redemption_free(r);
    }
    double secs = now() - start;
    double cpu_us = (double)(thread_cpu_ns() - cpu) / 1000.0 / (double)calls;
    printf("calls_per_sec %.1f\n", (double)calls / secs);
    printf("cpu_us_per_call %.2f\n", cpu_us);
    vk_smartgift_free(sg);
    vk_scripted_server_free(server);
    return 0;
}
