/*
 * magsim/sweep.h - a sweep: one base scenario run at many points of its inputs.
 *
 * A sweep file (YAML, docs/hpc.md) names a base scenario, the inputs to vary
 * by key path (ms_dist.key: "policies.april_licensing.license.approval") and
 * a design that turns them into numbered points:
 *   - grid:  every combination of each input's values (a list, or min, max
 *            and n evenly spaced); the first input varies slowest;
 *   - lhs:   a Latin hypercube of `points` points in [min, max] per input,
 *            drawn from Philox streams keyed by (design seed, input index),
 *            so the same file always gives the same points;
 *   - sobol: the first `points` points of GSL's Sobol sequence
 *            (gsl_qrng_sobol, which starts at (0.5, ..., 0.5), not at the
 *            origin) after `skip` points (default 0), scaled to [min, max].
 * A date input takes "YYYY-MM" values and is swept in whole months.
 *
 * ms_sweep_load checks the whole file and reports every error located at
 * FILE:LINE:COLUMN (an input that does not exist, with the nearest key; a
 * value outside the input's domain; a design with no point), loads the base
 * scenario, and builds the base with each input at its extreme values so
 * that what the loader would refuse at some point is reported up front.
 * A point's scenario (ms_sweep_point) is the base with the point's values as
 * overrides (ms_scenario_load_overrides): every other input keeps its key,
 * so points run with the same seed share their random numbers.
 */
#ifndef MAGSIM_SWEEP_H
#define MAGSIM_SWEEP_H

#include <stddef.h>
#include <stdint.h>
#include "magsim/scenario.h"

#define MS_SWEEP_MAX_POINTS 1000000  /* points in one sweep */
#define MS_SWEEP_MAX_INPUTS 40       /* inputs varied at once (GSL's Sobol dimension limit) */

typedef enum ms_design { MS_DESIGN_GRID = 0, MS_DESIGN_LHS, MS_DESIGN_SOBOL } ms_design;

typedef struct ms_sweep_input {
    char *key;                 /* key: the input's key path in the base scenario */
    int is_date;               /* 1: a date; values are month offsets from the base's horizon.start */
    int nvalues;               /* grid: number of values (values: list, or n:) */
    double *values;            /* grid: [nvalues] values (month offsets for a date) */
    double min, max;           /* min:, max: the range (lhs, sobol, grid with n:) */
    int line, column;          /* where the input's key: was written (1-based) */
} ms_sweep_input;

typedef struct ms_sweep {
    char *path;                /* the sweep file as given */
    char *name;                /* name: title (default: the file name) */
    char *scenario_path;       /* scenario: the base, relative to the sweep file's directory */
    char *bytes;               /* the sweep file's bytes (NUL-terminated) */
    size_t len;                /* their length */
    char sha256[65];           /* SHA-256 of the sweep file */
    char scenario_sha256[65];  /* SHA-256 of the base scenario's sources (ms_sweep_scenario_sha256) */
    uint64_t paths;            /* paths: per point (default: run.paths of the base) */
    uint64_t seed;             /* seed: run seed of every point (default: run.seed of the base) */
    double quantiles[MS_MAX_QUANTILES]; /* quantiles: levels (default: outputs.quantiles of the base) */
    int nquantiles;
    ms_design design;          /* design.type */
    uint64_t design_seed;      /* design.seed: lhs streams' key (default: seed) */
    int sobol_skip;            /* design.skip: Sobol points skipped first (default 0) */
    ms_sweep_input *inputs;    /* inputs: in file order */
    int ninputs;
    int npoints;               /* points of the design */
    double *x;                 /* [npoints][ninputs] values (month offsets for dates) */
    ms_scenario *base;         /* the base scenario, loaded and valid */
} ms_sweep;

/* Load and check a sweep file and its base scenario; NULL after every error
 * was added to diags (the sweep file's text is registered for quoting). */
ms_sweep *ms_sweep_load(const char *path, ms_diags *diags);
void ms_sweep_free(ms_sweep *w);

const char *ms_design_name(ms_design d);

/* Input j of point p as written in files: a number (round-trip) or YYYY-MM. */
void ms_sweep_value_text(const ms_sweep *w, int p, int j, char *buf, size_t len);

/* The scenario of point p (the base with the point's values); NULL with
 * diags when the loader refuses it. */
ms_scenario *ms_sweep_point(const ms_sweep *w, int p, ms_diags *diags);

/* SHA-256 over a scenario's sources (each one's length and bytes, in order):
 * what identifies the base in checkpoints and shards. */
void ms_sweep_scenario_sha256(const ms_scenario *s, char hex[65]);

#endif
