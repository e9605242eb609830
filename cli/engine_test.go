package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// env is a scratch pool directory that every command of a test uses.
type env struct {
	t   *testing.T
	dir string
	bin string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	needEngine(t)
	return &env{t: t, dir: filepath.Join(t.TempDir(), "pools")}
}

func (e *env) run(args ...string) result {
	e.t.Helper()
	return e.runWith(runOpts{}, args...)
}

func (e *env) runWith(o runOpts, args ...string) result {
	e.t.Helper()
	o.bin = e.bin
	return runCLI(e.t, o, append([]string{"--dir", e.dir}, args...)...)
}

// must runs a command that has to succeed.
func (e *env) must(args ...string) result {
	e.t.Helper()
	r := e.run(args...)
	if r.code != 0 {
		e.t.Fatalf("%v: exit %d\nstdout: %s\nstderr: %s", args, r.code, r.stdout, r.stderr)
	}
	return r
}

func (e *env) path(name string) string { return e.dir + "/" + name + ".plasmite" }

func TestPoolCommands(t *testing.T) {
	e := newEnv(t)
	r := e.must("pool", "create", "demo")
	got := maskTimes(jsonOf(t, r.stdout))
	info := func(name string, oldest, newest int) map[string]any {
		bounds := map[string]any{}
		n := 0
		if newest > 0 {
			bounds = map[string]any{"oldest": jn(oldest), "newest": jn(newest)}
			n = newest - oldest + 1
		}
		return map[string]any{
			"bounds": bounds, "file_size": jn(1048576), "index_capacity": jn(4096), "index_offset": jn(4096),
			"index_size_bytes": jn(65536), "name": name, "path": e.path(name), "ring_offset": jn(69632), "ring_size": jn(978944),
			"metrics": map[string]any{
				"age":           map[string]any{"newest_age_ms": nil, "newest_time": nil, "oldest_age_ms": nil, "oldest_time": nil},
				"message_count": jn(n), "seq_span": jn(n),
				"utilization": map[string]any{"free_bytes": jn(978944), "used_bytes": jn(0), "used_percent": jsonNumber("0.0")},
			},
		}
	}
	want := map[string]any{"created": []any{info("demo", 0, 0)}}
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("pool create JSON (-want +got):\n%s", d)
	}
	r = e.run("pool", "create", "demo")
	env := errEnvelope(t, r.stderr)
	if r.code != 4 || env["kind"] != "AlreadyExists" || env["message"] != "pool already exists" || env["path"] != e.path("demo") {
		t.Fatalf("second create: %+v", r)
	}
	r = e.must("pool", "info", "demo")
	if d := cmp.Diff(info("demo", 0, 0), maskTimes(jsonOf(t, r.stdout))); d != "" {
		t.Fatalf("pool info (-want +got):\n%s", d)
	}
	if !isRef() { // --json is the v0 spelling 1.2.1 rejects
		if r2 := e.must("pool", "info", "demo", "--json"); r2.stdout != r.stdout {
			t.Fatalf("--json (v0 spelling) must give the same document")
		}
	}
	e.must("pool", "create", "--size", "64K", "b", "c")
	r = e.must("pool", "list")
	var names []string
	for _, p := range jsonOf(t, r.stdout).(map[string]any)["pools"].([]any) {
		m := p.(map[string]any)
		names = append(names, m["name"].(string))
		if m["path"] != e.path(m["name"].(string)) || m["mtime"] == nil {
			t.Fatalf("list entry %v", m)
		}
	}
	if !cmp.Equal(names, []string{"b", "c", "demo"}) {
		t.Fatalf("list names %v", names)
	}
	os.WriteFile(filepath.Join(e.dir, "ignored.txt"), []byte("x"), 0o644)
	r = e.run("pool", "delete", "b", "nope", "c")
	got = jsonOf(t, r.stdout)
	want = map[string]any{
		"deleted": []any{map[string]any{"path": e.path("b"), "pool": "b"}, map[string]any{"path": e.path("c"), "pool": "c"}},
		"failed": []any{map[string]any{"pool": "nope", "error": map[string]any{
			"kind": "NotFound", "message": "pool not found", "path": e.path("nope"), "hint": "Create the pool first or check --dir."}}},
	}
	if d := cmp.Diff(want, got); r.code != 3 || d != "" {
		t.Fatalf("pool delete (exit %d) (-want +got):\n%s", r.code, d)
	}
	r = e.run("pool", "info", "nope")
	env = errEnvelope(t, r.stderr)
	want = map[string]any{"kind": "NotFound", "message": "not found", "hint": "Create it first: plasmite pool create nope (or pass --dir for a different pool directory)."}
	if d := cmp.Diff(want, env); r.code != 3 || d != "" {
		t.Fatalf("missing info (-want +got):\n%s", d)
	}
}

func TestPoolHumanForms(t *testing.T) {
	e := newEnv(t)
	r := e.runWith(runOpts{ptyOut: true}, "pool", "create", "demo")
	if r.code != 0 || r.stdout != "Created demo (1M, 4096 index slots)\n  path: demo.plasmite\n" {
		t.Fatalf("create on a terminal: %q", r.stdout)
	}
	r = e.runWith(runOpts{ptyOut: true}, "pool", "info", "demo")
	want := "demo\n  path:      demo.plasmite\n  size:      1M (0 used, 0.00%)\n  messages:  empty\n  oldest:    —\n  newest:    —\n  index:     4096 slots (64K)\n  ring:      956K\n"
	if r.stdout != want {
		t.Fatalf("info on a terminal:\n%q\nwant\n%q", r.stdout, want)
	}
	r = e.must("--format", "pretty", "pool", "create", "x1")
	if r.stdout != "NAME  SIZE     INDEX  PATH       \nx1    1048576  4096   x1.plasmite\n" {
		t.Fatalf("create --format pretty piped: %q", r.stdout)
	}
}

// jn is a JSON number as the tests parse them.
func jn(n int) any { return jsonNumber(fmt.Sprint(n)) }

func TestFeedFetchFollow(t *testing.T) {
	e := newEnv(t)
	e.must("pool", "create", "demo")
	r := e.must("feed", "demo", `{"b":1,"a":[1.5,2e2,"x/<é>"]}`, "--tag", "t1", "--tag", "t2")
	m := maskTimes(jsonOf(t, r.stdout))
	want := map[string]any{"data": map[string]any{"a": []any{jsonNumber("1.5"), jsonNumber("200.0"), "x/<é>"}, "b": jn(1)},
		"meta": map[string]any{"tags": []any{"t1", "t2"}}, "seq": jn(1), "time": "<time>"}
	if d := cmp.Diff(want, m); d != "" {
		t.Fatalf("receipt (-want +got):\n%s", d)
	}
	if !strings.Contains(r.stdout, `200.0`) || strings.Count(r.stdout, "\n") != 1 {
		t.Fatalf("receipt must be one compact line keeping 200.0: %q", r.stdout)
	}
	r = e.runWith(runOpts{stdin: "{\"x\":1}\n\n{\"x\":2}\n"}, "feed", "demo")
	if lines := jsonLines(t, r.stdout); r.code != 0 || len(lines) != 2 {
		t.Fatalf("stdin JSONL: %+v", r)
	}
	r = e.must("fetch", "demo", "1")
	if d := cmp.Diff(want, maskTimes(jsonOf(t, r.stdout))); d != "" {
		t.Fatalf("fetch (-want +got):\n%s", d)
	}
	r = e.run("fetch", "demo", "99")
	env := errEnvelope(t, r.stderr)
	wantErr := map[string]any{"kind": "NotFound", "message": "message not found", "seq": jn(99),
		"hint": "Check available messages: plasmite pool info demo (or plasmite follow demo --tail 10)."}
	if d := cmp.Diff(wantErr, env); r.code != 3 || d != "" {
		t.Fatalf("fetch missing seq (-want +got):\n%s", d)
	}
	r = e.must("follow", "demo", "--tail", "2", "--no-follow")
	var seqs []string
	for _, l := range jsonLines(t, r.stdout) {
		seqs = append(seqs, fmt.Sprint(l.(map[string]any)["seq"]))
	}
	if !cmp.Equal(seqs, []string{"2", "3"}) {
		t.Fatalf("follow --tail 2 --no-follow: %v", seqs)
	}
	if !isRef() { // --data-only is a v0 flag 1.2.1 dropped
		r = e.must("follow", "demo", "--no-follow", "--data-only", "--where", ".data.x == 2")
		if r.stdout != "{\"x\":2}\n" {
			t.Fatalf("--data-only --where: %q", r.stdout)
		}
	}
	r = e.must("follow", "demo", "--no-follow", "--tag", "t2", "--format", "pretty")
	if !strings.HasPrefix(r.stdout, "{\n  \"data\": {\n") || !strings.Contains(r.stdout, "\"seq\": 1,") {
		t.Fatalf("--tag --format pretty: %q", r.stdout)
	}
	if !isRef() { // --jsonl is the v0 spelling 1.2.1 rejects
		r = e.must("follow", "demo", "--tail", "1", "--no-follow", "--jsonl")
		if len(jsonLines(t, r.stdout)) != 1 {
			t.Fatalf("--jsonl alias: %q", r.stdout)
		}
	}
	// the copy idiom: complete messages keep data and tags
	e.must("pool", "create", "copy")
	all := e.must("follow", "demo", "--no-follow").stdout
	r = e.runWith(runOpts{stdin: all}, "feed", "copy")
	if r.code != 0 {
		t.Fatalf("copy: %+v", r)
	}
	r = e.must("fetch", "copy", "1")
	if d := cmp.Diff(want, maskTimes(jsonOf(t, r.stdout))); d != "" {
		t.Fatalf("copied message (-want +got):\n%s", d)
	}
}

func TestFeedInputErrors(t *testing.T) {
	e := newEnv(t)
	e.must("pool", "create", "demo")
	for _, in := range []string{"[1]", "nojson", `"s"`} {
		r := e.run("feed", "demo", in)
		if env := errEnvelope(t, r.stderr); r.code != 2 || env["message"] != "unknown input format" {
			t.Fatalf("inline %s: %+v", in, r)
		}
	}
	r := e.runWith(runOpts{stdin: "{\"x\":1}\nnot-json\n{\"x\":3}\n"}, "feed", "demo")
	if env := errEnvelope(t, r.stderr); r.code != 2 || env["message"] != "JSON input requires message objects" || len(jsonLines(t, r.stdout)) != 1 {
		t.Fatalf("stream stop: %+v", r)
	}
	r = e.runWith(runOpts{stdin: "{\"a\":\n"}, "feed", "demo")
	if env := errEnvelope(t, r.stderr); r.code != 2 || env["message"] != "incomplete JSON message" {
		t.Fatalf("incomplete: %+v", r)
	}
	r = e.runWith(runOpts{stdin: "  \n"}, "feed", "demo")
	if r.code != 0 || r.stdout != "" {
		t.Fatalf("empty stream: %+v", r)
	}
	r = e.runWith(runOpts{stdin: `{"data":{"q":1},"meta":{"tags":["z"]},"seq":5,"time":"2020-01-01T00:00:00Z"}`}, "feed", "demo", "--tag", "x")
	if env := errEnvelope(t, r.stderr); r.code != 2 || env["message"] != "complete messages supply their own tags" {
		t.Fatalf("complete message + --tag: %+v", r)
	}
	r = e.run("feed", "nope", `{"a":1}`)
	env := errEnvelope(t, r.stderr)
	if r.code != 3 || env["path"] != e.path("nope") || env["hint"] != "Pool is missing. Retry with exact command: plasmite pool create nope" {
		t.Fatalf("missing pool: %+v", r)
	}
	r = e.run("feed", "new", "--create", "--create-size", "64K", `{"a":1}`)
	if r.code != 0 {
		t.Fatalf("--create: %+v", r)
	}
	if fi, err := os.Stat(e.path("new")); err != nil || fi.Size() != 64<<10 {
		t.Fatalf("--create-size: %v %v", fi, err)
	}
	if isRef() {
		return // the 1 MiB record limit is a v0 rule
	}
	e.must("pool", "create", "--size", "8M", "big")
	big := `{"a":"` + strings.Repeat("x", 1<<20) + `"}`
	r = e.runWith(runOpts{stdin: big}, "feed", "big")
	if env := errEnvelope(t, r.stderr); r.code != 2 || env["message"] != "record exceeds size limit" {
		t.Fatalf("oversize: %+v", r)
	}
}

// Our extensions beyond 1.2.1: v0 --in/--errors, json-seq and SSE intake.
func TestFeedStreamsExtensions(t *testing.T) {
	e := newEnv(t)
	extension(t, "json-seq, SSE, --in and --errors are v0 features 1.2.1 dropped")
	e.must("pool", "create", "demo")
	r := e.runWith(runOpts{stdin: "\x1e{\"MESSAGE\":\"a\"}\n\x1e{\"MESSAGE\":\"b\"}\n"}, "feed", "demo")
	if r.code != 0 || len(jsonLines(t, r.stdout)) != 2 {
		t.Fatalf("journald json-seq: %+v", r)
	}
	r = e.runWith(runOpts{stdin: "data: {\"a\":1}\n\ndata: {\"b\":2}\n"}, "feed", "demo")
	if r.code != 0 || len(jsonLines(t, r.stdout)) != 2 {
		t.Fatalf("SSE: %+v", r)
	}
	r = e.runWith(runOpts{stdin: "{\"x\":1}\nnot-json\n{\"x\":3}\n"}, "feed", "demo", "--errors", "skip", "--in", "jsonl")
	if r.code != 1 || len(jsonLines(t, r.stdout)) != 2 {
		t.Fatalf("--errors skip: %+v", r)
	}
	notices := jsonLines(t, r.stderr)
	if len(notices) != 2 {
		t.Fatalf("notices: %q", r.stderr)
	}
	skip := maskTimes(notices[0]).(map[string]any)["notice"]
	want := map[string]any{"cmd": "feed", "kind": "ingest_skip", "message": "Skipped invalid JSON.", "pool": "demo", "time": "<time>",
		"details": map[string]any{"error_kind": "Parse", "index": jn(2), "line": jn(2), "mode": "jsonl", "pool_path": e.path("demo"), "snippet": "not-json"}}
	if d := cmp.Diff(want, skip); d != "" {
		t.Fatalf("ingest_skip (-want +got):\n%s", d)
	}
	sum := notices[1].(map[string]any)["notice"].(map[string]any)
	if sum["kind"] != "ingest_summary" || sum["message"] != "Finished with 1 skipped record." {
		t.Fatalf("summary %v", sum)
	}
}

func TestConcurrentFeeds(t *testing.T) {
	e := newEnv(t)
	e.must("pool", "create", "multi")
	var wg sync.WaitGroup
	codes := make([]int, 8)
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			codes[i] = runCLI(t, runOpts{bin: e.bin}, "--dir", e.dir, "feed", "multi", fmt.Sprintf(`{"writer":%d}`, i)).code
		}(i)
	}
	wg.Wait()
	for i, c := range codes {
		if c != 0 {
			t.Fatalf("writer %d exit %d", i, c)
		}
	}
	r := e.must("follow", "multi", "--no-follow")
	var seqs, writers []string
	for _, l := range jsonLines(t, r.stdout) {
		m := l.(map[string]any)
		seqs = append(seqs, fmt.Sprint(m["seq"]))
		writers = append(writers, fmt.Sprint(m["data"].(map[string]any)["writer"]))
	}
	sort.Strings(writers)
	if !cmp.Equal(seqs, []string{"1", "2", "3", "4", "5", "6", "7", "8"}) || !cmp.Equal(writers, []string{"0", "1", "2", "3", "4", "5", "6", "7"}) {
		t.Fatalf("seqs %v writers %v", seqs, writers)
	}
}

// startFollow starts a follower and returns a line reader on its stdout.
func (e *env) start(args ...string) (*exec.Cmd, *bufio.Reader, *strings.Builder) {
	cmd, r, _, errb := e.startPipe(args...)
	return cmd, r, errb
}

func (e *env) startPipe(args ...string) (*exec.Cmd, *bufio.Reader, io.Closer, *strings.Builder) {
	e.t.Helper()
	bin := binPath
	if e.bin != "" {
		bin = e.bin
	}
	cmd := exec.Command(bin, append([]string{"--dir", e.dir}, args...)...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		e.t.Fatal(err)
	}
	var errb strings.Builder
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd, bufio.NewReader(out), out, &errb
}

func waitExit(t *testing.T, cmd *exec.Cmd, d time.Duration) int {
	t.Helper()
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	select {
	case <-done:
		return cmd.ProcessState.ExitCode()
	case <-time.After(d):
		t.Fatalf("process still running after %v", d)
	}
	return -1
}

// A CI gate: wait for the build to turn green.
func TestCIGate(t *testing.T) {
	e := newEnv(t)
	e.must("pool", "create", "ci")
	e.must("feed", "ci", `{"status":"running"}`)
	gate, out, _ := e.start("follow", "ci", "--where", `.data.status == "green"`, "--tail", "1", "--one")
	e.must("feed", "ci", `{"status":"red"}`)
	e.must("feed", "ci", `{"status":"green","build":7}`)
	line := readLineWithin(t, out, 30*time.Second)
	if code := waitExit(t, gate, 30*time.Second); code != 0 {
		t.Fatalf("gate exit %d", code)
	}
	m := jsonOf(t, line).(map[string]any)
	if m["data"].(map[string]any)["build"] != jn(7) {
		t.Fatalf("gate printed %v", m)
	}
}

func TestFollowLiveTimeoutAndPipe(t *testing.T) {
	e := newEnv(t)
	e.must("pool", "create", "demo")
	r := e.run("follow", "demo", "--timeout", "100ms")
	if r.code != 124 || r.stdout != "" || r.stderr != "" {
		t.Fatalf("timeout: %+v", r)
	}
	r = e.runWith(runOpts{ptyErr: true}, "follow", "demo", "--timeout", "50ms")
	if r.code != 124 || r.stderr != "" { // 1.2.1 prints nothing, even on a terminal
		t.Fatalf("timeout on a terminal: %+v", r)
	}
	r = e.run("follow", "fresh", "--create", "--timeout", "20ms")
	if _, err := os.Stat(e.path("fresh")); r.code != 124 || err != nil {
		t.Fatalf("follow --create: %+v %v", r, err)
	}
	// 1.2.1 waits for messages at or after a future --since (v0 exited at once)
	r = e.run("follow", "demo", "--since", "2999-01-01T00:00:00Z", "--timeout", "100ms")
	if r.code != 124 || r.stdout != "" {
		t.Fatalf("future --since: %+v", r)
	}
	// live follow: a message fed after the start arrives
	fol, out, _ := e.start("follow", "demo", "--tail", "1")
	e.must("feed", "demo", `{"n":1}`)
	if line := readLineWithin(t, out, 30*time.Second); !strings.Contains(line, `"n":1`) {
		t.Fatalf("live: %q", line)
	}
	_ = fol
}

// `pls follow x | head -1` ends quietly: no panic text, no error envelope.
func TestFollowBrokenPipeIsQuiet(t *testing.T) {
	e := newEnv(t)
	e.must("pool", "create", "demo")
	e.must("feed", "demo", `{"n":0}`)
	extension(t, "1.2.1 keeps running after its stdout reader is gone")
	cmd, out, closer, errb := e.startPipe("follow", "demo", "--tail", "1")
	readLineWithin(t, out, 30*time.Second)
	closer.Close()
	for i := 0; i < 3; i++ { // a write after the close hits EPIPE
		e.must("feed", "demo", `{"n":1}`)
	}
	code := waitExit(t, cmd, 30*time.Second)
	if errb.String() != "" {
		t.Fatalf("stderr after broken pipe: %q (exit %d)", errb.String(), code)
	}
}

// Deliberate difference: --where is real jq (gojq). The reference lacks
// select/test/length/has/any and errors on missing keys.
func TestWhereIsRealJQ_DiffersFromReference(t *testing.T) {
	e := newEnv(t)
	extension(t, "real jq")
	e.must("pool", "create", "logs")
	e.must("feed", "logs", `{"msg":"request timeout","code":504}`, "--tag", "http")
	e.must("feed", "logs", `{"msg":"ok","code":200,"extra":{"k":[1,2,3]}}`)
	cases := map[string][]string{
		`.data.msg | test("timeout")`:                 {"1"},
		`select(.data.code >= 500) | true`:            {"1"},
		`.data | has("extra")`:                        {"2"},
		`(.data.extra.k // []) | length == 3`:         {"2"},
		`any(.meta.tags[]; . == "http")`:              {"1"},
		`.data.missing == null`:                       {"1", "2"},
		`.data.code != 504`:                           {"2"},
		`.data.code == 200, .data.code == 504`:        {"1", "2"},
		`.data.msg | ascii_upcase | startswith("OK")`: {"2"},
	}
	for expr, want := range cases {
		r := e.must("follow", "logs", "--no-follow", "--where", expr)
		var got []string
		for _, l := range jsonLines(t, r.stdout) {
			got = append(got, fmt.Sprint(l.(map[string]any)["seq"]))
		}
		if !cmp.Equal(got, want) {
			t.Errorf("--where %s: got seqs %v, want %v", expr, got, want)
		}
	}
	r := e.must("follow", "logs", "--no-follow", "--where", ".seq > 0", "--where", `.data.code == 200`)
	if len(jsonLines(t, r.stdout)) != 1 {
		t.Fatalf("--where AND: %q", r.stdout)
	}
	r = e.run("follow", "logs", "--no-follow", "--where", ".data.code")
	env := errEnvelope(t, r.stderr)
	if r.code != 2 || env["message"] != "filter expression must yield booleans" || env["hint"] != "Expression `.data.code` yielded non-boolean value: 504" {
		t.Fatalf("non-boolean: %+v", r)
	}
	r = e.must("follow", "logs", "--no-follow", "--where", `error("boom")`)
	if r.stdout != "" {
		t.Fatalf("runtime error must mean no match: %q", r.stdout)
	}
}

func TestFollowReplayAndOne(t *testing.T) {
	e := newEnv(t)
	e.must("pool", "create", "demo")
	for i := 1; i <= 3; i++ {
		e.must("feed", "demo", fmt.Sprintf(`{"i":%d}`, i))
	}
	r := e.must("follow", "demo", "--tail", "3", "--replay", "0")
	if len(jsonLines(t, r.stdout)) != 3 {
		t.Fatalf("replay: %q", r.stdout)
	}
	r = e.must("follow", "demo", "--tail", "3", "--one")
	if l := jsonLines(t, r.stdout); len(l) != 1 || l[0].(map[string]any)["seq"] != jn(1) {
		t.Fatalf("--tail 3 --one: %q", r.stdout)
	}
	r = e.must("follow", "demo", "--since", "1h", "--no-follow")
	if len(jsonLines(t, r.stdout)) != 3 {
		t.Fatalf("--since: %q", r.stdout)
	}
}

func TestFollowMissingPoolHint(t *testing.T) {
	e := newEnv(t)
	r := e.run("follow", "nope", "--tail", "5", "--where", ".data.x == 1")
	env := errEnvelope(t, r.stderr)
	want := "Pool is missing. Retry with exact command: plasmite follow nope --create --tail 5 --where \".data.x == 1\" --format json"
	if r.code != 3 || env["hint"] != want || env["path"] != e.path("nope") {
		t.Fatalf("hint %q\nwant %q", env["hint"], want)
	}
}

func TestTap(t *testing.T) {
	e := newEnv(t)
	self, _ := os.Executable()
	r := e.runWith(runOpts{env: []string{"PLASMITE_TEST_HELPER=lines"}}, "tap", "build", "--create", "--tag", "ci", "--", self)
	if r.code != 3 || r.stdout != "out one\nunterminated" || r.stderr != "err one\n" {
		t.Fatalf("tap: %+v", r)
	}
	r = e.must("follow", "build", "--no-follow")
	lines := jsonLines(t, r.stdout)
	if len(lines) != 5 {
		t.Fatalf("tap messages: %q", r.stdout)
	}
	first := lines[0].(map[string]any)
	if d := cmp.Diff(map[string]any{"cmd": []any{self}, "kind": "start"}, first["data"]); d != "" {
		t.Fatalf("start (-want +got):\n%s", d)
	}
	var got []string
	for _, l := range lines[1:4] {
		m := l.(map[string]any)
		d := m["data"].(map[string]any)
		got = append(got, d["stream"].(string)+":"+d["line"].(string)+":"+fmt.Sprint(m["meta"].(map[string]any)["tags"]))
	}
	sort.Strings(got)
	if !cmp.Equal(got, []string{"stderr:err one:[ci]", "stdout:out one:[ci]", "stdout:unterminated:[ci]"}) {
		t.Fatalf("lines %v", got)
	}
	last := maskTimes(lines[4]).(map[string]any)
	if d := cmp.Diff(map[string]any{"code": jn(3), "elapsed_ms": "<ms>", "kind": "exit"}, last["data"]); d != "" {
		t.Fatalf("exit (-want +got):\n%s", d)
	}
	r = e.run("tap", "build", "--", "/no/such/cmd")
	if env := errEnvelope(t, r.stderr); r.code != 2 || env["message"] != "wrapped command not found: /no/such/cmd" {
		t.Fatalf("missing command: %+v", r)
	}
	r = e.run("tap", "build", "-q", "--", "sh", "-c", "kill -TERM $$")
	if r.code != 143 {
		t.Fatalf("signal exit: %+v", r)
	}
	r = e.must("follow", "build", "--tail", "1", "--no-follow")
	if m := jsonOf(t, r.stdout).(map[string]any)["data"].(map[string]any); m["signal"] != "SIGTERM" {
		t.Fatalf("signal message %v", m)
	}
}

func TestDoctor(t *testing.T) {
	e := newEnv(t)
	e.must("pool", "create", "good")
	e.must("feed", "good", `{"a":1}`)
	r := e.must("doctor", "good")
	rep := jsonOf(t, r.stdout).(map[string]any)["reports"].([]any)[0].(map[string]any)
	want := map[string]any{"issue_count": jn(0), "issues": []any{}, "last_good_seq": jn(1), "path": e.path("good"), "pool_ref": "good", "remediation_hints": []any{}, "snapshot_path": nil, "status": "ok"}
	if d := cmp.Diff(want, rep); d != "" {
		t.Fatalf("doctor (-want +got):\n%s", d)
	}
	e.must("pool", "create", "bad")
	f, _ := os.OpenFile(e.path("bad"), os.O_WRONLY, 0)
	f.WriteAt([]byte("NOPE"), 0)
	f.Close()
	r = e.run("doctor", "--all")
	reps := jsonOf(t, r.stdout).(map[string]any)["reports"].([]any)
	status := map[any]any{}
	for _, x := range reps {
		status[x.(map[string]any)["pool_ref"]] = x.(map[string]any)["status"]
	}
	if r.code != 7 || !cmp.Equal(status, map[any]any{e.path("bad"): "corrupt", e.path("good"): "ok"}) {
		t.Fatalf("doctor --all: %+v", r)
	}
	r = e.run("doctor", "missing")
	if r.code != 3 {
		t.Fatalf("doctor missing: %+v", r)
	}
}

func TestDuplexPipedInput(t *testing.T) {
	e := newEnv(t)
	e.must("pool", "create", "chat")
	r := e.runWith(runOpts{stdin: `{"from":"alice","msg":"ready"}`}, "duplex", "chat", "--me", "alice")
	if r.code != 0 || r.stdout != "" {
		t.Fatalf("duplex: %+v", r)
	}
	r = e.must("fetch", "chat", "1")
	if d := jsonOf(t, r.stdout).(map[string]any)["data"].(map[string]any); d["msg"] != "ready" {
		t.Fatalf("sent %v", d)
	}
	r = e.runWith(runOpts{ptyIn: true}, "duplex", "chat")
	if env := errEnvelope(t, r.stderr); r.code != 2 || env["message"] != "TTY input requires --me for duplex" {
		t.Fatalf("tty without --me: %+v", r)
	}
}

// SIGTERM sent to tap reaches the wrapped command; tap exits 128+15 and
// records the signal.
func TestTapForwardsSignals(t *testing.T) {
	e := newEnv(t)
	self, _ := os.Executable()
	bin := binPath
	if e.bin != "" {
		bin = e.bin
	}
	e.must("pool", "create", "svc")
	cmd := exec.Command(bin, "--dir", e.dir, "tap", "svc", "-q", "--", self)
	cmd.Env = append(os.Environ(), "PLASMITE_TEST_HELPER=sleep")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })
	// the start message is written once the child runs
	r := runCLI(t, runOpts{bin: e.bin, timeout: 30 * time.Second}, "--dir", e.dir, "follow", "svc", "--tail", "1", "--one", "--where", `.data.kind == "start"`)
	if r.code != 0 {
		t.Fatalf("no start message: %+v", r)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	if code := waitExit(t, cmd, 30*time.Second); code != 143 {
		t.Fatalf("tap exit %d, want 143", code)
	}
	last := jsonOf(t, e.must("follow", "svc", "--tail", "1", "--no-follow").stdout).(map[string]any)["data"].(map[string]any)
	if last["kind"] != "exit" || last["signal"] != "SIGTERM" {
		t.Fatalf("exit message %v", last)
	}
}

// --no-notify polls and still sees new messages; --quiet-drops is accepted.
func TestFollowNoNotify(t *testing.T) {
	e := newEnv(t)
	e.must("pool", "create", "demo")
	e.must("feed", "demo", `{"n":0}`)
	_, out, _ := e.start("follow", "demo", "--tail", "1", "--no-notify", "--quiet-drops", "--format", "json")
	readLineWithin(t, out, 30*time.Second)
	e.must("feed", "demo", `{"n":1}`)
	if l := readLineWithin(t, out, 30*time.Second); !strings.Contains(l, `"n":1`) {
		t.Fatalf("polling follower got %q", l)
	}
}

// A live stream (journalctl -f, tail -f) gets each record stored and
// acknowledged as soon as it arrives, without waiting for the next one.
func TestFeedLiveStreamAcknowledgesEachRecord(t *testing.T) {
	for _, c := range []struct{ name, rec string }{
		{"jsonl", "{\"n\":%d}\n"},
		{"pretty", "{\n  \"n\": %d\n}\n"},
		{"json-seq", "\x1e{\"n\":%d}\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.name == "json-seq" {
				extension(t, "json-seq input")
			}
			e := newEnv(t)
			e.must("pool", "create", "live")
			bin := binPath
			if e.bin != "" {
				bin = e.bin
			}
			cmd := exec.Command(bin, "--dir", e.dir, "feed", "live")
			in, _ := cmd.StdinPipe()
			outp, _ := cmd.StdoutPipe()
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
			out := bufio.NewReader(outp)
			for i := 1; i <= 3; i++ {
				fmt.Fprintf(in, c.rec, i)
				l := readLineWithin(t, out, 30*time.Second)
				if !strings.Contains(l, fmt.Sprintf(`"n":%d`, i)) {
					t.Fatalf("receipt %d: %q", i, l)
				}
			}
			in.Close()
			if code := waitExit(t, cmd, 30*time.Second); code != 0 {
				t.Fatalf("exit %d", code)
			}
		})
	}
}

// Lite3 round trips: follow --format lite3 | feed copies messages in their
// binary form; fetch --format lite3-raw | feed --input-format lite3-raw too.
func TestFeedLite3Input(t *testing.T) {
	e := newEnv(t)
	e.must("pool", "create", "src")
	e.must("pool", "create", "dst")
	e.must("feed", "src", `{"a":1,"f":2.5}`, "--tag", "x")
	e.must("feed", "src", `{"b":"two"}`)
	frames := e.must("follow", "src", "--no-follow", "--format", "lite3").stdout
	if !strings.HasPrefix(frames, "PLS1") {
		t.Fatalf("frames %q", frames)
	}
	if r := e.runWith(runOpts{stdin: frames}, "feed", "dst"); r.code != 0 || len(jsonLines(t, r.stdout)) != 2 {
		t.Fatalf("feed frames: %+v", r)
	}
	raw := e.must("fetch", "src", "1", "--format", "lite3-raw").stdout
	if r := e.runWith(runOpts{stdin: raw}, "feed", "dst", "--input-format", "lite3-raw"); r.code != 0 {
		t.Fatalf("feed raw: %+v", r)
	}
	got := maskTimes(jsonLines(t, e.must("follow", "dst", "--no-follow").stdout))
	src := maskTimes(jsonLines(t, e.must("follow", "src", "--no-follow").stdout)).([]any)
	want := append(src, src[0])
	for i := range want { // seqs are the destination's own
		want[i] = copyWithSeq(want[i], i+1)
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("copied (-want +got):\n%s", d)
	}
	r := e.runWith(runOpts{stdin: raw}, "feed", "dst", "--input-format", "lite3-raw", "--tag", "t")
	if env := errEnvelope(t, r.stderr); r.code != 2 || env["message"] != "binary input requires a file or pipe of complete messages" {
		t.Fatalf("--tag with Lite3: %+v", r)
	}
}

func copyWithSeq(v any, seq int) any {
	m := map[string]any{}
	for k, x := range v.(map[string]any) {
		m[k] = x
	}
	m["seq"] = jn(seq)
	return m
}

func TestIndexCapacity(t *testing.T) {
	e := newEnv(t)
	r := e.must("pool", "create", "--index-capacity", "4096", "auto")
	if !strings.Contains(r.stdout, `"index_capacity":4096`) {
		t.Fatalf("%s", r.stdout)
	}
	r = e.run("pool", "create", "--size", "64K", "--index-capacity", "4096", "big")
	if env := errEnvelope(t, r.stderr); r.code != 2 || env["message"] != "index capacity is too large for pool size" {
		t.Fatalf("too large: %+v", r)
	}
	r = e.must("pool", "create", "--index-capacity", "16", "small")
	if !strings.Contains(r.stdout, `"index_capacity":16`) || !strings.Contains(r.stdout, `"ring_offset":4352`) {
		t.Fatalf("chosen capacity: %s", r.stdout)
	}
	r = e.must("pool", "create", "--index-capacity", "0", "noindex")
	if !strings.Contains(r.stdout, `"index_capacity":0`) {
		t.Fatalf("no index: %s", r.stdout)
	}
	e.must("feed", "noindex", `{"n":1}`)
	if r := e.must("fetch", "noindex", "1"); !strings.Contains(r.stdout, `"n":1`) {
		t.Fatalf("get without an index: %s", r.stdout)
	}
}
