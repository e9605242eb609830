//go:build cgo

package main

import (
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/plasmite-go/plasmite/core"
	"github.com/plasmite-go/plasmite/core/jsonfmt"
	"github.com/plasmite-go/plasmite/core/lite3"
)

// encodeMessage appends to dst the Lite3 message document for the JSON
// object data with tags. Errors are Usage; malformed JSON reads
// "invalid json: <detail>", as the reference's "invalid json" plus where.
func encodeMessage(dst, data []byte, tags []string) ([]byte, error) {
	out, err := lite3.EncodeMessage(dst, data, tags)
	if err != nil {
		return dst, fromLite3(err)
	}
	return out, nil
}

// fromLite3 maps a codec error to core's kinds: bad input is Usage, bad
// bytes are Corrupt.
func fromLite3(err error) error {
	var le *lite3.Error
	if !errors.As(err, &le) {
		return err
	}
	if le.Corrupt {
		return &core.Error{Kind: core.Corrupt, Message: le.Error()}
	}
	msg := le.Error()
	if rest, ok := strings.CutPrefix(msg, "invalid JSON: "); ok {
		msg = "invalid json: " + rest
	} else if strings.HasPrefix(msg, "data is empty") {
		msg = "invalid json: " + msg
	} else if strings.HasPrefix(msg, "data must be a JSON object") {
		msg = "data must be object" // the reference's words
	}
	return &core.Error{Kind: core.Usage, Message: msg}
}

// jsonError reports bytes that are not UTF-8 as the reference does ("invalid
// json utf-8"), checked only once encoding failed so that the valid case
// scans the input once.
func jsonError(data []byte, err error) error {
	if !utf8.Valid(data) {
		return usage("invalid json utf-8")
	}
	return err
}

func corrupt(msg string) error { return &core.Error{Kind: core.Corrupt, Message: msg} }

// appendEnvelope appends the envelope JSON of a stored message in the key
// order of the reference's C ABI (which differs from its CLI's sorted order):
//
//	{"seq":N,"time":"<RFC 3339>","meta":{"tags":[…]},"data":…}
//
// A payload that is not a message document is Corrupt, with the
// reference's messages. dst is returned unchanged on error.
func appendEnvelope(dst, doc []byte, seq uint64, unixNanos int64) ([]byte, error) {
	root, err := lite3.Root(doc)
	if err != nil {
		return dst, fromLite3(err)
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
	out = strconv.AppendUint(out, seq, 10)
	out = append(out, `,"time":"`...)
	out = jsonfmt.AppendRFC3339(out, unixNanos)
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
		return dst, fromLite3(err)
	}
	out = append(out, `]},"data":`...)
	out, err = lite3.AppendDataJSON(out, doc, jsonfmt.Compact)
	if err != nil {
		return dst, fromLite3(err)
	}
	return append(out, '}'), nil
}
