package server

import (
	"net/http"
	"net/url"
	"strings"
)

// router matches a request's path segment by segment against its routes,
// with no cleaning and no redirects: "/v0/pools/../x" is four segments, and
// a path that matches nothing is a 404 envelope, not a redirect. Wildcards
// match one non-empty segment, percent-decoded ("a%2Fb" is the one value
// "a/b"); literal segments are compared as sent.
type router struct {
	routes []route
}

type route struct {
	method   string
	segs     []string // literal, or "{name}"
	literals int
	h        http.HandlerFunc
}

func (rt *router) handle(method, pattern string, h http.HandlerFunc) {
	segs := strings.Split(strings.TrimPrefix(pattern, "/"), "/")
	n := 0
	for _, s := range segs {
		if !isWildcard(s) {
			n++
		}
	}
	rt.routes = append(rt.routes, route{method: method, segs: segs, literals: n, h: h})
}

func isWildcard(seg string) bool {
	return len(seg) > 2 && seg[0] == '{' && seg[len(seg)-1] == '}'
}

// match reports whether segs fits r's pattern.
func (r *route) match(segs []string) bool {
	if len(segs) != len(r.segs) {
		return false
	}
	for i, s := range r.segs {
		if isWildcard(s) {
			if segs[i] == "" {
				return false
			}
		} else if s != segs[i] {
			return false
		}
	}
	return true
}

func (rt *router) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := r.URL.EscapedPath()
	if !strings.HasPrefix(path, "/") {
		writeError(w, errNoRoute, http.StatusNotFound)
		return
	}
	segs := strings.Split(path[1:], "/")
	method := r.Method
	if method == http.MethodHead {
		method = http.MethodGet
	}
	var best *route
	var allow []string
	for i := range rt.routes {
		rr := &rt.routes[i]
		if !rr.match(segs) {
			continue
		}
		if rr.method == method {
			if best == nil || rr.literals > best.literals {
				best = rr
			}
			continue
		}
		allow = appendMethod(allow, rr.method)
	}
	if best == nil {
		if allow == nil {
			writeError(w, errNoRoute, http.StatusNotFound)
			return
		}
		w.Header().Set("Allow", strings.Join(allow, ","))
		writeError(w, errMethod, http.StatusMethodNotAllowed)
		return
	}
	for i, s := range best.segs {
		if isWildcard(s) {
			v, err := url.PathUnescape(segs[i])
			if err != nil {
				writeError(w, usage("invalid percent-encoding in the request path"), http.StatusBadRequest)
				return
			}
			r.SetPathValue(s[1:len(s)-1], v)
		}
	}
	best.h(w, r)
}

// appendMethod adds m (and HEAD after GET) to an Allow list once.
func appendMethod(allow []string, m string) []string {
	for _, a := range allow {
		if a == m {
			return allow
		}
	}
	allow = append(allow, m)
	if m == http.MethodGet {
		allow = append(allow, http.MethodHead)
	}
	return allow
}
