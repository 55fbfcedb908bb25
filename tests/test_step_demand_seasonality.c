/*
 * test_step_demand_seasonality.c - step 2, demand, its seasonal factors
 * (docs/model.md, "2. Demand"; the importer input `seasonality`): the factor
 * of the calendar month counted from horizon.start, month 0's steady state
 * sized on month 0's demand, the licence budget following the season, and
 * the loader's errors and warning; against numbers worked out by hand
 * through the real engine, one path traced month by month.
 *
 * Unless a test says otherwise: one supplier (ample), one importer "usa"
 * with one industry of 1200 t/yr (100 t/month), restore time 1 month, no
 * cost sensitivity, no diversion, demand elasticity 0.
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
#include "magsim/engine.h"
#include "testutil.h"

/* %s: horizon start, months, transit, seasonality, cover, policies (with their key). */
static const char *ONE =
    "magsim: 1\n"
    "horizon: {start: %s, months: %s}\n"
    "products: {ndfeb: {price_usd_per_kg: 50}}\n"
    "suppliers:\n"
    "  a: {country: CN, capacity_t_per_year: {ndfeb: 1000000}}\n"
    "importers:\n"
    "  usa:\n"
    "    sourcing: {ndfeb: {a: 1}}\n"
    "    transit_months: {default: %s}\n"
    "    switching: {cost_sensitivity: 0, diversion: 0}\n"
    "    demand_elasticity: 0\n"
    "%s"
    "    industries:\n"
    "      ev: {demand_t_per_year: {ndfeb: 1200}, cover_months: %s, restore_months: 1}\n"
    "%s";

/* January..December; mean 1 (they sum to 12). */
static const char *SEASON = "    seasonality: [0.8, 0.9, 1.2, 1.1, 1.0, 1.0, 0.9, 0.9, 1.0, 1.1, 1.05, 1.05]\n";
static const double S12[12] = {0.8, 0.9, 1.2, 1.1, 1.0, 1.0, 0.9, 0.9, 1.0, 1.1, 1.05, 1.05};

/* The factor of the calendar month, counted from horizon.start.  The
 * horizon starts in March 2025, 14 months: month t is calendar month
 * (2 + t) mod 12 (0 = January), so D(t) = 100 x s[(2 + t) mod 12]: 120
 * (March), 110, 100, 100, 90, 90, 100, 110, 105, 105 (December), 80 (January
 * 2026), 90, 120 (March 2026), 110.
 * Transit 0, cover 1, restore 1.  Month 0 is in steady state on its own
 * demand: stock 1 x 120 = 120, O(0) = 120 + (120 - 120) / 1 = 120.  Then
 * each month the stock ends at its target I(t) = D(t), since
 * O(t) = D(t) + (D(t) - I(t-1)) / 1 = 2 D(t) - D(t-1) and
 * I(t) = I(t-1) + O(t) - D(t) = D(t): orders 120, 100, 90, 100, 80, 90, 110,
 * 120, 100, 105, 55 (January: 2 x 80 - 105), 100, 150, 100.  Never short,
 * price index 1. */
static void test_factor_of_the_calendar_month(void **st)
{
    (void)st;
    ms_scenario *s = tu_load_fmt(ONE, "2025-03", "14", "0", SEASON, "1", "");
    assert_int_equal(s->nwarnings, 0);
    tu_path r = tu_path_run(s, 0);
    assert_float_equal(r.tr->initial_inventory_sum, 120.0, 1e-9);
    double prev = 120.0;
    for (int t = 0; t < 14; t++) {
        double D = 100.0 * S12[(2 + t) % 12], O = 2.0 * D - prev;
        assert_float_equal(TU_CP(r.tr, demand, t, 0, 0), D, 1e-9);
        assert_float_equal(TU_CP(r.tr, orders, t, 0, 0), O, 1e-9);
        assert_float_equal(TU_SIP(r.tr, shipments, t, 0, 0, 0), O, 1e-9);
        assert_float_equal(TU_CP(r.tr, inventory, t, 0, 0), D, 1e-9);
        assert_float_equal(TU_CP(r.tr, shortage, t, 0, 0), 0.0, 1e-9);
        assert_float_equal(TU_IP(r.tr, price_index, t, 0, 0), 1.0, 1e-12);
        prev = D;
    }
    assert_float_equal(TU_CP(r.tr, demand, 10, 0, 0), 80.0, 1e-9);   /* January 2026 */
    assert_float_equal(TU_CP(r.tr, orders, 10, 0, 0), 55.0, 1e-9);
    assert_float_equal(TU_CP(r.tr, demand, 12, 0, 0), 120.0, 1e-9);  /* March again */
    tu_path_free(&r);
    ms_scenario_free(s);
}

/* Month 0's steady state with a pipeline: stocks and pipelines are sized on
 * month 0's demand, its season included.  Horizon from November 2025
 * (factor 1.05, D(0) = 105), transit 1 month, cover 2.  Before month 0:
 * stock 2 x 105 = 210, 105 t in transit arriving in month 0 (on order U =
 * 105).  Month 0: O = 105 + (2 x 105 + 105 x 1 - (210 + 105)) / 1 = 105,
 * arrivals 105, consumption 105, stock 210: steady.
 * Month 1 (December, 1.05): the same, O = 105.  Month 2 (January 2026, 0.8,
 * D = 80): position = 210 + 105 = 315, target 2 x 80 + 80 x 1 = 240: O = 80
 * + (240 - 315) = 5; the 105 ordered in month 1 arrives: stock 210 + 105 -
 * 80 = 235.  Month 3 (February, 90): position 235 + 5 = 240, target 270:
 * O = 90 + 30 = 120; stock 235 + 5 - 90 = 150.  (Sized on the annual mean,
 * 100, month 0 would order 105 + (315 - 300) = 120 and the stock drift.) */
static void test_steady_state_on_month0_demand(void **st)
{
    (void)st;
    ms_scenario *s = tu_load_fmt(ONE, "2025-11", "4", "1", SEASON, "2", "");
    tu_path r = tu_path_run(s, 0);
    assert_float_equal(r.tr->initial_inventory_sum, 210.0, 1e-9);
    const double D[4] = {105, 105, 80, 90}, O[4] = {105, 105, 5, 120}, A[4] = {105, 105, 105, 5},
                 I[4] = {210, 210, 235, 150};
    for (int t = 0; t < 4; t++) {
        assert_float_equal(TU_CP(r.tr, demand, t, 0, 0), D[t], 1e-9);
        assert_float_equal(TU_CP(r.tr, orders, t, 0, 0), O[t], 1e-9);
        assert_float_equal(TU_IP(r.tr, arrivals, t, 0, 0), A[t], 1e-9);
        assert_float_equal(TU_CP(r.tr, inventory, t, 0, 0), I[t], 1e-9);
    }
    tu_path_free(&r);
    ms_scenario_free(s);
}

/* The licence budget a x cov x B0 x G(t) follows the season: G(t) includes
 * s(t) / s(0), so the budget is a share of the pre-control flow of the
 * month.  Horizon from March 2025 (D(0) = 120, B0 = 120), cover 2, a licence
 * on the whole flow from 2025-04 (month 1), approval 0.5, no delay.  Budget
 * of month t = 0.5 x 120 x s(t) / 1.2 = 50 s(t): 55 (April), 50 (May), 50
 * (June), 45 (July).  Orders exceed it every month (the stock falls below
 * target), so the shipments are the budget.  (Without the season in G the
 * budget would be 60 every month.) */
static void test_licence_budget_follows_season(void **st)
{
    (void)st;
    ms_scenario *s = tu_load_fmt(ONE, "2025-03", "5", "0", SEASON, "2",
                                 "policies:\n"
                                 "  - {name: lic, type: export_control, exporter: a, mode: license,\n"
                                 "     start: 2025-04, license: {approval: 0.5}}\n");
    tu_path r = tu_path_run(s, 0);
    assert_float_equal(TU_SIP(r.tr, shipments, 0, 0, 0, 0), 120.0, 1e-9);
    for (int t = 1; t < 5; t++) {
        assert_true(TU_CP(r.tr, orders, t, 0, 0) > 50.0 * S12[2 + t]);
        assert_float_equal(TU_SIP(r.tr, shipments, t, 0, 0, 0), 50.0 * S12[2 + t], 1e-9);
    }
    tu_path_free(&r);
    ms_scenario_free(s);
}

/* Without seasonality nothing moves: demand 100 every month (January
 * start: the default factors are all 1). */
static void test_no_seasonality(void **st)
{
    (void)st;
    ms_scenario *s = tu_load_fmt(ONE, "2025-01", "3", "0", "", "1", "");
    for (int m = 0; m < 12; m++)
        assert_true(s->importers[0].seasonality[m] == 1.0);
    assert_int_equal(s->importers[0].has_seasonality, 0);
    tu_path r = tu_path_run(s, 0);
    for (int t = 0; t < 3; t++)
        assert_float_equal(TU_CP(r.tr, demand, t, 0, 0), 100.0, 0);
    tu_path_free(&r);
    ms_scenario_free(s);
}

/* Loader: the diagnostics of a seasonality line (line 12 of ONE), and
 * whether the scenario loads. */
static void expect_diag(const char *season, ms_diag_kind kind, int col, int loads)
{
    char yaml[4096];
    snprintf(yaml, sizeof yaml, ONE, "2025-01", "3", "0", season, "1", "");
    ms_diags d;
    ms_diags_init(&d);
    ms_scenario *s = ms_scenario_load_buffer("test.yaml", yaml, strlen(yaml), &d);
    const ms_diag *g = ms_diags_find(&d, kind, 12, col);
    if (!g || (s != NULL) != loads)
        ms_diags_print(&d, stderr, 0);
    assert_non_null(g);
    assert_int_equal(s != NULL, loads);
    ms_scenario_free(s);
    ms_diags_clear(&d);
}

/* Errors located at the list or the factor: 11 factors (at the list,
 * column 18), a factor 0 and a negative one (at the factor), a factor that
 * is not a number, a distribution, a scalar instead of a list.  A mean of
 * 13/12 loads with a warning at the list. */
static void test_loader_errors(void **st)
{
    (void)st;
    expect_diag("    seasonality: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n", MS_D_VALUE, 18, 0);
    expect_diag("    seasonality: [1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n", MS_D_RANGE, 25, 0);
    expect_diag("    seasonality: [1, 1, 1, -1, 1, 1, 1, 1, 1, 1, 1, 1]\n", MS_D_RANGE, 28, 0);
    expect_diag("    seasonality: [1, 1, 1, 1, x, 1, 1, 1, 1, 1, 1, 1]\n", MS_D_NUMBER, 31, 0);
    expect_diag("    seasonality: [1, {dist: uniform, min: 0.9, max: 1.1}, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n",
                MS_D_TYPE, 22, 0);
    expect_diag("    seasonality: 1\n", MS_D_TYPE, 18, 0);
    expect_diag("    seasonality: [2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n", MS_D_WARNING, 18, 1);
    /* a mean of 1 within 1e-6: no warning */
    char yaml[4096];
    snprintf(yaml, sizeof yaml, ONE, "2025-01", "3", "0",
             "    seasonality: [1.0000005, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n", "1", "");
    ms_diags d;
    ms_diags_init(&d);
    ms_scenario *s = ms_scenario_load_buffer("test.yaml", yaml, strlen(yaml), &d);
    assert_non_null(s);
    assert_int_equal(ms_diags_count(&d, MS_D_WARNING), 0);
    assert_true(s->importers[0].seasonality[0] == 1.0000005);
    ms_scenario_free(s);
    ms_diags_clear(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_factor_of_the_calendar_month),
        cmocka_unit_test(test_steady_state_on_month0_demand),
        cmocka_unit_test(test_licence_budget_follows_season),
        cmocka_unit_test(test_no_seasonality),
        cmocka_unit_test(test_loader_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
