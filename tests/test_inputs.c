/*
 * test_inputs.c - uncertain inputs (docs/model.md, "Uncertain inputs";
 * docs/scenario.md, "Distributions"): inputs drawn every month, the
 * streams of unnamed policies, distributions truncated to their domain, and
 * the contract's outline scenario, through the loader and the real engine.
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
#include "magsim/result.h"
#include "magsim/rng.h"
#include "testutil.h"

/* Load YAML text expecting it to fail or warn; the diagnostics stay in d. */
static ms_scenario *load_diags(const char *yaml, ms_diags *d)
{
    ms_diags_init(d);
    return ms_scenario_load_buffer("test.yaml", yaml, strlen(yaml), d);
}

static void dump(const ms_diags *d)
{
    for (int i = 0; i < d->n; i++)
        fprintf(stderr, "    got %s %d:%d %s\n", ms_diag_kind_name(d->v[i].kind), d->v[i].line, d->v[i].column,
                d->v[i].message);
}

/* Draw of input `key` for (seed, path, month), as the engine draws it. */
static double draw(const ms_engine *e, const char *key, uint64_t seed, uint64_t path, int month)
{
    int k = ms_engine_find_input(e, key);
    assert_true(k >= 0);
    ms_rng *r = ms_rng_alloc(seed);
    double v = ms_dist_draw(ms_engine_input(e, k), r, path, month);
    ms_rng_free(r);
    return v;
}

/* ---- version 2, item 8: per: month honoured or refused ------------------------- */

/* Inputs read once per path refuse per: month where the file says it, and
 * every such error is reported: a value per tonne (line 12), a stockpile's
 * stock (15), an outage's duration and cut (6), a date (16). */
static void test_per_month_refused(void **st)
{
    (void)st;
    const char *yaml =
        "magsim: 1\n"                                                                        /* 1 */
        "horizon: {start: 2025-01, months: 12}\n"                                            /* 2 */
        "products: {ndfeb: {price_usd_per_kg: 50}}\n"                                        /* 3 */
        "suppliers:\n"                                                                       /* 4 */
        "  china: {country: CN, capacity_t_per_year: {ndfeb: 1000000},\n"                    /* 5 */
        "    outages: {hazard_per_month: 0.1, duration_months: {dist: uniform, min: 1, max: 3, per: month}, "
        "cut: {dist: uniform, min: 0.1, max: 0.5, per: month}}}\n"                           /* 6 */
        "importers:\n"                                                                       /* 7 */
        "  usa:\n"                                                                           /* 8 */
        "    sourcing: {ndfeb: {china: 1}}\n"                                                /* 9 */
        "    industries:\n"                                                                  /* 10 */
        "      ev: {demand_t_per_year: {ndfeb: 1200},\n"                                     /* 11 */
        "           value_usd_per_t: {dist: uniform, min: 1, max: 2, per: month}}\n"         /* 12 */
        "policies:\n"                                                                        /* 13 */
        "  - {name: sp, type: stockpile, importer: usa, product: ndfeb, release_t_per_month: 10,\n" /* 14 */
        "     stock_t: {dist: uniform, min: 10, max: 20, per: month},\n"                     /* 15 */
        "     start: {dist: uniform, min: 2025-02, max: 2025-06, per: month}}\n";            /* 16 */
    ms_diags d;
    ms_scenario *s = load_diags(yaml, &d);
    assert_null(s);
    if (d.nerrors != 5)
        dump(&d);
    assert_int_equal(d.nerrors, 5);
    assert_int_equal(ms_diags_count(&d, MS_D_VALUE), 5);
    const int lines[5] = {6, 6, 12, 15, 16};
    for (int k = 0; k < 5; k++)
        assert_non_null(ms_diags_find(&d, MS_D_VALUE, lines[k], 0));
    assert_non_null(strstr(d.v[0].message, "per: month is not allowed"));
    ms_diags_clear(&d);
}

/* Inputs read every month honour per: month, each month its own draw.
 * Growth g drawn every month uniform in [0, 0.5]: demand grows from month t
 * to t + 1 by (1 + g_t)^(1/12), g_t the draw of month t.  A supplier price
 * drawn every month uniform in [40, 60] USD/kg is the month's price (no
 * scarcity).  The substitution time constant drawn every month in [1, 10]
 * months, under a ban from month 0 with no cover (shortage share 1 every
 * month): sub_t = sub_(t-1) + (0.5 - sub_(t-1)) (1 - exp(-1/tau_t)).  The
 * demand of month t is D0 (1+g..)(1 - sub_(t-1)), so the growth check
 * divides the substitution out. */
static void test_per_month_honoured(void **st)
{
    (void)st;
    ms_scenario *s = tu_load_text(
        "test.yaml",
        "magsim: 1\n"
        "horizon: {start: 2025-01, months: 12}\n"
        "run: {seed: 99}\n"
        "products: {ndfeb: {price_usd_per_kg: 50}}\n"
        "suppliers:\n"
        "  china: {country: CN, capacity_t_per_year: {ndfeb: 1000000},\n"
        "          price_usd_per_kg: {ndfeb: {dist: uniform, min: 40, max: 60, per: month}}}\n"
        "importers:\n"
        "  usa:\n"
        "    sourcing: {ndfeb: {china: 1}}\n"
        "    transit_months: {default: 0}\n"
        "    demand_elasticity: 0\n"
        "    industries:\n"
        "      ev: {demand_t_per_year: {ndfeb: 1200}, cover_months: 0,\n"
        "           growth: {dist: uniform, min: 0, max: 0.5, per: month},\n"
        "           substitution: {max: 0.5, tau_months: {dist: uniform, min: 1, max: 10, per: month}}}\n"
        "policies:\n"
        "  - {name: ban, type: export_control, exporter: china, mode: ban, start: 2025-01}\n");
    uint64_t path = 5;
    tu_path r = tu_path_run(s, path);
    double sub = 0, gf = 1, distinct = 0;
    for (int t = 0; t < 12; t++) {
        double g = draw(r.e, "importers.usa.industries.ev.growth", 99, path, t);
        double tau = draw(r.e, "importers.usa.industries.ev.substitution.tau_months", 99, path, t);
        double price = draw(r.e, "suppliers.china.price_usd_per_kg.ndfeb", 99, path, t);
        assert_float_equal(TU_CP(r.tr, demand, t, 0, 0), 100.0 * gf * (1.0 - sub), 1e-9);
        assert_float_equal(r.tr->supplier_price[t], price, 1e-12);
        sub += (0.5 - sub) * -expm1(-1.0 / tau);
        assert_float_equal(r.tr->substitution[t], sub, 1e-12);
        gf *= pow(1.0 + g, 1.0 / 12.0);
        distinct += t > 0 && g != draw(r.e, "importers.usa.industries.ev.growth", 99, path, t - 1);
    }
    assert_true(distinct >= 10); /* the draws do move month to month */
    tu_path_free(&r);
    ms_scenario_free(s);
}

/* ---- version 2, item 9: an unnamed policy's stream is its type and ordinal ------ */

/* One importer of 100 t/month from china, transit 0.  %s: policies. */
static const char *TARIFFED =
    "magsim: 1\n"
    "horizon: {start: 2025-01, months: 12}\n"
    "run: {seed: 3}\n"
    "products: {ndfeb: {price_usd_per_kg: 50}}\n"
    "suppliers:\n"
    "  china: {country: CN, capacity_t_per_year: {ndfeb: 1000000}}\n"
    "importers:\n"
    "  usa:\n"
    "    sourcing: {ndfeb: {china: 1}}\n"
    "    transit_months: {default: 0}\n"
    "    demand_elasticity: 0\n"
    "    industries:\n"
    "      ev: {demand_t_per_year: {ndfeb: 1200}, cover_months: 1}\n"
    "policies:\n"
    "%s";

/* An unnamed tariff with an uncertain rate, uniform in [0.1, 0.3] from
 * month 2: with one supplier the price index is 1 + rate from month 2.
 * Inserting an export control before it (one that never starts inside the
 * horizon) leaves it `tariff#0`: its rate, hence every month's price index,
 * is the same on every path (version 1 keyed it by its position, 0 then 1:
 * another draw).  The loader warns that the tariff is unnamed and uncertain. */
static void test_unnamed_stream_survives_insertion(void **st)
{
    (void)st;
    const char *tariff = "  - {type: tariff, importer: usa, origin: china,\n"
                         "     schedule: [{from: 2025-03, rate: {dist: uniform, min: 0.1, max: 0.3}}]}\n";
    char two[1024];
    snprintf(two, sizeof two, "  - {type: export_control, exporter: china, mode: ban, start: 2027-01}\n%s", tariff);
    ms_diags d;
    char yaml[4096];
    snprintf(yaml, sizeof yaml, TARIFFED, tariff);
    ms_scenario *a = load_diags(yaml, &d);
    assert_non_null(a);
    assert_int_equal(ms_diags_count(&d, MS_D_WARNING), 1);
    assert_non_null(ms_diags_find(&d, MS_D_WARNING, 15, 5));
    assert_non_null(strstr(d.v[0].message, "tariff#0"));
    ms_diags_clear(&d);
    ms_scenario *b = tu_load_fmt(TARIFFED, two);
    assert_string_equal(a->policies[0].name, "tariff#0");
    assert_string_equal(b->policies[1].name, "tariff#0");
    assert_string_equal(b->policies[0].name, "export_control#0");
    double first[2] = {0, 0};
    for (uint64_t path = 0; path < 2; path++) {
        tu_path ra = tu_path_run(a, path), rb = tu_path_run(b, path);
        double rate = draw(ra.e, "policies.tariff#0.schedule.0.rate", 3, path, 0);
        for (int t = 0; t < 12; t++) {
            assert_float_equal(ra.tr->price_index[t], t < 2 ? 1.0 : 1.0 + rate, 1e-12);
            assert_true(ra.tr->price_index[t] == rb.tr->price_index[t]);
        }
        first[path] = rate;
        tu_path_free(&ra);
        tu_path_free(&rb);
    }
    assert_true(first[0] != first[1]); /* the rate is uncertain: the comparison has teeth */
    ms_scenario_free(a);
    ms_scenario_free(b);
}

/* ---- version 2, item 10: distributions and their domain ------------------------ */

/* growth must be > -1.  normal(0.08, 0.05) leaves that domain with
 * probability Phi(-1.08 / 0.05) = Phi(-21.6), about 9e-104 < 1e-9: accepted,
 * truncated, with a warning at the distribution.  normal(0, 1) leaves it
 * with probability Phi(-1) = 0.1587 > 1e-9: an error that states it. */
static void test_domain_truncation(void **st)
{
    (void)st;
    const char *fmt = "magsim: 1\n"
                      "horizon: {start: 2025-01, months: 12}\n"
                      "products: {ndfeb: {price_usd_per_kg: 50}}\n"
                      "suppliers: {china: {country: CN, capacity_t_per_year: {ndfeb: 1000}}}\n"
                      "importers:\n"
                      "  usa:\n"
                      "    sourcing: {ndfeb: {china: 1}}\n"
                      "    industries:\n"
                      "      ev: {demand_t_per_year: {ndfeb: 100}, growth: {dist: normal, mean: %s, sd: %s}}\n";
    char yaml[1024];
    ms_diags d;
    snprintf(yaml, sizeof yaml, fmt, "0.08", "0.05");
    ms_scenario *s = load_diags(yaml, &d);
    assert_non_null(s);
    assert_int_equal(d.nerrors, 0);
    const ms_diag *w = ms_diags_find(&d, MS_D_WARNING, 9, 53);
    if (!w)
        dump(&d);
    assert_non_null(w);
    assert_non_null(strstr(w->message, "truncated"));
    ms_diags_clear(&d);
    ms_scenario_free(s);
    snprintf(yaml, sizeof yaml, fmt, "0", "1");
    s = load_diags(yaml, &d);
    assert_null(s);
    const ms_diag *x = ms_diags_find(&d, MS_D_RANGE, 9, 53);
    if (!x)
        dump(&d);
    assert_non_null(x);
    assert_non_null(strstr(x->message, "probability 0.159"));
    ms_diags_clear(&d);
}

/* The contract's outline scenario (MODEL.md version 2) loads as written,
 * with two warnings (the truncated growth and the unnamed recycling with an
 * uncertain start), and runs: 128 paths, every statistic finite, shipments
 * from china to usa in the first month equal to the baseline 0.85 x
 * 2500 / 12 t (month 0 is the steady state, before any control). */
static void test_outline_scenario_runs(void **st)
{
    (void)st;
    const char *root = getenv("MAGSIM_SRCDIR");
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/fixtures/good/model_outline.yaml", root ? root : ".");
    ms_diags d;
    ms_diags_init(&d);
    ms_scenario *s = ms_scenario_load(path, &d);
    if (!s || d.n != 2)
        dump(&d);
    assert_non_null(s);
    assert_int_equal(ms_diags_count(&d, MS_D_WARNING), 2);
    ms_diags_clear(&d);
    ms_engine *e = tu_engine(s);
    ms_result *res = ms_result_alloc(e);
    ms_run_opts o = {2, NULL, NULL, NULL};
    assert_int_equal(ms_engine_run(e, 0, 128, &o, res), 0);
    assert_int_equal(res->paths_done, 128);
    ms_work *w = ms_work_alloc(e);
    double *out = calloc((size_t)ms_engine_nmetrics(e) + ms_engine_nseries(e), sizeof(double));
    ms_engine_path(e, w, 0, out, NULL);
    for (int k = 0; k < ms_engine_nmetrics(e) + ms_engine_nseries(e); k++)
        assert_true(isfinite(out[k]));
    int ship0 = tu_find(e, 1, MS_S_SHIPMENTS, ms_scenario_supplier(s, "china"), 0, -1, 0, 0);
    assert_float_equal(out[ship0], 0.85 * 2500.0 / 12.0, 1e-9);
    free(out);
    ms_work_free(w);
    ms_result_free(res);
    ms_engine_free(e);
    ms_scenario_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_per_month_refused),
        cmocka_unit_test(test_per_month_honoured),
        cmocka_unit_test(test_unnamed_stream_survives_insertion),
        cmocka_unit_test(test_domain_truncation),
        cmocka_unit_test(test_outline_scenario_runs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
