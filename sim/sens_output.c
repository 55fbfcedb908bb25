/*
 * sens_output.c - what `magsim sensitivity` leaves behind: the terminal
 * ranking and tornado, sensitivity.csv, tornado.csv, sensitivity.json and
 * the manifest (magsim/sens.h, docs/outputs.md).
 *
 * Everything is read from a finished ms_sens (its estimates over the rows
 * done, its tornado); the factors are named by their input keys, the
 * outputs through magsim/stat.h.  Factors are written in the engine's input
 * order in sensitivity.csv, by decreasing swing in tornado.csv, by
 * decreasing total index on the terminal.
 */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "magsim/dist.h"
#include "magsim/fmt.h"
#include "magsim/prov.h"
#include "magsim/sens.h"
#include "magsim/stat.h"

#ifndef MAGSIM_VERSION
#define MAGSIM_VERSION "0.0.0"
#endif

#define INTRINSIC "(intrinsic)"  /* the name of the noise factor in every file */

static const ms_dist *factor_dist(const ms_sens *s, int i)
{
    return ms_engine_input(ms_sens_engine(s), ms_sens_get_plan(s)->factors[i]);
}

static const ms_stat_desc *output_desc(const ms_sens *s, int o)
{
    return ms_engine_desc(ms_sens_engine(s), ms_sens_get_plan(s)->outputs[o]);
}

static const char *factor_kind(const ms_sens *s, int i)
{
    if (i == ms_sens_get_plan(s)->nfactors)
        return "intrinsic";
    return factor_dist(s, i)->per_month ? "per_month_input" : "input";
}

static const char *factor_key(const ms_sens *s, int i)
{
    if (i == ms_sens_get_plan(s)->nfactors)
        return INTRINSIC;
    const char *k = factor_dist(s, i)->key;
    return k ? k : "?";
}

/* The output's columns metric,supplier,importer,industry,product. */
static void csv_output(FILE *f, const ms_sens *s, int o)
{
    static const int dims[4] = {MS_DIM_SUPPLIER, MS_DIM_IMPORTER, MS_DIM_INDUSTRY, MS_DIM_PRODUCT};
    const ms_scenario *sc = ms_engine_scenario(ms_sens_engine(s));
    const ms_stat_desc *d = output_desc(s, o);
    char b[16];
    ms_fmt_csv_str(f, ms_stat_name(d));
    for (int i = 0; i < 4; i++) {
        fputc(',', f);
        ms_fmt_csv_str(f, ms_stat_entity(sc, d, dims[i], b, sizeof b));
    }
}

static void csv_nums(FILE *f, const double *v, int n)
{
    for (int i = 0; i < n; i++) {
        fputc(',', f);
        ms_fmt_csv_num(f, v[i]);
    }
}

/* The estimates of output o: [d + 1] (malloc'd), NULL when memory runs out. */
static ms_sobol_index *indices_of(const ms_sens *s, int o, ms_sobol_moments *mom)
{
    ms_sobol_index *idx = malloc(sizeof *idx * ((size_t)ms_sens_get_plan(s)->nfactors + 1));
    if (idx)
        ms_sens_indices(s, o, idx, mom);
    return idx;
}

/* ---- sensitivity.csv ------------------------------------------------------------------------ */

int ms_sens_csv(FILE *f, const ms_sens *s, const ms_sens_info *info)
{
    (void)info;
    const ms_sens_plan *p = ms_sens_get_plan(s);
    fputs("metric,supplier,importer,industry,product,input,kind,s1,s1_lo,s1_hi,st,st_lo,st_hi\n", f);
    for (int o = 0; o < p->noutputs; o++) {
        ms_sobol_index *idx = indices_of(s, o, NULL);
        if (!idx)
            return -1;
        for (int i = 0; i <= p->nfactors; i++) {
            csv_output(f, s, o);
            fputc(',', f);
            ms_fmt_csv_str(f, factor_key(s, i));
            fprintf(f, ",%s", factor_kind(s, i));
            const double v[6] = {idx[i].s1, idx[i].s1_lo, idx[i].s1_hi, idx[i].st, idx[i].st_lo, idx[i].st_hi};
            csv_nums(f, v, 6);
            fputc('\n', f);
        }
        free(idx);
    }
    return ferror(f) ? -1 : 0;
}

/* ---- tornado.csv ------------------------------------------------------------------------------ */

typedef struct ranked {
    double key;                /* sorted on, descending */
    int i;                     /* factor */
} ranked;

static int ranked_cmp(const void *pa, const void *pb)
{
    const ranked *a = pa, *b = pb;
    if (a->key != b->key)
        return a->key > b->key ? -1 : 1;  /* NaN keys were set to -1 */
    return (a->i > b->i) - (a->i < b->i);
}

/* The factors of output o by decreasing |swing| (by_swing) or total index. */
static ranked *rank_factors(const ms_sens *s, int o, int by_swing, const ms_sobol_index *idx)
{
    int d = ms_sens_get_plan(s)->nfactors;
    ranked *r = malloc(sizeof *r * ((size_t)d + 1));
    for (int i = 0; r && i < d; i++) {
        ms_sens_bar b;
        ms_sens_tornado(s, o, i, &b);
        double k = by_swing ? fabs(b.swing) : idx[i].st;
        r[i] = (ranked){isnan(k) ? -1 : k, i};
    }
    if (r)
        qsort(r, (size_t)d, sizeof *r, ranked_cmp);
    return r;
}

int ms_sens_tornado_csv(FILE *f, const ms_sens *s, const ms_sens_info *info)
{
    (void)info;
    const ms_sens_plan *p = ms_sens_get_plan(s);
    fputs("metric,supplier,importer,industry,product,input,x_lo,x_mid,x_hi,y_lo,y_mid,y_hi,swing,swing_se\n", f);
    for (int o = 0; p->tornado_paths > 0 && o < p->noutputs; o++) {
        ranked *r = rank_factors(s, o, 1, NULL);
        if (!r)
            return -1;
        for (int k = 0; k < p->nfactors; k++) {
            ms_sens_bar b;
            ms_sens_tornado(s, o, r[k].i, &b);
            csv_output(f, s, o);
            fputc(',', f);
            ms_fmt_csv_str(f, factor_key(s, r[k].i));
            const double v[8] = {b.x_lo, b.x_mid, b.x_hi, b.y_lo, b.y_mid, b.y_hi, b.swing, b.swing_se};
            csv_nums(f, v, 8);
            fputc('\n', f);
        }
        free(r);
    }
    return ferror(f) ? -1 : 0;
}

/* ---- sensitivity.json ------------------------------------------------------------------------ */

static void json_index(FILE *f, const ms_sobol_index *x)
{
    const double v[6] = {x->s1, x->s1_lo, x->s1_hi, x->st, x->st_lo, x->st_hi};
    static const char *const names[6] = {"s1", "s1_lo", "s1_hi", "st", "st_lo", "st_hi"};
    for (int k = 0; k < 6; k++) {
        fprintf(f, "%s\"%s\": ", k ? ", " : "", names[k]);
        ms_fmt_json_num(f, v[k]);
    }
}

static void json_factors(FILE *f, const ms_sens *s)
{
    const ms_sens_plan *p = ms_sens_get_plan(s);
    fputs("  \"factors\": [", f);
    for (int i = 0; i < p->nfactors; i++) {
        const ms_dist *d = factor_dist(s, i);
        fputs(i ? ",\n    {\"input\": " : "\n    {\"input\": ", f);
        ms_fmt_json_str(f, factor_key(s, i));
        fprintf(f, ", \"kind\": \"%s\", \"dist\": \"%s\", \"is_date\": %s, \"line\": %d, \"column\": %d}",
                factor_kind(s, i), ms_dist_kind_name(d->kind), d->is_date ? "true" : "false", d->line, d->column);
    }
    fputs(p->nfactors ? "\n  ],\n" : "],\n", f);
}

static void json_tornado(FILE *f, const ms_sens *s, int o)
{
    const ms_sens_plan *p = ms_sens_get_plan(s);
    fputs(",\n     \"tornado\": [", f);
    for (int i = 0; p->tornado_paths > 0 && i < p->nfactors; i++) {
        ms_sens_bar b;
        ms_sens_tornado(s, o, i, &b);
        fputs(i ? ",\n       {\"input\": " : "\n       {\"input\": ", f);
        ms_fmt_json_str(f, factor_key(s, i));
        const double v[8] = {b.x_lo, b.x_mid, b.x_hi, b.y_lo, b.y_mid, b.y_hi, b.swing, b.swing_se};
        static const char *const names[8] = {"x_lo", "x_mid", "x_hi", "y_lo", "y_mid", "y_hi", "swing", "swing_se"};
        for (int k = 0; k < 8; k++) {
            fprintf(f, ", \"%s\": ", names[k]);
            ms_fmt_json_num(f, v[k]);
        }
        fputc('}', f);
    }
    fputs(p->tornado_paths > 0 && p->nfactors ? "\n     ]}" : "]}", f);
}

static int json_output(FILE *f, const ms_sens *s, int o)
{
    const ms_sens_plan *p = ms_sens_get_plan(s);
    const ms_scenario *sc = ms_engine_scenario(ms_sens_engine(s));
    const ms_stat_desc *d = output_desc(s, o);
    static const struct { int dim; const char *name; } dims[4] = {
        {MS_DIM_SUPPLIER, "supplier"}, {MS_DIM_IMPORTER, "importer"}, {MS_DIM_INDUSTRY, "industry"},
        {MS_DIM_PRODUCT, "product"}};
    ms_sobol_moments mom;
    ms_sobol_index *idx = indices_of(s, o, &mom);
    if (!idx)
        return -1;
    char b[16];
    fputs(o ? ",\n    {\"metric\": " : "\n    {\"metric\": ", f);
    ms_fmt_json_str(f, ms_stat_name(d));
    for (int k = 0; k < 4; k++) {
        fprintf(f, ", \"%s\": ", dims[k].name);
        ms_fmt_json_str(f, ms_stat_entity(sc, d, dims[k].dim, b, sizeof b));
    }
    fputs(",\n     \"mean\": ", f);
    ms_fmt_json_num(f, mom.mean);
    fputs(", \"variance\": ", f);
    ms_fmt_json_num(f, mom.var);
    double sum = 0;
    for (int i = 0; i < p->nfactors; i++)
        sum += idx[i].s1;
    fputs(", \"sum_s1_inputs\": ", f);
    ms_fmt_json_num(f, sum);
    fputs(",\n     \"intrinsic\": {", f);
    json_index(f, &idx[p->nfactors]);
    fputs("},\n     \"indices\": [", f);
    for (int i = 0; i < p->nfactors; i++) {
        fputs(i ? ",\n       {\"input\": " : "\n       {\"input\": ", f);
        ms_fmt_json_str(f, factor_key(s, i));
        fputs(", ", f);
        json_index(f, &idx[i]);
        fputc('}', f);
    }
    fputs(p->nfactors ? "\n     ]" : "]", f);
    json_tornado(f, s, o);
    free(idx);
    return 0;
}

int ms_sens_json(FILE *f, const ms_sens *s, const ms_sens_info *info)
{
    const ms_sens_plan *p = ms_sens_get_plan(s);
    ms_sens_status st = ms_sens_get_status(s);
    const ms_scenario *sc = ms_engine_scenario(ms_sens_engine(s));
    fputs("{\n  \"format\": \"magsim-sensitivity\",\n  \"format_version\": 1,\n  \"magsim_version\": ", f);
    ms_fmt_json_str(f, MAGSIM_VERSION);
    fputs(",\n  \"scenario\": {\"path\": ", f);
    ms_fmt_json_str(f, info->scenario_path);
    fputs(", \"name\": ", f);
    ms_fmt_json_str(f, sc->name);
    fprintf(f, "},\n  \"run\": {\"seed\": %" PRIu64 ", \"rows_requested\": %d, \"rows_done\": %d, "
               "\"tornado_paths\": %d, \"tornado_done\": %s, \"evaluations\": %" PRIu64 ", \"partial\": %s},\n",
            p->seed, p->rows, st.rows_done, p->tornado_paths, st.tornado_done ? "true" : "false", st.evaluations,
            st.interrupted ? "true" : "false");
    fprintf(f, "  \"design\": {\"sampling\": \"saltelli\", \"points\": \"sobol-latin-supercube\", \"group_size\": %d, "
               "\"b_path_offset\": %" PRIu64 ", \"first_order\": \"saltelli2010\", \"total\": \"jansen1999\", "
               "\"bootstrap\": %d, \"level\": ",
            MS_SOBOL_GROUP, (uint64_t)MS_SENS_B_PATH, p->nboot);
    ms_fmt_json_num(f, p->level);
    fputs(", \"tornado_levels\": [", f);
    ms_fmt_json_num(f, MS_SENS_TORNADO_LO);
    fputs(", 0.5, ", f);
    ms_fmt_json_num(f, MS_SENS_TORNADO_HI);
    fputs("]},\n", f);
    json_factors(f, s);
    fputs("  \"outputs\": [", f);
    for (int o = 0; o < p->noutputs; o++)
        if (json_output(f, s, o))
            return -1;
    fputs("\n  ]\n}\n", f);
    return ferror(f) ? -1 : 0;
}

/* ---- the result directory ------------------------------------------------------------------- */

typedef struct sens_ctx {
    const ms_sens *s;
    const ms_sens_info *info;
    ms_prov_copies *copies;        /* names of the scenario copies (filled by add_copies) */
} sens_ctx;

static int render_csv(FILE *f, const void *x)
{
    const sens_ctx *t = x;
    return ms_sens_csv(f, t->s, t->info);
}

static int render_tornado(FILE *f, const void *x)
{
    const sens_ctx *t = x;
    return ms_sens_tornado_csv(f, t->s, t->info);
}

static int render_json(FILE *f, const void *x)
{
    const sens_ctx *t = x;
    return ms_sens_json(f, t->s, t->info);
}

static int render_manifest(FILE *f, const void *x, const ms_outdir *d)
{
    const sens_ctx *t = x;
    const ms_sens_plan *p = ms_sens_get_plan(t->s);
    ms_sens_status st = ms_sens_get_status(t->s);
    fputs("{\n  \"format\": \"magsim-manifest\",\n  \"format_version\": 1,\n  \"command\": \"sensitivity\",\n"
          "  \"magsim_version\": ",
          f);
    ms_fmt_json_str(f, MAGSIM_VERSION);
    fputs(",\n  \"scenario\": ", f);
    ms_prov_scenario_json(f, ms_engine_scenario(ms_sens_engine(t->s)), t->info->scenario_path, t->copies);
    fprintf(f, ",\n  \"seed\": %" PRIu64 ",\n  \"rows_requested\": %d,\n  \"rows_done\": %d,\n  \"tornado_paths\": %d,\n"
               "  \"evaluations\": %" PRIu64 ",\n  \"partial\": %s,\n",
            p->seed, p->rows, st.rows_done, p->tornado_paths, st.evaluations, st.interrupted ? "true" : "false");
    ms_prov_run run = {st.threads, st.wall_seconds, t->info->gsl_errors, t->info->command_line, 0, 0};
    ms_prov_manifest_tail(f, &run, d);
    return ferror(f) ? -1 : 0;
}

static int add_copies(ms_outdir *d, const void *x, char *err, size_t errlen)
{
    const sens_ctx *t = x;
    return ms_prov_add_sources(d, ms_engine_scenario(ms_sens_engine(t->s)), "scenario.yaml", t->copies, err, errlen);
}

int ms_sens_write_dir(const char *dir, int force, const ms_sens *s, const ms_sens_info *info, char *err,
                      size_t errlen)
{
    static const ms_prov_file files[] = {
        {"sensitivity.csv", render_csv}, {"tornado.csv", render_tornado}, {"sensitivity.json", render_json}};
    ms_prov_copies copies = {0, NULL};
    sens_ctx t = {s, info, &copies};
    int rc = ms_prov_write_dir(dir, force, files, 3, add_copies, render_manifest, &t, err, errlen);
    ms_prov_copies_free(&copies);
    return rc;
}
