/*
 * compile.c - a validated scenario -> the engine's dense tables
 * (ms_engine_alloc, ms_engine_free; see sim/engine_int.h).
 *
 * Compiling does, in order: a slot for every input the model reads (fixed
 * values written once, uncertain ones drawn per path or per month); entity
 * tables (suppliers and their expansions, importers, industry cells sorted
 * into rationing tiers); the flows of each product; each policy through its
 * type's compile function (sim/policy.c), which registers the hooks it acts
 * in; the pipeline length; the inputs by key; the statistic layout
 * (sim/stat.c); and the variance shifts (path 0).  Nothing here runs in the
 * month loop.  Running out of memory returns NULL with a message, never
 * aborts.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "engine_int.h"
#include "policy.h"

/* Allocation that records failure in the engine instead of aborting. */
static void *zalloc(int *oom, size_t n, size_t sz)
{
    void *p = calloc(n ? n : 1, sz ? sz : 1);
    if (!p)
        *oom = 1;
    return p;
}

int ms_engine_add_slot(ms_engine *e, const ms_dist *d)
{
    if (e->nslots == e->cap_slots) {
        int cap = e->cap_slots ? 2 * e->cap_slots : 256;
        const ms_dist **sd = realloc(e->slot_dist, (size_t)cap * sizeof *sd);
        if (!sd)
            return -1;
        e->slot_dist = sd;
        double *sf = realloc(e->slot_fixed, (size_t)cap * sizeof *sf);
        if (!sf)
            return -1;
        e->slot_fixed = sf;
        e->cap_slots = cap;
    }
    e->slot_dist[e->nslots] = d;
    e->slot_fixed[e->nslots] = ms_dist_is_fixed(d) ? ms_dist_min(d) : ms_dist_mean(d);
    return e->nslots++;
}

/* add_slot for the tables below: a failure is remembered, slot 0 stands in. */
static int slot(ms_engine *e, int *oom, const ms_dist *d)
{
    int k = ms_engine_add_slot(e, d);
    if (k < 0) {
        *oom = 1;
        return 0;
    }
    return k;
}

static double dmax_or(const ms_dist *d, double cap)
{
    double m = ms_dist_max(d);
    return isfinite(m) ? m : cap;
}

/* ---- hooks ----------------------------------------------------------------- */

/* Registrations are collected as (hook, key, policy) triples, then turned
 * into the per-hook lists of engine_int.h, keeping scenario order. */
typedef struct hookreg { int h, key, pol; } hookreg;
struct ms_hookregs { hookreg *v; int n, cap; };
typedef struct ms_hookregs hookregs;

int ms_engine_hook(ms_engine *e, ms_cpol *cp, ms_hook h, int i, int p)
{
    hookregs *r = e->regs;
    if (!r)
        return -1;
    if (r->n == r->cap) {
        int cap = r->cap ? 2 * r->cap : 32;
        hookreg *v = realloc(r->v, (size_t)cap * sizeof *v);
        if (!v)
            return -1;
        r->v = v;
        r->cap = cap;
    }
    r->v[r->n++] = (hookreg){h, i < 0 ? 0 : 1 + i * e->P + p, cp->index};
    return 0;
}

static int build_hooks(ms_engine *e, const hookregs *r)
{
    int nkeys = 1 + e->I * e->P;
    for (int h = 0; h < MS_NHOOKS; h++) {
        int *cnt = calloc((size_t)nkeys + 1, sizeof *cnt);
        e->hk0[h] = cnt;
        e->hk_pol[h] = calloc((size_t)(r->n ? r->n : 1), sizeof(int));
        if (!cnt || !e->hk_pol[h])
            return -1;
        for (int k = 0; k < r->n; k++)
            if (r->v[k].h == h)
                cnt[r->v[k].key + 1]++;
        for (int k = 0; k < nkeys; k++)
            cnt[k + 1] += cnt[k];
        int *fill = calloc((size_t)nkeys, sizeof *fill);
        if (!fill)
            return -1;
        for (int k = 0; k < r->n; k++) /* registrations are in scenario order */
            if (r->v[k].h == h) {
                int key = r->v[k].key;
                e->hk_pol[h][cnt[key] + fill[key]++] = r->v[k].pol;
            }
        free(fill);
    }
    return 0;
}

void ms_hooks_run(const ms_engine *e, ms_work *w, ms_hook h, const ms_hook_ctx *x)
{
    int key = x->i < 0 ? 0 : 1 + x->i * e->P + x->p;
    const int *list = e->hk_pol[h];
    for (int k = e->hk0[h][key]; k < e->hk0[h][key + 1]; k++) {
        const ms_cpol *cp = &e->pol[list[k]];
        cp->hook[h](e, w, cp, x);
    }
}

/* ---- entities -------------------------------------------------------------- */

static void compile_suppliers(ms_engine *e, int *oom)
{
    const ms_scenario *sc = e->sc;
    int S = e->S, P = e->P;
    e->s_cap = zalloc(oom, (size_t)S * P, sizeof(int));
    e->s_es = zalloc(oom, (size_t)S * P, sizeof(int));
    e->s_price = zalloc(oom, (size_t)S * P, sizeof(int));
    e->s_has = zalloc(oom, (size_t)S * P, sizeof(int));
    e->s_eta = zalloc(oom, S, sizeof(int));
    e->s_pcap = zalloc(oom, S, sizeof(int));
    e->s_out_h = zalloc(oom, S, sizeof(int));
    e->s_out_dur = zalloc(oom, S, sizeof *e->s_out_dur);
    e->s_out_cut = zalloc(oom, S, sizeof *e->s_out_cut);
    e->s_out_stream = zalloc(oom, S, sizeof(uint32_t));
    e->sp_exp0 = zalloc(oom, (size_t)S * P + 1, sizeof(int));
    for (int s = 0; s < S; s++)
        e->nexp += sc->suppliers[s].nexpansions;
    e->sp_exp = zalloc(oom, e->nexp, sizeof(int));
    e->exp_cap = zalloc(oom, e->nexp, sizeof(int));
    e->exp_start = zalloc(oom, e->nexp, sizeof(int));
    e->exp_ramp = zalloc(oom, e->nexp, sizeof(int));
    if (*oom)
        return;
    for (int s = 0; s < S; s++) {
        const ms_supplier *su = &sc->suppliers[s];
        for (int p = 0; p < P; p++) {
            e->s_cap[s * P + p] = slot(e, oom, &su->capacity_t_per_year[p]);
            e->s_es[s * P + p] = slot(e, oom, &su->export_share[p]);
            e->s_price[s * P + p] = slot(e, oom, &su->price_usd_per_kg[p]);
            e->s_has[s * P + p] = su->has_product[p];
        }
        e->s_eta[s] = slot(e, oom, &su->price_flex);
        e->s_pcap[s] = slot(e, oom, &su->price_cap);
        e->s_out_h[s] = NONE;
        if (su->has_outages) {
            e->s_out_h[s] = slot(e, oom, &su->outages.hazard_per_month);
            e->s_out_dur[s] = &su->outages.duration_months;
            e->s_out_cut[s] = &su->outages.cut;
            e->s_out_stream[s] = su->outages.hazard_per_month.stream ^ 0x9e3779b9u;
        }
    }
    /* expansions in supplier order, slots in the order of the file */
    int x = 0;
    for (int s = 0; s < S; s++) {
        const ms_supplier *su = &sc->suppliers[s];
        for (int k = 0; k < su->nexpansions; k++, x++) {
            e->exp_cap[x] = slot(e, oom, &su->expansions[k].t_per_year);
            e->exp_start[x] = slot(e, oom, &su->expansions[k].start);
            e->exp_ramp[x] = slot(e, oom, &su->expansions[k].ramp_months);
            e->s_has[s * P + su->expansions[k].product] = 1;
        }
    }
    /* the expansions of each (s, p), in file order */
    for (int s = 0; s < S; s++) {
        const ms_supplier *su = &sc->suppliers[s];
        for (int k = 0; k < su->nexpansions; k++)
            e->sp_exp0[s * P + su->expansions[k].product + 1]++;
    }
    for (int k = 0; k < S * P; k++)
        e->sp_exp0[k + 1] += e->sp_exp0[k];
    int *fill = zalloc(oom, (size_t)S * P, sizeof(int));
    if (*oom) {
        free(fill);
        return;
    }
    x = 0;
    for (int s = 0; s < S; s++) {
        const ms_supplier *su = &sc->suppliers[s];
        for (int k = 0; k < su->nexpansions; k++, x++) {
            int sp = s * P + su->expansions[k].product;
            e->sp_exp[e->sp_exp0[sp] + fill[sp]++] = x;
        }
    }
    free(fill);
}

/* Cells of importer i sorted by priority tier (stable; proportional: one
 * tier), and the tiers as ranges of c_order. */
static void compile_tiers(ms_engine *e, int i, int *ntier)
{
    const ms_importer *im = &e->sc->importers[i];
    int c0 = e->cell0[i], n = e->cell0[i + 1] - c0;
    int *o = e->c_order + c0;
    for (int k = 0; k < n; k++)
        o[k] = c0 + k;
    if (im->rationing == MS_RATION_PRIORITY)
        for (int a = 1; a < n; a++)
            for (int b = a; b > 0 && e->c_prio[o[b - 1]] > e->c_prio[o[b]]; b--) {
                int tmp = o[b];
                o[b] = o[b - 1];
                o[b - 1] = tmp;
            }
    e->tier0[i] = *ntier;
    int a = c0;
    while (a < c0 + n) {
        int b = a + 1;
        if (im->rationing == MS_RATION_PROPORTIONAL)
            b = c0 + n;
        else
            while (b < c0 + n && e->c_prio[e->c_order[b]] == e->c_prio[e->c_order[a]])
                b++;
        e->tiers[(*ntier)++] = (ms_tier){a, b};
        a = b;
    }
}

static double compile_importers(ms_engine *e, int *oom)
{
    const ms_scenario *sc = e->sc;
    int S = e->S, I = e->I, P = e->P, C = e->C, T = e->T;
    e->w0 = zalloc(oom, (size_t)I * S * P, sizeof(double));
    e->i_hasp = zalloc(oom, (size_t)I * P, sizeof(int));
    e->i_transit = zalloc(oom, (size_t)I * S, sizeof(int));
    int **isl[7] = {&e->i_q, &e->i_beta, &e->i_delta, &e->i_eps, &e->i_epss, &e->i_smooth, &e->i_pcap};
    for (int k = 0; k < 7; k++)
        *isl[k] = zalloc(oom, I, sizeof(int));
    e->i_epsd = zalloc(oom, I, sizeof(int));
    e->i_season = zalloc(oom, (size_t)I * 12, sizeof(double));
    e->i_hasseason = zalloc(oom, I, sizeof(int));
    e->cell0 = zalloc(oom, (size_t)I + 1, sizeof(int));
    e->tier0 = zalloc(oom, (size_t)I + 1, sizeof(int));
    e->tiers = zalloc(oom, C, sizeof(ms_tier));
    e->c_imp = zalloc(oom, C, sizeof(int));
    e->c_D0 = zalloc(oom, (size_t)C * P, sizeof(int));
    int **csl[9] = {&e->c_g, &e->c_m, &e->c_tau, &e->c_h, &e->c_prio, &e->c_val, &e->c_smax, &e->c_stau, &e->c_strig};
    for (int k = 0; k < 9; k++)
        *csl[k] = zalloc(oom, C, sizeof(int));
    e->c_order = zalloc(oom, C, sizeof(int));
    if (*oom)
        return 0;
    double maxtransit = 0;
    int c = 0, ntier = 0;
    for (int i = 0; i < I; i++) {
        const ms_importer *im = &sc->importers[i];
        e->cell0[i] = c;
        for (int p = 0; p < P; p++) {
            e->i_hasp[i * P + p] = im->has_sourcing[p];
            for (int s = 0; s < S; s++)
                e->w0[(i * S + s) * P + p] = im->sourcing[p * S + s];
        }
        for (int s = 0; s < S; s++) {
            e->i_transit[i * S + s] = slot(e, oom, &im->transit_months[s]);
            double m = dmax_or(&im->transit_months[s], T);
            if (m > maxtransit)
                maxtransit = m;
        }
        e->i_q[i] = slot(e, oom, &im->qualification_months);
        e->i_beta[i] = slot(e, oom, &im->cost_sensitivity);
        e->i_delta[i] = slot(e, oom, &im->diversion);
        e->i_eps[i] = slot(e, oom, &im->demand_elasticity);
        e->i_epss[i] = slot(e, oom, &im->shortage_elasticity);
        e->i_smooth[i] = slot(e, oom, &im->price_smoothing_months);
        e->i_pcap[i] = slot(e, oom, &im->premium_cap);
        e->i_epsd[i] = im->has_destination_elasticity ? slot(e, oom, &im->destination_elasticity) : NONE;
        memcpy(e->i_season + (size_t)i * 12, im->seasonality, sizeof im->seasonality);
        e->i_hasseason[i] = im->has_seasonality;
        for (int k = 0; k < im->nindustries; k++, c++) {
            const ms_industry *in = &im->industries[k];
            e->c_imp[c] = i;
            for (int p = 0; p < P; p++)
                e->c_D0[c * P + p] = (im->has_sourcing[p] || ms_dist_max(&in->demand_t_per_year[p]) > 0)
                                         ? slot(e, oom, &in->demand_t_per_year[p]) : NONE;
            e->c_g[c] = slot(e, oom, &in->growth);
            e->c_m[c] = slot(e, oom, &in->cover_months);
            e->c_tau[c] = slot(e, oom, &in->restore_months);
            e->c_h[c] = slot(e, oom, &in->hoarding);
            e->c_prio[c] = in->priority;
            e->c_val[c] = slot(e, oom, &in->value_usd_per_t);
            e->c_smax[c] = slot(e, oom, &in->sub_max);
            e->c_stau[c] = slot(e, oom, &in->sub_tau);
            e->c_strig[c] = slot(e, oom, &in->sub_trigger);
        }
        e->cell0[i + 1] = c;
        compile_tiers(e, i, &ntier);
    }
    e->tier0[I] = ntier;
    return maxtransit;
}

/* The flows of each product (engine_int.h): importer-major ids, and the
 * supplier-major lists. */
static void compile_flows(ms_engine *e, int *oom)
{
    int S = e->S, I = e->I, P = e->P;
    e->flow_id = zalloc(oom, (size_t)S * I * P, sizeof(int));
    e->fl0 = zalloc(oom, (size_t)P * I + 1, sizeof(int));
    e->fs0 = zalloc(oom, (size_t)P * S + 1, sizeof(int));
    if (*oom)
        return;
    int n = 0;
    for (int p = 0; p < P; p++)
        for (int i = 0; i < I; i++) {
            e->fl0[p * I + i] = n;
            for (int s = 0; s < S; s++) {
                int ok = e->s_has[s * P + p] && e->i_hasp[i * P + p];
                int id = (ok || e->w0[(i * S + s) * P + p] > 0) ? n++ : NONE;
                e->flow_id[(s * I + i) * P + p] = id;
            }
        }
    e->fl0[P * I] = n;
    e->nflows = n;
    e->fl_s = zalloc(oom, n, sizeof(int));
    e->fl_i = zalloc(oom, n, sizeof(int));
    e->fl_p = zalloc(oom, n, sizeof(int));
    e->fl_ok = zalloc(oom, n, sizeof(int));
    e->fs = zalloc(oom, n, sizeof(int));
    if (*oom)
        return;
    int m = 0;
    for (int p = 0; p < P; p++)
        for (int s = 0; s < S; s++) {
            e->fs0[p * S + s] = m;
            for (int i = 0; i < I; i++) {
                int f = e->flow_id[(s * I + i) * P + p];
                if (f == NONE)
                    continue;
                e->fl_s[f] = s;
                e->fl_i[f] = i;
                e->fl_p[f] = p;
                e->fl_ok[f] = e->s_has[s * P + p] && e->i_hasp[i * P + p];
                e->fs[m++] = f;
            }
        }
    e->fs0[P * S] = m;
    e->fc0 = zalloc(oom, n + 1, sizeof(int));
    e->fl_cell = zalloc(oom, n, sizeof(int));
    e->ip_cell = zalloc(oom, (size_t)I * P, sizeof(int));
    e->ip_buy = zalloc(oom, (size_t)I * P, sizeof(int));
    if (*oom)
        return;
    for (int f = 0; f < n; f++)
        e->fc0[f + 1] = e->fc0[f] + e->cell0[e->fl_i[f] + 1] - e->cell0[e->fl_i[f]];
    e->nfc = e->fc0[n];
}

static int compile_policies(ms_engine *e, int *oom, char *err, size_t errlen)
{
    const ms_scenario *sc = e->sc;
    e->npol = sc->npolicies;
    e->pol = zalloc(oom, e->npol, sizeof *e->pol);
    if (*oom)
        return -1;
    hookregs regs = {0};
    e->regs = &regs;
    int rc = 0;
    for (int k = 0; k < e->npol && rc == 0; k++) {
        ms_cpol *cp = &e->pol[k];
        cp->pol = &sc->policies[k];
        cp->index = k;
        rc = ms_policy_compile(e, cp, err, errlen);
        cp->state0 = e->npstate;
        e->npstate += cp->nstate;
    }
    e->regs = NULL;
    if (rc == 0 && build_hooks(e, &regs))
        rc = -1;
    free(regs.v);
    return rc;
}

/* Inputs: the distinct keys (slots without a key are inputs of their own);
 * uncertain slots split into per-path and per-month draws. */
static void compile_inputs(ms_engine *e, int *oom)
{
    e->path_slots = zalloc(oom, e->nslots, sizeof(int));
    e->month_slots = zalloc(oom, e->nslots, sizeof(int));
    e->slot_monthly = zalloc(oom, e->nslots, 1);
    e->input = zalloc(oom, e->nslots, sizeof *e->input);
    e->slot_input = zalloc(oom, e->nslots, sizeof(int));
    if (*oom)
        return;
    for (int k = 0; k < e->nslots; k++) {
        const ms_dist *d = e->slot_dist[k];
        if (d->per_month && !ms_dist_is_fixed(d))
            e->month_slots[e->nmonth_slots++] = k, e->slot_monthly[k] = 1;
        else if (!ms_dist_is_fixed(d))
            e->path_slots[e->npath_slots++] = k;
        int found = -1;
        for (int j = 0; d->key && j < e->ninputs && found < 0; j++)
            if (e->input[j]->key && !strcmp(e->input[j]->key, d->key))
                found = j;
        if (found < 0) {
            found = e->ninputs++;
            e->input[found] = d;
        }
        e->slot_input[k] = found;
    }
}

/* Stream ids must be distinct among uncertain inputs of different keys. */
static int check_streams(const ms_engine *e, char *err, size_t errlen)
{
    for (int a = 0; a < e->nslots; a++) {
        const ms_dist *da = e->slot_dist[a];
        if (ms_dist_is_fixed(da))
            continue;
        for (int b = a + 1; b < e->nslots; b++) {
            const ms_dist *db = e->slot_dist[b];
            if (da == db || ms_dist_is_fixed(db) || da->stream != db->stream)
                continue;
            if (da->key && db->key && strcmp(da->key, db->key) == 0)
                continue;
            snprintf(err, errlen, "inputs '%s' and '%s' share a random stream id; rename one",
                     da->key ? da->key : "?", db->key ? db->key : "?");
            return -1;
        }
    }
    return 0;
}

/* ---- the statistic layout ----------------------------------------------------- */

typedef struct layout { ms_engine *e; int cap; int oom; } layout;

static void push_desc(void *ctx, const ms_stat_desc *d)
{
    layout *L = ctx;
    ms_engine *e = L->e;
    if (L->oom)
        return;
    if (e->nstats == L->cap) {
        int cap = L->cap ? 2 * L->cap : 1024;
        ms_stat_desc *v = realloc(e->desc, (size_t)cap * sizeof *v);
        if (!v) {
            L->oom = 1;
            return;
        }
        e->desc = v;
        L->cap = cap;
    }
    e->desc[e->nstats++] = *d;
}

/* The descriptions (sim/stat.c lays them out) and the index tables the
 * path code writes through. */
static int stats_layout(ms_engine *e)
{
    int S = e->S, I = e->I, P = e->P;
    layout L = {e, 0, 0};
    ms_stat_enumerate(e->sc, e->series_on, push_desc, &L);
    e->nmetrics = 0;
    while (e->nmetrics < e->nstats && !e->desc[e->nmetrics].is_series)
        e->nmetrics++;
    e->nseries = e->nstats - e->nmetrics;
    e->nent = e->C + I + 1;
    e->m_ent0 = 0;
    e->m_price = calloc((size_t)I * P + 1, sizeof(int));
    e->sr_price = calloc((size_t)I * P + 1, sizeof(int));
    e->m_ship = calloc((size_t)S * (I + 1) * P + 1, sizeof(int));
    e->sr_ship = calloc((size_t)S * (I + 1) * P + 1, sizeof(int));
    if (L.oom || !e->m_price || !e->sr_price || !e->m_ship || !e->sr_ship)
        return -1;
    for (int k = 0; k < I * P; k++)
        e->m_price[k] = e->sr_price[k] = NONE;
    for (int k = 0; k < S * (I + 1) * P; k++)
        e->m_ship[k] = e->sr_ship[k] = NONE;
    e->sr_short0 = e->sr_cover0 = NONE;
    for (int n = e->nstats - 1; n >= 0; n--) { /* backwards: each table gets its first index */
        const ms_stat_desc *d = &e->desc[n];
        int ii = d->importer < 0 ? I : d->importer;
        if (!d->is_series && d->what == MS_M_PEAK_PRICE_SHOCK)
            e->m_price[d->importer * P + d->product] = n;
        else if (!d->is_series && d->what == MS_M_SHIPMENTS_T)
            e->m_ship[(d->supplier * (I + 1) + ii) * P + d->product] = n;
        else if (d->is_series && d->what == MS_S_SHIPMENTS)
            e->sr_ship[(d->supplier * (I + 1) + ii) * P + d->product] = n;
        else if (d->is_series && d->what == MS_S_PRICE_INDEX)
            e->sr_price[d->importer * P + d->product] = n;
        else if (d->is_series && d->what == MS_S_SHORTAGE_SHARE)
            e->sr_short0 = n;
        else if (d->is_series && d->what == MS_S_INVENTORY_COVER)
            e->sr_cover0 = n;
    }
    return 0;
}

/* The variance shift of every statistic is its value on path 0: the same for
 * every run, thread and rank, so accumulators merge exactly. */
static int compute_shift(ms_engine *e)
{
    e->shift = calloc((size_t)e->nstats + 1, sizeof(double));
    ms_work *w = ms_work_alloc(e);
    if (!e->shift || !w) {
        ms_work_free(w);
        return -1;
    }
    ms_engine_path(e, w, 0, e->shift, NULL);
    ms_work_free(w);
    return 0;
}

ms_engine *ms_engine_alloc(const ms_scenario *sc, const ms_engine_opts *opts, char *err, size_t errlen)
{
    ms_engine *e = calloc(1, sizeof *e);
    if (!e) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    ms_engine_opts dflt = ms_engine_opts_default(sc);
    if (!opts)
        opts = &dflt;
    int oom = 0;
    e->sc = sc;
    e->seed = opts->seed;
    e->series_on = opts->series;
    e->batch = ms_path_batch_select(NULL);
    e->T = sc->months;
    e->month0 = sc->start_month - 1;
    e->S = sc->nsuppliers;
    e->I = sc->nimporters;
    e->P = sc->nproducts;
    for (int i = 0; i < e->I; i++)
        e->C += sc->importers[i].nindustries;

    compile_suppliers(e, &oom);
    double maxtransit = oom ? 0 : compile_importers(e, &oom);
    if (!oom)
        compile_flows(e, &oom);
    if (oom || compile_policies(e, &oom, err, errlen)) {
        if (oom)
            snprintf(err, errlen, "out of memory");
        ms_engine_free(e);
        return NULL;
    }
    e->lagcap = maxtransit + e->maxdelay;
    if (e->lagcap > e->T)
        e->lagcap = e->T;
    e->H = e->T + (int)ceil(e->lagcap) + 2;
    compile_inputs(e, &oom);
    if (!oom && check_streams(e, err, errlen)) {
        ms_engine_free(e);
        return NULL;
    }
    if (oom || stats_layout(e) || compute_shift(e)) {
        snprintf(err, errlen, "out of memory");
        ms_engine_free(e);
        return NULL;
    }
    return e;
}

void ms_engine_free(ms_engine *e)
{
    if (!e)
        return;
    for (int k = 0; e->pol && k < e->npol; k++)
        if (e->pol[k].free_data)
            e->pol[k].free_data(e->pol[k].data);
    for (int h = 0; h < MS_NHOOKS; h++) {
        free(e->hk0[h]);
        free(e->hk_pol[h]);
    }
    void *ptrs[] = {e->slot_dist, e->slot_fixed, e->path_slots, e->month_slots, e->slot_monthly, e->input, e->slot_input,
                    e->s_cap, e->s_es, e->s_price, e->s_eta, e->s_pcap, e->s_has, e->s_out_h, e->s_out_dur,
                    e->s_out_cut, e->s_out_stream, e->sp_exp0, e->sp_exp, e->exp_cap, e->exp_start, e->exp_ramp,
                    e->w0, e->i_hasp, e->i_transit, e->i_q, e->i_beta, e->i_delta, e->i_eps, e->i_epss,
                    e->i_smooth, e->i_pcap, e->i_epsd, e->i_season, e->i_hasseason, e->cell0, e->tiers, e->tier0, e->c_imp, e->c_D0, e->c_g, e->c_m,
                    e->c_tau, e->c_h, e->c_val, e->c_smax, e->c_stau, e->c_strig, e->c_prio, e->c_order,
                    e->fl0, e->fl_s, e->fl_i, e->fl_p, e->fl_ok, e->fs0, e->fs, e->flow_id, e->fc0, e->fl_cell,
                    e->ip_cell, e->ip_buy, e->pol, e->desc,
                    e->m_price, e->m_ship, e->sr_ship, e->sr_price, e->shift};
    for (size_t k = 0; k < sizeof ptrs / sizeof ptrs[0]; k++)
        free(ptrs[k]);
    free(e);
}
