/*
 * bench_engine.c - paths per second, microseconds per path, parallel
 * efficiency and peak memory of the engine on a scenario.
 *
 *   bench_engine SCENARIO [PATHS [THREADS...]]
 *
 * For each thread count (default: 1, 2, ... up to the cores online, powers
 * of two) it runs PATHS paths (default 20000) three times and reports the
 * best wall time.  Series accumulation is included, as in a normal run.
 * Output is one line per thread count, easy to paste into the README.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
#include <omp.h>
#include "bench.h"
#include "magsim/engine.h"

static long max_rss_kib(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_engine SCENARIO [PATHS [THREADS...]]\n");
        return 2;
    }
    uint64_t paths = argc > 2 ? strtoull(argv[2], NULL, 10) : 20000;
    int nth = 0, th[16];
    for (int k = 3; k < argc && nth < 16; k++) th[nth++] = atoi(argv[k]);
    if (nth == 0) {
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        for (int t = 1; t <= cores && nth < 16; t *= 2) th[nth++] = t;
        if (th[nth - 1] != cores && nth < 16) th[nth++] = (int)cores;
    }
    ms_scenario *s = bench_load(argv[1]);
    if (!s)
        return 3;
    ms_engine_opts eo = ms_engine_opts_default(s);
    ms_engine *e = bench_compile(s, eo.series);
    if (!e)
        return 1;
    int C = 0;
    for (int i = 0; i < s->nimporters; i++) C += s->importers[i].nindustries;
    printf("scenario %s: T=%d S=%d I=%d cells=%d P=%d policies=%d; %d metrics + %d series points per path\n",
           argv[1], s->months, s->nsuppliers, s->nimporters, C, s->nproducts, s->npolicies,
           ms_engine_nmetrics(e), ms_engine_nseries(e));
    double base = 0;
    for (int k = 0; k < nth; k++) {
        double best = 1e300;
        for (int rep = 0; rep < (paths > 100000 ? 1 : 3); rep++) {
            ms_result *r = ms_result_alloc(e);
            ms_run_opts o = {th[k], NULL, NULL, NULL};
            double t0 = omp_get_wtime();
            ms_engine_run(e, 0, paths, &o, r);
            double dt = omp_get_wtime() - t0;
            if (dt < best) best = dt;
            ms_result_free(r);
        }
        double pps = paths / best;
        if (k == 0) base = pps / th[0];
        printf("threads %2d: %9.0f paths/s  %7.2f us/path/core  efficiency %5.1f%%\n", th[k], pps,
               1e6 * best * th[k] / paths, 100.0 * pps / (base * th[k]));
    }
    /* where the time goes: the paths alone (in batches of MS_LANES, as a run
     * simulates them) versus paths + accumulation */
    {
        ms_work *w = ms_work_alloc(e);
        size_t stride = (size_t)ms_engine_nmetrics(e) + ms_engine_nseries(e);
        double *out = calloc(stride * MS_BLOCK, sizeof(double));
        uint64_t n = paths < 5120 ? paths : 5120;
        n -= n % MS_BLOCK;
        if (n == 0)
            n = MS_BLOCK;
        double t0 = omp_get_wtime();
        for (uint64_t p = 0; p < n; p += MS_BLOCK) ms_engine_paths(e, w, p, MS_BLOCK, out, stride);
        double dt = omp_get_wtime() - t0;
        printf("simulation alone (1 thread): %.2f us/path; the rest of the 1-thread time is accumulation\n",
               1e6 * dt / n);
        free(out);
        ms_work_free(w);
    }
    ms_estimate est;
    ms_engine_estimate(s, &eo, th[nth - 1], (uint64_t)paths, &est);
    printf("peak RSS %ld MiB for %llu paths (estimate before running: %.1f MiB at %d threads)\n",
           max_rss_kib() / 1024, (unsigned long long)paths, est.memory_bytes / 1048576.0, th[nth - 1]);
    ms_engine_free(e);
    ms_scenario_free(s);
    return 0;
}
