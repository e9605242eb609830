package main

/*
#include "capi.h"
*/
import "C"

import (
	"encoding/json"
	"fmt"
	"github.com/plasmite-go/plasmite/core/jsonfmt"
	"sync"
	"time"
	"unsafe"

	"github.com/plasmite-go/plasmite/core"
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
	info, err := p.p.Info()
	if err != nil {
		return fail(outErr, err)
	}
	setBuf(outInfo, jsonfmt.AppendValue(nil, info.Document(p.ref, time.Now()), jsonfmt.Compact))
	return 0
}

// The JSON shapes below are those of `plasmite pool info --json` and
// `pool list --json`; struct fields are declared in sorted key order.

type boundsJSON struct {
	Newest *uint64 `json:"newest,omitempty"`
	Oldest *uint64 `json:"oldest,omitempty"`
}

func boundsOf(b core.Bounds) boundsJSON {
	if b.Oldest == 0 && b.Newest == 0 {
		return boundsJSON{}
	}
	o, n := b.Oldest, b.Newest
	return boundsJSON{Newest: &n, Oldest: &o}
}

type errorFields struct {
	Hint    string  `json:"hint,omitempty"`
	Kind    string  `json:"kind"`
	Message string  `json:"message"`
	Offset  *uint64 `json:"offset,omitempty"`
	Path    string  `json:"path,omitempty"`
	Seq     *uint64 `json:"seq,omitempty"`
}

func errorFieldsOf(err error) errorFields {
	f := errorFields{Kind: core.KindOf(err).String(), Message: err.Error()}
	if e, ok := err.(*core.Error); ok {
		f.Message, f.Hint, f.Path = e.Message, e.Hint, e.Path
		if f.Message == "" {
			f.Message = e.Kind.Error()
		}
		f.Seq, f.Offset = e.Seq, e.Offset
	}
	return f
}

// listEntry is a readable pool or, with Error set, one that could not be read
// (the doubled "error" nesting is the reference CLI's shape).
type listEntry struct {
	Bounds *boundsJSON `json:"bounds,omitempty"`
	Error  *struct {
		Error errorFields `json:"error"`
	} `json:"error,omitempty"`
	FileSize *int64 `json:"file_size,omitempty"`
	Mtime    any    `json:"mtime,omitempty"` // a string, or JSON null when unknown
	Name     string `json:"name"`
	Path     string `json:"path"`
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
	doc := struct {
		Pools []listEntry `json:"pools"`
	}{Pools: listPools(c.dir)}
	b, err := json.Marshal(doc)
	if err != nil {
		return fail(outErr, &core.Error{Kind: core.Internal, Message: "failed to render pool list", Err: err})
	}
	setBuf(outList, b)
	return 0
}

func listPools(dir string) []listEntry {
	entries := []listEntry{}
	pools, err := core.List(dir)
	if err != nil {
		e := listEntry{Name: "pools", Path: dir}
		e.Error = &struct {
			Error errorFields `json:"error"`
		}{errorFieldsOf(err)}
		return append(entries, e)
	}
	for _, pe := range pools {
		e := listEntry{Name: pe.Name, Path: pe.Path}
		if pe.Err != nil {
			e.Error = &struct {
				Error errorFields `json:"error"`
			}{errorFieldsOf(pe.Err)}
		} else {
			b := boundsOf(pe.Info.Bounds)
			size := int64(pe.Info.FileSize)
			e.Bounds, e.FileSize = &b, &size
			e.Mtime = json.RawMessage("null")
			if !pe.ModTime.IsZero() {
				e.Mtime = string(jsonfmt.AppendRFC3339(nil, pe.ModTime.UnixNano()))
			}
		}
		entries = append(entries, e)
	}
	return entries
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
