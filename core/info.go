package core

import (
	"runtime/debug"
	"time"
)

// Info describes a pool's geometry and contents (see docs/format.md; the
// pool info document is wire.InfoDocument).
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
