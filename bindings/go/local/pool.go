package local

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/plasmite-go/plasmite/bindings/go/api"
	"github.com/plasmite-go/plasmite/bindings/go/internal/backend"
)

// Pool is an open pool. It is safe for concurrent use and must not be
// copied; the zero Pool is closed. Appends from every Pool and process are
// serialized by the pool file's lock; reads take no lock.
type Pool struct {
	mu   sync.RWMutex // held for reading by calls, for writing by Close
	be   backend.Pool // nil once closed
	life context.Context
	end  context.CancelFunc // ends life: tails of a closed pool stop
}

func newPool(be backend.Pool) *Pool {
	life, end := context.WithCancel(context.Background())
	return &Pool{be: be, life: life, end: end}
}

// acquire returns the backend with the pool read-locked; the caller unlocks
// when the error is nil.
func (p *Pool) acquire() (backend.Pool, error) {
	if p == nil {
		return nil, api.ClosedError("pool")
	}
	p.mu.RLock()
	if p.be == nil {
		p.mu.RUnlock()
		return nil, api.ClosedError("pool")
	}
	return p.be, nil
}

// Close releases the pool once the calls in progress have returned, and
// ends its tails (with an error wrapping ErrClosed). Streams opened from it
// stay usable. Closing twice is a no-op.
func (p *Pool) Close() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.be == nil {
		return
	}
	p.end()
	_ = p.be.Close()
	p.be = nil
}

// AppendJSON appends a message whose data is the JSON object payload, with
// tags, and returns the stored message's envelope
// {"seq":…,"time":…,"meta":{"tags":[…]},"data":…}. An empty payload wraps
// ErrInvalidArgument; invalid JSON, data that is not an object and an
// unknown durability are ErrorUsage; a message larger than the pool is
// ErrorUsage.
func (p *Pool) AppendJSON(payload []byte, tags []string, durability Durability) ([]byte, error) {
	be, err := p.acquire()
	if err != nil {
		return nil, err
	}
	defer p.mu.RUnlock()
	if len(payload) == 0 {
		return nil, api.InvalidArgumentError("payload is required")
	}
	return be.AppendJSON(payload, tags, durability)
}

// encoders keeps the JSON encoding buffers of Append.
var encoders = sync.Pool{New: func() any { return new(valueEncoder) }}

type valueEncoder struct {
	text []byte       // appendValue's output
	buf  bytes.Buffer // encoding/json's output
	enc  *json.Encoder
}

// encode returns value's encoding/json text, valid until the encoder is
// reused. Plain trees are written directly (appendValue), the rest by
// encoding/json.
func (e *valueEncoder) encode(value any) ([]byte, error) {
	out, ok := appendValue(e.text[:0], value, 0)
	e.text = out[:0]
	if ok {
		return out, nil
	}
	e.buf.Reset()
	if e.enc == nil {
		e.enc = json.NewEncoder(&e.buf)
	}
	if err := e.enc.Encode(value); err != nil {
		return nil, err
	}
	return e.buf.Bytes(), nil
}

// Append appends a message whose data is value as encoding/json encodes it
// (it must encode to a JSON object), with tags, and returns the stored
// message. opts set the durability (default DurabilityFast). A value that
// cannot be encoded is an error wrapping encoding/json's; otherwise errors as
// AppendJSON.
func (p *Pool) Append(value any, tags []string, opts ...AppendOption) (*api.Message, error) {
	e := encoders.Get().(*valueEncoder)
	defer func() {
		if e.buf.Cap() <= 1<<20 && cap(e.text) <= 1<<20 {
			encoders.Put(e)
		}
	}()
	payload, err := e.encode(value)
	if err != nil {
		return nil, fmt.Errorf("plasmite: marshal payload: %w", err)
	}
	d := DurabilityFast
	if len(opts) > 0 { // (the configuration escapes to the options: skip it when there are none)
		d = api.ApplyAppendOptions(opts...).Durability
	}
	be, err := p.acquire()
	if err != nil {
		return nil, err
	}
	defer p.mu.RUnlock()
	return be.Append(payload, tags, d)
}

// AppendLite3 appends a pre-encoded Lite3 message document
// {"meta":{"tags":[…]},"data":{…}} without converting it, and returns its
// sequence number. An empty payload wraps ErrInvalidArgument; a document
// that is not a valid message is ErrorCorrupt.
func (p *Pool) AppendLite3(payload []byte, durability Durability) (uint64, error) {
	be, err := p.acquire()
	if err != nil {
		return 0, err
	}
	defer p.mu.RUnlock()
	if len(payload) == 0 {
		return 0, api.InvalidArgumentError("payload is required")
	}
	return be.AppendLite3(payload, durability)
}

// GetJSON returns the envelope of message seq. A message not retained (never
// written, or overwritten) is ErrorNotFound with Seq set.
func (p *Pool) GetJSON(seq uint64) ([]byte, error) {
	be, err := p.acquire()
	if err != nil {
		return nil, err
	}
	defer p.mu.RUnlock()
	return be.GetJSON(seq)
}

// Get returns message seq; errors as GetJSON.
func (p *Pool) Get(seq uint64) (*api.Message, error) {
	be, err := p.acquire()
	if err != nil {
		return nil, err
	}
	defer p.mu.RUnlock()
	return be.Get(seq)
}

// GetLite3 returns message seq in its binary form; errors as GetJSON.
func (p *Pool) GetLite3(seq uint64) (*Lite3Frame, error) {
	be, err := p.acquire()
	if err != nil {
		return nil, err
	}
	defer p.mu.RUnlock()
	return be.GetLite3(seq)
}

// openTail opens a backend reader.
func (p *Pool) openTail(spec backend.TailSpec) (backend.Tail, error) {
	be, err := p.acquire()
	if err != nil {
		return nil, err
	}
	defer p.mu.RUnlock()
	return be.Tail(spec)
}
