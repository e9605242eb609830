package remote

import (
	"net/netip"
	"strconv"
	"strings"

	"github.com/plasmite-go/plasmite/core"
)

// The URL grammar is the WHATWG URL standard's for the special schemes http
// and https (what the reference's url crate implements), reduced to what an
// origin and a pool shorthand need: surrounding spaces and controls are
// trimmed and tabs and newlines dropped; "\" separates path segments like
// "/"; hosts are lower-cased, and numeric IPv4 hosts in any of the
// standard's forms ("127.1", "0x7f.0.0.1") are written in dotted decimal;
// default ports are dropped; path segments keep their percent-escapes and
// get the standard's path escapes.

// parsedURL is an http(s) URL split into what the client needs.
type parsedURL struct {
	scheme   string // "http" or "https"
	host     string // normalized; IPv6 in brackets
	addr     netip.Addr
	isIP     bool
	port     string // "" for the scheme's default
	userinfo bool
	segments []string // path segments as escaped text ("" for a trailing "/")
	query    bool     // a "?" was present
	fragment bool     // a "#" was present
}

// origin is the normalized origin, with a trailing slash.
func (u *parsedURL) origin() string {
	s := u.scheme + "://" + u.host
	if u.port != "" {
		s += ":" + u.port
	}
	return s + "/"
}

// loopback reports whether the host is the local machine: localhost (any
// case), 127.0.0.0/8 or ::1.
func (u *parsedURL) loopback() bool {
	if !u.isIP {
		return u.host == "localhost"
	}
	if u.addr.Is4() {
		return u.addr.As4()[0] == 127
	}
	return u.addr == netip.IPv6Loopback()
}

// errURL is a reason a text is not an http(s) URL.
type errURL string

func (e errURL) Error() string { return string(e) }

// parseURL parses an absolute http(s) URL.
func parseURL(raw string) (*parsedURL, error) {
	s := strings.TrimFunc(raw, func(r rune) bool { return r <= ' ' })
	if strings.ContainsAny(s, "\t\n\r") {
		s = strings.NewReplacer("\t", "", "\n", "", "\r", "").Replace(s)
	}
	colon := strings.IndexByte(s, ':')
	if colon <= 0 {
		return nil, errURL("relative URL without a base")
	}
	u := &parsedURL{scheme: strings.ToLower(s[:colon])}
	if u.scheme != "http" && u.scheme != "https" {
		return nil, errURL("scheme is not http or https")
	}
	rest := strings.TrimLeft(s[colon+1:], `/\`)
	if i := strings.IndexByte(rest, '#'); i >= 0 {
		u.fragment = true
		rest = rest[:i]
	}
	if i := strings.IndexByte(rest, '?'); i >= 0 {
		u.query = true
		rest = rest[:i]
	}
	auth, path := rest, ""
	if i := strings.IndexAny(rest, `/\`); i >= 0 {
		auth, path = rest[:i], rest[i:]
	}
	if i := strings.LastIndexByte(auth, '@'); i >= 0 {
		u.userinfo = i > 0
		auth = auth[i+1:]
	}
	hostText := auth
	if i := strings.LastIndexByte(auth, ':'); i >= 0 && !strings.Contains(auth[i:], "]") {
		hostText = auth[:i]
		port := auth[i+1:]
		if port != "" {
			n, err := strconv.ParseUint(port, 10, 16)
			if err != nil || strings.TrimLeft(port, "0123456789") != "" {
				return nil, errURL("invalid port number")
			}
			if !(u.scheme == "http" && n == 80) && !(u.scheme == "https" && n == 443) {
				u.port = strconv.FormatUint(n, 10)
			}
		}
	}
	if err := u.setHost(hostText); err != nil {
		return nil, err
	}
	u.segments = pathSegments(path)
	return u, nil
}

// setHost parses and normalizes the host.
func (u *parsedURL) setHost(h string) error {
	if h == "" {
		return errURL("empty host")
	}
	if h[0] == '[' {
		if h[len(h)-1] != ']' {
			return errURL("invalid IPv6 address")
		}
		a, err := netip.ParseAddr(h[1 : len(h)-1])
		if err != nil || !a.Is6() || a.Zone() != "" {
			return errURL("invalid IPv6 address")
		}
		u.addr, u.isIP, u.host = a, true, "["+a.String()+"]"
		return nil
	}
	h = unescape(h)
	for i := 0; i < len(h); i++ {
		c := h[i]
		if c <= ' ' || c == 0x7f || strings.IndexByte("#%/:<>?@[\\]^|", c) >= 0 {
			return errURL("invalid domain character")
		}
	}
	h = strings.ToLower(h)
	if endsInNumber(h) {
		a, ok := parseIPv4(h)
		if !ok {
			return errURL("invalid IPv4 address")
		}
		u.addr, u.isIP, u.host = a, true, a.String()
		return nil
	}
	u.host = h
	return nil
}

// unescape decodes %XX escapes (the host's percent-decoding).
func unescape(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && ishex(s[i+1]) && ishex(s[i+2]) {
			v, _ := strconv.ParseUint(s[i+1:i+3], 16, 8)
			b.WriteByte(byte(v))
			i += 2
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func ishex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// endsInNumber is the standard's test for a host to be parsed as IPv4: its
// last label (ignoring one trailing dot) is decimal digits or 0x-hex.
func endsInNumber(h string) bool {
	labels := strings.Split(h, ".")
	if labels[len(labels)-1] == "" && len(labels) > 1 {
		labels = labels[:len(labels)-1]
	}
	last := labels[len(labels)-1]
	if last != "" && strings.Trim(last, "0123456789") == "" {
		return true
	}
	if len(last) >= 2 && last[0] == '0' && (last[1] == 'x' || last[1] == 'X') {
		return strings.TrimLeft(last[2:], "0123456789abcdefABCDEF") == ""
	}
	return false
}

// parseIPv4 is the standard's IPv4 parser: up to four dot-separated
// numbers in decimal, octal (leading 0) or hex (0x), the last filling the
// remaining bytes.
func parseIPv4(h string) (netip.Addr, bool) {
	parts := strings.Split(h, ".")
	if parts[len(parts)-1] == "" && len(parts) > 1 {
		parts = parts[:len(parts)-1]
	}
	if len(parts) > 4 {
		return netip.Addr{}, false
	}
	nums := make([]uint64, len(parts))
	for i, p := range parts {
		if p == "" {
			return netip.Addr{}, false
		}
		base := 10
		switch {
		case len(p) >= 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X'):
			p, base = p[2:], 16
		case len(p) >= 2 && p[0] == '0':
			p, base = p[1:], 8
		}
		if p == "" {
			nums[i] = 0
			continue
		}
		n, err := strconv.ParseUint(p, base, 64)
		if err != nil {
			return netip.Addr{}, false
		}
		nums[i] = n
	}
	for _, n := range nums[:len(nums)-1] {
		if n > 255 {
			return netip.Addr{}, false
		}
	}
	last := nums[len(nums)-1]
	if last >= 1<<(8*(5-len(nums))) {
		return netip.Addr{}, false
	}
	v := last
	for i, n := range nums[:len(nums)-1] {
		v += n << (8 * (3 - i))
	}
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}), true
}

// pathSegments splits an URL path (starting with "/" or "\", or empty) into
// its segments, resolving "." and ".." and escaping what the standard's
// path percent-encode set escapes. An empty path is one empty segment.
func pathSegments(path string) []string {
	if path == "" {
		return []string{""}
	}
	raw := strings.Split(strings.ReplaceAll(path[1:], `\`, "/"), "/")
	var out []string
	for i, seg := range raw {
		last := i == len(raw)-1
		switch strings.ToLower(seg) {
		case ".", "%2e":
			if last {
				out = append(out, "")
			}
			continue
		case "..", ".%2e", "%2e.", "%2e%2e":
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
			if last {
				out = append(out, "")
			}
			continue
		}
		out = append(out, escapeWith(seg, pathEscaped))
	}
	if len(out) == 0 {
		out = []string{""}
	}
	return out
}

// pathEscaped is the standard's path percent-encode set (controls, space,
// " # < > ? ` { }, and every non-ASCII byte).
func pathEscaped(c byte) bool {
	return c < 0x20 || c >= 0x7f || strings.IndexByte(" \"#<>?`{}", c) >= 0
}

// segmentEscaped is the set the reference escapes when it puts a pool name
// into a request path: the path set plus "/", "%" and "\".
func segmentEscaped(c byte) bool {
	return pathEscaped(c) || c == '/' || c == '%' || c == '\\'
}

// escapeWith percent-encodes the bytes of s that need it.
func escapeWith(s string, need func(byte) bool) string {
	n := 0
	for i := 0; i < len(s); i++ {
		if need(s[i]) {
			n++
		}
	}
	if n == 0 {
		return s
	}
	const hex = "0123456789ABCDEF"
	b := make([]byte, 0, len(s)+2*n)
	for i := 0; i < len(s); i++ {
		if c := s[i]; need(c) {
			b = append(b, '%', hex[c>>4], hex[c&15])
		} else {
			b = append(b, c)
		}
	}
	return string(b)
}

// usageHint is a Usage error with a hint.
func usageHint(msg, hint string) *core.Error {
	return &core.Error{Kind: core.Usage, Message: msg, Hint: hint}
}

// ParseOrigin checks an API origin, http(s)://host[:port] with an optional
// "/" (what New and `pool list` take), and returns it normalized with a
// trailing slash ("http://127.0.0.1:9700/"). Errors are Usage, worded as
// the reference's: "invalid remote base url", "remote base url must use
// http or https scheme", "… must not contain credentials", "… must not
// contain a query or fragment", "remote HTTP is allowed only for the local
// machine", "remote base url must not include a path".
func ParseOrigin(origin string) (string, error) {
	u, err := parseOrigin(origin)
	if err != nil {
		return "", err
	}
	return u.origin(), nil
}

func parseOrigin(origin string) (*parsedURL, error) {
	if i := strings.Index(origin, ":"); i > 0 {
		if s := strings.ToLower(strings.TrimLeft(origin[:i], " ")); s != "http" && s != "https" && isScheme(s) {
			return nil, &core.Error{Kind: core.Usage, Message: "remote base url must use http or https scheme"}
		}
	}
	u, err := parseURL(origin)
	if err != nil {
		return nil, &core.Error{Kind: core.Usage, Message: "invalid remote base url", Err: err}
	}
	switch {
	case u.userinfo:
		return nil, &core.Error{Kind: core.Usage, Message: "remote base url must not contain credentials"}
	case u.query || u.fragment:
		return nil, &core.Error{Kind: core.Usage, Message: "remote base url must not contain a query or fragment"}
	case u.scheme == "http" && !u.loopback():
		return nil, usageHint("remote HTTP is allowed only for the local machine", "Use HTTPS for a server on another machine.")
	case len(u.segments) != 1 || u.segments[0] != "":
		return nil, &core.Error{Kind: core.Usage, Message: "remote base url must not include a path"}
	}
	return u, nil
}

// isScheme reports whether s is a syntactically valid URL scheme.
func isScheme(s string) bool {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	return strings.TrimLeft(s, "abcdefghijklmnopqrstuvwxyz0123456789+-.") == ""
}

// ParseRef splits the CLI's remote pool shorthand http(s)://host[:port]/POOL
// into the server's origin and the pool name (the path segment as
// written, percent-escapes kept, as the reference keeps them). Only the
// shorthand's shape is checked here, with the reference's wording and
// hints (Usage); the origin (loopback, credentials) is checked by New, as
// the reference checks it when it makes its client.
func ParseRef(ref string) (origin, pool string, err error) {
	const shorthand = "Use shorthand: http(s)://host:port/<pool>."
	u, perr := parseURL(ref)
	if perr != nil {
		return "", "", &core.Error{Kind: core.Usage, Message: "invalid remote pool ref", Hint: shorthand, Err: perr}
	}
	if u.query || u.fragment {
		return "", "", usageHint("remote pool ref must not include query or fragment", shorthand)
	}
	for _, s := range u.segments {
		if strings.Contains(strings.ToLower(s), "%2f") {
			return "", "", usageHint("remote pool name must not contain path separators", "Use a single pool segment: http(s)://host:port/<pool>.")
		}
	}
	if len(u.segments) != 1 || u.segments[0] == "" || u.segments[0] == "pool" {
		return "", "", usageHint("remote pool ref must use shorthand http(s)://host:port/<pool>", "API-shaped URLs are not accepted as pool refs.")
	}
	a := u.host
	if u.port != "" {
		a += ":" + u.port
	}
	if u.userinfo {
		a = "user@" + a // kept so that New refuses the credentials
	}
	return u.scheme + "://" + a + "/", u.segments[0], nil
}
