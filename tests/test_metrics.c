/*
 * test_metrics.c - the metrics of a path (docs/model.md, "Metrics"):
 * time-to-survive and its reference, against numbers worked out by hand
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

/* Two importers, usa and jpn, each with one industry "ev" of 100 t/month
 * from china, cover 2 months, transit 2 months, restore 2 months; 12
 * months.  %s: policies. */
static const char *TWO_IMPORTERS =
    "magsim: 1\n"
    "horizon: {start: 2025-01, months: 12}\n"
    "products: {ndfeb: {price_usd_per_kg: 50}}\n"
    "suppliers:\n"
    "  china: {country: CN, capacity_t_per_year: {ndfeb: 1000000}}\n"
    "importers:\n"
    "  usa:\n"
    "    sourcing: {ndfeb: {china: 1}}\n"
    "    transit_months: {default: 2}\n"
    "    demand_elasticity: 0\n"
    "    industries:\n"
    "      ev: {demand_t_per_year: {ndfeb: 1200}, cover_months: 2, restore_months: 2}\n"
    "  jpn:\n"
    "    sourcing: {ndfeb: {china: 1}}\n"
    "    transit_months: {default: 2}\n"
    "    demand_elasticity: 0\n"
    "    industries:\n"
    "      ev: {demand_t_per_year: {ndfeb: 1200}, cover_months: 2, restore_months: 2}\n"
    "policies:\n"
    "%s";

static double tts(const tu_path *r, int i, int k)
{
    return tu_out(r, 0, MS_M_TIME_TO_SURVIVE, -1, i, k, -1, -1);
}

/* Version 2, item 7: time-to-survive of a cell counts from the earliest
 * control, inside the horizon, that covers it.
 * (a) A ban on china's exports to usa from 2025-04 (month 3): usa's orders
 * from month 3 are denied, the last shipments arrive in month 4, its 200 t
 * of stock last months 5 and 6, and it is short from month 7: 7 - 3 = 4
 * months.  jpn is not covered and no policy touches it: its reference is
 * month 0, it is never short, so it scores 12 - 0 = 12 (version 1: 12 - 3
 * = 9, from a control that does not touch it).  The total counts from the
 * earliest control: 4.
 * (b) The same ban from 2026-06, after the 12-month horizon: no reference
 * inside the horizon, month 0; never short: 12 (version 1: 12 - 12 = 0,
 * the worst value, for a path that never ran short).
 * (c) As (a) plus a tariff on jpn's imports from 2025-02 (month 1): jpn's
 * reference is the policy touching it, month 1: 12 - 1 = 11. */
static void test_time_to_survive_reference(void **st)
{
    (void)st;
    const char *ban = "  - {name: ban, type: export_control, exporter: china, destinations: [usa], mode: ban,\n"
                      "     start: %s}\n";
    char pol[512];
    /* (a) */
    snprintf(pol, sizeof pol, ban, "2025-04");
    ms_scenario *s = tu_load_fmt(TWO_IMPORTERS, pol);
    tu_path r = tu_path_run(s, 0);
    assert_float_equal(TU_CP(r.tr, shortage, 6, 0, 0), 0.0, 0);
    assert_float_equal(TU_CP(r.tr, shortage, 7, 0, 0), 100.0, 1e-9);
    assert_float_equal(tts(&r, 0, 0), 4.0, 0);
    assert_float_equal(tts(&r, 1, 0), 12.0, 0);
    assert_float_equal(tts(&r, 0, -1), 4.0, 0);
    assert_float_equal(tts(&r, 1, -1), 12.0, 0);
    assert_float_equal(tts(&r, -1, -1), 4.0, 0);
    tu_path_free(&r);
    ms_scenario_free(s);
    /* (b) */
    snprintf(pol, sizeof pol, ban, "2026-06");
    s = tu_load_fmt(TWO_IMPORTERS, pol);
    r = tu_path_run(s, 0);
    assert_float_equal(tts(&r, 0, 0), 12.0, 0);
    assert_float_equal(tts(&r, 1, 0), 12.0, 0);
    assert_float_equal(tts(&r, -1, -1), 12.0, 0);
    tu_path_free(&r);
    ms_scenario_free(s);
    /* (c) */
    snprintf(pol, sizeof pol, ban, "2025-04");
    strcat(pol, "  - {name: tar, type: tariff, importer: jpn, schedule: [{from: 2025-02, rate: 0.1}]}\n");
    s = tu_load_fmt(TWO_IMPORTERS, pol);
    r = tu_path_run(s, 0);
    assert_float_equal(tts(&r, 0, 0), 4.0, 0);
    assert_float_equal(tts(&r, 1, 0), 11.0, 0);
    tu_path_free(&r);
    ms_scenario_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_time_to_survive_reference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
