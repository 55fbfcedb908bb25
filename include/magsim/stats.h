/*
 * magsim/stats.h - what a run measures: every statistic's kind, in one table.
 *
 * A path produces one vector of doubles: first the per-path metrics, then
 * (unless series are off) the monthly series points.  Each element is
 * described by an ms_stat_desc: its kind (a metric or a series), the
 * entity it is of, and for series the month.  The kinds are one table
 * (ms_stat_kinds): name, the dimensions it has, which tail is bad, the
 * histogram precision and whether smaller or larger is better.  The engine
 * lays out the vector from it (ms_stats_enumerate), the memory estimate
 * counts with it, and every writer names columns from it: nothing repeats
 * it.
 *
 * Layout (ms_stats_enumerate, in this order):
 *   metrics: for each shortage entity (industry cells in importer order, then
 *            importer roll-ups, then the total) the 7 entity metrics;
 *            for each importer x sourced product the 3 price metrics;
 *            for each supplier x product it makes, shipments_t to each
 *            importer sourcing the product, then to all importers;
 *   series:  shipments (as shipments_t, T months each), shortage_share (each
 *            entity), price_index (each importer x sourced product),
 *            inventory_cover (each cell).
 */
#ifndef MAGSIM_STATS_H
#define MAGSIM_STATS_H

#include "magsim/scenario.h"

/* What a statistic is. */
typedef enum ms_metric {
    /* per importer x industry (industry -1: importer roll-up; importer -1: total) */
    MS_M_SHORTAGE_T = 0,       /* shortage tonnes over the horizon */
    MS_M_SHORTAGE_SHARE,       /* shortage tonnes / demand tonnes over the horizon */
    MS_M_PEAK_SHORTAGE_SHARE,  /* largest monthly shortage share */
    MS_M_MONTHS_SHORT,         /* months with shortage share > threshold */
    MS_M_TIME_TO_SURVIVE,      /* months from the reference start to the first month short (censored) */
    MS_M_TIME_TO_RECOVER,      /* last month short - first month short + 1 (0 when never short) */
    MS_M_VALUE_AT_RISK,        /* shortage tonnes x value of output per tonne, USD */
    /* per importer x product */
    MS_M_PEAK_PRICE_SHOCK,     /* max over months of pi - 1 */
    MS_M_MEAN_PRICE_SHOCK,     /* mean over months of pi - 1 */
    MS_M_FINAL_PRICE_SHOCK,    /* pi - 1 in the last month */
    /* per supplier x importer x product (importer -1: all importers) */
    MS_M_SHIPMENTS_T,          /* tonnes shipped over the horizon */
    MS_M_NMETRICS
} ms_metric;

#define MS_ENT_METRICS 7       /* metrics per shortage entity: MS_M_SHORTAGE_T .. MS_M_VALUE_AT_RISK */

typedef enum ms_series {
    MS_S_SHIPMENTS = 0,        /* supplier -> importer tonnes departing in the month (importer -1: all) */
    MS_S_SHORTAGE_SHARE,       /* importer x industry shortage / demand in the month (roll-ups too) */
    MS_S_PRICE_INDEX,          /* importer x product landed price index pi (1 = baseline) */
    MS_S_INVENTORY_COVER,      /* importer x industry stock / monthly demand, months */
    MS_S_NSERIES
} ms_series;

/* Dimensions a statistic has (where an index of -1 means "all"). */
enum { MS_DIM_SUPPLIER = 1, MS_DIM_IMPORTER = 2, MS_DIM_INDUSTRY = 4, MS_DIM_PRODUCT = 8 };

typedef struct ms_stat_kind {
    int is_series;             /* 0: a per-path metric; 1: a monthly series */
    int what;                  /* ms_metric or ms_series */
    const char *name;          /* column value: "shortage_share" */
    const char *unit;          /* "t", "share", "months", "USD", "index" */
    int dims;                  /* MS_DIM_* it has */
    int lower_tail_bad;        /* 1 when small values are bad (time to survive): CVaR of the lower tail */
    int better;                /* -1: smaller is better (shortage, price shock); +1: larger; 0: neither */
    int bits;                  /* histogram precision: MS_METRIC_BITS or MS_SERIES_BITS */
} ms_stat_kind;

typedef struct ms_stat_desc {
    int is_series;             /* 0: a per-path metric; 1: a monthly series point */
    int what;                  /* ms_metric or ms_series */
    int supplier, importer, industry, product; /* -1 where it does not apply / roll-up */
    int month;                 /* series: month offset; metrics: -1 */
    int lower_tail_bad;        /* 1 when small values are bad (time to survive): CVaR of the lower tail */
} ms_stat_desc;

/* The kind of a metric or series (NULL when out of range), and of a statistic. */
const ms_stat_kind *ms_stat_kind_get(int is_series, int what);
const ms_stat_kind *ms_stat_kind_of(const ms_stat_desc *d);
const char *ms_metric_name(ms_metric m);
const char *ms_series_name(ms_series s);
/* A metric by name (-1 when unknown). */
int ms_metric_from_name(const char *name);

/* Every statistic of a scenario's run, in layout order, passed to emit.
 * series: 0 leaves the series out.  Returns the number of statistics. */
typedef void (*ms_stats_emit_fn)(void *ctx, const ms_stat_desc *d);
long ms_stats_enumerate(const ms_scenario *s, int series, ms_stats_emit_fn emit, void *ctx);

#endif
