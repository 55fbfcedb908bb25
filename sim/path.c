/*
 * path.c - a batch of MS_LANES paths: inputs drawn, the steady state of
 * month 0, the month loop of docs/model.md, the per-path metrics.
 *
 * A path's vector (ms_stat_desc layout) is written as the months go (series
 * points) and at the end (metrics).  Lanes without a path of their own
 * repeat lane 0's path and write into a scratch vector.  Nothing here
 * allocates once the workspace exists.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "engine_int.h"

void ms_capacity_month0(const ms_engine *e, ms_work *w);
void ms_tariffs_of_month(const ms_engine *e, ms_work *w, int t);

/* Lane 0's suppliers and flows of product p at the end of month t. */
static void trace_suppliers(const ms_engine *e, ms_work *w, ms_trace *tr, int t, int p)
{
    int S = e->S, I = e->I, P = e->P;
    for (int s = 0; s < S; s++) {
        size_t k = ((size_t)t * S + s) * P + p;
        tr->capacity[k] = AT(w->cap, s * P + p)[0];
        tr->export_cap[k] = AT(w->E, s * P + p)[0];
        tr->supplier_price[k] = AT(w->rho, s * P + p)[0];
    }
    for (int f = e->fl0[p * I]; f < e->fl0[(p + 1) * I]; f++) {
        int s = e->fl_s[f], i = e->fl_i[f];
        tr->requests[(((size_t)t * S + s) * I + i) * P + p] = AT(w->r, f)[0];
        tr->shares[(((size_t)t * I + i) * S + s) * P + p] = AT(w->w, f)[0];
    }
}

/* ---- a path's start ------------------------------------------------------------------ */

/* f(x) through the last argument and result: a slot that is not drawn holds
 * the same value in every lane (and often in cell after cell), so most
 * calls of pow and expm1 at a path's start are repeats.  The same bits as
 * calling f: the argument's bits must match. */
typedef struct memo {
    int have;   /* x and r set */
    uint64_t x; /* the last argument's bits */
    double r;   /* f of it */
} memo;

static double memo_of(memo *m, double x, double (*f)(double))
{
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    if (!m->have || u != m->x) {
        *m = (memo){.have = 1, .x = u, .r = f(x)};
    }
    return m->r;
}

/* This batch's inputs: per lane, drawn for its path, or as set on it. */
static void draw_inputs(const ms_engine *e, ms_work *w)
{
    int any_set = 0;
    LANES any_set |= w->set[l] != NULL;
    if (w->overridden) { /* the previous batch set inputs: fixed slots hold their value again */
        for (int k = 0; k < e->nslots; k++)
            LANES VS(k)[l] = e->slot_fixed[k];
        w->overridden = 0;
    }
    for (int k = 0; k < e->npath_slots; k++) {
        int sl = e->path_slots[k];
        double *v = VS(sl);
        LANES v[l] = ms_dist_draw(e->slot_dist[sl], w->rng, w->path[l], 0);
    }
    for (int k = 0; k < e->nmonth_slots; k++) {
        int sl = e->month_slots[k];
        double *v = VS(sl);
        LANES v[l] = ms_dist_draw(e->slot_dist[sl], w->rng, w->path[l], 0);
    }
    if (!any_set)
        return;
    w->overridden = 1;
    for (int sl = 0; sl < e->nslots; sl++) {
        const ms_dist *d = e->slot_dist[sl];
        double *v = VS(sl);
        LANES {
            if (!w->set[l])
                continue;
            const ms_input_set *x = &w->set[l][e->slot_input[sl]];
            if (x->mode == MS_INPUT_VALUE) {
                double lo = ms_dist_min(d), hi = ms_dist_max(d);
                v[l] = x->value < lo ? lo : (x->value > hi ? hi : x->value);
            } else if (x->mode == MS_INPUT_PATH && !ms_dist_is_fixed(d)) {
                v[l] = ms_dist_draw(d, w->rng, x->path, 0);
            }
        }
    }
}

static void reset_state(const ms_engine *e, ms_work *w)
{
    int S = e->S, I = e->I, P = e->P, C = e->C, H = e->H, T = e->T;
    /* pipelines: months before T were cleared as they were consumed (and
     * departures as they were read), so only the months past the horizon
     * remain from the previous batch */
    for (int k = 0; k < C * P; k++)
        memset(AT(w->claim, (size_t)k * H + T), 0, sizeof(double) * (size_t)(H - T) * W);
    for (int k = 0; k < I * P; k++)
        memset(AT(w->arr, (size_t)k * H + T), 0, sizeof(double) * (size_t)(H - T) * W);
    memset(w->U, 0, sizeof(double) * (size_t)C * P * W);
    memset(w->qpend, 0, sizeof(double) * (size_t)e->nfc * W);
    if (e->has_buy) { /* stockpiles buying: their orders, queues and arrivals */
        memset(w->Usp, 0, sizeof(double) * (size_t)I * P * W);
        memset(w->qsp, 0, sizeof(double) * (size_t)e->nflows * W);
        memset(w->sarr, 0, sizeof(double) * (size_t)I * P * H * W);
    }
    for (int k = 0; k < I * P; k++)
        if (e->ip_cell[k]) { /* refusals with no claim on the pool: the whole pipeline (rarely used) */
            memset(w->lap, 0, sizeof(double) * (size_t)C * P * H * W);
            break;
        }
    memset(w->sub, 0, sizeof(double) * (size_t)C * W);
    memset(w->out_until, 0, sizeof(int) * (size_t)S * W);
    memset(w->out_cut, 0, sizeof(double) * (size_t)S * W);
    memset(w->cshort, 0, sizeof(double) * (size_t)C * W);
    memset(w->pstate, 0, sizeof(double) * (size_t)e->npstate * W);
    for (int k = 0; k < e->nent * W; k++) {
        w->e_short[k] = w->e_dem[k] = w->e_peak[k] = w->m_short[k] = w->m_dem[k] = 0;
        w->e_ms[k] = 0;
        w->e_first[k] = w->e_last[k] = -1;
    }
    for (int k = 0; k < I * P * W; k++) {
        w->pibar[k] = w->pi[k] = w->fillp[k] = 1.0;
        w->pk[k] = -HUGE_VAL;
        w->ps[k] = w->pf[k] = 0;
    }
    memo mg = {0}, ms = {0};
    for (int c = 0; c < C; c++) {
        const double *g = VS(e->c_g[c]), *stau = VS(e->c_stau[c]);
        LANES {
            AT(w->gf, c)[l] = 1.0;
            AT(w->gm, c)[l] = memo_of(&mg, g[l], ms_monthly_growth); /* (1+g)^(t/12) = gm^t */
            AT(w->srate, c)[l] = memo_of(&ms, stau[l], ms_gap_closed);
        }
    }
    ms_hook_ctx x = {.t = 0, .p = -1, .i = -1};
    ms_hooks_run(e, w, MS_HOOK_PATH_START, &x);
}

/* The reference month of time-to-survive of each shortage entity: the
 * earliest start, inside the horizon, of an export control covering the
 * entity (a cell: its importer and a product it uses; an importer: it; the
 * total: any), else of any policy touching its importer (the total: any
 * policy), else month 0; at least 0 (docs/model.md, "Metrics per path"). */
static void reference_start(const ms_engine *e, ms_work *w)
{
    int C = e->C, I = e->I;
    double *rc = w->ref, *ri = w->ref + (size_t)C * W;
    double *ra = w->refa, *rca = AT(w->refa, I), *raa = AT(w->refa, I + 1);
    for (size_t k = 0; k < (size_t)e->nent * W; k++)
        w->ref[k] = HUGE_VAL;
    for (size_t k = 0; k < (size_t)(I + 2) * W; k++)
        w->refa[k] = HUGE_VAL;
    ms_hook_ctx x = {.t = 0, .p = -1, .i = -1, .refc_cell = rc, .refc_imp = ri, .refa_imp = ra, .refc_all = rca,
                     .refa_all = raa};
    ms_hooks_run(e, w, MS_HOOK_REF_START, &x);
    for (int en = 0; en < e->nent; en++) {
        int i = en < C ? e->c_imp[en] : (en < C + I ? en - C : -1);
        const double *fb = i >= 0 ? AT(ra, i) : raa;
        double *r = AT(w->ref, en);
        if (en == C + I) /* the total: any control */
            LANES r[l] = rca[l];
        LANES {
            double v = isfinite(r[l]) ? r[l] : (isfinite(fb[l]) ? fb[l] : 0.0);
            r[l] = v > 0 ? v : 0.0;
        }
    }
}

/* Lane l's demand of cell c for product p in month 0 (t/mo), its importer's
 * season included: what the steady state is sized on. */
static double month0_demand(const ms_engine *e, ms_work *w, int c, int p, int l)
{
    int sl = e->c_D0[c * e->P + p];
    if (sl == NONE)
        return 0;
    double D0 = VS(sl)[l] / 12.0;
    return e->i_hasseason[e->c_imp[c]] ? D0 * ms_season(e, e->c_imp[c], 0) : D0;
}

/* Pipelines full of lane l's baseline flow f of importer i (t/mo Vm, transit
 * L), and the industries' claims on it split by month-0 demand. */
static void fill_pipeline(const ms_engine *e, ms_work *w, int i, int p, double Vm, double L, double Dsum, int l)
{
    int P = e->P, H = e->H;
    if (L > e->lagcap)
        L = e->lagcap;
    double fl = floor(L), f = L - fl;
    double *a = AT(w->arr, (size_t)(i * P + p) * H);
    for (int t2 = 0; t2 < (int)fl && t2 < H; t2++)
        a[t2 * W + l] += Vm;
    if ((int)fl < H)
        a[(int)fl * W + l] += Vm * f;
    for (int c = e->cell0[i]; c < e->cell0[i + 1]; c++) {
        int cp = c * P + p;
        double D0 = month0_demand(e, w, c, p, l);
        double sh = Dsum > 0 ? D0 / Dsum : 0;
        double *cl = AT(w->claim, (size_t)cp * H);
        for (int t2 = 0; t2 < (int)fl && t2 < H; t2++)
            cl[t2 * W + l] += Vm * sh;
        if ((int)fl < H)
            cl[(int)fl * W + l] += Vm * sh * f;
        AT(w->U, cp)[l] += Vm * sh * L;
    }
}

/* Lane l of (i, p) in steady state: effective shares over suppliers with
 * exportable capacity (the baseline shares when none can export: the
 * importer keeps asking), baseline cost, stocks at target, baseline flows
 * and full pipelines from the suppliers that can export. */
static void steady_state(const ms_engine *e, ms_work *w, int i, int p, int l)
{
    int P = e->P, S = e->S, f0 = e->fl0[p * e->I + i], f1 = e->fl0[p * e->I + i + 1];
    double wsum = 0, cb = 0, Dsum = 0;
    for (int f = f0; f < f1; f++) {
        int up = AT(w->E, e->fl_s[f] * P + p)[l] > 0;
        AT(w->w, f)[l] = up ? e->w0[(i * S + e->fl_s[f]) * P + p] : 0;
        AT(w->rel, f)[l] = up ? 1 : -1; /* reliable in month 0; a plant not yet built: nothing asked */
        wsum += AT(w->w, f)[l];
    }
    for (int f = f0; f < f1; f++) {
        double *we = &AT(w->w, f)[l];
        *we = wsum > 0 ? *we / wsum : e->w0[(i * S + e->fl_s[f]) * P + p];
        cb += *we * AT(w->land0, f)[l];
    }
    /* baseline cost: month-0 shares, so a plant not yet built moves nothing */
    AT(w->cb, i * P + p)[l] = cb > 0 ? cb : 1.0;
    for (int c = e->cell0[i]; c < e->cell0[i + 1]; c++) {
        int cp = c * P + p;
        double D0 = month0_demand(e, w, c, p, l);
        AT(w->inv, cp)[l] = VS(e->c_m[c])[l] * D0;
        Dsum += D0;
    }
    AT(w->D0sum, i * P + p)[l] = Dsum;
    double R0 = AT(w->Rm, i * e->P + p)[l];
    double N0 = Dsum > R0 ? Dsum - R0 : 0;
    for (int f = f0; f < f1; f++) {
        double we = wsum > 0 ? AT(w->w, f)[l] : 0; /* suppliers without capacity yet carry no flow */
        AT(w->B0, f)[l] = we * N0;
        double Vm = N0 * we;
        if (Vm <= 0)
            continue;
        fill_pipeline(e, w, i, p, Vm, VS(e->i_transit[i * S + e->fl_s[f]])[l], Dsum, l);
    }
}

/* Month 0 before the first step: prices and shares at baseline, stocks at
 * target, pipelines full (docs/model.md, "Initial state"). */
static void initial_state(const ms_engine *e, ms_work *w)
{
    int P = e->P, I = e->I;
    for (int sp = 0; sp < e->S * P; sp++) {
        const double *price = VS(e->s_price[sp]);
        LANES AT(w->rho0, sp)[l] = AT(w->rho, sp)[l] = price[l];
    }
    ms_tariffs_of_month(e, w, 0);
    for (int f = 0; f < e->nflows; f++) {
        const double *rho0 = AT(w->rho0, e->fl_s[f] * P + e->fl_p[f]), *tar = AT(w->tar, f);
        LANES AT(w->land0, f)[l] = rho0[l] * (1.0 + tar[l]);
    }
    ms_capacity_month0(e, w);
    for (int i = 0; i < I; i++)
        for (int p = 0; p < P; p++) {
            LANES AT(w->Rm, i * e->P + p)[l] = 0;
            ms_hook_ctx x = {.t = 0, .p = p, .i = i};
            ms_hooks_run(e, w, MS_HOOK_RECYCLED, &x);
            LANES steady_state(e, w, i, p, l);
        }
    if (w->trace) {
        double s0 = 0;
        for (int k = 0; k < e->C * P; k++)
            s0 += AT(w->inv, k)[0];
        w->trace->initial_inventory_sum = s0;
    }
}

/* ---- the months ------------------------------------------------------------------------ */

static void run_months(const ms_engine *e, ms_work *w)
{
    for (int t = 0; t < e->T; t++) {
        step_draw_monthly_inputs(e, w, t);
        step_capacity(e, w, t);
        step_policy_month(e, w, t);
        for (int p = 0; p < e->P; p++) {
            step_demand(e, w, t, p);
            step_secondary_supply(e, w, t, p);
            step_orders(e, w, t, p);
            step_sourcing(e, w, t, p);
        }
        step_export_controls(e, w, t);
        for (int p = 0; p < e->P; p++)
            step_supplier_allocation(e, w, t, p);
        step_diversion(e, w, t);
        for (int p = 0; p < e->P; p++) {
            step_transit(e, w, t, p);
            step_importer_allocation(e, w, t, p);
            step_prices(e, w, t, p);
            if (w->trace)
                trace_suppliers(e, w, w->trace, t, p);
        }
        step_month_end(e, w, t);
    }
}

/* ---- per-path metrics -------------------------------------------------------------------- */

static void entity_metrics(const ms_engine *e, ms_work *w)
{
    int C = e->C, I = e->I, T = e->T;
    vd zero = vsplat(0);
    for (int en = 0; en < e->nent; en++) {
        vd ref = VD(AT(w->ref, en));
        size_t o0 = (size_t)e->m_ent0 + (size_t)en * MS_ENT_METRICS;
        vd es = VD(AT(w->e_short, en)), ed = VD(AT(w->e_dem, en));
        vl first = VL(AT(w->e_first, en)), last = VL(AT(w->e_last, en)), ems = VL(AT(w->e_ms, en));
        vd ms, fd, ld;
        LANES {
            ms[l] = (double)ems[l];
            fd[l] = (double)first[l];
            ld[l] = (double)last[l];
        }
        OUTV(o0 + MS_M_SHORTAGE_T) = es;
        OUTV(o0 + MS_M_SHORTAGE_SHARE) = vsel(ed > 0, es / ed, zero);
        OUTV(o0 + MS_M_PEAK_SHORTAGE_SHARE) = VD(AT(w->e_peak, en));
        OUTV(o0 + MS_M_MONTHS_SHORT) = ms;
        vl never = first < 0;
        vd tts = vsel(never, (double)T - ref, fd - ref);
        OUTV(o0 + MS_M_TIME_TO_SURVIVE) = vsel(tts > 0, tts, zero);
        OUTV(o0 + MS_M_TIME_TO_RECOVER) = vsel(never, zero, ld - fd + 1.0);
        if (en < C)
            OUTV(o0 + MS_M_VALUE_AT_RISK) = es * VD(VS(e->c_val[en]));
        else
            OUTV(o0 + MS_M_VALUE_AT_RISK) = zero;
    }
    /* value at risk roll-ups: sums over cells */
    for (int c = 0; c < C; c++) {
        vd v = OUTV(e->m_ent0 + c * MS_ENT_METRICS + MS_M_VALUE_AT_RISK);
        OUTV(e->m_ent0 + (C + e->c_imp[c]) * MS_ENT_METRICS + MS_M_VALUE_AT_RISK) += v;
        OUTV(e->m_ent0 + (C + I) * MS_ENT_METRICS + MS_M_VALUE_AT_RISK) += v;
    }
}

static void price_metrics(const ms_engine *e, ms_work *w)
{
    for (int ip = 0; ip < e->I * e->P; ip++) {
        int m = e->m_price[ip];
        if (m == NONE)
            continue;
        OUTV(m) = VD(AT(w->pk, ip));
        OUTV(m + 1) = VD(AT(w->ps, ip)) / e->T;
        OUTV(m + 2) = VD(AT(w->pf, ip));
    }
}

/* Shipments: tonnes departed per flow over the horizon and per month, and
 * over all importers. */
static void shipment_stats(const ms_engine *e, ms_work *w)
{
    int S = e->S, I = e->I, P = e->P, T = e->T;
    ms_trace *tr = w->trace;
    vd zero = vsplat(0);
    for (int s = 0; s < S; s++)
        for (int p = 0; p < P; p++) {
            int mall = e->m_ship[(s * (I + 1) + I) * P + p], sall = e->sr_ship[(s * (I + 1) + I) * P + p];
            if (mall != NONE)
                OUTV(mall) = zero;
            if (sall != NONE) /* the series to all importers: summed, written once */
                for (int t = 0; t < T; t++)
                    VD(AT(w->ship_all, t)) = zero;
            for (int i = 0; i < I; i++) {
                int m = e->m_ship[(s * (I + 1) + i) * P + p], f = e->flow_id[(s * I + i) * P + p];
                if (m == NONE)
                    continue;
                int sr = e->sr_ship[(s * (I + 1) + i) * P + p];
                double *dp = AT(w->dep, (size_t)f * T);
                vd tot = zero;
                for (int t = 0; t < T; t++) {
                    vd v = VD(dp + (size_t)t * W);
                    tot += v;
                    if (sr != NONE) {
                        out_point(w, sr + t, v);
                        if (sall != NONE)
                            VD(AT(w->ship_all, t)) += v;
                    }
                    if (tr)
                        tr->shipments[(((size_t)t * S + s) * I + i) * P + p] = v[0];
                    VD(dp + (size_t)t * W) = zero; /* cleared as read: ready for the next batch */
                }
                OUTV(m) = tot;
                OUTV(mall) += tot;
            }
            if (sall != NONE)
                for (int t = 0; t < T; t++)
                    out_point(w, sall + t, VD(AT(w->ship_all, t)));
        }
}

/* ---- a batch ---------------------------------------------------------------------------- */

void ms_path_batch(const ms_engine *e, ms_work *w, const uint64_t *paths, int n, const ms_input_set *const *sets,
                   double *ob, size_t ostride, ms_trace *tr)
{
    LANES {
        int j = l < n ? l : 0;
        w->path[l] = paths[j];
        w->set[l] = sets ? sets[j] : NULL;
    }
    w->ob = ob ? ob : w->obuf;
    w->ostride = ob ? ostride : W;
    w->nlanes = n;
    w->trace = tr;
    draw_inputs(e, w);
    reset_state(e, w);
    reference_start(e, w);
    initial_state(e, w);
    run_months(e, w);
    entity_metrics(e, w);
    price_metrics(e, w);
    shipment_stats(e, w);
    w->trace = NULL;
#if defined(MS_ISA_V4) && MS_LANES == 8
    if (w->ob != w->obuf)
        _mm_sfence(); /* the series points stored past the caches (out_point) are written before any later store */
#endif
}
