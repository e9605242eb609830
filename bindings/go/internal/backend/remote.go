package backend

// This file is the binding's only contact with the remote client (package
// remote): a pool served by `plasmite serve`, reached as
// "http://host:port/pool", behaves as a pool file does behind the same
// handles.

import (
	"context"
	"sync"

	"github.com/plasmite-go/plasmite/bindings/go/api"
	"github.com/plasmite-go/plasmite/remote"
)

// Remote opens pools given as http(s) URIs, "http://host:port/POOL", served
// by `plasmite serve` (either implementation). Plain http:// reaches only
// the local machine; https:// needs an access key, which this binding does
// not take yet (ErrorPermission). One client serves every pool of an
// origin: its connections are reused while a pool or tail of the origin is
// open, and closed when the last one closes (so that no idle connection
// outlives the handles, holding up a server's shutdown).
var Remote Opener = &remoteOpener{origins: map[string]*origin{}}

type remoteOpener struct {
	mu      sync.Mutex
	origins map[string]*origin
}

// origin is the client of one server and the number of open handles on it.
type origin struct {
	c    *remote.Client
	open int
}

// pool returns the origin of ref, counting one more handle on it, and the
// pool's name there. The caller calls release once for it.
func (o *remoteOpener) pool(ref string) (*origin, string, error) {
	base, name, err := remote.ParseRef(ref)
	if err != nil {
		return nil, "", apiError(err)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	og := o.origins[base]
	if og == nil {
		c, err := remote.New(base, remote.Options{})
		if err != nil {
			return nil, "", apiError(err)
		}
		og = &origin{c: c}
		o.origins[base] = og
	}
	og.open++
	return og, name, nil
}

// acquire counts one more handle on og.
func (o *remoteOpener) acquire(og *origin) {
	o.mu.Lock()
	og.open++
	o.mu.Unlock()
}

// release ends one handle on og, closing its idle connections after the last.
func (o *remoteOpener) release(og *origin) {
	o.mu.Lock()
	og.open--
	last := og.open == 0
	o.mu.Unlock()
	if last {
		og.c.Close()
	}
}

func (o *remoteOpener) Create(ref string, size uint64) (Pool, error) {
	og, name, err := o.pool(ref)
	if err != nil {
		return nil, err
	}
	p, err := og.c.Pool(name)
	if err == nil {
		_, err = og.c.Create(context.Background(), name, size)
	}
	if err != nil {
		o.release(og)
		return nil, apiError(err)
	}
	return &remotePool{o: o, og: og, p: p}, nil
}

func (o *remoteOpener) Open(ref string) (Pool, error) {
	og, name, err := o.pool(ref)
	if err != nil {
		return nil, err
	}
	p, err := og.c.Open(context.Background(), name)
	if err != nil {
		o.release(og)
		return nil, apiError(err)
	}
	return &remotePool{o: o, og: og, p: p}, nil
}

// remotePool is a server's pool. Requests are bounded by the client's
// request timeout; the handle rules (closing, locking) are package local's.
type remotePool struct {
	o      *remoteOpener
	og     *origin
	p      *remote.Pool
	closed sync.Once
}

func (r *remotePool) appendJSON(s *scratch, data []byte, tags []string, d api.Durability) (envelope, error) {
	cd, err := durability(d)
	if err != nil {
		return envelope{}, err
	}
	m, doc, err := r.p.Append(context.Background(), data, tags, cd, s.doc)
	s.doc = doc[:0]
	if err != nil {
		return envelope{}, apiError(err)
	}
	env, err := renderEnvelope(s.env, m.Payload, m.Seq, m.Time)
	s.env = env.buf[:0]
	return env, err
}

func (r *remotePool) AppendJSON(data []byte, tags []string, d api.Durability) ([]byte, error) {
	s := getScratch()
	defer putScratch(s)
	env, err := r.appendJSON(s, data, tags, d)
	if err != nil {
		return nil, err
	}
	return clone(env.buf), nil
}

func (r *remotePool) Append(data []byte, tags []string, d api.Durability) (*api.Message, error) {
	s := getScratch()
	defer putScratch(s)
	env, err := r.appendJSON(s, data, tags, d)
	if err != nil {
		return nil, err
	}
	return env.message(), nil
}

func (r *remotePool) AppendLite3(doc []byte, d api.Durability) (uint64, error) {
	cd, err := durability(d)
	if err != nil {
		return 0, err
	}
	m, _, err := r.p.AppendLite3(context.Background(), doc, cd, nil)
	if err != nil {
		return 0, apiError(err)
	}
	return m.Seq, nil
}

func (r *remotePool) get(s *scratch, seq uint64) (envelope, error) {
	m, doc, err := r.p.Get(context.Background(), seq, s.doc)
	s.doc = doc[:0]
	if err != nil {
		return envelope{}, apiError(err)
	}
	env, err := renderEnvelope(s.env, m.Payload, m.Seq, m.Time)
	s.env = env.buf[:0]
	return env, err
}

func (r *remotePool) GetJSON(seq uint64) ([]byte, error) {
	s := getScratch()
	defer putScratch(s)
	env, err := r.get(s, seq)
	if err != nil {
		return nil, err
	}
	return clone(env.buf), nil
}

func (r *remotePool) Get(seq uint64) (*api.Message, error) {
	s := getScratch()
	defer putScratch(s)
	env, err := r.get(s, seq)
	if err != nil {
		return nil, err
	}
	return env.message(), nil
}

func (r *remotePool) GetLite3(seq uint64) (*api.Lite3Frame, error) {
	m, _, err := r.p.Get(context.Background(), seq, nil)
	if err != nil {
		return nil, apiError(err)
	}
	return frame(m), nil
}

// Tail follows the pool across the server's stream deadlines, from the
// oldest retained message or Since, never delivering a message twice.
func (r *remotePool) Tail(spec TailSpec) (Tail, error) {
	o := remote.FollowOptions{Start: remote.Start{Kind: remote.StartOldest}, Tags: spec.Tags,
		GapError: spec.ErrorOnGap, Lite3: spec.Lite3}
	if spec.Since != nil {
		o.Start = remote.Start{Kind: remote.StartSeq, N: max(*spec.Since, 1)}
	}
	r.o.acquire(r.og)
	f, err := r.p.Follow(context.Background(), o)
	if err != nil {
		r.o.release(r.og)
		return nil, apiError(err)
	}
	return &messageTail{src: f, closed: func() { r.o.release(r.og) }}, nil
}

// Close ends the handle; the origin's idle connections close with its last.
func (r *remotePool) Close() error {
	r.closed.Do(func() { r.o.release(r.og) })
	return nil
}
