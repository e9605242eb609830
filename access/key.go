package access

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/plasmite-go/plasmite/core"
)

// Key is an access key: the SHA-256 of the server's SubjectPublicKeyInfo
// (the pin) and the bearer secret. Its %v, %s and %#v forms show the pin
// and never the secret; Reveal is the only way to the whole key text.
type Key struct {
	pin    [32]byte
	secret [32]byte
}

// keyPrefix is the key's format version.
const keyPrefix = "pk1"

// ErrInvalidKey is ParseKey's error (Usage), worded as 1.2.1's. It never
// quotes the text it was given.
var ErrInvalidKey = &core.Error{Kind: core.Usage, Message: "invalid access key",
	Hint: "Use the complete key supplied by the server owner."}

// ParseKey reads "pk1.<64 lowercase hex>.<64 lowercase hex>", exactly.
// Anything else is ErrInvalidKey.
func ParseKey(s string) (Key, error) {
	var k Key
	version, rest, ok1 := strings.Cut(s, ".")
	pin, secret, ok2 := strings.Cut(rest, ".")
	if !ok1 || !ok2 || version != keyPrefix || !decodeLowerHex(k.pin[:], pin) || !decodeLowerHex(k.secret[:], secret) {
		return Key{}, ErrInvalidKey
	}
	return k, nil
}

// NewKey returns a key for the server whose public key has pin, with a new
// random secret.
func NewKey(pin [32]byte) (Key, error) {
	k := Key{pin: pin}
	if _, err := rand.Read(k.secret[:]); err != nil {
		return Key{}, &core.Error{Kind: core.Internal, Message: "failed to generate access key", Err: err}
	}
	return k, nil
}

// keyFromParts is a key from its two halves (a saved connection).
func keyFromParts(pin, secret [32]byte) Key { return Key{pin: pin, secret: secret} }

// Pin is the SHA-256 of the server's DER SubjectPublicKeyInfo.
func (k Key) Pin() [32]byte { return k.pin }

// PinHex is Pin in lowercase hex: the server's fingerprint.
func (k Key) PinHex() string { return hex.EncodeToString(k.pin[:]) }

// SecretHex is the bearer secret, in lowercase hex: what a client sends
// (Authorization: Bearer <SecretHex>). Never log it.
func (k Key) SecretHex() string { return hex.EncodeToString(k.secret[:]) }

// Reveal is the whole key text, "pk1.<pin>.<secret>": for showing it once
// to the person it is issued to, never for logs.
func (k Key) Reveal() string { return keyPrefix + "." + k.PinHex() + "." + k.SecretHex() }

// Verifier is what a server stores instead of the secret: the lowercase
// hex SHA-256 of the secret's 32 bytes.
func (k Key) Verifier() string {
	sum := sha256.Sum256(k.secret[:])
	return hex.EncodeToString(sum[:])
}

// String shows the pin and hides the secret.
func (k Key) String() string { return keyPrefix + "." + k.PinHex() + ".[redacted]" }

// GoString is String: %#v hides the secret too.
func (k Key) GoString() string { return "access.Key(" + k.String() + ")" }

// Format hides the secret whatever the verb.
func (k Key) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		fmt.Fprint(f, k.GoString())
		return
	}
	fmt.Fprint(f, k.String())
}

// KeyID is a key's public identity (as `access keys` lists it and `access
// revoke` takes it): the lowercase hex SHA-256 of the verifier's text.
func KeyID(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return hex.EncodeToString(sum[:])
}

// SecretVerifier is the verifier of a bearer secret as a client sent it:
// 64 hexadecimal digits (either case, as 1.2.1's server accepts them).
// ok is false for anything else.
func SecretVerifier(secretHex string) (verifier string, ok bool) {
	var secret [32]byte
	if len(secretHex) != 64 {
		return "", false
	}
	if _, err := hex.Decode(secret[:], []byte(secretHex)); err != nil {
		return "", false
	}
	sum := sha256.Sum256(secret[:])
	return hex.EncodeToString(sum[:]), true
}

// Fingerprint is the lowercase hex SHA-256 of the DER SubjectPublicKeyInfo
// of the certificate certDER (what `openssl x509 -pubkey | openssl pkey
// -pubin -outform der | sha256sum` prints). A certificate that does not
// parse is Usage `server sent an invalid certificate`.
func Fingerprint(certDER []byte) (string, error) {
	pin, err := pinOf(certDER)
	if err != nil {
		return "", err
	}
	return hex.EncodeToString(pin[:]), nil
}

var errBadCertificate = &core.Error{Kind: core.Usage, Message: "server sent an invalid certificate"}

func pinOf(certDER []byte) ([32]byte, error) {
	c, err := x509.ParseCertificate(certDER)
	if err != nil {
		return [32]byte{}, errBadCertificate
	}
	return sha256.Sum256(c.RawSubjectPublicKeyInfo), nil
}

// decodeLowerHex decodes exactly len(dst)*2 lowercase hex digits.
func decodeLowerHex(dst []byte, s string) bool {
	if len(s) != 2*len(dst) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	_, err := hex.Decode(dst, []byte(s))
	return err == nil
}
