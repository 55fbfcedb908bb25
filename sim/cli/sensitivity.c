/*
 * sim/cli/sensitivity.c - `magsim sensitivity SCENARIO`: Sobol' first-order
 * and total indices of chosen outputs over the scenario's uncertain inputs,
 * with bootstrap intervals, and the tornado (magsim/sens.h).
 *
 * Outputs are named like the files name them: --metric starts one, and the
 * --supplier/--importer/--industry/--product that follow qualify it (left
 * out: the roll-up, "all").  Every name is checked against the scenario and
 * a wrong one is answered with the valid ones.  The memory and the number
 * of model evaluations are estimated before anything runs; SIGINT stops
 * after the rows in flight and writes the partial result (exit 4).
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

#include "magsim/dist.h"
#include "magsim/outdir.h"
#include "magsim/sens.h"
#include "magsim/stat.h"
#include "cli.h"

#define MAX_OUTPUTS 32
#define DEFAULT_ROWS 512
#define DEFAULT_BOOT 1000
#define DEFAULT_TORNADO 64
#define DEFAULT_TOP 15

void cli_sensitivity_usage(FILE *f)
{
    fputs("usage: magsim sensitivity SCENARIO [options]\n"
          "\n"
          "Which uncertain input drives an output?  Sobol' first-order (S1) and total (ST) indices\n"
          "of each output over every uncertain input of SCENARIO (or those named by --inputs), with\n"
          "bootstrap intervals, from a Saltelli design on Sobol' points run through the engine;\n"
          "and the tornado: each input at its 5th and 95th percentile, the others at their median.\n"
          "What is drawn per path and not analysed (outages, regime switches, licence noise) is\n"
          "reported as \"(intrinsic)\".  Results are the same for any thread count.\n"
          "\n"
          "outputs (several allowed; default: --metric shortage_share, every importer and industry):\n"
          "      --metric NAME      a metric of summary.csv (shortage_share, peak_price_shock, ...);\n"
          "                         each --metric starts an output, the options below qualify it\n"
          "      --importer NAME    --industry NAME    --product NAME    --supplier NAME\n"
          "                         the output's entities (left out: the total, \"all\")\n"
          "\n"
          "options:\n"
          "      --inputs LIST      analyse only these inputs: key paths or their prefixes, comma-separated\n"
          "                         (policies.april_licensing_ndfeb,importers.usa.industries.ev_traction)\n"
          "  -n, --rows N           Saltelli rows (default 512); evaluations = N x (inputs + 3)\n"
          "      --bootstrap B      bootstrap resamples of the rows for the intervals (default 1000)\n"
          "      --level L          confidence level of the intervals (default 0.95)\n"
          "      --tornado-paths R  paths per tornado setting (default 64; 0: no tornado)\n"
          "      --top N            inputs listed per output on the terminal (default 15)\n"
          "  -s, --seed N           seed (default: run.seed in the scenario)\n"
          "  -j, --threads N        worker threads (default: OMP_NUM_THREADS, else every core)\n"
          "  -o, --out DIR          write sensitivity.csv, tornado.csv, sensitivity.json, manifest.json\n"
          "                         and scenario.yaml into DIR; DIR appears complete or not at all\n"
          "  -f, --force            replace DIR when it holds an earlier magsim output\n"
          "  -q, --quiet            no progress bar, no plan and no report on stdout\n"
          "      --max-memory SIZE  refuse an analysis estimated to need more memory than SIZE\n"
          "  -h, --help             this help\n"
          "\n"
          "See docs/analysis.md for the estimators and their error bars.\n"
          "\n",
          f);
    fputs(cli_exit_text, f);
}

typedef struct out_spec {
    const char *metric;                              /* --metric */
    const char *supplier, *importer, *industry, *product; /* NULL: the roll-up or not applicable */
} out_spec;

typedef struct sens_args {
    const char *scenario;
    out_spec out[MAX_OUTPUTS];
    int nout;
    const char *inputs;            /* --inputs, or NULL: every uncertain input */
    uint64_t rows, nboot, tornado, top;
    double level;
    int have_seed;
    uint64_t seed;
    int threads;
    const char *outdir;
    int force, quiet;
    double max_memory;
} sens_args;

enum { OPT_METRIC = 256, OPT_SUPPLIER, OPT_IMPORTER, OPT_INDUSTRY, OPT_PRODUCT, OPT_INPUTS, OPT_BOOT, OPT_LEVEL,
       OPT_TORNADO, OPT_TOP, OPT_MAX_MEMORY };

static const struct option sens_longopts[] = {
    {"metric", required_argument, NULL, OPT_METRIC},     {"supplier", required_argument, NULL, OPT_SUPPLIER},
    {"importer", required_argument, NULL, OPT_IMPORTER}, {"industry", required_argument, NULL, OPT_INDUSTRY},
    {"product", required_argument, NULL, OPT_PRODUCT},   {"inputs", required_argument, NULL, OPT_INPUTS},
    {"rows", required_argument, NULL, 'n'},              {"bootstrap", required_argument, NULL, OPT_BOOT},
    {"level", required_argument, NULL, OPT_LEVEL},       {"tornado-paths", required_argument, NULL, OPT_TORNADO},
    {"top", required_argument, NULL, OPT_TOP},           {"seed", required_argument, NULL, 's'},
    {"threads", required_argument, NULL, 'j'},           {"out", required_argument, NULL, 'o'},
    {"force", no_argument, NULL, 'f'},                   {"quiet", no_argument, NULL, 'q'},
    {"max-memory", required_argument, NULL, OPT_MAX_MEMORY}, {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* --importer and the like: set on the last --metric. */
static int set_entity(const char *opt, const char **slot_of_last)
{
    if (*slot_of_last) {
        cli_err("%s given twice for one --metric (\"%s\" and \"%s\")", opt, *slot_of_last, optarg);
        return -1;
    }
    *slot_of_last = optarg;
    return 0;
}

static int entity_option(int c, sens_args *a)
{
    static const char *const names[] = {"--supplier", "--importer", "--industry", "--product"};
    const char *opt = names[c - OPT_SUPPLIER];
    if (a->nout == 0) {
        cli_err("%s \"%s\" must follow the --metric it qualifies (see `magsim help sensitivity`)", opt, optarg);
        return -1;
    }
    out_spec *o = &a->out[a->nout - 1];
    const char **slot[] = {&o->supplier, &o->importer, &o->industry, &o->product};
    return set_entity(opt, slot[c - OPT_SUPPLIER]);
}

static int parse_level(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end || errno || !(v > 0 && v < 1)) {
        cli_err("--level: \"%s\" is not a number between 0 and 1 (both excluded)", s);
        return -1;
    }
    *out = v;
    return 0;
}

static int parse_option(int c, int argc, char **argv, sens_args *a)
{
    switch (c) {
    case OPT_METRIC:
        if (a->nout == MAX_OUTPUTS) {
            cli_err("--metric: at most %d outputs at a time", MAX_OUTPUTS);
            return -1;
        }
        a->out[a->nout++] = (out_spec){.metric = optarg};
        return 0;
    case OPT_SUPPLIER: case OPT_IMPORTER: case OPT_INDUSTRY: case OPT_PRODUCT: return entity_option(c, a);
    case OPT_INPUTS:
        if (!*optarg || optarg[0] == ',' || optarg[strlen(optarg) - 1] == ',' || strstr(optarg, ",,")) {
            cli_err("--inputs: \"%s\" has an empty key path", optarg);
            return -1;
        }
        a->inputs = optarg;
        return 0;
    case 'n': return cli_parse_u64("--rows", optarg, 2, 10000000, &a->rows);
    case OPT_BOOT: return cli_parse_u64("--bootstrap", optarg, 0, 100000, &a->nboot);
    case OPT_LEVEL: return parse_level(optarg, &a->level);
    case OPT_TORNADO: return cli_parse_u64("--tornado-paths", optarg, 0, 1000000, &a->tornado);
    case OPT_TOP: return cli_parse_u64("--top", optarg, 1, 100000, &a->top);
    case 's':
        a->have_seed = 1;
        return cli_parse_u64("--seed", optarg, 0, UINT64_MAX, &a->seed);
    case 'j': return cli_parse_threads(optarg, &a->threads);
    case 'o':
        if (!*optarg) {
            cli_err("--out: \"\" is not a directory name");
            return -1;
        }
        a->outdir = optarg;
        return 0;
    case 'f': a->force = 1; return 0;
    case 'q': a->quiet = 1; return 0;
    case OPT_MAX_MEMORY: return cli_parse_size("--max-memory", optarg, &a->max_memory);
    case ':':
        cli_err("%s needs a value (see `magsim help sensitivity`)", cli_bad_option(argc, argv, c));
        return -1;
    default:
        cli_err("unknown option \"%s\" (see `magsim help sensitivity`)", cli_bad_option(argc, argv, c));
        return -1;
    }
}

/* 0: parsed; 1: help printed; -1: usage error (message printed). */
static int parse_sens(int argc, char **argv, sens_args *a)
{
    memset(a, 0, sizeof *a);
    a->rows = DEFAULT_ROWS;
    a->nboot = DEFAULT_BOOT;
    a->tornado = DEFAULT_TORNADO;
    a->top = DEFAULT_TOP;
    a->level = 0.95;
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, ":n:s:j:o:fqh", sens_longopts, NULL)) != -1) {
        if (c == 'h') {
            cli_sensitivity_usage(stdout);
            return 1;
        }
        if (parse_option(c, argc, argv, a))
            return -1;
    }
    if (argc - optind != 1) {
        cli_err(argc - optind ? "sensitivity: one SCENARIO at a time (see `magsim help sensitivity`)"
                              : "sensitivity: no SCENARIO given (see `magsim help sensitivity`)");
        return -1;
    }
    a->scenario = argv[optind];
    if (a->nout == 0)
        a->out[a->nout++] = (out_spec){.metric = "shortage_share"};
    return 0;
}

/* ---- outputs by name -------------------------------------------------------------------------- */

/* The names of one kind of entity (industries: of importer imp) into a
 * malloc'd array; *n their count. */
static const char **entity_names(const ms_scenario *s, int dim, int imp, int *n)
{
    *n = dim == MS_DIM_SUPPLIER ? s->nsuppliers
         : dim == MS_DIM_IMPORTER ? s->nimporters
         : dim == MS_DIM_PRODUCT  ? s->nproducts
                                  : s->importers[imp].nindustries;
    const char **v = malloc(sizeof *v * ((size_t)*n + 1));
    for (int k = 0; v && k < *n; k++)
        v[k] = dim == MS_DIM_SUPPLIER ? s->suppliers[k].name
               : dim == MS_DIM_IMPORTER ? s->importers[k].name
               : dim == MS_DIM_PRODUCT  ? s->products[k].name
                                        : s->importers[imp].industries[k].name;
    return v;
}

/* Index of name among one kind of entity, or -1 after an error that lists them. */
static int entity_index(const char *scen, const ms_scenario *s, int dim, int imp, const char *opt, const char *name)
{
    int n;
    const char **v = entity_names(s, dim, imp, &n);
    if (!v) {
        cli_err("out of memory");
        return -1;
    }
    for (int k = 0; k < n; k++)
        if (!strcmp(v[k], name)) {
            free(v);
            return k;
        }
    fprintf(stderr, "magsim: %s: %s \"%s\" is not in %s%s%s; valid:", opt, opt + 2, name, scen,
            dim == MS_DIM_INDUSTRY ? " for importer " : "", dim == MS_DIM_INDUSTRY ? s->importers[imp].name : "");
    for (int k = 0; k < n; k++)
        fprintf(stderr, "%s %s", k ? "," : "", v[k]);
    fputc('\n', stderr);
    free(v);
    return -1;
}

/* The statistics of metric `what` that exist, for a message. */
static void list_existing(const ms_engine *e, int what)
{
    const ms_scenario *s = ms_engine_scenario(e);
    static const struct { int dim; const char *name; } dims[4] = {
        {MS_DIM_SUPPLIER, "--supplier"}, {MS_DIM_IMPORTER, "--importer"}, {MS_DIM_INDUSTRY, "--industry"},
        {MS_DIM_PRODUCT, "--product"}};
    int shown = 0;
    for (int i = 0; i < ms_engine_nmetrics(e) && shown < 8; i++) {
        const ms_stat_desc *d = ms_engine_desc(e, i);
        if (d->is_series || d->what != what)
            continue;
        fprintf(stderr, "  --metric %s", ms_stat_name(d));
        for (int k = 0; k < 4; k++) {
            char b[16];
            const char *n = ms_stat_entity(s, d, dims[k].dim, b, sizeof b);
            if (n && strcmp(n, "all"))
                fprintf(stderr, " %s %s", dims[k].name, n);
        }
        fputc('\n', stderr);
        shown++;
    }
    fputs("  ...\n", stderr);
}

/* The engine's statistic for an output spec; -1 after a message naming what is valid. */
static int resolve_output(const char *scen, const ms_engine *e, const out_spec *o)
{
    const ms_scenario *s = ms_engine_scenario(e);
    char names[512];
    int what = ms_stat_what(0, o->metric);
    if (what < 0) {
        ms_stat_names(0, names, sizeof names);
        cli_err("--metric: \"%s\" is not a metric; metrics: %s", o->metric, names);
        return -1;
    }
    const ms_stat_kind *kind = ms_stat_kind_of(0, what);
    const char *given[4] = {o->supplier, o->importer, o->industry, o->product};
    static const int dims[4] = {MS_DIM_SUPPLIER, MS_DIM_IMPORTER, MS_DIM_INDUSTRY, MS_DIM_PRODUCT};
    static const char *const opts[4] = {"--supplier", "--importer", "--industry", "--product"};
    int idx[4] = {-1, -1, -1, -1};
    for (int k = 0; k < 4; k++) {
        if (!given[k])
            continue;
        if (!(kind->dims & dims[k])) {
            cli_err("%s does not apply to %s (it is per %s%s%s)", opts[k], o->metric,
                    kind->dims & MS_DIM_SUPPLIER ? "supplier, " : "", "importer",
                    kind->dims & MS_DIM_INDUSTRY ? " and industry" : " and product");
            return -1;
        }
        if (dims[k] == MS_DIM_INDUSTRY && idx[1] < 0) {
            cli_err("--industry \"%s\" needs the --importer it belongs to", given[k]);
            return -1;
        }
        if ((idx[k] = entity_index(scen, s, dims[k], idx[1], opts[k], given[k])) < 0)
            return -1;
    }
    int i = ms_stat_find(e, 0, what, idx[0], idx[1], idx[2], idx[3], -1);
    if (i < 0) {
        cli_err("%s has no %s for the entities given (\"all\" where one is left out); it has, for instance:", scen,
                o->metric);
        list_existing(e, what);
    }
    return i;
}

/* ---- inputs by key ----------------------------------------------------------------------------- */

/* 1 when key is path or lies under it ("a.b" is under "a"). */
static int under(const char *key, const char *path)
{
    size_t n = strlen(path);
    return key && !strncmp(key, path, n) && (key[n] == '\0' || key[n] == '.');
}

static void list_uncertain(const ms_engine *e)
{
    for (int k = 0; k < ms_engine_ninputs(e); k++) {
        const ms_dist *d = ms_engine_input(e, k);
        if (!ms_dist_is_fixed(d) && d->key)
            fprintf(stderr, "  %s\n", d->key);
    }
}

/* Check one --inputs path: it must name or contain an uncertain input. */
static int check_input_path(const char *scen, const ms_engine *e, const char *path)
{
    int fixed = 0;
    for (int k = 0; k < ms_engine_ninputs(e); k++) {
        const ms_dist *d = ms_engine_input(e, k);
        if (under(d->key, path)) {
            if (!ms_dist_is_fixed(d))
                return 0;
            fixed = 1;
        }
    }
    if (fixed)
        cli_err("--inputs: \"%s\" is fixed in %s: there is nothing to vary; the uncertain inputs are:", path, scen);
    else
        cli_err("--inputs: no input \"%s\" in %s; the uncertain inputs are:", path, scen);
    list_uncertain(e);
    return -1;
}

/* The factors: the uncertain inputs under one of the --inputs paths (all
 * without --inputs), in the engine's order.  Their count, or -1 after a message. */
static int select_factors(const sens_args *a, const ms_engine *e, int *factors)
{
    char *list = a->inputs ? strdup(a->inputs) : NULL;
    const char *paths[256];
    int np = 0, n = 0, bad = 0;
    if (a->inputs && !list) {
        cli_err("out of memory");
        return -1;
    }
    char *save = NULL;
    for (char *t = list ? strtok_r(list, ",", &save) : NULL; t && np < 256; t = strtok_r(NULL, ",", &save))
        if (check_input_path(a->scenario, e, (paths[np++] = t)))
            bad = 1;
    for (int k = 0; !bad && k < ms_engine_ninputs(e); k++) {
        const ms_dist *d = ms_engine_input(e, k);
        int take = !ms_dist_is_fixed(d) && (np == 0);
        for (int j = 0; j < np && !take; j++)
            take = !ms_dist_is_fixed(d) && under(d->key, paths[j]);
        if (take)
            factors[n++] = k;
    }
    free(list);
    return bad ? -1 : n;
}

/* ---- the run ------------------------------------------------------------------------------------ */

/* Everything an analysis holds, freed in one place. */
typedef struct sens_run {
    ms_scenario *sc;
    ms_engine *e;
    int *factors, outputs[MAX_OUTPUTS];
    ms_sens *s;
    char *cmdline;
} sens_run;

static void sens_run_free(sens_run *x)
{
    free(x->cmdline);
    ms_sens_free(x->s);
    free(x->factors);
    ms_engine_free(x->e);
    ms_scenario_free(x->sc);
}

/* Memory (with a message that names the remedies of this command) and disk. */
static int check_plan(const sens_args *a, const sens_run *x, const ms_sens_plan *p, int threads)
{
    ms_estimate est;
    ms_sens_estimate(x->e, p, threads, &est);
    double limit = a->max_memory > 0 ? a->max_memory : 0.8 * cli_physical_memory();
    char b1[32], b2[32];
    if (!a->quiet)
        fprintf(stderr, "magsim: sensitivity: %d inputs, %d output%s: %.0f model evaluations, about %s of memory\n",
                p->nfactors, p->noutputs, p->noutputs == 1 ? "" : "s", ms_sens_evaluations(p),
                cli_fmt_bytes(est.memory_bytes, b1, sizeof b1));
    if (limit > 0 && est.memory_bytes > limit) {
        cli_err("%s: the analysis would need about %s of memory (%d rows x %d evaluations x %d outputs kept), "
                "more than the %s allowed by %s; use fewer --rows, --tornado-paths or outputs%s",
                a->scenario, cli_fmt_bytes(est.memory_bytes, b1, sizeof b1), p->rows, p->nfactors + 3, p->noutputs,
                cli_fmt_bytes(limit, b2, sizeof b2), a->max_memory > 0 ? "--max-memory" : "the default --max-memory",
                a->max_memory > 0 ? "" : ", or raise --max-memory");
        return -1;
    }
    return cli_check_resources(a->scenario, &est, x->sc->months, threads, a->max_memory, a->outdir, 0);
}

/* Compile, name the outputs and factors.  0, or an exit status. */
static int prepare(const sens_args *a, sens_run *x, const ms_engine_opts *eo, int threads, int *nfactors)
{
    char msg[1024];
    ms_estimate est;
    ms_engine_estimate(x->sc, eo, threads, 0, &est); /* no result accumulators: the engine and workspaces */
    if (cli_check_resources(a->scenario, &est, x->sc->months, threads, a->max_memory, NULL, 0))
        return CLI_EXIT_RUNTIME;
    if (!(x->e = ms_engine_alloc(x->sc, eo, msg, sizeof msg))) {
        cli_err("%s: cannot run: %s", a->scenario, msg);
        return CLI_EXIT_INVALID;
    }
    for (int o = 0; o < a->nout; o++)
        if ((x->outputs[o] = resolve_output(a->scenario, x->e, &a->out[o])) < 0)
            return CLI_EXIT_USAGE;
    if (!(x->factors = malloc(sizeof(int) * ((size_t)ms_engine_ninputs(x->e) + 1)))) {
        cli_err("out of memory");
        return CLI_EXIT_RUNTIME;
    }
    if ((*nfactors = select_factors(a, x->e, x->factors)) < 0)
        return CLI_EXIT_USAGE;
    if (*nfactors == 0) {
        cli_err("%s: no uncertain input: every number and date in it is fixed, so no variance can be attributed "
                "(give an input a distribution, docs/scenario.md)",
                a->scenario);
        return CLI_EXIT_INVALID;
    }
    return 0;
}

static int finish(const sens_args *a, sens_run *x, const ms_sens_info *info)
{
    char msg[1024];
    ms_sens_status st = ms_sens_get_status(x->s);
    if (!a->quiet && ms_sens_terminal(stdout, x->s, info) == 0)
        fflush(stdout);
    if (a->outdir) {
        if (ms_sens_write_dir(a->outdir, a->force, x->s, info, msg, sizeof msg) != MS_OUTDIR_OK) {
            cli_err("--out: %s", msg);
            return CLI_EXIT_RUNTIME;
        }
        if (!a->quiet)
            fprintf(stderr, "magsim: wrote %s%s\n", a->outdir, st.interrupted ? " (partial result)" : "");
    }
    snprintf(msg, sizeof msg, "%d of %d rows", st.rows_done, ms_sens_get_plan(x->s)->rows);
    return cli_exit_status(info->gsl_errors, st.interrupted, msg);
}

int cli_sensitivity_main(int argc, char **argv, int full_argc, char **full_argv)
{
    sens_args a;
    int pr = parse_sens(argc, argv, &a);
    if (pr)
        return pr > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
    if (cli_check_out(a.outdir, a.force))
        return CLI_EXIT_RUNTIME;
    char msg[1024];
    sens_run x;
    memset(&x, 0, sizeof x);
    if (!(x.sc = cli_load_scenario(a.scenario)))
        return CLI_EXIT_INVALID;
    ms_engine_opts eo = ms_engine_opts_default(x.sc);
    eo.series = 0;
    if (a.have_seed)
        eo.seed = a.seed;
    int threads = a.threads > 0 ? a.threads : omp_get_max_threads(), nfactors = 0;
    if (threads < 1)
        threads = 1;
    int rc = prepare(&a, &x, &eo, threads, &nfactors);
    if (rc)
        goto done;
    ms_sens_plan plan = {.nfactors = nfactors, .factors = x.factors, .noutputs = a.nout, .outputs = x.outputs,
                         .rows = (int)a.rows, .tornado_paths = (int)a.tornado, .nboot = (int)a.nboot,
                         .level = a.level, .seed = eo.seed};
    rc = CLI_EXIT_RUNTIME;
    if (check_plan(&a, &x, &plan, threads))
        goto done;
    if (!(x.s = ms_sens_alloc(x.e, &plan, msg, sizeof msg)) || !(x.cmdline = cli_command_line(full_argc, full_argv))) {
        cli_err("%s", x.s ? "out of memory" : msg);
        goto done;
    }
    cli_progress_state pg = {0};
    ms_run_opts ro = cli_run_opts(threads, a.quiet, &pg);
    int erc = ms_sens_run(x.s, &ro);
    cli_progress_done(&pg);
    if (erc != 0) {
        cli_err("the engine failed on some path (see the messages above)");
        goto done;
    }
    ms_sens_info info = {.scenario_path = a.scenario, .command_line = x.cmdline, .gsl_errors = cli_gsl_errors(),
                         .top = (int)a.top};
    rc = finish(&a, &x, &info);
done:
    sens_run_free(&x);
    return rc;
}
