// Every exported name of the reference binding's api and local packages
// (release 1.2.1), each assigned to a variable of its exact type: this
// compiles only against a binding with the same names, signatures, field
// sets and type identities.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/sandover/plasmite/bindings/go/api"
	plasmite "github.com/sandover/plasmite/bindings/go/local"
)

var (
	seq   = uint64(1)
	errs  = []error{api.ErrClosed, api.ErrInvalidArgument, plasmite.ErrClosed, plasmite.ErrInvalidArgument}
	kinds = []api.ErrorKind{api.ErrorInternal, api.ErrorUsage, api.ErrorNotFound, api.ErrorAlreadyExists, api.ErrorBusy,
		api.ErrorPermission, api.ErrorCorrupt, api.ErrorIO, api.ErrorRetentionGap,
		plasmite.ErrorInternal, plasmite.ErrorUsage, plasmite.ErrorNotFound, plasmite.ErrorAlreadyExists, plasmite.ErrorBusy,
		plasmite.ErrorPermission, plasmite.ErrorCorrupt, plasmite.ErrorIO, plasmite.ErrorRetentionGap}
	durabilities = []api.Durability{api.DurabilityFast, api.DurabilityFlush, plasmite.DurabilityFast, plasmite.DurabilityFlush}
	sizes        = []uint64{api.DefaultPoolSizeBytes, api.DefaultPoolSize}

	_ func(string) error                                                                            = api.ClosedError
	_ func(string) error                                                                            = api.InvalidArgumentError
	_ func(api.Durability) api.AppendOption                                                         = api.WithDurability
	_ func(...api.AppendOption) api.AppendConfig                                                    = api.ApplyAppendOptions
	_ func(string) api.PoolRef                                                                      = api.PoolRefName
	_ func(string) api.PoolRef                                                                      = api.PoolRefPath
	_ func(string) api.PoolRef                                                                      = api.PoolRefURI
	_ func([]byte) (*api.Message, error)                                                            = api.DecodeMessage
	_ func(*api.Message) []string                                                                   = (*api.Message).Tags
	_ func(*api.Lite3Frame) time.Time                                                               = (*api.Lite3Frame).Time
	_ func(*api.Error) string                                                                       = (*api.Error).Error
	_ api.AppendOption                                                                              = func(*api.AppendConfig) {}
	_ api.AppendConfig                                                                              = api.AppendConfig{api.DurabilityFast}
	_ api.Error                                                                                     = api.Error{api.ErrorUsage, "message", "path", &seq, &seq}
	_ api.MessageMeta                                                                               = api.MessageMeta{[]string{}}
	_ api.Message                                                                                   = api.Message{seq, time.Time{}, "", json.RawMessage(nil), api.MessageMeta{}, []byte(nil)}
	_ api.Lite3Frame                                                                                = api.Lite3Frame{seq, seq, uint32(0), []byte(nil)}
	_ api.TailOptions                                                                               = api.TailOptions{&seq, &seq, []string{}, time.Second, 0, false}
	_ api.ReplayOptions                                                                             = api.ReplayOptions{1.0, &seq, &seq, time.Second}
	_ func() api.UDPStart                                                                           = api.UDPStartNewPosition
	_ func(uint64) api.UDPStart                                                                     = api.UDPStartLastCount
	_ func(uint64) api.UDPStart                                                                     = api.UDPStartSinceNs
	_ func(uint64) api.UDPStart                                                                     = api.UDPStartAtSequence
	_ func() api.UDPFollowOptions                                                                   = api.NewUDPFollowOptions
	_ api.UDPStart                                                                                  = api.UDPStart{api.UDPStartNew, 0}
	_                                                                                               = []api.UDPStartKind{api.UDPStartNew, api.UDPStartLast, api.UDPStartSince, api.UDPStartSequence}
	_ api.UDPFollowOptions                                                                          = api.UDPFollowOptions{api.UDPStart{}, true}
	_                                                                                               = []api.UDPEvent{&api.UDPFrame{seq, seq, nil, nil}, &api.UDPGap{seq, seq, ""}, &api.UDPProgress{seq, seq, &seq, false, false}}
	_ func(string) (*plasmite.Client, error)                                                        = plasmite.NewClient
	_ func() (*plasmite.Client, error)                                                              = plasmite.NewDefaultClient
	_ func() string                                                                                 = plasmite.DefaultPoolDir
	_ func(plasmite.Durability) api.AppendOption                                                    = plasmite.WithDurability
	_ func(string) api.PoolRef                                                                      = plasmite.PoolRefName
	_ func(string) api.PoolRef                                                                      = plasmite.PoolRefPath
	_ func(string) api.PoolRef                                                                      = plasmite.PoolRefURI
	_ *api.Error                                                                                    = (*plasmite.Error)(nil)
	_ api.ErrorKind                                                                                 = plasmite.ErrorKind(0)
	_ api.Durability                                                                                = plasmite.Durability(0)
	_ api.PoolRef                                                                                   = plasmite.PoolRef("")
	_ *api.Lite3Frame                                                                               = (*plasmite.Lite3Frame)(nil)
	_ *api.TailOptions                                                                              = (*plasmite.TailOptions)(nil)
	_ *api.ReplayOptions                                                                            = (*plasmite.ReplayOptions)(nil)
	_ api.AppendOption                                                                              = plasmite.AppendOption(nil)
	_ api.Client                                                                                    = (*plasmite.Client)(nil)
	_ api.Pool                                                                                      = (*plasmite.Pool)(nil)
	_ api.Stream                                                                                    = (*plasmite.Stream)(nil)
	_ api.Lite3Stream                                                                               = (*plasmite.Lite3Stream)(nil)
	_ func(*plasmite.Client)                                                                        = (*plasmite.Client).Close
	_ func(*plasmite.Client, api.PoolRef, uint64) (api.Pool, error)                                 = (*plasmite.Client).CreatePool
	_ func(*plasmite.Client, api.PoolRef) (api.Pool, error)                                         = (*plasmite.Client).OpenPool
	_ func(*plasmite.Client, api.PoolRef, uint64) (api.Pool, error)                                 = (*plasmite.Client).Pool
	_ func(*plasmite.Pool)                                                                          = (*plasmite.Pool).Close
	_ func(*plasmite.Pool, []byte, []string, api.Durability) ([]byte, error)                        = (*plasmite.Pool).AppendJSON
	_ func(*plasmite.Pool, any, []string, ...api.AppendOption) (*api.Message, error)                = (*plasmite.Pool).Append
	_ func(*plasmite.Pool, []byte, api.Durability) (uint64, error)                                  = (*plasmite.Pool).AppendLite3
	_ func(*plasmite.Pool, uint64) ([]byte, error)                                                  = (*plasmite.Pool).GetJSON
	_ func(*plasmite.Pool, uint64) (*api.Message, error)                                            = (*plasmite.Pool).Get
	_ func(*plasmite.Pool, uint64) (*api.Lite3Frame, error)                                         = (*plasmite.Pool).GetLite3
	_ func(*plasmite.Pool, *uint64, *uint64, *uint64) (api.Stream, error)                           = (*plasmite.Pool).OpenStream
	_ func(*plasmite.Pool, *uint64, *uint64, *uint64) (api.Lite3Stream, error)                      = (*plasmite.Pool).OpenLite3Stream
	_ func(*plasmite.Pool, context.Context, api.TailOptions) (<-chan *api.Message, <-chan error)    = (*plasmite.Pool).Tail
	_ func(*plasmite.Pool, context.Context, api.TailOptions) (<-chan *api.Lite3Frame, <-chan error) = (*plasmite.Pool).TailLite3
	_ func(*plasmite.Pool, context.Context, api.ReplayOptions) (<-chan *api.Message, <-chan error)  = (*plasmite.Pool).Replay
	_ func(*plasmite.Stream) ([]byte, error)                                                        = (*plasmite.Stream).NextJSON
	_ func(*plasmite.Stream)                                                                        = (*plasmite.Stream).Close
	_ func(*plasmite.Lite3Stream) (*api.Lite3Frame, error)                                          = (*plasmite.Lite3Stream).Next
	_ func(*plasmite.Lite3Stream)                                                                   = (*plasmite.Lite3Stream).Close
)

func main() {
	fmt.Println(len(errs), len(kinds), len(durabilities), sizes[0] == sizes[1])
}
