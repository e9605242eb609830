package poolref

import (
	"context"
	"errors"
	"io"
	"sort"
	"strings"
	"sync"

	"github.com/plasmite-go/plasmite/access"
	"github.com/plasmite-go/plasmite/core"
	"github.com/plasmite-go/plasmite/remote"
)

// Remote pools: http(s):// refs through package remote, behind the same
// Pool interface as local ones, with the reference release's behaviour
// (remote-1.2.1.md §8): every write goes through append_lite3 and the
// receipt is the server's message; reads use the JSON endpoints, or the
// Lite3 ones when the output is Lite3; a tail starts where the reference's
// remote follow starts and resumes across the server's stream deadlines.

// RemoteOptions tune the pools OpenRemote opens.
type RemoteOptions struct {
	// Lite3 reads messages through the Lite3 endpoints (payloads as
	// stored), for Lite3 output; otherwise through JSON, whose envelopes
	// print exactly as the reference's client prints them.
	Lite3 bool
	// Raw (with Lite3): a message read by seq needs no time (raw Lite3
	// output), so only its document is asked for.
	Raw bool
	// Connections are the saved connections https:// refs need.
	Connections *access.Connections
}

// ctx is the context of a remote pool's calls: one-shot requests are
// bounded by the client's request timeout; a tail by its caller.
var ctx = context.Background()

// ParseRemote splits an http(s):// ref into the server's origin and the
// pool name (remote.ParseRef: the shorthand's shape).
func ParseRemote(ref Ref) (origin, name string, err error) {
	return remote.ParseRef(ref.Text)
}

// RemoteClient makes the client of an http(s):// origin: http:// only to
// the local machine, without credentials; https:// with the key saved in
// connections for exactly that origin (`access connect`), which verifies
// the server by its pinned public key. Without one it is refused with the
// reference's Permission error, before any request.
func RemoteClient(origin string, connections *access.Connections) (*remote.Client, error) {
	if strings.HasPrefix(origin, "https://") {
		o, err := remote.ParseOrigin(origin)
		if err != nil {
			return nil, err
		}
		var k access.Key
		ok := false
		if connections != nil {
			if k, ok, err = connections.Load(o); err != nil {
				return nil, err
			}
		}
		if !ok {
			return nil, &core.Error{Kind: core.Permission, Message: "no saved connection to " + o,
				Hint: "Run `plasmite access connect " + o + "` with a current access key."}
		}
		return remote.New(o, remote.Options{Credentials: k.Credentials()})
	}
	return remote.New(origin, remote.Options{})
}

// OpenRemote opens an http(s):// ref: it checks that the pool exists
// (POST /v0/pools/open; errors carry the pool's name as their path). A
// udp:// ref is refused: this build has no UDP transport. Create is
// refused (the commands refuse it first, with their own words).
func OpenRemote(ref Ref, o OpenOptions, ro RemoteOptions) (Pool, error) {
	if ref.Scheme == UDP {
		return nil, &core.Error{Kind: core.Usage, Message: "UDP pool refs are not supported by this build",
			Hint: "Use http://host:port/<pool> for a server on this machine, or a local pool."}
	}
	if o.Create {
		return nil, &core.Error{Kind: core.Usage, Message: "remote pools cannot be created from here",
			Hint: "Create the pool on the server with pool create."}
	}
	origin, name, err := ParseRemote(ref)
	if err != nil {
		return nil, err
	}
	c, err := RemoteClient(origin, ro.Connections)
	if err != nil {
		if core.KindOf(err) == core.Permission {
			var e *core.Error
			if errors.As(err, &e) {
				e.Path = name // as the reference's open reports it
			}
		}
		return nil, err
	}
	p, err := c.Open(ctx, name)
	if err != nil {
		c.Close()
		return nil, err
	}
	return &remotePool{p: p, lite3: ro.Lite3, raw: ro.Lite3 && ro.Raw}, nil
}

// remotePool is a Pool of a server. Its calls may run concurrently (duplex
// follows and appends at once): mu guards what they keep.
type remotePool struct {
	p      *remote.Pool
	lite3  bool
	raw    bool
	mu     sync.Mutex
	bounds *core.Bounds // from the last Bounds, for the next Tail's start
	// The receipts of the last append (messages as the server answered),
	// which GetInto serves without a request.
	rcpts []core.Message
	arena []byte
	one   core.Batch // AppendJSON's encoding
}

func (r *remotePool) Info() (core.Info, error) { return r.p.Info(ctx) }

// Bounds reads the pool's bounds ({0,0} when that fails) and keeps them
// for the start of the next Tail, so that a follow asks once.
func (r *remotePool) Bounds() core.Bounds {
	in, err := r.p.Info(ctx)
	r.mu.Lock()
	defer r.mu.Unlock()
	if err != nil {
		r.bounds = nil
		return core.Bounds{}
	}
	r.bounds = &in.Bounds
	return in.Bounds
}

// AppendJSON encodes data and tags as the reference's client does and
// appends them through append_lite3.
func (r *remotePool) AppendJSON(data []byte, tags []string, d core.Durability) (core.Receipt, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.one.Reset()
	if err := r.one.AddJSON(data, tags); err != nil {
		return core.Receipt{}, err
	}
	r.rcpts, r.arena = r.rcpts[:0], r.arena[:0]
	return r.appendOne(r.one.Payload(0), d)
}

// AppendBatch appends the batch's messages one request each, in order,
// stopping at the first failure (the receipts before it are returned).
func (r *remotePool) AppendBatch(b *core.Batch, d core.Durability, dst []core.Receipt) ([]core.Receipt, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.rcpts, r.arena = r.rcpts[:0], r.arena[:0]
	for i := 0; i < b.Len(); i++ {
		rc, err := r.appendOne(b.Payload(i), d)
		if err != nil {
			return dst, err
		}
		dst = append(dst, rc)
	}
	return dst, nil
}

// appendOne appends one document and keeps the server's message. Caller
// holds mu.
func (r *remotePool) appendOne(payload []byte, d core.Durability) (core.Receipt, error) {
	start := len(r.arena)
	m, out, err := r.p.AppendLite3(ctx, payload, d, r.arena)
	if err != nil {
		return core.Receipt{}, err
	}
	r.arena = out
	r.rcpts = append(r.rcpts, core.Message{Seq: m.Seq, Time: m.Time, Payload: out[start:]})
	return core.Receipt{Seq: m.Seq, Time: m.Time}, nil
}

// GetInto returns message seq: the receipt of the last append when it is
// one of them, else the server's message (JSON, or Lite3 as stored), into
// buf.
func (r *remotePool) GetInto(seq uint64, buf []byte) (core.Message, error) {
	r.mu.Lock()
	// Receipts are in seq order (not always consecutive: other writers).
	if i := sort.Search(len(r.rcpts), func(i int) bool { return r.rcpts[i].Seq >= seq }); i < len(r.rcpts) && r.rcpts[i].Seq == seq {
		m := r.rcpts[i]
		r.mu.Unlock()
		return core.Message{Seq: m.Seq, Time: m.Time, Payload: append(buf[:0], m.Payload...)}, nil
	}
	r.mu.Unlock()
	if r.raw {
		raw, err := r.p.GetLite3(ctx, seq, buf[:0])
		return core.Message{Seq: seq, Payload: raw}, err
	}
	m, out, err := r.p.Get(ctx, seq, buf[:0])
	if err != nil || !r.lite3 {
		return m, err
	}
	raw, err := r.p.GetLite3(ctx, seq, out[:0])
	if err != nil {
		return core.Message{}, err
	}
	return core.Message{Seq: m.Seq, Time: m.Time, Payload: raw}, nil
}

// Tail follows the pool from where o says, with the reference's remote
// start rules (from the bounds of the last Bounds call, else read now).
// Gaps are not a failure (a remote tail continues over them).
func (r *remotePool) Tail(o core.TailOptions) (Tail, error) {
	start := remote.Start{Kind: remote.StartNew}
	switch o.Start {
	case core.StartOldest:
		start.Kind = remote.StartOldest
	case core.StartLast:
		start = remote.Start{Kind: remote.StartLast, N: o.Last}
	case core.StartSeq:
		start = remote.Start{Kind: remote.StartSeq, N: o.Seq}
	}
	r.mu.Lock()
	fo := remote.FollowOptions{Start: start, Lite3: r.lite3, Bounds: r.bounds}
	r.bounds = nil
	r.mu.Unlock()
	f, err := r.p.Follow(ctx, fo)
	if err != nil {
		return nil, err
	}
	return &remoteTail{f: f, upper: f.OpenBounds().Newest}, nil
}

func (r *remotePool) Close() error {
	r.p.Client().Close()
	return nil
}

// remoteTail is a Tail over a remote follow. Like a local tail, TryNext
// reports nothing ready (ok false) only once it has caught up with the
// pool as it was when the tail opened: until then it waits for the
// history to arrive; after, it returns only what has already arrived.
type remoteTail struct {
	f     *remote.Follower
	upper uint64 // the newest seq when the tail opened
}

// expired is a context that is already done: a Next with it only takes
// what has arrived.
var expired = func() context.Context {
	c, cancel := context.WithCancel(context.Background())
	cancel()
	return c
}()

func (t *remoteTail) Next(ctx context.Context) (core.Message, error) { return t.f.Next(ctx) }

func (t *remoteTail) TryNext() (core.Message, bool, error) {
	wait := ctx
	if t.f.Expected() > t.upper {
		wait = expired
	}
	m, err := t.f.Next(wait)
	switch {
	case err == nil:
		return m, true, nil
	case errors.Is(err, context.Canceled) && wait == expired, err == io.EOF:
		return m, false, nil
	}
	return m, false, err
}

func (t *remoteTail) Close() error { return t.f.Close() }
