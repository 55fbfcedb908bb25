/*
 * policy.h - policy types as a table (internal to libmagsim).
 *
 * Every policy type is one file under sim/policy/ and one row of the table
 * in sim/policy.c.  The engine side of a type is its compile function: it
 * turns one of the scenario's policies into the type's compiled form
 * (ms_cpol.data), adds a slot for every input it reads, reserves per-lane
 * state (ms_cpol.nstate) and registers the hooks it acts in
 * (ms_engine_hook; the hooks are listed in sim/engine_int.h).  The steps
 * call the hooks at fixed points, in scenario order, and never branch on a
 * policy's type.
 */
#ifndef MAGSIM_POLICY_H
#define MAGSIM_POLICY_H

#include <stddef.h>
#include "engine_int.h"

typedef int (*ms_policy_compile_fn)(ms_engine *e, ms_cpol *cp, char *err, size_t errlen);

/* Compile policy cp->pol through its type's row. 0, or -1 with a message. */
int ms_policy_compile(ms_engine *e, ms_cpol *cp, char *err, size_t errlen);

/* The types' compile functions (sim/policy/TYPE.c).  Policy files are
 * built in both ISA variants like the steps (sim/engine_int.h): the
 * x86-64-v4 build's compile function registers that build's hooks. */
#ifdef MS_ISA_V4
#define ms_export_control_compile ms_export_control_compile_v4
#define ms_tariff_compile ms_tariff_compile_v4
#define ms_recycling_compile ms_recycling_compile_v4
#define ms_stockpile_compile ms_stockpile_compile_v4
#define ms_demand_shock_compile ms_demand_shock_compile_v4
#endif
int ms_export_control_compile(ms_engine *e, ms_cpol *cp, char *err, size_t errlen);
int ms_tariff_compile(ms_engine *e, ms_cpol *cp, char *err, size_t errlen);
int ms_recycling_compile(ms_engine *e, ms_cpol *cp, char *err, size_t errlen);
int ms_stockpile_compile(ms_engine *e, ms_cpol *cp, char *err, size_t errlen);
int ms_demand_shock_compile(ms_engine *e, ms_cpol *cp, char *err, size_t errlen);

/* Helpers for compile functions: a slot (-1 on failure), and the flows of
 * product p from supplier s to the importers in mask (NULL: all), as a
 * malloc'd list of flow ids in importer order (*n entries). */
int *ms_policy_flows(const ms_engine *e, int s, int p, const int *importers, int *n);

#endif
