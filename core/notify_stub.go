package core

// Temporary polling notifier with the internal interface of the notify
// branch (notify_linux.go / notify_other.go). Delete this file when that
// branch merges.

import (
	"context"
	"sync/atomic"
	"time"
)

type notifier struct {
	local atomic.Uint32 // bumped by appends of this process
}

func openNotifier(path string, header []byte, writable, disabled bool) *notifier {
	return &notifier{}
}

func (n *notifier) wakeAll() { n.local.Add(1) }

func (n *notifier) token() uint32 { return n.local.Load() }

func (n *notifier) wait(ctx context.Context, token uint32, max time.Duration) error {
	t := time.NewTimer(max)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func (n *notifier) close() {}
