/*
 * test_step_secondary_supply.c - step 4, domestic secondary supply
 * (docs/model.md, "4. Domestic secondary supply"): recycling plants, their
 * ramp, feedstock and yield, and how the recycled tonnes serve the orders;
 * against numbers worked out by hand through the real engine with fixed
 * inputs.
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

/* usa: ev (100 t/month) and wind (50 t/month), both priority 1, restore
 * 1.  Cells: 0 ev, 1 wind.  %d: months; %s: the transit, ev's and wind's
 * cover months, the policies. */
static const char *REC =
    "magsim: 1\n"
    "horizon: {start: 2025-01, months: %d}\n"
    "products: {ndfeb: {price_usd_per_kg: 50}}\n"
    "suppliers:\n"
    "  china: {country: CN, capacity_t_per_year: {ndfeb: 1000000}}\n"
    "importers:\n"
    "  usa:\n"
    "    sourcing: {ndfeb: {china: 1}}\n"
    "    transit_months: {default: %s}\n"
    "    demand_elasticity: 0\n"
    "    industries:\n"
    "      ev: {demand_t_per_year: {ndfeb: 1200}, cover_months: %s, restore_months: 1}\n"
    "      wind: {demand_t_per_year: {ndfeb: 600}, cover_months: %s, restore_months: 1}\n"
    "policies:\n"
    "%s";

/* R = sum over plants of yield x min(capacity x ramp(t; start, ramp) / 12,
 * feedstock / 12).  8 months, transit 0, no cover.
 * Plant "new": 600 t/yr (50 t/month at full ramp), feedstock 360 t/yr
 * (30 t/month), yield 0.5, ramp 4 months from 2025-03 (month 2):
 *   ramp(2) = 0; ramp(3) = 0.25^2 (3 - 0.5) = 0.15625: min(7.8125, 30) x 0.5
 *   = 3.90625; ramp(4) = 0.5^2 x 2 = 0.5: min(25, 30) x 0.5 = 12.5;
 *   ramp(5) = 0.75^2 x 1.5 = 0.84375: min(42.1875, 30) x 0.5 = 15 (the
 *   feedstock binds); from month 6: min(50, 30) x 0.5 = 15.
 * Plant "old": 120 t/yr, yield 1, no ramp, from the horizon start, feedstock
 * unlimited: 10 t/month.
 * R = 10, 10, 10, 13.90625, 22.5, 25, 25, 25.  Orders are the demand (no
 * cover, no transit, 150 t), recycling serves R of them and the rest is
 * shipped: 150 - R.  Month 0 is in steady state with R(0) = 10 (import need
 * 140 t).  Nobody is short and no stock builds. */
static void test_recycling_ramp_feedstock_yield(void **st)
{
    (void)st;
    ms_scenario *s = tu_load_fmt(REC, 8, "0", "0", "0",
                                 "  - {name: new, type: recycling, importer: usa, product: ndfeb,\n"
                                 "     capacity_t_per_year: 600, feedstock_t_per_year: 360, yield: 0.5,\n"
                                 "     ramp_months: 4, start: 2025-03}\n"
                                 "  - {name: old, type: recycling, importer: usa, product: ndfeb,\n"
                                 "     capacity_t_per_year: 120, yield: 1, ramp_months: 0}\n");
    tu_path r = tu_path_run(s, 0);
    double R[8] = {10, 10, 10, 13.90625, 22.5, 25, 25, 25};
    for (int t = 0; t < 8; t++) {
        NEAR(TU_IP(r.tr, recycled, t, 0, 0), R[t], 1e-9);
        NEAR(TU_CP(r.tr, orders, t, 0, 0), 100.0, 1e-9);
        NEAR(TU_CP(r.tr, orders, t, 1, 0), 50.0, 1e-9);
        NEAR(TU_SIP(r.tr, requests, t, 0, 0, 0), 150.0 - R[t], 1e-9);
        NEAR(TU_SIP(r.tr, shipments, t, 0, 0, 0), 150.0 - R[t], 1e-9);
        NEAR(TU_CP(r.tr, received, t, 0, 0), 100.0, 1e-9);
        NEAR(TU_CP(r.tr, received, t, 1, 0), 50.0, 1e-9);
        NEAR(TU_CP(r.tr, shortage, t, 0, 0), 0.0, 1e-9);
        NEAR(TU_CP(r.tr, inventory, t, 0, 0), 0.0, 1e-9);
        NEAR(TU_CP(r.tr, inventory, t, 1, 0), 0.0, 1e-9);
    }
    tu_path_free(&r);
    ms_scenario_free(s);
}

/* Recycling is served pro rata to orders: rc[k] = min(R, sum O) O[k] / sum O.
 * 8 months, transit 0.  R = 50 t/month from month 0 (600 t/yr, yield 1, no
 * ramp); ev has 1 month of cover (100 t), wind none.  A ban on all of usa's imports from 2025-02
 * (month 1), known at once.
 * Month 0: orders ev 100, wind 50; recycling serves 100/3 and 50/3, the
 * other 100 t are shipped and arrive: both receive their orders; ev keeps
 * 100 t.
 * Month 1: the same orders, 100 t denied; the pool is R = 50 t against
 * claims of 100 (ev) and 50 (wind): ev 100/3, wind 50/3.  ev consumes 100
 * out of 100 + 100/3, keeping 100/3; wind is short 100/3.
 * Month 2: ev orders 100 + (100 - 100/3) = 500/3, wind 50 (sum 650/3): ev
 * receives 50 x 500/650 = 500/13 = 38.46, wind 150/13 = 11.54 (in
 * proportion to demand it would be 33.33 and 16.67); ev short
 * 100 - 100/3 - 500/13 = 1100/39 = 28.21, wind 500/13 = 38.46.
 * From month 3: ev orders 200, wind 50: ev receives 40 (short 60), wind 10
 * (short 40). */
static void test_recycling_pro_rata_to_orders(void **st)
{
    (void)st;
    ms_scenario *s = tu_load_fmt(REC, 8, "0", "1", "0",
                                 "  - {name: rec, type: recycling, importer: usa, product: ndfeb,\n"
                                 "     capacity_t_per_year: 600, yield: 1, ramp_months: 0}\n"
                                 "  - {name: ban, type: export_control, exporter: china, mode: ban, start: 2025-02}\n");
    tu_path r = tu_path_run(s, 0);
    double oe[8] = {100, 100, 500.0 / 3, 200, 200, 200, 200, 200};
    double re[8] = {100, 100.0 / 3, 500.0 / 13, 40, 40, 40, 40, 40};
    double rw[8] = {50, 50.0 / 3, 150.0 / 13, 10, 10, 10, 10, 10};
    double se[8] = {0, 0, 1100.0 / 39, 60, 60, 60, 60, 60};
    double ie[8] = {100, 100.0 / 3, 0, 0, 0, 0, 0, 0};
    for (int t = 0; t < 8; t++) {
        NEAR(TU_IP(r.tr, recycled, t, 0, 0), 50.0, 1e-9);
        NEAR(TU_CP(r.tr, orders, t, 0, 0), oe[t], 1e-9);
        NEAR(TU_CP(r.tr, orders, t, 1, 0), 50.0, 1e-9);
        NEAR(TU_SIP(r.tr, requests, t, 0, 0, 0), oe[t], 1e-9); /* sum O - R = O_ev + 50 - 50 */
        NEAR(TU_SIP(r.tr, shipments, t, 0, 0, 0), t == 0 ? 100.0 : 0.0, 1e-9);
        NEAR(TU_CP(r.tr, received, t, 0, 0), re[t], 1e-9);
        NEAR(TU_CP(r.tr, received, t, 1, 0), rw[t], 1e-9);
        NEAR(TU_CP(r.tr, shortage, t, 0, 0), se[t], 1e-9);
        NEAR(TU_CP(r.tr, shortage, t, 1, 0), 50.0 - rw[t], 1e-9);
        NEAR(TU_CP(r.tr, inventory, t, 0, 0), ie[t], 1e-9);
    }
    tu_path_free(&r);
    ms_scenario_free(s);
}

/* Where the recycled tonnes go shows when imports take a month: an industry
 * receives now its claims due (last month's import orders) and its share of
 * this month's recycling, in proportion to the part of its order that is
 * this month's use, q = min(O, D), at most its order (docs/model.md step 3).
 * 5 months, transit 1, cover 1 month for both.  R = 50 t/month (600 t/yr,
 * yield 1, no ramp); ev's demand doubles in month 2 (a shock from 2025-03
 * to 2025-04).  Stocks: ev 100 t, wind 50 t; the pipeline holds the import
 * need of a month, 100 t, claimed 200/3 (ev) and 100/3 (wind).  Lead time 1,
 * recycled share rho = R / sum D.
 * Months 0-1 (rho = 1/3): ev orders 100 + (100 + 2/3 x 100 - (100 + 200/3))
 * = 100, wind 50 + (50 + 2/3 x 50 - (50 + 100/3)) = 50; q = (100, 50):
 * recycling serves 100/3 and 50/3; both receive their demand.
 * Month 2: D_ev = 200, rho = 50/250 = 0.2.  ev: 200 + (200 + 0.8 x 200 -
 * (100 + 200/3)) = 1180/3; wind: 50 + (50 + 0.8 x 50 - (50 + 100/3)) =
 * 170/3; sum 450.  q = (200, 50): recycling ev 40, wind 10 (split by the
 * orders, ev's pipeline refill would take 43.70 and leave wind 6.30).
 * Import orders 1060/3 and 140/3, N = 400.  The pool, 100 + 50 = 150, meets
 * the claims: ev receives 200/3 + 40 = 320/3 and keeps 100 + 320/3 - 200 =
 * 20/3; wind receives 100/3 + 10 = 130/3 and keeps 130/3.
 * Month 3 (rho = 1/3): ev's position 20/3 + 1060/3 = 360 is far above its
 * target 500/3: it orders 0; wind's position 130/3 + 140/3 = 90: it orders
 * 50 + (250/3 - 90) = 130/3, all served by recycling (q = (0, 130/3); N =
 * 0).  The pool, 400 + 50, exceeds the claims (1060/3 for ev, 140/3 + 130/3
 * for wind) by 20/3, left to stocks in proportion to demand: ev receives
 * 1060/3 + 40/9 = 3220/9, wind 90 + 20/9 = 830/9.  Nobody is short. */
static void test_recycling_served_with_the_orders(void **st)
{
    (void)st;
    ms_scenario *s = tu_load_fmt(REC, 5, "1", "1", "1",
                                 "  - {name: rec, type: recycling, importer: usa, product: ndfeb,\n"
                                       "     capacity_t_per_year: 600, yield: 1, ramp_months: 0}\n"
                                       "  - {name: boom, type: demand_shock, industries: [ev], multiplier: 2,\n"
                                       "     start: 2025-03, end: 2025-04}\n");
    tu_path r = tu_path_run(s, 0);
    double oe[4] = {100, 100, 1180.0 / 3, 0}, ow[4] = {50, 50, 170.0 / 3, 130.0 / 3};
    double re[4] = {100, 100, 320.0 / 3, 3220.0 / 9}, rw[4] = {50, 50, 130.0 / 3, 830.0 / 9};
    double ship[4] = {100, 100, 400, 0};
    for (int t = 0; t < 4; t++) {
        NEAR(TU_CP(r.tr, orders, t, 0, 0), oe[t], 1e-9);
        NEAR(TU_CP(r.tr, orders, t, 1, 0), ow[t], 1e-9);
        NEAR(TU_SIP(r.tr, shipments, t, 0, 0, 0), ship[t], 1e-9);
        NEAR(TU_CP(r.tr, received, t, 0, 0), re[t], 1e-9);
        NEAR(TU_CP(r.tr, received, t, 1, 0), rw[t], 1e-9);
        NEAR(TU_CP(r.tr, shortage, t, 0, 0), 0.0, 1e-9);
        NEAR(TU_CP(r.tr, shortage, t, 1, 0), 0.0, 1e-9);
    }
    NEAR(TU_CP(r.tr, inventory, 2, 0, 0), 20.0 / 3, 1e-9);
    NEAR(TU_CP(r.tr, inventory, 2, 1, 0), 130.0 / 3, 1e-9);
    tu_path_free(&r);
    ms_scenario_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_recycling_ramp_feedstock_yield),
        cmocka_unit_test(test_recycling_pro_rata_to_orders),
        cmocka_unit_test(test_recycling_served_with_the_orders),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
