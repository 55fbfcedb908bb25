/*
 * test_step_month_end.c - after the month (docs/model.md, "After the
 * month"): substitution toward its ceiling while the price trigger or the
 * shortage threshold holds, sticky, acting on next month's demand; against
 * numbers worked out by hand through the real engine with fixed inputs.
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

/* cmocka 1.1.5's assert_float_equal compares floats (about 7 digits): doubles are compared here. */
#define NEAR(a, b, tol) assert_true(fabs((double)(a) - (double)(b)) <= (double)(tol))

/* usa: ev (100 t/month, priority 2) and wind (50 t/month, priority 1),
 * both with substitution up to 0.4, time constant 2 months; cover 0,
 * transit 0, restore 1 (each orders its demand), no demand elasticity,
 * price smoothing 1 month (pibar = pi); 8 months.  Cells: 0 ev, 1 wind.
 * %s: usa's premium_cap, wind's substitution trigger, the policies. */
static const char *SUB =
    "magsim: 1\n"
    "horizon: {start: 2025-01, months: 8}\n"
    "products: {ndfeb: {price_usd_per_kg: 50}}\n"
    "suppliers:\n"
    "  china: {country: CN, capacity_t_per_year: {ndfeb: 1000000}}\n"
    "importers:\n"
    "  usa:\n"
    "    sourcing: {ndfeb: {china: 1}}\n"
    "    transit_months: {default: 0}\n"
    "    demand_elasticity: 0\n"
    "    price_smoothing_months: 1\n"
    "    premium_cap: %s\n"
    "    industries:\n"
    "      ev: {demand_t_per_year: {ndfeb: 1200}, cover_months: 0, restore_months: 1, priority: 2,\n"
    "           substitution: {max: 0.4, tau_months: 2, trigger: 1.5}}\n"
    "      wind: {demand_t_per_year: {ndfeb: 600}, cover_months: 0, restore_months: 1, priority: 1,\n"
    "             substitution: {max: 0.4, tau_months: 2, trigger: %s}}\n"
    "policies:\n"
    "%s";

/* The share of the gap closed in a month: 1 - exp(-1/2) = 0.3934693402873666.
 * After n months of trigger from 0: sub = 0.4 (1 - exp(-n/2)):
 * n = 1: 0.15738773611494664; n = 2: 0.4 (1 - e^-1) = 0.25284822353142306. */
#define SUB1 0.15738773611494664
#define SUB2 0.25284822353142306

/* The price trigger.  A 100% tariff on usa's imports in months 2 and 3
 * (schedule: 1.0 from 2025-03, 0 from 2025-05).  Nothing is short, so the
 * price index is the landed cost over its baseline, 50 x 2 / 50 = 2 in
 * months 2-3 and 1 otherwise, and pibar = pi.
 * ev (trigger 1.5): pibar = 2 > 1.5 at the end of months 2 and 3, so
 * sub(2) = SUB1 and sub(3) = SUB2; from month 4 pibar = 1 and sub stays at
 * SUB2 (it never falls).  Demand acts one month later: D(0..2) = 100,
 * D(3) = 100 (1 - SUB1) = 84.26122638850534, D(4..7) = 100 (1 - SUB2) =
 * 74.71517764685769.
 * wind (trigger 2): pibar = 2 is not above it: no substitution, 50 t every
 * month. */
static void test_substitution_price_trigger(void **st)
{
    (void)st;
    ms_scenario *s = tu_load_fmt(SUB, "4", "2",
                                 "  - {name: tar, type: tariff, importer: usa,\n"
                                 "     schedule: [{from: 2025-03, rate: 1.0}, {from: 2025-05, rate: 0}]}\n");
    tu_path r = tu_path_run(s, 0);
    double pi[8] = {1, 1, 2, 2, 1, 1, 1, 1};
    double sub[8] = {0, 0, SUB1, SUB2, SUB2, SUB2, SUB2, SUB2};
    for (int t = 0; t < 8; t++) {
        double D = 100.0 * (1.0 - (t > 0 ? sub[t - 1] : 0));
        NEAR(TU_IP(r.tr, price_index, t, 0, 0), pi[t], 1e-12);
        NEAR(r.tr->substitution[t * r.tr->C + 0], sub[t], 1e-12);
        NEAR(r.tr->substitution[t * r.tr->C + 1], 0.0, 0);
        NEAR(TU_CP(r.tr, demand, t, 0, 0), D, 1e-9);
        NEAR(TU_CP(r.tr, demand, t, 1, 0), 50.0, 1e-9);
        NEAR(TU_CP(r.tr, shortage, t, 0, 0), 0.0, 1e-9);
    }
    NEAR(TU_CP(r.tr, demand, 3, 0, 0), 84.26122638850534, 1e-9);
    NEAR(TU_CP(r.tr, demand, 7, 0, 0), 74.71517764685769, 1e-9);
    tu_path_free(&r);
    ms_scenario_free(s);
}

/* The shortage threshold (0.05), per industry.  premium_cap 1, so the
 * price index stays 1 and the price trigger never holds.  A ban covering
 * half of china's exports to usa in months 2 and 3 (2025-03 to 2025-05).
 * Month 2: 150 t asked, 75 t pass; wind (priority 1) takes its 50 t, ev
 * gets 25 t: ev short 75 t (share 0.75 > 0.05), wind not short.  So
 * sub_ev(2) = SUB1, sub_wind stays 0 (usa's share, 0.5, is not wind's).
 * Month 3: D_ev = 100 (1 - SUB1) = 84.26122638850534; 134.26122638850534 t
 * asked, 67.13061319425267 t pass, wind 50, ev 17.130613194252675: ev short
 * 67.13061319425266 t; sub_ev(3) = SUB2.
 * From month 4 nothing is short: sub_ev stays SUB2, D_ev = 74.71517764685769. */
static void test_substitution_shortage_threshold(void **st)
{
    (void)st;
    ms_scenario *s = tu_load_fmt(SUB, "1", "1.5",
                                 "  - {name: ban, type: export_control, exporter: china, mode: ban, affected: 0.5,\n"
                                 "     start: 2025-03, end: 2025-05}\n");
    tu_path r = tu_path_run(s, 0);
    double sub[8] = {0, 0, SUB1, SUB2, SUB2, SUB2, SUB2, SUB2};
    double sh[8] = {0, 0, 75, 67.13061319425266, 0, 0, 0, 0};
    for (int t = 0; t < 8; t++) {
        NEAR(TU_IP(r.tr, price_index, t, 0, 0), 1.0, 1e-12);
        NEAR(r.tr->substitution[t * r.tr->C + 0], sub[t], 1e-12);
        NEAR(r.tr->substitution[t * r.tr->C + 1], 0.0, 0);
        NEAR(TU_CP(r.tr, demand, t, 0, 0), 100.0 * (1.0 - (t > 0 ? sub[t - 1] : 0)), 1e-9);
        NEAR(TU_CP(r.tr, demand, t, 1, 0), 50.0, 1e-9);
        NEAR(TU_CP(r.tr, shortage, t, 0, 0), sh[t], 1e-9);
        NEAR(TU_CP(r.tr, shortage, t, 1, 0), 0.0, 1e-9);
    }
    NEAR(TU_CP(r.tr, demand, 3, 0, 0), 84.26122638850534, 1e-9);
    tu_path_free(&r);
    ms_scenario_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_substitution_price_trigger),
        cmocka_unit_test(test_substitution_shortage_threshold),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
