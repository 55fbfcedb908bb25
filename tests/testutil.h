/*
 * testutil.h - helpers shared by the engine tests (included after cmocka.h).
 */
#ifndef MAGSIM_TESTUTIL_H
#define MAGSIM_TESTUTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "magsim/engine.h"

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

#endif
