/*
 * observed.c - an observations file, read and checked against a scenario
 * (magsim/observed.h).
 *
 * The file is split by the project's CSV reader (sim/csv.c), whose cells
 * keep their offsets in the file, so every error points at the field's
 * line and column.  Each row is checked field by field, every problem
 * appended to the diagnostics and the walk going on, so one pass reports
 * them all; duplicates are found afterwards by sorting the good rows on
 * their key.  A row's statistics are worked out from the scenario's own
 * statistic layout (ms_stat_enumerate, the table the engine is built
 * from): "all" is the layout's roll-up on that dimension where it has one
 * (shipments to all importers), else every entity of the dimension that has
 * the point.  Nothing here depends on an engine until ms_observed_resolve.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "magsim/engine.h"
#include "magsim/fmt.h"
#include "magsim/observed.h"
#include "magsim/resultdir.h"
#include "fileio.h"
#include "scenario_int.h"

/* The columns, in the order the header must list them. */
enum { C_SERIES, C_SUPPLIER, C_IMPORTER, C_PRODUCT, C_MONTH, C_VALUE, C_SOURCE, NCOLS };
static const char *const header[NCOLS] = {"series", "supplier", "importer", "product", "month", "value", "source"};
static const int dim_bit[MS_OBS_NDIMS] = {MS_DIM_SUPPLIER, MS_DIM_IMPORTER, MS_DIM_PRODUCT};
static const char *const dim_name[MS_OBS_NDIMS] = {"supplier", "importer", "product"};

int ms_observed_series_fits(int what)
{
    const ms_stat_kind *k = ms_stat_kind_of(1, what);
    return k && !(k->dims & MS_DIM_INDUSTRY);
}

void ms_observed_series_names(char *buf, size_t len)
{
    size_t used = 0;
    if (len)
        buf[0] = '\0';
    for (int w = 0; w < MS_S_NSERIES && used < len; w++)
        if (ms_observed_series_fits(w))
            used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? ", " : "", ms_series_name(w));
}

/* ---- the checking context ----------------------------------------------------------- */

typedef struct obs_ctx {
    const char *file;          /* name in diagnostics */
    const char *base;          /* the bytes the table was parsed from (after a byte-order mark) */
    int bom;                   /* 1: the file starts with a UTF-8 byte-order mark (one column) */
    const ms_scenario *s;
    ms_diags *d;
    const ms_csv *c;
    ms_stat_desc *layout;      /* the scenario's series statistics that fit, month 0 only */
    int nlayout, laycap;
    const char **names[MS_OBS_NDIMS]; /* entity names per dimension, for suggestions */
    int nnames[MS_OBS_NDIMS];
} obs_ctx;

/* Line and column (characters, 1-based) of field k of data row r. */
static void locate(const obs_ctx *x, int r, int k, int *line, int *col)
{
    long off = ms_csv_offset(x->c, r, k), row0 = ms_csv_offset(x->c, r, 0);
    *line = x->c->line[r + 1];
    if (off < 0 || row0 < 0) {
        *col = 0;
        return;
    }
    long start = row0;
    for (long i = row0; i < off; i++)
        if (x->base[i] == '\n') {
            (*line)++;
            start = i + 1;
        }
    int cc = 1;
    for (long i = start; i < off; i++)
        cc += ((unsigned char)x->base[i] & 0xC0) != 0x80;
    *col = cc + (x->bom && *line == 1);
}

/* An error at field k of row r (r -1: the header). */
static void err_at(obs_ctx *x, int r, int k, ms_diag_kind kind, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;
static void err_at(obs_ctx *x, int r, int k, ms_diag_kind kind, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    int line, col;
    locate(x, r, k, &line, &col);
    ms_diags_add(x->d, kind, x->file, line, col, "%s", msg);
}

static void collect_series(void *ctx, const ms_stat_desc *d)
{
    obs_ctx *x = ctx;
    if (!d->is_series || d->month != 0 || !ms_observed_series_fits(d->what))
        return;
    if (x->nlayout == x->laycap) {
        int cap = x->laycap ? 2 * x->laycap : 64;
        ms_stat_desc *nl = realloc(x->layout, (size_t)cap * sizeof *nl);
        if (!nl)
            return;   /* the point then looks absent: reported as such, never run */
        x->layout = nl;
        x->laycap = cap;
    }
    x->layout[x->nlayout++] = *d;
}

static int ctx_init(obs_ctx *x)
{
    const ms_scenario *s = x->s;
    int n[MS_OBS_NDIMS] = {s->nsuppliers, s->nimporters, s->nproducts};
    for (int dim = 0; dim < MS_OBS_NDIMS; dim++) {
        x->nnames[dim] = n[dim];
        x->names[dim] = malloc((size_t)(n[dim] + 2) * sizeof(char *));
        if (!x->names[dim])
            return -1;
        for (int i = 0; i < n[dim]; i++)
            x->names[dim][i] = dim == 0 ? s->suppliers[i].name : dim == 1 ? s->importers[i].name : s->products[i].name;
        x->names[dim][n[dim]] = "all";
        x->names[dim][n[dim] + 1] = NULL;
    }
    ms_stat_enumerate(s, 1, collect_series, x);
    return 0;
}

static void ctx_free(obs_ctx *x)
{
    free(x->layout);
    for (int dim = 0; dim < MS_OBS_NDIMS; dim++)
        free(x->names[dim]);
}

/* ---- the header and the fields ------------------------------------------------------- */

static int check_header(obs_ctx *x)
{
    const ms_csv *c = x->c;
    for (int k = 0; k < NCOLS; k++) {
        const char *h = k < c->ncols ? c->cell[k] : NULL;
        if (h && !strcmp(h, header[k]))
            continue;
        if (!h) {
            err_at(x, -1, c->ncols - 1, MS_D_SYNTAX,
                   "the header has %d fields, expected 7: series,supplier,importer,product,month,value,source",
                   c->ncols);
            return -1;
        }
        err_at(x, -1, k, MS_D_SYNTAX,
               "header field %d is '%s', expected '%s' (the header is exactly "
               "series,supplier,importer,product,month,value,source)",
               k + 1, h, header[k]);
        return -1;
    }
    if (c->ncols > NCOLS) {
        err_at(x, -1, NCOLS, MS_D_SYNTAX,
               "the header has %d fields, expected 7: series,supplier,importer,product,month,value,source", c->ncols);
        return -1;
    }
    return 0;
}

static int check_series(obs_ctx *x, int r, ms_obs *ob)
{
    const char *f = ms_csv_get(x->c, r, C_SERIES);
    char valid[256];
    ms_observed_series_names(valid, sizeof valid);
    int w = ms_stat_what(1, f);
    if (w >= 0 && ms_observed_series_fits(w)) {
        ob->what = w;
        return 0;
    }
    if (w >= 0) {
        err_at(x, r, C_SERIES, MS_D_VALUE,
               "series '%s' has an industry dimension, which this file has no column for; the series a backtest "
               "takes: %s", f, valid);
        return -1;
    }
    const char *names[MS_S_NSERIES + 1];
    int n = 0;
    for (int k = 0; k < MS_S_NSERIES; k++)
        if (ms_observed_series_fits(k))
            names[n++] = ms_series_name(k);
    const char *sug = *f ? msl_suggest(f, names, n) : NULL;
    char did[128] = "";
    if (sug)
        snprintf(did, sizeof did, " (did you mean '%s'?)", sug);
    err_at(x, r, C_SERIES, *f ? MS_D_REF : MS_D_MISSING, "%s%s%s%s; the series a backtest takes: %s",
           *f ? "unknown series '" : "no series", *f ? f : "", *f ? "'" : "", did, valid);
    return -1;
}

/* The scenario's names of a dimension, comma-separated (shortened). */
static void name_list(const obs_ctx *x, int dim, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < x->nnames[dim] && used + 1 < len; i++) {
        if (used > 160) {
            snprintf(buf + used, len - used, ", ... (%d in all)", x->nnames[dim]);
            return;
        }
        used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? ", " : "", x->names[dim][i]);
    }
}

static int check_entity(obs_ctx *x, int r, int dim, ms_obs *ob)
{
    const ms_stat_kind *k = ms_stat_kind_of(1, ob->what);
    int col = C_SUPPLIER + dim;
    const char *f = ms_csv_get(x->c, r, col);
    char list[256];
    ob->ent[dim] = MS_OBS_NONE;
    if (!(k->dims & dim_bit[dim])) {
        if (!*f)
            return 0;
        err_at(x, r, col, MS_D_VALUE, "series %s has no %s: leave the field empty, not '%s'", k->name,
               dim_name[dim], f);
        return -1;
    }
    name_list(x, dim, list, sizeof list);
    if (!*f) {
        err_at(x, r, col, MS_D_MISSING, "no %s: series %s needs one of the scenario's (%s) or all", dim_name[dim],
               k->name, list);
        return -1;
    }
    if (!strcmp(f, "all")) {
        ob->ent[dim] = MS_OBS_ALL;
        if (!strcmp(k->unit, "t"))
            return 0;
        err_at(x, r, col, MS_D_VALUE, "%s: all would add up %s over the %ss, and a quantity in '%s' does not add "
                                      "up: name one %s", k->name, k->name, dim_name[dim], k->unit, dim_name[dim]);
        return -1;
    }
    for (int i = 0; i < x->nnames[dim]; i++)
        if (!strcmp(f, x->names[dim][i])) {
            ob->ent[dim] = i;
            return 0;
        }
    const char *sug = msl_suggest(f, x->names[dim], x->nnames[dim] + 1);
    if (sug)
        err_at(x, r, col, MS_D_REF, "unknown %s '%s' (did you mean '%s'?)", dim_name[dim], f, sug);
    else
        err_at(x, r, col, MS_D_REF, "unknown %s '%s': the scenario's %ss are %s, or all", dim_name[dim], f,
               dim_name[dim], list);
    return -1;
}

static int check_month(obs_ctx *x, int r, ms_obs *ob)
{
    const ms_scenario *s = x->s;
    const char *f = ms_csv_get(x->c, r, C_MONTH);
    int m = ms_resultdir_parse_month(f);
    if (m < 0) {
        err_at(x, r, C_MONTH, MS_D_DATE, "month '%s' is not a month YYYY-MM (such as 2025-05)", f);
        return -1;
    }
    int off = m - (s->start_year * 12 + s->start_month - 1);
    if (off < 0 || off >= s->months) {
        char a[16], b[16];
        ms_scenario_month_label(s, 0, a, sizeof a);
        ms_scenario_month_label(s, s->months - 1, b, sizeof b);
        err_at(x, r, C_MONTH, MS_D_RANGE, "month %s is outside the scenario's horizon, %s to %s", f, a, b);
        return -1;
    }
    ob->month = off;
    return 0;
}

static int check_value(obs_ctx *x, int r, ms_obs *ob)
{
    const char *f = ms_csv_get(x->c, r, C_VALUE);
    double v;
    if (!*f) {
        err_at(x, r, C_VALUE, MS_D_NUMBER, "no value: expected a finite number >= 0");
        return -1;
    }
    if (ms_csv_num(f, &v)) {
        err_at(x, r, C_VALUE, MS_D_NUMBER, "value '%s' is not a finite number (expected a number >= 0, such as 1238 "
                                           "or 46.4)", f);
        return -1;
    }
    if (v < 0) {
        err_at(x, r, C_VALUE, MS_D_RANGE, "value %s is negative: expected a number >= 0", f);
        return -1;
    }
    ob->value = v + 0.0;   /* -0 reads as 0 */
    return 0;
}

/* ---- the statistics a row sums ------------------------------------------------------------ */

static int layout_has(const obs_ctx *x, int what, int s, int i, int p)
{
    for (int k = 0; k < x->nlayout; k++) {
        const ms_stat_desc *d = &x->layout[k];
        if (d->what == what && d->supplier == s && d->importer == i && d->product == p)
            return 1;
    }
    return 0;
}

/* 1 when the layout has a roll-up (-1) on dimension dim for series what. */
static int has_rollup(const obs_ctx *x, int what, int dim)
{
    for (int k = 0; k < x->nlayout; k++) {
        const ms_stat_desc *d = &x->layout[k];
        int v = dim == 0 ? d->supplier : dim == 1 ? d->importer : d->product;
        if (d->what == what && v == -1 && (ms_stat_kind_of(1, what)->dims & dim_bit[dim]))
            return 1;
    }
    return 0;
}

/* The values a dimension takes in the sum: [lo, hi], with -1 for the roll-up or no dimension. */
static void dim_range(const obs_ctx *x, const ms_obs *ob, int dim, int *lo, int *hi)
{
    int e = ob->ent[dim];
    if (e >= 0)
        *lo = *hi = e;
    else if (e == MS_OBS_NONE || has_rollup(x, ob->what, dim))
        *lo = *hi = -1;
    else {
        *lo = 0;
        *hi = x->nnames[dim] - 1;
    }
}

static int find_parts(obs_ctx *x, int r, ms_obs *ob)
{
    int lo[MS_OBS_NDIMS], hi[MS_OBS_NDIMS];
    size_t most = 1;
    for (int dim = 0; dim < MS_OBS_NDIMS; dim++) {
        dim_range(x, ob, dim, &lo[dim], &hi[dim]);
        most *= (size_t)(hi[dim] - lo[dim] + 1);
    }
    ob->part = malloc(most * sizeof *ob->part);
    if (!ob->part) {
        err_at(x, r, C_SERIES, MS_D_LIMIT, "out of memory");
        return -1;
    }
    ob->nparts = 0;
    for (int s = lo[0]; s <= hi[0]; s++)
        for (int i = lo[1]; i <= hi[1]; i++)
            for (int p = lo[2]; p <= hi[2]; p++)
                if (layout_has(x, ob->what, s, i, p))
                    ob->part[ob->nparts++] = (ms_stat_desc){1, ob->what, s, i, -1, p, ob->month, 0};
    if (ob->nparts > 0)
        return 0;
    err_at(x, r, C_SERIES, MS_D_REF,
           "the scenario simulates no %s for supplier '%s', importer '%s', product '%s' (a supplier that does not "
           "make the product, or an importer that does not source it)",
           ms_series_name(ob->what), ms_observed_entity(x->s, ob, 0), ms_observed_entity(x->s, ob, 1),
           ms_observed_entity(x->s, ob, 2));
    return -1;
}

static int check_row(obs_ctx *x, int r, ms_obs *ob)
{
    ob->line = x->c->line[r + 1];
    ob->source = ms_csv_get(x->c, r, C_SOURCE);
    int bad = check_series(x, r, ob) != 0;
    for (int dim = 0; !bad && dim < MS_OBS_NDIMS; dim++)
        bad |= check_entity(x, r, dim, ob) != 0;
    bad |= check_month(x, r, ob) != 0;
    bad |= check_value(x, r, ob) != 0;
    if (!bad)
        bad = find_parts(x, r, ob) != 0;
    return bad;
}

/* ---- duplicates ------------------------------------------------------------------------ */

static int key_cmp(const void *pa, const void *pb)
{
    const ms_obs *a = *(const ms_obs *const *)pa, *b = *(const ms_obs *const *)pb;
    int ka[6] = {a->what, a->ent[0], a->ent[1], a->ent[2], a->month, a->line};
    int kb[6] = {b->what, b->ent[0], b->ent[1], b->ent[2], b->month, b->line};
    for (int k = 0; k < 6; k++)
        if (ka[k] != kb[k])
            return ka[k] < kb[k] ? -1 : 1;
    return 0;
}

static int same_key(const ms_obs *a, const ms_obs *b)
{
    return a->what == b->what && !memcmp(a->ent, b->ent, sizeof a->ent) && a->month == b->month;
}

/* Report every row whose key an earlier row has, naming the first; -1 when any. */
static int check_duplicates(obs_ctx *x, ms_obs *obs, const char *bad_row, int n)
{
    const ms_obs **v = malloc((size_t)(n ? n : 1) * sizeof *v);
    int m = 0, bad = 0;
    if (!v)
        return -1;
    for (int r = 0; r < n; r++)
        if (!bad_row[r])
            v[m++] = &obs[r];
    qsort(v, (size_t)m, sizeof *v, key_cmp);
    for (int k = 1, first = 0; k < m; k++) {
        if (!same_key(v[first], v[k])) {
            first = k;
            continue;
        }
        err_at(x, (int)(v[k] - obs), C_SERIES, MS_D_DUP_KEY,
               "duplicate row: line %d has the same series, supplier, importer, product and month", v[first]->line);
        bad = 1;
    }
    free(v);
    return bad ? -1 : 0;
}

/* ---- loading ------------------------------------------------------------------------------ */

/* Check every row of the table; the observations, or NULL after errors. */
static ms_obs *check_rows(obs_ctx *x)
{
    int n = x->c->nrows;
    ms_obs *obs = calloc((size_t)n, sizeof *obs);
    char *bad_row = calloc((size_t)n, 1);
    int bad = !obs || !bad_row;
    if (bad)
        ms_diags_add(x->d, MS_D_LIMIT, x->file, 0, 0, "out of memory");
    for (int r = 0; !bad && r < n; r++)
        bad_row[r] = (char)check_row(x, r, &obs[r]);
    for (int r = 0; !bad && r < n; r++)
        bad |= bad_row[r];
    if (obs && bad_row && check_duplicates(x, obs, bad_row, n))
        bad = 1;
    free(bad_row);
    if (bad && obs) {
        for (int r = 0; r < n; r++)
            free(obs[r].part);
        free(obs);
        return NULL;
    }
    return obs;
}

/* The table of a file's bytes, or NULL after an error. */
static ms_csv *split(obs_ctx *x, const char *buf, size_t len)
{
    char msg[256];
    int line;
    x->bom = len >= 3 && !memcmp(buf, "\xEF\xBB\xBF", 3);
    x->base = buf + 3 * x->bom;
    ms_csv *c = ms_csv_parse_at(x->base, len - 3 * (size_t)x->bom, msg, sizeof msg, &line);
    if (!c) {
        ms_diags_add(x->d, line ? MS_D_SYNTAX : MS_D_EMPTY, x->file, line, 0, "%s", msg);
        return NULL;
    }
    if (c->nrows == 0)
        ms_diags_add(x->d, MS_D_EMPTY, x->file, 1, 0, "no observations: the file has a header and no rows");
    else if (c->nrows > MS_OBSERVED_MAX_ROWS)
        ms_diags_add(x->d, MS_D_LIMIT, x->file, c->line[MS_OBSERVED_MAX_ROWS + 1], 0, "more than %d observations",
                     MS_OBSERVED_MAX_ROWS);
    else
        return c;
    ms_csv_free(c);
    return NULL;
}

ms_observed *ms_observed_load_buffer(const char *name, const char *buf, size_t len, const ms_scenario *s,
                                     ms_diags *diags)
{
    ms_diags_add_source(diags, name, buf, len);
    obs_ctx x = {.file = name, .s = s, .d = diags};
    ms_observed *o = calloc(1, sizeof *o);
    if (!o || !(o->path = strdup(name)) || !(o->text = malloc(len + 1)) || ctx_init(&x)) {
        ms_diags_add(diags, MS_D_LIMIT, name, 0, 0, "out of memory");
        ctx_free(&x);
        ms_observed_free(o);
        return NULL;
    }
    memcpy(o->text, buf, len);
    o->text[len] = '\0';
    o->bytes = len;
    ms_fmt_sha256_hex(buf, len, o->sha256);
    /* the table is split from the observation's own copy, so its cells stay valid with it */
    o->csv = split(&x, o->text, len);
    x.c = o->csv;
    if (o->csv && check_header(&x) == 0 && (o->obs = check_rows(&x)))
        o->n = o->csv->nrows;
    ctx_free(&x);
    if (!o->obs) {
        ms_observed_free(o);
        return NULL;
    }
    return o;
}

ms_observed *ms_observed_load(const char *path, const ms_scenario *s, ms_diags *diags)
{
    size_t len;
    int err;
    char *buf = ms_read_file(path, MS_OBSERVED_MAX_FILE, &len, &err);
    if (!buf) {
        if (err == EFBIG)
            ms_diags_add(diags, MS_D_LIMIT, path, 0, 0, "larger than %zu MiB", MS_OBSERVED_MAX_FILE >> 20);
        else
            ms_diags_add(diags, MS_D_IO, path, 0, 0, "cannot read: %s", strerror(err));
        return NULL;
    }
    ms_observed *o = ms_observed_load_buffer(path, buf, len, s, diags);
    free(buf);
    return o;
}

void ms_observed_free(ms_observed *o)
{
    if (!o)
        return;
    for (int k = 0; o->obs && k < o->n; k++) {
        free(o->obs[k].part);
        free(o->obs[k].stat);
    }
    free(o->obs);
    ms_csv_free(o->csv);
    free(o->text);
    free(o->path);
    free(o);
}

int ms_observed_resolve(ms_observed *o, const ms_engine *e, char *err, size_t errlen)
{
    for (int k = 0; k < o->n; k++) {
        ms_obs *ob = &o->obs[k];
        free(ob->stat);
        if (!(ob->stat = malloc((size_t)ob->nparts * sizeof *ob->stat))) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        for (int j = 0; j < ob->nparts; j++) {
            const ms_stat_desc *d = &ob->part[j];
            ob->stat[j] = ms_stat_find(e, 1, d->what, d->supplier, d->importer, d->industry, d->product, d->month);
            if (ob->stat[j] < 0) {
                snprintf(err, errlen, "%s:%d: the engine has no statistic %s for this row (compiled without series?)",
                         o->path, ob->line, ms_series_name(d->what));
                return -1;
            }
        }
    }
    return 0;
}

const char *ms_observed_entity(const ms_scenario *s, const ms_obs *ob, int dim)
{
    int e = ob->ent[dim];
    if (e == MS_OBS_NONE)
        return "";
    if (e == MS_OBS_ALL)
        return "all";
    return dim == 0 ? s->suppliers[e].name : dim == 1 ? s->importers[e].name : s->products[e].name;
}
