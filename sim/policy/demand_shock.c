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
#include "../engine_int.h"
#include "../policy.h"
#include "demand_shock.h"

typedef struct shock {
    const int *prod;           /* [P] mask */
    const int *imp;            /* [I] mask */
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
    const shock *q = cp->data;
    ms_policy_ref_touch(e, x, VS(q->start), q->imp);
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
    const ms_demand_shock *x = cp->pol->data;
    const ms_scenario *sc = e->sc;
    shock *q = calloc(1, sizeof *q);
    if (!q)
        return -1;
    cp->data = q;
    cp->free_data = shock_free;
    q->prod = x->products;
    q->imp = x->importers;
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

/* ---- the scenario file: keys, checks, the timeline (built once) ---------------- */
#ifndef MS_ISA_V4

static void h_shock_industries(msl *L, const msn *v, void *base, const mskey *k, const char *path)
{
    ms_demand_shock *sh = base;
    ms_scenario *s = L->s;
    if (v->type == MSN_SCALAR && !strcmp(v->str, "all"))
        return;
    if (v->type != MSN_LIST) {
        msl_err(L, MS_D_TYPE, v, "industries: expected 'all' or a list of industry names, got %s",
                msn_type_name(v->type));
        return;
    }
    sh->industry_names = calloc((size_t)(v->n ? v->n : 1), sizeof *sh->industry_names);
    if (!sh->industry_names)
        return;
    for (int j = 0; j < v->n; j++) {
        const msn *it = v->vals[j];
        if (it->type != MSN_SCALAR) {
            msl_err(L, MS_D_TYPE, it, "expected an industry name, got %s", msn_type_name(it->type));
            continue;
        }
        int found = 0;
        for (int i = 0; i < s->nimporters && !found; i++) {
            if (sh->importers && !sh->importers[i])
                continue;
            for (int q = 0; q < s->importers[i].nindustries && !found; q++)
                found = !strcmp(s->importers[i].industries[q].name, it->str);
        }
        if (!found)
            msl_err(L, MS_D_REF, it, "no selected importer has an industry '%s'", it->str);
        sh->industry_names[sh->nindustry_names++] = strdup(it->str);
    }
}

static const mskey shock_schema[] = {
    MS_POLICY_COMMON_KEYS,
    {.key = "importer", .type = MSN_ANY, .fn = msl_h_mask, .off = offsetof(ms_demand_shock, importers),
         .ref = REF_IMPORTER, .range = R_ANY},
    {.key = "industries", .type = MSN_ANY, .fn = h_shock_industries, .range = R_ANY},
    {.key = "products", .type = MSN_ANY, .fn = msl_h_mask, .off = offsetof(ms_demand_shock, products),
         .ref = REF_PRODUCT, .range = R_ANY},
    {.key = "start", .type = MSN_ANY, .fn = msl_h_dist, .off = offsetof(ms_demand_shock, start),
         .flags = K_REQ | K_DATE, .range = R_ANY},
    {.key = "end", .type = MSN_ANY, .fn = msl_h_dist, .off = offsetof(ms_demand_shock, end), .flags = K_DATE | K_HAS,
         .has_off = offsetof(ms_demand_shock, has_end), .range = R_ANY},
    {.key = "multiplier", .type = MSN_ANY, .fn = msl_h_dist, .off = offsetof(ms_demand_shock, multiplier),
         .flags = K_REQ, .range = R_NONNEG},
    {0},
};

static void parsed_init(msl *L, void *data)
{
    ms_demand_shock *d = data;
    d->importers = msl_mask_all(L->s->nimporters);
    d->products = msl_mask_all(L->s->nproducts);
}

static void parsed_check(msl *L, const msn *map, void *data)
{
    ms_demand_shock *d = data;
    msl_check_end(L, map, &d->start, d->has_end, &d->end);
}

static void parsed_free(void *data)
{
    ms_demand_shock *d = data;
    free(d->importers);
    free(d->products);
    for (int k = 0; k < d->nindustry_names; k++)
        free(d->industry_names[k]);
    free(d->industry_names);
}

static const ms_dist *parsed_start(const void *data)
{
    return &((const ms_demand_shock *)data)->start;
}

static const ms_dist *parsed_end(const void *data)
{
    const ms_demand_shock *d = data;
    return d->has_end ? &d->end : NULL;
}

static void parsed_describe(const ms_scenario *s, const void *data, char *buf, size_t len)
{
    const ms_demand_shock *d = data;
    char a[160];
    msl_mask_names(a, sizeof a, d->importers, s->nimporters, REF_IMPORTER, s);
    snprintf(buf, len, "%s, %s, demand x %.3g", a, d->nindustry_names ? "some industries" : "all industries",
             ms_dist_mean(&d->multiplier));
}

const ms_demand_shock *ms_demand_shock_of(const ms_policy *p)
{
    return p && p->type == &ms_policy_demand_shock ? p->data : NULL;
}

const ms_policy_type ms_policy_demand_shock = {
    .name = "demand_shock",
    .schema = shock_schema,
    .size = sizeof(ms_demand_shock),
    .init = parsed_init,
    .check = parsed_check,
    .free = parsed_free,
    .start = parsed_start,
    .end = parsed_end,
    .describe = parsed_describe,
    .compile = ms_demand_shock_compile,
    .compile_v4 = MS_V4(ms_demand_shock_compile),
};

#endif
