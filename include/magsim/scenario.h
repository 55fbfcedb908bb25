/*
 * magsim/scenario.h - a loaded, validated scenario: the engine's only input.
 *
 * The loader (sim/scenario.c) reads a YAML scenario with libyaml's document
 * API, checks the whole file against the schema and reports every error with
 * FILE:LINE:COLUMN (magsim/diag.h).  Only a scenario with no error is
 * returned.  After loading:
 *   - every name is resolved to an index (suppliers, importers, industries,
 *     products); nothing downstream compares strings;
 *   - every date is a real month offset from horizon.start (ms_dist with the
 *     offset as its value), "an event is on in month t when t >= start and
 *     t < end";
 *   - every numeric input is an ms_dist (fixed or a distribution) whose stream
 *     id is the hash of its key path (magsim/dist.h), so draws are common
 *     between scenarios that share the input;
 *   - defaults are filled in (documented in docs/scenario.md, which a test
 *     keeps in step with the keys the loader accepts).
 *
 * Invariants the loader guarantees:
 *   - shares (export_share, sourcing, affected, ...) lie in [0, 1] for every
 *     value their distribution can take; sourcing shares per (importer,
 *     product) are fixed numbers that sum to 1 within 1e-6;
 *   - capacities, demands, prices, months and rates are >= 0 for every value
 *     their distribution can take; horizon months in 1..MS_MAX_MONTHS;
 *   - every reference resolves.
 * Units are in the key names: t_per_year, usd_per_kg, months, share.
 */
#ifndef MAGSIM_SCENARIO_H
#define MAGSIM_SCENARIO_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "magsim/dist.h"
#include "magsim/diag.h"

#define MS_MAX_MONTHS 1200   /* horizon limit: 100 years */
#define MS_MAX_QUANTILES 16

/* ---- products ---------------------------------------------------------- */
typedef struct ms_product {
    char *name;                /* identifier, e.g. "ndfeb" */
    double price_usd_per_kg;   /* price_usd_per_kg: baseline world price (required, > 0) */
} ms_product;

/* ---- suppliers --------------------------------------------------------- */
typedef struct ms_expansion {  /* suppliers.S.expansions[] */
    int product;               /* product: index into products */
    ms_dist t_per_year;        /* t_per_year: added capacity at full ramp, t/yr (>= 0) */
    ms_dist start;             /* start: date the ramp begins (month offset) */
    ms_dist ramp_months;       /* ramp_months: S-curve length, months (>= 0; 0 = step), default 12 */
} ms_expansion;

typedef struct ms_outage {     /* suppliers.S.outages */
    ms_dist hazard_per_month;  /* hazard_per_month: P(an outage starts in a month), [0,1] */
    ms_dist duration_months;   /* duration_months: length of an outage, months (>= 0), default 1 */
    ms_dist cut;               /* cut: share of capacity removed while on, [0,1], default 1 */
} ms_outage;

typedef struct ms_supplier {
    char *name;                /* identifier */
    char *country;             /* country: ISO code or free label (required) */
    int *has_product;          /* [nproducts] 1 when capacity for the product is listed */
    ms_dist *capacity_t_per_year; /* capacity_t_per_year.P: base capacity, t/yr (>= 0), default 0 */
    ms_dist *export_share;     /* export_share.P: share of capacity that may be exported, [0,1], default 1 */
    ms_dist *price_usd_per_kg; /* price_usd_per_kg.P: ex-works price, default products.P.price_usd_per_kg */
    ms_dist price_flex;        /* price_flex: scarcity exponent eta (>= 0), default 1 */
    ms_dist price_cap;         /* price_cap: max price multiple under scarcity (>= 1), default 3 */
    ms_expansion *expansions;  /* expansions: list */
    int nexpansions;
    int has_outages;           /* 1 when outages: is given */
    ms_outage outages;         /* outages: map */
} ms_supplier;

/* ---- importers and industries ------------------------------------------ */
typedef struct ms_industry {
    char *name;                /* identifier (ev_traction, wind, ...) */
    ms_dist *demand_t_per_year;/* demand_t_per_year.P: baseline demand, t/yr (>= 0), default 0 */
    ms_dist growth;            /* growth: annual demand growth rate, default 0 (> -1) */
    ms_dist cover_months;      /* cover_months: target stock m, months of demand (>= 0), default 2 */
    ms_dist restore_months;    /* restore_months: tau, months to close an inventory gap, default 2 (warn < 1) */
    ms_dist hoarding;          /* hoarding: h, cover raised by (1+h) under a control (>= 0), default 0 */
    int priority;              /* priority: rationing tier, 1 served first (>= 1), default 1 */
    ms_dist value_usd_per_t;   /* value_usd_per_t: output value at risk per tonne short (>= 0), default 0 */
    ms_dist sub_max;           /* substitution.max: ceiling sigma on substituted share, [0,1], default 0 */
    ms_dist sub_tau;           /* substitution.tau_months: time constant, months (> 0), default 12 */
    ms_dist sub_trigger;       /* substitution.trigger: price index above which it moves (> 0), default 1.5 */
} ms_industry;

typedef enum ms_rationing { MS_RATION_PRIORITY = 0, MS_RATION_PROPORTIONAL = 1 } ms_rationing;

typedef struct ms_importer {
    char *name;                /* identifier (usa, germany, ...) */
    double *sourcing;          /* sourcing.P.S: baseline shares w0, [nproducts * nsuppliers], row per product;
                                  a product with no sourcing row has all zeros and no demand may use it */
    int *has_sourcing;         /* [nproducts] 1 when sourcing.P is given */
    ms_dist *transit_months;   /* transit_months.S (and .default): months from supplier to importer (>= 0),
                                  [nsuppliers], default 1 */
    ms_dist qualification_months; /* switching.qualification_months: q, share inertia (>= 1), default 6 */
    ms_dist cost_sensitivity;  /* switching.cost_sensitivity: beta (>= 0), default 4 */
    ms_dist diversion;         /* switching.diversion: delta, share of unmet requests re-requested, [0,1], default 0.3 */
    ms_dist demand_elasticity; /* demand_elasticity: eps (<= 0), default -0.1 */
    ms_dist shortage_elasticity; /* shortage_elasticity: eps_short (< 0), default -0.25 */
    ms_dist price_smoothing_months; /* price_smoothing_months: time constant of pibar (>= 1), default 3 */
    ms_dist premium_cap;       /* premium_cap: max scarcity premium multiple (>= 1), default 4 */
    int has_destination_elasticity; /* 1 when destination_elasticity is given (the destination premium is on) */
    ms_dist destination_elasticity; /* destination_elasticity: eps_dest (< 0) of the destination premium, read
                                  only when has_destination_elasticity */
    double seasonality[12];    /* seasonality: demand factor of each calendar month, January..December (> 0),
                                  all 1 when not given */
    int has_seasonality;       /* 1 when seasonality is given */
    ms_rationing rationing;    /* rationing: priority | proportional, default priority */
    ms_industry *industries;   /* industries: map, in file order */
    int nindustries;
} ms_importer;

/* ---- policies ------------------------------------------------------------
 * A policy's type is a row of the table of types (sim/policy.c); its parsed
 * form, `data`, is the type's own struct (sim/policy/TYPE.h).  The scenario
 * holds them in file order. */
typedef struct ms_policy_type ms_policy_type;

typedef struct ms_policy {
    const ms_policy_type *type; /* type: a row of the table of types (ms_policy_type_name) */
    char *name;                /* name: default "<type>#<k>", k its ordinal among the policies of its type */
    int line, column;          /* where the policy's map starts (1-based) */
    void *data;                /* its parsed form: the type's struct (sim/policy/TYPE.h) */
} ms_policy;

/* "export_control", "tariff", ... */
const char *ms_policy_type_name(const ms_policy *p);

/* ---- the scenario -------------------------------------------------------- */
typedef struct ms_source {     /* a file the scenario was built from */
    char *path;                /* as opened: the scenario's path, or a base's path relative to it */
    unsigned char *bytes;      /* the exact bytes parsed (followed by a NUL, not counted in len) */
    size_t len;
} ms_source;

typedef struct ms_scenario {
    char *path;                /* file it was loaded from */
    char *name;                /* name: title (default: file name) */
    int start_year, start_month; /* horizon.start: YYYY-MM */
    int months;                /* horizon.months: T, 1..MS_MAX_MONTHS */
    uint64_t paths;            /* run.paths: default 10000 */
    uint64_t seed;             /* run.seed: default 1 */
    ms_product *products; int nproducts;
    ms_supplier *suppliers; int nsuppliers;
    ms_importer *importers; int nimporters;
    ms_policy *policies; int npolicies;
    double quantiles[MS_MAX_QUANTILES]; /* outputs.quantiles: in (0,1), ascending, default 0.05 0.5 0.95 0.99 */
    int nquantiles;
    double shortage_threshold; /* outputs.shortage_threshold: share of demand, [0,1), default 0.05 */
    int nwarnings;             /* warnings reported while loading (not errors) */
    ms_source *sources;        /* [0] the scenario itself, then each base of its extends: chain in order */
    int nsources;
    /* loader-owned storage: every ms_dist key string and discrete values/cum
       arrays live here, so dists may share them; freed by ms_scenario_free */
    void **owned; int nowned, ownedcap;
} ms_scenario;

/* Load and validate a scenario file.  Returns NULL when it has any error;
 * every error (and warning) is appended to diags, located at FILE:LINE:COLUMN.
 * The caller owns the result (ms_scenario_free). */
ms_scenario *ms_scenario_load(const char *path, ms_diags *diags);

/* Same, from a buffer; name is used in diagnostics in place of a path. */
ms_scenario *ms_scenario_load_buffer(const char *name, const char *buf, size_t len, ms_diags *diags);

void ms_scenario_free(ms_scenario *s);

/* ---- overrides (sim/scenario_override.c) ----------------------------------
 * A scenario with some inputs set to new values before it is built, so that
 * the result is validated exactly like a hand-edited file (domains,
 * references, dates) and every other input keeps its key, hence its random
 * numbers.  A key path addresses an input as ms_dist.key does: map keys,
 * policies by name ("policies.april_licensing.license.approval"), other list
 * items by index ("suppliers.china.expansions.0.start").  A missing key on
 * the path (a defaulted input) is created.  value is the scalar as it would
 * be written in the file: a number, or "YYYY-MM" for a date.  Errors about
 * the value are located at (file, line, column): where the override was
 * written (a sweep file). */
typedef struct ms_override {
    const char *key;           /* input key path */
    const char *value;         /* scalar text: a number or YYYY-MM */
    const char *file;          /* where the value comes from, for diagnostics (NULL: "<override>") */
    int line, column;          /* 1-based position there; 0 when unknown */
} ms_override;

ms_scenario *ms_scenario_load_overrides(const char *path, const ms_override *ov, int nov, ms_diags *diags);

/* Indices by name, -1 when absent. */
int ms_scenario_supplier(const ms_scenario *s, const char *name);
int ms_scenario_importer(const ms_scenario *s, const char *name);
int ms_scenario_product(const ms_scenario *s, const char *name);

/* "YYYY-MM" of month offset t (t may be fractional: floor is used). buf >= 8. */
void ms_scenario_month_label(const ms_scenario *s, int t, char *buf, size_t len);

/* Print the short summary `magsim validate` shows: horizon, counts, policy timeline. */
void ms_scenario_print_summary(const ms_scenario *s, FILE *out);

/* Every key path the loader accepts, e.g. "importers.*.industries.*.cover_months"
 * ("*" stands for a name or a list index), plus the distribution keys as
 * "dist.<kind>.<param>" and "dist.*.per".  NULL-terminated, sorted, without
 * duplicates; *n (if not NULL) gets the count.  Free with
 * ms_scenario_schema_keys_free.  docs/scenario.md is tested against it. */
char **ms_scenario_schema_keys(int *n);
void ms_scenario_schema_keys_free(char **keys);

/* A date input as validate prints it: "2026-06", a range "2026-06..2027-06"
 * (its support), or "~2026-06" (its mean) when unbounded.  buf >= 32. */
void ms_scenario_date_label(const ms_scenario *s, const ms_dist *d, char *buf, size_t len);

/* A month offset (real) as "YYYY-MM" (floor), for reports.  buf >= 8. */
void ms_scenario_offset_label(const ms_scenario *s, double t, char *buf, size_t len);

#endif
