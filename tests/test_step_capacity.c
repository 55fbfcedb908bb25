/*
 * test_step_capacity.c - step 1, capacity (docs/model.md, "1. Capacity"):
 * outages (start, duration ceil(d), cut), S-curve expansion ramps and the
 * exportable supply E = export_share x C, against numbers worked out by
 * hand through the real engine, one path traced month by month.
 *
 * Unless a test says otherwise: one importer "usa" with one industry "ev"
 * of 100 t/month of ndfeb, transit 0, cover 1 month, restore 1 month, no
 * price feedback.  Capacity in the trace is t/month after outages.
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
#include "magsim/dist.h"
#include "magsim/rng.h"
#include "testutil.h"

/* Capacity and exportable supply of supplier s, product 0, in month t. */
#define CAP(tr, t, s) ((tr)->capacity[((size_t)(t) * (tr)->S + (s)) * (tr)->P])
#define EXP(tr, t, s) ((tr)->export_cap[((size_t)(t) * (tr)->S + (s)) * (tr)->P])

/* An outage that is always on: hazard 1, so one starts in month 0 and a new
 * one the month the last ends; cut 0.25, duration 2.3 months.  a makes
 * 1200 t/yr = 100 t/month and may export 0.6 of it; b (no outage) makes
 * 2400 t/yr.  Every month: C_a = 100 x (1 - 0.25) = 75 t, E_a = 0.6 x 75
 * = 45 t; C_b = E_b = 200 t.  usa asks a for all its 100 t (share 1), more
 * than E_a: a ships 45 t every month (diversion 0). */
static void test_outage_cut(void **st)
{
    (void)st;
    ms_scenario *s = tu_load_text(
        "test.yaml",
        "magsim: 1\n"
        "horizon: {start: 2025-01, months: 8}\n"
        "products: {ndfeb: {price_usd_per_kg: 50}}\n"
        "suppliers:\n"
        "  a: {country: CN, capacity_t_per_year: {ndfeb: 1200}, export_share: {ndfeb: 0.6},\n"
        "      outages: {hazard_per_month: 1, duration_months: 2.3, cut: 0.25}}\n"
        "  b: {country: JP, capacity_t_per_year: {ndfeb: 2400}}\n"
        "importers:\n"
        "  usa:\n"
        "    sourcing: {ndfeb: {a: 1}}\n"
        "    transit_months: {default: 0}\n"
        "    switching: {diversion: 0}\n"
        "    demand_elasticity: 0\n"
        "    industries:\n"
        "      ev: {demand_t_per_year: {ndfeb: 1200}, cover_months: 1, restore_months: 1}\n");
    tu_path r = tu_path_run(s, 0);
    for (int t = 0; t < 8; t++) {
        assert_float_equal(CAP(r.tr, t, 0), 75.0, 1e-9);
        assert_float_equal(EXP(r.tr, t, 0), 45.0, 1e-9);
        assert_float_equal(CAP(r.tr, t, 1), 200.0, 1e-9);
        assert_float_equal(EXP(r.tr, t, 1), 200.0, 1e-9);
        assert_float_equal(TU_SIP(r.tr, shipments, t, 0, 0, 0), 45.0, 1e-9);
    }
    assert_float_equal(TU_SIP(r.tr, requests, 0, 0, 0, 0), 100.0, 1e-9);
    tu_path_free(&r);
    ms_scenario_free(s);
}

/* The cut an outage of supplier `sup` starting in month t draws: keyed by
 * (seed, path, the cut's stream, t), as docs/model.md says events are. */
static double cut_drawn(const ms_engine *e, int sup, uint64_t path, int t)
{
    const ms_dist *d = &ms_engine_scenario(e)->suppliers[sup].outages.cut;
    assert_string_equal(d->key, sup == 0 ? "suppliers.a.outages.cut"
                                          : (sup == 1 ? "suppliers.b.outages.cut" : "suppliers.c.outages.cut"));
    ms_rng *rng = ms_rng_alloc(ms_engine_seed(e));
    ms_rng_key(rng, path, d->stream, (uint32_t)t);
    double c = ms_dist_sample(d, rng);
    ms_rng_free(rng);
    return c;
}

/* Durations: an outage lasts ceil(d) months, to the horizon at most, and
 * draws its cut when it starts.  Hazard 1, so each outage is followed at
 * once by the next; the cut is uniform on [0.2, 0.8], a new draw at each
 * start, so the months of one outage share a cut and the next has another.
 * Horizon 8 months, each supplier 1200 t/yr = 100 t/month, export share 0.5:
 * - a, d = 2.3: ceil 3, outages start in months 0, 3, 6 (the last cut to
 *   the horizon: months 6, 7); C_a(t) = 100 (1 - c_a(start of its outage));
 * - b, d = 20: one outage, months 0..7, one cut: C_b(t) = 100 (1 - c_b(0));
 * - c, d = 0.4: ceil 1, a new outage (and cut) every month.
 * E = 0.5 C.  The expected cuts are the draws of the cut's stream at the
 * start months (cut_drawn); a duration of floor(d) or round(d) would start
 * a's outages in months 0, 2, 4, 6 and give c none. */
static void test_outage_duration(void **st)
{
    (void)st;
    ms_scenario *s = tu_load_text(
        "test.yaml",
        "magsim: 1\n"
        "horizon: {start: 2025-01, months: 8}\n"
        "products: {ndfeb: {price_usd_per_kg: 50}}\n"
        "suppliers:\n"
        "  a: {country: CN, capacity_t_per_year: {ndfeb: 1200}, export_share: {ndfeb: 0.5},\n"
        "      outages: {hazard_per_month: 1, duration_months: 2.3, cut: {dist: uniform, min: 0.2, max: 0.8}}}\n"
        "  b: {country: JP, capacity_t_per_year: {ndfeb: 1200}, export_share: {ndfeb: 0.5},\n"
        "      outages: {hazard_per_month: 1, duration_months: 20, cut: {dist: uniform, min: 0.2, max: 0.8}}}\n"
        "  c: {country: AU, capacity_t_per_year: {ndfeb: 1200}, export_share: {ndfeb: 0.5},\n"
        "      outages: {hazard_per_month: 1, duration_months: 0.4, cut: {dist: uniform, min: 0.2, max: 0.8}}}\n"
        "importers:\n"
        "  usa:\n"
        "    sourcing: {ndfeb: {a: 0.4, b: 0.3, c: 0.3}}\n"
        "    transit_months: {default: 0}\n"
        "    demand_elasticity: 0\n"
        "    industries:\n"
        "      ev: {demand_t_per_year: {ndfeb: 1200}, cover_months: 1, restore_months: 1}\n");
    const uint64_t path = 5;
    tu_path r = tu_path_run(s, path);
    for (int sup = 0; sup < 3; sup++)
        for (int t = 0; t < 8; t++) {
            int start = sup == 0 ? t / 3 * 3 : (sup == 1 ? 0 : t);
            double c = cut_drawn(r.e, sup, path, start);
            assert_true(c >= 0.2 && c <= 0.8);
            assert_float_equal(CAP(r.tr, t, sup), 100.0 * (1.0 - c), 1e-9);
            assert_float_equal(EXP(r.tr, t, sup), 50.0 * (1.0 - c), 1e-9);
        }
    /* the draws differ from month to month, so the blocks are visible */
    assert_true(fabs(CAP(r.tr, 2, 0) - CAP(r.tr, 3, 0)) > 1e-6);
    assert_true(fabs(CAP(r.tr, 5, 0) - CAP(r.tr, 6, 0)) > 1e-6);
    assert_true(fabs(CAP(r.tr, 0, 2) - CAP(r.tr, 1, 2)) > 1e-6);
    tu_path_free(&r);
    ms_scenario_free(s);
}

/* S-curve ramps, ramp(t; a, L) = x^2 (3 - 2x) with x = (t - a) / L.
 * Supplier a: base 1200 t/yr, export share 0.5, and two expansions:
 * - 2400 t/yr from 2025-03 (a = 2) over 4 months: x = 0.25, 0.5, 0.75 in
 *   months 3, 4, 5: ramp 0.0625 x 2.5 = 0.15625, 0.25 x 2 = 0.5, 0.5625 x 1.5
 *   = 0.84375; 1 from month 6; 200 t/month at full ramp;
 * - 1200 t/yr from 2025-04-16 (a = 3 + 15/30 = 3.5), ramp 0: a step, 0 in
 *   month 3 (3 < 3.5), 100 t/month from month 4.
 * C_a = 100 + 200 r1 + 100 r2: 100, 100, 100, 131.25, 300, 368.75, 400, 400.
 * Supplier b: 0 base, 600 t/yr from 2025-04-16 (3.5) over 2 months: x =
 * 0.25 in month 4, 0.75 in month 5: 50 x 0.15625 = 7.8125, 50 x 0.84375 =
 * 42.1875, then 50; and 1200 t/yr from 2025-07 (month 6, a whole month),
 * ramp 0: on in month 6 itself (t >= start), +100: 150 in months 6, 7.
 * E = 0.5 C for a, C for b. */
static void test_expansion_ramps(void **st)
{
    (void)st;
    ms_scenario *s = tu_load_text(
        "test.yaml",
        "magsim: 1\n"
        "horizon: {start: 2025-01, months: 8}\n"
        "products: {ndfeb: {price_usd_per_kg: 50}}\n"
        "suppliers:\n"
        "  a: {country: CN, capacity_t_per_year: {ndfeb: 1200}, export_share: {ndfeb: 0.5},\n"
        "      expansions: [{product: ndfeb, t_per_year: 2400, start: 2025-03, ramp_months: 4},\n"
        "                   {product: ndfeb, t_per_year: 1200, start: 2025-04-16, ramp_months: 0}]}\n"
        "  b: {country: US, capacity_t_per_year: {ndfeb: 0},\n"
        "      expansions: [{product: ndfeb, t_per_year: 600, start: 2025-04-16, ramp_months: 2},\n"
        "                   {product: ndfeb, t_per_year: 1200, start: 2025-07, ramp_months: 0}]}\n"
        "importers:\n"
        "  usa:\n"
        "    sourcing: {ndfeb: {a: 1}}\n"
        "    transit_months: {default: 0}\n"
        "    demand_elasticity: 0\n"
        "    industries:\n"
        "      ev: {demand_t_per_year: {ndfeb: 1200}, cover_months: 1, restore_months: 1}\n");
    tu_path r = tu_path_run(s, 0);
    const double ca[8] = {100, 100, 100, 131.25, 300, 368.75, 400, 400};
    const double cb[8] = {0, 0, 0, 0, 7.8125, 42.1875, 150, 150};
    for (int t = 0; t < 8; t++) {
        assert_float_equal(CAP(r.tr, t, 0), ca[t], 1e-9);
        assert_float_equal(EXP(r.tr, t, 0), 0.5 * ca[t], 1e-9);
        assert_float_equal(CAP(r.tr, t, 1), cb[t], 1e-9);
        assert_float_equal(EXP(r.tr, t, 1), cb[t], 1e-9);
    }
    tu_path_free(&r);
    ms_scenario_free(s);
}

/* An uncertain start is drawn once per path.  Plant "mp" (0 base) adds
 * 1200 t/yr = 100 t/month over 2 months from a start that is 2025-03 or
 * 2025-07 (a = 2 or 6, equally likely); usa sources a 0.5, mp 0.5.
 * Start 2: C_mp = 0, 0, 0, 50 (x = 0.5, ramp 0.5), then 100 from month 4;
 * start 6: 0 to month 6, 50 in month 7, 100 from month 8.  Each of paths
 * 0..15 follows one of the two sequences all through the horizon (a start
 * drawn afresh each month would mix them), and both occur (seed 1).  With
 * the start set to 3.5 (ms_engine_path_with): x = 0.25, 0.75 in months 4, 5:
 * 15.625, 84.375, then 100.  The 16 paths run as a batch (lanes of one
 * workspace, each with its own start) give the per-path vectors of the
 * paths run one by one, bit for bit: mp's shipments follow its start. */
static void test_uncertain_start_per_path(void **st)
{
    (void)st;
    ms_scenario *s = tu_load_text(
        "test.yaml",
        "magsim: 1\n"
        "horizon: {start: 2025-01, months: 12}\n"
        "run: {seed: 1}\n"
        "products: {ndfeb: {price_usd_per_kg: 50}}\n"
        "suppliers:\n"
        "  a: {country: CN, capacity_t_per_year: {ndfeb: 1000000}}\n"
        "  mp: {country: US, capacity_t_per_year: {ndfeb: 0},\n"
        "       expansions: [{product: ndfeb, t_per_year: 1200, ramp_months: 2,\n"
        "                     start: {dist: discrete, values: [2025-03, 2025-07]}}]}\n"
        "importers:\n"
        "  usa:\n"
        "    sourcing: {ndfeb: {a: 0.5, mp: 0.5}}\n"
        "    transit_months: {default: 0}\n"
        "    switching: {qualification_months: 2, cost_sensitivity: 0}\n"
        "    demand_elasticity: 0\n"
        "    industries:\n"
        "      ev: {demand_t_per_year: {ndfeb: 1200}, cover_months: 1, restore_months: 1}\n");
    tu_path r = tu_path_run(s, 0);
    int n = ms_engine_nmetrics(r.e) + ms_engine_nseries(r.e), seen[2] = {0, 0};
    double *one = calloc((size_t)16 * n, sizeof(double)), *batch = calloc((size_t)16 * n, sizeof(double));
    assert_non_null(one);
    assert_non_null(batch);
    for (int j = 0; j < 16; j++) {
        ms_engine_path(r.e, r.w, (uint64_t)j, one + (size_t)j * n, r.tr);
        int late = CAP(r.tr, 3, 1) == 0.0;
        seen[late]++;
        double a = late ? 6.0 : 2.0;
        for (int t = 0; t < 12; t++) {
            double c = t <= a ? 0.0 : (t == a + 1 ? 50.0 : 100.0);
            assert_float_equal(CAP(r.tr, t, 1), c, 1e-9);
        }
    }
    assert_true(seen[0] > 0 && seen[1] > 0);
    ms_engine_paths(r.e, r.w, 0, 16, batch, (size_t)n);
    assert_memory_equal(one, batch, sizeof(double) * 16 * (size_t)n);
    /* the two starts give mp different shipments */
    int k = tu_find(r.e, 0, MS_M_SHIPMENTS_T, 1, 0, -1, 0, -1);
    int differ = 0;
    for (int j = 1; j < 16; j++)
        differ |= one[(size_t)j * n + k] != one[k];
    assert_true(differ);

    ms_input_set *set = calloc((size_t)ms_engine_ninputs(r.e), sizeof *set);
    assert_non_null(set);
    int x = ms_engine_find_input(r.e, "suppliers.mp.expansions.0.start");
    assert_true(x >= 0);
    set[x].mode = MS_INPUT_VALUE;
    set[x].value = 3.5;
    ms_engine_path_with(r.e, r.w, 0, set, r.out, r.tr);
    const double c35[12] = {0, 0, 0, 0, 15.625, 84.375, 100, 100, 100, 100, 100, 100};
    for (int t = 0; t < 12; t++)
        assert_float_equal(CAP(r.tr, t, 1), c35[t], 1e-9);
    free(set);
    free(one);
    free(batch);
    tu_path_free(&r);
    ms_scenario_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_outage_cut),
        cmocka_unit_test(test_outage_duration),
        cmocka_unit_test(test_expansion_ramps),
        cmocka_unit_test(test_uncertain_start_per_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
