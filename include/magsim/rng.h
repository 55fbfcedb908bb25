/*
 * magsim/rng.h - counter-based random streams (Philox4x32-10) behind a gsl_rng.
 *
 * A stream is keyed by (run seed, path index, stream id, month) and nothing
 * else.  The generator is Random123's Philox4x32-10 wrapped as a GSL
 * "micro-RNG" (Random123/gsl_microrng.h), so every gsl_ran_* distribution
 * draws from it.  Re-keying costs a few stores: no seeding, no state warm-up.
 *
 * Layout of the 128-bit counter and 64-bit key:
 *   key  = { seed & 0xffffffff, seed >> 32 }
 *   ctr  = { path & 0xffffffff, path >> 32, stream, month << 20 | n }
 * where n counts the 4-word blocks drawn since the last re-key (up to 2^20
 * blocks, i.e. 4 Mi 32-bit numbers, per (path, stream, month)).  month is
 * limited to 0..4095.
 *
 * One ms_rng per thread; never share one between threads.
 */
#ifndef MAGSIM_RNG_H
#define MAGSIM_RNG_H

#include <stdint.h>
#include <gsl/gsl_rng.h>

typedef struct ms_rng {
    gsl_rng *g;     /* the GSL face: pass to gsl_ran_* */
    uint64_t seed;  /* run seed */
} ms_rng;

ms_rng *ms_rng_alloc(uint64_t seed);
void ms_rng_free(ms_rng *r);

/* Position the stream at the start of (path, stream, month). */
void ms_rng_key(ms_rng *r, uint64_t path, uint32_t stream, uint32_t month);

/* Uniform on (0, 1), never 0 or 1, 53-bit resolution (two 32-bit words). */
double ms_rng_uniform_pos(ms_rng *r);

/* The raw block function, for known-answer tests: out = philox4x32_10(ctr, key). */
void ms_philox4x32_10(const uint32_t ctr[4], const uint32_t key[2], uint32_t out[4]);

#endif
