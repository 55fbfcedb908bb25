/*
 * test_sobol.c - the Saltelli design and the Sobol' index estimators on
 * functions whose indices are known in closed form.
 *
 * Ishigami, f = sin x1 + a sin^2 x2 + b x3^4 sin x1, x_i uniform on
 * [-pi, pi], a = 7, b = 0.1 (Ishigami and Homma 1990; Saltelli et al. 2010):
 *   V1 = (1 + b pi^4 / 5)^2 / 2,  V2 = a^2 / 8,  V13 = 8 b^2 pi^8 / 225,
 *   V = V1 + V2 + V13 + 0 (V3 = 0),
 *   S = (V1, V2, 0) / V = (0.3139, 0.4424, 0),
 *   ST = (V1 + V13, V2, V13) / V = (0.5576, 0.4424, 0.2437).
 * Linear, f = sum a_i x_i with independent uniform x_i: S_i = ST_i =
 * a_i^2 / sum a_j^2; a factor with a_i = 0 gives f(A) = f(AB_i) bit for bit,
 * so its indices are exactly 0 (as are its interval bounds).
 *
 * At a fixed seed, every true index lies inside its 95% bootstrap interval,
 * and the intervals are narrow (the check could fail if they were not).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "testutil.h" /* assert_float_equal on doubles */
#include "magsim/sobol.h"

typedef double (*fn)(const double *x, const double *coef);

/* Evaluate f on the design (x = lo + (hi - lo) u) into rows of d + 2 values. */
static double *evaluate(const ms_sobol_design *x, int d, int n, fn f, const double *coef, double lo, double hi)
{
    double *y = malloc(sizeof *y * (size_t)n * (size_t)(d + 2));
    double *v = malloc(sizeof *v * (size_t)d);
    for (int r = 0; r < n; r++) {
        const double *a = ms_sobol_design_row(x, 0, r), *b = ms_sobol_design_row(x, 1, r);
        double *row = y + (size_t)r * (d + 2);
        for (int i = 0; i < d; i++)
            v[i] = lo + (hi - lo) * a[i];
        row[0] = f(v, coef);
        for (int i = 0; i < d; i++)
            v[i] = lo + (hi - lo) * b[i];
        row[1] = f(v, coef);
        for (int i = 0; i < d; i++) {
            for (int k = 0; k < d; k++)
                v[k] = lo + (hi - lo) * (k == i ? b[k] : a[k]);
            row[2 + i] = f(v, coef);
        }
    }
    free(v);
    return y;
}

static double ishigami(const double *x, const double *coef)
{
    double a = coef[0], b = coef[1];
    return sin(x[0]) + a * sin(x[1]) * sin(x[1]) + b * pow(x[2], 4) * sin(x[0]);
}

static double linear(const double *x, const double *coef)
{
    double s = 0;
    for (int i = 0; coef[i] >= 0; i++)  /* coef ends with -1 */
        s += coef[i] * x[i];
    return s;
}

static void assert_within(double truth, double lo, double hi, double maxwidth)
{
    if (!(lo <= truth && truth <= hi && hi - lo <= maxwidth)) {
        print_error("true index %.4f, interval [%.4f, %.4f] (width at most %.3f)\n", truth, lo, hi, maxwidth);
        fail();
    }
}

static void test_ishigami(void **st)
{
    (void)st;
    const double a = 7, b = 0.1, pi = M_PI;
    double V1 = 0.5 * pow(1 + b * pow(pi, 4) / 5, 2), V2 = a * a / 8, V13 = 8 * b * b * pow(pi, 8) / 225;
    double V = V1 + V2 + V13;
    double S[3] = {V1 / V, V2 / V, 0}, ST[3] = {(V1 + V13) / V, V2 / V, V13 / V};
    assert_float_equal(S[0], 0.3139, 1e-4);
    assert_float_equal(ST[2], 0.2437, 1e-4);

    int n = 4096;
    ms_sobol_design *x = ms_sobol_design_alloc(3, n, 42);
    assert_int_equal(ms_sobol_design_ngroups(x), 1);
    double coef[2] = {a, b};
    double *y = evaluate(x, 3, n, ishigami, coef, -pi, pi);
    ms_sobol_index idx[3];
    ms_sobol_moments mom;
    ms_sobol_opts o = {.nboot = 500, .level = 0.95, .seed = 7};
    assert_int_equal(ms_sobol_estimate(y, n, 3, 5, &o, idx, &mom), 0);
    assert_float_equal(mom.var, V, 0.05 * V);
    assert_float_equal(mom.mean, a / 2, 0.1);
    for (int i = 0; i < 3; i++) {
        assert_within(S[i], idx[i].s1_lo, idx[i].s1_hi, 0.12);
        assert_within(ST[i], idx[i].st_lo, idx[i].st_hi, 0.12);
        assert_true(idx[i].s1_lo <= idx[i].s1 && idx[i].s1 <= idx[i].s1_hi);
        /* the randomised Sobol' design does better than the bootstrap says
         * (the bootstrap treats rows as independent): within 0.02 here */
        assert_float_equal(idx[i].s1, S[i], 0.02);
        assert_float_equal(idx[i].st, ST[i], 0.02);
    }
    /* the same seed, the same design and the same estimates, to the bit */
    ms_sobol_design *x2 = ms_sobol_design_alloc(3, n, 42);
    assert_memory_equal(ms_sobol_design_row(x, 1, 0), ms_sobol_design_row(x2, 1, 0), sizeof(double) * 3 * n);
    ms_sobol_index idx2[3];
    ms_sobol_estimate(y, n, 3, 5, &o, idx2, NULL);
    assert_memory_equal(idx, idx2, sizeof idx);
    ms_sobol_design_free(x2);
    free(y);
    ms_sobol_design_free(x);
}

static void check_linear(int d, const double *coef, int n)
{
    double tot = 0;
    for (int i = 0; i < d; i++)
        tot += coef[i] * coef[i];
    ms_sobol_design *x = ms_sobol_design_alloc(d, n, 3);
    assert_non_null(x);
    assert_int_equal(ms_sobol_design_ngroups(x), (d + MS_SOBOL_GROUP - 1) / MS_SOBOL_GROUP);
    double *y = evaluate(x, d, n, linear, coef, 0, 1);
    ms_sobol_index *idx = calloc((size_t)d, sizeof *idx);
    ms_sobol_opts o = {.nboot = 300, .level = 0.95, .seed = 11};
    ms_sobol_moments mom;
    assert_int_equal(ms_sobol_estimate(y, n, d, (size_t)d + 2, &o, idx, &mom), 0);
    assert_float_equal(mom.var, tot / 12, 0.05 * tot / 12);
    for (int i = 0; i < d; i++) {
        double s = coef[i] * coef[i] / tot;
        if (coef[i] == 0) {
            assert_true(idx[i].s1 == 0 && idx[i].st == 0 && idx[i].st_lo == 0 && idx[i].st_hi == 0);
            continue;
        }
        assert_within(s, idx[i].s1_lo, idx[i].s1_hi, 0.1);
        assert_within(s, idx[i].st_lo, idx[i].st_hi, 0.1);
    }
    /* every coordinate inside (0, 1); each column of A has mean 1/2 within 3 sigma of a uniform mean */
    for (int i = 0; i < d; i++) {
        double m = 0;
        for (int r = 0; r < n; r++) {
            double u = ms_sobol_design_row(x, 0, r)[i];
            assert_true(u > 0 && u < 1);
            m += u;
        }
        assert_float_equal(m / n, 0.5, 3 * sqrt(1.0 / 12 / n));
    }
    free(idx);
    free(y);
    ms_sobol_design_free(x);
}

/* S = ST = (1, 4, 9, 0) / 14. */
static void test_linear(void **st)
{
    (void)st;
    double coef[5] = {1, 2, 3, 0, -1};
    check_linear(4, coef, 2048);
}

/* 50 factors: three Sobol' groups (20, 20, 10) joined as a Latin supercube;
 * one factor of each group matters, with weights 1, 2, 3. */
static void test_linear_many(void **st)
{
    (void)st;
    double coef[51];
    for (int i = 0; i < 50; i++)
        coef[i] = 0;
    coef[3] = 1;
    coef[25] = 2;
    coef[49] = 3;
    coef[50] = -1;
    check_linear(50, coef, 2048);
}

static void test_bad_arguments(void **st)
{
    (void)st;
    assert_null(ms_sobol_design_alloc(0, 10, 1));
    assert_null(ms_sobol_design_alloc(3, 0, 1));
    double y[5] = {1, 2, 3, 4, 5};
    ms_sobol_index idx[3];
    assert_int_equal(ms_sobol_estimate(y, 1, 3, 5, NULL, idx, NULL), -1);
    /* a constant output: indices undefined (NaN), not a division by zero */
    double c[10] = {2, 2, 2, 2, 2, 2, 2, 2, 2, 2};
    ms_sobol_opts o = {.nboot = 10, .level = 0.9, .seed = 1};
    assert_int_equal(ms_sobol_estimate(c, 2, 3, 5, &o, idx, NULL), 0);
    assert_true(isnan(idx[0].s1) && isnan(idx[2].st) && isnan(idx[1].st_lo));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ishigami),
        cmocka_unit_test(test_linear),
        cmocka_unit_test(test_linear_many),
        cmocka_unit_test(test_bad_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
