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
#include "../engine_int.h"
#include "../policy.h"
#include "tariff.h"

typedef struct tariff {
    const int *importers;      /* [I] mask */
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
    for (int j = 0; j < q->nsteps; j++)
        ms_policy_ref_touch(e, x, VS(q->from[j]), q->importers);
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
    const ms_tariff *x = cp->pol->data;
    tariff *q = calloc(1, sizeof *q);
    if (!q)
        return -1;
    cp->data = q;
    cp->free_data = tariff_free;
    q->importers = x->importers;
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

/* ---- the scenario file: keys, checks, the timeline (built once) ---------------- */
#ifndef MS_ISA_V4

static const mskey step_schema[] = {
    {.key = "from", .type = MSN_ANY, .fn = msl_h_dist, .off = offsetof(ms_tariff_step, from),
         .flags = K_REQ | K_DATE, .range = R_ANY},
    {.key = "rate", .type = MSN_ANY, .fn = msl_h_dist, .off = offsetof(ms_tariff_step, rate), .flags = K_REQ,
         .range = R_NONNEG},
    {0},
};

static void h_schedule(msl *L, const msn *v, void *base, const mskey *k, const char *path)
{
    ms_tariff *t = base;
    if (v->n == 0) {
        msl_err(L, MS_D_MISSING, v, "schedule: at least one step {from, rate} is needed");
        return;
    }
    if (!msl_count_ok(L, v, MSL_MAX_LIST, "schedule steps"))
        return;
    t->schedule = calloc((size_t)v->n, sizeof *t->schedule);
    if (!t->schedule)
        return;
    char sub[512];
    int allfixed = 1;
    for (int i = 0; i < v->n; i++) {
        ms_tariff_step *st = &t->schedule[t->nsteps++];
        snprintf(sub, sizeof sub, "%s.%d", path, i);
        if (v->vals[i]->type != MSN_MAP) {
            msl_err(L, MS_D_TYPE, v->vals[i], "schedule: each step must be a map {from, rate}, got %s",
                    msn_type_name(v->vals[i]->type));
            allfixed = 0;
            continue;
        }
        msl_apply(L, v->vals[i], step_schema, st, sub);
        if (!ms_dist_is_fixed(&st->from))
            allfixed = 0;
    }
    if (allfixed) /* insertion sort by from: stable */
        for (int i = 1; i < t->nsteps; i++) {
            ms_tariff_step x = t->schedule[i];
            int j = i - 1;
            while (j >= 0 && t->schedule[j].from.p[0] > x.from.p[0]) {
                t->schedule[j + 1] = t->schedule[j];
                j--;
            }
            t->schedule[j + 1] = x;
        }
}

static const mskey tariff_schema[] = {
    MS_POLICY_COMMON_KEYS,
    {.key = "importer", .type = MSN_ANY, .fn = msl_h_mask, .off = offsetof(ms_tariff, importers),
         .ref = REF_IMPORTER, .range = R_ANY},
    {.key = "origin", .type = MSN_ANY, .fn = msl_h_mask, .off = offsetof(ms_tariff, origins), .ref = REF_SUPPLIER,
         .range = R_ANY},
    {.key = "products", .type = MSN_ANY, .fn = msl_h_mask, .off = offsetof(ms_tariff, products), .ref = REF_PRODUCT,
         .range = R_ANY},
    {.key = "schedule", .type = MSN_LIST, .fn = h_schedule, .flags = K_REQ | K_LIST, .sub = step_schema,
         .range = R_ANY},
    {0},
};

static void parsed_init(msl *L, void *data)
{
    ms_tariff *t = data;
    t->importers = msl_mask_all(L->s->nimporters);
    t->origins = msl_mask_all(L->s->nsuppliers);
    t->products = msl_mask_all(L->s->nproducts);
}

static void parsed_free(void *data)
{
    ms_tariff *t = data;
    free(t->importers);
    free(t->origins);
    free(t->products);
    free(t->schedule);
}

static const ms_dist *parsed_start(const void *data)
{
    const ms_tariff *t = data;
    return t->nsteps ? &t->schedule[0].from : NULL;
}

static void parsed_describe(const ms_scenario *s, const void *data, char *buf, size_t len)
{
    const ms_tariff *t = data;
    char a[160], b[160], c[160];
    msl_mask_names(a, sizeof a, t->importers, s->nimporters, REF_IMPORTER, s);
    msl_mask_names(b, sizeof b, t->origins, s->nsuppliers, REF_SUPPLIER, s);
    msl_mask_names(c, sizeof c, t->products, s->nproducts, REF_PRODUCT, s);
    int n = snprintf(buf, len, "%s <- %s, %s:", a, b, c);
    for (int i = 0; i < t->nsteps && n > 0 && (size_t)n < len; i++) {
        char d[40];
        ms_scenario_date_label(s, &t->schedule[i].from, d, sizeof d);
        n += snprintf(buf + n, len - (size_t)n, " %.4g%% from %s", 100 * ms_dist_mean(&t->schedule[i].rate), d);
    }
}

const ms_tariff *ms_tariff_of(const ms_policy *p)
{
    return p && p->type == &ms_policy_tariff ? p->data : NULL;
}

const ms_policy_type ms_policy_tariff = {
    .name = "tariff",
    .schema = tariff_schema,
    .size = sizeof(ms_tariff),
    .init = parsed_init,
    .free = parsed_free,
    .start = parsed_start,
    .describe = parsed_describe,
    .compile = ms_tariff_compile,
    .compile_v4 = MS_V4(ms_tariff_compile),
};

#endif
