/*
 * policy/export_control.c - export controls: licences, bans and quotas on
 * an exporter's flows (docs/model.md, steps 1 and 6).
 *
 * Compiled form: the exporter, the product and destination masks, a slot per
 * input, the streams of the regime switches and of the approval noise, and
 * for each product the flows the control covers (the exporter's flows of
 * that product to its destinations, in importer order).
 *
 * Per-lane state: on, started, the month's approval share, the quota's pass
 * fraction, and the budget used this month per destination (and, last, the
 * quota's total).
 *
 * Hooks:
 *   REF_START       its start is a candidate reference for time-to-survive;
 *   MONTH           the regime (off before start and from end; on at start;
 *                   then lifted / re-imposed by monthly hazards), the
 *                   approval share a(t), the budgets reset, hoarding flags;
 *   EXPORT_CONTROL  the pass rates of the flows it covers for the requests
 *                   of the pass: the free share multiplies fall, the free
 *                   share plus the approved share multiplies piall, and the
 *                   longest licence delay with approved volume goes to dmax.
 */
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>
#include "../engine_int.h"
#include "../policy.h"
#include "export_control.h"

enum { ST_ON = 0, ST_STARTED, ST_A, ST_QFRAC, ST_USED }; /* per-lane state; ST_USED + i, i = 0..I */

typedef struct ctrl {
    int s;                     /* exporter */
    int mode;                  /* ms_control_mode */
    const int *prod, *dest;    /* [P], [I] masks */
    int aff, gl, announce, start, end, lift, reimp, a0, a1, ramp, noise, delay, quota; /* slots; end NONE: never */
    uint32_t stream_regime;    /* stream of the lift / re-impose draws */
    uint32_t stream_noise;     /* stream of the approval noise */
    int **flows, *nflows;      /* [P] covered flows of each product, importer order */
    int P;
} ctrl;

static void ctrl_free(void *data)
{
    ctrl *c = data;
    if (!c)
        return;
    for (int p = 0; c->flows && p < c->P; p++)
        free(c->flows[p]);
    free(c->flows);
    free(c->nflows);
    free(c);
}

static void hook_ref(const ms_engine *e, ms_work *w, const ms_cpol *cp, const ms_hook_ctx *x)
{
    const ctrl *c = cp->data;
    const double *st = VS(c->start);
    LANES if (st[l] < x->ref_ctrl[l]) x->ref_ctrl[l] = st[l];
}

/* The approval share of month t for lane l while the control is on. */
static double approval(const ms_engine *e, ms_work *w, const ctrl *c, int t, int l)
{
    double st = VS(c->start)[l], rm = VS(c->ramp)[l];
    double x = rm > 0 ? (t - st) / rm : 1.0;
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

static void hook_month(const ms_engine *e, ms_work *w, const ms_cpol *cp, const ms_hook_ctx *x)
{
    const ctrl *c = cp->data;
    int t = x->t, I = e->I, P = e->P;
    double *on = PSTATE(cp, ST_ON), *started = PSTATE(cp, ST_STARTED), *a = PSTATE(cp, ST_A);
    LANES {
        double st = VS(c->start)[l];
        int ended = c->end != NONE && t >= VS(c->end)[l];
        if (t < st || ended) {
            on[l] = 0;
        } else if (!started[l]) {
            started[l] = 1;
            on[l] = 1;
        } else {
            double h = on[l] ? VS(c->lift)[l] : VS(c->reimp)[l];
            if (h > 0) {
                ms_rng_key(w->rng, w->path[l], c->stream_regime, (uint32_t)t);
                if (ms_rng_uniform_pos(w->rng) < h)
                    on[l] = !on[l];
            }
        }
        a[l] = on[l] && c->mode == MS_CTRL_LICENSE ? approval(e, w, c, t, l) : 0;
        for (int i = 0; i <= I; i++)
            PSTATE(cp, ST_USED + i)[l] = 0;
        int announced = t >= VS(c->announce)[l] && t < st && !ended;
        if (on[l] || announced)
            for (int i = 0; i < I; i++)
                for (int p = 0; p < P; p++)
                    if (c->dest[i] && c->prod[p])
                        AT(w->hoard, i * P + p)[l] = 1;
    }
}

/* Quota: every covered destination passes the same fraction of its covered
 * requests, what is left of the month's quota over their total. */
static void quota_fraction(const ms_engine *e, ms_work *w, const ms_cpol *cp, const ctrl *c, int p,
                           const double *req)
{
    const double *on = PSTATE(cp, ST_ON), *used = PSTATE(cp, ST_USED + e->I);
    double *qf = PSTATE(cp, ST_QFRAC);
    LANES {
        if (!on[l])
            continue;
        double cov = VS(c->aff)[l] * (1.0 - VS(c->gl)[l]), A = 0;
        for (int k = 0; k < c->nflows[p]; k++)
            A += AT(req, c->flows[p][k])[l] * cov;
        double left = VS(c->quota)[l] - used[l];
        if (left < 0)
            left = 0;
        qf[l] = A > left ? left / A : 1.0;
    }
}

static void hook_pass(const ms_engine *e, ms_work *w, const ms_cpol *cp, const ms_hook_ctx *x)
{
    const ctrl *c = cp->data;
    int p = x->p, P = e->P;
    if (!c->prod[p])
        return;
    if (c->mode == MS_CTRL_QUOTA)
        quota_fraction(e, w, cp, c, p, x->req);
    vd zero = vsplat(0), on = VD(PSTATE(cp, ST_ON)), a = VD(PSTATE(cp, ST_A)), qf = VD(PSTATE(cp, ST_QFRAC));
    vd cov = VD(VS(c->aff)) * (1.0 - VD(VS(c->gl))); /* controlled share of the flow */
    vd fr = 1.0 - cov, delay = VD(VS(c->delay));
    double *qused = PSTATE(cp, ST_USED + e->I);
    for (int k = 0; k < c->nflows[p]; k++) {
        int f = c->flows[p][k], i = e->fl_i[f];
        vd req = VD(AT(x->req, f));
        vl act = (req > 0) & (on != 0);
        if (!vany(act))
            continue;
        vl pass = act & (cov > 0), m2 = pass;
        vd alpha = zero;
        if (c->mode == MS_CTRL_LICENSE) {
            /* pre-control flow this month: the month-0 flow grown with the importer's baseline demand */
            double *usedp = PSTATE(cp, ST_USED + i);
            vd base = VD(AT(w->B0, f)) * VD(AT(w->gscale, i * P + p));
            vd used = VD(usedp), budget = a * cov * base - used;
            budget = vsel(budget < 0, zero, budget);
            vd want = req * cov, ok = vsel(want < budget, want, budget);
            alpha = vsel(m2, ok / req, zero);
            VD(usedp) = vsel(m2, used + ok, used);
            vd dmax = VD(AT(w->dmax, f));
            VD(AT(w->dmax, f)) = vsel(m2 & (ok > 0) & (delay > dmax), delay, dmax);
        } else if (c->mode == MS_CTRL_QUOTA) {
            alpha = vsel(m2, cov * qf, zero);
            VD(qused) = vsel(m2, VD(qused) + req * cov * qf, VD(qused));
        }
        VD(AT(w->fall, f)) = vsel(act, VD(AT(w->fall, f)) * fr, VD(AT(w->fall, f)));
        VD(AT(w->piall, f)) = vsel(act, VD(AT(w->piall, f)) * (fr + alpha), VD(AT(w->piall, f)));
    }
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
    c->P = e->P;
    int k[13];
    const ms_dist *d[13] = {&x->affected, &x->general_license, &x->announce, &x->start, x->has_end ? &x->end : NULL,
                            &x->lift_hazard, &x->reimpose_hazard, &x->approval,
                            x->has_approval_end ? &x->approval_end : NULL, &x->approval_ramp_months,
                            &x->approval_noise, &x->delay_months, &x->quota_t_per_month};
    for (int j = 0; j < 13; j++)
        if ((k[j] = d[j] ? ms_engine_add_slot(e, d[j]) : NONE) < 0 && d[j])
            return -1;
    c->aff = k[0], c->gl = k[1], c->announce = k[2], c->start = k[3], c->end = k[4], c->lift = k[5];
    c->reimp = k[6], c->a0 = k[7], c->a1 = k[8] == NONE ? k[7] : k[8], c->ramp = k[9], c->noise = k[10];
    c->delay = k[11], c->quota = k[12];
    c->stream_regime = x->start.stream ^ 0x5bd1e995u;
    c->stream_noise = x->approval.stream ^ 0x27d4eb2fu;
    if (x->mode == MS_CTRL_LICENSE) {
        double md = ms_dist_max(&x->delay_months);
        if (!isfinite(md))
            md = e->T;
        if (md > e->maxdelay)
            e->maxdelay = md;
    }
    c->flows = calloc((size_t)e->P, sizeof *c->flows);
    c->nflows = calloc((size_t)e->P, sizeof *c->nflows);
    if (!c->flows || !c->nflows)
        return -1;
    for (int p = 0; p < e->P; p++)
        if (c->prod[p] && !(c->flows[p] = ms_policy_flows(e, c->s, p, c->dest, &c->nflows[p])))
            return -1;
    cp->nstate = ST_USED + e->I + 1;
    cp->hook[MS_HOOK_REF_START] = hook_ref;
    cp->hook[MS_HOOK_MONTH] = hook_month;
    cp->hook[MS_HOOK_EXPORT_CONTROL] = hook_pass;
    if (ms_engine_hook(e, cp, MS_HOOK_REF_START, -1, -1) || ms_engine_hook(e, cp, MS_HOOK_MONTH, -1, -1) ||
        ms_engine_hook(e, cp, MS_HOOK_EXPORT_CONTROL, -1, -1))
        return -1;
    (void)err;
    (void)errlen;
    return 0;
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
