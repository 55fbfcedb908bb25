/*
 * magsim/batch.h - a block of paths of one engine, evaluated in one call.
 *
 * `compare` and `sensitivity` evaluate the model through these two
 * functions only, so that a faster batch call the engine may offer (paths
 * simulated side by side, vectorised) can replace their bodies without
 * touching the commands.  Each path's vector (ms_engine_nmetrics +
 * ms_engine_nseries doubles) is written at buf + j * stride, in order.
 */
#ifndef MAGSIM_BATCH_H
#define MAGSIM_BATCH_H

#include <stddef.h>
#include <stdint.h>
#include "magsim/engine.h"

/* Paths first .. first + np - 1, every input drawn.  0, or -1 when a path failed. */
int ms_batch_paths(const ms_engine *e, ms_work *w, uint64_t first, int np, double *buf, size_t stride);

/* np paths, the j-th on path index paths[j] with the inputs set by sets[j]
 * (ms_engine_path_with; NULL: every input drawn).  0, or -1 when a path failed. */
int ms_batch_paths_with(const ms_engine *e, ms_work *w, const uint64_t *paths, const ms_input_set *const *sets,
                        int np, double *buf, size_t stride);

#endif
