package main

/*
#include "capi.h"
*/
import "C"

import (
	"unsafe"

	"github.com/plasmite-go/plasmite/core"
	"github.com/plasmite-go/plasmite/wire"
)

// The reference 1.2.1 declares a UDP transport to a server. This library has
// none yet; the functions exist so programs written for the reference link,
// and each fails with one clear Usage error after the reference's NULL checks.

func udpUnsupported() error {
	return usage("udp transport is not supported by this library")
}

//export plsm_udp_client_new
func plsm_udp_client_new(endpoint *C.plsm__cchar, out **C.plsm_udp_client_t, outErr **C.plsm_error_t) (rc C.int) {
	defer guard(outErr, &rc)
	if out == nil {
		return fail(outErr, usage("out_client is null"))
	}
	if endpoint == nil {
		return fail(outErr, usage("endpoint is null"))
	}
	return fail(outErr, udpUnsupported())
}

//export plsm_udp_client_free
func plsm_udp_client_free(*C.plsm_udp_client_t) {}

//export plsm_udp_client_open_pool
func plsm_udp_client_open_pool(c *C.plsm_udp_client_t, name *C.plsm__cchar, out **C.plsm_udp_pool_t, outErr **C.plsm_error_t) (rc C.int) {
	defer guard(outErr, &rc)
	if out == nil {
		return fail(outErr, usage("out_pool is null"))
	}
	if c == nil {
		return fail(outErr, usage("client is null"))
	}
	return fail(outErr, udpUnsupported())
}

//export plsm_udp_pool_free
func plsm_udp_pool_free(*C.plsm_udp_pool_t) {}

//export plsm_udp_pool_send_json
func plsm_udp_pool_send_json(p *C.plsm_udp_pool_t, jsonBytes *C.plsm__cu8, jsonLen C.size_t, tags **C.plsm__cchar, tagsLen C.size_t, outErr **C.plsm_error_t) (rc C.int) {
	defer guard(outErr, &rc)
	if p == nil {
		return fail(outErr, usage("pool is null"))
	}
	return fail(outErr, udpUnsupported())
}

//export plsm_udp_pool_send_lite3
func plsm_udp_pool_send_lite3(p *C.plsm_udp_pool_t, payload *C.plsm__cu8, payloadLen C.size_t, outErr **C.plsm_error_t) (rc C.int) {
	defer guard(outErr, &rc)
	if p == nil {
		return fail(outErr, usage("pool is null"))
	}
	return fail(outErr, udpUnsupported())
}

//export plsm_udp_pool_follow
func plsm_udp_pool_follow(p *C.plsm_udp_pool_t, startKind C.uint32_t, startValue C.uint64_t, live C.uint32_t, out **C.plsm_udp_follow_t, outErr **C.plsm_error_t) (rc C.int) {
	defer guard(outErr, &rc)
	if out == nil {
		return fail(outErr, usage("out_follow is null"))
	}
	if p == nil {
		return fail(outErr, usage("pool is null"))
	}
	return fail(outErr, udpUnsupported())
}

//export plsm_udp_follow_next
func plsm_udp_follow_next(f *C.plsm_udp_follow_t, timeoutMs C.uint64_t, out *C.plsm_udp_event_t, outErr **C.plsm_error_t) (rc C.int) {
	defer guard(outErr, &rc)
	if out == nil {
		return fail(outErr, usage("out_event is null"))
	}
	if f == nil {
		return fail(outErr, usage("follow is null"))
	}
	return fail(outErr, udpUnsupported())
}

//export plsm_udp_follow_cancel
func plsm_udp_follow_cancel(*C.plsm_udp_follow_t) {}

//export plsm_udp_follow_close
func plsm_udp_follow_close(*C.plsm_udp_follow_t) {}

//export plsm_udp_event_free
func plsm_udp_event_free(ev *C.plsm_udp_event_t) {
	if ev == nil {
		return
	}
	plsm_buf_free(&ev.payload)
	*ev = C.plsm_udp_event_t{}
}

// plsm_udp_event_message needs no transport: it renders a frame event's
// payload as envelope JSON, like the reference.
//
//export plsm_udp_event_message
func plsm_udp_event_message(ev *C.plsm__cudpevent, out *C.plsm_buf_t, outErr **C.plsm_error_t) (rc C.int) {
	defer guard(outErr, &rc)
	if ev == nil {
		return fail(outErr, usage("event is null"))
	}
	if out == nil {
		return fail(outErr, usage("out_message is null"))
	}
	e := (*C.plsm_udp_event_t)(unsafe.Pointer(ev))
	if e.kind != C.PLSM_UDP_EVENT_FRAME {
		return fail(outErr, usage("event is not a frame"))
	}
	var payload []byte
	if e.payload.data != nil && e.payload.len != 0 {
		payload = unsafe.Slice((*byte)(unsafe.Pointer(e.payload.data)), int(e.payload.len))
	}
	b, err := wire.AppendMessageABI(nil, core.Message{Seq: uint64(e.seq), Time: int64(e.timestamp_ns), Payload: payload})
	if err != nil {
		return fail(outErr, err)
	}
	setBuf(out, b)
	return 0
}
