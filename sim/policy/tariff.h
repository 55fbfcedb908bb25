/*
 * policy/tariff.h - the parsed form of a tariff policy (ms_policy.data).
 */
#ifndef MAGSIM_POLICY_TARIFF_H
#define MAGSIM_POLICY_TARIFF_H

#include "magsim/scenario.h"

typedef struct ms_tariff_step {
    ms_dist from;              /* schedule[].from: date the rate takes effect */
    ms_dist rate;              /* schedule[].rate: ad valorem rate (>= 0; 0.25 = 25%) */
} ms_tariff_step;

typedef struct ms_tariff {
    int *importers;            /* importer: name or "all" -> [nimporters] mask */
    int *origins;              /* origin: supplier name, list, or "all" -> [nsuppliers] mask */
    int *products;             /* products: [nproducts] mask, default all */
    ms_tariff_step *schedule;  /* schedule: list, sorted by from when fixed; the latest step with
                                  from <= t applies; before the first step the rate is 0 */
    int nsteps;
} ms_tariff;

/* The tariff of p, or NULL when p is another type. */
const ms_tariff *ms_tariff_of(const ms_policy *p);

#endif
