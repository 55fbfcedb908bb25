/*
 * test_dist.c - samplers against closed forms, support, determinism.
 *
 * Moment checks use n = 10^5 draws with a fixed seed:
 *   |mean - mu| <= 3 sqrt(var / n);
 *   |s^2 - var| <= 3 sqrt((m4 - s^4) / n), the large-sample sd of the sample
 *   variance, with the fourth central moment m4 estimated from the same
 *   sample (consistent, and the check is 3 sigma up to O(n^-1/2) terms).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <stdlib.h>
#include <cmocka.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include "magsim/dist.h"
#include "magsim/rng.h"

enum { N = 100000 };
static const uint64_t SEED = 20250401;

static ms_dist mk(ms_dist_kind k, double p0, double p1, double p2, double p3)
{
    ms_dist d = ms_dist_fixed(0);
    d.kind = k;
    d.p[0] = p0;
    d.p[1] = p1;
    d.p[2] = p2;
    d.p[3] = p3;
    d.stream = ms_hash32(ms_dist_kind_name(k));
    return d;
}

static void check_moments(const ms_dist *d, double mu, double var, double lo, double hi)
{
    static double x[N];
    ms_rng *r = ms_rng_alloc(SEED);
    ms_rng_key(r, 1, d->stream, 0);
    double sum = 0;
    for (int i = 0; i < N; i++) {
        x[i] = ms_dist_sample(d, r);
        if (!(x[i] >= lo && x[i] <= hi)) {
            print_error("%s: draw %d = %.17g outside [%g, %g]\n", ms_dist_kind_name(d->kind), i, x[i], lo,
                        hi);
            fail();
        }
        sum += x[i];
    }
    double m = sum / N, s2 = 0, m4 = 0;
    for (int i = 0; i < N; i++) {
        double e = x[i] - m;
        s2 += e * e;
        m4 += e * e * e * e;
    }
    s2 /= N - 1;
    m4 /= N;
    double tol_m = 3 * sqrt(var / N), tol_v = 3 * sqrt(fabs(m4 - s2 * s2) / N) + 1e-300;
    if (!(fabs(m - mu) <= tol_m) || !(fabs(s2 - var) <= tol_v)) {
        print_error("%s: mean %.10g (want %.10g +- %.3g), var %.10g (want %.10g +- %.3g)\n",
                    ms_dist_kind_name(d->kind), m, mu, tol_m, s2, var, tol_v);
        fail();
    }
    /* the library's closed-form mean agrees */
    /* dist_info.c takes Phi(B) - Phi(A), which loses digits in an upper tail
     * (relative 4e-11 on [5, 6]); test_normal_mean_tail covers that. */
    double mtol = d->kind == MS_DIST_NORMAL && d->lo > d->p[0] ? 1e-9 : 1e-12;
    if (!(fabs(ms_dist_mean(d) - mu) <= mtol * (1 + fabs(mu)))) {
        print_error("%s: ms_dist_mean %.17g, closed form %.17g\n", ms_dist_kind_name(d->kind), ms_dist_mean(d), mu);
        fail();
    }
    ms_rng_free(r);
}

static void test_uniform(void **state)
{
    ms_dist d = mk(MS_DIST_UNIFORM, 2, 5, 0, 0);
    check_moments(&d, 3.5, 9.0 / 12, 2, 5);
}

/* Var = (a^2 + b^2 + c^2 - ab - ac - bc) / 18 */
static void test_triangular(void **state)
{
    double a = 1, c = 2, b = 6;
    ms_dist d = mk(MS_DIST_TRIANGULAR, a, c, b, 0);
    check_moments(&d, (a + b + c) / 3, (a * a + b * b + c * c - a * b - a * c - b * c) / 18, a, b);
    d = mk(MS_DIST_TRIANGULAR, 0, 0, 1, 0); /* mode at an end */
    check_moments(&d, 1.0 / 3, 1.0 / 18, 0, 1);
}

/* PERT: a + (b - a) Beta(al, be); Var = (b - a)^2 al be / ((al + be)^2 (al + be + 1)) */
static void test_pert(void **state)
{
    double a = 10, m = 12, b = 20;
    for (int k = 0; k < 2; k++) {
        double lam = k ? 6.0 : 4.0;
        ms_dist d = mk(MS_DIST_PERT, a, m, b, k ? lam : 0.0);
        double al = 1 + lam * (m - a) / (b - a), be = 1 + lam * (b - m) / (b - a), s = al + be;
        check_moments(&d, a + (b - a) * al / s, (b - a) * (b - a) * al * be / (s * s * (s + 1)), a, b);
    }
}

/* Truncated normal, standardised bounds A, B, Z = Phi(B) - Phi(A):
 *   mean mu + sd (phi(A) - phi(B)) / Z
 *   var  sd^2 [1 + (A phi(A) - B phi(B)) / Z - ((phi(A) - phi(B)) / Z)^2] */
static void check_truncnorm(double mu, double sd, double lo, double hi)
{
    ms_dist d = mk(MS_DIST_NORMAL, mu, sd, 0, 0);
    d.lo = lo;
    d.hi = hi;
    double A = (lo - mu) / sd, B = (hi - mu) / sd;
    double pa = isfinite(A) ? gsl_ran_ugaussian_pdf(A) : 0, pb = isfinite(B) ? gsl_ran_ugaussian_pdf(B) : 0;
    double apa = isfinite(A) ? A * pa : 0, bpb = isfinite(B) ? B * pb : 0;
    double Z = A >= 0 ? gsl_cdf_ugaussian_Q(A) - gsl_cdf_ugaussian_Q(B)
                      : gsl_cdf_ugaussian_P(B) - gsl_cdf_ugaussian_P(A);
    double r = (pa - pb) / Z;
    check_moments(&d, mu + sd * r, sd * sd * (1 + (apa - bpb) / Z - r * r), lo, hi);
}

static void test_normal(void **state)
{
    check_truncnorm(100, 15, -HUGE_VAL, HUGE_VAL); /* plain ziggurat */
    check_truncnorm(0, 1, 0, HUGE_VAL);            /* half normal: rejection */
    check_truncnorm(-2, 1, 0, HUGE_VAL);           /* upper tail via Q */
    check_truncnorm(3, 1, -HUGE_VAL, 0);           /* lower tail, mirrored */
    check_truncnorm(0, 1, 5, 6);                   /* far tail, [5, 6] */
    check_truncnorm(0, 1, -0.1, 0.2);              /* narrow, straddling 0 */
    check_truncnorm(10, 2, 8, 11);                 /* wide two-sided: rejection */
}

/* ms_dist_mean (sim/dist_info.c) in an upper tail: Z must come from
 * Q(A) - Q(B), not Phi(B) - Phi(A) (on [9, 10] the latter is 0 and the mean
 * came back as 0, outside the support). */
static void test_normal_mean_tail(void **state)
{
    const double b[][2] = {{5, 6}, {8, 9}, {9, 10}, {-10, -9}};
    int bad = 0;
    for (int i = 0; i < 4; i++) {
        ms_dist d = mk(MS_DIST_NORMAL, 0, 1, 0, 0);
        d.lo = b[i][0];
        d.hi = b[i][1];
        double A = d.lo, B = d.hi, s = A > 0 ? 1 : -1;
        if (s < 0) {
            A = -b[i][1];
            B = -b[i][0];
        }
        double Z = gsl_cdf_ugaussian_Q(A) - gsl_cdf_ugaussian_Q(B);
        double want = s * (gsl_ran_ugaussian_pdf(A) - gsl_ran_ugaussian_pdf(B)) / Z;
        double got = ms_dist_mean(&d);
        if (!(fabs(got - want) <= 1e-12 * fabs(want))) {
            print_message("normal on [%g, %g]: ms_dist_mean %.17g, want %.17g\n", d.lo, d.hi, got, want);
            bad = 1;
        }
    }
    assert_false(bad);
}

/* Beyond Q(a) ~ 1e-250: E[Z | Z > a] = a + 1/a - 2/a^3 + O(a^-5), Var ~ 1/a^2. */
static void test_normal_extreme_tail(void **state)
{
    double a = 40;
    ms_dist d = mk(MS_DIST_NORMAL, 0, 1, 0, 0);
    d.lo = a;
    d.hi = HUGE_VAL;
    ms_rng *r = ms_rng_alloc(SEED);
    ms_rng_key(r, 2, 3, 0);
    double sum = 0;
    for (int i = 0; i < N; i++) {
        double x = ms_dist_sample(&d, r);
        assert_true(x >= a && isfinite(x));
        sum += x;
    }
    double want = a + 1 / a - 2 / (a * a * a);
    assert_true(fabs(sum / N - want) <= 3 * (1 / a) / sqrt(N));
    /* and a slice of it, narrower than the typical excess 1/a */
    d.hi = a + 1e-3;
    for (int i = 0; i < 1000; i++) {
        double x = ms_dist_sample(&d, r);
        assert_true(x >= a && x <= d.hi);
    }
    /* a slice far out below the mean, mirrored */
    d.p[0] = 100;
    d.lo = 0;
    d.hi = 1;
    for (int i = 0; i < 1000; i++) {
        double x = ms_dist_sample(&d, r);
        assert_true(x >= 0 && x <= 1);
    }
    ms_rng_free(r);
}

/* median exp(sigma Z): mean m e^{s^2/2}, var m^2 e^{s^2} (e^{s^2} - 1) */
static void test_lognormal(void **state)
{
    double m = 50, s = 0.3;
    ms_dist d = mk(MS_DIST_LOGNORMAL, m, s, 0, 0);
    check_moments(&d, m * exp(s * s / 2), m * m * exp(s * s) * expm1(s * s), 0, HUGE_VAL);
}

/* Beta(a, b) on [lo, hi]: var (hi - lo)^2 ab / ((a + b)^2 (a + b + 1)) */
static void test_beta(void **state)
{
    const double ab[][2] = {{2, 5}, {0.5, 0.5}, {0.7, 3}};
    for (int k = 0; k < 3; k++) {
        double a = ab[k][0], b = ab[k][1], lo = -1, hi = 3, s = a + b;
        ms_dist d = mk(MS_DIST_BETA, a, b, 0, 0);
        d.lo = lo;
        d.hi = hi;
        check_moments(&d, lo + (hi - lo) * a / s, (hi - lo) * (hi - lo) * a * b / (s * s * (s + 1)), lo, hi);
    }
}

static void test_discrete(void **state)
{
    double values[] = {1, 2, 7, 5}, cum[] = {0.2, 0.7, 0.7, 1.0}; /* weights .2 .5 0 .3 */
    ms_dist d = mk(MS_DIST_DISCRETE, 0, 0, 0, 0);
    d.n = 4;
    d.values = values;
    d.cum = cum;
    double mu = 0.2 * 1 + 0.5 * 2 + 0.3 * 5;
    double var = 0.2 * 1 + 0.5 * 4 + 0.3 * 25 - mu * mu;
    check_moments(&d, mu, var, 1, 5);

    ms_rng *r = ms_rng_alloc(SEED);
    ms_rng_key(r, 9, 9, 0);
    int cnt[4] = {0};
    for (int i = 0; i < N; i++) {
        double x = ms_dist_sample(&d, r);
        for (int k = 0; k < 4; k++)
            cnt[k] += x == values[k];
    }
    const double p[] = {0.2, 0.5, 0.0, 0.3};
    for (int k = 0; k < 4; k++)
        assert_true(fabs((double)cnt[k] / N - p[k]) <= 3 * sqrt(p[k] * (1 - p[k]) / N));
    assert_int_equal(cnt[2], 0);
    ms_rng_free(r);
}

static void test_bernoulli(void **state)
{
    ms_dist d = mk(MS_DIST_BERNOULLI, 0.3, 0, 0, 0);
    check_moments(&d, 0.3, 0.21, 0, 1);
    ms_rng *r = ms_rng_alloc(SEED);
    d.p[0] = 0;
    for (int i = 0; i < 1000; i++)
        assert_true(ms_dist_sample(&d, r) == 0.0);
    d.p[0] = 1;
    for (int i = 0; i < 1000; i++)
        assert_true(ms_dist_sample(&d, r) == 1.0);
    ms_rng_free(r);
}

static void test_degenerate(void **state)
{
    ms_rng *r = ms_rng_alloc(SEED);
    ms_dist d = mk(MS_DIST_UNIFORM, 3, 3, 0, 0);
    assert_true(ms_dist_sample(&d, r) == 3);
    d = mk(MS_DIST_TRIANGULAR, 4, 4, 4, 0);
    assert_true(ms_dist_sample(&d, r) == 4);
    d = mk(MS_DIST_PERT, 4, 4, 4, 0);
    assert_true(ms_dist_sample(&d, r) == 4);
    d = mk(MS_DIST_NORMAL, 7, 0, 0, 0);
    assert_true(ms_dist_sample(&d, r) == 7);
    d.lo = 0;
    d.hi = 5; /* sd 0, mean outside the bounds: the nearest bound */
    assert_true(ms_dist_sample(&d, r) == 5);
    d = mk(MS_DIST_LOGNORMAL, 9, 0, 0, 0);
    assert_true(ms_dist_sample(&d, r) == 9);
    d = mk(MS_DIST_BETA, 2, 2, 0, 0);
    d.lo = d.hi = 1.5;
    assert_true(ms_dist_sample(&d, r) == 1.5);
    d = ms_dist_fixed(-2.5);
    assert_true(ms_dist_sample(&d, r) == -2.5);
    assert_true(ms_dist_draw(&d, r, 12, 3) == -2.5);
    ms_rng_free(r);
}

/* ms_dist_draw depends on (seed, path, stream, month) only. */
static void test_draw_determinism(void **state)
{
    ms_rng *r = ms_rng_alloc(SEED), *r2 = ms_rng_alloc(SEED), *r3 = ms_rng_alloc(SEED + 1);
    ms_dist d = mk(MS_DIST_NORMAL, 0, 1, 0, 0);
    d.stream = ms_hash32("suppliers.china.capacity");

    double x = ms_dist_draw(&d, r, 17, 0);
    ms_dist_sample(&d, r2); /* r2 elsewhere first */
    assert_true(ms_dist_draw(&d, r2, 17, 0) == x);
    assert_true(ms_dist_draw(&d, r, 17, 0) == x);
    assert_true(ms_dist_draw(&d, r, 18, 0) != x);
    assert_true(ms_dist_draw(&d, r3, 17, 0) != x);
    /* once per path: the month is ignored */
    assert_true(ms_dist_draw(&d, r, 17, 5) == x);
    ms_dist e = d;
    e.stream = ms_hash32("suppliers.china.capacity2");
    assert_true(ms_dist_draw(&e, r, 17, 0) != x);

    /* per month: a fresh draw each month, reproducible */
    d.per_month = 1;
    double m[24];
    for (int t = 0; t < 24; t++)
        m[t] = ms_dist_draw(&d, r, 17, t);
    assert_true(m[0] == x);
    for (int t = 1; t < 24; t++) {
        assert_true(m[t] != m[t - 1]);
        assert_true(ms_dist_draw(&d, r2, 17, t) == m[t]);
    }
    for (int t = 23; t >= 0; t--)
        assert_true(ms_dist_draw(&d, r2, 17, t) == m[t]);
    ms_rng_free(r);
    ms_rng_free(r2);
    ms_rng_free(r3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_uniform),
        cmocka_unit_test(test_triangular),
        cmocka_unit_test(test_pert),
        cmocka_unit_test(test_normal),
        cmocka_unit_test(test_normal_mean_tail),
        cmocka_unit_test(test_normal_extreme_tail),
        cmocka_unit_test(test_lognormal),
        cmocka_unit_test(test_beta),
        cmocka_unit_test(test_discrete),
        cmocka_unit_test(test_bernoulli),
        cmocka_unit_test(test_degenerate),
        cmocka_unit_test(test_draw_determinism),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
