/*
 * sim/cli/run.c - `magsim [run] SCENARIO`: simulate, print a summary, write
 * the result files with --out.
 *
 * Every option is checked before anything runs; the memory the run needs
 * and the size of its files are estimated before anything big is
 * allocated.  The first SIGINT or SIGTERM stops the engine after the blocks
 * in flight, the partial result is written and magsim exits 4.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <omp.h>

#include "magsim/engine.h"
#include "magsim/outdir.h"
#include "magsim/output.h"
#include "magsim/report.h"
#include "magsim/scenario.h"
#include "cli.h"
#include "par.h"
#include "prun.h"

void cli_run_usage(FILE *f)
{
    fputs("usage: magsim [run] SCENARIO [options]\n"
          "\n"
          "Simulate SCENARIO (a YAML file, docs/scenario.md) and print a summary: shortage per\n"
          "importer x industry and price shock per importer x product.\n"
          "\n"
          "options:\n"
          "  -n, --paths N          Monte Carlo paths (default: run.paths in the scenario)\n"
          "  -s, --seed N           run seed, a whole number (default: run.seed in the scenario)\n"
          "  -j, --threads N        worker threads (default: OMP_NUM_THREADS, else every core);\n"
          "                         results do not depend on it\n"
          "      --quantiles LIST   quantile levels, e.g. 0.05,0.5,0.95: each in (0,1), ascending,\n"
          "                         at most 16 (default: outputs.quantiles in the scenario)\n"
          "  -o, --out DIR          write summary.csv, timeseries.csv, summary.json, manifest.json\n"
          "                         and scenario.yaml into DIR; DIR appears complete or not at all\n"
          "  -f, --force            replace DIR when it holds an earlier magsim output\n"
          "      --report           also write DIR/report: report.html, report.md and the figures\n"
          "                         (magsim help report); adds the quantile levels the figures use\n"
          "                         (0.05,0.1,0.25,0.5,0.75,0.9,0.95,0.99) to the run's levels\n"
          "  -q, --quiet            no progress bar and no summary on stdout\n"
          "      --no-series        skip the monthly series (timeseries.csv keeps only its header)\n"
          "      --max-memory SIZE  refuse to start a run estimated to need more memory than SIZE\n"
          "                         (512M, 4G, 1.5GiB; default: 80% of the physical memory)\n"
          "  -h, --help             this help\n"
          "\n"
          "An interrupt (Ctrl-C, SIGTERM) stops after the paths in flight and writes the partial\n"
          "result (manifest.json: \"partial\": true); a second interrupt quits at once.\n"
          "\n"
          "Before it starts, magsim estimates the memory the run needs and the size of the result\n"
          "files; a run over --max-memory, or with more output than the disk of --out has free,\n"
          "is refused with the estimate (exit 1).\n"
          "\n",
          f);
    fputs(cli_exit_text, f);
}

typedef struct run_args {
    const char *scenario;          /* SCENARIO */
    int have_paths;
    uint64_t paths;                /* --paths */
    int have_seed;
    uint64_t seed;                 /* --seed */
    int threads;                   /* --threads; 0: OpenMP default */
    int nquantiles;                /* --quantiles; 0: the scenario's */
    double quantiles[MS_MAX_QUANTILES];
    const char *out;               /* --out */
    int force;                     /* --force */
    int quiet;                     /* --quiet */
    int no_series;                 /* --no-series */
    int report;                    /* --report */
    double max_memory;             /* --max-memory, bytes; 0: 80% of physical memory */
} run_args;

enum { OPT_QUANTILES = 256, OPT_NO_SERIES, OPT_MAX_MEMORY, OPT_REPORT };

static const struct option run_longopts[] = {
    {"paths", required_argument, NULL, 'n'},
    {"seed", required_argument, NULL, 's'},
    {"threads", required_argument, NULL, 'j'},
    {"quantiles", required_argument, NULL, OPT_QUANTILES},
    {"out", required_argument, NULL, 'o'},
    {"force", no_argument, NULL, 'f'},
    {"quiet", no_argument, NULL, 'q'},
    {"no-series", no_argument, NULL, OPT_NO_SERIES},
    {"report", no_argument, NULL, OPT_REPORT},
    {"max-memory", required_argument, NULL, OPT_MAX_MEMORY},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* 0: parsed; 1: help printed; -1: usage error (message printed). */
static int parse_run(int argc, char **argv, run_args *a)
{
    memset(a, 0, sizeof *a);
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, ":n:s:j:o:fqh", run_longopts, NULL)) != -1) {
        switch (c) {
        case 'n':
            if (cli_parse_u64("--paths", optarg, 1, CLI_MAX_PATHS, &a->paths))
                return -1;
            a->have_paths = 1;
            break;
        case 's':
            if (cli_parse_u64("--seed", optarg, 0, UINT64_MAX, &a->seed))
                return -1;
            a->have_seed = 1;
            break;
        case 'j':
            if (cli_parse_threads(optarg, &a->threads))
                return -1;
            break;
        case OPT_QUANTILES:
            if (cli_parse_quantiles(optarg, a->quantiles, &a->nquantiles))
                return -1;
            break;
        case 'o':
            if (!*optarg) {
                cli_err("--out: \"\" is not a directory name");
                return -1;
            }
            a->out = optarg;
            break;
        case 'f': a->force = 1; break;
        case 'q': a->quiet = 1; break;
        case OPT_NO_SERIES: a->no_series = 1; break;
        case OPT_REPORT: a->report = 1; break;
        case OPT_MAX_MEMORY:
            if (cli_parse_size("--max-memory", optarg, &a->max_memory))
                return -1;
            break;
        case 'h':
            cli_run_usage(stdout);
            return 1;
        case ':':
            cli_err("%s needs a value (see `magsim help run`)", cli_bad_option(argc, argv, c));
            return -1;
        default:
            cli_err("unknown option \"%s\" (see `magsim help run`)", cli_bad_option(argc, argv, c));
            return -1;
        }
    }
    int npos = argc - optind;
    if (npos == 0) {
        cli_err("run: no SCENARIO given (see `magsim help run`)");
        return -1;
    }
    if (npos > 1) {
        cli_err("run: one SCENARIO at a time, not \"%s\" as well (see `magsim help run`)", argv[optind + 1]);
        return -1;
    }
    a->scenario = argv[optind];
    if (a->report && !a->out) {
        cli_err("--report needs --out DIR (the report is written into DIR/report)");
        return -1;
    }
    return 0;
}

/* Write the result files (and with --report the report) into DIR atomically. */
static int write_result(const run_args *a, const ms_engine *e, const ms_result *r, const ms_output_info *info)
{
    char msg[1024];
    if (!a->report) {
        if (ms_output_write_dir(a->out, a->force, e, r, info, msg, sizeof msg) == MS_OUTPUT_OK)
            return CLI_EXIT_OK;
        cli_err("--out: %s", msg);
        return CLI_EXIT_RUNTIME;
    }
    ms_outdir *d = ms_outdir_open(a->out, a->force, msg, sizeof msg);
    if (!d) {
        cli_err("--out: %s", msg);
        return CLI_EXIT_RUNTIME;
    }
    int rc = CLI_EXIT_RUNTIME;
    if (ms_output_add_files(d, e, r, info, msg, sizeof msg) != MS_OUTPUT_OK)
        cli_err("--out: %s", msg);
    else if ((rc = cli_report_into(d, ms_outdir_tmp_path(d), a->out, a->quiet)) == CLI_EXIT_OK &&
             ms_outdir_commit(d, msg, sizeof msg) != MS_OUTDIR_OK) {
        cli_err("--out: %s", msg);
        rc = CLI_EXIT_RUNTIME;
    }
    ms_outdir_free(d);
    return rc == CLI_EXIT_INVALID ? CLI_EXIT_RUNTIME : rc;
}

int cli_run_main(int argc, char **argv, int full_argc, char **full_argv)
{
    run_args a;
    int pr = parse_run(argc, argv, &a);
    if (pr)
        return pr > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
    if (cli_par_init(&full_argc, &full_argv))
        return CLI_EXIT_USAGE;
    int rank = cli_par_rank(); /* under mpirun: every rank runs a share, rank 0 reports (sim/cli/prun.c) */
    if (rank != 0)
        a.quiet = 1, a.out = NULL;

    if (cli_check_out(a.out, a.force))
        return CLI_EXIT_RUNTIME;
    char msg[1024];
    ms_scenario *s = cli_load_scenario(a.scenario);
    if (!s)
        return CLI_EXIT_INVALID;

    int rc = CLI_EXIT_RUNTIME;
    ms_engine *e = NULL;
    ms_result *r = NULL;
    char *cmdline = NULL;
    cli_progress_state pg = {0};

    /* run options: the command line over the scenario's defaults (the loaded
     * scenario is never changed) */
    uint64_t paths = a.have_paths ? a.paths : s->paths;
    ms_engine_opts eo = ms_engine_opts_default(s);
    eo.series = !a.no_series;
    if (a.have_seed)
        eo.seed = a.seed;
    const double *q = a.nquantiles ? a.quantiles : s->quantiles;
    int nq = a.nquantiles ? a.nquantiles : s->nquantiles;
    double qrep[MS_MAX_QUANTILES];
    if (a.report) {
        if (cli_add_report_quantiles(q, nq, qrep, &nq)) {
            rc = CLI_EXIT_USAGE;
            goto done;
        }
        q = qrep;
    }
    if (paths > CLI_MAX_PATHS) {
        cli_err("%s: run.paths is %" PRIu64 "; at most %llu paths are allowed", a.scenario, paths,
                (unsigned long long)CLI_MAX_PATHS);
        rc = CLI_EXIT_INVALID;
        goto done;
    }
    int threads = a.threads > 0 ? a.threads : omp_get_max_threads();
    if (threads < 1)
        threads = 1;
    ms_estimate est;
    ms_engine_estimate(s, &eo, threads, paths, &est);
    double copies = 0;
    for (int k = 0; k < s->nsources; k++)
        copies += (double)s->sources[k].len;
    if (a.report)
        copies += 16e6;   /* the report: documents and figures, a few MB */
    if (cli_check_resources(a.scenario, &est, s->months, threads, a.max_memory, a.out, copies))
        goto done;
    e = ms_engine_alloc(s, &eo, msg, sizeof msg);
    if (!e) {
        cli_err("%s: cannot run: %s", a.scenario, msg);
        rc = CLI_EXIT_INVALID;
        goto done;
    }
    r = ms_result_alloc(e);
    cmdline = cli_command_line(full_argc, full_argv);
    if (!r || !cmdline) {
        cli_err("out of memory");
        goto done;
    }

    ms_run_opts ro = cli_run_opts(threads, a.quiet, &pg);
    int erc = cli_par_size() > 1 ? cli_prun(e, paths, &ro, r) : ms_engine_run(e, 0, paths, &ro, r);
    cli_progress_done(&pg);
    if (erc != 0) {
        cli_err("the engine failed on some path (see the messages above)");
        goto done;
    }

    ms_output_info info = {
        .scenario_path = a.scenario,
        .command_line = cmdline,
        .seed = eo.seed,
        .quantiles = q,
        .nquantiles = nq,
        .threads = r->threads > 0 ? r->threads : threads,
        .gsl_errors = cli_gsl_errors(),
    };
    if (!a.quiet && ms_output_terminal(stdout, e, r, &info) == 0)
        fflush(stdout);
    if (a.out) {
        if (write_result(&a, e, r, &info) != CLI_EXIT_OK)
            goto done;
        if (!a.quiet)
            fprintf(stderr, "magsim: wrote %s%s\n", a.out, r->interrupted ? " (partial result)" : "");
    }
    if (rank != 0) {
        rc = CLI_EXIT_OK;
        goto done;
    }
    snprintf(msg, sizeof msg, "%" PRIu64 " of %" PRIu64 " paths", r->paths_done, r->paths_requested);
    rc = cli_exit_status(info.gsl_errors, r->interrupted, msg);

done:
    cli_par_finalize();
    free(cmdline);
    ms_result_free(r);
    ms_engine_free(e);
    ms_scenario_free(s);
    return rc;
}
