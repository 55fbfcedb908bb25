/*
 * sim/cli/par.c - MPI for the commands that spread work over ranks
 * (sim/cli/par.h), with the serial fallback of the default build.
 *
 * Only byte buffers travel: a rank's work is either a finished record (a
 * point's rows) or a packed ms_result (ms_result_pack), merged on rank 0 in
 * rank order; merging is exact in any order, the fixed order only keeps the
 * code simple.  Counts in MPI calls are ints: a buffer of 2 GiB or more is
 * refused with a message rather than truncated.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "par.h"

/* The launcher's environment: a rank count above one means several copies. */
static int launched_size(void)
{
    static const char *const vars[] = {"OMPI_COMM_WORLD_SIZE", "PMIX_SIZE", "PMI_SIZE", NULL};
    for (int i = 0; vars[i]; i++) {
        const char *v = getenv(vars[i]);
        if (v && atoi(v) > 0)
            return atoi(v);
    }
    return 0;
}

#ifdef MAGSIM_MPI
#include <mpi.h>

static int g_on, g_rank, g_size = 1;

int cli_par_init(int *argc, char ***argv)
{
    if (launched_size() == 0 && !getenv("PMIX_RANK") && !getenv("OMPI_COMM_WORLD_RANK"))
        return 0; /* not under mpirun/srun: serial */
    int provided = 0;
    if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
        cli_err("MPI_Init_thread failed");
        return -1;
    }
    g_on = 1;
    MPI_Comm_rank(MPI_COMM_WORLD, &g_rank);
    MPI_Comm_size(MPI_COMM_WORLD, &g_size);
    return 0;
}

void cli_par_finalize(void)
{
    if (g_on)
        MPI_Finalize();
    g_on = 0;
}

int cli_par_rank(void) { return g_rank; }
int cli_par_size(void) { return g_size; }
const char *cli_par_kind(void) { return g_on ? "MPI" : "serial"; }

int cli_par_any(int flag)
{
    int in = flag != 0, out = in;
    if (g_on)
        MPI_Allreduce(&in, &out, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    return out;
}

void cli_par_barrier(void)
{
    if (g_on)
        MPI_Barrier(MPI_COMM_WORLD);
}

void cli_par_abort(int code)
{
    if (g_on)
        MPI_Abort(MPI_COMM_WORLD, code);
    exit(code);
}

int cli_par_gather(const void *buf, size_t len, unsigned char ***all, size_t **lens)
{
    *all = NULL;
    *lens = NULL;
    int n = len > INT_MAX ? -1 : (int)len, bad = n < 0;
    if (cli_par_any(bad)) {
        if (bad)
            cli_err("rank %d: %zu bytes to send, more than MPI's int counts allow", g_rank, len);
        return -1;
    }
    int *counts = g_rank == 0 ? calloc((size_t)g_size, sizeof *counts) : NULL;
    MPI_Gather(&n, 1, MPI_INT, counts, 1, MPI_INT, 0, MPI_COMM_WORLD);
    int *displs = NULL;
    unsigned char *flat = NULL;
    long long total = 0;
    if (g_rank == 0) {
        displs = calloc((size_t)g_size, sizeof *displs);
        for (int r = 0; r < g_size; r++)
            total += counts[r];
        flat = malloc(total > 0 && total <= INT_MAX ? (size_t)total : 1);
        for (int r = 1; r < g_size; r++)
            displs[r] = displs[r - 1] + counts[r - 1];
    }
    MPI_Gatherv(buf, n, MPI_BYTE, flat, counts, displs, MPI_BYTE, 0, MPI_COMM_WORLD);
    int rc = 0;
    if (g_rank == 0) {
        *all = calloc((size_t)g_size, sizeof **all);
        *lens = calloc((size_t)g_size, sizeof **lens);
        for (int r = 0; *all && *lens && r < g_size; r++) {
            (*all)[r] = malloc(counts[r] ? (size_t)counts[r] : 1);
            if ((*all)[r])
                memcpy((*all)[r], flat + displs[r], (size_t)counts[r]);
            (*lens)[r] = (size_t)counts[r];
        }
        rc = *all && *lens ? 0 : -1;
    }
    free(counts);
    free(displs);
    free(flat);
    return rc;
}

#else /* the serial build: one rank */

int cli_par_init(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (launched_size() > 1) {
        cli_err("started as %d MPI processes, but this magsim was built without MPI: build it with "
                "`make MPI=1` (Open MPI), or run it as one process", launched_size());
        return -1;
    }
    return 0;
}

void cli_par_finalize(void) {}
int cli_par_rank(void) { return 0; }
int cli_par_size(void) { return 1; }
const char *cli_par_kind(void) { return "serial"; }
int cli_par_any(int flag) { return flag != 0; }
void cli_par_barrier(void) {}
void cli_par_abort(int code) { exit(code); }

int cli_par_gather(const void *buf, size_t len, unsigned char ***all, size_t **lens)
{
    *all = calloc(1, sizeof **all);
    *lens = calloc(1, sizeof **lens);
    if (!*all || !*lens || !((*all)[0] = malloc(len ? len : 1))) {
        free(*all ? (*all)[0] : NULL);
        free(*all);
        free(*lens);
        *all = NULL;
        *lens = NULL;
        return -1;
    }
    if (len)
        memcpy((*all)[0], buf, len);
    (*lens)[0] = len;
    return 0;
}

#endif
