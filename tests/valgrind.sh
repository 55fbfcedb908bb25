#!/bin/sh
# tests/valgrind.sh - memory errors and leaks under valgrind (make memcheck).
#
#   MAGSIM=build/release/magsim sh tests/valgrind.sh
#
# Runs magsim under valgrind --leak-check=full on: a small run with --out
# (200 paths, 1 thread), a run of a scenario with extends:, a failed
# validation (several errors), a validation of every bad fixture at once,
# a refused run (--max-memory), the report of a result (cairo, fontconfig)
# and of a directory that is not one.  Any memory error or any definite or
# indirect leak fails the check.  "Still reachable" blocks are allowed: the
# OpenMP runtime keeps its thread pool until exit.
set -u
: "${MAGSIM:?set MAGSIM to the magsim binary}"
case "$MAGSIM" in /*) ;; *) MAGSIM="$(pwd)/$MAGSIM" ;; esac
cd "$(dirname "$0")/.." || exit 2
if ! command -v valgrind >/dev/null 2>&1; then
    echo "memcheck: valgrind not found (apt-get install valgrind)" >&2
    exit 2
fi
T=$(mktemp -d "${TMPDIR:-/tmp}/magsim-vg.XXXXXX") || exit 2
trap 'rm -rf "$T"' EXIT
VG="valgrind --quiet --leak-check=full --errors-for-leak-kinds=definite,indirect
    --show-leak-kinds=definite,indirect --error-exitcode=99 --num-callers=30"
pass=0
fail=0
# vg NAME EXPECTED-STATUS ARGS...
vg() {
    name=$1
    want=$2
    shift 2
    # shellcheck disable=SC2086
    $VG "$MAGSIM" "$@" >"$T/out" 2>"$T/err"
    rc=$?
    if [ "$rc" -eq "$want" ]; then
        pass=$((pass + 1))
        echo "ok   $name (exit $rc, no leak, no memory error)"
    else
        fail=$((fail + 1))
        echo "FAIL $name (exit $rc, wanted $want; 99 is a valgrind finding)"
        sed -e 's/^/       | /' "$T/err" | head -n 60
    fi
}
SC=scenarios/april2025_controls.yaml
[ -f "$SC" ] || SC=tests/fixtures/good/full.yaml
vg "run --paths 200 --threads 1 --out" 0 run "$SC" --paths 200 --threads 1 --out "$T/res" --quiet
vg "run --force over it" 0 run "$SC" --paths 64 --threads 1 --out "$T/res" --force --quiet
vg "run with extends:" 0 run tests/fixtures/extends/child.yaml --paths 64 --threads 1 --quiet
vg "failed validation" 3 validate tests/fixtures/bad/sum_shares.yaml
vg "every bad fixture" 3 validate tests/fixtures/bad/*.yaml
vg "run of an invalid scenario" 3 run tests/fixtures/bad/unknown_key.yaml --paths 64
vg "refused run (--max-memory)" 1 run "$SC" --paths 64 --max-memory 2M
vg "existing --out without --force" 1 run "$SC" --paths 64 --out "$T/res"
vg "report of a result" 0 report "$T/res" --quiet
vg "report of something that is not a result" 3 report "$T/res/report"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
