package main

/*
#include <stdint.h>
#include "capi.h"

// Handles travel to C as the integer value of a runtime/cgo.Handle dressed
// as an opaque pointer. The conversion happens in C so that Go never turns
// an integer into an unsafe.Pointer.
static inline plsm_client_t *plsm__client_ptr(uintptr_t h) { return (plsm_client_t *)h; }
static inline plsm_pool_t *plsm__pool_ptr(uintptr_t h) { return (plsm_pool_t *)h; }
static inline plsm_stream_t *plsm__stream_ptr(uintptr_t h) { return (plsm_stream_t *)h; }
static inline plsm_lite3_stream_t *plsm__lite3_stream_ptr(uintptr_t h) { return (plsm_lite3_stream_t *)h; }
*/
import "C"

import (
	"runtime/cgo"
	"unsafe"
)

// Handles are runtime/cgo.Handle values: the standard library's way to hand
// a Go object to C without passing a Go pointer (so no extra dependency and
// no cgo pointer-rule violations); Value returns the object with its Go type,
// so a handle of the wrong kind is detected by a type assertion; and Delete
// ends its life explicitly, matching the C free functions. Handle numbers are
// never reused, so a stale handle is recognised instead of aliasing a new
// object (we still document use-after-free as undefined).
//
// Each object carries its own mutex (see client.go, pool.go, stream.go),
// which makes every handle safe to use from several threads.

// lookup returns the object behind handle p if it is a live handle of type *T.
func lookup[T any](p unsafe.Pointer) (obj *T, ok bool) {
	if p == nil {
		return nil, false
	}
	defer func() {
		// cgo.Handle.Value panics on a handle that was never issued or was
		// deleted: report that as a bad handle instead of crashing the host.
		if recover() != nil {
			obj, ok = nil, false
		}
	}()
	obj, ok = cgo.Handle(uintptr(p)).Value().(*T)
	return obj, ok
}

// release deletes the handle p if it is a live handle of type *T and returns
// its object.
func release[T any](p unsafe.Pointer) (obj *T, ok bool) {
	obj, ok = lookup[T](p)
	if !ok {
		return nil, false
	}
	defer func() {
		// Two frees racing on one handle: the second one loses here.
		if recover() != nil {
			obj, ok = nil, false
		}
	}()
	cgo.Handle(uintptr(p)).Delete()
	return obj, true
}

func clientPtr(c *client) *C.plsm_client_t {
	return C.plsm__client_ptr(C.uintptr_t(cgo.NewHandle(c)))
}

func poolPtr(p *pool) *C.plsm_pool_t {
	return C.plsm__pool_ptr(C.uintptr_t(cgo.NewHandle(p)))
}

func streamPtr(s *jsonStream) *C.plsm_stream_t {
	return C.plsm__stream_ptr(C.uintptr_t(cgo.NewHandle(s)))
}

func lite3StreamPtr(s *lite3Stream) *C.plsm_lite3_stream_t {
	return C.plsm__lite3_stream_ptr(C.uintptr_t(cgo.NewHandle(s)))
}
