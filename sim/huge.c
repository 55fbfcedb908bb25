/*
 * huge.c - memory on transparent huge pages (sim/huge.h).
 *
 * Design.  aligned_alloc on a huge-page boundary and madvise(MADV_HUGEPAGE);
 * the kernel backs the range with huge pages where it can (with
 * transparent_hugepage "madvise" or "always").  The block buffer of a run
 * thread (sim/work.c) and an accumulator's chunks of histogram octaves
 * (sim/accum.c) use it; both measured faster (README, Performance).
 */
#include <stdlib.h>
#include <sys/mman.h>
#include "huge.h"

void *ms_huge_alloc(size_t bytes)
{
    void *p = aligned_alloc(MS_HUGE_PAGE, bytes);
#ifdef MADV_HUGEPAGE
    if (p)
        (void)madvise(p, bytes, MADV_HUGEPAGE);
#endif
    return p;
}
