package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Parser errors a script can see, byte for byte as 1.2.1 prints them: an
// option-like token after an option, empty values, u32 ranges, the
// metavars, unknown --opt=value.
func TestDiffParserErrors(t *testing.T) {
	ref := refBinary(t)
	runBoth(t, ref, []step{
		{args: []string{"pool", "create", "a"}},
		{args: []string{"follow", "a", "--tail", "-1"}},
		{args: []string{"follow", "a", "--since", "-5m"}},
		{args: []string{"follow", "a", "--tail", "--one"}},
		{args: []string{"follow", "a", "--tail"}},
		{args: []string{"follow", "a", "-n"}},
		{args: []string{"pool", "create", "q", "--index-capacity", "-5"}},
		{args: []string{"pool", "create", "q", "--index-capacity", "4294967296"}},
		{args: []string{"pool", "create", "q", "--index-capacity=-5"}},
		{args: []string{"feed", "a", "--retry=-1", "{}"}},
		{args: []string{"feed", "a", "--retry", "4294967296", "{}"}},
		{args: []string{"follow", "a", "--replay"}},
		{args: []string{"follow", "a", "--replay", "x", "--tail", "1"}},
		{args: []string{"follow", "a", "--replay=", "--tail", "1"}},
		{args: []string{"follow", "a", "--where"}},
		{args: []string{"feed", "a", "--create-size"}},
		{args: []string{"tap", "a", "--create-size"}},
		{args: []string{"follow", "a", "--bogus=1"}},
		{args: []string{"--dir=", "pool", "list"}},
		{args: []string{"--color=", "version"}},
		{args: []string{"--format=", "version"}},
		{args: []string{"feed", "a", "--input-format=", "{}"}},
		{args: []string{"pool", "create", "--size", "1M"}},
	})
}

// pool create checks every name before creating any (issue 11 item 2),
// refuses size 0 (issue 12 defect 6), URLs and the empty name (defect 7);
// pool list of an unreadable directory is Io (item 3), and a listed pool's
// error names a path only where 1.2.1's does.
func TestDiffPoolCreateAndList(t *testing.T) {
	ref := refBinary(t)
	runBoth(t, ref, []step{
		{args: []string{"pool", "create", "taken"}},
		{args: []string{"pool", "create", "first", "taken"}},
		{args: []string{"pool", "create", "dup", "dup"}},
		{args: []string{"pool", "create", "x", "--size", "0"}},
		{args: []string{"feed", "x", "--create", "--create-size", "0", "{}"}},
		{args: []string{"tap", "x", "--create", "--create-size", "0", "--", "true"}},
		{args: []string{"pool", "create", "ok", "http://127.0.0.1:9/p"}},
		{args: []string{"pool", "create", "ok", "udp://127.0.0.1:9/p"}},
		{args: []string{"pool", "create", "ok", ""}},
		{args: []string{"pool", "list"}}, // only taken
		{args: []string{"doctor", "udp://127.0.0.1:9/p"}},
		{args: []string{"doctor", "http://127.0.0.1:9/p"}},
		{args: []string{"doctor", ""}},
		{args: []string{"feed", "", "{}"}},
		{args: []string{"follow", ""}},
		{args: []string{"fetch", "", "1"}},
		{args: []string{"pool", "info", ""}},
		{args: []string{"pool", "delete", ""}},
		{args: []string{"tap", "", "--", "true"}},
		{args: []string{"duplex", ""}},
	})
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"--dir", file, "pool", "list"}, {"--dir", file, "pool", "list", "--format", "pretty"}} {
		a := observe(t, runCLI(t, runOpts{}, args...), dir)
		b := observe(t, runCLI(t, runOpts{bin: ref}, args...), dir)
		if d := cmp.Diff(b, a); d != "" {
			t.Errorf("%v differs (-ref +ours):\n%s", args, d)
		}
	}
	// a listed pool with a bad header names no path, as in 1.2.1
	var outs []outcome
	for _, bin := range []string{ref, ""} {
		e := &env{t: t, dir: filepath.Join(t.TempDir(), "pools"), bin: bin}
		e.must("pool", "create", "good", "geometry")
		f, err := os.OpenFile(e.path("geometry"), os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		f.WriteAt(make([]byte, 8), 16) // file_size
		f.Close()
		outs = append(outs, observe(t, e.run("pool", "list"), e.dir))
	}
	if d := cmp.Diff(outs[0], outs[1]); d != "" {
		t.Errorf("pool list of a pool with a bad header differs (-ref +ours):\n%s", d)
	}
}
