/*
 * huge.h - memory on transparent huge pages, the one way magsim asks for it
 * (internal).
 */
#ifndef MAGSIM_HUGE_H
#define MAGSIM_HUGE_H

#include <stddef.h>

#define MS_HUGE_PAGE ((size_t)2 << 20) /* a transparent huge page on x86-64 and arm64 (4 KiB base pages) */

/* bytes (a multiple of MS_HUGE_PAGE) on MS_HUGE_PAGE boundaries, with
 * transparent huge pages asked for (madvise: a hint, which the kernel may
 * ignore, and which is skipped where the system lacks it); free() releases
 * it.  NULL when out of memory.  For memory touched all over at random
 * (histogram octaves, a block buffer written a line per statistic), where
 * 4 KiB pages cost a TLB miss on most accesses. */
void *ms_huge_alloc(size_t bytes);

#endif
