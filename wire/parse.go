package wire

import (
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"github.com/plasmite-go/plasmite/core"
	"github.com/plasmite-go/plasmite/core/lite3"
)

// Reading documents back: what a client of the HTTP API receives (message
// envelopes in responses and JSONL lines, pool info and list documents)
// turned into core's values, so that everything a client does with a remote
// message (filters, rendering, the C ABI's buffers) is what it does with a
// local one.

// ErrBadMessage is ParseMessage's error for a document that is not a
// message envelope (its cause, if any, is wrapped).
var ErrBadMessage = errors.New("invalid message json")

// badMessage wraps why a document is not an envelope.
func badMessage(why error) error {
	if why == nil {
		return ErrBadMessage
	}
	return errors.Join(ErrBadMessage, why)
}

// ParseMessage reads one message envelope, {"data":{…},"meta":{"tags":[…]},
// "seq":N,"time":"<RFC 3339>"} with its members in any order (other members
// and other keys of meta are ignored), and returns it as a core.Message
// whose Payload is the Lite3 document of its tags and data appended to dst,
// encoded as the reference's client encodes what it reads (lite3.EncodeMessage:
// data rendered back from that payload prints as the reference's client
// prints the envelope). Errors wrap ErrBadMessage: a missing or mistyped
// member, a duplicate member, invalid JSON, data that is not an object. On
// error dst is returned unchanged. It allocates nothing for messages
// without tags when dst has room.
func ParseMessage(dst, doc []byte) (m core.Message, out []byte, err error) {
	var p envelopeParts
	if err := p.scan(doc); err != nil {
		return m, dst, badMessage(err)
	}
	if p.data == nil || p.meta == nil || p.seq == nil || p.time == nil {
		return m, dst, badMessage(errors.New("missing member"))
	}
	var tagBuf [4]string
	tags, err := parseTags(tagBuf[:0], p.meta)
	if err != nil {
		return m, dst, badMessage(err)
	}
	seq, err := strconv.ParseUint(string(p.seq), 10, 64)
	if err != nil {
		return m, dst, badMessage(errors.New("seq is not an unsigned integer"))
	}
	ts, err := parseTime(p.time)
	if err != nil {
		return m, dst, badMessage(err)
	}
	start := len(dst)
	out, err = lite3.EncodeMessage(dst, p.data, tags)
	if err != nil {
		return m, dst, badMessage(err)
	}
	return core.Message{Seq: seq, Time: ts, Payload: out[start:]}, out, nil
}

// envelopeParts are the spans of an envelope's members.
type envelopeParts struct {
	data, meta, seq, time []byte
}

// scan finds the members of the object doc.
func (p *envelopeParts) scan(doc []byte) error {
	return eachMember(doc, func(key, val []byte) error {
		var slot *[]byte
		switch string(key) {
		case "data":
			slot = &p.data
		case "meta":
			slot = &p.meta
		case "seq":
			slot = &p.seq
		case "time":
			slot = &p.time
		default:
			if !json.Valid(val) {
				return errors.New("invalid JSON")
			}
			return nil
		}
		if *slot != nil {
			return errors.New("duplicate member " + string(key))
		}
		*slot = val
		return nil
	})
}

// parseTags reads meta's tags (an array of strings) onto dst.
func parseTags(dst []string, meta []byte) ([]string, error) {
	var tags []byte
	err := eachMember(meta, func(key, val []byte) error {
		if string(key) != "tags" {
			if !json.Valid(val) {
				return errors.New("invalid JSON")
			}
			return nil
		}
		if tags != nil {
			return errors.New("duplicate member tags")
		}
		tags = val
		return nil
	})
	if err != nil {
		return nil, err
	}
	if tags == nil || tags[0] != '[' {
		return nil, errors.New("meta.tags must be an array")
	}
	i := skipSpace(tags, 1)
	if i < len(tags) && tags[i] == ']' {
		return dst, nil
	}
	for {
		if i >= len(tags) || tags[i] != '"' {
			return nil, errors.New("meta.tags must be an array of strings")
		}
		end, escaped, ok := scanString(tags, i)
		if !ok {
			return nil, errors.New("invalid JSON")
		}
		if escaped {
			var s string
			if err := json.Unmarshal(tags[i:end], &s); err != nil {
				return nil, err
			}
			dst = append(dst, s)
		} else {
			dst = append(dst, string(tags[i+1:end-1]))
		}
		i = skipSpace(tags, end)
		if i < len(tags) && tags[i] == ']' {
			return dst, nil
		}
		if i >= len(tags) || tags[i] != ',' {
			return nil, errors.New("invalid JSON")
		}
		i = skipSpace(tags, i+1)
	}
}

// parseTime reads a JSON string holding an RFC 3339 time as Unix
// nanoseconds.
func parseTime(v []byte) (int64, error) {
	end, escaped, ok := scanString(v, 0)
	if !ok || escaped || end != len(v) {
		return 0, errors.New("time must be an RFC 3339 string")
	}
	t, err := time.Parse(time.RFC3339Nano, string(v[1:end-1]))
	if err != nil {
		return 0, err
	}
	return t.UnixNano(), nil
}

// eachMember calls fn with each member of the JSON object doc (surrounding
// whitespace allowed): its key (unescaped only when it has no escapes; keys
// with escapes are passed as written) and its value's span. Values are
// delimited, not validated, except by fn.
func eachMember(doc []byte, fn func(key, val []byte) error) error {
	i := skipSpace(doc, 0)
	if i >= len(doc) || doc[i] != '{' {
		return errors.New("not an object")
	}
	i = skipSpace(doc, i+1)
	if i < len(doc) && doc[i] == '}' {
		if skipSpace(doc, i+1) != len(doc) {
			return errors.New("trailing characters")
		}
		return nil
	}
	for {
		if i >= len(doc) || doc[i] != '"' {
			return errors.New("invalid JSON")
		}
		kend, kesc, ok := scanString(doc, i)
		if !ok {
			return errors.New("invalid JSON")
		}
		key := doc[i+1 : kend-1]
		if kesc {
			key = doc[i:kend]
		}
		i = skipSpace(doc, kend)
		if i >= len(doc) || doc[i] != ':' {
			return errors.New("invalid JSON")
		}
		i = skipSpace(doc, i+1)
		vend, ok := skipValue(doc, i)
		if !ok {
			return errors.New("invalid JSON")
		}
		if err := fn(key, doc[i:vend]); err != nil {
			return err
		}
		i = skipSpace(doc, vend)
		if i < len(doc) && doc[i] == '}' {
			if skipSpace(doc, i+1) != len(doc) {
				return errors.New("trailing characters")
			}
			return nil
		}
		if i >= len(doc) || doc[i] != ',' {
			return errors.New("invalid JSON")
		}
		i = skipSpace(doc, i+1)
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// scanString returns the index just past the JSON string starting at b[i]
// (a '"'), and whether it holds escapes.
func scanString(b []byte, i int) (end int, escaped, ok bool) {
	if i >= len(b) || b[i] != '"' {
		return 0, false, false
	}
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '"':
			return j + 1, escaped, true
		case '\\':
			escaped = true
			j++
		}
	}
	return 0, false, false
}

// skipValue returns the index just past the JSON value starting at b[i].
// Containers are matched bracket by bracket (strings inside them skipped);
// scalars run to the next delimiter.
func skipValue(b []byte, i int) (int, bool) {
	if i >= len(b) {
		return 0, false
	}
	switch b[i] {
	case '"':
		end, _, ok := scanString(b, i)
		return end, ok
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				end, _, ok := scanString(b, j)
				if !ok {
					return 0, false
				}
				j = end - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1, true
				}
			}
		}
		return 0, false
	}
	j := i
	for j < len(b) {
		switch b[j] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return j, j > i
		}
		j++
	}
	return j, j > i
}

// ParseInfo reads a pool info document (InfoDocument's shape; members in
// any order, unknown ones ignored) back into core.Info and the document's
// name ("" when absent). Metrics are optional; a time that is null or
// missing is the zero time. Errors: invalid JSON or a mistyped member.
func ParseInfo(doc []byte) (in core.Info, name string, err error) {
	var d infoWire
	if err := json.Unmarshal(doc, &d); err != nil {
		return in, "", err
	}
	return d.info(), d.Name, nil
}

// ParseList reads a pool list document {"pools":[…]} of pool info
// documents, as the HTTP API returns it, into entries (Name and Path as
// the documents say, Info from each document, ModTime unknown).
func ParseList(doc []byte) ([]core.PoolEntry, error) {
	var d struct {
		Pools *[]infoWire `json:"pools"`
	}
	if err := json.Unmarshal(doc, &d); err != nil {
		return nil, err
	}
	if d.Pools == nil {
		return nil, errors.New("missing member pools")
	}
	out := make([]core.PoolEntry, len(*d.Pools))
	for i, w := range *d.Pools {
		out[i] = core.PoolEntry{Name: w.Name, Path: w.Path, Info: w.info()}
	}
	return out, nil
}

// infoWire is the pool info document as JSON decodes it.
type infoWire struct {
	Name           string `json:"name"`
	Path           string `json:"path"`
	FileSize       uint64 `json:"file_size"`
	IndexOffset    uint64 `json:"index_offset"`
	IndexCapacity  uint64 `json:"index_capacity"`
	IndexSizeBytes uint64 `json:"index_size_bytes"`
	RingOffset     uint64 `json:"ring_offset"`
	RingSize       uint64 `json:"ring_size"`
	Bounds         struct {
		Oldest uint64 `json:"oldest"`
		Newest uint64 `json:"newest"`
	} `json:"bounds"`
	Metrics *struct {
		MessageCount uint64 `json:"message_count"`
		Utilization  struct {
			UsedBytes   uint64  `json:"used_bytes"`
			FreeBytes   uint64  `json:"free_bytes"`
			UsedPercent float64 `json:"used_percent"`
		} `json:"utilization"`
		Age struct {
			OldestTime *time.Time `json:"oldest_time"`
			NewestTime *time.Time `json:"newest_time"`
		} `json:"age"`
	} `json:"metrics"`
}

func (w infoWire) info() core.Info {
	in := core.Info{Path: w.Path, FileSize: w.FileSize, IndexOffset: w.IndexOffset, IndexCapacity: w.IndexCapacity,
		IndexSizeBytes: w.IndexSizeBytes, RingOffset: w.RingOffset, RingSize: w.RingSize,
		Bounds: core.Bounds{Oldest: w.Bounds.Oldest, Newest: w.Bounds.Newest}}
	if m := w.Metrics; m != nil {
		in.MessageCount = m.MessageCount
		in.UsedBytes, in.FreeBytes, in.UsedPercent = m.Utilization.UsedBytes, m.Utilization.FreeBytes, m.Utilization.UsedPercent
		if t := m.Age.OldestTime; t != nil {
			in.OldestTime = t.UTC()
		}
		if t := m.Age.NewestTime; t != nil {
			in.NewestTime = t.UTC()
		}
	} else if in.Bounds.Oldest != 0 {
		in.MessageCount = in.Bounds.Newest - in.Bounds.Oldest + 1
	}
	return in
}
