/*
 * engine_int.h - the engine's internals, shared by its modules (not public).
 *
 * The engine's jobs, one file each, plus one file per policy type (all
 * of them in docs/architecture.md):
 *
 *   sim/compile.c   a validated scenario -> dense tables (struct ms_engine):
 *                   input slots, entity tables, the flows of each product,
 *                   the compiled policies and the step hooks they act in;
 *   sim/stat.c      the statistic layout: which metrics and series exist,
 *                   their names, dimensions and histogram kinds (one table);
 *   sim/work.c      the workspace (WORK_ARRAYS below) and the trace;
 *   sim/path.c      a batch of MS_LANES paths: inputs drawn, the steady
 *                   state, the month loop, the per-path metrics;
 *   sim/steps.c     the steps of one month, each a function named as in
 *                   docs/model.md;
 *   sim/engine.c    the run driver (blocks of paths, OpenMP, stopping) and
 *                   the resource estimate;
 *   sim/policy/     one file per policy type: its compiled form and hooks.
 *
 * Lanes.  A workspace simulates MS_LANES paths at once, structure of arrays:
 * every per-path quantity x of an entity e is stored as x[e * W + l] for
 * lanes l = 0..W-1 (W = MS_LANES), so that the steps' inner loops run over
 * lanes, contiguous in memory, and the compiler vectorises them.  Each lane
 * performs exactly the floating-point operations a path run alone would, in
 * the same order: results are bit for bit those of a scalar path, whatever
 * the lane or the batch.  Lanes of a batch with fewer paths than lanes
 * repeat the batch's first path; their results are discarded.
 *
 * Slots.  Every input (an ms_dist) used by the engine gets a slot; a
 * workspace holds the slot values of its lanes, v[slot * W + l]: fixed
 * inputs are written once, uncertain ones drawn at the start of each path
 * (and every month for `per: month` inputs).
 *
 * Flows.  For product p, the flows are the (supplier, importer) pairs that
 * can carry it: the importer gives the supplier a sourcing share, or the
 * supplier makes p and the importer sources p (diversion may use it).  A
 * flow's per-lane state is indexed by its flow id f (importer-major, then
 * supplier ascending); fs (from fs0) lists the same flows
 * supplier-major.  Every sum over suppliers or importers in the steps runs
 * over these lists in ascending order: the terms of pairs that are not flows
 * are exact zeros in the model, so leaving them out changes no bit.
 */
#ifndef MAGSIM_ENGINE_INT_H
#define MAGSIM_ENGINE_INT_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include "magsim/engine.h"
#include "magsim/rng.h"
#include "magsim/stat.h"
#ifdef MS_ISA_V4
#include <immintrin.h>
#endif

#define W MS_LANES
#define NONE (-1)

/* Numerical guards (docs/model.md, "Numerical guards"). */
#define MAX_GROWTH_FACTOR 1e6    /* (1+g)^(t/12) saturates here */
#define MAX_PRICE_RESPONSE 1e6   /* pibar^eps (demand response to a price fall) */
#define MAX_DEMAND_T 1e18        /* monthly demand of an industry and product, t */
#define MAX_PRICE_INDEX 1e9      /* landed cost index pi before the scarcity premium */
#define MAX_LAG_MONTHS 1e9       /* a lag (transit + licence delay) beyond it lands past every horizon just the
                                    same; it keeps a lag's month within an int */

typedef struct ms_cpol ms_cpol;

/* A batch of paths (sim/path.c), in one of its ISA variants (below). */
typedef void (*ms_path_batch_fn)(const ms_engine *e, ms_work *w, const uint64_t *paths, int n,
                                 const ms_input_set *const *sets, double *ob, size_t ostride, ms_trace *tr);

/* ---- step hooks: where a policy acts ------------------------------------- */
typedef enum ms_hook {
    MS_HOOK_PATH_START = 0,  /* per path, before the steady state: reset the policy's state */
    MS_HOOK_REF_START,       /* per path: the policy's start, for time-to-survive */
    MS_HOOK_TARIFF,          /* month t (and month 0 for the baseline): add tariff rates to tar[flow] */
    MS_HOOK_MONTH,           /* step 1, after capacity: regimes, approvals, hoarding flags */
    MS_HOOK_DEMAND,          /* step 2, per product: multiply shock[cell] */
    MS_HOOK_RECYCLED,        /* step 4 (and month 0), per importer x product: add to Rm[i] */
    MS_HOOK_PURCHASE,        /* step 3, per importer x product, after the orders: stockpile requests into Nsp[i,p] */
    MS_HOOK_EXPORT_CONTROL,  /* step 6 and the diversion pass, all products: fall, piall, dmax, dec of flows */
    MS_HOOK_CHARGE,          /* after each pass's capacity rationing: licence budgets and quotas charged */
    MS_HOOK_RELEASE,         /* step 9, per importer x product: stockpile releases into xrel[cell], Xm[i]
                                (a buying stockpile first takes its arrivals of the month, sarr) */
    MS_HOOK_PRICE,           /* step 10, per importer x product: after pi, before smoothing */
    MS_NHOOKS
} ms_hook;

/* What a step passes to a policy's hook. */
typedef struct ms_hook_ctx {
    int t;                   /* month */
    int p;                   /* product (-1 for hooks that are not per product) */
    int i;                   /* importer of per importer x product hooks, else -1 */
    const double *req;       /* MS_HOOK_EXPORT_CONTROL: the requests of the pass, [flow][W] */
    const double *frac;      /* MS_HOOK_CHARGE: each supplier's rationing fraction of the pass, [s*P+p][W] */
    int pass;                /* MS_HOOK_EXPORT_CONTROL, MS_HOOK_CHARGE: 0 first requests, 1 diverted */
    double *refc_cell;       /* MS_HOOK_REF_START: [cell][W] earliest start of a control covering the cell */
    double *refc_imp;        /* MS_HOOK_REF_START: [importer][W] of a control covering the importer */
    double *refa_imp;        /* MS_HOOK_REF_START: [importer][W] of any policy touching the importer */
    double *refc_all;        /* MS_HOOK_REF_START: [W] of any control */
    double *refa_all;        /* MS_HOOK_REF_START: [W] of any policy */
} ms_hook_ctx;

typedef void (*ms_hook_fn)(const ms_engine *e, ms_work *w, const ms_cpol *cp, const ms_hook_ctx *x);

/* A compiled policy: its type's hooks and its own data. */
struct ms_cpol {
    const ms_policy *pol;         /* the scenario's policy */
    int index;                    /* position among the policies */
    int nstate;                   /* per-lane doubles of state it keeps in the workspace */
    int state0;                   /* offset of that state in ms_work.pstate (x W) */
    ms_hook_fn hook[MS_NHOOKS];   /* NULL where it does not act */
    void *data;                   /* the type's compiled form (freed with free_data) */
    void (*free_data)(void *data);
};

/* ---- the compiled engine ------------------------------------------------ */
typedef struct ms_tier { int a, b; } ms_tier; /* cells c_order[a..b-1] of one priority tier */

struct ms_engine {
    const ms_scenario *sc;
    uint64_t seed;               /* run seed */
    int T, S, I, P, C, H;        /* months, suppliers, importers, products, industry cells, pipeline months */
    double lagcap;               /* longest lag (transit + licence delay) kept, months */

    /* input slots */
    int nslots, cap_slots;
    const ms_dist **slot_dist;   /* [nslots] the input behind each slot */
    double *slot_fixed;          /* [nslots] value of fixed slots (mean of uncertain ones) */
    int *path_slots, npath_slots;   /* uncertain slots drawn once per path */
    int *month_slots, nmonth_slots; /* uncertain slots drawn every month */
    unsigned char *slot_monthly; /* [nslots] 1: the slot is drawn every month (one of month_slots) */
    int ninputs;                 /* distinct input keys */
    const ms_dist **input;       /* [ninputs] the first slot's dist of each input */
    int *slot_input;             /* [nslots] input of each slot */

    /* suppliers: slots [S*P] or [S] */
    int *s_cap, *s_es, *s_price; /* [S*P] base capacity t/yr, export share, price USD/kg */
    int *s_eta, *s_pcap;         /* [S] scarcity exponent, price cap multiple */
    int *s_has;                  /* [S*P] 1 when s makes p (listed capacity or an expansion) */
    int *s_out_h;                /* [S] outage hazard slot, or NONE */
    const ms_dist **s_out_dur, **s_out_cut; /* [S] outage duration and cut (sampled on the event's stream) */
    uint32_t *s_out_stream;      /* [S] stream of outage events */
    int *sp_exp0, *sp_exp;       /* [S*P+1] expansions of (s,p): exp_cap/start/ramp[sp_exp[sp_exp0[sp]..]] */
    int nexp;
    int *exp_cap, *exp_start, *exp_ramp; /* [nexp] slots: added capacity t/yr, ramp start, ramp months */

    /* importers */
    double *w0;                  /* [I*S*P] baseline sourcing shares, (i*S + s)*P + p */
    int *i_hasp;                 /* [I*P] importer sources p */
    int *i_transit;              /* [I*S] transit slots, months */
    int *i_q, *i_beta, *i_delta, *i_eps, *i_epss, *i_smooth, *i_pcap; /* [I] slots: qualification months,
                                    cost sensitivity, diversion share, demand elasticity, shortage elasticity,
                                    price smoothing months, premium cap */
    int *i_epsd;                 /* [I] slot of the destination elasticity, NONE: no destination premium */
    double *i_season;            /* [I*12] demand factor of importer i in calendar month m (0 = January); 1
                                    when it gives no seasonality */
    int *i_hasseason;            /* [I] 1 when importer i gives seasonality */
    int month0;                  /* calendar month of month 0 (0 = January): month t is (month0 + t) % 12 */
    int *cell0;                  /* [I+1] cells of importer i: cell0[i] .. cell0[i+1]-1 */
    ms_tier *tiers;              /* rationing tiers of importer i: tiers[tier0[i] .. tier0[i+1]-1] */
    int *tier0;                  /* [I+1] */

    /* industry cells */
    int *c_imp;                  /* [C] importer of each cell */
    int *c_D0;                   /* [C*P] demand slot (t/yr), NONE when the cell does not use p */
    int *c_g, *c_m, *c_tau, *c_h, *c_val, *c_smax, *c_stau, *c_strig; /* [C] slots: growth, cover months,
                                    restore months, hoarding, value per t, substitution ceiling, time constant,
                                    trigger */
    int *c_prio;                 /* [C] rationing priority (a value, not a slot) */
    int *c_order;                /* [C] cells of each importer by priority (stable) */

    /* flows of each product (see above) */
    int *fl0;                    /* [P*I+1] flows of (p, i): fl0[p*I+i] .. fl0[p*I+i+1]-1 */
    int nflows;                  /* all products */
    int *fl_s, *fl_i, *fl_p;     /* [nflows] supplier, importer, product of each flow */
    int *fl_ok;                  /* [nflows] 1 when s makes p and i sources p (diversion may use it) */
    int *fs0, *fs;               /* [P*S+1], [nflows]: flows of (p, s) in importer order: fs[fs0[p*S+s]..] */
    int *flow_id;                /* [S*I*P] flow of (s, i, p), or NONE */
    int *fc0;                    /* [nflows+1] per (flow, cell of its importer) arrays: flow f's cells at
                                    fc0[f] .. fc0[f+1]-1, in cell order */
    int nfc;
    int *fl_cell;                /* [nflows] 1: a control covers the flow per industry (per-cell pass rates) */
    int *ip_cell;                /* [I*P] 1: importer i has such a flow of product p */
    int has_queue;               /* 1: some licence control keeps a queue of applications */
    int has_buy;                 /* 1: some stockpile buys (purchases or refill) through its importers' imports */
    int *ip_buy;                 /* [I*P] 1: a stockpile buys product p through importer i (one at most) */

    /* policies */
    ms_cpol *pol;                /* [npol] in scenario order */
    int npol;
    /* Hook lists: for hook h and key k (0: every call; 1 + i*P + p: calls for
     * importer i and product p), the policies acting, in scenario order:
     * hk_pol[h][hk0[h][k] .. hk0[h][k+1]-1]. */
    int *hk0[MS_NHOOKS], *hk_pol[MS_NHOOKS];
    int npstate;                 /* per-lane policy state doubles in a workspace */
    struct ms_hookregs *regs;    /* hook registrations while compiling (sim/compile.c), else NULL */
    double maxdelay;             /* longest licence delay any policy can impose, months */

    /* output layout (sim/stat.c) */
    int nmetrics, nseries, nstats;
    ms_stat_desc *desc;          /* [nstats] */
    int nent;                    /* shortage entities: C cells, then I importer roll-ups, then the total */
    int m_ent0;                  /* first entity metric: entity n has MS_ENT_METRICS metrics from m_ent0 + 7n */
    int *m_price;                /* [I*P] first of the 3 price metrics, or NONE */
    int *m_ship;                 /* [S*(I+1)*P] shipments_t metric (importer I: all), or NONE */
    int *sr_ship;                /* [S*(I+1)*P] first of T shipment series points, or NONE */
    int sr_short0;               /* shortage share series: entity n, month t at sr_short0 + n*T + t */
    int *sr_price;               /* [I*P] first of T price series points, or NONE */
    int sr_cover0;               /* inventory cover series: cell c, month t at sr_cover0 + c*T + t */
    int series_on;
    double *shift;               /* [nstats] variance shifts: the statistics of path 0 */
    ms_path_batch_fn batch;      /* ms_path_batch of the ISA variant this machine runs */
};

/* ---- the workspace: MS_LANES paths ---------------------------------------- *
 * Every array of doubles is [entity][W]; the comment gives the entity index,
 * the meaning and the unit.  t/mo = tonnes per month.  The counts are in the
 * sizes of ms_work_dims (below), so that the memory estimate reads this
 * table too. */
#define WORK_ARRAYS(X)                                                                                     \
    X(double, v, nslots)               /* [slot] input values */                                          \
    X(double, cap, S * P)              /* [s*P+p] capacity this month, t/mo */                             \
    X(double, E, S * P)                /* [s*P+p] exportable capacity this month, t/mo */                  \
    X(double, rho, S * P)              /* [s*P+p] supplier price, USD/kg */                                \
    X(double, rho0, S * P)             /* [s*P+p] baseline supplier price, USD/kg */                       \
    X(int, out_until, S)               /* [s] first month after the outage in progress */                  \
    X(double, out_cut, S)              /* [s] share of capacity the outage removes */                      \
    X(double, pibar, I * P)            /* [i*P+p] smoothed price index */                                  \
    X(double, pi, I * P)               /* [i*P+p] price index (1 = baseline) */                            \
    X(double, fillp, I * P)            /* [i*P+p] fill rate of the month: consumption / demand */          \
    X(double, cb, I * P)               /* [i*P+p] baseline landed cost, USD/kg */                          \
    X(double, D0sum, I * P)            /* [i*P+p] demand of month 0 (its season included), t/mo */         \
    X(double, gscale, I * P)           /* [i*P+p] baseline demand growth since month 0 (licence budgets) */ \
    X(long long, hoard, I * P)         /* [i*P+p] -1 while a control touching (i,p) is announced or on */  \
    X(double, pk, I * P)               /* [i*P+p] peak price shock so far */                               \
    X(double, ps, I * P)               /* [i*P+p] sum of monthly price shocks */                           \
    X(double, pf, I * P)               /* [i*P+p] last month's price shock */                              \
    X(double, w, nflows)               /* [flow] sourcing share w */                                       \
    X(double, u, nflows)               /* [flow] sourcing preference of the month */                       \
    X(double, rel, nflows)             /* [flow] delivered share of last month's requests (1: reliable) */ \
    X(double, lic_free, nflows)        /* [flow] share not covered by a licence control in force */        \
    X(double, lic_delay, nflows)       /* [flow] longest licence delay in force, months */                 \
    X(double, land0, nflows)           /* [flow] baseline landed cost, USD/kg */                           \
    X(double, B0, nflows)              /* [flow] baseline flow (month-0 shares x need), t/mo */            \
    X(double, tar, nflows)             /* [flow] tariff rate this month */                                 \
    X(double, r, nflows)               /* [flow] first-pass request, t/mo */                               \
    X(double, imm, nflows)             /* [flow] share of the request shipping at once (after rationing) */ \
    X(double, del, nflows)             /* [flow] share shipping after the licence delay (after rationing) */ \
    X(double, delay, nflows)           /* [flow] licence delay of the delayed part, months */              \
    X(double, granted, nflows)         /* [flow] first-pass volume granted, t/mo */                        \
    X(double, unmet, nflows)           /* [flow] first-pass volume denied or rationed, t/mo */             \
    X(double, dreq, nflows)            /* [flow] diverted request; after the pass its delayed part, t/mo */ \
    X(double, g2, nflows)              /* [flow] diverted volume granted, t/mo */                          \
    X(double, fall, nflows)            /* [flow] export controls: product of free shares */                \
    X(double, piall, nflows)           /* [flow] export controls: product of pass rates */                 \
    X(double, dmax, nflows)            /* [flow] export controls: longest licence delay, months */         \
    X(double, dec, nflows)             /* [flow] export controls: months until a denial is known */        \
    X(double, den, nflows)             /* [flow] first-pass volume denied by the controls, t/mo */         \
    X(double, cfall, nfc)              /* [fc] per-cell flows, first pass: product of the cell's free shares */ \
    X(double, cpi, nfc)                /* [fc] per-cell flows, first pass: product of the cell's pass rates */ \
    X(double, cq, nfc)                 /* [fc] per-cell flows: the cell's volume queued this month, t */    \
    X(double, qpend, nfc)              /* [fc] the cell's volume waiting in licence queues, t */            \
    X(double, qin, nflows)             /* [flow] first-pass volume queued this month, t/mo */              \
    X(double, qapp, nflows)            /* [flow] approved from queues this month, before rationing, t/mo */ \
    X(double, qgr, nflows)             /* [flow] approved from queues this month, after rationing, t/mo */ \
    X(double, qdel, nflows)            /* [flow] licence delay of the queue's approvals, months */         \
    X(double, qout, nflows)            /* [flow] given up from queues this month, t/mo */                  \
    X(double, sfrac0, S * P)           /* [s*P+p] supplier's rationing fraction of the first pass */       \
    X(double, cun, C)                  /* [c] unmet volume of the cell this month (current product), t */  \
    X(double, cphi, C)                 /* [c] step 8: the cell's share of the importer's claims being spread */ \
    X(long long, noleft, C * P)        /* [c*P+p] -1: an end-use ban keeps the cell out of the pool's leftover */ \
    X(double, lap, (size_t)C * P * H)  /* [(c*P+p)*H + month] refusals known then, with no claim on the pool, t */ \
    X(double, decide, nflows)          /* [flow] first pass: months until its denial is known */           \
    X(double, req2, nflows)            /* [flow] diverted request as made (before the pass), t/mo */       \
    X(double, sfrac, S * P)            /* [s*P+p] supplier's rationing fraction of the pass */             \
    X(double, spare, S * P)            /* [s*P+p] exportable capacity left after the first pass, t/mo */   \
    X(double, reqtot, S * P)           /* [s*P+p] requests that passed the controls (both passes), t/mo */ \
    X(double, sub, C)                  /* [c] substituted share of demand */                               \
    X(double, gf, C)                   /* [c] growth factor (1+g)^(t/12) */                                \
    X(double, gm, C)                   /* [c] monthly growth multiple (1+g)^(1/12) */                      \
    X(double, srate, C)                /* [c] share of the substitution gap closed per month */            \
    X(double, cshort, C)               /* [c] shortage of the month over products, t */                    \
    X(double, nc, C * P)               /* [c*P+p] import order this month, t */                            \
    X(double, xrel, C)                 /* [c] stockpile release to the cell this month, t */               \
    X(double, csh, C)                  /* [c] shortage of the product this month before releases, t */     \
    X(double, rc, C * P)               /* [c*P+p] recycled volume to the cell this month, t */             \
    X(double, recv, C)                 /* [c] received from the pool this month, t */                      \
    X(double, inv, C * P)              /* [c*P+p] stock, t */                                              \
    X(double, U, C * P)                /* [c*P+p] claims not yet due (on order), t */                      \
    X(double, D, C * P)                /* [c*P+p] demand this month, t */                                  \
    X(double, O, C * P)                /* [c*P+p] order this month, t */                                   \
    X(double, shock, C)                /* [c] demand-shock multiplier of the product this month */         \
    X(double, claim, (size_t)C * P * H) /* [(c*P+p)*H + month] claims due, t */                            \
    X(double, arr, (size_t)I * P * H)  /* [(i*P+p)*H + month] arrivals, t */                               \
    X(double, dep, (size_t)nflows * T)    /* [flow*T + month] departures, t */                             \
    X(double, claimI, H)               /* [month] the importer's claims of this month's orders, t */       \
    X(double, ship_all, T)             /* [month] a supplier's departures of a product to all importers, t */ \
    X(double, Rm, I * P)               /* [i*P+p] recycled supply this month, t */                         \
    X(double, Xm, I)                   /* [i] stockpile release of the product this month, t */            \
    X(double, Osum, I * P)             /* [i*P+p] orders this month, t */                                  \
    X(double, N, I * P)                /* [i*P+p] import need this month, t */                             \
    X(double, pstate, npstate)         /* policy state (ms_cpol.state0 ..) */                              \
    X(double, Nsp, has_buy ? I * P : 0)    /* [i*P+p] stockpile request of the month (part of N), t */      \
    X(double, Usp, has_buy ? I * P : 0)    /* [i*P+p] stockpile's volume on order (transit, queues), t */  \
    X(double, sarr, has_buy ? (size_t)I * P * H : 0)    /* [(i*P+p)*H + month] stockpile arrivals, t */    \
    X(double, qsp, has_buy ? nflows : 0)       /* [flow] stockpile's volume waiting in licence queues, t */ \
    X(double, e_short, nent)           /* [entity] shortage over the horizon, t */                         \
    X(double, e_dem, nent)             /* [entity] demand over the horizon, t */                           \
    X(double, e_peak, nent)            /* [entity] peak monthly shortage share */                          \
    X(long long, e_ms, nent)           /* [entity] months short */                                         \
    X(long long, e_first, nent)        /* [entity] first month short, -1 */                                \
    X(long long, e_last, nent)         /* [entity] last month short, -1 */                                 \
    X(double, m_short, nent)           /* [entity] shortage of the month, t */                             \
    X(double, m_dem, nent)             /* [entity] demand of the month, t */                               \
    X(double, ref, nent)               /* [entity] time-to-survive reference month */                    \
    X(double, refa, I + 2)             /* [i] earliest start of a policy touching importer i; [I] of any  \
                                          control; [I+1] of any policy (reference_start's candidates) */

/* The sizes WORK_ARRAYS counts in: an engine's own (ms_work_dims_of), or
 * bounds from a scenario before any engine exists (ms_engine_estimate). */
typedef struct ms_work_dims {
    size_t S, I, P, C, H, T;          /* suppliers, importers, products, cells, pipeline and horizon months */
    size_t nslots, nflows, nfc;       /* input slots, flows, flow x cell pairs */
    size_t npstate, nent, has_buy;    /* policy state doubles, entities, 1: a stockpile buys */
    size_t nstats;                    /* statistics per path (obuf) */
} ms_work_dims;
ms_work_dims ms_work_dims_of(const ms_engine *e);
/* The bytes ms_work_alloc takes for a workspace of these sizes. */
size_t ms_work_dims_bytes(const ms_work_dims *d);
/* A run thread's block buffer for nstats statistics per path and a group
 * of blocks, [nstats + 1][MS_BB_STRIDE] doubles (statistic k of the
 * group's path j at k * MS_BB_STRIDE + j), and its bytes. */
#define MS_BB_STRIDE (MS_ACCUM_GROUP * MS_BLOCK)
double *ms_block_buffer_alloc(size_t nstats);
size_t ms_block_buffer_bytes(size_t nstats);

struct ms_work {
    ms_rng *rng;                 /* re-keyed for every draw: (seed, path, stream, month) */
    uint64_t path[W];            /* path index of each lane */
    int nlanes;                  /* lanes holding a path of their own (the rest repeat lane 0) */
    const ms_input_set *set[W];  /* inputs set on each lane's path, or NULL */
    int overridden;              /* 1: a batch set inputs; fixed slots must be restored */
    double *ob;                  /* where the lanes' vectors go: statistic k of lane l at ob[k * ostride + l] */
    size_t ostride;              /* MS_BB_STRIDE into a driver's block buffer, W into obuf */
    double *obuf;                /* [nstats][W] the lanes' vectors, for callers that want another layout */
    ms_trace *trace;             /* lane 0's trace, or NULL */
#define X_FIELD(type, name, count) type *name;
    WORK_ARRAYS(X_FIELD)
#undef X_FIELD
};

/* Lane loop, and a lane-wide view of slot k. */
#define LANES for (int l = 0; l < W; l++)
#define VS(k) (w->v + (size_t)(k) * W)
/* Element e of a per-lane array: its W lanes. */
#define AT(a, idx) ((a) + (size_t)(idx) * W)

/* The lanes as one vector (GCC vector extensions: the compiler emits the
 * widest SIMD instructions the target has).  Element-wise IEEE operations
 * give each lane exactly the scalar result; a branch of the scalar path
 * becomes a select on a comparison mask.  Arrays are 64-byte aligned; the
 * types allow any alignment.  A vector type aliases its element type (and
 * nothing else: no may_alias), so VD reads and writes only double arrays
 * and VL only long long ones; a store through them then cannot change the
 * engine's or the workspace's pointers and counts, which the compiler keeps
 * in registers across the steps' loops instead of reloading them after
 * every store. */
typedef double vd __attribute__((vector_size(W * sizeof(double)), aligned(8)));
typedef long long vl __attribute__((vector_size(W * sizeof(long long)), aligned(8)));
#define VD(p) (*(vd *)(p))           /* the lanes at p (an lvalue) */
#define VL(p) (*(vl *)(p))
static inline vd vsplat(double x)
{
    vd v;
    for (int l = 0; l < W; l++)
        v[l] = x;
    return v;
}
static inline vd vsel(vl m, vd a, vd b) /* m ? a : b, lane by lane (m: all bits set or clear) */
{
    return (vd)(((vl)a & m) | ((vl)b & ~m));
}
static inline int vany(vl m) /* 1 when some lane of the mask is set */
{
#if defined(MS_ISA_V4) && MS_LANES == 8
    return _mm512_movepi64_mask((__m512i)m) != 0; /* one mask move, not a reduction of the lanes */
#else
    long long r = 0;
    for (int l = 0; l < W; l++)
        r |= m[l];
    return r != 0;
#endif
}

/* ---- sim/compile.c ---- */
int ms_engine_add_slot(ms_engine *e, const ms_dist *d); /* -1 when out of memory */
/* Register policy cp for hook h (i, p: the importer x product it acts on for
 * per importer x product hooks, else -1).  0, or -1 when out of memory. */
int ms_engine_hook(ms_engine *e, ms_cpol *cp, ms_hook h, int i, int p);
/* Run the hooks of h registered for every call (i < 0) or for (i, p). */
void ms_hooks_run(const ms_engine *e, ms_work *w, ms_hook h, const ms_hook_ctx *x);
/* Per-lane state of policy cp: its k-th double of lane 0 (lanes follow). */
#define PSTATE(cp, k) (w->pstate + ((size_t)(cp)->state0 + (size_t)(k)) * W)

/* ---- ISA variants ----
 * sim/path.c and sim/steps.c are compiled twice on x86-64: for the baseline
 * ISA, and for x86-64-v4 (AVX-512, MS_ISA_V4 defined), where one lane vector
 * is one register.  The operations are the same element-wise IEEE
 * operations (no contraction: -ffp-contract=off), so both give the same
 * bits; the engine picks one when it is compiled (ms_path_batch_fn). */
#ifdef MS_ISA_V4
#define ms_path_batch ms_path_batch_v4
#define ms_capacity_month0 ms_capacity_month0_v4
#define ms_tariffs_of_month ms_tariffs_of_month_v4
#define step_draw_monthly_inputs step_draw_monthly_inputs_v4
#define step_capacity step_capacity_v4
#define step_policy_month step_policy_month_v4
#define step_demand step_demand_v4
#define step_orders step_orders_v4
#define step_secondary_supply step_secondary_supply_v4
#define step_sourcing step_sourcing_v4
#define step_export_controls step_export_controls_v4
#define step_supplier_allocation step_supplier_allocation_v4
#define step_diversion step_diversion_v4
#define step_transit step_transit_v4
#define step_importer_allocation step_importer_allocation_v4
#define step_prices step_prices_v4
#define step_month_end step_month_end_v4
#endif

/* The variant this machine runs (MAGSIM_ISA=baseline forces the baseline),
 * and its name. */
ms_path_batch_fn ms_path_batch_select(const char **name);
ms_path_batch_fn ms_path_batch_select_baseline(void);

/* ---- sim/path.c ---- */
/* Simulate paths[0..n-1] (n <= W) with inputs set per path (sets may be
 * NULL) into ob (statistic k of lane l at ob[k * ostride + l]; ob NULL: into
 * w->obuf, ostride W), lane 0's trace into tr. */
void ms_path_batch(const ms_engine *e, ms_work *w, const uint64_t *paths, int n, const ms_input_set *const *sets,
                   double *ob, size_t ostride, ms_trace *tr);

/* ---- sim/steps.c: the month, in the order of docs/model.md ---- */
void step_draw_monthly_inputs(const ms_engine *e, ms_work *w, int t);
void step_capacity(const ms_engine *e, ms_work *w, int t);
void step_policy_month(const ms_engine *e, ms_work *w, int t);
void step_demand(const ms_engine *e, ms_work *w, int t, int p);
void step_orders(const ms_engine *e, ms_work *w, int t, int p);
void step_secondary_supply(const ms_engine *e, ms_work *w, int t, int p);
void step_sourcing(const ms_engine *e, ms_work *w, int t, int p);
void step_export_controls(const ms_engine *e, ms_work *w, int t);
void step_supplier_allocation(const ms_engine *e, ms_work *w, int t, int p);
void step_diversion(const ms_engine *e, ms_work *w, int t);
void step_transit(const ms_engine *e, ms_work *w, int t, int p);
void step_importer_allocation(const ms_engine *e, ms_work *w, int t, int p);
void step_prices(const ms_engine *e, ms_work *w, int t, int p);
void step_month_end(const ms_engine *e, ms_work *w, int t);

/* Helpers the steps and the policies share. */
double ms_ramp(double t, double start, double len);         /* smooth S-curve 0 -> 1 */
void ms_schedule(double *a, int H, int t, double lag, double v, int l); /* a[k*W + l] += split volume */

/* Seasonal demand factor of importer i in month t (docs/model.md, step 2). */
/* Step 11's monthly rates of an industry: the demand trend's factor
 * (1 + g)^(1/12) (so that (1 + g)^(t/12) = factor^t), and the share of the
 * substitution gap closed in a month, 1 - e^(-1/tau) (all of it when tau <= 0). */
static inline double ms_monthly_growth(double g)
{
    return pow(1.0 + g, 1.0 / 12.0);
}

static inline double ms_gap_closed(double tau)
{
    return tau > 0 ? -expm1(-1.0 / tau) : 1.0;
}

static inline double ms_season(const ms_engine *e, int i, int t)
{
    return e->i_season[(size_t)i * 12 + (size_t)((e->month0 + t) % 12)];
}

/* Statistic k of the lanes' per-path vectors, as one vector (an lvalue). */
#define OUTV(k) VD(w->ob + (size_t)(k) * w->ostride)

/* Statistic k of the lanes set to v, for a statistic written once a batch
 * and not read again before its block is accumulated: the monthly series
 * points.  A driver's block buffer holds a cache line per statistic and
 * batch (4 MiB for the default scenario); with ordinary stores each line is
 * first read into the cache and then pushes out the workspace and the
 * histograms, so where the ISA has them (AVX-512) and the line is aligned
 * a non-temporal store writes it past the caches, whole (ms_path_batch
 * fences them).  The same bits as OUTV(k) = v.  Into the workspace's obuf,
 * which is read at once, an ordinary store (README, Performance). */
__attribute__((always_inline)) static inline void out_point(ms_work *w, int k, vd v)
{
    double *o = w->ob + (size_t)k * w->ostride;
#if defined(MS_ISA_V4) && MS_LANES == 8
    if (w->ob != w->obuf && ((uintptr_t)o & 63) == 0) {
        _mm512_stream_pd(o, (__m512d)v);
        return;
    }
#endif
    VD(o) = v;
}

#endif
