/*
 * stats.c - what a run measures (magsim/stats.h): the table of statistic
 * kinds and the one function that lays out a path's vector.
 *
 * The engine (sim/compile.c) builds its statistic descriptions and index
 * tables by calling ms_stats_enumerate; the memory estimate counts with the
 * same call before anything is allocated; the writers name columns and
 * choose tails from the kinds.  A new metric is one row here and one place
 * in the engine that fills it.
 */
#include <string.h>
#include "magsim/result.h"
#include "magsim/stats.h"

#define ENT (MS_DIM_IMPORTER | MS_DIM_INDUSTRY)
#define IMP_PROD (MS_DIM_IMPORTER | MS_DIM_PRODUCT)
#define FLOW (MS_DIM_SUPPLIER | MS_DIM_IMPORTER | MS_DIM_PRODUCT)
#define MB MS_METRIC_BITS
#define SB MS_SERIES_BITS

static const ms_stat_kind metric_kinds[MS_M_NMETRICS] = {
    [MS_M_SHORTAGE_T] = {.what = MS_M_SHORTAGE_T, .name = "shortage_t", .unit = "t", .dims = ENT, .better = -1, .bits = MB},
    [MS_M_SHORTAGE_SHARE] = {.what = MS_M_SHORTAGE_SHARE, .name = "shortage_share", .unit = "share", .dims = ENT,
                             .better = -1, .bits = MB},
    [MS_M_PEAK_SHORTAGE_SHARE] = {.what = MS_M_PEAK_SHORTAGE_SHARE, .name = "peak_shortage_share", .unit = "share",
                                  .dims = ENT, .better = -1, .bits = MB},
    [MS_M_MONTHS_SHORT] = {.what = MS_M_MONTHS_SHORT, .name = "months_short", .unit = "months", .dims = ENT,
                           .better = -1, .bits = MB},
    [MS_M_TIME_TO_SURVIVE] = {.what = MS_M_TIME_TO_SURVIVE, .name = "time_to_survive", .unit = "months",
                              .dims = ENT, .lower_tail_bad = 1, .better = +1, .bits = MB},
    [MS_M_TIME_TO_RECOVER] = {.what = MS_M_TIME_TO_RECOVER, .name = "time_to_recover", .unit = "months",
                              .dims = ENT, .better = -1, .bits = MB},
    [MS_M_VALUE_AT_RISK] = {.what = MS_M_VALUE_AT_RISK, .name = "value_at_risk_usd", .unit = "USD", .dims = ENT,
                            .better = -1, .bits = MB},
    [MS_M_PEAK_PRICE_SHOCK] = {.what = MS_M_PEAK_PRICE_SHOCK, .name = "peak_price_shock", .unit = "share",
                               .dims = IMP_PROD, .better = -1, .bits = MB},
    [MS_M_MEAN_PRICE_SHOCK] = {.what = MS_M_MEAN_PRICE_SHOCK, .name = "mean_price_shock", .unit = "share",
                               .dims = IMP_PROD, .better = -1, .bits = MB},
    [MS_M_FINAL_PRICE_SHOCK] = {.what = MS_M_FINAL_PRICE_SHOCK, .name = "final_price_shock", .unit = "share",
                                .dims = IMP_PROD, .better = -1, .bits = MB},
    [MS_M_SHIPMENTS_T] = {.what = MS_M_SHIPMENTS_T, .name = "shipments_t", .unit = "t", .dims = FLOW, .better = 0,
                          .bits = MB},
};

static const ms_stat_kind series_kinds[MS_S_NSERIES] = {
    [MS_S_SHIPMENTS] = {.is_series = 1, .what = MS_S_SHIPMENTS, .name = "shipments", .unit = "t", .dims = FLOW,
                        .better = 0, .bits = SB},
    [MS_S_SHORTAGE_SHARE] = {.is_series = 1, .what = MS_S_SHORTAGE_SHARE, .name = "shortage_share",
                             .unit = "share", .dims = ENT, .better = -1, .bits = SB},
    [MS_S_PRICE_INDEX] = {.is_series = 1, .what = MS_S_PRICE_INDEX, .name = "price_index", .unit = "index",
                          .dims = IMP_PROD, .better = -1, .bits = SB},
    [MS_S_INVENTORY_COVER] = {.is_series = 1, .what = MS_S_INVENTORY_COVER, .name = "inventory_cover",
                              .unit = "months", .dims = ENT, .better = +1, .bits = SB},
};

const ms_stat_kind *ms_stat_kind_get(int is_series, int what)
{
    if (is_series)
        return (unsigned)what < MS_S_NSERIES ? &series_kinds[what] : NULL;
    return (unsigned)what < MS_M_NMETRICS ? &metric_kinds[what] : NULL;
}

const ms_stat_kind *ms_stat_kind_of(const ms_stat_desc *d)
{
    return ms_stat_kind_get(d->is_series, d->what);
}

const char *ms_metric_name(ms_metric m)
{
    const ms_stat_kind *k = ms_stat_kind_get(0, (int)m);
    return k ? k->name : "?";
}

const char *ms_series_name(ms_series s)
{
    const ms_stat_kind *k = ms_stat_kind_get(1, (int)s);
    return k ? k->name : "?";
}

int ms_metric_from_name(const char *name)
{
    for (int m = 0; name && m < MS_M_NMETRICS; m++)
        if (!strcmp(metric_kinds[m].name, name))
            return m;
    return -1;
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

static long emit(ms_stats_emit_fn fn, void *ctx, int series, int what, int s, int i, int k, int p, int month)
{
    ms_stat_desc d = {series, what, s, i, k, p, month, 0};
    d.lower_tail_bad = ms_stat_kind_get(series, what)->lower_tail_bad;
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

long ms_stats_enumerate(const ms_scenario *sc, int series, ms_stats_emit_fn fn, void *ctx)
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
