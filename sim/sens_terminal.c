/*
 * sens_terminal.c - the terminal report of `magsim sensitivity`: the plan,
 * then per output the inputs ranked by total index (with the intrinsic
 * noise and the sum of first-order indices) and the largest tornado bars.
 * Fits a 100-column terminal; the files hold every input.
 */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "magsim/dist.h"
#include "magsim/sens.h"
#include "magsim/stat.h"

#ifndef MAGSIM_VERSION
#define MAGSIM_VERSION "0.0.0"
#endif

#define KEYW 51  /* width of the input column */

/* A key in KEYW columns: its end kept, "~" for what was cut from the front. */
static const char *fit_key(const char *key, char *buf, size_t len)
{
    size_t n = strlen(key);
    if (n <= KEYW)
        snprintf(buf, len, "%s", key);
    else
        snprintf(buf, len, "~%s", key + n - (KEYW - 1));
    return buf;
}

static const char *fmt_index(char *buf, size_t len, double x)
{
    if (!isfinite(x))
        snprintf(buf, len, "-");
    else
        snprintf(buf, len, "%.3f", fabs(x) < 5e-4 ? 0.0 : x);
    return buf;
}

static const char *fmt_interval(char *buf, size_t len, double lo, double hi)
{
    char a[16], b[16];
    snprintf(buf, len, "[%s,%s]", fmt_index(a, sizeof a, lo), fmt_index(b, sizeof b, hi));
    return buf;
}

/* An input's value: a date as YYYY-MM, else 4 digits. */
static const char *fmt_input(char *buf, size_t len, const ms_sens *s, const ms_dist *d, double x)
{
    if (!isfinite(x))
        snprintf(buf, len, "-");
    else if (d->is_date)
        ms_scenario_offset_label(ms_engine_scenario(ms_sens_engine(s)), x, buf, len);
    else
        snprintf(buf, len, "%.4g", x);
    return buf;
}

static const char *output_unit(const ms_sens *s, int o)
{
    const ms_stat_desc *d = ms_engine_desc(ms_sens_engine(s), ms_sens_get_plan(s)->outputs[o]);
    const ms_stat_kind *k = ms_stat_kind_of(d->is_series, d->what);
    return k ? k->unit : "";
}

static void output_title(FILE *f, const ms_sens *s, int o)
{
    static const struct { int dim; const char *name; } dims[4] = {
        {MS_DIM_SUPPLIER, "supplier"}, {MS_DIM_IMPORTER, "importer"}, {MS_DIM_INDUSTRY, "industry"},
        {MS_DIM_PRODUCT, "product"}};
    const ms_scenario *sc = ms_engine_scenario(ms_sens_engine(s));
    const ms_stat_desc *d = ms_engine_desc(ms_sens_engine(s), ms_sens_get_plan(s)->outputs[o]);
    char b[16];
    fprintf(f, "\n%s", ms_stat_name(d));
    for (int k = 0; k < 4; k++) {
        const char *e = ms_stat_entity(sc, d, dims[k].dim, b, sizeof b);
        if (e)
            fprintf(f, ", %s %s", dims[k].name, e);
    }
}

typedef struct order {
    double key;
    int i;
} order;

static int order_cmp(const void *pa, const void *pb)
{
    const order *a = pa, *b = pb;
    if (a->key != b->key)
        return a->key > b->key ? -1 : 1;
    return (a->i > b->i) - (a->i < b->i);
}

/* Factors sorted by a key, descending (NaN last). */
static order *sorted(const double *key, int d)
{
    order *r = malloc(sizeof *r * ((size_t)d + 1));
    for (int i = 0; r && i < d; i++)
        r[i] = (order){isnan(key[i]) ? -HUGE_VAL : key[i], i};
    if (r)
        qsort(r, (size_t)d, sizeof *r, order_cmp);
    return r;
}

static int ranking(FILE *f, const ms_sens *s, int o, const ms_sens_info *info)
{
    const ms_sens_plan *p = ms_sens_get_plan(s);
    int d = p->nfactors;
    ms_sobol_index *idx = malloc(sizeof *idx * ((size_t)d + 1));
    double *st = malloc(sizeof *st * ((size_t)d + 1));
    if (!idx || !st) {
        free(idx), free(st);
        return -1;
    }
    ms_sobol_moments mom;
    ms_sens_indices(s, o, idx, &mom);
    char a[48], b[48], c[48], e[48], k[64];
    const char *unit = output_unit(s, o);
    output_title(f, s, o);
    fprintf(f, ": mean %s, sd %s over the design's rows\n", ms_stat_format(a, sizeof a, unit, mom.mean, MS_FMT_VALUE),
            ms_stat_format(b, sizeof b, unit, sqrt(mom.var), MS_FMT_VALUE));
    fprintf(f, "rank %-*s %6s %-14s %6s %s\n", KEYW, "input", "S1", "interval", "ST", "interval");
    double sum = 0;
    for (int i = 0; i < d; i++)
        st[i] = idx[i].st, sum += isfinite(idx[i].s1) ? idx[i].s1 : 0;
    order *r = sorted(st, d);
    int shown = d < info->top ? d : info->top;
    for (int j = 0; r && j < shown; j++) {
        const ms_sobol_index *x = &idx[r[j].i];
        const char *key = ms_engine_input(ms_sens_engine(s), p->factors[r[j].i])->key;
        fprintf(f, "%4d %-*s %6s %-14s %6s %s\n", j + 1, KEYW, fit_key(key ? key : "?", k, sizeof k),
                fmt_index(a, sizeof a, x->s1), fmt_interval(b, sizeof b, x->s1_lo, x->s1_hi),
                fmt_index(c, sizeof c, x->st), fmt_interval(e, sizeof e, x->st_lo, x->st_hi));
    }
    const ms_sobol_index *w = &idx[d];
    fprintf(f, "     %-*s %6s %-14s %6s %s\n", KEYW, "(intrinsic: outages, regimes, licence noise)",
            fmt_index(a, sizeof a, w->s1), fmt_interval(b, sizeof b, w->s1_lo, w->s1_hi), fmt_index(c, sizeof c, w->st),
            fmt_interval(e, sizeof e, w->st_lo, w->st_hi));
    fprintf(f, "  sum of S1 over the inputs %s", fmt_index(a, sizeof a, sum));
    if (d > shown)
        fprintf(f, "; %d more input%s, ST at most %s (sensitivity.csv lists all)", d - shown, d - shown == 1 ? "" : "s",
                fmt_index(b, sizeof b, r ? r[shown].key : NAN));
    fputc('\n', f);
    free(r), free(idx), free(st);
    return 0;
}

static int tornado(FILE *f, const ms_sens *s, int o, const ms_sens_info *info)
{
    const ms_sens_plan *p = ms_sens_get_plan(s);
    int d = p->nfactors;
    double *sw = malloc(sizeof *sw * ((size_t)d + 1));
    if (!sw)
        return -1;
    ms_sens_bar bar;
    for (int i = 0; i < d; i++) {
        ms_sens_tornado(s, o, i, &bar);
        sw[i] = fabs(bar.swing);
    }
    order *r = sorted(sw, d);
    const char *unit = output_unit(s, o);
    char a[48], b[48], c[48], e[48], g[48], k[64];
    fprintf(f, "\ntornado: each input at its 5th / 95th percentile, the others at their median (%d paths each;\n"
               "all at the median: %s)\n",
            p->tornado_paths, ms_stat_format(a, sizeof a, unit, bar.y_mid, MS_FMT_VALUE));
    fprintf(f, "     %-*s %7s %7s %8s %8s %8s\n", KEYW, "input", "at 5%", "at 95%", "output", "output", "swing");
    int shown = d < info->top ? d : info->top;
    for (int j = 0; r && j < shown; j++) {
        const ms_dist *dist = ms_engine_input(ms_sens_engine(s), p->factors[r[j].i]);
        ms_sens_tornado(s, o, r[j].i, &bar);
        fprintf(f, "%4d %-*s %7s %7s %8s %8s %8s\n", j + 1, KEYW, fit_key(dist->key ? dist->key : "?", k, sizeof k),
                fmt_input(a, sizeof a, s, dist, bar.x_lo), fmt_input(b, sizeof b, s, dist, bar.x_hi),
                ms_stat_format(c, sizeof c, unit, bar.y_lo, MS_FMT_VALUE),
                ms_stat_format(e, sizeof e, unit, bar.y_hi, MS_FMT_VALUE),
                ms_stat_format(g, sizeof g, unit, bar.swing, MS_FMT_DIFF));
    }
    free(r), free(sw);
    return 0;
}

static void header(FILE *f, const ms_sens *s)
{
    const ms_sens_plan *p = ms_sens_get_plan(s);
    ms_sens_status st = ms_sens_get_status(s);
    const ms_engine *e = ms_sens_engine(s);
    const ms_scenario *sc = ms_engine_scenario(e);
    fprintf(f, "magsim %s  sensitivity  %.70s\n", MAGSIM_VERSION, sc->name ? sc->name : "");
    fprintf(f, "  factors    %d uncertain input%s (of %d inputs); the rest is intrinsic noise\n", p->nfactors,
            p->nfactors == 1 ? "" : "s", ms_engine_ninputs(e));
    fprintf(f, "  design     %d of %d Saltelli rows x %d evaluations (Sobol' points, groups of %d inputs)",
            st.rows_done, p->rows, p->nfactors + 3, MS_SOBOL_GROUP);
    if (p->tornado_paths > 0)
        fprintf(f, ",\n             tornado %d settings x %d paths", 2 * p->nfactors + 1, p->tornado_paths);
    fprintf(f, "%s\n", st.interrupted ? " (interrupted: partial result)" : "");
    fprintf(f, "  run        %" PRIu64 " model evaluations in %.2f s, %d thread%s, seed %" PRIu64 "\n", st.evaluations,
            st.wall_seconds, st.threads, st.threads == 1 ? "" : "s", p->seed);
    fprintf(f, "  intervals  %.3g%% bootstrap percentile intervals, %d resamples of the rows\n", 100 * p->level,
            p->nboot);
}

int ms_sens_terminal(FILE *f, const ms_sens *s, const ms_sens_info *info)
{
    const ms_sens_plan *p = ms_sens_get_plan(s);
    header(f, s);
    for (int o = 0; o < p->noutputs; o++) {
        if (ranking(f, s, o, info))
            return -1;
        if (p->tornado_paths > 0 && tornado(f, s, o, info))
            return -1;
    }
    fputs("\n  S1: share of the output's variance due to the input alone; ST: including its interactions;\n"
          "  intrinsic: what is drawn per path and not analysed.  docs/analysis.md explains both.\n",
          f);
    return ferror(f) ? -1 : 0;
}
