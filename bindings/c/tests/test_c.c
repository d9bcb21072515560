/*
 * C tests of libvoucherkit through its C ABI (include/voucherkit.h), against the
 * sandbox on 127.0.0.1 (scripted server and stateful emulator): every operation of both
 * providers, every error kind, the error accessors, the logging and warning callbacks (a
 * logger that calls voucherkit itself), a client shared by threads, option ranges, and
 * misuse (NULLs, invalid UTF-8, out-of-range enums, free of NULL).
 *
 * One program from several sources, split by concern: this file (main, the counters, the
 * scripted server and the client helpers, declared in test_c.h), test_c_operations.c,
 * test_c_errors.c, test_c_callbacks.c, test_c_sandbox.c, test_c_misuse.c, test_c_journal.c.
 *
 * Usage: test_c <path to tests/conformance>   (body_file answers are read from there)
 * Prints each check that fails and a closing line `test_c: N passed, N failed`.
 */
#include "test_c.h"

int passed, failed;

vk_scripted_server *server;

void push(const char *answer_json) {
    vk_error *err = NULL;
    vk_status st = vk_scripted_server_push_json(server, answer_json, &err);
    if (st != VK_OK) {
        fprintf(stderr, "push failed: %s\n", vk_error_message(err));
        vk_error_free(err);
        exit(2);
    }
}

/* The recorded requests as JSON text (caller frees with vk_text_free). */
vk_text *requests(void) {
    vk_text *t = NULL;
    CHECK_STATUS(vk_scripted_server_requests_json(server, &t, NULL), VK_OK);
    return t;
}

int requests_contain(const char *needle) {
    vk_text *t = requests();
    int found = t != NULL && strstr(vk_text_str(t), needle) != NULL;
    if (!found) fprintf(stderr, "requests lack %s: %s\n", needle, t ? vk_text_str(t) : "");
    vk_text_free(t);
    return found;
}

/* A request body contains `needle`: bodies are JSON strings in the log, so quotes are
 * escaped there. */
int body_contains(const char *needle) {
    char escaped[1024];
    size_t n = 0;
    for (const char *p = needle; *p && n + 2 < sizeof escaped; p++) {
        if (*p == '"') escaped[n++] = '\\';
        escaped[n++] = *p;
    }
    escaped[n] = 0;
    return requests_contain(escaped);
}

int requests_lack(const char *needle) {
    vk_text *t = requests();
    int absent = t != NULL && strstr(vk_text_str(t), needle) == NULL;
    vk_text_free(t);
    return absent;
}

vk_smartgift *smartgift_client(void) {
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

vk_spaaza *spaaza_client(void) {
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

vk_smartgift *sandbox_smartgift(const vk_sandbox *sb, const char *key) {
    vk_smartgift_config cfg = vk_smartgift_config_default();
    cfg.api_key = key;
    cfg.base_url = vk_sandbox_smartgift_url(sb);
    cfg.options.timeout_ms = 3000;
    vk_smartgift *sg = NULL;
    CHECK_STATUS(vk_smartgift_new(&cfg, &sg, NULL), VK_OK);
    return sg;
}

void expect_invalid(vk_status st, vk_error *err, const char *field) {
    CHECK_STATUS(st, VK_INVALID_REQUEST);
    CHECK_STR(vk_error_field(err), field);
    vk_error_free(err);
}

/* How many requests the scripted server received. */
int request_count(void) {
    vk_text *t = requests();
    int n = 0;
    for (const char *p = t ? vk_text_str(t) : ""; (p = strstr(p, "\"connection_id\"")) != NULL; p++) n++;
    vk_text_free(t);
    return n;
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
