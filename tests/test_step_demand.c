/*
 * test_step_demand.c - step 2, demand (docs/model.md, "2. Demand"): growth,
 * demand shocks and the price response of demand, against numbers worked
 * out by hand through the real engine with fixed inputs.
 *
 * Every scenario has cover 0, transit 0 and restore 1, so each industry
 * orders its demand and receives it in the same month: the traced demand is
 * the quantity under test, and consumption equals it (nothing is short).
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

/* Two products (ndfeb, smco), one supplier, two importers.  usa: ev
 * (100 t/month of ndfeb, 10 of smco) and wind (50 t/month of ndfeb); jpn:
 * ev (200 t/month of ndfeb).  Cells: 0 usa.ev, 1 usa.wind, 2 jpn.ev.
 * %d: months; %s: extra keys of usa.ev, of usa.wind; the policies. */
static const char *TWO =
    "magsim: 1\n"
    "horizon: {start: 2025-01, months: %d}\n"
    "products: {ndfeb: {price_usd_per_kg: 50}, smco: {price_usd_per_kg: 80}}\n"
    "suppliers:\n"
    "  china: {country: CN, capacity_t_per_year: {ndfeb: 1000000, smco: 1000000}}\n"
    "importers:\n"
    "  usa:\n"
    "    sourcing: {ndfeb: {china: 1}, smco: {china: 1}}\n"
    "    transit_months: {default: 0}\n"
    "    demand_elasticity: 0\n"
    "    industries:\n"
    "      ev: {demand_t_per_year: {ndfeb: 1200, smco: 120}, cover_months: 0, restore_months: 1%s}\n"
    "      wind: {demand_t_per_year: {ndfeb: 600}, cover_months: 0, restore_months: 1%s}\n"
    "  jpn:\n"
    "    sourcing: {ndfeb: {china: 1}}\n"
    "    transit_months: {default: 0}\n"
    "    demand_elasticity: 0\n"
    "    industries:\n"
    "      ev: {demand_t_per_year: {ndfeb: 2400}, cover_months: 0, restore_months: 1}\n"
    "%s";

enum { NDFEB = 0, SMCO = 1, USA_EV = 0, USA_WIND = 1, JPN_EV = 2 };

/* Demand growth: D(t) = D0 (1 + g)^(t/12), the growth factor moving on by
 * (1 + g)^(1/12) at each month's end.  usa.ev grows 10% a year, usa.wind
 * shrinks 20% a year, jpn.ev does not grow; 25 months.
 *   usa.ev ndfeb:  t = 0: 100; t = 6: 100 x 1.1^0.5 = 104.88088481701516;
 *                  t = 12: 110; t = 24: 121;
 *   usa.ev smco:   t = 12: 11 (the growth is the industry's, every product);
 *   usa.wind:      t = 6: 50 x 0.8^0.5 = 44.721359549995796; t = 12: 40;
 *                  t = 24: 32;
 *   jpn.ev:        200 every month.
 * Each month usa ships its demand (orders = demand with no cover and no
 * transit): month 12, 110 + 40 = 150 t of ndfeb. */
static void test_growth(void **st)
{
    (void)st;
    ms_scenario *s = tu_load_fmt(TWO, 25, ", growth: 0.1", ", growth: -0.2", "");
    tu_path r = tu_path_run(s, 0);
    for (int t = 0; t < 25; t++) {
        double ev = 100.0 * pow(1.1, t / 12.0), wind = 50.0 * pow(0.8, t / 12.0);
        NEAR(TU_CP(r.tr, demand, t, USA_EV, NDFEB), ev, 1e-9);
        NEAR(TU_CP(r.tr, demand, t, USA_EV, SMCO), ev / 10.0, 1e-9);
        NEAR(TU_CP(r.tr, demand, t, USA_WIND, NDFEB), wind, 1e-9);
        NEAR(TU_CP(r.tr, demand, t, JPN_EV, NDFEB), 200.0, 1e-9);
        NEAR(TU_CP(r.tr, orders, t, USA_EV, NDFEB), ev, 1e-9);
        NEAR(TU_CP(r.tr, consumption, t, USA_WIND, NDFEB), wind, 1e-9);
        NEAR(TU_SIP(r.tr, shipments, t, 0, 0, NDFEB), ev + wind, 1e-9);
    }
    NEAR(TU_CP(r.tr, demand, 0, USA_EV, NDFEB), 100.0, 1e-9);
    NEAR(TU_CP(r.tr, demand, 6, USA_EV, NDFEB), 104.88088481701516, 1e-9);
    NEAR(TU_CP(r.tr, demand, 12, USA_EV, NDFEB), 110.0, 1e-9);
    NEAR(TU_CP(r.tr, demand, 24, USA_EV, NDFEB), 121.0, 1e-9);
    NEAR(TU_CP(r.tr, demand, 12, USA_EV, SMCO), 11.0, 1e-9);
    NEAR(TU_CP(r.tr, demand, 6, USA_WIND, NDFEB), 44.721359549995796, 1e-9);
    NEAR(TU_CP(r.tr, demand, 12, USA_WIND, NDFEB), 40.0, 1e-9);
    NEAR(TU_CP(r.tr, demand, 24, USA_WIND, NDFEB), 32.0, 1e-9);
    NEAR(TU_SIP(r.tr, shipments, 12, 0, 0, NDFEB), 150.0, 1e-9);
    tu_path_free(&r);
    ms_scenario_free(s);
}

/* Demand shocks: a shock multiplies demand while start <= t < end, several
 * shocks on a cell multiply, and a shock touches only the importers,
 * industries and products it selects.  9 months.
 *   "boom": usa, industry ev, product ndfeb, x1.5 from 2025-03 (month 2)
 *           to 2025-06 (month 5): on in months 2, 3, 4;
 *   "slump": every importer, industry and product, x0.8 from 2025-04-16
 *           (month 3 + 15/30 = 3.5: on from month 4), no end;
 *   "evs":  industries [ev] of every importer, x2 in month 7 only
 *           (2025-08 to 2025-09).
 *   usa.ev ndfeb (100):  months 0-1: 100; 2-3: 150; 4: 100 x 1.5 x 0.8 =
 *                         120; 5-6: 80; 7: 100 x 0.8 x 2 = 160; 8: 80;
 *   usa.ev smco (10):     months 0-3: 10; 4-6: 8; 7: 16; 8: 8 (boom is
 *                         ndfeb only);
 *   usa.wind ndfeb (50):  months 0-3: 50; 4-8: 40 (not ev);
 *   jpn.ev ndfeb (200):   months 0-3: 200; 4-6: 160; 7: 320; 8: 160 (boom
 *                         is usa only).
 * Orders and shipments follow: usa ndfeb in month 4, 120 + 40 = 160 t. */
static void test_shocks(void **st)
{
    (void)st;
    ms_scenario *s = tu_load_fmt(
        TWO, 9, "", "",
        "policies:\n"
        "  - {name: boom, type: demand_shock, importer: usa, industries: [ev], products: ndfeb,\n"
        "     start: 2025-03, end: 2025-06, multiplier: 1.5}\n"
        "  - {name: slump, type: demand_shock, start: 2025-04-16, multiplier: 0.8}\n"
        "  - {name: evs, type: demand_shock, industries: [ev], start: 2025-08, end: 2025-09, multiplier: 2}\n");
    tu_path r = tu_path_run(s, 0);
    double ev[9] = {100, 100, 150, 150, 120, 80, 80, 160, 80};
    double evs[9] = {10, 10, 10, 10, 8, 8, 8, 16, 8};
    double wind[9] = {50, 50, 50, 50, 40, 40, 40, 40, 40};
    double jpn[9] = {200, 200, 200, 200, 160, 160, 160, 320, 160};
    for (int t = 0; t < 9; t++) {
        NEAR(TU_CP(r.tr, demand, t, USA_EV, NDFEB), ev[t], 1e-9);
        NEAR(TU_CP(r.tr, demand, t, USA_EV, SMCO), evs[t], 1e-9);
        NEAR(TU_CP(r.tr, demand, t, USA_WIND, NDFEB), wind[t], 1e-9);
        NEAR(TU_CP(r.tr, demand, t, JPN_EV, NDFEB), jpn[t], 1e-9);
        NEAR(TU_CP(r.tr, orders, t, USA_EV, NDFEB), ev[t], 1e-9);
        NEAR(TU_SIP(r.tr, shipments, t, 0, 0, NDFEB), ev[t] + wind[t], 1e-9);
        NEAR(TU_SIP(r.tr, shipments, t, 0, 1, NDFEB), jpn[t], 1e-9);
        NEAR(TU_CP(r.tr, shortage, t, USA_EV, NDFEB), 0.0, 1e-9);
    }
    tu_path_free(&r);
    ms_scenario_free(s);
}

/* One importer usa, one industry ev of 100 t/month, demand elasticity
 * -0.5, price smoothing 2 months; 6 months.  %s: the policies. */
static const char *ELASTIC =
    "magsim: 1\n"
    "horizon: {start: 2025-01, months: 6}\n"
    "products: {ndfeb: {price_usd_per_kg: 50}}\n"
    "suppliers:\n"
    "  china: {country: CN, capacity_t_per_year: {ndfeb: 1000000}}\n"
    "importers:\n"
    "  usa:\n"
    "    sourcing: {ndfeb: {china: 1}}\n"
    "    transit_months: {default: 0}\n"
    "    demand_elasticity: -0.5\n"
    "    price_smoothing_months: 2\n"
    "    industries:\n"
    "      ev: {demand_t_per_year: {ndfeb: 1200}, cover_months: 0, restore_months: 1}\n"
    "%s";

/* Demand elasticity: D = D0 pibar^eps, pibar the smoothed price index at the
 * end of the previous month.  A 20% tariff on usa's imports from 2025-02
 * (month 1).  Nothing is short (scarcity premium 1) and china's capacity is
 * far above the requests (its price stays 50 USD/kg), so from month 1 the
 * cost index is 50 x 1.2 / 50 = 1.2: pi = 1 in month 0, 1.2 after.
 * pibar += (pi - pibar) / 2: pibar(0) = 1, pibar(1) = 1.1, pibar(2) = 1.15,
 * pibar(3) = 1.175, pibar(4) = 1.1875 (1.2 - 0.2 x 0.5^t).
 * Demand: D(0) = D(1) = 100; D(2) = 100 x 1.1^-0.5 = 95.34625892455922;
 * D(3) = 100 x 1.15^-0.5 = 93.25048082403138; D(4) = 100 x 1.175^-0.5 =
 * 92.25312080288852; D(5) = 100 x 1.1875^-0.5 = 91.76629354822471.
 * Orders and shipments follow demand. */
static void test_elasticity(void **st)
{
    (void)st;
    ms_scenario *s = tu_load_fmt(ELASTIC, "policies:\n"
                                          "  - {name: tar, type: tariff, importer: usa,\n"
                                          "     schedule: [{from: 2025-02, rate: 0.2}]}\n");
    tu_path r = tu_path_run(s, 0);
    double pi[6] = {1, 1.2, 1.2, 1.2, 1.2, 1.2};
    double d[6] = {100, 100, 95.34625892455922, 93.25048082403138, 92.25312080288852, 91.76629354822471};
    for (int t = 0; t < 6; t++) {
        NEAR(TU_IP(r.tr, price_index, t, 0, 0), pi[t], 1e-12);
        NEAR(TU_CP(r.tr, demand, t, 0, 0), d[t], 1e-9);
        NEAR(TU_CP(r.tr, orders, t, 0, 0), d[t], 1e-9);
        NEAR(TU_SIP(r.tr, shipments, t, 0, 0, 0), d[t], 1e-9);
        NEAR(TU_CP(r.tr, shortage, t, 0, 0), 0.0, 1e-9);
    }
    tu_path_free(&r);
    ms_scenario_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_growth),
        cmocka_unit_test(test_shocks),
        cmocka_unit_test(test_elasticity),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
