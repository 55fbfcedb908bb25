/*
 * policy/stockpile.h - the parsed form of a stockpile policy (ms_policy.data).
 */
#ifndef MAGSIM_POLICY_STOCKPILE_H
#define MAGSIM_POLICY_STOCKPILE_H

#include "magsim/scenario.h"

typedef struct ms_stockpile {
    int importer;              /* importer: index */
    int product;               /* product: index */
    ms_dist stock_t;           /* stock_t: initial stock, t (>= 0) */
    ms_dist release_t_per_month; /* release_t_per_month: max release per month, t (>= 0) */
    ms_dist trigger;           /* trigger: release when last month's fill rate < trigger, [0,1], default 0.95 */
    int *beneficiaries;        /* beneficiaries: [nindustries of importer] mask, default all */
    ms_dist start;             /* start: date from which it may release (default horizon start) */
} ms_stockpile;

/* The stockpile of p, or NULL when p is another type. */
const ms_stockpile *ms_stockpile_of(const ms_policy *p);

#endif
