/*
 * test_rng.c - Philox4x32-10 streams: known answers, keying, uniforms.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <string.h>
#include <cmocka.h>
#include <gsl/gsl_rng.h>
#include "magsim/rng.h"

/* Random123's kat_vectors, "philox4x32 10" lines: ctr[4] key[2] -> out[4]. */
static void test_kat(void **state)
{
    static const struct {
        uint32_t ctr[4], key[2], out[4];
    } kat[] = {
        {{0, 0, 0, 0}, {0, 0}, {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}},
        {{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff},
         {0xffffffff, 0xffffffff},
         {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}},
        {{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344},
         {0xa4093822, 0x299f31d0},
         {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}},
    };
    for (size_t i = 0; i < sizeof kat / sizeof kat[0]; i++) {
        uint32_t out[4];
        ms_philox4x32_10(kat[i].ctr, kat[i].key, out);
        for (int w = 0; w < 4; w++)
            assert_int_equal(out[w], kat[i].out[w]);
    }
}

/* The gsl_rng face draws the documented blocks: key {seed lo, seed hi},
 * ctr {path lo, path hi, stream, month << 20 | n}, words last to first. */
static void test_layout(void **state)
{
    uint64_t seed = 0x0123456789abcdefull, path = 0xfedcba9876543210ull;
    uint32_t stream = 0xdeadbeef, month = 37;
    ms_rng *r = ms_rng_alloc(seed);
    ms_rng_key(r, path, stream, month);
    uint32_t key[2] = {(uint32_t)seed, (uint32_t)(seed >> 32)};
    for (uint32_t n = 0; n < 3; n++) {
        uint32_t ctr[4] = {(uint32_t)path, (uint32_t)(path >> 32), stream, month << 20 | n}, out[4];
        ms_philox4x32_10(ctr, key, out);
        for (int w = 3; w >= 0; w--)
            assert_int_equal(gsl_rng_get(r->g), out[w]);
    }
    ms_rng_free(r);
}

static void draw(ms_rng *r, uint64_t path, uint32_t stream, uint32_t month, uint32_t *out, int n)
{
    ms_rng_key(r, path, stream, month);
    for (int i = 0; i < n; i++)
        out[i] = (uint32_t)gsl_rng_get(r->g);
}

static void test_streams(void **state)
{
    enum { N = 64 };
    uint32_t a[N], b[N];
    ms_rng *r = ms_rng_alloc(42), *r2 = ms_rng_alloc(42), *r3 = ms_rng_alloc(43);

    /* same key, same numbers: across generators and after other use */
    draw(r, 7, 3, 2, a, N);
    draw(r2, 1000, 9, 0, b, N);
    draw(r2, 7, 3, 2, b, N);
    assert_memory_equal(a, b, sizeof a);

    /* any key component changes the numbers */
    const uint64_t paths[] = {8, 7 + (1ull << 32)};
    for (int i = 0; i < 2; i++) {
        draw(r2, paths[i], 3, 2, b, N);
        assert_memory_not_equal(a, b, sizeof a);
    }
    draw(r2, 7, 4, 2, b, N);
    assert_memory_not_equal(a, b, sizeof a);
    draw(r2, 7, 3, 3, b, N);
    assert_memory_not_equal(a, b, sizeof a);
    draw(r3, 7, 3, 2, b, N);
    assert_memory_not_equal(a, b, sizeof a);

    /* many words in one stream: no short cycle between blocks */
    ms_rng_key(r, 0, 0, 0);
    uint32_t first[4];
    for (int i = 0; i < 4; i++)
        first[i] = (uint32_t)gsl_rng_get(r->g);
    int same = 0;
    for (int blk = 1; blk < 10000; blk++) {
        uint32_t w[4];
        for (int i = 0; i < 4; i++)
            w[i] = (uint32_t)gsl_rng_get(r->g);
        same += memcmp(w, first, sizeof w) == 0;
    }
    assert_int_equal(same, 0);
    ms_rng_free(r);
    ms_rng_free(r2);
    ms_rng_free(r3);
}

/* Uniform (0,1): never 0 or 1, mean 1/2 within 3 sigma = 3 sqrt(1/12/n),
 * variance 1/12 within 3 sigma (Var of U^2-type estimate: sd of (U-1/2)^2
 * is sqrt(1/80 - 1/144) = 0.0745), and it uses all 53 bits. */
static void test_uniform_pos(void **state)
{
    enum { N = 1000000 };
    ms_rng *r = ms_rng_alloc(2025);
    ms_rng_key(r, 1, 2, 3);
    double sum = 0, sq = 0;
    int low_bits = 0;
    for (int i = 0; i < N; i++) {
        double u = ms_rng_uniform_pos(r);
        assert_true(u > 0.0 && u < 1.0);
        sum += u;
        sq += (u - 0.5) * (u - 0.5);
        double k = ldexp(u, 53);
        low_bits |= fmod(k, 2.0) != 0.0; /* bit 2^-53 set somewhere */
    }
    double mean = sum / N, var = sq / N;
    assert_true(fabs(mean - 0.5) < 3.0 * sqrt(1.0 / 12.0 / N));
    assert_true(fabs(var - 1.0 / 12.0) < 3.0 * sqrt(1.0 / 80.0 - 1.0 / 144.0) / sqrt((double)N));
    assert_true(low_bits);

    /* stream starts at the keyed position every time */
    ms_rng_key(r, 5, 5, 5);
    double u1 = ms_rng_uniform_pos(r);
    ms_rng_uniform_pos(r);
    ms_rng_key(r, 5, 5, 5);
    assert_true(ms_rng_uniform_pos(r) == u1);
    ms_rng_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kat),
        cmocka_unit_test(test_layout),
        cmocka_unit_test(test_streams),
        cmocka_unit_test(test_uniform_pos),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
