package lite3

import (
	"bytes"
	"encoding/binary"
	"unicode/utf8"
)

// The quick check is a single allocation-free pass that accepts only
// documents the full validating walker (decoder.value and, for messages,
// the shape checks of ValidateMessage) certainly accepts. It checks the
// same conditions in a different order: it descends into nested containers
// as it meets them instead of collecting a container's entries first. It
// answers "not sure" (false) instead of proving anything about object keys
// whose hash is probed (stored hash ≠ DJB2 of the key) or that contain a
// NUL byte, and on every defect; callers then run the full walker, which
// decides and produces the error. So the accepted set is exactly the
// walker's, and the common case (a valid document, no hash collisions)
// skips the walker's entry buffer, probe search and pooled state.

// Roles of a container for the message shape checks.
const (
	roleNone uint8 = iota
	roleRoot       // the document root of a message
	roleMeta       // root.meta
	roleTags       // root.meta.tags
)

type quick struct {
	b      []byte
	budget int // nodes that may still be visited (as decoder.budget)
	// message shape, filled in when the roles are met
	meta, tags, data bool
	// the container being walked: entries so far, last hash
	n, last uint32
}

// quickValid reports whether Validate(doc) certainly returns nil.
func quickValid(doc []byte) bool {
	if len(doc) < nodeSize {
		return false
	}
	t := doc[0]
	if t != typeObject && t != typeArray {
		return false
	}
	q := quick{b: doc, budget: len(doc) / nodeSize}
	return q.container(0, t == typeObject, 0, roleNone)
}

// quickMessage reports whether ValidateMessage(doc) certainly returns nil.
func quickMessage(doc []byte) bool {
	if len(doc) < nodeSize || doc[0] != typeObject {
		return false
	}
	q := quick{b: doc, budget: len(doc) / nodeSize}
	return q.container(0, true, 0, roleRoot) && q.meta && q.tags && q.data
}

// container checks the container whose (aligned, in-bounds) root node is c
// at nesting depth; as decoder.value followed by decoder.collect.
func (q *quick) container(c uint32, isObj bool, depth int, role uint8) bool {
	if depth >= maxDecodeDepth {
		return false
	}
	n, last := q.n, q.last
	q.n, q.last = 0, 0
	if !q.node(c, isObj, 1, depth, role) || le32(q.b, c+offSizeKC)>>6 != q.n {
		return false
	}
	q.n, q.last = n, last
	return true
}

// node checks one B-tree node and its subtree (as decoder.walk); q.n
// counts the container's entries so far and q.last is the previous entry's
// hash (meaningful when q.n > 0).
func (q *quick) node(node uint32, isObj bool, height, depth int, role uint8) bool {
	b := q.b
	if height > maxHeight {
		return false
	}
	if q.budget--; q.budget < 0 {
		return false
	}
	if node&3 != 0 || uint64(node)+nodeSize > uint64(len(b)) {
		return false
	}
	nd := (*[nodeSize]byte)(b[node : node+nodeSize])
	kc := binary.LittleEndian.Uint32(nd[offSizeKC:]) & 7
	internal := binary.LittleEndian.Uint32(nd[offChild:]) != 0
	if internal && kc == 0 {
		return false
	}
	for i := uint32(0); i <= kc; i++ {
		if internal {
			child := binary.LittleEndian.Uint32(nd[offChild+4*(i&7):])
			if child == 0 || !q.node(child, isObj, height+1, depth, role) {
				return false
			}
		}
		if i == kc {
			break
		}
		h := binary.LittleEndian.Uint32(nd[offHashes+4*(i&7):])
		val := binary.LittleEndian.Uint32(nd[offKV+4*(i&7):])
		var key []byte
		if isObj {
			if q.n > 0 && h <= q.last {
				return false
			}
			p := uint64(val)
			if p >= uint64(len(b)) {
				return false
			}
			var tagLen, size uint64
			if t := b[p]; t&3 == 0 {
				tagLen, size = 1, uint64(t>>2)
			} else {
				tagLen = uint64(t&3) + 1
				if p+tagLen > uint64(len(b)) {
					return false
				}
				var tag uint64
				for k := uint64(0); k < tagLen; k++ {
					tag |= uint64(b[p+k]) << (8 * k)
				}
				size = tag >> 2
			}
			ko := p + tagLen
			if size == 0 || ko+size > uint64(len(b)) {
				return false
			}
			key = b[ko : ko+size-1]
			if b[ko+size-1] != 0 {
				return false
			}
			hh, ascii := asciiHash(key)
			if !ascii {
				if !utf8.Valid(key) || bytes.IndexByte(key, 0) >= 0 {
					return false // a NUL inside the key: DJB2 stops there
				}
				hh = djb2(key)
			}
			if hh != h {
				return false // probed hash (or corrupt): leave it to the walker
			}
			val = uint32(ko + size)
		} else if h != q.n || q.n == ^uint32(0) {
			return false
		}
		q.last = h
		q.n++
		if !q.value(val, depth, role, key) {
			return false
		}
	}
	return true
}

// value checks one entry's value (as decoder.checkValue, recursing into
// containers) and records the message shape.
func (q *quick) value(off uint32, depth int, role uint8, key []byte) bool {
	b := q.b
	o := int(off)
	if o >= len(b) {
		return false
	}
	t := b[o]
	switch t {
	case typeNull:
	case typeBool:
		if o+2 > len(b) || b[o+1] > 1 {
			return false
		}
	case typeI64, typeF64:
		if o+9 > len(b) {
			return false
		}
	case typeBytes:
		if o+5 > len(b) || int64(o)+5+int64(le32(b, off+1)) > int64(len(b)) {
			return false
		}
	case typeString:
		if o+5 > len(b) {
			return false
		}
		sn := int64(le32(b, off+1))
		if sn == 0 || int64(o)+5+sn > int64(len(b)) {
			return false
		}
		end := o + 5 + int(sn) - 1
		if b[end] != 0 {
			return false
		}
		if s := b[o+5 : end]; !isASCII(s) && !utf8.Valid(s) {
			return false
		}
	case typeObject, typeArray:
		if o&3 != 0 || o+nodeSize > len(b) || role == roleTags {
			return false
		}
		sub := roleNone
		switch role {
		case roleRoot:
			if t == typeObject {
				switch string(key) {
				case "meta":
					q.meta, sub = true, roleMeta
				case "data":
					q.data = true
				}
			}
		case roleMeta:
			if t == typeArray && string(key) == "tags" {
				q.tags, sub = true, roleTags
			}
		}
		return q.container(off, t == typeObject, depth+1, sub)
	default:
		return false
	}
	return role != roleTags || t == typeString
}

// asciiHash returns the DJB2 hash of key and true when key is ASCII without
// NUL bytes; false otherwise. Four bytes at a time: h·33⁴ + c0·33³ + c1·33²
// + c2·33 + c3 is four steps of h·33 + c (mod 2³²).
func asciiHash(key []byte) (uint32, bool) {
	h := uint32(5381)
	for len(key) >= 4 {
		w := binary.LittleEndian.Uint32(key)
		if w&0x80808080 != 0 || (w-0x01010101)&^w&0x80808080 != 0 {
			return 0, false
		}
		h = h*(33*33*33*33) + uint32(key[0])*(33*33*33) + uint32(key[1])*(33*33) + uint32(key[2])*33 + uint32(key[3])
		key = key[4:]
	}
	for _, c := range key {
		if c == 0 || c >= utf8.RuneSelf {
			return 0, false
		}
		h = h*33 + uint32(c)
	}
	return h, true
}

// isASCII reports whether s holds only bytes below 0x80.
func isASCII(s []byte) bool {
	for len(s) >= 8 {
		if binary.LittleEndian.Uint64(s)&0x8080808080808080 != 0 {
			return false
		}
		s = s[8:]
	}
	for _, c := range s {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
