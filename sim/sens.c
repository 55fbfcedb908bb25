/*
 * sens.c - Sobol' indices and the tornado through the engine
 * (magsim/sens.h): building each evaluation's inputs, running rows and
 * tornado settings in parallel, and the estimates over the rows done.
 *
 * Data.  An ms_sens owns the design (magsim/sobol.h), every evaluation's
 * outputs y[o][row][col] with col 0 = A, 1 = B, 2 + i = AB_i (i < d) and
 * 2 + d = AB_W (the noise from B), the tornado outputs t[o][setting][path]
 * with setting 0 = every factor at its median, 1 + 2i / 2 + 2i = factor i
 * at its low / high level, and a done flag per row and setting.  A thread
 * owns a workspace, the input sets of one row (d + 3 of them) and the
 * output vectors of one row.
 *
 * Invariant: the value stored for (row, col) depends on (engine, plan, row,
 * col) only, so the estimates, made afterwards in row order, are the same
 * for any thread count and schedule.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <omp.h>
#include "magsim/engine.h"
#include "magsim/dist.h"
#include "magsim/sens.h"
#include "runctl.h"

struct ms_sens {
    const ms_engine *e;
    ms_sens_plan plan;           /* a copy; factors and outputs point into the arrays below */
    int *factors, *outputs;      /* owned copies of the plan's arrays */
    int d;                       /* factors */
    int ninputs;                 /* the engine's inputs */
    size_t nstat;                /* length of a per-path vector */
    ms_sobol_design *design;     /* rows x d points of A and B */
    double *y;                   /* [noutputs][rows][d + 3] */
    double *tor;                 /* [noutputs][2d + 1][tornado_paths] */
    unsigned char *row_done;     /* [rows] */
    unsigned char *tor_done;     /* [2d + 1] */
    ms_sobol_index *idx;         /* [noutputs][d + 1] the estimates over the rows done (ms_sens_run) */
    ms_sobol_moments *mom;       /* [noutputs] */
    ms_sens_status st;
};

static size_t ycols(const ms_sens *s) { return (size_t)s->d + 3; }
static int nsettings(const ms_sens *s) { return s->plan.tornado_paths > 0 ? 2 * s->d + 1 : 0; }

double ms_sens_evaluations(const ms_sens_plan *p)
{
    return (double)p->rows * (p->nfactors + 3.0) + (double)p->tornado_paths * (2.0 * p->nfactors + 1.0);
}

void ms_sens_estimate(const ms_engine *e, const ms_sens_plan *p, int threads, ms_estimate *out)
{
    ms_engine_opts eo = ms_engine_opts_default(ms_engine_scenario(e));
    eo.series = ms_engine_nseries(e) > 0;
    ms_engine_estimate(ms_engine_scenario(e), &eo, threads, 0, out); /* its accumulators: below */
    double d = p->nfactors, nst = ms_engine_nmetrics(e) + ms_engine_nseries(e);
    double per_thread = (d + 3) * (double)ms_engine_ninputs(e) * sizeof(ms_input_set) +
                        (d + 3 > MS_BLOCK ? d + 3 : MS_BLOCK) * (nst * 8.0 + 16);
    double stored = 8.0 * p->noutputs * ((double)p->rows * (d + 3) + (double)p->tornado_paths * (2 * d + 1));
    double design = 16.0 * p->rows * d, boot = 16.0 * (d + 1) * p->nboot + 8.0 * p->rows;
    out->work_bytes += per_thread;
    out->accum_bytes = stored + design + boot;
    /* sensitivity.csv ~120 bytes a row, tornado.csv ~200, JSON about twice both */
    out->output_bytes = p->noutputs * (d + 1) * 3 * 330.0 + 65536;
    out->memory_bytes = out->engine_bytes + threads * out->work_bytes + out->accum_bytes + out->output_bytes;
}

ms_sens *ms_sens_alloc(const ms_engine *e, const ms_sens_plan *p, char *err, size_t errlen)
{
    if (p->nfactors < 1 || p->noutputs < 1 || p->rows < 2 || p->tornado_paths < 0 || !(p->level > 0 && p->level < 1)) {
        snprintf(err, errlen, "a sensitivity analysis needs a factor, an output and at least 2 rows");
        return NULL;
    }
    ms_sens *s = calloc(1, sizeof *s);
    if (!s)
        goto oom;
    s->e = e;
    s->plan = *p;
    s->d = p->nfactors;
    s->ninputs = ms_engine_ninputs(e);
    s->nstat = (size_t)ms_engine_nmetrics(e) + (size_t)ms_engine_nseries(e);
    s->factors = malloc(sizeof(int) * (size_t)p->nfactors);
    s->outputs = malloc(sizeof(int) * (size_t)p->noutputs);
    s->design = ms_sobol_design_alloc(s->d, p->rows, p->seed);
    s->y = malloc(sizeof(double) * (size_t)p->noutputs * (size_t)p->rows * ycols(s));
    s->tor = malloc(sizeof(double) * ((size_t)p->noutputs * (size_t)nsettings(s) * (size_t)p->tornado_paths + 1));
    s->row_done = calloc((size_t)p->rows, 1);
    s->tor_done = calloc((size_t)nsettings(s) + 1, 1);
    s->idx = malloc(sizeof *s->idx * (size_t)p->noutputs * ((size_t)s->d + 1));
    s->mom = malloc(sizeof *s->mom * (size_t)p->noutputs);
    if (!s->factors || !s->outputs || !s->design || !s->y || !s->tor || !s->row_done || !s->tor_done || !s->idx ||
        !s->mom)
        goto oom;
    memcpy(s->factors, p->factors, sizeof(int) * (size_t)p->nfactors);
    memcpy(s->outputs, p->outputs, sizeof(int) * (size_t)p->noutputs);
    s->plan.factors = s->factors;
    s->plan.outputs = s->outputs;
    for (size_t k = 0; k < (size_t)p->noutputs * ((size_t)s->d + 1); k++)
        s->idx[k] = (ms_sobol_index){NAN, NAN, NAN, NAN, NAN, NAN};
    for (int o = 0; o < p->noutputs; o++)
        s->mom[o] = (ms_sobol_moments){NAN, NAN};
    for (int i = 0; i < s->d; i++)
        if (s->factors[i] < 0 || s->factors[i] >= s->ninputs || ms_dist_is_fixed(ms_engine_input(e, s->factors[i]))) {
            snprintf(err, errlen, "factor %d is not an uncertain input of the engine", i);
            ms_sens_free(s);
            return NULL;
        }
    return s;
oom:
    snprintf(err, errlen, "out of memory");
    ms_sens_free(s);
    return NULL;
}

void ms_sens_free(ms_sens *s)
{
    if (!s)
        return;
    free(s->factors);
    free(s->outputs);
    ms_sobol_design_free(s->design);
    free(s->y);
    free(s->tor);
    free(s->row_done);
    free(s->tor_done);
    free(s->idx);
    free(s->mom);
    free(s);
}

const ms_sens_plan *ms_sens_get_plan(const ms_sens *s) { return &s->plan; }
const ms_engine *ms_sens_engine(const ms_sens *s) { return s->e; }
ms_sens_status ms_sens_get_status(const ms_sens *s) { return s->st; }

/* ---- the inputs of an evaluation ---------------------------------------------------------- */

/* Factor i at design coordinate u (A or B of row j): a value, or for a
 * per-month input the draws of path `path` (A's or B's noise path). */
static ms_input_set factor_value(const ms_sens *s, int i, double u, uint64_t path)
{
    const ms_dist *d = ms_engine_input(s->e, s->factors[i]);
    if (d->per_month)
        return (ms_input_set){.mode = MS_INPUT_PATH, .path = path};
    return (ms_input_set){.mode = MS_INPUT_VALUE, .value = ms_dist_quantile(d, u)};
}

/* Factor i at a level of its distribution, every month (the tornado). */
static ms_input_set factor_level(const ms_sens *s, int i, double level)
{
    return (ms_input_set){.mode = MS_INPUT_VALUE, .value = ms_dist_quantile(ms_engine_input(s->e, s->factors[i]), level)};
}

/* What a thread owns while it runs. */
typedef struct sens_thread {
    ms_work *w;
    ms_input_set *sets;          /* [d + 3][ninputs] */
    const ms_input_set **setp;   /* [max(d + 3, MS_BLOCK)] pointers into sets, or to one set */
    uint64_t *paths;             /* [max(d + 3, MS_BLOCK)] */
    double *out;                 /* [max(d + 3, MS_BLOCK)][nstat] */
} sens_thread;

static int thread_init(const ms_sens *s, sens_thread *t)
{
    size_t m = ycols(s) > MS_BLOCK ? ycols(s) : MS_BLOCK;
    t->w = ms_work_alloc(s->e);
    t->sets = calloc(ycols(s) * (size_t)s->ninputs, sizeof *t->sets);
    t->setp = malloc(sizeof *t->setp * m);
    t->paths = malloc(sizeof *t->paths * m);
    t->out = malloc(sizeof *t->out * m * s->nstat);
    return t->w && t->sets && t->setp && t->paths && t->out ? 0 : -1;
}

static void thread_free(sens_thread *t)
{
    ms_work_free(t->w);
    free(t->sets);
    free(t->setp);
    free(t->paths);
    free(t->out);
}

/* The d + 3 evaluations of row j: A and AB_i on path j, B and AB_W on
 * B's path; each set starts from A's values (B's for B). */
static void row_sets(const ms_sens *s, sens_thread *t, int j)
{
    int d = s->d, n = s->ninputs;
    uint64_t pa = (uint64_t)j, pb = MS_SENS_B_PATH + (uint64_t)j;
    const double *ua = ms_sobol_design_row(s->design, 0, j), *ub = ms_sobol_design_row(s->design, 1, j);
    ms_input_set *A = t->sets, *B = t->sets + n;
    for (int i = 0; i < d; i++) {
        A[s->factors[i]] = factor_value(s, i, ua[i], pa);
        B[s->factors[i]] = factor_value(s, i, ub[i], pb);
    }
    for (int c = 2; c < d + 3; c++) {
        ms_input_set *x = t->sets + (size_t)c * n;
        memcpy(x, A, sizeof *x * (size_t)n);
        if (c < d + 2)
            x[s->factors[c - 2]] = B[s->factors[c - 2]];
    }
    for (int c = 0; c < d + 3; c++) {
        t->setp[c] = t->sets + (size_t)c * n;
        t->paths[c] = c == 1 || c == d + 2 ? pb : pa;
    }
}

/* Run row j and keep its outputs.  0, or -1 when a path failed. */
static int run_row(ms_sens *s, sens_thread *t, int j)
{
    row_sets(s, t, j);
    int nc = s->d + 3;
    int rc = ms_engine_paths_with(s->e, t->w, t->paths, t->setp, nc, t->out, s->nstat);
    for (int o = 0; o < s->plan.noutputs; o++)
        for (int c = 0; c < nc; c++)
            s->y[((size_t)o * s->plan.rows + j) * ycols(s) + c] = t->out[(size_t)c * s->nstat + s->outputs[o]];
    return rc;
}

/* Run tornado setting k over paths 0 .. tornado_paths - 1, MS_BLOCK at a time. */
static int run_setting(ms_sens *s, sens_thread *t, int k)
{
    int R = s->plan.tornado_paths, n = s->ninputs, rc = 0;
    ms_input_set *x = t->sets;
    memset(x, 0, sizeof *x * (size_t)n); /* MS_INPUT_DRAW */
    for (int i = 0; i < s->d; i++)
        x[s->factors[i]] = factor_level(s, i, 0.5);
    if (k > 0)
        x[s->factors[(k - 1) / 2]] = factor_level(s, (k - 1) / 2, k % 2 ? MS_SENS_TORNADO_LO : MS_SENS_TORNADO_HI);
    for (int r0 = 0; r0 < R; r0 += MS_BLOCK) {
        int np = R - r0 < MS_BLOCK ? R - r0 : MS_BLOCK;
        for (int r = 0; r < np; r++) {
            t->setp[r] = x;
            t->paths[r] = (uint64_t)(r0 + r);
        }
        if (ms_engine_paths_with(s->e, t->w, t->paths, t->setp, np, t->out, s->nstat))
            rc = -1;
        for (int o = 0; o < s->plan.noutputs; o++)
            for (int r = 0; r < np; r++)
                s->tor[((size_t)o * nsettings(s) + k) * R + r0 + r] = t->out[(size_t)r * s->nstat + s->outputs[o]];
    }
    return rc;
}

static void estimate_all(ms_sens *s, int threads);

/* ---- running ----------------------------------------------------------------------------- */

/* The first row not done: rows before it form the result. */
static int rows_prefix(const ms_sens *s)
{
    int j = 0;
    while (j < s->plan.rows && s->row_done[j])
        j++;
    return j;
}

int ms_sens_run(ms_sens *s, const ms_run_opts *o)
{
    ms_runctl pg; /* the stop flag and progress, in evaluations (rows and settings are not path blocks) */
    ms_runctl_init(&pg, o, 0, (uint64_t)ms_sens_evaluations(&s->plan));
    int threads = ms_runctl_threads(&pg), fail = 0, used = 1;
    int K = nsettings(s), N = s->plan.rows, R = s->plan.tornado_paths;
#pragma omp parallel num_threads(threads)
    {
        int tid = omp_get_thread_num();
#pragma omp single
        used = omp_get_num_threads();
        sens_thread t;
        int ok = thread_init(s, &t) == 0;
        if (!ok) {
#pragma omp atomic write
            fail = 1;
        }
#pragma omp for schedule(dynamic, 1)
        for (int k = 0; k < K; k++) {
            if (!ok || ms_runctl_stopped(&pg))
                continue;
            if (run_setting(s, &t, k)) {
#pragma omp atomic write
                fail = 1;
            }
            s->tor_done[k] = 1;
            ms_runctl_done(&pg, (uint64_t)R, tid);
        }
#pragma omp for schedule(dynamic, 1)
        for (int j = 0; j < N; j++) {
            if (!ok || ms_runctl_stopped(&pg))
                continue;
            if (run_row(s, &t, j)) {
#pragma omp atomic write
                fail = 1;
            }
            s->row_done[j] = 1;
            ms_runctl_done(&pg, ycols(s), tid);
        }
        thread_free(&t);
    }
    s->st.rows_done = rows_prefix(s);
    s->st.tornado_done = 1;
    for (int k = 0; k < K; k++)
        s->st.tornado_done &= s->tor_done[k];
    s->st.interrupted = s->st.rows_done < N || !s->st.tornado_done;
    s->st.evaluations = pg.done;
    s->st.wall_seconds = ms_runctl_finish(&pg);
    s->st.threads = used;
    estimate_all(s, threads);
    return fail ? -1 : 0;
}

/* ---- results -------------------------------------------------------------------------------- */

/* The indices of output o over the rows done into s->idx, s->mom. */
static int estimate(ms_sens *s, int o)
{
    int n = s->st.rows_done;
    ms_sobol_index *idx = s->idx + (size_t)o * (s->d + 1);
    ms_sobol_opts so = {s->plan.nboot, s->plan.level, s->plan.seed};
    if (n >= 2 && ms_sobol_estimate(s->y + (size_t)o * s->plan.rows * ycols(s), n, s->d + 1, ycols(s), &so, idx,
                                    &s->mom[o]) == 0)
        return 0;
    for (int i = 0; i <= s->d; i++)
        idx[i] = (ms_sobol_index){NAN, NAN, NAN, NAN, NAN, NAN};
    s->mom[o] = (ms_sobol_moments){NAN, NAN};
    return -1;
}

/* Every output's estimates, outputs in parallel (each is computed alone, in
 * row order: the same bits for any thread count). */
static void estimate_all(ms_sens *s, int threads)
{
#pragma omp parallel for num_threads(threads) schedule(dynamic, 1)
    for (int o = 0; o < s->plan.noutputs; o++)
        estimate(s, o);
}

int ms_sens_indices(const ms_sens *s, int o, ms_sobol_index *idx, ms_sobol_moments *mom)
{
    memcpy(idx, s->idx + (size_t)o * (s->d + 1), sizeof *idx * ((size_t)s->d + 1));
    if (mom)
        *mom = s->mom[o];
    return s->st.rows_done >= 2 && !isnan(s->mom[o].var) ? 0 : -1;
}

/* Mean over the paths of setting k, and of setting b minus setting a. */
static double setting_mean(const ms_sens *s, int o, int k)
{
    int R = s->plan.tornado_paths;
    if (R < 1 || !s->tor_done[k])
        return NAN;
    const double *v = s->tor + ((size_t)o * nsettings(s) + k) * R;
    double sum = 0;
    for (int r = 0; r < R; r++)
        sum += v[r];
    return sum / R;
}

static double swing_se(const ms_sens *s, int o, int lo, int hi)
{
    int R = s->plan.tornado_paths;
    if (R < 2 || !s->tor_done[lo] || !s->tor_done[hi])
        return NAN;
    const double *a = s->tor + ((size_t)o * nsettings(s) + lo) * R, *b = s->tor + ((size_t)o * nsettings(s) + hi) * R;
    double m = 0, ss = 0;
    for (int r = 0; r < R; r++)
        m += b[r] - a[r];
    m /= R;
    for (int r = 0; r < R; r++)
        ss += (b[r] - a[r] - m) * (b[r] - a[r] - m);
    return sqrt(ss / (R - 1) / R);
}

void ms_sens_tornado(const ms_sens *s, int o, int i, ms_sens_bar *bar)
{
    const ms_dist *d = ms_engine_input(s->e, s->factors[i]);
    bar->x_lo = ms_dist_quantile(d, MS_SENS_TORNADO_LO);
    bar->x_hi = ms_dist_quantile(d, MS_SENS_TORNADO_HI);
    bar->x_mid = ms_dist_quantile(d, 0.5);
    if (nsettings(s) == 0) {
        bar->y_lo = bar->y_hi = bar->y_mid = bar->swing = bar->swing_se = NAN;
        return;
    }
    bar->y_mid = setting_mean(s, o, 0);
    bar->y_lo = setting_mean(s, o, 1 + 2 * i);
    bar->y_hi = setting_mean(s, o, 2 + 2 * i);
    bar->swing = bar->y_hi - bar->y_lo;
    bar->swing_se = swing_se(s, o, 1 + 2 * i, 2 + 2 * i);
}
