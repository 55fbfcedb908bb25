/*
 * diag.c - located diagnostics (magsim/diag.h).
 *
 * An ms_diags is a growable array of diags plus a registry of source texts.
 * The loader registers every text it parses (files and buffers alike), so
 * printing can quote the offending line even for a buffer that never was on
 * disk; for a file that was not registered, printing re-reads it.
 *
 * Columns are 1-based and count characters (UTF-8 code points), as libyaml's
 * marks do; the caret line copies tabs from the source so that it lines up.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "magsim/diag.h"
#include "fileio.h"

static const char *const kind_names[MS_D_NKINDS] = {
    "io", "empty", "utf8", "syntax", "type", "unknown-key", "duplicate-key", "missing",
    "number", "range", "sum", "date", "dist", "reference", "value", "version", "limit", "warning",
};

const char *ms_diag_kind_name(ms_diag_kind k)
{
    if ((unsigned)k >= MS_D_NKINDS)
        return "?";
    return kind_names[k];
}

static char *dupstr(const char *s)
{
    size_t n = strlen(s ? s : "");
    char *p = malloc(n + 1);
    if (p)
        memcpy(p, s ? s : "", n + 1);
    return p;
}

void ms_diags_init(ms_diags *d)
{
    memset(d, 0, sizeof *d);
}

void ms_diags_clear(ms_diags *d)
{
    for (int i = 0; i < d->n; i++) {
        free(d->v[i].file);
        free(d->v[i].message);
    }
    for (int i = 0; i < d->nsrc; i++) {
        free(d->src[i].file);
        free(d->src[i].text);
    }
    free(d->v);
    free(d->src);
    memset(d, 0, sizeof *d);
}

void ms_diags_add(ms_diags *d, ms_diag_kind kind, const char *file, int line, int column,
                  const char *fmt, ...)
{
    if (d->n == d->cap) {
        int cap = d->cap ? 2 * d->cap : 16;
        ms_diag *v = realloc(d->v, (size_t)cap * sizeof *v);
        if (!v)
            return;
        d->v = v;
        d->cap = cap;
    }
    va_list ap;
    va_start(ap, fmt);
    va_list ap2;
    va_copy(ap2, ap);
    int len = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *msg = malloc(len > 0 ? (size_t)len + 1 : 1);
    if (msg) {
        if (len > 0)
            vsnprintf(msg, (size_t)len + 1, fmt, ap2);
        else
            msg[0] = 0;
    }
    va_end(ap2);
    ms_diag *g = &d->v[d->n++];
    g->kind = kind;
    g->file = dupstr(file ? file : "<input>");
    g->line = line < 0 ? 0 : line;
    g->column = column < 0 ? 0 : column;
    g->message = msg ? msg : dupstr("(out of memory)");
    if (kind != MS_D_WARNING)
        d->nerrors++;
}

void ms_diags_add_source(ms_diags *d, const char *file, const char *text, size_t len)
{
    if (!file)
        return;
    char *copy = malloc(len + 1);
    if (!copy)
        return;
    if (len)
        memcpy(copy, text, len);
    copy[len] = 0;
    for (int i = 0; i < d->nsrc; i++)
        if (strcmp(d->src[i].file, file) == 0) {
            free(d->src[i].text);
            d->src[i].text = copy;
            d->src[i].len = len;
            return;
        }
    if (d->nsrc == d->srccap) {
        int cap = d->srccap ? 2 * d->srccap : 4;
        ms_diag_source *v = realloc(d->src, (size_t)cap * sizeof *v);
        if (!v) {
            free(copy);
            return;
        }
        d->src = v;
        d->srccap = cap;
    }
    ms_diag_source *s = &d->src[d->nsrc];
    s->file = dupstr(file);
    if (!s->file) {
        free(copy);
        return;
    }
    s->text = copy;
    s->len = len;
    d->nsrc++;
}

int ms_diags_count(const ms_diags *d, ms_diag_kind kind)
{
    int c = 0;
    for (int i = 0; i < d->n; i++)
        if (kind == MS_D_NKINDS || d->v[i].kind == kind)
            c++;
    return c;
}

const ms_diag *ms_diags_find(const ms_diags *d, ms_diag_kind kind, int line, int column)
{
    for (int i = 0; i < d->n; i++)
        if (d->v[i].kind == kind && d->v[i].line == line && (column == 0 || d->v[i].column == column))
            return &d->v[i];
    return NULL;
}

/* ---- printing ------------------------------------------------------------ */

static int cmp_diag(const void *a, const void *b)
{
    const ms_diag *x = *(const ms_diag *const *)a, *y = *(const ms_diag *const *)b;
    int c = strcmp(x->file, y->file);
    if (c) return c;
    if (x->line != y->line) return x->line < y->line ? -1 : 1;
    if (x->column != y->column) return x->column < y->column ? -1 : 1;
    return x < y ? -1 : x > y; /* stable: insertion order */
}

/* Text of a file: registered copy, else read from disk into *owned. */
static const char *source_of(const ms_diags *d, const char *file, size_t *len, char **owned)
{
    *owned = NULL;
    for (int i = 0; i < d->nsrc; i++)
        if (strcmp(d->src[i].file, file) == 0) {
            *len = d->src[i].len;
            return d->src[i].text;
        }
    int err;
    char *buf = ms_read_file(file, (size_t)64 << 20, len, &err);
    if (!buf)
        return NULL;
    *owned = buf;
    return buf;
}

static void print_source_line(const char *text, size_t len, int line, int column, FILE *out, int color)
{
    size_t i = 0;
    int l = 1;
    while (i < len && l < line) {
        if (text[i] == '\n')
            l++;
        i++;
    }
    if (l != line || i > len)
        return;
    size_t e = i;
    while (e < len && text[e] != '\n' && text[e] != '\r')
        e++;
    if (e - i > 512)
        e = i + 512; /* very long lines: quote the start only */
    fprintf(out, "%6d | ", line);
    for (size_t k = i; k < e; k++) {
        unsigned char c = (unsigned char)text[k];
        fputc(c < 0x20 && c != '\t' ? '?' : c, out);
    }
    fputc('\n', out);
    if (column < 1)
        return;
    fputs("       | ", out);
    int col = 1;
    for (size_t k = i; k < e && col < column; k++) {
        unsigned char c = (unsigned char)text[k];
        if ((c & 0xC0) == 0x80)
            continue; /* continuation byte: same character */
        fputc(c == '\t' ? '\t' : ' ', out);
        col++;
    }
    for (; col < column; col++)
        fputc(' ', out);
    fputs(color ? "\033[1;32m^\033[0m\n" : "^\n", out);
}

void ms_diag_print_one(const ms_diags *d, const ms_diag *g, FILE *out, int color)
{
    const char *sev = g->kind == MS_D_WARNING ? "warning" : "error";
    const char *sc = g->kind == MS_D_WARNING ? "\033[1;35m" : "\033[1;31m";
    if (color)
        fputs("\033[1m", out);
    if (g->line > 0 && g->column > 0)
        fprintf(out, "%s:%d:%d:", g->file, g->line, g->column);
    else if (g->line > 0)
        fprintf(out, "%s:%d:", g->file, g->line);
    else
        fprintf(out, "%s:", g->file);
    if (color)
        fprintf(out, "\033[0m %s%s:\033[0m %s\n", sc, sev, g->message);
    else
        fprintf(out, " %s: %s\n", sev, g->message);
    if (g->line > 0) {
        size_t len = 0;
        char *owned = NULL;
        const char *text = source_of(d, g->file, &len, &owned);
        if (text)
            print_source_line(text, len, g->line, g->column, out, color);
        free(owned);
    }
}

void ms_diags_print(const ms_diags *d, FILE *out, int color)
{
    if (d->n == 0)
        return;
    const ms_diag **order = malloc((size_t)d->n * sizeof *order);
    if (!order) {
        for (int i = 0; i < d->n; i++)
            ms_diag_print_one(d, &d->v[i], out, color);
        return;
    }
    for (int i = 0; i < d->n; i++)
        order[i] = &d->v[i];
    qsort(order, (size_t)d->n, sizeof *order, cmp_diag);
    for (int i = 0; i < d->n; i++)
        ms_diag_print_one(d, order[i], out, color);
    free(order);
}
