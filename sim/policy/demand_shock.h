/*
 * policy/demand_shock.h - the parsed form of a demand_shock policy (ms_policy.data).
 */
#ifndef MAGSIM_POLICY_DEMAND_SHOCK_H
#define MAGSIM_POLICY_DEMAND_SHOCK_H

#include "magsim/scenario.h"

typedef struct ms_demand_shock {
    int *importers;            /* importer: name or "all" -> [nimporters] mask */
    char **industry_names;     /* industries: list of names, or NULL for all; matched per importer */
    int nindustry_names;
    int *products;             /* products: [nproducts] mask, default all */
    ms_dist start;             /* start: date (required) */
    int has_end;
    ms_dist end;               /* end: date (default: never) */
    ms_dist multiplier;        /* multiplier: demand multiple while on (>= 0) */
} ms_demand_shock;

/* The shock of p, or NULL when p is another type. */
const ms_demand_shock *ms_demand_shock_of(const ms_policy *p);

#endif
