package core

import (
	"runtime/debug"
	"time"

	"github.com/plasmite-go/plasmite/core/jsonfmt"
)

// Info describes a pool's geometry and contents (see docs/format.md and the
// JSON shape of `pool info`).
type Info struct {
	Path           string
	FileSize       uint64
	IndexOffset    uint64
	IndexCapacity  uint64
	IndexSizeBytes uint64
	RingOffset     uint64
	RingSize       uint64
	Bounds         Bounds
	MessageCount   uint64
	UsedBytes      uint64
	FreeBytes      uint64
	UsedPercent    float64   // floor(used*10000/ring)/100
	OldestTime     time.Time // zero when unknown
	NewestTime     time.Time // zero when unknown
}

// Info returns the pool's geometry, bounds and usage. Errors: Usage when the
// pool is closed.
func (p *Pool) Info() (in Info, err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			in, err = Info{}, faultError(r, p.path)
		}
	}()
	p.life.RLock()
	defer p.life.RUnlock()
	if p.closed.Load() {
		return Info{}, errClosed
	}
	m := p.m
	g := m.geo
	c := loadCursors(m.data)
	in = Info{
		Path:           p.path,
		FileSize:       g.FileSize,
		IndexOffset:    g.IndexOffset,
		IndexCapacity:  uint64(g.IndexCapacity),
		IndexSizeBytes: slotSize * uint64(g.IndexCapacity),
		RingOffset:     g.RingOffset,
		RingSize:       g.RingSize,
	}
	if c.Oldest != 0 {
		in.Bounds = Bounds{Oldest: c.Oldest, Newest: c.Newest}
		in.MessageCount = c.Newest - c.Oldest + 1
	}
	in.UsedBytes = used(g.RingSize, c.Head, c.Tail, c.Oldest)
	in.FreeBytes = g.RingSize - in.UsedBytes
	in.UsedPercent = float64(in.UsedBytes*10000/g.RingSize) / 100
	if c.Oldest != 0 {
		in.OldestTime = m.frameTime(c.Oldest)
		in.NewestTime = m.frameTime(c.Newest)
	}
	return in, nil
}

// frameTime is the timestamp of the retained frame seq, zero if unreadable.
func (m *mapping) frameTime(seq uint64) time.Time {
	c := loadCursors(m.data)
	if c.Oldest == 0 || seq < c.Oldest || seq > c.Newest {
		return time.Time{}
	}
	o, ok := m.locate(seq, c)
	if !ok {
		return time.Time{}
	}
	r, v := readFrameAt(m.ring, o)
	if r != frMessage || v.seq != seq {
		return time.Time{}
	}
	return time.Unix(0, int64(v.ts)).UTC()
}

// Document returns the info as the generic JSON tree of the pool-info wire
// shape shared by the CLI (`pool info`), the C ABI and the HTTP API: bounds
// with oldest/newest omitted when empty, metrics with message_count,
// seq_span, utilization and age (times in RFC 3339, ages in whole
// milliseconds since now, floored at 0, null when unknown). name is omitted
// when empty. Render it with jsonfmt.AppendValue (keys sorted).
func (in Info) Document(name string, now time.Time) map[string]any {
	bounds := map[string]any{}
	if in.Bounds.Newest != 0 {
		bounds["oldest"] = in.Bounds.Oldest
		bounds["newest"] = in.Bounds.Newest
	}
	age := map[string]any{"newest_age_ms": nil, "newest_time": nil, "oldest_age_ms": nil, "oldest_time": nil}
	setAge := func(prefix string, t time.Time) {
		if t.IsZero() {
			return
		}
		ms := uint64(0)
		if d := now.Sub(t); d > 0 {
			ms = uint64(d / time.Millisecond)
		}
		age[prefix+"_time"] = string(jsonfmt.AppendRFC3339(nil, t.UnixNano()))
		age[prefix+"_age_ms"] = ms
	}
	setAge("oldest", in.OldestTime)
	setAge("newest", in.NewestTime)
	doc := map[string]any{
		"bounds":           bounds,
		"file_size":        in.FileSize,
		"index_capacity":   in.IndexCapacity,
		"index_offset":     in.IndexOffset,
		"index_size_bytes": in.IndexSizeBytes,
		"metrics": map[string]any{
			"age":           age,
			"message_count": in.MessageCount,
			"seq_span":      in.MessageCount,
			"utilization": map[string]any{
				"free_bytes":   in.FreeBytes,
				"used_bytes":   in.UsedBytes,
				"used_percent": in.UsedPercent,
			},
		},
		"path":        in.Path,
		"ring_offset": in.RingOffset,
		"ring_size":   in.RingSize,
	}
	if name != "" {
		doc["name"] = name
	}
	return doc
}
