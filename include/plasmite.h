/*
 * plasmite.h — the C interface of libplasmite (Plasmite, Go implementation).
 *
 * Plasmite stores JSON messages in pools: one file per pool holding a bounded
 * ring of messages that any number of processes append to and read from.
 * This header is the whole contract of the library. It is source- and
 * binary-compatible with the reference release 1.2.1: every declaration of
 * that release's header is present here with the same name, type, value and
 * layout, in the same order. Additions of this implementation come after them
 * (see "Extensions").
 *
 * Compatibility promise
 *   Within one major ABI version the interface only grows: functions, enum
 *   values and trailing struct fields are added, never removed, renumbered or
 *   reordered. A struct that may grow carries its own size (struct_size).
 *
 * Return values
 *   Functions returning int return 0 on success and -1 on failure. The
 *   *_stream_next functions return 1 when they wrote an item, 0 at the end of
 *   the stream, and -1 on failure; the *_stream_next_timeout extensions
 *   return PLSM_STREAM_ITEM, PLSM_STREAM_TIMEOUT, PLSM_STREAM_END or -1.
 *
 * Errors
 *   Every failing call that has an out_err parameter stores a newly allocated
 *   plsm_error_t in *out_err, provided out_err is not NULL; *out_err is not
 *   touched on success. A previous value of *out_err is overwritten, not
 *   freed: free each error with plsm_error_free before reusing the variable.
 *   With out_err == NULL a failing call still returns -1.
 *
 * Out-parameters
 *   A required out-parameter (out_client, out_pool, out_message, out_seq,
 *   out_frame, out_stream, ...) that is NULL makes the call fail with
 *   PLSM_ERROR_USAGE before it has any effect: no pool is created and no
 *   message is appended. (Release 1.2.1 of the reference checks some of them
 *   only after the effect.)
 *
 * Ownership
 *   Handles returned by *_new, *_create, *_open and *_stream_open* belong to
 *   the caller, who passes each to its matching *_free exactly once. Buffers,
 *   frames and errors written by the library are allocated with malloc and
 *   released with plsm_buf_free, plsm_lite3_frame_free and plsm_error_free.
 *   Every free function accepts NULL. plsm_buf_free and
 *   plsm_lite3_frame_free reset the struct they are given, so freeing the
 *   same struct twice is harmless.
 *
 * Threads
 *   Every handle may be used from several threads at once: each handle has
 *   its own lock, so calls on one handle run one after another and a free
 *   waits for calls in progress. (The reference makes the caller serialize
 *   calls per handle; code written for it keeps working.) While one thread is
 *   blocked in *_stream_next, another thread may call the matching
 *   *_stream_cancel; freeing a stream cancels it first. Distinct handles,
 *   also to the same pool and in other processes, never block each other
 *   except while appending, which the pool's file lock serializes.
 *
 * Undefined behaviour (not turned into errors)
 *   Pointers that are neither NULL nor valid, lengths larger than the memory
 *   behind a pointer, misaligned structs, and freeing an error twice. Using a
 *   handle after its free is reported as PLSM_ERROR_USAGE where the library
 *   can tell, but must not be relied upon.
 *
 * Linking
 *   pkg-config --cflags --libs plasmite            (shared library)
 *   pkg-config --static --cflags --libs plasmite   (libplasmite.a; adds
 *                                                   -lpthread -ldl -lm)
 *   The library contains a Go runtime; load only one libplasmite per process.
 */

#ifndef PLASMITE_H
#define PLASMITE_H

#include <stdint.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Opaque handles ---------------------------------------------------- */

/* A client: the directory in which pool names are resolved, or (made by
 * plsm_remote_client_new) a server whose pools they name. */
typedef struct plsm_client plsm_client_t;
/* An open pool. */
typedef struct plsm_pool plsm_pool_t;
/* A reader of messages as envelope JSON. */
typedef struct plsm_stream plsm_stream_t;
/* A reader of messages as raw Lite3 frames. */
typedef struct plsm_lite3_stream plsm_lite3_stream_t;
/* UDP transport handles (declared for compatibility; see plsm_udp_*). */
typedef struct plsm_udp_client plsm_udp_client_t;
typedef struct plsm_udp_pool plsm_udp_pool_t;
typedef struct plsm_udp_follow plsm_udp_follow_t;

/* ---- Enumerations ------------------------------------------------------ */

/* The stable error classification stored in plsm_error_t.kind. */
typedef enum plsm_error_kind {
    PLSM_ERROR_INTERNAL = 1,       /* a bug or an unexpected condition      */
    PLSM_ERROR_USAGE = 2,          /* bad argument or unsupported request   */
    PLSM_ERROR_NOT_FOUND = 3,      /* no such pool or message               */
    PLSM_ERROR_ALREADY_EXISTS = 4, /* the pool file exists already          */
    PLSM_ERROR_BUSY = 5,           /* the pool lock could not be taken      */
    PLSM_ERROR_PERMISSION = 6,     /* the OS refused access                 */
    PLSM_ERROR_CORRUPT = 7,        /* pool file or payload fails validation */
    PLSM_ERROR_IO = 8,             /* another OS-level failure              */
    PLSM_ERROR_RETENTION_GAP = 9   /* messages were overwritten unread      */
} plsm_error_kind_t;

/* What a stream does when messages it should deliver were overwritten. */
typedef enum plsm_gap_policy {
    PLSM_GAP_CONTINUE = 0, /* resume silently at the oldest retained message */
    PLSM_GAP_ERROR = 1     /* fail once with RETENTION_GAP, then end          */
} plsm_gap_policy_t;

/* Durability (a plain uint32_t argument): 0 returns once the message is
 * visible to readers, 1 also flushes it to disk before returning. Any other
 * value is PLSM_ERROR_USAGE "invalid durability". */

/* ---- Structures -------------------------------------------------------- */

/*
 * Options of plsm_stream_open_ex and plsm_lite3_stream_open_ex.
 *
 * Zero the whole struct, set struct_size = sizeof(plsm_stream_options_t),
 * then set the fields you need. Any struct_size from
 * PLSM_STREAM_OPTIONS_V1_SIZE (48, the reference's size) up is accepted, as
 * by the reference: a version 1 struct is its first 48 bytes, and whatever
 * follows them is never read (nor written). A smaller size, an unknown
 * reserved value or an unknown gap_policy is PLSM_ERROR_USAGE.
 *
 * has_since: start at since_seq (inclusive) instead of the oldest retained
 *            message.
 * has_max:   end the stream after max_messages delivered messages.
 * has_timeout: end the stream timeout_ms after it was opened (the deadline
 *            is fixed at open time). Without it, next waits indefinitely
 *            (until a message arrives or the stream is cancelled).
 * reserved:  0 for version 1. PLSM_STREAM_OPTIONS_V2 (see Extensions) says
 *            that the version 2 fields are set, and then struct_size must be
 *            at least PLSM_STREAM_OPTIONS_V2_SIZE. The reference refuses a
 *            non-zero reserved field, so a caller of the reference never
 *            marks bytes 48 and up as version 2.
 *
 * Version 2 (this implementation) appends a tag filter: when tags is not NULL,
 * only messages carrying every one of the tags_len tags are delivered (and
 * counted against max_messages). The strings are copied during the open call.
 * The reference library refuses a version 2 struct (reserved is not zero)
 * instead of ignoring its filter.
 */
typedef struct plsm_stream_options {
    uint32_t struct_size;
    uint32_t gap_policy;
    uint64_t since_seq;
    uint64_t max_messages;
    uint64_t timeout_ms;
    uint32_t has_since;
    uint32_t has_max;
    uint32_t has_timeout;
    uint32_t reserved;
    /* version 2 */
    const char *const *tags;
    size_t tags_len;
} plsm_stream_options_t;

#define PLSM_STREAM_OPTIONS_V1_SIZE 48
#define PLSM_STREAM_OPTIONS_V2_SIZE 64

/* Bytes owned by the caller once written by the library. data is not
 * NUL-terminated; an empty result is {NULL, 0}. Free with plsm_buf_free. */
typedef struct plsm_buf {
    uint8_t *data;
    size_t len;
} plsm_buf_t;

/* UDP transport types (declared for compatibility; see plsm_udp_*). */
typedef enum plsm_udp_start_kind {
    PLSM_UDP_START_NEW = 0,
    PLSM_UDP_START_LAST = 1,
    PLSM_UDP_START_SINCE = 2,
    PLSM_UDP_START_SEQUENCE = 3
} plsm_udp_start_kind_t;

typedef enum plsm_udp_event_kind {
    PLSM_UDP_EVENT_FRAME = 1,
    PLSM_UDP_EVENT_GAP = 2,
    PLSM_UDP_EVENT_PROGRESS = 3
} plsm_udp_event_kind_t;

typedef enum plsm_udp_skip_reason {
    PLSM_UDP_SKIP_UNKNOWN = 0,
    PLSM_UDP_SKIP_OVERSIZED = 1,
    PLSM_UDP_SKIP_RETENTION = 2,
    PLSM_UDP_SKIP_PRESSURE = 3
} plsm_udp_skip_reason_t;

typedef struct plsm_udp_event {
    uint32_t kind;
    uint32_t reason;
    uint64_t seq;
    uint64_t timestamp_ns;
    uint64_t first;
    uint64_t last;
    uint64_t start_seq;
    uint64_t next_seq;
    uint64_t end_seq;
    uint8_t has_end;
    uint8_t terminal;
    uint8_t retention_gap;
    uint8_t reserved;
    plsm_buf_t payload;
} plsm_udp_event_t;

/* One stored message as raw bytes: the Lite3 document
 * {"meta":{"tags":[...]},"data":{...}} plus the frame header's sequence
 * number, append time (Unix nanoseconds) and flags. Free with
 * plsm_lite3_frame_free. */
typedef struct plsm_lite3_frame {
    uint64_t seq;
    uint64_t timestamp_ns;
    uint32_t flags;
    plsm_buf_t payload;
} plsm_lite3_frame_t;

/* A failure. message is never NULL (it may be empty); path is NULL when no
 * file is concerned; seq and offset mean something only when has_seq and
 * has_offset are 1. Free with plsm_error_free, which frees the strings too. */
typedef struct plsm_error {
    int32_t kind; /* a plsm_error_kind_t value */
    char *message;
    char *path;
    uint64_t seq;
    uint64_t offset;
    uint8_t has_seq;
    uint8_t has_offset;
} plsm_error_t;

/* ---- Clients ----------------------------------------------------------- */

/* Makes a client resolving pool names in pool_dir (NULL: the default,
 * $HOME/.plasmite/pools). Touches no file; the directory is created by the
 * first plsm_pool_create. Usage: out_client NULL, pool_dir not UTF-8. */
int plsm_client_new(const char *pool_dir, plsm_client_t **out_client, plsm_error_t **out_err);
void plsm_client_free(plsm_client_t *client);

/* ---- Pools ------------------------------------------------------------- */

/*
 * A pool_ref containing '/' is a file path; otherwise it is a name resolved
 * as <pool_dir>/<name>.plasmite. Refs containing "://" are PLSM_ERROR_USAGE.
 *
 * plsm_pool_create makes a new pool file of size_bytes (0: 1 MiB), creating
 * the directory if needed, and opens it. An existing file is
 * PLSM_ERROR_ALREADY_EXISTS. plsm_pool_open opens an existing pool: a missing
 * file is PLSM_ERROR_NOT_FOUND and a damaged header PLSM_ERROR_CORRUPT, both
 * with path set. Streams opened from a pool outlive plsm_pool_free.
 */
int plsm_pool_create(plsm_client_t *client, const char *pool_ref, uint64_t size_bytes, plsm_pool_t **out_pool, plsm_error_t **out_err);
int plsm_pool_open(plsm_client_t *client, const char *pool_ref, plsm_pool_t **out_pool, plsm_error_t **out_err);
void plsm_pool_free(plsm_pool_t *pool);

/*
 * Appends one message whose data is the JSON object in json_bytes[0..json_len)
 * with tags_len tags (tags NULL: no tags), stamped with the current time, and
 * writes its envelope
 *   {"seq":N,"time":"<RFC 3339 UTC>","meta":{"tags":[...]},"data":{...}}
 * to *out_message. Usage errors, all raised before appending: pool, json_bytes
 * or out_message NULL; bytes not UTF-8 ("invalid json utf-8"); not JSON
 * ("invalid json"); not an object; a NULL tag ("tags contains null"); a tag
 * not UTF-8 ("tags invalid UTF-8"); durability not 0 or 1.
 */
int plsm_pool_append_json(
    plsm_pool_t *pool,
    const uint8_t *json_bytes,
    size_t json_len,
    const char **tags,
    size_t tags_len,
    uint32_t durability,
    plsm_buf_t *out_message,
    plsm_error_t **out_err);

/*
 * Appends a pre-encoded Lite3 message document and writes its sequence
 * number to *out_seq. Usage: pool, out_seq or payload NULL, bad durability
 * (checked before the payload). A payload that is not a valid message
 * document is PLSM_ERROR_CORRUPT.
 */
int plsm_pool_append_lite3(
    plsm_pool_t *pool,
    const uint8_t *payload,
    size_t payload_len,
    uint32_t durability,
    uint64_t *out_seq,
    plsm_error_t **out_err);

/* Writes the envelope JSON of message seq. A seq not retained is
 * PLSM_ERROR_NOT_FOUND with has_seq = 1. */
int plsm_pool_get_json(
    plsm_pool_t *pool,
    uint64_t seq,
    plsm_buf_t *out_message,
    plsm_error_t **out_err);

/* Writes a copy of message seq as stored (payload not validated). */
int plsm_pool_get_lite3(
    plsm_pool_t *pool,
    uint64_t seq,
    plsm_lite3_frame_t *out_frame,
    plsm_error_t **out_err);

/* ---- Streams ----------------------------------------------------------- */

/* plsm_stream_open_ex with these version 1 options and PLSM_GAP_CONTINUE. */
int plsm_stream_open(
    plsm_pool_t *pool,
    uint64_t since_seq,
    uint32_t has_since,
    uint64_t max_messages,
    uint32_t has_max,
    uint64_t timeout_ms,
    uint32_t has_timeout,
    plsm_stream_t **out_stream,
    plsm_error_t **out_err);

/* Opens a stream; see plsm_stream_options_t. The options are checked first,
 * then pool and out_stream. */
int plsm_stream_open_ex(
    plsm_pool_t *pool,
    const plsm_stream_options_t *options,
    plsm_stream_t **out_stream,
    plsm_error_t **out_err);

/*
 * Waits for the next message and writes its envelope JSON. Returns 1 with a
 * message; 0 when the deadline passed, max_messages were delivered, the
 * stream was cancelled, or after a retention-gap error; -1 on error. Under
 * PLSM_GAP_ERROR the first gap fails with PLSM_ERROR_RETENTION_GAP whose seq
 * is the first missing message. Waiting is woken by appends, not polling
 * (an append by the reference's writers is noticed within 50 ms). Every
 * stream of one pool handle shares one waiting thread.
 */
int plsm_stream_next(
    plsm_stream_t *stream,
    plsm_buf_t *out_message,
    plsm_error_t **out_err);

/* The same streams, delivering raw frames. */
int plsm_lite3_stream_open(
    plsm_pool_t *pool,
    uint64_t since_seq,
    uint32_t has_since,
    uint64_t max_messages,
    uint32_t has_max,
    uint64_t timeout_ms,
    uint32_t has_timeout,
    plsm_lite3_stream_t **out_stream,
    plsm_error_t **out_err);

int plsm_lite3_stream_open_ex(
    plsm_pool_t *pool,
    const plsm_stream_options_t *options,
    plsm_lite3_stream_t **out_stream,
    plsm_error_t **out_err);

int plsm_lite3_stream_next(
    plsm_lite3_stream_t *stream,
    plsm_lite3_frame_t *out_frame,
    plsm_error_t **out_err);

void plsm_stream_free(plsm_stream_t *stream);
void plsm_lite3_stream_free(plsm_lite3_stream_t *stream);

/* ---- Freeing results --------------------------------------------------- */

/* Frees buf->data and sets *buf to {NULL, 0}. NULL-safe, repeatable. */
void plsm_buf_free(plsm_buf_t *buf);
/* Frees the payload and zeroes every field. NULL-safe, repeatable. */
void plsm_lite3_frame_free(plsm_lite3_frame_t *frame);
/* Frees an error and its strings. NULL-safe; free each error once. */
void plsm_error_free(plsm_error_t *err);

/* ---- UDP transport ----------------------------------------------------- */

/*
 * The reference 1.2.1 can send to and follow pools of a server over UDP.
 * This implementation has no UDP transport yet: these functions exist so that
 * programs written for the reference compile and link, and they fail at run
 * time with PLSM_ERROR_USAGE "udp transport is not supported by this
 * library" (after the same NULL checks as the reference). The free, cancel
 * and close functions accept NULL; plsm_udp_event_free resets an event.
 */
int plsm_udp_client_new(
    const char *endpoint,
    plsm_udp_client_t **out_client,
    plsm_error_t **out_err);
void plsm_udp_client_free(plsm_udp_client_t *client);
int plsm_udp_client_open_pool(
    plsm_udp_client_t *client,
    const char *pool_name,
    plsm_udp_pool_t **out_pool,
    plsm_error_t **out_err);
void plsm_udp_pool_free(plsm_udp_pool_t *pool);
int plsm_udp_pool_send_json(
    plsm_udp_pool_t *pool,
    const uint8_t *json_bytes,
    size_t json_len,
    const char **tags,
    size_t tags_len,
    plsm_error_t **out_err);
int plsm_udp_pool_send_lite3(
    plsm_udp_pool_t *pool,
    const uint8_t *payload,
    size_t payload_len,
    plsm_error_t **out_err);
int plsm_udp_pool_follow(
    plsm_udp_pool_t *pool,
    uint32_t start_kind,
    uint64_t start_value,
    uint32_t live,
    plsm_udp_follow_t **out_follow,
    plsm_error_t **out_err);
int plsm_udp_follow_next(
    plsm_udp_follow_t *follow,
    uint64_t timeout_ms,
    plsm_udp_event_t *out_event,
    plsm_error_t **out_err);
void plsm_udp_follow_cancel(plsm_udp_follow_t *follow);
void plsm_udp_follow_close(plsm_udp_follow_t *follow);
void plsm_udp_event_free(plsm_udp_event_t *event);
int plsm_udp_event_message(
    const plsm_udp_event_t *event,
    plsm_buf_t *out_message,
    plsm_error_t **out_err);

/* ======================================================================== */
/* Extensions of this implementation (not in the reference 1.2.1).          */
/* Test for them with #ifdef PLSM_ABI_MINOR.                               */
/* ======================================================================== */

/* ABI version: major as in the compatibility promise; minor counts additive
 * revisions (1 = the extensions below up to the stream cancel functions;
 * 2 = the version 2 marker of plsm_stream_options_t, the bounded waits and
 * the readiness descriptors; 3 = remote clients, plsm_remote_client_new;
 * 4 = plsm_stream_next_batch; 5 = plsm_pool_append_json_receipt). */
#define PLSM_ABI_MAJOR 1
#define PLSM_ABI_MINOR 5

/* The value of plsm_stream_options_t.reserved that marks a version 2 struct
 * (ABI minor 2; "PLS2" in little-endian memory). */
#define PLSM_STREAM_OPTIONS_V2 0x32534C50u

/* Returns the library version ("0.1.0"), a static string the caller must not
 * free, and writes the ABI version the library implements to the non-NULL
 * out-parameters. Usable before any other call. */
const char *plsm_version(uint32_t *out_abi_major, uint32_t *out_abi_minor);

/*
 * Writes the pool's geometry, bounds and usage as one JSON object, the shape
 * of `plasmite pool info --json`:
 *   {"bounds":{"oldest":1,"newest":2},"file_size":N,"index_capacity":N,
 *    "index_offset":N,"index_size_bytes":N,"metrics":{...},"name":"<ref>",
 *    "path":"...","ring_offset":N,"ring_size":N}
 */
int plsm_pool_info_json(plsm_pool_t *pool, plsm_buf_t *out_info, plsm_error_t **out_err);

/*
 * Lists the pools (files ending in ".plasmite") in the client's directory as
 * {"pools":[{"bounds":{...},"file_size":N,"mtime":"...","name":"...",
 * "path":"..."}, ...]} sorted by name; a pool that cannot be read appears as
 * {"error":{...},"name":"...","path":"..."}. A missing directory lists no
 * pools.
 */
int plsm_pool_list_json(plsm_client_t *client, plsm_buf_t *out_list, plsm_error_t **out_err);

/* Deletes the pool file named by pool_ref (same ref rules as open). Missing:
 * PLSM_ERROR_NOT_FOUND with path. Open handles keep their mapping. */
int plsm_pool_delete(plsm_client_t *client, const char *pool_ref, plsm_error_t **out_err);

/* One message of a batch: JSON object bytes and tags, as in
 * plsm_pool_append_json. */
typedef struct plsm_json_message {
    const uint8_t *json_bytes;
    size_t json_len;
    const char *const *tags;
    size_t tags_len;
} plsm_json_message_t;

/*
 * Appends count messages in order under one acquisition of the pool lock;
 * they get consecutive sequence numbers *out_first_seq, +1, ... Every message
 * is checked before anything is appended (a bad one fails the call with
 * PLSM_ERROR_USAGE naming its index and nothing is written). If the append
 * itself fails part-way, *out_appended tells how many were stored. count 0
 * succeeds with *out_first_seq = 0 and *out_appended = 0. Both out-parameters
 * are required.
 */
int plsm_pool_append_json_batch(
    plsm_pool_t *pool,
    const plsm_json_message_t *messages,
    size_t count,
    uint32_t durability,
    uint64_t *out_first_seq,
    size_t *out_appended,
    plsm_error_t **out_err);

/* Ends a stream from any thread: a blocked *_next returns 0 promptly, and
 * every later *_next returns 0 (*_next_timeout: PLSM_STREAM_END). NULL-safe;
 * cancelling twice is harmless. The stream must still be freed. */
void plsm_stream_cancel(plsm_stream_t *stream);
void plsm_lite3_stream_cancel(plsm_lite3_stream_t *stream);

/* Return values of the *_stream_next_timeout functions (ABI minor 2). */
#define PLSM_STREAM_TIMEOUT 0 /* nothing within timeout_ms; the stream goes on */
#define PLSM_STREAM_ITEM 1    /* a message was written to the out-parameter   */
#define PLSM_STREAM_END 2     /* the stream is over: deadline, max_messages,
                               * cancel, or after a retention-gap error; every
                               * later call returns PLSM_STREAM_END at once   */

/*
 * plsm_stream_next with a bound on the wait: returns PLSM_STREAM_ITEM with a
 * message, PLSM_STREAM_TIMEOUT when none arrived within timeout_ms (the
 * stream is not ended: call again), PLSM_STREAM_END, or -1 on error (as
 * plsm_stream_next). timeout_ms 0 does not wait at all; UINT64_MAX waits
 * without a bound. The stream's own deadline (has_timeout) still applies:
 * reaching it is PLSM_STREAM_END. A wait ends early when another thread
 * cancels or frees the stream. Lets a host language check for signals
 * (Ctrl-C) between waits, or poll without parking a thread.
 */
int plsm_stream_next_timeout(
    plsm_stream_t *stream,
    uint64_t timeout_ms,
    plsm_buf_t *out_message,
    plsm_error_t **out_err);

int plsm_lite3_stream_next_timeout(
    plsm_lite3_stream_t *stream,
    uint64_t timeout_ms,
    plsm_lite3_frame_t *out_frame,
    plsm_error_t **out_err);

/*
 * Writes to *out_fd a file descriptor that is readable when a message may be
 * available on the stream, so that an event loop (poll, epoll, kqueue, libuv)
 * can wait for many streams with no thread of its own: wait until it is
 * readable, then call *_next_timeout with timeout_ms 0. "May": the call can
 * still find nothing (PLSM_STREAM_TIMEOUT; wait again). The descriptor also
 * becomes readable, and stays so, once the stream is over (deadline, cancel,
 * max_messages, after a gap error). Never read from or close it: every
 * *_next call drains it, and it belongs to the stream, which closes it when
 * freed. Every call returns the same descriptor. Usage: out_fd NULL.
 */
int plsm_stream_fd(plsm_stream_t *stream, int *out_fd, plsm_error_t **out_err);
int plsm_lite3_stream_fd(plsm_lite3_stream_t *stream, int *out_fd, plsm_error_t **out_err);

/* ---- Remote pools (ABI minor 3) ---------------------------------------- */

/*
 * Options of plsm_remote_client_new. Zero the whole struct, set struct_size
 * = sizeof(plsm_remote_options_t), then set the fields you need; the library
 * reads only the fields within struct_size (at least
 * PLSM_REMOTE_OPTIONS_V1_SIZE), so the struct may grow. A smaller size or a
 * non-zero reserved field is PLSM_ERROR_USAGE.
 *
 * request_timeout_ms: bound of each one-shot request, body included
 *            (0: 30000). Streams have no bound of their own.
 * max_response_bytes: cap of a response body, a JSONL line or a Lite3
 *            frame (0: 256 MiB; at most 4 GiB - 1).
 * access_key: for an https:// origin, the access key "pk1.<spki>.<secret>"
 *            issued by the server (the client pins the server's public key
 *            and sends only the secret); copied during the call and held in
 *            memory only. NULL for http://. The server's certificate is
 *            checked against the pinned key, its names and its dates (no
 *            CA chain: a generated self-signed certificate works); a
 *            malformed key is PLSM_ERROR_USAGE, a server whose key does
 *            not match is PLSM_ERROR_IO at the first request.
 */
typedef struct plsm_remote_options {
    uint32_t struct_size;
    uint32_t reserved;
    uint64_t request_timeout_ms;
    uint64_t max_response_bytes;
    const char *access_key;
} plsm_remote_options_t;

#define PLSM_REMOTE_OPTIONS_V1_SIZE 32

/*
 * Makes a client of the pools a Plasmite server (`plasmite serve`) shares at
 * origin, "http(s)://host[:port]" with an optional trailing "/". Plain http://
 * is allowed only for the local machine (localhost, 127.0.0.0/8, [::1]);
 * other hosts need https:// and an access key. options may be NULL (the
 * defaults). No request is made: a server that is down is noticed by the
 * first call that needs it. Connections are kept alive and reused.
 *
 * The handle works with the functions that take a client, with pool_ref
 * being a pool name on the server (no '/'): plsm_pool_create (POST
 * /v0/pools), plsm_pool_open (checks that the pool exists), plsm_pool_delete
 * and plsm_pool_list_json (entries with "mtime":null, "path" as the server
 * reports it). The pools it opens work with every plsm_pool_* and stream
 * function:
 *   - appends are encoded here (bad JSON is reported before anything is
 *     sent) and sent as Lite3; the message returned is the server's;
 *     plsm_pool_append_json_batch checks every message first, then sends
 *     them one request each and stops at the first failure (*out_appended);
 *   - plsm_pool_get_lite3 returns the document as stored (two requests);
 *   - streams follow the pool across the server's stream deadlines
 *     (reconnecting at the next seq, never delivering a message twice),
 *     with since_seq, max_messages, timeout_ms and tags as on a local pool;
 *     under PLSM_GAP_ERROR a jump in seqs is a RETENTION_GAP error (with a
 *     tag filter the server reports it; a Lite3 stream cannot then:
 *     PLSM_ERROR_USAGE); cancel ends a blocked next promptly.
 * Errors carry the server's kind and message; a pool-level failure has the
 * pool name as its path (the server's paths are its own); a server that
 * cannot be reached, a redirect (never followed) or a broken stream is
 * PLSM_ERROR_IO. Calls block for the network while holding the handle's
 * lock. Errors: Usage (out_client or origin NULL, not UTF-8, not an
 * http(s) origin, a path, query or credentials in it, plain HTTP to another
 * machine, bad options), Permission (https:// without an access key).
 */
int plsm_remote_client_new(
    const char *origin,
    const plsm_remote_options_t *options,
    plsm_client_t **out_client,
    plsm_error_t **out_err);

/*
 * Reads several messages in one call (ABI minor 4), so that a host language
 * pays its per-call cost once per batch: waits for the first message as
 * plsm_stream_next_timeout does (timeout_ms), then takes the messages that
 * are already available without waiting, until max_messages (at least 1) or
 * until the envelopes written hold max_bytes or more (0: no byte bound; the
 * first message is always taken whole). Writes the envelopes to
 * *out_messages, each followed by '\n' (JSON Lines; an envelope holds no raw
 * newline), and their number to *out_count. Returns PLSM_STREAM_ITEM with
 * *out_count >= 1, PLSM_STREAM_TIMEOUT or PLSM_STREAM_END with *out_count 0
 * and *out_messages untouched, or -1 on error. An error met after some
 * messages were taken (a retention gap under PLSM_GAP_ERROR) is returned by
 * the next call, so every message taken is delivered. Messages count
 * against max_messages of the stream as with plsm_stream_next. Usage:
 * out_messages or out_count NULL, max_messages 0.
 */
int plsm_stream_next_batch(
    plsm_stream_t *stream,
    uint64_t timeout_ms,
    size_t max_messages,
    size_t max_bytes,
    plsm_buf_t *out_messages,
    size_t *out_count,
    plsm_error_t **out_err);

/*
 * Appends one message as plsm_pool_append_json does (same arguments, checks,
 * errors and effect), and returns its receipt instead of its envelope (ABI
 * minor 5), so that a caller who has the message's data at hand pays for no
 * rendering and no allocation: writes the message's sequence number to
 * *out_seq and its append time (Unix nanoseconds, the envelope's "time") to
 * *out_timestamp_ns. Both are required (Usage, before any effect).
 *
 * out_message may be NULL. When it is not, the library writes the envelope
 * there, as plsm_pool_append_json would, unless json_bytes is already the
 * text the stored data reads back as: compact (no whitespace), every
 * object's keys in ascending byte order without duplicates, strings escaped
 * only where needed (\" \\ \b \f \n \r \t, other control characters as
 * \u00xx in lowercase), numbers as they read back (integers within int64;
 * floats whose stored value is written with the same digits, such as 1.5 or
 * 1e+21). Then *out_message is set to {NULL, 0}, and the envelope is, byte
 * for byte,
 *   {"seq":<seq>,"time":"<time>","meta":{"tags":[<tags>]},"data":<json_bytes>}
 * with time in RFC 3339 UTC, the fraction of a second trimmed of trailing
 * zeros and omitted when zero (2026-02-02T23:45:00.5Z), and each tag a JSON
 * string escaped as above. A remote pool always writes the envelope (it is
 * the server's). Free a written envelope with plsm_buf_free.
 */
int plsm_pool_append_json_receipt(
    plsm_pool_t *pool,
    const uint8_t *json_bytes,
    size_t json_len,
    const char **tags,
    size_t tags_len,
    uint32_t durability,
    uint64_t *out_seq,
    uint64_t *out_timestamp_ns,
    plsm_buf_t *out_message,
    plsm_error_t **out_err);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* PLASMITE_H */
