package main

/*
#include "capi.h"
*/
import "C"

import (
	"context"
	"fmt"
	"io"
	"math"
	"path"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
	"unsafe"

	"github.com/plasmite-go/plasmite/access"
	"github.com/plasmite-go/plasmite/core"
	"github.com/plasmite-go/plasmite/core/jsonfmt"
	"github.com/plasmite-go/plasmite/remote"
	"github.com/plasmite-go/plasmite/wire"
)

// Remote clients and pools: a client made by plsm_remote_client_new holds a
// remote.Client instead of a directory, and the pools it opens hold a
// remote.Pool instead of a core.Pool. The plsm_pool_* and stream functions
// dispatch on that (one line each in pool.go, extras.go and stream.go);
// everything they do remotely is below, and everything remote is done by
// package remote.

// remoteOptionsV1Size is sizeof(plsm_remote_options_t) in version 1.
const remoteOptionsV1Size = 32

// bg is the context of the remote calls the ABI makes: they are bounded by
// the client's request timeout, streams by their own deadline or cancel.
var bg = context.Background()

//export plsm_remote_client_new
func plsm_remote_client_new(origin *C.plsm__cchar, opts *C.plsm__cremoteopts, outClient **C.plsm_client_t, outErr **C.plsm_error_t) (rc C.int) {
	defer guard(outErr, &rc)
	if outClient == nil {
		return fail(outErr, usage("out_client is null"))
	}
	if origin == nil {
		return fail(outErr, usage("origin is null"))
	}
	o := cstr(origin)
	if !utf8.ValidString(o) {
		return fail(outErr, usage("origin is not valid UTF-8"))
	}
	ro, err := remoteOptions((*C.plsm_remote_options_t)(opts))
	if err != nil {
		return fail(outErr, err)
	}
	c, err := remote.New(strings.Clone(o), ro)
	if err != nil {
		return fail(outErr, err)
	}
	*outClient = clientPtr(&client{remote: c})
	return 0
}

// remoteOptions reads the caller's options, touching only the fields within
// its struct_size. NULL means the defaults.
func remoteOptions(o *C.plsm_remote_options_t) (remote.Options, error) {
	var ro remote.Options
	if o == nil {
		return ro, nil
	}
	if size := uint32(o.struct_size); size < remoteOptionsV1Size {
		return ro, usage(fmt.Sprintf("remote options are too small: got %d bytes, need at least %d", size, remoteOptionsV1Size))
	}
	if o.reserved != 0 {
		return ro, usage("remote options reserved field must be zero")
	}
	if ms := uint64(o.request_timeout_ms); ms > 0 {
		ro.RequestTimeout = time.Duration(min(ms, uint64(math.MaxInt64/int64(time.Millisecond)))) * time.Millisecond
	}
	if n := uint64(o.max_response_bytes); n > 0 {
		if n > math.MaxUint32 {
			return ro, usage("max_response_bytes is above 4 GiB")
		}
		ro.MaxResponseBytes = int64(n)
	}
	if o.access_key != nil {
		creds, err := accessKey(cstr(o.access_key))
		if err != nil {
			return ro, err
		}
		ro.Credentials = creds
	}
	return ro, nil
}

// accessKey turns an access key into the credentials of an https://
// client: the server is verified by the key's pinned public key (names and
// dates too, no CA chain) and only the secret is sent. The key is kept in
// memory only.
func accessKey(text string) (remote.Credentials, error) {
	k, err := access.ParseKey(text)
	if err != nil {
		return nil, err
	}
	return k.Credentials(), nil
}

// ---- client-level calls ----------------------------------------------------

// openRemote is plsm_pool_open and plsm_pool_create on a remote client.
func openRemote(c *client, ref string, create bool, size uint64, outPool **C.plsm_pool_t) error {
	if create {
		if _, err := c.remote.Create(bg, ref, size); err != nil {
			return err
		}
	}
	var p *remote.Pool
	var err error
	if create {
		p, err = c.remote.Pool(ref)
	} else {
		p, err = c.remote.Open(bg, ref)
	}
	if err != nil {
		return err
	}
	*outPool = poolPtr(&pool{r: p, ref: ref})
	return nil
}

// remoteList is plsm_pool_list_json on a remote client: the local listing's
// shape, names taken from the server's file names and sorted, mtime null.
func remoteList(c *client) ([]byte, error) {
	ents, err := c.remote.List(bg)
	if err != nil {
		return nil, err
	}
	docs := make([]map[string]any, len(ents))
	for i, e := range ents {
		e.Name = strings.TrimSuffix(path.Base(strings.ReplaceAll(e.Path, `\`, "/")), ".plasmite")
		docs[i] = wire.ListEntry(e)
	}
	sortByName(docs)
	return jsonfmt.AppendValue(nil, wire.ListDocument(docs), jsonfmt.Compact), nil
}

func sortByName(docs []map[string]any) {
	for i := 1; i < len(docs); i++ {
		for j := i; j > 0 && docs[j]["name"].(string) < docs[j-1]["name"].(string); j-- {
			docs[j], docs[j-1] = docs[j-1], docs[j]
		}
	}
}

// ---- pool-level calls ------------------------------------------------------

// info is the pool's info, local or remote.
func (p *pool) info() (core.Info, error) {
	if p.r != nil {
		return p.r.Info(bg)
	}
	return p.p.Info()
}

// appendLite3 appends a Lite3 document, local or remote.
func (p *pool) appendLite3(payload []byte, d core.Durability) (core.Receipt, error) {
	if p.r == nil {
		return p.p.AppendLite3(payload, d)
	}
	m, out, err := p.r.AppendLite3(bg, payload, d, p.msg[:0])
	p.msg = out[:0]
	return core.Receipt{Seq: m.Seq, Time: m.Time}, err
}

// remoteAppendJSON is a JSON append to a remote pool: encoded here (so bad
// input is reported as locally, and nothing is sent), appended through
// append_lite3; the message returned is the server's committed one, valid
// until p.msg is reused.
func (p *pool) remoteAppendJSON(data []byte, d core.Durability) (core.Message, error) {
	enc, err := encodeMessage(p.enc[:0], data, p.tags)
	if err != nil {
		return core.Message{}, jsonError(data, err)
	}
	p.enc = enc[:0]
	m, out, err := p.r.AppendLite3(bg, enc, d, p.msg[:0])
	if err != nil {
		return core.Message{}, err
	}
	p.msg = out[:0]
	return m, nil
}

// remoteBatch is plsm_pool_append_json_batch on a remote pool: every message
// is checked and encoded first, then they are appended one request each, in
// order; the first failure stops the batch.
func (p *pool) remoteBatch(msgs []C.plsm_json_message_t, d core.Durability, outFirst *C.uint64_t, outAppended *C.size_t) error {
	p.enc = p.enc[:0]
	ends := make([]int, 0, len(msgs))
	for i := range msgs {
		m := &msgs[i]
		if m.json_bytes == nil {
			return atIndex(i, usage("json_bytes is null"))
		}
		data := cbytes((*C.plsm__cu8)(m.json_bytes), m.json_len)
		var err error
		if p.tags, err = cstrings(p.tags[:0], (**C.plsm__cchar)(unsafe.Pointer(m.tags)), m.tags_len); err != nil {
			return atIndex(i, err)
		}
		if p.enc, err = encodeMessage(p.enc, data, p.tags); err != nil {
			return atIndex(i, jsonError(data, err))
		}
		ends = append(ends, len(p.enc))
	}
	start := 0
	for i, end := range ends {
		r, err := p.appendLite3(p.enc[start:end], d)
		if err != nil {
			return err
		}
		if i == 0 {
			*outFirst = C.uint64_t(r.Seq)
		}
		*outAppended = C.size_t(i + 1)
		start = end
	}
	return nil
}

// stored is message seq as stored, local or remote. A remote one takes two
// requests: the envelope for seq and time, the Lite3 document as stored.
func (p *pool) stored(seq uint64) (core.Message, error) {
	if p.r == nil {
		return p.get(seq)
	}
	m, out, err := p.r.Get(bg, seq, p.msg[:0])
	if err != nil {
		return m, err
	}
	raw, err := p.r.GetLite3(bg, seq, out[:0])
	if err != nil {
		return core.Message{}, err
	}
	p.msg = raw
	return core.Message{Seq: m.Seq, Time: m.Time, Payload: raw}, nil
}

// remoteGet is message seq's envelope through JSON.
func (p *pool) remoteGet(seq uint64) (core.Message, error) {
	m, out, err := p.r.Get(bg, seq, p.msg[:0])
	p.msg = out
	return m, err
}

// ---- streams ----------------------------------------------------------------

// source is what a stream reads: a local *wire.Stream or a remote follow
// (the methods mean what wire.Stream's do).
type source interface {
	NextWithin(wait time.Duration) (m core.Message, ok, timedOut bool, err error)
	AfterReady(f func()) (stop func() bool)
	AfterDone(f func()) (stop func() bool)
	Done() bool
	Delivered()
	Cancel()
	Close() error
}

// remoteStream reads a remote pool as a stream of the ABI: from since_seq
// (or the oldest retained message), up to max messages, until its deadline
// or cancel, across as many tail requests as it takes. Its payloads come
// from /tail_lite3, as stored; a retention gap is detected by the client
// (a jump in seqs), or, with a tag filter, by the server through JSONL.
//
// An unbounded next reads on the caller's thread. A bounded one, and the
// readiness descriptor, hand the read to one goroutine (the one reading the
// response, parked in the network poller while the pool is idle) whose
// result the next call picks up: a wait that runs out leaves the stream and
// its connection as they are.
type remoteStream struct {
	f         *remote.Follower
	cancel    context.CancelFunc // the deadline's
	bounds    wire.StreamBounds
	delivered uint64
	ended     bool         // after a retention gap: every later next ends
	pending   chan fetched // a read in progress or its result (guarded by the stream's lock)

	mu     sync.Mutex // guards notify, which the reading goroutine calls
	notify func()
}

// fetched is what a handed-over read found.
type fetched struct {
	m   core.Message
	err error
}

func openRemoteStream(p *remote.Pool, so streamOptions) (*remoteStream, error) {
	ctx, cancel := context.WithCancel(bg)
	if !so.bounds.Deadline.IsZero() {
		cancel()
		ctx, cancel = context.WithDeadline(bg, so.bounds.Deadline)
	}
	start := remote.Start{Kind: remote.StartOldest}
	if so.tail.Start == core.StartSeq {
		start = remote.Start{Kind: remote.StartSeq, N: so.tail.Seq}
	}
	gapErr := so.bounds.Gap == core.GapError
	fo := remote.FollowOptions{Start: start, Tags: so.tail.Tags, GapError: gapErr,
		Lite3: !(gapErr && len(so.tail.Tags) > 0)}
	f, err := p.Follow(ctx, fo)
	if err != nil {
		cancel()
		return nil, err
	}
	return &remoteStream{f: f, cancel: cancel, bounds: so.bounds}, nil
}

// NextWithin waits for the next message at most wait (< 0: without a
// bound, 0: not at all).
func (r *remoteStream) NextWithin(wait time.Duration) (m core.Message, ok, timedOut bool, err error) {
	if r.Done() {
		return m, false, false, nil
	}
	var res fetched
	switch {
	case r.pending == nil && wait < 0:
		res.m, res.err = r.f.Next(bg)
	default:
		if r.pending == nil {
			r.handOver()
		}
		select {
		case res = <-r.pending: // already there
		default:
			if wait == 0 {
				return m, false, true, nil
			}
			if wait < 0 {
				res = <-r.pending
				break
			}
			t := time.NewTimer(wait)
			select {
			case res = <-r.pending:
				t.Stop()
			case <-t.C:
				return m, false, true, nil
			}
		}
		r.pending = nil
	}
	switch {
	case res.err == nil:
		return res.m, true, false, nil
	case res.err == io.EOF:
		return m, false, false, nil
	case core.KindOf(res.err) == core.RetentionGap:
		r.ended = true
	}
	return m, false, false, res.err
}

// handOver starts a read in its own goroutine; its result goes to pending,
// then the armed notify (if any) is called.
func (r *remoteStream) handOver() {
	ch := make(chan fetched, 1)
	r.pending = ch
	go func() {
		m, err := r.f.Next(bg)
		ch <- fetched{m, err}
		r.mu.Lock()
		n := r.notify
		r.notify = nil
		r.mu.Unlock()
		if n != nil {
			n()
		}
	}()
}

// AfterReady calls f once, in its own goroutine, when a next may find a
// message without waiting (or the stream may be over); stop withdraws it.
func (r *remoteStream) AfterReady(f func()) (stop func() bool) {
	if r.pending == nil {
		r.handOver()
	} else if len(r.pending) > 0 {
		go f() // the result is there already
		return func() bool { return false }
	}
	r.mu.Lock()
	r.notify = f
	r.mu.Unlock()
	return func() bool {
		r.mu.Lock()
		defer r.mu.Unlock()
		armed := r.notify != nil
		r.notify = nil
		return armed
	}
}

// Done says whether every later next ends at once.
func (r *remoteStream) Done() bool {
	return r.ended || r.bounds.Exhausted(r.delivered) || r.f.Context().Err() != nil
}

// AfterDone calls f once, in its own goroutine, at the stream's deadline or
// cancel; stop withdraws it.
func (r *remoteStream) AfterDone(f func()) (stop func() bool) {
	return context.AfterFunc(r.f.Context(), f)
}

// Delivered counts a message toward max.
func (r *remoteStream) Delivered() { r.delivered++ }

// Cancel ends the stream from any thread: a next in progress (or a read
// handed over) returns promptly.
func (r *remoteStream) Cancel() { r.f.Close() }

// Close cancels the stream. The handed-over read, if any, ends with it.
func (r *remoteStream) Close() error {
	r.cancel()
	return r.f.Close()
}

// failIf is fail for a non-nil err, 0 otherwise.
func failIf(outErr **C.plsm_error_t, err error) C.int {
	if err != nil {
		return fail(outErr, err)
	}
	return 0
}
