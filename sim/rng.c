/*
 * rng.c - counter-based random streams: Philox4x32-10 behind a gsl_rng.
 *
 * Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2,
 * 3", SC11) is a keyed bijection on 128-bit counters: the n-th block of a
 * stream is philox(ctr + n, key), four 32-bit words, with no state besides
 * the counter.  A stream is therefore addressed, not seeded: re-keying to
 * (path, stream, month) costs a few stores, and a path's numbers do not
 * depend on which thread or rank runs it, nor on what ran before.
 *
 * Random123's GSL_MICRORNG wraps the block function as a gsl_rng type whose
 * state is {base counter, key, block number n, unused words}; every gsl_ran_*
 * distribution then draws from it.  The micro-rng ORs n into the last counter
 * word (shifted by W - 32 = 0 for 32-bit words), so
 *
 *   key = { seed lo, seed hi }
 *   ctr = { path lo, path hi, stream, month << 20 | n }
 *
 * which leaves 2^20 blocks (4 Mi words) per (path, stream, month) and months
 * 0..4095.  The micro-rng hands out a block's words last to first.
 *
 * Its get_double is get() / 2^32: 32 bits, and 0 is possible.  GSL's
 * continuous distributions call gsl_rng_uniform_pos (which rejects 0), so
 * they are fine; magsim's own uniforms use ms_rng_uniform_pos: 53 bits from
 * two words, never 0 or 1.
 *
 * gsl_rng_env_setup() is never called: environment variables must not change
 * results.
 */
#include <assert.h>
#include <stdlib.h>
#include <Random123/philox.h>
#include "magsim/rng.h"

/* GSL_MICRORNG(NAME, CB) wants CB##_ctr_t, CB##_key_t and CB(ctr, key). */
typedef philox4x32_ctr_t philox4x32_10_ctr_t;
typedef philox4x32_key_t philox4x32_10_key_t;
static inline philox4x32_ctr_t philox4x32_10(philox4x32_ctr_t c, philox4x32_key_t k)
{
    return philox4x32_R(10, c, k);
}

#include <Random123/gsl_microrng.h>
GSL_MICRORNG(ms_philox, philox4x32_10); /* defines gsl_rng_ms_philox, ms_philox_reset */

#define MS_RNG_MONTH_MAX 4095u

ms_rng *ms_rng_alloc(uint64_t seed)
{
    ms_rng *r = malloc(sizeof *r);
    if (!r)
        return NULL;
    r->g = gsl_rng_alloc(gsl_rng_ms_philox);
    if (!r->g) {
        free(r);
        return NULL;
    }
    r->seed = seed;
    ms_rng_key(r, 0, 0, 0);
    return r;
}

void ms_rng_free(ms_rng *r)
{
    if (!r)
        return;
    gsl_rng_free(r->g);
    free(r);
}

void ms_rng_key(ms_rng *r, uint64_t path, uint32_t stream, uint32_t month)
{
    assert(month <= MS_RNG_MONTH_MAX);
    philox4x32_ctr_t c = {{(uint32_t)path, (uint32_t)(path >> 32), stream,
                           (month & MS_RNG_MONTH_MAX) << 20}};
    philox4x32_key_t k = {{(uint32_t)r->seed, (uint32_t)(r->seed >> 32)}};
    ms_philox_reset(r->g, c, k);
}

/* u = k 2^-53 with k = (a >> 5) 2^26 + (b >> 6) uniform on 0 .. 2^53 - 1;
 * k = 0 (probability 2^-53) is drawn again, so u lies in [2^-53, 1 - 2^-53]:
 * every value exact, never 0 or 1. */
double ms_rng_uniform_pos(ms_rng *r)
{
    uint64_t k;
    do {
        uint64_t a = gsl_rng_get(r->g) & 0xffffffffu;
        uint64_t b = gsl_rng_get(r->g) & 0xffffffffu;
        k = (a >> 5) << 26 | (b >> 6);
    } while (k == 0);
    return (double)k * 0x1p-53;
}

void ms_philox4x32_10(const uint32_t ctr[4], const uint32_t key[2], uint32_t out[4])
{
    philox4x32_ctr_t c = {{ctr[0], ctr[1], ctr[2], ctr[3]}};
    philox4x32_key_t k = {{key[0], key[1]}};
    philox4x32_ctr_t o = philox4x32_10(c, k);
    for (int i = 0; i < 4; i++)
        out[i] = o.v[i];
}
