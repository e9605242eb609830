package backend

// This file is the binding's only contact with the core engine's API: what
// core renames or reshapes is absorbed here.

import (
	"context"
	"errors"
	"io"
	"math"
	"sync"

	"github.com/plasmite-go/plasmite/bindings/go/api"
	"github.com/plasmite-go/plasmite/core"
)

// Dir opens pool files: a pool name resolves to <Dir>/<name>.plasmite, a
// ref holding a path separator is a file path.
type Dir string

// Create creates the pool file (and its parent directories).
func (d Dir) Create(ref string, size uint64) (Pool, error) {
	if size > math.MaxInt64 {
		return nil, &api.Error{Kind: api.ErrorUsage, Message: "pool size is too large"}
	}
	p, err := core.Create(core.ResolveRef(string(d), ref), int64(size))
	if err != nil {
		return nil, apiError(err)
	}
	return &corePool{p: p}, nil
}

// Open opens the existing pool file read-write.
func (d Dir) Open(ref string) (Pool, error) {
	p, err := core.Open(core.ResolveRef(string(d), ref), core.OpenOptions{})
	if err != nil {
		return nil, apiError(err)
	}
	return &corePool{p: p}, nil
}

type corePool struct{ p *core.Pool }

// scratch holds the buffers one call encodes and renders into.
type scratch struct{ doc, env []byte }

var scratches = sync.Pool{New: func() any { return &scratch{doc: make([]byte, 0, 1024), env: make([]byte, 0, 512)} }}

func getScratch() *scratch { return scratches.Get().(*scratch) }

func putScratch(s *scratch) {
	const keep = 1 << 20 // do not pin the buffers of one huge message
	if cap(s.doc) <= keep && cap(s.env) <= keep {
		scratches.Put(s)
	}
}

func durability(d api.Durability) (core.Durability, error) {
	switch d {
	case api.DurabilityFast:
		return core.Fast, nil
	case api.DurabilityFlush:
		return core.Flush, nil
	}
	return 0, &api.Error{Kind: api.ErrorUsage, Message: "invalid durability"}
}

// appendJSON appends data and renders the stored message's envelope into
// s.env, returning where its parts are.
func (c *corePool) appendJSON(s *scratch, data []byte, tags []string, d api.Durability) (envelope, error) {
	cd, err := durability(d)
	if err != nil {
		return envelope{}, err
	}
	m, err := c.p.AppendJSONTo(s.doc, data, tags, cd)
	s.doc = m.Payload[:0]
	if err != nil {
		return envelope{}, apiError(err)
	}
	env, err := renderEnvelope(s.env, m.Payload, m.Seq, m.Time)
	s.env = env.buf[:0]
	return env, err
}

func (c *corePool) AppendJSON(data []byte, tags []string, d api.Durability) ([]byte, error) {
	s := getScratch()
	defer putScratch(s)
	env, err := c.appendJSON(s, data, tags, d)
	if err != nil {
		return nil, err
	}
	return clone(env.buf), nil
}

func (c *corePool) Append(data []byte, tags []string, d api.Durability) (*api.Message, error) {
	s := getScratch()
	defer putScratch(s)
	env, err := c.appendJSON(s, data, tags, d)
	if err != nil {
		return nil, err
	}
	// The stored tags are the given ones (the encoder keeps them verbatim).
	return env.messageWithTags(cloneTags(tags)), nil
}

func (c *corePool) AppendLite3(doc []byte, d api.Durability) (uint64, error) {
	cd, err := durability(d)
	if err != nil {
		return 0, err
	}
	r, err := c.p.AppendLite3(doc, cd)
	if err != nil {
		return 0, apiError(err)
	}
	return r.Seq, nil
}

// get reads message seq into s.doc and renders its envelope into s.env.
func (c *corePool) get(s *scratch, seq uint64) (envelope, error) {
	m, err := c.p.GetInto(seq, s.doc)
	if err != nil {
		return envelope{}, apiError(err)
	}
	s.doc = m.Payload[:0]
	env, err := renderEnvelope(s.env, m.Payload, m.Seq, m.Time)
	s.env = env.buf[:0]
	return env, err
}

func (c *corePool) GetJSON(seq uint64) ([]byte, error) {
	s := getScratch()
	defer putScratch(s)
	env, err := c.get(s, seq)
	if err != nil {
		return nil, err
	}
	return clone(env.buf), nil
}

func (c *corePool) Get(seq uint64) (*api.Message, error) {
	s := getScratch()
	defer putScratch(s)
	env, err := c.get(s, seq)
	if err != nil {
		return nil, err
	}
	return env.message(), nil
}

func (c *corePool) GetLite3(seq uint64) (*api.Lite3Frame, error) {
	m, err := c.p.Get(seq)
	if err != nil {
		return nil, apiError(err)
	}
	return frame(m), nil
}

func (c *corePool) Tail(spec TailSpec) (Tail, error) {
	o := core.TailOptions{Start: core.StartOldest, Tags: spec.Tags}
	if spec.Since != nil {
		// Sequence numbers start at 1: since 0 is "from the first message ever".
		o.Start, o.Seq = core.StartSeq, max(*spec.Since, 1)
	}
	if spec.ErrorOnGap {
		o.Gap = core.GapError
	}
	t, err := c.p.Tail(o)
	if err != nil {
		return nil, apiError(err)
	}
	return &messageTail{src: t}, nil
}

func (c *corePool) Close() error { return apiError(c.p.Close()) }

// frame converts a message whose payload the caller owns.
func frame(m core.Message) *api.Lite3Frame {
	return &api.Lite3Frame{Seq: m.Seq, TimestampNs: uint64(m.Time), Flags: m.Flags, Payload: m.Payload}
}

// apiError converts core's errors to *api.Error. Context errors and io.EOF
// pass unchanged: they are how a tail ends, not failures.
func apiError(err error) error {
	if err == nil || err == io.EOF || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	var ce *core.Error
	if errors.As(err, &ce) {
		e := &api.Error{Kind: api.ErrorKind(ce.Kind), Message: ce.Error(), Path: ce.Path}
		e.Seq, e.Offset = position(ce)
		return e
	}
	var k core.Kind
	if errors.As(err, &k) {
		return &api.Error{Kind: api.ErrorKind(k), Message: k.Error()}
	}
	return &api.Error{Kind: api.ErrorInternal, Message: err.Error()}
}

// position returns copies of the error's message sequence number and file
// offset, nil when unknown.
func position(ce *core.Error) (seq, offset *uint64) {
	if ce.Seq != nil {
		v := *ce.Seq
		seq = &v
	}
	if ce.Offset != nil {
		v := *ce.Offset
		offset = &v
	}
	return seq, offset
}

func clone(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return append(make([]byte, 0, len(b)), b...)
}
