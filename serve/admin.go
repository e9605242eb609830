package serve

import (
	"encoding/json"
	"net/http"

	"github.com/plasmite-go/plasmite/access"
	"github.com/plasmite-go/plasmite/core"
	"github.com/plasmite-go/plasmite/server"
)

// The local listener's access administration (/v0/access/…), in 1.2.1's
// shapes: what the 1.2.1 CLI's and ours `access invite|keys|revoke` and
// the local web page call. These routes exist only on the local listener;
// the HTTPS listener answers that administration is local only.

var errNotOwner = &core.Error{Kind: core.Permission, Message: "local server does not own the selected pool directory"}

// admin serves the routes for one running server.
type admin struct {
	srv      *server.Server
	state    *access.State
	identity []byte // the pool directory's canonical path
	display  string // the pool directory as given
}

func (a *admin) register() {
	a.srv.Handle("GET", "/v0/access/status", a.status)
	a.srv.Handle("POST", "/v0/access/invite", a.invite)
	a.srv.Handle("GET", "/v0/access/keys", a.keys)
	a.srv.Handle("POST", "/v0/access/revoke", a.revoke)
	a.srv.Handle("GET", "/v0/access/check", func(w http.ResponseWriter, r *http.Request) {
		writeDoc(w, map[string]bool{"accepted": true}) // local: no key is needed here
	})
}

func writeDoc(w http.ResponseWriter, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		server.WriteError(w, &core.Error{Kind: core.Internal, Message: "failed to encode response", Err: err}, 0)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Plasmite-Version", "0")
	h.Set("Cache-Control", "no-store")
	w.Write(b)
}

func (a *admin) status(w http.ResponseWriter, r *http.Request) {
	st := access.Status{
		Addresses:         access.Addresses(),
		PoolDir:           a.display,
		PoolDirIdentity:   a.identity,
		ServerFingerprint: a.state.Fingerprint(),
	}
	if sa := a.state.SharedAddress(); sa != "" {
		st.Ready, st.SharedAddress = true, &sa
	} else {
		next := "Restart with --shared-address to tell recipients where to connect."
		st.NextAction = &next
	}
	writeDoc(w, st)
}

// readAdmin reads a JSON body into v and checks its server_fingerprint.
func (a *admin) readAdmin(w http.ResponseWriter, r *http.Request, v any, fingerprint *string) bool {
	b, err := a.srv.ReadJSONBody(w, r)
	if err != nil {
		server.WriteError(w, err, 0)
		return false
	}
	if err := json.Unmarshal(b, v); err != nil {
		server.WriteError(w, &core.Error{Kind: core.Usage, Message: "invalid request body", Err: err}, http.StatusUnprocessableEntity)
		return false
	}
	if *fingerprint != a.state.Fingerprint() {
		server.WriteError(w, errNotOwner, 0)
		return false
	}
	return true
}

func (a *admin) invite(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Name        string `json:"name"`
		Fingerprint string `json:"server_fingerprint"`
	}
	if !a.readAdmin(w, r, &req, &req.Fingerprint) {
		return
	}
	k, err := a.state.Keys().Issue(req.Name)
	if err != nil {
		server.WriteError(w, err, 0)
		return
	}
	writeDoc(w, map[string]string{"access_key": k.Reveal()})
}

func (a *admin) keys(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("X-Plasmite-Server-Fingerprint") != a.state.Fingerprint() {
		server.WriteError(w, errNotOwner, 0)
		return
	}
	writeDoc(w, map[string]any{"keys": a.state.Keys().List()})
}

func (a *admin) revoke(w http.ResponseWriter, r *http.Request) {
	var req struct {
		ID          string `json:"id"`
		Fingerprint string `json:"server_fingerprint"`
	}
	if !a.readAdmin(w, r, &req, &req.Fingerprint) {
		return
	}
	if err := a.state.Keys().Revoke(req.ID); err != nil {
		server.WriteError(w, err, 0)
		return
	}
	writeDoc(w, map[string]any{"id": req.ID, "revoked": true})
}
