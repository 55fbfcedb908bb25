#!/bin/sh
# bench/hpc.sh - scaling of `magsim sweep` in MPI ranks on this machine, and the merge and
# checkpoint overheads (docs/hpc.md has the numbers and what they predict for 64 nodes).
#
#   make bench-hpc     (needs the MPI build: make MPI=1; Open MPI's mpirun)
#
# strong scaling: the same 16-point sweep at 1 rank x 1 thread, 1 x 2 and 2 x 1;
# weak scaling:   8 points on 1 rank x 1 thread against 16 points on 2 ranks x 1 thread;
# overheads:      a point at 64 paths (load, compile, record: the fixed cost of a point),
#                 the record's size, and `magsim merge` of 4 shards of the 50-point sweep.
# BENCH_HPC_PATHS (default 2000) paths per point.  Wall times are the best of two.
set -e
S=${MAGSIM:-build/release/magsim}
M=${MAGSIM_MPI:-build/release-mpi/magsim}
P=${BENCH_HPC_PATHS:-2000}
T=$(mktemp -d "${TMPDIR:-/tmp}/magsim-bench-hpc.XXXXXX")
trap 'rm -rf "$T"' EXIT
MPIRUN="mpirun --allow-run-as-root --oversubscribe --bind-to none"
SC=$(pwd)/scenarios/april2025_controls.yaml
mk() { # NAME NPOINTS: a grid over approval with NPOINTS values
    v=$(awk -v n="$2" 'BEGIN { for (i = 0; i < n; i++) printf "%s%.4f", i ? ", " : "", 0.05 + 0.9 * i / n }')
    printf 'magsim: 1\nscenario: %s\npaths: %s\ninputs:\n  - {key: policies.april_licensing_ndfeb.license.approval_end, values: [%s]}\n' "$SC" "$P" "$v" >"$T/$1.yaml"
}
best() { # COMMAND...: best wall seconds of two runs
    b=
    for k in 1 2; do
        rm -rf "$T/o" "$T/o.ckpt"
        t0=$(date +%s.%N)
        "$@" >/dev/null 2>&1
        t=$(echo "$(date +%s.%N) - $t0" | bc)
        b=$(echo "if (\"$b\" == \"\" || $t < 0$b) $t else 0$b" | bc 2>/dev/null || echo "$t")
        [ -z "$b" ] && b=$t
    done
    printf '%.2f' "$b"
}
mk p16 16
mk p8 8
echo "# magsim sweep scaling on $(nproc) cores ($(uname -m)), $(date -u +%Y-%m-%d), $P paths per point"
a=$(best "$S" sweep "$T/p16.yaml" -o "$T/o" -q -j 1)
b=$(best "$S" sweep "$T/p16.yaml" -o "$T/o" -q -j 2)
c=$(best $MPIRUN -n 2 -x OMP_NUM_THREADS=1 "$M" sweep "$T/p16.yaml" -o "$T/o" -q -j 1)
echo "strong  16 points  1 rank x 1 thread   ${a} s"
echo "strong  16 points  1 rank x 2 threads  ${b} s   speed-up $(echo "scale=2; $a / $b" | bc)"
echo "strong  16 points  2 ranks x 1 thread  ${c} s   speed-up $(echo "scale=2; $a / $c" | bc)"
w1=$(best "$S" sweep "$T/p8.yaml" -o "$T/o" -q -j 1)
echo "weak     8 points  1 rank x 1 thread   ${w1} s"
echo "weak    16 points  2 ranks x 1 thread  ${c} s   efficiency $(echo "scale=2; $w1 / $c" | bc)"
mk one 1
sed -i "s/^paths: .*/paths: 64/" "$T/one.yaml"
o=$(best "$S" sweep "$T/one.yaml" -o "$T/o" -q -j 1)
"$S" sweep "$T/one.yaml" -o "$T/o1" -q -j 1 >/dev/null 2>&1
echo "point overhead: a 64-path point ${o} s wall (process start, load, compile, run, record); record $(($(wc -c <"$T/o1/sweep.csv"))) bytes"
for i in 0 1 2 3; do "$S" sweep sweeps/approval_cover.yaml -n 64 --shard $i/4 -o "$T/s$i" -q -j 2 >/dev/null 2>&1; done
m=$(best "$S" merge -o "$T/o" "$T/s0" "$T/s1" "$T/s2" "$T/s3")
echo "merge:  4 shards of the 50-point sweep ($(du -sk "$T/s0" | cut -f1) KiB each) ${m} s"
