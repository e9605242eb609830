package lite3

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"math"
	"slices"
	"strconv"
	"sync"
	"unicode/utf8"

	"github.com/plasmite-go/plasmite/core/jsonfmt"
)

// Validate checks that doc is a well-formed Lite3 document whose root is an
// object or an array: every node and entry lies inside doc, nodes are
// 4-aligned, value types are known, bools are 0 or 1, strings and keys are
// NUL-terminated UTF-8, each container's entries are in strictly ascending
// hash order (array entries numbered 0, 1, …; object hashes equal to the
// DJB2 hash of the key plus a reachable quadratic probe offset, no key
// twice), element counts match, B-trees are at most 16 levels high,
// containers nest at most 64 levels, no node is reached twice, and a leaf
// node's child slots hold no offset (see StrayChildMessage). Anything
// else is an *Error with Corrupt set and Pos the offending byte offset.
// Whatever Validate accepts, AppendJSON renders and every lookup agrees
// with; what it refuses, AppendJSON refuses too.
func Validate(doc []byte) error {
	if quickValid(doc) {
		return nil
	}
	return validateFull(doc)
}

// validateFull is Validate by the rendering walker, which also finds the
// error.
func validateFull(doc []byte) error {
	d := getDecoder(doc, false, jsonfmt.Compact)
	defer putDecoder(d)
	if err := d.checkRoot(); err != nil {
		return asErr(err)
	}
	return asErr(d.value(0, 0, 0))
}

// ValidateMessage checks that doc is a well-formed Lite3 document (as
// Validate) shaped as a message: the root is an object with a "meta" object
// holding a "tags" array of strings, and a "data" object. Other keys are
// allowed. Errors are *Error with Corrupt set; the messages are the
// reference's ("root is not object", "meta is not object", "data is not
// object", "meta.tags must be array", "meta.tags must be string array",
// "missing meta", "missing meta.tags", "missing data").
func ValidateMessage(doc []byte) error {
	if quickMessage(doc) {
		return nil
	}
	return validateMessageFull(doc)
}

// ValidateAppend checks a message document before it is stored: as
// ValidateMessage (Corrupt errors), and no object key anywhere in it may
// contain a NUL byte (a Usage error). The reference release reads keys
// only up to their first NUL, so it would see such a key shortened; the
// JSON encoders refuse them for the same reason.
func ValidateAppend(doc []byte) error {
	if quickMessage(doc) {
		return nil // the quick check accepts no key holding a NUL
	}
	if err := validateMessageFull(doc); err != nil {
		return err
	}
	root, err := Root(doc)
	if err != nil {
		return err
	}
	if pos := nulKeyAt(root, 0); pos >= 0 {
		return nulKey(pos)
	}
	return nil
}

// nulKey is the error for an object key holding a NUL byte.
func nulKey(pos int) *Error {
	return usage("object key contains NUL (\\u0000)", pos)
}

// nulKeyAt returns the offset of the first object key inside v (a
// validated container) that holds a NUL byte, or -1.
func nulKeyAt(v Value, depth int) int {
	if depth > maxDecodeDepth {
		return -1
	}
	it := v.Iter()
	for it.Next() {
		if v.Kind() == Object && bytes.IndexByte(it.Key(), 0) >= 0 {
			return int(it.Value().off)
		}
		if k := it.Value().Kind(); k == Object || k == Array {
			if pos := nulKeyAt(it.Value(), depth+1); pos >= 0 {
				return pos
			}
		}
	}
	return -1
}

// validateMessageFull is ValidateMessage by the rendering walker and
// lookups, which also find the error.
func validateMessageFull(doc []byte) error {
	if err := validateFull(doc); err != nil {
		return err
	}
	return checkMessageShape(doc)
}

// StrayChildMessage is the message of the Corrupt error for a leaf node
// whose child slots 1 to key_count are not all zero.
const StrayChildMessage = "leaf node holds a child offset"

// strayChild reports whether leaf node nd (key count kc > 0) holds a
// child offset in slots 1..kc. No writer leaves one; only damage does.
// This package ignores the slots of a leaf (child slot 0 is zero), as
// lookups in the reference's library do, but its iterator — behind every
// conversion to JSON in release 1.2.1 — descends into any of slots 1..kc
// that is not zero, so that release cannot read such a document.
func strayChild(nd *[nodeSize]byte, kc uint32) bool {
	for i := uint32(1); i <= kc; i++ {
		if binary.LittleEndian.Uint32(nd[offChild+4*i:]) != 0 {
			return true
		}
	}
	return false
}

// StrayChildren checks doc as ValidateMessage does, except that stray
// child offsets in leaf nodes (see StrayChildMessage) are returned instead
// of failing it: the document offsets of those u32 slots. Zeroing them
// changes nothing this package reads, and gives a document release 1.2.1
// reads the same way. On any other defect it returns that error.
func StrayChildren(doc []byte) ([]uint32, error) {
	d := getDecoder(doc, false, jsonfmt.Compact)
	defer putDecoder(d)
	strays := []uint32{}
	d.strays = &strays
	if err := d.checkRoot(); err != nil {
		return nil, asErr(err)
	}
	if err := asErr(d.value(0, 0, 0)); err != nil {
		return nil, err
	}
	if err := checkMessageShape(doc); err != nil {
		return nil, err
	}
	return strays, nil
}

// checkMessageShape checks the message shape of a valid document.
func checkMessageShape(doc []byte) error {
	root, err := Root(doc)
	if err != nil {
		return err
	}
	if root.Kind() != Object {
		return corrupt("root is not object", 0)
	}
	if _, err := messageTags(root); err != nil {
		return err
	}
	data, ok := root.Get("data")
	if !ok {
		return corrupt("missing data", -1)
	}
	if data.Kind() != Object {
		return corrupt("data is not object", int(data.off))
	}
	return nil
}

// messageTags returns the meta.tags array of a message root, checking its
// shape.
func messageTags(root Value) (Value, error) {
	tags, err := metaTags(root)
	if err != nil {
		return Value{}, err
	}
	it := tags.Iter()
	for it.Next() {
		if it.Value().Kind() != String {
			return Value{}, corrupt("meta.tags must be string array", int(it.Value().off))
		}
	}
	if it.Err() != nil {
		return Value{}, it.Err()
	}
	return tags, nil
}

// AppendJSON appends the whole document rendered as JSON text in style:
// object keys sorted byte-wise at every level, i64 as integers, f64 in the
// reference's float form, bytes values as base64 strings.
//
// Floats are printed as the reference release prints them: it renders the
// stored f64 as text (shortest digits, positional when the decimal point
// falls within 21 digits of the first one) and re-reads that text with its
// not correctly rounded JSON reader (see parseFloatRelease), so a few
// values come out one ulp off what is stored. Add jsonfmt.ExactFloats to
// style to print the stored values exactly instead. The document is
// fully validated on the way (as Validate); on error (*Error, Corrupt) dst
// is returned unchanged.
func AppendJSON(dst, doc []byte, style jsonfmt.Style) ([]byte, error) {
	if len(doc) >= nodeSize && (doc[0] == typeObject || doc[0] == typeArray) {
		r := newRender(doc, dst, style)
		if r.value(0, 0, 0) {
			return r.out, nil
		}
	}
	return appendJSONSlow(dst, doc, style)
}

// appendJSONSlow is AppendJSON by the validating walker alone.
func appendJSONSlow(dst, doc []byte, style jsonfmt.Style) ([]byte, error) {
	d := getDecoder(doc, true, style)
	defer putDecoder(d)
	if err := d.checkRoot(); err != nil {
		return dst, err
	}
	d.out = dst
	if err := d.value(0, 0, 0); err != nil {
		return dst, err
	}
	return d.out, nil
}

// AppendDataJSON appends the "data" value of a message document as JSON
// text (see AppendJSON for the form). Only data is validated, plus what
// leads to it; data must be an object or an array. Errors are *Error with
// Corrupt set ("missing data", "failed to decode lite3", …).
func AppendDataJSON(dst, doc []byte, style jsonfmt.Style) ([]byte, error) {
	root, err := Root(doc)
	if err != nil {
		return dst, err
	}
	data, err := messageData(root)
	if err != nil {
		return dst, err
	}
	r := newRender(doc, dst, style)
	if r.value(data.off, 0, 0) {
		return r.out, nil
	}
	return appendDataSlow(dst, doc, data, style)
}

// appendDataSlow renders data, the data value of doc, by the validating
// walker alone.
func appendDataSlow(dst, doc []byte, data Value, style jsonfmt.Style) ([]byte, error) {
	d := getDecoder(doc, true, style)
	defer putDecoder(d)
	d.out = dst
	if err := d.value(data.off, 0, 0); err != nil {
		return dst, err
	}
	return d.out, nil
}

// messageData returns a message document's data value, which must be an
// object or an array (the reference renders both).
func messageData(root Value) (Value, error) {
	data, ok := root.Get("data")
	if !ok {
		return Value{}, corrupt("missing data", -1)
	}
	if k := data.Kind(); k != Object && k != Array {
		return Value{}, corrupt("failed to decode lite3: data is not an object or array", int(data.off))
	}
	return data, nil
}

// AppendMessageJSON appends the message envelope the reference prints,
// {"data":…,"meta":{"tags":[…]},"seq":N,"time":"RFC 3339"}, keys in that
// (sorted) order, data rendered as by AppendDataJSON, time from unixNanos
// in UTC (jsonfmt.AppendRFC3339). Other keys of meta are not shown, as in
// the reference. Errors as for AppendDataJSON and ValidateMessage's meta
// checks; dst is returned unchanged on error.
func AppendMessageJSON(dst, doc []byte, seq uint64, unixNanos int64, style jsonfmt.Style) ([]byte, error) {
	if out, ok := appendMessageFast(dst, doc, seq, unixNanos, style); ok {
		return out, nil
	}
	return appendMessageSlow(dst, doc, seq, unixNanos, style)
}

// appendMessageSlow is AppendMessageJSON by the validating walker and the
// tags iterator, which also find the error.
func appendMessageSlow(dst, doc []byte, seq uint64, unixNanos int64, style jsonfmt.Style) ([]byte, error) {
	root, err := Root(doc)
	if err != nil {
		return dst, err
	}
	tags, err := metaTags(root)
	if err != nil {
		return dst, err
	}
	data, err := messageData(root)
	if err != nil {
		return dst, err
	}
	d := getDecoder(doc, true, style)
	defer putDecoder(d)
	s := style
	out := s.Open(dst, '{', 4, 0)
	out = s.Key(out, "data")
	d.out = out
	if err := d.value(data.off, 0, 1); err != nil {
		return dst, err
	}
	out = s.Next(d.out, 0)
	out = s.Key(out, "meta")
	out = s.Open(out, '{', 1, 1)
	out = s.Key(out, "tags")
	n := tags.Len()
	out = s.Open(out, '[', n, 2)
	it := tags.Iter()
	i := 0
	for ; it.Next(); i++ {
		if i > 0 {
			out = s.Next(out, 2)
		}
		str, ok := it.Value().StrBytes()
		if !ok || !utf8.Valid(str) {
			return dst, corrupt("meta.tags must be string array", int(it.val.off))
		}
		out = s.StringBytes(out, str)
	}
	if it.err != nil {
		return dst, it.err
	}
	if i != n {
		return dst, corrupt("element count does not match entries", int(tags.off)+offSizeKC)
	}
	if n > 0 {
		out = s.Close(out, ']', 2)
	}
	return appendSeqTime(out, s, seq, unixNanos), nil
}

// appendSeqTime closes a message's meta object and appends its seq and
// time members and the closing brace, in style s.
func appendSeqTime(out []byte, s jsonfmt.Style, seq uint64, unixNanos int64) []byte {
	out = s.Close(out, '}', 1)
	out = s.Next(out, 0)
	out = s.Key(out, "seq")
	out = s.Uint(out, seq)
	out = s.Next(out, 0)
	out = s.Key(out, "time")
	if s&jsonfmt.Color != 0 {
		out = append(out, "\x1b[32m"...)
	}
	out = append(out, '"')
	out = jsonfmt.AppendRFC3339(out, unixNanos)
	out = append(out, '"')
	if s&jsonfmt.Color != 0 {
		out = append(out, "\x1b[0m"...)
	}
	return s.Close(out, '}', 0)
}

// ToAny decodes a document whose root is an object into a generic tree:
// map[string]any, []any, string, bool, nil, int (every i64, on 64-bit
// platforms), float64; bytes values become base64 strings. This is the
// shape gojq works on. The document is fully validated (errors as
// Validate).
func ToAny(doc []byte) (map[string]any, error) {
	d := getDecoder(doc, false, jsonfmt.Compact)
	defer putDecoder(d)
	if err := d.checkRoot(); err != nil {
		return nil, err
	}
	if doc[0] != typeObject {
		return nil, corrupt("root is not object", 0)
	}
	v, err := d.anyValue(0, 0)
	if err != nil {
		return nil, err
	}
	return v.(map[string]any), nil
}

// ---- the validating walker ----

type entry struct {
	hash   uint32
	ko, kl uint32 // key bytes in doc (objects)
	val    uint32 // value offset (its type byte)
	direct bool   // hash is DJB2(key) (objects)
	pfx    uint64 // keyPrefix of the key (objects, when emitting)
}

type decoder struct {
	doc    []byte
	emit   bool
	style  jsonfmt.Style
	out    []byte
	ents   []entry
	tmp    []byte // base64 scratch
	budget int    // nodes that may still be visited
	// strays, when not nil, collects the stray child slots of leaf nodes
	// (see StrayChildren) instead of failing on them.
	strays *[]uint32
}

var decoderPool = sync.Pool{New: func() any { return new(decoder) }}

func getDecoder(doc []byte, emit bool, style jsonfmt.Style) *decoder {
	d := decoderPool.Get().(*decoder)
	d.doc, d.emit, d.style = doc, emit, style
	d.budget = len(doc) / nodeSize
	d.ents = d.ents[:0]
	return d
}

func putDecoder(d *decoder) {
	d.doc, d.out, d.strays = nil, nil, nil
	if cap(d.ents) > 1<<16 {
		d.ents = nil
	}
	if cap(d.tmp) > 1<<16 {
		d.tmp = nil
	}
	decoderPool.Put(d)
}

func (d *decoder) checkRoot() *Error {
	if len(d.doc) < nodeSize {
		return corrupt("document shorter than one node", len(d.doc))
	}
	if t := d.doc[0]; t != typeObject && t != typeArray {
		return corrupt("root is not a container", 0)
	}
	return nil
}

// checkValue bounds-checks the value at off and returns its type.
func (d *decoder) checkValue(off int) (byte, *Error) {
	b := d.doc
	if off >= len(b) {
		return 0, corrupt("value out of bounds", off)
	}
	t := b[off]
	switch t {
	case typeNull:
	case typeBool:
		if off+2 > len(b) {
			return 0, corrupt("value out of bounds", off)
		}
		if b[off+1] > 1 {
			return 0, corrupt("invalid bool", off)
		}
	case typeI64, typeF64:
		if off+9 > len(b) {
			return 0, corrupt("value out of bounds", off)
		}
	case typeBytes:
		if off+5 > len(b) || int64(off)+5+int64(le32(b, uint32(off+1))) > int64(len(b)) {
			return 0, corrupt("bytes value out of bounds", off)
		}
	case typeString:
		if off+5 > len(b) {
			return 0, corrupt("string out of bounds", off)
		}
		n := int64(le32(b, uint32(off+1)))
		if n == 0 || int64(off)+5+n > int64(len(b)) {
			return 0, corrupt("string out of bounds", off)
		}
		end := off + 5 + int(n) - 1
		if b[end] != 0 {
			return 0, corrupt("string not NUL-terminated", end)
		}
		if s := b[off+5 : end]; !isASCII(s) && !utf8.Valid(s) {
			return 0, corrupt("invalid utf-8", off)
		}
	case typeObject, typeArray:
		if off&3 != 0 || off+nodeSize > len(b) {
			return 0, corrupt("container node misaligned or out of bounds", off)
		}
	default:
		return 0, corrupt("invalid value type", off)
	}
	return t, nil
}

// collect gathers the entries of the container at c into d.ents (from
// index start on), in hash order, checking the tree.
func (d *decoder) collect(c uint32, isObj bool) (start int, err *Error) {
	start = len(d.ents)
	if err := d.walk(c, isObj, 1, start); err != nil {
		return start, err
	}
	n := len(d.ents) - start
	if want := int(le32(d.doc, c+offSizeKC) >> 6); want != n {
		return start, corrupt("element count does not match entries", int(c)+offSizeKC)
	}
	if isObj {
		if err := d.checkProbes(start); err != nil {
			return start, err
		}
	}
	return start, nil
}

func (d *decoder) walk(node uint32, isObj bool, height int, start int) *Error {
	b := d.doc
	if height > maxHeight {
		return corrupt("tree too high", int(node))
	}
	if d.budget--; d.budget < 0 {
		return corrupt("nodes reached more than once", int(node))
	}
	if node&3 != 0 || int64(node)+nodeSize > int64(len(b)) {
		return corrupt("node misaligned or out of bounds", int(node))
	}
	kc := le32(b, node+offSizeKC) & 7
	internal := le32(b, node+offChild) != 0
	if internal && kc == 0 {
		return corrupt("internal node without keys", int(node))
	}
	if !internal && kc > 0 && strayChild((*[nodeSize]byte)(b[node:node+nodeSize]), kc) {
		for i := uint32(1); i <= kc; i++ {
			at := node + offChild + 4*i
			if le32(b, at) == 0 {
				continue
			}
			if d.strays == nil {
				return corrupt(StrayChildMessage, int(at))
			}
			*d.strays = append(*d.strays, at)
		}
	}
	for i := uint32(0); i <= kc; i++ {
		if internal {
			child := le32(b, node+offChild+4*i)
			if child == 0 {
				return corrupt("missing child", int(node+offChild+4*i))
			}
			if err := d.walk(child, isObj, height+1, start); err != nil {
				return err
			}
		}
		if i == kc {
			break
		}
		h := le32(b, node+offHashes+4*i)
		n := len(d.ents) - start
		if isObj {
			if n > 0 && h <= d.ents[len(d.ents)-1].hash {
				return corrupt("hashes out of order", int(node+offHashes+4*i))
			}
		} else if h != uint32(n) || n > math.MaxUint32-1 {
			return corrupt("array index out of order", int(node+offHashes+4*i))
		}
		kv := le32(b, node+offKV+4*i)
		en := entry{hash: h, val: kv}
		if isObj {
			p := int(kv)
			if p >= len(b) {
				return corrupt("key out of bounds", p)
			}
			tagLen := int(b[p]&3) + 1
			if p+tagLen > len(b) {
				return corrupt("key out of bounds", p)
			}
			var tag uint32
			for k := 0; k < tagLen; k++ {
				tag |= uint32(b[p+k]) << (8 * k)
			}
			size := int(tag >> 2)
			if size == 0 || int64(p)+int64(tagLen)+int64(size) > int64(len(b)) {
				return corrupt("key out of bounds", p)
			}
			ko := p + tagLen
			if b[ko+size-1] != 0 {
				return corrupt("key not NUL-terminated", ko+size-1)
			}
			key := b[ko : ko+size-1]
			kh, ascii := asciiHash(key)
			if !ascii {
				if !utf8.Valid(key) {
					return corrupt("invalid utf-8 in key", ko)
				}
				kh = djb2(key)
			}
			en.direct = kh == h
			en.ko, en.kl = uint32(ko), uint32(size-1)
			if d.emit {
				if ko+8 <= len(b) {
					// the 8 bytes at the key, masked to its length
					en.pfx = binary.BigEndian.Uint64(b[ko:]) & prefixMask(size-1)
				} else {
					en.pfx = keyPrefix(key)
				}
			}
			en.val = uint32(ko + size)
		}
		if _, err := d.checkValue(int(en.val)); err != nil {
			return err
		}
		d.ents = append(d.ents, en)
	}
	return nil
}

// checkProbes verifies that every object key is reachable by lookup: its
// stored hash is DJB2(key)+a² and the earlier probes h+b² (b < a) hold
// other keys.
func (d *decoder) checkProbes(start int) *Error {
	ents := d.ents[start:]
	for _, en := range ents {
		if en.direct {
			continue // stored under DJB2(key) itself: reachable
		}
		key := d.doc[en.ko : en.ko+en.kl]
		h := djb2(key)
		a := uint32(1)
		for ; a < maxProbes; a++ {
			if h+a*a == en.hash {
				break
			}
		}
		if a == maxProbes {
			return corrupt("key hash mismatch", int(en.ko))
		}
		for p := uint32(0); p < a; p++ {
			i, found := slices.BinarySearchFunc(ents, h+p*p, func(e entry, t uint32) int {
				switch {
				case e.hash < t:
					return -1
				case e.hash > t:
					return 1
				}
				return 0
			})
			if !found {
				return corrupt("key hash unreachable by lookup", int(en.ko))
			}
			if string(d.doc[ents[i].ko:ents[i].ko+ents[i].kl]) == string(key) {
				return corrupt("duplicate key", int(en.ko))
			}
		}
	}
	return nil
}

// value checks (and, when emitting, renders) the value at off; depth is its
// container nesting, level its indentation level.
func (d *decoder) value(off uint32, depth, level int) *Error {
	t, err := d.checkValue(int(off))
	if err != nil {
		return err
	}
	b := d.doc
	s := d.style
	switch t {
	case typeObject, typeArray:
		if depth >= maxDecodeDepth {
			return corrupt("containers nested too deep", int(off))
		}
		isObj := t == typeObject
		start, err := d.collect(off, isObj)
		if err != nil {
			return err
		}
		n := len(d.ents) - start
		if d.emit && isObj && n > 1 {
			d.sortByKey(d.ents[start:])
		}
		open, close := byte('['), byte(']')
		if isObj {
			open, close = '{', '}'
		}
		if d.emit {
			d.out = s.Open(d.out, open, n, level)
		}
		for i := 0; i < n; i++ {
			en := d.ents[start+i]
			if d.emit {
				if i > 0 {
					d.out = s.Next(d.out, level)
				}
				if isObj {
					d.out = s.KeyBytes(d.out, b[en.ko:en.ko+en.kl])
				}
			}
			if err := d.value(en.val, depth+1, level+1); err != nil {
				return err
			}
		}
		if d.emit && n > 0 {
			d.out = s.Close(d.out, close, level)
		}
		d.ents = d.ents[:start]
		return nil
	}
	if !d.emit {
		return nil
	}
	switch t {
	case typeNull:
		d.out = s.Null(d.out)
	case typeBool:
		d.out = s.Bool(d.out, b[off+1] == 1)
	case typeI64:
		d.out = s.Int(d.out, int64(le64(b, off+1)))
	case typeF64:
		f := math.Float64frombits(le64(b, off+1))
		if f == 0 || math.IsInf(f, 0) || math.IsNaN(f) {
			d.out = s.Float(d.out, f)
			break
		}
		// format once: the digits serve both the re-read check and the text
		var dbuf [24]byte
		digits, exp := floatDigits(&dbuf, f)
		if s&jsonfmt.ExactFloats != 0 || exactReread(digits, exp) {
			d.out = s.FloatDigits(d.out, f < 0, digits, exp)
		} else {
			d.out = s.Float(d.out, reread(f, digits, exp))
		}
	case typeBytes:
		n := le32(b, off+1)
		raw := b[off+5 : off+5+n]
		d.tmp = base64.StdEncoding.AppendEncode(d.tmp[:0], raw)
		d.out = s.StringBytes(d.out, d.tmp)
	case typeString:
		n := le32(b, off+1)
		d.out = s.StringBytes(d.out, b[off+5:off+5+n-1])
	}
	return nil
}

func le64(b []byte, off uint32) uint64 {
	return uint64(le32(b, off)) | uint64(le32(b, off+4))<<32
}

func (d *decoder) anyValue(off uint32, depth int) (any, *Error) {
	t, err := d.checkValue(int(off))
	if err != nil {
		return nil, err
	}
	b := d.doc
	switch t {
	case typeNull:
		return nil, nil
	case typeBool:
		return b[off+1] == 1, nil
	case typeI64:
		return int(int64(le64(b, off+1))), nil
	case typeF64:
		return math.Float64frombits(le64(b, off+1)), nil
	case typeBytes:
		n := le32(b, off+1)
		return base64.StdEncoding.EncodeToString(b[off+5 : off+5+n]), nil
	case typeString:
		n := le32(b, off+1)
		return string(b[off+5 : off+5+n-1]), nil
	}
	if depth >= maxDecodeDepth {
		return nil, corrupt("containers nested too deep", int(off))
	}
	isObj := t == typeObject
	start, err := d.collect(off, isObj)
	if err != nil {
		return nil, err
	}
	n := len(d.ents) - start
	defer func() { d.ents = d.ents[:start] }()
	if isObj {
		m := make(map[string]any, n)
		for i := 0; i < n; i++ {
			en := d.ents[start+i]
			v, err := d.anyValue(en.val, depth+1)
			if err != nil {
				return nil, err
			}
			m[string(b[en.ko:en.ko+en.kl])] = v
		}
		return m, nil
	}
	arr := make([]any, n)
	for i := 0; i < n; i++ {
		v, err := d.anyValue(d.ents[start+i].val, depth+1)
		if err != nil {
			return nil, err
		}
		arr[i] = v
	}
	return arr, nil
}

// asErr converts a possibly nil *Error into an error without the typed-nil
// trap.
func asErr(e *Error) error {
	if e == nil {
		return nil
	}
	return e
}

// floatDigits returns the shortest round-trip decimal digits of |f| (f
// finite and non-zero) and the decimal exponent of the first digit.
func floatDigits(buf *[24]byte, f float64) (digits []byte, exp int) {
	var sbuf [32]byte
	sci := strconv.AppendFloat(sbuf[:0], math.Abs(f), 'e', -1, 64) // d.ddde±XX
	e := 0
	for sci[e] != 'e' {
		e++
	}
	for _, c := range sci[e+2:] {
		exp = exp*10 + int(c-'0')
	}
	if sci[e+1] == '-' {
		exp = -exp
	}
	digits = append(buf[:0], sci[0])
	if e > 1 {
		digits = append(digits, sci[2:e]...)
	}
	return digits, exp
}

// reread returns what the release's reader makes of the text its Lite3
// library prints for f, whose shortest digits are given (see printedFloatVia in the tests).
func reread(f float64, digits []byte, exp int) float64 {
	var tbuf [48]byte
	text := tbuf[:0]
	if f < 0 {
		text = append(text, '-')
	}
	dot := exp + 1
	switch {
	case dot > 21 || dot <= -6:
		text = append(text, digits[0])
		if len(digits) > 1 {
			text = append(text, '.')
			text = append(text, digits[1:]...)
		}
		text = append(text, 'e')
		text = strconv.AppendInt(text, int64(exp), 10)
	case dot > 0:
		if len(digits) <= dot {
			text = append(text, digits...)
			for i := len(digits); i < dot; i++ {
				text = append(text, '0')
			}
			text = append(text, '.', '0')
		} else {
			text = append(text, digits[:dot]...)
			text = append(text, '.')
			text = append(text, digits[dot:]...)
		}
	default:
		text = append(text, '0', '.')
		for i := dot; i < 0; i++ {
			text = append(text, '0')
		}
		text = append(text, digits...)
	}
	g, ok := parseFloatRelease(text)
	if !ok {
		return f
	}
	return g
}

// exactReread reports whether the release's reader, given the text
// the printed value builds from the shortest digits (d₀d₁… with d₀ at decimal
// exponent exp), reads back exactly the value those digits came from. It
// does when the digit string it accumulates is below 2⁵³ (so converting it
// to float64 is exact) and the power of ten it then multiplies or divides
// by is at most 10²² (exact too): one correctly rounded operation on exact
// operands gives the nearest float64 to the decimal, which the shortest
// digits were chosen to round-trip to.
func exactReread(digits []byte, exp int) bool {
	n := len(digits)
	if n > 16 {
		return false
	}
	var sig uint64
	for _, c := range digits {
		sig = sig*10 + uint64(c-'0')
	}
	dot := exp + 1
	var e int // the reader's decimal exponent
	switch {
	case dot > 21 || dot <= -6: // d.ddde±X
		e = exp - (n - 1)
	case dot >= n: // digits, zeros, ".0": every digit up to the 0 counts
		for i := n; i <= dot; i++ {
			if sig >= 1<<53 {
				return false
			}
			sig *= 10
		}
		e = -1
	default: // a fraction: digits after the point
		e = dot - n
	}
	return sig < 1<<53 && e >= -22 && e <= 22
}

// sortByKey orders object entries by key bytes.
func (d *decoder) sortByKey(es []entry) {
	b := d.doc
	cmp := func(x, y *entry) int {
		switch {
		case x.pfx < y.pfx:
			return -1
		case x.pfx > y.pfx:
			return 1
		}
		return bytes.Compare(b[x.ko:x.ko+x.kl], b[y.ko:y.ko+y.kl])
	}
	if len(es) <= 12 {
		for i := 1; i < len(es); i++ {
			e := es[i]
			j := i
			for ; j > 0 && cmp(&e, &es[j-1]) < 0; j-- {
				es[j] = es[j-1]
			}
			es[j] = e
		}
		return
	}
	slices.SortFunc(es, func(x, y entry) int { return cmp(&x, &y) })
}
