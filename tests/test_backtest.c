/*
 * test_backtest.c - the backtest's scores and its run (magsim/backtest.h).
 *
 * Scores against hand-computed answers: the quantile definition (the
 * smallest x with F(x) >= p), PIT with ties, band membership at the
 * boundaries, the relative error (NaN at y = 0), the CRPS (worked examples,
 * and the O(n log n) formula against the O(n^2) definition), the summary
 * (coverage, binomial probabilities, median of |relative error| for odd and
 * even counts, PIT tenths counted exactly).  The run: the kept values are
 * each path's sum of the observation's statistics (checked against
 * ms_engine_path), the same for 1 and 2 threads, and the run's result is
 * the one ms_engine_run gives, byte for byte (ms_result_pack); a stop before
 * the first block leaves no path done and NaN scores.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "magsim/backtest.h"

#define EPS 1e-12

/* ---- quantiles ------------------------------------------------------------------------- */

static void test_quantile_definition(void **state)
{
    (void)state;
    double x[20];
    for (int i = 0; i < 20; i++)
        x[i] = i + 1;
    /* n = 10: x_(ceil(p n)): p = 5% -> x_1, 25% -> x_3 (ceil 2.5), 50% -> x_5, 75% -> x_8 (ceil 7.5), 95% -> x_10 */
    assert_true(ms_backtest_quantile(x, 10, 5) == 1);
    assert_true(ms_backtest_quantile(x, 10, 25) == 3);
    assert_true(ms_backtest_quantile(x, 10, 50) == 5);
    assert_true(ms_backtest_quantile(x, 10, 75) == 8);
    assert_true(ms_backtest_quantile(x, 10, 95) == 10);
    /* n = 20: p n is whole: x_1, x_5, x_10, x_15, x_19 (F(x_19) = 0.95 >= 0.95 exactly) */
    assert_true(ms_backtest_quantile(x, 20, 5) == 1);
    assert_true(ms_backtest_quantile(x, 20, 25) == 5);
    assert_true(ms_backtest_quantile(x, 20, 50) == 10);
    assert_true(ms_backtest_quantile(x, 20, 75) == 15);
    assert_true(ms_backtest_quantile(x, 20, 95) == 19);
    /* one value: every quantile is it; none: NaN */
    assert_true(ms_backtest_quantile(x + 6, 1, 5) == 7);
    assert_true(ms_backtest_quantile(x + 6, 1, 95) == 7);
    assert_true(isnan(ms_backtest_quantile(x, 0, 50)));
}

/* ---- PIT, bands, relative error -------------------------------------------------------------- */

static void test_pit_with_ties(void **state)
{
    (void)state;
    const double x[5] = {1, 2, 2, 2, 3};
    ms_bt_score s;
    /* y = 2: one value below, three equal: (1 + 3/2) / 5 = 0.5 */
    ms_backtest_score(x, 5, 2, &s);
    assert_int_equal(s.below, 1);
    assert_int_equal(s.equal, 3);
    assert_true(fabs(s.pit - 0.5) < EPS);
    ms_backtest_score(x, 5, 0.5, &s);   /* below every value */
    assert_true(s.pit == 0);
    ms_backtest_score(x, 5, 3, &s);     /* (4 + 1/2) / 5 */
    assert_true(fabs(s.pit - 0.9) < EPS);
    ms_backtest_score(x, 5, 4, &s);     /* above every value */
    assert_true(s.pit == 1);
    ms_backtest_score(x, 5, 2.5, &s);   /* (4 + 0) / 5 */
    assert_true(fabs(s.pit - 0.8) < EPS);
}

static void test_bands_and_rel_err(void **state)
{
    (void)state;
    double x[20];
    for (int i = 0; i < 20; i++)
        x[i] = i + 1;   /* q05 1, q25 5, q50 10, q75 15, q95 19 */
    ms_bt_score s;
    ms_backtest_score(x, 20, 5, &s);    /* on q25: inside both (bounds included) */
    assert_true(s.q[MS_BT_Q25] == 5 && s.q[MS_BT_Q75] == 15 && s.q[MS_BT_Q05] == 1 && s.q[MS_BT_Q95] == 19);
    assert_int_equal(s.in50, 1);
    assert_int_equal(s.in90, 1);
    assert_true(fabs(s.rel_err - 1.0) < EPS);   /* (10 - 5) / 5 */
    ms_backtest_score(x, 20, 4.9, &s);  /* below q25, above q05 */
    assert_int_equal(s.in50, 0);
    assert_int_equal(s.in90, 1);
    ms_backtest_score(x, 20, 19, &s);   /* on q95 */
    assert_int_equal(s.in90, 1);
    ms_backtest_score(x, 20, 19.5, &s); /* above q95 */
    assert_int_equal(s.in50, 0);
    assert_int_equal(s.in90, 0);
    ms_backtest_score(x, 20, 8, &s);
    assert_true(fabs(s.rel_err - 0.25) < EPS);  /* (10 - 8) / 8 */
    ms_backtest_score(x, 20, 0, &s);    /* y = 0: no relative error */
    assert_true(isnan(s.rel_err));
    assert_int_equal(s.in90, 0);
    ms_backtest_score(x, 0, 3, &s);     /* no values: nothing to score */
    assert_true(isnan(s.pit) && isnan(s.crps) && isnan(s.q[MS_BT_Q50]));
    assert_int_equal(s.in50 + s.in90, 0);
}

/* ---- CRPS ------------------------------------------------------------------------------------ */

/* The definition, O(n^2): mean|X - y| - mean|X - X'| / 2. */
static double crps_direct(const double *x, int n, double y)
{
    double a = 0, b = 0;
    for (int i = 0; i < n; i++) {
        a += fabs(x[i] - y);
        for (int j = 0; j < n; j++)
            b += fabs(x[i] - x[j]);
    }
    return a / n - b / (2.0 * n * n);
}

static void test_crps_known_answers(void **state)
{
    (void)state;
    /* X uniform on {1, 2, 3, 4}, y = 2.5:
     *   mean|X - y| = (1.5 + 0.5 + 0.5 + 1.5) / 4 = 1
     *   mean|X - X'| = (sum over the 16 ordered pairs) / 16 = 2 (1+2+3+1+2+1) / 16 = 20 / 16 = 1.25
     *   CRPS = 1 - 1.25 / 2 = 0.375
     * (the integral of (F(z) - [z >= 2.5])^2: 0.0625 + 0.125 + 0.125 + 0.0625 = 0.375) */
    const double x[4] = {1, 2, 3, 4};
    ms_bt_score s;
    ms_backtest_score(x, 4, 2.5, &s);
    assert_true(fabs(s.crps - 0.375) < EPS);
    /* y = 0 below all: mean|X - 0| = 2.5, minus 0.625: 1.875; y = 10: 7.5 - 0.625 = 6.875 */
    ms_backtest_score(x, 4, 0, &s);
    assert_true(fabs(s.crps - 1.875) < EPS);
    ms_backtest_score(x, 4, 10, &s);
    assert_true(fabs(s.crps - 6.875) < EPS);
    /* a point mass: CRPS = |x - y|, 0 when right */
    const double one[1] = {3}, three[3] = {2, 2, 2};
    ms_backtest_score(one, 1, 5, &s);
    assert_true(fabs(s.crps - 2) < EPS);
    ms_backtest_score(three, 3, 2, &s);
    assert_true(s.crps == 0);
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The sorted-values formula equals the definition on skewed values with ties (a fixed sequence). */
static void test_crps_matches_definition(void **state)
{
    (void)state;
    enum { N = 257 };
    double x[N];
    uint64_t u = 12345;
    for (int i = 0; i < N; i++) {
        u = u * 6364136223846793005ULL + 1442695040888963407ULL;
        double r = (double)(u >> 11) / 9007199254740992.0;
        x[i] = floor(1000 * r * r) / 10;   /* skewed, many ties */
    }
    qsort(x, N, sizeof *x, cmp_d);
    const double ys[5] = {-5, 0, 12.3, x[N / 2], 250};
    for (int k = 0; k < 5; k++) {
        ms_bt_score s;
        ms_backtest_score(x, N, ys[k], &s);
        double want = crps_direct(x, N, ys[k]);
        if (!(fabs(s.crps - want) <= 1e-9 * (1 + want)))
            fail_msg("y = %g: CRPS %.17g, definition %.17g", ys[k], s.crps, want);
        assert_true(s.crps >= 0);
    }
}

/* ---- summary ----------------------------------------------------------------------------------- */

static void test_summary(void **state)
{
    (void)state;
    ms_bt_score s[4];
    memset(s, 0, sizeof s);
    /* hits: in90 on 3 of 4, in50 on 1 of 4 */
    const int in50[4] = {1, 0, 0, 0}, in90[4] = {1, 1, 1, 0};
    const double rel[4] = {0.1, -0.3, NAN, 0.2}, crps[4] = {1, 2, 3, 6};
    /* PIT: below / equal / n = 0/0/10 (0), 1/0/10 (exactly 0.1: second tenth), 5/1/10 (0.55), 10/0/10 (1: last) */
    const uint64_t below[4] = {0, 1, 5, 10}, equal[4] = {0, 0, 1, 0};
    for (int k = 0; k < 4; k++) {
        s[k].n = 10;
        s[k].in50 = in50[k];
        s[k].in90 = in90[k];
        s[k].rel_err = rel[k];
        s[k].crps = crps[k];
        s[k].below = below[k];
        s[k].equal = equal[k];
        s[k].pit = (2.0 * below[k] + equal[k]) / 20;
    }
    ms_bt_summary m;
    ms_backtest_summarize(s, 4, &m);
    assert_int_equal(m.n, 4);
    assert_int_equal(m.hits90, 3);
    assert_int_equal(m.hits50, 1);
    assert_true(m.coverage90 == 0.75);
    assert_true(m.coverage50 == 0.25);
    /* P(Bin(4, 0.9) <= 3) = 1 - 0.9^4 = 0.3439; P(Bin(4, 0.5) <= 1) = (1 + 4) / 16 = 0.3125 */
    assert_true(fabs(m.binom_p90 - 0.3439) < 1e-9);
    assert_true(fabs(m.binom_p50 - 0.3125) < 1e-9);
    /* |rel|: 0.1, 0.3, 0.2 (the NaN left out): median 0.2 */
    assert_int_equal(m.nrel, 3);
    assert_true(fabs(m.median_abs_rel_err - 0.2) < EPS);
    assert_true(fabs(m.mean_crps - 3) < EPS);
    const int tenths[10] = {1, 1, 0, 0, 0, 1, 0, 0, 0, 1};
    for (int k = 0; k < 10; k++)
        assert_int_equal(m.pit_tenths[k], tenths[k]);
    /* an even count of relative errors: the mean of the two middle ones */
    s[2].rel_err = 0.4;   /* |rel|: 0.1 0.2 0.3 0.4 */
    ms_backtest_summarize(s, 4, &m);
    assert_true(fabs(m.median_abs_rel_err - 0.25) < EPS);
}

/* ---- the run ------------------------------------------------------------------------------------- */

typedef struct fixture {
    ms_scenario *s;
    ms_observed *o;
    ms_engine *e;
} fixture;

static int setup(void **state)
{
    const char *src = getenv("MAGSIM_SRCDIR");
    char path[4096], obs[4096];
    snprintf(path, sizeof path, "%s/tests/fixtures/observed/scenario.yaml", src ? src : ".");
    snprintf(obs, sizeof obs, "%s/tests/fixtures/observed/good.csv", src ? src : ".");
    fixture *f = calloc(1, sizeof *f);
    ms_diags d;
    ms_diags_init(&d);
    f->s = ms_scenario_load(path, &d);
    if (f->s)
        f->o = ms_observed_load(obs, f->s, &d);
    ms_diags_print(&d, stderr, 0);
    ms_diags_clear(&d);
    char err[256];
    ms_engine_opts eo = f->s ? ms_engine_opts_default(f->s) : (ms_engine_opts){0};
    if (f->o && (f->e = ms_engine_alloc(f->s, &eo, err, sizeof err)) && ms_observed_resolve(f->o, f->e, err, sizeof err))
        return -1;
    *state = f;
    return f->e ? 0 : -1;
}

static int teardown(void **state)
{
    fixture *f = *state;
    ms_engine_free(f->e);
    ms_observed_free(f->o);
    ms_scenario_free(f->s);
    free(f);
    return 0;
}

/* A backtest of `paths` paths on `threads` threads. */
static ms_backtest *run_bt(const fixture *f, uint64_t paths, int threads, ms_result **r)
{
    char err[256];
    ms_backtest *b = ms_backtest_alloc(f->e, f->o, 0, paths, err, sizeof err);
    assert_non_null(b);
    *r = ms_result_alloc(f->e);
    ms_run_opts ro = {.threads = threads};
    assert_int_equal(ms_backtest_run(b, &ro, *r), 0);
    return b;
}

static void test_run_values_and_threads(void **state)
{
    const fixture *f = *state;
    enum { PATHS = 150 };   /* two full blocks and a partial one */
    ms_result *r1, *r2;
    ms_backtest *b1 = run_bt(f, PATHS, 1, &r1), *b2 = run_bt(f, PATHS, 2, &r2);
    assert_int_equal(b1->paths_done, PATHS);
    assert_int_equal(r1->paths_done, PATHS);
    assert_int_equal(r1->interrupted, 0);
    /* each kept value is the path's sum of the observation's statistics */
    ms_work *w = ms_work_alloc(f->e);
    size_t nst = (size_t)ms_engine_nmetrics(f->e) + (size_t)ms_engine_nseries(f->e);
    double *v = malloc(nst * sizeof *v);
    const uint64_t check[3] = {0, 77, PATHS - 1};
    for (int c = 0; c < 3; c++) {
        ms_engine_path(f->e, w, check[c], v, NULL);
        for (int k = 0; k < f->o->n; k++) {
            double want = 0;
            for (int q = 0; q < f->o->obs[k].nparts; q++)
                want += v[f->o->obs[k].stat[q]];
            assert_true(b1->values[(size_t)k * PATHS + check[c]] == want + 0.0);
        }
    }
    free(v);
    ms_work_free(w);
    /* the same bits on 2 threads: values, then scores */
    assert_memory_equal(b1->values, b2->values, sizeof(double) * PATHS * (size_t)f->o->n);
    ms_backtest_finish(b1, 1);
    ms_backtest_finish(b2, 2);
    assert_memory_equal(b1->score, b2->score, sizeof(ms_bt_score) * (size_t)f->o->n);
    for (int k = 0; k < f->o->n; k++) {
        const ms_bt_score *s = &b1->score[k];
        assert_int_equal(s->n, PATHS);
        assert_true(s->pit >= 0 && s->pit <= 1 && s->crps >= 0);
        for (int q = 1; q < MS_BT_NQ; q++)
            assert_true(s->q[q - 1] <= s->q[q]);
        assert_true(!s->in50 || s->in90);
    }
    /* the values are sorted after finish */
    for (int j = 1; j < PATHS; j++)
        assert_true(b1->values[j - 1] <= b1->values[j]);
    ms_backtest_free(b1);
    ms_backtest_free(b2);
    ms_result_free(r2);
    /* the run's result is ms_engine_run's, bit for bit */
    ms_result *re = ms_result_alloc(f->e);
    ms_run_opts ro = {.threads = 2};
    assert_int_equal(ms_engine_run(f->e, 0, PATHS, &ro, re), 0);
    unsigned char *p1 = NULL, *pe = NULL;
    size_t l1 = ms_result_pack(r1, &p1), le = ms_result_pack(re, &pe);
    assert_true(l1 > 0 && l1 == le);
    assert_memory_equal(p1, pe, l1);
    free(p1);
    free(pe);
    ms_result_free(re);
    ms_result_free(r1);
}

static void test_run_stopped(void **state)
{
    const fixture *f = *state;
    char err[256];
    ms_backtest *b = ms_backtest_alloc(f->e, f->o, 0, 200, err, sizeof err);
    ms_result *r = ms_result_alloc(f->e);
    volatile int stop = 1;   /* asked before the first block: no path is run */
    ms_run_opts ro = {.threads = 2, .stop = &stop};
    assert_int_equal(ms_backtest_run(b, &ro, r), 0);
    assert_int_equal(b->paths_done, 0);
    assert_int_equal(r->interrupted, 1);
    ms_backtest_finish(b, 2);
    assert_int_equal(b->score[0].n, 0);
    assert_true(isnan(b->score[0].pit));
    assert_int_equal(b->summary.hits90, 0);
    ms_backtest_free(b);
    ms_result_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quantile_definition),
        cmocka_unit_test(test_pit_with_ties),
        cmocka_unit_test(test_bands_and_rel_err),
        cmocka_unit_test(test_crps_known_answers),
        cmocka_unit_test(test_crps_matches_definition),
        cmocka_unit_test(test_summary),
        cmocka_unit_test_setup_teardown(test_run_values_and_threads, setup, teardown),
        cmocka_unit_test_setup_teardown(test_run_stopped, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
