/*
 * test_report.c - the report of a real result (the default scenario, a few
 * hundred paths, written by the output module): its files, byte-identical
 * when made twice, the median lines of the shortage fan chart read back
 * through each panel's axis mapping and compared with timeseries.csv, the
 * observed points of a hand-written backtest.csv, a result without series
 * (figures left out and listed), a partial result (banner), and strings
 * from the files escaped in HTML and Markdown.
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
#include "magsim/csv.h"
#include "magsim/engine.h"
#include "magsim/outdir.h"
#include "magsim/output.h"
#include "magsim/plot.h"
#include "magsim/report.h"
#include "magsim/scenario.h"
#include "../sim/fileio.h"

typedef struct fixture {
    char tmp[64];            /* scratch directory */
    char result[128];        /* a result with series */
    char flat[128];          /* a result without series */
    char src[4096];          /* MAGSIM_SRCDIR */
} fixture;

/* Run the default scenario and write its result into dir. */
static int write_result(const fixture *fx, const char *dir, int series, uint64_t paths)
{
    char path[4200], err[256];
    snprintf(path, sizeof path, "%s/scenarios/april2025_controls.yaml", fx->src);
    ms_diags d;
    ms_diags_init(&d);
    ms_scenario *s = ms_scenario_load(path, &d);
    ms_diags_clear(&d);
    if (!s)
        return -1;
    ms_engine_opts eo = ms_engine_opts_default(s);
    eo.series = series;
    ms_engine *e = ms_engine_alloc(s, &eo, err, sizeof err);
    ms_result *r = e ? ms_result_alloc(e) : NULL;
    ms_run_opts o = {.threads = 2};
    int rc = r ? ms_engine_run(e, 0, paths, &o, r) : -1;
    ms_output_info in = {.scenario_path = "scenarios/april2025_controls.yaml", .command_line = "test",
                         .seed = s->seed, .quantiles = ms_report_quantiles, .nquantiles = ms_report_nquantiles,
                         .threads = 2};
    if (rc == 0)
        rc = ms_output_write_dir(dir, 0, e, r, &in, err, sizeof err);
    ms_result_free(r);
    ms_engine_free(e);
    ms_scenario_free(s);
    return rc;
}

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    const char *src = getenv("MAGSIM_SRCDIR");
    snprintf(fx->src, sizeof fx->src, "%s", src ? src : ".");
    strcpy(fx->tmp, "/tmp/magsim-test-report.XXXXXX");
    if (!mkdtemp(fx->tmp))
        return -1;
    snprintf(fx->result, sizeof fx->result, "%s/result", fx->tmp);
    snprintf(fx->flat, sizeof fx->flat, "%s/flat", fx->tmp);
    if (write_result(fx, fx->result, 1, 256) || write_result(fx, fx->flat, 0, 64))
        return -1;
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    ms_outdir_remove_tree(fx->tmp);
    free(fx);
    ms_plot_cleanup();
    return 0;
}

/* Write the report of src into out (committed); returns the summary. */
static ms_report_summary make_report(const char *src, const char *out)
{
    char err[4096];
    ms_outdir *d = ms_outdir_open(out, 1, err, sizeof err);
    assert_non_null(d);
    ms_report_summary s;
    int rc = ms_report_write(src, d, "", NULL, &s, err, sizeof err);
    if (rc != MS_REPORT_OK)
        fail_msg("report of %s: %s", src, err);
    assert_int_equal(ms_outdir_commit(d, err, sizeof err), MS_OUTDIR_OK);
    ms_outdir_free(d);
    return s;
}

static char *slurp(const char *dir, const char *name, size_t *len)
{
    char p[512];
    int e;
    size_t l;
    snprintf(p, sizeof p, "%s/%s", dir, name);
    char *b = ms_read_file(p, (size_t)1 << 30, &l, &e);
    if (!b)
        fail_msg("cannot read %s", p);
    if (len)
        *len = l;
    return b;
}

static void test_files_and_bytes(void **state)
{
    fixture *fx = *state;
    char a[160], b[160];
    snprintf(a, sizeof a, "%s/rep_a", fx->tmp);
    snprintf(b, sizeof b, "%s/rep_b", fx->tmp);
    ms_report_summary s = make_report(fx->result, a);
    make_report(fx->result, b);
    assert_int_equal(s.nfigures, 6);   /* shortage fan, exceedance, 2 price fans, 2 shipments */
    assert_int_equal(s.nleft_out, 0);
    static const char *const files[] = {
        "report.html", "report.md", "manifest.json", "figures/shortage_fan.svg", "figures/shortage_fan.png",
        "figures/exceedance.svg", "figures/exceedance.png", "figures/price_fan_ndfeb.svg",
        "figures/price_fan_smco.png", "figures/shipments_china_ndfeb.svg", "figures/shipments_china_smco.png"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        size_t la, lb;
        char *x = slurp(a, files[i], &la), *y = slurp(b, files[i], &lb);
        assert_true(la > 100);
        assert_int_equal(la, lb);   /* same result, same bytes */
        assert_memory_equal(x, y, la);
        if (strstr(files[i], ".png"))
            assert_memory_equal(x, "\x89PNG\r\n\x1a\n", 8);
        free(x);
        free(y);
    }
    char *html = slurp(a, "report.html", NULL);
    assert_non_null(strstr(html, "<figure class=\"fig\" data-figure=\"shortage_fan\">"));
    assert_non_null(strstr(html, "src=\"data:image/svg+xml;base64,"));
    assert_null(strstr(html, "http://"));   /* nothing to fetch: the SVGs are base64 inside */
    assert_null(strstr(html, "https://"));
    assert_null(strstr(html, "id=\"partial\""));
    assert_non_null(strstr(html, "<td>20250404</td>"));   /* provenance: the seed */
    free(html);
}

/* The panel mapping of the <g class="panel"> that holds position pos. */
typedef struct panel_map {
    double px, py, pw, ph, x0, x1, y0, y1;
} panel_map;

static panel_map panel_before(const char *svg, const char *pos)
{
    const char *g = NULL;
    for (const char *s = svg; (s = strstr(s, "<g class=\"panel\"")) && s < pos; s++)
        g = s;
    assert_non_null(g);
    panel_map m;
    assert_int_equal(sscanf(strstr(g, "data-plot=\""), "data-plot=\"%lf %lf %lf %lf", &m.px, &m.py, &m.pw, &m.ph),
                     4);
    assert_int_equal(sscanf(strstr(g, "data-domain=\""), "data-domain=\"%lf %lf %lf %lf", &m.x0, &m.x1, &m.y0, &m.y1),
                     4);
    return m;
}

/* The value of timeseries.csv at (key "series,supplier,importer,industry,product", month, stat). */
static double csv_value(const ms_csv *c, const char *key, const char *month, const char *stat)
{
    char k[512];
    for (int r = 0; r < c->nrows; r++) {
        if (strcmp(ms_csv_get(c, r, 5), month) || strcmp(ms_csv_get(c, r, 6), stat))
            continue;
        snprintf(k, sizeof k, "%s,%s,%s,%s,%s", ms_csv_get(c, r, 0), ms_csv_get(c, r, 1), ms_csv_get(c, r, 2),
                 ms_csv_get(c, r, 3), ms_csv_get(c, r, 4));
        if (!strcmp(k, key) && !strcmp(ms_csv_get(c, r, 5), month) && !strcmp(ms_csv_get(c, r, 6), stat))
            return strtod(ms_csv_get(c, r, 7), NULL);
    }
    fail_msg("timeseries.csv has no %s %s %s", key, month, stat);
    return NAN;
}

/* Every point of a median line: back through the axis mapping, against the CSV.  Returns points checked. */
static int check_line(const char *svg, const char *at, const ms_csv *ts)
{
    char key[512];
    assert_int_equal(sscanf(at, "data-key=\"%511[^\"]\"", key), 1);
    char *stat = strrchr(key, ',');
    *stat++ = '\0';
    panel_map m = panel_before(svg, at);
    const char *p = strstr(at, "points=\"") + 8;
    int n = 0;
    double x, y;
    int used;
    while (sscanf(p, "%lf,%lf%n", &x, &y, &used) == 2) {
        double month = m.x0 + (x - m.px) / m.pw * (m.x1 - m.x0);
        double value = m.y0 + (m.py + m.ph - y) / m.ph * (m.y1 - m.y0);
        long mi = lround(month);
        assert_true(fabs(month - mi) < 0.01);   /* on a month, within the 0.005 px rounding */
        char lab[48];
        snprintf(lab, sizeof lab, "%04ld-%02ld", mi / 12, mi % 12 + 1);
        double want = csv_value(ts, key, lab, stat), tol = 0.0051 / m.ph * (m.y1 - m.y0);
        if (fabs(value - want) > tol)
            fail_msg("%s %s %s: the figure shows %.9g, timeseries.csv says %.9g", key, lab, stat, value, want);
        p += used;
        n++;
        while (*p == ' ')
            p++;
    }
    return n;
}

static void test_median_matches_csv(void **state)
{
    fixture *fx = *state;
    char dir[160];
    snprintf(dir, sizeof dir, "%s/rep_a", fx->tmp);
    char *svg = slurp(dir, "figures/shortage_fan.svg", NULL), *tsb;
    size_t tl;
    tsb = slurp(fx->result, "timeseries.csv", &tl);
    char err[256];
    ms_csv *ts = ms_csv_parse("timeseries.csv", tsb, tl, err, sizeof err);
    assert_non_null(ts);
    int lines = 0, points = 0;
    for (const char *s = svg; (s = strstr(s, "<polyline")); s++) {
        const char *k = strstr(s, "data-key=\"shortage_share,");
        if (!k || k > strstr(s, "/>"))
            continue;
        points += check_line(svg, k, ts);
        lines++;
    }
    assert_int_equal(lines, 6);
    assert_int_equal(points, 6 * 24);   /* 24 months each */
    ms_csv_free(ts);
    free(tsb);
    free(svg);
}

static void copy_file(const char *from, const char *to)
{
    size_t len;
    int e;
    char *b = ms_read_file(from, 1 << 20, &len, &e);
    assert_non_null(b);
    FILE *f = fopen(to, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(b, 1, len, f), len);
    fclose(f);
    free(b);
}

static void test_backtest_points(void **state)
{
    fixture *fx = *state;
    char from[4300], to[200], out[200];
    snprintf(from, sizeof from, "%s/tests/fixtures/report/backtest.csv", fx->src);
    snprintf(to, sizeof to, "%s/backtest.csv", fx->result);
    copy_file(from, to);
    snprintf(out, sizeof out, "%s/rep_bt", fx->tmp);
    make_report(fx->result, out);
    remove(to);
    char *svg = slurp(out, "figures/shipments_china_ndfeb.svg", NULL);
    const char *g = strstr(svg, "data-key=\"backtest.csv:shipments,china,usa,ndfeb,observed\"");
    assert_non_null(g);
    panel_map m = panel_before(svg, g);
    static const double want[3] = {610, 655.5, 240};
    const char *c = g;
    for (int i = 0; i < 3; i++) {
        double cx, cy, v;
        c = strstr(c, "<circle");
        assert_non_null(c);
        assert_int_equal(sscanf(c, "<circle cx=\"%lf\" cy=\"%lf\"", &cx, &cy), 2);
        assert_int_equal(sscanf(strstr(c, "data-value=\""), "data-value=\"%lf", &v), 1);
        assert_true(v == want[i]);
        double y = m.y0 + (m.py + m.ph - cy) / m.ph * (m.y1 - m.y0);
        assert_true(fabs(y - want[i]) <= 0.0051 / m.ph * (m.y1 - m.y0));
        assert_true(fabs(m.x0 + (cx - m.px) / m.pw * (m.x1 - m.x0) - (2025 * 12 + i)) < 0.01);
        c++;
    }
    assert_non_null(strstr(svg, "data-key=\"backtest.csv:shipments,china,all,ndfeb,observed\""));
    assert_null(strstr(svg, "nobody"));   /* a supplier not in the result: ignored */
    assert_non_null(strstr(svg, "observed (backtest.csv)"));   /* legend */
    free(svg);
    char *none = slurp(out, "figures/shipments_china_smco.svg", NULL);
    assert_null(strstr(none, "observed"));   /* no smco rows: no points, no legend entry */
    free(none);
    /* the backtest figure: every row of backtest.csv, its dot back through the axis mapping */
    char *bt = slurp(out, "figures/backtest.svg", NULL);
    const char *d = strstr(bt, "data-key=\"backtest.csv:shipments,china,usa,ndfeb,2025-02,observed\"");
    assert_non_null(d);
    panel_map bm = panel_before(bt, d);
    double cx, cy;
    const char *circ = strstr(d, "<circle");
    assert_non_null(circ);
    assert_int_equal(sscanf(circ, "<circle cx=\"%lf\" cy=\"%lf\"", &cx, &cy), 2);
    assert_true(fabs(bm.y0 + (bm.py + bm.ph - cy) / bm.ph * (bm.y1 - bm.y0) - 655.5) <= 0.0051 / bm.ph * (bm.y1 - bm.y0));
    assert_true(fabs(bm.x0 + (cx - bm.px) / bm.pw * (bm.x1 - bm.x0) - (2025 * 12 + 1)) < 0.01);
    assert_non_null(strstr(bt, "data-key=\"backtest.csv:shipments,china,usa,ndfeb,2025-03,sim_q05-sim_q95\""));
    assert_non_null(strstr(bt, "data-key=\"backtest.csv:shipments,nobody,usa,ndfeb,2025-01,observed\""));
    free(bt);
    char *md = slurp(out, "report.md", NULL);
    assert_non_null(strstr(md, "The 90% band covers 5 of the 5 observations"));
    free(md);
}

static void test_no_series(void **state)
{
    fixture *fx = *state;
    char out[200];
    snprintf(out, sizeof out, "%s/rep_flat", fx->tmp);
    ms_report_summary s = make_report(fx->flat, out);
    assert_int_equal(s.nfigures, 1);   /* the exceedance curves read summary.csv only */
    assert_int_equal(s.nleft_out, 3);
    char *html = slurp(out, "report.html", NULL), *md = slurp(out, "report.md", NULL);
    assert_non_null(strstr(html, "id=\"no-series\""));
    assert_non_null(strstr(html, "<li><b>Shortage share of the most exposed industries</b>: the result has no "
                                 "monthly series"));
    assert_non_null(strstr(html, "<li><b>Price index per importer</b>"));
    assert_non_null(strstr(html, "data-figure=\"exceedance\""));
    assert_null(strstr(html, "data-figure=\"shortage_fan\""));
    assert_non_null(strstr(md, "## Figures left out"));
    free(html);
    free(md);
}

/* Replace the first `from` in DIR/manifest.json by `to`. */
static void edit_manifest(const char *dir, const char *from, const char *to)
{
    size_t len;
    char *b = slurp(dir, "manifest.json", &len), p[256];
    char *at = strstr(b, from);
    assert_non_null(at);
    snprintf(p, sizeof p, "%s/manifest.json", dir);
    FILE *f = fopen(p, "wb");
    assert_non_null(f);
    fwrite(b, 1, (size_t)(at - b), f);
    fputs(to, f);
    fputs(at + strlen(from), f);
    fclose(f);
    free(b);
}

static void test_partial_and_escaping(void **state)
{
    fixture *fx = *state;
    char out[200];
    edit_manifest(fx->flat, "\"partial\": false", "\"partial\": true");
    edit_manifest(fx->flat, "\"paths_done\": 64", "\"paths_done\": 40");
    edit_manifest(fx->flat, "\"name\": \"April 2025 licensing of heavy-rare-earth magnets\"",
                  "\"name\": \"<b>\\\"x\\\" & 'y'</b> | *z*\"");
    snprintf(out, sizeof out, "%s/rep_partial", fx->tmp);
    ms_report_summary s = make_report(fx->flat, out);
    assert_int_equal(s.partial, 1);
    char *html = slurp(out, "report.html", NULL), *md = slurp(out, "report.md", NULL);
    assert_non_null(strstr(html, "<div class=\"banner\" id=\"partial\" role=\"alert\">Partial result: the run was "
                                 "interrupted and holds 40 of the 64 paths requested."));
    assert_non_null(strstr(html, "<h1>&lt;b&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/b&gt; | *z*</h1>"));
    assert_null(strstr(html, "<b>\"x\""));
    assert_non_null(strstr(md, "# &lt;b&gt;\"x\" &amp; 'y'&lt;/b&gt; \\| \\*z\\*\n"));
    assert_non_null(strstr(md, "> **Partial result: the run was interrupted and holds 40 of the 64 paths"));
    free(html);
    free(md);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_files_and_bytes),
        cmocka_unit_test(test_median_matches_csv),
        cmocka_unit_test(test_backtest_points),
        cmocka_unit_test(test_no_series),
        cmocka_unit_test(test_partial_and_escaping),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
