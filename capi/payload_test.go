//go:build cgo

package main

import (
	"errors"
	"strings"
	"testing"

	"github.com/plasmite-go/plasmite/core"
)

func TestEncodeErrors(t *testing.T) {
	for _, tc := range []struct{ in, prefix string }{
		{`{`, "invalid json: "},
		{``, "invalid json: "},
		{`{"a":1,}`, "invalid json: "},
		{`[1]`, "data must be object"},
		{`"s"`, "data must be object"},
	} {
		_, err := encodeMessage(nil, []byte(tc.in), nil)
		var e *core.Error
		if !errors.As(err, &e) || e.Kind != core.Usage || !strings.HasPrefix(e.Message, tc.prefix) {
			t.Errorf("encode %q: %v, want Usage %q…", tc.in, err, tc.prefix)
		}
	}
	if err := jsonError([]byte("{\"a\":\"\xff\"}"), errors.New("x")); err.Error() != "invalid json utf-8" {
		t.Errorf("jsonError on bad UTF-8: %v", err)
	}
}
