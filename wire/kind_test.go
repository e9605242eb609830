package wire

import (
	"testing"

	"github.com/plasmite-go/plasmite/core"
)

// 1.2.1's table (remote-1.2.1.md §1.4): name, exit code, HTTP status.
func TestKindTable(t *testing.T) {
	cases := []struct {
		kind   core.Kind
		name   string
		exit   int
		status int
	}{
		{core.Internal, "Internal", 1, 500},
		{core.Usage, "Usage", 2, 400},
		{core.NotFound, "NotFound", 3, 404},
		{core.AlreadyExists, "AlreadyExists", 4, 409},
		{core.Busy, "Busy", 5, 423},
		{core.Permission, "Permission", 6, 401},
		{core.Corrupt, "Corrupt", 7, 500},
		{core.IO, "Io", 8, 500},
		{core.RetentionGap, "RetentionGap", 9, 410},
	}
	for _, c := range cases {
		if got := c.kind.String(); got != c.name {
			t.Errorf("%d: name %q, want %q", c.kind, got, c.name)
		}
		if got := ParseKind(c.name); got != c.kind {
			t.Errorf("ParseKind(%q) = %v", c.name, got)
		}
		if got := ExitCode(c.kind); got != c.exit {
			t.Errorf("%s: exit %d, want %d", c.name, got, c.exit)
		}
		if got := HTTPStatus(c.kind); got != c.status {
			t.Errorf("%s: status %d, want %d", c.name, got, c.status)
		}
	}
	for _, k := range []core.Kind{0, 10, -1} {
		if ExitCode(k) != 1 || HTTPStatus(k) != 500 {
			t.Errorf("kind %d: exit %d status %d", k, ExitCode(k), HTTPStatus(k))
		}
	}
	for _, name := range []string{"", "io", "IO", "Timeout"} {
		if got := ParseKind(name); got != core.Internal {
			t.Errorf("ParseKind(%q) = %v, want Internal", name, got)
		}
	}
}

// The reference client's mapping for error bodies that are not envelopes.
func TestKindForStatus(t *testing.T) {
	cases := map[int]core.Kind{
		400: core.Usage, 413: core.Usage, 401: core.Permission, 403: core.Permission,
		404: core.NotFound, 409: core.AlreadyExists, 423: core.Busy,
		500: core.Internal, 502: core.Internal, 503: core.Internal, 599: core.Internal,
		405: core.IO, 410: core.IO, 415: core.IO, 422: core.IO, 302: core.IO, 600: core.IO,
	}
	for status, want := range cases {
		if got := KindForStatus(status); got != want {
			t.Errorf("status %d: %v, want %v", status, got, want)
		}
	}
}
