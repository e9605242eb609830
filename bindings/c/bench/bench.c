/* bench: appends through the C ABI.
 *   bench DIR N single          N calls of plsm_pool_append_json
 *   bench DIR N batch SIZE      N messages through plsm_pool_append_json_batch, SIZE per call
 * Prints one line: "<mode> <N> msgs <seconds> s <msg/s> msg/s". The message is
 * the same 100-byte JSON object as capi's Go benchmarks, with one tag. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
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

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: bench DIR N single|batch [SIZE]\n");
        return 2;
    }
    _Static_assert(sizeof MSG - 1 == 100, "the benchmark message is 100 bytes");
    long n = atol(argv[2]);
    int batch = strcmp(argv[3], "batch") == 0;
    long size = argc > 4 ? atol(argv[4]) : 1000;
    plsm_error_t *err = NULL;
    plsm_client_t *client;
    plsm_pool_t *pool;
    if (plsm_client_new(argv[1], &client, &err)) return die("client", err);
    if (plsm_pool_create(client, batch ? "bench-batch" : "bench-single", 64 << 20, &pool, &err))
        return die("create", err);
    const char *tags[] = {"bench"};
    double t0 = now();
    if (!batch) {
        plsm_buf_t out = {0};
        for (long i = 0; i < n; i++) {
            if (plsm_pool_append_json(pool, (const uint8_t *)MSG, sizeof MSG - 1, tags, 1, 0, &out, &err))
                return die("append", err);
            plsm_buf_free(&out);
        }
    } else {
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
    }
    double dt = now() - t0;
    printf("%-6s %ld msgs %.3f s %.0f msg/s\n", batch ? "batch" : "single", n, dt, n / dt);
    plsm_pool_free(pool);
    plsm_client_free(client);
    return 0;
}
