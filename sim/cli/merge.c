#include <stdio.h>
#include "cli.h"
void cli_merge_usage(FILE *f) { fputs("usage: magsim merge --out DIR SHARD...\n", f); }
int cli_merge_main(int argc, char **argv, int full_argc, char **full_argv) { return 2; }
