/*
 * magsim/compare.h - paired comparison of scenarios: the distribution over
 * paths of POLICY - BASE, statistic by statistic.
 *
 * Every scenario is compiled into its own engine with the same seed, and
 * every path index is run on all of them in one pass (ms_engine_paths):
 * since a path's random numbers depend only on (seed, path, input key),
 * the scenarios draw the same values for every input they share, and the
 * difference on a path measures the policy, not the luck of the draw.
 *
 * Pairing (ms_compare_alloc).  Statistics are matched by key (magsim/stat.h:
 * metric or series, entity names, calendar month), never by index, so
 * scenarios that differ in structure (an extra supplier, a new policy) pair
 * what they share; what they do not share is listed, for statistics and for
 * input keys (inputs present in one scenario only, and inputs whose
 * distribution differs).
 *
 * Accumulation (ms_compare_run).  Paths run in blocks of MS_BLOCK, blocks in
 * parallel (OpenMP).  Per block, in path order, the differences go into
 * exact accumulators (magsim/accum.h), as do the raw values of the shared
 * metrics of each side; counts of paths on which the policy is better or
 * worse are integers.  All of them merge exactly, so every output is bit
 * for bit the same for any thread count, and results of path ranges that
 * start at multiples of MS_BLOCK merge exactly (ms_compare_result_merge).
 *
 * Variance reduction.  For a metric X, Var(X_base) + Var(X_policy) is the
 * variance of a difference of independent runs, Var(X_policy - X_base) that
 * of the paired difference, both from the same paths; their ratio is how
 * many times more paths independent runs would need for the same standard
 * error.  Identical scenarios give Var(diff) = 0: an infinite ratio.
 */
#ifndef MAGSIM_COMPARE_H
#define MAGSIM_COMPARE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "magsim/accum.h"
#include "magsim/engine.h"
#include "magsim/stat.h"

#define MS_COMPARE_MAX 16      /* scenarios in one comparison, the base included */

typedef struct ms_compare_pair {
    int base;                  /* index of the statistic in the base engine's layout */
    int policy;                /* index of the same statistic in the policy engine's layout */
} ms_compare_pair;

/* What one policy scenario shares with the base, and what not. */
typedef struct ms_compare_policy {
    const ms_engine *engine;   /* the policy's engine (not owned) */
    int nmetrics, nseries;     /* shared metrics, shared series points */
    ms_compare_pair *pairs;    /* [nmetrics + nseries]: metrics, then series, in the base's layout order */
    int *base_only, nbase_only;      /* statistics of the base the policy lacks (base indices) */
    int *policy_only, npolicy_only;  /* statistics of the policy the base lacks (policy indices) */
    const char **inputs_base_only;   /* input keys only in the base (pointers into the scenarios) */
    int ninputs_base_only;
    const char **inputs_policy_only; /* input keys only in the policy */
    int ninputs_policy_only;
    const char **inputs_changed;     /* keys in both whose distribution differs */
    int ninputs_changed;
} ms_compare_policy;

typedef struct ms_compare ms_compare;

/* Pair the base engine with npolicies policy engines (1 .. MS_COMPARE_MAX -
 * 1).  They must share the seed, the horizon (start and months) and the
 * series setting.  NULL with a message in err otherwise, or when memory
 * runs out.  The engines must outlive the comparison. */
ms_compare *ms_compare_alloc(const ms_engine *base, const ms_engine *const *policies, int npolicies, char *err,
                             size_t errlen);
void ms_compare_free(ms_compare *c);
/* Can two scenarios be compared (same horizon start and length)?  0, or -1
 * with the reason in err.  ms_compare_alloc checks it too; a command calls it
 * first to refuse before anything is compiled. */
int ms_compare_check_scenarios(const ms_scenario *base, const ms_scenario *policy, char *err, size_t errlen);
const ms_engine *ms_compare_base(const ms_compare *c);
int ms_compare_npolicies(const ms_compare *c);
const ms_compare_policy *ms_compare_policy_at(const ms_compare *c, int k);

/* The distributions of a comparison. */
typedef struct ms_compare_result {
    int npolicies;
    ms_accum *base;              /* the base's metrics (all of them), raw values */
    ms_accum **policy;           /* [k] policy k's shared metrics, raw values, in pair order */
    ms_accum **diff_metrics;     /* [k] policy - base, shared metrics (MS_METRIC_BITS histograms) */
    ms_accum **diff_series;      /* [k] policy - base, shared series points (MS_SERIES_BITS); NULL when none */
    uint64_t **better;           /* [k][shared statistic]: paths on which the policy is better
                                    (MS_BETTER_NONE: the difference is > 0) */
    uint64_t **worse;            /* [k][shared statistic]: paths on which it is worse (NONE: < 0) */
    uint64_t paths_done;         /* paths accumulated */
    uint64_t first_path;         /* first path index of the run */
    uint64_t paths_requested;    /* paths asked for */
    int interrupted;             /* 1 when stopped before all paths were done */
    double wall_seconds;         /* time spent in ms_compare_run, summed over calls */
    int threads;                 /* threads of the last ms_compare_run */
} ms_compare_result;

ms_compare_result *ms_compare_result_alloc(const ms_compare *c);
void ms_compare_result_free(ms_compare_result *r);
/* dst += src, exactly.  0, or -1 when the shapes differ. */
int ms_compare_result_merge(ms_compare_result *dst, const ms_compare_result *src);

/* Run paths [first, first + n) of every scenario (blocks of MS_BLOCK in
 * parallel; o as for ms_engine_run: threads, progress, stop flag) and
 * accumulate into r.  0, or -1 when a path failed or memory ran out. */
int ms_compare_run(const ms_compare *c, uint64_t first, uint64_t n, const ms_run_opts *o, ms_compare_result *r);

/* Summary of shared statistic q of policy k (q < nmetrics + nseries): the
 * difference's distribution at the quantile levels, P(better), P(worse). */
typedef struct ms_compare_stat {
    ms_stat_summary diff;        /* of policy - base */
    double base_mean, policy_mean; /* raw means (metrics; NaN for series points) */
    double var_independent;      /* Var(base) + Var(policy) (metrics; NaN for series points) */
    double var_paired;           /* Var(policy - base) */
    double var_ratio;            /* var_independent / var_paired: +inf when only the latter is 0, NaN when both are */
    double p_better, p_worse;    /* shares of paths (see ms_compare_result.better) */
} ms_compare_stat;

void ms_compare_stat_at(const ms_compare *c, const ms_compare_result *r, int k, int q, const double *quantiles,
                        int nq, ms_compare_stat *out);

/* What a comparison of these scenarios will need (memory, result files)
 * before anything is allocated: scenarios[0] is the base.  The fields are
 * those of ms_estimate (magsim/engine.h), summed over the scenarios. */
void ms_compare_estimate(const ms_scenario *const *scenarios, int n, const ms_engine_opts *opts, int threads,
                         uint64_t paths, ms_estimate *out);

/* ---- outputs (sim/compare_output.c; docs/outputs.md) ----------------------------------
 *   terminal            headline tables per policy (ms_compare_terminal)
 *   compare.csv         one row per policy x shared metric (ms_compare_csv)
 *   compare_timeseries.csv  difference bands of the monthly series, long form
 *   compare.json        both, structured, with what is not shared
 *   manifest.json       provenance; base.yaml, policy1.yaml, ...: the scenario files
 * Every file but the manifest depends on the scenarios, seed, paths and
 * quantile levels only: byte-identical for any thread count. */

typedef struct ms_compare_info {
    const char *const *paths;    /* [1 + npolicies] scenario paths as given, the base first */
    const char *const *labels;   /* [1 + npolicies] short unique names (file stems) used in the files */
    const char *command_line;    /* argv, shell-quoted; may be NULL */
    uint64_t seed;               /* run seed */
    const double *quantiles;     /* levels of the difference quantiles, in (0,1), ascending */
    int nquantiles;              /* 1 .. MS_MAX_QUANTILES */
    int threads;                 /* threads used (terminal and manifest only) */
    int gsl_errors;              /* GSL errors during the run (manifest only) */
} ms_compare_info;

/* The stem of a scenario path ("scenarios/x.yaml" -> "x") into buf. */
void ms_compare_label(const char *path, char *buf, size_t len);

int ms_compare_terminal(FILE *f, const ms_compare *c, const ms_compare_result *r, const ms_compare_info *info);
int ms_compare_csv(FILE *f, const ms_compare *c, const ms_compare_result *r, const ms_compare_info *info);
int ms_compare_timeseries_csv(FILE *f, const ms_compare *c, const ms_compare_result *r, const ms_compare_info *info);
int ms_compare_json(FILE *f, const ms_compare *c, const ms_compare_result *r, const ms_compare_info *info);

/* Write every file into DIR through an ms_outdir (magsim/outdir.h): DIR
 * appears complete or not at all.  MS_OUTDIR_OK or an MS_OUTDIR_* code with
 * a message in err. */
int ms_compare_write_dir(const char *dir, int force, const ms_compare *c, const ms_compare_result *r,
                         const ms_compare_info *info, char *err, size_t errlen);

#endif
