#!/bin/sh
# tests/stop.sh - bounded stopping, end to end: after SIGTERM or SIGINT,
# magsim stops within a second plus the time to write its files, whatever
# --paths asks for (sim/runctl.c: every driver of the engine reads the stop
# flag before it takes a block).
#
#   MAGSIM=build/release/magsim sh tests/stop.sh        (make e2e does this)
#
# For each signal: `magsim SCENARIO --paths 1000000000000 --out DIR` (10^12
# paths: about ten years at full speed) in the background, the signal after
# STOP_AFTER seconds (default 3), then it must exit within STOP_LIMIT seconds
# (default 5) with status 4 and a partial result in DIR: manifest.json says
# "partial": true, paths_requested 10^12, paths_done > 0 and a multiple of
# MS_BLOCK (64: every thread finishes the blocks it holds, up to
# MS_ACCUM_GROUP of them, and takes no other; 10^12 is a multiple of 64, so
# no block is cut short), summary.csv with its
# header and rows, no temporary directory left.  tests/e2e.sh interrupts a
# run of 10^9 paths with SIGINT and checks the files; this one is about the
# time it takes.  Then the same for `magsim compare` of the scenario with
# itself (SIGTERM): its own driver (sim/compare.c) must stop as fast.
#
# Environment: STOP_SCENARIO (default scenarios/april2025_controls.yaml),
# STOP_AFTER, STOP_LIMIT (raise it under a slow sanitizer).
# The last line is "N passed, M failed"; the status is non-zero on any failure.

set -u
: "${MAGSIM:?set MAGSIM to the magsim binary}"
case "$MAGSIM" in /*) ;; *) MAGSIM="$(pwd)/$MAGSIM" ;; esac
cd "$(dirname "$0")/.." || exit 2

SC="${STOP_SCENARIO:-scenarios/april2025_controls.yaml}"
AFTER="${STOP_AFTER:-3}"
LIMIT="${STOP_LIMIT:-5}"
HUGE=1000000000000
BLOCK=64 # MS_BLOCK, include/magsim/accum.h
SUMMARY_HDR="metric,importer,industry,product,mean,sd,se,q05,q50,q95,q99,p_pos,cvar95"

T=$(mktemp -d "${TMPDIR:-/tmp}/magsim-stop.XXXXXX") || exit 2
spid=""
cleanup() {
    [ -n "$spid" ] && kill -KILL "$spid" 2>/dev/null
    rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

. tests/e2e_lib.sh # pass/fail counters, check, json_ok, first_line_is, no_tmp_left

echo "stop: $MAGSIM, scenario $SC, $HUGE paths, signal after ${AFTER} s, exit within ${LIMIT} s"

# Milliseconds since the epoch (date +%N is GNU; python3 or whole seconds otherwise).
now_ms() {
    case "$(date +%N 2>/dev/null)" in
    [0-9]*) echo $(($(date +%s%N) / 1000000)) ;;
    *) if command -v python3 >/dev/null 2>&1; then
           python3 -c 'import time; print(int(time.time() * 1000))'
       else
           echo $(($(date +%s) * 1000))
       fi ;;
    esac
}

# A number field of manifest.json ("paths_done": 2560) on its own line.
manifest_num() { sed -n "s/^ *\"$1\": \\([0-9][0-9]*\\),*\$/\\1/p" "$2"; }

# interrupt SIG CMD...: run CMD in the background, send SIG after AFTER s, time the exit.
# Sets rc and ms; returns 1 (with the failure counted) when it did not run or did not exit.
interrupt() {
    sig=$1
    shift
    "$@" >"$T/out" 2>"$T/err" &
    spid=$!
    sleep "$AFTER"
    if ! kill -0 "$spid" 2>/dev/null; then
        wait "$spid"
        no "$sig: magsim $2 was still running after ${AFTER} s (it exited $?)"
        spid=""
        return 1
    fi
    t0=$(now_ms)
    kill -"$sig" "$spid"
    # wait up to LIMIT s for it to exit, polling every 0.1 s; then kill it
    i=0
    while kill -0 "$spid" 2>/dev/null && [ $i -lt $((LIMIT * 10)) ]; do
        sleep 0.1
        i=$((i + 1))
    done
    t1=$(now_ms)
    if kill -0 "$spid" 2>/dev/null; then
        kill -KILL "$spid" 2>/dev/null
        wait "$spid" 2>/dev/null
        spid=""
        no "$sig: magsim $2 did not exit within ${LIMIT} s of the signal (killed)"
        return 1
    fi
    wait "$spid"
    rc=$?
    spid=""
    ms=$((t1 - t0))
    echo "     $sig ($2): exited $rc, $ms ms after the signal"
}

# stop_case SIG: a run, signalled; the exit timed and the partial result checked.
stop_case() {
    sig=$1
    out="$T/out_$sig"
    interrupt "$sig" "$MAGSIM" run "$SC" --paths "$HUGE" --out "$out" --quiet || return
    check "$sig: exits within ${LIMIT} s of the signal ($ms ms)" [ "$ms" -le $((LIMIT * 1000)) ]
    check "$sig: exit status 4 (interrupted, partial result written)" is_rc 4
    check "$sig: says how many paths it did" grep -q "interrupted after [0-9]* of $HUGE paths" "$T/err"
    m="$out/manifest.json"
    check "$sig: manifest.json is JSON" json_ok "$m"
    check "$sig: manifest says partial" grep -q '"partial": true' "$m"
    req=$(manifest_num paths_requested "$m")
    done_=$(manifest_num paths_done "$m")
    check "$sig: paths_requested is $HUGE" [ "${req:-0}" = "$HUGE" ]
    check "$sig: paths_done > 0 (${done_:-none})" [ "${done_:-0}" -gt 0 ]
    check "$sig: paths_done is a multiple of $BLOCK" [ $((${done_:-1} % BLOCK)) -eq 0 ]
    check "$sig: summary.csv has its header" first_line_is "$out/summary.csv" "$SUMMARY_HDR"
    check "$sig: summary.csv has rows" [ "$(wc -l <"$out/summary.csv")" -gt 1 ]
    check "$sig: no temporary directory left" no_tmp_left
}

# compare_case: the same for compare (its own driver of the engine, sim/compare.c), SIGTERM.
compare_case() {
    out="$T/out_compare"
    interrupt TERM "$MAGSIM" compare "$SC" "$SC" --paths "$HUGE" --out "$out" --quiet || return
    check "compare: exits within ${LIMIT} s of the signal ($ms ms)" [ "$ms" -le $((LIMIT * 1000)) ]
    check "compare: exit status 4 (interrupted, partial result written)" is_rc 4
    check "compare: manifest says partial" grep -q '"partial": true' "$out/manifest.json"
    done_=$(manifest_num paths_done "$out/manifest.json")
    check "compare: paths_done > 0 and a multiple of $BLOCK (${done_:-none})" \
        sh -c "[ ${done_:-0} -gt 0 ] && [ \$((${done_:-1} % $BLOCK)) -eq 0 ]"
    check "compare: no temporary directory left" no_tmp_left
}

stop_case TERM
stop_case INT
compare_case

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
