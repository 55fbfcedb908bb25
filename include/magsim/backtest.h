/*
 * magsim/backtest.h - a scenario held against what was observed: the
 * simulated distribution of every observed point, exact over the paths,
 * and how well it forecast the observation (docs/backtest.md).
 *
 * A backtest is a run of the scenario (the same ms_result, bit for bit, as
 * ms_engine_run of the same paths: the run's files are written as usual)
 * that also keeps, for every observation of an ms_observed, its value on
 * every path: the sum of the observation's statistics (magsim/observed.h),
 * added in a fixed order.  Paths go through the engine's batch call
 * (ms_engine_paths) in blocks of MS_BLOCK, in parallel; each path's value
 * lands at its own index, so the kept values, and everything computed from
 * them, are the same for any thread count.
 *
 * The scores of one observation y against its n simulated values x (the
 * empirical distribution F of the paths, exact: no histogram):
 *   quantile q_p   the smallest x with F(x) >= p (the inverse CDF, as
 *                  magsim's histograms define it): x_(ceil(p n)) of the
 *                  sorted values, levels 5, 25, 50, 75 and 95%;
 *   PIT            (#{x < y} + #{x = y} / 2) / n (ties count half);
 *   in50, in90     q25 <= y <= q75, q05 <= y <= q95 (in50 implies in90);
 *   rel_err        (q50 - y) / y, NaN when y = 0;
 *   CRPS           mean|X - y| - mean|X - X'| / 2 over the paths, computed
 *                  from the sorted values as
 *                  (2 / n^2) sum_i (x_(i) - y) (n [y < x_(i)] - i + 1/2),
 *                  whose terms are all >= 0.
 * The summary: coverage of both bands, with the probability that a
 * calibrated band covers at most that many of the observations
 * (binomial; observations are treated as independent), the median of
 * |rel_err| over the observations with y > 0, the mean CRPS, and the PIT
 * values counted by tenth.
 */
#ifndef MAGSIM_BACKTEST_H
#define MAGSIM_BACKTEST_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "magsim/engine.h"
#include "magsim/observed.h"

#define MS_BT_NQ 5                          /* simulated quantiles per observation */
extern const int ms_backtest_percent[MS_BT_NQ]; /* their levels in percent: 5, 25, 50, 75, 95 */
enum { MS_BT_Q05, MS_BT_Q25, MS_BT_Q50, MS_BT_Q75, MS_BT_Q95 };

/* One observation against its simulated values. */
typedef struct ms_bt_score {
    uint64_t n;                /* simulated values (paths with a finite value) */
    uint64_t below;            /* values < y */
    uint64_t equal;            /* values = y */
    double y;                  /* the observed value */
    double q[MS_BT_NQ];        /* simulated quantiles q05 .. q95, in the series' unit */
    double pit;                /* probability integral transform, [0, 1] */
    int in50;                  /* 1: q25 <= y <= q75 */
    int in90;                  /* 1: q05 <= y <= q95 */
    double rel_err;            /* relative error of the simulated median, (q50 - y) / y; NaN when y = 0 */
    double crps;               /* continuous ranked probability score, >= 0, in the series' unit */
} ms_bt_score;

/* x_(ceil(percent n / 100)) of n sorted values (1-based), computed in
 * integers; NaN when n = 0. */
double ms_backtest_quantile(const double *sorted, uint64_t n, int percent);
/* The scores of y against n sorted finite values (all NaN when n = 0). */
void ms_backtest_score(const double *sorted, uint64_t n, double y, ms_bt_score *out);

typedef struct ms_bt_summary {
    int n;                     /* observations */
    int hits50, hits90;        /* observations inside the 50% and 90% bands */
    double coverage50;         /* hits50 / n */
    double coverage90;         /* hits90 / n */
    double binom_p50;          /* P(Binomial(n, 0.5) <= hits50): how unusual the coverage is for a calibrated band */
    double binom_p90;          /* P(Binomial(n, 0.9) <= hits90) */
    int nrel;                  /* observations with a relative error (y > 0) */
    double median_abs_rel_err; /* median of |rel_err| over them (the mean of the two middle ones for an even
                                  count); NaN when none */
    double mean_crps;          /* mean CRPS over the observations (units of the series; mixed when the series are) */
    int pit_tenths[10];        /* observations with PIT in [k/10, (k+1)/10), PIT = 1 in the last (counted
                                  exactly from below, equal and n) */
} ms_bt_summary;

void ms_backtest_summarize(const ms_bt_score *s, int n, ms_bt_summary *out);

/* A backtest of observations o on engine e over paths [first, first + paths). */
typedef struct ms_backtest {
    const ms_engine *e;        /* the engine (series on), o resolved against it */
    const ms_observed *o;      /* the observations */
    uint64_t first;            /* first path index */
    uint64_t paths;            /* paths requested */
    uint64_t paths_done;       /* paths run: first .. first + paths_done - 1 (blocks are taken in order) */
    double *values;            /* [o->n * paths]: observation k on path first + j at k * paths + j;
                                  sorted per observation by ms_backtest_finish */
    ms_bt_score *score;        /* [o->n]: filled by ms_backtest_finish */
    ms_bt_summary summary;     /* filled by ms_backtest_finish */
} ms_backtest;

/* NULL with a message in err when out of memory or o is not resolved. */
ms_backtest *ms_backtest_alloc(const ms_engine *e, const ms_observed *o, uint64_t first, uint64_t paths, char *err,
                               size_t errlen);
void ms_backtest_free(ms_backtest *b);

/* Run the paths: accumulate into r exactly as ms_engine_run(e, first, paths)
 * would, and keep every observation's value on every path.  Stops as
 * ms_engine_run does (the paths done are a prefix of the range).  0, or -1
 * when a thread could not allocate its workspace. */
int ms_backtest_run(ms_backtest *b, const ms_run_opts *o, ms_result *r);

/* Sort each observation's values over the paths done and score them, then
 * summarize (threads: 0 for OpenMP's default; the result does not depend
 * on it). */
void ms_backtest_finish(ms_backtest *b, int threads);

/* What a backtest of nobs observations over paths will need (a run with
 * series, a block buffer per thread, the kept values, the extra files). */
void ms_backtest_estimate(const ms_scenario *s, int nobs, uint64_t paths, int threads, ms_estimate *out);

/* ---- output (sim/backtest_output.c) ----------------------------------------
 * backtest.csv: one row per observation (docs/outputs.md);
 * backtest.json: the rows, the summary, the observations file's path and
 * SHA-256, the run's seed and paths; both the same bytes for any thread
 * count.  The terminal table: one row per observation, then the summary. */
typedef struct ms_backtest_info {
    const char *scenario_path; /* as given on the command line */
    uint64_t seed;             /* run seed */
    double require_coverage;   /* --require-coverage; NaN when not asked */
    int threads;               /* threads used (terminal only) */
    double wall_seconds;       /* run time (terminal only) */
} ms_backtest_info;

int ms_backtest_csv(FILE *f, const ms_backtest *b);
int ms_backtest_json(FILE *f, const ms_backtest *b, const ms_backtest_info *info);
int ms_backtest_terminal(FILE *f, const ms_backtest *b, const ms_backtest_info *info);
/* 1 when a coverage was required and the 90% band's is below it. */
int ms_backtest_check_failed(const ms_backtest *b, const ms_backtest_info *info);

/* Add backtest.csv, backtest.json and observed.csv (a byte copy of the
 * observations file) to an open result directory.  MS_OUTDIR_OK or an
 * MS_OUTDIR_* code with a message in err. */
struct ms_outdir;
int ms_backtest_add_files(struct ms_outdir *d, const ms_backtest *b, const ms_backtest_info *info, char *err,
                          size_t errlen);

#endif
