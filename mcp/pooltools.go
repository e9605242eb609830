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
func (s *Server) callTool(ctx context.Context, name string, a map[string]any) (any, *rpcError) {
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

func (s *Server) poolList(a map[string]any) obj {
	if r := readArgs(toolPoolList, a); r.failed != nil {
		return r.failed
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

func (s *Server) poolCreate(a map[string]any) obj {
	const tool = toolPoolCreate
	r := readArgs(tool, a, "name", "size")
	name := r.str("name")
	size := r.optU64("size")
	if r.failed != nil {
		return r.failed
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

func (s *Server) poolInfo(a map[string]any) obj {
	const tool = toolPoolInfo
	r := readArgs(tool, a, "pool")
	name := r.str("pool")
	if r.failed != nil {
		return r.failed
	}
	var in core.Info
	opened, err := s.usePool(name, func(p *core.Pool) (err error) {
		in, err = p.Info()
		return err
	})
	if err != nil {
		return failure(tool, openFailure(err, opened, name))
	}
	return success("Fetched metadata for pool `"+name+"`.", obj{"pool": wire.InfoDocument(in, name, time.Now())})
}

func (s *Server) poolDelete(a map[string]any) obj {
	const tool = toolPoolDelete
	r := readArgs(tool, a, "pool")
	name := r.str("pool")
	if r.failed != nil {
		return r.failed
	}
	path, err := server.PoolPath(s.dir, name)
	if err == nil {
		err = s.store.DeletePool(path)
	}
	if err != nil {
		return failure(tool, missingPool(err, name, false))
	}
	return success("Deleted pool `"+name+"`.", obj{"deleted": obj{"pool": name}})
}

func (s *Server) feed(a map[string]any) obj {
	const tool = toolFeed
	r := readArgs(tool, a, "pool", "data", "tags", "create")
	name := r.str("pool")
	data := r.value("data")
	tags := r.tags("tags")
	create := r.optBool("create")
	if r.failed != nil {
		return r.failed
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

func (s *Server) fetch(a map[string]any) obj {
	const tool = toolFetch
	r := readArgs(tool, a, "pool", "seq")
	name := r.str("pool")
	seq := r.u64("seq")
	if r.failed != nil {
		return r.failed
	}
	var msg jsonfmt.RawJSON
	opened, err := s.usePool(name, func(p *core.Pool) error {
		m, err := p.Get(seq)
		if err != nil {
			return err
		}
		if msg, err = wire.AppendMessage(nil, m, jsonfmt.Compact); err != nil {
			err.(*core.Error).Path = p.Path()
		}
		return err
	})
	if err != nil {
		if opened {
			err = withHint(err, "Sequence "+strconv.FormatUint(seq, 10)+" is not retained in `"+name+
				"`; call plasmite_read to inspect the available range.")
		}
		return failure(tool, openFailure(err, opened, name))
	}
	return success("Fetched sequence "+strconv.FormatUint(seq, 10)+" from `"+name+"`.", obj{"message": msg})
}

// usePool runs op on the pool named name; opened reports whether op ran
// (so that an error is op's, not the pool's absence).
func (s *Server) usePool(name string, op func(*core.Pool) error) (opened bool, err error) {
	path, err := server.PoolPath(s.dir, name)
	if err != nil {
		return false, err
	}
	err = s.store.UsePool(path, func(p *core.Pool) error {
		opened = true
		return op(p)
	})
	return opened, err
}
