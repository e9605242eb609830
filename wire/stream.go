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
	m, ok, _, err = s.NextWithin(-1)
	return m, ok, err
}

// NextWithin is Next waiting at most wait (< 0: without a bound, 0: not at
// all): when the bound runs out first it returns ok false and timedOut
// true, and the stream goes on.
func (s *Stream) NextWithin(wait time.Duration) (m core.Message, ok, timedOut bool, err error) {
	if s.Over() {
		return m, false, false, nil
	}
	m, ok, err = s.tail.TryNext()
	if err == nil && !ok {
		if wait == 0 {
			return m, false, true, nil
		}
		ctx := s.ctx
		if wait > 0 {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(s.ctx, wait)
			defer cancel()
		}
		m, err = s.tail.Next(ctx)
		if err != nil && s.ctx.Err() == nil && ctx.Err() != nil {
			// The caller's bound ran out; the stream goes on. (The tail may
			// notice a deadline a moment before ctx reports it, hence
			// ctx.Err().)
			return m, false, true, nil
		}
	}
	if err != nil {
		// The stream's own deadline or cancel, or the end after a gap.
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, io.EOF) {
			return m, false, false, nil
		}
		if core.KindOf(err) == core.RetentionGap {
			s.ended = true
		}
		return m, false, false, err
	}
	return m, true, false, nil
}

// Over says whether every later Next reports the end at once.
func (s *Stream) Over() bool {
	return s.ended || s.bounds.Exhausted(s.delivered) || s.ctx.Err() != nil
}

// AfterReady calls f once, in its own goroutine, when a Next may find a
// message without waiting, or the stream may have ended (see
// core.Tail.AfterReady); stop withdraws it. Like Next it must not run
// concurrently with another call on the stream, except stop.
func (s *Stream) AfterReady(f func()) (stop func() bool) { return s.tail.AfterReady(f) }

// Context is done when the stream's deadline passes or it is cancelled.
func (s *Stream) Context() context.Context { return s.ctx }

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
