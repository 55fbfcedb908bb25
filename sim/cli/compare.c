/*
 * sim/cli/compare.c - `magsim compare BASE POLICY [POLICY...]`: run every
 * scenario on the same seed and paths, report the paired differences
 * POLICY - BASE (magsim/compare.h), write compare.csv, compare.json and the
 * rest with --out.
 *
 * As `run`: every option is checked before anything runs, the memory and
 * the number of model evaluations are estimated first (and refused over
 * --max-memory), the first SIGINT or SIGTERM stops after the blocks in
 * flight, the partial result is written and magsim exits 4.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <omp.h>

#include "magsim/compare.h"
#include "magsim/engine.h"
#include "magsim/outdir.h"
#include "cli.h"

void cli_compare_usage(FILE *f)
{
    fputs("usage: magsim compare BASE POLICY [POLICY...] [options]\n"
          "\n"
          "Run every scenario on the same seed and the same path indices, so that the scenarios\n"
          "draw the same values for every input they share (common random numbers), and report\n"
          "for every metric and entity the distribution over paths of the paired difference\n"
          "POLICY - BASE: mean and standard error, quantiles, P(POLICY better) and P(worse), the\n"
          "same for the monthly series (difference bands), and the variance reduction of pairing:\n"
          "(Var BASE + Var POLICY) / Var(POLICY - BASE), from the same paths.  Statistics pair by\n"
          "metric and entity names and month, so scenarios that differ in structure pair what they\n"
          "share; what they do not share (statistics, input keys) is listed.\n"
          "\n"
          "options:\n"
          "  -n, --paths N          paths (default: run.paths of BASE)\n"
          "  -s, --seed N           the seed of every scenario (default: run.seed of BASE)\n"
          "  -j, --threads N        worker threads (default: OMP_NUM_THREADS, else every core);\n"
          "                         results do not depend on it\n"
          "      --quantiles LIST   levels of the difference quantiles (default: outputs.quantiles of BASE)\n"
          "  -o, --out DIR          write compare.csv, compare_timeseries.csv, compare.json, manifest.json\n"
          "                         and copies of the scenarios into DIR; DIR appears complete or not at all\n"
          "  -f, --force            replace DIR when it holds an earlier magsim output\n"
          "  -q, --quiet            no progress bar, no plan and no report on stdout\n"
          "      --no-series        skip the monthly series (no difference bands; less memory and time)\n"
          "      --max-memory SIZE  refuse to start a comparison estimated to need more memory than SIZE\n"
          "                         (512M, 4G, 1.5GiB; default: 80% of the physical memory)\n"
          "  -h, --help             this help\n"
          "\n"
          "Better is lower for shortage and price metrics and higher for time to survive and inventory\n"
          "cover; shipments have no better direction and report P(diff > 0).  See docs/analysis.md.\n"
          "An interrupt (Ctrl-C, SIGTERM) stops after the paths in flight and writes the partial\n"
          "result (manifest.json: \"partial\": true).\n"
          "\n",
          f);
    fputs(cli_exit_text, f);
}

typedef struct compare_args {
    const char *paths_of[MS_COMPARE_MAX]; /* BASE, POLICY... */
    int nscen;
    int have_paths;
    uint64_t paths;                /* --paths */
    int have_seed;
    uint64_t seed;                 /* --seed */
    int threads;                   /* --threads; 0: OpenMP default */
    int nquantiles;                /* --quantiles; 0: BASE's */
    double quantiles[MS_MAX_QUANTILES];
    const char *out;               /* --out */
    int force, quiet, no_series;
    double max_memory;             /* --max-memory, bytes; 0: 80% of physical memory */
} compare_args;

enum { OPT_QUANTILES = 256, OPT_NO_SERIES, OPT_MAX_MEMORY };

static const struct option compare_longopts[] = {
    {"paths", required_argument, NULL, 'n'},   {"seed", required_argument, NULL, 's'},
    {"threads", required_argument, NULL, 'j'}, {"quantiles", required_argument, NULL, OPT_QUANTILES},
    {"out", required_argument, NULL, 'o'},     {"force", no_argument, NULL, 'f'},
    {"quiet", no_argument, NULL, 'q'},         {"no-series", no_argument, NULL, OPT_NO_SERIES},
    {"max-memory", required_argument, NULL, OPT_MAX_MEMORY}, {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static int parse_option(int c, int argc, char **argv, compare_args *a)
{
    switch (c) {
    case 'n':
        a->have_paths = 1;
        return cli_parse_u64("--paths", optarg, 1, CLI_MAX_PATHS, &a->paths);
    case 's':
        a->have_seed = 1;
        return cli_parse_u64("--seed", optarg, 0, UINT64_MAX, &a->seed);
    case 'j': return cli_parse_threads(optarg, &a->threads);
    case OPT_QUANTILES: return cli_parse_quantiles(optarg, a->quantiles, &a->nquantiles);
    case 'o':
        if (!*optarg) {
            cli_err("--out: \"\" is not a directory name");
            return -1;
        }
        a->out = optarg;
        return 0;
    case 'f': a->force = 1; return 0;
    case 'q': a->quiet = 1; return 0;
    case OPT_NO_SERIES: a->no_series = 1; return 0;
    case OPT_MAX_MEMORY: return cli_parse_size("--max-memory", optarg, &a->max_memory);
    case ':':
        cli_err("%s needs a value (see `magsim help compare`)", cli_bad_option(argc, argv, c));
        return -1;
    default:
        cli_err("unknown option \"%s\" (see `magsim help compare`)", cli_bad_option(argc, argv, c));
        return -1;
    }
}

/* 0: parsed; 1: help printed; -1: usage error (message printed). */
static int parse_compare(int argc, char **argv, compare_args *a)
{
    memset(a, 0, sizeof *a);
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, ":n:s:j:o:fqh", compare_longopts, NULL)) != -1) {
        if (c == 'h') {
            cli_compare_usage(stdout);
            return 1;
        }
        if (parse_option(c, argc, argv, a))
            return -1;
    }
    int npos = argc - optind;
    if (npos < 2) {
        cli_err("compare: needs BASE and at least one POLICY scenario (see `magsim help compare`)");
        return -1;
    }
    if (npos > MS_COMPARE_MAX) {
        cli_err("compare: at most %d scenarios at a time, not %d", MS_COMPARE_MAX, npos);
        return -1;
    }
    for (int k = 0; k < npos; k++)
        a->paths_of[k] = argv[optind + k];
    a->nscen = npos;
    return 0;
}

/* Everything a comparison holds, freed in one place. */
typedef struct compare_run {
    ms_scenario *s[MS_COMPARE_MAX];
    ms_engine *e[MS_COMPARE_MAX];
    char label[MS_COMPARE_MAX][64];
    const char *labels[MS_COMPARE_MAX];
    ms_compare *c;
    ms_compare_result *r;
    char *cmdline;
} compare_run;

static void compare_run_free(compare_run *x, int n)
{
    free(x->cmdline);
    ms_compare_result_free(x->r);
    ms_compare_free(x->c);
    for (int k = 0; k < n; k++) {
        ms_engine_free(x->e[k]);
        ms_scenario_free(x->s[k]);
    }
}

/* Load every scenario, reporting every error of every file, and check that
 * they can be compared.  0, or -1. */
static int load_all(const compare_args *a, compare_run *x)
{
    int bad = 0;
    char msg[1024];
    for (int k = 0; k < a->nscen; k++)
        if (!(x->s[k] = cli_load_scenario(a->paths_of[k])))
            bad = 1;
    for (int k = 1; !bad && k < a->nscen; k++)
        if (ms_compare_check_scenarios(x->s[0], x->s[k], msg, sizeof msg)) {
            cli_err("compare: %s", msg);
            bad = 1;
        }
    return bad ? -1 : 0;
}

/* Short unique names: the file stems, "-K" added to a stem seen before. */
static void make_labels(const compare_args *a, compare_run *x)
{
    for (int k = 0; k < a->nscen; k++) {
        ms_compare_label(a->paths_of[k], x->label[k], sizeof x->label[k]);
        for (int j = 0; j < k; j++)
            if (!strcmp(x->label[j], x->label[k])) {
                size_t l = strlen(x->label[k]);
                snprintf(x->label[k] + (l < 50 ? l : 50), sizeof x->label[k] - (l < 50 ? l : 50), "-%d", k + 1);
                break;
            }
        x->labels[k] = x->label[k];
    }
}

/* The plan and the resource check, before anything big is allocated. */
static int plan(const compare_args *a, compare_run *x, const ms_engine_opts *eo, uint64_t paths, int threads)
{
    ms_estimate est;
    ms_compare_estimate((const ms_scenario *const *)x->s, a->nscen, eo, threads, paths, &est);
    double copies = 0;
    for (int k = 0; k < a->nscen; k++)
        for (int j = 0; j < x->s[k]->nsources; j++)
            copies += (double)x->s[k]->sources[j].len;
    char b[32];
    if (!a->quiet)
        fprintf(stderr, "magsim: compare: %d scenarios x %" PRIu64 " paths = %.0f model evaluations, about %s of memory\n",
                a->nscen, paths, (double)paths * a->nscen, cli_fmt_bytes(est.memory_bytes, b, sizeof b));
    return cli_check_resources(a->paths_of[0], &est, x->s[0]->months, threads, a->max_memory, a->out, copies);
}

static void note_seeds(const compare_args *a, const compare_run *x, uint64_t seed)
{
    for (int k = 0; k < a->nscen && !a->quiet; k++)
        if (x->s[k]->seed != seed)
            fprintf(stderr, "magsim: note: %s: run.seed %" PRIu64 " is not used: every scenario runs on seed %" PRIu64
                            " (common random numbers)\n",
                    a->paths_of[k], x->s[k]->seed, seed);
}

/* Compile the engines and pair them.  0, or an exit status. */
static int build(const compare_args *a, compare_run *x, const ms_engine_opts *eo)
{
    char msg[1024];
    for (int k = 0; k < a->nscen; k++)
        if (!(x->e[k] = ms_engine_alloc(x->s[k], eo, msg, sizeof msg))) {
            cli_err("%s: cannot run: %s", a->paths_of[k], msg);
            return CLI_EXIT_INVALID;
        }
    if (!(x->c = ms_compare_alloc(x->e[0], (const ms_engine *const *)x->e + 1, a->nscen - 1, msg, sizeof msg))) {
        cli_err("compare: %s", msg);
        return CLI_EXIT_INVALID;
    }
    x->r = ms_compare_result_alloc(x->c);
    if (!x->r) {
        cli_err("out of memory");
        return CLI_EXIT_RUNTIME;
    }
    return 0;
}

/* Report and write; the exit status. */
static int finish(const compare_args *a, compare_run *x, const ms_compare_info *info)
{
    char msg[1024];
    if (!a->quiet && ms_compare_terminal(stdout, x->c, x->r, info) == 0)
        fflush(stdout);
    if (a->out) {
        if (ms_compare_write_dir(a->out, a->force, x->c, x->r, info, msg, sizeof msg) != MS_OUTDIR_OK) {
            cli_err("--out: %s", msg);
            return CLI_EXIT_RUNTIME;
        }
        if (!a->quiet)
            fprintf(stderr, "magsim: wrote %s%s\n", a->out, x->r->interrupted ? " (partial result)" : "");
    }
    snprintf(msg, sizeof msg, "%" PRIu64 " of %" PRIu64 " paths", x->r->paths_done, x->r->paths_requested);
    return cli_exit_status(info->gsl_errors, x->r->interrupted, msg);
}

int cli_compare_main(int argc, char **argv, int full_argc, char **full_argv)
{
    compare_args a;
    int pr = parse_compare(argc, argv, &a);
    if (pr)
        return pr > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
    if (cli_check_out(a.out, a.force))
        return CLI_EXIT_RUNTIME;
    compare_run x;
    memset(&x, 0, sizeof x);
    int rc = CLI_EXIT_INVALID;
    if (load_all(&a, &x))
        goto done;
    make_labels(&a, &x);
    uint64_t paths = a.have_paths ? a.paths : x.s[0]->paths;
    ms_engine_opts eo = ms_engine_opts_default(x.s[0]);
    eo.series = !a.no_series;
    if (a.have_seed)
        eo.seed = a.seed;
    int threads = a.threads > 0 ? a.threads : omp_get_max_threads();
    if (threads < 1)
        threads = 1;
    note_seeds(&a, &x, eo.seed);
    rc = CLI_EXIT_RUNTIME;
    if (plan(&a, &x, &eo, paths, threads) || (rc = build(&a, &x, &eo)) != 0)
        goto done;
    rc = CLI_EXIT_RUNTIME;
    if (!(x.cmdline = cli_command_line(full_argc, full_argv))) {
        cli_err("out of memory");
        goto done;
    }
    cli_progress_state pg = {0};
    ms_run_opts ro = cli_run_opts(threads, a.quiet, &pg);
    int erc = ms_compare_run(x.c, 0, paths, &ro, x.r);
    cli_progress_done(&pg);
    if (erc != 0) {
        cli_err("the engine failed on some path (see the messages above)");
        goto done;
    }
    ms_compare_info info = {
        .paths = a.paths_of, .labels = x.labels, .command_line = x.cmdline, .seed = eo.seed,
        .quantiles = a.nquantiles ? a.quantiles : x.s[0]->quantiles,
        .nquantiles = a.nquantiles ? a.nquantiles : x.s[0]->nquantiles,
        .threads = x.r->threads > 0 ? x.r->threads : threads, .gsl_errors = cli_gsl_errors(),
    };
    rc = finish(&a, &x, &info);
done:
    compare_run_free(&x, a.nscen);
    return rc;
}
