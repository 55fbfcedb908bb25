/*
 * prov.c - provenance for the analysis commands' result directories
 * (magsim/prov.h): rendered files, scenario copies, the manifest's tail.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "magsim/fmt.h"
#include "magsim/prov.h"

int ms_prov_add_rendered(ms_outdir *d, const char *name, ms_prov_render_fn fn, const void *ctx, char *err,
                         size_t errlen)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) {
        snprintf(err, errlen, "cannot render %s: out of memory", name);
        return MS_OUTDIR_EIO;
    }
    int rc = fn(f, ctx);
    if (fclose(f) != 0 || rc) {
        free(buf);
        snprintf(err, errlen, "cannot render %s: out of memory", name);
        return MS_OUTDIR_EIO;
    }
    rc = ms_outdir_add(d, name, buf, len, err, errlen);
    free(buf);
    return rc;
}

/* The manifest's renderer with its directory, as an ms_prov_render_fn. */
typedef struct manifest_call {
    ms_prov_manifest_fn fn;
    const void *ctx;
    const ms_outdir *d;
} manifest_call;

static int render_manifest(FILE *f, const void *x)
{
    const manifest_call *m = x;
    return m->fn(f, m->ctx, m->d);
}

int ms_prov_write_dir(const char *dir, int force, const ms_prov_file *files, int nfiles, ms_prov_sources_fn sources,
                      ms_prov_manifest_fn manifest, const void *ctx, char *err, size_t errlen)
{
    ms_outdir *d = ms_outdir_open(dir, force, err, errlen);
    if (!d)
        return ms_outdir_check(dir, force, err, errlen) == MS_OUTDIR_EXISTS ? MS_OUTDIR_EXISTS : MS_OUTDIR_EIO;
    int rc = MS_OUTDIR_OK;
    for (int k = 0; rc == MS_OUTDIR_OK && k < nfiles; k++)
        rc = ms_prov_add_rendered(d, files[k].name, files[k].fn, ctx, err, errlen);
    if (rc == MS_OUTDIR_OK && sources)
        rc = sources(d, ctx, err, errlen);
    manifest_call m = {manifest, ctx, d};
    if (rc == MS_OUTDIR_OK)
        rc = ms_prov_add_rendered(d, "manifest.json", render_manifest, &m, err, errlen);
    if (rc == MS_OUTDIR_OK)
        rc = ms_outdir_commit(d, err, errlen);
    ms_outdir_free(d);
    return rc;
}

/* The file d holds under name, or -1. */
static int file_index(const ms_outdir *d, const char *name)
{
    for (int k = 0; k < ms_outdir_nfiles(d); k++)
        if (!strcmp(ms_outdir_file_name(d, k), name))
            return k;
    return -1;
}

/* Add one base (source k > 0) under its own name, its name prefixed with
 * the stem of copy_name, or not at all when the same bytes are there. */
static int add_base(ms_outdir *d, const ms_source *src, const char *copy_name, char **out, char *err, size_t errlen)
{
    const char *slash = strrchr(src->path, '/');
    const char *base = slash ? slash + 1 : src->path;
    size_t stem = strlen(copy_name) > 5 && !strcmp(copy_name + strlen(copy_name) - 5, ".yaml")
                      ? strlen(copy_name) - 5
                      : strlen(copy_name);
    char sha[65];
    ms_fmt_sha256_hex(src->bytes, src->len, sha);
    for (int attempt = 0; attempt < 2; attempt++) {
        size_t len = strlen(base) + stem + 2;
        char *name = malloc(len);
        if (!name) {
            snprintf(err, errlen, "out of memory");
            return MS_OUTDIR_EIO;
        }
        if (attempt == 0)
            snprintf(name, len, "%s", base);
        else
            snprintf(name, len, "%.*s-%s", (int)stem, copy_name, base);
        int k = file_index(d, name);
        if (k < 0 || !strcmp(ms_outdir_file_sha256(d, k), sha)) {
            *out = name;
            return k < 0 ? ms_outdir_add(d, name, src->bytes, src->len, err, errlen) : MS_OUTDIR_OK;
        }
        free(name);
    }
    return MS_OUTDIR_OK; /* both names taken by other content: not copied */
}

int ms_prov_add_sources(ms_outdir *d, const ms_scenario *s, const char *copy_name, ms_prov_copies *cp, char *err,
                        size_t errlen)
{
    cp->n = s->nsources;
    cp->name = calloc((size_t)s->nsources + 1, sizeof *cp->name);
    if (!cp->name) {
        cp->n = 0;
        snprintf(err, errlen, "out of memory");
        return MS_OUTDIR_EIO;
    }
    int rc = MS_OUTDIR_OK;
    for (int k = 0; rc == MS_OUTDIR_OK && k < s->nsources; k++) {
        if (k > 0) {
            rc = add_base(d, &s->sources[k], copy_name, &cp->name[k], err, errlen);
            continue;
        }
        if (!(cp->name[0] = strdup(copy_name))) {
            snprintf(err, errlen, "out of memory");
            return MS_OUTDIR_EIO;
        }
        rc = ms_outdir_add(d, copy_name, s->sources[0].bytes, s->sources[0].len, err, errlen);
    }
    return rc;
}

void ms_prov_copies_free(ms_prov_copies *cp)
{
    for (int k = 0; cp->name && k < cp->n; k++)
        free(cp->name[k]);
    free(cp->name);
    cp->name = NULL;
    cp->n = 0;
}

void ms_prov_scenario_json(FILE *f, const ms_scenario *s, const char *path, const ms_prov_copies *cp)
{
    char sha[65];
    fputs("{\"path\": ", f);
    ms_fmt_json_str(f, path ? path : s->path);
    fputs(", \"name\": ", f);
    ms_fmt_json_str(f, s->name);
    if (s->nsources > 0) {
        ms_fmt_sha256_hex(s->sources[0].bytes, s->sources[0].len, sha);
        fprintf(f, ", \"bytes\": %zu, \"sha256\": \"%s\", \"copy\": ", s->sources[0].len, sha);
        ms_fmt_json_str(f, cp && cp->n > 0 ? cp->name[0] : NULL);
    } else {
        fputs(", \"bytes\": null, \"sha256\": null, \"copy\": null", f);
    }
    fputs(", \"extends\": [", f);
    for (int k = 1; cp && k < cp->n; k++) {
        fputs(k > 1 ? ", " : "", f);
        ms_fmt_json_str(f, cp->name[k]);
    }
    fputs("]}", f);
}

void ms_prov_manifest_tail(FILE *f, const ms_prov_run *run, const ms_outdir *d)
{
    fprintf(f, "  \"threads\": %d,\n  \"wall_seconds\": ", run->threads);
    ms_fmt_json_num(f, run->wall_seconds);
    if (run->has_rate) {
        fputs(",\n  \"paths_per_second\": ", f);
        ms_fmt_json_num(f, run->paths_per_second);
    }
    fprintf(f, ",\n  \"gsl_errors\": %d", run->gsl_errors);
    ms_prov_manifest_end(f, run->command_line, d);
}

void ms_prov_manifest_end(FILE *f, const char *command_line, const ms_outdir *d)
{
    char host[256] = "", stamp[32] = "";
    if (gethostname(host, sizeof host - 1) != 0)
        strcpy(host, "unknown");
    host[sizeof host - 1] = '\0';
    time_t now = time(NULL);
    struct tm tm;
    if (gmtime_r(&now, &tm))
        strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
    fputs(",\n  \"host\": ", f);
    ms_fmt_json_str(f, host);
    fputs(",\n  \"written_utc\": ", f);
    ms_fmt_json_str(f, stamp);
    fputs(",\n  \"command_line\": ", f);
    ms_fmt_json_str(f, command_line);
    fputs(",\n  \"files\": {", f);
    int n = d ? ms_outdir_nfiles(d) : 0;
    for (int i = 0; i < n; i++) {
        fprintf(f, "%s\n    ", i ? "," : "");
        ms_fmt_json_str(f, ms_outdir_file_name(d, i));
        fprintf(f, ": {\"bytes\": %zu, \"sha256\": \"%s\"}", ms_outdir_file_bytes(d, i), ms_outdir_file_sha256(d, i));
    }
    fputs(n ? "\n  }\n}\n" : "}\n}\n", f);
}
