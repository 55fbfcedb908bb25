/*
 * magsim/chart.h - charts drawn on an ms_plot: panels with axes, fan
 * charts, lines, points, legends, titles.
 *
 * A panel is a plot area on the canvas (pixels) and the data domain it
 * shows; ms_chart_px / ms_chart_py map data to pixels.  ms_chart_axes draws
 * a panel's frame, grid, tick labels (nice steps: 1, 2, 5 x 10^k; months as
 * YYYY-MM every 1, 2, 3, 6, 12 or 24 months so labels never collide) and
 * titles, and opens an SVG group that carries the panel's mapping
 * (data-plot="x y w h", data-domain="x0 x1 y0 y1") so a test, or a reader,
 * can turn any point of the figure back into data.  ms_chart_panel_end
 * closes it.  Series are drawn with a data-key attribute naming where their
 * values come from.
 *
 * Numbers on axes are written in the C locale; shares as percentages.
 * Colours are the Okabe-Ito palette, distinguishable with the common colour
 * vision deficiencies.
 */
#ifndef MAGSIM_CHART_H
#define MAGSIM_CHART_H

#include <stddef.h>
#include <stdint.h>
#include "magsim/plot.h"

/* How an axis writes its values. */
typedef enum ms_axis_fmt {
    MS_AXIS_NUMBER,      /* 1,200  0.5 */
    MS_AXIS_PERCENT,     /* a share: 0.05 -> 5% */
    MS_AXIS_MONTH        /* a month number (year * 12 + month - 1) -> YYYY-MM */
} ms_axis_fmt;

/* Okabe-Ito colours. */
enum {
    MS_C_BLACK = 0x000000, MS_C_ORANGE = 0xE69F00, MS_C_SKY = 0x56B4E9, MS_C_GREEN = 0x009E73,
    MS_C_YELLOW = 0xF0E442, MS_C_BLUE = 0x0072B2, MS_C_VERMILION = 0xD55E00, MS_C_PURPLE = 0xCC79A7,
    MS_C_GREY = 0x666666, MS_C_GRID = 0xE3E3E3, MS_C_TEXT = 0x222222
};
extern const uint32_t ms_chart_palette[8];   /* the eight Okabe-Ito colours, black last */

/* Sizes of chart text, px. */
#define MS_CHART_TITLE 18.0
#define MS_CHART_SUBTITLE 13.0
#define MS_CHART_PANEL_TITLE 13.0
#define MS_CHART_TICK 11.5
#define MS_CHART_LABEL 12.0
#define MS_CHART_NOTE 11.0

typedef struct ms_chart_panel {
    double px, py, pw, ph;   /* plot area: left, top, width, height, px */
    double x0, x1;           /* data shown left to right */
    double y0, y1;           /* data shown bottom to top */
    ms_axis_fmt xfmt, yfmt;  /* tick label formats */
} ms_chart_panel;

/* Data to pixels. */
double ms_chart_px(const ms_chart_panel *pn, double x);
double ms_chart_py(const ms_chart_panel *pn, double y);

/* A nice axis range around [lo, hi] with about `target` ticks: y0 <= lo,
 * y1 >= hi, both multiples of *step (1, 2 or 5 x 10^k).  A flat or empty
 * range becomes [lo, lo + 1] (or [0, 1]). */
void ms_chart_nice_range(double lo, double hi, int target, double *y0, double *y1, double *step);
/* An axis value as its tick label (step decides the decimals). */
void ms_chart_tick_label(double v, double step, ms_axis_fmt fmt, char *buf, size_t len);

/* Figure title and subtitle at the top, note at the bottom (either may be
 * NULL or empty); returns the height the title block takes. */
double ms_chart_title(ms_plot *p, const char *title, const char *subtitle);
int ms_chart_note(ms_plot *p, const char *note);

/* Panel (r, c) of an nrows x ncols grid inside the box (x, y, w, h), with
 * room for tick labels (left margin ml, bottom margin mb) and the panel
 * title (mt) inside each cell. */
void ms_chart_grid_cell(double x, double y, double w, double h, int nrows, int ncols, int r, int c, double ml,
                        double mb, double mt, ms_chart_panel *pn);

/* Frame, grid, ticks and labels of a panel, opening its group (closed by
 * ms_chart_panel_end).  ylabel, xlabel: axis titles or NULL; show_x, show_y:
 * 0 hides that axis' tick labels (inner panels of a grid). */
int ms_chart_axes(ms_plot *p, const ms_chart_panel *pn, const char *title, const char *xlabel, const char *ylabel,
                  int show_x, int show_y);
int ms_chart_panel_end(ms_plot *p);

/* A band between lo and hi over x (points where either is not finite are
 * skipped), filled with colour at opacity. */
int ms_chart_band(ms_plot *p, const ms_chart_panel *pn, int n, const double *x, const double *lo, const double *hi,
                  uint32_t colour, double opacity, const char *key);
/* A line through the finite points; key names its data (data-key). */
int ms_chart_line(ms_plot *p, const ms_chart_panel *pn, int n, const double *x, const double *y, uint32_t colour,
                  double width, double dash, const char *key);
/* Dots at the finite points. */
int ms_chart_points(ms_plot *p, const ms_chart_panel *pn, int n, const double *x, const double *y, uint32_t colour,
                    double radius, const char *key);
/* A horizontal interval from lo to hi at y (pixel row), with a dot at mid. */
int ms_chart_interval(ms_plot *p, const ms_chart_panel *pn, double ypx, double lo, double mid, double hi,
                      uint32_t colour, const char *key);

/* Legend entries, drawn in a row. */
typedef enum ms_legend_kind { MS_LEGEND_BAND, MS_LEGEND_LINE, MS_LEGEND_POINT } ms_legend_kind;
typedef struct ms_legend_entry {
    const char *label;       /* text */
    ms_legend_kind kind;     /* swatch shape */
    uint32_t colour;         /* swatch colour */
    double opacity;          /* band opacity */
} ms_legend_entry;
/* A row of entries starting at (x, y) (y: the text baseline); returns its width. */
double ms_chart_legend(ms_plot *p, double x, double y, const ms_legend_entry *e, int n);

#endif
