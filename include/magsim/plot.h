/*
 * magsim/plot.h - a figure as a list of drawing items, written as SVG (our
 * own writer) and as PNG (rendered with cairo) from the same list.
 *
 * A chart (magsim/chart.h) appends items - polylines, filled polygons,
 * rectangles, circles, text, groups - in pixel coordinates of a W x H
 * canvas (origin top left, y down).  ms_plot_svg writes them as SVG 1.1
 * text: real <text> (searchable, editable in a drawing program), every
 * string XML-escaped, numbers with two decimals in the C locale, the
 * attributes a chart attached to an item (data-*, class) on its element, no
 * ids at all, so any number of figures can share one page.  ms_plot_png
 * renders the same items with cairo at a scale factor.  Text is measured
 * with cairo in the font the PNG uses (DejaVu Sans, the SVG's first
 * choice), with hinting off so widths do not depend on the scale.
 *
 * Both outputs are a function of the items alone: the same figure gives the
 * same bytes (on the same cairo and fonts, for the PNG).  Text that is not
 * valid UTF-8, or holds control characters, is cleaned ('?') when added.
 */
#ifndef MAGSIM_PLOT_H
#define MAGSIM_PLOT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct ms_plot ms_plot;

/* How a shape is drawn. */
typedef struct ms_plot_style {
    uint32_t stroke;        /* line colour, 0xRRGGBB */
    double stroke_width;    /* line width, px; 0: no outline */
    double dash;            /* dash length, px; 0: solid */
    uint32_t fill;          /* fill colour, 0xRRGGBB */
    double fill_opacity;    /* 0..1; 0: not filled */
} ms_plot_style;

/* Text anchor: where (x, y) is on the text's baseline. */
typedef enum ms_plot_anchor { MS_PLOT_START, MS_PLOT_MIDDLE, MS_PLOT_END } ms_plot_anchor;

/* A text item's look. */
typedef struct ms_plot_font {
    double size;            /* px */
    int bold;               /* 1: bold */
    uint32_t colour;        /* 0xRRGGBB */
    ms_plot_anchor anchor;  /* horizontal alignment on (x, y) */
    int vertical;           /* 1: rotated 90 degrees counter-clockwise (reads bottom to top) */
} ms_plot_font;

/* A canvas of w x h px; title and desc go into the SVG's <title> and <desc>. */
ms_plot *ms_plot_alloc(double w, double h, const char *title, const char *desc);
void ms_plot_free(ms_plot *p);
double ms_plot_width(const ms_plot *p);
double ms_plot_height(const ms_plot *p);

/* Items, drawn in the order added.  Each returns 0, or -1 when out of memory
 * (the plot then refuses further items and every output fails). */
int ms_plot_polyline(ms_plot *p, int n, const double *x, const double *y, const ms_plot_style *st);
int ms_plot_polygon(ms_plot *p, int n, const double *x, const double *y, const ms_plot_style *st);
int ms_plot_rect(ms_plot *p, double x, double y, double w, double h, const ms_plot_style *st);
int ms_plot_circle(ms_plot *p, double x, double y, double r, const ms_plot_style *st);
int ms_plot_text(ms_plot *p, double x, double y, const char *text, const ms_plot_font *font);
/* A group (<g>) around the items added until ms_plot_group_end. */
int ms_plot_group_begin(ms_plot *p);
int ms_plot_group_end(ms_plot *p);
/* An attribute (name="value") on the last item added (group or shape);
 * name is [a-z0-9-], value any text (escaped when written). */
int ms_plot_attr(ms_plot *p, const char *name, const char *value);

/* Advance width of text in px at font (cairo's metrics). */
double ms_plot_text_width(ms_plot *p, const char *text, const ms_plot_font *font);

/* Release cairo's font caches (cairo_debug_reset_static_data): call once at
 * exit, when no plot is alive, so leak checkers see no font data left. */
void ms_plot_cleanup(void);

/* Outputs: 0, or -1 on failure (out of memory, cairo error). */
int ms_plot_svg(const ms_plot *p, FILE *out);
/* PNG bytes (malloc'd) at `scale` pixels per px. */
int ms_plot_png(const ms_plot *p, double scale, unsigned char **buf, size_t *len);

#endif
