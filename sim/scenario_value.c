/*
 * scenario_value.c - the leaves of a scenario: numbers, integers, dates and
 * uncertain inputs (ms_dist).
 *
 * Every scalar is a string: numbers go through strtod / strtoll with the end
 * pointer, errno and isfinite checked.  Dates are "YYYY-MM" or "YYYY-MM-DD"
 * and become real month offsets from horizon.start (day d of a month with n
 * days adds (d-1)/n).  A numeric or date input is a plain scalar (fixed) or a
 * map with "dist:" (magsim/dist.h); a date-valued distribution takes dates in
 * its location parameters (min, mode, max, mean, value, values) and months in
 * its scale (sd).  Every dist gets its key path and stream = ms_hash32(key).
 * Range checks use the whole support (ms_dist_min / ms_dist_max): a share
 * given as normal(0.5, 0.1) without truncation can exceed 1 and is rejected.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "scenario_int.h"

void *msl_own(msl *L, size_t size)
{
    ms_scenario *s = L->s;
    if (s->nowned == s->ownedcap) {
        int cap = s->ownedcap ? 2 * s->ownedcap : 64;
        void **v = realloc(s->owned, (size_t)cap * sizeof *v);
        if (!v)
            return NULL;
        s->owned = v;
        s->ownedcap = cap;
    }
    void *p = calloc(1, size ? size : 1);
    if (p)
        s->owned[s->nowned++] = p;
    return p;
}

char *msl_keydup(msl *L, const char *key)
{
    size_t n = strlen(key);
    char *p = msl_own(L, n + 1);
    if (p)
        memcpy(p, key, n + 1);
    return p;
}

static void set_key(msl *L, ms_dist *d, const char *key, const msn *at)
{
    d->key = msl_keydup(L, key);
    d->stream = ms_hash32(key);
    d->line = at ? at->line : 0;
    d->column = at ? at->col : 0;
}

void msl_dist_default(msl *L, const char *key, double v, const msrange *r, int is_date, ms_dist *out)
{
    *out = ms_dist_fixed(v);
    set_key(L, out, key, NULL);
    if (r)
        out->domain = *r;
    out->is_date = is_date;
}

/* ---- numbers ------------------------------------------------------------------ */

int msl_number(msl *L, const msn *n, double *out)
{
    if (!n || n->type != MSN_SCALAR) {
        msl_err(L, MS_D_TYPE, n, "expected a number, got %s", n ? msn_type_name(n->type) : "nothing");
        return -1;
    }
    const char *s = n->str;
    char *end = NULL;
    errno = 0;
    double v = *s && !strchr(" \t\r\n", *s) ? strtod(s, &end) : 0.0;
    if (!end || end == s || *end != 0) {
        msl_err(L, MS_D_NUMBER, n, "'%s' is not a number", s);
        return -1;
    }
    if (errno == ERANGE || !isfinite(v)) {
        msl_err(L, MS_D_NUMBER, n, "'%s' is not a finite number", s);
        return -1;
    }
    /* No input of the model is meaningfully beyond 1e15 (tonnes, dollars,
     * months, rates); larger numbers only make sums and squares overflow. */
    if (fabs(v) > MSL_MAX_MAGNITUDE) {
        msl_err(L, MS_D_RANGE, n, "'%s' is too large: numbers in a scenario are at most 1e15 in magnitude", s);
        return -1;
    }
    *out = v;
    return 0;
}

int msl_integer(msl *L, const msn *n, long long lo, long long hi, long long *out)
{
    if (!n || n->type != MSN_SCALAR) {
        msl_err(L, MS_D_TYPE, n, "expected a whole number, got %s", n ? msn_type_name(n->type) : "nothing");
        return -1;
    }
    const char *s = n->str;
    char *end = NULL;
    errno = 0;
    long long v = 0;
    int ok = 0;
    if (*s && !strchr(" \t\r\n", *s)) {
        v = strtoll(s, &end, 10);
        ok = end != s && *end == 0 && errno == 0;
        if (!ok) { /* 1e5 or 100000.0: accept when exactly whole */
            errno = 0;
            double d = strtod(s, &end);
            if (end != s && *end == 0 && errno == 0 && isfinite(d) && d == floor(d) && fabs(d) < 9.0e15) {
                v = (long long)d;
                ok = 1;
            }
        }
    }
    if (!ok) {
        msl_err(L, MS_D_NUMBER, n, "'%s' is not a whole number", s);
        return -1;
    }
    if (v < lo || v > hi) {
        if (hi == LLONG_MAX)
            msl_err(L, MS_D_RANGE, n, "%lld is out of range: expected a whole number >= %lld", v, lo);
        else
            msl_err(L, MS_D_RANGE, n, "%lld is out of range: expected a whole number in %lld..%lld", v, lo, hi);
        return -1;
    }
    *out = v;
    return 0;
}

/* ---- dates ---------------------------------------------------------------------- */

static int days_in(int y, int m)
{
    static const int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return dm[m - 1];
}

int msl_parse_ym(const char *s, int *y, int *m, int *d)
{
    int i = 0;
    for (; i < 4; i++)
        if (s[i] < '0' || s[i] > '9')
            return 1;
    if (s[4] != '-')
        return 1;
    *y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    const char *p = s + 5;
    int v = 0, k = 0;
    for (; k < 2 && p[k] >= '0' && p[k] <= '9'; k++)
        v = v * 10 + (p[k] - '0');
    if (k == 0)
        return 1;
    *m = v;
    p += k;
    *d = 0;
    int hasday = 0;
    if (*p == '-') {
        hasday = 1;
        p++;
        v = 0;
        for (k = 0; k < 2 && p[k] >= '0' && p[k] <= '9'; k++)
            v = v * 10 + (p[k] - '0');
        if (k == 0)
            return 1;
        *d = v;
        p += k;
    }
    if (*p != 0)
        return 1;
    if (*y < 1000 || *m < 1 || *m > 12)
        return 2;
    if (hasday && (*d < 1 || *d > days_in(*y, *m)))
        return 2;
    return 0;
}

int msl_date(msl *L, const msn *n, double *offset, int allow_day)
{
    if (!n || n->type != MSN_SCALAR) {
        msl_err(L, MS_D_TYPE, n, "expected a date (YYYY-MM), got %s", n ? msn_type_name(n->type) : "nothing");
        return -1;
    }
    int y, m, d;
    int r = msl_parse_ym(n->str, &y, &m, &d);
    if (r == 0 && d && !allow_day)
        r = 1;
    if (r == 1) {
        msl_err(L, MS_D_DATE, n, "'%s' is not a date: expected YYYY-MM%s", n->str,
                allow_day ? " or YYYY-MM-DD" : "");
        return -1;
    }
    if (r == 2) {
        msl_err(L, MS_D_DATE, n, "'%s' is not a valid date (no such month or day)", n->str);
        return -1;
    }
    int y0 = L->s->start_year, m0 = L->s->start_month;
    if (!L->have_start) {
        y0 = 2000;
        m0 = 1;
    }
    double off = (double)(y - y0) * 12.0 + (double)(m - m0);
    if (d)
        off += (double)(d - 1) / days_in(y, m);
    *offset = off;
    return 0;
}

/* ---- ranges ------------------------------------------------------------------- */

int msl_range_ok(const ms_dist *d, const msrange *r)
{
    if (!r)
        return 1;
    double mn = ms_dist_min(d), mx = ms_dist_max(d);
    if (r->lo_open ? !(mn > r->lo) : !(mn >= r->lo))
        return 0;
    if (r->hi_open ? !(mx < r->hi) : !(mx <= r->hi))
        return 0;
    return 1;
}

static void fmtnum(char *b, size_t n, double v)
{
    if (v == HUGE_VAL)
        snprintf(b, n, "inf");
    else if (v == -HUGE_VAL)
        snprintf(b, n, "-inf");
    else
        snprintf(b, n, "%g", v);
}

void msl_range_text(const msrange *r, char *buf, size_t len)
{
    char a[32], b[32];
    fmtnum(a, sizeof a, r->lo);
    fmtnum(b, sizeof b, r->hi);
    if (isinf(r->hi) && isinf(r->lo))
        snprintf(buf, len, "any number");
    else if (isinf(r->hi))
        snprintf(buf, len, "%s %s", r->lo_open ? ">" : ">=", a);
    else if (isinf(r->lo))
        snprintf(buf, len, "%s %s", r->hi_open ? "<" : "<=", b);
    else
        snprintf(buf, len, "in %s%s, %s%s", r->lo_open ? "(" : "[", a, b, r->hi_open ? ")" : "]");
}

/* ---- distributions ------------------------------------------------------------- */

typedef struct dist_keys { const char *kind; const char *keys[6]; } dist_keys;
static const dist_keys dkeys[] = {
    {"fixed", {"value"}},
    {"uniform", {"min", "max"}},
    {"triangular", {"min", "mode", "max"}},
    {"pert", {"min", "mode", "max", "lambda"}},
    {"normal", {"mean", "sd", "min", "max"}},
    {"lognormal", {"median", "sigma"}},
    {"beta", {"a", "b", "min", "max"}},
    {"discrete", {"values", "weights"}},
    {"bernoulli", {"p"}},
};

int msl_dist_schema_keys(char ***out, int *n, int *cap)
{
    char buf[96];
    for (size_t k = 0; k <= sizeof dkeys / sizeof dkeys[0]; k++) {
        for (int j = -1; j < 6; j++) {
            if (k == sizeof dkeys / sizeof dkeys[0]) {
                if (j >= 1) break;
                snprintf(buf, sizeof buf, j < 0 ? "dist" : "dist.*.per");
            } else if (j < 0)
                continue;
            else if (!dkeys[k].keys[j])
                break;
            else
                snprintf(buf, sizeof buf, "dist.%s.%s", dkeys[k].kind, dkeys[k].keys[j]);
            if (*n + 1 >= *cap) {
                int c = *cap ? 2 * *cap : 64;
                char **v = realloc(*out, (size_t)c * sizeof *v);
                if (!v)
                    return -1;
                *out = v;
                *cap = c;
            }
            (*out)[(*n)++] = strdup(buf);
        }
    }
    return 0;
}

static int is_date_param(const char *k)
{
    return !strcmp(k, "value") || !strcmp(k, "min") || !strcmp(k, "mode") || !strcmp(k, "max") ||
           !strcmp(k, "mean") || !strcmp(k, "values");
}

/* One parameter of a dist map.  1 when present and parsed, 0 when absent, -1 on error. */
static int param(msl *L, const msn *map, const char *k, int is_date, double *v)
{
    const msn *n = msn_get(map, k);
    if (!n)
        return 0;
    if (is_date && is_date_param(k))
        return msl_date(L, n, v, 1) == 0 ? 1 : -1;
    return msl_number(L, n, v) == 0 ? 1 : -1;
}

static int need(msl *L, const msn *map, const char *kind, const char *k, int got)
{
    if (got == 0)
        msl_err(L, MS_D_MISSING, map, "%s distribution: missing '%s'", kind, k);
    return got == 1;
}

static void record_stream(msl *L, const ms_dist *d, const msn *at)
{
    if (ms_dist_is_fixed(d))
        return;
    if (L->nkeys == L->keyscap) {
        int cap = L->keyscap ? 2 * L->keyscap : 64;
        char **v = realloc(L->keys, (size_t)cap * sizeof *v);
        if (!v)
            return;
        L->keys = v;
        const msn **w = realloc(L->keynodes, (size_t)cap * sizeof *w);
        if (!w)
            return;
        L->keynodes = w;
        L->keyscap = cap;
    }
    L->keys[L->nkeys] = (char *)d->key;
    L->keynodes[L->nkeys] = at;
    L->nkeys++;
}

/* The kind named by a distribution map's `dist:` (-1 after an error). */
static int dist_kind(msl *L, const msn *n, int is_date)
{
    const msn *dn = msn_get(n, "dist");
    if (!dn) {
        msl_err(L, MS_D_MISSING, n, "a distribution map needs 'dist:' (fixed, uniform, triangular, pert, "
                "normal, lognormal, beta, discrete, bernoulli)");
        return -1;
    }
    if (dn->type != MSN_SCALAR) {
        msl_err(L, MS_D_TYPE, dn, "dist: expected a distribution name, got %s", msn_type_name(dn->type));
        return -1;
    }
    int kind = ms_dist_kind_from_name(dn->str);
    if (kind < 0) {
        const char *names[sizeof dkeys / sizeof dkeys[0]];
        for (size_t i = 0; i < sizeof dkeys / sizeof dkeys[0]; i++)
            names[i] = dkeys[i].kind;
        const char *sug = msl_suggest(dn->str, names, (int)(sizeof dkeys / sizeof dkeys[0]));
        if (sug)
            msl_err(L, MS_D_DIST, dn, "unknown distribution '%s' (did you mean '%s'?)", dn->str, sug);
        else
            msl_err(L, MS_D_DIST, dn, "unknown distribution '%s' (expected fixed, uniform, triangular, pert, "
                    "normal, lognormal, beta, discrete or bernoulli)", dn->str);
        return -1;
    }
    if (is_date && (kind == MS_DIST_LOGNORMAL || kind == MS_DIST_BERNOULLI)) {
        msl_err(L, MS_D_DIST, dn, "a date cannot follow a %s distribution", dkeys[kind].kind);
        return -1;
    }
    return kind;
}

/* Every key of the map is one the kind takes (or dist, per); -1 when not. */
static int dist_check_keys(msl *L, const msn *n, int kind, int is_date)
{
    const char *kname = dkeys[kind].kind;
    int bad = 0;
    for (int i = 0; i < n->n; i++) {
        const char *k = n->keys[i]->str;
        if (!strcmp(k, "dist") || !strcmp(k, "per"))
            continue;
        int ok = 0;
        for (int j = 0; j < 6 && dkeys[kind].keys[j]; j++)
            if (!strcmp(k, dkeys[kind].keys[j]))
                ok = 1;
        if (ok) {
            if (n->vals[i]->type != MSN_SCALAR && strcmp(k, "values") && strcmp(k, "weights")) {
                msl_err(L, MS_D_TYPE, n->vals[i], "%s: expected a %s, got %s", k,
                        is_date && is_date_param(k) ? "date" : "number", msn_type_name(n->vals[i]->type));
                bad = 1;
            }
            continue;
        }
        const char *words[8] = {"dist", "per"};
        int nw = 2;
        for (int j = 0; j < 6 && dkeys[kind].keys[j]; j++)
            words[nw++] = dkeys[kind].keys[j];
        const char *sug = msl_suggest(k, words, nw);
        if (sug)
            msl_err(L, MS_D_UNKNOWN_KEY, n->keys[i], "unknown key '%s' in a %s distribution (did you mean '%s'?)",
                    k, kname, sug);
        else
            msl_err(L, MS_D_UNKNOWN_KEY, n->keys[i], "unknown key '%s' in a %s distribution", k, kname);
        bad = 1;
    }
    return bad ? -1 : 0;
}

/* per: month | path (default path).  -1 after an error. */
static int dist_per(msl *L, const msn *n, ms_dist *d)
{
    const msn *pn = msn_get(n, "per");
    if (!pn)
        return 0;
    if (pn->type == MSN_SCALAR && !strcmp(pn->str, "month"))
        d->per_month = 1;
    else if (pn->type == MSN_SCALAR && !strcmp(pn->str, "path"))
        d->per_month = 0;
    else {
        msl_err(L, MS_D_VALUE, pn, "per: expected 'month' or 'path'");
        return -1;
    }
    return 0;
}

/* ---- the parameters of each kind: 0, or -1 after an error ---- */

static int params_fixed(msl *L, const msn *n, int is_date, ms_dist *d)
{
    return need(L, n, "fixed", "value", param(L, n, "value", is_date, &d->p[0])) ? 0 : -1;
}

static int params_uniform(msl *L, const msn *n, int is_date, ms_dist *d)
{
    double *p = d->p;
    int g0 = need(L, n, "uniform", "min", param(L, n, "min", is_date, &p[0]));
    int g1 = need(L, n, "uniform", "max", param(L, n, "max", is_date, &p[1]));
    if (!g0 || !g1)
        return -1;
    if (p[0] > p[1]) {
        msl_err(L, MS_D_DIST, msn_get(n, "max"), "uniform distribution: min > max");
        return -1;
    }
    return 0;
}

static int params_triangular(msl *L, const msn *n, int is_date, ms_dist *d)
{
    double *p = d->p;
    const char *kname = dkeys[d->kind].kind;
    int g0 = need(L, n, kname, "min", param(L, n, "min", is_date, &p[0]));
    int g1 = need(L, n, kname, "mode", param(L, n, "mode", is_date, &p[1]));
    int g2 = need(L, n, kname, "max", param(L, n, "max", is_date, &p[2]));
    p[3] = 4.0;
    int g3 = d->kind == MS_DIST_PERT ? param(L, n, "lambda", 0, &p[3]) : 0;
    if (!g0 || !g1 || !g2 || g3 < 0)
        return -1;
    if (p[0] > p[2]) {
        msl_err(L, MS_D_DIST, msn_get(n, "max"), "%s distribution: min > max", kname);
        return -1;
    }
    if (p[1] < p[0] || p[1] > p[2]) {
        msl_err(L, MS_D_DIST, msn_get(n, "mode"), "%s distribution: mode outside [min, max]", kname);
        return -1;
    }
    if (d->kind == MS_DIST_PERT && !(p[3] > 0)) {
        msl_err(L, MS_D_DIST, msn_get(n, "lambda"), "pert distribution: lambda must be > 0");
        return -1;
    }
    return 0;
}

static int params_normal(msl *L, const msn *n, int is_date, ms_dist *d)
{
    double *p = d->p;
    int g0 = need(L, n, "normal", "mean", param(L, n, "mean", is_date, &p[0]));
    int g1 = need(L, n, "normal", "sd", param(L, n, "sd", 0, &p[1]));
    int g2 = param(L, n, "min", is_date, &d->lo);
    int g3 = param(L, n, "max", is_date, &d->hi);
    if (!g0 || !g1 || g2 < 0 || g3 < 0)
        return -1;
    if (p[1] < 0) {
        msl_err(L, MS_D_DIST, msn_get(n, "sd"), "normal distribution: sd must be >= 0");
        return -1;
    }
    if (g2 && g3 && !(d->lo < d->hi)) {
        msl_err(L, MS_D_DIST, msn_get(n, "max"), "normal distribution: min must be < max");
        return -1;
    }
    if (p[1] == 0 && (p[0] < d->lo || p[0] > d->hi)) {
        msl_err(L, MS_D_DIST, msn_get(n, "mean"), "normal distribution: sd 0 and mean outside [min, max]");
        return -1;
    }
    if (p[1] == 0) { /* degenerate: the support is the mean */
        d->lo = d->hi = p[0];
    }
    return 0;
}

static int params_lognormal(msl *L, const msn *n, int is_date, ms_dist *d)
{
    double *p = d->p;
    int g0 = need(L, n, "lognormal", "median", param(L, n, "median", 0, &p[0]));
    int g1 = need(L, n, "lognormal", "sigma", param(L, n, "sigma", 0, &p[1]));
    if (!g0 || !g1)
        return -1;
    if (!(p[0] > 0)) {
        msl_err(L, MS_D_DIST, msn_get(n, "median"), "lognormal distribution: median must be > 0");
        return -1;
    }
    if (p[1] < 0) {
        msl_err(L, MS_D_DIST, msn_get(n, "sigma"), "lognormal distribution: sigma must be >= 0");
        return -1;
    }
    /* median exp(sigma Z) overflows for large sigma (exp(10 x 8.5) is ~1e37, still finite) */
    if (p[1] > MSL_MAX_LOG_SIGMA) {
        msl_err(L, MS_D_DIST, msn_get(n, "sigma"), "lognormal distribution: sigma must be at most %g",
                (double)MSL_MAX_LOG_SIGMA);
        return -1;
    }
    return 0;
}

static int params_beta(msl *L, const msn *n, int is_date, ms_dist *d)
{
    double *p = d->p;
    int g0 = need(L, n, "beta", "a", param(L, n, "a", 0, &p[0]));
    int g1 = need(L, n, "beta", "b", param(L, n, "b", 0, &p[1]));
    d->lo = 0;
    d->hi = 1;
    int g2 = param(L, n, "min", is_date, &d->lo);
    int g3 = param(L, n, "max", is_date, &d->hi);
    if (is_date) {
        g2 = need(L, n, "beta (date)", "min", g2);
        g3 = need(L, n, "beta (date)", "max", g3);
        if (!g2 || !g3)
            return -1;
    }
    if (!g0 || !g1 || g2 < 0 || g3 < 0)
        return -1;
    if (!(p[0] > 0)) {
        msl_err(L, MS_D_DIST, msn_get(n, "a"), "beta distribution: a must be > 0");
        return -1;
    }
    if (!(p[1] > 0)) {
        msl_err(L, MS_D_DIST, msn_get(n, "b"), "beta distribution: b must be > 0");
        return -1;
    }
    if (d->lo > d->hi) {
        msl_err(L, MS_D_DIST, msn_get(n, "max"), "beta distribution: min > max");
        return -1;
    }
    return 0;
}

static int params_discrete(msl *L, const msn *n, int is_date, ms_dist *d)
{
    const msn *vn = msn_get(n, "values"), *wn = msn_get(n, "weights");
    if (!vn) {
        msl_err(L, MS_D_MISSING, n, "discrete distribution: missing 'values'");
        return -1;
    }
    if (vn->type != MSN_LIST) {
        msl_err(L, MS_D_TYPE, vn, "values: expected a list, got %s", msn_type_name(vn->type));
        return -1;
    }
    if (vn->n == 0) {
        msl_err(L, MS_D_DIST, vn, "discrete distribution: values is empty");
        return -1;
    }
    if (vn->n > MSL_MAX_DISCRETE) {
        msl_err(L, MS_D_LIMIT, vn, "discrete distribution: more than %d values", MSL_MAX_DISCRETE);
        return -1;
    }
    if (wn && wn->type != MSN_LIST) {
        msl_err(L, MS_D_TYPE, wn, "weights: expected a list, got %s", msn_type_name(wn->type));
        return -1;
    }
    if (wn && wn->n != vn->n) {
        msl_err(L, MS_D_DIST, wn, "discrete distribution: %d weights for %d values", wn->n, vn->n);
        return -1;
    }
    double *vals = msl_own(L, (size_t)vn->n * sizeof *vals);
    double *cum = msl_own(L, (size_t)vn->n * sizeof *cum);
    if (!vals || !cum)
        return -1;
    int err = 0;
    for (int i = 0; i < vn->n; i++) {
        int r = is_date ? msl_date(L, vn->vals[i], &vals[i], 1) : msl_number(L, vn->vals[i], &vals[i]);
        if (r)
            err = 1;
    }
    double sum = 0;
    for (int i = 0; i < vn->n; i++) {
        double w = 1.0;
        if (wn) {
            if (msl_number(L, wn->vals[i], &w)) {
                err = 1;
                continue;
            }
            if (w < 0) {
                msl_err(L, MS_D_DIST, wn->vals[i], "discrete distribution: weight %g is negative", w);
                err = 1;
                continue;
            }
        }
        sum += w;
        cum[i] = sum;
    }
    if (err)
        return -1;
    if (!(sum > 0) || !isfinite(sum)) {
        msl_err(L, MS_D_DIST, wn ? wn : vn, "discrete distribution: weights sum to %g", sum);
        return -1;
    }
    for (int i = 0; i < vn->n; i++)
        cum[i] /= sum;
    cum[vn->n - 1] = 1.0;
    d->n = vn->n;
    d->values = vals;
    d->cum = cum;
    return 0;
}

static int params_bernoulli(msl *L, const msn *n, int is_date, ms_dist *d)
{
    double *p = d->p;
    if (!need(L, n, "bernoulli", "p", param(L, n, "p", 0, &p[0])))
        return -1;
    if (p[0] < 0 || p[0] > 1) {
        msl_err(L, MS_D_DIST, msn_get(n, "p"), "bernoulli distribution: p must be in [0, 1]");
        return -1;
    }
    return 0;
}

typedef int (*params_fn)(msl *L, const msn *n, int is_date, ms_dist *d);

/* By ms_dist_kind. */
static const params_fn dist_params[] = {
    [MS_DIST_FIXED] = params_fixed,         [MS_DIST_UNIFORM] = params_uniform, [MS_DIST_TRIANGULAR] = params_triangular,
    [MS_DIST_PERT] = params_triangular,     [MS_DIST_NORMAL] = params_normal,   [MS_DIST_LOGNORMAL] = params_lognormal,
    [MS_DIST_BETA] = params_beta,           [MS_DIST_DISCRETE] = params_discrete, [MS_DIST_BERNOULLI] = params_bernoulli,
};

static int dist_map(msl *L, const msn *n, const char *key, int is_date, ms_dist *out)
{
    int kind = dist_kind(L, n, is_date);
    if (kind < 0 || dist_check_keys(L, n, kind, is_date))
        return -1;
    ms_dist d = ms_dist_fixed(0);
    d.kind = (ms_dist_kind)kind;
    int bad = dist_per(L, n, &d);
    if (dist_params[kind](L, n, is_date, &d) || bad)
        return -1;
    d.key = out->key;
    d.stream = out->stream;
    d.line = out->line;
    d.column = out->column;
    *out = d;
    (void)key;
    return 0;
}

/* A distribution that can leave the input's domain r: accepted and
 * truncated to it when the probability of leaving is below 1e-9 (a
 * warning says so), else an error that states the probability.  0 when
 * accepted. */
#define MSL_MAX_PROB_OUTSIDE 1e-9
static int in_domain(msl *L, const msn *n, const msrange *r, ms_dist *out)
{
    char rt[96], a[32], b[32];
    msl_range_text(r, rt, sizeof rt);
    fmtnum(a, sizeof a, ms_dist_min(out));
    fmtnum(b, sizeof b, ms_dist_max(out));
    if (out->kind == MS_DIST_FIXED) {
        msl_err(L, MS_D_RANGE, n, "%s is out of range: expected %s", a, rt);
        return -1;
    }
    double pr = ms_dist_prob_outside(out, r);
    if (!(pr < MSL_MAX_PROB_OUTSIDE)) {
        msl_err(L, MS_D_RANGE, n, "this %s distribution can take values in [%s, %s]: it falls outside the domain %s with "
                "probability %.3g (more than %g)%s", ms_dist_kind_name(out->kind), a, b, rt, pr, MSL_MAX_PROB_OUTSIDE,
                out->kind == MS_DIST_NORMAL || out->kind == MS_DIST_LOGNORMAL
                    ? ": truncate a normal with min:/max:, or use a bounded distribution" : "");
        return -1;
    }
    out->tlo = r->lo;
    out->thi = r->hi;
    if (out->kind == MS_DIST_NORMAL) { /* the truncated normal's own sampler, exactly */
        if (r->lo > out->lo)
            out->lo = r->lo;
        if (r->hi < out->hi)
            out->hi = r->hi;
    }
    if (pr > 0)
        msl_err(L, MS_D_WARNING, n, "this %s distribution falls outside the domain %s with probability %.3g: truncated to it",
                ms_dist_kind_name(out->kind), rt, pr);
    return 0;
}

int msl_dist(msl *L, const msn *n, const char *key, int is_date, const msrange *r, ms_dist *out)
{
    *out = ms_dist_fixed(0);
    set_key(L, out, key, n);
    if (!n || n->type == MSN_NULL || n->type == MSN_LIST) {
        msl_err(L, MS_D_TYPE, n, "expected a %s or a distribution map, got %s", is_date ? "date" : "number",
                n ? msn_type_name(n->type) : "nothing");
        return -1;
    }
    if (n->type == MSN_SCALAR) {
        double v;
        if (is_date ? msl_date(L, n, &v, 1) : msl_number(L, n, &v))
            return -1;
        out->p[0] = v;
    } else if (dist_map(L, n, key, is_date, out)) {
        ms_dist keep = *out;
        *out = ms_dist_fixed(0);
        out->key = keep.key;
        out->stream = keep.stream;
        out->line = keep.line;
        out->column = keep.column;
        return -1;
    }
    if (r && !msl_range_ok(out, r) && in_domain(L, n, r, out))
        return -1;
    if (r)
        out->domain = *r;
    out->is_date = is_date;
    record_stream(L, out, n);
    return 0;
}
