package local

import (
	"context"
	"errors"
	"io"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/plasmite-go/plasmite/bindings/go/api"
	"github.com/plasmite-go/plasmite/bindings/go/internal/backend"
)

// Stream reads message envelopes in sequence order, one call at a time. It
// is safe for concurrent use (reads are serialized) and must not be copied;
// the zero Stream is closed. It stays usable after its pool is closed.
type Stream struct{ r reader[[]byte] }

// Lite3Stream reads messages in their binary form, as Stream.
type Lite3Stream struct{ r reader[*Lite3Frame] }

// reader is the state both kinds of stream share.
type reader[T any] struct {
	mu      sync.Mutex   // serializes reads and Close
	t       backend.Tail // nil once closed
	next    func(backend.Tail, context.Context) (T, error)
	ctx     context.Context // ends at the deadline, or at Close
	cancel  context.CancelFunc
	ends    time.Time // the deadline; zero when none
	limited bool
	left    uint64 // messages still to deliver when limited
	closing atomic.Bool
}

// OpenStream opens a Stream of the messages from sinceSeq (inclusive; nil
// means the oldest retained message) that ends, with io.EOF, after
// maxMessages messages (nil: no limit) or timeoutMs milliseconds after this
// call (nil: never). Messages overwritten before they are read are skipped.
// A closed pool wraps ErrClosed.
func (p *Pool) OpenStream(sinceSeq *uint64, maxMessages *uint64, timeoutMs *uint64) (api.Stream, error) {
	s := new(Stream)
	if err := openReader(p, &s.r, false, sinceSeq, maxMessages, timeoutMs, backend.Tail.NextJSON); err != nil {
		return nil, err
	}
	return s, nil
}

// OpenLite3Stream is OpenStream reading Lite3 frames.
func (p *Pool) OpenLite3Stream(sinceSeq *uint64, maxMessages *uint64, timeoutMs *uint64) (api.Lite3Stream, error) {
	s := new(Lite3Stream)
	if err := openReader(p, &s.r, true, sinceSeq, maxMessages, timeoutMs, backend.Tail.NextLite3); err != nil {
		return nil, err
	}
	return s, nil
}

func openReader[T any](p *Pool, r *reader[T], lite3 bool, since, maxMessages, timeoutMs *uint64,
	next func(backend.Tail, context.Context) (T, error)) error {
	t, err := p.openTail(backend.TailSpec{Since: since, Lite3: lite3})
	if err != nil {
		return err
	}
	r.t, r.next = t, next
	if maxMessages != nil {
		r.limited, r.left = true, *maxMessages
	}
	// The deadline is fixed at open time; one beyond time.Duration's range
	// (about 292 years) is none.
	if timeoutMs != nil && *timeoutMs <= math.MaxInt64/uint64(time.Millisecond) {
		d := time.Duration(*timeoutMs) * time.Millisecond
		r.ends = time.Now().Add(d)
		r.ctx, r.cancel = context.WithDeadline(context.Background(), r.ends)
	} else {
		r.ctx, r.cancel = context.WithCancel(context.Background())
	}
	return nil
}

// NextJSON returns the next message's envelope, waiting for it to be
// appended if needed. At the stream's end (its deadline or message limit)
// it returns io.EOF, and again on every later call. A message that cannot
// be read is ErrorCorrupt (a damaged pool) or ErrorIO (a truncated file). A
// read that Close interrupts, and every read after Close, wraps ErrClosed.
func (s *Stream) NextJSON() ([]byte, error) { return s.NextJSONContext(context.Background()) }

// NextJSONContext is NextJSON that also ends when ctx does, returning
// ctx's error.
func (s *Stream) NextJSONContext(ctx context.Context) ([]byte, error) {
	if s == nil {
		return nil, api.ClosedError("stream")
	}
	return s.r.read(ctx)
}

// Close ends a read in progress, waits for it to return, and releases the
// stream. Closing twice is a no-op.
func (s *Stream) Close() {
	if s != nil {
		s.r.close()
	}
}

// Next returns the next frame, as Stream.NextJSON.
func (s *Lite3Stream) Next() (*Lite3Frame, error) { return s.NextContext(context.Background()) }

// NextContext is Next that also ends when ctx does, returning ctx's error.
func (s *Lite3Stream) NextContext(ctx context.Context) (*Lite3Frame, error) {
	if s == nil {
		return nil, api.ClosedError("stream")
	}
	return s.r.read(ctx)
}

// Close ends a read in progress, waits for it to return, and releases the
// stream. Closing twice is a no-op.
func (s *Lite3Stream) Close() {
	if s != nil {
		s.r.close()
	}
}

func (r *reader[T]) read(ctx context.Context) (v T, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.t == nil || r.closing.Load() {
		return v, api.ClosedError("stream")
	}
	if r.limited && r.left == 0 || r.ended() {
		return v, io.EOF
	}
	rctx := r.ctx
	if ctx != nil && ctx.Done() != nil {
		c, cancel := context.WithCancel(r.ctx)
		defer context.AfterFunc(ctx, cancel)()
		defer cancel()
		rctx = c
	}
	v, err = r.next(r.t, rctx)
	if err == nil {
		if r.limited {
			r.left--
		}
		return v, nil
	}
	switch {
	case r.closing.Load():
		return v, api.ClosedError("stream")
	case err == io.EOF || isContextError(err) && r.ended():
		return v, io.EOF
	case isContextError(err) && ctx != nil && ctx.Err() != nil:
		return v, ctx.Err()
	}
	return v, err
}

// ended reports whether the stream's deadline has passed.
func (r *reader[T]) ended() bool {
	return r.ctx.Err() != nil || !r.ends.IsZero() && !time.Now().Before(r.ends)
}

func (r *reader[T]) close() {
	r.closing.Store(true)
	if r.cancel != nil {
		r.cancel()
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.t != nil {
		r.t.Close()
		r.t = nil
	}
}

func isContextError(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}
