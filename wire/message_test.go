package wire

import (
	"strconv"
	"testing"
	"time"

	"github.com/plasmite-go/plasmite/core"
	"github.com/plasmite-go/plasmite/core/jsonfmt"
	"github.com/plasmite-go/plasmite/core/lite3"
)

// message encodes data with tags as a stored message would hold it.
func message(t testing.TB, seq uint64, unixNanos int64, data string, tags ...string) core.Message {
	t.Helper()
	doc, err := lite3.EncodeMessage(nil, []byte(data), tags)
	if err != nil {
		t.Fatal(err)
	}
	return core.Message{Seq: seq, Time: unixNanos, Payload: doc}
}

var when = time.Date(2026, 12, 1, 17, 11, 18, 460425511, time.UTC).UnixNano()

func TestAppendMessageShapes(t *testing.T) {
	m := message(t, 7, when, `{"z":1,"a":{"y":[true,null],"b":"é<&>"}}`, "build", "green")
	got, err := AppendMessage(nil, m, jsonfmt.Compact)
	want := `{"data":{"a":{"b":"é<&>","y":[true,null]},"z":1},"meta":{"tags":["build","green"]},"seq":7,"time":"2026-12-01T17:11:18.460425511Z"}`
	if err != nil || string(got) != want {
		t.Errorf("envelope\n got  %s %v\n want %s", got, err, want)
	}
	got, err = AppendData([]byte("x"), m, jsonfmt.Compact)
	if err != nil || string(got) != `x{"a":{"b":"é<&>","y":[true,null]},"z":1}` {
		t.Errorf("data only: %s %v", got, err)
	}
	// The C ABI keeps declaration order (remote-abi-bindings.md §0).
	got, err = AppendMessageABI([]byte("x"), m)
	want = `x{"seq":7,"time":"2026-12-01T17:11:18.460425511Z","meta":{"tags":["build","green"]},"data":{"a":{"b":"é<&>","y":[true,null]},"z":1}}`
	if err != nil || string(got) != want {
		t.Errorf("ABI envelope\n got  %s %v\n want %s", got, err, want)
	}
	// The tree renders to the same text.
	tree, err := MessageTree(m)
	if err != nil || string(jsonfmt.AppendValue(nil, tree, jsonfmt.Compact)) != string(mustAppend(t, m)) {
		t.Errorf("tree: %v %v", tree, err)
	}
	env := Envelope(map[string]any{"a": int64(1)}, []string{"t"}, 3, when)
	if got := string(jsonfmt.AppendValue(nil, env, jsonfmt.Compact)); got != `{"data":{"a":1},"meta":{"tags":["t"]},"seq":3,"time":"2026-12-01T17:11:18.460425511Z"}` {
		t.Errorf("Envelope: %s", got)
	}
	if got := string(jsonfmt.AppendValue(nil, Envelope(map[string]any{}, nil, 1, 0), jsonfmt.Compact)); got != `{"data":{},"meta":{"tags":[]},"seq":1,"time":"1970-01-01T00:00:00Z"}` {
		t.Errorf("Envelope without tags: %s", got)
	}
}

func mustAppend(t *testing.T, m core.Message) []byte {
	t.Helper()
	b, err := AppendMessage(nil, m, jsonfmt.Compact)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestMessageErrors(t *testing.T) {
	bad := core.Message{Seq: 9, Payload: []byte{1, 2, 3}}
	for name, f := range map[string]func() ([]byte, error){
		"message": func() ([]byte, error) { return AppendMessage([]byte("keep"), bad, jsonfmt.Compact) },
		"data":    func() ([]byte, error) { return AppendData([]byte("keep"), bad, jsonfmt.Compact) },
		"tree":    func() ([]byte, error) { _, err := MessageTree(bad); return []byte("keep"), err },
	} {
		out, err := f()
		e := ErrorOf(err)
		if string(out) != "keep" || e.Kind != core.Corrupt || e.Message != "stored message is not a valid document" ||
			e.Seq == nil || *e.Seq != 9 || e.Err == nil {
			t.Errorf("%s: %q %+v", name, out, e)
		}
	}
	for _, doc := range [][]byte{nil, {}, make([]byte, 64), []byte(`{"meta":{},"data":{}}`), bad.Payload} {
		out, err := AppendMessageABI([]byte("keep"), core.Message{Seq: 1, Payload: doc})
		if core.KindOf(err) != core.Corrupt || string(out) != "keep" {
			t.Errorf("ABI envelope of %q: %q %v, want Corrupt and dst unchanged", doc, out, err)
		}
	}
}

// Rendering a message or a frame allocates nothing once the buffer is big
// enough: follow, fetch and the tails reuse one buffer per stream.
func TestHotPathsDoNotAllocate(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under the race detector")
	}
	m := message(t, 12345, when, `{"level":"info","msg":"request served in 12 ms","n":12,"ok":true,"f":1.5}`, "web")
	buf := make([]byte, 0, 4096)
	for name, f := range map[string]func(){
		"AppendMessage":        func() { buf, _ = AppendMessage(buf[:0], m, jsonfmt.Compact) },
		"AppendMessage pretty": func() { buf, _ = AppendMessage(buf[:0], m, jsonfmt.Pretty|jsonfmt.Color) },
		"AppendData":           func() { buf, _ = AppendData(buf[:0], m, jsonfmt.Compact) },
		"AppendMessageABI":     func() { buf, _ = AppendMessageABI(buf[:0], m) },
		"AppendFrame":          func() { buf = AppendFrame(buf[:0], m) },
	} {
		if n := testing.AllocsPerRun(200, f); n != 0 {
			t.Errorf("%s: %v allocations per message", name, n)
		}
	}
}

func BenchmarkAppendMessage(b *testing.B) {
	m := message(b, 12345, when, `{"level":"info","msg":"request served in 12 ms","n":12,"ok":true,"f":1.5}`, "web")
	buf := make([]byte, 0, 4096)
	b.ReportAllocs()
	for b.Loop() {
		buf, _ = AppendMessage(buf[:0], m, jsonfmt.Compact)
	}
}

// The envelope, compact and pretty (with and without color), is the
// reference CLI's bytes for every message of refPool.
func TestMessagesMatchReference(t *testing.T) {
	dir, path := refPool(t)
	p := openRead(t, path)
	n := uint64(len(refData))
	for seq := uint64(1); seq <= n; seq++ {
		m := get(t, p, seq)
		s := strconv.FormatUint(seq, 10)
		for _, c := range []struct {
			args  []string
			style jsonfmt.Style
		}{
			{nil, jsonfmt.Compact}, // fetch in a pipe
			{[]string{"--format", "pretty"}, jsonfmt.Pretty},
			{[]string{"--format", "pretty", "--color", "always"}, jsonfmt.Pretty | jsonfmt.Color},
		} {
			want := ref(t, "", append([]string{"--dir", dir, "fetch", "p", s}, c.args...)...)
			got, err := AppendMessage(nil, m, c.style)
			if err != nil || string(got)+"\n" != want {
				t.Errorf("fetch %s %v:\n reference %q\n ours      %q %v", s, c.args, want, got, err)
			}
		}
	}
}
