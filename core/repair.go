package core

import (
	"encoding/binary"
	"os"
	"runtime/debug"
	"strconv"
	"syscall"
	"time"
)

// RepairOptions tunes Repair. The zero value repairs in place after writing
// a backup copy.
type RepairOptions struct {
	// NoBackup skips the copy of the pool file that Repair otherwise
	// writes next to it (POOL.bak-<UTC time>) before changing anything.
	NoBackup bool
	// DryRun works out and reports the repair without writing anything.
	DryRun bool
}

// RepairReport says what Repair found and did. Every seq the header
// claimed that the repaired pool does not retain is in Lost, exactly once.
type RepairReport struct {
	Path    string
	Changed bool   // the pool file was modified (never with DryRun)
	Backup  string // the backup copy written, "" when none was
	// Before is what the header claimed (as found, possibly damaged);
	// After is what the pool retains once repaired. {0,0} means empty;
	// After.Newest is also the seq the next append follows.
	Before, After Bounds
	Lost          []LostSeqs // ascending, not overlapping
	Fixes         []string   // what was (or, with DryRun, would be) rewritten
}

// LostSeqs is a run of consecutive seqs dropped for one reason.
type LostSeqs struct {
	First, Last uint64
	// Reason is a stable code:
	//   "damaged":   the message's frame is there but fails a check
	//                (commit marker, payload), see Detail;
	//   "missing":   no frame carrying it can be found where it should be
	//                (overwritten by an unfinished append, or its header is
	//                destroyed);
	//   "cut_off":   its frame reads fine, but a damaged or missing message
	//                lies between it and the newest one where no
	//                placeholder fits, and a pool keeps one dense run of
	//                seqs ending at its newest (the backup copy still
	//                holds it).
	Reason string
	Detail string // what was found, in words
	Offset uint64 // ring offset where the first seq of the run was found or expected
	// Placeholder: the seqs are still in the pool, each holding a
	// placeholder message written where the lost message lay, so that the
	// readable messages on both sides of it are kept: tagged
	// PlaceholderTag with data {"lost": Reason}, or, in a frame too short
	// for that, tagged with empty data, or (under 428 payload bytes) an
	// empty message with no tag. Only "damaged" and "missing" runs between
	// After.Oldest and After.Newest are placeholders.
	Placeholder bool
}

// Repair salvages a damaged pool in place. Under the writer lock it keeps
// the longest run of messages that ends at the newest one in which every
// message that can still be read is kept — every frame in it passes the
// checks of Validate, payloads included; a frame header (or commit
// marker) with one damaged field is rebuilt when the frames around it pin
// down what it must say; a message that cannot be read between readable
// ones (the newest one included, when the header's head and newest seq
// hold) is replaced by a placeholder message in the space it took (see
// LostSeqs.Placeholder) — and drops the rest: unreadable messages at the
// oldest end, and, where no placeholder fits, the readable ones below the
// damage. It then rewrites what the run needs so that both this
// implementation and release 1.2.1 open, read and validate the pool: the
// header cursors (and damaged geometry fields, when the file size and the
// other fields agree on them), the index slots of the retained messages,
// the placeholders, and wrap markers between them. The bytes and times of
// readable messages are never changed, no readable frame is overwritten,
// seqs are never reused (a pool holds one dense run of seqs; when the
// newest message is unreadable and no placeholder can stand for it, none
// is kept: the next append still gets the next seq), and the file keeps
// its size.
//
// Before the first change it writes a backup copy, unless opts.NoBackup:
// it keeps every dropped message. A healthy pool is left byte-identical,
// with no backup (Changed false). After changing the file it validates
// the result and undoes every change if that fails (Internal error).
//
// Errors: NotFound, Permission (the file must be writable, except for
// DryRun), IO (including a failed backup, which leaves the pool
// untouched); Usage for another format version; Corrupt when the header
// itself cannot be trusted (wrong magic, or geometry that disagrees with
// the file size): nothing is changed then.
func Repair(path string, opts RepairOptions) (rep RepairReport, err error) {
	rep.Path = path
	flag := os.O_RDWR
	if opts.DryRun {
		flag = os.O_RDONLY
	}
	f, err := os.OpenFile(path, flag, 0)
	if err != nil {
		e := openFailure(err, path)
		if e.Kind == Permission {
			e.Hint = "Repair rewrites the pool in place: it needs write access to the file."
		}
		return rep, e
	}
	defer f.Close()
	fd := int(f.Fd())
	if opts.DryRun {
		if lockShared(fd, sharedLockWait) {
			defer unlockFile(fd)
		}
	} else {
		if err := lockFile(fd); err != nil {
			return rep, osError(err, path, "failed to lock pool")
		}
		defer unlockFile(fd)
	}
	st, err := f.Stat()
	if err != nil {
		return rep, osError(err, path, "failed to stat pool file")
	}
	if st.Size() <= headerSize {
		return rep, unrepairable(path, "the file is too short for a pool header")
	}
	data, err := mapFile(f, uint64(st.Size()), opts.DryRun)
	if err != nil {
		return rep, &Error{Kind: IO, Message: "failed to map pool file", Path: path, Err: err}
	}
	defer unmapFile(data)
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			err = faultError(r, path)
		}
	}()
	pl, e := planRepair(data)
	if e != nil {
		e.Path = path
		return rep, e
	}
	rep.Before, rep.After, rep.Lost, rep.Fixes = pl.before, pl.after, pl.lost, pl.fixes
	if len(pl.writes) == 0 || opts.DryRun {
		return rep, nil
	}
	if !opts.NoBackup {
		if rep.Backup, err = writeBackup(path, data, st.Mode().Perm()); err != nil {
			return rep, err
		}
	}
	undo := pl.apply(data)
	rep.Changed = true
	if err := syncRange(data, 0, uint64(len(data))); err != nil {
		return rep, &Error{Kind: IO, Message: "failed to flush repaired pool", Path: path, Err: err}
	}
	if msg := verifyRepaired(data); msg != "" {
		undo(data)
		syncRange(data, 0, uint64(len(data)))
		rep.Changed = false
		return rep, &Error{Kind: Internal, Path: path, Message: "repair did not produce a valid pool (" + msg + "); every change was undone",
			Hint: "Please report this; the pool is as it was before."}
	}
	return rep, nil
}

func unrepairable(path, why string) *Error {
	return &Error{Kind: Corrupt, Path: path, Message: "pool cannot be repaired: " + why,
		Hint: "The file was not changed. Recreate the pool; if it matters, keep the file for investigation."}
}

// verifyRepaired runs the full doctor on a repaired mapping; "" means ok.
func verifyRepaired(data []byte) string {
	h, err := decodeHeader(data)
	if err == nil {
		err = h.validate(uint64(len(data)))
	}
	if err != nil {
		return err.(*Error).Message
	}
	m := &mapping{data: data, ring: data[h.RingOffset : h.RingOffset+h.RingSize : h.RingOffset+h.RingSize], geo: h}
	if r := m.checkHeader(h, checkFull); r.Status != "ok" {
		return r.Issues[0].Message
	}
	return ""
}

// writeBackup copies the pool bytes to a new file next to path, named
// path.bak-<UTC time> (with -N added if that exists), leaving runs of zero
// pages sparse, and syncs it. Any error removes the partial copy.
func writeBackup(path string, data []byte, perm os.FileMode) (string, error) {
	base := path + ".bak-" + time.Now().UTC().Format("20060102T150405Z")
	name := base
	var f *os.File
	var err error
	for i := 1; ; i++ {
		f, err = os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
		if !os.IsExist(err) || i > 100 {
			break
		}
		name = base + "-" + strconv.Itoa(i)
	}
	if err != nil {
		return "", backupError(name, err)
	}
	fail := func(err error) (string, error) {
		f.Close()
		os.Remove(name)
		return "", backupError(name, err)
	}
	const chunk = 64 << 10
	for off := 0; off < len(data); off += chunk {
		b := data[off:min(off+chunk, len(data))]
		if allZero(b) {
			continue
		}
		if _, err := f.WriteAt(b, int64(off)); err != nil {
			return fail(err)
		}
	}
	if err := f.Truncate(int64(len(data))); err != nil {
		return fail(err)
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		os.Remove(name)
		return "", backupError(name, err)
	}
	return name, nil
}

func backupError(name string, err error) *Error {
	e := osError(err, name, "failed to write the backup copy; the pool was not changed")
	if isNoSpace(err) {
		e.Kind, e.Hint = IO, "No space left for the backup copy: free some, or repair with no backup."
	}
	return e
}

func allZero(b []byte) bool {
	for len(b) >= 8 {
		if binary.LittleEndian.Uint64(b) != 0 {
			return false
		}
		b = b[8:]
	}
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

func isNoSpace(err error) bool {
	e := unwrapPathError(err)
	return e == syscall.ENOSPC || e == syscall.EDQUOT
}
