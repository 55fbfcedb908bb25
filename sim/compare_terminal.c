/*
 * compare_terminal.c - the terminal report of `magsim compare`: per policy,
 * what is not shared with the base, a table per headline metric (rows: the
 * importers' totals, or importer x product) and the difference band of the
 * total shortage share by month.  Fits a 100-column terminal.  The headline
 * metrics and which way is better come from the table of magsim/stat.h.
 */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "magsim/compare.h"
#include "magsim/result.h"
#include "magsim/stat.h"

#ifndef MAGSIM_VERSION
#define MAGSIM_VERSION "0.0.0"
#endif

static const double TQ[3] = {0.05, 0.5, 0.95}; /* the terminal's quantile levels */

static const char *fmt_prob(char *buf, size_t len, double p)
{
    if (!isfinite(p))
        snprintf(buf, len, "-");
    else if (p == 0 || p == 1)
        snprintf(buf, len, "%.0f%%", 100 * p);
    else
        snprintf(buf, len, "%.1f%%", 100 * p);
    return buf;
}

static const char *fmt_ratio(char *buf, size_t len, double x)
{
    if (isinf(x))
        snprintf(buf, len, "inf");
    else if (!isfinite(x))
        snprintf(buf, len, "-");
    else
        snprintf(buf, len, x >= 1e4 ? "%.3g" : x >= 100 ? "%.0f" : "%.1f", x);
    return buf;
}

/* ---- headline tables ------------------------------------------------------------------- */

typedef struct trow {
    unsigned imp, prod;        /* importer, product (roll-ups, -1, sort last) */
    int q;                     /* the pair */
} trow;

static int trow_cmp(const void *pa, const void *pb)
{
    const trow *a = pa, *b = pb;
    if (a->imp != b->imp)
        return a->imp < b->imp ? -1 : 1;
    if (a->prod != b->prod)
        return a->prod < b->prod ? -1 : 1;
    return (a->q > b->q) - (a->q < b->q);
}

/* The rows of metric `what` for policy k: importer totals (industry "all")
 * for metrics per industry, every importer x product for the others. */
static trow *table_rows(const ms_compare *c, int k, int what, int *n)
{
    const ms_compare_policy *p = ms_compare_policy_at(c, k);
    trow *rows = malloc(sizeof *rows * ((size_t)p->nmetrics + 1));
    *n = 0;
    for (int q = 0; rows && q < p->nmetrics; q++) {
        const ms_stat_desc *d = ms_engine_desc(ms_compare_base(c), p->pairs[q].base);
        if (d->what == what && d->industry < 0)
            rows[(*n)++] = (trow){(unsigned)d->importer, (unsigned)d->product, q};
    }
    if (rows)
        qsort(rows, (size_t)*n, sizeof *rows, trow_cmp);
    return rows;
}

static const char *better_text(ms_better b)
{
    switch (b) {
    case MS_BETTER_LOWER: return "better: P(diff < 0), lower is better";
    case MS_BETTER_HIGHER: return "better: P(diff > 0), higher is better";
    default: return "no better direction: \"better\" is P(diff > 0)";
    }
}

static void table_head(FILE *f, const ms_stat_kind *kind, const char *title)
{
    fprintf(f, "\n%s\n", title);
    fprintf(f, "%-20s %7s %7s %9s %7s %8s %8s %6s %6s %8s\n", kind->dims & MS_DIM_PRODUCT ? "importer product" : "importer",
            "base", "policy", "diff mean", "\u00b1se", "diff q05", "diff q95", "better", "worse", "var ratio");
}

static void table_row(FILE *f, const ms_compare *c, const ms_compare_result *r, int k, const trow *t,
                      const ms_stat_kind *kind)
{
    const ms_scenario *s = ms_engine_scenario(ms_compare_base(c));
    const ms_stat_desc *d = ms_engine_desc(ms_compare_base(c), ms_compare_policy_at(c, k)->pairs[t->q].base);
    char label[64], eb[2][16], v[9][32];
    const char *imp = d->importer < 0 ? "ALL" : ms_stat_entity(s, d, MS_DIM_IMPORTER, eb[0], sizeof eb[0]);
    if (kind->dims & MS_DIM_PRODUCT)
        snprintf(label, sizeof label, "%.13s %.6s", imp, ms_stat_entity(s, d, MS_DIM_PRODUCT, eb[1], sizeof eb[1]));
    else
        snprintf(label, sizeof label, "%.20s", imp);
    ms_compare_stat cs;
    ms_compare_stat_at(c, r, k, t->q, TQ, 3, &cs);
    fprintf(f, "%-20s %7s %7s %9s %7s %8s %8s %6s %6s %8s\n", label, ms_stat_format(v[0], 32, kind->unit, cs.base_mean, MS_FMT_VALUE),
            ms_stat_format(v[1], 32, kind->unit, cs.policy_mean, MS_FMT_VALUE), ms_stat_format(v[2], 32, kind->unit, cs.diff.mean, MS_FMT_DIFF),
            ms_stat_format(v[3], 32, kind->unit, cs.diff.se, MS_FMT_SPREAD), ms_stat_format(v[4], 32, kind->unit, cs.diff.q[0], MS_FMT_DIFF),
            ms_stat_format(v[5], 32, kind->unit, cs.diff.q[2], MS_FMT_DIFF), fmt_prob(v[6], 32, cs.p_better),
            fmt_prob(v[7], 32, cs.p_worse), fmt_ratio(v[8], 32, cs.var_ratio));
}

static int headline_table(FILE *f, const ms_compare *c, const ms_compare_result *r, int k, int what)
{
    static const char *titles[MS_M_NMETRICS] = {
        [MS_M_SHORTAGE_SHARE] = "Shortage share of demand over the horizon, all industries",
        [MS_M_MONTHS_SHORT] = "Months short, all industries",
        [MS_M_TIME_TO_SURVIVE] = "Time to survive, months from the first control to the first month short",
        [MS_M_PEAK_PRICE_SHOCK] = "Peak price shock (landed price index - 1)",
        [MS_M_MEAN_PRICE_SHOCK] = "Mean price shock over the horizon",
    };
    const ms_stat_kind *kind = ms_stat_kind_of(0, what);
    int n;
    trow *rows = table_rows(c, k, what, &n);
    if (!rows)
        return -1;
    if (n > 0) {
        table_head(f, kind, titles[what] ? titles[what] : ms_metric_name((ms_metric)what));
        for (int i = 0; i < n; i++) {
            if (i > 0 && (kind->dims & MS_DIM_PRODUCT) && rows[i].imp != rows[i - 1].imp)
                fputc('\n', f);
            table_row(f, c, r, k, &rows[i], kind);
        }
        fprintf(f, "  %s\n", better_text(kind->better));
    }
    free(rows);
    return 0;
}

/* ---- difference band ---------------------------------------------------------------- */

static void band_table(FILE *f, const ms_compare *c, const ms_compare_result *r, int k)
{
    const ms_compare_policy *p = ms_compare_policy_at(c, k);
    const ms_scenario *s = ms_engine_scenario(ms_compare_base(c));
    int shown = 0;
    for (int t = 0; t < s->months; t++) {
        int i = ms_stat_find(ms_compare_base(c), 1, MS_S_SHORTAGE_SHARE, -1, -1, -1, -1, t), q = -1;
        for (int j = p->nmetrics; i >= 0 && j < p->nmetrics + p->nseries && q < 0; j++)
            if (p->pairs[j].base == i)
                q = j;
        if (q < 0)
            continue;
        if (!shown++) {
            fprintf(f, "\nShortage share of demand by month, all importers: the difference band\n");
            fprintf(f, "%-8s %9s %7s %9s %9s %9s %6s %6s\n", "month", "diff mean", "\u00b1se", "q05", "q50", "q95",
                    "better", "worse");
        }
        ms_compare_stat cs;
        ms_compare_stat_at(c, r, k, q, TQ, 3, &cs);
        char mon[16], v[7][32];
        ms_scenario_month_label(s, t, mon, sizeof mon);
        fprintf(f, "%-8s %9s %7s %9s %9s %9s %6s %6s\n", mon, ms_stat_format(v[0], 32, "share", cs.diff.mean, MS_FMT_DIFF),
                ms_stat_format(v[1], 32, "share", cs.diff.se, MS_FMT_SPREAD), ms_stat_format(v[2], 32, "share", cs.diff.q[0], MS_FMT_DIFF),
                ms_stat_format(v[3], 32, "share", cs.diff.q[1], MS_FMT_DIFF), ms_stat_format(v[4], 32, "share", cs.diff.q[2], MS_FMT_DIFF),
                fmt_prob(v[5], 32, cs.p_better), fmt_prob(v[6], 32, cs.p_worse));
    }
}

/* ---- what is not shared ------------------------------------------------------------- */

static void key_examples(FILE *f, const char *what, const char *const *keys, int n)
{
    if (n == 0)
        return;
    fprintf(f, "  %d input%s %s:\n", n, n == 1 ? "" : "s", what);
    for (int i = 0; i < n && i < 3; i++)
        fprintf(f, "    %s\n", keys[i]);
    if (n > 3)
        fprintf(f, "    ... and %d more (compare.json lists them all)\n", n - 3);
}

static void unshared(FILE *f, const ms_compare *c, int k, const ms_compare_info *info)
{
    const ms_compare_policy *p = ms_compare_policy_at(c, k);
    fprintf(f, "\n==== %s - %s, path by path\n", info->labels[k + 1], info->labels[0]);
    fprintf(f, "  statistics: %d shared, %d only in the base, %d only in the policy\n", p->nmetrics + p->nseries,
            p->nbase_only, p->npolicy_only);
    key_examples(f, "only in the base", p->inputs_base_only, p->ninputs_base_only);
    key_examples(f, "only in the policy", p->inputs_policy_only, p->ninputs_policy_only);
    key_examples(f, "with another distribution in the policy", p->inputs_changed, p->ninputs_changed);
    if (p->ninputs_base_only + p->ninputs_policy_only + p->ninputs_changed == 0)
        fputs("  every input is the same in both\n", f);
}

static void header(FILE *f, const ms_compare *c, const ms_compare_result *r, const ms_compare_info *info)
{
    const ms_scenario *s = ms_engine_scenario(ms_compare_base(c));
    char m0[16], m1[16];
    int K = ms_compare_npolicies(c);
    fprintf(f, "magsim %s  compare: POLICY - BASE on the same paths (common random numbers)\n", MAGSIM_VERSION);
    for (int k = 0; k <= K; k++) {
        const ms_scenario *sk = ms_engine_scenario(k ? ms_compare_policy_at(c, k - 1)->engine : ms_compare_base(c));
        char role[16];
        snprintf(role, sizeof role, k ? (K > 1 ? "policy %d" : "policy") : "base", k);
        fprintf(f, "  %-10s %-20s %.66s\n", role, info->labels[k], sk->name ? sk->name : "");
    }
    ms_scenario_month_label(s, 0, m0, sizeof m0);
    ms_scenario_month_label(s, s->months - 1, m1, sizeof m1);
    fprintf(f, "  horizon    %s to %s (%d months)   seed %" PRIu64 "\n", m0, m1, s->months, info->seed);
    fprintf(f, "  paths      %" PRIu64 " of %" PRIu64 "%s   threads %d   wall %.2f s   %" PRIu64
               " model evaluations\n",
            r->paths_done, r->paths_requested, r->interrupted ? " (interrupted: partial result)" : "",
            info->threads > 0 ? info->threads : r->threads, r->wall_seconds, r->paths_done * (uint64_t)(K + 1));
    fprintf(f, "  quantiles  of the differences within \u00b1%.2g%% (histogram bound)\n",
            100 * ms_hist_rel_error(MS_METRIC_BITS));
}

int ms_compare_terminal(FILE *f, const ms_compare *c, const ms_compare_result *r, const ms_compare_info *info)
{
    header(f, c, r, info);
    if (r->paths_done == 0) {
        fputs("\nno path completed: nothing to compare\n", f);
        return ferror(f) ? -1 : 0;
    }
    for (int k = 0; k < ms_compare_npolicies(c); k++) {
        unshared(f, c, k, info);
        for (int w = 0; w < MS_M_NMETRICS; w++)
            if (ms_stat_kind_of(0, w)->headline && headline_table(f, c, r, k, w))
                return -1;
        band_table(f, c, r, k);
    }
    fputs("\n  diff: policy - base on the same path; better/worse: share of paths on which the policy\n"
          "  improves or worsens the metric; var ratio: (Var base + Var policy) / Var(policy - base) from\n"
          "  the same paths, how many times more paths independent runs would need for the same error\n",
          f);
    return ferror(f) ? -1 : 0;
}
