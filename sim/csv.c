/*
 * csv.c - reading the CSV files magsim writes (magsim/csv.h).
 *
 * One pass over a private copy of the file: a field is unquoted in place
 * (quotes dropped, "" folded to ") and NUL-terminated where its separator
 * was, and its start is recorded.  The header fixes the number of fields;
 * a row with another count is an error naming its line.  A final line break
 * is optional; a CR before a line break is dropped (files edited on Windows).
 * Because a field is unquoted in place and starts where it started in the
 * file, a cell's offset in the copy is its offset in the file
 * (ms_csv_offset: input files locate their errors by it).
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "magsim/csv.h"

static void seterr(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (err && errlen)
        vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* The parser's state: the write cursor and the cells found so far. */
typedef struct csv_state {
    ms_csv *c;
    size_t cap;          /* cells allocated */
    size_t ncell;        /* cells recorded */
    int rowcap;          /* rows allocated in c->line */
    int nrowall;         /* rows recorded, header included */
} csv_state;

static int push_cell(csv_state *st, const char *start)
{
    if (st->ncell == st->cap) {
        size_t cap = st->cap ? 2 * st->cap : 256;
        const char **nc = realloc(st->c->cell, cap * sizeof *nc);
        if (!nc)
            return -1;
        st->c->cell = nc;
        st->cap = cap;
    }
    st->c->cell[st->ncell++] = start;
    return 0;
}

static int push_row(csv_state *st, int line)
{
    if (st->nrowall == st->rowcap) {
        int cap = st->rowcap ? 2 * st->rowcap : 64;
        int *nl = realloc(st->c->line, (size_t)cap * sizeof *nl);
        if (!nl)
            return -1;
        st->c->line = nl;
        st->rowcap = cap;
    }
    st->c->line[st->nrowall++] = line;
    return 0;
}

/* Read one field starting at *pp, unquoting it in place (a quoted field's
 * bytes move left over its opening quote, so it starts where it did); leave
 * *pp at the separator (',' / '\n' / '\r' / NUL), which the caller then
 * overwrites with the field's NUL.  Counts line breaks inside quotes. */
static int read_field(char **pp, int *line)
{
    char *p = *pp, *w = p;
    if (*p != '"') {
        while (*p && *p != ',' && *p != '\n' && *p != '\r') {
            if (*p == '"')
                return -1;   /* a quote inside an unquoted field */
            p++;
        }
        *pp = p;
        return 0;
    }
    p++;
    int open_line = *line;
    for (;;) {
        if (!*p) {
            *line = open_line;   /* located where the quote opens */
            return -2;
        }
        if (*p == '"') {
            if (p[1] != '"')
                break;
            p++;   /* "" -> " */
        } else if (*p == '\n') {
            (*line)++;
        }
        *w++ = *p++;
    }
    p++;   /* the closing quote */
    if (*p && *p != ',' && *p != '\n' && *p != '\r')
        return -3;   /* text after the closing quote */
    *w = '\0';      /* w < p: the separator is still there */
    *pp = p;
    return 1;
}

static const char *field_error(int rc)
{
    switch (rc) {
    case -1: return "a quote inside an unquoted field";
    case -2: return "a quoted field that never ends (its opening quote is on this line)";
    default: return "text after the closing quote of a field";
    }
}

static int parse_all(csv_state *st, char *err, size_t errlen, int *errline)
{
    ms_csv *c = st->c;
    char *p = c->text;
    int line = 1;
    while (*p) {
        int row_line = line, nf = 0;
        if (push_row(st, row_line))
            goto oom;
        for (;;) {
            char *start = p;
            int rc = read_field(&p, &line);
            if (rc < 0) {
                *errline = line;
                seterr(err, errlen, "%s", field_error(rc));
                return -1;
            }
            char sep = *p;
            *p = '\0';
            if (push_cell(st, start))
                goto oom;
            nf++;
            if (sep == ',') {
                p++;
                continue;
            }
            if (sep == '\r')
                p += p[1] == '\n' ? 2 : 1;
            else if (sep == '\n')
                p++;
            line++;
            break;
        }
        if (st->nrowall == 1)
            c->ncols = nf;
        else if (nf != c->ncols) {
            *errline = row_line;
            seterr(err, errlen, "%d fields, expected %d (as in the header)", nf, c->ncols);
            return -1;
        }
    }
    return 0;
oom:
    seterr(err, errlen, "out of memory");
    return -1;
}

ms_csv *ms_csv_parse_at(const char *buf, size_t len, char *err, size_t errlen, int *errline)
{
    *errline = 0;
    ms_csv *c = calloc(1, sizeof *c);
    if (!c || !(c->text = malloc(len + 2))) {
        free(c);
        seterr(err, errlen, "out of memory");
        return NULL;
    }
    memcpy(c->text, buf, len);
    c->text[len] = c->text[len + 1] = '\0';
    if (strlen(c->text) != len) {
        seterr(err, errlen, "a NUL byte: not a text file");
        ms_csv_free(c);
        return NULL;
    }
    csv_state st = {.c = c};
    if (parse_all(&st, err, errlen, errline)) {
        ms_csv_free(c);
        return NULL;
    }
    if (st.nrowall == 0) {
        seterr(err, errlen, "empty file (no header line)");
        ms_csv_free(c);
        return NULL;
    }
    c->nrows = st.nrowall - 1;
    return c;
}

ms_csv *ms_csv_parse(const char *name, const char *buf, size_t len, char *err, size_t errlen)
{
    char msg[256];
    int line;
    ms_csv *c = ms_csv_parse_at(buf, len, msg, sizeof msg, &line);
    if (!c && line > 0)
        seterr(err, errlen, "%s:%d: %s", name, line, msg);
    else if (!c)
        seterr(err, errlen, "%s: %s", name, msg);
    return c;
}

void ms_csv_free(ms_csv *c)
{
    if (!c)
        return;
    free(c->text);
    free(c->cell);
    free(c->line);
    free(c);
}

int ms_csv_col(const ms_csv *c, const char *name)
{
    for (int k = 0; k < c->ncols; k++)
        if (!strcmp(c->cell[k], name))
            return k;
    return -1;
}

const char *ms_csv_get(const ms_csv *c, int r, int k)
{
    if (k < 0 || k >= c->ncols || r < 0 || r >= c->nrows)
        return "";
    return c->cell[(size_t)(r + 1) * (size_t)c->ncols + (size_t)k];
}

long ms_csv_offset(const ms_csv *c, int r, int k)
{
    if (k < 0 || k >= c->ncols || r < -1 || r >= c->nrows)
        return -1;
    return (long)(c->cell[(size_t)(r + 1) * (size_t)c->ncols + (size_t)k] - c->text);
}

int ms_csv_num(const char *field, double *x)
{
    if (!*field) {
        *x = NAN;
        return 0;
    }
    char *end;
    errno = 0;
    double v = strtod(field, &end);
    if (end == field || *end || !isfinite(v))
        return -1;
    *x = v;
    return 0;
}
