/*
 * bench.h - what the benchmarks share: loading and compiling a scenario with
 * its errors printed, and the best of three wall times of a one-thread
 * ms_engine_run, the yardstick the analyses are measured against.
 */
#ifndef MAGSIM_BENCH_H
#define MAGSIM_BENCH_H

#include <stdint.h>
#include <stdio.h>
#include <omp.h>
#include "magsim/engine.h"
#include "magsim/result.h"
#include "magsim/scenario.h"

/* The scenario at path, or NULL with its errors printed. */
static inline ms_scenario *bench_load(const char *path)
{
    ms_diags d;
    ms_diags_init(&d);
    ms_scenario *s = ms_scenario_load(path, &d);
    if (!s)
        ms_diags_print(&d, stderr, 0);
    ms_diags_clear(&d);
    return s;
}

/* Its engine at the scenario's seed, series on or off, or NULL with the reason printed. */
static inline ms_engine *bench_compile(const ms_scenario *s, int series)
{
    char err[256];
    ms_engine_opts eo = ms_engine_opts_default(s);
    eo.series = series;
    ms_engine *e = ms_engine_alloc(s, &eo, err, sizeof err);
    if (!e)
        fprintf(stderr, "%s\n", err);
    return e;
}

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
