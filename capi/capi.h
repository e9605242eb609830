/* Private to libplasmite's Go sources: the public header plus
 * const-qualified spellings of its parameter types, so that cgo's generated
 * prototypes of the exported functions say exactly what plasmite.h says
 * (a C compiler then rejects any drift between the two). */
#ifndef PLSM_CAPI_H
#define PLSM_CAPI_H
#include <stdlib.h>
#include <stdint.h>
#include "plasmite.h"
typedef const char plsm__cchar;
typedef const uint8_t plsm__cu8;
typedef const plsm_stream_options_t plsm__copts;
typedef const plsm_json_message_t plsm__cjsonmsg;
typedef const plsm_udp_event_t plsm__cudpevent;
typedef const plsm_remote_options_t plsm__cremoteopts;
#endif
