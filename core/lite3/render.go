package lite3

import (
	"bytes"
	"encoding/binary"
	"math"
	"math/bits"
	"strconv"
	"unicode/utf8"

	"github.com/plasmite-go/plasmite/core/jsonfmt"
)

// The fast renderer is a single pass that renders the documents the
// validating walker (decoder.value) accepts in the common shape, and
// answers "not sure" (false) on anything else: every defect, probed object
// hashes (stored hash ≠ DJB2 of the key), keys with a NUL byte, bytes
// values. Callers then discard its output and run the walker, which decides
// and produces the error. It checks the same conditions as the walker in a
// different order (a container's entries are checked as they are rendered,
// arrays are rendered while their tree is walked), so what it accepts, the
// walker accepts with the same text; it keeps no state beyond the call
// except for objects too large for its stack buffer, which it hands to the
// walker.

// fastObjMax is the largest object the fast renderer sorts on the stack;
// larger ones go to the walker (still within the same pass).
const fastObjMax = 16

// fent is an object entry of the fast renderer.
type fent struct {
	pfx   uint64 // first 8 key bytes, big-endian, zero-padded
	ko    uint32 // key bytes in doc
	kl    uint32
	val   uint32 // value offset (its type byte)
	short bool   // the key is at most 8 plain bytes (then pfx holds them all)
}

// fill is what plainWord puts in the bytes beyond a short string: plain,
// not NUL, ASCII.
const fill = 0x6161616161616161

// plainWord takes the 8 bytes at a string of n ≤ 8 bytes (little-endian;
// the bytes beyond n are not part of it) and returns them with the bytes
// beyond n zeroed, and whether the n bytes are all plain printable ASCII
// (jsonfmt.Plain8: no escape, no NUL, valid UTF-8).
func plainWord(w, n uint64) (uint64, bool) {
	m := ^uint64(0) >> (64 - 8*n) // Go shifts by 64 give 0: m = 0 when n = 0
	w &= m
	return w, jsonfmt.Plain8(w | fill&^m)
}

// appendQuoted8 appends '"', the n ≤ 8 bytes packed in w, '"'.
func appendQuoted8(out []byte, w, n uint64) []byte {
	l := len(out)
	if cap(out)-l < 10 {
		out = append(out, make([]byte, 10)...)
	}
	out = out[:l+10]
	out[l] = '"'
	binary.LittleEndian.PutUint64(out[l+1:], w)
	out[l+1+int(n)] = '"'
	return out[:l+2+int(n)]
}

type render struct {
	b      []byte
	out    []byte
	s      jsonfmt.Style
	plain  bool // compact, no color: tokens are appended directly
	budget int  // nodes that may still be visited (as decoder.budget)
}

func newRender(doc, out []byte, style jsonfmt.Style) render {
	return render{b: doc, out: out, s: style, plain: style&(jsonfmt.Pretty|jsonfmt.Color) == 0, budget: len(doc) / nodeSize}
}

// value renders the value at off (as decoder.value); depth is its container
// nesting, level its indentation level.
func (r *render) value(off uint32, depth, level int) bool {
	b := r.b
	o := uint64(off)
	if o >= uint64(len(b)) {
		return false
	}
	switch b[o] {
	case typeString:
		if o+5 > uint64(len(b)) {
			return false
		}
		n := uint64(binary.LittleEndian.Uint32(b[o+1:]))
		if n == 0 || o+5+n > uint64(len(b)) {
			return false
		}
		end := o + 5 + n - 1
		if b[end] != 0 {
			return false
		}
		if n <= 9 && r.plain && o+13 <= uint64(len(b)) {
			// up to 8 bytes: check and copy them as one word
			if w, ok := plainWord(binary.LittleEndian.Uint64(b[o+5:]), n-1); ok {
				r.out = appendQuoted8(r.out, w, n-1)
				return true
			}
		}
		return r.str(b[o+5 : end])
	case typeI64:
		if o+9 > uint64(len(b)) {
			return false
		}
		v := int64(binary.LittleEndian.Uint64(b[o+1:]))
		if r.plain {
			r.out = strconv.AppendInt(r.out, v, 10)
		} else {
			r.out = r.s.Int(r.out, v)
		}
	case typeF64:
		if o+9 > uint64(len(b)) {
			return false
		}
		r.float(math.Float64frombits(binary.LittleEndian.Uint64(b[o+1:])))
	case typeBool:
		if o+2 > uint64(len(b)) || b[o+1] > 1 {
			return false
		}
		if r.plain {
			if b[o+1] == 1 {
				r.out = append(r.out, "true"...)
			} else {
				r.out = append(r.out, "false"...)
			}
		} else {
			r.out = r.s.Bool(r.out, b[o+1] == 1)
		}
	case typeNull:
		if r.plain {
			r.out = append(r.out, "null"...)
		} else {
			r.out = r.s.Null(r.out)
		}
	case typeObject:
		if o&3 != 0 || o+nodeSize > uint64(len(b)) || depth >= maxDecodeDepth {
			return false
		}
		if binary.LittleEndian.Uint32(b[o+offSizeKC:])>>6 > fastObjMax {
			return r.walker(off, depth, level)
		}
		return r.object(off, depth, level)
	case typeArray:
		if o&3 != 0 || o+nodeSize > uint64(len(b)) || depth >= maxDecodeDepth {
			return false
		}
		return r.array(off, depth, level)
	default: // bytes (rare: leave them to the walker) and unknown types
		return false
	}
	return true
}

// walker renders the container at off with the validating walker, sharing
// the node budget.
func (r *render) walker(off uint32, depth, level int) bool {
	d := getDecoder(r.b, true, r.s)
	d.budget = r.budget
	d.out = r.out
	err := d.value(off, depth, level)
	r.out, r.budget = d.out, d.budget
	putDecoder(d)
	return err == nil
}

func (r *render) str(s []byte) bool {
	if r.plain {
		var ok bool
		r.out, ok = jsonfmt.AppendStringChecked(r.out, s)
		return ok
	}
	if !isASCII(s) && !utf8.Valid(s) {
		return false
	}
	r.out = r.s.StringBytes(r.out, s)
	return true
}

func (r *render) float(f float64) {
	s := r.s
	if f == 0 || math.IsInf(f, 0) || math.IsNaN(f) {
		r.out = s.Float(r.out, f)
		return
	}
	var dbuf [24]byte
	digits, exp, ok := fewDigits(&dbuf, f)
	if !ok {
		digits, exp = floatDigits(&dbuf, f)
	}
	if s&jsonfmt.ExactFloats != 0 || exactReread(digits, exp) {
		if r.plain {
			r.out = jsonfmt.AppendFloatDigits(r.out, f < 0, digits, exp)
		} else {
			r.out = s.FloatDigits(r.out, f < 0, digits, exp)
		}
	} else {
		r.out = s.Float(r.out, reread(f, digits, exp))
	}
}

// open, next and close write container punctuation.
func (r *render) open(c byte, n uint32, level int) {
	if r.plain {
		if n == 0 {
			r.out = append(r.out, c, c+2) // {} or []
		} else {
			r.out = append(r.out, c)
		}
		return
	}
	r.out = r.s.Open(r.out, c, int(n), level)
}

func (r *render) next(level int) {
	if r.plain {
		r.out = append(r.out, ',')
		return
	}
	r.out = r.s.Next(r.out, level)
}

func (r *render) close(c byte, level int) {
	if r.plain {
		r.out = append(r.out, c)
		return
	}
	r.out = r.s.Close(r.out, c, level)
}

// array renders the array whose (aligned, in-bounds) root node is c.
func (r *render) array(c uint32, depth, level int) bool {
	count := binary.LittleEndian.Uint32(r.b[c+offSizeKC:]) >> 6
	r.open('[', count, level)
	n, ok := r.arrayNode(c, 1, 0, depth, level)
	if !ok || n != count {
		return false
	}
	if count > 0 {
		r.close(']', level)
	}
	return true
}

// arrayNode renders the entries of one node of an array's B-tree and its
// subtree in order (as decoder.walk); n counts the entries so far.
func (r *render) arrayNode(node uint32, height int, n uint32, depth, level int) (uint32, bool) {
	b := r.b
	if height > maxHeight {
		return n, false
	}
	if r.budget--; r.budget < 0 {
		return n, false
	}
	if node&3 != 0 || uint64(node)+nodeSize > uint64(len(b)) {
		return n, false
	}
	nd := (*[nodeSize]byte)(b[node : node+nodeSize])
	kc := binary.LittleEndian.Uint32(nd[offSizeKC:]) & 7
	internal := binary.LittleEndian.Uint32(nd[offChild:]) != 0
	if internal && kc == 0 || !internal && kc > 0 && strayChild(nd, kc) {
		return n, false
	}
	for i := uint32(0); i <= kc; i++ {
		if internal {
			child := binary.LittleEndian.Uint32(nd[offChild+4*(i&7):])
			if child == 0 {
				return n, false
			}
			var ok bool
			if n, ok = r.arrayNode(child, height+1, n, depth, level); !ok {
				return n, false
			}
		}
		if i == kc {
			break
		}
		if binary.LittleEndian.Uint32(nd[offHashes+4*(i&7):]) != n || n == math.MaxUint32 {
			return n, false
		}
		if n > 0 {
			r.next(level)
		}
		n++
		if !r.value(binary.LittleEndian.Uint32(nd[offKV+4*(i&7):]), depth+1, level+1) {
			return n, false
		}
	}
	return n, true
}

// object renders the object whose (aligned, in-bounds) root node is c and
// whose element count is at most fastObjMax.
func (r *render) object(c uint32, depth, level int) bool {
	var ents [fastObjMax]fent
	count := binary.LittleEndian.Uint32(r.b[c+offSizeKC:]) >> 6
	n, _, ok := r.objectNode(c, 1, &ents, 0, 0)
	if !ok || uint32(n) != count {
		return false
	}
	es := ents[:n]
	if n > 1 {
		sortEnts(r.b, es)
	}
	r.open('{', count, level)
	b := r.b
	for i := range es {
		e := &es[i]
		if i > 0 {
			r.next(level)
		}
		if r.plain {
			if e.short {
				r.out = appendQuoted8(r.out, bits.ReverseBytes64(e.pfx), uint64(e.kl))
			} else {
				r.out = jsonfmt.AppendStringBytes(r.out, b[e.ko:e.ko+e.kl])
			}
			r.out = append(r.out, ':')
		} else {
			r.out = r.s.KeyBytes(r.out, b[e.ko:e.ko+e.kl])
		}
		if !r.value(e.val, depth+1, level+1) {
			return false
		}
	}
	if n > 0 {
		r.close('}', level)
	}
	return true
}

// objectNode collects the entries of one node of an object's B-tree and
// its subtree into ents[n:] in hash order (as decoder.walk), checking the
// keys; last is the previous entry's hash (meaningful when n > 0).
func (r *render) objectNode(node uint32, height int, ents *[fastObjMax]fent, n int, last uint32) (int, uint32, bool) {
	b := r.b
	if height > maxHeight {
		return n, last, false
	}
	if r.budget--; r.budget < 0 {
		return n, last, false
	}
	if node&3 != 0 || uint64(node)+nodeSize > uint64(len(b)) {
		return n, last, false
	}
	nd := (*[nodeSize]byte)(b[node : node+nodeSize])
	kc := binary.LittleEndian.Uint32(nd[offSizeKC:]) & 7
	internal := binary.LittleEndian.Uint32(nd[offChild:]) != 0
	if internal && kc == 0 || !internal && kc > 0 && strayChild(nd, kc) {
		return n, last, false
	}
	for i := uint32(0); i <= kc; i++ {
		if internal {
			child := binary.LittleEndian.Uint32(nd[offChild+4*(i&7):])
			if child == 0 {
				return n, last, false
			}
			var ok bool
			if n, last, ok = r.objectNode(child, height+1, ents, n, last); !ok {
				return n, last, false
			}
		}
		if i == kc {
			break
		}
		h := binary.LittleEndian.Uint32(nd[offHashes+4*(i&7):])
		if (n > 0 && h <= last) || n >= fastObjMax {
			return n, last, false
		}
		p := uint64(binary.LittleEndian.Uint32(nd[offKV+4*(i&7):]))
		if p >= uint64(len(b)) {
			return n, last, false
		}
		var tagLen, size uint64
		if t := b[p]; t&3 == 0 {
			tagLen, size = 1, uint64(t>>2)
		} else {
			tagLen = uint64(t&3) + 1
			if p+tagLen > uint64(len(b)) {
				return n, last, false
			}
			var tag uint64
			for k := uint64(0); k < tagLen; k++ {
				tag |= uint64(b[p+k]) << (8 * k)
			}
			size = tag >> 2
		}
		ko := p + tagLen
		if size == 0 || ko+size > uint64(len(b)) || b[ko+size-1] != 0 {
			return n, last, false
		}
		kl := size - 1
		if kl <= 8 && ko+8 <= uint64(len(b)) {
			// a short key: one word holds it all
			w, plain := plainWord(binary.LittleEndian.Uint64(b[ko:]), kl)
			if plain {
				kh := uint32(5381)
				for x, k := w, kl; k > 0; x, k = x>>8, k-1 {
					kh = kh*33 + uint32(x&0xff)
				}
				if kh != h {
					return n, last, false // probed hash (or corrupt): leave it to the walker
				}
				ents[n] = fent{pfx: bits.ReverseBytes64(w), ko: uint32(ko), kl: uint32(kl), val: uint32(ko + size), short: true}
				n++
				last = h
				continue
			}
		}
		key := b[ko : ko+kl]
		kh, ascii := asciiHash(key)
		if !ascii {
			if !utf8.Valid(key) || bytes.IndexByte(key, 0) >= 0 {
				return n, last, false // a NUL inside the key: DJB2 stops there
			}
			kh = djb2(key)
		}
		if kh != h {
			return n, last, false // probed hash (or corrupt): leave it to the walker
		}
		var pfx uint64
		if ko+8 <= uint64(len(b)) {
			pfx = binary.BigEndian.Uint64(b[ko:]) & prefixMask(int(kl))
		} else {
			pfx = keyPrefix(key)
		}
		ents[n] = fent{pfx: pfx, ko: uint32(ko), kl: uint32(kl), val: uint32(ko + size)}
		n++
		last = h
	}
	return n, last, true
}

// sortEnts orders object entries by key bytes (insertion sort: at most
// fastObjMax entries).
func sortEnts(b []byte, es []fent) {
	for i := 1; i < len(es); i++ {
		e := es[i]
		j := i
		for ; j > 0; j-- {
			p := &es[j-1]
			if e.pfx > p.pfx || (e.pfx == p.pfx && bytes.Compare(b[e.ko:e.ko+e.kl], b[p.ko:p.ko+p.kl]) >= 0) {
				break
			}
			es[j] = *p
		}
		es[j] = e
	}
}

// appendMessageFast is AppendMessageJSON for the common case: data renders
// by the fast renderer and meta.tags is a single-node array of valid
// strings. False means "not sure": the caller discards the output and runs
// appendMessageSlow.
func appendMessageFast(dst, doc []byte, seq uint64, unixNanos int64, style jsonfmt.Style) ([]byte, bool) {
	if len(doc) < nodeSize || doc[0] != typeObject {
		return dst, false
	}
	root := Value{doc: doc, kind: Object}
	meta, ok := memberDirect(root, "meta", hashMeta)
	if !ok || meta.kind != Object {
		return dst, false
	}
	tags, ok := memberDirect(meta, "tags", hashTags)
	if !ok || tags.kind != Array {
		return dst, false
	}
	data, ok := memberDirect(root, "data", hashData)
	if !ok || (data.kind != Object && data.kind != Array) {
		return dst, false
	}
	// tags: the iterator's walk of a leaf node (tags.off is aligned and in
	// bounds: valueAt checked it)
	nd := (*[nodeSize]byte)(doc[tags.off : tags.off+nodeSize])
	if binary.LittleEndian.Uint32(nd[offChild:]) != 0 {
		return dst, false
	}
	kc := binary.LittleEndian.Uint32(nd[offSizeKC:]) & 7
	if binary.LittleEndian.Uint32(nd[offSizeKC:])>>6 != kc {
		return dst, false
	}
	r := newRender(doc, dst, style)
	s := style
	if r.plain {
		r.out = append(r.out, `{"data":`...)
	} else {
		r.out = s.Open(r.out, '{', 4, 0)
		r.out = s.Key(r.out, "data")
	}
	if !r.value(data.off, 0, 1) {
		return dst, false
	}
	if r.plain {
		r.out = append(r.out, `,"meta":{"tags":`...)
	} else {
		r.out = s.Next(r.out, 0)
		r.out = s.Key(r.out, "meta")
		r.out = s.Open(r.out, '{', 1, 1)
		r.out = s.Key(r.out, "tags")
	}
	r.open('[', kc, 2)
	for i := uint32(0); i < kc; i++ {
		v := valueAt(doc, binary.LittleEndian.Uint32(nd[offKV+4*(i&7):]))
		if v.kind != String {
			return dst, false
		}
		if i > 0 {
			r.next(2)
		}
		str, _ := v.StrBytes()
		if !r.str(str) {
			return dst, false
		}
	}
	if kc > 0 {
		r.close(']', 2)
	}
	out := r.out
	if r.plain {
		out = append(out, `},"seq":`...)
		out = strconv.AppendUint(out, seq, 10)
		out = append(out, `,"time":"`...)
		out = jsonfmt.AppendRFC3339(out, unixNanos)
		return append(out, `"}`...), true
	}
	return appendSeqTime(out, s, seq, unixNanos), true
}

// DJB2 hashes of the envelope keys.
var hashMeta, hashTags, hashData = djb2("meta"), djb2("tags"), djb2("data")

// memberDirect returns what v.Get(key) returns (v an object, h =
// djb2(key)) when v's root node is a leaf holding key under h itself;
// false when Get finds nothing or might answer otherwise (a probed key).
func memberDirect(v Value, key string, h uint32) (Value, bool) {
	b := v.doc
	nd := (*[nodeSize]byte)(b[v.off : v.off+nodeSize]) // an Object Value is aligned and in bounds
	if binary.LittleEndian.Uint32(nd[offChild:]) != 0 {
		return Value{}, false
	}
	kc := binary.LittleEndian.Uint32(nd[offSizeKC:]) & 7
	// as find: the first hash not below h
	for i := uint32(0); i < kc; i++ {
		hi := binary.LittleEndian.Uint32(nd[offHashes+4*(i&7):])
		if hi < h {
			continue
		}
		if hi > h {
			break
		}
		k, val, ok := keyAt(b, binary.LittleEndian.Uint32(nd[offKV+4*(i&7):]))
		if !ok || string(k) != key {
			return Value{}, false
		}
		r := valueAt(b, val)
		return r, r.kind != Invalid
	}
	return Value{}, false
}

// fewDigits is floatDigits for the common floats with few significant
// digits (23.5, 0.001, 1234.5678); false when it cannot tell, and then
// floatDigits decides. It looks for the least k for which an integer m
// has m·10⁻ᵏ rounding to |f|: those are the shortest round-trip digits.
//
// Why it is exact: for p = |f|·10ᵏ below 2⁵², the decimals of k places that
// read back as |f| are the integers within h = ulp(f)·10ᵏ/2 < p·2⁻⁵³ < ½ of
// p, so at most one; the computed p̂ is within ulp(p̂)/2 ≤ ¼ of p, so that
// integer is ⌊p̂⌋ or ⌊p̂⌋+1, and it is tested exactly: m and 10ᵏ are exact
// float64s and the division is correctly rounded, like the reader. A
// decimal of more places, without trailing zero, has more significant
// digits (m is not a power of ten for k > 0: it would end in 0, and then
// m/10 would have passed at k−1; such an m is refused anyway). For k = 0
// the trailing zeros of m are dropped.
func fewDigits(buf *[24]byte, f float64) (digits []byte, exp int, ok bool) {
	af := math.Abs(f)
	if !(af < 1<<52) { // also NaN
		return nil, 0, false
	}
	for k := 0; k <= 22; k++ { // 10ᵏ exact in pow10
		p := af * pow10[k]
		if p >= 1<<52 {
			return nil, 0, false
		}
		fl := math.Floor(p)
		// the candidates lie within h + ulp(p)/2 < p·2⁻⁵¹ of p̂: skip
		// the divisions when neither integer is that close
		if lim := p * 0x1p-50; p-fl > lim && fl+1-p > lim {
			continue
		}
		m := uint64(0)
		if fl != 0 && fl/pow10[k] == af {
			m = uint64(fl)
		}
		if (fl+1)/pow10[k] == af {
			if m != 0 {
				return nil, 0, false // two candidates: let strconv choose
			}
			m = uint64(fl) + 1
		}
		if m == 0 {
			continue
		}
		if k > 0 && m%10 == 0 {
			return nil, 0, false // cannot happen (see above); be safe
		}
		// the digits of m, without trailing zeros (k = 0 only)
		var tmp [20]byte
		i := len(tmp)
		for m >= 10 && m%10 == 0 {
			m /= 10
			exp++
		}
		for {
			i--
			tmp[i] = byte('0' + m%10)
			m /= 10
			if m == 0 {
				break
			}
		}
		nd := len(tmp) - i
		digits = append(buf[:0], tmp[i:]...)
		return digits, exp + nd - 1 - k, true
	}
	return nil, 0, false
}
