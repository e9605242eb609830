package server

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// The query members the routes read. Unknown members are ignored; a known
// one given twice, or a number that does not parse, is a 400.
type queryKeys uint8

const (
	queryDurability queryKeys = 1 << iota
	queryTail
)

type query struct {
	durability string

	sinceSeq, max, timeoutMS *uint64
	gapPolicy                *string
	tags                     []string
}

// parseQuery reads raw (a URL's query) for the members in keys.
func parseQuery(raw string, keys queryKeys) (q query, err error) {
	seen := map[string]bool{}
	for raw != "" {
		var kv string
		kv, raw, _ = strings.Cut(raw, "&")
		if kv == "" {
			continue
		}
		k, v, _ := strings.Cut(kv, "=")
		if k, err = queryUnescape(k); err != nil {
			return q, err
		}
		if v, err = queryUnescape(v); err != nil {
			return q, err
		}
		if keys&queryTail != 0 && k == "tag" {
			if t := strings.TrimSpace(v); t != "" {
				q.tags = append(q.tags, t)
			}
			continue
		}
		var num **uint64
		switch {
		case keys&queryDurability != 0 && k == "durability":
		case keys&queryTail != 0 && k == "gap_policy":
		case keys&queryTail != 0 && k == "since_seq":
			num = &q.sinceSeq
		case keys&queryTail != 0 && k == "max":
			num = &q.max
		case keys&queryTail != 0 && k == "timeout_ms":
			num = &q.timeoutMS
		default:
			continue
		}
		if seen[k] {
			return q, statusErr(http.StatusBadRequest, "invalid query: duplicate field `"+k+"`")
		}
		seen[k] = true
		switch {
		case num != nil:
			n, err := strconv.ParseUint(v, 10, 64)
			if err != nil {
				return q, statusErr(http.StatusBadRequest, "invalid query: "+k+" must be an unsigned 64-bit integer")
			}
			*num = &n
		case k == "durability":
			q.durability = v
		default:
			q.gapPolicy = &v
		}
	}
	return q, nil
}

func queryUnescape(s string) (string, error) {
	v, err := url.QueryUnescape(s)
	if err != nil {
		return "", statusErr(http.StatusBadRequest, "invalid query: bad percent-encoding")
	}
	return v, nil
}
