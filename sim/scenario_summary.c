/*
 * scenario_summary.c - month labels and the summary `magsim validate` prints:
 * horizon, run size, counts, and the policy timeline sorted by start.
 * An uncertain date prints as a range "2026-06..2027-06" (its support), or
 * "~2026-06" (its mean) when the support is unbounded.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "magsim/scenario.h"

void ms_scenario_offset_label(const ms_scenario *s, double t, char *buf, size_t len)
{
    if (!isfinite(t)) {
        snprintf(buf, len, t > 0 ? "never" : "always");
        return;
    }
    if (t > 1e6) t = 1e6;
    if (t < -1e6) t = -1e6;
    long m = (long)(s->start_month - 1) + (long)floor(t);
    long y = s->start_year + (m >= 0 ? m / 12 : -((-m + 11) / 12));
    long mm = m - (y - s->start_year) * 12;
    snprintf(buf, len, "%04ld-%02ld", y, mm + 1);
}

void ms_scenario_month_label(const ms_scenario *s, int t, char *buf, size_t len)
{
    ms_scenario_offset_label(s, (double)t, buf, len);
}

static void date_label(const ms_scenario *s, const ms_dist *d, char *buf, size_t len)
{
    char a[16], b[16];
    if (!d->key) {
        snprintf(buf, len, "?");
        return;
    }
    double lo = ms_dist_min(d), hi = ms_dist_max(d);
    if (lo == hi) {
        ms_scenario_offset_label(s, lo, buf, len);
    } else if (isfinite(lo) && isfinite(hi)) {
        ms_scenario_offset_label(s, lo, a, sizeof a);
        ms_scenario_offset_label(s, hi, b, sizeof b);
        snprintf(buf, len, "%s..%s", a, b);
    } else {
        ms_scenario_offset_label(s, ms_dist_mean(d), a, sizeof a);
        snprintf(buf, len, "~%s", a);
    }
}

static const char *const type_names[MS_POL_NTYPES] = {
    "export_control", "tariff", "recycling", "stockpile", "demand_shock",
};

static const ms_dist *policy_start(const ms_policy *p)
{
    switch (p->type) {
    case MS_POL_EXPORT_CONTROL: return &p->u.ctrl.start;
    case MS_POL_TARIFF: return p->u.tariff.nsteps ? &p->u.tariff.schedule[0].from : NULL;
    case MS_POL_RECYCLING: return &p->u.recycling.start;
    case MS_POL_STOCKPILE: return &p->u.stockpile.start;
    case MS_POL_DEMAND_SHOCK: return &p->u.shock.start;
    default: return NULL;
    }
}

static const ms_dist *policy_end(const ms_policy *p)
{
    if (p->type == MS_POL_EXPORT_CONTROL && p->u.ctrl.has_end) return &p->u.ctrl.end;
    if (p->type == MS_POL_DEMAND_SHOCK && p->u.shock.has_end) return &p->u.shock.end;
    return NULL;
}

static double start_key(const ms_policy *p)
{
    const ms_dist *d = policy_start(p);
    return d && d->key ? ms_dist_mean(d) : 0.0;
}

static int cmp_pol(const void *a, const void *b)
{
    const ms_policy *x = *(const ms_policy *const *)a, *y = *(const ms_policy *const *)b;
    double u = start_key(x), v = start_key(y);
    if (u != v) return u < v ? -1 : 1;
    return x < y ? -1 : x > y;
}

static void mask_names(char *buf, size_t len, const int *mask, int n, const char *(*nm)(const ms_scenario *, int),
                       const ms_scenario *s)
{
    int all = 1, k = 0;
    buf[0] = 0;
    for (int i = 0; i < n; i++)
        if (!mask || !mask[i]) all = 0;
    if (all) {
        snprintf(buf, len, "all");
        return;
    }
    for (int i = 0; i < n; i++)
        if (mask[i]) {
            size_t l = strlen(buf);
            snprintf(buf + l, len - l, "%s%s", k++ ? "," : "", nm(s, i));
        }
    if (!k)
        snprintf(buf, len, "none");
}

static const char *nm_sup(const ms_scenario *s, int i) { return s->suppliers[i].name; }
static const char *nm_imp(const ms_scenario *s, int i) { return s->importers[i].name; }
static const char *nm_prod(const ms_scenario *s, int i) { return s->products[i].name; }

static void describe(const ms_scenario *s, const ms_policy *p, char *buf, size_t len)
{
    char a[160], b[160], c[160];
    static const char *const modes[] = {"license", "ban", "quota"};
    switch (p->type) {
    case MS_POL_EXPORT_CONTROL: {
        const ms_export_control *x = &p->u.ctrl;
        mask_names(a, sizeof a, x->destinations, s->nimporters, nm_imp, s);
        mask_names(b, sizeof b, x->products, s->nproducts, nm_prod, s);
        int n = snprintf(buf, len, "%s -> %s, %s, %s, affected %.2g",
                         x->exporter >= 0 ? s->suppliers[x->exporter].name : "?", a, b,
                         (unsigned)x->mode < 3 ? modes[x->mode] : "?", ms_dist_mean(&x->affected));
        if (x->mode == MS_CTRL_LICENSE && n > 0 && (size_t)n < len)
            snprintf(buf + n, len - (size_t)n, ", approval %s mean %.2g", ms_dist_kind_name(x->approval.kind),
                     ms_dist_mean(&x->approval));
        else if (x->mode == MS_CTRL_QUOTA && n > 0 && (size_t)n < len)
            snprintf(buf + n, len - (size_t)n, ", quota %.4g t/month", ms_dist_mean(&x->quota_t_per_month));
        break;
    }
    case MS_POL_TARIFF: {
        const ms_tariff *t = &p->u.tariff;
        mask_names(a, sizeof a, t->importers, s->nimporters, nm_imp, s);
        mask_names(b, sizeof b, t->origins, s->nsuppliers, nm_sup, s);
        mask_names(c, sizeof c, t->products, s->nproducts, nm_prod, s);
        int n = snprintf(buf, len, "%s <- %s, %s:", a, b, c);
        for (int i = 0; i < t->nsteps && n > 0 && (size_t)n < len; i++) {
            char d[40];
            date_label(s, &t->schedule[i].from, d, sizeof d);
            n += snprintf(buf + n, len - (size_t)n, " %.4g%% from %s", 100 * ms_dist_mean(&t->schedule[i].rate), d);
        }
        break;
    }
    case MS_POL_RECYCLING: {
        const ms_recycling *r = &p->u.recycling;
        snprintf(buf, len, "%s %s, %.4g t/yr at full ramp, yield %.2g",
                 r->importer >= 0 ? s->importers[r->importer].name : "?",
                 r->product >= 0 ? s->products[r->product].name : "?", ms_dist_mean(&r->capacity_t_per_year),
                 ms_dist_mean(&r->yield));
        break;
    }
    case MS_POL_STOCKPILE: {
        const ms_stockpile *k = &p->u.stockpile;
        snprintf(buf, len, "%s %s, %.4g t, release <= %.4g t/month below fill %.2g",
                 k->importer >= 0 ? s->importers[k->importer].name : "?",
                 k->product >= 0 ? s->products[k->product].name : "?", ms_dist_mean(&k->stock_t),
                 ms_dist_mean(&k->release_t_per_month), ms_dist_mean(&k->trigger));
        break;
    }
    case MS_POL_DEMAND_SHOCK: {
        const ms_demand_shock *d = &p->u.shock;
        mask_names(a, sizeof a, d->importers, s->nimporters, nm_imp, s);
        snprintf(buf, len, "%s, %s, demand x %.3g", a,
                 d->nindustry_names ? "some industries" : "all industries", ms_dist_mean(&d->multiplier));
        break;
    }
    default:
        snprintf(buf, len, "?");
    }
}

void ms_scenario_print_summary(const ms_scenario *s, FILE *out)
{
    char a[40], b[40];
    int nind = 0;
    for (int i = 0; i < s->nimporters; i++)
        nind += s->importers[i].nindustries;
    fprintf(out, "scenario: %s\n", s->name ? s->name : "");
    if (s->path)
        fprintf(out, "file:     %s\n", s->path);
    ms_scenario_month_label(s, 0, a, sizeof a);
    ms_scenario_month_label(s, s->months - 1, b, sizeof b);
    fprintf(out, "horizon:  %s .. %s (%d months)\n", a, b, s->months);
    fprintf(out, "run:      %llu paths, seed %llu\n", (unsigned long long)s->paths, (unsigned long long)s->seed);
    fprintf(out, "counts:   %d products, %d suppliers, %d importers, %d industries, %d policies\n", s->nproducts,
            s->nsuppliers, s->nimporters, nind, s->npolicies);
    if (s->nwarnings)
        fprintf(out, "warnings: %d\n", s->nwarnings);
    if (s->npolicies == 0) {
        fprintf(out, "policies: none\n");
        return;
    }
    const ms_policy **v = malloc((size_t)s->npolicies * sizeof *v);
    if (!v)
        return;
    for (int i = 0; i < s->npolicies; i++)
        v[i] = &s->policies[i];
    qsort(v, (size_t)s->npolicies, sizeof *v, cmp_pol);
    fprintf(out, "policy timeline:\n");
    for (int i = 0; i < s->npolicies; i++) {
        const ms_policy *p = v[i];
        char when[96], desc[512];
        const ms_dist *st = policy_start(p), *en = policy_end(p);
        if (st)
            date_label(s, st, a, sizeof a);
        else
            snprintf(a, sizeof a, "?");
        if (en)
            date_label(s, en, b, sizeof b);
        else
            b[0] = 0;
        snprintf(when, sizeof when, "%s - %s", a, b);
        describe(s, p, desc, sizeof desc);
        fprintf(out, "  %-26s %-20s %-14s %s\n", when, p->name ? p->name : "?",
                (unsigned)p->type < MS_POL_NTYPES ? type_names[p->type] : "?", desc);
    }
    free(v);
}
