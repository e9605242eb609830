package access

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/plasmite-go/plasmite/core"
)

// CheckTimeout bounds an access check.
const CheckTimeout = 30 * time.Second

// CheckAccess asks the server at destination (see Destination) whether
// key is accepted: GET /v0/access/check over TLS verified by the key's
// pin, the secret sent only once that passed. accepted is false when the
// server answers 401. With a nil key it only probes reachability: no
// certificate check, no secret. Errors (IO): the server could not be
// reached or verified, it redirected, or it answered otherwise.
func CheckAccess(ctx context.Context, destination string, key *Key) (accepted bool, err error) {
	host := strings.TrimSuffix(strings.TrimPrefix(destination, "https://"), "/")
	name, _, err := net.SplitHostPort(host)
	if err != nil {
		name = host
	}
	name = strings.TrimSuffix(strings.TrimPrefix(name, "["), "]")
	cfg := &tls.Config{ServerName: name, InsecureSkipVerify: true, MinVersion: tls.VersionTLS12}
	if key != nil {
		if cfg, err = key.Credentials().TLSConfig(name); err != nil {
			return false, err
		}
	}
	c := &http.Client{
		Timeout:       CheckTimeout,
		Transport:     &http.Transport{Proxy: nil, TLSClientConfig: cfg, ForceAttemptHTTP2: false},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	defer c.CloseIdleConnections()
	req, err := http.NewRequestWithContext(ctx, "GET", destination+"v0/access/check", nil)
	if err != nil {
		return false, &core.Error{Kind: core.Usage, Message: "invalid server URL", Err: err}
	}
	if key != nil {
		req.Header.Set("Authorization", key.Credentials().Authorization())
	}
	resp, err := c.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // its text repeats the URL
		}
		return false, &core.Error{Kind: core.IO, Message: "certificate check failed", Err: err}
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	switch {
	case resp.StatusCode == http.StatusOK:
		return true, nil
	case resp.StatusCode == http.StatusUnauthorized:
		return false, nil
	case resp.StatusCode >= 300 && resp.StatusCode <= 399:
		return false, &core.Error{Kind: core.IO, Message: "server redirected the certificate check"}
	}
	return false, &core.Error{Kind: core.IO, Message: "could not verify the server certificate",
		Hint: "The server answered the access check with HTTP " + resp.Status + "."}
}
