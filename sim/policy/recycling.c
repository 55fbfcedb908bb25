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
#include "../engine_int.h"
#include "../policy.h"
#include "recycling.h"

typedef struct recyc {
    int cap, feed, yield, ramp, start; /* slots; feed NONE: unlimited */
    int *imp;                  /* [I] its importer alone */
} recyc;

static void recyc_free(void *data)
{
    recyc *q = data;
    if (q)
        free(q->imp);
    free(q);
}

static void hook_ref(const ms_engine *e, ms_work *w, const ms_cpol *cp, const ms_hook_ctx *x)
{
    const recyc *q = cp->data;
    ms_policy_ref_touch(e, x, VS(q->start), q->imp);
}

static void hook_recycled(const ms_engine *e, ms_work *w, const ms_cpol *cp, const ms_hook_ctx *x)
{
    const recyc *q = cp->data;
    double *R = AT(w->Rm, x->i * e->P + x->p);
    LANES {
        double capm = VS(q->cap)[l] / 12.0 * ms_ramp(x->t, VS(q->start)[l], VS(q->ramp)[l]);
        double feed = q->feed == NONE ? HUGE_VAL : VS(q->feed)[l] / 12.0;
        R[l] += VS(q->yield)[l] * (capm < feed ? capm : feed);
    }
}

int ms_recycling_compile(ms_engine *e, ms_cpol *cp, char *err, size_t errlen)
{
    const ms_recycling *x = cp->pol->data;
    recyc *q = calloc(1, sizeof *q);
    if (!q)
        return -1;
    cp->data = q;
    cp->free_data = recyc_free;
    q->feed = NONE;
    if (!(q->imp = calloc((size_t)e->I, sizeof(int))))
        return -1;
    q->imp[x->importer] = 1;
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

/* ---- the scenario file: keys, checks, the timeline (built once) ---------------- */
#ifndef MS_ISA_V4

static const mskey recycling_schema[] = {
    MS_POLICY_COMMON_KEYS,
    {.key = "importer", .type = MSN_ANY, .fn = msl_h_ref, .off = offsetof(ms_recycling, importer), .flags = K_REQ,
         .ref = REF_IMPORTER, .range = R_ANY},
    {.key = "product", .type = MSN_ANY, .fn = msl_h_ref, .off = offsetof(ms_recycling, product), .flags = K_REQ,
         .ref = REF_PRODUCT, .range = R_ANY},
    {.key = "capacity_t_per_year", .type = MSN_ANY, .fn = msl_h_dist,
         .off = offsetof(ms_recycling, capacity_t_per_year), .flags = K_REQ, .range = R_NONNEG},
    {.key = "feedstock_t_per_year", .type = MSN_ANY, .fn = msl_h_dist,
         .off = offsetof(ms_recycling, feedstock_t_per_year), .flags = K_DEF | K_HAS, .range = R_NONNEG,
         .def = HUGE_VAL, .has_off = offsetof(ms_recycling, has_feedstock)},
    {.key = "yield", .type = MSN_ANY, .fn = msl_h_dist, .off = offsetof(ms_recycling, yield), .flags = K_DEF,
         .range = R_SHARE, .def = 0.9},
    {.key = "ramp_months", .type = MSN_ANY, .fn = msl_h_dist, .off = offsetof(ms_recycling, ramp_months),
         .flags = K_DEF, .range = R_NONNEG, .def = 12},
    {.key = "start", .type = MSN_ANY, .fn = msl_h_dist, .off = offsetof(ms_recycling, start),
         .flags = K_DEF | K_DATE, .range = R_ANY},
    {0},
};

static void parsed_init(msl *L, void *data)
{
    ms_recycling *r = data;
    r->importer = r->product = -1;
}

static const ms_dist *parsed_start(const void *data)
{
    return &((const ms_recycling *)data)->start;
}

static void parsed_describe(const ms_scenario *s, const void *data, char *buf, size_t len)
{
    const ms_recycling *r = data;
    snprintf(buf, len, "%s %s, %.4g t/yr at full ramp, yield %.2g", r->importer >= 0 ? s->importers[r->importer].name : "?",
             r->product >= 0 ? s->products[r->product].name : "?", ms_dist_mean(&r->capacity_t_per_year),
             ms_dist_mean(&r->yield));
}

const ms_recycling *ms_recycling_of(const ms_policy *p)
{
    return p && p->type == &ms_policy_recycling ? p->data : NULL;
}

const ms_policy_type ms_policy_recycling = {
    .name = "recycling",
    .schema = recycling_schema,
    .size = sizeof(ms_recycling),
    .init = parsed_init,
    .start = parsed_start,
    .describe = parsed_describe,
    .compile = ms_recycling_compile,
    .compile_v4 = MS_V4(ms_recycling_compile),
};

#endif
