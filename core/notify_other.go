//go:build !linux

package core

// Wake-ups on systems without Linux futexes (macOS): polling.
//
// Writers still bump the wake generation kept in the header's reserved bytes
// (offset 128, see notify_linux.go for the layout and why it is safe for the
// format), and a waiter polls it every notifyPollSlice (1 ms), so a follower
// notices an append of ours within about a millisecond. Only the pool's one
// waiter goroutine polls (watch.go), and only while some tail of the pool
// waits; an append by a writer that does not bump the word (the reference's)
// is noticed at the waiter's next look at the header, within pollMax (50 ms).
// Nobody sets the waiters bit here, and the reference's named semaphore is
// not posted (its 70-character name does not fit the macOS limit, where the
// reference falls back to polling as well). A native wait (os_sync_wait_on_
// address, macOS 14.4) would need cgo or libSystem trampolines; until then
// correctness never depends on it: readers re-check the ring after every
// wake-up or poll.

import (
	"context"
	"sync/atomic"
	"time"
	"unsafe"
)

const (
	notifyGenOffset  = 128
	notifyWaitersBit = 1
	notifyPollSlice  = time.Millisecond
)

// notifyOptions are the OpenOptions that concern wake-ups.
type notifyOptions struct {
	off       bool // no wake-ups: wait sleeps, wakeAll does nothing
	semaphore bool // ignored: the reference's semaphore is not posted here
}

// notifier wakes the followers of one pool and lets a follower wait for the
// next append; here by polling a generation word. It never fails.
type notifier struct {
	gen      *atomic.Uint32 // nil when disabled
	writable bool
	closed   atomic.Bool
}

// openNotifier prepares wake-ups for the pool whose 4096-byte header is
// mapped at header. It never fails.
func openNotifier(path string, header []byte, writable bool, o notifyOptions) *notifier {
	n := &notifier{writable: writable}
	if o.off || testNotifyOff || len(header) < notifyGenOffset+4 {
		return n
	}
	n.gen = (*atomic.Uint32)(unsafe.Pointer(&header[notifyGenOffset]))
	return n
}

// wakeAll publishes a new generation (no system call).
func (n *notifier) wakeAll() {
	if n.gen != nil && n.writable {
		// Keeps the word's layout shared with Linux: +2, waiters bit clear.
		for {
			old := n.gen.Load()
			if n.gen.CompareAndSwap(old, (old|notifyWaitersBit)+1) {
				return
			}
		}
	}
}

// token returns the current wake generation; read it before checking for
// new data.
func (n *notifier) token() uint32 {
	if n.gen == nil || n.closed.Load() {
		return 0
	}
	return n.gen.Load() >> 1 // the generation, without the waiters bit
}

// wait returns nil once the generation differs from token or max has
// elapsed, and ctx.Err() when ctx is done first. It never blocks longer
// than max.
func (n *notifier) wait(ctx context.Context, token uint32, max time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if max <= 0 {
		return nil
	}
	deadline := time.Now().Add(max)
	t := time.NewTimer(max) // re-armed below; Go ≥ 1.23 timers drop stale fires on Reset
	defer t.Stop()
	for {
		if n.gen != nil && !n.closed.Load() && n.gen.Load()>>1 != token {
			return nil
		}
		remaining := time.Until(deadline)
		if remaining <= 0 {
			return nil
		}
		if n.gen != nil && remaining > notifyPollSlice {
			remaining = notifyPollSlice
		}
		t.Reset(remaining)
		select {
		case <-t.C:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// close stops using the header; later waits only sleep.
func (n *notifier) close() { n.closed.Store(true) }

// semaphorePath is empty: there is no reference semaphore file to remove here.
func semaphorePath(path string) string { return "" }

// semaphoreCreated mirrors the Linux test hook; nothing creates semaphores here.
var semaphoreCreated func(path string)
