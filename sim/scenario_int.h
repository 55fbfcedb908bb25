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

#include <math.h>
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

typedef ms_range msrange;  /* allowed values (magsim/dist.h) */

/* ---- schema tables (sim/scenario.c, and the policy types in sim/policy/) ----
 * A map is checked and built by a table of keys: {key, node type, handler,
 * offsetof(field), flags, range, default, sub-schema, reference kind,
 * keywords, has_off}, written with designated initializers.  msl_apply
 * reports unknown keys (did you mean), wrong node types and missing required
 * keys, then calls the handlers in table order; msl_defaults fills what is
 * absent. */

typedef struct mskey mskey;
typedef void (*msk_fn)(msl *L, const msn *v, void *base, const mskey *k, const char *path);

enum {
    K_REQ = 1,      /* required */
    K_DEF = 2,      /* dist with default `def` when absent */
    K_DATE = 4,     /* date-valued */
    K_HAS = 8,      /* sets the int at has_off to 1 when present */
    K_INLINE = 16,  /* sub-map whose fields live in the same struct (defaults recurse) */
    K_NAMED = 32,   /* map of names -> sub (schema listing) */
    K_LIST = 64,    /* list of sub (schema listing) */
    K_U64 = 128,    /* integer stored as uint64_t */
    K_NEST = 256,   /* sub-map whose fields live in the struct at off (defaults recurse) */
    K_MARK = 512,   /* per-product map: sets mark[p] in the int array at has_off */
    K_ONCE = 1024,  /* a dist read once per path: `per: month` is refused (dates always are) */
};

enum { REF_NONE = 0, REF_PRODUCT, REF_SUPPLIER, REF_IMPORTER };

struct mskey {
    const char *key;
    msn_type type;           /* node type expected (MSN_ANY: the handler checks) */
    msk_fn fn;
    size_t off;              /* field in the base struct */
    int flags;
    msrange range;
    double def;              /* default of a K_DEF dist */
    const mskey *sub;        /* schema of a sub-map or list items */
    int ref;                 /* REF_* for references and masks */
    const char *const *words;/* keywords of an enum */
    size_t has_off;          /* K_HAS: int field set to 1 */
};

/* Ranges as initializer macros, not const objects: a const object is not a
 * constant expression in C, and only GCC accepts one in a static
 * initializer (clang, which builds the fuzzer, does not). */
#define R_ANY {-HUGE_VAL, HUGE_VAL, 0, 0}
#define R_NONNEG {0, HUGE_VAL, 0, 0}
#define R_POS {0, HUGE_VAL, 1, 0}
#define R_SHARE {0, 1, 0, 0}
#define R_GE1 {1, HUGE_VAL, 0, 0}
#define R_GROWTH {-1, HUGE_VAL, 1, 0}
#define R_NONPOS {-HUGE_VAL, 0, 0, 0}
#define R_NEG {-HUGE_VAL, 0, 0, 1}
#define R_THRESH {0, 1, 0, 1}

#define FIELD(base, k, type) ((type *)(void *)((char *)(base) + (k)->off))

void msl_apply(msl *L, const msn *map, const mskey *schema, void *base, const char *path);
void msl_defaults(msl *L, const mskey *schema, void *base, const char *path);
void msl_join(char *buf, size_t len, const char *path, const char *key); /* "path.key" */
/* The generic handlers of schema rows. */
void msl_h_skip(msl *L, const msn *v, void *base, const mskey *k, const char *path);  /* accepted, read elsewhere */
void msl_h_dist(msl *L, const msn *v, void *base, const mskey *k, const char *path);  /* an ms_dist (K_DATE: a date) */
void msl_h_str(msl *L, const msn *v, void *base, const mskey *k, const char *path);   /* a string */
void msl_h_double(msl *L, const msn *v, void *base, const mskey *k, const char *path);/* a plain number */
void msl_h_int(msl *L, const msn *v, void *base, const mskey *k, const char *path);   /* an integer (K_U64) */
void msl_h_enum(msl *L, const msn *v, void *base, const mskey *k, const char *path);  /* one of k->words: its index */
void msl_h_inline(msl *L, const msn *v, void *base, const mskey *k, const char *path);/* a sub-map into the same struct */
void msl_h_nest(msl *L, const msn *v, void *base, const mskey *k, const char *path);  /* a sub-map into the struct at off */
void msl_h_ref(msl *L, const msn *v, void *base, const mskey *k, const char *path);   /* a name -> index (k->ref) */
void msl_h_mask(msl *L, const msn *v, void *base, const mskey *k, const char *path);  /* all, a name or a list -> mask */
int msl_valid_name(msl *L, const msn *kn, const char *what);
int msl_count_ok(msl *L, const msn *v, int max, const char *what);
int msl_resolve(msl *L, int ref, const msn *v);       /* a reference's index, -1 (reported) */
int *msl_mask_all(int n);                             /* an all-ones mask of n (malloc'd) */
/* The names in a mask of entities (REF_*): "all", "a,b", or "none". */
void msl_mask_names(char *buf, size_t len, const int *mask, int n, int ref, const ms_scenario *s);
/* An end date that is never after the start: the policy would never be on. */
void msl_check_end(msl *L, const msn *map, const ms_dist *start, int has_end, const ms_dist *end);

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
