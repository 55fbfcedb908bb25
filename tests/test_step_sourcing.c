/*
 * test_step_sourcing.c - step 5, sourcing (docs/model.md, "5. Sourcing"):
 * shares, preferences, reliability and requests, against numbers worked
 * out by hand through the real engine with fixed inputs.
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

/* Suppliers a (10,000 t/month of ndfeb) and b (ample); a is out for the
 * whole horizon from month 0 (hazard 1, 12 months) with cut %s.  usa takes
 * 100 t/month, sourcing %s, one month of cover, transit 0, qualification 6
 * months, diversion 0.3, no cost sensitivity. */
static const char *TWO =
    "magsim: 1\n"
    "horizon: {start: 2025-01, months: 12}\n"
    "products: {ndfeb: {price_usd_per_kg: 50}}\n"
    "suppliers:\n"
    "  a: {country: CN, capacity_t_per_year: {ndfeb: 120000},\n"
    "      outages: {hazard_per_month: 1, duration_months: 12, cut: %s}}\n"
    "  b: {country: JP, capacity_t_per_year: {ndfeb: 1000000}}\n"
    "importers:\n"
    "  usa:\n"
    "    sourcing: {ndfeb: %s}\n"
    "    transit_months: {default: 0}\n"
    "    switching: {qualification_months: 6, cost_sensitivity: 0, diversion: 0.3}\n"
    "    demand_elasticity: 0\n"
    "    industries:\n"
    "      ev: {demand_t_per_year: {ndfeb: 1200}, cover_months: 1, restore_months: 1}\n";

/* Version 2, item 2: no discontinuity at zero capacity.  Shares 0.8/0.2.
 * Month 0: usa asks a for 0.8 x 100 = 80 t and b for 20 t, whatever a's
 * capacity (month-0 shares are those of the steady state, and a supplier is
 * reliable in month 0).  Cut 1: a ships nothing, 80 t are rationed, 0.3 x 80
 * = 24 t are diverted to b: b ships 20 + 24 = 44 t.  Cut 0.99999: a can
 * export 10,000 x 1e-5 = 0.1 t and ships it; 79.9 t rationed, 0.3 x 79.9 =
 * 23.97 t diverted: b ships 43.97 t.
 * Month 1: a delivered 0 of 80 (cut 1), so its preference is 0.8 x 0 and
 * the target share 0: w_a = 0.8 + (0 - 0.8) / 6 = 2/3.  With cut 0.99999 it
 * delivered 0.1 / 80 = 1/800: u_a = 0.8 / 800 = 0.001, u_b = 0.2 x 1 (b
 * delivered all 44 t asked), target 0.001 / 0.201, w_a = 0.8 + (0.001/0.201
 * - 0.8) / 6.  Over the horizon the two scenarios stay close: shortage
 * shares within 0.2 points (version 1: 0% and 6.8%), b's shipments within
 * twice what a's trickle (0.1 t/month) could have replaced. */
static void test_no_cliff_at_zero_capacity(void **st)
{
    (void)st;
    const char *cuts[] = {"1", "0.99999"};
    double b0[] = {44.0, 20.0 + 0.3 * (80.0 - 0.1)}, a0[] = {0.0, 0.1};
    double wa1[] = {0.8 - 0.8 / 6.0, 0.8 + (0.001 / 0.201 - 0.8) / 6.0};
    double share[2], shipped_b[2];
    for (int k = 0; k < 2; k++) {
        ms_scenario *s = tu_load_fmt(TWO, cuts[k], "{a: 0.8, b: 0.2}");
        tu_path r = tu_path_run(s, 0);
        assert_float_equal(TU_SIP(r.tr, requests, 0, 0, 0, 0), 80.0, 1e-9);
        assert_float_equal(TU_SIP(r.tr, requests, 0, 1, 0, 0), 20.0, 1e-9);
        assert_float_equal(TU_SIP(r.tr, shipments, 0, 0, 0, 0), a0[k], 1e-9);
        assert_float_equal(TU_SIP(r.tr, shipments, 0, 1, 0, 0), b0[k], 1e-9);
        /* shares [T][I][S][P]: S = 2, P = 1 */
        assert_float_equal(r.tr->shares[0], 0.8, 1e-12);
        assert_float_equal(r.tr->shares[2], wa1[k], 1e-12);
        share[k] = tu_out(&r, 0, MS_M_SHORTAGE_SHARE, -1, 0, 0, -1, -1);
        shipped_b[k] = tu_out(&r, 0, MS_M_SHIPMENTS_T, 1, 0, -1, 0, -1);
        tu_path_free(&r);
        ms_scenario_free(s);
    }
    assert_true(fabs(share[0] - share[1]) < 0.002);
    assert_true(fabs(shipped_b[0] - shipped_b[1]) < 12 * 0.1 * 2); /* a's trickle: 0.1 t/month */
}

/* Version 2, item 2: the import need never vanishes.  usa sources only
 * from a (share 1), which has no capacity from month 0; b makes ndfeb but
 * is not among usa's suppliers.  Month 0: usa still asks a for its 100 t;
 * they are rationed, and 0.3 x 100 = 30 t are diverted to b, the only
 * supplier with spare capacity: b ships 30 t. */
static void test_need_never_vanishes(void **st)
{
    (void)st;
    ms_scenario *s = tu_load_fmt(TWO, "1", "{a: 1}");
    tu_path r = tu_path_run(s, 0);
    assert_float_equal(TU_SIP(r.tr, requests, 0, 0, 0, 0), 100.0, 1e-9);
    assert_float_equal(TU_SIP(r.tr, shipments, 0, 0, 0, 0), 0.0, 0);
    assert_float_equal(TU_SIP(r.tr, shipments, 0, 1, 0, 0), 30.0, 1e-9);
    tu_path_free(&r);
    ms_scenario_free(s);
}

/* Version 2, item 2: month-0 shares are renormalised over suppliers that
 * can export.  usa's offtake share 0.1 of "mp", a plant of 0 t/yr that adds
 * 1200 t/yr from 2025-04 (month 3) at once (ramp 0): month 0 shares are
 * (1, 0), so a ships all 100 t and mp carries no baseline flow.  From month
 * 3 mp can export; it was asked nothing, so its preference is its share 0.1
 * and a's 0.9 x 1: target 0.1, and w_mp = 0 + (0.1 - 0) / 6 in month 3,
 * then w_mp(t) = 0.1 (1 - (5/6)^(t-2)). */
static void test_month0_shares_over_exporters(void **st)
{
    (void)st;
    ms_scenario *s = tu_load_text("test.yaml",
                                  "magsim: 1\n"
                                  "horizon: {start: 2025-01, months: 12}\n"
                                  "products: {ndfeb: {price_usd_per_kg: 50}}\n"
                                  "suppliers:\n"
                                  "  a: {country: CN, capacity_t_per_year: {ndfeb: 1000000}}\n"
                                  "  mp: {country: US, capacity_t_per_year: {ndfeb: 0},\n"
                                  "       expansions: [{product: ndfeb, t_per_year: 1200, ramp_months: 0,\n"
                                  "                     start: 2025-04}]}\n"
                                  "importers:\n"
                                  "  usa:\n"
                                  "    sourcing: {ndfeb: {a: 0.9, mp: 0.1}}\n"
                                  "    transit_months: {default: 0}\n"
                                  "    switching: {qualification_months: 6, cost_sensitivity: 0}\n"
                                  "    demand_elasticity: 0\n"
                                  "    industries:\n"
                                  "      ev: {demand_t_per_year: {ndfeb: 1200}, cover_months: 1}\n");
    tu_path r = tu_path_run(s, 0);
    for (int t = 0; t < 12; t++) {
        double wmp = t < 3 ? 0.0 : 0.1 * (1.0 - pow(5.0 / 6.0, t - 2));
        assert_float_equal(r.tr->shares[(size_t)t * 2 + 1], wmp, 1e-12);
        assert_float_equal(TU_SIP(r.tr, shipments, t, 0, 0, 0), 100.0 * (1.0 - wmp), 1e-9);
        assert_float_equal(TU_SIP(r.tr, shipments, t, 1, 0, 0), 100.0 * wmp, 1e-9);
    }
    tu_path_free(&r);
    ms_scenario_free(s);
}

/* Version 2: no supplier can export in month 0.  usa sources only from
 * "mp", a plant of 0 t/yr that adds 120,000 t/yr at 60 USD/kg from 2025-04
 * (month 3) at once; cover 1 month, restore 2 months.  Month 0 keeps the
 * baseline shares (mp 1) with nothing in the pipeline, and the baseline
 * landed cost is that of those shares, 60 USD/kg (not a fallback of 1,
 * which made the index a price in USD/kg).
 * Month 0: usa asks mp for its 100 t; mp cannot export, so its price goes to
 * its cap, 3 x 60 = 180 USD/kg, and nothing ships; the stock covers the
 * month (fill 1): price index 180/60 = 3.  Months 1, 2: O = 100 + (100 -
 * 0)/2 = 150 t asked, nothing ships, fill 0: premium at its cap 4, index
 * 3 x 4 = 12.  Month 3: mp can export 10,000 t, ships the 150 t asked at 60
 * USD/kg (no scarcity), fill 1: index 1; stock 50 t.  Month 4: O = 100 +
 * (100 - 50)/2 = 125 t. */
static void test_baseline_cost_without_exporters(void **st)
{
    (void)st;
    ms_scenario *s = tu_load_text("test.yaml",
                                  "magsim: 1\n"
                                  "horizon: {start: 2025-01, months: 8}\n"
                                  "products: {ndfeb: {price_usd_per_kg: 50}}\n"
                                  "suppliers:\n"
                                  "  mp: {country: US, capacity_t_per_year: {ndfeb: 0}, price_usd_per_kg: {ndfeb: 60},\n"
                                  "       expansions: [{product: ndfeb, t_per_year: 120000, ramp_months: 0,\n"
                                  "                     start: 2025-04}]}\n"
                                  "importers:\n"
                                  "  usa:\n"
                                  "    sourcing: {ndfeb: {mp: 1}}\n"
                                  "    transit_months: {default: 0}\n"
                                  "    demand_elasticity: 0\n"
                                  "    industries:\n"
                                  "      ev: {demand_t_per_year: {ndfeb: 1200}, cover_months: 1}\n");
    tu_path r = tu_path_run(s, 0);
    double pi[5] = {3, 12, 12, 1, 1}, ship[5] = {0, 0, 0, 150, 125}, ask[5] = {100, 150, 150, 150, 125};
    for (int t = 0; t < 5; t++) {
        assert_float_equal(r.tr->price_index[t], pi[t], 1e-12);
        assert_float_equal(TU_SIP(r.tr, requests, t, 0, 0, 0), ask[t], 1e-9);
        assert_float_equal(TU_SIP(r.tr, shipments, t, 0, 0, 0), ship[t], 1e-9);
    }
    assert_float_equal(TU_CP(r.tr, inventory, 3, 0, 0), 50.0, 1e-9);
    tu_path_free(&r);
    ms_scenario_free(s);
}

/* Landed cost with tariffs in the preferences: c / c0 with c0 the landed
 * cost under the tariffs of month 0.  Suppliers a and b at 50 USD/kg
 * (ample), usa shares 0.5 / 0.5, cost sensitivity beta 4, qualification 2
 * months, 100 t/month.  Tariffs on a -> usa: t1 0.2 from 2024-06 (in force
 * in month 0) then 0.05 from 2025-04 (month 3); t2 0.1 from 2025-06 (month
 * 5).  Rate on a: 0.2 (months 0..2), 0.05 (3, 4), 0.15 (5 on).
 * c_a / c0_a = (1 + r) / 1.2: 1, then 0.875, then 0.958333; u_a = 0.5
 * exp(-4 (c_a/c0_a - 1)), u_b = 0.5 (both deliver all they are asked):
 * target w*_a = 1 / (1 + exp(4 (c_a/c0_a - 1))): 0.5, then 1 / (1 +
 * e^-0.5) = 0.6225, then 1 / (1 + e^-1/6) = 0.5416; w_a += (w*_a - w_a) /
 * 2 each month (0.5 to month 2, 0.5612 in month 3, ...).  a ships 100 w_a;
 * the price index is (w_a 50 (1 + r) + (1 - w_a) 50) / cb, cb = 0.5 x 60 +
 * 0.5 x 50 = 55. */
static void test_landed_cost_with_tariffs(void **st)
{
    (void)st;
    ms_scenario *s = tu_load_text(
        "test.yaml",
        "magsim: 1\n"
        "horizon: {start: 2025-01, months: 8}\n"
        "products: {ndfeb: {price_usd_per_kg: 50}}\n"
        "suppliers:\n"
        "  a: {country: CN, capacity_t_per_year: {ndfeb: 1000000}}\n"
        "  b: {country: JP, capacity_t_per_year: {ndfeb: 1000000}}\n"
        "importers:\n"
        "  usa:\n"
        "    sourcing: {ndfeb: {a: 0.5, b: 0.5}}\n"
        "    transit_months: {default: 0}\n"
        "    switching: {qualification_months: 2, cost_sensitivity: 4, diversion: 0}\n"
        "    demand_elasticity: 0\n"
        "    industries:\n"
        "      ev: {demand_t_per_year: {ndfeb: 1200}, cover_months: 1, restore_months: 1}\n"
        "policies:\n"
        "  - {name: t1, type: tariff, importer: usa, origin: a,\n"
        "     schedule: [{from: 2024-06, rate: 0.2}, {from: 2025-04, rate: 0.05}]}\n"
        "  - {name: t2, type: tariff, importer: usa, origin: a, schedule: [{from: 2025-06, rate: 0.1}]}\n");
    tu_path r = tu_path_run(s, 0);
    double wa = 0.5;
    for (int t = 0; t < 8; t++) {
        double rate = t < 3 ? 0.2 : (t < 5 ? 0.05 : 0.15);
        double target = 1.0 / (1.0 + exp(4.0 * ((1.0 + rate) / 1.2 - 1.0)));
        wa += (target - wa) / 2.0;
        /* shares [T][I][S][P]: S = 2, P = 1 */
        assert_float_equal(r.tr->shares[(size_t)t * 2], wa, 1e-12);
        assert_float_equal(TU_SIP(r.tr, shipments, t, 0, 0, 0), 100.0 * wa, 1e-9);
        assert_float_equal(TU_SIP(r.tr, shipments, t, 1, 0, 0), 100.0 * (1.0 - wa), 1e-9);
        assert_float_equal(r.tr->price_index[t], (wa * 50.0 * (1.0 + rate) + (1.0 - wa) * 50.0) / 55.0, 1e-12);
    }
    assert_float_equal(r.tr->shares[3 * 2], 0.5 + (1.0 / (1.0 + exp(-0.5)) - 0.5) / 2.0, 1e-12);
    tu_path_free(&r);
    ms_scenario_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_cliff_at_zero_capacity),
        cmocka_unit_test(test_need_never_vanishes),
        cmocka_unit_test(test_month0_shares_over_exporters),
        cmocka_unit_test(test_baseline_cost_without_exporters),
        cmocka_unit_test(test_landed_cost_with_tariffs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
