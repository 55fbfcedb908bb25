/*
 * stat.c - the table of statistic kinds (magsim/stat.h) and what is read
 * through it: entity names, keys across scenarios, lookup.
 *
 * The table is the one place that says which dimensions a metric has,
 * which way is better and which are headlines; names come from the engine
 * (ms_metric_name, ms_series_name), never repeated here.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "magsim/stat.h"

#define SUP MS_DIM_SUPPLIER
#define IMP MS_DIM_IMPORTER
#define IND MS_DIM_INDUSTRY
#define PROD MS_DIM_PRODUCT

static const ms_stat_kind metric_kinds[MS_M_NMETRICS] = {
    {.what = MS_M_SHORTAGE_T, .dims = IMP | IND, .better = MS_BETTER_LOWER, .unit = "t"},
    {.what = MS_M_SHORTAGE_SHARE, .dims = IMP | IND, .better = MS_BETTER_LOWER, .headline = 1, .unit = "share"},
    {.what = MS_M_PEAK_SHORTAGE_SHARE, .dims = IMP | IND, .better = MS_BETTER_LOWER, .unit = "share"},
    {.what = MS_M_MONTHS_SHORT, .dims = IMP | IND, .better = MS_BETTER_LOWER, .unit = "months"},
    {.what = MS_M_TIME_TO_SURVIVE, .dims = IMP | IND, .better = MS_BETTER_HIGHER, .headline = 1, .unit = "months"},
    {.what = MS_M_TIME_TO_RECOVER, .dims = IMP | IND, .better = MS_BETTER_LOWER, .unit = "months"},
    {.what = MS_M_VALUE_AT_RISK, .dims = IMP | IND, .better = MS_BETTER_LOWER, .unit = "USD"},
    {.what = MS_M_PEAK_PRICE_SHOCK, .dims = IMP | PROD, .better = MS_BETTER_LOWER, .headline = 1, .unit = "share"},
    {.what = MS_M_MEAN_PRICE_SHOCK, .dims = IMP | PROD, .better = MS_BETTER_LOWER, .unit = "share"},
    {.what = MS_M_FINAL_PRICE_SHOCK, .dims = IMP | PROD, .better = MS_BETTER_LOWER, .unit = "share"},
    {.what = MS_M_SHIPMENTS_T, .dims = SUP | IMP | PROD, .better = MS_BETTER_NONE, .unit = "t"},
};

static const ms_stat_kind series_kinds[MS_S_NSERIES] = {
    {.is_series = 1, .what = MS_S_SHIPMENTS, .dims = SUP | IMP | PROD, .better = MS_BETTER_NONE, .unit = "t"},
    {.is_series = 1, .what = MS_S_SHORTAGE_SHARE, .dims = IMP | IND, .better = MS_BETTER_LOWER, .headline = 1,
     .unit = "share"},
    {.is_series = 1, .what = MS_S_PRICE_INDEX, .dims = IMP | PROD, .better = MS_BETTER_LOWER, .unit = "index"},
    {.is_series = 1, .what = MS_S_INVENTORY_COVER, .dims = IMP | IND, .better = MS_BETTER_HIGHER, .unit = "months"},
};

const ms_stat_kind *ms_stat_kind_of(int is_series, int what)
{
    if (is_series)
        return (unsigned)what < MS_S_NSERIES ? &series_kinds[what] : NULL;
    return (unsigned)what < MS_M_NMETRICS ? &metric_kinds[what] : NULL;
}

static const char *kind_name(int is_series, int what)
{
    return is_series ? ms_series_name((ms_series)what) : ms_metric_name((ms_metric)what);
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
