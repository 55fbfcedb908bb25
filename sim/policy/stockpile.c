/*
 * policy/stockpile.c - a strategic stockpile of a product, held by one
 * importer or pooled by several (docs/model.md, steps 3, 8 and 9).
 *
 * Releases (step 9, MS_HOOK_RELEASE, per member importer): from its start,
 * in a month when the member's fill rate before any release is below the
 * trigger, it releases min(the member's share of the monthly release, stock
 * left, its beneficiaries' shortage of the month), split over the
 * beneficiaries in proportion to their shortage (xrel[cell], Xm[importer]);
 * the release is consumed at once, so it fills gaps and never displaces
 * imports.  Several stockpiles of an importer release in scenario order,
 * each into what the earlier ones left.
 *
 * Buying (purchases while from <= t < until; refill toward stock_t in a
 * month when it is not releasing): step 3 (MS_HOOK_PURCHASE, per member)
 * adds each member's share of the month's request to Nsp[i,p], which joins
 * the import need; step 8 sends the stockpile's share of what the member's
 * flows carry to its arrival pipeline sarr (sim/steps.c); step 9 takes the
 * month's arrivals of every member into the stock before the first
 * member releases.  At most one buying stockpile per importer and product
 * (the loader refuses more), so the pipeline of (i, p) has one owner.
 *
 * Members' shares: the allocation map, or the members' baseline demand of
 * the product (equal shares when there is none).  Per-lane state: the stock
 * left, and each member's fill rate before releases of the last month (for
 * refill).  Its start is a reference for time-to-survive of its members.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../engine_int.h"
#include "../policy.h"
#include "stockpile.h"

enum { ST_LEFT = 0, ST_FILL = 1 }; /* ST_FILL + k: member k's fill rate before releases, last month */

typedef struct stock {
    int p;                     /* product */
    int nm, *mem;              /* members: importers sharing the stock, ascending */
    double *alloc;             /* [nm] members' shares; NULL: by baseline demand */
    int stock, rel, trig, start; /* slots: initial stock t, release t/mo, trigger fill rate, start date */
    int buy, from, until;      /* slots: purchases t/mo, from, until (NONE: no purchases; until NONE: never) */
    int refill;                /* slot: refill t/mo (NONE: no refill) */
    int *ben;                  /* [C] 1 for the beneficiary cells */
    int *imp;                  /* [I] 1 for its members */
} stock;

static void stock_free(void *data)
{
    stock *q = data;
    if (q) {
        free(q->mem);
        free(q->alloc);
        free(q->ben);
        free(q->imp);
    }
    free(q);
}

/* Index of importer i among the members. */
static int member(const stock *q, int i)
{
    int k = 0;
    while (k < q->nm - 1 && q->mem[k] != i)
        k++;
    return k;
}

/* Member k's share of releases, purchases and refill: the allocation, or
 * its part of the members' baseline demand (equal parts when none). */
static vd member_share(const ms_engine *e, ms_work *w, const stock *q, int k)
{
    if (q->alloc)
        return vsplat(q->alloc[k]);
    vd tot = vsplat(0);
    for (int m = 0; m < q->nm; m++)
        tot += VD(AT(w->D0sum, q->mem[m] * e->P + q->p));
    return vsel(tot > 0, VD(AT(w->D0sum, q->mem[k] * e->P + q->p)) / tot, vsplat(1.0 / q->nm));
}

static void hook_path(const ms_engine *e, ms_work *w, const ms_cpol *cp, const ms_hook_ctx *x)
{
    const stock *q = cp->data;
    VD(PSTATE(cp, ST_LEFT)) = VD(VS(q->stock));
    for (int k = 0; q->refill != NONE && k < q->nm; k++)
        VD(PSTATE(cp, ST_FILL + k)) = vsplat(1.0);
}

static void hook_ref(const ms_engine *e, ms_work *w, const ms_cpol *cp, const ms_hook_ctx *x)
{
    const stock *q = cp->data;
    ms_policy_ref_touch(e, x, VS(q->start), q->imp);
}

/* Refill of month t (all members): in a month when it is not releasing
 * (before its start, or every member's fill rate before releases last
 * month at or above the trigger), min(refill, stock_t - stock left - on
 * order), at least 0. */
static vd refill_request(const ms_engine *e, ms_work *w, const ms_cpol *cp, const stock *q, int t)
{
    vd zero = vsplat(0), trig = VD(VS(q->trig));
    vl calm = (vl)(zero == zero);
    for (int k = 0; k < q->nm; k++)
        calm &= VD(PSTATE(cp, ST_FILL + k)) >= trig;
    calm |= vsplat(t) < VD(VS(q->start));
    vd need = VD(VS(q->stock)) - VD(PSTATE(cp, ST_LEFT));
    for (int k = 0; k < q->nm; k++)
        need -= VD(AT(w->Usp, q->mem[k] * e->P + q->p));
    vd r = VD(VS(q->refill));
    r = vsel(r > need, need, r);
    return vsel(calm & (r > 0), r, zero);
}

/* Step 3: member x->i's share of the month's purchases and refill joins its
 * importer's stockpile request Nsp. */
static void hook_purchase(const ms_engine *e, ms_work *w, const ms_cpol *cp, const ms_hook_ctx *x)
{
    const stock *q = cp->data;
    vd zero = vsplat(0), buy = zero, tv = vsplat(x->t);
    if (q->buy != NONE) {
        vl on = tv >= VD(VS(q->from));
        if (q->until != NONE)
            on &= tv < VD(VS(q->until));
        buy = vsel(on, VD(VS(q->buy)), zero);
    }
    if (q->refill != NONE)
        buy += refill_request(e, w, cp, q, x->t);
    if (q->nm > 1)
        buy *= member_share(e, w, q, member(q, x->i));
    VD(AT(w->Nsp, x->i * e->P + q->p)) += buy;
}

/* Step 9, before the first member releases: every member's arrivals of
 * month t into the stock (no longer on order). */
static void take_arrivals(const ms_engine *e, ms_work *w, const ms_cpol *cp, const stock *q, int t)
{
    vd left = VD(PSTATE(cp, ST_LEFT));
    for (int k = 0; k < q->nm; k++) {
        int ip = q->mem[k] * e->P + q->p;
        double *a = AT(w->sarr, (size_t)ip * e->H + t);
        left += VD(a);
        VD(AT(w->Usp, ip)) -= VD(a);
        VD(a) = vsplat(0);
    }
    VD(PSTATE(cp, ST_LEFT)) = left;
}

static void hook_release(const ms_engine *e, ms_work *w, const ms_cpol *cp, const ms_hook_ctx *x)
{
    const stock *q = cp->data;
    int i = x->i, k = member(q, i), c0 = e->cell0[i], c1 = e->cell0[i + 1];
    if ((q->buy != NONE || q->refill != NONE) && k == 0)
        take_arrivals(e, w, cp, q, x->t);
    if (q->refill != NONE)
        VD(PSTATE(cp, ST_FILL + k)) = VD(AT(w->fillp, i * e->P + q->p));
    vd zero = vsplat(0), gap = zero;
    for (int c = c0; c < c1; c++)
        if (q->ben[c])
            gap += VD(AT(w->csh, c)) - VD(AT(w->xrel, c)); /* what earlier releases left */
    vd left = VD(PSTATE(cp, ST_LEFT)), rel = VD(VS(q->rel));
    if (q->nm > 1)
        rel *= member_share(e, w, q, k);
    vl on = (vsplat(x->t) >= VD(VS(q->start))) & (VD(AT(w->fillp, i * e->P + q->p)) < VD(VS(q->trig)));
    rel = vsel(rel > left, left, rel);
    rel = vsel(rel > gap, gap, rel);
    on &= rel > 0;
    if (!vany(on))
        return;
    rel = vsel(on, rel, zero);
    vl all = rel >= gap; /* the whole gap: each beneficiary's exactly, no rounding residue left short */
    for (int c = c0; c < c1; c++)
        if (q->ben[c]) {
            vd xr = VD(AT(w->xrel, c)), sh = VD(AT(w->csh, c));
            VD(AT(w->xrel, c)) = vsel(on, vsel(all, sh, xr + rel * (sh - xr) / gap), xr);
        }
    VD(PSTATE(cp, ST_LEFT)) = left - rel;
    VD(AT(w->Xm, i)) += rel;
}

/* Members, shares and beneficiary cells of the parsed stockpile x. */
static int compile_members(ms_engine *e, stock *q, const ms_stockpile *x)
{
    q->mem = calloc((size_t)e->I, sizeof(int));
    q->ben = calloc((size_t)(e->C ? e->C : 1), sizeof(int));
    q->imp = calloc((size_t)e->I, sizeof(int));
    if (!q->mem || !q->ben || !q->imp)
        return -1;
    int off = 0;
    for (int i = 0; i < e->I; i++) {
        if (!x->members[i])
            continue;
        q->mem[q->nm++] = i;
        q->imp[i] = 1;
        for (int k = 0; k < e->sc->importers[i].nindustries; k++)
            q->ben[e->cell0[i] + k] = x->beneficiaries ? x->beneficiaries[off + k] : 1;
        off += e->sc->importers[i].nindustries;
    }
    if (x->allocation) {
        if (!(q->alloc = calloc((size_t)q->nm, sizeof(double))))
            return -1;
        for (int k = 0; k < q->nm; k++)
            q->alloc[k] = x->allocation[q->mem[k]];
    }
    return 0;
}

/* Purchases and refill: slots, and the importer x product pairs it buys
 * through (one buying stockpile each). */
static int compile_buying(ms_engine *e, stock *q, const ms_stockpile *x, const ms_cpol *cp, char *err,
                          size_t errlen)
{
    q->buy = q->from = q->until = q->refill = NONE;
    if (x->has_purchase &&
        ((q->buy = ms_engine_add_slot(e, &x->purchase.t_per_month)) < 0 ||
         (q->from = ms_engine_add_slot(e, &x->purchase.from)) < 0 ||
         (x->purchase.has_until && (q->until = ms_engine_add_slot(e, &x->purchase.until)) < 0)))
        return -1;
    if (x->has_refill && (q->refill = ms_engine_add_slot(e, &x->refill_t_per_month)) < 0)
        return -1;
    if (q->buy == NONE && q->refill == NONE)
        return 0;
    for (int k = 0; k < q->nm; k++) {
        int ip = q->mem[k] * e->P + q->p;
        if (e->ip_buy[ip]) { /* the loader refuses this */
            snprintf(err, errlen, "policy %s: importer %s already has a stockpile buying %s", cp->pol->name,
                     e->sc->importers[q->mem[k]].name, e->sc->products[q->p].name);
            return -1;
        }
        e->ip_buy[ip] = 1;
        e->has_buy = 1;
    }
    return 0;
}

int ms_stockpile_compile(ms_engine *e, ms_cpol *cp, char *err, size_t errlen)
{
    const ms_stockpile *x = cp->pol->data;
    stock *q = calloc(1, sizeof *q);
    if (!q)
        return -1;
    cp->data = q;
    cp->free_data = stock_free;
    q->p = x->product;
    if (compile_members(e, q, x))
        return -1;
    if ((q->stock = ms_engine_add_slot(e, &x->stock_t)) < 0 ||
        (q->rel = ms_engine_add_slot(e, &x->release_t_per_month)) < 0 ||
        (q->trig = ms_engine_add_slot(e, &x->trigger)) < 0 || (q->start = ms_engine_add_slot(e, &x->start)) < 0)
        return -1;
    if (compile_buying(e, q, x, cp, err, errlen))
        return -1;
    cp->nstate = 1 + (q->refill != NONE ? q->nm : 0);
    cp->hook[MS_HOOK_PATH_START] = hook_path;
    cp->hook[MS_HOOK_REF_START] = hook_ref;
    cp->hook[MS_HOOK_RELEASE] = hook_release;
    cp->hook[MS_HOOK_PURCHASE] = hook_purchase;
    if (ms_engine_hook(e, cp, MS_HOOK_PATH_START, -1, -1) || ms_engine_hook(e, cp, MS_HOOK_REF_START, -1, -1))
        return -1;
    for (int k = 0; k < q->nm; k++)
        if (ms_engine_hook(e, cp, MS_HOOK_RELEASE, q->mem[k], q->p) ||
            ((q->buy != NONE || q->refill != NONE) && ms_engine_hook(e, cp, MS_HOOK_PURCHASE, q->mem[k], q->p)))
            return -1;
    return 0;
}

/* ---- the scenario file: keys, checks, the timeline (built once) ---------------- */
#ifndef MS_ISA_V4

/* importer: one importer, or a list of them sharing the stock (a pooled
 * reserve).  importer is the first member, -1 when a name did not resolve
 * (reported; the keys that depend on the members are then skipped). */
static void h_importer(msl *L, const msn *v, void *base, const mskey *k, const char *path)
{
    ms_stockpile *sp = base;
    int n = L->s->nimporters, bad = 0;
    free(sp->members);
    sp->members = calloc((size_t)(n ? n : 1), sizeof *sp->members);
    sp->importer = -1;
    sp->nmembers = 0;
    if (!sp->members)
        return;
    if (v->type != MSN_LIST) {
        int i = msl_resolve(L, REF_IMPORTER, v);
        if (i >= 0) {
            sp->members[i] = 1;
            sp->importer = i;
            sp->nmembers = 1;
        }
        return;
    }
    if (v->n == 0) {
        msl_err(L, MS_D_MISSING, v, "importer: an empty list: expected an importer name or a list of them");
        return;
    }
    for (int j = 0; j < v->n; j++) {
        int i = msl_resolve(L, REF_IMPORTER, v->vals[j]);
        if (i < 0) {
            bad = 1;
            continue;
        }
        if (sp->members[i])
            msl_err(L, MS_D_VALUE, v->vals[j], "importer: '%s' is listed twice", v->vals[j]->str);
        sp->members[i] = 1;
    }
    for (int i = 0; i < n; i++)
        if (sp->members[i]) {
            if (sp->importer < 0)
                sp->importer = i;
            sp->nmembers++;
        }
    if (bad)
        sp->importer = -1;
}

/* Industries of the members, member by member in importer order. */
static int member_industries(const ms_scenario *s, const ms_stockpile *sp, const char **names)
{
    int n = 0;
    for (int i = 0; i < s->nimporters; i++)
        if (sp->members[i])
            for (int k = 0; k < s->importers[i].nindustries; k++) {
                if (names)
                    names[n] = s->importers[i].industries[k].name;
                n++;
            }
    return n;
}

/* The members' names, "usa, japan" ("?" before they are resolved). */
static void member_names(char *buf, size_t len, const ms_scenario *s, const int *members)
{
    snprintf(buf, len, "?");
    for (int i = 0, n = 0; members && i < s->nimporters; i++)
        if (members[i]) {
            size_t l = n++ ? strlen(buf) : 0;
            snprintf(buf + l, len - l, "%s%s", l ? ", " : "", s->importers[i].name);
        }
}

/* An unknown beneficiary: located, with the closest industry of a member. */
static void unknown_beneficiary(msl *L, const ms_stockpile *sp, const msn *it, const char **names, int n)
{
    char who[256];
    member_names(who, sizeof who, L->s, sp->members);
    const char *sug = msl_suggest(it->str, names, n);
    char what[320];
    if (sp->nmembers > 1)
        snprintf(what, sizeof what, "no member of the pool (%s) has an industry '%s'", who, it->str);
    else
        snprintf(what, sizeof what, "importer %s has no industry '%s'", who, it->str);
    if (sug)
        msl_err(L, MS_D_REF, it, "%s (did you mean '%s'?)", what, sug);
    else
        msl_err(L, MS_D_REF, it, "%s", what);
}

/* beneficiaries: all, or industry names of the members (a name marks that
 * industry in every member that has it). */
static void h_beneficiaries(msl *L, const msn *v, void *base, const mskey *k, const char *path)
{
    ms_stockpile *sp = base;
    if (sp->importer < 0)
        return; /* reported */
    int n = member_industries(L->s, sp, NULL);
    const char **names = malloc((size_t)(n + 1) * sizeof *names);
    free(sp->beneficiaries);
    sp->beneficiaries = calloc((size_t)(n ? n : 1), sizeof *sp->beneficiaries);
    if (!sp->beneficiaries || !names) {
        free(names);
        return;
    }
    member_industries(L->s, sp, names);
    if (v->type == MSN_SCALAR && !strcmp(v->str, "all")) {
        for (int i = 0; i < n; i++)
            sp->beneficiaries[i] = 1;
    } else if (v->type != MSN_LIST) {
        msl_err(L, MS_D_TYPE, v, "beneficiaries: expected 'all' or a list of industry names, got %s",
                msn_type_name(v->type));
    } else {
        for (int j = 0; j < v->n; j++) {
            const msn *it = v->vals[j];
            if (it->type != MSN_SCALAR) {
                msl_err(L, MS_D_TYPE, it, "expected an industry name, got %s", msn_type_name(it->type));
                continue;
            }
            int found = 0;
            for (int i = 0; i < n; i++)
                if (!strcmp(names[i], it->str))
                    sp->beneficiaries[i] = found = 1;
            if (!found)
                unknown_beneficiary(L, sp, it, names, n);
        }
    }
    free(names);
}

/* allocation: `demand` (the default), or a map member -> share (plain
 * numbers in [0, 1] summing to 1; a member not listed gets 0). */
static void h_allocation(msl *L, const msn *v, void *base, const mskey *k, const char *path)
{
    ms_stockpile *sp = base;
    if (v->type == MSN_SCALAR && !strcmp(v->str, "demand"))
        return;
    if (v->type != MSN_MAP) {
        if (v->type == MSN_SCALAR)
            msl_err(L, MS_D_VALUE, v, "allocation: '%s' is neither 'demand' nor a map of member importers to shares",
                    v->str);
        else
            msl_err(L, MS_D_TYPE, v, "allocation: expected 'demand' or a map of member importers to shares, got %s",
                    msn_type_name(v->type));
        return;
    }
    if (sp->importer < 0)
        return; /* reported */
    free(sp->allocation);
    sp->allocation = calloc((size_t)L->s->nimporters, sizeof *sp->allocation);
    if (!sp->allocation)
        return;
    double sum = 0;
    int ok = 1;
    for (int j = 0; j < v->n; j++) {
        int i = msl_resolve(L, REF_IMPORTER, v->keys[j]);
        double x;
        if (i >= 0 && !sp->members[i]) {
            msl_err(L, MS_D_REF, v->keys[j], "allocation: importer '%s' is not a member of this stockpile",
                    v->keys[j]->str);
            i = -1;
        }
        if (msl_number(L, v->vals[j], &x)) {
            ok = 0;
            continue;
        }
        if (!(x >= 0 && x <= 1)) {
            msl_err(L, MS_D_RANGE, v->vals[j], "allocation.%s: %g is out of range: expected a share in [0, 1]",
                    v->keys[j]->str, x);
            ok = 0;
            continue;
        }
        if (i < 0) {
            ok = 0;
            continue;
        }
        sp->allocation[i] = x;
        sum += x;
    }
    if (ok && fabs(sum - 1) > 1e-6)
        msl_err(L, MS_D_SUM, v, "allocation: shares sum to %.9g, not 1", sum);
}

static const mskey purchase_schema[] = {
    {.key = "t_per_month", .type = MSN_ANY, .fn = msl_h_dist, .off = offsetof(ms_stockpile_purchase, t_per_month),
         .flags = K_REQ, .range = R_NONNEG},
    {.key = "from", .type = MSN_ANY, .fn = msl_h_dist, .off = offsetof(ms_stockpile_purchase, from),
         .flags = K_REQ | K_DATE, .range = R_ANY},
    {.key = "until", .type = MSN_ANY, .fn = msl_h_dist, .off = offsetof(ms_stockpile_purchase, until),
         .flags = K_DATE | K_HAS, .has_off = offsetof(ms_stockpile_purchase, has_until), .range = R_ANY},
    {0},
};

static const mskey stockpile_schema[] = {
    MS_POLICY_COMMON_KEYS,
    {.key = "importer", .type = MSN_ANY, .fn = h_importer, .flags = K_REQ, .range = R_ANY},
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
    {.key = "purchase", .type = MSN_MAP, .fn = msl_h_nest, .off = offsetof(ms_stockpile, purchase),
         .flags = K_NEST | K_HAS, .has_off = offsetof(ms_stockpile, has_purchase), .sub = purchase_schema,
         .range = R_ANY},
    {.key = "refill_t_per_month", .type = MSN_ANY, .fn = msl_h_dist, .off = offsetof(ms_stockpile, refill_t_per_month),
         .flags = K_HAS, .has_off = offsetof(ms_stockpile, has_refill), .range = R_NONNEG},
    {.key = "allocation", .type = MSN_ANY, .fn = h_allocation, .range = R_ANY},
    {0},
};

static void parsed_init(msl *L, void *data)
{
    ms_stockpile *k = data;
    k->importer = k->product = -1;
}

/* An earlier stockpile that buys product p through one of sp's members, or
 * NULL: the arrival pipeline of an importer and product has one owner. */
static const ms_policy *buying_rival(const ms_scenario *s, const ms_stockpile *sp)
{
    for (int j = 0; j < s->npolicies; j++) {
        const ms_stockpile *o = ms_stockpile_of(&s->policies[j]);
        if (o == sp)
            return NULL; /* the policies after it are not parsed yet */
        if (!o || !o->members || o->product != sp->product || !(o->has_purchase || o->has_refill))
            continue;
        for (int i = 0; i < s->nimporters; i++)
            if (o->members[i] && sp->members[i])
                return &s->policies[j];
    }
    return NULL;
}

/* Beneficiaries default to every industry of the members; purchases must
 * be able to begin before they end; one buying stockpile per importer and
 * product. */
static void parsed_check(msl *L, const msn *map, void *data)
{
    ms_stockpile *k = data;
    if (!k->beneficiaries && k->importer >= 0)
        k->beneficiaries = msl_mask_all(member_industries(L->s, k, NULL));
    const msn *pm = msn_get(map, "purchase");
    if (k->has_purchase && k->purchase.has_until && k->purchase.from.key && k->purchase.until.key &&
        ms_dist_max(&k->purchase.until) <= ms_dist_min(&k->purchase.from))
        msl_err(L, MS_D_RANGE, msn_get(pm, "until"), "purchase.until is never after purchase.from: it would never buy");
    if (k->importer < 0 || k->product < 0 || !(k->has_purchase || k->has_refill))
        return;
    const ms_policy *o = buying_rival(L->s, k);
    if (!o)
        return;
    const ms_stockpile *r = o->data;
    int i = 0;
    while (!(r->members[i] && k->members[i]))
        i++;
    msl_err(L, MS_D_VALUE, pm ? msn_key(map, "purchase") : msn_key(map, "refill_t_per_month"),
            "importer %s already has a stockpile buying %s (policy %s, line %d): at most one stockpile may "
            "purchase or refill per importer and product",
            L->s->importers[i].name, L->s->products[k->product].name, o->name, o->line);
}

static void parsed_free(void *data)
{
    ms_stockpile *k = data;
    free(k->members);
    free(k->beneficiaries);
    free(k->allocation);
}

static const ms_dist *parsed_start(const void *data)
{
    return &((const ms_stockpile *)data)->start;
}

static void parsed_describe(const ms_scenario *s, const void *data, char *buf, size_t len)
{
    const ms_stockpile *k = data;
    char m[128];
    member_names(m, sizeof m, s, k->members);
    int n = snprintf(buf, len, "%s %s, %.4g t, release <= %.4g t/month below fill %.2g", m,
                     k->product >= 0 ? s->products[k->product].name : "?", ms_dist_mean(&k->stock_t),
                     ms_dist_mean(&k->release_t_per_month), ms_dist_mean(&k->trigger));
    if (k->has_purchase && n > 0 && (size_t)n < len)
        n += snprintf(buf + n, len - (size_t)n, ", buys %.4g t/month", ms_dist_mean(&k->purchase.t_per_month));
    if (k->has_refill && n > 0 && (size_t)n < len)
        snprintf(buf + n, len - (size_t)n, ", refills <= %.4g t/month", ms_dist_mean(&k->refill_t_per_month));
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
