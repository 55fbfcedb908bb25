/*
 * test_observed.c - the observations file of `magsim backtest`
 * (magsim/observed.h): a good file (quoting, a line break inside a field, a
 * byte-order mark, CRLF, every kind of entity field) read into the right
 * observations and statistics; one fixture per kind of error under
 * tests/fixtures/observed/, each asserted with its kind at its line and
 * column and what the message says; a file with several errors reports
 * them all; the statistics map onto an engine (ms_observed_resolve).
 *
 * The fixtures are checked against tests/fixtures/observed/scenario.yaml:
 * suppliers china and japan (japan makes no smco), importers usa and
 * germany (germany sources no smco), products ndfeb and smco, 12 months
 * from 2025-01.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "magsim/engine.h"
#include "magsim/observed.h"

static char g_dir[4096];   /* tests/fixtures/observed under the source tree */

static ms_scenario *fixture_scenario(void)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/scenario.yaml", g_dir);
    ms_diags d;
    ms_diags_init(&d);
    ms_scenario *s = ms_scenario_load(path, &d);
    if (!s)
        ms_diags_print(&d, stderr, 0);
    ms_diags_clear(&d);
    assert_non_null(s);
    return s;
}

/* Load fixture NAME; d receives the diagnostics. */
static ms_observed *load(const ms_scenario *s, const char *name, ms_diags *d)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", g_dir, name);
    ms_diags_init(d);
    return ms_observed_load(path, s, d);
}

static void test_good_file(void **state)
{
    (void)state;
    ms_scenario *s = fixture_scenario();
    ms_diags d;
    ms_observed *o = load(s, "good.csv", &d);
    if (!o)
        ms_diags_print(&d, stderr, 0);
    assert_non_null(o);
    assert_int_equal(d.nerrors, 0);
    assert_int_equal(o->n, 4);
    /* row 1: china, all importers (the engine's roll-up), all products (ndfeb + smco), 2025-05 */
    const ms_obs *a = &o->obs[0];
    assert_int_equal(a->line, 2);
    assert_int_equal(a->what, MS_S_SHIPMENTS);
    assert_int_equal(a->ent[0], 0);
    assert_int_equal(a->ent[1], MS_OBS_ALL);
    assert_int_equal(a->ent[2], MS_OBS_ALL);
    assert_int_equal(a->month, 4);
    assert_true(a->value == 1238);
    assert_string_equal(a->source, "customs, via \"Reuters\"");
    assert_int_equal(a->nparts, 2);
    for (int p = 0; p < 2; p++) {
        assert_int_equal(a->part[p].supplier, 0);
        assert_int_equal(a->part[p].importer, -1);
        assert_int_equal(a->part[p].product, p);
        assert_int_equal(a->part[p].month, 4);
    }
    assert_string_equal(ms_observed_entity(s, a, MS_OBS_IMPORTER), "all");
    /* row 2: one statistic; its source spans two lines */
    const ms_obs *b = &o->obs[1];
    assert_int_equal(b->line, 3);
    assert_int_equal(b->nparts, 1);
    assert_true(b->value == 352.8);
    assert_string_equal(b->source, "two\nlines");
    /* row 3 starts on line 5 (after the two-line field): price_index has no supplier */
    const ms_obs *c = &o->obs[2];
    assert_int_equal(c->line, 5);
    assert_int_equal(c->what, MS_S_PRICE_INDEX);
    assert_int_equal(c->ent[0], MS_OBS_NONE);
    assert_string_equal(ms_observed_entity(s, c, MS_OBS_SUPPLIER), "");
    assert_int_equal(c->nparts, 1);
    assert_int_equal(c->part[0].importer, 0);
    assert_int_equal(c->part[0].product, 1);
    assert_string_equal(c->source, "");
    /* row 4: all suppliers has no roll-up in the layout: china + japan, summed; a value of 0 */
    const ms_obs *e = &o->obs[3];
    assert_int_equal(e->ent[0], MS_OBS_ALL);
    assert_int_equal(e->nparts, 2);
    assert_int_equal(e->part[0].supplier, 0);
    assert_int_equal(e->part[1].supplier, 1);
    assert_int_equal(e->part[0].importer, 1);
    assert_int_equal(e->month, 11);
    assert_true(e->value == 0);
    assert_int_equal((int)strlen(o->sha256), 64);
    ms_observed_free(o);
    ms_diags_clear(&d);
    ms_scenario_free(s);
}

/* One fixture per kind of error: the kind, line, column and words of its one diagnostic. */
static void test_each_error(void **state)
{
    (void)state;
    static const struct {
        const char *file;
        ms_diag_kind kind;
        int line, col;
        const char *says;
    } cases[] = {
        {"header_field.csv", MS_D_SYNTAX, 1, 17, "header field 3 is 'importers', expected 'importer'"},
        {"header_short.csv", MS_D_SYNTAX, 1, 40, "the header has 6 fields, expected 7"},
        {"csv_quote.csv", MS_D_SYNTAX, 3, 0, "a quoted field that never ends"},
        {"csv_fields.csv", MS_D_SYNTAX, 3, 0, "6 fields, expected 7"},
        {"series_unknown.csv", MS_D_REF, 2, 1, "unknown series 'shipment' (did you mean 'shipments'?)"},
        {"series_industry.csv", MS_D_VALUE, 2, 1, "the series a backtest takes: shipments, price_index"},
        {"supplier_unknown.csv", MS_D_REF, 2, 11, "unknown supplier 'chian' (did you mean 'china'?)"},
        {"importer_unknown.csv", MS_D_REF, 2, 17, "the scenario's importers are usa, germany, or all"},
        {"product_unknown.csv", MS_D_REF, 2, 21, "unknown product 'ndfe' (did you mean 'ndfeb'?)"},
        {"dim_extra.csv", MS_D_VALUE, 2, 13, "series price_index has no supplier: leave the field empty"},
        {"dim_missing.csv", MS_D_MISSING, 2, 17, "no importer: series shipments needs one"},
        {"all_not_additive.csv", MS_D_VALUE, 2, 14, "does not add up"},
        {"month_bad.csv", MS_D_DATE, 2, 27, "month '2025-13' is not a month YYYY-MM"},
        {"month_outside.csv", MS_D_RANGE, 2, 27, "month 2026-01 is outside the scenario's horizon, 2025-01 to 2025-12"},
        {"value_text.csv", MS_D_NUMBER, 2, 35, "value '12t' is not a finite number"},
        {"value_inf.csv", MS_D_NUMBER, 2, 35, "value 'inf' is not a finite number"},
        {"value_empty.csv", MS_D_NUMBER, 2, 35, "no value"},
        {"value_negative.csv", MS_D_RANGE, 2, 35, "value -3 is negative"},
        {"duplicate.csv", MS_D_DUP_KEY, 4, 1, "duplicate row: line 2 has the same"},
        {"no_point.csv", MS_D_REF, 2, 1, "simulates no shipments for supplier 'japan', importer 'usa', product 'smco'"},
        {"empty.csv", MS_D_EMPTY, 0, 0, "empty file"},
        {"header_only.csv", MS_D_EMPTY, 1, 0, "no observations"},
        {"missing.csv", MS_D_IO, 0, 0, "cannot read"},
    };
    ms_scenario *s = fixture_scenario();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ms_diags d;
        ms_observed *o = load(s, cases[i].file, &d);
        if (o || d.nerrors != 1)
            fail_msg("%s: loaded %d, %d errors (expected 1)", cases[i].file, o != NULL, d.nerrors);
        const ms_diag *g = &d.v[0];
        if (g->kind != cases[i].kind || g->line != cases[i].line || g->column != cases[i].col ||
            !strstr(g->message, cases[i].says))
            fail_msg("%s: got %s at %d:%d \"%s\"; expected %s at %d:%d saying \"%s\"", cases[i].file,
                     ms_diag_kind_name(g->kind), g->line, g->column, g->message, ms_diag_kind_name(cases[i].kind),
                     cases[i].line, cases[i].col, cases[i].says);
        assert_non_null(strstr(g->file, cases[i].file));
        ms_diags_clear(&d);
    }
    ms_scenario_free(s);
}

/* Several errors in one file: every one reported, each at its line. */
static void test_all_errors_reported(void **state)
{
    (void)state;
    ms_scenario *s = fixture_scenario();
    ms_diags d;
    assert_null(load(s, "several.csv", &d));
    assert_int_equal(d.nerrors, 4);
    assert_non_null(ms_diags_find(&d, MS_D_REF, 2, 11));       /* supplier chna */
    assert_non_null(ms_diags_find(&d, MS_D_DATE, 3, 27));      /* month 2025-5 */
    assert_non_null(ms_diags_find(&d, MS_D_RANGE, 4, 35));     /* value -1 */
    const ms_diag *dup = ms_diags_find(&d, MS_D_DUP_KEY, 6, 1); /* the same key as line 5 */
    assert_non_null(dup);
    assert_non_null(strstr(dup->message, "line 5"));
    ms_diags_clear(&d);
    ms_scenario_free(s);
}

/* The statistics of each observation exist in an engine compiled from the scenario. */
static void test_resolve(void **state)
{
    (void)state;
    ms_scenario *s = fixture_scenario();
    ms_diags d;
    ms_observed *o = load(s, "good.csv", &d);
    assert_non_null(o);
    char err[256];
    ms_engine_opts eo = ms_engine_opts_default(s);
    ms_engine *e = ms_engine_alloc(s, &eo, err, sizeof err);
    assert_non_null(e);
    assert_int_equal(ms_observed_resolve(o, e, err, sizeof err), 0);
    for (int k = 0; k < o->n; k++)
        for (int j = 0; j < o->obs[k].nparts; j++) {
            const ms_stat_desc *g = ms_engine_desc(e, o->obs[k].stat[j]);
            const ms_stat_desc *want = &o->obs[k].part[j];
            assert_int_equal(g->is_series, 1);
            assert_int_equal(g->what, want->what);
            assert_int_equal(g->supplier, want->supplier);
            assert_int_equal(g->importer, want->importer);
            assert_int_equal(g->product, want->product);
            assert_int_equal(g->month, o->obs[k].month);
        }
    ms_engine_free(e);
    /* without series the engine has none of them: refused, naming the line */
    eo.series = 0;
    e = ms_engine_alloc(s, &eo, err, sizeof err);
    assert_non_null(e);
    assert_int_equal(ms_observed_resolve(o, e, err, sizeof err), -1);
    assert_non_null(strstr(err, "good.csv:2:"));
    ms_engine_free(e);
    ms_observed_free(o);
    ms_diags_clear(&d);
    ms_scenario_free(s);
}

int main(void)
{
    const char *src = getenv("MAGSIM_SRCDIR");
    snprintf(g_dir, sizeof g_dir, "%s/tests/fixtures/observed", src ? src : ".");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_file),
        cmocka_unit_test(test_each_error),
        cmocka_unit_test(test_all_errors_reported),
        cmocka_unit_test(test_resolve),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
