/* The journal: redeems recorded before they leave, lost answers reconciled. */
#include "test_c.h"

/* ---- the journal: redeems recorded before they leave, lost answers reconciled ---- */

/* A pointer no call may write over: outputs are written only on success. */
static void *sentinel_storage[2];
#define SENTINEL ((void *)sentinel_storage)

static char journal_dir[64];

static void journal_path(char *out, size_t size, const char *name) {
    snprintf(out, size, "%s/%s", journal_dir, name);
}

/* The whole file (binary; NULs kept), or NULL when it does not exist. */
static char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    *len = 0;
    if (f == NULL) return NULL;
    size_t cap = 4096;
    char *buf = malloc(cap);
    size_t n;
    while (buf != NULL && (n = fread(buf + *len, 1, cap - *len, f)) > 0) {
        *len += n;
        if (*len == cap) {
            char *bigger = realloc(buf, cap * 2);
            if (bigger == NULL) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = bigger;
            cap *= 2;
        }
    }
    fclose(f);
    return buf;
}

static int bytes_contain(const char *hay, size_t len, const char *needle) {
    size_t n = strlen(needle);
    for (size_t i = 0; hay != NULL && n <= len && i <= len - n; i++)
        if (memcmp(hay + i, needle, n) == 0) return 1;
    return 0;
}

/* How many of `path`, `path`-wal and `path`-shm contain `needle`; `*files` is how many exist. */
static int journal_files_containing(const char *path, const char *needle, int *files) {
    const char *suffixes[] = {"", "-wal", "-shm"};
    int found = 0;
    *files = 0;
    for (unsigned i = 0; i < 3; i++) {
        char name[256];
        snprintf(name, sizeof name, "%s%s", path, suffixes[i]);
        size_t len = 0;
        char *bytes = read_file(name, &len);
        if (bytes != NULL) (*files)++;
        if (bytes_contain(bytes, len, needle)) found++;
        free(bytes);
    }
    return found;
}

static void remove_journal_files(const char *path) {
    const char *suffixes[] = {"", "-wal", "-shm", "-journal"};
    for (unsigned i = 0; i < 4; i++) {
        char name[256];
        snprintf(name, sizeof name, "%s%s", path, suffixes[i]);
        remove(name);
    }
}

static void test_journal_open(void) {
    vk_error *err = NULL;
    vk_journal *j = SENTINEL;
    char path[256];

    /* a directory, a text file, a missing parent directory: refused at open, naming journal */
    CHECK_STATUS(vk_journal_open(journal_dir, &j, &err), VK_INVALID_REQUEST);
    CHECK_STR(vk_error_field(err), "journal");
    CHECK(j == SENTINEL);
    vk_error_free(err);
    err = NULL;
    journal_path(path, sizeof path, "notes.txt");
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (f != NULL) {
        for (int i = 0; i < 200; i++) fputs("this is a till's text file, not a journal\n", f);
        fclose(f);
    }
    CHECK_STATUS(vk_journal_open(path, &j, &err), VK_INVALID_REQUEST);
    CHECK_STR(vk_error_field(err), "journal");
    CHECK(vk_error_kind(err) == VK_INVALID_REQUEST);
    CHECK(j == SENTINEL);
    vk_error_free(err);
    err = NULL;
    remove(path);
    journal_path(path, sizeof path, "no/such/dir/vouchers.journal");
    CHECK_STATUS(vk_journal_open(path, &j, &err), VK_INVALID_REQUEST);
    CHECK_STR(vk_error_field(err), "journal");
    CHECK(j == SENTINEL);
    vk_error_free(err);
    err = NULL;

    /* NULLs and invalid UTF-8 */
    const char bad_utf8[] = {'j', (char)0xff, 0};
    CHECK_STATUS(vk_journal_open(NULL, &j, &err), VK_INVALID_REQUEST);
    CHECK_STR(vk_error_field(err), "path");
    vk_error_free(err);
    err = NULL;
    CHECK_STATUS(vk_journal_open(bad_utf8, &j, &err), VK_INVALID_REQUEST);
    CHECK_STR(vk_error_field(err), "path");
    vk_error_free(err);
    err = NULL;
    journal_path(path, sizeof path, "never.journal");
    CHECK_STATUS(vk_journal_open(path, NULL, &err), VK_INVALID_REQUEST);
    CHECK_STR(vk_error_field(err), "out");
    vk_error_free(err);
    err = NULL;
    CHECK(j == SENTINEL);
    CHECK(access(path, F_OK) != 0); /* refused before anything was created */

    /* in memory */
    j = NULL;
    CHECK_STATUS(vk_journal_open(":memory:", &j, &err), VK_OK);
    CHECK_STR(vk_journal_path(j), ":memory:");
    vk_journal_entry_list *list = NULL;
    CHECK_STATUS(vk_journal_entries(j, NULL, &list, &err), VK_OK);
    CHECK(list != NULL && vk_journal_entry_list_count(list) == 0);
    CHECK(vk_journal_entry_list_at(list, 0) == NULL);
    vk_journal_entry_list_free(list);
    vk_journal_free(j);
    CHECK(err == NULL);
}

static vk_smartgift *journaled_smartgift(const vk_sandbox *sb, const vk_journal *j) {
    vk_smartgift_config cfg = vk_smartgift_config_default();
    CHECK(cfg.journal == NULL);
    cfg.api_key = vk_sandbox_smartgift_key(sb);
    cfg.base_url = vk_sandbox_smartgift_url(sb);
    cfg.options.timeout_ms = 2000; /* a stalled answer becomes outcome_unknown after this */
    cfg.journal = j;
    vk_smartgift *sg = NULL;
    CHECK_STATUS(vk_smartgift_new(&cfg, &sg, NULL), VK_OK);
    return sg;
}

static vk_spaaza *journaled_spaaza(const vk_sandbox *sb, const vk_journal *j) {
    vk_spaaza_config cfg = vk_spaaza_config_default();
    CHECK(cfg.journal == NULL);
    cfg.session_user_id = vk_sandbox_spaaza_session_user_id(sb);
    cfg.session_key = vk_sandbox_spaaza_session_key(sb);
    cfg.base_url = vk_sandbox_spaaza_url(sb);
    cfg.options.timeout_ms = 2000;
    cfg.journal = j;
    vk_spaaza *sp = NULL;
    CHECK_STATUS(vk_spaaza_new(&cfg, &sp, NULL), VK_OK);
    return sp;
}

/* The entries a filter selects (NULL on failure; the caller frees). */
static vk_journal_entry_list *entries(const vk_journal *j, const vk_journal_filter *filter) {
    vk_journal_entry_list *list = NULL;
    vk_error *err = NULL;
    vk_status st = vk_journal_entries(j, filter, &list, &err);
    if (st != VK_OK) {
        fprintf(stderr, "vk_journal_entries: %s\n", vk_error_message(err));
        failed++;
    }
    vk_error_free(err);
    return list;
}

static size_t count_entries(const vk_journal *j, const vk_journal_filter *filter) {
    vk_journal_entry_list *list = entries(j, filter);
    size_t n = vk_journal_entry_list_count(list);
    vk_journal_entry_list_free(list);
    return n;
}

/* How many provider requests the sandbox logged whose path contains `needle`. */
static int sandbox_requests(const vk_sandbox *sb, const char *needle) {
    vk_text *t = NULL;
    CHECK_STATUS(vk_sandbox_requests_json(sb, &t, NULL), VK_OK);
    int n = 0;
    char quoted[128];
    snprintf(quoted, sizeof quoted, "\"path\":\"%s", needle);
    for (const char *p = t ? vk_text_str(t) : ""; (p = strstr(p, quoted)) != NULL; p++) n++;
    vk_text_free(t);
    return n;
}

static void test_journal(void) {
    vk_sandbox *sb = NULL;
    vk_error *err = NULL;
    CHECK_STATUS(vk_sandbox_start(NULL, &sb, &err), VK_OK);
    if (sb == NULL) return;
    char path[256];
    journal_path(path, sizeof path, "till.journal");

    /* The client keeps its own reference: the handle it was built with is freed at once,
     * and a second handle on the same file reads what the client writes. */
    vk_journal *first = NULL;
    CHECK_STATUS(vk_journal_open(path, &first, &err), VK_OK);
    CHECK_STR(vk_journal_path(first), path);
    vk_smartgift *sg = journaled_smartgift(sb, first);
    vk_journal_free(first);
    vk_journal *j = NULL;
    CHECK_STATUS(vk_journal_open(path, &j, &err), VK_OK);
    if (j == NULL || sg == NULL) {
        vk_smartgift_free(sg);
        vk_sandbox_free(sb);
        return;
    }
    uint64_t started_ms = (uint64_t)time(NULL) * 1000;

    /* a journaled redeem with a reference: check first, then the redeem, recorded applied */
    vk_smartgift_redemption *r = NULL;
    CHECK_STATUS(vk_smartgift_redeem_ref(sg, "1000000001", "12", "10.00", NULL, 0, NULL, "sale-1", &r, &err), VK_OK);
    CHECK(err == NULL);
    const char *id1 = vk_smartgift_redemption_journal_id(r);
    CHECK(id1 != NULL && strlen(id1) == 36);
    CHECK(sandbox_requests(sb, "/smartgift/redeem/check") == 1);
    CHECK(sandbox_requests(sb, "/smartgift/redeem\"") == 1);
    vk_journal_entry *e = SENTINEL;
    CHECK_STATUS(vk_journal_entry_get(j, id1, &e, &err), VK_OK);
    CHECK(e != SENTINEL && e != NULL);
    if (e != NULL && e != SENTINEL) {
        CHECK_STR(vk_journal_entry_id(e), id1);
        CHECK_STR(vk_journal_entry_reference(e), "sale-1");
        CHECK_STR(vk_journal_entry_provider(e), "smartgift");
        CHECK_STR(vk_journal_entry_operation(e), "redeem");
        CHECK_STR(vk_journal_entry_state(e), "applied");
        CHECK(strstr(vk_journal_entry_request_json(e), "\"value\":\"10.00\"") != NULL);
        CHECK(strstr(vk_journal_entry_request_json(e), "\"voucher_no\":\"1000000001\"") != NULL);
        CHECK(strstr(vk_journal_entry_before_json(e), "\"remaining_value\":\"100\"") != NULL);
        CHECK(strstr(vk_journal_entry_result_json(e), "\"redemptions\":[") != NULL);
        CHECK(vk_journal_entry_error_json(e) == NULL);
        CHECK(!vk_journal_entry_certain(e));
        CHECK(vk_journal_entry_reconcile_attempts(e) == 0);
        uint64_t created = vk_journal_entry_created_at_ms(e), resolved = 0;
        CHECK(created + 5000 >= started_ms && created <= started_ms + 600000);
        CHECK(vk_journal_entry_resolved_at_ms(e, &resolved) && resolved >= created);
        CHECK(strstr(vk_journal_entry_to_json(e), "\"state\":\"applied\"") != NULL);
        CHECK(strstr(vk_journal_entry_to_json(e), "\"created_at\":\"20") != NULL);
        /* strings are owned by the entry: the same pointer on every read */
        CHECK(vk_journal_entry_state(e) == vk_journal_entry_state(e));
        vk_journal_entry_free(e);
    }

    /* a reverse through the journal, with its own reference */
    uint64_t rid = 0;
    CHECK(vk_smartgift_redemption_at(r, 0, &rid));
    int64_t ids[1];
    ids[0] = (int64_t)rid;
    vk_smartgift_reversed *rev = NULL;
    CHECK_STATUS(vk_smartgift_reverse_ref(sg, "1000000001", "12", ids, 1, "sale-1-void", &rev, &err), VK_OK);
    const char *rev_id = vk_smartgift_reversed_journal_id(rev);
    CHECK(rev_id != NULL && !str_eq(rev_id, id1));
    e = NULL;
    CHECK_STATUS(vk_journal_entry_get(j, rev_id, &e, &err), VK_OK);
    CHECK_STR(vk_journal_entry_operation(e), "reverse");
    CHECK_STR(vk_journal_entry_state(e), "applied");
    CHECK_STR(vk_journal_entry_reference(e), "sale-1-void");
    vk_journal_entry_free(e);
    vk_smartgift_reversed_free(rev);
    char id1_copy[64];
    snprintf(id1_copy, sizeof id1_copy, "%s", id1);
    vk_smartgift_redemption_free(r);

    /* The redeem happens but its answer is lost: outcome_unknown carrying the entry's id,
     * the outputs untouched; reconcile reads the voucher (100 -> 90) and settles it. */
    CHECK_STATUS(vk_sandbox_inject_json(sb, "{\"path\":\"/smartgift/redeem\",\"process\":true,\"times\":1,"
                                            "\"answer\":{\"fault\":{\"kind\":\"stall\"}}}", &err), VK_OK);
    r = SENTINEL;
    CHECK_STATUS(vk_smartgift_redeem_ref(sg, "1000000001", "12", "10.00", NULL, 0, NULL, "sale-2", &r, &err),
                 VK_OUTCOME_UNKNOWN);
    CHECK(r == SENTINEL);
    CHECK(err != NULL && !vk_error_retryable(err));
    char lost_id[64] = "";
    if (vk_error_journal_id(err) != NULL) snprintf(lost_id, sizeof lost_id, "%s", vk_error_journal_id(err));
    CHECK(strlen(lost_id) == 36);
    CHECK(strstr(vk_error_to_json(err), lost_id) != NULL);
    CHECK(strstr(vk_error_to_json(err), "\"journal_id\":\"") != NULL);
    vk_error_free(err);
    err = NULL;
    e = NULL;
    CHECK_STATUS(vk_journal_entry_get(j, lost_id, &e, &err), VK_OK);
    CHECK_STR(vk_journal_entry_state(e), "unknown");
    uint64_t resolved = 7;
    CHECK(!vk_journal_entry_resolved_at_ms(e, &resolved) && resolved == 7);
    CHECK(strstr(vk_journal_entry_error_json(e), "\"kind\":\"outcome_unknown\"") != NULL);
    vk_journal_entry_free(e);

    vk_journal_entry_list *settled = NULL;
    CHECK_STATUS(vk_smartgift_reconcile(sg, &settled, &err), VK_OK);
    CHECK(vk_journal_entry_list_count(settled) == 1);
    const vk_journal_entry *s0 = vk_journal_entry_list_at(settled, 0);
    CHECK_STR(vk_journal_entry_id(s0), lost_id);
    CHECK_STR(vk_journal_entry_state(s0), "applied");
    CHECK_STR(vk_journal_entry_reference(s0), "sale-2");
    CHECK(!vk_journal_entry_certain(s0)); /* no hold: evidence, not proof */
    CHECK(vk_journal_entry_reconcile_attempts(s0) == 1);
    CHECK(vk_journal_entry_note(s0) != NULL && strstr(vk_journal_entry_note(s0), "90") != NULL);
    CHECK(vk_journal_entry_resolved_at_ms(s0, &resolved) && resolved != 7);
    CHECK(vk_journal_entry_list_at(settled, 1) == NULL);
    vk_journal_entry_list_free(settled);
    settled = NULL;
    CHECK_STATUS(vk_smartgift_reconcile(sg, &settled, &err), VK_OK); /* settled once */
    CHECK(settled != NULL && vk_journal_entry_list_count(settled) == 0);
    vk_journal_entry_list_free(settled);

    /* the old function on a journaled client: journaled, without a reference */
    r = NULL;
    CHECK_STATUS(vk_smartgift_redeem(sg, "1000000002", "12", "5.00", NULL, 0, NULL, &r, &err), VK_OK);
    e = NULL;
    CHECK_STATUS(vk_journal_entry_get(j, vk_smartgift_redemption_journal_id(r), &e, &err), VK_OK);
    CHECK(e != NULL && vk_journal_entry_reference(e) == NULL);
    vk_journal_entry_free(e);
    vk_smartgift_redemption_free(r);

    /* Spaaza: a journaled redeem-voucher needs voucher_id (the key alone cannot be read
     * back): refused by name, nothing sent */
    vk_spaaza *sp = journaled_spaaza(sb, j);
    vk_spaaza_voucher *v = SENTINEL;
    CHECK_STATUS(vk_spaaza_redeem_voucher_ref(sp, 2, "b45069f0c789fe686b7d538eb97b6d017225a119e43733f73ccd230f12024eb5",
                                              NULL, NULL, "2.00", "basket-8", &v, &err), VK_INVALID_REQUEST);
    CHECK_STR(vk_error_field(err), "voucher_id");
    CHECK(vk_error_journal_id(err) == NULL);
    CHECK(v == SENTINEL);
    vk_error_free(err);
    err = NULL;
    CHECK_STATUS(vk_spaaza_redeem_voucher(sp, 2, "b45069f0c789fe686b7d538eb97b6d017225a119e43733f73ccd230f12024eb5",
                                          NULL, NULL, "2.00", &v, &err), VK_INVALID_REQUEST);
    CHECK_STR(vk_error_field(err), "voucher_id");
    vk_error_free(err);
    err = NULL;
    CHECK(sandbox_requests(sb, "/spaaza/") == 0);
    int64_t voucher_id = 438595;
    v = NULL;
    CHECK_STATUS(vk_spaaza_redeem_voucher_ref(sp, 2, NULL, &voucher_id, NULL, "2.00", "basket-9", &v, &err), VK_OK);
    const char *sp_id = vk_spaaza_voucher_journal_id(v);
    CHECK(sp_id != NULL && strlen(sp_id) == 36);
    CHECK(vk_spaaza_voucher_journal_id(vk_spaaza_voucher_regenerated_voucher(v)) == NULL);
    CHECK(sandbox_requests(sb, "/spaaza/get-vouchers") == 1); /* the snapshot came first */
    e = NULL;
    CHECK_STATUS(vk_journal_entry_get(j, sp_id, &e, &err), VK_OK);
    CHECK_STR(vk_journal_entry_provider(e), "spaaza");
    CHECK_STR(vk_journal_entry_operation(e), "redeem_voucher");
    CHECK_STR(vk_journal_entry_state(e), "applied");
    CHECK_STR(vk_journal_entry_reference(e), "basket-9");
    vk_journal_entry_free(e);
    vk_spaaza_voucher_free(v);
    settled = NULL;
    CHECK_STATUS(vk_spaaza_reconcile(sp, &settled, &err), VK_OK);
    CHECK(vk_journal_entry_list_count(settled) == 0);
    vk_journal_entry_list_free(settled);

    /* an unknown id: found nothing, still VK_OK, *out set to NULL */
    e = SENTINEL;
    CHECK_STATUS(vk_journal_entry_get(j, "0190c8d2-0000-7000-8000-000000000000", &e, &err), VK_OK);
    CHECK(e == NULL);

    /* filters: 5 entries (sale-1, sale-1-void, sale-2, the unreferenced one, basket-9) */
    vk_journal_filter f;
    memset(&f, 0, sizeof f);
    CHECK(count_entries(j, &f) == 5);
    CHECK(count_entries(j, NULL) == 5);
    f.state = "applied";
    CHECK(count_entries(j, &f) == 5);
    f.state = "unknown";
    CHECK(count_entries(j, &f) == 0);
    f.state = NULL;
    f.reference = "sale-2";
    vk_journal_entry_list *list = entries(j, &f);
    CHECK(vk_journal_entry_list_count(list) == 1);
    CHECK_STR(vk_journal_entry_id(vk_journal_entry_list_at(list, 0)), lost_id);
    vk_journal_entry_list_free(list);
    f.reference = NULL;
    f.provider = "spaaza";
    CHECK(count_entries(j, &f) == 1);
    f.provider = "smartgift";
    CHECK(count_entries(j, &f) == 4);
    f.state = "applied";
    f.reference = "sale-1";
    CHECK(count_entries(j, &f) == 1);
    memset(&f, 0, sizeof f);
    size_t limit = 2;
    f.limit = &limit;
    list = entries(j, &f); /* newest first */
    CHECK(vk_journal_entry_list_count(list) == 2);
    CHECK_STR(vk_journal_entry_reference(vk_journal_entry_list_at(list, 0)), "basket-9");
    CHECK(vk_journal_entry_reference(vk_journal_entry_list_at(list, 1)) == NULL);
    vk_journal_entry_list_free(list);
    f.limit = NULL;
    uint64_t since = 0;
    f.since_ms = &since;
    CHECK(count_entries(j, &f) == 5);
    since = started_ms + 24ULL * 3600 * 1000; /* tomorrow */
    CHECK(count_entries(j, &f) == 0);
    since = UINT64_MAX;
    CHECK(count_entries(j, &f) == 0);

    /* invalid filter values: refused by name, the output untouched */
    memset(&f, 0, sizeof f);
    f.state = "done";
    list = SENTINEL;
    CHECK_STATUS(vk_journal_entries(j, &f, &list, &err), VK_INVALID_REQUEST);
    CHECK_STR(vk_error_field(err), "state");
    CHECK(strstr(vk_error_message(err), "not_applied") != NULL); /* says what is allowed */
    vk_error_free(err);
    err = NULL;
    f.state = "Applied";
    EXPECT_INVALID(vk_journal_entries(j, &f, &list, &err), "state");
    f.state = NULL;
    f.provider = "paypal";
    EXPECT_INVALID(vk_journal_entries(j, &f, &list, &err), "provider");
    f.provider = NULL;
    const char bad_utf8[] = {'s', (char)0xff, 0};
    f.reference = bad_utf8;
    EXPECT_INVALID(vk_journal_entries(j, &f, &list, &err), "reference");
    CHECK(list == SENTINEL);

    /* NULL arguments */
    EXPECT_INVALID(vk_journal_entries(NULL, NULL, &list, &err), "journal");
    EXPECT_INVALID(vk_journal_entries(j, NULL, NULL, &err), "out");
    EXPECT_INVALID(vk_journal_entry_get(NULL, "x", &e, &err), "journal");
    EXPECT_INVALID(vk_journal_entry_get(j, NULL, &e, &err), "id");
    EXPECT_INVALID(vk_journal_entry_get(j, "x", NULL, &err), "out");
    EXPECT_INVALID(vk_smartgift_reconcile(NULL, &settled, &err), "client");
    EXPECT_INVALID(vk_smartgift_reconcile(sg, NULL, &err), "out");
    EXPECT_INVALID(vk_spaaza_reconcile(NULL, &settled, &err), "client");
    EXPECT_INVALID(vk_spaaza_reconcile(sp, NULL, &err), "out");
    EXPECT_INVALID(vk_smartgift_redeem_ref(sg, "1000000001", "12", "1.00", NULL, 0, NULL, bad_utf8, &r, &err),
                   "reference");
    EXPECT_INVALID(vk_smartgift_reverse_ref(sg, "1000000001", "12", ids, 1, bad_utf8, &rev, &err), "reference");
    EXPECT_INVALID(vk_spaaza_redeem_voucher_ref(sp, 2, NULL, &voucher_id, NULL, NULL, bad_utf8, &v, &err),
                   "reference");
    CHECK_STATUS(vk_journal_entries(j, NULL, NULL, NULL), VK_INVALID_REQUEST); /* err may be NULL */
    CHECK(e == NULL && list == SENTINEL);
    vk_journal_free(NULL);
    vk_journal_entry_free(NULL);
    vk_journal_entry_list_free(NULL);
    CHECK(vk_journal_path(NULL) == NULL);
    CHECK(vk_journal_entry_list_count(NULL) == 0);
    CHECK(vk_journal_entry_list_at(NULL, 0) == NULL);
    CHECK(vk_journal_entry_id(NULL) == NULL);
    CHECK(vk_journal_entry_state(NULL) == NULL);
    CHECK(vk_journal_entry_request_json(NULL) == NULL);
    CHECK(vk_journal_entry_to_json(NULL) == NULL);
    CHECK(!vk_journal_entry_certain(NULL));
    CHECK(vk_journal_entry_created_at_ms(NULL) == 0);
    CHECK(!vk_journal_entry_resolved_at_ms(NULL, &resolved));
    CHECK(vk_journal_entry_reconcile_attempts(NULL) == 0);
    CHECK(vk_error_journal_id(NULL) == NULL);
    CHECK(vk_smartgift_redemption_journal_id(NULL) == NULL);
    CHECK(vk_smartgift_reversed_journal_id(NULL) == NULL);
    CHECK(vk_spaaza_voucher_journal_id(NULL) == NULL);

    /* The journal's bytes (with its -wal and -shm, open now) hold the references but
     * never a key or session secret. */
    int files = 0;
    CHECK(journal_files_containing(path, "basket-9", &files) >= 1);
    CHECK(files >= 2); /* WAL mode: the -wal file exists while the journal is open */
    CHECK(journal_files_containing(path, vk_sandbox_smartgift_key(sb), &files) == 0);
    CHECK(journal_files_containing(path, vk_sandbox_spaaza_session_key(sb), &files) == 0);

    /* reconcile needs a journal */
    vk_smartgift_config plain = vk_smartgift_config_default();
    plain.api_key = vk_sandbox_smartgift_key(sb);
    plain.base_url = vk_sandbox_smartgift_url(sb);
    vk_smartgift *unjournaled = NULL;
    CHECK_STATUS(vk_smartgift_new(&plain, &unjournaled, NULL), VK_OK);
    settled = SENTINEL;
    CHECK_STATUS(vk_smartgift_reconcile(unjournaled, &settled, &err), VK_INVALID_REQUEST);
    CHECK_STR(vk_error_field(err), "journal");
    CHECK_STR(vk_error_provider(err), "smartgift");
    CHECK(settled == SENTINEL);
    vk_error_free(err);
    err = NULL;
    /* without a journal a reference is ignored and nothing is read first */
    int checks_before = sandbox_requests(sb, "/smartgift/redeem/check");
    r = NULL;
    CHECK_STATUS(vk_smartgift_redeem_ref(unjournaled, "1000000002", "12", "1.00", NULL, 0, NULL, "sale-3", &r, &err),
                 VK_OK);
    CHECK(r != NULL && vk_smartgift_redemption_journal_id(r) == NULL);
    CHECK(sandbox_requests(sb, "/smartgift/redeem/check") == checks_before);
    vk_smartgift_redemption_free(r);
    vk_smartgift_free(unjournaled);
    vk_spaaza_config plain_sp = vk_spaaza_config_default();
    plain_sp.session_user_id = vk_sandbox_spaaza_session_user_id(sb);
    plain_sp.session_key = vk_sandbox_spaaza_session_key(sb);
    plain_sp.base_url = vk_sandbox_spaaza_url(sb);
    vk_spaaza *unjournaled_sp = NULL;
    CHECK_STATUS(vk_spaaza_new(&plain_sp, &unjournaled_sp, NULL), VK_OK);
    EXPECT_INVALID(vk_spaaza_reconcile(unjournaled_sp, &settled, &err), "journal");
    CHECK(settled == SENTINEL);
    vk_spaaza_free(unjournaled_sp);

    vk_spaaza_free(sp);
    vk_smartgift_free(sg);
    vk_journal_free(j);
    /* closed: the main file still holds no secret (and still holds the entries) */
    CHECK(journal_files_containing(path, "sale-1-void", &files) >= 1);
    CHECK(journal_files_containing(path, vk_sandbox_smartgift_key(sb), &files) == 0);
    CHECK(journal_files_containing(path, vk_sandbox_spaaza_session_key(sb), &files) == 0);
    remove_journal_files(path);
    vk_sandbox_free(sb);
}

void test_journals(void) {
    const char *tmp = getenv("TMPDIR");
    snprintf(journal_dir, sizeof journal_dir, "%s/vk-journal-XXXXXX", tmp && *tmp && strlen(tmp) < 40 ? tmp : "/tmp");
    if (mkdtemp(journal_dir) == NULL) {
        fprintf(stderr, "mkdtemp failed\n");
        failed++;
        return;
    }
    test_journal_open();
    test_journal();
    rmdir(journal_dir);
}
