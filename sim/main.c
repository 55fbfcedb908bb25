/*
 * sim/main.c - the magsim command line: a thin front end over libmagsim.
 *
 *   magsim SCENARIO [options]          same as `magsim run SCENARIO [options]`
 *   magsim run SCENARIO [options]      simulate, print a summary, write files with --out
 *   magsim validate SCENARIO...        check scenario files, print their summaries
 *   magsim help [COMMAND]              usage
 *   magsim --version
 *
 * Subcommands dispatch through a table.  Options are parsed with getopt_long
 * into a struct and every value is checked before anything runs; an error
 * quotes the bad value back (magsim: --paths: "10k" is not a whole number).
 *
 * Exit status: 0 ok, 1 runtime failure, 2 usage error, 3 invalid scenario,
 * 4 interrupted (partial result written).
 *
 * Signals: the first SIGINT or SIGTERM sets the engine's stop flag; the
 * engine finishes the blocks of paths in flight, magsim writes the partial
 * result and exits 4.  A second signal restores the default action and
 * re-raises it: magsim ends at once, and since result directories appear
 * only by rename, at most a DIR.tmp.PID directory is left behind.
 *
 * GSL's default error handler calls abort(); main installs one that records
 * the error (count and first message) before any thread starts.  A run with
 * GSL errors still writes its files (the manifest counts the errors) but
 * exits 1.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>
#include <omp.h>

#include "magsim/diag.h"
#include "magsim/engine.h"
#include "magsim/output.h"
#include "magsim/scenario.h"
#include "fileio.h"

#ifndef MAGSIM_VERSION
#define MAGSIM_VERSION "0.0.0"
#endif

enum { EXIT_OK = 0, EXIT_RUNTIME = 1, EXIT_USAGE = 2, EXIT_INVALID = 3, EXIT_INTERRUPTED = 4 };

#define MAX_PATHS 1000000000000ULL  /* 1e12 */
#define MAX_THREADS 4096

static const char *const exit_text =
    "exit status:\n"
    "  0  success\n"
    "  1  runtime failure (output directory exists or cannot be written, the run would need more\n"
    "     memory than --max-memory or more disk than is free, out of memory, GSL error)\n"
    "  2  usage error (unknown option, bad value)\n"
    "  3  invalid scenario (the file cannot be read or has errors)\n"
    "  4  interrupted by SIGINT/SIGTERM: the partial result was written\n";

/* ---- signals ----------------------------------------------------------------- */

_Static_assert(sizeof(sig_atomic_t) == sizeof(int), "the stop flag is an int the engine reads");
static volatile int g_stop;  /* set by the first SIGINT/SIGTERM; the engine polls it */

static void on_signal(int sig)
{
    if (g_stop) {  /* second signal: default action, now */
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = SIG_DFL;
        sigemptyset(&sa.sa_mask);
        sigaction(sig, &sa, NULL);
        raise(sig);
        return;
    }
    g_stop = 1;
    static const char msg[] =
        "\nmagsim: interrupted: finishing the paths in flight, then writing the partial result"
        " (interrupt again to quit at once)\n";
    if (write(STDERR_FILENO, msg, sizeof msg - 1) < 0) {
        /* nothing to do */
    }
}

static void install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

/* ---- GSL errors ---------------------------------------------------------------- */

static atomic_int g_gsl_errors;
static atomic_flag g_gsl_once = ATOMIC_FLAG_INIT;
static char g_gsl_first[512];

static void on_gsl_error(const char *reason, const char *file, int line, int gsl_errno)
{
    if (!atomic_flag_test_and_set(&g_gsl_once))
        snprintf(g_gsl_first, sizeof g_gsl_first, "%s (%s, %s:%d)", reason ? reason : "?",
                 gsl_strerror(gsl_errno), file ? file : "?", line);
    atomic_fetch_add(&g_gsl_errors, 1);
}

/* ---- helpers --------------------------------------------------------------------- */

static void err(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

static void err(const char *fmt, ...)
{
    va_list ap;
    fputs("magsim: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/* A whole number in [lo, hi]: digits only. */
static int parse_u64(const char *opt, const char *s, uint64_t lo, uint64_t hi, uint64_t *out)
{
    const char *p = s;
    if (!*p) {
        err("%s: \"%s\" is not a whole number", opt, s);
        return -1;
    }
    for (; *p; p++)
        if (*p < '0' || *p > '9') {
            err("%s: \"%s\" is not a whole number", opt, s);
            return -1;
        }
    errno = 0;
    unsigned long long v = strtoull(s, NULL, 10);
    if (errno == ERANGE || v < lo || v > hi) {
        err("%s: \"%s\" is out of range (%" PRIu64 " to %" PRIu64 ")", opt, s, lo, hi);
        return -1;
    }
    *out = (uint64_t)v;
    return 0;
}

/* A size in bytes: a number (decimals allowed) and an optional unit K, M, G
 * or T (powers of 1024), optionally followed by "i" and/or "B": 512M, 4G,
 * 1.5GiB, 100000. */
static int parse_size(const char *opt, const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || errno || !isfinite(v) || v <= 0 || *s == '-' || *s == '+' || strchr(" \t", *s)) {
        err("%s: \"%s\" is not a size (such as 512M, 4G, 1.5GiB)", opt, s);
        return -1;
    }
    double mult = 1;
    const char *u = end;
    switch (*u) {
    case 'k': case 'K': mult = 1024.0; u++; break;
    case 'm': case 'M': mult = 1024.0 * 1024; u++; break;
    case 'g': case 'G': mult = 1024.0 * 1024 * 1024; u++; break;
    case 't': case 'T': mult = 1024.0 * 1024 * 1024 * 1024; u++; break;
    default: break;
    }
    if (mult > 1 && *u == 'i') u++;
    if (*u == 'B' || *u == 'b') u++;
    if (*u) {
        err("%s: \"%s\" is not a size (such as 512M, 4G, 1.5GiB)", opt, s);
        return -1;
    }
    if (v * mult < 1024 * 1024) {
        err("%s: \"%s\" is less than 1 MiB", opt, s);
        return -1;
    }
    *out = v * mult;
    return 0;
}

/* A byte count for messages: "3.2 GiB". */
static const char *fmt_bytes(double b, char *buf, size_t len)
{
    const char *units[] = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    int u = 0;
    while (b >= 1024 && u < 6) {
        b /= 1024;
        u++;
    }
    if (b >= 1e6)
        snprintf(buf, len, "%.3g %s", b, units[u]);
    else
        snprintf(buf, len, u ? "%.1f %s" : "%.0f %s", b, units[u]);
    return buf;
}

static double physical_memory(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), psize = sysconf(_SC_PAGESIZE);
    return pages > 0 && psize > 0 ? (double)pages * (double)psize : 0;
}

static int parse_quantiles(const char *s, double *q, int *nq)
{
    char *copy = strdup(s);
    if (!copy) {
        err("out of memory");
        return -1;
    }
    int n = 0, rc = 0;
    char *save = NULL, *tok;
    if (!*s || s[strlen(s) - 1] == ',' || s[0] == ',' || strstr(s, ",,")) {
        err("--quantiles: \"%s\" has an empty level", s);
        free(copy);
        return -1;
    }
    for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        char *end;
        errno = 0;
        double v = strtod(tok, &end);
        if (end == tok || *end || errno || !isfinite(v)) {
            err("--quantiles: \"%s\" is not a number", tok);
            rc = -1;
            break;
        }
        if (!(v > 0 && v < 1)) {
            err("--quantiles: \"%s\" is not between 0 and 1 (both excluded)", tok);
            rc = -1;
            break;
        }
        if (n == MS_MAX_QUANTILES) {
            err("--quantiles: \"%s\" has more than %d levels", s, MS_MAX_QUANTILES);
            rc = -1;
            break;
        }
        if (n > 0 && !(v > q[n - 1])) {
            err("--quantiles: \"%s\" is not strictly ascending", s);
            rc = -1;
            break;
        }
        if (n > 0) {
            char a[32], b[32];
            ms_output_qname(q[n - 1], a, sizeof a);
            ms_output_qname(v, b, sizeof b);
            if (!strcmp(a, b)) {
                err("--quantiles: \"%s\": levels %g and %g are too close to name apart", s, q[n - 1], v);
                rc = -1;
                break;
            }
        }
        q[n++] = v;
    }
    free(copy);
    if (rc == 0)
        *nq = n;
    return rc;
}

/* argv joined with spaces, each argument shell-quoted when it needs it. */
static char *command_line(int argc, char **argv)
{
    size_t len = 1;
    for (int i = 0; i < argc; i++)
        len += 4 * strlen(argv[i]) + 3;
    char *s = malloc(len), *p = s;
    if (!s)
        return NULL;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (i)
            *p++ = ' ';
        int plain = *a != '\0';
        for (const char *c = a; *c; c++)
            if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./,:=+-@%", *c))
                plain = 0;
        if (plain) {
            p += sprintf(p, "%s", a);
            continue;
        }
        *p++ = '\'';
        for (const char *c = a; *c; c++) {
            if (*c == '\'') {
                memcpy(p, "'\\''", 4);
                p += 4;
            } else {
                *p++ = *c;
            }
        }
        *p++ = '\'';
    }
    *p = '\0';
    return s;
}

static unsigned char *read_file(const char *path, size_t *len)
{
    int err;
    return (unsigned char *)ms_read_file(path, (size_t)-1 / 2, len, &err);
}

/* ---- progress bar ------------------------------------------------------------------ */

typedef struct progress {
    int shown;   /* a line is on screen */
} progress;

static void fmt_time(char *buf, size_t len, double s)
{
    if (!isfinite(s) || s < 0)
        snprintf(buf, len, "--:--");
    else if (s < 3600)
        snprintf(buf, len, "%d:%02d", (int)s / 60, (int)s % 60);
    else if (s < 100 * 3600.0)
        snprintf(buf, len, "%dh%02dm", (int)(s / 3600), ((int)s % 3600) / 60);
    else
        snprintf(buf, len, ">99h");
}

static void on_progress(uint64_t done, uint64_t total, double seconds, void *ctx)
{
    progress *pg = ctx;
    enum { W = 30 };
    double frac = total ? (double)done / (double)total : 1.0;
    int fill = (int)(frac * W);
    if (fill > W)
        fill = W;
    double rate = seconds > 0 ? (double)done / seconds : 0;
    char left[16];
    fmt_time(left, sizeof left, rate > 0 ? (double)(total - done) / rate : NAN);
    char bar[W + 1];
    memset(bar, '#', (size_t)fill);
    memset(bar + fill, '.', (size_t)(W - fill));
    bar[W] = '\0';
    fprintf(stderr, "\r[%s] %3.0f%%  %" PRIu64 "/%" PRIu64 " paths  %.0f paths/s  %s left\033[K", bar,
            100 * frac, done, total, rate, left);
    fflush(stderr);
    pg->shown = 1;
}

/* ---- usage -------------------------------------------------------------------------- */

static void usage_main(FILE *f)
{
    fputs("usage: magsim [run] SCENARIO [options]    simulate a scenario\n"
          "       magsim validate SCENARIO...         check scenario files\n"
          "       magsim help [COMMAND]               help on a command\n"
          "       magsim --version\n"
          "\n"
          "magsim simulates rare-earth magnet supply disruptions (export controls, tariffs,\n"
          "recycling, stockpiles, new capacity) by Monte Carlo and reports the distribution\n"
          "of shortages, price shocks and trade flows.\n"
          "\n"
          "commands:\n"
          "  run       simulate SCENARIO and print a summary; --out DIR writes the result files\n"
          "  validate  load each SCENARIO, report every error as FILE:LINE:COLUMN, summarise it\n"
          "  help      this text, or `magsim help run` for the run options\n"
          "\n",
          f);
    fputs(exit_text, f);
}

static void usage_run(FILE *f)
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
    fputs(exit_text, f);
}

static void usage_validate(FILE *f)
{
    fputs("usage: magsim validate SCENARIO...\n"
          "\n"
          "Load each scenario file, print every error and warning as FILE:LINE:COLUMN with the\n"
          "line and a caret, and for each valid file a summary (horizon, entities, policies).\n"
          "\n"
          "options:\n"
          "  -h, --help   this help\n"
          "\n",
          f);
    fputs(exit_text, f);
}

static void usage_help(FILE *f)
{
    fputs("usage: magsim help [COMMAND]\n\ncommands: run, validate, help\n", f);
}

/* ---- run --------------------------------------------------------------------------- */

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
    double max_memory;             /* --max-memory, bytes; 0: 80% of physical memory */
} run_args;

enum { OPT_QUANTILES = 256, OPT_NO_SERIES, OPT_MAX_MEMORY };

static const struct option run_longopts[] = {
    {"paths", required_argument, NULL, 'n'},
    {"seed", required_argument, NULL, 's'},
    {"threads", required_argument, NULL, 'j'},
    {"quantiles", required_argument, NULL, OPT_QUANTILES},
    {"out", required_argument, NULL, 'o'},
    {"force", no_argument, NULL, 'f'},
    {"quiet", no_argument, NULL, 'q'},
    {"no-series", no_argument, NULL, OPT_NO_SERIES},
    {"max-memory", required_argument, NULL, OPT_MAX_MEMORY},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* The option as the user wrote it, for messages about getopt errors. */
static const char *bad_option(int argc, char **argv, int c)
{
    static char buf[8];
    if (c == '?' && optopt) {
        snprintf(buf, sizeof buf, "-%c", optopt);
        return buf;
    }
    int k = optind - 1;
    if (k >= 0 && k < argc)
        return argv[k];
    return "?";
}

/* 0: parsed; 1: help printed; -1: usage error (message printed). */
static int parse_run(int argc, char **argv, run_args *a)
{
    memset(a, 0, sizeof *a);
    opterr = 0;
    optind = 1;
    int c;
    uint64_t v;
    while ((c = getopt_long(argc, argv, ":n:s:j:o:fqh", run_longopts, NULL)) != -1) {
        switch (c) {
        case 'n':
            if (parse_u64("--paths", optarg, 1, MAX_PATHS, &a->paths))
                return -1;
            a->have_paths = 1;
            break;
        case 's':
            if (parse_u64("--seed", optarg, 0, UINT64_MAX, &a->seed))
                return -1;
            a->have_seed = 1;
            break;
        case 'j':
            if (parse_u64("--threads", optarg, 1, MAX_THREADS, &v))
                return -1;
            a->threads = (int)v;
            break;
        case OPT_QUANTILES:
            if (parse_quantiles(optarg, a->quantiles, &a->nquantiles))
                return -1;
            break;
        case 'o':
            if (!*optarg) {
                err("--out: \"\" is not a directory name");
                return -1;
            }
            a->out = optarg;
            break;
        case 'f': a->force = 1; break;
        case 'q': a->quiet = 1; break;
        case OPT_NO_SERIES: a->no_series = 1; break;
        case OPT_MAX_MEMORY:
            if (parse_size("--max-memory", optarg, &a->max_memory))
                return -1;
            break;
        case 'h':
            usage_run(stdout);
            return 1;
        case ':':
            err("%s needs a value (see `magsim help run`)", bad_option(argc, argv, c));
            return -1;
        default:
            err("unknown option \"%s\" (see `magsim help run`)", bad_option(argc, argv, c));
            return -1;
        }
    }
    int npos = argc - optind;
    if (npos == 0) {
        err("run: no SCENARIO given (see `magsim help run`)");
        return -1;
    }
    if (npos > 1) {
        err("run: one SCENARIO at a time, not \"%s\" as well (see `magsim help run`)", argv[optind + 1]);
        return -1;
    }
    a->scenario = argv[optind];
    return 0;
}

static int cmd_run(int argc, char **argv, int full_argc, char **full_argv)
{
    run_args a;
    int pr = parse_run(argc, argv, &a);
    if (pr)
        return pr > 0 ? EXIT_OK : EXIT_USAGE;

    char msg[1024];
    if (a.out && ms_output_check_dir(a.out, a.force, msg, sizeof msg) != MS_OUTPUT_OK) {
        err("--out: %s", msg);
        return EXIT_RUNTIME;
    }

    int rc = EXIT_RUNTIME;
    ms_diags diags;
    ms_diags_init(&diags);
    ms_scenario *s = ms_scenario_load(a.scenario, &diags);
    ms_diags_print(&diags, stderr, isatty(STDERR_FILENO));
    ms_diags_clear(&diags);
    if (!s)
        return EXIT_INVALID;

    ms_engine *e = NULL;
    ms_result *r = NULL;
    unsigned char *bytes = NULL;
    size_t nbytes = 0;
    char *cmdline = NULL;
    progress pg = {0};

    bytes = read_file(a.scenario, &nbytes);
    if (!bytes) {
        err("cannot read %s: %s", a.scenario, strerror(errno));
        goto done;
    }
    if (a.have_paths)
        s->paths = a.paths;
    if (a.have_seed)
        s->seed = a.seed;
    if (a.nquantiles) {
        memcpy(s->quantiles, a.quantiles, sizeof a.quantiles);
        s->nquantiles = a.nquantiles;
    }
    if (s->paths < 1) {
        err("%s: run.paths is 0; nothing to simulate", a.scenario);
        rc = EXIT_INVALID;
        goto done;
    }

    if (s->paths > MAX_PATHS) {
        err("%s: run.paths is %" PRIu64 "; at most %llu paths are allowed", a.scenario, s->paths,
            (unsigned long long)MAX_PATHS);
        rc = EXIT_INVALID;
        goto done;
    }

    ms_engine_opts eo = {.series = !a.no_series};
    int threads = a.threads > 0 ? a.threads : omp_get_max_threads();
    if (threads < 1)
        threads = 1;
    /* resource limits, before anything big is allocated */
    {
        ms_estimate est;
        ms_engine_estimate(s, &eo, threads, &est);
        double phys = physical_memory();
        double limit = a.max_memory > 0 ? a.max_memory : 0.8 * phys;
        char b1[32], b2[32], b3[32];
        if (limit > 0 && est.memory_bytes > limit) {
            err("%s: the run would need about %s of memory (%d months, %.0f statistics per path, "
                "%d thread%s), more than the %s allowed by %s; use --no-series, fewer --threads, "
                "a shorter horizon or fewer entities%s",
                a.scenario, fmt_bytes(est.memory_bytes, b1, sizeof b1), s->months,
                est.nmetrics + est.nseries, threads, threads == 1 ? "" : "s", fmt_bytes(limit, b2, sizeof b2),
                a.max_memory > 0 ? "--max-memory" : "the default --max-memory (80% of physical memory)",
                a.max_memory > 0 ? "" : ", or raise --max-memory");
            goto done;
        }
        if (a.out) {
            /* the disk that will hold DIR: its parent directory */
            char *parent = strdup(a.out);
            if (!parent) {
                err("out of memory");
                goto done;
            }
            size_t pl = strlen(parent);
            while (pl > 1 && parent[pl - 1] == '/')
                parent[--pl] = '\0';
            char *slash = strrchr(parent, '/');
            const char *pdir = ".";
            if (slash == parent)
                pdir = "/";
            else if (slash) {
                *slash = '\0';
                pdir = parent;
            }
            struct statvfs vf;
            double need = est.output_bytes + (double)nbytes;
            if (statvfs(pdir, &vf) == 0) {
                double avail = (double)vf.f_bavail * (double)vf.f_frsize;
                if (need > avail) {
                    err("--out: the result files would take about %s and %s has %s free; "
                        "free some space, choose another --out or use --no-series",
                        fmt_bytes(need, b1, sizeof b1), pdir, fmt_bytes(avail, b3, sizeof b3));
                    free(parent);
                    goto done;
                }
            }
            free(parent);
        }
    }
    e = ms_engine_alloc(s, &eo, msg, sizeof msg);
    if (!e) {
        err("%s: cannot run: %s", a.scenario, msg);
        rc = EXIT_INVALID;
        goto done;
    }
    r = ms_result_alloc(e);
    cmdline = command_line(full_argc, full_argv);
    if (!r || !cmdline) {
        err("out of memory");
        goto done;
    }

    ms_run_opts ro = {.threads = threads, .stop = &g_stop};
    if (!a.quiet && isatty(STDERR_FILENO)) {
        ro.progress = on_progress;
        ro.progress_ctx = &pg;
    }
    install_signals();
    int erc = ms_engine_run(e, 0, s->paths, &ro, r);
    if (pg.shown) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
    }
    if (erc != 0) {
        err("the engine failed on some path (see the messages above)");
        goto done;
    }

    ms_output_info info = {
        .scenario_path = a.scenario,
        .scenario_bytes = bytes,
        .scenario_len = nbytes,
        .command_line = cmdline,
        .seed = s->seed,
        .quantiles = s->quantiles,
        .nquantiles = s->nquantiles,
        .threads = r->threads > 0 ? r->threads : threads,
        .gsl_errors = atomic_load(&g_gsl_errors),
    };
    if (!a.quiet && ms_output_terminal(stdout, e, r, &info) == 0)
        fflush(stdout);
    if (a.out) {
        int orc = ms_output_write_dir(a.out, a.force, e, r, &info, msg, sizeof msg);
        if (orc != MS_OUTPUT_OK) {
            err("--out: %s", msg);
            goto done;
        }
        if (!a.quiet)
            fprintf(stderr, "magsim: wrote %s%s\n", a.out, r->interrupted ? " (partial result)" : "");
    }
    if (info.gsl_errors > 0) {
        err("GSL reported %d error(s) during the run; first: %s", info.gsl_errors, g_gsl_first);
        goto done;
    }
    rc = r->interrupted ? EXIT_INTERRUPTED : EXIT_OK;
    if (r->interrupted)
        err("interrupted after %" PRIu64 " of %" PRIu64 " paths", r->paths_done, r->paths_requested);

done:
    free(cmdline);
    free(bytes);
    ms_result_free(r);
    ms_engine_free(e);
    ms_scenario_free(s);
    return rc;
}

/* ---- validate ----------------------------------------------------------------------- */

static int cmd_validate(int argc, char **argv, int full_argc, char **full_argv)
{
    static const struct option longopts[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        if (c == 'h') {
            usage_validate(stdout);
            return EXIT_OK;
        }
        err("validate: unknown option \"%s\" (see `magsim help validate`)", bad_option(argc, argv, c));
        return EXIT_USAGE;
    }
    if (optind >= argc) {
        err("validate: no SCENARIO given (see `magsim help validate`)");
        return EXIT_USAGE;
    }
    int bad = 0, color = isatty(STDERR_FILENO);
    for (int i = optind; i < argc; i++) {
        ms_diags d;
        ms_diags_init(&d);
        ms_scenario *s = ms_scenario_load(argv[i], &d);
        ms_diags_print(&d, stderr, color);
        if (s) {
            printf("%s: ok", argv[i]);
            if (d.n > d.nerrors)
                printf(" (%d warning%s)", d.n - d.nerrors, d.n - d.nerrors == 1 ? "" : "s");
            putchar('\n');
            ms_scenario_print_summary(s, stdout);
            if (i + 1 < argc)
                putchar('\n');
            ms_scenario_free(s);
        } else {
            fprintf(stderr, "%s: invalid (%d error%s)\n", argv[i], d.nerrors, d.nerrors == 1 ? "" : "s");
            bad = 1;
        }
        fflush(stdout);
        ms_diags_clear(&d);
    }
    return bad ? EXIT_INVALID : EXIT_OK;
}

/* ---- help, dispatch --------------------------------------------------------------------- */

static int cmd_help(int argc, char **argv, int full_argc, char **full_argv);

typedef struct command {
    const char *name;
    int (*run)(int argc, char **argv, int full_argc, char **full_argv);
    void (*usage)(FILE *f);
} command;

static const command commands[] = {
    {"run", cmd_run, usage_run},
    {"validate", cmd_validate, usage_validate},
    {"help", cmd_help, usage_help},
};
enum { NCOMMANDS = sizeof commands / sizeof commands[0] };

static const command *find_command(const char *name)
{
    for (int i = 0; i < NCOMMANDS; i++)
        if (!strcmp(commands[i].name, name))
            return &commands[i];
    return NULL;
}

static int cmd_help(int argc, char **argv, int full_argc, char **full_argv)
{
    if (argc <= 1) {
        usage_main(stdout);
        return EXIT_OK;
    }
    if (argc > 2) {
        err("help: one COMMAND at a time");
        return EXIT_USAGE;
    }
    const command *c = find_command(argv[1]);
    if (!c) {
        err("help: \"%s\" is not a command (run, validate, help)", argv[1]);
        return EXIT_USAGE;
    }
    c->usage(stdout);
    return EXIT_OK;
}

int main(int argc, char **argv)
{
    /* before anything can call GSL, and before any thread starts */
    gsl_set_error_handler(on_gsl_error);
    if (argc < 2) {
        usage_main(stderr);
        return EXIT_USAGE;
    }
    const char *a1 = argv[1];
    if (!strcmp(a1, "--version") || !strcmp(a1, "-V")) {
        printf("magsim %s\n", MAGSIM_VERSION);
        return EXIT_OK;
    }
    if (!strcmp(a1, "--help") || !strcmp(a1, "-h")) {
        usage_main(stdout);
        return EXIT_OK;
    }
    const command *c = find_command(a1);
    if (c)  /* the command sees argv from its own name on */
        return c->run(argc - 1, argv + 1, argc, argv);
    /* `magsim SCENARIO [options]` (or options first): run */
    return cmd_run(argc, argv, argc, argv);
}
