/*
 * compare.c - paired comparison of scenarios (magsim/compare.h): pairing
 * statistics and inputs by key, running every scenario path by path, and
 * the exact accumulators of the differences.
 *
 * Data.  An ms_compare owns, per policy, the pairs (base index, policy
 * index) of the statistics both scenarios have, sorted in the base's
 * layout order, and the lists of what is not shared.  An
 * ms_compare_result owns the accumulators and integer counts.  A thread
 * owns one ms_work per engine and block buffers (path-major, like the
 * engine's own driver): the base's vectors, each policy's vectors, and the
 * differences of the block.
 *
 * Invariants: a pair's two statistics have the same key; every statistic of
 * either engine is in exactly one of pairs, base_only, policy_only; the
 * accumulators of a block are fed in path order by one thread, so the
 * result is a function of the paths alone.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <omp.h>
#include "magsim/engine.h"
#include "magsim/compare.h"
#include "magsim/result.h"
#include "magsim/stat.h"
#include "runctl.h"

struct ms_compare {
    const ms_engine *base;       /* the base scenario's engine (not owned) */
    int npolicies;
    ms_compare_policy *pol;      /* [npolicies] */
    signed char **sign;          /* [k][pair]: -1 when lower is better, else +1 (better: sign x diff > 0) */
};

/* ---- pairing by key ------------------------------------------------------------- */

typedef struct keyed {
    char *key;                   /* ms_stat_key of the statistic */
    int idx;                     /* its index in its engine's layout */
} keyed;

static int keyed_cmp(const void *pa, const void *pb)
{
    const keyed *a = pa, *b = pb;
    int c = strcmp(a->key, b->key);
    return c ? c : (a->idx > b->idx) - (a->idx < b->idx);
}

static void keyed_free(keyed *k, int n)
{
    for (int i = 0; k && i < n; i++)
        free(k[i].key);
    free(k);
}

/* Every statistic of e with its key, sorted by key.  NULL when memory runs out. */
static keyed *keyed_stats(const ms_engine *e, int *n)
{
    *n = ms_engine_nmetrics(e) + ms_engine_nseries(e);
    const ms_scenario *s = ms_engine_scenario(e);
    keyed *k = calloc((size_t)*n + 1, sizeof *k);
    for (int i = 0; k && i < *n; i++) {
        const ms_stat_desc *d = ms_engine_desc(e, i);
        int len = ms_stat_key(s, d, NULL, 0);
        k[i].idx = i;
        if (!(k[i].key = malloc((size_t)len + 1))) {
            keyed_free(k, *n);
            return NULL;
        }
        ms_stat_key(s, d, k[i].key, (size_t)len + 1);
    }
    if (k)
        qsort(k, (size_t)*n, sizeof *k, keyed_cmp);
    return k;
}

static int pair_cmp(const void *pa, const void *pb)
{
    const ms_compare_pair *a = pa, *b = pb;
    return (a->base > b->base) - (a->base < b->base);
}

static int int_cmp(const void *pa, const void *pb)
{
    int a = *(const int *)pa, b = *(const int *)pb;
    return (a > b) - (a < b);
}

/* Merge-join the two sorted key lists into p's pairs and unshared lists. */
static int pair_stats(const ms_engine *base, ms_compare_policy *p)
{
    int nb, np;
    keyed *kb = keyed_stats(base, &nb), *kp = keyed_stats(p->engine, &np);
    int nbm = ms_engine_nmetrics(base);
    p->pairs = malloc(sizeof *p->pairs * ((size_t)(nb < np ? nb : np) + 1));
    p->base_only = malloc(sizeof(int) * ((size_t)nb + 1));
    p->policy_only = malloc(sizeof(int) * ((size_t)np + 1));
    int rc = kb && kp && p->pairs && p->base_only && p->policy_only ? 0 : -1;
    int i = 0, j = 0, npairs = 0;
    while (rc == 0 && (i < nb || j < np)) {
        int c = i >= nb ? 1 : j >= np ? -1 : strcmp(kb[i].key, kp[j].key);
        if (c == 0)
            p->pairs[npairs++] = (ms_compare_pair){kb[i++].idx, kp[j++].idx};
        else if (c < 0)
            p->base_only[p->nbase_only++] = kb[i++].idx;
        else
            p->policy_only[p->npolicy_only++] = kp[j++].idx;
    }
    if (rc == 0) {
        /* the base's layout order: metrics (indices < nmetrics) first */
        qsort(p->pairs, (size_t)npairs, sizeof *p->pairs, pair_cmp);
        qsort(p->base_only, (size_t)p->nbase_only, sizeof(int), int_cmp);
        qsort(p->policy_only, (size_t)p->npolicy_only, sizeof(int), int_cmp);
        for (int q = 0; q < npairs; q++)
            p->pairs[q].base < nbm ? p->nmetrics++ : p->nseries++;
    }
    keyed_free(kb, nb);
    keyed_free(kp, np);
    return rc;
}

/* ---- inputs by key ---------------------------------------------------------------- */

/* 1 when two inputs have the same distribution (kind, parameters, support, values). */
static int same_dist(const ms_dist *a, const ms_dist *b)
{
    if (a->kind != b->kind || a->per_month != b->per_month || a->is_date != b->is_date || a->n != b->n)
        return 0;
    if (memcmp(a->p, b->p, sizeof a->p) || a->lo != b->lo || a->hi != b->hi)
        return 0;
    for (int i = 0; i < a->n; i++)
        if (a->values[i] != b->values[i] || a->cum[i] != b->cum[i])
            return 0;
    return 1;
}

/* Keys of e's inputs that `other` lacks, into *out (pointers into e's scenario). */
static int keys_missing(const ms_engine *e, const ms_engine *other, const char ***out, int *n)
{
    int ne = ms_engine_ninputs(e);
    *out = malloc(sizeof **out * ((size_t)ne + 1));
    if (!*out)
        return -1;
    for (int k = 0; k < ne; k++) {
        const char *key = ms_engine_input(e, k)->key;
        if (key && ms_engine_find_input(other, key) < 0)
            (*out)[(*n)++] = key;
    }
    return 0;
}

static int pair_inputs(const ms_engine *base, ms_compare_policy *p)
{
    if (keys_missing(base, p->engine, &p->inputs_base_only, &p->ninputs_base_only) ||
        keys_missing(p->engine, base, &p->inputs_policy_only, &p->ninputs_policy_only))
        return -1;
    int nb = ms_engine_ninputs(base);
    p->inputs_changed = malloc(sizeof *p->inputs_changed * ((size_t)nb + 1));
    if (!p->inputs_changed)
        return -1;
    for (int k = 0; k < nb; k++) {
        const ms_dist *a = ms_engine_input(base, k);
        int j = a->key ? ms_engine_find_input(p->engine, a->key) : -1;
        if (j >= 0 && !same_dist(a, ms_engine_input(p->engine, j)))
            p->inputs_changed[p->ninputs_changed++] = a->key;
    }
    return 0;
}

/* Which way is better for each pair of policy k (magsim/stat.h). */
static int pair_signs(ms_compare *c, int k)
{
    const ms_compare_policy *p = &c->pol[k];
    int nq = p->nmetrics + p->nseries;
    if (!(c->sign[k] = malloc((size_t)nq + 1)))
        return -1;
    for (int q = 0; q < nq; q++) {
        const ms_stat_desc *d = ms_engine_desc(c->base, p->pairs[q].base);
        const ms_stat_kind *kind = ms_stat_kind_of(d->is_series, d->what);
        c->sign[k][q] = kind && kind->better == MS_BETTER_LOWER ? -1 : 1;
    }
    return 0;
}

/* ---- the comparison ------------------------------------------------------------------ */

int ms_compare_check_scenarios(const ms_scenario *a, const ms_scenario *b, char *err, size_t errlen)
{
    char m0[16], m1[16];
    if (a->start_year != b->start_year || a->start_month != b->start_month || a->months != b->months) {
        ms_scenario_month_label(a, 0, m0, sizeof m0);
        ms_scenario_month_label(b, 0, m1, sizeof m1);
        snprintf(err, errlen,
                 "%s starts %s and runs %d months, %s starts %s and runs %d: metrics over different horizons "
                 "do not pair; give them the same horizon",
                 a->path, m0, a->months, b->path, m1, b->months);
        return -1;
    }
    return 0;
}

static int check_alike(const ms_engine *base, const ms_engine *pol, char *err, size_t errlen)
{
    const ms_scenario *a = ms_engine_scenario(base), *b = ms_engine_scenario(pol);
    if (ms_compare_check_scenarios(a, b, err, errlen))
        return -1;
    if (ms_engine_seed(base) != ms_engine_seed(pol)) {
        snprintf(err, errlen, "the engines of %s and %s have different seeds", a->path, b->path);
        return -1;
    }
    if ((ms_engine_nseries(base) > 0) != (ms_engine_nseries(pol) > 0)) {
        snprintf(err, errlen, "series are on for one scenario and off for the other");
        return -1;
    }
    return 0;
}

ms_compare *ms_compare_alloc(const ms_engine *base, const ms_engine *const *policies, int npolicies, char *err,
                             size_t errlen)
{
    if (npolicies < 1 || npolicies > MS_COMPARE_MAX - 1) {
        snprintf(err, errlen, "a comparison takes 1 to %d policy scenarios, not %d", MS_COMPARE_MAX - 1, npolicies);
        return NULL;
    }
    for (int k = 0; k < npolicies; k++)
        if (check_alike(base, policies[k], err, errlen))
            return NULL;
    ms_compare *c = calloc(1, sizeof *c);
    if (!c || !(c->pol = calloc((size_t)npolicies, sizeof *c->pol))) {
        free(c);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    c->base = base;
    c->npolicies = npolicies;
    c->sign = calloc((size_t)npolicies, sizeof *c->sign);
    for (int k = 0; k < npolicies; k++) {
        c->pol[k].engine = policies[k];
        if (!c->sign || pair_stats(base, &c->pol[k]) || pair_inputs(base, &c->pol[k]) || pair_signs(c, k)) {
            ms_compare_free(c);
            snprintf(err, errlen, "out of memory");
            return NULL;
        }
    }
    return c;
}

void ms_compare_free(ms_compare *c)
{
    if (!c)
        return;
    for (int k = 0; c->pol && k < c->npolicies; k++) {
        ms_compare_policy *p = &c->pol[k];
        free(p->pairs);
        free(p->base_only);
        free(p->policy_only);
        free(p->inputs_base_only);
        free(p->inputs_policy_only);
        free(p->inputs_changed);
    }
    for (int k = 0; c->sign && k < c->npolicies; k++)
        free(c->sign[k]);
    free(c->sign);
    free(c->pol);
    free(c);
}

const ms_engine *ms_compare_base(const ms_compare *c) { return c->base; }
int ms_compare_npolicies(const ms_compare *c) { return c->npolicies; }
const ms_compare_policy *ms_compare_policy_at(const ms_compare *c, int k) { return &c->pol[k]; }

/* ---- results ------------------------------------------------------------------------ */

/* An accumulator of n statistics at `bits`, shifted by shift[] (may be NULL). */
static ms_accum *accum_new(int n, int bits, int track_range, const double *shift)
{
    int *b = malloc(sizeof *b * ((size_t)n + 1));
    if (!b)
        return NULL;
    for (int i = 0; i < n; i++)
        b[i] = bits;
    ms_accum *a = ms_accum_alloc(n, b, track_range);
    free(b);
    if (a && shift)
        ms_accum_set_shift(a, shift);
    return a;
}

/* The shifts of policy k's accumulators from the engines' path-0 values:
 * raw policy metrics (pair order), then the differences. */
static void pair_shifts(const ms_compare *c, int k, double *raw, double *diff)
{
    const ms_compare_policy *p = &c->pol[k];
    const double *sb = ms_engine_shift(c->base), *sp = ms_engine_shift(p->engine);
    for (int q = 0; q < p->nmetrics + p->nseries; q++) {
        if (q < p->nmetrics)
            raw[q] = sp[p->pairs[q].policy];
        diff[q] = sp[p->pairs[q].policy] - sb[p->pairs[q].base];
    }
}

static int result_alloc_policy(const ms_compare *c, ms_compare_result *r, int k)
{
    const ms_compare_policy *p = &c->pol[k];
    int nq = p->nmetrics + p->nseries;
    double *raw = malloc(sizeof *raw * ((size_t)nq + 1)), *diff = malloc(sizeof *diff * ((size_t)nq + 1));
    if (!raw || !diff) {
        free(raw);
        free(diff);
        return -1;
    }
    pair_shifts(c, k, raw, diff);
    r->policy[k] = accum_new(p->nmetrics, MS_METRIC_BITS, 1, raw);
    r->diff_metrics[k] = accum_new(p->nmetrics, MS_METRIC_BITS, 1, diff);
    if (p->nseries > 0)
        r->diff_series[k] = accum_new(p->nseries, MS_SERIES_BITS, 0, diff + p->nmetrics);
    r->better[k] = calloc((size_t)nq + 1, sizeof(uint64_t));
    r->worse[k] = calloc((size_t)nq + 1, sizeof(uint64_t));
    free(raw);
    free(diff);
    return r->policy[k] && r->diff_metrics[k] && (p->nseries == 0 || r->diff_series[k]) && r->better[k] &&
                   r->worse[k]
               ? 0
               : -1;
}

ms_compare_result *ms_compare_result_alloc(const ms_compare *c)
{
    int K = c->npolicies;
    ms_compare_result *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->npolicies = K;
    r->policy = calloc((size_t)K, sizeof *r->policy);
    r->diff_metrics = calloc((size_t)K, sizeof *r->diff_metrics);
    r->diff_series = calloc((size_t)K, sizeof *r->diff_series);
    r->better = calloc((size_t)K, sizeof *r->better);
    r->worse = calloc((size_t)K, sizeof *r->worse);
    r->base = accum_new(ms_engine_nmetrics(c->base), MS_METRIC_BITS, 1, ms_engine_shift(c->base));
    int ok = r->policy && r->diff_metrics && r->diff_series && r->better && r->worse && r->base;
    for (int k = 0; ok && k < K; k++)
        ok = result_alloc_policy(c, r, k) == 0;
    if (!ok) {
        ms_compare_result_free(r);
        return NULL;
    }
    return r;
}

void ms_compare_result_free(ms_compare_result *r)
{
    if (!r)
        return;
    for (int k = 0; k < r->npolicies; k++) {
        if (r->policy) ms_accum_free(r->policy[k]);
        if (r->diff_metrics) ms_accum_free(r->diff_metrics[k]);
        if (r->diff_series) ms_accum_free(r->diff_series[k]);
        if (r->better) free(r->better[k]);
        if (r->worse) free(r->worse[k]);
    }
    ms_accum_free(r->base);
    free(r->policy);
    free(r->diff_metrics);
    free(r->diff_series);
    free(r->better);
    free(r->worse);
    free(r);
}

/* dst += src, exactly: merged, src untouched (take NULL), or absorbed from
 * take == src, a part that is freed next (ms_accum_absorb: an empty
 * accumulator of dst takes take's; a thread's part at the end of a run). */
static int combine(ms_compare_result *dst, const ms_compare_result *src, ms_compare_result *take)
{
#define COMBINE(field) (take ? ms_accum_absorb(dst->field, take->field) : ms_accum_merge(dst->field, src->field))
    if (dst->npolicies != src->npolicies || COMBINE(base))
        return -1;
    for (int k = 0; k < dst->npolicies; k++) {
        if (COMBINE(policy[k]) || COMBINE(diff_metrics[k]))
            return -1;
        if ((dst->diff_series[k] == NULL) != (src->diff_series[k] == NULL) ||
            (dst->diff_series[k] && COMBINE(diff_series[k])))
            return -1;
        int nq = ms_accum_nstats(dst->diff_metrics[k]) + (dst->diff_series[k] ? ms_accum_nstats(dst->diff_series[k]) : 0);
        for (int q = 0; q < nq; q++) {
            dst->better[k][q] += src->better[k][q];
            dst->worse[k][q] += src->worse[k][q];
        }
    }
#undef COMBINE
    dst->paths_done += src->paths_done;
    dst->interrupted |= src->interrupted;
    return 0;
}

int ms_compare_result_merge(ms_compare_result *dst, const ms_compare_result *src)
{
    return combine(dst, src, NULL);
}

/* ---- running ------------------------------------------------------------------------- */

/* What one thread owns while it runs blocks. */
typedef struct cmp_thread {
    ms_work *w[MS_COMPARE_MAX];  /* one workspace per engine: base, then policies */
    double *buf[MS_COMPARE_MAX]; /* path-major block buffers of each engine's vectors */
    double *tmp;                 /* [MS_BLOCK][largest shared count]: raw values or differences */
    ms_compare_result *r;        /* this thread's result */
} cmp_thread;

static const ms_engine *engine_at(const ms_compare *c, int e)
{
    return e == 0 ? c->base : c->pol[e - 1].engine;
}

static size_t stride_of(const ms_engine *e)
{
    return (size_t)ms_engine_nmetrics(e) + (size_t)ms_engine_nseries(e);
}

static int thread_init(const ms_compare *c, cmp_thread *t)
{
    memset(t, 0, sizeof *t);
    size_t most = 1;
    int ok = 1;
    for (int e = 0; e <= c->npolicies; e++) {
        const ms_engine *en = engine_at(c, e);
        t->w[e] = ms_work_alloc(en);
        t->buf[e] = malloc(sizeof(double) * stride_of(en) * MS_BLOCK);
        ok = ok && t->w[e] && t->buf[e];
        if (e > 0 && (size_t)(c->pol[e - 1].nmetrics + c->pol[e - 1].nseries) > most)
            most = (size_t)(c->pol[e - 1].nmetrics + c->pol[e - 1].nseries);
    }
    t->tmp = malloc(sizeof(double) * most * MS_BLOCK);
    t->r = ms_compare_result_alloc(c);
    return ok && t->tmp && t->r ? 0 : -1;
}

static void thread_free(const ms_compare *c, cmp_thread *t)
{
    for (int e = 0; e <= c->npolicies; e++) {
        ms_work_free(t->w[e]);
        free(t->buf[e]);
    }
    free(t->tmp);
    ms_compare_result_free(t->r);
}

/* Policy k's block: its shared metrics' raw values, then the differences
 * and the better/worse counts, each accumulated in path order. */
static void accumulate_policy(const ms_compare *c, cmp_thread *t, int k, int np)
{
    const ms_compare_policy *p = &c->pol[k];
    const signed char *sg = c->sign[k];
    int nm = p->nmetrics, nq = p->nmetrics + p->nseries;
    size_t sb = stride_of(c->base), sp = stride_of(p->engine);
    const double *bb = t->buf[0], *bp = t->buf[k + 1];
    ms_compare_result *r = t->r;
    for (int j = 0; j < np; j++)
        for (int q = 0; q < nm; q++)
            t->tmp[(size_t)j * nm + q] = bp[j * sp + (size_t)p->pairs[q].policy];
    ms_accum_add_strided(r->policy[k], t->tmp, np, 1, (size_t)nm);
    for (int j = 0; j < np; j++)
        for (int q = 0; q < nq; q++) {
            double d = bp[j * sp + (size_t)p->pairs[q].policy] - bb[j * sb + (size_t)p->pairs[q].base];
            t->tmp[(size_t)j * nq + q] = d;
            r->better[k][q] += sg[q] * d > 0;
            r->worse[k][q] += sg[q] * d < 0;
        }
    ms_accum_add_strided(r->diff_metrics[k], t->tmp, np, 1, (size_t)nq);
    if (r->diff_series[k])
        ms_accum_add_strided(r->diff_series[k], t->tmp + nm, np, 1, (size_t)nq);
}

/* One block of paths p0 .. p0 + np - 1: every engine, then the accumulators.
 * The model is evaluated through the engine's batch calls only. */
static int compare_block(const ms_compare *c, cmp_thread *t, uint64_t p0, int np)
{
    int rc = 0;
    for (int e = 0; e <= c->npolicies; e++)
        if (ms_engine_paths(engine_at(c, e), t->w[e], p0, np, t->buf[e], stride_of(engine_at(c, e))))
            rc = -1;
    ms_accum_add_strided(t->r->base, t->buf[0], np, 1, stride_of(c->base));
    for (int k = 0; k < c->npolicies; k++)
        accumulate_policy(c, t, k, np);
    t->r->paths_done += (uint64_t)np;
    return rc;
}

/* ms_runctl_reduce's step: thread src's result into thread dst's (a thread
 * whose set-up failed has none, and the run fails). */
static int merge_parts(void *ctx, int dst, int src)
{
    cmp_thread *ts = ctx;
    return ts[dst].r && ts[src].r ? combine(ts[dst].r, ts[src].r, ts[src].r) : -1;
}

int ms_compare_run(const ms_compare *c, uint64_t first, uint64_t n, const ms_run_opts *o, ms_compare_result *r)
{
    ms_runctl rc;
    ms_runctl_init(&rc, o, first, n);
    int threads = ms_runctl_threads(&rc), used = 1, fail = 0;
    cmp_thread *ts = calloc((size_t)threads, sizeof *ts);
    if (!ts)
        return -1;
#pragma omp parallel num_threads(threads)
    {
        int tid = omp_get_thread_num();
#pragma omp single
        used = omp_get_num_threads();
        uint64_t p0;
        int np;
        if (thread_init(c, &ts[tid])) {
#pragma omp atomic write
            fail = 1;
        } else {
            while (ms_runctl_take(&rc, &p0, &np)) { /* blocks from a shared counter: a stop is bounded */
                if (compare_block(c, &ts[tid], p0, np)) {
#pragma omp atomic write
                    fail = 1;
                }
                ms_runctl_done(&rc, (uint64_t)np, tid);
            }
        }
        if (ms_runctl_reduce(tid, merge_parts, ts)) { /* exact merges: the order does not matter */
#pragma omp atomic write
            fail = 1;
        }
        if (tid > 0) /* merged into part 0 */
            thread_free(c, &ts[tid]);
    }
    if (ts[0].r && combine(r, ts[0].r, ts[0].r)) /* a fresh r takes part 0's accumulators */
        fail = 1;
    thread_free(c, &ts[0]);
    free(ts);
    if (r->paths_requested == 0)
        r->first_path = first;
    r->paths_requested += n;
    r->interrupted |= rc.done < n;
    r->wall_seconds += ms_runctl_finish(&rc);
    r->threads = used;
    return fail ? -1 : 0;
}

/* ---- summaries ----------------------------------------------------------------------- */

static double var_of(const ms_stat_summary *s)
{
    return s->sd * s->sd;
}

void ms_compare_stat_at(const ms_compare *c, const ms_compare_result *r, int k, int q, const double *quantiles,
                        int nq, ms_compare_stat *out)
{
    const ms_compare_policy *p = &c->pol[k];
    memset(out, 0, sizeof *out);
    if (q < p->nmetrics) {
        ms_stat_summary sb, sp;
        ms_accum_summary(r->diff_metrics[k], q, quantiles, nq, &out->diff);
        ms_accum_summary(r->base, p->pairs[q].base, quantiles, 0, &sb);
        ms_accum_summary(r->policy[k], q, quantiles, 0, &sp);
        out->base_mean = sb.mean;
        out->policy_mean = sp.mean;
        out->var_independent = var_of(&sb) + var_of(&sp);
    } else {
        ms_accum_summary(r->diff_series[k], q - p->nmetrics, quantiles, nq, &out->diff);
        out->base_mean = out->policy_mean = out->var_independent = NAN;
    }
    out->var_paired = var_of(&out->diff);
    if (out->var_paired > 0)
        out->var_ratio = out->var_independent / out->var_paired;
    else
        out->var_ratio = out->var_independent > 0 ? HUGE_VAL : NAN;
    double n = (double)out->diff.n;
    out->p_better = n > 0 ? (double)r->better[k][q] / n : NAN;
    out->p_worse = n > 0 ? (double)r->worse[k][q] / n : NAN;
}

/* ---- estimate ------------------------------------------------------------------------- */

/* A paired difference's histogram holds more octaves than a raw value's:
 * differences of both signs reach down to tiny magnitudes (two scenarios
 * that differ in a last bit), and they keep gaining octaves as paths add
 * rarer ones.  Octaves per statistic after 10^4 paths and their gain per
 * tenfold paths, at the most demanding shipped pairing
 * (april2025_controls with allied_reserve_2025: 12.2-12.7 octaves at
 * 1,024 paths, 17.0-17.4 at 10^4, 18.0-18.4 at 16,384) with a margin;
 * tests/test_calibration.c checks that they cover it. */
#define DIFF_OCT_1E4 18.0
#define DIFF_OCT_PER_DECADE 4.8

static double diff_typical_bytes(double nmetrics, double nseries, double paths)
{
    double oct = ms_result_octaves(DIFF_OCT_1E4, DIFF_OCT_PER_DECADE, paths);
    return ms_result_accum_bytes(nmetrics, nseries, oct, oct);
}

/* The accumulators of a comparison after `paths` paths: per policy, at
 * most the base's statistics are shared (raw metrics, differences, two
 * counts each); the base's own metrics. */
static double compare_accum_bytes(const ms_estimate *base, int n, double paths)
{
    double per_policy = ms_result_typical_bytes(base->nmetrics, 0, paths) +
                        diff_typical_bytes(base->nmetrics, base->nseries, paths) +
                        16.0 * (base->nmetrics + base->nseries);
    return (n - 1) * per_policy + ms_result_typical_bytes(base->nmetrics, 0, paths);
}

void ms_compare_estimate(const ms_scenario *const *scenarios, int n, const ms_engine_opts *opts, int threads,
                         uint64_t paths, ms_estimate *out)
{
    memset(out, 0, sizeof *out);
    ms_estimate base = {0};
    for (int k = 0; k < n; k++) {
        ms_estimate e;
        ms_engine_estimate(scenarios[k], opts, threads, paths, &e);
        if (k == 0)
            base = e;
        out->nmetrics += e.nmetrics;
        out->nseries += e.nseries;
        out->engine_bytes += e.engine_bytes;
        /* per thread: a workspace and a block buffer of the vectors (both in e.work_bytes) */
        out->work_bytes += e.work_bytes;
    }
    /* and the block of shared values or differences being added */
    out->work_bytes += 8.0 * MS_BLOCK * (base.nmetrics + base.nseries);
    /* one set of accumulators per thread (its share of the paths) and the merged one */
    double th = threads > 0 ? threads : 1;
    out->accum_bytes = compare_accum_bytes(&base, n, (double)paths);
    double per_thread = compare_accum_bytes(&base, n, (double)paths / th);
    out->memory_bytes = out->engine_bytes + th * (out->work_bytes + per_thread) + out->accum_bytes;
    /* compare.csv ~250 bytes a metric row; compare_timeseries.csv ~70 bytes a line, (3 + quantiles) lines a
     * point; compare.json about as much again */
    double files = (n - 1) * (250.0 * base.nmetrics + 70.0 * 8 * base.nseries);
    out->output_bytes = 2 * files + 65536;
    out->memory_bytes += out->output_bytes;
}
