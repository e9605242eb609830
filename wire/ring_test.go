package wire

import (
	"testing"

	"github.com/plasmite-go/plasmite/core"
	"github.com/plasmite-go/plasmite/core/jsonfmt"
)

func TestRingDocument(t *testing.T) {
	for _, c := range []struct {
		l    core.RingLayout
		want string
	}{
		{core.RingLayout{Frames: []core.FrameSpan{}}, `{"first":null,"frames":[],"head":0,"tail":0}`},
		{core.RingLayout{Tail: 0, Head: 1024, Frames: []core.FrameSpan{{Seq: 1, Offset: 0, Len: 512}, {Seq: 2, Offset: 512, Len: 512}}},
			`{"first":1,"frames":[[0,512],[512,512]],"head":1024,"tail":0}`},
		{core.RingLayout{Tail: 64, Head: 32}, `{"first":null,"frames":null,"head":32,"tail":64}`},
	} {
		if got := string(jsonfmt.AppendValue(nil, RingDocument(c.l), jsonfmt.Compact)); got != c.want {
			t.Errorf("got %s, want %s", got, c.want)
		}
	}
}
