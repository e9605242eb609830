package cmd

import (
	"github.com/plasmite-go/plasmite/core"
	"github.com/plasmite-go/plasmite/internal/cmd/cmdutil"
	"github.com/plasmite-go/plasmite/wire"
)

// What every command does when the reader of its stdout goes away (a
// write fails with EPIPE: `pls follow x | head -1`), written down once.
// The command stops writing and ends quietly, printing nothing on stderr.
// Work already done stays done: feed stops at the first receipt it cannot
// write, with every message before it appended; follow and duplex stop
// following. The exit status is the rule's:
//
//   - closedZero: 0, as in 1.2.1. The output was the command's work and
//     nobody wants the rest.
//   - closedResult: the status of what the command did, which it settled
//     before writing its report: doctor's 7 when a pool is corrupt, pool
//     delete's first failure, tap's wrapped command's status (tap passes
//     output through and keeps running without it). 1.2.1 exits 0 here
//     (and Io, 8, for --help and --version), losing the result.
//
// Any other failed write to stdout (a full disk, an I/O error) is an Io
// error with 1.2.1's message, exit 8. docs/cli.md has the same table.
type closedRule uint8

const (
	closedZero closedRule = iota
	closedResult
)

// onClosedStdout maps each command path (as clap.Command.Path gives it;
// "help" for help and version requests) to its rule. Every command of the
// tree is listed (TestClosedStdoutTable).
var onClosedStdout = map[string]closedRule{
	"help":        closedZero, // --help, -h, help, --version, -V
	"pool create": closedZero,
	"pool info":   closedZero,
	"pool list":   closedZero,
	"pool delete": closedResult,
	"feed":        closedZero,
	"fetch":       closedZero,
	"follow":      closedZero,
	"duplex":      closedZero,
	"tap":         closedResult,
	"doctor":      closedResult,
	"version":     closedZero,
	"completion":  closedZero,
	"serve":       closedZero,
	"serve init":  closedResult,
	"mcp":         closedZero,
	"bridge":      closedZero, // a progress or status line that cannot be written ends it, as follow
	// The access commands that change something report what they did;
	// the ones that only list end as a listing does.
	"access invite":     closedResult,
	"access revoke":     closedResult,
	"access connect":    closedResult,
	"access disconnect": closedResult,
	"access keys":       closedZero,
	"access list":       closedZero,
	"access status":     closedZero,
}

// outputFailed reports a failed write to stdout (oe) of command path, err
// being what the command returned, and returns the exit status.
func outputFailed(env *cmdutil.Env, path string, oe *cmdutil.OutputError, err error) int {
	if !oe.Closed() {
		msg := "failed to write stdout"
		if path == "help" {
			msg = "failed to write CLI output"
		}
		e := &core.Error{Kind: core.IO, Message: msg, Err: oe.Err,
			Hint: "Check the destination of stdout; completed appends remain stored."}
		report(env, e)
		return wire.ExitCode(core.IO)
	}
	if onClosedStdout[path] == closedResult {
		if code, ok := cmdutil.ExitStatus(err); ok {
			return code
		}
	}
	return 0
}
