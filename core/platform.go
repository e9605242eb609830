//go:build !((linux || darwin) && (amd64 || arm64))

package core

// Plasmite supports Linux and macOS on amd64 and arm64: the pool format is
// little-endian and read through 64-bit atomic loads of a shared mapping, and
// the memory-ordering argument of order_amd64.go and order_arm64.go is made
// for those two architectures only. Building for anything else stops here
// with "undefined: plasmite_supports_only_linux_and_darwin_on_amd64_and_arm64".
var _ = plasmite_supports_only_linux_and_darwin_on_amd64_and_arm64
