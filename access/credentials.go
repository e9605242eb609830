package access

import (
	"crypto/sha256"
	"crypto/subtle"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"time"
)

// Credentials are a key's credentials for package remote: TLS that
// verifies the server by the key's pin, and the bearer secret.
type Credentials struct {
	key Key
	// Now is the clock validity dates are checked against (time.Now when
	// nil).
	Now func() time.Time
}

// Credentials returns k's credentials for remote.Options.
func (k Key) Credentials() *Credentials { return &Credentials{key: k} }

// Errors of the certificate check. The secret is sent only after it
// passes.
var (
	ErrNoCertificate = errors.New("server sent no certificate")
	ErrPinMismatch   = errors.New("server certificate does not match the access key's fingerprint")
	ErrExpired       = errors.New("server certificate is expired or not yet valid")
)

// TLSConfig verifies the server without a CA chain: the leaf certificate's
// public key must be the pinned one, its names must cover serverName and
// the current time must be within its validity dates; the handshake
// proves the server holds the key. No client certificate is sent.
func (c *Credentials) TLSConfig(serverName string) (*tls.Config, error) {
	pin := c.key.pin
	now := c.Now
	if now == nil {
		now = time.Now
	}
	return &tls.Config{
		ServerName:         serverName,
		MinVersion:         tls.VersionTLS12,
		InsecureSkipVerify: true, // the pin replaces the CA chain; checked below
		VerifyConnection: func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) == 0 {
				return ErrNoCertificate
			}
			leaf := cs.PeerCertificates[0]
			return verifyLeaf(leaf, pin, serverName, now())
		},
	}, nil
}

func verifyLeaf(leaf *x509.Certificate, pin [32]byte, serverName string, now time.Time) error {
	sum := sha256.Sum256(leaf.RawSubjectPublicKeyInfo)
	if subtle.ConstantTimeCompare(sum[:], pin[:]) != 1 {
		return ErrPinMismatch
	}
	if now.Before(leaf.NotBefore) || now.After(leaf.NotAfter) {
		return ErrExpired
	}
	return leaf.VerifyHostname(serverName)
}

// Authorization is "Bearer <secret hex>": only the secret goes to the
// server.
func (c *Credentials) Authorization() string { return "Bearer " + c.key.SecretHex() }
