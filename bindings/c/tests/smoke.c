/* smoke: the main paths of libplasmite, end to end.
 *   smoke DIR   (DIR: an empty scratch directory)
 * Builds against the reference header too; the parts that use this
 * implementation's extensions are compiled only when PLSM_ABI_MINOR exists. */
#define _POSIX_C_SOURCE 200809L
#include "check.h"
#include <stdint.h>
#ifdef PLSM_ABI_MINOR
#include <pthread.h>
#include <time.h>
#endif

static plsm_error_t *err = NULL;

static void append(plsm_pool_t *pool, const char *json, const char **tags, size_t ntags,
                   unsigned long long want_seq) {
    plsm_buf_t out = {0};
    OK(plsm_pool_append_json(pool, (const uint8_t *)json, strlen(json), tags, ntags, 0, &out, &err), &err);
    CHECK(buf_seq(&out) == want_seq);
    CHECK(buf_has(&out, "\"time\":\""));
    CHECK(buf_has(&out, "Z\",\"meta\":{\"tags\":["));
    plsm_buf_free(&out);
}

#ifdef PLSM_ABI_MINOR
/* Threads sharing one pool handle and one stream handle (safe here; the
 * reference requires callers to serialize). */
enum { THREADS = 4, PER_THREAD = 300 };
static plsm_pool_t *shared_pool;
static plsm_stream_t *shared_stream;
static int append_failures, read_count[THREADS];
static unsigned long long read_seqs[THREADS][THREADS * PER_THREAD];

static void *append_many(void *arg) {
    (void)arg;
    plsm_error_t *e = NULL;
    plsm_buf_t b = {0};
    for (int i = 0; i < PER_THREAD; i++) {
        if (plsm_pool_append_json(shared_pool, (const uint8_t *)"{\"t\":1}", 7, NULL, 0, 0, &b, &e) != 0) {
            __atomic_add_fetch(&append_failures, 1, __ATOMIC_SEQ_CST);
            plsm_error_free(e);
            e = NULL;
        }
        plsm_buf_free(&b);
    }
    return NULL;
}

static void *read_many(void *arg) {
    int id = (int)(intptr_t)arg;
    plsm_error_t *e = NULL;
    plsm_buf_t b = {0};
    while (plsm_stream_next(shared_stream, &b, &e) == 1) {
        read_seqs[id][read_count[id]++] = buf_seq(&b);
        plsm_buf_free(&b);
    }
    plsm_error_free(e);
    return NULL;
}

static int blocked_rc = 99;
static void *next_blocking(void *arg) {
    plsm_buf_t b = {0};
    blocked_rc = plsm_stream_next((plsm_stream_t *)arg, &b, NULL);
    plsm_buf_free(&b);
    return NULL;
}

static void *cancel_later(void *arg) {
    struct timespec ts = {0, 50 * 1000 * 1000};
    nanosleep(&ts, NULL); /* the blocked next must end because of the cancel */
    plsm_stream_cancel((plsm_stream_t *)arg);
    return NULL;
}
#endif

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: smoke DIR\n");
        return 2;
    }
    const char *dir = argv[1];
    plsm_client_t *client = NULL;
    plsm_pool_t *pool = NULL;
    OK(plsm_client_new(dir, &client, &err), &err);
    CHECK(client != NULL);
    OK(plsm_pool_create(client, "smoke", 4 * 1024 * 1024, &pool, &err), &err);
    CHECK(pool != NULL);
    if (!client || !pool) return check_done("smoke");

    /* append with tags; the envelope comes back */
    const char *tags[] = {"alpha", "beta"};
    plsm_buf_t out = {0};
    const char *first = "{\"msg\":\"hello\",\"n\":1}";
    OK(plsm_pool_append_json(pool, (const uint8_t *)first, strlen(first), tags, 2, 0, &out, &err), &err);
    CHECK(buf_seq(&out) == 1);
    CHECK(buf_has(&out, "\"meta\":{\"tags\":[\"alpha\",\"beta\"]},\"data\":{\"msg\":\"hello\",\"n\":1}}"));
    plsm_buf_free(&out);
    CHECK(out.data == NULL && out.len == 0);
    append(pool, "{\"n\":2}", tags + 1, 1, 2);
    append(pool, "{\"n\":3}", NULL, 0, 3);
    append(pool, "{\"n\":4}", tags, 1, 4);
    /* flush durability */
    OK(plsm_pool_append_json(pool, (const uint8_t *)"{\"n\":5}", 7, NULL, 0, 1, &out, &err), &err);
    CHECK(buf_seq(&out) == 5);
    plsm_buf_free(&out);

    /* get */
    OK(plsm_pool_get_json(pool, 3, &out, &err), &err);
    CHECK(buf_seq(&out) == 3);
    CHECK(buf_has(&out, "\"meta\":{\"tags\":[]},\"data\":{\"n\":3}}"));
    plsm_buf_free(&out);

    /* lite3 round trip: get a frame, append its payload, get it back */
    plsm_lite3_frame_t frame = {0};
    OK(plsm_pool_get_lite3(pool, 2, &frame, &err), &err);
    CHECK(frame.seq == 2 && frame.timestamp_ns > 0 && frame.payload.len > 0);
    uint64_t seq = 0;
    OK(plsm_pool_append_lite3(pool, frame.payload.data, frame.payload.len, 0, &seq, &err), &err);
    CHECK(seq == 6);
    plsm_lite3_frame_free(&frame);
    CHECK(frame.payload.data == NULL && frame.seq == 0);
    OK(plsm_pool_get_json(pool, 6, &out, &err), &err);
    CHECK(buf_has(&out, "\"meta\":{\"tags\":[\"beta\"]},\"data\":{\"n\":2}}"));
    plsm_buf_free(&out);

    /* stream since 2, max 3: seqs 2, 3, 4 then the end */
    plsm_stream_t *stream = NULL;
    OK(plsm_stream_open(pool, 2, 1, 3, 1, 5000, 1, &stream, &err), &err);
    for (unsigned long long want = 2; want <= 4 && stream; want++) {
        int rc = plsm_stream_next(stream, &out, &err);
        CHECK(rc == 1);
        CHECK(buf_seq(&out) == want);
        plsm_buf_free(&out);
    }
    if (stream) CHECK(plsm_stream_next(stream, &out, &err) == 0);
    plsm_stream_free(stream);

    /* a stream from the oldest with a short timeout ends with 0 after 6 */
    OK(plsm_stream_open(pool, 0, 0, 0, 0, 200, 1, &stream, &err), &err);
    int got = 0, rc = 0;
    while (stream && (rc = plsm_stream_next(stream, &out, &err)) == 1) {
        got++;
        CHECK(buf_seq(&out) == (unsigned long long)got);
        plsm_buf_free(&out);
    }
    CHECK(got == 6);
    CHECK(rc == 0); /* the deadline ends the stream: 0, not an error */
    plsm_stream_free(stream);

    /* lite3 stream with options: since 5 */
    plsm_stream_options_t opts;
    memset(&opts, 0, sizeof opts);
    opts.struct_size = sizeof opts;
    opts.since_seq = 5;
    opts.has_since = 1;
    opts.timeout_ms = 100;
    opts.has_timeout = 1;
    plsm_lite3_stream_t *ls = NULL;
    OK(plsm_lite3_stream_open_ex(pool, &opts, &ls, &err), &err);
    got = 0;
    while (ls && (rc = plsm_lite3_stream_next(ls, &frame, &err)) == 1) {
        CHECK(frame.seq == (uint64_t)(5 + got));
        got++;
        plsm_lite3_frame_free(&frame);
    }
    CHECK(got == 2);
    CHECK(rc == 0);
    plsm_lite3_stream_free(ls);

    /* retention gaps: a small pool wraps, so seqs 1.. are gone */
    plsm_pool_t *small = NULL;
    OK(plsm_pool_create(client, "small", 64 * 1024, &small, &err), &err);
    if (small) {
        const char *big = "{\"pad\":\"0123456789012345678901234567890123456789012345678901234567890123456789\"}";
        for (int i = 0; i < 2000; i++) {
            if (plsm_pool_append_json(small, (const uint8_t *)big, strlen(big), NULL, 0, 0, &out, &err) != 0) {
                OK(-1, &err);
                break;
            }
            plsm_buf_free(&out);
        }
        CHECK(plsm_pool_get_json(small, 1, &out, &err) == -1);
        CHECK(err && err->kind == PLSM_ERROR_NOT_FOUND && err->has_seq && err->seq == 1);
        plsm_error_free(err);
        err = NULL;
        memset(&opts, 0, sizeof opts);
        opts.struct_size = sizeof opts;
        opts.since_seq = 1;
        opts.has_since = 1;
        opts.timeout_ms = 1000;
        opts.has_timeout = 1;
        /* gap ERROR: -1 RetentionGap with the first missing seq, then 0 */
        opts.gap_policy = PLSM_GAP_ERROR;
        OK(plsm_stream_open_ex(small, &opts, &stream, &err), &err);
        if (stream) {
            CHECK(plsm_stream_next(stream, &out, &err) == -1);
            CHECK(err && err->kind == PLSM_ERROR_RETENTION_GAP && err->has_seq && err->seq == 1);
            plsm_error_free(err);
            err = NULL;
            CHECK(plsm_stream_next(stream, &out, &err) == 0);
            plsm_stream_free(stream);
        }
        OK(plsm_lite3_stream_open_ex(small, &opts, &ls, &err), &err);
        if (ls) {
            CHECK(plsm_lite3_stream_next(ls, &frame, &err) == -1);
            CHECK(err && err->kind == PLSM_ERROR_RETENTION_GAP && err->has_seq && err->seq == 1);
            plsm_error_free(err);
            err = NULL;
            CHECK(plsm_lite3_stream_next(ls, &frame, &err) == 0);
            plsm_lite3_stream_free(ls);
        }
        /* gap CONTINUE: resumes at the oldest retained message */
        opts.gap_policy = PLSM_GAP_CONTINUE;
        OK(plsm_stream_open_ex(small, &opts, &stream, &err), &err);
        if (stream) {
            CHECK(plsm_stream_next(stream, &out, &err) == 1);
            unsigned long long oldest = buf_seq(&out);
            CHECK(oldest > 1 && oldest < 2000);
            plsm_buf_free(&out);
            CHECK(plsm_stream_next(stream, &out, &err) == 1);
            CHECK(buf_seq(&out) == oldest + 1);
            plsm_buf_free(&out);
            plsm_stream_free(stream);
        }
        plsm_pool_free(small);
    }

    /* errors carry kinds, paths and seqs */
    plsm_pool_t *missing = NULL;
    CHECK(plsm_pool_open(client, "missing", &missing, &err) == -1);
    CHECK(err && err->kind == PLSM_ERROR_NOT_FOUND);
    CHECK(err && err->path && strstr(err->path, "missing.plasmite") != NULL);
    CHECK(err && strstr(err->message, "not found") != NULL);
    plsm_error_free(err);
    err = NULL;
    CHECK(plsm_pool_get_json(pool, 42, &out, &err) == -1);
    CHECK(err && err->kind == PLSM_ERROR_NOT_FOUND && err->has_seq == 1 && err->seq == 42);
    CHECK(err && err->path == NULL);
    plsm_error_free(err);
    err = NULL;
    plsm_pool_t *again = NULL;
    FAILS(plsm_pool_create(client, "smoke", 0, &again, &err), &err, PLSM_ERROR_ALREADY_EXISTS);
    CHECK(again == NULL);

    /* a second handle to the same pool sees the same messages */
    plsm_pool_t *pool2 = NULL;
    OK(plsm_pool_open(client, "smoke", &pool2, &err), &err);
    OK(plsm_pool_get_json(pool2, 1, &out, &err), &err);
    CHECK(buf_seq(&out) == 1);
    plsm_buf_free(&out);
    plsm_pool_free(pool2);

#ifdef PLSM_ABI_MINOR
    /* version */
    uint32_t major = 0, minor = 0;
    const char *v = plsm_version(&major, &minor);
    CHECK(v != NULL && v[0] != '\0');
    CHECK(major == PLSM_ABI_MAJOR && minor == PLSM_ABI_MINOR);

    /* pool info and list */
    OK(plsm_pool_info_json(pool, &out, &err), &err);
    CHECK(buf_has(&out, "\"bounds\":{\"newest\":6,\"oldest\":1}"));
    CHECK(buf_has(&out, "\"name\":\"smoke\""));
    CHECK(buf_has(&out, "\"message_count\":6"));
    plsm_buf_free(&out);
    OK(plsm_pool_list_json(client, &out, &err), &err);
    CHECK(buf_has(&out, "{\"pools\":[{\"bounds\":{"));
    CHECK(buf_has(&out, "\"bounds\":{\"newest\":6,\"oldest\":1},\"file_size\":4194304,"));
    CHECK(buf_has(&out, "\"name\":\"smoke\""));
    plsm_buf_free(&out);

    /* batch append: contiguous seqs */
    const char *btags[] = {"batch"};
    plsm_json_message_t msgs[3] = {
        {(const uint8_t *)"{\"b\":1}", 7, btags, 1},
        {(const uint8_t *)"{\"b\":2}", 7, NULL, 0},
        {(const uint8_t *)"{\"b\":3}", 7, btags, 1},
    };
    uint64_t first_seq = 0;
    size_t appended = 0;
    OK(plsm_pool_append_json_batch(pool, msgs, 3, 0, &first_seq, &appended, &err), &err);
    CHECK(first_seq == 7 && appended == 3);

    /* v2 options: a tag filter */
    memset(&opts, 0, sizeof opts);
    opts.struct_size = sizeof opts;
    opts.reserved = PLSM_STREAM_OPTIONS_V2;
    opts.timeout_ms = 100;
    opts.has_timeout = 1;
    opts.tags = btags;
    opts.tags_len = 1;
    OK(plsm_stream_open_ex(pool, &opts, &stream, &err), &err);
    unsigned long long want_b[] = {7, 9};
    got = 0;
    while (stream && (rc = plsm_stream_next(stream, &out, &err)) == 1) {
        CHECK(got < 2 && buf_seq(&out) == want_b[got]);
        got++;
        plsm_buf_free(&out);
    }
    CHECK(got == 2);
    CHECK(rc == 0);
    plsm_stream_free(stream);

    /* cancel from another thread ends a blocking next (no timeout) */
    opts.tags = NULL;
    opts.tags_len = 0;
    opts.has_timeout = 0;
    opts.has_since = 1;
    opts.since_seq = 100; /* nothing there: next blocks */
    OK(plsm_stream_open_ex(pool, &opts, &stream, &err), &err);
    if (stream) {
        pthread_t th;
        pthread_create(&th, NULL, cancel_later, stream);
        CHECK(plsm_stream_next(stream, &out, &err) == 0);
        pthread_join(th, NULL);
        CHECK(plsm_stream_next(stream, &out, &err) == 0);
        plsm_stream_free(stream);
    }
    /* freeing a stream while another thread waits in next ends that wait:
     * next returns 0 (or -1 Usage if the free came first), never a message */
    OK(plsm_stream_open_ex(pool, &opts, &stream, &err), &err);
    if (stream) {
        pthread_t th;
        pthread_create(&th, NULL, next_blocking, stream);
        struct timespec ts = {0, 50 * 1000 * 1000};
        nanosleep(&ts, NULL);
        plsm_stream_free(stream);
        pthread_join(th, NULL);
        CHECK(blocked_rc == 0 || blocked_rc == -1);
    }

    /* one pool handle and one stream handle used by several threads */
    unsigned long long base = 0;
    OK(plsm_pool_append_json(pool, (const uint8_t *)"{}", 2, NULL, 0, 0, &out, &err), &err);
    base = buf_seq(&out);
    plsm_buf_free(&out);
    shared_pool = pool;
    OK(plsm_stream_open(pool, base + 1, 1, THREADS * PER_THREAD, 1, 30000, 1, &shared_stream, &err), &err);
    pthread_t writers[THREADS], readers[THREADS];
    for (int i = 0; i < THREADS; i++) pthread_create(&writers[i], NULL, append_many, NULL);
    for (int i = 0; shared_stream && i < THREADS; i++) pthread_create(&readers[i], NULL, read_many, (void *)(intptr_t)i);
    for (int i = 0; i < THREADS; i++) pthread_join(writers[i], NULL);
    CHECK(append_failures == 0);
    if (shared_stream) {
        for (int i = 0; i < THREADS; i++) pthread_join(readers[i], NULL);
        /* every message delivered exactly once, each reader in increasing order */
        static unsigned char seen[THREADS * PER_THREAD];
        int total = 0, dup = 0, order = 0;
        for (int i = 0; i < THREADS; i++) {
            for (int j = 0; j < read_count[i]; j++) {
                unsigned long long q = read_seqs[i][j];
                if (q <= base || q > base + THREADS * PER_THREAD || seen[q - base - 1]++) dup++;
                if (j > 0 && q <= read_seqs[i][j - 1]) order++;
                total++;
            }
        }
        CHECK(total == THREADS * PER_THREAD && dup == 0 && order == 0);
        plsm_stream_free(shared_stream);
    }

    /* delete */
    plsm_pool_t *tmp = NULL;
    OK(plsm_pool_create(client, "doomed", 0, &tmp, &err), &err);
    plsm_pool_free(tmp);
    OK(plsm_pool_delete(client, "doomed", &err), &err);
    FAILS(plsm_pool_delete(client, "doomed", &err), &err, PLSM_ERROR_NOT_FOUND);
#endif

    plsm_pool_free(pool);
    plsm_client_free(client);
    return check_done("smoke");
}
