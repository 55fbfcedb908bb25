/*
 * policy/demand_shock.c - a multiple on the demand of chosen importers,
 * industries and products while it is on (docs/model.md, step 2).
 *
 * While start <= t < end (end: never when not given) it multiplies the
 * shock multiplier of the cells and products it covers (MS_HOOK_DEMAND);
 * several shocks multiply, in scenario order, and demand is then multiplied
 * once by their product.  Its start is a candidate reference for
 * time-to-survive.
 */
#include <stdlib.h>
#include <string.h>
#include "../policy.h"

typedef struct shock {
    const int *prod;           /* [P] mask */
    int *cells, ncells;        /* covered cells */
    int start, end, mult;      /* slots; end NONE: never */
} shock;

static void shock_free(void *data)
{
    shock *q = data;
    if (q)
        free(q->cells);
    free(q);
}

static void hook_ref(const ms_engine *e, ms_work *w, const ms_cpol *cp, const ms_hook_ctx *x)
{
    const double *st = VS(((const shock *)cp->data)->start);
    LANES if (st[l] < x->ref_any[l]) x->ref_any[l] = st[l];
}

static void hook_demand(const ms_engine *e, ms_work *w, const ms_cpol *cp, const ms_hook_ctx *x)
{
    const shock *q = cp->data;
    if (!q->prod[x->p])
        return;
    int t = x->t, on[W];
    const double *st = VS(q->start), *mult = VS(q->mult);
    LANES on[l] = t >= st[l] && (q->end == NONE || t < VS(q->end)[l]);
    for (int k = 0; k < q->ncells; k++) {
        double *m = AT(w->shock, q->cells[k]);
        LANES if (on[l]) m[l] *= mult[l];
    }
}

int ms_demand_shock_compile(ms_engine *e, ms_cpol *cp, char *err, size_t errlen)
{
    const ms_demand_shock *x = &cp->pol->u.shock;
    const ms_scenario *sc = e->sc;
    shock *q = calloc(1, sizeof *q);
    if (!q)
        return -1;
    cp->data = q;
    cp->free_data = shock_free;
    q->prod = x->products;
    q->end = NONE;
    q->cells = calloc((size_t)(e->C ? e->C : 1), sizeof(int));
    if (!q->cells)
        return -1;
    for (int i = 0; i < e->I; i++) {
        if (!x->importers[i])
            continue;
        const ms_importer *im = &sc->importers[i];
        for (int k = 0; k < im->nindustries; k++) {
            int hit = x->industry_names == NULL;
            for (int j = 0; !hit && j < x->nindustry_names; j++)
                hit = strcmp(x->industry_names[j], im->industries[k].name) == 0;
            if (hit)
                q->cells[q->ncells++] = e->cell0[i] + k;
        }
    }
    if ((q->start = ms_engine_add_slot(e, &x->start)) < 0 ||
        (x->has_end && (q->end = ms_engine_add_slot(e, &x->end)) < 0) ||
        (q->mult = ms_engine_add_slot(e, &x->multiplier)) < 0)
        return -1;
    cp->hook[MS_HOOK_REF_START] = hook_ref;
    cp->hook[MS_HOOK_DEMAND] = hook_demand;
    (void)err;
    (void)errlen;
    return ms_engine_hook(e, cp, MS_HOOK_REF_START, -1, -1) || ms_engine_hook(e, cp, MS_HOOK_DEMAND, -1, -1) ? -1 : 0;
}
