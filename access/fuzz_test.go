package access

import (
	"testing"
)

// FuzzParseKey: ParseKey never panics, accepts only what Reveal writes,
// and never quotes its input.
func FuzzParseKey(f *testing.F) {
	f.Add("pk1." + string(make([]byte, 0)) + "")
	f.Add("pk1.0000000000000000000000000000000000000000000000000000000000000000.1111111111111111111111111111111111111111111111111111111111111111")
	f.Add("pk1.ABCDEF.x")
	f.Fuzz(func(t *testing.T, s string) {
		k, err := ParseKey(s)
		if err != nil {
			if err != ErrInvalidKey {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if k.Reveal() != s {
			t.Fatalf("accepted %q, which is not its canonical form %q", s, k.Reveal())
		}
	})
}

// FuzzDecodeRecord: a saved connection record or store file from disk
// never panics the decoder, and a record that decodes re-encodes to the
// same text.
func FuzzDecodeRecord(f *testing.F) {
	k, _ := NewKey([32]byte{1})
	d := "https://127.0.0.1:19743/"
	f.Add(d, EncodeRecord(d, k))
	f.Add(d, "01")
	f.Add("", "010000"+EncodeRecord("", k)[6:])
	f.Add(d, `{"version":1,"connections":{"https://h/":"01"}}`)
	f.Fuzz(func(t *testing.T, dest, rec string) {
		if got, err := DecodeRecord(dest, rec); err == nil && EncodeRecord(dest, got) != rec {
			t.Fatalf("decoded %q but re-encodes differently", rec)
		}
		decodeConnectionsFile([]byte(rec), "")
	})
}
