/*
 * test_sweep.c - sweeps: scenario overrides (ms_scenario_load_overrides),
 * the designs (grid order, Sobol's first points, the Latin hypercube's
 * strata), and ms_result_pack / ms_result_unpack_merge (a split run merged
 * through images equals the whole run, bit for bit).
 *
 * Files are found under $MAGSIM_SRCDIR (the repository root; "." when unset).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "magsim/engine.h"
#include "magsim/sweep.h"
#include "../sim/policy/export_control.h"

static char *src(const char *rel)
{
    static char buf[4][1024];
    static int k;
    const char *root = getenv("MAGSIM_SRCDIR");
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", root ? root : ".", rel);
    return buf[k];
}

#define DEFAULT "scenarios/april2025_controls.yaml"

static const ms_export_control *control(const ms_scenario *s, const char *name)
{
    for (int i = 0; i < s->npolicies; i++)
        if (!strcmp(s->policies[i].name, name))
            return ms_export_control_of(&s->policies[i]);
    return NULL;
}

static void test_override_policy_and_default(void **state)
{
    ms_diags d;
    ms_diags_init(&d);
    ms_override ov[2] = {{"policies.april_licensing_ndfeb.license.approval_end", "0.3", "sw.yaml", 4, 9},
                         {"policies.april_licensing_ndfeb.general_license", "0.125", "sw.yaml", 5, 9}};
    ms_scenario *base = ms_scenario_load(src(DEFAULT), &d);
    ms_scenario *s = ms_scenario_load_overrides(src(DEFAULT), ov, 2, &d);
    assert_non_null(base);
    assert_non_null(s);
    const ms_export_control *c = control(s, "april_licensing_ndfeb"), *c0 = control(base, "april_licensing_ndfeb");
    assert_int_equal(c0->approval_end.kind, MS_DIST_PERT);
    assert_int_equal(c->approval_end.kind, MS_DIST_FIXED);
    assert_true(c->approval_end.p[0] == 0.3);
    assert_int_equal(c->approval_end.line, 4);          /* located where the override was written */
    assert_int_equal(c->approval_end.stream, c0->approval_end.stream); /* same key: same random stream */
    assert_true(c->general_license.p[0] == 0.125);      /* a defaulted input, created */
    assert_true(c0->general_license.p[0] == 0);
    /* everything else as in the base: the affected shares by end use keep their triangulars */
    assert_int_equal(c->naffected_by, c0->naffected_by);
    assert_int_equal(c->affected_by[0].share.kind, MS_DIST_TRIANGULAR);
    assert_true(c->affected_by[0].share.p[2] == c0->affected_by[0].share.p[2]);
    ms_scenario_free(s);
    ms_scenario_free(base);
    ms_diags_clear(&d);
}

static void test_override_errors_located(void **state)
{
    ms_diags d;
    ms_diags_init(&d);
    ms_override bad = {"policies.april_licensing_ndfeb.license.approval", "1.5", "sw.yaml", 7, 12};
    assert_null(ms_scenario_load_overrides(src(DEFAULT), &bad, 1, &d));
    const ms_diag *g = ms_diags_find(&d, MS_D_RANGE, 7, 12);
    assert_non_null(g);
    assert_string_equal(g->file, "sw.yaml");
    ms_diags_clear(&d);
    ms_override none = {"policies.no_such_policy.start", "2025-05", "sw.yaml", 3, 8};
    assert_null(ms_scenario_load_overrides(src(DEFAULT), &none, 1, &d));
    assert_non_null(ms_diags_find(&d, MS_D_REF, 3, 8));
    ms_diags_clear(&d);
}

static ms_sweep *load_sweep(const char *rel)
{
    ms_diags d;
    ms_diags_init(&d);
    ms_sweep *w = ms_sweep_load(src(rel), &d);
    if (!w)
        ms_diags_print(&d, stderr, 0);
    ms_diags_clear(&d);
    assert_non_null(w);
    return w;
}

static void test_grid_order(void **state)
{
    ms_sweep *w = load_sweep("sweeps/approval_cover.yaml");
    assert_int_equal(w->npoints, 50);
    assert_int_equal(w->ninputs, 2);
    /* first input slowest: point 11 = (values[1], 0.5 + 1 x 4.5/9) */
    assert_true(w->x[11 * 2] == 0.45);
    assert_true(w->x[11 * 2 + 1] == 0.5 + 4.5 * 1 / 9.0);
    assert_true(w->x[49 * 2] == 0.9 && w->x[49 * 2 + 1] == 5);
    char v[32];
    ms_sweep_value_text(w, 11, 1, v, sizeof v);
    assert_string_equal(v, "1");
    ms_sweep_free(w);
}

static void test_sobol_first_points(void **state)
{
    ms_sweep *w = load_sweep("tests/fixtures/sweeps/sobol.yaml");
    assert_int_equal(w->npoints, 8);
    /* GSL's Sobol sequence starts (0.5, 0.5), (0.75, 0.25), (0.25, 0.75) on [0,1)^2;
     * scaled to approval [0.1, 0.9] and cover [1, 5] */
    assert_true(fabs(w->x[0] - 0.5) < 1e-15 && fabs(w->x[1] - 3) < 1e-15);
    assert_true(fabs(w->x[2] - 0.7) < 1e-15 && fabs(w->x[3] - 2) < 1e-15);
    assert_true(fabs(w->x[4] - 0.3) < 1e-15 && fabs(w->x[5] - 4) < 1e-15);
    ms_sweep_free(w);
}

static void test_lhs_strata(void **state)
{
    ms_sweep *w = load_sweep("tests/fixtures/sweeps/lhs.yaml");
    int n = w->npoints, seen[20] = {0}, months[5] = {0};
    assert_int_equal(n, 20);
    for (int p = 0; p < n; p++) {
        double a = w->x[p * 2], t = w->x[p * 2 + 1];
        int k = (int)floor((a - 0.1) / 0.8 * n); /* one point in each of the 20 strata */
        assert_true(k >= 0 && k < n);
        seen[k]++;
        assert_true(t == floor(t));              /* a date: whole months 2025-06 (5) .. 2025-10 (9) */
        assert_true(t >= 5 && t <= 9);
        months[(int)t - 5]++;
    }
    for (int k = 0; k < n; k++)
        assert_int_equal(seen[k], 1);
    for (int m = 0; m < 5; m++)                  /* 20 strata over 5 months: 4 each */
        assert_int_equal(months[m], 4);
    ms_sweep *again = load_sweep("tests/fixtures/sweeps/lhs.yaml"); /* seeded: the same points */
    assert_memory_equal(w->x, again->x, sizeof(double) * 40);
    char v[32];
    ms_sweep_value_text(w, 0, 1, v, sizeof v);
    assert_int_equal(strlen(v), 7);              /* YYYY-MM */
    assert_memory_equal(v, "2025-", 5);
    ms_sweep_free(again);
    ms_sweep_free(w);
}

static void same_summaries(const ms_engine *e, const ms_result *a, const ms_result *b)
{
    double q[3] = {0.05, 0.5, 0.95};
    int n = ms_engine_nmetrics(e) + ms_engine_nseries(e);
    for (int i = 0; i < n; i++) {
        ms_stat_summary x, y;
        ms_result_summary(e, a, i, q, 3, &x);
        ms_result_summary(e, b, i, q, 3, &y);
        assert_true(x.n == y.n);
        assert_memory_equal(&x.mean, &y.mean, sizeof x.mean);
        assert_memory_equal(&x.sd, &y.sd, sizeof x.sd);
        assert_memory_equal(x.q, y.q, sizeof(double) * 3);
        assert_memory_equal(&x.cvar95, &y.cvar95, sizeof x.cvar95);
    }
}

static void test_result_pack_roundtrip(void **state)
{
    ms_diags d;
    ms_diags_init(&d);
    ms_scenario *s = ms_scenario_load(src(DEFAULT), &d);
    assert_non_null(s);
    char err[256];
    ms_engine *e = ms_engine_alloc(s, NULL, err, sizeof err); /* series on */
    assert_non_null(e);
    ms_run_opts ro = {.threads = 1};
    ms_result *whole = ms_result_alloc(e), *a = ms_result_alloc(e), *b = ms_result_alloc(e);
    ms_engine_run(e, 0, 192, &ro, whole);
    ms_engine_run(e, 0, 128, &ro, a);
    ms_engine_run(e, 128, 64, &ro, b);
    unsigned char *img = NULL;
    size_t len = ms_result_pack(b, &img);
    assert_true(len > 0);
    assert_int_equal(ms_result_unpack_merge(a, img, len - 1), -1); /* truncated: refused */
    img[0] ^= 1;
    assert_int_equal(ms_result_unpack_merge(a, img, len), -1);     /* bad magic: refused */
    img[0] ^= 1;
    assert_int_equal(a->paths_done, 128);                          /* untouched by the refusals */
    assert_int_equal(ms_result_unpack_merge(a, img, len), 0);
    assert_int_equal(a->paths_done, 192);
    same_summaries(e, whole, a);
    free(img);
    ms_result_free(whole);
    ms_result_free(a);
    ms_result_free(b);
    ms_engine_free(e);
    ms_scenario_free(s);
    ms_diags_clear(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_override_policy_and_default),
        cmocka_unit_test(test_override_errors_located),
        cmocka_unit_test(test_grid_order),
        cmocka_unit_test(test_sobol_first_points),
        cmocka_unit_test(test_lhs_strata),
        cmocka_unit_test(test_result_pack_roundtrip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
