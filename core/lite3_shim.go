package core

// Temporary stand-in for package core/lite3 (being written on branch lite3):
// the same three functions with the same meaning, enough for the engine's
// tests. Removed when core/lite3 lands; the glue in lite3_glue.go then calls
// lite3.EncodeMessage / ValidateMessage / HasAllTags directly.

import (
	"encoding/binary"
	"errors"
)

type shimLite3Error struct {
	Corrupt bool
	Msg     string
}

func (e *shimLite3Error) Error() string { return e.Msg }

func shimCorrupt(msg string) error { return &shimLite3Error{Corrupt: true, Msg: msg} }

var errShimNoEncoder = &shimLite3Error{Msg: "json encoding not available yet (core/lite3 pending)"}

func lite3EncodeMessage(dst, data []byte, tags []string) ([]byte, error) {
	return dst, errShimNoEncoder
}

func lite3ValidateMessage(doc []byte) error {
	if err := shimIsContainer(doc, 0, 6); err != nil {
		return shimCorrupt("root is not object")
	}
	meta, ok := shimLookup(doc, 0, "meta")
	if !ok || shimIsContainer(doc, meta, 6) != nil {
		return shimCorrupt("meta is not object")
	}
	data, ok := shimLookup(doc, 0, "data")
	if !ok || shimIsContainer(doc, data, 6) != nil {
		return shimCorrupt("data is not object")
	}
	tags, ok := shimLookup(doc, meta, "tags")
	if !ok || shimIsContainer(doc, tags, 7) != nil {
		return shimCorrupt("meta.tags must be array")
	}
	n := binary.LittleEndian.Uint32(doc[tags+32:]) >> 6
	for i := uint32(0); i < n; i++ {
		if _, ok := shimString(doc, tags, i); !ok {
			return shimCorrupt("meta.tags must be string array")
		}
	}
	return nil
}

func lite3HasAllTags(doc []byte, want []string) (bool, error) {
	if len(want) == 0 {
		return true, nil
	}
	if shimIsContainer(doc, 0, 6) != nil {
		return false, shimCorrupt("root is not object")
	}
	meta, ok := shimLookup(doc, 0, "meta")
	if !ok || shimIsContainer(doc, meta, 6) != nil {
		return false, shimCorrupt("missing meta")
	}
	tags, ok := shimLookup(doc, meta, "tags")
	if !ok || shimIsContainer(doc, tags, 7) != nil {
		return false, shimCorrupt("missing meta.tags")
	}
	n := binary.LittleEndian.Uint32(doc[tags+32:]) >> 6
	for _, w := range want {
		found := false
		for i := uint32(0); i < n && !found; i++ {
			s, ok := shimString(doc, tags, i)
			if !ok {
				return false, shimCorrupt("meta.tags must be string array")
			}
			found = s == w
		}
		if !found {
			return false, nil
		}
	}
	return true, nil
}

func shimIsContainer(doc []byte, off uint32, typ byte) error {
	if uint64(off)+96 > uint64(len(doc)) || off%4 != 0 || doc[off] != typ {
		return errors.New("not a container")
	}
	return nil
}

func shimHash(key string) uint32 {
	h := uint32(5381)
	for i := 0; i < len(key); i++ {
		h = h*33 + uint32(key[i])
	}
	return h
}

// shimFind descends the B-tree of the container at node for hash; it returns
// the entry offset.
func shimFind(doc []byte, node uint32, hash uint32) (uint32, bool) {
	le := binary.LittleEndian
	for depth := 0; depth < 10; depth++ {
		if uint64(node)+96 > uint64(len(doc)) || node%4 != 0 {
			return 0, false
		}
		kc := le.Uint32(doc[node+32:]) & 7
		i := uint32(0)
		for i < kc && le.Uint32(doc[node+4+4*i:]) < hash {
			i++
		}
		if i < kc && le.Uint32(doc[node+4+4*i:]) == hash {
			return le.Uint32(doc[node+36+4*i:]), true
		}
		child := le.Uint32(doc[node+64+4*i:])
		if le.Uint32(doc[node+64:]) == 0 || child == 0 {
			return 0, false
		}
		node = child
	}
	return 0, false
}

// shimLookup returns the offset of the value of key in the object at node.
func shimLookup(doc []byte, node uint32, key string) (uint32, bool) {
	h := shimHash(key)
	for a := uint32(0); a < 128; a++ {
		e, ok := shimFind(doc, node, h+a*a)
		if !ok {
			return 0, false
		}
		if uint64(e) >= uint64(len(doc)) {
			return 0, false
		}
		tl := uint32(doc[e]&3) + 1
		if uint64(e)+uint64(tl) > uint64(len(doc)) {
			return 0, false
		}
		var tag uint32
		for j := uint32(0); j < tl; j++ {
			tag |= uint32(doc[e+j]) << (8 * j)
		}
		ks := tag >> 2
		if ks == 0 || uint64(e)+uint64(tl)+uint64(ks) > uint64(len(doc)) {
			return 0, false
		}
		if string(doc[e+tl:e+tl+ks-1]) == key {
			return e + tl + ks, true
		}
	}
	return 0, false
}

// shimString returns element i of the array at node if it is a string.
func shimString(doc []byte, node, i uint32) (string, bool) {
	e, ok := shimFind(doc, node, i)
	if !ok || uint64(e)+5 > uint64(len(doc)) || doc[e] != 5 {
		return "", false
	}
	n := binary.LittleEndian.Uint32(doc[e+1:])
	if n == 0 || uint64(e)+5+uint64(n) > uint64(len(doc)) {
		return "", false
	}
	return string(doc[e+5 : e+5+n-1]), true
}
