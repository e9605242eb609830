package backend

import (
	"bytes"
	"errors"
	"strings"
	"time"

	"github.com/plasmite-go/plasmite/bindings/go/api"
	"github.com/plasmite-go/plasmite/core"
	"github.com/plasmite-go/plasmite/core/lite3"
	"github.com/plasmite-go/plasmite/wire"
)

// envelope is a message's JSON envelope rendered into a scratch buffer,
// with what a Message is built from without parsing the JSON again.
type envelope struct {
	buf       []byte // {"seq":…,"time":"…","meta":{"tags":[…]},"data":…}
	doc       []byte // the Lite3 document it was rendered from
	seq       uint64
	unixNanos int64
}

// renderEnvelope renders the envelope of the stored message doc into dst[:0].
// On error buf is dst[:0], for reuse.
func renderEnvelope(dst, doc []byte, seq uint64, unixNanos int64) (envelope, error) {
	out, err := wire.AppendMessageABI(dst[:0], core.Message{Seq: seq, Time: unixNanos, Payload: doc})
	if err != nil {
		return envelope{buf: dst[:0]}, storedError(err, seq)
	}
	return envelope{buf: out, doc: doc, seq: seq, unixNanos: unixNanos}, nil
}

// parts returns where the time text and the data are in raw, a copy of
// e.buf. The layout is fixed up to the data: the time follows the seq, and
// `]},"data":` can only end the tags array (a quote inside a tag is
// escaped).
func (e envelope) parts(raw []byte) (timeText string, data []byte) {
	const dataKey = `]},"data":`
	timeStart := len(`{"seq":`) + decimalDigits(e.seq) + len(`,"time":"`)
	timeEnd := timeStart + bytes.IndexByte(raw[timeStart:], '"')
	dataStart := timeEnd + bytes.Index(raw[timeEnd:], []byte(dataKey)) + len(dataKey)
	end := len(raw) - 1
	return string(raw[timeStart:timeEnd]), raw[dataStart:end:end]
}

func decimalDigits(v uint64) int {
	n := 1
	for ; v >= 10; v /= 10 {
		n++
	}
	return n
}

// message copies the envelope into a new Message whose tags are read from
// the stored document.
func (e envelope) message() *api.Message {
	return e.messageWithTags(docTags(e.doc))
}

// messageWithTags copies the envelope into a new Message with the given
// tags, which the caller hands over. Data shares Raw's memory (capacity
// limited, so appending to Data cannot overwrite Raw).
func (e envelope) messageWithTags(tags []string) *api.Message {
	raw := clone(e.buf)
	timeText, data := e.parts(raw)
	return &api.Message{
		Seq:         e.seq,
		Time:        time.Unix(0, e.unixNanos).UTC(),
		TimeRFC3339: timeText,
		Data:        data,
		Meta:        api.MessageMeta{Tags: tags},
		Raw:         raw,
	}
}

// docTags returns the tags of a message document that AppendEnvelope
// accepted, as strings sharing one allocation. No tags is an empty, non-nil
// slice (as decoding the envelope's "tags":[] gives).
func docTags(doc []byte) []string {
	root, _ := lite3.Root(doc)
	arr, _ := root.GetPath("meta", "tags")
	n, size := 0, 0
	for it := arr.Iter(); it.Next(); n++ {
		s, _ := it.Value().StrBytes()
		size += len(s)
	}
	if n == 0 {
		return []string{}
	}
	var text strings.Builder
	text.Grow(size)
	for it := arr.Iter(); it.Next(); {
		s, _ := it.Value().StrBytes()
		text.Write(s)
	}
	all := text.String()
	tags := make([]string, 0, n)
	for it := arr.Iter(); it.Next(); {
		s, _ := it.Value().StrBytes()
		tags = append(tags, all[:len(s)])
		all = all[len(s):]
	}
	return tags
}

// cloneTags copies tags; no tags is an empty, non-nil slice.
func cloneTags(tags []string) []string {
	return append(make([]string, 0, len(tags)), tags...)
}

// storedError reports a stored message that cannot be rendered: Corrupt,
// with its sequence number.
func storedError(err error, seq uint64) error {
	msg := err.Error()
	var le *lite3.Error
	if errors.As(err, &le) {
		msg = le.Msg
	}
	return &api.Error{Kind: api.ErrorCorrupt, Message: msg, Seq: &seq}
}
