/*
 * sobol.c - the Saltelli design (Sobol' points in Latin supercubes) and the
 * first-order and total Sobol' index estimators with bootstrap intervals.
 * The design and the formulas are stated in magsim/sobol.h.
 *
 * Data: a design owns A and B as row-major n x d matrices of doubles; an
 * estimate owns nothing after it returns.  Invariants: every design
 * coordinate lies strictly inside (0, 1) (a 30-bit integer plus one half,
 * over 2^30), and a design, like an estimate, is a pure function of its
 * arguments.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_qrng.h>
#include "magsim/dist.h"
#include "magsim/rng.h"
#include "magsim/sobol.h"

#define SOBOL_BITS 30            /* gsl_qrng_sobol's points are multiples of 2^-30 */
#define SOBOL_SCALE 1073741824.0 /* 2^30 */

struct ms_sobol_design {
    int d, n;                    /* inputs, rows */
    int ngroups;                 /* Sobol' groups of at most MS_SOBOL_GROUP inputs */
    double *a, *b;               /* [n][d] points of A and B, in (0, 1) */
};

/* The random words of a design: stream "sobol.design", keyed by group. */
static uint32_t design_stream(void) { return ms_hash32("sobol.design"); }

/* Fill columns [c0, c0 + m) of A and B from a 2m-dimensional Sobol' sequence:
 * row 0 is the origin, row r >= 1 GSL's r-th point; every coordinate is
 * digitally shifted (XOR) by a random 30-bit word of its dimension, then
 * centred in its cell of width 2^-30.  Rows are permuted at random when
 * permute is set (Latin supercube).  0, or -1 when memory runs out. */
static int fill_group(ms_sobol_design *x, int c0, int m, int g, int permute, ms_rng *r)
{
    int dim = 2 * m;
    gsl_qrng *q = gsl_qrng_alloc(gsl_qrng_sobol, (unsigned)dim);
    int *perm = malloc(sizeof *perm * (size_t)x->n);
    if (!q || !perm) {
        gsl_qrng_free(q);
        free(perm);
        return -1;
    }
    uint32_t shift[2 * MS_SOBOL_GROUP];
    ms_rng_key(r, (uint64_t)g, design_stream(), 0);
    for (int k = 0; k < dim; k++)
        shift[k] = (uint32_t)gsl_rng_get(r->g) & ((1u << SOBOL_BITS) - 1);
    for (int i = 0; i < x->n; i++)
        perm[i] = i;
    if (permute) /* Fisher-Yates */
        for (int i = x->n - 1; i > 0; i--) {
            int j = (int)(ms_rng_uniform_pos(r) * (i + 1));
            if (j > i)
                j = i;
            int t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
    double pt[2 * MS_SOBOL_GROUP] = {0};
    for (int i = 0; i < x->n; i++) {
        if (i > 0)
            gsl_qrng_get(q, pt);
        int row = perm[i];
        for (int k = 0; k < dim; k++) {
            uint32_t v = (uint32_t)(pt[k] * SOBOL_SCALE) ^ shift[k];
            double u = ((double)v + 0.5) / SOBOL_SCALE;
            double *dst = k < m ? x->a : x->b;
            dst[(size_t)row * x->d + c0 + (k < m ? k : k - m)] = u;
        }
    }
    gsl_qrng_free(q);
    free(perm);
    return 0;
}

ms_sobol_design *ms_sobol_design_alloc(int d, int n, uint64_t seed)
{
    if (d < 1 || n < 1)
        return NULL;
    ms_sobol_design *x = calloc(1, sizeof *x);
    ms_rng *r = ms_rng_alloc(seed);
    if (!x || !r)
        goto fail;
    x->d = d;
    x->n = n;
    x->ngroups = (d + MS_SOBOL_GROUP - 1) / MS_SOBOL_GROUP;
    x->a = malloc(sizeof *x->a * (size_t)n * (size_t)d);
    x->b = malloc(sizeof *x->b * (size_t)n * (size_t)d);
    if (!x->a || !x->b)
        goto fail;
    for (int g = 0; g < x->ngroups; g++) {
        int c0 = g * MS_SOBOL_GROUP, m = d - c0 < MS_SOBOL_GROUP ? d - c0 : MS_SOBOL_GROUP;
        if (fill_group(x, c0, m, g, g > 0, r))
            goto fail;
    }
    ms_rng_free(r);
    return x;
fail:
    ms_rng_free(r);
    ms_sobol_design_free(x);
    return NULL;
}

void ms_sobol_design_free(ms_sobol_design *x)
{
    if (!x)
        return;
    free(x->a);
    free(x->b);
    free(x);
}

int ms_sobol_design_ngroups(const ms_sobol_design *x) { return x->ngroups; }

const double *ms_sobol_design_row(const ms_sobol_design *x, int which, int r)
{
    return (which ? x->b : x->a) + (size_t)r * x->d;
}

/* ---- estimators -------------------------------------------------------------------- */

/* The indices of every factor over the rows rows[0..n-1] (a resample, or
 * the identity): mean and variance of the 2n values f_A, f_B, then the
 * sums of magsim/sobol.h in row order.  s1[i], st[i]; mom the moments. */
static void indices_over(const double *y, const int *rows, int n, int d, size_t stride, double *s1, double *st,
                         ms_sobol_moments *mom)
{
    double sum = 0;
    for (int k = 0; k < n; k++) {
        const double *row = y + (size_t)rows[k] * stride;
        sum += row[0] + row[1];
    }
    double m = sum / (2.0 * n), ss = 0;
    for (int k = 0; k < n; k++) {
        const double *row = y + (size_t)rows[k] * stride;
        ss += (row[0] - m) * (row[0] - m) + (row[1] - m) * (row[1] - m);
    }
    double V = ss / (2.0 * n - 1);
    for (int i = 0; i < d; i++) {
        double a1 = 0, at = 0;
        for (int k = 0; k < n; k++) {
            const double *row = y + (size_t)rows[k] * stride;
            double fa = row[0], fb = row[1], fab = row[2 + i];
            a1 += (fb - m) * (fab - fa);
            at += (fa - fab) * (fa - fab);
        }
        s1[i] = V > 0 ? a1 / n / V : NAN;
        st[i] = V > 0 ? at / (2.0 * n) / V : NAN;
    }
    mom->mean = m;
    mom->var = V;
}

static int cmp_double(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    return a < b ? -1 : a > b;
}

/* Percentile interval of the nb values v (NaNs, from resamples on which the
 * output did not vary, dropped; sorted here) at the level: order statistics
 * floor((nb-1) alpha/2) and ceil((nb-1)(1 - alpha/2)). */
static void percentile_interval(double *v, int nb, double level, double *lo, double *hi)
{
    int k = 0;
    for (int i = 0; i < nb; i++)
        if (!isnan(v[i]))
            v[k++] = v[i];
    nb = k;
    if (nb < 1) {
        *lo = *hi = NAN;
        return;
    }
    qsort(v, (size_t)nb, sizeof *v, cmp_double);
    double alpha = 1.0 - level;
    *lo = v[(int)floor((nb - 1) * alpha / 2)];
    *hi = v[(int)ceil((nb - 1) * (1 - alpha / 2))];
}

/* nboot resamples of the rows; per factor the resampled indices go to
 * bs1/bst[i * nboot + b]. */
static void bootstrap(const double *y, int n, int d, size_t stride, const ms_sobol_opts *o, ms_rng *r, int *rows,
                      double *s1, double *st, double *bs1, double *bst)
{
    uint32_t stream = ms_hash32("sobol.bootstrap");
    ms_sobol_moments mom;
    for (int b = 0; b < o->nboot; b++) {
        ms_rng_key(r, (uint64_t)b, stream, 0);
        for (int k = 0; k < n; k++) {
            int j = (int)(ms_rng_uniform_pos(r) * n);
            rows[k] = j < n ? j : n - 1;
        }
        indices_over(y, rows, n, d, stride, s1, st, &mom);
        for (int i = 0; i < d; i++) {
            bs1[(size_t)i * o->nboot + b] = s1[i];
            bst[(size_t)i * o->nboot + b] = st[i];
        }
    }
}

int ms_sobol_estimate(const double *y, int n, int d, size_t stride, const ms_sobol_opts *o, ms_sobol_index *out,
                      ms_sobol_moments *mom)
{
    if (n < 2 || d < 1 || stride < (size_t)d + 2)
        return -1;
    int nboot = o && o->nboot > 0 ? o->nboot : 0;
    int *rows = malloc(sizeof *rows * (size_t)n);
    double *s1 = malloc(sizeof *s1 * (size_t)d), *st = malloc(sizeof *st * (size_t)d);
    double *bs1 = malloc(sizeof *bs1 * ((size_t)d * nboot + 1)), *bst = malloc(sizeof *bst * ((size_t)d * nboot + 1));
    ms_rng *r = ms_rng_alloc(o ? o->seed : 0);
    if (!rows || !s1 || !st || !bs1 || !bst || !r) {
        free(rows), free(s1), free(st), free(bs1), free(bst);
        ms_rng_free(r);
        return -1;
    }
    for (int k = 0; k < n; k++)
        rows[k] = k;
    ms_sobol_moments m0;
    indices_over(y, rows, n, d, stride, s1, st, &m0);
    if (mom)
        *mom = m0;
    for (int i = 0; i < d; i++) {
        out[i].s1 = s1[i];
        out[i].st = st[i];
    }
    if (nboot > 0)
        bootstrap(y, n, d, stride, o, r, rows, s1, st, bs1, bst);
    for (int i = 0; i < d; i++) {
        percentile_interval(bs1 + (size_t)i * nboot, nboot, o ? o->level : 0.95, &out[i].s1_lo, &out[i].s1_hi);
        percentile_interval(bst + (size_t)i * nboot, nboot, o ? o->level : 0.95, &out[i].st_lo, &out[i].st_hi);
    }
    free(rows), free(s1), free(st), free(bs1), free(bst);
    ms_rng_free(r);
    return 0;
}
