/*
 * policy/export_control.c - export controls: licences, bans and quotas on
 * an exporter's flows (docs/model.md, "The policies' month", steps 3, 6,
 * 7 and 9).
 *
 * Compiled form: the exporter, a slot per input, the streams of the regime
 * switches and of the approval noise, the flows the control covers (the
 * exporter's flows of its products to its destinations, every product, in
 * flow order), the destination groups with their own approvals, and, for a
 * control by industry (per-industry `affected` or `end_users`), each
 * cell's covered share and end-user flag.
 *
 * Per-lane state: on, started, the quota's pass fraction, the month the
 * current spell began (approvals ramp from it, again after a
 * re-imposition), the quota's total charged this month, the month's
 * approval share of each group (group 0: the control's own), and per
 * covered flow: the licence budget charged this month, the volume approved
 * in the pass in progress and the flow's pass rate after it, the queue of
 * applications and what the pass approved from it.
 *
 * Hooks:
 *   REF_START       its start is a reference for time-to-survive of what it covers;
 *   MONTH           the regime (off before start and from end; on at start;
 *                   then lifted / re-imposed by monthly hazards), the
 *                   approval shares a(t), the budgets reset, hoarding flags,
 *                   end users kept out of the pool's leftover, the licence
 *                   cover and delay of the expected lead time, the queue's
 *                   abandonment;
 *   EXPORT_CONTROL  the pass of the volume reaching it (what earlier controls
 *                   passed): its free share passes at once, a licence's
 *                   approved share after the delay (from the queue first),
 *                   a quota's pro rata share at once; what a licence with a
 *                   queue does not approve waits in the queue; other refusals
 *                   are known after decision_months; per industry on a flow
 *                   that a control covers by industry (engine: fl_cell);
 *   CHARGE          after capacity rationing, budgets and quotas are charged
 *                   for what ships: what it approved, times what later
 *                   controls passed, times the supplier's rationing
 *                   fraction; queue approvals that did not ship go back.
 */
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "../engine_int.h"
#include "../policy.h"
#include "export_control.h"

enum { ST_ON = 0, ST_STARTED, ST_QFRAC, ST_SPELL, ST_QUSED, ST_GL, ST_A }; /* ST_A + g: group g's approval share */

typedef struct ctrl {
    int s;                     /* exporter */
    int mode;                  /* ms_control_mode */
    const int *prod, *dest;    /* [P], [I] masks */
    int aff, gl, announce, start, end, lift, reimp, a0, a1, ramp, noise, delay, quota, decision; /* slots; end NONE */
    int abandon;               /* slot of the queue's abandonment share; NONE: no queue */
    int gl_from;               /* slot of the date the general licence begins; NONE: from the start */
    const ms_cpol *cp;         /* the compiled policy (its per-lane state) */
    uint32_t stream_regime;    /* stream of the lift / re-impose draws */
    uint32_t stream_noise;     /* stream of the approval noise */
    int *flows, nflows;        /* covered flows, every product, in flow order */
    int ngroups;               /* approval groups: 0 the control's own, 1.. license.by_destination */
    int *ga0, *ga1, *gramp, *gfrom; /* [ngroups] slots (gfrom NONE: the spell's start) */
    int *fgroup;               /* [nflows] approval group of each covered flow */
    int bycell;                /* 1: covered shares by industry, or end users */
    int *ccov;                 /* [C] slot of each cell's covered share (bycell) */
    int *ceu;                  /* [C] 1: the cell's industry is an end user (bycell) */
    int st_flow0;              /* first per-flow state double */
} ctrl;

/* Per covered flow k: budget charged, volume approved in the pass, pass
 * rate after it, queue, approved from the queue in the pass. */
#define ST_USED(c, k) ((c)->st_flow0 + 5 * (k))
#define ST_APPROVED(c, k) ((c)->st_flow0 + 5 * (k) + 1)
#define ST_PIAFTER(c, k) ((c)->st_flow0 + 5 * (k) + 2)
#define ST_QUEUE(c, k) ((c)->st_flow0 + 5 * (k) + 3)
#define ST_QAPP(c, k) ((c)->st_flow0 + 5 * (k) + 4)

static void ctrl_free(void *data)
{
    ctrl *c = data;
    if (c) {
        free(c->flows);
        free(c->ga0);
        free(c->ga1);
        free(c->gramp);
        free(c->gfrom);
        free(c->fgroup);
        free(c->ccov);
        free(c->ceu);
    }
    free(c);
}

/* The control covers cell c: its importer is a destination and it uses a covered product. */
static int covers_cell(const ms_engine *e, const ctrl *c, int cell)
{
    if (!c->dest[e->c_imp[cell]])
        return 0;
    for (int p = 0; p < e->P; p++)
        if (c->prod[p] && e->c_D0[cell * e->P + p] != NONE)
            return 1;
    return 0;
}

static void hook_ref(const ms_engine *e, ms_work *w, const ms_cpol *cp, const ms_hook_ctx *x)
{
    const ctrl *c = cp->data;
    const double *st = VS(c->start);
    LANES {
        double v = st[l];
        if (!(v < e->T)) /* outside the horizon */
            continue;
        for (int cell = 0; cell < e->C; cell++)
            if (covers_cell(e, c, cell) && v < AT(x->refc_cell, cell)[l])
                AT(x->refc_cell, cell)[l] = v;
        for (int i = 0; i < e->I; i++) {
            if (!c->dest[i])
                continue;
            int sourced = 0;
            for (int p = 0; p < e->P; p++)
                sourced |= c->prod[p] && e->i_hasp[i * e->P + p];
            if (sourced && v < AT(x->refc_imp, i)[l])
                AT(x->refc_imp, i)[l] = v;
            if (v < AT(x->refa_imp, i)[l])
                AT(x->refa_imp, i)[l] = v;
        }
        if (v < x->refc_all[l])
            x->refc_all[l] = v;
        if (v < x->refa_all[l])
            x->refa_all[l] = v;
    }
}

/* The approval share of group g in month t for lane l while the control is
 * on: a ramp from the start of the spell (or the group's ramp_from, when
 * later), plus the month's noise z, within [0, 1]. */
static double approval(const ms_work *w, const ms_cpol *cp, const ctrl *c, int g, int t, int l, double z)
{
    double from = PSTATE(cp, ST_SPELL)[l];
    if (c->gfrom[g] != NONE && VS(c->gfrom[g])[l] > from)
        from = VS(c->gfrom[g])[l];
    double rm = VS(c->gramp[g])[l];
    double x = rm > 0 ? (t - from) / rm : (t >= from ? 1.0 : 0.0);
    if (x > 1)
        x = 1;
    if (x < 0)
        x = 0;
    double a0 = VS(c->ga0[g])[l], a = a0 + (VS(c->ga1[g])[l] - a0) * x;
    a += z;
    return a < 0 ? 0 : (a > 1 ? 1 : a);
}

/* On or off in month t (lane l), and the start of the current spell. */
static void regime(const ms_engine *e, ms_work *w, const ms_cpol *cp, const ctrl *c, int t, int l)
{
    double *on = PSTATE(cp, ST_ON), *started = PSTATE(cp, ST_STARTED), *spell = PSTATE(cp, ST_SPELL);
    double st = VS(c->start)[l];
    int ended = c->end != NONE && t >= VS(c->end)[l];
    if (t < st || ended) {
        on[l] = 0;
    } else if (!started[l]) {
        started[l] = on[l] = 1;
        spell[l] = st;
    } else {
        double h = on[l] ? VS(c->lift)[l] : VS(c->reimp)[l];
        if (h > 0) {
            ms_rng_key(w->rng, w->path[l], c->stream_regime, (uint32_t)t);
            if (ms_rng_uniform_pos(w->rng) < h) {
                on[l] = !on[l];
                if (on[l]) /* re-imposed: approvals ramp again from here */
                    spell[l] = t;
            }
        }
    }
}

/* Covered share of a cell (lanes): its industry's share x (1 - general
 * licence), 1 for an end user (denied outright). */
static vd cell_cov(const ms_work *w, const ctrl *c, int cell)
{
    if (c->ceu[cell])
        return vsplat(1);
    return VD(VS(c->ccov[cell])) * (1.0 - VD(PSTATE(c->cp, ST_GL)));
}

/* The covered share of flow f for the expected lead time: the share of its
 * baseline demand the control covers (one share, or by industry). */
static vd lead_cov(const ms_engine *e, const ms_work *w, const ctrl *c, int f)
{
    if (!c->bycell)
        return VD(VS(c->aff)) * (1.0 - VD(PSTATE(c->cp, ST_GL)));
    int i = e->fl_i[f], p = e->fl_p[f];
    vd num = vsplat(0), den = vsplat(0);
    for (int cell = e->cell0[i]; cell < e->cell0[i + 1]; cell++) {
        int sl = e->c_D0[cell * e->P + p];
        if (sl == NONE)
            continue;
        num += VD(VS(sl)) * cell_cov(w, c, cell);
        den += VD(VS(sl));
    }
    return vsel(den > 0, num / den, vsplat(0));
}

static void month_flags(const ms_engine *e, ms_work *w, const ms_cpol *cp, const ctrl *c, int t)
{
    int I = e->I, P = e->P;
    vl on = VD(PSTATE(cp, ST_ON)) != 0;
    vl hoard = on, noleft = on & (c->bycell ? -1LL : 0LL); /* the lanes to flag (-1) */
    LANES {
        double st = VS(c->start)[l];
        if (t >= VS(c->announce)[l] && t < st && !(c->end != NONE && t >= VS(c->end)[l]))
            hoard[l] = -1; /* announced */
    }
    if (vany(hoard))
        for (int i = 0; i < I; i++)
            for (int p = 0; p < P; p++)
                if (c->dest[i] && c->prod[p])
                    VL(AT(w->hoard, i * P + p)) |= hoard;
    if (vany(noleft))
        for (int cell = 0; cell < e->C; cell++)
            if (c->ceu[cell] && c->dest[e->c_imp[cell]])
                for (int p = 0; p < P; p++)
                    if (c->prod[p])
                        VL(AT(w->noleft, cell * P + p)) |= noleft;
}

static void hook_month(const ms_engine *e, ms_work *w, const ms_cpol *cp, const ms_hook_ctx *x)
{
    const ctrl *c = cp->data;
    int t = x->t;
    double *on = PSTATE(cp, ST_ON);
    LANES {
        regime(e, w, cp, c, t, l);
        double z = 0, sd = VS(c->noise)[l];
        if (sd > 0 && on[l] && c->mode == MS_CTRL_LICENSE) {
            ms_rng_key(w->rng, w->path[l], c->stream_noise, (uint32_t)t);
            z = sd * gsl_ran_gaussian_ziggurat(w->rng->g, 1.0);
        }
        for (int g = 0; g < c->ngroups; g++)
            PSTATE(cp, ST_A + g)[l] = on[l] && c->mode == MS_CTRL_LICENSE ? approval(w, cp, c, g, t, l, z) : 0;
        PSTATE(cp, ST_QUSED)[l] = 0;
        PSTATE(cp, ST_GL)[l] = c->gl_from == NONE || t >= VS(c->gl_from)[l] ? VS(c->gl)[l] : 0.0;
    }
    for (int k = 0; k < c->nflows; k++)
        VD(PSTATE(cp, ST_USED(c, k))) = vsplat(0);
    month_flags(e, w, cp, c, t);
    if (c->mode != MS_CTRL_LICENSE)
        return;
    /* applications given up this month */
    if (c->abandon != NONE) {
        vd ab = VD(VS(c->abandon));
        for (int k = 0; k < c->nflows; k++) {
            vd q = VD(PSTATE(cp, ST_QUEUE(c, k))), out = q * ab;
            VD(PSTATE(cp, ST_QUEUE(c, k))) = q - out;
            VD(AT(w->qout, c->flows[k])) += out;
        }
    }
    /* the expected lead time: the covered share waits the licence delay
     * (where it is on: nothing changes when it is off in every lane) */
    vd delay = VD(VS(c->delay));
    vl act = VD(on) != 0;
    if (!vany(act))
        return;
    for (int k = 0; k < c->nflows; k++) {
        int f = c->flows[k];
        vd cov = lead_cov(e, w, c, f);
        VD(AT(w->lic_free, f)) = vsel(act, VD(AT(w->lic_free, f)) * (1.0 - cov), VD(AT(w->lic_free, f)));
        vd ld = VD(AT(w->lic_delay, f));
        VD(AT(w->lic_delay, f)) = vsel(act & (delay > ld), delay, ld);
    }
}

/* A cell's first-pass request on flow f (its import order x the flow's share). */
static vd cell_request(const ms_engine *e, const ms_work *w, int f, int cell)
{
    return VD(AT(w->nc, cell * e->P + e->fl_p[f])) * VD(AT(w->w, f));
}

/* The covered volume of flow f reaching the control in the first pass
 * (per-cell flows: over its cells, end users apart), and the end users'. */
static vd covered_volume(const ms_engine *e, const ms_work *w, const ctrl *c, int f, const double *req, int pass,
                         vd cov)
{
    if (!e->fl_cell[f] || pass)
        return VD(AT(req, f)) * VD(AT(w->piall, f)) * cov;
    vd want = vsplat(0);
    for (int cell = e->cell0[e->fl_i[f]], j = e->fc0[f]; j < e->fc0[f + 1]; cell++, j++)
        if (!(c->bycell && c->ceu[cell]))
            want += (c->bycell ? cell_cov(w, c, cell) : cov) * cell_request(e, w, f, cell) * VD(AT(w->cpi, j));
    return want;
}

/* Pass 1 (diverted requests) of a per-cell flow: one share, the cells'
 * covered shares weighted by their import orders; end users' share denied.
 * Returns (free share, coverable share) through fr, cv. */
static void diverted_shares(const ms_engine *e, const ms_work *w, const ctrl *c, int f, vd cov, vd *fr, vd *cv)
{
    vd zero = vsplat(0), n = zero, a = zero, b = zero;
    int i = e->fl_i[f], p = e->fl_p[f];
    for (int cell = e->cell0[i]; cell < e->cell0[i + 1]; cell++) {
        vd nc = VD(AT(w->nc, cell * e->P + p)), x = c->bycell ? cell_cov(w, c, cell) : cov;
        n += nc;
        if (!(c->bycell && c->ceu[cell])) {
            a += nc * (1.0 - x);
            b += nc * x;
        }
    }
    *fr = vsel(n > 0, a / n, 1.0 - cov);
    *cv = vsel(n > 0, b / n, cov);
}

/* The covered volume of flow f reaching the control in a pass, and the
 * shares the pass uses (free fr, coverable cv: one share, or for a per-cell
 * flow's diverted requests the cells' shares by import orders). */
static vd flow_want(const ms_engine *e, const ms_work *w, const ctrl *c, int f, const double *req, int pass, vd cov,
                    vd *fr, vd *cv)
{
    *fr = 1.0 - cov;
    *cv = cov;
    if (e->fl_cell[f] && pass == 0)
        return covered_volume(e, w, c, f, req, 0, cov);
    if (e->fl_cell[f])
        diverted_shares(e, w, c, f, cov, fr, cv);
    return VD(AT(req, f)) * VD(AT(w->piall, f)) * *cv;
}

/* Quota: every covered flow passes the same fraction of its covered volume,
 * what is left of the month's quota over their total (products and
 * destinations together). */
static void quota_fraction(const ms_engine *e, ms_work *w, const ms_cpol *cp, const ctrl *c, const double *req,
                           int pass)
{
    vd zero = vsplat(0), cov = VD(VS(c->aff)) * (1.0 - VD(PSTATE(c->cp, ST_GL))), A = zero;
    vd fr, cv;
    for (int k = 0; k < c->nflows; k++)
        A += flow_want(e, w, c, c->flows[k], req, pass, cov, &fr, &cv);
    vd left = VD(VS(c->quota)) - VD(PSTATE(cp, ST_QUSED));
    left = vsel(left < 0, zero, left);
    VD(PSTATE(cp, ST_QFRAC)) = vsel(A > left, left / A, vsplat(1.0));
}

/* Pass of a per-cell flow f (first pass) with approved share alpha of the
 * covered volume: each cell's free share and pass rate; the queued volume
 * (q: with a queue, the covered volume not approved) per cell; returns the
 * flow's pass rate after the control. */
static vd pass_cells(const ms_engine *e, ms_work *w, const ctrl *c, int f, vl act, vd cov, vd alpha, int queue)
{
    vd zero = vsplat(0), rsum = zero, psum = zero;
    for (int cell = e->cell0[e->fl_i[f]], j = e->fc0[f]; j < e->fc0[f + 1]; cell++, j++) {
        vd rc = cell_request(e, w, f, cell), pi = VD(AT(w->cpi, j)), fa = VD(AT(w->cfall, j));
        int eu = c->bycell && c->ceu[cell];
        vd cv = c->bycell ? cell_cov(w, c, cell) : cov;
        vd npi = zero, nfa = zero;
        if (!eu) {
            npi = pi * ((1.0 - cv) + cv * alpha);
            nfa = fa * (1.0 - cv);
        }
        if (queue && !eu)
            VD(AT(w->cq, j)) += vsel(act, rc * pi * cv * (1.0 - alpha), zero);
        VD(AT(w->cpi, j)) = pi = vsel(act, npi, pi);
        VD(AT(w->cfall, j)) = vsel(act, nfa, fa);
        rsum += rc;
        psum += rc * pi;
    }
    return vsel(rsum > 0, psum / rsum, vsplat(1));
}

/* A licence's approvals of flow k from its queue (first pass), within the
 * budget where the control is on (all of the queue where it is off: lifted,
 * the whole queue ships); returns the budget left. */
static vd queue_approve(const ms_engine *e, ms_work *w, const ms_cpol *cp, const ctrl *c, int k, vd budget, vl on)
{
    int f = c->flows[k];
    vd zero = vsplat(0), q = VD(PSTATE(cp, ST_QUEUE(c, k)));
    vd qa = vsel(on != 0, vsel(q < budget, q, budget), q);
    qa = vsel(q > 0, qa, zero);
    VD(PSTATE(cp, ST_QUEUE(c, k))) = q - qa;
    VD(PSTATE(cp, ST_QAPP(c, k))) = qa;
    VD(AT(w->qapp, f)) += qa;
    vd dl = VD(AT(w->qdel, f)), delay = vsel(on != 0, VD(VS(c->delay)), zero);
    VD(AT(w->qdel, f)) = vsel((qa > 0) & (delay > dl), delay, dl);
    return vsel(on != 0, budget - qa, budget);
}

/* A licence's approvals of flow k this pass: first from its queue (first
 * pass; all of it when the control is off), then of the covered volume
 * `want`, within the budget left; returns the new approvals. */
static vd license_approve(const ms_engine *e, ms_work *w, const ms_cpol *cp, const ctrl *c, int k, vd want,
                          vl act, vl on, int pass)
{
    int f = c->flows[k], i = e->fl_i[f], p = e->fl_p[f];
    vd zero = vsplat(0), a = VD(PSTATE(cp, ST_A + c->fgroup[k]));
    vd base = VD(AT(w->B0, f)) * VD(AT(w->gscale, i * e->P + p));
    vd budget = a * lead_cov(e, w, c, f) * base - VD(PSTATE(cp, ST_USED(c, k)));
    budget = vsel(budget < 0, zero, budget);
    if (c->abandon != NONE && pass == 0)
        budget = queue_approve(e, w, cp, c, k, budget, on);
    return vsel(act, vsel(want < budget, want, budget), zero);
}

/* The pass of a licence or ban that is off in every lane: what the full
 * pass does with no lane active, the rest being identities (adding +0 to
 * sums of terms >= 0 from +0, selecting the old value): a licence's queue
 * ships whole, nothing is approved, and each flow's pass rate after it is
 * what reached it (a per-cell flow's: over its cells, as pass_cells). */
static void pass_off(const ms_engine *e, ms_work *w, const ms_cpol *cp, const ctrl *c, const ms_hook_ctx *x, vd cov)
{
    vd zero = vsplat(0);
    vl none = (vl)(zero != zero);
    for (int k = 0; k < c->nflows; k++) {
        int f = c->flows[k];
        if (c->mode == MS_CTRL_LICENSE && c->abandon != NONE && x->pass == 0)
            queue_approve(e, w, cp, c, k, zero, none);
        VD(PSTATE(cp, ST_APPROVED(c, k))) = zero;
        VD(PSTATE(cp, ST_PIAFTER(c, k))) =
            e->fl_cell[f] && x->pass == 0 ? pass_cells(e, w, c, f, none, cov, zero, 0) : VD(AT(w->piall, f));
    }
}

static void hook_pass(const ms_engine *e, ms_work *w, const ms_cpol *cp, const ms_hook_ctx *x)
{
    const ctrl *c = cp->data;
    int queue = c->abandon != NONE && x->pass == 0;
    if (c->mode == MS_CTRL_QUOTA)
        quota_fraction(e, w, cp, c, x->req, x->pass);
    vd zero = vsplat(0), on = VD(PSTATE(cp, ST_ON)), qf = VD(PSTATE(cp, ST_QFRAC));
    vd cov = VD(VS(c->aff)) * (1.0 - VD(PSTATE(c->cp, ST_GL))); /* controlled share of the flow (one share) */
    if (c->mode != MS_CTRL_QUOTA && !vany(on != 0)) {
        pass_off(e, w, cp, c, x, cov);
        return;
    }
    vd delay = VD(VS(c->delay)), decision = VD(VS(c->decision));
    for (int k = 0; k < c->nflows; k++) {
        int f = c->flows[k], cells = e->fl_cell[f] && x->pass == 0;
        vd piall = VD(AT(w->piall, f)), v = VD(AT(x->req, f)) * piall; /* what earlier controls passed */
        vd fr, cv, want = flow_want(e, w, c, f, x->req, x->pass, cov, &fr, &cv);
        vl act = (v > 0) & (on != 0), m2 = act & (cv > 0);
        if (cells)
            m2 = act & (want > 0);
        vd approved = zero;
        if (c->mode == MS_CTRL_LICENSE)
            approved = license_approve(e, w, cp, c, k, want, m2, (vl)(on != 0), x->pass);
        else if (c->mode == MS_CTRL_QUOTA)
            approved = vsel(m2, want * qf, zero);
        vd alpha = vsel(m2, approved / want, zero); /* approved share of the covered volume */
        vd passc = zero;                                /* share of v passing through the covered part */
        if (c->mode == MS_CTRL_LICENSE)
            passc = vsel(m2, approved / v, zero);
        else if (c->mode == MS_CTRL_QUOTA)
            passc = vsel(m2, cv * qf, zero);
        if (c->mode == MS_CTRL_LICENSE) {
            vd dmax = VD(AT(w->dmax, f));
            VD(AT(w->dmax, f)) = vsel((approved > 0) & (delay > dmax), delay, dmax);
        }
        /* what it refuses is known after its decision time (a ban: at once); a queue refuses nothing */
        vl refuses = m2 & (passc < cv);
        if (cells)
            refuses = m2 & (alpha < 1);
        if (queue && c->bycell) {
            int eu = 0; /* only end users are refused outright */
            for (int cell = e->cell0[e->fl_i[f]]; cell < e->cell0[e->fl_i[f] + 1]; cell++)
                eu |= c->ceu[cell];
            if (!eu)
                refuses = (vl)(zero != zero);
        } else if (queue) {
            refuses = (vl)(zero != zero);
        }
        vd dec = VD(AT(w->dec, f));
        VD(AT(w->dec, f)) = vsel(refuses & (decision > dec), decision, dec);
        if (cells) {
            piall = pass_cells(e, w, c, f, act, cov, alpha, queue);
        } else {
            VD(AT(w->fall, f)) = vsel(act, VD(AT(w->fall, f)) * fr, VD(AT(w->fall, f)));
            piall = vsel(act, piall * (fr + passc), piall);
            VD(AT(w->piall, f)) = piall;
            if (queue)
                VD(AT(w->qin, f)) += vsel(act, want - approved, zero);
        }
        if (queue) /* the covered volume not approved waits */
            VD(PSTATE(cp, ST_QUEUE(c, k))) += vsel(m2, want - approved, zero);
        VD(PSTATE(cp, ST_APPROVED(c, k))) = approved;
        VD(PSTATE(cp, ST_PIAFTER(c, k))) = piall;
    }
}

static void hook_charge(const ms_engine *e, ms_work *w, const ms_cpol *cp, const ms_hook_ctx *x)
{
    const ctrl *c = cp->data;
    if (c->mode == MS_CTRL_BAN)
        return;
    vd zero = vsplat(0), qused = zero;
    for (int k = 0; k < c->nflows; k++) {
        int f = c->flows[k];
        vd after = VD(PSTATE(cp, ST_PIAFTER(c, k))), frac = VD(AT(x->frac, c->s * e->P + e->fl_p[f]));
        vd later = vsel(after > 0, VD(AT(w->piall, f)) / after, zero); /* what later controls passed of it */
        vd ships = VD(PSTATE(cp, ST_APPROVED(c, k))) * later * frac;
        if (c->mode == MS_CTRL_LICENSE) {
            VD(PSTATE(cp, ST_USED(c, k))) += ships;
            if (c->abandon != NONE && x->pass == 0) { /* queue approvals: charged as they ship, the rest waits */
                vd qa = VD(PSTATE(cp, ST_QAPP(c, k)));
                VD(PSTATE(cp, ST_USED(c, k))) += qa * frac;
                VD(PSTATE(cp, ST_QUEUE(c, k))) += qa * (1.0 - frac);
                VD(PSTATE(cp, ST_QAPP(c, k))) = zero;
            }
        } else {
            qused += ships;
        }
    }
    VD(PSTATE(cp, ST_QUSED)) += qused;
}

/* The destination groups: group 0 the control's own approval, then
 * license.by_destination; each covered flow's group. */
static int compile_groups(ms_engine *e, ctrl *c, const ms_export_control *x)
{
    int n = 1 + x->ngroups;
    c->ngroups = n;
    c->ga0 = malloc(sizeof(int) * (size_t)n);
    c->ga1 = malloc(sizeof(int) * (size_t)n);
    c->gramp = malloc(sizeof(int) * (size_t)n);
    c->gfrom = malloc(sizeof(int) * (size_t)n);
    c->fgroup = calloc((size_t)(c->nflows ? c->nflows : 1), sizeof(int));
    if (!c->ga0 || !c->ga1 || !c->gramp || !c->gfrom || !c->fgroup)
        return -1;
    c->ga0[0] = c->a0, c->ga1[0] = c->a1, c->gramp[0] = c->ramp, c->gfrom[0] = NONE;
    for (int g = 1; g < n; g++) {
        const ms_ctrl_group *y = &x->groups[g - 1];
        if ((c->ga0[g] = ms_engine_add_slot(e, &y->approval)) < 0 ||
            (c->ga1[g] = ms_engine_add_slot(e, &y->approval_end)) < 0 ||
            (c->gramp[g] = ms_engine_add_slot(e, &y->ramp_months)) < 0)
            return -1;
        c->gfrom[g] = NONE;
        if (y->has_ramp_from && (c->gfrom[g] = ms_engine_add_slot(e, &y->ramp_from)) < 0)
            return -1;
        for (int k = 0; k < c->nflows; k++)
            if (y->destinations[e->fl_i[c->flows[k]]])
                c->fgroup[k] = g;
    }
    return 0;
}

/* A control by industry: each cell's covered share (its industry's, else
 * the default) and end-user flag; the flows it covers become per-cell flows. */
static int compile_cells(ms_engine *e, ctrl *c, const ms_export_control *x)
{
    c->bycell = x->affected_by != NULL || x->nend_users > 0;
    if (!c->bycell)
        return 0;
    c->ccov = malloc(sizeof(int) * (size_t)(e->C ? e->C : 1));
    c->ceu = calloc((size_t)(e->C ? e->C : 1), sizeof(int));
    if (!c->ccov || !c->ceu)
        return -1;
    for (int i = 0, cell = 0; i < e->I; i++)
        for (int k = 0; k < e->sc->importers[i].nindustries; k++, cell++) {
            const char *name = e->sc->importers[i].industries[k].name;
            c->ccov[cell] = c->aff;
            for (int j = 0; j < x->naffected_by; j++)
                if (!strcmp(x->affected_by[j].industry, name) &&
                    (c->ccov[cell] = ms_engine_add_slot(e, &x->affected_by[j].share)) < 0)
                    return -1;
            for (int j = 0; j < x->nend_users; j++)
                c->ceu[cell] |= !strcmp(x->end_users[j], name);
        }
    for (int k = 0; k < c->nflows; k++) {
        int f = c->flows[k];
        e->fl_cell[f] = 1;
        e->ip_cell[e->fl_i[f] * e->P + e->fl_p[f]] = 1;
    }
    return 0;
}

int ms_export_control_compile(ms_engine *e, ms_cpol *cp, char *err, size_t errlen)
{
    const ms_export_control *x = cp->pol->data;
    ctrl *c = calloc(1, sizeof *c);
    if (!c)
        return -1;
    cp->data = c;
    cp->free_data = ctrl_free;
    c->s = x->exporter;
    c->prod = x->products;
    c->dest = x->destinations;
    c->mode = x->mode;
    int k[16];
    const ms_dist *d[16] = {&x->affected, &x->general_license, &x->announce, &x->start, x->has_end ? &x->end : NULL,
                            &x->lift_hazard, &x->reimpose_hazard, &x->approval,
                            x->has_approval_end ? &x->approval_end : NULL, &x->approval_ramp_months,
                            &x->approval_noise, &x->delay_months, &x->quota_t_per_month, &x->decision_months,
                            x->has_queue && x->mode == MS_CTRL_LICENSE ? &x->queue_abandon : NULL,
                            x->has_general_license_from ? &x->general_license_from : NULL};
    for (int j = 0; j < 16; j++)
        if ((k[j] = d[j] ? ms_engine_add_slot(e, d[j]) : NONE) < 0 && d[j])
            return -1;
    c->aff = k[0], c->gl = k[1], c->announce = k[2], c->start = k[3], c->end = k[4], c->lift = k[5];
    c->reimp = k[6], c->a0 = k[7], c->a1 = k[8] == NONE ? k[7] : k[8], c->ramp = k[9], c->noise = k[10];
    c->delay = k[11], c->quota = k[12], c->decision = k[13], c->abandon = k[14], c->gl_from = k[15];
    c->cp = cp;
    c->stream_regime = x->start.stream ^ 0x5bd1e995u;
    c->stream_noise = x->approval.stream ^ 0x27d4eb2fu;
    double md = 0;
    if (x->mode == MS_CTRL_LICENSE)
        md = ms_dist_max(&x->delay_months);
    double mdec = ms_dist_max(&x->decision_months);
    md = md > mdec ? md : mdec;
    if (!isfinite(md))
        md = e->T;
    if (md > e->maxdelay)
        e->maxdelay = md;
    c->flows = malloc(sizeof(int) * (size_t)(e->nflows ? e->nflows : 1));
    if (!c->flows)
        return -1;
    for (int f = 0; f < e->nflows; f++)
        if (e->fl_s[f] == c->s && c->prod[e->fl_p[f]] && c->dest[e->fl_i[f]])
            c->flows[c->nflows++] = f;
    if (compile_groups(e, c, x) || compile_cells(e, c, x))
        return -1;
    if (c->abandon != NONE)
        e->has_queue = 1;
    c->st_flow0 = ST_A + c->ngroups;
    cp->nstate = c->st_flow0 + 5 * c->nflows;
    cp->hook[MS_HOOK_REF_START] = hook_ref;
    cp->hook[MS_HOOK_MONTH] = hook_month;
    cp->hook[MS_HOOK_EXPORT_CONTROL] = hook_pass;
    cp->hook[MS_HOOK_CHARGE] = hook_charge;
    (void)err;
    (void)errlen;
    return ms_engine_hook(e, cp, MS_HOOK_REF_START, -1, -1) || ms_engine_hook(e, cp, MS_HOOK_MONTH, -1, -1) ||
                   ms_engine_hook(e, cp, MS_HOOK_EXPORT_CONTROL, -1, -1) ||
                   ms_engine_hook(e, cp, MS_HOOK_CHARGE, -1, -1) ? -1 : 0;
}

/* ---- the scenario file: keys, checks, the timeline (built once) ---------------- */
#ifndef MS_ISA_V4

static const char *const mode_words[] = {"license", "ban", "quota", NULL};

static const mskey queue_schema[] = {
    {.key = "abandon_per_month", .type = MSN_ANY, .fn = msl_h_dist, .off = offsetof(ms_export_control, queue_abandon),
         .flags = K_DEF, .range = R_SHARE},
    {0},
};

static const mskey group_schema[] = {
    {.key = "destinations", .type = MSN_ANY, .fn = msl_h_mask, .off = offsetof(ms_ctrl_group, destinations),
         .flags = K_REQ, .ref = REF_IMPORTER, .range = R_ANY},
    {.key = "approval", .type = MSN_ANY, .fn = msl_h_dist, .off = offsetof(ms_ctrl_group, approval),
         .flags = K_REQ | K_DEF, .range = R_SHARE},
    {.key = "approval_end", .type = MSN_ANY, .fn = msl_h_dist, .off = offsetof(ms_ctrl_group, approval_end),
         .flags = K_HAS, .range = R_SHARE, .has_off = offsetof(ms_ctrl_group, has_approval_end)},
    {.key = "ramp_months", .type = MSN_ANY, .fn = msl_h_dist, .off = offsetof(ms_ctrl_group, ramp_months),
         .flags = K_HAS, .range = R_NONNEG, .has_off = offsetof(ms_ctrl_group, has_ramp)},
    {.key = "ramp_from", .type = MSN_ANY, .fn = msl_h_dist, .off = offsetof(ms_ctrl_group, ramp_from),
         .flags = K_HAS | K_DATE, .range = R_ANY, .has_off = offsetof(ms_ctrl_group, has_ramp_from)},
    {0},
};

/* license.by_destination: a list of groups, each {destinations, approval, ...}. */
static void h_groups(msl *L, const msn *v, void *base, const mskey *k, const char *path)
{
    ms_export_control *c = base;
    if (v->n == 0 || !msl_count_ok(L, v, MSL_MAX_LIST, "destination groups"))
        return;
    c->groups = msl_own(L, sizeof *c->groups * (size_t)v->n);
    if (!c->groups)
        return;
    char sub[512];
    for (int i = 0; i < v->n; i++) {
        if (v->vals[i]->type != MSN_MAP) {
            msl_err(L, MS_D_TYPE, v->vals[i], "by_destination: each group must be a map {destinations, approval, ...}, "
                    "got %s", msn_type_name(v->vals[i]->type));
            continue;
        }
        ms_ctrl_group *g = &c->groups[c->ngroups++];
        g->destinations = msl_own(L, sizeof(int) * (size_t)(L->s->nimporters ? L->s->nimporters : 1));
        if (!g->destinations)
            return;
        for (int j = 0; j < L->s->nimporters; j++)
            g->destinations[j] = 1; /* "all"; a name or a list replaces it */
        snprintf(sub, sizeof sub, "%s.%d", path, i);
        msl_apply(L, v->vals[i], group_schema, g, sub);
    }
}

static const mskey license_schema[] = {
    {.key = "approval", .type = MSN_ANY, .fn = msl_h_dist, .off = offsetof(ms_export_control, approval),
         .flags = K_DEF, .range = R_SHARE},
    {.key = "approval_end", .type = MSN_ANY, .fn = msl_h_dist, .off = offsetof(ms_export_control, approval_end),
         .flags = K_HAS, .range = R_SHARE, .has_off = offsetof(ms_export_control, has_approval_end)},
    {.key = "ramp_months", .type = MSN_ANY, .fn = msl_h_dist,
         .off = offsetof(ms_export_control, approval_ramp_months), .flags = K_DEF, .range = R_NONNEG},
    {.key = "noise_sd", .type = MSN_ANY, .fn = msl_h_dist, .off = offsetof(ms_export_control, approval_noise),
         .flags = K_DEF, .range = R_NONNEG},
    {.key = "decision_months", .type = MSN_ANY, .fn = msl_h_dist,
         .off = offsetof(ms_export_control, decision_months), .flags = K_DEF | K_HAS, .range = R_NONNEG,
         .has_off = offsetof(ms_export_control, has_decision)},
    {.key = "delay_months", .type = MSN_ANY, .fn = msl_h_dist, .off = offsetof(ms_export_control, delay_months),
         .flags = K_DEF, .range = R_NONNEG},
    {.key = "queue", .type = MSN_MAP, .fn = msl_h_inline, .flags = K_INLINE | K_HAS, .sub = queue_schema,
         .range = R_ANY, .has_off = offsetof(ms_export_control, has_queue)},
    {.key = "by_destination", .type = MSN_LIST, .fn = h_groups, .flags = K_LIST, .sub = group_schema,
         .range = R_ANY},
    {0},
};

/* affected: one share (a number or a distribution), or a map INDUSTRY ->
 * share with an optional `default` for the industries not listed (0). */
static void h_affected(msl *L, const msn *v, void *base, const mskey *k, const char *path)
{
    ms_export_control *c = base;
    if (v->type != MSN_MAP || msn_get(v, "dist")) {
        msl_h_dist(L, v, base, k, path);
        return;
    }
    static const msrange share = R_SHARE;
    char sub[512];
    msl_join(sub, sizeof sub, path, "default");
    msl_dist_default(L, sub, 0, &share, 0, &c->affected);
    if (!msl_count_ok(L, v, MSL_MAX_INDUSTRIES * 10, "industries"))
        return;
    c->affected_by = msl_own(L, sizeof *c->affected_by * (size_t)(v->n ? v->n : 1));
    if (!c->affected_by)
        return;
    for (int i = 0; i < v->n; i++) {
        const char *name = v->keys[i]->str;
        msl_join(sub, sizeof sub, path, name);
        if (!strcmp(name, "default")) {
            msl_dist(L, v->vals[i], sub, 0, &share, &c->affected);
            continue;
        }
        ms_ctrl_share *a = &c->affected_by[c->naffected_by++];
        a->industry = msl_keydup(L, name);
        msl_dist(L, v->vals[i], sub, 0, &share, &a->share);
    }
}

/* end_users: a list of industry names. */
static void h_end_users(msl *L, const msn *v, void *base, const mskey *k, const char *path)
{
    ms_export_control *c = base;
    if (!msl_count_ok(L, v, MSL_MAX_INDUSTRIES * 10, "end users"))
        return;
    c->end_users = msl_own(L, sizeof(char *) * (size_t)(v->n ? v->n : 1));
    if (!c->end_users)
        return;
    for (int i = 0; i < v->n; i++) {
        if (v->vals[i]->type != MSN_SCALAR) {
            msl_err(L, MS_D_TYPE, v->vals[i], "end_users: expected an industry name, got %s",
                    msn_type_name(v->vals[i]->type));
            continue;
        }
        c->end_users[c->nend_users++] = msl_keydup(L, v->vals[i]->str);
    }
}

static const mskey control_schema[] = {
    MS_POLICY_COMMON_KEYS,
    {.key = "exporter", .type = MSN_ANY, .fn = msl_h_ref, .off = offsetof(ms_export_control, exporter),
         .flags = K_REQ, .ref = REF_SUPPLIER, .range = R_ANY},
    {.key = "products", .type = MSN_ANY, .fn = msl_h_mask, .off = offsetof(ms_export_control, products),
         .ref = REF_PRODUCT, .range = R_ANY},
    {.key = "destinations", .type = MSN_ANY, .fn = msl_h_mask, .off = offsetof(ms_export_control, destinations),
         .ref = REF_IMPORTER, .range = R_ANY},
    {.key = "affected", .type = MSN_ANY, .fn = h_affected, .off = offsetof(ms_export_control, affected),
         .flags = K_DEF, .range = R_SHARE, .def = 1},
    {.key = "end_users", .type = MSN_LIST, .fn = h_end_users, .range = R_ANY},
    {.key = "general_license", .type = MSN_ANY, .fn = msl_h_dist,
         .off = offsetof(ms_export_control, general_license), .flags = K_DEF, .range = R_SHARE},
    {.key = "general_license_from", .type = MSN_ANY, .fn = msl_h_dist,
         .off = offsetof(ms_export_control, general_license_from), .flags = K_DATE | K_HAS, .range = R_ANY,
         .has_off = offsetof(ms_export_control, has_general_license_from)},
    {.key = "mode", .type = MSN_SCALAR, .fn = msl_h_enum, .off = offsetof(ms_export_control, mode), .flags = K_REQ,
         .words = mode_words, .range = R_ANY},
    {.key = "start", .type = MSN_ANY, .fn = msl_h_dist, .off = offsetof(ms_export_control, start),
         .flags = K_REQ | K_DATE, .range = R_ANY},
    {.key = "announce", .type = MSN_ANY, .fn = msl_h_dist, .off = offsetof(ms_export_control, announce),
         .flags = K_DATE, .range = R_ANY},
    {.key = "end", .type = MSN_ANY, .fn = msl_h_dist, .off = offsetof(ms_export_control, end),
         .flags = K_DATE | K_HAS, .has_off = offsetof(ms_export_control, has_end), .range = R_ANY},
    {.key = "lift_hazard", .type = MSN_ANY, .fn = msl_h_dist, .off = offsetof(ms_export_control, lift_hazard),
         .flags = K_DEF, .range = R_SHARE},
    {.key = "reimpose_hazard", .type = MSN_ANY, .fn = msl_h_dist,
         .off = offsetof(ms_export_control, reimpose_hazard), .flags = K_DEF, .range = R_SHARE},
    {.key = "license", .type = MSN_MAP, .fn = msl_h_inline, .flags = K_INLINE, .sub = license_schema, .range = R_ANY},
    {.key = "quota_t_per_month", .type = MSN_ANY, .fn = msl_h_dist,
         .off = offsetof(ms_export_control, quota_t_per_month), .flags = K_DEF, .range = R_NONNEG},
    {0},
};

/* An industry name of some destination of c, else an error at `at` (did you mean). */
static void check_industry(msl *L, const ms_export_control *c, const char *name, const msn *at, const char *what)
{
    const ms_scenario *s = L->s;
    const char *words[256];
    int nw = 0;
    for (int i = 0; i < s->nimporters; i++) {
        if (!c->destinations[i])
            continue;
        for (int k = 0; k < s->importers[i].nindustries; k++) {
            const char *n = s->importers[i].industries[k].name;
            if (!strcmp(n, name))
                return;
            if (nw < 256)
                words[nw++] = n;
        }
    }
    const char *sug = msl_suggest(name, words, nw);
    if (sug)
        msl_err(L, MS_D_REF, at, "%s: '%s' is not an industry of the control's destinations (did you mean '%s'?)",
                what, name, sug);
    else
        msl_err(L, MS_D_REF, at, "%s: '%s' is not an industry of the control's destinations", what, name);
}

/* The industries named by affected: {...} and end_users exist among the destinations. */
static void check_industries(msl *L, const msn *map, const ms_export_control *c)
{
    const msn *a = msn_get(map, "affected"), *u = msn_get(map, "end_users");
    if (a && a->type == MSN_MAP && !msn_get(a, "dist"))
        for (int i = 0; i < a->n; i++)
            if (strcmp(a->keys[i]->str, "default"))
                check_industry(L, c, a->keys[i]->str, a->keys[i], "affected");
    if (u && u->type == MSN_LIST)
        for (int i = 0; i < u->n; i++)
            if (u->vals[i]->type == MSN_SCALAR)
                check_industry(L, c, u->vals[i]->str, u->vals[i], "end_users");
}

/* Destination groups: defaults from the control, each destination a destination of the control, in one group. */
static void check_groups(msl *L, const msn *list, ms_export_control *c)
{
    int g = 0;
    for (int n = 0; list && list->type == MSN_LIST && n < list->n && g < c->ngroups; n++) {
        const msn *node = list->vals[n], *at;
        if (node->type != MSN_MAP)
            continue; /* reported */
        ms_ctrl_group *x = &c->groups[g];
        if (!x->has_approval_end)
            x->approval_end = x->approval; /* the same draw */
        if (!x->has_ramp)
            x->ramp_months = c->approval_ramp_months;
        at = msn_get(node, "destinations") ? msn_get(node, "destinations") : node;
        for (int i = 0; i < L->s->nimporters; i++) {
            if (!x->destinations[i])
                continue;
            if (!c->destinations[i])
                msl_err(L, MS_D_REF, at, "by_destination: '%s' is not a destination of the control",
                        L->s->importers[i].name);
            for (int h = 0; h < g; h++)
                if (c->groups[h].destinations[i])
                    msl_err(L, MS_D_VALUE, at, "by_destination: '%s' is already in group %d", L->s->importers[i].name,
                            h);
        }
        g++;
    }
}

static void parsed_init(msl *L, void *data)
{
    ms_export_control *c = data;
    c->exporter = -1;
    c->products = msl_mask_all(L->s->nproducts);
    c->destinations = msl_mask_all(L->s->nimporters);
}

static void parsed_check(msl *L, const msn *map, void *data)
{
    ms_export_control *c = data;
    const msn *lic = msn_get(map, "license");
    const msn *lick = msn_key(map, "license");
    const msn *qk = msn_key(map, "quota_t_per_month");
    if (c->mode == MS_CTRL_LICENSE) {
        if (!lic)
            msl_err(L, MS_D_MISSING, map, "mode license needs license: {approval: ...}");
        else if (lic->type == MSN_MAP && !msn_get(lic, "approval"))
            msl_err(L, MS_D_MISSING, lic, "mode license needs license.approval");
        if (qk)
            msl_err(L, MS_D_UNKNOWN_KEY, qk, "quota_t_per_month does not apply to mode license");
    } else if (c->mode == MS_CTRL_BAN || c->mode == MS_CTRL_QUOTA) {
        if (lick)
            msl_err(L, MS_D_UNKNOWN_KEY, lick, "license does not apply to mode %s", mode_words[c->mode]);
        if (c->mode == MS_CTRL_BAN && qk)
            msl_err(L, MS_D_UNKNOWN_KEY, qk, "quota_t_per_month does not apply to mode ban");
        if (c->mode == MS_CTRL_QUOTA && !qk)
            msl_err(L, MS_D_MISSING, map, "mode quota needs quota_t_per_month");
    }
    if (!msn_get(map, "announce"))
        c->announce = c->start; /* the same draw: hoarding starts with the control */
    if (!c->has_approval_end)
        c->approval_end = c->approval;
    if (!c->has_decision && c->mode == MS_CTRL_LICENSE)
        c->decision_months = c->delay_months; /* the same draw: a denial is known when a grant would ship */
    msl_check_end(L, map, &c->start, c->has_end, &c->end);
    check_industries(L, map, c);
    check_groups(L, lic && lic->type == MSN_MAP ? msn_get(lic, "by_destination") : NULL, c);
}

static void parsed_free(void *data)
{
    ms_export_control *c = data;
    free(c->products);
    free(c->destinations);
}

static const ms_dist *parsed_start(const void *data)
{
    return &((const ms_export_control *)data)->start;
}

static const ms_dist *parsed_end(const void *data)
{
    const ms_export_control *c = data;
    return c->has_end ? &c->end : NULL;
}

static void parsed_describe(const ms_scenario *s, const void *data, char *buf, size_t len)
{
    const ms_export_control *x = data;
    char a[160], b[160];
    msl_mask_names(a, sizeof a, x->destinations, s->nimporters, REF_IMPORTER, s);
    msl_mask_names(b, sizeof b, x->products, s->nproducts, REF_PRODUCT, s);
    int n = snprintf(buf, len, "%s -> %s, %s, %s, ", x->exporter >= 0 ? s->suppliers[x->exporter].name : "?", a, b,
                     (unsigned)x->mode < 3 ? mode_words[x->mode] : "?");
    if (n > 0 && (size_t)n < len)
        n += x->naffected_by ? snprintf(buf + n, len - (size_t)n, "affected by industry (%d listed, others %.2g)",
                                        x->naffected_by, ms_dist_mean(&x->affected))
                             : snprintf(buf + n, len - (size_t)n, "affected %.2g", ms_dist_mean(&x->affected));
    if (x->mode == MS_CTRL_LICENSE && n > 0 && (size_t)n < len)
        n += snprintf(buf + n, len - (size_t)n, ", approval %s mean %.2g", ms_dist_kind_name(x->approval.kind),
                      ms_dist_mean(&x->approval));
    else if (x->mode == MS_CTRL_QUOTA && n > 0 && (size_t)n < len)
        n += snprintf(buf + n, len - (size_t)n, ", quota %.4g t/month", ms_dist_mean(&x->quota_t_per_month));
    if (x->nend_users && n > 0 && (size_t)n < len)
        n += snprintf(buf + n, len - (size_t)n, ", %d end user%s denied", x->nend_users, x->nend_users > 1 ? "s" : "");
    if (x->mode == MS_CTRL_LICENSE && x->ngroups && n > 0 && (size_t)n < len)
        n += snprintf(buf + n, len - (size_t)n, ", %d destination group%s", x->ngroups, x->ngroups > 1 ? "s" : "");
    if (x->mode == MS_CTRL_LICENSE && x->has_queue && n > 0 && (size_t)n < len)
        snprintf(buf + n, len - (size_t)n, ", queue (abandon %.2g/month)", ms_dist_mean(&x->queue_abandon));
}

const ms_export_control *ms_export_control_of(const ms_policy *p)
{
    return p && p->type == &ms_policy_export_control ? p->data : NULL;
}

const ms_policy_type ms_policy_export_control = {
    .name = "export_control",
    .schema = control_schema,
    .size = sizeof(ms_export_control),
    .init = parsed_init,
    .check = parsed_check,
    .free = parsed_free,
    .start = parsed_start,
    .end = parsed_end,
    .describe = parsed_describe,
    .compile = ms_export_control_compile,
    .compile_v4 = MS_V4(ms_export_control_compile),
};

#endif
