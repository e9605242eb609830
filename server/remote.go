package server

import (
	"context"
	"net/http"
	"strings"

	"github.com/plasmite-go/plasmite/core"
)

// Authorizer checks the bearer secret of a request to the HTTPS listener
// (the text after "Bearer "). ok is false for a secret that grants
// nothing; otherwise revoked is a context that ends when the grant is
// withdrawn, and with it every request and stream the secret authorised.
type Authorizer func(secret string) (revoked context.Context, ok bool)

// RemoteOptions configure RemoteHandler.
type RemoteOptions struct {
	// Authorize checks access keys (required).
	Authorize Authorizer
	// MCP answers POST /mcp on this listener (the MCP package's remote
	// handler); nil answers 404.
	MCP http.HandlerFunc
}

// Answers of the HTTPS listener's guard, worded as 1.2.1's.
var (
	errMissingKey    = &core.Error{Kind: core.Permission, Message: "missing access key"}
	errInvalidKey    = &core.Error{Kind: core.Permission, Message: "invalid access key"}
	errSessionEnded  = &core.Error{Kind: core.Permission, Message: "browser session ended"}
	errLocalOnly     = &core.Error{Kind: core.Permission, Message: "access administration is local only"}
	errActivityLocal = &core.Error{Kind: core.Permission, Message: "pool activity requires local administration"}
	errNoBrowser     = &core.Error{Kind: core.Permission, Message: "browser key login is not available on this server",
		Hint: "Use the local listener's web UI on the server machine, or a CLI with `plasmite access connect`."}
)

// RemoteHandler returns the HTTPS listener's handler: the pool routes of
// the local listener behind access-key authorization, which is decided
// from the headers alone, before any of the body is read (a request
// without a valid key gets its 401 and the connection is closed, its body
// unread); the administration routes answer that they are local only. A
// request authorised by a key ends (streams included) the moment the key
// is revoked.
func (s *Server) RemoteHandler(o RemoteOptions) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path := r.URL.EscapedPath()
		switch {
		case needsKey(path) || path == "/v0/access/check":
			revoked, err := authorize(r, o.Authorize)
			if err != nil {
				refuse(w, r, err, http.StatusUnauthorized)
				return
			}
			ctx, cancel := context.WithCancel(r.Context())
			defer cancel()
			defer context.AfterFunc(revoked, cancel)()
			if path == "/v0/access/check" {
				if r.Method != http.MethodGet && r.Method != http.MethodHead {
					writeError(w, errMethod, http.StatusMethodNotAllowed)
					return
				}
				writeJSON(w, []byte(`{"accepted":true}`))
				return
			}
			s.routes.ServeHTTP(w, r.WithContext(ctx))
		case strings.HasPrefix(path, "/v0/access/"):
			refuse(w, r, errLocalOnly, http.StatusUnauthorized)
		case path == "/access" || path == "/v0/serve/status":
			w.Header().Set("Content-Length", "0")
			w.WriteHeader(http.StatusNotFound)
		case path == "/v0/ui/activity":
			refuse(w, r, errActivityLocal, http.StatusForbidden)
		case path == "/v0/browser/session":
			browserSessionRemote(w, r)
		case path == "/mcp" && r.Method == http.MethodPost:
			if o.MCP == nil {
				writeError(w, errNoRoute, http.StatusNotFound)
				return
			}
			o.MCP(w, r)
		default:
			s.routes.ServeHTTP(w, r)
		}
	})
}

// needsKey reports whether path is a pool route (data of the directory).
func needsKey(path string) bool {
	for _, p := range []string{"/v0/pools", "/v0/ui/pools"} {
		if path == p || strings.HasPrefix(path, p+"/") {
			return true
		}
	}
	return false
}

// authorize checks r's credentials: a browser session cookie without an
// Authorization header names a session (this server keeps none), else
// the header must be exactly "Bearer <secret>" with a secret auth grants.
func authorize(r *http.Request, auth Authorizer) (context.Context, error) {
	h, present := r.Header["Authorization"]
	if !present {
		if c, err := r.Cookie("plasmite_session"); err == nil && isHex64(c.Value) {
			return nil, errSessionEnded
		}
		return nil, errMissingKey
	}
	secret, ok := strings.CutPrefix(h[0], "Bearer ")
	if len(h) != 1 || !ok || !isHex64(secret) {
		return nil, errInvalidKey
	}
	revoked, ok := auth(secret)
	if !ok {
		return nil, errInvalidKey
	}
	return revoked, nil
}

func isHex64(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// refuse answers err without reading the request's body: on HTTP/1 the
// connection is closed after the answer, so nothing more of the body is
// read.
func refuse(w http.ResponseWriter, r *http.Request, err error, status int) {
	if r.ProtoMajor == 1 && r.ContentLength != 0 {
		w.Header().Set("Connection", "close")
	}
	writeError(w, err, status)
}

// browserSessionRemote answers /v0/browser/session on the HTTPS listener:
// this server issues no browser sessions, so there is never one to report,
// and logging out clears the cookie.
func browserSessionRemote(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		writeError(w, errSessionEnded, http.StatusUnauthorized)
	case http.MethodDelete:
		w.Header().Set("Set-Cookie", "plasmite_session=; Path=/v0; Max-Age=0; Secure; HttpOnly; SameSite=Strict")
		w.Header().Set("Cache-Control", "no-store")
		writeJSON(w, []byte(`{"authenticated":false}`))
	case http.MethodPost:
		refuse(w, r, errNoBrowser, http.StatusUnauthorized)
	default:
		w.Header().Set("Allow", "GET,HEAD,POST,DELETE")
		writeError(w, errMethod, http.StatusMethodNotAllowed)
	}
}
