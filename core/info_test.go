package core

import (
	"strings"
	"testing"
	"time"

	"github.com/plasmite-go/plasmite/core/jsonfmt"
)

// The pool-info wire shape, rendered as the reference prints it (sorted
// keys, used_percent always with a fraction, no HTML escaping of paths).
func TestInfoDocumentShape(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	in := Info{Path: "/p/a&b.plasmite", FileSize: 1 << 20, IndexOffset: 4096, IndexCapacity: 4096,
		IndexSizeBytes: 65536, RingOffset: 69632, RingSize: 978944, Bounds: Bounds{Oldest: 1, Newest: 2},
		MessageCount: 2, UsedBytes: 244, FreeBytes: 978700, UsedPercent: 0,
		OldestTime: now.Add(-40 * time.Millisecond), NewestTime: now.Add(5 * time.Millisecond)}
	got := string(jsonfmt.AppendValue(nil, in.Document("x", now), jsonfmt.Compact))
	want := `{"bounds":{"newest":2,"oldest":1},"file_size":1048576,"index_capacity":4096,"index_offset":4096,` +
		`"index_size_bytes":65536,"metrics":{"age":{"newest_age_ms":0,"newest_time":"2026-01-02T03:04:05.005Z",` +
		`"oldest_age_ms":40,"oldest_time":"2026-01-02T03:04:04.96Z"},"message_count":2,"seq_span":2,` +
		`"utilization":{"free_bytes":978700,"used_bytes":244,"used_percent":0.0}},"name":"x","path":"/p/a&b.plasmite",` +
		`"ring_offset":69632,"ring_size":978944}`
	if got != want {
		t.Errorf("info JSON\n got  %s\n want %s", got, want)
	}
	empty := string(jsonfmt.AppendValue(nil, Info{}.Document("", now), jsonfmt.Compact))
	if !strings.Contains(empty, `"bounds":{}`) || !strings.Contains(empty, `"newest_age_ms":null`) || strings.Contains(empty, `"name"`) {
		t.Errorf("empty pool info: %s", empty)
	}
}
