/*
 * resultdir.c - a result directory read back from its files
 * (magsim/resultdir.h).
 *
 * Loading is a sequence of checks that each add a line to an error list and
 * go on where they can, so one call reports everything wrong with DIR:
 * manifest.json (format, version), summary.csv and timeseries.csv (headers,
 * rows), backtest.csv when present.  timeseries.csv is indexed in two
 * passes: the first finds the series (rows of one key are consecutive in a
 * magsim file; a key met again later joins its series all the same), their
 * month ranges and the statistic names; the second fills the values.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "magsim/fmt.h"
#include "magsim/resultdir.h"
#include "fileio.h"

#ifndef MAGSIM_VERSION
#define MAGSIM_VERSION "0.0.0"
#endif

#define RD_MAX_FILE ((size_t)1 << 34)   /* 16 GiB: larger is not a file magsim wrote */
#define RD_MAX_ERRORS 20                /* error lines listed; the rest are counted */
#define RD_MAX_MONTHS 12000             /* a series longer than 1000 years is malformed */

static const char *const rf_names[MS_RF_N] = {"manifest.json", "summary.csv", "timeseries.csv", "backtest.csv"};
static const char *const ts_header[] = {"series", "supplier", "importer", "industry", "product", "month", "stat",
                                        "value"};
static const char *const bt_columns[] = {"series", "supplier", "importer", "product", "month", "observed",
                                         "sim_q05", "sim_q25", "sim_q50", "sim_q75", "sim_q95", "pit", "in50",
                                         "in90", "crps"};

/* The error list: lines appended to a caller's buffer. */
typedef struct rd_errs {
    char *buf;
    size_t len;
    int n;               /* errors found */
} rd_errs;

static void adderr(rd_errs *e, const char *fmt, ...)
{
    e->n++;
    if (e->n > RD_MAX_ERRORS)
        return;
    size_t used = strlen(e->buf);
    if (used + 2 >= e->len)
        return;
    if (used) {
        e->buf[used++] = '\n';
        e->buf[used] = '\0';
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->buf + used, e->len - used, fmt, ap);
    va_end(ap);
}

int ms_resultdir_parse_month(const char *s)
{
    if (strlen(s) != 7 || s[4] != '-')
        return -1;
    for (int i = 0; i < 7; i++)
        if (i != 4 && (s[i] < '0' || s[i] > '9'))
            return -1;
    int y = atoi(s), m = atoi(s + 5);
    if (m < 1 || m > 12)
        return -1;
    return y * 12 + m - 1;
}

void ms_resultdir_month_label(int month, char *buf, size_t len)
{
    snprintf(buf, len, "%04d-%02d", month / 12, month % 12 + 1);
}

/* Read DIR/NAME into memory and record its hash; NULL when absent or unreadable. */
static char *read_input(ms_resultdir *rd, const char *dir, int which, size_t *len, rd_errs *e, int optional)
{
    size_t plen = strlen(dir) + 32;
    char *path = malloc(plen);
    if (!path)
        return NULL;
    snprintf(path, plen, "%s/%s", dir, rf_names[which]);
    int err = 0;
    char *buf = ms_read_file(path, RD_MAX_FILE, len, &err);
    if (!buf && !(optional && err == ENOENT))
        adderr(e, "%s: %s", path, err == ENOENT ? "missing (a magsim result has it)" : strerror(err));
    free(path);
    ms_rfile *f = &rd->files[which];
    f->name = rf_names[which];
    if (buf) {
        f->present = 1;
        f->bytes = *len;
        ms_fmt_sha256_hex(buf, *len, f->sha256);
    }
    return buf;
}

/* "X.Y.Z" -> X * 1000 + Y; -1 when malformed. */
static int major_minor(const char *v)
{
    char *end;
    long x = strtol(v, &end, 10);
    if (end == v || *end != '.')
        return -1;
    const char *p = end + 1;
    long y = strtol(p, &end, 10);
    if (end == p || x < 0 || x >= 1000000 || y < 0 || y >= 1000)
        return -1;
    return (int)(x * 1000 + y);
}

static void check_manifest_format(ms_resultdir *rd, const char *dir, rd_errs *e)
{
    const ms_json *m = rd->manifest;
    const char *fmt = ms_json_str(m, "format");
    double fv = 0;
    if (!fmt || strcmp(fmt, "magsim-manifest")) {
        adderr(e, "%s/manifest.json: \"format\" is %s%s%s, expected \"magsim-manifest\"%s", dir, fmt ? "\"" : "",
               fmt ? fmt : "missing", fmt ? "\"" : "",
               fmt && !strcmp(fmt, "magsim-report") ? " (this is a report directory, not a result)" : "");
        return;
    }
    if (ms_json_num(m, "format_version", &fv) || fv != 1)
        adderr(e, "%s/manifest.json: \"format_version\" is %s, expected 1 (this magsim %s reads format 1)", dir,
               ms_json_get(m, "format_version") && ms_json_get(m, "format_version")->str
                   ? ms_json_get(m, "format_version")->str : "missing or not a number",
               MAGSIM_VERSION);
    rd->version = ms_json_str(m, "magsim_version");
    if (!rd->version || major_minor(rd->version) < 0)
        adderr(e, "%s/manifest.json: \"magsim_version\" is %s, expected a version such as \"%s\"", dir,
               rd->version ? rd->version : "missing", MAGSIM_VERSION);
    else if (major_minor(rd->version) != major_minor(MAGSIM_VERSION))
        adderr(e, "%s: written by magsim %s; this magsim %s reads results of the same major.minor version", dir,
               rd->version, MAGSIM_VERSION);
}

static void read_manifest_fields(ms_resultdir *rd, const char *dir, rd_errs *e)
{
    const ms_json *m = rd->manifest, *sc = ms_json_get(m, "scenario"), *seed = ms_json_get(m, "seed");
    rd->scenario_name = ms_json_str(sc, "name");
    rd->scenario_path = ms_json_str(sc, "path");
    rd->scenario_sha = ms_json_str(sc, "sha256");
    rd->written_utc = ms_json_str(m, "written_utc");
    rd->seed = seed && seed->type == MS_JSON_NUMBER ? seed->str : NULL;
    int partial = ms_json_bool(m, "partial"), series = ms_json_bool(m, "series");
    if (!rd->scenario_name || !rd->seed || partial < 0 || series < 0 ||
        ms_json_num(m, "paths_requested", &rd->paths_requested) || ms_json_num(m, "paths_done", &rd->paths_done))
        adderr(e, "%s/manifest.json: expected scenario.name, seed, paths_requested, paths_done, partial and "
                  "series (docs/outputs.md); some are missing or of the wrong type", dir);
    rd->partial = partial == 1;
    rd->has_series = series == 1;
}

static void load_manifest(ms_resultdir *rd, const char *dir, rd_errs *e)
{
    size_t len;
    char *buf = read_input(rd, dir, MS_RF_MANIFEST, &len, e, 0);
    if (!buf)
        return;
    char msg[512], name[4096];
    snprintf(name, sizeof name, "%s/manifest.json", dir);
    rd->manifest = ms_json_parse(name, buf, len, msg, sizeof msg);
    free(buf);
    if (!rd->manifest) {
        adderr(e, "%s (not a magsim manifest)", msg);
        return;
    }
    check_manifest_format(rd, dir, e);
    read_manifest_fields(rd, dir, e);
}

static ms_csv *load_csv(ms_resultdir *rd, const char *dir, int which, rd_errs *e, int optional)
{
    size_t len;
    char *buf = read_input(rd, dir, which, &len, e, optional);
    if (!buf)
        return NULL;
    char msg[512], name[4096];
    snprintf(name, sizeof name, "%s/%s", dir, rf_names[which]);
    ms_csv *c = ms_csv_parse(name, buf, len, msg, sizeof msg);
    free(buf);
    if (!c)
        adderr(e, "%s", msg);
    return c;
}

static void check_summary_header(ms_resultdir *rd, const char *dir, rd_errs *e)
{
    static const char *const first[] = {"metric", "importer", "industry", "product", "mean", "sd", "se"};
    const ms_csv *c = rd->summary;
    int ok = c->ncols >= 9;
    for (int k = 0; ok && k < 7; k++)
        ok = !strcmp(c->cell[k], first[k]);
    ok = ok && !strcmp(c->cell[c->ncols - 2], "p_pos") && !strcmp(c->cell[c->ncols - 1], "cvar95");
    if (!ok)
        adderr(e, "%s/summary.csv: header is not metric,importer,industry,product,mean,sd,se,q...,p_pos,cvar95",
               dir);
    rd->sc_metric = 0, rd->sc_importer = 1, rd->sc_industry = 2, rd->sc_product = 3;
}

static int stat_index(ms_resultdir *rd, const char *name)
{
    for (int k = 0; k < rd->nstats; k++)
        if (!strcmp(rd->stat[k], name))
            return k;
    if (rd->nstats == MS_RD_MAX_STATS)
        return -1;
    rd->stat[rd->nstats] = name;
    return rd->nstats++;
}

static int same_key(const ms_csv *c, int r, const char *const *key)
{
    for (int k = 0; k < 5; k++)
        if (strcmp(ms_csv_get(c, r, k), key[k]))
            return 0;
    return 1;
}

/* Pass 1: the series of each row (sid[r]), month ranges, statistic names. */
static int index_series(ms_resultdir *rd, int *sid, int *mlo, int *mhi, const char *dir, rd_errs *e)
{
    const ms_csv *c = rd->timeseries;
    int cur = -1;
    for (int r = 0; r < c->nrows; r++) {
        if (cur < 0 || !same_key(c, r, rd->series[cur].key)) {
            cur = -1;
            for (int s = rd->nseries - 1; s >= 0 && cur < 0; s--)
                if (same_key(c, r, rd->series[s].key))
                    cur = s;
            if (cur < 0) {
                cur = rd->nseries++;
                for (int k = 0; k < 5; k++)
                    rd->series[cur].key[k] = ms_csv_get(c, r, k);
                mlo[cur] = 1 << 30, mhi[cur] = -1;
            }
        }
        sid[r] = cur;
        int m = ms_resultdir_parse_month(ms_csv_get(c, r, 5));
        if (m < 0)
            adderr(e, "%s/timeseries.csv:%d: month \"%s\" is not YYYY-MM", dir, c->line[r + 1], ms_csv_get(c, r, 5));
        else {
            mlo[cur] = m < mlo[cur] ? m : mlo[cur];
            mhi[cur] = m > mhi[cur] ? m : mhi[cur];
        }
        if (stat_index(rd, ms_csv_get(c, r, 6)) < 0)
            adderr(e, "%s/timeseries.csv:%d: more than %d statistics", dir, c->line[r + 1], MS_RD_MAX_STATS);
    }
    for (int s = 0; s < rd->nseries; s++)
        if (mhi[s] >= 0 && mhi[s] - mlo[s] >= RD_MAX_MONTHS)
            adderr(e, "%s/timeseries.csv: series %s spans more than %d months", dir, rd->series[s].key[0],
                   RD_MAX_MONTHS);
    return e->n ? -1 : 0;
}

/* Pass 2: allocate each series' values and fill them from the rows. */
static int fill_series(ms_resultdir *rd, const int *sid, const int *mlo, const int *mhi, const char *dir,
                       rd_errs *e)
{
    const ms_csv *c = rd->timeseries;
    for (int s = 0; s < rd->nseries; s++) {
        ms_rseries *sr = &rd->series[s];
        sr->month0 = mhi[s] >= 0 ? mlo[s] : 0;
        sr->nmonths = mhi[s] >= 0 ? mhi[s] - mlo[s] + 1 : 0;
        size_t n = (size_t)rd->nstats * (size_t)sr->nmonths;
        if (!(sr->v = malloc((n ? n : 1) * sizeof *sr->v)))
            return -1;
        for (size_t i = 0; i < n; i++)
            sr->v[i] = NAN;
    }
    for (int r = 0; r < c->nrows; r++) {
        ms_rseries *sr = &rd->series[sid[r]];
        int m = ms_resultdir_parse_month(ms_csv_get(c, r, 5)) - sr->month0;
        int st = stat_index(rd, ms_csv_get(c, r, 6));
        double x;
        if (ms_csv_num(ms_csv_get(c, r, 7), &x))
            adderr(e, "%s/timeseries.csv:%d: value \"%s\" is not a number", dir, c->line[r + 1],
                   ms_csv_get(c, r, 7));
        else
            sr->v[(size_t)st * (size_t)sr->nmonths + (size_t)m] = x;
    }
    return 0;
}

static int load_timeseries(ms_resultdir *rd, const char *dir, rd_errs *e)
{
    const ms_csv *c = rd->timeseries;
    int ok = c->ncols == 8;
    for (int k = 0; ok && k < 8; k++)
        ok = !strcmp(c->cell[k], ts_header[k]);
    if (!ok) {
        adderr(e, "%s/timeseries.csv: header is not series,supplier,importer,industry,product,month,stat,value", dir);
        return 0;
    }
    size_t n = (size_t)c->nrows ? (size_t)c->nrows : 1;
    int *sid = malloc(n * sizeof *sid), *mlo = malloc(n * sizeof *mlo), *mhi = malloc(n * sizeof *mhi);
    rd->series = calloc(n, sizeof *rd->series);
    int rc = -1;
    if (sid && mlo && mhi && rd->series) {
        rc = 0;
        if (index_series(rd, sid, mlo, mhi, dir, e) == 0)
            rc = fill_series(rd, sid, mlo, mhi, dir, e);
    }
    free(sid);
    free(mlo);
    free(mhi);
    return rc;
}

static void check_backtest(ms_resultdir *rd, const char *dir, rd_errs *e)
{
    for (size_t k = 0; k < sizeof bt_columns / sizeof bt_columns[0]; k++)
        if (ms_csv_col(rd->backtest, bt_columns[k]) < 0)
            adderr(e, "%s/backtest.csv: no column \"%s\" (docs/report.md lists the columns)", dir, bt_columns[k]);
    int cm = ms_csv_col(rd->backtest, "month"), co = ms_csv_col(rd->backtest, "observed");
    for (int r = 0; cm >= 0 && co >= 0 && r < rd->backtest->nrows; r++) {
        double x;
        if (ms_resultdir_parse_month(ms_csv_get(rd->backtest, r, cm)) < 0)
            adderr(e, "%s/backtest.csv:%d: month \"%s\" is not YYYY-MM", dir, rd->backtest->line[r + 1],
                   ms_csv_get(rd->backtest, r, cm));
        if (ms_csv_num(ms_csv_get(rd->backtest, r, co), &x))
            adderr(e, "%s/backtest.csv:%d: observed \"%s\" is not a number", dir, rd->backtest->line[r + 1],
                   ms_csv_get(rd->backtest, r, co));
    }
}

ms_resultdir *ms_resultdir_load(const char *dir, char *err, size_t errlen, int *invalid)
{
    *invalid = 1;
    err[0] = '\0';
    rd_errs e = {.buf = err, .len = errlen};
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "%s: %s", dir, stat(dir, &st) != 0 ? strerror(errno) : "not a directory");
        return NULL;
    }
    ms_resultdir *rd = calloc(1, sizeof *rd);
    if (!rd) {
        *invalid = 0;
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    for (int k = 0; k < MS_RF_N; k++)
        rd->files[k].name = rf_names[k];
    load_manifest(rd, dir, &e);
    if ((rd->summary = load_csv(rd, dir, MS_RF_SUMMARY, &e, 0)))
        check_summary_header(rd, dir, &e);
    if ((rd->timeseries = load_csv(rd, dir, MS_RF_TIMESERIES, &e, 0)) && load_timeseries(rd, dir, &e)) {
        *invalid = 0;
        adderr(&e, "out of memory");
    }
    if ((rd->backtest = load_csv(rd, dir, MS_RF_BACKTEST, &e, 1)))
        check_backtest(rd, dir, &e);
    if (e.n > RD_MAX_ERRORS) {
        size_t used = strlen(err);
        snprintf(err + used, errlen - used, "\n(%d more problems not listed)", e.n - RD_MAX_ERRORS);
    }
    if (e.n) {
        ms_resultdir_free(rd);
        return NULL;
    }
    rd->has_series = rd->has_series && rd->nseries > 0;
    *invalid = 0;
    return rd;
}

void ms_resultdir_free(ms_resultdir *rd)
{
    if (!rd)
        return;
    for (int s = 0; s < rd->nseries; s++)
        free(rd->series[s].v);
    free(rd->series);
    ms_json_free(rd->manifest);
    ms_csv_free(rd->summary);
    ms_csv_free(rd->timeseries);
    ms_csv_free(rd->backtest);
    free(rd);
}

int ms_resultdir_stat(const ms_resultdir *rd, const char *name)
{
    for (int k = 0; k < rd->nstats; k++)
        if (!strcmp(rd->stat[k], name))
            return k;
    return -1;
}

const ms_rseries *ms_resultdir_series(const ms_resultdir *rd, const char *series, const char *supplier,
                                      const char *importer, const char *industry, const char *product)
{
    const char *key[5] = {series, supplier, importer, industry, product};
    for (int s = 0; s < rd->nseries; s++) {
        int k = 0;
        while (k < 5 && !strcmp(rd->series[s].key[k], key[k] ? key[k] : ""))
            k++;
        if (k == 5)
            return &rd->series[s];
    }
    return NULL;
}

int ms_resultdir_row(const ms_resultdir *rd, const char *metric, const char *importer, const char *industry,
                     const char *product)
{
    const ms_csv *c = rd->summary;
    const char *key[4] = {metric, importer, industry ? industry : "", product ? product : ""};
    for (int r = 0; r < c->nrows; r++) {
        int k = 0;
        while (k < 4 && !strcmp(ms_csv_get(c, r, k), key[k]))
            k++;
        if (k == 4)
            return r;
    }
    return -1;
}

double ms_resultdir_value(const ms_resultdir *rd, int row, const char *col)
{
    int k = ms_csv_col(rd->summary, col);
    double x;
    if (row < 0 || k < 0 || ms_csv_num(ms_csv_get(rd->summary, row, k), &x))
        return NAN;
    return x;
}
