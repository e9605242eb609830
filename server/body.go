package server

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/plasmite-go/plasmite/core"
)

// bodyReadTimeout bounds how long a client may take to send a body.
const bodyReadTimeout = 30 * time.Second

// errTooLarge is the 413 of the body limit.
var errTooLarge = usage("request body exceeds the server's --max-body-bytes limit")

// httpError is an error with the status it is answered with (the request
// layer's 400, 413, 415 and 422, which have no kind status of their own).
type httpError struct {
	status int
	err    *core.Error
}

func (e *httpError) Error() string { return e.err.Error() }
func (e *httpError) Unwrap() error { return e.err }

func statusErr(status int, msg string) error {
	return &httpError{status: status, err: usage(msg)}
}

// fail answers err: an *httpError with its status, anything else with its
// kind's.
func fail(w http.ResponseWriter, err error) {
	var he *httpError
	if errors.As(err, &he) {
		writeError(w, he.err, he.status)
		return
	}
	writeError(w, err, 0)
}

// bodyBufs recycles request-body buffers.
var bodyBufs = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

// readBody reads the whole request body into a pooled buffer (give it back
// with putBody), at most max bytes (413 beyond) and within
// bodyReadTimeout.
func readBody(w http.ResponseWriter, r *http.Request, max int64) (*[]byte, error) {
	if r.ContentLength > max {
		return nil, &httpError{status: http.StatusRequestEntityTooLarge, err: errTooLarge}
	}
	bp := bodyBufs.Get().(*[]byte)
	b := (*bp)[:0]
	if r.ContentLength > 0 && int64(cap(b)) < r.ContentLength {
		b = make([]byte, 0, r.ContentLength)
	}
	rc := http.NewResponseController(w)
	rc.SetReadDeadline(time.Now().Add(bodyReadTimeout))
	defer rc.SetReadDeadline(time.Time{})
	body := http.MaxBytesReader(w, r.Body, max)
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := body.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			*bp = b
			putBody(bp)
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return nil, &httpError{status: http.StatusRequestEntityTooLarge, err: errTooLarge}
			}
			return nil, statusErr(http.StatusBadRequest, "failed to read the request body: "+err.Error())
		}
	}
	*bp = b
	return bp, nil
}

// putBody recycles a buffer from readBody (huge ones are dropped).
func putBody(bp *[]byte) {
	if cap(*bp) <= 1<<20 {
		bodyBufs.Put(bp)
	}
}

// checkJSONType requires a JSON content type (application/json or
// application/*+json, parameters allowed), as 1.2.1 does (415 otherwise).
func checkJSONType(r *http.Request) error {
	ct := r.Header.Get("Content-Type")
	mt, _, err := mime.ParseMediaType(ct)
	if ct == "" || err != nil || !(mt == "application/json" || strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json")) {
		return statusErr(http.StatusUnsupportedMediaType, "Expected request with `Content-Type: application/json`")
	}
	return nil
}

// readJSON reads a JSON request body into v: 415 for another content type,
// 413 over the limit, 400 for text that is not JSON, 422 for JSON of the
// wrong shape (a field of the wrong type, or a required one missing, which
// the caller checks with required). Unknown fields are ignored.
func (s *Server) readJSON(w http.ResponseWriter, r *http.Request, v any) error {
	if err := checkJSONType(r); err != nil {
		return err
	}
	bp, err := readBody(w, r, s.opts.MaxBodyBytes)
	if err != nil {
		return err
	}
	defer putBody(bp)
	if err := json.Unmarshal(*bp, v); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) || !json.Valid(*bp) {
			return statusErr(http.StatusBadRequest, "failed to parse the request body as JSON: "+err.Error())
		}
		return statusErr(http.StatusUnprocessableEntity, "invalid request body: "+strings.TrimPrefix(err.Error(), "json: "))
	}
	return nil
}

// missingField is the 422 for a required member that is absent.
func missingField(name string) error {
	return statusErr(http.StatusUnprocessableEntity, "invalid request body: missing field `"+name+"`")
}
