/*
 * magsim/dist.h - uncertain inputs: a value that is fixed or drawn from a distribution.
 *
 * Every numeric input and every date in a scenario is an ms_dist.  A date-valued
 * input is stored as a real month offset from horizon.start (2025-04 with a
 * 2025-01 start is 3.0), so the engine never sees calendar dates.
 *
 * Reproducibility contract: an input is drawn with ms_dist_draw(d, rng, path,
 * month).  The draw depends only on (run seed, path index, d->stream, month):
 * d->stream is a 32-bit hash of the input's place in the scenario (its key
 * path, e.g. "suppliers.china.capacity_t_per_year.ndfeb"), so adding, removing
 * or reordering other inputs never changes this input's draws.  Two scenarios
 * run with the same seed therefore share their random numbers input by input
 * and path by path (common random numbers).
 *
 * Distributions are stateless functions of the generator; their formulas sit
 * beside them in sim/dist.c.
 */
#ifndef MAGSIM_DIST_H
#define MAGSIM_DIST_H

#include <stdint.h>

typedef struct ms_rng ms_rng; /* magsim/rng.h */

typedef enum ms_dist_kind {
    MS_DIST_FIXED = 0, /* value = p[0] */
    MS_DIST_UNIFORM,   /* min = p[0], max = p[1] */
    MS_DIST_TRIANGULAR,/* min = p[0], mode = p[1], max = p[2] */
    MS_DIST_PERT,      /* min = p[0], mode = p[1], max = p[2], lambda = p[3] (default 4) */
    MS_DIST_NORMAL,    /* mean = p[0], sd = p[1]; truncated to [lo, hi] (default +-inf) */
    MS_DIST_LOGNORMAL, /* median = p[0] (> 0), sigma = p[1] (>= 0): median * exp(sigma Z) */
    MS_DIST_BETA,      /* a = p[0], b = p[1], scaled to [lo, hi] (default [0, 1]) */
    MS_DIST_DISCRETE,  /* values[i] with probability weights[i] / sum(weights) */
    MS_DIST_BERNOULLI  /* 1 with probability p[0], else 0 */
} ms_dist_kind;

/* The values an input may take (its domain), as the scenario schema states
 * it: [lo, hi] with each end possibly open. */
typedef struct ms_range {
    double lo, hi;                 /* bounds (+-HUGE_VAL: none) */
    unsigned char lo_open, hi_open;/* 1: the bound itself is excluded */
} ms_range;

typedef struct ms_dist {
    ms_dist_kind kind;
    int per_month;      /* 1: drawn afresh every month ("per: month"); 0: once per path */
    double p[4];        /* parameters, meaning by kind (above) */
    double lo, hi;      /* normal: truncation bounds; beta: support; others unused */
    int n;              /* discrete: number of values */
    double *values;     /* discrete: [n] values (owned by the scenario) */
    double *cum;        /* discrete: [n] cumulative normalised weights, cum[n-1] == 1 */
    uint32_t stream;    /* random stream id: ms_hash32(key) */
    const char *key;    /* the input's key path, for reports and sensitivity (owned by scenario) */
    int line, column;   /* where it was written, 1-based; 0 when defaulted */
    ms_range domain;    /* the input's domain from the schema (a share: [0, 1]); every value it takes lies in it */
    double tlo, thi;    /* truncation to the domain (+-HUGE_VAL: none): a distribution that leaves the domain
                           with probability below 1e-9 is drawn again when it does (the loader sets them) */
    int is_date;        /* 1: a date, as a month offset from horizon.start */
} ms_dist;

/* A fixed value with no source position (defaults). */
ms_dist ms_dist_fixed(double v);

/* 1 when the input cannot vary (FIXED, or a degenerate distribution). */
int ms_dist_is_fixed(const ms_dist *d);

/* Draw the input for (path, month): deterministic in (seed, path, d->stream,
 * month).  Inputs drawn once per path should be called with month 0. */
double ms_dist_draw(const ms_dist *d, ms_rng *r, uint64_t path, int month);

/* Draw from the distribution using the generator's current position
 * (no re-keying); for tests and for callers that key the stream themselves. */
double ms_dist_sample(const ms_dist *d, ms_rng *r);

/* Mean of the distribution (exact where a closed form exists), for reports
 * and for deterministic baselines. */
double ms_dist_mean(const ms_dist *d);

/* Smallest and largest value the input can take (+-HUGE_VAL when unbounded). */
double ms_dist_min(const ms_dist *d);
double ms_dist_max(const ms_dist *d);

/* Inverse CDF: the smallest value x with P(X <= x) >= u, u in [0, 1] (0 and 1
 * give the ends of the support; NaN outside [0, 1]).  For designed
 * experiments and percentiles (sim/dist_quantile.c). */
double ms_dist_quantile(const ms_dist *d, double u);

/* P(X <= x) and P(X < x) of the distribution as written (before any
 * truncation to its domain). */
double ms_dist_cdf(const ms_dist *d, double x);
double ms_dist_cdf_below(const ms_dist *d, double x);

/* The probability that the distribution as written leaves the range r. */
double ms_dist_prob_outside(const ms_dist *d, const ms_range *r);

/* Canonical name of a kind ("uniform"), and the reverse (-1 when unknown). */
const char *ms_dist_kind_name(ms_dist_kind k);
int ms_dist_kind_from_name(const char *name);

/* FNV-1a 32-bit hash, used for stream ids. */
uint32_t ms_hash32(const char *s);

#endif
