/*
 * chart.c - panels, axes, fans, lines, points and legends on an ms_plot
 * (magsim/chart.h).
 *
 * Everything is placed in pixels computed from the panel's mapping; text is
 * measured with the plot's metrics so month labels are thinned until they
 * fit and legends are laid out without overlap.  Every number on the canvas
 * goes through ms_chart_tick_label (C locale, decimals from the tick step).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "magsim/chart.h"

const uint32_t ms_chart_palette[8] = {MS_C_BLUE, MS_C_ORANGE, MS_C_GREEN, MS_C_VERMILION,
                                      MS_C_SKY,  MS_C_PURPLE, MS_C_YELLOW, MS_C_BLACK};

double ms_chart_px(const ms_chart_panel *pn, double x)
{
    double d = pn->x1 - pn->x0;
    return pn->px + (d > 0 ? (x - pn->x0) / d : 0.5) * pn->pw;
}

double ms_chart_py(const ms_chart_panel *pn, double y)
{
    double d = pn->y1 - pn->y0;
    return pn->py + pn->ph - (d > 0 ? (y - pn->y0) / d : 0.5) * pn->ph;
}

static double nice_step(double raw)
{
    double mag = pow(10.0, floor(log10(raw)));
    double f = raw / mag;
    return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
}

void ms_chart_nice_range(double lo, double hi, int target, double *y0, double *y1, double *step)
{
    if (!isfinite(lo) || !isfinite(hi) || hi < lo) {
        lo = 0;
        hi = 1;
    }
    if (hi - lo < 1e-12 * (fabs(hi) > 1 ? fabs(hi) : 1))
        hi = lo + (lo == 0 ? 1 : fabs(lo) * 0.1);
    if (target < 2)
        target = 2;
    double s = nice_step((hi - lo) / target);
    /* a little tolerance so 0.3 / 0.1 does not become 3.0000000004 steps */
    *y0 = floor(lo / s + 1e-9) * s;
    *y1 = ceil(hi / s - 1e-9) * s;
    if (*y1 <= *y0)
        *y1 = *y0 + s;
    *step = s;
}

/* Decimals that show every multiple of step exactly (at most 6). */
static int decimals_for(double step)
{
    int d = 0;
    while (d < 6 && fabs(step * pow(10.0, d) - round(step * pow(10.0, d))) > 1e-6 * step * pow(10.0, d))
        d++;
    return d;
}

/* "1234567" -> "1,234,567" (in place, buf large enough). */
static void group_thousands(char *buf, size_t len)
{
    char *digits = buf + (buf[0] == '-');
    size_t nint = strcspn(digits, ".");
    if (nint <= 3)
        return;
    size_t ncomma = (nint - 1) / 3, total = strlen(buf);
    if (total + ncomma + 1 > len)
        return;
    char *src = digits + nint, *end = buf + total;
    memmove(src + ncomma, src, (size_t)(end - src) + 1);
    char *w = src + ncomma - 1;
    int k = 0;
    for (char *r = src - 1; r >= digits; r--) {
        *w-- = *r;
        if (++k % 3 == 0 && r > digits)
            *w-- = ',';
    }
}

void ms_chart_tick_label(double v, double step, ms_axis_fmt fmt, char *buf, size_t len)
{
    if (fmt == MS_AXIS_MONTH) {
        int m = (int)lround(v);
        snprintf(buf, len, "%04d-%02d", m / 12, m % 12 + 1);
        return;
    }
    double scale = fmt == MS_AXIS_PERCENT ? 100 : 1;
    int d = decimals_for(step * scale);
    double x = v * scale;
    if (fabs(x) < 0.5 * pow(10.0, -d))
        x = 0;   /* no "-0" */
    snprintf(buf, len, "%.*f", d, x);
    group_thousands(buf, len);
    if (fmt == MS_AXIS_PERCENT && strlen(buf) + 2 <= len)
        strcat(buf, "%");
}

static ms_plot_font font_of(double size, int bold, uint32_t colour, ms_plot_anchor a)
{
    ms_plot_font f = {.size = size, .bold = bold, .colour = colour, .anchor = a};
    return f;
}

double ms_chart_title(ms_plot *p, const char *title, const char *subtitle)
{
    ms_plot_font ft = font_of(MS_CHART_TITLE, 1, MS_C_TEXT, MS_PLOT_START);
    ms_plot_font fs = font_of(MS_CHART_SUBTITLE, 0, 0x555555, MS_PLOT_START);
    double y = 28;
    if (title && *title)
        ms_plot_text(p, 16, y, title, &ft);
    if (subtitle && *subtitle) {
        y += 20;
        ms_plot_text(p, 16, y, subtitle, &fs);
    }
    return y + 10;
}

int ms_chart_note(ms_plot *p, const char *note)
{
    ms_plot_font fn = font_of(MS_CHART_NOTE, 0, MS_C_GREY, MS_PLOT_START);
    return note && *note ? ms_plot_text(p, 16, ms_plot_height(p) - 10, note, &fn) : 0;
}

void ms_chart_grid_cell(double x, double y, double w, double h, int nrows, int ncols, int r, int c, double ml,
                        double mb, double mt, ms_chart_panel *pn)
{
    double cw = w / ncols, ch = h / nrows;
    pn->px = x + c * cw + ml;
    pn->py = y + r * ch + mt;
    pn->pw = cw - ml - 14;
    pn->ph = ch - mt - mb;
}

/* The months step (1, 2, 3, 6, 12, 24) whose labels fit side by side. */
static int month_step(ms_plot *p, const ms_chart_panel *pn)
{
    static const int steps[] = {1, 2, 3, 6, 12, 24, 60, 120};
    ms_plot_font f = font_of(MS_CHART_TICK, 0, 0, MS_PLOT_MIDDLE);
    double lw = ms_plot_text_width(p, "2025-01", &f) + 10;
    double span = pn->x1 - pn->x0, per = span > 0 ? pn->pw / span : pn->pw;
    for (size_t k = 0; k < sizeof steps / sizeof steps[0]; k++)
        if (steps[k] * per >= lw)
            return steps[k];
    return 120;
}

static int x_ticks(ms_plot *p, const ms_chart_panel *pn, int show)
{
    ms_plot_font f = font_of(MS_CHART_TICK, 0, 0x444444, MS_PLOT_MIDDLE);
    ms_plot_style grid = {.stroke = MS_C_GRID, .stroke_width = 1};
    double step, a, b;
    char lab[48];
    if (pn->xfmt == MS_AXIS_MONTH) {
        step = month_step(p, pn);
        a = ceil(pn->x0 / step - 1e-9) * step;
        b = pn->x1;
    } else {
        ms_chart_nice_range(pn->x0, pn->x1, (int)(pn->pw / 60) + 1, &a, &b, &step);
        a = ceil(pn->x0 / step - 1e-9) * step;
        b = pn->x1;
    }
    for (double v = a; v <= b + 1e-9 * fabs(step); v += step) {
        double x = ms_chart_px(pn, v);
        double gx[2] = {x, x}, gy[2] = {pn->py, pn->py + pn->ph + 4};
        ms_plot_polyline(p, 2, gx, gy, &grid);
        if (show) {
            ms_chart_tick_label(v, step, pn->xfmt, lab, sizeof lab);
            ms_plot_text(p, x, pn->py + pn->ph + 17, lab, &f);
        }
    }
    return 0;
}

static int y_ticks(ms_plot *p, const ms_chart_panel *pn, int show)
{
    ms_plot_font f = font_of(MS_CHART_TICK, 0, 0x444444, MS_PLOT_END);
    ms_plot_style grid = {.stroke = MS_C_GRID, .stroke_width = 1};
    double a, b, step;
    char lab[48];
    ms_chart_nice_range(pn->y0, pn->y1, pn->ph >= 200 ? 5 : pn->ph >= 100 ? 4 : 3, &a, &b, &step);
    a = ceil(pn->y0 / step - 1e-9) * step;
    for (double v = a; v <= pn->y1 + 1e-9 * fabs(step); v += step) {
        double y = ms_chart_py(pn, v);
        double gx[2] = {pn->px - 4, pn->px + pn->pw}, gy[2] = {y, y};
        ms_plot_polyline(p, 2, gx, gy, &grid);
        if (show) {
            ms_chart_tick_label(v, step, pn->yfmt, lab, sizeof lab);
            ms_plot_text(p, pn->px - 7, y + 4, lab, &f);
        }
    }
    return 0;
}

int ms_chart_axes(ms_plot *p, const ms_chart_panel *pn, const char *title, const char *xlabel, const char *ylabel,
                  int show_x, int show_y)
{
    char buf[160];
    ms_plot_group_begin(p);
    ms_plot_attr(p, "class", "panel");
    snprintf(buf, sizeof buf, "%.2f %.2f %.2f %.2f", pn->px, pn->py, pn->pw, pn->ph);
    ms_plot_attr(p, "data-plot", buf);
    snprintf(buf, sizeof buf, "%.17g %.17g %.17g %.17g", pn->x0, pn->x1, pn->y0, pn->y1);
    ms_plot_attr(p, "data-domain", buf);
    if (title)
        ms_plot_attr(p, "data-title", title);
    x_ticks(p, pn, show_x);
    y_ticks(p, pn, show_y);
    ms_plot_style axis = {.stroke = 0x888888, .stroke_width = 1};
    double ax[3] = {pn->px, pn->px, pn->px + pn->pw}, ay[3] = {pn->py, pn->py + pn->ph, pn->py + pn->ph};
    ms_plot_polyline(p, 3, ax, ay, &axis);
    if (title && *title) {
        ms_plot_font ft = font_of(MS_CHART_PANEL_TITLE, 1, MS_C_TEXT, MS_PLOT_START);
        ms_plot_text(p, pn->px, pn->py - 8, title, &ft);
    }
    ms_plot_font fl = font_of(MS_CHART_LABEL, 0, 0x444444, MS_PLOT_MIDDLE);
    if (xlabel && *xlabel)
        ms_plot_text(p, pn->px + pn->pw / 2, pn->py + pn->ph + 36, xlabel, &fl);
    if (ylabel && *ylabel) {
        fl.vertical = 1;
        ms_plot_text(p, pn->px - 52, pn->py + pn->ph / 2, ylabel, &fl);
    }
    return 0;
}

int ms_chart_panel_end(ms_plot *p)
{
    return ms_plot_group_end(p);
}

/* The data-values attribute: the plotted values, round-trip decimal, "" for gaps. */
static void values_attr(ms_plot *p, int n, const double *y)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return;
    for (int i = 0; i < n; i++) {
        char b[40] = "";
        if (isfinite(y[i]))
            snprintf(b, sizeof b, "%.17g", y[i]);
        fprintf(f, "%s%s", i ? " " : "", b);
    }
    if (fclose(f) == 0)
        ms_plot_attr(p, "data-values", buf);
    free(buf);
}

int ms_chart_band(ms_plot *p, const ms_chart_panel *pn, int n, const double *x, const double *lo, const double *hi,
                  uint32_t colour, double opacity, const char *key)
{
    if (n < 2)
        return 0;
    double *px = malloc(4 * (size_t)n * sizeof *px), *py = px ? px + 2 * n : NULL;
    if (!px)
        return -1;
    int k = 0;
    for (int i = 0; i < n; i++)
        if (isfinite(lo[i]) && isfinite(hi[i])) {
            px[k] = ms_chart_px(pn, x[i]);
            py[k++] = ms_chart_py(pn, hi[i]);
        }
    int top = k;
    for (int i = n - 1; i >= 0; i--)
        if (isfinite(lo[i]) && isfinite(hi[i])) {
            px[k] = ms_chart_px(pn, x[i]);
            py[k++] = ms_chart_py(pn, lo[i]);
        }
    int rc = 0;
    if (top >= 2) {
        ms_plot_style st = {.fill = colour, .fill_opacity = opacity};
        rc = ms_plot_polygon(p, k, px, py, &st);
        if (key)
            ms_plot_attr(p, "data-key", key);
    }
    free(px);
    return rc;
}

int ms_chart_line(ms_plot *p, const ms_chart_panel *pn, int n, const double *x, const double *y, uint32_t colour,
                  double width, double dash, const char *key)
{
    if (n < 1)
        return 0;
    double *px = malloc(2 * (size_t)n * sizeof *px), *py = px ? px + n : NULL;
    if (!px)
        return -1;
    int k = 0;
    for (int i = 0; i < n; i++)
        if (isfinite(y[i])) {
            px[k] = ms_chart_px(pn, x[i]);
            py[k++] = ms_chart_py(pn, y[i]);
        }
    int rc = 0;
    if (k > 0) {
        ms_plot_style st = {.stroke = colour, .stroke_width = width, .dash = dash};
        rc = ms_plot_polyline(p, k, px, py, &st);
        if (key) {
            ms_plot_attr(p, "data-key", key);
            values_attr(p, n, y);
        }
    }
    free(px);
    return rc;
}

int ms_chart_points(ms_plot *p, const ms_chart_panel *pn, int n, const double *x, const double *y, uint32_t colour,
                    double radius, const char *key)
{
    ms_plot_style st = {.stroke = 0xFFFFFF, .stroke_width = 1, .fill = colour, .fill_opacity = 1};
    ms_plot_group_begin(p);
    if (key)
        ms_plot_attr(p, "data-key", key);
    for (int i = 0; i < n; i++)
        if (isfinite(y[i]) && isfinite(x[i])) {
            char b[40];
            ms_plot_circle(p, ms_chart_px(pn, x[i]), ms_chart_py(pn, y[i]), radius, &st);
            snprintf(b, sizeof b, "%.17g", y[i]);
            ms_plot_attr(p, "data-value", b);
        }
    return ms_plot_group_end(p);
}

int ms_chart_interval(ms_plot *p, const ms_chart_panel *pn, double ypx, double lo, double mid, double hi,
                      uint32_t colour, const char *key)
{
    ms_plot_style line = {.stroke = colour, .stroke_width = 3};
    ms_plot_style dot = {.stroke = 0xFFFFFF, .stroke_width = 1, .fill = colour, .fill_opacity = 1};
    double x[2] = {ms_chart_px(pn, lo), ms_chart_px(pn, hi)}, y[2] = {ypx, ypx};
    ms_plot_group_begin(p);
    if (key)
        ms_plot_attr(p, "data-key", key);
    if (isfinite(lo) && isfinite(hi))
        ms_plot_polyline(p, 2, x, y, &line);
    if (isfinite(mid))
        ms_plot_circle(p, ms_chart_px(pn, mid), ypx, 4.5, &dot);
    return ms_plot_group_end(p);
}

double ms_chart_legend(ms_plot *p, double x, double y, const ms_legend_entry *e, int n)
{
    ms_plot_font f = font_of(MS_CHART_LABEL, 0, MS_C_TEXT, MS_PLOT_START);
    double x0 = x;
    for (int i = 0; i < n; i++) {
        ms_plot_style st = {.stroke = e[i].colour, .fill = e[i].colour, .fill_opacity = e[i].opacity};
        switch (e[i].kind) {
        case MS_LEGEND_BAND:
            ms_plot_rect(p, x, y - 10, 22, 12, &st);
            break;
        case MS_LEGEND_LINE: {
            double lx[2] = {x, x + 22}, ly[2] = {y - 4, y - 4};
            st.stroke_width = 2.5;
            ms_plot_polyline(p, 2, lx, ly, &st);
            break;
        }
        case MS_LEGEND_POINT:
            st.fill_opacity = 1;
            st.stroke = 0xFFFFFF;
            st.stroke_width = 1;
            ms_plot_circle(p, x + 11, y - 4, 4.5, &st);
            break;
        }
        ms_plot_text(p, x + 28, y, e[i].label, &f);
        x += 28 + ms_plot_text_width(p, e[i].label, &f) + 22;
    }
    return x - x0;
}
