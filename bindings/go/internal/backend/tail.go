package backend

import (
	"context"
	"sync"

	"github.com/plasmite-go/plasmite/bindings/go/api"
	"github.com/plasmite-go/plasmite/core"
)

// source is what a Tail reads stored messages from: core's tail of a pool
// file, or the remote client's follower of a server's pool.
type source interface {
	Next(ctx context.Context) (core.Message, error)
	Close() error
}

// messageTail is a Tail over a source: it renders each message in the form
// asked for. closed, when set, runs once, after the source is closed.
type messageTail struct {
	src    source
	closed func()
	once   sync.Once
	env    []byte
}

func (t *messageTail) next(ctx context.Context) (core.Message, error) {
	m, err := t.src.Next(ctx)
	if err != nil {
		return m, apiError(err)
	}
	return m, nil
}

func (t *messageTail) render(ctx context.Context) (envelope, error) {
	m, err := t.next(ctx)
	if err != nil {
		return envelope{}, err
	}
	env, err := renderEnvelope(t.env, m.Payload, m.Seq, m.Time)
	t.env = env.buf[:0]
	return env, err
}

func (t *messageTail) NextJSON(ctx context.Context) ([]byte, error) {
	env, err := t.render(ctx)
	if err != nil {
		return nil, err
	}
	return clone(env.buf), nil
}

func (t *messageTail) Next(ctx context.Context) (*api.Message, error) {
	env, err := t.render(ctx)
	if err != nil {
		return nil, err
	}
	return env.message(), nil
}

func (t *messageTail) NextLite3(ctx context.Context) (*api.Lite3Frame, error) {
	m, err := t.next(ctx)
	if err != nil {
		return nil, err
	}
	m.Payload = clone(m.Payload)
	return frame(m), nil
}

func (t *messageTail) Close() {
	t.once.Do(func() {
		_ = t.src.Close()
		if t.closed != nil {
			t.closed()
		}
	})
}
