/* waits: waits that end. Bounded waits (*_stream_next_timeout), cancels and
 * frees from another thread, and the readiness descriptors (*_stream_fd)
 * waited on with poll(2), for JSON and Lite3 streams.
 *   waits DIR   (DIR: an empty scratch directory)
 * Builds against the reference header too, where there is nothing to test
 * (these are extensions of ABI minor 2). */
#define _POSIX_C_SOURCE 200809L
#include "check.h"
#include "polling.h"
#include <stdint.h>

#if defined(PLSM_ABI_MINOR) && PLSM_ABI_MINOR >= 2
#include <poll.h>
#include <pthread.h>
#include <time.h>

static plsm_error_t *err = NULL;

/* Generous bound for "promptly": reaching it means a lost wake-up. */
enum { GUARD_MS = 30000 };

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void sleep_ms(int ms) {
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void append(plsm_pool_t *pool, const char *json) {
    plsm_buf_t out = {0};
    OK(plsm_pool_append_json(pool, (const uint8_t *)json, strlen(json), NULL, 0, 0, &out, &err), &err);
    plsm_buf_free(&out);
}

/* Whether fd turns readable within ms. */
static int readable(int fd, int ms) {
    struct pollfd p = {fd, POLLIN, 0};
    return poll_retry(&p, 1, ms) == 1 && (p.revents & POLLIN);
}

static plsm_stream_t *open_live(plsm_pool_t *pool, uint64_t since) {
    plsm_stream_t *s = NULL;
    OK(plsm_stream_open(pool, since, 1, 0, 0, 0, 0, &s, &err), &err);
    return s;
}

static plsm_lite3_stream_t *open_live_lite3(plsm_pool_t *pool, uint64_t since) {
    plsm_lite3_stream_t *s = NULL;
    OK(plsm_lite3_stream_open(pool, since, 1, 0, 0, 0, 0, &s, &err), &err);
    return s;
}

/* ---- bounded waits ------------------------------------------------------ */

static void bounded_waits(plsm_pool_t *pool) {
    plsm_buf_t out = {0};
    plsm_lite3_frame_t frame = {0};
    plsm_stream_t *s = open_live(pool, 1);
    plsm_lite3_stream_t *ls = open_live_lite3(pool, 1);
    if (!s || !ls) return;

    /* nothing there: 0 (timeout), and the stream goes on */
    CHECK(plsm_stream_next_timeout(s, 0, &out, &err) == PLSM_STREAM_TIMEOUT);
    double t0 = now_ms();
    CHECK(plsm_stream_next_timeout(s, 30, &out, &err) == PLSM_STREAM_TIMEOUT);
    CHECK(now_ms() - t0 >= 29);
    CHECK(plsm_lite3_stream_next_timeout(ls, 0, &frame, &err) == PLSM_STREAM_TIMEOUT);
    CHECK(plsm_lite3_stream_next_timeout(ls, 30, &frame, &err) == PLSM_STREAM_TIMEOUT);
    CHECK(out.data == NULL && frame.payload.data == NULL);

    append(pool, "{\"n\":1}");
    CHECK(plsm_stream_next_timeout(s, GUARD_MS, &out, &err) == PLSM_STREAM_ITEM);
    CHECK(buf_seq(&out) == 1);
    plsm_buf_free(&out);
    CHECK(plsm_lite3_stream_next_timeout(ls, UINT64_MAX, &frame, &err) == PLSM_STREAM_ITEM);
    CHECK(frame.seq == 1);
    plsm_lite3_frame_free(&frame);
    CHECK(plsm_stream_next_timeout(s, 0, &out, &err) == PLSM_STREAM_TIMEOUT);

    /* argument checks */
    FAILS(plsm_stream_next_timeout(NULL, 0, &out, &err), &err, PLSM_ERROR_USAGE);
    FAILS(plsm_stream_next_timeout(s, 0, NULL, &err), &err, PLSM_ERROR_USAGE);
    FAILS(plsm_lite3_stream_next_timeout(ls, 0, NULL, &err), &err, PLSM_ERROR_USAGE);
    FAILS(plsm_lite3_stream_next_timeout((plsm_lite3_stream_t *)(void *)s, 0, &frame, &err), &err,
          PLSM_ERROR_USAGE);

    /* cancel: END from now on, for both kinds */
    plsm_stream_cancel(s);
    plsm_lite3_stream_cancel(ls);
    CHECK(plsm_stream_next_timeout(s, GUARD_MS, &out, &err) == PLSM_STREAM_END);
    CHECK(plsm_lite3_stream_next_timeout(ls, GUARD_MS, &frame, &err) == PLSM_STREAM_END);
    plsm_stream_free(s);
    plsm_lite3_stream_free(ls);

    /* the stream's own deadline ends it (END), a shorter bound does not */
    double opened = now_ms();
    OK(plsm_stream_open(pool, 100, 1, 0, 0, 80, 1, &s, &err), &err);
    if (s) {
        /* On a slow machine (valgrind, load) the 80 ms may be gone already:
           then END is right too. What must never happen is END early. */
        int rc = plsm_stream_next_timeout(s, 10, &out, &err);
        CHECK(rc == PLSM_STREAM_TIMEOUT || (rc == PLSM_STREAM_END && now_ms() - opened >= 80));
        CHECK(plsm_stream_next_timeout(s, GUARD_MS, &out, &err) == PLSM_STREAM_END);
        CHECK(plsm_stream_next(s, &out, &err) == 0);
        plsm_stream_free(s);
    }
    /* max_messages: END after the last one */
    OK(plsm_stream_open(pool, 1, 1, 1, 1, 0, 0, &s, &err), &err);
    if (s) {
        CHECK(plsm_stream_next_timeout(s, 0, &out, &err) == PLSM_STREAM_ITEM);
        plsm_buf_free(&out);
        CHECK(plsm_stream_next_timeout(s, GUARD_MS, &out, &err) == PLSM_STREAM_END);
        plsm_stream_free(s);
    }
}

/* ---- other threads ------------------------------------------------------ */

struct waiter {
    plsm_stream_t *s;
    plsm_lite3_stream_t *ls;
    uint64_t timeout_ms;
    int rc;
    double ended_ms;
};

static void *wait_json(void *arg) {
    struct waiter *w = arg;
    plsm_buf_t out = {0};
    plsm_error_t *e = NULL;
    w->rc = plsm_stream_next_timeout(w->s, w->timeout_ms, &out, &e);
    w->ended_ms = now_ms();
    plsm_buf_free(&out);
    plsm_error_free(e);
    return NULL;
}

static void *wait_lite3(void *arg) {
    struct waiter *w = arg;
    plsm_lite3_frame_t f = {0};
    plsm_error_t *e = NULL;
    w->rc = plsm_lite3_stream_next_timeout(w->ls, w->timeout_ms, &f, &e);
    w->ended_ms = now_ms();
    plsm_lite3_frame_free(&f);
    plsm_error_free(e);
    return NULL;
}

static void *wait_json_unbounded(void *arg) {
    struct waiter *w = arg;
    plsm_buf_t out = {0};
    plsm_error_t *e = NULL;
    w->rc = plsm_stream_next(w->s, &out, &e);
    plsm_buf_free(&out);
    plsm_error_free(e);
    return NULL;
}

static void other_threads(plsm_pool_t *pool) {
    pthread_t th;
    /* a waiting thread ends with END when the main thread cancels */
    for (int kind = 0; kind < 2; kind++) {
        struct waiter w = {0};
        w.timeout_ms = UINT64_MAX;
        if (kind == 0) w.s = open_live(pool, 1000);
        else w.ls = open_live_lite3(pool, 1000);
        if (!w.s && !w.ls) continue;
        w.rc = -7;
        pthread_create(&th, NULL, kind == 0 ? wait_json : wait_lite3, &w);
        sleep_ms(30); /* let it block (a cancel before it blocks ends it too) */
        double t0 = now_ms();
        if (kind == 0) plsm_stream_cancel(w.s);
        else plsm_lite3_stream_cancel(w.ls);
        pthread_join(th, NULL);
        CHECK(w.rc == PLSM_STREAM_END);
        CHECK(w.ended_ms - t0 < GUARD_MS);
        if (kind == 0) plsm_stream_free(w.s);
        else plsm_lite3_stream_free(w.ls);
    }
    /* bounded waits in several threads time out on their own, and the
     * streams stay usable */
    enum { N = 4 };
    struct waiter ws[N];
    pthread_t ths[N];
    memset(ws, 0, sizeof ws);
    for (int i = 0; i < N; i++) {
        ws[i].timeout_ms = 40;
        if (i % 2 == 0) ws[i].s = open_live(pool, 1000);
        else ws[i].ls = open_live_lite3(pool, 1000);
        ws[i].rc = -7;
        pthread_create(&ths[i], NULL, i % 2 == 0 ? wait_json : wait_lite3, &ws[i]);
    }
    for (int i = 0; i < N; i++) {
        pthread_join(ths[i], NULL);
        CHECK(ws[i].rc == PLSM_STREAM_TIMEOUT);
    }
    for (int i = 0; i < N; i++) {
        ws[i].timeout_ms = GUARD_MS;
        pthread_create(&ths[i], NULL, i % 2 == 0 ? wait_json : wait_lite3, &ws[i]);
    }
    sleep_ms(20);
    for (int i = 0; i < N; i++) {
        if (ws[i].s) plsm_stream_cancel(ws[i].s);
        else plsm_lite3_stream_cancel(ws[i].ls);
    }
    for (int i = 0; i < N; i++) {
        pthread_join(ths[i], NULL);
        CHECK(ws[i].rc == PLSM_STREAM_END);
        if (ws[i].s) plsm_stream_free(ws[i].s);
        else plsm_lite3_stream_free(ws[i].ls);
    }
    /* a plain blocking next is cancelled the same way */
    struct waiter w = {0};
    w.s = open_live(pool, 1000);
    if (w.s) {
        w.rc = -7;
        pthread_create(&th, NULL, wait_json_unbounded, &w);
        sleep_ms(20);
        plsm_stream_cancel(w.s);
        pthread_join(th, NULL);
        CHECK(w.rc == 0);
        plsm_stream_free(w.s);
    }
}

/* ---- readiness descriptors ---------------------------------------------- */

static void *cancel_json(void *arg) {
    plsm_stream_cancel(arg);
    return NULL;
}

static void readiness(plsm_pool_t *pool, unsigned long long next_seq) {
    plsm_buf_t out = {0};
    plsm_lite3_frame_t frame = {0};
    plsm_stream_t *s = open_live(pool, next_seq);
    plsm_lite3_stream_t *ls = open_live_lite3(pool, next_seq);
    if (!s || !ls) return;
    int fd = -1, fd2 = -1, lfd = -1;
    FAILS(plsm_stream_fd(s, NULL, &err), &err, PLSM_ERROR_USAGE);
    FAILS(plsm_stream_fd(NULL, &fd, &err), &err, PLSM_ERROR_USAGE);
    OK(plsm_stream_fd(s, &fd, &err), &err);
    OK(plsm_stream_fd(s, &fd2, &err), &err);
    OK(plsm_lite3_stream_fd(ls, &lfd, &err), &err);
    CHECK(fd >= 0 && fd == fd2 && lfd >= 0 && lfd != fd);

    /* caught up: not readable; an append makes both readable */
    CHECK(!readable(fd, 0));
    CHECK(!readable(lfd, 0));
    append(pool, "{\"r\":1}");
    CHECK(readable(fd, GUARD_MS));
    CHECK(readable(lfd, GUARD_MS));
    CHECK(plsm_stream_next_timeout(s, 0, &out, &err) == PLSM_STREAM_ITEM);
    CHECK(buf_seq(&out) == next_seq);
    plsm_buf_free(&out);
    CHECK(plsm_lite3_stream_next_timeout(ls, 0, &frame, &err) == PLSM_STREAM_ITEM);
    plsm_lite3_frame_free(&frame);
    /* after a message it is readable again (more may follow); the next call
     * finds nothing, after which it waits for an append */
    CHECK(readable(fd, GUARD_MS));
    CHECK(plsm_stream_next_timeout(s, 0, &out, &err) == PLSM_STREAM_TIMEOUT);
    CHECK(!readable(fd, 0));

    /* two appends, drained through the descriptor alone */
    append(pool, "{\"r\":2}");
    append(pool, "{\"r\":3}");
    int got = 0;
    for (int round = 0; round < 10 && got < 2; round++) {
        if (!readable(fd, GUARD_MS)) break;
        while (plsm_stream_next_timeout(s, 0, &out, &err) == PLSM_STREAM_ITEM) {
            got++;
            plsm_buf_free(&out);
        }
    }
    CHECK(got == 2);

    /* many streams, one poll: one append wakes all of them */
    enum { M = 16 };
    plsm_stream_t *many[M];
    struct pollfd pfds[M];
    for (int i = 0; i < M; i++) {
        many[i] = open_live(pool, next_seq + 3);
        pfds[i].fd = -1;
        pfds[i].events = POLLIN;
        if (many[i]) OK(plsm_stream_fd(many[i], &pfds[i].fd, &err), &err);
    }
    CHECK(poll_retry(pfds, M, 0) == 0);
    append(pool, "{\"r\":4}");
    int ready = 0;
    double deadline = now_ms() + GUARD_MS;
    while (ready < M && now_ms() < deadline) {
        if (poll_retry(pfds, M, GUARD_MS) <= 0) break;
        for (int i = 0; i < M; i++) {
            if (pfds[i].fd >= 0 && (pfds[i].revents & POLLIN)) {
                CHECK(plsm_stream_next_timeout(many[i], 0, &out, &err) == PLSM_STREAM_ITEM);
                CHECK(buf_seq(&out) == next_seq + 3);
                plsm_buf_free(&out);
                plsm_stream_free(many[i]);
                pfds[i].fd = -1; /* poll ignores it from now on */
                ready++;
            }
        }
    }
    CHECK(ready == M);

    /* a cancel from another thread makes it readable for good */
    CHECK(plsm_stream_next_timeout(s, 0, &out, &err) == PLSM_STREAM_ITEM); /* r:4 */
    plsm_buf_free(&out);
    CHECK(plsm_stream_next_timeout(s, 0, &out, &err) == PLSM_STREAM_TIMEOUT);
    CHECK(!readable(fd, 0));
    pthread_t th;
    pthread_create(&th, NULL, cancel_json, s);
    CHECK(readable(fd, GUARD_MS));
    pthread_join(th, NULL);
    CHECK(plsm_stream_next_timeout(s, 0, &out, &err) == PLSM_STREAM_END);
    CHECK(readable(fd, 0));
    plsm_stream_free(s);
    plsm_lite3_stream_free(ls);

    /* the stream's deadline makes it readable too */
    OK(plsm_stream_open(pool, 1000, 1, 0, 0, 50, 1, &s, &err), &err);
    if (s) {
        OK(plsm_stream_fd(s, &fd, &err), &err);
        CHECK(readable(fd, GUARD_MS));
        CHECK(plsm_stream_next_timeout(s, 0, &out, &err) == PLSM_STREAM_END);
        plsm_stream_free(s);
    }
}

#ifdef __linux__
static int os_threads(void) {
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    int n = -1;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "Threads: %d", &n) == 1) break;
    if (f) fclose(f);
    return n;
}

/* Waiting on many descriptors costs no thread per stream. */
static void no_thread_per_stream(plsm_pool_t *pool) {
    enum { K = 200 };
    plsm_stream_t *ss[K];
    struct pollfd pfds[K];
    int before = os_threads();
    for (int i = 0; i < K; i++) {
        ss[i] = open_live(pool, 100000);
        pfds[i].fd = -1;
        pfds[i].events = POLLIN;
        if (ss[i]) OK(plsm_stream_fd(ss[i], &pfds[i].fd, &err), &err);
    }
    CHECK(poll_retry(pfds, K, 50) == 0);
    int during = os_threads();
    if (during - before > 8) fprintf(stderr, "threads: %d before, %d with %d waiting streams\n", before, during, K);
    CHECK(during - before <= 8);
    for (int i = 0; i < K; i++) plsm_stream_free(ss[i]);
}
#endif

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: waits DIR\n");
        return 2;
    }
    plsm_client_t *client = NULL;
    plsm_pool_t *pool = NULL;
    OK(plsm_client_new(argv[1], &client, &err), &err);
    OK(plsm_pool_create(client, "waits", 1 << 20, &pool, &err), &err);
    if (!pool) return check_done("waits");
    bounded_waits(pool);  /* appends seq 1 */
    other_threads(pool);
    readiness(pool, 2);   /* appends seqs 2..5 */
#ifdef __linux__
    no_thread_per_stream(pool);
#endif
    plsm_pool_free(pool);
    plsm_client_free(client);
    return check_done("waits");
}

#else
int main(void) {
    printf("waits: nothing to test without ABI minor 2\n");
    return 0;
}
#endif
