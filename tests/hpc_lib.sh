# tests/hpc_lib.sh - helpers shared by tests/hpc.sh, tests/mpi.sh and tests/slurm.sh (sourced).
# Sets T (a temporary directory removed at exit), pass/fail counters, check/run/has_err, and
# same_sweep A B: sweep.csv and sweep.json of two result directories are byte-identical.
T=$(mktemp -d "${TMPDIR:-/tmp}/magsim-hpc.XXXXXX") || exit 2
trap 'rm -rf "$T"' EXIT
trap 'exit 130' INT TERM
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
no() {
    fail=$((fail + 1))
    echo "FAIL $1"
    if [ -s "$T/err" ]; then sed -e 's/^/       | /' "$T/err" | head -n 15; fi
}
check() { name=$1; shift; if "$@"; then ok "$name"; else no "$name"; fi; }
run() { "$@" >"$T/out" 2>"$T/err"; rc=$?; }
has_err() { grep -F -q -- "$1" "$T/err"; }
is_rc() { [ "$rc" -eq "$1" ]; }
same_sweep() { cmp -s "$1/sweep.csv" "$2/sweep.csv" && cmp -s "$1/sweep.json" "$2/sweep.json"; }
finish() { echo "$pass passed, $fail failed"; [ "$fail" -eq 0 ]; }
