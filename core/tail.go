package core

import (
	"context"
	"io"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/plasmite-go/plasmite/core/lite3"
)

// StartAt selects where a Tail begins.
type StartAt uint8

const (
	// StartOldest begins at the oldest retained message.
	StartOldest StartAt = iota
	// StartLive begins after the newest message at open time.
	StartLive
	// StartSeq begins at TailOptions.Seq (inclusive). If that message is no
	// longer retained, the gap policy applies.
	StartSeq
	// StartLast begins TailOptions.Last messages before the end (fewer if the
	// pool holds fewer). Last == 0 is the same as StartLive.
	StartLast
)

// TailOptions configures Pool.Tail. The zero value tails from the oldest
// message, with no filter, continuing over gaps.
type TailOptions struct {
	Start StartAt
	Seq   uint64 // for StartSeq (0 means 1)
	Last  uint64 // for StartLast
	// Tags, when non-empty, delivers only messages carrying all of these tags.
	// Filtering happens after the gap check, so a filter never hides a gap.
	Tags []string
	Gap  GapPolicy
	// NoNotify makes the tail notice appends by polling the pool (every 1 to
	// 50 ms) instead of waiting for wake-ups.
	NoNotify bool
}

// Tail reads messages in sequence order, following new appends. Every
// message is delivered at most once and in seq order; a message is never
// delivered torn (partly overwritten). A Tail is not safe for concurrent use;
// open one per goroutine.
type Tail struct {
	m    *mapping
	w    *watch // the mapping's waiter this tail waits with
	path string
	tags []string
	gap  GapPolicy

	off         uint64 // ring offset where the expected frame should be
	hasOff      bool   // off is worth trying
	expected    uint64 // next seq to deliver
	established bool   // a gap before expected is reportable
	buf         []byte
	finished    bool // a RetentionGap was reported under GapError
	closed      bool

	// A writer that stops between two header stores of one publish (it was
	// preempted, or stopped) leaves cursors that can name a frame which is
	// no longer where they say (the new tail, the old oldest), unchanged for
	// as long as it stays stopped.
	// That is not damage until it lasts: unsettled says the last TryNext
	// found such a state and delivered nothing, so Next and AfterReady look
	// again after a short delay instead of waiting for an append that the
	// stalled writer may not make soon. stuck and stuckSince say since when
	// the same cursors have been seen; only after settleLimit of them is the
	// message reported Corrupt.
	unsettled  bool
	stuck      cursors
	stuckSince time.Time
	settle     time.Duration // the next look-again delay
}

// settleLimit is how long the same cursors may fail to locate the expected
// frame before the tail reports it Corrupt (see Tail.unsettled).
const settleLimit = 2 * time.Second

// Tail opens a reader on the pool. Errors: Usage when the pool is closed.
func (p *Pool) Tail(opts TailOptions) (*Tail, error) {
	p.life.RLock()
	defer p.life.RUnlock()
	if p.closed.Load() {
		return nil, errClosed
	}
	m := p.m
	m.acquire()
	t := &Tail{m: m, w: m.watch, path: p.path, gap: opts.Gap}
	if opts.NoNotify {
		t.w = m.pollWatch
	}
	if len(opts.Tags) > 0 {
		t.tags = append([]string(nil), opts.Tags...)
	}
	c := loadCursors(m.data)
	live := func() {
		t.expected = c.Newest + 1
		t.off, t.hasOff = c.Head, true
	}
	switch opts.Start {
	case StartOldest:
		if c.Oldest == 0 {
			live()
		} else {
			t.expected, t.off, t.hasOff = c.Oldest, c.Tail, true
		}
	case StartLive:
		live()
	case StartSeq:
		t.expected = max(opts.Seq, 1)
		t.established = true
	case StartLast:
		if opts.Last == 0 || c.Oldest == 0 {
			live()
		} else {
			t.expected = c.Oldest
			if c.Newest-c.Oldest+1 > opts.Last {
				t.expected = c.Newest - opts.Last + 1
			}
		}
	default:
		m.release()
		return nil, &Error{Kind: Usage, Message: "invalid tail start"}
	}
	return t, nil
}

var errTailClosed = &Error{Kind: Usage, Message: "tail is closed"}

// Expected returns the seq of the next message the tail is due to deliver:
// where it begins until it delivers one (after the newest at open time for
// StartLive). A message delivered with a higher seq means that the ones in
// between were dropped before the tail could read them (or did not carry
// its tags).
func (t *Tail) Expected() uint64 { return t.expected }

// Next returns the next message, waiting for one to be appended if needed.
// When ctx is done first (use context.WithTimeout for a deadline) it returns
// ctx.Err() (context.Canceled or context.DeadlineExceeded) as soon as the
// context's Done channel is closed. Under GapError it returns a RetentionGap
// error; after that error the tail is finished: Next returns io.EOF and
// TryNext returns ok == false. A payload that the tag filter cannot parse is
// returned as a Corrupt error (with Seq) and skipped; a retained message that
// cannot be read is Corrupt; a pool file truncated under the mapping is IO.
// The returned Message's Payload is valid until the next call to Next or
// TryNext.
//
// Waiting Nexts cost a parked goroutine each and no OS thread of their own:
// all the waiting tails of one Pool share one waiter (watch.go), which
// notices an append through the pool's wake-up word at once, and an append
// by a writer that does not use it (the reference implementation's, or a
// handle opened with OpenOptions.NoNotify) within 50 ms. On macOS, which has
// no cross-process futex, that waiter polls the wake word every millisecond
// while some tail waits (notify_other.go).
func (t *Tail) Next(ctx context.Context) (Message, error) {
	for {
		if t.finished {
			return Message{}, io.EOF
		}
		m, ok, err := t.TryNext()
		if ok || err != nil {
			return m, err
		}
		if err := ctx.Err(); err != nil {
			return Message{}, err
		}
		if t.unsettled {
			if err := t.settleWait(ctx); err != nil {
				return Message{}, err
			}
			continue
		}
		// Join the waiters' round before looking again: an append after
		// this look ends the round.
		r, lead, err := t.w.join(t.path)
		if err != nil {
			return Message{}, err
		}
		if m, ok, err := t.TryNext(); ok || err != nil {
			if lead {
				t.w.resign(r)
			} else {
				r.leave()
			}
			return m, err
		}
		if lead {
			// This tail waits on the pool for the whole round.
			if err := t.w.await(ctx, r, nil); err != nil {
				t.w.resign(r)
				return Message{}, err
			}
			continue
		}
		select {
		case <-r.ch:
		case <-ctx.Done():
			r.leave()
			return Message{}, ctx.Err()
		}
	}
}

// AfterReady arranges for f to be called once, in its own goroutine, when a
// message may be available to TryNext: at once if one may be already, else
// after the next append to the pool by any process. "May": the message can
// still be filtered out by the tail's tags, and a gap, the end of the tail,
// or an error also make f run; TryNext tells. stop unregisters f; it returns
// true if it kept f from being called, false if f was called or is running
// already (as with context.AfterFunc). A call to Next or TryNext does not
// consume the registration. AfterReady lets an event loop wait on many tails
// without a goroutine per tail; like every method of Tail it must not run
// concurrently with another call on the same Tail, but stop may be called
// from any goroutine.
func (t *Tail) AfterReady(f func()) (stop func() bool) {
	r := &readyFunc{f: f}
	stop = func() bool { return t.w.unregister(r) }
	switch {
	case t.closed || t.finished:
		go f()
	case t.unsettled:
		tm := time.AfterFunc(t.nextSettle(), f)
		stop = tm.Stop
	case t.w.register(r, t.path) != nil:
		go f() // TryNext reports the error
	case t.mayHaveNext():
		if t.w.unregister(r) {
			go f()
		}
	}
	return stop
}

// mayHaveNext reports whether the pool holds a message at or after the next
// one the tail expects (or cannot tell: the mapping faulted).
func (t *Tail) mayHaveNext() (yes bool) {
	ok := true
	defer func() { yes = yes || !ok }()
	defer catchFault(&ok)()
	newest := load64(t.m.data, hNewest)
	return newest != 0 && newest >= t.expected
}

// TryNext returns the next message if one is available now, without waiting;
// ok is false when the tail is caught up. Errors as Next.
func (t *Tail) TryNext() (m Message, ok bool, err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			m, ok, err = Message{}, false, faultError(r, t.path)
		}
	}()
	if t.closed {
		return Message{}, false, errTailClosed
	}
	if t.finished {
		return Message{}, false, nil
	}
	t.unsettled = false
	data, ring := t.m.data, t.m.ring
	var prev cursors
	same := 0
	for attempt := 0; attempt < 10000; attempt++ {
		c := loadCursors(data)
		if c.Oldest == 0 || t.expected > c.Newest {
			return Message{}, false, nil
		}
		if t.expected < c.Oldest {
			if t.established && t.gap == GapError {
				t.finished = true
				return Message{}, false, &Error{Kind: RetentionGap, Path: t.path, Seq: u64p(t.expected),
					Message: "messages " + strconv.FormatUint(t.expected, 10) + "-" + strconv.FormatUint(c.Oldest-1, 10) +
						" are no longer retained; the next available message is " + strconv.FormatUint(c.Oldest, 10),
					Hint: "Inspect current pool bounds, then reopen the tail or rebuild from an authoritative source."}
			}
			t.expected, t.hasOff = c.Oldest, false
			continue
		}
		if !t.hasOff {
			o, found := t.m.locate(t.expected, c)
			if !found {
				if c != prev {
					prev, same = c, 0
					continue // the writer is moving: look again
				}
				if same++; same < 3 {
					continue
				}
				if !t.m.tailHolds(c) && t.stalled(c, load64(data, hJournal) != 0) {
					t.unsettled = true
					return Message{}, false, nil
				}
				return Message{}, false, &Error{Kind: Corrupt, Path: t.path, Seq: u64p(t.expected),
					Message: "retained message cannot be read"}
			}
			t.off, t.hasOff = o, true
		}
		r, v := readFrameAt(ring, t.off)
		if r == frWrap {
			t.off = 0
			continue
		}
		if r != frMessage || v.seq != t.expected {
			t.hasOff = false
			continue
		}
		start := t.off + frameHeaderSize
		t.buf = append(t.buf[:0], ring[start:start+v.plen]...)
		if !stillValid(data, ring, t.off, &v) {
			t.hasOff = false
			continue
		}
		t.off = v.next
		t.expected++
		t.established = true
		if len(t.tags) > 0 {
			match, err := lite3.HasAllTags(t.buf, t.tags)
			if err != nil {
				e := lite3Err(err).(*Error)
				e.Kind, e.Path, e.Seq = Corrupt, t.path, u64p(v.seq)
				return Message{}, false, e
			}
			if !match {
				attempt = 0
				continue
			}
		}
		t.stuckSince, t.settle = time.Time{}, 0
		return Message{Seq: v.seq, Time: int64(v.ts), Flags: v.flags, Payload: t.buf}, true, nil
	}
	return Message{}, false, nil
}

// tailHolds reports whether the frame at c.Tail is message c.Oldest, as
// in every published header. Cursors read in the middle of a publish of
// dropped messages can have the new tail and the old oldest; with cursors
// that agree, a frame the walk cannot find is damage.
func (m *mapping) tailHolds(c cursors) bool {
	r, v := readFrameAt(m.ring, c.Tail)
	if r == frWrap {
		r, v = readFrameAt(m.ring, 0)
	}
	return r == frMessage && v.seq == c.Oldest
}

// stalled reports whether cursors c, which keep failing to locate the
// expected frame and disagree with the ring, may still be a writer's
// unfinished publish: always while
// the header's journal says one is in progress (our writers set it for
// every publish; a writer that died in one leaves it set, and the next
// writer completes the publish before appending), otherwise for
// settleLimit after c was first seen.
func (t *Tail) stalled(c cursors, publishing bool) bool {
	now := time.Now()
	if t.stuckSince.IsZero() || c != t.stuck {
		t.stuck, t.stuckSince = c, now
	}
	return publishing || now.Sub(t.stuckSince) < settleLimit
}

// nextSettle returns the delay before an unsettled tail looks again: 1 ms,
// then twice as long each time, up to 50 ms.
func (t *Tail) nextSettle() time.Duration {
	t.settle = min(max(2*t.settle, pollMin), pollMax)
	return t.settle
}

// settleWait waits nextSettle, or until ctx is done.
func (t *Tail) settleWait(ctx context.Context) error {
	tm := time.NewTimer(t.nextSettle())
	defer tm.Stop()
	select {
	case <-tm.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close releases the tail. Closing twice is a no-op.
func (t *Tail) Close() error {
	if t.closed {
		return nil
	}
	t.closed = true
	return t.m.release()
}
