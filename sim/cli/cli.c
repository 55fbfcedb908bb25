/*
 * sim/cli/cli.c - what the magsim commands share (sim/cli/cli.h): messages,
 * option values, signals, GSL errors, the progress bar, resource checks.
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

#include "magsim/outdir.h"
#include "magsim/output.h"
#include "magsim/report.h"
#include "cli.h"

const char *const cli_exit_text =
    "exit status:\n"
    "  0  success\n"
    "  1  runtime failure (output directory exists or cannot be written, the run would need more\n"
    "     memory than --max-memory or more disk than is free, out of memory, GSL error)\n"
    "  2  usage error (unknown option, bad value)\n"
    "  3  invalid input: a scenario that cannot be read or has errors; for report, a DIR that\n"
    "     is not a magsim result this version can read; for backtest, an observations file\n"
    "     that cannot be read or has errors\n"
    "  4  interrupted by SIGINT/SIGTERM: the partial result was written\n"
    "  5  a check failed: backtest's 90% band coverage is below --require-coverage (the\n"
    "     result was written)\n";

void cli_err(const char *fmt, ...)
{
    va_list ap;
    fputs("magsim: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/* ---- option values ------------------------------------------------------------------ */

/* A whole number in [lo, hi]: digits only. */
int cli_parse_u64(const char *opt, const char *s, uint64_t lo, uint64_t hi, uint64_t *out)
{
    const char *p = s;
    if (!*p) {
        cli_err("%s: \"%s\" is not a whole number", opt, s);
        return -1;
    }
    for (; *p; p++)
        if (*p < '0' || *p > '9') {
            cli_err("%s: \"%s\" is not a whole number", opt, s);
            return -1;
        }
    errno = 0;
    unsigned long long v = strtoull(s, NULL, 10);
    if (errno == ERANGE || v < lo || v > hi) {
        cli_err("%s: \"%s\" is out of range (%" PRIu64 " to %" PRIu64 ")", opt, s, lo, hi);
        return -1;
    }
    *out = (uint64_t)v;
    return 0;
}

/* A size in bytes: a number (decimals allowed) and an optional unit K, M, G
 * or T (powers of 1024), optionally followed by "i" and/or "B": 512M, 4G,
 * 1.5GiB, 100000. */
int cli_parse_size(const char *opt, const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || errno || !isfinite(v) || v <= 0 || *s == '-' || *s == '+' || strchr(" \t", *s)) {
        cli_err("%s: \"%s\" is not a size (such as 512M, 4G, 1.5GiB)", opt, s);
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
        cli_err("%s: \"%s\" is not a size (such as 512M, 4G, 1.5GiB)", opt, s);
        return -1;
    }
    if (v * mult < 1024 * 1024) {
        cli_err("%s: \"%s\" is less than 1 MiB", opt, s);
        return -1;
    }
    *out = v * mult;
    return 0;
}

/* A byte count for messages: "3.2 GiB". */
const char *cli_fmt_bytes(double b, char *buf, size_t len)
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

double cli_physical_memory(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), psize = sysconf(_SC_PAGESIZE);
    return pages > 0 && psize > 0 ? (double)pages * (double)psize : 0;
}

int cli_parse_quantiles(const char *s, double *q, int *nq)
{
    char *copy = strdup(s);
    if (!copy) {
        cli_err("out of memory");
        return -1;
    }
    int n = 0, rc = 0;
    char *save = NULL, *tok;
    if (!*s || s[strlen(s) - 1] == ',' || s[0] == ',' || strstr(s, ",,")) {
        cli_err("--quantiles: \"%s\" has an empty level", s);
        free(copy);
        return -1;
    }
    for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        char *end;
        errno = 0;
        double v = strtod(tok, &end);
        if (end == tok || *end || errno || !isfinite(v)) {
            cli_err("--quantiles: \"%s\" is not a number", tok);
            rc = -1;
            break;
        }
        if (!(v > 0 && v < 1)) {
            cli_err("--quantiles: \"%s\" is not between 0 and 1 (both excluded)", tok);
            rc = -1;
            break;
        }
        if (n == MS_MAX_QUANTILES) {
            cli_err("--quantiles: \"%s\" has more than %d levels", s, MS_MAX_QUANTILES);
            rc = -1;
            break;
        }
        if (n > 0 && !(v > q[n - 1])) {
            cli_err("--quantiles: \"%s\" is not strictly ascending", s);
            rc = -1;
            break;
        }
        if (n > 0) {
            char a[32], b[32];
            ms_output_qname(q[n - 1], a, sizeof a);
            ms_output_qname(v, b, sizeof b);
            if (!strcmp(a, b)) {
                cli_err("--quantiles: \"%s\": levels %g and %g are too close to name apart", s, q[n - 1], v);
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

/* The levels q with the report's added (ascending, no duplicates). */
int cli_add_report_quantiles(const double *q, int nq, double *out, int *nout)
{
    int n = 0, i = 0, j = 0;
    while (i < nq || j < ms_report_nquantiles) {
        double a = i < nq ? q[i] : 2, b = j < ms_report_nquantiles ? ms_report_quantiles[j] : 2, v = a < b ? a : b;
        i += a <= b + 1e-12;
        j += b <= a + 1e-12;
        if (n == MS_MAX_QUANTILES) {
            cli_err("--report: the run's quantile levels and the %d the report uses make more than %d",
                    ms_report_nquantiles, MS_MAX_QUANTILES);
            return -1;
        }
        out[n++] = v;
    }
    *nout = n;
    return 0;
}

/* argv joined with spaces, each argument shell-quoted when it needs it. */
char *cli_command_line(int argc, char **argv)
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

int cli_parse_threads(const char *s, int *out)
{
    uint64_t v;
    if (cli_parse_u64("--threads", s, 1, CLI_MAX_THREADS, &v))
        return -1;
    *out = (int)v;
    return 0;
}

/* The option as the user wrote it, for messages about getopt errors. */
const char *cli_bad_option(int argc, char **argv, int c)
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

int cli_common_option(int c, const char *arg, cli_common_opts *o)
{
    switch (c) {
    case 'n':
        o->have_paths = 1;
        return cli_parse_u64("--paths", arg, 1, CLI_MAX_PATHS, &o->paths);
    case 's':
        o->have_seed = 1;
        return cli_parse_u64("--seed", arg, 0, UINT64_MAX, &o->seed);
    case 'j': return cli_parse_threads(arg, &o->threads);
    case 'o':
        if (!*arg) {
            cli_err("--out: \"\" is not a directory name");
            return -1;
        }
        o->out = arg;
        return 0;
    case 'f': o->force = 1; return 0;
    case 'q': o->quiet = 1; return 0;
    case CLI_OPT_MAX_MEMORY: return cli_parse_size("--max-memory", arg, &o->max_memory);
    default: return 1;
    }
}

int cli_option_error(int c, int argc, char **argv, const char *command)
{
    if (c == ':')
        cli_err("%s needs a value (see `magsim help %s`)", cli_bad_option(argc, argv, c), command);
    else
        cli_err("unknown option \"%s\" (see `magsim help %s`)", cli_bad_option(argc, argv, c), command);
    return -1;
}

/* ---- signals ------------------------------------------------------------------------ */

_Static_assert(sizeof(sig_atomic_t) == sizeof(int), "the stop flag is an int the engine reads");
volatile int cli_stop;  /* set by the first SIGINT/SIGTERM; the engine polls it */

/* The handler may run on any thread while the engine's threads poll the flag
 * with atomic loads, so it is read and written atomically here too (a
 * lock-free atomic is async-signal-safe). */
int cli_stopped(void)
{
    return __atomic_load_n(&cli_stop, __ATOMIC_SEQ_CST) != 0;
}

static void on_signal(int sig)
{
    if (cli_stopped()) {  /* second signal: default action, now */
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = SIG_DFL;
        sigemptyset(&sa.sa_mask);
        sigaction(sig, &sa, NULL);
        raise(sig);
        return;
    }
    __atomic_store_n(&cli_stop, 1, __ATOMIC_SEQ_CST);
    static const char msg[] =
        "\nmagsim: interrupted: finishing the paths in flight, then writing the partial result"
        " (interrupt again to quit at once)\n";
    if (write(STDERR_FILENO, msg, sizeof msg - 1) < 0) {
        /* nothing to do */
    }
}

void cli_install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

/* ---- GSL errors ---------------------------------------------------------------------- */

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

void cli_gsl_install(void)
{
    gsl_set_error_handler(on_gsl_error);
}

int cli_gsl_errors(void)
{
    return atomic_load(&g_gsl_errors);
}

const char *cli_gsl_first(void)
{
    return g_gsl_first;
}

/* ---- progress bar -------------------------------------------------------------------- */

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

void cli_progress(uint64_t done, uint64_t total, double seconds, void *ctx)
{
    cli_progress_state *pg = ctx;
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

void cli_progress_done(cli_progress_state *p)
{
    if (p->shown) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
        p->shown = 0;
    }
}

/* ---- before a run ---------------------------------------------------------------------- */

int cli_check_resources(const char *what, const ms_estimate *est, int months, int threads, double max_memory,
                        const char *out_dir, double extra_out_bytes)
{
    double phys = cli_physical_memory();
    double limit = max_memory > 0 ? max_memory : 0.8 * phys;
    char b1[32], b2[32], b3[32];
    if (limit > 0 && est->memory_bytes > limit) {
        cli_err("%s: the run would need about %s of memory (%d months, %.0f statistics per path, "
                "%d thread%s), more than the %s allowed by %s; use --no-series, fewer --threads, "
                "a shorter horizon or fewer entities%s",
                what, cli_fmt_bytes(est->memory_bytes, b1, sizeof b1), months, est->nmetrics + est->nseries,
                threads, threads == 1 ? "" : "s", cli_fmt_bytes(limit, b2, sizeof b2),
                max_memory > 0 ? "--max-memory" : "the default --max-memory (80% of physical memory)",
                max_memory > 0 ? "" : ", or raise --max-memory");
        return -1;
    }
    if (!out_dir)
        return 0;
    /* the disk that will hold DIR: its parent directory */
    char *parent = strdup(out_dir);
    if (!parent) {
        cli_err("out of memory");
        return -1;
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
    double need = est->output_bytes + extra_out_bytes;
    int rc = 0;
    if (statvfs(pdir, &vf) == 0) {
        double avail = (double)vf.f_bavail * (double)vf.f_frsize;
        if (need > avail) {
            cli_err("--out: the result files would take about %s and %s has %s free; "
                    "free some space, choose another --out or use --no-series",
                    cli_fmt_bytes(need, b1, sizeof b1), pdir, cli_fmt_bytes(avail, b3, sizeof b3));
            rc = -1;
        }
    }
    free(parent);
    return rc;
}

int cli_check_out(const char *out, int force)
{
    char msg[1024];
    if (out && ms_outdir_check(out, force, msg, sizeof msg) != MS_OUTDIR_OK) {
        cli_err("--out: %s", msg);
        return -1;
    }
    return 0;
}

ms_run_opts cli_run_opts(int threads, int quiet, cli_progress_state *pg)
{
    ms_run_opts ro = {.threads = threads, .stop = &cli_stop};
    if (!quiet && isatty(STDERR_FILENO)) {
        ro.progress = cli_progress;
        ro.progress_ctx = pg;
    }
    cli_install_signals();
    return ro;
}

int cli_exit_status(int gsl_errors, int interrupted, const char *done)
{
    if (gsl_errors > 0) {
        cli_err("GSL reported %d error(s) during the run; first: %s", gsl_errors, cli_gsl_first());
        return CLI_EXIT_RUNTIME;
    }
    if (interrupted) {
        cli_err("interrupted after %s", done);
        return CLI_EXIT_INTERRUPTED;
    }
    return CLI_EXIT_OK;
}

ms_scenario *cli_load_scenario(const char *path)
{
    ms_diags diags;
    ms_diags_init(&diags);
    ms_scenario *s = ms_scenario_load(path, &diags);
    ms_diags_print(&diags, stderr, isatty(STDERR_FILENO));
    ms_diags_clear(&diags);
    return s;
}
