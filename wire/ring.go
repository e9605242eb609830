package wire

import "github.com/plasmite-go/plasmite/core"

// RingMaxFrames is how many frames a ring document lists at most: a pool
// holding more (newest−oldest ≥ RingMaxFrames) gets "frames": null, as the
// reference's web UI data routes do.
const RingMaxFrames = 4096

// RingDocument returns the "ring" member of a /v0/ui/pools entry as a
// generic tree: {"first","frames","head","tail"}, where tail and head are
// the ring offsets of the oldest frame and of the next write, frames lists
// [offset, frame length] oldest first (null when not listed) and first is
// the seq of the first listed frame (null when none is).
func RingDocument(l core.RingLayout) map[string]any {
	doc := map[string]any{"first": nil, "frames": nil, "head": l.Head, "tail": l.Tail}
	if l.Frames != nil {
		frames := make([]any, len(l.Frames))
		for i, f := range l.Frames {
			frames[i] = []any{f.Offset, f.Len}
		}
		doc["frames"] = frames
		if len(l.Frames) > 0 {
			doc["first"] = l.Frames[0].Seq
		}
	}
	return doc
}
