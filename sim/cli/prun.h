/* sim/cli/prun.h - one run's paths split over MPI ranks (sim/cli/prun.c). */
#ifndef MAGSIM_CLI_PRUN_H
#define MAGSIM_CLI_PRUN_H

#include <stdint.h>
#include "magsim/engine.h"

/* Run paths [0, paths) over every rank; on rank 0 r holds the merged
 * result (elsewhere it is left empty).  0, or -1 on every rank when any
 * rank failed. */
int cli_prun(const ms_engine *e, uint64_t paths, const ms_run_opts *ro, ms_result *r);

#endif
