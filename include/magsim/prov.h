/*
 * magsim/prov.h - provenance in the result directories of the analysis
 * commands (compare, sensitivity; run's manifest shares its tail): files
 * rendered in memory and added to an ms_outdir, byte copies of the
 * scenario files, and the parts of a manifest.json that every command writes the same way (the scenario's
 * identity; threads, wall time, host, clock, command line and the list of
 * files with their SHA-256).
 *
 * A command's own files are rendered in memory first, so that the only I/O
 * that can fail is ms_outdir_add's, which is checked; the manifest is
 * rendered last, since it lists the others.
 */
#ifndef MAGSIM_PROV_H
#define MAGSIM_PROV_H

#include <stddef.h>
#include <stdio.h>
#include "magsim/outdir.h"
#include "magsim/scenario.h"

/* Render a file into f from ctx; 0, or -1 on an error (ferror). */
typedef int (*ms_prov_render_fn)(FILE *f, const void *ctx);

/* Render with fn and add the bytes to d as name.  MS_OUTDIR_OK or an
 * MS_OUTDIR_* code with a message in err. */
int ms_prov_add_rendered(ms_outdir *d, const char *name, ms_prov_render_fn fn, const void *ctx, char *err,
                         size_t errlen);

/* The names the files of one scenario were copied under. */
typedef struct ms_prov_copies {
    int n;                     /* s->nsources */
    char **name;               /* [n]: copy of source k; NULL when not copied */
} ms_prov_copies;

/* Copy every source of s, byte for byte as the loader read it: the scenario
 * as copy_name, each base of its extends: chain under its own file name, or
 * not again when a file of that name and content is already there, or as
 * "STEM-NAME" (STEM: copy_name without ".yaml") when the name is taken by
 * other content.  MS_OUTDIR_OK or a code with a message in err; cp is
 * filled either way (free with ms_prov_copies_free). */
int ms_prov_add_sources(ms_outdir *d, const ms_scenario *s, const char *copy_name, ms_prov_copies *cp, char *err,
                        size_t errlen);
void ms_prov_copies_free(ms_prov_copies *cp);

/* A whole result directory: the command's files (rendered in order), then
 * the scenario copies (sources, may be NULL), then manifest.json (rendered
 * with the directory, for its file list), committed.  ctx is the command's,
 * passed to every callback.  MS_OUTDIR_OK or a code with a message in err. */
typedef struct ms_prov_file {
    const char *name;          /* file name in the directory */
    ms_prov_render_fn fn;      /* its renderer */
} ms_prov_file;
typedef int (*ms_prov_sources_fn)(ms_outdir *d, const void *ctx, char *err, size_t errlen);
typedef int (*ms_prov_manifest_fn)(FILE *f, const void *ctx, const ms_outdir *d);
int ms_prov_write_dir(const char *dir, int force, const ms_prov_file *files, int nfiles, ms_prov_sources_fn sources,
                      ms_prov_manifest_fn manifest, const void *ctx, char *err, size_t errlen);

/* A scenario's identity as a JSON object on one line: {"path", "name",
 * "bytes", "sha256", "copy", "extends": [copies]}.  cp may be NULL. */
void ms_prov_scenario_json(FILE *f, const ms_scenario *s, const char *path, const ms_prov_copies *cp);

/* What the manifest records about the process. */
typedef struct ms_prov_run {
    int threads;               /* threads used */
    double wall_seconds;       /* wall time of the computation */
    int gsl_errors;            /* GSL errors recorded */
    const char *command_line;  /* argv, shell-quoted; may be NULL */
    int has_rate;              /* 1: write paths_per_second (a run's manifest) */
    double paths_per_second;   /* paths done / wall_seconds (NaN when no time passed) */
} ms_prov_run;

/* The manifest's last members and its closing brace:
 * "threads", "wall_seconds", ("paths_per_second" when run->has_rate),
 * "gsl_errors", "host", "written_utc",
 * "command_line", "files" (name: bytes, SHA-256, for every file added to d
 * so far; d may be NULL). */
void ms_prov_manifest_tail(FILE *f, const ms_prov_run *run, const ms_outdir *d);
/* The last members every manifest has, after a member of the caller's
 * (",\n" first): "host", "written_utc", "command_line" (may be NULL),
 * "files" (as above), and the closing brace. */
void ms_prov_manifest_end(FILE *f, const char *command_line, const ms_outdir *d);

#endif
