/*
 * policy/stockpile.h - the parsed form of a stockpile policy (ms_policy.data).
 */
#ifndef MAGSIM_POLICY_STOCKPILE_H
#define MAGSIM_POLICY_STOCKPILE_H

#include "magsim/scenario.h"

/* purchase: buying through the members' imports while from <= t < until. */
typedef struct ms_stockpile_purchase {
    ms_dist t_per_month;       /* t_per_month: bought per month (all members), t/month (>= 0) */
    ms_dist from;              /* from: date purchases begin */
    ms_dist until;             /* until: date they end (when has_until) */
    int has_until;             /* 1: until given; else purchases never end */
} ms_stockpile_purchase;

typedef struct ms_stockpile {
    int importer;              /* importer: index; a pooled reserve: its first member (-1: not resolved) */
    int *members;              /* [nimporters] 1 for the importers sharing the stock (importer: a name or a list) */
    int nmembers;              /* members */
    int product;               /* product: index */
    ms_dist stock_t;           /* stock_t: initial stock, t (>= 0) */
    ms_dist release_t_per_month; /* release_t_per_month: max release per month (all members), t (>= 0) */
    ms_dist trigger;           /* trigger: release when last month's fill rate < trigger, [0,1], default 0.95 */
    int *beneficiaries;        /* beneficiaries: mask over the members' industries, member by member in importer
                                  order (one importer: its industries), default all */
    ms_dist start;             /* start: date from which it may release (default horizon start) */
    int has_purchase;          /* 1: purchase given */
    ms_stockpile_purchase purchase; /* purchase: what it buys, when */
    int has_refill;            /* 1: refill_t_per_month given */
    ms_dist refill_t_per_month; /* refill_t_per_month: most bought back per month toward stock_t, t (>= 0) */
    double *allocation;        /* allocation: [nimporters] members' shares (sum 1); NULL: by baseline demand */
} ms_stockpile;

/* The stockpile of p, or NULL when p is another type. */
const ms_stockpile *ms_stockpile_of(const ms_policy *p);

#endif
