/*
 * test_dist_quantile.c - ms_dist_quantile against known answers.
 *
 * Each kind at levels whose quantile is known in closed form (or from a
 * published table: Phi^-1(0.975) = 1.959963984540054), the ends of the
 * support, monotonicity over a grid, and the discrete step function with
 * values written out of order.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <stdlib.h>
#include <cmocka.h>
#include "testutil.h" /* assert_float_equal on doubles */
#include <gsl/gsl_cdf.h>
#include "magsim/dist.h"

static ms_dist mk(ms_dist_kind k, double p0, double p1, double p2, double p3)
{
    ms_dist d = ms_dist_fixed(0);
    d.kind = k;
    d.p[0] = p0;
    d.p[1] = p1;
    d.p[2] = p2;
    d.p[3] = p3;
    return d;
}

static void test_fixed_uniform_triangular(void **st)
{
    (void)st;
    ms_dist f = ms_dist_fixed(7);
    assert_true(ms_dist_quantile(&f, 0.3) == 7);
    ms_dist u = mk(MS_DIST_UNIFORM, 2, 5, 0, 0);
    assert_float_equal(ms_dist_quantile(&u, 0.25), 2.75, 1e-15);
    assert_true(ms_dist_quantile(&u, 0) == 2 && ms_dist_quantile(&u, 1) == 5);
    /* triangular (0, 1, 4): F(1) = 1/4; below, x = sqrt(4 u); above, x = 4 - sqrt(12 (1 - u)) */
    ms_dist t = mk(MS_DIST_TRIANGULAR, 0, 1, 4, 0);
    assert_float_equal(ms_dist_quantile(&t, 0.1), sqrt(0.4), 1e-15);
    assert_float_equal(ms_dist_quantile(&t, 0.25), 1.0, 1e-15);
    assert_float_equal(ms_dist_quantile(&t, 0.5), 4 - sqrt(6.0), 1e-15);
    assert_true(isnan(ms_dist_quantile(&t, -0.1)) && isnan(ms_dist_quantile(&t, 1.5)) &&
                isnan(ms_dist_quantile(&t, NAN)));
}

static void test_pert_beta(void **st)
{
    (void)st;
    /* PERT (0, 1, 1) with lambda 1 is Beta(2, 1) on [0, 1]: F(x) = x^2, x = sqrt(u) */
    ms_dist p = mk(MS_DIST_PERT, 0, 1, 1, 1);
    assert_float_equal(ms_dist_quantile(&p, 0.25), 0.5, 1e-12);
    assert_float_equal(ms_dist_quantile(&p, 0.81), 0.9, 1e-12);
    /* PERT (10, 15, 20), lambda 4: Beta(3, 3) on [10, 20], symmetric: median 15 */
    ms_dist p2 = mk(MS_DIST_PERT, 10, 15, 20, 0);
    assert_float_equal(ms_dist_quantile(&p2, 0.5), 15.0, 1e-12);
    /* beta (1, 1) on [0, 10] is uniform; beta (2, 1) on [2, 4]: 2 + 2 sqrt(u) */
    ms_dist b = mk(MS_DIST_BETA, 1, 1, 0, 0);
    b.lo = 0;
    b.hi = 10;
    assert_float_equal(ms_dist_quantile(&b, 0.3), 3.0, 1e-12);
    ms_dist b2 = mk(MS_DIST_BETA, 2, 1, 0, 0);
    b2.lo = 2;
    b2.hi = 4;
    assert_float_equal(ms_dist_quantile(&b2, 0.36), 2 + 2 * 0.6, 1e-12);
    assert_true(ms_dist_quantile(&b2, 0) == 2 && ms_dist_quantile(&b2, 1) == 4);
}

static void test_normal_lognormal(void **st)
{
    (void)st;
    ms_dist n = mk(MS_DIST_NORMAL, 10, 2, 0, 0);
    n.lo = -HUGE_VAL;
    n.hi = HUGE_VAL;
    assert_float_equal(ms_dist_quantile(&n, 0.975), 10 + 2 * 1.959963984540054, 1e-12);
    assert_float_equal(ms_dist_quantile(&n, 0.5), 10.0, 1e-12);
    assert_true(ms_dist_quantile(&n, 0) == -HUGE_VAL && ms_dist_quantile(&n, 1) == HUGE_VAL);
    /* truncated to [10, inf): the half normal, x = 10 + 2 Phi^-1((1 + u)/2); median 10 + 2 x 0.6744897501960817 */
    n.lo = 10;
    assert_float_equal(ms_dist_quantile(&n, 0.5), 10 + 2 * 0.6744897501960817, 1e-12);
    /* truncated to (-inf, 10]: the mirror image */
    n.lo = -HUGE_VAL;
    n.hi = 10;
    assert_float_equal(ms_dist_quantile(&n, 0.5), 10 - 2 * 0.6744897501960817, 1e-12);
    /* a far tail, [mu + 40 sd, inf): exponential tail, median a + ln 2 / a to O(1/a^3) */
    n.lo = 10 + 2 * 40.0;
    n.hi = HUGE_VAL;
    assert_float_equal(ms_dist_quantile(&n, 0.5), 10 + 2 * (40 + log(2.0) / 40), 2 * 1e-4);
    /* a narrow window [1, 1.5] in the upper tail: the round trip through the CDF */
    ms_dist m = mk(MS_DIST_NORMAL, 0, 1, 0, 0);
    m.lo = 1;
    m.hi = 1.5;
    double x = ms_dist_quantile(&m, 0.3);
    double F = (gsl_cdf_ugaussian_P(x) - gsl_cdf_ugaussian_P(1)) / (gsl_cdf_ugaussian_P(1.5) - gsl_cdf_ugaussian_P(1));
    assert_float_equal(F, 0.3, 1e-12);
    /* lognormal: median 3, sigma 0.5; at Phi(1) = 0.8413447460685429 it is 3 e^0.5 */
    ms_dist l = mk(MS_DIST_LOGNORMAL, 3, 0.5, 0, 0);
    assert_float_equal(ms_dist_quantile(&l, 0.5), 3.0, 1e-12);
    assert_float_equal(ms_dist_quantile(&l, 0.8413447460685429), 3 * exp(0.5), 1e-9);
    assert_true(ms_dist_quantile(&l, 0) == 0);
}

static void test_discrete_bernoulli(void **st)
{
    (void)st;
    /* values written out of order: 3 (0.5), 1 (0.25), 2 (0.25): F(1) = 0.25, F(2) = 0.5, F(3) = 1 */
    double vals[3] = {3, 1, 2}, cum[3] = {0.5, 0.75, 1.0};
    ms_dist d = mk(MS_DIST_DISCRETE, 0, 0, 0, 0);
    d.n = 3;
    d.values = vals;
    d.cum = cum;
    const double u[] = {0, 0.2, 0.25, 0.3, 0.5, 0.51, 1};
    const double want[] = {1, 1, 1, 2, 2, 3, 3};
    for (int k = 0; k < 7; k++)
        assert_true(ms_dist_quantile(&d, u[k]) == want[k]);
    /* bernoulli p: F(0) = 1 - p */
    ms_dist b = mk(MS_DIST_BERNOULLI, 0.3, 0, 0, 0);
    assert_true(ms_dist_quantile(&b, 0.7) == 0 && ms_dist_quantile(&b, 0.71) == 1);
    assert_true(ms_dist_quantile(&b, 0.05) == 0 && ms_dist_quantile(&b, 0.95) == 1);
    b.p[0] = 0.97;
    assert_true(ms_dist_quantile(&b, 0.05) == 1);
}

/* Every kind is non-decreasing in u and stays in its support. */
static void test_monotone(void **st)
{
    (void)st;
    ms_dist ds[6] = {mk(MS_DIST_UNIFORM, -1, 1, 0, 0), mk(MS_DIST_TRIANGULAR, 0, 3, 4, 0),
                     mk(MS_DIST_PERT, 1, 2, 9, 0),       mk(MS_DIST_NORMAL, 0, 1, 0, 0),
                     mk(MS_DIST_LOGNORMAL, 2, 1, 0, 0),  mk(MS_DIST_BETA, 0.5, 0.5, 0, 0)};
    ds[3].lo = -0.5;
    ds[3].hi = 3;
    ds[5].lo = 0;
    ds[5].hi = 1;
    for (int k = 0; k < 6; k++) {
        double prev = -HUGE_VAL;
        for (int i = 0; i <= 1000; i++) {
            double x = ms_dist_quantile(&ds[k], i / 1000.0);
            assert_true(x >= prev);
            assert_true(x >= ms_dist_min(&ds[k]) && x <= ms_dist_max(&ds[k]));
            prev = x;
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixed_uniform_triangular),
        cmocka_unit_test(test_pert_beta),
        cmocka_unit_test(test_normal_lognormal),
        cmocka_unit_test(test_discrete_bernoulli),
        cmocka_unit_test(test_monotone),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
