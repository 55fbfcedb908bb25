/*
 * sim/cli/merge.c - `magsim merge --out DIR SHARD...`: the shards of a sweep
 * (`magsim sweep --shard I/N`) combined into exactly the files of one run.
 *
 * A shard holds its points' rows (shard.csv), the sweep's identity with its
 * shard line (shard.id) and the copies of the sweep and scenario files.
 * merge refuses shards whose identities differ (sweep file, scenario,
 * seed, paths, quantiles, magsim version), a shard given twice, a missing
 * shard, and a shard whose rows are not exactly its points, naming the
 * shards; then it hands the rows, in point order, to the same writer as
 * `magsim sweep` (sim/cli/sweepout.c).
 */
#include <dirent.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "magsim/fmt.h"
#include "../fileio.h"
#include "cli.h"
#include "sweepout.h"

#define MAX_FILE ((size_t)4 << 30)

void cli_merge_usage(FILE *f)
{
    fputs("usage: magsim merge --out DIR SHARD_DIR...\n"
          "\n"
          "Combine the shards of one sweep (magsim sweep --shard I/N --out SHARD_DIR) into DIR:\n"
          "the same sweep.csv and sweep.json as one run of the whole sweep, byte for byte.\n"
          "Every shard 0..N-1 must be given once, all of the same sweep file, scenario, seed,\n"
          "paths, quantiles and magsim version.\n"
          "\n"
          "options:\n"
          "  -o, --out DIR    the merged result (required)\n"
          "  -f, --force      replace DIR when it holds an earlier magsim output\n"
          "  -h, --help       this help\n"
          "\n",
          f);
    fputs(cli_exit_text, f);
}

typedef struct shard {
    const char *dir;           /* as given */
    char *id;                  /* shard.id without its shard line */
    int i, n;                  /* shard i of n */
    char *csv;                 /* shard.csv */
    size_t csvlen;
} shard;

static char *read_in(const char *dir, const char *name, size_t *len)
{
    char path[4096];
    int err = 0;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char *b = ms_read_file(path, MAX_FILE, len, &err);
    if (!b)
        cli_err("%s: cannot read %s: %s (not a shard of `magsim sweep --shard`?)", dir, name, strerror(err));
    return b;
}

static int load_shard(shard *s)
{
    size_t len = 0;
    if (!(s->id = read_in(s->dir, "shard.id", &len)) || !(s->csv = read_in(s->dir, "shard.csv", &s->csvlen)))
        return -1;
    char *line = strstr(s->id, "\nshard ");
    if (!line || sscanf(line + 7, "%d/%d", &s->i, &s->n) != 2 || s->n < 1 || s->i < 0 || s->i >= s->n) {
        cli_err("%s/shard.id: no valid \"shard I/N\" line", s->dir);
        return -1;
    }
    line[1] = 0;
    return 0;
}

/* Every identity line of b that differs from a's, named. */
static int same_sweep(const shard *a, const shard *b)
{
    static const char *const keys[] = {"magsim_version", "sweep_sha256", "scenario_sha256", "seed", "paths",
                                       "quantiles", "design", "npoints", "columns", NULL};
    char va[8192], vb[8192];
    int same = !strcmp(a->id, b->id);
    for (int k = 0; !same && keys[k]; k++) {
        const char *x = cli_id_get(a->id, keys[k], va, sizeof va), *y = cli_id_get(b->id, keys[k], vb, sizeof vb);
        if (!x || !y || strcmp(x, y))
            cli_err("%s and %s are shards of different sweeps: %s is %s in one, %s in the other", a->dir, b->dir,
                    keys[k], x ? x : "absent", y ? y : "absent");
    }
    if (!same && a->n == b->n)
        cli_err("%s and %s: their sweep identities differ (%s/shard.id, %s/shard.id)", a->dir, b->dir, a->dir,
                b->dir);
    if (a->n != b->n)
        cli_err("%s is shard %d/%d but %s is shard %d/%d: shards of different splits", a->dir, a->i, a->n, b->dir,
                b->i, b->n);
    return same && a->n == b->n;
}

/* Which shards are given twice or missing. */
static int coverage_ok(const shard *s, int ns)
{
    int ok = 1, n = s[0].n;
    const char **by = calloc((size_t)n, sizeof *by);
    if (!by)
        return 0;
    for (int k = 0; k < ns; k++) {
        if (by[s[k].i]) {
            cli_err("%s and %s are both shard %d/%d", by[s[k].i], s[k].dir, s[k].i, n);
            ok = 0;
        }
        by[s[k].i] = s[k].dir;
    }
    for (int i = 0; i < n; i++)
        if (!by[i]) {
            cli_err("shard %d/%d is missing", i, n);
            ok = 0;
        }
    free(by);
    return ok;
}

/* Split a shard's rows into points (rows of a point are consecutive). */
static int split_rows(const shard *s, int npoints, char **rows, size_t *lens)
{
    char cols[8192];
    cli_id_get(s->id, "columns", cols, sizeof cols);
    size_t hl = strcspn(s->csv, "\n");
    if (hl != strlen(cols) || strncmp(s->csv, cols, hl)) {
        cli_err("%s/shard.csv: its header is not the sweep's columns", s->dir);
        return -1;
    }
    char *p = s->csv + hl + (s->csv[hl] != 0);
    while (*p) {
        char *end = NULL;
        long pt = strtol(p, &end, 10);
        if (end == p || *end != ',' || pt < 0 || pt >= npoints || pt % s->n != s->i || rows[pt]) {
            cli_err("%s/shard.csv: a row of point %.20s is not one of this shard's points, or repeats one",
                    s->dir, p);
            return -1;
        }
        char *q = p;
        while (*q && strtol(q, &end, 10) == pt && end != q && *end == ',')
            q += strcspn(q, "\n") + (q[strcspn(q, "\n")] != 0);
        rows[pt] = strndup(p, (size_t)(q - p));
        lens[pt] = (size_t)(q - p);
        p = q;
    }
    for (int pt = s->i; pt < npoints; pt += s->n)
        if (!rows[pt]) {
            cli_err("%s/shard.csv: point %d has no rows (an unfinished shard?)", s->dir, pt);
            return -1;
        }
    return 0;
}

/* The copies beside the rows: sweep.yaml, scenario.yaml, then the rest by name. */
static int read_copies(const shard *s, cli_blob *c, char **names, int max)
{
    DIR *d = opendir(s->dir);
    int n = 2;
    struct dirent *de;
    c[0].name = "sweep.yaml";
    c[1].name = "scenario.yaml";
    while (d && (de = readdir(d)) && n < max) {
        const char *nm = de->d_name;
        if (nm[0] == '.' || !strcmp(nm, "shard.csv") || !strcmp(nm, "shard.id") || !strcmp(nm, "manifest.json") ||
            !strcmp(nm, "sweep.yaml") || !strcmp(nm, "scenario.yaml"))
            continue;
        names[n - 2] = strdup(nm);
        c[n].name = names[n - 2];
        n++;
    }
    if (d)
        closedir(d);
    for (int k = 0; k < n; k++)
        if (!c[k].name || !(c[k].bytes = read_in(s->dir, c[k].name, &c[k].len)))
            return -1;
    char sha[65], want[80];
    ms_fmt_sha256_hex(c[0].bytes, c[0].len, sha);
    if (!cli_id_get(s->id, "sweep_sha256", want, sizeof want) || strcmp(sha, want)) {
        cli_err("%s/sweep.yaml is not the sweep file the shard was run from (SHA-256 differs)", s->dir);
        return -1;
    }
    return n;
}

static int merge_shards(shard *s, int ns, const char *out, int force, int argc, char **argv)
{
    int ok = 1;
    for (int k = 0; k < ns; k++)
        if (load_shard(&s[k]))
            return CLI_EXIT_INVALID;
    for (int k = 1; k < ns; k++)
        ok &= same_sweep(&s[0], &s[k]);
    if (!ok || !coverage_ok(s, ns))
        return CLI_EXIT_INVALID;
    char v[64];
    int npoints = atoi(cli_id_get(s[0].id, "npoints", v, sizeof v) ? v : "0");
    char **rows = calloc((size_t)npoints + 1, sizeof *rows), *names[64] = {0};
    size_t *lens = calloc((size_t)npoints + 1, sizeof *lens);
    cli_blob copies[66];
    memset(copies, 0, sizeof copies);
    int rc = rows && lens ? CLI_EXIT_OK : CLI_EXIT_RUNTIME, nc = 0;
    for (int k = 0; rc == 0 && k < ns; k++)
        if (split_rows(&s[k], npoints, rows, lens))
            rc = CLI_EXIT_INVALID;
    if (rc == 0 && (nc = read_copies(&s[0], copies, names, 66)) < 0)
        rc = CLI_EXIT_INVALID;
    char *cmd = cli_command_line(argc, argv);
    cli_sweep_out o = {.id = s[0].id, .npoints = npoints, .rows = rows, .lens = lens, .copies = copies,
                       .ncopies = nc, .command_line = cmd, .ranks = 0, .threads = 0};
    if (rc == 0 && cli_sweep_write(out, force, &o))
        rc = CLI_EXIT_RUNTIME;
    for (int p = 0; rows && p < npoints; p++)
        free(rows[p]);
    for (int k = 0; k < 66; k++)
        free((char *)copies[k].bytes);
    for (int k = 0; k < 64; k++)
        free(names[k]);
    free(rows);
    free(lens);
    free(cmd);
    return rc;
}

int cli_merge_main(int argc, char **argv, int full_argc, char **full_argv)
{
    static const struct option lo[] = {{"out", required_argument, NULL, 'o'}, {"force", no_argument, NULL, 'f'},
                                       {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    const char *out = NULL;
    int force = 0, c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":o:fh", lo, NULL)) != -1) {
        if (c == 'o')
            out = optarg;
        else if (c == 'f')
            force = 1;
        else if (c == 'h') {
            cli_merge_usage(stdout);
            return CLI_EXIT_OK;
        } else {
            cli_err("%s option \"%s\" (see `magsim help merge`)", c == ':' ? "a value is needed for the" : "unknown",
                    cli_bad_option(argc, argv, c));
            return CLI_EXIT_USAGE;
        }
    }
    if (!out || !*out || optind >= argc) {
        cli_err("merge: %s (see `magsim help merge`)", !out || !*out ? "--out DIR is required" : "no SHARD_DIR given");
        return CLI_EXIT_USAGE;
    }
    int ns = argc - optind;
    shard *s = calloc((size_t)ns, sizeof *s);
    if (!s)
        return CLI_EXIT_RUNTIME;
    for (int k = 0; k < ns; k++)
        s[k].dir = argv[optind + k];
    int rc = merge_shards(s, ns, out, force, full_argc, full_argv);
    if (rc == 0)
        fprintf(stderr, "magsim: merged %d shard%s into %s\n", ns, ns > 1 ? "s" : "", out);
    for (int k = 0; k < ns; k++) {
        free(s[k].id);
        free(s[k].csv);
    }
    free(s);
    return rc;
}
