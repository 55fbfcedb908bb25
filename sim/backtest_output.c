/*
 * backtest_output.c - what a backtest leaves behind (magsim/backtest.h):
 * backtest.csv, backtest.json, the copy of the observations file, and the
 * terminal table.
 *
 * The files hold only what the scores and the observations determine
 * (never threads, wall time or host: manifest.json records those), written
 * through ms_fmt_* so numbers read back exactly and a NaN is an empty CSV
 * field or a JSON null.  The CSV's first 15 columns are those the report
 * reads (docs/report.md); the terminal table fits 100 columns for the
 * usual names.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "magsim/backtest.h"
#include "magsim/chart.h"
#include "magsim/fmt.h"
#include "magsim/outdir.h"
#include "magsim/prov.h"

#ifndef MAGSIM_VERSION
#define MAGSIM_VERSION "0.0.0"
#endif

#define QUANTILE_DEFINITION "the smallest simulated value x with F(x) >= p (inverse empirical CDF over the paths)"

static const ms_scenario *scenario_of(const ms_backtest *b)
{
    return ms_engine_scenario(b->e);
}

int ms_backtest_check_failed(const ms_backtest *b, const ms_backtest_info *info)
{
    return isfinite(info->require_coverage) && !(b->summary.coverage90 >= info->require_coverage);
}

/* ---- backtest.csv ---------------------------------------------------------------------- */

static const char csv_header[] = "series,supplier,importer,product,month,observed,sim_q05,sim_q25,sim_q50,sim_q75,"
                                 "sim_q95,pit,in50,in90,crps,rel_err_median,source\n";

int ms_backtest_csv(FILE *f, const ms_backtest *b)
{
    const ms_scenario *s = scenario_of(b);
    fputs(csv_header, f);
    for (int k = 0; k < b->o->n; k++) {
        const ms_obs *ob = &b->o->obs[k];
        const ms_bt_score *sc = &b->score[k];
        char mon[16];
        ms_scenario_month_label(s, ob->month, mon, sizeof mon);
        ms_fmt_csv_str(f, ms_series_name(ob->what));
        for (int d = 0; d < MS_OBS_NDIMS; d++) {
            fputc(',', f);
            ms_fmt_csv_str(f, ms_observed_entity(s, ob, d));
        }
        fprintf(f, ",%s,", mon);
        ms_fmt_csv_num(f, ob->value);
        for (int q = 0; q < MS_BT_NQ; q++) {
            fputc(',', f);
            ms_fmt_csv_num(f, sc->q[q]);
        }
        fputc(',', f);
        ms_fmt_csv_num(f, sc->pit);
        fprintf(f, ",%d,%d,", sc->in50, sc->in90);
        ms_fmt_csv_num(f, sc->crps);
        fputc(',', f);
        ms_fmt_csv_num(f, sc->rel_err);
        fputc(',', f);
        ms_fmt_csv_str(f, ob->source);
        fputc('\n', f);
    }
    return ferror(f) ? -1 : 0;
}

/* ---- backtest.json --------------------------------------------------------------------- */

static void json_member_num(FILE *f, const char *sep, const char *key, double x)
{
    fprintf(f, "%s\"%s\": ", sep, key);
    ms_fmt_json_num(f, x);
}

static void json_observation(FILE *f, const ms_backtest *b, int k)
{
    const ms_scenario *s = scenario_of(b);
    const ms_obs *ob = &b->o->obs[k];
    const ms_bt_score *sc = &b->score[k];
    static const char *const keys[MS_OBS_NDIMS] = {"supplier", "importer", "product"};
    char mon[16];
    ms_scenario_month_label(s, ob->month, mon, sizeof mon);
    fprintf(f, "    {\"line\": %d, \"series\": ", ob->line);
    ms_fmt_json_str(f, ms_series_name(ob->what));
    for (int d = 0; d < MS_OBS_NDIMS; d++) {
        fprintf(f, ", \"%s\": ", keys[d]);
        ms_fmt_json_str(f, ms_observed_entity(s, ob, d));
    }
    fprintf(f, ", \"month\": \"%s\", \"statistics_summed\": %d", mon, ob->nparts);
    json_member_num(f, ", ", "observed", ob->value);
    fputs(", \"source\": ", f);
    ms_fmt_json_str(f, ob->source);
    fprintf(f, ",\n     \"paths\": %" PRIu64 ", \"sim\": {", sc->n);
    for (int q = 0; q < MS_BT_NQ; q++) {
        char key[8];
        snprintf(key, sizeof key, "q%02d", ms_backtest_percent[q]);
        json_member_num(f, q ? ", " : "", key, sc->q[q]);
    }
    fputs("}", f);
    json_member_num(f, ", ", "pit", sc->pit);
    fprintf(f, ", \"below\": %" PRIu64 ", \"equal\": %" PRIu64 ", \"in50\": %s, \"in90\": %s", sc->below, sc->equal,
            sc->in50 ? "true" : "false", sc->in90 ? "true" : "false");
    json_member_num(f, ", ", "rel_err_median", sc->rel_err);
    json_member_num(f, ", ", "crps", sc->crps);
    fputs("}", f);
}

static void json_summary(FILE *f, const ms_backtest *b, const ms_backtest_info *info)
{
    const ms_bt_summary *m = &b->summary;
    fprintf(f, "  \"summary\": {\"observations\": %d, \"in50\": %d, \"in90\": %d", m->n, m->hits50, m->hits90);
    json_member_num(f, ", ", "coverage50", m->coverage50);
    json_member_num(f, ", ", "coverage90", m->coverage90);
    json_member_num(f, ",\n              ", "binomial_p50", m->binom_p50);
    json_member_num(f, ", ", "binomial_p90", m->binom_p90);
    fprintf(f, ", \"with_rel_err\": %d", m->nrel);
    json_member_num(f, ", ", "median_abs_rel_err", m->median_abs_rel_err);
    json_member_num(f, ", ", "mean_crps", m->mean_crps);
    fputs(",\n              \"pit\": [", f);
    for (int k = 0; k < b->o->n; k++) {
        fputs(k ? ", " : "", f);
        ms_fmt_json_num(f, b->score[k].pit);
    }
    fputs("],\n              \"pit_tenths\": [", f);
    for (int k = 0; k < 10; k++)
        fprintf(f, "%s%d", k ? ", " : "", m->pit_tenths[k]);
    fputs("]", f);
    json_member_num(f, ",\n              ", "require_coverage", info->require_coverage);
    fprintf(f, ", \"coverage_check\": %s}\n",
            !isfinite(info->require_coverage) ? "null" : ms_backtest_check_failed(b, info) ? "\"failed\"" : "\"passed\"");
}

int ms_backtest_json(FILE *f, const ms_backtest *b, const ms_backtest_info *info)
{
    const ms_scenario *s = scenario_of(b);
    const ms_observed *o = b->o;
    fputs("{\n  \"format\": \"magsim-backtest\",\n  \"format_version\": 1,\n  \"magsim_version\": ", f);
    ms_fmt_json_str(f, MAGSIM_VERSION);
    fputs(",\n  \"scenario\": {\"path\": ", f);
    ms_fmt_json_str(f, info->scenario_path ? info->scenario_path : s->path);
    fputs(", \"name\": ", f);
    ms_fmt_json_str(f, s->name);
    fputs("},\n  \"observed\": {\"path\": ", f);
    ms_fmt_json_str(f, o->path);
    fprintf(f, ", \"bytes\": %zu, \"sha256\": \"%s\", \"copy\": \"observed.csv\"},\n", o->bytes, o->sha256);
    fprintf(f, "  \"seed\": %" PRIu64 ",\n  \"first_path\": %" PRIu64 ",\n  \"paths_requested\": %" PRIu64
               ",\n  \"paths_done\": %" PRIu64 ",\n  \"partial\": %s,\n",
            info->seed, b->first, b->paths, b->paths_done, b->paths_done < b->paths ? "true" : "false");
    fputs("  \"quantile_definition\": \"" QUANTILE_DEFINITION "\",\n  \"observations\": [\n", f);
    for (int k = 0; k < o->n; k++) {
        json_observation(f, b, k);
        fputs(k + 1 < o->n ? ",\n" : "\n", f);
    }
    fputs("  ],\n", f);
    json_summary(f, b, info);
    fputs("}\n", f);
    return ferror(f) ? -1 : 0;
}

/* ---- the terminal ------------------------------------------------------------------------ */

/* A value for the table: thousands separated from 999.5 up, else 3 significant digits; "-" for NaN. */
static const char *fmt_value(char *buf, size_t len, double x)
{
    if (!isfinite(x))
        snprintf(buf, len, "-");
    else if (fabs(x) >= 999.5)
        ms_chart_tick_label(round(x), 1, MS_AXIS_NUMBER, buf, len);
    else
        snprintf(buf, len, "%.3g", x);
    return buf;
}

static const char *fmt_share(char *buf, size_t len, double x)
{
    if (!isfinite(x))
        snprintf(buf, len, "-");
    else
        snprintf(buf, len, "%.0f%%", 100 * x);
    return buf;
}

/* Widths of the name columns: series, supplier, importer, product. */
static void name_widths(const ms_backtest *b, int w[4])
{
    static const char *const head[4] = {"series", "supplier", "importer", "product"};
    const ms_scenario *s = scenario_of(b);
    for (int c = 0; c < 4; c++)
        w[c] = (int)strlen(head[c]);
    for (int k = 0; k < b->o->n; k++) {
        const ms_obs *ob = &b->o->obs[k];
        int l = (int)strlen(ms_series_name(ob->what));
        w[0] = l > w[0] ? l : w[0];
        for (int d = 0; d < MS_OBS_NDIMS; d++) {
            l = (int)strlen(ms_observed_entity(s, ob, d));
            w[d + 1] = l > w[d + 1] ? l : w[d + 1];
        }
    }
}

static void terminal_header(FILE *f, const ms_backtest *b, const ms_backtest_info *info)
{
    const ms_scenario *s = scenario_of(b);
    char a[16], z[16];
    ms_scenario_month_label(s, 0, a, sizeof a);
    ms_scenario_month_label(s, s->months - 1, z, sizeof z);
    fprintf(f, "magsim %s  backtest  %s\n", MAGSIM_VERSION, s->name);
    fprintf(f, "  observed   %s: %d observation%s, sha256 %.12s\n", b->o->path, b->o->n, b->o->n == 1 ? "" : "s",
            b->o->sha256);
    fprintf(f, "  horizon    %s to %s (%d months)   seed %" PRIu64 "\n", a, z, s->months, info->seed);
    fprintf(f, "  paths      %" PRIu64 " of %" PRIu64 "%s   threads %d   wall %.2f s\n", b->paths_done, b->paths,
            b->paths_done < b->paths ? " (PARTIAL: interrupted)" : "", info->threads, info->wall_seconds);
    fputs("  simulated  exact distribution over the paths; quantile p: the smallest x with F(x) >= p\n\n", f);
}

static void terminal_rows(FILE *f, const ms_backtest *b)
{
    const ms_scenario *s = scenario_of(b);
    int w[4];
    name_widths(b, w);
    fputs("Observed against simulated (PIT: share of paths below the observed value, ties half)\n", f);
    fprintf(f, "%-*s %-*s %-*s %-*s %-7s %10s %10s %23s %5s %3s %3s\n", w[0], "series", w[1], "supplier", w[2],
            "importer", w[3], "product", "month", "observed", "median", "90% band (q05 - q95)", "PIT", "50%", "90%");
    for (int k = 0; k < b->o->n; k++) {
        const ms_obs *ob = &b->o->obs[k];
        const ms_bt_score *sc = &b->score[k];
        char mon[16], y[32], med[32], lo[32], hi[32], band[80], pit[16];
        ms_scenario_month_label(s, ob->month, mon, sizeof mon);
        if (isfinite(sc->pit))
            snprintf(pit, sizeof pit, "%.3f", sc->pit);
        else
            snprintf(pit, sizeof pit, "-");
        snprintf(band, sizeof band, "%s - %s", fmt_value(lo, sizeof lo, sc->q[MS_BT_Q05]),
                 fmt_value(hi, sizeof hi, sc->q[MS_BT_Q95]));
        fprintf(f, "%-*s %-*s %-*s %-*s %-7s %10s %10s %23s %5s %3s %3s\n", w[0], ms_series_name(ob->what), w[1],
                ms_observed_entity(s, ob, 0), w[2], ms_observed_entity(s, ob, 1), w[3], ms_observed_entity(s, ob, 2),
                mon, fmt_value(y, sizeof y, ob->value), fmt_value(med, sizeof med, sc->q[MS_BT_Q50]), band, pit,
                sc->in50 ? "yes" : "no", sc->in90 ? "yes" : "no");
    }
}

static void terminal_summary(FILE *f, const ms_backtest *b, const ms_backtest_info *info)
{
    const ms_bt_summary *m = &b->summary;
    char c1[16], c2[16], r[16], crps[32];
    fprintf(f, "\nSummary over %d observation%s\n", m->n, m->n == 1 ? "" : "s");
    fprintf(f, "  90%% band covers  %d of %d (%s)   a calibrated band covers 90%%; P(at most %d of %d) = %.3g\n",
            m->hits90, m->n, fmt_share(c1, sizeof c1, m->coverage90), m->hits90, m->n, m->binom_p90);
    fprintf(f, "  50%% band covers  %d of %d (%s)   a calibrated band covers 50%%; P(at most %d of %d) = %.3g\n",
            m->hits50, m->n, fmt_share(c2, sizeof c2, m->coverage50), m->hits50, m->n, m->binom_p50);
    fprintf(f, "  median |relative error| of the simulated median  %s (%d observation%s above 0)\n",
            isfinite(m->median_abs_rel_err) ? (snprintf(r, sizeof r, "%.1f%%", 100 * m->median_abs_rel_err), r) : "-",
            m->nrel, m->nrel == 1 ? "" : "s");
    fprintf(f, "  mean CRPS        %s (in the series' unit; 0 for a forecast certain and right)\n",
            fmt_value(crps, sizeof crps, m->mean_crps));
    fputs("  PIT by tenth     ", f);
    for (int k = 0; k < 10; k++)
        fprintf(f, "%d%s", m->pit_tenths[k], k < 9 ? " " : "   (calibrated: about equal counts)\n");
    if (isfinite(info->require_coverage))
        fprintf(f, "  coverage check   90%% band coverage %s %s --require-coverage %g: %s\n", c1,
                ms_backtest_check_failed(b, info) ? "is below" : "meets", info->require_coverage,
                ms_backtest_check_failed(b, info) ? "FAILED" : "passed");
}

int ms_backtest_terminal(FILE *f, const ms_backtest *b, const ms_backtest_info *info)
{
    terminal_header(f, b, info);
    terminal_rows(f, b);
    terminal_summary(f, b, info);
    return ferror(f) ? -1 : 0;
}

/* ---- the result directory ------------------------------------------------------------------ */

typedef struct bt_render {
    const ms_backtest *b;
    const ms_backtest_info *info;
} bt_render;

static int render_csv(FILE *f, const void *ctx)
{
    return ms_backtest_csv(f, ((const bt_render *)ctx)->b);
}

static int render_json(FILE *f, const void *ctx)
{
    const bt_render *r = ctx;
    return ms_backtest_json(f, r->b, r->info);
}

int ms_backtest_add_files(ms_outdir *d, const ms_backtest *b, const ms_backtest_info *info, char *err, size_t errlen)
{
    bt_render r = {b, info};
    int rc = ms_prov_add_rendered(d, "backtest.csv", render_csv, &r, err, errlen);
    if (rc == MS_OUTDIR_OK)
        rc = ms_prov_add_rendered(d, "backtest.json", render_json, &r, err, errlen);
    if (rc == MS_OUTDIR_OK)
        rc = ms_outdir_add(d, "observed.csv", b->o->text, b->o->bytes, err, errlen);
    return rc;
}
