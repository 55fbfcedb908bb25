/*
 * magsim/stat.h - what a statistic of the engine's layout is, in one table
 * that every command reads: its name, the entity dimensions it has, its
 * unit, which direction is better, whether it is a headline; and, for one
 * statistic of an engine, the names of its entities, a key that identifies
 * it across scenarios, and lookup by names.
 *
 * "Better" is what `compare` reports as P(POLICY better): lower shortage,
 * lower price shock, longer time to survive, more inventory cover.
 * Shipments have no better direction: P(better) is then P(difference > 0),
 * which the table says (MS_BETTER_NONE) and every report repeats.
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
#include "magsim/engine.h"

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
    int dims;                  /* MS_DIM_* it has (-1 on one of them is a roll-up, "all") */
    ms_better better;          /* which direction is an improvement */
    int headline;              /* 1: shown in compare's terminal tables */
    const char *unit;          /* "t", "share", "months", "USD", "index" */
} ms_stat_kind;

/* The kind of a metric (is_series 0) or series (1); NULL when out of range. */
const ms_stat_kind *ms_stat_kind_of(int is_series, int what);
/* The ms_metric / ms_series of a name ("shortage_share"), or -1. */
int ms_stat_what(int is_series, const char *name);
/* Names of the metrics (or series), comma-separated, for error messages. */
void ms_stat_names(int is_series, char *buf, size_t len);

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
int ms_stat_find(const ms_engine *e, int is_series, int what, int supplier, int importer, int industry, int product,
                 int month);

/* A number for a terminal table in its unit's usual form: shares in
 * percent, differences of shares in percentage points ("+1.62pp"), tonnes
 * and dollars to 3 digits, a share below 0.005% as 0.00; NaN as "-".  mode:
 * a value, a signed difference, or the size of one (a standard error). */
enum { MS_FMT_VALUE, MS_FMT_DIFF, MS_FMT_SPREAD };
const char *ms_stat_format(char *buf, size_t len, const char *unit, double x, int mode);

#endif
