//go:build linux

package core

// Wake-ups between the processes that share a pool.
//
// Where the wake word lives, and why it does not break the format: the pool
// header is 4096 bytes, and bytes 104..4095 are reserved: zero at create,
// never read and never written again by the reference (format v3, §1.1 of
// the pool-format notes). We use four of them, the u32 at offset 128:
//
//	bit 0      waiters: set by a follower before it sleeps, cleared by the
//	           next wakeAll, which then issues the futex wake
//	bits 1-31  wake generation: +1 (the word +2) after every published
//	           append or batch
//
// Offset 128 starts its own 64-byte cache line, so bumping the generation
// never contends with the head/tail/seq fields at 64..111 that readers load.
// The reference neither reads nor rewrites these bytes, so pools stay
// readable and writable by it; a pool it created has zero there, which is a
// valid starting state (generation 0, nobody asleep). The word is only a
// hint: readers re-check the ring after every wake-up, so a stale or
// clobbered word costs at most a wasted wake-up or one poll interval.
// Offset 132 (planned for a sleeper count) stays unused and zero: a count
// leaks when a follower is killed in its sleep, after which every append
// to that pool, for the life of the file, would pay a futex system call.
// The waiters bit heals at the next append instead.
//
// The word is a Linux futex. The mapping is MAP_SHARED and the futex calls
// omit FUTEX_PRIVATE_FLAG, so the kernel keys the word by file and offset: a
// wake in one process reaches waiters in every process that maps the same
// pool file.
//
// Besides our own word, a writer posts the reference's named POSIX semaphore
// (pool-format §6.7) so that followers running the reference wake too; see
// the semaphore section at the end of this file.

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"
)

const (
	// notifyGenOffset locates the wake word in the pool header's reserved
	// area (see the file comment); notifyWaitersBit is its waiters flag.
	notifyGenOffset  = 128
	notifyWaitersBit = 1

	// notifyReadOnlySlice bounds one futex sleep of a waiter whose mapping is
	// read-only. Such a waiter cannot set the waiters bit, so writers do not
	// know to wake it; it re-checks the generation at least this often. It
	// still wakes at once whenever a writable waiter of the same pool is
	// asleep too, because that makes writers issue the wake.
	notifyReadOnlySlice = time.Millisecond

	// semaphoreMaxCount caps the value we post on the reference's semaphore.
	// Its followers only poll sem_trywait, so a count above a few only buys
	// spurious wake-ups after a burst of appends.
	semaphoreMaxCount = 64

	futexWaitOp = 0 // FUTEX_WAIT, process-shared (no FUTEX_PRIVATE_FLAG)
	futexWakeOp = 1 // FUTEX_WAKE, process-shared
)

// notifier wakes the followers of one pool and lets a follower wait for the
// next append. It never fails: whatever is unavailable degrades to polling,
// which is always correct because readers re-check the ring.
//
// wakeAll, token and wait may be called concurrently from any goroutines.
// close must be called before the header mapping is unmapped, and wakeAll
// must not be called during or after close.
type notifier struct {
	mode notifyMode
	gen  *atomic.Uint32 // header+128; nil when disabled

	closed   atomic.Bool
	inflight atomic.Int32 // waits that may touch gen

	// The reference's semaphore, opened on the first wakeAll.
	semName  string // "" = do not post
	semState atomic.Uint32
	semMu    sync.Mutex
	semMem   []byte
	semData  *atomic.Uint64
}

type notifyMode uint8

const (
	notifyOff      notifyMode = iota // no wake-ups: wait sleeps, wakeAll does nothing
	notifyWritable                   // full protocol: waiters flag themselves, writers wake them
	notifyReadOnly                   // cannot write the header: futex waits in short slices
)

const (
	semUntried uint32 = iota
	semReady
	semBroken
)

// notifyOptions are the OpenOptions that concern wake-ups.
type notifyOptions struct {
	off       bool // no wake-ups: wait sleeps, wakeAll does nothing
	semaphore bool // wakeAll also posts the reference's named semaphore
}

// openNotifier prepares wake-ups for the pool at path whose 4096-byte header
// is mapped (shared) at header. writable says whether the mapping may be
// written; o.off (or testNotifyOff) turns wake-ups off entirely, so wait
// merely sleeps. It never fails.
func openNotifier(path string, header []byte, writable bool, o notifyOptions) *notifier {
	n := &notifier{}
	if o.off || testNotifyOff || len(header) < notifyGenOffset+4 {
		return n
	}
	n.gen = (*atomic.Uint32)(unsafe.Pointer(&header[notifyGenOffset]))
	if !writable {
		n.mode = notifyReadOnly
		return n
	}
	n.mode = notifyWritable
	if semaphoreSupported && o.semaphore {
		n.semName = semaphoreName(path)
	}
	return n
}

// wakeAll tells every follower of the pool, in every process, that new data
// was published. With nobody asleep it costs one compare-and-swap on the
// header (plus one on the reference's semaphore): no system call.
func (n *notifier) wakeAll() {
	if n.mode != notifyWritable {
		return
	}
	for {
		old := n.gen.Load()
		// Next generation, waiters bit cleared: (old &^ 1) + 2.
		if n.gen.CompareAndSwap(old, (old|notifyWaitersBit)+1) {
			if old&notifyWaitersBit != 0 {
				futexWake(n.gen, math.MaxInt32)
			}
			break
		}
	}
	n.postSemaphore()
}

// token returns the current wake generation. Read it before checking for new
// data, then pass it to wait: an append published in between makes wait
// return at once, so no wake-up is lost.
func (n *notifier) token() uint32 {
	if n.mode == notifyOff || n.closed.Load() {
		return 0
	}
	return n.gen.Load() >> 1 // the generation, without the waiters bit
}

// wait blocks until the generation differs from token, max has elapsed, or
// ctx is done, whichever comes first. It returns ctx.Err() in the last case
// and nil otherwise (also when the notifier was closed meanwhile). It never
// blocks longer than max; with max <= 0 it does not block.
func (n *notifier) wait(ctx context.Context, token uint32, max time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if max <= 0 {
		return nil
	}
	if n.mode == notifyOff {
		return notifySleep(ctx, max)
	}
	n.inflight.Add(1)
	if n.closed.Load() {
		// The header may be unmapped any moment now: do not touch it.
		n.inflight.Add(-1)
		return notifySleep(ctx, max)
	}
	defer n.inflight.Add(-1)
	if n.gen.Load()>>1 != token {
		return nil
	}

	deadline := time.Now().Add(max)
	ctxBounds := false
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline, ctxBounds = d, true
	}

	var k notifyKick
	// A fault on the header (the file truncated) may end the wait by a
	// panic at any point; a kick in progress must still see it leave.
	defer k.inside.Store(0)
	if ctx.Done() != nil {
		stop := context.AfterFunc(ctx, func() {
			k.kicked.Store(true)
			// When ctx expired at the very deadline our futex timeout
			// already ends the sleep; only a cancellation needs a kick.
			if ctxBounds && errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return
			}
			n.kick(&k.inside)
		})
		defer stop()
	}

	for {
		k.inside.Store(1)
		if k.kicked.Load() { // only ever set once ctx is done
			k.inside.Store(0)
			return ctx.Err()
		}
		word := n.gen.Load()
		if n.closed.Load() || word>>1 != token {
			k.inside.Store(0)
			return nil
		}
		remaining := time.Until(deadline)
		if remaining <= 0 {
			k.inside.Store(0)
			if ctxBounds {
				// ctx's own timer may not have fired yet; its deadline has
				// passed all the same.
				if err := ctx.Err(); err != nil {
					return err
				}
				return context.DeadlineExceeded
			}
			return nil
		}
		if n.mode == notifyWritable && word&notifyWaitersBit == 0 {
			// Flag ourselves in the word we sleep on. Once the bit is set,
			// any change to the word is a wakeAll, which sees the bit and
			// wakes every sleeper; and the kernel only lets us sleep while
			// the word still holds the value with the bit. If the swap
			// fails, the word moved: look again.
			if !n.gen.CompareAndSwap(word, word|notifyWaitersBit) {
				k.inside.Store(0)
				continue
			}
			word |= notifyWaitersBit
		}
		if n.mode == notifyReadOnly && remaining > notifyReadOnlySlice {
			remaining = notifyReadOnlySlice
		}
		// 0, EINTR, EAGAIN (the word already changed) and ETIMEDOUT all
		// lead back to the checks above.
		futexWait(n.gen, word, remaining)
		k.inside.Store(0)
	}
}

// notifyKick lets a goroutine other than the waiter interrupt a wait.
type notifyKick struct {
	kicked atomic.Bool
	inside atomic.Int32 // 1 while the waiter may be in (or entering) the futex
}

// kick wakes futex sleepers on the generation until the waiter whose
// presence flag is inside has left its sleep. A single wake could slip in
// between the waiter's last flag check and its entry into the kernel; as the
// waiter raises inside before that check, repeating the wake until inside
// drops closes the gap. The wake also rouses other sleepers of this pool;
// they find the generation unchanged and go back to sleep.
func (n *notifier) kick(inside *atomic.Int32) {
	pause := 10 * time.Microsecond
	for inside.Load() != 0 {
		futexWake(n.gen, math.MaxInt32)
		time.Sleep(pause)
		if pause < time.Millisecond {
			pause *= 2
		}
	}
}

// close wakes and waits out every wait in progress, after which the header
// may be unmapped. Later waits just sleep; wakeAll must not be called again.
func (n *notifier) close() {
	if n.closed.Swap(true) {
		return
	}
	if n.mode != notifyOff {
		// A wait that started before closed was set is counted in
		// inflight; it returns once it sees closed, so kick until none is
		// left, exactly as kick does for one waiter.
		n.kick(&n.inflight)
	}
	n.semMu.Lock()
	if n.semMem != nil {
		_ = syscall.Munmap(n.semMem)
		n.semMem, n.semData = nil, nil
	}
	n.semState.Store(semBroken)
	n.semMu.Unlock()
}

// notifySleep sleeps for d or until ctx is done.
func notifySleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// futexWait sleeps while *word == val, for at most d. The outcome does not
// matter to callers, who re-check the word and the clock.
func futexWait(word *atomic.Uint32, val uint32, d time.Duration) {
	ts := syscall.NsecToTimespec(int64(d))
	syscall.Syscall6(syscall.SYS_FUTEX, uintptr(unsafe.Pointer(word)), futexWaitOp,
		uintptr(val), uintptr(unsafe.Pointer(&ts)), 0, 0)
}

// futexWake wakes up to count sleepers on word. It never blocks.
func futexWake(word *atomic.Uint32, count int) {
	syscall.RawSyscall6(syscall.SYS_FUTEX, uintptr(unsafe.Pointer(word)), futexWakeOp,
		uintptr(count), 0, 0, 0)
}

// ---------------------------------------------------------------------------
// The reference's named semaphore.
//
// The reference (through glibc's sem_open) keeps one semaphore per pool in
// /dev/shm/sem.plsm-<sha256 hex of the canonical pool path>, 32 bytes, mode
// 0600. Its writers post after each append; its followers poll sem_trywait.
// We post it without cgo by editing the file's mapping the way glibc's
// sem_post does on 64-bit targets:
//
//   - bytes 0..7 are one 64-bit word: the low 32 bits hold the count, the
//     high 32 bits the number of threads blocked in sem_wait. Little-endian
//     puts the count's 32 bits at offset 0, and that address is the futex
//     word blocked waiters sleep on;
//   - bytes 8..11 hold glibc's "private" futex flag; sem_open stores 128
//     there, which tells glibc to use process-shared futex operations;
//   - the rest is zero padding up to sizeof(sem_t) = 32.
//
// A post is a compare-and-swap of the 64-bit word adding 1 to the count,
// followed by a shared FUTEX_WAKE of one thread on bytes 0..3 when the high
// half was non-zero. glibc creates the file by writing the initial 32 bytes to
// a temporary file in /dev/shm and hard-linking it to the final name, so the
// name never refers to a half-written semaphore; we create it the same way.
//
// This layout holds for glibc on amd64 and arm64 (both little-endian with
// 64-bit atomics); elsewhere we do not post.

const semaphoreSupported = runtime.GOARCH == "amd64" || runtime.GOARCH == "arm64"

const (
	semaphoreSize      = 32
	semaphoreDir       = "/dev/shm"
	semaphoreSharedTag = 128 // glibc's value in bytes 8..11 for a shared semaphore
)

// semaphoreName returns the reference's semaphore name for the pool at path
// (without the leading slash): "plsm-" and the lowercase hex SHA-256 of the
// canonical absolute path, or of path as given when it cannot be resolved.
func semaphoreName(path string) string {
	key := path
	if real, err := canonicalPath(path); err == nil {
		key = real
	}
	sum := sha256.Sum256([]byte(key))
	return "plsm-" + hex.EncodeToString(sum[:])
}

// semaphorePath returns the file behind the pool's reference semaphore
// (resolve it while the pool file still exists: the name hashes its real path).
func semaphorePath(path string) string { return semaphoreDir + "/sem." + semaphoreName(path) }

// canonicalPath resolves path the way realpath(3) does: absolute, no
// symlinks, "." and ".." applied after resolving what precedes them. The
// file must exist.
func canonicalPath(path string) (string, error) {
	if path == "" {
		return "", os.ErrNotExist
	}
	if !filepath.IsAbs(path) {
		// The kernel's view of the working directory (no $PWD shortcut),
		// joined without cleaning so ".." is applied after symlinks.
		wd, err := syscall.Getwd()
		if err != nil {
			return "", err
		}
		path = wd + "/" + path
	}
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(real); err != nil {
		return "", err
	}
	return real, nil
}

// postSemaphore adds one to the reference's semaphore for this pool (up to
// semaphoreMaxCount) and wakes one of its blocked waiters if it has any. Any
// failure turns posting off for this notifier; it never reports an error.
func (n *notifier) postSemaphore() {
	switch n.semState.Load() {
	case semReady:
	case semUntried:
		if !n.openSemaphore() {
			return
		}
	default:
		return
	}
	data := n.semData
	for {
		old := data.Load()
		if uint32(old) >= semaphoreMaxCount {
			break
		}
		if data.CompareAndSwap(old, old+1) {
			if old>>32 != 0 {
				futexWake((*atomic.Uint32)(unsafe.Pointer(data)), 1)
			}
			return
		}
	}
	// Count saturated: nothing to add, but do not leave a blocked waiter
	// asleep on a non-zero count.
	if data.Load()>>32 != 0 {
		futexWake((*atomic.Uint32)(unsafe.Pointer(data)), 1)
	}
}

// openSemaphore maps the semaphore file, creating it if needed, and reports
// whether posting is possible.
func (n *notifier) openSemaphore() bool {
	if n.semName == "" {
		n.semState.Store(semBroken)
		return false
	}
	n.semMu.Lock()
	defer n.semMu.Unlock()
	if st := n.semState.Load(); st != semUntried {
		return st == semReady
	}
	mem, err := mapSemaphore(n.semName)
	if err != nil {
		n.semState.Store(semBroken)
		return false
	}
	n.semMem = mem
	n.semData = (*atomic.Uint64)(unsafe.Pointer(&mem[0]))
	n.semState.Store(semReady)
	return true
}

// mapSemaphore opens /dev/shm/sem.<name>, creating it with count 0 and mode
// 0600 if it does not exist, and maps its 32 bytes shared and writable.
func mapSemaphore(name string) ([]byte, error) {
	if name == "" {
		return nil, os.ErrInvalid
	}
	final := semaphoreDir + "/sem." + name
	for attempt := 0; attempt < 4; attempt++ {
		f, err := os.OpenFile(final, os.O_RDWR|syscall.O_NOFOLLOW, 0)
		if err == nil {
			return mapSemaphoreFile(f)
		}
		if !errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
		f, err = createSemaphore(final)
		if err == nil {
			return mapSemaphoreFile(f)
		}
		if !errors.Is(err, os.ErrExist) {
			return nil, err
		}
		// Someone else created it between our open and our link: use theirs.
	}
	return nil, os.ErrExist
}

// createSemaphore writes a fresh semaphore to a temporary file and links it
// to final, so final appears complete or not at all. It returns the open
// file (the same inode as final) or an error wrapping os.ErrExist when final
// appeared meanwhile.
func createSemaphore(final string) (*os.File, error) {
	var init [semaphoreSize]byte
	binary.LittleEndian.PutUint32(init[8:], semaphoreSharedTag)
	var f *os.File
	var tmp string
	for i := 0; ; i++ {
		tmp = semaphoreDir + "/sem." + semaphoreTempSuffix()
		var err error
		f, err = os.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
		if err == nil {
			break
		}
		if !errors.Is(err, os.ErrExist) || i == 16 {
			return nil, err
		}
	}
	defer os.Remove(tmp)
	if _, err := f.Write(init[:]); err != nil {
		f.Close()
		return nil, err
	}
	if err := os.Link(tmp, final); err != nil {
		f.Close()
		return nil, err
	}
	if semaphoreCreated != nil {
		semaphoreCreated(final)
	}
	return f, nil
}

// semaphoreCreated, when set (by tests), learns the path of every semaphore
// file this process creates, so a test run can remove what it left in
// /dev/shm (neither implementation ever unlinks a pool's semaphore).
var semaphoreCreated func(path string)

// semaphoreTempSuffix returns six random characters, the shape of glibc's
// mktemp suffix for the temporary semaphore file.
func semaphoreTempSuffix() string {
	const chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	var b [6]byte
	for i := range b {
		b[i] = chars[rand.IntN(len(chars))]
	}
	return string(b[:])
}

// mapSemaphoreFile maps the first 32 bytes of f and closes f.
func mapSemaphoreFile(f *os.File) ([]byte, error) {
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() || fi.Size() < semaphoreSize {
		return nil, os.ErrInvalid
	}
	return syscall.Mmap(int(f.Fd()), 0, semaphoreSize, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_SHARED)
}
