/*
 * sim/cli/validate.c - `magsim validate SCENARIO...`: report every error and
 * warning of each file, located, and summarise each valid one.
 */
#include <getopt.h>
#include <stdio.h>
#include <unistd.h>

#include "magsim/diag.h"
#include "magsim/scenario.h"
#include "cli.h"

void cli_validate_usage(FILE *f)
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
    fputs(cli_exit_text, f);
}

int cli_validate_main(int argc, char **argv, int full_argc, char **full_argv)
{
    static const struct option longopts[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        if (c == 'h') {
            cli_validate_usage(stdout);
            return CLI_EXIT_OK;
        }
        cli_err("validate: unknown option \"%s\" (see `magsim help validate`)", cli_bad_option(argc, argv, c));
        return CLI_EXIT_USAGE;
    }
    if (optind >= argc) {
        cli_err("validate: no SCENARIO given (see `magsim help validate`)");
        return CLI_EXIT_USAGE;
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
    return bad ? CLI_EXIT_INVALID : CLI_EXIT_OK;
}

