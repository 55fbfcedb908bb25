/*
 * bench_backtest.c - the cost of `backtest` per path against `run`'s, on
 * one thread, and the cost of the scores.
 *
 *   bench_backtest SCENARIO OBSERVED.csv [PATHS]
 *
 * run: ms_engine_run over PATHS paths with series, best of three.
 * backtest: ms_backtest_run over the same paths (the run's accumulation
 * through the batch call and a block buffer, plus each observation's value
 * kept per path), best of three; then ms_backtest_finish (sort and score
 * every observation), timed apart.  One line each, easy to paste into
 * docs/backtest.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <omp.h>
#include "bench.h"
#include "magsim/backtest.h"

/* Best of three backtest runs; *finish gets the scoring time of the last. */
static double best_backtest(const ms_engine *e, const ms_observed *o, uint64_t paths, double *finish)
{
    double best = 1e300;
    char err[256];
    for (int rep = 0; rep < 3; rep++) {
        ms_backtest *b = ms_backtest_alloc(e, o, 0, paths, err, sizeof err);
        ms_result *r = ms_result_alloc(e);
        if (!b || !r) {
            fprintf(stderr, "%s\n", err);
            exit(1);
        }
        ms_run_opts ro = {1, NULL, NULL, NULL};
        double t0 = omp_get_wtime();
        ms_backtest_run(b, &ro, r);
        double dt = omp_get_wtime() - t0;
        best = dt < best ? dt : best;
        t0 = omp_get_wtime();
        ms_backtest_finish(b, 1);
        *finish = omp_get_wtime() - t0;
        ms_result_free(r);
        ms_backtest_free(b);
    }
    return best;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: bench_backtest SCENARIO OBSERVED.csv [PATHS]\n");
        return 2;
    }
    uint64_t paths = argc > 3 ? strtoull(argv[3], NULL, 10) : 2048;
    ms_diags d;
    ms_diags_init(&d);
    ms_scenario *s = ms_scenario_load(argv[1], &d);
    ms_observed *o = s ? ms_observed_load(argv[2], s, &d) : NULL;
    ms_diags_print(&d, stderr, 0);
    ms_diags_clear(&d);
    char err[256];
    ms_engine_opts eo = s ? ms_engine_opts_default(s) : (ms_engine_opts){0};
    ms_engine *e = o ? ms_engine_alloc(s, &eo, err, sizeof err) : NULL;
    if (!e || ms_observed_resolve(o, e, err, sizeof err)) {
        fprintf(stderr, "cannot run\n");
        return 1;
    }
    double tr = bench_best_run(e, paths), fin = 0, tb = best_backtest(e, o, paths, &fin);
    printf("run       %8.1f us/path (%llu paths, series on, 1 thread)\n", 1e6 * tr / (double)paths,
           (unsigned long long)paths);
    printf("backtest  %8.1f us/path: %.2f x run; %d observations kept per path\n", 1e6 * tb / (double)paths, tb / tr,
           o->n);
    printf("scores    %8.3f ms for %d observations x %llu paths (sort and score; %.1f ns per value)\n", 1e3 * fin, o->n,
           (unsigned long long)paths, 1e9 * fin / ((double)paths * o->n));
    ms_engine_free(e);
    ms_observed_free(o);
    ms_scenario_free(s);
    return 0;
}
