/*
 * test_engine.c - the model against answers computed by hand.
 *
 * Each scenario below is small enough to follow month by month; the comment
 * above each test gives the hand computation that the assertions check.
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

/* One supplier "china" (ample capacity), one importer "usa" with one
 * industry "ev" demanding 1200 t/yr = 100 t/month, 2 months of cover,
 * restore time 2 months, no price feedback.  %s: transit, %s: policies. */
static const char *BASE =
    "magsim: 1\n"
    "name: test\n"
    "horizon: {start: 2025-01, months: 12}\n"
    "run: {paths: 64, seed: 7}\n"
    "products:\n"
    "  ndfeb: {price_usd_per_kg: 50}\n"
    "suppliers:\n"
    "  china:\n"
    "    country: CN\n"
    "    capacity_t_per_year: {ndfeb: 1000000}\n"
    "    export_share: {ndfeb: 1}\n"
    "importers:\n"
    "  usa:\n"
    "    sourcing: {ndfeb: {china: 1}}\n"
    "    transit_months: {default: %s}\n"
    "    demand_elasticity: 0\n"
    "    industries:\n"
    "      ev: {demand_t_per_year: {ndfeb: 1200}, cover_months: 2, restore_months: 2,\n"
    "           value_usd_per_t: 1000}\n"
    "%s";

static ms_scenario *load_fmt(const char *fmt, ...)
{
    char buf[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return tu_load_text("test.yaml", buf);
}

#define engine tu_engine

#define find tu_find

static double *path_out(const ms_engine *e)
{
    return calloc((size_t)ms_engine_nmetrics(e) + ms_engine_nseries(e), sizeof(double));
}

#define TR(a, t, x, P, p) ((a)[((size_t)(t) * (x) + 0) * (P) + (p)])

/* (a) No policy, fixed inputs: every month is the steady state.  Shipments
 * equal baseline orders (100 t/month), no shortage, price index 1, stock
 * stays at 2 months of cover (200 t), for transit 0, 1.5 and 2 months. */
static void test_steady_state(void **st)
{
    (void)st;
    const char *transits[] = {"0", "1.5", "2"};
    for (int x = 0; x < 3; x++) {
        ms_scenario *s = load_fmt(BASE, transits[x], "");
        tu_path run = tu_path_run(s, 3);
        ms_engine *e = run.e;
        ms_trace *tr = run.tr;
        double *out = run.out;
        for (int t = 0; t < 12; t++) {
            assert_float_equal(tr->demand[t], 100.0, 1e-9);
            assert_float_equal(tr->orders[t], 100.0, 1e-9);
            assert_float_equal(tr->shipments[t], 100.0, 1e-9);
            assert_float_equal(tr->arrivals[t], 100.0, 1e-9);
            assert_float_equal(tr->consumption[t], 100.0, 1e-9);
            assert_float_equal(tr->shortage[t], 0.0, 1e-12);
            assert_float_equal(tr->inventory[t], 200.0, 1e-9);
            assert_float_equal(tr->price_index[t], 1.0, 1e-12);
        }
        assert_float_equal(out[find(e, 0, MS_M_SHORTAGE_T, -1, 0, 0, -1, -1)], 0.0, 1e-12);
        assert_float_equal(out[find(e, 0, MS_M_SHIPMENTS_T, 0, 0, -1, 0, -1)], 1200.0, 1e-9);
        assert_float_equal(out[find(e, 0, MS_M_TIME_TO_SURVIVE, -1, 0, 0, -1, -1)], 12.0, 0);
        assert_float_equal(out[find(e, 0, MS_M_PEAK_PRICE_SHOCK, -1, 0, -1, 0, -1)], 0.0, 1e-12);
        tu_path_free(&run);
        ms_scenario_free(s);
    }
}

/* (b) A ban on the only supplier from 2025-04 (month 3), transit 2 months,
 * cover 2 months of 100 t.  Orders placed from month 3 are denied, so
 * arrivals stop from month 5; stock (200 t) lasts months 5 and 6; from
 * month 7 to 11 nothing is consumed: 5 x 100 = 500 t short, share 500/1200,
 * 5 months short, time to survive 7 - 3 = 4 months, time to recover 5,
 * value at risk 500 t x 1000 USD/t.  Fill rate 0 from month 7 puts the
 * scarcity premium at its cap (default 4): price index 4. */
static void test_ban_hand_computed(void **st)
{
    (void)st;
    ms_scenario *s = load_fmt(BASE, "2",
                              "policies:\n"
                              "  - {name: ban, type: export_control, exporter: china, mode: ban, start: 2025-04}\n");
    tu_path run = tu_path_run(s, 0);
    ms_engine *e = run.e;
    ms_trace *tr = run.tr;
    double *out = run.out;
    double arr[12] = {100, 100, 100, 100, 100, 0, 0, 0, 0, 0, 0, 0};
    double inv[12] = {200, 200, 200, 200, 200, 100, 0, 0, 0, 0, 0, 0};
    for (int t = 0; t < 12; t++) {
        assert_float_equal(tr->arrivals[t], arr[t], 1e-9);
        assert_float_equal(tr->inventory[t], inv[t], 1e-9);
        assert_float_equal(tr->shortage[t], t >= 7 ? 100.0 : 0.0, 1e-9);
        assert_float_equal(tr->shipments[t], t < 3 ? 100.0 : 0.0, 1e-9);
        assert_float_equal(tr->price_index[t], t >= 7 ? 4.0 : 1.0, 1e-12);
    }
    assert_float_equal(out[find(e, 0, MS_M_SHORTAGE_T, -1, 0, 0, -1, -1)], 500.0, 1e-9);
    assert_float_equal(out[find(e, 0, MS_M_SHORTAGE_SHARE, -1, 0, 0, -1, -1)], 500.0 / 1200.0, 1e-12);
    assert_float_equal(out[find(e, 0, MS_M_PEAK_SHORTAGE_SHARE, -1, 0, 0, -1, -1)], 1.0, 1e-12);
    assert_float_equal(out[find(e, 0, MS_M_MONTHS_SHORT, -1, 0, 0, -1, -1)], 5.0, 0);
    assert_float_equal(out[find(e, 0, MS_M_TIME_TO_SURVIVE, -1, 0, 0, -1, -1)], 4.0, 1e-12);
    assert_float_equal(out[find(e, 0, MS_M_TIME_TO_RECOVER, -1, 0, 0, -1, -1)], 5.0, 0);
    assert_float_equal(out[find(e, 0, MS_M_VALUE_AT_RISK, -1, 0, 0, -1, -1)], 500.0 * 1000.0, 1e-6);
    /* roll-ups equal the single industry */
    assert_float_equal(out[find(e, 0, MS_M_SHORTAGE_T, -1, 0, -1, -1, -1)], 500.0, 1e-9);
    assert_float_equal(out[find(e, 0, MS_M_SHORTAGE_T, -1, -1, -1, -1, -1)], 500.0, 1e-9);
    assert_float_equal(out[find(e, 0, MS_M_PEAK_PRICE_SHOCK, -1, 0, -1, 0, -1)], 3.0, 1e-12);
    assert_float_equal(out[find(e, 0, MS_M_FINAL_PRICE_SHOCK, -1, 0, -1, 0, -1)], 3.0, 1e-12);
    assert_float_equal(out[find(e, 0, MS_M_MEAN_PRICE_SHOCK, -1, 0, -1, 0, -1)], 5 * 3.0 / 12, 1e-12);
    tu_path_free(&run);
    ms_scenario_free(s);
}

/* (c) A tariff alone.  Two suppliers at 50 USD/kg with shares 1/2 each,
 * cost sensitivity beta = 4, qualification q = 6 months, transit 0.  A 25%
 * tariff on supplier a from 2025-03 (month 2) raises a's landed cost to 1.25
 * of its baseline: preference u_a = 0.5 exp(-4 x 0.25), u_b = 0.5, so the
 * target share is w* = e^-1 / (1 + e^-1), and from month 2 the share moves
 * w_a(t) = w* + (1/2 - w*) (5/6)^(t-1).  Deliveries follow the shares, so the
 * price index is (62.5 w_a + 50 (1 - w_a)) / 50 = 1 + 0.25 w_a(t). */
static void test_tariff_formulas(void **st)
{
    (void)st;
    const char *yaml =
        "magsim: 1\n"
        "horizon: {start: 2025-01, months: 12}\n"
        "products: {ndfeb: {price_usd_per_kg: 50}}\n"
        "suppliers:\n"
        "  a: {country: CN, capacity_t_per_year: {ndfeb: 1000000}}\n"
        "  b: {country: JP, capacity_t_per_year: {ndfeb: 1000000}}\n"
        "importers:\n"
        "  usa:\n"
        "    sourcing: {ndfeb: {a: 0.5, b: 0.5}}\n"
        "    transit_months: {default: 0}\n"
        "    switching: {qualification_months: 6, cost_sensitivity: 4, diversion: 0}\n"
        "    demand_elasticity: 0\n"
        "    industries:\n"
        "      ev: {demand_t_per_year: {ndfeb: 1200}, cover_months: 2}\n"
        "policies:\n"
        "  - {name: t, type: tariff, importer: usa, origin: a, schedule: [{from: 2025-03, rate: 0.25}]}\n";
    ms_scenario *s = load_fmt("%s", yaml);
    tu_path run = tu_path_run(s, 0);
    ms_trace *tr = run.tr;
    double ws = exp(-1.0) / (1.0 + exp(-1.0));
    for (int t = 0; t < 12; t++) {
        double wa = t < 2 ? 0.5 : ws + (0.5 - ws) * pow(5.0 / 6.0, t - 1);
        /* shares [T][I][S][P], S = 2 */
        assert_float_equal(tr->shares[(size_t)t * 2 + 0], wa, 1e-12);
        assert_float_equal(tr->shares[(size_t)t * 2 + 1], 1.0 - wa, 1e-12);
        assert_float_equal(tr->price_index[t], t < 2 ? 1.0 : 1.0 + 0.25 * wa, 1e-12);
        assert_float_equal(tr->shortage[t], 0.0, 1e-12);
        /* shipments [T][S][I][P] follow the shares of 100 t */
        assert_float_equal(tr->shipments[(size_t)t * 2 + 0], 100.0 * wa, 1e-9);
    }
    tu_path_free(&run);
    ms_scenario_free(s);
}

/* A scenario with every mechanism on and uncertain inputs: licences with
 * ramp, noise and fractional delay, fractional transit, two suppliers with
 * outages and an expansion, diversion, recycling, a stockpile, priority
 * tiers, substitution, price feedback, hoarding, demand shock. */
static const char *RICH =
    "magsim: 1\n"
    "horizon: {start: 2025-01, months: 24}\n"
    "run: {paths: 256, seed: 11}\n"
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
    "           cover_months: 2, restore_months: 1.5, hoarding: 0.5, priority: 2, value_usd_per_t: 2.0e7,\n"
    "           substitution: {max: 0.1, tau_months: 6, trigger: 1.3}}\n"
    "      defense: {demand_t_per_year: {ndfeb: 400, smco: 50}, cover_months: 6, priority: 1}\n"
    "      wind: {demand_t_per_year: {ndfeb: 1500}, cover_months: 1, priority: 3}\n"
    "  germany:\n"
    "    sourcing: {ndfeb: {china: 0.9, japan: 0.1}}\n"
    "    transit_months: {default: 1.5}\n"
    "    rationing: proportional\n"
    "    industries:\n"
    "      ev: {demand_t_per_year: {ndfeb: 4000}, cover_months: 1.5, hoarding: 1}\n"
    "      industrial: {demand_t_per_year: {ndfeb: 2000}, cover_months: 3}\n"
    "policies:\n"
    "  - {name: lic, type: export_control, exporter: china, products: [ndfeb, smco], destinations: all,\n"
    "     affected: 0.6, general_license: 0.1, mode: license, announce: 2025-03, start: 2025-04,\n"
    "     lift_hazard: 0.05, reimpose_hazard: 0.1,\n"
    "     license: {approval: {dist: beta, a: 2, b: 6}, approval_end: 0.6, ramp_months: 6, noise_sd: 0.05,\n"
    "               delay_months: {dist: triangular, min: 1, mode: 1.5, max: 3}}}\n"
    "  - {name: q, type: export_control, exporter: japan, products: [ndfeb], mode: quota,\n"
    "     quota_t_per_month: 60, start: 2025-06, end: 2025-12}\n"
    "  - {name: tar, type: tariff, importer: usa, origin: china,\n"
    "     schedule: [{from: 2025-03, rate: 0.221}, {from: 2026-01, rate: 0.271}]}\n"
    "  - {name: rec, type: recycling, importer: usa, product: ndfeb, capacity_t_per_year: 600, yield: 0.9,\n"
    "     ramp_months: 6, start: {dist: uniform, min: 2025-01, max: 2026-01}}\n"
    "  - {name: sp, type: stockpile, importer: usa, product: ndfeb, stock_t: 300, release_t_per_month: 50,\n"
    "     trigger: 0.97, beneficiaries: [defense]}\n"
    "  - {name: sh, type: demand_shock, importer: germany, industries: [ev], start: 2025-07, end: 2025-10,\n"
    "     multiplier: {dist: uniform, min: 0.7, max: 1.0}}\n";

/* (d) Mass balance on every path and month, per importer and product:
 * arrivals + recycled + released = consumption + change in stocks, to 1e-9
 * relative. */
static void test_mass_balance(void **st)
{
    (void)st;
    ms_scenario *s = load_fmt("%s", RICH);
    ms_engine *e = engine(s);
    ms_work *w = ms_work_alloc(e);
    ms_trace *tr = ms_trace_alloc(e);
    double *out = path_out(e);
    int T = tr->T, I = tr->I, P = tr->P, C = tr->C;
    double *prev = calloc((size_t)I * P, sizeof(double));
    int shortage_seen = 0;
    for (uint64_t path = 0; path < 200; path++) {
        ms_engine_path(e, w, path, out, tr);
        double total0 = 0;
        for (int t = 0; t < T; t++) {
            for (int i = 0; i < I; i++)
                for (int p = 0; p < P; p++) {
                    double in = tr->arrivals[((size_t)t * I + i) * P + p] + tr->recycled[((size_t)t * I + i) * P + p] +
                                tr->released[((size_t)t * I + i) * P + p];
                    double cons = 0, stock = 0;
                    for (int c = 0; c < C; c++) {
                        if (tr->cell_importer[c] != i) continue;
                        cons += tr->consumption[((size_t)t * C + c) * P + p];
                        stock += tr->inventory[((size_t)t * C + c) * P + p];
                        shortage_seen |= tr->shortage[((size_t)t * C + c) * P + p] > 0;
                    }
                    if (t > 0) {
                        double lhs = in, rhs = cons + stock - prev[i * P + p];
                        double scale = fabs(in) + fabs(cons) + fabs(stock) + 1e-300;
                        if (fabs(lhs - rhs) > 1e-9 * scale)
                            fail_msg("path %llu month %d importer %d product %d: in %.17g != %.17g",
                                     (unsigned long long)path, t, i, p, lhs, rhs);
                    } else {
                        total0 += in - cons;
                    }
                    prev[i * P + p] = stock;
                }
            if (t == 0) {
                double stock0 = 0;
                for (int k = 0; k < C * P; k++) stock0 += tr->inventory[k];
                assert_true(fabs(total0 - (stock0 - tr->initial_inventory_sum)) <= 1e-9 * (stock0 + 1));
            }
        }
        for (size_t k = 0; k < (size_t)ms_engine_nmetrics(e) + ms_engine_nseries(e); k++)
            assert_true(isfinite(out[k]));
    }
    assert_true(shortage_seen); /* the scenario does bite, so balance is tested under stress */
    free(prev);
    free(out);
    ms_trace_free(tr);
    ms_work_free(w);
    ms_engine_free(e);
    ms_scenario_free(s);
}

/* (e) A closed form.  The ban of test (b) with transit 0 and a start drawn
 * uniformly in [2025-03, 2025-09) (months 2 to 8): the control is on from
 * month k = ceil(start), k = 3..8 each with probability 1/6; stock lasts 2
 * months, so the shortage is 100 (12 - k - 2) tonnes: 700, 600, ..., 200,
 * mean 450, sd 100 sqrt(35/12).  With 6400 paths the mean must be within 3
 * standard errors, each value's frequency within 3 sigma of 1/6, and the
 * exact quantiles must come out of the histogram. */
static void test_closed_form_distribution(void **st)
{
    (void)st;
    ms_scenario *s = load_fmt(BASE, "0",
                              "policies:\n"
                              "  - {name: ban, type: export_control, exporter: china, mode: ban,\n"
                              "     start: {dist: uniform, min: 2025-03, max: 2025-09}}\n");
    ms_engine *e = engine(s);
    ms_result *r = ms_result_alloc(e);
    ms_run_opts o = {2, NULL, NULL, NULL};
    uint64_t n = 6400;
    assert_int_equal(ms_engine_run(e, 0, n, &o, r), 0);
    assert_int_equal(r->paths_done, n);
    int k = find(e, 0, MS_M_SHORTAGE_T, -1, 0, 0, -1, -1);
    ms_stat_summary sm;
    double q[3] = {0.1, 0.4, 0.9};
    ms_accum_summary(r->metrics, k, q, 3, &sm);
    double sd = 100 * sqrt(35.0 / 12.0);
    assert_true(fabs(sm.mean - 450.0) < 3 * sd / sqrt((double)n));
    assert_true(fabs(sm.sd - sd) < 0.05 * sd);
    /* quantiles: P(X <= 200) = 1/6 > 0.1 -> 200; P(X <= 300) = 1/3 < 0.4 <= P(X <= 400) = 1/2 -> 400;
     * P(X <= 600) = 5/6 < 0.9 -> 700 (margins far beyond 3 sigma of the sampled frequencies) */
    assert_float_equal(sm.q[0], 200.0, 0);
    assert_float_equal(sm.q[1], 400.0, 0);
    assert_float_equal(sm.q[2], 700.0, 0);
    assert_float_equal(sm.min, 200.0, 0);
    assert_float_equal(sm.max, 700.0, 0);
    /* per-value frequencies from single paths */
    ms_work *w = ms_work_alloc(e);
    double *out = path_out(e);
    int count[8] = {0};
    for (uint64_t p = 0; p < n; p++) {
        ms_engine_path(e, w, p, out, NULL);
        int v = (int)lround(out[k] / 100.0);
        assert_true(v >= 2 && v <= 7);
        count[v]++;
    }
    double sig = sqrt(n * (1.0 / 6) * (5.0 / 6));
    for (int v = 2; v <= 7; v++) assert_true(fabs(count[v] - n / 6.0) < 3 * sig);
    free(out);
    ms_work_free(w);
    ms_result_free(r);
    ms_engine_free(e);
    ms_scenario_free(s);
}

typedef struct packed { unsigned char *m, *s; size_t nm, ns; } packed;

static packed pack_result(const ms_result *r)
{
    packed p = {NULL, NULL, 0, 0};
    p.nm = ms_accum_pack(r->metrics, &p.m);
    p.ns = r->series ? ms_accum_pack(r->series, &p.s) : 0;
    return p;
}

/* (f) The accumulated result is bit-identical for 1, 2 and 4 threads, and
 * for a run split into two ranges merged afterwards (as MPI ranks will).
 * 33 blocks, the last short: a thread takes 4 blocks at a time at 1 thread,
 * 2 at 2 threads and 1 at 4 (ms_runctl_group), so groups of every size meet
 * block by block. */
static void test_thread_invariance(void **st)
{
    (void)st;
    ms_scenario *s = load_fmt("%s", RICH);
    ms_engine *e = engine(s);
    uint64_t n = 32 * MS_BLOCK + 17; /* a partial last block too */
    packed ref = {NULL, NULL, 0, 0};
    int threads[3] = {1, 2, 4};
    for (int x = 0; x < 4; x++) {
        ms_result *r = ms_result_alloc(e);
        if (x < 3) {
            ms_run_opts o = {threads[x], NULL, NULL, NULL};
            assert_int_equal(ms_engine_run(e, 0, n, &o, r), 0);
        } else {
            ms_result *r2 = ms_result_alloc(e);
            ms_run_opts o = {2, NULL, NULL, NULL};
            assert_int_equal(ms_engine_run(e, 320, n - 320, &o, r2), 0);
            assert_int_equal(ms_engine_run(e, 0, 320, &o, r), 0);
            assert_int_equal(ms_result_merge(r, r2), 0);
            ms_result_free(r2);
            /* a result without series is refused, merged or absorbed, before anything moves:
             * the bytes compared below are the three runs' */
            ms_engine_opts eo = ms_engine_opts_default(s);
            eo.series = 0;
            char err[256];
            ms_engine *e0 = ms_engine_alloc(s, &eo, err, sizeof err);
            assert_non_null(e0);
            ms_result *r0 = ms_result_alloc(e0);
            assert_int_equal(ms_engine_run(e0, 0, 64, &o, r0), 0);
            assert_int_equal(ms_result_merge(r, r0), -1);
            assert_int_equal(ms_result_absorb(r, r0), -1);
            assert_int_equal(r0->paths_done, 64);
            ms_result_free(r0);
            ms_engine_free(e0);
        }
        assert_int_equal(r->paths_done, n);
        packed pk = pack_result(r);
        assert_true(pk.nm > 0 && pk.ns > 0);
        if (x == 0) {
            ref = pk;
        } else {
            assert_int_equal(pk.nm, ref.nm);
            assert_int_equal(pk.ns, ref.ns);
            assert_memory_equal(pk.m, ref.m, ref.nm);
            assert_memory_equal(pk.s, ref.s, ref.ns);
            free(pk.m);
            free(pk.s);
        }
        ms_result_free(r);
    }
    free(ref.m);
    free(ref.s);
    ms_engine_free(e);
    ms_scenario_free(s);
}

/* (g) Common random numbers: the rich scenario with and without its tariff
 * draws the same inputs path by path.  Demand growth, the export share,
 * outages and the expansion date do not depend on the tariff, so month-by-
 * month capacities and the first month's demand are equal, while the
 * tariffed run's price index differs. */
static void test_common_random_numbers(void **st)
{
    (void)st;
    ms_scenario *a = load_fmt("%s", RICH);
    char *nt = strdup(RICH);
    char *cut = strstr(nt, "  - {name: tar,");
    char *endl = strstr(cut, "  - {name: rec,");
    memmove(cut, endl, strlen(endl) + 1);
    ms_scenario *b = load_fmt("%s", nt);
    free(nt);
    ms_engine *ea = engine(a), *eb = engine(b);
    ms_work *wa = ms_work_alloc(ea), *wb = ms_work_alloc(eb);
    ms_trace *ta = ms_trace_alloc(ea), *tb = ms_trace_alloc(eb);
    double *oa = path_out(ea), *ob = path_out(eb);
    int differ = 0;
    for (uint64_t path = 0; path < 50; path++) {
        ms_engine_path(ea, wa, path, oa, ta);
        ms_engine_path(eb, wb, path, ob, tb);
        size_t ncap = (size_t)ta->T * ta->S * ta->P;
        assert_memory_equal(ta->capacity, tb->capacity, ncap * sizeof(double));
        assert_memory_equal(ta->export_cap, tb->export_cap, ncap * sizeof(double));
        for (int c = 0; c < ta->C * ta->P; c++) assert_true(ta->demand[c] == tb->demand[c]);
        for (int t = 0; t < ta->T; t++) differ |= ta->price_index[t * ta->I * ta->P] != tb->price_index[t * ta->I * ta->P];
    }
    assert_true(differ);
    free(oa); free(ob);
    ms_trace_free(ta); ms_trace_free(tb);
    ms_work_free(wa); ms_work_free(wb);
    ms_engine_free(ea); ms_engine_free(eb);
    ms_scenario_free(a); ms_scenario_free(b);
}

/* Priority rationing: two industries, licence approvals at 50% of the
 * pre-control flow, transit 0, no diversion target.  Defence (priority 1,
 * 20 t/month) is served in full; EV (priority 2, 80 t/month) gets the rest
 * of the 50 t that arrive: 30 t.  Under proportional rationing each would
 * get half its claim. */
static void test_priority_rationing(void **st)
{
    (void)st;
    const char *fmt =
        "magsim: 1\n"
        "horizon: {start: 2025-01, months: 6}\n"
        "products: {ndfeb: {price_usd_per_kg: 50}}\n"
        "suppliers: {china: {country: CN, capacity_t_per_year: {ndfeb: 1000000}}}\n"
        "importers:\n"
        "  usa:\n"
        "    sourcing: {ndfeb: {china: 1}}\n"
        "    transit_months: {default: 0}\n"
        "    demand_elasticity: 0\n"
        "    rationing: %s\n"
        "    industries:\n"
        "      ev: {demand_t_per_year: {ndfeb: 960}, cover_months: 0, priority: 2}\n"
        "      defense: {demand_t_per_year: {ndfeb: 240}, cover_months: 0, priority: 1}\n"
        "policies:\n"
        "  - {name: lic, type: export_control, exporter: china, mode: license, start: 2025-02,\n"
        "     license: {approval: 0.5}}\n";
    for (int prop = 0; prop < 2; prop++) {
        ms_scenario *s = load_fmt(fmt, prop ? "proportional" : "priority");
        tu_path run = tu_path_run(s, 0);
        ms_trace *tr = run.tr;
        /* month 1: orders 100 (cover 0), approvals 50 */
        assert_float_equal(tr->arrivals[1], 50.0, 1e-9);
        double ev = tr->received[1 * 2 + 0], def = tr->received[1 * 2 + 1];
        assert_float_equal(ev, prop ? 40.0 : 30.0, 1e-9);
        assert_float_equal(def, prop ? 10.0 : 20.0, 1e-9);
        assert_float_equal(tr->shortage[1 * 2 + 1], prop ? 10.0 : 0.0, 1e-9);
        tu_path_free(&run);
        ms_scenario_free(s);
    }
}

/* An offtake contract with a plant that is not built yet.  Supplier a has
 * ample capacity; plant mp has none until a 1200 t/yr step expansion in
 * month 4, and the importer's sourcing gives it 0.2.  Qualification 1 month
 * (no inertia), transit 0.  Until month 4 mp cannot export, so a carries all
 * 100 t/month and the price index stays 1; a licence regime on a at full
 * approval (a = 1 of the month-0 flow, which is a's whole 100 t) rations
 * nothing.  From month 4 the shares are 0.8 / 0.2: a ships 80 t, mp 20 t. */
static void test_offtake_new_plant(void **st)
{
    (void)st;
    const char *yaml =
        "magsim: 1\n"
        "horizon: {start: 2025-01, months: 8}\n"
        "products: {ndfeb: {price_usd_per_kg: 50}}\n"
        "suppliers:\n"
        "  a: {country: CN, capacity_t_per_year: {ndfeb: 1000000}}\n"
        "  mp: {country: US, capacity_t_per_year: {ndfeb: 0},\n"
        "       expansions: [{product: ndfeb, t_per_year: 1200, ramp_months: 0, start: 2025-05}]}\n"
        "importers:\n"
        "  usa:\n"
        "    sourcing: {ndfeb: {a: 0.8, mp: 0.2}}\n"
        "    transit_months: {default: 0}\n"
        "    switching: {qualification_months: 1, cost_sensitivity: 4, diversion: 0}\n"
        "    demand_elasticity: 0\n"
        "    industries:\n"
        "      ev: {demand_t_per_year: {ndfeb: 1200}, cover_months: 1}\n"
        "policies:\n"
        "  - {name: lic, type: export_control, exporter: a, mode: license, start: 2025-01,\n"
        "     license: {approval: 1}}\n";
    ms_scenario *s = load_fmt("%s", yaml);
    tu_path run = tu_path_run(s, 0);
    ms_trace *tr = run.tr;
    for (int t = 0; t < 8; t++) {
        /* shipments [T][S][I][P] with S = 2, I = 1, P = 1 */
        assert_float_equal(tr->shipments[(size_t)t * 2 + 0], t < 4 ? 100.0 : 80.0, 1e-9);
        assert_float_equal(tr->shipments[(size_t)t * 2 + 1], t < 4 ? 0.0 : 20.0, 1e-9);
        assert_float_equal(tr->price_index[t], 1.0, 1e-12);
        assert_float_equal(tr->shortage[t], 0.0, 1e-12);
    }
    tu_path_free(&run);
    ms_scenario_free(s);
}


/* Inputs set on a path (ms_engine_path_with).  Demand is uniform on
 * [600, 2400] t/yr, drawn once per path; cover months are fixed (one input
 * of the engine, keyed by its path).  Set to 1800 t/yr, month-0 demand is
 * 1800 / 12 = 150 t exactly; drawn "as on path 9", it equals what path 9
 * draws by itself; left to be drawn, path 3 draws what ms_engine_path
 * draws for path 3, and a run with inputs set does not leak into the next
 * path run without them. */
static void test_inputs_set(void **st)
{
    (void)st;
    ms_scenario *s = tu_load_text("inputs.yaml",
        "magsim: 1\nhorizon: {start: 2025-01, months: 3}\nproducts: {ndfeb: {price_usd_per_kg: 50}}\n"
        "suppliers: {china: {country: CN, capacity_t_per_year: {ndfeb: 1000000}}}\n"
        "importers:\n  usa:\n    sourcing: {ndfeb: {china: 1}}\n    industries:\n"
        "      ev: {demand_t_per_year: {ndfeb: {dist: uniform, min: 600, max: 2400}}, cover_months: 2}\n");
    ms_engine *e = tu_engine(s);
    int k = ms_engine_find_input(e, "importers.usa.industries.ev.demand_t_per_year.ndfeb");
    assert_true(k >= 0);
    assert_string_equal(ms_engine_input(e, k)->key, "importers.usa.industries.ev.demand_t_per_year.ndfeb");
    assert_true(ms_engine_find_input(e, "importers.usa.industries.ev.cover_months") >= 0);
    assert_int_equal(ms_engine_find_input(e, "importers.usa.industries.ev.nothing"), -1);
    int n = ms_engine_ninputs(e);
    ms_input_set *set = calloc((size_t)n, sizeof *set);
    ms_work *w = ms_work_alloc(e);
    ms_trace *tr = ms_trace_alloc(e);
    double *out = path_out(e);

    set[k].mode = MS_INPUT_VALUE;
    set[k].value = 1800;
    ms_engine_path_with(e, w, 3, set, out, tr);
    assert_float_equal(tr->demand[0], 150.0, 1e-12);

    ms_engine_path(e, w, 9, out, tr);
    double d9 = tr->demand[0];
    set[k].mode = MS_INPUT_PATH;
    set[k].path = 9;
    ms_engine_path_with(e, w, 3, set, out, tr);
    assert_true(tr->demand[0] == d9);

    ms_engine_path(e, w, 3, out, tr);
    double d3 = tr->demand[0];
    assert_true(d3 != d9 && d3 >= 50 && d3 <= 200);
    set[k].mode = MS_INPUT_DRAW;
    ms_engine_path_with(e, w, 3, set, out, tr);
    assert_true(tr->demand[0] == d3);

    free(out);
    free(set);
    ms_trace_free(tr);
    ms_work_free(w);
    ms_engine_free(e);
    ms_scenario_free(s);
}

/* (j) A path's numbers do not depend on the lane it runs in or on the paths
 * beside it.  China's licence is by industry (ev wholly affected,
 * electronics a quarter), so its flow is followed cell by cell, and its
 * licence delay is drawn from uniform(0, 9) months: in a batch of four
 * paths the lanes' delays differ and usually span more months than step 8
 * splits into rows (it then schedules lane by lane).  Japan's transit is
 * drawn from uniform(1, 2.5): lane lags within a few rows.  Each of 16
 * paths run alone (every lane the same path, so every lag the same in all
 * lanes) must give the bytes it gives in batches of four different paths,
 * and the paths must differ (else the test would prove nothing). */
static const char *LANES_YAML =
    "magsim: 1\n"
    "horizon: {start: 2025-01, months: 24}\n"
    "run: {seed: 11}\n"
    "products: {ndfeb: {price_usd_per_kg: 50}}\n"
    "suppliers:\n"
    "  china: {country: CN, capacity_t_per_year: {ndfeb: 100000}}\n"
    "  japan: {country: JP, capacity_t_per_year: {ndfeb: 3000}, export_share: {ndfeb: 0.5},\n"
    "          price_usd_per_kg: {ndfeb: 70}}\n"
    "importers:\n"
    "  usa:\n"
    "    sourcing: {ndfeb: {china: 0.8, japan: 0.2}}\n"
    "    transit_months: {default: 1, japan: {dist: uniform, min: 1, max: 2.5}}\n"
    "    switching: {qualification_months: 2, cost_sensitivity: 1, diversion: 0.5}\n"
    "    industries:\n"
    "      ev: {demand_t_per_year: {ndfeb: 2400}, cover_months: 1, restore_months: 1, priority: 1}\n"
    "      electronics: {demand_t_per_year: {ndfeb: 1200}, cover_months: 2, restore_months: 1, priority: 2}\n"
    "policies:\n"
    "  - {name: lic, type: export_control, exporter: china, mode: license, start: 2025-03,\n"
    "     affected: {ev: 1, electronics: 0.25},\n"
    "     license: {approval: {dist: beta, a: 2, b: 3}, delay_months: {dist: uniform, min: 0, max: 9}}}\n";

static void test_lane_invariance(void **st)
{
    (void)st;
    ms_scenario *s = tu_load_text("lanes.yaml", LANES_YAML);
    ms_engine *e = engine(s);
    ms_work *w = ms_work_alloc(e);
    assert_non_null(w);
    int n = ms_engine_nmetrics(e) + ms_engine_nseries(e), np = 16;
    double *one = calloc((size_t)np * n, sizeof(double)), *batch = calloc((size_t)np * n, sizeof(double));
    assert_non_null(one);
    assert_non_null(batch);
    for (int j = 0; j < np; j++)
        assert_int_equal(ms_engine_path(e, w, (uint64_t)j, one + (size_t)j * n, NULL), 0);
    assert_int_equal(ms_engine_paths(e, w, 0, np, batch, (size_t)n), 0);
    assert_memory_equal(one, batch, sizeof(double) * (size_t)np * n);
    int k = find(e, 0, MS_M_SHORTAGE_T, -1, 0, 0, -1, -1), differ = 0; /* usa ev, all products */
    assert_true(k >= 0);
    int short_paths = 0; /* the licence leaves ev short on most paths, by different amounts */
    for (int j = 0; j < np; j++) {
        short_paths += one[(size_t)j * n + k] > 0;
        differ |= one[(size_t)j * n + k] != one[k];
    }
    assert_true(short_paths > np / 2);
    assert_true(differ);
    free(one);
    free(batch);
    ms_work_free(w);
    ms_engine_free(e);
    ms_scenario_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_steady_state),
        cmocka_unit_test(test_ban_hand_computed),
        cmocka_unit_test(test_tariff_formulas),
        cmocka_unit_test(test_priority_rationing),
        cmocka_unit_test(test_offtake_new_plant),
        cmocka_unit_test(test_mass_balance),
        cmocka_unit_test(test_closed_form_distribution),
        cmocka_unit_test(test_thread_invariance),
        cmocka_unit_test(test_common_random_numbers),
        cmocka_unit_test(test_inputs_set),
        cmocka_unit_test(test_lane_invariance),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
