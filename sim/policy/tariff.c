/*
 * policy/tariff.c - tariffs: an ad valorem rate on flows, by a schedule of
 * steps (docs/model.md, step 5).
 *
 * Compiled form: a slot for each step's date and rate, and the flows the
 * tariff covers (importer, origin and product masks).  In month t the rate
 * of a lane is that of the latest step with from <= t (the later step in
 * the file on a tie), 0 before the first; each tariff adds its rate to the
 * flows it covers (MS_HOOK_TARIFF), in scenario order, so stacked tariffs
 * add up.  Its earliest step is a candidate reference for time-to-survive.
 */
#include <math.h>
#include <stdlib.h>
#include "../policy.h"

typedef struct tariff {
    int nsteps;
    int *from, *rate;          /* [nsteps] slots: date the step takes effect, rate */
    int *flows, nflows;        /* covered flows, all products */
} tariff;

static void tariff_free(void *data)
{
    tariff *q = data;
    if (!q)
        return;
    free(q->from);
    free(q->rate);
    free(q->flows);
    free(q);
}

static void hook_ref(const ms_engine *e, ms_work *w, const ms_cpol *cp, const ms_hook_ctx *x)
{
    const tariff *q = cp->data;
    for (int j = 0; j < q->nsteps; j++) {
        const double *f = VS(q->from[j]);
        LANES if (f[l] < x->ref_any[l]) x->ref_any[l] = f[l];
    }
}

static void hook_tariff(const ms_engine *e, ms_work *w, const ms_cpol *cp, const ms_hook_ctx *x)
{
    const tariff *q = cp->data;
    double t = x->t, rate[W];
    LANES {
        double best_from = -HUGE_VAL, r = 0;
        for (int j = 0; j < q->nsteps; j++) {
            double f = VS(q->from[j])[l];
            if (f <= t && f >= best_from) {
                best_from = f;
                r = VS(q->rate[j])[l];
            }
        }
        rate[l] = r;
    }
    for (int k = 0; k < q->nflows; k++) {
        double *tr = AT(w->tar, q->flows[k]);
        LANES tr[l] += rate[l];
    }
}

int ms_tariff_compile(ms_engine *e, ms_cpol *cp, char *err, size_t errlen)
{
    const ms_tariff *x = &cp->pol->u.tariff;
    tariff *q = calloc(1, sizeof *q);
    if (!q)
        return -1;
    cp->data = q;
    cp->free_data = tariff_free;
    q->nsteps = x->nsteps;
    q->from = calloc((size_t)(x->nsteps ? x->nsteps : 1), sizeof(int));
    q->rate = calloc((size_t)(x->nsteps ? x->nsteps : 1), sizeof(int));
    q->flows = calloc((size_t)(e->nflows ? e->nflows : 1), sizeof(int));
    if (!q->from || !q->rate || !q->flows)
        return -1;
    for (int j = 0; j < x->nsteps; j++)
        if ((q->from[j] = ms_engine_add_slot(e, &x->schedule[j].from)) < 0 ||
            (q->rate[j] = ms_engine_add_slot(e, &x->schedule[j].rate)) < 0)
            return -1;
    for (int f = 0; f < e->nflows; f++)
        if (x->importers[e->fl_i[f]] && x->origins[e->fl_s[f]] && x->products[e->fl_p[f]])
            q->flows[q->nflows++] = f;
    cp->hook[MS_HOOK_REF_START] = hook_ref;
    cp->hook[MS_HOOK_TARIFF] = hook_tariff;
    (void)err;
    (void)errlen;
    return ms_engine_hook(e, cp, MS_HOOK_REF_START, -1, -1) || ms_engine_hook(e, cp, MS_HOOK_TARIFF, -1, -1) ? -1 : 0;
}
