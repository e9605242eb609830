package follow

import (
	"encoding/json"

	"github.com/itchyny/gojq"

	"github.com/plasmite-go/plasmite/core/jsonfmt"
	"github.com/plasmite-go/plasmite/internal/cmd/cmdutil"
)

// whereFilter is the AND of compiled --where jq predicates. It runs real jq
// (gojq): every builtin exists and a missing key is null, as in jq.
type whereFilter struct {
	exprs []string
	codes []*gojq.Code
	fast  []*fastPred // per expression; nil when it needs jq
}

// compileWhere compiles each expression once; a syntax or unknown-function
// error is a Usage error.
func compileWhere(exprs []string) (*whereFilter, error) {
	w := &whereFilter{}
	for _, e := range exprs {
		q, err := gojq.Parse(e)
		if err == nil {
			var c *gojq.Code
			c, err = gojq.Compile(q)
			if err == nil {
				w.exprs = append(w.exprs, e)
				w.codes = append(w.codes, c)
				w.fast = append(w.fast, parseFast(e))
				continue
			}
		}
		return nil, cmdutil.UsageError("invalid filter expression", "Failed to parse/compile `"+e+"`.\nDetails: "+err.Error()+"\nExample: --where '.data.kind == \"ping\"'")
	}
	return w, nil
}

// matchDoc decides on the raw message when every predicate has a byte-level
// evaluator (decided=false otherwise, or when one of them declines), and
// rejects early when any byte-level predicate is false.
func (w *whereFilter) matchDoc(doc []byte) (match, decided bool) {
	all := true
	for _, f := range w.fast {
		if f == nil {
			all = false
			continue
		}
		switch f.match(doc) {
		case 0:
			return false, true
		case -1:
			all = false
		}
	}
	return true, all
}

// match runs every predicate on the envelope. A runtime error means "no
// match"; a non-boolean output is a Usage error; otherwise a predicate holds
// when at least one of its outputs is true.
func (w *whereFilter) match(env map[string]any) (bool, error) {
	for i, c := range w.codes {
		it := c.Run(env)
		ok := false
		for {
			v, more := it.Next()
			if !more {
				break
			}
			if _, isErr := v.(error); isErr {
				ok = false
				break
			}
			b, isBool := v.(bool)
			if !isBool {
				enc := string(jsonfmt.AppendValue(nil, gojqPlain(v), jsonfmt.Compact))
				return false, cmdutil.UsageError("filter expression must yield booleans", "Expression `"+w.exprs[i]+"` yielded non-boolean value: "+enc)
			}
			if b {
				ok = true
			}
		}
		if !ok {
			return false, nil
		}
	}
	return true, nil
}

// gojqPlain converts gojq result values into what jsonfmt.AppendValue prints.
func gojqPlain(v any) any {
	switch x := v.(type) {
	case int:
		return int64(x)
	case []any:
		out := make([]any, len(x))
		for i := range x {
			out[i] = gojqPlain(x[i])
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = gojqPlain(e)
		}
		return out
	}
	if s, ok := v.(interface{ String() string }); ok { // *big.Int
		return json.Number(s.String())
	}
	return v
}
