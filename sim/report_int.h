/*
 * report_int.h - what the report's modules share (internal): the context a
 * figure is drawn in and the figure table's row.
 *
 * sim/report.c holds the figure table and writes the documents;
 * sim/report_figs.c holds one draw function per row.  A draw function reads
 * the result through ctx->rd, adds zero or more figures with rp_add_figure,
 * and calls rp_left_out when the result cannot feed it.
 */
#ifndef MAGSIM_REPORT_INT_H
#define MAGSIM_REPORT_INT_H

#include "magsim/plot.h"
#include "magsim/resultdir.h"

/* One drawn figure. */
typedef struct rp_figure {
    char *name;          /* file stem: figures/NAME.svg and .png ([a-z0-9_]) */
    char *title;         /* heading in the report */
    char *caption;       /* what it shows and which files and columns it reads */
    ms_plot *plot;       /* the drawing */
} rp_figure;

/* A figure the result could not feed. */
typedef struct rp_omission {
    char *title;         /* the figure's title */
    char *reason;        /* why it was left out */
} rp_omission;

typedef struct rp_ctx {
    const ms_resultdir *rd;  /* the result */
    rp_figure *fig;          /* [nfig] figures, in table order */
    int nfig, figcap;
    rp_omission *omit;       /* [nomit] figures left out */
    int nomit, omitcap;
    int failed;              /* an allocation failed */
} rp_ctx;

/* A row of the figure table. */
typedef struct rp_kind {
    const char *id;          /* figure name (stem; a row may add NAME_SUFFIX figures) */
    const char *title;       /* what it shows, as listed when left out */
    const char *reads;       /* files and columns it reads (docs/report.md) */
    int needs_series;        /* 1: needs the monthly series (timeseries.csv rows) */
    int (*draw)(rp_ctx *c, const struct rp_kind *k);   /* adds figures; -1 on failure */
} rp_kind;

/* Add a figure (takes the plot); formats its name and texts.  -1 on failure. */
int rp_add_figure(rp_ctx *c, ms_plot *plot, const char *name, const char *title, const char *caption);
/* Record a figure left out and why (printf format). */
void rp_left_out(rp_ctx *c, const char *title, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* The draw functions of the table's rows (sim/report_figs.c). */
int rp_draw_shortage_fan(rp_ctx *c, const rp_kind *k);
int rp_draw_price_fan(rp_ctx *c, const rp_kind *k);
int rp_draw_exceedance(rp_ctx *c, const rp_kind *k);
int rp_draw_shipments(rp_ctx *c, const rp_kind *k);
int rp_draw_backtest(rp_ctx *c, const rp_kind *k);   /* sim/report_backtest.c */

/* A figure's source line: magsim version, paths, seed, partial, the files read. */
void rp_source_note(const ms_resultdir *rd, const char *files, char *buf, size_t len);

/* A share as text: "12.3%", "0.37%", "<0.01%", "0%"; "n/a" when not finite. */
void rp_fmt_pct(char *buf, size_t len, double x);
/* A number with up to 3 significant digits ("21", "2.5", "1,200"); "n/a" when not finite. */
void rp_fmt_num(char *buf, size_t len, double x);

#endif
