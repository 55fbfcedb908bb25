/*
 * test_output.c - result files: quantile column names, SHA-256, byte
 * identity of the files across thread counts, and the atomic, non-clobbering
 * output directory (exists -> refused; --force -> replaced; foreign
 * directory -> never replaced; nothing left beside it).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <dirent.h>
#include <cmocka.h>
#include "magsim/engine.h"
#include "magsim/output.h"
#include "magsim/fmt.h"
#include "magsim/outdir.h"
#include "magsim/scenario.h"

static void test_qname(void **state)
{
    (void)state;
    static const struct { double q; const char *name; } cases[] = {
        {0.05, "q05"}, {0.5, "q50"}, {0.95, "q95"}, {0.99, "q99"}, {0.01, "q01"},
        {0.995, "q99.5"}, {0.025, "q02.5"}, {0.999, "q99.9"}, {0.001, "q00.1"}, {0.1, "q10"},
    };
    char buf[32];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ms_output_qname(cases[i].q, buf, sizeof buf);
        assert_string_equal(buf, cases[i].name);
    }
}

static void test_sha256(void **state)
{
    (void)state;
    char hex[65];
    ms_fmt_sha256_hex("abc", 3, hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    ms_fmt_sha256_hex("", 0, hex);
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

typedef struct fixture {
    ms_scenario *s;
    ms_engine *e;
    char path[4096];
    char tmp[64];
} fixture;

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    const char *src = getenv("MAGSIM_SRCDIR");
    snprintf(fx->path, sizeof fx->path, "%s/scenarios/april2025_controls.yaml", src ? src : ".");
    ms_diags d;
    ms_diags_init(&d);
    fx->s = ms_scenario_load(fx->path, &d);
    if (!fx->s)
        ms_diags_print(&d, stderr, 0);
    ms_diags_clear(&d);
    if (!fx->s)
        return -1;
    char err[256];
    ms_engine_opts eo = ms_engine_opts_default(fx->s);
    fx->e = ms_engine_alloc(fx->s, &eo, err, sizeof err);
    if (!fx->e)
        return -1;
    strcpy(fx->tmp, "/tmp/magsim-test-output.XXXXXX");
    if (!mkdtemp(fx->tmp))
        return -1;
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    if (!fx)
        return 0;
    ms_outdir_remove_tree(fx->tmp);
    ms_engine_free(fx->e);
    ms_scenario_free(fx->s);
    free(fx);
    return 0;
}

static ms_result *run(fixture *fx, uint64_t n, int threads)
{
    ms_result *r = ms_result_alloc(fx->e);
    ms_run_opts o = {.threads = threads};
    assert_int_equal(ms_engine_run(fx->e, 0, n, &o, r), 0);
    return r;
}

static const double Q[4] = {0.05, 0.5, 0.95, 0.99};

static ms_output_info info_for(const fixture *fx, int threads)
{
    ms_output_info in = {.scenario_path = fx->path, .command_line = "test", .seed = fx->s->seed,
                         .quantiles = Q, .nquantiles = 4, .threads = threads};
    return in;
}

static char *render(int (*fn)(FILE *, const ms_engine *, const ms_result *, const ms_output_info *),
                    const fixture *fx, const ms_result *r, const ms_output_info *in, size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    assert_non_null(f);
    assert_int_equal(fn(f, fx->e, r, in), 0);
    assert_int_equal(fclose(f), 0);
    return buf;
}

static void test_identical_across_threads(void **state)
{
    fixture *fx = *state;
    ms_result *r1 = run(fx, 300, 1), *r3 = run(fx, 300, 3);
    ms_output_info i1 = info_for(fx, 1), i3 = info_for(fx, 3);
    int (*fns[3])(FILE *, const ms_engine *, const ms_result *, const ms_output_info *) = {
        ms_output_summary_csv, ms_output_timeseries_csv, ms_output_summary_json};
    for (int k = 0; k < 3; k++) {
        size_t l1, l3;
        char *a = render(fns[k], fx, r1, &i1, &l1), *b = render(fns[k], fx, r3, &i3, &l3);
        assert_int_equal(l1, l3);
        assert_memory_equal(a, b, l1);
        assert_null(strstr(a, "nan"));
        assert_null(strstr(a, "inf"));
        free(a);
        free(b);
    }
    size_t l;
    char *csv = render(ms_output_summary_csv, fx, r1, &i1, &l);
    static const char hdr[] = "metric,importer,industry,product,mean,sd,se,q05,q50,q95,q99,p_pos,cvar95\n";
    assert_true(l > sizeof hdr && memcmp(csv, hdr, sizeof hdr - 1) == 0);
    free(csv);
    ms_result_free(r1);
    ms_result_free(r3);
}

static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *de;
    while (d && (de = readdir(d)) != NULL)
        if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
            n++;
    if (d)
        closedir(d);
    return n;
}

static void test_write_dir(void **state)
{
    fixture *fx = *state;
    ms_result *r = run(fx, 128, 2);
    ms_output_info in = info_for(fx, 2);
    char dir[256], file[320], err[512];
    snprintf(dir, sizeof dir, "%s/res", fx->tmp);

    assert_int_equal(ms_output_write_dir(dir, 0, fx->e, r, &in, err, sizeof err), MS_OUTPUT_OK);
    static const char *names[] = {"summary.csv", "timeseries.csv", "summary.json", "manifest.json",
                                  "scenario.yaml"};
    struct stat st;
    for (int k = 0; k < 5; k++) {
        snprintf(file, sizeof file, "%s/%s", dir, names[k]);
        assert_int_equal(stat(file, &st), 0);
        assert_true(st.st_size > 0);
    }
    assert_int_equal(count_entries(fx->tmp), 1); /* nothing beside it */

    /* exists: refused, untouched */
    snprintf(file, sizeof file, "%s/marker", dir);
    FILE *m = fopen(file, "w");
    assert_non_null(m);
    fclose(m);
    assert_int_equal(ms_output_write_dir(dir, 0, fx->e, r, &in, err, sizeof err), MS_OUTPUT_EXISTS);
    assert_non_null(strstr(err, "--force"));
    assert_int_equal(stat(file, &st), 0);
    /* force: replaced */
    assert_int_equal(ms_output_write_dir(dir, 1, fx->e, r, &in, err, sizeof err), MS_OUTPUT_OK);
    assert_int_not_equal(stat(file, &st), 0);
    assert_int_equal(count_entries(fx->tmp), 1);

    /* a foreign directory is never replaced */
    char foreign[256];
    snprintf(foreign, sizeof foreign, "%s/foreign", fx->tmp);
    assert_int_equal(mkdir(foreign, 0777), 0);
    snprintf(file, sizeof file, "%s/data", foreign);
    m = fopen(file, "w");
    assert_non_null(m);
    fclose(m);
    assert_int_equal(ms_output_write_dir(foreign, 1, fx->e, r, &in, err, sizeof err), MS_OUTPUT_EXISTS);
    assert_int_equal(stat(file, &st), 0);

    /* under a regular file: an error, nothing left */
    char bad[300];
    snprintf(bad, sizeof bad, "%s/data/sub", foreign);
    assert_int_not_equal(ms_output_write_dir(bad, 0, fx->e, r, &in, err, sizeof err), MS_OUTPUT_OK);
    assert_int_equal(count_entries(foreign), 1);
    ms_result_free(r);
}

int main(void)
{
    const struct CMUnitTest plain[] = {
        cmocka_unit_test(test_qname),
        cmocka_unit_test(test_sha256),
    };
    const struct CMUnitTest withrun[] = {
        cmocka_unit_test(test_identical_across_threads),
        cmocka_unit_test(test_write_dir),
    };
    int rc = cmocka_run_group_tests_name("output", plain, NULL, NULL);
    rc += cmocka_run_group_tests_name("output-files", withrun, setup, teardown);
    return rc ? 1 : 0;
}
