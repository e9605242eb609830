package server

// semaphore is a counting semaphore that never queues: tryAcquire fails at
// once when every permit is taken.
type semaphore chan struct{}

func newSemaphore(n int) semaphore { return make(semaphore, n) }

// tryAcquire takes a permit if one is free.
func (s semaphore) tryAcquire() bool {
	select {
	case s <- struct{}{}:
		return true
	default:
		return false
	}
}

// release returns a permit taken by tryAcquire.
func (s semaphore) release() { <-s }
