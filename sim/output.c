/*
 * sim/output.c - the terminal summary and the result files of a run.
 *
 * Everything here reads the engine's statistic layout (ms_engine_desc) and
 * the result's exact accumulators; nothing is simulated.  The statistics are
 * taken with ms_accum_summary at the caller's quantile levels, so a file's
 * content is a function of (scenario, seed, paths, quantile levels) alone:
 * summary.csv, timeseries.csv and summary.json are byte-identical for any
 * thread count.  manifest.json is the one file that records the thread
 * count, wall time, host and clock.
 *
 * Files are first rendered into memory (open_memstream), so the only I/O
 * that can fail afterwards is writing whole buffers into the temporary
 * directory, where every write, fsync and close is checked.  The directory
 * then appears at its final name by one rename (docs/outputs.md).
 *
 * Naming in the files: an entity index >= 0 is written as its scenario
 * name; -1 on a dimension the statistic has is a roll-up, written "all";
 * -1 on a dimension it does not have is an empty CSV field / JSON null.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "magsim/fmt.h"
#include "magsim/outdir.h"
#include "magsim/output.h"
#include "magsim/prov.h"
#include "fileio.h"

#ifndef MAGSIM_VERSION
#define MAGSIM_VERSION "0.0.0"
#endif

/* ---- names: the statistic kinds of magsim/stat.h ----------------------------- */

enum { D_SUP = MS_DIM_SUPPLIER, D_IMP = MS_DIM_IMPORTER, D_IND = MS_DIM_INDUSTRY, D_PROD = MS_DIM_PRODUCT };

/* The columns importer,industry,product of a statistic (no leading or trailing comma). */
static void put_entity_cols(FILE *f, const ms_scenario *s, const ms_stat_desc *d)
{
    static const int dims[3] = {D_IMP, D_IND, D_PROD};
    char buf[16];
    for (int k = 0; k < 3; k++) {
        if (k)
            fputc(',', f);
        ms_fmt_csv_str(f, ms_stat_entity(s, d, dims[k], buf, sizeof buf));
    }
}

void ms_output_qname(double q, char *buf, size_t len)
{
    double p = q * 100.0;
    int d = 0;
    for (d = 0; d < 6; d++) {
        double sc = pow(10.0, d);
        if (fabs(round(p * sc) / sc - p) < 1e-9 * (p > 1 ? p : 1))
            break;
    }
    if (d == 0)
        snprintf(buf, len, "q%02.0f", p);
    else
        snprintf(buf, len, "q%0*.*f", 3 + d, d, p);
}

static int check_info(const ms_output_info *info)
{
    if (!info || info->nquantiles < 1 || info->nquantiles > MS_MAX_QUANTILES || !info->quantiles)
        return -1;
    for (int i = 0; i < info->nquantiles; i++) {
        double q = info->quantiles[i];
        if (!(q > 0 && q < 1) || (i > 0 && !(q > info->quantiles[i - 1])))
            return -1;
    }
    return 0;
}

/* Summary of statistic i in the engine's index space (metrics, then series). */
static void summary_at(const ms_engine *e, const ms_result *r, int i, const double *q, int nq,
                       ms_stat_summary *out)
{
    int nm = ms_engine_nmetrics(e);
    memset(out, 0, sizeof *out);
    if (i < nm)
        ms_accum_summary(r->metrics, i, q, nq, out);
    else if (r->series)
        ms_accum_summary(r->series, i - nm, q, nq, out);
    else {
        out->mean = out->sd = out->se = out->p_pos = out->cvar95 = out->cvar05_lower = NAN;
        for (int k = 0; k < nq; k++)
            out->q[k] = NAN;
    }
}

static double cvar_bad(const ms_stat_desc *d, const ms_stat_summary *ss)
{
    return d->lower_tail_bad ? ss->cvar05_lower : ss->cvar95;
}

static int nseries_of(const ms_engine *e, const ms_result *r)
{
    return r->series ? ms_engine_nseries(e) : 0;
}

/* ---- summary.csv ----------------------------------------------------------- */

int ms_output_summary_csv(FILE *f, const ms_engine *e, const ms_result *r, const ms_output_info *info)
{
    if (check_info(info))
        return -1;
    const ms_scenario *s = ms_engine_scenario(e);
    char qn[MS_MAX_QUANTILES][24], b1[16];
    int nq = info->nquantiles;
    for (int k = 0; k < nq; k++)
        ms_output_qname(info->quantiles[k], qn[k], sizeof qn[k]);

    fputs("metric,importer,industry,product,mean,sd,se", f);
    for (int k = 0; k < nq; k++)
        fprintf(f, ",%s", qn[k]);
    fputs(",p_pos,cvar95\n", f);

    int nm = ms_engine_nmetrics(e);
    for (int i = 0; i < nm; i++) {
        const ms_stat_desc *d = ms_engine_desc(e, i);
        ms_stat_summary ss;
        summary_at(e, r, i, info->quantiles, nq, &ss);
        const char *sup = ms_stat_entity(s, d, D_SUP, b1, sizeof b1);
        if (sup) {
            char m[256];
            snprintf(m, sizeof m, "%s[%s]", ms_stat_name(d), sup);
            ms_fmt_csv_str(f, m);
        } else {
            ms_fmt_csv_str(f, ms_stat_name(d));
        }
        fputc(',', f);
        put_entity_cols(f, s, d);
        fputc(',', f);
        ms_fmt_csv_num(f, ss.mean);
        fputc(',', f);
        ms_fmt_csv_num(f, ss.sd);
        fputc(',', f);
        ms_fmt_csv_num(f, ss.se);
        for (int k = 0; k < nq; k++) {
            fputc(',', f);
            ms_fmt_csv_num(f, ss.q[k]);
        }
        fputc(',', f);
        ms_fmt_csv_num(f, ss.p_pos);
        fputc(',', f);
        ms_fmt_csv_num(f, cvar_bad(d, &ss));
        fputc('\n', f);
    }
    return ferror(f) ? -1 : 0;
}

/* ---- series grouping -------------------------------------------------------- */

/* A series is the set of series statistics with the same (what, supplier,
 * importer, industry, product); its points are ordered by month.  Series are
 * listed in the order of their first point in the engine's layout. */
typedef struct sgroup {
    int first;   /* smallest statistic index of the group */
    int start;   /* offset of its first point in the order array */
    int n;       /* points */
} sgroup;

typedef struct sorder {
    const ms_engine *e;
    int *idx;    /* statistic indices, grouped, months ascending */
    int n;
    sgroup *g;
    int ng;
} sorder;

static const ms_engine *g_sort_engine; /* qsort context (single-threaded use) */

static int key_cmp(const ms_stat_desc *a, const ms_stat_desc *b)
{
    const int ka[5] = {a->what, a->supplier, a->importer, a->industry, a->product};
    const int kb[5] = {b->what, b->supplier, b->importer, b->industry, b->product};
    for (int i = 0; i < 5; i++)
        if (ka[i] != kb[i])
            return ka[i] < kb[i] ? -1 : 1;
    return 0;
}

static int cmp_key_month(const void *pa, const void *pb)
{
    int ia = *(const int *)pa, ib = *(const int *)pb;
    const ms_stat_desc *a = ms_engine_desc(g_sort_engine, ia), *b = ms_engine_desc(g_sort_engine, ib);
    int c = key_cmp(a, b);
    if (c)
        return c;
    if (a->month != b->month)
        return a->month < b->month ? -1 : 1;
    return ia < ib ? -1 : ia > ib;
}

static int cmp_group_first(const void *pa, const void *pb)
{
    const sgroup *a = pa, *b = pb;
    return a->first < b->first ? -1 : a->first > b->first;
}

static void sorder_free(sorder *o)
{
    free(o->idx);
    free(o->g);
    memset(o, 0, sizeof *o);
}

static int sorder_build(sorder *o, const ms_engine *e, const ms_result *r)
{
    memset(o, 0, sizeof *o);
    o->e = e;
    int nm = ms_engine_nmetrics(e), ns = nseries_of(e, r);
    if (ns == 0)
        return 0;
    o->idx = malloc(sizeof *o->idx * (size_t)ns);
    o->g = malloc(sizeof *o->g * (size_t)ns);
    if (!o->idx || !o->g) {
        sorder_free(o);
        return -1;
    }
    for (int i = 0; i < ns; i++)
        o->idx[i] = nm + i;
    o->n = ns;
    g_sort_engine = e;
    qsort(o->idx, (size_t)ns, sizeof *o->idx, cmp_key_month);
    for (int i = 0; i < ns; i++) {
        if (i == 0 || key_cmp(ms_engine_desc(e, o->idx[i - 1]), ms_engine_desc(e, o->idx[i]))) {
            o->g[o->ng].first = o->idx[i];
            o->g[o->ng].start = i;
            o->g[o->ng].n = 0;
            o->ng++;
        }
        sgroup *g = &o->g[o->ng - 1];
        g->n++;
        if (o->idx[i] < g->first)
            g->first = o->idx[i];
    }
    qsort(o->g, (size_t)o->ng, sizeof *o->g, cmp_group_first);
    return 0;
}

/* ---- timeseries.csv --------------------------------------------------------- */

int ms_output_timeseries_csv(FILE *f, const ms_engine *e, const ms_result *r, const ms_output_info *info)
{
    if (check_info(info))
        return -1;
    const ms_scenario *s = ms_engine_scenario(e);
    char qn[MS_MAX_QUANTILES][24], b1[16], mon[16];
    int nq = info->nquantiles;
    for (int k = 0; k < nq; k++)
        ms_output_qname(info->quantiles[k], qn[k], sizeof qn[k]);
    fputs("series,supplier,importer,industry,product,month,stat,value\n", f);

    sorder o;
    if (sorder_build(&o, e, r))
        return -1;
    for (int gi = 0; gi < o.ng; gi++) {
        const sgroup *g = &o.g[gi];
        for (int p = 0; p < g->n; p++) {
            int i = o.idx[g->start + p];
            const ms_stat_desc *d = ms_engine_desc(e, i);
            ms_stat_summary ss;
            summary_at(e, r, i, info->quantiles, nq, &ss);
            /* the key part of the row, rendered once */
            char *key = NULL;
            size_t keylen = 0;
            FILE *kf = open_memstream(&key, &keylen);
            if (!kf) {
                sorder_free(&o);
                return -1;
            }
            ms_fmt_csv_str(kf, ms_stat_name(d));
            fputc(',', kf);
            ms_fmt_csv_str(kf, ms_stat_entity(s, d, D_SUP, b1, sizeof b1));
            fputc(',', kf);
            put_entity_cols(kf, s, d);
            ms_scenario_month_label(s, d->month, mon, sizeof mon);
            fprintf(kf, ",%s,", mon);
            if (fclose(kf) != 0) {
                free(key);
                sorder_free(&o);
                return -1;
            }
            fputs(key, f);
            fputs("mean,", f);
            ms_fmt_csv_num(f, ss.mean);
            fputc('\n', f);
            for (int k = 0; k < nq; k++) {
                fputs(key, f);
                fprintf(f, "%s,", qn[k]);
                ms_fmt_csv_num(f, ss.q[k]);
                fputc('\n', f);
            }
            free(key);
        }
    }
    sorder_free(&o);
    return ferror(f) ? -1 : 0;
}

/* ---- summary.json ------------------------------------------------------------ */

static void json_names_dims(FILE *f, const ms_scenario *s, const ms_stat_desc *d)
{
    char b[4][16];
    fputs("\"supplier\": ", f);
    ms_fmt_json_str(f, ms_stat_entity(s, d, D_SUP, b[0], sizeof b[0]));
    fputs(", \"importer\": ", f);
    ms_fmt_json_str(f, ms_stat_entity(s, d, D_IMP, b[1], sizeof b[1]));
    fputs(", \"industry\": ", f);
    ms_fmt_json_str(f, ms_stat_entity(s, d, D_IND, b[2], sizeof b[2]));
    fputs(", \"product\": ", f);
    ms_fmt_json_str(f, ms_stat_entity(s, d, D_PROD, b[3], sizeof b[3]));
}

static void json_scenario(FILE *f, const ms_scenario *s, const char *path)
{
    char mon[16];
    fputs("  \"scenario\": {\n    \"name\": ", f);
    ms_fmt_json_str(f, s->name);
    fputs(",\n    \"path\": ", f);
    ms_fmt_json_str(f, path ? path : s->path);
    ms_scenario_month_label(s, 0, mon, sizeof mon);
    fprintf(f, ",\n    \"start\": \"%s\",\n    \"months\": %d,\n    \"shortage_threshold\": ", mon, s->months);
    ms_fmt_json_num(f, s->shortage_threshold);
    fputs(",\n    \"products\": [", f);
    for (int i = 0; i < s->nproducts; i++) {
        fputs(i ? ", " : "", f);
        ms_fmt_json_str(f, s->products[i].name);
    }
    fputs("],\n    \"suppliers\": [", f);
    for (int i = 0; i < s->nsuppliers; i++) {
        fputs(i ? ", " : "", f);
        ms_fmt_json_str(f, s->suppliers[i].name);
    }
    fputs("],\n    \"importers\": [", f);
    for (int i = 0; i < s->nimporters; i++) {
        fputs(i ? ",\n      {\"name\": " : "\n      {\"name\": ", f);
        ms_fmt_json_str(f, s->importers[i].name);
        fputs(", \"industries\": [", f);
        for (int k = 0; k < s->importers[i].nindustries; k++) {
            fputs(k ? ", " : "", f);
            ms_fmt_json_str(f, s->importers[i].industries[k].name);
        }
        fputs("]}", f);
    }
    fputs(s->nimporters ? "\n    ]\n  },\n" : "]\n  },\n", f);
}

int ms_output_summary_json(FILE *f, const ms_engine *e, const ms_result *r, const ms_output_info *info)
{
    if (check_info(info))
        return -1;
    const ms_scenario *s = ms_engine_scenario(e);
    char qn[MS_MAX_QUANTILES][24], mon[16];
    int nq = info->nquantiles;
    for (int k = 0; k < nq; k++)
        ms_output_qname(info->quantiles[k], qn[k], sizeof qn[k]);

    fputs("{\n  \"format\": \"magsim-summary\",\n  \"format_version\": 1,\n  \"magsim_version\": ", f);
    ms_fmt_json_str(f, MAGSIM_VERSION);
    fputs(",\n", f);
    json_scenario(f, s, info->scenario_path);
    fprintf(f, "  \"run\": {\"seed\": %" PRIu64 ", \"first_path\": %" PRIu64 ", \"paths_requested\": %" PRIu64
               ", \"paths_done\": %" PRIu64 ", \"partial\": %s},\n",
            info->seed, r->first_path, r->paths_requested, r->paths_done, r->interrupted ? "true" : "false");
    fputs("  \"quantiles\": [", f);
    for (int k = 0; k < nq; k++) {
        fputs(k ? ", " : "", f);
        ms_fmt_json_num(f, info->quantiles[k]);
    }
    fputs("],\n  \"quantile_names\": [", f);
    for (int k = 0; k < nq; k++) {
        fputs(k ? ", " : "", f);
        ms_fmt_json_str(f, qn[k]);
    }
    fputs("],\n  \"quantile_rel_error\": {\"metrics\": ", f);
    ms_fmt_json_num(f, ms_hist_rel_error(MS_METRIC_BITS));
    fputs(", \"series\": ", f);
    ms_fmt_json_num(f, ms_hist_rel_error(MS_SERIES_BITS));
    fputs("},\n  \"metrics\": [", f);

    int nm = ms_engine_nmetrics(e);
    for (int i = 0; i < nm; i++) {
        const ms_stat_desc *d = ms_engine_desc(e, i);
        ms_stat_summary ss;
        summary_at(e, r, i, info->quantiles, nq, &ss);
        fputs(i ? ",\n    {\"metric\": " : "\n    {\"metric\": ", f);
        ms_fmt_json_str(f, ms_stat_name(d));
        fputs(", ", f);
        json_names_dims(f, s, d);
        fprintf(f, ",\n     \"n\": %" PRIu64 ", \"mean\": ", ss.n);
        ms_fmt_json_num(f, ss.mean);
        fputs(", \"sd\": ", f);
        ms_fmt_json_num(f, ss.sd);
        fputs(", \"se\": ", f);
        ms_fmt_json_num(f, ss.se);
        fputs(", \"quantiles\": {", f);
        for (int k = 0; k < nq; k++) {
            fprintf(f, "%s\"%s\": ", k ? ", " : "", qn[k]);
            ms_fmt_json_num(f, ss.q[k]);
        }
        fputs("}, \"p_pos\": ", f);
        ms_fmt_json_num(f, ss.p_pos);
        fputs(", \"cvar95\": ", f);
        ms_fmt_json_num(f, cvar_bad(d, &ss));
        fprintf(f, ", \"cvar_tail\": \"%s\"}", d->lower_tail_bad ? "lower" : "upper");
    }
    fputs(nm ? "\n  ],\n  \"series\": [" : "],\n  \"series\": [", f);

    sorder o;
    if (sorder_build(&o, e, r))
        return -1;
    ms_stat_summary *ss = o.n ? malloc(sizeof *ss * (size_t)o.n) : NULL;
    if (o.n && !ss) {
        sorder_free(&o);
        return -1;
    }
    for (int gi = 0; gi < o.ng; gi++) {
        const sgroup *g = &o.g[gi];
        const ms_stat_desc *d0 = ms_engine_desc(e, o.idx[g->start]);
        for (int p = 0; p < g->n; p++)
            summary_at(e, r, o.idx[g->start + p], info->quantiles, nq, &ss[p]);
        fputs(gi ? ",\n    {\"series\": " : "\n    {\"series\": ", f);
        ms_fmt_json_str(f, ms_stat_name(d0));
        fputs(", ", f);
        json_names_dims(f, s, d0);
        fputs(",\n     \"months\": [", f);
        for (int p = 0; p < g->n; p++) {
            ms_scenario_month_label(s, ms_engine_desc(e, o.idx[g->start + p])->month, mon, sizeof mon);
            fprintf(f, "%s\"%s\"", p ? ", " : "", mon);
        }
        fputs("],\n     \"mean\": [", f);
        for (int p = 0; p < g->n; p++) {
            fputs(p ? ", " : "", f);
            ms_fmt_json_num(f, ss[p].mean);
        }
        fputs("],\n     \"quantiles\": {", f);
        for (int k = 0; k < nq; k++) {
            fprintf(f, "%s\"%s\": [", k ? ",\n                   " : "", qn[k]);
            for (int p = 0; p < g->n; p++) {
                fputs(p ? ", " : "", f);
                ms_fmt_json_num(f, ss[p].q[k]);
            }
            fputc(']', f);
        }
        fputs("}}", f);
    }
    fputs(o.ng ? "\n  ]\n}\n" : "]\n}\n", f);
    free(ss);
    sorder_free(&o);
    return ferror(f) ? -1 : 0;
}

/* ---- manifest.json ----------------------------------------------------------- */

static const char *source_copy_name(const ms_scenario *s, int k);

/* The manifest: provenance, then every file of the directory (d: NULL when
 * rendered on its own, without a file list). */
static int manifest(FILE *f, const ms_engine *e, const ms_result *r, const ms_output_info *info,
                    const ms_outdir *d)
{
    const ms_scenario *s = ms_engine_scenario(e);
    char sha[65];

    fputs("{\n  \"format\": \"magsim-manifest\",\n  \"format_version\": 1,\n  \"magsim_version\": ", f);
    ms_fmt_json_str(f, MAGSIM_VERSION);
    fputs(",\n  \"scenario\": {\"path\": ", f);
    ms_fmt_json_str(f, info->scenario_path ? info->scenario_path : s->path);
    fputs(", \"name\": ", f);
    ms_fmt_json_str(f, s->name);
    if (s->nsources > 0) {
        ms_fmt_sha256_hex(s->sources[0].bytes, s->sources[0].len, sha);
        fprintf(f, ", \"bytes\": %zu, \"sha256\": \"%s\", \"copy\": \"scenario.yaml\"", s->sources[0].len, sha);
    } else {
        fputs(", \"bytes\": null, \"sha256\": null, \"copy\": null", f);
    }
    fputs(", \"extends\": [", f);
    for (int i = 1; i < s->nsources; i++) {
        fputs(i > 1 ? ", " : "", f);
        ms_fmt_json_str(f, source_copy_name(s, i));
    }
    fputs("]},\n", f);
    fprintf(f, "  \"seed\": %" PRIu64 ",\n  \"first_path\": %" PRIu64 ",\n  \"paths_requested\": %" PRIu64
               ",\n  \"paths_done\": %" PRIu64 ",\n  \"partial\": %s,\n",
            info->seed, r->first_path, r->paths_requested, r->paths_done, r->interrupted ? "true" : "false");
    fputs("  \"quantiles\": [", f);
    for (int k = 0; k < info->nquantiles; k++) {
        fputs(k ? ", " : "", f);
        ms_fmt_json_num(f, info->quantiles[k]);
    }
    fprintf(f, "],\n  \"series\": %s,\n", r->series ? "true" : "false");
    ms_prov_run run = {info->threads > 0 ? info->threads : r->threads, r->wall_seconds, info->gsl_errors,
                       info->command_line, 1,
                       r->wall_seconds > 0 ? (double)r->paths_done / r->wall_seconds : NAN};
    ms_prov_manifest_tail(f, &run, d);
    return ferror(f) ? -1 : 0;
}

int ms_output_manifest_json(FILE *f, const ms_engine *e, const ms_result *r, const ms_output_info *info)
{
    if (check_info(info))
        return -1;
    return manifest(f, e, r, info, NULL);
}

/* ---- terminal summary ------------------------------------------------------------ */

static const char *fmt_pct(char *buf, size_t len, double x)
{
    if (!isfinite(x))
        snprintf(buf, len, "-");
    else if (x == 0)
        snprintf(buf, len, "0%%");
    else if (fabs(x) < 5e-5)
        snprintf(buf, len, "0.00%%"); /* not "-0.00%" */
    else if (fabs(x) >= 1.0)
        snprintf(buf, len, "%.0f%%", 100 * x);
    else if (fabs(x) >= 0.1)
        snprintf(buf, len, "%.1f%%", 100 * x);
    else
        snprintf(buf, len, "%.2f%%", 100 * x);
    return buf;
}

static const char *fmt_num1(char *buf, size_t len, double x)
{
    if (!isfinite(x))
        snprintf(buf, len, "-");
    else
        snprintf(buf, len, "%.1f", x);
    return buf;
}

/* Find the metric (what, importer, industry, product); -1 when absent. */
static int find_metric(const ms_engine *e, int what, int imp, int ind, int prod)
{
    int nm = ms_engine_nmetrics(e);
    for (int i = 0; i < nm; i++) {
        const ms_stat_desc *d = ms_engine_desc(e, i);
        if (d->what == what && d->importer == imp && d->industry == ind && d->product == prod)
            return i;
    }
    return -1;
}

typedef struct trow {
    int i;                 /* metric index of the table's key metric */
    int imp, ind, prod;
} trow;

static int trow_cmp(const void *pa, const void *pb)
{
    const trow *a = pa, *b = pb;
    /* importer order, roll-ups (-1) last; then industry, then product */
    unsigned ia = (unsigned)a->imp, ib = (unsigned)b->imp;
    if (ia != ib) return ia < ib ? -1 : 1;
    unsigned ka = (unsigned)a->ind, kb = (unsigned)b->ind;
    if (ka != kb) return ka < kb ? -1 : 1;
    unsigned pa2 = (unsigned)a->prod, pb2 = (unsigned)b->prod;
    if (pa2 != pb2) return pa2 < pb2 ? -1 : 1;
    return a->i < b->i ? -1 : a->i > b->i;
}

static trow *collect_rows(const ms_engine *e, int what, int *n)
{
    int nm = ms_engine_nmetrics(e);
    trow *rows = malloc(sizeof *rows * (size_t)(nm ? nm : 1));
    *n = 0;
    if (!rows)
        return NULL;
    for (int i = 0; i < nm; i++) {
        const ms_stat_desc *d = ms_engine_desc(e, i);
        if (d->what == what)
            rows[(*n)++] = (trow){i, d->importer, d->industry, d->product};
    }
    qsort(rows, (size_t)*n, sizeof *rows, trow_cmp);
    return rows;
}

static void fit(char *dst, size_t width, const char *src)
{
    size_t n = strlen(src);
    if (n <= width) {
        memcpy(dst, src, n + 1);
    } else {
        memcpy(dst, src, width - 1);
        dst[width - 1] = '~';
        dst[width] = '\0';
    }
}

int ms_output_terminal(FILE *f, const ms_engine *e, const ms_result *r, const ms_output_info *info)
{
    const ms_scenario *s = ms_engine_scenario(e);
    char a[32], b[32], c[32], d4[32], e5[32], f6[32], m0[16], m1[16];
    static const double tq[3] = {0.05, 0.5, 0.95};

    char title[81];
    fit(title, 80, s->name ? s->name : "");
    fprintf(f, "magsim %s  %s\n", MAGSIM_VERSION, title);
    ms_scenario_month_label(s, 0, m0, sizeof m0);
    ms_scenario_month_label(s, s->months - 1, m1, sizeof m1);
    fprintf(f, "  horizon    %s to %s (%d months)   seed %" PRIu64 "\n", m0, m1, s->months, info->seed);
    fprintf(f, "  paths      %" PRIu64 " of %" PRIu64 "%s   threads %d   wall %.2f s   %.0f paths/s\n",
            r->paths_done, r->paths_requested, r->interrupted ? " (interrupted: partial result)" : "",
            info->threads > 0 ? info->threads : r->threads, r->wall_seconds,
            r->wall_seconds > 0 ? (double)r->paths_done / r->wall_seconds : 0.0);
    fprintf(f, "  quantiles  within \u00b1%.2g%% (histogram bound)   shortage threshold %s of demand\n",
            100 * ms_hist_rel_error(MS_METRIC_BITS), (snprintf(a, sizeof a, "%g%%", 100 * s->shortage_threshold), a));
    if (r->paths_done == 0) {
        fputs("\nno path completed: nothing to summarise\n", f);
        return ferror(f) ? -1 : 0;
    }

    /* shortage per importer x industry */
    int n = 0;
    trow *rows = collect_rows(e, MS_M_SHORTAGE_T, &n);
    if (!rows)
        return -1;
    char imp_s[16], ind_s[24], ibuf[16];
    if (n > 0) {
        fputs("\nShortage by importer x industry (over paths: P = probability, q50 = median)\n", f);
        fprintf(f, "%-13s %-20s %8s %9s %9s %10s %11s %11s\n", "importer", "industry", "P(short)",
                "share q50", "share q95", "months q50", "survive q50", "survive q05");
        for (int k = 0; k < n; k++) {
            const trow *t = &rows[k];
            const ms_stat_desc *dd = ms_engine_desc(e, t->i);
            char label[128];
            if (k > 0 && rows[k - 1].imp != t->imp)
                fputc('\n', f); /* a blank line between importers */
            const char *in = ms_stat_entity(s, dd, D_IMP, ibuf, sizeof ibuf);
            fit(imp_s, 13, t->imp < 0 ? "ALL" : in);
            const char *kn = t->ind < 0 ? "(all)" : ms_stat_entity(s, dd, D_IND, ibuf, sizeof ibuf);
            if (t->prod >= 0) {
                char pb[16];
                snprintf(label, sizeof label, "%s:%s", kn, ms_stat_entity(s, dd, D_PROD, pb, sizeof pb));
            } else {
                snprintf(label, sizeof label, "%s", kn);
            }
            fit(ind_s, 20, label);
            ms_stat_summary st, sh, mo, tt;
            summary_at(e, r, t->i, tq, 3, &st);
            int i_sh = find_metric(e, MS_M_SHORTAGE_SHARE, t->imp, t->ind, t->prod);
            int i_mo = find_metric(e, MS_M_MONTHS_SHORT, t->imp, t->ind, t->prod);
            int i_tt = find_metric(e, MS_M_TIME_TO_SURVIVE, t->imp, t->ind, t->prod);
            double nan3[3] = {NAN, NAN, NAN};
            if (i_sh >= 0) summary_at(e, r, i_sh, tq, 3, &sh); else memcpy(sh.q, nan3, sizeof nan3);
            if (i_mo >= 0) summary_at(e, r, i_mo, tq, 3, &mo); else memcpy(mo.q, nan3, sizeof nan3);
            if (i_tt >= 0) summary_at(e, r, i_tt, tq, 3, &tt); else memcpy(tt.q, nan3, sizeof nan3);
            fprintf(f, "%-13s %-20s %8s %9s %9s %10s %11s %11s\n", imp_s, ind_s,
                    fmt_pct(a, sizeof a, st.p_pos), fmt_pct(b, sizeof b, sh.q[1]), fmt_pct(c, sizeof c, sh.q[2]),
                    fmt_num1(d4, sizeof d4, mo.q[1]), fmt_num1(e5, sizeof e5, tt.q[1]),
                    fmt_num1(f6, sizeof f6, tt.q[0]));
        }
        fputs("  share: shortage / demand over the horizon; months: months above the threshold;\n"
              "  survive: months from the first control (or policy) to the first month short (censored)\n", f);
    }
    free(rows);

    rows = collect_rows(e, MS_M_PEAK_PRICE_SHOCK, &n);
    if (!rows)
        return -1;
    if (n > 0) {
        fputs("\nPrice shock by importer x product (landed price index - 1)\n", f);
        fprintf(f, "%-13s %-20s %11s %11s %11s\n", "importer", "product", "peak q50", "peak q95", "mean q50");
        for (int k = 0; k < n; k++) {
            const trow *t = &rows[k];
            const ms_stat_desc *dd = ms_engine_desc(e, t->i);
            fit(imp_s, 13, t->imp < 0 ? "ALL" : ms_stat_entity(s, dd, D_IMP, ibuf, sizeof ibuf));
            fit(ind_s, 20, t->prod < 0 ? "(all)" : ms_stat_entity(s, dd, D_PROD, ibuf, sizeof ibuf));
            ms_stat_summary pk, mn;
            summary_at(e, r, t->i, tq, 3, &pk);
            int i_mn = find_metric(e, MS_M_MEAN_PRICE_SHOCK, t->imp, t->ind, t->prod);
            if (i_mn >= 0)
                summary_at(e, r, i_mn, tq, 3, &mn);
            else
                mn.q[1] = NAN;
            fprintf(f, "%-13s %-20s %11s %11s %11s\n", imp_s, ind_s, fmt_pct(a, sizeof a, pk.q[1]),
                    fmt_pct(b, sizeof b, pk.q[2]), fmt_pct(c, sizeof c, mn.q[1]));
        }
    }
    free(rows);
    return ferror(f) ? -1 : 0;
}


/* ---- the result directory ---------------------------------------------------------- */

/* The name a source file is copied under: "scenario.yaml" for the scenario,
 * a base's own file name for the files of its extends: chain.  A base
 * whose name would clash with a result file or an earlier copy is not
 * copied (NULL); the manifest lists what was. */
static const char *source_copy_name(const ms_scenario *s, int k)
{
    if (k == 0)
        return "scenario.yaml";
    const char *p = s->sources[k].path;
    const char *base = strrchr(p, '/') ? strrchr(p, '/') + 1 : p;
    static const char *const reserved[] = {"scenario.yaml", "manifest.json", "summary.csv", "summary.json",
                                           "timeseries.csv", "report", NULL};
    if (!*base)
        return NULL;
    for (int j = 0; reserved[j]; j++)
        if (!strcmp(base, reserved[j]))
            return NULL;
    for (int j = 1; j < k; j++) {
        const char *o = source_copy_name(s, j);
        if (o && !strcmp(o, base))
            return NULL;
    }
    return base;
}

typedef int (*writer_fn)(FILE *, const ms_engine *, const ms_result *, const ms_output_info *);

/* Render one file into memory and add it to the directory. */
static int add_rendered(ms_outdir *d, const char *name, writer_fn fn, const ms_engine *e, const ms_result *r,
                        const ms_output_info *info, char *err, size_t errlen)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) {
        snprintf(err, errlen, "cannot render %s: out of memory", name);
        return MS_OUTDIR_EIO;
    }
    int rc = fn(f, e, r, info);
    if (fclose(f) != 0 || rc) {
        free(buf);
        snprintf(err, errlen, "cannot render %s: out of memory", name);
        return MS_OUTDIR_EIO;
    }
    rc = ms_outdir_add(d, name, buf, len, err, errlen);
    free(buf);
    return rc;
}

static int manifest_writer(FILE *f, const ms_engine *e, const ms_result *r, const ms_output_info *info);
static const ms_outdir *g_manifest_dir; /* the directory manifest_writer lists (single-threaded use) */

static int manifest_writer(FILE *f, const ms_engine *e, const ms_result *r, const ms_output_info *info)
{
    return manifest(f, e, r, info, g_manifest_dir);
}

int ms_output_add_files(ms_outdir *d, const ms_engine *e, const ms_result *r, const ms_output_info *info,
                        char *err, size_t errlen)
{
    if (check_info(info)) {
        snprintf(err, errlen, "bad quantile levels");
        return MS_OUTPUT_EINVAL;
    }
    static const struct { const char *name; writer_fn fn; } writers[] = {
        {"summary.csv", ms_output_summary_csv},
        {"timeseries.csv", ms_output_timeseries_csv},
        {"summary.json", ms_output_summary_json},
    };
    int rc = MS_OUTDIR_OK;
    for (size_t k = 0; rc == MS_OUTDIR_OK && k < sizeof writers / sizeof writers[0]; k++)
        rc = add_rendered(d, writers[k].name, writers[k].fn, e, r, info, err, errlen);
    /* the scenario and the bases it extends, byte for byte as the loader read them */
    const ms_scenario *s = ms_engine_scenario(e);
    for (int k = 0; rc == MS_OUTDIR_OK && k < s->nsources; k++) {
        const char *name = source_copy_name(s, k);
        if (name)
            rc = ms_outdir_add(d, name, s->sources[k].bytes, s->sources[k].len, err, errlen);
    }
    /* manifest last: it lists the other files' sizes and hashes */
    if (rc == MS_OUTDIR_OK) {
        g_manifest_dir = d;
        rc = add_rendered(d, "manifest.json", manifest_writer, e, r, info, err, errlen);
        g_manifest_dir = NULL;
    }
    switch (rc) {
    case MS_OUTDIR_OK: return MS_OUTPUT_OK;
    case MS_OUTDIR_EXISTS: return MS_OUTPUT_EXISTS;
    case MS_OUTDIR_EINVAL: return MS_OUTPUT_EINVAL;
    default: return MS_OUTPUT_EIO;
    }
}

int ms_output_write_dir(const char *dir, int force, const ms_engine *e, const ms_result *r,
                        const ms_output_info *info, char *err, size_t errlen)
{
    if (!dir || !*dir) {
        snprintf(err, errlen, "empty output directory name");
        return MS_OUTPUT_EINVAL;
    }
    if (check_info(info)) {
        snprintf(err, errlen, "bad quantile levels");
        return MS_OUTPUT_EINVAL;
    }
    ms_outdir *d = ms_outdir_open(dir, force, err, errlen);
    if (!d)
        return ms_outdir_check(dir, force, err, errlen) == MS_OUTDIR_EXISTS ? MS_OUTPUT_EXISTS : MS_OUTPUT_EIO;
    int rc = ms_output_add_files(d, e, r, info, err, errlen);
    if (rc == MS_OUTPUT_OK) {
        int crc = ms_outdir_commit(d, err, errlen);
        rc = crc == MS_OUTDIR_OK ? MS_OUTPUT_OK : crc == MS_OUTDIR_EXISTS ? MS_OUTPUT_EXISTS
             : crc == MS_OUTDIR_EINVAL ? MS_OUTPUT_EINVAL : MS_OUTPUT_EIO;
    }
    ms_outdir_free(d);
    return rc;
}
