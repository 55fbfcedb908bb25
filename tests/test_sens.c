/*
 * test_sens.c - Sobol' indices and the tornado through the real engine, on
 * a scenario whose output is linear in its inputs.
 *
 * One importer, three industries, a ban on the only supplier from the
 * first month, no stock (cover 0), no transit, no price feedback: every
 * tonne demanded is short, so over 12 months
 *     shortage_t[usa, all] = X1 + X2 + 100 sum_t M(t)
 * with X1 (ev demand) uniform on [0, 1200] t/yr, X2 (wind demand) uniform
 * on [0, 2400] t/yr, and M(t) the demand multiplier of the third industry
 * (1200 t/yr), uniform on [0.5, 1.5] drawn every month (per: month: one
 * factor, its whole monthly sequence).  The variances are
 *     Var X1 = 1200^2/12 = 120000, Var X2 = 2400^2/12 = 480000,
 *     Var(100 sum M) = 12 x 100^2 / 12 = 10000, V = 610000,
 * and the output is additive, so S_i = ST_i = (0.19672, 0.78689, 0.01639).
 * Nothing else is random: the intrinsic noise has indices exactly 0.
 *
 * With only X1 analysed (--inputs), X2 and M become intrinsic noise: X1's
 * first-order index is still 120000 / 610000, the noise's 490000 / 610000.
 * (A design in which B shared A's noise would report X1 together with the
 * noise: S near 1.)
 *
 * The checks: every true index inside its 99.7% bootstrap interval (about
 * 3 sigma: the monthly factor is sampled by plain Monte Carlo, so its
 * interval is the widest), intervals narrower than 0.2 (0.3 for the noise,
 * also plain Monte Carlo), estimates within 0.03.
 *
 * Tornado, by hand: medians X1 = 600, X2 = 1200, M = 1 (1200 t); at the 5th
 * and 95th percentiles X1 = 60 / 1140, X2 = 120 / 2280, M = 0.55 / 1.45
 * every month:
 *     mid 3000; X1: 2460 / 3540; X2: 1920 / 4080; M: 2460 / 3540.
 */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "magsim/sens.h"
#include "magsim/stat.h"
#include "testutil.h"

static const char *LINEAR =
    "magsim: 1\n"
    "horizon: {start: 2025-01, months: 12}\n"
    "run: {paths: 64, seed: 3}\n"
    "products: {ndfeb: {price_usd_per_kg: 50}}\n"
    "suppliers:\n"
    "  china: {country: CN, capacity_t_per_year: {ndfeb: 1000000}}\n"
    "importers:\n"
    "  usa:\n"
    "    sourcing: {ndfeb: {china: 1}}\n"
    "    transit_months: {default: 0}\n"
    "    demand_elasticity: 0\n"
    "    industries:\n"
    "      ev: {demand_t_per_year: {ndfeb: {dist: uniform, min: 0, max: 1200}}, cover_months: 0}\n"
    "      wind: {demand_t_per_year: {ndfeb: {dist: uniform, min: 0, max: 2400}}, cover_months: 0}\n"
    "      other: {demand_t_per_year: {ndfeb: 1200}, cover_months: 0}\n"
    "policies:\n"
    "  - {name: ban, type: export_control, exporter: china, mode: ban, start: 2025-01}\n"
    "  - {name: surge, type: demand_shock, importer: usa, industries: [other], start: 2025-01,\n"
    "     multiplier: {dist: uniform, min: 0.5, max: 1.5, per: month}}\n";

static const char *KEYS[3] = {"importers.usa.industries.ev.demand_t_per_year.ndfeb",
                              "importers.usa.industries.wind.demand_t_per_year.ndfeb",
                              "policies.surge.multiplier"};

typedef struct run {
    ms_scenario *sc;
    ms_engine *e;
    ms_sens *s;
} run;

static run run_plan(int nfactors, int threads, int tornado_paths)
{
    run r;
    r.sc = tu_load_text("linear.yaml", LINEAR);
    ms_engine_opts eo = ms_engine_opts_default(r.sc);
    eo.series = 0;
    char err[256];
    r.e = ms_engine_alloc(r.sc, &eo, err, sizeof err);
    assert_non_null(r.e);
    int factors[3], out = ms_stat_find(r.e, 0, MS_M_SHORTAGE_T, -1, 0, -1, -1, -1);
    assert_true(out >= 0);
    for (int i = 0; i < nfactors; i++) {
        factors[i] = ms_engine_find_input(r.e, KEYS[i]);
        assert_true(factors[i] >= 0);
    }
    ms_sens_plan p = {.nfactors = nfactors, .factors = factors, .noutputs = 1, .outputs = &out, .rows = 1024,
                      .tornado_paths = tornado_paths, .nboot = 2000, .level = 0.997, .seed = 17};
    r.s = ms_sens_alloc(r.e, &p, err, sizeof err);
    assert_non_null(r.s);
    ms_run_opts o = {.threads = threads};
    assert_int_equal(ms_sens_run(r.s, &o), 0);
    ms_sens_status st = ms_sens_get_status(r.s);
    assert_int_equal(st.rows_done, 1024);
    assert_true(st.tornado_done && !st.interrupted);
    assert_int_equal(st.evaluations, (uint64_t)ms_sens_evaluations(&p));
    return r;
}

static void run_free(run *r)
{
    ms_sens_free(r->s);
    ms_engine_free(r->e);
    ms_scenario_free(r->sc);
}

static void assert_index_w(double truth, double est, double lo, double hi, double width)
{
    if (!(lo <= truth && truth <= hi && fabs(est - truth) <= 0.03 && hi - lo <= width)) {
        print_error("true index %.4f, estimate %.4f, interval [%.4f, %.4f]\n", truth, est, lo, hi);
        fail();
    }
}

static void assert_index(double truth, double est, double lo, double hi)
{
    assert_index_w(truth, est, lo, hi, 0.2);
}

static void test_linear_indices(void **st)
{
    (void)st;
    run r = run_plan(3, 2, 8);
    const double V[3] = {120000, 480000, 10000}, tot = 610000;
    ms_sobol_index idx[4];
    ms_sobol_moments mom;
    assert_int_equal(ms_sens_indices(r.s, 0, idx, &mom), 0);
    assert_float_equal(mom.var, tot, 0.05 * tot);
    assert_float_equal(mom.mean, 600 + 1200 + 1200, 3 * sqrt(tot / 2048));
    for (int i = 0; i < 3; i++) {
        assert_index(V[i] / tot, idx[i].s1, idx[i].s1_lo, idx[i].s1_hi);
        assert_index(V[i] / tot, idx[i].st, idx[i].st_lo, idx[i].st_hi);
    }
    /* no intrinsic noise: A and AB_W are the same evaluation, bit for bit */
    assert_true(idx[3].s1 == 0 && idx[3].st == 0 && idx[3].st_hi == 0);

    const double lo[3] = {2460, 1920, 2460}, hi[3] = {3540, 4080, 3540};
    for (int i = 0; i < 3; i++) {
        ms_sens_bar b;
        ms_sens_tornado(r.s, 0, i, &b);
        assert_float_equal(b.y_mid, 3000, 1e-6);
        assert_float_equal(b.y_lo, lo[i], 1e-6);
        assert_float_equal(b.y_hi, hi[i], 1e-6);
        assert_float_equal(b.swing, hi[i] - lo[i], 1e-6);
        assert_float_equal(b.swing_se, 0, 1e-9);
    }
    ms_sens_bar b;
    ms_sens_tornado(r.s, 0, 0, &b);
    assert_float_equal(b.x_lo, 60, 1e-9);
    assert_float_equal(b.x_hi, 1140, 1e-9);

    /* the same result bits at 1 thread */
    run r1 = run_plan(3, 1, 8);
    ms_sobol_index idx1[4];
    ms_sens_indices(r1.s, 0, idx1, NULL);
    assert_memory_equal(idx, idx1, sizeof idx);
    run_free(&r1);
    run_free(&r);
}

static void test_noise(void **st)
{
    (void)st;
    run r = run_plan(1, 2, 70); /* 70 paths: the tornado runs them in blocks of 64 */
    ms_sobol_index idx[2];
    assert_int_equal(ms_sens_indices(r.s, 0, idx, NULL), 0);
    assert_index(120000.0 / 610000, idx[0].s1, idx[0].s1_lo, idx[0].s1_hi);
    assert_index(120000.0 / 610000, idx[0].st, idx[0].st_lo, idx[0].st_hi);
    /* the noise is sampled by plain Monte Carlo over paths: a wider interval */
    assert_index_w(490000.0 / 610000, idx[1].s1, idx[1].s1_lo, idx[1].s1_hi, 0.3);
    assert_index_w(490000.0 / 610000, idx[1].st, idx[1].st_lo, idx[1].st_hi, 0.3);
    /* the tornado of X1 with the rest drawn: the swing is exactly 1080 on every path, the mean output is not 3000 */
    ms_sens_bar b;
    ms_sens_tornado(r.s, 0, 0, &b);
    assert_float_equal(b.swing, 1080, 1e-6);
    assert_float_equal(b.swing_se, 0, 1e-6);
    run_free(&r);
}

static void test_bad_plan(void **st)
{
    (void)st;
    ms_scenario *sc = tu_load_text("linear.yaml", LINEAR);
    ms_engine *e = tu_engine(sc);
    int fixed = ms_engine_find_input(e, "importers.usa.industries.other.demand_t_per_year.ndfeb"), out = 0;
    assert_true(fixed >= 0);
    ms_sens_plan p = {.nfactors = 1, .factors = &fixed, .noutputs = 1, .outputs = &out, .rows = 16,
                      .tornado_paths = 0, .nboot = 10, .level = 0.95, .seed = 1};
    char err[256];
    assert_null(ms_sens_alloc(e, &p, err, sizeof err));
    assert_non_null(strstr(err, "not an uncertain input"));
    p.rows = 1;
    assert_null(ms_sens_alloc(e, &p, err, sizeof err));
    ms_engine_free(e);
    ms_scenario_free(sc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_linear_indices),
        cmocka_unit_test(test_noise),
        cmocka_unit_test(test_bad_plan),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
