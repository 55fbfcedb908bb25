/*
 * steps.c - the steps of one month (docs/model.md, "One month"), each a
 * function named after its section, for the MS_LANES paths of a workspace.
 *
 * The month loop (sim/path.c) calls, in this order:
 *   step_draw_monthly_inputs, step_capacity, step_policy_month, then for
 *   each product: step_demand, step_orders, step_secondary_supply,
 *   step_sourcing, step_export_controls, step_supplier_allocation,
 *   step_diversion, step_transit, step_importer_allocation, step_prices;
 *   and last step_month_end.
 *
 * Rules of this file: every quantity is per lane ([entity][W], see
 * engine_int.h) and every lane performs the operations of a scalar path in
 * the same order (sums over suppliers or importers run over the product's
 * flow lists in ascending order); a policy acts only through its hooks;
 * nothing is allocated.  Inner loops run over lanes so that the compiler
 * vectorises them; where a lane must branch (a special function, a lane's
 * own schedule) the loop is written per lane.
 */
#include <math.h>
#include <string.h>
#include "engine_int.h"

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
    if (!(lag > 0))
        lag = 0;
    long n = (long)lag; /* lag >= 0: truncation is floor, without a libm call */
    double f = lag - (double)n;
    long k = t + n;
    if (k >= H)
        return;
    a[k * W + l] += v * (1.0 - f);
    if (f > 0 && k + 1 < H)
        a[(k + 1) * W + l] += v * f;
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
static void capacity_of(const ms_engine *e, ms_work *w, int s, int p, int t, double *Cm)
{
    int sp = s * e->P + p;
    const double *base = VS(e->s_cap[sp]);
    LANES Cm[l] = base[l] / 12.0;
    for (int k = e->sp_exp0[sp]; k < e->sp_exp0[sp + 1]; k++) {
        int x = e->sp_exp[k];
        const double *add = VS(e->exp_cap[x]), *st = VS(e->exp_start[x]), *rm = VS(e->exp_ramp[x]);
        LANES Cm[l] += add[l] / 12.0 * ms_ramp(t, st[l], rm[l]);
    }
}

void step_capacity(const ms_engine *e, ms_work *w, int t)
{
    int P = e->P;
    for (int s = 0; s < e->S; s++) {
        if (e->s_out_h[s] != NONE)
            LANES outage_start(e, w, s, t, l);
        double factor[W], Cm[W];
        const int *until = AT(w->out_until, s);
        const double *cut = AT(w->out_cut, s);
        LANES factor[l] = t < until[l] ? 1.0 - cut[l] : 1.0;
        for (int p = 0; p < P; p++) {
            capacity_of(e, w, s, p, t, Cm);
            const double *es = VS(e->s_es[s * P + p]);
            double *cap = AT(w->cap, s * P + p), *E = AT(w->E, s * P + p);
            LANES {
                cap[l] = Cm[l] * factor[l];
                E[l] = es[l] * Cm[l] * factor[l];
            }
        }
    }
}

/* Exportable capacity of month 0 without outages (the steady state's shares). */
void ms_capacity_month0(const ms_engine *e, ms_work *w)
{
    double Cm[W];
    for (int s = 0; s < e->S; s++)
        for (int p = 0; p < e->P; p++) {
            capacity_of(e, w, s, p, 0, Cm);
            const double *es = VS(e->s_es[s * e->P + p]);
            double *E = AT(w->E, s * e->P + p);
            LANES E[l] = es[l] * Cm[l];
        }
}

/* Baseline demand growth of each importer and product (licence budgets). */
static void baseline_growth(const ms_engine *e, ms_work *w)
{
    int P = e->P;
    for (int i = 0; i < e->I; i++)
        for (int p = 0; p < P; p++) {
            double g[W] = {0};
            for (int c = e->cell0[i]; c < e->cell0[i + 1]; c++) {
                int sl = e->c_D0[c * P + p];
                if (sl == NONE)
                    continue;
                const double *D0 = VS(sl), *gf = AT(w->gf, c);
                LANES g[l] += D0[l] / 12.0 * gf[l];
            }
            const double *Ds = AT(w->D0sum, i * P + p);
            double *gs = AT(w->gscale, i * P + p);
            LANES gs[l] = Ds[l] > 0 ? g[l] / Ds[l] : 1.0;
        }
}

/* Tariff rates of month t on every flow (0 where no tariff applies). */
void ms_tariffs_of_month(const ms_engine *e, ms_work *w, int t)
{
    memset(w->tar, 0, sizeof(double) * (size_t)e->nflows * W);
    ms_hook_ctx x = {.t = t, .p = -1, .i = -1};
    ms_hooks_run(e, w, MS_HOOK_TARIFF, &x);
}

/* After capacity: baseline growth, this month's tariffs, the policies'
 * regimes (export controls: on or off, approval share, hoarding flags). */
void step_policy_month(const ms_engine *e, ms_work *w, int t)
{
    baseline_growth(e, w);
    ms_tariffs_of_month(e, w, t);
    memset(w->hoard, 0, sizeof(int) * (size_t)e->I * e->P * W);
    ms_hook_ctx x = {.t = t, .p = -1, .i = -1};
    ms_hooks_run(e, w, MS_HOOK_MONTH, &x);
}

/* ---- 2. demand ------------------------------------------------------------------- */

void step_demand(const ms_engine *e, ms_work *w, int t, int p)
{
    int P = e->P;
    int shocks = e->hk0[MS_HOOK_DEMAND][1] > e->hk0[MS_HOOK_DEMAND][0];
    if (shocks) {
        LANES for (int c = 0; c < e->C; c++) AT(w->shock, c)[l] = 1.0;
        ms_hook_ctx x = {.t = t, .p = p, .i = -1};
        ms_hooks_run(e, w, MS_HOOK_DEMAND, &x);
    }
    for (int i = 0; i < e->I; i++) {
        const double *pibar = AT(w->pibar, i * P + p), *eps = VS(e->i_eps[i]);
        double pfb[W];
        LANES {
            double f = pibar[l] != 1.0 ? pow(pibar[l], eps[l]) : 1.0; /* price feedback */
            pfb[l] = f <= MAX_PRICE_RESPONSE ? f : MAX_PRICE_RESPONSE; /* pibar -> 0: pow is inf */
        }
        for (int c = e->cell0[i]; c < e->cell0[i + 1]; c++) {
            int cp = c * P + p, sl = e->c_D0[cp];
            double *D = AT(w->D, cp);
            if (sl == NONE) {
                LANES D[l] = 0;
                continue;
            }
            const double *D0 = VS(sl), *gf = AT(w->gf, c), *sub = AT(w->sub, c), *sh = AT(w->shock, c);
            LANES {
                double d = D0[l] / 12.0 * gf[l];
                if (shocks)
                    d *= sh[l];
                d *= pfb[l];
                d *= 1.0 - sub[l];
                D[l] = d > MAX_DEMAND_T ? MAX_DEMAND_T : d;
            }
        }
    }
}

/* ---- 3. orders --------------------------------------------------------------------- */

void step_orders(const ms_engine *e, ms_work *w, int t, int p)
{
    int P = e->P, S = e->S;
    for (int i = 0; i < e->I; i++) {
        int ip = i * P + p;
        double Lbar[W] = {0}, *Osum = AT(w->Osum, i);
        for (int f = e->fl0[p * e->I + i]; f < e->fl0[p * e->I + i + 1]; f++) {
            const double *we = AT(w->weff, f), *L = VS(e->i_transit[i * S + e->fl_s[f]]);
            LANES Lbar[l] += we[l] * L[l];
        }
        const int *hoard = AT(w->hoard, ip);
        LANES Osum[l] = 0;
        for (int c = e->cell0[i]; c < e->cell0[i + 1]; c++) {
            int cp = c * P + p;
            double *O = AT(w->O, cp);
            if (e->c_D0[cp] == NONE) {
                LANES O[l] = 0;
                continue;
            }
            const double *D = AT(w->D, cp), *cm = VS(e->c_m[c]), *h = VS(e->c_h[c]), *ctau = VS(e->c_tau[c]);
            const double *inv = AT(w->inv, cp), *U = AT(w->U, cp);
            LANES {
                double m = cm[l];
                if (hoard[l])
                    m *= 1.0 + h[l];
                double tau = ctau[l];
                if (tau < 1)
                    tau = 1;
                double gap = m * D[l] + D[l] * Lbar[l] - (inv[l] + U[l]);
                double o = D[l] + gap / tau;
                O[l] = o > 0 ? o : 0;
                Osum[l] += O[l];
            }
        }
    }
}

/* ---- 4. domestic secondary supply ----------------------------------------------------- */

void step_secondary_supply(const ms_engine *e, ms_work *w, int t, int p)
{
    int P = e->P;
    for (int i = 0; i < e->I; i++) {
        int c0 = e->cell0[i], c1 = e->cell0[i + 1];
        double *R = AT(w->Rm, i), *X = AT(w->Xm, i), *N = AT(w->N, i);
        const double *Osum = AT(w->Osum, i);
        LANES R[l] = X[l] = 0;
        for (int c = c0; c < c1; c++)
            LANES AT(w->xb, c)[l] = 0;
        ms_hook_ctx x = {.t = t, .p = p, .i = i};
        ms_hooks_run(e, w, MS_HOOK_RECYCLED, &x);
        ms_hooks_run(e, w, MS_HOOK_RELEASE, &x);
        /* orders net of releases, served by recycling pro rata, the rest imported */
        double Orest[W], Ruse[W];
        LANES {
            Orest[l] = Osum[l] - X[l];
            Ruse[l] = R[l] < Orest[l] ? R[l] : (Orest[l] > 0 ? Orest[l] : 0);
            N[l] = 0;
        }
        for (int c = c0; c < c1; c++) {
            const double *O = AT(w->O, c * P + p), *xb = AT(w->xb, c);
            double *rc = AT(w->rc, c), *nc = AT(w->nc, c);
            LANES {
                double o = O[l] - xb[l];
                if (o < 0)
                    o = 0;
                rc[l] = Orest[l] > 0 ? Ruse[l] * o / Orest[l] : 0;
                nc[l] = o - rc[l];
                if (nc[l] < 0)
                    nc[l] = 0;
                N[l] += nc[l];
            }
        }
    }
}

/* ---- 5. sourcing ------------------------------------------------------------------------ */

/* Target shares of lane l of importer i: preferences u = w0 exp(-beta (c/c0
 * - 1)) over suppliers with exportable capacity, into weff (temporarily);
 * returns sum u.  When an exponent is large (steep cost sensitivity and a
 * landed cost far below its baseline) every exponent is shifted by the
 * largest: only u / sum u matters, and exp() would overflow. */
static double preferences(const ms_engine *e, ms_work *w, int i, int p, int l)
{
    int f0 = e->fl0[p * e->I + i], f1 = e->fl0[p * e->I + i + 1], S = e->S, P = e->P;
    double beta = VS(e->i_beta[i])[l], xmax = 0;
    for (int f = f0; f < f1; f++) {
        int s = e->fl_s[f];
        double w0 = e->w0[(i * S + s) * P + p];
        if (!(AT(w->E, s * P + p)[l] > 0 && w0 > 0))
            continue;
        double land = AT(w->rho, s * P + p)[l] * (1.0 + AT(w->tar, f)[l]), c0 = AT(w->land0, f)[l];
        double ratio = c0 > 0 ? land / c0 : 1.0;
        double x = -beta * (ratio - 1.0);
        if (x > xmax)
            xmax = x;
    }
    double xshift = xmax > 600 ? xmax : 0, usum = 0;
    for (int f = f0; f < f1; f++) {
        int s = e->fl_s[f];
        double w0 = e->w0[(i * S + s) * P + p], u = 0;
        if (AT(w->E, s * P + p)[l] > 0 && w0 > 0) {
            double land = AT(w->rho, s * P + p)[l] * (1.0 + AT(w->tar, f)[l]), c0 = AT(w->land0, f)[l];
            double ratio = c0 > 0 ? land / c0 : 1.0;
            u = ratio == 1.0 && xshift == 0 ? w0 : w0 * exp(-beta * (ratio - 1.0) - xshift);
        }
        AT(w->weff, f)[l] = u;
        usum += u;
    }
    return usum;
}

void step_sourcing(const ms_engine *e, ms_work *w, int t, int p)
{
    int P = e->P;
    for (int i = 0; i < e->I; i++) {
        int f0 = e->fl0[p * e->I + i], f1 = e->fl0[p * e->I + i + 1];
        double usum[W], q[W], wsum[W] = {0};
        LANES {
            usum[l] = preferences(e, w, i, p, l);
            q[l] = VS(e->i_q[i])[l];
            if (q[l] < 1)
                q[l] = 1;
        }
        /* shares move toward the target at the qualification speed */
        for (int f = f0; f < f1; f++) {
            const double *E = AT(w->E, e->fl_s[f] * P + p);
            double *sh = AT(w->w, f), *we = AT(w->weff, f);
            LANES {
                double target = usum[l] > 0 ? we[l] / usum[l] : 0;
                sh[l] += (target - sh[l]) / q[l];
                we[l] = E[l] > 0 ? sh[l] : 0;
                wsum[l] += we[l];
            }
        }
        const double *N = AT(w->N, i);
        for (int f = f0; f < f1; f++) {
            double *we = AT(w->weff, f), *r = AT(w->r, f), *dreq = AT(w->dreq, f), *g2 = AT(w->g2, f);
            LANES {
                we[l] = wsum[l] > 0 ? we[l] / wsum[l] : 0;
                r[l] = N[l] * we[l];
                dreq[l] = 0;
                g2[l] = 0;
            }
        }
    }
}

/* ---- 6. export controls ------------------------------------------------------------------- */

/* The controls' pass rates of every flow of product p for the requests req:
 * fall = product of free shares, piall = product of pass rates, dmax = the
 * longest licence delay (engine_int.h: MS_HOOK_EXPORT_CONTROL). */
static void controls_pass(const ms_engine *e, ms_work *w, int t, int p, const double *req)
{
    for (int f = e->fl0[p * e->I]; f < e->fl0[(p + 1) * e->I]; f++)
        LANES {
            AT(w->fall, f)[l] = 1;
            AT(w->piall, f)[l] = 1;
            AT(w->dmax, f)[l] = 0;
        }
    ms_hook_ctx x = {.t = t, .p = p, .i = -1, .req = req};
    ms_hooks_run(e, w, MS_HOOK_EXPORT_CONTROL, &x);
}

void step_export_controls(const ms_engine *e, ms_work *w, int t, int p)
{
    controls_pass(e, w, t, p, w->r);
    for (int f = e->fl0[p * e->I]; f < e->fl0[(p + 1) * e->I]; f++) {
        const double *fall = AT(w->fall, f), *piall = AT(w->piall, f), *dmax = AT(w->dmax, f);
        double *imm = AT(w->imm, f), *del = AT(w->del, f), *delay = AT(w->delay, f);
        LANES {
            imm[l] = fall[l];
            double d = piall[l] - fall[l];
            del[l] = d < 1e-15 ? 0 : d;
            delay[l] = dmax[l];
        }
    }
}

/* ---- 7. supplier allocation and diversion ---------------------------------------------------- */

void step_supplier_allocation(const ms_engine *e, ms_work *w, int t, int p)
{
    int P = e->P, S = e->S;
    for (int s = 0; s < S; s++) {
        int k0 = e->fs0[p * S + s], k1 = e->fs0[p * S + s + 1];
        double Ps[W] = {0}, frac[W], used[W] = {0};
        for (int k = k0; k < k1; k++) {
            int f = e->fs[k];
            const double *r = AT(w->r, f), *imm = AT(w->imm, f), *del = AT(w->del, f);
            LANES Ps[l] += r[l] * (imm[l] + del[l]);
        }
        const double *Es = AT(w->E, s * P + p);
        LANES frac[l] = Ps[l] > Es[l] ? (Ps[l] > 0 ? Es[l] / Ps[l] : 0) : 1.0;
        for (int k = k0; k < k1; k++) {
            int f = e->fs[k];
            const double *r = AT(w->r, f);
            double *imm = AT(w->imm, f), *del = AT(w->del, f), *gr = AT(w->granted, f), *un = AT(w->unmet, f);
            LANES {
                gr[l] = r[l] * (imm[l] + del[l]) * frac[l];
                imm[l] *= frac[l];
                del[l] *= frac[l];
                un[l] = r[l] - gr[l];
                if (un[l] < 0)
                    un[l] = 0;
                used[l] += gr[l];
            }
        }
        double *spare = AT(w->spare, s), *reqtot = AT(w->reqtot, s);
        LANES {
            spare[l] = Es[l] - used[l] > 0 ? Es[l] - used[l] : 0;
            reqtot[l] = Ps[l];
        }
    }
}

/* Diverted requests: of what importer i did not get, the share delta,
 * re-requested from the suppliers that did not fail it and have spare
 * capacity, in proportion to their spare capacity (one pass). */
static void divert_requests(const ms_engine *e, ms_work *w, int p)
{
    int P = e->P;
    for (int i = 0; i < e->I; i++) {
        int f0 = e->fl0[p * e->I + i], f1 = e->fl0[p * e->I + i + 1];
        double un[W] = {0}, sp[W] = {0}, Dv[W];
        for (int f = f0; f < f1; f++)
            LANES un[l] += AT(w->unmet, f)[l];
        const double *delta = VS(e->i_delta[i]);
        LANES Dv[l] = delta[l] * un[l];
        for (int f = f0; f < f1; f++) {
            if (!e->fl_ok[f])
                continue;
            const double *u = AT(w->unmet, f), *spare = AT(w->spare, e->fl_s[f]);
            LANES if (u[l] <= 0) sp[l] += spare[l];
        }
        for (int f = f0; f < f1; f++) {
            if (!e->fl_ok[f])
                continue;
            const double *u = AT(w->unmet, f), *spare = AT(w->spare, e->fl_s[f]);
            double *dreq = AT(w->dreq, f);
            LANES if (Dv[l] > 0 && sp[l] > 0 && u[l] <= 0) dreq[l] = Dv[l] * spare[l] / sp[l];
        }
    }
    (void)P;
}

void step_diversion(const ms_engine *e, ms_work *w, int t, int p)
{
    int S = e->S;
    divert_requests(e, w, p);
    controls_pass(e, w, t, p, w->dreq);
    for (int s = 0; s < S; s++) {
        int k0 = e->fs0[p * S + s], k1 = e->fs0[p * S + s + 1];
        double Ps[W] = {0}, frac[W];
        for (int k = k0; k < k1; k++) {
            int f = e->fs[k];
            const double *fall = AT(w->fall, f), *piall = AT(w->piall, f), *dmax = AT(w->dmax, f);
            double *dreq = AT(w->dreq, f), *g2 = AT(w->g2, f), *delay = AT(w->delay, f);
            LANES {
                if (dreq[l] <= 0) {
                    g2[l] = 0;
                    continue;
                }
                double imm = fall[l], d = piall[l] - fall[l];
                double del = d < 1e-15 ? 0 : d;
                /* diverted volume passing a delayed licence shares the flow's delay */
                if (del > 0 && dmax[l] > delay[l])
                    delay[l] = dmax[l];
                g2[l] = dreq[l] * (imm + del);
                Ps[l] += g2[l];
                dreq[l] = dreq[l] * del; /* from here on: the delayed part (before the capacity cap) */
            }
        }
        const double *spare = AT(w->spare, s);
        LANES frac[l] = Ps[l] > spare[l] ? (Ps[l] > 0 ? spare[l] / Ps[l] : 0) : 1.0;
        for (int k = k0; k < k1; k++) {
            int f = e->fs[k];
            double *g2 = AT(w->g2, f), *dreq = AT(w->dreq, f);
            LANES {
                g2[l] *= frac[l];
                dreq[l] *= frac[l];
            }
        }
        double *reqtot = AT(w->reqtot, s);
        LANES reqtot[l] += Ps[l];
    }
}

/* ---- 8. transit and claims ------------------------------------------------------------------- */

/* Schedule lane l's arrivals, departures and claims of importer i's flows of
 * product p granted (or denied) at t; returns the range [*lo, *hi] of claim
 * months touched. */
static void schedule_flows(const ms_engine *e, ms_work *w, int i, int p, int t, int l, double made_up, int *lo,
                           int *hi)
{
    int H = e->H, T = e->T, S = e->S;
    double *a = AT(w->arr, (size_t)(i * e->P + p) * H);
    *lo = H;
    *hi = -1;
    for (int f = e->fl0[p * e->I + i]; f < e->fl0[p * e->I + i + 1]; f++) {
        double total = AT(w->granted, f)[l] + AT(w->g2, f)[l], unmet = AT(w->unmet, f)[l];
        if (total <= 0 && unmet <= 0)
            continue;
        double L = VS(e->i_transit[i * S + e->fl_s[f]])[l];
        double del = AT(w->r, f)[l] * AT(w->del, f)[l] + AT(w->dreq, f)[l];
        double imm = total - del;
        if (imm < 0)
            imm = 0;
        double dl = AT(w->delay, f)[l];
        ms_schedule(a, H, t, L, imm, l);
        ms_schedule(a, H, t, dl + L, del, l);
        ms_schedule(w->claimI, H, t, L, imm, l);
        ms_schedule(w->claimI, H, t, dl + L, del, l);
        /* denied and not made up: claimed at the requested arrival month */
        ms_schedule(w->claimI, H, t, L, unmet * (1.0 - made_up), l);
        /* departures */
        double *dp = AT(w->dep, (size_t)f * T);
        ms_schedule(dp, T, t, 0, imm, l);
        ms_schedule(dp, T, t, dl, del, l);
        int l0 = t + (int)L, l1 = t + (int)(dl + L) + 1; /* lags >= 0: floor and a bound on ceil */
        if (l0 < *lo)
            *lo = l0;
        if (l1 > *hi)
            *hi = l1;
    }
    if (*hi >= H)
        *hi = H - 1;
}

void step_transit(const ms_engine *e, ms_work *w, int t, int p)
{
    int P = e->P, H = e->H;
    for (int i = 0; i < e->I; i++) {
        int f0 = e->fl0[p * e->I + i], f1 = e->fl0[p * e->I + i + 1];
        double un[W] = {0}, gdiv[W] = {0};
        for (int f = f0; f < f1; f++)
            LANES {
                un[l] += AT(w->unmet, f)[l];
                gdiv[l] += AT(w->g2, f)[l];
            }
        int lo = H, hi = -1, llo[W], lhi[W];
        LANES {
            double made_up = un[l] > 0 ? gdiv[l] / un[l] : 0;
            if (made_up > 1)
                made_up = 1;
            schedule_flows(e, w, i, p, t, l, made_up, &llo[l], &lhi[l]);
            if (llo[l] < lo)
                lo = llo[l];
            if (lhi[l] > hi)
                hi = lhi[l];
        }
        /* spread the importer's claims over its industries by import order share */
        const double *N = AT(w->N, i);
        for (int c = e->cell0[i]; c < e->cell0[i + 1]; c++) {
            int cp = c * P + p;
            const double *nc = AT(w->nc, c);
            double phi[W], *U = AT(w->U, cp), *cl = AT(w->claim, (size_t)cp * H);
            LANES phi[l] = N[l] > 0 ? nc[l] / N[l] : 0;
            for (int k = lo; k <= hi; k++) {
                const double *ci = AT(w->claimI, k);
                double *ck = cl + (size_t)k * W;
                LANES if (phi[l] > 0 && k >= llo[l] && k <= lhi[l]) {
                    double v = ci[l] * phi[l];
                    ck[l] += v;
                    U[l] += v; /* on order until due (claims due now leave U at allocation) */
                }
            }
        }
        for (int k = lo < 0 ? 0 : lo; k <= hi; k++)
            LANES AT(w->claimI, k)[l] = 0;
    }
}

/* ---- 9. allocation inside the importer ---------------------------------------------------------- */

/* The pool (arrivals + recycling) rationed against the claims due at t:
 * tiers in priority order, proportional inside a tier; the leftover to the
 * industries' stocks in proportion to demand (equally when there is none). */
static void ration_pool(const ms_engine *e, ms_work *w, int i, int p, int t)
{
    int P = e->P, H = e->H, c0 = e->cell0[i], c1 = e->cell0[i + 1];
    double pool[W];
    const double *arr = AT(w->arr, (size_t)(i * P + p) * H + t), *R = AT(w->Rm, i);
    LANES pool[l] = arr[l] + R[l];
    for (int c = c0; c < c1; c++)
        LANES AT(w->recv, c)[l] = 0;
    for (int k = e->tier0[i]; k < e->tier0[i + 1]; k++) {
        const ms_tier *tr = &e->tiers[k];
        double need[W] = {0}, give[W];
        for (int j = tr->a; j < tr->b; j++) {
            int c = e->c_order[j];
            const double *cl = AT(w->claim, (size_t)(c * P + p) * H + t), *rc = AT(w->rc, c);
            LANES need[l] += cl[l] + rc[l];
        }
        LANES give[l] = need[l] < pool[l] ? need[l] : pool[l];
        for (int j = tr->a; j < tr->b; j++) {
            int c = e->c_order[j];
            const double *cl = AT(w->claim, (size_t)(c * P + p) * H + t), *rc = AT(w->rc, c);
            double *recv = AT(w->recv, c);
            LANES if (need[l] > 0) recv[l] += give[l] * (cl[l] + rc[l]) / need[l];
        }
        LANES pool[l] -= give[l];
    }
    double Ds[W] = {0};
    int n = 0;
    for (int c = c0; c < c1; c++)
        if (e->c_D0[c * P + p] != NONE) {
            const double *D = AT(w->D, c * P + p);
            LANES Ds[l] += D[l];
            n++;
        }
    for (int c = c0; c < c1; c++) {
        if (e->c_D0[c * P + p] == NONE)
            continue;
        const double *D = AT(w->D, c * P + p);
        double *recv = AT(w->recv, c);
        LANES if (pool[l] > 0) recv[l] += Ds[l] > 0 ? pool[l] * D[l] / Ds[l] : pool[l] / n;
    }
}

void step_importer_allocation(const ms_engine *e, ms_work *w, int t, int p)
{
    int P = e->P, H = e->H, C = e->C, I = e->I;
    ms_trace *tr = w->trace;
    for (int i = 0; i < I; i++) {
        int ip = i * P + p;
        ration_pool(e, w, i, p, t);
        double cons_s[W] = {0}, dem_s[W] = {0};
        double *ms_i = AT(w->m_short, C + i), *md_i = AT(w->m_dem, C + i);
        double *ms_t = AT(w->m_short, C + I), *md_t = AT(w->m_dem, C + I);
        for (int c = e->cell0[i]; c < e->cell0[i + 1]; c++) {
            int cp = c * P + p;
            const double *xb = AT(w->xb, c), *cl = AT(w->claim, (size_t)cp * H + t), *D = AT(w->D, cp);
            double *recv = AT(w->recv, c), *U = AT(w->U, cp), *inv = AT(w->inv, cp), *cs = AT(w->cshort, c);
            double *ms_c = AT(w->m_short, c), *md_c = AT(w->m_dem, c), cons[W], sh[W];
            LANES {
                recv[l] += xb[l];
                U[l] -= cl[l];
                if (U[l] < 0)
                    U[l] = 0;
                double have = inv[l] + recv[l];
                cons[l] = D[l] < have ? D[l] : have;
                sh[l] = D[l] - cons[l];
                inv[l] = have - cons[l];
                cons_s[l] += cons[l];
                dem_s[l] += D[l];
                /* metrics: entity = cell, importer roll-up, total */
                cs[l] += sh[l];
                ms_c[l] += sh[l];
                md_c[l] += D[l];
                ms_i[l] += sh[l];
                md_i[l] += D[l];
                ms_t[l] += sh[l];
                md_t[l] += D[l];
            }
            if (tr) {
                size_t k = ((size_t)t * C + c) * P + p;
                tr->demand[k] = D[0];
                tr->orders[k] = AT(w->O, cp)[0];
                tr->received[k] = recv[0];
                tr->consumption[k] = cons[0];
                tr->shortage[k] = sh[0];
                tr->inventory[k] = inv[0];
            }
        }
        double *fillp = AT(w->fillp, ip);
        LANES fillp[l] = dem_s[l] > 0 ? cons_s[l] / dem_s[l] : 1.0;
        if (tr) {
            size_t k = ((size_t)t * I + i) * P + p;
            tr->arrivals[k] = AT(w->arr, (size_t)ip * H + t)[0];
            tr->recycled[k] = AT(w->Rm, i)[0];
            tr->released[k] = AT(w->Xm, i)[0];
            tr->fill_rate[k] = fillp[0];
        }
    }
}

/* ---- 10. prices -------------------------------------------------------------------------------------- */

static void supplier_prices(const ms_engine *e, ms_work *w, int p)
{
    int P = e->P;
    for (int s = 0; s < e->S; s++) {
        int sp = s * P + p;
        const double *Es = AT(w->E, sp), *req = AT(w->reqtot, s), *eta = VS(e->s_eta[s]), *capm = VS(e->s_pcap[s]);
        const double *rho0 = AT(w->rho0, sp);
        double *rho = AT(w->rho, sp);
        LANES {
            double x;
            if (Es[l] > 0)
                x = req[l] / Es[l];
            else
                x = req[l] > 0 ? HUGE_VAL : 1.0;
            double mult = x > 1 ? pow(x, eta[l]) : 1.0;
            if (mult > capm[l])
                mult = capm[l];
            rho[l] = rho0[l] * mult;
        }
    }
}

/* Lane l's landed cost index of importer i: the delivered-volume-weighted
 * landed cost over the baseline (shares when nothing was delivered). */
static double cost_index(const ms_engine *e, ms_work *w, int i, int p, int l)
{
    int P = e->P, S = e->S, f0 = e->fl0[p * e->I + i], f1 = e->fl0[p * e->I + i + 1];
    double num = 0, den = 0;
    for (int f = f0; f < f1; f++) {
        double q = AT(w->granted, f)[l] + AT(w->g2, f)[l];
        if (q <= 0)
            continue;
        double land = AT(w->rho, e->fl_s[f] * P + p)[l] * (1.0 + AT(w->tar, f)[l]);
        num += q * land;
        den += q;
    }
    if (den <= 0)
        for (int f = f0; f < f1; f++) {
            double we = AT(w->weff, f)[l];
            double q = we > 0 ? we : e->w0[(i * S + e->fl_s[f]) * P + p];
            if (q <= 0)
                continue;
            num += q * AT(w->rho, e->fl_s[f] * P + p)[l] * (1.0 + AT(w->tar, f)[l]);
            den += q;
        }
    double cb = AT(w->cb, i * P + p)[l];
    double ci = den > 0 && cb > 0 ? (num / den) / cb : 1.0;
    return ci <= MAX_PRICE_INDEX ? ci : MAX_PRICE_INDEX; /* a tiny baseline cost can overflow the ratio */
}

void step_prices(const ms_engine *e, ms_work *w, int t, int p)
{
    int P = e->P, T = e->T;
    supplier_prices(e, w, p);
    for (int i = 0; i < e->I; i++) {
        int ip = i * P + p;
        if (!e->i_hasp[ip])
            continue;
        const double *fillp = AT(w->fillp, ip), *pcap = VS(e->i_pcap[i]), *epss = VS(e->i_epss[i]);
        double *pi = AT(w->pi, ip);
        LANES {
            double ci = cost_index(e, w, i, p, l);
            double f = fillp[l], prem = 1.0, pc = pcap[l];
            if (f < 1) {
                double es = epss[l];
                prem = f > 0 && es < 0 ? pow(f, 1.0 / es) : pc;
                if (prem > pc)
                    prem = pc;
            }
            pi[l] = ci * prem;
        }
        ms_hook_ctx x = {.t = t, .p = p, .i = i};
        ms_hooks_run(e, w, MS_HOOK_PRICE, &x);
        const double *smooth = VS(e->i_smooth[i]);
        double *pibar = AT(w->pibar, ip), *pk = AT(w->pk, ip), *ps = AT(w->ps, ip), *pf = AT(w->pf, ip);
        int sr = e->sr_price[ip];
        LANES {
            double sm = smooth[l];
            if (sm < 1)
                sm = 1;
            pibar[l] += (pi[l] - pibar[l]) / sm;
            double shock = pi[l] - 1.0;
            if (shock > pk[l])
                pk[l] = shock;
            ps[l] += shock;
            pf[l] = shock;
            if (sr != NONE)
                OUT(l, sr + t) = pi[l];
        }
        if (w->trace)
            w->trace->price_index[((size_t)t * e->I + i) * P + p] = pi[0];
    }
    (void)T;
}

/* ---- after the month ------------------------------------------------------------------------------------ */

/* Monthly roll-ups of the shortage entities: shares, peaks, months short. */
static void shortage_rollups(const ms_engine *e, ms_work *w, int t)
{
    int T = e->T;
    double thr = e->sc->shortage_threshold;
    for (int en = 0; en < e->nent; en++) {
        double *msh = AT(w->m_short, en), *mdm = AT(w->m_dem, en);
        double *es = AT(w->e_short, en), *ed = AT(w->e_dem, en), *pk = AT(w->e_peak, en);
        int *ems = AT(w->e_ms, en), *first = AT(w->e_first, en), *last = AT(w->e_last, en);
        LANES {
            double share = mdm[l] > 0 ? msh[l] / mdm[l] : 0;
            es[l] += msh[l];
            ed[l] += mdm[l];
            if (share > pk[l])
                pk[l] = share;
            if (share > thr) {
                ems[l]++;
                if (first[l] < 0)
                    first[l] = t;
                last[l] = t;
            }
            if (e->series_on)
                OUT(l, e->sr_short0 + en * T + t) = share;
            msh[l] = 0;
            mdm[l] = 0;
        }
    }
}

void step_month_end(const ms_engine *e, ms_work *w, int t)
{
    int P = e->P, T = e->T;
    shortage_rollups(e, w, t);
    for (int c = 0; c < e->C; c++) {
        int i = e->c_imp[c];
        double Ds[W] = {0}, Is[W] = {0};
        int trig[W] = {0};
        const double *strig = VS(e->c_strig[c]);
        for (int p = 0; p < P; p++) {
            if (e->c_D0[c * P + p] == NONE)
                continue;
            const double *D = AT(w->D, c * P + p), *inv = AT(w->inv, c * P + p), *pibar = AT(w->pibar, i * P + p);
            LANES {
                Ds[l] += D[l];
                Is[l] += inv[l];
                if (pibar[l] > strig[l])
                    trig[l] = 1;
            }
        }
        const double *smax = VS(e->c_smax[c]);
        double *sub = AT(w->sub, c), *cs = AT(w->cshort, c), *gf = AT(w->gf, c);
        const double *srate = AT(w->srate, c), *gm = AT(w->gm, c);
        LANES {
            if (e->series_on)
                OUT(l, e->sr_cover0 + c * T + t) = Ds[l] > 0 ? Is[l] / Ds[l] : 0;
            /* sticky substitution toward its ceiling while prices are high or the industry was short */
            if (smax[l] > sub[l] && (trig[l] || cs[l] > 0))
                sub[l] += (smax[l] - sub[l]) * srate[l];
            gf[l] *= gm[l];
            if (gf[l] > MAX_GROWTH_FACTOR)
                gf[l] = MAX_GROWTH_FACTOR;
            cs[l] = 0;
        }
        if (w->trace)
            w->trace->substitution[(size_t)t * e->C + c] = sub[0];
    }
}
