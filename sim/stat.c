/*
 * stat.c - what a run measures (magsim/stat.h): the table of statistic
 * kinds, the one function that lays out a path's vector, and what is read
 * through the table: names, entity names, keys across scenarios, lookup,
 * terminal formatting.
 *
 * The engine (sim/compile.c) builds its statistic descriptions by calling
 * ms_stat_enumerate; the memory estimate counts with the same call before
 * anything is allocated; writers and commands name columns, choose tails and
 * directions from the kinds.  A new metric is one row here and one place in
 * the engine that fills it.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "magsim/engine.h"
#include "magsim/result.h"
#include "magsim/stat.h"

#define SUP MS_DIM_SUPPLIER
#define IMP MS_DIM_IMPORTER
#define IND MS_DIM_INDUSTRY
#define PROD MS_DIM_PRODUCT
#define ENT (MS_DIM_IMPORTER | MS_DIM_INDUSTRY)
#define IMP_PROD (MS_DIM_IMPORTER | MS_DIM_PRODUCT)
#define FLOW (MS_DIM_SUPPLIER | MS_DIM_IMPORTER | MS_DIM_PRODUCT)
#define MB MS_METRIC_BITS
#define SB MS_SERIES_BITS

static const ms_stat_kind metric_kinds[MS_M_NMETRICS] = {
    [MS_M_SHORTAGE_T] = {.what = MS_M_SHORTAGE_T, .name = "shortage_t", .unit = "t", .dims = ENT, .better = MS_BETTER_LOWER, .bits = MB},
    [MS_M_SHORTAGE_SHARE] = {.headline = 1, .what = MS_M_SHORTAGE_SHARE, .name = "shortage_share", .unit = "share", .dims = ENT,
                             .better = MS_BETTER_LOWER, .bits = MB},
    [MS_M_PEAK_SHORTAGE_SHARE] = {.what = MS_M_PEAK_SHORTAGE_SHARE, .name = "peak_shortage_share", .unit = "share",
                                  .dims = ENT, .better = MS_BETTER_LOWER, .bits = MB},
    [MS_M_MONTHS_SHORT] = {.what = MS_M_MONTHS_SHORT, .name = "months_short", .unit = "months", .dims = ENT,
                           .better = MS_BETTER_LOWER, .bits = MB},
    [MS_M_TIME_TO_SURVIVE] = {.headline = 1, .what = MS_M_TIME_TO_SURVIVE, .name = "time_to_survive", .unit = "months",
                              .dims = ENT, .lower_tail_bad = 1, .better = MS_BETTER_HIGHER, .bits = MB},
    [MS_M_TIME_TO_RECOVER] = {.what = MS_M_TIME_TO_RECOVER, .name = "time_to_recover", .unit = "months",
                              .dims = ENT, .better = MS_BETTER_LOWER, .bits = MB},
    [MS_M_VALUE_AT_RISK] = {.what = MS_M_VALUE_AT_RISK, .name = "value_at_risk_usd", .unit = "USD", .dims = ENT,
                            .better = MS_BETTER_LOWER, .bits = MB},
    [MS_M_PEAK_PRICE_SHOCK] = {.headline = 1, .what = MS_M_PEAK_PRICE_SHOCK, .name = "peak_price_shock", .unit = "share",
                               .dims = IMP_PROD, .better = MS_BETTER_LOWER, .bits = MB},
    [MS_M_MEAN_PRICE_SHOCK] = {.what = MS_M_MEAN_PRICE_SHOCK, .name = "mean_price_shock", .unit = "share",
                               .dims = IMP_PROD, .better = MS_BETTER_LOWER, .bits = MB},
    [MS_M_FINAL_PRICE_SHOCK] = {.what = MS_M_FINAL_PRICE_SHOCK, .name = "final_price_shock", .unit = "share",
                                .dims = IMP_PROD, .better = MS_BETTER_LOWER, .bits = MB},
    [MS_M_SHIPMENTS_T] = {.what = MS_M_SHIPMENTS_T, .name = "shipments_t", .unit = "t", .dims = FLOW, .better = MS_BETTER_NONE,
                          .bits = MB},
};

static const ms_stat_kind series_kinds[MS_S_NSERIES] = {
    [MS_S_SHIPMENTS] = {.is_series = 1, .what = MS_S_SHIPMENTS, .name = "shipments", .unit = "t", .dims = FLOW,
                        .better = MS_BETTER_NONE, .bits = SB},
    [MS_S_SHORTAGE_SHARE] = {.headline = 1, .is_series = 1, .what = MS_S_SHORTAGE_SHARE, .name = "shortage_share",
                             .unit = "share", .dims = ENT, .better = MS_BETTER_LOWER, .bits = SB},
    [MS_S_PRICE_INDEX] = {.is_series = 1, .what = MS_S_PRICE_INDEX, .name = "price_index", .unit = "index",
                          .dims = IMP_PROD, .better = MS_BETTER_LOWER, .bits = SB},
    [MS_S_INVENTORY_COVER] = {.is_series = 1, .what = MS_S_INVENTORY_COVER, .name = "inventory_cover",
                              .unit = "months", .dims = ENT, .better = MS_BETTER_HIGHER, .bits = SB},
};

const ms_stat_kind *ms_stat_kind_of(int is_series, int what)
{
    if (is_series)
        return (unsigned)what < MS_S_NSERIES ? &series_kinds[what] : NULL;
    return (unsigned)what < MS_M_NMETRICS ? &metric_kinds[what] : NULL;
}

const char *ms_metric_name(ms_metric m)
{
    const ms_stat_kind *k = ms_stat_kind_of(0, (int)m);
    return k ? k->name : "?";
}

const char *ms_series_name(ms_series s)
{
    const ms_stat_kind *k = ms_stat_kind_of(1, (int)s);
    return k ? k->name : "?";
}

static const char *kind_name(int is_series, int what)
{
    const ms_stat_kind *k = ms_stat_kind_of(is_series, what);
    return k ? k->name : "?";
}

int ms_stat_what(int is_series, const char *name)
{
    int n = is_series ? MS_S_NSERIES : MS_M_NMETRICS;
    for (int w = 0; name && w < n; w++)
        if (!strcmp(kind_name(is_series, w), name))
            return w;
    return -1;
}

void ms_stat_names(int is_series, char *buf, size_t len)
{
    int n = is_series ? MS_S_NSERIES : MS_M_NMETRICS;
    size_t used = 0;
    if (len)
        buf[0] = '\0';
    for (int w = 0; w < n && used < len; w++)
        used += (size_t)snprintf(buf + used, len - used, "%s%s", w ? ", " : "", kind_name(is_series, w));
}

const char *ms_stat_name(const ms_stat_desc *d)
{
    return kind_name(d->is_series, d->what);
}

const char *ms_stat_entity(const ms_scenario *s, const ms_stat_desc *d, int dim, char *buf, size_t len)
{
    const ms_stat_kind *k = ms_stat_kind_of(d->is_series, d->what);
    if (!k || !(k->dims & dim))
        return NULL;
    int idx = dim == SUP ? d->supplier : dim == IMP ? d->importer : dim == IND ? d->industry : d->product;
    if (idx < 0)
        return "all";
    if (dim == SUP && idx < s->nsuppliers)
        return s->suppliers[idx].name;
    if (dim == IMP && idx < s->nimporters)
        return s->importers[idx].name;
    if (dim == IND && d->importer >= 0 && d->importer < s->nimporters && idx < s->importers[d->importer].nindustries)
        return s->importers[d->importer].industries[idx].name;
    if (dim == PROD && idx < s->nproducts)
        return s->products[idx].name;
    snprintf(buf, len, "#%d", idx);
    return buf;
}

int ms_stat_key(const ms_scenario *s, const ms_stat_desc *d, char *buf, size_t len)
{
    static const int dims[4] = {SUP, IMP, IND, PROD};
    char eb[4][16], mon[16] = "";
    const char *ent[4];
    for (int k = 0; k < 4; k++) {
        ent[k] = ms_stat_entity(s, d, dims[k], eb[k], sizeof eb[k]);
        if (!ent[k])
            ent[k] = "";
    }
    if (d->is_series)
        ms_scenario_month_label(s, d->month, mon, sizeof mon);
    return snprintf(buf, len, "%s:%s|%s|%s|%s|%s|%s", d->is_series ? "series" : "metric", ms_stat_name(d), ent[0],
                    ent[1], ent[2], ent[3], mon);
}

int ms_stat_find(const ms_engine *e, int is_series, int what, int supplier, int importer, int industry, int product,
                 int month)
{
    int n = ms_engine_nmetrics(e) + ms_engine_nseries(e);
    for (int i = is_series ? ms_engine_nmetrics(e) : 0; i < n; i++) {
        const ms_stat_desc *d = ms_engine_desc(e, i);
        if (d->is_series == is_series && d->what == what && d->supplier == supplier && d->importer == importer &&
            d->industry == industry && d->product == product && d->month == month)
            return i;
    }
    return -1;
}

const char *ms_stat_format(char *buf, size_t len, const char *unit, double x, int mode)
{
    int share = !strcmp(unit, "share");
    double v = share ? 100 * x : x;
    const char *sfx = share ? (mode == MS_FMT_VALUE ? "%" : "pp") : "";
    const char *sign = mode == MS_FMT_DIFF ? "+" : "";
    if (!isfinite(x))
        snprintf(buf, len, "-");
    else if (x == 0)
        snprintf(buf, len, "0%s", sfx);
    else if (!strcmp(unit, "t") || !strcmp(unit, "USD") || fabs(v) >= 100)
        snprintf(buf, len, mode == MS_FMT_DIFF ? "%+.3g%s" : "%.3g%s", v, sfx);
    else if (share && fabs(v) < 0.005)
        snprintf(buf, len, "%s0.00%s", v < 0 ? "-" : sign, sfx);
    else
        snprintf(buf, len, mode == MS_FMT_DIFF ? "%+.2f%s" : "%.2f%s", v, sfx);
    return buf;
}

/* ---- layout --------------------------------------------------------------- */

typedef struct shape {
    const ms_scenario *s;
    int C;
} shape;

/* s makes p: it lists capacity for p or plans an expansion of p. */
static int makes(const ms_scenario *sc, int s, int p)
{
    const ms_supplier *su = &sc->suppliers[s];
    if (su->has_product[p])
        return 1;
    for (int x = 0; x < su->nexpansions; x++)
        if (su->expansions[x].product == p)
            return 1;
    return 0;
}

/* (s, i, p) can carry shipments; i == I stands for "all importers": any can. */
static int ships(const ms_scenario *sc, int s, int i, int p)
{
    if (!makes(sc, s, p))
        return 0;
    if (i < sc->nimporters)
        return sc->importers[i].has_sourcing[p] != 0;
    for (int j = 0; j < sc->nimporters; j++)
        if (sc->importers[j].has_sourcing[p])
            return 1;
    return 0;
}

static long emit(ms_stat_emit_fn fn, void *ctx, int series, int what, int s, int i, int k, int p, int month)
{
    ms_stat_desc d = {series, what, s, i, k, p, month, 0};
    d.lower_tail_bad = ms_stat_kind_of(series, what)->lower_tail_bad;
    if (fn)
        fn(ctx, &d);
    return 1;
}

/* Shortage entity n: its importer and industry (-1: roll-up). */
static void entity(const ms_scenario *sc, int n, int C, int *i, int *k)
{
    *i = *k = -1;
    if (n >= C) {
        *i = n < C + sc->nimporters ? n - C : -1;
        *k = -1;
        return;
    }
    int c = 0;
    for (int ii = 0; ii < sc->nimporters; ii++) {
        if (n < c + sc->importers[ii].nindustries) {
            *i = ii;
            *k = n - c;
            return;
        }
        c += sc->importers[ii].nindustries;
    }
}

long ms_stat_enumerate(const ms_scenario *sc, int series, ms_stat_emit_fn fn, void *ctx)
{
    int S = sc->nsuppliers, I = sc->nimporters, P = sc->nproducts, T = sc->months, C = 0;
    for (int i = 0; i < I; i++)
        C += sc->importers[i].nindustries;
    int nent = C + I + 1;
    long n = 0;
    for (int en = 0; en < nent; en++) {
        int i, k;
        entity(sc, en, C, &i, &k);
        for (int m = 0; m < MS_ENT_METRICS; m++)
            n += emit(fn, ctx, 0, m, -1, i, k, -1, -1);
    }
    for (int i = 0; i < I; i++)
        for (int p = 0; p < P; p++)
            if (sc->importers[i].has_sourcing[p])
                for (int m = MS_M_PEAK_PRICE_SHOCK; m <= MS_M_FINAL_PRICE_SHOCK; m++)
                    n += emit(fn, ctx, 0, m, -1, i, -1, p, -1);
    for (int s = 0; s < S; s++)
        for (int p = 0; p < P; p++)
            for (int i = 0; i <= I; i++)
                if (ships(sc, s, i, p))
                    n += emit(fn, ctx, 0, MS_M_SHIPMENTS_T, s, i < I ? i : -1, -1, p, -1);
    if (!series)
        return n;
    for (int s = 0; s < S; s++)
        for (int i = 0; i <= I; i++)
            for (int p = 0; p < P; p++)
                if (ships(sc, s, i, p))
                    for (int t = 0; t < T; t++)
                        n += emit(fn, ctx, 1, MS_S_SHIPMENTS, s, i < I ? i : -1, -1, p, t);
    for (int en = 0; en < nent; en++) {
        int i, k;
        entity(sc, en, C, &i, &k);
        for (int t = 0; t < T; t++)
            n += emit(fn, ctx, 1, MS_S_SHORTAGE_SHARE, -1, i, k, -1, t);
    }
    for (int i = 0; i < I; i++)
        for (int p = 0; p < P; p++)
            if (sc->importers[i].has_sourcing[p])
                for (int t = 0; t < T; t++)
                    n += emit(fn, ctx, 1, MS_S_PRICE_INDEX, -1, i, -1, p, t);
    for (int en = 0; en < C; en++) {
        int i, k;
        entity(sc, en, C, &i, &k);
        for (int t = 0; t < T; t++)
            n += emit(fn, ctx, 1, MS_S_INVENTORY_COVER, -1, i, k, -1, t);
    }
    return n;
}
