package mcp

import (
	"context"
	"strconv"
	"time"

	"github.com/plasmite-go/plasmite/core"
	"github.com/plasmite-go/plasmite/core/jsonfmt"
	"github.com/plasmite-go/plasmite/server"
	"github.com/plasmite-go/plasmite/wire"
)

// callTool runs the tool name; an unknown name is a JSON-RPC error
// (-32602), every other outcome a tool result.
func (s *Server) callTool(ctx context.Context, name string, a args) (any, *rpcError) {
	switch name {
	case toolPoolList:
		return s.poolList(a), nil
	case toolPoolCreate:
		return s.poolCreate(a), nil
	case toolPoolInfo:
		return s.poolInfo(a), nil
	case toolPoolDelete:
		return s.poolDelete(a), nil
	case toolFeed:
		return s.feed(a), nil
	case toolFetch:
		return s.fetch(a), nil
	case toolRead:
		return s.read(a), nil
	case toolWait:
		return s.wait(ctx, a), nil
	}
	return nil, errParams("unknown tool: " + name)
}

// poolArg reads the pool name argument key (checking unknown arguments
// first) and resolves it; done is the result to answer instead when
// something is wrong.
func (s *Server) poolArg(tool string, a args, key string) (name, path string, done obj) {
	name, detail := a.str(key)
	if detail != "" {
		return "", "", invalidArgument(tool, key, detail)
	}
	path, err := server.PoolPath(s.dir, name)
	if err != nil {
		return "", "", failure(tool, err)
	}
	return name, path, nil
}

func (s *Server) poolList(a args) obj {
	if field, detail := a.unknown(toolPoolList); field != "" {
		return invalidArgument(toolPoolList, field, detail)
	}
	ents, err := server.ListPools(s.dir)
	if err != nil {
		return failure(toolPoolList, err)
	}
	now := time.Now()
	pools := make(arr, len(ents))
	for i, e := range ents {
		pools[i] = wire.InfoDocument(e.Info, e.Name, now)
	}
	text := "Listed " + strconv.Itoa(len(pools)) + " pool(s)."
	if len(pools) == 0 {
		text = "No pools exist yet. Create one with plasmite_pool_create, or feed with create: true."
	}
	return success(text, obj{"pools": pools})
}

func (s *Server) poolCreate(a args) obj {
	const tool = toolPoolCreate
	if field, detail := a.unknown(tool, "name", "size"); field != "" {
		return invalidArgument(tool, field, detail)
	}
	name, detail := a.str("name")
	if detail != "" {
		return invalidArgument(tool, "name", detail)
	}
	size, detail := a.optU64("size")
	if detail != "" {
		return invalidArgument(tool, "size", detail)
	}
	path, err := server.PoolPath(s.dir, name)
	if err != nil {
		return failure(tool, err)
	}
	n := uint64(core.DefaultPoolSize)
	if size != nil {
		n = *size
	}
	in, err := server.CreatePool(path, n)
	if err != nil {
		if e := wire.ErrorOf(err); e.Kind == core.AlreadyExists {
			e.Hint = "Pool `" + name + "` already exists and its messages are unchanged; use it as-is."
			err = e
		}
		return failure(tool, err)
	}
	return success("Created pool `"+name+"`.", obj{"pool": wire.InfoDocument(in, name, time.Now())})
}

func (s *Server) poolInfo(a args) obj {
	const tool = toolPoolInfo
	if field, detail := a.unknown(tool, "pool"); field != "" {
		return invalidArgument(tool, field, detail)
	}
	name, path, done := s.poolArg(tool, a, "pool")
	if done != nil {
		return done
	}
	var in core.Info
	err := s.store.UsePool(path, func(p *core.Pool) (err error) {
		in, err = p.Info()
		return err
	})
	if err != nil {
		return failure(tool, missingPool(err, name, false))
	}
	return success("Fetched metadata for pool `"+name+"`.", obj{"pool": wire.InfoDocument(in, name, time.Now())})
}

func (s *Server) poolDelete(a args) obj {
	const tool = toolPoolDelete
	if field, detail := a.unknown(tool, "pool"); field != "" {
		return invalidArgument(tool, field, detail)
	}
	name, path, done := s.poolArg(tool, a, "pool")
	if done != nil {
		return done
	}
	if err := s.store.DeletePool(path); err != nil {
		return failure(tool, missingPool(err, name, false))
	}
	return success("Deleted pool `"+name+"`.", obj{"deleted": obj{"pool": name}})
}

func (s *Server) feed(a args) obj {
	const tool = toolFeed
	if field, detail := a.unknown(tool, "pool", "data", "tags", "create"); field != "" {
		return invalidArgument(tool, field, detail)
	}
	name, detail := a.str("pool")
	if detail != "" {
		return invalidArgument(tool, "pool", detail)
	}
	data, ok := a["data"]
	if !ok {
		return invalidArgument(tool, "data", missing("data"))
	}
	tags, detail := a.tags("tags")
	if detail != "" {
		return invalidArgument(tool, "tags", detail)
	}
	create, detail := a.optBool("create")
	if detail != "" {
		return invalidArgument(tool, "create", detail)
	}
	path, err := server.PoolPath(s.dir, name)
	if err != nil {
		return failure(tool, err)
	}
	text := jsonfmt.AppendValue(nil, data, jsonfmt.Compact)
	var (
		msg jsonfmt.RawJSON
		seq uint64
	)
	appendOne := func(p *core.Pool) error {
		m, err := p.AppendJSONTo(nil, text, tags, core.Fast)
		if err != nil {
			return err
		}
		seq = m.Seq
		msg, err = wire.AppendMessage(nil, m, jsonfmt.Compact)
		return err
	}
	err = s.store.AppendToPool(path, appendOne)
	if core.KindOf(err) == core.NotFound && create {
		if _, cerr := server.CreatePool(path, core.DefaultPoolSize); cerr != nil && core.KindOf(cerr) != core.AlreadyExists {
			return failure(tool, cerr)
		}
		err = s.store.AppendToPool(path, appendOne)
	}
	if err != nil {
		return failure(tool, missingPool(err, name, true))
	}
	return success("Appended message "+strconv.FormatUint(seq, 10)+" to `"+name+"`.", obj{"message": msg})
}

func (s *Server) fetch(a args) obj {
	const tool = toolFetch
	if field, detail := a.unknown(tool, "pool", "seq"); field != "" {
		return invalidArgument(tool, field, detail)
	}
	name, detail := a.str("pool")
	if detail != "" {
		return invalidArgument(tool, "pool", detail)
	}
	seq, detail := a.u64("seq")
	if detail != "" {
		return invalidArgument(tool, "seq", detail)
	}
	path, err := server.PoolPath(s.dir, name)
	if err != nil {
		return failure(tool, err)
	}
	var msg jsonfmt.RawJSON
	opened := false
	err = s.store.UsePool(path, func(p *core.Pool) error {
		opened = true
		m, err := p.Get(seq)
		if err != nil {
			return err
		}
		if msg, err = wire.AppendMessage(nil, m, jsonfmt.Compact); err != nil {
			err.(*core.Error).Path = path
		}
		return err
	})
	switch {
	case err != nil && !opened:
		return failure(tool, missingPool(err, name, false))
	case err != nil:
		return failure(tool, withHint(err, "Sequence "+strconv.FormatUint(seq, 10)+" is not retained in `"+name+
			"`; call plasmite_read to inspect the available range."))
	}
	return success("Fetched sequence "+strconv.FormatUint(seq, 10)+" from `"+name+"`.", obj{"message": msg})
}
