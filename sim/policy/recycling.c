/*
 * policy/recycling.c - domestic recycling of an importer's product
 * (docs/model.md, step 4).
 *
 * In month t a plant adds yield x min(capacity x ramp(t; start, ramp) / 12,
 * feedstock / 12) tonnes (feedstock unlimited when not given) to the
 * importer's recycled supply R (MS_HOOK_RECYCLED, for its importer and
 * product; also called for month 0, where R sets the baseline import need).
 * Its start is a candidate reference for time-to-survive.
 */
#include <math.h>
#include <stdlib.h>
#include "../policy.h"

typedef struct recyc {
    int cap, feed, yield, ramp, start; /* slots; feed NONE: unlimited */
} recyc;

static void hook_ref(const ms_engine *e, ms_work *w, const ms_cpol *cp, const ms_hook_ctx *x)
{
    const double *st = VS(((const recyc *)cp->data)->start);
    LANES if (st[l] < x->ref_any[l]) x->ref_any[l] = st[l];
}

static void hook_recycled(const ms_engine *e, ms_work *w, const ms_cpol *cp, const ms_hook_ctx *x)
{
    const recyc *q = cp->data;
    double *R = AT(w->Rm, x->i);
    LANES {
        double capm = VS(q->cap)[l] / 12.0 * ms_ramp(x->t, VS(q->start)[l], VS(q->ramp)[l]);
        double feed = q->feed == NONE ? HUGE_VAL : VS(q->feed)[l] / 12.0;
        R[l] += VS(q->yield)[l] * (capm < feed ? capm : feed);
    }
}

int ms_recycling_compile(ms_engine *e, ms_cpol *cp, char *err, size_t errlen)
{
    const ms_recycling *x = &cp->pol->u.recycling;
    recyc *q = calloc(1, sizeof *q);
    if (!q)
        return -1;
    cp->data = q;
    cp->free_data = free;
    q->feed = NONE;
    if ((q->cap = ms_engine_add_slot(e, &x->capacity_t_per_year)) < 0 ||
        (x->has_feedstock && (q->feed = ms_engine_add_slot(e, &x->feedstock_t_per_year)) < 0) ||
        (q->yield = ms_engine_add_slot(e, &x->yield)) < 0 || (q->ramp = ms_engine_add_slot(e, &x->ramp_months)) < 0 ||
        (q->start = ms_engine_add_slot(e, &x->start)) < 0)
        return -1;
    cp->hook[MS_HOOK_REF_START] = hook_ref;
    cp->hook[MS_HOOK_RECYCLED] = hook_recycled;
    (void)err;
    (void)errlen;
    return ms_engine_hook(e, cp, MS_HOOK_REF_START, -1, -1) ||
                   ms_engine_hook(e, cp, MS_HOOK_RECYCLED, x->importer, x->product) ? -1 : 0;
}
