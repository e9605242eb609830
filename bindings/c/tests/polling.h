/* poll(2) for the C tests, retried when a signal interrupts it. The Go
 * runtime inside libplasmite signals its threads (preemption), and such a
 * signal can land on the test's thread, where poll then fails with EINTR
 * although nothing went wrong. Waits at most ms in all (-1: no bound). */
#ifndef PLSM_TEST_POLLING_H
#define PLSM_TEST_POLLING_H

#include <errno.h>
#include <poll.h>
#include <time.h>

static inline long polling_now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static inline int poll_retry(struct pollfd *fds, nfds_t n, int ms) {
    long end = polling_now_ms() + ms;
    for (;;) {
        int rc = poll(fds, n, ms);
        if (rc >= 0 || errno != EINTR) return rc;
        if (ms > 0) {
            long left = end - polling_now_ms();
            ms = left > 0 ? (int)left : 0;
        }
    }
}

#endif
