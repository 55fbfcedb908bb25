/*
 * test_step_export_controls.c - step 6, export controls (docs/model.md,
 * "6. Export controls"), and the charges of step 7, against numbers worked
 * out by hand.
 *
 * Each test runs a small scenario through the real engine with fixed inputs
 * and checks the trace month by month; the comment above it is the hand
 * computation.  Unless a test says otherwise: transit 0, one industry "ev",
 * restore time 1 month (so an order is D + the whole gap), no price
 * feedback, no hoarding, diversion 0.
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

/* One supplier "china" with ample capacity of two products, one importer
 * "usa" whose industry "ev" uses 100 t/month of ndfeb and 10 t/month of
 * smco.  %s: the product list (order of the file), transit, cover,
 * policies. */
static const char *TWO_PRODUCTS =
    "magsim: 1\n"
    "horizon: {start: 2025-01, months: 8}\n"
    "products: {%s}\n"
    "suppliers:\n"
    "  china: {country: CN, capacity_t_per_year: {ndfeb: 1000000, smco: 1000000}}\n"
    "importers:\n"
    "  usa:\n"
    "    sourcing: {ndfeb: {china: 1}, smco: {china: 1}}\n"
    "    transit_months: {default: %s}\n"
    "    demand_elasticity: 0\n"
    "    industries:\n"
    "      ev: {demand_t_per_year: {ndfeb: 1200, smco: 120}, cover_months: %s, restore_months: 1}\n"
    "policies:\n"
    "%s";

static const char *ND_FIRST = "ndfeb: {price_usd_per_kg: 50}, smco: {price_usd_per_kg: 120}";
static const char *SM_FIRST = "smco: {price_usd_per_kg: 120}, ndfeb: {price_usd_per_kg: 50}";

/* Version 2, item 1: a licence budget is per flow.  A licence over both
 * products from 2025-04 (month 3), approval 0.5, no delay.  In month 3 the
 * importer orders its demand (stock at target, nothing on order): 100 t of
 * ndfeb and 10 t of smco.  Each flow's budget is a x its pre-control flow:
 * 0.5 x 100 = 50 t of ndfeb and 0.5 x 10 = 5 t of smco, whatever the order
 * of the products in the file.  A quota of 55 t/month over both products
 * passes 55 / (100 + 10) = 1/2 of each: the same 50 t and 5 t. */
static void test_budget_per_flow(void **st)
{
    (void)st;
    const char *pol[] = {
        "  - {name: lic, type: export_control, exporter: china, products: all, mode: license,\n"
        "     start: 2025-04, license: {approval: 0.5}}\n",
        "  - {name: q, type: export_control, exporter: china, products: all, mode: quota,\n"
        "     start: 2025-04, quota_t_per_month: 55}\n",
    };
    for (int k = 0; k < 2; k++)
        for (int order = 0; order < 2; order++) {
            ms_scenario *s = tu_load_fmt(TWO_PRODUCTS, order ? SM_FIRST : ND_FIRST, "0", "1", pol[k]);
            tu_path r = tu_path_run(s, 0);
            int nd = ms_scenario_product(s, "ndfeb"), sm = ms_scenario_product(s, "smco");
            for (int t = 0; t < 3; t++) {
                assert_float_equal(TU_SIP(r.tr, shipments, t, 0, 0, nd), 100.0, 1e-9);
                assert_float_equal(TU_SIP(r.tr, shipments, t, 0, 0, sm), 10.0, 1e-9);
            }
            assert_float_equal(TU_SIP(r.tr, requests, 3, 0, 0, nd), 100.0, 1e-9);
            assert_float_equal(TU_SIP(r.tr, requests, 3, 0, 0, sm), 10.0, 1e-9);
            assert_float_equal(TU_SIP(r.tr, shipments, 3, 0, 0, nd), 50.0, 1e-9);
            assert_float_equal(TU_SIP(r.tr, shipments, 3, 0, 0, sm), 5.0, 1e-9);
            tu_path_free(&r);
            ms_scenario_free(s);
        }
}

/* One supplier, one product, one importer: 100 t/month.  %s: transit,
 * cover, policies. */
static const char *ONE =
    "magsim: 1\n"
    "horizon: {start: 2025-01, months: 8}\n"
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
    "policies:\n"
    "%s";

/* Version 2, item 3: an importer learns of a denial when it is decided.
 * Transit 1 month, cover 1 month (100 t), so before the control the
 * position is 100 t in stock + 100 t in transit.  A licence from 2025-03
 * (month 2) approving nothing (approval 0), delay 1 month.
 * Month 2: the expected lead time is transit 1 + the licence delay 1 (the
 * whole flow is covered) = 2 months, so the target position is
 * 100 + 100 x 2 = 300 t; the position is 200 t: O = 100 + (300 - 200) / 1 =
 * 200 t, all denied.  Month 2's allocation: last month's 100 t arrive and
 * are consumed; stock 100 t.
 * Month 3, decision after 1 month (the default, = delay): the 200 t denied
 * are still on order: position 100 + 200 = 300 t, O = 100 + 0 = 100 t.
 * Month 3, decision_months 0: the denial was known in month 2, nothing is
 * on order: position 100 t, O = 100 + (300 - 100) = 300 t.
 * A ban (known at once; no licence delay, lead time 1): month 2, position
 * 200 = target 200, O = 100, denied; month 3: 100 t in stock, nothing on
 * order, O = 100 + (200 - 100) = 200 t. */
static void test_denial_known_when_decided(void **st)
{
    (void)st;
    const char *pol[] = {
        "  - {name: lic, type: export_control, exporter: china, mode: license, start: 2025-03,\n"
        "     license: {approval: 0, delay_months: 1}}\n",
        "  - {name: lic, type: export_control, exporter: china, mode: license, start: 2025-03,\n"
        "     license: {approval: 0, delay_months: 1, decision_months: 0}}\n",
        "  - {name: ban, type: export_control, exporter: china, mode: ban, start: 2025-03}\n",
    };
    double o2[] = {200, 200, 100}, o3[] = {100, 300, 200};
    for (int k = 0; k < 3; k++) {
        ms_scenario *s = tu_load_fmt(ONE, "1", "1", pol[k]);
        tu_path r = tu_path_run(s, 0);
        assert_float_equal(TU_CP(r.tr, orders, 1, 0, 0), 100.0, 1e-9);
        assert_float_equal(TU_CP(r.tr, orders, 2, 0, 0), o2[k], 1e-9);
        assert_float_equal(TU_CP(r.tr, orders, 3, 0, 0), o3[k], 1e-9);
        assert_float_equal(TU_SIP(r.tr, shipments, 2, 0, 0, 0), 0.0, 0);
        assert_float_equal(TU_CP(r.tr, inventory, 2, 0, 0), 100.0, 1e-9);
        tu_path_free(&r);
        ms_scenario_free(s);
    }
}

/* Version 2, item 6: stacked controls charge what the earlier one passed.
 * Two licences on the same flow from 2025-04 (month 3), approval 0.5 each,
 * no delay.  Month 3: 100 t asked.  The first approves min(100, 0.5 x 100)
 * = 50 t; the second sees the 50 t the first passed and its own budget of
 * 0.5 x 100 = 50 t: it approves all 50.  50 t ship (not 0.5 x 0.5 x 100 =
 * 25 t, as if each control saw the whole request). */
static void test_stacked_controls(void **st)
{
    (void)st;
    ms_scenario *s = tu_load_fmt(ONE, "0", "1",
                                 "  - {name: a, type: export_control, exporter: china, mode: license,\n"
                                 "     start: 2025-04, license: {approval: 0.5}}\n"
                                 "  - {name: b, type: export_control, exporter: china, mode: license,\n"
                                 "     start: 2025-04, license: {approval: 0.5}}\n");
    tu_path r = tu_path_run(s, 0);
    assert_float_equal(TU_SIP(r.tr, requests, 3, 0, 0, 0), 100.0, 1e-9);
    assert_float_equal(TU_SIP(r.tr, shipments, 3, 0, 0, 0), 50.0, 1e-9);
    tu_path_free(&r);
    ms_scenario_free(s);
}

/* Version 2, item 6: budgets and quotas are charged for what ships, after
 * capacity rationing.  A quota of 60 t/month from month 0 on china's
 * exports of both products to every destination.  usa asks china for its
 * 100 t of ndfeb; china can export only 30 t/month of ndfeb (360 t/yr).
 * jpn takes 100 t/month of smco from "japan", which is out for the whole
 * horizon (an outage from month 0, hazard 1, cut 1, 12 months); jpn diverts
 * half of what it misses.
 * Month 0, first requests: the quota's covered volume is usa's 100 t of
 * ndfeb, so it passes 60/100 of it: 60 t; china's ndfeb capacity rations
 * that to 30 t, and the quota is charged 30 t (30 t left).
 * Diversion: jpn missed 100 t of smco and re-requests 0.5 x 100 = 50 t from
 * the suppliers with spare smco capacity: china.  The quota passes what is
 * left of it, 30 t, of those 50 t: jpn gets 30 t of smco from china (none
 * if the rationed ndfeb had been charged at the 60 t the quota passed).
 * usa's 70 t missed of ndfeb find no other supplier of ndfeb. */
static void test_charged_for_what_ships(void **st)
{
    (void)st;
    ms_scenario *s = tu_load_text(
        "test.yaml",
        "magsim: 1\n"
        "horizon: {start: 2025-01, months: 12}\n"
        "products: {ndfeb: {price_usd_per_kg: 50}, smco: {price_usd_per_kg: 120}}\n"
        "suppliers:\n"
        "  china: {country: CN, capacity_t_per_year: {ndfeb: 360, smco: 1000000}}\n"
        "  japan: {country: JP, capacity_t_per_year: {smco: 1000000},\n"
        "          outages: {hazard_per_month: 1, duration_months: 12, cut: 1}}\n"
        "importers:\n"
        "  usa:\n"
        "    sourcing: {ndfeb: {china: 1}}\n"
        "    transit_months: {default: 0}\n"
        "    switching: {diversion: 0.5}\n"
        "    demand_elasticity: 0\n"
        "    industries:\n"
        "      ev: {demand_t_per_year: {ndfeb: 1200}, cover_months: 1, restore_months: 1}\n"
        "  jpn:\n"
        "    sourcing: {smco: {japan: 1}}\n"
        "    transit_months: {default: 0}\n"
        "    switching: {diversion: 0.5}\n"
        "    demand_elasticity: 0\n"
        "    industries:\n"
        "      motors: {demand_t_per_year: {smco: 1200}, cover_months: 1, restore_months: 1}\n"
        "policies:\n"
        "  - {name: q, type: export_control, exporter: china, mode: quota, start: 2025-01,\n"
        "     quota_t_per_month: 60}\n");
    tu_path r = tu_path_run(s, 0);
    int china = ms_scenario_supplier(s, "china"), usa = ms_scenario_importer(s, "usa");
    int jpn = ms_scenario_importer(s, "jpn"), nd = ms_scenario_product(s, "ndfeb"), sm = ms_scenario_product(s, "smco");
    assert_float_equal(TU_SIP(r.tr, shipments, 0, china, usa, nd), 30.0, 1e-9);
    assert_float_equal(TU_SIP(r.tr, shipments, 0, china, jpn, sm), 30.0, 1e-9);
    tu_path_free(&r);
    ms_scenario_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_budget_per_flow),
        cmocka_unit_test(test_denial_known_when_decided),
        cmocka_unit_test(test_stacked_controls),
        cmocka_unit_test(test_charged_for_what_ships),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
