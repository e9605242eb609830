// Package access is how a pool directory is shared with other machines, as
// release 1.2.1 does it, on both sides:
//
//   - access keys, "pk1.<F>.<S>": F is the SHA-256 of the server
//     certificate's SubjectPublicKeyInfo (the pin), S a 32-byte bearer
//     secret; the server stores only a verifier of S (Key, ParseKey,
//     Fingerprint);
//   - the client side: TLS verification by the pin, the certificate's names
//     and dates, without a CA chain (Credentials, for package remote), and
//     the saved connections of an OS user (Connections), in the files and
//     encoding 1.2.1 uses, so that either CLI reads the other's;
//   - the server side: the state directory DIR/.plasmite-serve with its
//     lock, private permissions and atomic writes (OpenState), the server
//     identity (a generated ECDSA P-256 certificate, kept for ever, or the
//     owner's), the key records with their revocation signals, browser
//     sessions, and the client of a running server's local administration
//     routes (Admin), which is how `access invite|keys|revoke` reach it.
//
// Nothing here reads an environment variable: callers pass directories and
// addresses. Secrets never appear in errors or in a Key's %v form.
package access
