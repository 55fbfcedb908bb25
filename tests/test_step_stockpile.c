/*
 * test_step_stockpile.c - stockpiles that buy, refill and are shared
 * (docs/model.md: step 3 "Stockpile purchases", step 8 "A buying
 * stockpile's share", step 9 pooled reserves), against numbers worked out
 * by hand through the real engine with fixed inputs.
 *
 * Unless a test says otherwise: one supplier "china" with ample capacity,
 * one importer "usa" whose industry "ev" uses 100 t/month, no cover,
 * restore time 1 month (an order is D + the whole gap), transit 0, no price
 * feedback on demand, no diversion.  The stockpile's own stock is not
 * traced: a test shows it through a release that takes all that is left.
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

/* %d months; china's capacity (t/yr); usa's transit (months); usa's
 * industries; more importers; the policies. */
static const char *BASE =
    "magsim: 1\n"
    "horizon: {start: 2025-01, months: %d}\n"
    "products: {ndfeb: {price_usd_per_kg: 50}}\n"
    "suppliers:\n"
    "  china: {country: CN, capacity_t_per_year: {ndfeb: %s}}\n"
    "importers:\n"
    "  usa:\n"
    "    sourcing: {ndfeb: {china: 1}}\n"
    "    transit_months: {default: %d}\n"
    "    demand_elasticity: 0\n"
    "    switching: {diversion: 0}\n"
    "    industries:\n"
    "%s"
    "%s"
    "policies:\n"
    "%s";

static const char *EV = "      ev: {demand_t_per_year: {ndfeb: 1200}, cover_months: 0, restore_months: 1}\n";
static const char *BIG = "1000000";

/* Purchases under a licence cap.  A licence on china from month 0,
 * approval 0.6, no delay: the budget is 0.6 x 100 = 60 t/month, and what it
 * refuses is known at once.  Months 0-1: ev orders 100, 60 pass and arrive,
 * 40 short (nothing on order next month: the order stays 100).
 * The stockpile (empty) buys 50 t/month from 2025-03 until 2025-05 (months
 * 2 and 3): the import need is 150, the stockpile's share s = 50/150 = 1/3.
 * The budget still passes 60: the stockpile gets 20, the industries' pool
 * 40 (the cap cuts both pro rata); ev claims 2/3 of the 60 granted and of
 * the 90 refused, 40 + 60 = 100, receives 40, is short 60.  Month 4: back to
 * 60 received.  The stockpile holds 40.  It releases from 2025-06 (month 5),
 * up to 15 t/month (fill rate before releases 0.6 < 0.95): 15, 15, then the
 * last 10 in month 7.  Shortage: 40, 40, 60, 60, 40, 25, 25, 30, 40.
 * Requests 100, 100, 150, 150, 100...; 60 t ship every month; the traced
 * arrivals (the industries' pool) are 60, 60, 40, 40, 60, ... */
static void test_purchases_under_licence_cap(void **st)
{
    (void)st;
    ms_scenario *s = tu_load_fmt(
        BASE, 9, BIG, 0, EV, "",
        "  - {name: lic, type: export_control, exporter: china, mode: license, start: 2025-01,\n"
        "     license: {approval: 0.6}}\n"
        "  - {name: sp, type: stockpile, importer: usa, product: ndfeb, stock_t: 0,\n"
        "     release_t_per_month: 15, start: 2025-06,\n"
        "     purchase: {t_per_month: 50, from: 2025-03, until: 2025-05}}\n");
    tu_path r = tu_path_run(s, 0);
    double req[9] = {100, 100, 150, 150, 100, 100, 100, 100, 100};
    double arr[9] = {60, 60, 40, 40, 60, 60, 60, 60, 60};
    double X[9] = {0, 0, 0, 0, 0, 15, 15, 10, 0};
    double sh[9] = {40, 40, 60, 60, 40, 25, 25, 30, 40};
    for (int t = 0; t < 9; t++) {
        assert_float_equal(TU_CP(r.tr, orders, t, 0, 0), 100.0, 1e-9);
        assert_float_equal(TU_SIP(r.tr, requests, t, 0, 0, 0), req[t], 1e-9);
        assert_float_equal(TU_SIP(r.tr, shipments, t, 0, 0, 0), 60.0, 1e-9);
        assert_float_equal(TU_IP(r.tr, arrivals, t, 0, 0), arr[t], 1e-9);
        assert_float_equal(TU_CP(r.tr, received, t, 0, 0), arr[t] + X[t], 1e-9);
        assert_float_equal(TU_IP(r.tr, released, t, 0, 0), X[t], 1e-9);
        assert_float_equal(TU_CP(r.tr, shortage, t, 0, 0), sh[t], 1e-9);
    }
    tu_path_free(&r);
    ms_scenario_free(s);
}

/* Purchases arrive after the transit, into the stock.  Transit 2 months,
 * capacity ample: ev's pipeline holds two months of 100 t.  The stockpile
 * buys 30 t/month from 2025-01 until 2025-03 (months 0 and 1): usa asks
 * 130 t, all ship; the stockpile's 30 t arrive in months 2 and 3, the
 * industries' 100 t as every month (traced arrivals 100, not 130).  A ban
 * on all of china's exports from 2025-05 (month 4), known at once: ev still
 * receives the 100 t shipped in months 2 and 3 (months 4 and 5; its orders
 * there, 100 and 200, are refused; 300 a month after), and nothing from month 6.  Month 6: ev
 * short 100, the stockpile releases all it has, min(1000, 60, 100) = 60:
 * shortage 40; month 7: nothing left, shortage 100. */
static void test_purchases_arrive_after_transit(void **st)
{
    (void)st;
    ms_scenario *s = tu_load_fmt(
        BASE, 8, BIG, 2, EV, "",
        "  - {name: ban, type: export_control, exporter: china, mode: ban, start: 2025-05}\n"
        "  - {name: sp, type: stockpile, importer: usa, product: ndfeb, stock_t: 0,\n"
        "     release_t_per_month: 1000, purchase: {t_per_month: 30, from: 2025-01, until: 2025-03}}\n");
    tu_path r = tu_path_run(s, 0);
    double req[8] = {130, 130, 100, 100, 100, 200, 300, 300};
    double ship[8] = {130, 130, 100, 100, 0, 0, 0, 0};
    double arr[8] = {100, 100, 100, 100, 100, 100, 0, 0};
    double X[8] = {0, 0, 0, 0, 0, 0, 60, 0};
    double sh[8] = {0, 0, 0, 0, 0, 0, 40, 100};
    for (int t = 0; t < 8; t++) {
        assert_float_equal(TU_SIP(r.tr, requests, t, 0, 0, 0), req[t], 1e-9);
        assert_float_equal(TU_SIP(r.tr, shipments, t, 0, 0, 0), ship[t], 1e-9);
        assert_float_equal(TU_IP(r.tr, arrivals, t, 0, 0), arr[t], 1e-9);
        assert_float_equal(TU_IP(r.tr, released, t, 0, 0), X[t], 1e-9);
        assert_float_equal(TU_CP(r.tr, shortage, t, 0, 0), sh[t], 1e-9);
    }
    tu_path_free(&r);
    ms_scenario_free(s);
}

/* The price a purchase pays: scarcity pricing.  china exports 120 t/month
 * (1440 t/yr), price_flex 1; ev uses 100.  The stockpile buys 50 t/month in
 * months 1 and 2 (it never releases: its start is after the horizon).
 * Month 0: 100 asked of 120: price 50 USD/kg, index 1.
 * Months 1-2: 150 asked, every importer gets 120/150 = 0.8: 120 ship, the
 * stockpile's third 40, the industries' pool 80; ev claims 2/3 of the 120
 * and of the 30 rationed, 80 + 20, receives 80, is short 20: fill rate 0.8.
 * Supplier price 50 x (150/120)^1 = 62.5; cost index 62.5/50 = 1.25;
 * scarcity premium 0.8^(1/-0.25) = 0.8^-4 = 2.44140625; price index
 * 1.25 x 2.44140625 = 3.0517578125.
 * Month 3: 100 asked again: 50 USD/kg, index 1. */
static void test_purchase_pays_scarcity_price(void **st)
{
    (void)st;
    ms_scenario *s = tu_load_fmt(
        BASE, 4, "1440", 0, EV, "",
        "  - {name: sp, type: stockpile, importer: usa, product: ndfeb, stock_t: 0,\n"
        "     release_t_per_month: 1000, start: 2030-01,\n"
        "     purchase: {t_per_month: 50, from: 2025-02, until: 2025-04}}\n");
    tu_path r = tu_path_run(s, 0);
    double ship[4] = {100, 120, 120, 100}, arr[4] = {100, 80, 80, 100}, rho[4] = {50, 62.5, 62.5, 50};
    double pi[4] = {1, 3.0517578125, 3.0517578125, 1};
    for (int t = 0; t < 4; t++) {
        assert_float_equal(TU_SIP(r.tr, shipments, t, 0, 0, 0), ship[t], 1e-9);
        assert_float_equal(TU_IP(r.tr, arrivals, t, 0, 0), arr[t], 1e-9);
        assert_float_equal(TU_CP(r.tr, shortage, t, 0, 0), 100.0 - arr[t], 1e-9);
        assert_float_equal(TU_IP(r.tr, fill_rate, t, 0, 0), arr[t] / 100.0, 1e-12);
        assert_float_equal(r.tr->supplier_price[t], rho[t], 1e-9);
        assert_float_equal(TU_IP(r.tr, price_index, t, 0, 0), pi[t], 1e-12);
    }
    tu_path_free(&r);
    ms_scenario_free(s);
}

/* Refill after releases, counting what is on its way.  Transit 1 month
 * (ev's pipeline holds 100 t).  A ban on half of china's exports in months
 * 0 and 1 (until 2025-03), refusals known at once.  The stockpile: 60 t,
 * release <= 30 t/month below a fill rate of 0.95, refill <= 20 t/month.
 *   Month 0: order 100, 50 pass; the 100 in transit arrive: no shortage.
 *   Month 1: order 100 + (100 - 50 on order) = 150, 75 pass; 50 arrive:
 *     short 50, release 30 (stock 30), shortage 20; fill before 0.5.
 *   Month 2: ban off; order 100 + (100 - 75) = 125; 75 arrive: short 25,
 *     release 25 (stock 5); no refill (last month's fill 0.5 < 0.95).
 *   Month 3: order 100 + (100 - 125) = 75; 125 arrive: ev keeps 25; no
 *     refill (last month's fill before releases 0.75).
 *   Month 4: order 100 + (100 - 25 - 75) = 100; refill min(20, 60 - 5 - 0)
 *     = 20: usa asks 120, the stockpile's 20 arrive in month 5.
 *   Month 5: refill min(20, 60 - 5 - 20 on its way) = 20: 120 asked; the
 *     stock takes the 20 that arrive: 25.
 *   Month 6: refill min(20, 60 - 25 - 20) = 15: 115 asked; stock 45.
 *   Month 7: 60 - 45 - 15 = 0: 100 asked; the 15 arrive: stock 60.
 *   Month 8: nothing to refill: 100.
 * A ban on all of china's exports from 2025-10 (month 9): ev's last 100 t
 * arrive in month 9; months 10-11 it is short 100 and the stockpile
 * releases 30, 30 (no refill while it releases); month 12 nothing is left.
 * The industries' arrivals in months 5-7 are 100 each (115 - 15 in 7). */
static void test_refill_after_release(void **st)
{
    (void)st;
    ms_scenario *s = tu_load_fmt(
        BASE, 13, BIG, 1, EV, "",
        "  - {name: ban, type: export_control, exporter: china, mode: ban, affected: 0.5, start: 2025-01,\n"
        "     end: 2025-03}\n"
        "  - {name: ban2, type: export_control, exporter: china, mode: ban, start: 2025-10}\n"
        "  - {name: sp, type: stockpile, importer: usa, product: ndfeb, stock_t: 60,\n"
        "     release_t_per_month: 30, refill_t_per_month: 20}\n");
    tu_path r = tu_path_run(s, 0);
    double req[9] = {100, 150, 125, 75, 120, 120, 115, 100, 100};
    double X[13] = {0, 30, 25, 0, 0, 0, 0, 0, 0, 0, 30, 30, 0};
    double sh[13] = {0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 70, 70, 100};
    for (int t = 0; t < 13; t++) {
        if (t < 9)
            assert_float_equal(TU_SIP(r.tr, requests, t, 0, 0, 0), req[t], 1e-9);
        if (t >= 5 && t <= 7)
            assert_float_equal(TU_IP(r.tr, arrivals, t, 0, 0), 100.0, 1e-9);
        assert_float_equal(TU_IP(r.tr, released, t, 0, 0), X[t], 1e-9);
        assert_float_equal(TU_CP(r.tr, shortage, t, 0, 0), sh[t], 1e-9);
    }
    tu_path_free(&r);
    ms_scenario_free(s);
}

static const char *EU =
    "  eu:\n"
    "    sourcing: {ndfeb: {china: 1}}\n"
    "    transit_months: {default: 0}\n"
    "    demand_elasticity: 0\n"
    "    switching: {diversion: 0}\n"
    "    industries:\n"
    "      wind: {demand_t_per_year: {ndfeb: 600}, cover_months: 0, restore_months: 1}\n";

/* A pooled reserve of usa (ev, 100 t/month) and eu (wind, 50 t/month),
 * shares by baseline demand: usa 2/3, eu 1/3.  75 t, release <= 30 t/month:
 * usa may release 20, eu 10.  A ban on half of china's exports from month 0:
 * usa short 50, eu short 25 (fill rates 0.5).
 *   Months 0-1: usa releases min(20, stock, 50) = 20, then eu min(10, stock,
 *     25) = 10: the common stock falls by 30 (75, 45, 15).
 *   Month 2: usa takes the last 15; eu finds nothing.
 *   Month 3: nothing left.
 * Shortages: usa 30, 30, 35, 50; eu 15, 15, 25, 25. */
static void test_pooled_reserve_by_demand(void **st)
{
    (void)st;
    ms_scenario *s = tu_load_fmt(
        BASE, 4, BIG, 0, EV, EU,
        "  - {name: ban, type: export_control, exporter: china, mode: ban, affected: 0.5, start: 2025-01}\n"
        "  - {name: pool, type: stockpile, importer: [usa, eu], product: ndfeb, stock_t: 75,\n"
        "     release_t_per_month: 30}\n");
    tu_path r = tu_path_run(s, 0);
    double Xu[4] = {20, 20, 15, 0}, Xe[4] = {10, 10, 0, 0};
    for (int t = 0; t < 4; t++) {
        assert_float_equal(TU_IP(r.tr, released, t, 0, 0), Xu[t], 1e-9);
        assert_float_equal(TU_IP(r.tr, released, t, 1, 0), Xe[t], 1e-9);
        assert_float_equal(TU_CP(r.tr, shortage, t, 0, 0), 50.0 - Xu[t], 1e-9);
        assert_float_equal(TU_CP(r.tr, shortage, t, 1, 0), 25.0 - Xe[t], 1e-9);
    }
    tu_path_free(&r);
    ms_scenario_free(s);
}

/* A pooled reserve with an allocation map and beneficiaries: usa 0.25, eu
 * 0.75; only wind (eu's) benefits.  Empty, it buys 40 t/month in months 0
 * and 1: usa asks 100 + 0.25 x 40 = 110, eu 50 + 30 = 80; the industries'
 * arrivals stay 100 and 50; the stock reaches 80.  A ban on all of china's
 * exports from 2025-03 (month 2): usa has no beneficiary (releases 0), eu
 * releases min(0.75 x 40, stock, 50) = 30, 30, then the last 20. */
static void test_pooled_reserve_allocation(void **st)
{
    (void)st;
    ms_scenario *s = tu_load_fmt(
        BASE, 6, BIG, 0, EV, EU,
        "  - {name: ban, type: export_control, exporter: china, mode: ban, start: 2025-03}\n"
        "  - {name: pool, type: stockpile, importer: [eu, usa], product: ndfeb, stock_t: 0,\n"
        "     release_t_per_month: 40, beneficiaries: [wind], allocation: {usa: 0.25, eu: 0.75},\n"
        "     purchase: {t_per_month: 40, from: 2025-01, until: 2025-03}}\n");
    tu_path r = tu_path_run(s, 0);
    double Xe[6] = {0, 0, 30, 30, 20, 0};
    for (int t = 0; t < 2; t++) {
        assert_float_equal(TU_SIP(r.tr, requests, t, 0, 0, 0), 110.0, 1e-9);
        assert_float_equal(TU_SIP(r.tr, requests, t, 0, 1, 0), 80.0, 1e-9);
        assert_float_equal(TU_IP(r.tr, arrivals, t, 0, 0), 100.0, 1e-9);
        assert_float_equal(TU_IP(r.tr, arrivals, t, 1, 0), 50.0, 1e-9);
    }
    for (int t = 0; t < 6; t++) {
        assert_float_equal(TU_IP(r.tr, released, t, 0, 0), 0.0, 0);
        assert_float_equal(TU_IP(r.tr, released, t, 1, 0), Xe[t], 1e-9);
        assert_float_equal(TU_CP(r.tr, shortage, t, 0, 0), t < 2 ? 0.0 : 100.0, 1e-9);
        assert_float_equal(TU_CP(r.tr, shortage, t, 1, 0), t < 2 ? 0.0 : 50.0 - Xe[t], 1e-9);
    }
    tu_path_free(&r);
    ms_scenario_free(s);
}

/* A licence queue (step 8): a licence from month 0 until 2025-03 (month 2),
 * approval 0.5 (budget 50 t/month), queue without abandonment.  Month 0: ev
 * orders 100 and the stockpile buys 100 (s = 1/2): 200 asked, 50 approved
 * (25 to the stockpile, 25 to the pool: ev receives 25), 150 wait: 75 for
 * ev, 75 for the stockpile.  Month 1: ev orders 100 - 75 = 25; the budget
 * takes 50 from the queue, split as they wait, 75:75: 25 to ev, 25 to the
 * stockpile; the new 25 wait (ev 75 waiting, the stockpile 50).  Month 2:
 * the control is off: the queue's 125 ship at once (ev 75, stockpile 50)
 * with ev's order 100 - 75 = 25: 150 t; the pool gets 100, the stock
 * reaches 25 + 25 + 50 = 100.  A ban from 2025-04 (month 3): the stockpile
 * (releasing from month 3) gives all it has, 100; month 4 nothing is left. */
static void test_queue_shares(void **st)
{
    (void)st;
    ms_scenario *s = tu_load_fmt(
        BASE, 5, BIG, 0, EV, "",
        "  - {name: lic, type: export_control, exporter: china, mode: license, start: 2025-01, end: 2025-03,\n"
        "     license: {approval: 0.5, queue: {abandon_per_month: 0}}}\n"
        "  - {name: ban, type: export_control, exporter: china, mode: ban, start: 2025-04}\n"
        "  - {name: sp, type: stockpile, importer: usa, product: ndfeb, stock_t: 0, start: 2025-04,\n"
        "     release_t_per_month: 1000, purchase: {t_per_month: 100, from: 2025-01, until: 2025-02}}\n");
    tu_path r = tu_path_run(s, 0);
    double req[5] = {200, 25, 25, 100, 100}, ship[5] = {50, 50, 150, 0, 0}, arr[5] = {25, 25, 100, 0, 0};
    double X[5] = {0, 0, 0, 100, 0}, sh[5] = {75, 75, 0, 0, 100};
    for (int t = 0; t < 5; t++) {
        assert_float_equal(TU_SIP(r.tr, requests, t, 0, 0, 0), req[t], 1e-9);
        assert_float_equal(TU_SIP(r.tr, shipments, t, 0, 0, 0), ship[t], 1e-9);
        assert_float_equal(TU_IP(r.tr, arrivals, t, 0, 0), arr[t], 1e-9);
        assert_float_equal(TU_IP(r.tr, released, t, 0, 0), X[t], 1e-9);
        assert_float_equal(TU_CP(r.tr, shortage, t, 0, 0), sh[t], 1e-9);
    }
    tu_path_free(&r);
    ms_scenario_free(s);
}

/* A flow followed cell by cell (a licence by industry, step 8): usa has ev
 * and defense, 100 t/month each; the licence covers defense only
 * (affected {defense: 1}), approval 0.5: budget 0.5 x 200 x 100/200 = 50.
 * Month 0 the stockpile buys 100 (s = 1/3): 300 asked.  ev's 100 pass,
 * defense's 50 of 100; the flow's pass rate is the cells' mean,
 * (100 + 50) / 200 = 0.75, so 225 ship: ev 100, defense 50, the stockpile
 * 75 (s of 225).  Defense's refused 50 lapse.  Every month the pool is 150:
 * defense short 50.  The stockpile releases from 2025-03 (month 2) into
 * defense's gap: 50, then its last 25, then nothing. */
static void test_cell_flows_share(void **st)
{
    (void)st;
    ms_scenario *s = tu_load_fmt(
        BASE, 5, BIG, 0,
        "      ev: {demand_t_per_year: {ndfeb: 1200}, cover_months: 0, restore_months: 1}\n"
        "      defense: {demand_t_per_year: {ndfeb: 1200}, cover_months: 0, restore_months: 1}\n",
        "",
        "  - {name: lic, type: export_control, exporter: china, mode: license, start: 2025-01,\n"
        "     affected: {defense: 1}, license: {approval: 0.5}}\n"
        "  - {name: sp, type: stockpile, importer: usa, product: ndfeb, stock_t: 0, start: 2025-03,\n"
        "     release_t_per_month: 1000, purchase: {t_per_month: 100, from: 2025-01, until: 2025-02}}\n");
    tu_path r = tu_path_run(s, 0);
    double ship[5] = {225, 150, 150, 150, 150}, X[5] = {0, 0, 50, 25, 0};
    for (int t = 0; t < 5; t++) {
        assert_float_equal(TU_SIP(r.tr, shipments, t, 0, 0, 0), ship[t], 1e-9);
        assert_float_equal(TU_IP(r.tr, arrivals, t, 0, 0), 150.0, 1e-9);
        assert_float_equal(TU_CP(r.tr, shortage, t, 0, 0), 0.0, 1e-9);
        assert_float_equal(TU_IP(r.tr, released, t, 0, 0), X[t], 1e-9);
        assert_float_equal(TU_CP(r.tr, shortage, t, 1, 0), 50.0 - X[t], 1e-9);
    }
    tu_path_free(&r);
    ms_scenario_free(s);
}

/* Diversion on an importer with a flow followed cell by cell: as above
 * (licence on defense's grades from china, approval 0.5), with japan
 * (no baseline share, 1000 t/month spare, transit 0) and diversion 1.
 * Month 0 the stockpile buys 100 (s = 1/3): china ships 225 (ev 100,
 * defense 50, stockpile 75); the 75 not passed are asked of japan and all
 * ship: the cells claim 1 - s of it, for defense (the cell that missed
 * 50), 50, and the stockpile gets 25 (stock 100).  The pool, 150 + 50 = 200,
 * meets every claim: nobody is short.  Later months: 200 asked, china
 * passes 150, japan ships the other 50.  A ban on both from 2025-04 (month
 * 3): ev and defense short 100 each; the stockpile releases all it holds,
 * 100, split by shortage: 50 each; month 4 nothing is left.  (Had the cells
 * claimed all 75 diverted, defense would claim 125 and ev get 200 x
 * 100/225 in month 0.) */
static void test_cell_flows_diverted(void **st)
{
    (void)st;
    ms_scenario *s = tu_load_text(
        "test.yaml",
        "magsim: 1\n"
        "horizon: {start: 2025-01, months: 5}\n"
        "products: {ndfeb: {price_usd_per_kg: 50}}\n"
        "suppliers:\n"
        "  china: {country: CN, capacity_t_per_year: {ndfeb: 1000000}}\n"
        "  japan: {country: JP, capacity_t_per_year: {ndfeb: 12000}}\n"
        "importers:\n"
        "  usa:\n"
        "    sourcing: {ndfeb: {china: 1}}\n"
        "    transit_months: {default: 0}\n"
        "    demand_elasticity: 0\n"
        "    switching: {diversion: 1}\n"
        "    industries:\n"
        "      ev: {demand_t_per_year: {ndfeb: 1200}, cover_months: 0, restore_months: 1}\n"
        "      defense: {demand_t_per_year: {ndfeb: 1200}, cover_months: 0, restore_months: 1}\n"
        "policies:\n"
        "  - {name: lic, type: export_control, exporter: china, mode: license, start: 2025-01,\n"
        "     affected: {defense: 1}, license: {approval: 0.5}}\n"
        "  - {name: banc, type: export_control, exporter: china, mode: ban, start: 2025-04}\n"
        "  - {name: banj, type: export_control, exporter: japan, mode: ban, start: 2025-04}\n"
        "  - {name: sp, type: stockpile, importer: usa, product: ndfeb, stock_t: 0, release_t_per_month: 1000,\n"
        "     purchase: {t_per_month: 100, from: 2025-01, until: 2025-02}}\n");
    tu_path r = tu_path_run(s, 0);
    double shc[5] = {225, 150, 150, 0, 0}, shj[5] = {75, 50, 50, 0, 0}, arr[5] = {200, 200, 200, 0, 0};
    double X[5] = {0, 0, 0, 100, 0}, sh[5] = {0, 0, 0, 50, 100};
    for (int t = 0; t < 5; t++) {
        assert_float_equal(TU_SIP(r.tr, shipments, t, 0, 0, 0), shc[t], 1e-9);
        assert_float_equal(TU_SIP(r.tr, shipments, t, 1, 0, 0), shj[t], 1e-9);
        assert_float_equal(TU_IP(r.tr, arrivals, t, 0, 0), arr[t], 1e-9);
        assert_float_equal(TU_IP(r.tr, released, t, 0, 0), X[t], 1e-9);
        assert_float_equal(TU_CP(r.tr, shortage, t, 0, 0), sh[t], 1e-9);
        assert_float_equal(TU_CP(r.tr, shortage, t, 1, 0), sh[t], 1e-9);
    }
    tu_path_free(&r);
    ms_scenario_free(s);
}

/* ---- every path: the industries' mass balance, and nothing bought changes no bit ---- */

/* Two products, three suppliers, two importers; a licence with a queue and
 * uncertain delays, a licence by industry on germany, outages, fractional
 * transits, diversion; a pooled reserve of usa and germany that buys ndfeb
 * (a per-month uncertain purchase) and refills, and usa's smco stockpile
 * that refills.  %s: the pooled reserve's purchase and refill. */
static const char *RICH =
    "magsim: 1\n"
    "horizon: {start: 2025-01, months: 24}\n"
    "products: {ndfeb: {price_usd_per_kg: 50}, smco: {price_usd_per_kg: 120}}\n"
    "suppliers:\n"
    "  china: {country: CN, capacity_t_per_year: {ndfeb: 30000, smco: 500},\n"
    "          export_share: {ndfeb: {dist: uniform, min: 0.3, max: 0.5}, smco: 0.5}, price_flex: 1.5,\n"
    "          outages: {hazard_per_month: 0.05, duration_months: {dist: triangular, min: 1, mode: 2, max: 4},\n"
    "                    cut: {dist: beta, a: 2, b: 3}}}\n"
    "  japan: {country: JP, capacity_t_per_year: {ndfeb: 3000, smco: 100}, export_share: {ndfeb: 0.4, smco: 0.4},\n"
    "          price_usd_per_kg: {ndfeb: 70, smco: 150}}\n"
    "  mp: {country: US, capacity_t_per_year: {ndfeb: 0},\n"
    "       expansions: [{product: ndfeb, t_per_year: 1000, ramp_months: 6,\n"
    "                     start: {dist: uniform, min: 2025-03, max: 2025-09}}]}\n"
    "importers:\n"
    "  usa:\n"
    "    sourcing: {ndfeb: {china: 0.8, japan: 0.15, mp: 0.05}, smco: {china: 0.5, japan: 0.5}}\n"
    "    transit_months: {default: 1, china: {dist: uniform, min: 1, max: 2.5}}\n"
    "    switching: {qualification_months: 4, cost_sensitivity: 3, diversion: 0.5}\n"
    "    demand_elasticity: -0.2\n"
    "    industries:\n"
    "      ev: {demand_t_per_year: {ndfeb: 3000}, growth: {dist: normal, mean: 0.08, sd: 0.04, min: -0.5},\n"
    "           cover_months: 2, restore_months: 1.5, hoarding: 0.5, priority: 2}\n"
    "      defense: {demand_t_per_year: {ndfeb: 400, smco: 50}, cover_months: 6, priority: 1}\n"
    "      wind: {demand_t_per_year: {ndfeb: 1500}, cover_months: 1, priority: 3}\n"
    "  germany:\n"
    "    sourcing: {ndfeb: {china: 0.9, japan: 0.1}}\n"
    "    transit_months: {default: 1.5}\n"
    "    switching: {diversion: 0.4}\n"
    "    rationing: proportional\n"
    "    industries:\n"
    "      ev: {demand_t_per_year: {ndfeb: 4000}, cover_months: 1.5, hoarding: 1}\n"
    "      industrial: {demand_t_per_year: {ndfeb: 2000}, cover_months: 3}\n"
    "policies:\n"
    "  - {name: lic, type: export_control, exporter: china, products: [ndfeb, smco], destinations: [usa],\n"
    "     affected: 0.6, general_license: 0.1, mode: license, announce: 2025-03, start: 2025-04,\n"
    "     lift_hazard: 0.05, reimpose_hazard: 0.1,\n"
    "     license: {approval: {dist: beta, a: 2, b: 6}, approval_end: 0.6, ramp_months: 6, noise_sd: 0.05,\n"
    "               delay_months: {dist: triangular, min: 1, mode: 1.5, max: 3},\n"
    "               queue: {abandon_per_month: 0.1}}}\n"
    "  - {name: eulic, type: export_control, exporter: china, products: [ndfeb], destinations: [germany],\n"
    "     affected: {ev: 0.8, default: 0.2}, mode: license, start: 2025-05,\n"
    "     license: {approval: 0.4, delay_months: 1}}\n"
    "  - {name: q, type: export_control, exporter: japan, products: [ndfeb], mode: quota,\n"
    "     quota_t_per_month: 60, start: 2025-06, end: 2025-12}\n"
    "  - {name: pool, type: stockpile, importer: [usa, germany], product: ndfeb, stock_t: 800,\n"
    "     release_t_per_month: 150, trigger: 0.9%s}\n"
    "  - {name: sm, type: stockpile, importer: usa, product: smco, stock_t: 20, release_t_per_month: 5,\n"
    "     refill_t_per_month: 2}\n";

static const char *BUYS = ",\n     purchase: {t_per_month: {dist: uniform, min: 20, max: 60, per: month}, from: 2025-02,\n"
                          "                until: 2026-01}, refill_t_per_month: 40";

/* arrivals + recycled + released = consumption + change in stocks, per
 * importer, product and month, on 64 paths: the traced arrivals are the
 * industries' (what arrives for a stockpile goes to its stock). */
static void test_mass_balance_with_purchases(void **st)
{
    (void)st;
    ms_scenario *s = tu_load_fmt(RICH, BUYS);
    tu_path r = tu_path_run(s, 0);
    ms_trace *tr = r.tr;
    int T = tr->T, I = tr->I, P = tr->P, C = tr->C, released = 0;
    for (uint64_t path = 0; path < 64; path++) {
        ms_engine_path(r.e, r.w, path, r.out, tr);
        for (int i = 0; i < I; i++)
            for (int p = 0; p < P; p++) {
                double prev = 0; /* the stocks at the end of last month (month 0: not checked) */
                for (int t = 0; t < T; t++) {
                    double in = TU_IP(tr, arrivals, t, i, p) + TU_IP(tr, recycled, t, i, p) +
                                TU_IP(tr, released, t, i, p);
                    double cons = 0, stock = 0;
                    for (int c = 0; c < C; c++)
                        if (tr->cell_importer[c] == i) {
                            cons += TU_CP(tr, consumption, t, c, p);
                            stock += TU_CP(tr, inventory, t, c, p);
                        }
                    released |= TU_IP(tr, released, t, i, p) > 0;
                    if (t > 0) {
                        double scale = fabs(in) + fabs(cons) + fabs(stock) + 1e-300;
                        if (fabs(in - (cons + stock - prev)) > 1e-9 * scale)
                            fail_msg("path %llu month %d importer %d product %d: in %.17g, out %.17g",
                                     (unsigned long long)path, t, i, p, in, cons + stock - prev);
                    }
                    prev = stock;
                }
            }
        for (int k = 0; k < ms_engine_nmetrics(r.e) + ms_engine_nseries(r.e); k++)
            assert_true(isfinite(r.out[k]));
    }
    assert_true(released); /* the stockpiles do release: the balance is tested with them */
    tu_path_free(&r);
    ms_scenario_free(s);
}

/* A stockpile that buys nothing (purchase 0 t/month, refill 0) runs the
 * purchase machinery with a zero share: every statistic of every path is
 * the same, bit for bit, as without purchase or refill. */
static void test_buying_nothing_changes_no_bit(void **st)
{
    (void)st;
    ms_scenario *a = tu_load_fmt(RICH, "");
    ms_scenario *b = tu_load_fmt(RICH, ",\n     purchase: {t_per_month: 0, from: 2025-01}, refill_t_per_month: 0");
    ms_engine *ea = tu_engine(a), *eb = tu_engine(b);
    int n = ms_engine_nmetrics(ea) + ms_engine_nseries(ea);
    assert_int_equal(n, ms_engine_nmetrics(eb) + ms_engine_nseries(eb));
    ms_work *wa = ms_work_alloc(ea), *wb = ms_work_alloc(eb);
    double *oa = calloc((size_t)n * 64, sizeof(double)), *ob = calloc((size_t)n * 64, sizeof(double));
    ms_engine_paths(ea, wa, 0, 64, oa, (size_t)n);
    ms_engine_paths(eb, wb, 0, 64, ob, (size_t)n);
    assert_int_equal(memcmp(oa, ob, sizeof(double) * (size_t)n * 64), 0);
    free(oa);
    free(ob);
    ms_work_free(wa);
    ms_work_free(wb);
    ms_engine_free(ea);
    ms_engine_free(eb);
    ms_scenario_free(a);
    ms_scenario_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_purchases_under_licence_cap),
        cmocka_unit_test(test_purchases_arrive_after_transit),
        cmocka_unit_test(test_purchase_pays_scarcity_price),
        cmocka_unit_test(test_refill_after_release),
        cmocka_unit_test(test_pooled_reserve_by_demand),
        cmocka_unit_test(test_pooled_reserve_allocation),
        cmocka_unit_test(test_queue_shares),
        cmocka_unit_test(test_cell_flows_share),
        cmocka_unit_test(test_cell_flows_diverted),
        cmocka_unit_test(test_mass_balance_with_purchases),
        cmocka_unit_test(test_buying_nothing_changes_no_bit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
