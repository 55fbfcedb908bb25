/*
 * fuzz_scenario.c - libFuzzer target over the scenario loader and validator.
 *
 *   sh tests/fuzz/run.sh SECONDS        (make fuzz, make fuzz-smoke)
 *
 * Each input is loaded as a scenario from memory (ms_scenario_load_buffer).
 * Whatever happens, the diagnostics are printed (to a memory stream, so the
 * caret and source-line code runs too).  A scenario that loads is summarised
 * as `magsim validate` would, compiled by the engine (which simulates path 0
 * to set its variance shifts) and run for one more path; every statistic of
 * that path must be finite.  The engine is skipped when the scenario is big
 * (months x flows large), so that executions stay fast: the loader, not the
 * engine's speed, is under test.
 *
 * Built with clang -fsanitize=fuzzer,address,undefined: any crash, leak,
 * sanitizer report, abort (a non-finite statistic) or hang over -timeout is
 * a finding.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "magsim/diag.h"
#include "magsim/engine.h"
#include "magsim/scenario.h"

/* work of one engine path, roughly: cells the month loop touches */
#define FUZZ_MAX_WORK 2000000.0

static double path_work(const ms_scenario *s)
{
    double C = 0;
    for (int i = 0; i < s->nimporters; i++) C += s->importers[i].nindustries;
    double S = s->nsuppliers, I = s->nimporters, P = s->nproducts;
    double per_month = P * (S * I + C + I) + S * P + (double)s->npolicies * (I + 1) * P;
    /* pipelines hold T + lag months; policies with lists are scanned per flow */
    return (double)s->months * per_month * 4.0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ms_diags d;
    ms_diags_init(&d);
    /* a name in a directory that does not exist: a relative extends: reads nothing */
    ms_scenario *s = ms_scenario_load_buffer("fuzz-nonexistent-dir/input.yaml", (const char *)data, size, &d);

    char *mem = NULL;
    size_t memlen = 0;
    FILE *f = open_memstream(&mem, &memlen);
    if (f) {
        ms_diags_print(&d, f, 1);
        for (int k = 0; k < d.n && k < 4; k++) ms_diag_print_one(&d, &d.v[k], f, 0);
        if (s) ms_scenario_print_summary(s, f);
        fclose(f);
    }
    free(mem);
    if (s && d.nerrors != 0) abort(); /* a scenario is returned only when it has no error */
    if (!s && d.nerrors == 0) abort(); /* and a refusal always says why */
    ms_diags_clear(&d);

    if (s && s->months >= 1 && path_work(s) <= FUZZ_MAX_WORK) {
        char err[256];
        ms_engine_opts o = ms_engine_opts_default(s);
        ms_engine *e = ms_engine_alloc(s, &o, err, sizeof err);
        if (e) {
            int n = ms_engine_nmetrics(e) + ms_engine_nseries(e);
            double *out = calloc((size_t)n + 1, sizeof(double));
            ms_work *w = ms_work_alloc(e);
            if (out && w) {
                ms_engine_path(e, w, 0, out, NULL);
                for (int k = 0; k < n; k++)
                    if (!isfinite(out[k])) {
                        const ms_stat_desc *sd = ms_engine_desc(e, k);
                        fprintf(stderr, "non-finite statistic %d: %s %s = %g\n", k,
                                sd->is_series ? "series" : "metric",
                                sd->is_series ? ms_series_name(sd->what) : ms_metric_name(sd->what), out[k]);
                        abort();
                    }
            }
            ms_work_free(w);
            free(out);
            ms_engine_free(e);
        }
    }
    ms_scenario_free(s);
    return 0;
}
