/*
 * engine.c - one Monte Carlo path of the magnet-flow model, and the parallel
 * driver that runs many.
 *
 * Design.  ms_engine_alloc turns the scenario into flat tables: every input
 * (an ms_dist) gets a "slot" in a vector of doubles; fixed inputs are written
 * there once, random ones are drawn at the start of each path (and afresh
 * every month for "per: month" inputs).  Entities become indices: suppliers
 * s < S, importers i < I, products p < P, and industry "cells" c < C (an
 * importer's industries are the consecutive cells cell0[i] .. cell0[i+1]-1).
 * A path then runs T months of the ten steps in docs/model.md over arrays in
 * a per-thread workspace (ms_work): nothing is allocated in the month loop.
 *
 * Pipelines.  Two kinds of future quantities are kept by absolute month, in
 * arrays of H = T + lag cap + 2 months:
 *   arr[i][p][t]    tonnes that will physically arrive at importer i;
 *   claim[c][p][t]  tonnes industry c expects to receive in month t: its
 *                   share of the import orders, scheduled at the arrival
 *                   month of what was granted, and at the requested arrival
 *                   month of what was denied and not made up by diversion.
 * In month t the pool (arrivals + recycling) is rationed against the claims
 * due in t, by priority tier; a claim for goods that never come lapses.  An
 * industry's inventory position is its stock plus its claims not yet due.
 *
 * Invariants (checked by tests, asserted in debug builds):
 *   - mass balance per importer, product and month: arrivals + recycled +
 *     released = consumption + change in stocks;
 *   - sourcing shares of an importer and product sum to 1 (or all are 0 when
 *     no supplier can export);
 *   - with no policy and fixed inputs every month is the initial steady state
 *     scaled by demand growth.
 */
#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <omp.h>
#include <gsl/gsl_randist.h>
#include "magsim/engine.h"
#include "magsim/rng.h"
#include "magsim/result.h"

#define NONE (-1)

/* Numerical guards (docs/model.md, "Numerical guards").  Inputs are finite
 * and at most 1e15 in magnitude (the loader), but products of them over a
 * long horizon are not: growth compounds, demand shocks multiply, a price
 * index can fall toward 0 (pi^eps grows without bound) or jump when the
 * baseline cost is tiny.  These saturation limits are far beyond any
 * meaningful scenario and keep every quantity, and its square in the
 * variance accumulators, finite. */
#define MAX_GROWTH_FACTOR 1e6    /* (1+g)^(t/12) saturates here */
#define MAX_PRICE_RESPONSE 1e6   /* pibar^eps (demand response to a price fall) */
#define MAX_DEMAND_T 1e18        /* monthly demand of an industry and product, t */
#define MAX_PRICE_INDEX 1e9      /* landed cost index pi before the scarcity premium */

/* ---- compiled policies --------------------------------------------------- */
typedef struct ctrl_c {
    int s;                 /* exporter */
    const int *prod;       /* [P] mask */
    const int *dest;       /* [I] mask */
    int mode;              /* ms_control_mode */
    int aff, gl, announce, start, end, lift, reimp, a0, a1, ramp, noise, delay, quota; /* slots (end -1: never) */
    uint32_t stream_regime, stream_noise;
} ctrl_c;

typedef struct tariff_c {
    const int *imp, *orig, *prod;
    int nsteps;
    int *from, *rate;      /* [nsteps] slots */
} tariff_c;

typedef struct recyc_c { int i, p, cap, feed, yield, ramp, start; } recyc_c;
typedef struct stock_c { int i, p, stock, rel, trig, start; int *ben; /* [C] mask */ } stock_c;
typedef struct shock_c { const int *imp; int *cells; /* [C] */ const int *prod; int start, end, mult; } shock_c;
typedef struct expan_c { int s, p, cap, start, ramp; } expan_c;

struct ms_engine {
    const ms_scenario *sc;
    uint64_t seed;               /* run seed */
    /* inputs: distinct keys over the slots */
    int ninputs;
    const ms_dist **input;       /* [ninputs] first slot's dist of each input */
    int *slot_input;             /* [nslots] input of each slot */
    int T, S, I, P, C, H;
    double lagcap;               /* longest lag (transit + delay) kept, months */
    /* slots */
    int nslots, cap_slots;
    const ms_dist **slot_dist;
    double *slot_fixed;          /* value of fixed slots */
    int *path_slots, npath_slots;   /* random, drawn once per path */
    int *month_slots, nmonth_slots; /* drawn every month */
    /* suppliers [S][P] / [S] */
    int *s_cap, *s_es, *s_price, *s_eta, *s_pcap, *s_has; /* [S*P] or [S] */
    int *s_out_h;                /* [S] hazard slot or -1 */
    const ms_dist **s_out_dur, **s_out_cut;
    uint32_t *s_out_stream;
    expan_c *exp; int nexp;
    /* importers */
    double *w0;                  /* [I][S][P] */
    int *i_hasp;                 /* [I][P] importer has sourcing for p */
    int *i_transit;              /* [I][S] slots */
    int *i_q, *i_beta, *i_delta, *i_eps, *i_epss, *i_smooth, *i_pcap; /* [I] slots */
    int *i_ration;               /* [I] */
    int *cell0;                  /* [I+1] */
    /* cells */
    int *c_imp;                  /* [C] */
    int *c_D0;                   /* [C][P] slot or -1 when the cell does not use p */
    int *c_g, *c_m, *c_tau, *c_h, *c_prio, *c_val, *c_smax, *c_stau, *c_strig; /* [C] slots (prio: value) */
    int *c_order;                /* [C] cells of each importer sorted by priority (stable) */
    /* policies */
    ctrl_c *ctrl; int nctrl;
    tariff_c *tar; int ntar;
    recyc_c *rec; int nrec;
    stock_c *stk; int nstk;
    shock_c *shk; int nshk;
    int flow_possible_n;
    int *flow_ok;                /* [S][I][P] 1 when s has p and i sources p */
    /* output layout */
    int nmetrics, nseries, nstats;
    ms_stat_desc *desc;
    int m_ent0;                  /* first entity metric index: entity e has 7 metrics at m_ent0 + 7e */
    int nent;                    /* entities: C cells, then I importer roll-ups, then the total */
    int m_price0;                /* [I][P] 3 metrics each, -1 when i lacks p */
    int *m_price;                /* [I*P] index or -1 */
    int *m_ship;                 /* [S][I+1][P] shipments_t index or -1 (I = all) */
    int *sr_ship;                /* [S][I+1][P] first series index (T consecutive) or -1 */
    int sr_short0;               /* entities x T */
    int *sr_price;               /* [I*P] or -1 */
    int sr_cover0;               /* cells x T */
    int series_on;
    double *shift;               /* [nstats] variance shifts: the statistics of path 0 */
};

/* ---- helpers ------------------------------------------------------------- */
static void *xcalloc(size_t n, size_t sz)
{
    void *p = calloc(n ? n : 1, sz ? sz : 1);
    if (!p) {
        fprintf(stderr, "magsim: out of memory\n");
        abort();
    }
    return p;
}

static int add_slot(ms_engine *e, const ms_dist *d)
{
    if (e->nslots == e->cap_slots) {
        e->cap_slots = e->cap_slots ? 2 * e->cap_slots : 256;
        e->slot_dist = realloc(e->slot_dist, e->cap_slots * sizeof *e->slot_dist);
        e->slot_fixed = realloc(e->slot_fixed, e->cap_slots * sizeof *e->slot_fixed);
        if (!e->slot_dist || !e->slot_fixed) abort();
    }
    e->slot_dist[e->nslots] = d;
    e->slot_fixed[e->nslots] = ms_dist_is_fixed(d) ? ms_dist_min(d) : ms_dist_mean(d);
    return e->nslots++;
}

/* Smooth S-curve ramp from 0 (x <= 0) to 1 (x >= 1): 3x^2 - 2x^3. */
static double ramp(double t, double start, double len)
{
    if (t < start) return 0.0;
    if (len <= 0) return 1.0;
    double x = (t - start) / len;
    if (x >= 1) return 1.0;
    return x * x * (3.0 - 2.0 * x);
}

/* Add volume v arriving after a real lag (months) from month t: split between
 * floor and ceiling months in proportion to the fraction (docs/model.md). */
static inline void schedule(double *a, int H, int t, double lag, double v)
{
    if (v == 0) return;
    if (!(lag > 0)) lag = 0;
    long n = (long)lag;          /* lag >= 0: truncation is floor, without a libm call */
    double f = lag - (double)n;
    long k = t + n;
    if (k >= H) return;
    a[k] += v * (1.0 - f);
    if (f > 0 && k + 1 < H) a[k + 1] += v * f;
}

const char *ms_metric_name(ms_metric m)
{
    static const char *n[] = {"shortage_t", "shortage_share", "peak_shortage_share", "months_short",
                              "time_to_survive", "time_to_recover", "value_at_risk_usd",
                              "peak_price_shock", "mean_price_shock", "final_price_shock", "shipments_t"};
    return (unsigned)m < MS_M_NMETRICS ? n[m] : "?";
}

const char *ms_series_name(ms_series s)
{
    static const char *n[] = {"shipments", "shortage_share", "price_index", "inventory_cover"};
    return (unsigned)s < MS_S_NSERIES ? n[s] : "?";
}

#define ENT_METRICS 7

static void compute_shift(ms_engine *e);

/* ---- compile ------------------------------------------------------------- */
static double dmax_or(const ms_dist *d, double cap)
{
    double m = ms_dist_max(d);
    return isfinite(m) ? m : cap;
}

static void push_desc(ms_engine *e, int *cap, ms_stat_desc d)
{
    if (e->nstats == *cap) {
        *cap = *cap ? 2 * *cap : 1024;
        e->desc = realloc(e->desc, *cap * sizeof *e->desc);
        if (!e->desc) abort();
    }
    e->desc[e->nstats++] = d;
}

static ms_stat_desc mk(int series, int what, int s, int i, int k, int p, int month)
{
    ms_stat_desc d = {series, what, s, i, k, p, month, 0};
    if (!series && what == MS_M_TIME_TO_SURVIVE) d.lower_tail_bad = 1;
    return d;
}

ms_engine *ms_engine_alloc(const ms_scenario *sc, const ms_engine_opts *opts, char *err, size_t errlen)
{
    ms_engine *e = xcalloc(1, sizeof *e);
    ms_engine_opts dflt = ms_engine_opts_default(sc);
    if (!opts)
        opts = &dflt;
    e->sc = sc;
    e->seed = opts->seed;
    int T = e->T = sc->months, S = e->S = sc->nsuppliers, I = e->I = sc->nimporters, P = e->P = sc->nproducts;
    e->series_on = opts->series;
    int C = 0;
    for (int i = 0; i < I; i++) C += sc->importers[i].nindustries;
    e->C = C;

    /* suppliers */
    e->s_cap = xcalloc(S * P, sizeof(int));
    e->s_es = xcalloc(S * P, sizeof(int));
    e->s_price = xcalloc(S * P, sizeof(int));
    e->s_has = xcalloc(S * P, sizeof(int));
    e->s_eta = xcalloc(S, sizeof(int));
    e->s_pcap = xcalloc(S, sizeof(int));
    e->s_out_h = xcalloc(S, sizeof(int));
    e->s_out_dur = xcalloc(S, sizeof(*e->s_out_dur));
    e->s_out_cut = xcalloc(S, sizeof(*e->s_out_cut));
    e->s_out_stream = xcalloc(S, sizeof(uint32_t));
    for (int s = 0; s < S; s++) {
        const ms_supplier *su = &sc->suppliers[s];
        for (int p = 0; p < P; p++) {
            e->s_cap[s * P + p] = add_slot(e, &su->capacity_t_per_year[p]);
            e->s_es[s * P + p] = add_slot(e, &su->export_share[p]);
            e->s_price[s * P + p] = add_slot(e, &su->price_usd_per_kg[p]);
            e->s_has[s * P + p] = su->has_product[p];
        }
        e->s_eta[s] = add_slot(e, &su->price_flex);
        e->s_pcap[s] = add_slot(e, &su->price_cap);
        e->s_out_h[s] = NONE;
        if (su->has_outages) {
            e->s_out_h[s] = add_slot(e, &su->outages.hazard_per_month);
            e->s_out_dur[s] = &su->outages.duration_months;
            e->s_out_cut[s] = &su->outages.cut;
            e->s_out_stream[s] = su->outages.hazard_per_month.stream ^ 0x9e3779b9u;
        }
        for (int x = 0; x < su->nexpansions; x++) e->nexp++;
    }
    e->exp = xcalloc(e->nexp, sizeof *e->exp);
    int ne = 0;
    for (int s = 0; s < S; s++) {
        const ms_supplier *su = &sc->suppliers[s];
        for (int x = 0; x < su->nexpansions; x++) {
            expan_c *xc = &e->exp[ne++];
            xc->s = s;
            xc->p = su->expansions[x].product;
            xc->cap = add_slot(e, &su->expansions[x].t_per_year);
            xc->start = add_slot(e, &su->expansions[x].start);
            xc->ramp = add_slot(e, &su->expansions[x].ramp_months);
            e->s_has[s * P + xc->p] = 1;
        }
    }

    /* importers and cells */
    e->w0 = xcalloc(I * S * P, sizeof(double));
    e->i_hasp = xcalloc(I * P, sizeof(int));
    e->i_transit = xcalloc(I * S, sizeof(int));
    int *isl[7];
    for (int k = 0; k < 7; k++) isl[k] = xcalloc(I, sizeof(int));
    e->i_q = isl[0]; e->i_beta = isl[1]; e->i_delta = isl[2]; e->i_eps = isl[3];
    e->i_epss = isl[4]; e->i_smooth = isl[5]; e->i_pcap = isl[6];
    e->i_ration = xcalloc(I, sizeof(int));
    e->cell0 = xcalloc(I + 1, sizeof(int));
    e->c_imp = xcalloc(C, sizeof(int));
    e->c_D0 = xcalloc(C * P, sizeof(int));
    int **csl[9] = {&e->c_g, &e->c_m, &e->c_tau, &e->c_h, &e->c_prio, &e->c_val, &e->c_smax, &e->c_stau, &e->c_strig};
    for (int k = 0; k < 9; k++) *csl[k] = xcalloc(C, sizeof(int));
    e->c_order = xcalloc(C, sizeof(int));
    double maxtransit = 0;
    int c = 0;
    for (int i = 0; i < I; i++) {
        const ms_importer *im = &sc->importers[i];
        e->cell0[i] = c;
        for (int p = 0; p < P; p++) {
            e->i_hasp[i * P + p] = im->has_sourcing[p];
            for (int s = 0; s < S; s++) e->w0[(i * S + s) * P + p] = im->sourcing[p * S + s];
        }
        for (int s = 0; s < S; s++) {
            e->i_transit[i * S + s] = add_slot(e, &im->transit_months[s]);
            double m = dmax_or(&im->transit_months[s], T);
            if (m > maxtransit) maxtransit = m;
        }
        e->i_q[i] = add_slot(e, &im->qualification_months);
        e->i_beta[i] = add_slot(e, &im->cost_sensitivity);
        e->i_delta[i] = add_slot(e, &im->diversion);
        e->i_eps[i] = add_slot(e, &im->demand_elasticity);
        e->i_epss[i] = add_slot(e, &im->shortage_elasticity);
        e->i_smooth[i] = add_slot(e, &im->price_smoothing_months);
        e->i_pcap[i] = add_slot(e, &im->premium_cap);
        e->i_ration[i] = im->rationing;
        for (int k = 0; k < im->nindustries; k++, c++) {
            const ms_industry *in = &im->industries[k];
            e->c_imp[c] = i;
            for (int p = 0; p < P; p++)
                e->c_D0[c * P + p] = (im->has_sourcing[p] || ms_dist_max(&in->demand_t_per_year[p]) > 0)
                                         ? add_slot(e, &in->demand_t_per_year[p]) : NONE;
            e->c_g[c] = add_slot(e, &in->growth);
            e->c_m[c] = add_slot(e, &in->cover_months);
            e->c_tau[c] = add_slot(e, &in->restore_months);
            e->c_h[c] = add_slot(e, &in->hoarding);
            e->c_prio[c] = in->priority;
            e->c_val[c] = add_slot(e, &in->value_usd_per_t);
            e->c_smax[c] = add_slot(e, &in->sub_max);
            e->c_stau[c] = add_slot(e, &in->sub_tau);
            e->c_strig[c] = add_slot(e, &in->sub_trigger);
        }
        /* cells sorted by priority tier (stable insertion sort; proportional: one tier) */
        int n = c - e->cell0[i];
        int *o = e->c_order + e->cell0[i];
        for (int k = 0; k < n; k++) o[k] = e->cell0[i] + k;
        if (im->rationing == MS_RATION_PRIORITY)
            for (int a = 1; a < n; a++)
                for (int b = a; b > 0 && e->c_prio[o[b - 1]] > e->c_prio[o[b]]; b--) {
                    int tmp = o[b]; o[b] = o[b - 1]; o[b - 1] = tmp;
                }
    }
    e->cell0[I] = c;

    /* policies */
    double maxdelay = 0;
    for (int k = 0; k < sc->npolicies; k++) {
        switch (sc->policies[k].type) {
        case MS_POL_EXPORT_CONTROL: e->nctrl++; break;
        case MS_POL_TARIFF: e->ntar++; break;
        case MS_POL_RECYCLING: e->nrec++; break;
        case MS_POL_STOCKPILE: e->nstk++; break;
        case MS_POL_DEMAND_SHOCK: e->nshk++; break;
        default: break;
        }
    }
    e->ctrl = xcalloc(e->nctrl, sizeof *e->ctrl);
    e->tar = xcalloc(e->ntar, sizeof *e->tar);
    e->rec = xcalloc(e->nrec, sizeof *e->rec);
    e->stk = xcalloc(e->nstk, sizeof *e->stk);
    e->shk = xcalloc(e->nshk, sizeof *e->shk);
    int nc = 0, nt = 0, nr = 0, ns = 0, nh = 0;
    for (int k = 0; k < sc->npolicies; k++) {
        const ms_policy *po = &sc->policies[k];
        switch (po->type) {
        case MS_POL_EXPORT_CONTROL: {
            const ms_export_control *x = &po->u.ctrl;
            ctrl_c *q = &e->ctrl[nc++];
            q->s = x->exporter;
            q->prod = x->products;
            q->dest = x->destinations;
            q->mode = x->mode;
            q->aff = add_slot(e, &x->affected);
            q->gl = add_slot(e, &x->general_license);
            q->announce = add_slot(e, &x->announce);
            q->start = add_slot(e, &x->start);
            q->end = x->has_end ? add_slot(e, &x->end) : NONE;
            q->lift = add_slot(e, &x->lift_hazard);
            q->reimp = add_slot(e, &x->reimpose_hazard);
            q->a0 = add_slot(e, &x->approval);
            q->a1 = x->has_approval_end ? add_slot(e, &x->approval_end) : q->a0;
            q->ramp = add_slot(e, &x->approval_ramp_months);
            q->noise = add_slot(e, &x->approval_noise);
            q->delay = add_slot(e, &x->delay_months);
            q->quota = add_slot(e, &x->quota_t_per_month);
            q->stream_regime = x->start.stream ^ 0x5bd1e995u;
            q->stream_noise = x->approval.stream ^ 0x27d4eb2fu;
            double md = x->mode == MS_CTRL_LICENSE ? dmax_or(&x->delay_months, T) : 0;
            if (md > maxdelay) maxdelay = md;
            break;
        }
        case MS_POL_TARIFF: {
            const ms_tariff *x = &po->u.tariff;
            tariff_c *q = &e->tar[nt++];
            q->imp = x->importers; q->orig = x->origins; q->prod = x->products;
            q->nsteps = x->nsteps;
            q->from = xcalloc(x->nsteps, sizeof(int));
            q->rate = xcalloc(x->nsteps, sizeof(int));
            for (int j = 0; j < x->nsteps; j++) {
                q->from[j] = add_slot(e, &x->schedule[j].from);
                q->rate[j] = add_slot(e, &x->schedule[j].rate);
            }
            break;
        }
        case MS_POL_RECYCLING: {
            const ms_recycling *x = &po->u.recycling;
            recyc_c *q = &e->rec[nr++];
            q->i = x->importer; q->p = x->product;
            q->cap = add_slot(e, &x->capacity_t_per_year);
            q->feed = x->has_feedstock ? add_slot(e, &x->feedstock_t_per_year) : NONE;
            q->yield = add_slot(e, &x->yield);
            q->ramp = add_slot(e, &x->ramp_months);
            q->start = add_slot(e, &x->start);
            break;
        }
        case MS_POL_STOCKPILE: {
            const ms_stockpile *x = &po->u.stockpile;
            stock_c *q = &e->stk[ns++];
            q->i = x->importer; q->p = x->product;
            q->stock = add_slot(e, &x->stock_t);
            q->rel = add_slot(e, &x->release_t_per_month);
            q->trig = add_slot(e, &x->trigger);
            q->start = add_slot(e, &x->start);
            q->ben = xcalloc(C, sizeof(int));
            for (int k2 = 0; k2 < sc->importers[x->importer].nindustries; k2++)
                q->ben[e->cell0[x->importer] + k2] = x->beneficiaries ? x->beneficiaries[k2] : 1;
            break;
        }
        case MS_POL_DEMAND_SHOCK: {
            const ms_demand_shock *x = &po->u.shock;
            shock_c *q = &e->shk[nh++];
            q->imp = x->importers; q->prod = x->products;
            q->cells = xcalloc(C, sizeof(int));
            for (int i = 0; i < I; i++) {
                if (!x->importers[i]) continue;
                const ms_importer *im = &sc->importers[i];
                for (int k2 = 0; k2 < im->nindustries; k2++) {
                    int hit = x->industry_names == NULL;
                    for (int j = 0; !hit && j < x->nindustry_names; j++)
                        hit = strcmp(x->industry_names[j], im->industries[k2].name) == 0;
                    q->cells[e->cell0[i] + k2] = hit;
                }
            }
            q->start = add_slot(e, &x->start);
            q->end = x->has_end ? add_slot(e, &x->end) : NONE;
            q->mult = add_slot(e, &x->multiplier);
            break;
        }
        default: break;
        }
    }
    e->lagcap = maxtransit + maxdelay;
    if (e->lagcap > T) e->lagcap = T;
    e->H = T + (int)ceil(e->lagcap) + 2;

    /* which slots are random */
    e->path_slots = xcalloc(e->nslots, sizeof(int));
    e->month_slots = xcalloc(e->nslots, sizeof(int));
    for (int k = 0; k < e->nslots; k++) {
        const ms_dist *d = e->slot_dist[k];
        if (d->per_month && !ms_dist_is_fixed(d)) e->month_slots[e->nmonth_slots++] = k;
        else if (!ms_dist_is_fixed(d)) e->path_slots[e->npath_slots++] = k;
    }
    /* inputs: the distinct keys (slots without a key are inputs of their own) */
    e->input = xcalloc(e->nslots, sizeof *e->input);
    e->slot_input = xcalloc(e->nslots, sizeof(int));
    for (int k = 0; k < e->nslots; k++) {
        const ms_dist *d = e->slot_dist[k];
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
    /* stream ids must be distinct among random inputs */
    for (int a = 0; a < e->nslots; a++) {
        const ms_dist *da = e->slot_dist[a];
        if (ms_dist_is_fixed(da)) continue;
        for (int b = a + 1; b < e->nslots; b++) {
            const ms_dist *db = e->slot_dist[b];
            if (da == db || ms_dist_is_fixed(db) || da->stream != db->stream) continue;
            if (da->key && db->key && strcmp(da->key, db->key) == 0) continue;
            snprintf(err, errlen, "inputs '%s' and '%s' share a random stream id; rename one",
                     da->key ? da->key : "?", db->key ? db->key : "?");
            ms_engine_free(e);
            return NULL;
        }
    }

    /* flows */
    e->flow_ok = xcalloc(S * I * P, sizeof(int));
    for (int s = 0; s < S; s++)
        for (int i = 0; i < I; i++)
            for (int p = 0; p < P; p++)
                e->flow_ok[(s * I + i) * P + p] = e->s_has[s * P + p] && e->i_hasp[i * P + p];

    /* output layout: metrics */
    int cap = 0;
    e->nent = C + I + 1;
    e->m_ent0 = 0;
    for (int en = 0; en < e->nent; en++) {
        int ii = en < C ? e->c_imp[en] : (en < C + I ? en - C : NONE);
        int kk = en < C ? en - e->cell0[e->c_imp[en]] : NONE;
        for (int m = 0; m < ENT_METRICS; m++) push_desc(e, &cap, mk(0, m, NONE, ii, kk, NONE, NONE));
    }
    e->m_price = xcalloc(I * P, sizeof(int));
    for (int i = 0; i < I; i++)
        for (int p = 0; p < P; p++) {
            e->m_price[i * P + p] = NONE;
            if (!e->i_hasp[i * P + p]) continue;
            e->m_price[i * P + p] = e->nstats;
            for (int m = MS_M_PEAK_PRICE_SHOCK; m <= MS_M_FINAL_PRICE_SHOCK; m++)
                push_desc(e, &cap, mk(0, m, NONE, i, NONE, p, NONE));
        }
    e->m_ship = xcalloc(S * (I + 1) * P, sizeof(int));
    for (int s = 0; s < S; s++)
        for (int p = 0; p < P; p++) {
            int any = 0;
            for (int i = 0; i <= I; i++) {
                int ok = i < I ? e->flow_ok[(s * I + i) * P + p] : any;
                e->m_ship[(s * (I + 1) + i) * P + p] = NONE;
                if (!ok) continue;
                any = 1;
                e->m_ship[(s * (I + 1) + i) * P + p] = e->nstats;
                push_desc(e, &cap, mk(0, MS_M_SHIPMENTS_T, s, i < I ? i : NONE, NONE, p, NONE));
            }
        }
    e->nmetrics = e->nstats;
    /* series */
    e->sr_ship = xcalloc(S * (I + 1) * P, sizeof(int));
    e->sr_price = xcalloc(I * P, sizeof(int));
    for (int k = 0; k < S * (I + 1) * P; k++) e->sr_ship[k] = NONE;
    for (int k = 0; k < I * P; k++) e->sr_price[k] = NONE;
    e->sr_short0 = e->sr_cover0 = NONE;
    if (e->series_on) {
        for (int s = 0; s < S; s++)
            for (int i = 0; i <= I; i++)
                for (int p = 0; p < P; p++) {
                    if (e->m_ship[(s * (I + 1) + i) * P + p] == NONE) continue;
                    e->sr_ship[(s * (I + 1) + i) * P + p] = e->nstats;
                    for (int t = 0; t < T; t++)
                        push_desc(e, &cap, mk(1, MS_S_SHIPMENTS, s, i < I ? i : NONE, NONE, p, t));
                }
        e->sr_short0 = e->nstats;
        for (int en = 0; en < e->nent; en++) {
            int ii = en < C ? e->c_imp[en] : (en < C + I ? en - C : NONE);
            int kk = en < C ? en - e->cell0[e->c_imp[en]] : NONE;
            for (int t = 0; t < T; t++) push_desc(e, &cap, mk(1, MS_S_SHORTAGE_SHARE, NONE, ii, kk, NONE, t));
        }
        for (int i = 0; i < I; i++)
            for (int p = 0; p < P; p++) {
                if (!e->i_hasp[i * P + p]) continue;
                e->sr_price[i * P + p] = e->nstats;
                for (int t = 0; t < T; t++) push_desc(e, &cap, mk(1, MS_S_PRICE_INDEX, NONE, i, NONE, p, t));
            }
        e->sr_cover0 = e->nstats;
        for (int cc = 0; cc < C; cc++)
            for (int t = 0; t < T; t++)
                push_desc(e, &cap, mk(1, MS_S_INVENTORY_COVER, NONE, e->c_imp[cc], cc - e->cell0[e->c_imp[cc]], NONE, t));
    }
    e->nseries = e->nstats - e->nmetrics;
    compute_shift(e);
    return e;
}

void ms_engine_free(ms_engine *e)
{
    if (!e) return;
    for (int k = 0; k < e->ntar; k++) { free(e->tar[k].from); free(e->tar[k].rate); }
    for (int k = 0; k < e->nstk; k++) free(e->stk[k].ben);
    for (int k = 0; k < e->nshk; k++) free(e->shk[k].cells);
    void *ptrs[] = {e->input, e->slot_input, e->slot_dist, e->slot_fixed, e->path_slots, e->month_slots, e->s_cap, e->s_es, e->s_price,
                    e->s_eta, e->s_pcap, e->s_has, e->s_out_h, e->s_out_dur, e->s_out_cut, e->s_out_stream,
                    e->exp, e->w0, e->i_hasp, e->i_transit, e->i_q, e->i_beta, e->i_delta, e->i_eps, e->i_epss,
                    e->i_smooth, e->i_pcap, e->i_ration, e->cell0, e->c_imp, e->c_D0, e->c_g, e->c_m, e->c_tau,
                    e->c_h, e->c_prio, e->c_val, e->c_smax, e->c_stau, e->c_strig, e->c_order, e->ctrl, e->tar,
                    e->rec, e->stk, e->shk, e->flow_ok, e->desc, e->m_price, e->m_ship, e->sr_ship, e->sr_price, e->shift};
    for (size_t k = 0; k < sizeof ptrs / sizeof ptrs[0]; k++) free(ptrs[k]);
    free(e);
}

const ms_scenario *ms_engine_scenario(const ms_engine *e) { return e->sc; }
int ms_engine_nmetrics(const ms_engine *e) { return e->nmetrics; }
int ms_engine_nseries(const ms_engine *e) { return e->nseries; }
const ms_stat_desc *ms_engine_desc(const ms_engine *e, int i) { return &e->desc[i]; }
const double *ms_engine_shift(const ms_engine *e) { return e->shift; }
uint64_t ms_engine_seed(const ms_engine *e) { return e->seed; }
int ms_engine_ninputs(const ms_engine *e) { return e->ninputs; }
const ms_dist *ms_engine_input(const ms_engine *e, int k) { return e->input[k]; }

int ms_engine_find_input(const ms_engine *e, const char *key)
{
    for (int k = 0; key && k < e->ninputs; k++)
        if (e->input[k]->key && !strcmp(e->input[k]->key, key))
            return k;
    return -1;
}

ms_engine_opts ms_engine_opts_default(const ms_scenario *s)
{
    ms_engine_opts o = {.series = 1, .seed = s->seed};
    return o;
}

/* ---- workspace ----------------------------------------------------------- */
#define WORK_ARRAYS(X)                                                                            \
    X(double, v, e->nslots) X(double, cap, S * P) X(double, E, S * P) X(double, rho, S * P)        \
    X(double, rho0, S * P) X(int, out_until, S) X(double, out_cut, S) X(double, w, I * S * P)     \
    X(double, weff, I * S * P) X(double, land0, I * S * P) X(double, cb, I * P)                   \
    X(double, B0, S * I * P) X(double, pibar, I * P) X(double, pi, I * P) X(double, fillp, I * P)  \
    X(double, sub, C) X(double, inv, C * P) X(double, U, C * P) X(double, D, C * P)               \
    X(double, O, C * P) X(double, gf, C) X(double, claim, (size_t)C * P * H)                     \
    X(double, arr, (size_t)I * P * H) X(double, dep, (size_t)S * I * P * T) X(double, stk_left, e->nstk) \
    X(int, ctrl_on, e->nctrl) X(int, ctrl_started, e->nctrl) X(double, ctrl_a, e->nctrl)           \
    X(double, ctrl_used, e->nctrl * (I + 1)) X(int, hoard, I * P) X(double, r, S * I)              \
    X(double, granted, S * I) X(double, unmet, S * I) X(double, dreq, S * I) X(double, g2, S * I)  \
    X(double, imm_sh, S * I) X(double, del_sh, S * I) X(double, delay, S * I) X(double, spare, S)  \
    X(double, reqtot, S) X(double, nc, C) X(double, xb, C) X(double, rc, C) X(double, recv, C)    \
    X(double, claimI, H) X(double, Rm, I) X(double, Xm, I) X(double, e_short, e->nent)              \
    X(double, e_dem, e->nent) X(double, e_peak, e->nent) X(int, e_ms, e->nent)                    \
    X(int, e_first, e->nent) X(int, e_last, e->nent) X(double, m_short_month, e->nent)            \
    X(double, m_dem_month, e->nent) X(double, pk, I * P) X(double, ps, I * P) X(double, pf, I * P) \
    X(double, qfrac, e->nctrl) X(double, gm, C) X(double, tar_now, I * S * P) X(double, cshort, C) X(double, srate, C) X(double, gscale, I * P) X(double, D0sum, I * P)

struct ms_work {
    ms_rng *rng;
    int overridden;              /* 1: the last path set inputs; fixed slots must be restored */
    const ms_input_set *set;     /* the inputs set on the path being run, or NULL */
#define X_FIELD(type, name, count) type *name;
    WORK_ARRAYS(X_FIELD)
#undef X_FIELD
};

size_t ms_work_bytes(const ms_engine *e)
{
    size_t n = sizeof(ms_work);
    int S = e->S, I = e->I, P = e->P, C = e->C, H = e->H, T = e->T;
#define X_BYTES(type, name, count) n += (size_t)(count) * sizeof(type);
    WORK_ARRAYS(X_BYTES)
#undef X_BYTES
    (void)S; (void)I; (void)P; (void)C; (void)H; (void)T;
    return n;
}

ms_work *ms_work_alloc(const ms_engine *e)
{
    ms_work *w = xcalloc(1, sizeof *w);
    int S = e->S, I = e->I, P = e->P, C = e->C, H = e->H, T = e->T;
#define X_ALLOC(type, name, count) w->name = xcalloc((size_t)(count), sizeof(type));
    WORK_ARRAYS(X_ALLOC)
#undef X_ALLOC
    (void)S; (void)I; (void)P; (void)C; (void)H; (void)T;
    w->rng = ms_rng_alloc(e->seed);
    for (int k = 0; k < e->nslots; k++) w->v[k] = e->slot_fixed[k];
    return w;
}

void ms_work_free(ms_work *w)
{
    if (!w) return;
#define X_FREE(type, name, count) free(w->name);
    WORK_ARRAYS(X_FREE)
#undef X_FREE
    ms_rng_free(w->rng);
    free(w);
}

/* ---- trace ------------------------------------------------------------- */
ms_trace *ms_trace_alloc(const ms_engine *e)
{
    ms_trace *t = xcalloc(1, sizeof *t);
    int T = e->T, S = e->S, I = e->I, P = e->P, C = e->C;
    t->T = T; t->S = S; t->I = I; t->P = P; t->C = C;
    size_t tcp = (size_t)T * C * P, tip = (size_t)T * I * P, tsip = (size_t)T * S * I * P, tsp = (size_t)T * S * P;
    t->demand = xcalloc(tcp, sizeof(double)); t->orders = xcalloc(tcp, sizeof(double));
    t->received = xcalloc(tcp, sizeof(double)); t->consumption = xcalloc(tcp, sizeof(double));
    t->shortage = xcalloc(tcp, sizeof(double)); t->inventory = xcalloc(tcp, sizeof(double));
    t->arrivals = xcalloc(tip, sizeof(double)); t->recycled = xcalloc(tip, sizeof(double));
    t->released = xcalloc(tip, sizeof(double)); t->requests = xcalloc(tsip, sizeof(double));
    t->shipments = xcalloc(tsip, sizeof(double)); t->shares = xcalloc(tsip, sizeof(double));
    t->capacity = xcalloc(tsp, sizeof(double)); t->export_cap = xcalloc(tsp, sizeof(double));
    t->supplier_price = xcalloc(tsp, sizeof(double)); t->price_index = xcalloc(tip, sizeof(double));
    t->fill_rate = xcalloc(tip, sizeof(double)); t->substitution = xcalloc((size_t)T * C, sizeof(double));
    t->cell_importer = xcalloc(C, sizeof(int));
    memcpy(t->cell_importer, e->c_imp, C * sizeof(int));
    return t;
}

void ms_trace_free(ms_trace *t)
{
    if (!t) return;
    void *ptrs[] = {t->demand, t->orders, t->received, t->consumption, t->shortage, t->inventory, t->arrivals,
                    t->recycled, t->released, t->requests, t->shipments, t->shares, t->capacity, t->export_cap,
                    t->supplier_price, t->price_index, t->fill_rate, t->substitution, t->cell_importer};
    for (size_t k = 0; k < sizeof ptrs / sizeof ptrs[0]; k++) free(ptrs[k]);
    free(t);
}

/* ---- one path ------------------------------------------------------------ */
#define V(slot) (w->v[(slot)])

/* Tariff rate on (i, s, p) in month t: the sum over tariff policies of the
 * latest schedule step with from <= t (0 before the first).  The month loop
 * reads it from w->tar_now, filled once a month. */
static double tariff_rate(const ms_engine *e, const ms_work *w, int i, int s, int p, double t)
{
    double rate = 0;
    for (int k = 0; k < e->ntar; k++) {
        const tariff_c *q = &e->tar[k];
        if (!q->imp[i] || !q->orig[s] || !q->prod[p]) continue;
        double best_from = -HUGE_VAL, r = 0;
        for (int j = 0; j < q->nsteps; j++) {
            double f = V(q->from[j]);
            if (f <= t && f >= best_from) { best_from = f; r = V(q->rate[j]); }
        }
        rate += r;
    }
    return rate;
}

static double recycled(const ms_engine *e, const ms_work *w, int i, int p, int t)
{
    double R = 0;
    for (int k = 0; k < e->nrec; k++) {
        const recyc_c *q = &e->rec[k];
        if (q->i != i || q->p != p) continue;
        double capm = V(q->cap) / 12.0 * ramp(t, V(q->start), V(q->ramp));
        double feed = q->feed == NONE ? HUGE_VAL : V(q->feed) / 12.0;
        R += V(q->yield) * (capm < feed ? capm : feed);
    }
    return R;
}

static double shock_mult(const ms_engine *e, const ms_work *w, int c, int p, int t)
{
    double m = 1;
    for (int k = 0; k < e->nshk; k++) {
        const shock_c *q = &e->shk[k];
        if (!q->cells[c] || !q->prod[p]) continue;
        if (t >= V(q->start) && (q->end == NONE || t < V(q->end))) m *= V(q->mult);
    }
    return m;
}

/* Export-control pass structure for a request of volume req on flow (s,i,p)
 * in month t: share passing at once (imm), share passing after a delay (del)
 * and that delay.  Licence budgets and quotas are consumed in w->ctrl_used
 * when commit is set. */
/* Quota controls of exporter s on product p: the share of the covered
 * requests (req[s*I + i] over covered destinations) that fits under what is
 * left of the month's quota, the same for every destination (pro rata). */
static void quota_prep(const ms_engine *e, ms_work *w, int s, int p, const double *req)
{
    for (int k = 0; k < e->nctrl; k++) {
        const ctrl_c *q = &e->ctrl[k];
        if (q->s != s || q->mode != MS_CTRL_QUOTA || !q->prod[p] || !w->ctrl_on[k]) continue;
        double cov = V(q->aff) * (1.0 - V(q->gl)), A = 0;
        for (int i = 0; i < e->I; i++)
            if (q->dest[i]) A += req[s * e->I + i] * cov;
        double left = V(q->quota) - w->ctrl_used[k * (e->I + 1) + e->I];
        if (left < 0) left = 0;
        w->qfrac[k] = A > left ? left / A : 1.0;
    }
}

static void pass_flow(const ms_engine *e, ms_work *w, int s, int i, int p, double req, int commit,
                      double *imm, double *del, double *delay)
{
    double f_all = 1, pi_all = 1, dmax = 0;
    for (int k = 0; k < e->nctrl; k++) {
        const ctrl_c *q = &e->ctrl[k];
        if (q->s != s || !q->prod[p] || !q->dest[i] || !w->ctrl_on[k]) continue;
        double cov = V(q->aff) * (1.0 - V(q->gl)); /* controlled share of the flow */
        double f = 1.0 - cov, alpha = 0;
        if (req > 0 && cov > 0) {
            if (q->mode == MS_CTRL_LICENSE) {
                /* pre-control flow this month: the month-0 flow grown with the importer's baseline demand */
                double base = w->B0[(s * e->I + i) * e->P + p] * w->gscale[i * e->P + p];
                double budget = w->ctrl_a[k] * cov * base - w->ctrl_used[k * (e->I + 1) + i];
                if (budget < 0) budget = 0;
                double want = req * cov;
                double ok = want < budget ? want : budget;
                alpha = ok / req;
                if (commit) w->ctrl_used[k * (e->I + 1) + i] += ok;
                if (ok > 0 && V(q->delay) > dmax) dmax = V(q->delay);
            } else if (q->mode == MS_CTRL_QUOTA) {
                /* every covered destination passes the same fraction (quota_prep) */
                double frac = w->qfrac[k];
                alpha = cov * frac;
                if (commit) w->ctrl_used[k * (e->I + 1) + e->I] += req * cov * frac;
            }
        }
        f_all *= f;
        pi_all *= f + alpha;
    }
    *imm = f_all;
    *del = pi_all - f_all;
    if (*del < 1e-15) *del = 0;
    *delay = dmax;
}

/* out[k * stride] receives statistic k (stride 1: a plain vector; MS_BLOCK:
 * a column of the driver's block buffer). */
static int engine_path(const ms_engine *e, ms_work *w, uint64_t path, double *out_, size_t stride, ms_trace *tr);

int ms_engine_path(const ms_engine *e, ms_work *w, uint64_t path, double *out, ms_trace *tr)
{
    w->set = NULL;
    return engine_path(e, w, path, out, 1, tr);
}

int ms_engine_path_with(const ms_engine *e, ms_work *w, uint64_t path, const ms_input_set *set, double *out,
                        ms_trace *tr)
{
    w->set = set;
    int rc = engine_path(e, w, path, out, 1, tr);
    w->set = NULL;
    return rc;
}

/* The value of slot sl for this path (month 0 for inputs drawn once), under
 * the inputs set on the path (w->set) or drawn as usual. */
static double slot_draw(const ms_engine *e, ms_work *w, int sl, uint64_t path, int month)
{
    const ms_dist *d = e->slot_dist[sl];
    if (w->set) {
        const ms_input_set *x = &w->set[e->slot_input[sl]];
        if (x->mode == MS_INPUT_VALUE) {
            double v = x->value, lo = ms_dist_min(d), hi = ms_dist_max(d);
            return v < lo ? lo : (v > hi ? hi : v);
        }
        if (x->mode == MS_INPUT_PATH)
            path = x->path;
    }
    if (ms_dist_is_fixed(d))
        return e->slot_fixed[sl];
    return ms_dist_draw(d, w->rng, path, month);
}

#define OUT(k) out_[(size_t)(k) * stride]

static int engine_path(const ms_engine *e, ms_work *w, uint64_t path, double *out_, size_t stride, ms_trace *tr)
{
    const int T = e->T, S = e->S, I = e->I, P = e->P, C = e->C, H = e->H;
    ms_rng *rng = w->rng;

    /* draw this path's inputs (fixed ones hold their value, unless the last
     * path set them) */
    if (w->overridden) {
        memcpy(w->v, e->slot_fixed, sizeof(double) * (size_t)e->nslots);
        w->overridden = 0;
    }
    if (w->set) {
        for (int sl = 0; sl < e->nslots; sl++)
            V(sl) = slot_draw(e, w, sl, path, 0);
        w->overridden = 1;
    } else {
        for (int k = 0; k < e->npath_slots; k++) {
            int sl = e->path_slots[k];
            V(sl) = ms_dist_draw(e->slot_dist[sl], rng, path, 0);
        }
        for (int k = 0; k < e->nmonth_slots; k++) {
            int sl = e->month_slots[k];
            V(sl) = ms_dist_draw(e->slot_dist[sl], rng, path, 0);
        }
    }

    /* reset state */
    memset(w->claim, 0, sizeof(double) * (size_t)C * P * H);
    memset(w->arr, 0, sizeof(double) * (size_t)I * P * H);
    memset(w->dep, 0, sizeof(double) * (size_t)S * I * P * T);
    memset(w->U, 0, sizeof(double) * C * P);
    memset(w->sub, 0, sizeof(double) * C);
    for (int s = 0; s < S; s++) { w->out_until[s] = 0; w->out_cut[s] = 0; }
    for (int k = 0; k < e->nent; k++) {
        w->e_short[k] = w->e_dem[k] = w->e_peak[k] = 0;
        w->e_ms[k] = 0; w->e_first[k] = -1; w->e_last[k] = -1;
    }
    for (int k = 0; k < I * P; k++) {
        w->pibar[k] = w->pi[k] = w->fillp[k] = 1.0;
        w->pk[k] = -HUGE_VAL; w->ps[k] = 0; w->pf[k] = 0;
    }
    for (int k = 0; k < e->nctrl; k++) { w->ctrl_on[k] = 0; w->ctrl_started[k] = 0; }
    for (int k = 0; k < e->nstk; k++) w->stk_left[k] = V(e->stk[k].stock);
    for (int c = 0; c < C; c++) {
        w->gf[c] = 1.0;
        w->gm[c] = pow(1.0 + V(e->c_g[c]), 1.0 / 12.0); /* (1+g)^(t/12) = gm^t */
        double stau = V(e->c_stau[c]);
        w->srate[c] = stau > 0 ? -expm1(-1.0 / stau) : 1.0; /* share of the gap closed per month */
        w->cshort[c] = 0;
    }

    /* reference start for time-to-survive */
    double ref = HUGE_VAL, ref_any = HUGE_VAL;
    for (int k = 0; k < e->nctrl; k++) if (V(e->ctrl[k].start) < ref) ref = V(e->ctrl[k].start);
    for (int k = 0; k < e->ntar; k++)
        for (int j = 0; j < e->tar[k].nsteps; j++)
            if (V(e->tar[k].from[j]) < ref_any) ref_any = V(e->tar[k].from[j]);
    for (int k = 0; k < e->nrec; k++) if (V(e->rec[k].start) < ref_any) ref_any = V(e->rec[k].start);
    for (int k = 0; k < e->nstk; k++) if (V(e->stk[k].start) < ref_any) ref_any = V(e->stk[k].start);
    for (int k = 0; k < e->nshk; k++) if (V(e->shk[k].start) < ref_any) ref_any = V(e->shk[k].start);
    if (!isfinite(ref)) ref = isfinite(ref_any) ? ref_any : 0.0;
    if (ref < 0) ref = 0;
    if (ref > T) ref = T;

    /* baseline (month 0) */
    for (int s = 0; s < S; s++)
        for (int p = 0; p < P; p++) {
            int sp = s * P + p;
            w->rho0[sp] = w->rho[sp] = V(e->s_price[sp]);
        }
    for (int i = 0; i < I; i++)
        for (int p = 0; p < P; p++) {
            for (int s = 0; s < S; s++) {
                int isp = (i * S + s) * P + p;
                w->land0[isp] = w->rho0[s * P + p] * (1.0 + tariff_rate(e, w, i, s, p, 0));
                w->w[isp] = e->w0[isp];
            }
        }

    /* month-0 capacity, needed for the initial effective shares */
    for (int s = 0; s < S; s++)
        for (int p = 0; p < P; p++) {
            double Cm = V(e->s_cap[s * P + p]) / 12.0;
            for (int x = 0; x < e->nexp; x++)
                if (e->exp[x].s == s && e->exp[x].p == p)
                    Cm += V(e->exp[x].cap) / 12.0 * ramp(0, V(e->exp[x].start), V(e->exp[x].ramp));
            w->E[s * P + p] = V(e->s_es[s * P + p]) * Cm;
        }
    /* steady state: stocks at target, pipelines full of baseline shipments */
    for (int i = 0; i < I; i++)
        for (int p = 0; p < P; p++) {
            double wsum = 0;
            for (int s = 0; s < S; s++) {
                int isp = (i * S + s) * P + p;
                w->weff[isp] = w->E[s * P + p] > 0 ? w->w[isp] : 0;
                wsum += w->weff[isp];
            }
            double cb = 0;
            for (int s = 0; s < S; s++) {
                int isp = (i * S + s) * P + p;
                w->weff[isp] = wsum > 0 ? w->weff[isp] / wsum : 0;
                cb += w->weff[isp] * w->land0[isp];
            }
            /* baseline cost: month-0 effective shares, so a plant not yet built moves nothing */
            w->cb[i * P + p] = cb > 0 ? cb : 1.0;
            double Dsum = 0;
            for (int c = e->cell0[i]; c < e->cell0[i + 1]; c++) {
                int cp = c * P + p;
                double D0 = e->c_D0[cp] == NONE ? 0 : V(e->c_D0[cp]) / 12.0;
                w->inv[cp] = V(e->c_m[c]) * D0;
                Dsum += D0;
            }
            w->D0sum[i * P + p] = Dsum;
            double R0 = recycled(e, w, i, p, 0);
            double N0 = Dsum > R0 ? Dsum - R0 : 0;
            for (int s = 0; s < S; s++) {
                int isp = (i * S + s) * P + p;
                w->B0[(s * I + i) * P + p] = w->weff[isp] * N0; /* month-0 shares: suppliers without capacity yet carry none */
                double L = V(e->i_transit[i * S + s]);
                if (L > e->lagcap) L = e->lagcap;
                double Vm = N0 * w->weff[isp];
                if (Vm <= 0) continue;
                double fl = floor(L), f = L - fl;
                for (int t2 = 0; t2 < (int)fl && t2 < H; t2++) w->arr[(i * P + p) * H + t2] += Vm;
                if ((int)fl < H) w->arr[(i * P + p) * H + (int)fl] += Vm * f;
                for (int c = e->cell0[i]; c < e->cell0[i + 1]; c++) {
                    int cp = c * P + p;
                    double D0 = e->c_D0[cp] == NONE ? 0 : V(e->c_D0[cp]) / 12.0;
                    double share = Dsum > 0 ? D0 / Dsum : 0;
                    for (int t2 = 0; t2 < (int)fl && t2 < H; t2++) w->claim[cp * H + t2] += Vm * share;
                    if ((int)fl < H) w->claim[cp * H + (int)fl] += Vm * share * f;
                    w->U[cp] += Vm * share * L;
                }
            }
        }
    if (tr) {
        double s0 = 0;
        for (int k = 0; k < C * P; k++) s0 += w->inv[k];
        tr->initial_inventory_sum = s0;
    }

    /* ---- the months ---- */
    for (int t = 0; t < T; t++) {
        for (int k = 0; k < e->nmonth_slots; k++) {
            int sl = e->month_slots[k];
            V(sl) = w->set ? slot_draw(e, w, sl, path, t) : ms_dist_draw(e->slot_dist[sl], rng, path, t);
        }
        /* 1. capacity, outages */
        for (int s = 0; s < S; s++) {
            if (e->s_out_h[s] != NONE && t >= w->out_until[s]) {
                ms_rng_key(rng, path, e->s_out_stream[s], (uint32_t)t);
                if (ms_rng_uniform_pos(rng) < V(e->s_out_h[s])) {
                    ms_rng_key(rng, path, e->s_out_dur[s]->stream, (uint32_t)t);
                    double dur = ms_dist_sample(e->s_out_dur[s], rng);
                    ms_rng_key(rng, path, e->s_out_cut[s]->stream, (uint32_t)t);
                    double cut = ms_dist_sample(e->s_out_cut[s], rng);
                    if (dur > 0) {
                        double end = t + ceil(dur);
                        w->out_until[s] = end > T ? T : (int)end;
                        w->out_cut[s] = cut;
                    }
                }
            }
            double factor = t < w->out_until[s] ? 1.0 - w->out_cut[s] : 1.0;
            for (int p = 0; p < P; p++) {
                double Cm = V(e->s_cap[s * P + p]) / 12.0;
                for (int x = 0; x < e->nexp; x++)
                    if (e->exp[x].s == s && e->exp[x].p == p)
                        Cm += V(e->exp[x].cap) / 12.0 * ramp(t, V(e->exp[x].start), V(e->exp[x].ramp));
                w->cap[s * P + p] = Cm * factor;
                w->E[s * P + p] = V(e->s_es[s * P + p]) * Cm * factor;
            }
        }
        /* baseline demand growth of each importer and product (for licence budgets) */
        for (int i = 0; i < I; i++)
            for (int p = 0; p < P; p++) {
                double g = 0;
                for (int c = e->cell0[i]; c < e->cell0[i + 1]; c++)
                    if (e->c_D0[c * P + p] != NONE) g += V(e->c_D0[c * P + p]) / 12.0 * w->gf[c];
                w->gscale[i * P + p] = w->D0sum[i * P + p] > 0 ? g / w->D0sum[i * P + p] : 1.0;
            }
        if (e->ntar)
            for (int i = 0; i < I; i++)
                for (int s = 0; s < S; s++)
                    for (int p = 0; p < P; p++)
                        w->tar_now[(i * S + s) * P + p] = tariff_rate(e, w, i, s, p, t);
        /* export-control regimes */
        memset(w->hoard, 0, sizeof(int) * I * P);
        for (int k = 0; k < e->nctrl; k++) {
            const ctrl_c *q = &e->ctrl[k];
            double st = V(q->start);
            int ended = q->end != NONE && t >= V(q->end);
            if (t < st || ended) {
                w->ctrl_on[k] = 0;
            } else if (!w->ctrl_started[k]) {
                w->ctrl_started[k] = 1;
                w->ctrl_on[k] = 1;
            } else {
                double h = w->ctrl_on[k] ? V(q->lift) : V(q->reimp);
                if (h > 0) {
                    ms_rng_key(rng, path, q->stream_regime, (uint32_t)t);
                    if (ms_rng_uniform_pos(rng) < h) w->ctrl_on[k] = !w->ctrl_on[k];
                }
            }
            if (w->ctrl_on[k] && q->mode == MS_CTRL_LICENSE) {
                double x = V(q->ramp) > 0 ? (t - st) / V(q->ramp) : 1.0;
                if (x > 1) x = 1;
                if (x < 0) x = 0;
                double a = V(q->a0) + (V(q->a1) - V(q->a0)) * x;
                if (V(q->noise) > 0) {
                    ms_rng_key(rng, path, q->stream_noise, (uint32_t)t);
                    a += V(q->noise) * gsl_ran_gaussian_ziggurat(rng->g, 1.0);
                }
                w->ctrl_a[k] = a < 0 ? 0 : (a > 1 ? 1 : a);
            } else {
                w->ctrl_a[k] = 0;
            }
            memset(w->ctrl_used + k * (I + 1), 0, sizeof(double) * (I + 1));
            int announced = t >= V(q->announce) && t < st && !ended;
            if (w->ctrl_on[k] || announced)
                for (int i = 0; i < I; i++)
                    for (int p = 0; p < P; p++)
                        if (q->dest[i] && q->prod[p]) w->hoard[i * P + p] = 1;
        }

        for (int p = 0; p < P; p++) {
            /* 2-5 per importer */
            for (int i = 0; i < I; i++) {
                int ip = i * P + p;
                double Osum = 0;
                double Lbar = 0;
                double pfb = w->pibar[ip] != 1.0 ? pow(w->pibar[ip], V(e->i_eps[i])) : 1.0; /* price feedback */
                if (!(pfb <= MAX_PRICE_RESPONSE)) pfb = MAX_PRICE_RESPONSE; /* pibar -> 0: pow is inf */
                for (int s = 0; s < S; s++)
                    Lbar += w->weff[(i * S + s) * P + p] * V(e->i_transit[i * S + s]);
                for (int c = e->cell0[i]; c < e->cell0[i + 1]; c++) {
                    int cp = c * P + p;
                    if (e->c_D0[cp] == NONE) { w->D[cp] = 0; w->O[cp] = 0; continue; }
                    /* 2. demand */
                    double D = V(e->c_D0[cp]) / 12.0 * w->gf[c];
                    if (e->nshk) D *= shock_mult(e, w, c, p, t);
                    D *= pfb;
                    D *= 1.0 - w->sub[c];
                    if (D > MAX_DEMAND_T) D = MAX_DEMAND_T;
                    w->D[cp] = D;
                    /* 3. orders */
                    double m = V(e->c_m[c]);
                    if (w->hoard[ip]) m *= 1.0 + V(e->c_h[c]);
                    double tau = V(e->c_tau[c]);
                    if (tau < 1) tau = 1;
                    double gap = m * D + D * Lbar - (w->inv[cp] + w->U[cp]);
                    double O = D + gap / tau;
                    w->O[cp] = O > 0 ? O : 0;
                    Osum += w->O[cp];
                }
                /* 4. domestic secondary supply */
                double R = e->nrec ? recycled(e, w, i, p, t) : 0;
                double X = 0;
                for (int c = e->cell0[i]; c < e->cell0[i + 1]; c++) w->xb[c] = 0;
                for (int k = 0; k < e->nstk; k++) {
                    const stock_c *q = &e->stk[k];
                    if (q->i != i || q->p != p || t < V(q->start) || w->fillp[ip] >= V(q->trig)) continue;
                    double bo = 0;
                    for (int c = e->cell0[i]; c < e->cell0[i + 1]; c++)
                        if (q->ben[c]) bo += w->O[c * P + p] - w->xb[c];
                    double x = V(q->rel);
                    if (x > w->stk_left[k]) x = w->stk_left[k];
                    if (x > bo) x = bo;
                    if (x <= 0) continue;
                    for (int c = e->cell0[i]; c < e->cell0[i + 1]; c++)
                        if (q->ben[c] && bo > 0) w->xb[c] += x * (w->O[c * P + p] - w->xb[c]) / bo;
                    w->stk_left[k] -= x;
                    X += x;
                }
                /* orders net of releases, served by recycling pro rata, the rest imported */
                double Orest = Osum - X;
                double Ruse = R < Orest ? R : (Orest > 0 ? Orest : 0);
                double N = 0;
                for (int c = e->cell0[i]; c < e->cell0[i + 1]; c++) {
                    double o = w->O[c * P + p] - w->xb[c];
                    if (o < 0) o = 0;
                    w->rc[c] = Orest > 0 ? Ruse * o / Orest : 0;
                    w->nc[c] = o - w->rc[c];
                    if (w->nc[c] < 0) w->nc[c] = 0;
                    N += w->nc[c];
                }
                w->Rm[i] = R;
                w->Xm[i] = X;
                /* 5. sourcing */
                double beta = V(e->i_beta[i]), q = V(e->i_q[i]);
                if (q < 1) q = 1;
                /* preference u = w0 exp(-beta (ratio - 1)); only the shares u / sum u
                 * matter, so when an exponent is large (a steep cost_sensitivity and
                 * a landed cost far below its baseline) every exponent is shifted by
                 * the largest: exp() would overflow to inf and inf / inf is NaN. */
                double xmax = 0;
                for (int s = 0; s < S; s++) {
                    int isp = (i * S + s) * P + p;
                    if (!(w->E[s * P + p] > 0 && e->w0[isp] > 0)) continue;
                    double land = w->rho[s * P + p] * (1.0 + w->tar_now[isp]);
                    double ratio = w->land0[isp] > 0 ? land / w->land0[isp] : 1.0;
                    double x = -beta * (ratio - 1.0);
                    if (x > xmax) xmax = x;
                }
                double xshift = xmax > 600 ? xmax : 0;
                double usum = 0;
                for (int s = 0; s < S; s++) {
                    int isp = (i * S + s) * P + p;
                    double u = 0;
                    if (w->E[s * P + p] > 0 && e->w0[isp] > 0) {
                        double land = w->rho[s * P + p] * (1.0 + w->tar_now[isp]);
                        double ratio = w->land0[isp] > 0 ? land / w->land0[isp] : 1.0;
                        u = ratio == 1.0 && xshift == 0 ? e->w0[isp]
                                                        : e->w0[isp] * exp(-beta * (ratio - 1.0) - xshift);
                    }
                    w->weff[isp] = u; /* temporarily the preference */
                    usum += u;
                }
                double wsum = 0;
                for (int s = 0; s < S; s++) {
                    int isp = (i * S + s) * P + p;
                    double target = usum > 0 ? w->weff[isp] / usum : 0;
                    w->w[isp] += (target - w->w[isp]) / q;
                    w->weff[isp] = w->E[s * P + p] > 0 ? w->w[isp] : 0;
                    wsum += w->weff[isp];
                }
                for (int s = 0; s < S; s++) {
                    int isp = (i * S + s) * P + p;
                    w->weff[isp] = wsum > 0 ? w->weff[isp] / wsum : 0;
                    w->r[s * I + i] = N * w->weff[isp];
                    w->dreq[s * I + i] = 0;
                    w->g2[s * I + i] = 0;
                }
            }
            /* 6. export controls (quota needs covered totals first) and 7. supplier allocation */
            for (int s = 0; s < S; s++) {
                double Ps = 0;
                if (e->nctrl) quota_prep(e, w, s, p, w->r);
                for (int i = 0; i < I; i++) {
                    int si = s * I + i;
                    double imm = 1, del = 0, dly = 0;
                    if (w->r[si] > 0 && e->nctrl) pass_flow(e, w, s, i, p, w->r[si], 1, &imm, &del, &dly);
                    w->imm_sh[si] = imm;
                    w->del_sh[si] = del;
                    w->delay[si] = dly;
                    Ps += w->r[si] * (imm + del);
                }
                double Es = w->E[s * P + p];
                double frac = Ps > Es ? (Ps > 0 ? Es / Ps : 0) : 1.0;
                double used = 0;
                for (int i = 0; i < I; i++) {
                    int si = s * I + i;
                    w->granted[si] = w->r[si] * (w->imm_sh[si] + w->del_sh[si]) * frac;
                    w->imm_sh[si] *= frac;
                    w->del_sh[si] *= frac;
                    w->unmet[si] = w->r[si] - w->granted[si];
                    if (w->unmet[si] < 0) w->unmet[si] = 0;
                    used += w->granted[si];
                }
                w->spare[s] = Es - used > 0 ? Es - used : 0;
                w->reqtot[s] = Ps;
            }
            /* diversion: one pass */
            for (int i = 0; i < I; i++) {
                double un = 0, sp = 0;
                for (int s = 0; s < S; s++) un += w->unmet[s * I + i];
                double Dv = V(e->i_delta[i]) * un;
                if (Dv <= 0) continue;
                for (int s = 0; s < S; s++)
                    if (w->unmet[s * I + i] <= 0 && e->flow_ok[(s * I + i) * P + p]) sp += w->spare[s];
                if (sp <= 0) continue;
                for (int s = 0; s < S; s++)
                    if (w->unmet[s * I + i] <= 0 && e->flow_ok[(s * I + i) * P + p])
                        w->dreq[s * I + i] = Dv * w->spare[s] / sp;
            }
            for (int s = 0; s < S; s++) {
                double Ps = 0;
                if (e->nctrl) quota_prep(e, w, s, p, w->dreq);
                for (int i = 0; i < I; i++) {
                    int si = s * I + i;
                    if (w->dreq[si] <= 0) { w->g2[si] = 0; continue; }
                    double imm = 1, del = 0, dly = 0;
                    if (e->nctrl) pass_flow(e, w, s, i, p, w->dreq[si], 1, &imm, &del, &dly);
                    /* diverted volume passing a delayed licence shares the flow's delay */
                    if (del > 0 && dly > w->delay[si]) w->delay[si] = dly;
                    w->g2[si] = w->dreq[si] * (imm + del);
                    Ps += w->g2[si];
                    /* remember the delayed part of the diverted grant in unmet's place (restored below) */
                    w->dreq[si] = w->dreq[si] * del; /* delayed diverted volume (pre-capacity) */
                }
                double frac = Ps > w->spare[s] ? (Ps > 0 ? w->spare[s] / Ps : 0) : 1.0;
                for (int i = 0; i < I; i++) {
                    int si = s * I + i;
                    w->g2[si] *= frac;
                    w->dreq[si] *= frac;
                }
                w->reqtot[s] += Ps;
            }
            /* 8. transit, and the claims of this month's orders */
            for (int i = 0; i < I; i++) {
                int ip = i * P + p;
                double N = 0, un = 0, gdiv = 0;
                for (int c = e->cell0[i]; c < e->cell0[i + 1]; c++) N += w->nc[c];
                for (int s = 0; s < S; s++) { un += w->unmet[s * I + i]; gdiv += w->g2[s * I + i]; }
                double made_up = un > 0 ? gdiv / un : 0;
                if (made_up > 1) made_up = 1;
                int lo = H, hi = -1;
                for (int s = 0; s < S; s++) {
                    int si = s * I + i;
                    double L = V(e->i_transit[i * S + s]);
                    double total = w->granted[si] + w->g2[si];
                    if (total <= 0 && w->unmet[si] <= 0) continue;
                    double del = w->r[si] * w->del_sh[si] + w->dreq[si];
                    double imm = total - del;
                    if (imm < 0) imm = 0;
                    double dl = w->delay[si];
                    double *a = w->arr + (size_t)ip * H;
                    schedule(a, H, t, L, imm);
                    schedule(a, H, t, dl + L, del);
                    schedule(w->claimI, H, t, L, imm);
                    schedule(w->claimI, H, t, dl + L, del);
                    /* denied and not made up: claimed at the requested arrival month */
                    schedule(w->claimI, H, t, L, w->unmet[si] * (1.0 - made_up));
                    /* departures */
                    double *dp = w->dep + (size_t)((s * I + i) * P + p) * T;
                    schedule(dp, T, t, 0, imm);
                    schedule(dp, T, t, dl, del);
                    int l0 = t + (int)L, l1 = t + (int)(dl + L) + 1; /* lags >= 0: floor and a bound on ceil */
                    if (l0 < lo) lo = l0;
                    if (l1 > hi) hi = l1;
                }
                if (hi >= H) hi = H - 1;
                /* spread the importer's claims over its industries by import order share */
                for (int c = e->cell0[i]; c < e->cell0[i + 1]; c++) {
                    double phi = N > 0 ? w->nc[c] / N : 0;
                    int cp = c * P + p;
                    if (phi <= 0) continue;
                    for (int k = lo; k <= hi; k++) {
                        double v = w->claimI[k] * phi;
                        w->claim[(size_t)cp * H + k] += v;
                        w->U[cp] += v; /* on order until due (claims due now leave U at allocation) */
                    }
                }
                for (int k = lo; k <= hi && k >= 0; k++) w->claimI[k] = 0;
            }
            /* 9. allocation inside each importer */
            for (int i = 0; i < I; i++) {
                int ip = i * P + p;
                double pool = w->arr[(size_t)ip * H + t] + w->Rm[i];
                int c0 = e->cell0[i], c1 = e->cell0[i + 1];
                for (int c = c0; c < c1; c++) w->recv[c] = 0;
                /* tiers in priority order */
                int a = c0;
                while (a < c1) {
                    int b = a + 1;
                    int tier = e->c_prio[e->c_order[a]];
                    if (e->i_ration[i] == MS_RATION_PROPORTIONAL) b = c1;
                    else while (b < c1 && e->c_prio[e->c_order[b]] == tier) b++;
                    double need = 0;
                    for (int k = a; k < b; k++) {
                        int c = e->c_order[k];
                        need += w->claim[(size_t)(c * P + p) * H + t] + w->rc[c];
                    }
                    double give = need < pool ? need : pool;
                    if (need > 0)
                        for (int k = a; k < b; k++) {
                            int c = e->c_order[k];
                            w->recv[c] += give * (w->claim[(size_t)(c * P + p) * H + t] + w->rc[c]) / need;
                        }
                    pool -= give;
                    a = b;
                }
                if (pool < 0) pool = 0;
                /* leftover to stocks in proportion to demand (equal split when no demand) */
                if (pool > 0) {
                    double Ds = 0;
                    int n = 0;
                    for (int c = c0; c < c1; c++)
                        if (e->c_D0[c * P + p] != NONE) { Ds += w->D[c * P + p]; n++; }
                    for (int c = c0; c < c1; c++)
                        if (e->c_D0[c * P + p] != NONE)
                            w->recv[c] += Ds > 0 ? pool * w->D[c * P + p] / Ds : pool / n;
                }
                double cons_s = 0, dem_s = 0;
                for (int c = c0; c < c1; c++) {
                    int cp = c * P + p;
                    w->recv[c] += w->xb[c];
                    w->U[cp] -= w->claim[(size_t)cp * H + t];
                    if (w->U[cp] < 0) w->U[cp] = 0;
                    double have = w->inv[cp] + w->recv[c];
                    double cons = w->D[cp] < have ? w->D[cp] : have;
                    double sh = w->D[cp] - cons;
                    w->inv[cp] = have - cons;
                    cons_s += cons;
                    dem_s += w->D[cp];
                    /* metrics: entity = cell, importer roll-up, total */
                    int ents[3] = {c, C + i, C + I};
                    w->cshort[c] += sh;
                    for (int q = 0; q < 3; q++) {
                        w->m_short_month[ents[q]] += sh;
                        w->m_dem_month[ents[q]] += w->D[cp];
                    }
                    if (tr) {
                        size_t k = ((size_t)t * C + c) * P + p;
                        tr->demand[k] = w->D[cp]; tr->orders[k] = w->O[cp]; tr->received[k] = w->recv[c];
                        tr->consumption[k] = cons; tr->shortage[k] = sh; tr->inventory[k] = w->inv[cp];
                    }
                }
                w->fillp[ip] = dem_s > 0 ? cons_s / dem_s : 1.0;
                if (tr) {
                    size_t k = ((size_t)t * I + i) * P + p;
                    tr->arrivals[k] = w->arr[(size_t)ip * H + t];
                    tr->recycled[k] = w->Rm[i];
                    tr->released[k] = w->Xm[i];
                    tr->fill_rate[k] = w->fillp[ip];
                }
            }
            /* 10. prices */
            for (int s = 0; s < S; s++) {
                int sp = s * P + p;
                double Es = w->E[sp], x;
                double eta = V(e->s_eta[s]), capm = V(e->s_pcap[s]);
                if (Es > 0) x = w->reqtot[s] / Es;
                else x = w->reqtot[s] > 0 ? HUGE_VAL : 1.0;
                double mult = x > 1 ? pow(x, eta) : 1.0;
                if (mult > capm) mult = capm;
                w->rho[sp] = w->rho0[sp] * mult;
            }
            for (int i = 0; i < I; i++) {
                int ip = i * P + p;
                if (!e->i_hasp[ip]) continue;
                double num = 0, den = 0;
                for (int s = 0; s < S; s++) {
                    int si = s * I + i, isp = (i * S + s) * P + p;
                    double q = w->granted[si] + w->g2[si];
                    if (q <= 0) continue;
                    double land = w->rho[s * P + p] * (1.0 + w->tar_now[isp]);
                    num += q * land;
                    den += q;
                }
                if (den <= 0)
                    for (int s = 0; s < S; s++) {
                        int isp = (i * S + s) * P + p;
                        double q = w->weff[isp] > 0 ? w->weff[isp] : e->w0[isp];
                        if (q <= 0) continue;
                        num += q * w->rho[s * P + p] * (1.0 + w->tar_now[isp]);
                        den += q;
                    }
                double ci = den > 0 && w->cb[ip] > 0 ? (num / den) / w->cb[ip] : 1.0;
                if (!(ci <= MAX_PRICE_INDEX)) ci = MAX_PRICE_INDEX; /* tiny baseline cost: the ratio can overflow */
                double f = w->fillp[ip], prem = 1.0;
                double pc = V(e->i_pcap[i]);
                if (f < 1) {
                    double es = V(e->i_epss[i]);
                    prem = f > 0 && es < 0 ? pow(f, 1.0 / es) : pc;
                    if (prem > pc) prem = pc;
                }
                double pi = ci * prem;
                w->pi[ip] = pi;
                double sm = V(e->i_smooth[i]);
                if (sm < 1) sm = 1;
                w->pibar[ip] += (pi - w->pibar[ip]) / sm;
                double shock = pi - 1.0;
                if (shock > w->pk[ip]) w->pk[ip] = shock;
                w->ps[ip] += shock;
                w->pf[ip] = shock;
                if (e->series_on) OUT(e->sr_price[ip] + t) = pi;
                if (tr) tr->price_index[((size_t)t * I + i) * P + p] = pi;
            }
            if (tr)
                for (int s = 0; s < S; s++) {
                    size_t k = ((size_t)t * S + s) * P + p;
                    tr->capacity[k] = w->cap[s * P + p];
                    tr->export_cap[k] = w->E[s * P + p];
                    tr->supplier_price[k] = w->rho[s * P + p];
                    for (int i = 0; i < I; i++) {
                        size_t k2 = (((size_t)t * S + s) * I + i) * P + p;
                        tr->requests[k2] = w->r[s * I + i];
                        tr->shares[(((size_t)t * I + i) * S + s) * P + p] = w->weff[(i * S + s) * P + p];
                    }
                }
        } /* products */

        /* monthly roll-ups, series, substitution, growth */
        double thr = e->sc->shortage_threshold;
        for (int en = 0; en < e->nent; en++) {
            double sh = w->m_short_month[en], dm = w->m_dem_month[en];
            double share = dm > 0 ? sh / dm : 0;
            w->e_short[en] += sh;
            w->e_dem[en] += dm;
            if (share > w->e_peak[en]) w->e_peak[en] = share;
            if (share > thr) {
                w->e_ms[en]++;
                if (w->e_first[en] < 0) w->e_first[en] = t;
                w->e_last[en] = t;
            }
            if (e->series_on) OUT(e->sr_short0 + en * T + t) = share;
            w->m_short_month[en] = 0;
            w->m_dem_month[en] = 0;
        }
        for (int c = 0; c < C; c++) {
            double Ds = 0, Is = 0, trig = 0;
            for (int p = 0; p < P; p++) {
                if (e->c_D0[c * P + p] == NONE) continue;
                Ds += w->D[c * P + p];
                Is += w->inv[c * P + p];
                if (w->pibar[e->c_imp[c] * P + p] > V(e->c_strig[c])) trig = 1;
            }
            if (e->series_on) OUT(e->sr_cover0 + c * T + t) = Ds > 0 ? Is / Ds : 0;
            /* sticky substitution toward its ceiling while prices are high or the industry was short */
            double smax = V(e->c_smax[c]);
            int was_short = w->cshort[c] > 0;
            if (smax > w->sub[c] && (trig || was_short)) {
                w->sub[c] += (smax - w->sub[c]) * w->srate[c];
            }
            if (tr) tr->substitution[(size_t)t * C + c] = w->sub[c];
            w->gf[c] *= w->gm[c];
            if (w->gf[c] > MAX_GROWTH_FACTOR) w->gf[c] = MAX_GROWTH_FACTOR;
            w->cshort[c] = 0;
        }
    }

    /* ---- per-path metrics ---- */
    for (int en = 0; en < e->nent; en++) {
        size_t o0 = (size_t)e->m_ent0 + (size_t)en * ENT_METRICS;
#define O_(m) OUT(o0 + (m))
        double val = 0;
        if (en < C) val = V(e->c_val[en]);
        O_(MS_M_SHORTAGE_T) = w->e_short[en];
        O_(MS_M_SHORTAGE_SHARE) = w->e_dem[en] > 0 ? w->e_short[en] / w->e_dem[en] : 0;
        O_(MS_M_PEAK_SHORTAGE_SHARE) = w->e_peak[en];
        O_(MS_M_MONTHS_SHORT) = w->e_ms[en];
        double tts = w->e_first[en] < 0 ? T - ref : w->e_first[en] - ref;
        O_(MS_M_TIME_TO_SURVIVE) = tts > 0 ? tts : 0;
        O_(MS_M_TIME_TO_RECOVER) = w->e_first[en] < 0 ? 0 : w->e_last[en] - w->e_first[en] + 1;
        O_(MS_M_VALUE_AT_RISK) = en < C ? w->e_short[en] * val : 0;
    }
    /* value at risk roll-ups: sums over cells */
    for (int c = 0; c < C; c++) {
        double v = OUT(e->m_ent0 + c * ENT_METRICS + MS_M_VALUE_AT_RISK);
        OUT(e->m_ent0 + (C + e->c_imp[c]) * ENT_METRICS + MS_M_VALUE_AT_RISK) += v;
        OUT(e->m_ent0 + (C + I) * ENT_METRICS + MS_M_VALUE_AT_RISK) += v;
    }
    for (int i = 0; i < I; i++)
        for (int p = 0; p < P; p++) {
            int m = e->m_price[i * P + p];
            if (m == NONE) continue;
            OUT(m) = w->pk[i * P + p];
            OUT(m + 1) = w->ps[i * P + p] / T;
            OUT(m + 2) = w->pf[i * P + p];
        }
    /* shipments: metrics and series */
    for (int s = 0; s < S; s++)
        for (int p = 0; p < P; p++) {
            int mall = e->m_ship[(s * (I + 1) + I) * P + p];
            int sall = e->sr_ship[(s * (I + 1) + I) * P + p];
            if (mall != NONE) OUT(mall) = 0;
            if (sall != NONE) for (int t = 0; t < T; t++) OUT(sall + t) = 0;
            for (int i = 0; i < I; i++) {
                int m = e->m_ship[(s * (I + 1) + i) * P + p];
                if (m == NONE) continue;
                const double *dp = w->dep + (size_t)((s * I + i) * P + p) * T;
                double tot = 0;
                int sr = e->sr_ship[(s * (I + 1) + i) * P + p];
                for (int t = 0; t < T; t++) {
                    tot += dp[t];
                    if (sr != NONE) { OUT(sr + t) = dp[t]; OUT(sall + t) += dp[t]; }
                    if (tr) tr->shipments[(((size_t)t * S + s) * I + i) * P + p] = dp[t];
                }
                OUT(m) = tot;
                OUT(mall) += tot;
            }
        }
    return 0;
}

/* ---- the variance shifts and the parallel driver ------------------------------ */

/* The variance shift of every statistic is its value on path 0: the same for
 * every run, thread and rank, so accumulators merge exactly. */
static void compute_shift(ms_engine *e)
{
    e->shift = xcalloc((size_t)e->nmetrics + e->nseries, sizeof(double));
    ms_work *w = ms_work_alloc(e);
    ms_engine_path(e, w, 0, e->shift, NULL);
    ms_work_free(w);
}

void ms_engine_estimate(const ms_scenario *sc, const ms_engine_opts *opts, int threads, ms_estimate *out)
{
    memset(out, 0, sizeof *out);
    double T = sc->months, S = sc->nsuppliers, I = sc->nimporters, P = sc->nproducts, C = 0;
    int series = opts ? opts->series : 1;
    for (int i = 0; i < sc->nimporters; i++) C += sc->importers[i].nindustries;
    /* the layout of ms_engine_alloc: 7 metrics per entity (cells, importers,
     * total); 3 price metrics per importer and sourced product; shipments per
     * supplier and product to each importer sourcing it, plus "all" */
    double nent = C + I + 1, nprice = 0, nship = 0;
    for (int p = 0; p < sc->nproducts; p++) {
        double isrc = 0;
        for (int i = 0; i < sc->nimporters; i++) isrc += sc->importers[i].has_sourcing[p] != 0;
        nprice += isrc;
        for (int s = 0; s < sc->nsuppliers; s++) {
            const ms_supplier *su = &sc->suppliers[s];
            int has = su->has_product[p];
            for (int x = 0; !has && x < su->nexpansions; x++) has = su->expansions[x].product == p;
            if (has && isrc > 0) nship += isrc + 1;
        }
    }
    out->nmetrics = 7 * nent + 3 * nprice + nship;
    out->nseries = series ? T * (nship + nent + nprice + C) : 0;
    double nst = out->nmetrics + out->nseries;
    /* H is at most 2T + 2 (lags are capped at the horizon); slots: a few per entity and policy */
    double H = 2 * T + 2;
    double nslots = 3 * S * P + 4 * S + 8 * I + I * S + 10 * C + C * P + 20.0 * sc->npolicies;
    double D = sizeof(double);
    double work = nslots * D + D * (4 * S * P + 3 * S + 7 * I * S * P + 9 * I * P + 12 * C + 4 * C * P) +
                  D * (C * P * H + I * P * H + S * I * P * T + H + 2 * I) + D * 10 * S * I + D * 7 * nent;
    out->work_bytes = work + nst * (MS_BLOCK + 1) * D;
    out->accum_bytes = ms_result_typical_bytes(out->nmetrics, out->nseries);
    out->engine_bytes = nst * (sizeof(ms_stat_desc) + D) + D * (S * I * P * 3 + I * S * P) + nslots * 2 * D;
    /* result files: a summary row is ~40 bytes of names and ~22 per number
     * (mean, sd, se, quantiles, p_pos, cvar95); a series point has a mean
     * line and one per quantile, ~60 bytes each; summary.json holds both again,
     * with keys (about 1.5 times the CSV) */
    double nq = sc->nquantiles;
    double csv = out->nmetrics * (40 + 22 * (5 + nq)) + out->nseries * (1 + nq) * 60;
    out->output_bytes = csv * 2.5 + 65536;
    double th = threads > 0 ? threads : 1;
    /* per thread: workspace, block buffer, accumulators; then the result's
     * accumulators, the engine, and the files rendered in memory before they
     * are written */
    out->memory_bytes = th * (out->work_bytes + out->accum_bytes) + out->accum_bytes + out->engine_bytes +
                        out->output_bytes;
}

int ms_engine_run(const ms_engine *e, uint64_t first, uint64_t n, const ms_run_opts *o, ms_result *res)
{
    ms_run_opts dflt = {0, NULL, NULL, NULL};
    if (!o) o = &dflt;
    int threads = o->threads > 0 ? o->threads : omp_get_max_threads();
    uint64_t nblocks = (n + MS_BLOCK - 1) / MS_BLOCK;
    int nm = e->nmetrics, ns = e->nseries, nst = nm + ns;
    ms_result **lr = xcalloc(threads, sizeof *lr);
    uint64_t done = 0;
    double t0 = omp_get_wtime(), last = t0;
    int used = 1, fail = 0;

#pragma omp parallel num_threads(threads)
    {
        int tid = omp_get_thread_num();
#pragma omp single
        used = omp_get_num_threads();
        ms_work *w = ms_work_alloc(e);
        double *buf = xcalloc((size_t)nst * MS_BLOCK, sizeof(double));
        lr[tid] = ms_result_alloc(e);
        if (!lr[tid]) {
#pragma omp atomic write
            fail = 1;
        }
#pragma omp for schedule(dynamic, 1)
        for (uint64_t b = 0; b < nblocks; b++) {
            if ((o->stop && *o->stop) || !lr[tid]) continue;
            uint64_t p0 = first + b * MS_BLOCK;
            int np = (int)(n - b * MS_BLOCK < MS_BLOCK ? n - b * MS_BLOCK : MS_BLOCK);
            /* path-major block buffer: a path writes its vector contiguously; the
             * accumulators read columns, each cache line serving 8 statistics */
            for (int j = 0; j < np; j++)
                if (engine_path(e, w, p0 + j, buf + (size_t)j * nst, 1, NULL)) {
#pragma omp atomic write
                    fail = 1;
                }
            ms_accum_add_strided(lr[tid]->metrics, buf, np, 1, (size_t)nst);
            if (lr[tid]->series) ms_accum_add_strided(lr[tid]->series, buf + nm, np, 1, (size_t)nst);
#pragma omp atomic update
            done += (uint64_t)np;
            if (tid == 0 && o->progress) {
                double now = omp_get_wtime();
                if (now - last >= 0.1) {
                    uint64_t d;
#pragma omp atomic read
                    d = done;
                    o->progress(d, n, now - t0, o->progress_ctx);
                    last = now;
                }
            }
        }
        free(buf);
        ms_work_free(w);
    }
    /* merge in thread order (the merge is exact, so the order does not matter) */
    for (int k = 0; k < threads; k++) {
        if (lr[k] && ms_result_merge(res, lr[k])) fail = 1;
        ms_result_free(lr[k]);
    }
    free(lr);
    if (res->paths_requested == 0) res->first_path = first; /* the result's first range */
    res->paths_done += done;
    res->paths_requested += n;
    res->interrupted |= done < n;
    res->wall_seconds += omp_get_wtime() - t0;
    res->threads = used;
    if (o->progress) o->progress(done, n, omp_get_wtime() - t0, o->progress_ctx);
    return fail ? -1 : 0;
}
