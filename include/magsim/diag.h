/*
 * magsim/diag.h - located diagnostics for scenario files.
 *
 * Every problem found in a scenario becomes one ms_diag: its kind (so tests
 * and tools can tell errors apart without parsing text), FILE:LINE:COLUMN
 * (1-based), and a message saying what was expected.  The loader collects all
 * of them before giving up, so a user fixes a file in one pass.  Printing
 * follows compilers:
 *
 *   scenarios/x.yaml:12:5: error: unknown key 'tarif' (did you mean 'tariff'?)
 *      12 |   - {tarif: 0.25}
 *         |      ^
 */
#ifndef MAGSIM_DIAG_H
#define MAGSIM_DIAG_H

#include <stdio.h>

typedef enum ms_diag_kind {
    MS_D_IO = 0,      /* file cannot be read */
    MS_D_EMPTY,       /* empty file or empty document */
    MS_D_UTF8,        /* not valid UTF-8 */
    MS_D_SYNTAX,      /* not YAML (libyaml parser error) */
    MS_D_TYPE,        /* wrong node type (map / list / scalar expected) */
    MS_D_UNKNOWN_KEY, /* key not in the schema */
    MS_D_DUP_KEY,     /* key given twice in one map */
    MS_D_MISSING,     /* required key absent */
    MS_D_NUMBER,      /* scalar does not parse as a finite number / integer */
    MS_D_RANGE,       /* value out of its allowed range */
    MS_D_SUM,         /* shares do not sum to 1 within 1e-6 */
    MS_D_DATE,        /* malformed or impossible date */
    MS_D_DIST,        /* distribution unknown or its parameters make no sense */
    MS_D_REF,         /* reference to a name that does not exist */
    MS_D_VALUE,       /* a keyword value not among the allowed ones (mode: lisence) */
    MS_D_VERSION,     /* magsim: version not supported */
    MS_D_LIMIT,       /* size limits (too many entities, nesting too deep) */
    MS_D_WARNING,     /* not an error: suspicious but allowed (restore_months < 1) */
    MS_D_NKINDS
} ms_diag_kind;

typedef struct ms_diag {
    ms_diag_kind kind;
    char *file;       /* path as given */
    int line, column; /* 1-based; 0 when the whole file is meant */
    char *message;    /* what is wrong and what was expected */
} ms_diag;

/* A copy of a loaded source text, so that printing can quote lines of
 * buffers that were never on disk (ms_scenario_load_buffer). */
typedef struct ms_diag_source {
    char *file;       /* name as used in diags */
    char *text;       /* bytes of the file (NUL-terminated copy) */
    size_t len;       /* length of text in bytes */
} ms_diag_source;

typedef struct ms_diags {
    ms_diag *v;
    int n, cap;
    int nerrors;      /* diags other than MS_D_WARNING */
    ms_diag_source *src; /* source texts registered by the loader */
    int nsrc, srccap;
} ms_diags;

void ms_diags_init(ms_diags *d);
void ms_diags_clear(ms_diags *d);   /* frees every message; d is reusable */

/* Append one diagnostic; printf-style message. */
void ms_diags_add(ms_diags *d, ms_diag_kind kind, const char *file, int line, int column,
                  const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 6, 7)))
#endif
    ;

/* Print every diagnostic, sorted by file, line and column, each followed by
 * its source line and a caret under the column (the file is re-read for
 * that).  color: 1 for ANSI colours. */
void ms_diags_print(const ms_diags *d, FILE *out, int color);

const char *ms_diag_kind_name(ms_diag_kind k);

/* Register (or replace) the text of a source under its diag file name; the
 * text is copied.  ms_diags_print quotes lines from it instead of re-reading
 * the file. */
void ms_diags_add_source(ms_diags *d, const char *file, const char *text, size_t len);

/* Number of diags of one kind (MS_D_NKINDS: all). */
int ms_diags_count(const ms_diags *d, ms_diag_kind kind);

/* First diag of that kind at (line, column) (column 0: any column), or NULL. */
const ms_diag *ms_diags_find(const ms_diags *d, ms_diag_kind kind, int line, int column);

/* Print one diag the way ms_diags_print does (location, message, source line, caret). */
void ms_diag_print_one(const ms_diags *d, const ms_diag *g, FILE *out, int color);

#endif
