package core

import (
	"encoding/binary"
	"sort"
	"strconv"

	"github.com/plasmite-go/plasmite/core/lite3"
)

// Placeholders. A pool holds one dense run of seqs, so a message that
// cannot be read between two readable ones would cut the older ones off.
// Repair keeps them instead: where the lost messages' frames lay, between
// the readable frame before them and the one after them (or the header's
// head), it writes one placeholder frame per lost seq — a committed frame
// carrying that seq, whose payload is a valid message document tagged
// PlaceholderTag with data {"lost": REASON} ("damaged" or "missing"; in a
// frame too short for it, the tag with empty data, else the smallest
// message), padded with zero bytes to fill the space (the Lite3 readers of
// both implementations never look past a document's nodes). Readers of
// either implementation read placeholders as messages; seqs stay dense
// and no readable message moves.

// PlaceholderTag is the tag of the placeholder messages Repair writes in
// place of messages it could not read (see RepairReport).
const PlaceholderTag = "plasmite.lost"

// placeholderDocs are the placeholder documents of each reason, fullest
// first: tagged with {"lost": reason}, tagged with empty data, and the
// smallest message document (empty data, no tags).
var placeholderDocs = map[string][3][]byte{
	"damaged": makePlaceholderDocs("damaged"),
	"missing": makePlaceholderDocs("missing"),
}

func makePlaceholderDocs(reason string) (docs [3][]byte) {
	for i, d := range [3]string{`{"lost":"` + reason + `"}`, `{}`, `{}`} {
		var tags []string
		if i < 2 {
			tags = []string{PlaceholderTag}
		}
		b, err := lite3.EncodeMessage(nil, []byte(d), tags)
		if err != nil {
			panic("placeholder document: " + err.Error())
		}
		docs[i] = b
	}
	return docs
}

// minPlaceholderFL is the shortest frame a placeholder fits in: that of
// the smallest message document, which is also the shortest frame any
// writer of this format produces.
var minPlaceholderFL = frameLen(uint64(len(placeholderDocs["missing"][2])))

// placeholderDoc returns the fullest placeholder document of at most max
// bytes (at least the smallest one).
func placeholderDoc(reason string, max uint64) []byte {
	docs := placeholderDocs[reason]
	for _, d := range docs[:2] {
		if uint64(len(d)) <= max {
			return d
		}
	}
	return docs[2]
}

// placeholder is a frame Repair writes in place of a lost message.
type placeholder struct {
	off, fl, seq, ts uint64
	reason           string // "damaged" or "missing", as in LostSeqs
	why              string // for "damaged": the check its frame fails
}

// frame returns the placeholder's frame bytes (fl of them).
func (p placeholder) frame() []byte {
	b := make([]byte, p.fl)
	plen := p.fl - frameHeaderSize - commitSize // fl is 8-aligned: the padding is in the payload
	copy(b[frameHeaderSize:], placeholderDoc(p.reason, plen))
	putFrameHeader(b, stateCommitted, p.seq, p.ts, uint32(plen))
	copy(b[frameHeaderSize+plen:], commitMagic[:])
	return b
}

// bridge keeps the run going across lost messages. From cur (a frame of
// the run, or the header's head for the newest seqs, with fl 0) it looks
// backward, within room bytes, for the readable frame p nearest to it,
// and plans one placeholder per seq between p's and cur's in the space
// between them. It fails, changing nothing, when that frame carries a seq
// outside (bound, cur's) — the space between is then not the lost
// messages' alone, and a readable frame is never overwritten — or when
// the space cannot hold a frame per seq. It returns p, the placeholders,
// and the ring distance from p to cur.
func (s *salvage) bridge(cur found, bound, room uint64) (p found, ph []placeholder, dist uint64, ok bool) {
	for d := uint64(8); d <= room && d <= s.rs; d += 8 {
		u := (cur.off + s.rs - d) % s.rs
		if !s.committedAt(u) {
			continue
		}
		f := checkFrameAt(s.ring, u)
		if !f.good || f.fl > d {
			continue
		}
		if f.seq >= cur.seq-1 || f.seq < bound {
			return found{}, nil, 0, false
		}
		p = found{u, f, true}
		l, ok := s.tile(endOf(s.rs, u, f.fl), cur.off, cur.seq-f.seq-1)
		if !ok {
			return found{}, nil, 0, false
		}
		if l.marker {
			s.markers = append(s.markers, l.markerAt)
		}
		return p, s.placeholders(p, cur, l), d, true
	}
	return found{}, nil, 0, false
}

// layout is where placeholder frames go.
type layout struct {
	offs, fls []uint64
	marker    bool // a wrap marker goes at markerAt
	markerAt  uint64
}

// tile lays out n frames filling the ring from offset e to offset o, as a
// writer would have placed them: in order, wrapping to 0 where the next
// one does not fit before the ring end (with a wrap marker there when the
// space left holds a frame header). Frames are of about equal length.
func (s *salvage) tile(e, o, n uint64) (l layout, ok bool) {
	split := func(at, size, k uint64) bool {
		if k == 0 {
			return size == 0
		}
		base := size / 8 / k * 8
		if base < minPlaceholderFL || size-(k-1)*base > s.maxFL() {
			return false
		}
		for i := uint64(0); i < k; i++ {
			fl := base
			if i == k-1 {
				fl = size - (k-1)*base
			}
			l.offs, l.fls = append(l.offs, at), append(l.fls, fl)
			at += fl
		}
		return true
	}
	switch {
	case e == o:
		return l, false
	case e < o:
		return l, split(e, o-e, n)
	case o == 0:
		return l, split(e, s.rs-e, n)
	}
	// Across the ring end: j frames fill [e, rs) and the others [0, o);
	// j is 0 only when no frame fits before the ring end.
	a, b := s.rs-e, o
	want := (n*a + (a+b)/2) / (a + b)
	best, found := uint64(0), false
	for j := uint64(0); j < n; j++ {
		if j == 0 && a >= minPlaceholderFL || a < j*minPlaceholderFL || b < (n-j)*minPlaceholderFL {
			continue
		}
		if !found || absDiff(j, want) < absDiff(best, want) {
			best, found = j, true
		}
	}
	if !found || !split(e, a, best) || !split(0, b, n-best) {
		return layout{}, false
	}
	if best == 0 && a >= frameHeaderSize {
		l.marker, l.markerAt = true, e
	}
	return l, true
}

func absDiff(x, y uint64) uint64 {
	if x > y {
		return x - y
	}
	return y - x
}

// placeholders describes the frames planned by l for the
// seqs between p and cur. Each keeps the time its damaged frame header
// still shows when that lies between p's and cur's, else takes p's; its
// reason says whether a frame of that seq was found at its place.
func (s *salvage) placeholders(p, cur found, l layout) []placeholder {
	le := binary.LittleEndian
	lo := le.Uint64(s.ring[p.off+fTime:])
	hi := ^uint64(0)
	if cur.fl != 0 {
		hi = le.Uint64(s.ring[cur.off+fTime:])
	}
	out := make([]placeholder, len(l.offs))
	o, inPlace := endOf(s.rs, p.off, p.fl), true
	for i := range l.offs {
		seq := p.seq + 1 + uint64(i)
		ph := placeholder{off: l.offs[i], fl: l.fls[i], seq: seq, ts: lo, reason: "missing"}
		if inPlace {
			if s.rs-o < frameHeaderSize {
				o = 0
			}
			f := checkFrameAt(s.ring, o)
			if f.header && f.state == stateWrap {
				o, f = 0, checkFrameAt(s.ring, 0)
			}
			inPlace = f.header && f.state == stateCommitted && f.seq == seq
			if inPlace {
				ph.reason, ph.why = "damaged", f.why
				if ts := le.Uint64(s.ring[o+fTime:]); ts >= lo && ts <= hi {
					ph.ts = ts
				}
				o = endOf(s.rs, o, f.fl)
			}
		}
		out[i] = ph
	}
	return out
}

// placeholderLosses reports the seqs kept as placeholders, merged into
// runs of one reason, ascending.
func (s *salvage) placeholderLosses() []LostSeqs {
	ph := append([]placeholder(nil), s.placed...)
	sort.Slice(ph, func(i, j int) bool { return ph[i].seq < ph[j].seq })
	var out []LostSeqs
	for _, p := range ph {
		detail := p.why
		if p.reason == "missing" {
			detail = "no frame of this seq where it belongs"
		}
		detail += "; kept as a placeholder message tagged " + PlaceholderTag
		if n := len(out); n > 0 && out[n-1].Reason == p.reason && out[n-1].Detail == detail && out[n-1].Last+1 == p.seq {
			out[n-1].Last = p.seq
			continue
		}
		out = append(out, LostSeqs{First: p.seq, Last: p.seq, Reason: p.reason, Detail: detail, Offset: p.off, Placeholder: true})
	}
	return out
}

func (p placeholder) describe() string {
	return "placeholder of seq " + strconv.FormatUint(p.seq, 10) + " written at ring offset " +
		strconv.FormatUint(p.off, 10) + " (" + strconv.FormatUint(p.fl, 10) + " bytes)"
}
