/*
 * magsim/sobol.h - variance-based sensitivity: the Saltelli design and the
 * estimators of Sobol' first-order and total indices, with bootstrap
 * confidence intervals.  Plain functions of numbers: nothing here knows the
 * engine (magsim/sens.h drives the engine through it), so the estimators
 * are tested on functions whose indices are known (Ishigami, linear).
 *
 * Design.  Two matrices A and B of n rows and d columns of points in (0,1),
 * mapped to input values by the caller (an inverse CDF).  The columns are
 * cut into groups of at most MS_SOBOL_GROUP inputs; a group of m inputs
 * takes its A columns from dimensions 1..m and its B columns from
 * dimensions m+1..2m of a 2m-dimensional Sobol' sequence (gsl_qrng_sobol,
 * at most 40 dimensions, with the origin as row 0 so that the first 2^k
 * rows form a net), randomised by a digital shift (every coordinate's 30
 * bits XORed with a random word of its dimension).  Groups after the first
 * have their rows permuted at random: Owen's Latin supercube sampling, so
 * any number of inputs can be designed, each group keeping the uniformity
 * of a Sobol' net and the groups being independent of one another.  The
 * random words and permutations come from Philox (magsim/rng.h) keyed by
 * the seed: a design is a pure function of (d, n, seed).
 *
 * Estimators.  For factor i, AB_i is A with column i taken from B.  With
 * f_A, f_B, f_ABi the outputs on row r and V the variance of the 2n values
 * f_A, f_B (mean m):
 *   first order (Saltelli et al. 2010, their estimator (b)):
 *       S_i  = (1/n) sum_r (f_B - m)(f_ABi - f_A) / V
 *   total (Jansen 1999):
 *       ST_i = (1/2n) sum_r (f_A - f_ABi)^2 / V
 * Both are unbiased for the numerators (centring f_B by m changes the
 * expectation by m E[f_ABi - f_A] = 0 and removes the variance m^2 would
 * add); Saltelli et al. (2010) found this pair the most efficient of those
 * they compared.  Confidence intervals: the rows are resampled with
 * replacement (nboot times, Philox-driven, fixed seed), the indices are
 * recomputed on each resample, and the interval is the percentile interval
 * at the given level.  Sums run in row order: results are identical
 * whatever computed the outputs.
 */
#ifndef MAGSIM_SOBOL_H
#define MAGSIM_SOBOL_H

#include <stddef.h>
#include <stdint.h>

#define MS_SOBOL_GROUP 20      /* inputs per Sobol' group: 2 x 20 = the 40 dimensions of gsl_qrng_sobol */

typedef struct ms_sobol_design ms_sobol_design;

/* A design of n >= 1 rows for d >= 1 inputs.  NULL on a bad size or when
 * memory runs out. */
ms_sobol_design *ms_sobol_design_alloc(int d, int n, uint64_t seed);
void ms_sobol_design_free(ms_sobol_design *x);
int ms_sobol_design_ngroups(const ms_sobol_design *x);
/* Row r of A (which 0) or B (which 1): d coordinates in (0, 1). */
const double *ms_sobol_design_row(const ms_sobol_design *x, int which, int r);

typedef struct ms_sobol_opts {
    int nboot;                 /* bootstrap resamples (0: no intervals, NaN bounds) */
    double level;              /* confidence level of the intervals, e.g. 0.95 */
    uint64_t seed;             /* seed of the resampling */
} ms_sobol_opts;

typedef struct ms_sobol_index {
    double s1, s1_lo, s1_hi;   /* first-order index and its interval */
    double st, st_lo, st_hi;   /* total index and its interval */
} ms_sobol_index;

typedef struct ms_sobol_moments {
    double mean, var;          /* of the 2n outputs f_A, f_B (variance with 2n - 1) */
} ms_sobol_moments;

/* Indices of d factors from n rows of outputs: row r holds y[r * stride + 0]
 * = f(A_r), [1] = f(B_r), [2 + i] = f(AB_i r), stride >= d + 2.  out[d].
 * When the output does not vary (V = 0) the indices are NaN.  0, or -1 on a
 * bad argument (n < 2) or when memory runs out. */
int ms_sobol_estimate(const double *y, int n, int d, size_t stride, const ms_sobol_opts *o, ms_sobol_index *out,
                      ms_sobol_moments *mom);

#endif
