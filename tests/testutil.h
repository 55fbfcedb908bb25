/*
 * testutil.h - helpers shared by the engine tests (included after cmocka.h).
 */
#ifndef MAGSIM_TESTUTIL_H
#define MAGSIM_TESTUTIL_H

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "magsim/engine.h"

/* cmocka's assert_float_equal compares floats (single precision): the
 * engine tests compare doubles, to the tolerance they state (0: exactly). */
static inline void tu_near(double a, double b, double eps, const char *ea, const char *eb, const char *file,
                           int line)
{
    if (!(fabs(a - b) <= eps)) {
        print_error("%s = %.17g, %s = %.17g: |difference| %.3g > %.3g\n", ea, a, eb, b, fabs(a - b), eps);
        _fail(file, line);
    }
}
#undef assert_float_equal
#define assert_float_equal(a, b, eps) tu_near((a), (b), (eps), #a, #b, __FILE__, __LINE__)

/* Load a scenario from YAML text; on error print the text's diagnostics and fail the test. */
static inline ms_scenario *tu_load_text(const char *name, const char *yaml)
{
    ms_diags d;
    ms_diags_init(&d);
    ms_scenario *s = ms_scenario_load_buffer(name, yaml, strlen(yaml), &d);
    if (!s) {
        fprintf(stderr, "%s", yaml);
        ms_diags_print(&d, stderr, 0);
    }
    ms_diags_clear(&d);
    assert_non_null(s);
    return s;
}

/* Load a scenario from printf-formatted YAML text (at most 16 KiB). */
static inline ms_scenario *tu_load_fmt(const char *fmt, ...)
{
    static char buf[16384];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    assert_true(n > 0 && (size_t)n < sizeof buf);
    return tu_load_text("test.yaml", buf);
}

/* Index of a statistic in the per-path vector; fails the test when absent. */
static inline int tu_find(const ms_engine *e, int series, int what, int s, int i, int k, int p, int month)
{
    for (int n = 0; n < ms_engine_nmetrics(e) + ms_engine_nseries(e); n++) {
        const ms_stat_desc *d = ms_engine_desc(e, n);
        if (d->is_series == series && d->what == what && d->supplier == s && d->importer == i &&
            d->industry == k && d->product == p && d->month == month)
            return n;
    }
    fail_msg("statistic not found");
    return -1;
}

/* Compile a scenario (series on); fails the test when it cannot be run. */
static inline ms_engine *tu_engine(const ms_scenario *s)
{
    char err[256];
    ms_engine_opts o = ms_engine_opts_default(s);
    ms_engine *e = ms_engine_alloc(s, &o, err, sizeof err);
    if (!e)
        fprintf(stderr, "%s\n", err);
    assert_non_null(e);
    return e;
}

/* One path of a scenario, simulated with a full trace. */
typedef struct tu_path {
    ms_engine *e;
    ms_work *w;
    ms_trace *tr;
    double *out; /* the per-path vector */
} tu_path;

static inline tu_path tu_path_run(const ms_scenario *s, uint64_t path)
{
    tu_path r;
    r.e = tu_engine(s);
    r.w = ms_work_alloc(r.e);
    r.tr = ms_trace_alloc(r.e);
    r.out = calloc((size_t)ms_engine_nmetrics(r.e) + ms_engine_nseries(r.e), sizeof(double));
    ms_engine_path(r.e, r.w, path, r.out, r.tr);
    return r;
}

static inline void tu_path_free(tu_path *r)
{
    free(r->out);
    ms_trace_free(r->tr);
    ms_work_free(r->w);
    ms_engine_free(r->e);
}

/* Trace values: a cell (c) and product, an importer (i) and product, a flow
 * (supplier s to importer i) and product, in month t. */
#define TU_CP(tr, field, t, c, p) ((tr)->field[((size_t)(t) * (tr)->C + (c)) * (tr)->P + (p)])
#define TU_IP(tr, field, t, i, p) ((tr)->field[((size_t)(t) * (tr)->I + (i)) * (tr)->P + (p)])
#define TU_SIP(tr, field, t, s, i, p) ((tr)->field[(((size_t)(t) * (tr)->S + (s)) * (tr)->I + (i)) * (tr)->P + (p)])

/* One path of a scenario given as YAML text; the caller frees both. */
static inline tu_path tu_run_text(const char *yaml, uint64_t path, ms_scenario **s)
{
    *s = tu_load_text("test.yaml", yaml);
    return tu_path_run(*s, path);
}

/* Statistic value on the path just run (fails when absent). */
static inline double tu_out(const tu_path *r, int series, int what, int s, int i, int k, int p, int month)
{
    return r->out[tu_find(r->e, series, what, s, i, k, p, month)];
}

#endif
