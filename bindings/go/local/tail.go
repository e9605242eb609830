package local

import (
	"context"
	"io"
	"math"
	"time"

	"github.com/plasmite-go/plasmite/bindings/go/api"
	"github.com/plasmite-go/plasmite/bindings/go/internal/backend"
)

// defaultTailBuffer is the capacity of a tail's channel when
// TailOptions.Buffer is not positive.
const defaultTailBuffer = 64

// Tail delivers the pool's messages on the first channel, in sequence order:
// from opts.SinceSeq (inclusive; unset: the oldest retained message), then
// each new message as it is appended, only those carrying all of opts.Tags.
// It ends when ctx ends, when the pool is closed, once opts.MaxMessages
// messages have been delivered, or on an error. The error channel then
// receives the error, if any — ctx.Err(), an error wrapping ErrClosed, an
// ErrorRetentionGap error under opts.ErrorOnGap (before any message after
// the gap; a tag filter does not hide it) — and both channels are closed.
// When the channel is full, the tail waits for the caller to drain it. A
// tail costs no OS thread while it waits.
func (p *Pool) Tail(ctx context.Context, opts TailOptions) (<-chan *api.Message, <-chan error) {
	return startTail(p, ctx, opts, false, backend.Tail.Next)
}

// TailLite3 is Tail delivering Lite3 frames.
func (p *Pool) TailLite3(ctx context.Context, opts TailOptions) (<-chan *Lite3Frame, <-chan error) {
	return startTail(p, ctx, opts, true, backend.Tail.NextLite3)
}

func startTail[T any](p *Pool, ctx context.Context, opts TailOptions, lite3 bool,
	next func(backend.Tail, context.Context) (T, error)) (<-chan T, <-chan error) {
	buffer := opts.Buffer
	if buffer <= 0 {
		buffer = defaultTailBuffer
	}
	out := make(chan T, buffer)
	errs := make(chan error, 1)
	// The reader is opened now, so the tail sees every message appended
	// after this call even before its goroutine runs.
	t, err := p.openTail(backend.TailSpec{Since: opts.SinceSeq, Tags: opts.Tags, ErrorOnGap: opts.ErrorOnGap, Lite3: lite3})
	if err != nil {
		errs <- err
		close(out)
		close(errs)
		return out, errs
	}
	limit := uint64(math.MaxUint64)
	if opts.MaxMessages != nil {
		limit = *opts.MaxMessages
	}
	go func() {
		defer close(errs)
		defer close(out)
		defer t.Close()
		if ctx == nil {
			ctx = context.Background()
		}
		tctx, stop := p.bind(ctx)
		defer stop()
		if err := feed(tctx, t, next, limit, out); err != nil && err != io.EOF {
			errs <- p.tailError(ctx, err)
		}
	}()
	return out, errs
}

// feed sends up to limit messages read from t to out, until ctx ends or t
// fails or finishes (io.EOF).
func feed[T any](ctx context.Context, t backend.Tail, next func(backend.Tail, context.Context) (T, error),
	limit uint64, out chan<- T) error {
	for n := uint64(0); n < limit; n++ {
		v, err := next(t, ctx)
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err // ended while the message was read: deliver nothing more
		}
		select {
		case out <- v:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// bind returns a context that ends with ctx or when the pool is closed.
func (p *Pool) bind(ctx context.Context) (context.Context, context.CancelFunc) {
	c, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(p.life, cancel)
	return c, func() { stop(); cancel() }
}

// tailError names why a tail bound to ctx and the pool ended with err.
func (p *Pool) tailError(ctx context.Context, err error) error {
	if !isContextError(err) {
		return err
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if p.life.Err() != nil {
		return api.ClosedError("pool")
	}
	return err // ctx's deadline, noticed a moment before ctx reports it
}

// collectTimeout is the duration Replay collects for: opts.Timeout in whole
// milliseconds, at least 1 ms, 1 s when not positive.
func collectTimeout(d time.Duration) time.Duration {
	if d <= 0 {
		return time.Second
	}
	return max(d.Truncate(time.Millisecond), time.Millisecond)
}

// Replay collects the pool's messages from opts.SinceSeq (inclusive; unset:
// the oldest retained message) for opts.Timeout (default 1 s) or until
// opts.MaxMessages have been collected — messages appended meanwhile
// included — then delivers them on the first channel, waiting between two
// messages for the gap between their append times divided by opts.Speed
// (not positive: 1). Channels and errors as for Tail; ctx ends both the
// collection and the delivery.
func (p *Pool) Replay(ctx context.Context, opts ReplayOptions) (<-chan *api.Message, <-chan error) {
	out := make(chan *api.Message, defaultTailBuffer)
	errs := make(chan error, 1)
	t, err := p.openTail(backend.TailSpec{Since: opts.SinceSeq})
	if err != nil {
		errs <- err
		close(out)
		close(errs)
		return out, errs
	}
	go func() {
		defer close(errs)
		defer close(out)
		if ctx == nil {
			ctx = context.Background()
		}
		messages, err := p.collect(ctx, t, opts)
		t.Close()
		if err == nil {
			err = pace(ctx, messages, opts.Speed, out)
		}
		if err != nil {
			errs <- err
		}
	}()
	return out, errs
}

// collect reads messages from t for Replay.
func (p *Pool) collect(ctx context.Context, t backend.Tail, opts ReplayOptions) ([]*api.Message, error) {
	bound, stop := p.bind(ctx)
	defer stop()
	cctx, cancel := context.WithTimeout(bound, collectTimeout(opts.Timeout))
	defer cancel()
	var messages []*api.Message
	for opts.MaxMessages == nil || uint64(len(messages)) < *opts.MaxMessages {
		m, err := t.Next(cctx)
		if err == io.EOF || isContextError(err) && ctx.Err() == nil && p.life.Err() == nil {
			break // the collection time is over
		}
		if err != nil {
			return nil, p.tailError(ctx, err)
		}
		messages = append(messages, m)
	}
	return messages, nil
}

// pace delivers messages on out with their recorded gaps divided by speed.
func pace(ctx context.Context, messages []*api.Message, speed float64, out chan<- *api.Message) error {
	if speed <= 0 {
		speed = 1
	}
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	for i, m := range messages {
		if i > 0 {
			if gap := m.Time.Sub(messages[i-1].Time); gap > 0 {
				timer.Reset(time.Duration(float64(gap) / speed))
				select {
				case <-timer.C:
				case <-ctx.Done():
					return ctx.Err()
				}
			}
		}
		select {
		case out <- m:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}
