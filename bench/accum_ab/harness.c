/*
 * harness.c - two builds of sim/accum.c in one process, timed on the same
 * blocks in the conditions of a run (bench/accum_ab.sh builds it).
 *
 * Whole runs on a machine whose clock drifts cannot show a few percent, so
 * this alternates at the grain of a block: for each block of MS_BLOCK paths
 * it runs the real steps (ms_engine_paths, untimed) into a statistic-major
 * block buffer, then adds the block with build A and with build B, each into
 * its own accumulators (their entry points renamed A_* and B_*, everything
 * else of theirs local), and times only the first one after the steps, the
 * one that finds the histograms as a run does (the steps having pushed them
 * out of cache); which build goes first alternates block by block.  Prints
 * the time a path of each and B/A.  The place of a build (first or second
 * linked) biases the ratio by several percent, so accum_ab.sh runs it with
 * the builds in both places and combines the ratios.
 *
 *   harness SCENARIO [blocks=100]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <omp.h>
#include "../bench.h"

#define DECL(X)                                                                                            \
    ms_accum *X##_accum_alloc(int, const int *, int);                                                     \
    void X##_accum_free(ms_accum *);                                                                       \
    void X##_accum_set_shift(ms_accum *, const double *);                                                  \
    void X##_accum_block_begin(ms_accum *);                                                                \
    void X##_accum_block_add(ms_accum *, const double *, size_t, size_t, int);                             \
    void X##_accum_block_end(ms_accum *);
DECL(A)
DECL(B)

typedef struct build {
    ms_accum *(*alloc)(int, const int *, int);
    void (*free_)(ms_accum *);
    void (*shift)(ms_accum *, const double *);
    void (*begin)(ms_accum *);
    void (*add)(ms_accum *, const double *, size_t, size_t, int);
    void (*end)(ms_accum *);
    ms_accum *m, *s; /* metrics, series */
} build;

static void add_block(build *b, const double *bb, int nm)
{
    b->begin(b->m);
    b->add(b->m, bb, MS_BLOCK, 1, MS_BLOCK);
    b->end(b->m);
    b->begin(b->s);
    b->add(b->s, bb + (size_t)nm * MS_BLOCK, MS_BLOCK, 1, MS_BLOCK);
    b->end(b->s);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: harness SCENARIO [blocks]\n");
        return 2;
    }
    int nb = argc > 2 ? atoi(argv[2]) : 100;
    ms_scenario *s = bench_load(argv[1]);
    if (!s)
        return 3;
    ms_engine *e = bench_compile(s, 1);
    if (!e)
        return 1;
    ms_work *w = ms_work_alloc(e);
    int nm = ms_engine_nmetrics(e), ns = ms_engine_nseries(e), nst = nm + ns;
    double *pm = malloc(sizeof(double) * (size_t)MS_BLOCK * (size_t)nst); /* path-major, as simulated */
    double *bb = malloc(sizeof(double) * (size_t)MS_BLOCK * (size_t)nst); /* statistic-major, as a run adds it */
    int *bits = malloc(sizeof(int) * (size_t)nst);
    if (!w || !pm || !bb || !bits)
        return 1;
    for (int k = 0; k < nst; k++)
        bits[k] = k < nm ? MS_METRIC_BITS : MS_SERIES_BITS;
    build v[2] = {{A_accum_alloc, A_accum_free, A_accum_set_shift, A_accum_block_begin, A_accum_block_add,
                   A_accum_block_end, NULL, NULL},
                  {B_accum_alloc, B_accum_free, B_accum_set_shift, B_accum_block_begin, B_accum_block_add,
                   B_accum_block_end, NULL, NULL}};
    const double *shift = ms_engine_shift(e);
    for (int k = 0; k < 2; k++) {
        v[k].m = v[k].alloc(nm, bits, 1);
        v[k].s = v[k].alloc(ns, bits + nm, 0);
        if (!v[k].m || !v[k].s)
            return 1;
        v[k].shift(v[k].m, shift);
        v[k].shift(v[k].s, shift + nm);
    }
    double t[2] = {0, 0};
    for (int b = 0; b < nb; b++) {
        ms_engine_paths(e, w, (uint64_t)b * MS_BLOCK, MS_BLOCK, pm, (size_t)nst);
        for (int j = 0; j < MS_BLOCK; j++)
            for (int k = 0; k < nst; k++)
                bb[(size_t)k * MS_BLOCK + j] = pm[(size_t)j * nst + k];
        for (int pass = 0; pass < 2; pass++) {
            int k = (b + pass) % 2;
            double t0 = omp_get_wtime();
            add_block(&v[k], bb, nm);
            if (pass == 0 && b >= 4) /* the first blocks allocate the histograms' octaves */
                t[k] += omp_get_wtime() - t0;
        }
    }
    double per = (nb - 4) / 2.0 * MS_BLOCK;
    printf("A %.1f us/path  B %.1f us/path  B/A %.3f\n", 1e6 * t[0] / per, 1e6 * t[1] / per, t[1] / t[0]);
    for (int k = 0; k < 2; k++) {
        v[k].free_(v[k].m);
        v[k].free_(v[k].s);
    }
    free(pm);
    free(bb);
    free(bits);
    ms_work_free(w);
    ms_engine_free(e);
    ms_scenario_free(s);
    return 0;
}
