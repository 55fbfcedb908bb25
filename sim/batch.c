/*
 * batch.c - a block of paths of one engine (magsim/batch.h): today a loop
 * over ms_engine_path; the place a batch call of the engine would go.
 */
#include "magsim/batch.h"

int ms_batch_paths(const ms_engine *e, ms_work *w, uint64_t first, int np, double *buf, size_t stride)
{
    int rc = 0;
    for (int j = 0; j < np; j++)
        if (ms_engine_path(e, w, first + (uint64_t)j, buf + (size_t)j * stride, NULL))
            rc = -1;
    return rc;
}

int ms_batch_paths_with(const ms_engine *e, ms_work *w, const uint64_t *paths, const ms_input_set *const *sets,
                        int np, double *buf, size_t stride)
{
    int rc = 0;
    for (int j = 0; j < np; j++)
        if (ms_engine_path_with(e, w, paths[j], sets[j], buf + (size_t)j * stride, NULL))
            rc = -1;
    return rc;
}
