/*
 * steps.c - the steps of one month (docs/model.md, "One month"), each a
 * function named after its section, for the MS_LANES paths of a workspace.
 *
 * The month loop (sim/path.c) calls, in this order:
 *   step_draw_monthly_inputs, step_capacity, step_policy_month; for each
 *   product step_demand, step_secondary_supply, step_orders, step_sourcing;
 *   step_export_controls (every product: a quota may span products); for
 *   each product step_supplier_allocation; step_diversion (every product);
 *   for each product step_transit, step_importer_allocation, step_prices;
 *   and last step_month_end.
 *
 * Rules of this file: every quantity is per lane ([entity][W], see
 * engine_int.h) and handled as a vector of lanes (vd); every lane performs
 * the operations of a scalar path in the same order, a branch of the
 * scalar path being a select (vsel) on its condition.  Where the scalar
 * path skips a term of a sum, the vector adds +0, which changes no bit
 * (every such sum is of terms >= 0 and never -0); a volume 0 in every lane
 * may be skipped for the same reason.  Sums over suppliers or importers run
 * over the product's flow lists in ascending order.  What only some lanes
 * need (pow, exp) is done lane by lane; volumes scheduled at lags that
 * differ between lanes (arrivals, departures, claims) split each lag once
 * into month rows with a weight per lane (lag_split) and add a vector per
 * row.
 * A policy acts only through its hooks; nothing is allocated.
 */
#include <limits.h>
#include <math.h>
#include <string.h>
#include "engine_int.h"

/* A lag as the schedulers take it: none when it is not > 0 (NaN too), at
 * most MAX_LAG_MONTHS (past every horizon: the same months touched, none). */
static inline double lag_clamp(double lag)
{
    return lag > 0 ? (lag < MAX_LAG_MONTHS ? lag : MAX_LAG_MONTHS) : 0;
}

/* A lag of `lag` months from month t (clamped by lag_clamp): the month *k
 * it lands in first, t + floor(lag); returns frac(lag), the share that
 * lands in *k + 1 (1 - frac(lag) lands in *k).  Every scheduler splits a
 * lag here. */
static inline double lag_month(int t, double lag, long *k)
{
    lag = lag_clamp(lag);
    long n = (long)lag; /* 0 <= lag <= MAX_LAG_MONTHS: truncation is floor, without a libm call */
    *k = t + n;
    return lag - (double)n;
}

#ifndef MS_ISA_V4 /* one copy of the scalar helpers, shared by both variants and the policies */
/* Smooth S-curve ramp from 0 (t <= start) to 1 (t >= start + len): 3x^2 - 2x^3. */
double ms_ramp(double t, double start, double len)
{
    if (t < start)
        return 0.0;
    if (len <= 0)
        return 1.0;
    double x = (t - start) / len;
    if (x >= 1)
        return 1.0;
    return x * x * (3.0 - 2.0 * x);
}

/* Add volume v arriving after a real lag (months) from month t, to lane l of
 * a per-month array a[month * W + l] of H months: split between the floor
 * and ceiling months in proportion to the fraction (docs/model.md, step 8). */
void ms_schedule(double *a, int H, int t, double lag, double v, int l)
{
    if (v == 0)
        return;
    long k;
    double f = lag_month(t, lag, &k);
    if (k >= H)
        return;
    a[k * W + l] += v * (1.0 - f);
    if (f > 0 && k + 1 < H)
        a[(k + 1) * W + l] += v * f;
}
#endif

/* ms_schedule for every lane at once, when the lag is the same in every
 * lane: a lane with v == 0 adds +0 where the scalar path adds nothing. */
static void schedule_all(double *a, int H, int t, double lag, vd v)
{
    long k;
    double f = lag_month(t, lag, &k);
    if (k >= H)
        return;
    VD(a + k * W) += v * (1.0 - f);
    if (f > 0 && k + 1 < H)
        VD(a + (k + 1) * W) += v * f;
}

/* 1 when every lane of x holds the same value. */
static int uniform(vd x)
{
    return !vany(x != vsplat(x[0]));
}

/* A lag from month t split once for the many volumes scheduled at it (a
 * flow's claims, cell by cell), on first use: as a few month rows m0,
 * m0 + 1, .. each with a weight per lane, so that scheduling v is a vector
 * multiply-add per row whatever the lanes' lags.  Lane l's weight is
 * 1 - frac(lag) in its month k = t + floor(lag), frac(lag) in k + 1 and 0
 * elsewhere: the products ms_schedule adds, and +0 where it adds nothing
 * (the arrays hold sums of terms >= 0 from +0, where adding +0 changes no
 * bit).  Lags whose months span more than LAG_ROWS rows (rare: a licence
 * delay drawn over more than LAG_ROWS - 1 months) go lane by lane. */
#define LAG_ROWS 4
typedef struct {
    vd lag;          /* the lag in each lane, months */
    int t, H;        /* the month it runs from; months in the arrays */
    int rows;        /* -1: not split yet; -2: lane by lane; else rows m0 .. m0 + rows - 1 (all < H) */
    int m0;          /* the first row's month */
    vd wt[LAG_ROWS]; /* [row] each lane's weight in month m0 + row */
} lag_split;

static lag_split lag_at(int t, int H, vd lag)
{
    lag_split s; /* m0 and wt are set by split_lag */
    s.lag = lag;
    s.t = t;
    s.H = H;
    s.rows = -1;
    return s;
}

__attribute__((noinline)) static void split_lag(lag_split *s)
{
    if (uniform(s->lag)) { /* one month (and the next) for every lane: weights the same in all */
        long k;
        double f = lag_month(s->t, s->lag[0], &k);
        s->m0 = (int)(k < s->H ? k : s->H);
        s->rows = k >= s->H ? 0 : f > 0 && k + 1 < s->H ? 2 : 1;
        s->wt[0] = vsplat(1.0 - f);
        s->wt[1] = vsplat(f);
        return;
    }
    /* lag_month in every lane at once: the same operations, as vectors */
    vd cap = vsplat(MAX_LAG_MONTHS), lag = vsel(s->lag > 0, vsel(s->lag < cap, s->lag, cap), vsplat(0));
    vl n = __builtin_convertvector(lag, vl); /* 0 <= lag <= MAX_LAG_MONTHS: truncation is floor */
    vd f = lag - __builtin_convertvector(n, vd), g = 1.0 - f;
    long kmin = LONG_MAX, kmax = LONG_MIN;
    LANES {
        kmin = n[l] < kmin ? n[l] : kmin;
        kmax = n[l] > kmax ? n[l] : kmax;
    }
    if (kmax - kmin + 2 > LAG_ROWS) {
        s->rows = -2;
        return;
    }
    kmin += s->t, kmax += s->t;
    s->m0 = (int)kmin;
    s->rows = kmin >= s->H ? 0 : (int)(kmax - kmin + 2 < s->H - kmin ? kmax - kmin + 2 : s->H - kmin);
    vl k = n + (long long)s->t, zero = k - k;
    for (int r = 0; r < s->rows; r++) {
        vl in0 = k == kmin + r, in1 = k + 1 == kmin + r;
        s->wt[r] = vsel(in0, g, vsel(in1, f, (vd)zero));
    }
}

/* v scheduled at split lag s: ms_schedule in every lane, with the same
 * bits (+0 where it adds nothing). */
__attribute__((always_inline)) static inline void schedule_split(double *a, lag_split *s, vd v)
{
    if (s->rows == -1)
        split_lag(s);
    if (s->rows == -2) {
        LANES ms_schedule(a, s->H, s->t, s->lag[l], v[l], l);
        return;
    }
    if (s->rows == 0) /* past the horizon: m0 may be beyond the array */
        return;
    double *row = a + (size_t)s->m0 * W;
    for (int r = 0; r < s->rows; r++)
        VD(row + (size_t)r * W) += v * s->wt[r];
}

/* ---- inputs drawn every month ---------------------------------------------- */

void step_draw_monthly_inputs(const ms_engine *e, ms_work *w, int t)
{
    for (int k = 0; k < e->nmonth_slots; k++) {
        int sl = e->month_slots[k];
        const ms_dist *d = e->slot_dist[sl];
        double *v = VS(sl);
        LANES {
            const ms_input_set *x = w->set[l] ? &w->set[l][e->slot_input[sl]] : NULL;
            if (x && x->mode == MS_INPUT_VALUE)
                continue; /* set for every month at the start of the path */
            v[l] = ms_dist_draw(d, w->rng, x && x->mode == MS_INPUT_PATH ? x->path : w->path[l], t);
        }
    }
}

/* ---- 1. capacity -------------------------------------------------------------- */

/* A month with no outage in progress may start one (lane l of supplier s). */
static void outage_start(const ms_engine *e, ms_work *w, int s, int t, int l)
{
    int *until = AT(w->out_until, s);
    if (t < until[l])
        return;
    ms_rng_key(w->rng, w->path[l], e->s_out_stream[s], (uint32_t)t);
    if (!(ms_rng_uniform_pos(w->rng) < VS(e->s_out_h[s])[l]))
        return;
    ms_rng_key(w->rng, w->path[l], e->s_out_dur[s]->stream, (uint32_t)t);
    double dur = ms_dist_sample(e->s_out_dur[s], w->rng);
    ms_rng_key(w->rng, w->path[l], e->s_out_cut[s]->stream, (uint32_t)t);
    double cut = ms_dist_sample(e->s_out_cut[s], w->rng);
    if (dur > 0) {
        double end = t + ceil(dur);
        until[l] = end > e->T ? e->T : (int)end;
        AT(w->out_cut, s)[l] = cut;
    }
}

/* Capacity of (s, p) in month t before outages, t/mo: base plus expansions. */
static vd capacity_of(const ms_engine *e, ms_work *w, int s, int p, int t)
{
    int sp = s * e->P + p;
    vd Cm = VD(VS(e->s_cap[sp])) / 12.0;
    for (int k = e->sp_exp0[sp]; k < e->sp_exp0[sp + 1]; k++) {
        int x = e->sp_exp[k];
        const double *st = VS(e->exp_start[x]), *rm = VS(e->exp_ramp[x]);
        vd r;
        LANES r[l] = ms_ramp(t, st[l], rm[l]);
        Cm += VD(VS(e->exp_cap[x])) / 12.0 * r;
    }
    return Cm;
}

void step_capacity(const ms_engine *e, ms_work *w, int t)
{
    int P = e->P;
    for (int s = 0; s < e->S; s++) {
        if (e->s_out_h[s] != NONE)
            LANES outage_start(e, w, s, t, l);
        vd factor;
        const int *until = AT(w->out_until, s);
        const double *cut = AT(w->out_cut, s);
        LANES factor[l] = t < until[l] ? 1.0 - cut[l] : 1.0;
        for (int p = 0; p < P; p++) {
            vd Cm = capacity_of(e, w, s, p, t);
            VD(AT(w->cap, s * P + p)) = Cm * factor;
            VD(AT(w->E, s * P + p)) = VD(VS(e->s_es[s * P + p])) * Cm * factor;
        }
    }
}

/* Exportable capacity of month 0 without outages (the steady state's shares). */
void ms_capacity_month0(const ms_engine *e, ms_work *w)
{
    for (int s = 0; s < e->S; s++)
        for (int p = 0; p < e->P; p++)
            VD(AT(w->E, s * e->P + p)) = VD(VS(e->s_es[s * e->P + p])) * capacity_of(e, w, s, p, 0);
}

/* Baseline demand growth of each importer and product since month 0, the
 * season's included (licence budgets). */
static void baseline_growth(const ms_engine *e, ms_work *w, int t)
{
    int P = e->P;
    for (int i = 0; i < e->I; i++)
        for (int p = 0; p < P; p++) {
            vd g = vsplat(0);
            for (int c = e->cell0[i]; c < e->cell0[i + 1]; c++)
                if (e->c_D0[c * P + p] != NONE) {
                    vd d = VD(VS(e->c_D0[c * P + p])) / 12.0 * VD(AT(w->gf, c));
                    if (e->i_hasseason[i]) /* D0sum is month 0's demand, its season included */
                        d *= ms_season(e, i, t);
                    g += d;
                }
            vd Ds = VD(AT(w->D0sum, i * P + p));
            VD(AT(w->gscale, i * P + p)) = vsel(Ds > 0, g / Ds, vsplat(1.0));
        }
}

/* Tariff rates of month t on every flow (0 where no tariff applies). */
void ms_tariffs_of_month(const ms_engine *e, ms_work *w, int t)
{
    memset(w->tar, 0, sizeof(double) * (size_t)e->nflows * W);
    ms_hook_ctx x = {.t = t, .p = -1, .i = -1};
    ms_hooks_run(e, w, MS_HOOK_TARIFF, &x);
}

/* Volume v leaves flow f's licence queue: its cells' waiting volume (and
 * that of a stockpile buying through the importer) falls pro rata.  Given
 * up (approved 0): no longer on order.  Approved: claimed at arrival, `lag`
 * months from month t (on order until then).  Returns the stockpile's part
 * (0 when none buys). */
static vd queue_take(const ms_engine *e, ms_work *w, int f, vd v, int approved, vd lag, int t)
{
    int p = e->fl_p[f], buy = e->has_buy && e->ip_buy[e->fl_i[f] * e->P + p];
    vd zero = vsplat(0), tot = zero;
    for (int j = e->fc0[f]; j < e->fc0[f + 1]; j++)
        tot += VD(AT(w->qpend, j));
    if (buy)
        tot += VD(AT(w->qsp, f));
    lag_split sl = lag_at(t, e->H, lag);
    for (int c = e->cell0[e->fl_i[f]], j = e->fc0[f]; j < e->fc0[f + 1]; c++, j++) {
        vd q = VD(AT(w->qpend, j)), x = vsel(tot > 0, v * q / tot, zero);
        x = vsel(x > q, q, x);
        VD(AT(w->qpend, j)) = q - x;
        if (!approved)
            VD(AT(w->U, c * e->P + p)) -= x;
        else if (vany(x != 0))
            schedule_split(AT(w->claim, (size_t)(c * e->P + p) * e->H), &sl, x);
    }
    if (!buy)
        return zero;
    vd q = VD(AT(w->qsp, f)), x = vsel(tot > 0, v * q / tot, zero);
    x = vsel(x > q, q, x);
    VD(AT(w->qsp, f)) = q - x;
    if (!approved) /* given up: no longer on order (approved: still on order, now in transit) */
        VD(AT(w->Usp, e->fl_i[f] * e->P + p)) -= x;
    return x;
}

/* After capacity: baseline growth, this month's tariffs, the policies'
 * regimes (export controls: on or off, approval share, hoarding flags). */
void step_policy_month(const ms_engine *e, ms_work *w, int t)
{
    baseline_growth(e, w, t);
    ms_tariffs_of_month(e, w, t);
    memset(w->hoard, 0, sizeof(long long) * (size_t)e->I * e->P * W);
    memset(w->noleft, 0, sizeof(long long) * (size_t)e->C * e->P * W);
    for (int f = 0; f < e->nflows; f++) {
        VD(AT(w->lic_free, f)) = vsplat(1);
        VD(AT(w->lic_delay, f)) = vsplat(0);
        if (e->has_queue)
            VD(AT(w->qout, f)) = vsplat(0);
    }
    ms_hook_ctx x = {.t = t, .p = -1, .i = -1};
    ms_hooks_run(e, w, MS_HOOK_MONTH, &x);
    if (e->has_queue)
        for (int f = 0; f < e->nflows; f++)
            if (vany(VD(AT(w->qout, f)) > 0))
                queue_take(e, w, f, VD(AT(w->qout, f)), 0, vsplat(0), t);
}

/* ---- 2. demand ------------------------------------------------------------------- */

/* The price response pibar^eps, lane by lane where pibar moved (pow), capped. */
static vd price_feedback(vd pibar, const double *eps)
{
    vd f = vsplat(1.0);
    if (vany(pibar != 1.0))
        LANES if (pibar[l] != 1.0) f[l] = pow(pibar[l], eps[l]);
    return vsel(f <= MAX_PRICE_RESPONSE, f, vsplat(MAX_PRICE_RESPONSE)); /* pibar -> 0: pow is inf */
}

void step_demand(const ms_engine *e, ms_work *w, int t, int p)
{
    int P = e->P;
    int shocks = e->hk0[MS_HOOK_DEMAND][1] > e->hk0[MS_HOOK_DEMAND][0];
    if (shocks) {
        for (int c = 0; c < e->C; c++)
            VD(AT(w->shock, c)) = vsplat(1.0);
        ms_hook_ctx x = {.t = t, .p = p, .i = -1};
        ms_hooks_run(e, w, MS_HOOK_DEMAND, &x);
    }
    for (int i = 0; i < e->I; i++) {
        vd pfb = price_feedback(VD(AT(w->pibar, i * P + p)), VS(e->i_eps[i]));
        for (int c = e->cell0[i]; c < e->cell0[i + 1]; c++) {
            int cp = c * P + p, sl = e->c_D0[cp];
            if (sl == NONE) {
                VD(AT(w->D, cp)) = vsplat(0);
                continue;
            }
            vd d = VD(VS(sl)) / 12.0 * VD(AT(w->gf, c));
            if (e->i_hasseason[i])
                d *= ms_season(e, i, t);
            if (shocks)
                d *= VD(AT(w->shock, c));
            d *= pfb;
            d *= 1.0 - VD(AT(w->sub, c));
            VD(AT(w->D, cp)) = vsel(d > MAX_DEMAND_T, vsplat(MAX_DEMAND_T), d);
        }
    }
}

/* ---- 4. domestic secondary supply (recycling; releases come in step 9) --------- */

void step_secondary_supply(const ms_engine *e, ms_work *w, int t, int p)
{
    for (int i = 0; i < e->I; i++) {
        VD(AT(w->Rm, i * e->P + p)) = vsplat(0);
        ms_hook_ctx x = {.t = t, .p = p, .i = i};
        ms_hooks_run(e, w, MS_HOOK_RECYCLED, &x);
    }
}

/* ---- 3. orders ------------------------------------------------------------------- */

/* Expected lead time of importer i: share-weighted transit plus, for the
 * share of a flow covered by a licence control in force, its delay. */
static vd lead_time(const ms_engine *e, ms_work *w, int i, int p)
{
    vd Lbar = vsplat(0);
    for (int f = e->fl0[p * e->I + i]; f < e->fl0[p * e->I + i + 1]; f++) {
        vd L = VD(VS(e->i_transit[i * e->S + e->fl_s[f]]));
        Lbar += VD(AT(w->w, f)) * (L + (1.0 - VD(AT(w->lic_free, f))) * VD(AT(w->lic_delay, f)));
    }
    return Lbar;
}

/* The month's recycling Ruse (at most the orders) to the industries: in
 * proportion to the part of their orders that is this month's use,
 * q = min(O, D), each at most its order; what that leaves, in proportion to
 * the rest of their orders (so refilling a pipeline does not take recycled
 * tonnes from an industry's use of the month). */
static void recycling_to_cells(const ms_engine *e, ms_work *w, int i, int p, vd Ruse)
{
    int P = e->P, c0 = e->cell0[i], c1 = e->cell0[i + 1];
    vd zero = vsplat(0), qs = zero, given = zero, rest = zero;
    for (int c = c0; c < c1; c++) {
        vd o = VD(AT(w->O, c * P + p)), d = VD(AT(w->D, c * P + p));
        qs += vsel(o < d, o, d);
    }
    for (int c = c0; c < c1; c++) {
        vd o = VD(AT(w->O, c * P + p)), d = VD(AT(w->D, c * P + p)), q = vsel(o < d, o, d);
        vd rc = vsel(qs > 0, Ruse * q / qs, zero);
        rc = vsel(rc > o, o, rc);
        VD(AT(w->rc, c * P + p)) = rc;
        given += rc;
        rest += o - rc;
    }
    vd left = Ruse - given;
    if (!vany(left > 0))
        return;
    for (int c = c0; c < c1; c++) {
        vd o = VD(AT(w->O, c * P + p)), rc = VD(AT(w->rc, c * P + p));
        VD(AT(w->rc, c * P + p)) = vsel((left > 0) & (rest > 0), rc + left * (o - rc) / rest, rc);
    }
}

/* The request of the month of the stockpile buying p through importer i
 * (its purchases and refill, MS_HOOK_PURCHASE): it joins the import need. */
static vd stockpile_request(const ms_engine *e, ms_work *w, int t, int p, int i)
{
    VD(AT(w->Nsp, i * e->P + p)) = vsplat(0);
    ms_hook_ctx x = {.t = t, .p = p, .i = i};
    ms_hooks_run(e, w, MS_HOOK_PURCHASE, &x);
    return VD(AT(w->Nsp, i * e->P + p));
}

/* Orders: O = max(0, D + (m' D + (1 - rho) D Lbar - position) / tau), the
 * pipeline target on the import need (rho the recycled share of demand).
 * Then the month's recycling serves the orders (recycling_to_cells) and the
 * rest is each industry's import order; N = their sum, plus the request of
 * a stockpile buying through the importer. */
void step_orders(const ms_engine *e, ms_work *w, int t, int p)
{
    int P = e->P;
    vd zero = vsplat(0);
    for (int i = 0; i < e->I; i++) {
        int ip = i * P + p, c0 = e->cell0[i], c1 = e->cell0[i + 1];
        vd Lbar = lead_time(e, w, i, p), Osum = zero, Dsum = zero, R = VD(AT(w->Rm, i * e->P + p));
        for (int c = c0; c < c1; c++)
            Dsum += VD(AT(w->D, c * P + p));
        vd rho = vsel(Dsum > 0, R / Dsum, zero);
        rho = vsel(rho > 1, vsplat(1), rho);
        vl hoard = VL(AT(w->hoard, ip));
        for (int c = c0; c < c1; c++) {
            int cp = c * P + p;
            if (e->c_D0[cp] == NONE) {
                VD(AT(w->O, cp)) = zero;
                continue;
            }
            vd D = VD(AT(w->D, cp)), m = VD(VS(e->c_m[c])), tau = VD(VS(e->c_tau[c]));
            m = vsel(hoard != 0, m * (1.0 + VD(VS(e->c_h[c]))), m);
            tau = vsel(tau < 1, vsplat(1), tau);
            vd gap = m * D + (1.0 - rho) * D * Lbar - (VD(AT(w->inv, cp)) + VD(AT(w->U, cp)));
            vd o = D + gap / tau;
            o = vsel(o > 0, o, zero);
            VD(AT(w->O, cp)) = o;
            Osum += o;
        }
        vd N = zero;
        recycling_to_cells(e, w, i, p, vsel(R < Osum, R, Osum));
        for (int c = c0; c < c1; c++) {
            vd nc = VD(AT(w->O, c * P + p)) - VD(AT(w->rc, c * P + p));
            VD(AT(w->nc, c * e->P + p)) = vsel(nc < 0, zero, nc);
            N += VD(AT(w->nc, c * e->P + p));
        }
        if (e->has_buy && e->ip_buy[ip])
            N += stockpile_request(e, w, t, p, i);
        VD(AT(w->Osum, i * e->P + p)) = Osum;
        VD(AT(w->N, i * e->P + p)) = N;
    }
}

/* ---- 5. sourcing ------------------------------------------------------------------------ */

/* Landed cost over its baseline of flow f (1 when the baseline is 0). */
static vd cost_ratio(const ms_engine *e, ms_work *w, int f, int p)
{
    vd land = VD(AT(w->rho, e->fl_s[f] * e->P + p)) * (1.0 + VD(AT(w->tar, f)));
    vd c0 = VD(AT(w->land0, f));
    return vsel(c0 > 0, land / c0, vsplat(1.0));
}

/* Preferences u = w0 exp(-beta (c/c0 - 1)) rel of importer i's suppliers,
 * rel the delivered share of last month's requests; returns sum u.  When an
 * exponent is large (steep cost sensitivity and a landed cost far below its
 * baseline) every exponent is shifted by the largest: only u / sum u
 * matters, and exp() would overflow. */
static vd preferences(const ms_engine *e, ms_work *w, int i, int p)
{
    int f0 = e->fl0[p * e->I + i], f1 = e->fl0[p * e->I + i + 1], S = e->S, P = e->P;
    vd beta = VD(VS(e->i_beta[i])), xmax = vsplat(0), zero = vsplat(0);
    for (int f = f0; f < f1; f++) {
        if (!(e->w0[(i * S + e->fl_s[f]) * P + p] > 0))
            continue;
        vd x = -beta * (cost_ratio(e, w, f, p) - 1.0);
        xmax = vsel(x > xmax, x, xmax);
    }
    vd xshift = vsel(xmax > 600, xmax, zero), usum = zero;
    for (int f = f0; f < f1; f++) {
        double w0 = e->w0[(i * S + e->fl_s[f]) * P + p];
        vd u = zero;
        if (w0 > 0) {
            vd ratio = cost_ratio(e, w, f, p);
            vl plain = (ratio == 1.0) & (xshift == 0);
            vl need = ~plain;
            u = vsplat(w0);
            if (vany(need))
                LANES if (need[l]) u[l] = w0 * exp(-beta[l] * (ratio[l] - 1.0) - xshift[l]);
            /* reliability: the delivered share last month; not asked last month: 1 when it can export now */
            vd rel = VD(AT(w->rel, f));
            u *= vsel(rel >= 0, rel, vsel(VD(AT(w->E, e->fl_s[f] * P + p)) > 0, vsplat(1), vsplat(0)));
        }
        VD(AT(w->u, f)) = u;
        usum += u;
    }
    return usum;
}

/* Shares move toward the target u / sum u at the qualification speed (when
 * every preference is 0, every supplier having failed, they stay); each
 * supplier is asked its share of the import need, whatever its capacity. */
void step_sourcing(const ms_engine *e, ms_work *w, int t, int p)
{
    for (int i = 0; i < e->I; i++) {
        int f0 = e->fl0[p * e->I + i], f1 = e->fl0[p * e->I + i + 1];
        vd usum = preferences(e, w, i, p), zero = vsplat(0), N = VD(AT(w->N, i * e->P + p));
        vd q = VD(VS(e->i_q[i]));
        q = vsel(q < 1, vsplat(1), q);
        for (int f = f0; f < f1; f++) {
            vd sh = VD(AT(w->w, f));
            vd target = vsel(usum > 0, VD(AT(w->u, f)) / usum, sh);
            sh += (target - sh) / q;
            VD(AT(w->w, f)) = sh;
            VD(AT(w->r, f)) = N * sh;
            VD(AT(w->dreq, f)) = VD(AT(w->req2, f)) = VD(AT(w->g2, f)) = zero;
        }
    }
}

/* ---- 6. export controls ------------------------------------------------------------------- */

/* A per-cell flow's free share and pass rate: its cells' request-weighted
 * means (the cells' requests are their import orders x the flow's share),
 * and the volume it queued. */
static void cell_rates_of_flow(const ms_engine *e, ms_work *w, int f)
{
    int p = e->fl_p[f];
    vd zero = vsplat(0), r = zero, fa = zero, pi = zero, q = zero;
    for (int c = e->cell0[e->fl_i[f]], j = e->fc0[f]; j < e->fc0[f + 1]; c++, j++) {
        vd rc = VD(AT(w->nc, c * e->P + p)) * VD(AT(w->w, f));
        r += rc;
        fa += rc * VD(AT(w->cfall, j));
        pi += rc * VD(AT(w->cpi, j));
        q += VD(AT(w->cq, j));
    }
    VD(AT(w->fall, f)) = vsel(r > 0, fa / r, vsplat(1));
    VD(AT(w->piall, f)) = vsel(r > 0, pi / r, vsplat(1));
    if (e->has_queue)
        VD(AT(w->qin, f)) += q;
}

/* The controls' pass rates of every flow for the requests req of a pass
 * (0: first requests, 1: diverted): fall = product of free shares, piall =
 * product of pass rates, dmax = the longest licence delay of approved
 * volume, dec = the longest time until a denial is known
 * (engine_int.h: MS_HOOK_EXPORT_CONTROL; every product at once, so that a
 * quota is shared over its products). */
static void controls_pass(const ms_engine *e, ms_work *w, int t, const double *req, int pass)
{
    vd one = vsplat(1), zero = vsplat(0);
    for (int f = 0; f < e->nflows; f++) {
        VD(AT(w->fall, f)) = VD(AT(w->piall, f)) = one;
        VD(AT(w->dmax, f)) = VD(AT(w->dec, f)) = zero;
        if (pass == 0 && e->has_queue)
            VD(AT(w->qin, f)) = VD(AT(w->qapp, f)) = VD(AT(w->qdel, f)) = zero;
        if (pass == 0 && e->fl_cell[f])
            for (int j = e->fc0[f]; j < e->fc0[f + 1]; j++)
                VD(AT(w->cfall, j)) = VD(AT(w->cpi, j)) = one, VD(AT(w->cq, j)) = zero;
    }
    ms_hook_ctx x = {.t = t, .p = -1, .i = -1, .req = req, .pass = pass};
    ms_hooks_run(e, w, MS_HOOK_EXPORT_CONTROL, &x);
    if (pass == 0)
        for (int f = 0; f < e->nflows; f++)
            if (e->fl_cell[f])
                cell_rates_of_flow(e, w, f);
}

/* First requests: what passes at once (imm) and after the licence delay
 * (del), as shares of the request; the denied volume. */
void step_export_controls(const ms_engine *e, ms_work *w, int t)
{
    controls_pass(e, w, t, w->r, 0);
    for (int f = 0; f < e->nflows; f++) {
        vd fall = VD(AT(w->fall, f)), piall = VD(AT(w->piall, f)), d = piall - fall;
        VD(AT(w->imm, f)) = fall;
        VD(AT(w->del, f)) = vsel(d < 1e-15, vsplat(0), d);
        VD(AT(w->delay, f)) = VD(AT(w->dmax, f));
        VD(AT(w->decide, f)) = VD(AT(w->dec, f));
        VD(AT(w->den, f)) = VD(AT(w->r, f)) * (1.0 - piall);
        if (e->has_queue) { /* what waits in a queue is not refused */
            vd dn = VD(AT(w->den, f)) - VD(AT(w->qin, f));
            VD(AT(w->den, f)) = vsel(dn < 0, vsplat(0), dn);
        }
    }
}

/* ---- 7. supplier allocation and diversion ---------------------------------------------------- */

/* Licence budgets and quotas charged for what ships after rationing. */
static void charge_controls(const ms_engine *e, ms_work *w, int t, int pass)
{
    ms_hook_ctx x = {.t = t, .p = -1, .i = -1, .frac = w->sfrac, .pass = pass};
    ms_hooks_run(e, w, MS_HOOK_CHARGE, &x);
}

/* Each supplier serves what passed the controls; when that exceeds its
 * exportable capacity every importer gets the same fraction. */
void step_supplier_allocation(const ms_engine *e, ms_work *w, int t, int p)
{
    int P = e->P, S = e->S;
    for (int s = 0; s < S; s++) {
        int k0 = e->fs0[p * S + s], k1 = e->fs0[p * S + s + 1];
        vd zero = vsplat(0), Ps = zero, used = zero;
        for (int k = k0; k < k1; k++) {
            int f = e->fs[k];
            Ps += VD(AT(w->r, f)) * (VD(AT(w->imm, f)) + VD(AT(w->del, f)));
            if (e->has_queue)
                Ps += VD(AT(w->qapp, f)); /* approvals from licence queues use capacity too */
        }
        vd Es = VD(AT(w->E, s * P + p));
        vd frac = vsel(Ps > Es, vsel(Ps > 0, Es / Ps, zero), vsplat(1.0));
        VD(AT(w->sfrac, s * P + p)) = VD(AT(w->sfrac0, s * P + p)) = frac;
        for (int k = k0; k < k1; k++) {
            int f = e->fs[k];
            vd r = VD(AT(w->r, f)), imm = VD(AT(w->imm, f)), del = VD(AT(w->del, f));
            vd gr = r * (imm + del) * frac, un = r - gr;
            if (e->has_queue) { /* waiting in a queue is neither refused nor rationed */
                un -= VD(AT(w->qin, f));
                VD(AT(w->qgr, f)) = VD(AT(w->qapp, f)) * frac;
            }
            un = vsel(un <= r * 1e-12, zero, un); /* served in full, up to rounding: not a failure */
            VD(AT(w->granted, f)) = gr;
            VD(AT(w->imm, f)) = imm * frac;
            VD(AT(w->del, f)) = del * frac;
            VD(AT(w->unmet, f)) = vsel(un < 0, zero, un);
            used += gr;
        }
        VD(AT(w->spare, s * e->P + p)) = vsel(Es - used > 0, Es - used, zero);
        VD(AT(w->reqtot, s * e->P + p)) = Ps;
    }
}

/* Diverted requests: of what importer i did not get, the share delta,
 * re-requested from the suppliers that did not fail it and have spare
 * capacity, in proportion to their spare capacity (one pass). */
static void divert_requests(const ms_engine *e, ms_work *w, int p)
{
    for (int i = 0; i < e->I; i++) {
        int f0 = e->fl0[p * e->I + i], f1 = e->fl0[p * e->I + i + 1];
        vd zero = vsplat(0), un = zero, sp = zero;
        for (int f = f0; f < f1; f++)
            un += VD(AT(w->unmet, f));
        vd Dv = VD(VS(e->i_delta[i])) * un;
        for (int f = f0; f < f1; f++)
            if (e->fl_ok[f])
                sp += vsel(VD(AT(w->unmet, f)) <= 0, VD(AT(w->spare, e->fl_s[f] * e->P + p)), zero);
        vl go = (Dv > 0) & (sp > 0);
        if (!vany(go))
            continue;
        for (int f = f0; f < f1; f++)
            if (e->fl_ok[f]) {
                vd spare = VD(AT(w->spare, e->fl_s[f] * e->P + p));
                vl m = go & (VD(AT(w->unmet, f)) <= 0);
                VD(AT(w->dreq, f)) = vsel(m, Dv * spare / sp, VD(AT(w->dreq, f)));
            }
    }
}

/* The diverted requests of product p after their pass: each supplier
 * serves them out of its spare capacity, pro rata when short. */
static void diverted_allocation(const ms_engine *e, ms_work *w, int p)
{
    int S = e->S, P = e->P;
    for (int s = 0; s < S; s++) {
        int k0 = e->fs0[p * S + s], k1 = e->fs0[p * S + s + 1];
        vd zero = vsplat(0), Ps = zero;
        for (int k = k0; k < k1; k++) {
            int f = e->fs[k];
            vd dreq = VD(AT(w->dreq, f)), fall = VD(AT(w->fall, f)), dmax = VD(AT(w->dmax, f));
            vl on = ~(dreq <= 0);
            vd d = VD(AT(w->piall, f)) - fall;
            vd del = vsel(d < 1e-15, zero, d);
            /* diverted volume passing a delayed licence shares the flow's delay */
            vd delay = VD(AT(w->delay, f));
            VD(AT(w->delay, f)) = vsel(on & (del > 0) & (dmax > delay), dmax, delay);
            vd g2 = vsel(on, dreq * (fall + del), zero);
            VD(AT(w->g2, f)) = g2;
            Ps += g2;
            VD(AT(w->dreq, f)) = vsel(on, dreq * del, dreq); /* from here on: the delayed part */
        }
        vd spare = VD(AT(w->spare, s * e->P + p));
        vd frac = vsel(Ps > spare, vsel(Ps > 0, spare / Ps, zero), vsplat(1.0));
        VD(AT(w->sfrac, s * P + p)) = frac;
        for (int k = k0; k < k1; k++) {
            int f = e->fs[k];
            VD(AT(w->g2, f)) *= frac;
            VD(AT(w->dreq, f)) *= frac;
        }
        VD(AT(w->reqtot, s * e->P + p)) += Ps;
    }
}

/* Each flow's delivered share of what was asked of it this month (first
 * and diverted requests), for next month's preferences; -1 when nothing was
 * asked (next month's preference then counts the supplier as reliable when
 * it can export, so a plant coming on line is taken up). */
static void reliability(const ms_engine *e, ms_work *w)
{
    for (int f = 0; f < e->nflows; f++) {
        vd asked = VD(AT(w->r, f)) + VD(AT(w->req2, f));
        vd got = VD(AT(w->granted, f)) + VD(AT(w->g2, f));
        if (e->has_queue)
            got += VD(AT(w->qgr, f));
        vd r = vsel(asked > 0, got / asked, vsplat(-1));
        VD(AT(w->rel, f)) = vsel(r > 1, vsplat(1), r);
    }
}

/* Step 7 for every product: capacity rationing of the first requests,
 * charges, diversion (requests, their pass, their rationing, charges). */
void step_diversion(const ms_engine *e, ms_work *w, int t)
{
    charge_controls(e, w, t, 0);
    for (int p = 0; p < e->P; p++)
        divert_requests(e, w, p);
    memcpy(w->req2, w->dreq, sizeof(double) * (size_t)e->nflows * W);
    controls_pass(e, w, t, w->dreq, 1);
    for (int p = 0; p < e->P; p++)
        diverted_allocation(e, w, p);
    charge_controls(e, w, t, 1);
    reliability(e, w);
}

/* ---- 8. transit and claims ------------------------------------------------------------------- */

/* ms_schedule of v for every lane, at each lane's lag (one lag_split). */
static void schedule_lanes(double *a, int H, int t, vd lag, vd v)
{
    lag_split s = lag_at(t, H, lag);
    schedule_split(a, &s, v);
}

/* 1 when a stockpile buys p through importer i: its share of the arrivals
 * goes to its own pipeline (the rest of this section is as without it). */
static int buying(const ms_engine *e, int i, int p)
{
    return e->has_buy && e->ip_buy[i * e->P + p];
}

/* The stockpile's share of what importer i's flows of p carry this month:
 * its request over the import need. */
static vd stock_share(const ms_engine *e, ms_work *w, int i, int p)
{
    vd N = VD(AT(w->N, i * e->P + p));
    return vsel(N > 0, VD(AT(w->Nsp, i * e->P + p)) / N, vsplat(0));
}

/* Volume v of the stockpile buying through importer i arriving `lag`
 * months from t: into its arrival pipeline, on order until then. */
static void stock_schedule(const ms_engine *e, ms_work *w, int i, int p, int t, vd lag, vd v)
{
    int ip = i * e->P + p;
    schedule_lanes(AT(w->sarr, (size_t)ip * e->H), e->H, t, lag, v);
    VD(AT(w->Usp, ip)) += v;
}

/* The stockpile's share s of what a flow of importer i carries this month,
 * *imm arriving after L and *del after dlL months: into its pipeline;
 * what is left for the industries' pool replaces them. */
static void stock_split(const ms_engine *e, ms_work *w, int i, int p, int t, vd L, vd dlL, vd *imm, vd *del)
{
    vd s = stock_share(e, w, i, p), vi = *imm * s, vdl = *del * s;
    stock_schedule(e, w, i, p, t, L, vi);
    stock_schedule(e, w, i, p, t, dlL, vdl);
    *imm -= vi;
    *del -= vdl;
}

/* Flow f's volume (importer i, product p) granted at t, imm shipping at
 * once and del after the licence delay dl: its departures, its arrivals
 * after the transit L (a buying stockpile's share to its own pipeline) and,
 * when claims is not NULL, the industries' claims on all of it at arrival
 * (claims[month * W + lane]). */
static void ship_flow(const ms_engine *e, ms_work *w, int f, int i, int p, int t, vd L, vd dl, vd imm, vd del,
                      double *claims)
{
    int H = e->H, T = e->T;
    double *a = AT(w->arr, (size_t)(i * e->P + p) * H), *dp = AT(w->dep, (size_t)f * T);
    vd dlL = dl + L, immp = imm, delp = del; /* to the industries' pool: all, or all but the stockpile's share */
    if (buying(e, i, p))
        stock_split(e, w, i, p, t, L, dlL, &immp, &delp);
    lag_split sL = lag_at(t, H, L);
    schedule_split(a, &sL, immp);
    if (claims)
        schedule_split(claims, &sL, imm);
    schedule_all(dp, T, t, 0, imm);
    if (vany(del != 0)) { /* a lane with del == 0 adds +0 */
        lag_split sdL = lag_at(t, H, dlL), sdl = lag_at(t, T, dl);
        schedule_split(a, &sdL, delp);
        if (claims)
            schedule_split(claims, &sdL, del);
        schedule_split(dp, &sdl, del);
    }
}

/* Schedule the arrivals, departures and claims of flow f (importer i,
 * product p) granted or refused at t; widen [*lo, *hi], the claim months
 * touched.  Refused volume not made up by diversion is claimed when the
 * refusal is known: a denial after the controls' decision time, capacity
 * rationing at once. */
static void schedule_flow(const ms_engine *e, ms_work *w, int f, int i, int p, int t, vd made_up, int *lo,
                          int *hi)
{
    int H = e->H;
    vd total = VD(AT(w->granted, f)) + VD(AT(w->g2, f)), unmet = VD(AT(w->unmet, f)), zero = vsplat(0);
    vl go = ~((total <= 0) & (unmet <= 0));
    if (!vany(go))
        return;
    vd L = VD(VS(e->i_transit[i * e->S + e->fl_s[f]]));
    vd del = vsel(go, VD(AT(w->r, f)) * VD(AT(w->del, f)) + VD(AT(w->dreq, f)), zero);
    vd imm = total - del;
    imm = vsel(go & (imm > 0), imm, zero);
    vd dl = VD(AT(w->delay, f)), dlL = dl + L, dec = VD(AT(w->decide, f));
    vd denied = VD(AT(w->den, f)), lost = vsel(go, 1.0 - made_up, zero);
    denied = vsel(denied > unmet, unmet, denied);
    vd rationed = (unmet - denied) * lost;
    denied *= lost;
    ship_flow(e, w, f, i, p, t, L, dl, imm, del, w->claimI);
    schedule_lanes(w->claimI, H, t, dec, denied);
    schedule_all(w->claimI, H, t, 0, rationed);
    LANES if (go[l]) {
        int l0 = t, l1 = t + (int)lag_clamp(dlL[l] > dec[l] ? dlL[l] : dec[l]) + 1; /* a bound on ceil */
        if (l0 < *lo)
            *lo = l0;
        if (l1 > *hi)
            *hi = l1;
    }
}

/* Volume v of cell c (product p) claimed at a split lag from t in every
 * lane: a claim on the pool, or (lapse) a refusal known then; on order
 * until then. */
__attribute__((always_inline)) static inline void claim_cell(const ms_engine *e, ms_work *w, int c, int p, lag_split *lag, vd v,
                                                            int lapse)
{
    if (!vany(v != 0)) /* nothing in any lane (adding +0 would change no bit) */
        return;
    int cp = c * e->P + p;
    double *a = AT(lapse ? w->lap : w->claim, (size_t)cp * e->H);
    schedule_split(a, lag, v);
    VD(AT(w->U, cp)) += v;
}

/* The departures and arrivals of flow f's volume granted at t: first pass
 * and diverted, at once and after the licence delay. */
static void flow_arrivals(const ms_engine *e, ms_work *w, int f, int i, int p, int t)
{
    vd zero = vsplat(0), total = VD(AT(w->granted, f)) + VD(AT(w->g2, f));
    if (!vany(total > 0))
        return;
    vd L = VD(VS(e->i_transit[i * e->S + e->fl_s[f]]));
    vd del = VD(AT(w->r, f)) * VD(AT(w->del, f)) + VD(AT(w->dreq, f)), imm = total - del;
    imm = vsel(imm > 0, imm, zero);
    ship_flow(e, w, f, i, p, t, L, VD(AT(w->delay, f)), imm, del, NULL);
}

/* Flow f's volume approved from licence queues (after rationing): departs
 * after the delay, arrives after the transit, claimed by the cells that
 * waited for it (a buying stockpile's part to its own pipeline); then this
 * month's queued volume waits (a per-cell flow: each cell's own; else by
 * import order share phi, and the stockpile's share s). */
static void queue_flow(const ms_engine *e, ms_work *w, int f, int i, int p, int t)
{
    vd q = VD(AT(w->qgr, f)), zero = vsplat(0);
    if (vany(q > 0)) {
        vd L = VD(VS(e->i_transit[i * e->S + e->fl_s[f]])), dl = VD(AT(w->qdel, f));
        double *a = AT(w->arr, (size_t)(i * e->P + p) * e->H), *dp = AT(w->dep, (size_t)f * e->T);
        vd qs = queue_take(e, w, f, q, 1, dl + L, t), qp = q; /* the stockpile's part, the pool's */
        if (buying(e, i, p)) { /* on order since it joined the queue: now in transit to the stockpile */
            schedule_lanes(AT(w->sarr, (size_t)(i * e->P + p) * e->H), e->H, t, dl + L, qs);
            qp = q - qs;
        }
        schedule_lanes(a, e->H, t, dl + L, qp);
        schedule_lanes(dp, e->T, t, dl, q);
    }
    vd in = VD(AT(w->qin, f)), N = VD(AT(w->N, i * e->P + p));
    if (!vany(in > 0))
        return;
    for (int c = e->cell0[i], j = e->fc0[f]; j < e->fc0[f + 1]; c++, j++) {
        vd x = VD(AT(w->cq, j));
        if (!e->fl_cell[f])
            x = vsel(N > 0, in * VD(AT(w->nc, c * e->P + p)) / N, zero);
        VD(AT(w->qpend, j)) += x;
        VD(AT(w->U, c * e->P + p)) += x;
    }
    if (buying(e, i, p) && !e->fl_cell[f]) { /* the stockpile's share waits too */
        vd x = in * stock_share(e, w, i, p);
        VD(AT(w->qsp, f)) += x;
        VD(AT(w->Usp, i * e->P + p)) += x;
    }
}

/* The first-pass claims of a per-cell flow f, cell by cell: what ships at
 * once and after the delay, what capacity rationed (claimed now) and what
 * the controls refused (known after their decision time, with no claim on
 * the pool: an industry's grades or an end use, not the importer's
 * share); each cell's unmet volume into cun. */
static void cells_of_flow(const ms_engine *e, ms_work *w, int f, int i, int p, int t, vd lost)
{
    vd zero = vsplat(0), L = VD(VS(e->i_transit[i * e->S + e->fl_s[f]]));
    vd fr = VD(AT(w->sfrac0, e->fl_s[f] * e->P + p)), dl = VD(AT(w->delay, f)), dec = VD(AT(w->decide, f));
    lag_split sL = lag_at(t, e->H, L), sdL = lag_at(t, e->H, dl + L), s0 = lag_at(t, e->H, zero), sdec = lag_at(t, e->H, dec);
    for (int c = e->cell0[i], j = e->fc0[f]; j < e->fc0[f + 1]; c++, j++) {
        vd rc = VD(AT(w->nc, c * e->P + p)) * VD(AT(w->w, f)), pi = VD(AT(w->cpi, j)), fa = VD(AT(w->cfall, j));
        vd d = pi - fa, cq = VD(AT(w->cq, j));
        d = vsel(d < 1e-15, zero, d);
        vd den = rc * (1.0 - pi) - cq;
        den = vsel(den > 0, den, zero);
        claim_cell(e, w, c, p, &sL, rc * fa * fr, 0);
        claim_cell(e, w, c, p, &sdL, rc * d * fr, 0);
        claim_cell(e, w, c, p, &s0, rc * pi * (1.0 - fr) * lost, 0);
        claim_cell(e, w, c, p, &sdec, den * lost, 1);
        VD(AT(w->cun, c)) += den + rc * pi * (1.0 - fr);
    }
}

/* The first-pass claims of an ordinary flow of an importer with per-cell
 * flows: by import order share phi (cphi), refusals claimed on the pool. */
static void shares_of_flow(const ms_engine *e, ms_work *w, int f, int i, int p, int t, vd lost)
{
    vd zero = vsplat(0), L = VD(VS(e->i_transit[i * e->S + e->fl_s[f]]));
    vd gdel = VD(AT(w->r, f)) * VD(AT(w->del, f)), gimm = VD(AT(w->granted, f)) - gdel;
    gimm = vsel(gimm > 0, gimm, zero);
    vd unmet = VD(AT(w->unmet, f)), den = VD(AT(w->den, f));
    den = vsel(den > unmet, unmet, den);
    vd dl = VD(AT(w->delay, f)), dec = VD(AT(w->decide, f));
    lag_split sL = lag_at(t, e->H, L), sdL = lag_at(t, e->H, dl + L), sdec = lag_at(t, e->H, dec), s0 = lag_at(t, e->H, zero);
    vd dlost = den * lost, ulost = (unmet - den) * lost;
    /* which claims carry volume in some lane: the others add +0 in every cell */
    int gi = vany(gimm != 0), gd = vany(gdel != 0), dn = vany(dlost != 0), ul = vany(ulost != 0), un = vany(unmet != 0);
    if (!(gi | gd | dn | ul | un))
        return;
    for (int c = e->cell0[i]; c < e->cell0[i + 1]; c++) {
        vd phi = VD(AT(w->cphi, c));
        if (gi)
            claim_cell(e, w, c, p, &sL, gimm * phi, 0);
        if (gd)
            claim_cell(e, w, c, p, &sdL, gdel * phi, 0);
        if (dn)
            claim_cell(e, w, c, p, &sdec, dlost * phi, 0);
        if (ul)
            claim_cell(e, w, c, p, &s0, ulost * phi, 0);
        if (un)
            VD(AT(w->cun, c)) += unmet * phi;
    }
}

/* Step 8 for an importer with per-cell flows of p: claims cell by cell;
 * the volume diverted to make up for what was missed is claimed by the
 * cells in proportion to what each missed. */
static void transit_cells(const ms_engine *e, ms_work *w, int i, int p, int t, vd made_up)
{
    int f0 = e->fl0[p * e->I + i], f1 = e->fl0[p * e->I + i + 1];
    vd zero = vsplat(0), lost = 1.0 - made_up, cun = zero, N = VD(AT(w->N, i * e->P + p));
    for (int c = e->cell0[i]; c < e->cell0[i + 1]; c++) {
        VD(AT(w->cun, c)) = zero;
        VD(AT(w->cphi, c)) = vsel(N > 0, VD(AT(w->nc, c * e->P + p)) / N, zero); /* import order share */
    }
    for (int f = f0; f < f1; f++) {
        flow_arrivals(e, w, f, i, p, t);
        if (e->fl_cell[f])
            cells_of_flow(e, w, f, i, p, t, lost);
        else
            shares_of_flow(e, w, f, i, p, t, lost);
    }
    for (int c = e->cell0[i]; c < e->cell0[i + 1]; c++)
        cun += VD(AT(w->cun, c));
    for (int c = e->cell0[i]; c < e->cell0[i + 1]; c++) /* the share of what the cell missed */
        VD(AT(w->cphi, c)) = vsel(cun > 0, VD(AT(w->cun, c)) / cun, zero);
    vd keep = vsplat(1); /* the industries' part of the diverted volume: all, or all but the stockpile's share */
    if (buying(e, i, p))
        keep = 1.0 - stock_share(e, w, i, p);
    for (int f = f0; f < f1; f++) {
        vd g2 = VD(AT(w->g2, f)), del2 = VD(AT(w->dreq, f)), imm2 = g2 - del2;
        if (!vany(g2 > 0))
            continue;
        if (buying(e, i, p)) {
            g2 *= keep;
            del2 *= keep;
            imm2 = g2 - del2;
        }
        vd L = VD(VS(e->i_transit[i * e->S + e->fl_s[f]])), dl = VD(AT(w->delay, f));
        lag_split sL = lag_at(t, e->H, L), sdL = lag_at(t, e->H, dl + L);
        imm2 = vsel(imm2 > 0, imm2, zero);
        for (int c = e->cell0[i]; c < e->cell0[i + 1]; c++) {
            vd sh = VD(AT(w->cphi, c));
            claim_cell(e, w, c, p, &sL, imm2 * sh, 0);
            claim_cell(e, w, c, p, &sdL, del2 * sh, 0);
        }
    }
}

void step_transit(const ms_engine *e, ms_work *w, int t, int p)
{
    int P = e->P, H = e->H;
    for (int i = 0; i < e->I; i++) {
        int f0 = e->fl0[p * e->I + i], f1 = e->fl0[p * e->I + i + 1];
        vd zero = vsplat(0), un = zero, gdiv = zero;
        for (int f = f0; f < f1; f++) {
            un += VD(AT(w->unmet, f));
            gdiv += VD(AT(w->g2, f));
        }
        vd made_up = vsel(un > 0, gdiv / un, zero);
        made_up = vsel(made_up > 1, vsplat(1), made_up);
        if (e->ip_cell[i * P + p]) {
            transit_cells(e, w, i, p, t, made_up);
        } else {
            int lo = H, hi = -1;
            for (int f = f0; f < f1; f++)
                schedule_flow(e, w, f, i, p, t, made_up, &lo, &hi);
            if (hi >= H)
                hi = H - 1;
            /* spread the importer's claims over its industries by import order
             * share (a lane's claims are 0 outside its own months: +0 there) */
            vd N = VD(AT(w->N, i * e->P + p));
            for (int c = e->cell0[i]; c < e->cell0[i + 1]; c++) {
                int cp = c * P + p;
                vd phi = vsel(N > 0, VD(AT(w->nc, c * e->P + p)) / N, zero);
                phi = vsel(phi > 0, phi, zero);
                double *cl = AT(w->claim, (size_t)cp * H);
                vd U = VD(AT(w->U, cp));
                for (int k = lo; k <= hi; k++) {
                    vd v = VD(AT(w->claimI, k)) * phi;
                    VD(cl + (size_t)k * W) += v;
                    U += v; /* on order until due (claims due now leave U at allocation) */
                }
                VD(AT(w->U, cp)) = U;
            }
            for (int k = lo < 0 ? 0 : lo; k <= hi; k++)
                VD(AT(w->claimI, k)) = zero;
        }
        if (e->has_queue)
            for (int f = f0; f < f1; f++)
                queue_flow(e, w, f, i, p, t);
    }
}

/* ---- 9. allocation inside the importer ---------------------------------------------------------- */

/* The pool's leftover when end-use bans may be on: to the industries not
 * banned, in proportion to demand (equally when there is none); when every
 * industry of the product is banned, to all of them (the stock is the
 * importer's). */
static void leftover_without_banned(const ms_engine *e, ms_work *w, int i, int p, vd pool)
{
    int P = e->P;
    vd zero = vsplat(0), Ds = zero, n = zero, Da = zero, na = zero;
    for (int c = e->cell0[i]; c < e->cell0[i + 1]; c++)
        if (e->c_D0[c * P + p] != NONE) {
            vl ok = ~VL(AT(w->noleft, c * P + p));
            vd D = VD(AT(w->D, c * P + p));
            Ds += vsel(ok, D, zero);
            n += vsel(ok, vsplat(1), zero);
            Da += D;
            na += 1.0;
        }
    vl none = n <= 0;
    for (int c = e->cell0[i]; c < e->cell0[i + 1]; c++)
        if (e->c_D0[c * P + p] != NONE) {
            vl ok = ~VL(AT(w->noleft, c * P + p)) | none;
            vd ds = vsel(none, Da, Ds), nn = vsel(none, na, n), D = VD(AT(w->D, c * P + p));
            vd add = vsel(ds > 0, pool * D / ds, pool / nn);
            VD(AT(w->recv, c)) += vsel(ok & (pool > 0), add, zero);
        }
}

/* The pool (arrivals + recycling) rationed against the claims due at t:
 * tiers in priority order, proportional inside a tier; the leftover to the
 * industries' stocks in proportion to demand (equally when there is none). */
static void ration_pool(const ms_engine *e, ms_work *w, int i, int p, int t)
{
    int P = e->P, H = e->H, c0 = e->cell0[i], c1 = e->cell0[i + 1];
    vd zero = vsplat(0);
    vd pool = VD(AT(w->arr, (size_t)(i * P + p) * H + t)) + VD(AT(w->Rm, i * e->P + p));
    for (int c = c0; c < c1; c++)
        VD(AT(w->recv, c)) = zero;
    for (int k = e->tier0[i]; k < e->tier0[i + 1]; k++) {
        const ms_tier *tr = &e->tiers[k];
        vd need = zero;
        for (int j = tr->a; j < tr->b; j++) {
            int c = e->c_order[j];
            need += VD(AT(w->claim, (size_t)(c * P + p) * H + t)) + VD(AT(w->rc, c * e->P + p));
        }
        vd give = vsel(need < pool, need, pool);
        for (int j = tr->a; j < tr->b; j++) {
            int c = e->c_order[j];
            vd cl = VD(AT(w->claim, (size_t)(c * P + p) * H + t)) + VD(AT(w->rc, c * e->P + p));
            VD(AT(w->recv, c)) += vsel(need > 0, give * cl / need, zero);
        }
        pool -= give;
    }
    if (!vany(pool > 0))
        return;
    if (e->ip_cell[i * P + p]) {
        leftover_without_banned(e, w, i, p, pool);
        return;
    }
    vd Ds = zero;
    int n = 0;
    for (int c = c0; c < c1; c++)
        if (e->c_D0[c * P + p] != NONE) {
            Ds += VD(AT(w->D, c * P + p));
            n++;
        }
    for (int c = c0; c < c1; c++)
        if (e->c_D0[c * P + p] != NONE) {
            vd add = vsel(Ds > 0, pool * VD(AT(w->D, c * P + p)) / Ds, pool / n);
            VD(AT(w->recv, c)) += vsel(pool > 0, add, zero);
        }
}

/* Consumption of the received volume and the stocks: shortage before any
 * release (csh), stocks carried over; returns the importer's fill rate
 * before releases. */
static vd consume(const ms_engine *e, ms_work *w, int i, int p, int t)
{
    int P = e->P, H = e->H;
    vd zero = vsplat(0), cons_s = zero, dem_s = zero;
    for (int c = e->cell0[i]; c < e->cell0[i + 1]; c++) {
        int cp = c * P + p;
        vd D = VD(AT(w->D, cp)), recv = VD(AT(w->recv, c));
        vd U = VD(AT(w->U, cp)) - VD(AT(w->claim, (size_t)cp * H + t));
        if (e->ip_cell[i * P + p]) { /* refusals known now: no longer on order */
            U -= VD(AT(w->lap, (size_t)cp * H + t));
            VD(AT(w->lap, (size_t)cp * H + t)) = zero;
        }
        VD(AT(w->U, cp)) = vsel(U < 0, zero, U);
        vd have = VD(AT(w->inv, cp)) + recv;
        vd cons = vsel(D < have, D, have);
        VD(AT(w->inv, cp)) = have - cons;
        VD(AT(w->csh, c)) = D - cons;
        VD(AT(w->xrel, c)) = zero;
        cons_s += cons;
        dem_s += D;
    }
    return vsel(dem_s > 0, cons_s / dem_s, vsplat(1.0));
}

void step_importer_allocation(const ms_engine *e, ms_work *w, int t, int p)
{
    int P = e->P, H = e->H, C = e->C, I = e->I;
    ms_trace *tr = w->trace;
    for (int i = 0; i < I; i++) {
        int ip = i * P + p;
        ration_pool(e, w, i, p, t);
        /* stockpiles fill the gaps left: their hooks see the fill rate before releases */
        VD(AT(w->fillp, ip)) = consume(e, w, i, p, t);
        VD(AT(w->Xm, i)) = vsplat(0);
        ms_hook_ctx x = {.t = t, .p = p, .i = i};
        ms_hooks_run(e, w, MS_HOOK_RELEASE, &x);
        vd zero = vsplat(0), cons_s = zero, dem_s = zero;
        for (int c = e->cell0[i]; c < e->cell0[i + 1]; c++) {
            int cp = c * P + p;
            vd D = VD(AT(w->D, cp)), xr = VD(AT(w->xrel, c));
            vd sh = VD(AT(w->csh, c)) - xr;
            sh = vsel(sh < 0, zero, sh);
            cons_s += D - sh;
            dem_s += D;
            /* metrics: entity = cell, importer roll-up, total */
            VD(AT(w->cshort, c)) += sh;
            VD(AT(w->m_short, c)) += sh;
            VD(AT(w->m_dem, c)) += D;
            VD(AT(w->m_short, C + i)) += sh;
            VD(AT(w->m_dem, C + i)) += D;
            VD(AT(w->m_short, C + I)) += sh;
            VD(AT(w->m_dem, C + I)) += D;
            if (tr) {
                size_t k = ((size_t)t * C + c) * P + p;
                tr->demand[k] = D[0];
                tr->orders[k] = AT(w->O, cp)[0];
                tr->received[k] = AT(w->recv, c)[0] + xr[0];
                tr->consumption[k] = D[0] - sh[0];
                tr->shortage[k] = sh[0];
                tr->inventory[k] = AT(w->inv, cp)[0];
            }
        }
        vd fillp = vsel(dem_s > 0, cons_s / dem_s, vsplat(1.0));
        VD(AT(w->fillp, ip)) = fillp;
        if (tr) {
            size_t k = ((size_t)t * I + i) * P + p;
            tr->arrivals[k] = AT(w->arr, (size_t)ip * H + t)[0];
            tr->recycled[k] = AT(w->Rm, i * e->P + p)[0];
            tr->released[k] = AT(w->Xm, i)[0];
            tr->fill_rate[k] = fillp[0];
        }
        /* this month of the pipelines is consumed: cleared for the next batch */
        VD(AT(w->arr, (size_t)ip * H + t)) = zero;
        for (int c = e->cell0[i]; c < e->cell0[i + 1]; c++)
            VD(AT(w->claim, (size_t)(c * P + p) * H + t)) = zero;
    }
}

/* ---- 10. prices -------------------------------------------------------------------------------------- */

static int monthly(const ms_engine *e, int sl);

static void supplier_prices(const ms_engine *e, ms_work *w, int p)
{
    int P = e->P;
    for (int s = 0; s < e->S; s++) {
        int sp = s * P + p;
        if (monthly(e, e->s_price[sp])) /* a price drawn every month moves the base of scarcity pricing */
            VD(AT(w->rho0, sp)) = VD(VS(e->s_price[sp]));
        vd Es = VD(AT(w->E, sp)), req = VD(AT(w->reqtot, s * e->P + p)), one = vsplat(1.0);
        vd x = vsel(Es > 0, req / Es, vsel(req > 0, vsplat(HUGE_VAL), one));
        vd mult = one;
        vl up = x > 1;
        if (vany(up)) {
            const double *eta = VS(e->s_eta[s]);
            LANES if (up[l]) mult[l] = pow(x[l], eta[l]);
        }
        vd capm = VD(VS(e->s_pcap[s]));
        mult = vsel(mult > capm, capm, mult);
        VD(AT(w->rho, sp)) = VD(AT(w->rho0, sp)) * mult;
    }
}

/* The landed cost index of importer i: the delivered-volume-weighted landed
 * cost over the baseline (the shares' weights when nothing was delivered). */
static vd cost_index(const ms_engine *e, ms_work *w, int i, int p)
{
    int P = e->P, S = e->S, f0 = e->fl0[p * e->I + i], f1 = e->fl0[p * e->I + i + 1];
    vd zero = vsplat(0), num = zero, den = zero;
    for (int f = f0; f < f1; f++) {
        vd q = VD(AT(w->granted, f)) + VD(AT(w->g2, f));
        if (e->has_queue)
            q += VD(AT(w->qgr, f));
        vl on = ~(q <= 0);
        vd land = VD(AT(w->rho, e->fl_s[f] * P + p)) * (1.0 + VD(AT(w->tar, f)));
        num += vsel(on, q * land, zero);
        den += vsel(on, q, zero);
    }
    vl none = den <= 0;
    if (vany(none)) {
        vd wsum = zero; /* weights: the shares, or the baseline shares when every share is 0 */
        for (int f = f0; f < f1; f++)
            wsum += VD(AT(w->w, f));
        for (int f = f0; f < f1; f++) {
            vd q = vsel(wsum > 0, VD(AT(w->w, f)), vsplat(e->w0[(i * S + e->fl_s[f]) * P + p]));
            vl on = none & ~(q <= 0);
            vd add = q * VD(AT(w->rho, e->fl_s[f] * P + p)) * (1.0 + VD(AT(w->tar, f)));
            num = vsel(on, num + add, num);
            den = vsel(on, den + q, den);
        }
    }
    vd cb = VD(AT(w->cb, i * P + p));
    vd ci = vsel((den > 0) & (cb > 0), (num / den) / cb, vsplat(1.0));
    return vsel(ci <= MAX_PRICE_INDEX, ci, vsplat(MAX_PRICE_INDEX)); /* a tiny baseline cost can overflow */
}

/* A scarcity premium f^(1/eps) when f < 1 (the cap when f = 0), capped: the
 * consumption premium of the fill rate and eps_short, the destination
 * premium of the market fill and eps_dest. */
static vd scarcity_premium(vd f, const double *pcap, const double *epss)
{
    vd prem = vsplat(1.0);
    vl short_ = f < 1;
    if (vany(short_))
        LANES if (short_[l]) {
            double pc = pcap[l], es = epss[l];
            prem[l] = f[l] > 0 && es < 0 ? pow(f[l], 1.0 / es) : pc;
            if (prem[l] > pc)
                prem[l] = pc;
        }
    return prem;
}

/* The importer's market fill of the month: the volume granted at origin to
 * it (first and diverted passes, over its suppliers) over its import need
 * (1 when it needs nothing).  It exceeds 1 only by a rounding of the
 * shares' sum, and scarcity_premium prices any fill >= 1 as 1: the min(1, .)
 * of docs/model.md. */
static vd market_fill(const ms_engine *e, ms_work *w, int i, int p)
{
    int f0 = e->fl0[p * e->I + i], f1 = e->fl0[p * e->I + i + 1];
    vd got = vsplat(0), N = VD(AT(w->N, i * e->P + p));
    for (int f = f0; f < f1; f++) {
        got += VD(AT(w->granted, f)) + VD(AT(w->g2, f));
        if (e->has_queue)
            got += VD(AT(w->qgr, f)); /* approvals from licence queues are supply of the month too */
    }
    return vsel(N > 0, got / N, vsplat(1.0));
}

void step_prices(const ms_engine *e, ms_work *w, int t, int p)
{
    int P = e->P;
    supplier_prices(e, w, p);
    for (int i = 0; i < e->I; i++) {
        int ip = i * P + p;
        if (!e->i_hasp[ip])
            continue;
        vd prem = scarcity_premium(VD(AT(w->fillp, ip)), VS(e->i_pcap[i]), VS(e->i_epss[i]));
        if (e->i_epsd[i] != NONE) { /* the destination premium, where the scarcity of supply prices */
            vd dprem = scarcity_premium(market_fill(e, w, i, p), VS(e->i_pcap[i]), VS(e->i_epsd[i]));
            prem = vsel(dprem > prem, dprem, prem);
        }
        VD(AT(w->pi, ip)) = cost_index(e, w, i, p) * prem;
        ms_hook_ctx x = {.t = t, .p = p, .i = i};
        ms_hooks_run(e, w, MS_HOOK_PRICE, &x);
        vd pi = VD(AT(w->pi, ip)), sm = VD(VS(e->i_smooth[i]));
        sm = vsel(sm < 1, vsplat(1), sm);
        VD(AT(w->pibar, ip)) += (pi - VD(AT(w->pibar, ip))) / sm;
        vd shock = pi - 1.0, pk = VD(AT(w->pk, ip));
        VD(AT(w->pk, ip)) = vsel(shock > pk, shock, pk);
        VD(AT(w->ps, ip)) += shock;
        VD(AT(w->pf, ip)) = shock;
        if (e->sr_price[ip] != NONE)
            out_point(w, e->sr_price[ip] + t, pi);
        if (w->trace)
            w->trace->price_index[((size_t)t * e->I + i) * P + p] = pi[0];
    }
}

/* ---- after the month ------------------------------------------------------------------------------------ */

/* Monthly roll-ups of the shortage entities: shares, peaks, months short. */
static void shortage_rollups(const ms_engine *e, ms_work *w, int t)
{
    int T = e->T;
    vd thr = vsplat(e->sc->shortage_threshold), zero = vsplat(0);
    vl tv;
    LANES tv[l] = t;
    for (int en = 0; en < e->nent; en++) {
        vd msh = VD(AT(w->m_short, en)), mdm = VD(AT(w->m_dem, en));
        vd share = vsel(mdm > 0, msh / mdm, zero);
        VD(AT(w->e_short, en)) += msh;
        VD(AT(w->e_dem, en)) += mdm;
        vd pk = VD(AT(w->e_peak, en));
        VD(AT(w->e_peak, en)) = vsel(share > pk, share, pk);
        vl over = share > thr;
        VL(AT(w->e_ms, en)) -= over; /* a true mask is -1 */
        vl first = VL(AT(w->e_first, en));
        VL(AT(w->e_first, en)) = (over & (first < 0) & tv) | (~(over & (first < 0)) & first);
        VL(AT(w->e_last, en)) = (over & tv) | (~over & VL(AT(w->e_last, en)));
        if (e->series_on)
            out_point(w, e->sr_short0 + en * T + t, share);
        VD(AT(w->m_short, en)) = VD(AT(w->m_dem, en)) = zero;
    }
}

/* 1 when slot sl is drawn every month (its users recompute what they derive). */
static int monthly(const ms_engine *e, int sl)
{
    return e->slot_monthly[sl];
}

/* Inventory cover series, sticky substitution toward its ceiling while a
 * price index the industry faces is above its trigger or the industry's
 * shortage share of the month is above the threshold, growth. */
static void industries_month_end(const ms_engine *e, ms_work *w, int t)
{
    int P = e->P, T = e->T;
    vd thr = vsplat(e->sc->shortage_threshold), zero = vsplat(0);
    for (int c = 0; c < e->C; c++) {
        int i = e->c_imp[c];
        vd Ds = zero, Is = zero, strig = VD(VS(e->c_strig[c]));
        vl trig = (vl)zero;
        for (int p = 0; p < P; p++) {
            if (e->c_D0[c * P + p] == NONE)
                continue;
            Ds += VD(AT(w->D, c * P + p));
            Is += VD(AT(w->inv, c * P + p));
            trig |= VD(AT(w->pibar, i * P + p)) > strig;
        }
        if (e->series_on)
            out_point(w, e->sr_cover0 + c * T + t, vsel(Ds > 0, Is / Ds, zero));
        if (monthly(e, e->c_stau[c]) || monthly(e, e->c_g[c]))
            LANES {
                double tau = VS(e->c_stau[c])[l];
                AT(w->srate, c)[l] = ms_gap_closed(tau);
                AT(w->gm, c)[l] = ms_monthly_growth(VS(e->c_g[c])[l]);
            }
        vd dm = VD(AT(w->m_dem, c)), share = vsel(dm > 0, VD(AT(w->m_short, c)) / dm, zero);
        vd smax = VD(VS(e->c_smax[c])), sub = VD(AT(w->sub, c));
        vl move = (smax > sub) & (trig | (share > thr));
        VD(AT(w->sub, c)) = vsel(move, sub + (smax - sub) * VD(AT(w->srate, c)), sub);
        vd gf = VD(AT(w->gf, c)) * VD(AT(w->gm, c));
        VD(AT(w->gf, c)) = vsel(gf > MAX_GROWTH_FACTOR, vsplat(MAX_GROWTH_FACTOR), gf);
        VD(AT(w->cshort, c)) = zero;
        if (w->trace)
            w->trace->substitution[(size_t)t * e->C + c] = AT(w->sub, c)[0];
    }
}

void step_month_end(const ms_engine *e, ms_work *w, int t)
{
    industries_month_end(e, w, t);
    shortage_rollups(e, w, t);
}
