/*
 * sim/cli/cli.h - what the magsim commands share (internal to the program).
 *
 * The command line is a thin front end over libmagsim: sim/cli/main.c
 * dispatches through a table of commands, and each command lives in its
 * own file, sim/cli/NAME.c, with the prefix cli_NAME_ (its usage text and
 * its entry point).  This header holds what every command needs: exit
 * codes, error messages that quote the bad value back, option-value
 * parsers, the signal-driven stop flag, the GSL error record, the progress
 * bar and the resource check made before a run.
 */
#ifndef MAGSIM_CLI_H
#define MAGSIM_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "magsim/engine.h"
#include "magsim/scenario.h"

#ifndef MAGSIM_VERSION
#define MAGSIM_VERSION "0.0.0"
#endif

/* Exit status, documented in `magsim help` and the README. */
enum {
    CLI_EXIT_OK = 0,
    CLI_EXIT_RUNTIME = 1,
    CLI_EXIT_USAGE = 2,
    CLI_EXIT_INVALID = 3,
    CLI_EXIT_INTERRUPTED = 4,
    CLI_EXIT_CHECK = 5         /* a check the user asked for failed (backtest --require-coverage) */
};

#define CLI_MAX_PATHS 1000000000000ULL  /* 1e12 */
#define CLI_MAX_THREADS 4096

extern const char *const cli_exit_text;   /* the exit-status table, for usage texts */

/* A command: its name, entry point (argv from the command's own name on;
 * full_argv for the manifest's command line) and usage text. */
typedef struct cli_command {
    const char *name;
    int (*main)(int argc, char **argv, int full_argc, char **full_argv);
    void (*usage)(FILE *f);
    const char *summary;   /* one line for `magsim help` */
} cli_command;

/* "magsim: " + message + newline, on stderr. */
void cli_err(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/* Option values: 0 ok, -1 after a message that quotes the value. */
int cli_parse_u64(const char *opt, const char *s, uint64_t lo, uint64_t hi, uint64_t *out);
int cli_parse_size(const char *opt, const char *s, double *out);        /* 512M, 4G, 1.5GiB */
int cli_parse_quantiles(const char *s, double *q, int *nq);             /* 0.05,0.5,0.95 */
int cli_parse_threads(const char *s, int *out);                         /* --threads */
/* The quantile levels q with the report's (ms_report_quantiles) added,
 * ascending, without duplicates, into out (MS_MAX_QUANTILES).  -1 after a
 * message when they would be too many. */
int cli_add_report_quantiles(const double *q, int nq, double *out, int *nout);
/* The option as the user wrote it, for getopt errors. */
const char *cli_bad_option(int argc, char **argv, int c);

/* The options of the commands that run paths (backtest; run, compare and
 * sensitivity spell the same ones out): -n/--paths, -s/--seed,
 * -j/--threads, -o/--out, -f/--force, -q/--quiet and --max-memory (long
 * option value CLI_OPT_MAX_MEMORY). */
enum { CLI_OPT_MAX_MEMORY = 0x1000 };
typedef struct cli_common_opts {
    int have_paths;
    uint64_t paths;                /* --paths */
    int have_seed;
    uint64_t seed;                 /* --seed */
    int threads;                   /* --threads; 0: OpenMP default */
    const char *out;               /* --out */
    int force, quiet;              /* --force, --quiet */
    double max_memory;             /* --max-memory, bytes; 0: 80% of physical memory */
} cli_common_opts;
/* getopt's result c (value in arg): 0 when it was a common option and is
 * valid, -1 after a message quoting a bad value, 1 when c is not one. */
int cli_common_option(int c, const char *arg, cli_common_opts *o);
/* The message for getopt's ':' (no value) or '?' (unknown option) in
 * `magsim COMMAND`; returns -1. */
int cli_option_error(int c, int argc, char **argv, const char *command);

/* "3.2 GiB" */
const char *cli_fmt_bytes(double b, char *buf, size_t len);
double cli_physical_memory(void);
/* argv joined with spaces, each argument shell-quoted when it needs it (malloc'd). */
char *cli_command_line(int argc, char **argv);

/* Signals: cli_install_signals() makes the first SIGINT or SIGTERM set
 * cli_stop (the engine polls it); a second one kills at once. */
extern volatile int cli_stop;
int cli_stopped(void);  /* an atomic read of cli_stop */
void cli_install_signals(void);

/* GSL errors recorded by the handler main installs before any thread starts. */
void cli_gsl_install(void);
int cli_gsl_errors(void);
const char *cli_gsl_first(void);

/* Progress bar on stderr (when it is a terminal): pass cli_progress as the
 * engine's callback with a cli_progress_state; cli_progress_done clears it. */
typedef struct cli_progress_state {
    int shown;   /* a line is on screen */
} cli_progress_state;
void cli_progress(uint64_t done, uint64_t total, double seconds, void *ctx);
void cli_progress_done(cli_progress_state *p);

/* Before a run: the memory estimate (est, for `threads` threads) against
 * max_memory (0: 80% of physical memory) and, with out_dir, the result
 * files' size against the free space of the disk that will hold out_dir.
 * what names the run in messages.  0 ok, -1 after a message (exit 1). */
int cli_check_resources(const char *what, const ms_estimate *est, int months, int threads, double max_memory,
                        const char *out_dir, double extra_out_bytes);

/* `run --report`: add the report of the result in result_dir (the run's
 * temporary directory, already holding its files) to d under "report/".
 * shown_dir names the result in messages.  An exit status. */
struct ms_outdir;
int cli_report_into(struct ms_outdir *d, const char *result_dir, const char *shown_dir, int quiet);

/* Before anything runs: can --out DIR be written later?  0, or -1 after a
 * message (exit 1). */
int cli_check_out(const char *out, int force);

/* Run options for a command: threads, the stop flag (signals installed),
 * the progress bar in pg when stderr is a terminal and not quiet. */
ms_run_opts cli_run_opts(int threads, int quiet, cli_progress_state *pg);

/* The exit status after a run that wrote its result: 1 after a message when
 * GSL reported errors, 4 after "interrupted after DONE" when interrupted,
 * else 0. */
int cli_exit_status(int gsl_errors, int interrupted, const char *done);

/* Load a scenario, printing every diagnostic on stderr; NULL when invalid. */
ms_scenario *cli_load_scenario(const char *path);

#endif
