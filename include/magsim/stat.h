/*
 * magsim/stat.h - what a run measures: every statistic's kind, in one table
 * that the engine, the estimate and every writer and command read.
 *
 * A path produces one vector of doubles: first the per-path metrics, then
 * (unless series are off) the monthly series points.  Each element is
 * described by an ms_stat_desc: its kind (a metric or a series), the
 * entities it is of, and for series the month.  The kinds are one table:
 * name, unit, the dimensions it has, which tail is bad (for CVaR), which
 * direction is better (what `compare` reports as P(POLICY better): lower
 * shortage, lower price shock, longer time to survive, more inventory
 * cover; shipments have none, and "better" is then P(difference > 0)),
 * whether it is a headline, and its histogram precision.
 *
 * Layout (ms_stat_enumerate, in this order):
 *   metrics: for each shortage entity (industry cells in importer order, then
 *            importer roll-ups, then the total) the 7 entity metrics;
 *            for each importer x sourced product the 3 price metrics;
 *            for each supplier x product it makes, shipments_t to each
 *            importer sourcing the product, then to all importers;
 *   series:  shipments (as shipments_t, T months each), shortage_share (each
 *            entity), price_index (each importer x sourced product),
 *            inventory_cover (each cell).
 *
 * The key of a statistic is its kind and the names of its entities and its
 * calendar month ("metric:shortage_share|usa|ev_traction||" or
 * "series:price_index||germany||ndfeb|2025-06"), never indices: two
 * scenarios that differ in structure (an extra supplier, another industry)
 * match the statistics they share by key.
 */
#ifndef MAGSIM_STAT_H
#define MAGSIM_STAT_H

#include <stddef.h>
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

/* The entity dimensions a statistic can have (a bit set). */
enum { MS_DIM_SUPPLIER = 1, MS_DIM_IMPORTER = 2, MS_DIM_INDUSTRY = 4, MS_DIM_PRODUCT = 8 };

typedef enum ms_better {
    MS_BETTER_LOWER = -1,      /* a decrease is an improvement (shortage, price shock) */
    MS_BETTER_NONE = 0,        /* no direction (shipments): "better" reports P(difference > 0) */
    MS_BETTER_HIGHER = 1       /* an increase is an improvement (time to survive, inventory cover) */
} ms_better;

typedef struct ms_stat_kind {
    int is_series;             /* 0: a per-path metric; 1: a monthly series */
    int what;                  /* ms_metric or ms_series */
    const char *name;          /* column value: "shortage_share" */
    const char *unit;          /* "t", "share", "months", "USD", "index" */
    int dims;                  /* MS_DIM_* it has (-1 on one of them is a roll-up, "all") */
    int lower_tail_bad;        /* 1 when small values are bad (time to survive): CVaR of the lower tail */
    ms_better better;          /* which direction is an improvement */
    int headline;              /* 1: shown in compare's terminal tables */
    int bits;                  /* histogram precision: MS_METRIC_BITS or MS_SERIES_BITS (magsim/result.h) */
} ms_stat_kind;

typedef struct ms_stat_desc {
    int is_series;             /* 0: a per-path metric; 1: a monthly series point */
    int what;                  /* ms_metric or ms_series */
    int supplier, importer, industry, product; /* -1 where it does not apply / roll-up */
    int month;                 /* series: month offset; metrics: -1 */
    int lower_tail_bad;        /* 1 when small values are bad (time to survive): CVaR of the lower tail */
} ms_stat_desc;

/* The kind of a metric (is_series 0) or series (1); NULL when out of range. */
const ms_stat_kind *ms_stat_kind_of(int is_series, int what);
const char *ms_metric_name(ms_metric m);
const char *ms_series_name(ms_series s);
/* The ms_metric / ms_series of a name ("shortage_share"), or -1. */
int ms_stat_what(int is_series, const char *name);
/* Names of the metrics (or series), comma-separated, for error messages. */
void ms_stat_names(int is_series, char *buf, size_t len);

/* Every statistic of a scenario's run, in layout order, passed to emit.
 * series: 0 leaves the series out.  Returns the number of statistics. */
typedef void (*ms_stat_emit_fn)(void *ctx, const ms_stat_desc *d);
long ms_stat_enumerate(const ms_scenario *s, int series, ms_stat_emit_fn emit, void *ctx);

/* The statistic's metric or series name. */
const char *ms_stat_name(const ms_stat_desc *d);
/* The name of one dimension's entity: its scenario name, "all" for a
 * roll-up, NULL when the statistic does not have the dimension.  buf (>= 16
 * bytes) holds made-up names of indices out of range. */
const char *ms_stat_entity(const ms_scenario *s, const ms_stat_desc *d, int dim, char *buf, size_t len);
/* The key that matches the statistic across scenarios (above).  Returns the
 * length it needs (as snprintf). */
int ms_stat_key(const ms_scenario *s, const ms_stat_desc *d, char *buf, size_t len);

/* The statistic of engine e with these indices (-1: roll-up or not
 * applicable) and month (-1 for metrics); -1 when there is none. */
typedef struct ms_engine ms_engine;
int ms_stat_find(const ms_engine *e, int is_series, int what, int supplier, int importer, int industry, int product,
                 int month);

/* A number for a terminal table in its unit's usual form: shares in
 * percent, differences of shares in percentage points ("+1.62pp"), tonnes
 * and dollars to 3 digits, a share below 0.005% as 0.00; NaN as "-".  mode:
 * a value, a signed difference, or the size of one (a standard error). */
enum { MS_FMT_VALUE, MS_FMT_DIFF, MS_FMT_SPREAD };
const char *ms_stat_format(char *buf, size_t len, const char *unit, double x, int mode);

#endif
