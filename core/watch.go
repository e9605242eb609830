package core

import (
	"context"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"
)

// One waiter per mapped pool.
//
// A Tail that finds nothing to read does not wait on the pool itself. It
// joins the current round of its mapping's watch and blocks on the round's
// channel together with its context, which costs a parked goroutine and no
// OS thread. One goroutine per watch, the watcher, waits for the pool to
// change on behalf of all of them: it sleeps on the wake word
// (notifier.wait: a futex on Linux, so at most one OS thread while asleep)
// and also compares the header's newest seq, looking again after pollMin,
// then twice as long each time up to pollMax, because writers that do not
// touch our word (the reference's, which post their own semaphore instead)
// only change the header. Read-only mappings, which cannot ask writers for
// a wake-up, and macOS poll the word itself every millisecond inside
// notifier.wait; a mapping without wake-ups (OpenOptions.NoNotify, and
// TailOptions.NoNotify tails, which use pollWatch) only polls the header.
//
// When the pool differs from its state at the start of the round, the
// watcher ends the round: it closes the channel, which wakes every waiting
// tail at once, and calls the round's ready functions (Tail.AfterReady).
// The watcher runs only while a round has members: it returns after a
// wake-up that nobody waits past, and within pollMax of the last member
// leaving. No wake-up is lost: a round's base state is read when the round
// begins, before any member looks at the ring, and the watcher ends the
// round as soon as the pool differs from that state.
//
// A fault on the mapping (the file was truncated under it) breaks the
// watch: the round ends, and every later join fails with the IO error that
// TryNext reports for the same cause.

const (
	pollMin = time.Millisecond
	pollMax = 50 * time.Millisecond
)

// watchState is what the watcher compares: it changes with every append.
type watchState struct {
	gen    uint32 // wake generation (0 when wake-ups are off)
	newest uint64 // the header's newest seq
}

type watch struct {
	m      *mapping
	n      *notifier
	ctx    context.Context // done once the watch is closed
	cancel context.CancelFunc
	cur    atomic.Pointer[round] // the open round; nil between rounds

	mu      sync.Mutex              // guards opening rounds and what follows
	ready   map[*readyFunc]struct{} // AfterReady functions of the open round
	running bool                    // the watcher goroutine exists
	broken  bool                    // the header cannot be read any more
	closed  bool
	wg      sync.WaitGroup // the watcher
}

// round is one wait of the watcher: its channel is closed when the pool
// differs from base (or the round ends for another reason: a member that
// wakes re-checks the ring and joins the next round).
type round struct {
	ch   chan struct{}
	base watchState   // the pool when the round began
	subs atomic.Int32 // members waiting on ch
}

// leave ends a membership that the round's end has not ended.
func (r *round) leave() { r.subs.Add(-1) }

// readyFunc is one Tail.AfterReady registration.
type readyFunc struct{ f func() }

func newWatch(m *mapping, n *notifier) *watch {
	w := &watch{m: m, n: n}
	w.ctx, w.cancel = context.WithCancel(context.Background())
	return w
}

func (m *mapping) initWatches() {
	m.watch = newWatch(m, m.notify)
	m.pollWatch = newWatch(m, &notifier{}) // no wake word: its watcher only polls
}

// closeWatches stops both watchers; afterwards nothing of them touches the
// mapping. Called once no tail uses the mapping any more.
func (m *mapping) closeWatches() {
	m.watch.close()
	m.pollWatch.close()
}

// join makes the caller a waiting member of the open round, opening one if
// none is, and returns it: r.ch is closed when the pool changes. A member
// that stops waiting before that calls r.leave. Joining a round that is just
// ending is harmless: its channel is closed already. Errors: IO when the
// header cannot be read (the file shrank under the mapping).
func (w *watch) join(path string) (*round, error) {
	if r := w.cur.Load(); r != nil {
		r.subs.Add(1)
		return r, nil
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	r, err := w.openLocked(path)
	if err != nil {
		return nil, err
	}
	r.subs.Add(1)
	return r, nil
}

// register adds r to the open round (opening one if needed).
func (w *watch) register(r *readyFunc, path string) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, err := w.openLocked(path); err != nil {
		return err
	}
	if w.ready == nil {
		w.ready = make(map[*readyFunc]struct{})
	}
	w.ready[r] = struct{}{}
	return nil
}

// unregister removes r and reports whether it was still registered.
func (w *watch) unregister(r *readyFunc) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, ok := w.ready[r]; ok {
		delete(w.ready, r)
		return true
	}
	return false
}

// openLocked returns the open round, opening one if none is, and starts the
// watcher if it is not running. Caller holds w.mu.
func (w *watch) openLocked(path string) (*round, error) {
	if w.broken {
		return nil, shrankError(path)
	}
	if w.closed {
		return nil, errClosed
	}
	r := w.cur.Load()
	if r == nil {
		st, ok := w.read()
		if !ok {
			w.broken = true
			return nil, shrankError(path)
		}
		r = &round{ch: make(chan struct{}), base: st}
		w.cur.Store(r)
	}
	if !w.running {
		w.running = true
		w.wg.Add(1)
		go w.run()
	}
	return r, nil
}

// run is the watcher.
func (w *watch) run() {
	defer w.wg.Done()
	slice := pollMin
	for {
		w.mu.Lock()
		r := w.cur.Load()
		if w.closed || r == nil || (r.subs.Load() <= 0 && len(w.ready) == 0) {
			// Nobody waits (every member left through its context, or the
			// watch closes): end the round, waking only a late joiner.
			ready := w.endLocked(r, true)
			w.running = false
			w.mu.Unlock()
			runReady(ready)
			return
		}
		w.mu.Unlock()

		cur, ok := w.read()
		if ok && cur == r.base {
			ok = w.sleep(r.base.gen, slice)
			slice = min(2*slice, pollMax)
			if ok {
				continue
			}
		}
		w.mu.Lock()
		ready := w.endLocked(r, ok)
		w.mu.Unlock()
		runReady(ready)
		slice = pollMin
	}
}

// endLocked ends round r (nil: none): every member wakes up, and the round's
// ready functions are returned for runReady. With ok false the header could
// not be read: the watch is broken from now on. Caller holds w.mu.
func (w *watch) endLocked(r *round, ok bool) map[*readyFunc]struct{} {
	if !ok {
		w.broken = true
	}
	if r == nil || w.cur.Load() != r {
		return nil
	}
	w.cur.Store(nil)
	close(r.ch)
	ready := w.ready
	w.ready = nil
	return ready
}

// runReady calls each ready function in its own goroutine.
func runReady(ready map[*readyFunc]struct{}) {
	for r := range ready {
		go r.f()
	}
}

// read returns the pool's state; ok is false when the mapping faulted.
func (w *watch) read() (st watchState, ok bool) {
	defer catchFault(&ok)()
	return watchState{gen: w.n.token(), newest: load64(w.m.data, hNewest)}, true
}

// sleep waits until the wake generation differs from gen, d has passed, or
// the watch is closed; ok is false when the mapping faulted.
func (w *watch) sleep(gen uint32, d time.Duration) (ok bool) {
	defer catchFault(&ok)()
	_ = w.n.wait(w.ctx, gen, d)
	return true
}

// catchFault makes a memory fault on the mapping panic in the calling
// goroutine; the returned function, deferred, recovers such a panic by
// setting *ok to false (any other panic goes on).
func catchFault(ok *bool) func() {
	old := debug.SetPanicOnFault(true)
	return func() {
		r := recover()
		debug.SetPanicOnFault(old)
		if r != nil {
			faultError(r, "") // re-panics unless r is a fault
			*ok = false
		}
	}
}

// close stops the watcher and waits for it to return. Later joins fail.
func (w *watch) close() {
	w.mu.Lock()
	w.closed = true
	w.mu.Unlock()
	w.cancel()
	w.wg.Wait()
}
