package main

/*
#include "capi.h"
*/
import "C"

import (
	"time"
	"unsafe"

	"github.com/plasmite-go/plasmite/wire"
)

// nextBatch takes up to maxN messages: it waits for the first at most wait,
// then takes the ones already available without waiting, until maxN or
// until the envelopes hold maxBytes (0: no bound; the first message is
// always taken whole). Each envelope is followed by '\n' in s.out. An error
// met after some messages were taken is kept in js.pending for the next
// call, so those messages are delivered and none is lost.
func (js *jsonStream) nextBatch(wait time.Duration, maxN, maxBytes int) (nextStatus, int, error) {
	s := &js.stream
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := js.pending; err != nil {
		js.pending = nil
		return nextEnd, 0, err
	}
	s.out = s.out[:0]
	n := 0
	for n < maxN && (maxBytes == 0 || len(s.out) < maxBytes) {
		m, st, err := s.next(wait)
		if err == nil && st == nextItem {
			s.out, err = wire.AppendMessageABI(s.out, m)
		}
		if err != nil {
			if n == 0 {
				return nextEnd, 0, err
			}
			js.pending = err
			break
		}
		if st != nextItem {
			if n == 0 {
				return st, 0, nil
			}
			break
		}
		s.out = append(s.out, '\n')
		s.s.Delivered()
		n++
		wait = 0
	}
	return nextItem, n, nil
}

//export plsm_stream_next_batch
func plsm_stream_next_batch(h *C.plsm_stream_t, timeoutMs C.uint64_t, maxMessages C.size_t, maxBytes C.size_t,
	outMessages *C.plsm_buf_t, outCount *C.size_t, outErr **C.plsm_error_t) (rc C.int) {
	defer guard(outErr, &rc)
	if outMessages == nil {
		return fail(outErr, usage("out_messages is null"))
	}
	if outCount == nil {
		return fail(outErr, usage("out_count is null"))
	}
	*outCount = 0
	if maxMessages == 0 {
		return fail(outErr, usage("max_messages must be at least 1"))
	}
	js, err := getStream[jsonStream](unsafe.Pointer(h))
	if err != nil {
		return fail(outErr, err)
	}
	maxN := int(min(uint64(maxMessages), 1<<20))
	maxB := int(min(uint64(maxBytes), 1<<40))
	st, n, err := js.nextBatch(waitBound(timeoutMs), maxN, maxB)
	if err != nil {
		return fail(outErr, err)
	}
	if st == nextItem {
		setBuf(outMessages, js.out)
		*outCount = C.size_t(n)
	}
	return C.int(st)
}
