/*
 * policy/stockpile.c - a strategic stockpile of an importer's product
 * (docs/model.md, step 4).
 *
 * From its start, in a month when the importer's fill rate of the previous
 * month is below the trigger, it releases min(monthly release, stock left,
 * the beneficiaries' orders not yet covered by an earlier stockpile), split
 * over the beneficiaries in proportion to those orders (MS_HOOK_RELEASE:
 * xb[cell], Xm[importer]).  Per-lane state: the stock left.  Its start is a
 * candidate reference for time-to-survive.
 */
#include <stdlib.h>
#include "../policy.h"

enum { ST_LEFT = 0 };

typedef struct stock {
    int i, p;                  /* importer, product */
    int stock, rel, trig, start; /* slots: initial stock t, release t/mo, trigger fill rate, start date */
    int *ben;                  /* [C] 1 for the beneficiary cells */
} stock;

static void stock_free(void *data)
{
    stock *q = data;
    if (q)
        free(q->ben);
    free(q);
}

static void hook_path(const ms_engine *e, ms_work *w, const ms_cpol *cp, const ms_hook_ctx *x)
{
    const stock *q = cp->data;
    double *left = PSTATE(cp, ST_LEFT);
    LANES left[l] = VS(q->stock)[l];
}

static void hook_ref(const ms_engine *e, ms_work *w, const ms_cpol *cp, const ms_hook_ctx *x)
{
    const double *st = VS(((const stock *)cp->data)->start);
    LANES if (st[l] < x->ref_any[l]) x->ref_any[l] = st[l];
}

static void hook_release(const ms_engine *e, ms_work *w, const ms_cpol *cp, const ms_hook_ctx *x)
{
    const stock *q = cp->data;
    int i = q->i, P = e->P, p = x->p, c0 = e->cell0[i], c1 = e->cell0[i + 1];
    const double *fillp = AT(w->fillp, i * P + p);
    double *left = PSTATE(cp, ST_LEFT), *X = AT(w->Xm, i);
    LANES {
        if (x->t < VS(q->start)[l] || fillp[l] >= VS(q->trig)[l])
            continue;
        double bo = 0;
        for (int c = c0; c < c1; c++)
            if (q->ben[c])
                bo += AT(w->O, c * P + p)[l] - AT(w->xb, c)[l];
        double rel = VS(q->rel)[l];
        if (rel > left[l])
            rel = left[l];
        if (rel > bo)
            rel = bo;
        if (rel <= 0)
            continue;
        for (int c = c0; c < c1; c++)
            if (q->ben[c] && bo > 0)
                AT(w->xb, c)[l] += rel * (AT(w->O, c * P + p)[l] - AT(w->xb, c)[l]) / bo;
        left[l] -= rel;
        X[l] += rel;
    }
}

int ms_stockpile_compile(ms_engine *e, ms_cpol *cp, char *err, size_t errlen)
{
    const ms_stockpile *x = &cp->pol->u.stockpile;
    stock *q = calloc(1, sizeof *q);
    if (!q)
        return -1;
    cp->data = q;
    cp->free_data = stock_free;
    q->i = x->importer;
    q->p = x->product;
    q->ben = calloc((size_t)(e->C ? e->C : 1), sizeof(int));
    if (!q->ben)
        return -1;
    for (int k = 0; k < e->sc->importers[q->i].nindustries; k++)
        q->ben[e->cell0[q->i] + k] = x->beneficiaries ? x->beneficiaries[k] : 1;
    if ((q->stock = ms_engine_add_slot(e, &x->stock_t)) < 0 ||
        (q->rel = ms_engine_add_slot(e, &x->release_t_per_month)) < 0 ||
        (q->trig = ms_engine_add_slot(e, &x->trigger)) < 0 || (q->start = ms_engine_add_slot(e, &x->start)) < 0)
        return -1;
    cp->nstate = 1;
    cp->hook[MS_HOOK_PATH_START] = hook_path;
    cp->hook[MS_HOOK_REF_START] = hook_ref;
    cp->hook[MS_HOOK_RELEASE] = hook_release;
    (void)err;
    (void)errlen;
    return ms_engine_hook(e, cp, MS_HOOK_PATH_START, -1, -1) || ms_engine_hook(e, cp, MS_HOOK_REF_START, -1, -1) ||
                   ms_engine_hook(e, cp, MS_HOOK_RELEASE, q->i, q->p) ? -1 : 0;
}
