package server

import (
	"strings"
	"unicode/utf8"

	"github.com/plasmite-go/plasmite/core"
)

var (
	errNameSeparator = usage("pool name must not contain path separators")
	errNameInvalid   = usage("pool name must be nonempty and must not contain NUL or a path prefix")
	errNameUTF8      = usage("pool name must be valid UTF-8")
)

// PoolPath resolves a pool name from a request to its file in dir:
// dir/NAME.plasmite (no second suffix for a name ending in .plasmite).
// A name that could reach outside dir is refused (Usage): one containing a
// path separator ('/' or '\'), empty, ".", "..", or with NUL; so is one
// that is not UTF-8. MCP resolves its tools' pool names with it too.
func PoolPath(dir, name string) (string, error) {
	switch {
	case name == "" || name == "." || name == ".." || strings.IndexByte(name, 0) >= 0:
		return "", errNameInvalid
	case strings.ContainsAny(name, `/\`):
		return "", errNameSeparator
	case !utf8.ValidString(name):
		return "", errNameUTF8
	}
	return core.ResolveRef(dir, name), nil
}
