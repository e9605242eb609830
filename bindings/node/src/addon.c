/*
 * addon.c — the native layer of the Node binding: a thin N-API adapter over
 * libplasmite's C ABI (include/plasmite.h).
 *
 * It exports flat functions over opaque handles (N-API externals); the
 * JavaScript layer (native.js, index.js) gives them the package's API. Each
 * function converts its arguments, makes one ABI call and converts the
 * result: no policy lives here.
 *
 * Waiting: nothing here blocks the event loop except streamNext, the
 * synchronous read kept for programs written for the reference package.
 * streamWatch registers the stream's readiness descriptor (plsm_stream_fd)
 * with the event loop (uv_poll_t: no thread, no read of the descriptor) and
 * calls back once when it becomes readable; streamNextTimeout(h, 0) then
 * takes what is there without waiting.
 *
 * Errors from the ABI become Error objects with own properties kind (the
 * kind's name), path, seq and offset; the message reads
 * "plasmite error: kind=<Name>; message=<text>". Bad argument types are
 * TypeError or RangeError.
 */
#define _GNU_SOURCE
#define NAPI_VERSION 8
#include <node_api.h>
#include <uv.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plasmite.h"

/* ---- handles --------------------------------------------------------- */

enum kind { K_CLIENT = 1, K_POOL, K_STREAM, K_LITE3, K_UDP_CLIENT, K_UDP_POOL, K_UDP_FOLLOW };

/* A handle is owned by its JS external. ptr is NULL once closed. A stream
 * being watched holds a reference to its callback; its uv_poll_t is freed
 * in the close callback of uv_close. */
typedef struct handle {
    int kind;
    void *ptr;
    napi_env env;
    uv_poll_t *poll; /* streams, once watched */
    napi_ref cb;     /* the pending watch callback (NULL: none) */
} handle_t;

static void free_ptr(handle_t *h);

static void poll_closed(uv_handle_t *p) { free(p); }

/* stop_watch drops the pending callback and closes the poll handle. The
 * closing is synchronous as far as the descriptor is concerned (libuv
 * forgets it in uv_close), so the stream may be freed right after. */
static void stop_watch(handle_t *h) {
    if (h->cb) {
        napi_delete_reference(h->env, h->cb);
        h->cb = NULL;
    }
    if (h->poll) {
        uv_close((uv_handle_t *)h->poll, poll_closed);
        h->poll = NULL;
    }
}

static void finalize_handle(napi_env env, void *data, void *hint) {
    (void)env;
    (void)hint;
    handle_t *h = data;
    stop_watch(h);
    free_ptr(h);
    free(h);
}

static void free_ptr(handle_t *h) {
    void *p = h->ptr;
    h->ptr = NULL;
    if (!p) return;
    switch (h->kind) {
    case K_CLIENT: plsm_client_free(p); break;
    case K_POOL: plsm_pool_free(p); break;
    case K_STREAM: plsm_stream_free(p); break;
    case K_LITE3: plsm_lite3_stream_free(p); break;
    case K_UDP_CLIENT: plsm_udp_client_free(p); break;
    case K_UDP_POOL: plsm_udp_pool_free(p); break;
    case K_UDP_FOLLOW: plsm_udp_follow_close(p); break;
    }
}

/* ---- errors ---------------------------------------------------------- */

static const char *KIND_NAMES[] = {"Io", "Internal", "Usage", "NotFound", "AlreadyExists",
                                   "Busy", "Permission", "Corrupt", "Io", "RetentionGap"};

static napi_value make_u64(napi_env env, uint64_t v) {
    napi_value out;
    if (v <= 9007199254740991ull) napi_create_double(env, (double)v, &out);
    else napi_create_bigint_uint64(env, v, &out);
    return out;
}

static napi_value make_u64_big(napi_env env, uint64_t v) {
    napi_value out;
    napi_create_bigint_uint64(env, v, &out);
    return out;
}

/* throw_plsm throws err as an Error with own kind/path/seq/offset, frees it,
 * and returns NULL for the caller to return. */
static napi_value throw_plsm(napi_env env, plsm_error_t *err) {
    const char *kind = "Io";
    const char *msg = "unknown error";
    if (err) {
        if (err->kind >= 1 && err->kind <= 9) kind = KIND_NAMES[err->kind];
        if (err->message) msg = err->message;
    }
    size_t n = strlen(msg) + strlen(kind) + 48;
    char *text = malloc(n);
    if (!text) {
        napi_throw_error(env, NULL, "out of memory");
        plsm_error_free(err);
        return NULL;
    }
    snprintf(text, n, "plasmite error: kind=%s; message=%s", kind, msg);
    napi_value jmsg, jerr, v;
    napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &jmsg);
    free(text);
    napi_create_error(env, NULL, jmsg, &jerr);
    napi_create_string_utf8(env, kind, NAPI_AUTO_LENGTH, &v);
    napi_set_named_property(env, jerr, "kind", v);
    if (err && err->path) {
        napi_create_string_utf8(env, err->path, NAPI_AUTO_LENGTH, &v);
        napi_set_named_property(env, jerr, "path", v);
    }
    if (err && err->has_seq) napi_set_named_property(env, jerr, "seq", make_u64(env, err->seq));
    if (err && err->has_offset) napi_set_named_property(env, jerr, "offset", make_u64(env, err->offset));
    plsm_error_free(err);
    napi_throw(env, jerr);
    return NULL;
}

/* ---- argument helpers ------------------------------------------------ */

/* ARGS(n) declares argv (n arguments, missing ones undefined) and st, the
 * calling environment's state (each worker thread has its own). */
#define MAXARGS 8
#define ARGS(n)                                                                 \
    size_t argc = (n);                                                          \
    napi_value argv[MAXARGS];                                                   \
    state_t *st = NULL;                                                         \
    if (napi_get_cb_info(env, info, &argc, argv, NULL, (void **)&st) != napi_ok) return NULL; \
    (void)st;                                                                   \
    for (size_t i_ = argc; i_ < (n); i_++) napi_get_undefined(env, &argv[i_]);

static napi_valuetype type_of(napi_env env, napi_value v) {
    napi_valuetype t;
    napi_typeof(env, v, &t);
    return t;
}

static int is_nullish(napi_env env, napi_value v) {
    napi_valuetype t = type_of(env, v);
    return t == napi_undefined || t == napi_null;
}

/* get_handle returns the handle behind an external of one of the kinds
 * (kind2 0: one kind), or throws a TypeError. A closed handle is returned
 * with ptr NULL: the ABI then reports its own Usage error. */
static handle_t *get_handle(napi_env env, napi_value v, int kind, int kind2) {
    void *data = NULL;
    if (type_of(env, v) != napi_external || napi_get_value_external(env, v, &data) != napi_ok || !data) {
        napi_throw_type_error(env, NULL, "expected a plasmite native handle");
        return NULL;
    }
    handle_t *h = data;
    if (h->kind != kind && h->kind != kind2) {
        napi_throw_type_error(env, NULL, "wrong kind of plasmite native handle");
        return NULL;
    }
    return h;
}

static napi_value new_handle(napi_env env, int kind, void *ptr) {
    handle_t *h = calloc(1, sizeof *h);
    if (!h) {
        free_ptr(&(handle_t){.kind = kind, .ptr = ptr});
        napi_throw_error(env, NULL, "out of memory");
        return NULL;
    }
    h->kind = kind;
    h->ptr = ptr;
    h->env = env;
    napi_value out;
    if (napi_create_external(env, h, finalize_handle, NULL, &out) != napi_ok) {
        free_ptr(h);
        free(h);
        return NULL;
    }
    return out;
}

/* get_u64 reads a non-negative safe integer or a bigint in the u64 range. */
static int get_u64(napi_env env, napi_value v, const char *name, uint64_t *out) {
    char msg[96];
    napi_valuetype t = type_of(env, v);
    if (t == napi_bigint) {
        int sign = 0;
        size_t words = 1;
        uint64_t w = 0;
        napi_get_value_bigint_words(env, v, NULL, &words, NULL);
        if (words <= 1) {
            words = 1;
            napi_get_value_bigint_words(env, v, &sign, &words, &w);
            if (!sign || w == 0) {
                *out = w;
                return 1;
            }
        }
    } else if (t == napi_number) {
        double d;
        napi_get_value_double(env, v, &d);
        if (d >= 0 && d <= 9007199254740991.0) { /* a fraction is truncated, as by the reference */
            *out = (uint64_t)d;
            return 1;
        }
    } else {
        snprintf(msg, sizeof msg, "%s must be a number or bigint", name);
        napi_throw_type_error(env, NULL, msg);
        return 0;
    }
    snprintf(msg, sizeof msg, "%s must fit an unsigned 64-bit integer", name);
    napi_throw_range_error(env, NULL, msg);
    return 0;
}

static int get_u32(napi_env env, napi_value v, const char *name, uint32_t *out) {
    uint64_t x;
    if (!get_u64(env, v, name, &x)) return 0;
    if (x > UINT32_MAX) {
        char msg[96];
        snprintf(msg, sizeof msg, "%s must fit an unsigned 32-bit integer", name);
        napi_throw_range_error(env, NULL, msg);
        return 0;
    }
    *out = (uint32_t)x;
    return 1;
}

/* A growable scratch area reused across calls (the event loop thread is the
 * only caller), so that converting strings allocates nothing per call. */
typedef struct scratch {
    char *p;
    size_t cap;
} scratch_t;

static int reserve(napi_env env, scratch_t *s, size_t n) {
    if (n <= s->cap) return 1;
    size_t cap = s->cap ? s->cap : 256;
    while (cap < n) cap *= 2;
    char *p = realloc(s->p, cap);
    if (!p) {
        napi_throw_error(env, NULL, "out of memory");
        return 0;
    }
    s->p = p;
    s->cap = cap;
    return 1;
}

/* copy_utf8 copies the JS string v as NUL-terminated UTF-8 into s at
 * offset off and sets *len to its length. One copy into the room there is
 * usually enough: a result that could have been cut short (the copy stops
 * before a character that does not fit, so up to 3 bytes early) is redone
 * at the exact size. */
static int copy_utf8(napi_env env, napi_value v, scratch_t *s, size_t off, size_t *len) {
    if (!reserve(env, s, off + 256)) return 0;
    size_t room = s->cap - off, n = 0;
    napi_get_value_string_utf8(env, v, s->p + off, room, &n);
    if (n + 4 >= room) {
        napi_get_value_string_utf8(env, v, NULL, 0, &n);
        if (!reserve(env, s, off + n + 1)) return 0;
        napi_get_value_string_utf8(env, v, s->p + off, n + 1, &n);
    }
    *len = n;
    return 1;
}

/* get_string copies a JS string as NUL-terminated UTF-8 into s at offset
 * off; *len receives its length. A string with a NUL inside is refused. */
static int get_string_at(napi_env env, napi_value v, const char *name, scratch_t *s, size_t off, size_t *len) {
    char msg[96];
    if (type_of(env, v) != napi_string) {
        snprintf(msg, sizeof msg, "%s must be a string", name);
        napi_throw_type_error(env, NULL, msg);
        return 0;
    }
    size_t n = 0;
    if (!copy_utf8(env, v, s, off, &n)) return 0;
    if (memchr(s->p + off, 0, n)) {
        snprintf(msg, sizeof msg, "%s must not contain NUL characters", name);
        napi_throw_type_error(env, NULL, msg);
        return 0;
    }
    *len = n;
    return 1;
}

/* The state of one environment (the main thread, or a worker): scratch
 * memory reused across its calls, so that converting arguments allocates
 * nothing per call, and the receipt area of appendJsonReceipt. */
typedef struct state {
    scratch_t str, json, tags;
    const char **tag_ptrs;
    size_t *tag_offs;
    size_t tag_cap;
    plsm_json_message_t *batch_msgs;
    size_t batch_cap;
    unsigned char *receipt;     /* RECEIPT_BYTES of the exported ArrayBuffer */
    unsigned char *batch_index; /* BATCH_INDEX_BYTES, likewise */
} state_t;

/* get_tags converts an array of strings (or nullish: none) to C strings
 * kept in st->tags; *out is NULL when there are none. */
static int reserve_tags(napi_env env, state_t *st, size_t n) {
    if (n <= st->tag_cap) return 1;
    const char **p = realloc(st->tag_ptrs, n * sizeof *p);
    if (p) st->tag_ptrs = p;
    size_t *o = p ? realloc(st->tag_offs, n * sizeof *o) : NULL;
    if (!o) {
        napi_throw_error(env, NULL, "out of memory");
        return 0;
    }
    st->tag_offs = o;
    st->tag_cap = n;
    return 1;
}

static int get_tags(napi_env env, state_t *st, napi_value v, const char ***out, size_t *count) {
    *out = NULL;
    *count = 0;
    if (is_nullish(env, v)) return 1;
    bool isarr = false;
    napi_is_array(env, v, &isarr);
    if (!isarr) {
        napi_throw_type_error(env, NULL, "tags must be an array of strings");
        return 0;
    }
    uint32_t n;
    napi_get_array_length(env, v, &n);
    if (n == 0) return 1;
    if (!reserve_tags(env, st, n)) return 0;
    size_t off = 0;
    for (uint32_t i = 0; i < n; i++) {
        napi_value e;
        size_t len;
        napi_get_element(env, v, i, &e);
        if (!get_string_at(env, e, "tag", &st->tags, off, &len)) return 0;
        st->tag_offs[i] = off;
        off += len + 1;
    }
    for (uint32_t i = 0; i < n; i++) st->tag_ptrs[i] = st->tags.p + st->tag_offs[i];
    *out = st->tag_ptrs;
    *count = n;
    return 1;
}

/* get_bytes gives the bytes of a Buffer/TypedArray, or of a string as UTF-8
 * (copied into s). */
static int get_bytes(napi_env env, napi_value v, const char *name, scratch_t *s, const uint8_t **p, size_t *len) {
    if (type_of(env, v) == napi_string) {
        if (!copy_utf8(env, v, s, 0, len)) return 0;
        *p = (const uint8_t *)s->p;
        return 1;
    }
    bool is = false;
    napi_is_buffer(env, v, &is);
    if (is) {
        void *d;
        napi_get_buffer_info(env, v, &d, len);
        *p = d ? d : (const uint8_t *)"";
        return 1;
    }
    napi_is_typedarray(env, v, &is);
    if (is) {
        napi_typedarray_type t;
        size_t n, off;
        void *d;
        napi_value ab;
        napi_get_typedarray_info(env, v, &t, &n, &d, &ab, &off);
        if (t == napi_uint8_array || t == napi_int8_array || t == napi_uint8_clamped_array) {
            *p = d ? d : (const uint8_t *)"";
            *len = n;
            return 1;
        }
    }
    char msg[96];
    snprintf(msg, sizeof msg, "%s must be a Buffer or a string", name);
    napi_throw_type_error(env, NULL, msg);
    return 0;
}

/* take_buf turns library bytes into a Buffer (a copy) and frees them. */
static napi_value take_buf(napi_env env, plsm_buf_t *b) {
    napi_value out;
    void *copy;
    napi_status st = napi_create_buffer_copy(env, b->len, b->data ? (const void *)b->data : "", &copy, &out);
    plsm_buf_free(b);
    return st == napi_ok ? out : NULL;
}

/* take_str turns library JSON text into a JS string and frees it. A string
 * costs the caller less than a Buffer (no backing store per message); the
 * JS layer makes a Buffer only when one is asked for. */
static napi_value take_str(napi_env env, plsm_buf_t *b) {
    napi_value out;
    napi_status st = napi_create_string_utf8(env, b->data ? (const char *)b->data : "", b->len, &out);
    plsm_buf_free(b);
    return st == napi_ok ? out : NULL;
}

static napi_value frame_object(napi_env env, plsm_lite3_frame_t *f) {
    napi_value obj, v;
    napi_create_object(env, &obj);
    napi_set_named_property(env, obj, "seq", make_u64_big(env, f->seq));
    napi_set_named_property(env, obj, "timestampNs", make_u64_big(env, f->timestamp_ns));
    napi_create_uint32(env, f->flags, &v);
    napi_set_named_property(env, obj, "flags", v);
    napi_set_named_property(env, obj, "payload", take_buf(env, &f->payload));
    plsm_lite3_frame_free(f);
    return obj;
}

static napi_value undefined(napi_env env) {
    napi_value u;
    napi_get_undefined(env, &u);
    return u;
}

static napi_value null_value(napi_env env) {
    napi_value u;
    napi_get_null(env, &u);
    return u;
}

/* ---- clients and pools ---------------------------------------------- */

/* clientNew(poolDir: string|null) -> handle */
static napi_value client_new(napi_env env, napi_callback_info info) {
    ARGS(1);
    const char *dir = NULL;
    size_t len;
    if (!is_nullish(env, argv[0])) {
        if (!get_string_at(env, argv[0], "poolDir", &st->str, 0, &len)) return NULL;
        dir = st->str.p;
    }
    plsm_client_t *c = NULL;
    plsm_error_t *err = NULL;
    if (plsm_client_new(dir, &c, &err) != 0) return throw_plsm(env, err);
    return new_handle(env, K_CLIENT, c);
}

/* close(handle): frees the native object; later calls see a closed handle.
 * Idempotent. */
static napi_value close_handle(napi_env env, napi_callback_info info) {
    ARGS(1);
    void *data = NULL;
    if (type_of(env, argv[0]) == napi_external && napi_get_value_external(env, argv[0], &data) == napi_ok && data) {
        handle_t *h = data;
        stop_watch(h);
        free_ptr(h);
    }
    return undefined(env);
}

/* poolCreate(client, ref, size) / poolOpen(client, ref) -> handle */
static napi_value pool_create(napi_env env, napi_callback_info info) {
    ARGS(3);
    handle_t *c = get_handle(env, argv[0], K_CLIENT, 0);
    if (!c) return NULL;
    size_t len;
    uint64_t size = 0;
    if (!get_string_at(env, argv[1], "poolRef", &st->str, 0, &len)) return NULL;
    if (!is_nullish(env, argv[2]) && !get_u64(env, argv[2], "sizeBytes", &size)) return NULL;
    plsm_pool_t *p = NULL;
    plsm_error_t *err = NULL;
    if (plsm_pool_create(c->ptr, st->str.p, size, &p, &err) != 0) return throw_plsm(env, err);
    return new_handle(env, K_POOL, p);
}

static napi_value pool_open(napi_env env, napi_callback_info info) {
    ARGS(2);
    handle_t *c = get_handle(env, argv[0], K_CLIENT, 0);
    if (!c) return NULL;
    size_t len;
    if (!get_string_at(env, argv[1], "poolRef", &st->str, 0, &len)) return NULL;
    plsm_pool_t *p = NULL;
    plsm_error_t *err = NULL;
    if (plsm_pool_open(c->ptr, st->str.p, &p, &err) != 0) return throw_plsm(env, err);
    return new_handle(env, K_POOL, p);
}

/* poolDelete(client, ref) */
static napi_value pool_delete(napi_env env, napi_callback_info info) {
    ARGS(2);
    handle_t *c = get_handle(env, argv[0], K_CLIENT, 0);
    if (!c) return NULL;
    size_t len;
    if (!get_string_at(env, argv[1], "poolRef", &st->str, 0, &len)) return NULL;
    plsm_error_t *err = NULL;
    if (plsm_pool_delete(c->ptr, st->str.p, &err) != 0) return throw_plsm(env, err);
    return undefined(env);
}

/* poolListJson(client) -> Buffer */
static napi_value pool_list_json(napi_env env, napi_callback_info info) {
    ARGS(1);
    handle_t *c = get_handle(env, argv[0], K_CLIENT, 0);
    if (!c) return NULL;
    plsm_buf_t b = {0};
    plsm_error_t *err = NULL;
    if (plsm_pool_list_json(c->ptr, &b, &err) != 0) return throw_plsm(env, err);
    return take_str(env, &b);
}

/* poolInfoJson(pool) -> Buffer */
static napi_value pool_info_json(napi_env env, napi_callback_info info) {
    ARGS(1);
    handle_t *p = get_handle(env, argv[0], K_POOL, 0);
    if (!p) return NULL;
    plsm_buf_t b = {0};
    plsm_error_t *err = NULL;
    if (plsm_pool_info_json(p->ptr, &b, &err) != 0) return throw_plsm(env, err);
    return take_str(env, &b);
}

static int get_tag_text(napi_env env, state_t *st, napi_value v, const char ***out, size_t *count);

/* The arguments of a single JSON append: (pool, json, tags, durability). */
typedef struct append_args {
    handle_t *pool;
    const uint8_t *json;
    size_t len;
    const char **tags;
    size_t ntags;
    uint32_t dur;
} append_args_t;

/* get_append_args reads them from argv; tags are an array of strings, or
 * with tag_text the string get_tag_text reads. */
static int get_append_args(napi_env env, state_t *st, napi_value *argv, int tag_text, append_args_t *a) {
    a->dur = 0;
    if (!(a->pool = get_handle(env, argv[0], K_POOL, 0))) return 0;
    if (!get_bytes(env, argv[1], "payload", &st->json, &a->json, &a->len)) return 0;
    if (!(tag_text ? get_tag_text(env, st, argv[2], &a->tags, &a->ntags) : get_tags(env, st, argv[2], &a->tags, &a->ntags)))
        return 0;
    return is_nullish(env, argv[3]) || get_u32(env, argv[3], "durability", &a->dur);
}

/* appendJson(pool, json: Buffer|string, tags, durability) -> Buffer */
static napi_value append_json(napi_env env, napi_callback_info info) {
    ARGS(4);
    append_args_t a;
    if (!get_append_args(env, st, argv, 0, &a)) return NULL;
    plsm_buf_t b = {0};
    plsm_error_t *err = NULL;
    if (plsm_pool_append_json(a.pool->ptr, a.json, a.len, a.tags, a.ntags, a.dur, &b, &err) != 0)
        return throw_plsm(env, err);
    return take_str(env, &b);
}

/* get_tag_text converts tags given as one string, each tag followed by a
 * NUL ("a\0b\0"; "" is none), to C strings kept in st->tags. The JS layer
 * has checked them (strings without NUL) and keeps the text across calls. */
static int get_tag_text(napi_env env, state_t *st, napi_value v, const char ***out, size_t *count) {
    size_t len;
    *out = NULL;
    *count = 0;
    if (type_of(env, v) != napi_string) {
        napi_throw_type_error(env, NULL, "tags must be a string");
        return 0;
    }
    if (!copy_utf8(env, v, &st->tags, 0, &len)) return 0;
    size_t n = 0;
    for (size_t i = 0; i < len; i++) n += st->tags.p[i] == 0;
    if (n == 0) return 1;
    if (!reserve_tags(env, st, n)) return 0;
    const char *q = st->tags.p;
    for (size_t i = 0; i < n; i++) {
        st->tag_ptrs[i] = q;
        q += strlen(q) + 1;
    }
    *out = st->tag_ptrs;
    *count = n;
    return 1;
}

/* The receipt area (an ArrayBuffer exported as `receipt`): the seq as a
 * u64 at 0, then three f64: the append time as seconds and nanoseconds,
 * and the seq again (exact up to 2^53). */
#define RECEIPT_BYTES 32

/* appendJsonReceipt(pool, json: Buffer|string, tags: string (see
 * get_tag_text), durability) -> undefined | string
 * Appends and writes the receipt to the receipt area. Returns undefined
 * when json is canonical (the caller makes the envelope from it, see
 * plsm_pool_append_json_receipt), else the library's envelope text. */
static napi_value append_json_receipt(napi_env env, napi_callback_info info) {
    ARGS(4);
    append_args_t a;
    if (!get_append_args(env, st, argv, 1, &a)) return NULL;
    uint64_t seq = 0, ns = 0;
    plsm_buf_t b = {0};
    plsm_error_t *err = NULL;
    if (plsm_pool_append_json_receipt(a.pool->ptr, a.json, a.len, a.tags, a.ntags, a.dur, &seq, &ns, &b, &err) != 0)
        return throw_plsm(env, err);
    double f[3] = {(double)(ns / 1000000000u), (double)(ns % 1000000000u), (double)seq};
    memcpy(st->receipt, &seq, 8);
    memcpy(st->receipt + 8, f, sizeof f);
    return b.data ? take_str(env, &b) : undefined(env);
}

/* appendJsonBatch(pool, joined: Buffer|string|Buffer[], tags, durability)
 *   -> [firstSeq: bigint, count: number]
 * joined holds the messages' JSON texts separated by '\n' (JSON.stringify
 * never writes a raw newline), or is an array of Buffers, one per message.
 * Every message gets the same tags. */
static int batch_reserve(napi_env env, state_t *st, size_t n) {
    if (n <= st->batch_cap) return 1;
    size_t cap = st->batch_cap ? st->batch_cap : 64;
    while (cap < n) cap *= 2;
    plsm_json_message_t *m = realloc(st->batch_msgs, cap * sizeof *m);
    if (!m) {
        napi_throw_error(env, NULL, "out of memory");
        return 0;
    }
    st->batch_msgs = m;
    st->batch_cap = cap;
    return 1;
}

static napi_value finish_batch(napi_env env, state_t *st, handle_t *p, size_t count, const char **tags, size_t ntags,
                               napi_value durability);

static napi_value append_json_batch(napi_env env, napi_callback_info info) {
    ARGS(4);
    handle_t *p = get_handle(env, argv[0], K_POOL, 0);
    if (!p) return NULL;
    size_t ntags, count = 0;
    const char **tags;
    bool isarr = false;
    napi_is_array(env, argv[1], &isarr);
    if (isarr) {
        uint32_t n;
        napi_get_array_length(env, argv[1], &n);
        if (!batch_reserve(env, st, n)) return NULL;
        for (uint32_t i = 0; i < n; i++) {
            napi_value e;
            bool isbuf = false;
            napi_get_element(env, argv[1], i, &e);
            napi_is_buffer(env, e, &isbuf);
            if (!isbuf) {
                napi_throw_type_error(env, NULL, "batch elements must be Buffers");
                return NULL;
            }
            void *d;
            size_t len;
            napi_get_buffer_info(env, e, &d, &len);
            st->batch_msgs[i] = (plsm_json_message_t){.json_bytes = d ? d : (const uint8_t *)"", .json_len = len};
        }
        count = n;
    } else {
        const uint8_t *all;
        size_t len;
        if (!get_bytes(env, argv[1], "batch", &st->json, &all, &len)) return NULL;
        const uint8_t *q = all, *end = all + len;
        while (len > 0) {
            const uint8_t *nl = memchr(q, '\n', (size_t)(end - q));
            const uint8_t *stop = nl ? nl : end;
            if (!batch_reserve(env, st, count + 1)) return NULL;
            st->batch_msgs[count++] = (plsm_json_message_t){.json_bytes = q, .json_len = (size_t)(stop - q)};
            if (!nl) break;
            q = nl + 1;
        }
    }
    if (!get_tags(env, st, argv[2], &tags, &ntags)) return NULL;
    return finish_batch(env, st, p, count, tags, ntags, argv[3]);
}

/* finish_batch appends st->batch_msgs[0..count) with the same tags, and
 * returns [firstSeq, count]. */
static napi_value finish_batch(napi_env env, state_t *st, handle_t *p, size_t count, const char **tags, size_t ntags,
                               napi_value durability) {
    uint32_t dur = 0;
    if (!is_nullish(env, durability) && !get_u32(env, durability, "durability", &dur)) return NULL;
    for (size_t i = 0; i < count; i++) {
        st->batch_msgs[i].tags = (const char *const *)tags;
        st->batch_msgs[i].tags_len = ntags;
    }
    uint64_t first = 0;
    size_t appended = 0;
    plsm_error_t *err = NULL;
    if (plsm_pool_append_json_batch(p->ptr, st->batch_msgs, count, dur, &first, &appended, &err) != 0)
        return throw_plsm(env, err);
    napi_value out, v;
    napi_create_array_with_length(env, 2, &out);
    napi_set_element(env, out, 0, make_u64_big(env, first));
    napi_create_double(env, (double)appended, &v);
    napi_set_element(env, out, 1, v);
    return out;
}

/* end_of_string returns the index just past the closing quote of the JSON
 * string whose opening quote is at s[i], or n. */
static size_t end_of_string(const uint8_t *s, size_t i, size_t n) {
    size_t from = i + 1;
    for (;;) {
        const uint8_t *q = memchr(s + from, '"', n - from);
        if (!q) return n;
        size_t j = (size_t)(q - s), k = j;
        while (k > i + 1 && s[k - 1] == '\\') k--;
        if ((j - k) % 2 == 0) return j + 1; /* not escaped */
        from = j + 1;
    }
}

/* split_array points st->batch_msgs at the elements of the JSON array text
 * s (as JSON.stringify writes it: no whitespace) and sets *count. It
 * returns 1 when every element is an object, 0 when one is not (the caller
 * then takes another way, which reports it), -1 when it threw. */
static int split_array(napi_env env, state_t *st, const uint8_t *s, size_t n, size_t *count) {
    *count = 0;
    if (n < 2 || s[0] != '[' || s[n - 1] != ']') return 0;
    size_t i = 1, end = n - 1, c = 0;
    while (i < end) {
        if (s[i] != '{') return 0;
        size_t start = i;
        int depth = 0;
        while (i < end) {
            uint8_t ch = s[i];
            if (ch == '"') {
                i = end_of_string(s, i, end);
                continue;
            }
            i++;
            if (ch == '{' || ch == '[') {
                depth++;
            } else if ((ch == '}' || ch == ']') && --depth == 0) {
                break;
            }
        }
        if (depth != 0) return 0;
        if (!batch_reserve(env, st, c + 1)) return -1;
        st->batch_msgs[c++] = (plsm_json_message_t){.json_bytes = s + start, .json_len = i - start};
        if (i < end) {
            if (s[i] != ',') return 0;
            i++;
        }
    }
    *count = c;
    return 1;
}

/* appendJsonArray(pool, json: string, tags: string (see get_tag_text),
 *                 durability) -> [firstSeq: bigint, count: number] | null
 * json is JSON.stringify of an array of objects: each element is one
 * message. null when an element is not an object (nothing is appended). */
static napi_value append_json_array(napi_env env, napi_callback_info info) {
    ARGS(4);
    handle_t *p = get_handle(env, argv[0], K_POOL, 0);
    if (!p) return NULL;
    const uint8_t *all;
    size_t len, count, ntags;
    const char **tags;
    if (!get_bytes(env, argv[1], "batch", &st->json, &all, &len)) return NULL;
    int ok = split_array(env, st, all, len, &count);
    if (ok < 0) return NULL;
    if (ok == 0) return null_value(env);
    if (!get_tag_text(env, st, argv[2], &tags, &ntags)) return NULL;
    return finish_batch(env, st, p, count, tags, ntags, argv[3]);
}

/* appendLite3(pool, payload: Buffer, durability) -> bigint */
static napi_value append_lite3(napi_env env, napi_callback_info info) {
    ARGS(3);
    handle_t *p = get_handle(env, argv[0], K_POOL, 0);
    if (!p) return NULL;
    bool is = false;
    napi_is_buffer(env, argv[1], &is);
    if (!is) {
        napi_throw_type_error(env, NULL, "payload must be a Buffer");
        return NULL;
    }
    void *d;
    size_t len;
    napi_get_buffer_info(env, argv[1], &d, &len);
    uint32_t dur = 0;
    if (!is_nullish(env, argv[2]) && !get_u32(env, argv[2], "durability", &dur)) return NULL;
    uint64_t seq = 0;
    plsm_error_t *err = NULL;
    if (plsm_pool_append_lite3(p->ptr, d ? d : (const uint8_t *)"", len, dur, &seq, &err) != 0)
        return throw_plsm(env, err);
    return make_u64_big(env, seq);
}

/* getJson(pool, seq) -> Buffer */
static napi_value get_json(napi_env env, napi_callback_info info) {
    ARGS(2);
    handle_t *p = get_handle(env, argv[0], K_POOL, 0);
    if (!p) return NULL;
    uint64_t seq;
    if (!get_u64(env, argv[1], "seq", &seq)) return NULL;
    plsm_buf_t b = {0};
    plsm_error_t *err = NULL;
    if (plsm_pool_get_json(p->ptr, seq, &b, &err) != 0) return throw_plsm(env, err);
    return take_str(env, &b);
}

/* getLite3(pool, seq) -> {seq, timestampNs, flags, payload} */
static napi_value get_lite3(napi_env env, napi_callback_info info) {
    ARGS(2);
    handle_t *p = get_handle(env, argv[0], K_POOL, 0);
    if (!p) return NULL;
    uint64_t seq;
    if (!get_u64(env, argv[1], "seq", &seq)) return NULL;
    plsm_lite3_frame_t f = {0};
    plsm_error_t *err = NULL;
    if (plsm_pool_get_lite3(p->ptr, seq, &f, &err) != 0) return throw_plsm(env, err);
    return frame_object(env, &f);
}

/* ---- streams --------------------------------------------------------- */

/* streamOpen(pool, lite3: bool, since, max, timeoutMs, errorOnGap: bool,
 *            tags: string[]|null) -> handle
 * Nullish since/max/timeout mean "not set". tags filter at the library
 * (version 2 options). */
static napi_value stream_open(napi_env env, napi_callback_info info) {
    ARGS(7);
    handle_t *p = get_handle(env, argv[0], K_POOL, 0);
    if (!p) return NULL;
    bool lite3 = false, gap = false;
    napi_get_value_bool(env, argv[1], &lite3);
    napi_get_value_bool(env, argv[5], &gap);
    plsm_stream_options_t o;
    memset(&o, 0, sizeof o);
    o.struct_size = sizeof o;
    o.gap_policy = gap ? PLSM_GAP_ERROR : PLSM_GAP_CONTINUE;
    if (!is_nullish(env, argv[2])) {
        if (!get_u64(env, argv[2], "sinceSeq", &o.since_seq)) return NULL;
        o.has_since = 1;
    }
    if (!is_nullish(env, argv[3])) {
        if (!get_u64(env, argv[3], "maxMessages", &o.max_messages)) return NULL;
        o.has_max = 1;
    }
    if (!is_nullish(env, argv[4])) {
        if (!get_u64(env, argv[4], "timeoutMs", &o.timeout_ms)) return NULL;
        o.has_timeout = 1;
    }
    const char **tags;
    size_t ntags;
    if (!get_tags(env, st, argv[6], &tags, &ntags)) return NULL;
    if (tags) {
        o.reserved = PLSM_STREAM_OPTIONS_V2;
        o.tags = (const char *const *)tags;
        o.tags_len = ntags;
    }
    plsm_error_t *err = NULL;
    void *s = NULL;
    int rc = lite3 ? plsm_lite3_stream_open_ex(p->ptr, &o, (plsm_lite3_stream_t **)&s, &err)
                   : plsm_stream_open_ex(p->ptr, &o, (plsm_stream_t **)&s, &err);
    if (rc != 0) return throw_plsm(env, err);
    return new_handle(env, lite3 ? K_LITE3 : K_STREAM, s);
}

/* streamNext(stream) -> Buffer|frame|null — waits (blocking) as the
 * reference's synchronous next does. */
static napi_value stream_next(napi_env env, napi_callback_info info) {
    ARGS(1);
    handle_t *h = get_handle(env, argv[0], K_STREAM, K_LITE3);
    if (!h) return NULL;
    plsm_error_t *err = NULL;
    if (h->kind == K_STREAM) {
        plsm_buf_t b = {0};
        int rc = plsm_stream_next(h->ptr, &b, &err);
        if (rc < 0) return throw_plsm(env, err);
        return rc == 1 ? take_str(env, &b) : null_value(env);
    }
    plsm_lite3_frame_t f = {0};
    int rc = plsm_lite3_stream_next(h->ptr, &f, &err);
    if (rc < 0) return throw_plsm(env, err);
    return rc == 1 ? frame_object(env, &f) : null_value(env);
}

/* streamNextTimeout(stream, ms) -> Buffer|frame (an item), undefined (none
 * yet), null (the stream is over). */
static napi_value stream_next_timeout(napi_env env, napi_callback_info info) {
    ARGS(2);
    handle_t *h = get_handle(env, argv[0], K_STREAM, K_LITE3);
    if (!h) return NULL;
    uint64_t ms;
    if (!get_u64(env, argv[1], "timeoutMs", &ms)) return NULL;
    plsm_error_t *err = NULL;
    if (h->kind == K_STREAM) {
        plsm_buf_t b = {0};
        int rc = plsm_stream_next_timeout(h->ptr, ms, &b, &err);
        if (rc < 0) return throw_plsm(env, err);
        if (rc == PLSM_STREAM_ITEM) return take_str(env, &b);
        return rc == PLSM_STREAM_TIMEOUT ? undefined(env) : null_value(env);
    }
    plsm_lite3_frame_t f = {0};
    int rc = plsm_lite3_stream_next_timeout(h->ptr, ms, &f, &err);
    if (rc < 0) return throw_plsm(env, err);
    if (rc == PLSM_STREAM_ITEM) return frame_object(env, &f);
    return rc == PLSM_STREAM_TIMEOUT ? undefined(env) : null_value(env);
}

/* ---- batches of envelopes ------------------------------------------- */

/* streamTakeBatch reads up to BATCH_MAX envelopes (BATCH_BYTES or so) in
 * one call and describes them in the batch index (an ArrayBuffer exported
 * as `batchIndex`): a u64 count, BATCH_MAX u64 seqs, then BATCH_FIELDS u32
 * per message, offsets in UTF-16 units into the string returned: */
#define BATCH_MAX 512
#define BATCH_BYTES (256 * 1024)
#define BATCH_FIELDS 8
enum {
    F_START,      /* the envelope */
    F_END,        /* just past its closing brace */
    F_TIME,       /* the time text, without quotes */
    F_TIME_END,
    F_TAGS,       /* the tags array, brackets included */
    F_TAGS_END,
    F_DATA,       /* the data value; it ends just before the closing brace */
    F_FLAGS,
};
#define FLAG_SHAPED 1 /* the fields other than START and END are set */
#define BATCH_INDEX_BYTES (8 + BATCH_MAX * 8 + BATCH_MAX * BATCH_FIELDS * 4)

/* utf16_units counts the UTF-16 code units of n bytes of UTF-8: one per
 * character, two for those beyond U+FFFF. */
static size_t utf16_units(const uint8_t *p, size_t n) {
    size_t i = 0, units = 0;
    while (i + 8 <= n) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        if (!(w & 0x8080808080808080ull)) {
            i += 8;
            units += 8;
            continue;
        }
        for (size_t k = 0; k < 8; k++, i++) units += ((p[i] & 0xC0) != 0x80) + (p[i] >= 0xF0);
    }
    for (; i < n; i++) units += ((p[i] & 0xC0) != 0x80) + (p[i] >= 0xF0);
    return units;
}

/* has_at reports whether text (of length n) is at e[i], and moves i past. */
static int has_at(const uint8_t *e, size_t len, size_t *i, const char *text, size_t n) {
    if (*i + n > len || memcmp(e + *i, text, n) != 0) return 0;
    *i += n;
    return 1;
}

/* shape finds the parts of one envelope e[0..len) as the library writes it,
 * {"seq":N,"time":"T","meta":{"tags":[...]},"data":D}: byte offsets into
 * at[] (F_* order) and the seq. 0 when it is not that shape. */
static int shape(const uint8_t *e, size_t len, size_t at[BATCH_FIELDS], uint64_t *seq) {
    size_t i = 0;
    uint64_t v = 0;
    if (!has_at(e, len, &i, "{\"seq\":", 7) || i >= len || e[i] < '0' || e[i] > '9') return 0;
    for (; i < len && e[i] >= '0' && e[i] <= '9'; i++) {
        if (v > (UINT64_MAX - 9) / 10) return 0;
        v = v * 10 + (uint64_t)(e[i] - '0');
    }
    if (!has_at(e, len, &i, ",\"time\":\"", 9)) return 0;
    at[F_TIME] = i;
    const uint8_t *q = memchr(e + i, '"', len - i);
    if (!q) return 0;
    i = (size_t)(q - e);
    at[F_TIME_END] = i;
    if (!has_at(e, len, &i, "\",\"meta\":{\"tags\":[", 18)) return 0;
    at[F_TAGS] = i - 1;
    while (i < len && e[i] != ']') {
        if (e[i] == '"') i = end_of_string(e, i, len);
        else i++;
    }
    if (i >= len) return 0;
    at[F_TAGS_END] = ++i;
    if (!has_at(e, len, &i, "},\"data\":", 9) || e[len - 1] != '}' || i >= len - 1) return 0;
    at[F_DATA] = i;
    *seq = v;
    return 1;
}

/* streamTakeBatch(stream) -> string | undefined | null
 * The envelopes available now (plsm_stream_next_batch without waiting), each
 * followed by "\n", described in the batch index; undefined when there is
 * none yet, null when the stream is over. */
static napi_value stream_take_batch(napi_env env, napi_callback_info info) {
    ARGS(1);
    handle_t *h = get_handle(env, argv[0], K_STREAM, 0);
    if (!h) return NULL;
    plsm_buf_t b = {0};
    size_t count = 0;
    plsm_error_t *err = NULL;
    int rc = plsm_stream_next_batch(h->ptr, 0, BATCH_MAX, BATCH_BYTES, &b, &count, &err);
    if (rc < 0) return throw_plsm(env, err);
    if (rc != PLSM_STREAM_ITEM) return rc == PLSM_STREAM_TIMEOUT ? undefined(env) : null_value(env);
    uint64_t *seqs = (uint64_t *)(st->batch_index + 8);
    uint32_t *fields = (uint32_t *)(st->batch_index + 8 + BATCH_MAX * 8);
    const uint8_t *d = b.data;
    size_t pos = 0, units = 0, n = 0;
    while (pos < b.len && n < count && n < BATCH_MAX) {
        const uint8_t *nl = memchr(d + pos, '\n', b.len - pos);
        size_t len = nl ? (size_t)(nl - (d + pos)) : b.len - pos;
        const uint8_t *e = d + pos;
        size_t at[BATCH_FIELDS] = {0};
        uint32_t *f = fields + n * BATCH_FIELDS;
        uint64_t seq = 0;
        f[F_START] = (uint32_t)units;
        f[F_FLAGS] = 0;
        if (shape(e, len, at, &seq)) {
            /* offsets in UTF-16 units, segment by segment */
            size_t u = units, last = 0;
            for (int k = F_TIME; k <= F_DATA; k++) {
                u += utf16_units(e + last, at[k] - last);
                last = at[k];
                f[k] = (uint32_t)u;
            }
            f[F_FLAGS] = FLAG_SHAPED;
            seqs[n] = seq;
            units = u + utf16_units(e + last, len - last);
        } else {
            units += utf16_units(e, len);
        }
        f[F_END] = (uint32_t)units;
        units++; /* the newline */
        pos += len + 1;
        n++;
    }
    uint64_t total = n;
    memcpy(st->batch_index, &total, 8);
    napi_value out;
    napi_status s2 = napi_create_string_utf8(env, (const char *)d, b.len, &out);
    plsm_buf_free(&b);
    if (s2 != napi_ok) return NULL;
    return out;
}

static void poll_ready(uv_poll_t *poll, int status, int events) {
    (void)status;
    (void)events;
    handle_t *h = poll->data;
    uv_poll_stop(poll);
    if (!h || !h->cb) return;
    napi_env env = h->env;
    napi_handle_scope scope;
    napi_open_handle_scope(env, &scope);
    napi_value cb, global;
    napi_get_reference_value(env, h->cb, &cb);
    napi_delete_reference(env, h->cb);
    h->cb = NULL;
    napi_get_global(env, &global);
    napi_value result;
    napi_status st = napi_call_function(env, global, cb, 0, NULL, &result);
    if (st == napi_pending_exception) {
        napi_value exc;
        napi_get_and_clear_last_exception(env, &exc);
        napi_fatal_exception(env, exc);
    }
    napi_close_handle_scope(env, scope);
}

/* streamWatch(stream, callback): calls callback once, from the event loop,
 * when the stream's readiness descriptor is readable (a message may be
 * there, or the stream is over). A second watch replaces the callback. The
 * poll keeps the process alive while armed, as a socket read would. */
static napi_value stream_watch(napi_env env, napi_callback_info info) {
    ARGS(2);
    handle_t *h = get_handle(env, argv[0], K_STREAM, K_LITE3);
    if (!h) return NULL;
    if (type_of(env, argv[1]) != napi_function) {
        napi_throw_type_error(env, NULL, "callback must be a function");
        return NULL;
    }
    if (!h->ptr) {
        napi_throw_error(env, NULL, "plasmite error: kind=Usage; message=stream is closed");
        return NULL;
    }
    if (!h->poll) {
        int fd = -1;
        plsm_error_t *err = NULL;
        int rc = h->kind == K_STREAM ? plsm_stream_fd(h->ptr, &fd, &err) : plsm_lite3_stream_fd(h->ptr, &fd, &err);
        if (rc != 0) return throw_plsm(env, err);
        uv_loop_t *loop;
        napi_get_uv_event_loop(env, &loop);
        uv_poll_t *poll = malloc(sizeof *poll);
        if (!poll) {
            napi_throw_error(env, NULL, "out of memory");
            return NULL;
        }
        int e = uv_poll_init(loop, poll, fd);
        if (e != 0) {
            free(poll);
            napi_throw_error(env, NULL, uv_strerror(e));
            return NULL;
        }
        poll->data = h;
        h->poll = poll;
    }
    if (h->cb) napi_delete_reference(env, h->cb);
    napi_create_reference(env, argv[1], 1, &h->cb);
    int e = uv_poll_start(h->poll, UV_READABLE, poll_ready);
    if (e != 0) {
        napi_delete_reference(env, h->cb);
        h->cb = NULL;
        napi_throw_error(env, NULL, uv_strerror(e));
        return NULL;
    }
    return undefined(env);
}

/* streamUnwatch(stream): drops a pending watch; its callback is not called. */
static napi_value stream_unwatch(napi_env env, napi_callback_info info) {
    ARGS(1);
    handle_t *h = get_handle(env, argv[0], K_STREAM, K_LITE3);
    if (!h) return NULL;
    if (h->poll) uv_poll_stop(h->poll);
    if (h->cb) {
        napi_delete_reference(env, h->cb);
        h->cb = NULL;
    }
    return undefined(env);
}

/* streamCancel(stream): ends the stream; later reads say it is over. */
static napi_value stream_cancel(napi_env env, napi_callback_info info) {
    ARGS(1);
    handle_t *h = get_handle(env, argv[0], K_STREAM, K_LITE3);
    if (!h) return NULL;
    if (h->kind == K_STREAM) plsm_stream_cancel(h->ptr);
    else plsm_lite3_stream_cancel(h->ptr);
    return undefined(env);
}

/* ---- UDP ------------------------------------------------------------- */

static napi_value udp_client_new(napi_env env, napi_callback_info info) {
    ARGS(1);
    size_t len;
    if (!get_string_at(env, argv[0], "endpoint", &st->str, 0, &len)) return NULL;
    plsm_udp_client_t *c = NULL;
    plsm_error_t *err = NULL;
    if (plsm_udp_client_new(st->str.p, &c, &err) != 0) return throw_plsm(env, err);
    return new_handle(env, K_UDP_CLIENT, c);
}

static napi_value udp_open_pool(napi_env env, napi_callback_info info) {
    ARGS(2);
    handle_t *c = get_handle(env, argv[0], K_UDP_CLIENT, 0);
    if (!c) return NULL;
    size_t len;
    if (!get_string_at(env, argv[1], "poolName", &st->str, 0, &len)) return NULL;
    plsm_udp_pool_t *p = NULL;
    plsm_error_t *err = NULL;
    if (plsm_udp_client_open_pool(c->ptr, st->str.p, &p, &err) != 0) return throw_plsm(env, err);
    return new_handle(env, K_UDP_POOL, p);
}

static napi_value udp_send_json(napi_env env, napi_callback_info info) {
    ARGS(3);
    handle_t *p = get_handle(env, argv[0], K_UDP_POOL, 0);
    if (!p) return NULL;
    const uint8_t *json;
    size_t len, ntags;
    const char **tags;
    if (!get_bytes(env, argv[1], "payload", &st->json, &json, &len)) return NULL;
    if (!get_tags(env, st, argv[2], &tags, &ntags)) return NULL;
    plsm_error_t *err = NULL;
    if (plsm_udp_pool_send_json(p->ptr, json, len, tags, ntags, &err) != 0) return throw_plsm(env, err);
    return undefined(env);
}

static napi_value udp_send_lite3(napi_env env, napi_callback_info info) {
    ARGS(2);
    handle_t *p = get_handle(env, argv[0], K_UDP_POOL, 0);
    if (!p) return NULL;
    const uint8_t *d;
    size_t len;
    if (!get_bytes(env, argv[1], "payload", &st->json, &d, &len)) return NULL;
    plsm_error_t *err = NULL;
    if (plsm_udp_pool_send_lite3(p->ptr, d, len, &err) != 0) return throw_plsm(env, err);
    return undefined(env);
}

/* udpFollow(pool, kind, value, live) -> handle. Synchronous: this library
 * has no UDP transport yet and fails at once. */
static napi_value udp_follow(napi_env env, napi_callback_info info) {
    ARGS(4);
    handle_t *p = get_handle(env, argv[0], K_UDP_POOL, 0);
    if (!p) return NULL;
    uint32_t kind;
    uint64_t value;
    bool live = true;
    if (!get_u32(env, argv[1], "startKind", &kind) || !get_u64(env, argv[2], "startValue", &value)) return NULL;
    napi_get_value_bool(env, argv[3], &live);
    plsm_udp_follow_t *f = NULL;
    plsm_error_t *err = NULL;
    if (plsm_udp_pool_follow(p->ptr, kind, value, live, &f, &err) != 0) return throw_plsm(env, err);
    return new_handle(env, K_UDP_FOLLOW, f);
}

static const char *REASONS[] = {"unknown", "oversized", "retention", "pressure"};

/* udpNext(follow, timeoutMs) -> {status, event?} as the reference's native
 * nextEvent: 0 timeout, 1 event, 2 finished. */
static napi_value udp_next(napi_env env, napi_callback_info info) {
    ARGS(2);
    handle_t *f = get_handle(env, argv[0], K_UDP_FOLLOW, 0);
    if (!f) return NULL;
    uint64_t ms;
    if (!get_u64(env, argv[1], "timeoutMs", &ms)) return NULL;
    plsm_udp_event_t ev;
    memset(&ev, 0, sizeof ev);
    plsm_error_t *err = NULL;
    int rc = plsm_udp_follow_next(f->ptr, ms, &ev, &err);
    if (rc < 0) return throw_plsm(env, err);
    napi_value out, v, e;
    napi_create_object(env, &out);
    napi_create_uint32(env, rc == 1 ? 1 : (rc == 0 ? 0 : 2), &v);
    napi_set_named_property(env, out, "status", v);
    if (rc != 1) return out;
    napi_create_object(env, &e);
    const char *kind = ev.kind == PLSM_UDP_EVENT_FRAME ? "frame" : ev.kind == PLSM_UDP_EVENT_GAP ? "gap" : "progress";
    napi_create_string_utf8(env, kind, NAPI_AUTO_LENGTH, &v);
    napi_set_named_property(env, e, "kind", v);
    if (ev.kind == PLSM_UDP_EVENT_FRAME) {
        plsm_buf_t msg = {0};
        if (plsm_udp_event_message(&ev, &msg, &err) != 0) {
            plsm_udp_event_free(&ev);
            return throw_plsm(env, err);
        }
        napi_set_named_property(env, e, "seq", make_u64_big(env, ev.seq));
        napi_set_named_property(env, e, "timestampNs", make_u64_big(env, ev.timestamp_ns));
        napi_set_named_property(env, e, "message", take_str(env, &msg));
        napi_set_named_property(env, e, "payload", take_buf(env, &ev.payload));
    } else if (ev.kind == PLSM_UDP_EVENT_GAP) {
        napi_set_named_property(env, e, "first", make_u64_big(env, ev.first));
        napi_set_named_property(env, e, "last", make_u64_big(env, ev.last));
        napi_create_string_utf8(env, ev.reason < 4 ? REASONS[ev.reason] : "unknown", NAPI_AUTO_LENGTH, &v);
        napi_set_named_property(env, e, "reason", v);
    } else {
        napi_set_named_property(env, e, "startSeq", make_u64_big(env, ev.start_seq));
        napi_set_named_property(env, e, "nextSeq", make_u64_big(env, ev.next_seq));
        napi_set_named_property(env, e, "endSeq", ev.has_end ? make_u64_big(env, ev.end_seq) : null_value(env));
        napi_get_boolean(env, ev.terminal, &v);
        napi_set_named_property(env, e, "terminal", v);
        napi_get_boolean(env, ev.retention_gap, &v);
        napi_set_named_property(env, e, "retentionGap", v);
    }
    plsm_udp_event_free(&ev);
    napi_set_named_property(env, out, "event", e);
    return out;
}

static napi_value udp_cancel(napi_env env, napi_callback_info info) {
    ARGS(1);
    handle_t *f = get_handle(env, argv[0], K_UDP_FOLLOW, 0);
    if (!f) return NULL;
    plsm_udp_follow_cancel(f->ptr);
    return undefined(env);
}

/* version() -> {version, abiMajor, abiMinor} */
static napi_value version(napi_env env, napi_callback_info info) {
    (void)info;
    uint32_t major = 0, minor = 0;
    const char *v = plsm_version(&major, &minor);
    napi_value out, x;
    napi_create_object(env, &out);
    napi_create_string_utf8(env, v ? v : "", NAPI_AUTO_LENGTH, &x);
    napi_set_named_property(env, out, "version", x);
    napi_create_uint32(env, major, &x);
    napi_set_named_property(env, out, "abiMajor", x);
    napi_create_uint32(env, minor, &x);
    napi_set_named_property(env, out, "abiMinor", x);
    return out;
}

/* ---- module ---------------------------------------------------------- */

static void free_state(napi_env env, void *data, void *hint) {
    (void)env;
    (void)hint;
    state_t *st = data;
    free(st->str.p);
    free(st->json.p);
    free(st->tags.p);
    free(st->tag_ptrs);
    free(st->tag_offs);
    free(st->batch_msgs);
    free(st);
}

static napi_value init(napi_env env, napi_value exports) {
    state_t *st = calloc(1, sizeof *st);
    if (!st || napi_set_instance_data(env, st, free_state, NULL) != napi_ok) {
        free(st);
        napi_throw_error(env, NULL, "plasmite: cannot allocate the addon's state");
        return NULL;
    }
    napi_value receipt;
    void *area = NULL;
    if (napi_create_arraybuffer(env, RECEIPT_BYTES, &area, &receipt) != napi_ok) return NULL;
    st->receipt = area;
    napi_ref keep; /* the areas must outlive any change to exports */
    napi_create_reference(env, receipt, 1, &keep);
    napi_set_named_property(env, exports, "receipt", receipt);
    napi_value index, v;
    if (napi_create_arraybuffer(env, BATCH_INDEX_BYTES, &area, &index) != napi_ok) return NULL;
    st->batch_index = area;
    napi_create_reference(env, index, 1, &keep);
    napi_set_named_property(env, exports, "batchIndex", index);
    napi_create_uint32(env, BATCH_MAX, &v);
    napi_set_named_property(env, exports, "batchMax", v);
    napi_create_uint32(env, BATCH_FIELDS, &v);
    napi_set_named_property(env, exports, "batchFields", v);
    static const struct {
        const char *name;
        napi_callback fn;
    } fns[] = {
        {"clientNew", client_new},
        {"close", close_handle},
        {"poolCreate", pool_create},
        {"poolOpen", pool_open},
        {"poolDelete", pool_delete},
        {"poolListJson", pool_list_json},
        {"poolInfoJson", pool_info_json},
        {"appendJson", append_json},
        {"appendJsonReceipt", append_json_receipt},
        {"appendJsonBatch", append_json_batch},
        {"appendJsonArray", append_json_array},
        {"appendLite3", append_lite3},
        {"getJson", get_json},
        {"getLite3", get_lite3},
        {"streamOpen", stream_open},
        {"streamNext", stream_next},
        {"streamNextTimeout", stream_next_timeout},
        {"streamTakeBatch", stream_take_batch},
        {"streamWatch", stream_watch},
        {"streamUnwatch", stream_unwatch},
        {"streamCancel", stream_cancel},
        {"udpClientNew", udp_client_new},
        {"udpOpenPool", udp_open_pool},
        {"udpSendJson", udp_send_json},
        {"udpSendLite3", udp_send_lite3},
        {"udpFollow", udp_follow},
        {"udpNext", udp_next},
        {"udpCancel", udp_cancel},
        {"version", version},
    };
    for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
        napi_value f;
        napi_create_function(env, fns[i].name, NAPI_AUTO_LENGTH, fns[i].fn, st, &f);
        napi_set_named_property(env, exports, fns[i].name, f);
    }
    return exports;
}

NAPI_MODULE(plasmite, init)
