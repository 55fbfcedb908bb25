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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stockpile_fills_gaps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
