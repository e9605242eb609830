package remote

import (
	"errors"
	"testing"

	"github.com/plasmite-go/plasmite/core"
)

func TestParseOrigin(t *testing.T) {
	for in, want := range map[string]string{
		"http://127.0.0.1:9700":    "http://127.0.0.1:9700/",
		"http://127.0.0.1:9700/":   "http://127.0.0.1:9700/",
		"HTTP://LocalHost:9700":    "http://localhost:9700/",
		"http://127.1:9700":        "http://127.0.0.1:9700/",
		"http://0x7f.0.0.1":        "http://127.0.0.1/",
		"http://2130706433:1":      "http://127.0.0.1:1/",
		"http://[::1]:9700":        "http://[::1]:9700/",
		"http://[0:0::1]":          "http://[::1]/",
		"http://127.0.0.1:80":      "http://127.0.0.1/",
		"https://example.com:443/": "https://example.com/",
		"https://Example.COM:8443": "https://example.com:8443/",
		"  http://localhost:1  ":   "http://localhost:1/",
		"http://localhost:0009":    "http://localhost:9/",
		"http:localhost:5":         "http://localhost:5/",
	} {
		got, err := ParseOrigin(in)
		if err != nil || got != want {
			t.Errorf("ParseOrigin(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for in, msg := range map[string]string{
		"":                           "invalid remote base url",
		"localhost":                  "invalid remote base url",
		"http://":                    "invalid remote base url",
		"http://127.0.0.1:99999":     "invalid remote base url",
		"http://256.0.0.1":           "invalid remote base url",
		"http://[::1":                "invalid remote base url",
		"http://a b":                 "invalid remote base url",
		"ftp://127.0.0.1":            "remote base url must use http or https scheme",
		"localhost:9700":             "remote base url must use http or https scheme",
		"http://u:p@127.0.0.1":       "remote base url must not contain credentials",
		"http://127.0.0.1/?x":        "remote base url must not contain a query or fragment",
		"http://127.0.0.1/#x":        "remote base url must not contain a query or fragment",
		"http://10.0.0.1:9700":       "remote HTTP is allowed only for the local machine",
		"http://localhost.:9700":     "remote HTTP is allowed only for the local machine",
		"http://example.com":         "remote HTTP is allowed only for the local machine",
		"http://[::ffff:127.0.0.1]/": "remote HTTP is allowed only for the local machine",
		"http://127.0.0.1/x":         "remote base url must not include a path",
		"https://h/v0":               "remote base url must not include a path",
	} {
		_, err := ParseOrigin(in)
		var e *core.Error
		if !errors.As(err, &e) || e.Kind != core.Usage || e.Message != msg {
			t.Errorf("ParseOrigin(%q): %v; want Usage %q", in, err, msg)
		}
	}
}

func TestParseRef(t *testing.T) {
	for in, want := range map[string][2]string{
		"http://127.0.0.1:9700/demo":    {"http://127.0.0.1:9700/", "demo"},
		"http://localhost:9700/a b":     {"http://localhost:9700/", "a%20b"},
		"http://localhost:9700/a%20b":   {"http://localhost:9700/", "a%20b"},
		"http://127.1:9700/./demo":      {"http://127.0.0.1:9700/", "demo"},
		"http://[::1]:1/x.y":            {"http://[::1]:1/", "x.y"},
		"https://example.com/demo":      {"https://example.com/", "demo"},
		"http://localhost:1/é":          {"http://localhost:1/", "%C3%A9"},
		"http://localhost:1/x/../other": {"http://localhost:1/", "other"},
	} {
		o, p, err := ParseRef(in)
		if err != nil || o != want[0] || p != want[1] {
			t.Errorf("ParseRef(%q) = %q %q %v; want %q", in, o, p, err, want)
		}
	}
	// The origin's own rules are New's.
	for in, msg := range map[string]string{
		"http://10.1.2.3:9700/demo":    "remote HTTP is allowed only for the local machine",
		"http://u@127.0.0.1:9700/demo": "remote base url must not contain credentials",
	} {
		o, _, err := ParseRef(in)
		if err != nil {
			t.Fatalf("ParseRef(%q): %v", in, err)
		}
		_, err = New(o, Options{})
		var e *core.Error
		if !errors.As(err, &e) || e.Kind != core.Usage || e.Message != msg {
			t.Errorf("New(%q): %v; want Usage %q", o, err, msg)
		}
	}
	shape := "remote pool ref must use shorthand http(s)://host:port/<pool>"
	for in, msg := range map[string]string{
		"http://127.0.0.1:9700":            shape,
		"http://127.0.0.1:9700/":           shape,
		"http://127.0.0.1:9700/demo/":      shape,
		"http://127.0.0.1:9700/pools/x":    shape,
		"http://127.0.0.1:9700/v0/pools/x": shape,
		"http://127.0.0.1:9700/pool":       shape,
		`http://127.0.0.1:9700/a\b`:        shape,
		"http://127.0.0.1:9700/a%2fb":      "remote pool name must not contain path separators",
		"http://127.0.0.1:9700/a%2Fb":      "remote pool name must not contain path separators",
		"http://127.0.0.1:9700/demo?x=1":   "remote pool ref must not include query or fragment",
		"http://127.0.0.1:9700/demo#f":     "remote pool ref must not include query or fragment",
		"http://:9700/demo":                "invalid remote pool ref",
	} {
		_, _, err := ParseRef(in)
		var e *core.Error
		if !errors.As(err, &e) || e.Kind != core.Usage || e.Message != msg {
			t.Errorf("ParseRef(%q): %v; want Usage %q", in, err, msg)
		}
	}
}

// A pool name goes into request paths with the reference's escapes: "%"
// itself is escaped, so a name is always taken literally.
func TestPoolPathEscapes(t *testing.T) {
	c, err := New("http://127.0.0.1:1", Options{})
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{
		"demo":     "v0/pools/demo/",
		"a b":      "v0/pools/a%20b/",
		"a%20b":    "v0/pools/a%2520b/",
		"q?#{}`\\": "v0/pools/q%3F%23%7B%7D%60%5C/",
		"é":        "v0/pools/%C3%A9/",
		"x.y-z_~!": "v0/pools/x.y-z_~!/",
	} {
		p, err := c.Pool(name)
		if err != nil || p.base != want {
			t.Errorf("Pool(%q).base = %q %v, want %q", name, p.base, err, want)
		}
	}
	for _, bad := range []string{"", "a/b"} {
		if _, err := c.Pool(bad); core.KindOf(err) != core.Usage {
			t.Errorf("Pool(%q): %v, want Usage", bad, err)
		}
	}
}
