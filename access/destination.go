package access

import (
	"strings"

	"github.com/plasmite-go/plasmite/core"
	"github.com/plasmite-go/plasmite/remote"
)

// Destination normalises the server URL a person typed for `access
// connect|status|disconnect`: https://host[:port] with path "/" or none,
// no query, fragment or credentials; the result has a trailing slash
// ("https://127.0.0.1:19743/"), the form saved connections are keyed by.
// Errors are Usage, worded as 1.2.1's.
func Destination(s string) (string, error) {
	hint := "Use the HTTPS address supplied by the server owner."
	low := strings.ToLower(strings.TrimSpace(s))
	if i := strings.Index(low, "://"); i < 0 {
		return "", &core.Error{Kind: core.Usage, Message: "invalid server URL", Hint: hint}
	} else if low[:i] != "https" {
		return "", &core.Error{Kind: core.Usage, Message: "server URL must use HTTPS", Hint: hint}
	}
	d, err := remote.ParseOrigin(s)
	if err != nil {
		switch msg := err.Error(); {
		case strings.Contains(msg, "credentials"):
			return "", &core.Error{Kind: core.Usage, Message: "server URL must name a host and must not contain credentials"}
		case strings.Contains(msg, "path"), strings.Contains(msg, "query"):
			return "", &core.Error{Kind: core.Usage, Message: "server URL must be an origin without a path, query, or fragment",
				Hint: "Use a URL such as https://pools.example.net:9743/"}
		}
		return "", &core.Error{Kind: core.Usage, Message: "invalid server URL", Hint: hint, Err: err}
	}
	if len(d) > 65535 {
		return "", &core.Error{Kind: core.Usage, Message: "server URL is too long"}
	}
	return d, nil
}
