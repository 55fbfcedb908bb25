/*
 * test_hazards.c - numeric hazards: no NaN or infinity ever reaches a result.
 *
 * Each case is a small scenario at an edge of the model or of an input's
 * range: zero demand, zero capacity, export share 0, extreme elasticities,
 * a one-month horizon, no cover, a tiny restore time, transit and licence
 * delays longer than the horizon (and drawn beyond 2^63 months),
 * distributions at the edge of their parameter range, prices that collapse
 * to zero, and every numeric input of a scenario with each mechanism at the
 * ends of its range.  For every case the test runs a few hundred paths
 * through ms_engine_run and checks that every summary field (mean, sd, se,
 * min, max, each quantile, p_pos, both CVaRs) of every metric and monthly
 * series is finite, checks the per-path vectors of ms_engine_path likewise,
 * and checks one value that can be worked out by hand.
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

#define NPATHS 256

/* The scenario of a case: NULL fields take the defaults shown. */
typedef struct hz {
    int months;               /* 12 */
    const char *cap_cn;       /* china ndfeb capacity, t/yr: "1000000" */
    const char *es_cn;        /* china export share: "1" */
    const char *cn_extra;     /* more keys of supplier china: "" */
    const char *cap_jp;       /* japan ndfeb capacity: "1000000" */
    const char *jp_extra;     /* more keys of supplier japan: "" */
    const char *transit;      /* default transit months: "1" */
    const char *imp_extra;    /* more keys of importer usa (each line indented 4): "" */
    const char *dem_ev;       /* ev demand t/yr: "1200" */
    const char *ev_extra;     /* more keys of industry ev: EV_DEFAULT */
    const char *dem_wind;     /* wind demand t/yr: "600" */
    const char *policies;     /* the policies list, or "": "" */
} hz;

#define EV_DEFAULT ", cover_months: 2, value_usd_per_t: 1000"

static const char *or(const char *s, const char *d) { return s ? s : d; }

static ms_scenario *load(const hz *h)
{
    char buf[8192];
    snprintf(buf, sizeof buf,
             "magsim: 1\n"
             "name: hazard\n"
             "horizon: {start: 2025-01, months: %d}\n"
             "run: {paths: %d, seed: 99}\n"
             "products: {ndfeb: {price_usd_per_kg: 50}}\n"
             "suppliers:\n"
             "  china: {country: CN, capacity_t_per_year: {ndfeb: %s}, export_share: {ndfeb: %s}%s}\n"
             "  japan: {country: JP, capacity_t_per_year: {ndfeb: %s}%s}\n"
             "importers:\n"
             "  usa:\n"
             "    sourcing: {ndfeb: {china: 0.8, japan: 0.2}}\n"
             "    transit_months: {default: %s}\n"
             "%s"
             "    industries:\n"
             "      ev: {demand_t_per_year: {ndfeb: %s}%s}\n"
             "      wind: {demand_t_per_year: {ndfeb: %s}, priority: 2}\n"
             "%s",
             h->months ? h->months : 12, NPATHS, or(h->cap_cn, "1000000"), or(h->es_cn, "1"),
             or(h->cn_extra, ""), or(h->cap_jp, "1000000"), or(h->jp_extra, ""), or(h->transit, "1"),
             or(h->imp_extra, ""), or(h->dem_ev, "1200"), or(h->ev_extra, EV_DEFAULT), or(h->dem_wind, "600"),
             or(h->policies, ""));
    return tu_load_text("hazard.yaml", buf);
}

typedef struct run_t {
    ms_scenario *s;
    ms_engine *e;
    ms_result *r;
} run_t;

static int desc_name(const ms_engine *e, int k, char *b, size_t n)
{
    const ms_stat_desc *d = ms_engine_desc(e, k);
    return snprintf(b, n, "%s %s s%d i%d k%d p%d m%d", d->is_series ? "series" : "metric",
                    d->is_series ? ms_series_name(d->what) : ms_metric_name(d->what), d->supplier, d->importer,
                    d->industry, d->product, d->month);
}

#define FIN(x, what)                                                                                 \
    do {                                                                                             \
        if (!isfinite(x)) {                                                                          \
            char nm[160];                                                                            \
            desc_name(e, k, nm, sizeof nm);                                                          \
            fail_msg("%s: %s is %g", nm, what, (double)(x));                                         \
        }                                                                                            \
    } while (0)

/* Run NPATHS paths of loaded scenario s on 2 threads, and check that
 * everything is finite. */
static run_t run_loaded(ms_scenario *s)
{
    run_t R;
    R.s = s;
    char err[256];
    ms_engine_opts o = ms_engine_opts_default(R.s);
    R.e = ms_engine_alloc(R.s, &o, err, sizeof err);
    if (!R.e) fprintf(stderr, "%s\n", err);
    assert_non_null(R.e);
    const ms_engine *e = R.e;
    int nst = ms_engine_nmetrics(e) + ms_engine_nseries(e);

    /* single paths */
    ms_work *w = ms_work_alloc(e);
    double *out = calloc((size_t)nst, sizeof(double));
    assert_non_null(out);
    for (uint64_t path = 0; path < 16; path++) {
        ms_engine_path(e, w, path * 7, out, NULL);
        for (int k = 0; k < nst; k++) FIN(out[k], "the path value");
    }
    free(out);
    ms_work_free(w);

    /* a run */
    R.r = ms_result_alloc(e);
    ms_run_opts ro = {.threads = 2};
    assert_int_equal(ms_engine_run(e, 0, NPATHS, &ro, R.r), 0);
    assert_int_equal(R.r->paths_done, NPATHS);
    for (int k = 0; k < nst; k++) {
        ms_stat_summary sm;
        ms_result_summary(e, R.r, k, R.s->quantiles, R.s->nquantiles, &sm);
        assert_int_equal(sm.n, NPATHS);
        FIN(sm.mean, "mean");
        FIN(sm.sd, "sd");
        FIN(sm.se, "se");
        FIN(sm.min, "min");
        FIN(sm.max, "max");
        for (int q = 0; q < R.s->nquantiles; q++) FIN(sm.q[q], "a quantile");
        FIN(sm.p_pos, "p_pos");
        FIN(sm.cvar95, "cvar95");
        FIN(sm.cvar05_lower, "cvar05_lower");
    }
    return R;
}

/* Load, run NPATHS paths on 2 threads, and check that everything is finite. */
static run_t run_case(const hz *h)
{
    return run_loaded(load(h));
}

static void done(run_t *R)
{
    ms_result_free(R->r);
    ms_engine_free(R->e);
    ms_scenario_free(R->s);
}

/* index of a statistic; importer usa is 0, ev is industry 0, wind 1, ndfeb product 0 */
#define find tu_find

static double mean_of(const run_t *R, int series, int what, int s, int i, int k, int p, int month)
{
    ms_stat_summary sm;
    ms_result_summary(R->e, R->r, find(R->e, series, what, s, i, k, p, month), R->s->quantiles, R->s->nquantiles, &sm);
    return sm.mean;
}

#define TOTAL_SHORT_SHARE(R) mean_of(&(R), 0, MS_M_SHORTAGE_SHARE, -1, -1, -1, -1, -1)
#define TOTAL_SHORT_T(R) mean_of(&(R), 0, MS_M_SHORTAGE_T, -1, -1, -1, -1, -1)

static const char *BAN =
    "policies:\n"
    "  - {type: export_control, exporter: china, mode: ban, start: 2025-03}\n";

/* Zero demand everywhere: nothing is short, shares are 0 (0/0 guarded). */
static void test_zero_demand_everywhere(void **st)
{
    (void)st;
    hz h = {.dem_ev = "0", .dem_wind = "0", .policies = BAN};
    run_t R = run_case(&h);
    assert_float_equal(TOTAL_SHORT_T(R), 0.0, 0);
    assert_float_equal(TOTAL_SHORT_SHARE(R), 0.0, 0);
    assert_float_equal(mean_of(&R, 0, MS_M_SHIPMENTS_T, 0, 0, -1, 0, -1), 0.0, 0);
    /* no demand, no stock: cover is 0, not 0/0 */
    assert_float_equal(mean_of(&R, 1, MS_S_INVENTORY_COVER, -1, 0, 0, -1, 5), 0.0, 0);
    done(&R);
}

/* One industry with zero demand among others: it is never short; the other is. */
static void test_zero_demand_one_industry(void **st)
{
    (void)st;
    hz h = {.dem_wind = "0", .cap_jp = "0", .policies = BAN};
    run_t R = run_case(&h);
    assert_float_equal(mean_of(&R, 0, MS_M_SHORTAGE_T, -1, 0, 1, -1, -1), 0.0, 0);
    assert_float_equal(mean_of(&R, 0, MS_M_SHORTAGE_SHARE, -1, 0, 1, -1, -1), 0.0, 0);
    assert_true(mean_of(&R, 0, MS_M_SHORTAGE_T, -1, 0, 0, -1, -1) > 0);
    done(&R);
}

/* China has no capacity: the importer sources everything from Japan from
 * month 0 (effective shares renormalised), so nothing is short and China
 * ships nothing. */
static void test_zero_capacity_one_supplier(void **st)
{
    (void)st;
    hz h = {.cap_cn = "0", .imp_extra = "    demand_elasticity: 0\n"};
    run_t R = run_case(&h);
    assert_float_equal(TOTAL_SHORT_T(R), 0.0, 1e-9);
    assert_float_equal(mean_of(&R, 0, MS_M_SHIPMENTS_T, 0, 0, -1, 0, -1), 0.0, 0);
    assert_float_equal(mean_of(&R, 0, MS_M_SHIPMENTS_T, 1, 0, -1, 0, -1), 1800.0, 1e-6);
    done(&R);
}

/* No capacity anywhere and no policy: nothing arrives; each industry lives
 * on its 2 months of cover, then is short the whole demand: from month 2 on
 * the shortage share is 1, and over 12 months it is 10/12. */
static void test_zero_capacity_everywhere(void **st)
{
    (void)st;
    hz h = {.cap_cn = "0", .cap_jp = "0", .imp_extra = "    demand_elasticity: 0\n"};
    run_t R = run_case(&h);
    assert_float_equal(mean_of(&R, 1, MS_S_SHORTAGE_SHARE, -1, -1, -1, -1, 1), 0.0, 0);
    for (int t = 2; t < 12; t++) assert_float_equal(mean_of(&R, 1, MS_S_SHORTAGE_SHARE, -1, -1, -1, -1, t), 1.0, 1e-12);
    assert_float_equal(TOTAL_SHORT_SHARE(R), 10.0 / 12.0, 1e-12);
    assert_float_equal(mean_of(&R, 0, MS_M_SHIPMENTS_T, 0, 0, -1, 0, -1), 0.0, 0);
    done(&R);
}

/* Export share 0 at both suppliers: the same as no capacity. */
static void test_export_share_zero(void **st)
{
    (void)st;
    hz h = {.es_cn = "0", .jp_extra = ", export_share: {ndfeb: 0}", .imp_extra = "    demand_elasticity: 0\n"};
    run_t R = run_case(&h);
    assert_float_equal(TOTAL_SHORT_SHARE(R), 10.0 / 12.0, 1e-12);
    done(&R);
}

/* Extreme elasticities and sensitivities under a ban with a tariff that is
 * later removed (landed prices fall below their baseline). */
static void test_extreme_elasticities(void **st)
{
    (void)st;
    const char *pol = "policies:\n"
                      "  - {type: export_control, exporter: china, mode: ban, start: 2025-03, end: 2025-08}\n"
                      "  - {type: tariff, importer: usa, origin: all,\n"
                      "     schedule: [{from: 2025-01, rate: 1000}, {from: 2025-06, rate: 0}]}\n";
    const char *imps[] = {
        "    demand_elasticity: -50\n",
        "    shortage_elasticity: -0.001\n",
        "    shortage_elasticity: -1000\n",
        "    switching: {cost_sensitivity: 1000}\n",
        "    switching: {cost_sensitivity: 1000000000, qualification_months: 1, diversion: 1}\n",
        "    demand_elasticity: -50\n    shortage_elasticity: -0.001\n    premium_cap: 1000\n",
    };
    for (size_t x = 0; x < sizeof imps / sizeof *imps; x++) {
        hz h = {.cap_jp = "600", .imp_extra = imps[x], .cn_extra = ", price_flex: 50, price_cap: 1000",
                .policies = pol};
        run_t R = run_case(&h);
        double sh = TOTAL_SHORT_SHARE(R);
        assert_true(sh >= 0 && sh <= 1);
        done(&R);
    }
    /* a hand value: with shortage_elasticity -0.001 any shortfall puts the
     * premium at its cap (default 4), so under a ban with no other supplier
     * the price shock peaks at 4 x (1 + 0) / 1 - 1 = 3 */
    hz h = {.cap_jp = "0", .imp_extra = "    shortage_elasticity: -0.001\n", .policies = BAN};
    run_t R = run_case(&h);
    assert_float_equal(mean_of(&R, 0, MS_M_PEAK_PRICE_SHOCK, -1, 0, -1, 0, -1), 3.0, 1e-9);
    done(&R);
}

/* A one-month horizon: month 0 is steady state. */
static void test_one_month(void **st)
{
    (void)st;
    hz h = {.months = 1};
    run_t R = run_case(&h);
    assert_float_equal(TOTAL_SHORT_T(R), 0.0, 1e-9);
    /* never short: time to survive is censored at the horizon, 1 month */
    assert_float_equal(mean_of(&R, 0, MS_M_TIME_TO_SURVIVE, -1, 0, 0, -1, -1), 1.0, 0);
    assert_float_equal(mean_of(&R, 0, MS_M_SHIPMENTS_T, 0, 0, -1, 0, -1), 0.8 * 150.0, 1e-9);
    done(&R);
    /* a ban from month 0 on the only supplier with transit 0 and no cover:
     * the one month is wholly short */
    hz h2 = {.months = 1, .cap_jp = "0", .transit = "0", .dem_wind = "0", .ev_extra = ", cover_months: 0",
             .imp_extra = "    demand_elasticity: 0\n",
             .policies = "policies:\n  - {type: export_control, exporter: china, mode: ban, start: 2025-01}\n"};
    run_t R2 = run_case(&h2);
    assert_float_equal(TOTAL_SHORT_SHARE(R2), 1.0, 1e-12);
    assert_float_equal(mean_of(&R2, 0, MS_M_TIME_TO_SURVIVE, -1, 0, 0, -1, -1), 0.0, 0);
    done(&R2);
}

/* No cover (cover_months 0) and a tiny restore time (a warning; clamped to
 * 1 month): a ban from 2025-03 on the only supplier with transit 0 leaves
 * ev wholly short from month 2 on: 10 of 12 months, share 10/12, and time
 * to survive 0 (short in the month the ban starts). */
static void test_no_cover_tiny_restore(void **st)
{
    (void)st;
    hz h = {.cap_jp = "0", .transit = "0", .dem_wind = "0", .ev_extra = ", cover_months: 0, restore_months: 0.001",
            .imp_extra = "    demand_elasticity: 0\n", .policies = BAN};
    run_t R = run_case(&h);
    assert_float_equal(mean_of(&R, 0, MS_M_SHORTAGE_SHARE, -1, 0, 0, -1, -1), 10.0 / 12.0, 1e-12);
    assert_float_equal(mean_of(&R, 0, MS_M_MONTHS_SHORT, -1, 0, 0, -1, -1), 10.0, 0);
    assert_float_equal(mean_of(&R, 0, MS_M_TIME_TO_SURVIVE, -1, 0, 0, -1, -1), 0.0, 0);
    /* cover series: no stock, so 0 every month */
    assert_float_equal(mean_of(&R, 1, MS_S_INVENTORY_COVER, -1, 0, 0, -1, 11), 0.0, 0);
    done(&R);
}

/* Transit 0, and transit and licence delays far beyond the horizon. */
static void test_transit_and_delay_extremes(void **st)
{
    (void)st;
    const char *lic = "policies:\n"
                      "  - {type: export_control, exporter: china, mode: license, start: 2025-03,\n"
                      "     license: {approval: 0.5, delay_months: 500}}\n";
    const char *transits[] = {"0", "0.5", "30", "1000"};
    for (size_t x = 0; x < 4; x++) {
        hz h = {.transit = transits[x], .policies = lic, .cap_jp = "100"};
        run_t R = run_case(&h);
        double sh = TOTAL_SHORT_SHARE(R);
        assert_true(sh >= 0 && sh <= 1);
        done(&R);
    }
    /* transit 0 and no policy: every month is the steady state */
    hz h = {.transit = "0", .imp_extra = "    demand_elasticity: 0\n"};
    run_t R = run_case(&h);
    assert_float_equal(TOTAL_SHORT_T(R), 0.0, 1e-9);
    assert_float_equal(mean_of(&R, 0, MS_M_SHIPMENTS_T, 0, 0, -1, 0, -1), 0.8 * 1800.0, 1e-6);
    done(&R);
}

/* A licence delay drawn beyond the range of a 64-bit month index.  Delay
 * lognormal, median 1e15 months, sigma 5: above 2^63 months (9.2e18) when
 * Z > ln(9.2e18 / 1e15) / 5 = 1.83, 3.4% of paths, so some of the 256 paths
 * (and of each batch's lanes, next to delays that are merely long) draw one;
 * under 12 months only when Z < ln(12 / 1e15) / 5 = -6.4 (never, here).
 * Transit 0, demand elasticity 0: months 0 and 1 are the steady state,
 * china shipping 0.8 x 1800 / 12 = 120 t a month; from 2025-03 (month 2)
 * china's flow is covered whole and what the licence approves departs
 * after the delay, past the horizon: china's shipments are 2 x 120 = 240 t
 * on every path. */
static void test_delay_beyond_any_horizon(void **st)
{
    (void)st;
    hz h = {.transit = "0",
            .imp_extra = "    demand_elasticity: 0\n",
            .policies = "policies:\n"
                        "  - {type: export_control, exporter: china, mode: license, start: 2025-03,\n"
                        "     license: {approval: 0.5, delay_months: {dist: lognormal, median: 1e15, sigma: 5}}}\n"};
    run_t R = run_case(&h);
    int k = find(R.e, 0, MS_M_SHIPMENTS_T, 0, 0, -1, 0, -1);
    ms_stat_summary sm;
    ms_result_summary(R.e, R.r, k, R.s->quantiles, R.s->nquantiles, &sm);
    assert_float_equal(sm.min, 240.0, 1e-9);
    assert_float_equal(sm.max, 240.0, 1e-9);
    done(&R);
}

/* Every numeric input at the ends of its range, one at a time: 0, 1e-300,
 * 1e15, -1e15 where allowed, and lognormal draws with median 1e15 or
 * 1e-15 and sigma 10 (values from about 1e-300 to 1e300 and beyond, where
 * the loader does not refuse them).  A scenario with two products, two
 * suppliers (one with outages, one expanding), two importers, a licence
 * with a queue, a tariff, a stockpile that buys and a recycler, so that
 * every mechanism sees the extreme value.  Each variant the loader accepts
 * must run without a crash or undefined behaviour (the suite runs under
 * AddressSanitizer and UndefinedBehaviorSanitizer in CI), keep every
 * summary finite (run_loaded) and every shortage share within [0, 1]. */
static const char *EXTREME_BASE =
    "magsim: 1\n"
    "name: extremes\n"
    "horizon: {start: 2025-01, months: 12}\n"
    "run: {paths: 256, seed: 7}\n"
    "products: {ndfeb: {price_usd_per_kg: 50}, smco: {price_usd_per_kg: 80}}\n"
    "suppliers:\n"
    "  china: {country: CN, capacity_t_per_year: {ndfeb: $cap, smco: 1000}, export_share: {ndfeb: $es},\n"
    "          price_flex: $flex, price_cap: $pcap, outages: {hazard_per_month: $hz, duration_months: $dur}}\n"
    "  japan: {country: JP, capacity_t_per_year: {ndfeb: 300, smco: 100},\n"
    "          expansions: [{product: ndfeb, start: 2025-02, t_per_year: $exp, ramp_months: $ramp}]}\n"
    "importers:\n"
    "  usa:\n"
    "    sourcing: {ndfeb: {china: 0.8, japan: 0.2}, smco: {china: 1}}\n"
    "    transit_months: {default: $tr}\n"
    "    switching: {qualification_months: $q, cost_sensitivity: $beta, diversion: $div}\n"
    "    demand_elasticity: $eps\n"
    "    shortage_elasticity: $epss\n"
    "    price_smoothing_months: $sm\n"
    "    premium_cap: $prc\n"
    "    destination_elasticity: $epsd\n"
    "    industries:\n"
    "      ev: {demand_t_per_year: {ndfeb: $dem, smco: 10}, growth: $g, cover_months: $cov, restore_months: $rest,\n"
    "           hoarding: $hoard, substitution: {max: $smax, tau_months: $stau, trigger: $strig},\n"
    "           value_usd_per_t: 1000}\n"
    "      wind: {demand_t_per_year: {ndfeb: 600}, priority: 2}\n"
    "  jpn:\n"
    "    sourcing: {ndfeb: {china: 1}}\n"
    "    industries:\n"
    "      motors: {demand_t_per_year: {ndfeb: 500}}\n"
    "policies:\n"
    "  - {name: lic, type: export_control, exporter: china, mode: license, start: 2025-03, affected: $aff,\n"
    "     general_license: $gl, license: {approval: $ap, approval_end: $ape, ramp_months: $lramp,\n"
    "     noise_sd: $noise, delay_months: $dl, decision_months: $dec, queue: {abandon_per_month: $ab}}}\n"
    "  - {name: t, type: tariff, importer: usa, origin: china, schedule: [{from: 2025-02, rate: $rate}]}\n"
    "  - {name: stock, type: stockpile, importer: usa, product: ndfeb, stock_t: $st0, release_t_per_month: $rel,\n"
    "     trigger: $trig, refill_t_per_month: $refill, purchase: {t_per_month: $buy, from: 2025-02, until: 2025-09}}\n"
    "  - {name: rec, type: recycling, importer: usa, product: ndfeb, capacity_t_per_year: $rcap,\n"
    "     feedstock_t_per_year: $feed, yield: $yl, ramp_months: $rramp}\n";

static const struct { const char *name, *def; } EXTREME_INPUTS[] = {
    {"cap", "100000"}, {"es", "1"}, {"flex", "1"}, {"pcap", "3"}, {"hz", "0.05"}, {"dur", "2"}, {"exp", "1000"},
    {"ramp", "6"}, {"tr", "1"}, {"q", "6"}, {"beta", "4"}, {"div", "0.3"}, {"eps", "-0.1"}, {"epss", "-0.25"},
    {"sm", "3"}, {"prc", "4"}, {"epsd", "-0.5"}, {"dem", "1200"}, {"g", "0.05"}, {"cov", "2"}, {"rest", "2"},
    {"hoard", "0.5"}, {"smax", "0.2"}, {"stau", "12"}, {"strig", "1.5"}, {"aff", "0.8"}, {"gl", "0.1"},
    {"ap", "0.5"}, {"ape", "0.9"}, {"lramp", "3"}, {"noise", "0.1"}, {"dl", "1"}, {"dec", "1"}, {"ab", "0.2"},
    {"rate", "0.25"}, {"st0", "100"}, {"rel", "50"}, {"trig", "0.95"}, {"refill", "10"}, {"buy", "20"},
    {"rcap", "100"}, {"feed", "50"}, {"yl", "0.9"}, {"rramp", "6"},
};
#define NEXTREME_INPUTS (sizeof EXTREME_INPUTS / sizeof *EXTREME_INPUTS)

static const char *EXTREME_VALUES[] = {
    "0", "1e-300", "1e15", "-1e15",
    "{dist: lognormal, median: 1e15, sigma: 10}", "{dist: lognormal, median: 1e-15, sigma: 10}",
};

/* EXTREME_BASE with input `which` set to `value`, the others at their defaults. */
static void extreme_yaml(char *out, size_t len, size_t which, const char *value)
{
    size_t n = 0;
    for (const char *p = EXTREME_BASE; *p; ) {
        const char *v = NULL;
        size_t skip = 1;
        if (*p == '$') {
            size_t k, m = strspn(p + 1, "abcdefghijklmnopqrstuvwxyz0123456789");
            for (k = 0; k < NEXTREME_INPUTS; k++)
                if (strlen(EXTREME_INPUTS[k].name) == m && !strncmp(p + 1, EXTREME_INPUTS[k].name, m))
                    break;
            assert_true(k < NEXTREME_INPUTS);
            v = k == which ? value : EXTREME_INPUTS[k].def;
            skip = 1 + m;
        }
        size_t add = v ? strlen(v) : 1;
        assert_true(n + add < len);
        memcpy(out + n, v ? v : p, add);
        n += add;
        p += skip;
    }
    out[n] = '\0';
}

static void test_every_input_at_its_extremes(void **st)
{
    (void)st;
    static char yaml[8192];
    int ran = 0;
    for (size_t k = 0; k < NEXTREME_INPUTS; k++)
        for (size_t x = 0; x < sizeof EXTREME_VALUES / sizeof *EXTREME_VALUES; x++) {
            extreme_yaml(yaml, sizeof yaml, k, EXTREME_VALUES[x]);
            ms_diags d;
            ms_diags_init(&d);
            ms_scenario *s = ms_scenario_load_buffer("extremes.yaml", yaml, strlen(yaml), &d);
            ms_diags_clear(&d);
            if (!s) /* outside the input's range: the loader's business (test_scenario.c) */
                continue;
            run_t R = run_loaded(s);
            double sh = TOTAL_SHORT_SHARE(R);
            if (!(sh >= 0 && sh <= 1))
                fail_msg("%s = %s: total shortage share %g", EXTREME_INPUTS[k].name, EXTREME_VALUES[x], sh);
            done(&R);
            ran++;
        }
    /* the defaults are valid, so most inputs take several extremes: 157 of the 264 variants load */
    assert_int_equal(ran, 157);
}

/* Distributions at the edge of their range. */
static void test_distribution_edges(void **st)
{
    (void)st;
    struct { const char *ev_extra, *cn_extra, *imp_extra, *dem_ev; } cases[] = {
        {EV_DEFAULT ", hoarding: {dist: beta, a: 0.01, b: 0.01, min: 0, max: 5}", NULL, NULL, NULL},
        {NULL, NULL, NULL, "{dist: uniform, min: 1200, max: 1200}"},
        {EV_DEFAULT ", growth: {dist: normal, mean: 0, sd: 0.01, min: 0.3, max: 0.31}", NULL, NULL, NULL},
        {EV_DEFAULT ", growth: {dist: normal, mean: 0, sd: 0.001, min: 0.5, max: 1, per: month}", NULL, NULL, NULL},
        {NULL, NULL, NULL, "{dist: lognormal, median: 1200, sigma: 5}"},
        {NULL, NULL, NULL, "{dist: lognormal, median: 1200, sigma: 5, per: month}"},
        {NULL, NULL, NULL, "{dist: discrete, values: [1200], weights: [1]}"},
        {", cover_months: 2, value_usd_per_t: {dist: bernoulli, p: 0}", NULL, NULL, NULL},
        {", cover_months: 2, value_usd_per_t: {dist: bernoulli, p: 1}", NULL, NULL, NULL},
        {NULL, ", price_flex: {dist: pert, min: 0, mode: 0, max: 50}", NULL, NULL},
        {NULL, NULL, "    shortage_elasticity: {dist: uniform, min: -1000, max: -0.001}\n", NULL},
        {NULL, NULL, "    demand_elasticity: {dist: triangular, min: -50, mode: -50, max: 0}\n", NULL},
    };
    for (size_t x = 0; x < sizeof cases / sizeof *cases; x++) {
        hz h = {.ev_extra = cases[x].ev_extra, .cn_extra = cases[x].cn_extra, .imp_extra = cases[x].imp_extra,
                .dem_ev = cases[x].dem_ev, .cap_jp = "300", .policies = BAN};
        run_t R = run_case(&h);
        double sh = TOTAL_SHORT_SHARE(R);
        assert_true(sh >= 0 && sh <= 1);
        done(&R);
    }
    /* value per tonne bernoulli(0) is 0: no value at risk however short;
     * bernoulli(1) is 1 USD/t: value at risk equals the shortage tonnes */
    hz h = {.ev_extra = ", value_usd_per_t: {dist: bernoulli, p: 0}", .cap_jp = "0", .policies = BAN};
    run_t R = run_case(&h);
    assert_true(mean_of(&R, 0, MS_M_SHORTAGE_T, -1, 0, 0, -1, -1) > 0);
    assert_float_equal(mean_of(&R, 0, MS_M_VALUE_AT_RISK, -1, 0, 0, -1, -1), 0.0, 0);
    done(&R);
    hz h2 = {.ev_extra = ", value_usd_per_t: {dist: bernoulli, p: 1}", .cap_jp = "0", .policies = BAN};
    run_t R2 = run_case(&h2);
    assert_float_equal(mean_of(&R2, 0, MS_M_VALUE_AT_RISK, -1, 0, 0, -1, -1),
                       mean_of(&R2, 0, MS_M_SHORTAGE_T, -1, 0, 0, -1, -1), 1e-6);
    done(&R2);
}

/* Prices that collapse: a supplier selling at 0 USD/kg takes over the
 * sourcing, so the landed price index falls toward 0 and the price feedback
 * on demand (pi^eps) would blow up without its guard. */
static void test_price_index_zero(void **st)
{
    (void)st;
    const char *cn0 = ", price_usd_per_kg: {ndfeb: 1e-300}";
    const char *imps[] = {
        "    demand_elasticity: -0.1\n",
        "    demand_elasticity: -50\n    price_smoothing_months: 1\n",
        "    demand_elasticity: -50\n    price_smoothing_months: 1\n    switching: {cost_sensitivity: 1000000}\n",
    };
    for (size_t x = 0; x < 3; x++) {
        hz h = {.cn_extra = cn0, .imp_extra = imps[x],
                .policies = "policies:\n"
                            "  - {type: export_control, exporter: japan, mode: ban, start: 2025-02}\n"};
        run_t R = run_case(&h);
        double sh = TOTAL_SHORT_SHARE(R);
        assert_true(sh >= 0 && sh <= 1);
        /* the price index of a month is never negative */
        assert_true(mean_of(&R, 1, MS_S_PRICE_INDEX, -1, 0, -1, 0, 11) >= 0);
        done(&R);
    }
    /* every supplier at price 0: the baseline cost is 0, the index stays 1 */
    hz h = {.cn_extra = cn0, .jp_extra = cn0, .imp_extra = "    demand_elasticity: -50\n"};
    run_t R = run_case(&h);
    assert_float_equal(mean_of(&R, 0, MS_M_PEAK_PRICE_SHOCK, -1, 0, -1, 0, -1), 0.0, 0);
    done(&R);
}

/* A steep cost sensitivity when a landed cost falls far below its baseline
 * (a 100000% tariff removed): exp(-beta (ratio - 1)) overflows unless the
 * exponents are shifted; shares must stay shares.  Capacity is ample, so
 * switching suppliers can never cause a shortage. */
static void test_steep_switching_on_tariff_removal(void **st)
{
    (void)st;
    hz h = {.imp_extra = "    demand_elasticity: 0\n    switching: {cost_sensitivity: 1000000000}\n",
            .policies = "policies:\n"
                        "  - {type: tariff, importer: usa, origin: japan,\n"
                        "     schedule: [{from: 2025-01, rate: 1000}, {from: 2025-06, rate: 0}]}\n"};
    run_t R = run_case(&h);
    assert_float_equal(TOTAL_SHORT_T(R), 0.0, 1e-9);
    /* all 12 months of demand (1800 t) are shipped by one or the other */
    assert_float_equal(mean_of(&R, 0, MS_M_SHIPMENTS_T, 0, 0, -1, 0, -1) +
                           mean_of(&R, 0, MS_M_SHIPMENTS_T, 1, 0, -1, 0, -1), 1800.0, 1e-6);
    done(&R);
}

/* Compounding over a long horizon: growth 1000%/yr for 100 years, stacked
 * demand shocks of 1e15 each, lognormal demand at the largest sigma. */
static void test_compounding(void **st)
{
    (void)st;
    hz h = {.months = 1200, .ev_extra = ", growth: 10, value_usd_per_t: 1e15",
            .dem_wind = "{dist: lognormal, median: 1e15, sigma: 10}",
            .policies = "policies:\n"
                        "  - {type: demand_shock, importer: all, start: 2030-01, multiplier: 1e15}\n"
                        "  - {type: demand_shock, importer: all, start: 2031-01, multiplier: 1e15}\n"
                        "  - {type: demand_shock, importer: all, start: 2032-01, multiplier: 1e15}\n"};
    run_t R = run_case(&h);
    double sh = TOTAL_SHORT_SHARE(R);
    assert_true(sh > 0.5 && sh <= 1); /* demand outgrows any capacity */
    done(&R);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zero_demand_everywhere),
        cmocka_unit_test(test_zero_demand_one_industry),
        cmocka_unit_test(test_zero_capacity_one_supplier),
        cmocka_unit_test(test_zero_capacity_everywhere),
        cmocka_unit_test(test_export_share_zero),
        cmocka_unit_test(test_extreme_elasticities),
        cmocka_unit_test(test_one_month),
        cmocka_unit_test(test_no_cover_tiny_restore),
        cmocka_unit_test(test_transit_and_delay_extremes),
        cmocka_unit_test(test_delay_beyond_any_horizon),
        cmocka_unit_test(test_every_input_at_its_extremes),
        cmocka_unit_test(test_distribution_edges),
        cmocka_unit_test(test_price_index_zero),
        cmocka_unit_test(test_steep_switching_on_tariff_removal),
        cmocka_unit_test(test_compounding),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
