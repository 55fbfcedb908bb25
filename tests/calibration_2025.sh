#!/bin/sh
# tests/calibration_2025.sh - the default scenario reproduces the in-sample
# record of 2025 (issue: "2025 as it happened"; docs/scenarios.md,
# "Calibration and backtest").
#
#   MAGSIM=build/release/magsim sh tests/calibration_2025.sh     (make e2e runs it)
#
# `magsim backtest scenarios/april2025_controls.yaml
# data/observed/in_sample_2025.csv` at the scenario's own paths and seed:
# every in-sample observation (China's exports to the world and to the US,
# May and June 2025) inside the simulated 90% band (--require-coverage 1,
# exit 0), and the simulated median within 25% of each observation.  When
# the model or the scenario changes, this says whether the calibration still
# holds; docs/scenarios.md gives the numbers.

set -u
: "${MAGSIM:?set MAGSIM to the magsim binary}"
case "$MAGSIM" in /*) ;; *) MAGSIM="$(pwd)/$MAGSIM" ;; esac
cd "$(dirname "$0")/.." || exit 2
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); printf 'ok   %s\n' "$1"; }
ko() { fail=$((fail + 1)); printf 'FAIL %s\n' "$1"; }

"$MAGSIM" backtest scenarios/april2025_controls.yaml data/observed/in_sample_2025.csv --require-coverage 1 \
    --out "$T/bt" --quiet >"$T/out" 2>&1
rc=$?
if [ "$rc" -eq 0 ]; then ok "every observation inside its 90% band (--require-coverage 1: exit 0)"
else ko "every observation inside its 90% band (exit $rc)"; cat "$T/out"; fi
if [ -f "$T/bt/backtest.csv" ]; then
    bad=$(awk -F, 'NR > 1 { e = $16 < 0 ? -$16 : $16; if (e > 0.25) printf "%s %s %s: median off by %.1f%%\n", $2, $3, $5, 100 * $16 }' \
        "$T/bt/backtest.csv")
    if [ -z "$bad" ]; then ok "every simulated median within 25% of its observation"
    else ko "every simulated median within 25% of its observation"; printf '%s\n' "$bad"; fi
    n=$(tail -n +2 "$T/bt/backtest.csv" | wc -l)
    if [ "$n" -eq 4 ]; then ok "the four in-sample observations scored"; else ko "the four in-sample observations scored ($n)"; fi
else
    ko "backtest.csv written"
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
