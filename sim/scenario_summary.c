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
#include "policy.h"

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

void ms_scenario_date_label(const ms_scenario *s, const ms_dist *d, char *buf, size_t len)
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

static const ms_dist *policy_start(const ms_policy *p)
{
    return p->type && p->type->start ? p->type->start(p->data) : NULL;
}

static const ms_dist *policy_end(const ms_policy *p)
{
    return p->type && p->type->end ? p->type->end(p->data) : NULL;
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

static const char *ref_entity(const ms_scenario *s, int ref, int i)
{
    return ref == REF_SUPPLIER ? s->suppliers[i].name : ref == REF_IMPORTER ? s->importers[i].name
                                                                             : s->products[i].name;
}

void msl_mask_names(char *buf, size_t len, const int *mask, int n, int ref, const ms_scenario *s)
{
    int all = 1, k = 0;
    buf[0] = 0;
    for (int i = 0; i < n; i++)
        if (!mask || !mask[i])
            all = 0;
    if (all) {
        snprintf(buf, len, "all");
        return;
    }
    for (int i = 0; i < n; i++)
        if (mask[i]) {
            size_t l = strlen(buf);
            snprintf(buf + l, len - l, "%s%s", k++ ? "," : "", ref_entity(s, ref, i));
        }
    if (!k)
        snprintf(buf, len, "none");
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
            ms_scenario_date_label(s, st, a, sizeof a);
        else
            snprintf(a, sizeof a, "?");
        if (en)
            ms_scenario_date_label(s, en, b, sizeof b);
        else
            b[0] = 0;
        snprintf(when, sizeof when, "%s - %s", a, b);
        if (p->type && p->type->describe)
            p->type->describe(s, p->data, desc, sizeof desc);
        else
            snprintf(desc, sizeof desc, "?");
        fprintf(out, "  %-26s %-20s %-14s %s\n", when, p->name ? p->name : "?", ms_policy_type_name(p), desc);
    }
    free(v);
}
