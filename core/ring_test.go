package core

import "testing"

// RingLayout lists every retained frame oldest first, with offsets that
// follow one another (wrapping to 0), and gives up listing past maxFrames.
func TestRingLayout(t *testing.T) {
	p := tempPool(t, 128<<10)
	l, err := p.RingLayout(4096)
	if err != nil || l.Frames == nil || len(l.Frames) != 0 || l.Head != 0 || l.Tail != 0 {
		t.Fatalf("empty pool: %+v %v", l, err)
	}
	var last Receipt
	for i := 0; i < 400; i++ { // enough to wrap a 128 KiB ring several times
		r, err := p.AppendJSON([]byte(`{"i":1,"pad":"0123456789012345678901234567890123456789"}`), []string{"t"}, Fast)
		if err != nil {
			t.Fatal(err)
		}
		last = r
	}
	b := p.Bounds()
	l, err = p.RingLayout(4096)
	if err != nil {
		t.Fatal(err)
	}
	if uint64(len(l.Frames)) != b.Newest-b.Oldest+1 || l.Frames[0].Seq != b.Oldest || l.Frames[len(l.Frames)-1].Seq != last.Seq {
		t.Fatalf("frames %d (%d..%d), bounds %+v", len(l.Frames), l.Frames[0].Seq, l.Frames[len(l.Frames)-1].Seq, b)
	}
	if l.Frames[0].Offset != l.Tail {
		t.Errorf("first frame at %d, tail %d", l.Frames[0].Offset, l.Tail)
	}
	for i := 1; i < len(l.Frames); i++ {
		prev, f := l.Frames[i-1], l.Frames[i]
		if f.Offset != prev.Offset+prev.Len && f.Offset != 0 {
			t.Fatalf("frame %d at %d does not follow %+v", f.Seq, f.Offset, prev)
		}
	}
	end := l.Frames[len(l.Frames)-1]
	if h := end.Offset + end.Len; h != l.Head && l.Head != 0 {
		t.Errorf("head %d, last frame ends at %d", l.Head, h)
	}
	if l, _ := p.RingLayout(b.Newest - b.Oldest); l.Frames != nil {
		t.Errorf("frames listed past maxFrames")
	}
	p.Close()
	if _, err := p.RingLayout(10); KindOf(err) != Usage {
		t.Errorf("closed pool: %v", err)
	}
}
