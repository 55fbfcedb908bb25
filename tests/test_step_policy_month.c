/*
 * test_step_policy_month.c - the policies' month (docs/model.md, "The
 * policies' month"): the export controls' regimes (start, end, lifting and
 * re-imposition), the licence approval share a(t) (its ramp from the start
 * of a spell, its noise, the clamping to [0, 1]) and hoarding from the
 * announcement, against numbers worked out by hand.
 *
 * Most tests read a(t) off the shipments: one supplier "china" with ample
 * capacity, one importer "usa" whose industry "ev" uses D = 100 t/month of
 * ndfeb, transit 0 and cover 0.  Then every month the stock is 0, nothing is
 * on order when the orders are made (what is granted arrives and what is
 * denied is known in the month itself: licence delay 0), so the order is
 * O = D = 100 t, and a licence with approval a passes min(100, a x B0) =
 * 100 a t (B0 = 100 t, no growth); a ban passes nothing.  No price
 * feedback (demand_elasticity 0), no substitution.
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
#include <gsl/gsl_randist.h>
#include "magsim/engine.h"
#include "magsim/rng.h"
#include "magsim/dist.h"
#include "testutil.h"

/* %s: horizon months, policies. */
static const char *ONE =
    "magsim: 1\n"
    "horizon: {start: 2025-01, months: %s}\n"
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
    "%s";

/* The streams of a control's random events (sim/policy/export_control.c):
 * the regime switches use the stream of its start xor 0x5bd1e995, the
 * approval noise the stream of its approval xor 0x27d4eb2f; a stream is the
 * hash of the input's key path (magsim/dist.h). */
static uint32_t regime_stream(const char *name)
{
    char key[128];
    snprintf(key, sizeof key, "policies.%s.start", name);
    return ms_hash32(key) ^ 0x5bd1e995u;
}

static uint32_t noise_stream(const char *name)
{
    char key[128];
    snprintf(key, sizeof key, "policies.%s.license.approval", name);
    return ms_hash32(key) ^ 0x27d4eb2fu;
}

/* Shipments of china to usa in months 0..n-1 equal want[] (1e-9 t). */
static void assert_shipments(const ms_trace *tr, const double *want, int n)
{
    for (int t = 0; t < n; t++) {
        if (fabs(TU_SIP(tr, shipments, t, 0, 0, 0) - want[t]) > 1e-9)
            fprintf(stderr, "month %d: shipments %.17g, expected %.17g\n", t, TU_SIP(tr, shipments, t, 0, 0, 0),
                    want[t]);
        assert_float_equal(TU_SIP(tr, shipments, t, 0, 0, 0), want[t], 1e-9);
    }
}

/* The approval ramp from the start of the control.  A licence from 2025-03
 * (month 2), a_start 0.2, a_end 0.8 over ramp_months 3:
 * a(t) = 0.2 + 0.6 min(1, (t - 2) / 3): a(2) = 0.2, a(3) = 0.4, a(4) = 0.6,
 * then 0.8 (not 1.0 at month 6, as without the min).  Shipments 100 a(t):
 * 100, 100, 20, 40, 60, 80, 80, 80.
 * The same control from 2025-03-16, 2 + 15/31 months (March has 31 days):
 * off in month 2 (2 < start), on from month 3, the ramp measured from the
 * start itself: a(3) = 0.2 + 0.6 (3 - 2 - 15/31) / 3 = 0.2 + 0.2 x 16/31,
 * a(4) = 0.2 + 0.2 x 47/31, a(5) = 0.2 + 0.2 x 78/31 = 0.7032..., then 0.8. */
static void test_approval_ramp(void **st)
{
    (void)st;
    const char *starts[] = {"2025-03", "2025-03-16"};
    double want[2][8] = {{100, 100, 20, 40, 60, 80, 80, 80},
                         {100, 100, 100, 20 + 20 * 16.0 / 31, 20 + 20 * 47.0 / 31, 20 + 20 * 78.0 / 31, 80, 80}};
    for (int k = 0; k < 2; k++) {
        char pol[256];
        snprintf(pol, sizeof pol,
                 "  - {name: lic, type: export_control, exporter: china, mode: license, start: %s,\n"
                 "     license: {approval: 0.2, approval_end: 0.8, ramp_months: 3}}\n",
                 starts[k]);
        ms_scenario *s = tu_load_fmt(ONE, "8", pol);
        tu_path r = tu_path_run(s, 0);
        for (int t = 0; t < 8; t++)
            assert_float_equal(TU_CP(r.tr, orders, t, 0, 0), 100.0, 1e-9);
        assert_shipments(r.tr, want[k], 8);
        tu_path_free(&r);
        ms_scenario_free(s);
    }
}

/* The approval noise.  A licence from month 0, a_start 0.2, a_end 0.8 over
 * 6 months, noise_sd 0.3: a(t) = clamp(0.2 + 0.1 min(t, 6) + 0.3 Z(t)) to
 * [0, 1], with Z(t) the month's standard normal draw: the first Gaussian
 * (GSL's ziggurat) of the stream (run seed, path, noise stream, month t),
 * reproduced here with the rng API.  A demand shock doubles the demand
 * from month 0, so 200 t are asked every month and the budget a(t) x B0 =
 * 100 a(t) binds even when the unclamped share is above 1: shipments are
 * 100 a(t), at most 100 (not up to 200).  Over 8 paths x 12 months the
 * draws go below 0 and above 1 (each about a fifth of the time): the test
 * asserts that both clampings occurred.  (The clamping at 0 cannot be seen
 * in the shipments: a negative budget approves nothing, as 0 does.) */
static void test_approval_noise(void **st)
{
    (void)st;
    ms_scenario *s = tu_load_fmt(ONE, "12",
                                 "  - {name: sh, type: demand_shock, start: 2025-01, multiplier: 2}\n"
                                 "  - {name: lic, type: export_control, exporter: china, mode: license,\n"
                                 "     start: 2025-01,\n"
                                 "     license: {approval: 0.2, approval_end: 0.8, ramp_months: 6, noise_sd: 0.3}}\n");
    tu_path r = tu_path_run(s, 0);
    ms_rng *g = ms_rng_alloc(ms_engine_seed(r.e));
    assert_non_null(g);
    int low = 0, high = 0;
    for (uint64_t path = 0; path < 8; path++) {
        ms_engine_path(r.e, r.w, path, r.out, r.tr);
        double want[12];
        for (int t = 0; t < 12; t++) {
            ms_rng_key(g, path, noise_stream("lic"), (uint32_t)t);
            double a = 0.2 + 0.6 * fmin(1.0, t / 6.0) + 0.3 * gsl_ran_gaussian_ziggurat(g->g, 1.0);
            low += a < 0;
            high += a > 1;
            want[t] = 100 * (a < 0 ? 0 : (a > 1 ? 1 : a));
        }
        assert_shipments(r.tr, want, 12);
        assert_float_equal(TU_SIP(r.tr, requests, 11, 0, 0, 0), 200.0, 1e-9);
    }
    assert_true(low > 0 && high > 0);
    ms_rng_free(g);
    tu_path_free(&r);
    ms_scenario_free(s);
}

/* Lifting and re-imposing with hazards 1: a licence from 2025-03 (month 2),
 * a_start 0.2, a_end 1 over 4 months, lift_hazard 1, reimpose_hazard 1.
 * On in month 2 (its start), lifted in month 3, re-imposed in month 4,
 * lifted in 5, re-imposed in 6, lifted in 7.  Each spell restarts the ramp
 * at its first month: a = 0.2 in months 2, 4 and 6 (without the restart
 * a(4) = 0.2 + 0.8 x 2/4 = 0.6 and a(6) = 1).  Shipments 100, 100, 20, 100,
 * 20, 100, 20, 100.
 * Started on 2025-03-16 (2 + 15/31): on in month 3 with a(3) = 0.2 + 0.8 x
 * (16/31) / 4 = 0.2 + 0.2 x 16/31, lifted in 4, re-imposed in 5 with a(5) =
 * 0.2 (not 0.2 + 0.2 x 78/31), lifted in 6, re-imposed in 7: 0.2. */
static void test_lift_reimpose_hazard_one(void **st)
{
    (void)st;
    const char *starts[] = {"2025-03", "2025-03-16"};
    double want[2][8] = {{100, 100, 20, 100, 20, 100, 20, 100},
                         {100, 100, 100, 20 + 20 * 16.0 / 31, 100, 20, 100, 20}};
    for (int k = 0; k < 2; k++) {
        char pol[320];
        snprintf(pol, sizeof pol,
                 "  - {name: lic, type: export_control, exporter: china, mode: license, start: %s,\n"
                 "     lift_hazard: 1, reimpose_hazard: 1,\n"
                 "     license: {approval: 0.2, approval_end: 1, ramp_months: 4}}\n",
                 starts[k]);
        ms_scenario *s = tu_load_fmt(ONE, "8", pol);
        tu_path r = tu_path_run(s, 0);
        assert_shipments(r.tr, want[k], 8);
        tu_path_free(&r);
        ms_scenario_free(s);
    }
}

/* Lifting and re-imposing with hazards 0.4 and 0.6, the switches drawn from
 * the control's regime stream (a uniform on (0, 1) of (seed, path, stream,
 * month), reproduced here: the switch happens when it is below the hazard).
 * A licence from 2025-02 (month 1), a_start 0.2, a_end 0.8 over 3 months,
 * 12 months.  The regime by hand: off in month 0; on in month 1, spell 1;
 * then each month an active control is lifted when u < 0.4, a lifted one
 * re-imposed when u < 0.6, a re-imposition starting a new spell.
 * Shipments: 100 while off, 100 (0.2 + 0.6 min(1, (t - spell) / 3)) while
 * on.  Over 16 paths the test asserts that some spell after a
 * re-imposition lasted past its first month (so the ramp after it is seen). */
static void test_lift_reimpose_drawn(void **st)
{
    (void)st;
    ms_scenario *s = tu_load_fmt(ONE, "12",
                                 "  - {name: lic, type: export_control, exporter: china, mode: license,\n"
                                 "     start: 2025-02, lift_hazard: 0.4, reimpose_hazard: 0.6,\n"
                                 "     license: {approval: 0.2, approval_end: 0.8, ramp_months: 3}}\n");
    tu_path r = tu_path_run(s, 0);
    ms_rng *g = ms_rng_alloc(ms_engine_seed(r.e));
    assert_non_null(g);
    int ramped_again = 0;
    for (uint64_t path = 0; path < 16; path++) {
        ms_engine_path(r.e, r.w, path, r.out, r.tr);
        double want[12];
        int on = 0, spell = 0;
        for (int t = 0; t < 12; t++) {
            if (t == 1) {
                on = 1;
                spell = 1;
            } else if (t > 1) {
                ms_rng_key(g, path, regime_stream("lic"), (uint32_t)t);
                if (ms_rng_uniform_pos(g) < (on ? 0.4 : 0.6)) {
                    on = !on;
                    spell = on ? t : spell;
                }
            }
            ramped_again |= on && spell > 1 && t > spell;
            want[t] = on ? 100 * (0.2 + 0.6 * fmin(1.0, (t - spell) / 3.0)) : 100;
        }
        assert_shipments(r.tr, want, 12);
    }
    assert_true(ramped_again);
    ms_rng_free(g);
    tu_path_free(&r);
    ms_scenario_free(s);
}

/* End dates: a control is on while t >= start and t < end.  A ban (nothing
 * ships while it is on, 100 t otherwise):
 * - from 2025-03 to 2025-05 (months 2 to 4): on in months 2 and 3, not 4;
 * - from 2025-03 to 2025-05-16 (4 + 15/31): on in months 2, 3 and 4;
 * - from 2025-03-16 (2 + 15/31) to 2025-05-16: on in months 3 and 4.
 * After its end it stays off (no re-imposition, hazard 0). */
static void test_end_dates(void **st)
{
    (void)st;
    const char *dates[][2] = {{"2025-03", "2025-05"}, {"2025-03", "2025-05-16"}, {"2025-03-16", "2025-05-16"}};
    double want[3][8] = {{100, 100, 0, 0, 100, 100, 100, 100},
                         {100, 100, 0, 0, 0, 100, 100, 100},
                         {100, 100, 100, 0, 0, 100, 100, 100}};
    for (int k = 0; k < 3; k++) {
        char pol[256];
        snprintf(pol, sizeof pol,
                 "  - {name: ban, type: export_control, exporter: china, mode: ban, start: %s, end: %s}\n",
                 dates[k][0], dates[k][1]);
        ms_scenario *s = tu_load_fmt(ONE, "8", pol);
        tu_path r = tu_path_run(s, 0);
        assert_shipments(r.tr, want[k], 8);
        tu_path_free(&r);
        ms_scenario_free(s);
    }
}

/* Two products, two importers; every industry has cover 2 months and
 * hoarding h = 0.5.  usa's "ev" uses 100 t/month of ndfeb and 10 of smco,
 * jpn's "motors" 50 t/month of ndfeb.  %s: the control's dates. */
static const char *HOARD =
    "magsim: 1\n"
    "horizon: {start: 2025-01, months: 8}\n"
    "products: {ndfeb: {price_usd_per_kg: 50}, smco: {price_usd_per_kg: 120}}\n"
    "suppliers:\n"
    "  china: {country: CN, capacity_t_per_year: {ndfeb: 1000000, smco: 1000000}}\n"
    "importers:\n"
    "  usa:\n"
    "    sourcing: {ndfeb: {china: 1}, smco: {china: 1}}\n"
    "    transit_months: {default: 0}\n"
    "    demand_elasticity: 0\n"
    "    industries:\n"
    "      ev: {demand_t_per_year: {ndfeb: 1200, smco: 120}, cover_months: 2, restore_months: 1,\n"
    "           hoarding: 0.5}\n"
    "  jpn:\n"
    "    sourcing: {ndfeb: {china: 1}}\n"
    "    transit_months: {default: 0}\n"
    "    demand_elasticity: 0\n"
    "    industries:\n"
    "      motors: {demand_t_per_year: {ndfeb: 600}, cover_months: 2, restore_months: 1, hoarding: 0.5}\n"
    "policies:\n"
    "  - {name: lic, type: export_control, exporter: china, products: [ndfeb], destinations: [usa],\n"
    "     mode: license, %s license: {approval: 1}}\n";

/* Hoarding from the announcement.  A licence on china's ndfeb to usa,
 * approval 1 (budget = the baseline flow, 100 t), no delay, announced
 * 2025-03 (month 2), in force from 2025-05 (month 4).
 * usa's ndfeb: stock at target 2 x 100 = 200 t, orders 100 in months 0, 1.
 * Month 2 (announced, not yet on): cover 2 x (1 + 0.5) = 3 months, target
 * 300 t, O = 100 + (300 - 200) / 1 = 200 t, all shipped (no control yet);
 * stock 200 + 200 - 100 = 300.  Month 3: O = 100 + (300 - 300) = 100.
 * Month 4 (on, still hoarding): O = 100 t, within the budget: shipped.
 * usa's smco (not covered) and jpn's ndfeb (not a destination): orders stay
 * at demand, 10 and 50 t.
 * Without an announcement (hoarding from the start, 2025-05): orders 100 in
 * months 0..3, then 200 in month 4, of which the budget passes 100. */
static void test_announcement_hoarding(void **st)
{
    (void)st;
    const char *dates[] = {"announce: 2025-03, start: 2025-05,", "start: 2025-05,"};
    double orders[2][5] = {{100, 100, 200, 100, 100}, {100, 100, 100, 100, 200}};
    double ships[2][5] = {{100, 100, 200, 100, 100}, {100, 100, 100, 100, 100}};
    for (int k = 0; k < 2; k++) {
        ms_scenario *s = tu_load_fmt(HOARD, dates[k]);
        tu_path r = tu_path_run(s, 0);
        int nd = ms_scenario_product(s, "ndfeb"), sm = ms_scenario_product(s, "smco");
        int usa = ms_scenario_importer(s, "usa"), jpn = ms_scenario_importer(s, "jpn");
        int ev = 0, motors = 1; /* cells in file order */
        assert_int_equal(r.tr->cell_importer[ev], usa);
        assert_int_equal(r.tr->cell_importer[motors], jpn);
        for (int t = 0; t < 5; t++) {
            assert_float_equal(TU_CP(r.tr, orders, t, ev, nd), orders[k][t], 1e-9);
            assert_float_equal(TU_SIP(r.tr, shipments, t, 0, usa, nd), ships[k][t], 1e-9);
            assert_float_equal(TU_CP(r.tr, orders, t, ev, sm), 10.0, 1e-9);
            assert_float_equal(TU_CP(r.tr, orders, t, motors, nd), 50.0, 1e-9);
        }
        if (k == 0)
            assert_float_equal(TU_CP(r.tr, inventory, 2, ev, nd), 300.0, 1e-9);
        tu_path_free(&r);
        ms_scenario_free(s);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_approval_ramp),
        cmocka_unit_test(test_approval_noise),
        cmocka_unit_test(test_lift_reimpose_hazard_one),
        cmocka_unit_test(test_lift_reimpose_drawn),
        cmocka_unit_test(test_end_dates),
        cmocka_unit_test(test_announcement_hoarding),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
