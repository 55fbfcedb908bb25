/*
 * scenario_int.h - internals of the scenario loader, shared by
 * sim/scenario.c (schema and building), sim/scenario_tree.c (YAML -> located
 * node tree, inheritance) and sim/scenario_value.c (numbers, dates,
 * distributions).  Not a public header.
 *
 * The loader works in three stages:
 *   1. text -> tree: every file's bytes are checked for UTF-8, parsed with
 *      libyaml's document API, and copied into an msn tree whose nodes keep
 *      the file name, line and column (1-based) where they were written.
 *      Duplicate keys, aliases blowing up, nesting depth are caught here.
 *   2. inheritance: "extends:" loads the base tree and merges the child over it
 *      (maps key by key, lists and scalars replace, null removes).
 *   3. tree -> ms_scenario: schema tables drive validation and building; every
 *      problem is appended to the diags and the walk goes on, so one pass
 *      reports every error.
 */
#ifndef MAGSIM_SCENARIO_INT_H
#define MAGSIM_SCENARIO_INT_H

#include <stddef.h>
#include "magsim/scenario.h"

#define MSL_MAX_DEPTH 32        /* nesting depth of YAML collections */
#define MSL_MAX_NODES 250000    /* nodes in one file's tree (alias expansion included) */
#define MSL_MAX_EXTENDS 8       /* depth of the extends chain */
#define MSL_MAX_PRODUCTS 100
#define MSL_MAX_SUPPLIERS 1000
#define MSL_MAX_IMPORTERS 1000
#define MSL_MAX_PAIRS 100000    /* suppliers x importers */
#define MSL_MAX_INDUSTRIES 100  /* per importer */
#define MSL_MAX_POLICIES 1000
#define MSL_MAX_LIST 1000       /* expansions, schedule steps */
#define MSL_MAX_DISCRETE 10000  /* values of a discrete distribution */
#define MSL_MAX_NAME 64         /* identifier length */
#define MSL_MAX_FILE ((size_t)64 << 20) /* bytes in one scenario file */
#define MSL_MAX_MAGNITUDE 1e15   /* largest |number| in a scenario */
#define MSL_MAX_LOG_SIGMA 10     /* largest lognormal sigma */

typedef enum msn_type { MSN_ANY = 0, MSN_NULL, MSN_SCALAR, MSN_MAP, MSN_LIST } msn_type;

typedef struct msn {
    msn_type type;
    const char *file;      /* file it was written in (interned in the loader) */
    int line, col;         /* 1-based */
    char *str;             /* scalar: value (NUL-terminated) */
    int quoted;            /* scalar: 1 when quoted or block (not plain) */
    int n, cap;            /* map: pairs; list: items */
    struct msn **keys;     /* map: key nodes (scalars) */
    struct msn **vals;     /* map: values; list: items */
} msn;

/* Loader context. */
typedef struct msl {
    ms_diags *diags;
    char **files; int nfiles, filescap;   /* interned file names */
    long nodes;                           /* nodes made for the current file */
    int limit_reported;
    /* building */
    ms_scenario *s;
    int have_start;                       /* horizon.start parsed */
    char **keys; int nkeys, keyscap;      /* stream keys of non-fixed dists (for collisions) */
    const msn **keynodes;                 /* where each was written */
} msl;

/* ---- tree (scenario_tree.c) ---- */
const char *msl_intern(msl *L, const char *file);
void msn_free(msn *n);
msn *msn_get(const msn *map, const char *key);          /* value or NULL */
const msn *msn_key(const msn *map, const char *key);    /* key node or NULL */
const char *msn_type_name(msn_type t);
int msn_push(msn *c, msn *key, msn *val);              /* append to a map (key) or list (key NULL); 0 or -1 */
/* Load a file or buffer, resolve extends; NULL on failure (diags hold why). */
msn *msl_load_tree(msl *L, const char *file, const char *buf, size_t len);
/* Record a file the scenario is built from, with its bytes (ms_scenario.sources). */
void msl_add_source(msl *L, const char *path, const char *buf, size_t len);
/* Read a whole file (at most MSL_MAX_FILE bytes); NULL with *err = errno on failure. */
char *msl_read_file(const char *path, size_t *len, int *err);

/* ---- overrides (scenario_override.c) ---- */
/* The loader with overrides applied to the merged tree before it is built. */
ms_scenario *msl_load_scenario(const char *name, const char *buf, size_t len, const ms_override *ov, int nov,
                               ms_diags *diags);
/* Set each override's key path in the tree (errors located at the override). */
void msl_apply_overrides(msl *L, msn *root, const ms_override *ov, int nov);

/* ---- diagnostics helpers ---- */
void msl_err(msl *L, ms_diag_kind k, const msn *at, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
int msl_edit_distance(const char *a, const char *b);
/* Best match among words (NULL-terminated list or n strings), or NULL if none close. */
const char *msl_suggest(const char *word, const char *const *words, int n);

/* ---- values (scenario_value.c) ---- */
typedef ms_range msrange;  /* allowed values (magsim/dist.h) */

int msl_number(msl *L, const msn *n, double *out);              /* plain scalar number */
int msl_integer(msl *L, const msn *n, long long lo, long long hi, long long *out);
int msl_date(msl *L, const msn *n, double *offset, int allow_day); /* YYYY-MM[-DD] -> offset */
int msl_parse_ym(const char *s, int *y, int *m, int *d);        /* 0 ok, 1 malformed, 2 impossible */
/* Numeric (is_date 0) or date (is_date 1) input: scalar or dist map. */
int msl_dist(msl *L, const msn *n, const char *key, int is_date, const msrange *r, ms_dist *out);
/* A fixed default with a key and its domain (r NULL: any value). */
void msl_dist_default(msl *L, const char *key, double v, const msrange *r, int is_date, ms_dist *out);
char *msl_keydup(msl *L, const char *key);    /* string owned by the scenario */
void *msl_own(msl *L, size_t size);           /* zeroed memory owned by the scenario */
int msl_range_ok(const ms_dist *d, const msrange *r);
void msl_range_text(const msrange *r, char *buf, size_t len);
/* Accepted dist keys, for the schema listing: "dist.uniform.min" ... */
int msl_dist_schema_keys(char ***out, int *n, int *cap);

#endif
