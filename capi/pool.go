package main

/*
#include "capi.h"
*/
import "C"

import (
	"math"
	"sync"
	"unsafe"

	"github.com/plasmite-go/plasmite/core"
	"github.com/plasmite-go/plasmite/remote"
	"github.com/plasmite-go/plasmite/wire"
)

// pool is an open pool plus scratch memory reused across calls. mu
// serializes the calls made through one handle (core.Pool is itself safe for
// concurrent use; the lock guards the scratch buffers and makes free wait
// for calls in progress).
type pool struct {
	mu   sync.Mutex
	p    *core.Pool   // nil once freed
	r    *remote.Pool // instead of p, for a pool of a remote client (remote.go)
	ref  string       // as the caller typed it (the "name" of pool info)
	tags []string
	enc  []byte
	out  []byte
	msg  []byte
	b    core.Batch
	recs []core.Receipt
}

// lockPool looks the handle up and locks it; the caller must unlock.
// get reads message seq into the pool's reused payload buffer; the
// message is valid until the next get.
func (p *pool) get(seq uint64) (core.Message, error) {
	if p.r != nil {
		return p.remoteGet(seq)
	}
	m, err := p.p.GetInto(seq, p.msg[:0])
	if err == nil {
		p.msg = m.Payload
	}
	return m, err
}

func lockPool(h *C.plsm_pool_t) (*pool, error) {
	if h == nil {
		return nil, usage("pool is null")
	}
	p, ok := lookup[pool](unsafe.Pointer(h))
	if !ok {
		return nil, usage("pool is not a live pool handle")
	}
	p.mu.Lock()
	if p.p == nil && p.r == nil {
		p.mu.Unlock()
		return nil, usage("pool is not a live pool handle")
	}
	return p, nil
}

//export plsm_pool_create
func plsm_pool_create(ch *C.plsm_client_t, ref *C.plsm__cchar, size C.uint64_t, outPool **C.plsm_pool_t, outErr **C.plsm_error_t) (rc C.int) {
	defer guard(outErr, &rc)
	if outPool == nil {
		return fail(outErr, usage("out_pool is null"))
	}
	c, err := getClient(ch)
	if err != nil {
		return fail(outErr, err)
	}
	r, err := poolRef(ref)
	if err != nil {
		return fail(outErr, err)
	}
	n := uint64(size)
	if n == 0 {
		n = core.DefaultPoolSize
	}
	if n > math.MaxInt64 {
		return fail(outErr, usage("size_bytes is too large"))
	}
	if c.remote != nil {
		return failIf(outErr, openRemote(c, r, true, n, outPool))
	}
	p, err := core.CreateWith(core.ResolveRef(c.dir, r), core.CreateOptions{Size: int64(n), Open: openOptionsFromEnv()})
	if err != nil {
		return fail(outErr, err)
	}
	*outPool = poolPtr(&pool{p: p, ref: r})
	return 0
}

//export plsm_pool_open
func plsm_pool_open(ch *C.plsm_client_t, ref *C.plsm__cchar, outPool **C.plsm_pool_t, outErr **C.plsm_error_t) (rc C.int) {
	defer guard(outErr, &rc)
	c, err := getClient(ch)
	if err != nil {
		return fail(outErr, err)
	}
	r, err := poolRef(ref)
	if err != nil {
		return fail(outErr, err)
	}
	if outPool == nil {
		return fail(outErr, usage("out_pool is null"))
	}
	if c.remote != nil {
		return failIf(outErr, openRemote(c, r, false, 0, outPool))
	}
	p, err := core.Open(core.ResolveRef(c.dir, r), openOptionsFromEnv())
	if err != nil {
		return fail(outErr, err)
	}
	*outPool = poolPtr(&pool{p: p, ref: r})
	return 0
}

//export plsm_pool_free
func plsm_pool_free(h *C.plsm_pool_t) {
	defer func() { _ = recover() }()
	p, ok := release[pool](unsafe.Pointer(h))
	if !ok {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.p != nil {
		_ = p.p.Close()
		p.p = nil
	}
	p.r = nil
}

//export plsm_pool_append_json
func plsm_pool_append_json(h *C.plsm_pool_t, jsonBytes *C.plsm__cu8, jsonLen C.size_t, tags **C.plsm__cchar, tagsLen C.size_t,
	durability C.uint32_t, outMessage *C.plsm_buf_t, outErr **C.plsm_error_t) (rc C.int) {
	defer guard(outErr, &rc)
	if outMessage == nil {
		return fail(outErr, usage("out_message is null"))
	}
	return withJSONAppend(h, jsonBytes, jsonLen, tags, tagsLen, durability, outErr, func(p *pool, data []byte, d core.Durability) C.int {
		return p.appendJSON(data, d, outMessage, outErr)
	})
}

// withJSONAppend locks the pool, reads the arguments of a JSON append into
// p.tags, data and d, and calls fn with the pool locked.
func withJSONAppend(h *C.plsm_pool_t, jsonBytes *C.plsm__cu8, jsonLen C.size_t, tags **C.plsm__cchar, tagsLen C.size_t,
	durability C.uint32_t, outErr **C.plsm_error_t, fn func(p *pool, data []byte, d core.Durability) C.int) C.int {
	p, err := lockPool(h)
	if err != nil {
		return fail(outErr, err)
	}
	defer p.mu.Unlock()
	if jsonBytes == nil {
		return fail(outErr, usage("json_bytes is null"))
	}
	data := cbytes(jsonBytes, jsonLen)
	p.tags, err = cstrings(p.tags[:0], tags, tagsLen)
	if err == nil {
		var d core.Durability
		if d, err = durabilityOf(durability); err == nil {
			return fn(p, data, d)
		}
	}
	// The reference parses the JSON before looking at tags and durability,
	// so a bad document is what it reports first.
	if _, jerr := encodeMessage(p.enc[:0], data, nil); jerr != nil {
		return fail(outErr, jsonError(data, jerr))
	}
	return fail(outErr, err)
}

func (p *pool) appendJSON(data []byte, d core.Durability, outMessage *C.plsm_buf_t, outErr **C.plsm_error_t) C.int {
	m, _, err := p.appendOne(data, d, false)
	if err != nil {
		return fail(outErr, err)
	}
	return p.setEnvelope(outMessage, m, outErr)
}

// appendOne appends data with p.tags; with checkCanon it also reports
// whether data is canonical (core.Pool.AppendJSONCanonical; never for a
// remote pool, whose message is the server's).
func (p *pool) appendOne(data []byte, d core.Durability, checkCanon bool) (m core.Message, canonical bool, err error) {
	if p.r != nil {
		m, err = p.remoteAppendJSON(data, d)
		return m, false, err
	}
	if checkCanon {
		m, canonical, err = p.p.AppendJSONCanonical(p.enc, data, p.tags, d)
	} else {
		m, err = p.p.AppendJSONTo(p.enc, data, p.tags, d)
	}
	p.enc = m.Payload[:0]
	if err != nil {
		// Encoding failures are worded as the reference words them.
		if _, jerr := encodeMessage(p.enc, data, p.tags); jerr != nil {
			return m, false, jsonError(data, jerr)
		}
		return m, false, err
	}
	return m, canonical, nil
}

// setEnvelope writes m's envelope JSON to *out.
func (p *pool) setEnvelope(out *C.plsm_buf_t, m core.Message, outErr **C.plsm_error_t) C.int {
	var err error
	p.out, err = wire.AppendMessageABI(p.out[:0], m)
	if err != nil {
		return fail(outErr, err)
	}
	setBuf(out, p.out)
	return 0
}

//export plsm_pool_append_json_receipt
func plsm_pool_append_json_receipt(h *C.plsm_pool_t, jsonBytes *C.plsm__cu8, jsonLen C.size_t, tags **C.plsm__cchar, tagsLen C.size_t,
	durability C.uint32_t, outSeq *C.uint64_t, outTime *C.uint64_t, outMessage *C.plsm_buf_t, outErr **C.plsm_error_t) (rc C.int) {
	defer guard(outErr, &rc)
	if outSeq == nil {
		return fail(outErr, usage("out_seq is null"))
	}
	if outTime == nil {
		return fail(outErr, usage("out_timestamp_ns is null"))
	}
	return withJSONAppend(h, jsonBytes, jsonLen, tags, tagsLen, durability, outErr, func(p *pool, data []byte, d core.Durability) C.int {
		m, canonical, err := p.appendOne(data, d, outMessage != nil)
		if err != nil {
			return fail(outErr, err)
		}
		*outSeq, *outTime = C.uint64_t(m.Seq), C.uint64_t(m.Time)
		switch {
		case outMessage == nil:
			return 0
		case canonical:
			setBuf(outMessage, nil)
			return 0
		}
		// The caller cannot make this envelope from its text.
		return p.setEnvelope(outMessage, m, outErr)
	})
}

//export plsm_pool_append_lite3
func plsm_pool_append_lite3(h *C.plsm_pool_t, payload *C.plsm__cu8, payloadLen C.size_t, durability C.uint32_t,
	outSeq *C.uint64_t, outErr **C.plsm_error_t) (rc C.int) {
	defer guard(outErr, &rc)
	p, err := lockPool(h)
	if err != nil {
		return fail(outErr, err)
	}
	defer p.mu.Unlock()
	if outSeq == nil {
		return fail(outErr, usage("out_seq is null"))
	}
	if payload == nil {
		return fail(outErr, usage("lite3_bytes is null"))
	}
	d, err := durabilityOf(durability)
	if err != nil {
		return fail(outErr, err)
	}
	r, err := p.appendLite3(cbytes(payload, payloadLen), d)
	if err != nil {
		return fail(outErr, err)
	}
	*outSeq = C.uint64_t(r.Seq)
	return 0
}

//export plsm_pool_get_json
func plsm_pool_get_json(h *C.plsm_pool_t, seq C.uint64_t, outMessage *C.plsm_buf_t, outErr **C.plsm_error_t) (rc C.int) {
	defer guard(outErr, &rc)
	p, err := lockPool(h)
	if err != nil {
		return fail(outErr, err)
	}
	defer p.mu.Unlock()
	if outMessage == nil {
		return fail(outErr, usage("out_message is null"))
	}
	m, err := p.get(uint64(seq))
	if err != nil {
		return fail(outErr, err)
	}
	p.out, err = wire.AppendMessageABI(p.out[:0], m)
	if err != nil {
		return fail(outErr, err)
	}
	setBuf(outMessage, p.out)
	return 0
}

//export plsm_pool_get_lite3
func plsm_pool_get_lite3(h *C.plsm_pool_t, seq C.uint64_t, outFrame *C.plsm_lite3_frame_t, outErr **C.plsm_error_t) (rc C.int) {
	defer guard(outErr, &rc)
	p, err := lockPool(h)
	if err != nil {
		return fail(outErr, err)
	}
	defer p.mu.Unlock()
	if outFrame == nil {
		return fail(outErr, usage("out_frame is null"))
	}
	m, err := p.stored(uint64(seq))
	if err != nil {
		return fail(outErr, err)
	}
	setFrame(outFrame, m)
	return 0
}

// setFrame writes m into *out, copying the payload into malloc'ed memory.
func setFrame(out *C.plsm_lite3_frame_t, m core.Message) {
	setBuf(&out.payload, m.Payload)
	out.seq = C.uint64_t(m.Seq)
	out.timestamp_ns = C.uint64_t(m.Time)
	out.flags = C.uint32_t(m.Flags)
}
