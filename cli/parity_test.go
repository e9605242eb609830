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

// YAML input (issue 11 item 6): marked documents detected, --input-format
// yaml, the framing errors, and every scalar resolved as 1.2.1 resolves it
// (what becomes a number, a string, null or an error), stored as JSON input
// of the same digits would be. The causes are the parsers' own words.
func TestDiffYAMLInput(t *testing.T) {
	ref := refBinary(t)
	steps := []step{{args: []string{"pool", "create", "y"}}}
	steps = append(steps, yamlSteps...)
	steps = append(steps,
		step{args: []string{"feed", "y", "a: 1", "--input-format", "yaml"}},
		step{args: []string{"feed", "y", "---\nb: 2\n...\n"}},
		step{args: []string{"feed", "y", "a: 1"}},
		step{args: []string{"fetch", "y", "1", "--format", "yaml"}},
		step{args: []string{"follow", "y", "--tail", "3", "--no-follow", "--format", "yaml"}},
	)
	runBoth(t, ref, steps)
}

var yamlSteps = []step{
	{args: []string{"feed", "y"}, stdin: "---\nv: 1\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\nv: -1\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\nv: +1\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\nv: 0x1F\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\nv: 0o17\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\nv: 017\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\nv: 0b11\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\nv: 1_000\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\nv: 1.5\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\nv: 1e3\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\nv: 1E3\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\nv: 1.0\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\nv: .5\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\nv: -.5\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\nv: .inf\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\nv: .nan\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\nv: ~\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\nv: null\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\nv: Null\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\nv: NULL\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\nv: true\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\nv: True\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\nv: TRUE\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\nv: yes\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\nv: no\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\nv: on\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\nv: y\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\nv: '1'\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\nv: \"2\"\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\nv: 18446744073709551615\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\nv: 18446744073709551616\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\nv: -9223372036854775808\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\nv: -9223372036854775809\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\nv: 123456789012345678901234567890\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\nv: 0.1\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\nv: 1.7976931348623157e308\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\nv: 1e400\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\nv: 3.0e-5\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\nv: 2001-12-14\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\nv: 12:30\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\nv: 1:20\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\nv: 0.\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\nv: +.5\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\nv: 00\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\nv: 08\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\nv: 1e\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\nv: abc def\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\nv: \"a\\tb\"\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\nv: !!str 5\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\nv: !!int \"5\"\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\nv: &a 1\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\nv: -\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\nv: [1, 2]\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\nv: {a: 1}\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\nv: !custom x\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\nv: 1e3e3\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\nv: 0e0\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\nv: 1e-400\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\nv: -0\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\nv:\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\n1: a\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\ntrue: a\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\n~: a\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\n\"1\": a\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\n- 1\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\nx\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\na: 1\na: 2\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\na: &x 1\nb: *x\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\nbase: &b {x: 1}\nm:\n  <<: *b\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\nm:\n  <<: {x: 1}\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "a: 1\n", noCauses: true},
	{args: []string{"feed", "y", "--input-format", "yaml"}, stdin: "a: 1\n", noCauses: true},
	{args: []string{"feed", "y", "--input-format", "yaml"}, stdin: "a: 1\nb: 2", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\na: 1\n...\n---\nb: 2\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\na: 1\n...\nb: 2\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\na: 1\n", noCauses: true},
	{args: []string{"feed", "y", "--input-format", "yaml"}, stdin: "...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\na: 1\n---\nb: 2\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "# c\n---\na: 1\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\na: |\n  x\n  ...\n  y\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "--- \na: 1\n... \n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\r\na: 1\r\n...\r\n", noCauses: true},
	{args: []string{"feed", "y", "--input-format", "yaml"}, stdin: "{\"a\":1}", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\n{\"a\": 1}\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\na: 1\n...\n{\"b\":2}\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\n!!map {a: 1}\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\na: !!binary aGVsbG8=\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\na: !!float 1\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\na: !!null \"\"\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\n? [1]\n: 2\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\na: 2001-12-14T21:59:43.10-05:00\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\na: \"\\u00e9\\x41\"\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\na: 'it''s'\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\na: >\n  folded\n  text\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\nseq: 1\nmeta: {tags: [x]}\ndata: {a: 1}\ntime: \"2026-01-01T00:00:00Z\"\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\na: -0\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\na: +0\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\na: 0\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\na: -0.0\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\na: 1.0e+3\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\na: 0X1F\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\na: 0xFFFFFFFFFFFFFFFF\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\na: 0x1FFFFFFFFFFFFFFFF\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\na: 9223372036854775807\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\na: 9223372036854775808\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\na: 12345678901234567890.0\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\na: 1.23456789012345678901\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\na: x\n...\n---\nb: y\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\n---\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "  ---\na: 1\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "\n\n---\na: 1\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\na: [1, {b: c}]\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\nv: 01.5\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\nv: 1.\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\nv: -1e-5\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\nv: 1.5e\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\nv: 0x\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\nv: -0x1F\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\nv: +0x1F\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\nv: 0o8\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\nv: .e1\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\nv: 1e-400\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\nv: !!int 5\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\nv: !!float 1.5\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\nv: !!bool true\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\nv: !!null ~\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\nv: !!str true\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\nv: !!timestamp 2001-01-01\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\nv: !!seq [1]\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\nv: !!set {a}\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\n!!str k: 1\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\n1.5: a\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\n[a]: 1\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\nv: -.inf\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\nv: .NaN\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\nv: .Inf\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\nv: 0e0\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\nv: 1e+0\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\nv: - a\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\nv:\n  - a\n  - b: 1\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\nv: \"multi\n  line\"\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\nv: plain\n  multi line\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\n\"\": 1\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\nv: null\nw: ~\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\nv: {a: 1, a: 2}\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\nv: [1, 2,]\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\n--- a\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "--- {a: 1}\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\na: 1\n... # c\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\n%YAML 1.2\n---\na: 1\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "%YAML 1.2\n---\na: 1\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\na: 1\n...\n\n\n---\nb: 2\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\na: \"\\x00\"\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\n? a\n: 1\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\na: 12345678901234567890\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\na: -12345678901234567890\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\na: 1_0.5\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\na: 0b\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\na: 0xg\n...\n", noCauses: true},
	{args: []string{"feed", "y"}, stdin: "---\na: 0x_1\n...\n", noCauses: true},
}

// Binary input (issue 11 item 8): an empty input is no messages, an inline
// argument is refused, and a refused feed creates no pool.
func TestDiffBinaryInput(t *testing.T) {
	ref := refBinary(t)
	runBoth(t, ref, []step{
		{args: []string{"pool", "create", "p"}},
		{args: []string{"feed", "p", "--input-format", "lite3-raw"}},
		{args: []string{"feed", "p", "--input-format", "lite3"}},
		{args: []string{"feed", "p", `{"a":1}`, "--input-format", "lite3-raw"}},
		{args: []string{"feed", "p", `{"a":1}`, "--input-format", "lite3"}},
		{args: []string{"feed", "new", "--create", "--tag", "x", "--input-format", "lite3-raw"}},
		{args: []string{"feed", "new", "--create", "--data", "--input-format", "lite3"}},
		{args: []string{"pool", "list"}},
		{args: []string{"feed", "p", "", "--input-format", "json"}},
		{args: []string{"feed", "p", `{"a":1} {"b":2}`}},
		{args: []string{"feed", "p", `{"i":`}},
	})
}

// tap --create-size creates a missing pool, as feed's does (issue 11 item 7).
func TestDiffTapCreateSize(t *testing.T) {
	ref := refBinary(t)
	runBoth(t, ref, []step{
		{args: []string{"tap", "t", "--create-size", "64K", "--", "echo", "hi"}},
		{args: []string{"pool", "info", "t"}},
		{args: []string{"follow", "t", "--no-follow", "--where", `.data.kind == "line"`}},
	})
}
