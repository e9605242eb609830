package wire

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/plasmite-go/plasmite/core"
	"github.com/plasmite-go/plasmite/core/jsonfmt"
)

// The pool-info document, rendered as the reference prints it (sorted
// keys, used_percent always with a fraction, no HTML escaping of paths).
func TestInfoDocumentShape(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	in := core.Info{Path: "/p/a&b.plasmite", FileSize: 1 << 20, IndexOffset: 4096, IndexCapacity: 4096,
		IndexSizeBytes: 65536, RingOffset: 69632, RingSize: 978944, Bounds: core.Bounds{Oldest: 1, Newest: 2},
		MessageCount: 2, UsedBytes: 244, FreeBytes: 978700, UsedPercent: 0,
		OldestTime: now.Add(-40 * time.Millisecond), NewestTime: now.Add(5 * time.Millisecond)}
	got := string(jsonfmt.AppendValue(nil, InfoDocument(in, "x", now), jsonfmt.Compact))
	want := `{"bounds":{"newest":2,"oldest":1},"file_size":1048576,"index_capacity":4096,"index_offset":4096,` +
		`"index_size_bytes":65536,"metrics":{"age":{"newest_age_ms":0,"newest_time":"2026-01-02T03:04:05.005Z",` +
		`"oldest_age_ms":40,"oldest_time":"2026-01-02T03:04:04.96Z"},"message_count":2,"seq_span":2,` +
		`"utilization":{"free_bytes":978700,"used_bytes":244,"used_percent":0.0}},"name":"x","path":"/p/a&b.plasmite",` +
		`"ring_offset":69632,"ring_size":978944}`
	if got != want {
		t.Errorf("info JSON\n got  %s\n want %s", got, want)
	}
	empty := string(jsonfmt.AppendValue(nil, InfoDocument(core.Info{}, "", now), jsonfmt.Compact))
	if !strings.Contains(empty, `"bounds":{}`) || !strings.Contains(empty, `"newest_age_ms":null`) || strings.Contains(empty, `"name"`) {
		t.Errorf("empty pool info: %s", empty)
	}
}

func TestListDocumentShape(t *testing.T) {
	mt := time.Date(2026, 1, 2, 3, 4, 5, 500, time.UTC)
	entries := []map[string]any{
		ListEntry(core.PoolEntry{Name: "a", Path: "d/a.plasmite", ModTime: mt, Info: core.Info{FileSize: 4096, Bounds: core.Bounds{Oldest: 2, Newest: 5}}}),
		ListEntry(core.PoolEntry{Name: "b", Path: "d/b.plasmite", Info: core.Info{FileSize: 1}}),
		ListEntry(core.PoolEntry{Name: "c", Path: "d/c.plasmite", Err: &core.Error{Kind: core.Corrupt, Message: "bad magic"}}),
	}
	got := string(jsonfmt.AppendValue(nil, ListDocument(entries), jsonfmt.Compact))
	want := `{"pools":[{"bounds":{"newest":5,"oldest":2},"file_size":4096,"mtime":"2026-01-02T03:04:05.0000005Z","name":"a","path":"d/a.plasmite"},` +
		`{"bounds":{},"file_size":1,"mtime":null,"name":"b","path":"d/b.plasmite"},` +
		`{"error":{"error":{"hint":"Pool appears corrupt. Recreate it or investigate with validation tooling.","kind":"Corrupt","message":"bad magic"}},"name":"c","path":"d/c.plasmite"}]}`
	if got != want {
		t.Errorf("list JSON\n got  %s\n want %s", got, want)
	}
	if got := string(jsonfmt.AppendValue(nil, ListDocument(nil), jsonfmt.Compact)); got != `{"pools":[]}` {
		t.Errorf("empty list: %s", got)
	}
}

// Times in documents are RFC 3339 as time.RFC3339Nano prints UTC times.
func TestDocumentTimes(t *testing.T) {
	for _, ns := range []int64{0, 1, 999, 1_000_000, 1_500_000_000, when, when + 89, 4102444800123456789} {
		tm := time.Unix(0, ns)
		if got, want := rfc3339(tm), tm.UTC().Format(time.RFC3339Nano); got != want {
			t.Errorf("%d: %v, want %s", ns, got, want)
		}
	}
}

var ageMS = regexp.MustCompile(`"(newest|oldest)_age_ms":\d+`)

// pool info and pool list in JSON are the reference's bytes (ages,
// which depend on the moment, masked).
func TestInfoAndListMatchReference(t *testing.T) {
	dir, path := refPool(t)
	if err := os.WriteFile(filepath.Join(dir, "bad.plasmite"), make([]byte, 8192), 0o644); err != nil {
		t.Fatal(err)
	}
	want := ref(t, "", "--dir", dir, "pool", "info", "p", "--format", "json")
	in, err := openRead(t, path).Info()
	if err != nil {
		t.Fatal(err)
	}
	got := string(jsonfmt.AppendValue(nil, InfoDocument(in, "p", time.Now()), jsonfmt.Compact)) + "\n"
	if ageMS.ReplaceAllString(got, "AGE") != ageMS.ReplaceAllString(want, "AGE") {
		t.Errorf("pool info:\n reference %s ours      %s", want, got)
	}
	// pool list: the readable entry from core.List, the unreadable one
	// from the error the reference reports (whose members, unlike ours, omit
	// the path of a pool with a bad header: core's concern, not the shape's).
	want = ref(t, "", "--dir", dir, "pool", "list", "--format", "json")
	var doc struct {
		Pools []json.RawMessage `json:"pools"`
	}
	if err := json.Unmarshal([]byte(want), &doc); err != nil || len(doc.Pools) != 2 {
		t.Fatalf("reference list: %s %v", want, err)
	}
	var bad struct {
		Error json.RawMessage `json:"error"`
		Name  string          `json:"name"`
		Path  string          `json:"path"`
	}
	if err := json.Unmarshal(doc.Pools[0], &bad); err != nil {
		t.Fatal(err)
	}
	pools, err := core.List(dir)
	if err != nil || len(pools) != 2 || pools[0].Err == nil {
		t.Fatalf("core.List: %+v %v", pools, err)
	}
	entries := []map[string]any{ListError(bad.Name, bad.Path, refEnvelope(t, string(bad.Error))), ListEntry(pools[1])}
	got = string(jsonfmt.AppendValue(nil, ListDocument(entries), jsonfmt.Compact)) + "\n"
	if got != want {
		t.Errorf("pool list:\n reference %s ours      %s", want, got)
	}
}
