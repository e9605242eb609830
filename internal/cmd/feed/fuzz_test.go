package feed

import (
	"io"
	"strings"
	"testing"
)

// Any input stream is split into records or failures, never a panic or a
// loop, and every record respects the size limit.
func FuzzSplitter(f *testing.F) {
	for _, s := range []string{"{\"a\":1}\n", "\x1e{\"a\":1}\n\x1e", "data: {\"a\":1}\n\n", "{\n\"a\":\n", "[1]", "{\"a\":\"\\\"}\"}", "\x1e\x1e\n", "PLS1", ":\n"} {
		f.Add(s, uint8(0))
	}
	modes := []string{"auto", "jsonl", "json", "seq", "objects", "event"}
	f.Fuzz(func(t *testing.T, in string, m uint8) {
		mode := modes[int(m)%len(modes)]
		for _, skip := range []bool{false, true} {
			s := newSplitter(strings.NewReader(in), mode)
			if skip {
				s.fallback = "jsonl"
			}
			for n := 0; ; n++ {
				if n > len(in)+2 {
					t.Fatalf("more records than bytes: mode %s", mode)
				}
				r, err := s.next()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				if r.fail == "" && s.mode == "jsonl" && !jsonValid(r.data) {
					r = s.recover(r, skip)
				}
				if r.fail == "" && len(r.data) > MaxRecord {
					t.Fatalf("record over the limit")
				}
				if r.fail == "NotObject" || r.fail == "Incomplete" {
					break
				}
			}
		}
	})
}

// Envelope detection never panics.
func FuzzCompleteMessage(f *testing.F) {
	for _, s := range []string{"", "{}", `{"data":{},"meta":{"tags":[]},"seq":1,"time":"2020-01-01T00:00:00Z"}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		completeMessage([]byte(s))
	})
}
