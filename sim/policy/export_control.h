/*
 * policy/export_control.h - the parsed form of an export_control policy
 * (ms_policy.data), for the code and tests that read it.
 */
#ifndef MAGSIM_POLICY_EXPORT_CONTROL_H
#define MAGSIM_POLICY_EXPORT_CONTROL_H

#include "magsim/scenario.h"

typedef enum ms_control_mode { MS_CTRL_LICENSE = 0, MS_CTRL_BAN, MS_CTRL_QUOTA } ms_control_mode;

/* license.by_destination: approvals of a group of destinations. */
typedef struct ms_ctrl_group {
    int *destinations;         /* destinations: [nimporters] mask (required; a destination in one group only) */
    ms_dist approval;          /* approval: a_start of the group, [0,1] (required) */
    int has_approval_end;
    ms_dist approval_end;      /* approval_end: a_end of the group, default = its approval */
    int has_ramp;
    ms_dist ramp_months;       /* ramp_months: months from a_start to a_end, default = the control's */
    int has_ramp_from;
    ms_dist ramp_from;         /* ramp_from: date the group's ramp begins (default: the spell's start) */
} ms_ctrl_group;

/* affected: {INDUSTRY: share, ..., default: share}: one industry's share. */
typedef struct ms_ctrl_share {
    const char *industry;      /* industry name (of at least one destination), or "default" */
    ms_dist share;             /* share of that industry's import flow the control covers, [0,1] */
} ms_ctrl_share;

typedef struct ms_export_control {
    int exporter;              /* exporter: supplier index */
    int *products;             /* products: [nproducts] mask (list or "all") */
    int *destinations;         /* destinations: [nimporters] mask (list or "all") */
    ms_dist affected;          /* affected: share of the flow the control covers, [0,1], default 1; with
                                  the per-industry form, the default share of industries not listed (0) */
    ms_ctrl_share *affected_by; /* affected: {INDUSTRY: share, default: share} (NULL: one share) */
    int naffected_by;
    const char **end_users;    /* end_users: industries whose requests are denied outright (names) */
    int nend_users;
    ms_dist general_license;   /* general_license: share of the affected flow exempt, [0,1], default 0 */
    int has_general_license_from;
    ms_dist general_license_from; /* general_license_from: date the exemption begins (default: with the control) */
    ms_control_mode mode;      /* mode: license | ban | quota (required) */
    ms_dist announce;          /* announce: date hoarding starts; default = start */
    ms_dist start;             /* start: date (required) */
    int has_end;
    ms_dist end;               /* end: date the control ends (default: never) */
    ms_dist lift_hazard;       /* lift_hazard: P(lifted) per active month, [0,1], default 0 */
    ms_dist reimpose_hazard;   /* reimpose_hazard: P(re-imposed) per lifted month, [0,1], default 0 */
    /* license mode (license: map) */
    ms_dist approval;          /* license.approval: a_start, share of pre-control affected flow licensed, [0,1] */
    int has_approval_end;
    ms_dist approval_end;      /* license.approval_end: a_end, default = approval */
    ms_dist approval_ramp_months; /* license.ramp_months: months from a_start to a_end (>= 0), default 0 */
    ms_dist approval_noise;    /* license.noise_sd: sd of monthly additive noise on a (>= 0), default 0 */
    ms_dist delay_months;      /* license.delay_months: processing delay L, months (>= 0), default 0 */
    int has_queue;
    ms_dist queue_abandon;     /* license.queue.abandon_per_month: share of the queue given up each month,
                                  [0,1]; with license.queue, requests not approved wait instead of being
                                  denied */
    ms_ctrl_group *groups;     /* license.by_destination: approvals per group of destinations */
    int ngroups;
    int has_decision;
    ms_dist decision_months;   /* license.decision_months: months until an importer learns of a denial (>= 0);
                                  default: the licence delay (a ban and a quota: 0, known at once) */
    /* quota mode */
    ms_dist quota_t_per_month; /* quota_t_per_month: cap Q on covered shipments, t/month (>= 0) */
} ms_export_control;

/* The control of p, or NULL when p is another type. */
const ms_export_control *ms_export_control_of(const ms_policy *p);

#endif
