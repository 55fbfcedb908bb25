/*
 * magsim/engine.h - the Monte Carlo engine: paths in, distributions out.
 *
 * ms_engine_alloc compiles a validated scenario into flat index tables (no
 * strings, no allocation in the month loop).  ms_engine_path simulates one
 * path - the ten steps of a month of docs/model.md, T times - into a
 * workspace, and reports that path's metrics and monthly series as one
 * vector of doubles whose layout is described by ms_stat_desc.
 * ms_engine_run runs a range of paths in fixed blocks of MS_BLOCK path
 * indices, in parallel with OpenMP, and accumulates the vectors into an
 * ms_result whose merge is exact (magsim/accum.h): the result is bit for bit
 * the same for any thread count, schedule or split of the range.
 *
 * A path's random numbers depend only on (seed, path index) and on the
 * stream ids of the inputs (magsim/dist.h); two scenarios that share inputs
 * share their draws path by path.
 */
#ifndef MAGSIM_ENGINE_H
#define MAGSIM_ENGINE_H

#include <stddef.h>
#include <stdint.h>
#include "magsim/scenario.h"
#include "magsim/accum.h"
#include "magsim/result.h"
#include "magsim/stat.h"

/* Run options that shape the compiled engine.  Seed, paths and quantile
 * levels are options of a run, never written into the loaded scenario: the
 * seed is here (it fixes the variance shifts, the statistics of path 0),
 * paths go to ms_engine_run, quantile levels to ms_result_summary. */
typedef struct ms_engine_opts {
    int series;                /* 1: accumulate monthly series */
    uint64_t seed;             /* run seed: the key of every random stream */
} ms_engine_opts;

/* The scenario's defaults: series on, seed run.seed. */
ms_engine_opts ms_engine_opts_default(const ms_scenario *s);

typedef struct ms_work ms_work;

#define MS_LANES 8                 /* paths a workspace simulates together (a divisor of MS_BLOCK) */

/* Compile a scenario.  opts NULL: ms_engine_opts_default.  Returns NULL (and
 * a message in err) when it cannot be run (e.g. two inputs share a stream
 * id, or memory runs out). */
ms_engine *ms_engine_alloc(const ms_scenario *s, const ms_engine_opts *opts, char *err, size_t errlen);
uint64_t ms_engine_seed(const ms_engine *e);
void ms_engine_free(ms_engine *e);
const ms_scenario *ms_engine_scenario(const ms_engine *e);

/* Layout of the per-path vector: nmetrics metric statistics, then nseries
 * series statistics (0 when series are off). */
int ms_engine_nmetrics(const ms_engine *e);
int ms_engine_nseries(const ms_engine *e);
const ms_stat_desc *ms_engine_desc(const ms_engine *e, int i); /* i < nmetrics + nseries */
/* The variance shift of every statistic: its value on path 0 (ms_result). */
const double *ms_engine_shift(const ms_engine *e);

/* ---- inputs ---------------------------------------------------------------
 * Every numeric input and date of the scenario is an ms_dist with a key
 * path ("importers.usa.industries.ev.cover_months").  The engine's inputs
 * are the distinct keys, fixed or uncertain, in the order the engine met
 * them; an input written twice (an announcement date that defaults to the
 * start) is one input.  Comparison and sensitivity analysis address inputs
 * by key; a path can be run with some of them set (ms_engine_path_with). */
int ms_engine_ninputs(const ms_engine *e);
const ms_dist *ms_engine_input(const ms_engine *e, int k);   /* its distribution (key, stream, per_month) */
int ms_engine_find_input(const ms_engine *e, const char *key); /* index, or -1 */

typedef enum ms_input_mode {
    MS_INPUT_DRAW = 0,         /* drawn as usual: from the stream of (seed, path, input) */
    MS_INPUT_VALUE,            /* set to value, on every month (for a per-month input too) */
    MS_INPUT_PATH              /* drawn as on path `path` (the whole monthly sequence of a per-month input) */
} ms_input_mode;

typedef struct ms_input_set {
    ms_input_mode mode;
    double value;              /* MS_INPUT_VALUE: within the input's support [ms_dist_min, ms_dist_max] */
    uint64_t path;             /* MS_INPUT_PATH */
} ms_input_set;

/* Per-thread workspace: everything a path needs, allocated once. */
ms_work *ms_work_alloc(const ms_engine *e);
void ms_work_free(ms_work *w);
size_t ms_work_bytes(const ms_engine *e);
/* The bytes of a run thread's block buffer (its paths' vectors, a block at a time). */
size_t ms_block_bytes(const ms_engine *e);

/* Optional full record of one path, month by month, for tests and debugging.
 * Arrays are [T][...] flattened, row-major in the order given. */
typedef struct ms_trace {
    int T, S, I, P, C;           /* months, suppliers, importers, products, industry cells */
    double *demand;              /* [T][C][P] D */
    double *orders;              /* [T][C][P] O */
    double *received;            /* [T][C][P] allocated to the industry from the pool */
    double *consumption;         /* [T][C][P] */
    double *shortage;            /* [T][C][P] D - consumption */
    double *inventory;           /* [T][C][P] stock at the end of the month */
    double *arrivals;            /* [T][I][P] imports arriving */
    double *recycled;            /* [T][I][P] R */
    double *released;            /* [T][I][P] X */
    double *requests;            /* [T][S][I][P] first-pass requests r */
    double *shipments;           /* [T][S][I][P] departures */
    double *shares;              /* [T][I][S][P] sourcing shares w after the month's update */
    double *capacity;            /* [T][S][P] C, t/month */
    double *export_cap;          /* [T][S][P] E, t/month */
    double *supplier_price;      /* [T][S][P] rho, USD/kg */
    double *price_index;         /* [T][I][P] pi */
    double *fill_rate;           /* [T][I][P] f */
    double *substitution;        /* [T][C] sub */
    int *cell_importer;          /* [C] importer of each industry cell */
    double initial_inventory_sum;/* sum of all stocks before month 0 */
} ms_trace;

ms_trace *ms_trace_alloc(const ms_engine *e);
void ms_trace_free(ms_trace *t);

/* Simulate one path.  out: the per-path vector (nmetrics + nseries doubles);
 * trace may be NULL.  Returns 0. */
int ms_engine_path(const ms_engine *e, ms_work *w, uint64_t path, double *out, ms_trace *trace);

/* The same with some inputs set: set[k] for input k (ms_engine_ninputs
 * entries; NULL: all drawn).  Everything not set (other inputs, outage
 * events, regime switches, licence noise) is drawn for `path` as usual.
 * MS_INPUT_VALUE moves only an uncertain input, within its support: a fixed
 * input keeps its value (the pipeline length and the flows were sized on
 * it). */
int ms_engine_path_with(const ms_engine *e, ms_work *w, uint64_t path, const ms_input_set *set, double *out,
                        ms_trace *trace);

/* Batches: the workspace simulates MS_LANES paths at once (the engine's
 * unit of work), so many paths cost far less through these than one by
 * one.  Path first + j (or paths[j], with inputs sets[j], NULL: drawn) goes
 * to out + j * stride.  Results are those of ms_engine_path, bit for bit. */
int ms_engine_paths(const ms_engine *e, ms_work *w, uint64_t first, int n, double *out, size_t stride);
int ms_engine_paths_with(const ms_engine *e, ms_work *w, const uint64_t *paths, const ms_input_set *const *sets,
                         int n, double *out, size_t stride);

/* Progress callback: called from one thread at most every ~100 ms. */
typedef void (*ms_progress_fn)(uint64_t done, uint64_t total, double seconds, void *ctx);

typedef struct ms_run_opts {
    int threads;                 /* 0: OpenMP default */
    ms_progress_fn progress;     /* may be NULL */
    void *progress_ctx;
    volatile int *stop;          /* when it becomes non-zero, stop after the blocks in flight; may be NULL */
} ms_run_opts;

/* Run paths [first, first + n).  first and n should be multiples of MS_BLOCK
 * for results that merge bit-identically with other ranges (the last range
 * may end anywhere).  Accumulates into res.  When *stop becomes non-zero,
 * each thread finishes the blocks in flight (at most MS_ACCUM_GROUP blocks
 * of MS_BLOCK paths) and returns: stopping takes that long, whatever n is. */
int ms_engine_run(const ms_engine *e, uint64_t first, uint64_t n, const ms_run_opts *o, ms_result *res);


/* What a run of a scenario will need, worked out from its sizes alone,
 * before anything is allocated, so that absurd requests are refused with
 * the estimate instead of an out-of-memory kill.  Doubles, so that no size
 * overflows. */
typedef struct ms_estimate {
    double nmetrics, nseries;    /* statistics per path (as ms_engine_nmetrics/_nseries) */
    double engine_bytes;         /* the compiled engine: tables, layout, shifts */
    double work_bytes;           /* one thread's workspace and block buffer */
    double accum_bytes;          /* the result's accumulators after all the paths (a thread's: after its share) */
    double memory_bytes;         /* the whole run with this many threads, result files rendered in memory */
    double output_bytes;         /* summary.csv + timeseries.csv + summary.json + manifest.json */
} ms_estimate;

/* The estimate for a run of `paths` paths on `threads` threads (the
 * histograms grow with the paths: ms_result_typical_bytes; paths 0, for
 * drivers that keep no result accumulators, counts them as after 10^3). */
void ms_engine_estimate(const ms_scenario *s, const ms_engine_opts *opts, int threads, uint64_t paths,
                        ms_estimate *out);

#endif
