/*
 * sim/cli/sweep.c - `magsim sweep SWEEP.yaml --out DIR`: run every point of
 * a sweep (docs/hpc.md), serially, over MPI ranks, or as one shard of a
 * Slurm job array, with a checkpoint that --resume continues.
 *
 * A point is the base scenario with the point's input values
 * (ms_sweep_point), run with the sweep's seed and paths, monthly series off;
 * its rows are summary.csv's rows with the point index and values in front.
 * Points go whole to ranks, round-robin, when there are at least as many
 * points left as ranks; otherwise each point's path blocks are split over
 * every rank and the packed results (ms_result_pack) merged on rank 0.
 * Either way a point's rows depend on (sweep, point) alone, so the files are
 * byte-identical for any rank, thread or shard count.  Every finished point
 * is recorded in DIR.ckpt at once (sim/cli/ckpt.c); SIGINT/SIGTERM stop the
 * engine after the blocks in flight, finished points stay recorded, and
 * magsim exits 4; --resume skips them.  When every point of this shard is
 * recorded, rank 0 writes DIR and removes DIR.ckpt.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <omp.h>

#include "magsim/engine.h"
#include "magsim/fmt.h"
#include "magsim/output.h"
#include "magsim/outdir.h"
#include "magsim/sweep.h"
#include "cli.h"
#include "ckpt.h"
#include "par.h"
#include "sweepout.h"

void cli_sweep_usage(FILE *f)
{
    fputs("usage: magsim sweep SWEEP.yaml --out DIR [options]\n"
          "       mpirun -n N magsim sweep SWEEP.yaml --out DIR [options]   (built with make MPI=1)\n"
          "\n"
          "Run the base scenario at every point of the sweep's design (docs/hpc.md) and write\n"
          "sweep.csv and sweep.json: a row per point and metric, the varied inputs as columns.\n"
          "\n"
          "options:\n"
          "  -o, --out DIR          the result directory (required); its checkpoint is DIR.ckpt\n"
          "      --shard I/N        run only shard I of N (points p with p % N == I) and write a\n"
          "                         shard for `magsim merge` (default in a Slurm job array:\n"
          "                         SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN of SLURM_ARRAY_TASK_COUNT)\n"
          "      --resume           continue from DIR.ckpt: finished points are not run again\n"
          "  -n, --paths N          paths per point (default: paths: in the sweep file)\n"
          "  -j, --threads N        threads per process (default: OMP_NUM_THREADS, else every core)\n"
          "  -f, --force            replace DIR when it holds an earlier magsim output\n"
          "  -q, --quiet            no progress messages\n"
          "      --dry-run          check the sweep and print the plan (points, memory per process)\n"
          "      --max-memory SIZE  refuse to start when a process would need more (default: 80% of RAM)\n"
          "  -h, --help             this help\n"
          "\n"
          "An interrupt (Ctrl-C, SIGTERM) stops after the blocks in flight; finished points are\n"
          "in DIR.ckpt, magsim exits 4, and the same command with --resume continues.\n"
          "\n",
          f);
    fputs(cli_exit_text, f);
}

typedef struct sweep_args {
    const char *file;              /* SWEEP.yaml */
    const char *out;               /* --out */
    int shard, nshards;            /* --shard I/N; nshards 0: the whole sweep */
    int resume, force, quiet, dry_run;
    int threads;                   /* --threads; 0: OpenMP default */
    uint64_t paths;                /* --paths; 0: the sweep file's */
    double max_memory;             /* --max-memory; 0: default */
} sweep_args;

enum { OPT_SHARD = 256, OPT_RESUME, OPT_DRY_RUN, OPT_MAX_MEMORY };

static const struct option sweep_longopts[] = {
    {"out", required_argument, NULL, 'o'},      {"shard", required_argument, NULL, OPT_SHARD},
    {"resume", no_argument, NULL, OPT_RESUME},  {"threads", required_argument, NULL, 'j'},
    {"force", no_argument, NULL, 'f'},          {"quiet", no_argument, NULL, 'q'},
    {"dry-run", no_argument, NULL, OPT_DRY_RUN}, {"max-memory", required_argument, NULL, OPT_MAX_MEMORY},
    {"paths", required_argument, NULL, 'n'},    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static int parse_shard(const char *opt, const char *s, int *i, int *n)
{
    char *e1 = NULL, *e2 = NULL;
    long a = strtol(s, &e1, 10), b = *e1 == '/' ? strtol(e1 + 1, &e2, 10) : 0;
    if (e1 == s || *e1 != '/' || !e2 || *e2 || e2 == e1 + 1 || b < 1 || b > MS_SWEEP_MAX_POINTS || a < 0 ||
        a >= b) {
        cli_err("%s: \"%s\" is not a shard I/N with 0 <= I < N (such as 0/4)", opt, s);
        return -1;
    }
    *i = (int)a;
    *n = (int)b;
    return 0;
}

/* In a Slurm job array: this task's shard. */
static int slurm_shard(int *i, int *n)
{
    const char *id = getenv("SLURM_ARRAY_TASK_ID"), *cnt = getenv("SLURM_ARRAY_TASK_COUNT");
    const char *mn = getenv("SLURM_ARRAY_TASK_MIN");
    if (!id || !cnt)
        return 0;
    char buf[64];
    snprintf(buf, sizeof buf, "%ld/%s", atol(id) - (mn ? atol(mn) : 0), cnt);
    return parse_shard("SLURM_ARRAY_TASK_ID", buf, i, n) ? -1 : 1;
}

static int parse_sweep(int argc, char **argv, sweep_args *a)
{
    memset(a, 0, sizeof *a);
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, ":o:j:n:fqh", sweep_longopts, NULL)) != -1) {
        switch (c) {
        case 'o': a->out = optarg; break;
        case OPT_SHARD:
            if (parse_shard("--shard", optarg, &a->shard, &a->nshards))
                return -1;
            break;
        case OPT_RESUME: a->resume = 1; break;
        case 'j':
            if (cli_parse_threads(optarg, &a->threads))
                return -1;
            break;
        case 'n':
            if (cli_parse_u64("--paths", optarg, 1, CLI_MAX_PATHS, &a->paths))
                return -1;
            break;
        case 'f': a->force = 1; break;
        case 'q': a->quiet = 1; break;
        case OPT_DRY_RUN: a->dry_run = 1; break;
        case OPT_MAX_MEMORY:
            if (cli_parse_size("--max-memory", optarg, &a->max_memory))
                return -1;
            break;
        case 'h': cli_sweep_usage(stdout); return 1;
        case ':':
            cli_err("%s needs a value (see `magsim help sweep`)", cli_bad_option(argc, argv, c));
            return -1;
        default:
            cli_err("unknown option \"%s\" (see `magsim help sweep`)", cli_bad_option(argc, argv, c));
            return -1;
        }
    }
    if (argc - optind != 1) {
        cli_err(argc - optind ? "sweep: one SWEEP file at a time" : "sweep: no SWEEP file given (see `magsim help sweep`)");
        return -1;
    }
    a->file = argv[optind];
    if (!a->dry_run && (!a->out || !*a->out)) {
        cli_err("sweep: --out DIR is required (see `magsim help sweep`)");
        return -1;
    }
    if (!a->nshards && slurm_shard(&a->shard, &a->nshards) < 0)
        return -1;
    return 0;
}

/* ---- one point ---------------------------------------------------------------- */

typedef struct sweep_run {
    const sweep_args *a;
    ms_sweep *w;
    char *id;                      /* identity text (sim/cli/sweepout.h) */
    char *ckpt_id;                 /* the checkpoint's: id plus the shard line */
    cli_ckpt ck;
    int rank, ranks, threads;
    int *todo, ntodo;              /* points of this shard without a record */
    int stopped, failed;           /* this rank was interrupted / hit an error */
} sweep_run;

/* The engine of point p (series off); NULL after a message. */
static ms_engine *point_engine(const ms_sweep *w, int p, ms_scenario **s)
{
    ms_diags d;
    ms_diags_init(&d);
    *s = p < 0 ? NULL : ms_sweep_point(w, p, &d);
    if (p >= 0 && !*s) {
        cli_err("point %d cannot be built:", p);
        ms_diags_print(&d, stderr, 0);
    }
    ms_diags_clear(&d);
    const ms_scenario *sc = p < 0 ? w->base : *s;
    if (!sc)
        return NULL;
    ms_engine_opts eo = ms_engine_opts_default(sc);
    eo.series = 0;
    eo.seed = w->seed;
    char err[256];
    ms_engine *e = ms_engine_alloc(sc, &eo, err, sizeof err);
    if (!e)
        cli_err("point %d cannot be run: %s", p, err);
    return e;
}

static ms_output_info point_info(const ms_sweep *w)
{
    ms_output_info info = {.scenario_path = w->scenario_path, .seed = w->seed, .quantiles = w->quantiles,
                           .nquantiles = w->nquantiles};
    return info;
}

/* summary.csv of (e, r) in memory. */
static char *summary_text(const ms_sweep *w, const ms_engine *e, const ms_result *r, size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    if (!f)
        return NULL;
    ms_output_info info = point_info(w);
    int rc = ms_output_summary_csv(f, e, r, &info);
    if (fclose(f) || rc) {
        free(buf);
        return NULL;
    }
    return buf;
}

/* Point p's rows: summary.csv's rows behind "p,value,...,". */
static char *point_rows(const ms_sweep *w, int p, const ms_engine *e, const ms_result *r, size_t *len)
{
    size_t slen = 0;
    char *sum = summary_text(w, e, r, &slen), *buf = NULL;
    FILE *f = sum ? open_memstream(&buf, len) : NULL;
    if (!f) {
        free(sum);
        return NULL;
    }
    char pre[2048], v[64];
    int n = snprintf(pre, sizeof pre, "%d", p);
    for (int j = 0; j < w->ninputs && n < (int)sizeof pre - 80; j++) {
        ms_sweep_value_text(w, p, j, v, sizeof v);
        n += snprintf(pre + n, sizeof pre - (size_t)n, ",%s", v);
    }
    for (const char *l = strchr(sum, '\n'); l && l[1]; l = strchr(l + 1, '\n')) {
        fprintf(f, "%s,", pre);
        fwrite(l + 1, 1, strcspn(l + 1, "\n") + 1, f);
    }
    free(sum);
    if (fclose(f)) {
        free(buf);
        return NULL;
    }
    return buf;
}

/* The CSV header: point, the input keys, then summary.csv's columns. */
static char *sweep_columns(const ms_sweep *w)
{
    ms_scenario *none = NULL;
    ms_engine *e = point_engine(w, -1, &none);
    ms_result *r = e ? ms_result_alloc(e) : NULL;
    size_t len = 0;
    char *sum = r ? summary_text(w, e, r, &len) : NULL, *buf = NULL;
    FILE *f = sum ? open_memstream(&buf, &len) : NULL;
    if (f) {
        fputs("point", f);
        for (int j = 0; j < w->ninputs; j++) {
            fputc(',', f);
            ms_fmt_csv_str(f, w->inputs[j].key);
        }
        fprintf(f, ",%.*s", (int)strcspn(sum, "\n"), sum);
        if (fclose(f)) {
            free(buf);
            buf = NULL;
        }
    }
    free(sum);
    ms_result_free(r);
    ms_engine_free(e);
    return buf;
}

static char *sweep_identity(const ms_sweep *w, const char *columns)
{
    char *buf = NULL, q[32];
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return NULL;
    fprintf(f, "magsim_version %s\nname ", MAGSIM_VERSION);
    for (const char *c = w->name; *c; c++) /* the name on one line */
        fputc((unsigned char)*c < 0x20 ? ' ' : *c, f);
    fprintf(f, "\nsweep_sha256 %s\nscenario_sha256 %s\nseed %" PRIu64 "\npaths %" PRIu64 "\nquantiles ",
            w->sha256, w->scenario_sha256, w->seed, w->paths);
    for (int k = 0; k < w->nquantiles; k++) {
        ms_fmt_double(q, sizeof q, w->quantiles[k]);
        fprintf(f, "%s%s", k ? "," : "", q);
    }
    fprintf(f, "\ndesign %s\nnpoints %d\n", ms_design_name(w->design), w->npoints);
    for (int j = 0; j < w->ninputs; j++)
        fprintf(f, "input %s %s\n", w->inputs[j].is_date ? "date" : "number", w->inputs[j].key);
    fprintf(f, "columns %s\n", columns);
    if (fclose(f)) {
        free(buf);
        return NULL;
    }
    return buf;
}

/* ---- running ------------------------------------------------------------------ */

/* Run paths [first, first + n) of point p into a fresh result. */
static ms_result *run_range(sweep_run *R, const ms_engine *e, uint64_t first, uint64_t n)
{
    ms_result *r = ms_result_alloc(e);
    if (!r) {
        cli_err("out of memory");
        R->failed = 1;
        return NULL;
    }
    ms_run_opts ro = {.threads = R->threads, .stop = &cli_stop};
    if (n > 0 && ms_engine_run(e, first, n, &ro, r) != 0) {
        cli_err("the engine failed on some path (see the messages above)");
        R->failed = 1;
    }
    if (r->interrupted || cli_stopped())
        R->stopped = 1;
    return r;
}

static void record(sweep_run *R, int p, const ms_engine *e, const ms_result *r)
{
    size_t len = 0;
    char *rows = point_rows(R->w, p, e, r, &len);
    if (!rows || cli_ckpt_put(&R->ck, p, rows, len))
        R->failed = 1;
    free(rows);
    if (!R->a->quiet && !R->failed)
        fprintf(stderr, "magsim: point %d done (rank %d)\n", p, R->rank);
}

/* Points whole, round-robin over ranks; no communication. */
static void run_whole(sweep_run *R)
{
    for (int i = R->rank; i < R->ntodo && !R->stopped && !R->failed; i += R->ranks) {
        ms_scenario *s = NULL;
        ms_engine *e = point_engine(R->w, R->todo[i], &s);
        ms_result *r = e ? run_range(R, e, 0, R->w->paths) : NULL;
        R->failed |= !e;
        if (r && !R->stopped && !R->failed)
            record(R, R->todo[i], e, r);
        ms_result_free(r);
        ms_engine_free(e);
        ms_scenario_free(s);
    }
}

/* One point's blocks split over every rank, merged on rank 0 (collective). */
static void run_split(sweep_run *R, int p)
{
    uint64_t blocks = (R->w->paths + MS_BLOCK - 1) / MS_BLOCK;
    uint64_t b0 = blocks * (uint64_t)R->rank / (uint64_t)R->ranks;
    uint64_t b1 = blocks * (uint64_t)(R->rank + 1) / (uint64_t)R->ranks;
    uint64_t first = b0 * MS_BLOCK, end = b1 * MS_BLOCK < R->w->paths ? b1 * MS_BLOCK : R->w->paths;
    ms_scenario *s = NULL;
    ms_engine *e = point_engine(R->w, p, &s);
    ms_result *r = e ? run_range(R, e, first, end > first ? end - first : 0) : NULL;
    R->failed |= !r;
    unsigned char *img = NULL, **all = NULL;
    size_t len = r ? ms_result_pack(r, &img) : 0, *lens = NULL;
    if (cli_par_any(R->failed || R->stopped || !len)) {
        R->stopped |= !R->failed;
    } else if (cli_par_gather(img, len, &all, &lens) == 0 && R->rank == 0) {
        ms_result *m = ms_result_alloc(e);
        for (int k = 0; m && k < R->ranks; k++)
            if (ms_result_unpack_merge(m, all[k], lens[k])) {
                cli_err("point %d: the result of rank %d does not unpack", p, k);
                R->failed = 1;
            }
        if (m && !R->failed)
            record(R, p, e, m);
        ms_result_free(m);
    }
    for (int k = 0; all && k < R->ranks; k++)
        free(all[k]);
    free(all);
    free(lens);
    free(img);
    ms_result_free(r);
    ms_engine_free(e);
    ms_scenario_free(s);
}

static void run_points(sweep_run *R)
{
    if (R->ntodo >= R->ranks) {
        run_whole(R);
        return;
    }
    for (int i = 0; i < R->ntodo; i++) {
        if (cli_par_any(R->stopped || R->failed))
            break;
        run_split(R, R->todo[i]);
    }
}

/* The files copied beside the result: the sweep file and the scenario's. */
static int copies_of(const ms_sweep *w, cli_blob *c, int max)
{
    int n = 0;
    c[n++] = (cli_blob){"sweep.yaml", w->bytes, w->len};
    for (int k = 0; k < w->base->nsources && n < max; k++) {
        const char *p = w->base->sources[k].path, *b = strrchr(p, '/') ? strrchr(p, '/') + 1 : p;
        int clash = !*b || !strcmp(b, "sweep.yaml") || !strcmp(b, "scenario.yaml");
        for (int j = 1; j < n; j++)
            clash |= !strcmp(c[j].name, b);
        if (k == 0 || !clash)
            c[n++] = (cli_blob){k == 0 ? "scenario.yaml" : b, (const char *)w->base->sources[k].bytes,
                                w->base->sources[k].len};
    }
    return n;
}

/* Rank 0, every point of this shard recorded: write DIR, drop DIR.ckpt. */
static int finish(sweep_run *R, int argc, char **argv, double wall)
{
    const ms_sweep *w = R->w;
    char **rows = calloc((size_t)w->npoints, sizeof *rows);
    size_t *lens = calloc((size_t)w->npoints, sizeof *lens);
    int rc = rows && lens ? 0 : -1;
    for (int p = 0; rc == 0 && p < w->npoints; p++)
        if (!R->a->nshards || p % R->a->nshards == R->a->shard)
            if (!(rows[p] = cli_ckpt_get(&R->ck, p, &lens[p]))) {
                cli_err("point %d has no record in %s (a rank on another file system?)", p, R->ck.dir);
                rc = -1;
            }
    cli_blob copies[16];
    char *cmd = cli_command_line(argc, argv);
    cli_sweep_out o = {.id = R->id, .shard = R->a->shard, .nshards = R->a->nshards, .npoints = w->npoints,
                       .rows = rows, .lens = lens, .copies = copies, .ncopies = copies_of(w, copies, 16),
                       .command_line = cmd, .ranks = R->ranks, .threads = R->threads, .wall_seconds = wall};
    if (rc == 0)
        rc = cli_sweep_write(R->a->out, R->a->force, &o);
    if (rc == 0) {
        cli_ckpt_remove(&R->ck);
        if (!R->a->quiet)
            fprintf(stderr, "magsim: wrote %s (%d points%s, %d rank%s x %d thread%s)\n", R->a->out,
                    R->a->nshards ? (w->npoints - R->a->shard + R->a->nshards - 1) / R->a->nshards : w->npoints,
                    R->a->nshards ? " of this shard" : "", R->ranks, R->ranks > 1 ? "s" : "", R->threads,
                    R->threads > 1 ? "s" : "");
    }
    for (int p = 0; rows && p < w->npoints; p++)
        free(rows[p]);
    free(rows);
    free(lens);
    free(cmd);
    return rc;
}

static int shard_points(const sweep_args *a, int npoints)
{
    return a->nshards ? (npoints - a->shard + a->nshards - 1) / a->nshards : npoints;
}

/* --dry-run: the plan, with what one process needs (ms_engine_estimate). */
static void print_plan(const sweep_run *R, const ms_estimate *est)
{
    const ms_sweep *w = R->w;
    char b1[32];
    printf("sweep      %s  (%s design, %d input%s)\n", w->name, ms_design_name(w->design), w->ninputs,
           w->ninputs > 1 ? "s" : "");
    printf("scenario   %s\n", w->scenario_path);
    printf("points     %d", w->npoints);
    if (R->a->nshards)
        printf(" (shard %d/%d: %d)", R->a->shard, R->a->nshards, shard_points(R->a, w->npoints));
    printf("   paths per point %" PRIu64 "   seed %" PRIu64 "\n", w->paths, w->seed);
    printf("memory     about %s per process at %d thread%s (monthly series off)\n",
           cli_fmt_bytes(est->memory_bytes, b1, sizeof b1), R->threads, R->threads > 1 ? "s" : "");
    printf("statistics %.0f per path; rows per point %.0f\n", est->nmetrics, est->nmetrics);
    for (int p = 0; p < w->npoints && p < 5; p++) {
        printf("point %-5d", p);
        for (int j = 0; j < w->ninputs; j++) {
            char v[64];
            ms_sweep_value_text(w, p, j, v, sizeof v);
            printf(" %s=%s", w->inputs[j].key, v);
        }
        putchar('\n');
    }
    if (w->npoints > 5)
        printf("...\n");
}

/* Load the sweep (diagnostics from rank 0 only); 0 when every rank has it. */
static int load_all(sweep_run *R, const char *file)
{
    ms_diags d;
    ms_diags_init(&d);
    R->w = ms_sweep_load(file, &d);
    if (R->w && R->a->paths)
        R->w->paths = R->a->paths;
    if (R->rank == 0)
        ms_diags_print(&d, stderr, isatty(STDERR_FILENO));
    ms_diags_clear(&d);
    return cli_par_any(!R->w) ? -1 : 0;
}

/* Identity, checkpoint (rank 0 takes the lock first), points left. */
static int prepare(sweep_run *R)
{
    const sweep_args *a = R->a;
    char msg[1024], shard[64] = "";
    int bad = 0;
    if (R->rank == 0 && ms_outdir_check(a->out, a->force, msg, sizeof msg) != MS_OUTDIR_OK) {
        cli_err("--out: %s", msg);
        bad = 1;
    }
    char *cols = bad ? NULL : sweep_columns(R->w);
    R->id = cols ? sweep_identity(R->w, cols) : NULL;
    free(cols);
    if (a->nshards)
        snprintf(shard, sizeof shard, "shard %d/%d\n", a->shard, a->nshards);
    if (R->id && (R->ckpt_id = malloc(strlen(R->id) + strlen(shard) + 1)))
        sprintf(R->ckpt_id, "%s%s", R->id, shard);
    bad |= !R->ckpt_id;
    if (R->rank == 0 && !bad)
        bad = cli_ckpt_open(&R->ck, a->out, R->ckpt_id, a->resume, 1) != 0;
    if (cli_par_any(bad))
        return -1;
    if (R->rank != 0 && cli_ckpt_open(&R->ck, a->out, R->ckpt_id, 1, 0))
        bad = 1;
    R->todo = calloc((size_t)R->w->npoints, sizeof *R->todo);
    for (int p = 0; R->todo && p < R->w->npoints; p++)
        if ((!a->nshards || p % a->nshards == a->shard) && !cli_ckpt_has(&R->ck, p))
            R->todo[R->ntodo++] = p;
    if (R->rank == 0 && a->resume && !a->quiet)
        fprintf(stderr, "magsim: resuming: %d of %d points left\n", R->ntodo, shard_points(a, R->w->npoints));
    return cli_par_any(bad || !R->todo) ? -1 : 0;
}

static int resources_ok(sweep_run *R, ms_estimate *est)
{
    ms_engine_opts eo = ms_engine_opts_default(R->w->base);
    eo.series = 0;
    ms_engine_estimate(R->w->base, &eo, R->threads, R->w->paths, est);
    if (R->a->dry_run)
        return 0;
    return cli_check_resources(R->a->file, est, R->w->base->months, R->threads, R->a->max_memory,
                               R->rank == 0 ? R->a->out : NULL, 0) ? -1 : 0;
}

static int sweep_body(sweep_run *R, int argc, char **argv)
{
    ms_estimate est;
    if (load_all(R, R->a->file))
        return CLI_EXIT_INVALID;
    if (cli_par_any(resources_ok(R, &est)))
        return CLI_EXIT_RUNTIME;
    if (R->a->dry_run) {
        if (R->rank == 0)
            print_plan(R, &est);
        return CLI_EXIT_OK;
    }
    if (prepare(R))
        return CLI_EXIT_RUNTIME;
    double t0 = omp_get_wtime();
    cli_install_signals();
    run_points(R);
    int failed = cli_par_any(R->failed), stopped = cli_par_any(R->stopped);
    if (failed)
        return CLI_EXIT_RUNTIME;
    if (stopped) {
        if (R->rank == 0)
            cli_err("interrupted: finished points are recorded in %s; continue with the same command and "
                    "--resume", R->ck.dir);
        return CLI_EXIT_INTERRUPTED;
    }
    cli_par_barrier(); /* every rank's records are on disk */
    if (R->rank == 0 && finish(R, argc, argv, omp_get_wtime() - t0))
        return CLI_EXIT_RUNTIME;
    return CLI_EXIT_OK;
}

int cli_sweep_main(int argc, char **argv, int full_argc, char **full_argv)
{
    sweep_args a;
    int pr = parse_sweep(argc, argv, &a);
    if (pr)
        return pr > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
    if (cli_par_init(&full_argc, &full_argv))
        return CLI_EXIT_USAGE;
    sweep_run R;
    memset(&R, 0, sizeof R);
    R.a = &a;
    R.ck.lock_fd = -1;
    R.rank = cli_par_rank();
    R.ranks = cli_par_size();
    R.threads = a.threads > 0 ? a.threads : omp_get_max_threads();
    int rc = sweep_body(&R, full_argc, full_argv);
    cli_ckpt_close(&R.ck);
    free(R.todo);
    free(R.id);
    free(R.ckpt_id);
    ms_sweep_free(R.w);
    /* an error on one rank is an error of the job: every rank exits with it */
    rc = cli_par_any(rc == CLI_EXIT_RUNTIME) ? CLI_EXIT_RUNTIME : rc;
    cli_par_finalize();
    return rc;
}
