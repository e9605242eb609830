package mcp

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/plasmite-go/plasmite/internal/reftest"
	"github.com/plasmite-go/plasmite/server"
)

// A differential case: one JSON-RPC message sent to both implementations
// in the same order, so that both directories go through the same history.
type rpcCase struct {
	msg    string
	notify bool // no response is expected (stdio: none is read)
	// why, when set, names a deliberate difference (docs/server.md §MCP):
	// both must still answer, but the bodies may differ. httpWhy is one
	// on HTTP only (the statuses may differ too).
	why, httpWhy string
}

// sequence builds the cases with increasing ids.
type sequence struct {
	cases []rpcCase
	id    int
}

func (s *sequence) add(method, params string) *sequence {
	s.id++
	m := fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"method":%q`, s.id, method)
	if params != "" {
		m += `,"params":` + params
	}
	s.cases = append(s.cases, rpcCase{msg: m + "}"})
	return s
}

func (s *sequence) raw(msg string) *sequence {
	s.cases = append(s.cases, rpcCase{msg: msg})
	return s
}

func (s *sequence) notify(msg string) *sequence {
	s.cases = append(s.cases, rpcCase{msg: msg, notify: true})
	return s
}

func (s *sequence) tool(name, args string) *sequence {
	if args == "" {
		return s.add("tools/call", `{"name":"`+name+`"}`)
	}
	return s.add("tools/call", `{"name":"`+name+`","arguments":`+args+`}`)
}

// differs marks the last case as a deliberate difference.
func (s *sequence) differs(why string) *sequence {
	s.cases[len(s.cases)-1].why = why
	return s
}

// httpDiffers marks the last case as a deliberate difference on HTTP.
func (s *sequence) httpDiffers(why string) *sequence {
	s.cases[len(s.cases)-1].httpWhy = why
	return s
}

const (
	whyDelete = "deleting a missing pool: 1.2.1's error has no message (text `NotFound. …`); ours says `not found`, as our HTTP delete"
	whyStored = "plasmite_feed answers with the message as stored: an integer beyond int64 is stored as a float, which " +
		"fetch and read return; 1.2.1 echoes the input's integer"
	whyTrailing = "a POST body with text after its JSON value is 400, as on our other routes (1.2.1 reads the first value and ignores the rest)"
	whyDots     = "pool names `.` and `..` are refused, as by our HTTP server (1.2.1 creates `..plasmite` / `...plasmite`)"
)

// rpcCases is the JSON-RPC history both transports replay: every method,
// every tool with its argument errors and storage errors, resources, and
// waits that time out or find what they wait for at once.
func rpcCases() []rpcCase {
	s := &sequence{}
	s.add("initialize", `{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}`)
	s.notify(`{"jsonrpc":"2.0","method":"notifications/initialized"}`)
	s.add("notifications/initialized", "")
	s.add("ping", "").add("ping", "null").add("ping", "[1]").add("initialize", "5").add("tools/list", `"x"`)
	s.raw(`{"jsonrpc":"2.0","id":"s\u0041","method":"ping"}`).raw(`{"jsonrpc":"2.0","id":null,"method":"ping"}`)
	s.raw(`{"jsonrpc":"2.0","id":1.5,"method":"ping"}`).raw(`{"jsonrpc":"2.0","id":-0,"method":"ping"}`)
	s.raw(`{"jsonrpc":"2.0","id":-7,"method":"ping"}`).raw(`{"jsonrpc":"2.0","id":18446744073709551615,"method":"ping"}`)
	s.raw(`{"jsonrpc":"2.0","id":true,"method":"ping"}`).raw(`{"jsonrpc":"2.0","id":[1],"method":"ping"}`)
	s.raw(`{"id":3,"method":"ping"}`).raw(`{"jsonrpc":"1.0","id":3,"method":"ping"}`).raw(`{"jsonrpc":2,"id":3,"method":"ping"}`)
	s.raw(`{"jsonrpc":"2.0","id":3}`).raw(`{"jsonrpc":"2.0","id":3,"method":5}`).raw(`{"jsonrpc":"2.0","method":5}`)
	s.raw(`[{"jsonrpc":"2.0","id":3,"method":"ping"}]`).raw(`"ping"`).raw(`not json`).raw(`{"jsonrpc":"2.0","id":1,"method":"ping"} x`).httpDiffers(whyTrailing)
	s.raw(`{"jsonrpc":"2.0","id":"\ud800","method":"ping"}`).raw(`{"jsonrpc":"2.0","id":"\ud83d\ude00","method":"ping"}`)
	s.raw(`{"jsonrpc":"2.0","id":1,"id":2,"method":"ping"}`).raw(`{"jsonrpc":"2.0","id":1e400,"method":"ping"}`)
	s.raw(`{"jsonrpc":"2.0","id":4,"method":"ping","params":{"a":` + strings.Repeat("[", 125) + strings.Repeat("]", 125) + `}}`)
	s.raw(`{"jsonrpc":"2.0","id":4,"method":"ping","params":{"a":` + strings.Repeat("[", 126) + strings.Repeat("]", 126) + `}}`)
	s.add("nope", "").add("tools/call", "").add("tools/call", "{}").add("tools/call", `{"name":5}`)
	s.add("tools/call", `{"name":"plasmite_pool_list","arguments":[]}`).add("tools/call", `{"name":"plasmite_pool_list","arguments":null}`)
	s.add("tools/call", `{"name":"nope"}`)
	s.add("tools/list", "").add("tools/list", "{}")
	s.add("resources/list", "").tool(toolPoolList, "").tool(toolPoolList, `{"x":1}`)

	// Pools.
	s.tool(toolPoolCreate, `{"name":"demo"}`).tool(toolPoolCreate, `{"name":"demo"}`)
	s.tool(toolPoolCreate, `{"name":"other","size":2097152}`).tool(toolPoolCreate, `{"name":"tiny","size":131072}`)
	s.tool(toolPoolCreate, `{"name":"empty"}`).tool(toolPoolCreate, `{"name":"x.plasmite"}`)
	s.tool(toolPoolCreate, `{"name":"a/b"}`).tool(toolPoolCreate, `{"name":""}`).tool(toolPoolCreate, `{"name":"a\u0000b"}`)
	s.tool(toolPoolCreate, `{"name":".."}`).differs(whyDots).tool(toolPoolDelete, `{"pool":".."}`).differs(whyDots)
	s.tool(toolPoolCreate, `{"name":"s","size":10}`).tool(toolPoolCreate, `{"name":"s","size":0}`)
	s.tool(toolPoolCreate, `{"name":"s","size":-1}`).tool(toolPoolCreate, `{"name":"s","size":1.5}`)
	s.tool(toolPoolCreate, `{"name":"s","size":"1"}`).tool(toolPoolCreate, `{"name":"s","size":null}`)
	s.tool(toolPoolCreate, `{"name":5}`).tool(toolPoolCreate, `{}`).tool(toolPoolCreate, `{"name":"s","zz":1,"b":2}`)
	s.tool(toolPoolInfo, `{"pool":"demo"}`).tool(toolPoolInfo, `{"pool":"x"}`).tool(toolPoolInfo, `{"pool":"nope"}`)
	s.tool(toolPoolInfo, `{}`).tool(toolPoolInfo, `{"pool":"demo","x":1}`).tool(toolPoolInfo, `{"pool":"a/b"}`)
	s.tool(toolPoolList, "")

	// Feeds.
	s.tool(toolFeed, `{"pool":"demo","data":{"z":1,"a":[1.5,"x"]},"tags":[" t1 ","t2"]}`)
	s.tool(toolFeed, `{"pool":"demo","data":{"n":18446744073709551615,"m":-9223372036854775808,"f":1e2,"g":-0.0,"h":1.50,`+
		`"s":"<é>\u2028\"\\","u":"\ud83d\ude00","o":{"b":null,"a":true}}}`).differs(whyStored)
	s.tool(toolFeed, `{"pool":"demo","data":{"k":3},"tags":["t1"]}`)
	s.tool(toolFeed, `{"pool":"demo","data":[1]}`).tool(toolFeed, `{"pool":"demo","data":null}`).tool(toolFeed, `{"pool":"demo"}`)
	s.tool(toolFeed, `{"pool":"demo","data":{},"tags":[""]}`).tool(toolFeed, `{"pool":"demo","data":{},"tags":[" a ",5]}`)
	s.tool(toolFeed, `{"pool":"demo","data":{},"tags":"x"}`).tool(toolFeed, `{"pool":"demo","data":{},"create":"yes"}`)
	s.tool(toolFeed, `{"pool":"demo","data":{},"create":null,"tags":[]}`)
	s.tool(toolFeed, `{"pool":"nope","data":{}}`).tool(toolFeed, `{"pool":"nope","data":[1]}`)
	s.tool(toolFeed, `{"pool":"fresh","data":{"x":1},"create":true}`).tool(toolFeed, `{"pool":"fresh2","data":5,"create":true}`)
	s.tool(toolFeed, `{"pool":"a/b","data":{}}`).tool(toolFeed, `{"data":{},"pool":7}`).tool(toolFeed, `{"pool":"demo","data":{},"where":1}`)
	s.notify(`{"jsonrpc":"2.0","method":"tools/call","params":{"name":"plasmite_feed","arguments":{"pool":"demo","data":{"quiet":1}}}}`)

	// Fetches and reads.
	s.tool(toolFetch, `{"pool":"demo","seq":1}`).tool(toolFetch, `{"pool":"demo","seq":2}`).tool(toolFetch, `{"pool":"demo","seq":4}`)
	s.tool(toolFetch, `{"pool":"demo","seq":99}`).tool(toolFetch, `{"pool":"demo","seq":0}`).tool(toolFetch, `{"pool":"demo"}`)
	s.tool(toolFetch, `{"pool":"demo","seq":-1}`).tool(toolFetch, `{"pool":"demo","seq":"1"}`).tool(toolFetch, `{"pool":"nope","seq":1}`)
	s.tool(toolRead, `{"pool":"demo"}`).tool(toolRead, `{"pool":"demo","count":1}`).tool(toolRead, `{"pool":"demo","count":2,"after_seq":0}`)
	s.tool(toolRead, `{"pool":"demo","count":0}`).tool(toolRead, `{"pool":"demo","count":201}`).tool(toolRead, `{"pool":"demo","count":null}`)
	s.tool(toolRead, `{"pool":"demo","after_seq":1}`).tool(toolRead, `{"pool":"demo","after_seq":4}`).tool(toolRead, `{"pool":"demo","after_seq":99}`)
	s.tool(toolRead, `{"pool":"demo","after_seq":18446744073709551615}`).tool(toolRead, `{"pool":"demo","after_seq":-1}`)
	s.tool(toolRead, `{"pool":"demo","tags":["t1"]}`).tool(toolRead, `{"pool":"demo","tags":["t1","t2"]}`).tool(toolRead, `{"pool":"demo","tags":["zzz"]}`)
	s.tool(toolRead, `{"pool":"demo","tags":["t1"],"after_seq":1}`).tool(toolRead, `{"pool":"demo","tags":["t1"],"count":1}`)
	s.tool(toolRead, `{"pool":"demo","tags":[" "]}`).tool(toolRead, `{"pool":"demo","where":".x"}`).tool(toolRead, `{"pool":"demo","zz":1,"where":1}`)
	for _, since := range []string{"5m", "5M", " 2d ", "0s", "1000000d", "18446744073709551615d", "99999999999999999999s",
		"2024-01-15T00:00:00Z", "2024-01-15t00:00:00z", "2024-01-15 00:00:00+01:00", "1969-12-31T23:59:59Z",
		"9999-12-31T23:59:59Z", "2024-01-15T00:00:00.123456789123Z", "2016-12-31T23:59:60Z", "2024-01-15T00:00:60Z",
		"2024-02-30T00:00:00Z", "2024-02-29T00:00:00-23:59", "2024-01-15T00:00:00+24:00", "2024-01-15T00:00Z",
		"2024-01-15T00:00:00.Z", "5", "m", "-5m", "+5m", "5w", "5mm", "", "٣m"} {
		s.tool(toolRead, fmt.Sprintf(`{"pool":"demo","since":%q}`, since))
	}
	s.tool(toolRead, `{"pool":"demo","since":5}`).tool(toolRead, `{"pool":"demo","since":null}`)
	s.tool(toolRead, `{"pool":"empty"}`).tool(toolRead, `{"pool":"empty","after_seq":3}`).tool(toolRead, `{"pool":"nope"}`)

	// Resources.
	s.add("resources/list", "").add("resources/list", "[]")
	s.add("resources/read", `{"uri":"plasmite:///pools/demo"}`).add("resources/read", `{"uri":"plasmite:///pools/empty"}`)
	for _, uri := range []string{"plasmite:///pools/nope", "plasmite://h/pools/demo", "plasmite:///pools/demo?x", "plasmite:///pools/demo#f",
		"plasmite:///pools/demo?", "http:///pools/demo", "/pools/demo", "plasmite:///pools/", "plasmite:///pools/a/b",
		"plasmite:///other/demo", "plasmite:pools/demo", "PLASMITE:///pools/demo", "plasmite:///pools/a%2Fb", "plasmite:///pools/.."} {
		s.add("resources/read", fmt.Sprintf(`{"uri":%q}`, uri))
	}
	s.add("resources/read", `{}`).add("resources/read", ``).add("resources/read", `{"uri":5}`)

	// Waits that need no other writer.
	s.tool(toolWait, `{"pool":"demo","timeout_ms":100}`).tool(toolWait, `{"pool":"demo","after_seq":0,"count":2}`)
	s.tool(toolWait, `{"pool":"demo","after_seq":1,"tags":["t1"]}`).tool(toolWait, `{"pool":"demo","after_seq":0,"tags":["zzz"],"timeout_ms":50}`)
	s.tool(toolWait, `{"pool":"empty","timeout_ms":0}`).tool(toolWait, `{"pool":"demo","after_seq":18446744073709551615,"timeout_ms":20}`)
	s.tool(toolWait, `{"pool":"demo","count":0}`).tool(toolWait, `{"pool":"demo","timeout_ms":60001}`).tool(toolWait, `{"pool":"demo","timeout_ms":-1}`)
	s.tool(toolWait, `{"pool":"nope","timeout_ms":10}`).tool(toolWait, `{"pool":"demo","since":"5m"}`).tool(toolWait, `{}`)

	// A ring that overwrote its oldest messages.
	for i := 0; i < 600; i++ {
		s.notify(`{"jsonrpc":"2.0","method":"tools/call","params":{"name":"plasmite_feed","arguments":{"pool":"tiny","data":` +
			`{"pad":"0123456789012345678901234567890123456789012345678901234567890123456789"}}}}`)
	}
	s.tool(toolRead, `{"pool":"tiny","after_seq":0,"count":1}`).tool(toolRead, `{"pool":"tiny","count":1}`)
	s.tool(toolWait, `{"pool":"tiny","after_seq":0,"count":1}`).tool(toolFetch, `{"pool":"tiny","seq":1}`)

	// Deletes.
	s.tool(toolPoolDelete, `{"pool":"fresh"}`).tool(toolPoolDelete, `{"pool":"fresh"}`).differs(whyDelete)
	s.tool(toolPoolDelete, `{"pool":"a/b"}`).tool(toolPoolDelete, `{}`).tool(toolPoolInfo, `{"pool":"fresh"}`)
	s.add("resources/list", "").tool(toolPoolList, "")
	return s.cases
}

// TestDifferentialStdio replays rpcCases through `plasmite --dir D mcp` of
// 1.2.1 and of this build: the same responses, line by line, with times,
// ages, the version and the directory masked.
func TestDifferentialStdio(t *testing.T) {
	root := t.TempDir()
	refDir, ourDir := filepath.Join(root, "ref"), filepath.Join(root, "ours")
	ref := startStdio(t, reftest.Bin(t), refDir)
	ours := startStdio(t, ourBin(t), ourDir)
	for _, c := range rpcCases() {
		ref.send(c.msg)
		ours.send(c.msg)
		if c.notify {
			continue
		}
		r, o := masked(ref.recv(), refDir), masked(ours.recv(), ourDir)
		if c.why == "" && r != o {
			t.Errorf("%s\n ref  %.600s\n ours %.600s", c.msg, r, o)
		}
	}
}

// TestDifferentialHTTP replays rpcCases through POST /mcp of 1.2.1's local
// listener and of our server: the same statuses, content types and bodies.
func TestDifferentialHTTP(t *testing.T) {
	root := t.TempDir()
	refDir, ourDir := filepath.Join(root, "ref"), filepath.Join(root, "ours")
	refBase := serveBin(t, reftest.Bin(t), refDir)
	_, ourBase := ourServer(t, ourDir, server.Options{})
	for _, c := range rpcCases() {
		if c.httpWhy != "" {
			if r := post(t, ourBase, c.msg, withVersion); r.status != 400 || r.header.Get("Plasmite-Version") != "0" {
				t.Errorf("%s: want our 400 envelope (%s), got %d %s", c.msg, c.httpWhy, r.status, r.body)
			}
			post(t, refBase, c.msg, withVersion)
			continue
		}
		compareHTTP(t, c.msg, c.why, refBase, refDir, ourBase, ourDir, withVersion)
	}
}

// compareHTTP posts body with headers to both servers and compares the
// answers; why names a deliberate difference (statuses still agree).
func compareHTTP(t *testing.T, body, why, refBase, refDir, ourBase, ourDir string, headers ...string) {
	t.Helper()
	r, o := post(t, refBase, body, headers...), post(t, ourBase, body, headers...)
	name := body + " " + strings.Join(headers, "; ")
	if r.status != o.status {
		t.Errorf("%.300s: status ref %d ours %d\n ref  %.300s\n ours %.300s", name, r.status, o.status, r.body, o.body)
		return
	}
	if strings.HasPrefix(r.header.Get("Content-Type"), "text/plain") {
		// 1.2.1's framework rejection (invalid JSON, wrong content
		// type): ours is the server's error envelope, same status.
		if o.header.Get("Content-Type") != "application/json" || o.header.Get("Plasmite-Version") != "0" ||
			!strings.HasPrefix(o.body, `{"error":{"kind":"Usage"`) {
			t.Errorf("%.300s: %d: ours is no envelope: %v %.300s", name, o.status, o.header, o.body)
		}
		return
	}
	if rv, ov := r.header.Get("Plasmite-Version"), o.header.Get("Plasmite-Version"); rv != ov {
		t.Errorf("%.300s: plasmite-version ref %q ours %q", name, rv, ov)
	}
	if why != "" {
		return
	}
	if rc, oc := r.header.Get("Content-Type"), o.header.Get("Content-Type"); rc != oc {
		t.Errorf("%.300s: content-type ref %q ours %q", name, rc, oc)
	}
	if rb, ob := masked(r.body, refDir), masked(o.body, ourDir); rb != ob {
		t.Errorf("%.300s: status %d\n ref  %.600s\n ours %.600s", name, r.status, rb, ob)
	}
}

// TestDifferentialCorruptPools: a pool file that is not a pool fails
// listing, info, reads and resources on both implementations with
// Corrupt; ours also names the file (and says what is wrong with a file
// too short for a header), a deliberate difference (docs/server.md §MCP).
func TestDifferentialCorruptPools(t *testing.T) {
	root := t.TempDir()
	kinds := map[string][]string{}
	for name, bin := range map[string]string{"ref": reftest.Bin(t), "ours": ourBin(t)} {
		dir := filepath.Join(root, name)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, "bad.plasmite"), bytes.Repeat([]byte("x"), 5000), 0o644)
		os.WriteFile(filepath.Join(dir, "short.plasmite"), []byte("hi\n"), 0o644)
		p := startStdio(t, bin, dir)
		for _, msg := range []string{
			toolCall(1, toolPoolList, `{}`), toolCall(2, toolPoolInfo, `{"pool":"bad"}`), toolCall(3, toolRead, `{"pool":"short"}`),
			toolCall(4, toolFeed, `{"pool":"bad","data":{}}`), `{"jsonrpc":"2.0","id":5,"method":"resources/list"}`,
			`{"jsonrpc":"2.0","id":6,"method":"resources/read","params":{"uri":"plasmite:///pools/bad"}}`,
		} {
			p.send(msg)
			var r struct {
				Result struct {
					IsError           bool
					StructuredContent struct {
						ErrorKind string `json:"error_kind"`
					}
				}
				Error struct {
					Code int
					Data struct {
						ErrorKind string `json:"error_kind"`
					}
				}
			}
			line := p.recv()
			if err := json.Unmarshal([]byte(line), &r); err != nil {
				t.Fatal(err)
			}
			kind := r.Result.StructuredContent.ErrorKind + r.Error.Data.ErrorKind
			if name == "ours" && !strings.Contains(line, `"path":"`) {
				t.Errorf("%s: no path: %s", msg, line)
			}
			kinds[name] = append(kinds[name], kind+" "+strconv.Itoa(r.Error.Code)+" "+strconv.FormatBool(r.Result.IsError))
		}
	}
	if strings.Join(kinds["ref"], ",") != strings.Join(kinds["ours"], ",") {
		t.Errorf("kinds:\n ref  %v\n ours %v", kinds["ref"], kinds["ours"])
	}
}
