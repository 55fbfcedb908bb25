/*
 * test_compare.c - paired comparison against answers worked out by hand.
 *
 * (a) A scenario compared with itself: every difference is exactly 0 on
 *     every path, P(better) = P(worse) = 0, and the variance reduction is
 *     infinite wherever the metric varies.
 * (b) Two suppliers a and b at 50 USD/kg with sourcing shares 1/2, cost
 *     sensitivity beta = 4, qualification q = 6 months, transit 0, demand
 *     1200 t/yr = 100 t/month, no price feedback (test_engine.c, test (c)).
 *     The policy adds a 25% tariff on a from 2025-03 (month 2): the target
 *     share of a is w* = e^-1 / (1 + e^-1) and from month 2
 *         w_a(t) = w* + (1/2 - w*) (5/6)^(t-1),
 *     while it stays 1/2 without the tariff.  So, policy - base:
 *         shipments_t[a -> usa]  = 100 sum_{t=2}^{11} (w_a(t) - 1/2),
 *         mean_price_shock       = (1/12) sum_{t=2}^{11} 0.25 w_a(t),
 *         peak_price_shock       = 0.25 w_a(2)  (w_a falls from month 2 on).
 *     Every input is fixed: the variances are 0 and the ratio undefined.
 * (c) The same with demand uniform on [600, 1800] t/yr, shared by both
 *     scenarios.  Everything is linear in demand D (no price feedback), so
 *     shipments of a are 0.5 D without the tariff and beta D with it,
 *     beta = (1/12) sum_t w_a(t): on any sample the variance ratio is
 *         (0.25 + beta^2) / (beta - 0.5)^2.
 * (d) A policy scenario with an extra supplier: its statistics are listed
 *     as the policy's own, everything else pairs.
 * (e) Byte-identical accumulators at 1 and 2 threads; horizons that differ
 *     are refused.
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
#include "magsim/compare.h"
#include "magsim/stat.h"
#include "testutil.h"

/* %s: demand; %s: extra supplier; %s: policies */
static const char *TWO =
    "magsim: 1\n"
    "horizon: {start: 2025-01, months: 12}\n"
    "run: {paths: 128, seed: 5}\n"
    "products: {ndfeb: {price_usd_per_kg: 50}}\n"
    "suppliers:\n"
    "  a: {country: CN, capacity_t_per_year: {ndfeb: 1000000}}\n"
    "  b: {country: JP, capacity_t_per_year: {ndfeb: 1000000}}\n"
    "%s"
    "importers:\n"
    "  usa:\n"
    "    sourcing: {ndfeb: {a: 0.5, b: 0.5}}\n"
    "    transit_months: {default: 0}\n"
    "    switching: {qualification_months: 6, cost_sensitivity: 4, diversion: 0}\n"
    "    demand_elasticity: 0\n"
    "    industries:\n"
    "      ev: {demand_t_per_year: {ndfeb: %s}, cover_months: 2}\n"
    "%s";
static const char *TARIFF =
    "policies:\n"
    "  - {name: t, type: tariff, importer: usa, origin: a, schedule: [{from: 2025-03, rate: 0.25}]}\n";

static ms_scenario *load_two(const char *demand, const char *extra, const char *policies)
{
    char buf[4096];
    snprintf(buf, sizeof buf, TWO, extra, demand, policies);
    return tu_load_text("two.yaml", buf);
}

typedef struct fixture {
    ms_scenario *s[2];
    ms_engine *e[2];
    ms_compare *c;
    ms_compare_result *r;
} fixture;

static void fixture_run(fixture *f, ms_scenario *base, ms_scenario *pol, uint64_t paths, int threads)
{
    f->s[0] = base;
    f->s[1] = pol;
    for (int k = 0; k < 2; k++)
        f->e[k] = tu_engine(f->s[k]);
    char err[256];
    const ms_engine *p = f->e[1];
    f->c = ms_compare_alloc(f->e[0], &p, 1, err, sizeof err);
    if (!f->c)
        fail_msg("%s", err);
    f->r = ms_compare_result_alloc(f->c);
    assert_non_null(f->r);
    ms_run_opts o = {.threads = threads};
    assert_int_equal(ms_compare_run(f->c, 0, paths, &o, f->r), 0);
    assert_int_equal(f->r->paths_done, paths);
}

static void fixture_free(fixture *f)
{
    ms_compare_result_free(f->r);
    ms_compare_free(f->c);
    for (int k = 0; k < 2; k++) {
        ms_engine_free(f->e[k]);
        ms_scenario_free(f->s[k]);
    }
}

/* The pair of the base's statistic i; fails when it is not shared. */
static int pair_of(const ms_compare *c, int i)
{
    const ms_compare_policy *p = ms_compare_policy_at(c, 0);
    for (int q = 0; q < p->nmetrics + p->nseries; q++)
        if (p->pairs[q].base == i)
            return q;
    fail_msg("statistic %d not shared", i);
    return -1;
}

static const double Q3[3] = {0.05, 0.5, 0.95};

static void test_self(void **st)
{
    (void)st;
    fixture f;
    fixture_run(&f, load_two("{dist: uniform, min: 600, max: 1800}", "", TARIFF),
                load_two("{dist: uniform, min: 600, max: 1800}", "", TARIFF), 256, 2);
    const ms_compare_policy *p = ms_compare_policy_at(f.c, 0);
    int n = ms_engine_nmetrics(f.e[0]) + ms_engine_nseries(f.e[0]);
    assert_int_equal(p->nmetrics + p->nseries, n);
    assert_int_equal(p->nbase_only + p->npolicy_only + p->ninputs_base_only + p->ninputs_policy_only +
                         p->ninputs_changed, 0);
    int varying = 0;
    for (int q = 0; q < n; q++) {
        ms_compare_stat cs;
        ms_compare_stat_at(f.c, f.r, 0, q, Q3, 3, &cs);
        assert_true(cs.diff.mean == 0 && cs.diff.sd == 0 && cs.diff.q[0] == 0 && cs.diff.q[2] == 0);
        assert_true(cs.p_better == 0 && cs.p_worse == 0);
        if (q < p->nmetrics && cs.var_independent > 0) {
            assert_true(isinf(cs.var_ratio) && cs.var_ratio > 0);
            varying++;
        }
    }
    assert_true(varying > 0);
    fixture_free(&f);
}

static void test_tariff_by_hand(void **st)
{
    (void)st;
    fixture f;
    fixture_run(&f, load_two("1200", "", ""), load_two("1200", "", TARIFF), 64, 1);
    double ws = exp(-1.0) / (1.0 + exp(-1.0)), ship = 0, mean_shock = 0;
    for (int t = 2; t < 12; t++) {
        double wa = ws + (0.5 - ws) * pow(5.0 / 6.0, t - 1);
        ship += 100 * (wa - 0.5);
        mean_shock += 0.25 * wa / 12;
    }
    double peak = 0.25 * (ws + (0.5 - ws) * (5.0 / 6.0));
    const ms_engine *b = f.e[0];
    struct { int i; double want; double better, worse; } cases[] = {
        {ms_stat_find(b, 0, MS_M_SHIPMENTS_T, 0, 0, -1, 0, -1), ship, 0, 1},   /* none: better = diff > 0 */
        {ms_stat_find(b, 0, MS_M_MEAN_PRICE_SHOCK, -1, 0, -1, 0, -1), mean_shock, 0, 1},
        {ms_stat_find(b, 0, MS_M_PEAK_PRICE_SHOCK, -1, 0, -1, 0, -1), peak, 0, 1},
        {ms_stat_find(b, 0, MS_M_SHORTAGE_T, -1, 0, 0, -1, -1), 0, 0, 0},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        assert_true(cases[k].i >= 0);
        ms_compare_stat cs;
        ms_compare_stat_at(f.c, f.r, 0, pair_of(f.c, cases[k].i), Q3, 3, &cs);
        assert_float_equal(cs.diff.mean, cases[k].want, 1e-9 * (1 + fabs(cases[k].want)));
        assert_float_equal(cs.diff.q[1], cases[k].want, 1e-9 * (1 + fabs(cases[k].want)));
        assert_true(cs.p_better == cases[k].better && cs.p_worse == cases[k].worse);
        assert_true(cs.var_paired == 0 && cs.var_independent == 0 && isnan(cs.var_ratio));
    }
    /* the tariff's inputs are the policy's own, named by key */
    const ms_compare_policy *p = ms_compare_policy_at(f.c, 0);
    assert_true(p->ninputs_policy_only > 0);
    for (int k = 0; k < p->ninputs_policy_only; k++)
        assert_true(strncmp(p->inputs_policy_only[k], "policies.t.", 11) == 0);
    assert_int_equal(p->ninputs_base_only + p->nbase_only + p->npolicy_only, 0);
    fixture_free(&f);
}

static void test_variance_ratio(void **st)
{
    (void)st;
    const char *dem = "{dist: uniform, min: 600, max: 1800}";
    fixture f;
    fixture_run(&f, load_two(dem, "", ""), load_two(dem, "", TARIFF), 512, 2);
    double ws = exp(-1.0) / (1.0 + exp(-1.0)), beta = 0;
    for (int t = 0; t < 12; t++)
        beta += (t < 2 ? 0.5 : ws + (0.5 - ws) * pow(5.0 / 6.0, t - 1)) / 12;
    int i = ms_stat_find(f.e[0], 0, MS_M_SHIPMENTS_T, 0, 0, -1, 0, -1);
    ms_compare_stat cs;
    ms_compare_stat_at(f.c, f.r, 0, pair_of(f.c, i), Q3, 3, &cs);
    double want = (0.25 + beta * beta) / ((beta - 0.5) * (beta - 0.5));
    assert_float_equal(cs.var_ratio, want, 1e-6 * want);
    assert_true(want > 10); /* about 23: independent runs would need 23 times the paths */
    /* the mean difference is (beta - 1/2) times the mean demand of the sample: near (beta - 1/2) 1200 */
    assert_float_equal(cs.diff.mean, (beta - 0.5) * 1200, fabs(beta - 0.5) * 3 * 1200 / sqrt(3.0) / sqrt(512.0));
    fixture_free(&f);
}

static void test_structure(void **st)
{
    (void)st;
    fixture f;
    fixture_run(&f, load_two("1200", "", ""),
                load_two("1200", "  c: {country: US, capacity_t_per_year: {ndfeb: 5000}}\n", ""), 64, 1);
    const ms_compare_policy *p = ms_compare_policy_at(f.c, 0);
    int n = ms_engine_nmetrics(f.e[0]) + ms_engine_nseries(f.e[0]);
    assert_int_equal(p->nmetrics + p->nseries, n);
    assert_int_equal(p->nbase_only, 0);
    assert_true(p->npolicy_only > 0);
    const ms_scenario *ps = ms_engine_scenario(f.e[1]);
    for (int k = 0; k < p->npolicy_only; k++) {
        const ms_stat_desc *d = ms_engine_desc(f.e[1], p->policy_only[k]);
        char buf[16];
        const char *sup = ms_stat_entity(ps, d, MS_DIM_SUPPLIER, buf, sizeof buf);
        assert_true(sup && !strcmp(sup, "c"));
    }
    assert_true(p->ninputs_policy_only > 0);
    for (int k = 0; k < p->ninputs_policy_only; k++)
        assert_true(strncmp(p->inputs_policy_only[k], "suppliers.c.", 12) == 0);
    fixture_free(&f);
}

static void pack_equal(const ms_accum *a, const ms_accum *b)
{
    unsigned char *pa = NULL, *pb = NULL;
    size_t la = ms_accum_pack(a, &pa), lb = ms_accum_pack(b, &pb);
    assert_int_equal(la, lb);
    assert_memory_equal(pa, pb, la);
    free(pa);
    free(pb);
}

static void test_threads_and_horizon(void **st)
{
    (void)st;
    const char *dem = "{dist: uniform, min: 600, max: 1800}";
    fixture f1, f2;
    fixture_run(&f1, load_two(dem, "", ""), load_two(dem, "", TARIFF), 320, 1);
    fixture_run(&f2, load_two(dem, "", ""), load_two(dem, "", TARIFF), 320, 2);
    pack_equal(f1.r->base, f2.r->base);
    pack_equal(f1.r->policy[0], f2.r->policy[0]);
    pack_equal(f1.r->diff_metrics[0], f2.r->diff_metrics[0]);
    pack_equal(f1.r->diff_series[0], f2.r->diff_series[0]);
    const ms_compare_policy *p = ms_compare_policy_at(f1.c, 0);
    assert_memory_equal(f1.r->better[0], f2.r->better[0], sizeof(uint64_t) * (size_t)(p->nmetrics + p->nseries));
    fixture_free(&f1);
    fixture_free(&f2);

    ms_scenario *a = load_two("1200", "", "");
    char buf[4096];
    snprintf(buf, sizeof buf, TWO, "", "1200", "");
    char *m = strstr(buf, "months: 12");
    memcpy(m, "months: 13", 10);
    ms_scenario *b = tu_load_text("longer.yaml", buf);
    ms_engine *ea = tu_engine(a), *eb = tu_engine(b);
    char err[512];
    const ms_engine *pe = eb;
    assert_null(ms_compare_alloc(ea, &pe, 1, err, sizeof err));
    assert_non_null(strstr(err, "different horizons"));
    ms_engine_free(ea);
    ms_engine_free(eb);
    ms_scenario_free(a);
    ms_scenario_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_self),
        cmocka_unit_test(test_tariff_by_hand),
        cmocka_unit_test(test_variance_ratio),
        cmocka_unit_test(test_structure),
        cmocka_unit_test(test_threads_and_horizon),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
