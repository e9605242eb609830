package serve

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strconv"

	"github.com/plasmite-go/plasmite/access"
	"github.com/plasmite-go/plasmite/core"
)

// InitOptions are `serve init`'s.
type InitOptions struct {
	Dir    string // pool directory (created when missing)
	Server string // the public https:// origin ("" for none)
	Name   string // the first key's name ("" = DefaultKeyName)
}

// DefaultKeyName names the key `serve init` issues when given no name.
const DefaultKeyName = "first-client"

// InitAddress is a URL another machine might use, with its network.
type InitAddress struct {
	URL       string `json:"url"`
	Kind      string `json:"kind"`
	Interface string `json:"interface,omitempty"`
}

// InitResult is what `serve init` did. AccessKey is the new key's whole
// text: show it once, log it never.
type InitResult struct {
	AccessKey       string        `json:"access_key"`
	Addresses       []InitAddress `json:"addresses"`
	ConnectCommand  string        `json:"connect_command"`
	CreatedIdentity bool          `json:"created_identity"`
	Fingerprint     string        `json:"fingerprint"`
	Name            string        `json:"name"`
	PoolDir         string        `json:"pool_dir"`
	ServerRunning   bool          `json:"server_running"`
	SharedAddress   *string       `json:"shared_address"`
}

// Init prepares a pool directory for sharing, in one step: it creates the
// server identity when missing (recording SERVER as the shared address),
// issues a first key named o.Name, and says how another machine connects.
// When a server already runs on the directory, the key is issued through
// it (its identity and shared address stay as they are). Errors: Usage for
// a bad SERVER or name; Permission when the state is not private; IO.
func Init(ctx context.Context, o InitOptions) (InitResult, error) {
	var res InitResult
	origin, port := "", DefaultRemotePort
	if o.Server != "" {
		var err error
		if origin, port, err = httpsOrigin(o.Server); err != nil {
			return res, usage("SERVER must be an HTTPS origin", "Use https://HOST:PORT without a pool path, credentials, query, or fragment.")
		}
	}
	name := o.Name
	if name == "" {
		name = DefaultKeyName
	}
	name, err := access.CheckKeyName(name)
	if err != nil {
		return res, err
	}
	if err := os.MkdirAll(o.Dir, 0o777); err != nil {
		return res, &core.Error{Kind: core.IO, Message: "failed to create pool directory", Path: o.Dir, Err: err}
	}
	res.Name, res.PoolDir = name, displayPath(o.Dir)
	res.CreatedIdentity = !fileExists(filepath.Join(o.Dir, access.StateDirName, "identity.json"))
	st, err := access.OpenState(o.Dir, access.StateOptions{SharedAddress: origin})
	switch {
	case err == nil:
		defer st.Close()
		k, err := st.Keys().Issue(name)
		if err != nil {
			return res, err
		}
		res.AccessKey, res.Fingerprint = k.Reveal(), st.Fingerprint()
		origin = st.SharedAddress()
	case core.KindOf(err) == core.Busy:
		a, err := access.DialAdmin(ctx, o.Dir)
		if err != nil {
			return res, err
		}
		if res.AccessKey, err = a.Invite(ctx, name); err != nil {
			return res, err
		}
		status, err := a.Status(ctx)
		if err != nil {
			return res, err
		}
		res.ServerRunning, res.Fingerprint = true, a.Fingerprint()
		origin = ""
		if status.SharedAddress != nil {
			origin = *status.SharedAddress
		}
	default:
		return res, err
	}
	if origin != "" {
		res.SharedAddress = &origin
		if _, p, err := httpsOrigin(origin); err == nil {
			port = p
		}
	}
	for _, a := range access.Addresses() {
		res.Addresses = append(res.Addresses, InitAddress{URL: "https://" + net.JoinHostPort(a.Host, strconv.Itoa(port)), Kind: a.Kind, Interface: a.Interface})
	}
	target := origin
	switch {
	case target != "":
	case len(res.Addresses) > 0:
		target = res.Addresses[0].URL
	default:
		target = "https://HOST:" + strconv.Itoa(port)
	}
	res.ConnectCommand = "pls access connect " + target
	return res, nil
}

func fileExists(p string) bool {
	_, err := os.Lstat(p)
	return err == nil
}
