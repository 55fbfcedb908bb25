/*
 * magsim/outdir.h - a result directory that appears complete or not at all.
 *
 * Every command that writes files (run, compare, sensitivity, sweep, merge,
 * backtest, report) writes them through an ms_outdir:
 *
 *   ms_outdir_check(dir, force)      before any work: can DIR be written later?
 *   d = ms_outdir_open(dir, force)   a fresh DIR.tmp.PID beside DIR
 *   ms_outdir_add(d, name, buf, len) each file: created (never overwritten),
 *                                    written, fsynced, closed, hashed
 *   ms_outdir_add_dir(d, name)       a subdirectory for files named "name/file"
 *   ms_outdir_commit(d)              fsync the directory, rename it to DIR
 *   ms_outdir_free(d)                removes DIR.tmp.PID unless committed
 *
 * Nothing at DIR is touched until the commit.  When DIR exists the commit
 * fails unless force is set; with force, DIR must be a directory that is
 * empty or holds a manifest.json (an earlier magsim output): it is renamed
 * aside, the new directory renamed in, and the old one removed.  A run killed
 * at any point leaves at most a DIR.tmp.PID directory, never a half-written
 * DIR.  The files added so far (name, size, SHA-256) are listed for the
 * manifest, which is written last.
 */
#ifndef MAGSIM_OUTDIR_H
#define MAGSIM_OUTDIR_H

#include <stddef.h>

/* Return codes. */
enum {
    MS_OUTDIR_OK = 0,
    MS_OUTDIR_EIO = -1,      /* a file or directory could not be written (message in err) */
    MS_OUTDIR_EXISTS = -2,   /* DIR exists and force is not set, or it is not ours to replace */
    MS_OUTDIR_EINVAL = -3    /* bad argument (empty DIR, bad file name) */
};

typedef struct ms_outdir ms_outdir;

/* Before a run: MS_OUTDIR_EXISTS when DIR exists and force is not set (or
 * force cannot replace it), MS_OUTDIR_EIO when it could not be created,
 * else MS_OUTDIR_OK. */
int ms_outdir_check(const char *dir, int force, char *err, size_t errlen);

/* Create the missing parents of PATH (every directory before its last '/';
 * PATH itself is not made).  0, or -1 with a message in err. */
int ms_outdir_make_parents(const char *path, char *err, size_t errlen);

/* Create the temporary directory (and DIR's missing parents).  NULL with a
 * message in err on failure. */
ms_outdir *ms_outdir_open(const char *dir, int force, char *err, size_t errlen);

/* Write one file: a plain name, or "sub/name" inside a subdirectory made
 * with ms_outdir_add_dir.  0, or an MS_OUTDIR_* code. */
int ms_outdir_add(ms_outdir *d, const char *name, const void *buf, size_t len, char *err, size_t errlen);
/* Make a subdirectory (its own parent, if any, made before).  0, or an
 * MS_OUTDIR_* code. */
int ms_outdir_add_dir(ms_outdir *d, const char *name, char *err, size_t errlen);

/* The files added so far, in order: name, size, SHA-256 hex. */
int ms_outdir_nfiles(const ms_outdir *d);
const char *ms_outdir_file_name(const ms_outdir *d, int k);
size_t ms_outdir_file_bytes(const ms_outdir *d, int k);
const char *ms_outdir_file_sha256(const ms_outdir *d, int k);
/* 1 when a file of that name was added. */
int ms_outdir_has(const ms_outdir *d, const char *name);
/* The temporary directory's path (for commands that write with other tools). */
const char *ms_outdir_tmp_path(const ms_outdir *d);

/* Move the directory into place.  0, or an MS_OUTDIR_* code. */
int ms_outdir_commit(ms_outdir *d, char *err, size_t errlen);

/* Free; removes the temporary directory unless it was committed. */
void ms_outdir_free(ms_outdir *d);

/* Remove DIR and everything under it (no symlinks followed).  0 or -1. */
int ms_outdir_remove_tree(const char *dir);

#endif
