package mcp

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/plasmite-go/plasmite/core"
	"github.com/plasmite-go/plasmite/core/jsonfmt"
	"github.com/plasmite-go/plasmite/server"
)

// Every pool is a resource, plasmite:///pools/NAME; reading one returns
// the read batch of its latest 20 messages as JSON text.

const resourcePrefix = "plasmite:///pools/"

func (s *Server) listResources() (any, *rpcError) {
	ents, err := server.ListPools(s.dir)
	if err != nil {
		return nil, storageError(err)
	}
	list := make(arr, len(ents)) // ListPools sorts by name, which sorts the URIs
	for i, e := range ents {
		list[i] = obj{
			"uri":  resourcePrefix + e.Name,
			"name": e.Name,
			"description": "Latest messages from pool " + e.Name + "; reading returns up to " + strconv.Itoa(defaultCount) +
				" messages (" + strconv.FormatUint(e.Info.FileSize, 10) + " bytes fixed capacity; oldest messages are overwritten when full)",
			"mimeType": "application/json",
		}
	}
	return obj{"resources": list}, nil
}

func (s *Server) readResource(uri string) (any, *rpcError) {
	name, msg := resourcePool(uri)
	if msg != "" {
		return nil, errParams(msg)
	}
	var b *batch
	_, err := s.usePool(name, func(p *core.Pool) (err error) {
		b, err = readBatch(p, defaultCount, nil, filter{})
		return err
	})
	if err != nil {
		return nil, storageError(err)
	}
	text := string(jsonfmt.AppendValue(nil, b.doc(nil), jsonfmt.Compact))
	return obj{"contents": arr{obj{"uri": uri, "mimeType": "application/json", "text": text}}}, nil
}

// resourcePool is the pool a resource URI names, or why it names none:
// only plasmite:///pools/NAME, without host, query or fragment.
func resourcePool(uri string) (string, string) {
	const format = "resource uri must be in plasmite:///pools/{name} format"
	u, err := url.Parse(uri)
	switch {
	case err != nil || u.Scheme == "":
		return "", "resource uri must be a valid URI"
	case u.Scheme != "plasmite":
		return "", "resource uri must use plasmite scheme"
	case u.Host != "" || u.User != nil:
		return "", format
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.Contains(uri, "#"):
		return "", "resource uri must not include query or fragment"
	}
	if !strings.HasPrefix(u.EscapedPath(), "/") {
		return "", format
	}
	segs := dotSegmentsRemoved(strings.Split(u.EscapedPath()[1:], "/"))
	if len(segs) != 2 || segs[0] != "pools" || segs[1] == "" {
		return "", format
	}
	return segs[1], ""
}

// dotSegmentsRemoved resolves "." and ".." path segments (also spelled
// with %2e) as URL parsers do: ".." drops the segment before it, and
// either one at the end leaves an empty last segment.
func dotSegmentsRemoved(segs []string) []string {
	out := segs[:0:0]
	for i, s := range segs {
		last := i == len(segs)-1
		switch strings.ToLower(s) {
		case "..", ".%2e", "%2e.", "%2e%2e":
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
		case ".", "%2e":
		default:
			out = append(out, s)
			continue
		}
		if last {
			out = append(out, "")
		}
	}
	return out
}
