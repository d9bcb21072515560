/* Shared by the test_c sources (one program, see test_c.c): the check macros, the
 * scripted server and the client helpers. */
#ifndef VK_TEST_C_H
#define VK_TEST_C_H

#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "voucherkit.h"
#include "voucherkit/testing.h"

extern int passed, failed;

#define CHECK(cond)                                                        \
    do {                                                                   \
        if (cond) {                                                        \
            passed++;                                                      \
        } else {                                                           \
            failed++;                                                      \
            fprintf(stderr, "%s:%d: FAILED: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                  \
    } while (0)

static inline int str_eq(const char *a, const char *b) {
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

/* The scripted server every test_* of test_c.c's main talks to. */
extern vk_scripted_server *server;

void push(const char *answer_json);
vk_text *requests(void);
int requests_contain(const char *needle);
int body_contains(const char *needle);
int requests_lack(const char *needle);
vk_smartgift *smartgift_client(void);
vk_spaaza *spaaza_client(void);
vk_smartgift *sandbox_smartgift(const vk_sandbox *sb, const char *key);
void expect_invalid(vk_status st, vk_error *err, const char *field);
int request_count(void);

/* `expr` uses &err; evaluated before err is read (argument order is unspecified in C). */
#define EXPECT_INVALID(expr, field)            \
    do {                                       \
        err = NULL;                            \
        vk_status st_ = (expr);                \
        expect_invalid(st_, err, field);       \
    } while (0)

void test_version(void);
void test_statuses(void);
void test_smartgift_operations(void);
void test_spaaza_operations(void);
void test_every_error_kind(void);
void test_error_accessors(void);
void test_logging(void);
void test_threads(void);
void test_sandbox(void);
void test_misuse(void);
void test_reentrant_logger(void);
void test_warning_callback(void);
void test_option_ranges(void);
void test_app_info(void);
void test_journals(void);

#endif
