/*
 * magsim/result.h - the distributions a run produces, merged exactly.
 *
 * An ms_result holds one exact accumulator (magsim/accum.h) per statistic of
 * the engine's layout (ms_engine_desc): the per-path metrics with 7-bit
 * histograms that keep bucket ranges, and the monthly series points with
 * 5-bit histograms.  Results of disjoint path ranges merge exactly, in any
 * order (threads, MPI ranks, shards, checkpoints), so a result is bit for
 * bit the same however its paths were split, as long as every range starts
 * at a multiple of MS_BLOCK.
 *
 * The histogram precision is part of the output contract: quantiles of a
 * metric are within ms_hist_rel_error(MS_METRIC_BITS) = 1/257 relative, of a
 * series point within ms_hist_rel_error(MS_SERIES_BITS) = 1/65.  Every
 * writer reads these constants; none repeats them.
 */
#ifndef MAGSIM_RESULT_H
#define MAGSIM_RESULT_H

#include <stddef.h>
#include <stdint.h>
#include "magsim/accum.h"

#define MS_METRIC_BITS 7   /* quantiles of metrics within 1/257 relative */
#define MS_SERIES_BITS 5   /* quantile bands of monthly series within 1/65 relative */

typedef struct ms_engine ms_engine;

typedef struct ms_result {
    ms_accum *metrics;           /* nmetrics statistics, MS_METRIC_BITS histograms with bucket ranges */
    ms_accum *series;            /* nseries statistics, MS_SERIES_BITS histograms; NULL when series are off */
    uint64_t paths_done;         /* paths accumulated */
    uint64_t first_path;         /* first path index of the run */
    uint64_t paths_requested;    /* paths asked for */
    int interrupted;             /* 1 when stopped before all paths were done */
    double wall_seconds;         /* time spent in ms_engine_run, summed over calls */
    int threads;                 /* threads of the last ms_engine_run */
} ms_result;

/* An empty result shaped for the engine's statistics (with its variance
 * shifts).  NULL when out of memory. */
ms_result *ms_result_alloc(const ms_engine *e);
void ms_result_free(ms_result *r);

/* dst += src, exactly.  0, or -1 when the shapes differ. */
int ms_result_merge(ms_result *dst, const ms_result *src);
/* dst += src for a src that is freed next (ms_accum_absorb: an empty dst
 * takes src's accumulators rather than a copy).  0, or -1 as
 * ms_result_merge. */
int ms_result_absorb(ms_result *dst, ms_result *src);
/* Called by every thread of a driver's parallel region once its part
 * parts[tid] is done: the parts merge in a tree (ms_runctl_reduce, with
 * ms_result_absorb) into parts[0], and every other thread frees its own.
 * 0, or -1 when a merge of this thread's failed (a NULL part, a thread
 * that could not start, fails too). */
int ms_result_gather(ms_result **parts, int tid);

/* Serialise for MPI ranks and checkpoints: a flat byte image (malloc'd,
 * *buf; returns its size, 0 when out of memory) of the accumulators, the
 * paths done and the interrupted flag.  ms_result_unpack_merge adds an image
 * into a result of the same shape exactly as ms_result_merge would (0), or
 * returns -1 when the image is not one of that shape (truncated, corrupt,
 * another engine's): dst is then untouched when the header or the metrics
 * image is bad, possibly half-merged when only the series image is, so a
 * caller discards dst on -1. */
size_t ms_result_pack(const ms_result *r, unsigned char **buf);
int ms_result_unpack_merge(ms_result *dst, const unsigned char *buf, size_t len);

/* Statistic i of the engine's layout (metrics first, then series) at the
 * quantile levels q[0..nq-1]. */
void ms_result_summary(const ms_engine *e, const ms_result *r, int i, const double *q, int nq,
                       ms_stat_summary *out);

/* Bytes of the accumulators of nmetrics metrics and nseries series points
 * after `paths` paths (for estimates made before anything is allocated):
 * the histograms gain octaves as the paths reach rarer values, about 2.2
 * for every tenfold paths. */
double ms_result_typical_bytes(double nmetrics, double nseries, double paths);
/* Bytes of a metrics accumulator and a series accumulator (none without
 * series) whose histograms hold oct_metric and oct_series octaves each: the
 * statistics, and an arena's slack per accumulator.  The one sum behind
 * ms_result_typical_bytes and a comparison's estimate. */
double ms_result_accum_bytes(double nmetrics, double nseries, double oct_metric, double oct_series);
/* Histogram octaves per statistic after `paths` paths, for one that holds
 * at_1e4 after 10^4 and gains per_decade for every tenfold paths (below
 * 10^3 paths as at 10^3): the growth law of both estimates above and of a
 * comparison's differences (sim/compare.c). */
double ms_result_octaves(double at_1e4, double per_decade, double paths);

#endif
