package wire

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/plasmite-go/plasmite/core"
	"github.com/plasmite-go/plasmite/internal/reftest"
)

// Helpers for the tests that pin wire documents against the bytes the
// reference release 1.2.1 prints (skipped when it is not installed, failed
// under PLASMITE_REQUIRE_REF=1, as in `make test`).

// ref runs the reference CLI and returns its stdout; a non-zero exit fails.
func ref(t *testing.T, input string, args ...string) string {
	t.Helper()
	out, errb, code := reftest.RunInput(t, []byte(input), args...)
	if code != 0 {
		t.Fatalf("reference %v: exit %d: %s", args, code, errb)
	}
	return string(out)
}

// refFails runs the reference CLI expecting a failure; it returns stderr
// (one error envelope, stderr being a pipe) and the exit status.
func refFails(t *testing.T, args ...string) (string, int) {
	t.Helper()
	_, errb, code := reftest.Run(t, args...)
	if code == 0 {
		t.Fatalf("reference %v: succeeded, want a failure", args)
	}
	return strings.TrimSuffix(string(errb), "\n"), code
}

// refData is what refPool feeds: objects with the things whose rendering
// is easy to get wrong (key order, non-ASCII and HTML characters, U+2028,
// control characters, floats and big integers, empty and nested containers).
var refData = []string{
	`{"z":1,"a":"x"}`,
	`{"s":"é ✓ <a href=\"x\">&amp;</a> \u2028 \u0001 \t","n":null,"t":true,"f":false}`,
	`{"f":1.5,"g":1e20,"h":0.1,"i":-0,"j":1e2,"k":123456789012345678,"l":-9223372036854775808,"m":2.5e-8}`,
	`{"nested":{"b":[1,[],{}],"a":{"y":[{"q":1}]}},"e":{},"arr":[]}`,
}

// refPool creates pool "p" in a new directory with the reference CLI and
// feeds it refData (the last record with tags "a" and "b c"). It returns the
// directory and the pool's path.
func refPool(t *testing.T) (dir, path string) {
	t.Helper()
	reftest.Bin(t)
	dir = t.TempDir()
	ref(t, "", "--dir", dir, "pool", "create", "p")
	last := len(refData) - 1
	ref(t, strings.Join(refData[:last], "\n")+"\n", "--dir", dir, "feed", "p")
	ref(t, "", "--dir", dir, "feed", "p", "--tag", "a", "--tag", "b c", refData[last])
	return dir, filepath.Join(dir, "p.plasmite")
}

// openRead opens path read-only; the pool closes with the test.
func openRead(t *testing.T, path string) *core.Pool {
	t.Helper()
	p, err := core.Open(path, core.OpenOptions{ReadOnly: true, NoNotify: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// get reads seq or fails the test.
func get(t *testing.T, p *core.Pool, seq uint64) core.Message {
	t.Helper()
	m, err := p.Get(seq)
	if err != nil {
		t.Fatal(err)
	}
	return m
}
