/*
 * bench_accum.c - cost of the accumulator hot paths: ns per ms_hist_add
 * (with and without bucket ranges), per ms_xsum_add, per value through
 * ms_accum_add_block.  Prints numbers; not a test.
 *
 *   bench_accum [values=1000000] [reps=20]
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "magsim/accum.h"
#include "magsim/rng.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 1000000;
    int reps = argc > 2 ? atoi(argv[2]) : 20;
    if (n < MS_BLOCK || reps < 1) {
        fprintf(stderr, "usage: bench_accum [values >= %d] [reps >= 1]\n", MS_BLOCK);
        return 2;
    }
    n -= n % MS_BLOCK;
    double *x = malloc((size_t)n * sizeof *x);
    if (!x)
        return 1;
    /* values like a simulated shortfall: lognormal over ~10 octaves, 20% zeros */
    ms_rng *r = ms_rng_alloc(1);
    ms_rng_key(r, 0, 0, 0);
    for (long i = 0; i < n; i++) {
        double u = ms_rng_uniform_pos(r);
        x[i] = u < 0.2 ? 0.0 : 1000.0 * exp(2.0 * (ms_rng_uniform_pos(r) - 0.5) * 3.5);
    }
    double total = (double)n * reps, sink = 0;

    for (int track = 0; track < 2; track++) {
        for (int bits = 4; bits <= 10; bits += 3) {
            ms_hist *h = ms_hist_alloc(bits, track);
            for (long i = 0; i < n; i++) /* warm: octaves allocated */
                ms_hist_add(h, x[i]);
            double t0 = now();
            for (int k = 0; k < reps; k++)
                for (long i = 0; i < n; i++)
                    ms_hist_add(h, x[i]);
            double t1 = now();
            sink += ms_hist_quantile(h, 0.5);
            printf("ms_hist_add    bits %2d track_range %d: %6.2f ns/value  (%zu bytes)\n", bits, track,
                   1e9 * (t1 - t0) / total, ms_hist_bytes(h));
            ms_hist_free(h);
        }
    }

    ms_xsum s;
    ms_xsum_init(&s);
    double t0 = now();
    for (int k = 0; k < reps; k++)
        for (long i = 0; i < n; i++)
            ms_xsum_add(&s, k & 1 ? -x[i] : x[i]);
    double t1 = now();
    sink += ms_xsum_value(&s);
    printf("ms_xsum_add                        : %6.2f ns/value\n", 1e9 * (t1 - t0) / total);

    t0 = now();
    for (int k = 0; k < reps * 10; k++)
        sink += ms_xsum_value(&s);
    t1 = now();
    printf("ms_xsum_value                      : %6.2f ns/call\n", 1e9 * (t1 - t0) / (reps * 10));

    /* one statistic, blocks of MS_BLOCK paths */
    ms_accum *a = ms_accum_alloc(1, NULL, 1);
    ms_accum_add_block(a, x, MS_BLOCK, MS_BLOCK);
    t0 = now();
    for (int k = 0; k < reps; k++)
        for (long i = 0; i < n; i += MS_BLOCK)
            ms_accum_add_block(a, x + i, MS_BLOCK, MS_BLOCK);
    t1 = now();
    ms_stat_summary sum;
    double q[] = {0.5, 0.95};
    ms_accum_summary(a, 0, q, 2, &sum);
    sink += sum.mean;
    printf("ms_accum_add_block (bits 7, range) : %6.2f ns/value\n", 1e9 * (t1 - t0) / total);
    t0 = now();
    for (int k = 0; k < 100; k++)
        ms_accum_summary(a, 0, q, 2, &sum);
    t1 = now();
    printf("ms_accum_summary (2 quantiles)     : %6.2f us/call\n", 1e6 * (t1 - t0) / 100);

    fprintf(stderr, "(checksum %g)\n", sink);
    ms_accum_free(a);
    ms_rng_free(r);
    free(x);
    return 0;
}
