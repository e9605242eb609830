package backend

import "github.com/plasmite-go/plasmite/bindings/go/api"

// Remote opens pools given as http(s) URIs, served by `plasmite serve`.
// Until the module's remote client is wired in here, it refuses every ref
// with a Usage error that says so.
var Remote Opener = remoteNotBuilt{}

type remoteNotBuilt struct{}

func (remoteNotBuilt) Create(ref string, _ uint64) (Pool, error) { return nil, remoteUnavailable(ref) }

func (remoteNotBuilt) Open(ref string) (Pool, error) { return nil, remoteUnavailable(ref) }

func remoteUnavailable(ref string) error {
	return &api.Error{Kind: api.ErrorUsage,
		Message: "remote pool " + ref + " needs the remote client, which this version of the Go binding does not include yet; use a local pool name or path"}
}
