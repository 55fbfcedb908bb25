/*
 * sim/cli/main.c - the magsim command line: a table of commands.
 *
 *   magsim SCENARIO [options]          same as `magsim run SCENARIO [options]`
 *   magsim COMMAND [arguments]         a command of the table below
 *   magsim help [COMMAND]              usage
 *   magsim --version
 *
 * Each command lives in sim/cli/NAME.c (cli_NAME_main, cli_NAME_usage) and
 * is one row of `commands`; `magsim help` lists the rows.  GSL's error
 * handler is installed here, before anything can call GSL and before any
 * thread starts (GSL's default handler aborts).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "magsim/plot.h"
#include "cli.h"

int cli_run_main(int argc, char **argv, int full_argc, char **full_argv);
void cli_run_usage(FILE *f);
int cli_validate_main(int argc, char **argv, int full_argc, char **full_argv);
void cli_validate_usage(FILE *f);
int cli_sweep_main(int argc, char **argv, int full_argc, char **full_argv);
void cli_sweep_usage(FILE *f);
int cli_merge_main(int argc, char **argv, int full_argc, char **full_argv);
void cli_merge_usage(FILE *f);
int cli_report_main(int argc, char **argv, int full_argc, char **full_argv);
void cli_report_usage(FILE *f);
int cli_compare_main(int argc, char **argv, int full_argc, char **full_argv);
void cli_compare_usage(FILE *f);
int cli_sensitivity_main(int argc, char **argv, int full_argc, char **full_argv);
void cli_sensitivity_usage(FILE *f);
int cli_backtest_main(int argc, char **argv, int full_argc, char **full_argv);
void cli_backtest_usage(FILE *f);
static int help_main(int argc, char **argv, int full_argc, char **full_argv);
static void help_usage(FILE *f);

static const cli_command commands[] = {
    {"run", cli_run_main, cli_run_usage, "simulate SCENARIO and print a summary; --out DIR writes the result files"},
    {"validate", cli_validate_main, cli_validate_usage, "load each SCENARIO, report every error located, summarise it"},
    {"sweep", cli_sweep_main, cli_sweep_usage, "run a scenario at every point of a sweep (grid, lhs, sobol); MPI, Slurm shards"},
    {"merge", cli_merge_main, cli_merge_usage, "combine the shards of a sweep into the result of one run"},
    {"report", cli_report_main, cli_report_usage, "report.html, report.md and figures (SVG, PNG) of a result DIR"},
    {"compare", cli_compare_main, cli_compare_usage, "BASE POLICY...: paired differences POLICY - BASE on the same paths"},
    {"sensitivity", cli_sensitivity_main, cli_sensitivity_usage, "Sobol' indices and tornado: which uncertain input drives an output"},
    {"backtest", cli_backtest_main, cli_backtest_usage, "SCENARIO OBSERVED.csv: observed monthly values against the simulated distribution"},
    {"help", help_main, help_usage, "this text, or the usage of one command"},
};
enum { NCOMMANDS = sizeof commands / sizeof commands[0] };

static const cli_command *find_command(const char *name)
{
    for (int i = 0; i < NCOMMANDS; i++)
        if (!strcmp(commands[i].name, name))
            return &commands[i];
    return NULL;
}

static void usage_main(FILE *f)
{
    fputs("usage: magsim [run] SCENARIO [options]    simulate a scenario\n"
          "       magsim COMMAND [arguments]          (commands below)\n"
          "       magsim help [COMMAND]               help on a command\n"
          "       magsim --version\n"
          "\n"
          "magsim simulates rare-earth magnet supply disruptions (export controls, tariffs,\n"
          "recycling, stockpiles, new capacity) by Monte Carlo and reports the distribution\n"
          "of shortages, price shocks and trade flows.\n"
          "\n"
          "commands:\n",
          f);
    for (int i = 0; i < NCOMMANDS; i++)
        fprintf(f, "  %-12s %s\n", commands[i].name, commands[i].summary);
    fputc('\n', f);
    fputs(cli_exit_text, f);
}

static void help_usage(FILE *f)
{
    fputs("usage: magsim help [COMMAND]\n\ncommands:", f);
    for (int i = 0; i < NCOMMANDS; i++)
        fprintf(f, " %s%s", commands[i].name, i + 1 < NCOMMANDS ? "," : "\n");
}

static int help_main(int argc, char **argv, int full_argc, char **full_argv)
{
    (void)full_argc;
    (void)full_argv;
    if (argc <= 1) {
        usage_main(stdout);
        return CLI_EXIT_OK;
    }
    if (argc > 2) {
        cli_err("help: one COMMAND at a time");
        return CLI_EXIT_USAGE;
    }
    const cli_command *c = find_command(argv[1]);
    if (!c) {
        char list[256] = "";
        for (int i = 0; i < NCOMMANDS; i++) {
            strncat(list, commands[i].name, sizeof list - strlen(list) - 1);
            if (i + 1 < NCOMMANDS)
                strncat(list, ", ", sizeof list - strlen(list) - 1);
        }
        cli_err("help: \"%s\" is not a command (%s)", argv[1], list);
        return CLI_EXIT_USAGE;
    }
    c->usage(stdout);
    return CLI_EXIT_OK;
}

int main(int argc, char **argv)
{
    cli_gsl_install();
    atexit(ms_plot_cleanup);   /* cairo's font caches, for leak checkers */
    if (argc < 2) {
        usage_main(stderr);
        return CLI_EXIT_USAGE;
    }
    const char *a1 = argv[1];
    if (!strcmp(a1, "--version") || !strcmp(a1, "-V")) {
        printf("magsim %s\n", MAGSIM_VERSION);
        return CLI_EXIT_OK;
    }
    if (!strcmp(a1, "--help") || !strcmp(a1, "-h")) {
        usage_main(stdout);
        return CLI_EXIT_OK;
    }
    const cli_command *c = find_command(a1);
    if (c) /* the command sees argv from its own name on */
        return c->main(argc - 1, argv + 1, argc, argv);
    /* `magsim SCENARIO [options]` (or options first): run */
    return cli_run_main(argc, argv, argc, argv);
}
