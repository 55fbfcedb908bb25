/*
 * policy/recycling.h - the parsed form of a recycling policy (ms_policy.data).
 */
#ifndef MAGSIM_POLICY_RECYCLING_H
#define MAGSIM_POLICY_RECYCLING_H

#include "magsim/scenario.h"

typedef struct ms_recycling {
    int importer;              /* importer: index */
    int product;               /* product: index */
    ms_dist capacity_t_per_year; /* capacity_t_per_year: plant capacity at full ramp, t/yr (>= 0) */
    int has_feedstock;
    ms_dist feedstock_t_per_year;/* feedstock_t_per_year: scrap available, t/yr (default: unlimited) */
    ms_dist yield;             /* yield: output per tonne processed, [0,1], default 0.9 */
    ms_dist ramp_months;       /* ramp_months: S-curve length, months, default 12 */
    ms_dist start;             /* start: date the ramp begins (default horizon start) */
} ms_recycling;

/* The plant of p, or NULL when p is another type. */
const ms_recycling *ms_recycling_of(const ms_policy *p);

#endif
