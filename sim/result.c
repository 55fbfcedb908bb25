/*
 * result.c - the distributions a run produces (magsim/result.h).
 *
 * A result is two ms_accum sets, shaped by the engine's statistic layout:
 * metrics (MS_METRIC_BITS, bucket ranges kept, so small integers such as
 * months short are exact) and series points (MS_SERIES_BITS, no ranges:
 * there are many of them).  The variance shift of every statistic is its
 * value on path 0 (ms_engine_shift): the same for every run, thread and
 * rank, which is what lets results merge exactly.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "magsim/engine.h"
#include "magsim/result.h"
#include "runctl.h"

ms_result *ms_result_alloc(const ms_engine *e)
{
    int nm = ms_engine_nmetrics(e), ns = ms_engine_nseries(e);
    const double *shift = ms_engine_shift(e);
    ms_result *r = calloc(1, sizeof *r);
    int *bits = calloc((size_t)nm + (size_t)ns + 1, sizeof *bits);
    if (!r || !bits)
        goto fail;
    for (int k = 0; k < nm + ns; k++)
        bits[k] = k < nm ? MS_METRIC_BITS : MS_SERIES_BITS;
    if (!(r->metrics = ms_accum_alloc(nm, bits, 1)))
        goto fail;
    ms_accum_set_shift(r->metrics, shift);
    if (ns > 0) {
        if (!(r->series = ms_accum_alloc(ns, bits + nm, 0)))
            goto fail;
        ms_accum_set_shift(r->series, shift + nm);
    }
    free(bits);
    return r;
fail:
    free(bits);
    ms_result_free(r);
    return NULL;
}

void ms_result_free(ms_result *r)
{
    if (!r)
        return;
    ms_accum_free(r->metrics);
    ms_accum_free(r->series);
    free(r);
}

/* dst += src, exactly: merged, src untouched (take NULL), or absorbed from
 * take == src, a part that is freed next (an empty accumulator of dst takes
 * take's).  The shapes are checked before anything moves. */
static int combine(ms_result *dst, const ms_result *src, ms_result *take)
{
#define COMBINE(field) (take ? ms_accum_absorb(dst->field, take->field) : ms_accum_merge(dst->field, src->field))
    if ((dst->series == NULL) != (src->series == NULL) || COMBINE(metrics))
        return -1;
    if (dst->series && COMBINE(series))
        return -1;
#undef COMBINE
    dst->paths_done += src->paths_done;
    dst->interrupted |= src->interrupted;
    return 0;
}

int ms_result_merge(ms_result *dst, const ms_result *src)
{
    return combine(dst, src, NULL);
}

int ms_result_absorb(ms_result *dst, ms_result *src)
{
    return combine(dst, src, src);
}

/* ms_runctl_reduce's step: part src into part dst. */
static int merge_part(void *parts, int dst, int src)
{
    ms_result **r = parts;
    return r[dst] && r[src] ? ms_result_absorb(r[dst], r[src]) : -1;
}

int ms_result_gather(ms_result **parts, int tid)
{
    int rc = ms_runctl_reduce(tid, merge_part, parts);
    if (tid > 0) { /* merged into part 0 */
        ms_result_free(parts[tid]);
        parts[tid] = NULL;
    }
    return rc;
}

/* Image: "MSR1", paths_done, interrupted, has_series (u64 each), the
 * metrics' ms_accum image length and bytes, then the series' (length 0 when
 * off).  The accumulator images check themselves (ms_accum_unpack_merge). */
#define RESULT_MAGIC "MSR1"
enum { RESULT_HEAD = 4 + 4 * 8 };

size_t ms_result_pack(const ms_result *r, unsigned char **buf)
{
    unsigned char *m = NULL, *s = NULL;
    size_t lm = ms_accum_pack(r->metrics, &m), ls = r->series ? ms_accum_pack(r->series, &s) : 0;
    size_t n = RESULT_HEAD + lm + 8 + ls;
    *buf = NULL;
    if (!m || (r->series && !s) || !(*buf = malloc(n))) {
        free(m);
        free(s);
        return 0;
    }
    uint64_t head[4] = {r->paths_done, (uint64_t)r->interrupted, r->series != NULL, lm};
    memcpy(*buf, RESULT_MAGIC, 4);
    memcpy(*buf + 4, head, sizeof head);
    memcpy(*buf + RESULT_HEAD, m, lm);
    uint64_t ls64 = ls;
    memcpy(*buf + RESULT_HEAD + lm, &ls64, 8);
    if (ls)
        memcpy(*buf + RESULT_HEAD + lm + 8, s, ls);
    free(m);
    free(s);
    return n;
}

int ms_result_unpack_merge(ms_result *dst, const unsigned char *buf, size_t len)
{
    uint64_t head[4], ls;
    if (len < RESULT_HEAD + 8 || memcmp(buf, RESULT_MAGIC, 4))
        return -1;
    memcpy(head, buf + 4, sizeof head);
    if (head[2] != (dst->series != NULL) || head[3] > len - RESULT_HEAD - 8)
        return -1;
    memcpy(&ls, buf + RESULT_HEAD + head[3], 8);
    if (ls != len - RESULT_HEAD - head[3] - 8)
        return -1;
    const unsigned char *sm = buf + RESULT_HEAD, *ss = sm + head[3] + 8;
    if (ms_accum_unpack_merge(dst->metrics, sm, head[3]))
        return -1;
    if (dst->series && ms_accum_unpack_merge(dst->series, ss, ls))
        return -1;
    dst->paths_done += head[0];
    dst->interrupted |= head[1] != 0;
    return 0;
}

void ms_result_summary(const ms_engine *e, const ms_result *r, int i, const double *q, int nq,
                       ms_stat_summary *out)
{
    int nm = ms_engine_nmetrics(e);
    if (i < nm)
        ms_accum_summary(r->metrics, i, q, nq, out);
    else
        ms_accum_summary(r->series, i - nm, q, nq, out);
}

/* Histogram octaves per statistic after `paths` paths, measured on the
 * shipped scenarios (ms_accum_bytes after 10^3, 10^4 and 10^5 paths) and
 * rounded up over them: at 10^4 paths 9 for a metric (allied_buildout: 8.8)
 * and 7.5 for a series point (bench_10x6x8: 7.1), then 2.2 more for every
 * tenfold paths (measured 1.5 to 2.2); below 10^3 paths as at 10^3.
 * tests/test_calibration.c checks it against every shipped scenario. */
#define OCT_METRIC_1E4 9.0
#define OCT_SERIES_1E4 7.5
#define OCT_PER_DECADE 2.2

double ms_result_octaves(double at_1e4, double per_decade, double paths)
{
    return at_1e4 + log10((paths > 1e3 ? paths : 1e3) / 1e4) * per_decade;
}

double ms_result_accum_bytes(double nmetrics, double nseries, double oct_metric, double oct_series)
{
    double arenas = (1 + (nseries > 0)) * MS_ACCUM_ARENA_SLACK; /* an arena per accumulator */
    return nmetrics * ms_accum_stat_bytes(MS_METRIC_BITS, 1, oct_metric) +
           nseries * ms_accum_stat_bytes(MS_SERIES_BITS, 0, oct_series) + arenas;
}

double ms_result_typical_bytes(double nmetrics, double nseries, double paths)
{
    return ms_result_accum_bytes(nmetrics, nseries, ms_result_octaves(OCT_METRIC_1E4, OCT_PER_DECADE, paths),
                                 ms_result_octaves(OCT_SERIES_1E4, OCT_PER_DECADE, paths));
}
