package wire

import (
	"errors"
	"strconv"

	"github.com/plasmite-go/plasmite/core"
	"github.com/plasmite-go/plasmite/core/jsonfmt"
	"github.com/plasmite-go/plasmite/core/lite3"
)

// The message envelope: {"data":…,"meta":{"tags":[…]},"seq":N,"time":"…"},
// with time in RFC 3339 UTC (jsonfmt.AppendRFC3339). The CLI, the HTTP
// server, JSONL and SSE streams and MCP write it with keys sorted, as here;
// the C ABI writes seq, time, meta, data (AppendMessageABI).

// invalidStored is the error for a stored payload that cannot be rendered.
func invalidStored(seq uint64, err error) *core.Error {
	return &core.Error{Kind: core.Corrupt, Message: "stored message is not a valid document", Seq: &seq, Err: err}
}

// AppendMessage appends m's envelope in style (compact, pretty, colored),
// keys sorted, data rendered from the stored Lite3 document as the
// reference prints it. A payload that is not a valid message document is a
// Corrupt error with m's seq and the codec's complaint as its cause (Path is
// left for the caller); dst is then returned unchanged. It allocates nothing
// when dst has room.
func AppendMessage(dst []byte, m core.Message, style jsonfmt.Style) ([]byte, error) {
	out, err := lite3.AppendMessageJSON(dst, m.Payload, m.Seq, m.Time, style)
	if err != nil {
		return dst, invalidStored(m.Seq, err)
	}
	return out, nil
}

// AppendData appends only m's data value (the data-only form of the
// envelope), in style. Errors as AppendMessage.
func AppendData(dst []byte, m core.Message, style jsonfmt.Style) ([]byte, error) {
	out, err := lite3.AppendDataJSON(dst, m.Payload, style)
	if err != nil {
		return dst, invalidStored(m.Seq, err)
	}
	return out, nil
}

// MessageTree returns m's envelope as a generic tree (data and meta as
// stored, seq as uint64, time as an RFC 3339 string), for renderings that
// work on trees (YAML, jq filters). Errors as AppendMessage.
func MessageTree(m core.Message) (map[string]any, error) {
	doc, err := lite3.ToAny(m.Payload)
	if err != nil {
		return nil, invalidStored(m.Seq, err)
	}
	doc["seq"] = m.Seq
	doc["time"] = string(jsonfmt.AppendRFC3339(nil, m.Time))
	return doc, nil
}

// Envelope builds the envelope tree of a message from its parts, for a
// message known only by what was appended (data as a generic JSON value).
func Envelope(data any, tags []string, seq uint64, unixNanos int64) map[string]any {
	t := make([]any, len(tags))
	for i, s := range tags {
		t[i] = s
	}
	return map[string]any{"data": data, "meta": map[string]any{"tags": t}, "seq": seq,
		"time": string(jsonfmt.AppendRFC3339(nil, unixNanos))}
}

// corrupt is a Corrupt error worded as the reference's C ABI words it.
func corrupt(msg string) *core.Error { return &core.Error{Kind: core.Corrupt, Message: msg} }

// codecCorrupt reports a codec failure as Corrupt with the codec's text.
func codecCorrupt(err error) *core.Error {
	var le *lite3.Error
	if errors.As(err, &le) {
		return corrupt(le.Error())
	}
	return corrupt(err.Error())
}

// AppendMessageABI appends m's envelope in the C ABI's key order, compact:
//
//	{"seq":N,"time":"<RFC 3339>","meta":{"tags":[…]},"data":…}
//
// Other keys of meta are not shown. A payload that is not a message document
// is Corrupt with the reference's messages ("missing meta", "meta.tags must
// be array", …); dst is then returned unchanged.
func AppendMessageABI(dst []byte, m core.Message) ([]byte, error) {
	root, err := lite3.Root(m.Payload)
	if err != nil {
		return dst, codecCorrupt(err)
	}
	meta, ok := root.Get("meta")
	if !ok {
		return dst, corrupt("missing meta")
	}
	if meta.Kind() != lite3.Object {
		return dst, corrupt("meta is not object")
	}
	tags, ok := meta.Get("tags")
	if !ok {
		return dst, corrupt("missing meta.tags")
	}
	if tags.Kind() != lite3.Array {
		return dst, corrupt("meta.tags must be array")
	}
	out := append(dst, `{"seq":`...)
	out = strconv.AppendUint(out, m.Seq, 10)
	out = append(out, `,"time":"`...)
	out = jsonfmt.AppendRFC3339(out, m.Time)
	out = append(out, `","meta":{"tags":[`...)
	it := tags.Iter()
	for i := 0; it.Next(); i++ {
		s, ok := it.Value().StrBytes()
		if !ok {
			return dst, corrupt("meta.tags must be string array")
		}
		if i > 0 {
			out = append(out, ',')
		}
		out = jsonfmt.AppendStringBytes(out, s)
	}
	if err := it.Err(); err != nil {
		return dst, codecCorrupt(err)
	}
	out = append(out, `]},"data":`...)
	out, err = lite3.AppendDataJSON(out, m.Payload, jsonfmt.Compact)
	if err != nil {
		return dst, codecCorrupt(err)
	}
	return append(out, '}'), nil
}
