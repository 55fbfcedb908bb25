/*
 * magsim/resultdir.h - a result directory read back from its files.
 *
 * Commands that work on results (report, and later compare, sensitivity,
 * backtest) read what `magsim run --out DIR` wrote - manifest.json,
 * summary.csv, timeseries.csv - and never the engine's internals, so they
 * work on any result directory and stay true to its files.
 *
 * ms_resultdir_load checks that DIR is a magsim result this version can
 * read: manifest.json with "format": "magsim-manifest", "format_version" 1
 * and a magsim_version of the same major.minor as this magsim; summary.csv
 * and timeseries.csv with the headers of docs/outputs.md.  Every problem
 * found is reported (one line each, saying what was found and what was
 * expected), not just the first.  An optional backtest.csv (a backtest's
 * observed points, docs/report.md) is read when present.
 *
 * The monthly series are indexed by key (series, supplier, importer,
 * industry, product): each holds its months and one column of values per
 * statistic (mean, q05, q50, ...).  summary.csv rows are looked up by
 * (metric, importer, industry, product).  Everything read is kept with the
 * SHA-256 of the bytes it came from, for the provenance of what is made
 * from it.
 */
#ifndef MAGSIM_RESULTDIR_H
#define MAGSIM_RESULTDIR_H

#include <stddef.h>
#include <stdint.h>
#include "magsim/csv.h"
#include "magsim/json.h"

#define MS_RD_MAX_STATS 24   /* statistics per series: mean and up to 16 quantiles, with room */

/* One monthly series of timeseries.csv. */
typedef struct ms_rseries {
    const char *key[5];  /* series, supplier, importer, industry, product ("" where empty) */
    int month0;          /* first month, as year * 12 + month - 1 */
    int nmonths;         /* months, consecutive from month0 */
    double *v;           /* [nstats * nmonths]: v[s * nmonths + m], NaN where the file has no value */
} ms_rseries;

/* An input file and its hash. */
typedef struct ms_rfile {
    const char *name;    /* file name inside the directory */
    int present;         /* 1 when read */
    size_t bytes;        /* size */
    char sha256[65];     /* SHA-256, hex */
} ms_rfile;

enum { MS_RF_MANIFEST, MS_RF_SUMMARY, MS_RF_TIMESERIES, MS_RF_BACKTEST, MS_RF_N };

typedef struct ms_resultdir {
    /* manifest.json */
    ms_json *manifest;          /* the whole document */
    const char *version;        /* magsim_version that wrote the result */
    const char *scenario_name;  /* scenario.name */
    const char *scenario_path;  /* scenario.path (as given to run) */
    const char *scenario_sha;   /* scenario.sha256 (hex), or NULL */
    const char *seed;           /* the seed as written (exact for 64-bit seeds) */
    const char *written_utc;    /* when the result was written */
    double paths_requested;     /* paths asked for */
    double paths_done;          /* paths accumulated */
    int partial;                /* 1: the run was interrupted */
    int has_series;             /* 1: the run kept monthly series (manifest "series" and rows present) */
    /* summary.csv */
    ms_csv *summary;            /* the table */
    int sc_metric, sc_importer, sc_industry, sc_product; /* its key columns */
    /* timeseries.csv */
    ms_csv *timeseries;         /* the table */
    int nstats;                 /* statistics found in its stat column */
    const char *stat[MS_RD_MAX_STATS]; /* their names in order of first appearance (mean, q05, ...) */
    ms_rseries *series;         /* [nseries] in order of first appearance */
    int nseries;
    /* backtest.csv (optional) */
    ms_csv *backtest;           /* NULL when the directory has none */
    ms_rfile files[MS_RF_N];    /* what was read, with hashes */
} ms_resultdir;

/* Read DIR.  NULL with every problem found in err (lines "DIR/FILE: ...").
 * *invalid is set to 1 when DIR is not a readable magsim result (not a
 * result, another format or version, malformed files), 0 when it failed for
 * another reason (out of memory). */
ms_resultdir *ms_resultdir_load(const char *dir, char *err, size_t errlen, int *invalid);
void ms_resultdir_free(ms_resultdir *rd);

/* Index of a statistic (mean, q50, ...) in the series columns, -1 when absent. */
int ms_resultdir_stat(const ms_resultdir *rd, const char *name);
/* The series with this key ("" or NULL for an empty field); NULL when absent. */
const ms_rseries *ms_resultdir_series(const ms_resultdir *rd, const char *series, const char *supplier,
                                      const char *importer, const char *industry, const char *product);
/* The summary.csv row of (metric, importer, industry, product), -1 when absent. */
int ms_resultdir_row(const ms_resultdir *rd, const char *metric, const char *importer, const char *industry,
                     const char *product);
/* A number of summary.csv: column `col` of row `row`; NaN when the row or
 * column is absent or the field empty. */
double ms_resultdir_value(const ms_resultdir *rd, int row, const char *col);

/* "YYYY-MM" <-> year * 12 + month - 1; -1 when malformed. */
int ms_resultdir_parse_month(const char *s);
void ms_resultdir_month_label(int month, char *buf, size_t len);

#endif
