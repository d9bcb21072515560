/* Clocks shared by the C bench programs (c_redeem.c, curl_redeem.c): wall time and the
 * calling thread's CPU time, measured the same way for every client compared. */
#ifndef VK_BENCH_CLOCK_H
#define VK_BENCH_CLOCK_H

#include <stdio.h>
#include <time.h>

static inline double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Nanoseconds this thread has run on a CPU. */
static inline unsigned long long thread_cpu_ns(void) {
    unsigned long long ns = 0;
    FILE *f = fopen("/proc/thread-self/schedstat", "r");
    if (f != NULL) {
        if (fscanf(f, "%llu", &ns) != 1) ns = 0;
        fclose(f);
    }
    return ns;
}

#endif
