package main

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// readOnlyUser returns how to run the CLI as a user who may read the pool
// files of the test but not write them: as nobody when the tests run as
// root (CI does, and root may write any file), else as ourselves with
// the files made read-only. It also returns a copy of the binary under
// test that this user may run.
func readOnlyUser(t *testing.T) (*syscall.Credential, string) {
	t.Helper()
	dir := t.TempDir()
	for d := dir; d != os.TempDir() && d != "/" && d != "."; d = filepath.Dir(d) {
		os.Chmod(d, 0o755) // t.TempDir's directories are 0700
	}
	bin := filepath.Join(dir, "plasmite")
	b, err := os.ReadFile(binPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, b, 0o755); err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() != 0 {
		return nil, bin
	}
	return &syscall.Credential{Uid: 65534, Gid: 65534}, bin
}

// Readers open read-only: follow (history and live), fetch and pool info
// work on a pool file the user may only read (issue 12 defect 3); feed
// is refused with Permission.
func TestReadersOnReadOnlyPool(t *testing.T) {
	extension(t, "1.2.1 refuses follow on a pool it may only read")
	e := newEnv(t)
	cred, bin := readOnlyUser(t)
	e.dir = filepath.Join(filepath.Dir(bin), "pools")
	e.must("pool", "create", "ro")
	e.must("feed", "ro", `{"n":1}`)
	e.must("feed", "ro", `{"n":2}`)
	for _, p := range []string{e.dir, e.path("ro")} {
		os.Chmod(p, map[bool]os.FileMode{true: 0o755, false: 0o444}[p == e.dir])
	}
	as := runOpts{cred: cred, bin: bin}
	for _, args := range [][]string{
		{"follow", "ro", "--tail", "5", "--no-follow"},
		{"fetch", "ro", "2"},
		{"pool", "info", "ro"},
	} {
		r := runCLI(t, as, append([]string{"--dir", e.dir}, args...)...)
		if r.code != 0 || !strings.Contains(r.stdout, `"n":2`) && args[0] != "pool" {
			t.Fatalf("%v as a reader: exit %d\nstdout %s\nstderr %s", args, r.code, r.stdout, r.stderr)
		}
	}
	if r := runCLI(t, as, "--dir", e.dir, "feed", "ro", `{"n":3}`); r.code == 0 || !strings.Contains(r.stderr, "ermission") {
		t.Fatalf("feed as a reader: exit %d, stderr %s", r.code, r.stderr)
	}

	// live: a message appended by a writer reaches the read-only follower
	cmd := exec.Command(bin, "--dir", e.dir, "follow", "ro", "--tail", "1", "--format", "json")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	out, _ := cmd.StdoutPipe()
	var errb strings.Builder
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	lines := bufio.NewReader(out)
	if l := readLineWithin(t, lines, 30*time.Second); !strings.Contains(l, `"n":2`) {
		t.Fatalf("first line %q (stderr %s)", l, errb.String())
	}
	e.must("feed", "ro", `{"n":"live"}`)
	if l := readLineWithin(t, lines, 30*time.Second); !strings.Contains(l, `"n":"live"`) {
		t.Fatalf("live line %q", l)
	}
	cmd.Process.Kill()
	io.Copy(io.Discard, out)
}
