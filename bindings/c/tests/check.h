/* Minimal assertion helpers shared by the C tests. Each failed check prints
 * its location and the error (if any) and makes the program exit 1 at the end. */
#ifndef PLSM_TEST_CHECK_H
#define PLSM_TEST_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <plasmite.h>

static int check_failures = 0;
static int check_count = 0;

#define CHECK(cond)                                                            \
    do {                                                                       \
        check_count++;                                                         \
        if (!(cond)) {                                                         \
            check_failures++;                                                  \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__,  \
                    #cond);                                                    \
        }                                                                      \
    } while (0)

/* A call that must succeed (rc 0); prints the error otherwise. */
#define OK(call, errp)                                                         \
    do {                                                                       \
        check_count++;                                                         \
        int ok_rc_ = (call);                                                   \
        if (ok_rc_ != 0) {                                                     \
            check_failures++;                                                  \
            fprintf(stderr, "%s:%d: %s returned %d: %s\n", __FILE__, __LINE__, \
                    #call, ok_rc_,                                             \
                    *(errp) && (*(errp))->message ? (*(errp))->message : "");  \
            plsm_error_free(*(errp));                                          \
            *(errp) = NULL;                                                    \
        }                                                                      \
    } while (0)

/* A call that must fail with rc -1 and an error of the given kind; the
 * error is freed and the pointer reset. */
#define FAILS(call, errp, want_kind)                                           \
    do {                                                                       \
        check_count++;                                                         \
        *(errp) = NULL;                                                        \
        int f_rc_ = (call);                                                    \
        if (f_rc_ != -1 || *(errp) == NULL ||                                  \
            (*(errp))->kind != (want_kind) || (*(errp))->message == NULL) {    \
            check_failures++;                                                  \
            fprintf(stderr, "%s:%d: %s: rc=%d kind=%d (want -1, kind %d): %s\n", \
                    __FILE__, __LINE__, #call, f_rc_,                          \
                    *(errp) ? (*(errp))->kind : 0, (int)(want_kind),           \
                    *(errp) && (*(errp))->message ? (*(errp))->message : "");  \
        }                                                                      \
        plsm_error_free(*(errp));                                              \
        *(errp) = NULL;                                                        \
    } while (0)

/* Like FAILS, and also requires the message to be exactly want_msg. */
#define FAILS_MSG(call, errp, want_kind, want_msg)                             \
    do {                                                                       \
        check_count++;                                                         \
        *(errp) = NULL;                                                        \
        int f_rc_ = (call);                                                    \
        if (f_rc_ != -1 || *(errp) == NULL ||                                  \
            (*(errp))->kind != (want_kind) || (*(errp))->message == NULL ||    \
            strcmp((*(errp))->message, (want_msg)) != 0) {                     \
            check_failures++;                                                  \
            fprintf(stderr, "%s:%d: %s: rc=%d kind=%d msg=\"%s\" (want kind %d \"%s\")\n", \
                    __FILE__, __LINE__, #call, f_rc_,                          \
                    *(errp) ? (*(errp))->kind : 0,                             \
                    *(errp) && (*(errp))->message ? (*(errp))->message : "",   \
                    (int)(want_kind), (want_msg));                             \
        }                                                                      \
        plsm_error_free(*(errp));                                              \
        *(errp) = NULL;                                                        \
    } while (0)

/* Like FAILS_MSG, requiring only that the message starts with want_prefix. */
#define FAILS_PREFIX(call, errp, want_kind, want_prefix)                       \
    do {                                                                       \
        check_count++;                                                         \
        *(errp) = NULL;                                                        \
        int f_rc_ = (call);                                                    \
        if (f_rc_ != -1 || *(errp) == NULL ||                                  \
            (*(errp))->kind != (want_kind) || (*(errp))->message == NULL ||    \
            strncmp((*(errp))->message, (want_prefix), strlen(want_prefix)) != 0) { \
            check_failures++;                                                  \
            fprintf(stderr, "%s:%d: %s: rc=%d kind=%d msg=\"%s\" (want kind %d \"%s...\")\n", \
                    __FILE__, __LINE__, #call, f_rc_,                          \
                    *(errp) ? (*(errp))->kind : 0,                             \
                    *(errp) && (*(errp))->message ? (*(errp))->message : "",   \
                    (int)(want_kind), (want_prefix));                          \
        }                                                                      \
        plsm_error_free(*(errp));                                              \
        *(errp) = NULL;                                                        \
    } while (0)

/* Does the buffer contain the text? (Buffers are not NUL-terminated.) */
static inline int buf_has(const plsm_buf_t *b, const char *text) {
    size_t n = strlen(text);
    if (b->data == NULL || b->len < n) return 0;
    for (size_t i = 0; i + n <= b->len; i++)
        if (memcmp(b->data + i, text, n) == 0) return 1;
    return 0;
}

/* The seq of an envelope: it starts with {"seq":N, */
static inline unsigned long long buf_seq(const plsm_buf_t *b) {
    char tmp[64] = {0};
    size_t n = b->len < sizeof tmp - 1 ? b->len : sizeof tmp - 1;
    if (b->data) memcpy(tmp, b->data, n);
    unsigned long long seq = 0;
    if (sscanf(tmp, "{\"seq\":%llu,", &seq) != 1) return 0;
    return seq;
}

static inline int check_done(const char *name) {
    if (check_failures) {
        fprintf(stderr, "%s: %d of %d checks failed\n", name, check_failures, check_count);
        return 1;
    }
    printf("%s: %d checks passed\n", name, check_count);
    return 0;
}

#endif
