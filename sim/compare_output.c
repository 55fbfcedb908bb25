/*
 * compare_output.c - what `magsim compare` leaves behind: the terminal
 * tables and the result files (magsim/compare.h, docs/outputs.md).
 *
 * Everything here reads a comparison's pairs and its exact accumulators
 * (ms_compare_stat_at); nothing is simulated.  Statistics are named through
 * magsim/stat.h in the base scenario's names, so a file's content depends on
 * the scenarios, the seed, the paths and the quantile levels alone.
 * Series points are written grouped by series, months ascending, whatever
 * the engine's layout.
 */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "magsim/compare.h"
#include "magsim/fmt.h"
#include "magsim/output.h"
#include "magsim/prov.h"
#include "magsim/result.h"
#include "magsim/stat.h"

#ifndef MAGSIM_VERSION
#define MAGSIM_VERSION "0.0.0"
#endif

void ms_compare_label(const char *path, char *buf, size_t len)
{
    const char *slash = strrchr(path, '/');
    const char *b = slash ? slash + 1 : path;
    size_t n = strlen(b);
    if (n > 5 && !strcmp(b + n - 5, ".yaml"))
        n -= 5;
    else if (n > 4 && !strcmp(b + n - 4, ".yml"))
        n -= 4;
    snprintf(buf, len, "%.*s", (int)n, b);
}

static const char *better_word(const ms_stat_desc *d)
{
    const ms_stat_kind *k = ms_stat_kind_of(d->is_series, d->what);
    if (!k || k->better == MS_BETTER_NONE)
        return "none";
    return k->better == MS_BETTER_LOWER ? "lower" : "higher";
}

static const ms_stat_desc *base_desc(const ms_compare *c, int k, int q)
{
    return ms_engine_desc(ms_compare_base(c), ms_compare_policy_at(c, k)->pairs[q].base);
}

/* The four entity columns supplier,importer,industry,product (no outer commas). */
static void csv_entities(FILE *f, const ms_scenario *s, const ms_stat_desc *d)
{
    static const int dims[4] = {MS_DIM_SUPPLIER, MS_DIM_IMPORTER, MS_DIM_INDUSTRY, MS_DIM_PRODUCT};
    char b[16];
    for (int i = 0; i < 4; i++) {
        if (i)
            fputc(',', f);
        ms_fmt_csv_str(f, ms_stat_entity(s, d, dims[i], b, sizeof b));
    }
}

static void json_entities(FILE *f, const ms_scenario *s, const ms_stat_desc *d)
{
    static const struct { int dim; const char *name; } dims[4] = {
        {MS_DIM_SUPPLIER, "supplier"}, {MS_DIM_IMPORTER, "importer"}, {MS_DIM_INDUSTRY, "industry"},
        {MS_DIM_PRODUCT, "product"}};
    char b[16];
    for (int i = 0; i < 4; i++) {
        fprintf(f, ", \"%s\": ", dims[i].name);
        ms_fmt_json_str(f, ms_stat_entity(s, d, dims[i].dim, b, sizeof b));
    }
}

/* The variance ratio: a number, "inf" when only the paired variance is 0,
 * empty (CSV) when both are 0. */
static void csv_ratio(FILE *f, double x)
{
    if (isinf(x))
        fputs("inf", f);
    else
        ms_fmt_csv_num(f, x);
}

static int check_info(const ms_compare_info *info)
{
    if (!info || !info->quantiles || info->nquantiles < 1 || info->nquantiles > MS_MAX_QUANTILES)
        return -1;
    return 0;
}

/* ---- series order -------------------------------------------------------------------- */

typedef struct spoint {
    int key[5];    /* what, supplier, importer, industry, product of the base statistic */
    int month;
    int q;         /* the pair */
} spoint;

static int spoint_cmp(const void *pa, const void *pb)
{
    const spoint *a = pa, *b = pb;
    for (int i = 0; i < 5; i++)
        if (a->key[i] != b->key[i])
            return a->key[i] < b->key[i] ? -1 : 1;
    if (a->month != b->month)
        return a->month < b->month ? -1 : 1;
    return (a->q > b->q) - (a->q < b->q);
}

/* Policy k's series pairs grouped by series, months ascending (malloc'd; n points). */
static spoint *series_order(const ms_compare *c, int k, int *n)
{
    const ms_compare_policy *p = ms_compare_policy_at(c, k);
    *n = p->nseries;
    spoint *o = malloc(sizeof *o * ((size_t)p->nseries + 1));
    for (int j = 0; o && j < p->nseries; j++) {
        const ms_stat_desc *d = base_desc(c, k, p->nmetrics + j);
        o[j] = (spoint){{d->what, d->supplier, d->importer, d->industry, d->product}, d->month, p->nmetrics + j};
    }
    if (o)
        qsort(o, (size_t)*n, sizeof *o, spoint_cmp);
    return o;
}

static int same_series(const spoint *a, const spoint *b)
{
    return !memcmp(a->key, b->key, sizeof a->key);
}

/* ---- compare.csv --------------------------------------------------------------------- */

static void csv_header(FILE *f, const ms_compare_info *info)
{
    char qn[24];
    fputs("policy,metric,supplier,importer,industry,product,better,n,base_mean,policy_mean,diff_mean,diff_sd,diff_se",
          f);
    for (int i = 0; i < info->nquantiles; i++) {
        ms_output_qname(info->quantiles[i], qn, sizeof qn);
        fprintf(f, ",%s", qn);
    }
    fputs(",p_better,p_worse,var_independent,var_paired,var_ratio\n", f);
}

int ms_compare_csv(FILE *f, const ms_compare *c, const ms_compare_result *r, const ms_compare_info *info)
{
    if (check_info(info))
        return -1;
    const ms_scenario *s = ms_engine_scenario(ms_compare_base(c));
    csv_header(f, info);
    for (int k = 0; k < ms_compare_npolicies(c); k++) {
        const ms_compare_policy *p = ms_compare_policy_at(c, k);
        for (int q = 0; q < p->nmetrics; q++) {
            const ms_stat_desc *d = base_desc(c, k, q);
            ms_compare_stat cs;
            ms_compare_stat_at(c, r, k, q, info->quantiles, info->nquantiles, &cs);
            ms_fmt_csv_str(f, info->labels[k + 1]);
            fputc(',', f);
            ms_fmt_csv_str(f, ms_stat_name(d));
            fputc(',', f);
            csv_entities(f, s, d);
            fprintf(f, ",%s,%" PRIu64, better_word(d), cs.diff.n);
            const double v[] = {cs.base_mean, cs.policy_mean, cs.diff.mean, cs.diff.sd, cs.diff.se};
            for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
                fputc(',', f), ms_fmt_csv_num(f, v[i]);
            for (int i = 0; i < info->nquantiles; i++)
                fputc(',', f), ms_fmt_csv_num(f, cs.diff.q[i]);
            const double w[] = {cs.p_better, cs.p_worse, cs.var_independent, cs.var_paired};
            for (size_t i = 0; i < sizeof w / sizeof w[0]; i++)
                fputc(',', f), ms_fmt_csv_num(f, w[i]);
            fputc(',', f);
            csv_ratio(f, cs.var_ratio);
            fputc('\n', f);
        }
    }
    return ferror(f) ? -1 : 0;
}

/* ---- compare_timeseries.csv --------------------------------------------------------------- */

/* One series point: its rows (key, then stat,value). */
static void ts_point(FILE *f, const char *key, const ms_compare_stat *cs, const ms_compare_info *info)
{
    char qn[24];
    fprintf(f, "%sdiff_mean,", key), ms_fmt_csv_num(f, cs->diff.mean), fputc('\n', f);
    fprintf(f, "%sdiff_se,", key), ms_fmt_csv_num(f, cs->diff.se), fputc('\n', f);
    for (int i = 0; i < info->nquantiles; i++) {
        ms_output_qname(info->quantiles[i], qn, sizeof qn);
        fprintf(f, "%s%s,", key, qn), ms_fmt_csv_num(f, cs->diff.q[i]), fputc('\n', f);
    }
    fprintf(f, "%sp_better,", key), ms_fmt_csv_num(f, cs->p_better), fputc('\n', f);
    fprintf(f, "%sp_worse,", key), ms_fmt_csv_num(f, cs->p_worse), fputc('\n', f);
}

int ms_compare_timeseries_csv(FILE *f, const ms_compare *c, const ms_compare_result *r, const ms_compare_info *info)
{
    if (check_info(info))
        return -1;
    const ms_scenario *s = ms_engine_scenario(ms_compare_base(c));
    fputs("policy,series,supplier,importer,industry,product,month,stat,value\n", f);
    for (int k = 0; k < ms_compare_npolicies(c); k++) {
        int n;
        spoint *o = series_order(c, k, &n);
        if (!o)
            return -1;
        for (int j = 0; j < n; j++) {
            const ms_stat_desc *d = base_desc(c, k, o[j].q);
            char *key = NULL, mon[16];
            size_t keylen = 0;
            FILE *kf = open_memstream(&key, &keylen);
            if (!kf) {
                free(o);
                return -1;
            }
            ms_fmt_csv_str(kf, info->labels[k + 1]);
            fputc(',', kf);
            ms_fmt_csv_str(kf, ms_stat_name(d));
            fputc(',', kf);
            csv_entities(kf, s, d);
            ms_scenario_month_label(s, d->month, mon, sizeof mon);
            fprintf(kf, ",%s,", mon);
            int bad = fclose(kf) != 0;
            ms_compare_stat cs;
            ms_compare_stat_at(c, r, k, o[j].q, info->quantiles, info->nquantiles, &cs);
            if (!bad)
                ts_point(f, key, &cs, info);
            free(key);
            if (bad) {
                free(o);
                return -1;
            }
        }
        free(o);
    }
    return ferror(f) ? -1 : 0;
}

/* ---- compare.json -------------------------------------------------------------------------- */

static void json_key_list(FILE *f, const char *const *keys, int n)
{
    fputc('[', f);
    for (int i = 0; i < n; i++) {
        fputs(i ? ", " : "", f);
        ms_fmt_json_str(f, keys[i]);
    }
    fputc(']', f);
}

/* Statistic keys of one side (series once each, without the month). */
static void json_stat_list(FILE *f, const ms_engine *e, const int *idx, int n)
{
    const ms_scenario *s = ms_engine_scenario(e);
    char prev[512] = "", key[512];
    int first = 1;
    fputc('[', f);
    for (int i = 0; i < n; i++) {
        ms_stat_desc d = *ms_engine_desc(e, idx[i]);
        d.month = -1;
        ms_stat_key(s, &d, key, sizeof key);
        if (d.is_series && !strcmp(key, prev))
            continue;
        snprintf(prev, sizeof prev, "%s", key);
        fputs(first ? "" : ", ", f);
        ms_fmt_json_str(f, key);
        first = 0;
    }
    fputc(']', f);
}

static void json_unshared(FILE *f, const ms_compare *c, int k)
{
    const ms_compare_policy *p = ms_compare_policy_at(c, k);
    fputs("     \"unshared\": {\"statistics\": {\"base_only\": ", f);
    json_stat_list(f, ms_compare_base(c), p->base_only, p->nbase_only);
    fputs(", \"policy_only\": ", f);
    json_stat_list(f, p->engine, p->policy_only, p->npolicy_only);
    fputs("},\n                  \"inputs\": {\"base_only\": ", f);
    json_key_list(f, p->inputs_base_only, p->ninputs_base_only);
    fputs(", \"policy_only\": ", f);
    json_key_list(f, p->inputs_policy_only, p->ninputs_policy_only);
    fputs(", \"changed\": ", f);
    json_key_list(f, p->inputs_changed, p->ninputs_changed);
    fputs("}},\n", f);
}

static void json_diff(FILE *f, const ms_compare_stat *cs, const ms_compare_info *info)
{
    char qn[24];
    fprintf(f, "\"n\": %" PRIu64 ", \"diff_mean\": ", cs->diff.n);
    ms_fmt_json_num(f, cs->diff.mean);
    fputs(", \"diff_sd\": ", f);
    ms_fmt_json_num(f, cs->diff.sd);
    fputs(", \"diff_se\": ", f);
    ms_fmt_json_num(f, cs->diff.se);
    fputs(", \"diff_quantiles\": {", f);
    for (int i = 0; i < info->nquantiles; i++) {
        ms_output_qname(info->quantiles[i], qn, sizeof qn);
        fprintf(f, "%s\"%s\": ", i ? ", " : "", qn);
        ms_fmt_json_num(f, cs->diff.q[i]);
    }
    fputs("}, \"p_better\": ", f);
    ms_fmt_json_num(f, cs->p_better);
    fputs(", \"p_worse\": ", f);
    ms_fmt_json_num(f, cs->p_worse);
}

static void json_metrics(FILE *f, const ms_compare *c, const ms_compare_result *r, int k, const ms_compare_info *info)
{
    const ms_compare_policy *p = ms_compare_policy_at(c, k);
    const ms_scenario *s = ms_engine_scenario(ms_compare_base(c));
    fputs("     \"metrics\": [", f);
    for (int q = 0; q < p->nmetrics; q++) {
        const ms_stat_desc *d = base_desc(c, k, q);
        ms_compare_stat cs;
        ms_compare_stat_at(c, r, k, q, info->quantiles, info->nquantiles, &cs);
        fputs(q ? ",\n       {\"metric\": " : "\n       {\"metric\": ", f);
        ms_fmt_json_str(f, ms_stat_name(d));
        json_entities(f, s, d);
        fprintf(f, ", \"better\": \"%s\",\n        \"base_mean\": ", better_word(d));
        ms_fmt_json_num(f, cs.base_mean);
        fputs(", \"policy_mean\": ", f);
        ms_fmt_json_num(f, cs.policy_mean);
        fputs(", ", f);
        json_diff(f, &cs, info);
        fputs(",\n        \"var_independent\": ", f);
        ms_fmt_json_num(f, cs.var_independent);
        fputs(", \"var_paired\": ", f);
        ms_fmt_json_num(f, cs.var_paired);
        fputs(", \"var_ratio\": ", f);
        ms_fmt_json_num(f, cs.var_ratio);
        fprintf(f, ", \"var_ratio_infinite\": %s}", isinf(cs.var_ratio) ? "true" : "false");
    }
    fputs(p->nmetrics ? "\n     ],\n" : "],\n", f);
}

/* One series: its months and, per point, the difference's statistics as arrays. */
static void json_one_series(FILE *f, const ms_compare *c, const ms_compare_result *r, int k, const spoint *o, int n,
                            const ms_compare_info *info)
{
    const ms_scenario *s = ms_engine_scenario(ms_compare_base(c));
    const ms_stat_desc *d = base_desc(c, k, o[0].q);
    char mon[16], qn[24];
    ms_compare_stat *cs = malloc(sizeof *cs * (size_t)n);
    if (!cs)
        return;
    for (int j = 0; j < n; j++)
        ms_compare_stat_at(c, r, k, o[j].q, info->quantiles, info->nquantiles, &cs[j]);
    fputs("{\"series\": ", f);
    ms_fmt_json_str(f, ms_stat_name(d));
    json_entities(f, s, d);
    fprintf(f, ", \"better\": \"%s\",\n        \"months\": [", better_word(d));
    for (int j = 0; j < n; j++) {
        ms_scenario_month_label(s, base_desc(c, k, o[j].q)->month, mon, sizeof mon);
        fprintf(f, "%s\"%s\"", j ? ", " : "", mon);
    }
    struct { const char *name; size_t off; } cols[] = {
        {"diff_mean", offsetof(ms_compare_stat, diff.mean)}, {"diff_se", offsetof(ms_compare_stat, diff.se)},
        {"p_better", offsetof(ms_compare_stat, p_better)},   {"p_worse", offsetof(ms_compare_stat, p_worse)}};
    for (int i = 0; i < 4 + info->nquantiles; i++) {
        if (i < 4)
            fprintf(f, "],\n        \"%s\": [", cols[i].name);
        else
            ms_output_qname(info->quantiles[i - 4], qn, sizeof qn), fprintf(f, "],\n        \"diff_%s\": [", qn);
        for (int j = 0; j < n; j++) {
            fputs(j ? ", " : "", f);
            double v = i < 4 ? *(const double *)((const char *)&cs[j] + cols[i].off) : cs[j].diff.q[i - 4];
            ms_fmt_json_num(f, v);
        }
    }
    fputs("]}", f);
    free(cs);
}

static int json_series(FILE *f, const ms_compare *c, const ms_compare_result *r, int k, const ms_compare_info *info)
{
    int n;
    spoint *o = series_order(c, k, &n);
    if (!o)
        return -1;
    fputs("     \"series\": [", f);
    for (int j = 0, g = 0; j < n; g++) {
        int e = j + 1;
        while (e < n && same_series(&o[j], &o[e]))
            e++;
        fputs(g ? ",\n       " : "\n       ", f);
        json_one_series(f, c, r, k, o + j, e - j, info);
        j = e;
    }
    fputs(n ? "\n     ]}" : "]}", f);
    free(o);
    return 0;
}

static void json_header(FILE *f, const ms_compare *c, const ms_compare_result *r, const ms_compare_info *info)
{
    const ms_scenario *s = ms_engine_scenario(ms_compare_base(c));
    char mon[16], qn[24];
    fputs("{\n  \"format\": \"magsim-compare\",\n  \"format_version\": 1,\n  \"magsim_version\": ", f);
    ms_fmt_json_str(f, MAGSIM_VERSION);
    fputs(",\n  \"scenarios\": [", f);
    for (int k = 0; k <= ms_compare_npolicies(c); k++) {
        const ms_scenario *sk = ms_engine_scenario(k ? ms_compare_policy_at(c, k - 1)->engine : ms_compare_base(c));
        fprintf(f, "%s\n    {\"role\": \"%s\", \"label\": ", k ? "," : "", k ? "policy" : "base");
        ms_fmt_json_str(f, info->labels[k]);
        fputs(", \"path\": ", f);
        ms_fmt_json_str(f, info->paths[k]);
        fputs(", \"name\": ", f);
        ms_fmt_json_str(f, sk->name);
        fputc('}', f);
    }
    ms_scenario_month_label(s, 0, mon, sizeof mon);
    fprintf(f, "\n  ],\n  \"horizon\": {\"start\": \"%s\", \"months\": %d},\n", mon, s->months);
    fprintf(f, "  \"run\": {\"seed\": %" PRIu64 ", \"first_path\": %" PRIu64 ", \"paths_requested\": %" PRIu64
               ", \"paths_done\": %" PRIu64 ", \"partial\": %s},\n",
            info->seed, r->first_path, r->paths_requested, r->paths_done, r->interrupted ? "true" : "false");
    fputs("  \"quantile_names\": [", f);
    for (int i = 0; i < info->nquantiles; i++) {
        ms_output_qname(info->quantiles[i], qn, sizeof qn);
        fprintf(f, "%s\"%s\"", i ? ", " : "", qn);
    }
    fputs("],\n  \"quantile_rel_error\": {\"metrics\": ", f);
    ms_fmt_json_num(f, ms_hist_rel_error(MS_METRIC_BITS));
    fputs(", \"series\": ", f);
    ms_fmt_json_num(f, ms_hist_rel_error(MS_SERIES_BITS));
    fputs("},\n", f);
}

int ms_compare_json(FILE *f, const ms_compare *c, const ms_compare_result *r, const ms_compare_info *info)
{
    if (check_info(info))
        return -1;
    json_header(f, c, r, info);
    fputs("  \"comparisons\": [", f);
    for (int k = 0; k < ms_compare_npolicies(c); k++) {
        fputs(k ? ",\n    {\"policy\": " : "\n    {\"policy\": ", f);
        ms_fmt_json_str(f, info->labels[k + 1]);
        fputs(", \"base\": ", f);
        ms_fmt_json_str(f, info->labels[0]);
        fputs(",\n", f);
        json_unshared(f, c, k);
        json_metrics(f, c, r, k, info);
        if (json_series(f, c, r, k, info))
            return -1;
    }
    fputs("\n  ]\n}\n", f);
    return ferror(f) ? -1 : 0;
}

/* ---- the result directory ------------------------------------------------------------------ */

typedef struct cmp_ctx {
    const ms_compare *c;
    const ms_compare_result *r;
    const ms_compare_info *info;
    ms_prov_copies *copies;        /* [MS_COMPARE_MAX] names of the scenario copies (filled by add_copies) */
} cmp_ctx;

static int render_csv(FILE *f, const void *x)
{
    const cmp_ctx *t = x;
    return ms_compare_csv(f, t->c, t->r, t->info);
}

static int render_timeseries(FILE *f, const void *x)
{
    const cmp_ctx *t = x;
    return ms_compare_timeseries_csv(f, t->c, t->r, t->info);
}

static int render_json(FILE *f, const void *x)
{
    const cmp_ctx *t = x;
    return ms_compare_json(f, t->c, t->r, t->info);
}

static int render_manifest(FILE *f, const void *x, const ms_outdir *d)
{
    const cmp_ctx *t = x;
    const ms_compare_result *r = t->r;
    fputs("{\n  \"format\": \"magsim-manifest\",\n  \"format_version\": 1,\n  \"command\": \"compare\",\n"
          "  \"magsim_version\": ",
          f);
    ms_fmt_json_str(f, MAGSIM_VERSION);
    fputs(",\n  \"scenarios\": [", f);
    for (int k = 0; k <= ms_compare_npolicies(t->c); k++) {
        const ms_engine *e = k ? ms_compare_policy_at(t->c, k - 1)->engine : ms_compare_base(t->c);
        fprintf(f, "%s\n    {\"role\": \"%s\", \"label\": ", k ? "," : "", k ? "policy" : "base");
        ms_fmt_json_str(f, t->info->labels[k]);
        fputs(", \"scenario\": ", f);
        ms_prov_scenario_json(f, ms_engine_scenario(e), t->info->paths[k], &t->copies[k]);
        fputc('}', f);
    }
    fprintf(f, "\n  ],\n  \"seed\": %" PRIu64 ",\n  \"first_path\": %" PRIu64 ",\n  \"paths_requested\": %" PRIu64
               ",\n  \"paths_done\": %" PRIu64 ",\n  \"partial\": %s,\n  \"series\": %s,\n",
            t->info->seed, r->first_path, r->paths_requested, r->paths_done, r->interrupted ? "true" : "false",
            ms_compare_policy_at(t->c, 0)->nseries > 0 ? "true" : "false");
    ms_prov_run run = {t->info->threads > 0 ? t->info->threads : r->threads, r->wall_seconds, t->info->gsl_errors,
                       t->info->command_line, 0, 0};
    ms_prov_manifest_tail(f, &run, d);
    return ferror(f) ? -1 : 0;
}

/* Copies of every scenario: base.yaml, policy1.yaml, ... and their bases. */
static int add_copies(ms_outdir *d, const void *x, char *err, size_t errlen)
{
    const cmp_ctx *t = x;
    int rc = MS_OUTDIR_OK;
    for (int k = 0; rc == MS_OUTDIR_OK && k <= ms_compare_npolicies(t->c); k++) {
        const ms_engine *e = k ? ms_compare_policy_at(t->c, k - 1)->engine : ms_compare_base(t->c);
        char name[32];
        if (k)
            snprintf(name, sizeof name, "policy%d.yaml", k);
        else
            snprintf(name, sizeof name, "base.yaml");
        rc = ms_prov_add_sources(d, ms_engine_scenario(e), name, &t->copies[k], err, errlen);
    }
    return rc;
}

int ms_compare_write_dir(const char *dir, int force, const ms_compare *c, const ms_compare_result *r,
                         const ms_compare_info *info, char *err, size_t errlen)
{
    if (check_info(info)) {
        snprintf(err, errlen, "bad quantile levels");
        return MS_OUTDIR_EINVAL;
    }
    static const ms_prov_file files[] = {
        {"compare.csv", render_csv}, {"compare_timeseries.csv", render_timeseries}, {"compare.json", render_json}};
    ms_prov_copies copies[MS_COMPARE_MAX];
    memset(copies, 0, sizeof copies);
    cmp_ctx t = {c, r, info, copies};
    int rc = ms_prov_write_dir(dir, force, files, 3, add_copies, render_manifest, &t, err, errlen);
    for (int k = 0; k < MS_COMPARE_MAX; k++)
        ms_prov_copies_free(&copies[k]);
    return rc;
}
