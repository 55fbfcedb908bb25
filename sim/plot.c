/*
 * plot.c - a figure as a list of drawing items, written as SVG and PNG
 * (magsim/plot.h).
 *
 * The list owns copies of everything (points, text, attributes).  The SVG
 * writer and the cairo renderer walk the same list, so the two files of a
 * figure show the same thing by construction.  A measuring context (a 1x1
 * cairo surface) lives with the plot so charts can size text before they
 * place it.  Font options are fixed (grey anti-aliasing, no hinting, no
 * hinted metrics): the PNG depends only on the items, cairo and the font.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cairo.h>
#include <fontconfig/fontconfig.h>

#include "magsim/fmt.h"
#include "magsim/plot.h"

#define PLOT_FONT "DejaVu Sans"
#define SVG_FONTS "DejaVu Sans, Verdana, Arial, sans-serif"

typedef enum item_kind { IT_POLYLINE, IT_POLYGON, IT_RECT, IT_CIRCLE, IT_TEXT, IT_GROUP, IT_GROUP_END } item_kind;

typedef struct item {
    item_kind kind;      /* what is drawn */
    ms_plot_style st;    /* shapes: outline and fill */
    ms_plot_font font;   /* text: size, weight, colour, anchor, rotation */
    int n;               /* polyline, polygon: points in xy */
    double *xy;          /* polyline/polygon: [2n] x,y pairs; rect: x,y,w,h; circle: x,y,r; text: x,y (px) */
    char *text;          /* text: the cleaned UTF-8 string */
    char *attrs;         /* extra attributes, ' name="escaped value"' each, or NULL */
} item;

struct ms_plot {
    double w, h;         /* canvas size, px */
    char *title, *desc;  /* SVG <title> and <desc> (cleaned) */
    item *items;         /* [nitems] in drawing order */
    int nitems, cap;
    int failed;          /* an allocation failed: every output fails */
    cairo_surface_t *msurf;   /* measuring surface (1x1) */
    cairo_t *mcr;             /* measuring context */
};

/* ---- text hygiene ---------------------------------------------------------- */

/* Length of the valid UTF-8 sequence at s (1..4), 0 when invalid. */
static int utf8_len(const unsigned char *s)
{
    if (s[0] < 0x80)
        return 1;
    int n = s[0] >= 0xF0 && s[0] <= 0xF4 ? 4 : s[0] >= 0xE0 ? 3 : s[0] >= 0xC2 && s[0] < 0xE0 ? 2 : 0;
    if (!n || (n == 3 && s[0] >= 0xF0))
        return 0;
    for (int k = 1; k < n; k++)
        if ((s[k] & 0xC0) != 0x80)
            return 0;
    unsigned cp = n == 2 ? (s[0] & 0x1Fu) : n == 3 ? (s[0] & 0x0Fu) : (s[0] & 0x07u);
    for (int k = 1; k < n; k++)
        cp = cp << 6 | (s[k] & 0x3Fu);
    if ((n == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
        return 0;
    return n;
}

/* A copy of s with invalid UTF-8 and control characters replaced by '?'. */
static char *clean_text(const char *s)
{
    size_t len = strlen(s);
    char *out = malloc(len + 1);
    if (!out)
        return NULL;
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0, o = 0;
    while (i < len) {
        int n = utf8_len(u + i);
        if (n == 0 || (n == 1 && (u[i] < 0x20 || u[i] == 0x7F))) {
            out[o++] = '?';
            i++;
            continue;
        }
        memcpy(out + o, s + i, (size_t)n);
        o += (size_t)n;
        i += (size_t)n;
    }
    out[o] = '\0';
    return out;
}

/* ---- the list ------------------------------------------------------------------ */

static void set_font_options(cairo_t *cr)
{
    cairo_font_options_t *fo = cairo_font_options_create();
    cairo_font_options_set_antialias(fo, CAIRO_ANTIALIAS_GRAY);
    cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
    cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
    cairo_set_font_options(cr, fo);
    cairo_font_options_destroy(fo);
}

ms_plot *ms_plot_alloc(double w, double h, const char *title, const char *desc)
{
    ms_plot *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->w = w;
    p->h = h;
    p->title = clean_text(title ? title : "");
    p->desc = clean_text(desc ? desc : "");
    p->msurf = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 1, 1);
    p->mcr = cairo_create(p->msurf);
    if (!p->title || !p->desc || cairo_status(p->mcr) != CAIRO_STATUS_SUCCESS) {
        ms_plot_free(p);
        return NULL;
    }
    set_font_options(p->mcr);
    return p;
}

void ms_plot_free(ms_plot *p)
{
    if (!p)
        return;
    for (int i = 0; i < p->nitems; i++) {
        free(p->items[i].xy);
        free(p->items[i].text);
        free(p->items[i].attrs);
    }
    free(p->items);
    free(p->title);
    free(p->desc);
    if (p->mcr)
        cairo_destroy(p->mcr);
    if (p->msurf)
        cairo_surface_destroy(p->msurf);
    free(p);
}

void ms_plot_cleanup(void)
{
    cairo_debug_reset_static_data();
    FcFini();
}

double ms_plot_width(const ms_plot *p) { return p->w; }
double ms_plot_height(const ms_plot *p) { return p->h; }

/* A new item with n coordinate pairs' room (nxy doubles). */
static item *push(ms_plot *p, item_kind kind, int nxy)
{
    if (p->failed)
        return NULL;
    if (p->nitems == p->cap) {
        int cap = p->cap ? 2 * p->cap : 64;
        item *ni = realloc(p->items, (size_t)cap * sizeof *ni);
        if (!ni) {
            p->failed = 1;
            return NULL;
        }
        p->items = ni;
        p->cap = cap;
    }
    item *it = &p->items[p->nitems];
    memset(it, 0, sizeof *it);
    it->kind = kind;
    if (nxy > 0 && !(it->xy = malloc((size_t)nxy * sizeof *it->xy))) {
        p->failed = 1;
        return NULL;
    }
    p->nitems++;
    return it;
}

static int push_points(ms_plot *p, item_kind kind, int n, const double *x, const double *y, const ms_plot_style *st)
{
    item *it = n > 0 ? push(p, kind, 2 * n) : NULL;
    if (!it)
        return n > 0 ? -1 : 0;
    it->n = n;
    it->st = *st;
    for (int i = 0; i < n; i++) {
        it->xy[2 * i] = x[i];
        it->xy[2 * i + 1] = y[i];
    }
    return 0;
}

int ms_plot_polyline(ms_plot *p, int n, const double *x, const double *y, const ms_plot_style *st)
{
    return push_points(p, IT_POLYLINE, n, x, y, st);
}

int ms_plot_polygon(ms_plot *p, int n, const double *x, const double *y, const ms_plot_style *st)
{
    return push_points(p, IT_POLYGON, n, x, y, st);
}

int ms_plot_rect(ms_plot *p, double x, double y, double w, double h, const ms_plot_style *st)
{
    item *it = push(p, IT_RECT, 4);
    if (!it)
        return -1;
    it->st = *st;
    it->xy[0] = x, it->xy[1] = y, it->xy[2] = w, it->xy[3] = h;
    return 0;
}

int ms_plot_circle(ms_plot *p, double x, double y, double r, const ms_plot_style *st)
{
    item *it = push(p, IT_CIRCLE, 3);
    if (!it)
        return -1;
    it->st = *st;
    it->xy[0] = x, it->xy[1] = y, it->xy[2] = r;
    return 0;
}

int ms_plot_text(ms_plot *p, double x, double y, const char *text, const ms_plot_font *font)
{
    item *it = push(p, IT_TEXT, 2);
    if (!it)
        return -1;
    it->font = *font;
    it->xy[0] = x, it->xy[1] = y;
    if (!(it->text = clean_text(text))) {
        p->failed = 1;
        return -1;
    }
    return 0;
}

int ms_plot_group_begin(ms_plot *p) { return push(p, IT_GROUP, 0) ? 0 : -1; }
int ms_plot_group_end(ms_plot *p) { return push(p, IT_GROUP_END, 0) ? 0 : -1; }

int ms_plot_attr(ms_plot *p, const char *name, const char *value)
{
    if (p->failed || p->nitems == 0)
        return -1;
    item *it = &p->items[p->nitems - 1];
    char *clean = clean_text(value);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = clean ? open_memstream(&buf, &len) : NULL;
    if (!f) {
        free(clean);
        p->failed = 1;
        return -1;
    }
    if (it->attrs)
        fputs(it->attrs, f);
    fputc(' ', f);
    for (const char *c = name; *c; c++) /* names are ours; keep them to [a-z0-9-] */
        fputc((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '-' ? *c : '-', f);
    fputs("=\"", f);
    ms_fmt_xml_str(f, clean);
    fputc('"', f);
    free(clean);
    if (fclose(f) != 0) {
        free(buf);
        p->failed = 1;
        return -1;
    }
    free(it->attrs);
    it->attrs = buf;
    return 0;
}

static void select_font(cairo_t *cr, const ms_plot_font *font)
{
    cairo_select_font_face(cr, PLOT_FONT, CAIRO_FONT_SLANT_NORMAL,
                           font->bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, font->size);
}

double ms_plot_text_width(ms_plot *p, const char *text, const ms_plot_font *font)
{
    char *c = clean_text(text);
    if (!c)
        return 0;
    cairo_text_extents_t ex;
    select_font(p->mcr, font);
    cairo_text_extents(p->mcr, c, &ex);
    free(c);
    return ex.x_advance;
}

/* ---- SVG ------------------------------------------------------------------------ */

/* A coordinate with two decimals ("-0.00" written as "0"). */
static void svg_num(FILE *f, double v)
{
    if (!isfinite(v) || fabs(v) < 0.005)
        v = 0;
    fprintf(f, "%.2f", v);
}

/* ' name="v"' with v as svg_num writes it. */
static void svg_attr(FILE *f, const char *name, double v)
{
    fprintf(f, " %s=\"", name);
    svg_num(f, v);
    fputc('"', f);
}

static void svg_colour(FILE *f, const char *attr, uint32_t rgb)
{
    fprintf(f, " %s=\"#%06x\"", attr, (unsigned)(rgb & 0xFFFFFF));
}

static void svg_style(FILE *f, const ms_plot_style *st, int closed)
{
    if (closed && st->fill_opacity > 0) {
        svg_colour(f, "fill", st->fill);
        if (st->fill_opacity < 1)
            fprintf(f, " fill-opacity=\"%.3g\"", st->fill_opacity);
    } else {
        fputs(" fill=\"none\"", f);
    }
    if (st->stroke_width > 0) {
        svg_colour(f, "stroke", st->stroke);
        svg_attr(f, "stroke-width", st->stroke_width);
        if (st->dash > 0) {
            fputs(" stroke-dasharray=\"", f);
            svg_num(f, st->dash);
            fputc(',', f);
            svg_num(f, st->dash * 0.75);
            fputc('"', f);
        }
        if (!closed)
            fputs(" stroke-linejoin=\"round\" stroke-linecap=\"round\"", f);
    }
}

static void svg_points(FILE *f, const item *it)
{
    fputs(" points=\"", f);
    for (int i = 0; i < it->n; i++) {
        if (i)
            fputc(' ', f);
        svg_num(f, it->xy[2 * i]);
        fputc(',', f);
        svg_num(f, it->xy[2 * i + 1]);
    }
    fputc('"', f);
}

static void svg_text(FILE *f, const item *it)
{
    static const char *const anchors[] = {"start", "middle", "end"};
    fputs("<text", f);
    svg_attr(f, "x", it->xy[0]);
    svg_attr(f, "y", it->xy[1]);
    svg_attr(f, "font-size", it->font.size);
    if (it->font.bold)
        fputs(" font-weight=\"bold\"", f);
    if (it->font.anchor != MS_PLOT_START)
        fprintf(f, " text-anchor=\"%s\"", anchors[it->font.anchor]);
    svg_colour(f, "fill", it->font.colour);
    if (it->font.vertical) {
        fputs(" transform=\"rotate(-90 ", f);
        svg_num(f, it->xy[0]);
        fputc(' ', f);
        svg_num(f, it->xy[1]);
        fputs(")\"", f);
    }
    if (it->attrs)
        fputs(it->attrs, f);
    fputc('>', f);
    ms_fmt_xml_str(f, it->text);
    fputs("</text>\n", f);
}

static void svg_item(FILE *f, const item *it)
{
    const char *attrs = it->attrs ? it->attrs : "";
    switch (it->kind) {
    case IT_POLYLINE:
    case IT_POLYGON:
        fputs(it->kind == IT_POLYLINE ? "<polyline" : "<polygon", f);
        svg_style(f, &it->st, it->kind == IT_POLYGON);
        fputs(attrs, f);
        svg_points(f, it);
        fputs("/>\n", f);
        break;
    case IT_RECT:
    case IT_CIRCLE:
    {
        static const char *const rect[] = {"x", "y", "width", "height"}, *const circle[] = {"cx", "cy", "r"};
        int rc = it->kind == IT_RECT;
        fputs(rc ? "<rect" : "<circle", f);
        for (int k = 0; k < (rc ? 4 : 3); k++)
            svg_attr(f, rc ? rect[k] : circle[k], it->xy[k]);
        svg_style(f, &it->st, 1);
        fputs(attrs, f);
        fputs("/>\n", f);
        break;
    }
    case IT_TEXT: svg_text(f, it); break;
    case IT_GROUP: fprintf(f, "<g%s>\n", attrs); break;
    case IT_GROUP_END: fputs("</g>\n", f); break;
    }
}

int ms_plot_svg(const ms_plot *p, FILE *f)
{
    if (p->failed)
        return -1;
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", f);
    fputs("<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\"", f);
    svg_attr(f, "width", p->w);
    svg_attr(f, "height", p->h);
    fputs(" viewBox=\"0 0 ", f);
    svg_num(f, p->w);
    fputc(' ', f);
    svg_num(f, p->h);
    fputs("\" font-family=\"" SVG_FONTS "\">\n<title>", f);
    ms_fmt_xml_str(f, p->title);
    fputs("</title>\n<desc>", f);
    ms_fmt_xml_str(f, p->desc);
    fputs("</desc>\n<rect x=\"0\" y=\"0\" width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n", f);
    int depth = 0;
    for (int i = 0; i < p->nitems; i++) {
        depth += p->items[i].kind == IT_GROUP ? 1 : p->items[i].kind == IT_GROUP_END ? -1 : 0;
        svg_item(f, &p->items[i]);
    }
    for (; depth > 0; depth--)
        fputs("</g>\n", f);
    fputs("</svg>\n", f);
    return ferror(f) ? -1 : 0;
}

/* ---- PNG (cairo) ------------------------------------------------------------------ */

static void set_rgb(cairo_t *cr, uint32_t rgb, double alpha)
{
    cairo_set_source_rgba(cr, ((rgb >> 16) & 0xFF) / 255.0, ((rgb >> 8) & 0xFF) / 255.0, (rgb & 0xFF) / 255.0,
                          alpha);
}

/* Fill (closed shapes) and stroke the current path as st says. */
static void paint_path(cairo_t *cr, const ms_plot_style *st, int closed)
{
    if (closed && st->fill_opacity > 0) {
        set_rgb(cr, st->fill, st->fill_opacity);
        cairo_fill_preserve(cr);
    }
    if (st->stroke_width > 0) {
        double d[2] = {st->dash, st->dash * 0.75};
        cairo_set_dash(cr, d, st->dash > 0 ? 2 : 0, 0);
        cairo_set_line_width(cr, st->stroke_width);
        cairo_set_line_join(cr, closed ? CAIRO_LINE_JOIN_MITER : CAIRO_LINE_JOIN_ROUND);
        cairo_set_line_cap(cr, closed ? CAIRO_LINE_CAP_BUTT : CAIRO_LINE_CAP_ROUND);
        set_rgb(cr, st->stroke, 1);
        cairo_stroke(cr);
    }
    cairo_new_path(cr);
}

static void png_text(cairo_t *cr, const item *it)
{
    cairo_text_extents_t ex;
    select_font(cr, &it->font);
    cairo_text_extents(cr, it->text, &ex);
    double dx = it->font.anchor == MS_PLOT_MIDDLE ? -ex.x_advance / 2 : it->font.anchor == MS_PLOT_END ? -ex.x_advance : 0;
    cairo_save(cr);
    cairo_translate(cr, it->xy[0], it->xy[1]);
    if (it->font.vertical)
        cairo_rotate(cr, -M_PI / 2);
    cairo_move_to(cr, dx, 0);
    set_rgb(cr, it->font.colour, 1);
    cairo_show_text(cr, it->text);
    cairo_new_path(cr);
    cairo_restore(cr);
}

static void png_item(cairo_t *cr, const item *it)
{
    switch (it->kind) {
    case IT_POLYLINE:
    case IT_POLYGON:
        for (int i = 0; i < it->n; i++)
            (i ? cairo_line_to : cairo_move_to)(cr, it->xy[2 * i], it->xy[2 * i + 1]);
        if (it->kind == IT_POLYGON)
            cairo_close_path(cr);
        paint_path(cr, &it->st, it->kind == IT_POLYGON);
        break;
    case IT_RECT:
        cairo_rectangle(cr, it->xy[0], it->xy[1], it->xy[2], it->xy[3]);
        paint_path(cr, &it->st, 1);
        break;
    case IT_CIRCLE:
        cairo_new_sub_path(cr);
        cairo_arc(cr, it->xy[0], it->xy[1], it->xy[2], 0, 2 * M_PI);
        paint_path(cr, &it->st, 1);
        break;
    case IT_TEXT: png_text(cr, it); break;
    default: break;
    }
}

typedef struct png_buf {
    unsigned char *b;    /* bytes so far */
    size_t n, cap;
} png_buf;

static cairo_status_t png_write(void *ctx, const unsigned char *data, unsigned int len)
{
    png_buf *pb = ctx;
    if (pb->n + len > pb->cap) {
        size_t cap = pb->cap ? pb->cap : 65536;
        while (cap < pb->n + len)
            cap *= 2;
        unsigned char *nb = realloc(pb->b, cap);
        if (!nb)
            return CAIRO_STATUS_NO_MEMORY;
        pb->b = nb;
        pb->cap = cap;
    }
    memcpy(pb->b + pb->n, data, len);
    pb->n += len;
    return CAIRO_STATUS_SUCCESS;
}

int ms_plot_png(const ms_plot *p, double scale, unsigned char **buf, size_t *len)
{
    *buf = NULL;
    *len = 0;
    if (p->failed || !(scale > 0))
        return -1;
    int W = (int)ceil(p->w * scale), H = (int)ceil(p->h * scale);
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, W, H);
    cairo_t *cr = cairo_create(s);
    set_font_options(cr);
    cairo_scale(cr, scale, scale);
    set_rgb(cr, 0xFFFFFF, 1);
    cairo_paint(cr);
    for (int i = 0; i < p->nitems; i++)
        png_item(cr, &p->items[i]);
    int rc = cairo_status(cr) == CAIRO_STATUS_SUCCESS ? 0 : -1;
    cairo_destroy(cr);
    cairo_surface_flush(s);
    png_buf pb = {0};
    if (rc == 0 && cairo_surface_write_to_png_stream(s, png_write, &pb) != CAIRO_STATUS_SUCCESS)
        rc = -1;
    cairo_surface_destroy(s);
    if (rc) {
        free(pb.b);
        return -1;
    }
    *buf = pb.b;
    *len = pb.n;
    return 0;
}
