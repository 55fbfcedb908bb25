/*
 * testutil.h - helpers shared by the engine tests (included after cmocka.h).
 */
#ifndef MAGSIM_TESTUTIL_H
#define MAGSIM_TESTUTIL_H

#include <stdio.h>
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

#endif
