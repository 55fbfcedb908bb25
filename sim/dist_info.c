/*
 * dist_info.c - what can be said of an uncertain input without drawing it:
 * names, support, mean, stream ids.  The random draws are in dist.c.
 */
#include <math.h>
#include <string.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include "magsim/dist.h"

static const char *const kind_names[] = {
    "fixed", "uniform", "triangular", "pert", "normal", "lognormal", "beta", "discrete", "bernoulli",
};

const char *ms_dist_kind_name(ms_dist_kind k)
{
    if ((unsigned)k >= sizeof kind_names / sizeof kind_names[0])
        return "?";
    return kind_names[k];
}

int ms_dist_kind_from_name(const char *name)
{
    for (unsigned i = 0; i < sizeof kind_names / sizeof kind_names[0]; i++)
        if (strcmp(name, kind_names[i]) == 0)
            return (int)i;
    return -1;
}

/* FNV-1a, 32 bits: h = (h ^ byte) * 16777619, from 2166136261. */
uint32_t ms_hash32(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 16777619u;
    }
    return h;
}

ms_dist ms_dist_fixed(double v)
{
    ms_dist d;
    memset(&d, 0, sizeof d);
    d.kind = MS_DIST_FIXED;
    d.p[0] = v;
    d.lo = -HUGE_VAL;
    d.hi = HUGE_VAL;
    d.domain.lo = d.tlo = -HUGE_VAL;
    d.domain.hi = d.thi = HUGE_VAL;
    return d;
}

static double support_min(const ms_dist *d)
{
    switch (d->kind) {
    case MS_DIST_FIXED: return d->p[0];
    case MS_DIST_UNIFORM: return d->p[0];
    case MS_DIST_TRIANGULAR: case MS_DIST_PERT: return d->p[0];
    case MS_DIST_NORMAL: return d->lo;
    case MS_DIST_LOGNORMAL: return d->p[1] == 0 ? d->p[0] : 0.0;
    case MS_DIST_BETA: return d->lo;
    case MS_DIST_DISCRETE: {
        double m = HUGE_VAL;
        for (int i = 0; i < d->n; i++)
            if (d->values[i] < m) m = d->values[i];
        return m;
    }
    case MS_DIST_BERNOULLI: return d->p[0] >= 1 ? 1.0 : 0.0;
    }
    return -HUGE_VAL;
}

static double support_max(const ms_dist *d)
{
    switch (d->kind) {
    case MS_DIST_FIXED: return d->p[0];
    case MS_DIST_UNIFORM: return d->p[1];
    case MS_DIST_TRIANGULAR: case MS_DIST_PERT: return d->p[2];
    case MS_DIST_NORMAL: return d->hi;
    case MS_DIST_LOGNORMAL: return d->p[1] == 0 ? d->p[0] : HUGE_VAL;
    case MS_DIST_BETA: return d->hi;
    case MS_DIST_DISCRETE: {
        double m = -HUGE_VAL;
        for (int i = 0; i < d->n; i++)
            if (d->values[i] > m) m = d->values[i];
        return m;
    }
    case MS_DIST_BERNOULLI: return d->p[0] <= 0 ? 0.0 : 1.0;
    }
    return HUGE_VAL;
}

/* The support, cut to the truncation bounds. */
double ms_dist_min(const ms_dist *d)
{
    double m = support_min(d);
    return d->tlo > m ? d->tlo : m;
}

double ms_dist_max(const ms_dist *d)
{
    double m = support_max(d);
    return d->thi < m ? d->thi : m;
}

int ms_dist_is_fixed(const ms_dist *d)
{
    return ms_dist_min(d) == ms_dist_max(d);
}

/* Means:
 *   uniform (a+b)/2; triangular (a+m+b)/3; PERT (a + lambda m + b)/(lambda+2);
 *   normal truncated to [lo,hi]: mu + sd (phi(al) - phi(be)) / (Phi(be) - Phi(al));
 *   lognormal median*exp(sigma^2/2); beta lo + (hi-lo) a/(a+b);
 *   discrete sum v_i w_i; bernoulli p. */
double ms_dist_mean(const ms_dist *d)
{
    const double *p = d->p;
    switch (d->kind) {
    case MS_DIST_FIXED: return p[0];
    case MS_DIST_UNIFORM: return 0.5 * (p[0] + p[1]);
    case MS_DIST_TRIANGULAR: return (p[0] + p[1] + p[2]) / 3.0;
    case MS_DIST_PERT: {
        double lam = p[3] > 0 ? p[3] : 4.0;
        return (p[0] + lam * p[1] + p[2]) / (lam + 2.0);
    }
    case MS_DIST_NORMAL: {
        if (p[1] <= 0) return p[0];
        double al = (d->lo - p[0]) / p[1], be = (d->hi - p[0]) / p[1];
        /* mass between the bounds from the tail nearer to them, for precision */
        double Z = al >= 0 ? gsl_cdf_ugaussian_Q(al) - gsl_cdf_ugaussian_Q(be)
                           : gsl_cdf_ugaussian_P(be) - gsl_cdf_ugaussian_P(al);
        if (!(Z > 0)) {
            /* beyond double range: E[X | X > a] ~ a + 1/a in the upper tail, mirrored below */
            double m = al > 0 ? p[0] + p[1] * (al + 1.0 / al) : (be < 0 ? p[0] + p[1] * (be + 1.0 / be) : p[0]);
            return m < d->lo ? d->lo : (m > d->hi ? d->hi : m);
        }
        double fa = isfinite(al) ? gsl_ran_ugaussian_pdf(al) : 0.0;
        double fb = isfinite(be) ? gsl_ran_ugaussian_pdf(be) : 0.0;
        return p[0] + p[1] * (fa - fb) / Z;
    }
    case MS_DIST_LOGNORMAL: return p[0] * exp(0.5 * p[1] * p[1]);
    case MS_DIST_BETA: return d->lo + (d->hi - d->lo) * p[0] / (p[0] + p[1]);
    case MS_DIST_DISCRETE: {
        double m = 0, prev = 0;
        for (int i = 0; i < d->n; i++) {
            m += d->values[i] * (d->cum[i] - prev);
            prev = d->cum[i];
        }
        return m;
    }
    case MS_DIST_BERNOULLI: return p[0];
    }
    return NAN;
}

/* ---- distribution functions -------------------------------------------------
 *   fixed v: a step at v;  uniform [a, b]: (x - a)/(b - a);
 *   triangular (a, c, b): (x-a)^2/((b-a)(c-a)) below c, 1 - (b-x)^2/((b-a)(b-c)) above;
 *   PERT (a, c, b, lambda): a beta (1 + lambda (c-a)/(b-a), 1 + lambda (b-c)/(b-a)) on [a, b];
 *   normal: Phi((x - mean)/sd), truncated to [lo, hi] when given;
 *   lognormal: Phi(ln(x/median)/sigma);  beta on [lo, hi]: I_{(x-lo)/(hi-lo)}(a, b);
 *   discrete: the weights of the values <= x;  bernoulli: 1 - p on [0, 1). */

static double unit_clamp(double u)
{
    return u < 0 ? 0 : (u > 1 ? 1 : u);
}

static double cdf_triangular(double a, double c, double b, double x)
{
    if (x <= a)
        return 0;
    if (x >= b)
        return 1;
    if (x <= c)
        return c > a ? (x - a) * (x - a) / ((b - a) * (c - a)) : 0;
    return b > c ? 1 - (b - x) * (b - x) / ((b - a) * (b - c)) : 1;
}

static double cdf_normal(const ms_dist *d, double x)
{
    double mu = d->p[0], sd = d->p[1];
    if (!(sd > 0))
        return x >= mu ? 1 : 0;
    double a = gsl_cdf_gaussian_P(d->lo - mu, sd), b = gsl_cdf_gaussian_P(d->hi - mu, sd);
    if (x <= d->lo)
        return 0;
    if (x >= d->hi)
        return 1;
    return b > a ? unit_clamp((gsl_cdf_gaussian_P(x - mu, sd) - a) / (b - a)) : 0.5;
}

double ms_dist_cdf(const ms_dist *d, double x)
{
    const double *p = d->p;
    switch (d->kind) {
    case MS_DIST_FIXED: return x >= p[0] ? 1 : 0;
    case MS_DIST_UNIFORM: return x >= p[1] ? 1 : (x < p[0] ? 0 : (p[1] > p[0] ? (x - p[0]) / (p[1] - p[0]) : 1));
    case MS_DIST_TRIANGULAR: return cdf_triangular(p[0], p[1], p[2], x);
    case MS_DIST_PERT: {
        if (!(p[2] > p[0]))
            return x >= p[0] ? 1 : 0;
        double al = 1 + p[3] * (p[1] - p[0]) / (p[2] - p[0]), be = 1 + p[3] * (p[2] - p[1]) / (p[2] - p[0]);
        return x <= p[0] ? 0 : (x >= p[2] ? 1 : gsl_cdf_beta_P((x - p[0]) / (p[2] - p[0]), al, be));
    }
    case MS_DIST_NORMAL: return cdf_normal(d, x);
    case MS_DIST_LOGNORMAL:
        if (!(p[1] > 0))
            return x >= p[0] ? 1 : 0;
        return x <= 0 ? 0 : gsl_cdf_ugaussian_P(log(x / p[0]) / p[1]);
    case MS_DIST_BETA:
        if (!(d->hi > d->lo))
            return x >= d->lo ? 1 : 0;
        return x <= d->lo ? 0 : (x >= d->hi ? 1 : gsl_cdf_beta_P((x - d->lo) / (d->hi - d->lo), p[0], p[1]));
    case MS_DIST_DISCRETE: {
        double c = 0;
        for (int i = 0; i < d->n; i++)
            if (d->values[i] <= x)
                c += d->cum[i] - (i ? d->cum[i - 1] : 0);
        return unit_clamp(c);
    }
    case MS_DIST_BERNOULLI: return x >= 1 ? 1 : (x >= 0 ? 1 - p[0] : 0);
    }
    return NAN;
}

/* P(X < x): the CDF less the point mass at x (fixed, discrete, bernoulli,
 * and degenerate continuous ones). */
double ms_dist_cdf_below(const ms_dist *d, double x)
{
    double below = ms_dist_cdf(d, nextafter(x, -HUGE_VAL));
    return below;
}

double ms_dist_prob_outside(const ms_dist *d, const ms_range *r)
{
    double lo = r->lo_open ? ms_dist_cdf(d, r->lo) : ms_dist_cdf_below(d, r->lo);
    double hi = r->hi_open ? 1 - ms_dist_cdf_below(d, r->hi) : 1 - ms_dist_cdf(d, r->hi);
    double pr = (r->lo > -HUGE_VAL ? lo : 0) + (r->hi < HUGE_VAL ? hi : 0);
    return pr < 0 ? 0 : (pr > 1 ? 1 : pr);
}
