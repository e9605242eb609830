/* batch: plsm_stream_next_batch (ABI minor 3), several messages per call.
 *   batch DIR   (DIR: an empty scratch directory)
 * Checks the JSON Lines output, the count and byte bounds, timeouts and the end,
 * the argument errors, and that a retention gap met part-way comes after the
 * messages taken before it. Builds against the reference header too, where
 * there is nothing to test. */
#include "check.h"
#include <stdint.h>

#if defined(PLSM_ABI_MINOR) && PLSM_ABI_MINOR >= 3

static plsm_error_t *err = NULL;

static unsigned long long append(plsm_pool_t *pool, const char *json) {
    plsm_buf_t out = {0};
    OK(plsm_pool_append_json(pool, (const uint8_t *)json, strlen(json), NULL, 0, 0, &out, &err), &err);
    unsigned long long seq = buf_seq(&out);
    plsm_buf_free(&out);
    return seq;
}

/* The lines of a batch: each must be an envelope of the next seq. */
static size_t check_lines(const plsm_buf_t *b, unsigned long long first) {
    size_t lines = 0, start = 0;
    for (size_t i = 0; i < b->len; i++) {
        if (b->data[i] != '\n') continue;
        plsm_buf_t line = {b->data + start, i - start};
        CHECK(buf_seq(&line) == first + lines);
        CHECK(line.len > 0 && line.data[line.len - 1] == '}');
        lines++;
        start = i + 1;
    }
    CHECK(start == b->len); /* ends with a newline */
    return lines;
}

static void batches(plsm_pool_t *pool) {
    for (int i = 0; i < 10; i++) append(pool, "{\"i\":1}");
    plsm_stream_t *s = NULL;
    OK(plsm_stream_open(pool, 1, 1, 8, 1, 0, 0, &s, &err), &err);
    plsm_buf_t out = {0};
    size_t count = 99;

    CHECK(plsm_stream_next_batch(s, 0, 3, 0, &out, &count, &err) == PLSM_STREAM_ITEM);
    CHECK(count == 3 && check_lines(&out, 1) == 3);
    plsm_buf_free(&out);

    /* max_bytes 1: only the first message, whole */
    CHECK(plsm_stream_next_batch(s, 0, 100, 1, &out, &count, &err) == PLSM_STREAM_ITEM);
    CHECK(count == 1 && check_lines(&out, 4) == 1);
    plsm_buf_free(&out);

    /* the stream's max_messages (8) ends it after 4 more */
    CHECK(plsm_stream_next_batch(s, 0, 100, 0, &out, &count, &err) == PLSM_STREAM_ITEM);
    CHECK(count == 4 && check_lines(&out, 5) == 4);
    plsm_buf_free(&out);
    count = 99;
    CHECK(plsm_stream_next_batch(s, 0, 100, 0, &out, &count, &err) == PLSM_STREAM_END);
    CHECK(count == 0 && out.data == NULL && out.len == 0);
    plsm_stream_free(s);

    /* nothing new within the bound: TIMEOUT, and the stream goes on */
    OK(plsm_stream_open(pool, 11, 1, 0, 0, 0, 0, &s, &err), &err);
    CHECK(plsm_stream_next_batch(s, 20, 100, 0, &out, &count, &err) == PLSM_STREAM_TIMEOUT);
    CHECK(count == 0 && out.data == NULL);
    unsigned long long seq = append(pool, "{\"late\":true}");
    CHECK(plsm_stream_next_batch(s, 30000, 100, 0, &out, &count, &err) == PLSM_STREAM_ITEM);
    CHECK(count == 1 && check_lines(&out, seq) == 1 && buf_has(&out, "\"late\":true"));
    plsm_buf_free(&out);

    FAILS_MSG(plsm_stream_next_batch(s, 0, 0, 0, &out, &count, &err), &err, PLSM_ERROR_USAGE,
              "max_messages must be at least 1");
    FAILS_MSG(plsm_stream_next_batch(s, 0, 1, 0, NULL, &count, &err), &err, PLSM_ERROR_USAGE,
              "out_messages is null");
    FAILS_MSG(plsm_stream_next_batch(s, 0, 1, 0, &out, NULL, &err), &err, PLSM_ERROR_USAGE,
              "out_count is null");
    FAILS(plsm_stream_next_batch(NULL, 0, 1, 0, &out, &count, &err), &err, PLSM_ERROR_USAGE);
    plsm_stream_cancel(s);
    CHECK(plsm_stream_next_batch(s, 30000, 1, 0, &out, &count, &err) == PLSM_STREAM_END);
    plsm_stream_free(s);
}

/* A reader that took the seed, then fell behind: the gap error, then the end. */
static void gap(plsm_client_t *client) {
    plsm_pool_t *pool = NULL;
    OK(plsm_pool_create(client, "gap", 64 * 1024, &pool, &err), &err);
    if (!pool) return;
    unsigned long long seed = append(pool, "{\"kind\":\"seed\"}");
    plsm_stream_options_t o;
    memset(&o, 0, sizeof o);
    o.struct_size = sizeof o;
    o.gap_policy = PLSM_GAP_ERROR;
    o.since_seq = seed;
    o.has_since = 1;
    plsm_stream_t *s = NULL;
    OK(plsm_stream_open_ex(pool, &o, &s, &err), &err);
    plsm_buf_t out = {0};
    size_t count = 0;
    CHECK(plsm_stream_next_batch(s, 0, 10, 0, &out, &count, &err) == PLSM_STREAM_ITEM && count == 1);
    plsm_buf_free(&out);
    unsigned long long missing = append(pool, "{\"kind\":\"first-missing\"}");
    char big[4200];
    memset(big, 'x', sizeof big);
    memcpy(big, "{\"p\":\"", 6);
    memcpy(big + sizeof big - 3, "\"}", 3);
    for (int i = 0; i < 100; i++) append(pool, big);
    err = NULL;
    CHECK(plsm_stream_next_batch(s, 0, 10, 0, &out, &count, &err) == -1);
    CHECK(err && err->kind == PLSM_ERROR_RETENTION_GAP && err->has_seq && err->seq == missing);
    plsm_error_free(err);
    err = NULL;
    CHECK(plsm_stream_next_batch(s, 0, 10, 0, &out, &count, &err) == PLSM_STREAM_END && count == 0);
    plsm_stream_free(s);
    plsm_pool_free(pool);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: batch DIR\n");
        return 2;
    }
    plsm_client_t *client = NULL;
    plsm_pool_t *pool = NULL;
    OK(plsm_client_new(argv[1], &client, &err), &err);
    OK(plsm_pool_create(client, "batch", 1 << 20, &pool, &err), &err);
    if (!pool) return check_done("batch");
    batches(pool);
    gap(client);
    plsm_pool_free(pool);
    plsm_client_free(client);
    return check_done("batch");
}

#else
int main(void) {
    printf("batch: nothing to test without ABI minor 3\n");
    return 0;
}
#endif
