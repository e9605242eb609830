package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/plasmite-go/plasmite/core"
	"github.com/plasmite-go/plasmite/wire"
)

// checkRemote rejects URL refs: this build serves local pools only.
func checkRemote(ref, cmd string) error {
	if strings.HasPrefix(ref, "http://") || strings.HasPrefix(ref, "https://") {
		return usageErr("remote pool refs are not yet supported by this build", "Use a local pool name or path; `"+cmd+"` over HTTP comes with `serve`.")
	}
	if strings.Contains(ref, "://") {
		return usageErr("remote pool ref must use http or https scheme", "Use shorthand: http(s)://host:port/<pool>.")
	}
	return nil
}

// openPool opens ref for writing, creating it when create is set.
func (a *app) openPool(ref string, create bool, size int64, noNotify bool) (*core.Pool, string, error) {
	path := a.resolve(ref)
	opts := openOptionsFromEnv()
	opts.NoNotify = opts.NoNotify || noNotify
	pool, err := core.Open(path, opts)
	if err == nil || !create || !errors.Is(err, core.NotFound) {
		return pool, path, err
	}
	if !strings.ContainsRune(ref, '/') {
		if e := os.MkdirAll(a.poolDir(), 0o755); e != nil {
			return nil, path, &core.Error{Kind: kindOfOS(e), Message: "failed to create pool directory", Path: a.poolDir(), Err: e}
		}
	}
	pool, err = core.CreateWith(path, core.CreateOptions{Size: size, Open: opts})
	if errors.Is(err, core.AlreadyExists) { // lost a race with another creator
		pool, err = core.Open(path, opts)
	}
	return pool, path, err
}

// retryable: Busy, or I/O interrupted/would-block/timed-out.
func retryable(err error) bool {
	switch core.KindOf(err) {
	case core.Busy:
		return true
	case core.IO:
		return errors.Is(err, syscall.EINTR) || errors.Is(err, syscall.EAGAIN) || errors.Is(err, syscall.ETIMEDOUT)
	}
	return false
}

type feeder struct {
	a          *app
	p          *parsed
	pool       *core.Pool
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
}

func cmdFeed(a *app, p *parsed) error {
	ref := p.arg("POOL")
	if err := checkRemote(ref, "feed"); err != nil {
		return err
	}
	if p.has("retry-delay") && p.u64("retry") == 0 {
		return usageErr("--retry-delay requires --retry", "Add --retry or remove --retry-delay.")
	}
	dur, err := parseDurability(p.str("durability"))
	if err != nil {
		return err
	}
	delay := 50 * time.Millisecond
	if p.has("retry-delay") {
		if delay, err = parseDuration(p.str("retry-delay")); err != nil {
			return err
		}
	}
	for _, f := range []string{"token", "token-file", "tls-ca", "tls-skip-verify"} {
		if p.has(f) {
			return usageErr("feed remote auth/TLS flags require a remote http(s) pool ref", "Use --token/--token-file/--tls-ca/--tls-skip-verify only with http(s)://host:port/<pool> refs.")
		}
	}
	size := int64(core.DefaultPoolSize)
	if p.has("create-size") {
		if size, err = parseSize(p.str("create-size")); err != nil {
			return err
		}
	}
	// 1.2.1: --create-size alone also creates a missing pool.
	pool, path, err := a.openPool(ref, p.has("create") || p.has("create-size"), size, false)
	if err != nil {
		return a.feedMissing(err, p, ref, path)
	}
	defer pool.Close()
	f := &feeder{a: a, p: p, pool: pool, ref: ref, path: path, tags: p.all("tag"), dur: dur,
		retries: int(p.u64("retry")), retryDelay: delay, asData: p.has("data")}
	if data, ok := p.args["DATA"]; ok {
		return f.single([]byte(data[0]))
	}
	var in io.Reader
	switch {
	case p.has("file"):
		fn := p.str("file")
		if fn == "-" {
			in = a.stdin
		} else {
			file, err := os.Open(fn)
			if err != nil {
				return &core.Error{Kind: core.IO, Message: "failed to read message file", Path: fn, Err: err}
			}
			defer file.Close()
			in = file
		}
	case !a.stdinTTY:
		in = a.stdin
	default:
		return usageErr("missing message input", "Pipe messages to feed, use --file, or provide a message argument.")
	}
	mode := p.str("input-format")
	switch mode {
	case "":
		mode = "auto"
	case "json", "jq":
		mode = "objects"
	case "yaml":
		return usageErr("--input-format yaml is not supported by this build yet", "Feed JSON (objects, JSONL, json-seq or SSE) or Lite3.")
	}
	if mode == "lite3" || mode == "lite3-raw" {
		if err := f.binaryOK(); err != nil {
			return err
		}
	}
	return f.stream(in, mode, p.str("errors") == "skip")
}

// feedMissing adds the reference's missing-pool hints to an open failure.
func (a *app) feedMissing(err error, p *parsed, ref, path string) error {
	e := wire.ErrorOf(err)
	if e.Kind != core.NotFound {
		return e
	}
	if e.Path == "" {
		e.Path = path
	}
	addENOENT(e)
	switch {
	case strings.ContainsRune(ref, '/'):
		e.Hint = "Pool path not found. Check the path or pass --dir for a different pool directory."
	default:
		// 1.2.1 points at pool create, whatever the input source.
		e.Hint = "Pool is missing. Retry with exact command: plasmite pool create " + shellWord(ref)
	}
	return e
}

// unknownFormat is the 1.2.1 error for input that is not JSON objects.
func unknownFormat() *core.Error { return usageErr("unknown input format", "") }

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
		e := usageErr("invalid complete message", "Expected seq, RFC 3339 time, meta.tags strings, and object data.")
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
		ce := usageErr("invalid source message time", "Use an RFC 3339 timestamp.")
		ce.Err = e
		return nil, nil, true, ce
	}
	d := bytes.TrimSpace(top["data"])
	if len(d) == 0 || d[0] != '{' {
		return nil, nil, true, usageErr("data must be object", "Put message contents in an object.")
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
				return true, usageErr("complete messages supply their own tags", "Remove --tag, or use --data to treat the envelope as application data.")
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

func (f *feeder) single(data []byte) error {
	t := bytes.TrimSpace(data)
	if len(t) == 0 || t[0] != '{' || !json.Valid(t) {
		return unknownFormat()
	}
	if err := f.add(t); err != nil {
		return err
	}
	f.arena = append(f.arena, t...)
	f.ends = append(f.ends, len(f.arena))
	return f.flush()
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
			f.a.stdout.write(f.out)
			f.out = f.out[:0]
		}
		start += len(rc)
		if err == nil {
			break
		}
		if !retryable(err) || attempts > f.retries {
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
	a := f.a
	if a.format == "lite3" {
		if m, err := f.pool.GetInto(r.Seq, f.getBuf); err == nil {
			f.getBuf = m.Payload
			if !f.magicDone {
				f.out = append(f.out, "PLS1"...)
				f.magicDone = true
			}
			f.out = wire.AppendFrame(f.out, m)
			return
		}
	}
	if a.format == "yaml" {
		if m, err := f.pool.GetInto(r.Seq, f.getBuf); err == nil {
			f.getBuf = m.Payload
			if out, err := messageYAML(f.out, m, false); err == nil {
				f.out = out
				return
			}
		}
	}
	style := a.outStyle()
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
		f.out = appendJSONValue(f.out, wire.Envelope(normalizeNumbers(v), f.tags, r.Seq, r.Time), style)
	}
	f.out = append(f.out, '\n')
}

// stream ingests records from in, appending them in batches.
func (f *feeder) stream(in io.Reader, mode string, skip bool) error {
	if mode == "jq" && skip {
		return usageErr("skip is not supported for jq-style streams", "Use --in jsonl or --in auto for resyncable streams.")
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
						return usageErr("JSON input requires message objects", "")
					}
					return aerr
				}
			}
		}
		if rec.fail != "" {
			if ferr := f.flush(); ferr != nil {
				return ferr
			}
			if !skip {
				switch rec.fail {
				case "Oversize":
					return usageErr("record exceeds size limit", "Records are limited to 1 MiB of JSON text.")
				case "Incomplete":
					return usageErr("incomplete JSON message", "")
				case "NotObject":
					if ok == 0 {
						return unknownFormat()
					}
					return usageErr("JSON input requires message objects", "")
				}
				return usageErr("invalid json input", f.parseHint(sp.mode))
			}
			failed++
			f.notice(sp, rec)
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
		f.emitNotice("ingest_summary", "Finished with "+strconv.Itoa(failed)+" skipped "+word+".", map[string]any{
			"failed": failed, "ok": total - failed, "pool_path": f.path, "total": total,
		})
		return exitError{1}
	}
	return nil
}

func (f *feeder) parseHint(mode string) string {
	if mode == "jq" {
		return "Use --in jsonl for line-delimited input."
	}
	return "Use -e skip to continue or select the correct input mode."
}

func (f *feeder) notice(sp *splitter, rec record) {
	msg := "Skipped invalid JSON."
	if rec.fail == "Oversize" {
		msg = "Skipped oversized record."
	}
	snip := string(rec.data)
	if len(snip) > 200 {
		snip = snip[:197] + "..."
	}
	d := map[string]any{"error_kind": rec.fail, "index": rec.index, "mode": sp.mode, "pool_path": f.path, "snippet": snip}
	if rec.line > 0 {
		d["line"] = rec.line
	}
	f.emitNotice("ingest_skip", msg, d)
}

func (f *feeder) emitNotice(kind, msg string, details map[string]any) {
	if f.quiet && kind != "ingest_summary" && kind != "ingest_skip" {
		return
	}
	f.a.notice("feed", kind, msg, f.ref, details, false)
}

// notice writes a notice on stderr: JSON when stderr is not a terminal,
// "notice: …" text otherwise.
func (a *app) notice(cmd, kind, msg, pool string, details map[string]any, withPool bool) {
	if !a.stderr.tty {
		b := appendJSONValue(nil, map[string]any{"notice": map[string]any{
			"cmd": cmd, "details": details, "kind": kind, "message": msg, "pool": pool,
			"time": rfc3339(time.Now()),
		}}, styleCompact)
		a.stderr.write(append(b, '\n'))
		return
	}
	label := "notice:"
	if a.colorErr() {
		label = "\x1b[33mnotice:\x1b[0m"
	}
	s := label + " " + msg
	if withPool {
		s += " (pool: " + pool + ")"
	}
	a.stderr.writeString(s + "\n")
}

// binaryOK refuses options that make no sense for Lite3 input, which holds
// complete messages.
func (f *feeder) binaryOK() error {
	f.binary = true
	if len(f.tags) > 0 || f.asData || (f.p != nil && f.p.present("DATA")) {
		return usageErr("binary input requires a file or pipe of complete messages", "Remove --data, --tag, and the inline argument for Lite3 input.")
	}
	return nil
}

// streamFrames appends a 1.2.1 framed Lite3 stream (wire.StreamMagic,
// then frames): what `follow --format lite3` writes. Source seq and time
// are replaced.
func (f *feeder) streamFrames(r *bufio.Reader) error {
	r.Discard(len(wire.StreamMagic))
	fr := wire.NewFrameReader(r, maxRecord*4)
	for {
		m, arena, err := fr.Next(f.arena)
		if err == io.EOF {
			break
		}
		if err != nil {
			f.flush()
			if err == wire.ErrFrameTooLarge {
				return usageErr("Lite3 frame too large", "")
			}
			return usageErr("incomplete Lite3 frame", "")
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
	doc, err := io.ReadAll(io.LimitReader(r, maxRecord*4+1))
	if err != nil {
		return &core.Error{Kind: core.IO, Message: "failed to read input", Err: err}
	}
	if err := f.batch.AddLite3(doc); err != nil {
		return err
	}
	f.arena = append(f.arena, doc...)
	f.ends = append(f.ends, len(f.arena))
	return f.flush()
}
