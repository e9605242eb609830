package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/plasmite-go/plasmite/internal/reftest"
)

// refBinary finds the reference CLI through internal/reftest ($PLASMITE_REF,
// else .ref at the module root), falling back to a shared build in
// /work/refsdk for developers. Absent → skip, unless PLASMITE_REQUIRE_REF=1.
func refBinary(t *testing.T) string {
	t.Helper()
	if os.Getenv("PLASMITE_REF") == "" {
		if _, err := os.Stat("../.ref/stamp"); err != nil {
			if fi, err := os.Stat("/work/refsdk/bin/plasmite"); err == nil && !fi.IsDir() {
				return "/work/refsdk/bin/plasmite"
			}
		}
	}
	return reftest.Bin(t)
}

var rfc3339Text = regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z *`)

// step is one command of a differential script.
type step struct {
	args     []string
	stdin    string
	noCauses bool // the OS/parser cause text differs by design; compare without it
}

// outcome is what we compare: exit code, stdout documents and the stderr
// envelope, with times masked and the scratch directory replaced.
type outcome struct {
	Code    int
	Stdout  []any
	Text    string // stdout when it is not JSON
	Stderr  []any
	ErrText string // stderr when it is not JSON
}

func observe(t *testing.T, r result, dir string) outcome {
	t.Helper()
	o := outcome{Code: r.code}
	norm := func(s string) string { return strings.ReplaceAll(s, dir, "<dir>") }
	if out := norm(r.stdout); out != "" {
		if strings.HasPrefix(strings.TrimSpace(out), "{") {
			o.Stdout = maskTimes(jsonLines(t, out)).([]any)
		} else {
			o.Text = rfc3339Text.ReplaceAllString(out, "<time>")
		}
	}
	if errs := norm(r.stderr); strings.HasPrefix(errs, "{") {
		o.Stderr = maskTimes(jsonLines(t, errs)).([]any)
	} else {
		o.ErrText = errs
	}
	return o
}

// runBoth runs the same script on both binaries, each in its own pool
// directory, and reports every step whose outcome differs.
func runBoth(t *testing.T, ref string, steps []step) {
	t.Helper()
	needEngine(t)
	ours := &env{t: t, dir: filepath.Join(t.TempDir(), "pools")}
	theirs := &env{t: t, dir: filepath.Join(t.TempDir(), "pools"), bin: ref}
	for _, s := range steps {
		a := observe(t, ours.runWith(runOpts{stdin: s.stdin}, s.args...), ours.dir)
		b := observe(t, theirs.runWith(runOpts{stdin: s.stdin}, s.args...), theirs.dir)
		if s.noCauses {
			dropCauses(a.Stderr)
			dropCauses(b.Stderr)
		}
		if d := cmp.Diff(b, a); d != "" {
			t.Errorf("%v differs from the reference (-ref +ours):\n%s", s.args, d)
		}
	}
}

func TestDiffAgainstReference(t *testing.T) {
	ref := refBinary(t)
	runBoth(t, ref, []step{
		{args: []string{"pool", "list"}},
		{args: []string{"pool", "create", "a"}},
		{args: []string{"pool", "create", "a"}},
		{args: []string{"pool", "create", "--size", "64K", "b", "c"}},
		{args: []string{"pool", "create", "--format", "pretty", "d"}},
		{args: []string{"pool", "info", "a"}},
		{args: []string{"pool", "info", "a", "--format", "pretty"}},
		{args: []string{"pool", "info", "nope"}},
		{args: []string{"pool", "info", "nope", "--format", "pretty"}},
		{args: []string{"fetch", "nope", "1", "--format", "lite3"}},
		{args: []string{"feed", "a", `{"b":1,"a":[1.5,2e2,1e20,"x/<é>\u2028"],"n":null,"t":true}`, "--tag", "x", "--tag", "y"}},
		{args: []string{"feed", "a"}, stdin: "{\"i\":1}\n\n{\"i\":2}\n{\n  \"pretty\": [1,\n 2]\n}\n{\"j\":1} {\"j\":2}\n"},
		{args: []string{"feed", "a", "--durability", "flush", "--retry", "2", "--retry-delay", "5ms", `{"k":1}`}},
		{args: []string{"feed", "a"}, stdin: "{\"i\":3}\nnot-json\n"},
		{args: []string{"feed", "a"}, stdin: "{\"i\":\n"},
		{args: []string{"feed", "a"}, stdin: "   \n"},
		{args: []string{"feed", "a", "[1]"}},
		{args: []string{"feed", "a", "nojson"}},
		{args: []string{"feed", "a", `{"data":[1],"meta":{"tags":[]},"seq":1,"time":"2020-01-01T00:00:00Z"}`}},
		{args: []string{"feed", "a", `{"data":{},"meta":{"tags":[]},"seq":1,"time":"bad"}`}, noCauses: true}, // time-parser wording differs
		{args: []string{"feed", "a", "--data", `{"data":{},"meta":{"tags":[]},"seq":1,"time":"2020-01-01T00:00:00Z"}`}},
		{args: []string{"feed", "nope", `{"a":1}`}},
		{args: []string{"feed", "sub/nope.plasmite", `{"a":1}`}},
		{args: []string{"feed", "made", "--create", "--create-size", "64K", `{"a":1}`}},
		{args: []string{"feed", "a", "--create-size", "64K", `{"a":1}`}},
		{args: []string{"feed", "a", "--retry-delay", "5ms", `{"a":1}`}},
		{args: []string{"feed", "a", "--durability", "slow", `{"a":1}`}},
		{args: []string{"fetch", "a", "1"}},
		{args: []string{"fetch", "a", "99"}},
		{args: []string{"fetch", "nope", "1"}},
		{args: []string{"fetch", "a", "abc"}},
		{args: []string{"--color", "always", "fetch", "a", "1"}},
		{args: []string{"feed", "a", "--file", "/nonexistent/in.json"}},
		{args: []string{"pool", "create", "--size", "1K", "tiny"}},
		{args: []string{"follow", "a", "--tail", "3", "--no-follow"}},
		{args: []string{"follow", "a", "--no-follow", "--format", "pretty"}},
		{args: []string{"follow", "a", "--no-follow", "--tag", "x"}},
		{args: []string{"follow", "a", "--no-follow", "--where", ".data.i == 2"}},
		{args: []string{"follow", "a", "--no-follow", "--where", ".seq >= 2", "--where", ".data.j == 2"}},
		{args: []string{"follow", "a", "--no-follow", "--where", ".seq"}},
		{args: []string{"follow", "a", "--tail", "2", "--one"}},
		{args: []string{"follow", "a", "--since", "1h", "--no-follow"}},
		{args: []string{"follow", "a", "--timeout", "50ms"}},
		{args: []string{"follow", "nope", "--tail", "2", "--where", ".data.x == 1"}},
		{args: []string{"follow", "a", "--since", "5m", "--tail", "1"}},
		{args: []string{"follow", "a", "--tail", "x"}},
		{args: []string{"follow", "a", "--bogus"}},
		{args: []string{"follow", "a", "--replay", "1"}},
		{args: []string{"follow", "a", "--timeout", "5d"}},
		{args: []string{"follow", "a", "--since", "yesterday"}, noCauses: true},
		{args: []string{"pool", "info", "a", "--format", "lite3"}},
		{args: []string{"follow", "a", "--no-follow", "--format", "lite3-raw"}},
		{args: []string{"feed", "y", "--create", `{"":"e","-":1,"-a":1,"? a":1,"?a":1,"a,b":1,"a:b":1,"a#":1,"a'b":"it's","a\\b":"\\","n":"N","No":"x","0x1F":1,"1_000":1,".inf":1,"NaN":1,"nULL":1,"<<":1,"=":1," a":1,"a\tb":"t\tb","u":"é\u2028\u0001","f":[1e300,1e-7,0.5,-0.0,1e15],"l":[[1,[2]],{"k":[]},{}],"z":null}`}},
		{args: []string{"fetch", "y", "1", "--format", "yaml"}},
		{args: []string{"follow", "a", "--tail", "2", "--no-follow", "--format", "yaml"}},
		{args: []string{"fetch", "nope", "1", "--format", "yaml"}},
		{args: []string{"pool", "list", "--format", "yaml"}},
		{args: []string{"pool", "delete", "b", "nope"}},
		{args: []string{"pool", "delete", "--format", "pretty", "c"}},
		{args: []string{"pool", "list"}},
		{args: []string{"pool", "list", "--format", "pretty"}},
		{args: []string{"doctor", "a"}},
		{args: []string{"doctor", "nope"}},
		{args: []string{"nosuch"}},
		{args: []string{"--dir", "x", "pool", "list", "--dir", "y"}},
	})
}

// Pools written by one implementation read the same through the other.
func TestDiffCrossPools(t *testing.T) {
	ref := refBinary(t)
	needEngine(t)
	for _, writer := range []string{"reference", "ours"} {
		t.Run("written by "+writer, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "pools")
			w := &env{t: t, dir: dir}
			if writer == "reference" {
				w.bin = ref
			}
			w.must("pool", "create", "--size", "64K", "x")
			w.must("feed", "x", `{"msg":"hello","n":1,"f":2.5,"nested":{"a":[true,null,"s"]}}`, "--tag", "t")
			for i := 0; i < 300; i++ { // lap the 64K ring
				w.runWith(runOpts{stdin: `{"i":` + itoa(i) + `,"pad":"` + strings.Repeat("p", 400) + `"}`}, "feed", "x")
			}
			ours := &env{t: t, dir: dir}
			theirs := &env{t: t, dir: dir, bin: ref}
			for _, args := range [][]string{
				{"pool", "info", "x"},
				{"follow", "x", "--tail", "5", "--no-follow"},
				{"follow", "x", "--no-follow", "--where", ".data.i == 299"},
				{"fetch", "x", "301"},
				{"fetch", "x", "1"},
				{"doctor", "x"},
				{"fetch", "x", "301", "--format", "lite3"},
				{"fetch", "x", "301", "--format", "lite3-raw"},
				{"follow", "x", "--tail", "3", "--no-follow", "--format", "lite3"},
			} {
				a := observe(t, ours.run(args...), dir)
				b := observe(t, theirs.run(args...), dir)
				if d := cmp.Diff(b, a); d != "" {
					t.Errorf("%v differs (-ref +ours):\n%s", args, d)
				}
			}
		})
	}
}

func itoa(i int) string { return jn(i).(jsonNumber).String() }

func dropCauses(docs []any) {
	for _, d := range docs {
		if m, ok := d.(map[string]any); ok {
			if e, ok := m["error"].(map[string]any); ok {
				delete(e, "causes")
			}
		}
	}
}

// Paths print as typed: a relative --dir stays relative (and uncleaned).
func TestDiffRelativeDir(t *testing.T) {
	ref := refBinary(t)
	needEngine(t)
	for _, dir := range []string{"./p", "p/", "p"} {
		ourWD, refWD := t.TempDir(), t.TempDir()
		for _, args := range [][]string{
			{"pool", "create", "a"},
			{"feed", "a", `{"x":1}`},
			{"pool", "info", "a"},
			{"pool", "list"},
			{"feed", "nope", `{"x":1}`},
			{"doctor", "a"},
			{"pool", "delete", "a"},
		} {
			full := append([]string{"--dir", dir}, args...)
			a := observe(t, runCLI(t, runOpts{dir: ourWD}, full...), ourWD)
			b := observe(t, runCLI(t, runOpts{dir: refWD, bin: ref}, full...), refWD)
			if d := cmp.Diff(b, a); d != "" {
				t.Errorf("%v differs (-ref +ours):\n%s", full, d)
			}
		}
	}
}
