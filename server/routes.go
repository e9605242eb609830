package server

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/plasmite-go/plasmite/core"
	"github.com/plasmite-go/plasmite/core/jsonfmt"
	"github.com/plasmite-go/plasmite/core/lite3"
	"github.com/plasmite-go/plasmite/wire"
)

// poolRoutes is the route table every listener shares.
func (s *Server) poolRoutes() *router {
	rt := &router{}
	rt.handle("GET", "/healthz", s.healthz)
	rt.handle("POST", "/v0/pools", s.createPool)
	rt.handle("GET", "/v0/pools", s.listPools)
	rt.handle("POST", "/v0/pools/open", s.openPool)
	rt.handle("GET", "/v0/pools/{pool}/info", s.poolInfo)
	rt.handle("DELETE", "/v0/pools/{pool}", s.deletePool)
	rt.handle("POST", "/v0/pools/{pool}/append", s.appendJSON)
	rt.handle("POST", "/v0/pools/{pool}/append_lite3", s.appendLite3)
	rt.handle("GET", "/v0/pools/{pool}/messages/{seq}", s.getMessage)
	rt.handle("GET", "/v0/pools/{pool}/messages/{seq}/lite3", s.getLite3)
	rt.handle("GET", "/v0/pools/{pool}/tail", s.tailHandler(encJSONL))
	rt.handle("GET", "/v0/pools/{pool}/tail_lite3", s.tailHandler(encLite3))
	rt.handle("GET", "/v0/ui/pools", s.uiListPools)
	rt.handle("GET", "/v0/ui/pools/stream", s.uiPoolStream)
	rt.handle("GET", "/v0/ui/pools/{pool}/info", s.poolInfo)
	rt.handle("GET", "/v0/ui/pools/{pool}/events", s.tailHandler(encSSE))
	rt.handle("GET", "/v0/browser/session", s.browserSession)
	return rt
}

var (
	errStorageBusy = &core.Error{Kind: core.Busy, Message: "server storage executor is saturated",
		Hint: "Retry after an in-flight storage request completes."}
	errLite3Type  = usage("invalid content-type for lite3 append")
	errLite3Empty = usage("lite3 payload is required")
	errSmallPool  = &core.Error{Kind: core.Usage, Message: "file_size must exceed header and index size", Hint: "Choose a file size greater than 4096 bytes."}
)

// storage runs op under the storage admission limit: when every permit is
// taken it fails at once with Busy (423), as 1.2.1 does; nothing queues.
func (s *Server) storage(op func() error) error {
	if !s.storageSem.tryAcquire() {
		return errStorageBusy
	}
	defer s.storageSem.release()
	return op()
}

// outBufs recycles response buffers.
var outBufs = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

func getOut() *[]byte { return outBufs.Get().(*[]byte) }

func putOut(bp *[]byte, b []byte) {
	if cap(b) <= 1<<20 {
		*bp = b[:0]
		outBufs.Put(bp)
	}
}

// answerMessage sends {"message":…} with the envelope render appends to
// out, or render's error.
func answerMessage(w http.ResponseWriter, render func(out []byte) ([]byte, error)) {
	bp := getOut()
	out, err := render(append((*bp)[:0], `{"message":`...))
	if err != nil {
		putOut(bp, out)
		fail(w, err)
		return
	}
	out = append(out, '}')
	writeJSON(w, out)
	putOut(bp, out)
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, []byte(`{"ok":true}`))
}

// requestPath resolves the {pool} of r.
func (s *Server) requestPath(r *http.Request) (name, path string, err error) {
	name = r.PathValue("pool")
	path, err = PoolPath(s.dir, name)
	return name, path, err
}

// writePool sends {"pool":<info>} for the pool open at e.
func writePool(w http.ResponseWriter, name string, in core.Info) {
	doc := map[string]any{"pool": wire.InfoDocument(in, name, time.Now())}
	writeJSON(w, jsonfmt.AppendValue(nil, doc, jsonfmt.Compact))
}

// withPool runs op on the open pool at path under the storage limit.
func (s *Server) withPool(path string, op func(*poolEntry) error) error {
	return s.storage(func() error {
		e, err := s.pools.acquire(path)
		if err != nil {
			return err
		}
		defer s.pools.release(e)
		return op(e)
	})
}

type poolRequest struct {
	Pool      *string `json:"pool"`
	SizeBytes *uint64 `json:"size_bytes"`
}

// readPoolRequest reads {"pool":…} (and size_bytes) and resolves the name.
func (s *Server) readPoolRequest(w http.ResponseWriter, r *http.Request) (req poolRequest, path string, err error) {
	if err = s.readJSON(w, r, &req); err != nil {
		return req, "", err
	}
	if req.Pool == nil {
		return req, "", missingField("pool")
	}
	path, err = PoolPath(s.dir, *req.Pool)
	return req, path, err
}

func (s *Server) createPool(w http.ResponseWriter, r *http.Request) {
	req, path, err := s.readPoolRequest(w, r)
	if err != nil {
		fail(w, err)
		return
	}
	size := uint64(core.DefaultPoolSize)
	if req.SizeBytes != nil {
		size = *req.SizeBytes
	}
	var in core.Info
	err = s.storage(func() (err error) {
		in, err = CreatePool(path, size)
		return err
	})
	if err != nil {
		fail(w, err)
		return
	}
	writePool(w, *req.Pool, in)
}

// CreatePool creates the pool file at path with size bytes and returns its
// info, as 1.2.1's create does: a size of 0 or one too small for the
// header and index is Usage `file_size must exceed header and index size`
// (with a hint), an absurd size (over 2^62) Usage `invalid size`, an
// existing file AlreadyExists; nothing is created on error. Usage errors
// carry no path.
func CreatePool(path string, size uint64) (core.Info, error) {
	switch {
	case size == 0: // core.Create reads 0 as its default size
		return core.Info{}, errSmallPool
	case size > 1<<62:
		return core.Info{}, &core.Error{Kind: core.Usage, Message: "invalid size", Path: path}
	}
	p, err := core.Create(path, int64(size))
	if err != nil {
		if e, ok := err.(*core.Error); ok && e.Kind == core.Usage {
			e.Path = ""
		}
		return core.Info{}, err
	}
	defer p.Close()
	return p.Info()
}

func (s *Server) openPool(w http.ResponseWriter, r *http.Request) {
	req, path, err := s.readPoolRequest(w, r)
	if err != nil {
		fail(w, err)
		return
	}
	s.infoOf(w, *req.Pool, path)
}

func (s *Server) poolInfo(w http.ResponseWriter, r *http.Request) {
	name, path, err := s.requestPath(r)
	if err != nil {
		fail(w, err)
		return
	}
	s.infoOf(w, name, path)
}

func (s *Server) infoOf(w http.ResponseWriter, name, path string) {
	var in core.Info
	err := s.withPool(path, func(e *poolEntry) (err error) {
		in, err = e.pool.Info()
		return err
	})
	if err != nil {
		fail(w, err)
		return
	}
	writePool(w, name, in)
}

func (s *Server) deletePool(w http.ResponseWriter, r *http.Request) {
	_, path, err := s.requestPath(r)
	if err != nil {
		fail(w, err)
		return
	}
	if err = s.storage(func() error { return s.DeletePool(path) }); err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, []byte(`{"ok":true}`))
}

// DeletePool deletes the pool file at path once the appends of
// AppendToPool in progress on it are done; a missing pool is NotFound `not
// found`. It takes no storage permit.
func (s *Server) DeletePool(path string) error {
	e := s.pools.lookup(path)
	if e == nil {
		return core.Delete(path)
	}
	defer s.pools.release(e)
	e.ops.Lock() // waits for the appends in progress
	defer e.ops.Unlock()
	err := core.Delete(path)
	s.pools.drop(e)
	return err
}

// appendTo runs an append on the open pool at path under the storage
// limit (AppendToPool).
func (s *Server) appendTo(path string, op func(*core.Pool) error) error {
	return s.storage(func() error { return s.AppendToPool(path, op) })
}

// UsePool runs op on the pool at path, opened once and shared with every
// request of this server (so that appends keep core's writer lease and
// tails share one waiter). A pool that does not exist is NotFound `not
// found`; other open failures are core.Open's. op may go on while the pool
// is deleted (its mapping stays valid), so it suits reads and waits; an
// append uses AppendToPool. It takes no storage permit (MCP, which uses
// it, has its own request limit).
func (s *Server) UsePool(path string, op func(*core.Pool) error) error {
	e, err := s.pools.acquire(path)
	if err != nil {
		return err
	}
	defer s.pools.release(e)
	return op(e.pool)
}

// AppendToPool is UsePool for an append: shared with other appends,
// exclusive with DeletePool, so that a delete never cuts an append short;
// a pool deleted meanwhile is NotFound `not found`.
func (s *Server) AppendToPool(path string, op func(*core.Pool) error) error {
	e, err := s.pools.acquire(path)
	if err != nil {
		return err
	}
	defer s.pools.release(e)
	e.ops.RLock()
	defer e.ops.RUnlock()
	if e.gone.Load() {
		return &core.Error{Kind: core.NotFound, Message: "not found", Path: path}
	}
	return op(e.pool)
}

type appendRequest struct {
	Data       rawJSON  `json:"data"`
	Tags       []string `json:"tags"`
	Durability *string  `json:"durability"`
}

// rawJSON is a JSON value kept as text; a JSON null is the text "null",
// an absent member stays empty.
type rawJSON []byte

func (r *rawJSON) UnmarshalJSON(b []byte) error {
	*r = append((*r)[:0], b...)
	return nil
}

// durability maps 1.2.1's durability values: "flush" flushes, anything
// else (including typos) is fast.
func durability(v string) core.Durability {
	if v == "flush" {
		return core.Flush
	}
	return core.Fast
}

func (s *Server) appendJSON(w http.ResponseWriter, r *http.Request) {
	var req appendRequest
	if err := s.readJSON(w, r, &req); err != nil {
		fail(w, err)
		return
	}
	if len(req.Data) == 0 {
		fail(w, missingField("data"))
		return
	}
	_, path, err := s.requestPath(r)
	if err != nil {
		fail(w, err)
		return
	}
	d := core.Fast
	if req.Durability != nil {
		d = durability(*req.Durability)
	}
	if req.Tags == nil {
		req.Tags = []string{}
	}
	answerMessage(w, func(out []byte) ([]byte, error) {
		err := s.appendTo(path, func(p *core.Pool) error {
			enc := getOut()
			defer putOut(enc, *enc)
			m, err := p.AppendJSONTo(*enc, req.Data, req.Tags, d)
			*enc = m.Payload
			if err != nil {
				return err
			}
			out, err = wire.AppendMessage(out, m, jsonfmt.Compact)
			return err
		})
		return out, err
	})
}

func (s *Server) appendLite3(w http.ResponseWriter, r *http.Request) {
	q, err := parseQuery(r.URL.RawQuery, queryDurability)
	if err != nil {
		fail(w, err)
		return
	}
	bp, err := readBody(w, r, s.opts.MaxBodyBytes)
	if err != nil {
		fail(w, err)
		return
	}
	defer putBody(bp)
	if ct, ok := r.Header["Content-Type"]; ok && (len(ct) == 0 || !strings.HasPrefix(ct[0], "application/x-plasmite-lite3")) {
		fail(w, errLite3Type)
		return
	}
	if len(*bp) == 0 {
		fail(w, errLite3Empty)
		return
	}
	_, path, err := s.requestPath(r)
	if err != nil {
		fail(w, err)
		return
	}
	payload := *bp
	answerMessage(w, func(out []byte) ([]byte, error) {
		err := s.appendTo(path, func(p *core.Pool) error {
			rc, err := p.AppendLite3(payload, durability(q.durability))
			if err != nil {
				return err
			}
			// The answer is rendered from the input that was validated and
			// stored, not read back from the ring (where it may be gone).
			out, err = wire.AppendMessage(out, core.Message{Seq: rc.Seq, Time: rc.Time, Payload: payload}, jsonfmt.Compact)
			return err
		})
		return out, err
	})
}

// requestSeq reads the {seq} of r (400 when it is not a u64).
func requestSeq(r *http.Request) (uint64, error) {
	v := r.PathValue("seq")
	seq, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		return 0, statusErr(http.StatusBadRequest, "invalid message seq `"+v+"`: expected an unsigned 64-bit integer")
	}
	return seq, nil
}

func (s *Server) getMessage(w http.ResponseWriter, r *http.Request) {
	seq, err := requestSeq(r)
	if err != nil {
		fail(w, err)
		return
	}
	_, path, err := s.requestPath(r)
	if err != nil {
		fail(w, err)
		return
	}
	answerMessage(w, func(out []byte) ([]byte, error) {
		err := s.withPool(path, func(e *poolEntry) error {
			buf := getOut()
			defer putOut(buf, *buf)
			m, err := e.pool.GetInto(seq, *buf)
			if err != nil {
				return err
			}
			*buf = m.Payload
			out, err = wire.AppendMessage(out, m, jsonfmt.Compact)
			if err != nil {
				err.(*core.Error).Path = path
			}
			return err
		})
		return out, err
	})
}

func (s *Server) getLite3(w http.ResponseWriter, r *http.Request) {
	seq, err := requestSeq(r)
	if err != nil {
		fail(w, err)
		return
	}
	_, path, err := s.requestPath(r)
	if err != nil {
		fail(w, err)
		return
	}
	bp := getOut()
	var payload []byte
	err = s.withPool(path, func(e *poolEntry) error {
		m, err := e.pool.GetInto(seq, *bp)
		if err != nil {
			return err
		}
		payload = m.Payload
		if err := lite3.Validate(payload); err != nil {
			return &core.Error{Kind: core.Corrupt, Message: err.Error(), Path: path, Seq: &seq}
		}
		return nil
	})
	if err != nil {
		putOut(bp, *bp)
		fail(w, err)
		return
	}
	w.Header()["Plasmite-Seq"] = []string{strconv.FormatUint(seq, 10)}
	writeBody(w, http.StatusOK, hLite3, payload)
	putOut(bp, payload)
}
