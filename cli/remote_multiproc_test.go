package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plasmite-go/plasmite/internal/reftest"
)

// Processes of both kinds on one pool: two of our `feed` processes over
// HTTP and a local one write at once; our follower over HTTP, our local
// follower and the reference's follower over HTTP each see every message
// once, in seq order, and each writer's messages in the order it wrote
// them.
func TestRemoteMultiProcess(t *testing.T) {
	needEngine(t)
	ref := refBinary(t)
	forServers(t, func(t *testing.T, serve string) {
		const perWriter = 300
		dir := filepath.Join(t.TempDir(), "srv")
		home := t.TempDir()
		env := append(os.Environ(), "HOME="+home, "PLASMITE_ACCESS_HOME="+filepath.Join(home, "access"), "NO_COLOR=")
		if r := runCLI(t, runOpts{}, "--dir", dir, "pool", "create", "--size", "16M", "mp"); r.code != 0 {
			t.Fatal(r.stderr)
		}
		base, _ := reftest.Serve(t, serve, dir)
		url := base + "/mp"
		start := func(bin string, args ...string) (*exec.Cmd, *bytes.Buffer, *bytes.Buffer) {
			cmd := exec.Command(bin, args...)
			cmd.Env = env
			var out, errb bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &errb
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
			return cmd, &out, &errb
		}
		// Followers from the first message, ending 5 s after the last.
		type follower struct {
			name     string
			cmd      *exec.Cmd
			out, err *bytes.Buffer
		}
		var fs []follower
		for _, f := range []struct {
			name string
			bin  string
			args []string
		}{
			{"ours over HTTP", binPath, []string{"follow", url, "--tail", "100000", "--timeout", "5s"}},
			{"ours local", binPath, []string{"--dir", dir, "follow", "mp", "--tail", "100000", "--timeout", "5s"}},
			{"reference over HTTP", ref, []string{"follow", url, "--tail", "100000", "--timeout", "5s"}},
		} {
			c, o, e := start(f.bin, f.args...)
			fs = append(fs, follower{f.name, c, o, e})
		}
		var ws []*exec.Cmd
		var werrs []*bytes.Buffer
		for _, w := range []struct {
			name string
			args []string
		}{{"a", []string{"feed", url}}, {"b", []string{"feed", url}}, {"c", []string{"--dir", dir, "feed", "mp"}}} {
			var in strings.Builder
			for i := 0; i < perWriter; i++ {
				fmt.Fprintf(&in, `{"w":%q,"i":%d}`+"\n", w.name, i)
			}
			cmd := exec.Command(binPath, w.args...)
			cmd.Env = env
			cmd.Stdin = strings.NewReader(in.String())
			var errb bytes.Buffer
			cmd.Stderr = &errb
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			ws, werrs = append(ws, cmd), append(werrs, &errb)
		}
		for i, w := range ws {
			if err := w.Wait(); err != nil {
				t.Fatalf("writer %d: %v: %s", i, err, werrs[i])
			}
		}
		total := uint64(3 * perWriter)
		for _, f := range fs {
			err := f.cmd.Wait()
			if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 124 {
				t.Errorf("%s: %v, want exit 124 after its timeout: %s", f.name, err, f.err)
			}
			next, last := uint64(1), map[string]int{}
			for _, line := range strings.Split(strings.TrimSpace(f.out.String()), "\n") {
				var m struct {
					Seq  uint64
					Data struct {
						W string
						I int
					}
				}
				if err := json.Unmarshal([]byte(line), &m); err != nil {
					t.Fatalf("%s: %q: %v", f.name, line, err)
				}
				if m.Seq != next {
					t.Fatalf("%s: seq %d, want %d", f.name, m.Seq, next)
				}
				if want, ok := last[m.Data.W]; (ok && m.Data.I != want+1) || (!ok && m.Data.I != 0) {
					t.Fatalf("%s: writer %s message %d after %d", f.name, m.Data.W, m.Data.I, want)
				}
				last[m.Data.W] = m.Data.I
				next++
			}
			if next-1 != total {
				t.Errorf("%s: saw %d messages, want %d", f.name, next-1, total)
			}
		}
	})
}
