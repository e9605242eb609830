/* envelopes: prints what the library returns for a set of tricky inputs, with
 * times masked, so that test-c.sh can diff our output against the reference
 * library's (the same source compiled against each header and library).
 *   envelopes DIR
 * Known difference left out of the inputs: for an integer above INT64_MAX
 * (stored as a float), the reference's append_json echoes the integer as
 * typed while its get_json shows the stored float; ours shows the stored
 * value in both. */
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <plasmite.h>

static const char *inputs[] = {
    "{}",
    "{\"b\":1,\"a\":2,\"c\":{\"z\":[3,2,1],\"y\":null}}",
    "  {\"s\":\"caf\\u00e9 \\ud83d\\ude00 \\\"q\\\" \\\\ \\/ \\b\\f\\n\\r\\t \\u0001 </script>\"}  ",
    "{\"n\":[0,-0,1.0,1.5,-2.25e10,1e300,123456789012345678,9223372036854775807,1e-7,0.1]}",
    "{\"deep\":{\"a\":{\"b\":{\"c\":{\"d\":[[[[]]]]}}}}}",
    "{\"dup\":1,\"dup\":2}",
    "{\"t\":true,\"f\":false,\"e\":\"\",\"u\":\"\xc3\xa9\xe2\x82\xac\"}",
    "{\"big\":\"0123456789012345678901234567890123456789012345678901234567890123456789\",\"arr\":[{\"k\":1},{\"j\":2}]}",
    /* failures: only the kind is printed */
    "[1,2]", "\"str\"", "{", "{\"a\":1,}", "", "{\"a\":01}", "{\"a\":\"\xff\"}",
};

static void print_masked(const char *label, const plsm_buf_t *b) {
    /* "time":"...Z" → "time":"T" */
    const char *p = (const char *)b->data;
    size_t n = b->len;
    printf("%s ", label);
    for (size_t i = 0; i < n; i++) {
        if (i + 8 <= n && memcmp(p + i, "\"time\":\"", 8) == 0) {
            fputs("\"time\":\"T\"", stdout);
            i += 8;
            while (i < n && p[i] != '"') i++;
            continue;
        }
        putchar(p[i]);
    }
    putchar('\n');
}

int main(int argc, char **argv) {
    if (argc != 2) return 2;
    plsm_error_t *err = NULL;
    plsm_client_t *client = NULL;
    plsm_pool_t *pool = NULL;
    if (plsm_client_new(argv[1], &client, &err) || plsm_pool_create(client, "env", 0, &pool, &err)) {
        fprintf(stderr, "setup failed: %s\n", err ? err->message : "?");
        return 1;
    }
    const char *tags[] = {"x", "caf\xc3\xa9", "", "a\"b", "x"};
    size_t nt = 0;
    for (size_t i = 0; i < sizeof inputs / sizeof *inputs; i++, nt = (nt + 1) % 6) {
        plsm_buf_t out = {0};
        size_t len = strlen(inputs[i]);
        int rc = plsm_pool_append_json(pool, (const uint8_t *)inputs[i], len, nt ? tags : NULL, nt, 0, &out, &err);
        if (rc == 0) {
            print_masked("append", &out);
            plsm_buf_free(&out);
        } else {
            printf("append error kind=%d\n", err ? err->kind : 0);
            plsm_error_free(err);
            err = NULL;
        }
    }
    for (uint64_t seq = 0; seq <= 9; seq++) {
        plsm_buf_t out = {0};
        if (plsm_pool_get_json(pool, seq, &out, &err) == 0) {
            print_masked("get", &out);
            plsm_buf_free(&out);
        } else {
            printf("get %llu error kind=%d has_seq=%d seq=%llu path=%s\n", (unsigned long long)seq,
                   err->kind, err->has_seq, (unsigned long long)err->seq, err->path ? "yes" : "no");
            plsm_error_free(err);
            err = NULL;
        }
    }
    plsm_stream_t *s = NULL;
    if (plsm_stream_open(pool, 3, 1, 4, 1, 1000, 1, &s, &err) == 0) {
        plsm_buf_t out = {0};
        int rc;
        while ((rc = plsm_stream_next(s, &out, &err)) == 1) {
            print_masked("next", &out);
            plsm_buf_free(&out);
        }
        printf("next end rc=%d\n", rc);
        plsm_stream_free(s);
    }
    /* lite3 frames: flags and the payload bytes themselves */
    for (uint64_t seq = 1; seq <= 8; seq++) {
        plsm_lite3_frame_t f = {0};
        if (plsm_pool_get_lite3(pool, seq, &f, &err) == 0) {
            printf("frame %llu flags=%u len=%zu bytes=", (unsigned long long)f.seq, f.flags, f.payload.len);
            for (size_t i = 0; i < f.payload.len; i++) printf("%02x", f.payload.data[i]);
            putchar('\n');
            plsm_lite3_frame_free(&f);
        } else {
            plsm_error_free(err);
            err = NULL;
        }
    }
    plsm_pool_free(pool);
    plsm_client_free(client);
    return 0;
}
