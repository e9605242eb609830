package server

import (
	"net/http"
	"strconv"

	"github.com/plasmite-go/plasmite/core"
	"github.com/plasmite-go/plasmite/wire"
)

// Header values shared by every response (net/http never modifies them).
var (
	hVersion   = []string{"0"}
	hJSON      = []string{"application/json"}
	hJSONL     = []string{"application/jsonl"}
	hLite3     = []string{"application/x-plasmite-lite3"}
	hLite3Strm = []string{"application/x-plasmite-lite3-stream"}
	hSSE       = []string{"text/event-stream"}
	hNoCache   = []string{"no-cache, no-transform"}
	hNoStore   = []string{"no-store"}
	hKeepAlive = []string{"keep-alive"}
)

// Errors of the routing and request-reading layer (1.2.1's framework
// rejections, which here get envelopes).
var (
	errNoRoute = usageKind(core.NotFound, "no such route")
	errMethod  = usage("method not allowed for this route")
)

func usage(msg string) *core.Error { return &core.Error{Kind: core.Usage, Message: msg} }

func usageKind(k core.Kind, msg string) *core.Error { return &core.Error{Kind: k, Message: msg} }

// versioned marks a response as ours.
func versioned(w http.ResponseWriter) http.Header {
	h := w.Header()
	h["Plasmite-Version"] = hVersion
	return h
}

// writeBody sends a complete response with a known length.
func writeBody(w http.ResponseWriter, status int, contentType []string, body []byte) {
	h := versioned(w)
	h["Content-Type"] = contentType
	h["Content-Length"] = []string{strconv.Itoa(len(body))}
	w.WriteHeader(status)
	w.Write(body)
}

// writeJSON sends a 200 JSON document.
func writeJSON(w http.ResponseWriter, body []byte) { writeBody(w, http.StatusOK, hJSON, body) }

// writeError sends err's HTTP error envelope with status, or with its
// kind's status (wire.HTTPStatus) when status is 0.
func writeError(w http.ResponseWriter, err error, status int) {
	e := wire.ErrorOf(err)
	if status == 0 {
		status = wire.HTTPStatus(e.Kind)
	}
	writeBody(w, status, hJSON, wire.AppendError(nil, e, wire.HTTPForm))
}
