/*
 * runctl.h - what every parallel driver of the engine shares (not public):
 * the caller's run options with their defaults, the stop flag read
 * atomically, blocks of MS_BLOCK paths dealt from one shared counter, and
 * progress reported by thread 0 at most every 0.1 s.
 *
 * Rules: a driver takes its blocks with ms_runctl_take (or a few
 * consecutive ones with ms_runctl_take_n) until it returns 0, so a stop
 * costs at most one take per thread however many paths are left
 * (an OpenMP loop that skips the remaining blocks with `continue` would walk
 * through all of them); whatever order the threads take blocks in, each
 * block's paths are fed to one thread's exact accumulators in path order, so
 * results do not depend on it; the threads' accumulators are merged in a
 * tree (ms_runctl_reduce), in parallel.  Used by sim/engine.c (ms_engine_run),
 * sim/backtest.c, sim/compare.c and sim/sens.c.
 */
#ifndef MAGSIM_RUNCTL_H
#define MAGSIM_RUNCTL_H

#include <stdint.h>
#include "magsim/engine.h"

typedef struct ms_runctl {
    const ms_run_opts *o;        /* the caller's options, or the defaults (never NULL) */
    uint64_t first, n;           /* the work: paths [first, first + n), or n units (evaluations) */
    uint64_t nblocks;            /* blocks of MS_BLOCK paths in [first, first + n) */
    uint64_t next;               /* next block to take (shared, atomic) */
    uint64_t done;               /* units finished (shared, atomic) */
    double t0, last;             /* start, last progress report (omp_get_wtime, seconds) */
} ms_runctl;

/* Start: o may be NULL (defaults: all threads, no stop flag, no progress). */
void ms_runctl_init(ms_runctl *c, const ms_run_opts *o, uint64_t first, uint64_t n);
/* The threads to ask for: o->threads, or all of OpenMP's. */
int ms_runctl_threads(const ms_runctl *c);
/* 1 when SIGINT/SIGTERM (or a caller) set the stop flag. */
int ms_runctl_stopped(const ms_runctl *c);
/* The next block: its first path *p0 and its size *np (the last may be
 * short); 0 when none is left or a stop was requested. */
int ms_runctl_take(ms_runctl *c, uint64_t *p0, int *np);
/* The next nb blocks at most, consecutive (fewer at the end): their first
 * path *p0 and their paths *np; 0 as ms_runctl_take. */
int ms_runctl_take_n(ms_runctl *c, int nb, uint64_t *p0, int *np);
/* Blocks per take for a driver that gains from taking several at once: at
 * most `most`, and few enough that each of `threads` threads still gets
 * about 8 takes (the load stays balanced on short runs); at least 1. */
int ms_runctl_group(const ms_runctl *c, int threads, int most);
/* units finished by thread tid: counted; thread 0 reports progress. */
void ms_runctl_done(ms_runctl *c, uint64_t units, int tid);
/* The units finished so far (an atomic read). */
uint64_t ms_runctl_count(ms_runctl *c);
/* The last progress report (done of n) and the seconds since the start. */
double ms_runctl_finish(ms_runctl *c);
/* Called by every thread of the team (tid) once its share is done: the
 * threads' parts are merged pairwise, part tid + step into part tid for
 * step = 1, 2, 4, .. (a barrier before each round), so that part 0 holds
 * them all after log2(threads) merges rather than one after another;
 * merge(ctx, dst, src) merges part src into part dst.  The merges are exact,
 * so the result is the same in any order.  Ends with a barrier: every part
 * but 0 may then be freed by its own thread.  Returns 0, or -1 when a merge
 * of this thread's failed. */
int ms_runctl_reduce(int tid, int (*merge)(void *ctx, int dst, int src), void *ctx);

#endif
