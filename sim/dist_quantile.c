/*
 * dist_quantile.c - the inverse CDF of an uncertain input.
 *
 * ms_dist_quantile(d, u) is the smallest value x the input can take with
 * P(X <= x) >= u: the generalised inverse, which is the ordinary inverse for
 * the continuous kinds and a step function for discrete and bernoulli.  It
 * maps a point of the unit cube to input values in a designed experiment
 * (the Sobol design of `magsim sensitivity`, magsim/sobol.h) and gives the
 * percentiles of the tornado (5th, 50th, 95th).  u = 0 and u = 1 give the
 * ends of the support (possibly infinite); a u outside [0, 1] or NaN gives
 * NaN.  Every result is clamped to [ms_dist_min, ms_dist_max], as the
 * samplers' results are.  Formulas beside each kind; GSL's gsl_cdf_*_Pinv
 * where it has one.
 */
#include <math.h>
#include <gsl/gsl_cdf.h>
#include "magsim/dist.h"

static double clamp(double x, double lo, double hi)
{
    return x < lo ? lo : x > hi ? hi : x;
}

/* Triangular (a, c, b), Fc = (c - a)/(b - a):
 *   u <  Fc:  x = a + sqrt(u (b - a)(c - a))
 *   u >= Fc:  x = b - sqrt((1 - u)(b - a)(b - c)) */
static double q_triangular(double a, double c, double b, double u)
{
    if (!(b > a))
        return a;
    double w = b - a, fc = (c - a) / w;
    return u < fc ? a + sqrt(u * w * (c - a)) : b - sqrt((1.0 - u) * w * (b - c));
}

/* Beta(al, be) scaled to [lo, hi]: x = lo + (hi - lo) I^-1_u(al, be). */
static double q_beta(double al, double be, double lo, double hi, double u)
{
    if (!(hi > lo))
        return lo;
    if (u <= 0)
        return lo;
    if (u >= 1)
        return hi;
    return lo + (hi - lo) * gsl_cdf_beta_Pinv(u, al, be);
}

/* PERT (a, m, b, lambda): Beta(1 + lambda (m - a)/(b - a), 1 + lambda (b - m)/(b - a)) on [a, b]. */
static double q_pert(const double *p, double u)
{
    double a = p[0], m = p[1], b = p[2], lam = p[3] > 0 ? p[3] : 4.0;
    if (!(b > a))
        return a;
    double w = b - a;
    return q_beta(1.0 + lam * (m - a) / w, 1.0 + lam * (b - m) / w, a, b, u);
}

/* Standard normal truncated to [a, b], at level u in (0, 1):
 *   a >= 0: z = Q^-1(Q(a) - u (Q(a) - Q(b))), in the upper tail Q = 1 - Phi
 *           so that a far tail keeps its precision; beyond Q(a) < 1e-250,
 *           the exponential tail z = a - log(1 - u (1 - e^{-a(b-a)}))/a
 *           (the density there is ~ a e^{-a (z - a)}, relative error ~1/a^2);
 *   b <= 0: by symmetry, z = -zq(1 - u; -b, -a);
 *   else:   z = Phi^-1(Phi(a) + u (Phi(b) - Phi(a))). */
static double q_std_truncnorm(double a, double b, double u)
{
    if (b <= 0.0 && a < 0.0)
        return -q_std_truncnorm(-b, -a, 1.0 - u);
    if (a >= 0.0) {
        double qa = gsl_cdf_ugaussian_Q(a), qb = gsl_cdf_ugaussian_Q(b);
        if (!(qa >= 1e-250))
            return a - log1p(u * expm1(-a * (b - a))) / a;
        return gsl_cdf_ugaussian_Qinv(qa - u * (qa - qb));
    }
    double pa = gsl_cdf_ugaussian_P(a), pb = gsl_cdf_ugaussian_P(b);
    return gsl_cdf_ugaussian_Pinv(pa + u * (pb - pa));
}

/* Normal (mu, sd) truncated to [lo, hi]: x = mu + sd z, z at level u of the
 * standard normal truncated to [(lo - mu)/sd, (hi - mu)/sd]. */
static double q_normal(const ms_dist *d, double u)
{
    double mu = d->p[0], sd = d->p[1];
    if (!(sd > 0) || !(d->hi > d->lo))
        return mu;
    if (u <= 0)
        return d->lo;
    if (u >= 1)
        return d->hi;
    return mu + sd * q_std_truncnorm((d->lo - mu) / sd, (d->hi - mu) / sd, u);
}

/* Lognormal: x = median exp(sigma Phi^-1(u)). */
static double q_lognormal(double median, double sigma, double u)
{
    if (!(sigma > 0))
        return median;
    if (u <= 0)
        return 0.0;
    if (u >= 1)
        return HUGE_VAL;
    return median * exp(sigma * gsl_cdf_ugaussian_Pinv(u));
}

/* Discrete: the smallest value v (of positive weight) with F(v) >= u, where
 * F(v) = sum of the weights of the values <= v.  The values need not be
 * written in order, so F is summed for each candidate (n is small). */
static double q_discrete(const ms_dist *d, double u)
{
    double best = HUGE_VAL;
    for (int i = 0; i < d->n; i++) {
        double wi = d->cum[i] - (i ? d->cum[i - 1] : 0.0), v = d->values[i];
        if (!(wi > 0) || !(v < best))
            continue;
        double F = 0;
        for (int j = 0; j < d->n; j++)
            if (d->values[j] <= v)
                F += d->cum[j] - (j ? d->cum[j - 1] : 0.0);
        if (F >= u * (1 - 1e-12)) /* cum sums to 1 within rounding */
            best = v;
    }
    return best;
}

double ms_dist_quantile(const ms_dist *d, double u)
{
    if (!(u >= 0 && u <= 1))
        return NAN;
    const double *p = d->p;
    double x = NAN;
    switch (d->kind) {
    case MS_DIST_FIXED: x = p[0]; break;
    case MS_DIST_UNIFORM: x = p[0] + (p[1] - p[0]) * u; break;                     /* a + (b - a) u */
    case MS_DIST_TRIANGULAR: x = q_triangular(p[0], p[1], p[2], u); break;
    case MS_DIST_PERT: x = q_pert(p, u); break;
    case MS_DIST_NORMAL: x = q_normal(d, u); break;
    case MS_DIST_LOGNORMAL: x = q_lognormal(p[0], p[1], u); break;
    case MS_DIST_BETA: x = q_beta(p[0], p[1], d->lo, d->hi, u); break;
    case MS_DIST_DISCRETE: x = d->n > 0 ? q_discrete(d, u) : NAN; break;
    case MS_DIST_BERNOULLI: x = u <= 1.0 - p[0] ? 0.0 : 1.0; break;              /* F(0) = 1 - p */
    }
    return clamp(x, ms_dist_min(d), ms_dist_max(d));
}
