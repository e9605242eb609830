package main

/*
#include <stdlib.h>
#include <string.h>
#include "capi.h"
*/
import "C"

import (
	"errors"
	"unsafe"

	"github.com/plasmite-go/plasmite/core"
)

// usage builds a Usage error with a fixed message.
func usage(msg string) error { return &core.Error{Kind: core.Usage, Message: msg} }

// fail stores err as a new plsm_error_t in *outErr (when outErr is not NULL)
// and returns -1.
func fail(outErr **C.plsm_error_t, err error) C.int {
	if outErr != nil {
		*outErr = newCError(err)
	}
	return -1
}

// newCError converts err into a malloc'ed plsm_error_t.
func newCError(err error) *C.plsm_error_t {
	ce := (*C.plsm_error_t)(C.calloc(1, C.size_t(unsafe.Sizeof(C.plsm_error_t{}))))
	ce.kind = C.int32_t(core.KindOf(err))
	var e *core.Error
	if errors.As(err, &e) {
		msg := e.Message
		if msg == "" {
			msg = e.Kind.Error()
		}
		if e.Err != nil {
			msg += ": " + e.Err.Error()
		}
		ce.message = C.CString(msg)
		if e.Path != "" {
			ce.path = C.CString(e.Path)
		}
		if e.Seq != nil {
			ce.seq, ce.has_seq = C.uint64_t(*e.Seq), 1
		}
		if e.Offset != nil {
			ce.offset, ce.has_offset = C.uint64_t(*e.Offset), 1
		}
	} else {
		ce.message = C.CString(err.Error())
	}
	return ce
}

//export plsm_error_free
func plsm_error_free(err *C.plsm_error_t) {
	if err == nil {
		return
	}
	C.free(unsafe.Pointer(err.message))
	C.free(unsafe.Pointer(err.path))
	C.free(unsafe.Pointer(err))
}

// setBuf copies b into newly malloc'ed memory described by *out. An empty b
// gives {NULL, 0}.
func setBuf(out *C.plsm_buf_t, b []byte) {
	if len(b) == 0 {
		out.data, out.len = nil, 0
		return
	}
	p := C.malloc(C.size_t(len(b)))
	copy(unsafe.Slice((*byte)(p), len(b)), b)
	out.data, out.len = (*C.uint8_t)(p), C.size_t(len(b))
}

//export plsm_buf_free
func plsm_buf_free(buf *C.plsm_buf_t) {
	if buf == nil {
		return
	}
	C.free(unsafe.Pointer(buf.data))
	buf.data, buf.len = nil, 0
}

//export plsm_lite3_frame_free
func plsm_lite3_frame_free(frame *C.plsm_lite3_frame_t) {
	if frame == nil {
		return
	}
	plsm_buf_free(&frame.payload)
	frame.seq, frame.timestamp_ns, frame.flags = 0, 0, 0
}
