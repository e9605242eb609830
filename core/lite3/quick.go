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

// The message keys the shape checks look for, as little-endian words.
const (
	wordMeta = 'm' | 'e'<<8 | 't'<<16 | 'a'<<24
	wordData = 'd' | 'a'<<8 | 't'<<16 | 'a'<<24
	wordTags = 't' | 'a'<<8 | 'g'<<16 | 's'<<24
)

type quick struct {
	b      []byte
	budget int // nodes that may still be visited (as decoder.budget)
	// message shape, filled in when the roles are met
	meta, tags, data bool
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
	n, _, ok := q.node(c, isObj, 1, depth, role, 0, 0)
	return ok && le32(q.b, c+offSizeKC)>>6 == n
}

// node checks one B-tree node and its subtree (as decoder.walk). n counts
// the container's entries before this subtree and last is the previous
// entry's hash (meaningful when n > 0); it returns both updated.
func (q *quick) node(node uint32, isObj bool, height, depth int, role uint8, n, last uint32) (uint32, uint32, bool) {
	b := q.b
	if height > maxHeight {
		return 0, 0, false
	}
	if q.budget--; q.budget < 0 {
		return 0, 0, false
	}
	if node&3 != 0 || uint64(node)+nodeSize > uint64(len(b)) {
		return 0, 0, false
	}
	nd := (*[nodeSize]byte)(b[node : node+nodeSize])
	kc := uint32(nd[offSizeKC] & 7)
	internal := binary.LittleEndian.Uint32(nd[offChild:]) != 0
	if internal && kc == 0 || !internal && kc > 0 && strayChild(nd, kc) {
		return 0, 0, false
	}
	for i := uint32(0); i <= kc; i++ {
		if internal {
			child := binary.LittleEndian.Uint32(nd[offChild+4*(i&7):])
			if child == 0 {
				return 0, 0, false
			}
			var ok bool
			if n, last, ok = q.node(child, isObj, height+1, depth, role, n, last); !ok {
				return 0, 0, false
			}
		}
		if i == kc {
			break
		}
		h := binary.LittleEndian.Uint32(nd[offHashes+4*(i&7):])
		val := binary.LittleEndian.Uint32(nd[offKV+4*(i&7):])
		var k4 uint32
		if isObj {
			if n > 0 && h <= last {
				return 0, 0, false
			}
			// Fast path: a one-byte tag and 1 to 8 key bytes, read as one
			// word (its bytes past the key are dropped by the shift, which
			// also lines the key up for sum33).
			if p := uint64(val); p+16 <= uint64(len(b)) {
				kw := (*[16]byte)(b[p : p+16]) // tag, key, NUL and more
				if kl := uint64(kw[0]>>2) - 1; kw[0]&3 == 0 && kl-1 < 8 {
					w := binary.LittleEndian.Uint64(kw[1:])
					sh := (64 - 8*kl) & 63
					x := w << sh
					// The padding below the key reads as 1, so only a
					// NUL in the key looks zero.
					v := x | lo8&^(^uint64(0)<<sh)
					if kw[(1+kl)&15] == 0 && v&hi8 == 0 && (v-lo8)&^v&hi8 == 0 {
						if djbSeed[kl&15]+sum33(x) != h {
							return 0, 0, false // probed hash: leave it to the walker
						}
						if kl == 4 {
							k4 = uint32(w)
						}
						val = uint32(p + 2 + kl)
						goto checked
					}
				}
			}
			{
				var ok bool
				if val, k4, ok = q.key(val, h); !ok {
					return 0, 0, false
				}
			}
		checked:
		} else if h != n || n == ^uint32(0) {
			return 0, 0, false
		}
		last = h
		n++
		if !q.value(val, depth, role, k4) {
			return 0, 0, false
		}
	}
	return n, last, true
}

// key checks the object key whose tag is at kv and whose stored hash is h:
// in bounds, NUL-terminated, valid, no NUL inside and h = DJB2(key). It
// returns the offset of the entry's value and, for a 4-byte key, its bytes
// as a little-endian word (else 0).
func (q *quick) key(kv, h uint32) (val, k4 uint32, ok bool) {
	b := q.b
	p := uint64(kv)
	if p >= uint64(len(b)) {
		return 0, 0, false
	}
	var ko, size uint64
	if t := b[p]; t&3 == 0 {
		ko, size = p+1, uint64(t>>2)
	} else {
		tagLen := uint64(t&3) + 1
		if p+tagLen > uint64(len(b)) {
			return 0, 0, false
		}
		var tag uint64
		for k := uint64(0); k < tagLen; k++ {
			tag |= uint64(b[p+k]) << (8 * k)
		}
		ko, size = p+tagLen, tag>>2
	}
	end := ko + size
	if size == 0 || end > uint64(len(b)) || b[end-1] != 0 {
		return 0, 0, false
	}
	kl := size - 1
	var hh uint32
	if end+8 <= uint64(len(b)) {
		// Whole words can be read from the key on (the last one runs into
		// the NUL and the value).
		hh, ok = wordHash(b, ko, kl)
	}
	if !ok {
		key := b[ko : end-1]
		var ascii bool
		if hh, ascii = asciiHash(key); !ascii {
			if !utf8.Valid(key) || bytes.IndexByte(key, 0) >= 0 {
				return 0, 0, false // a NUL inside the key: DJB2 stops there
			}
			hh = djb2(key)
		}
	}
	if hh != h {
		return 0, 0, false // probed hash (or corrupt): leave it to the walker
	}
	if kl == 4 {
		k4 = binary.LittleEndian.Uint32(b[ko:])
	}
	return uint32(end), k4, true
}

const (
	lo8 = 0x0101010101010101
	hi8 = 0x8080808080808080
)

// Powers of 33 and of its inverse modulo 2³² (33 is odd, so it has one),
// indexed by exponent 0..8, and djbSeed[k] = DJB2's initial 5381·33^k.
var pow33, invPow33 [9]uint32
var djbSeed [16]uint32

func init() {
	inv := uint32(33) // Newton's iteration for 33⁻¹ mod 2³²
	for i := 0; i < 5; i++ {
		inv *= 2 - 33*inv
	}
	pow33[0], invPow33[0] = 1, 1
	for i := 1; i < len(pow33); i++ {
		pow33[i] = pow33[i-1] * 33
		invPow33[i] = invPow33[i-1] * inv
	}
	for i := range pow33 {
		djbSeed[i] = 5381 * pow33[i]
	}
}

// sum33 returns Σ cᵢ·33^(7−i) mod 2³² over the 8 bytes cᵢ of w (c₀ the
// lowest), in three steps of pairwise combination: the lanes never carry
// into each other (c·33 + c < 2¹⁶, then a·33² + a < 2³²).
func sum33(w uint64) uint32 {
	a := (w&0x00FF00FF00FF00FF)*33 + (w>>8)&0x00FF00FF00FF00FF
	c := (a&0x0000FFFF0000FFFF)*(33*33) + (a>>16)&0x0000FFFF0000FFFF
	return uint32(c)*(33*33*33*33) + uint32(c>>32)
}

// wordHash returns the DJB2 hash of the kl bytes at b[ko:] and true when
// they are ASCII without NUL; false otherwise. It reads whole words, so
// b must hold 8 bytes past the key: ko+kl+8 <= len(b).
func wordHash(b []byte, ko, kl uint64) (uint32, bool) {
	h := uint32(5381)
	for kl >= 8 {
		w := binary.LittleEndian.Uint64(b[ko:])
		if w&hi8 != 0 || (w-lo8)&^w&hi8 != 0 {
			return 0, false
		}
		h = h*(33*33*33*33*33*33*33*33&0xFFFFFFFF) + sum33(w)
		ko += 8
		kl -= 8
	}
	if kl > 0 {
		m := uint64(1)<<(8*kl) - 1
		w := binary.LittleEndian.Uint64(b[ko:]) & m
		// Bytes past the key read as 1, so only a NUL in it looks zero.
		v := w | lo8&^m
		if v&hi8 != 0 || (v-lo8)&^v&hi8 != 0 {
			return 0, false
		}
		// The sum of the padded word is the key's times 33^(8−kl).
		h = h*pow33[kl&7] + sum33(w)*invPow33[(8-kl)&7]
	}
	return h, true
}

// value checks one entry's value (as decoder.checkValue, recursing into
// containers) and records the message shape; k4 is the entry's key as a
// word when it has 4 bytes.
func (q *quick) value(off uint32, depth int, role uint8, k4 uint32) bool {
	b := q.b
	o := uint64(off)
	if o >= uint64(len(b)) {
		return false
	}
	t := b[o]
	if role == roleTags && t != typeString {
		return false
	}
	if o+16 <= uint64(len(b)) {
		// Scalars and short strings in one fixed-size window.
		vw := (*[16]byte)(b[o : o+16])
		switch t {
		case typeNull, typeI64, typeF64:
			return true
		case typeBool:
			return vw[1] <= 1
		case typeString:
			if cl := uint64(binary.LittleEndian.Uint32(vw[1:])) - 1; cl < 9 {
				m := ^uint64(0) >> ((64 - 8*cl) & 63) // covers the cl bytes (all 8 when cl = 0)
				if vw[(5+cl)&15] == 0 && binary.LittleEndian.Uint64(vw[5:])&m&hi8 == 0 {
					return true
				}
			}
		}
	}
	switch t {
	case typeNull:
	case typeBool:
		if o+2 > uint64(len(b)) || b[o+1] > 1 {
			return false
		}
	case typeI64, typeF64:
		if o+9 > uint64(len(b)) {
			return false
		}
	case typeBytes:
		if o+5 > uint64(len(b)) || o+5+uint64(le32(b, off+1)) > uint64(len(b)) {
			return false
		}
	case typeString:
		if o+5 > uint64(len(b)) {
			return false
		}
		sn := uint64(le32(b, off+1))
		if sn == 0 || o+5+sn > uint64(len(b)) {
			return false
		}
		end := o + 4 + sn
		if b[end] != 0 {
			return false
		}
		if !asciiSpan(b, o+5, end) && !utf8.Valid(b[o+5:end]) {
			return false
		}
	case typeObject, typeArray:
		if o&3 != 0 || o+nodeSize > uint64(len(b)) {
			return false
		}
		sub := roleNone
		switch role {
		case roleRoot:
			if t == typeObject {
				switch k4 {
				case wordMeta:
					q.meta, sub = true, roleMeta
				case wordData:
					q.data = true
				}
			}
		case roleMeta:
			if t == typeArray && k4 == wordTags {
				q.tags, sub = true, roleTags
			}
		}
		// q.container(off, t == typeObject, depth+1, sub), by hand: the
		// recursion keeps the compiler from inlining it
		if depth+1 >= maxDecodeDepth {
			return false
		}
		n, _, ok := q.node(off, t == typeObject, 1, depth+1, sub, 0, 0)
		return ok && binary.LittleEndian.Uint32(b[o+offSizeKC:])>>6 == n
	default:
		return false
	}
	return true
}

// asciiSpan reports whether b[s:e] holds only bytes below 0x80; it reads
// whole words where b allows.
func asciiSpan(b []byte, s, e uint64) bool {
	for s+8 <= e {
		if binary.LittleEndian.Uint64(b[s:])&hi8 != 0 {
			return false
		}
		s += 8
	}
	if s >= e {
		return true
	}
	if s+8 <= uint64(len(b)) {
		m := uint64(1)<<(8*(e-s)) - 1
		return binary.LittleEndian.Uint64(b[s:])&m&hi8 == 0
	}
	return isASCII(b[s:e])
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
