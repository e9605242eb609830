package main

/*
#include "capi.h"
*/
import "C"

import (
	"sync"
	"syscall"

	"github.com/plasmite-go/plasmite/core"
)

// readiness is a stream's readiness descriptor: the read end of a pipe that
// is readable when a message may be available, so that an event loop can
// wait for many streams with poll(2) and no thread per stream. A pipe, not
// an eventfd, so that it works the same on Linux and macOS.
//
// Protocol: every next call first drains the pipe and withdraws the pending
// wake-up, then re-arms it for what it leaves behind: after a message it
// writes a byte at once (more may follow); after a timeout it registers
// with the tail (core's Tail.AfterReady), whose callback writes a byte on
// the next append to the pool; once the stream is over it writes a byte
// that stays. The end of the stream's context (cancel, deadline) writes one
// too. The writes come from the pool's one waiter goroutine (or a short
// goroutine it starts), never from a thread of the stream's own.
type readiness struct {
	r, w int // pipe ends; -1 once closed (w is guarded by mu)
	mu   sync.Mutex
	// stopReady withdraws the pending Tail.AfterReady (nil: none);
	// stopCtx the context.AfterFunc on the stream's context.
	stopReady func() bool
	stopCtx   func() bool
}

var readyByte = []byte{1}

// newReadiness makes the pipe: close-on-exec, non-blocking, both ends.
func newReadiness() (*readiness, error) {
	var p [2]int
	syscall.ForkLock.RLock()
	err := syscall.Pipe(p[:])
	if err == nil {
		syscall.CloseOnExec(p[0])
		syscall.CloseOnExec(p[1])
	}
	syscall.ForkLock.RUnlock()
	if err != nil {
		return nil, err
	}
	for _, fd := range p {
		if err := syscall.SetNonblock(fd, true); err != nil {
			syscall.Close(p[0])
			syscall.Close(p[1])
			return nil, err
		}
	}
	return &readiness{r: p[0], w: p[1]}, nil
}

// signal makes the descriptor readable (a full pipe already is).
func (rd *readiness) signal() {
	rd.mu.Lock()
	if rd.w >= 0 {
		_, _ = syscall.Write(rd.w, readyByte)
	}
	rd.mu.Unlock()
}

// drain withdraws the pending wake-up and empties the pipe. A callback that
// was already running may still write afterwards: one spurious wake-up,
// which the descriptor's "may be available" allows. No-op on nil.
func (rd *readiness) drain() {
	if rd == nil {
		return
	}
	if rd.stopReady != nil {
		rd.stopReady()
		rd.stopReady = nil
	}
	var buf [64]byte
	for {
		n, err := syscall.Read(rd.r, buf[:])
		if n <= 0 || err != nil {
			return
		}
	}
}

// arm re-arms the descriptor after a next call that found st. Caller holds
// s.mu. No-op on nil.
func (rd *readiness) arm(s *stream, st nextStatus) {
	switch {
	case rd == nil || s.s == nil:
	case st == nextItem || s.over():
		rd.signal()
	default:
		rd.stopReady = s.s.AfterReady(rd.signal)
	}
}

// close withdraws every wake-up and closes both ends. Caller holds s.mu, and
// the tail is closed. No-op on nil.
func (rd *readiness) close() {
	if rd == nil {
		return
	}
	if rd.stopReady != nil {
		rd.stopReady()
	}
	rd.stopCtx()
	rd.mu.Lock()
	syscall.Close(rd.r)
	syscall.Close(rd.w)
	rd.r, rd.w = -1, -1
	rd.mu.Unlock()
}

// streamFD is plsm_*_stream_fd: the stream's descriptor, made on first use.
func streamFD(s *stream, outFd *C.int, outErr **C.plsm_error_t) C.int {
	if outFd == nil {
		return fail(outErr, usage("out_fd is null"))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.s == nil {
		return fail(outErr, usage("stream is not a live stream handle"))
	}
	if s.ready == nil {
		rd, err := newReadiness()
		if err != nil {
			return fail(outErr, &core.Error{Kind: core.IO, Message: "failed to create the stream's readiness descriptor", Err: err})
		}
		rd.stopCtx = s.s.AfterDone(rd.signal)
		s.ready = rd
		rd.arm(s, nextTimeout)
	}
	*outFd = C.int(s.ready.r)
	return 0
}
