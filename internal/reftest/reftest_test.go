package reftest

import (
	"bytes"
	"debug/elf"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// recorder is a testing.TB whose Skip/Fatal are observed instead of acted on by
// the test framework; like the real ones they end the calling goroutine.
type recorder struct {
	testing.TB
	mu      sync.Mutex
	skipped string
	fatal   string
}

func (r *recorder) Helper() {}

func (r *recorder) Skipf(format string, args ...any) {
	r.mu.Lock()
	r.skipped = fmt.Sprintf(format, args...)
	r.mu.Unlock()
	runtime.Goexit()
}

func (r *recorder) Fatalf(format string, args ...any) {
	r.mu.Lock()
	r.fatal = fmt.Sprintf(format, args...)
	r.mu.Unlock()
	runtime.Goexit()
}

// call runs f against a fresh recorder on its own goroutine and reports what happened.
func call(t *testing.T, f func(testing.TB) string) (result, skipped, fatal string) {
	r := &recorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		result = f(r)
	}()
	<-done
	return result, r.skipped, r.fatal
}

// fakeInstall lays out a minimal install with the given stamp line.
func fakeInstall(t *testing.T, stamp string) string {
	t.Helper()
	dir := t.TempDir()
	for _, rel := range []string{"bin/plasmite", "bin/pls", "lib/libplasmite.so", "lib/libplasmite.a",
		"include/plasmite.h", "python/plasmite/__init__.py"} {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "stamp"), []byte(stamp+"\nmore\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestMissingSkipsByDefault(t *testing.T) {
	t.Setenv("PLASMITE_REF", filepath.Join(t.TempDir(), "nothing-here"))
	t.Setenv("PLASMITE_REQUIRE_REF", "")
	for name, f := range accessors() {
		got, skipped, fatal := call(t, f)
		if got != "" || fatal != "" || !strings.Contains(skipped, "not available") ||
			!strings.Contains(skipped, "make ref") {
			t.Errorf("%s: got %q, skip %q, fatal %q; want a skip explaining how to install", name, got, skipped, fatal)
		}
	}
}

func TestMissingFailsWhenRequired(t *testing.T) {
	t.Setenv("PLASMITE_REF", filepath.Join(t.TempDir(), "nothing-here"))
	t.Setenv("PLASMITE_REQUIRE_REF", "1")
	for name, f := range accessors() {
		got, skipped, fatal := call(t, f)
		if got != "" || skipped != "" || !strings.Contains(fatal, "PLASMITE_REQUIRE_REF=1") {
			t.Errorf("%s: got %q, skip %q, fatal %q; want a failure", name, got, skipped, fatal)
		}
	}
}

func TestWrongReleaseIsMissing(t *testing.T) {
	t.Setenv("PLASMITE_REF", fakeInstall(t, "plasmite-reference 1.2.0 crate-sha256=x layout=1"))
	t.Setenv("PLASMITE_REQUIRE_REF", "")
	_, skipped, _ := call(t, Dir)
	if !strings.Contains(skipped, "not release 1.2.1") {
		t.Fatalf("skip message %q does not name the release mismatch", skipped)
	}
}

func TestMissingFileIsMissing(t *testing.T) {
	dir := fakeInstall(t, stampPrefix+"crate-sha256=x layout=1")
	if err := os.Remove(filepath.Join(dir, "lib", "libplasmite.so")); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PLASMITE_REF", dir)
	t.Setenv("PLASMITE_REQUIRE_REF", "")
	if got, _, _ := call(t, Bin); got != filepath.Join(dir, "bin", "plasmite") {
		t.Errorf("Bin = %q", got)
	}
	_, skipped, _ := call(t, Lib)
	if !strings.Contains(skipped, "lacks lib/libplasmite.so") {
		t.Errorf("skip message %q does not name the missing file", skipped)
	}
}

func TestFakeInstallPaths(t *testing.T) {
	dir := fakeInstall(t, stampPrefix+"crate-sha256=x layout=1")
	t.Setenv("PLASMITE_REF", dir)
	want := map[string]string{
		"Dir": dir, "Bin": dir + "/bin/plasmite", "Pls": dir + "/bin/pls",
		"Lib": dir + "/lib/libplasmite.so", "StaticLib": dir + "/lib/libplasmite.a",
		"Include": dir + "/include", "Python": dir + "/python",
	}
	for name, f := range accessors() {
		got, skipped, fatal := call(t, f)
		if got != want[name] || skipped != "" || fatal != "" {
			t.Errorf("%s = %q (skip %q, fatal %q), want %q", name, got, skipped, fatal, want[name])
		}
	}
}

func TestDefaultIsModuleRootDotRef(t *testing.T) {
	t.Setenv("PLASMITE_REF", "")
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("moduleRoot %s has no go.mod", root)
	}
	if want := filepath.Dir(filepath.Dir(mustWd(t))); root != want {
		t.Fatalf("moduleRoot %s is not two levels above %s", root, mustWd(t))
	}
	_, skipped, fatal := call(t, Dir)
	if msg := skipped + fatal; msg != "" && !strings.Contains(msg, filepath.Join(root, ".ref")) {
		t.Fatalf("message %q does not mention %s", msg, filepath.Join(root, ".ref"))
	}
}

// The remaining tests use the real reference install (skipped when absent).

func TestRealInstall(t *testing.T) {
	if _, err := locate(); err != nil && os.Getenv("PLASMITE_REQUIRE_REF") != "1" {
		t.Skip("no reference install: ", err)
	}
	f, err := elf.Open(Lib(t))
	if err != nil {
		t.Fatalf("Lib is not an ELF shared object: %v", err)
	}
	syms, err := f.DynamicSymbols()
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, s := range syms {
		found = found || s.Name == "plsm_client_new"
	}
	if !found {
		t.Error("libplasmite.so does not export plsm_client_new")
	}
	h, err := os.ReadFile(filepath.Join(Include(t), "plasmite.h"))
	if err != nil || !bytes.Contains(h, []byte("plsm_client_new")) {
		t.Errorf("plasmite.h unreadable or lacks plsm_client_new (%v)", err)
	}
}

func TestRunVersion(t *testing.T) {
	out, errb, exit := Run(t, "--version")
	if exit != 0 || strings.TrimSpace(string(out)) != "plasmite "+Version {
		t.Fatalf("--version: exit %d, stdout %q, stderr %q", exit, out, errb)
	}
	out, _, exit = Run(t, "version")
	var v struct{ Name, Version string }
	if exit != 0 || json.Unmarshal(out, &v) != nil || v.Version != Version || v.Name != "plasmite" {
		t.Fatalf("version piped: exit %d, stdout %q", exit, out)
	}
}

func TestRunReportsExitStatusAndStderr(t *testing.T) {
	out, errb, exit := Run(t, "no-such-subcommand")
	if exit != 2 || len(out) != 0 || !bytes.Contains(errb, []byte(`"kind":"Usage"`)) {
		t.Fatalf("unknown subcommand: exit %d, stdout %q, stderr %q; want exit 2 and a Usage error", exit, out, errb)
	}
}

func TestRunInputFeedsStdin(t *testing.T) {
	dir := t.TempDir()
	if _, errb, exit := Run(t, "--dir", dir, "pool", "create", "p", "--size", "64K"); exit != 0 {
		t.Fatalf("pool create: exit %d: %s", exit, errb)
	}
	if _, errb, exit := RunInput(t, []byte(`{"n":1}`+"\n"+`{"n":2}`+"\n"), "--dir", dir, "feed", "p"); exit != 0 {
		t.Fatalf("feed: exit %d: %s", exit, errb)
	}
	out, errb, exit := Run(t, "--dir", dir, "fetch", "p", "2")
	if exit != 0 || !bytes.Contains(out, []byte(`"n":2`)) {
		t.Fatalf("fetch 2: exit %d, stdout %q, stderr %q", exit, out, errb)
	}
}

func accessors() map[string]func(testing.TB) string {
	return map[string]func(testing.TB) string{
		"Dir": Dir, "Bin": Bin, "Pls": Pls, "Lib": Lib, "StaticLib": StaticLib,
		"Include": Include, "Python": Python,
	}
}

func mustWd(t *testing.T) string {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return wd
}
