/*
 * scenario.c - scenario schema, validation and building (magsim/scenario.h).
 *
 * The located node tree (scenario_tree.c) is walked with schema tables, one
 * per map: {key, node type, handler, offsetof(field), flags, range, default}.
 * msl_apply() reports unknown keys (with "did you mean"), wrong node types and
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
#include "policy.h"
#include "scenario_int.h"


void msl_join(char *buf, size_t len, const char *path, const char *key)
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

void msl_apply(msl *L, const msn *map, const mskey *schema, void *base, const char *path)
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
        msl_join(sub, sizeof sub, path, e->key);
        if (!v) {
            if (e->flags & K_REQ)
                msl_err(L, MS_D_MISSING, map, "missing required key '%s'", sub);
            msl_defaults(L, e, base, path);
            continue;
        }
        if (e->type != MSN_ANY && v->type != e->type) {
            msl_err(L, MS_D_TYPE, v, "%s: expected %s, got %s", e->key, msn_type_name(e->type),
                    msn_type_name(v->type));
            msl_defaults(L, e, base, path);
            continue;
        }
        if (e->flags & K_HAS)
            *(int *)(void *)((char *)base + e->has_off) = 1;
        if (e->fn)
            e->fn(L, v, base, e, sub);
    }
}

/* Defaults of one absent entry (and of an absent sub-map's entries). */
void msl_defaults(msl *L, const mskey *e, void *base, const char *path)
{
    char sub[512];
    msl_join(sub, sizeof sub, path, e->key);
    if (e->flags & K_DEF)
        msl_dist_default(L, sub, e->def, &e->range, (e->flags & K_DATE) != 0, FIELD(base, e, ms_dist));
    if ((e->flags & K_INLINE) && e->sub)
        for (const mskey *s = e->sub; s->key; s++)
            msl_defaults(L, s, base, sub);
    if ((e->flags & K_NEST) && e->sub)
        for (const mskey *s = e->sub; s->key; s++)
            msl_defaults(L, s, (char *)base + e->off, sub);
}

/* ---- generic handlers ---------------------------------------------------------- */

void msl_h_skip(msl *L, const msn *v, void *base, const mskey *k, const char *path) {}

void msl_h_dist(msl *L, const msn *v, void *base, const mskey *k, const char *path)
{
    int is_date = (k->flags & K_DATE) != 0;
    ms_dist *d = FIELD(base, k, ms_dist);
    if (msl_dist(L, v, path, is_date, is_date ? NULL : &k->range, d) == 0 && d->per_month &&
        (is_date || (k->flags & K_ONCE))) {
        msl_err(L, MS_D_VALUE, msn_get(v, "per"), "%s: per: month is not allowed: %s", k->key,
                is_date ? "a date is drawn once per path" : "this input is read once per path (docs/scenario.md)");
        d->per_month = 0;
    }
}

void msl_h_str(msl *L, const msn *v, void *base, const mskey *k, const char *path)
{
    char **dst = FIELD(base, k, char *);
    free(*dst);
    *dst = strdup(v->str);
}

void msl_h_double(msl *L, const msn *v, void *base, const mskey *k, const char *path)
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

void msl_h_int(msl *L, const msn *v, void *base, const mskey *k, const char *path)
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

void msl_h_enum(msl *L, const msn *v, void *base, const mskey *k, const char *path)
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

void msl_h_inline(msl *L, const msn *v, void *base, const mskey *k, const char *path)
{
    msl_apply(L, v, k->sub, base, path);
}

void msl_h_nest(msl *L, const msn *v, void *base, const mskey *k, const char *path)
{
    msl_apply(L, v, k->sub, (char *)base + k->off, path);
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

void msl_ref_error(msl *L, int ref, const msn *at, const char *name, const char *extra)
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
int msl_resolve(msl *L, int ref, const msn *v)
{
    if (v->type != MSN_SCALAR) {
        msl_err(L, MS_D_TYPE, v, "expected a %s name, got %s", ref_what(ref), msn_type_name(v->type));
        return -1;
    }
    int i = name_index(L, ref, v->str);
    if (i < 0)
        msl_ref_error(L, ref, v, v->str, NULL);
    return i;
}

void msl_h_ref(msl *L, const msn *v, void *base, const mskey *k, const char *path)
{
    *FIELD(base, k, int) = msl_resolve(L, k->ref, v);
}

/* "all", one name, or a list of names -> mask (allocated all-ones by the constructor). */
void msl_h_mask(msl *L, const msn *v, void *base, const mskey *k, const char *path)
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
            msl_ref_error(L, k->ref, v, v->str, "all");
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
        int i = msl_resolve(L, k->ref, v->vals[j]);
        if (i >= 0)
            mask[i] = 1;
    }
}

int msl_valid_name(msl *L, const msn *kn, const char *what)
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

int msl_count_ok(msl *L, const msn *v, int max, const char *what)
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
        int p = msl_resolve(L, REF_PRODUCT, kn);
        if (p < 0)
            continue;
        msl_join(sub, sizeof sub, path, kn->str);
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
    if (!msl_count_ok(L, v, max, plural))
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
            msl_defaults(L, e, ent, sub);
        return;
    }
    msl_apply(L, body, schema, ent, sub);
}

/* ---- products ------------------------------------------------------------------- */

static const mskey product_schema[] = {
    {.key = "price_usd_per_kg", .type = MSN_SCALAR, .fn = msl_h_double,
         .off = offsetof(ms_product, price_usd_per_kg), .flags = K_REQ, .range = R_POS},
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
        msl_valid_name(L, v->keys[i], "product");
        s->products[i].name = strdup(v->keys[i]->str);
    }
    for (int i = 0; i < v->n; i++) {
        msl_join(sub, sizeof sub, path, v->keys[i]->str);
        apply_entity(L, v->vals[i], product_schema, &s->products[i], "product", v->keys[i]->str, sub);
    }
}

/* ---- suppliers ------------------------------------------------------------------ */

static const mskey expansion_schema[] = {
    {.key = "product", .type = MSN_ANY, .fn = msl_h_ref, .off = offsetof(ms_expansion, product), .flags = K_REQ,
         .range = R_ANY, .ref = REF_PRODUCT},
    {.key = "t_per_year", .type = MSN_ANY, .fn = msl_h_dist, .off = offsetof(ms_expansion, t_per_year),
         .flags = K_REQ, .range = R_NONNEG},
    {.key = "start", .type = MSN_ANY, .fn = msl_h_dist, .off = offsetof(ms_expansion, start),
         .flags = K_REQ | K_DATE, .range = R_ANY},
    {.key = "ramp_months", .type = MSN_ANY, .fn = msl_h_dist, .off = offsetof(ms_expansion, ramp_months),
         .flags = K_DEF, .range = R_NONNEG, .def = 12},
    {0},
};

static const mskey outage_schema[] = {
    {.key = "hazard_per_month", .type = MSN_ANY, .fn = msl_h_dist, .off = offsetof(ms_outage, hazard_per_month),
         .flags = K_REQ | K_DEF, .range = R_SHARE},
    {.key = "duration_months", .type = MSN_ANY, .fn = msl_h_dist, .off = offsetof(ms_outage, duration_months),
         .flags = K_DEF | K_ONCE, .range = R_NONNEG, .def = 1},
    {.key = "cut", .type = MSN_ANY, .fn = msl_h_dist, .off = offsetof(ms_outage, cut), .flags = K_DEF | K_ONCE,
         .range = R_SHARE, .def = 1},
    {0},
};

static void h_expansions(msl *L, const msn *v, void *base, const mskey *k, const char *path)
{
    ms_supplier *sp = base;
    if (!msl_count_ok(L, v, MSL_MAX_LIST, "expansions"))
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
        msl_apply(L, v->vals[i], expansion_schema, e, sub);
    }
}

static const mskey supplier_schema[] = {
    {.key = "country", .type = MSN_SCALAR, .fn = msl_h_str, .off = offsetof(ms_supplier, country), .flags = K_REQ,
         .range = R_ANY},
    {.key = "capacity_t_per_year", .type = MSN_MAP, .fn = h_perproduct,
         .off = offsetof(ms_supplier, capacity_t_per_year), .flags = K_MARK, .range = R_NONNEG,
         .has_off = offsetof(ms_supplier, has_product)},
    {.key = "export_share", .type = MSN_MAP, .fn = h_perproduct, .off = offsetof(ms_supplier, export_share),
         .range = R_SHARE},
    {.key = "price_usd_per_kg", .type = MSN_MAP, .fn = h_perproduct, .off = offsetof(ms_supplier, price_usd_per_kg),
         .range = R_POS},
    {.key = "price_flex", .type = MSN_ANY, .fn = msl_h_dist, .off = offsetof(ms_supplier, price_flex),
         .flags = K_DEF, .range = R_NONNEG, .def = 1},
    {.key = "price_cap", .type = MSN_ANY, .fn = msl_h_dist, .off = offsetof(ms_supplier, price_cap), .flags = K_DEF,
         .range = R_GE1, .def = 3},
    {.key = "expansions", .type = MSN_LIST, .fn = h_expansions, .flags = K_LIST, .range = R_ANY,
         .sub = expansion_schema},
    {.key = "outages", .type = MSN_MAP, .fn = msl_h_nest, .off = offsetof(ms_supplier, outages),
         .flags = K_NEST | K_HAS, .range = R_ANY, .sub = outage_schema,
         .has_off = offsetof(ms_supplier, has_outages)},
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
        msl_valid_name(L, v->keys[i], "supplier");
        sp->name = strdup(v->keys[i]->str);
        sp->has_product = calloc((size_t)(np ? np : 1), sizeof *sp->has_product);
        sp->capacity_t_per_year = calloc((size_t)(np ? np : 1), sizeof(ms_dist));
        sp->export_share = calloc((size_t)(np ? np : 1), sizeof(ms_dist));
        sp->price_usd_per_kg = calloc((size_t)(np ? np : 1), sizeof(ms_dist));
        if (!sp->has_product || !sp->capacity_t_per_year || !sp->export_share || !sp->price_usd_per_kg)
            continue;
        msl_join(sub, sizeof sub, path, sp->name);
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
        msl_join(sub, sizeof sub, path, sp->name);
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
        int p = msl_resolve(L, REF_PRODUCT, v->keys[i]);
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
            int sidx = msl_resolve(L, REF_SUPPLIER, row->keys[j]);
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
        msl_join(sub, sizeof sub, path, "default");
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
            msl_ref_error(L, REF_SUPPLIER, kn, kn->str, "default");
            continue;
        }
        msl_join(sub, sizeof sub, path, kn->str);
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
    {.key = "max", .type = MSN_ANY, .fn = msl_h_dist, .off = offsetof(ms_industry, sub_max), .flags = K_DEF,
         .range = R_SHARE},
    {.key = "tau_months", .type = MSN_ANY, .fn = msl_h_dist, .off = offsetof(ms_industry, sub_tau), .flags = K_DEF,
         .range = R_POS, .def = 12},
    {.key = "trigger", .type = MSN_ANY, .fn = msl_h_dist, .off = offsetof(ms_industry, sub_trigger), .flags = K_DEF,
         .range = R_POS, .def = 1.5},
    {0},
};

static const mskey industry_schema[] = {
    {.key = "demand_t_per_year", .type = MSN_MAP, .fn = h_perproduct,
         .off = offsetof(ms_industry, demand_t_per_year), .range = R_NONNEG},
    {.key = "growth", .type = MSN_ANY, .fn = msl_h_dist, .off = offsetof(ms_industry, growth), .flags = K_DEF,
         .range = R_GROWTH},
    {.key = "cover_months", .type = MSN_ANY, .fn = msl_h_dist, .off = offsetof(ms_industry, cover_months),
         .flags = K_DEF, .range = R_NONNEG, .def = 2},
    {.key = "restore_months", .type = MSN_ANY, .fn = h_restore, .off = offsetof(ms_industry, restore_months),
         .flags = K_DEF, .range = R_POS, .def = 2},
    {.key = "hoarding", .type = MSN_ANY, .fn = msl_h_dist, .off = offsetof(ms_industry, hoarding), .flags = K_DEF,
         .range = R_NONNEG},
    {.key = "priority", .type = MSN_SCALAR, .fn = msl_h_int, .off = offsetof(ms_industry, priority),
         .range = {1, 1000000, 0, 0}},
    {.key = "value_usd_per_t", .type = MSN_ANY, .fn = msl_h_dist, .off = offsetof(ms_industry, value_usd_per_t),
         .flags = K_DEF | K_ONCE, .range = R_NONNEG},
    {.key = "substitution", .type = MSN_MAP, .fn = msl_h_inline, .flags = K_INLINE, .range = R_ANY,
         .sub = substitution_schema},
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
        msl_valid_name(L, v->keys[i], "industry");
        ind->name = strdup(v->keys[i]->str);
        ind->priority = 1;
        ind->demand_t_per_year = calloc((size_t)(np ? np : 1), sizeof(ms_dist));
        if (!ind->demand_t_per_year)
            continue;
        msl_join(sub, sizeof sub, path, ind->name);
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

/* seasonality: 12 plain numbers > 0, the demand factors of January..December.
 * Factors whose mean is not 1 change annual demand: a warning. */
static void h_seasonality(msl *L, const msn *v, void *base, const mskey *k, const char *path)
{
    ms_importer *im = base;
    if (v->type != MSN_LIST) {
        msl_err(L, MS_D_TYPE, v, "seasonality: expected a list of 12 plain numbers (January..December), got %s",
                msn_type_name(v->type));
        return;
    }
    if (v->n != 12) {
        msl_err(L, MS_D_VALUE, v, "seasonality: expected 12 factors (January..December), got %d", v->n);
        return;
    }
    double x[12], sum = 0;
    int ok = 1;
    for (int m = 0; m < 12; m++) {
        const msn *it = v->vals[m];
        if (it->type != MSN_SCALAR) {
            msl_err(L, MS_D_TYPE, it, "seasonality factors are plain numbers, not %s", it->type == MSN_MAP
                    ? "distributions (a month's factor is fixed)" : msn_type_name(it->type));
            ok = 0;
        } else if (msl_number(L, it, &x[m])) {
            ok = 0;
        } else if (!(x[m] > 0)) {
            msl_err(L, MS_D_RANGE, it, "%g is out of range: a seasonality factor is > 0", x[m]);
            ok = 0;
        } else {
            sum += x[m];
        }
    }
    if (!ok)
        return;
    memcpy(im->seasonality, x, sizeof x);
    im->has_seasonality = 1;
    if (fabs(sum / 12.0 - 1.0) > 1e-6)
        msl_err(L, MS_D_WARNING, v, "seasonality: the factors' mean is %.9g, not 1: annual demand is scaled by it",
                sum / 12.0);
}

static const char *const rationing_words[] = {"priority", "proportional", NULL};

static const mskey switching_schema[] = {
    {.key = "qualification_months", .type = MSN_ANY, .fn = msl_h_dist,
         .off = offsetof(ms_importer, qualification_months), .flags = K_DEF, .range = R_GE1, .def = 6},
    {.key = "cost_sensitivity", .type = MSN_ANY, .fn = msl_h_dist, .off = offsetof(ms_importer, cost_sensitivity),
         .flags = K_DEF, .range = R_NONNEG, .def = 4},
    {.key = "diversion", .type = MSN_ANY, .fn = msl_h_dist, .off = offsetof(ms_importer, diversion), .flags = K_DEF,
         .range = R_SHARE, .def = 0.3},
    {0},
};

static const mskey importer_schema[] = {
    {.key = "sourcing", .type = MSN_MAP, .fn = h_sourcing, .range = R_ANY},
    {.key = "transit_months", .type = MSN_MAP, .fn = h_transit, .range = R_NONNEG},
    {.key = "switching", .type = MSN_MAP, .fn = msl_h_inline, .flags = K_INLINE, .range = R_ANY,
         .sub = switching_schema},
    {.key = "demand_elasticity", .type = MSN_ANY, .fn = msl_h_dist, .off = offsetof(ms_importer, demand_elasticity),
         .flags = K_DEF, .range = R_NONPOS, .def = -0.1},
    {.key = "shortage_elasticity", .type = MSN_ANY, .fn = msl_h_dist,
         .off = offsetof(ms_importer, shortage_elasticity), .flags = K_DEF, .range = R_NEG, .def = -0.25},
    {.key = "price_smoothing_months", .type = MSN_ANY, .fn = msl_h_dist,
         .off = offsetof(ms_importer, price_smoothing_months), .flags = K_DEF, .range = R_GE1, .def = 3},
    {.key = "premium_cap", .type = MSN_ANY, .fn = msl_h_dist, .off = offsetof(ms_importer, premium_cap),
         .flags = K_DEF, .range = R_GE1, .def = 4},
    {.key = "destination_elasticity", .type = MSN_ANY, .fn = msl_h_dist,
         .off = offsetof(ms_importer, destination_elasticity), .flags = K_HAS, .range = R_NEG,
         .has_off = offsetof(ms_importer, has_destination_elasticity)},
    {.key = "seasonality", .type = MSN_ANY, .fn = h_seasonality, .range = R_ANY},
    {.key = "rationing", .type = MSN_SCALAR, .fn = msl_h_enum, .off = offsetof(ms_importer, rationing),
         .range = R_ANY, .words = rationing_words},
    {.key = "industries", .type = MSN_MAP, .fn = h_industries, .flags = K_NAMED, .range = R_ANY,
         .sub = industry_schema},
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
        msl_valid_name(L, v->keys[i], "importer");
        im->name = strdup(v->keys[i]->str);
    }
    for (int i = 0; i < v->n; i++) {
        ms_importer *im = &s->importers[i];
        im->sourcing = calloc((size_t)(np * ns > 0 ? np * ns : 1), sizeof *im->sourcing);
        im->has_sourcing = calloc((size_t)(np ? np : 1), sizeof *im->has_sourcing);
        im->transit_months = calloc((size_t)(ns ? ns : 1), sizeof *im->transit_months);
        for (int m = 0; m < 12; m++)
            im->seasonality[m] = 1.0;
        if (!im->sourcing || !im->has_sourcing || !im->transit_months)
            continue;
        msl_join(sub, sizeof sub, path, im->name);
        for (int j = 0; j < ns; j++) {
            snprintf(key, sizeof key, "%s.transit_months.%s", sub, s->suppliers[j].name);
            msl_dist_default(L, key, 1, &(const msrange)R_NONNEG, 0, &im->transit_months[j]);
        }
        apply_entity(L, v->vals[i], importer_schema, im, "importer", im->name, sub);
    }
}

/* ---- policies: one row of the table of types each (sim/policy.h) -------------- */

int *msl_mask_all(int n)
{
    int *m = calloc((size_t)(n ? n : 1), sizeof *m);
    if (m)
        for (int i = 0; i < n; i++)
            m[i] = 1;
    return m;
}

void msl_check_end(msl *L, const msn *map, const ms_dist *start, int has_end, const ms_dist *end)
{
    if (!has_end || !start->key || !end->key)
        return;
    if (ms_dist_max(end) <= ms_dist_min(start))
        msl_err(L, MS_D_RANGE, msn_get(map, "end"), "end is never after start: the policy would never be on");
}

static void policy_types_text(char *buf, size_t len)
{
    buf[0] = '\0';
    for (int t = 0; ms_policy_types[t]; t++) {
        size_t l = strlen(buf);
        snprintf(buf + l, len - l, "%s%s", t ? (ms_policy_types[t + 1] ? ", " : " or ") : "", ms_policy_types[t]->name);
    }
}

/* The type of policy map m (NULL after an error). */
static const ms_policy_type *policy_type(msl *L, const msn *m, int i)
{
    char types[256];
    policy_types_text(types, sizeof types);
    const msn *tn = msn_get(m, "type");
    if (!tn) {
        msl_err(L, MS_D_MISSING, m, "policy %d: missing required key 'type' (%s)", i, types);
        return NULL;
    }
    if (tn->type != MSN_SCALAR) {
        msl_err(L, MS_D_TYPE, tn, "type: expected a policy type, got %s", msn_type_name(tn->type));
        return NULL;
    }
    const ms_policy_type *t = ms_policy_type_find(tn->str);
    if (t)
        return t;
    const char *words[64];
    int nw = 0;
    for (int k = 0; ms_policy_types[k] && nw < 64; k++)
        words[nw++] = ms_policy_types[k]->name;
    const char *sug = msl_suggest(tn->str, words, nw);
    if (sug)
        msl_err(L, MS_D_VALUE, tn, "unknown policy type '%s' (did you mean '%s'?)", tn->str, sug);
    else
        msl_err(L, MS_D_VALUE, tn, "unknown policy type '%s' (expected %s)", tn->str, types);
    return NULL;
}

/* The policy's name: as written, or "<type>#<k>", k its ordinal among the
 * policies of its type (its inputs' random streams are keyed by the name,
 * so inserting a policy of another type changes no draw).  Returns the node
 * to locate a duplicate at. */
static const msn *policy_name(msl *L, const msn *m, ms_policy *pol, int k)
{
    const msn *nn = msn_get(m, "name");
    if (nn && nn->type == MSN_SCALAR) {
        msl_valid_name(L, nn, "policy");
        pol->name = strdup(nn->str);
        return nn;
    }
    if (nn)
        msl_err(L, MS_D_TYPE, nn, "name: expected a scalar, got %s", msn_type_name(nn->type));
    char sub[128];
    snprintf(sub, sizeof sub, "%s#%d", pol->type->name, k);
    pol->name = strdup(sub);
    return m;
}

static void h_policies(msl *L, const msn *v, void *base, const mskey *k, const char *path)
{
    ms_scenario *s = L->s;
    if (!msl_count_ok(L, v, MSL_MAX_POLICIES, "policies"))
        return;
    s->policies = calloc((size_t)(v->n ? v->n : 1), sizeof *s->policies);
    const msn **name_at = calloc((size_t)(v->n ? v->n : 1), sizeof *name_at);
    if (!s->policies || !name_at) {
        free(name_at);
        return;
    }
    char sub[512];
    for (int i = 0; i < v->n; i++) {
        const msn *m = v->vals[i];
        if (m->type != MSN_MAP) {
            msl_err(L, MS_D_TYPE, m, "policies: each policy must be a map, got %s", msn_type_name(m->type));
            continue;
        }
        const ms_policy_type *t = policy_type(L, m, i);
        if (!t)
            continue;
        ms_policy *pol = &s->policies[s->npolicies];
        pol->type = t;
        pol->line = m->line;
        pol->column = m->col;
        int ordinal = 0;
        for (int j = 0; j < s->npolicies; j++)
            ordinal += s->policies[j].type == t;
        const msn *at = policy_name(L, m, pol, ordinal);
        if (!pol->name || !(pol->data = calloc(1, t->size))) {
            free(pol->name);
            pol->name = NULL;
            continue;
        }
        for (int j = 0; j < s->npolicies; j++)
            if (!strcmp(s->policies[j].name, pol->name)) {
                msl_err(L, MS_D_DUP_KEY, at, "policy name '%s' is already used (line %d)", pol->name,
                        name_at[j] ? name_at[j]->line : s->policies[j].line);
                break;
            }
        name_at[s->npolicies] = at;
        s->npolicies++;
        msl_join(sub, sizeof sub, path, pol->name);
        if (t->init)
            t->init(L, pol->data);
        int keys0 = L->nkeys;
        msl_apply(L, m, t->schema, pol->data, sub);
        if (t->check)
            t->check(L, m, pol->data);
        if (at == m && L->nkeys > keys0)
            msl_err(L, MS_D_WARNING, m, "policy %s has uncertain inputs and no name: its random draws are keyed "
                    "by its place among the %s policies, so inserting one before it changes them; give it a "
                    "name", pol->name, t->name);
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
    if (!msl_count_ok(L, v, MS_MAX_QUANTILES, "quantiles"))
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
    {.key = "start", .type = MSN_SCALAR, .fn = h_hstart, .flags = K_REQ, .range = R_ANY},
    {.key = "months", .type = MSN_SCALAR, .fn = msl_h_int, .off = offsetof(ms_scenario, months), .flags = K_REQ,
         .range = {1, MS_MAX_MONTHS, 0, 0}},
    {0},
};

static const mskey run_schema[] = {
    {.key = "paths", .type = MSN_SCALAR, .fn = msl_h_int, .off = offsetof(ms_scenario, paths), .flags = K_U64,
         .range = {1, HUGE_VAL, 0, 0}},
    {.key = "seed", .type = MSN_SCALAR, .fn = msl_h_int, .off = offsetof(ms_scenario, seed), .flags = K_U64,
         .range = {0, HUGE_VAL, 0, 0}},
    {0},
};

static const mskey outputs_schema[] = {
    {.key = "quantiles", .type = MSN_LIST, .fn = h_quantiles, .range = R_ANY},
    {.key = "shortage_threshold", .type = MSN_SCALAR, .fn = msl_h_double,
         .off = offsetof(ms_scenario, shortage_threshold), .range = R_THRESH},
    {0},
};

static const mskey root_schema[] = {
    {.key = "magsim", .type = MSN_ANY, .fn = msl_h_skip, .range = R_ANY},
    {.key = "extends", .type = MSN_SCALAR, .fn = msl_h_skip, .range = R_ANY},
    {.key = "name", .type = MSN_SCALAR, .fn = msl_h_str, .off = offsetof(ms_scenario, name), .range = R_ANY},
    {.key = "horizon", .type = MSN_MAP, .fn = msl_h_inline, .flags = K_REQ | K_INLINE, .range = R_ANY,
         .sub = horizon_schema},
    {.key = "run", .type = MSN_MAP, .fn = msl_h_inline, .flags = K_INLINE, .range = R_ANY, .sub = run_schema},
    {.key = "products", .type = MSN_MAP, .fn = h_products, .flags = K_REQ | K_NAMED, .range = R_ANY,
         .sub = product_schema},
    {.key = "suppliers", .type = MSN_MAP, .fn = h_suppliers, .flags = K_REQ | K_NAMED, .range = R_ANY,
         .sub = supplier_schema},
    {.key = "importers", .type = MSN_MAP, .fn = h_importers, .flags = K_REQ | K_NAMED, .range = R_ANY,
         .sub = importer_schema},
    {.key = "policies", .type = MSN_LIST, .fn = h_policies, .flags = K_LIST, .range = R_ANY},
    {.key = "outputs", .type = MSN_MAP, .fn = msl_h_inline, .flags = K_INLINE, .range = R_ANY, .sub = outputs_schema},
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
        msl_apply(&L, root, root_schema, s, "");
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
        if (p->data && p->type->free)
            p->type->free(p->data);
        free(p->data);
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
        msl_join(p, sizeof p, prefix, e->key);
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
    for (int t = 0; ms_policy_types[t]; t++)
        walk(&sv, ms_policy_types[t]->schema, "policies.*");
    /* per-name maps whose keys are names */
    sv_push(&sv, "suppliers.*.capacity_t_per_year.*");
    sv_push(&sv, "suppliers.*.export_share.*");
    sv_push(&sv, "suppliers.*.price_usd_per_kg.*");
    sv_push(&sv, "importers.*.sourcing.*.*");
    sv_push(&sv, "importers.*.transit_months.default");
    sv_push(&sv, "importers.*.transit_months.*");
    sv_push(&sv, "importers.*.industries.*.demand_t_per_year.*");
    sv_push(&sv, "policies.*.affected.*");
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
