#!/bin/sh
# tests/mpi.sh - the MPI build under mpirun: `magsim sweep` (points whole per rank, and a sweep of
# fewer points than ranks, whose blocks are split over ranks) and `magsim run` at 1, 2 and 3 ranks,
# byte for byte against the serial build; a rank killed mid-sweep fails mpirun and leaves a
# checkpoint that --resume completes.
#
#   MAGSIM=build/release/magsim MAGSIM_MPI=build/release-mpi/magsim sh tests/mpi.sh   (make check-mpi)
set -u
: "${MAGSIM:?serial magsim}" "${MAGSIM_MPI:?the MPI build of magsim}"
cd "$(dirname "$0")/.." || exit 2
. tests/hpc_lib.sh
P="${HPC_PATHS:-128}"
SW=sweeps/approval_cover.yaml
MPIRUN="timeout 600 mpirun --allow-run-as-root --oversubscribe"
export OMPI_MCA_rmaps_base_oversubscribe=1

"$MAGSIM" sweep "$SW" -n "$P" -o "$T/serial" -q -j 2 >/dev/null 2>&1 || no "serial sweep"
for n in 1 2 3; do
    run $MPIRUN -n $n "$MAGSIM_MPI" sweep "$SW" -n "$P" -o "$T/mpi$n" -q -j 1
    check "mpirun -n $n sweep: exit 0" is_rc 0
    check "mpirun -n $n sweep: byte-identical to the serial run" same_sweep "$T/serial" "$T/mpi$n"
done
check "the manifest records 3 ranks" grep -q '"ranks": 3' "$T/mpi3/manifest.json"

# fewer points than ranks: each point's blocks over every rank, merged exactly on rank 0
printf 'magsim: 1\nscenario: %s/scenarios/april2025_controls.yaml\npaths: 300\ninputs:\n  - {key: policies.april_licensing_ndfeb.license.approval_end, values: [0.3, 0.9]}\n' "$(pwd)" >"$T/two.yaml"
"$MAGSIM" sweep "$T/two.yaml" -o "$T/two1" -q >/dev/null 2>&1
run $MPIRUN -n 3 "$MAGSIM_MPI" sweep "$T/two.yaml" -o "$T/two3" -q -j 1
check "2 points on 3 ranks (blocks split): byte-identical" same_sweep "$T/two1" "$T/two3"

# one run's paths over ranks
SC=scenarios/april2025_controls.yaml
"$MAGSIM" run "$SC" -n 500 -q -j 2 -o "$T/run1" >/dev/null 2>&1
for n in 1 2 3; do
    run $MPIRUN -n $n "$MAGSIM_MPI" run "$SC" -n 500 -q -j 1 -o "$T/runm$n"
    for f in summary.csv timeseries.csv summary.json; do
        check "mpirun -n $n run: $f byte-identical" cmp -s "$T/run1/$f" "$T/runm$n/$f"
    done
done

# a rank that dies: mpirun fails, the checkpoint stays usable
$MPIRUN -n 2 "$MAGSIM_MPI" sweep "$SW" -n "$P" -o "$T/dead" -q -j 1 >"$T/out" 2>"$T/err" &
pid=$!
i=0
while [ $i -lt 600 ] && [ "$(ls "$T/dead.ckpt" 2>/dev/null | grep -c '^point-')" -lt 10 ]; do sleep 0.1; i=$((i + 1)); done
victim=$(pgrep -f "$MAGSIM_MPI sweep" | tail -n 1)
[ -n "$victim" ] && kill -KILL "$victim"
wait "$pid"
rc=$?
check "a rank killed: mpirun fails" [ "$rc" -ne 0 ]
check "a rank killed: mpirun says a process died" grep -q -i -E "signal 9|killed|exited on signal|terminated" "$T/err"
run "$MAGSIM" sweep "$SW" -n "$P" -o "$T/dead" -q -j 2 --resume
check "after the dead rank: --resume (serial) completes" is_rc 0
check "after the dead rank: byte-identical to the serial run" same_sweep "$T/serial" "$T/dead"
finish
