/* example: create (or open) a pool, append a few messages, read them back.
 *
 *   cc example.c $(pkg-config --cflags --libs plasmite) -o example
 *   ./example [POOL_DIR]
 */
#include <stdio.h>
#include <string.h>
#include <plasmite.h>

static int report(const char *what, plsm_error_t *err) {
    fprintf(stderr, "%s failed: kind %d: %s%s%s\n", what, err ? err->kind : 0,
            err && err->message ? err->message : "", err && err->path ? " at " : "",
            err && err->path ? err->path : "");
    plsm_error_free(err);
    return 1;
}

int main(int argc, char **argv) {
    const char *dir = argc > 1 ? argv[1] : NULL; /* NULL: ~/.plasmite/pools */
    plsm_error_t *err = NULL;
    plsm_client_t *client = NULL;
    plsm_pool_t *pool = NULL;

    if (plsm_client_new(dir, &client, &err) != 0) return report("client", err);
    if (plsm_pool_open(client, "example", &pool, &err) != 0) {
        if (err->kind != PLSM_ERROR_NOT_FOUND) return report("open", err);
        plsm_error_free(err);
        err = NULL;
        if (plsm_pool_create(client, "example", 0, &pool, &err) != 0) return report("create", err);
    }

    /* Append three messages tagged "demo"; each call returns the stored envelope. */
    const char *tags[] = {"demo"};
    uint64_t first = 0;
    for (int i = 1; i <= 3; i++) {
        char json[64];
        plsm_buf_t msg = {0};
        snprintf(json, sizeof json, "{\"step\":%d,\"note\":\"hello from C\"}", i);
        if (plsm_pool_append_json(pool, (const uint8_t *)json, strlen(json), tags, 1, 0, &msg, &err) != 0)
            return report("append", err);
        printf("appended %.*s\n", (int)msg.len, (const char *)msg.data);
        if (i == 1) sscanf((const char *)msg.data, "{\"seq\":%llu", (unsigned long long *)&first);
        plsm_buf_free(&msg);
    }

    /* Read them back: from the first one appended, at most 3, waiting at most 1 s. */
    plsm_stream_t *stream = NULL;
    if (plsm_stream_open(pool, first, 1, 3, 1, 1000, 1, &stream, &err) != 0) return report("stream", err);
    plsm_buf_t msg = {0};
    int rc, n = 0;
    while ((rc = plsm_stream_next(stream, &msg, &err)) == 1) {
        printf("read     %.*s\n", (int)msg.len, (const char *)msg.data);
        plsm_buf_free(&msg);
        n++;
    }
    if (rc < 0) return report("next", err);
    plsm_stream_free(stream);
    plsm_pool_free(pool);
    plsm_client_free(client);
    return n == 3 ? 0 : 1;
}
