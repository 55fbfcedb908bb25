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

/* cmocka 1.1.5's assert_float_equal compares floats (about 7 digits): doubles are compared here. */
#define NEAR(a, b, tol) assert_true(fabs((double)(a) - (double)(b)) <= (double)(tol))

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

/* Metric `what` of cell (i, k), importer (i, -1) or the total (-1, -1). */
static double metric(const tu_path *r, int what, int i, int k)
{
    return tu_out(r, 0, what, -1, i, k, -1, -1);
}

/* Roll-ups over industries and importers: shares recomputed from summed
 * tonnes, months short and time-to-recover on the roll-up's own monthly
 * share, value at risk summed.  6 months, threshold 0.05; no cover, transit
 * 0, restore 1 (each industry orders its demand every month).
 * usa: ev (100 t/month, priority 1, 1000 USD/t), wind (50 t/month, priority
 * 2, 400 USD/t); jpn: ev (200 t/month, 10 USD/t).  A ban on half of usa's
 * imports in months 2-3 (2025-03 to 2025-05); a ban on 8% of jpn's in month
 * 4 (2025-05 to 2025-06).
 * Months 2-3: usa gets 75 t, all to ev (tier 1): ev short 25 (0.25), wind
 *   50 (1.0), usa 75/150 = 0.5, the total 75/350 = 0.2142857.
 * Month 4: jpn short 16 (0.08 > 0.05: a month short for jpn), the total
 *   16/350 = 0.0457 (not above 0.05: not a month short for the total).
 *            shortage_t  share            peak     months  recover  value at risk
 *   usa.ev   50          50/600           0.25     2       2        50 x 1000 = 50000
 *   usa.wind 100         100/300          1        2       2        100 x 400 = 40000
 *   usa      150         150/900 = 1/6    0.5      2       2        90000
 *            (the mean of its cells' shares would be 0.208)
 *   jpn.ev   16          16/1200          0.08     1       1        160
 *   jpn      16          16/1200          0.08     1       1        160
 *   total    166         166/2100         75/350   2       2        90160
 * Time to survive: usa's cells and usa count from its ban (month 2), jpn
 * from its own (month 4), the total from the earliest control (month 2); each
 * is short in the month its control starts: 0. */
static void test_rollups(void **st)
{
    (void)st;
    ms_scenario *s = tu_load_text(
        "test.yaml",
        "magsim: 1\n"
        "horizon: {start: 2025-01, months: 6}\n"
        "products: {ndfeb: {price_usd_per_kg: 50}}\n"
        "suppliers:\n"
        "  china: {country: CN, capacity_t_per_year: {ndfeb: 1000000}}\n"
        "importers:\n"
        "  usa:\n"
        "    sourcing: {ndfeb: {china: 1}}\n"
        "    transit_months: {default: 0}\n"
        "    demand_elasticity: 0\n"
        "    industries:\n"
        "      ev: {demand_t_per_year: {ndfeb: 1200}, cover_months: 0, restore_months: 1, priority: 1,\n"
        "           value_usd_per_t: 1000}\n"
        "      wind: {demand_t_per_year: {ndfeb: 600}, cover_months: 0, restore_months: 1, priority: 2,\n"
        "             value_usd_per_t: 400}\n"
        "  jpn:\n"
        "    sourcing: {ndfeb: {china: 1}}\n"
        "    transit_months: {default: 0}\n"
        "    demand_elasticity: 0\n"
        "    industries:\n"
        "      ev: {demand_t_per_year: {ndfeb: 2400}, cover_months: 0, restore_months: 1, value_usd_per_t: 10}\n"
        "policies:\n"
        "  - {name: usa_ban, type: export_control, exporter: china, destinations: [usa], mode: ban,\n"
        "     affected: 0.5, start: 2025-03, end: 2025-05}\n"
        "  - {name: jpn_ban, type: export_control, exporter: china, destinations: [jpn], mode: ban,\n"
        "     affected: 0.08, start: 2025-05, end: 2025-06}\n");
    tu_path r = tu_path_run(s, 0);
    /* entities: usa.ev, usa.wind, usa, jpn.ev, jpn, total */
    const int ei[6] = {0, 0, 0, 1, 1, -1}, ek[6] = {0, 1, -1, 0, -1, -1};
    const double tonnes[6] = {50, 100, 150, 16, 16, 166};
    const double share[6] = {50.0 / 600, 100.0 / 300, 150.0 / 900, 16.0 / 1200, 16.0 / 1200, 166.0 / 2100};
    const double peak[6] = {0.25, 1, 0.5, 0.08, 0.08, 75.0 / 350};
    const double months[6] = {2, 2, 2, 1, 1, 2};
    const double var[6] = {50000, 40000, 90000, 160, 160, 90160};
    for (int n = 0; n < 6; n++) {
        NEAR(metric(&r, MS_M_SHORTAGE_T, ei[n], ek[n]), tonnes[n], 1e-9);
        NEAR(metric(&r, MS_M_SHORTAGE_SHARE, ei[n], ek[n]), share[n], 1e-12);
        NEAR(metric(&r, MS_M_PEAK_SHORTAGE_SHARE, ei[n], ek[n]), peak[n], 1e-12);
        NEAR(metric(&r, MS_M_MONTHS_SHORT, ei[n], ek[n]), months[n], 0);
        NEAR(metric(&r, MS_M_TIME_TO_RECOVER, ei[n], ek[n]), months[n], 0);
        NEAR(metric(&r, MS_M_TIME_TO_SURVIVE, ei[n], ek[n]), 0.0, 0);
        NEAR(metric(&r, MS_M_VALUE_AT_RISK, ei[n], ek[n]), var[n], 1e-6); /* USD: 1e-9 t x 1000 USD/t */
    }
    NEAR(tu_out(&r, 1, MS_S_SHORTAGE_SHARE, -1, -1, -1, -1, 2), 75.0 / 350, 1e-12);
    NEAR(tu_out(&r, 1, MS_S_SHORTAGE_SHARE, -1, -1, -1, -1, 4), 16.0 / 350, 1e-12);
    NEAR(tu_out(&r, 1, MS_S_SHORTAGE_SHARE, -1, 0, -1, -1, 3), 0.5, 1e-12);
    tu_path_free(&r);
    ms_scenario_free(s);
}

/* One importer usa, one industry ev of 100 t/month from china, restore 1.
 * %d: months; %s: china's capacity (t/yr), the transit, ev's cover months,
 * the policies (and outputs). */
static const char *USA_EV =
    "magsim: 1\n"
    "horizon: {start: 2025-01, months: %d}\n"
    "products: {ndfeb: {price_usd_per_kg: 50}}\n"
    "suppliers:\n"
    "  china: {country: CN, capacity_t_per_year: {ndfeb: %s}}\n"
    "importers:\n"
    "  usa:\n"
    "    sourcing: {ndfeb: {china: 1}}\n"
    "    transit_months: {default: %s}\n"
    "    demand_elasticity: 0\n"
    "    industries:\n"
    "      ev: {demand_t_per_year: {ndfeb: 1200}, cover_months: %s, restore_months: 1}\n"
    "%s";

/* Time to survive with no control.  USA_EV for 6 months with cover 1
 * month, transit 1 month and china's capacity 600 t/yr: it can ship
 * 50 t/month.  The month-0 pipeline holds a month of the import need
 * (100 t) and the stock is 100 t.
 * Month 0: orders 100, 50 shipped, 100 (the pipeline) arrive: stock 100.
 * Month 1: orders 100 + (200 - 150) = 150, 50 arrive: stock 50.
 * Month 2: 50 arrive: stock 0, not short.  Month 3 on: 50 arrive, 50 t
 * short (share 0.5) every month.
 * (a) No policy at all: the reference is month 0: time to survive 3 - 0 =
 *     3 (cell, importer, total); time to recover 5 - 3 + 1 = 3.
 * (b) A tariff on usa from 2025-03 (month 2), no control: the reference of
 *     usa's cell, of usa and of the total is the start of a policy touching
 *     usa: 3 - 2 = 1.  The quantities are those of (a) (one supplier). */
static void test_time_to_survive_no_control(void **st)
{
    (void)st;
    const char *pol[2] = {"", "policies:\n"
                              "  - {name: tar, type: tariff, importer: usa, schedule: [{from: 2025-03, rate: 0.1}]}\n"};
    const double expect[2] = {3, 1};
    for (int v = 0; v < 2; v++) {
        ms_scenario *s = tu_load_fmt(USA_EV, 6, "600", "1", "1", pol[v]);
        tu_path r = tu_path_run(s, 0);
        const double sh[6] = {0, 0, 0, 50, 50, 50};
        for (int t = 0; t < 6; t++)
            NEAR(TU_CP(r.tr, shortage, t, 0, 0), sh[t], 1e-9);
        NEAR(tts(&r, 0, 0), expect[v], 0);
        NEAR(tts(&r, 0, -1), expect[v], 0);
        NEAR(tts(&r, -1, -1), expect[v], 0);
        NEAR(metric(&r, MS_M_TIME_TO_RECOVER, 0, 0), 3.0, 0);
        tu_path_free(&r);
        ms_scenario_free(s);
    }
}

/* Time to survive from a fractional start.  TWO_IMPORTERS with a ban on
 * china's exports to usa from 2025-04-16: month 3 + 15/30 = 3.5, on from
 * month 4.  usa's orders from month 4 are denied, the last shipments (month
 * 3) arrive in month 5, the 200 t of stock last months 6 and 7: short from
 * month 8, 8 - 3.5 = 4.5 months (cell, usa, total).  A tariff on jpn from
 * 2025-02-15 (month 1 + 14/28 = 1.5): jpn is never short: 12 - 1.5 = 10.5. */
static void test_time_to_survive_fractional_start(void **st)
{
    (void)st;
    ms_scenario *s = tu_load_fmt(TWO_IMPORTERS,
                                 "  - {name: ban, type: export_control, exporter: china, destinations: [usa],\n"
                                 "     mode: ban, start: 2025-04-16}\n"
                                 "  - {name: tar, type: tariff, importer: jpn,\n"
                                 "     schedule: [{from: 2025-02-15, rate: 0.1}]}\n");
    tu_path r = tu_path_run(s, 0);
    NEAR(TU_CP(r.tr, shortage, 7, 0, 0), 0.0, 0);
    NEAR(TU_CP(r.tr, shortage, 8, 0, 0), 100.0, 1e-9);
    NEAR(tts(&r, 0, 0), 4.5, 1e-12);
    NEAR(tts(&r, 0, -1), 4.5, 1e-12);
    NEAR(tts(&r, -1, -1), 4.5, 1e-12);
    NEAR(tts(&r, 1, 0), 10.5, 1e-12);
    NEAR(tts(&r, 1, -1), 10.5, 1e-12);
    tu_path_free(&r);
    ms_scenario_free(s);
}

/* Time to recover across a gap, and months short counting only months
 * strictly above the threshold (0.25 here).  USA_EV for 12 months, no
 * cover, transit 0.  Bans covering a share of china's exports: 25% in month
 * 1, 50% in months 3-4 and 8-9, 10% in month 11.  Monthly shortage shares:
 * 0.25 in month 1 (exactly the threshold: not short), 0.5 in months 3, 4,
 * 8, 9, 0.1 in month 11.  Months short: 4; first month short 3, last 9:
 * time to recover 9 - 3 + 1 = 7; time to survive from the earliest control
 * (month 1): 3 - 1 = 2; shortage 25 + 4 x 50 + 10 = 235 t, share 235/1200;
 * peak 0.5. */
static void test_time_to_recover_gaps(void **st)
{
    (void)st;
    ms_scenario *s = tu_load_fmt(
        USA_EV, 12, "1000000", "0", "0",
        "policies:\n"
        "  - {name: c, type: export_control, exporter: china, mode: ban, affected: 0.25,\n"
        "     start: 2025-02, end: 2025-03}\n"
        "  - {name: a, type: export_control, exporter: china, mode: ban, affected: 0.5,\n"
        "     start: 2025-04, end: 2025-06}\n"
        "  - {name: b, type: export_control, exporter: china, mode: ban, affected: 0.5,\n"
        "     start: 2025-09, end: 2025-11}\n"
        "  - {name: d, type: export_control, exporter: china, mode: ban, affected: 0.1, start: 2025-12}\n"
        "outputs: {shortage_threshold: 0.25}\n");
    tu_path r = tu_path_run(s, 0);
    const double sh[12] = {0, 25, 0, 50, 50, 0, 0, 0, 50, 50, 0, 10};
    for (int t = 0; t < 12; t++)
        NEAR(TU_CP(r.tr, shortage, t, 0, 0), sh[t], 1e-9);
    NEAR(tu_out(&r, 1, MS_S_SHORTAGE_SHARE, -1, 0, 0, -1, 1), 0.25, 0);
    for (int k = 0; k >= -1; k--) { /* the cell, then usa */
        NEAR(metric(&r, MS_M_MONTHS_SHORT, 0, k), 4.0, 0);
        NEAR(metric(&r, MS_M_TIME_TO_RECOVER, 0, k), 7.0, 0);
        NEAR(metric(&r, MS_M_TIME_TO_SURVIVE, 0, k), 2.0, 0);
        NEAR(metric(&r, MS_M_SHORTAGE_T, 0, k), 235.0, 1e-9);
        NEAR(metric(&r, MS_M_SHORTAGE_SHARE, 0, k), 235.0 / 1200, 1e-12);
        NEAR(metric(&r, MS_M_PEAK_SHORTAGE_SHARE, 0, k), 0.5, 1e-12);
    }
    NEAR(metric(&r, MS_M_MONTHS_SHORT, -1, -1), 4.0, 0);
    NEAR(metric(&r, MS_M_TIME_TO_RECOVER, -1, -1), 7.0, 0);
    tu_path_free(&r);
    ms_scenario_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_time_to_survive_reference),
        cmocka_unit_test(test_rollups),
        cmocka_unit_test(test_time_to_survive_no_control),
        cmocka_unit_test(test_time_to_survive_fractional_start),
        cmocka_unit_test(test_time_to_recover_gaps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
