/*
 * sim/cli/report.c - `magsim report DIR`: a report of a result directory
 * (report.html, report.md, figures as SVG and PNG), and the helper that
 * `run --report` uses to put one inside the run's own directory.
 *
 * The report is written through an ms_outdir like every result: DIR/report
 * (or --out DIR2) appears complete or not at all.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "magsim/outdir.h"
#include "magsim/report.h"
#include "cli.h"

void cli_report_usage(FILE *f)
{
    fputs("usage: magsim report DIR [options]\n"
          "\n"
          "Make a report of the result directory DIR (written by `magsim run --out DIR`): report.html\n"
          "(self-contained: styles and figures inline, opens without network), report.md, and each\n"
          "figure as figures/NAME.svg and figures/NAME.png, for memos.  It shows a headline table\n"
          "(P(short), median and 95th-percentile shortage share, time to survive, 95th-percentile\n"
          "price shock per importer), fan charts of the shortage share of the most exposed\n"
          "industries and of the price index per importer, exceedance curves of the shortage share\n"
          "per importer, monthly shipments of the main supplier by destination (with the observed\n"
          "points of DIR/backtest.csv when there is one) and the provenance of the result.\n"
          "\n"
          "A partial result (an interrupted run) gets a banner with the paths it holds; a result\n"
          "run with --no-series gets the report without the figures that need monthly series, and\n"
          "the report lists them.  The same result gives the same bytes.\n"
          "\n"
          "options:\n"
          "  -o, --out DIR2   write the report into DIR2 (default: DIR/report); it appears complete\n"
          "                   or not at all\n"
          "  -f, --force      replace DIR2 when it holds an earlier magsim output\n"
          "      --png-scale S  PNG pixels per figure pixel, 0.5 to 4 (default 2: 1920 px wide)\n"
          "  -q, --quiet      no message on stderr\n"
          "  -h, --help       this help\n"
          "\n"
          "`magsim run SCENARIO --out DIR --report` writes the same report into DIR/report.\n"
          "Details: docs/report.md.\n"
          "\n",
          f);
    fputs(cli_exit_text, f);
}

static const struct option report_longopts[] = {
    {"out", required_argument, NULL, 'o'},
    {"force", no_argument, NULL, 'f'},
    {"quiet", no_argument, NULL, 'q'},
    {"png-scale", required_argument, NULL, 'S'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

typedef struct report_args {
    const char *dir;     /* the result directory */
    const char *out;     /* --out, or NULL: DIR/report */
    int force;           /* --force */
    int quiet;           /* --quiet */
    ms_report_opts opts; /* --png-scale */
} report_args;

/* 0: parsed; 1: help printed; -1: usage error (message printed). */
static int parse_report(int argc, char **argv, report_args *a)
{
    memset(a, 0, sizeof *a);
    a->opts.png_scale = MS_REPORT_PNG_SCALE;
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, ":o:fqh", report_longopts, NULL)) != -1) {
        switch (c) {
        case 'o':
            if (!*optarg) {
                cli_err("--out: \"\" is not a directory name");
                return -1;
            }
            a->out = optarg;
            break;
        case 'f': a->force = 1; break;
        case 'q': a->quiet = 1; break;
        case 'S': {
            char *end;
            double v = strtod(optarg, &end);
            if (end == optarg || *end || !(v >= MS_REPORT_PNG_SCALE_MIN && v <= MS_REPORT_PNG_SCALE_MAX)) {
                cli_err("--png-scale: \"%s\" is not a number from 0.5 to 4", optarg);
                return -1;
            }
            a->opts.png_scale = v;
            break;
        }
        case 'h': cli_report_usage(stdout); return 1;
        case ':':
            cli_err("%s needs a value (see `magsim help report`)", cli_bad_option(argc, argv, c));
            return -1;
        default:
            cli_err("unknown option \"%s\" (see `magsim help report`)", cli_bad_option(argc, argv, c));
            return -1;
        }
    }
    if (argc - optind != 1) {
        cli_err(argc == optind ? "report: no result DIR given (see `magsim help report`)"
                               : "report: one result DIR at a time (see `magsim help report`)");
        return -1;
    }
    a->dir = argv[optind];
    return 0;
}

/* Exit status of an ms_report_write failure, after its message. */
static int report_failed(const char *dir, int rc, const char *msg)
{
    if (rc == MS_REPORT_EINVAL) {
        cli_err("%s is not a magsim result this version can read:\n%s", dir, msg);
        return CLI_EXIT_INVALID;
    }
    cli_err("report: %s", msg);
    return CLI_EXIT_RUNTIME;
}

static void say_done(const char *where, const ms_report_summary *s)
{
    fprintf(stderr, "magsim: wrote %s/report.html (%d figure%s", where, s->nfigures, s->nfigures == 1 ? "" : "s");
    if (s->nleft_out)
        fprintf(stderr, ", %d left out: see the report", s->nleft_out);
    fprintf(stderr, ")%s\n", s->partial ? "; the result is PARTIAL" : "");
}

int cli_report_into(ms_outdir *d, const char *result_dir, const char *shown_dir, int quiet)
{
    char msg[4096];
    ms_report_summary s;
    int rc = ms_report_write(result_dir, d, "report", NULL, &s, msg, sizeof msg);
    if (rc != MS_REPORT_OK)
        return report_failed(shown_dir, rc, msg);
    if (!quiet) {
        char where[4096];
        snprintf(where, sizeof where, "%s/report", shown_dir);
        say_done(where, &s);
    }
    return CLI_EXIT_OK;
}

int cli_report_main(int argc, char **argv, int full_argc, char **full_argv)
{
    (void)full_argc;
    (void)full_argv;
    report_args a;
    int pr = parse_report(argc, argv, &a);
    if (pr)
        return pr > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
    char msg[4096], outbuf[4096];
    struct stat st;
    /* before anything is made at DIR/report (its parents included) */
    int serr = stat(a.dir, &st) != 0 ? errno : 0;
    if (serr || !S_ISDIR(st.st_mode)) {
        cli_err("%s is not a magsim result: %s", a.dir, serr ? strerror(serr) : "not a directory");
        return CLI_EXIT_INVALID;
    }
    const char *out = a.out;
    if (!out) {
        snprintf(outbuf, sizeof outbuf, "%s/report", a.dir);
        out = outbuf;
    }
    if (ms_outdir_check(out, a.force, msg, sizeof msg) != MS_OUTDIR_OK) {
        cli_err("--out: %s", msg);
        return CLI_EXIT_RUNTIME;
    }
    ms_outdir *d = ms_outdir_open(out, a.force, msg, sizeof msg);
    if (!d) {
        cli_err("--out: %s", msg);
        return CLI_EXIT_RUNTIME;
    }
    ms_report_summary s;
    int rc = ms_report_write(a.dir, d, "", &a.opts, &s, msg, sizeof msg);
    if (rc != MS_REPORT_OK) {
        ms_outdir_free(d);
        return report_failed(a.dir, rc, msg);
    }
    if (ms_outdir_commit(d, msg, sizeof msg) != MS_OUTDIR_OK) {
        cli_err("--out: %s", msg);
        ms_outdir_free(d);
        return CLI_EXIT_RUNTIME;
    }
    ms_outdir_free(d);
    if (!a.quiet)
        say_done(out, &s);
    return CLI_EXIT_OK;
}
