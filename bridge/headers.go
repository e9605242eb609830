package bridge

import (
	"strconv"
	"strings"
)

// The headers a bridged message carries. Out sets them all; In reads the
// tags (and ignores the rest, which stay in the stream for consumers).
const (
	// HeaderMsgID is JetStream's deduplication header: "<identity>:<seq>".
	HeaderMsgID = "Nats-Msg-Id"
	// HeaderTag holds one tag per value, in the message's order.
	HeaderTag = "Plasmite-Tag"
	// HeaderSeq is the message's seq in the source pool (decimal).
	HeaderSeq = "Plasmite-Seq"
	// HeaderTime is the message's time in the source pool (RFC 3339, UTC, ns).
	HeaderTime = "Plasmite-Time"
	// HeaderSource is the source pool's bridge identity (see State).
	HeaderSource = "Plasmite-Source"
	// HeaderGap, on the first message after a retention gap, names the
	// messages the ring overwrote before they were forwarded: "first-last".
	HeaderGap = "Plasmite-Gap"
)

// MarkerPrefix starts the tag In adds to every message it appends:
// "nats:<stream>:<stream seq>". It is how a restarted inbound bridge finds
// what it appended but had not acked when it stopped.
const MarkerPrefix = "nats:"

// marker is the tag of stream seq s of stream.
func marker(stream string, s uint64) string {
	return MarkerPrefix + stream + ":" + strconv.FormatUint(s, 10)
}

// parseMarker returns the stream seq of a marker tag of stream.
func parseMarker(tag []byte, stream string) (uint64, bool) {
	p := len(MarkerPrefix) + len(stream)
	if len(tag) <= p+1 || string(tag[:len(MarkerPrefix)]) != MarkerPrefix ||
		string(tag[len(MarkerPrefix):p]) != stream || tag[p] != ':' {
		return 0, false
	}
	s, err := strconv.ParseUint(string(tag[p+1:]), 10, 64)
	return s, err == nil
}

// Subject tokens cannot hold '.', '*', '>', whitespace or be empty, so a
// tag is escaped: those bytes, '%' and control bytes become %XX, and the
// empty tag is "%".

// appendTagToken appends tag as one subject token.
func appendTagToken(dst []byte, tag string) []byte {
	if tag == "" {
		return append(dst, '%')
	}
	const hex = "0123456789ABCDEF"
	for i := 0; i < len(tag); i++ {
		c := tag[i]
		if c <= ' ' || c == '.' || c == '*' || c == '>' || c == '%' || c == 0x7f {
			dst = append(dst, '%', hex[c>>4], hex[c&15])
		} else {
			dst = append(dst, c)
		}
	}
	return dst
}

// tagOfToken reverses appendTagToken; ok is false for a malformed escape.
func tagOfToken(tok string) (string, bool) {
	if tok == "%" {
		return "", true
	}
	if !strings.Contains(tok, "%") {
		return tok, true
	}
	var b strings.Builder
	for i := 0; i < len(tok); i++ {
		if tok[i] != '%' {
			b.WriteByte(tok[i])
			continue
		}
		if i+2 >= len(tok) {
			return "", false
		}
		v, err := strconv.ParseUint(tok[i+1:i+3], 16, 8)
		if err != nil {
			return "", false
		}
		b.WriteByte(byte(v))
		i += 2
	}
	return b.String(), true
}

// subjectTags returns the tags carried by subj's tokens after prefix.
func subjectTags(subj, prefix string) []string {
	rest, ok := strings.CutPrefix(subj, prefix+".")
	if !ok || rest == "" {
		return nil
	}
	var tags []string
	for _, tok := range strings.Split(rest, ".") {
		if t, ok := tagOfToken(tok); ok {
			tags = append(tags, t)
		}
	}
	return tags
}
