/*
 * test_accum.c - exact sums, histograms, accumulators: exactness, order
 * independence, merging and serialisation.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "magsim/accum.h"
#include "magsim/rng.h"

static int same_double(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

#define assert_same(a, b)                                                                              \
    do {                                                                                               \
        double a_ = (a), b_ = (b);                                                                     \
        if (!same_double(a_, b_)) {                                                                    \
            print_error("%s = %.17g (%a), want %.17g (%a)\n", #a, a_, a_, b_, b_);                     \
            fail();                                                                                    \
        }                                                                                              \
    } while (0)

static double xsum_of(const double *x, int n)
{
    ms_xsum s;
    ms_xsum_init(&s);
    for (int i = 0; i < n; i++)
        ms_xsum_add(&s, x[i]);
    return ms_xsum_value(&s);
}

/* Fisher-Yates with the test's own stream. */
static void shuffle(double *x, int n, ms_rng *r)
{
    for (int i = n - 1; i > 0; i--) {
        int j = (int)(ms_rng_uniform_pos(r) * (i + 1));
        double t = x[i];
        x[i] = x[j];
        x[j] = t;
    }
}

/* ---- ms_xsum ----------------------------------------------------------- */

static void test_xsum_basic(void **state)
{
    assert_same(xsum_of((double[]){1e100, 1, -1e100}, 3), 1.0);
    assert_same(xsum_of((double[]){1e308, 1e308, -1e308, -1e308, 0x1p-1074}, 5), 0x1p-1074);
    assert_same(xsum_of((double[]){0x1p-1074, 0x1p-1074, 0x1p-1074}, 3), 0x3p-1074);
    assert_same(xsum_of((double[]){-0x1p-1074, DBL_MIN, -DBL_MIN}, 3), -0x1p-1074);
    assert_same(xsum_of((double[]){0x1p-1074, -0x1p-1074}, 2), 0.0);
    assert_same(xsum_of((double[]){-0.0, -0.0}, 2), 0.0);
    assert_same(xsum_of(NULL, 0), 0.0);
    /* 0.1 + 0.2 + 0.3 - 0.6 exactly, from the binary expansions */
    {
        long double e = (long double)0.1 + 0.2 + 0.3 - 0.6; /* exact in 64-bit mantissa */
        assert_same(xsum_of((double[]){0.1, 0.2, 0.3, -0.6}, 4), (double)e);
    }
    /* round to nearest, ties to even */
    assert_same(xsum_of((double[]){0x1p53, 1}, 2), 0x1p53);
    assert_same(xsum_of((double[]){0x1p53, 1, 2}, 3), 0x1p53 + 4);
    assert_same(xsum_of((double[]){0x1p53, 1, 0x1p-1000}, 3), 0x1p53 + 2);
    assert_same(xsum_of((double[]){-0x1p53, -1, -0x1p-1000}, 3), -(0x1p53 + 2));
    /* overflow of the rounded sum, and back */
    assert_same(xsum_of((double[]){DBL_MAX, DBL_MAX}, 2), HUGE_VAL);
    assert_same(xsum_of((double[]){DBL_MAX, DBL_MAX, -DBL_MAX}, 3), DBL_MAX);
    assert_same(xsum_of((double[]){-DBL_MAX, -DBL_MAX}, 2), -HUGE_VAL);
    /* specials */
    assert_true(isnan(xsum_of((double[]){1, NAN}, 2)));
    assert_same(xsum_of((double[]){1, HUGE_VAL}, 2), HUGE_VAL);
    assert_same(xsum_of((double[]){1, -HUGE_VAL}, 2), -HUGE_VAL);
    assert_true(isnan(xsum_of((double[]){HUGE_VAL, -HUGE_VAL}, 2)));
}

/* Against an exact integer reference: x = k 2^-40 with |k| < 2^62 summed in
 * __int128 (GCC converts __int128 to double correctly rounded). */
static void test_xsum_reference(void **state)
{
    enum { N = 20000 };
    static double x[N];
    ms_rng *r = ms_rng_alloc(1);
    ms_rng_key(r, 0, 0, 0);
    for (int trial = 0; trial < 20; trial++) {
        __int128 ref = 0;
        for (int i = 0; i < N; i++) {
            int64_t k = (int64_t)(((uint64_t)gsl_rng_get(r->g) << 32 | gsl_rng_get(r->g)) >> (2 + trial));
            if (ms_rng_uniform_pos(r) < 0.5)
                k = -k;
            k = (int64_t)((uint64_t)k & ~(uint64_t)0 << (11 + (trial & 7))); /* <= 51 bits: a double */
            x[i] = ldexp((double)k, -40);
            ref += k;
        }
        double want = ldexp((double)ref, -40);
        assert_same(xsum_of(x, N), want);
    }
    ms_rng_free(r);
}

/* Random doubles over the whole exponent range: any order, any split, the
 * same bits. */
static void test_xsum_order(void **state)
{
    enum { N = 5000 };
    static double x[N];
    ms_rng *r = ms_rng_alloc(7);
    ms_rng_key(r, 0, 0, 0);
    for (int i = 0; i < N; i++) {
        double m = ms_rng_uniform_pos(r) * (ms_rng_uniform_pos(r) < 0.5 ? -1 : 1);
        int e = (int)(ms_rng_uniform_pos(r) * 2100) - 1075;
        x[i] = ldexp(m, e); /* subnormals, zeros (underflow) and large values */
    }
    double v0 = xsum_of(x, N);
    assert_true(isfinite(v0));
    for (int t = 0; t < 10; t++) {
        shuffle(x, N, r);
        assert_same(xsum_of(x, N), v0);
        /* split in three, merged in some order */
        ms_xsum a, b, c;
        ms_xsum_init(&a);
        ms_xsum_init(&b);
        ms_xsum_init(&c);
        int c1 = N / 3 + t, c2 = 2 * N / 3 - t;
        for (int i = 0; i < N; i++)
            ms_xsum_add(i < c1 ? &a : i < c2 ? &b : &c, x[i]);
        ms_xsum_merge(&c, &a);
        ms_xsum_merge(&b, &c);
        assert_same(ms_xsum_value(&b), v0);
    }
    /* a sum whose exact value is known: x, then -x in another order */
    ms_xsum s;
    ms_xsum_init(&s);
    for (int i = 0; i < N; i++)
        ms_xsum_add(&s, x[i]);
    shuffle(x, N, r);
    for (int i = 0; i < N; i++)
        ms_xsum_add(&s, -x[i]);
    assert_same(ms_xsum_value(&s), 0.0);
    ms_xsum_add(&s, 0x1p-1074);
    assert_same(ms_xsum_value(&s), 0x1p-1074);
    ms_rng_free(r);
}

/* Carry normalisation: force it by starting near the threshold. */
static void test_xsum_normalise(void **state)
{
    ms_xsum s, t;
    ms_xsum_init(&s);
    ms_xsum_init(&t);
    s.nadd = ((int64_t)1 << 28) - 5; /* any count: limbs are 0 */
    for (int i = 0; i < 1000; i++) {
        ms_xsum_add(&s, 0x1.fffffffffffffp+100);
        ms_xsum_add(&s, -0x1.fffffffffffffp-900);
        ms_xsum_add(&t, 0x1.fffffffffffffp+100);
        ms_xsum_add(&t, -0x1.fffffffffffffp-900);
    }
    assert_true(s.nadd < 3000);
    assert_same(ms_xsum_value(&s), ms_xsum_value(&t));
    assert_same(ms_xsum_value(&s), 1000 * 0x1.fffffffffffffp+100);
    t.nadd = ((int64_t)1 << 28) - 1;
    ms_xsum_merge(&s, &t);
    assert_same(ms_xsum_value(&s), 2000 * 0x1.fffffffffffffp+100);
    /* many large values: the top limb grows past 32 bits */
    ms_xsum_init(&s);
    for (int i = 0; i < 4096; i++)
        ms_xsum_add(&s, DBL_MAX);
    for (int i = 0; i < 4095; i++)
        ms_xsum_add(&s, -DBL_MAX);
    assert_same(ms_xsum_value(&s), DBL_MAX);
}

/* ---- ms_hist ------------------------------------------------------------ */

/* The bucket rule of accum.h, for positive x >= 1, computed independently. */
static double expect_int_rep(int v, int bits, int vmax)
{
    double S = 1 << bits, e = floor(log2(v)), o = pow(2, e), w = o / S;
    double L = o + floor((v - o) / w) * w, U = L + w, mid = L + w / 2;
    double lo = ceil(L), hi = fmin(ceil(U) - 1, vmax);
    return mid < lo ? lo : mid > hi ? hi : mid;
}

static void test_hist_integers(void **state)
{
    for (int bits = 3; bits <= 10; bits += 7) {
        ms_hist *h = ms_hist_alloc(bits, 1);
        for (int v = 1000; v >= 1; v--)
            ms_hist_add(h, v);
        assert_int_equal(ms_hist_count(h), 1000);
        assert_same(ms_hist_min(h), 1);
        assert_same(ms_hist_max(h), 1000);
        for (int k = 1; k <= 1000; k++) {
            double q = k / 1000.0; /* smallest v with P(X <= v) >= q is v = k */
            assert_same(ms_hist_quantile(h, q), expect_int_rep(k, bits, 1000));
            if (k < (1 << bits))
                assert_same(ms_hist_quantile(h, q), k);
        }
        assert_same(ms_hist_quantile(h, 0), 1);
        assert_same(ms_hist_quantile(h, 0.0005), 1);
        assert_true(isnan(ms_hist_quantile(h, 1.5)));
        ms_hist_free(h);
    }
}

/* Quantiles of a continuous sample are within ms_hist_rel_error of the
 * sample's own order statistics, with or without bucket ranges. */
static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void test_hist_uniform(void **state)
{
    enum { N = 100000 };
    static double x[N];
    ms_rng *r = ms_rng_alloc(99);
    ms_rng_key(r, 0, 0, 0);
    for (int i = 0; i < N; i++)
        x[i] = 1 + 999 * ms_rng_uniform_pos(r);
    for (int track = 0; track < 2; track++) {
        for (int bits = 1; bits <= 10; bits += 3) {
            ms_hist *h = ms_hist_alloc(bits, track);
            for (int i = 0; i < N; i++)
                ms_hist_add(h, x[i]);
            size_t bytes = ms_hist_bytes(h);
            for (int i = 0; i < N; i++)
                ms_hist_add(h, x[i]); /* same octaves: no new memory */
            assert_int_equal(ms_hist_bytes(h), bytes);
            ms_hist_free(h);
        }
    }
    qsort(x, N, sizeof x[0], cmp_double);
    ms_rng_key(r, 0, 0, 0);
    for (int track = 0; track < 2; track++) {
        for (int bits = 1; bits <= 10; bits++) {
            ms_hist *h = ms_hist_alloc(bits, track);
            for (int i = 0; i < N; i++)
                ms_hist_add(h, 1 + 999 * ms_rng_uniform_pos(r));
            ms_rng_key(r, 0, 0, 0);
            double tol = ms_hist_rel_error(bits);
            for (int k = 0; k <= 100; k++) {
                double q = k / 100.0, v = ms_hist_quantile(h, q);
                long idx = (long)ceil(q * N);
                idx = idx < 1 ? 1 : idx;
                double want = x[idx - 1];
                if (!(fabs(v - want) <= tol * fabs(v))) {
                    print_error("bits %d track %d q %g: %.17g vs sample %.17g (tol %g)\n", bits, track, q, v,
                                want, tol);
                    fail();
                }
            }
            ms_hist_free(h);
        }
    }
    ms_rng_free(r);
}

static void test_hist_signs(void **state)
{
    ms_hist *h = ms_hist_alloc(7, 1);
    const double v[] = {7, 0.0, -3, 2, -0.0, -5, 0.0, -3};
    for (int i = 0; i < 8; i++)
        ms_hist_add(h, v[i]);
    ms_hist_add(h, NAN);
    assert_int_equal(ms_hist_count(h), 8);
    assert_same(ms_hist_min(h), -5);
    assert_same(ms_hist_max(h), 7);
    /* sorted: -5 -3 -3 0 0 0 2 7 */
    assert_same(ms_hist_quantile(h, 0.0), -5);
    assert_same(ms_hist_quantile(h, 0.125), -5);
    assert_same(ms_hist_quantile(h, 0.126), -3);
    assert_same(ms_hist_quantile(h, 0.25), -3);
    assert_same(ms_hist_quantile(h, 0.3), -3);
    assert_same(ms_hist_quantile(h, 0.4), 0);
    assert_same(ms_hist_quantile(h, 0.75), 0);
    assert_same(ms_hist_quantile(h, 0.8), 2);
    assert_same(ms_hist_quantile(h, 1.0), 7);
    /* only -0: min and max are +0 */
    ms_hist *z = ms_hist_alloc(4, 0);
    ms_hist_add(z, -0.0);
    assert_same(ms_hist_min(z), 0.0);
    assert_same(ms_hist_max(z), 0.0);
    assert_same(ms_hist_quantile(z, 0.5), 0.0);
    ms_hist_free(z);
    /* empty */
    ms_hist_reset(h);
    assert_int_equal(ms_hist_count(h), 0);
    assert_true(isnan(ms_hist_quantile(h, 0.5)));
    assert_true(isnan(ms_hist_min(h)));
    assert_true(isnan(ms_hist_cvar_upper(h, 0.95)));
    /* extremes: subnormals, infinities, huge */
    const double w[] = {-HUGE_VAL, -DBL_MAX, -0x1p-1074, 0x1p-1070, DBL_MAX, HUGE_VAL};
    for (int i = 0; i < 6; i++)
        ms_hist_add(h, w[i]);
    assert_same(ms_hist_quantile(h, 0), -HUGE_VAL);
    assert_same(ms_hist_quantile(h, 2 / 6.0), -DBL_MAX);
    assert_same(ms_hist_quantile(h, 3 / 6.0), -0x1p-1074);
    assert_same(ms_hist_quantile(h, 4 / 6.0), 0x1p-1070);
    assert_same(ms_hist_quantile(h, 5 / 6.0), DBL_MAX);
    assert_same(ms_hist_quantile(h, 1), HUGE_VAL);
    ms_hist_free(h);
}

/* Levels in one walk: the same values as one level at a time, in any order
 * of levels, across the negative octaves, the zero slot and the positive
 * octaves (sorted: -5 -3 -3 0 0 0 2 7; ranks ceil(q 8): q = 0.126 -> 2,
 * 0.8 -> 7, 0.4 -> 4, 0 -> 1), a level out of [0, 1] is NaN, and more than
 * one walk's worth of levels (20: rank ceil(k/20 * 8)). */
static void test_hist_quantiles_walk(void **state)
{
    (void)state;
    ms_hist *h = ms_hist_alloc(7, 1);
    const double v[] = {7, 0.0, -3, 2, -0.0, -5, 0.0, -3};
    for (int i = 0; i < 8; i++)
        ms_hist_add(h, v[i]);
    const double q[] = {0.8, 0.126, 1.5, 0.4, 0.0, 1.0};
    double out[6];
    ms_hist_quantiles(h, q, 6, out);
    assert_same(out[0], 2);
    assert_same(out[1], -3);
    assert_true(isnan(out[2]));
    assert_same(out[3], 0);
    assert_same(out[4], -5);
    assert_same(out[5], 7);
    const double sorted[] = {-5, -3, -3, 0, 0, 0, 2, 7};
    double q20[20], o20[20];
    for (int k = 0; k < 20; k++)
        q20[k] = (19 - k) / 19.0; /* decreasing: 1 .. 0 */
    ms_hist_quantiles(h, q20, 20, o20);
    for (int k = 0; k < 20; k++) {
        double r = ceil(q20[k] * 8);
        int rank = r < 1 ? 1 : (int)r;
        assert_same(o20[k], sorted[rank - 1]);
        assert_same(o20[k], ms_hist_quantile(h, q20[k]));
    }
    ms_hist_reset(h);
    ms_hist_quantiles(h, q, 2, out);
    assert_true(isnan(out[0]) && isnan(out[1]));
    ms_hist_free(h);
}

static void test_hist_cvar(void **state)
{
    ms_hist *h = ms_hist_alloc(7, 1);
    for (int v = 100; v >= 1; v--) /* integers < 128: every bucket exact */
        ms_hist_add(h, v);
    assert_same(ms_hist_cvar_upper(h, 0.95), 98.0);          /* (96+..+100)/5 */
    assert_same(ms_hist_cvar_lower(h, 0.05), 3.0);           /* (1+..+5)/5 */
    assert_same(ms_hist_cvar_upper(h, 0.955), 442.0 / 4.5);  /* 100..97 and half of 96 */
    assert_same(ms_hist_cvar_lower(h, 0.045), 12.5 / 4.5);   /* 1..4 and half of 5 */
    assert_same(ms_hist_cvar_upper(h, 0.0), 50.5);           /* the mean */
    assert_same(ms_hist_cvar_upper(h, 1.0), 100.0);          /* the max */
    ms_hist_add(h, -50);
    ms_hist_add(h, 0);
    /* 102 values; smallest 5.1: -50, 0, 1, 2, 3 and 0.1 of 4 */
    assert_true(fabs(ms_hist_cvar_lower(h, 0.05) - (-50 + 0 + 1 + 2 + 3 + 0.1 * 4) / 5.1) < 1e-12);
    ms_hist_free(h);
}

/* ---- ms_accum ----------------------------------------------------------- */

enum { NS = 3, NB = 40 }; /* statistics, blocks of MS_BLOCK paths */

/* statistic i on path p: varied signs, zeros, magnitudes */
static void fill_block(double *v, int b, ms_rng *r)
{
    for (int i = 0; i < NS; i++) {
        for (int j = 0; j < MS_BLOCK; j++) {
            ms_rng_key(r, (uint64_t)b * MS_BLOCK + j, (uint32_t)i, 0);
            double u = ms_rng_uniform_pos(r);
            double x = i == 0 ? 1e6 + 1e3 * u                /* large mean, small spread */
                     : i == 1 ? (u < 0.3 ? 0.0 : u < 0.6 ? -exp(20 * u) : exp(30 * u))
                              : floor(u * 50);               /* integers */
            v[i * MS_BLOCK + j] = x;
        }
    }
}

static const int BITS[NS] = {7, 5, 10};
static const double SHIFT[NS] = {1e6, 0, 25};
static const double QS[] = {0, 0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99, 1};
#define NQ ((int)(sizeof QS / sizeof QS[0]))

static ms_accum *new_accum(void)
{
    ms_accum *a = ms_accum_alloc(NS, BITS, 1);
    assert_non_null(a);
    ms_accum_set_shift(a, SHIFT);
    return a;
}

static void assert_same_summaries(const ms_accum *a, const ms_accum *b)
{
    for (int i = 0; i < NS; i++) {
        ms_stat_summary x, y;
        ms_accum_summary(a, i, QS, NQ, &x);
        ms_accum_summary(b, i, QS, NQ, &y);
        assert_memory_equal(&x, &y, sizeof x);
    }
}

/* NB blocks of fill_block (seed 5): every block in a[0] (the whole), the
 * even ones in a[1] and the odd ones in a[2]; a[3] and a[4] as a[1] and a[2]
 * when copies, else empty. */
enum { H_WHOLE, H_EVEN, H_ODD, H_EVEN2, H_ODD2, H_N };
static void halves(ms_accum *a[H_N], int copies)
{
    static double v[NS * MS_BLOCK];
    ms_rng *r = ms_rng_alloc(5);
    for (int k = 0; k < H_N; k++)
        a[k] = new_accum();
    for (int b = 0; b < NB; b++) {
        fill_block(v, b, r);
        ms_accum_add_block(a[H_WHOLE], v, MS_BLOCK, MS_BLOCK);
        ms_accum_add_block(a[b % 2 ? H_ODD : H_EVEN], v, MS_BLOCK, MS_BLOCK);
        if (copies)
            ms_accum_add_block(a[b % 2 ? H_ODD2 : H_EVEN2], v, MS_BLOCK, MS_BLOCK);
    }
    ms_rng_free(r);
}

static void halves_free(ms_accum *a[H_N])
{
    for (int k = 0; k < H_N; k++)
        ms_accum_free(a[k]);
}

static void test_accum_merge(void **state)
{
    ms_accum *a[H_N];
    halves(a, 0);
    ms_accum *whole = a[H_WHOLE], *even = a[H_EVEN], *odd = a[H_ODD], *e2 = a[H_EVEN2], *o2 = a[H_ODD2];
    assert_int_equal(ms_accum_nstats(whole), NS);
    assert_int_equal(ms_accum_merge(o2, odd), 0);
    assert_int_equal(ms_accum_merge(e2, even), 0);
    assert_int_equal(ms_accum_merge(even, odd), 0); /* even + odd */
    assert_int_equal(ms_accum_merge(o2, e2), 0);   /* odd + even */
    assert_same_summaries(whole, even);
    assert_same_summaries(whole, o2);

    ms_stat_summary s;
    ms_accum_summary(whole, 2, QS, NQ, &s);
    assert_int_equal(s.n, NB * MS_BLOCK);
    assert_true(s.min == 0 && s.max == 49);
    for (int k = 0; k < NQ; k++)
        assert_true(s.q[k] == floor(s.q[k])); /* integers below 2^bits: exact */
    assert_true(isnan(s.q[NQ]));

    /* shapes must match */
    int bad_bits[NS] = {7, 6, 10};
    ms_accum *x = ms_accum_alloc(NS, bad_bits, 1);
    ms_accum_set_shift(x, SHIFT);
    assert_int_equal(ms_accum_merge(x, whole), -1);
    ms_accum_free(x);
    x = ms_accum_alloc(NS, BITS, 1); /* shift 0 */
    assert_int_equal(ms_accum_merge(x, whole), -1);
    ms_accum_free(x);
    x = ms_accum_alloc(NS, BITS, 0);
    ms_accum_set_shift(x, SHIFT);
    assert_int_equal(ms_accum_merge(x, whole), -1);
    ms_accum_free(x);
    halves_free(a);
}

/* Absorbing: into an empty accumulator it takes src's contents (the same
 * summaries as the whole, src left empty: n 0 and NaN mean); into a
 * nonempty one it is a merge (odd absorbed into even: the whole); a shape
 * that differs is refused with both untouched. */
static void test_accum_absorb(void **state)
{
    (void)state;
    ms_accum *a[H_N];
    halves(a, 1);
    ms_accum *whole = a[H_WHOLE], *even = a[H_EVEN], *odd = a[H_ODD], *e2 = a[H_EVEN2], *o2 = a[H_ODD2];
    ms_accum *dst = new_accum();
    assert_int_equal(ms_accum_absorb(dst, even), 0); /* empty dst: takes even's */
    assert_same_summaries(dst, e2);
    ms_stat_summary s;
    for (int i = 0; i < NS; i++) {
        ms_accum_summary(even, i, QS, NQ, &s);
        assert_int_equal(s.n, 0);
        assert_true(isnan(s.mean));
    }
    assert_int_equal(ms_accum_absorb(dst, odd), 0); /* nonempty dst: merged */
    assert_same_summaries(dst, whole);
    ms_accum_summary(odd, 0, QS, NQ, &s);
    assert_int_equal(s.n, (NB / 2) * MS_BLOCK); /* a merge leaves src as it was */
    int bad_bits[NS] = {7, 6, 10};
    ms_accum *x = ms_accum_alloc(NS, bad_bits, 1);
    ms_accum_set_shift(x, SHIFT);
    assert_int_equal(ms_accum_absorb(x, o2), -1);
    ms_accum_summary(o2, 0, QS, NQ, &s);
    assert_int_equal(s.n, (NB / 2) * MS_BLOCK);
    ms_accum_summary(x, 0, QS, NQ, &s);
    assert_int_equal(s.n, 0);
    ms_accum_free(x);
    ms_accum_free(dst);
    halves_free(a);
}

static void test_accum_pack(void **state)
{
    static double v[NS * MS_BLOCK];
    ms_rng *r = ms_rng_alloc(5);
    ms_accum *whole = new_accum(), *a = new_accum(), *b = new_accum(), *empty = new_accum();
    for (int blk = 0; blk < NB; blk++) {
        fill_block(v, blk, r);
        ms_accum_add_block(whole, v, MS_BLOCK, MS_BLOCK);
        ms_accum_add_block(blk < NB / 3 ? a : b, v, MS_BLOCK, MS_BLOCK);
    }
    unsigned char *buf = NULL;
    size_t len = ms_accum_pack(a, &buf);
    assert_true(len > 0 && buf);

    /* round trip into an empty accumulator */
    assert_int_equal(ms_accum_unpack_merge(empty, buf, len), 0);
    assert_same_summaries(empty, a);
    unsigned char *buf2 = NULL;
    size_t len2 = ms_accum_pack(empty, &buf2);
    assert_int_equal(len2, len);
    free(buf2);

    /* malformed images are refused and leave dst untouched */
    ms_accum *snap = new_accum();
    ms_accum_merge(snap, b);
    assert_int_equal(ms_accum_unpack_merge(b, buf, len - 1), -1);
    assert_int_equal(ms_accum_unpack_merge(b, buf, 10), -1);
    buf[0] ^= 1;
    assert_int_equal(ms_accum_unpack_merge(b, buf, len), -1);
    buf[0] ^= 1;
    buf[4] ^= 1; /* version */
    assert_int_equal(ms_accum_unpack_merge(b, buf, len), -1);
    buf[4] ^= 1;
    buf[len - 100] ^= 0x40; /* a count in the last histogram */
    assert_int_equal(ms_accum_unpack_merge(b, buf, len), -1);
    buf[len - 100] ^= 0x40;
    ms_accum *other = ms_accum_alloc(NS - 1, BITS, 1);
    assert_int_equal(ms_accum_unpack_merge(other, buf, len), -1);
    ms_accum_free(other);
    assert_same_summaries(b, snap);

    /* into the other part: the whole */
    assert_int_equal(ms_accum_unpack_merge(b, buf, len), 0);
    assert_same_summaries(b, whole);
    free(buf);
    ms_accum_free(snap);
    ms_accum_free(whole);
    ms_accum_free(a);
    ms_accum_free(b);
    ms_accum_free(empty);
    ms_rng_free(r);
}

/* {2, 4, 4, 4, 5, 5, 7, 9}: mean 5, sample variance 32/7; the same plus 1e9
 * with shift 1e9; one value; none. */
static void test_accum_known(void **state)
{
    const double d[] = {2, 4, 4, 4, 5, 5, 7, 9};
    double vals[2 * 8];
    for (int j = 0; j < 8; j++) {
        vals[j] = d[j];
        vals[8 + j] = 1e9 + d[j];
    }
    int bits[2] = {7, 7};
    ms_accum *a = ms_accum_alloc(2, bits, 1);
    double shift[2] = {0, 1e9};
    ms_accum_set_shift(a, shift);
    ms_accum_add_block(a, vals, 5, 8); /* two blocks, stride 8 */
    ms_accum_add_block(a, vals + 5, 3, 8);
    ms_stat_summary s;
    double q[] = {0.5};
    ms_accum_summary(a, 0, q, 1, &s);
    assert_int_equal(s.n, 8);
    assert_same(s.mean, 5.0);
    assert_true(fabs(s.sd - sqrt(32.0 / 7)) < 1e-15);
    assert_true(fabs(s.se - sqrt(32.0 / 7) / sqrt(8)) < 1e-15);
    assert_same(s.min, 2);
    assert_same(s.max, 9);
    assert_same(s.q[0], 4);
    assert_same(s.p_pos, 1.0);
    assert_same(s.cvar95, 9.0);      /* 0.4 of the largest value */
    assert_same(s.cvar05_lower, 2.0);
    ms_accum_summary(a, 1, q, 1, &s);
    assert_same(s.mean, 1e9 + 5);
    assert_true(fabs(s.sd - sqrt(32.0 / 7)) < 1e-15);
    ms_accum_free(a);

    a = ms_accum_alloc(1, NULL, 0);
    ms_accum_summary(a, 0, q, 1, &s);
    assert_int_equal(s.n, 0);
    assert_true(isnan(s.mean) && isnan(s.sd) && isnan(s.q[0]));
    double one = -2.5;
    ms_accum_add_block(a, &one, 1, 1);
    ms_accum_summary(a, 0, q, 1, &s);
    assert_same(s.mean, -2.5);
    assert_same(s.sd, 0.0);
    assert_same(s.p_pos, 0.0);
    assert_same(s.q[0], -2.5);
    assert_true(ms_accum_bytes(a) > 0);
    ms_accum_free(a);
}

/* A block's values counted in the same pass as its sums, and the values that
 * pass leaves to ms_hist_add (negative, -0, NaN, infinities, subnormals, an
 * octave first touched in the block): the histogram equals one filled value
 * by value, for both kinds of bucket.  A block is +0 -0 NaN inf -inf -3 -7
 * 1e-310 DBL_MAX 1e6 and 54 values 1 + k/108 (k < 54), added twice: 126
 * values counted (NaN apart), sorted -inf -inf -7 -7 -3 -3, four zeros,
 * 1e-310 twice, then 1 at ranks 13 and 14, so the 0.1 quantile (rank
 * ceil(12.6) = 13) is 1 exactly where buckets keep their range; 58 of each
 * 64 values are > 0 (NaN counts in n, not as > 0). */
static void test_accum_block_special(void **state)
{
    (void)state;
    double v[MS_BLOCK];
    const double odd[] = {0.0, -0.0, NAN, HUGE_VAL, -HUGE_VAL, -3, -7, 1e-310, DBL_MAX, 1e6};
    int no = (int)(sizeof odd / sizeof *odd);
    for (int j = 0; j < MS_BLOCK; j++)
        v[j] = j < no ? odd[j] : 1.0 + (j - no) / 108.0;
    for (int track = 0; track < 2; track++) {
        ms_accum *a = ms_accum_alloc(1, NULL, track);
        ms_hist *h = ms_hist_alloc(7, track);
        for (int b = 0; b < 2; b++) {
            ms_accum_add_block(a, v, MS_BLOCK, MS_BLOCK);
            for (int j = 0; j < MS_BLOCK; j++)
                ms_hist_add(h, v[j]);
        }
        double q[11], want[11];
        for (int k = 0; k <= 10; k++)
            q[k] = k / 10.0;
        ms_stat_summary s;
        ms_accum_summary(a, 0, q, 11, &s);
        ms_hist_quantiles(h, q, 11, want);
        assert_int_equal(ms_hist_count(h), 2 * (MS_BLOCK - 1));
        assert_same(s.min, -HUGE_VAL);
        assert_same(s.max, HUGE_VAL);
        if (track)
            assert_same(s.q[1], 1.0);
        for (int k = 0; k <= 10; k++)
            assert_same(s.q[k], want[k]);
        assert_same(s.p_pos, 58.0 / 64.0);
        ms_hist_free(h);
        ms_accum_free(a);
    }
}

/* Blocks added a group at a time (ms_accum_add_blocks, as the run driver
 * does) give the bits of the same blocks added one by one: NB blocks of
 * fill_block, the last 17 paths short, with a few values that take the slow
 * path in block 7 (-0 and a subnormal in every statistic; NaN and the
 * infinities in statistic 1 only, so that the others' means and sds stay
 * finite and show any sum gone wrong), in groups of 1, 2, 3 and 4 blocks in
 * turn (so groups start at every offset of the pending buffer, and it
 * fills and flushes mid-run); every summary equal byte for byte, with both
 * kinds of bucket; and n counts every path. */
static void test_accum_add_blocks(void **state)
{
    (void)state;
    enum { NPATHS = NB * MS_BLOCK - 17 };
    static double v[NS * NB * MS_BLOCK], blk[NS * MS_BLOCK];
    ms_rng *r = ms_rng_alloc(9);
    for (int b = 0; b < NB; b++) {
        fill_block(blk, b, r);
        for (int i = 0; i < NS; i++)
            memcpy(v + (size_t)i * NB * MS_BLOCK + (size_t)b * MS_BLOCK, blk + i * MS_BLOCK, sizeof(double) * MS_BLOCK);
    }
    ms_rng_free(r);
    const double odd[] = {-0.0, 1e-310, NAN, HUGE_VAL, -HUGE_VAL}; /* the last three in statistic 1 alone */
    for (int k = 0; k < 5; k++)
        for (int i = 0; i < NS; i++)
            if (k < 2 || i == 1)
                v[(size_t)i * NB * MS_BLOCK + 7 * MS_BLOCK + 3 * k + i] = odd[k];
    for (int track = 0; track < 2; track++) {
        ms_accum *one = ms_accum_alloc(NS, BITS, track), *grp = ms_accum_alloc(NS, BITS, track);
        ms_accum_set_shift(one, SHIFT);
        ms_accum_set_shift(grp, SHIFT);
        double col[NS * MS_BLOCK];
        for (int b = 0; b < NB; b++) {
            int n = NPATHS - b * MS_BLOCK < MS_BLOCK ? NPATHS - b * MS_BLOCK : MS_BLOCK;
            for (int i = 0; i < NS; i++)
                memcpy(col + i * MS_BLOCK, v + (size_t)i * NB * MS_BLOCK + (size_t)b * MS_BLOCK, sizeof(double) * n);
            ms_accum_add_block(one, col, n, MS_BLOCK);
        }
        for (int b = 0, g = 1; b < NB; b += g, g = g % MS_ACCUM_GROUP + 1) {
            int nb = NB - b < g ? NB - b : g;
            int n = NPATHS - b * MS_BLOCK < nb * MS_BLOCK ? NPATHS - b * MS_BLOCK : nb * MS_BLOCK;
            ms_accum_add_blocks(grp, v + (size_t)b * MS_BLOCK, (size_t)NB * MS_BLOCK, n);
        }
        assert_same_summaries(one, grp);
        ms_stat_summary s;
        ms_accum_summary(grp, 1, QS, NQ, &s);
        assert_int_equal(s.n, NPATHS);
        ms_accum_summary(grp, 0, QS, NQ, &s);
        assert_true(isfinite(s.mean) && isfinite(s.sd));
        ms_accum_free(one);
        ms_accum_free(grp);
    }
}

/* An accumulator's octaves come from chunks of its own (64 KiB doubling to
 * MS_ACCUM_CHUNK_MAX): 1,500 values 1.5 * 2^(k - 700), one per octave, fill
 * 1,500 octaves of 128 buckets with ranges (3,072 bytes each), across every
 * chunk size.  Their quantiles equal a histogram filled value by value (each
 * bucket holds one value, so a quantile is that value exactly: the 0.5
 * quantile, rank 750, is 1.5 * 2^49); so do the accumulator's after a merge
 * into another, an absorb into an empty one and a pack and unpack.  The bytes
 * it adds are at least the octaves, the window of 1,500 pointers and the
 * pending block sums, and at most what an estimate counts for a statistic of
 * 1,500 octaves (ms_accum_stat_bytes: a share of the chunks' wasted ends
 * with each octave) and the last chunk's unused end (MS_ACCUM_ARENA_SLACK). */
static void test_accum_arena(void **state)
{
    (void)state;
    enum { N = 1500 };
    double *v = malloc(N * sizeof *v);
    assert_non_null(v);
    ms_hist *h = ms_hist_alloc(7, 1);
    for (int k = 0; k < N; k++) {
        v[k] = ldexp(1.5, k - 700);
        ms_hist_add(h, v[k]);
    }
    int bits = 7;
    ms_accum *a = ms_accum_alloc(1, &bits, 1), *m = ms_accum_alloc(1, &bits, 1), *t = ms_accum_alloc(1, &bits, 1),
             *u = ms_accum_alloc(1, &bits, 1);
    size_t before = ms_accum_bytes(a);
    ms_accum_add_block(a, v, N, N);
    double used = N * 3072.0 + N * sizeof(void *) + 16 * 2 * sizeof(double); /* octaves, window, pending sums */
    double grew = (double)ms_accum_bytes(a) - (double)before;
    assert_true(grew >= used);
    assert_true(grew <= ms_accum_stat_bytes(7, 1, N) + MS_ACCUM_ARENA_SLACK);
    assert_int_equal(ms_accum_merge(m, a), 0);
    assert_int_equal(ms_accum_absorb(t, m), 0); /* t was empty: takes m's histograms and their chunks */
    unsigned char *buf = NULL;
    size_t len = ms_accum_pack(t, &buf);
    assert_int_equal(ms_accum_unpack_merge(u, buf, len), 0);
    free(buf);
    double q[16], want[16];
    for (int k = 0; k < 16; k++)
        q[k] = k / 15.0;
    ms_hist_quantiles(h, q, 16, want);
    assert_same(want[0], ldexp(1.5, -700));
    assert_same(ms_hist_quantile(h, 0.5), ldexp(1.5, 49));
    ms_accum *each[3] = {a, t, u};
    for (int x = 0; x < 3; x++) {
        ms_stat_summary s;
        ms_accum_summary(each[x], 0, q, 16, &s);
        assert_int_equal(s.n, N);
        for (int k = 0; k < 16; k++)
            assert_same(s.q[k], want[k]);
    }
    ms_accum_free(a);
    ms_accum_free(m);
    ms_accum_free(t);
    ms_accum_free(u);
    ms_hist_free(h);
    free(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_xsum_basic),
        cmocka_unit_test(test_xsum_reference),
        cmocka_unit_test(test_xsum_order),
        cmocka_unit_test(test_xsum_normalise),
        cmocka_unit_test(test_hist_integers),
        cmocka_unit_test(test_hist_uniform),
        cmocka_unit_test(test_hist_signs),
        cmocka_unit_test(test_hist_quantiles_walk),
        cmocka_unit_test(test_hist_cvar),
        cmocka_unit_test(test_accum_merge),
        cmocka_unit_test(test_accum_absorb),
        cmocka_unit_test(test_accum_pack),
        cmocka_unit_test(test_accum_known),
        cmocka_unit_test(test_accum_block_special),
        cmocka_unit_test(test_accum_add_blocks),
        cmocka_unit_test(test_accum_arena),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
