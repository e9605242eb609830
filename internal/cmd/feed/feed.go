// Package feed is the `feed` command: append JSON (or Lite3) messages to a
// pool, from an argument, a file or stdin, printing a receipt for each.
package feed

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/plasmite-go/plasmite/core"
	"github.com/plasmite-go/plasmite/core/jsonfmt"
	"github.com/plasmite-go/plasmite/internal/clap"
	"github.com/plasmite-go/plasmite/internal/cmd/cmdutil"
	"github.com/plasmite-go/plasmite/internal/poolref"
	"github.com/plasmite-go/plasmite/wire"
)

// Options are feed's.
type Options struct {
	Pool        string
	Data        *string // the inline message, if given
	Tags        []string
	File        *string // --file (- for stdin)
	InputFormat string
	AsData      bool // --data
	Errors      string
	Durability  string
	Create      bool
	CreateSize  *string
	Retry       uint32
	RetryDelay  *string
}

// Command declares feed; its Run runs Run with the options parsed and env.
func Command(env *cmdutil.Env) *clap.Command {
	o := &Options{}
	flags := []clap.Flag{
		cmdutil.TagFlag(&o.Tags, "Tag (repeatable)"),
		{Long: "file", Short: 'f', Value: "FILE", Help: "Read messages from a file (- for stdin)", Into: clap.OptString(&o.File)},
		{Long: "input-format", Alias: "in", Short: 'i', Value: "INPUT", Enum: []string{"auto", "json", "jsonl", "seq", "jq", "yaml", "lite3", "lite3-raw"}, Help: "How to read a file/stdin stream: auto (default: JSON objects, json-seq or SSE, detected), json (whitespace-separated objects), jsonl (one per line), seq (RFC 7464, journalctl -o json-seq). --in is the same option", Into: clap.String(&o.InputFormat)},
		{Long: "data", Help: "Treat every object as data, even one shaped like a complete message", Into: clap.Bool(&o.AsData)},
		{Long: "errors", Short: 'e', Value: "ERRORS", Enum: []string{"stop", "skip"}, Help: "On a bad record: stop (default, exit 2) or skip it with a notice (exit 1 at the end)", Into: clap.String(&o.Errors)},
		cmdutil.DurabilityFlag(&o.Durability),
		cmdutil.CreateFlag(&o.Create),
		cmdutil.CreateSizeFlag(&o.CreateSize),
		{Long: "retry", Value: "RETRY", Help: "Extra attempts when the pool is busy or a transient I/O error occurs", Into: clap.Uint32(&o.Retry)},
		{Long: "retry-delay", Value: "RETRY_DELAY", Help: "Pause between attempts (default 50ms); requires --retry > 0", Into: clap.OptString(&o.RetryDelay)},
	}
	return &clap.Command{
		Name: "feed", About: "Send a message to a pool", HelpIfEmpty: true,
		Args: []clap.Arg{
			{Name: "POOL", Required: true, Help: "Pool name or path", Into: clap.String(&o.Pool)},
			{Name: "DATA", Help: "One JSON object; omit to read --file or stdin", Into: clap.OptString(&o.Data)},
		},
		Flags:     append(flags, clap.HelpFlag),
		Conflicts: [][2]string{{"file", "DATA"}},
		Notes: []string{
			"Choose one input source: DATA, --file, or a pipe on stdin.",
			"Every message's data must be a JSON object of at most 1 MiB.",
			"Each appended message gets a receipt on stdout: a line of text on a terminal, JSON when piped.",
			"With --errors skip, bad records are reported on stderr and the command exits 1 at the end.",
			"Remote refs (http://host:port/<pool>) append to a server's existing pool; --create is local only.",
		},
		Examples: []string{
			`plasmite feed chat '{"from":"alice","msg":"hello"}'`,
			`plasmite feed builds --tag ci --tag failed '{"job":42}'`,
			`plasmite feed events --create --file events.jsonl`,
			`journalctl -o json-seq -f | plasmite feed syslog --create --create-size 64M`,
		},
		Run: env.Runner("feed", cmdutil.Lite3, func(ctx context.Context) error { return Run(ctx, o, env) }),
	}
}

// Run appends to o.Pool the inline message, or every record of the file or
// of stdin (in the input format given or detected), in batches, with a
// receipt per message on stdout (the stored message: text on a terminal,
// JSON in a pipe, or Lite3 frames).
func Run(ctx context.Context, o *Options, env *cmdutil.Env) error {
	pools := env.Pools("feed")
	ref, err := pools.Parse(o.Pool)
	if err != nil {
		return err
	}
	if ref.Remote() && (o.Create || o.CreateSize != nil) {
		return cmdutil.UsageError("remote feed does not support --create or --create-size", "Create the pool on the server with pool create.")
	}
	if o.RetryDelay != nil && o.Retry == 0 {
		return cmdutil.UsageError("--retry-delay requires --retry", "Add --retry or remove --retry-delay.")
	}
	dur, err := cmdutil.ParseDurability(o.Durability)
	if err != nil {
		return err
	}
	delay := 50 * time.Millisecond
	if o.RetryDelay != nil {
		if delay, err = cmdutil.ParseDuration(*o.RetryDelay); err != nil {
			return err
		}
	}
	size, err := cmdutil.CreateSize(o.CreateSize)
	if err != nil {
		return err
	}
	mode := inputMode(o.InputFormat)
	if binaryMode(mode) && (o.Data != nil || len(o.Tags) > 0 || o.AsData) {
		return errBinaryInput() // before a pool is created
	}
	if binaryMode(mode) && o.Errors == "skip" {
		// a bad frame cannot be skipped: its length is what is wrong
		// (1.2.1 has no --errors: it refuses the option with Usage)
		return cmdutil.UsageError("--errors skip does not apply to Lite3 input", "Remove --errors skip: a damaged Lite3 stream stops the feed.")
	}
	// 1.2.1: --create-size alone also creates a missing pool.
	pool, err := pools.Open(ref, poolref.OpenOptions{Create: o.Create || o.CreateSize != nil, CreateSize: size})
	if err != nil {
		return missing(err, o.Pool, ref.Path)
	}
	defer pool.Close()
	f := &feeder{env: env, pool: pool, ref: o.Pool, path: ref.Path, tags: o.Tags, dur: dur,
		retries: int(o.Retry), retryDelay: delay, asData: o.AsData, remote: ref.Remote()}
	var in io.Reader
	switch {
	case o.Data != nil:
		// 1.2.1 reads the argument as it reads a stream, in the input
		// format given (so YAML too), not as exactly one JSON object.
		in = strings.NewReader(*o.Data)
	case o.File != nil:
		if *o.File == "-" {
			in = env.Stdin
		} else {
			file, err := os.Open(*o.File)
			if err != nil {
				return &core.Error{Kind: core.IO, Message: "failed to read message file", Path: *o.File, Err: err}
			}
			defer file.Close()
			in = file
		}
	case !env.StdinTTY:
		in = env.Stdin
	default:
		return cmdutil.UsageError("missing message input", "Pipe messages to feed, use --file, or provide a message argument.")
	}
	if binaryMode(mode) {
		f.binary = true
	}
	return f.stream(in, mode, o.Errors == "skip")
}

// inputMode is the splitter mode of an --input-format (--in) value: json
// is 1.2.1's whitespace-separated objects; jq, jsonl and seq are the v0
// modes; auto, yaml, lite3 and lite3-raw are what they say.
func inputMode(format string) string {
	switch format {
	case "":
		return "auto"
	case "json":
		return "objects"
	}
	return format
}

func binaryMode(mode string) bool { return mode == "lite3" || mode == "lite3-raw" }

func errBinaryInput() *core.Error {
	return cmdutil.UsageError("binary input requires a file or pipe of complete messages", "Remove --data, --tag, and the inline argument for Lite3 input.")
}

// Pipe appends the records read from in (JSON objects, the format
// detected) to pool, printing no receipts: the sending half of duplex.
func Pipe(env *cmdutil.Env, pool poolref.Pool, ref, path string, in io.Reader) error {
	f := &feeder{env: env, pool: pool, ref: ref, path: path, quiet: true}
	return f.stream(in, "auto", false)
}

// missing adds the reference's missing-pool hints to an open failure.
func missing(err error, ref, path string) error {
	e, named := cmdutil.MissingPool(err, ref, path)
	if named {
		// 1.2.1 points at pool create, whatever the input source.
		e.Hint = "Pool is missing. Retry with exact command: plasmite pool create " + cmdutil.ShellWord(ref)
	}
	return e
}

// retryable: Busy, or (local pools) I/O interrupted/would-block/timed-out.
// A remote append is retried on Busy only, as 1.2.1 does.
func (f *feeder) retryable(err error) bool {
	if f.remote {
		return core.KindOf(err) == core.Busy
	}
	switch core.KindOf(err) {
	case core.Busy:
		return true
	case core.IO:
		return errors.Is(err, syscall.EINTR) || errors.Is(err, syscall.EAGAIN) || errors.Is(err, syscall.ETIMEDOUT)
	}
	return false
}

type feeder struct {
	env        *cmdutil.Env
	pool       poolref.Pool
	ref, path  string
	tags       []string
	dur        core.Durability
	retries    int
	retryDelay time.Duration
	batch      core.Batch
	arena      []byte
	ends       []int
	rcpts      []core.Receipt
	getBuf     []byte
	out        []byte
	quiet      bool // duplex: no receipts
	asData     bool // --data: never treat input as complete messages
	magicDone  bool // --format lite3: the "PLS1" stream header is out
	binary     bool // input records are Lite3 documents, not JSON text
	remote     bool // the pool is a server's
}

// unknownFormat is the 1.2.1 error for input that is not JSON objects.
func unknownFormat() *core.Error { return cmdutil.UsageError("unknown input format", "") }

// completeMessage recognises a full message envelope (exactly data, meta
// {tags}, seq, time) so `follow a | feed b` copies data and tags. It returns
// ok=false for ordinary application objects.
func completeMessage(text []byte) (data []byte, tags []string, ok bool, err error) {
	if !bytes.Contains(text, []byte(`"meta"`)) || !bytes.Contains(text, []byte(`"seq"`)) {
		return nil, nil, false, nil
	}
	var top map[string]json.RawMessage
	if json.Unmarshal(text, &top) != nil || len(top) != 4 {
		return nil, nil, false, nil
	}
	for _, k := range []string{"data", "meta", "seq", "time"} {
		if _, has := top[k]; !has {
			return nil, nil, false, nil
		}
	}
	var meta map[string]json.RawMessage
	if json.Unmarshal(top["meta"], &meta) != nil || len(meta) != 1 || meta["tags"] == nil {
		return nil, nil, false, nil
	}
	bad := func(cause error) error {
		e := cmdutil.UsageError("invalid complete message", "Expected seq, RFC 3339 time, meta.tags strings, and object data.")
		e.Err = cause
		return e
	}
	var seq uint64
	if e := json.Unmarshal(top["seq"], &seq); e != nil {
		return nil, nil, true, bad(e)
	}
	if e := json.Unmarshal(meta["tags"], &tags); e != nil {
		return nil, nil, true, bad(e)
	}
	var ts string
	if e := json.Unmarshal(top["time"], &ts); e != nil {
		return nil, nil, true, bad(e)
	}
	if _, e := time.Parse(time.RFC3339Nano, ts); e != nil {
		ce := cmdutil.UsageError("invalid source message time", "Use an RFC 3339 timestamp.")
		ce.Err = e
		return nil, nil, true, ce
	}
	d := bytes.TrimSpace(top["data"])
	if len(d) == 0 || d[0] != '{' {
		return nil, nil, true, cmdutil.UsageError("data must be object", "Put message contents in an object.")
	}
	if tags == nil {
		tags = []string{}
	}
	return d, tags, true, nil
}

// addRecord encodes one record into the batch: a complete message keeps its
// own data and tags (unless --data), anything else is data tagged with
// --tag. envelope says the error is about a complete message's envelope
// (fatal in a stream), not a record the encoder refuses.
func (f *feeder) addRecord(text []byte) (envelope bool, err error) {
	if !f.asData {
		data, tags, ok, err := completeMessage(text)
		if err != nil {
			return true, err
		}
		if ok {
			if len(f.tags) > 0 {
				return true, cmdutil.UsageError("complete messages supply their own tags", "Remove --tag, or use --data to treat the envelope as application data.")
			}
			return false, f.batch.AddJSON(data, tags)
		}
	}
	return false, f.batch.AddJSON(text, f.tags)
}

// add is addRecord for callers that treat every error alike.
func (f *feeder) add(text []byte) error {
	_, err := f.addRecord(text)
	return err
}

// flush appends the pending batch (retrying transient failures) and prints
// one receipt per message, in order.
func (f *feeder) flush() error {
	if f.batch.Len() == 0 {
		return nil
	}
	start := 0
	attempts := 0
	began := time.Now()
	for {
		attempts++
		f.rcpts, _ = f.rcpts[:0], 0
		rc, err := f.pool.AppendBatch(&f.batch, f.dur, f.rcpts[:0])
		f.rcpts = rc
		for i := range rc {
			f.receipt(rc[i], f.record(start+i))
		}
		if len(f.out) > 0 { // one write per batch; batches end when input pauses
			werr := f.env.Stdout.Write(f.out)
			f.out = f.out[:0]
			if werr != nil {
				f.reset()
				return werr
			}
		}
		start += len(rc)
		if err == nil {
			break
		}
		if !f.retryable(err) || attempts > f.retries {
			e := wire.ErrorOf(err)
			if attempts > 1 {
				w := strconv.FormatInt(time.Since(began).Milliseconds(), 10)
				h := e.Hint
				if h == "" {
					h = wire.DefaultHint(e.Kind)
				}
				e.Hint = strings.TrimSpace(h + " Retry attempts: " + strconv.Itoa(attempts) + " (waited " + w + "ms).")
			}
			f.reset()
			return e
		}
		time.Sleep(f.retryDelay)
		// rebuild the batch from the records not yet appended
		f.batch.Reset()
		for i := start; i < len(f.ends); i++ {
			add := f.add
			if f.binary {
				add = f.batch.AddLite3
			}
			if err := add(f.record(i)); err != nil {
				f.reset()
				return err
			}
		}
	}
	f.reset()
	return nil
}

func (f *feeder) reset() {
	f.batch.Reset()
	f.arena = f.arena[:0]
	f.ends = f.ends[:0]
}

func (f *feeder) record(i int) []byte {
	s := 0
	if i > 0 {
		s = f.ends[i-1]
	}
	return f.arena[s:f.ends[i]]
}

// receipt prints the stored message of one append (1.2.1 receipts are the
// complete message): pretty on a terminal, one compact line in a pipe.
func (f *feeder) receipt(r core.Receipt, data []byte) {
	if f.quiet {
		return
	}
	format := f.env.Format
	if format == "lite3" {
		if m, err := f.pool.GetInto(r.Seq, f.getBuf); err == nil {
			f.getBuf = m.Payload
			if !f.magicDone {
				f.out = append(f.out, wire.StreamMagic...)
				f.magicDone = true
			}
			f.out = wire.AppendFrame(f.out, m)
			return
		}
	}
	if format == "yaml" {
		if m, err := f.pool.GetInto(r.Seq, f.getBuf); err == nil {
			f.getBuf = m.Payload
			if out, err := cmdutil.AppendMessageYAML(f.out, m, false); err == nil {
				f.out = out
				return
			}
		}
	}
	style := f.env.OutStyle()
	if f.remote {
		style |= jsonfmt.ExactFloats // the server's message, as 1.2.1 prints it (cmdutil.ForRef)
	}
	var err error
	m, gerr := f.pool.GetInto(r.Seq, f.getBuf)
	if gerr == nil {
		f.getBuf = m.Payload
		f.out, err = wire.AppendMessage(f.out, m, style)
	}
	if (gerr != nil || err != nil) && f.binary {
		f.out, _ = wire.AppendMessage(f.out, core.Message{Seq: r.Seq, Time: r.Time, Payload: data}, style)
	} else if gerr != nil || err != nil {
		// overwritten already (tiny pool): render from the input text
		var v any
		d := json.NewDecoder(strings.NewReader(string(data)))
		d.UseNumber()
		d.Decode(&v)
		f.out = jsonfmt.AppendValue(f.out, wire.Envelope(cmdutil.NormalizeNumbers(v), f.tags, r.Seq, r.Time), style)
	}
	f.out = append(f.out, '\n')
}

// stream ingests records from in, appending them in batches.
func (f *feeder) stream(in io.Reader, mode string, skip bool) error {
	if mode == "jq" && skip {
		return cmdutil.UsageError("skip is not supported for jq-style streams", "Use --in jsonl or --in auto for resyncable streams.")
	}
	maxBytes := 256 << 10
	if in, err := f.pool.Info(); err == nil && int(in.RingSize/4) < maxBytes {
		maxBytes = int(in.RingSize / 4)
	}
	sp := newSplitter(in, mode)
	if mode == "auto" || mode == "lite3" {
		if magic, _ := sp.r.Peek(4); string(magic) == "PLS1" {
			if err := f.binaryOK(); err != nil {
				return err
			}
			return f.streamFrames(sp.r)
		} else if mode == "lite3" {
			if len(magic) == 0 {
				return nil // no messages, as in 1.2.1
			}
			return unknownFormat()
		}
	}
	if mode == "lite3-raw" {
		return f.streamRaw(sp.r)
	}
	if skip {
		sp.fallback = "jsonl"
	}
	total, failed, ok := 0, 0, 0
	for {
		rec, err := sp.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			if ferr := f.flush(); ferr != nil {
				return ferr
			}
			return &core.Error{Kind: core.IO, Message: "failed to read input", Err: err}
		}
		total++
		if rec.fail == "" {
			if envelope, aerr := f.addRecord(rec.data); aerr != nil {
				if envelope {
					// envelope problems (bad complete message, --tag clash) are fatal
					if ferr := f.flush(); ferr != nil {
						return ferr
					}
					return aerr
				}
				if !json.Valid(rec.data) {
					rec = sp.recover(rec, skip)
					if rec.fail == "" {
						aerr = f.add(rec.data)
					}
				}
				if rec.fail == "" && aerr != nil {
					// valid JSON the encoder refuses (not an object, too deep…): fatal
					if ferr := f.flush(); ferr != nil {
						return ferr
					}
					t := bytes.TrimSpace(rec.data)
					if len(t) > 0 && t[0] != '{' {
						if ok == 0 {
							return unknownFormat()
						}
						return cmdutil.UsageError("JSON input requires message objects", "")
					}
					return aerr
				}
			}
		}
		if rec.fail != "" {
			if ferr := f.flush(); ferr != nil {
				return ferr
			}
			if !skip && rec.err != nil {
				return rec.err
			}
			if !skip {
				switch rec.fail {
				case "Oversize":
					return cmdutil.UsageError("record exceeds size limit", "Records are limited to 1 MiB of JSON text.")
				case "Incomplete":
					return cmdutil.UsageError("incomplete JSON message", "")
				case "NotObject":
					if ok == 0 {
						return unknownFormat()
					}
					return cmdutil.UsageError("JSON input requires message objects", "")
				}
				return cmdutil.UsageError("invalid json input", f.parseHint(sp.mode))
			}
			failed++
			if err := f.notice(sp, rec); err != nil {
				return err
			}
			continue
		}
		ok++
		f.arena = append(f.arena, rec.data...)
		f.ends = append(f.ends, len(f.arena))
		if f.batch.Len() >= 4096 || len(f.arena) >= maxBytes || !sp.buffered() {
			if err := f.flush(); err != nil {
				return err
			}
		}
	}
	if err := f.flush(); err != nil {
		return err
	}
	if failed > 0 {
		word := "records"
		if failed == 1 {
			word = "record"
		}
		if err := f.emitNotice("ingest_summary", "Finished with "+strconv.Itoa(failed)+" skipped "+word+".", map[string]any{
			"failed": failed, "ok": total - failed, "pool_path": f.path, "total": total,
		}); err != nil {
			return err
		}
		return cmdutil.Exit{Code: 1}
	}
	return nil
}

func (f *feeder) parseHint(mode string) string {
	if mode == "jq" {
		return "Use --in jsonl for line-delimited input."
	}
	return "Use -e skip to continue or select the correct input mode."
}

func (f *feeder) notice(sp *splitter, rec record) error {
	msg := "Skipped invalid JSON."
	switch {
	case rec.fail == "Oversize":
		msg = "Skipped oversized record."
	case sp.mode == "yaml":
		msg = "Skipped invalid YAML."
	}
	snip := string(rec.data)
	if len(snip) > 200 {
		snip = snip[:197] + "..."
	}
	d := map[string]any{"error_kind": rec.fail, "index": rec.index, "mode": sp.mode, "pool_path": f.path, "snippet": snip}
	if rec.line > 0 {
		d["line"] = rec.line
	}
	return f.emitNotice("ingest_skip", msg, d)
}

func (f *feeder) emitNotice(kind, msg string, details map[string]any) error {
	if f.quiet && kind != "ingest_summary" && kind != "ingest_skip" {
		return nil
	}
	return f.env.Notice("feed", kind, msg, f.ref, details, false)
}

// binaryOK refuses options that make no sense for Lite3 input detected
// in a stream, which holds complete messages.
func (f *feeder) binaryOK() error {
	f.binary = true
	if len(f.tags) > 0 || f.asData {
		return errBinaryInput()
	}
	return nil
}

// streamFrames appends a 1.2.1 framed Lite3 stream (wire.StreamMagic,
// then frames): what `follow --format lite3` writes. Source seq and time
// are replaced.
func (f *feeder) streamFrames(r *bufio.Reader) error {
	r.Discard(len(wire.StreamMagic))
	fr := wire.NewFrameReader(r, MaxRecord*4)
	for {
		m, arena, err := fr.Next(f.arena)
		if err == io.EOF {
			break
		}
		if err != nil {
			f.flush()
			if err == wire.ErrFrameTooLarge {
				return cmdutil.UsageError("Lite3 frame too large", "")
			}
			return cmdutil.UsageError("incomplete Lite3 frame", "")
		}
		if err := f.batch.AddLite3(m.Payload); err != nil {
			f.flush()
			return err
		}
		f.arena = arena
		f.ends = append(f.ends, len(f.arena))
		if f.batch.Len() >= 4096 || len(f.arena) >= 256<<10 || r.Buffered() == 0 {
			if err := f.flush(); err != nil {
				return err
			}
		}
	}
	return f.flush()
}

// streamRaw appends one raw Lite3 message document read through EOF.
func (f *feeder) streamRaw(r *bufio.Reader) error {
	doc, err := io.ReadAll(io.LimitReader(r, MaxRecord*4+1))
	if err != nil {
		return &core.Error{Kind: core.IO, Message: "failed to read input", Err: err}
	}
	if len(doc) == 0 {
		return nil // no message, as in 1.2.1
	}
	if err := f.batch.AddLite3(doc); err != nil {
		return err
	}
	f.arena = append(f.arena, doc...)
	f.ends = append(f.ends, len(f.arena))
	return f.flush()
}
