package main

import (
	"bufio"
	"strings"
	"time"

	"github.com/plasmite-go/plasmite/core"
)

func cmdDuplex(a *app, p *parsed) error {
	style, err := a.outputStyle(p)
	if err != nil {
		return err
	}
	var since int64
	if p.has("since") {
		if since, err = parseSince(p.str("since"), time.Now()); err != nil {
			return err
		}
	}
	var timeout time.Duration
	if p.has("timeout") {
		if timeout, err = parseDuration(p.str("timeout")); err != nil {
			return err
		}
	}
	ref := p.arg("POOL")
	if err := checkRemote(ref, "duplex"); err != nil {
		return err
	}
	me := p.str("me")
	if a.stdinTTY && me == "" {
		return usageErr("TTY input requires --me for duplex", "Provide --me NAME to send TTY line-mode messages.")
	}
	pool, path, err := a.openPool(ref, p.has("create"), core.DefaultPoolSize, false)
	if err != nil {
		return a.followMissing(err, p, ref, path, "duplex")
	}
	defer pool.Close()
	f := &follower{a: a, pool: pool, ref: ref, path: path, style: style, me: me, echoSelf: p.has("echo-self"), quietDrops: true, framed: a.format == "lite3"}
	done := make(chan error, 2)
	go func() {
		done <- f.run(followOpts{tail: p.u64("tail"), since: since, hasSince: p.has("since"),
			timeout: timeout, timeoutText: p.str("timeout"), replay: -1})
	}()
	go func() {
		if a.stdinTTY {
			sc := bufio.NewScanner(a.stdin)
			sc.Buffer(make([]byte, 64<<10), maxRecord)
			for sc.Scan() {
				line := strings.TrimRight(sc.Text(), "\r\n")
				if strings.TrimSpace(line) == "" {
					continue
				}
				b := appendJSONValue(nil, map[string]any{"from": me, "msg": line}, styleCompact)
				if _, err := pool.AppendJSON(b, nil, core.Fast); err != nil {
					done <- err
					return
				}
			}
			done <- nil
			return
		}
		fd := &feeder{a: a, pool: pool, ref: ref, path: path, quiet: true}
		done <- fd.stream(a.stdin, "auto", false)
	}()
	return <-done
}
