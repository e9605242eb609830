/* receipt: plsm_pool_append_json_receipt (ABI minor 5), an append that returns
 * the seq and time instead of the envelope.
 *   receipt DIR   (DIR: an empty scratch directory)
 * Checks that the receipt is the stored message's, that a canonical text gets
 * no envelope and that the one a caller then builds is what a read returns,
 * that any other text gets the library's envelope, and the argument errors.
 * Builds against the reference header too, where there is nothing to test. */
#define _POSIX_C_SOURCE 200809L /* gmtime_r */
#include "check.h"
#include <stdint.h>
#include <time.h>

#if defined(PLSM_ABI_MINOR) && PLSM_ABI_MINOR >= 5

static plsm_error_t *err = NULL;

/* The envelope the header promises for a canonical text: time as RFC 3339
 * UTC with the fraction trimmed. */
static void envelope(char *out, size_t cap, uint64_t seq, uint64_t ns, const char *tags, const char *json) {
    time_t sec = (time_t)(ns / 1000000000u);
    unsigned long frac = (unsigned long)(ns % 1000000000u);
    struct tm tm;
    gmtime_r(&sec, &tm);
    char when[64], digits[16] = "";
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
    if (frac) {
        snprintf(digits, sizeof digits, ".%09lu", frac);
        for (size_t n = strlen(digits); digits[n - 1] == '0'; n--) digits[n - 1] = 0;
    }
    snprintf(out, cap, "{\"seq\":%llu,\"time\":\"%s%sZ\",\"meta\":{\"tags\":[%s]},\"data\":%s}",
             (unsigned long long)seq, when, digits, tags, json);
}

static int buf_is(const plsm_buf_t *b, const char *text) {
    return b->data && b->len == strlen(text) && memcmp(b->data, text, b->len) == 0;
}

static void receipts(plsm_pool_t *pool) {
    const char *tags[] = {"a", "q\"\n\x01"};
    const char *tags_json = "\"a\",\"q\\\"\\n\\u0001\"";
    const char *canonical[] = {
        "{}",
        "{\"id\":1234567,\"kind\":\"bench\",\"ok\":true,\"payload\":\"abc\"}",
        "{\"a\":{\"b\":[1,-2.5,{\"c\":null}],\"d\":false},\"e\":[],\"f\":1e+21,\"s\":\"\\\"\\\\\\n\\u001f \xc5\xbc\"}",
    };
    for (size_t i = 0; i < sizeof canonical / sizeof canonical[0]; i++) {
        const char *json = canonical[i];
        uint64_t seq = 0, ns = 0;
        plsm_buf_t env = {(uint8_t *)"x", 1}, got = {0};
        OK(plsm_pool_append_json_receipt(pool, (const uint8_t *)json, strlen(json), tags, 2, 0, &seq, &ns, &env, &err), &err);
        CHECK(env.data == NULL && env.len == 0);
        OK(plsm_pool_get_json(pool, seq, &got, &err), &err);
        char want[1024];
        envelope(want, sizeof want, seq, ns, tags_json, json);
        CHECK(buf_is(&got, want));
        if (!buf_is(&got, want)) fprintf(stderr, "built %s\nread  %.*s\n", want, (int)got.len, (const char *)got.data);
        plsm_buf_free(&got);
    }

    /* not canonical: the envelope is the library's, and is what a read returns */
    const char *other[] = {"{\"b\":1,\"a\":2}", "{ \"a\": 1 }", "{\"a\":1,\"a\":2}", "{\"x\":0.000001}", "{\"s\":\"\\u0041\"}"};
    uint64_t last = 0;
    for (size_t i = 0; i < sizeof other / sizeof other[0]; i++) {
        uint64_t seq = 0, ns = 0;
        plsm_buf_t env = {0}, got = {0};
        OK(plsm_pool_append_json_receipt(pool, (const uint8_t *)other[i], strlen(other[i]), NULL, 0, 1, &seq, &ns, &env, &err), &err);
        CHECK(env.data != NULL && buf_seq(&env) == seq);
        OK(plsm_pool_get_json(pool, seq, &got, &err), &err);
        CHECK(got.len == env.len && memcmp(got.data, env.data, env.len) == 0);
        plsm_buf_free(&env);
        plsm_buf_free(&got);
        last = seq;
    }

    /* receipt only: seqs go on, times agree with the stored frame */
    uint64_t seq = 0, ns = 0;
    OK(plsm_pool_append_json_receipt(pool, (const uint8_t *)"{\"n\":1}", 7, NULL, 0, 0, &seq, &ns, NULL, &err), &err);
    CHECK(seq == last + 1);
    plsm_lite3_frame_t f = {0};
    OK(plsm_pool_get_lite3(pool, seq, &f, &err), &err);
    CHECK(f.seq == seq && f.timestamp_ns == ns);
    plsm_lite3_frame_free(&f);

    /* errors: as plsm_pool_append_json, and nothing is stored */
    plsm_buf_t env = {0};
    FAILS_MSG(plsm_pool_append_json_receipt(pool, (const uint8_t *)"{}", 2, NULL, 0, 0, NULL, &ns, &env, &err), &err,
              PLSM_ERROR_USAGE, "out_seq is null");
    FAILS_MSG(plsm_pool_append_json_receipt(pool, (const uint8_t *)"{}", 2, NULL, 0, 0, &seq, NULL, &env, &err), &err,
              PLSM_ERROR_USAGE, "out_timestamp_ns is null");
    FAILS_MSG(plsm_pool_append_json_receipt(pool, NULL, 0, NULL, 0, 0, &seq, &ns, &env, &err), &err,
              PLSM_ERROR_USAGE, "json_bytes is null");
    FAILS_PREFIX(plsm_pool_append_json_receipt(pool, (const uint8_t *)"{nope", 5, NULL, 0, 7, &seq, &ns, &env, &err), &err,
                 PLSM_ERROR_USAGE, "invalid json");
    FAILS_MSG(plsm_pool_append_json_receipt(pool, (const uint8_t *)"[1]", 3, NULL, 0, 0, &seq, &ns, &env, &err), &err,
              PLSM_ERROR_USAGE, "data must be object");
    FAILS_MSG(plsm_pool_append_json_receipt(pool, (const uint8_t *)"{}", 2, NULL, 0, 7, &seq, &ns, &env, &err), &err,
              PLSM_ERROR_USAGE, "invalid durability");
    const char *bad_tags[] = {"ok", NULL};
    FAILS_MSG(plsm_pool_append_json_receipt(pool, (const uint8_t *)"{}", 2, bad_tags, 2, 0, &seq, &ns, &env, &err), &err,
              PLSM_ERROR_USAGE, "tags contains null");
    FAILS(plsm_pool_append_json_receipt(NULL, (const uint8_t *)"{}", 2, NULL, 0, 0, &seq, &ns, &env, &err), &err,
          PLSM_ERROR_USAGE);
    CHECK(env.data == NULL);
    plsm_buf_t info = {0};
    OK(plsm_pool_info_json(pool, &info, &err), &err);
    char newest[64];
    snprintf(newest, sizeof newest, "\"newest\":%llu", (unsigned long long)(last + 1));
    CHECK(buf_has(&info, newest));
    plsm_buf_free(&info);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: receipt DIR\n");
        return 2;
    }
    plsm_client_t *client = NULL;
    plsm_pool_t *pool = NULL;
    OK(plsm_client_new(argv[1], &client, &err), &err);
    OK(plsm_pool_create(client, "receipt", 1 << 20, &pool, &err), &err);
    if (pool) receipts(pool);
    plsm_pool_free(pool);
    plsm_client_free(client);
    return check_done("receipt");
}

#else

int main(void) {
    printf("receipt: nothing to test against this header\n");
    return 0;
}

#endif
