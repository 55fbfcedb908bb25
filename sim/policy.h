/*
 * policy.h - policy types as a table (internal to libmagsim).
 *
 * A policy type is one file, sim/policy/TYPE.c, described by one
 * ms_policy_type (below) and registered by one row of ms_policy_types in
 * sim/policy.c.  The row says everything the rest of magsim needs:
 *
 *   loading (sim/scenario.c)   its name (the `type:` of a scenario file), its
 *                              schema (a table of keys, sim/scenario_int.h),
 *                              the size of its parsed form (ms_policy.data),
 *                              init (before the schema: references -1,
 *                              masks "all"), check (rules across keys),
 *                              free;
 *   validate's timeline        start, end, describe;
 *   the engine                 compile: the parsed form -> a compiled form
 *                              (ms_cpol.data), a slot for every input it
 *                              reads, per-lane state, and the step hooks it
 *                              acts in (sim/engine_int.h: ms_engine_hook).
 *
 * The steps call the hooks at fixed points, in scenario order, and never
 * branch on a policy's type.  docs/architecture.md walks through adding a
 * type (a price cap).
 */
#ifndef MAGSIM_POLICY_H
#define MAGSIM_POLICY_H

#include <stddef.h>
#include "scenario_int.h"

struct ms_engine;
struct ms_cpol;
typedef int (*ms_policy_compile_fn)(struct ms_engine *e, struct ms_cpol *cp, char *err, size_t errlen);

struct ms_policy_type {
    const char *name;            /* "export_control": the `type:` of a scenario's policy */
    const mskey *schema;         /* the keys of its map (MS_POLICY_COMMON_KEYS first) */
    size_t size;                 /* bytes of its parsed form, ms_policy.data (zeroed, then init) */
    void (*init)(msl *L, void *data);                  /* before the schema; NULL: nothing */
    void (*check)(msl *L, const msn *map, void *data); /* after the schema: rules across keys; NULL */
    void (*free)(void *data);                          /* what the parsed form owns (not data); NULL */
    const ms_dist *(*start)(const void *data);         /* its start date (timeline order); NULL: none */
    const ms_dist *(*end)(const void *data);           /* its end date, or NULL; NULL: never ends */
    void (*describe)(const ms_scenario *s, const void *data, char *buf, size_t len); /* validate's line */
    ms_policy_compile_fn compile;    /* into the engine (sim/engine_int.h) */
    ms_policy_compile_fn compile_v4; /* the same, x86-64-v4 build (sim/engine_int.h, ISA variants) */
};

/* The keys every policy has: type (read by the loader) and name. */
#define MS_POLICY_COMMON_KEYS                                                            \
    {.key = "type", .type = MSN_ANY, .fn = msl_h_skip, .range = R_ANY},                  \
    {.key = "name", .type = MSN_ANY, .fn = msl_h_skip, .range = R_ANY}

/* The table, NULL-terminated, and lookup by name (NULL when unknown). */
extern const ms_policy_type *const ms_policy_types[];
const ms_policy_type *ms_policy_type_find(const char *name);

/* The types (sim/policy/TYPE.c). */
extern const ms_policy_type ms_policy_export_control, ms_policy_tariff, ms_policy_recycling, ms_policy_stockpile,
    ms_policy_demand_shock;

/* ---- the engine side ---- */

/* Compile policy cp->pol through its type.  0, or -1 with a message. */
int ms_policy_compile(struct ms_engine *e, struct ms_cpol *cp, char *err, size_t errlen);

/* The types' compile functions.  Policy files are built in both ISA
 * variants like the steps (sim/engine_int.h): the x86-64-v4 build's compile
 * function registers that build's hooks; the table and the loading code are
 * built once. */
#ifdef MS_ISA_V4
#define ms_export_control_compile ms_export_control_compile_v4
#define ms_tariff_compile ms_tariff_compile_v4
#define ms_recycling_compile ms_recycling_compile_v4
#define ms_stockpile_compile ms_stockpile_compile_v4
#define ms_demand_shock_compile ms_demand_shock_compile_v4
#endif
int ms_export_control_compile(struct ms_engine *e, struct ms_cpol *cp, char *err, size_t errlen);
int ms_tariff_compile(struct ms_engine *e, struct ms_cpol *cp, char *err, size_t errlen);
int ms_recycling_compile(struct ms_engine *e, struct ms_cpol *cp, char *err, size_t errlen);
int ms_stockpile_compile(struct ms_engine *e, struct ms_cpol *cp, char *err, size_t errlen);
int ms_demand_shock_compile(struct ms_engine *e, struct ms_cpol *cp, char *err, size_t errlen);
#ifdef MS_HAVE_V4
int ms_export_control_compile_v4(struct ms_engine *e, struct ms_cpol *cp, char *err, size_t errlen);
int ms_tariff_compile_v4(struct ms_engine *e, struct ms_cpol *cp, char *err, size_t errlen);
int ms_recycling_compile_v4(struct ms_engine *e, struct ms_cpol *cp, char *err, size_t errlen);
int ms_stockpile_compile_v4(struct ms_engine *e, struct ms_cpol *cp, char *err, size_t errlen);
int ms_demand_shock_compile_v4(struct ms_engine *e, struct ms_cpol *cp, char *err, size_t errlen);
#define MS_V4(f) f##_v4
#else
#define MS_V4(f) f
#endif

/* For REF_START hooks: a policy starting at lane l's start[l] that touches
 * the importers in mask (NULL: all) is a reference candidate of theirs and
 * of the total, when it starts inside the horizon. */
struct ms_hook_ctx;
void ms_policy_ref_touch(const struct ms_engine *e, const struct ms_hook_ctx *x, const double *start,
                         const int *importers);

/* For compile functions: the flows of product p from supplier s to the
 * importers in mask (NULL: all), a malloc'd list of flow ids in importer
 * order (*n entries); NULL when out of memory. */
int *ms_policy_flows(const struct ms_engine *e, int s, int p, const int *importers, int *n);

#endif
