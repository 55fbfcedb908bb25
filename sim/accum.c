/*
 * accum.c - statistics that merge exactly, in any order.
 *
 * Three layers, each exact under merging so that results do not depend on
 * how paths were spread over threads and ranks (see magsim/accum.h):
 *
 * ms_xsum - a superaccumulator.  A double is m 2^(E - 1075) with a 53-bit
 *   integer m (E the biased exponent; subnormals: m 2^-1074), i.e. m shifted
 *   left by p = max(E, 1) - 1 bits over the unit 2^-1074.  The sum is kept as
 *   sum_i limb[i] 2^(32 i - 1074) (pad = 0): limb i holds 32-bit digit i, and
 *   adding x adds m << p, at most 85 bits, as three digit-sized pieces into
 *   limbs p/32 .. p/32 + 2 (subtracted when x < 0).  The largest double ends
 *   in limb 65; limb 66 only receives carries and carries the sign.
 *   Invariant: |limb[i]| <= (nadd + 1) 2^33 for i < 66, so normalising the
 *   carries (digits back to [0, 2^32), the excess into the next limb) every
 *   2^28 additions keeps every limb below 2^62.  Integer additions commute,
 *   so the represented value is the exact sum whatever the order.
 *   ms_xsum_value normalises a copy and rounds the exact integer to the
 *   nearest double, ties to even: a function of the exact sum alone.
 *   NaN and infinities set bits of `special` (NaN 1, +inf 2, -inf 4).
 *
 * ms_hist - a sparse log-linear histogram.  For x != 0 with bits u, biased
 *   exponent E = (u >> 52) & 0x7ff and sub-bucket j = top `bits` mantissa
 *   bits: x lies in [2^(E-1023) (1 + j/S), 2^(E-1023) (1 + (j+1)/S)), S =
 *   2^bits (E = 0, subnormals: [j/S, (j+1)/S) 2^-1022, linear; E = 2047:
 *   infinity).  Each sign keeps a window of octaves [base, base + noct) with
 *   a pointer per octave; an octave's S buckets are allocated the first time
 *   a value lands in it, so memory follows the octaves actually used.  A
 *   bucket holds an exact uint64 count and, with track_range, the smallest
 *   and largest value seen.  Zero (either sign) is counted apart as +0; NaN
 *   is counted apart and ignored.  Everything merges by integer addition and
 *   min/max, in any order.
 *
 * ms_accum - per statistic: counts, two xsums of per-block double sums of
 *   (x - shift) and (x - shift)^2, and a histogram.  An accumulator's
 *   histograms take their octaves from an arena of its own (hchunk below).
 */
#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "magsim/accum.h"
#include "huge.h"

/* ======================================================================= */
/* ms_xsum                                                                 */
/* ======================================================================= */

#define XS_TOP (MS_XSUM_LIMBS - 1)       /* carry/sign limb */
#define XS_MASK 0xffffffffull
#define XS_NORM_EVERY ((int64_t)1 << 28) /* additions between carry normalisations */
#define XS_NAN 1
#define XS_POSINF 2
#define XS_NEGINF 4

void ms_xsum_init(ms_xsum *s)
{
    memset(s, 0, sizeof *s);
}

/* Carry propagation: limb[i] = d + c 2^32 with d in [0, 2^32); d stays, c
 * moves up.  The value is unchanged. */
static void xsum_normalise(ms_xsum *s)
{
    int64_t carry = 0;
    for (int i = 0; i < XS_TOP; i++) {
        int64_t v = s->limb[i] + carry;
        int64_t d = (int64_t)((uint64_t)v & XS_MASK);
        carry = (v - d) / ((int64_t)1 << 32); /* exact: v - d is a multiple of 2^32 */
        s->limb[i] = d;
    }
    s->limb[XS_TOP] += carry;
    s->nadd = 0;
}

void ms_xsum_add(ms_xsum *s, double x)
{
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    unsigned e = (unsigned)(u >> 52) & 0x7ff;
    uint64_t m = u & ((1ull << 52) - 1);
    if (e == 0x7ff) {
        s->special |= m ? XS_NAN : (u >> 63) ? XS_NEGINF : XS_POSINF;
        return;
    }
    if (e)
        m |= 1ull << 52;
    else
        e = 1;
    if (!m)
        return;
    /* x = +-m 2^p units of 2^-1074, p = e - 1: limb i = p/32, shift s = p%32 */
    unsigned p = e - 1, i = p >> 5, sh = p & 31;
    uint64_t t0 = (m & XS_MASK) << sh; /* < 2^64 */
    uint64_t t1 = (m >> 32) << sh;     /* < 2^53 */
    int64_t d0 = (int64_t)(t0 & XS_MASK);
    int64_t d1 = (int64_t)((t0 >> 32) + (t1 & XS_MASK)); /* < 2^33 */
    int64_t d2 = (int64_t)(t1 >> 32);
    if (u >> 63) {
        s->limb[i] -= d0;
        s->limb[i + 1] -= d1;
        s->limb[i + 2] -= d2;
    } else {
        s->limb[i] += d0;
        s->limb[i + 1] += d1;
        s->limb[i + 2] += d2;
    }
    if (++s->nadd >= XS_NORM_EVERY)
        xsum_normalise(s);
}

void ms_xsum_merge(ms_xsum *dst, const ms_xsum *src)
{
    ms_xsum tmp;
    if (src->nadd >= XS_NORM_EVERY / 2) {
        tmp = *src;
        xsum_normalise(&tmp);
        src = &tmp;
    }
    if (dst->nadd >= XS_NORM_EVERY / 2)
        xsum_normalise(dst);
    for (int i = 0; i < MS_XSUM_LIMBS; i++)
        dst->limb[i] += src->limb[i];
    dst->nadd += src->nadd + 1;
    dst->special |= src->special;
    if (dst->nadd >= XS_NORM_EVERY)
        xsum_normalise(dst); /* keeps nadd < 2^28 between calls */
}

/* Bit length of a nonzero 32-bit digit. */
static int bitlen32(uint32_t d)
{
    return 32 - __builtin_clz(d);
}

/* n <= 53 bits of the digit string d starting at bit pos (d padded with 2
 * zero digits above the highest one read). */
static uint64_t xsum_bits(const uint32_t *d, int pos, int n)
{
    int i = pos >> 5, sh = pos & 31;
    uint64_t v = ((uint64_t)d[i] | (uint64_t)d[i + 1] << 32) >> sh;
    if (sh)
        v |= (uint64_t)d[i + 2] << (64 - sh);
    return v & ((1ull << n) - 1);
}

/* The exact sum rounded to nearest, ties to even.  With N the exact
 * magnitude in units of 2^-1074 and b its bit length:
 *   b <= 53: N 2^-1074 is a double (subnormal or just above): exact;
 *   b > 53:  M = top 53 bits of N, rounded up when the next bit is 1 and
 *            (any lower bit is 1 or M is odd); value M 2^(b - 53 - 1074). */
double ms_xsum_value(const ms_xsum *s)
{
    if (s->special) {
        if ((s->special & XS_NAN) || (s->special & (XS_POSINF | XS_NEGINF)) == (XS_POSINF | XS_NEGINF))
            return NAN;
        return (s->special & XS_POSINF) ? HUGE_VAL : -HUGE_VAL;
    }
    ms_xsum t = *s;
    xsum_normalise(&t);
    int neg = t.limb[XS_TOP] < 0;
    if (neg) {
        for (int i = 0; i < MS_XSUM_LIMBS; i++)
            t.limb[i] = -t.limb[i];
        xsum_normalise(&t);
    }
    assert(t.limb[XS_TOP] >= 0);
    uint32_t d[MS_XSUM_LIMBS + 4] = {0};
    for (int i = 0; i < XS_TOP; i++)
        d[i] = (uint32_t)t.limb[i];
    d[XS_TOP] = (uint32_t)((uint64_t)t.limb[XS_TOP] & XS_MASK);
    d[XS_TOP + 1] = (uint32_t)((uint64_t)t.limb[XS_TOP] >> 32);
    int k = XS_TOP + 1;
    while (k >= 0 && d[k] == 0)
        k--;
    if (k < 0)
        return 0.0;
    int b = 32 * k + bitlen32(d[k]);
    double v;
    if (b <= 53) {
        v = ldexp((double)((uint64_t)d[0] | (uint64_t)d[1] << 32), -1074);
    } else {
        int sh = b - 53, r = sh - 1;
        uint64_t m = xsum_bits(d, sh, 53);
        int round = (d[r >> 5] >> (r & 31)) & 1;
        int sticky = (d[r >> 5] & ((1u << (r & 31)) - 1)) != 0;
        for (int i = 0; i < (r >> 5) && !sticky; i++)
            sticky = d[i] != 0;
        if (round && (sticky || (m & 1)))
            m++;
        v = ldexp((double)m, sh - 1074);
    }
    return neg ? -v : v;
}

/* ======================================================================= */
/* the octaves' arena                                                      */
/* ======================================================================= */

/* An accumulator's histograms take their octaves from chunks of its own,
 * which double from 64 KiB to MS_ACCUM_CHUNK_MAX (2 MiB); the largest lie
 * on 2 MiB boundaries with transparent huge pages asked for (madvise, a
 * hint).  Thousands of histograms' octaves spread over 4 KiB pages cost a
 * TLB miss on most inserts of a block: on huge pages the default scenario's
 * accumulation takes 11-14% less time (README, Performance).  A histogram
 * keeps every octave it has touched until it is freed, so octaves are never
 * returned one by one: the chunks go with the accumulator.  The unused tail
 * is under one chunk.  Under AddressSanitizer octaves come from malloc, to
 * keep its bounds checks. */
#if defined(__SANITIZE_ADDRESS__)
#define HARENA_OFF 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HARENA_OFF 1
#endif
#endif

#define HCHUNK_MIN ((size_t)64 << 10)

typedef struct hchunk {
    struct hchunk *next; /* the chunk filled before this one */
    size_t size, used;   /* bytes of the chunk, this header included; bytes taken */
} hchunk;

typedef struct harena {
    hchunk *head;        /* the chunk being filled, or NULL */
    size_t bytes, taken; /* bytes of every chunk; bytes given out */
} harena;

/* n bytes (a multiple of 64 after rounding), 64-byte aligned; NULL when out of memory. */
static void *harena_take(harena *a, size_t n)
{
    const size_t hdr = 64; /* the header, padded to keep octaves aligned */
    n = (n + 63) / 64 * 64;
    hchunk *c = a->head;
    if (!c || c->size - c->used < n) {
        size_t size = c ? (c->size < MS_ACCUM_CHUNK_MAX / 2 ? 2 * c->size : MS_ACCUM_CHUNK_MAX) : HCHUNK_MIN;
        while (size < n + hdr)
            size *= 2;
        c = size >= MS_HUGE_PAGE ? ms_huge_alloc(size) : aligned_alloc(64, size);
        if (!c)
            return NULL;
        *c = (hchunk){.next = a->head, .size = size, .used = hdr};
        a->head = c;
        a->bytes += size;
    }
    void *p = (char *)c + c->used;
    c->used += n;
    a->taken += n;
    return p;
}

static void harena_free(harena *a)
{
    if (!a)
        return;
    for (hchunk *c = a->head, *next; c; c = next) {
        next = c->next;
        free(c);
    }
    free(a);
}

/* ======================================================================= */
/* ms_hist                                                                 */
/* ======================================================================= */

typedef struct hbucket {
    uint64_t n;    /* values in the bucket */
    double lo, hi; /* smallest and largest seen (+inf, -inf while empty) */
} hbucket;

typedef struct hside {
    int base;   /* biased exponent of oct[0] */
    int noct;   /* octaves in the window [base, base + noct) */
    void **oct; /* [noct] S buckets (uint64_t, or hbucket with track_range); NULL: untouched */
} hside;

struct ms_hist {
    int bits;       /* log2 of sub-buckets per octave, 1..10 */
    int S;          /* sub-buckets per octave, 2^bits */
    int shift;      /* 52 - bits: mantissa bits below the sub-bucket index */
    int track;      /* 1: buckets are hbucket (count + range) */
    uint64_t n;     /* values counted, zeros included, NaN excluded */
    uint64_t nzero; /* values == 0 (either sign) */
    uint64_t nnan;  /* NaN values, ignored */
    uint64_t nlost; /* values dropped because an octave could not be allocated */
    double min, max;/* smallest and largest value counted (+inf, -inf while empty) */
    hside side[2];  /* [0]: x > 0, [1]: x < 0, indexed by the sign bit */
    size_t bytes;   /* memory in use */
    harena *arena;  /* where the octaves come from (an accumulator's), or NULL: malloc */
};

#define H_ABS 0x7fffffffffffffffull
#define H_INF 0x7ff0000000000000ull

static ms_hist *hist_alloc(int bits, int track_range, harena *arena)
{
    if (bits < 1 || bits > 10)
        return NULL;
    ms_hist *h = calloc(1, sizeof *h);
    if (!h)
        return NULL;
    h->arena = arena;
    h->bits = bits;
    h->S = 1 << bits;
    h->shift = 52 - bits;
    h->track = track_range != 0;
    h->min = HUGE_VAL;
    h->max = -HUGE_VAL;
    h->bytes = sizeof *h;
    return h;
}

ms_hist *ms_hist_alloc(int bits, int track_range)
{
    return hist_alloc(bits, track_range, NULL);
}

void ms_hist_free(ms_hist *h)
{
    if (!h)
        return;
    for (int s = 0; s < 2; s++) {
        for (int k = 0; k < h->side[s].noct && !h->arena; k++)
            free(h->side[s].oct[k]);
        free(h->side[s].oct);
    }
    free(h);
}

static size_t hist_octave_bytes(const ms_hist *h)
{
    return (size_t)h->S * (h->track ? sizeof(hbucket) : sizeof(uint64_t));
}

static void hist_octave_clear(const ms_hist *h, void *o)
{
    if (h->track) {
        hbucket *b = o;
        for (int j = 0; j < h->S; j++)
            b[j] = (hbucket){0, HUGE_VAL, -HUGE_VAL};
    } else {
        memset(o, 0, hist_octave_bytes(h));
    }
}

void ms_hist_reset(ms_hist *h)
{
    for (int s = 0; s < 2; s++)
        for (int k = 0; k < h->side[s].noct; k++)
            if (h->side[s].oct[k])
                hist_octave_clear(h, h->side[s].oct[k]);
    h->n = h->nzero = h->nnan = h->nlost = 0;
    h->min = HUGE_VAL;
    h->max = -HUGE_VAL;
}

/* The octave block for biased exponent e on side sd, allocated (and the
 * window widened) on first touch.  NULL when out of memory. */
static void *hist_octave(ms_hist *h, hside *sd, int e)
{
    if (sd->noct == 0 || e < sd->base || e >= sd->base + sd->noct) {
        int lo = sd->noct ? (e < sd->base ? e : sd->base) : e;
        int hi = sd->noct ? (e >= sd->base + sd->noct ? e + 1 : sd->base + sd->noct) : e + 1;
        void **t = calloc((size_t)(hi - lo), sizeof *t);
        if (!t)
            return NULL;
        if (sd->noct)
            memcpy(t + (sd->base - lo), sd->oct, (size_t)sd->noct * sizeof *t);
        free(sd->oct);
        h->bytes += (size_t)(hi - lo - sd->noct) * sizeof *t;
        sd->oct = t;
        sd->base = lo;
        sd->noct = hi - lo;
    }
    void **slot = &sd->oct[e - sd->base];
    if (!*slot) {
        void *o = h->arena ? harena_take(h->arena, hist_octave_bytes(h)) : malloc(hist_octave_bytes(h));
        if (!o)
            return NULL;
        hist_octave_clear(h, o);
        h->bytes += hist_octave_bytes(h);
        *slot = o;
    }
    return *slot;
}

/* Zero and NaN, off the hot path. */
static void hist_add_special(ms_hist *h, uint64_t a)
{
    if (a) {
        h->nnan++;
        return;
    }
    h->nzero++;
    h->n++;
    if (0.0 < h->min)
        h->min = 0.0;
    if (0.0 > h->max)
        h->max = 0.0;
}

/* Count x in bucket j of octave o: its count, and its range with track
 * (the histogram's track_range; a constant where the caller knows it). */
static inline void bucket_count(int track, void *o, unsigned j, double x)
{
    if (track) {
        hbucket *b = (hbucket *)o + j;
        b->n++;
        if (x < b->lo)
            b->lo = x;
        if (x > b->hi)
            b->hi = x;
    } else {
        ((uint64_t *)o)[j]++;
    }
}

/* Hot path: a few integer operations on the bits of x, one table lookup,
 * one counter increment (plus the bucket range with track_range). */
void ms_hist_add(ms_hist *h, double x)
{
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    uint64_t a = u & H_ABS;
    if (a - 1 >= H_INF) { /* a == 0 (wraps) or NaN; infinities pass */
        hist_add_special(h, a);
        return;
    }
    hside *sd = &h->side[u >> 63];
    int e = (int)(a >> 52);
    unsigned k = (unsigned)(e - sd->base);
    unsigned j = (unsigned)(a >> h->shift) & (unsigned)(h->S - 1);
    void *o;
    if (k >= (unsigned)sd->noct || !(o = sd->oct[k])) {
        o = hist_octave(h, sd, e);
        if (!o) {
            h->nlost++;
            return;
        }
    }
    bucket_count(h->track, o, j, x);
    h->n++;
    if (x < h->min)
        h->min = x;
    if (x > h->max)
        h->max = x;
}

int ms_hist_merge(ms_hist *dst, const ms_hist *src)
{
    if (dst->bits != src->bits || dst->track != src->track)
        return -1;
    for (int s = 0; s < 2; s++) {
        const hside *ss = &src->side[s];
        for (int k = 0; k < ss->noct; k++) {
            const void *so = ss->oct[k];
            if (!so)
                continue;
            void *o = hist_octave(dst, &dst->side[s], ss->base + k);
            if (!o)
                return -1;
            if (dst->track) {
                hbucket *b = o;
                const hbucket *sb = so;
                for (int j = 0; j < dst->S; j++) {
                    b[j].n += sb[j].n;
                    if (sb[j].lo < b[j].lo)
                        b[j].lo = sb[j].lo;
                    if (sb[j].hi > b[j].hi)
                        b[j].hi = sb[j].hi;
                }
            } else {
                uint64_t *c = o;
                const uint64_t *sc = so;
                for (int j = 0; j < dst->S; j++)
                    c[j] += sc[j];
            }
        }
    }
    dst->n += src->n;
    dst->nzero += src->nzero;
    dst->nnan += src->nnan;
    dst->nlost += src->nlost;
    if (src->min < dst->min)
        dst->min = src->min;
    if (src->max > dst->max)
        dst->max = src->max;
    return 0;
}

uint64_t ms_hist_count(const ms_hist *h)
{
    return h->n;
}

double ms_hist_min(const ms_hist *h)
{
    return h->n ? h->min : NAN;
}

double ms_hist_max(const ms_hist *h)
{
    return h->n ? h->max : NAN;
}

double ms_hist_rel_error(int bits)
{
    return 1.0 / (double)((1 << (bits + 1)) + 1);
}

size_t ms_hist_bytes(const ms_hist *h)
{
    return h->bytes;
}

/* Buckets in increasing order of value as slots t = 0 .. nslots - 1:
 * negative octaves from the top down (j from S - 1 down), the zero slot,
 * positive octaves upward. */
static long hist_nslots(const ms_hist *h)
{
    return ((long)h->side[1].noct + h->side[0].noct) * h->S + 1;
}

/* Midpoint of the magnitude bucket (e, j):
 *   2^(e-1023) (1 + (2j+1)/(2S))  (normal),  2^-1022 (2j+1)/(2S)  (e = 0). */
static double bucket_mid(int e, int j, int S)
{
    if (e == 2047)
        return HUGE_VAL;
    if (e == 0)
        return ldexp((2.0 * j + 1.0) / (2.0 * S), -1022);
    return ldexp(1.0 + (2.0 * j + 1.0) / (2.0 * S), e - 1023);
}

/* The representative of bucket j of octave o (biased exponent e) on side s
 * (1: negative): the midpoint clamped to the bucket's [lo, hi]
 * (track_range) or the global [min, max]. */
static double bucket_rep(const ms_hist *h, int s, int e, const void *o, int j)
{
    double lo = h->min, hi = h->max;
    if (h->track) {
        lo = ((const hbucket *)o)[j].lo;
        hi = ((const hbucket *)o)[j].hi;
    }
    double m = bucket_mid(e, j, h->S);
    if (s)
        m = -m;
    return m < lo ? lo : m > hi ? hi : m;
}

static uint64_t slot_count(const ms_hist *h, const void *o, int j)
{
    return h->track ? ((const hbucket *)o)[j].n : ((const uint64_t *)o)[j];
}

/* Count of slot t, and when nonzero its representative (bucket_rep). */
static uint64_t hist_slot(const ms_hist *h, long t, double *rep)
{
    long S = h->S, nneg = (long)h->side[1].noct * S;
    int s;
    long idx;
    if (t < nneg) {
        s = 1;
        idx = nneg - 1 - t;
    } else if (t == nneg) {
        *rep = 0.0;
        return h->nzero;
    } else {
        s = 0;
        idx = t - nneg - 1;
    }
    const hside *sd = &h->side[s];
    const void *o = sd->oct[idx / S];
    if (!o)
        return 0;
    int j = (int)(idx % S);
    uint64_t c = slot_count(h, o, j);
    if (c)
        *rep = bucket_rep(h, s, sd->base + (int)(idx / S), o, j);
    return c;
}

/* Inverse CDF: with k = ceil(q n) clamped to [1, n], the representative of
 * the first bucket (in increasing order) whose cumulative count reaches k.
 * The levels are answered in one walk of the buckets, in order of k,
 * octave by octave (an octave never touched is skipped whole). */
#define QWALK_MAX 16 /* levels per walk */

typedef struct qwalk {
    const ms_hist *h;
    uint64_t k[QWALK_MAX]; /* the rank each level needs, in increasing order */
    int ord[QWALK_MAX];    /* the level it answers */
    int m, next;           /* levels; the first not yet answered */
    uint64_t cum;          /* values in the slots walked */
    double *out;
} qwalk;

/* A slot holds c > 0 values: the levels whose rank it reaches take its
 * representative rep(), computed only then. */
static void qwalk_slot(qwalk *w, uint64_t c, int s, int e, const void *o, int j)
{
    w->cum += c;
    if (w->cum < w->k[w->next])
        return;
    double rep = o ? bucket_rep(w->h, s, e, o, j) : 0.0; /* o NULL: the zero slot */
    while (w->next < w->m && w->cum >= w->k[w->next])
        w->out[w->ord[w->next++]] = rep;
}

/* Levels q[0..m-1] (m <= QWALK_MAX) of a nonempty histogram. */
static void hist_quantiles_walk(const ms_hist *h, const double *q, int m, double *out)
{
    qwalk w = {.h = h, .out = out};
    for (int i = 0; i < m; i++) {
        if (!(q[i] >= 0.0 && q[i] <= 1.0)) {
            out[i] = NAN;
            continue;
        }
        double kq = ceil(q[i] * (double)h->n);
        uint64_t k = kq < 1.0 ? 1 : kq >= (double)h->n ? h->n : (uint64_t)kq;
        int at = w.m++; /* insertion by rank */
        for (; at > 0 && w.k[at - 1] > k; at--) {
            w.k[at] = w.k[at - 1];
            w.ord[at] = w.ord[at - 1];
        }
        w.k[at] = k;
        w.ord[at] = i;
    }
    const int S = h->S;
    const hside *neg = &h->side[1], *pos = &h->side[0];
    for (int oi = neg->noct - 1; oi >= 0 && w.next < w.m; oi--) { /* negative values, largest magnitude first */
        const void *o = neg->oct[oi];
        for (int j = S - 1; o && j >= 0 && w.next < w.m; j--) {
            uint64_t c = slot_count(h, o, j);
            if (c)
                qwalk_slot(&w, c, 1, neg->base + oi, o, j);
        }
    }
    if (h->nzero && w.next < w.m)
        qwalk_slot(&w, h->nzero, 0, 0, NULL, 0);
    for (int oi = 0; oi < pos->noct && w.next < w.m; oi++) {
        const void *o = pos->oct[oi];
        for (int j = 0; o && j < S && w.next < w.m; j++) {
            uint64_t c = slot_count(h, o, j);
            if (c)
                qwalk_slot(&w, c, 0, pos->base + oi, o, j);
        }
    }
    while (w.next < w.m) /* not reached */
        out[w.ord[w.next++]] = h->max;
}

void ms_hist_quantiles(const ms_hist *h, const double *q, int nq, double *out)
{
    for (int i = 0; i < nq; i += QWALK_MAX) {
        int m = nq - i < QWALK_MAX ? nq - i : QWALK_MAX;
        if (!h->n)
            for (int k = 0; k < m; k++)
                out[i + k] = NAN;
        else
            hist_quantiles_walk(h, q + i, m, out + i);
    }
}

double ms_hist_quantile(const ms_hist *h, double q)
{
    double v;
    ms_hist_quantiles(h, &q, 1, &v);
    return v;
}

/* Mean of the m extreme values, walking buckets from one end:
 *   sum_b w_b rep_b / m,  w_b = min(c_b, m - taken), the boundary bucket
 * taking a fractional weight.  m = 0 gives the extreme itself. */
static double hist_tail_mean(const ms_hist *h, double m, int upper)
{
    if (m <= 0.0)
        return upper ? h->max : h->min;
    double sum = 0.0, rem = m;
    long ns = hist_nslots(h);
    for (long i = 0; i < ns && rem > 0.0; i++) {
        double rep = 0;
        uint64_t c = hist_slot(h, upper ? ns - 1 - i : i, &rep);
        if (!c)
            continue;
        double w = (double)c < rem ? (double)c : rem;
        sum += w * rep;
        rem -= w;
    }
    return sum / m;
}

/* Upper tail: m = n - alpha n (not (1 - alpha) n: 1 - 0.95 is not 0.05 in
 * binary, n - 0.95 n is exactly 5 for n = 100). */
double ms_hist_cvar_upper(const ms_hist *h, double alpha)
{
    if (!h->n || !(alpha >= 0.0 && alpha <= 1.0))
        return NAN;
    double n = (double)h->n;
    return hist_tail_mean(h, n - alpha * n, 1);
}

double ms_hist_cvar_lower(const ms_hist *h, double alpha)
{
    if (!h->n || !(alpha >= 0.0 && alpha <= 1.0))
        return NAN;
    return hist_tail_mean(h, alpha * (double)h->n, 0);
}

/* ======================================================================= */
/* ms_accum                                                                */
/* ======================================================================= */

typedef struct ms_astat {
    uint64_t n;    /* values added */
    uint64_t npos; /* values > 0 */
    double shift;  /* subtracted before summing */
    ms_hist *h;    /* distribution of x */
} ms_astat;

/* Block sums wait in a buffer of ACC_PENDING blocks before they enter the
 * exact sums: a block then writes its sums contiguously, and each
 * statistic's superaccumulators are touched once per ACC_PENDING blocks.
 * The exact sum of a set of doubles does not depend on when or in what
 * order they are added, so nothing changes but the memory traffic; every
 * reader (merge, summary, pack) counts the pending sums. */
#define ACC_PENDING 16

struct ms_accum {
    int nstats;    /* statistics */
    int track;     /* histograms keep bucket ranges */
    ms_astat *st;  /* [nstats] */
    ms_xsum *xs;   /* [2 * nstats]: exact sums of block sums of (x - shift), then of (x - shift)^2 */
    double *pend;  /* [ACC_PENDING][nstats][2] block sums not yet in xs, or NULL until the first block */
    int npend;     /* blocks in pend */
    double *bsum;  /* [nstats][2] sums of the open block (ms_accum_block_*), or NULL */
    harena *arena; /* the histograms' octaves, or NULL (under AddressSanitizer: malloc) */
};

ms_accum *ms_accum_alloc(int nstats, const int *bits, int track_range)
{
    if (nstats < 0)
        return NULL;
    ms_accum *a = calloc(1, sizeof *a);
    if (!a)
        return NULL;
    a->nstats = nstats;
    a->track = track_range != 0;
    a->st = calloc(nstats ? (size_t)nstats : 1, sizeof *a->st);
    a->xs = calloc(nstats ? 2 * (size_t)nstats : 1, sizeof *a->xs);
#ifndef HARENA_OFF
    a->arena = calloc(1, sizeof *a->arena);
    if (!a->arena) {
        ms_accum_free(a);
        return NULL;
    }
#endif
    if (!a->st || !a->xs) {
        ms_accum_free(a);
        return NULL;
    }
    for (int i = 0; i < nstats; i++) {
        a->st[i].h = hist_alloc(bits ? bits[i] : 7, track_range, a->arena);
        if (!a->st[i].h) {
            ms_accum_free(a);
            return NULL;
        }
    }
    return a;
}

void ms_accum_free(ms_accum *a)
{
    if (!a)
        return;
    for (int i = 0; a->st && i < a->nstats; i++)
        ms_hist_free(a->st[i].h);
    harena_free(a->arena);
    free(a->st);
    free(a->xs);
    free(a->pend);
    free(a->bsum);
    free(a);
}

int ms_accum_nstats(const ms_accum *a)
{
    return a->nstats;
}

void ms_accum_set_shift(ms_accum *a, const double *shift)
{
    for (int i = 0; i < a->nstats; i++) {
        assert(a->st[i].n == 0); /* the shift is fixed before any data */
        a->st[i].shift = shift ? shift[i] : 0.0;
    }
}

/* The pending block sums of statistic i added into x[0] (S1) and x[1] (S2). */
static void add_pending(const ms_accum *a, int i, ms_xsum *x)
{
    for (int b = 0; b < a->npend; b++) {
        const double *p = a->pend + ((size_t)b * a->nstats + i) * 2;
        ms_xsum_add(&x[0], p[0]);
        ms_xsum_add(&x[1], p[1]);
    }
}

static void flush_pending(ms_accum *a)
{
    for (int i = 0; i < a->nstats; i++)
        add_pending(a, i, &a->xs[2 * i]);
    a->npend = 0;
}

/* An open block: its sums so far, per statistic (ms_accum_block_*). */
static int block_alloc(ms_accum *a)
{
    if (!a->bsum)
        a->bsum = malloc(sizeof(double) * 2 * (a->nstats ? (size_t)a->nstats : 1));
    if (!a->pend) /* without a buffer (out of memory) the sums go straight into xs */
        a->pend = malloc(sizeof(double) * ACC_PENDING * 2 * (a->nstats ? (size_t)a->nstats : 1));
    return a->bsum ? 0 : -1;
}

void ms_accum_block_begin(ms_accum *a)
{
    if (block_alloc(a) == 0)
        memset(a->bsum, 0, sizeof(double) * 2 * (size_t)a->nstats);
}

/* Statistic s's values of up to MS_ACCUM_GROUP consecutive blocks, v[j *
 * stride] for j < n (n <= MS_ACCUM_GROUP * MS_BLOCK), in one pass: for each
 * block b (paths [b MS_BLOCK, (b + 1) MS_BLOCK)) its sums bs[b * bstride] +=
 * x - shift and bs[b * bstride + 1] += (x - shift)^2 in path order (plain
 * doubles, the same for any thread count; from 0 when `fresh`, else
 * continuing bs), the values > 0, and the histogram over all of them: +0
 * and positive values in an allocated octave counted inline, with the
 * counters and extremes in registers; the rest (negative, infinite, NaN,
 * -0, a new octave: rare) through ms_hist_add after the pass, as a
 * histogram does not depend on the order of its values.  One pass lets the
 * sums' chain of dependent additions overlap the counting: 8-10% less time
 * than a pass for each in a run of the default scenario (25-30% where the
 * histograms stay in cache); several blocks in one visit fetch each
 * statistic's buckets once for all of them (README, Performance).  `track`
 * and `fresh` are constants at each call, so that the compiler writes a
 * loop for each kind. */
static inline void stat_block_add(ms_astat *s, const double *v, size_t stride, int n, double *bs, size_t bstride,
                                  int fresh, int track)
{
    ms_hist *h = s->h;
    const double sh = s->shift;
    double mn = h->min, mx = h->max;
    const unsigned shift = (unsigned)h->shift, smask = (unsigned)h->S - 1;
    const int base = h->side[0].base;
    const unsigned noct = (unsigned)h->side[0].noct;
    void *const *oct = h->side[0].oct;
    uint64_t npos = 0, cnt = 0, nz = 0;
    int later[MS_ACCUM_GROUP * MS_BLOCK], nlater = 0;
    for (int j0 = 0; j0 < n; j0 += MS_BLOCK, bs += bstride) {
        int j1 = n - j0 < MS_BLOCK ? n : j0 + MS_BLOCK;
        double s1 = fresh ? 0.0 : bs[0], s2 = fresh ? 0.0 : bs[1];
        for (int j = j0; j < j1; j++) {
            double x = v[(size_t)j * stride], d = x - sh;
            s1 += d;
            s2 += d * d;
            npos += x > 0.0;
            uint64_t u;
            memcpy(&u, &x, sizeof u);
            unsigned k = (unsigned)((int)(u >> 52) - base), b = (unsigned)(u >> shift) & smask;
            void *o;
            if (u == 0) {
                nz++;
            } else if (u < H_INF && k < noct && (o = oct[k])) {
                bucket_count(track, o, b, x);
            } else {
                later[nlater++] = j;
                continue;
            }
            cnt++;
            mn = x < mn ? x : mn;
            mx = x > mx ? x : mx;
        }
        bs[0] = s1;
        bs[1] = s2;
    }
    s->n += (uint64_t)n;
    s->npos += npos;
    h->n += cnt;
    h->nzero += nz;
    h->min = mn;
    h->max = mx;
    for (int q = 0; q < nlater; q++)
        ms_hist_add(h, v[(size_t)later[q] * stride]);
}

/* Statistic by statistic, MS_BLOCK paths at a time (a block's values continue
 * its sums in path order however they arrive). */
void ms_accum_block_add(ms_accum *a, const double *vals, size_t stat_stride, size_t path_stride, int npaths)
{
    for (int j0 = 0; j0 < npaths; j0 += MS_BLOCK) {
        int n = npaths - j0 < MS_BLOCK ? npaths - j0 : MS_BLOCK;
        const double *v0 = vals + (size_t)j0 * path_stride;
        if (a->track)
            for (int i = 0; i < a->nstats; i++)
                stat_block_add(&a->st[i], v0 + (size_t)i * stat_stride, path_stride, n, a->bsum + 2 * i, 0, 0, 1);
        else
            for (int i = 0; i < a->nstats; i++)
                stat_block_add(&a->st[i], v0 + (size_t)i * stat_stride, path_stride, n, a->bsum + 2 * i, 0, 0, 0);
    }
}

_Static_assert(ACC_PENDING >= MS_ACCUM_GROUP, "a group of blocks fits in the pending buffer");

/* Whole blocks: each block's sums straight into a pending slot of its own,
 * the histograms visited once for the group. */
void ms_accum_add_blocks(ms_accum *a, const double *vals, size_t stat_stride, int npaths)
{
    int nb = (npaths + MS_BLOCK - 1) / MS_BLOCK;
    assert(nb <= MS_ACCUM_GROUP);
    if (block_alloc(a) != 0 || !a->pend) { /* no pending buffer (out of memory): block by block */
        for (int b = 0; b < nb; b++) {
            int n = npaths - b * MS_BLOCK < MS_BLOCK ? npaths - b * MS_BLOCK : MS_BLOCK;
            ms_accum_add_strided(a, vals + (size_t)b * MS_BLOCK, n, stat_stride, 1);
        }
        return;
    }
    if (a->npend + nb > ACC_PENDING)
        flush_pending(a);
    double *p0 = a->pend + (size_t)a->npend * a->nstats * 2;
    size_t bstride = 2 * (size_t)a->nstats;
    if (a->track)
        for (int i = 0; i < a->nstats; i++)
            stat_block_add(&a->st[i], vals + (size_t)i * stat_stride, 1, npaths, p0 + 2 * i, bstride, 1, 1);
    else
        for (int i = 0; i < a->nstats; i++)
            stat_block_add(&a->st[i], vals + (size_t)i * stat_stride, 1, npaths, p0 + 2 * i, bstride, 1, 0);
    a->npend += nb;
}

/* The block's sums enter the exact sums (through the pending buffer). */
void ms_accum_block_end(ms_accum *a)
{
    if (a->npend == ACC_PENDING)
        flush_pending(a);
    if (a->pend) {
        memcpy(a->pend + (size_t)a->npend * a->nstats * 2, a->bsum, sizeof(double) * 2 * (size_t)a->nstats);
        a->npend++;
    } else {
        for (int i = 0; i < 2 * a->nstats; i++)
            ms_xsum_add(&a->xs[i], a->bsum[i]);
    }
}

/* Statistic i of the block's j-th path is vals[i * stat_stride + j * path_stride]:
 * one whole block.  Both layouts give the same bits. */
void ms_accum_add_strided(ms_accum *a, const double *vals, int npaths, size_t stat_stride, size_t path_stride)
{
    ms_accum_block_begin(a);
    ms_accum_block_add(a, vals, stat_stride, path_stride, npaths);
    ms_accum_block_end(a);
}

void ms_accum_add_block(ms_accum *a, const double *vals, int npaths, int stride)
{
    ms_accum_add_strided(a, vals, npaths, (size_t)stride, 1);
}

/* The same statistics: count, histogram kind and precision, shifts. */
static int same_shape(const ms_accum *a, const ms_accum *b)
{
    if (a->nstats != b->nstats || a->track != b->track)
        return 0;
    for (int i = 0; i < a->nstats; i++)
        if (a->st[i].h->bits != b->st[i].h->bits || memcmp(&a->st[i].shift, &b->st[i].shift, sizeof(double)) != 0)
            return 0;
    return 1;
}

int ms_accum_absorb(ms_accum *dst, ms_accum *src)
{
    if (!same_shape(dst, src))
        return -1;
    int empty = dst->npend == 0;
    for (int i = 0; empty && i < dst->nstats; i++)
        empty = dst->st[i].n == 0;
    if (!empty)
        return ms_accum_merge(dst, src);
    ms_accum t = *dst;
    *dst = *src;
    *src = t;
    return 0;
}

int ms_accum_merge(ms_accum *dst, const ms_accum *src)
{
    if (!same_shape(dst, src))
        return -1;
    for (int i = 0; i < dst->nstats; i++) {
        ms_astat *d = &dst->st[i];
        const ms_astat *s = &src->st[i];
        if (ms_hist_merge(d->h, s->h) != 0)
            return -1;
        d->n += s->n;
        d->npos += s->npos;
        ms_xsum_merge(&dst->xs[2 * i], &src->xs[2 * i]);
        ms_xsum_merge(&dst->xs[2 * i + 1], &src->xs[2 * i + 1]);
        add_pending(src, i, &dst->xs[2 * i]);
    }
    return 0;
}

/* Statistic i's exact sums, pending block sums included. */
static void exact_sums(const ms_accum *a, int i, ms_xsum x[2])
{
    x[0] = a->xs[2 * i];
    x[1] = a->xs[2 * i + 1];
    add_pending(a, i, x);
}

/* mean = shift + S1/n;  var = (S2 - S1^2/n)/(n - 1) (>= 0; sd 0 for n = 1);
 * se = sd/sqrt(n); quantiles and CVaR from the histogram. */
void ms_accum_summary(const ms_accum *a, int i, const double *q, int nq, ms_stat_summary *out)
{
    const ms_astat *s = &a->st[i];
    const int qmax = (int)(sizeof out->q / sizeof out->q[0]);
    memset(out, 0, sizeof *out);
    out->n = s->n;
    for (int k = 0; k < qmax; k++)
        out->q[k] = NAN;
    if (s->n == 0) {
        out->mean = out->sd = out->se = out->min = out->max = NAN;
        out->p_pos = out->cvar95 = out->cvar05_lower = NAN;
        return;
    }
    double n = (double)s->n;
    ms_xsum x[2];
    exact_sums(a, i, x);
    double S1 = ms_xsum_value(&x[0]), S2 = ms_xsum_value(&x[1]);
    out->mean = s->shift + S1 / n;
    double var = s->n > 1 ? (S2 - S1 * S1 / n) / (n - 1.0) : 0.0;
    out->sd = var > 0.0 ? sqrt(var) : isnan(var) ? NAN : 0.0;
    out->se = out->sd / sqrt(n);
    out->min = ms_hist_min(s->h);
    out->max = ms_hist_max(s->h);
    ms_hist_quantiles(s->h, q, nq < qmax ? nq : qmax, out->q);
    out->p_pos = (double)s->npos / n;
    out->cvar95 = ms_hist_cvar_upper(s->h, 0.95);
    out->cvar05_lower = ms_hist_cvar_lower(s->h, 0.05);
}

size_t ms_accum_bytes(const ms_accum *a)
{
    size_t b = sizeof *a + (size_t)a->nstats * (sizeof *a->st + 2 * sizeof *a->xs) +
               (a->pend ? sizeof(double) * ACC_PENDING * 2 * (size_t)a->nstats : 0);
    for (int i = 0; i < a->nstats; i++)
        b += ms_hist_bytes(a->st[i].h);
    if (a->arena) /* the chunks' headers and unused ends */
        b += sizeof *a->arena + a->arena->bytes - a->arena->taken;
    return b;
}

/* An octave's share of what the arena's chunks waste at their ends: a full
 * chunk (64 KiB or more) holds at least (64 KiB - 64) / octave octaves and
 * wastes less than an octave and its header.  The unused end of the last
 * chunk is MS_ACCUM_ARENA_SLACK, once per accumulator. */
double ms_accum_stat_bytes(int bits, int track_range, double octaves)
{
    double octave = (double)(1 << bits) * (track_range ? sizeof(hbucket) : sizeof(uint64_t));
    double malloc_overhead = 16, per_chunk = floor((double)(HCHUNK_MIN - 64) / octave);
    double waste = (octave + 64) / per_chunk;
    return sizeof(ms_astat) + 2.0 * sizeof(ms_xsum) + sizeof(double) * 2 * (ACC_PENDING + 1) + sizeof(ms_hist) +
           malloc_overhead + octaves * (octave + sizeof(void *) + waste);
}

/* ---- flat byte image ---------------------------------------------------
 * Native byte order and IEEE doubles (the magic reads back wrong on a
 * machine of the other byte order, and is refused).
 *   header:  u32 magic 'MSAC', u32 version, u32 nstats, u32 track, u64 total bytes
 *   per statistic:
 *     i32 bits, f64 shift, u64 n, u64 npos,
 *     xsum s1, xsum s2: i64 limb[MS_XSUM_LIMBS], i64 nadd, i32 special
 *     hist: u64 n, nzero, nnan, nlost, f64 min, max,
 *           per side (positive, negative): i32 octaves present, then each
 *           i32 e and S buckets: u64 count (track: f64 lo, f64 hi too)
 */
#define PACK_MAGIC 0x4341534du /* "MSAC" little-endian */
#define PACK_VERSION 1u

typedef struct pbuf {
    unsigned char *p;      /* write: buffer or NULL to measure; read: input */
    size_t len, pos;       /* capacity / input length, cursor */
    int err;               /* read past the end */
} pbuf;

static void put(pbuf *b, const void *v, size_t n)
{
    if (b->p)
        memcpy(b->p + b->pos, v, n);
    b->pos += n;
}

static void get(pbuf *b, void *v, size_t n)
{
    if (b->err || n > b->len - b->pos) {
        b->err = 1;
        memset(v, 0, n);
        return;
    }
    memcpy(v, b->p + b->pos, n);
    b->pos += n;
}

#define PUT(b, v) put((b), &(v), sizeof(v))
#define GET(b, v) get((b), &(v), sizeof(v))

/* Written normalised (every limb but the top in [0, 2^32), nadd 0): the image
 * of a value is then the same however the additions were split and merged. */
static void put_xsum(pbuf *b, const ms_xsum *x0)
{
    ms_xsum c = *x0, *x = &c;
    xsum_normalise(x);
    put(b, x->limb, sizeof x->limb);
    PUT(b, x->nadd);
    int32_t sp = x->special;
    PUT(b, sp);
}

static void get_xsum(pbuf *b, ms_xsum *x)
{
    get(b, x->limb, sizeof x->limb);
    GET(b, x->nadd);
    int32_t sp;
    GET(b, sp);
    x->special = sp;
    if (x->nadd < 0 || x->nadd >= XS_NORM_EVERY || (sp & ~(XS_NAN | XS_POSINF | XS_NEGINF)))
        b->err = 1;
    /* the limb invariant, so that merging cannot overflow */
    int64_t bound = (x->nadd + 1) << 33;
    for (int i = 0; i < XS_TOP && !b->err; i++)
        if (x->limb[i] > bound || x->limb[i] < -bound)
            b->err = 1;
    if (x->limb[XS_TOP] > ((int64_t)1 << 60) || x->limb[XS_TOP] < -((int64_t)1 << 60))
        b->err = 1;
}

static void put_hist(pbuf *b, const ms_hist *h)
{
    PUT(b, h->n);
    PUT(b, h->nzero);
    PUT(b, h->nnan);
    PUT(b, h->nlost);
    PUT(b, h->min);
    PUT(b, h->max);
    for (int s = 0; s < 2; s++) {
        const hside *sd = &h->side[s];
        int32_t used = 0;
        for (int k = 0; k < sd->noct; k++)
            used += sd->oct[k] != NULL;
        PUT(b, used);
        for (int k = 0; k < sd->noct; k++) {
            if (!sd->oct[k])
                continue;
            int32_t e = sd->base + k;
            PUT(b, e);
            put(b, sd->oct[k], hist_octave_bytes(h));
        }
    }
}

/* Reads into a fresh histogram of the right shape; -1 on a malformed image. */
static int get_hist(pbuf *b, ms_hist *h)
{
    uint64_t total = 0;
    GET(b, h->n);
    GET(b, h->nzero);
    GET(b, h->nnan);
    GET(b, h->nlost);
    GET(b, h->min);
    GET(b, h->max);
    total = h->nzero;
    for (int s = 0; s < 2 && !b->err; s++) {
        int32_t used;
        GET(b, used);
        if (used < 0 || used > 2048)
            return -1;
        for (int32_t u = 0; u < used && !b->err; u++) {
            int32_t e;
            GET(b, e);
            if (e < 0 || e > 2047)
                return -1;
            void *o = hist_octave(h, &h->side[s], e);
            if (!o)
                return -1;
            get(b, o, hist_octave_bytes(h));
            for (int j = 0; j < h->S; j++)
                total += h->track ? ((hbucket *)o)[j].n : ((uint64_t *)o)[j];
        }
    }
    /* the counts must add up */
    return b->err || total != h->n ? -1 : 0;
}

static size_t accum_write(const ms_accum *a, unsigned char *p)
{
    pbuf b = {p, 0, 0, 0};
    uint32_t magic = PACK_MAGIC, version = PACK_VERSION;
    uint32_t nstats = (uint32_t)a->nstats, track = (uint32_t)a->track;
    uint64_t total = 0;
    PUT(&b, magic);
    PUT(&b, version);
    PUT(&b, nstats);
    PUT(&b, track);
    size_t total_at = b.pos;
    PUT(&b, total);
    for (int i = 0; i < a->nstats; i++) {
        const ms_astat *s = &a->st[i];
        int32_t bits = s->h->bits;
        PUT(&b, bits);
        PUT(&b, s->shift);
        PUT(&b, s->n);
        PUT(&b, s->npos);
        ms_xsum x[2];
        exact_sums(a, i, x);
        put_xsum(&b, &x[0]);
        put_xsum(&b, &x[1]);
        put_hist(&b, s->h);
    }
    if (p) {
        total = b.pos;
        memcpy(p + total_at, &total, sizeof total);
    }
    return b.pos;
}

size_t ms_accum_pack(const ms_accum *a, unsigned char **buf)
{
    size_t n = accum_write(a, NULL);
    *buf = malloc(n);
    if (!*buf)
        return 0;
    accum_write(a, *buf);
    return n;
}

/* The image is read whole into a fresh accumulator of dst's shape and
 * checked (magic, version, shape, length, every field's range) before
 * anything is added, so a bad image leaves dst untouched. */
int ms_accum_unpack_merge(ms_accum *dst, const unsigned char *buf, size_t len)
{
    pbuf b = {(unsigned char *)buf, len, 0, 0};
    uint32_t magic, version, nstats, track;
    uint64_t total;
    GET(&b, magic);
    GET(&b, version);
    GET(&b, nstats);
    GET(&b, track);
    GET(&b, total);
    if (b.err || magic != PACK_MAGIC || version != PACK_VERSION || nstats != (uint32_t)dst->nstats
        || track != (uint32_t)dst->track || total != len)
        return -1;
    int *bits = malloc((dst->nstats ? (size_t)dst->nstats : 1) * sizeof *bits);
    if (!bits)
        return -1;
    for (int i = 0; i < dst->nstats; i++)
        bits[i] = dst->st[i].h->bits;
    ms_accum *t = ms_accum_alloc(dst->nstats, bits, dst->track);
    free(bits);
    if (!t)
        return -1;
    int rc = 0;
    for (int i = 0; i < t->nstats && rc == 0; i++) {
        ms_astat *s = &t->st[i];
        int32_t sbits;
        GET(&b, sbits);
        GET(&b, s->shift);
        GET(&b, s->n);
        GET(&b, s->npos);
        get_xsum(&b, &t->xs[2 * i]);
        get_xsum(&b, &t->xs[2 * i + 1]);
        if (b.err || sbits != s->h->bits || s->npos > s->n)
            rc = -1;
        else
            rc = get_hist(&b, s->h);
    }
    if (rc == 0 && (b.err || b.pos != len))
        rc = -1;
    if (rc == 0)
        rc = ms_accum_merge(dst, t);
    ms_accum_free(t);
    return rc;
}
