package lite3

import (
	"bytes"
	"encoding/binary"
	"github.com/plasmite-go/plasmite/core/jsonfmt"
	"math"
	"math/bits"
	"slices"
	"strconv"
	"sync"
	"unicode/utf8"
)

// EncodeMessage appends to dst the Lite3 message document
// {"meta":{"tags":[tags…]},"data":<data>} built exactly as the reference
// release (1.2.1) builds it: meta first, then data, every object's keys
// inserted in byte-wise sorted order, arrays in order, with the generation
// counter of the document root counting every insert.
//
// data must be the JSON text of an object (surrounding whitespace allowed).
// Numbers follow the reference: integers that fit int64 are stored as i64,
// -0 and everything else (fractions, exponents, integers beyond int64) as
// f64, converted with the release's own (not correctly rounded) decimal
// reader, so that the stored f64 is the one the release stores even where
// that is one ulp off the exact value. Duplicate keys in an object: the last one wins, as with a JSON
// parser building a map. Errors (all *Error with Corrupt false, Pos the byte
// offset in data where known): invalid JSON or UTF-8, lone surrogate
// escapes, numbers out of float64 range, data not an object, containers
// nested more than 30 levels below data, invalid UTF-8 in a tag, a document
// larger than 256 MiB. On error dst is returned unchanged.
//
// The returned document starts at dst[len(dst)]; its offsets are relative
// to that position. Reusing dst's capacity makes encoding allocation-free.
func EncodeMessage(dst, data []byte, tags []string) ([]byte, error) {
	return encodeMessage(dst, data, tags, false)
}

// EncodeMessageLegacy is EncodeMessage producing the bytes of the
// reference 0.8.0's Lite3 library fed the envelope text directly, as the
// shared test vectors were made: every container keeps its own generation
// counter, and floats are converted exactly (correctly rounded).
func EncodeMessageLegacy(dst, data []byte, tags []string) ([]byte, error) {
	return encodeMessage(dst, data, tags, true)
}

// EncodeMessageCanonical is EncodeMessage that also reports whether data
// is canonical: byte for byte the text that rendering the stored data
// produces (AppendDataJSON with jsonfmt.Compact). It is when data has no
// whitespace, every object's keys in ascending byte order without
// duplicates, strings escaped only as jsonfmt.AppendString escapes them,
// and numbers in the form the renderer writes their stored values
// (integers within int64; a float such as 1.5 or 1e+21 whose stored f64
// renders back to the same digits). A caller holding canonical data knows
// what reading the message back gives without rendering it. canonical is
// false on error.
func EncodeMessageCanonical(dst, data []byte, tags []string) (doc []byte, canonical bool, err error) {
	e := encoderPool.Get().(*encoder)
	e.checkCanon = true
	out, eerr := e.encode(dst, data, tags, false)
	canonical = e.canon && eerr == nil
	e.reset()
	encoderPool.Put(e)
	if eerr != nil {
		return dst, false, eerr
	}
	return out, canonical, nil
}

func encodeMessage(dst, data []byte, tags []string, legacy bool) ([]byte, error) {
	e := encoderPool.Get().(*encoder)
	out, err := e.encode(dst, data, tags, legacy)
	e.reset()
	encoderPool.Put(e)
	if err != nil {
		return dst, err
	}
	return out, nil
}

var encoderPool = sync.Pool{New: func() any { return new(encoder) }}

// Parsed JSON value kinds.
const (
	jNull = iota
	jFalse
	jTrue
	jInt
	jFloat
	jString
	jObject
	jArray
)

// jval is one parsed JSON value. Strings live in encoder.strs; container
// members in encoder.mem.
type jval struct {
	kind uint8
	n    uint32 // string byte length, or member count
	u    uint64 // int64 bits, float64 bits, string offset, or first member index
}

// jmem is an object member (key in strs) or an array element (empty key).
type jmem struct {
	pfx    uint64 // first 8 key bytes, big-endian, zero-padded: orders like the key
	ko, kl uint32
	v      jval
}

type encoder struct {
	// parsing
	in  []byte
	pos int
	// strs holds a copy of in, so that a string without escapes is its
	// own bytes there (at its input position), followed by the decoded
	// bytes of the strings that have escapes.
	strs  []byte
	mem   []jmem
	stack []jmem
	// building
	out    []byte // the caller's dst, grown
	base   int    // document start in out
	d      []byte // out[base:], the document built so far
	zeroed int    // d[len(d):zeroed] (within d's capacity) is known zero
	legacy bool
	// With checkCanon (EncodeMessageCanonical), canon stays true while
	// the text read so far is canonical; without, it is false throughout.
	checkCanon, canon bool
	num               []byte // scratch for rendering a float
	// general disables the one-node layout, so that tests can check it
	// against the general insertion.
	general bool
}

func (e *encoder) reset() {
	e.in = nil
	e.checkCanon, e.canon = false, false
	e.out, e.d, e.zeroed = nil, nil, 0
	e.strs = e.strs[:0]
	e.mem = e.mem[:0]
	e.stack = e.stack[:0]
	// drop very large scratch so one huge message does not pin memory
	if cap(e.strs) > 1<<20 {
		e.strs = nil
	}
	if cap(e.mem) > 1<<16 {
		e.mem, e.stack = nil, nil
	}
}

var (
	keyMeta = []byte("meta")
	keyTags = []byte("tags")
	keyData = []byte("data")
)

// maxInput bounds the JSON text the encoder reads, so that every string
// offset fits in 32 bits.
const maxInput = 1 << 30

// start prepares the encoder to parse data.
func (e *encoder) start(data []byte, legacy bool) *Error {
	if len(data) > maxInput {
		return usage("message too large: the JSON text exceeds 1 GiB", -1)
	}
	e.in, e.pos, e.legacy, e.canon = data, 0, legacy, e.checkCanon
	e.strs = append(e.strs[:0], data...)
	return nil
}

func (e *encoder) encode(dst, data []byte, tags []string, legacy bool) ([]byte, *Error) {
	if err := e.start(data, legacy); err != nil {
		return nil, err
	}
	e.skipWS()
	if e.pos >= len(e.in) {
		return nil, usage("data is empty: expected a JSON object", e.pos)
	}
	if e.in[e.pos] != '{' {
		if _, err := e.parseValue(2); err != nil {
			return nil, err
		}
		return nil, usage("data must be a JSON object", 0)
	}
	root, err := e.parseValue(2)
	if err != nil {
		return nil, err
	}
	e.skipWS()
	if e.pos < len(e.in) {
		return nil, usage("invalid JSON: trailing characters after the data object", e.pos)
	}
	for i, t := range tags {
		if !isASCIIString(t) && !utf8.ValidString(t) {
			return nil, usage("tag "+strconv.Itoa(i)+" is not valid UTF-8", -1)
		}
	}

	// The root, meta and the empty tags array come first and never vary.
	env := &envelopes[0]
	if legacy {
		env = &envelopes[1]
	}
	e.out, e.base = append(dst, env.doc...), len(dst)
	e.d = e.out[e.base:]
	e.zeroed = len(e.d)
	if err := e.putTags(env.tags, tags); err != nil {
		return nil, err
	}
	d, err := e.insert(0, typeObject, keyData, typeObject, nodeSize-1)
	if err != nil {
		return nil, err
	}
	if err := e.fill(d, typeObject, root); err != nil {
		return nil, err
	}
	return e.result(), nil
}

// putTags fills the empty tags array whose root node is arr.
func (e *encoder) putTags(arr uint32, tags []string) *Error {
	if len(tags) <= maxKeys && !e.general {
		var hashes, kvs [maxKeys]uint32
		for i, t := range tags {
			kv, p, err := e.appendEntry(false, nil, typeString, 4+len(t)+1)
			if err != nil {
				return err
			}
			b := e.doc()
			put32(b, p+1, uint32(len(t)+1))
			copy(b[p+5:], t)
			hashes[i&7], kvs[i&7] = uint32(i), kv
		}
		e.writeNode(arr, hashes[:len(tags)], kvs[:len(tags)])
		return nil
	}
	for _, t := range tags {
		p, err := e.insert(arr, typeArray, nil, typeString, 4+len(t)+1)
		if err != nil {
			return err
		}
		b := e.doc()
		put32(b, p+1, uint32(len(t)+1))
		copy(b[p+5:], t)
	}
	return nil
}

// isASCIIString reports whether s holds only bytes below 0x80.
func isASCIIString(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// envelope is the start of every message document: the root object
// holding "meta", itself holding an empty "tags" array (at offset tags),
// built by the generic insertion, once per mode.
type envelope struct {
	doc  []byte
	tags uint32
}

var envelopes = func() (envs [2]envelope) {
	for i := range envs {
		e := &encoder{legacy: i == 1}
		e.d = e.out
		e.grow(nodeSize)
		e.doc()[0] = typeObject
		meta, err := e.insert(0, typeObject, keyMeta, typeObject, nodeSize-1)
		if err != nil {
			panic(err)
		}
		arr, err := e.insert(meta, typeObject, keyTags, typeArray, nodeSize-1)
		if err != nil {
			panic(err)
		}
		envs[i] = envelope{doc: e.result(), tags: arr}
	}
	return envs
}()

// ---- JSON scanning ----

func (e *encoder) skipWS() {
	in, i := e.in, e.pos
	for i < len(in) {
		c := in[i]
		if c > ' ' || (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
			break
		}
		i++
	}
	if i != e.pos {
		e.canon = false
		e.pos = i
	}
}

func unexpected(in []byte, pos int, what string) *Error {
	if pos >= len(in) {
		return usage("invalid JSON: unexpected end of input, expected "+what, pos)
	}
	c := in[pos]
	var q string
	if c >= 0x20 && c < 0x7f {
		q = strconv.QuoteRune(rune(c))
	} else {
		q = "byte 0x" + strconv.FormatUint(uint64(c), 16)
	}
	return usage("invalid JSON: unexpected "+q+", expected "+what, pos)
}

func tooDeep(pos int) *Error {
	return usage("data nests deeper than 30 levels (limit: 32 container levels from the document root)", pos)
}

// parseValue parses one value; level is the container level it would have.
func (e *encoder) parseValue(level int) (jval, *Error) {
	e.skipWS()
	if e.pos >= len(e.in) {
		return jval{}, unexpected(e.in, e.pos, "a value")
	}
	switch c := e.in[e.pos]; c {
	case '{', '[':
		return e.parseContainer(level, c)
	case '"':
		if n, _, ok := shortKey(e.in, e.pos+1); ok {
			e.pos += n + 2
			return jval{kind: jString, n: uint32(n), u: uint64(e.pos - n - 1)}, nil
		}
		off, n, err := e.parseString()
		if err != nil {
			return jval{}, err
		}
		return jval{kind: jString, n: n, u: uint64(off)}, nil
	case 't':
		return e.literal("true", jTrue)
	case 'f':
		return e.literal("false", jFalse)
	case 'n':
		return e.literal("null", jNull)
	default:
		if c == '-' || (c >= '0' && c <= '9') {
			return e.parseNumber()
		}
		return jval{}, unexpected(e.in, e.pos, "a value")
	}
}

func (e *encoder) literal(lit string, kind uint8) (jval, *Error) {
	if len(e.in)-e.pos < len(lit) || string(e.in[e.pos:e.pos+len(lit)]) != lit {
		return jval{}, usage("invalid JSON: invalid literal, expected "+lit, e.pos)
	}
	e.pos += len(lit)
	return jval{kind: kind}, nil
}

func (e *encoder) parseContainer(level int, open byte) (jval, *Error) {
	if level > maxEncodeDepth {
		return jval{}, tooDeep(e.pos)
	}
	v := jval{kind: jObject}
	isObj := open == '{'
	closer := byte('}')
	if !isObj {
		v.kind = jArray
		closer = ']'
	}
	e.pos++
	mark := len(e.stack)
	e.skipWS()
	if e.pos < len(e.in) && e.in[e.pos] == closer {
		e.pos++
		v.u = uint64(len(e.mem))
		return v, nil
	}
	for {
		var m jmem
		if isObj {
			e.skipWS()
			if e.pos >= len(e.in) || e.in[e.pos] != '"' {
				return jval{}, unexpected(e.in, e.pos, "a string key")
			}
			if n, pfx, ok := shortKey(e.in, e.pos+1); ok {
				m.ko, m.kl, m.pfx = uint32(e.pos+1), uint32(n), pfx
				e.pos += n + 2
			} else {
				kpos := e.pos
				off, n, err := e.parseString()
				if err != nil {
					return jval{}, err
				}
				// Only an escape (decoded after the copy of in) can put a
				// NUL in a key.
				if off >= uint32(len(e.in)) && bytes.IndexByte(e.strs[off:off+n], 0) >= 0 {
					return jval{}, nulKey(kpos)
				}
				m.ko, m.kl = off, n
				m.pfx = keyPrefix(e.strs[off : off+n])
			}
			e.skipWS()
			if e.pos >= len(e.in) || e.in[e.pos] != ':' {
				return jval{}, unexpected(e.in, e.pos, "':'")
			}
			e.pos++
		}
		mv, err := e.parseValue(level + 1)
		if err != nil {
			return jval{}, err
		}
		m.v = mv
		e.stack = append(e.stack, m)
		e.skipWS()
		if e.pos < len(e.in) {
			if c := e.in[e.pos]; c == ',' {
				e.pos++
				continue
			} else if c == closer {
				e.pos++
				break
			}
		}
		return jval{}, unexpected(e.in, e.pos, "',' or '"+string(closer)+"'")
	}
	members := e.stack[mark:]
	if isObj {
		members = e.sortMembers(members)
	}
	start := len(e.mem)
	if start+len(members) > math.MaxUint32 {
		return jval{}, usage("data too large", e.pos)
	}
	e.mem = append(e.mem, members...)
	e.stack = e.stack[:mark]
	v.n = uint32(len(members))
	v.u = uint64(start)
	return v, nil
}

func (e *encoder) key(m jmem) []byte { return e.strs[m.ko : m.ko+m.kl] }

func (e *encoder) cmpKeys(a, b jmem) int {
	switch {
	case a.pfx < b.pfx:
		return -1
	case a.pfx > b.pfx:
		return 1
	case a.kl <= 8 && b.kl <= 8:
		// equal prefixes of keys that fit in it: the shorter key is smaller
		// (zero padding cannot tell "a" from "a\x00")
		return int(a.kl) - int(b.kl)
	}
	return bytes.Compare(e.key(a), e.key(b))
}

// prefixMask keeps the first n (< 8) of 8 big-endian bytes; all for n ≥ 8.
func prefixMask(n int) uint64 {
	if n >= 8 {
		return ^uint64(0)
	}
	return ^(^uint64(0) >> (8 * uint(n)))
}

// keyPrefix returns the first 8 bytes of k, big-endian, zero-padded.
func keyPrefix(k []byte) uint64 {
	if len(k) >= 8 {
		return binary.BigEndian.Uint64(k)
	}
	if cap(k) >= 8 {
		// read on into the capacity (within the same array) and mask
		return binary.BigEndian.Uint64(k[:8]) & prefixMask(len(k))
	}
	var pfx uint64
	for i := 0; i < len(k); i++ {
		pfx |= uint64(k[i]) << (56 - 8*i)
	}
	return pfx
}

// sortMembers sorts object members by key bytes, stably, and drops all but
// the last of equal keys (last wins). Members already in strictly
// ascending order (what a canonical text holds) are left as they are;
// any others make the text not canonical.
func (e *encoder) sortMembers(ms []jmem) []jmem {
	if len(ms) < 2 {
		return ms
	}
	sorted := true
	for i := 1; i < len(ms); i++ {
		if a, b := &ms[i-1], &ms[i]; a.pfx > b.pfx || (a.pfx == b.pfx && e.cmpKeys(*a, *b) >= 0) {
			sorted = false
			break
		}
	}
	if sorted {
		return ms
	}
	e.canon = false
	if len(ms) <= 16 {
		// insertion sort into ms[:w], a later equal key replacing the
		// earlier one in place
		w := 1
	next:
		for i := 1; i < len(ms); i++ {
			m := ms[i]
			j := w
			for ; j > 0; j-- {
				p := &ms[j-1]
				if p.pfx < m.pfx {
					break
				}
				if p.pfx == m.pfx {
					if c := e.cmpKeys(*p, m); c < 0 {
						break
					} else if c == 0 {
						// a duplicate: undo the shift, replace it
						copy(ms[j:w], ms[j+1:w+1])
						*p = m
						continue next
					}
				}
				ms[j] = *p
			}
			ms[j] = m
			w++
		}
		return ms[:w]
	}
	slices.SortStableFunc(ms, e.cmpKeys)
	w := 0
	for i := 0; i < len(ms); i++ {
		if i+1 < len(ms) && ms[i].pfx == ms[i+1].pfx && e.cmpKeys(ms[i], ms[i+1]) == 0 {
			continue // a later duplicate follows
		}
		if w != i {
			ms[w] = ms[i]
		}
		w++
	}
	return ms[:w]
}

// plainStringByte marks the bytes a JSON string holds as themselves with no
// further check: printable ASCII other than '"' and '\\'.
var plainStringByte = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// shortKey recognizes, at in[i:], the common key or string: fewer than 8
// plain bytes then the closing quote. It returns the string's length and
// its keyPrefix.
func shortKey(in []byte, i int) (n int, pfx uint64, ok bool) {
	if i+8 > len(in) {
		return 0, 0, false
	}
	x := binary.LittleEndian.Uint64(in[i:])
	m := jsonfmt.SpecialMask(x)
	if m == 0 {
		return 0, 0, false
	}
	n = bits.TrailingZeros64(m) >> 3
	if in[i+n] != '"' {
		return 0, 0, false
	}
	return n, bits.ReverseBytes64(x & (1<<(8*n) - 1)), true
}

// parseString parses the JSON string at e.pos and returns where its
// decoded bytes are in strs: at its own input position when it has no
// escapes, else appended after the input's copy.
func (e *encoder) parseString() (off, n uint32, err *Error) {
	start := e.pos
	in := e.in
	o := -1 // where the decoded bytes start in strs, once an escape is met
	i := e.pos + 1
	seg := i
	for {
		for i+8 <= len(in) {
			if m := jsonfmt.SpecialMask(binary.LittleEndian.Uint64(in[i:])); m != 0 {
				i += bits.TrailingZeros64(m) >> 3
				break
			}
			i += 8
		}
		for i < len(in) && plainStringByte[in[i]] {
			i++
		}
		if i >= len(in) {
			return 0, 0, usage("invalid JSON: unterminated string", start)
		}
		c := in[i]
		switch {
		case c == '"':
			e.pos = i + 1
			if o < 0 {
				return uint32(start + 1), uint32(i - start - 1), nil
			}
			e.strs = append(e.strs, in[seg:i]...)
			if len(e.strs)-o > math.MaxUint32-8 {
				return 0, 0, usage("string too long", start)
			}
			return uint32(o), uint32(len(e.strs) - o), nil
		case c == '\\':
			if o < 0 {
				o = len(e.strs)
			}
			e.strs = append(e.strs, in[seg:i]...)
			ni, err := e.unescape(i)
			if err != nil {
				return 0, 0, err
			}
			i, seg = ni, ni
		case c < 0x20:
			return 0, 0, usage("invalid JSON: control character in string", i)
		case c >= utf8.RuneSelf:
			n := jsonfmt.UTF8Len(in, i)
			if n == 0 {
				return 0, 0, usage("invalid UTF-8 in string", i)
			}
			i += n
		default:
			i++
		}
	}
}

// unescape decodes the escape at in[i] ('\\') into strs and returns the
// position after it.
func (e *encoder) unescape(i int) (int, *Error) {
	in := e.in
	if i+1 >= len(in) {
		return 0, usage("invalid JSON: unterminated string", i)
	}
	var c byte
	switch in[i+1] {
	case '"':
		c = '"'
	case '\\':
		c = '\\'
	case '/':
		c = '/'
		e.canon = false // rendered raw
	case 'b':
		c = '\b'
	case 'f':
		c = '\f'
	case 'n':
		c = '\n'
	case 'r':
		c = '\r'
	case 't':
		c = '\t'
	case 'u':
		r, ok := hex4(in, i+2)
		if !ok {
			return 0, usage("invalid JSON: invalid \\u escape", i)
		}
		next := i + 6
		if r >= 0xDC00 && r <= 0xDFFF {
			return 0, usage("invalid JSON: lone trailing surrogate in \\u escape", i)
		}
		if r >= 0xD800 && r <= 0xDBFF {
			if next+1 >= len(in) || in[next] != '\\' || in[next+1] != 'u' {
				return 0, usage("invalid JSON: lone leading surrogate in \\u escape", i)
			}
			lo, ok := hex4(in, next+2)
			if !ok || lo < 0xDC00 || lo > 0xDFFF {
				return 0, usage("invalid JSON: lone leading surrogate in \\u escape", i)
			}
			r = 0x10000 + (r-0xD800)<<10 + (lo - 0xDC00)
			next += 6
		}
		if e.canon && !canonicalEscape(in[i+2:i+6], r) {
			e.canon = false
		}
		e.strs = utf8.AppendRune(e.strs, r)
		return next, nil
	default:
		return 0, usage("invalid JSON: invalid escape in string", i)
	}
	e.strs = append(e.strs, c)
	return i + 2, nil
}

// canonicalEscape reports whether hex, the four digits of a \u escape of
// r, is how jsonfmt.AppendString writes r: only control characters without
// a short escape are written \u00xx, in lowercase.
func canonicalEscape(hex []byte, r rune) bool {
	switch r {
	case '\b', '\f', '\n', '\r', '\t':
		return false
	}
	const digits = "0123456789abcdef"
	return r < 0x20 && hex[0] == '0' && hex[1] == '0' && hex[2] == digits[r>>4] && hex[3] == digits[r&15]
}

func hex4(in []byte, i int) (rune, bool) {
	if i+4 > len(in) {
		return 0, false
	}
	var r rune
	for _, c := range in[i : i+4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// parseNumber parses a JSON number with the reference's typing rules
// (pool-format.md §3.2). A float keeps the text canonical only when its
// stored value renders back to the same bytes (an integer's text always
// does: JSON allows no leading zeros, and "-0" is a float).
func (e *encoder) parseNumber() (jval, *Error) {
	in := e.in
	start := e.pos
	i := start
	neg := in[i] == '-'
	if neg {
		i++
	}
	if i >= len(in) || !isDigit(in[i]) {
		return jval{}, usage("invalid JSON: invalid number", start)
	}
	// the integer part's value, exact while it has at most 19 digits
	var u uint64
	if in[i] == '0' {
		i++
	} else {
		for i < len(in) && isDigit(in[i]) {
			u = u*10 + uint64(in[i]-'0')
			i++
		}
	}
	intEnd := i
	isFloat := false
	if i < len(in) && in[i] == '.' {
		i++
		if i >= len(in) || !isDigit(in[i]) {
			return jval{}, usage("invalid JSON: invalid number", start)
		}
		for i < len(in) && isDigit(in[i]) {
			i++
		}
		isFloat = true
	}
	if i < len(in) && (in[i] == 'e' || in[i] == 'E') {
		i++
		if i < len(in) && (in[i] == '+' || in[i] == '-') {
			i++
		}
		if i >= len(in) || !isDigit(in[i]) {
			return jval{}, usage("invalid JSON: invalid number", start)
		}
		for i < len(in) && isDigit(in[i]) {
			i++
		}
		isFloat = true
	}
	e.pos = i
	if !isFloat {
		ds := start
		if neg {
			ds++
		}
		overflow := false
		if intEnd-ds > 19 {
			u = 0
			for _, c := range in[ds:intEnd] {
				d := uint64(c - '0')
				if u > (math.MaxUint64-d)/10 {
					overflow = true
					break
				}
				u = u*10 + d
			}
		}
		if !overflow {
			switch {
			case !neg && u <= math.MaxInt64:
				return jval{kind: jInt, u: u}, nil
			case !neg:
				return e.float(start, float64(u)), nil
			case u == 0:
				return e.float(start, math.Copysign(0, -1)), nil
			case u <= 1<<63:
				return jval{kind: jInt, u: -u}, nil
			default:
				return e.float(start, -float64(u)), nil
			}
		}
	}
	var f float64
	if e.legacy {
		var err error
		f, err = strconv.ParseFloat(string(in[start:i]), 64)
		if err != nil && (math.IsInf(f, 0) || math.IsNaN(f)) {
			return jval{}, usage("number out of range", start)
		}
	} else {
		var ok bool
		if f, ok = parseFloatRelease(in[start:i]); !ok {
			return jval{}, usage("number out of range", start)
		}
	}
	return e.float(start, f), nil
}

// float is the value of the float f read from e.in[start:e.pos].
func (e *encoder) float(start int, f float64) jval {
	if e.canon {
		e.checkFloat(start, f)
	}
	return jval{kind: jFloat, u: math.Float64bits(f)}
}

// checkFloat clears canon unless f renders back as its text.
func (e *encoder) checkFloat(start int, f float64) {
	r := render{out: e.num[:0], s: jsonfmt.Compact, plain: true}
	r.float(f)
	e.num = r.out
	e.canon = string(r.out) == string(e.in[start:e.pos])
}

// pow10 holds the correctly rounded float64 values of 1e0 … 1e308.
var pow10 = func() (t [309]float64) {
	for i := range t {
		t[i], _ = strconv.ParseFloat("1e"+strconv.Itoa(i), 64)
	}
	return t
}()

// parseFloatRelease converts a syntactically valid JSON number to float64
// the way the reference release does. Its JSON reader (serde_json without
// the float_roundtrip feature) is not correctly rounded: it accumulates up
// to 19-20 significant digits in a u64 (digits that do not fit are dropped,
// integer-part ones still scaling by ten), then applies the decimal
// exponent with one IEEE multiplication or division by a correctly rounded
// power of ten (two or more divisions, 1e308 at a time, below 1e-308). The
// result can be one ulp off the exact value; byte identity with the
// release needs the same arithmetic. ok is false when the value overflows
// to infinity (the reference's "number out of range").
func parseFloatRelease(text []byte) (f float64, ok bool) {
	const maxU = math.MaxUint64
	fits := func(sig uint64, d uint64) bool {
		return sig < maxU/10 || (sig == maxU/10 && d <= maxU%10)
	}
	i := 0
	neg := text[0] == '-'
	if neg {
		i++
	}
	var sig uint64
	exp := int64(0)
	full := false
	for ; i < len(text) && isDigit(text[i]); i++ {
		d := uint64(text[i] - '0')
		if full || !fits(sig, d) {
			full = true
			exp++
			continue
		}
		sig = sig*10 + d
	}
	if i < len(text) && text[i] == '.' {
		i++
		full = false
		for ; i < len(text) && isDigit(text[i]); i++ {
			d := uint64(text[i] - '0')
			if full || !fits(sig, d) {
				full = true
				continue
			}
			sig = sig*10 + d
			exp--
		}
	}
	if i < len(text) && (text[i] == 'e' || text[i] == 'E') {
		i++
		posExp := true
		if text[i] == '+' || text[i] == '-' {
			posExp = text[i] == '+'
			i++
		}
		var x int64
		for ; i < len(text); i++ {
			d := int64(text[i] - '0')
			if x > math.MaxInt32/10 || (x == math.MaxInt32/10 && d > math.MaxInt32%10) {
				// exponent beyond i32: infinite, or zero
				if sig != 0 && posExp {
					return 0, false
				}
				if neg {
					return math.Copysign(0, -1), true
				}
				return 0, true
			}
			x = x*10 + d
		}
		if posExp {
			exp += x
		} else {
			exp -= x
		}
		exp = max(math.MinInt32, min(math.MaxInt32, exp))
	}
	f = float64(sig)
	for {
		a := exp
		if a < 0 {
			a = -a
		}
		if a < int64(len(pow10)) {
			if exp >= 0 {
				f *= pow10[a]
				if math.IsInf(f, 0) {
					return 0, false
				}
			} else {
				f /= pow10[a]
			}
			break
		}
		if f == 0 {
			break
		}
		if exp >= 0 {
			return 0, false
		}
		f /= 1e308
		exp += 308
	}
	if neg {
		f = -f
	}
	return f, true
}

// ---- building (pool-format.md §3.4) ----

// doc returns the document bytes built so far.
func (e *encoder) doc() []byte { return e.d }

// size returns the document length.
func (e *encoder) size() uint32 { return uint32(len(e.d)) }

// result returns the caller's buffer with the document appended.
func (e *encoder) result() []byte { return e.out[:e.base+len(e.d)] }

// grow appends n zero bytes.
func (e *encoder) grow(n int) {
	if l := len(e.d); n <= e.zeroed-l {
		e.d = e.d[:l+n]
		return
	}
	e.growSlow(n)
}

// growSlow is grow when the zeroed room is too small: it zeroes room for
// the document to double (growing the buffer when needed), so that most
// grows are a length change.
func (e *encoder) growSlow(n int) {
	l := len(e.d)
	want := max(2*(l+n), 1024)
	if cap(e.d) < want {
		e.out = slices.Grow(e.out[:e.base+l], want-l)
		e.d = e.out[e.base : e.base+l]
	}
	clear(e.d[l:want])
	e.zeroed = want
	e.d = e.d[:l+n]
}

func (e *encoder) align4() {
	if r := e.size() & 3; r != 0 {
		e.grow(int(4 - r))
	}
}

// fill inserts the members of parsed container vi into the container
// whose fresh, empty root node is c.
func (e *encoder) fill(c uint32, ctype byte, v jval) *Error {
	if v.n <= maxKeys && !e.general {
		return e.fillNode(c, ctype == typeObject, v)
	}
	for j := uint32(0); j < v.n; j++ {
		m := e.mem[uint32(v.u)+j]
		var key []byte
		if ctype == typeObject {
			key = e.key(m)
		}
		vtype, plen := valueShape(m.v)
		p, err := e.insert(c, ctype, key, vtype, plen)
		if err != nil {
			return err
		}
		if err := e.putValue(p, m.v); err != nil {
			return err
		}
	}
	return nil
}

// fillNode is fill for a container of at most maxKeys members, which stay
// in its root node c: no split happens. It lays out the bytes inserting
// the members one by one would (entries in member order, each key's hash
// probed past the hashes already taken, the node's hashes sorted), with
// one pass over the members and one write of the node.
func (e *encoder) fillNode(c uint32, isObj bool, v jval) *Error {
	var hashes, kvs [maxKeys]uint32
	n := v.n & 7 // ≤ maxKeys; the mask lets the compiler drop bounds checks
	for j := uint32(0); j < n; j++ {
		m := &e.mem[uint32(v.u)+j]
		target := j // arrays: the element's index
		if isObj {
			h := djb2(e.key(*m))
			target = h
			for a := uint32(1); e.taken(hashes[:j], target); a++ {
				target = h + a*a // always found: j < maxKeys < maxProbes
			}
		}
		kv, err := e.emit(isObj, m)
		if err != nil {
			return err
		}
		// keep hashes[:j+1] sorted, kvs alongside
		i := j
		for ; i > 0 && hashes[(i-1)&7] > target; i-- {
			hashes[i&7], kvs[i&7] = hashes[(i-1)&7], kvs[(i-1)&7]
		}
		hashes[i&7], kvs[i&7] = target, kv
	}
	e.writeNode(c, hashes[:n], kvs[:n])
	return nil
}

// emit appends the entry of member m (its key, for objects, and value) at
// the end of the document and returns the entry's offset. Its first half
// is appendEntry's, kept inline here, the hot path, where it stores a
// short key as its prefix (calling appendEntry costs 5% of an encode).
func (e *encoder) emit(isObj bool, m *jmem) (uint32, *Error) {
	mv := m.v
	vtype, plen := valueShape(mv)
	kv := uint32(len(e.d))
	tagLen, tag, hdr := uint32(0), uint32(0), uint32(0)
	if isObj {
		tl, t := keyTag(int(m.kl))
		tagLen, tag = uint32(tl), t
		hdr = tagLen + m.kl + 1
	}
	if vtype >= typeObject {
		kv += (4 - (kv+hdr)&3) & 3
	}
	p := kv + hdr
	end := int(p) + 1 + plen
	if end > maxDocSize {
		return 0, usage("message too large: the encoded document would exceed 256 MiB", -1)
	}
	e.grow(end - len(e.d))
	b := e.d
	if isObj {
		if tagLen == 1 {
			b[kv] = byte(tag)
		} else {
			for k := uint32(0); k < tagLen; k++ {
				b[kv+k] = byte(tag >> (8 * k))
			}
		}
		if at := int(kv + tagLen); m.kl < 8 && at+8 <= e.zeroed {
			// the key's bytes then zeros (its NUL, and zero room)
			binary.BigEndian.PutUint64(b[:e.zeroed][at:], m.pfx)
		} else {
			copy(b[at:], e.key(*m))
		}
	}
	b[p] = vtype
	return kv, e.putValue(p, mv)
}

// taken reports whether h is among hashes.
func (e *encoder) taken(hashes []uint32, h uint32) bool {
	for _, x := range hashes {
		if x == h {
			return true
		}
	}
	return false
}

// writeNode stores the sorted hashes and entry offsets of a container
// whose members all sit in its root node c (empty until now), and counts
// them in the node and in the generation counter.
func (e *encoder) writeNode(c uint32, hashes, kvs []uint32) {
	b := e.doc()
	nd := (*[nodeSize]byte)(b[c : c+nodeSize])
	le := binary.LittleEndian
	n := uint32(len(hashes))
	for i := range hashes {
		le.PutUint32(nd[offHashes+4*(i&7):], hashes[i])
		le.PutUint32(nd[offKV+4*(i&7):], kvs[i])
	}
	le.PutUint32(nd[offSizeKC:], le.Uint32(nd[offSizeKC:])+n+n<<6)
	e.bumpGen(c, n)
}

// bumpGen adds n inserts into container c to the generation counter: the
// document's (release) or c's own (legacy).
func (e *encoder) bumpGen(c, n uint32) {
	at := uint32(0)
	if e.legacy {
		at = c
	}
	b := e.doc()
	g := le32(b, at)
	put32(b, at, (g&0xff)|((g>>8+n)&0xffffff)<<8)
}

// valueShape returns the Lite3 type of a parsed value and the payload
// bytes its entry reserves.
func valueShape(v jval) (vtype byte, plen int) {
	switch v.kind {
	case jNull:
		return typeNull, 0
	case jFalse, jTrue:
		return typeBool, 1
	case jInt:
		return typeI64, 8
	case jFloat:
		return typeF64, 8
	case jString:
		return typeString, 4 + int(v.n) + 1
	case jObject:
		return typeObject, nodeSize - 1
	default:
		return typeArray, nodeSize - 1
	}
}

// putValue writes the payload of parsed value v whose entry's
// type byte is at p, filling containers.
func (e *encoder) putValue(p uint32, v jval) *Error {
	b := e.doc()
	switch v.kind {
	case jTrue:
		b[p+1] = 1
	case jInt, jFloat:
		binary.LittleEndian.PutUint64(b[p+1:], v.u)
	case jString:
		put32(b, p+1, v.n+1)
		copy(b[p+5:], e.strs[v.u:v.u+uint64(v.n)])
	case jObject:
		return e.fill(p, typeObject, v)
	case jArray:
		return e.fill(p, typeArray, v)
	}
	return nil
}

// appendEntry appends an entry at the end of the document: for objects
// the key's size tag, the key and its NUL; then the value's
// type byte and plen zero bytes of payload. Container values start
// 4-aligned (their type byte is their node's first byte). It returns the
// entry's offset and the value's type byte offset.
func (e *encoder) appendEntry(isObj bool, key []byte, vtype byte, plen int) (kv, p uint32, err *Error) {
	tagLen, tag, klen := 0, uint32(0), 0
	if isObj {
		tagLen, tag = keyTag(len(key))
		klen = len(key) + 1
	}
	kv = e.size()
	if vtype == typeObject || vtype == typeArray {
		kv += (4 - (kv+uint32(tagLen+klen))&3) & 3
	}
	end := int(kv) + tagLen + klen + 1 + plen
	if end > maxDocSize {
		return 0, 0, usage("message too large: the encoded document would exceed 256 MiB", -1)
	}
	e.grow(end - int(e.size()))
	b := e.doc()
	p = kv
	if tagLen == 1 {
		b[p] = byte(tag)
		p++
	} else {
		for k := 0; k < tagLen; k++ {
			b[p] = byte(tag >> (8 * k))
			p++
		}
	}
	if isObj {
		copy(b[p:], key)
		p += uint32(len(key)) + 1
	}
	b[p] = vtype
	return kv, p, nil
}

// insert adds a new entry to container c (type ctype) with the given key
// (objects) or at the end (arrays), reserving a value of type vtype with
// plen payload bytes (zeroed), and returns the offset of the value's type
// byte. Following §3.4: the generation counter is bumped, nodes holding 7
// keys are split on the way down, colliding hashes are probed
// quadratically.
func (e *encoder) insert(c uint32, ctype byte, key []byte, vtype byte, plen int) (uint32, *Error) {
	e.bumpGen(c, 1)
	b := e.doc()
	isObj := ctype == typeObject
	var h uint32
	attempts := 1
	if isObj {
		h = djb2(key)
		attempts = maxProbes
	} else {
		h = le32(b, c+offSizeKC) >> 6
	}
probe:
	for a := 0; a < attempts; a++ {
		target := h + uint32(a*a)
		cur := c
		parent := uint32(0)
		hasParent := false
		pi := uint32(0)
		for {
			b = e.doc()
			kc := le32(b, cur+offSizeKC) & 7
			if kc == maxKeys {
				e.align4()
				if !hasParent {
					nn := e.size()
					e.grow(nodeSize)
					b = e.doc()
					copy(b[nn:nn+nodeSize], b[cur:cur+nodeSize])
					clear(b[cur+offHashes : cur+offSizeKC])
					put32(b, cur+offSizeKC, le32(b, cur+offSizeKC)&^7)
					clear(b[cur+offKV : cur+nodeSize])
					put32(b, cur+offChild, nn)
					parent, hasParent, pi, cur = cur, true, 0, nn
				}
				sib := e.size()
				e.grow(nodeSize)
				b = e.doc()
				pkc := le32(b, parent+offSizeKC) & 7
				for j := pkc; j > pi; j-- {
					put32(b, parent+offHashes+4*j, le32(b, parent+offHashes+4*(j-1)))
					put32(b, parent+offKV+4*j, le32(b, parent+offKV+4*(j-1)))
				}
				for j := pkc + 1; j > pi+1; j-- {
					put32(b, parent+offChild+4*j, le32(b, parent+offChild+4*(j-1)))
				}
				sep := le32(b, cur+offHashes+12)
				put32(b, parent+offHashes+4*pi, sep)
				put32(b, parent+offKV+4*pi, le32(b, cur+offKV+12))
				put32(b, parent+offChild+4*(pi+1), sib)
				put32(b, parent+offSizeKC, le32(b, parent+offSizeKC)+1)

				b[sib] = ctype
				put32(b, sib+offSizeKC, 3)
				copy(b[sib+offHashes:sib+offHashes+12], b[cur+offHashes+16:cur+offHashes+28])
				copy(b[sib+offKV:sib+offKV+12], b[cur+offKV+16:cur+offKV+28])
				copy(b[sib+offChild:sib+offChild+16], b[cur+offChild+16:cur+offChild+32])
				clear(b[cur+offHashes+12 : cur+offHashes+28])
				clear(b[cur+offKV+12 : cur+offKV+28])
				clear(b[cur+offChild+16 : cur+offChild+32])
				put32(b, cur+offSizeKC, 3)
				switch {
				case target > sep:
					cur = sib
				case target == sep:
					if isObj && !e.keyAt(le32(b, parent+offKV+4*pi), key) {
						continue probe
					}
					return 0, usage("duplicate key", -1) // unreachable: members are deduplicated
				}
				kc = 3
			}
			// kc < maxKeys here: the &7 masks cost nothing and let the
			// compiler drop the bounds checks on the fixed-size node.
			nd := (*[nodeSize]byte)(b[cur : cur+nodeSize])
			le := binary.LittleEndian
			i := uint32(0)
			for i < kc && le.Uint32(nd[offHashes+4*(i&7):]) < target {
				i++
			}
			if i < kc && le.Uint32(nd[offHashes+4*(i&7):]) == target {
				if isObj && !e.keyAt(le.Uint32(nd[offKV+4*(i&7):]), key) {
					continue probe
				}
				return 0, usage("duplicate key", -1) // unreachable: members are deduplicated
			}
			if le.Uint32(nd[offChild:]) != 0 {
				parent, hasParent, pi = cur, true, i
				cur = le.Uint32(nd[offChild+4*(i&7):])
				continue
			}
			// leaf insert
			for j := kc; j > i; j-- {
				le.PutUint32(nd[offHashes+4*(j&7):], le.Uint32(nd[offHashes+4*((j-1)&7):]))
				le.PutUint32(nd[offKV+4*(j&7):], le.Uint32(nd[offKV+4*((j-1)&7):]))
			}
			le.PutUint32(nd[offHashes+4*(i&7):], target)
			le.PutUint32(nd[offSizeKC:], le.Uint32(nd[offSizeKC:])+1)
			kv, p, err := e.appendEntry(isObj, key, vtype, plen)
			if err != nil {
				return 0, err
			}
			b = e.doc()
			put32(b, cur+offKV+4*i, kv)
			put32(b, c+offSizeKC, le32(b, c+offSizeKC)+1<<6)
			return p, nil
		}
	}
	return 0, usage("too many colliding keys in one object", -1)
}

// keyAt reports whether the object entry at kv has the given key.
func (e *encoder) keyAt(kv uint32, key []byte) bool {
	b := e.doc()
	tagLen := uint32(b[kv]&3) + 1
	var tag uint32
	for k := uint32(0); k < tagLen; k++ {
		tag |= uint32(b[kv+k]) << (8 * k)
	}
	size := tag >> 2
	if int(size) != len(key)+1 {
		return false
	}
	return string(b[kv+tagLen:kv+tagLen+size-1]) == string(key)
}
