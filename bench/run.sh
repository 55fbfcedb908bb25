#!/bin/sh
# Benchmarks: paths per second and scaling for the shipped scenarios, and
# peak memory at 1e4 and 1e6 paths.  Run with `make bench`; BENCH_PATHS
# overrides the path count of the scaling runs.
set -e
B=${BENCH_BIN:-build/release/bench/bench_engine}
P=${BENCH_PATHS:-20000}
echo "# magsim benchmarks on $(nproc) cores ($(uname -m)), $(date -u +%Y-%m-%d)"
for s in bench/scenarios/bench_10x6x8.yaml scenarios/april2025_controls.yaml scenarios/allied_buildout.yaml; do
    [ -f "$s" ] || continue
    "$B" "$s" "$P"
    echo
done
echo "# peak memory: 1e4 versus 1e6 paths (april2025_controls, all cores; BENCH_BIG=0 skips the 1e6 run)"
"$B" scenarios/april2025_controls.yaml 10000 "$(nproc)" | tail -1
[ "${BENCH_BIG:-1}" = 0 ] || "$B" scenarios/april2025_controls.yaml 1000000 "$(nproc)" | tail -1
echo
echo "# accumulator costs (ns per value)"
"$(dirname "$B")/bench_accum"
echo
echo "# compare and sensitivity: cost per model evaluation against run's per path (1 thread)"
"$(dirname "$B")/bench_analysis" scenarios/april2025_controls.yaml scenarios/oct2025_expansion.yaml "${BENCH_ROWS:-64}" 1024
echo
echo "# backtest: cost per path against run's, and the scores (1 thread)"
"$(dirname "$B")/bench_backtest" scenarios/april2025_controls.yaml data/observed/in_sample_2025.csv "${BENCH_BT_PATHS:-4096}"
