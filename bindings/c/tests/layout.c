/* layout: prints sizes, field offsets and enum values of the ABI types.
 * test-c.sh compiles it against our header and against the reference's and
 * requires identical output. (plsm_stream_options_t is printed by field
 * offsets only: our version 2 is larger by design.) */
#include <stdio.h>
#include <stddef.h>
#include <plasmite.h>

#define SIZE(t) printf("sizeof %s = %zu\n", #t, sizeof(t))
#define OFF(t, f) printf("offsetof %s.%s = %zu\n", #t, #f, offsetof(t, f))
#define VAL(e) printf("%s = %d\n", #e, (int)(e))

int main(void) {
    SIZE(plsm_buf_t); OFF(plsm_buf_t, data); OFF(plsm_buf_t, len);
    SIZE(plsm_lite3_frame_t); OFF(plsm_lite3_frame_t, seq); OFF(plsm_lite3_frame_t, timestamp_ns);
    OFF(plsm_lite3_frame_t, flags); OFF(plsm_lite3_frame_t, payload);
    SIZE(plsm_error_t); OFF(plsm_error_t, kind); OFF(plsm_error_t, message); OFF(plsm_error_t, path);
    OFF(plsm_error_t, seq); OFF(plsm_error_t, offset); OFF(plsm_error_t, has_seq); OFF(plsm_error_t, has_offset);
    OFF(plsm_stream_options_t, struct_size); OFF(plsm_stream_options_t, gap_policy);
    OFF(plsm_stream_options_t, since_seq); OFF(plsm_stream_options_t, max_messages);
    OFF(plsm_stream_options_t, timeout_ms); OFF(plsm_stream_options_t, has_since);
    OFF(plsm_stream_options_t, has_max); OFF(plsm_stream_options_t, has_timeout);
    OFF(plsm_stream_options_t, reserved);
    SIZE(plsm_udp_event_t); OFF(plsm_udp_event_t, kind); OFF(plsm_udp_event_t, reason);
    OFF(plsm_udp_event_t, seq); OFF(plsm_udp_event_t, timestamp_ns); OFF(plsm_udp_event_t, first);
    OFF(plsm_udp_event_t, last); OFF(plsm_udp_event_t, start_seq); OFF(plsm_udp_event_t, next_seq);
    OFF(plsm_udp_event_t, end_seq); OFF(plsm_udp_event_t, has_end); OFF(plsm_udp_event_t, terminal);
    OFF(plsm_udp_event_t, retention_gap); OFF(plsm_udp_event_t, reserved); OFF(plsm_udp_event_t, payload);
    SIZE(plsm_error_kind_t); SIZE(plsm_gap_policy_t);
    VAL(PLSM_ERROR_INTERNAL); VAL(PLSM_ERROR_USAGE); VAL(PLSM_ERROR_NOT_FOUND);
    VAL(PLSM_ERROR_ALREADY_EXISTS); VAL(PLSM_ERROR_BUSY); VAL(PLSM_ERROR_PERMISSION);
    VAL(PLSM_ERROR_CORRUPT); VAL(PLSM_ERROR_IO); VAL(PLSM_ERROR_RETENTION_GAP);
    VAL(PLSM_GAP_CONTINUE); VAL(PLSM_GAP_ERROR);
    VAL(PLSM_UDP_START_NEW); VAL(PLSM_UDP_START_LAST); VAL(PLSM_UDP_START_SINCE); VAL(PLSM_UDP_START_SEQUENCE);
    VAL(PLSM_UDP_EVENT_FRAME); VAL(PLSM_UDP_EVENT_GAP); VAL(PLSM_UDP_EVENT_PROGRESS);
    VAL(PLSM_UDP_SKIP_UNKNOWN); VAL(PLSM_UDP_SKIP_OVERSIZED); VAL(PLSM_UDP_SKIP_RETENTION);
    VAL(PLSM_UDP_SKIP_PRESSURE);
#ifdef PLSM_STREAM_OPTIONS_V1_SIZE
    if (offsetof(plsm_stream_options_t, reserved) + 4 != PLSM_STREAM_OPTIONS_V1_SIZE) return 1;
#endif
    return 0;
}
