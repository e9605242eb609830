package local_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plasmite-go/plasmite/internal/reftest"
)

// The reference binding's module path, which the programs in
// testdata/refprogs import, and the one that replaces it.
const (
	referenceModule = "github.com/sandover/plasmite/bindings/go"
	thisModule      = "github.com/plasmite-go/plasmite/bindings/go"
)

// What the programs print (parity is compared with the reference only).
var refprogOutput = map[string]string{
	"readme": "1 [note] {\"kind\":\"note\",\"text\":\"hi\"}\n{\"kind\":\"note\",\"text\":\"hi\"}\n1 true\n" +
		"1 [note] {\"kind\":\"note\",\"text\":\"hi\"}\n",
	"tailloop": "checkpoint 4\n4 [job] {\"i\":3}\n5 [job] {\"i\":4}\nclosed\n",
	"cookbook": "3 [alert] {\"msg\":\"latency spike\",\"service\":\"api\"}\n",
}

// Lines of the parity program where this binding differs from the
// reference on purpose, by label, and why.
var knownDifferences = map[string]string{
	// The reference returns its JSON parser's view of what it appended
	// (2^63 as an integer) while it stores, and Get returns, a float; here
	// the append returns what is stored.
	"append 0": "append returns the stored message",
	// Error wording comes from the engine, which explains itself more.
	"appendjson 5":  "message text",
	"lite3 garbage": "message text",
	// The engine names the file a bad size was given for.
	"create tiny": "error has the path",
}

// Programs written for the reference binding build with only their import
// path changed, without cgo, for linux and darwin, and print what they print
// under the reference binding (built with cgo against the reference's
// libplasmite).
func TestReferencePrograms(t *testing.T) {
	if testing.Short() {
		t.Skip("builds programs")
	}
	root, err := filepath.Abs(filepath.Join("..", "..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	ours := programModule(t, "github.com/plasmite-go/plasmite", root, sum, func(src []byte) []byte {
		return bytes.ReplaceAll(src, []byte(referenceModule), []byte(thisModule))
	})
	host := strings.TrimSpace(string(goCommand(t, ".", nil, "env", "GOARCH")))
	for _, target := range [][2]string{{"linux", "amd64"}, {"darwin", "amd64"}, {"darwin", "arm64"}} {
		env := []string{"CGO_ENABLED=0", "GOOS=" + target[0], "GOARCH=" + target[1]}
		goCommand(t, ours, env, "build", "-o", filepath.Join(ours, "bin", target[0]+"-"+target[1])+"/", "./...")
	}
	got := runPrograms(t, filepath.Join(ours, "bin", "linux-"+host), nil)
	for prog, want := range refprogOutput {
		if got[prog] != want {
			t.Errorf("%s printed\n%s\nwant\n%s", prog, got[prog], want)
		}
	}

	ref := reftest.Dir(t)
	refSrc := filepath.Join(ref, "src", "bindings", "go")
	if _, err := os.Stat(filepath.Join(refSrc, "go.mod")); err != nil {
		t.Skipf("the reference install has no Go binding source (%v)", err)
	}
	if _, err := exec.LookPath("cc"); err != nil {
		t.Skip("no C compiler to build the reference binding")
	}
	theirs := programModule(t, referenceModule, refSrc, nil, func(src []byte) []byte { return src })
	goCommand(t, theirs, []string{"CGO_ENABLED=1", "PKG_CONFIG=/usr/bin/true",
		"CGO_CFLAGS=-I" + filepath.Join(ref, "include"), "CGO_LDFLAGS=-L" + filepath.Join(ref, "lib")},
		"build", "-o", filepath.Join(theirs, "bin")+"/", "./...")
	want := runPrograms(t, filepath.Join(theirs, "bin"), []string{"LD_LIBRARY_PATH=" + filepath.Join(ref, "lib")})
	if len(want) != len(got) {
		t.Fatalf("%d programs ran under the reference, %d here", len(want), len(got))
	}
	for prog := range want {
		compareLines(t, prog, got[prog], want[prog])
	}
}

// programModule writes a module holding each testdata program (edited by
// edit) as a main package of its own, requiring module at dir.
func programModule(t *testing.T, module, dir string, sum []byte, edit func([]byte) []byte) string {
	t.Helper()
	names, err := filepath.Glob(filepath.Join("testdata", "refprogs", "*", "main.go"))
	if err != nil || len(names) == 0 {
		t.Fatalf("no programs: %v", err)
	}
	mod := t.TempDir()
	for _, name := range names {
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(src, []byte(`"`+referenceModule+`/`)) {
			t.Fatalf("%s does not import the reference binding", name)
		}
		prog := filepath.Base(filepath.Dir(name))
		if err := os.Mkdir(filepath.Join(mod, prog), 0o755); err != nil {
			t.Fatal(err)
		}
		write(t, filepath.Join(mod, prog, "main.go"), edit(src))
	}
	write(t, filepath.Join(mod, "go.mod"), []byte("module example.com/refprogs\n\ngo 1.22\n\n"+
		"require "+module+" v0.0.0-00010101000000-000000000000\n\nreplace "+module+" => "+dir+"\n"))
	if sum != nil {
		write(t, filepath.Join(mod, "go.sum"), sum)
	}
	return mod
}

// runPrograms runs every program in bin, each with a scratch pool directory
// and HOME, and returns what each printed.
func runPrograms(t *testing.T, bin string, env []string) map[string]string {
	t.Helper()
	entries, err := os.ReadDir(bin)
	if err != nil {
		t.Fatal(err)
	}
	outputs := map[string]string{}
	for _, e := range entries {
		cmd := exec.Command(filepath.Join(bin, e.Name()), filepath.Join(t.TempDir(), "pools"))
		cmd.Env = append(append(os.Environ(), "HOME="+t.TempDir()), env...)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("%s: %v\n%s%s", e.Name(), err, stdout.Bytes(), stderr.Bytes())
		}
		outputs[e.Name()] = stdout.String()
	}
	return outputs
}

// compareLines compares a program's output here and under the reference,
// line by line, allowing the knownDifferences.
func compareLines(t *testing.T, prog, got, want string) {
	t.Helper()
	gl, wl := strings.Split(got, "\n"), strings.Split(want, "\n")
	if len(gl) != len(wl) {
		t.Errorf("%s: %d lines here, %d under the reference\nhere:\n%s\nreference:\n%s", prog, len(gl), len(wl), got, want)
		return
	}
	for i := range gl {
		if gl[i] == wl[i] {
			continue
		}
		label, _, _ := strings.Cut(wl[i], ":")
		if reason, ok := knownDifferences[label]; ok && prog == "parity" {
			t.Logf("%s: known difference (%s):\n  here      %s\n  reference %s", prog, reason, gl[i], wl[i])
			continue
		}
		t.Errorf("%s line %d:\n  here      %s\n  reference %s", prog, i+1, gl[i], wl[i])
	}
}

// tryGo runs the go command offline (the module cache and go.sum only).
func tryGo(dir string, env []string, args ...string) ([]byte, error) {
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOSUMDB=off", "GOWORK=off")
	cmd.Env = append(cmd.Env, env...)
	return cmd.CombinedOutput()
}

// goCommand is tryGo failing the test on error.
func goCommand(t *testing.T, dir string, env []string, args ...string) []byte {
	t.Helper()
	out, err := tryGo(dir, env, args...)
	if err != nil {
		t.Fatalf("go %s (%s): %v\n%s", strings.Join(args, " "), strings.Join(env, " "), err, out)
	}
	return out
}

func write(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// The reference binding's own conformance runner (its
// cmd/plasmite-conformance, from the reference install), built against this
// binding with only its import path changed, passes the reference's
// conformance manifests. Steps that need a CLI use the reference's.
func TestReferenceConformanceRunner(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a program")
	}
	ref := reftest.Dir(t)
	runner := filepath.Join(ref, "src", "bindings", "go", "cmd", "plasmite-conformance", "main.go")
	manifests, _ := filepath.Glob(filepath.Join(ref, "src", "conformance", "*.json"))
	src, err := os.ReadFile(runner)
	if err != nil || len(manifests) == 0 {
		t.Skipf("the reference install has no conformance runner or manifests (%v)", err)
	}
	root, err := filepath.Abs(filepath.Join("..", "..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	mod := t.TempDir()
	write(t, filepath.Join(mod, "main.go"), bytes.ReplaceAll(src, []byte(referenceModule), []byte(thisModule)))
	write(t, filepath.Join(mod, "go.mod"), []byte("module example.com/conformance\n\ngo 1.22\n\n"+
		"require github.com/plasmite-go/plasmite v0.0.0-00010101000000-000000000000\n\n"+
		"replace github.com/plasmite-go/plasmite => "+root+"\n"))
	write(t, filepath.Join(mod, "go.sum"), sum)
	bin := filepath.Join(mod, "plasmite-conformance")
	goCommand(t, mod, []string{"CGO_ENABLED=0"}, "build", "-o", bin, ".")

	// The runner works in a directory beside its manifest: run copies.
	dir := filepath.Join(t.TempDir(), "conformance")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, m := range manifests {
		data, err := os.ReadFile(m)
		if err != nil {
			t.Fatal(err)
		}
		manifest := filepath.Join(dir, filepath.Base(m))
		write(t, manifest, data)
		cmd := exec.Command(bin, manifest)
		cmd.Env = append(os.Environ(), "PLASMITE_BIN="+reftest.Bin(t))
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("%s: %v\n%s", filepath.Base(m), err, out)
		}
	}
}
