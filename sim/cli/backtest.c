/*
 * sim/cli/backtest.c - `magsim backtest SCENARIO OBSERVED.csv`: run the
 * scenario, hold every observed monthly value against the simulated
 * distribution of the same series (magsim/backtest.h), print the table and
 * the summary, write the run's files and backtest.csv, backtest.json with
 * --out, and fail with exit 5 when --require-coverage is not met.
 *
 * As `run`: every option is checked, then the scenario and the whole
 * observations file (every error located, nothing run on any), then the
 * memory the run needs (the kept values: 8 bytes per observation and path)
 * is estimated before anything big is allocated.  The first SIGINT or
 * SIGTERM stops after the blocks in flight; the partial result is scored,
 * written and magsim exits 4.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <omp.h>

#include "magsim/backtest.h"
#include "magsim/engine.h"
#include "magsim/observed.h"
#include "magsim/outdir.h"
#include "magsim/output.h"
#include "cli.h"

void cli_backtest_usage(FILE *f)
{
    fputs("usage: magsim backtest SCENARIO OBSERVED.csv [options]\n"
          "\n"
          "Run SCENARIO and hold each observed monthly value of OBSERVED.csv against the simulated\n"
          "distribution of the same series over the paths (exact, not a histogram): its PIT (share of\n"
          "paths below it, ties half), the simulated median and 50% and 90% bands and whether it lies\n"
          "inside them, the relative error of the median and the CRPS; then the coverage of both\n"
          "bands, the median absolute relative error and the mean CRPS (docs/backtest.md).\n"
          "\n"
          "OBSERVED.csv has the header series,supplier,importer,product,month,value,source: a series\n"
          "(shipments, price_index), scenario names or all (a sum over the entities; product all:\n"
          "every product, as customs codes count them), a month YYYY-MM inside the horizon, a value\n"
          ">= 0, and its source.  Every error in it is reported, located, and nothing runs (exit 3).\n"
          "\n"
          "options:\n"
          "  -n, --paths N          Monte Carlo paths (default: run.paths in the scenario)\n"
          "  -s, --seed N           run seed, a whole number (default: run.seed in the scenario)\n"
          "  -j, --threads N        worker threads (default: OMP_NUM_THREADS, else every core);\n"
          "                         results do not depend on it\n"
          "  -o, --out DIR          write backtest.csv, backtest.json, observed.csv (a copy) and the run's\n"
          "                         files (summary.csv, timeseries.csv, summary.json, manifest.json,\n"
          "                         scenario.yaml) into DIR; DIR appears complete or not at all\n"
          "  -f, --force            replace DIR when it holds an earlier magsim output\n"
          "      --report           also write DIR/report (magsim help report), observed points included\n"
          "  -q, --quiet            no progress bar and no table on stdout\n"
          "      --require-coverage X  exit 5 when the 90% band covers less than the share X of the\n"
          "                         observations (0 < X <= 1), after writing the result (for CI)\n"
          "      --max-memory SIZE  refuse to start a backtest estimated to need more memory than SIZE\n"
          "                         (512M, 4G, 1.5GiB; default: 80% of the physical memory)\n"
          "  -h, --help             this help\n"
          "\n"
          "The run's quantile levels are the scenario's and the report's (q25 and q75 included), so\n"
          "`magsim report DIR` draws both bands.  An interrupt (Ctrl-C, SIGTERM) stops after the paths\n"
          "in flight and scores and writes the partial result (\"partial\": true), exit 4.\n"
          "\n",
          f);
    fputs(cli_exit_text, f);
}

typedef struct backtest_args {
    const char *scenario;          /* SCENARIO */
    const char *observed;          /* OBSERVED.csv */
    cli_common_opts o;             /* --paths, --seed, --threads, --out, --force, --quiet, --max-memory */
    int report;                    /* --report */
    double require_coverage;       /* --require-coverage, in (0, 1]; NaN: not asked */
} backtest_args;

enum { OPT_REPORT = 256, OPT_REQUIRE };

static const struct option backtest_longopts[] = {
    {"paths", required_argument, NULL, 'n'},   {"seed", required_argument, NULL, 's'},
    {"threads", required_argument, NULL, 'j'}, {"out", required_argument, NULL, 'o'},
    {"force", no_argument, NULL, 'f'},         {"quiet", no_argument, NULL, 'q'},
    {"report", no_argument, NULL, OPT_REPORT}, {"require-coverage", required_argument, NULL, OPT_REQUIRE},
    {"max-memory", required_argument, NULL, CLI_OPT_MAX_MEMORY}, {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* --require-coverage: a number in (0, 1]. */
static int parse_coverage(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end || errno || !isfinite(v)) {
        cli_err("--require-coverage: \"%s\" is not a number", s);
        return -1;
    }
    if (!(v > 0 && v <= 1)) {
        cli_err("--require-coverage: \"%s\" is not a share in (0, 1] (0.8: the 90%% band must cover 80%% of the "
                "observations)", s);
        return -1;
    }
    *out = v;
    return 0;
}

static int parse_option(int c, int argc, char **argv, backtest_args *a)
{
    int rc = cli_common_option(c, optarg, &a->o);
    if (rc <= 0)
        return rc;
    switch (c) {
    case OPT_REPORT: a->report = 1; return 0;
    case OPT_REQUIRE: return parse_coverage(optarg, &a->require_coverage);
    default: return cli_option_error(c, argc, argv, "backtest");
    }
}

/* 0: parsed; 1: help printed; -1: usage error (message printed). */
static int parse_backtest(int argc, char **argv, backtest_args *a)
{
    memset(a, 0, sizeof *a);
    a->require_coverage = NAN;
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, ":n:s:j:o:fqh", backtest_longopts, NULL)) != -1) {
        if (c == 'h') {
            cli_backtest_usage(stdout);
            return 1;
        }
        if (parse_option(c, argc, argv, a))
            return -1;
    }
    int npos = argc - optind;
    if (npos != 2) {
        cli_err("backtest: needs SCENARIO and OBSERVED.csv%s (see `magsim help backtest`)",
                npos > 2 ? ", nothing more" : "");
        return -1;
    }
    a->scenario = argv[optind];
    a->observed = argv[optind + 1];
    if (a->report && !a->o.out) {
        cli_err("--report needs --out DIR (the report is written into DIR/report)");
        return -1;
    }
    return 0;
}

/* Everything a backtest holds, freed in one place. */
typedef struct backtest_run {
    ms_scenario *s;
    ms_observed *o;
    ms_engine *e;
    ms_result *r;
    ms_backtest *b;
    char *cmdline;
    double q[MS_MAX_QUANTILES];    /* the run's quantile levels: the scenario's and the report's */
    int nq;
} backtest_run;

static void backtest_run_free(backtest_run *x)
{
    free(x->cmdline);
    ms_backtest_free(x->b);
    ms_result_free(x->r);
    ms_engine_free(x->e);
    ms_observed_free(x->o);
    ms_scenario_free(x->s);
}

/* The scenario, then the observations against it: every error printed. */
static int load_inputs(const backtest_args *a, backtest_run *x)
{
    if (!(x->s = cli_load_scenario(a->scenario)))
        return -1;
    ms_diags d;
    ms_diags_init(&d);
    x->o = ms_observed_load(a->observed, x->s, &d);
    ms_diags_print(&d, stderr, isatty(STDERR_FILENO));
    if (!x->o)
        cli_err("%s: %d error%s: nothing was run", a->observed, d.nerrors, d.nerrors == 1 ? "" : "s");
    ms_diags_clear(&d);
    return x->o ? 0 : -1;
}

/* The memory estimate and the check against --max-memory and the disk. */
static int plan(const backtest_args *a, const backtest_run *x, uint64_t paths, int threads)
{
    ms_estimate est;
    ms_backtest_estimate(x->s, x->o->n, paths, threads, &est);
    double copies = (double)x->o->bytes + (a->report ? 16e6 : 0);
    for (int k = 0; k < x->s->nsources; k++)
        copies += (double)x->s->sources[k].len;
    char b[32];
    if (!a->o.quiet)
        fprintf(stderr, "magsim: backtest: %d observation%s x %" PRIu64 " paths, about %s of memory\n", x->o->n,
                x->o->n == 1 ? "" : "s", paths, cli_fmt_bytes(est.memory_bytes, b, sizeof b));
    return cli_check_resources(a->scenario, &est, x->s->months, threads, a->o.max_memory, a->o.out, copies);
}

/* Compile the engine (series on), resolve the observations, allocate.  0, or an exit status. */
static int build(const backtest_args *a, backtest_run *x, const ms_engine_opts *eo, uint64_t paths)
{
    char msg[1024];
    if (!(x->e = ms_engine_alloc(x->s, eo, msg, sizeof msg))) {
        cli_err("%s: cannot run: %s", a->scenario, msg);
        return CLI_EXIT_INVALID;
    }
    if (ms_observed_resolve(x->o, x->e, msg, sizeof msg) || !(x->b = ms_backtest_alloc(x->e, x->o, 0, paths, msg,
                                                                                        sizeof msg))) {
        cli_err("%s", msg);
        return CLI_EXIT_RUNTIME;
    }
    if (!(x->r = ms_result_alloc(x->e))) {
        cli_err("out of memory");
        return CLI_EXIT_RUNTIME;
    }
    return 0;
}

/* The backtest's files, the run's and with --report the report, into DIR atomically. */
static int write_result(const backtest_args *a, const backtest_run *x, const ms_output_info *oi,
                        const ms_backtest_info *bi)
{
    char msg[1024];
    ms_outdir *d = ms_outdir_open(a->o.out, a->o.force, msg, sizeof msg);
    if (!d) {
        cli_err("--out: %s", msg);
        return CLI_EXIT_RUNTIME;
    }
    int rc = CLI_EXIT_RUNTIME;
    if (ms_backtest_add_files(d, x->b, bi, msg, sizeof msg) != MS_OUTDIR_OK ||
        ms_output_add_files(d, x->e, x->r, oi, msg, sizeof msg) != MS_OUTPUT_OK)
        cli_err("--out: %s", msg);
    else if (a->report && (rc = cli_report_into(d, ms_outdir_tmp_path(d), a->o.out, a->o.quiet)) != CLI_EXIT_OK)
        rc = CLI_EXIT_RUNTIME;
    else if (ms_outdir_commit(d, msg, sizeof msg) != MS_OUTDIR_OK)
        cli_err("--out: %s", msg);
    else
        rc = CLI_EXIT_OK;
    ms_outdir_free(d);
    return rc;
}

/* Print, write, and the exit status: 1, 4, then 5 when the coverage check failed. */
static int finish(const backtest_args *a, backtest_run *x, const ms_output_info *oi, const ms_backtest_info *bi)
{
    char msg[256];
    if (!a->o.quiet && ms_backtest_terminal(stdout, x->b, bi) == 0)
        fflush(stdout);
    if (a->o.out) {
        if (write_result(a, x, oi, bi) != CLI_EXIT_OK)
            return CLI_EXIT_RUNTIME;
        if (!a->o.quiet)
            fprintf(stderr, "magsim: wrote %s%s\n", a->o.out, x->r->interrupted ? " (partial result)" : "");
    }
    snprintf(msg, sizeof msg, "%" PRIu64 " of %" PRIu64 " paths", x->r->paths_done, x->r->paths_requested);
    int rc = cli_exit_status(oi->gsl_errors, x->r->interrupted, msg);
    if (rc == CLI_EXIT_OK && ms_backtest_check_failed(x->b, bi)) {
        const ms_bt_summary *m = &x->b->summary;
        cli_err("backtest: the 90%% band covers %d of %d observations (%.3g), below --require-coverage %g",
                m->hits90, m->n, m->coverage90, bi->require_coverage);
        rc = CLI_EXIT_CHECK;
    }
    return rc;
}

int cli_backtest_main(int argc, char **argv, int full_argc, char **full_argv)
{
    backtest_args a;
    int pr = parse_backtest(argc, argv, &a);
    if (pr)
        return pr > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
    if (cli_check_out(a.o.out, a.o.force))
        return CLI_EXIT_RUNTIME;
    backtest_run x;
    memset(&x, 0, sizeof x);
    int rc = CLI_EXIT_INVALID;
    if (load_inputs(&a, &x))
        goto done;
    uint64_t paths = a.o.have_paths ? a.o.paths : x.s->paths;
    ms_engine_opts eo = ms_engine_opts_default(x.s);
    eo.series = 1;
    if (a.o.have_seed)
        eo.seed = a.o.seed;
    int threads = a.o.threads > 0 ? a.o.threads : omp_get_max_threads();
    threads = threads < 1 ? 1 : threads;
    rc = CLI_EXIT_USAGE;
    if (cli_add_report_quantiles(x.s->quantiles, x.s->nquantiles, x.q, &x.nq))
        goto done;
    rc = CLI_EXIT_RUNTIME;
    if (plan(&a, &x, paths, threads) || (rc = build(&a, &x, &eo, paths)) != 0)
        goto done;
    rc = CLI_EXIT_RUNTIME;
    if (!(x.cmdline = cli_command_line(full_argc, full_argv))) {
        cli_err("out of memory");
        goto done;
    }
    cli_progress_state pg = {0};
    ms_run_opts ro = cli_run_opts(threads, a.o.quiet, &pg);
    int erc = ms_backtest_run(x.b, &ro, x.r);
    cli_progress_done(&pg);
    if (erc != 0) {
        cli_err("the engine could not run (out of memory for a thread's workspace)");
        goto done;
    }
    ms_backtest_finish(x.b, threads);
    ms_output_info oi = {.scenario_path = a.scenario, .command_line = x.cmdline, .seed = eo.seed, .quantiles = x.q,
                         .nquantiles = x.nq, .threads = x.r->threads > 0 ? x.r->threads : threads,
                         .gsl_errors = cli_gsl_errors()};
    ms_backtest_info bi = {.scenario_path = a.scenario, .seed = eo.seed, .require_coverage = a.require_coverage,
                           .threads = oi.threads, .wall_seconds = x.r->wall_seconds};
    rc = finish(&a, &x, &oi, &bi);
done:
    backtest_run_free(&x);
    return rc;
}
