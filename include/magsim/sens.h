/*
 * magsim/sens.h - which uncertain input drives an output: Sobol' indices
 * and the tornado, through the engine as it is (no second model).
 *
 * Factors.  Every uncertain input of the scenario (or a chosen subset) is a
 * factor, addressed by its key.  An input drawn once per path takes the
 * value ms_dist_quantile(u) of a design coordinate u (magsim/sobol.h),
 * applied to every month (MS_INPUT_VALUE).  A per-month input is one factor
 * whose "value" is a whole monthly realisation: it is drawn as on another
 * path (MS_INPUT_PATH), so its months stay independent draws of its
 * distribution.
 *
 * Intrinsic noise.  What is not a factor - outage events, control regime
 * switches, licence noise, and the uncertain inputs left out of the
 * analysis - is drawn for the path index that runs, as in `run`.  Row j of
 * the Saltelli design runs A_j and every AB_i j on path j, and B_j on path
 * MS_SENS_B_PATH + j: the noise of B is independent of that of A, as for
 * one more factor W.  Then the first-order estimator of factor i, which
 * pairs B with AB_i (they share X_i only), estimates Var(E[Y | X_i]) / V,
 * the index of X_i alone; the total estimator, which pairs A with AB_i (they
 * share everything but X_i), estimates E[Var(Y | everything but X_i)] / V,
 * interactions with the noise included.  The noise itself is reported as the
 * factor "(intrinsic)": AB_W j runs on B's path with A's factor values.  The
 * first-order indices of the inputs and of the noise sum to at most 1.
 * (Had B shared path j, the first-order estimator would measure X_i and W
 * together.)
 *
 * Cost: rows x (factors + 3) evaluations for the indices, plus
 * tornado_paths x (2 factors + 1) for the tornado.  Every evaluation's
 * outputs are kept (rows x (factors + 3) doubles per output), the estimates
 * are made in row order after the runs: the result is the same for any
 * thread count.
 */
#ifndef MAGSIM_SENS_H
#define MAGSIM_SENS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "magsim/engine.h"
#include "magsim/sobol.h"

#define MS_SENS_B_PATH (UINT64_C(1) << 40)  /* B_j runs on path MS_SENS_B_PATH + j */
#define MS_SENS_TORNADO_LO 0.05             /* tornado: each factor at these levels, the others at 0.5 */
#define MS_SENS_TORNADO_HI 0.95

typedef struct ms_sens_plan {
    int nfactors;              /* factors (>= 1) */
    const int *factors;        /* [nfactors] engine input indices, each uncertain, ascending */
    int noutputs;              /* outputs (>= 1) */
    const int *outputs;        /* [noutputs] metric indices of the engine's layout */
    int rows;                  /* Saltelli rows N (>= 2) */
    int tornado_paths;         /* paths per tornado setting (0: no tornado) */
    int nboot;                 /* bootstrap resamples of the intervals */
    double level;              /* confidence level of the intervals (0.95) */
    uint64_t seed;             /* design and bootstrap seed (the run seed) */
} ms_sens_plan;

typedef struct ms_sens ms_sens;

/* Model evaluations of a plan: rows (factors + 3) + tornado_paths (2 factors + 1). */
double ms_sens_evaluations(const ms_sens_plan *p);

/* Memory of a plan on engine e with this many threads (the engine's own
 * memory included), and the size of its result files, as an ms_estimate. */
void ms_sens_estimate(const ms_engine *e, const ms_sens_plan *p, int threads, ms_estimate *out);

/* A sensitivity analysis of engine e (series off is enough).  NULL with a
 * message in err on a bad plan or when memory runs out. */
ms_sens *ms_sens_alloc(const ms_engine *e, const ms_sens_plan *p, char *err, size_t errlen);
void ms_sens_free(ms_sens *s);
const ms_sens_plan *ms_sens_get_plan(const ms_sens *s);
const ms_engine *ms_sens_engine(const ms_sens *s);

/* The tornado's settings, then the rows, in parallel (o: threads, progress
 * over evaluations, stop flag).  0, or -1 when a path failed. */
int ms_sens_run(ms_sens *s, const ms_run_opts *o);

typedef struct ms_sens_status {
    int rows_done;             /* rows 0 .. rows_done - 1 complete (a prefix, after an interrupt) */
    int tornado_done;          /* 1 when every tornado setting ran */
    int interrupted;           /* 1 when stopped before everything ran */
    uint64_t evaluations;      /* model evaluations done */
    double wall_seconds;       /* time in ms_sens_run */
    int threads;               /* threads used */
} ms_sens_status;

ms_sens_status ms_sens_get_status(const ms_sens *s);

/* The indices of output o over the rows done: idx[0 .. nfactors - 1] for
 * the factors, idx[nfactors] for the intrinsic noise; mom the output's
 * mean and variance.  0, or -1 when fewer than 2 rows are done (NaNs). */
int ms_sens_indices(const ms_sens *s, int o, ms_sobol_index *idx, ms_sobol_moments *mom);

/* One bar of the tornado: factor i at its 5th and 95th percentile, the
 * others at their median, over the same tornado_paths paths. */
typedef struct ms_sens_bar {
    double x_lo, x_hi, x_mid;  /* the factor's values at the 5th, 95th, 50th percentile (every month) */
    double y_lo, y_hi;         /* mean output at the factor's 5th and 95th percentile */
    double y_mid;              /* mean output with every factor at its median */
    double swing;              /* y_hi - y_lo */
    double swing_se;           /* standard error of the swing, paired over the paths */
} ms_sens_bar;

void ms_sens_tornado(const ms_sens *s, int o, int i, ms_sens_bar *bar);

/* ---- outputs (sim/sens_output.c; docs/outputs.md) ---------------------------------------
 *   terminal          per output: the inputs ranked by total index, the tornado's largest bars
 *   sensitivity.csv   one row per output x factor (and the intrinsic noise): S1, ST, intervals
 *   tornado.csv       one row per output x factor: the bar, largest swing first
 *   sensitivity.json  both, structured, with the design and the factors
 *   manifest.json     provenance; scenario.yaml and its bases: the scenario files
 * Every file but the manifest is byte-identical for any thread count. */

typedef struct ms_sens_info {
    const char *scenario_path;   /* as given */
    const char *command_line;    /* argv, shell-quoted; may be NULL */
    int gsl_errors;              /* GSL errors during the run (manifest only) */
    int top;                     /* terminal: inputs listed per output (the rest are in the files) */
} ms_sens_info;

int ms_sens_terminal(FILE *f, const ms_sens *s, const ms_sens_info *info);
int ms_sens_csv(FILE *f, const ms_sens *s, const ms_sens_info *info);
int ms_sens_tornado_csv(FILE *f, const ms_sens *s, const ms_sens_info *info);
int ms_sens_json(FILE *f, const ms_sens *s, const ms_sens_info *info);

/* Every file into DIR through an ms_outdir: MS_OUTDIR_OK or a code with a message in err. */
int ms_sens_write_dir(const char *dir, int force, const ms_sens *s, const ms_sens_info *info, char *err,
                      size_t errlen);

#endif
