/*
 * test_readers.c - the readers and formatters the report is built on: the
 * CSV reader (quoting, CRLF, located errors), the JSON reader (escapes,
 * exact number text, located errors, depth limit), the chart's axis ranges
 * and tick labels, and the result directory's checks (not a result, another
 * format or version: every problem reported, saying what was found).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>
#include "magsim/chart.h"
#include "magsim/csv.h"
#include "magsim/json.h"
#include "magsim/outdir.h"
#include "magsim/resultdir.h"

static void test_csv_fields(void **state)
{
    (void)state;
    static const char text[] = "a,b,c\r\n1,\"x,y\",\"say \"\"hi\"\"\"\n,\"two\nlines\",3";
    char err[256];
    ms_csv *c = ms_csv_parse("t.csv", text, sizeof text - 1, err, sizeof err);
    assert_non_null(c);
    assert_int_equal(c->ncols, 3);
    assert_int_equal(c->nrows, 2);
    assert_int_equal(ms_csv_col(c, "c"), 2);
    assert_int_equal(ms_csv_col(c, "d"), -1);
    assert_string_equal(ms_csv_get(c, 0, 0), "1");
    assert_string_equal(ms_csv_get(c, 0, 1), "x,y");
    assert_string_equal(ms_csv_get(c, 0, 2), "say \"hi\"");
    assert_string_equal(ms_csv_get(c, 1, 0), "");
    assert_string_equal(ms_csv_get(c, 1, 1), "two\nlines");
    assert_string_equal(ms_csv_get(c, 1, 2), "3");
    assert_int_equal(c->line[2], 3);
    double x;
    assert_int_equal(ms_csv_num("0.05", &x), 0);
    assert_true(x == 0.05);
    assert_int_equal(ms_csv_num("", &x), 0);
    assert_true(x != x);   /* NaN */
    assert_int_equal(ms_csv_num("1e999", &x), -1);
    assert_int_equal(ms_csv_num("5%", &x), -1);
    ms_csv_free(c);
}

static void test_csv_errors(void **state)
{
    (void)state;
    static const struct { const char *text, *msg; } bad[] = {
        {"a,b\n1,2\n3\n", "t.csv:3: 1 fields, expected 2"},
        {"a,b\n1,\"2\n", "t.csv:2: a quoted field that never ends"},
        {"a,b\n1,x\"y\n", "t.csv:2: a quote inside an unquoted field"},
        {"a,b\n1,\"x\"y\n", "t.csv:2: text after the closing quote"},
        {"", "t.csv: empty file"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char err[256] = "";
        assert_null(ms_csv_parse("t.csv", bad[i].text, strlen(bad[i].text), err, sizeof err));
        if (!strstr(err, bad[i].msg))
            fail_msg("case %zu: \"%s\" does not say \"%s\"", i, err, bad[i].msg);
    }
}

static void test_json(void **state)
{
    (void)state;
    static const char doc[] = "{\"a\": [1, -2.5e3, true, null], \"s\": \"\\u00e9\\ud83d\\ude00\\n\\\"\","
                              " \"seed\": 18446744073709551615, \"o\": {\"k\": false}}";
    char err[256];
    ms_json *j = ms_json_parse("m.json", doc, sizeof doc - 1, err, sizeof err);
    assert_non_null(j);
    const ms_json *a = ms_json_get(j, "a");
    assert_non_null(a);
    assert_int_equal(a->type, MS_JSON_ARRAY);
    assert_int_equal(a->n, 4);
    assert_true(a->child->next->num == -2500);
    assert_int_equal(a->child->next->next->type, MS_JSON_TRUE);
    assert_string_equal(ms_json_str(j, "s"), "\xc3\xa9\xf0\x9f\x98\x80\n\"");
    assert_string_equal(ms_json_get(j, "seed")->str, "18446744073709551615");
    assert_int_equal(ms_json_bool(ms_json_get(j, "o"), "k"), 0);
    assert_int_equal(ms_json_bool(j, "a"), -1);
    assert_null(ms_json_get(j, "missing"));
    ms_json_free(j);
}

static void test_json_errors(void **state)
{
    (void)state;
    static const struct { const char *text, *msg; } bad[] = {
        {"{\"a\": 1,\n \"b\" 2}", "m.json:2:6: expected ':'"},
        {"[1, 2", "m.json:1:6: expected ',' or ']'"},
        {"{\"a\": 01}", "m.json:1:8: expected ',' or '}'"},
        {"{\"a\": 1.}", "m.json:1:7: a malformed number"},
        {"\"\\ud800\"", "a bad escape"},
        {"{} x", "m.json:1:4: text after the end"},
        {"", "expected a JSON value"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char err[256] = "";
        assert_null(ms_json_parse("m.json", bad[i].text, strlen(bad[i].text), err, sizeof err));
        if (!strstr(err, bad[i].msg))
            fail_msg("case %zu: \"%s\" does not say \"%s\"", i, err, bad[i].msg);
    }
    char deep[200];
    memset(deep, '[', sizeof deep);
    char err[256] = "";
    assert_null(ms_json_parse("m.json", deep, sizeof deep, err, sizeof err));
    assert_non_null(strstr(err, "nested deeper than 64"));
}

static void test_axis(void **state)
{
    (void)state;
    double a, b, s;
    ms_chart_nice_range(0, 0.13, 3, &a, &b, &s);
    assert_true(a == 0 && s == 0.05 && fabs(b - 0.15) < 1e-12);
    ms_chart_nice_range(1, 4.3, 4, &a, &b, &s);
    assert_true(a == 1 && s == 1 && b == 5);
    ms_chart_nice_range(0, 0, 4, &a, &b, &s);   /* flat: [0, 1] */
    assert_true(a == 0 && b == 1);
    char buf[32];
    ms_chart_tick_label(0.05, 0.05, MS_AXIS_PERCENT, buf, sizeof buf);
    assert_string_equal(buf, "5%");
    ms_chart_tick_label(0.025, 0.005, MS_AXIS_PERCENT, buf, sizeof buf);
    assert_string_equal(buf, "2.5%");
    ms_chart_tick_label(1234567, 1000, MS_AXIS_NUMBER, buf, sizeof buf);
    assert_string_equal(buf, "1,234,567");
    ms_chart_tick_label(-1500, 500, MS_AXIS_NUMBER, buf, sizeof buf);
    assert_string_equal(buf, "-1,500");
    ms_chart_tick_label(1.5, 0.5, MS_AXIS_NUMBER, buf, sizeof buf);
    assert_string_equal(buf, "1.5");
    ms_chart_tick_label(2025 * 12 + 6, 3, MS_AXIS_MONTH, buf, sizeof buf);
    assert_string_equal(buf, "2025-07");
    assert_int_equal(ms_resultdir_parse_month("2025-07"), 2025 * 12 + 6);
    assert_int_equal(ms_resultdir_parse_month("2025-13"), -1);
    assert_int_equal(ms_resultdir_parse_month("2025-7"), -1);
}

static void put(const char *dir, const char *name, const char *text)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

#define TS_HDR "series,supplier,importer,industry,product,month,stat,value\n"
#define SUM_HDR "metric,importer,industry,product,mean,sd,se,q50,p_pos,cvar95\n"

static void expect_load_error(const char *dir, const char *const *msgs)
{
    char err[4096];
    int invalid = 0;
    ms_resultdir *rd = ms_resultdir_load(dir, err, sizeof err, &invalid);
    assert_null(rd);
    assert_int_equal(invalid, 1);
    for (int i = 0; msgs[i]; i++)
        if (!strstr(err, msgs[i]))
            fail_msg("\"%s\" does not say \"%s\"", err, msgs[i]);
}

static void test_not_a_result(void **state)
{
    (void)state;
    char dir[] = "/tmp/magsim-test-readers.XXXXXX";
    assert_non_null(mkdtemp(dir));
    /* an empty directory: every missing file is named */
    const char *const m1[] = {"manifest.json: missing", "summary.csv: missing", "timeseries.csv: missing", NULL};
    expect_load_error(dir, m1);
    /* a report directory, another format version, a malformed row */
    put(dir, "manifest.json", "{\"format\": \"magsim-report\", \"format_version\": 1}");
    put(dir, "summary.csv", SUM_HDR);
    put(dir, "timeseries.csv", TS_HDR "price_index,,usa,,ndfeb,2025-1,q50,1\n");
    const char *const m2[] = {"\"format\" is \"magsim-report\", expected \"magsim-manifest\" (this is a report",
                              "timeseries.csv:2: month \"2025-1\" is not YYYY-MM", NULL};
    expect_load_error(dir, m2);
    /* a result of another version */
    put(dir, "manifest.json", "{\"format\": \"magsim-manifest\", \"format_version\": 1, \"magsim_version\": \"7.3.0\","
                              " \"scenario\": {\"name\": \"x\"}, \"seed\": 1, \"paths_requested\": 10, "
                              "\"paths_done\": 10, \"partial\": false, \"series\": true}");
    put(dir, "timeseries.csv", TS_HDR "price_index,,usa,,ndfeb,2025-01,q50,1\n");
    const char *const m3[] = {"written by magsim 7.3.0; this magsim", NULL};
    expect_load_error(dir, m3);
    put(dir, "manifest.json", "{\"format\": \"magsim-manifest\", \"format_version\": 1, "
                              "\"magsim_version\": \"99999999999999999999.1.0\"}");
    const char *const m5[] = {"\"magsim_version\" is 99999999999999999999.1.0, expected a version such as", NULL};
    expect_load_error(dir, m5);
    put(dir, "manifest.json", "{\"format\": \"magsim-manifest\", \"format_version\": 2}");
    const char *const m4[] = {"\"format_version\" is 2, expected 1", NULL};
    expect_load_error(dir, m4);
    ms_outdir_remove_tree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_fields),
        cmocka_unit_test(test_csv_errors),
        cmocka_unit_test(test_json),
        cmocka_unit_test(test_json_errors),
        cmocka_unit_test(test_axis),
        cmocka_unit_test(test_not_a_result),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
