package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/plasmite-go/plasmite/internal/reftest"
)

// Our CLI and the reference's, as clients of one server's local listener:
// every command prints the same bytes and exits the same (times, ages and
// the scratch names masked). Each writes to its own pool of the server,
// "ours" and "theirs", which start with the same messages; reads of the
// other pool compare the same data.

// remoteFixture is one server and its two pools.
type remoteFixture struct {
	t    *testing.T
	ref  string // the reference CLI
	dir  string // the server's pool directory
	url  string // its local listener
	home string // HOME and PLASMITE_ACCESS_HOME of the clients
}

// remoteSeed is what both pools hold before the steps: floats whose
// rendering a client can get wrong, tags, nested data.
var remoteSeed = []string{
	`{"k":"v","n":1}`,
	`{"f":1.1277687494927599e+113,"g":6.616066779448662e+180,"h":0.1,"i":-0.0,"j":123456789012345678}`,
	`{"s":"é ✓ <a href=\"x\">&amp;</a> \u2028 \u0001","nested":{"b":[1,[],{}],"a":{"y":[{"q":1}]}},"e":{}}`,
	`{"k":"w","n":2}`,
}

// forServers runs f against each server: the reference's, then ours when
// built (reftest.Servers; PLASMITE_BIN, which `make test` sets, counts once
// its serve is implemented).
func forServers(t *testing.T, f func(t *testing.T, serve string)) {
	for _, s := range reftest.Servers(t) {
		t.Run(s.Name+" server", func(t *testing.T) { f(t, s.Bin) })
	}
}

func newRemoteFixture(t *testing.T, serve string) *remoteFixture {
	t.Helper()
	needEngine(t)
	ref := refBinary(t)
	f := &remoteFixture{t: t, ref: ref, dir: filepath.Join(t.TempDir(), "srv"), home: t.TempDir()}
	for _, p := range []string{"ours", "theirs"} {
		f.must(ref, "--dir", f.dir, "pool", "create", p)
		f.must(ref, "--dir", f.dir, "feed", p, "--tag", "seed")
		for i, d := range remoteSeed {
			args := []string{"--dir", f.dir, "feed", p, d}
			if i%2 == 1 {
				args = append(args, "--tag", "x")
			}
			f.must(ref, args...)
		}
	}
	f.url, _ = reftest.Serve(t, serve, f.dir)
	return f
}

func (f *remoteFixture) env() []string {
	return []string{"HOME=" + f.home, "PLASMITE_ACCESS_HOME=" + filepath.Join(f.home, "access")}
}

func (f *remoteFixture) must(bin string, args ...string) {
	f.t.Helper()
	if r := runCLI(f.t, runOpts{bin: bin, env: f.env()}, args...); r.code != 0 {
		f.t.Fatalf("%v: exit %d: %s", args, r.code, r.stderr)
	}
}

var (
	timeRE = regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z`)
	ageRE  = regexp.MustCompile(`"(newest|oldest)_age_ms":\d+`)
	portRE = regexp.MustCompile(`127\.0\.0\.1:\d+`)
)

// norm masks what differs by design between the two runs.
func (f *remoteFixture) norm(s, _ string) string {
	s = strings.ReplaceAll(s, f.dir, "{D}")
	s = strings.ReplaceAll(s, f.url, "{U}")
	s = strings.ReplaceAll(strings.ReplaceAll(s, "ours", "{P}"), "theirs", "{P}")
	s = timeRE.ReplaceAllString(s, "{T}")
	s = ageRE.ReplaceAllString(s, `"${1}_age_ms":{N}`)
	return s
}

// normFrames masks the timestamps of a framed Lite3 output (PLS1 and
// 20-byte headers) or of nothing when it is not one.
func normFrames(b []byte) []byte {
	if !bytes.HasPrefix(b, []byte("PLS1")) {
		return b
	}
	out := append([]byte(nil), b...)
	for i := 4; i+20 <= len(out); {
		binary.BigEndian.PutUint64(out[i+8:], 0)
		n := int(binary.BigEndian.Uint32(out[i+16:]))
		i += 20 + n
	}
	return out
}

// step runs args (with {U} for the server and {P} for the client's pool)
// through both CLIs and reports a difference.
func (f *remoteFixture) step(args []string, stdin string) {
	f.t.Helper()
	run := func(bin, pool string) (string, string, int) {
		a := make([]string, len(args))
		for i, x := range args {
			a[i] = strings.ReplaceAll(strings.ReplaceAll(x, "{U}", f.url), "{P}", pool)
		}
		r := runCLI(f.t, runOpts{bin: bin, env: f.env(), stdin: stdin, timeout: 90 * time.Second}, a...)
		return f.norm(string(normFrames([]byte(r.stdout))), pool), f.norm(r.stderr, pool), r.code
	}
	oo, oe, oc := run(binPath, "ours")
	ro, re, rc := run(f.ref, "theirs")
	if oo != ro || oe != re || oc != rc {
		f.t.Errorf("%v differs from the reference:\n ours:      exit %d\n   stdout %q\n   stderr %q\n reference: exit %d\n   stdout %q\n   stderr %q",
			args, oc, oo, oe, rc, ro, re)
	}
}

func TestRemoteCLIMatchesReference(t *testing.T) { forServers(t, testRemoteCLI) }

func testRemoteCLI(t *testing.T, serve string) {
	f := newRemoteFixture(t, serve)
	floats := "{\"f\":6.702901074199331e+180}\n{\"f\":3.0000000000000004,\"g\":1e-300}\n{\"a\":[1.5,2e2,1e20]}\n"
	for _, s := range []struct {
		args  []string
		stdin string
	}{
		// feed: every record through append_lite3, the server's message as receipt
		{args: []string{"feed", "{U}/{P}", "--tag", "t1", `{"b":1,"a":[1.5,2e2,1e20,"x/<é>\u2028"],"n":null}`}},
		{args: []string{"feed", "{U}/{P}"}, stdin: floats},
		{args: []string{"feed", "{U}/{P}", "--durability", "flush", "--retry", "2", `{"d":1}`}},
		{args: []string{"feed", "{U}/{P}", "--format", "pretty", `{"p":{"q":[1,2]}}`}},
		{args: []string{"feed", "{U}/{P}", "--format", "lite3", `{"l":3}`}},
		{args: []string{"feed", "{U}/{P}", `{"data":{"c":1},"meta":{"tags":["m"]},"seq":9,"time":"2020-01-01T00:00:00Z"}`}},
		{args: []string{"feed", "{U}/{P}", "--create", `{"a":1}`}},
		{args: []string{"feed", "{U}/{P}", "--create-size", "1M", `{"a":1}`}},
		{args: []string{"feed", "{U}/nope{P}", `{"a":1}`}},
		{args: []string{"feed", "{U}/{P}", "[1]"}},
		{args: []string{"feed", "{U}/{P}", "--retry-delay", "5ms", `{"a":1}`}},
		{args: []string{"feed", "{U}/{P}", "--token", "t", `{"a":1}`}},
		// fetch
		{args: []string{"fetch", "{U}/{P}", "2"}},
		{args: []string{"fetch", "{U}/{P}", "3", "--format", "pretty"}},
		{args: []string{"--color", "always", "fetch", "{U}/{P}", "3", "--format", "pretty"}},
		{args: []string{"fetch", "{U}/{P}", "3", "--format", "yaml"}},
		{args: []string{"fetch", "{U}/{P}", "2", "--format", "lite3"}},
		{args: []string{"fetch", "{U}/{P}", "2", "--format", "lite3-raw"}},
		{args: []string{"fetch", "{U}/{P}", "999"}},
		{args: []string{"fetch", "{U}/{P}", "999", "--format", "lite3-raw"}},
		{args: []string{"fetch", "{U}/nope{P}", "1"}},
		// pool info and list
		{args: []string{"pool", "info", "{U}/{P}"}},
		{args: []string{"pool", "info", "{U}/{P}", "--format", "json"}},
		{args: []string{"pool", "info", "{U}/nope{P}"}},
		{args: []string{"pool", "info", "{U}"}},
		{args: []string{"pool", "list", "{U}"}},
		{args: []string{"pool", "list", "{U}/"}},
		{args: []string{"pool", "list", "{U}", "--format", "yaml"}},
		{args: []string{"pool", "list", "{U}/x"}},
		{args: []string{"pool", "list", "http://10.0.0.1:9700"}},
		{args: []string{"pool", "list", "https://127.0.0.1:9"}},
		{args: []string{"pool", "create", "{U}/{P}"}},
		{args: []string{"pool", "create", "x", "udp://127.0.0.1:9/{P}"}},
		// follow: history, filters, formats
		{args: []string{"follow", "{U}/{P}", "--tail", "3", "--no-follow"}},
		{args: []string{"follow", "{U}/{P}", "--no-follow"}},
		{args: []string{"follow", "{U}/{P}", "--no-follow", "--tag", "x"}},
		{args: []string{"follow", "{U}/{P}", "--no-follow", "--where", ".data.n == 2"}},
		{args: []string{"follow", "{U}/{P}", "--tail", "2", "--no-follow", "--format", "pretty"}},
		{args: []string{"follow", "{U}/{P}", "--tail", "2", "--no-follow", "--format", "yaml"}},
		{args: []string{"follow", "{U}/{P}", "--tail", "3", "--no-follow", "--format", "lite3"}},
		{args: []string{"follow", "{U}/{P}", "--since", "1h", "--no-follow"}},
		{args: []string{"follow", "{U}/{P}", "--tail", "2", "--one"}},
		{args: []string{"follow", "{U}/{P}", "--quiet-drops", "--no-follow", "--tail", "1"}},
		{args: []string{"follow", "{U}/{P}", "--timeout", "300ms"}},
		{args: []string{"follow", "{U}/{P}", "--create"}},
		{args: []string{"follow", "{U}/{P}", "--replay", "1", "--tail", "1"}},
		{args: []string{"follow", "{U}/{P}", "--no-notify", "--no-follow"}},
		{args: []string{"follow", "{U}/nope{P}", "--no-follow"}},
		{args: []string{"follow", "{U}/{P}", "--tls-skip-verify"}},
		{args: []string{"duplex", "{U}/{P}", "--create"}},
		{args: []string{"duplex", "{U}/nope{P}"}},
		// refs
		{args: []string{"fetch", "{U}/{P}?x=1", "1"}},
		{args: []string{"fetch", "{U}/pools/{P}", "1"}},
		{args: []string{"fetch", "{U}/v0/pools/{P}", "1"}},
		{args: []string{"fetch", "{U}/a%2F{P}", "1"}},
		{args: []string{"fetch", "{U}/", "1"}},
		{args: []string{"fetch", "http://:9700/{P}", "1"}},
		{args: []string{"fetch", "http://10.0.0.1:9700/{P}", "1"}},
		{args: []string{"fetch", "http://u:p@127.0.0.1:9700/{P}", "1"}},
		{args: []string{"fetch", "https://127.0.0.1:9/{P}", "1"}},
		{args: []string{"feed", "https://127.0.0.1:9/{P}", `{"a":1}`}},
		{args: []string{"fetch", "ftp://h/{P}", "1"}},
		{args: []string{"fetch", "HTTP://127.0.0.1:9/{P}", "1"}},
		{args: []string{"fetch", "udp://127.0.0.1:9/{P}", "1"}},
		{args: []string{"pool", "info", "udp://127.0.0.1:9/{P}"}},
		{args: []string{"pool", "delete", "{U}/{P}"}},
		{args: []string{"doctor", "{U}/{P}"}},
		{args: []string{"tap", "{U}/{P}", "--", "true"}},
	} {
		f.step(s.args, s.stdin)
	}
}

// A live follow of a remote pool: a follower started before an append
// prints it (the bare follow starts after the newest message).
func TestRemoteCLILiveFollow(t *testing.T) { forServers(t, testRemoteCLILive) }

func testRemoteCLILive(t *testing.T, serve string) {
	f := newRemoteFixture(t, serve)
	for _, args := range [][]string{
		{"follow", "{U}/{P}", "--one"},
		{"follow", "{U}/{P}", "--tag", "live", "--one", "--format", "pretty"},
	} {
		var outs []string
		for _, side := range []struct{ bin, pool string }{{binPath, "ours"}, {f.ref, "theirs"}} {
			a := make([]string, len(args))
			for i, x := range args {
				a[i] = strings.ReplaceAll(strings.ReplaceAll(x, "{U}", f.url), "{P}", side.pool)
			}
			cmd := exec.Command(side.bin, a...)
			cmd.Env = append(os.Environ(), f.env()...)
			var out, errb bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &errb
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			// Append until the follower has printed one: it may not have
			// connected yet when the first append lands.
			for i := 0; ; i++ {
				f.must(f.ref, "feed", f.url+"/"+side.pool, "--tag", "live", fmt.Sprintf(`{"live":%d}`, i))
				select {
				case err := <-done:
					if err != nil {
						t.Fatalf("%v: %v: %s", a, err, errb.String())
					}
				case <-time.After(300 * time.Millisecond):
					if i < 100 {
						continue
					}
					cmd.Process.Kill()
					t.Fatalf("%v printed nothing: %s", a, errb.String())
				}
				break
			}
			// Which append it caught depends on when it connected.
			o := regexp.MustCompile(`"(live|seq)": ?\d+`).ReplaceAllString(out.String(), `"$1":{N}`)
			outs = append(outs, f.norm(o, side.pool)+"|"+errb.String())
		}
		if outs[0] != outs[1] {
			t.Errorf("%v:\n ours      %q\n reference %q", args, outs[0], outs[1])
		}
	}
}
