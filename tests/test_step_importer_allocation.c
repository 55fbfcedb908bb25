/*
 * test_step_importer_allocation.c - step 9, allocation inside the importer
 * (docs/model.md, "9. Allocation inside the importer"): the pool, rationing,
 * consumption, stockpile releases, against numbers worked out by hand
 * through the real engine with fixed inputs.
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

/* Version 2, item 4: a stockpile fills gaps instead of displacing imports.
 * usa takes 100 t/month from china, no cover, transit 0, restore 1 month.
 * A ban from month 0 covers half the flow (affected 0.5).  A stockpile of
 * 100 t releases up to 30 t/month when the fill rate before releases is
 * below 0.95.
 * Each month usa orders its demand, 100 t (no stock, nothing on order), and
 * asks china for all of it: imports are not netted of releases.  50 t pass
 * and arrive; the fill rate before releases is 0.5, so the stockpile
 * releases min(30, what is left, the 50 t short): 30 t in months 0-2, the
 * last 10 t in month 3, nothing after.  Shortage: 50 - 30 = 20 t in months
 * 0-2, 40 t in month 3, 50 t from month 4.  (Version 1 netted the 30 t off
 * the import need: 70 t asked, 35 t passed, 35 + 30 = 65 t, 35 t short.) */
static void test_stockpile_fills_gaps(void **st)
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
        "      ev: {demand_t_per_year: {ndfeb: 1200}, cover_months: 0, restore_months: 1}\n"
        "policies:\n"
        "  - {name: ban, type: export_control, exporter: china, mode: ban, affected: 0.5, start: 2025-01}\n"
        "  - {name: sp, type: stockpile, importer: usa, product: ndfeb, stock_t: 100,\n"
        "     release_t_per_month: 30, trigger: 0.95}\n");
    tu_path r = tu_path_run(s, 0);
    double rel[8] = {30, 30, 30, 10, 0, 0, 0, 0};
    for (int t = 0; t < 8; t++) {
        assert_float_equal(TU_CP(r.tr, orders, t, 0, 0), 100.0, 1e-9);
        assert_float_equal(TU_SIP(r.tr, requests, t, 0, 0, 0), 100.0, 1e-9);
        assert_float_equal(TU_SIP(r.tr, shipments, t, 0, 0, 0), 50.0, 1e-9);
        assert_float_equal(TU_IP(r.tr, released, t, 0, 0), rel[t], 1e-9);
        assert_float_equal(TU_CP(r.tr, shortage, t, 0, 0), 50.0 - rel[t], 1e-9);
    }
    tu_path_free(&r);
    ms_scenario_free(s);
}

/* One supplier china, one importer usa, transit 0, no demand elasticity.
 * %d: months; %s: usa's rationing, its industries, the policies. */
static const char *USA =
    "magsim: 1\n"
    "horizon: {start: 2025-01, months: %d}\n"
    "products: {ndfeb: {price_usd_per_kg: 50}}\n"
    "suppliers:\n"
    "  china: {country: CN, capacity_t_per_year: {ndfeb: 1000000}}\n"
    "importers:\n"
    "  usa:\n"
    "    sourcing: {ndfeb: {china: 1}}\n"
    "    transit_months: {default: 0}\n"
    "    demand_elasticity: 0\n"
    "    rationing: %s\n"
    "    industries:\n"
    "%s"
    "policies:\n"
    "%s";

/* usa: ev (100 t/month, priority 1) and wind (50 t/month, priority 2), no
 * cover, restore 1 (each orders its demand every month).  A ban from month
 * 0 covers 40% of the flow: of the 150 t asked, 90 t pass and arrive, the
 * 60 t denied are known at once.  The pool, 90 t, goes to ev first: before
 * releases ev is short 10 t, wind 50 t, and the fill rate is 90 / 150 = 0.6. */
static const char *GAPS_INDUSTRIES =
    "      ev: {demand_t_per_year: {ndfeb: 1200}, cover_months: 0, restore_months: 1, priority: 1}\n"
    "      wind: {demand_t_per_year: {ndfeb: 600}, cover_months: 0, restore_months: 1, priority: 2}\n";
#define GAPS_BAN "  - {name: ban, type: export_control, exporter: china, mode: ban, affected: 0.4, start: 2025-01}\n"

/* Stockpile releases, in scenario order, each into what the earlier ones
 * left; X = min(release limit, stock left, its beneficiaries' shortage),
 * split over them in proportion to their shortage.
 *   A: 100 t, up to 45 t/month, trigger 0.7, every industry, from 2025-02;
 *   B: 50 t, up to 30 t/month, trigger 0.65, wind only, from the start;
 *   C: 1000 t, up to 1000 t/month, trigger 0.5: the fill rate before
 *      releases, 0.6, is not below it: C never releases.
 * B's trigger is checked on the fill rate before any release (0.6), not on
 * what A left (0.9 from month 1).
 * Month 0: A has not started; B: min(30, 50, 50) = 30 to wind.  Short: ev
 *   10, wind 20.  B keeps 20.
 * Month 1: A: min(45, 100, 10 + 50) = 45, ev 45 x 10/60 = 7.5, wind 37.5
 *   (in proportion to demand: 30 and 15); B: wind's gap 50 - 37.5 = 12.5:
 *   12.5.  Released 57.5; short ev 2.5, wind 0.  A keeps 55, B 7.5.
 * Month 2: A: 45 as in month 1, keeps 10; B: min(30, 7.5, 12.5) = 7.5, its
 *   last.  Released 52.5; short ev 2.5, wind 5.
 * Month 3: A: its last 10 t, ev 10/6 = 5/3, wind 25/3.  Short ev 25/3,
 *   wind 125/3.
 * Months 4-6: nothing left: short ev 10, wind 50.
 * Fill rate = (150 - shortage) / 150. */
static void test_stockpiles_in_order(void **st)
{
    (void)st;
    ms_scenario *s = tu_load_fmt(USA, 7, "priority", GAPS_INDUSTRIES,
                                 GAPS_BAN
                                 "  - {name: a, type: stockpile, importer: usa, product: ndfeb, stock_t: 100,\n"
                                 "     release_t_per_month: 45, trigger: 0.7, start: 2025-02}\n"
                                 "  - {name: b, type: stockpile, importer: usa, product: ndfeb, stock_t: 50,\n"
                                 "     release_t_per_month: 30, trigger: 0.65, beneficiaries: [wind]}\n"
                                 "  - {name: c, type: stockpile, importer: usa, product: ndfeb, stock_t: 1000,\n"
                                 "     release_t_per_month: 1000, trigger: 0.5}\n");
    tu_path r = tu_path_run(s, 0);
    double X[7] = {30, 57.5, 52.5, 10, 0, 0, 0};
    double se[7] = {10, 2.5, 2.5, 25.0 / 3, 10, 10, 10};
    double sw[7] = {20, 0, 5, 125.0 / 3, 50, 50, 50};
    for (int t = 0; t < 7; t++) {
        NEAR(TU_IP(r.tr, arrivals, t, 0, 0), 90.0, 1e-9);
        NEAR(TU_IP(r.tr, released, t, 0, 0), X[t], 1e-9);
        NEAR(TU_CP(r.tr, shortage, t, 0, 0), se[t], 1e-9);
        NEAR(TU_CP(r.tr, shortage, t, 1, 0), sw[t], 1e-9);
        NEAR(TU_CP(r.tr, received, t, 0, 0), 100.0 - se[t], 1e-9);
        NEAR(TU_CP(r.tr, received, t, 1, 0), 50.0 - sw[t], 1e-9);
        NEAR(TU_IP(r.tr, fill_rate, t, 0, 0), (150.0 - se[t] - sw[t]) / 150.0, 1e-12);
        NEAR(TU_CP(r.tr, inventory, t, 0, 0), 0.0, 1e-9);
    }
    tu_path_free(&r);
    ms_scenario_free(s);
}

/* A release that covers the whole gap leaves no shortage at all, not a
 * rounding residue: usa's ev (1000 t/yr), wind (300) and electronics (300)
 * (proportional rationing, no cover, restore 1) lose 37% of their imports
 * to a ban from month 0, so each is short 37% of its monthly demand,
 * 0.37 x 1600 / 12 = 49.333 t in all; a stockpile of 10,000 t releasing up
 * to 1,000 t/month at trigger 1 releases the 49.333 t, and each industry's
 * shortage is then exactly 0.  (Split in proportion, x_c = X g_c / G, ev
 * was left 3.6e-15 t short in every month: a "shortage" that P(short)
 * counts.) */
static void test_release_covering_gap_leaves_no_residue(void **st)
{
    (void)st;
    ms_scenario *s = tu_load_fmt(USA, 6, "proportional",
                                 "      ev: {demand_t_per_year: {ndfeb: 1000}, cover_months: 0, restore_months: 1}\n"
                                 "      wind: {demand_t_per_year: {ndfeb: 300}, cover_months: 0, restore_months: 1}\n"
                                 "      electronics: {demand_t_per_year: {ndfeb: 300}, cover_months: 0, restore_months: 1}\n",
                                 "  - {name: ban, type: export_control, exporter: china, mode: ban, affected: 0.37, start: 2025-01}\n"
                                 "  - {name: sp, type: stockpile, importer: usa, product: ndfeb, stock_t: 10000,\n"
                                 "     release_t_per_month: 1000, trigger: 1}\n");
    tu_path r = tu_path_run(s, 0);
    for (int t = 0; t < 6; t++) {
        NEAR(TU_IP(r.tr, released, t, 0, 0), 0.37 * 1600 / 12, 1e-9);
        for (int c = 0; c < 3; c++) {
            assert_true(TU_CP(r.tr, shortage, t, c, 0) == 0.0);
            NEAR(TU_CP(r.tr, received, t, c, 0), (c == 0 ? 1000.0 : 300.0) / 12, 1e-9);
        }
        assert_true(TU_IP(r.tr, fill_rate, t, 0, 0) == 1.0);
    }
    tu_path_free(&r);
    ms_scenario_free(s);
}

/* usa: ev (100 t/month) and wind (50 t/month) in tier 3, defense
 * (20 t/month) in tier 1, listed last; no cover, transit 0, restore 1.  A
 * ban on half of china's exports from month 0, and another on 80% of what
 * it passes from 2025-04 (month 3); 5 months. */
static const char *TIERS_INDUSTRIES =
    "      ev: {demand_t_per_year: {ndfeb: 1200}, cover_months: 0, restore_months: 1, priority: 3}\n"
    "      wind: {demand_t_per_year: {ndfeb: 600}, cover_months: 0, restore_months: 1, priority: 3}\n"
    "      defense: {demand_t_per_year: {ndfeb: 240}, cover_months: 0, restore_months: 1, priority: 1}\n";
static const char *TIERS_BANS =
    "  - {name: half, type: export_control, exporter: china, mode: ban, affected: 0.5, start: 2025-01}\n"
    "  - {name: most, type: export_control, exporter: china, mode: ban, affected: 0.8, start: 2025-04}\n";

/* Priority rationing: tiers by ascending priority, each receives
 * min(its claims, pool left), split in proportion to claims.  The claims
 * are the orders, 100 (ev), 50 (wind), 20 (defense).
 * Months 0-2: 170 t asked, 85 t pass.  Tier 1: defense 20.  Tier 3: 65 t for
 * claims of 150: ev 65 x 100/150 = 130/3, wind 65/3.  Short: defense 0,
 * ev 170/3, wind 85/3.
 * Months 3-4: 170 x 0.5 x 0.2 = 17 t pass, less than tier 1's claim: defense
 * 17 (short 3), ev and wind nothing.
 * proportional (one tier): months 0-2: 85 x claim / 170: defense 10, ev 50,
 * wind 25; months 3-4: defense 2, ev 10, wind 5. */
static void test_priority_tiers(void **st)
{
    (void)st;
    /* received by ev, wind, defense in months 0-2 and 3-4: [rationing][period][cell] */
    double got[2][2][3] = {{{130.0 / 3, 65.0 / 3, 20}, {0, 0, 17}}, {{50, 25, 10}, {10, 5, 2}}};
    const double D[3] = {100, 50, 20};
    for (int prop = 0; prop < 2; prop++) {
        ms_scenario *s = tu_load_fmt(USA, 5, prop ? "proportional" : "priority", TIERS_INDUSTRIES, TIERS_BANS);
        tu_path r = tu_path_run(s, 0);
        for (int t = 0; t < 5; t++)
            for (int c = 0; c < 3; c++) {
                NEAR(TU_CP(r.tr, received, t, c, 0), got[prop][t >= 3][c], 1e-9);
                NEAR(TU_CP(r.tr, shortage, t, c, 0), D[c] - got[prop][t >= 3][c], 1e-9);
            }
        tu_path_free(&r);
        ms_scenario_free(s);
    }
}

/* What is left of the pool after the claims goes to the industries in
 * proportion to demand.  usa: wind (50 t/month, tier 2, no cover), ev
 * (100 t/month, tier 2, 1 month of cover), defense (20 t/month, tier 1, no
 * cover); recycling of 300 t/month (3600 t/yr, yield 1, no ramp); ev's
 * demand x1.5 from month 0.  Nothing is imported (the import need is 0).
 * Month 0: demand 50, 150, 20 (220 t); every order is served by recycling:
 * wind 50, ev 150 + (150 - 100) = 200, defense 20 (270 t).  Tier 1: 20,
 * tier 2: 250, leaving 30 t: wind 30 x 50/220 = 75/11, ev 225/11, defense
 * 30/11 (in proportion to orders ev would get 200/9).  Received: wind
 * 625/11, ev 2425/11, defense 250/11; stocks: wind 75/11, ev 100 + 2425/11
 * - 150 = 1875/11, defense 30/11.
 * Month 1: orders wind 50 - 75/11 = 475/11, ev 150 + 150 - 1875/11 =
 * 1425/11, defense 20 - 30/11 = 190/11 (190 t); 110 t left: wind 25, ev 75,
 * defense 10.  Stocks: wind 25, ev 225, defense 10. */
static void test_leftover_pool_by_demand(void **st)
{
    (void)st;
    ms_scenario *s = tu_load_fmt(
        USA, 2, "priority",
        "      wind: {demand_t_per_year: {ndfeb: 600}, cover_months: 0, restore_months: 1, priority: 2}\n"
        "      ev: {demand_t_per_year: {ndfeb: 1200}, cover_months: 1, restore_months: 1, priority: 2}\n"
        "      defense: {demand_t_per_year: {ndfeb: 240}, cover_months: 0, restore_months: 1, priority: 1}\n",
        "  - {name: rec, type: recycling, importer: usa, product: ndfeb, capacity_t_per_year: 3600,\n"
        "     yield: 1, ramp_months: 0}\n"
        "  - {name: boom, type: demand_shock, industries: [ev], start: 2025-01, multiplier: 1.5}\n");
    tu_path r = tu_path_run(s, 0);
    double O[2][3] = {{50, 200, 20}, {475.0 / 11, 1425.0 / 11, 190.0 / 11}};
    double rc[2][3] = {{625.0 / 11, 2425.0 / 11, 250.0 / 11}, {475.0 / 11 + 25, 1425.0 / 11 + 75, 190.0 / 11 + 10}};
    double I[2][3] = {{75.0 / 11, 1875.0 / 11, 30.0 / 11}, {25, 225, 10}};
    for (int t = 0; t < 2; t++) {
        NEAR(TU_IP(r.tr, recycled, t, 0, 0), 300.0, 1e-9);
        NEAR(TU_SIP(r.tr, requests, t, 0, 0, 0), 0.0, 0);
        for (int c = 0; c < 3; c++) {
            NEAR(TU_CP(r.tr, orders, t, c, 0), O[t][c], 1e-9);
            NEAR(TU_CP(r.tr, received, t, c, 0), rc[t][c], 1e-9);
            NEAR(TU_CP(r.tr, inventory, t, c, 0), I[t][c], 1e-9);
            NEAR(TU_CP(r.tr, shortage, t, c, 0), 0.0, 1e-9);
        }
    }
    tu_path_free(&r);
    ms_scenario_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stockpile_fills_gaps),
        cmocka_unit_test(test_stockpiles_in_order),
        cmocka_unit_test(test_release_covering_gap_leaves_no_residue),
        cmocka_unit_test(test_priority_tiers),
        cmocka_unit_test(test_leftover_pool_by_demand),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
