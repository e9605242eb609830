package core

import (
	"encoding/binary"
	"runtime"
	"runtime/debug"
	"sync"
	"time"

	"github.com/plasmite-go/plasmite/core/lite3"
)

// Writer lease: taking and dropping flock costs about as much as the rest of
// an append, so a Pool keeps the lock across a burst of appends and drops it
// after leaseIdle without appends, after leaseMaxHold in any case, on Close,
// or as soon as another writer announces it is waiting (hLeaseWant). While
// the lock is held no other writer can change the header, so its cursors are
// cached in the lease.
const (
	leaseIdle    = 50 * time.Microsecond
	leaseMaxHold = time.Millisecond
	// leaseYield is how long a writer that just gave the lock up after a
	// long hold stays away from it, so that processes the kernel woke when
	// it was released (other writers, and 1.2.1 readers, which take a shared
	// flock for every read) get it before we take it back.
	leaseYield = 50 * time.Microsecond
	wantFresh  = int64(10 * time.Millisecond) // an older request is a leftover of a dead process
)

type lease struct {
	p         *Pool
	held      bool
	cache     cursors // the header cursors while held, including unpublished frames
	published cursors // the cursors as stored in the header
	start     int64   // wall ns when taken
	last      int64   // wall ns of the last append
	yield     int64   // wall ns before which take should not retake the lock
	timer     *time.Timer
	// the index slot of our last append: slotIdx = slotSeq % capacity
	slotSeq, slotIdx uint64
}

func (l *lease) init(p *Pool) {
	l.p = p
	l.timer = time.AfterFunc(time.Hour, l.tick)
	l.timer.Stop()
}

// take acquires the file lock unless held. Caller holds p.mu.
func (l *lease) take(now int64) error {
	if l.held {
		return nil
	}
	p := l.p
	if d := l.yield - now; d > 0 && d <= int64(leaseYield) {
		// Timers are too coarse for this (a 50 µs sleep can take a
		// millisecond), so step aside by yielding the processor instead.
		for wallNanos() < l.yield {
			runtime.Gosched()
		}
	}
	ok, err := tryLockFile(p.fd)
	if err == nil && !ok {
		// Tell a lease holder we are waiting; then wait.
		stamp := uint64(now) | 1
		store64(p.m.data, hLeaseWant, stamp)
		err = lockFile(p.fd)
		cas64(p.m.data, hLeaseWant, stamp, 0)
	}
	if err != nil {
		e := osError(err, p.path, "failed to lock pool")
		if e.Kind == IO && isWouldBlock(err) {
			e.Kind = Busy
		}
		return e
	}
	l.held = true
	repairHeader(p.m.data)
	l.cache = loadCursors(p.m.data)
	l.published = l.cache
	l.start, l.last = now, now
	l.timer.Reset(leaseIdle)
	return nil
}

// done is called after each append (or batch) with the lock held; it hands
// the lock over when the hold is long or another writer waits.
func (l *lease) done(now int64) {
	l.last = now
	if l.p.noLease { // OpenOptions.NoWriterLease
		l.drop()
		return
	}
	if now-l.start >= int64(leaseMaxHold) {
		l.drop()
		l.yield = now + int64(leaseYield)
		return
	}
	if w := int64(load64(l.p.m.data, hLeaseWant)); w != 0 {
		if d := now - w; d < wantFresh && d > -wantFresh {
			l.drop()
			l.yield = now + int64(leaseYield)
		}
	}
}

func (l *lease) drop() {
	if l.held {
		l.held = false
		unlockFile(l.p.fd)
	}
}

func (l *lease) stop() {
	l.timer.Stop()
	l.drop()
}

func (l *lease) tick() {
	p := l.p
	if !p.mu.TryLock() {
		// An append (or Close) is in progress right now, so the lease is
		// not idle: look again a full idle period later. Not waiting for
		// the mutex spares the appender the wake-up of a parked tick.
		l.timer.Reset(leaseIdle)
		return
	}
	defer p.mu.Unlock()
	if !l.held {
		return
	}
	now := wallNanos()
	idle := now - l.last
	if idle >= int64(leaseIdle) || now-l.start >= int64(leaseMaxHold) || idle < 0 {
		l.drop()
		return
	}
	l.timer.Reset(time.Duration(int64(leaseIdle) - idle))
}

// written records what an append touched, for Flush.
type written struct {
	frameOff, frameLen uint64
	wrap               bool
	wrapOff            uint64
	seq                uint64
}

// writeFrame plans and writes one frame. Unless deferPub, it then publishes
// the header; a batch defers that to its end (publishFinal), except that
// drops are always published before bytes are overwritten. Caller holds p.mu
// and the lease.
func (p *Pool) writeFrame(payload []byte, ts int64, deferPub bool) (written, error) {
	m := p.m
	ring, data := m.ring, m.data
	l := &p.lease
	var pl plan
	if err := planInto(&pl, ring, l.cache, uint64(len(payload))); err != nil {
		if e, ok := err.(*Error); ok && e.Path == "" {
			e.Path = p.path
		}
		return written{}, err
	}
	if pl.Drops > 0 {
		// Readers must learn of the drop before the bytes change.
		l.publish(hJournalA, 1, pl.Mid)
		storeFence(data)
	}
	if pl.HasWrap {
		putFrameHeader(ring[pl.WrapOff:pl.WrapOff+frameHeaderSize], stateWrap, 0, 0, 0)
	}
	f := pl.FrameOff
	n := uint64(len(payload))
	putFrameHeader(ring[f:f+frameHeaderSize], stateWriting, pl.Seq, uint64(ts), uint32(n))
	copy(ring[f+frameHeaderSize:f+frameHeaderSize+n], payload)
	binary.LittleEndian.PutUint64(ring[f+frameHeaderSize+n:f+frameHeaderSize+n+commitSize], commitWord)
	storeOrdered32(ring, f+fState, stateCommitted)
	if ic := uint64(m.geo.IndexCapacity); ic > 0 {
		// seq % ic, without the division when seq follows our last append
		k := l.slotIdx + 1
		if pl.Seq != l.slotSeq+1 || l.slotSeq == 0 {
			k = pl.Seq % ic
		} else if k >= ic {
			k = 0
		}
		l.slotSeq, l.slotIdx = pl.Seq, k
		slot := indexOffset + slotSize*k
		storeOrdered64(data, slot, pl.Seq)
		storeOrdered64(data, slot+8, f)
	}
	l.cache = pl.After
	if !deferPub {
		l.publish(hJournalB, 2, pl.After)
	}
	return written{frameOff: f, frameLen: pl.FL, wrap: pl.HasWrap, wrapOff: pl.WrapOff, seq: pl.Seq}, nil
}

// publish makes c the header's cursors: journal first, then the changed
// fields in header order (newest last), then the journal is cleared.
func (l *lease) publish(slot, state uint64, c cursors) {
	old := &l.published
	if c.Head == old.Head && c.Tail == old.Tail && c.TailNext == old.TailNext &&
		c.Oldest == old.Oldest && c.Newest == old.Newest {
		return
	}
	// Fixed-size views: the constant offsets below need no bounds checks.
	h := (*[headerSize]byte)(l.p.m.data)
	putJournal(h[:], slot, c)
	storeOrdered64(h[:], hJournal, state)
	// The journal word is set here and cleared below: keepStore makes sure
	// no compiler drops the set as a dead store (see order_amd64.go).
	keepStore(h[:], hJournal)
	if c.Head != old.Head {
		storeOrdered64(h[:], hHead, c.Head)
	}
	if c.Tail != old.Tail {
		storeOrdered64(h[:], hTail, c.Tail)
	}
	if c.TailNext != old.TailNext {
		storeOrdered64(h[:], hTailNext, c.TailNext)
	}
	if c.Oldest != old.Oldest {
		storeOrdered64(h[:], hOldest, c.Oldest)
	}
	if c.Newest != old.Newest {
		storeOrdered64(h[:], hNewest, c.Newest)
	}
	storeOrdered64(h[:], hJournal, 0)
	*old = c
}

// lockForAppend takes p.mu and the writer lock (the lease) for an append
// at ts. *locked tells the caller's fault recovery whether p.mu is held; on
// error nothing is held.
func (p *Pool) lockForAppend(ts int64, locked *bool) error {
	p.mu.Lock()
	*locked = true
	if p.closed.Load() {
		*locked = false
		p.mu.Unlock()
		return errClosed
	}
	if !p.lease.held {
		if err := p.lease.take(ts); err != nil {
			*locked = false
			p.mu.Unlock()
			return err
		}
	}
	return nil
}

// flushOne msyncs what one append wrote, in the reference's order.
func (p *Pool) flushOne(w written) error {
	m := p.m
	ro := m.geo.RingOffset
	if err := syncRange(m.data, ro+w.frameOff, w.frameLen); err != nil {
		return &Error{Kind: IO, Message: "failed to flush frame", Path: p.path, Err: err}
	}
	if w.wrap {
		if err := syncRange(m.data, ro+w.wrapOff, frameHeaderSize); err != nil {
			return &Error{Kind: IO, Message: "failed to flush wrap marker", Path: p.path, Err: err}
		}
	}
	if ic := uint64(m.geo.IndexCapacity); ic > 0 {
		if err := syncRange(m.data, indexOffset+slotSize*(w.seq%ic), slotSize); err != nil {
			return &Error{Kind: IO, Message: "failed to flush index slot", Path: p.path, Err: err}
		}
	}
	if err := syncRange(m.data, 0, headerSize); err != nil {
		return &Error{Kind: IO, Message: "failed to flush header", Path: p.path, Err: err}
	}
	return nil
}

var errReadOnly = &Error{Kind: Permission, Message: "pool is open read-only"}

// appendPayload appends one encoded message.
func (p *Pool) appendPayload(payload []byte, d Durability) (rc Receipt, err error) {
	if p.m.readOnly {
		return Receipt{}, errReadOnly
	}
	fault := debug.SetPanicOnFault(true)
	locked := false
	defer func() {
		r := recover()
		debug.SetPanicOnFault(fault)
		if r != nil {
			if locked {
				p.lease.drop()
				p.mu.Unlock()
			}
			rc, err = Receipt{}, faultError(r, p.path)
		}
	}()
	ts := wallNanos()
	if err := p.lockForAppend(ts, &locked); err != nil {
		return Receipt{}, err
	}
	w, err := p.writeFrame(payload, ts, false)
	if err != nil {
		p.lease.drop()
		locked = false
		p.mu.Unlock()
		return Receipt{}, err
	}
	if d == Flush {
		err = p.flushOne(w)
	}
	p.lease.done(ts)
	// Wake followers before unlocking: Close takes p.mu before it releases
	// the mapping and the notifier, so the wake never races with them.
	p.m.notify.wakeAll()
	locked = false
	p.mu.Unlock()
	if err != nil {
		return Receipt{}, err
	}
	return Receipt{Seq: w.seq, Time: ts}, nil
}

// AppendLite3 appends a pre-encoded Lite3 message document after validating
// it. Errors: Corrupt when payload is not a valid message document; Usage when
// it can never fit the ring or an object key in it contains NUL (the
// reference would read that key cut short); Permission on a read-only pool;
// Busy, IO.
func (p *Pool) AppendLite3(payload []byte, d Durability) (Receipt, error) {
	if err := lite3.ValidateAppend(payload); err != nil {
		return Receipt{}, lite3Err(err)
	}
	return p.appendPayload(payload, d)
}

var encBufs = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

// checkObject is the cheap "data must be a JSON object" check.
func checkObject(data []byte) error {
	for _, c := range data {
		if c == ' ' || c == '\t' || c == '\n' || c == '\r' {
			continue
		}
		if c == '{' {
			return nil
		}
		break
	}
	return &Error{Kind: Usage, Message: "data must be object"}
}

// AppendJSON appends one message whose data is the JSON object in data, with
// the given tags. Errors: Usage when data is not a JSON object or cannot be
// encoded; otherwise as AppendLite3.
func (p *Pool) AppendJSON(data []byte, tags []string, d Durability) (Receipt, error) {
	bp := encBufs.Get().(*[]byte)
	m, err := p.AppendJSONTo(*bp, data, tags, d)
	*bp = m.Payload[:0]
	encBufs.Put(bp)
	return Receipt{Seq: m.Seq, Time: m.Time}, err
}

// AppendJSONTo is AppendJSON that encodes the message into buf[:0] (growing
// it if needed) and returns it as stored: m.Payload is the Lite3 document,
// valid until buf is reused, so a caller can render what it appended without
// reading it back. On error m.Payload is still the (emptied) buffer, for reuse.
func (p *Pool) AppendJSONTo(buf, data []byte, tags []string, d Durability) (m Message, err error) {
	m, _, err = p.appendJSON(buf, data, tags, d, false)
	return m, err
}

// AppendJSONCanonical is AppendJSONTo that also reports whether data is
// canonical (lite3.EncodeMessageCanonical): then the message's data reads
// back, rendered as compact JSON, as exactly data, and a caller can make
// what a read would return without rendering it.
func (p *Pool) AppendJSONCanonical(buf, data []byte, tags []string, d Durability) (m Message, canonical bool, err error) {
	return p.appendJSON(buf, data, tags, d, true)
}

func (p *Pool) appendJSON(buf, data []byte, tags []string, d Durability, checkCanon bool) (m Message, canonical bool, err error) {
	m.Payload = buf[:0]
	if err := checkObject(data); err != nil {
		return m, false, err
	}
	var doc []byte
	if checkCanon {
		doc, canonical, err = lite3.EncodeMessageCanonical(m.Payload, data, tags)
	} else {
		doc, err = lite3.EncodeMessage(m.Payload, data, tags)
	}
	if err != nil {
		return m, false, lite3Err(err)
	}
	m.Payload = doc
	r, err := p.appendPayload(doc, d)
	if err != nil {
		m.Payload = doc[:0]
		return m, false, err
	}
	m.Seq, m.Time = r.Seq, r.Time
	return m, canonical, nil
}

// Batch collects messages to append under one lock acquisition with
// contiguous sequence numbers. The zero value is an empty batch; reuse it with
// Reset to avoid allocation. A Batch is not safe for concurrent use.
type Batch struct {
	buf  []byte // concatenated Lite3 payloads
	ends []int  // end offset of each payload in buf
}

// AddJSON encodes one message into the batch. Errors: Usage when data is not
// a JSON object or cannot be encoded. On error the batch is unchanged.
func (b *Batch) AddJSON(data []byte, tags []string) error {
	if err := checkObject(data); err != nil {
		return err
	}
	n := len(b.buf)
	out, err := lite3.EncodeMessage(b.buf, data, tags)
	if err != nil {
		b.buf = b.buf[:n]
		return lite3Err(err)
	}
	b.buf = out
	b.ends = append(b.ends, len(out))
	return nil
}

// AddLite3 adds a pre-encoded message document after validating it (Corrupt
// when invalid, Usage when an object key contains NUL; the batch is then
// unchanged).
func (b *Batch) AddLite3(payload []byte) error {
	if err := lite3.ValidateAppend(payload); err != nil {
		return lite3Err(err)
	}
	b.buf = append(b.buf, payload...)
	b.ends = append(b.ends, len(b.buf))
	return nil
}

// Len returns the number of messages in the batch.
func (b *Batch) Len() int { return len(b.ends) }

// Payload returns the Lite3 document of message i (0 <= i < Len), valid
// until the batch changes: what a client that appends elsewhere (a remote
// pool) sends.
func (b *Batch) Payload(i int) []byte {
	start := 0
	if i > 0 {
		start = b.ends[i-1]
	}
	return b.buf[start:b.ends[i]]
}

// Reset empties the batch, keeping its memory.
func (b *Batch) Reset() { b.buf = b.buf[:0]; b.ends = b.ends[:0] }

// AppendBatch appends every message of b in order, under one lock, and
// returns the receipt of each (receipts[i] for message i; seqs contiguous).
// Each message gets its own timestamp, read from the clock as it is
// written, as a separate append would (times never decrease within the
// batch). receipts is appended to dst. If it fails
// part-way, the receipts of the messages already appended are returned with
// the error. Errors as AppendLite3; with Flush, an IO error means the
// messages are appended but not known to be on disk.
func (p *Pool) AppendBatch(b *Batch, d Durability, dst []Receipt) (out []Receipt, err error) {
	if len(b.ends) == 0 {
		return dst, nil
	}
	if p.m.readOnly {
		return dst, errReadOnly
	}
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	locked, n0 := false, len(dst)
	defer func() {
		if r := recover(); r != nil {
			if locked {
				p.lease.drop()
				p.mu.Unlock()
			}
			out, err = dst[:n0], faultError(r, p.path)
		}
	}()
	ts := wallNanos()
	if err := p.lockForAppend(ts, &locked); err != nil {
		return dst, err
	}
	start := 0
	lo, hi := ^uint64(0), uint64(0) // ring range touched, when it did not wrap
	wrapped := false
	var first, last, prevOff uint64
	for i, end := range b.ends {
		if i > 0 {
			// its own append time (the clock is cheap: wallNanos)
			ts = max(ts, wallNanos())
		}
		var w written
		w, err = p.writeFrame(b.buf[start:end], ts, true)
		if err != nil {
			break
		}
		start = end
		if i == 0 {
			first = w.seq
		}
		last = w.seq
		dst = append(dst, Receipt{Seq: w.seq, Time: ts})
		if w.wrap || (i > 0 && w.frameOff < prevOff) {
			wrapped = true
		}
		prevOff = w.frameOff
		lo = min(lo, w.frameOff)
		hi = max(hi, w.frameOff+w.frameLen)
	}
	p.lease.publish(hJournalB, 2, p.lease.cache)
	if err != nil {
		p.lease.drop() // re-read the header next time
	}
	if err == nil && d == Flush && last != 0 {
		err = p.flushRange(lo, hi, wrapped, first, last)
	}
	if p.lease.held {
		p.lease.done(ts)
	}
	if last != 0 {
		p.m.notify.wakeAll() // under p.mu, as in appendPayload
	}
	locked = false
	p.mu.Unlock()
	return dst, err
}

// flushRange msyncs the ring span a batch touched (the whole ring if it
// wrapped), the index and the header.
func (p *Pool) flushRange(lo, hi uint64, wrapped bool, first, last uint64) error {
	m := p.m
	ro, rs := m.geo.RingOffset, m.geo.RingSize
	if wrapped {
		lo, hi = 0, rs
	}
	if err := syncRange(m.data, ro+lo, hi-lo); err != nil {
		return &Error{Kind: IO, Message: "failed to flush frame", Path: p.path, Err: err}
	}
	if ic := uint64(m.geo.IndexCapacity); ic > 0 {
		var err error
		if last-first+1 >= ic {
			err = syncRange(m.data, indexOffset, slotSize*ic)
		} else {
			a, b := first%ic, last%ic
			if a <= b {
				err = syncRange(m.data, indexOffset+slotSize*a, slotSize*(b-a+1))
			} else {
				err = syncRange(m.data, indexOffset, slotSize*ic)
			}
		}
		if err != nil {
			return &Error{Kind: IO, Message: "failed to flush index slot", Path: p.path, Err: err}
		}
	}
	if err := syncRange(m.data, 0, headerSize); err != nil {
		return &Error{Kind: IO, Message: "failed to flush header", Path: p.path, Err: err}
	}
	return nil
}
