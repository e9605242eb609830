package main

/*
#include "capi.h"
*/
import "C"

import (
	"fmt"
	"strings"
	"unicode/utf8"
	"unsafe"

	"github.com/plasmite-go/plasmite/core"
)

// guard turns a panic escaping an exported function into an Internal error,
// so a bug in the library never takes the host process down with it.
func guard(outErr **C.plsm_error_t, rc *C.int) {
	if r := recover(); r != nil {
		*rc = fail(outErr, &core.Error{Kind: core.Internal, Message: fmt.Sprintf("panic in libplasmite: %v", r)})
	}
}

// cstr views the NUL-terminated C string p as a Go string without copying.
// The result must not outlive the exported call it was made in.
func cstr(p *C.plsm__cchar) string {
	if p == nil {
		return ""
	}
	base := unsafe.Pointer(p)
	n := 0
	for *(*byte)(unsafe.Add(base, n)) != 0 {
		n++
	}
	return unsafe.String((*byte)(base), n)
}

// cbytes views n bytes at p as a Go slice without copying (call-scoped).
func cbytes(p *C.plsm__cu8, n C.size_t) []byte {
	if n == 0 {
		return []byte{}
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(p)), int(n))
}

// cstrings views tags[0..n) as Go strings appended to dst, without copying
// the bytes (call-scoped). tags NULL means no tags.
func cstrings(dst []string, tags **C.plsm__cchar, n C.size_t) ([]string, error) {
	if tags == nil || n == 0 {
		return dst, nil
	}
	for _, t := range unsafe.Slice(tags, int(n)) {
		if t == nil {
			return dst, usage("tags contains null")
		}
		s := cstr(t)
		if !utf8.ValidString(s) {
			return dst, usage("tags invalid UTF-8")
		}
		dst = append(dst, s)
	}
	return dst, nil
}

// durabilityOf maps the ABI's durability number.
func durabilityOf(d C.uint32_t) (core.Durability, error) {
	switch d {
	case 0:
		return core.Fast, nil
	case 1:
		return core.Flush, nil
	}
	return 0, usage("invalid durability")
}

// poolRef checks a pool reference the way the reference ABI does.
func poolRef(p *C.plsm__cchar) (string, error) {
	if p == nil {
		return "", usage("pool_ref is null")
	}
	ref := cstr(p)
	if !utf8.ValidString(ref) {
		return "", usage("pool_ref is not valid UTF-8")
	}
	if strings.Contains(ref, "://") {
		return "", usage("remote pool refs are not supported in v0")
	}
	return strings.Clone(ref), nil
}
