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
// Tails that find nothing to read wait in rounds. The first tail to wait
// opens a round and becomes its waiter: it sleeps on the pool's wake word
// (notifier.wait: a futex on Linux, so one OS thread while asleep) and also
// compares the header's newest seq, looking again after pollMin, then twice
// as long each time up to pollMax, because writers that do not touch our
// word (the reference's, which post their own semaphore instead) only change
// the header. Read-only mappings, which cannot ask writers for a wake-up,
// and macOS poll the word itself every millisecond inside notifier.wait; a
// mapping without wake-ups (OpenOptions.NoNotify, and tails opened with
// TailOptions.NoNotify, which use pollWatch) only polls the header.
//
// Every other tail joins the open round and parks on the round's channel
// together with its context: a parked goroutine, no OS thread. When the pool
// differs from its state at the start of the round, the waiter ends the
// round: it closes the channel, which wakes every member at once, calls the
// round's ready functions (Tail.AfterReady), and goes on to read the new
// message itself, as a lone follower would. A waiter whose context ends
// hands the wait over to a goroutine of the watch's own (the watcher) if the
// round still has members, and so does a waiter that finds a message after
// all; the watcher ends the round, or gives up within pollMax once nobody is
// left in it. So there is at most one waiter per round, and none without a
// waiting tail or ready function.
//
// No wake-up is lost: a round's base state is read when it opens, before
// any member looks at the ring, and the waiter ends the round as soon as the
// pool differs from that state; a member that joins a round just as it ends
// finds its channel closed and looks again.
//
// A fault on the mapping (the file was truncated under it) breaks the
// watch: the round ends, and every later join fails with the IO error that
// TryNext reports for the same cause.

const (
	pollMin = time.Millisecond
	pollMax = 50 * time.Millisecond
)

// watchState is what the waiter compares: it changes with every append.
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

	mu     sync.Mutex              // guards opening, handing over and ending rounds
	ready  map[*readyFunc]struct{} // AfterReady functions of the open round
	waiter waiterKind              // who waits for the open round to end
	broken bool                    // the header cannot be read any more
	closed bool
	wg     sync.WaitGroup // the watcher goroutine
}

type waiterKind uint8

const (
	noWaiter      waiterKind = iota
	tailWaiter               // a tail's Next (the round's leader)
	watcherWaiter            // the watch's own goroutine
)

// round is one wait for the pool to change: ch is closed when it does (or
// when the round ends for another reason: a member that wakes re-checks the
// ring and joins the next round).
type round struct {
	ch   chan struct{}
	base watchState   // the pool when the round opened
	subs atomic.Int32 // members parked on ch (the leader not counted)
}

// leave ends a membership taken by join that the round's end has not ended.
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
	m.pollWatch = newWatch(m, &notifier{}) // no wake word: its waiter only polls
}

// closeWatches stops both watchers; afterwards nothing of them touches the
// mapping. Called once no tail uses the mapping any more.
func (m *mapping) closeWatches() {
	m.watch.close()
	m.pollWatch.close()
}

// join returns the open round, opening one if none is. lead says the
// caller opened it and is its waiter: it must then either await the round
// or resign. Otherwise the caller is a member: it parks on r.ch and calls
// r.leave if it stops waiting before r.ch is closed. Errors: IO when the
// header cannot be read (the file shrank under the mapping).
func (w *watch) join(path string) (r *round, lead bool, err error) {
	if r := w.cur.Load(); r != nil {
		r.subs.Add(1)
		return r, false, nil
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if r := w.cur.Load(); r != nil {
		r.subs.Add(1)
		return r, false, nil
	}
	r, err = w.openLocked(path)
	if err != nil {
		return nil, false, err
	}
	w.waiter = tailWaiter
	return r, true, nil
}

// register adds f to the open round, opening one (waited for by the
// watcher) if none is.
func (w *watch) register(f *readyFunc, path string) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	r := w.cur.Load()
	if r == nil {
		var err error
		if r, err = w.openLocked(path); err != nil {
			return err
		}
		w.startWatcherLocked(r)
	}
	if w.ready == nil {
		w.ready = make(map[*readyFunc]struct{})
	}
	w.ready[f] = struct{}{}
	return nil
}

// unregister removes f and reports whether it was still registered.
func (w *watch) unregister(f *readyFunc) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, ok := w.ready[f]; ok {
		delete(w.ready, f)
		return true
	}
	return false
}

// openLocked opens a new round. Caller holds w.mu and found none open.
func (w *watch) openLocked(path string) (*round, error) {
	if w.broken {
		return nil, faultCause(path)
	}
	if w.closed {
		return nil, errClosed
	}
	st, ok := w.read()
	if !ok {
		w.broken = true
		return nil, faultCause(path)
	}
	r := &round{ch: make(chan struct{}), base: st}
	w.cur.Store(r)
	return r, nil
}

// startWatcherLocked makes the watch's goroutine the waiter of r.
func (w *watch) startWatcherLocked(r *round) {
	w.waiter = watcherWaiter
	w.wg.Add(1)
	go w.run(r)
}

// resign is called by the leader of r when it stops waiting (a message
// after all, or its context ended): the watcher takes the wait over if
// anyone else waits in r, else r ends.
func (w *watch) resign(r *round) {
	w.mu.Lock()
	var ready map[*readyFunc]struct{}
	switch {
	case w.cur.Load() != r: // r ended already
	case r.subs.Load() > 0 || len(w.ready) > 0:
		w.startWatcherLocked(r)
	default:
		ready = w.endLocked(r, true)
	}
	w.mu.Unlock()
	runReady(ready)
}

// await waits, as the waiter of r, until the pool differs from r.base, and
// then ends r and returns nil. If ctx ends first it returns ctx.Err(), r
// still open (the caller resigns). idle, when set, is asked before every
// look; when it returns true it has ended r and await returns nil.
func (w *watch) await(ctx context.Context, r *round, idle func() bool) error {
	slice := pollMin
	for {
		if idle != nil && idle() {
			return nil
		}
		cur, ok := w.read()
		if ok && cur == r.base {
			if ok = w.sleep(ctx, r.base.gen, slice); ok {
				if err := ctx.Err(); err != nil {
					return err
				}
				slice = min(2*slice, pollMax)
				continue
			}
		}
		w.mu.Lock()
		ready := w.endLocked(r, ok)
		w.mu.Unlock()
		runReady(ready)
		return nil
	}
}

// run is the watcher: the waiter of r when no tail leads it. It ends r
// early once nobody waits in it any more, or when the watch closes.
func (w *watch) run(r *round) {
	defer w.wg.Done()
	idle := func() bool {
		w.mu.Lock()
		defer w.mu.Unlock()
		if !w.closed && (r.subs.Load() > 0 || len(w.ready) > 0) {
			return false
		}
		runReady(w.endLocked(r, true)) // wakes only a member joining right now
		return true
	}
	if w.await(w.ctx, r, idle) != nil { // the watch closed during the sleep
		w.mu.Lock()
		ready := w.endLocked(r, true)
		w.mu.Unlock()
		runReady(ready)
	}
}

// endLocked ends round r: every member wakes up, the waiter role is free
// again, and the round's ready functions are returned for runReady. With ok
// false the header could not be read: the watch is broken from now on.
// Caller holds w.mu.
func (w *watch) endLocked(r *round, ok bool) map[*readyFunc]struct{} {
	if !ok {
		w.broken = true
	}
	if w.cur.Load() != r {
		return nil
	}
	w.cur.Store(nil)
	w.waiter = noWaiter
	close(r.ch)
	ready := w.ready
	w.ready = nil
	return ready
}

// runReady calls each ready function in its own goroutine.
func runReady(ready map[*readyFunc]struct{}) {
	for f := range ready {
		go f.f()
	}
}

// read returns the pool's state; ok is false when the mapping faulted.
func (w *watch) read() (st watchState, ok bool) {
	defer catchFault(&ok)()
	return watchState{gen: w.n.token(), newest: load64(w.m.data, hNewest)}, true
}

// sleep waits until the wake generation differs from gen, d has passed, or
// ctx is done; ok is false when the mapping faulted.
func (w *watch) sleep(ctx context.Context, gen uint32, d time.Duration) (ok bool) {
	defer catchFault(&ok)()
	_ = w.n.wait(ctx, gen, d)
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
// Called once no tail uses the mapping, so no tail leads a round.
func (w *watch) close() {
	w.mu.Lock()
	w.closed = true
	w.mu.Unlock()
	w.cancel()
	w.wg.Wait()
}
