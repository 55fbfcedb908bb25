/*
 * backtest.c - a scenario held against observations (magsim/backtest.h):
 * the run that keeps every observed point's value on every path, and the
 * scores.
 *
 * The run is the engine's own loop (sim/engine.c) with the batch call:
 * threads take blocks of MS_BLOCK path indices from a counter, in order,
 * and every block taken is finished, so after a stop the paths done are a
 * prefix of the range.  A block's vectors go into a path-major buffer, are
 * added to the thread's result with ms_accum_add_strided (the same bits as
 * the engine's own accumulation), and each observation's statistics are
 * summed per path, in the observation's fixed order, into values[k][path].
 * Threads' results merge exactly; the kept values sit at their path's
 * index.  Hence the run's files and the scores are the same for any thread
 * count.
 *
 * The scores need only the sorted values: quantiles by index (integer
 * arithmetic), PIT by two binary searches, CRPS in one pass over the sorted
 * values (the sum of non-negative terms of magsim/backtest.h, so never
 * negative by cancellation).  Memory: 8 bytes per observation and path.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <omp.h>

#include "magsim/backtest.h"
#include "runctl.h"

const int ms_backtest_percent[MS_BT_NQ] = {5, 25, 50, 75, 95};

/* ---- scores -------------------------------------------------------------------------- */

double ms_backtest_quantile(const double *sorted, uint64_t n, int percent)
{
    if (n == 0)
        return NAN;
    uint64_t k = ((uint64_t)percent * n + 99) / 100;   /* ceil(percent n / 100), >= 1 */
    return sorted[(k ? k : 1) - 1];
}

/* Values < y (strict) or <= y (!strict) among n sorted values. */
static uint64_t count_below(const double *x, uint64_t n, double y, int strict)
{
    uint64_t lo = 0, hi = n;
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (strict ? x[mid] < y : x[mid] <= y)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* (2 / n^2) sum_i (x_(i) - y) (n [y < x_(i)] - i + 1/2), i = 1..n: the CRPS
 * of the empirical distribution, every term >= 0. */
static double crps_sorted(const double *x, uint64_t n, double y)
{
    double sum = 0, dn = (double)n;
    for (uint64_t i = 0; i < n; i++) {
        double w = (y < x[i] ? dn : 0) - (double)i - 0.5;   /* n [y < x] - (i + 1) + 1/2 */
        sum += (x[i] - y) * w;
    }
    return 2 * (sum / dn) / dn;
}

void ms_backtest_score(const double *sorted, uint64_t n, double y, ms_bt_score *out)
{
    memset(out, 0, sizeof *out);
    out->n = n;
    out->y = y;
    for (int k = 0; k < MS_BT_NQ; k++)
        out->q[k] = ms_backtest_quantile(sorted, n, ms_backtest_percent[k]);
    out->rel_err = y > 0 && n > 0 ? (out->q[MS_BT_Q50] - y) / y : NAN;
    if (n == 0) {
        out->pit = out->crps = NAN;
        return;
    }
    out->below = count_below(sorted, n, y, 1);
    out->equal = count_below(sorted, n, y, 0) - out->below;
    out->pit = (2.0 * (double)out->below + (double)out->equal) / (2.0 * (double)n);
    out->in50 = out->q[MS_BT_Q25] <= y && y <= out->q[MS_BT_Q75];
    out->in90 = out->q[MS_BT_Q05] <= y && y <= out->q[MS_BT_Q95];
    out->crps = crps_sorted(sorted, n, y);
}

static int cmp_double(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    return a < b ? -1 : a > b;
}

/* floor(10 PIT) in integers: 10 (2 below + equal) / (2 n), PIT = 1 in the last tenth. */
static int pit_tenth(const ms_bt_score *s)
{
    uint64_t t = 10 * (2 * s->below + s->equal) / (2 * s->n);
    return t > 9 ? 9 : (int)t;
}

void ms_backtest_summarize(const ms_bt_score *s, int n, ms_bt_summary *out)
{
    memset(out, 0, sizeof *out);
    out->n = n;
    double *rel = malloc((size_t)(n > 0 ? n : 1) * sizeof *rel), crps = 0;
    int ncrps = 0;
    for (int k = 0; k < n; k++) {
        out->hits50 += s[k].in50;
        out->hits90 += s[k].in90;
        if (rel && isfinite(s[k].rel_err))
            rel[out->nrel++] = fabs(s[k].rel_err);
        if (isfinite(s[k].crps)) {
            crps += s[k].crps;
            ncrps++;
        }
        if (s[k].n > 0)
            out->pit_tenths[pit_tenth(&s[k])]++;
    }
    out->coverage50 = n > 0 ? (double)out->hits50 / n : NAN;
    out->coverage90 = n > 0 ? (double)out->hits90 / n : NAN;
    out->binom_p50 = n > 0 ? gsl_cdf_binomial_P((unsigned)out->hits50, 0.5, (unsigned)n) : NAN;
    out->binom_p90 = n > 0 ? gsl_cdf_binomial_P((unsigned)out->hits90, 0.9, (unsigned)n) : NAN;
    out->mean_crps = ncrps > 0 ? crps / ncrps : NAN;
    out->median_abs_rel_err = NAN;
    if (out->nrel > 0) {
        qsort(rel, (size_t)out->nrel, sizeof *rel, cmp_double);
        int m = out->nrel / 2;
        out->median_abs_rel_err = out->nrel % 2 ? rel[m] : (rel[m - 1] + rel[m]) / 2;
    }
    free(rel);
}

/* ---- the backtest ------------------------------------------------------------------------ */

ms_backtest *ms_backtest_alloc(const ms_engine *e, const ms_observed *o, uint64_t first, uint64_t paths, char *err,
                               size_t errlen)
{
    for (int k = 0; k < o->n; k++)
        if (!o->obs[k].stat) {
            snprintf(err, errlen, "the observations are not resolved against the engine");
            return NULL;
        }
    ms_backtest *b = calloc(1, sizeof *b);
    size_t nv = (size_t)o->n * (size_t)paths;
    if (!b || (paths && nv / paths != (size_t)o->n) || !(b->values = malloc((nv ? nv : 1) * sizeof *b->values)) ||
        !(b->score = calloc((size_t)o->n + 1, sizeof *b->score))) {
        snprintf(err, errlen, "out of memory: %d observations x %llu paths", o->n, (unsigned long long)paths);
        ms_backtest_free(b);
        return NULL;
    }
    b->e = e;
    b->o = o;
    b->first = first;
    b->paths = paths;
    return b;
}

void ms_backtest_free(ms_backtest *b)
{
    if (!b)
        return;
    free(b->values);
    free(b->score);
    free(b);
}

/* The observations' values on a block's np paths (vectors path-major in buf,
 * stride apart), at path offset j0 of the range. */
static void keep_values(ms_backtest *b, const double *buf, size_t stride, int np, uint64_t j0)
{
    const ms_observed *o = b->o;
    for (int k = 0; k < o->n; k++) {
        const ms_obs *ob = &o->obs[k];
        double *dst = b->values + (size_t)k * b->paths + j0;
        for (int j = 0; j < np; j++) {
            double v = 0;
            for (int q = 0; q < ob->nparts; q++)
                v += buf[(size_t)j * stride + (size_t)ob->stat[q]];
            dst[j] = v + 0.0;   /* -0 as 0 */
        }
    }
}

/* One thread's share: take blocks until none is left or a stop is asked
 * (sim/runctl.c).  *fail on no memory. */
static void run_blocks(ms_backtest *b, ms_runctl *c, ms_result *r, int tid, int *fail)
{
    const ms_engine *e = b->e;
    int nm = ms_engine_nmetrics(e);
    size_t stride = (size_t)nm + (size_t)ms_engine_nseries(e);
    ms_work *w = ms_work_alloc(e);
    double *buf = malloc(sizeof(double) * stride * MS_BLOCK);
    if (!w || !buf || !r) {
#pragma omp atomic write
        *fail = 1;
        ms_work_free(w);
        free(buf);
        return;
    }
    uint64_t p0;
    int np;
    while (ms_runctl_take(c, &p0, &np)) {
        ms_engine_paths(e, w, p0, np, buf, stride);
        ms_accum_add_strided(r->metrics, buf, np, 1, stride);
        if (r->series)
            ms_accum_add_strided(r->series, buf + nm, np, 1, stride);
        r->paths_done += (uint64_t)np;
        keep_values(b, buf, stride, np, p0 - b->first);
        ms_runctl_done(c, (uint64_t)np, tid);
    }
    ms_work_free(w);
    free(buf);
}

int ms_backtest_run(ms_backtest *b, const ms_run_opts *o, ms_result *res)
{
    ms_runctl c;
    ms_runctl_init(&c, o, b->first, b->paths);
    int threads = ms_runctl_threads(&c), used = 1, fail = 0;
    ms_result **lr = calloc((size_t)threads, sizeof *lr);
    if (!lr)
        return -1;
#pragma omp parallel num_threads(threads)
    {
        int tid = omp_get_thread_num();
#pragma omp single
        used = omp_get_num_threads();
        lr[tid] = ms_result_alloc(b->e);
        run_blocks(b, &c, lr[tid], tid, &fail);
        if (ms_result_gather(lr, tid)) { /* exact merges: the order does not matter */
#pragma omp atomic write
            fail = 1;
        }
    }
    if (lr[0] && ms_result_absorb(res, lr[0])) /* a fresh res takes part 0's accumulators */
        fail = 1;
    ms_result_free(lr[0]);
    free(lr);
    if (res->paths_requested == 0)
        res->first_path = b->first;
    res->paths_requested += b->paths;
    res->interrupted |= c.done < b->paths;
    res->wall_seconds += ms_runctl_finish(&c);
    res->threads = used;
    b->paths_done = c.done;
    return fail ? -1 : 0;
}

/* Observation k: its finite values over the paths done, sorted, scored. */
static void finish_one(ms_backtest *b, int k)
{
    double *v = b->values + (size_t)k * b->paths;
    uint64_t n = 0;
    for (uint64_t j = 0; j < b->paths_done; j++)
        if (isfinite(v[j]))
            v[n++] = v[j];
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    ms_backtest_score(v, n, b->o->obs[k].value, &b->score[k]);
}

void ms_backtest_finish(ms_backtest *b, int threads)
{
    int n = b->o->n;
    if (threads <= 0)
        threads = omp_get_max_threads();
#pragma omp parallel for num_threads(threads) schedule(dynamic, 1)
    for (int k = 0; k < n; k++)
        finish_one(b, k);
    ms_backtest_summarize(b->score, n, &b->summary);
}

void ms_backtest_estimate(const ms_scenario *s, int nobs, uint64_t paths, int threads, ms_estimate *out)
{
    ms_engine_opts eo = ms_engine_opts_default(s);
    eo.series = 1;
    ms_engine_estimate(s, &eo, threads, paths, out);
    /* the run's estimate holds each thread's workspace and block of vectors (run_blocks' buf); on top:
     * every path's value of each observed point, kept for the exact PIT and CRPS */
    double kept = 8.0 * (double)nobs * (double)paths;
    /* backtest.csv ~250 bytes a row, backtest.json ~600, observed.csv as read (~150 a row) */
    double files = 1000.0 * nobs + 4096;
    out->output_bytes += files;
    out->memory_bytes += kept + files;
}
