/*
 * bench.h - what the benchmarks share: the best of three wall times of a
 * one-thread ms_engine_run, the yardstick the analyses are measured against.
 */
#ifndef MAGSIM_BENCH_H
#define MAGSIM_BENCH_H

#include <stdint.h>
#include <omp.h>
#include "magsim/engine.h"
#include "magsim/result.h"

/* Best of three: seconds for ms_engine_run of paths [0, paths) on one thread. */
static inline double bench_best_run(const ms_engine *e, uint64_t paths)
{
    double best = 1e300;
    for (int rep = 0; rep < 3; rep++) {
        ms_result *r = ms_result_alloc(e);
        ms_run_opts o = {1, NULL, NULL, NULL};
        double t0 = omp_get_wtime();
        ms_engine_run(e, 0, paths, &o, r);
        double dt = omp_get_wtime() - t0;
        best = dt < best ? dt : best;
        ms_result_free(r);
    }
    return best;
}

#endif
