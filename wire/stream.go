package wire

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/plasmite-go/plasmite/core"
)

// StreamBounds is the bounded-stream policy of the C ABI's streams, the
// HTTP tails and the CLI: how many messages, until when, and what a gap in
// the retained history does.
type StreamBounds struct {
	// Max, when not nil, ends the stream once that many messages were
	// delivered (counted after any filter).
	Max *uint64
	// Deadline, when not zero, ends the stream cleanly at that instant (a
	// total deadline fixed when the stream opens, not an idle timeout).
	Deadline time.Time
	// Gap is what the tail does when messages it should deliver were
	// overwritten: continue at the oldest retained one, or report a
	// RetentionGap error and end.
	Gap core.GapPolicy
}

// Exhausted says whether a stream that delivered that many messages is
// done because of Max.
func (b StreamBounds) Exhausted(delivered uint64) bool {
	return b.Max != nil && delivered >= *b.Max
}

// ParseGapPolicy reads a gap policy's wire name: "continue" or "error".
func ParseGapPolicy(name string) (core.GapPolicy, bool) {
	switch name {
	case "continue":
		return core.GapContinue, true
	case "error":
		return core.GapError, true
	}
	return 0, false
}

// Stream is a tail under StreamBounds. Next may be called from one
// goroutine at a time; Cancel from any goroutine at any time.
type Stream struct {
	tail      *core.Tail
	ctx       context.Context
	cancel    context.CancelFunc
	bounds    StreamBounds
	delivered uint64
	ended     bool // a RetentionGap was reported: the stream is over
}

// OpenStream opens a tail of p starting as start says (its Gap replaced by
// b.Gap) and bounds it by b. The stream also ends when parent is done.
func OpenStream(parent context.Context, p *core.Pool, start core.TailOptions, b StreamBounds) (*Stream, error) {
	s := &Stream{bounds: b}
	if b.Deadline.IsZero() {
		s.ctx, s.cancel = context.WithCancel(parent)
	} else {
		s.ctx, s.cancel = context.WithDeadline(parent, b.Deadline)
	}
	start.Gap = b.Gap
	t, err := p.Tail(start)
	if err != nil {
		s.cancel()
		return nil, err
	}
	s.tail = t
	return s, nil
}

// Next waits for the next message. ok is false, with no error, when the
// stream is over: its deadline passed, Max messages were delivered, it was
// cancelled, or a gap was reported before. A RetentionGap (under
// GapError) is returned as an error once, and ends the stream; other errors
// (Corrupt, IO) are returned as they are. The message is valid until the
// next call. Next does not count the message as delivered: call Delivered
// once it is (a message that fails to render is not).
func (s *Stream) Next() (m core.Message, ok bool, err error) {
	if s.Done() {
		return m, false, nil
	}
	m, err = s.tail.Next(s.ctx)
	if err != nil {
		// The stream's own deadline or cancel. (The tail may notice the
		// deadline a moment before ctx reports it, so the error counts.)
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, io.EOF) {
			return m, false, nil
		}
		if core.KindOf(err) == core.RetentionGap {
			s.ended = true
		}
		return m, false, err
	}
	return m, true, nil
}

// TryNext is Next without waiting: ok is false, with no error, when no
// message is available right now or the stream is over (tell the two apart
// with Done). Streams that write in batches call it until it runs dry, flush,
// then wait in Next.
func (s *Stream) TryNext() (m core.Message, ok bool, err error) {
	if s.Done() {
		return m, false, nil
	}
	m, ok, err = s.tail.TryNext()
	if err != nil && core.KindOf(err) == core.RetentionGap {
		s.ended = true
	}
	return m, ok, err
}

// NextWithin is Next that waits at most wait (negative: without a bound,
// zero: not at all). timedOut is true, with ok false and no error, when wait
// ran out before a message arrived; the stream goes on. Everything else is
// as Next.
func (s *Stream) NextWithin(wait time.Duration) (m core.Message, ok, timedOut bool, err error) {
	if wait < 0 {
		m, ok, err = s.Next()
		return m, ok, false, err
	}
	m, ok, err = s.TryNext()
	if ok || err != nil || s.Done() {
		return m, ok, false, err
	}
	if wait == 0 {
		return m, false, true, nil
	}
	ctx, cancel := context.WithTimeout(s.ctx, wait)
	defer cancel()
	m, err = s.tail.Next(ctx)
	if err == nil {
		return m, true, false, nil
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		// Ours or the stream's: the tail may notice a deadline a moment
		// before its context reports it, so the stream's own end is told by
		// its deadline, not only by s.ctx.
		if s.ctx.Err() != nil || (!s.bounds.Deadline.IsZero() && !time.Now().Before(s.bounds.Deadline)) {
			return m, false, false, nil
		}
		return m, false, true, nil
	}
	if errors.Is(err, io.EOF) {
		return m, false, false, nil
	}
	if core.KindOf(err) == core.RetentionGap {
		s.ended = true
	}
	return m, false, false, err
}

// AfterReady arranges for f to be called once, in its own goroutine, when a
// message may be available (see core.Tail.AfterReady); stop withdraws it.
// Like Next, it must not run concurrently with another call on the stream
// but Cancel; stop may be called from any goroutine.
func (s *Stream) AfterReady(f func()) (stop func() bool) { return s.tail.AfterReady(f) }

// AfterDone arranges for f to be called once, in its own goroutine, when the
// stream's deadline passes or it is cancelled (see context.AfterFunc).
func (s *Stream) AfterDone(f func()) (stop func() bool) { return context.AfterFunc(s.ctx, f) }

// Done says whether the stream is over: a gap was reported, Max messages
// were delivered, or its deadline passed or it was cancelled.
func (s *Stream) Done() bool {
	return s.ended || s.bounds.Exhausted(s.delivered) || s.ctx.Err() != nil
}

// Delivered counts one message as delivered (toward Max).
func (s *Stream) Delivered() { s.delivered++ }

// Cancel ends the stream: a Next in progress returns promptly with ok
// false, and so does every later one. Safe to call from any goroutine.
func (s *Stream) Cancel() { s.cancel() }

// Close cancels the stream and releases its tail. The caller must make sure
// no Next is in progress.
func (s *Stream) Close() error {
	s.cancel()
	return s.tail.Close()
}
