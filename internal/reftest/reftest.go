// Package reftest locates the reference Plasmite release (1.2.1, installed by
// `make ref` or scripts/install-reference.sh) for interop tests, and runs its CLI.
//
// The install directory is $PLASMITE_REF when set, otherwise the `.ref` folder at
// the module root. An install counts as present only when its stamp file names
// release 1.2.1. When it is absent every accessor skips the calling test with a
// message saying how to install it — unless PLASMITE_REQUIRE_REF=1, in which case
// the test fails instead (that is how `make test` runs).
package reftest

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Version is the reference release the helpers expect.
const Version = "1.2.1"

// RunTimeout bounds every Run: a reference command still running after it is
// killed and the test fails. Tests that need a long-lived process use Command.
var RunTimeout = 2 * time.Minute

// stampPrefix is how the first line of the installer's stamp begins.
const stampPrefix = "plasmite-reference " + Version + " "

// Dir returns the absolute path of the reference install directory. It skips
// (or, with PLASMITE_REQUIRE_REF=1, fails) the test when no 1.2.1 install is found.
func Dir(t testing.TB) string {
	t.Helper()
	dir, err := locate()
	if err != nil {
		missing(t, err.Error())
		return "" // only reached when t's Skip/Fatal return (never with *testing.T)
	}
	return dir
}

// Bin returns the path of the reference `plasmite` executable.
// Missing install or binary: skip, or fail under PLASMITE_REQUIRE_REF=1.
func Bin(t testing.TB) string {
	t.Helper()
	return file(t, filepath.Join("bin", "plasmite"))
}

// OptionalBin is Bin for tests that run with or without the reference: it
// returns "" when no 1.2.1 install is found, instead of skipping — unless
// PLASMITE_REQUIRE_REF=1, which fails the test as Bin does.
func OptionalBin(t testing.TB) string {
	t.Helper()
	dir, err := locate()
	if err == nil {
		if _, err = os.Stat(filepath.Join(dir, "bin", "plasmite")); err == nil {
			return filepath.Join(dir, "bin", "plasmite")
		}
	}
	if os.Getenv("PLASMITE_REQUIRE_REF") == "1" {
		missing(t, err.Error())
	}
	return ""
}

// Pls returns the path of the reference `pls` executable (the short alias).
// Missing install or binary: skip, or fail under PLASMITE_REQUIRE_REF=1.
func Pls(t testing.TB) string {
	t.Helper()
	return file(t, filepath.Join("bin", "pls"))
}

// Lib returns the path of the reference shared library libplasmite.so.
// Missing install or library: skip, or fail under PLASMITE_REQUIRE_REF=1.
func Lib(t testing.TB) string {
	t.Helper()
	return file(t, filepath.Join("lib", "libplasmite.so"))
}

// StaticLib returns the path of the reference static library libplasmite.a.
// Missing install or library: skip, or fail under PLASMITE_REQUIRE_REF=1.
func StaticLib(t testing.TB) string {
	t.Helper()
	return file(t, filepath.Join("lib", "libplasmite.a"))
}

// Include returns the reference include directory (the one holding plasmite.h,
// suitable for a C compiler's -I). Missing: skip, or fail under PLASMITE_REQUIRE_REF=1.
func Include(t testing.TB) string {
	t.Helper()
	h := file(t, filepath.Join("include", "plasmite.h"))
	if h == "" {
		return ""
	}
	return filepath.Dir(h)
}

// Python returns the directory holding the reference Python package (put it on
// PYTHONPATH). Missing: skip, or fail under PLASMITE_REQUIRE_REF=1.
func Python(t testing.TB) string {
	t.Helper()
	p := file(t, filepath.Join("python", "plasmite", "__init__.py"))
	if p == "" {
		return ""
	}
	return filepath.Dir(filepath.Dir(p))
}

// Command returns an unstarted command running the reference CLI with args, for
// tests that need stdin, a working directory or a long-lived process. The caller
// owns the process. Missing install: skip, or fail under PLASMITE_REQUIRE_REF=1.
func Command(t testing.TB, args ...string) *exec.Cmd {
	t.Helper()
	bin := Bin(t)
	if bin == "" {
		return nil
	}
	return exec.Command(bin, args...)
}

// Run runs the reference CLI with args and empty stdin, waits for it, and returns
// its standard output, standard error and exit status. It fails the test when the
// program cannot be started or outlives RunTimeout; a non-zero exit is not a
// failure (check exit). Missing install: skip, or fail under PLASMITE_REQUIRE_REF=1.
func Run(t testing.TB, args ...string) (stdout, stderr []byte, exit int) {
	t.Helper()
	return RunInput(t, nil, args...)
}

// RunInput is Run with stdin fed from input.
func RunInput(t testing.TB, input []byte, args ...string) (stdout, stderr []byte, exit int) {
	t.Helper()
	bin := Bin(t)
	if bin == "" {
		return nil, nil, -1
	}
	ctx, cancel := context.WithTimeout(context.Background(), RunTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Stdin = bytes.NewReader(input)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("reference plasmite %s: still running after %v (stderr: %s)",
			strings.Join(args, " "), RunTimeout, errb.Bytes())
		return out.Bytes(), errb.Bytes(), -1
	}
	var ee *exec.ExitError
	switch {
	case err == nil:
		return out.Bytes(), errb.Bytes(), 0
	case errors.As(err, &ee):
		return out.Bytes(), errb.Bytes(), ee.ExitCode()
	default:
		t.Fatalf("reference plasmite %s: %v", strings.Join(args, " "), err)
		return out.Bytes(), errb.Bytes(), -1
	}
}

// file returns Dir(t)/rel after checking it exists.
func file(t testing.TB, rel string) string {
	t.Helper()
	dir := Dir(t)
	if dir == "" {
		return ""
	}
	p := filepath.Join(dir, rel)
	if _, err := os.Stat(p); err != nil {
		missing(t, "the reference install at "+dir+" lacks "+rel+" ("+err.Error()+")")
		return ""
	}
	return p
}

// missing skips or fails t, depending on PLASMITE_REQUIRE_REF.
func missing(t testing.TB, why string) {
	t.Helper()
	const how = "; install it with `make ref` (or scripts/install-reference.sh DIR and PLASMITE_REF=DIR)"
	if os.Getenv("PLASMITE_REQUIRE_REF") == "1" {
		t.Fatalf("reference plasmite %s required (PLASMITE_REQUIRE_REF=1) but not usable: %s%s", Version, why, how)
		return
	}
	t.Skipf("reference plasmite %s not available, skipping: %s%s", Version, why, how)
}

// locate finds the install directory and checks its stamp.
func locate() (string, error) {
	dir := os.Getenv("PLASMITE_REF")
	if dir == "" {
		root, err := moduleRoot()
		if err != nil {
			return "", err
		}
		dir = filepath.Join(root, ".ref")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	f, err := os.Open(filepath.Join(abs, "stamp"))
	if err != nil {
		return "", errors.New("no install stamp at " + filepath.Join(abs, "stamp"))
	}
	defer f.Close()
	line, _ := bufio.NewReader(f).ReadString('\n')
	if !strings.HasPrefix(line, stampPrefix) {
		return "", errors.New("the install at " + abs + " is not release " + Version +
			" (stamp says " + strings.TrimSpace(line) + ")")
	}
	return abs, nil
}

// moduleRoot walks up from the working directory to the nearest go.mod.
func moduleRoot() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := wd; ; {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", errors.New("no go.mod above " + wd + " and PLASMITE_REF is unset")
		}
		d = parent
	}
}
