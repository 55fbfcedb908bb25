/*
 * sim/cli/par.h - the program's one window on MPI (sim/cli/par.c).
 *
 * `make MPI=1` builds with mpicc and defines MAGSIM_MPI; par.c is then the
 * only file that includes mpi.h.  The serial build has the same functions
 * for one rank, so no other file has an #ifdef.  MPI is initialised only
 * when magsim was started by mpirun or srun (their environment says so): an
 * MPI build run on its own is a plain serial program.  A serial build
 * started by mpirun with more than one process refuses to run (each copy
 * would do all the work and race for the same files).
 */
#ifndef MAGSIM_CLI_PAR_H
#define MAGSIM_CLI_PAR_H

#include <stddef.h>

/* Start MPI when launched by mpirun/srun (MPI_THREAD_FUNNELED: OpenMP
 * threads never call MPI).  0, or -1 after a message. */
int cli_par_init(int *argc, char ***argv);
void cli_par_finalize(void);
int cli_par_rank(void);
int cli_par_size(void);
/* 1 on every rank when flag is non-zero on any rank (a collective). */
int cli_par_any(int flag);
void cli_par_barrier(void);
/* Gather each rank's bytes on rank 0: there *all[r] (malloc'd, free each
 * and the array) and (*lens)[r]; elsewhere *all = NULL.  0, or -1. */
int cli_par_gather(const void *buf, size_t len, unsigned char ***all, size_t **lens);
/* End every rank now with this exit status (after a message). */
void cli_par_abort(int code);
/* "MPI" or "serial", for manifests. */
const char *cli_par_kind(void);

#endif
