/*
 * test_step_orders.c - step 3, orders (docs/model.md, "3. Orders"): the
 * order rule, the pipeline target and its lead time, against numbers worked
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

/* cmocka 1.1.5's assert_float_equal compares floats (about 7 digits): doubles are compared here. */
#define NEAR(a, b, tol) assert_true(fabs((double)(a) - (double)(b)) <= (double)(tol))

/* One supplier, one importer "usa" with one industry of 100 t/month.
 * %s: transit, cover, restore months, policies. */
static const char *ONE =
    "magsim: 1\n"
    "horizon: {start: 2025-01, months: 12}\n"
    "products: {ndfeb: {price_usd_per_kg: 50}}\n"
    "suppliers:\n"
    "  china: {country: CN, capacity_t_per_year: {ndfeb: 1000000}}\n"
    "importers:\n"
    "  usa:\n"
    "    sourcing: {ndfeb: {china: 1}}\n"
    "    transit_months: {default: %s}\n"
    "    demand_elasticity: 0\n"
    "    industries:\n"
    "      ev: {demand_t_per_year: {ndfeb: 1200}, cover_months: %s, restore_months: %s}\n"
    "policies:\n"
    "%s";

/* Version 2, item 5: the pipeline target is built on the import need, so
 * recycling at month 0 starts in steady state.  Recycling of 120 t/yr at
 * yield 1 from month 0, no ramp: R = 10 t/month.  Transit 2 months, cover 2
 * months, restore 2 months.  The import need is 100 - 10 = 90 t/month, so
 * the pipeline holds 2 x 90 = 180 t; stock 2 x 100 = 200 t.  Orders:
 * O = 100 + (2 x 100 + (1 - 10/100) x 100 x 2 - (200 + 180)) / 2 = 100 t,
 * of which 10 t are served by recycling and 90 t shipped, every month;
 * stock stays at 200 t.  (Version 1 targeted a pipeline of 200 t: 110 t
 * ordered in month 0, and stocks drifting up.) */
static void test_recycling_steady_state(void **st)
{
    (void)st;
    ms_scenario *s = tu_load_fmt(ONE, "2", "2", "2",
                                 "  - {name: rec, type: recycling, importer: usa, product: ndfeb,\n"
                                 "     capacity_t_per_year: 120, yield: 1, ramp_months: 0}\n");
    tu_path r = tu_path_run(s, 0);
    for (int t = 0; t < 12; t++) {
        assert_float_equal(TU_IP(r.tr, recycled, t, 0, 0), 10.0, 1e-9);
        assert_float_equal(TU_CP(r.tr, orders, t, 0, 0), 100.0, 1e-9);
        assert_float_equal(TU_SIP(r.tr, shipments, t, 0, 0, 0), 90.0, 1e-9);
        assert_float_equal(TU_IP(r.tr, arrivals, t, 0, 0), 90.0, 1e-9);
        assert_float_equal(TU_CP(r.tr, inventory, t, 0, 0), 200.0, 1e-9);
        assert_float_equal(TU_CP(r.tr, shortage, t, 0, 0), 0.0, 0);
    }
    tu_path_free(&r);
    ms_scenario_free(s);
}

/* Version 2, item 5: the expected lead time includes the licence delay.
 * Transit 1, cover 1, restore 1.  A licence on the whole flow from 2025-03
 * (month 2), approval 1, delay 1 month.
 * Month 2: lead time = transit 1 + covered share 1 x delay 1 = 2 months;
 * target position = 100 + 100 x 2 = 300 t; position = 100 t in stock +
 * 100 t in transit: O = 100 + (300 - 200) / 1 = 200 t.  The budget is
 * 1 x 100 t (the pre-control flow): 100 t approved (shipped in month 3,
 * arriving in month 4), 100 t denied, known after the delay (month 3).
 * Month 3: position = 100 in stock + 100 approved + 100 denied not yet known
 * = 300 t = target: O = 100 t.  (Version 1: lead time 1, O = 100 in month 2.) */
static void test_licence_delay_in_lead_time(void **st)
{
    (void)st;
    ms_scenario *s = tu_load_fmt(ONE, "1", "1", "1",
                                 "  - {name: lic, type: export_control, exporter: china, mode: license,\n"
                                 "     start: 2025-03, license: {approval: 1, delay_months: 1}}\n");
    tu_path r = tu_path_run(s, 0);
    double o[4] = {100, 100, 200, 100};
    for (int t = 0; t < 4; t++)
        assert_float_equal(TU_CP(r.tr, orders, t, 0, 0), o[t], 1e-9);
    assert_float_equal(TU_SIP(r.tr, shipments, 2, 0, 0, 0), 0.0, 0);
    assert_float_equal(TU_SIP(r.tr, shipments, 3, 0, 0, 0), 100.0, 1e-9);
    assert_float_equal(TU_IP(r.tr, arrivals, 3, 0, 0), 0.0, 0);
    assert_float_equal(TU_IP(r.tr, arrivals, 4, 0, 0), 100.0, 1e-9);
    tu_path_free(&r);
    ms_scenario_free(s);
}

/* The order rule away from steady state, tau > 1:
 * O = max(0, D + (m D + D Lbar - position) / tau).  Transit 1, cover 2,
 * restore 4; demand x2 in month 2 (2025-03 to 2025-04) and x0.1 from
 * 2025-06 (month 5).  The target is m D + D Lbar = 3 D; the position is the
 * stock plus last month's order, in transit.
 *   t  D    position                target  O                              stock at the end
 *   0  100  200 + 100 = 300         300     100                            200 + 100 - 100 = 200
 *   1  100  200 + 100 = 300         300     100                            200
 *   2  200  200 + 100 = 300 (below) 600     200 + 300/4 = 275              200 + 100 - 200 = 100
 *   3  100  100 + 275 = 375 (above) 300     100 - 75/4 = 81.25             100 + 275 - 100 = 275
 *   4  100  275 + 81.25 = 356.25    300     100 - 56.25/4 = 85.9375        275 + 81.25 - 100 = 256.25
 *   5  10   256.25 + 85.9375        30      10 - 312.1875/4 < 0: 0         256.25 + 85.9375 - 10 = 332.1875
 *           = 342.1875
 *   6  10   332.1875                30      10 - 302.1875/4 < 0: 0         322.1875
 * and so on: nothing ordered while the position is above 70 t, the stock
 * falling by 10 t a month (322.1875 - 10 (t - 6)).  Each order departs at
 * once and arrives a month later; nobody is short. */
static void test_order_rule_off_target(void **st)
{
    (void)st;
    ms_scenario *s = tu_load_fmt(ONE, "1", "2", "4",
                                 "  - {name: up, type: demand_shock, start: 2025-03, end: 2025-04, multiplier: 2}\n"
                                 "  - {name: down, type: demand_shock, start: 2025-06, multiplier: 0.1}\n");
    tu_path r = tu_path_run(s, 0);
    double D[7] = {100, 100, 200, 100, 100, 10, 10};
    double O[7] = {100, 100, 275, 81.25, 85.9375, 0, 0};
    double I[7] = {200, 200, 100, 275, 256.25, 332.1875, 322.1875};
    for (int t = 0; t < 12; t++) {
        NEAR(TU_CP(r.tr, demand, t, 0, 0), t < 7 ? D[t] : 10.0, 1e-9);
        NEAR(TU_CP(r.tr, orders, t, 0, 0), t < 7 ? O[t] : 0.0, 1e-9);
        NEAR(TU_SIP(r.tr, shipments, t, 0, 0, 0), t < 7 ? O[t] : 0.0, 1e-9);
        NEAR(TU_IP(r.tr, arrivals, t, 0, 0), t == 0 ? 100.0 : (t < 8 ? O[t - 1] : 0.0), 1e-9);
        NEAR(TU_CP(r.tr, inventory, t, 0, 0), t < 7 ? I[t] : 322.1875 - 10.0 * (t - 6), 1e-9);
        NEAR(TU_CP(r.tr, shortage, t, 0, 0), 0.0, 1e-9);
    }
    tu_path_free(&r);
    ms_scenario_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_recycling_steady_state),
        cmocka_unit_test(test_licence_delay_in_lead_time),
        cmocka_unit_test(test_order_rule_off_target),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
