/*
 * magsim/output.h - what a run leaves behind: the terminal summary and the
 * result files.
 *
 * A finished (or interrupted) run is an engine, its ms_result and a little
 * run information (ms_output_info).  This module turns them into:
 *
 *   - a terminal summary (ms_output_terminal) that fits a 100-column terminal:
 *     the run header, shortage per importer x industry and price shock per
 *     importer x product, roll-ups included;
 *   - summary.csv       one row per metric (ms_output_summary_csv);
 *   - timeseries.csv    one row per series x month x statistic (ms_output_timeseries_csv);
 *   - summary.json      the content of both CSVs, structured (ms_output_summary_json);
 *   - manifest.json     provenance: version, scenario path and SHA-256, seed, paths,
 *                       threads, wall time, host, UTC time, command line
 *                       (ms_output_manifest_json);
 *   - scenario.yaml     a byte copy of the scenario the run loaded, and its
 *                       extends: bases under their own names (the bytes the
 *                       loader parsed: ms_scenario.sources).
 *
 * docs/outputs.md describes every file and column.
 *
 * Invariants:
 *   - summary.csv, timeseries.csv and summary.json depend only on the result's
 *     exact statistics, the scenario and the seed, never on the thread count,
 *     the wall time or the host: they are byte-identical across thread counts
 *     (manifest.json is the one file that records those).
 *   - numbers are written with the shortest of %.15g, %.16g and %.17g that
 *     reads back to the same double (round-trip exact: 0.05 stays "0.05");
 *     a NaN or infinity is never written: an empty CSV field, a JSON null.
 *   - statistics are taken with ms_accum_summary at the quantile levels of
 *     ms_output_info, so the files never depend on what the engine copied
 *     from the scenario.
 *
 * ms_output_write_dir writes them through an ms_outdir (magsim/outdir.h): the
 * directory appears complete or not at all, and never clobbers anything that
 * is not an earlier magsim output.
 */
#ifndef MAGSIM_OUTPUT_H
#define MAGSIM_OUTPUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "magsim/engine.h"

/* Return codes of the ms_output_* functions that can fail. */
enum {
    MS_OUTPUT_OK = 0,
    MS_OUTPUT_EIO = -1,      /* a file or directory could not be written (message in err) */
    MS_OUTPUT_EXISTS = -2,   /* DIR exists and force is not set, or it is not ours to replace */
    MS_OUTPUT_EINVAL = -3    /* bad argument (quantile levels, empty DIR) */
};

/* Everything about a run that is not in the engine or the result. */
typedef struct ms_output_info {
    const char *scenario_path;    /* as given on the command line */
    const char *command_line;     /* argv joined, shell-quoted; may be NULL */
    uint64_t seed;                /* run seed (after --seed) */
    const double *quantiles;      /* requested quantile levels in (0,1), ascending */
    int nquantiles;               /* 1..MS_MAX_QUANTILES */
    int threads;                  /* threads used (manifest and terminal only) */
    int gsl_errors;               /* GSL errors recorded during the run (manifest only) */
} ms_output_info;

/* Column name of quantile level q: "q" + percent, two integer digits, as
 * many decimals as needed: 0.05 -> q05, 0.5 -> q50, 0.995 -> q99.5. */
void ms_output_qname(double q, char *buf, size_t len);

/* Terminal summary (stdout).  Returns 0, or -1 on a write error. */
int ms_output_terminal(FILE *out, const ms_engine *e, const ms_result *r, const ms_output_info *info);

/* The four files' contents, written to a stream.  Return 0, or -1 on a
 * write error (ferror). */
int ms_output_summary_csv(FILE *out, const ms_engine *e, const ms_result *r, const ms_output_info *info);
int ms_output_timeseries_csv(FILE *out, const ms_engine *e, const ms_result *r, const ms_output_info *info);
int ms_output_summary_json(FILE *out, const ms_engine *e, const ms_result *r, const ms_output_info *info);
int ms_output_manifest_json(FILE *out, const ms_engine *e, const ms_result *r, const ms_output_info *info);

/* Add every file (the manifest last, listing the others) to an open result
 * directory, for a command that adds more files before it commits (run
 * --report).  MS_OUTPUT_OK or an error code with a message in err. */
struct ms_outdir;
int ms_output_add_files(struct ms_outdir *d, const ms_engine *e, const ms_result *r, const ms_output_info *info,
                        char *err, size_t errlen);

/* Write every file into DIR atomically (see above).  Missing parent
 * directories are created.  Returns MS_OUTPUT_OK or an error code with a
 * message in err. */
int ms_output_write_dir(const char *dir, int force, const ms_engine *e, const ms_result *r,
                        const ms_output_info *info, char *err, size_t errlen);

#endif
