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

/* The licence delay and its fractional split (docs/model.md, steps 6 and
 * 8).  Transit 1 month, cover 1 month: before the control 100 t in stock
 * and 100 t in transit.  A licence from 2025-03 (month 2), approval 1 (the
 * flow's budget is its baseline, 100 t), delay 1.25 months; a denial is
 * known after the same 1.25 months.
 * Month 2: expected lead time 1 + 1.25 = 2.25, target 100 + 100 x 2.25 =
 * 325 t, position 100 + 100 = 200: O = 100 + 125 = 225 t.  Approved 100,
 * which departs 3/4 after 1 month (month 3: 75 t) and 1/4 after 2 (month 4:
 * 25 t), arriving a month later (months 4: 75, 5: 25).  Denied 125 t, known
 * 3/4 in month 3 (93.75) and 1/4 in month 4 (31.25).  Last month's 100 t
 * arrive: stock 100.
 * Month 3: on order 93.75 + 31.25 + 75 + 25 = 225, position 325 = target:
 * O = 100, approved: departs 75 in month 4 and 25 in month 5.  Nothing
 * arrives (nothing left in month 2): the stock of 100 is consumed, 0 left.
 * Month 4: on order 106.25 (due in 4) + 100 (due in 5) + 25 (due in 6) =
 * 231.25: O = 100 + 325 - 231.25 = 193.75, of which 100 approved.  75 t
 * arrive: consumption 75.
 * Departures: month 2: 0, 3: 75, 4: 25 + 75 = 100, 5: 25 + 75 = 100.
 * Arrivals: month 3: 0, 4: 75, 5: 25 + 75 = 100. */
static void test_licence_delay_split(void **st)
{
    (void)st;
    ms_scenario *s = tu_load_fmt(ONE, "1", "1",
                                 "  - {name: lic, type: export_control, exporter: china, mode: license,\n"
                                 "     start: 2025-03, license: {approval: 1, delay_months: 1.25}}\n");
    tu_path r = tu_path_run(s, 0);
    double orders[] = {100, 100, 225, 100, 193.75};
    double ships[] = {100, 100, 0, 75, 100, 100};
    double arrivals[] = {100, 100, 100, 0, 75, 100};
    for (int t = 0; t < 5; t++)
        assert_float_equal(TU_CP(r.tr, orders, t, 0, 0), orders[t], 1e-9);
    for (int t = 0; t < 6; t++) {
        assert_float_equal(TU_SIP(r.tr, shipments, t, 0, 0, 0), ships[t], 1e-9);
        assert_float_equal(TU_IP(r.tr, arrivals, t, 0, 0), arrivals[t], 1e-9);
    }
    assert_float_equal(TU_CP(r.tr, consumption, 3, 0, 0), 100.0, 1e-9);
    assert_float_equal(TU_CP(r.tr, inventory, 3, 0, 0), 0.0, 1e-9);
    assert_float_equal(TU_CP(r.tr, consumption, 4, 0, 0), 75.0, 1e-9);
    assert_float_equal(TU_CP(r.tr, shortage, 4, 0, 0), 25.0, 1e-9);
    tu_path_free(&r);
    ms_scenario_free(s);
}

/* An affected share below 1 and a general licence.  Transit 0, cover 0.  A
 * licence from 2025-03 (month 2), affected 0.5, general_license 0.2:
 * covered share cov = 0.5 x (1 - 0.2) = 0.4, free share 0.6; approval 0.5,
 * so the flow's budget is 0.5 x 0.4 x 100 = 20 t; delay 1 month (and a
 * denial known after 1 month).
 * Month 2: lead time 0.4 x 1 = 0.4 month, target 40 t, position 0: O = 140.
 * Free 0.6 x 140 = 84 t ship at once; of the covered 56 t, 20 approved
 * (ship in month 3), 36 denied (known in month 3).  84 t consumed.
 * Month 3: on order 20 + 36 = 56: O = 100 + 40 - 56 = 84; free 50.4 at
 * once, 20 approved, 13.6 denied.  Shipments: 20 + 50.4 = 70.4.
 * Month 4: on order 20 + 13.6 = 33.6: O = 100 + 40 - 33.6 = 106.4; free
 * 63.84; shipments 20 + 63.84 = 83.84.
 * (Without the general licence, cov 0.5: month 2 ships 75 t.) */
static void test_affected_general_licence(void **st)
{
    (void)st;
    ms_scenario *s = tu_load_fmt(ONE, "0", "0",
                                 "  - {name: lic, type: export_control, exporter: china, mode: license,\n"
                                 "     start: 2025-03, affected: 0.5, general_license: 0.2,\n"
                                 "     license: {approval: 0.5, delay_months: 1}}\n");
    tu_path r = tu_path_run(s, 0);
    double orders[] = {100, 100, 140, 84, 106.4};
    double ships[] = {100, 100, 84, 70.4, 83.84};
    for (int t = 0; t < 5; t++) {
        assert_float_equal(TU_CP(r.tr, orders, t, 0, 0), orders[t], 1e-9);
        assert_float_equal(TU_SIP(r.tr, shipments, t, 0, 0, 0), ships[t], 1e-9);
    }
    assert_float_equal(TU_CP(r.tr, consumption, 2, 0, 0), 84.0, 1e-9);
    tu_path_free(&r);
    ms_scenario_free(s);
}

/* The licence budget grows with the importer's baseline demand, not with
 * its orders.  Transit 0, cover 0 (so orders = demand).  usa's "ev" uses
 * 100 t/month growing 44% a year, gf(t) = 1.44^(t/12); "motors" 50 t/month,
 * no growth; from 2025-05 (month 4) a demand shock doubles ev's demand.  A
 * licence from 2025-03 (month 2), approval 0.5: B0 = 150 t, G(t) = (100
 * gf(t) + 50) / 150, budget 0.5 x 150 x G = 50 gf(t) + 25 t.
 * Requests 100 gf (x 2 from month 4) + 50 exceed it: shipments from month 2
 * are 50 gf(t) + 25; in month 6 (gf = 1.2): 85 t of 2 x 120 + 50 = 290 t
 * asked (not 75, without growth; not 90 = 0.5 x 150 x 1.2, with ev's growth
 * for the whole flow).  Months 0, 1: 100 gf + 50. */
static void test_budget_grows_with_baseline(void **st)
{
    (void)st;
    ms_scenario *s = tu_load_text(
        "test.yaml",
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
        "    industries:\n"
        "      ev: {demand_t_per_year: {ndfeb: 1200}, growth: 0.44, cover_months: 0, restore_months: 1}\n"
        "      motors: {demand_t_per_year: {ndfeb: 600}, cover_months: 0, restore_months: 1}\n"
        "policies:\n"
        "  - {name: sh, type: demand_shock, importer: usa, industries: [ev], start: 2025-05, multiplier: 2}\n"
        "  - {name: lic, type: export_control, exporter: china, mode: license, start: 2025-03,\n"
        "     license: {approval: 0.5}}\n");
    tu_path r = tu_path_run(s, 0);
    for (int t = 0; t < 8; t++) {
        double gf = pow(1.44, t / 12.0);
        double asked = 100 * gf * (t >= 4 ? 2 : 1) + 50;
        assert_float_equal(TU_SIP(r.tr, requests, t, 0, 0, 0), asked, 1e-9);
        assert_float_equal(TU_SIP(r.tr, shipments, t, 0, 0, 0), t < 2 ? asked : 50 * gf + 25, 1e-9);
    }
    assert_float_equal(TU_SIP(r.tr, shipments, 6, 0, 0, 0), 85.0, 1e-9);
    tu_path_free(&r);
    ms_scenario_free(s);
}

/* Quota: pro rata over destinations and products, at once, and what the
 * first pass left for diverted requests.  Transit 0, cover 0, month 0.
 * china exports ndfeb and smco; "japan" (smco) is out for the whole horizon
 * (outage from month 0, hazard 1, cut 1).  usa asks china for 100 t of
 * ndfeb and 20 of smco (no diversion); jpn asks china for 80 t of ndfeb and
 * japan for 200 t of smco, and diverts half of what it misses.  A quota on
 * china's exports of both products to every destination from month 0.
 * Covered volume A = 100 + 20 + 80 = 200 t.
 * - Q = 150: each flow passes 150 / 200 = 0.75 at once: 75, 15, 60 t.  The
 *   quota is spent: jpn's diverted smco (0.5 x 200 = 100 t to china, the
 *   only smco supplier with spare capacity that did not fail it) passes 0.
 * - Q = 250: A <= Q, all pass (100, 20, 80), 50 t left; the diverted 100 t
 *   of smco pass 50 / 100: 50 t ship from china to jpn.
 * - Q = 60 on an affected share 0.5: A = 0.5 x 200 = 100 t, each flow passes
 *   its free half and 60 / 100 of its covered half, 0.5 + 0.5 x 0.6 = 0.8:
 *   80, 16, 64 t.  The quota is spent, but the free half of the diverted
 *   100 t passes: 50 t. */
static void test_quota_pro_rata(void **st)
{
    (void)st;
    const char *yaml =
        "magsim: 1\n"
        "horizon: {start: 2025-01, months: 4}\n"
        "products: {ndfeb: {price_usd_per_kg: 50}, smco: {price_usd_per_kg: 120}}\n"
        "suppliers:\n"
        "  china: {country: CN, capacity_t_per_year: {ndfeb: 1000000, smco: 1000000}}\n"
        "  japan: {country: JP, capacity_t_per_year: {smco: 1000000},\n"
        "          outages: {hazard_per_month: 1, duration_months: 12, cut: 1}}\n"
        "importers:\n"
        "  usa:\n"
        "    sourcing: {ndfeb: {china: 1}, smco: {china: 1}}\n"
        "    transit_months: {default: 0}\n"
        "    switching: {diversion: 0}\n"
        "    demand_elasticity: 0\n"
        "    industries:\n"
        "      ev: {demand_t_per_year: {ndfeb: 1200, smco: 240}, cover_months: 0, restore_months: 1}\n"
        "  jpn:\n"
        "    sourcing: {ndfeb: {china: 1}, smco: {japan: 1}}\n"
        "    transit_months: {default: 0}\n"
        "    switching: {diversion: 0.5}\n"
        "    demand_elasticity: 0\n"
        "    industries:\n"
        "      motors: {demand_t_per_year: {ndfeb: 960, smco: 2400}, cover_months: 0, restore_months: 1}\n"
        "policies:\n"
        "  - {name: q, type: export_control, exporter: china, mode: quota, start: 2025-01,\n"
        "     quota_t_per_month: %s}\n";
    const char *q[] = {"150", "250", "60, affected: 0.5"};
    double want[3][4] = {{75, 15, 60, 0}, {100, 20, 80, 50}, {80, 16, 64, 50}}; /* usa nd, usa sm, jpn nd, jpn sm */
    for (int k = 0; k < 3; k++) {
        ms_scenario *s = tu_load_fmt(yaml, q[k]);
        tu_path r = tu_path_run(s, 0);
        int cn = ms_scenario_supplier(s, "china"), jp = ms_scenario_supplier(s, "japan");
        int usa = ms_scenario_importer(s, "usa"), jpn = ms_scenario_importer(s, "jpn");
        int nd = ms_scenario_product(s, "ndfeb"), sm = ms_scenario_product(s, "smco");
        assert_float_equal(TU_SIP(r.tr, requests, 0, cn, usa, nd), 100.0, 1e-9);
        assert_float_equal(TU_SIP(r.tr, requests, 0, cn, usa, sm), 20.0, 1e-9);
        assert_float_equal(TU_SIP(r.tr, requests, 0, cn, jpn, nd), 80.0, 1e-9);
        assert_float_equal(TU_SIP(r.tr, requests, 0, jp, jpn, sm), 200.0, 1e-9);
        assert_float_equal(TU_SIP(r.tr, shipments, 0, cn, usa, nd), want[k][0], 1e-9);
        assert_float_equal(TU_SIP(r.tr, shipments, 0, cn, usa, sm), want[k][1], 1e-9);
        assert_float_equal(TU_SIP(r.tr, shipments, 0, cn, jpn, nd), want[k][2], 1e-9);
        assert_float_equal(TU_SIP(r.tr, shipments, 0, cn, jpn, sm), want[k][3], 1e-9);
        assert_float_equal(TU_SIP(r.tr, shipments, 0, jp, jpn, sm), 0.0, 0);
        /* at once: what passed arrives this month (transit 0) */
        assert_float_equal(TU_IP(r.tr, arrivals, 0, usa, nd), want[k][0], 1e-9);
        tu_path_free(&r);
        ms_scenario_free(s);
    }
}

/* ---- the 2025 mechanisms: queue, destination groups, controls by industry ---- */

/* A licence with a queue (docs/model.md, step 6).  One importer, 100 t/month,
 * cover 1 month (100 t), restore 1, transit 0, no delay.  Licences from
 * 2025-03 (month 2), approval 0.5 ramping to 1 over 2 months: a = 0.5, 0.75,
 * 1 in months 2, 3, 4; budget a x 100 t.
 * Abandonment 0.  Month 2: position 100 = target, O = 100; 50 approved and
 * shipped, 50 wait (on order).  Stock 100 + 50 - 100 = 50.  Month 3:
 * position 50 + 50 = 100, O = 100; budget 75: the queue's 50 first, then 25
 * of the new 100; 75 wait; 75 ship; stock 25.  Month 4: position 25 + 75,
 * O = 100; budget 100: the queue's 75, then 25 new; 75 wait; 100 ship.
 * Abandonment 0.2: month 3 begins with 50 x 0.2 = 10 given up (no longer on
 * order): position 50 + 40 = 90, O = 110; budget 75: the queue's 40, then 35
 * of 110; 75 wait; 75 ship.  Month 4: 15 given up, position 25 + 60, O =
 * 115; the queue's 60 and 40 new: 100 ship.
 * Ended 2025-05 (month 4), abandonment 0: month 4 the control is off; the
 * queue's 75 ship at once with the 100 ordered: 175 t, stock back to 100. */
static void test_licence_queue(void **st)
{
    (void)st;
    const char *pol[] = {
        "  - {name: lic, type: export_control, exporter: china, mode: license, start: 2025-03,\n"
        "     license: {approval: 0.5, approval_end: 1, ramp_months: 2, queue: {abandon_per_month: 0}}}\n",
        "  - {name: lic, type: export_control, exporter: china, mode: license, start: 2025-03,\n"
        "     license: {approval: 0.5, approval_end: 1, ramp_months: 2, queue: {abandon_per_month: 0.2}}}\n",
        "  - {name: lic, type: export_control, exporter: china, mode: license, start: 2025-03, end: 2025-05,\n"
        "     license: {approval: 0.5, approval_end: 1, ramp_months: 2, queue: {abandon_per_month: 0}}}\n",
    };
    double orders[3][3] = {{100, 100, 100}, {100, 110, 115}, {100, 100, 100}};
    double ship[3][3] = {{50, 75, 100}, {50, 75, 100}, {50, 75, 175}};
    double inv[3][3] = {{50, 25, 25}, {50, 25, 25}, {50, 25, 100}};
    for (int k = 0; k < 3; k++) {
        ms_scenario *s = tu_load_fmt(ONE, "0", "1", pol[k]);
        tu_path r = tu_path_run(s, 0);
        for (int t = 2; t < 5; t++) {
            assert_float_equal(TU_CP(r.tr, orders, t, 0, 0), orders[k][t - 2], 1e-9);
            assert_float_equal(TU_SIP(r.tr, shipments, t, 0, 0, 0), ship[k][t - 2], 1e-9);
            assert_float_equal(TU_CP(r.tr, inventory, t, 0, 0), inv[k][t - 2], 1e-9);
            assert_float_equal(TU_CP(r.tr, shortage, t, 0, 0), 0.0, 0);
        }
        tu_path_free(&r);
        ms_scenario_free(s);
    }
}

/* Two importers of 100 t/month each, no cover, transit 0: each orders its
 * demand every month (nothing in stock, refusals known at once).  %s: the
 * industries of usa, policies. */
static const char *TWO_DEST =
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
    "    industries:\n"
    "%s"
    "  jpn:\n"
    "    sourcing: {ndfeb: {china: 1}}\n"
    "    transit_months: {default: 0}\n"
    "    demand_elasticity: 0\n"
    "    industries:\n"
    "      motors: {demand_t_per_year: {ndfeb: 1200}, cover_months: 0, restore_months: 1}\n"
    "policies:\n"
    "%s";

/* Destination groups (license.by_destination).  A licence from 2025-03
 * (month 2), approval 0.2 for every destination; usa's group: 0.2 rising to
 * 0.8 over 2 months from 2025-06 (month 5).  Each importer asks 100 t a
 * month.  jpn: 20 t from month 2 on.  usa: a = 0.2 in months 2-5 (before its
 * ramp, x = (t - 5)/2 <= 0), 0.5 in month 6, 0.8 from month 7: 20, 20, 20,
 * 20, 50, 80 t. */
static void test_destination_groups(void **st)
{
    (void)st;
    ms_scenario *s = tu_load_fmt(TWO_DEST,
                                 "      ev: {demand_t_per_year: {ndfeb: 1200}, cover_months: 0, restore_months: 1}\n",
                                 "  - {name: lic, type: export_control, exporter: china, mode: license, start: 2025-03,\n"
                                 "     license: {approval: 0.2, by_destination: [{destinations: [usa], approval: 0.2,\n"
                                 "               approval_end: 0.8, ramp_months: 2, ramp_from: 2025-06}]}}\n");
    tu_path r = tu_path_run(s, 0);
    int usa = ms_scenario_importer(s, "usa"), jpn = ms_scenario_importer(s, "jpn");
    double us[8] = {100, 100, 20, 20, 20, 20, 50, 80};
    for (int t = 0; t < 8; t++) {
        assert_float_equal(TU_SIP(r.tr, shipments, t, 0, usa, 0), us[t], 1e-9);
        assert_float_equal(TU_SIP(r.tr, shipments, t, 0, jpn, 0), t < 2 ? 100.0 : 20.0, 1e-9);
    }
    tu_path_free(&r);
    ms_scenario_free(s);
}

/* A control by industry: affected {ev: 1, electronics: 0.25}.  usa's ev
 * (60 t/month, priority 1) and electronics (40 t/month, priority 2), no
 * cover; a ban from month 0.  Each cell's request is its order times the
 * flow's share: ev 60, electronics 40.  ev's grades are all covered: none
 * pass; electronics' 0.75 x 40 = 30 t pass.  The refusals lapse without a
 * claim on the pool (another industry's magnets are not ev's grades): the
 * 30 t go to electronics, whatever the priorities.  Shortage: ev 60,
 * electronics 10, every month (a control with one share, affected 0.7 =
 * (60 + 10)/100, would let ev's refused claim take electronics' 30 t first).
 * jpn is untouched: affected lists industries; the default for the others
 * (motors) is 0. */
static void test_affected_by_industry(void **st)
{
    (void)st;
    ms_scenario *s = tu_load_fmt(TWO_DEST,
                                 "      ev: {demand_t_per_year: {ndfeb: 720}, cover_months: 0, restore_months: 1,"
                                 " priority: 1}\n"
                                 "      electronics: {demand_t_per_year: {ndfeb: 480}, cover_months: 0,"
                                 " restore_months: 1, priority: 2}\n",
                                 "  - {name: ban, type: export_control, exporter: china, mode: ban, start: 2025-01,\n"
                                 "     affected: {ev: 1, electronics: 0.25}}\n");
    tu_path r = tu_path_run(s, 0);
    int usa = ms_scenario_importer(s, "usa"), jpn = ms_scenario_importer(s, "jpn");
    for (int t = 0; t < 8; t++) {
        assert_float_equal(TU_SIP(r.tr, shipments, t, 0, usa, 0), 30.0, 1e-9);
        assert_float_equal(TU_SIP(r.tr, shipments, t, 0, jpn, 0), 100.0, 1e-9);
        assert_float_equal(TU_CP(r.tr, shortage, t, 0, 0), 60.0, 1e-9);
        assert_float_equal(TU_CP(r.tr, shortage, t, 1, 0), 10.0, 1e-9);
        assert_float_equal(TU_CP(r.tr, shortage, t, 2, 0), 0.0, 0);
    }
    tu_path_free(&r);
    ms_scenario_free(s);
}

/* End users: a licence approving everything (approval 1) with end_users
 * [defense], from month 0.  usa's defense (10 t/month, priority 1) and ev
 * (90 t/month), no cover, transit 0, and recycling of 120 t/month (yield 1).
 * Month 0: orders 10 and 90; recycling serves them in full (100 of 120 t),
 * so nothing is imported, and the 20 t left over go to stock: all of it to
 * ev, none to the banned end user (by demand it would be 2 and 18).
 * Without the recycling (second run): defense's 10 t are refused outright
 * and lapse, ev's 90 t are approved (budget 1 x 100 t): defense short 10,
 * ev short 0, priority notwithstanding. */
static void test_end_users(void **st)
{
    (void)st;
    const char *ind = "      defense: {demand_t_per_year: {ndfeb: 120}, cover_months: 0, restore_months: 1, priority: 1}\n"
                      "      ev: {demand_t_per_year: {ndfeb: 1080}, cover_months: 0, restore_months: 1, priority: 2}\n";
    const char *ctl = "  - {name: lic, type: export_control, exporter: china, mode: license, start: 2025-01,\n"
                      "     destinations: [usa], end_users: [defense], license: {approval: 1}}\n";
    char pol[1024];
    snprintf(pol, sizeof pol, "%s  - {name: rec, type: recycling, importer: usa, product: ndfeb,\n"
                              "     capacity_t_per_year: 1440, yield: 1, ramp_months: 0}\n", ctl);
    ms_scenario *s = tu_load_fmt(TWO_DEST, ind, pol);
    tu_path r = tu_path_run(s, 0);
    assert_float_equal(TU_SIP(r.tr, shipments, 0, 0, 0, 0), 0.0, 0);
    assert_float_equal(TU_CP(r.tr, inventory, 0, 0, 0), 0.0, 0);
    assert_float_equal(TU_CP(r.tr, inventory, 0, 1, 0), 20.0, 1e-9);
    tu_path_free(&r);
    ms_scenario_free(s);
    s = tu_load_fmt(TWO_DEST, ind, ctl);
    r = tu_path_run(s, 0);
    for (int t = 0; t < 8; t++) {
        assert_float_equal(TU_SIP(r.tr, shipments, t, 0, 0, 0), 90.0, 1e-9);
        assert_float_equal(TU_CP(r.tr, shortage, t, 0, 0), 10.0, 1e-9);
        assert_float_equal(TU_CP(r.tr, shortage, t, 1, 0), 0.0, 1e-9);
    }
    tu_path_free(&r);
    ms_scenario_free(s);
}

/* A general licence from a date (general_license_from).  A ban on the whole
 * flow from 2025-03 (month 2) with a general licence of 0.4 from 2025-06
 * (month 5): no cover, transit 0, so usa asks its 100 t each month and
 * refusals are known at once.  Months 2-4: covered share 1, nothing ships;
 * from month 5: covered share 1 x (1 - 0.4) = 0.6, 40 t ship. */
static void test_general_licence_from(void **st)
{
    (void)st;
    ms_scenario *s = tu_load_fmt(TWO_DEST,
                                 "      ev: {demand_t_per_year: {ndfeb: 1200}, cover_months: 0, restore_months: 1}\n",
                                 "  - {name: ban, type: export_control, exporter: china, mode: ban, start: 2025-03,\n"
                                 "     destinations: [usa], general_license: 0.4, general_license_from: 2025-06}\n");
    tu_path r = tu_path_run(s, 0);
    double ship[8] = {100, 100, 0, 0, 0, 40, 40, 40};
    for (int t = 0; t < 8; t++)
        assert_float_equal(TU_SIP(r.tr, shipments, t, 0, 0, 0), ship[t], 1e-9);
    tu_path_free(&r);
    ms_scenario_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_licence_queue),
        cmocka_unit_test(test_destination_groups),
        cmocka_unit_test(test_affected_by_industry),
        cmocka_unit_test(test_end_users),
        cmocka_unit_test(test_general_licence_from),
        cmocka_unit_test(test_budget_per_flow),
        cmocka_unit_test(test_denial_known_when_decided),
        cmocka_unit_test(test_stacked_controls),
        cmocka_unit_test(test_charged_for_what_ships),
        cmocka_unit_test(test_licence_delay_split),
        cmocka_unit_test(test_affected_general_licence),
        cmocka_unit_test(test_budget_grows_with_baseline),
        cmocka_unit_test(test_quota_pro_rata),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
