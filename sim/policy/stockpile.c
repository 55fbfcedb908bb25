/*
 * policy/stockpile.c - a strategic stockpile of an importer's product
 * (docs/model.md, step 9).
 *
 * From its start, in a month when the importer's fill rate before any
 * release is below the trigger, it releases min(monthly release, stock
 * left, its beneficiaries' shortage of the month), split over the
 * beneficiaries in proportion to their shortage (MS_HOOK_RELEASE: xrel[cell],
 * Xm[importer]); the release is consumed at once, so it fills gaps and never
 * displaces imports.  Several stockpiles of an importer release in scenario
 * order, each into what the earlier ones left.  Per-lane state: the stock
 * left.  Its start is a reference for time-to-survive of its importer.
 */
#include <stdlib.h>
#include <string.h>
#include "../engine_int.h"
#include "../policy.h"
#include "stockpile.h"

enum { ST_LEFT = 0 };

typedef struct stock {
    int i, p;                  /* importer, product */
    int stock, rel, trig, start; /* slots: initial stock t, release t/mo, trigger fill rate, start date */
    int *ben;                  /* [C] 1 for the beneficiary cells */
    int *imp;                  /* [I] its importer alone */
} stock;

static void stock_free(void *data)
{
    stock *q = data;
    if (q) {
        free(q->ben);
        free(q->imp);
    }
    free(q);
}

static void hook_path(const ms_engine *e, ms_work *w, const ms_cpol *cp, const ms_hook_ctx *x)
{
    const stock *q = cp->data;
    VD(PSTATE(cp, ST_LEFT)) = VD(VS(q->stock));
}

static void hook_ref(const ms_engine *e, ms_work *w, const ms_cpol *cp, const ms_hook_ctx *x)
{
    const stock *q = cp->data;
    ms_policy_ref_touch(e, x, VS(q->start), q->imp);
}

static void hook_release(const ms_engine *e, ms_work *w, const ms_cpol *cp, const ms_hook_ctx *x)
{
    const stock *q = cp->data;
    int c0 = e->cell0[q->i], c1 = e->cell0[q->i + 1];
    vd zero = vsplat(0), gap = zero;
    for (int c = c0; c < c1; c++)
        if (q->ben[c])
            gap += VD(AT(w->csh, c)) - VD(AT(w->xrel, c)); /* what earlier releases left */
    vd left = VD(PSTATE(cp, ST_LEFT)), rel = VD(VS(q->rel));
    vl on = (vsplat(x->t) >= VD(VS(q->start))) & (VD(AT(w->fillp, q->i * e->P + q->p)) < VD(VS(q->trig)));
    rel = vsel(rel > left, left, rel);
    rel = vsel(rel > gap, gap, rel);
    on &= rel > 0;
    if (!vany(on))
        return;
    rel = vsel(on, rel, zero);
    for (int c = c0; c < c1; c++)
        if (q->ben[c])
            VD(AT(w->xrel, c)) += vsel(on, rel * (VD(AT(w->csh, c)) - VD(AT(w->xrel, c))) / gap, zero);
    VD(PSTATE(cp, ST_LEFT)) = left - rel;
    VD(AT(w->Xm, q->i)) += rel;
}

int ms_stockpile_compile(ms_engine *e, ms_cpol *cp, char *err, size_t errlen)
{
    const ms_stockpile *x = cp->pol->data;
    stock *q = calloc(1, sizeof *q);
    if (!q)
        return -1;
    cp->data = q;
    cp->free_data = stock_free;
    q->i = x->importer;
    q->p = x->product;
    q->ben = calloc((size_t)(e->C ? e->C : 1), sizeof(int));
    q->imp = calloc((size_t)e->I, sizeof(int));
    if (!q->ben || !q->imp)
        return -1;
    q->imp[q->i] = 1;
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

/* ---- the scenario file: keys, checks, the timeline (built once) ---------------- */
#ifndef MS_ISA_V4

static void h_beneficiaries(msl *L, const msn *v, void *base, const mskey *k, const char *path)
{
    ms_stockpile *sp = base;
    if (sp->importer < 0)
        return; /* reported */
    ms_importer *im = &L->s->importers[sp->importer];
    int n = im->nindustries;
    free(sp->beneficiaries);
    sp->beneficiaries = calloc((size_t)(n ? n : 1), sizeof *sp->beneficiaries);
    if (!sp->beneficiaries)
        return;
    if (v->type == MSN_SCALAR && !strcmp(v->str, "all")) {
        for (int i = 0; i < n; i++)
            sp->beneficiaries[i] = 1;
        return;
    }
    if (v->type != MSN_LIST) {
        msl_err(L, MS_D_TYPE, v, "beneficiaries: expected 'all' or a list of industry names, got %s",
                msn_type_name(v->type));
        return;
    }
    for (int j = 0; j < v->n; j++) {
        const msn *it = v->vals[j];
        if (it->type != MSN_SCALAR) {
            msl_err(L, MS_D_TYPE, it, "expected an industry name, got %s", msn_type_name(it->type));
            continue;
        }
        int found = -1;
        for (int i = 0; i < n; i++)
            if (!strcmp(im->industries[i].name, it->str))
                found = i;
        if (found < 0) {
            const char **w = malloc((size_t)(n + 1) * sizeof *w);
            const char *sug = NULL;
            if (w) {
                for (int i = 0; i < n; i++)
                    w[i] = im->industries[i].name;
                sug = msl_suggest(it->str, w, n);
            }
            if (sug)
                msl_err(L, MS_D_REF, it, "importer %s has no industry '%s' (did you mean '%s'?)", im->name, it->str,
                        sug);
            else
                msl_err(L, MS_D_REF, it, "importer %s has no industry '%s'", im->name, it->str);
            free(w);
            continue;
        }
        sp->beneficiaries[found] = 1;
    }
}

static const mskey stockpile_schema[] = {
    MS_POLICY_COMMON_KEYS,
    {.key = "importer", .type = MSN_ANY, .fn = msl_h_ref, .off = offsetof(ms_stockpile, importer), .flags = K_REQ,
         .ref = REF_IMPORTER, .range = R_ANY},
    {.key = "product", .type = MSN_ANY, .fn = msl_h_ref, .off = offsetof(ms_stockpile, product), .flags = K_REQ,
         .ref = REF_PRODUCT, .range = R_ANY},
    {.key = "stock_t", .type = MSN_ANY, .fn = msl_h_dist, .off = offsetof(ms_stockpile, stock_t),
         .flags = K_REQ | K_ONCE, .range = R_NONNEG},
    {.key = "release_t_per_month", .type = MSN_ANY, .fn = msl_h_dist,
         .off = offsetof(ms_stockpile, release_t_per_month), .flags = K_REQ, .range = R_NONNEG},
    {.key = "trigger", .type = MSN_ANY, .fn = msl_h_dist, .off = offsetof(ms_stockpile, trigger), .flags = K_DEF,
         .range = R_SHARE, .def = 0.95},
    {.key = "beneficiaries", .type = MSN_ANY, .fn = h_beneficiaries, .range = R_ANY},
    {.key = "start", .type = MSN_ANY, .fn = msl_h_dist, .off = offsetof(ms_stockpile, start),
         .flags = K_DEF | K_DATE, .range = R_ANY},
    {0},
};

static void parsed_init(msl *L, void *data)
{
    ms_stockpile *k = data;
    k->importer = k->product = -1;
}

/* Beneficiaries default to every industry of the importer. */
static void parsed_check(msl *L, const msn *map, void *data)
{
    ms_stockpile *k = data;
    if (!k->beneficiaries && k->importer >= 0)
        k->beneficiaries = msl_mask_all(L->s->importers[k->importer].nindustries);
}

static void parsed_free(void *data)
{
    free(((ms_stockpile *)data)->beneficiaries);
}

static const ms_dist *parsed_start(const void *data)
{
    return &((const ms_stockpile *)data)->start;
}

static void parsed_describe(const ms_scenario *s, const void *data, char *buf, size_t len)
{
    const ms_stockpile *k = data;
    snprintf(buf, len, "%s %s, %.4g t, release <= %.4g t/month below fill %.2g",
             k->importer >= 0 ? s->importers[k->importer].name : "?", k->product >= 0 ? s->products[k->product].name : "?",
             ms_dist_mean(&k->stock_t), ms_dist_mean(&k->release_t_per_month), ms_dist_mean(&k->trigger));
}

const ms_stockpile *ms_stockpile_of(const ms_policy *p)
{
    return p && p->type == &ms_policy_stockpile ? p->data : NULL;
}

const ms_policy_type ms_policy_stockpile = {
    .name = "stockpile",
    .schema = stockpile_schema,
    .size = sizeof(ms_stockpile),
    .init = parsed_init,
    .check = parsed_check,
    .free = parsed_free,
    .start = parsed_start,
    .describe = parsed_describe,
    .compile = ms_stockpile_compile,
    .compile_v4 = MS_V4(ms_stockpile_compile),
};

#endif
