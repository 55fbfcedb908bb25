/*
 * outdir.c - a result directory that appears complete or not at all
 * (magsim/outdir.h).
 *
 * Files go into a fresh DIR.tmp.PID beside DIR: each is created with O_EXCL,
 * written in full, fsynced and closed, and its SHA-256 recorded for the
 * manifest.  The commit fsyncs the temporary directory and renames it to DIR
 * (with force, an earlier magsim output at DIR is first renamed aside and
 * removed after).  Every failure leaves DIR as it was and says which file and
 * why.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "magsim/fmt.h"
#include "magsim/outdir.h"

typedef struct outfile {
    char *name;          /* file name inside DIR */
    size_t bytes;        /* size */
    char sha[65];        /* SHA-256, hex */
} outfile;

struct ms_outdir {
    char *dir;           /* DIR, without trailing slashes */
    char **subdirs;      /* [nsubdirs] subdirectories made with ms_outdir_add_dir, relative to DIR */
    int nsubdirs;
    char *tmp;           /* DIR.tmp.PID[.k] */
    char *parent;        /* DIR's parent directory */
    int force;           /* replace an earlier magsim output at DIR */
    int committed;       /* 1 once renamed into place */
    outfile *files;      /* [nfiles] files written so far */
    int nfiles, cap;
};

static void seterr(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || !errlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static int rm_at(int dirfd, const char *name)
{
    if (unlinkat(dirfd, name, 0) == 0 || errno == ENOENT)
        return 0;
    if (errno != EISDIR && errno != EPERM)
        return -1;
    int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    if (fd < 0)
        return -1;
    DIR *dir = fdopendir(fd);
    if (!dir) {
        close(fd);
        return -1;
    }
    int rc = 0;
    struct dirent *de;
    while ((de = readdir(dir)) != NULL) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        if (rm_at(fd, de->d_name) != 0)
            rc = -1;
    }
    closedir(dir);
    if (unlinkat(dirfd, name, AT_REMOVEDIR) != 0)
        rc = -1;
    return rc;
}

int ms_outdir_remove_tree(const char *dir)
{
    return rm_at(AT_FDCWD, dir);
}

/* "a/b/c" -> "a/b" ("." when there is no slash). */
static char *parent_of(const char *path)
{
    const char *sl = strrchr(path, '/');
    if (!sl)
        return strdup(".");
    if (sl == path)
        return strdup("/");
    char *p = strndup(path, (size_t)(sl - path));
    return p;
}

int ms_outdir_make_parents(const char *dir, char *err, size_t errlen)
{
    char *p = strdup(dir);
    if (!p) {
        seterr(err, errlen, "out of memory");
        return -1;
    }
    for (char *q = p + 1; *q; q++) {
        if (*q != '/')
            continue;
        *q = '\0';
        if (mkdir(p, 0777) != 0 && errno != EEXIST) {
            seterr(err, errlen, "cannot create directory %s: %s", p, strerror(errno));
            free(p);
            return -1;
        }
        *q = '/';
    }
    free(p);
    return 0;
}

/* May DIR be replaced with --force?  A directory that is empty or holds a
 * manifest.json (an earlier magsim output). */
static int replaceable(const char *dir)
{
    struct stat st;
    if (lstat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return 0;
    char *m = malloc(strlen(dir) + 16);
    if (!m)
        return 0;
    sprintf(m, "%s/manifest.json", dir);
    int ok = access(m, F_OK) == 0;
    free(m);
    if (ok)
        return 1;
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    struct dirent *de;
    int empty = 1;
    while ((de = readdir(d)) != NULL)
        if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
            empty = 0;
    closedir(d);
    return empty;
}

int ms_outdir_check(const char *dir, int force, char *err, size_t errlen)
{
    struct stat st;
    if (!dir || !*dir) {
        seterr(err, errlen, "empty output directory name");
        return MS_OUTDIR_EINVAL;
    }
    if (lstat(dir, &st) != 0) {
        /* DIR will be created beside its nearest existing ancestor: that one
         * must be a directory we may write in (checked now, not after a run) */
        char *p = strdup(dir);
        int rc = MS_OUTDIR_OK;
        while (p) {
            char *up = parent_of(p);
            free(p);
            p = up;
            if (!p || stat(p, &st) == 0 || !strcmp(p, ".") || !strcmp(p, "/"))
                break;
        }
        if (!p) {
            seterr(err, errlen, "out of memory");
            return MS_OUTDIR_EIO;
        }
        if (stat(p, &st) != 0 || !S_ISDIR(st.st_mode)) {
            seterr(err, errlen, "cannot create \"%s\": %s is not a directory", dir, p);
            rc = MS_OUTDIR_EIO;
        } else if (access(p, W_OK | X_OK) != 0) {
            seterr(err, errlen, "cannot create \"%s\": %s: %s", dir, p, strerror(errno));
            rc = MS_OUTDIR_EIO;
        }
        free(p);
        return rc;
    }
    if (!force) {
        seterr(err, errlen, "\"%s\" already exists; use --force to replace it", dir);
        return MS_OUTDIR_EXISTS;
    }
    if (!replaceable(dir)) {
        seterr(err, errlen, "\"%s\" exists and is not a magsim output directory (no manifest.json); "
                            "not replacing it even with --force", dir);
        return MS_OUTDIR_EXISTS;
    }
    return MS_OUTDIR_OK;
}

static int fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    /* some file systems refuse fsync on directories: not an error */
    if (rc != 0 && (errno == EINVAL || errno == EROFS || errno == EBADF))
        rc = 0;
    close(fd);
    return rc;
}

/* Write buf into dir/name: create (never overwrite), write all, fsync, close. */
static int write_file(const char *dir, const char *name, const void *buf, size_t len, char *err, size_t errlen)
{
    size_t plen = strlen(dir) + strlen(name) + 2;
    char *path = malloc(plen);
    if (!path) {
        seterr(err, errlen, "out of memory");
        return -1;
    }
    snprintf(path, plen, "%s/%s", dir, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0) {
        seterr(err, errlen, "cannot create %s: %s", path, strerror(errno));
        free(path);
        return -1;
    }
    const char *p = buf;
    size_t left = len;
    while (left > 0) {
        ssize_t w = write(fd, p, left);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            seterr(err, errlen, "cannot write %s: %s", path, strerror(errno));
            close(fd);
            free(path);
            return -1;
        }
        p += w;
        left -= (size_t)w;
    }
    if (fsync(fd) != 0) {
        seterr(err, errlen, "cannot write %s (fsync): %s", path, strerror(errno));
        close(fd);
        free(path);
        return -1;
    }
    if (close(fd) != 0) {
        seterr(err, errlen, "cannot write %s (close): %s", path, strerror(errno));
        free(path);
        return -1;
    }
    free(path);
    return 0;
}

ms_outdir *ms_outdir_open(const char *dir_in, int force, char *err, size_t errlen)
{
    if (!dir_in || !*dir_in) {
        seterr(err, errlen, "empty output directory name");
        return NULL;
    }
    if (ms_outdir_check(dir_in, force, err, errlen) != MS_OUTDIR_OK)
        return NULL;
    ms_outdir *d = calloc(1, sizeof *d);
    if (!d || !(d->dir = strdup(dir_in))) {
        free(d);
        seterr(err, errlen, "out of memory");
        return NULL;
    }
    d->force = force;
    size_t dl = strlen(d->dir);
    while (dl > 1 && d->dir[dl - 1] == '/')
        d->dir[--dl] = '\0';
    d->tmp = malloc(dl + 64);
    d->parent = parent_of(d->dir);
    if (!d->tmp || !d->parent) {
        seterr(err, errlen, "out of memory");
        ms_outdir_free(d);
        return NULL;
    }
    if (ms_outdir_make_parents(d->dir, err, errlen)) {
        ms_outdir_free(d);
        return NULL;
    }
    long pid = (long)getpid();
    for (int k = 0; k < 100; k++) {
        if (k == 0)
            snprintf(d->tmp, dl + 64, "%s.tmp.%ld", d->dir, pid);
        else
            snprintf(d->tmp, dl + 64, "%s.tmp.%ld.%d", d->dir, pid, k);
        if (mkdir(d->tmp, 0777) == 0)
            return d;
        if (errno != EEXIST) {
            seterr(err, errlen, "cannot create \"%s\" (temporary directory %s): %s", d->dir, d->tmp,
                   strerror(errno));
            free(d->tmp);
            d->tmp = NULL;
            ms_outdir_free(d);
            return NULL;
        }
    }
    seterr(err, errlen, "cannot create a temporary directory beside %s", d->dir);
    free(d->tmp);
    d->tmp = NULL;
    ms_outdir_free(d);
    return NULL;
}

/* A relative name: components that are neither empty, "." nor "..". */
static int valid_rel_name(const char *name)
{
    if (!name || !*name)
        return 0;
    for (const char *c = name; *c;) {
        size_t n = strcspn(c, "/");
        if (n == 0 || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
            return 0;
        c += n;
        if (*c == '/' && !*++c)
            return 0;
    }
    return 1;
}

/* Was the directory part of name (if any) made with ms_outdir_add_dir? */
static int parent_added(const ms_outdir *d, const char *name)
{
    const char *sl = strrchr(name, '/');
    if (!sl)
        return 1;
    size_t n = (size_t)(sl - name);
    for (int k = 0; k < d->nsubdirs; k++)
        if (strlen(d->subdirs[k]) == n && !strncmp(d->subdirs[k], name, n))
            return 1;
    return 0;
}

int ms_outdir_add_dir(ms_outdir *d, const char *name, char *err, size_t errlen)
{
    if (!d || d->committed || !valid_rel_name(name) || !parent_added(d, name)) {
        seterr(err, errlen, "bad output directory name \"%s\"", name ? name : "");
        return MS_OUTDIR_EINVAL;
    }
    char **ns = realloc(d->subdirs, (size_t)(d->nsubdirs + 1) * sizeof *ns);
    if (!ns) {
        seterr(err, errlen, "out of memory");
        return MS_OUTDIR_EIO;
    }
    d->subdirs = ns;
    size_t plen = strlen(d->tmp) + strlen(name) + 2;
    char *path = malloc(plen);
    if (!path || !(d->subdirs[d->nsubdirs] = strdup(name))) {
        free(path);
        seterr(err, errlen, "out of memory");
        return MS_OUTDIR_EIO;
    }
    snprintf(path, plen, "%s/%s", d->tmp, name);
    if (mkdir(path, 0777) != 0) {
        seterr(err, errlen, "cannot create directory %s: %s", path, strerror(errno));
        free(d->subdirs[d->nsubdirs]);
        free(path);
        return MS_OUTDIR_EIO;
    }
    free(path);
    d->nsubdirs++;
    return MS_OUTDIR_OK;
}

int ms_outdir_add(ms_outdir *d, const char *name, const void *buf, size_t len, char *err, size_t errlen)
{
    if (!d || d->committed || !valid_rel_name(name) || !parent_added(d, name)) {
        seterr(err, errlen, "bad output file name \"%s\"", name ? name : "");
        return MS_OUTDIR_EINVAL;
    }
    if (ms_outdir_has(d, name)) {
        seterr(err, errlen, "output file %s written twice", name);
        return MS_OUTDIR_EINVAL;
    }
    if (d->nfiles == d->cap) {
        int cap = d->cap ? 2 * d->cap : 16;
        outfile *f = realloc(d->files, (size_t)cap * sizeof *f);
        if (!f) {
            seterr(err, errlen, "out of memory");
            return MS_OUTDIR_EIO;
        }
        d->files = f;
        d->cap = cap;
    }
    outfile *f = &d->files[d->nfiles];
    if (!(f->name = strdup(name))) {
        seterr(err, errlen, "out of memory");
        return MS_OUTDIR_EIO;
    }
    if (write_file(d->tmp, name, buf, len, err, errlen)) {
        free(f->name);
        return MS_OUTDIR_EIO;
    }
    f->bytes = len;
    ms_fmt_sha256_hex(buf, len, f->sha);
    d->nfiles++;
    return MS_OUTDIR_OK;
}

int ms_outdir_nfiles(const ms_outdir *d) { return d->nfiles; }
const char *ms_outdir_file_name(const ms_outdir *d, int k) { return d->files[k].name; }
size_t ms_outdir_file_bytes(const ms_outdir *d, int k) { return d->files[k].bytes; }
const char *ms_outdir_file_sha256(const ms_outdir *d, int k) { return d->files[k].sha; }
const char *ms_outdir_tmp_path(const ms_outdir *d) { return d->tmp; }

int ms_outdir_has(const ms_outdir *d, const char *name)
{
    for (int k = 0; k < d->nfiles; k++)
        if (!strcmp(d->files[k].name, name))
            return 1;
    return 0;
}

int ms_outdir_commit(ms_outdir *d, char *err, size_t errlen)
{
    if (!d || d->committed || !d->tmp)
        return MS_OUTDIR_EINVAL;
    if (fsync_dir(d->tmp) != 0) {
        seterr(err, errlen, "cannot sync %s: %s", d->tmp, strerror(errno));
        return MS_OUTDIR_EIO;
    }
    struct stat st;
    if (lstat(d->dir, &st) == 0) {
        if (!d->force || !replaceable(d->dir)) {
            int rc = ms_outdir_check(d->dir, d->force, err, errlen);
            if (rc == MS_OUTDIR_OK) {
                seterr(err, errlen, "\"%s\" appeared during the run; not replacing it", d->dir);
                rc = MS_OUTDIR_EXISTS;
            }
            return rc;
        }
        size_t ol = strlen(d->dir) + 64;
        char *old = malloc(ol);
        if (!old) {
            seterr(err, errlen, "out of memory");
            return MS_OUTDIR_EIO;
        }
        snprintf(old, ol, "%s.old.%ld", d->dir, (long)getpid());
        if (rename(d->dir, old) != 0) {
            seterr(err, errlen, "cannot move %s aside to %s: %s", d->dir, old, strerror(errno));
            free(old);
            return MS_OUTDIR_EIO;
        }
        if (rename(d->tmp, d->dir) != 0) {
            seterr(err, errlen, "cannot rename %s to %s: %s", d->tmp, d->dir, strerror(errno));
            if (rename(old, d->dir) != 0) { /* put the old one back */
                int e2 = errno;
                size_t l = strlen(err);
                snprintf(err + l, errlen - l, "; the previous output is at %s (%s)", old, strerror(e2));
            }
            free(old);
            return MS_OUTDIR_EIO;
        }
        d->committed = 1;
        if (ms_outdir_remove_tree(old) != 0) /* the new output is in place; only the clean-up failed */
            fprintf(stderr, "magsim: warning: cannot remove the previous output %s: %s\n", old, strerror(errno));
        free(old);
    } else {
        if (rename(d->tmp, d->dir) != 0) {
            seterr(err, errlen, "cannot rename %s to %s: %s", d->tmp, d->dir, strerror(errno));
            return MS_OUTDIR_EIO;
        }
        d->committed = 1;
    }
    fsync_dir(d->parent);
    return MS_OUTDIR_OK;
}

void ms_outdir_free(ms_outdir *d)
{
    if (!d)
        return;
    if (d->tmp && !d->committed)
        ms_outdir_remove_tree(d->tmp);
    for (int k = 0; k < d->nfiles; k++)
        free(d->files[k].name);
    free(d->files);
    for (int k = 0; k < d->nsubdirs; k++)
        free(d->subdirs[k]);
    free(d->subdirs);
    free(d->dir);
    free(d->tmp);
    free(d->parent);
    free(d);
}
