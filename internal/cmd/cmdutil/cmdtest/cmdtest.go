// Package cmdtest runs commands in-process for tests: an Env over
// in-memory streams and a scratch pool directory.
package cmdtest

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plasmite-go/plasmite/core"
	"github.com/plasmite-go/plasmite/core/jsonfmt"
	"github.com/plasmite-go/plasmite/internal/cmd/cmdutil"
	"github.com/plasmite-go/plasmite/wire"
)

// IO is an Env whose stdin is a string and whose stdout and stderr are
// buffers, none of them a terminal, with a fresh pool directory.
type IO struct {
	Env            *cmdutil.Env
	Stdout, Stderr *bytes.Buffer
}

// New returns an IO reading stdin; the pool directory is removed with t.
func New(t testing.TB, stdin string) *IO {
	t.Helper()
	io := &IO{Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}}
	io.Env = &cmdutil.Env{
		Stdin:  strings.NewReader(stdin),
		Stdout: cmdutil.NewStream(io.Stdout, false),
		Stderr: cmdutil.NewStream(io.Stderr, false),
		Color:  "auto",
		Dir:    filepath.Join(t.TempDir(), "pools"),
	}
	return io
}

// Terminal makes stdout, stderr and stdin terminals (or not) as given.
func (io *IO) Terminal(stdout, stderr, stdin bool) *IO {
	io.Env.Stdout = cmdutil.NewStream(io.Stdout, stdout)
	io.Env.Stderr = cmdutil.NewStream(io.Stderr, stderr)
	io.Env.StdinTTY = stdin
	return io
}

// Pool creates pool name (1 MiB) in the pool directory and appends the
// JSON objects given; the pool closes with t.
func (io *IO) Pool(t testing.TB, name string, data ...string) *core.Pool {
	t.Helper()
	p, err := core.Create(core.ResolveRef(io.Env.Dir, name), 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	for _, d := range data {
		if _, err := p.AppendJSON([]byte(d), nil, core.Fast); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

// Lines is stdout split into lines (without their newlines).
func (io *IO) Lines() []string {
	s := strings.TrimSuffix(io.Stdout.String(), "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// Envelopes renders messages seqs of p (every retained one when none is
// given) as compact envelopes, the way receipts and follow print them.
func Envelopes(t testing.TB, p *core.Pool, seqs ...uint64) []string {
	t.Helper()
	if len(seqs) == 0 {
		for b, seq := p.Bounds(), p.Bounds().Oldest; seq != 0 && seq <= b.Newest; seq++ {
			seqs = append(seqs, seq)
		}
	}
	var out []string
	for _, seq := range seqs {
		m, err := p.Get(seq)
		if err != nil {
			t.Fatal(err)
		}
		b, err := wire.AppendMessage(nil, m, jsonfmt.Compact)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, string(b))
	}
	return out
}
