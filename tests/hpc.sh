#!/bin/sh
# tests/hpc.sh - sweeps without MPI: `magsim sweep`, `--shard` and `magsim merge`, checkpoint and
# --resume after SIGTERM, located errors in sweep files, and refusals (merge of mixed, duplicate or
# missing shards; two sweeps on one output; a resume of another sweep; a serial build under mpirun).
#
#   MAGSIM=build/release/magsim sh tests/hpc.sh        (make hpc, part of make check)
#
# The sweep is sweeps/approval_cover.yaml (50 points over two inputs of the default scenario) at
# HPC_PATHS paths per point (default 128).  The last line is "N passed, M failed".
set -u
: "${MAGSIM:?set MAGSIM to the magsim binary}"
case "$MAGSIM" in /*) ;; *) MAGSIM="$(pwd)/$MAGSIM" ;; esac
cd "$(dirname "$0")/.." || exit 2
. tests/hpc_lib.sh
P="${HPC_PATHS:-128}"
SW=sweeps/approval_cover.yaml
FX=tests/fixtures/sweeps

# ---- located errors --------------------------------------------------------------------------
run "$MAGSIM" sweep "$FX/bad_input.yaml" --dry-run
check "unknown input: exit 3" is_rc 3
check "unknown input: located, with the nearest key" has_err "bad_input.yaml:4:10: error: no input 'policies.april_licensing_ndfeb.license.aproval'"
check "unknown input: did you mean" has_err "(did you mean 'policies.april_licensing_ndfeb.license.approval'?)"
check "value outside the domain: located at the value" has_err "bad_input.yaml:7:17: error: -2 is outside the domain"
run "$MAGSIM" sweep "$FX/bad_zero.yaml" --dry-run
check "zero points: located" has_err "bad_zero.yaml:3:29: error: points: 0 is a design with zero points"
check "range outside the domain: located at max" has_err "bad_zero.yaml:5:75: error: 1.5 is outside the domain"
run "$MAGSIM" sweep "$FX/bad_keys.yaml" --dry-run
check "unknown key: did you mean" has_err "bad_keys.yaml:3:1: error: unknown key 'path' in the sweep file (did you mean 'paths'?)"
check "unknown design" has_err "bad_keys.yaml:4:9: error: unknown design 'latin'"
check "empty inputs" has_err "bad_keys.yaml:5:9: error: inputs:"
run "$MAGSIM" sweep "$SW"
check "no --out: usage error" is_rc 2

# ---- a serial sweep, threads ------------------------------------------------------------------
run "$MAGSIM" sweep "$SW" -n "$P" -o "$T/j1" -j 1 -q
check "sweep -j1 exits 0" is_rc 0
rows=$(($(wc -l <"$T/j1/sweep.csv") - 1))
"$MAGSIM" run scenarios/april2025_controls.yaml -n 64 -q --no-series -o "$T/one" >/dev/null 2>&1
per=$(($(wc -l <"$T/one/summary.csv") - 1))
check "sweep.csv: 50 points x $per rows" [ "$rows" -eq $((50 * per)) ]
check "sweep.csv header" [ "$(head -n 1 "$T/j1/sweep.csv")" = "point,policies.april_licensing_ndfeb.license.approval_end,importers.usa.industries.ev_traction.cover_months,$(head -n 1 "$T/one/summary.csv")" ]
check "point 49 is (0.9, 5)" grep -q '^49,0.9,5,shortage_t,' "$T/j1/sweep.csv"
check "point 11 is (0.45, 1)" grep -q '^11,0.45,1,shortage_t,' "$T/j1/sweep.csv"
check "sweep.json is JSON with 50 x $per rows" python3 -c "import json,sys; d=json.load(open('$T/j1/sweep.json')); sys.exit(len(d['rows'])!=$rows or d['npoints']!=50)"
check "the output has its copies and manifest" test -s "$T/j1/sweep.yaml" -a -s "$T/j1/scenario.yaml" -a -s "$T/j1/manifest.json"
check "no checkpoint left after success" test ! -e "$T/j1.ckpt"
run "$MAGSIM" sweep "$SW" -n "$P" -o "$T/new/parent/j2" -j 2 -q
check "sweep -j2 into missing parents exits 0" is_rc 0
check "sweep -j2: byte-identical to -j1" same_sweep "$T/j1" "$T/new/parent/j2"

# ---- a point is the hand-edited scenario (same seed: common random numbers) ------------------
run "$MAGSIM" sweep "$FX/cover1.yaml" -o "$T/c1" -q
printf 'magsim: 1\nextends: %s/scenarios/april2025_controls.yaml\nimporters: {usa: {industries: {ev_traction: {cover_months: 2.5}}}}\n' "$(pwd)" >"$T/edited.yaml"
"$MAGSIM" run "$T/edited.yaml" -n 192 -s 99 --no-series -q -o "$T/ed" >/dev/null 2>&1
tail -n +2 "$T/c1/sweep.csv" | sed 's/^0,2.5,//' >"$T/c1rows"
tail -n +2 "$T/ed/summary.csv" >"$T/edrows"
check "a point's rows = summary.csv of the hand-edited scenario" cmp -s "$T/c1rows" "$T/edrows"

# ---- Slurm-style shards and merge ---------------------------------------------------------------
for i in 0 1 2 3; do
    SLURM_ARRAY_TASK_ID=$((i + 10)) SLURM_ARRAY_TASK_MIN=10 SLURM_ARRAY_TASK_COUNT=4 \
        "$MAGSIM" sweep "$SW" -n "$P" -o "$T/s$i" -q -j 2 >/dev/null 2>"$T/err" || no "shard $i"
done
check "SLURM_ARRAY_TASK_ID 12 of 10..13 is shard 2/4" grep -q '^shard 2/4$' "$T/s2/shard.id"
run "$MAGSIM" merge -o "$T/m" "$T/s3" "$T/s1" "$T/s0" "$T/s2"
check "merge exits 0" is_rc 0
check "merge of 4 shards: byte-identical to the serial run" same_sweep "$T/j1" "$T/m"
run "$MAGSIM" merge -o "$T/m2" "$T/s0" "$T/s1" "$T/s1" "$T/s2"
check "merge: duplicate shard named" has_err "$T/s1 and $T/s1 are both shard 1/4"
check "merge: missing shard named" has_err "shard 3/4 is missing"
check "merge refused: exit 3, nothing written" [ "$rc" -eq 3 -a ! -e "$T/m2" ]
sed 's/^seed: 20250404 /seed: 7 /' "$SW" >"sweeps/.hpc-test-$$.yaml"
"$MAGSIM" sweep "sweeps/.hpc-test-$$.yaml" -n "$P" --shard 3/4 -o "$T/x3" -q -j 2 >/dev/null 2>&1
rm -f "sweeps/.hpc-test-$$.yaml"
run "$MAGSIM" merge -o "$T/m3" "$T/s0" "$T/s1" "$T/s2" "$T/x3"
check "merge: another sweep's shard named, with what differs" has_err "$T/s0 and $T/x3 are shards of different sweeps: sweep_sha256"
check "merge: the seed differs" has_err "seed is 20250404 in one, 7 in the other"

# ---- checkpoint: SIGTERM halfway, resume ------------------------------------------------------
"$MAGSIM" sweep "$SW" -n "$P" -o "$T/r" -q -j 2 >/dev/null 2>"$T/err" &
pid=$!
i=0
while [ $i -lt 600 ] && [ ! -f "$T/r.ckpt/point-0000020.csv" ]; do sleep 0.1; i=$((i + 1)); done
kill -TERM "$pid"
wait "$pid"
rc=$?
check "SIGTERM: exit 4" is_rc 4
n=$(ls "$T/r.ckpt" | grep -c '^point-')
check "SIGTERM: finished points recorded ($n of 50)" [ "$n" -ge 20 -a "$n" -lt 50 ]
check "SIGTERM: no result directory" test ! -e "$T/r"
check "SIGTERM: says how to resume" has_err "continue with the same command and --resume"
run "$MAGSIM" sweep "$SW" -n "$P" -o "$T/r" -q -j 2
check "without --resume: the checkpoint is not overwritten" has_err "holds the checkpoint of an earlier sweep"
run "$MAGSIM" sweep "$SW" -n $((P + 64)) -o "$T/r" -q -j 2 --resume
check "--resume of another sweep: refused, naming what differs" has_err "has \"paths $P\"; this sweep has \"paths $((P + 64))\""
run "$MAGSIM" sweep "$SW" -n "$P" -o "$T/r" -j 2 --resume
check "--resume exits 0" is_rc 0
check "--resume: the points left" has_err "resuming: $((50 - n)) of 50 points left"
check "killed and resumed: byte-identical to an uninterrupted run" same_sweep "$T/j1" "$T/r"

# ---- one output, one sweep --------------------------------------------------------------------
"$MAGSIM" sweep "$SW" -n "$P" -o "$T/l" -q -j 1 >/dev/null 2>&1 &
pid=$!
i=0
while [ $i -lt 300 ] && [ ! -f "$T/l.ckpt/sweep.id" ]; do sleep 0.1; i=$((i + 1)); done
run "$MAGSIM" sweep "$SW" -n "$P" -o "$T/l" -q -j 1 --resume
check "two sweeps on one output: the second is refused" has_err "is in use by another sweep"
kill -TERM "$pid"
wait "$pid"
run env OMPI_COMM_WORLD_SIZE=2 "$MAGSIM" sweep "$SW" -o "$T/z"
check "a serial build under mpirun -n 2 refuses" has_err "built without MPI"
finish
