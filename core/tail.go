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
	// NoNotify makes the tail poll instead of waiting for wake-ups.
	NoNotify bool
}

const (
	pollMin = time.Millisecond
	pollMax = 50 * time.Millisecond
)

// Tail reads messages in sequence order, following new appends. Every
// message is delivered at most once and in seq order; a message is never
// delivered torn (partly overwritten). A Tail is not safe for concurrent use;
// open one per goroutine.
type Tail struct {
	m        *mapping
	path     string
	tags     []string
	gap      GapPolicy
	noNotify bool

	off         uint64 // ring offset where the expected frame should be
	hasOff      bool   // off is worth trying
	expected    uint64 // next seq to deliver
	established bool   // a gap before expected is reportable
	buf         []byte
	backoff     time.Duration
	finished    bool // a RetentionGap was reported under GapError
	closed      bool
}

// Tail opens a reader on the pool. Errors: Usage when the pool is closed.
func (p *Pool) Tail(opts TailOptions) (*Tail, error) {
	p.life.RLock()
	defer p.life.RUnlock()
	if p.closed.Load() {
		return nil, errClosed
	}
	m := p.m
	m.acquire()
	t := &Tail{m: m, path: p.path, gap: opts.Gap, noNotify: opts.NoNotify, backoff: pollMin}
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

// Next returns the next message, waiting for one to be appended if needed.
// When ctx is done first (use context.WithTimeout for a deadline) it returns
// context.Canceled or context.DeadlineExceeded — test with errors.Is, since
// a deadline can be noticed a moment before ctx.Err() reports it — and a RetentionGap error under GapError; after that error the
// tail is finished: Next returns io.EOF and TryNext returns ok == false. A
// payload that the tag filter cannot parse is returned as a Corrupt error
// (with Seq) and skipped; a retained message that cannot be read is Corrupt;
// a pool file truncated under the mapping is IO. The returned Message's
// Payload is valid until the next call to Next or TryNext.
func (t *Tail) Next(ctx context.Context) (Message, error) {
	for {
		if t.finished {
			return Message{}, io.EOF
		}
		tok := t.m.notify.token()
		m, ok, err := t.TryNext()
		if ok || err != nil {
			return m, err
		}
		if err := ctx.Err(); err != nil {
			return Message{}, err
		}
		if t.noNotify {
			if err := sleepCtx(ctx, t.backoff); err != nil {
				return Message{}, err
			}
		} else if err := t.m.notify.wait(ctx, tok, t.backoff); err != nil {
			return Message{}, err
		}
		t.backoff = min(2*t.backoff, pollMax)
	}
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-tm.C:
		return nil
	}
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
	data, ring := t.m.data, t.m.ring
	var prev cursors
	stuck := 0
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
				if c == prev {
					if stuck++; stuck >= 3 {
						return Message{}, false, &Error{Kind: Corrupt, Path: t.path, Seq: u64p(t.expected),
							Message: "retained message cannot be read"}
					}
				}
				prev = c
				continue
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
		t.backoff = pollMin
		return Message{Seq: v.seq, Time: int64(v.ts), Flags: v.flags, Payload: t.buf}, true, nil
	}
	return Message{}, false, nil
}

// Close releases the tail. Closing twice is a no-op.
func (t *Tail) Close() error {
	if t.closed {
		return nil
	}
	t.closed = true
	return t.m.release()
}
