/*
 * report_figs.c - the report's figures: one draw function per row of the
 * figure table (sim/report.c).
 *
 * Each reads the result through the resultdir queries (summary.csv rows by
 * key, timeseries.csv series by key), picks what to show, and lays it out
 * with the chart module.  Fan charts share one routine (fan_grid): small
 * multiples of median, 50% band (q25-q75) and 90% band (q05-q95), with
 * observed points when a backtest supplied them.  A band whose quantiles the
 * result lacks is not drawn and the caption says so.  Every median line
 * carries data-key = the timeseries.csv key and statistic it was drawn
 * from, so a test can read it back against the file.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "magsim/chart.h"
#include "magsim/output.h"
#include "report_int.h"

#define FIG_W 960.0          /* figure width, px */
#define MAX_PANELS 12        /* small multiples per figure */
#define TOP_CELLS 6          /* industries in the shortage fan chart */

/* ---- numbers as text --------------------------------------------------------- */

void rp_fmt_pct(char *buf, size_t len, double x)
{
    if (!isfinite(x))
        snprintf(buf, len, "n/a");
    else if (x == 0)
        snprintf(buf, len, "0%%");
    else if (fabs(x) < 1e-4)
        snprintf(buf, len, "%s0.01%%", x < 0 ? ">-" : "<");
    else if (fabs(x) >= 9.995)
        snprintf(buf, len, "%.0f%%", x * 100);
    else
        snprintf(buf, len, "%.3g%%", x * 100);
}

void rp_fmt_num(char *buf, size_t len, double x)
{
    if (!isfinite(x))
        snprintf(buf, len, "n/a");
    else if (fabs(x) >= 999.5)
        ms_chart_tick_label(round(x), 1, MS_AXIS_NUMBER, buf, len);
    else
        snprintf(buf, len, "%.3g", x);
}

/* ---- what the result holds ------------------------------------------------------ */

/* Statistic columns of a fan: -1 where the result lacks them. */
typedef struct fan_stats {
    int q05, q25, q50, q75, q95;
} fan_stats;

static int stat_of(const ms_resultdir *rd, double level)
{
    char n[24];
    ms_output_qname(level, n, sizeof n);
    return ms_resultdir_stat(rd, n);
}

static fan_stats fan_stats_of(const ms_resultdir *rd)
{
    fan_stats f = {stat_of(rd, 0.05), stat_of(rd, 0.25), stat_of(rd, 0.5), stat_of(rd, 0.75), stat_of(rd, 0.95)};
    return f;
}

/* The caption's sentence on bands the result lacks ("" when none). */
static const char *missing_bands(const fan_stats *f)
{
    if (f->q05 >= 0 && f->q95 >= 0 && f->q25 >= 0 && f->q75 >= 0)
        return "";
    if (f->q25 < 0 || f->q75 < 0)
        return f->q05 < 0 || f->q95 < 0 ? " The result has neither q25/q75 nor q05/q95: no bands are drawn."
                                        : " The result has no q25/q75 quantiles: the 50% band is not drawn "
                                          "(run with --report or --quantiles 0.05,0.25,0.5,0.75,0.95).";
    return " The result has no q05/q95 quantiles: the 90% band is not drawn.";
}

static const double *col(const ms_rseries *s, int stat)
{
    return stat >= 0 ? s->v + (size_t)stat * (size_t)s->nmonths : NULL;
}

/* Names of a dimension in summary.csv order: distinct values of column k
 * over rows of `metric` whose other key columns pass the filter. */
typedef struct name_list {
    const char *v[256];  /* names, in order of first appearance */
    int n;
} name_list;

static void add_name(name_list *l, const char *s)
{
    for (int i = 0; i < l->n; i++)
        if (!strcmp(l->v[i], s))
            return;
    if (l->n < 256)
        l->v[l->n++] = s;
}

/* Importers (not "all") of the shortage metrics, in the engine's order. */
static void importers_of(const ms_resultdir *rd, name_list *l)
{
    l->n = 0;
    for (int r = 0; r < rd->summary->nrows; r++)
        if (!strcmp(ms_csv_get(rd->summary, r, 0), "shortage_share") &&
            strcmp(ms_csv_get(rd->summary, r, 1), "all"))
            add_name(l, ms_csv_get(rd->summary, r, 1));
}

/* Products of the price metrics. */
static void products_of(const ms_resultdir *rd, name_list *l)
{
    l->n = 0;
    for (int r = 0; r < rd->summary->nrows; r++)
        if (!strcmp(ms_csv_get(rd->summary, r, 0), "peak_price_shock"))
            add_name(l, ms_csv_get(rd->summary, r, 3));
}

/* ---- fan grids ---------------------------------------------------------------------- */

/* One panel of a fan grid. */
typedef struct fan_panel {
    const ms_rseries *s;     /* the series */
    char title[160];         /* panel title */
    double ox[512], oy[512]; /* observed points (month, value) */
    int nobs;
} fan_panel;

/* How a fan grid looks. */
typedef struct fan_look {
    const char *title, *subtitle, *note;   /* figure texts */
    const char *ylabel;      /* y axis title */
    ms_axis_fmt yfmt;        /* y tick format */
    int shared_y;            /* 1: one y scale for all panels */
    int zero_based;          /* 1: y starts at 0 */
    int ncols;               /* panels per row */
    double cell_h;           /* height of a panel's cell, px */
} fan_look;

static void panel_range(const ms_resultdir *rd, const fan_panel *fp, const fan_stats *f, double *lo, double *hi)
{
    const int st[3] = {f->q05 >= 0 ? f->q05 : f->q50, f->q50, f->q95 >= 0 ? f->q95 : f->q50};
    for (int k = 0; k < 3; k++) {
        const double *v = col(fp->s, st[k]);
        for (int m = 0; v && m < fp->s->nmonths; m++)
            if (isfinite(v[m])) {
                *lo = v[m] < *lo ? v[m] : *lo;
                *hi = v[m] > *hi ? v[m] : *hi;
            }
    }
    for (int i = 0; i < fp->nobs; i++) {
        *lo = fp->oy[i] < *lo ? fp->oy[i] : *lo;
        *hi = fp->oy[i] > *hi ? fp->oy[i] : *hi;
    }
    (void)rd;
}

/* The key of a series and statistic, as data-key. */
static void series_key(const ms_rseries *s, const char *stat, char *buf, size_t len)
{
    snprintf(buf, len, "%s,%s,%s,%s,%s,%s", s->key[0], s->key[1], s->key[2], s->key[3], s->key[4], stat);
}

static void draw_fan(ms_plot *p, const ms_chart_panel *pn, const ms_resultdir *rd, const fan_panel *fp,
                     const fan_stats *f)
{
    const ms_rseries *s = fp->s;
    double *x = malloc((size_t)(s->nmonths > 0 ? s->nmonths : 1) * sizeof *x);
    if (!x)
        return;
    for (int m = 0; m < s->nmonths; m++)
        x[m] = s->month0 + m;
    char key[512];
    if (f->q05 >= 0 && f->q95 >= 0) {
        series_key(s, "q05-q95", key, sizeof key);
        ms_chart_band(p, pn, s->nmonths, x, col(s, f->q05), col(s, f->q95), MS_C_BLUE, 0.16, key);
    }
    if (f->q25 >= 0 && f->q75 >= 0) {
        series_key(s, "q25-q75", key, sizeof key);
        ms_chart_band(p, pn, s->nmonths, x, col(s, f->q25), col(s, f->q75), MS_C_BLUE, 0.32, key);
    }
    if (f->q50 >= 0) {
        series_key(s, rd->stat[f->q50], key, sizeof key);
        ms_chart_line(p, pn, s->nmonths, x, col(s, f->q50), MS_C_BLUE, 2.2, 0, key);
    }
    if (fp->nobs > 0) {
        snprintf(key, sizeof key, "backtest.csv:%s,%s,%s,%s,observed", s->key[0], s->key[1], s->key[2], s->key[4]);
        ms_chart_points(p, pn, fp->nobs, fp->ox, fp->oy, MS_C_VERMILION, 3.6, key);
    }
    free(x);
}

static void fan_legend(ms_plot *p, double y, const fan_stats *f, int observed)
{
    ms_legend_entry e[4];
    int n = 0;
    if (f->q50 >= 0)
        e[n++] = (ms_legend_entry){"median", MS_LEGEND_LINE, MS_C_BLUE, 1};
    if (f->q25 >= 0 && f->q75 >= 0)
        e[n++] = (ms_legend_entry){"50% of paths (q25-q75)", MS_LEGEND_BAND, MS_C_BLUE, 0.32 + 0.16};
    if (f->q05 >= 0 && f->q95 >= 0)
        e[n++] = (ms_legend_entry){"90% of paths (q05-q95)", MS_LEGEND_BAND, MS_C_BLUE, 0.16};
    if (observed)
        e[n++] = (ms_legend_entry){"observed (backtest.csv)", MS_LEGEND_POINT, MS_C_VERMILION, 1};
    ms_chart_legend(p, 16, y, e, n);
}

/* Small multiples of fans; NULL when out of memory. */
static ms_plot *fan_grid(const ms_resultdir *rd, const fan_look *lk, fan_panel *fp, int n)
{
    fan_stats f = fan_stats_of(rd);
    int nrows = (n + lk->ncols - 1) / lk->ncols, nobs = 0;
    double top = 0, x0 = 1e18, x1 = -1e18, glo = INFINITY, ghi = -INFINITY;
    for (int i = 0; i < n; i++) {
        x0 = fmin(x0, fp[i].s->month0);
        x1 = fmax(x1, fp[i].s->month0 + fp[i].s->nmonths - 1);
        panel_range(rd, &fp[i], &f, &glo, &ghi);
        nobs += fp[i].nobs;
    }
    double H = 96 + nrows * lk->cell_h + 34;
    ms_plot *p = ms_plot_alloc(FIG_W, H, lk->title, lk->subtitle);
    if (!p)
        return NULL;
    top = ms_chart_title(p, lk->title, lk->subtitle);
    fan_legend(p, top + 12, &f, nobs > 0);
    for (int i = 0; i < n; i++) {
        int r = i / lk->ncols, c = i % lk->ncols;
        ms_chart_panel pn = {.x0 = x0, .x1 = x1 > x0 ? x1 : x0 + 1, .xfmt = MS_AXIS_MONTH, .yfmt = lk->yfmt};
        ms_chart_grid_cell(0, top + 24, FIG_W, nrows * lk->cell_h, nrows, lk->ncols, r, c, 72, 30, 24, &pn);
        double lo = glo, hi = ghi, step;
        if (!lk->shared_y) {
            lo = INFINITY, hi = -INFINITY;
            panel_range(rd, &fp[i], &f, &lo, &hi);
        }
        if (lk->zero_based || (lo > 0 && lo < 0.5 * hi))
            lo = fmin(lo, 0);
        ms_chart_nice_range(lo, hi, 4, &pn.y0, &pn.y1, &step);
        int bottom = i + lk->ncols >= n;
        ms_chart_axes(p, &pn, fp[i].title, NULL, c == 0 ? lk->ylabel : NULL, bottom, !lk->shared_y || c == 0);
        draw_fan(p, &pn, rd, &fp[i], &f);
        ms_chart_panel_end(p);
    }
    ms_chart_note(p, lk->note);
    return p;
}

void rp_source_note(const ms_resultdir *rd, const char *files, char *buf, size_t len)
{
    char paths[32];
    rp_fmt_num(paths, sizeof paths, rd->paths_done);
    snprintf(buf, len, "Source: magsim %s, %s paths, seed %s%s; %s.", rd->version ? rd->version : "?", paths,
             rd->seed ? rd->seed : "?", rd->partial ? " (PARTIAL result)" : "", files);
}

/* ---- shortage share: the most exposed industries ------------------------------------ */

int rp_draw_shortage_fan(rp_ctx *c, const rp_kind *k)
{
    const ms_resultdir *rd = c->rd;
    int rows[TOP_CELLS], n = 0;
    double best[TOP_CELLS];
    /* the TOP_CELLS importer x industry cells with the largest mean shortage share */
    for (int r = 0; r < rd->summary->nrows; r++) {
        const char *imp = ms_csv_get(rd->summary, r, 1), *ind = ms_csv_get(rd->summary, r, 2);
        if (strcmp(ms_csv_get(rd->summary, r, 0), "shortage_share") || !strcmp(imp, "all") ||
            !strcmp(ind, "all") || !*ind)
            continue;
        double m = ms_resultdir_value(rd, r, "mean");
        if (!(m > 0) || !ms_resultdir_series(rd, "shortage_share", "", imp, ind, ""))
            continue;
        int pos = n < TOP_CELLS ? n++ : TOP_CELLS;
        while (pos > 0 && best[pos - 1] < m) {
            if (pos < TOP_CELLS)
                rows[pos] = rows[pos - 1], best[pos] = best[pos - 1];
            pos--;
        }
        if (pos < TOP_CELLS)
            rows[pos] = r, best[pos] = m;
    }
    if (n == 0) {
        rp_left_out(c, k->title, "no importer x industry has a shortage on any path (summary.csv: shortage_share "
                                 "mean is 0 everywhere)");
        return 0;
    }
    fan_panel *fp = calloc((size_t)n, sizeof *fp);
    if (!fp)
        return -1;
    for (int i = 0; i < n; i++) {
        const char *imp = ms_csv_get(rd->summary, rows[i], 1), *ind = ms_csv_get(rd->summary, rows[i], 2);
        fp[i].s = ms_resultdir_series(rd, "shortage_share", "", imp, ind, "");
        snprintf(fp[i].title, sizeof fp[i].title, "%s: %s", imp, ind);
    }
    char note[512], caption[1024];
    rp_source_note(rd, "timeseries.csv series shortage_share; ranking by summary.csv shortage_share mean", note,
                sizeof note);
    fan_stats f = fan_stats_of(rd);
    fan_look lk = {.title = "Shortage share of the most exposed industries",
                   .subtitle = "Monthly shortage as a share of demand, over Monte Carlo paths; the importer x "
                               "industry cells with the largest mean shortage share",
                   .note = note, .ylabel = "shortage / demand", .yfmt = MS_AXIS_PERCENT, .shared_y = 1,
                   .zero_based = 1, .ncols = 3, .cell_h = 200};
    ms_plot *p = fan_grid(rd, &lk, fp, n);
    snprintf(caption, sizeof caption,
             "Monthly shortage share (shortage / demand) of the %d importer x industry cells with the largest mean "
             "shortage share over the horizon (summary.csv, metric shortage_share, column mean). Line: median "
             "(q50); bands: 50%% (q25 to q75) and 90%% (q05 to q95) of paths, month by month (timeseries.csv, "
             "series shortage_share). All panels share one scale.%s",
             n, missing_bands(&f));
    free(fp);
    return p ? rp_add_figure(c, p, k->id, k->title, caption) : -1;
}

/* ---- price index per importer --------------------------------------------------------- */

/* Observed points of a series from backtest.csv. */
static void observed_points(const ms_resultdir *rd, const ms_rseries *s, fan_panel *fp)
{
    const ms_csv *b = rd->backtest;
    fp->nobs = 0;
    if (!b)
        return;
    int cs = ms_csv_col(b, "series"), cu = ms_csv_col(b, "supplier"), ci = ms_csv_col(b, "importer"),
        cp = ms_csv_col(b, "product"), cm = ms_csv_col(b, "month"), co = ms_csv_col(b, "observed");
    for (int r = 0; r < b->nrows && fp->nobs < 512; r++) {
        double v;
        if (strcmp(ms_csv_get(b, r, cs), s->key[0]) || strcmp(ms_csv_get(b, r, cu), s->key[1]) ||
            strcmp(ms_csv_get(b, r, ci), s->key[2]) || strcmp(ms_csv_get(b, r, cp), s->key[4]) ||
            ms_csv_num(ms_csv_get(b, r, co), &v) || !isfinite(v))
            continue;
        fp->ox[fp->nobs] = ms_resultdir_parse_month(ms_csv_get(b, r, cm));
        fp->oy[fp->nobs++] = v;
    }
}

/* One panel per importer that has the series (key: series, supplier,
 * product), after a panel for "all" when with_all; at most MAX_PANELS, the
 * rest counted in *skipped.  Observed points come from backtest.csv.
 * Returns the number of panels. */
static int importer_panels(const ms_resultdir *rd, const char *series, const char *sup, const char *prod,
                           int with_all, fan_panel *fp, int *skipped)
{
    name_list imps;
    importers_of(rd, &imps);
    int n = 0;
    *skipped = 0;
    for (int i = with_all ? -1 : 0; i < imps.n; i++) {
        const char *imp = i < 0 ? "all" : imps.v[i];
        const ms_rseries *s = ms_resultdir_series(rd, series, sup, imp, "", prod);
        if (!s)
            continue;
        if (n == MAX_PANELS) {
            (*skipped)++;
            continue;
        }
        fp[n].s = s;
        snprintf(fp[n].title, sizeof fp[n].title, "%s", i < 0 ? "all destinations" : imp);
        observed_points(rd, s, &fp[n]);
        n++;
    }
    return n;
}

static int price_fan_for(rp_ctx *c, const rp_kind *k, const char *prod)
{
    const ms_resultdir *rd = c->rd;
    fan_panel *fp = calloc(MAX_PANELS, sizeof *fp);
    if (!fp)
        return -1;
    int skipped, n = importer_panels(rd, "price_index", "", prod, 0, fp, &skipped), rc = 0;
    char title[256], name[160], note[512], caption[1024], more[128] = "";
    snprintf(title, sizeof title, "Price index per importer: %s", prod);
    if (n == 0) {
        rp_left_out(c, title, "timeseries.csv has no price_index series for product %s", prod);
        free(fp);
        return 0;
    }
    if (skipped)
        snprintf(more, sizeof more, " %d more importers are not shown (at most %d panels).", skipped, MAX_PANELS);
    snprintf(name, sizeof name, "%s_%s", k->id, prod);
    rp_source_note(rd, "timeseries.csv series price_index", note, sizeof note);
    fan_stats f = fan_stats_of(rd);
    fan_look lk = {.title = title,
                   .subtitle = "Landed price index (1 = the baseline price) by month, over Monte Carlo paths",
                   .note = note, .ylabel = "price index", .yfmt = MS_AXIS_NUMBER, .shared_y = 1,
                   .zero_based = 0, .ncols = 4, .cell_h = 170};
    ms_plot *p = fan_grid(rd, &lk, fp, n);
    snprintf(caption, sizeof caption,
             "Landed price index of %s per importer (1 = baseline; 1.5 = 50%% above it). Line: median (q50); "
             "bands: 50%% (q25 to q75) and 90%% (q05 to q95) of paths, month by month (timeseries.csv, series "
             "price_index). All panels share one scale.%s%s",
             prod, more, missing_bands(&f));
    rc = p ? rp_add_figure(c, p, name, title, caption) : -1;
    free(fp);
    return rc;
}

int rp_draw_price_fan(rp_ctx *c, const rp_kind *k)
{
    name_list prods;
    products_of(c->rd, &prods);
    if (prods.n == 0)
        rp_left_out(c, k->title, "summary.csv has no price metrics (peak_price_shock)");
    for (int i = 0; i < prods.n; i++)
        if (price_fan_for(c, k, prods.v[i]))
            return -1;
    return 0;
}

/* ---- exceedance curves ------------------------------------------------------------------ */

/* The quantile columns of summary.csv: level and name, ascending. */
typedef struct qcols {
    double level[32];
    const char *name[32];
    int n;
} qcols;

static void qcols_of(const ms_resultdir *rd, qcols *q)
{
    q->n = 0;
    for (int k = 7; k < rd->summary->ncols - 2 && q->n < 32; k++) {
        const char *nm = rd->summary->cell[k];
        char *end;
        double pct = nm[0] == 'q' ? strtod(nm + 1, &end) : NAN;
        if (nm[0] != 'q' || *end || !(pct > 0 && pct < 100))
            continue;
        q->level[q->n] = pct / 100;
        q->name[q->n++] = nm;
    }
}

/* The exceedance points of one importer: (0, p_pos), then (q_l, 1 - l) for
 * quantiles above 0.  Returns the number of points. */
static int exceedance_points(const ms_resultdir *rd, int row, const qcols *q, double *x, double *y)
{
    int n = 0;
    double p0 = ms_resultdir_value(rd, row, "p_pos");
    if (isfinite(p0)) {
        x[n] = 0;
        y[n++] = p0;
    }
    for (int k = 0; k < q->n; k++) {
        double v = ms_resultdir_value(rd, row, q->name[k]);
        if (isfinite(v) && v > 0) {
            x[n] = v;
            y[n++] = 1 - q->level[k];
        }
    }
    return n;
}

static void exceedance_panel(ms_plot *p, const ms_chart_panel *pn, const char *imp, const double *x,
                             const double *y, int n, double ppos, int show_x, int show_y)
{
    char pp[64], key[256];
    ms_plot_font fa = {.size = MS_CHART_LABEL, .colour = MS_C_TEXT, .anchor = MS_PLOT_END};
    ms_chart_axes(p, pn, imp, NULL, show_y ? "P(share > x)" : NULL, show_x, show_y);
    snprintf(pp, sizeof pp, "P(short) ");
    rp_fmt_pct(pp + strlen(pp), sizeof pp - strlen(pp), ppos);
    ms_plot_text(p, pn->px + pn->pw - 4, pn->py + 14, pp, &fa);
    snprintf(key, sizeof key, "summary.csv:shortage_share,%s,all,,exceedance", imp);
    ms_chart_line(p, pn, n, x, y, MS_C_VERMILION, 2.2, 0, key);
    ms_chart_points(p, pn, n, x, y, MS_C_VERMILION, 3.2, NULL);
    ms_chart_panel_end(p);
}

int rp_draw_exceedance(rp_ctx *c, const rp_kind *k)
{
    const ms_resultdir *rd = c->rd;
    name_list imps;
    qcols q;
    importers_of(rd, &imps);
    qcols_of(rd, &q);
    if (imps.n == 0 || q.n == 0) {
        rp_left_out(c, k->title, "summary.csv has no %s", imps.n ? "quantile columns" : "importer shortage rows");
        return 0;
    }
    int n = imps.n < MAX_PANELS ? imps.n : MAX_PANELS, ncols = 4, nrows = (n + ncols - 1) / ncols;
    double xs[MAX_PANELS][33], ys[MAX_PANELS][33], xmax = 0;
    int np[MAX_PANELS], rows[MAX_PANELS];
    for (int i = 0; i < n; i++) {
        rows[i] = ms_resultdir_row(rd, "shortage_share", imps.v[i], "all", "");
        np[i] = exceedance_points(rd, rows[i], &q, xs[i], ys[i]);
        for (int j = 0; j < np[i]; j++)
            xmax = fmax(xmax, xs[i][j]);
    }
    char note[512], caption[1200], more[128] = "";
    rp_source_note(rd, "summary.csv metric shortage_share (industry all): p_pos and the quantile columns", note,
                sizeof note);
    ms_plot *p = ms_plot_alloc(FIG_W, 72 + nrows * 190 + 44, "Exceedance curves of the shortage share per importer",
                               "P(shortage share over the horizon > x), from the result's quantiles");
    if (!p)
        return -1;
    double top = ms_chart_title(p, "Exceedance curves of the shortage share per importer",
                                "P(shortage share over the horizon > x), one panel per importer; points are the "
                                "result's quantiles");
    for (int i = 0; i < n; i++) {
        ms_chart_panel pn = {.xfmt = MS_AXIS_PERCENT, .yfmt = MS_AXIS_PERCENT, .y0 = 0, .y1 = 1};
        double step;
        ms_chart_nice_range(0, xmax > 0 ? xmax : 0.01, 3, &pn.x0, &pn.x1, &step);
        ms_chart_grid_cell(0, top + 8, FIG_W, nrows * 190, nrows, ncols, i / ncols, i % ncols, 72, 42, 24, &pn);
        exceedance_panel(p, &pn, imps.v[i], xs[i], ys[i], np[i], ms_resultdir_value(rd, rows[i], "p_pos"),
                         i + ncols >= n, i % ncols == 0);
    }
    ms_plot_font fl = {.size = MS_CHART_LABEL, .colour = 0x444444, .anchor = MS_PLOT_MIDDLE};
    ms_plot_text(p, FIG_W / 2, top + 8 + nrows * 190 + 2, "x = shortage share over the horizon (shortage / demand)", &fl);
    ms_chart_note(p, note);
    if (imps.n > n)
        snprintf(more, sizeof more, " %d more importers are not shown.", imps.n - n);
    snprintf(caption, sizeof caption,
             "Probability that an importer's shortage share over the whole horizon (shortage tonnes / demand "
             "tonnes, all its industries) exceeds x. The first point is P(share > 0) = p_pos; each further point "
             "is a quantile column of summary.csv: P(share > q_l) = 1 - l (for example q95 at 5%%). Lines join "
             "the points. All panels share one scale.%s",
             more);
    return rp_add_figure(c, p, k->id, k->title, caption);
}

/* ---- shipments of the main supplier by destination -------------------------------------- */

/* The supplier whose shipments are shown: "china" when the result has it,
 * else the one with the largest mean shipments_t to all importers. */
static const char *main_supplier(const ms_resultdir *rd)
{
    const char *best = NULL;
    double bv = -1;
    for (int r = 0; r < rd->summary->nrows; r++) {
        const char *m = ms_csv_get(rd->summary, r, 0);
        if (strncmp(m, "shipments_t[", 12) || strcmp(ms_csv_get(rd->summary, r, 1), "all"))
            continue;
        const char *sup = ms_csv_get(rd->summary, r, 0) + 12;
        if (!strcmp(m, "shipments_t[china]"))
            return "china";
        double v = ms_resultdir_value(rd, r, "mean");
        if (v > bv) {
            bv = v;
            best = sup;
        }
    }
    return best;
}

static int shipments_for(rp_ctx *c, const rp_kind *k, const char *sup, const char *prod)
{
    const ms_resultdir *rd = c->rd;
    fan_panel *fp = calloc(MAX_PANELS, sizeof *fp);
    if (!fp)
        return -1;
    int skipped, n = importer_panels(rd, "shipments", sup, prod, 1, fp, &skipped), nobs = 0;
    for (int i = 0; i < n; i++)
        nobs += fp[i].nobs;
    char title[256], name[256], note[512], caption[1400], more[128] = "", sub[256];
    snprintf(title, sizeof title, "Monthly shipments from %s by destination: %s", sup, prod);
    if (n == 0) {
        rp_left_out(c, title, "timeseries.csv has no shipments series from %s for %s", sup, prod);
        free(fp);
        return 0;
    }
    if (skipped)
        snprintf(more, sizeof more, " %d more destinations are not shown (at most %d panels).", skipped, MAX_PANELS);
    snprintf(name, sizeof name, "%s_%s_%s", k->id, sup, prod);
    snprintf(sub, sizeof sub, "Tonnes of %s departing %s per month, over Monte Carlo paths; each panel has its own "
                              "scale", prod, sup);
    rp_source_note(rd, nobs ? "timeseries.csv series shipments; observed: backtest.csv" : "timeseries.csv series shipments",
                note, sizeof note);
    fan_stats f = fan_stats_of(rd);
    fan_look lk = {.title = title, .subtitle = sub, .note = note, .ylabel = "t / month", .yfmt = MS_AXIS_NUMBER,
                   .shared_y = 0, .zero_based = 1, .ncols = 4, .cell_h = 170};
    ms_plot *p = fan_grid(rd, &lk, fp, n);
    snprintf(caption, sizeof caption,
             "Tonnes of %s shipped by %s each month, to all destinations and to each importer. Line: median (q50); "
             "bands: 50%% (q25 to q75) and 90%% (q05 to q95) of paths (timeseries.csv, series shipments, supplier "
             "%s).%s Each panel has its own scale.%s%s",
             prod, sup, sup,
             nobs ? " Dots: observed shipments from the backtest (backtest.csv, column observed)."
                  : (rd->backtest ? " backtest.csv has no observed points for these series." : ""),
             more, missing_bands(&f));
    int rc = p ? rp_add_figure(c, p, name, title, caption) : -1;
    free(fp);
    return rc;
}

int rp_draw_shipments(rp_ctx *c, const rp_kind *k)
{
    const char *sup = main_supplier(c->rd);
    name_list prods;
    products_of(c->rd, &prods);
    if (!sup || prods.n == 0) {
        rp_left_out(c, k->title, "summary.csv has no %s", sup ? "products" : "supplier shipments (shipments_t[S])");
        return 0;
    }
    for (int i = 0; i < prods.n; i++)
        if (shipments_for(c, k, sup, prods.v[i]))
            return -1;
    return 0;
}
