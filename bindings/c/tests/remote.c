/* remote: pools of a running server through plsm_remote_client_new.
 *   remote URL   (URL: a server's local listener, e.g. http://127.0.0.1:9700;
 *                 its pool directory must not hold pools named rc-*)
 * Every plsm_pool_* and stream call on a remote pool, the errors of the
 * server and of the client, a live stream woken by another thread's append,
 * cancel from another thread, retention gaps, and the receipt append. */
#define _POSIX_C_SOURCE 200809L
#include "check.h"
#include "polling.h"
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

static plsm_error_t *err = NULL;
static const char *url;

static plsm_client_t *client_of(const char *origin) {
    plsm_client_t *c = NULL;
    OK(plsm_remote_client_new(origin, NULL, &c, &err), &err);
    return c;
}

/* Appends json; the envelope returned must hold want (its data as the
 * server renders it). */
static unsigned long long append(plsm_pool_t *pool, const char *json, const char **tags, size_t ntags, const char *want) {
    plsm_buf_t out = {0};
    OK(plsm_pool_append_json(pool, (const uint8_t *)json, strlen(json), tags, ntags, 0, &out, &err), &err);
    unsigned long long seq = buf_seq(&out);
    CHECK(seq > 0);
    CHECK(buf_has(&out, want));
    plsm_buf_free(&out);
    return seq;
}

static void client_errors(void) {
    plsm_client_t *c = NULL;
    FAILS_MSG(plsm_remote_client_new(url, NULL, NULL, &err), &err, PLSM_ERROR_USAGE, "out_client is null");
    FAILS_MSG(plsm_remote_client_new(NULL, NULL, &c, &err), &err, PLSM_ERROR_USAGE, "origin is null");
    FAILS_MSG(plsm_remote_client_new("http://10.1.2.3:9700", NULL, &c, &err), &err, PLSM_ERROR_USAGE,
              "remote HTTP is allowed only for the local machine");
    FAILS_MSG(plsm_remote_client_new("http://127.0.0.1:9700/pool", NULL, &c, &err), &err, PLSM_ERROR_USAGE,
              "remote base url must not include a path");
    FAILS_MSG(plsm_remote_client_new("ftp://127.0.0.1", NULL, &c, &err), &err, PLSM_ERROR_USAGE,
              "remote base url must use http or https scheme");
    FAILS(plsm_remote_client_new("https://127.0.0.1:1", NULL, &c, &err), &err, PLSM_ERROR_PERMISSION);
    plsm_remote_options_t o;
    memset(&o, 0, sizeof o);
    o.struct_size = 8;
    FAILS_PREFIX(plsm_remote_client_new(url, &o, &c, &err), &err, PLSM_ERROR_USAGE, "remote options are too small");
    o.struct_size = sizeof o;
    o.reserved = 1;
    FAILS_MSG(plsm_remote_client_new(url, &o, &c, &err), &err, PLSM_ERROR_USAGE, "remote options reserved field must be zero");
    o.reserved = 0;
    o.access_key = "pk1.x.y";
    FAILS(plsm_remote_client_new(url, &o, &c, &err), &err, PLSM_ERROR_USAGE);
    CHECK(c == NULL);
    /* A server that is not there: Io at the first call that needs it. */
    c = client_of("http://127.0.0.1:1");
    plsm_pool_t *p = NULL;
    FAILS(plsm_pool_open(c, "x", &p, &err), &err, PLSM_ERROR_IO);
    plsm_client_free(c);
    /* Options within bounds are taken. */
    o.access_key = NULL;
    o.request_timeout_ms = 5000;
    o.max_response_bytes = 1 << 20;
    OK(plsm_remote_client_new(url, &o, &c, &err), &err);
    plsm_client_free(c);
}

static plsm_pool_t *live_pool;
static void *append_later(void *arg) {
    (void)arg;
    struct timespec d = {0, 150 * 1000 * 1000};
    nanosleep(&d, NULL);
    plsm_error_t *e = NULL;
    plsm_buf_t b = {0};
    if (plsm_pool_append_json(live_pool, (const uint8_t *)"{\"late\":1}", 10, NULL, 0, 0, &b, &e) != 0) {
        fprintf(stderr, "late append failed: %s\n", e ? e->message : "");
        plsm_error_free(e);
    }
    plsm_buf_free(&b);
    return NULL;
}

static plsm_stream_t *cancel_target;
static void *cancel_later(void *arg) {
    (void)arg;
    struct timespec d = {0, 150 * 1000 * 1000};
    nanosleep(&d, NULL);
    plsm_stream_cancel(cancel_target);
    return NULL;
}

static double now_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: remote URL\n");
        return 2;
    }
    url = argv[1];
    uint32_t major = 0, minor = 0;
    plsm_version(&major, &minor);
    CHECK(minor >= 2);
    client_errors();

    plsm_client_t *c = client_of(url);
    plsm_pool_t *p = NULL, *q = NULL;
    FAILS_MSG(plsm_pool_open(c, "rc-nope", &p, &err), &err, PLSM_ERROR_NOT_FOUND, "not found");
    FAILS(plsm_pool_open(c, "a/b", &p, &err), &err, PLSM_ERROR_USAGE);
    FAILS(plsm_pool_open(c, "http://127.0.0.1:1/x", &p, &err), &err, PLSM_ERROR_USAGE);
    OK(plsm_pool_create(c, "rc-main", 1 << 20, &p, &err), &err);
    FAILS(plsm_pool_create(c, "rc-main", 1 << 20, &q, &err), &err, PLSM_ERROR_ALREADY_EXISTS);
    OK(plsm_pool_open(c, "rc-main", &q, &err), &err);

    /* Appends. */
    const char *tags[] = {"t1", "t2"};
    CHECK(append(p, "{\"i\":1}", tags, 2, "\"meta\":{\"tags\":[\"t1\",\"t2\"]},\"data\":{\"i\":1}}") == 1);
    CHECK(append(q, "{\"i\":2,\"f\":1.5}", tags, 1, "\"data\":{\"f\":1.5,\"i\":2}}") == 2);
    CHECK(append(p, "{\"i\":3,\"s\":\"\\u00e9\"}", NULL, 0, "\"data\":{\"i\":3,\"s\":\"\xc3\xa9\"}}") == 3);
    plsm_buf_t out = {0};
    FAILS_PREFIX(plsm_pool_append_json(p, (const uint8_t *)"{\"i\":", 5, NULL, 0, 0, &out, &err), &err, PLSM_ERROR_USAGE, "invalid json");
    FAILS_MSG(plsm_pool_append_json(p, (const uint8_t *)"[1]", 3, NULL, 0, 0, &out, &err), &err, PLSM_ERROR_USAGE, "data must be object");
    FAILS_MSG(plsm_pool_append_json(p, (const uint8_t *)"{}", 2, NULL, 0, 7, &out, &err), &err, PLSM_ERROR_USAGE, "invalid durability");
    plsm_lite3_frame_t fr = {0};
    OK(plsm_pool_get_lite3(p, 1, &fr, &err), &err);
    CHECK(fr.seq == 1 && fr.timestamp_ns > 0 && fr.payload.len > 0);
    uint64_t seq = 0;
    OK(plsm_pool_append_lite3(p, fr.payload.data, fr.payload.len, 1, &seq, &err), &err);
    CHECK(seq == 4);
    FAILS(plsm_pool_append_lite3(p, (const uint8_t *)"junk", 4, 0, &seq, &err), &err, PLSM_ERROR_CORRUPT);
    plsm_lite3_frame_free(&fr);
    plsm_json_message_t batch[2] = {
        {(const uint8_t *)"{\"b\":1}", 7, tags, 1},
        {(const uint8_t *)"{\"b\":2}", 7, NULL, 0},
    };
    uint64_t first = 0;
    size_t n = 9;
    OK(plsm_pool_append_json_batch(p, batch, 2, 0, &first, &n, &err), &err);
    CHECK(first == 5 && n == 2);
    batch[1].json_bytes = (const uint8_t *)"{\"b\":";
    batch[1].json_len = 5;
    FAILS_PREFIX(plsm_pool_append_json_batch(p, batch, 2, 0, &first, &n, &err), &err, PLSM_ERROR_USAGE, "messages[1]: invalid json");
    CHECK(n == 0); /* checked before anything was sent */

    /* Reads. */
    plsm_buf_t m2 = {0};
    OK(plsm_pool_get_json(p, 2, &m2, &err), &err);
    CHECK(buf_seq(&m2) == 2 && buf_has(&m2, "\"meta\":{\"tags\":[\"t1\"]},\"data\":{\"f\":1.5,\"i\":2}}"));
    err = NULL;
    CHECK(plsm_pool_get_json(p, 99, &out, &err) == -1 && err && err->kind == PLSM_ERROR_NOT_FOUND && err->has_seq && err->seq == 99 &&
          err->path && strcmp(err->path, "rc-main") == 0);
    plsm_error_free(err);
    err = NULL;
    OK(plsm_pool_info_json(p, &out, &err), &err);
    CHECK(buf_has(&out, "\"bounds\":{\"newest\":6,\"oldest\":1}") && buf_has(&out, "\"name\":\"rc-main\"") &&
          buf_has(&out, "rc-main.plasmite\""));
    plsm_buf_free(&out);
    OK(plsm_pool_list_json(c, &out, &err), &err);
    CHECK(buf_has(&out, "\"mtime\":null,\"name\":\"rc-main\""));
    plsm_buf_free(&out);

    /* A bounded stream: the same envelopes as get, in order, then the end. */
    plsm_stream_t *s = NULL;
    OK(plsm_stream_open(p, 1, 1, 6, 1, 0, 0, &s, &err), &err);
    for (unsigned long long want = 1; want <= 6; want++) {
        CHECK(plsm_stream_next(s, &out, &err) == 1);
        CHECK(buf_seq(&out) == want);
        if (want == 2) CHECK(out.len == m2.len && memcmp(out.data, m2.data, m2.len) == 0);
        plsm_buf_free(&out);
    }
    CHECK(plsm_stream_next(s, &out, &err) == 0);
    plsm_stream_free(s);
    plsm_buf_free(&m2);
    plsm_lite3_stream_t *ls = NULL;
    OK(plsm_lite3_stream_open(p, 2, 1, 2, 1, 0, 0, &ls, &err), &err);
    CHECK(plsm_lite3_stream_next(ls, &fr, &err) == 1 && fr.seq == 2 && fr.timestamp_ns > 0);
    plsm_lite3_frame_free(&fr);
    CHECK(plsm_lite3_stream_next(ls, &fr, &err) == 1 && fr.seq == 3);
    plsm_lite3_frame_free(&fr);
    CHECK(plsm_lite3_stream_next(ls, &fr, &err) == 0);
    plsm_lite3_stream_free(ls);
    /* Tag filter (options version 2). */
    plsm_stream_options_t so;
    memset(&so, 0, sizeof so);
    so.struct_size = sizeof so;
    so.reserved = PLSM_STREAM_OPTIONS_V2;
    so.has_timeout = 1;
    so.timeout_ms = 300;
    const char *want_tags[] = {"t2"};
    so.tags = want_tags;
    so.tags_len = 1;
    OK(plsm_stream_open_ex(p, &so, &s, &err), &err);
    int got = 0;
    while (plsm_stream_next(s, &out, &err) == 1) {
        CHECK(buf_seq(&out) == 1 || buf_seq(&out) == 4);
        got++;
        plsm_buf_free(&out);
    }
    CHECK(got == 2 && err == NULL);
    plsm_stream_free(s);

    /* The deadline ends a stream that has read everything. */
    double t0 = now_s();
    OK(plsm_stream_open(p, 0, 0, 0, 0, 300, 1, &s, &err), &err);
    got = 0;
    while (plsm_stream_next(s, &out, &err) == 1) {
        got++;
        plsm_buf_free(&out);
    }
    CHECK(got == 6 && err == NULL && now_s() - t0 < 5);
    plsm_stream_free(s);

    /* Live: another thread's append wakes a blocked next. */
    live_pool = q;
    pthread_t th;
    OK(plsm_stream_open(p, 7, 1, 0, 0, 0, 0, &s, &err), &err);
    pthread_create(&th, NULL, append_later, NULL);
    CHECK(plsm_stream_next(s, &out, &err) == 1 && buf_seq(&out) == 7 && buf_has(&out, "{\"late\":1}"));
    plsm_buf_free(&out);
    pthread_join(th, NULL);
    /* Cancel from another thread ends a blocked next promptly. */
    cancel_target = s;
    t0 = now_s();
    pthread_create(&th, NULL, cancel_later, NULL);
    CHECK(plsm_stream_next(s, &out, &err) == 0 && err == NULL);
    CHECK(now_s() - t0 < 5);
    pthread_join(th, NULL);
    CHECK(plsm_stream_next(s, &out, &err) == 0);
    plsm_stream_free(s);

    /* Bounded waits leave the stream open: timeouts, then the message. */
    OK(plsm_stream_open(p, 8, 1, 0, 0, 0, 0, &s, &err), &err);
    for (int i = 0; i < 3; i++) CHECK(plsm_stream_next_timeout(s, 30, &out, &err) == PLSM_STREAM_TIMEOUT);
    CHECK(plsm_stream_next_timeout(s, 0, &out, &err) == PLSM_STREAM_TIMEOUT);
    CHECK(append(q, "{\"w\":1}", NULL, 0, "{\"w\":1}") == 8);
    CHECK(plsm_stream_next_timeout(s, 10000, &out, &err) == PLSM_STREAM_ITEM && buf_seq(&out) == 8);
    plsm_buf_free(&out);
    /* Polling with timeout 0 makes progress. */
    CHECK(append(q, "{\"w\":2}", NULL, 0, "{\"w\":2}") == 9);
    CHECK(append(q, "{\"w\":3}", NULL, 0, "{\"w\":3}") == 10);
    unsigned long long polled[2] = {0, 0};
    int npolled = 0;
    t0 = now_s();
    while (npolled < 2 && now_s() - t0 < 10) {
        int rc = plsm_stream_next_timeout(s, 0, &out, &err);
        CHECK(rc == PLSM_STREAM_ITEM || rc == PLSM_STREAM_TIMEOUT);
        if (rc == PLSM_STREAM_ITEM) {
            polled[npolled++] = buf_seq(&out);
            plsm_buf_free(&out);
        } else {
            struct timespec d = {0, 2 * 1000 * 1000};
            nanosleep(&d, NULL);
        }
    }
    CHECK(npolled == 2 && polled[0] == 9 && polled[1] == 10);
    /* The readiness descriptor: quiet while idle, readable after an append. */
    int fd = -1;
    OK(plsm_stream_fd(s, &fd, &err), &err);
    CHECK(fd >= 0);
    struct pollfd pfd = {fd, POLLIN, 0};
    CHECK(poll_retry(&pfd, 1, 100) == 0);
    CHECK(append(q, "{\"w\":4}", NULL, 0, "{\"w\":4}") == 11);
    pfd.revents = 0;
    CHECK(poll_retry(&pfd, 1, 10000) == 1 && (pfd.revents & POLLIN));
    CHECK(plsm_stream_next_timeout(s, 0, &out, &err) == PLSM_STREAM_ITEM && buf_seq(&out) == 11);
    plsm_buf_free(&out);
    /* Cancel: the end, and a descriptor that stays readable. */
    plsm_stream_cancel(s);
    CHECK(plsm_stream_next_timeout(s, 1000, &out, &err) == PLSM_STREAM_END);
    pfd.revents = 0;
    CHECK(poll_retry(&pfd, 1, 5000) == 1);
    plsm_stream_free(s);

    /* Retention gaps: overwrite the start of a small pool, then read from 1. */
    plsm_pool_t *g = NULL;
    OK(plsm_pool_create(c, "rc-small", 64 * 1024, &g, &err), &err);
    char big[4100];
    memset(big, 'x', sizeof big);
    memcpy(big, "{\"s\":\"", 6);
    memcpy(big + sizeof big - 2, "\"}", 2);
    for (int i = 0; i < 40; i++) {
        OK(plsm_pool_append_json(g, (const uint8_t *)big, sizeof big, NULL, 0, 0, &out, &err), &err);
        plsm_buf_free(&out);
    }
    memset(&so, 0, sizeof so);
    so.struct_size = PLSM_STREAM_OPTIONS_V1_SIZE;
    so.gap_policy = PLSM_GAP_ERROR;
    so.has_since = 1;
    so.since_seq = 1;
    OK(plsm_stream_open_ex(g, &so, &s, &err), &err);
    CHECK(plsm_stream_next(s, &out, &err) == -1 && err && err->kind == PLSM_ERROR_RETENTION_GAP && err->has_seq && err->seq == 1);
    plsm_error_free(err);
    err = NULL;
    CHECK(plsm_stream_next(s, &out, &err) == 0);
    plsm_stream_free(s);
    OK(plsm_lite3_stream_open_ex(g, &so, &ls, &err), &err);
    CHECK(plsm_lite3_stream_next(ls, &fr, &err) == -1 && err && err->kind == PLSM_ERROR_RETENTION_GAP && err->seq == 1);
    plsm_error_free(err);
    err = NULL;
    plsm_lite3_stream_free(ls);
    so.gap_policy = PLSM_GAP_CONTINUE;
    so.has_max = 1;
    so.max_messages = 1;
    OK(plsm_stream_open_ex(g, &so, &s, &err), &err);
    CHECK(plsm_stream_next(s, &out, &err) == 1 && buf_seq(&out) > 1);
    plsm_buf_free(&out);
    plsm_stream_free(s);
#if PLSM_ABI_MINOR >= 5
    /* The receipt append: a remote pool always gives the server's envelope. */
    uint64_t rseq = 0, rns = 0;
    plsm_buf_t env = {0}, back = {0};
    OK(plsm_pool_append_json_receipt(g, (const uint8_t *)"{\"r\":1}", 7, tags, 1, 0, &rseq, &rns, &env, &err), &err);
    CHECK(rseq > 40 && rns > 0 && buf_seq(&env) == rseq && buf_has(&env, "\"data\":{\"r\":1}}"));
    OK(plsm_pool_get_json(g, rseq, &back, &err), &err);
    CHECK(back.len == env.len && memcmp(back.data, env.data, env.len) == 0);
    plsm_buf_free(&env);
    plsm_buf_free(&back);
    OK(plsm_pool_append_json_receipt(g, (const uint8_t *)"{}", 2, NULL, 0, 0, &rseq, &rns, NULL, &err), &err);
    FAILS_PREFIX(plsm_pool_append_json_receipt(g, (const uint8_t *)"{\"i\":", 5, NULL, 0, 0, &rseq, &rns, &env, &err), &err,
                 PLSM_ERROR_USAGE, "invalid json");
#endif
    plsm_pool_free(g);

    /* Delete; handles outlive it and then fail with the server's error. */
    OK(plsm_pool_delete(c, "rc-small", &err), &err);
    OK(plsm_pool_delete(c, "rc-main", &err), &err);
    FAILS(plsm_pool_delete(c, "rc-main", &err), &err, PLSM_ERROR_NOT_FOUND);
    FAILS(plsm_pool_info_json(p, &out, &err), &err, PLSM_ERROR_NOT_FOUND);
    plsm_pool_free(p);
    plsm_pool_free(q);
    plsm_client_free(c);
    return check_done("remote");
}
