/*
 * policy/export_control.c - export controls: licences, bans and quotas on
 * an exporter's flows (docs/model.md, steps 1, 3 and 6).
 *
 * Compiled form: the exporter, a slot per input, the streams of the regime
 * switches and of the approval noise, and the flows the control covers (the
 * exporter's flows of its products to its destinations, every product, in
 * flow order).
 *
 * Per-lane state: on, started, the month's approval share, the quota's pass
 * fraction, the month the current spell of the control began (approvals
 * ramp from it, again after a re-imposition), the quota's total charged
 * this month, and per covered flow: the licence budget charged this month,
 * and, for the pass in progress, the volume it approved and the flow's pass
 * rate after it.
 *
 * Hooks:
 *   REF_START       its start is a reference for time-to-survive of what it covers;
 *   MONTH           the regime (off before start and from end; on at start;
 *                   then lifted / re-imposed by monthly hazards), the
 *                   approval share a(t), the budgets reset, hoarding flags,
 *                   the licence cover and delay of the expected lead time;
 *   EXPORT_CONTROL  the pass of the volume reaching it (what earlier controls
 *                   passed): its free share passes at once, a licence's
 *                   approved share after the delay, a quota's pro rata share
 *                   at once; denials are known after decision_months;
 *   CHARGE          after capacity rationing, budgets and quotas are charged
 *                   for what ships: what it approved, times what later
 *                   controls passed, times the supplier's rationing fraction.
 */
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "../engine_int.h"
#include "../policy.h"
#include "export_control.h"

enum { ST_ON = 0, ST_STARTED, ST_A, ST_QFRAC, ST_SPELL, ST_QUSED, ST_FLOWS }; /* then 3 per covered flow */

typedef struct ctrl {
    int s;                     /* exporter */
    int mode;                  /* ms_control_mode */
    const int *prod, *dest;    /* [P], [I] masks */
    int aff, gl, announce, start, end, lift, reimp, a0, a1, ramp, noise, delay, quota, decision; /* slots; end NONE */
    uint32_t stream_regime;    /* stream of the lift / re-impose draws */
    uint32_t stream_noise;     /* stream of the approval noise */
    int *flows, nflows;        /* covered flows, every product, in flow order */
} ctrl;

/* Per covered flow k: budget charged, volume approved in the pass, pass rate after it. */
#define ST_USED(k) (ST_FLOWS + 3 * (k))
#define ST_APPROVED(k) (ST_FLOWS + 3 * (k) + 1)
#define ST_PIAFTER(k) (ST_FLOWS + 3 * (k) + 2)

static void ctrl_free(void *data)
{
    ctrl *c = data;
    if (c)
        free(c->flows);
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

/* The approval share of month t for lane l while the control is on: a ramp
 * from the start of the spell, plus noise, within [0, 1]. */
static double approval(const ms_engine *e, ms_work *w, const ms_cpol *cp, const ctrl *c, int t, int l)
{
    double rm = VS(c->ramp)[l];
    double x = rm > 0 ? (t - PSTATE(cp, ST_SPELL)[l]) / rm : 1.0;
    if (x > 1)
        x = 1;
    if (x < 0)
        x = 0;
    double a0 = VS(c->a0)[l], a = a0 + (VS(c->a1)[l] - a0) * x;
    double sd = VS(c->noise)[l];
    if (sd > 0) {
        ms_rng_key(w->rng, w->path[l], c->stream_noise, (uint32_t)t);
        a += sd * gsl_ran_gaussian_ziggurat(w->rng->g, 1.0);
    }
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

static void hook_month(const ms_engine *e, ms_work *w, const ms_cpol *cp, const ms_hook_ctx *x)
{
    const ctrl *c = cp->data;
    int t = x->t, I = e->I, P = e->P;
    double *on = PSTATE(cp, ST_ON), *a = PSTATE(cp, ST_A);
    LANES {
        regime(e, w, cp, c, t, l);
        a[l] = on[l] && c->mode == MS_CTRL_LICENSE ? approval(e, w, cp, c, t, l) : 0;
        PSTATE(cp, ST_QUSED)[l] = 0;
        for (int k = 0; k < c->nflows; k++)
            PSTATE(cp, ST_USED(k))[l] = 0;
        double st = VS(c->start)[l];
        int announced = t >= VS(c->announce)[l] && t < st && !(c->end != NONE && t >= VS(c->end)[l]);
        if (on[l] || announced)
            for (int i = 0; i < I; i++)
                for (int p = 0; p < P; p++)
                    if (c->dest[i] && c->prod[p])
                        AT(w->hoard, i * P + p)[l] = 1;
    }
    if (c->mode != MS_CTRL_LICENSE)
        return;
    /* the expected lead time: the covered share waits the licence delay */
    vd zero = vsplat(0), cov = VD(VS(c->aff)) * (1.0 - VD(VS(c->gl))), delay = VD(VS(c->delay));
    vl act = VD(on) != 0;
    for (int k = 0; k < c->nflows; k++) {
        int f = c->flows[k];
        VD(AT(w->lic_free, f)) = vsel(act, VD(AT(w->lic_free, f)) * (1.0 - cov), VD(AT(w->lic_free, f)));
        vd ld = VD(AT(w->lic_delay, f));
        VD(AT(w->lic_delay, f)) = vsel(act & (delay > ld), delay, ld);
    }
    (void)zero;
}

/* Quota: every covered flow passes the same fraction of its covered volume,
 * what is left of the month's quota over their total (products and
 * destinations together). */
static void quota_fraction(const ms_engine *e, ms_work *w, const ms_cpol *cp, const ctrl *c, const double *req)
{
    vd zero = vsplat(0), cov = VD(VS(c->aff)) * (1.0 - VD(VS(c->gl))), A = zero;
    for (int k = 0; k < c->nflows; k++) {
        int f = c->flows[k];
        A += VD(AT(req, f)) * VD(AT(w->piall, f)) * cov;
    }
    vd left = VD(VS(c->quota)) - VD(PSTATE(cp, ST_QUSED));
    left = vsel(left < 0, zero, left);
    VD(PSTATE(cp, ST_QFRAC)) = vsel(A > left, left / A, vsplat(1.0));
}

static void hook_pass(const ms_engine *e, ms_work *w, const ms_cpol *cp, const ms_hook_ctx *x)
{
    const ctrl *c = cp->data;
    int P = e->P;
    if (c->mode == MS_CTRL_QUOTA)
        quota_fraction(e, w, cp, c, x->req);
    vd zero = vsplat(0), on = VD(PSTATE(cp, ST_ON)), a = VD(PSTATE(cp, ST_A)), qf = VD(PSTATE(cp, ST_QFRAC));
    vd cov = VD(VS(c->aff)) * (1.0 - VD(VS(c->gl))); /* controlled share of the flow */
    vd fr = 1.0 - cov, delay = VD(VS(c->delay)), decision = VD(VS(c->decision));
    for (int k = 0; k < c->nflows; k++) {
        int f = c->flows[k], i = e->fl_i[f], p = e->fl_p[f];
        vd piall = VD(AT(w->piall, f)), v = VD(AT(x->req, f)) * piall; /* what earlier controls passed */
        vl act = (v > 0) & (on != 0), m2 = act & (cov > 0);
        vd alpha = zero, approved = zero;
        if (c->mode == MS_CTRL_LICENSE) {
            /* the flow's budget: the pre-control affected flow of the month */
            vd base = VD(AT(w->B0, f)) * VD(AT(w->gscale, i * P + p));
            vd budget = a * cov * base - VD(PSTATE(cp, ST_USED(k)));
            budget = vsel(budget < 0, zero, budget);
            vd want = v * cov;
            approved = vsel(m2, vsel(want < budget, want, budget), zero);
            alpha = vsel(m2, approved / v, zero);
            vd dmax = VD(AT(w->dmax, f));
            VD(AT(w->dmax, f)) = vsel((approved > 0) & (delay > dmax), delay, dmax);
        } else if (c->mode == MS_CTRL_QUOTA) {
            alpha = vsel(m2, cov * qf, zero);
            approved = vsel(m2, v * cov * qf, zero);
        }
        /* what it refuses is known after its decision time (a ban: at once) */
        vd dec = VD(AT(w->dec, f));
        VD(AT(w->dec, f)) = vsel(m2 & (alpha < cov) & (decision > dec), decision, dec);
        VD(AT(w->fall, f)) = vsel(act, VD(AT(w->fall, f)) * fr, VD(AT(w->fall, f)));
        piall = vsel(act, piall * (fr + alpha), piall);
        VD(AT(w->piall, f)) = piall;
        VD(PSTATE(cp, ST_APPROVED(k))) = approved;
        VD(PSTATE(cp, ST_PIAFTER(k))) = piall;
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
        vd after = VD(PSTATE(cp, ST_PIAFTER(k)));
        vd later = vsel(after > 0, VD(AT(w->piall, f)) / after, zero); /* what later controls passed of it */
        vd ships = VD(PSTATE(cp, ST_APPROVED(k))) * later * VD(AT(x->frac, c->s * e->P + e->fl_p[f]));
        if (c->mode == MS_CTRL_LICENSE)
            VD(PSTATE(cp, ST_USED(k))) += ships;
        else
            qused += ships;
    }
    VD(PSTATE(cp, ST_QUSED)) += qused;
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
    int k[14];
    const ms_dist *d[14] = {&x->affected, &x->general_license, &x->announce, &x->start, x->has_end ? &x->end : NULL,
                            &x->lift_hazard, &x->reimpose_hazard, &x->approval,
                            x->has_approval_end ? &x->approval_end : NULL, &x->approval_ramp_months,
                            &x->approval_noise, &x->delay_months, &x->quota_t_per_month, &x->decision_months};
    for (int j = 0; j < 14; j++)
        if ((k[j] = d[j] ? ms_engine_add_slot(e, d[j]) : NONE) < 0 && d[j])
            return -1;
    c->aff = k[0], c->gl = k[1], c->announce = k[2], c->start = k[3], c->end = k[4], c->lift = k[5];
    c->reimp = k[6], c->a0 = k[7], c->a1 = k[8] == NONE ? k[7] : k[8], c->ramp = k[9], c->noise = k[10];
    c->delay = k[11], c->quota = k[12], c->decision = k[13];
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
    cp->nstate = ST_FLOWS + 3 * c->nflows;
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
    {0},
};

static const mskey control_schema[] = {
    MS_POLICY_COMMON_KEYS,
    {.key = "exporter", .type = MSN_ANY, .fn = msl_h_ref, .off = offsetof(ms_export_control, exporter),
         .flags = K_REQ, .ref = REF_SUPPLIER, .range = R_ANY},
    {.key = "products", .type = MSN_ANY, .fn = msl_h_mask, .off = offsetof(ms_export_control, products),
         .ref = REF_PRODUCT, .range = R_ANY},
    {.key = "destinations", .type = MSN_ANY, .fn = msl_h_mask, .off = offsetof(ms_export_control, destinations),
         .ref = REF_IMPORTER, .range = R_ANY},
    {.key = "affected", .type = MSN_ANY, .fn = msl_h_dist, .off = offsetof(ms_export_control, affected),
         .flags = K_DEF, .range = R_SHARE, .def = 1},
    {.key = "general_license", .type = MSN_ANY, .fn = msl_h_dist,
         .off = offsetof(ms_export_control, general_license), .flags = K_DEF, .range = R_SHARE},
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
    int n = snprintf(buf, len, "%s -> %s, %s, %s, affected %.2g", x->exporter >= 0 ? s->suppliers[x->exporter].name : "?",
                     a, b, (unsigned)x->mode < 3 ? mode_words[x->mode] : "?", ms_dist_mean(&x->affected));
    if (x->mode == MS_CTRL_LICENSE && n > 0 && (size_t)n < len)
        snprintf(buf + n, len - (size_t)n, ", approval %s mean %.2g", ms_dist_kind_name(x->approval.kind),
                 ms_dist_mean(&x->approval));
    else if (x->mode == MS_CTRL_QUOTA && n > 0 && (size_t)n < len)
        snprintf(buf + n, len - (size_t)n, ", quota %.4g t/month", ms_dist_mean(&x->quota_t_per_month));
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
