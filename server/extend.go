package server

import (
	"context"
	"encoding/json"
	"net/http"
)

// What handlers of other packages (MCP, added with Handle) share with the
// server's own routes: its limits, its tail permits, its shutdown, and its
// way of reading bodies and answering errors. Pool access is UsePool,
// AppendToPool, DeletePool, CreatePool, ListPools and PoolPath.

// Limits returns the server's limits, defaults filled in.
func (s *Server) Limits() Options { return s.opts }

// TryTailPermit takes one of the permits every stream of this server
// holds (--max-tail-concurrency of them); ok is false at once when none is
// free. Call release exactly once when done.
func (s *Server) TryTailPermit() (release func(), ok bool) {
	if !s.tails.tryAcquire() {
		return nil, false
	}
	return s.tails.release, true
}

// Stopping returns a context that is done once Close is called (the
// server is shutting down): long waits should end then, as streams do.
func (s *Server) Stopping() context.Context { return s.stopping }

// ReadJSONBody reads r's body as one JSON text, as the server's own routes
// read theirs: a content type other than JSON is refused (415), a body over
// --max-body-bytes too (413), and text that is not JSON is 400. Answer its
// error with WriteError(w, err, 0).
func (s *Server) ReadJSONBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	if err := checkJSONType(r); err != nil {
		return nil, err
	}
	bp, err := readBody(w, r, s.opts.MaxBodyBytes)
	if err != nil {
		return nil, err
	}
	defer putBody(bp)
	if !json.Valid(*bp) {
		var v any
		return nil, statusErr(http.StatusBadRequest, "failed to parse the request body as JSON: "+json.Unmarshal(*bp, &v).Error())
	}
	return append([]byte(nil), *bp...), nil
}

// WriteError answers err with the error envelope and plasmite-version:
// with status when it is not 0, else with the status of the request layer
// (ReadJSONBody's 413, 415, 400) or of err's kind.
func WriteError(w http.ResponseWriter, err error, status int) {
	if status != 0 {
		writeError(w, err, status)
		return
	}
	fail(w, err)
}
