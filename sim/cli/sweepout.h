/*
 * sim/cli/sweepout.h - the files of a sweep, a shard, and a merge
 * (sim/cli/sweepout.c).
 *
 * A sweep's result is a function of its identity (the text below) and of
 * each point's rows; `magsim sweep` and `magsim merge` both hand those to
 * cli_sweep_write, so a merge of shards writes the very bytes of one run.
 *
 * Identity text: one "key value" line each, in this order:
 *   magsim_version, name, sweep_sha256, scenario_sha256, seed, paths,
 *   quantiles, design, npoints, one "input number|date KEY" per input,
 *   columns (the CSV header); a shard's adds "shard i/n" last.
 */
#ifndef MAGSIM_CLI_SWEEPOUT_H
#define MAGSIM_CLI_SWEEPOUT_H

#include <stddef.h>

typedef struct cli_blob {
    const char *name;          /* file name in the output directory */
    const char *bytes;         /* its content */
    size_t len;                /* its length */
} cli_blob;

typedef struct cli_sweep_out {
    const char *id;            /* identity text (without a shard line) */
    int shard, nshards;        /* nshards 0: the whole sweep; else shard i of n */
    int npoints;               /* points of the sweep */
    char *const *rows;         /* [npoints] each point's rows; NULL for a point not in this output */
    const size_t *lens;        /* [npoints] their lengths */
    const cli_blob *copies;    /* sweep.yaml, scenario.yaml and the scenario's bases */
    int ncopies;
    const char *command_line;  /* for the manifest */
    int ranks, threads;        /* for the manifest */
    double wall_seconds;       /* for the manifest */
} cli_sweep_out;

/* Write OUT (sweep.csv and sweep.json, or shard.csv and shard.id) with the
 * copies and manifest.json, atomically.  0, or -1 after a message. */
int cli_sweep_write(const char *out, int force, const cli_sweep_out *o);

/* The value of "key" in an identity text (the rest of its first line that
 * starts with "key "), copied into buf; NULL when absent. */
const char *cli_id_get(const char *id, const char *key, char *buf, size_t len);

#endif
