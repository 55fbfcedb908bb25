/*
 * report.c - a report of a result directory (magsim/report.h): the figure
 * table, the headline and provenance tables, and the documents.
 *
 * The figure table below is the one list of figures: a row names a figure,
 * the files and columns it reads, whether it needs the monthly series, and
 * the function that draws it (sim/report_figs.c).  ms_report_write reads the
 * result, walks the table (a row that needs series on a --no-series result
 * is left out, and the report says so), then writes, under the prefix:
 *
 *   figures/NAME.svg, figures/NAME.png   each figure, from the same drawing
 *   report.html   self-contained: inline styles, each figure an <img> whose
 *                 src is a data: URI of its SVG (so figures never share ids),
 *                 a few lines of script that mark each figure loaded and log
 *                 a console error for one that is not (the browser check)
 *   report.md     the same text for Markdown memos, figures as PNG links
 *   manifest.json "format": "magsim-report": the inputs' SHA-256, the
 *                 figures, what was left out, every file's size and SHA-256
 *
 * Nothing depends on the clock, the locale or this machine: the same result
 * files give the same bytes.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "magsim/chart.h"
#include "magsim/fmt.h"
#include "magsim/output.h"
#include "magsim/report.h"
#include "report_int.h"

#ifndef MAGSIM_VERSION
#define MAGSIM_VERSION "0.0.0"
#endif

const double ms_report_quantiles[] = {0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99};
const int ms_report_nquantiles = sizeof ms_report_quantiles / sizeof ms_report_quantiles[0];

/* The figures, in the order the report shows them.  Figures of compare,
 * sensitivity and backtest results are one row (and one draw function) each. */
static const rp_kind figure_table[] = {
    {"shortage_fan", "Shortage share of the most exposed industries",
     "summary.csv shortage_share (mean, to rank the cells); timeseries.csv series shortage_share (q05 q25 q50 q75 q95)",
     1, rp_draw_shortage_fan},
    {"exceedance", "Exceedance curves of the shortage share per importer",
     "summary.csv shortage_share with industry all (p_pos and every quantile column)", 0, rp_draw_exceedance},
    {"price_fan", "Price index per importer",
     "summary.csv peak_price_shock (the products); timeseries.csv series price_index (q05 q25 q50 q75 q95)", 1,
     rp_draw_price_fan},
    {"shipments", "Monthly shipments of the main supplier by destination",
     "summary.csv shipments_t[S] (the supplier); timeseries.csv series shipments (q05 q25 q50 q75 q95); "
     "backtest.csv observed (optional)",
     1, rp_draw_shipments},
    {"backtest", "Observed values against the simulated distribution (backtest)",
     "backtest.csv (optional): series, supplier, importer, product, month, observed, sim_q05 sim_q25 sim_q50 "
     "sim_q75 sim_q95, in90",
     0, rp_draw_backtest},
};
enum { NFIGURE_KINDS = sizeof figure_table / sizeof figure_table[0] };

/* ---- the context ---------------------------------------------------------------- */

/* A figure name: [a-z0-9_] only, unique among the figures so far. */
static char *figure_name(const rp_ctx *c, const char *name)
{
    size_t n = strlen(name);
    char *s = malloc(n + 16);
    if (!s)
        return NULL;
    for (size_t i = 0; i <= n; i++) {
        char ch = name[i];
        s[i] = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' || !ch ? ch
               : (ch >= 'A' && ch <= 'Z') ? (char)(ch - 'A' + 'a') : '_';
    }
    for (int k = 2, clash = 1; clash; k++) {
        clash = 0;
        for (int i = 0; i < c->nfig; i++)
            clash |= !strcmp(c->fig[i].name, s);
        if (clash)
            snprintf(s + n, 16, "_%d", k);
    }
    return s;
}

int rp_add_figure(rp_ctx *c, ms_plot *plot, const char *name, const char *title, const char *caption)
{
    if (c->nfig == c->figcap) {
        int cap = c->figcap ? 2 * c->figcap : 8;
        rp_figure *nf = realloc(c->fig, (size_t)cap * sizeof *nf);
        if (!nf) {
            ms_plot_free(plot);
            return -1;
        }
        c->fig = nf;
        c->figcap = cap;
    }
    rp_figure *f = &c->fig[c->nfig];
    f->name = figure_name(c, name);
    f->title = strdup(title);
    f->caption = strdup(caption);
    f->plot = plot;
    c->nfig++;
    return f->name && f->title && f->caption ? 0 : -1;
}

void rp_left_out(rp_ctx *c, const char *title, const char *fmt, ...)
{
    if (c->nomit == c->omitcap) {
        int cap = c->omitcap ? 2 * c->omitcap : 8;
        rp_omission *no = realloc(c->omit, (size_t)cap * sizeof *no);
        if (!no) {
            c->failed = 1;
            return;
        }
        c->omit = no;
        c->omitcap = cap;
    }
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    rp_omission *o = &c->omit[c->nomit++];
    o->title = strdup(title);
    o->reason = strdup(buf);
    if (!o->title || !o->reason)
        c->failed = 1;
}

static void ctx_free(rp_ctx *c)
{
    for (int i = 0; i < c->nfig; i++) {
        free(c->fig[i].name);
        free(c->fig[i].title);
        free(c->fig[i].caption);
        ms_plot_free(c->fig[i].plot);
    }
    for (int i = 0; i < c->nomit; i++) {
        free(c->omit[i].title);
        free(c->omit[i].reason);
    }
    free(c->fig);
    free(c->omit);
}

static int draw_all(rp_ctx *c)
{
    for (int k = 0; k < NFIGURE_KINDS; k++) {
        const rp_kind *kd = &figure_table[k];
        if (kd->needs_series && !c->rd->has_series) {
            rp_left_out(c, kd->title, "the result has no monthly series (it was run with --no-series); "
                                      "this figure reads timeseries.csv");
            continue;
        }
        if (kd->draw(c, kd))
            return -1;
    }
    return c->failed ? -1 : 0;
}

/* ---- tables ------------------------------------------------------------------------ */

/* A table of text cells, written as HTML and Markdown alike. */
typedef struct rp_table {
    int ncols;           /* columns */
    int nrows;           /* rows, the header included */
    char **cell;         /* [nrows * ncols] malloc'd strings */
    int cap;             /* rows allocated */
    int failed;          /* an allocation failed */
} rp_table;

static void table_cell(rp_table *t, int r, int k, const char *s)
{
    if (t->failed)
        return;
    while (r >= t->cap) {
        int cap = t->cap ? 2 * t->cap : 16;
        char **nc = realloc(t->cell, (size_t)cap * (size_t)t->ncols * sizeof *nc);
        if (!nc) {
            t->failed = 1;
            return;
        }
        memset(nc + (size_t)t->cap * (size_t)t->ncols, 0, (size_t)(cap - t->cap) * (size_t)t->ncols * sizeof *nc);
        t->cell = nc;
        t->cap = cap;
    }
    if (r >= t->nrows)
        t->nrows = r + 1;
    char **c = &t->cell[(size_t)r * (size_t)t->ncols + (size_t)k];
    free(*c);
    if (!(*c = strdup(s ? s : "")))
        t->failed = 1;
}

static const char *table_get(const rp_table *t, int r, int k)
{
    const char *s = t->cell[(size_t)r * (size_t)t->ncols + (size_t)k];
    return s ? s : "";
}

static void table_free(rp_table *t)
{
    for (size_t i = 0; i < (size_t)t->cap * (size_t)t->ncols; i++)
        free(t->cell[i]);
    free(t->cell);
}

/* Products with price metrics, in summary.csv order. */
static int price_products(const ms_resultdir *rd, const char **prod, int max)
{
    int n = 0;
    for (int r = 0; r < rd->summary->nrows; r++) {
        if (strcmp(ms_csv_get(rd->summary, r, 0), "peak_price_shock"))
            continue;
        const char *p = ms_csv_get(rd->summary, r, 3);
        int seen = 0;
        for (int i = 0; i < n; i++)
            seen |= !strcmp(prod[i], p);
        if (!seen && n < max)
            prod[n++] = p;
    }
    return n;
}

static void headline_row(rp_table *t, const ms_resultdir *rd, int r, const char *imp, const char **prod, int np)
{
    char b[64];
    table_cell(t, r, 0, strcmp(imp, "all") ? imp : "all importers");
    rp_fmt_pct(b, sizeof b, ms_resultdir_value(rd, ms_resultdir_row(rd, "shortage_t", imp, "all", ""), "p_pos"));
    table_cell(t, r, 1, b);
    int rs = ms_resultdir_row(rd, "shortage_share", imp, "all", "");
    rp_fmt_pct(b, sizeof b, ms_resultdir_value(rd, rs, "q50"));
    table_cell(t, r, 2, b);
    rp_fmt_pct(b, sizeof b, ms_resultdir_value(rd, rs, "q95"));
    table_cell(t, r, 3, b);
    rp_fmt_num(b, sizeof b, ms_resultdir_value(rd, ms_resultdir_row(rd, "time_to_survive", imp, "all", ""), "q50"));
    table_cell(t, r, 4, b);
    for (int p = 0; p < np; p++) {
        int rp = strcmp(imp, "all") ? ms_resultdir_row(rd, "peak_price_shock", imp, "", prod[p]) : -1;
        if (rp < 0)
            snprintf(b, sizeof b, "-");
        else
            rp_fmt_pct(b, sizeof b, ms_resultdir_value(rd, rp, "q95"));
        table_cell(t, r, 5 + p, b);
    }
}

/* Per importer: P(short), shortage share q50 and q95, time to survive q50,
 * peak price shock q95 per product; the total over importers last. */
static void headline_table(const ms_resultdir *rd, rp_table *t)
{
    const char *prod[16];
    int np = price_products(rd, prod, 16);
    t->ncols = 5 + np;
    static const char *const head[] = {"importer", "P(short)", "shortage share, median",
                                       "shortage share, 95th pct", "time to survive, median (months)"};
    for (int k = 0; k < 5; k++)
        table_cell(t, 0, k, head[k]);
    for (int p = 0; p < np; p++) {
        char h[192];
        snprintf(h, sizeof h, "price shock %s, 95th pct", prod[p]);
        table_cell(t, 0, 5 + p, h);
    }
    int r = 1;
    for (int i = 0; i < rd->summary->nrows; i++) {
        const char *imp = ms_csv_get(rd->summary, i, 1);
        if (!strcmp(ms_csv_get(rd->summary, i, 0), "shortage_share") && !strcmp(ms_csv_get(rd->summary, i, 2), "all") &&
            strcmp(imp, "all"))
            headline_row(t, rd, r++, imp, prod, np);
    }
    if (ms_resultdir_row(rd, "shortage_share", "all", "all", "") >= 0)
        headline_row(t, rd, r, "all", prod, np);
}

static void prov_row(rp_table *t, const char *k, const char *v)
{
    int r = t->nrows;
    table_cell(t, r, 0, k);
    table_cell(t, r, 1, v ? v : "(not recorded)");
}

static void provenance_table(const ms_resultdir *rd, rp_table *t)
{
    char b[256], done[64], req[64];
    t->ncols = 2;
    table_cell(t, 0, 0, "item");
    table_cell(t, 0, 1, "value");
    prov_row(t, "scenario", rd->scenario_name);
    prov_row(t, "scenario file (as run)", rd->scenario_path);
    prov_row(t, "scenario SHA-256", rd->scenario_sha);
    prov_row(t, "seed", rd->seed);
    ms_chart_tick_label(rd->paths_done, 1, MS_AXIS_NUMBER, done, sizeof done);
    ms_chart_tick_label(rd->paths_requested, 1, MS_AXIS_NUMBER, req, sizeof req);
    snprintf(b, sizeof b, "%s of %s", done, req);
    prov_row(t, "paths", b);
    prov_row(t, "partial", rd->partial ? "yes: the run was interrupted" : "no");
    prov_row(t, "monthly series", rd->has_series ? "yes" : "no (--no-series)");
    prov_row(t, "result written by", rd->version ? rd->version : NULL);
    prov_row(t, "result written (UTC)", rd->written_utc);
    prov_row(t, "report made by", "magsim " MAGSIM_VERSION);
    for (int k = 0; k < MS_RF_N; k++)
        if (rd->files[k].present) {
            snprintf(b, sizeof b, "input %s (SHA-256)", rd->files[k].name);
            prov_row(t, b, rd->files[k].sha256);
        }
}

/* ---- escaping -------------------------------------------------------------------------- */

/* Markdown inline text: characters with a meaning escaped, HTML neutralised,
 * line breaks flattened (a table cell or heading stays one line). */
static void md_esc(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (strchr("\\`*_[]|#~", *s))
            fputc('\\', f), fputc(*s, f);
        else if (*s == '<')
            fputs("&lt;", f);
        else if (*s == '>')
            fputs("&gt;", f);
        else if (*s == '&')
            fputs("&amp;", f);
        else
            fputc((unsigned char)*s < 0x20 ? ' ' : *s, f);
    }
}

static void base64(FILE *f, const unsigned char *b, size_t n)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)b[i] << 16 | (i + 1 < n ? (unsigned)b[i + 1] << 8 : 0) | (i + 2 < n ? b[i + 2] : 0);
        fputc(tab[v >> 18 & 63], f);
        fputc(tab[v >> 12 & 63], f);
        fputc(i + 1 < n ? tab[v >> 6 & 63] : '=', f);
        fputc(i + 2 < n ? tab[v & 63] : '=', f);
    }
}

/* ---- rendered figures --------------------------------------------------------------------- */

/* A figure's two files in memory. */
typedef struct rp_render {
    char *svg;           /* SVG text */
    size_t svg_len;
    unsigned char *png;  /* PNG bytes */
    size_t png_len;
} rp_render;

static int render_figure(const rp_figure *fg, double scale, rp_render *out)
{
    memset(out, 0, sizeof *out);
    FILE *f = open_memstream(&out->svg, &out->svg_len);
    if (!f)
        return -1;
    int rc = ms_plot_svg(fg->plot, f);
    if (fclose(f) != 0 || rc)
        return -1;
    return ms_plot_png(fg->plot, scale, &out->png, &out->png_len);
}

/* ---- report.html ---------------------------------------------------------------------------- */

static const char html_style[] =
    "body{font-family:'DejaVu Sans',Verdana,Arial,sans-serif;color:#222;max-width:1000px;margin:24px auto;"
    "padding:0 16px;line-height:1.45}\n"
    "h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.25em;margin-top:1.6em;border-bottom:1px solid #ddd}\n"
    ".sub{color:#555;margin-top:0}\n"
    ".banner{border:2px solid #D55E00;background:#fff3ea;padding:10px 14px;margin:16px 0;font-weight:bold}\n"
    ".notice{border:1px solid #0072B2;background:#eef6fb;padding:8px 14px;margin:16px 0}\n"
    "table{border-collapse:collapse;font-size:.92em;margin:8px 0}\n"
    "th,td{border:1px solid #ccc;padding:4px 8px;text-align:right}th{background:#f2f2f2}\n"
    "td:first-child,th:first-child{text-align:left}\n"
    "table.prov td{text-align:left;font-family:'DejaVu Sans Mono',monospace;font-size:.9em;word-break:break-all}\n"
    "figure{margin:20px 0}figure img{width:100%;height:auto;border:1px solid #eee}\n"
    "figcaption{font-size:.9em;color:#444}figcaption a{color:#0072B2}\n"
    ".note{font-size:.88em;color:#555}\n";

/* After load: every figure decoded (naturalWidth > 0) gets data-loaded="yes";
 * one that did not is reported as a console error; body gets the counts. */
static const char html_script[] =
    "window.addEventListener('load',function(){var f=document.querySelectorAll('figure.fig'),ok=0;"
    "f.forEach(function(x){var i=x.querySelector('img');if(i&&i.complete&&i.naturalWidth>0){ok++;"
    "x.setAttribute('data-loaded','yes');}else{x.setAttribute('data-loaded','no');"
    "console.error('magsim report: figure '+x.getAttribute('data-figure')+' did not load');}});"
    "document.body.setAttribute('data-figures',String(f.length));"
    "document.body.setAttribute('data-figures-loaded',String(ok));});\n";

static void html_table(FILE *f, const rp_table *t, const char *cls)
{
    fprintf(f, "<table%s%s%s>\n<tr>", cls ? " class=\"" : "", cls ? cls : "", cls ? "\"" : "");
    for (int k = 0; k < t->ncols; k++) {
        fputs("<th>", f);
        ms_fmt_xml_str(f, table_get(t, 0, k));
        fputs("</th>", f);
    }
    fputs("</tr>\n", f);
    for (int r = 1; r < t->nrows; r++) {
        fputs("<tr>", f);
        for (int k = 0; k < t->ncols; k++) {
            fputs("<td>", f);
            ms_fmt_xml_str(f, table_get(t, r, k));
            fputs("</td>", f);
        }
        fputs("</tr>\n", f);
    }
    fputs("</table>\n", f);
}

/* The partial-result banner's text. */
static void partial_text(const ms_resultdir *rd, char *buf, size_t len)
{
    char done[64], req[64];
    ms_chart_tick_label(rd->paths_done, 1, MS_AXIS_NUMBER, done, sizeof done);
    ms_chart_tick_label(rd->paths_requested, 1, MS_AXIS_NUMBER, req, sizeof req);
    snprintf(buf, len, "Partial result: the run was interrupted and holds %s of the %s paths requested. "
                       "Every number and figure in this report is over those %s paths.", done, req, done);
}

static void html_head(FILE *f, const ms_resultdir *rd)
{
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>magsim report: ", f);
    ms_fmt_xml_str(f, rd->scenario_name ? rd->scenario_name : "result");
    fputs("</title>\n<meta name=\"generator\" content=\"magsim " MAGSIM_VERSION "\">\n<style>\n", f);
    fputs(html_style, f);
    fputs("</style>\n</head>\n<body>\n<h1>", f);
    ms_fmt_xml_str(f, rd->scenario_name ? rd->scenario_name : "magsim result");
    fputs("</h1>\n<p class=\"sub\">magsim result report: shortage, price and trade-flow distributions over ", f);
    char b[64];
    ms_chart_tick_label(rd->paths_done, 1, MS_AXIS_NUMBER, b, sizeof b);
    fprintf(f, "%s Monte Carlo paths, seed ", b);
    ms_fmt_xml_str(f, rd->seed ? rd->seed : "?");
    fputs(".</p>\n", f);
    if (rd->partial) {
        char msg[512];
        partial_text(rd, msg, sizeof msg);
        fputs("<div class=\"banner\" id=\"partial\" role=\"alert\">", f);
        ms_fmt_xml_str(f, msg);
        fputs("</div>\n", f);
    }
}

static void html_figures(FILE *f, const rp_ctx *c, const rp_render *rr)
{
    fputs("<h2 id=\"figures\">Figures</h2>\n", f);
    for (int i = 0; i < c->nfig; i++) {
        const rp_figure *fg = &c->fig[i];
        fputs("<figure class=\"fig\" data-figure=\"", f);
        ms_fmt_xml_str(f, fg->name);
        fputs("\">\n<img alt=\"", f);
        ms_fmt_xml_str(f, fg->title);
        fprintf(f, "\" width=\"%.0f\" height=\"%.0f\" src=\"data:image/svg+xml;base64,", ms_plot_width(fg->plot),
                ms_plot_height(fg->plot));
        base64(f, (const unsigned char *)rr[i].svg, rr[i].svg_len);
        fputs("\">\n<figcaption><b>", f);
        ms_fmt_xml_str(f, fg->title);
        fputs(".</b> ", f);
        ms_fmt_xml_str(f, fg->caption);
        fprintf(f, " Files: <a href=\"figures/%s.svg\">figures/%s.svg</a>, <a href=\"figures/%s.png\">"
                   "figures/%s.png</a>.</figcaption>\n</figure>\n", fg->name, fg->name, fg->name, fg->name);
    }
    if (c->nomit == 0)
        return;
    fputs("<h2 id=\"left-out\">Figures left out</h2>\n<ul class=\"left-out\">\n", f);
    for (int i = 0; i < c->nomit; i++) {
        fputs("<li><b>", f);
        ms_fmt_xml_str(f, c->omit[i].title);
        fputs("</b>: ", f);
        ms_fmt_xml_str(f, c->omit[i].reason);
        fputs("</li>\n", f);
    }
    fputs("</ul>\n", f);
}

static const char headline_note[] =
    "P(short): share of paths with any shortage over the horizon (summary.csv shortage_t p_pos). Shortage share: "
    "shortage tonnes / demand tonnes over the horizon (shortage_share q50, q95). Time to survive: months from the "
    "first export control to the first month short (time_to_survive q50), censored at the horizon. Price shock: "
    "largest monthly landed price index - 1 (peak_price_shock q95); - where the importer does not buy the product.";

static int write_html(FILE *f, const rp_ctx *c, const rp_table *head, const rp_table *prov, const rp_render *rr)
{
    html_head(f, c->rd);
    if (!c->rd->has_series)
        fputs("<div class=\"notice\" id=\"no-series\">This result has no monthly series (it was run with "
              "--no-series): the figures that read timeseries.csv are left out (listed below).</div>\n", f);
    fputs("<h2 id=\"headline\">Headline</h2>\n", f);
    html_table(f, head, "headline");
    fputs("<p class=\"note\">", f);
    ms_fmt_xml_str(f, headline_note);
    fputs("</p>\n", f);
    html_figures(f, c, rr);
    fputs("<h2 id=\"provenance\">Provenance</h2>\n", f);
    html_table(f, prov, "prov");
    fputs("<script>\n", f);
    fputs(html_script, f);
    fputs("</script>\n</body>\n</html>\n", f);
    return ferror(f) ? -1 : 0;
}

/* ---- report.md ------------------------------------------------------------------------------- */

static void md_table(FILE *f, const rp_table *t)
{
    for (int r = 0; r < t->nrows; r++) {
        fputc('|', f);
        for (int k = 0; k < t->ncols; k++) {
            fputc(' ', f);
            md_esc(f, table_get(t, r, k));
            fputs(" |", f);
        }
        fputc('\n', f);
        if (r == 0) {
            fputc('|', f);
            for (int k = 0; k < t->ncols; k++)
                fputs(k == 0 ? "---|" : "---:|", f);
            fputc('\n', f);
        }
    }
}

static void md_figures(FILE *f, const rp_ctx *c)
{
    fputs("\n## Figures\n", f);
    for (int i = 0; i < c->nfig; i++) {
        const rp_figure *fg = &c->fig[i];
        fputs("\n### ", f);
        md_esc(f, fg->title);
        fputs("\n\n![", f);
        md_esc(f, fg->title);
        fprintf(f, "](figures/%s.png)\n\n", fg->name);
        md_esc(f, fg->caption);
        fprintf(f, " SVG: [figures/%s.svg](figures/%s.svg).\n", fg->name, fg->name);
    }
    if (c->nomit == 0)
        return;
    fputs("\n## Figures left out\n\n", f);
    for (int i = 0; i < c->nomit; i++) {
        fputs("- **", f);
        md_esc(f, c->omit[i].title);
        fputs("**: ", f);
        md_esc(f, c->omit[i].reason);
        fputc('\n', f);
    }
}

static int write_md(FILE *f, const rp_ctx *c, const rp_table *head, const rp_table *prov)
{
    char b[64];
    fputs("# ", f);
    md_esc(f, c->rd->scenario_name ? c->rd->scenario_name : "magsim result");
    ms_chart_tick_label(c->rd->paths_done, 1, MS_AXIS_NUMBER, b, sizeof b);
    fprintf(f, "\n\nmagsim result report: shortage, price and trade-flow distributions over %s Monte Carlo paths, "
               "seed ", b);
    md_esc(f, c->rd->seed ? c->rd->seed : "?");
    fputs(".\n", f);
    if (c->rd->partial) {
        char msg[512];
        partial_text(c->rd, msg, sizeof msg);
        fputs("\n> **", f);
        md_esc(f, msg);
        fputs("**\n", f);
    }
    if (!c->rd->has_series)
        fputs("\n> This result has no monthly series (it was run with \\-\\-no\\-series): the figures that read "
              "timeseries.csv are left out (listed below).\n", f);
    fputs("\n## Headline\n\n", f);
    md_table(f, head);
    fputc('\n', f);
    md_esc(f, headline_note);
    fputc('\n', f);
    md_figures(f, c);
    fputs("\n## Provenance\n\n", f);
    md_table(f, prov);
    return ferror(f) ? -1 : 0;
}

/* ---- manifest.json of the report ------------------------------------------------------------------ */

static int write_manifest(FILE *f, const rp_ctx *c, const ms_outdir *d, const char *prefix)
{
    fputs("{\n  \"format\": \"magsim-report\",\n  \"format_version\": 1,\n  \"magsim_version\": \"" MAGSIM_VERSION
          "\",\n  \"source\": {",
          f);
    int first = 1;
    for (int k = 0; k < MS_RF_N; k++) {
        const ms_rfile *rf = &c->rd->files[k];
        if (!rf->present)
            continue;
        fprintf(f, "%s\n    \"%s\": {\"bytes\": %zu, \"sha256\": \"%s\"}", first ? "" : ",", rf->name, rf->bytes,
                rf->sha256);
        first = 0;
    }
    fputs("\n  },\n  \"figures\": [", f);
    for (int i = 0; i < c->nfig; i++) {
        fputs(i ? ", " : "", f);
        ms_fmt_json_str(f, c->fig[i].name);
    }
    fputs("],\n  \"left_out\": [", f);
    for (int i = 0; i < c->nomit; i++) {
        fputs(i ? ",\n    {\"title\": " : "\n    {\"title\": ", f);
        ms_fmt_json_str(f, c->omit[i].title);
        fputs(", \"reason\": ", f);
        ms_fmt_json_str(f, c->omit[i].reason);
        fputc('}', f);
    }
    fputs(c->nomit ? "\n  ],\n  \"files\": {" : "],\n  \"files\": {", f);
    size_t pl = strlen(prefix);
    first = 1;
    for (int k = 0; k < ms_outdir_nfiles(d); k++) {
        const char *nm = ms_outdir_file_name(d, k);
        if (strncmp(nm, prefix, pl))
            continue;
        fputs(first ? "\n    " : ",\n    ", f);
        ms_fmt_json_str(f, nm + pl);
        fprintf(f, ": {\"bytes\": %zu, \"sha256\": \"%s\"}", ms_outdir_file_bytes(d, k), ms_outdir_file_sha256(d, k));
        first = 0;
    }
    fputs(first ? "}\n}\n" : "\n  }\n}\n", f);
    return ferror(f) ? -1 : 0;
}

/* ---- writing ---------------------------------------------------------------------------------------- */

/* prefix + name ("report/" + "report.html"); malloc'd. */
static char *joined(const char *prefix, const char *name)
{
    size_t n = strlen(prefix) + strlen(name) + 2;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "%s%s", prefix, name);
    return s;
}

static int add_file(ms_outdir *d, const char *prefix, const char *name, const void *buf, size_t len, char *err,
                    size_t errlen)
{
    char *path = joined(prefix, name);
    if (!path) {
        snprintf(err, errlen, "out of memory");
        return MS_REPORT_EIO;
    }
    int rc = ms_outdir_add(d, path, buf, len, err, errlen);
    free(path);
    return rc == MS_OUTDIR_OK ? MS_REPORT_OK : MS_REPORT_EIO;
}

/* The documents that are rendered into a stream. */
typedef struct rp_docs {
    const rp_ctx *c;
    const rp_table *head, *prov;
    const rp_render *rr;
    const ms_outdir *d;
    const char *prefix;
} rp_docs;

static int doc_html(FILE *f, const rp_docs *x) { return write_html(f, x->c, x->head, x->prov, x->rr); }
static int doc_md(FILE *f, const rp_docs *x) { return write_md(f, x->c, x->head, x->prov); }
static int doc_manifest(FILE *f, const rp_docs *x) { return write_manifest(f, x->c, x->d, x->prefix); }

static int add_doc(ms_outdir *d, const rp_docs *x, const char *name, int (*fn)(FILE *, const rp_docs *), char *err,
                   size_t errlen)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) {
        snprintf(err, errlen, "cannot render %s: out of memory", name);
        return MS_REPORT_EIO;
    }
    int rc = fn(f, x);
    if (fclose(f) != 0 || rc) {
        free(buf);
        snprintf(err, errlen, "cannot render %s: out of memory", name);
        return MS_REPORT_EIO;
    }
    rc = add_file(d, x->prefix, name, buf, len, err, errlen);
    free(buf);
    return rc;
}

static int add_figures(ms_outdir *d, const char *prefix, const rp_ctx *c, const rp_render *rr, char *err,
                       size_t errlen)
{
    char name[300];
    int rc = MS_REPORT_OK;
    for (int i = 0; rc == MS_REPORT_OK && i < c->nfig; i++) {
        snprintf(name, sizeof name, "figures/%s.svg", c->fig[i].name);
        rc = add_file(d, prefix, name, rr[i].svg, rr[i].svg_len, err, errlen);
        snprintf(name, sizeof name, "figures/%s.png", c->fig[i].name);
        if (rc == MS_REPORT_OK)
            rc = add_file(d, prefix, name, rr[i].png, rr[i].png_len, err, errlen);
    }
    return rc;
}

/* Make prefix and prefix/figures in d ("report" -> "report/"). */
static int add_dirs(ms_outdir *d, const char *prefix, char *pre, size_t prelen, char *err, size_t errlen)
{
    snprintf(pre, prelen, "%s%s", prefix, *prefix ? "/" : "");
    if (*prefix && ms_outdir_add_dir(d, prefix, err, errlen) != MS_OUTDIR_OK)
        return MS_REPORT_EIO;
    char *fig = joined(pre, "figures");
    int rc = fig && ms_outdir_add_dir(d, fig, err, errlen) == MS_OUTDIR_OK ? MS_REPORT_OK : MS_REPORT_EIO;
    free(fig);
    return rc;
}

static int write_all(ms_outdir *d, const char *prefix, const rp_ctx *c, double scale, char *err, size_t errlen)
{
    rp_table head = {0}, prov = {0};
    headline_table(c->rd, &head);
    provenance_table(c->rd, &prov);
    rp_render *rr = calloc((size_t)(c->nfig > 0 ? c->nfig : 1), sizeof *rr);
    int rc = rr && !head.failed && !prov.failed ? MS_REPORT_OK : MS_REPORT_EIO;
    for (int i = 0; rc == MS_REPORT_OK && i < c->nfig; i++)
        if (render_figure(&c->fig[i], scale, &rr[i]))
            rc = MS_REPORT_EIO;
    if (rc != MS_REPORT_OK)
        snprintf(err, errlen, "cannot draw the report's figures (out of memory or a cairo error)");
    char pre[256];
    if (rc == MS_REPORT_OK)
        rc = add_dirs(d, prefix, pre, sizeof pre, err, errlen);
    rp_docs x = {c, &head, &prov, rr, d, pre};
    if (rc == MS_REPORT_OK)
        rc = add_figures(d, pre, c, rr, err, errlen);
    if (rc == MS_REPORT_OK)
        rc = add_doc(d, &x, "report.html", doc_html, err, errlen);
    if (rc == MS_REPORT_OK)
        rc = add_doc(d, &x, "report.md", doc_md, err, errlen);
    if (rc == MS_REPORT_OK)   /* last: it lists the others */
        rc = add_doc(d, &x, "manifest.json", doc_manifest, err, errlen);
    for (int i = 0; rr && i < c->nfig; i++) {
        free(rr[i].svg);
        free(rr[i].png);
    }
    free(rr);
    table_free(&head);
    table_free(&prov);
    return rc;
}

int ms_report_write(const char *src_dir, ms_outdir *d, const char *prefix, const ms_report_opts *opts,
                    ms_report_summary *summary, char *err, size_t errlen)
{
    double scale = opts ? opts->png_scale : MS_REPORT_PNG_SCALE;
    if (!(scale >= MS_REPORT_PNG_SCALE_MIN && scale <= MS_REPORT_PNG_SCALE_MAX)) {
        snprintf(err, errlen, "PNG scale %g is not in [%g, %g]", scale, MS_REPORT_PNG_SCALE_MIN,
                 MS_REPORT_PNG_SCALE_MAX);
        return MS_REPORT_EIO;
    }
    int invalid = 0;
    ms_resultdir *rd = ms_resultdir_load(src_dir, err, errlen, &invalid);
    if (!rd)
        return invalid ? MS_REPORT_EINVAL : MS_REPORT_EIO;
    rp_ctx c = {.rd = rd};
    int rc = draw_all(&c);
    if (rc) {
        snprintf(err, errlen, "cannot draw the report's figures: out of memory");
        rc = MS_REPORT_EIO;
    } else {
        rc = write_all(d, prefix ? prefix : "", &c, scale, err, errlen);
    }
    if (summary) {
        summary->nfigures = c.nfig;
        summary->nleft_out = c.nomit;
        summary->partial = rd->partial;
        summary->paths_done = rd->paths_done;
    }
    ctx_free(&c);
    ms_resultdir_free(rd);
    return rc;
}
