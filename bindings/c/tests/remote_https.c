/* remote_https: pools of a server's HTTPS listener through plsm_remote_client_new with an
 * in-memory access key.
 *   remote_https ORIGIN KEY   (ORIGIN: https://127.0.0.1:PORT; KEY: an access key it issued)
 * Create, append, read back and stream over pinned TLS; a key pinning another server fails at
 * the first request (Io, the secret never sent); no key, or a malformed one, is refused at once. */
#define _POSIX_C_SOURCE 200809L
#include "check.h"
#include <stdint.h>

static plsm_error_t *err = NULL;

static plsm_client_t *client_with(const char *origin, const char *key) {
    plsm_remote_options_t o;
    memset(&o, 0, sizeof o);
    o.struct_size = sizeof o;
    o.access_key = key;
    plsm_client_t *c = NULL;
    OK(plsm_remote_client_new(origin, &o, &c, &err), &err);
    return c;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: remote_https ORIGIN KEY\n");
        return 2;
    }
    const char *origin = argv[1], *key = argv[2];
    plsm_client_t *c = NULL;
    FAILS(plsm_remote_client_new(origin, NULL, &c, &err), &err, PLSM_ERROR_PERMISSION);
    plsm_remote_options_t o;
    memset(&o, 0, sizeof o);
    o.struct_size = sizeof o;
    o.access_key = "pk1.nope";
    FAILS_MSG(plsm_remote_client_new(origin, &o, &c, &err), &err, PLSM_ERROR_USAGE, "invalid access key");

    c = client_with(origin, key);
    plsm_pool_t *p = NULL;
    OK(plsm_pool_create(c, "https-c", 1 << 20, &p, &err), &err);
    plsm_buf_t out = {0};
    const char *tags[] = {"t"};
    OK(plsm_pool_append_json(p, (const uint8_t *)"{\"n\":1}", 7, tags, 1, 0, &out, &err), &err);
    CHECK(buf_seq(&out) == 1);
    plsm_buf_free(&out);
    OK(plsm_pool_get_json(p, 1, &out, &err), &err);
    CHECK(buf_has(&out, "\"n\":1"));
    plsm_buf_free(&out);
    plsm_stream_t *s = NULL;
    OK(plsm_stream_open(p, 1, 1, 1, 1, 0, 0, &s, &err), &err);
    CHECK(plsm_stream_next(s, &out, &err) == 1 && buf_has(&out, "\"n\":1"));
    plsm_buf_free(&out);
    plsm_stream_free(s);
    OK(plsm_pool_list_json(c, &out, &err), &err);
    CHECK(buf_has(&out, "https-c"));
    plsm_buf_free(&out);
    plsm_pool_free(p);
    plsm_client_free(c);

    /* The same secret under another server's pin: the handshake fails, nothing is sent. */
    char wrong[256];
    const char *secret = strrchr(key, '.');
    CHECK(secret != NULL && strlen(secret) == 65);
    snprintf(wrong, sizeof wrong, "pk1.%064d%s", 0, secret);
    c = client_with(origin, wrong);
    FAILS(plsm_pool_open(c, "https-c", &p, &err), &err, PLSM_ERROR_IO);
    plsm_client_free(c);
    return check_done("remote_https");
}
