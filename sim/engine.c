/*
 * engine.c - the run driver: paths in, distributions out (magsim/engine.h).
 *
 * Design.  A run of paths [first, first + n) is cut into blocks of MS_BLOCK
 * consecutive path indices; the partition depends on the path index alone.
 * Threads take up to MS_ACCUM_GROUP consecutive blocks at a time from a
 * shared counter (fewer on short runs, ms_runctl_group); their paths are
 * simulated MS_LANES at a time (sim/path.c) into the thread's
 * statistic-major block buffer, then added to the thread's accumulators
 * statistic by statistic, each block's sums in path order.  The threads'
 * results merge exactly (sim/result.c), so a result is bit for bit the same
 * for any thread count, schedule, grouping or split of the range at block
 * multiples.
 *
 * Stopping is bounded: the stop flag is read before each take, so after
 * SIGINT or SIGTERM each thread finishes at most the blocks in flight
 * (MS_ACCUM_GROUP * MS_BLOCK paths), whatever the number of paths asked for.
 *
 * Also here: the engine's accessors, the single-path and batch entry points,
 * and the resource estimate made from a scenario's sizes before anything is
 * allocated.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <omp.h>
#include "engine_int.h"
#include "runctl.h"

/* ---- accessors ---------------------------------------------------------------- */

const ms_scenario *ms_engine_scenario(const ms_engine *e) { return e->sc; }
int ms_engine_nmetrics(const ms_engine *e) { return e->nmetrics; }
int ms_engine_nseries(const ms_engine *e) { return e->nseries; }
const ms_stat_desc *ms_engine_desc(const ms_engine *e, int i) { return &e->desc[i]; }
const double *ms_engine_shift(const ms_engine *e) { return e->shift; }
uint64_t ms_engine_seed(const ms_engine *e) { return e->seed; }
int ms_engine_ninputs(const ms_engine *e) { return e->ninputs; }
const ms_dist *ms_engine_input(const ms_engine *e, int k) { return e->input[k]; }

int ms_engine_find_input(const ms_engine *e, const char *key)
{
    for (int k = 0; key && k < e->ninputs; k++)
        if (e->input[k]->key && !strcmp(e->input[k]->key, key))
            return k;
    return -1;
}

ms_engine_opts ms_engine_opts_default(const ms_scenario *s)
{
    ms_engine_opts o = {.series = 1, .seed = s->seed};
    return o;
}

/* ---- paths ---------------------------------------------------------------------- */

/* ---- ISA variants ------------------------------------------------------------------ */

#ifdef MS_HAVE_V4
void ms_path_batch_v4(const ms_engine *e, ms_work *w, const uint64_t *paths, int n, const ms_input_set *const *sets,
                      double *ob, size_t ostride, ms_trace *tr);
#endif

ms_path_batch_fn ms_path_batch_select(const char **name)
{
    const char *force = getenv("MAGSIM_ISA");
#ifdef MS_HAVE_V4
    __builtin_cpu_init();
    if (!(force && !strcmp(force, "baseline")) && __builtin_cpu_supports("avx512f") &&
        __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl") &&
        __builtin_cpu_supports("avx512bw")) {
        if (name)
            *name = "x86-64-v4";
        return ms_path_batch_v4;
    }
#endif
    (void)force;
    if (name)
        *name = "baseline";
    return ms_path_batch;
}

ms_path_batch_fn ms_path_batch_select_baseline(void)
{
    return ms_path_batch;
}

/* Copy the lanes' vectors out of w->obuf: path j of the batch to out + j * stride. */
static void copy_out(const ms_engine *e, const ms_work *w, int n, double *out, size_t stride)
{
    for (int j = 0; j < n; j++)
        for (int k = 0; k < e->nstats; k++)
            out[(size_t)j * stride + k] = w->obuf[(size_t)k * MS_LANES + j];
}

int ms_engine_paths_with(const ms_engine *e, ms_work *w, const uint64_t *paths, const ms_input_set *const *sets,
                         int n, double *out, size_t stride)
{
    for (int j = 0; j < n; j += MS_LANES) {
        int m = n - j < MS_LANES ? n - j : MS_LANES;
        e->batch(e, w, paths + j, m, sets ? sets + j : NULL, NULL, 0, NULL);
        copy_out(e, w, m, out + (size_t)j * stride, stride);
    }
    return 0;
}

/* The m path indices p0, p0 + 1, .. of a batch. */
static void consecutive(uint64_t p0, int m, uint64_t *paths)
{
    for (int l = 0; l < m; l++)
        paths[l] = p0 + (uint64_t)l;
}

int ms_engine_paths(const ms_engine *e, ms_work *w, uint64_t first, int n, double *out, size_t stride)
{
    for (int j = 0; j < n; j += MS_LANES) {
        int m = n - j < MS_LANES ? n - j : MS_LANES;
        uint64_t paths[MS_LANES];
        consecutive(first + (uint64_t)j, m, paths);
        e->batch(e, w, paths, m, NULL, NULL, 0, NULL);
        copy_out(e, w, m, out + (size_t)j * stride, stride);
    }
    return 0;
}

/* Up to MS_ACCUM_GROUP consecutive blocks, np paths from p0, into r: each
 * batch of MS_LANES paths is simulated into the thread's statistic-major
 * block buffer bb (statistic k of the group's path j at bb[k * MS_BB_STRIDE
 * + j]), then the group is added to the accumulators statistic by
 * statistic, each block's sums in path order.  Adding blocks at once
 * touches each statistic's histogram once per group rather than once per
 * batch: with thousands of statistics (the monthly series) their memory
 * does not stay in cache between visits. */
static void group_paths(const ms_engine *e, ms_work *w, double *bb, uint64_t p0, int np, ms_result *r)
{
    int nm = e->nmetrics;
    for (int j = 0; j < np; j += MS_LANES) {
        int m = np - j < MS_LANES ? np - j : MS_LANES;
        uint64_t paths[MS_LANES];
        consecutive(p0 + (uint64_t)j, m, paths);
        e->batch(e, w, paths, m, NULL, bb + j, MS_BB_STRIDE, NULL);
    }
    ms_accum_add_blocks(r->metrics, bb, MS_BB_STRIDE, np);
    if (r->series)
        ms_accum_add_blocks(r->series, bb + (size_t)nm * MS_BB_STRIDE, MS_BB_STRIDE, np);
}

int ms_engine_path(const ms_engine *e, ms_work *w, uint64_t path, double *out, ms_trace *tr)
{
    e->batch(e, w, &path, 1, NULL, NULL, 0, tr);
    copy_out(e, w, 1, out, 0);
    return 0;
}

int ms_engine_path_with(const ms_engine *e, ms_work *w, uint64_t path, const ms_input_set *set, double *out,
                        ms_trace *tr)
{
    e->batch(e, w, &path, 1, &set, NULL, 0, tr);
    copy_out(e, w, 1, out, 0);
    return 0;
}

/* ---- the run -------------------------------------------------------------------------- */

/* One thread's share of the run: take `group` blocks at a time until none
 * is left or a stop is requested (sim/runctl.c); accumulate into r.  *fail
 * on no memory. */
static void run_blocks(const ms_engine *e, ms_runctl *c, ms_result *r, int tid, int group, int *fail)
{
    ms_work *w = ms_work_alloc(e);
    double *bb = ms_block_buffer_alloc((size_t)e->nstats);
    if (!w || !r || !bb) {
#pragma omp atomic write
        *fail = 1;
        ms_work_free(w);
        free(bb);
        return;
    }
    uint64_t p0;
    int np;
    while (ms_runctl_take_n(c, group, &p0, &np)) {
        group_paths(e, w, bb, p0, np, r);
        ms_runctl_done(c, (uint64_t)np, tid);
    }
    free(bb);
    ms_work_free(w);
}

int ms_engine_run(const ms_engine *e, uint64_t first, uint64_t n, const ms_run_opts *o, ms_result *res)
{
    ms_runctl c;
    ms_runctl_init(&c, o, first, n);
    int threads = ms_runctl_threads(&c), used = 1, fail = 0, group = ms_runctl_group(&c, threads, MS_ACCUM_GROUP);
    ms_result **lr = calloc((size_t)threads, sizeof *lr);
    if (!lr)
        return -1;
#pragma omp parallel num_threads(threads)
    {
        int tid = omp_get_thread_num();
#pragma omp single
        used = omp_get_num_threads();
        lr[tid] = ms_result_alloc(e);
        run_blocks(e, &c, lr[tid], tid, group, &fail);
        if (ms_result_gather(lr, tid)) {
#pragma omp atomic write
            fail = 1;
        }
    }
    if (lr[0] && ms_result_absorb(res, lr[0])) /* a fresh res takes part 0's accumulators */
        fail = 1;
    ms_result_free(lr[0]);
    free(lr);
    if (res->paths_requested == 0)
        res->first_path = first; /* the result's first range */
    res->paths_done += c.done;
    res->paths_requested += n;
    res->interrupted |= c.done < n;
    res->wall_seconds += ms_runctl_finish(&c);
    res->threads = used;
    return fail ? -1 : 0;
}

/* ---- the estimate ------------------------------------------------------------------------ */

static void count_stat(void *ctx, const ms_stat_desc *d)
{
    double *n = ctx;
    n[d->is_series]++;
}

void ms_engine_estimate(const ms_scenario *sc, const ms_engine_opts *opts, int threads, uint64_t paths,
                        ms_estimate *out)
{
    memset(out, 0, sizeof *out);
    int series = opts ? opts->series : 1;
    double n[2] = {0, 0};
    ms_stat_enumerate(sc, series, count_stat, n);
    out->nmetrics = n[0];
    out->nseries = n[1];
    double nst = n[0] + n[1], D = sizeof(double);
    /* a workspace (WORK_ARRAYS) of the scenario's sizes, with bounds where
     * only the compiled engine knows the count: the pipeline is at most
     * 2T + 2 months (lags are capped at the horizon); every supplier-importer
     * pair a flow, with a pair per cell of its importer; a few slots per
     * entity and policy; a policy's state at most 5 doubles per flow of one
     * supplier (an export control's per-flow budget, queue and passes) and
     * one per approval group or member; a stockpile that buys.
     * tests/test_calibration.c checks the bounds on every shipped scenario. */
    size_t S = (size_t)sc->nsuppliers, I = (size_t)sc->nimporters, P = (size_t)sc->nproducts, C = 0;
    for (int i = 0; i < sc->nimporters; i++)
        C += (size_t)sc->importers[i].nindustries;
    size_t T = (size_t)sc->months, np = (size_t)sc->npolicies;
    ms_work_dims wd = {.S = S, .I = I, .P = P, .C = C, .H = 2 * T + 2, .T = T,
                       .nslots = 3 * S * P + 4 * S + 8 * I + I * S + 10 * C + C * P + 20 * np,
                       .nflows = S * I * P, .nfc = S * P * C, .npstate = np * (5 * I * P + I + 16),
                       .nent = C + I + 1, .has_buy = 1, .nstats = (size_t)nst};
    out->work_bytes = (double)ms_work_dims_bytes(&wd) + (double)ms_block_buffer_bytes((size_t)nst);
    double nflows = (double)wd.nflows, nslots = (double)wd.nslots;
    out->accum_bytes = ms_result_typical_bytes(out->nmetrics, out->nseries, (double)paths);
    out->engine_bytes = nst * (sizeof(ms_stat_desc) + D) + D * (nflows * 8 + (double)(I * S * P)) + nslots * 2 * D;
    /* result files: a summary row is ~40 bytes of names and ~22 per number
     * (mean, sd, se, quantiles, p_pos, cvar95); a series point has a mean
     * line and one per quantile, ~60 bytes each; summary.json holds both again,
     * with keys (about 1.5 times the CSV) */
    double nq = sc->nquantiles;
    double csv = out->nmetrics * (40 + 22 * (5 + nq)) + out->nseries * (1 + nq) * 60;
    out->output_bytes = csv * 2.5 + 65536;
    double th = threads > 0 ? threads : 1;
    /* per thread: workspace, block buffer, accumulators of its share of the
     * paths; then the result's accumulators, the engine, and the files
     * rendered in memory before they are written.  One thread's accumulators
     * become the result's (ms_result_absorb), so this counts them twice: the
     * margin that covers what the process holds besides (its libraries,
     * the scenario, the allocator's slack; without it a 1-thread run of
     * bench_10x6x8 at 10^4 paths peaks 4% above the estimate) */
    double per_thread = ms_result_typical_bytes(out->nmetrics, out->nseries, (double)paths / th);
    out->memory_bytes = th * (out->work_bytes + per_thread) + out->accum_bytes + out->engine_bytes +
                        out->output_bytes;
}
