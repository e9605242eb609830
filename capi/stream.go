package main

/*
#include "capi.h"
*/
import "C"

import (
	"context"
	"fmt"
	"math"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
	"unsafe"

	"github.com/plasmite-go/plasmite/core"
	"github.com/plasmite-go/plasmite/wire"
)

const (
	optionsV1Size = 48 // the reference's plsm_stream_options_t
	optionsV2Size = 64 // adds the tag filter
	// optionsV2Tag in the reserved field marks the fields after the first 48
	// bytes as ours (PLSM_STREAM_OPTIONS_V2 in plasmite.h).
	optionsV2Tag = 0x32534C50
	maxTags      = 1 << 16 // more tags than any message can carry
)

// stream is the state shared by JSON and Lite3 streams: a wire.Stream
// under the caller's bounds. mu serializes next and free; cancel needs no
// lock, which is what lets another thread end a blocked next.
type stream struct {
	mu     sync.Mutex
	s      source // a *wire.Stream or, on a remote pool, a *remoteStream; nil once freed
	cancel func() // s.Cancel, kept apart so that it needs no lock
	out    []byte
	ready  *readiness // the stream's readiness descriptor, once asked for
}

// What one next call found (the *_next_timeout return codes).
type nextStatus int

const (
	nextItem    nextStatus = 1 // PLSM_STREAM_ITEM: a message
	nextTimeout nextStatus = 0 // PLSM_STREAM_TIMEOUT: none within the bound
	nextEnd     nextStatus = 2 // PLSM_STREAM_END: the stream is over
)

// Distinct types so a JSON stream handle is never accepted as a Lite3 one.
// pending is an error met by plsm_stream_next_batch after it had taken
// messages; the next call reports it (batch.go).
type jsonStream struct {
	stream
	pending error
}
type lite3Stream struct{ stream }

type streamOptions struct {
	tail    core.TailOptions
	bounds  wire.StreamBounds // Deadline is set at open, from timeout
	timeout time.Duration     // < 0: none
}

// parseOptions reads the caller's options struct, touching only the fields
// that lie within its declared struct_size.
func parseOptions(o *C.plsm_stream_options_t) (streamOptions, error) {
	var so streamOptions
	if o == nil {
		return so, usage("stream options are null")
	}
	size := uint32(o.struct_size)
	if size < optionsV1Size {
		return so, usage(fmt.Sprintf("stream options are too small: got %d bytes, need at least %d", size, optionsV1Size))
	}
	// As in the reference 1.2.1, any size from 48 up is a version 1 struct
	// whose bytes past 48 are not ours to read: a caller of the reference
	// may leave anything there. Only reserved == PLSM_STREAM_OPTIONS_V2,
	// which the reference refuses, says that the version 2 fields are set.
	v2 := false
	switch o.reserved {
	case 0:
	case optionsV2Tag:
		if size < optionsV2Size {
			return so, usage(fmt.Sprintf("stream options version 2 needs struct_size of at least %d, got %d", optionsV2Size, size))
		}
		v2 = true
	default:
		return so, usage("stream options reserved field must be zero")
	}
	switch o.gap_policy {
	case 0:
		so.bounds.Gap = core.GapContinue
	case 1:
		so.bounds.Gap = core.GapError
	default:
		return so, usage("invalid gap policy")
	}
	so.tail.Start = core.StartOldest
	if o.has_since != 0 {
		so.tail.Start = core.StartSeq
		// Sequence numbers start at 1; since 0 means "from the first message
		// ever" rather than reporting a gap before it.
		so.tail.Seq = max(uint64(o.since_seq), 1)
	}
	if o.has_max != 0 {
		max := uint64(o.max_messages)
		so.bounds.Max = &max
	}
	so.timeout = -1
	if o.has_timeout != 0 {
		ms := uint64(o.timeout_ms)
		if ms <= uint64(math.MaxInt64/int64(time.Millisecond)) {
			so.timeout = time.Duration(ms) * time.Millisecond
		} // longer than ~292 years: no deadline
	}
	if v2 && o.tags != nil {
		if uint64(o.tags_len) > maxTags {
			return so, usage(fmt.Sprintf("tags_len %d is too large", uint64(o.tags_len)))
		}
		for i, t := range unsafe.Slice(o.tags, int(o.tags_len)) {
			if t == nil {
				return so, usage(fmt.Sprintf("tags contains null (tags[%d])", i))
			}
			s := cstr((*C.plsm__cchar)(t))
			if !utf8.ValidString(s) {
				return so, usage("tags invalid UTF-8")
			}
			so.tail.Tags = append(so.tail.Tags, strings.Clone(s))
		}
	}
	return so, nil
}

// openStream checks options, pool and out pointer in the reference's order,
// then opens a tail into s. outNil reports whether the out-parameter is NULL.
func openStream(s *stream, h *C.plsm_pool_t, o *C.plsm_stream_options_t, outNil bool) error {
	so, err := parseOptions(o)
	if err != nil {
		return err
	}
	p, err := lockPool(h)
	if err != nil {
		return err
	}
	defer p.mu.Unlock()
	if outNil {
		return usage("out_stream is null")
	}
	// The deadline is fixed now, at open time, as in the reference.
	if so.timeout >= 0 {
		so.bounds.Deadline = time.Now().Add(so.timeout)
	}
	if p.r != nil {
		s.s, err = openRemoteStream(p.r, so)
	} else {
		s.s, err = wire.OpenStream(context.Background(), p.p, so.tail, so.bounds)
	}
	if err != nil {
		return err
	}
	s.cancel = s.s.Cancel
	return nil
}

// legacyOptions builds the v1 options of the positional open functions.
func legacyOptions(since C.uint64_t, hasSince C.uint32_t, maxMessages C.uint64_t, hasMax C.uint32_t,
	timeout C.uint64_t, hasTimeout C.uint32_t) C.plsm_stream_options_t {
	return C.plsm_stream_options_t{
		struct_size: optionsV1Size, gap_policy: 0,
		since_seq: since, has_since: hasSince,
		max_messages: maxMessages, has_max: hasMax,
		timeout_ms: timeout, has_timeout: hasTimeout,
	}
}

// next returns the next message, waiting for it at most wait (< 0: without
// a bound, 0: not at all). It reports nextEnd at the end of the stream
// (deadline, max, cancel, after a gap error) and nextTimeout when wait ran
// out first. Caller holds s.mu.
func (s *stream) next(wait time.Duration) (m core.Message, st nextStatus, err error) {
	if s.s == nil {
		return m, nextEnd, usage("stream is not a live stream handle")
	}
	s.ready.drain()
	defer func() { s.ready.arm(s, st) }()
	m, ok, timedOut, err := s.s.NextWithin(wait)
	switch {
	case err != nil:
		return m, nextEnd, err
	case ok:
		return m, nextItem, nil
	case timedOut:
		return m, nextTimeout, nil
	}
	return m, nextEnd, nil
}

// over reports whether every later next returns the end at once.
func (s *stream) over() bool { return s.s.Done() }

// close cancels and releases the tail after any call in progress returns.
func (s *stream) close() {
	s.cancel()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.s != nil {
		_ = s.s.Close()
		s.s = nil
	}
	s.ready.close()
}

// waitBound turns a timeout_ms argument into next's wait: UINT64_MAX (and
// anything beyond ~292 years) means no bound.
func waitBound(ms C.uint64_t) time.Duration {
	if uint64(ms) > uint64(math.MaxInt64/int64(time.Millisecond)) {
		return -1
	}
	return time.Duration(ms) * time.Millisecond
}

// nextLocked is next under s.mu; deliver hands a message to the caller.
func (s *stream) nextLocked(wait time.Duration, deliver func(core.Message) error) (nextStatus, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, st, err := s.next(wait)
	if err != nil || st != nextItem {
		return st, err
	}
	if err := deliver(m); err != nil {
		return nextEnd, err
	}
	s.s.Delivered()
	return nextItem, nil
}

// jsonNext is plsm_stream_next(_timeout): the envelope of the next message.
func jsonNext(h *C.plsm_stream_t, wait time.Duration, outMessage *C.plsm_buf_t) (nextStatus, error) {
	if outMessage == nil {
		return nextEnd, usage("out_message is null")
	}
	js, err := getStream[jsonStream](unsafe.Pointer(h))
	if err != nil {
		return nextEnd, err
	}
	s := &js.stream
	return s.nextLocked(wait, func(m core.Message) (err error) {
		s.out, err = wire.AppendMessageABI(s.out[:0], m)
		if err == nil {
			setBuf(outMessage, s.out)
		}
		return err
	})
}

// lite3Next is plsm_lite3_stream_next(_timeout): the next message's frame.
func lite3Next(h *C.plsm_lite3_stream_t, wait time.Duration, outFrame *C.plsm_lite3_frame_t) (nextStatus, error) {
	if outFrame == nil {
		return nextEnd, usage("out_frame is null")
	}
	ls, err := getStream[lite3Stream](unsafe.Pointer(h))
	if err != nil {
		return nextEnd, err
	}
	return ls.nextLocked(wait, func(m core.Message) error {
		setFrame(outFrame, m)
		return nil
	})
}

// legacyRC is the return code of plsm_*_stream_next: 1 item, 0 end.
func legacyRC(st nextStatus) C.int {
	if st == nextItem {
		return 1
	}
	return 0
}

//export plsm_stream_open
func plsm_stream_open(h *C.plsm_pool_t, since C.uint64_t, hasSince C.uint32_t, maxMessages C.uint64_t, hasMax C.uint32_t,
	timeout C.uint64_t, hasTimeout C.uint32_t, out **C.plsm_stream_t, outErr **C.plsm_error_t) (rc C.int) {
	o := legacyOptions(since, hasSince, maxMessages, hasMax, timeout, hasTimeout)
	return plsm_stream_open_ex(h, (*C.plsm__copts)(&o), out, outErr)
}

//export plsm_stream_open_ex
func plsm_stream_open_ex(h *C.plsm_pool_t, o *C.plsm__copts, out **C.plsm_stream_t, outErr **C.plsm_error_t) (rc C.int) {
	defer guard(outErr, &rc)
	js := new(jsonStream)
	if err := openStream(&js.stream, h, (*C.plsm_stream_options_t)(o), out == nil); err != nil {
		return fail(outErr, err)
	}
	*out = streamPtr(js)
	return 0
}

func getStream[T jsonStream | lite3Stream](h unsafe.Pointer) (*T, error) {
	if h == nil {
		return nil, usage("stream is null")
	}
	s, ok := lookup[T](h)
	if !ok {
		return nil, usage("stream is not a live stream handle")
	}
	return s, nil
}

//export plsm_stream_next
func plsm_stream_next(h *C.plsm_stream_t, outMessage *C.plsm_buf_t, outErr **C.plsm_error_t) (rc C.int) {
	defer guard(outErr, &rc)
	st, err := jsonNext(h, -1, outMessage)
	if err != nil {
		return fail(outErr, err)
	}
	return legacyRC(st)
}

//export plsm_stream_next_timeout
func plsm_stream_next_timeout(h *C.plsm_stream_t, timeoutMs C.uint64_t, outMessage *C.plsm_buf_t, outErr **C.plsm_error_t) (rc C.int) {
	defer guard(outErr, &rc)
	st, err := jsonNext(h, waitBound(timeoutMs), outMessage)
	if err != nil {
		return fail(outErr, err)
	}
	return C.int(st)
}

//export plsm_stream_fd
func plsm_stream_fd(h *C.plsm_stream_t, outFd *C.int, outErr **C.plsm_error_t) (rc C.int) {
	defer guard(outErr, &rc)
	js, err := getStream[jsonStream](unsafe.Pointer(h))
	if err != nil {
		return fail(outErr, err)
	}
	return streamFD(&js.stream, outFd, outErr)
}

//export plsm_stream_free
func plsm_stream_free(h *C.plsm_stream_t) {
	defer func() { _ = recover() }()
	if s, ok := release[jsonStream](unsafe.Pointer(h)); ok {
		s.close()
	}
}

//export plsm_stream_cancel
func plsm_stream_cancel(h *C.plsm_stream_t) {
	defer func() { _ = recover() }()
	if s, ok := lookup[jsonStream](unsafe.Pointer(h)); ok {
		s.cancel()
	}
}

//export plsm_lite3_stream_open
func plsm_lite3_stream_open(h *C.plsm_pool_t, since C.uint64_t, hasSince C.uint32_t, maxMessages C.uint64_t, hasMax C.uint32_t,
	timeout C.uint64_t, hasTimeout C.uint32_t, out **C.plsm_lite3_stream_t, outErr **C.plsm_error_t) (rc C.int) {
	o := legacyOptions(since, hasSince, maxMessages, hasMax, timeout, hasTimeout)
	return plsm_lite3_stream_open_ex(h, (*C.plsm__copts)(&o), out, outErr)
}

//export plsm_lite3_stream_open_ex
func plsm_lite3_stream_open_ex(h *C.plsm_pool_t, o *C.plsm__copts, out **C.plsm_lite3_stream_t, outErr **C.plsm_error_t) (rc C.int) {
	defer guard(outErr, &rc)
	ls := new(lite3Stream)
	if err := openStream(&ls.stream, h, (*C.plsm_stream_options_t)(o), out == nil); err != nil {
		return fail(outErr, err)
	}
	*out = lite3StreamPtr(ls)
	return 0
}

//export plsm_lite3_stream_next
func plsm_lite3_stream_next(h *C.plsm_lite3_stream_t, outFrame *C.plsm_lite3_frame_t, outErr **C.plsm_error_t) (rc C.int) {
	defer guard(outErr, &rc)
	st, err := lite3Next(h, -1, outFrame)
	if err != nil {
		return fail(outErr, err)
	}
	return legacyRC(st)
}

//export plsm_lite3_stream_next_timeout
func plsm_lite3_stream_next_timeout(h *C.plsm_lite3_stream_t, timeoutMs C.uint64_t, outFrame *C.plsm_lite3_frame_t, outErr **C.plsm_error_t) (rc C.int) {
	defer guard(outErr, &rc)
	st, err := lite3Next(h, waitBound(timeoutMs), outFrame)
	if err != nil {
		return fail(outErr, err)
	}
	return C.int(st)
}

//export plsm_lite3_stream_fd
func plsm_lite3_stream_fd(h *C.plsm_lite3_stream_t, outFd *C.int, outErr **C.plsm_error_t) (rc C.int) {
	defer guard(outErr, &rc)
	ls, err := getStream[lite3Stream](unsafe.Pointer(h))
	if err != nil {
		return fail(outErr, err)
	}
	return streamFD(&ls.stream, outFd, outErr)
}

//export plsm_lite3_stream_free
func plsm_lite3_stream_free(h *C.plsm_lite3_stream_t) {
	defer func() { _ = recover() }()
	if s, ok := release[lite3Stream](unsafe.Pointer(h)); ok {
		s.close()
	}
}

//export plsm_lite3_stream_cancel
func plsm_lite3_stream_cancel(h *C.plsm_lite3_stream_t) {
	defer func() { _ = recover() }()
	if s, ok := lookup[lite3Stream](unsafe.Pointer(h)); ok {
		s.cancel()
	}
}
