package backend

import (
	"errors"
	"strconv"

	"github.com/plasmite-go/plasmite/core/jsonfmt"
	"github.com/plasmite-go/plasmite/core/lite3"
)

// appendABIEnvelope appends the envelope of the stored message doc in the
// key order of the reference's C ABI, which its Go binding returns:
//
//	{"seq":N,"time":"<RFC 3339>","meta":{"tags":[…]},"data":…}
//
// A document that is not a message is an error; dst is then returned
// unchanged.
//
// Interim: the C ABI renders the same bytes (capi's appendEnvelope), and
// package wire, being written beside this, will hold the one copy
// (wire.AppendMessageABI); this function then becomes a call to it.
func appendABIEnvelope(dst, doc []byte, seq uint64, unixNanos int64) ([]byte, error) {
	root, err := lite3.Root(doc)
	if err != nil {
		return dst, err
	}
	tags, ok := root.GetPath("meta", "tags")
	if !ok || tags.Kind() != lite3.Array {
		return dst, errors.New("meta.tags must be array")
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
			return dst, errors.New("meta.tags must be string array")
		}
		if i > 0 {
			out = append(out, ',')
		}
		out = jsonfmt.AppendStringBytes(out, s)
	}
	if err := it.Err(); err != nil {
		return dst, err
	}
	out = append(out, `]},"data":`...)
	if out, err = lite3.AppendDataJSON(out, doc, jsonfmt.Compact); err != nil {
		return dst, err
	}
	return append(out, '}'), nil
}
