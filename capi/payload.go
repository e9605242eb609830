//go:build cgo

package main

import (
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/plasmite-go/plasmite/core"
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
