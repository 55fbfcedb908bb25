/*
 * magsim/accum.h - statistics that merge exactly, in any order.
 *
 * The engine runs paths in fixed blocks of MS_BLOCK consecutive path indices
 * (the block partition depends on the path index alone, never on threads or
 * ranks).  For every statistic a block contributes:
 *   - its count, and the count of values > 0 (integers: exact in any order);
 *   - the double sums of (x - shift) and (x - shift)^2 over the block, taken
 *     in path order by one thread, then added into an exact superaccumulator
 *     (ms_xsum): integer limbs, so the merged sum is the exact sum of the
 *     block sums whatever order blocks, threads or ranks are merged in;
 *   - every value into a log-linear histogram (ms_hist) with integer counts,
 *     which also merges exactly in any order.
 * Hence mean, sd, quantiles, P(>0) and CVaR are identical bit for bit for any
 * thread count and any MPI rank count.  Memory depends on the number of
 * statistics and on how many octaves their values span, never on the number
 * of paths.
 *
 * Quantiles come from the histogram: a value x != 0 falls in the bucket
 * [2^e (1 + j/S), 2^e (1 + (j+1)/S)) with S = 2^bits sub-buckets per octave;
 * the reported quantile is the bucket's midpoint clamped to the smallest and
 * largest value actually seen in that bucket, so its relative error is at
 * most 1/(2S+1) (ms_hist_rel_error), and it is exact whenever the bucket held
 * a single distinct value (integers below 2^bits, zero).  Quantile
 * definition: the smallest bucket value v with P(X <= v) >= q (inverse CDF).
 */
#ifndef MAGSIM_ACCUM_H
#define MAGSIM_ACCUM_H

#include <stddef.h>
#include <stdint.h>

#define MS_BLOCK 64           /* paths per block: part of the reproducibility contract */

/* ---- exact sum of doubles ---------------------------------------------- */
#define MS_XSUM_LIMBS 67      /* 32-bit digits covering 2^-1074 .. 2^1024, plus carry room */
typedef struct ms_xsum {
    int64_t limb[MS_XSUM_LIMBS]; /* value = sum limb[i] * 2^(32 i - 1074 - pad) */
    int64_t nadd;                /* additions since the last carry normalisation */
    int special;                 /* 1 when a NaN or infinity was added */
} ms_xsum;

void ms_xsum_init(ms_xsum *s);
void ms_xsum_add(ms_xsum *s, double x);             /* exact */
void ms_xsum_merge(ms_xsum *dst, const ms_xsum *src); /* exact */
double ms_xsum_value(const ms_xsum *s);             /* deterministic rounding of the exact sum */

/* ---- log-linear histogram ---------------------------------------------- */
typedef struct ms_hist ms_hist;

/* bits: sub-buckets per octave = 2^bits (1..10).  track_range: keep the
 * smallest and largest value seen per bucket (exact integers, clamped
 * midpoints); costs two doubles per bucket. */
ms_hist *ms_hist_alloc(int bits, int track_range);
void ms_hist_free(ms_hist *h);
void ms_hist_reset(ms_hist *h);
void ms_hist_add(ms_hist *h, double x);                /* NaN is counted apart and ignored */
int ms_hist_merge(ms_hist *dst, const ms_hist *src);   /* same bits; 0 ok, -1 on error */
uint64_t ms_hist_count(const ms_hist *h);
double ms_hist_min(const ms_hist *h);
double ms_hist_max(const ms_hist *h);
double ms_hist_quantile(const ms_hist *h, double q);   /* q in [0,1]; NaN when empty */
/* out[i] = ms_hist_quantile(h, q[i]) for i < nq, levels in any order, in one
 * walk of the buckets (per 16 levels). */
void ms_hist_quantiles(const ms_hist *h, const double *q, int nq, double *out);
/* Mean of the largest (1 - alpha) share of values (CVaR of the upper tail,
 * alpha = 0.95 for "the worst 5%"), and of the smallest alpha share. */
double ms_hist_cvar_upper(const ms_hist *h, double alpha);
double ms_hist_cvar_lower(const ms_hist *h, double alpha);
double ms_hist_rel_error(int bits);                    /* 1 / (2^(bits+1) + 1) */
size_t ms_hist_bytes(const ms_hist *h);                /* memory in use */

/* ---- a set of statistics --------------------------------------------- */
typedef struct ms_stat_summary {
    uint64_t n;
    double mean, sd, se;          /* se = sd / sqrt(n) */
    double min, max;
    double q[16];                 /* requested quantiles, in order */
    double p_pos;                 /* share of values > 0 */
    double cvar95;                /* mean of the worst (largest) 5% */
    double cvar05_lower;          /* mean of the smallest 5% */
} ms_stat_summary;

typedef struct ms_accum ms_accum;

/* nstats statistics; bits[i] is the histogram precision of statistic i (NULL:
 * 7 for all), track_range as for ms_hist. */
ms_accum *ms_accum_alloc(int nstats, const int *bits, int track_range);
void ms_accum_free(ms_accum *a);
int ms_accum_nstats(const ms_accum *a);

/* Shift subtracted before summing (any fixed value near the mean: it only
 * guards the variance against cancellation); same for every accumulator
 * that will be merged.  Default 0. */
void ms_accum_set_shift(ms_accum *a, const double *shift);

/* Add one block: vals[i * stride + j] is statistic i on the block's j-th
 * path, j = 0..npaths-1, in path order. */
void ms_accum_add_block(ms_accum *a, const double *vals, int npaths, int stride);

/* General layout: statistic i of the j-th path is vals[i * stat_stride + j * path_stride]
 * (path-major: stat_stride 1, path_stride = number of statistics).  Same result bits
 * as ms_accum_add_block: each statistic is still summed in path order. */
void ms_accum_add_strided(ms_accum *a, const double *vals, int npaths, size_t stat_stride, size_t path_stride);

/* A block added in pieces (the engine adds each batch of MS_LANES paths as
 * it is simulated): begin, add the block's paths in path order in as many
 * calls as needed (statistic i of the j-th path of a call at
 * vals[i * stat_stride + j * path_stride]), end.  The same bits as one
 * ms_accum_add_strided of the whole block.  No other call on the
 * accumulator between begin and end. */
void ms_accum_block_begin(ms_accum *a);
void ms_accum_block_add(ms_accum *a, const double *vals, size_t stat_stride, size_t path_stride, int npaths);
void ms_accum_block_end(ms_accum *a);

/* Up to MS_ACCUM_GROUP whole blocks at once: statistic i of the j-th path
 * at vals[i * stat_stride + j], j = 0..npaths-1 in path order, block b being
 * paths [b MS_BLOCK, (b + 1) MS_BLOCK) (only the last may be short).  The
 * same bits as ms_accum_add_strided of each block in turn: every block
 * keeps sums of its own; the histograms take the group's values in one
 * visit, so that a statistic's buckets are fetched once for the group (the
 * run driver's block buffer holds a group). */
#define MS_ACCUM_GROUP 4
void ms_accum_add_blocks(ms_accum *a, const double *vals, size_t stat_stride, int npaths);

int ms_accum_merge(ms_accum *dst, const ms_accum *src); /* exact, any order */
/* dst += src where src need not survive: when dst holds nothing yet, the two
 * exchange their contents (no copy, no second set of histograms), else
 * ms_accum_merge.  0, or -1 when the shapes differ (both untouched). */
int ms_accum_absorb(ms_accum *dst, ms_accum *src);
void ms_accum_summary(const ms_accum *a, int i, const double *q, int nq, ms_stat_summary *out);
size_t ms_accum_bytes(const ms_accum *a);
/* Bytes of one statistic of an accumulator whose histogram (bits,
 * track_range) holds `octaves` octaves: what ms_accum_bytes counts for it,
 * its open block's sums, and the allocator's overhead on each of its
 * blocks (for estimates made before anything is allocated). */
double ms_accum_stat_bytes(int bits, int track_range, double octaves);
/* An accumulator's histograms take their octaves from chunks of its own of
 * up to MS_ACCUM_CHUNK_MAX bytes (huge pages where the system has them).
 * Less than an octave is left at the end of a full chunk (counted per
 * octave by ms_accum_stat_bytes); the last chunk's unused end is under
 * MS_ACCUM_ARENA_SLACK, which estimates add once per accumulator. */
#define MS_ACCUM_CHUNK_MAX ((size_t)2 << 20)
#define MS_ACCUM_ARENA_SLACK ((double)MS_ACCUM_CHUNK_MAX)

/* Serialise for MPI reduction and checkpoints: a flat byte image that
 * ms_accum_unpack_merge adds into an accumulator of the same shape. */
size_t ms_accum_pack(const ms_accum *a, unsigned char **buf);  /* malloc'd; returns size */
int ms_accum_unpack_merge(ms_accum *dst, const unsigned char *buf, size_t len);

#endif
