/*
 * magsim/observed.h - observed monthly values to hold a scenario against
 * (the input of `magsim backtest`, docs/backtest.md).
 *
 * The file is a tidy CSV with exactly the header
 *
 *   series,supplier,importer,product,month,value,source
 *
 * one row per observed point: a monthly series of the statistic table
 * (magsim/stat.h) whose dimensions are among supplier, importer and product
 * (today shipments and price_index), its entities by scenario name, a month
 * YYYY-MM inside the horizon, the observed value (a finite number >= 0, in
 * the series' unit) and free text naming its source (RFC 4180 quoting).
 * An entity field is a scenario name, "all" where the series adds up (unit
 * t: the sum over that dimension's entities on each path; "importer: all"
 * is the engine's all-importers statistic), and empty for a dimension the
 * series does not have.
 *
 * ms_observed_load checks every row against the scenario before anything
 * is compiled or run, and reports every problem located at FILE:LINE:COLUMN
 * with what was expected (did-you-mean for names): a wrong header, an
 * unknown series or name, a field given or missing against the series'
 * dimensions, a point the scenario does not simulate (a supplier that does
 * not make the product), a month that is malformed or outside the horizon,
 * a value that is not a finite number >= 0, a duplicate row.  A malformed
 * CSV line (a quote that never ends, a wrong number of fields) stops the
 * reading there: the rest of the file cannot be split into fields.
 *
 * Each observation keeps the statistics it sums as descriptions (entity
 * indices and month); ms_observed_resolve maps them to an engine's
 * statistic indices (ms_stat_find), so the observations are checked once
 * and can be run on any engine compiled from the scenario.
 */
#ifndef MAGSIM_OBSERVED_H
#define MAGSIM_OBSERVED_H

#include <stddef.h>
#include "magsim/csv.h"
#include "magsim/diag.h"
#include "magsim/scenario.h"
#include "magsim/stat.h"

#define MS_OBSERVED_MAX_ROWS 100000        /* observations in one file */
#define MS_OBSERVED_MAX_FILE ((size_t)64 << 20) /* bytes in one file */

enum {
    MS_OBS_ALL = -1,   /* an entity field "all": summed over the dimension (or the engine's roll-up) */
    MS_OBS_NONE = -2   /* the series does not have this dimension (an empty field) */
};

/* The three entity dimensions of a row, in column order. */
enum { MS_OBS_SUPPLIER = 0, MS_OBS_IMPORTER, MS_OBS_PRODUCT, MS_OBS_NDIMS };

typedef struct ms_obs {
    int what;             /* ms_series of the row */
    int ent[MS_OBS_NDIMS];/* supplier, importer, product: scenario index, MS_OBS_ALL or MS_OBS_NONE */
    int month;            /* month offset in the horizon, 0 .. months - 1 */
    double value;         /* the observed value, in the series' unit (>= 0, finite) */
    const char *source;   /* the source field as written (owned by the table) */
    int line;             /* line of the row in the file (1-based) */
    int nparts;           /* statistics the observation sums (>= 1) */
    ms_stat_desc *part;   /* [nparts] their descriptions, in a fixed order */
    int *stat;            /* [nparts] their indices in the engine of ms_observed_resolve; NULL before */
} ms_obs;

typedef struct ms_observed {
    char *path;           /* the file as given */
    size_t bytes;         /* its size */
    char sha256[65];      /* its SHA-256, hex */
    char *text;           /* its bytes (NUL-terminated), for a byte copy of the file */
    ms_csv *csv;          /* the table (owns the source strings) */
    ms_obs *obs;          /* [n] observations in file order */
    int n;
} ms_observed;

/* Read and check an observations file against scenario s.  NULL when it
 * has any error; every error is appended to diags (the file's text is
 * registered there, so printing quotes its lines). */
ms_observed *ms_observed_load(const char *path, const ms_scenario *s, ms_diags *diags);
/* The same from a buffer; name stands for the path in diagnostics. */
ms_observed *ms_observed_load_buffer(const char *name, const char *buf, size_t len, const ms_scenario *s,
                                     ms_diags *diags);
void ms_observed_free(ms_observed *o);

/* Map every observation's statistics to the indices of engine e (compiled
 * from the scenario the file was checked against, series on).  0, or -1
 * with a message in err when a statistic is missing from e. */
int ms_observed_resolve(ms_observed *o, const ms_engine *e, char *err, size_t errlen);

/* The name an observation's entity field had: the scenario name, "all", or
 * "" for a dimension the series does not have. */
const char *ms_observed_entity(const ms_scenario *s, const ms_obs *ob, int dim);

/* Statistics whose dimensions fit the file (no industry): 1 or 0. */
int ms_observed_series_fits(int what);
/* Their names, comma-separated, for messages. */
void ms_observed_series_names(char *buf, size_t len);

#endif
