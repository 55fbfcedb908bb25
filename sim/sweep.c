/*
 * sweep.c - sweep files: parse, check, make the design's points (magsim/sweep.h).
 *
 * The file goes through the scenario loader's own machinery: libyaml into a
 * located node tree (scenario_tree.c: UTF-8, syntax, duplicate keys, depth
 * and size limits, "magsim: 1"), numbers and dates through the same parsers
 * as scenarios (scenario_value.c), errors through ms_diags.  The base
 * scenario is loaded once and compiled once (series off) to learn every
 * input key that exists, with its domain and whether it is a date; then each
 * input is checked, and the base is built with each input at each listed
 * value or at both ends of its range, so that whatever the loader refuses
 * (a date before the horizon, an end before its start) is reported at the
 * sweep file's line before any point runs.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_qrng.h>

#include "magsim/engine.h"
#include "magsim/fmt.h"
#include "magsim/rng.h"
#include "magsim/sweep.h"
#include "scenario_int.h"

static const char *const sweep_keys[] = {"magsim", "name", "scenario", "paths", "seed", "quantiles", "design",
                                         "inputs", NULL};
static const char *const design_keys[] = {"type", "points", "seed", "skip", NULL};
static const char *const input_keys[] = {"key", "values", "min", "max", "n", NULL};
static const char *const design_words[] = {"grid", "lhs", "sobol", NULL};

const char *ms_design_name(ms_design d)
{
    return d >= MS_DESIGN_GRID && d <= MS_DESIGN_SOBOL ? design_words[d] : "?";
}

/* Parsing state: the loader context, the base's inputs for lookups. */
typedef struct sw_ctx {
    msl L;                     /* loader context (diags, file names, dates relative to the base) */
    ms_scenario scratch;       /* holds the horizon start for msl_date and any extends: sources */
    ms_sweep *w;
    const ms_engine *e;        /* the base compiled (inputs); NULL when the base did not load */
    const char **keys;         /* every input key of the base, for suggestions */
    int nkeys;
    const msn **in_node;       /* [ninputs] each input's map, once its values parsed */
} sw_ctx;

static void unknown_keys(sw_ctx *C, const msn *map, const char *const *words, const char *where)
{
    for (int i = 0; i < map->n; i++) {
        const char *k = map->keys[i]->str;
        int found = 0;
        for (int j = 0; words[j] && !found; j++)
            found = !strcmp(words[j], k);
        if (found)
            continue;
        const char *sug = msl_suggest(k, words, -1);
        msl_err(&C->L, MS_D_UNKNOWN_KEY, map->keys[i], "unknown key '%s' in %s%s%s%s", k, where,
                sug ? " (did you mean '" : "", sug ? sug : "", sug ? "'?)" : "");
    }
}

static int get_int(sw_ctx *C, const msn *map, const char *key, long long lo, long long hi, long long *out)
{
    const msn *v = msn_get(map, key);
    if (!v)
        return 1;
    return msl_integer(&C->L, v, lo, hi, out) ? -1 : 0;
}

/* "scenario:" relative to the sweep file's directory. */
static char *rel_path(const char *from, const char *rel)
{
    const char *slash = strrchr(from, '/');
    size_t dl = rel[0] == '/' || !slash ? 0 : (size_t)(slash - from) + 1;
    char *p = malloc(dl + strlen(rel) + 1);
    if (p) {
        memcpy(p, from, dl);
        strcpy(p + dl, rel);
    }
    return p;
}

/* ---- inputs ------------------------------------------------------------------ */

static int in_domain(const ms_range *r, double v)
{
    return (r->lo_open ? v > r->lo : v >= r->lo) && (r->hi_open ? v < r->hi : v <= r->hi);
}

/* A value of input in (number or date) at node n, checked against the domain. */
static int input_value(sw_ctx *C, const msn *n, const ms_dist *d, double *out)
{
    if (d && d->is_date ? msl_date(&C->L, n, out, 0) : msl_number(&C->L, n, out))
        return -1;
    if (d && !d->is_date && !in_domain(&d->domain, *out)) {
        char rt[96];
        msl_range_text(&d->domain, rt, sizeof rt);
        msl_err(&C->L, MS_D_RANGE, n, "%s is outside the domain of '%s': expected %s", n->str, d->key, rt);
        return -1;
    }
    return 0;
}

/* The base's input of that key, or NULL after "no input ... (did you mean)". */
static const ms_dist *find_input(sw_ctx *C, const msn *kn)
{
    if (!C->e)
        return NULL;
    int k = ms_engine_find_input(C->e, kn->str);
    if (k >= 0)
        return ms_engine_input(C->e, k);
    const char *sug = msl_suggest(kn->str, C->keys, C->nkeys);
    msl_err(&C->L, MS_D_REF, kn, "no input '%s' in %s%s%s%s", kn->str, C->w->scenario_path,
            sug ? " (did you mean '" : "", sug ? sug : "", sug ? "'?)" : "");
    return NULL;
}

static void grid_values(sw_ctx *C, ms_sweep_input *in, const msn *vals, const ms_dist *d)
{
    if (vals->type != MSN_LIST) {
        msl_err(&C->L, MS_D_TYPE, vals, "values: expected a list, got %s", msn_type_name(vals->type));
        return;
    }
    if (vals->n == 0) {
        msl_err(&C->L, MS_D_RANGE, vals, "values: an empty list gives a design with zero points");
        return;
    }
    in->values = calloc((size_t)vals->n, sizeof *in->values);
    for (int i = 0; in->values && i < vals->n; i++)
        if (input_value(C, vals->vals[i], d, &in->values[i]) == 0)
            in->nvalues++;
}

/* min:, max: (and n: for a grid) of one input. */
static void input_range(sw_ctx *C, ms_sweep_input *in, const msn *m, const ms_dist *d)
{
    const msn *mn = msn_get(m, "min"), *mx = msn_get(m, "max");
    const char *need = C->w->design == MS_DESIGN_GRID ? "values:, or min:, max: and n:" : "min: and max:";
    if (!mn || !mx) {
        msl_err(&C->L, MS_D_MISSING, m, "input '%s': give %s", in->key, need);
        return;
    }
    if (input_value(C, mn, d, &in->min) || input_value(C, mx, d, &in->max))
        return;
    if (!(in->min < in->max)) {
        msl_err(&C->L, MS_D_RANGE, mx, "max (%s) must be above min (%s)", mx->str, mn->str);
        return;
    }
    if (C->w->design != MS_DESIGN_GRID)
        return;
    long long n = 0;
    if (get_int(C, m, "n", 1, MS_SWEEP_MAX_POINTS, &n) == 1)
        msl_err(&C->L, MS_D_MISSING, m, "input '%s': give %s", in->key, need);
    if (n < 1 || !(in->values = calloc((size_t)n, sizeof *in->values)))
        return;
    for (long long i = 0; i < n; i++) {
        double v = n == 1 ? in->min : in->min + (in->max - in->min) * (double)i / (double)(n - 1);
        in->values[i] = in->is_date ? round(v) : v;
    }
    in->nvalues = (int)n;
}

static void parse_input(sw_ctx *C, const msn *m, int j)
{
    ms_sweep_input *in = &C->w->inputs[j];
    if (m->type != MSN_MAP) {
        msl_err(&C->L, MS_D_TYPE, m, "inputs: each input must be a map (key:, values: or min:/max:), got %s",
                msn_type_name(m->type));
        return;
    }
    unknown_keys(C, m, input_keys, "an input");
    const msn *kn = msn_get(m, "key");
    if (!kn || kn->type != MSN_SCALAR) {
        msl_err(&C->L, kn ? MS_D_TYPE : MS_D_MISSING, kn ? kn : m, "input: key: expected the input's key path");
        return;
    }
    in->key = strdup(kn->str);
    in->line = kn->line;
    in->column = kn->col;
    for (int i = 0; i < j; i++)
        if (C->w->inputs[i].key && !strcmp(C->w->inputs[i].key, kn->str))
            msl_err(&C->L, MS_D_DUP_KEY, kn, "input '%s' is already varied (line %d)", kn->str,
                    C->w->inputs[i].line);
    const ms_dist *d = find_input(C, kn);
    in->is_date = d ? d->is_date : 0;
    const msn *vals = msn_get(m, "values");
    if (vals && C->w->design != MS_DESIGN_GRID)
        msl_err(&C->L, MS_D_VALUE, vals, "values: only for a grid; a %s design takes min: and max:",
                ms_design_name(C->w->design));
    else if (vals && (msn_get(m, "min") || msn_get(m, "max") || msn_get(m, "n")))
        msl_err(&C->L, MS_D_VALUE, vals, "values: give either values: or min:, max: and n:, not both");
    else if (vals && d)
        grid_values(C, in, vals, d);
    else if (!vals && d)
        input_range(C, in, m, d);
    if (in->nvalues > 0 || (C->w->design != MS_DESIGN_GRID && in->min < in->max))
        C->in_node[j] = m;
    if (C->w->design != MS_DESIGN_GRID && msn_get(m, "n"))
        msl_err(&C->L, MS_D_VALUE, msn_get(m, "n"), "n: only for a grid; the design's points: sets the count");
}

/* ---- designs ----------------------------------------------------------------- */

static int make_grid(ms_sweep *w)
{
    double np = 1;
    for (int j = 0; j < w->ninputs; j++)
        np *= w->inputs[j].nvalues;
    if (np < 1 || np > MS_SWEEP_MAX_POINTS)
        return -1;
    w->npoints = (int)np;
    w->x = calloc((size_t)(unsigned)w->npoints * (size_t)(unsigned)w->ninputs, sizeof *w->x);
    if (!w->x)
        return -1;
    for (int p = 0; p < w->npoints; p++) {
        int rest = p;
        for (int j = w->ninputs - 1; j >= 0; j--) { /* last input fastest */
            w->x[(size_t)p * w->ninputs + j] = w->inputs[j].values[rest % w->inputs[j].nvalues];
            rest /= w->inputs[j].nvalues;
        }
    }
    return 0;
}

/* u in [0, 1) onto the input's range; a date onto whole months min..max. */
static double scale(const ms_sweep_input *in, double u)
{
    if (!in->is_date)
        return in->min + u * (in->max - in->min);
    double v = in->min + floor(u * (in->max - in->min + 1));
    return v > in->max ? in->max : v;
}

static int make_unit(ms_sweep *w)
{
    int n = w->npoints, d = w->ninputs;
    w->x = calloc((size_t)(unsigned)n * (size_t)(unsigned)d, sizeof *w->x);
    if (!w->x)
        return -1;
    if (w->design == MS_DESIGN_SOBOL) {
        gsl_qrng *q = gsl_qrng_alloc(gsl_qrng_sobol, (unsigned)d);
        double u[MS_SWEEP_MAX_INPUTS];
        if (!q)
            return -1;
        for (int s = 0; s < w->sobol_skip; s++)
            gsl_qrng_get(q, u);
        for (int p = 0; p < n; p++) {
            gsl_qrng_get(q, u);
            for (int j = 0; j < d; j++)
                w->x[(size_t)p * d + j] = scale(&w->inputs[j], u[j]);
        }
        gsl_qrng_free(q);
        return 0;
    }
    /* Latin hypercube: per input, a permutation of the n strata and a
     * uniform offset in each, from the Philox stream (design seed, input j) */
    ms_rng *r = ms_rng_alloc(w->design_seed);
    int *perm = malloc((size_t)n * sizeof *perm);
    if (!r || !perm) {
        ms_rng_free(r);
        free(perm);
        return -1;
    }
    for (int j = 0; j < d; j++) {
        ms_rng_key(r, (uint64_t)j, ms_hash32("sweep.lhs"), 0);
        for (int i = 0; i < n; i++)
            perm[i] = i;
        for (int i = n - 1; i > 0; i--) { /* Fisher-Yates */
            int k = (int)(ms_rng_uniform_pos(r) * (i + 1));
            int t = perm[i];
            perm[i] = perm[k > i ? i : k];
            perm[k > i ? i : k] = t;
        }
        for (int p = 0; p < n; p++)
            w->x[(size_t)p * d + j] = scale(&w->inputs[j], (perm[p] + ms_rng_uniform_pos(r)) / n);
    }
    ms_rng_free(r);
    free(perm);
    return 0;
}

/* ---- the file ---------------------------------------------------------------- */

static void parse_design(sw_ctx *C, const msn *dn)
{
    ms_sweep *w = C->w;
    const msn *tn = dn;
    if (dn->type == MSN_MAP) {
        unknown_keys(C, dn, design_keys, "design");
        tn = msn_get(dn, "type");
        if (!tn) {
            msl_err(&C->L, MS_D_MISSING, dn, "design: missing type: (grid, lhs or sobol)");
            return;
        }
    }
    if (tn->type != MSN_SCALAR) {
        msl_err(&C->L, MS_D_TYPE, tn, "design: expected grid, lhs, sobol or a map with type:");
        return;
    }
    int t = -1;
    for (int i = 0; design_words[i]; i++)
        if (!strcmp(tn->str, design_words[i]))
            t = i;
    if (t < 0) {
        const char *sug = msl_suggest(tn->str, design_words, -1);
        msl_err(&C->L, MS_D_VALUE, tn, "unknown design '%s' (%s%s%s)", tn->str, sug ? "did you mean '" : "expected grid, lhs or sobol",
                sug ? sug : "", sug ? "'?" : "");
        return;
    }
    w->design = (ms_design)t;
    if (dn->type != MSN_MAP)
        return;
    long long v = 0;
    const msn *pn = msn_get(dn, "points");
    if (pn && t == MS_DESIGN_GRID)
        msl_err(&C->L, MS_D_VALUE, pn, "points: only for lhs and sobol (a grid has one point per combination)");
    else if (get_int(C, dn, "points", 0, MS_SWEEP_MAX_POINTS, &v) == 0) {
        if (v == 0)
            msl_err(&C->L, MS_D_RANGE, pn, "points: 0 is a design with zero points: expected 1 to %d",
                    MS_SWEEP_MAX_POINTS);
        w->npoints = (int)v;
    }
    if (get_int(C, dn, "seed", 0, INT64_MAX, &v) == 0)
        w->design_seed = (uint64_t)v;
    if (msn_get(dn, "skip") && t != MS_DESIGN_SOBOL)
        msl_err(&C->L, MS_D_VALUE, msn_get(dn, "skip"), "skip: only for a sobol design");
    else if (get_int(C, dn, "skip", 0, MS_SWEEP_MAX_POINTS, &v) == 0)
        w->sobol_skip = (int)v;
}

/* scenario:, paths:, seed:, quantiles:, name: */
static void parse_run(sw_ctx *C, const msn *root)
{
    ms_sweep *w = C->w;
    ms_scenario *b = w->base;
    const msn *nn = msn_get(root, "name");
    w->name = strdup(nn && nn->type == MSN_SCALAR ? nn->str : strrchr(w->path, '/') ? strrchr(w->path, '/') + 1
                                                                                     : w->path);
    long long v = 0;
    w->paths = b ? b->paths : 0;
    w->seed = b ? b->seed : 0;
    if (get_int(C, root, "paths", 1, 1000000000000LL, &v) == 0)
        w->paths = (uint64_t)v;
    if (get_int(C, root, "seed", 0, INT64_MAX, &v) == 0)
        w->seed = (uint64_t)v;
    w->design_seed = w->seed;
    if (b) {
        memcpy(w->quantiles, b->quantiles, sizeof w->quantiles);
        w->nquantiles = b->nquantiles;
    }
    const msn *qn = msn_get(root, "quantiles");
    if (!qn)
        return;
    if (qn->type != MSN_LIST || qn->n < 1 || qn->n > MS_MAX_QUANTILES) {
        msl_err(&C->L, MS_D_TYPE, qn, "quantiles: expected a list of 1 to %d levels in (0, 1)", MS_MAX_QUANTILES);
        return;
    }
    for (int i = 0; i < qn->n; i++) {
        if (msl_number(&C->L, qn->vals[i], &w->quantiles[i]))
            continue;
        if (!(w->quantiles[i] > 0 && w->quantiles[i] < 1) || (i > 0 && !(w->quantiles[i] > w->quantiles[i - 1])))
            msl_err(&C->L, MS_D_RANGE, qn->vals[i], "quantile %s: expected ascending levels in (0, 1)",
                    qn->vals[i]->str);
    }
    w->nquantiles = qn->n;
}

/* The base scenario and its inputs. */
static void load_base(sw_ctx *C, const msn *root, ms_engine **e)
{
    ms_sweep *w = C->w;
    const msn *sn = msn_get(root, "scenario");
    if (!sn || sn->type != MSN_SCALAR) {
        msl_err(&C->L, sn ? MS_D_TYPE : MS_D_MISSING, sn ? sn : root, "scenario: expected the base scenario's file");
        return;
    }
    w->scenario_path = rel_path(w->path, sn->str);
    if (!w->scenario_path || !(w->base = ms_scenario_load(w->scenario_path, C->L.diags)))
        return;
    ms_sweep_scenario_sha256(w->base, w->scenario_sha256);
    C->scratch.start_year = w->base->start_year;
    C->scratch.start_month = w->base->start_month;
    C->L.have_start = 1;
    ms_engine_opts eo = ms_engine_opts_default(w->base);
    eo.series = 0;
    char err[256];
    if (!(*e = ms_engine_alloc(w->base, &eo, err, sizeof err))) {
        msl_err(&C->L, MS_D_IO, sn, "the base scenario cannot be run: %s", err);
        return;
    }
    C->e = *e;
    C->nkeys = ms_engine_ninputs(*e);
    C->keys = calloc((size_t)C->nkeys + 1, sizeof *C->keys);
    for (int k = 0; C->keys && k < C->nkeys; k++)
        C->keys[k] = ms_engine_input(*e, k)->key;
}

/* Build the base with one input at value v (written at node at): what the
 * loader refuses there is reported at the sweep file. */
static void try_value(sw_ctx *C, int j, double v, const msn *at)
{
    ms_sweep *w = C->w;
    char text[32];
    if (w->inputs[j].is_date)
        ms_scenario_month_label(w->base, (int)v, text, sizeof text);
    else
        ms_fmt_double(text, sizeof text, v);
    ms_override o = {w->inputs[j].key, text, at->file, at->line, at->col};
    ms_scenario *s = ms_scenario_load_overrides(w->scenario_path, &o, 1, C->L.diags);
    if (!s)
        msl_err(&C->L, MS_D_RANGE, at, "with %s = %s the scenario is not valid (see the error%s above)",
                w->inputs[j].key, text, "s");
    ms_scenario_free(s);
}

static void check_extremes(sw_ctx *C)
{
    ms_sweep *w = C->w;
    int before = C->L.diags->nerrors;
    for (int j = 0; j < w->ninputs && C->L.diags->nerrors == before; j++) {
        const ms_sweep_input *in = &w->inputs[j];
        const msn *m = C->in_node[j], *vals = msn_get(m, "values");
        if (vals) {
            for (int i = 0; i < in->nvalues && i < 100; i++)
                try_value(C, j, in->values[i], vals->vals[i]);
        } else {
            try_value(C, j, in->min, msn_get(m, "min"));
            try_value(C, j, in->max, msn_get(m, "max"));
        }
    }
}

static void parse_inputs(sw_ctx *C, const msn *root)
{
    ms_sweep *w = C->w;
    const msn *in = msn_get(root, "inputs");
    if (!in || in->type != MSN_LIST || in->n == 0) {
        msl_err(&C->L, in ? MS_D_TYPE : MS_D_MISSING, in ? in : root,
                "inputs: expected a list of at least one input to vary (key:, values: or min:/max:)");
        return;
    }
    if (in->n > MS_SWEEP_MAX_INPUTS) {
        msl_err(&C->L, MS_D_LIMIT, in, "inputs: at most %d inputs at once", MS_SWEEP_MAX_INPUTS);
        return;
    }
    w->inputs = calloc((size_t)in->n, sizeof *w->inputs);
    C->in_node = calloc((size_t)in->n, sizeof *C->in_node);
    if (!w->inputs || !C->in_node)
        return;
    w->ninputs = in->n;
    for (int j = 0; j < in->n; j++)
        parse_input(C, in->vals[j], j);
}

static void make_points(sw_ctx *C, const msn *root)
{
    ms_sweep *w = C->w;
    if (w->design == MS_DESIGN_GRID) {
        if (make_grid(w))
            msl_err(&C->L, MS_D_LIMIT, msn_get(root, "inputs"), "the grid has more than %d points",
                    MS_SWEEP_MAX_POINTS);
        return;
    }
    if (w->npoints < 1) {
        const msn *dn = msn_get(root, "design");
        msl_err(&C->L, MS_D_MISSING, dn ? dn : root, "design: a %s design needs points: (1 to %d)",
                ms_design_name(w->design), MS_SWEEP_MAX_POINTS);
        return;
    }
    if (make_unit(w))
        msl_err(&C->L, MS_D_LIMIT, root, "out of memory making %d points", w->npoints);
}

static void parse_all(sw_ctx *C, const msn *root)
{
    unknown_keys(C, root, sweep_keys, "the sweep file");
    ms_engine *e = NULL;
    load_base(C, root, &e);
    parse_run(C, root);
    const msn *dn = msn_get(root, "design");
    if (dn)
        parse_design(C, dn);
    parse_inputs(C, root);
    if (C->L.diags->nerrors == 0)
        make_points(C, root);
    if (C->L.diags->nerrors == 0)
        check_extremes(C);
    ms_engine_free(e);
}

ms_sweep *ms_sweep_load(const char *path, ms_diags *diags)
{
    sw_ctx C;
    memset(&C, 0, sizeof C);
    C.L.diags = diags;
    C.L.s = &C.scratch;
    int errors0 = diags->nerrors;
    ms_sweep *w = calloc(1, sizeof *w);
    int err = 0;
    if (!w || !(w->path = strdup(path))) {
        ms_diags_add(diags, MS_D_IO, path, 0, 0, "out of memory");
        ms_sweep_free(w);
        return NULL;
    }
    C.w = w;
    if (!(w->bytes = msl_read_file(path, &w->len, &err))) {
        ms_diags_add(diags, MS_D_IO, path, 0, 0, "cannot read the sweep file: %s", strerror(err));
        ms_sweep_free(w);
        return NULL;
    }
    ms_fmt_sha256_hex(w->bytes, w->len, w->sha256);
    msn *root = msl_load_tree(&C.L, path, w->bytes, w->len);
    if (root)
        parse_all(&C, root);
    msn_free(root);
    for (int i = 0; i < C.L.nfiles; i++)
        free(C.L.files[i]);
    free(C.L.files);
    for (int i = 0; i < C.scratch.nsources; i++) {
        free(C.scratch.sources[i].path);
        free(C.scratch.sources[i].bytes);
    }
    free(C.scratch.sources);
    free(C.keys);
    free(C.in_node);
    if (!root || diags->nerrors > errors0) {
        ms_sweep_free(w);
        return NULL;
    }
    return w;
}

void ms_sweep_free(ms_sweep *w)
{
    if (!w)
        return;
    for (int j = 0; j < w->ninputs; j++) {
        free(w->inputs[j].key);
        free(w->inputs[j].values);
    }
    free(w->inputs);
    free(w->x);
    ms_scenario_free(w->base);
    free(w->path);
    free(w->name);
    free(w->scenario_path);
    free(w->bytes);
    free(w);
}

void ms_sweep_value_text(const ms_sweep *w, int p, int j, char *buf, size_t len)
{
    double v = w->x[(size_t)p * w->ninputs + j];
    if (w->inputs[j].is_date)
        ms_scenario_month_label(w->base, (int)v, buf, len);
    else
        ms_fmt_double(buf, len, v);
}

ms_scenario *ms_sweep_point(const ms_sweep *w, int p, ms_diags *diags)
{
    ms_override ov[MS_SWEEP_MAX_INPUTS];
    char text[MS_SWEEP_MAX_INPUTS][32];
    for (int j = 0; j < w->ninputs; j++) {
        ms_sweep_value_text(w, p, j, text[j], sizeof text[j]);
        ov[j] = (ms_override){w->inputs[j].key, text[j], w->path, w->inputs[j].line, w->inputs[j].column};
    }
    return ms_scenario_load_overrides(w->scenario_path, ov, w->ninputs, diags);
}

void ms_sweep_scenario_sha256(const ms_scenario *s, char hex[65])
{
    size_t n = 0;
    for (int k = 0; k < s->nsources; k++)
        n += 20 + s->sources[k].len;
    char *buf = malloc(n + 1);
    if (!buf) {
        memset(hex, '0', 64);
        hex[64] = 0;
        return;
    }
    size_t at = 0;
    for (int k = 0; k < s->nsources; k++) { /* each file's length and bytes: not its path, which
                                               depends on where magsim was started */
        at += (size_t)snprintf(buf + at, 21, "%019zu\n", s->sources[k].len);
        memcpy(buf + at, s->sources[k].bytes, s->sources[k].len);
        at += s->sources[k].len;
    }
    ms_fmt_sha256_hex(buf, at, hex);
    free(buf);
}
