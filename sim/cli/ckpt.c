/*
 * sim/cli/ckpt.c - checkpoints of a sweep (sim/cli/ckpt.h).
 *
 * Resume relies on three facts: a record is written whole or not at all
 * (temporary name, fsync, rename, directory fsync); a record is a function of
 * the sweep's identity and the point index alone (common random numbers,
 * exact accumulation), so a record made by any rank, shard or earlier run
 * is the one an uninterrupted run would make; and every record carries the
 * identity's SHA-256, so a checkpoint of another sweep is never mixed in.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "magsim/fmt.h"
#include "magsim/outdir.h"
#include "../fileio.h"
#include "cli.h"
#include "ckpt.h"

#define ID_FILE "sweep.id"
#define MAX_RECORD ((size_t)1 << 30)

static void fsync_path(const char *dir)
{
    int fd = open(dir, O_RDONLY);
    if (fd >= 0) {
        (void)fsync(fd); /* some file systems refuse fsync on a directory */
        close(fd);
    }
}

int cli_write_atomic(const char *dir, const char *name, const void *buf, size_t len, char *err, size_t errlen)
{
    char tmp[4096], dst[4096];
    snprintf(tmp, sizeof tmp, "%s/.%s.tmp.%ld", dir, name, (long)getpid());
    snprintf(dst, sizeof dst, "%s/%s", dir, name);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
        snprintf(err, errlen, "cannot create %s: %s", tmp, strerror(errno));
        return -1;
    }
    const char *p = buf;
    size_t left = len;
    while (left > 0) {
        ssize_t w = write(fd, p, left);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(w < 0 ? errno : EIO));
            close(fd);
            unlink(tmp);
            return -1;
        }
        p += w;
        left -= (size_t)w;
    }
    if (fsync(fd) != 0 || close(fd) != 0 || rename(tmp, dst) != 0) {
        snprintf(err, errlen, "cannot write %s: %s", dst, strerror(errno));
        unlink(tmp);
        return -1;
    }
    fsync_path(dir);
    return 0;
}

/* The lines of a that differ from b, for the message of a refused resume. */
static void report_diff(const char *dir, const char *have, const char *want)
{
    char a[256], b[256];
    const char *x = have, *y = want;
    while (*x || *y) {
        size_t lx = strcspn(x, "\n"), ly = strcspn(y, "\n");
        snprintf(a, sizeof a, "%.*s", (int)(lx < 255 ? lx : 255), x);
        snprintf(b, sizeof b, "%.*s", (int)(ly < 255 ? ly : 255), y);
        if (strcmp(a, b))
            cli_err("  %s has \"%s\"; this sweep has \"%s\"", dir, a, b);
        x += lx + (x[lx] != 0);
        y += ly + (y[ly] != 0);
    }
}

static int take_lock(cli_ckpt *c)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/lock", c->dir);
    c->lock_fd = open(path, O_RDWR | O_CREAT, 0644);
    if (c->lock_fd < 0 || flock(c->lock_fd, LOCK_EX | LOCK_NB) != 0) {
        char who[64] = "";
        ssize_t n = c->lock_fd >= 0 ? pread(c->lock_fd, who, sizeof who - 1, 0) : 0;
        who[n > 0 ? n : 0] = 0;
        who[strcspn(who, "\n")] = 0;
        cli_err("%s is in use by another sweep (%s): two sweeps never write the same output", c->dir,
                *who ? who : "lock held");
        return -1;
    }
    char who[128], host[64] = "?";
    gethostname(host, sizeof host - 1);
    int n = snprintf(who, sizeof who, "pid %ld on %s\n", (long)getpid(), host);
    if (ftruncate(c->lock_fd, 0) == 0 && pwrite(c->lock_fd, who, (size_t)n, 0) < 0)
        return 0; /* the lock itself is what counts */
    return 0;
}

static int check_id(cli_ckpt *c, const char *id)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/" ID_FILE, c->dir);
    size_t len = 0;
    int err = 0;
    char *have = ms_read_file(path, 1 << 20, &len, &err);
    if (!have) {
        cli_err("%s: cannot read %s: %s (not a magsim checkpoint?)", c->dir, ID_FILE, strerror(err));
        return -1;
    }
    int same = !strcmp(have, id);
    if (!same) {
        cli_err("--resume: %s belongs to another sweep; it differs in:", c->dir);
        report_diff(c->dir, have, id);
    }
    free(have);
    return same ? 0 : -1;
}

int cli_ckpt_open(cli_ckpt *c, const char *out, const char *id, int resume, int lock)
{
    memset(c, 0, sizeof *c);
    c->lock_fd = -1;
    size_t n = strlen(out);
    while (n > 1 && out[n - 1] == '/')
        n--;
    if (!(c->dir = malloc(n + 6)))
        return -1;
    snprintf(c->dir, n + 6, "%.*s.ckpt", (int)n, out);
    ms_fmt_sha256_hex(id, strlen(id), c->id_sha);
    if (!lock)
        return 0;
    char err[4200];
    struct stat st;
    int exists = stat(c->dir, &st) == 0;
    if (exists && !resume) {
        cli_err("%s holds the checkpoint of an earlier sweep: continue it with --resume, or remove it", c->dir);
        return -1;
    }
    if (exists)
        return take_lock(c) || check_id(c, id) ? -1 : 0;
    if (ms_outdir_make_parents(c->dir, err, sizeof err)) {
        cli_err("%s", err);
        return -1;
    }
    if (mkdir(c->dir, 0755) != 0) {
        cli_err("cannot create %s: %s", c->dir, strerror(errno));
        return -1;
    }
    if (take_lock(c) || cli_write_atomic(c->dir, ID_FILE, id, strlen(id), err, sizeof err)) {
        if (c->lock_fd >= 0)
            cli_err("%s", err);
        return -1;
    }
    return 0;
}

static void record_name(char *buf, size_t len, int p)
{
    snprintf(buf, len, "point-%07d.csv", p);
}

char *cli_ckpt_get(const cli_ckpt *c, int p, size_t *len)
{
    char name[32], path[4096];
    record_name(name, sizeof name, p);
    snprintf(path, sizeof path, "%s/%s", c->dir, name);
    int err = 0;
    char *buf = ms_read_file(path, MAX_RECORD, len, &err);
    if (!buf)
        return NULL;
    size_t l1 = strcspn(buf, "\n");
    if (l1 != 64 + 3 || memcmp(buf, "id ", 3) || memcmp(buf + 3, c->id_sha, 64) || !buf[l1]) {
        cli_err("%s: not a record of this sweep (identity differs); ignored", path);
        free(buf);
        return NULL;
    }
    memmove(buf, buf + l1 + 1, *len - l1);
    *len -= l1 + 1;
    return buf;
}

int cli_ckpt_has(const cli_ckpt *c, int p)
{
    size_t len = 0;
    char *b = cli_ckpt_get(c, p, &len);
    free(b);
    return b != NULL;
}

int cli_ckpt_put(const cli_ckpt *c, int p, const char *rows, size_t len)
{
    char name[32], err[4200];
    record_name(name, sizeof name, p);
    char *buf = malloc(len + 68);
    if (!buf) {
        cli_err("out of memory");
        return -1;
    }
    memcpy(buf, "id ", 3);
    memcpy(buf + 3, c->id_sha, 64);
    buf[67] = '\n';
    memcpy(buf + 68, rows, len);
    int rc = cli_write_atomic(c->dir, name, buf, len + 68, err, sizeof err);
    free(buf);
    if (rc)
        cli_err("checkpoint: %s", err);
    return rc;
}

void cli_ckpt_close(cli_ckpt *c)
{
    if (c->lock_fd >= 0)
        close(c->lock_fd);
    c->lock_fd = -1;
    free(c->dir);
    c->dir = NULL;
}

void cli_ckpt_remove(cli_ckpt *c)
{
    if (c->dir)
        ms_outdir_remove_tree(c->dir);
    cli_ckpt_close(c);
}
