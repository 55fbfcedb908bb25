/*
 * sim/cli/ckpt.h - checkpoints of a sweep: one file per finished point
 * (sim/cli/ckpt.c).
 *
 * The checkpoint of a sweep writing OUT is the directory OUT.ckpt beside
 * it: `sweep.id` (the identity text of the sweep: magsim version, sweep and
 * scenario SHA-256, seed, paths, quantiles, design, inputs, shard), `lock`
 * (held with flock by the process that writes the checkpoint, so two sweeps
 * never share one), and `point-NNNNNNN.csv` for each finished point (its
 * first line the identity's SHA-256, then the point's rows).  Every file is
 * written to a temporary name, fsynced, renamed and the directory fsynced:
 * a point is on disk whole or not at all, whatever kills the sweep.
 */
#ifndef MAGSIM_CLI_CKPT_H
#define MAGSIM_CLI_CKPT_H

#include <stddef.h>

typedef struct cli_ckpt {
    char *dir;                 /* OUT.ckpt */
    char id_sha[65];           /* SHA-256 of the identity text */
    int lock_fd;               /* the flock'd lock file; -1 when not held (ranks other than 0) */
} cli_ckpt;

/* Rank 0: create OUT.ckpt (resume 0: it must not exist; resume 1: it may,
 * and then its sweep.id must equal id) and take the lock.  Other ranks:
 * open it without the lock (lock 0).  0, or -1 after a message. */
int cli_ckpt_open(cli_ckpt *c, const char *out, const char *id, int resume, int lock);
/* 1 when point p has a record (with this identity; another identity is an
 * error reported once, and counts as absent). */
int cli_ckpt_has(const cli_ckpt *c, int p);
/* Record point p's rows atomically.  0, or -1 after a message. */
int cli_ckpt_put(const cli_ckpt *c, int p, const char *rows, size_t len);
/* Point p's rows (malloc'd, without the identity line), or NULL. */
char *cli_ckpt_get(const cli_ckpt *c, int p, size_t *len);
/* Remove the checkpoint (after the result was committed) and release. */
void cli_ckpt_remove(cli_ckpt *c);
void cli_ckpt_close(cli_ckpt *c);

/* Write buf to dir/name atomically (temp file, fsync, rename, fsync dir). */
int cli_write_atomic(const char *dir, const char *name, const void *buf, size_t len, char *err, size_t errlen);

#endif
