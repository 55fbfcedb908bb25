/*
 * report_backtest.c - the report's backtest figure (a row of the figure
 * table in sim/report.c): every observed value of backtest.csv against the
 * simulated distribution of its series in that month.
 *
 * It reads backtest.csv alone, so it shows observations of any series and
 * sum ("product all": customs codes count every magnet together), which
 * timeseries.csv has no rows for.  One panel per observed series (series,
 * supplier, importer, product), at most MAX_PANELS; at each observed month
 * the 90% band (sim_q05 to sim_q95) and the 50% band (sim_q25 to sim_q75)
 * as boxes, the median (sim_q50) as a bar and the observation as a dot, in
 * the colours of the fan charts.  A result without backtest.csv has no such
 * figure and nothing is said about it.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "magsim/chart.h"
#include "report_int.h"

#define FIG_W 960.0          /* figure width, px (as the other figures) */
#define MAX_PANELS 12        /* panels per figure */
#define MAX_POINTS 240       /* observations per panel */
#define HALF 0.3             /* half the width of a month's boxes, months */

/* The backtest.csv columns the figure reads, in this order. */
enum { B_SERIES, B_SUPPLIER, B_IMPORTER, B_PRODUCT, B_MONTH, B_OBSERVED, B_Q05, B_Q25, B_Q50, B_Q75, B_Q95, B_IN90,
       B_NCOLS };
static const char *const bt_cols[B_NCOLS] = {"series", "supplier", "importer", "product", "month", "observed",
                                             "sim_q05", "sim_q25", "sim_q50", "sim_q75", "sim_q95", "in90"};

/* One panel: an observed series and its rows. */
typedef struct bt_panel {
    int key_row;             /* the first row of the series (its names) */
    int rows[MAX_POINTS];    /* the rows, in file order */
    int n;
} bt_panel;

static int same_series(const ms_csv *b, const int *col, int r1, int r2)
{
    for (int k = B_SERIES; k <= B_PRODUCT; k++)
        if (strcmp(ms_csv_get(b, r1, col[k]), ms_csv_get(b, r2, col[k])))
            return 0;
    return 1;
}

/* Group the rows by series; returns the number of panels, rows beyond the limits counted in *skipped. */
static int group_rows(const ms_csv *b, const int *col, bt_panel *pn, int *skipped)
{
    int n = 0;
    *skipped = 0;
    for (int r = 0; r < b->nrows; r++) {
        int k = 0;
        while (k < n && !same_series(b, col, pn[k].key_row, r))
            k++;
        if (k == n && n < MAX_PANELS)
            pn[n++] = (bt_panel){.key_row = r};
        if (k < n && pn[k].n < MAX_POINTS)
            pn[k].rows[pn[k].n++] = r;
        else
            (*skipped)++;
    }
    return n;
}

static double num(const ms_csv *b, int r, int k)
{
    double x;
    return ms_csv_num(ms_csv_get(b, r, k), &x) ? NAN : x;
}

/* "shipments from china to all importers, all products" */
static void panel_title(const ms_csv *b, const int *col, int r, char *buf, size_t len)
{
    const char *sup = ms_csv_get(b, r, col[B_SUPPLIER]), *imp = ms_csv_get(b, r, col[B_IMPORTER]),
               *prod = ms_csv_get(b, r, col[B_PRODUCT]);
    size_t u = (size_t)snprintf(buf, len, "%s", ms_csv_get(b, r, col[B_SERIES]));
    if (*sup && u < len)
        u += (size_t)snprintf(buf + u, len - u, " from %s", sup);
    if (*imp && u < len)
        u += (size_t)snprintf(buf + u, len - u, " %s %s%s", *sup ? "to" : "in", imp, strcmp(imp, "all") ? "" : " importers");
    if (*prod && u < len)
        snprintf(buf + u, len - u, ", %s%s", prod, strcmp(prod, "all") ? "" : " products");
}

/* The month range and value range of a panel. */
static void panel_domain(const ms_csv *b, const int *col, const bt_panel *p, ms_chart_panel *pn)
{
    double x0 = INFINITY, x1 = -INFINITY, hi = 0, step;
    for (int i = 0; i < p->n; i++) {
        int r = p->rows[i];
        double m = ms_resultdir_parse_month(ms_csv_get(b, r, col[B_MONTH]));
        x0 = fmin(x0, m);
        x1 = fmax(x1, m);
        const int ks[2] = {B_OBSERVED, B_Q95};
        for (int k = 0; k < 2; k++)
            if (isfinite(num(b, r, col[ks[k]])))
                hi = fmax(hi, num(b, r, col[ks[k]]));
    }
    pn->x0 = x0 - 0.5;
    pn->x1 = x1 + 0.5;
    ms_chart_nice_range(0, hi, 4, &pn->y0, &pn->y1, &step);
}

/* A month's boxes, median bar and observation; key names the row. */
static void draw_point(ms_plot *pl, const ms_chart_panel *pn, const ms_csv *b, const int *col, int r)
{
    const char *mon = ms_csv_get(b, r, col[B_MONTH]);
    double m = ms_resultdir_parse_month(mon), x[2] = {m - HALF, m + HALF};
    char key[512];
    snprintf(key, sizeof key, "backtest.csv:%s,%s,%s,%s,%s", ms_csv_get(b, r, col[B_SERIES]),
             ms_csv_get(b, r, col[B_SUPPLIER]), ms_csv_get(b, r, col[B_IMPORTER]), ms_csv_get(b, r, col[B_PRODUCT]),
             mon);
    size_t kl = strlen(key);
    double q05[2] = {num(b, r, col[B_Q05]), num(b, r, col[B_Q05])}, q95[2] = {num(b, r, col[B_Q95]), num(b, r, col[B_Q95])};
    double q25[2] = {num(b, r, col[B_Q25]), num(b, r, col[B_Q25])}, q75[2] = {num(b, r, col[B_Q75]), num(b, r, col[B_Q75])};
    double q50[2] = {num(b, r, col[B_Q50]), num(b, r, col[B_Q50])}, obs = num(b, r, col[B_OBSERVED]);
    snprintf(key + kl, sizeof key - kl, ",sim_q05-sim_q95");
    ms_chart_band(pl, pn, 2, x, q05, q95, MS_C_BLUE, 0.16, key);
    snprintf(key + kl, sizeof key - kl, ",sim_q25-sim_q75");
    ms_chart_band(pl, pn, 2, x, q25, q75, MS_C_BLUE, 0.32, key);
    snprintf(key + kl, sizeof key - kl, ",sim_q50");
    ms_chart_line(pl, pn, 2, x, q50, MS_C_BLUE, 2.2, 0, key);
    snprintf(key + kl, sizeof key - kl, ",observed");
    ms_chart_points(pl, pn, 1, &m, &obs, MS_C_VERMILION, 4.2, key);
}

static ms_plot *draw_panels(const ms_resultdir *rd, const int *col, const bt_panel *pn, int n, const char *note)
{
    const ms_csv *b = rd->backtest;
    int ncols = n < 3 ? n : 3, nrows = (n + ncols - 1) / ncols;
    double cell_h = 220, H = 96 + nrows * cell_h + 34;
    static const char title[] = "Backtest: observed values against the simulated distribution";
    static const char sub[] = "Each observation (dot) and the simulated median, 50% and 90% of paths of the same "
                              "series in that month";
    ms_plot *p = ms_plot_alloc(FIG_W, H, title, sub);
    if (!p)
        return NULL;
    double top = ms_chart_title(p, title, sub);
    const ms_legend_entry lg[4] = {{"median", MS_LEGEND_LINE, MS_C_BLUE, 1},
                                   {"50% of paths (q25-q75)", MS_LEGEND_BAND, MS_C_BLUE, 0.32 + 0.16},
                                   {"90% of paths (q05-q95)", MS_LEGEND_BAND, MS_C_BLUE, 0.16},
                                   {"observed (backtest.csv)", MS_LEGEND_POINT, MS_C_VERMILION, 1}};
    ms_chart_legend(p, 16, top + 12, lg, 4);
    for (int i = 0; i < n; i++) {
        ms_chart_panel cp = {.xfmt = MS_AXIS_MONTH, .yfmt = MS_AXIS_NUMBER};
        char pt[256];
        ms_chart_grid_cell(0, top + 24, FIG_W, nrows * cell_h, nrows, ncols, i / ncols, i % ncols, 72, 30, 24, &cp);
        panel_domain(b, col, &pn[i], &cp);
        panel_title(b, col, pn[i].key_row, pt, sizeof pt);
        ms_chart_axes(p, &cp, pt, NULL, i % ncols == 0 ? "observed and simulated" : NULL, 1, 1);
        for (int k = 0; k < pn[i].n; k++)
            draw_point(p, &cp, b, col, pn[i].rows[k]);
        ms_chart_panel_end(p);
    }
    ms_chart_note(p, note);
    return p;
}

int rp_draw_backtest(rp_ctx *c, const rp_kind *k)
{
    const ms_resultdir *rd = c->rd;
    const ms_csv *b = rd->backtest;
    if (!b)
        return 0;
    int col[B_NCOLS], skipped, hits = 0;
    for (int j = 0; j < B_NCOLS; j++)
        col[j] = ms_csv_col(b, bt_cols[j]);
    bt_panel *pn = calloc(MAX_PANELS, sizeof *pn);
    if (!pn)
        return -1;
    int n = group_rows(b, col, pn, &skipped);
    if (n == 0) {
        free(pn);
        rp_left_out(c, k->title, "backtest.csv has no observations");
        return 0;
    }
    for (int r = 0; r < b->nrows; r++)
        hits += !strcmp(ms_csv_get(b, r, col[B_IN90]), "1");
    char note[512], caption[1400], more[160] = "";
    rp_source_note(rd, "backtest.csv (observed, sim_q05 to sim_q95)", note, sizeof note);
    if (skipped)
        snprintf(more, sizeof more, " %d more observations are not shown (at most %d series of %d months).", skipped,
                 MAX_PANELS, MAX_POINTS);
    ms_plot *p = draw_panels(rd, col, pn, n, note);
    snprintf(caption, sizeof caption,
             "Each observed value of the backtest (dot; backtest.csv, column observed) against the simulated "
             "distribution of the same series in the same month over the paths: median (bar), 50%% (q25 to q75) "
             "and 90%% (q05 to q95) of paths (columns sim_q05 to sim_q95, exact quantiles over the paths). The 90%% "
             "band covers %d of the %d observations; a calibrated model covers about 90%%. Each panel has its own "
             "scale.%s",
             hits, b->nrows, more);
    free(pn);
    return p ? rp_add_figure(c, p, k->id, k->title, caption) : -1;
}
