package lite3

import (
	"math"
	"strconv"

	"github.com/plasmite-go/plasmite/core/jsonfmt"
)

// Kind is the type of a Lite3 value.
type Kind uint8

const (
	Invalid Kind = iota // out-of-bounds or unknown bytes; also the zero Value
	Null
	Bool
	Int // i64
	Float
	Bytes
	String
	Object
	Array
)

var kindNames = [...]string{"invalid", "null", "bool", "int", "float", "bytes", "string", "object", "array"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Value is a zero-copy view of one value inside a Lite3 document. It is
// valid as long as the document bytes are unchanged.
//
// Lookups work on unvalidated bytes: every offset they follow is
// bounds-checked and every descent is bounded, so corrupt bytes can only
// make a lookup report "not found" or a value of Kind Invalid, never panic
// or loop. On a document that Validate accepts they agree with AppendJSON.
// The zero Value has Kind Invalid.
type Value struct {
	doc  []byte
	off  uint32
	kind Kind
}

// Root returns the root container of doc. Errors (*Error, Corrupt): doc
// shorter than one node, or its root is not an object or array.
func Root(doc []byte) (Value, error) {
	if len(doc) < nodeSize {
		return Value{}, corrupt("document shorter than one node", len(doc))
	}
	v := valueAt(doc, 0)
	if v.kind != Object && v.kind != Array {
		return Value{}, corrupt("root is not a container", 0)
	}
	return v, nil
}

// valueAt returns the value whose type byte is at off, Kind Invalid when it
// does not fit in doc.
func valueAt(doc []byte, off uint32) Value {
	o := int(off)
	if o >= len(doc) {
		return Value{}
	}
	var k Kind
	switch doc[o] {
	case typeNull:
		k = Null
	case typeBool:
		if o+2 > len(doc) {
			return Value{}
		}
		k = Bool
	case typeI64:
		if o+9 > len(doc) {
			return Value{}
		}
		k = Int
	case typeF64:
		if o+9 > len(doc) {
			return Value{}
		}
		k = Float
	case typeBytes, typeString:
		if o+5 > len(doc) {
			return Value{}
		}
		n := int64(le32(doc, off+1))
		if int64(o)+5+n > int64(len(doc)) {
			return Value{}
		}
		k = Bytes
		if doc[o] == typeString {
			if n == 0 {
				return Value{}
			}
			k = String
		}
	case typeObject, typeArray:
		if o&3 != 0 || o+nodeSize > len(doc) {
			return Value{}
		}
		k = Object
		if doc[o] == typeArray {
			k = Array
		}
	default:
		return Value{}
	}
	return Value{doc: doc, off: off, kind: k}
}

// Kind returns the value's type.
func (v Value) Kind() Kind { return v.kind }

// Len returns the element count of an object or array, 0 for other kinds.
func (v Value) Len() int {
	if v.kind != Object && v.kind != Array {
		return 0
	}
	return int(le32(v.doc, v.off+offSizeKC) >> 6)
}

// find searches the container's B-tree for target and returns the entry's
// kv offset.
func (v Value) find(target uint32) (uint32, bool) {
	b := v.doc
	node := v.off
	for h := 0; h < maxHeight; h++ {
		if node&3 != 0 || int64(node)+nodeSize > int64(len(b)) {
			return 0, false
		}
		kc := le32(b, node+offSizeKC) & 7
		i := uint32(0)
		for i < kc && le32(b, node+offHashes+4*i) < target {
			i++
		}
		if i < kc && le32(b, node+offHashes+4*i) == target {
			return le32(b, node+offKV+4*i), true
		}
		if le32(b, node+offChild) == 0 {
			return 0, false
		}
		node = le32(b, node+offChild+4*i)
		if node == 0 {
			return 0, false
		}
	}
	return 0, false
}

// keyAt parses the object entry at kv: key bytes and value offset.
func keyAt(b []byte, kv uint32) (key []byte, val uint32, ok bool) {
	p := int(kv)
	if p >= len(b) {
		return nil, 0, false
	}
	tagLen := int(b[p]&3) + 1
	if p+tagLen > len(b) {
		return nil, 0, false
	}
	var tag uint32
	for k := 0; k < tagLen; k++ {
		tag |= uint32(b[p+k]) << (8 * k)
	}
	size := int(tag >> 2)
	if size == 0 || int64(p)+int64(tagLen)+int64(size) > int64(len(b)) {
		return nil, 0, false
	}
	ko := p + tagLen
	return b[ko : ko+size-1], uint32(ko + size), true
}

// Get returns the member key of an object; false when v is not an object
// or has no such key.
func (v Value) Get(key string) (Value, bool) {
	if v.kind != Object {
		return Value{}, false
	}
	h := djb2(key)
	for a := uint32(0); a < maxProbes; a++ {
		kv, ok := v.find(h + a*a)
		if !ok {
			return Value{}, false
		}
		k, val, ok := keyAt(v.doc, kv)
		if !ok {
			return Value{}, false
		}
		if string(k) == key {
			r := valueAt(v.doc, val)
			return r, r.kind != Invalid
		}
	}
	return Value{}, false
}

// Index returns element i of an array; false when v is not an array or i
// is out of range.
func (v Value) Index(i int) (Value, bool) {
	if v.kind != Array || i < 0 || i >= v.Len() {
		return Value{}, false
	}
	kv, ok := v.find(uint32(i))
	if !ok {
		return Value{}, false
	}
	r := valueAt(v.doc, kv)
	return r, r.kind != Invalid
}

// GetPath follows a path of object keys and array indexes (decimal
// strings) from v, e.g. GetPath("data", "items", "0", "id").
func (v Value) GetPath(path ...string) (Value, bool) {
	for _, p := range path {
		var ok bool
		switch v.kind {
		case Object:
			v, ok = v.Get(p)
		case Array:
			i, err := strconv.Atoi(p)
			if err != nil {
				return Value{}, false
			}
			v, ok = v.Index(i)
		}
		if !ok {
			return Value{}, false
		}
	}
	return v, v.kind != Invalid
}

// Int returns an i64 value.
func (v Value) Int() (int64, bool) {
	if v.kind != Int {
		return 0, false
	}
	return int64(le64(v.doc, v.off+1)), true
}

// Float returns an f64 value.
func (v Value) Float() (float64, bool) {
	if v.kind != Float {
		return 0, false
	}
	return math.Float64frombits(le64(v.doc, v.off+1)), true
}

// Number returns an i64 or f64 value as a float64.
func (v Value) Number() (float64, bool) {
	if i, ok := v.Int(); ok {
		return float64(i), true
	}
	return v.Float()
}

// Bool returns a bool value (any non-zero byte reads as true; Validate
// rejects bytes other than 0 and 1).
func (v Value) Bool() (bool, bool) {
	if v.kind != Bool {
		return false, false
	}
	return v.doc[v.off+1] != 0, true
}

// StrBytes returns a string value's bytes without copying (without the
// terminating NUL). The bytes are UTF-8 if the document passed Validate.
func (v Value) StrBytes() ([]byte, bool) {
	if v.kind != String {
		return nil, false
	}
	n := le32(v.doc, v.off+1)
	return v.doc[v.off+5 : v.off+5+n-1], true
}

// Str returns a string value as a Go string (a copy).
func (v Value) Str() (string, bool) {
	b, ok := v.StrBytes()
	return string(b), ok
}

// BytesValue returns a bytes value without copying.
func (v Value) BytesValue() ([]byte, bool) {
	if v.kind != Bytes {
		return nil, false
	}
	n := le32(v.doc, v.off+1)
	return v.doc[v.off+5 : v.off+5+n], true
}

// AppendJSON appends the value as JSON text (see the package-level
// AppendJSON), validating the bytes it renders. Errors are *Error, Corrupt.
func (v Value) AppendJSON(dst []byte, style jsonfmt.Style) ([]byte, error) {
	if v.kind == Invalid {
		return dst, corrupt("invalid value", int(v.off))
	}
	r := newRender(v.doc, dst, style)
	if r.value(v.off, 0, 0) {
		return r.out, nil
	}
	d := getDecoder(v.doc, true, style)
	defer putDecoder(d)
	d.out = dst
	if err := d.value(v.off, 0, 0); err != nil {
		return dst, err
	}
	return d.out, nil
}

// Iter returns an iterator over the entries of an object (in hash order,
// not key order) or an array (in index order). For other kinds it yields
// nothing.
func (v Value) Iter() Iter {
	it := Iter{doc: v.doc, isObj: v.kind == Object, budget: len(v.doc) / nodeSize}
	if v.kind == Object || v.kind == Array {
		it.pushLeft(v.off)
	}
	return it
}

// Iter walks a container's entries without allocating:
//
//	it := v.Iter()
//	for it.Next() { use(it.Key(), it.Value()) }
//	if err := it.Err(); err != nil { … }
type Iter struct {
	doc    []byte
	isObj  bool
	sp     int
	stack  [maxHeight]iterFrame
	budget int
	key    []byte
	val    Value
	err    *Error
}

type iterFrame struct {
	node uint32
	i    uint32
}

func (it *Iter) fail(msg string, pos uint32) {
	if it.err == nil {
		it.err = corrupt(msg, int(pos))
	}
	it.sp = 0
}

func (it *Iter) pushLeft(node uint32) {
	b := it.doc
	for {
		if it.sp == maxHeight {
			it.fail("tree too high", node)
			return
		}
		if it.budget--; it.budget < 0 {
			it.fail("nodes reached more than once", node)
			return
		}
		if node&3 != 0 || int64(node)+nodeSize > int64(len(b)) {
			it.fail("node misaligned or out of bounds", node)
			return
		}
		it.stack[it.sp] = iterFrame{node: node}
		it.sp++
		child := le32(b, node+offChild)
		if child == 0 {
			return
		}
		node = child
	}
}

// Next advances to the next entry; false at the end or on corrupt bytes
// (then Err says why).
func (it *Iter) Next() bool {
	b := it.doc
	for it.sp > 0 {
		top := &it.stack[it.sp-1]
		node := top.node
		kc := le32(b, node+offSizeKC) & 7
		if top.i >= kc {
			it.sp--
			continue
		}
		i := top.i
		top.i++
		kv := le32(b, node+offKV+4*i)
		val := kv
		it.key = nil
		if it.isObj {
			k, vo, ok := keyAt(b, kv)
			if !ok {
				it.fail("key out of bounds", kv)
				return false
			}
			it.key, val = k, vo
		}
		it.val = valueAt(b, val)
		if it.val.kind == Invalid {
			it.fail("value out of bounds or of unknown type", val)
			return false
		}
		if child := le32(b, node+offChild); child != 0 {
			next := le32(b, node+offChild+4*(i+1))
			if next == 0 {
				it.fail("missing child", node)
				return false
			}
			it.pushLeft(next)
			if it.err != nil {
				return false
			}
		}
		return true
	}
	return false
}

// Key returns the current entry's key (nil in arrays), without copying.
func (it *Iter) Key() []byte { return it.key }

// Value returns the current entry's value.
func (it *Iter) Value() Value { return it.val }

// Err returns the *Error (Corrupt) that stopped the iteration, if any.
func (it *Iter) Err() error {
	if it.err == nil {
		return nil
	}
	return it.err
}

// HasAllTags reports whether the message document doc has every one of
// tags in its meta.tags array (true for no tags). It reads only the bytes it
// needs and allocates nothing. Errors (*Error, Corrupt): doc is not a
// container, meta or meta.tags is missing or of the wrong type, a tag is not
// a string, or the bytes on the way are corrupt.
func HasAllTags(doc []byte, tags []string) (bool, error) {
	root, err := Root(doc)
	if err != nil {
		return false, err
	}
	tv, err := metaTags(root)
	if err != nil {
		return false, err
	}
	for _, want := range tags {
		found := false
		it := tv.Iter()
		for it.Next() {
			s, ok := it.Value().StrBytes()
			if !ok {
				return false, corrupt("meta.tags must be string array", int(it.val.off))
			}
			if string(s) == want {
				found = true
				break
			}
		}
		if it.err != nil {
			return false, it.err
		}
		if !found {
			return false, nil
		}
	}
	return true, nil
}

// metaTags finds meta.tags of a message root, checking the container types.
func metaTags(root Value) (Value, error) {
	meta, ok := root.Get("meta")
	if !ok {
		return Value{}, corrupt("missing meta", -1)
	}
	if meta.Kind() != Object {
		return Value{}, corrupt("meta is not object", int(meta.off))
	}
	tags, ok := meta.Get("tags")
	if !ok {
		return Value{}, corrupt("missing meta.tags", -1)
	}
	if tags.Kind() != Array {
		return Value{}, corrupt("meta.tags must be array", int(tags.off))
	}
	return tags, nil
}
