package server

import (
	"io"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/plasmite-go/plasmite/core"
)

// Rejected bodies are read (at most this much, for at most this long)
// before the rejection is sent, so the client reads the answer instead of
// a connection reset.
const (
	rejectDrainBytes = 64 << 10
	rejectDrainTime  = time.Second
)

var (
	errUntrustedOrigin = &core.Error{Kind: core.Permission, Message: "untrusted local request origin"}
	errNoHost          = &core.Error{Kind: core.Permission, Message: "local request requires a Host header"}
)

// localGuard admits only requests a local program made on purpose: a Host
// naming a loopback host (localhost, 127.0.0.0/8, [::1]; any port; no
// userinfo), and no Origin or one equal to http://<Host>. That refuses DNS
// rebinding and cross-site requests from browsers (403).
func localGuard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := checkLocal(r); err != nil {
			rejectAfterBody(w, r, err, http.StatusForbidden)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// checkLocal is localGuard's test.
func checkLocal(r *http.Request) error {
	if r.Host == "" {
		return errNoHost
	}
	host, port, ok := loopbackHost(r.Host)
	if !ok {
		return errUntrustedOrigin
	}
	if origins, present := r.Header["Origin"]; present {
		if len(origins) == 0 || !sameOrigin(origins[0], host, port) {
			return errUntrustedOrigin
		}
	}
	return nil
}

// loopbackHost splits a Host header naming a loopback host into its
// normalised host ("localhost", an IPv4 address, or "[::1]") and port
// ("80" when absent).
func loopbackHost(h string) (host, port string, ok bool) {
	if strings.ContainsAny(h, "@/\\?#") {
		return "", "", false
	}
	host, port = h, ""
	if strings.HasPrefix(h, "[") {
		end := strings.IndexByte(h, ']')
		if end < 0 {
			return "", "", false
		}
		host, port = h[:end+1], h[end+1:]
		if port != "" && port[0] != ':' {
			return "", "", false
		}
		port = strings.TrimPrefix(port, ":")
	} else if i := strings.LastIndexByte(h, ':'); i >= 0 {
		host, port = h[:i], h[i+1:]
	}
	if !validPort(port) {
		return "", "", false
	}
	if port == "" {
		port = "80"
	}
	host = strings.ToLower(host)
	if host == "localhost" {
		return host, port, true
	}
	if strings.HasPrefix(host, "[") {
		a, err := netip.ParseAddr(host[1 : len(host)-1])
		if err != nil || !a.Is6() || a.Is4In6() || !a.IsLoopback() {
			return "", "", false
		}
		return "[" + a.String() + "]", port, true
	}
	a, err := netip.ParseAddr(host)
	if err != nil || !a.Is4() || !a.IsLoopback() {
		return "", "", false
	}
	return a.String(), port, true
}

// validPort accepts "" or a decimal port number.
func validPort(p string) bool {
	if len(p) > 5 {
		return false
	}
	n := 0
	for _, c := range []byte(p) {
		if c < '0' || c > '9' {
			return false
		}
		n = n*10 + int(c-'0')
	}
	return n <= 65535
}

// sameOrigin reports whether origin is http://host:port (the default port
// may be left out; scheme and host in any case).
func sameOrigin(origin, host, port string) bool {
	u, err := url.Parse(origin)
	if err != nil || !strings.EqualFold(u.Scheme, "http") || u.User != nil || u.Opaque != "" {
		return false
	}
	h, p, ok := loopbackHost(u.Host)
	return ok && h == host && p == port
}

// rejectAfterBody reads what a client sent (bounded) and answers err.
func rejectAfterBody(w http.ResponseWriter, r *http.Request, err error, status int) {
	if r.Body != nil && r.ContentLength != 0 {
		rc := http.NewResponseController(w)
		rc.SetReadDeadline(time.Now().Add(rejectDrainTime))
		io.CopyN(io.Discard, r.Body, rejectDrainBytes)
		rc.SetReadDeadline(time.Time{})
	}
	writeError(w, err, status)
}
