package remote

import (
	"context"
	"errors"
	"io"
	"math"
	"strconv"
	"sync"
	"time"

	"github.com/plasmite-go/plasmite/core"
)

// StartKind says where a Follow starts, from the pool's bounds when it
// opens (the rules of the reference's remote follow).
type StartKind uint8

const (
	// StartNew starts after the newest message: only new messages.
	StartNew StartKind = iota
	// StartOldest starts at the oldest retained message.
	StartOldest
	// StartLast starts N messages before the end: max(oldest,
	// newest-N+1). N = 0 is StartNew.
	StartLast
	// StartSeq starts at seq N (1 for 0).
	StartSeq
)

// Start is where a Follow starts.
type Start struct {
	Kind StartKind
	N    uint64
}

// first is the first seq to deliver for bounds b. An empty pool starts at
// 1 (whatever the kind but StartSeq).
func (s Start) first(b core.Bounds) uint64 {
	if s.Kind == StartSeq {
		return max(s.N, 1)
	}
	next := b.Newest + 1
	if b.Newest == math.MaxUint64 {
		next = b.Newest
	}
	switch {
	case b.Oldest == 0:
		return max(next, 1)
	case s.Kind == StartOldest:
		return b.Oldest
	case s.Kind == StartLast && s.N > 0:
		if s.N > b.Newest {
			return b.Oldest
		}
		return max(b.Oldest, b.Newest-s.N+1)
	}
	return next
}

// FollowOptions tune a Follow.
type FollowOptions struct {
	Start Start
	// Finite ends the follow after the message that was newest when it
	// opened (or where retention leaves nothing of the rest).
	Finite bool
	// Wait is each stream's deadline on the server (timeout_ms). 0 sends
	// none (the server's maximum) for a live follow, and for a finite one
	// starts at 100 ms (as the reference's client), doubling, up to 30 s,
	// after a stream that ended at its deadline while still delivering, so
	// that a long history takes a few requests rather than one per 100 ms.
	// When the server refuses a wait as above its limit, the wait halves,
	// down to 1 ms, and never again goes above what the server took.
	Wait time.Duration
	// Lite3 reads /tail_lite3 (payloads as stored) instead of JSONL.
	Lite3 bool
	// Tags filters on the server (then seqs skip the messages filtered
	// out: leave OnGap nil).
	Tags []string
	// GapError makes a retention gap a RetentionGap error that ends the
	// follow: the server reports it on JSONL streams; without Tags the
	// follower also detects it itself (a jump in seqs), which is how a
	// Lite3 follow reports it (a Lite3 follow with Tags cannot: Usage).
	GapError bool
	// Bounds, when set, are the pool's bounds to start from, instead of
	// reading its info (a caller that just read them).
	Bounds *core.Bounds
	// OnGap, when set, is told of each run of messages the follower never
	// saw: expected is the first missing seq, next the one that came
	// instead (or the end of a finite follow, plus one). It is called from
	// Next, before Next returns the message that follows the gap.
	OnGap func(expected, next uint64)
}

// Follower reads a pool's messages in seq order across as many tail
// streams as it takes: when a stream ends (the server's deadline, a
// restart of the stream) it reconnects with since_seq = last+1, drops
// messages it already delivered, and reports what it never saw through
// OnGap. Transport and HTTP errors are not retried: they end the follow.
//
// Next is for one goroutine at a time; Close may be called from any
// goroutine.
type Follower struct {
	p        *Pool
	o        FollowOptions
	ctx      context.Context // the follow's life
	cancel   context.CancelFunc
	expected uint64 // the next seq to deliver
	upper    uint64 // Finite: the newest seq when the follow opened
	open     core.Bounds
	last     bool   // MaxUint64 was delivered: nothing can follow
	waitMS   int64  // the stream deadline sent (0: none)
	ceilMS   int64  // the largest wait the server is known to take (0: unknown)
	grow     bool   // a finite follow's default wait grows with the history
	maxSent  uint64 // the current stream's max (0: none)
	got      uint64 // messages the current stream brought
	tail     *Tail
	buf      []byte
	err      error // sticky: the follow is over

	mu      sync.Mutex // guards what interrupt touches
	call    uint64     // number of the Next call in progress (0: none)
	calls   uint64
	scancel context.CancelFunc // the current stream's
	sctx    context.Context
}

// Follow opens a follower of the pool. It reads the pool's info first
// (except for a live follow from StartSeq), so a missing pool fails here.
// The follow lasts until ctx is done or Close: Next then returns io.EOF.
func (p *Pool) Follow(ctx context.Context, o FollowOptions) (*Follower, error) {
	if o.Lite3 && o.GapError && len(o.Tags) > 0 {
		return nil, errLite3Gap
	}
	f := &Follower{p: p, o: o, waitMS: o.Wait.Milliseconds()}
	if o.Wait > 0 && f.waitMS == 0 {
		f.waitMS = 1
	}
	if o.Finite && f.waitMS == 0 {
		f.waitMS, f.grow = 100, true
	}
	var b core.Bounds
	switch {
	case o.Bounds != nil:
		b = *o.Bounds
	case o.Start.Kind != StartSeq || o.Finite:
		in, err := p.Info(ctx)
		if err != nil {
			return nil, err
		}
		b = in.Bounds
	}
	f.expected = o.Start.first(b)
	f.upper, f.open = b.Newest, b
	f.ctx, f.cancel = context.WithCancel(ctx)
	return f, nil
}

// Next returns the next message (valid until the next call), waiting for
// it as long as ctx allows. When ctx ends first, Next returns ctx's error
// and the follow goes on: the next call resumes where this one stopped. A
// ctx that is already done still gets a message that has already arrived
// (so an expired ctx polls).
// At the end of the follow (Finite and done, Follow's context done,
// Close) it returns io.EOF. Other errors end the follow and are returned
// by every later call: the server's (NotFound for a pool deleted meanwhile,
// RetentionGap under GapError, …), Io for a broken stream.
func (f *Follower) Next(ctx context.Context) (core.Message, error) {
	if f.err != nil {
		return core.Message{}, f.err
	}
	if ctx.Done() != nil && ctx.Err() == nil {
		f.mu.Lock()
		f.calls++
		call := f.calls
		f.call = call
		f.mu.Unlock()
		stop := context.AfterFunc(ctx, func() { f.interrupt(call) })
		defer func() {
			stop()
			f.mu.Lock()
			f.call = 0
			f.mu.Unlock()
		}()
	}
	for {
		if f.last || (f.o.Finite && f.expected > f.upper) {
			return core.Message{}, f.fail(io.EOF)
		}
		if err := ctx.Err(); err != nil && (f.tail == nil || !f.tail.Ready()) {
			return core.Message{}, err
		}
		if f.tail == nil {
			if err := f.connect(); err != nil {
				if f.interrupted() {
					if ctx.Err() != nil {
						return core.Message{}, ctx.Err()
					}
					continue
				}
				return core.Message{}, f.fail(err)
			}
		}
		m, err := f.tail.Next()
		if err == io.EOF {
			f.growWait()
			f.drop()
			if f.o.Finite {
				if err := f.recheck(); err != nil {
					return core.Message{}, f.fail(err)
				}
			}
			continue
		}
		if err != nil {
			interrupted := f.interrupted()
			f.drop()
			if interrupted {
				if ctx.Err() != nil {
					return core.Message{}, ctx.Err()
				}
				continue // a late interrupt of an earlier call: resume
			}
			return core.Message{}, f.fail(err)
		}
		if f.o.Finite && m.Seq > f.upper {
			if err := f.gap(f.upper + 1); err != nil {
				return core.Message{}, f.fail(err)
			}
			return core.Message{}, f.fail(io.EOF)
		}
		f.got++
		if m.Seq < f.expected {
			continue // delivered before this stream began
		}
		if err := f.gap(m.Seq); err != nil {
			return core.Message{}, f.fail(err)
		}
		if m.Seq == math.MaxUint64 {
			f.last = true
		} else {
			f.expected = m.Seq + 1
		}
		return m, nil
	}
}

// Context is done when the follow is over because of its own context or
// Close (not when it ended for another reason).
func (f *Follower) Context() context.Context { return f.ctx }

// OpenBounds returns the pool's bounds the follow started from (zero for a
// live follow from StartSeq, which reads none).
func (f *Follower) OpenBounds() core.Bounds { return f.open }

// Expected returns the seq the follower will deliver next.
func (f *Follower) Expected() uint64 { return f.expected }

// gap reports the messages from expected up to next (excluded): to OnGap,
// or, when the follower detects gaps under GapError, as a RetentionGap
// error worded as core words it.
func (f *Follower) gap(next uint64) error {
	if next <= f.expected {
		return nil
	}
	if f.o.GapError && len(f.o.Tags) == 0 {
		e, n := strconv.FormatUint(f.expected, 10), strconv.FormatUint(next, 10)
		seq := f.expected
		return &core.Error{Kind: core.RetentionGap, Path: f.p.name, Seq: &seq,
			Message: "messages " + e + "-" + strconv.FormatUint(next-1, 10) + " are no longer retained; the next available message is " + n,
			Hint:    "Inspect current pool bounds, then reopen the tail or rebuild from an authoritative source."}
	}
	if f.o.OnGap != nil {
		f.o.OnGap(f.expected, next)
	}
	return nil
}

// recheck asks for the pool's bounds after a finite follow's stream ended:
// what retention removed meanwhile is a gap up to the oldest retained.
func (f *Follower) recheck() error {
	in, err := f.p.Info(f.ctx)
	if err != nil {
		if f.ctx.Err() != nil {
			return io.EOF
		}
		return err
	}
	next := in.Bounds.Oldest
	if next == 0 {
		next = f.upper + 1
	}
	if next > f.expected {
		next = min(next, f.upper+1)
		if err := f.gap(next); err != nil {
			return err
		}
		f.expected = next
	}
	return nil
}

// connect opens the next stream at the expected seq.
func (f *Follower) connect() error {
	for {
		o := TailOptions{SinceSeq: f.expected, Tags: f.o.Tags, GapError: f.o.GapError && !f.o.Lite3, Lite3: f.o.Lite3,
			Timeout: time.Duration(f.waitMS) * time.Millisecond}
		if f.o.Finite {
			o.Max = f.upper - f.expected + 1
		}
		f.maxSent, f.got = o.Max, 0
		sctx, scancel := context.WithCancel(f.ctx)
		f.mu.Lock()
		f.sctx, f.scancel = sctx, scancel
		f.mu.Unlock()
		t, err := f.p.Tail(sctx, o)
		if err == nil {
			t.buf = f.buf[:0]
			f.tail = t
			return nil
		}
		if f.waitMS > 1 && timeoutCapped(err) && sctx.Err() == nil {
			// The v0 protocol tells its limit only by refusing: halve the
			// wait until the server takes it, and keep it.
			f.waitMS = max(f.waitMS/2, 1)
			f.ceilMS = f.waitMS
			continue
		}
		return err
	}
}

// growWait doubles a finite follow's default wait after a stream that its
// deadline cut short while it was delivering.
func (f *Follower) growWait() {
	if !f.grow || f.got == 0 || (f.maxSent != 0 && f.got >= f.maxSent) {
		return
	}
	next := min(f.waitMS*2, 30_000)
	if f.ceilMS != 0 {
		next = min(next, f.ceilMS)
	}
	f.waitMS = next
}

// timeoutCapped reports whether err is the server's refusal of a stream
// deadline above its limit.
func timeoutCapped(err error) bool {
	var e *core.Error
	return errors.As(err, &e) && e.Kind == core.Usage && e.Message == "tail timeout exceeds server limit"
}

// interrupt ends the current stream on behalf of Next call number call,
// if that call is still in progress.
func (f *Follower) interrupt(call uint64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.call == call && f.scancel != nil {
		f.scancel()
	}
}

// interrupted reports whether the current stream was ended by an
// interrupt (its context is done, the follow's is not).
func (f *Follower) interrupted() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.sctx != nil && f.sctx.Err() != nil && f.ctx.Err() == nil
}

// drop closes the current stream, keeping its buffer.
func (f *Follower) drop() {
	if f.tail != nil {
		f.buf = f.tail.buf
		f.tail.Close()
		f.tail = nil
	}
	f.mu.Lock()
	if f.scancel != nil {
		f.scancel()
		f.scancel, f.sctx = nil, nil
	}
	f.mu.Unlock()
}

// fail ends the follow with err (io.EOF when the follow's context ended
// it) and returns that.
func (f *Follower) fail(err error) error {
	if f.ctx.Err() != nil {
		err = io.EOF
	}
	f.err = err
	f.drop()
	f.cancel()
	return err
}

// Close ends the follow: a Next in progress returns io.EOF promptly, and
// so does every later one. Safe to call from any goroutine, more than once.
func (f *Follower) Close() error {
	f.cancel()
	return nil
}
