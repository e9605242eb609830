/* adversarial: every argument check of the ABI (the reference's checks, plus
 * NULL out-pointers, bad UTF-8, bad durability, undersized and oversized
 * option structs, double frees of output structs).
 *   adversarial DIR
 * Builds against the reference header too; checks of behaviour that only
 * this implementation defines are compiled when PLSM_ABI_MINOR exists. */
#define _POSIX_C_SOURCE 200809L
#include "check.h"
#include <stdint.h>
#include <unistd.h>

static plsm_error_t *err = NULL;

static int exists(const char *dir, const char *file) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    return access(path, F_OK) == 0;
}

/* Highest seq in the pool (0 when empty), through streams from the oldest.
 * Each stream ends at a short deadline; on a slow machine (valgrind, load)
 * that may come before the last message, so read on until the message
 * after the last one read does not exist. */
static unsigned long long newest(plsm_pool_t *pool) {
    unsigned long long last = 0;
    for (;;) {
        plsm_stream_t *s = NULL;
        plsm_buf_t b = {0};
        if (plsm_stream_open(pool, last + 1, last > 0, 0, 0, 50, 1, &s, NULL) != 0) return 0;
        int rc;
        while ((rc = plsm_stream_next(s, &b, NULL)) == 1) {
            last = buf_seq(&b);
            plsm_buf_free(&b);
        }
        plsm_stream_free(s);
        if (rc != 0) return (unsigned long long)-1; /* the deadline must end it with 0 */
        plsm_error_t *e = NULL;
        if (plsm_pool_get_json(pool, last + 1, &b, &e) != 0) {
            plsm_error_free(e);
            return last;
        }
        plsm_buf_free(&b);
    }
}

/* Opens a JSON stream with the options in bytes[0..] and checks the outcome:
 * want_ok 0 means Usage; otherwise the stream delivers seq 1 and then ends
 * (since 1, max 1), and no byte of the struct was written. */
static void open_with(plsm_pool_t *pool, unsigned char *bytes, size_t len, int want_ok, unsigned size) {
    unsigned char copy[256];
    memcpy(copy, bytes, len);
    plsm_stream_t *st = NULL;
    plsm_buf_t out = {0};
    if (!want_ok) {
        FAILS(plsm_stream_open_ex(pool, (const plsm_stream_options_t *)(void *)bytes, &st, &err), &err, PLSM_ERROR_USAGE);
        return;
    }
    OK(plsm_stream_open_ex(pool, (const plsm_stream_options_t *)(void *)bytes, &st, &err), &err);
    CHECK(memcmp(copy, bytes, len) == 0);
    if (!st) {
        fprintf(stderr, "  (struct_size %u)\n", size);
        return;
    }
    int rc = plsm_stream_next(st, &out, &err);
    if (rc != 1 || buf_seq(&out) != 1) fprintf(stderr, "  (struct_size %u: rc %d)\n", size, rc);
    CHECK(rc == 1 && buf_seq(&out) == 1);
    plsm_buf_free(&out);
    CHECK(plsm_stream_next(st, &out, &err) == 0); /* max reached */
    plsm_stream_free(st);
}

/* Issue 11 item 13: every struct_size from 0 to 8 past the largest version,
 * with garbage in every byte a version 1 caller does not set. Below 48 is
 * Usage; from 48 up the struct is version 1, as the reference 1.2.1 reads it:
 * bytes 48 and up are neither read nor written, even when they look like our
 * version 2 tag pointer (garbage, or a plausible pointer to a filter that
 * would match nothing). Holds for the reference library and ours. */
static void options_size_range(plsm_pool_t *pool) {
    enum { MAXSIZE = 64 + 8 };
    static const char *const nomatch[] = {"no-such-tag"};
    union {
        plsm_stream_options_t o;
        unsigned char bytes[128];
        uint64_t words[16];
    } u;
    for (int plausible = 0; plausible <= 1; plausible++) {
        for (unsigned size = 0; size <= MAXSIZE; size++) {
            memset(u.bytes, 0xA5, sizeof u.bytes);
            memset(u.bytes, 0, 48);
            if (plausible) {
                const void *p = nomatch;
                memcpy(u.bytes + 48, &p, sizeof p);
                u.words[7] = 1;
            }
            u.o.struct_size = size;
            u.o.has_since = 1;
            u.o.since_seq = 1;
            u.o.has_max = 1;
            u.o.max_messages = 1;
            open_with(pool, u.bytes, sizeof u.bytes, size >= 48, size);
        }
    }
#if defined(PLSM_ABI_MINOR) && PLSM_ABI_MINOR >= 2
    /* With our version 2 marker: below 64 is Usage; from 64 up the tag
     * fields are read (NULL: no filter) and nothing past them. */
    for (unsigned size = 0; size <= MAXSIZE; size++) {
        memset(u.bytes, 0xA5, sizeof u.bytes);
        memset(u.bytes, 0, 64);
        u.o.struct_size = size;
        u.o.reserved = PLSM_STREAM_OPTIONS_V2;
        u.o.has_since = 1;
        u.o.since_seq = 1;
        u.o.has_max = 1;
        u.o.max_messages = 1;
        open_with(pool, u.bytes, sizeof u.bytes, size >= 64, size);
    }
#endif
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: adversarial DIR\n");
        return 2;
    }
    const char *dir = argv[1];
    const int USAGE = PLSM_ERROR_USAGE;

    /* 1. every free accepts NULL */
    plsm_client_free(NULL);
    plsm_pool_free(NULL);
    plsm_stream_free(NULL);
    plsm_lite3_stream_free(NULL);
    plsm_buf_free(NULL);
    plsm_lite3_frame_free(NULL);
    plsm_error_free(NULL);
    plsm_udp_client_free(NULL);
    plsm_udp_pool_free(NULL);
    plsm_udp_follow_cancel(NULL);
    plsm_udp_follow_close(NULL);
    plsm_udp_event_free(NULL);

    /* 2. zeroed output structs can be freed twice */
    plsm_buf_t zb = {0};
    plsm_buf_free(&zb);
    plsm_buf_free(&zb);
    plsm_lite3_frame_t zf = {0};
    plsm_lite3_frame_free(&zf);
    plsm_lite3_frame_free(&zf);
    CHECK(zb.data == NULL && zf.payload.data == NULL);

    /* 3. client_new with a NULL out pointer */
    FAILS_MSG(plsm_client_new(dir, NULL, &err), &err, USAGE, "out_client is null");
    /* pool_dir that is not UTF-8 */
    plsm_client_t *bad_client = NULL;
    FAILS(plsm_client_new("\xff\xfe", &bad_client, &err), &err, USAGE);
    CHECK(bad_client == NULL);
    /* a failing call with out_err NULL still returns -1 */
    CHECK(plsm_client_new(dir, NULL, NULL) == -1);

    /* 4. NULL client is reported first */
    FAILS(plsm_pool_open(NULL, "missing", NULL, &err), &err, USAGE);
    FAILS_MSG(plsm_pool_open(NULL, "missing", NULL, &err), &err, USAGE, "client is null");

    plsm_client_t *client = NULL;
    OK(plsm_client_new(dir, &client, &err), &err);
    if (!client) return check_done("adversarial");

    /* pool refs */
    plsm_pool_t *pool = NULL;
    FAILS_MSG(plsm_pool_open(client, NULL, &pool, &err), &err, USAGE, "pool_ref is null");
    FAILS(plsm_pool_open(client, "bad\xc3", &pool, &err), &err, USAGE);
    FAILS_MSG(plsm_pool_open(client, "http://host/pool", &pool, &err), &err, USAGE,
              "remote pool refs are not supported in v0");
    FAILS_MSG(plsm_pool_create(client, "tcp://x", 0, &pool, &err), &err, USAGE,
              "remote pool refs are not supported in v0");
    CHECK(pool == NULL);

    /* NULL out_pool: rejected before the pool file is created */
    FAILS_MSG(plsm_pool_create(client, "never", 0, NULL, &err), &err, USAGE, "out_pool is null");
    CHECK(!exists(dir, "never.plasmite"));
    FAILS(plsm_pool_create(NULL, "never", 0, &pool, &err), &err, USAGE);
    CHECK(!exists(dir, "never.plasmite"));

    /* 5. create a 1 MiB pool */
    OK(plsm_pool_create(client, "adv", 1024 * 1024, &pool, &err), &err);
    CHECK(pool != NULL);
    if (!pool) return check_done("adversarial");
    FAILS(plsm_pool_open(client, "adv", NULL, &err), &err, USAGE);

    plsm_buf_t out = {0};
    const char *obj = "{\"ok\":true}";
    const uint8_t *objb = (const uint8_t *)obj;
    size_t objn = strlen(obj);

    /* 6. NULL JSON bytes (even with a length) */
    FAILS_MSG(plsm_pool_append_json(pool, NULL, 1, NULL, 0, 0, &out, &err), &err, USAGE, "json_bytes is null");
    FAILS_MSG(plsm_pool_append_json(pool, NULL, 0, NULL, 0, 0, &out, &err), &err, USAGE, "json_bytes is null");
    /* 7. invalid JSON */
    FAILS(plsm_pool_append_json(pool, (const uint8_t *)"{", 1, NULL, 0, 0, &out, &err), &err, USAGE);
    FAILS(plsm_pool_append_json(pool, (const uint8_t *)"", 0, NULL, 0, 0, &out, &err), &err, USAGE);
    /* not an object */
    FAILS_MSG(plsm_pool_append_json(pool, (const uint8_t *)"[1]", 3, NULL, 0, 0, &out, &err), &err, USAGE,
              "data must be object");
    /* bad UTF-8 inside a JSON string */
    FAILS_MSG(plsm_pool_append_json(pool, (const uint8_t *)"{\"a\":\"\xff\"}", 9, NULL, 0, 0, &out, &err), &err,
              USAGE, "invalid json utf-8");
    /* tags: a NULL element, bad UTF-8 */
    const char *null_tag[] = {"ok", NULL};
    FAILS_MSG(plsm_pool_append_json(pool, objb, objn, null_tag, 2, 0, &out, &err), &err, USAGE, "tags contains null");
    const char *bad_tag[] = {"\xc3\x28"};
    FAILS_MSG(plsm_pool_append_json(pool, objb, objn, bad_tag, 1, 0, &out, &err), &err, USAGE, "tags invalid UTF-8");
    /* tags NULL with a length: no tags */
    OK(plsm_pool_append_json(pool, objb, objn, NULL, 5, 0, &out, &err), &err);
    CHECK(buf_has(&out, "\"tags\":[]"));
    plsm_buf_free(&out);
    /* durability */
    FAILS_MSG(plsm_pool_append_json(pool, objb, objn, NULL, 0, 2, &out, &err), &err, USAGE, "invalid durability");
    FAILS_MSG(plsm_pool_append_json(pool, objb, objn, NULL, 0, 99, &out, &err), &err, USAGE, "invalid durability");
    /* invalid JSON is reported before a bad durability, as in the reference */
    FAILS_PREFIX(plsm_pool_append_json(pool, (const uint8_t *)"{", 1, NULL, 0, 99, &out, &err), &err, USAGE, "invalid json");
    /* NULL pool */
    FAILS_MSG(plsm_pool_append_json(NULL, objb, objn, NULL, 0, 0, &out, &err), &err, USAGE, "pool is null");

    /* NULL out_message: rejected before anything is appended */
    unsigned long long before = newest(pool);
    CHECK(before == 1);
    FAILS_MSG(plsm_pool_append_json(pool, objb, objn, NULL, 0, 0, NULL, &err), &err, USAGE, "out_message is null");
    CHECK(newest(pool) == before);

    /* 8. flush durability; buf_free resets; a second free is harmless */
    OK(plsm_pool_append_json(pool, objb, objn, NULL, 0, 1, &out, &err), &err);
    CHECK(out.data != NULL && out.len > 0);
    plsm_buf_free(&out);
    CHECK(out.data == NULL && out.len == 0);
    plsm_buf_free(&out);

    /* 9. append_lite3 checks */
    uint64_t seq = 0;
    FAILS_MSG(plsm_pool_append_lite3(pool, NULL, 4, 0, &seq, &err), &err, USAGE, "lite3_bytes is null");
    FAILS_MSG(plsm_pool_append_lite3(pool, objb, objn, 0, NULL, &err), &err, USAGE, "out_seq is null");
    FAILS_MSG(plsm_pool_append_lite3(NULL, objb, objn, 0, &seq, &err), &err, USAGE, "pool is null");
    /* 10. durability is checked before the payload: Usage, not Corrupt */
    FAILS(plsm_pool_append_lite3(pool, objb, objn, 99, &seq, &err), &err, USAGE);
    /* an invalid payload with a good durability is Corrupt */
    FAILS(plsm_pool_append_lite3(pool, objb, objn, 0, &seq, &err), &err, PLSM_ERROR_CORRUPT);
    uint8_t zeros[64] = {0};
    FAILS(plsm_pool_append_lite3(pool, zeros, sizeof zeros, 0, &seq, &err), &err, PLSM_ERROR_CORRUPT);
    FAILS(plsm_pool_append_lite3(pool, zeros, 0, 0, &seq, &err), &err, PLSM_ERROR_CORRUPT);
    CHECK(newest(pool) == 2);

    /* get checks */
    FAILS_MSG(plsm_pool_get_json(NULL, 1, &out, &err), &err, USAGE, "pool is null");
    FAILS(plsm_pool_get_json(pool, 1, NULL, &err), &err, USAGE);
    FAILS(plsm_pool_get_json(pool, 0, &out, &err), &err, PLSM_ERROR_NOT_FOUND);
    FAILS(plsm_pool_get_json(pool, UINT64_MAX, &out, &err), &err, PLSM_ERROR_NOT_FOUND);
    plsm_lite3_frame_t frame = {0};
    FAILS(plsm_pool_get_lite3(pool, 1, NULL, &err), &err, USAGE);
    FAILS(plsm_pool_get_lite3(pool, 99, &frame, &err), &err, PLSM_ERROR_NOT_FOUND);
    OK(plsm_pool_get_lite3(pool, 1, &frame, &err), &err);
    plsm_lite3_frame_free(&frame);
    plsm_lite3_frame_free(&frame);
    CHECK(frame.seq == 0 && frame.timestamp_ns == 0 && frame.flags == 0 && frame.payload.data == NULL);

    /* 11-13. stream options */
    plsm_stream_t *stream = NULL;
    plsm_lite3_stream_t *ls = NULL;
    FAILS_MSG(plsm_stream_open_ex(pool, NULL, &stream, &err), &err, USAGE, "stream options are null");
    FAILS(plsm_lite3_stream_open_ex(pool, NULL, &ls, &err), &err, USAGE);
    plsm_stream_options_t opts;
    memset(&opts, 0, sizeof opts);
    opts.struct_size = 47; /* one byte short of the reference's v1 struct */
    FAILS(plsm_stream_open_ex(pool, &opts, &stream, &err), &err, USAGE);
    opts.struct_size = 0;
    FAILS(plsm_lite3_stream_open_ex(pool, &opts, &ls, &err), &err, USAGE);
    opts.struct_size = sizeof opts;
    opts.reserved = 1;
    FAILS_MSG(plsm_stream_open_ex(pool, &opts, &stream, &err), &err, USAGE, "stream options reserved field must be zero");
    opts.reserved = 0;
    opts.gap_policy = 99;
    FAILS_MSG(plsm_stream_open_ex(pool, &opts, &stream, &err), &err, USAGE, "invalid gap policy");
    opts.gap_policy = PLSM_GAP_ERROR;
    /* options are checked before the pool, the pool before out_stream */
    opts.reserved = 7;
    FAILS_MSG(plsm_stream_open_ex(NULL, &opts, NULL, &err), &err, USAGE, "stream options reserved field must be zero");
    opts.reserved = 0;
    FAILS_MSG(plsm_stream_open_ex(NULL, &opts, NULL, &err), &err, USAGE, "pool is null");
    FAILS_MSG(plsm_stream_open_ex(pool, &opts, NULL, &err), &err, USAGE, "out_stream is null");
    FAILS(plsm_lite3_stream_open_ex(pool, &opts, NULL, &err), &err, USAGE);
    FAILS(plsm_stream_open(pool, 0, 0, 0, 0, 0, 0, NULL, &err), &err, USAGE);
    FAILS(plsm_lite3_stream_open(NULL, 0, 0, 0, 0, 0, 0, &ls, &err), &err, USAGE);

    /* the v1 size exactly (a caller built against the reference header) */
    unsigned char v1[48];
    memset(v1, 0, sizeof v1);
    uint32_t v1size = 48;
    memcpy(v1, &v1size, 4);
    OK(plsm_stream_open_ex(pool, (const plsm_stream_options_t *)(void *)v1, &stream, &err), &err);
    plsm_stream_free(stream);
    stream = NULL;

    /* an oversized "future" struct: accepted, and nothing in it is written
     * (bytes past the 64 that any version so far defines hold a pattern) */
    union {
        plsm_stream_options_t o;
        unsigned char bytes[256];
    } big;
    memset(big.bytes, 0, sizeof big.bytes);
    memset(big.bytes + 64, 0xAB, sizeof big.bytes - 64);
    big.o.struct_size = sizeof big.bytes;
    big.o.has_since = 1;
    big.o.since_seq = 1;
    big.o.has_max = 1;
    big.o.max_messages = 1;
    unsigned char copy[256];
    memcpy(copy, big.bytes, sizeof copy);
    OK(plsm_stream_open_ex(pool, &big.o, &stream, &err), &err);
    CHECK(memcmp(copy, big.bytes, sizeof copy) == 0);
    if (stream) {
        CHECK(plsm_stream_next(stream, &out, &err) == 1);
        CHECK(buf_seq(&out) == 1);
        plsm_buf_free(&out);
        CHECK(plsm_stream_next(stream, &out, &err) == 0); /* max reached */
        plsm_stream_free(stream);
        stream = NULL;
    }

    options_size_range(pool);

    /* 13. since=1, max=1 through the legacy call */
    OK(plsm_stream_open(pool, 1, 1, 1, 1, 0, 0, &stream, &err), &err);
    if (stream) {
        FAILS_MSG(plsm_stream_next(stream, NULL, &err), &err, USAGE, "out_message is null");
        CHECK(plsm_stream_next(stream, &out, &err) == 1);
        plsm_buf_free(&out);
        CHECK(plsm_stream_next(stream, &out, &err) == 0);
        plsm_stream_free(stream);
    }
    FAILS_MSG(plsm_stream_next(NULL, &out, &err), &err, USAGE, "stream is null");
    FAILS_MSG(plsm_lite3_stream_next(NULL, &frame, &err), &err, USAGE, "stream is null");
    OK(plsm_lite3_stream_open(pool, 1, 1, 1, 1, 0, 0, &ls, &err), &err);
    if (ls) {
        FAILS_MSG(plsm_lite3_stream_next(ls, NULL, &err), &err, USAGE, "out_frame is null");
        CHECK(plsm_lite3_stream_next(ls, &frame, &err) == 1);
        CHECK(frame.seq == 1);
        plsm_lite3_frame_free(&frame);
        plsm_lite3_stream_free(ls);
    }
    /* max 0: the stream is over before it starts */
    OK(plsm_stream_open(pool, 0, 0, 0, 1, 0, 0, &stream, &err), &err);
    if (stream) CHECK(plsm_stream_next(stream, &out, &err) == 0);
    plsm_stream_free(stream);
    /* a timeout of 0: the deadline has passed at the first next */
    OK(plsm_stream_open(pool, 0, 0, 0, 0, 0, 1, &stream, &err), &err);
    if (stream) CHECK(plsm_stream_next(stream, &out, &err) == 0);
    plsm_stream_free(stream);
    /* streams outlive their pool handle */
    OK(plsm_stream_open(pool, 1, 1, 0, 0, 60000, 1, &stream, &err), &err);

    /* UDP: NULL checks, then a clear error */
    plsm_udp_client_t *uc = NULL;
    FAILS_MSG(plsm_udp_client_new("udp://127.0.0.1:9", NULL, &err), &err, USAGE, "out_client is null");
    FAILS(plsm_udp_client_new(NULL, &uc, &err), &err, USAGE);
    plsm_udp_event_t ev;
    memset(&ev, 0, sizeof ev);
    plsm_udp_event_free(&ev);
    FAILS_MSG(plsm_udp_event_message(NULL, &out, &err), &err, USAGE, "event is null");
    FAILS_MSG(plsm_udp_event_message(&ev, &out, &err), &err, USAGE, "event is not a frame");

#ifdef PLSM_ABI_MINOR
    FAILS(plsm_udp_client_new("udp://127.0.0.1:9", &uc, &err), &err, USAGE);
    CHECK(uc == NULL);

    /* v2 options: tag filter checks */
    const char *null_tags[] = {NULL};
    memset(&opts, 0, sizeof opts);
    opts.struct_size = sizeof opts;
    opts.reserved = PLSM_STREAM_OPTIONS_V2;
    opts.tags = null_tags;
    opts.tags_len = 1;
    plsm_stream_t *s2 = NULL;
    FAILS(plsm_stream_open_ex(pool, &opts, &s2, &err), &err, USAGE);
    const char *bad_tags[] = {"\xff"};
    opts.tags = bad_tags;
    FAILS(plsm_stream_open_ex(pool, &opts, &s2, &err), &err, USAGE);
    /* the v2 marker with a v1 size is refused */
    opts.struct_size = PLSM_STREAM_OPTIONS_V1_SIZE;
    FAILS(plsm_stream_open_ex(pool, &opts, &s2, &err), &err, USAGE);
    /* without the marker the tag fields are not read, whatever the size */
    opts.reserved = 0;
    opts.struct_size = sizeof opts;
    opts.timeout_ms = 10;
    opts.has_timeout = 1;
    OK(plsm_stream_open_ex(pool, &opts, &s2, &err), &err);
    plsm_stream_free(s2);
    plsm_stream_cancel(NULL);
    plsm_lite3_stream_cancel(NULL);

    /* batch checks: nothing is appended when one message is bad */
    unsigned long long b0 = newest(pool);
    const char *tg[] = {"t"};
    plsm_json_message_t msgs[3] = {
        {(const uint8_t *)"{\"a\":1}", 7, tg, 1},
        {(const uint8_t *)"{\"a\":", 5, NULL, 0},
        {(const uint8_t *)"{\"a\":3}", 7, NULL, 0},
    };
    uint64_t first = 0;
    size_t appended = 0;
    FAILS(plsm_pool_append_json_batch(pool, msgs, 3, 0, &first, &appended, &err), &err, USAGE);
    CHECK(appended == 0);
    CHECK(newest(pool) == b0);
    msgs[1].json_bytes = NULL;
    FAILS(plsm_pool_append_json_batch(pool, msgs, 3, 0, &first, &appended, &err), &err, USAGE);
    msgs[1].json_bytes = (const uint8_t *)"{}";
    msgs[1].json_len = 2;
    FAILS(plsm_pool_append_json_batch(pool, msgs, 3, 7, &first, &appended, &err), &err, USAGE);
    FAILS(plsm_pool_append_json_batch(pool, msgs, 3, 0, NULL, &appended, &err), &err, USAGE);
    FAILS(plsm_pool_append_json_batch(pool, msgs, 3, 0, &first, NULL, &err), &err, USAGE);
    FAILS(plsm_pool_append_json_batch(pool, NULL, 3, 0, &first, &appended, &err), &err, USAGE);
    FAILS(plsm_pool_append_json_batch(NULL, msgs, 3, 0, &first, &appended, &err), &err, USAGE);
    CHECK(newest(pool) == b0);
    OK(plsm_pool_append_json_batch(pool, msgs, 0, 0, &first, &appended, &err), &err);
    CHECK(first == 0 && appended == 0);
    OK(plsm_pool_append_json_batch(pool, msgs, 3, 1, &first, &appended, &err), &err);
    CHECK(first == b0 + 1 && appended == 3);

    /* info/list/delete checks */
    FAILS(plsm_pool_info_json(NULL, &out, &err), &err, USAGE);
    FAILS(plsm_pool_info_json(pool, NULL, &err), &err, USAGE);
    FAILS(plsm_pool_list_json(NULL, &out, &err), &err, USAGE);
    FAILS(plsm_pool_list_json(client, NULL, &err), &err, USAGE);
    FAILS(plsm_pool_delete(client, NULL, &err), &err, USAGE);
    FAILS(plsm_pool_delete(client, "udp://x/y", &err), &err, USAGE);
    FAILS(plsm_pool_delete(NULL, "adv", &err), &err, USAGE);
    CHECK(plsm_version(NULL, NULL) != NULL);

    /* handles used after free are reported, not followed (the header still
     * calls this undefined; the library detects it when it can) */
    plsm_pool_t *gone = NULL;
    OK(plsm_pool_open(client, "adv", &gone, &err), &err);
    plsm_pool_free(gone);
    FAILS(plsm_pool_get_json(gone, 1, &out, &err), &err, USAGE);
    plsm_pool_free(gone); /* a second free of a handle is ignored */
    /* a handle of the wrong kind */
    FAILS(plsm_pool_get_json((plsm_pool_t *)(void *)client, 1, &out, &err), &err, USAGE);
    FAILS(plsm_stream_next((plsm_stream_t *)(void *)pool, &out, &err), &err, USAGE);
#endif

    /* 14. cleanup; the stream opened above still works without its pool */
    plsm_pool_free(pool);
    if (stream) {
        CHECK(plsm_stream_next(stream, &out, &err) == 1);
        plsm_buf_free(&out);
        plsm_stream_free(stream);
    }
    plsm_client_free(client);
    return check_done("adversarial");
}
