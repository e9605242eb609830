package main

/*
#include "capi.h"
*/
import "C"

import (
	"fmt"
	"sync"
	"time"
	"unsafe"

	"github.com/plasmite-go/plasmite/core"
	"github.com/plasmite-go/plasmite/core/jsonfmt"
	"github.com/plasmite-go/plasmite/wire"
)

// The library version lives in C memory for the life of the process.
var versionString = sync.OnceValue(func() *C.char { return C.CString(core.Version) })

//export plsm_version
func plsm_version(outMajor *C.uint32_t, outMinor *C.uint32_t) *C.plsm__cchar {
	if outMajor != nil {
		*outMajor = C.PLSM_ABI_MAJOR
	}
	if outMinor != nil {
		*outMinor = C.PLSM_ABI_MINOR
	}
	return (*C.plsm__cchar)(versionString())
}

//export plsm_pool_info_json
func plsm_pool_info_json(h *C.plsm_pool_t, outInfo *C.plsm_buf_t, outErr **C.plsm_error_t) (rc C.int) {
	defer guard(outErr, &rc)
	p, err := lockPool(h)
	if err != nil {
		return fail(outErr, err)
	}
	defer p.mu.Unlock()
	if outInfo == nil {
		return fail(outErr, usage("out_info is null"))
	}
	info, err := p.info()
	if err != nil {
		return fail(outErr, err)
	}
	setBuf(outInfo, jsonfmt.AppendValue(nil, wire.InfoDocument(info, p.ref, time.Now()), jsonfmt.Compact))
	return 0
}

//export plsm_pool_list_json
func plsm_pool_list_json(ch *C.plsm_client_t, outList *C.plsm_buf_t, outErr **C.plsm_error_t) (rc C.int) {
	defer guard(outErr, &rc)
	if outList == nil {
		return fail(outErr, usage("out_list is null"))
	}
	c, err := getClient(ch)
	if err != nil {
		return fail(outErr, err)
	}
	if c.remote != nil {
		doc, err := remoteList(c)
		if err != nil {
			return fail(outErr, err)
		}
		setBuf(outList, doc)
		return 0
	}
	setBuf(outList, jsonfmt.AppendValue(nil, listPools(c.dir), jsonfmt.Compact))
	return 0
}

// listPools is the pool list document of dir, in the shape of the CLI's
// `pool list --json`.
func listPools(dir string) map[string]any {
	pools, err := core.List(dir)
	if err != nil {
		return wire.ListDocument([]map[string]any{wire.ListError("pools", dir, wire.ErrorOf(err))})
	}
	entries := make([]map[string]any, len(pools))
	for i, pe := range pools {
		entries[i] = wire.ListEntry(pe)
	}
	return wire.ListDocument(entries)
}

//export plsm_pool_delete
func plsm_pool_delete(ch *C.plsm_client_t, ref *C.plsm__cchar, outErr **C.plsm_error_t) (rc C.int) {
	defer guard(outErr, &rc)
	c, err := getClient(ch)
	if err != nil {
		return fail(outErr, err)
	}
	r, err := poolRef(ref)
	if err != nil {
		return fail(outErr, err)
	}
	if c.remote != nil {
		return failIf(outErr, c.remote.Delete(bg, r))
	}
	if err := core.Delete(core.ResolveRef(c.dir, r)); err != nil {
		return fail(outErr, err)
	}
	return 0
}

//export plsm_pool_append_json_batch
func plsm_pool_append_json_batch(h *C.plsm_pool_t, msgs *C.plsm__cjsonmsg, count C.size_t, durability C.uint32_t,
	outFirst *C.uint64_t, outAppended *C.size_t, outErr **C.plsm_error_t) (rc C.int) {
	defer guard(outErr, &rc)
	if outFirst == nil {
		return fail(outErr, usage("out_first_seq is null"))
	}
	if outAppended == nil {
		return fail(outErr, usage("out_appended is null"))
	}
	p, err := lockPool(h)
	if err != nil {
		return fail(outErr, err)
	}
	defer p.mu.Unlock()
	*outFirst, *outAppended = 0, 0
	if msgs == nil && count > 0 {
		return fail(outErr, usage("messages is null"))
	}
	d, err := durabilityOf(durability)
	if err != nil {
		return fail(outErr, err)
	}
	if count == 0 {
		return 0
	}
	if p.r != nil {
		return failIf(outErr, p.remoteBatch(unsafe.Slice((*C.plsm_json_message_t)(unsafe.Pointer(msgs)), int(count)), d, outFirst, outAppended))
	}
	p.b.Reset()
	for i, m := range unsafe.Slice((*C.plsm_json_message_t)(unsafe.Pointer(msgs)), int(count)) {
		if err := p.addBatch(&m); err != nil {
			return fail(outErr, atIndex(i, err))
		}
	}
	p.recs, err = p.p.AppendBatch(&p.b, d, p.recs[:0])
	if len(p.recs) > 0 {
		*outFirst = C.uint64_t(p.recs[0].Seq)
	}
	*outAppended = C.size_t(len(p.recs))
	if err != nil {
		return fail(outErr, err)
	}
	return 0
}

func (p *pool) addBatch(m *C.plsm_json_message_t) error {
	if m.json_bytes == nil {
		return usage("json_bytes is null")
	}
	data := cbytes((*C.plsm__cu8)(m.json_bytes), m.json_len)
	var err error
	p.tags, err = cstrings(p.tags[:0], (**C.plsm__cchar)(unsafe.Pointer(m.tags)), m.tags_len)
	if err != nil {
		return err
	}
	if err := p.b.AddJSON(data, p.tags); err != nil {
		return jsonError(data, err)
	}
	return nil
}

// atIndex prefixes err's message with the index of the batch message at fault.
func atIndex(i int, err error) error {
	e := &core.Error{Kind: core.KindOf(err), Message: err.Error(), Err: nil}
	if ce, ok := err.(*core.Error); ok {
		c := *ce
		e = &c
		if e.Message == "" {
			e.Message = e.Kind.Error()
		}
	}
	e.Message = fmt.Sprintf("messages[%d]: %s", i, e.Message)
	return e
}
