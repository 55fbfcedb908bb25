/*
 * scenario.c - scenario schema, validation and building (magsim/scenario.h).
 *
 * The located node tree (scenario_tree.c) is walked with schema tables, one
 * per map: {key, node type, handler, offsetof(field), flags, range, default}.
 * apply() reports unknown keys (with "did you mean"), wrong node types and
 * missing required keys, then calls the handlers in TABLE order (not file
 * order), which is what lets names be resolved regardless of where they are
 * written: products before suppliers, supplier and importer names before
 * sourcing and policies, a policy's importer before its beneficiaries.
 * Absent optional inputs get their documented default (a fixed ms_dist that
 * still carries its key path).  No handler stops the walk: every error in the
 * file is reported, and only a scenario with no error is returned.
 *
 * Ownership: names, per-entity arrays and masks belong to their structs and
 * are freed by ms_scenario_free; dist keys and discrete arrays sit in the
 * scenario's owned pool, so copied dists (announce = start, transit default)
 * can share them.
 */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "scenario_int.h"

/* ---- schema ------------------------------------------------------------------- */

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

static void apply(msl *L, const msn *map, const mskey *schema, void *base, const char *path);
static void defaults(msl *L, const mskey *schema, void *base, const char *path);

#define FIELD(base, k, type) ((type *)(void *)((char *)(base) + (k)->off))

static void join(char *buf, size_t len, const char *path, const char *key)
{
    if (path && *path)
        snprintf(buf, len, "%s.%s", path, key);
    else
        snprintf(buf, len, "%s", key);
}

static int nkeys_of(const mskey *schema)
{
    int n = 0;
    while (schema[n].key)
        n++;
    return n;
}

static void apply(msl *L, const msn *map, const mskey *schema, void *base, const char *path)
{
    int ns = nkeys_of(schema);
    for (int i = 0; i < map->n; i++) {
        const char *k = map->keys[i]->str;
        int found = 0;
        for (int j = 0; j < ns && !found; j++)
            found = strcmp(schema[j].key, k) == 0;
        if (found)
            continue;
        const char *words[64];
        int nw = 0;
        for (int j = 0; j < ns && nw < 64; j++)
            words[nw++] = schema[j].key;
        const char *sug = msl_suggest(k, words, nw);
        if (sug)
            msl_err(L, MS_D_UNKNOWN_KEY, map->keys[i], "unknown key '%s'%s%s (did you mean '%s'?)", k,
                    path && *path ? " in " : "", path ? path : "", sug);
        else
            msl_err(L, MS_D_UNKNOWN_KEY, map->keys[i], "unknown key '%s'%s%s", k, path && *path ? " in " : "",
                    path ? path : "");
    }
    char sub[512];
    for (int j = 0; j < ns; j++) {
        const mskey *e = &schema[j];
        const msn *v = msn_get(map, e->key);
        join(sub, sizeof sub, path, e->key);
        if (!v) {
            if (e->flags & K_REQ)
                msl_err(L, MS_D_MISSING, map, "missing required key '%s'", sub);
            defaults(L, e, base, path);
            continue;
        }
        if (e->type != MSN_ANY && v->type != e->type) {
            msl_err(L, MS_D_TYPE, v, "%s: expected %s, got %s", e->key, msn_type_name(e->type),
                    msn_type_name(v->type));
            defaults(L, e, base, path);
            continue;
        }
        if (e->flags & K_HAS)
            *(int *)(void *)((char *)base + e->has_off) = 1;
        if (e->fn)
            e->fn(L, v, base, e, sub);
    }
}

/* Defaults of one absent entry (and of an absent sub-map's entries). */
static void defaults(msl *L, const mskey *e, void *base, const char *path)
{
    char sub[512];
    join(sub, sizeof sub, path, e->key);
    if (e->flags & K_DEF)
        msl_dist_default(L, sub, e->def, &e->range, (e->flags & K_DATE) != 0, FIELD(base, e, ms_dist));
    if ((e->flags & K_INLINE) && e->sub)
        for (const mskey *s = e->sub; s->key; s++)
            defaults(L, s, base, sub);
    if ((e->flags & K_NEST) && e->sub)
        for (const mskey *s = e->sub; s->key; s++)
            defaults(L, s, (char *)base + e->off, sub);
}

/* ---- generic handlers ---------------------------------------------------------- */

static void h_skip(msl *L, const msn *v, void *base, const mskey *k, const char *path) {}

static void h_dist(msl *L, const msn *v, void *base, const mskey *k, const char *path)
{
    int is_date = (k->flags & K_DATE) != 0;
    msl_dist(L, v, path, is_date, is_date ? NULL : &k->range, FIELD(base, k, ms_dist));
}

static void h_str(msl *L, const msn *v, void *base, const mskey *k, const char *path)
{
    char **dst = FIELD(base, k, char *);
    free(*dst);
    *dst = strdup(v->str);
}

static void h_double(msl *L, const msn *v, void *base, const mskey *k, const char *path)
{
    double x;
    if (msl_number(L, v, &x))
        return;
    ms_dist d = ms_dist_fixed(x);
    if (!msl_range_ok(&d, &k->range)) {
        char rt[96];
        msl_range_text(&k->range, rt, sizeof rt);
        msl_err(L, MS_D_RANGE, v, "%g is out of range: expected %s", x, rt);
        return;
    }
    *FIELD(base, k, double) = x;
}

static void h_int(msl *L, const msn *v, void *base, const mskey *k, const char *path)
{
    long long lo = (long long)k->range.lo;
    long long hi = isinf(k->range.hi) ? LLONG_MAX : (long long)k->range.hi;
    long long x;
    if (msl_integer(L, v, lo, hi, &x))
        return;
    if (k->flags & K_U64)
        *FIELD(base, k, uint64_t) = (uint64_t)x;
    else
        *FIELD(base, k, int) = (int)(x > INT_MAX ? INT_MAX : x);
}

static void h_enum(msl *L, const msn *v, void *base, const mskey *k, const char *path)
{
    for (int i = 0; k->words[i]; i++)
        if (strcmp(v->str, k->words[i]) == 0) {
            *FIELD(base, k, int) = i;
            return;
        }
    const char *sug = msl_suggest(v->str, k->words, -1);
    char list[256] = "";
    for (int i = 0; k->words[i]; i++) {
        strncat(list, i ? ", " : "", sizeof list - strlen(list) - 1);
        strncat(list, k->words[i], sizeof list - strlen(list) - 1);
    }
    if (sug)
        msl_err(L, MS_D_VALUE, v, "%s: '%s' is not one of %s (did you mean '%s'?)", k->key, v->str, list, sug);
    else
        msl_err(L, MS_D_VALUE, v, "%s: '%s' is not one of %s", k->key, v->str, list);
    *FIELD(base, k, int) = -1;
}

static void h_inline(msl *L, const msn *v, void *base, const mskey *k, const char *path)
{
    apply(L, v, k->sub, base, path);
}

static void h_nest(msl *L, const msn *v, void *base, const mskey *k, const char *path)
{
    apply(L, v, k->sub, (char *)base + k->off, path);
}

/* ---- names and references ----------------------------------------------------- */

static int name_index(msl *L, int ref, const char *name)
{
    ms_scenario *s = L->s;
    switch (ref) {
    case REF_PRODUCT: return ms_scenario_product(s, name);
    case REF_SUPPLIER: return ms_scenario_supplier(s, name);
    case REF_IMPORTER: return ms_scenario_importer(s, name);
    }
    return -1;
}

static int ref_count(msl *L, int ref)
{
    switch (ref) {
    case REF_PRODUCT: return L->s->nproducts;
    case REF_SUPPLIER: return L->s->nsuppliers;
    case REF_IMPORTER: return L->s->nimporters;
    }
    return 0;
}

static const char *ref_name(msl *L, int ref, int i)
{
    switch (ref) {
    case REF_PRODUCT: return L->s->products[i].name;
    case REF_SUPPLIER: return L->s->suppliers[i].name;
    case REF_IMPORTER: return L->s->importers[i].name;
    }
    return "";
}

static const char *ref_what(int ref)
{
    return ref == REF_PRODUCT ? "product" : ref == REF_SUPPLIER ? "supplier" : "importer";
}

static void ref_error(msl *L, int ref, const msn *at, const char *name, const char *extra)
{
    int n = ref_count(L, ref);
    const char **w = malloc((size_t)(n + 2) * sizeof *w);
    const char *sug = NULL;
    int nw = 0;
    if (w) {
        for (int i = 0; i < n; i++)
            w[nw++] = ref_name(L, ref, i);
        if (extra)
            w[nw++] = extra;
        sug = msl_suggest(name, w, nw);
    }
    if (sug)
        msl_err(L, MS_D_REF, at, "unknown %s '%s' (did you mean '%s'?)", ref_what(ref), name, sug);
    else
        msl_err(L, MS_D_REF, at, "unknown %s '%s'", ref_what(ref), name);
    free(w);
}

/* Resolve a scalar reference; -1 (reported) when it does not resolve. */
static int resolve(msl *L, int ref, const msn *v)
{
    if (v->type != MSN_SCALAR) {
        msl_err(L, MS_D_TYPE, v, "expected a %s name, got %s", ref_what(ref), msn_type_name(v->type));
        return -1;
    }
    int i = name_index(L, ref, v->str);
    if (i < 0)
        ref_error(L, ref, v, v->str, NULL);
    return i;
}

static void h_ref(msl *L, const msn *v, void *base, const mskey *k, const char *path)
{
    *FIELD(base, k, int) = resolve(L, k->ref, v);
}

/* "all", one name, or a list of names -> mask (allocated all-ones by the constructor). */
static void h_mask(msl *L, const msn *v, void *base, const mskey *k, const char *path)
{
    int *mask = *FIELD(base, k, int *);
    int n = ref_count(L, k->ref);
    if (!mask)
        return;
    if (v->type == MSN_SCALAR && strcmp(v->str, "all") == 0)
        return;
    if (v->type == MSN_SCALAR) {
        int i = name_index(L, k->ref, v->str);
        if (i < 0) {
            ref_error(L, k->ref, v, v->str, "all");
            return;
        }
        memset(mask, 0, (size_t)n * sizeof *mask);
        mask[i] = 1;
        return;
    }
    if (v->type != MSN_LIST) {
        msl_err(L, MS_D_TYPE, v, "%s: expected 'all', a %s name or a list of names, got %s", k->key,
                ref_what(k->ref), msn_type_name(v->type));
        return;
    }
    memset(mask, 0, (size_t)n * sizeof *mask);
    for (int j = 0; j < v->n; j++) {
        int i = resolve(L, k->ref, v->vals[j]);
        if (i >= 0)
            mask[i] = 1;
    }
}

static int valid_name(msl *L, const msn *kn, const char *what)
{
    const char *s = kn->str;
    size_t n = strlen(s);
    int ok = n > 0 && n <= MSL_MAX_NAME;
    for (size_t i = 0; ok && i < n; i++) {
        char c = s[i];
        ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    }
    if (!ok) {
        msl_err(L, MS_D_VALUE, kn, "%s name '%s' is not an identifier (letters, digits, '_', '-'; at most %d)",
                what, s, MSL_MAX_NAME);
        return 0;
    }
    if (!strcmp(s, "all") || !strcmp(s, "default")) {
        msl_err(L, MS_D_VALUE, kn, "'%s' is reserved and cannot name a %s", s, what);
        return 0;
    }
    return 1;
}

static int count_ok(msl *L, const msn *v, int max, const char *what)
{
    if (v->n > max) {
        msl_err(L, MS_D_LIMIT, v, "%d %s: at most %d are allowed", v->n, what, max);
        return 0;
    }
    return 1;
}

/* ---- per-product maps ---------------------------------------------------------- */

static void h_perproduct(msl *L, const msn *v, void *base, const mskey *k, const char *path)
{
    ms_dist *arr = *FIELD(base, k, ms_dist *);
    if (!arr)
        return;
    char sub[512];
    for (int i = 0; i < v->n; i++) {
        const msn *kn = v->keys[i];
        int p = resolve(L, REF_PRODUCT, kn);
        if (p < 0)
            continue;
        join(sub, sizeof sub, path, kn->str);
        msl_dist(L, v->vals[i], sub, 0, &k->range, &arr[p]);
        if (k->flags & K_MARK) {
            int *mark = *(int **)(void *)((char *)base + k->has_off);
            if (mark)
                mark[p] = 1;
        }
    }
}

/* ---- maps of named entities (products, suppliers, importers, industries) ------------ */

/* The checks every such map starts with: at least one entry when the map is
 * required, at most max; then a zeroed array of its n elements of size sz.
 * NULL when the handler should stop (the error is reported). */
static void *entity_array(msl *L, const msn *v, int max, const char *plural, const char *one, size_t sz)
{
    if (one && v->n == 0) {
        msl_err(L, MS_D_MISSING, v, "%s: at least one %s is needed", plural, one);
        return NULL;
    }
    if (!count_ok(L, v, max, plural))
        return NULL;
    return calloc((size_t)(v->n ? v->n : 1), sz);
}

/* Apply an entity's schema to its map; anything else is a type error and the
 * entity keeps its defaults, so later checks see complete entities. */
static void apply_entity(msl *L, const msn *body, const mskey *schema, void *ent, const char *what,
                         const char *name, const char *sub)
{
    if (body->type != MSN_MAP) {
        msl_err(L, MS_D_TYPE, body, "%s %s: expected a map, got %s", what, name, msn_type_name(body->type));
        for (const mskey *e = schema; e->key; e++)
            defaults(L, e, ent, sub);
        return;
    }
    apply(L, body, schema, ent, sub);
}

/* ---- products ------------------------------------------------------------------- */

static const mskey product_schema[] = {
    {"price_usd_per_kg", MSN_SCALAR, h_double, offsetof(ms_product, price_usd_per_kg), K_REQ, R_POS, 0, 0, 0, 0, 0},
    {0},
};

static void h_products(msl *L, const msn *v, void *base, const mskey *k, const char *path)
{
    ms_scenario *s = L->s;
    s->products = entity_array(L, v, MSL_MAX_PRODUCTS, "products", "product", sizeof *s->products);
    if (!s->products)
        return;
    s->nproducts = v->n;
    char sub[512];
    for (int i = 0; i < v->n; i++) {
        valid_name(L, v->keys[i], "product");
        s->products[i].name = strdup(v->keys[i]->str);
    }
    for (int i = 0; i < v->n; i++) {
        join(sub, sizeof sub, path, v->keys[i]->str);
        apply_entity(L, v->vals[i], product_schema, &s->products[i], "product", v->keys[i]->str, sub);
    }
}

/* ---- suppliers ------------------------------------------------------------------ */

static const mskey expansion_schema[] = {
    {"product", MSN_ANY, h_ref, offsetof(ms_expansion, product), K_REQ, R_ANY, 0, 0, REF_PRODUCT, 0, 0},
    {"t_per_year", MSN_ANY, h_dist, offsetof(ms_expansion, t_per_year), K_REQ, R_NONNEG, 0, 0, 0, 0, 0},
    {"start", MSN_ANY, h_dist, offsetof(ms_expansion, start), K_REQ | K_DATE, R_ANY, 0, 0, 0, 0, 0},
    {"ramp_months", MSN_ANY, h_dist, offsetof(ms_expansion, ramp_months), K_DEF, R_NONNEG, 12, 0, 0, 0, 0},
    {0},
};

static const mskey outage_schema[] = {
    {"hazard_per_month", MSN_ANY, h_dist, offsetof(ms_outage, hazard_per_month), K_REQ | K_DEF, R_SHARE, 0, 0, 0, 0, 0},
    {"duration_months", MSN_ANY, h_dist, offsetof(ms_outage, duration_months), K_DEF, R_NONNEG, 1, 0, 0, 0, 0},
    {"cut", MSN_ANY, h_dist, offsetof(ms_outage, cut), K_DEF, R_SHARE, 1, 0, 0, 0, 0},
    {0},
};

static void h_expansions(msl *L, const msn *v, void *base, const mskey *k, const char *path)
{
    ms_supplier *sp = base;
    if (!count_ok(L, v, MSL_MAX_LIST, "expansions"))
        return;
    sp->expansions = calloc((size_t)(v->n ? v->n : 1), sizeof *sp->expansions);
    if (!sp->expansions)
        return;
    char sub[512];
    for (int i = 0; i < v->n; i++) {
        ms_expansion *e = &sp->expansions[sp->nexpansions++];
        e->product = -1;
        snprintf(sub, sizeof sub, "%s.%d", path, i);
        if (v->vals[i]->type != MSN_MAP) {
            msl_err(L, MS_D_TYPE, v->vals[i], "expansions: each item must be a map, got %s",
                    msn_type_name(v->vals[i]->type));
            continue;
        }
        apply(L, v->vals[i], expansion_schema, e, sub);
    }
}

static const mskey supplier_schema[] = {
    {"country", MSN_SCALAR, h_str, offsetof(ms_supplier, country), K_REQ, R_ANY, 0, 0, 0, 0, 0},
    {"capacity_t_per_year", MSN_MAP, h_perproduct, offsetof(ms_supplier, capacity_t_per_year), K_MARK, R_NONNEG, 0,
     0, 0, 0, offsetof(ms_supplier, has_product)},
    {"export_share", MSN_MAP, h_perproduct, offsetof(ms_supplier, export_share), 0, R_SHARE, 0, 0, 0, 0, 0},
    {"price_usd_per_kg", MSN_MAP, h_perproduct, offsetof(ms_supplier, price_usd_per_kg), 0, R_POS, 0, 0, 0, 0, 0},
    {"price_flex", MSN_ANY, h_dist, offsetof(ms_supplier, price_flex), K_DEF, R_NONNEG, 1, 0, 0, 0, 0},
    {"price_cap", MSN_ANY, h_dist, offsetof(ms_supplier, price_cap), K_DEF, R_GE1, 3, 0, 0, 0, 0},
    {"expansions", MSN_LIST, h_expansions, 0, K_LIST, R_ANY, 0, expansion_schema, 0, 0, 0},
    {"outages", MSN_MAP, h_nest, offsetof(ms_supplier, outages), K_NEST | K_HAS, R_ANY, 0, outage_schema, 0, 0,
     offsetof(ms_supplier, has_outages)},
    {0},
};

static void h_suppliers(msl *L, const msn *v, void *base, const mskey *k, const char *path)
{
    ms_scenario *s = L->s;
    s->suppliers = entity_array(L, v, MSL_MAX_SUPPLIERS, "suppliers", "supplier", sizeof *s->suppliers);
    if (!s->suppliers)
        return;
    s->nsuppliers = v->n;
    int np = s->nproducts;
    char sub[512], key[600];
    for (int i = 0; i < v->n; i++) {
        ms_supplier *sp = &s->suppliers[i];
        valid_name(L, v->keys[i], "supplier");
        sp->name = strdup(v->keys[i]->str);
        sp->has_product = calloc((size_t)(np ? np : 1), sizeof *sp->has_product);
        sp->capacity_t_per_year = calloc((size_t)(np ? np : 1), sizeof(ms_dist));
        sp->export_share = calloc((size_t)(np ? np : 1), sizeof(ms_dist));
        sp->price_usd_per_kg = calloc((size_t)(np ? np : 1), sizeof(ms_dist));
        if (!sp->has_product || !sp->capacity_t_per_year || !sp->export_share || !sp->price_usd_per_kg)
            continue;
        join(sub, sizeof sub, path, sp->name);
        for (int p = 0; p < np; p++) {
            snprintf(key, sizeof key, "%s.capacity_t_per_year.%s", sub, s->products[p].name);
            msl_dist_default(L, key, 0, &(const msrange)R_NONNEG, 0, &sp->capacity_t_per_year[p]);
            snprintf(key, sizeof key, "%s.export_share.%s", sub, s->products[p].name);
            msl_dist_default(L, key, 1, &(const msrange)R_SHARE, 0, &sp->export_share[p]);
            snprintf(key, sizeof key, "%s.price_usd_per_kg.%s", sub, s->products[p].name);
            msl_dist_default(L, key, s->products[p].price_usd_per_kg, &(const msrange)R_POS, 0,
                             &sp->price_usd_per_kg[p]);
        }
    }
    for (int i = 0; i < v->n; i++) {
        ms_supplier *sp = &s->suppliers[i];
        if (!sp->price_usd_per_kg)
            continue;
        join(sub, sizeof sub, path, sp->name);
        apply_entity(L, v->vals[i], supplier_schema, sp, "supplier", sp->name, sub);
    }
}

/* ---- importers ------------------------------------------------------------------ */

static void h_sourcing(msl *L, const msn *v, void *base, const mskey *k, const char *path)
{
    ms_importer *im = base;
    ms_scenario *s = L->s;
    if (!im->sourcing)
        return;
    for (int i = 0; i < v->n; i++) {
        int p = resolve(L, REF_PRODUCT, v->keys[i]);
        const msn *row = v->vals[i];
        if (p < 0)
            continue;
        if (row->type != MSN_MAP) {
            msl_err(L, MS_D_TYPE, row, "sourcing.%s: expected a map of supplier shares, got %s", v->keys[i]->str,
                    msn_type_name(row->type));
            continue;
        }
        int ok = 1;
        double sum = 0;
        double *w = im->sourcing + (size_t)p * (size_t)s->nsuppliers;
        for (int j = 0; j < row->n; j++) {
            int sidx = resolve(L, REF_SUPPLIER, row->keys[j]);
            double x;
            if (row->vals[j]->type == MSN_MAP) {
                msl_err(L, MS_D_TYPE, row->vals[j], "sourcing shares are plain numbers, not distributions");
                ok = 0;
                continue;
            }
            if (msl_number(L, row->vals[j], &x)) {
                ok = 0;
                continue;
            }
            if (x < 0 || x > 1) {
                msl_err(L, MS_D_RANGE, row->vals[j], "%g is out of range: a share is in [0, 1]", x);
                ok = 0;
                continue;
            }
            sum += x;
            if (sidx >= 0)
                w[sidx] = x;
            else
                ok = 0;
        }
        im->has_sourcing[p] = 1;
        if (ok && fabs(sum - 1.0) > 1e-6)
            msl_err(L, MS_D_SUM, row, "sourcing.%s: shares sum to %.9g, not 1", v->keys[i]->str, sum);
    }
}

static void h_transit(msl *L, const msn *v, void *base, const mskey *k, const char *path)
{
    ms_importer *im = base;
    ms_scenario *s = L->s;
    if (!im->transit_months)
        return;
    char sub[512];
    const msn *dv = msn_get(v, "default");
    if (dv) {
        ms_dist d;
        join(sub, sizeof sub, path, "default");
        if (msl_dist(L, dv, sub, 0, &(const msrange)R_NONNEG, &d) == 0)
            for (int j = 0; j < s->nsuppliers; j++)
                im->transit_months[j] = d;
    }
    for (int i = 0; i < v->n; i++) {
        const msn *kn = v->keys[i];
        if (!strcmp(kn->str, "default"))
            continue;
        int j = name_index(L, REF_SUPPLIER, kn->str);
        if (j < 0) {
            ref_error(L, REF_SUPPLIER, kn, kn->str, "default");
            continue;
        }
        join(sub, sizeof sub, path, kn->str);
        msl_dist(L, v->vals[i], sub, 0, &(const msrange)R_NONNEG, &im->transit_months[j]);
    }
}

static void h_restore(msl *L, const msn *v, void *base, const mskey *k, const char *path)
{
    ms_dist *d = FIELD(base, k, ms_dist);
    if (msl_dist(L, v, path, 0, &k->range, d) == 0 && ms_dist_min(d) < 1) {
        msl_err(L, MS_D_WARNING, v, "restore_months can be %g, below 1 month: inventory gaps close faster than "
                "orders can arrive (oscillation)", ms_dist_min(d));
        L->s->nwarnings++;
    }
}

static const mskey substitution_schema[] = {
    {"max", MSN_ANY, h_dist, offsetof(ms_industry, sub_max), K_DEF, R_SHARE, 0, 0, 0, 0, 0},
    {"tau_months", MSN_ANY, h_dist, offsetof(ms_industry, sub_tau), K_DEF, R_POS, 12, 0, 0, 0, 0},
    {"trigger", MSN_ANY, h_dist, offsetof(ms_industry, sub_trigger), K_DEF, R_POS, 1.5, 0, 0, 0, 0},
    {0},
};

static const mskey industry_schema[] = {
    {"demand_t_per_year", MSN_MAP, h_perproduct, offsetof(ms_industry, demand_t_per_year), 0, R_NONNEG, 0, 0, 0, 0, 0},
    {"growth", MSN_ANY, h_dist, offsetof(ms_industry, growth), K_DEF, R_GROWTH, 0, 0, 0, 0, 0},
    {"cover_months", MSN_ANY, h_dist, offsetof(ms_industry, cover_months), K_DEF, R_NONNEG, 2, 0, 0, 0, 0},
    {"restore_months", MSN_ANY, h_restore, offsetof(ms_industry, restore_months), K_DEF, R_POS, 2, 0, 0, 0, 0},
    {"hoarding", MSN_ANY, h_dist, offsetof(ms_industry, hoarding), K_DEF, R_NONNEG, 0, 0, 0, 0, 0},
    {"priority", MSN_SCALAR, h_int, offsetof(ms_industry, priority), 0, {1, 1000000, 0, 0}, 0, 0, 0, 0, 0},
    {"value_usd_per_t", MSN_ANY, h_dist, offsetof(ms_industry, value_usd_per_t), K_DEF, R_NONNEG, 0, 0, 0, 0, 0},
    {"substitution", MSN_MAP, h_inline, 0, K_INLINE, R_ANY, 0, substitution_schema, 0, 0, 0},
    {0},
};

static void h_industries(msl *L, const msn *v, void *base, const mskey *k, const char *path)
{
    ms_importer *im = base;
    ms_scenario *s = L->s;
    int np = s->nproducts;
    im->industries = entity_array(L, v, MSL_MAX_INDUSTRIES, "industries", NULL, sizeof *im->industries);
    if (!im->industries)
        return;
    im->nindustries = v->n;
    char sub[512], key[600];
    for (int i = 0; i < v->n; i++) {
        ms_industry *ind = &im->industries[i];
        valid_name(L, v->keys[i], "industry");
        ind->name = strdup(v->keys[i]->str);
        ind->priority = 1;
        ind->demand_t_per_year = calloc((size_t)(np ? np : 1), sizeof(ms_dist));
        if (!ind->demand_t_per_year)
            continue;
        join(sub, sizeof sub, path, ind->name);
        for (int p = 0; p < np; p++) {
            snprintf(key, sizeof key, "%s.demand_t_per_year.%s", sub, s->products[p].name);
            msl_dist_default(L, key, 0, &(const msrange)R_NONNEG, 0, &ind->demand_t_per_year[p]);
        }
        const msn *body = v->vals[i];
        apply_entity(L, body, industry_schema, ind, "industry", ind->name, sub);
        if (body->type != MSN_MAP)
            continue;
        /* demand for a product the importer does not source */
        const msn *dm = msn_get(body, "demand_t_per_year");
        for (int p = 0; dm && dm->type == MSN_MAP && p < np; p++) {
            const msn *dn = msn_get(dm, s->products[p].name);
            if (dn && im->has_sourcing && !im->has_sourcing[p] && ms_dist_max(&ind->demand_t_per_year[p]) > 0)
                msl_err(L, MS_D_MISSING, dn, "industry %s demands %s but importer %s has no sourcing.%s",
                        ind->name, s->products[p].name, im->name, s->products[p].name);
        }
    }
}

static const char *const rationing_words[] = {"priority", "proportional", NULL};

static const mskey switching_schema[] = {
    {"qualification_months", MSN_ANY, h_dist, offsetof(ms_importer, qualification_months), K_DEF, R_GE1, 6, 0, 0, 0, 0},
    {"cost_sensitivity", MSN_ANY, h_dist, offsetof(ms_importer, cost_sensitivity), K_DEF, R_NONNEG, 4, 0, 0, 0, 0},
    {"diversion", MSN_ANY, h_dist, offsetof(ms_importer, diversion), K_DEF, R_SHARE, 0.3, 0, 0, 0, 0},
    {0},
};

static const mskey importer_schema[] = {
    {"sourcing", MSN_MAP, h_sourcing, 0, 0, R_ANY, 0, 0, 0, 0, 0},
    {"transit_months", MSN_MAP, h_transit, 0, 0, R_NONNEG, 0, 0, 0, 0, 0},
    {"switching", MSN_MAP, h_inline, 0, K_INLINE, R_ANY, 0, switching_schema, 0, 0, 0},
    {"demand_elasticity", MSN_ANY, h_dist, offsetof(ms_importer, demand_elasticity), K_DEF, R_NONPOS, -0.1, 0, 0, 0, 0},
    {"shortage_elasticity", MSN_ANY, h_dist, offsetof(ms_importer, shortage_elasticity), K_DEF, R_NEG, -0.25, 0, 0, 0, 0},
    {"price_smoothing_months", MSN_ANY, h_dist, offsetof(ms_importer, price_smoothing_months), K_DEF, R_GE1, 3, 0, 0, 0, 0},
    {"premium_cap", MSN_ANY, h_dist, offsetof(ms_importer, premium_cap), K_DEF, R_GE1, 4, 0, 0, 0, 0},
    {"rationing", MSN_SCALAR, h_enum, offsetof(ms_importer, rationing), 0, R_ANY, 0, 0, 0, rationing_words, 0},
    {"industries", MSN_MAP, h_industries, 0, K_NAMED, R_ANY, 0, industry_schema, 0, 0, 0},
    {0},
};

static void h_importers(msl *L, const msn *v, void *base, const mskey *k, const char *path)
{
    ms_scenario *s = L->s;
    if ((long)v->n * (long)(s->nsuppliers ? s->nsuppliers : 1) > MSL_MAX_PAIRS) {
        msl_err(L, MS_D_LIMIT, v, "%d importers x %d suppliers: at most %d pairs are allowed", v->n,
                s->nsuppliers, MSL_MAX_PAIRS);
        return;
    }
    s->importers = entity_array(L, v, MSL_MAX_IMPORTERS, "importers", "importer", sizeof *s->importers);
    if (!s->importers)
        return;
    s->nimporters = v->n;
    int np = s->nproducts, ns = s->nsuppliers;
    char sub[512], key[600];
    for (int i = 0; i < v->n; i++) {
        ms_importer *im = &s->importers[i];
        valid_name(L, v->keys[i], "importer");
        im->name = strdup(v->keys[i]->str);
    }
    for (int i = 0; i < v->n; i++) {
        ms_importer *im = &s->importers[i];
        im->sourcing = calloc((size_t)(np * ns > 0 ? np * ns : 1), sizeof *im->sourcing);
        im->has_sourcing = calloc((size_t)(np ? np : 1), sizeof *im->has_sourcing);
        im->transit_months = calloc((size_t)(ns ? ns : 1), sizeof *im->transit_months);
        if (!im->sourcing || !im->has_sourcing || !im->transit_months)
            continue;
        join(sub, sizeof sub, path, im->name);
        for (int j = 0; j < ns; j++) {
            snprintf(key, sizeof key, "%s.transit_months.%s", sub, s->suppliers[j].name);
            msl_dist_default(L, key, 1, &(const msrange)R_NONNEG, 0, &im->transit_months[j]);
        }
        apply_entity(L, v->vals[i], importer_schema, im, "importer", im->name, sub);
    }
}

/* ---- policies ------------------------------------------------------------------- */

static const char *const policy_words[] = {"export_control", "tariff", "recycling", "stockpile", "demand_shock",
                                           NULL};
static const char *const mode_words[] = {"license", "ban", "quota", NULL};

static const mskey license_schema[] = {
    {"approval", MSN_ANY, h_dist, offsetof(ms_export_control, approval), K_DEF, R_SHARE, 0, 0, 0, 0, 0},
    {"approval_end", MSN_ANY, h_dist, offsetof(ms_export_control, approval_end), K_HAS, R_SHARE, 0, 0, 0, 0,
     offsetof(ms_export_control, has_approval_end)},
    {"ramp_months", MSN_ANY, h_dist, offsetof(ms_export_control, approval_ramp_months), K_DEF, R_NONNEG, 0, 0, 0, 0, 0},
    {"noise_sd", MSN_ANY, h_dist, offsetof(ms_export_control, approval_noise), K_DEF, R_NONNEG, 0, 0, 0, 0, 0},
    {"delay_months", MSN_ANY, h_dist, offsetof(ms_export_control, delay_months), K_DEF, R_NONNEG, 0, 0, 0, 0, 0},
    {0},
};

#define POLICY_COMMON \
    {"type", MSN_ANY, h_skip, 0, 0, R_ANY, 0, 0, 0, 0, 0}, \
    {"name", MSN_ANY, h_skip, 0, 0, R_ANY, 0, 0, 0, 0, 0}

static const mskey control_schema[] = {
    POLICY_COMMON,
    {"exporter", MSN_ANY, h_ref, offsetof(ms_export_control, exporter), K_REQ, R_ANY, 0, 0, REF_SUPPLIER, 0, 0},
    {"products", MSN_ANY, h_mask, offsetof(ms_export_control, products), 0, R_ANY, 0, 0, REF_PRODUCT, 0, 0},
    {"destinations", MSN_ANY, h_mask, offsetof(ms_export_control, destinations), 0, R_ANY, 0, 0, REF_IMPORTER, 0, 0},
    {"affected", MSN_ANY, h_dist, offsetof(ms_export_control, affected), K_DEF, R_SHARE, 1, 0, 0, 0, 0},
    {"general_license", MSN_ANY, h_dist, offsetof(ms_export_control, general_license), K_DEF, R_SHARE, 0, 0, 0, 0, 0},
    {"mode", MSN_SCALAR, h_enum, offsetof(ms_export_control, mode), K_REQ, R_ANY, 0, 0, 0, mode_words, 0},
    {"start", MSN_ANY, h_dist, offsetof(ms_export_control, start), K_REQ | K_DATE, R_ANY, 0, 0, 0, 0, 0},
    {"announce", MSN_ANY, h_dist, offsetof(ms_export_control, announce), K_DATE, R_ANY, 0, 0, 0, 0, 0},
    {"end", MSN_ANY, h_dist, offsetof(ms_export_control, end), K_DATE | K_HAS, R_ANY, 0, 0, 0, 0,
     offsetof(ms_export_control, has_end)},
    {"lift_hazard", MSN_ANY, h_dist, offsetof(ms_export_control, lift_hazard), K_DEF, R_SHARE, 0, 0, 0, 0, 0},
    {"reimpose_hazard", MSN_ANY, h_dist, offsetof(ms_export_control, reimpose_hazard), K_DEF, R_SHARE, 0, 0, 0, 0, 0},
    {"license", MSN_MAP, h_inline, 0, K_INLINE, R_ANY, 0, license_schema, 0, 0, 0},
    {"quota_t_per_month", MSN_ANY, h_dist, offsetof(ms_export_control, quota_t_per_month), K_DEF, R_NONNEG, 0, 0, 0,
     0, 0},
    {0},
};

static const mskey step_schema[] = {
    {"from", MSN_ANY, h_dist, offsetof(ms_tariff_step, from), K_REQ | K_DATE, R_ANY, 0, 0, 0, 0, 0},
    {"rate", MSN_ANY, h_dist, offsetof(ms_tariff_step, rate), K_REQ, R_NONNEG, 0, 0, 0, 0, 0},
    {0},
};

static void h_schedule(msl *L, const msn *v, void *base, const mskey *k, const char *path)
{
    ms_tariff *t = base;
    if (v->n == 0) {
        msl_err(L, MS_D_MISSING, v, "schedule: at least one step {from, rate} is needed");
        return;
    }
    if (!count_ok(L, v, MSL_MAX_LIST, "schedule steps"))
        return;
    t->schedule = calloc((size_t)v->n, sizeof *t->schedule);
    if (!t->schedule)
        return;
    char sub[512];
    int allfixed = 1;
    for (int i = 0; i < v->n; i++) {
        ms_tariff_step *st = &t->schedule[t->nsteps++];
        snprintf(sub, sizeof sub, "%s.%d", path, i);
        if (v->vals[i]->type != MSN_MAP) {
            msl_err(L, MS_D_TYPE, v->vals[i], "schedule: each step must be a map {from, rate}, got %s",
                    msn_type_name(v->vals[i]->type));
            allfixed = 0;
            continue;
        }
        apply(L, v->vals[i], step_schema, st, sub);
        if (!ms_dist_is_fixed(&st->from))
            allfixed = 0;
    }
    if (allfixed) /* insertion sort by from: stable */
        for (int i = 1; i < t->nsteps; i++) {
            ms_tariff_step x = t->schedule[i];
            int j = i - 1;
            while (j >= 0 && t->schedule[j].from.p[0] > x.from.p[0]) {
                t->schedule[j + 1] = t->schedule[j];
                j--;
            }
            t->schedule[j + 1] = x;
        }
}

static const mskey tariff_schema[] = {
    POLICY_COMMON,
    {"importer", MSN_ANY, h_mask, offsetof(ms_tariff, importers), 0, R_ANY, 0, 0, REF_IMPORTER, 0, 0},
    {"origin", MSN_ANY, h_mask, offsetof(ms_tariff, origins), 0, R_ANY, 0, 0, REF_SUPPLIER, 0, 0},
    {"products", MSN_ANY, h_mask, offsetof(ms_tariff, products), 0, R_ANY, 0, 0, REF_PRODUCT, 0, 0},
    {"schedule", MSN_LIST, h_schedule, 0, K_REQ | K_LIST, R_ANY, 0, step_schema, 0, 0, 0},
    {0},
};

static const mskey recycling_schema[] = {
    POLICY_COMMON,
    {"importer", MSN_ANY, h_ref, offsetof(ms_recycling, importer), K_REQ, R_ANY, 0, 0, REF_IMPORTER, 0, 0},
    {"product", MSN_ANY, h_ref, offsetof(ms_recycling, product), K_REQ, R_ANY, 0, 0, REF_PRODUCT, 0, 0},
    {"capacity_t_per_year", MSN_ANY, h_dist, offsetof(ms_recycling, capacity_t_per_year), K_REQ, R_NONNEG, 0, 0, 0, 0, 0},
    {"feedstock_t_per_year", MSN_ANY, h_dist, offsetof(ms_recycling, feedstock_t_per_year), K_DEF | K_HAS, R_NONNEG,
     HUGE_VAL, 0, 0, 0, offsetof(ms_recycling, has_feedstock)},
    {"yield", MSN_ANY, h_dist, offsetof(ms_recycling, yield), K_DEF, R_SHARE, 0.9, 0, 0, 0, 0},
    {"ramp_months", MSN_ANY, h_dist, offsetof(ms_recycling, ramp_months), K_DEF, R_NONNEG, 12, 0, 0, 0, 0},
    {"start", MSN_ANY, h_dist, offsetof(ms_recycling, start), K_DEF | K_DATE, R_ANY, 0, 0, 0, 0, 0},
    {0},
};

static void h_beneficiaries(msl *L, const msn *v, void *base, const mskey *k, const char *path)
{
    ms_stockpile *sp = base;
    if (sp->importer < 0)
        return; /* reported */
    ms_importer *im = &L->s->importers[sp->importer];
    int n = im->nindustries;
    free(sp->beneficiaries);
    sp->beneficiaries = calloc((size_t)(n ? n : 1), sizeof *sp->beneficiaries);
    if (!sp->beneficiaries)
        return;
    if (v->type == MSN_SCALAR && !strcmp(v->str, "all")) {
        for (int i = 0; i < n; i++)
            sp->beneficiaries[i] = 1;
        return;
    }
    if (v->type != MSN_LIST) {
        msl_err(L, MS_D_TYPE, v, "beneficiaries: expected 'all' or a list of industry names, got %s",
                msn_type_name(v->type));
        return;
    }
    for (int j = 0; j < v->n; j++) {
        const msn *it = v->vals[j];
        if (it->type != MSN_SCALAR) {
            msl_err(L, MS_D_TYPE, it, "expected an industry name, got %s", msn_type_name(it->type));
            continue;
        }
        int found = -1;
        for (int i = 0; i < n; i++)
            if (!strcmp(im->industries[i].name, it->str))
                found = i;
        if (found < 0) {
            const char **w = malloc((size_t)(n + 1) * sizeof *w);
            const char *sug = NULL;
            if (w) {
                for (int i = 0; i < n; i++)
                    w[i] = im->industries[i].name;
                sug = msl_suggest(it->str, w, n);
            }
            if (sug)
                msl_err(L, MS_D_REF, it, "importer %s has no industry '%s' (did you mean '%s'?)", im->name, it->str,
                        sug);
            else
                msl_err(L, MS_D_REF, it, "importer %s has no industry '%s'", im->name, it->str);
            free(w);
            continue;
        }
        sp->beneficiaries[found] = 1;
    }
}

static const mskey stockpile_schema[] = {
    POLICY_COMMON,
    {"importer", MSN_ANY, h_ref, offsetof(ms_stockpile, importer), K_REQ, R_ANY, 0, 0, REF_IMPORTER, 0, 0},
    {"product", MSN_ANY, h_ref, offsetof(ms_stockpile, product), K_REQ, R_ANY, 0, 0, REF_PRODUCT, 0, 0},
    {"stock_t", MSN_ANY, h_dist, offsetof(ms_stockpile, stock_t), K_REQ, R_NONNEG, 0, 0, 0, 0, 0},
    {"release_t_per_month", MSN_ANY, h_dist, offsetof(ms_stockpile, release_t_per_month), K_REQ, R_NONNEG, 0, 0, 0, 0, 0},
    {"trigger", MSN_ANY, h_dist, offsetof(ms_stockpile, trigger), K_DEF, R_SHARE, 0.95, 0, 0, 0, 0},
    {"beneficiaries", MSN_ANY, h_beneficiaries, 0, 0, R_ANY, 0, 0, 0, 0, 0},
    {"start", MSN_ANY, h_dist, offsetof(ms_stockpile, start), K_DEF | K_DATE, R_ANY, 0, 0, 0, 0, 0},
    {0},
};

static void h_shock_industries(msl *L, const msn *v, void *base, const mskey *k, const char *path)
{
    ms_demand_shock *sh = base;
    ms_scenario *s = L->s;
    if (v->type == MSN_SCALAR && !strcmp(v->str, "all"))
        return;
    if (v->type != MSN_LIST) {
        msl_err(L, MS_D_TYPE, v, "industries: expected 'all' or a list of industry names, got %s",
                msn_type_name(v->type));
        return;
    }
    sh->industry_names = calloc((size_t)(v->n ? v->n : 1), sizeof *sh->industry_names);
    if (!sh->industry_names)
        return;
    for (int j = 0; j < v->n; j++) {
        const msn *it = v->vals[j];
        if (it->type != MSN_SCALAR) {
            msl_err(L, MS_D_TYPE, it, "expected an industry name, got %s", msn_type_name(it->type));
            continue;
        }
        int found = 0;
        for (int i = 0; i < s->nimporters && !found; i++) {
            if (sh->importers && !sh->importers[i])
                continue;
            for (int q = 0; q < s->importers[i].nindustries && !found; q++)
                found = !strcmp(s->importers[i].industries[q].name, it->str);
        }
        if (!found)
            msl_err(L, MS_D_REF, it, "no selected importer has an industry '%s'", it->str);
        sh->industry_names[sh->nindustry_names++] = strdup(it->str);
    }
}

static const mskey shock_schema[] = {
    POLICY_COMMON,
    {"importer", MSN_ANY, h_mask, offsetof(ms_demand_shock, importers), 0, R_ANY, 0, 0, REF_IMPORTER, 0, 0},
    {"industries", MSN_ANY, h_shock_industries, 0, 0, R_ANY, 0, 0, 0, 0, 0},
    {"products", MSN_ANY, h_mask, offsetof(ms_demand_shock, products), 0, R_ANY, 0, 0, REF_PRODUCT, 0, 0},
    {"start", MSN_ANY, h_dist, offsetof(ms_demand_shock, start), K_REQ | K_DATE, R_ANY, 0, 0, 0, 0, 0},
    {"end", MSN_ANY, h_dist, offsetof(ms_demand_shock, end), K_DATE | K_HAS, R_ANY, 0, 0, 0, 0,
     offsetof(ms_demand_shock, has_end)},
    {"multiplier", MSN_ANY, h_dist, offsetof(ms_demand_shock, multiplier), K_REQ, R_NONNEG, 0, 0, 0, 0, 0},
    {0},
};

static const mskey *const policy_schemas[MS_POL_NTYPES] = {
    control_schema, tariff_schema, recycling_schema, stockpile_schema, shock_schema,
};

static int *mask_all(int n)
{
    int *m = calloc((size_t)(n ? n : 1), sizeof *m);
    if (m)
        for (int i = 0; i < n; i++)
            m[i] = 1;
    return m;
}

static void check_end(msl *L, const msn *map, const ms_dist *start, int has_end, const ms_dist *end)
{
    if (!has_end || !start->key || !end->key)
        return;
    if (ms_dist_max(end) <= ms_dist_min(start))
        msl_err(L, MS_D_RANGE, msn_get(map, "end"), "end is never after start: the policy would never be on");
}

static void control_post(msl *L, const msn *map, ms_export_control *c)
{
    const msn *lic = msn_get(map, "license");
    const msn *lick = msn_key(map, "license");
    const msn *qk = msn_key(map, "quota_t_per_month");
    if (c->mode == MS_CTRL_LICENSE) {
        if (!lic)
            msl_err(L, MS_D_MISSING, map, "mode license needs license: {approval: ...}");
        else if (lic->type == MSN_MAP && !msn_get(lic, "approval"))
            msl_err(L, MS_D_MISSING, lic, "mode license needs license.approval");
        if (qk)
            msl_err(L, MS_D_UNKNOWN_KEY, qk, "quota_t_per_month does not apply to mode license");
    } else if (c->mode == MS_CTRL_BAN || c->mode == MS_CTRL_QUOTA) {
        if (lick)
            msl_err(L, MS_D_UNKNOWN_KEY, lick, "license does not apply to mode %s", mode_words[c->mode]);
        if (c->mode == MS_CTRL_BAN && qk)
            msl_err(L, MS_D_UNKNOWN_KEY, qk, "quota_t_per_month does not apply to mode ban");
        if (c->mode == MS_CTRL_QUOTA && !qk)
            msl_err(L, MS_D_MISSING, map, "mode quota needs quota_t_per_month");
    }
    if (!msn_get(map, "announce"))
        c->announce = c->start; /* the same draw: hoarding starts with the control */
    if (!c->has_approval_end)
        c->approval_end = c->approval;
    check_end(L, map, &c->start, c->has_end, &c->end);
}

static void h_policies(msl *L, const msn *v, void *base, const mskey *k, const char *path)
{
    ms_scenario *s = L->s;
    if (!count_ok(L, v, MSL_MAX_POLICIES, "policies"))
        return;
    s->policies = calloc((size_t)(v->n ? v->n : 1), sizeof *s->policies);
    if (!s->policies)
        return;
    const msn **name_at = calloc((size_t)(v->n ? v->n : 1), sizeof *name_at);
    char sub[512];
    for (int i = 0; i < v->n; i++) {
        const msn *m = v->vals[i];
        if (m->type != MSN_MAP) {
            msl_err(L, MS_D_TYPE, m, "policies: each policy must be a map, got %s", msn_type_name(m->type));
            continue;
        }
        const msn *tn = msn_get(m, "type");
        if (!tn) {
            msl_err(L, MS_D_MISSING, m, "policy %d: missing required key 'type' (export_control, tariff, "
                    "recycling, stockpile, demand_shock)", i);
            continue;
        }
        if (tn->type != MSN_SCALAR) {
            msl_err(L, MS_D_TYPE, tn, "type: expected a policy type, got %s", msn_type_name(tn->type));
            continue;
        }
        int type = -1;
        for (int t = 0; policy_words[t]; t++)
            if (!strcmp(tn->str, policy_words[t]))
                type = t;
        if (type < 0) {
            const char *sug = msl_suggest(tn->str, policy_words, -1);
            if (sug)
                msl_err(L, MS_D_VALUE, tn, "unknown policy type '%s' (did you mean '%s'?)", tn->str, sug);
            else
                msl_err(L, MS_D_VALUE, tn, "unknown policy type '%s' (expected export_control, tariff, recycling, "
                        "stockpile or demand_shock)", tn->str);
            continue;
        }
        ms_policy *pol = &s->policies[s->npolicies];
        pol->type = (ms_policy_type)type;
        pol->line = m->line;
        pol->column = m->col;
        const msn *nn = msn_get(m, "name");
        const msn *at = m;
        if (nn && nn->type == MSN_SCALAR) {
            valid_name(L, nn, "policy");
            pol->name = strdup(nn->str);
            at = nn;
        } else {
            if (nn)
                msl_err(L, MS_D_TYPE, nn, "name: expected a scalar, got %s", msn_type_name(nn->type));
            snprintf(sub, sizeof sub, "%s_%d", policy_words[type], i);
            pol->name = strdup(sub);
        }
        if (!pol->name)
            continue;
        for (int j = 0; j < s->npolicies; j++)
            if (!strcmp(s->policies[j].name, pol->name)) {
                msl_err(L, MS_D_DUP_KEY, at, "policy name '%s' is already used (line %d)", pol->name,
                        name_at[j] ? name_at[j]->line : s->policies[j].line);
                break;
            }
        name_at[s->npolicies] = at;
        s->npolicies++;
        join(sub, sizeof sub, path, pol->name);
        int np = s->nproducts, ni = s->nimporters, ns = s->nsuppliers;
        switch (pol->type) {
        case MS_POL_EXPORT_CONTROL:
            pol->u.ctrl.exporter = -1;
            pol->u.ctrl.products = mask_all(np);
            pol->u.ctrl.destinations = mask_all(ni);
            apply(L, m, control_schema, &pol->u.ctrl, sub);
            control_post(L, m, &pol->u.ctrl);
            break;
        case MS_POL_TARIFF:
            pol->u.tariff.importers = mask_all(ni);
            pol->u.tariff.origins = mask_all(ns);
            pol->u.tariff.products = mask_all(np);
            apply(L, m, tariff_schema, &pol->u.tariff, sub);
            break;
        case MS_POL_RECYCLING:
            pol->u.recycling.importer = pol->u.recycling.product = -1;
            apply(L, m, recycling_schema, &pol->u.recycling, sub);
            break;
        case MS_POL_STOCKPILE:
            pol->u.stockpile.importer = pol->u.stockpile.product = -1;
            apply(L, m, stockpile_schema, &pol->u.stockpile, sub);
            if (!pol->u.stockpile.beneficiaries && pol->u.stockpile.importer >= 0)
                pol->u.stockpile.beneficiaries = mask_all(s->importers[pol->u.stockpile.importer].nindustries);
            break;
        case MS_POL_DEMAND_SHOCK:
            pol->u.shock.importers = mask_all(ni);
            pol->u.shock.products = mask_all(np);
            apply(L, m, shock_schema, &pol->u.shock, sub);
            check_end(L, m, &pol->u.shock.start, pol->u.shock.has_end, &pol->u.shock.end);
            break;
        default:
            break;
        }
    }
    free(name_at);
}

/* ---- top level ------------------------------------------------------------------- */

static void h_hstart(msl *L, const msn *v, void *base, const mskey *k, const char *path)
{
    int y, m, d;
    int r = msl_parse_ym(v->str, &y, &m, &d);
    if (r == 0 && d)
        r = 1;
    if (r == 1)
        msl_err(L, MS_D_DATE, v, "horizon.start: '%s' is not a month: expected YYYY-MM", v->str);
    else if (r == 2)
        msl_err(L, MS_D_DATE, v, "horizon.start: '%s' is not a valid month", v->str);
    if (r)
        return;
    L->s->start_year = y;
    L->s->start_month = m;
    L->have_start = 1;
}

static void h_quantiles(msl *L, const msn *v, void *base, const mskey *k, const char *path)
{
    ms_scenario *s = L->s;
    if (v->n == 0) {
        msl_err(L, MS_D_MISSING, v, "quantiles: at least one quantile is needed");
        return;
    }
    if (!count_ok(L, v, MS_MAX_QUANTILES, "quantiles"))
        return;
    double q[MS_MAX_QUANTILES];
    int ok = 1;
    for (int i = 0; i < v->n; i++) {
        if (msl_number(L, v->vals[i], &q[i])) {
            ok = 0;
            continue;
        }
        if (!(q[i] > 0 && q[i] < 1)) {
            msl_err(L, MS_D_RANGE, v->vals[i], "quantile %g is out of range: expected in (0, 1)", q[i]);
            ok = 0;
        } else if (ok && i > 0 && !(q[i] > q[i - 1])) {
            msl_err(L, MS_D_RANGE, v->vals[i], "quantiles must be ascending: %g after %g", q[i], q[i - 1]);
            ok = 0;
        }
    }
    if (!ok)
        return;
    memcpy(s->quantiles, q, (size_t)v->n * sizeof *q);
    s->nquantiles = v->n;
}

static const mskey horizon_schema[] = {
    {"start", MSN_SCALAR, h_hstart, 0, K_REQ, R_ANY, 0, 0, 0, 0, 0},
    {"months", MSN_SCALAR, h_int, offsetof(ms_scenario, months), K_REQ, {1, MS_MAX_MONTHS, 0, 0}, 0, 0, 0, 0, 0},
    {0},
};

static const mskey run_schema[] = {
    {"paths", MSN_SCALAR, h_int, offsetof(ms_scenario, paths), K_U64, {1, HUGE_VAL, 0, 0}, 0, 0, 0, 0, 0},
    {"seed", MSN_SCALAR, h_int, offsetof(ms_scenario, seed), K_U64, {0, HUGE_VAL, 0, 0}, 0, 0, 0, 0, 0},
    {0},
};

static const mskey outputs_schema[] = {
    {"quantiles", MSN_LIST, h_quantiles, 0, 0, R_ANY, 0, 0, 0, 0, 0},
    {"shortage_threshold", MSN_SCALAR, h_double, offsetof(ms_scenario, shortage_threshold), 0, R_THRESH, 0, 0, 0, 0, 0},
    {0},
};

static const mskey root_schema[] = {
    {"magsim", MSN_ANY, h_skip, 0, 0, R_ANY, 0, 0, 0, 0, 0},
    {"extends", MSN_SCALAR, h_skip, 0, 0, R_ANY, 0, 0, 0, 0, 0},
    {"name", MSN_SCALAR, h_str, offsetof(ms_scenario, name), 0, R_ANY, 0, 0, 0, 0, 0},
    {"horizon", MSN_MAP, h_inline, 0, K_REQ | K_INLINE, R_ANY, 0, horizon_schema, 0, 0, 0},
    {"run", MSN_MAP, h_inline, 0, K_INLINE, R_ANY, 0, run_schema, 0, 0, 0},
    {"products", MSN_MAP, h_products, 0, K_REQ | K_NAMED, R_ANY, 0, product_schema, 0, 0, 0},
    {"suppliers", MSN_MAP, h_suppliers, 0, K_REQ | K_NAMED, R_ANY, 0, supplier_schema, 0, 0, 0},
    {"importers", MSN_MAP, h_importers, 0, K_REQ | K_NAMED, R_ANY, 0, importer_schema, 0, 0, 0},
    {"policies", MSN_LIST, h_policies, 0, K_LIST, R_ANY, 0, 0, 0, 0, 0},
    {"outputs", MSN_MAP, h_inline, 0, K_INLINE, R_ANY, 0, outputs_schema, 0, 0, 0},
    {0},
};

/* ---- stream collisions ------------------------------------------------------------ */

typedef struct key_at { uint32_t h; const char *k; const msn *at; } key_at;

static int cmp_key_at(const void *a, const void *b)
{
    const key_at *x = a, *y = b;
    if (x->h != y->h)
        return x->h < y->h ? -1 : 1;
    return strcmp(x->k, y->k);
}

static void check_streams(msl *L)
{
    if (L->nkeys < 2)
        return;
    key_at *v = malloc((size_t)L->nkeys * sizeof *v);
    if (!v)
        return;
    for (int i = 0; i < L->nkeys; i++) {
        v[i].h = ms_hash32(L->keys[i]);
        v[i].k = L->keys[i];
        v[i].at = L->keynodes[i];
    }
    qsort(v, (size_t)L->nkeys, sizeof *v, cmp_key_at);
    for (int i = 1; i < L->nkeys; i++)
        if (v[i].h == v[i - 1].h && strcmp(v[i].k, v[i - 1].k) != 0)
            msl_err(L, MS_D_LIMIT, v[i].at, "random stream collision: '%s' and '%s' both hash to 0x%08x; "
                    "rename one of them", v[i].k, v[i - 1].k, v[i].h);
    free(v);
}

/* ---- entry points ---------------------------------------------------------------- */

static ms_scenario *scenario_new(const char *name)
{
    ms_scenario *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->path = strdup(name);
    s->paths = 10000;
    s->seed = 1;
    static const double q[] = {0.05, 0.5, 0.95, 0.99};
    memcpy(s->quantiles, q, sizeof q);
    s->nquantiles = 4;
    s->shortage_threshold = 0.05;
    return s;
}

ms_scenario *ms_scenario_load_buffer(const char *name, const char *buf, size_t len, ms_diags *diags)
{
    return msl_load_scenario(name, buf, len, NULL, 0, diags);
}

ms_scenario *msl_load_scenario(const char *name, const char *buf, size_t len, const ms_override *ov, int nov,
                               ms_diags *diags)
{
    if (!name)
        name = "<buffer>";
    if (!buf)
        len = 0;
    msl L;
    memset(&L, 0, sizeof L);
    L.diags = diags;
    int errors0 = diags->nerrors, warnings0 = ms_diags_count(diags, MS_D_WARNING);
    ms_scenario *s = scenario_new(name);
    if (!s) {
        ms_diags_add(diags, MS_D_IO, name, 0, 0, "out of memory");
        return NULL;
    }
    L.s = s;
    msl_add_source(&L, name, buf ? buf : "", len);
    msn *root = msl_load_tree(&L, name, buf ? buf : "", len);
    if (root && nov > 0)
        msl_apply_overrides(&L, root, ov, nov); /* sweep points (scenario_override.c) */
    if (root) {
        apply(&L, root, root_schema, s, "");
        if (!s->name) {
            const char *b = strrchr(name, '/');
            s->name = strdup(b ? b + 1 : name);
        }
        check_streams(&L);
    }
    msn_free(root);
    for (int i = 0; i < L.nfiles; i++)
        free(L.files[i]);
    free(L.files);
    free(L.keys);
    free(L.keynodes);
    s->nwarnings = ms_diags_count(diags, MS_D_WARNING) - warnings0;
    if (!root || diags->nerrors > errors0) {
        ms_scenario_free(s);
        return NULL;
    }
    return s;
}

ms_scenario *ms_scenario_load(const char *path, ms_diags *diags)
{
    size_t len = 0;
    int err = 0;
    char *buf = msl_read_file(path, &len, &err);
    if (!buf) {
        ms_diags_add(diags, MS_D_IO, path, 0, 0, "cannot read the scenario: %s", strerror(err));
        return NULL;
    }
    ms_scenario *s = ms_scenario_load_buffer(path, buf, len, diags);
    free(buf);
    return s;
}

void ms_scenario_free(ms_scenario *s)
{
    if (!s)
        return;
    for (int i = 0; i < s->nsources; i++) {
        free(s->sources[i].path);
        free(s->sources[i].bytes);
    }
    free(s->sources);
    for (int i = 0; i < s->nproducts; i++)
        free(s->products[i].name);
    free(s->products);
    for (int i = 0; i < s->nsuppliers; i++) {
        ms_supplier *sp = &s->suppliers[i];
        free(sp->name);
        free(sp->country);
        free(sp->has_product);
        free(sp->capacity_t_per_year);
        free(sp->export_share);
        free(sp->price_usd_per_kg);
        free(sp->expansions);
    }
    free(s->suppliers);
    for (int i = 0; i < s->nimporters; i++) {
        ms_importer *im = &s->importers[i];
        free(im->name);
        free(im->sourcing);
        free(im->has_sourcing);
        free(im->transit_months);
        for (int k = 0; k < im->nindustries; k++) {
            free(im->industries[k].name);
            free(im->industries[k].demand_t_per_year);
        }
        free(im->industries);
    }
    free(s->importers);
    for (int i = 0; i < s->npolicies; i++) {
        ms_policy *p = &s->policies[i];
        free(p->name);
        switch (p->type) {
        case MS_POL_EXPORT_CONTROL:
            free(p->u.ctrl.products);
            free(p->u.ctrl.destinations);
            break;
        case MS_POL_TARIFF:
            free(p->u.tariff.importers);
            free(p->u.tariff.origins);
            free(p->u.tariff.products);
            free(p->u.tariff.schedule);
            break;
        case MS_POL_STOCKPILE:
            free(p->u.stockpile.beneficiaries);
            break;
        case MS_POL_DEMAND_SHOCK:
            free(p->u.shock.importers);
            free(p->u.shock.products);
            for (int k = 0; k < p->u.shock.nindustry_names; k++)
                free(p->u.shock.industry_names[k]);
            free(p->u.shock.industry_names);
            break;
        default:
            break;
        }
    }
    free(s->policies);
    for (int i = 0; i < s->nowned; i++)
        free(s->owned[i]);
    free(s->owned);
    free(s->path);
    free(s->name);
    free(s);
}

int ms_scenario_supplier(const ms_scenario *s, const char *name)
{
    for (int i = 0; i < s->nsuppliers; i++)
        if (s->suppliers[i].name && !strcmp(s->suppliers[i].name, name))
            return i;
    return -1;
}

int ms_scenario_importer(const ms_scenario *s, const char *name)
{
    for (int i = 0; i < s->nimporters; i++)
        if (s->importers[i].name && !strcmp(s->importers[i].name, name))
            return i;
    return -1;
}

int ms_scenario_product(const ms_scenario *s, const char *name)
{
    for (int i = 0; i < s->nproducts; i++)
        if (s->products[i].name && !strcmp(s->products[i].name, name))
            return i;
    return -1;
}

/* ---- schema listing ---------------------------------------------------------------- */

typedef struct strvec { char **v; int n, cap; } strvec;

static void sv_push(strvec *sv, const char *s)
{
    for (int i = 0; i < sv->n; i++)
        if (!strcmp(sv->v[i], s))
            return;
    if (sv->n + 1 >= sv->cap) {
        int c = sv->cap ? 2 * sv->cap : 64;
        char **v = realloc(sv->v, (size_t)c * sizeof *v);
        if (!v)
            return;
        sv->v = v;
        sv->cap = c;
    }
    sv->v[sv->n++] = strdup(s);
}

static void walk(strvec *sv, const mskey *schema, const char *prefix)
{
    char p[512], q[520];
    for (const mskey *e = schema; e->key; e++) {
        join(p, sizeof p, prefix, e->key);
        sv_push(sv, p);
        if (!e->sub)
            continue;
        if (e->flags & (K_NAMED | K_LIST)) {
            snprintf(q, sizeof q, "%s.*", p);
            walk(sv, e->sub, q);
        } else
            walk(sv, e->sub, p);
    }
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char **ms_scenario_schema_keys(int *n)
{
    strvec sv = {0};
    walk(&sv, root_schema, "");
    for (int t = 0; t < MS_POL_NTYPES; t++)
        walk(&sv, policy_schemas[t], "policies.*");
    /* per-name maps whose keys are names */
    sv_push(&sv, "suppliers.*.capacity_t_per_year.*");
    sv_push(&sv, "suppliers.*.export_share.*");
    sv_push(&sv, "suppliers.*.price_usd_per_kg.*");
    sv_push(&sv, "importers.*.sourcing.*.*");
    sv_push(&sv, "importers.*.transit_months.default");
    sv_push(&sv, "importers.*.transit_months.*");
    sv_push(&sv, "importers.*.industries.*.demand_t_per_year.*");
    int cnt = sv.n;
    msl_dist_schema_keys(&sv.v, &sv.n, &sv.cap);
    (void)cnt;
    if (!sv.v)
        return NULL;
    qsort(sv.v, (size_t)sv.n, sizeof *sv.v, cmp_str);
    sv.v[sv.n] = NULL;
    if (n)
        *n = sv.n;
    return sv.v;
}

void ms_scenario_schema_keys_free(char **keys)
{
    if (!keys)
        return;
    for (int i = 0; keys[i]; i++)
        free(keys[i]);
    free(keys);
}
