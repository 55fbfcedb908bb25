/*
 * sim/cli/prun.c - `mpirun -n N magsim run SCENARIO`: one run's paths split
 * over the ranks (sim/cli/prun.h).
 *
 * Rank r runs the blocks [r B / N, (r+1) B / N) of the run's B blocks of
 * MS_BLOCK paths (every range starts at a block multiple, so the merge is
 * exact), packs its result (ms_result_pack) and rank 0 merges the images in
 * rank order into the result it writes: summary.csv, timeseries.csv and
 * summary.json are the bytes of the serial run.
 */
#include <stdlib.h>

#include "cli.h"
#include "par.h"
#include "prun.h"

int cli_prun(const ms_engine *e, uint64_t paths, const ms_run_opts *ro, ms_result *r)
{
    int rank = cli_par_rank(), n = cli_par_size();
    uint64_t blocks = (paths + MS_BLOCK - 1) / MS_BLOCK;
    uint64_t b0 = blocks * (uint64_t)rank / (uint64_t)n, b1 = blocks * (uint64_t)(rank + 1) / (uint64_t)n;
    uint64_t first = b0 * MS_BLOCK, end = b1 * MS_BLOCK < paths ? b1 * MS_BLOCK : paths;
    ms_result *loc = ms_result_alloc(e);
    int rc = !loc || (end > first && ms_engine_run(e, first, end - first, ro, loc) != 0);
    unsigned char *img = NULL, **all = NULL;
    size_t len = rc ? 0 : ms_result_pack(loc, &img), *lens = NULL;
    if (cli_par_any(rc || !len)) {
        rc = -1;
    } else if (cli_par_gather(img, len, &all, &lens) != 0) {
        rc = -1;
    } else if (rank == 0) {
        for (int k = 0; k < n && rc == 0; k++)
            rc = ms_result_unpack_merge(r, all[k], lens[k]);
        r->first_path = 0;
        r->paths_requested = paths;
        r->threads = loc->threads;
        r->wall_seconds = loc->wall_seconds;
    }
    for (int k = 0; all && k < n; k++)
        free(all[k]);
    free(all);
    free(lens);
    free(img);
    ms_result_free(loc);
    return cli_par_any(rc) ? -1 : 0;
}
