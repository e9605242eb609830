/* bench: appends through the C ABI.
 *   bench DIR N single          N calls of plsm_pool_append_json
 *   bench DIR N receipt         N calls of plsm_pool_append_json_receipt (out_message NULL)
 *   bench DIR N batch SIZE      N messages through plsm_pool_append_json_batch, SIZE per call
 *   bench DIR N wake            N times: a thread waits in plsm_stream_next, the main thread
 *                               appends; prints the append-to-wake latency p50/p99 in µs
 * Prints one line: "<mode> <N> msgs <seconds> s <msg/s> msg/s". The message is
 * the same 100-byte JSON object as capi's Go benchmarks, with one tag. Only
 * the batch mode needs this library's extensions (the rest also builds
 * against the reference's header). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <pthread.h>
#include <sched.h>
#include <plasmite.h>

static const char MSG[] =
    "{\"id\":1234567,\"kind\":\"bench\",\"ok\":true,\"payload\":\"abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKL\"}";

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int die(const char *what, plsm_error_t *err) {
    fprintf(stderr, "bench: %s: %s\n", what, err && err->message ? err->message : "?");
    plsm_error_free(err);
    return 1;
}

/* wake: the reader stamps when next returns; the writer stamps before appending. */
static plsm_stream_t *wake_stream;
static double *woke_at;
static int reader_ready;
static long woken;

static void *wake_reader(void *arg) {
    long n = (long)arg;
    plsm_buf_t b = {0};
    for (long i = 0; i < n; i++) {
        __atomic_store_n(&reader_ready, 1, __ATOMIC_SEQ_CST);
        if (plsm_stream_next(wake_stream, &b, NULL) != 1) break;
        woke_at[i] = now();
        __atomic_add_fetch(&woken, 1, __ATOMIC_SEQ_CST);
        plsm_buf_free(&b);
    }
    return NULL;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int wake(plsm_pool_t *pool, long n) {
    plsm_error_t *err = NULL;
    double *sent = calloc((size_t)n, sizeof *sent), *lat = calloc((size_t)n, sizeof *lat);
    woke_at = calloc((size_t)n, sizeof *woke_at);
    if (plsm_stream_open(pool, 1, 1, (uint64_t)n, 1, 0, 0, &wake_stream, &err)) return die("stream", err);
    pthread_t th;
    pthread_create(&th, NULL, wake_reader, (void *)n);
    plsm_buf_t out = {0};
    for (long i = 0; i < n; i++) {
        /* wait until the reader has consumed the previous message and is
         * about to block again, then give it time to fall asleep */
        while (__atomic_load_n(&woken, __ATOMIC_SEQ_CST) < i) sched_yield();
        while (!__atomic_exchange_n(&reader_ready, 0, __ATOMIC_SEQ_CST)) sched_yield();
        struct timespec ts = {0, 2 * 1000 * 1000};
        nanosleep(&ts, NULL);
        sent[i] = now();
        if (plsm_pool_append_json(pool, (const uint8_t *)MSG, sizeof MSG - 1, NULL, 0, 0, &out, &err))
            return die("append", err);
        plsm_buf_free(&out);
    }
    pthread_join(th, NULL);
    for (long i = 0; i < n; i++) lat[i] = (woke_at[i] - sent[i]) * 1e6;
    qsort(lat, (size_t)n, sizeof *lat, cmp_double);
    printf("wake   %ld msgs p50 %.1f us p99 %.1f us\n", n, lat[n / 2], lat[(n * 99) / 100]);
    plsm_stream_free(wake_stream);
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: bench DIR N single|receipt|batch [SIZE]\n");
        return 2;
    }
    _Static_assert(sizeof MSG - 1 == 100, "the benchmark message is 100 bytes");
    long n = atol(argv[2]);
    int batch = strcmp(argv[3], "batch") == 0, receipt = strcmp(argv[3], "receipt") == 0;
    long size = argc > 4 ? atol(argv[4]) : 1000;
    plsm_error_t *err = NULL;
    plsm_client_t *client;
    plsm_pool_t *pool;
    if (plsm_client_new(argv[1], &client, &err)) return die("client", err);
    if (plsm_pool_create(client, batch ? "bench-batch" : receipt ? "bench-receipt" : "bench-single", 64 << 20, &pool, &err))
        return die("create", err);
    const char *tags[] = {"bench"};
    if (strcmp(argv[3], "wake") == 0) return wake(pool, n);
    double t0 = now();
    if (receipt) {
#if defined(PLSM_ABI_MINOR) && PLSM_ABI_MINOR >= 5
        uint64_t seq, ns;
        for (long i = 0; i < n; i++) {
            if (plsm_pool_append_json_receipt(pool, (const uint8_t *)MSG, sizeof MSG - 1, tags, 1, 0, &seq, &ns, NULL, &err))
                return die("append", err);
        }
#else
        fprintf(stderr, "bench: receipt needs plsm_pool_append_json_receipt\n");
        return 2;
#endif
    } else if (!batch) {
        plsm_buf_t out = {0};
        for (long i = 0; i < n; i++) {
            if (plsm_pool_append_json(pool, (const uint8_t *)MSG, sizeof MSG - 1, tags, 1, 0, &out, &err))
                return die("append", err);
            plsm_buf_free(&out);
        }
    } else {
#ifdef PLSM_ABI_MINOR
        plsm_json_message_t *msgs = calloc((size_t)size, sizeof *msgs);
        for (long i = 0; i < size; i++) {
            msgs[i].json_bytes = (const uint8_t *)MSG;
            msgs[i].json_len = sizeof MSG - 1;
            msgs[i].tags = tags;
            msgs[i].tags_len = 1;
        }
        uint64_t first;
        size_t appended;
        for (long done = 0; done < n; done += size) {
            size_t k = (size_t)(n - done < size ? n - done : size);
            if (plsm_pool_append_json_batch(pool, msgs, k, 0, &first, &appended, &err))
                return die("batch", err);
        }
        free(msgs);
#else
        fprintf(stderr, "bench: batch needs plsm_pool_append_json_batch\n");
        return 2;
#endif
    }
    double dt = now() - t0;
    printf("%-7s %ld msgs %.3f s %.0f msg/s\n", argv[3], n, dt, n / dt);
    plsm_pool_free(pool);
    plsm_client_free(client);
    return 0;
}
