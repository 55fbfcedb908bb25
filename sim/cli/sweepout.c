/*
 * sim/cli/sweepout.c - the files of a sweep, a shard and a merge
 * (sim/cli/sweepout.h).
 *
 * sweep.csv is the identity's columns line, then every point's rows in
 * point order.  sweep.json holds the same table as "rows" arrays, typed:
 * the point index and numbers verbatim (they are round-trip text already),
 * dates and names as strings, empty fields as null; it is derived from the
 * CSV rows and the identity alone, so a merge that never loads the sweep or
 * its scenario still writes it byte for byte.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "magsim/fmt.h"
#include "magsim/outdir.h"
#include "magsim/prov.h"
#include "cli.h"
#include "sweepout.h"

const char *cli_id_get(const char *id, const char *key, char *buf, size_t len)
{
    size_t kl = strlen(key);
    for (const char *l = id; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
        if (!strncmp(l, key, kl) && l[kl] == ' ') {
            size_t n = strcspn(l + kl + 1, "\n");
            snprintf(buf, len, "%.*s", (int)n, l + kl + 1);
            return buf;
        }
    return NULL;
}

/* Next CSV field of a line (RFC 4180 quotes), into buf; returns where the
 * next field starts, or NULL at the end of the line. */
static const char *csv_field(const char *p, char *buf, size_t len, int *quoted)
{
    size_t n = 0;
    *quoted = *p == '"';
    if (*quoted) {
        for (p++; *p && !(*p == '"' && p[1] != '"'); p++) {
            if (*p == '"')
                p++;
            if (n + 1 < len)
                buf[n++] = *p;
        }
        if (*p == '"')
            p++;
    } else {
        for (; *p && *p != ',' && *p != '\n'; p++)
            if (n + 1 < len)
                buf[n++] = *p;
    }
    buf[n] = 0;
    return *p == ',' ? p + 1 : NULL;
}

/* Column kinds from the identity: 'n' number, 's' string (name or date). */
static char *column_kinds(const char *id, int *ncols)
{
    char cols[8192];
    if (!cli_id_get(id, "columns", cols, sizeof cols))
        return NULL;
    int n = 1;
    for (const char *c = cols; *c; c++)
        n += *c == ',';
    char *k = malloc((size_t)n + 1);
    if (!k)
        return NULL;
    memset(k, 'n', (size_t)n);
    k[n] = 0;
    int j = 1;
    for (const char *l = id; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
        if (!strncmp(l, "input ", 6) && j < n)
            k[j++] = !strncmp(l + 6, "date ", 5) ? 's' : 'n';
    for (int m = 0; m < 4 && j < n; m++) /* metric, importer, industry, product */
        k[j++] = 's';
    *ncols = n;
    return k;
}

static void json_row(FILE *f, const char *line, const char *kinds, int ncols)
{
    char field[1024];
    int quoted = 0, j = 0;
    fputc('[', f);
    for (const char *p = line; p; j++) {
        p = csv_field(p, field, sizeof field, &quoted);
        fputs(j ? ", " : "", f);
        if (!*field && !quoted)
            fputs("null", f);
        else if (j < ncols && kinds[j] == 'n')
            fputs(field, f);
        else
            ms_fmt_json_str(f, field);
    }
    fputc(']', f);
}

static void json_head(FILE *f, const char *id)
{
    static const char *const str_keys[] = {"magsim_version", "name", "sweep_sha256", "scenario_sha256", "design",
                                           NULL};
    static const char *const num_keys[] = {"seed", "paths", "npoints", NULL};
    char v[8192];
    fputs("{\n  \"format\": \"magsim-sweep\",\n  \"format_version\": 1", f);
    for (int i = 0; str_keys[i]; i++) {
        fprintf(f, ",\n  \"%s\": ", str_keys[i]);
        ms_fmt_json_str(f, cli_id_get(id, str_keys[i], v, sizeof v));
    }
    for (int i = 0; num_keys[i]; i++)
        fprintf(f, ",\n  \"%s\": %s", num_keys[i], cli_id_get(id, num_keys[i], v, sizeof v) ? v : "null");
    fprintf(f, ",\n  \"quantiles\": [%s]", cli_id_get(id, "quantiles", v, sizeof v) ? v : "");
    fputs(",\n  \"inputs\": [", f);
    int k = 0;
    for (const char *l = id; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
        if (strncmp(l, "input ", 6))
            continue;
        int date = !strncmp(l + 6, "date ", 5);
        const char *key = l + 6 + (date ? 5 : 7);
        snprintf(v, sizeof v, "%.*s", (int)strcspn(key, "\n"), key);
        fprintf(f, "%s{\"key\": ", k++ ? ", " : "");
        ms_fmt_json_str(f, v);
        fprintf(f, ", \"type\": \"%s\"}", date ? "date" : "number");
    }
    fputs("],\n  \"columns\": [", f);
    if (cli_id_get(id, "columns", v, sizeof v)) {
        char field[512];
        int quoted, j = 0;
        for (const char *p = v; p; j++) {
            p = csv_field(p, field, sizeof field, &quoted);
            fputs(j ? ", " : "", f);
            ms_fmt_json_str(f, field);
        }
    }
    fputs("],\n  \"rows\": [", f);
}

static int render_json(FILE *f, const cli_sweep_out *o)
{
    int ncols = 0;
    char *kinds = column_kinds(o->id, &ncols);
    if (!kinds)
        return -1;
    json_head(f, o->id);
    int first = 1;
    for (int p = 0; p < o->npoints; p++)
        for (const char *l = o->rows[p]; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
            fputs(first ? "\n    " : ",\n    ", f);
            json_row(f, l, kinds, ncols);
            first = 0;
        }
    fputs(first ? "]\n}\n" : "\n  ]\n}\n", f);
    free(kinds);
    return ferror(f) ? -1 : 0;
}

static int render_csv(FILE *f, const cli_sweep_out *o)
{
    char cols[8192];
    if (!cli_id_get(o->id, "columns", cols, sizeof cols))
        return -1;
    fprintf(f, "%s\n", cols);
    for (int p = 0; p < o->npoints; p++)
        if (o->rows[p])
            fwrite(o->rows[p], 1, o->lens[p], f);
    return ferror(f) ? -1 : 0;
}

static int render_shard_id(FILE *f, const cli_sweep_out *o)
{
    fprintf(f, "%sshard %d/%d\n", o->id, o->shard, o->nshards);
    return ferror(f) ? -1 : 0;
}

static int render_manifest(FILE *f, const cli_sweep_out *o, const ms_outdir *d)
{
    char v[256];
    fputs("{\n  \"format\": \"magsim-manifest\",\n  \"format_version\": 1,\n  \"magsim_version\": ", f);
    ms_fmt_json_str(f, MAGSIM_VERSION);
    fputs(",\n  \"kind\": ", f);
    ms_fmt_json_str(f, o->nshards ? "sweep-shard" : "sweep");
    fprintf(f, ",\n  \"shard\": %d,\n  \"nshards\": %d", o->shard, o->nshards ? o->nshards : 1);
    fputs(",\n  \"sweep_sha256\": ", f);
    ms_fmt_json_str(f, cli_id_get(o->id, "sweep_sha256", v, sizeof v));
    fputs(",\n  \"scenario_sha256\": ", f);
    ms_fmt_json_str(f, cli_id_get(o->id, "scenario_sha256", v, sizeof v));
    fprintf(f, ",\n  \"ranks\": %d,\n  \"threads\": %d,\n  \"wall_seconds\": ", o->ranks, o->threads);
    ms_fmt_json_num(f, o->wall_seconds);
    ms_prov_manifest_end(f, o->command_line, d);
    return ferror(f) ? -1 : 0;
}

typedef int (*render_fn)(FILE *f, const cli_sweep_out *o);

/* Render into memory and add as one file. */
static int add_rendered(ms_outdir *d, const char *name, render_fn fn, const cli_sweep_out *o, char *err, size_t el)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) {
        snprintf(err, el, "out of memory rendering %s", name);
        return -1;
    }
    int rc = fn ? fn(f, o) : render_manifest(f, o, d);
    if (fclose(f) != 0 || rc != 0) {
        snprintf(err, el, "cannot render %s", name);
        free(buf);
        return -1;
    }
    rc = ms_outdir_add(d, name, buf, len, err, el);
    free(buf);
    return rc;
}

int cli_sweep_write(const char *out, int force, const cli_sweep_out *o)
{
    char err[1024];
    ms_outdir *d = ms_outdir_open(out, force, err, sizeof err);
    if (!d) {
        cli_err("--out: %s", err);
        return -1;
    }
    int rc = o->nshards ? add_rendered(d, "shard.csv", render_csv, o, err, sizeof err) ||
                              add_rendered(d, "shard.id", render_shard_id, o, err, sizeof err)
                        : add_rendered(d, "sweep.csv", render_csv, o, err, sizeof err) ||
                              add_rendered(d, "sweep.json", render_json, o, err, sizeof err);
    for (int i = 0; rc == 0 && i < o->ncopies; i++)
        rc = ms_outdir_add(d, o->copies[i].name, o->copies[i].bytes, o->copies[i].len, err, sizeof err);
    if (rc == 0)
        rc = add_rendered(d, "manifest.json", NULL, o, err, sizeof err);
    if (rc == 0)
        rc = ms_outdir_commit(d, err, sizeof err);
    if (rc)
        cli_err("--out: %s", err);
    ms_outdir_free(d);
    return rc ? -1 : 0;
}
