/*
 * dist.c - drawing uncertain inputs.
 *
 * Every sampler is a stateless function of the generator (GSL style), with
 * its formula beside it.  Uniforms come from ms_rng_uniform_pos (53 bits,
 * never 0 or 1); normals from gsl_ran_gaussian_ziggurat.  Degenerate
 * parameters (min == max, sd 0, sigma 0) return the point without drawing,
 * and every result is clamped to the support so rounding can never put a
 * value outside it.
 *
 * ms_dist_draw re-keys the stream to (path, d->stream, month or 0) first,
 * so an input's draw depends on nothing but (seed, path, stream, month);
 * ms_dist_sample draws from wherever the generator stands.
 */
#include <assert.h>
#include <math.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include "magsim/dist.h"
#include "magsim/rng.h"

static double clamp(double x, double lo, double hi)
{
    return x < lo ? lo : x > hi ? hi : x;
}

/* Uniform on [a, b]: x = a + (b - a) u. */
static double sample_uniform(double a, double b, ms_rng *r)
{
    if (!(b > a))
        return a;
    return clamp(a + (b - a) * ms_rng_uniform_pos(r), a, b);
}

/* Triangular (a, c, b), inverse CDF with Fc = (c - a)/(b - a):
 *   u <  Fc:  x = a + sqrt(u (b - a)(c - a))
 *   u >= Fc:  x = b - sqrt((1 - u)(b - a)(b - c)) */
static double sample_triangular(double a, double c, double b, ms_rng *r)
{
    if (!(b > a))
        return a;
    double u = ms_rng_uniform_pos(r), w = b - a;
    double fc = (c - a) / w, x;
    if (u < fc)
        x = a + sqrt(u * w * (c - a));
    else
        x = b - sqrt((1.0 - u) * w * (b - c));
    return clamp(x, a, b);
}

/* PERT (a, m, b, lambda): x = a + (b - a) B with B ~ Beta(alpha, beta),
 *   alpha = 1 + lambda (m - a)/(b - a),  beta = 1 + lambda (b - m)/(b - a),
 * so E[x] = (a + lambda m + b)/(lambda + 2).  lambda <= 0 means 4. */
static double sample_pert(const double *p, ms_rng *r)
{
    double a = p[0], m = p[1], b = p[2], lam = p[3] > 0 ? p[3] : 4.0;
    if (!(b > a))
        return a;
    double w = b - a;
    double al = 1.0 + lam * (m - a) / w, be = 1.0 + lam * (b - m) / w;
    return clamp(a + w * gsl_ran_beta(r->g, al, be), a, b);
}

/* Standard normal Z conditioned on a <= Z <= b, a so large that Q(a) is
 * near underflow (a > ~33.8): propose a + T, T exponential of rate a truncated to
 * [0, b - a] (inverse CDF: T = -log(1 - u (1 - e^{-a(b-a)}))/a), accept with
 * probability exp(-T^2/2), since phi(a + t)/(a e^{-a t}) is proportional to
 * e^{-t^2/2} (Robert 1995, with rate a).  The acceptance rate is at least
 * about 1 - 1/a^2, so the loop ends after ~1 trial whatever b is. */
static double tail_exp_rejection(double a, double b, ms_rng *r)
{
    double span = -expm1(-a * (b - a)); /* 1 - e^{-a(b-a)}, 1 for b = inf */
    for (;;) {
        double u = ms_rng_uniform_pos(r);
        double t = -log1p(-u * span) / a;
        if (ms_rng_uniform_pos(r) <= exp(-0.5 * t * t))
            return a + t;
    }
}

/* Standard normal truncated to [a, b] (a < b).
 *   mass Z = Phi(b) - Phi(a) >= 1/4: rejection from the ziggurat (expected
 *     tries 1/Z <= 4);
 *   otherwise the inverse CDF, x = Phi^-1(Phi(a) + u (Phi(b) - Phi(a))),
 *     computed on the side that keeps precision: for a >= 0 through the
 *     upper tail Q = 1 - Phi, x = Q^-1(Q(a) - u (Q(a) - Q(b))), so the far
 *     tail (e.g. [5, 6]) keeps full relative precision; for b <= 0 by
 *     symmetry; beyond Q(a) < 1e-250 (a > ~33.8), where (1 - u) Q(a) could
 *     underflow, tail_exp_rejection.
 * Every branch terminates for any a < b. */
static double std_truncnorm(double a, double b, ms_rng *r)
{
    if (b <= 0.0)
        return -std_truncnorm(-b, -a, r);
    if (a >= 0.0) {
        double qa = gsl_cdf_ugaussian_Q(a), qb = gsl_cdf_ugaussian_Q(b);
        if (!(qa >= 1e-250)) /* (1 - u) Q(a) could underflow below */
            return clamp(tail_exp_rejection(a, b, r), a, b);
        if (qa - qb >= 0.25)
            goto reject;
        double u = ms_rng_uniform_pos(r);
        return clamp(gsl_cdf_ugaussian_Qinv(qa - u * (qa - qb)), a, b);
    }
    /* a < 0 < b: Phi(a) and Phi(b) are near 1/2 when the mass is small */
    double pa = gsl_cdf_ugaussian_P(a), pb = gsl_cdf_ugaussian_P(b);
    if (pb - pa < 0.25) {
        double u = ms_rng_uniform_pos(r);
        return clamp(gsl_cdf_ugaussian_Pinv(pa + u * (pb - pa)), a, b);
    }
reject:
    for (;;) {
        double z = gsl_ran_gaussian_ziggurat(r->g, 1.0);
        if (z >= a && z <= b)
            return z;
    }
}

/* Normal (mu, sd) truncated to [lo, hi]:
 *   x = mu + sd Z,  Z standard normal truncated to [(lo - mu)/sd, (hi - mu)/sd]. */
static double sample_normal(const ms_dist *d, ms_rng *r)
{
    double mu = d->p[0], sd = d->p[1], lo = d->lo, hi = d->hi;
    if (!(sd > 0) || !(hi > lo))
        return clamp(mu, lo, hi);
    if (lo == -HUGE_VAL && hi == HUGE_VAL)
        return mu + gsl_ran_gaussian_ziggurat(r->g, sd);
    double z = std_truncnorm((lo - mu) / sd, (hi - mu) / sd, r);
    return clamp(mu + sd * z, lo, hi);
}

/* Lognormal: x = median exp(sigma Z), Z from the ziggurat. */
static double sample_lognormal(double median, double sigma, ms_rng *r)
{
    if (!(sigma > 0))
        return median;
    double x = median * exp(sigma * gsl_ran_gaussian_ziggurat(r->g, 1.0));
    return x < 0 ? 0 : x;
}

/* Beta (a, b) on [lo, hi]: x = lo + (hi - lo) B, B = gsl_ran_beta(a, b). */
static double sample_beta(const ms_dist *d, ms_rng *r)
{
    double lo = d->lo, hi = d->hi;
    if (!(hi > lo))
        return lo;
    return clamp(lo + (hi - lo) * gsl_ran_beta(r->g, d->p[0], d->p[1]), lo, hi);
}

/* Discrete: the smallest i with u < cum[i] (binary search, one uniform), so
 * P(i) = cum[i] - cum[i-1] and zero-weight values are never drawn. */
static double sample_discrete(const ms_dist *d, ms_rng *r)
{
    if (d->n <= 0)
        return NAN;
    if (d->n == 1)
        return d->values[0];
    double u = ms_rng_uniform_pos(r);
    int lo = 0, hi = d->n - 1;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (u < d->cum[mid])
            hi = mid;
        else
            lo = mid + 1;
    }
    return d->values[lo];
}

/* Bernoulli: 1 if u < p, else 0 (u in (0,1), so p <= 0 gives 0, p >= 1 gives 1). */
static double sample_bernoulli(double p, ms_rng *r)
{
    if (p <= 0)
        return 0.0;
    if (p >= 1)
        return 1.0;
    return ms_rng_uniform_pos(r) < p ? 1.0 : 0.0;
}

static double sample_kind(const ms_dist *d, ms_rng *r);

/* A draw within the truncation bounds: drawn again when it leaves them (the
 * loader truncates only distributions that leave their domain with
 * probability below 1e-9, so this loop practically never turns); after 64
 * tries, clamped. */
double ms_dist_sample(const ms_dist *d, ms_rng *r)
{
    double x = sample_kind(d, r);
    for (int k = 0; k < 64 && (x < d->tlo || x > d->thi); k++)
        x = sample_kind(d, r);
    return x < d->tlo ? d->tlo : (x > d->thi ? d->thi : x);
}

static double sample_kind(const ms_dist *d, ms_rng *r)
{
    const double *p = d->p;
    switch (d->kind) {
    case MS_DIST_FIXED: return p[0];
    case MS_DIST_UNIFORM: return sample_uniform(p[0], p[1], r);
    case MS_DIST_TRIANGULAR: return sample_triangular(p[0], p[1], p[2], r);
    case MS_DIST_PERT: return sample_pert(p, r);
    case MS_DIST_NORMAL: return sample_normal(d, r);
    case MS_DIST_LOGNORMAL: return sample_lognormal(p[0], p[1], r);
    case MS_DIST_BETA: return sample_beta(d, r);
    case MS_DIST_DISCRETE: return sample_discrete(d, r);
    case MS_DIST_BERNOULLI: return sample_bernoulli(p[0], r);
    }
    return NAN;
}

double ms_dist_draw(const ms_dist *d, ms_rng *r, uint64_t path, int month)
{
    if (d->kind == MS_DIST_FIXED)
        return d->p[0];
    assert(month >= 0);
    ms_rng_key(r, path, d->stream, d->per_month ? (uint32_t)month : 0u);
    return ms_dist_sample(d, r);
}
