package wire

import (
	"time"

	"github.com/plasmite-go/plasmite/core"
	"github.com/plasmite-go/plasmite/core/jsonfmt"
)

// boundsDoc is the bounds object: {"oldest":N,"newest":N}, or {} for an empty
// pool.
func boundsDoc(b core.Bounds) map[string]any {
	if b.Newest == 0 {
		return map[string]any{}
	}
	return map[string]any{"oldest": b.Oldest, "newest": b.Newest}
}

// rfc3339 is t as the documents write times; nil for the zero time.
func rfc3339(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return string(jsonfmt.AppendRFC3339(nil, t.UnixNano()))
}

// InfoDocument returns the pool info document of `pool info --json`, the C
// ABI and the HTTP API as a generic tree (render it with
// jsonfmt.AppendValue, which sorts the keys): geometry, bounds (ends omitted
// when empty) and metrics with message_count, seq_span, utilization and age
// (times in RFC 3339, ages in whole milliseconds before now, floored at 0,
// null when unknown). name is omitted when empty.
func InfoDocument(in core.Info, name string, now time.Time) map[string]any {
	age := map[string]any{"newest_age_ms": nil, "newest_time": nil, "oldest_age_ms": nil, "oldest_time": nil}
	setAge := func(prefix string, t time.Time) {
		if t.IsZero() {
			return
		}
		ms := uint64(0)
		if d := now.Sub(t); d > 0 {
			ms = uint64(d / time.Millisecond)
		}
		age[prefix+"_time"] = rfc3339(t)
		age[prefix+"_age_ms"] = ms
	}
	setAge("oldest", in.OldestTime)
	setAge("newest", in.NewestTime)
	doc := map[string]any{
		"bounds":           boundsDoc(in.Bounds),
		"file_size":        in.FileSize,
		"index_capacity":   in.IndexCapacity,
		"index_offset":     in.IndexOffset,
		"index_size_bytes": in.IndexSizeBytes,
		"metrics": map[string]any{
			"age":           age,
			"message_count": in.MessageCount,
			"seq_span":      in.MessageCount,
			"utilization": map[string]any{
				"free_bytes":   in.FreeBytes,
				"used_bytes":   in.UsedBytes,
				"used_percent": in.UsedPercent,
			},
		},
		"path":        in.Path,
		"ring_offset": in.RingOffset,
		"ring_size":   in.RingSize,
	}
	if name != "" {
		doc["name"] = name
	}
	return doc
}

// ListEntry returns one entry of the pool list document for e: a readable
// pool as {"bounds","file_size","mtime" (RFC 3339 or null),"name","path"};
// one that could not be read as {"error":{"error":{…}},"name","path"}, the
// inner object being the CLIForm error fields of e.Err (the doubled "error"
// is the reference's shape).
func ListEntry(e core.PoolEntry) map[string]any {
	if e.Err != nil {
		return ListError(e.Name, e.Path, ErrorOf(e.Err))
	}
	return map[string]any{"bounds": boundsDoc(e.Info.Bounds), "file_size": e.Info.FileSize, "mtime": rfc3339(e.ModTime),
		"name": e.Name, "path": e.Path}
}

// ListError returns a pool list entry that reports err for name at path
// (also what a listing whose directory cannot be read holds, with name
// "pools" and the directory's path).
func ListError(name, path string, err *core.Error) map[string]any {
	return map[string]any{"error": map[string]any{"error": ErrorFields(err)}, "name": name, "path": path}
}

// ListDocument is the pool list document {"pools":[…]} of entries made by
// ListEntry and ListError.
func ListDocument(entries []map[string]any) map[string]any {
	pools := make([]any, len(entries))
	for i, e := range entries {
		pools[i] = e
	}
	return map[string]any{"pools": pools}
}
