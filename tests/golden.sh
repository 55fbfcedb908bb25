#!/bin/sh
# tests/golden.sh - golden outputs: summary.csv and timeseries.csv of every
# shipped scenario (and the reference-size bench scenario) at 2,000 paths with
# the scenario's own seed, compared byte for byte with tests/golden/.
#
#   MAGSIM=build/release/magsim sh tests/golden.sh            compare (make golden)
#   MAGSIM=build/release/magsim sh tests/golden.sh --update   rewrite the goldens
#
# Each scenario runs twice, with the engine variant this machine picks and
# with MAGSIM_ISA=baseline (the two variants must give the same bytes).
# A refactor must leave every file identical.  A change of the model moves
# them on purpose: rerun with --update in the same commit and say in
# docs/scenarios.md how the results moved.  The goldens are stored gzipped
# (gzip -n: no name or time stamp, so an unchanged file gives the same bytes).
# The last line is "N passed, M failed"; the status is non-zero on a failure.
set -u
: "${MAGSIM:?set MAGSIM to the magsim binary}"
case "$MAGSIM" in /*) ;; *) MAGSIM="$(pwd)/$MAGSIM" ;; esac
cd "$(dirname "$0")/.." || exit 2
G=tests/golden
PATHS=2000
update=0
[ "${1:-}" = "--update" ] && update=1
T=$(mktemp -d "${TMPDIR:-/tmp}/magsim-golden.XXXXXX") || exit 2
trap 'rm -rf "$T"' EXIT
pass=0
fail=0
for sc in scenarios/*.yaml bench/scenarios/bench_10x6x8.yaml; do
    n=$(basename "$sc" .yaml)
    if ! "$MAGSIM" run "$sc" --paths "$PATHS" --threads 2 --quiet --out "$T/$n" 2>"$T/err" ||
       ! MAGSIM_ISA=baseline "$MAGSIM" run "$sc" --paths "$PATHS" --threads 2 --quiet --out "$T/$n.base" 2>"$T/err"; then
        echo "FAIL $n: the run failed"
        sed -e 's/^/       | /' "$T/err" | head -n 10
        fail=$((fail + 1))
        continue
    fi
    for f in summary.csv timeseries.csv; do
        if cmp -s "$T/$n/$f" "$T/$n.base/$f"; then
            pass=$((pass + 1))
        else
            echo "FAIL $n $f: the baseline engine variant (MAGSIM_ISA=baseline) gives other bytes"
            fail=$((fail + 1))
        fi
        g="$G/$n.$f.gz"
        if [ "$update" = 1 ]; then
            gzip -n -9 -c "$T/$n/$f" >"$g"
            echo "wrote $g"
            continue
        fi
        if [ ! -f "$g" ]; then
            echo "FAIL $n $f: no golden file $g (run with --update)"
            fail=$((fail + 1))
        elif gzip -dc "$g" | cmp -s - "$T/$n/$f"; then
            echo "ok   $n $f identical"
            pass=$((pass + 1))
        else
            echo "FAIL $n $f differs from $g; first differences:"
            gzip -dc "$g" | diff - "$T/$n/$f" | head -n 8 | sed -e 's/^/       | /'
            fail=$((fail + 1))
        fi
    done
done
[ "$update" = 1 ] && exit 0
echo "$pass passed, $fail failed"
nofma=
grep -qw fma /proc/cpuinfo 2>/dev/null || nofma="this CPU has no FMA"
case "${GLIBC_TUNABLES:-}" in *-FMA*) nofma="GLIBC_TUNABLES hides FMA from glibc" ;; esac
if [ "$fail" -gt 0 ] && [ -n "$nofma" ]; then
    echo "note: $nofma, and the golden files were made with it: glibc's pow and exp round some"
    echo "      values differently without it (docs/hpc.md, Reproducibility across machines)"
fi
[ "$fail" -eq 0 ]
