/*
 * bench_analysis.c - the cost of `compare` and `sensitivity` per model
 * evaluation against `run`'s cost per path, on one thread.
 *
 *   bench_analysis SCENARIO [POLICY [ROWS [PATHS]]]
 *
 * run: ms_engine_run over PATHS paths (series off, as sensitivity runs;
 * and series on, as run and compare do), best of three.  sensitivity:
 * ms_sens_run with every uncertain input, ROWS rows and a tornado of 8 paths
 * (series off), split into the evaluations and the estimates (design and
 * bootstrap, timed apart); the overhead is the time per evaluation over the engine's
 * time per path.  compare: SCENARIO against POLICY over PATHS paths, per
 * scenario-path.  One line each, easy to paste into the README.
 */
#include <stdio.h>
#include <stdlib.h>
#include <omp.h>
#include "bench.h"
#include "magsim/compare.h"
#include "magsim/engine.h"
#include "magsim/sens.h"

/* Best of three: seconds per path of ms_engine_run on one thread. */
static double run_cost(const ms_engine *e, uint64_t paths)
{
    return bench_best_run(e, paths) / (double)paths;
}

static void bench_sens(const ms_engine *e, int rows, double path_cost)
{
    int n = ms_engine_ninputs(e), d = 0, out = ms_stat_find(e, 0, MS_M_SHORTAGE_SHARE, -1, -1, -1, -1, -1);
    int *f = malloc(sizeof *f * (size_t)n);
    for (int k = 0; k < n; k++)
        if (!ms_dist_is_fixed(ms_engine_input(e, k)))
            f[d++] = k;
    ms_sens_plan p = {.nfactors = d, .factors = f, .noutputs = 1, .outputs = &out, .rows = rows,
                      .tornado_paths = 8, .nboot = 1000, .level = 0.95, .seed = 1};
    char err[256];
    double t0 = omp_get_wtime();
    ms_sens *s = ms_sens_alloc(e, &p, err, sizeof err);
    double t_design = omp_get_wtime() - t0;
    if (!s) {
        fprintf(stderr, "%s\n", err);
        free(f);
        return;
    }
    ms_run_opts o = {1, NULL, NULL, NULL};
    t0 = omp_get_wtime();
    ms_sens_run(s, &o);
    double total = omp_get_wtime() - t0;
    ms_sens_status st = ms_sens_get_status(s);
    double per_eval = st.wall_seconds / (double)st.evaluations;
    printf("sensitivity: %d inputs, %d rows + tornado: %llu evaluations in %.2f s: %.1f us/evaluation "
           "(%.2fx the engine's path); design %.1f ms, estimates with 1000 bootstrap resamples %.1f ms\n",
           d, rows, (unsigned long long)st.evaluations, st.wall_seconds, 1e6 * per_eval, per_eval / path_cost,
           1e3 * t_design, 1e3 * (total - st.wall_seconds));
    ms_sens_free(s);
    free(f);
}

static void bench_compare(const ms_engine *b, const ms_engine *pol, uint64_t paths, double path_cost_series)
{
    char err[256];
    ms_compare *c = ms_compare_alloc(b, &pol, 1, err, sizeof err);
    if (!c) {
        fprintf(stderr, "%s\n", err);
        return;
    }
    ms_compare_result *r = ms_compare_result_alloc(c);
    ms_run_opts o = {1, NULL, NULL, NULL};
    double t0 = omp_get_wtime();
    ms_compare_run(c, 0, paths, &o, r);
    double dt = (omp_get_wtime() - t0) / (2.0 * (double)paths);
    printf("compare: 2 scenarios x %llu paths: %.1f us per scenario-path (%.2fx run's path with series)\n",
           (unsigned long long)paths, 1e6 * dt, dt / path_cost_series);
    ms_compare_result_free(r);
    ms_compare_free(c);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_analysis SCENARIO [POLICY [ROWS [PATHS]]]\n");
        return 2;
    }
    int rows = argc > 3 ? atoi(argv[3]) : 64;
    uint64_t paths = argc > 4 ? strtoull(argv[4], NULL, 10) : 1024;
    ms_scenario *s = bench_load(argv[1]), *sp = argc > 2 ? bench_load(argv[2]) : NULL;
    if (!s || (argc > 2 && !sp))
        return 3;
    ms_engine *e0 = bench_compile(s, 0), *e1 = bench_compile(s, 1), *ep = sp ? bench_compile(sp, 1) : NULL;
    if (!e0 || !e1 || (sp && !ep))
        return 1;
    double c0 = run_cost(e0, paths), c1 = run_cost(e1, paths);
    printf("run (1 thread, %llu paths): %.1f us/path without series, %.1f us/path with series\n",
           (unsigned long long)paths, 1e6 * c0, 1e6 * c1);
    bench_sens(e0, rows, c0);
    if (ep)
        bench_compare(e1, ep, paths, c1);
    ms_engine_free(ep);
    ms_engine_free(e1);
    ms_engine_free(e0);
    ms_scenario_free(sp);
    ms_scenario_free(s);
    return 0;
}
