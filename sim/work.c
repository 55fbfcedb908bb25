/*
 * work.c - the workspace of MS_LANES paths (struct ms_work, declared once
 * as WORK_ARRAYS in sim/engine_int.h) and the trace of one path.
 *
 * Every per-lane array is 64-byte aligned (a cache line, and one AVX-512
 * vector of lanes) and zeroed; fixed inputs are written into their slots
 * once.  Nothing is allocated after ms_work_alloc.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "engine_int.h"
#include "huge.h"

/* ---- workspace ------------------------------------------------------------------- */

/* The sizes of WORK_ARRAYS as locals of their names, from dims d. */
#define DIMS_LOCALS(d)                                                                                     \
    size_t S = (d).S, I = (d).I, P = (d).P, C = (d).C, H = (d).H, T = (d).T, nslots = (d).nslots,           \
           nflows = (d).nflows, nfc = (d).nfc, npstate = (d).npstate, nent = (d).nent, has_buy = (d).has_buy; \
    (void)S, (void)I, (void)P, (void)C, (void)H, (void)T, (void)nslots, (void)nflows, (void)nfc, (void)npstate, \
        (void)nent, (void)has_buy

ms_work_dims ms_work_dims_of(const ms_engine *e)
{
    return (ms_work_dims){.S = (size_t)e->S, .I = (size_t)e->I, .P = (size_t)e->P, .C = (size_t)e->C,
                          .H = (size_t)e->H, .T = (size_t)e->T, .nslots = (size_t)e->nslots,
                          .nflows = (size_t)e->nflows, .nfc = (size_t)e->nfc, .npstate = (size_t)e->npstate,
                          .nent = (size_t)e->nent, .has_buy = (size_t)(e->has_buy != 0),
                          .nstats = (size_t)e->nstats};
}

/* The bytes of n lane vectors of `size`-byte elements and one spare,
 * rounded to 64 (aligned_alloc wants a multiple of the alignment). */
static size_t lanes_bytes(size_t n, size_t size)
{
    return ((n + 1) * W * size + 63) / 64 * 64;
}

size_t ms_work_dims_bytes(const ms_work_dims *d)
{
    DIMS_LOCALS(*d);
    size_t n = sizeof(ms_work) + lanes_bytes(d->nstats, sizeof(double));
#define X_BYTES(type, name, count) n += lanes_bytes((size_t)(count), sizeof(type));
    WORK_ARRAYS(X_BYTES)
#undef X_BYTES
    return n;
}

size_t ms_work_bytes(const ms_engine *e)
{
    ms_work_dims d = ms_work_dims_of(e);
    return ms_work_dims_bytes(&d);
}

/* ---- a run's block buffer ------------------------------------------------------------ */

/* Whole huge pages from one huge page up (a multiple of 64 below: 2 KiB a statistic). */
size_t ms_block_buffer_bytes(size_t nstats)
{
    size_t b = sizeof(double) * MS_BB_STRIDE * (nstats + 1);
    return b >= MS_HUGE_PAGE ? (b + MS_HUGE_PAGE - 1) / MS_HUGE_PAGE * MS_HUGE_PAGE : b;
}

size_t ms_block_bytes(const ms_engine *e)
{
    return ms_block_buffer_bytes((size_t)e->nstats);
}

/* Aligned for the lanes' vector stores; from one huge page up, on huge-page
 * boundaries, with transparent huge pages asked for (madvise: a hint, which
 * the kernel may ignore).  A batch writes one line per statistic, each in
 * its own 4 KiB page (8 statistics a page), and the accumulation reads them
 * back: on huge pages the accumulation of the default scenario's block takes
 * about 8% less time (README, Performance).  NULL when out of memory. */
double *ms_block_buffer_alloc(size_t nstats)
{
    size_t b = ms_block_buffer_bytes(nstats);
    return b >= MS_HUGE_PAGE ? ms_huge_alloc(b) : aligned_alloc(64, b);
}

/* n lane vectors of `size`-byte elements (and one spare), zeroed, aligned
 * for the lane vectors (64 bytes: a cache line): lanes_bytes of memory. */
static void *zalloc_lanes(size_t n, size_t size)
{
    size_t bytes = lanes_bytes(n, size);
    void *p = aligned_alloc(64, bytes);
    if (p)
        memset(p, 0, bytes);
    return p;
}

ms_work *ms_work_alloc(const ms_engine *e)
{
    ms_work *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    ms_work_dims d = ms_work_dims_of(e);
    DIMS_LOCALS(d);
    int bad = 0;
#define X_ALLOC(type, name, count) \
    if (!(w->name = zalloc_lanes((size_t)(count), sizeof(type)))) bad = 1;
    WORK_ARRAYS(X_ALLOC)
#undef X_ALLOC
    w->obuf = zalloc_lanes(d.nstats, sizeof(double));
    w->rng = ms_rng_alloc(e->seed);
    if (bad || !w->obuf || !w->rng) {
        ms_work_free(w);
        return NULL;
    }
    for (int k = 0; k < e->nslots; k++)
        LANES VS(k)[l] = e->slot_fixed[k];
    return w;
}

void ms_work_free(ms_work *w)
{
    if (!w)
        return;
#define X_FREE(type, name, count) free(w->name);
    WORK_ARRAYS(X_FREE)
#undef X_FREE
    free(w->obuf);
    ms_rng_free(w->rng);
    free(w);
}

/* ---- trace -------------------------------------------------------------------------- */

ms_trace *ms_trace_alloc(const ms_engine *e)
{
    ms_trace *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    int T = e->T, S = e->S, I = e->I, P = e->P, C = e->C;
    t->T = T, t->S = S, t->I = I, t->P = P, t->C = C;
    size_t tcp = (size_t)T * C * P, tip = (size_t)T * I * P, tsip = (size_t)T * S * I * P, tsp = (size_t)T * S * P;
    double **dp[] = {&t->demand, &t->orders, &t->received, &t->consumption, &t->shortage, &t->inventory,
                     &t->arrivals, &t->recycled, &t->released, &t->requests, &t->shipments, &t->shares,
                     &t->capacity, &t->export_cap, &t->supplier_price, &t->price_index, &t->fill_rate,
                     &t->substitution};
    size_t sz[] = {tcp, tcp, tcp, tcp, tcp, tcp, tip, tip, tip, tsip, tsip, tsip, tsp, tsp, tsp, tip, tip,
                   (size_t)T * C};
    int bad = 0;
    for (size_t k = 0; k < sizeof dp / sizeof dp[0]; k++)
        if (!(*dp[k] = calloc(sz[k] ? sz[k] : 1, sizeof(double))))
            bad = 1;
    t->cell_importer = calloc((size_t)(C ? C : 1), sizeof(int));
    if (bad || !t->cell_importer) {
        ms_trace_free(t);
        return NULL;
    }
    memcpy(t->cell_importer, e->c_imp, (size_t)C * sizeof(int));
    return t;
}

void ms_trace_free(ms_trace *t)
{
    if (!t)
        return;
    void *ptrs[] = {t->demand, t->orders, t->received, t->consumption, t->shortage, t->inventory, t->arrivals,
                    t->recycled, t->released, t->requests, t->shipments, t->shares, t->capacity, t->export_cap,
                    t->supplier_price, t->price_index, t->fill_rate, t->substitution, t->cell_importer};
    for (size_t k = 0; k < sizeof ptrs / sizeof ptrs[0]; k++)
        free(ptrs[k]);
    free(t);
}

