/*
 * runctl.c - the parallel drivers' shared control (sim/runctl.h): run
 * options with defaults, the stop flag, blocks dealt from a shared counter,
 * progress at most every 0.1 s from thread 0, the threads' parts merged in
 * a tree.  Nothing here touches a result: it decides which paths a thread
 * runs next, never what they give, and when parts merge, never how.
 */
#include <omp.h>
#include "runctl.h"

static const ms_run_opts defaults = {0, NULL, NULL, NULL};

void ms_runctl_init(ms_runctl *c, const ms_run_opts *o, uint64_t first, uint64_t n)
{
    *c = (ms_runctl){.o = o ? o : &defaults, .first = first, .n = n, .nblocks = (n + MS_BLOCK - 1) / MS_BLOCK};
    c->t0 = c->last = omp_get_wtime();
}

int ms_runctl_threads(const ms_runctl *c)
{
    return c->o->threads > 0 ? c->o->threads : omp_get_max_threads();
}

int ms_runctl_stopped(const ms_runctl *c)
{
    if (!c->o->stop)
        return 0;
    int v;
#pragma omp atomic read
    v = *c->o->stop;
    return v != 0;
}

int ms_runctl_take_n(ms_runctl *c, int nb, uint64_t *p0, int *np)
{
    if (ms_runctl_stopped(c))
        return 0;
    uint64_t b;
#pragma omp atomic capture
    {
        b = c->next;
        c->next += (uint64_t)nb;
    }
    if (b >= c->nblocks)
        return 0;
    uint64_t j0 = b * MS_BLOCK, span = (uint64_t)nb * MS_BLOCK;
    *p0 = c->first + j0;
    *np = (int)(c->n - j0 < span ? c->n - j0 : span);
    return 1;
}

int ms_runctl_take(ms_runctl *c, uint64_t *p0, int *np)
{
    return ms_runctl_take_n(c, 1, p0, np);
}

int ms_runctl_group(const ms_runctl *c, int threads, int most)
{
    uint64_t g = c->nblocks / (8 * (uint64_t)(threads > 0 ? threads : 1));
    return g < 1 ? 1 : g > (uint64_t)most ? most : (int)g;
}

uint64_t ms_runctl_count(ms_runctl *c)
{
    uint64_t d;
#pragma omp atomic read
    d = c->done;
    return d;
}

void ms_runctl_done(ms_runctl *c, uint64_t units, int tid)
{
#pragma omp atomic update
    c->done += units;
    if (tid != 0 || !c->o->progress)
        return;
    double now = omp_get_wtime();
    if (now - c->last >= 0.1) {
        c->o->progress(ms_runctl_count(c), c->n, now - c->t0, c->o->progress_ctx);
        c->last = now;
    }
}

double ms_runctl_finish(ms_runctl *c)
{
    double s = omp_get_wtime() - c->t0;
    if (c->o->progress)
        c->o->progress(c->done, c->n, s, c->o->progress_ctx);
    return s;
}

int ms_runctl_reduce(int tid, int (*merge)(void *ctx, int dst, int src), void *ctx)
{
    int n = omp_get_num_threads(), rc = 0;
    for (int step = 1; step < n; step *= 2) {
#pragma omp barrier
        if (tid % (2 * step) == 0 && tid + step < n && merge(ctx, tid, tid + step))
            rc = -1;
    }
#pragma omp barrier
    return rc;
}
