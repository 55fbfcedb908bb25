#!/bin/sh
# tests/backtest.sh - end-to-end tests of `magsim backtest`.
#
#   MAGSIM=build/release/magsim sh tests/backtest.sh     (make e2e runs it)
#
# The default scenario against the shipped in-sample observations
# (data/observed/in_sample_2025.csv) at 1,000 paths: the files, their
# columns, the invariants of every row (0 <= PIT <= 1, ordered quantiles,
# CRPS >= 0, in50 implies in90, band flags that agree with the quantiles,
# the relative error from the median), backtest.json against the CSV and
# the observations file's SHA-256, the same bytes at 1 and 2 threads, the
# run's files equal to `magsim run`'s, the report's backtest figure.  No
# simulated number of the default scenario is asserted: the model and its
# calibration change independently of this command.
# Then: usage errors (exit 2, --require-coverage 1.01 included), a bad
# observations file (every error located, exit 3, nothing written),
# --require-coverage against observations certainly outside the bands
# (1e9 t: exit 5, the result still written) and certainly inside them (the
# simulated medians themselves: exit 0), --max-memory, an existing --out,
# SIGINT (exit 4, partial result).
#
# The last line is "N passed, M failed"; the status is non-zero on any failure.

set -u
: "${MAGSIM:?set MAGSIM to the magsim binary}"
case "$MAGSIM" in /*) ;; *) MAGSIM="$(pwd)/$MAGSIM" ;; esac
cd "$(dirname "$0")/.." || exit 2

SCEN=scenarios/april2025_controls.yaml
OBS=data/observed/in_sample_2025.csv
PATHS=1000
BT_HDR="series,supplier,importer,product,month,observed,sim_q05,sim_q25,sim_q50,sim_q75,sim_q95,pit,in50,in90,crps,rel_err_median,source"

T=$(mktemp -d "${TMPDIR:-/tmp}/magsim-backtest.XXXXXX") || exit 2
trap 'rm -rf "$T"' EXIT
trap 'exit 130' INT TERM
. tests/e2e_lib.sh

echo "backtest: $MAGSIM, $PATHS paths"

# every data row of backtest.csv (the source, last and maybe quoted, is not read):
# the invariants, printed as "bad LINE: why" for the rows that break them
invariants() {
    awk -F, 'NR > 1 {
        obs = $6; q05 = $7; q25 = $8; q50 = $9; q75 = $10; q95 = $11; pit = $12; in50 = $13; in90 = $14; crps = $15; rel = $16
        if (!(pit >= 0 && pit <= 1)) print "bad " NR ": PIT " pit
        if (!(q05 <= q25 && q25 <= q50 && q50 <= q75 && q75 <= q95)) print "bad " NR ": quantiles not ordered"
        if (!(crps >= 0)) print "bad " NR ": CRPS " crps
        if (in50 == 1 && in90 != 1) print "bad " NR ": in50 without in90"
        if ((in50 == 1) != (q25 <= obs && obs <= q75)) print "bad " NR ": in50 disagrees with q25, q75"
        if ((in90 == 1) != (q05 <= obs && obs <= q95)) print "bad " NR ": in90 disagrees with q05, q95"
        if (obs > 0) { want = (q50 - obs) / obs; d = rel - want; if (d < 0) d = -d; if (d > 1e-9 * (1 + (want < 0 ? -want : want))) print "bad " NR ": rel_err " rel " not " want }
        if (obs == 0 && rel != "") print "bad " NR ": rel_err with observed 0"
    }' "$1"
}

# ---- usage and bad input ----
run "$MAGSIM" help backtest
check "help backtest describes --require-coverage" sh -c "[ $rc -eq 0 ] && grep -q -- '--require-coverage' '$T/out'"
run "$MAGSIM" help
check "help lists backtest and exit status 5" sh -c "[ $rc -eq 0 ] && grep -q '^  backtest' '$T/out' && grep -q '^  5  a check failed' '$T/out'"
usage_case "backtest without OBSERVED" 'needs SCENARIO and OBSERVED.csv' backtest "$SCEN"
usage_case "backtest with a third file" 'nothing more' backtest "$SCEN" "$OBS" "$OBS"
usage_case "--require-coverage 1.01" '--require-coverage: "1.01" is not a share in (0, 1]' backtest "$SCEN" "$OBS" --require-coverage 1.01
usage_case "--require-coverage 0" '--require-coverage: "0" is not a share in (0, 1]' backtest "$SCEN" "$OBS" --require-coverage 0
usage_case "--require-coverage abc" '--require-coverage: "abc" is not a number' backtest "$SCEN" "$OBS" --require-coverage abc
usage_case "--paths 10k" '--paths: "10k" is not a whole number' backtest "$SCEN" "$OBS" --paths 10k
usage_case "unknown option" '"--bogus"' backtest "$SCEN" "$OBS" --bogus
usage_case "--report without --out" '--report needs --out' backtest "$SCEN" "$OBS" --report
run "$MAGSIM" backtest "$SCEN" "$T/missing.csv" --paths 64
check "a missing observations file exits 3" sh -c "[ $rc -eq 3 ] && grep -q 'missing.csv: error: cannot read' '$T/err'"
cat >"$T/bad.csv" <<'EOF'
series,supplier,importer,product,month,value,source
shipments,chna,usa,all,2025-05,46.4,a
shipments,china,usa,all,2027-05,46.4,b
shipments,china,usa,all,2025-06,-1,c
shipments,china,all,all,2025-05,1238,d
shipments,china,all,all,2025-05,1240,e
EOF
run "$MAGSIM" backtest "$SCEN" "$T/bad.csv" --paths 64 --out "$T/never"
check "a bad observations file exits 3" is_rc 3
check "  its supplier located, did you mean" has_err "bad.csv:2:11: error: unknown supplier 'chna' (did you mean 'china'?)"
check "  its month outside the horizon located" has_err "bad.csv:3:25: error: month 2027-05 is outside the scenario's horizon, 2025-01 to 2026-12"
check "  its negative value located" has_err "bad.csv:4:33: error: value -1 is negative"
check "  its duplicate located" has_err "bad.csv:6:1: error: duplicate row: line 5 has the same"
check "  all four reported, nothing run" has_err "bad.csv: 4 errors: nothing was run"
check "  nothing written" test ! -e "$T/never"

# ---- the default scenario against the in-sample observations ----
B1="$T/bt1"
run "$MAGSIM" backtest "$SCEN" "$OBS" --paths "$PATHS" --threads 1 --out "$B1"
check "backtest exits 0" is_rc 0
check "the table has a row per observation" sh -c "[ \$(grep -c '^shipments  *china' '$T/out') -eq 4 ]"
check "the summary states the 90% band's coverage" has_out "90% band covers"
for f in backtest.csv backtest.json observed.csv summary.csv timeseries.csv summary.json manifest.json scenario.yaml; do
    check "--out writes $f" test -s "$B1/$f"
done
check "backtest.csv header" first_line_is "$B1/backtest.csv" "$BT_HDR"
check "backtest.csv has the 4 observations" sh -c "[ \$(tail -n +2 '$B1/backtest.csv' | wc -l) -eq 4 ]"
check "backtest.csv: china, all and usa, all products, 2025-05 and 2025-06" sh -c "[ \"\$(tail -n +2 '$B1/backtest.csv' | cut -d, -f1-6 | tr '\n' ' ')\" = 'shipments,china,all,all,2025-05,1238 shipments,china,all,all,2025-06,3188 shipments,china,usa,all,2025-05,46.4 shipments,china,usa,all,2025-06,352.8 ' ]"
invariants "$B1/backtest.csv" >"$T/inv"
check "every row keeps the invariants" sh -c "[ ! -s '$T/inv' ] || { cat '$T/inv'; false; }"
check "observed.csv is a byte copy" cmp -s "$OBS" "$B1/observed.csv"
check "backtest.json is JSON" json_ok "$B1/backtest.json"
SHA=$(sha256sum "$OBS" | cut -d' ' -f1)
check "backtest.json has the file's SHA-256" grep -q "\"sha256\": \"$SHA\"" "$B1/backtest.json"
check "manifest lists backtest.csv" grep -q '"backtest.csv": {"bytes"' "$B1/manifest.json"
if command -v python3 >/dev/null 2>&1; then
    check "backtest.json agrees with backtest.csv (rows, coverage, mean CRPS, PIT tenths)" python3 - "$B1" <<'EOF'
import csv, json, sys
d = sys.argv[1]
j = json.load(open(d + "/backtest.json"))
rows = list(csv.DictReader(open(d + "/backtest.csv")))
s = j["summary"]
assert len(rows) == len(j["observations"]) == s["observations"] == 4
assert j["paths_done"] == 1000 and j["partial"] is False
for r, o in zip(rows, j["observations"]):
    assert float(r["observed"]) == o["observed"] and float(r["sim_q50"]) == o["sim"]["q50"]
    assert float(r["pit"]) == o["pit"] and float(r["crps"]) == o["crps"]
    assert o["pit"] == (2 * o["below"] + o["equal"]) / (2 * o["paths"])
    assert r["source"] == o["source"]
n90 = sum(int(r["in90"]) for r in rows); n50 = sum(int(r["in50"]) for r in rows)
assert s["in90"] == n90 and s["in50"] == n50 and s["coverage90"] == n90 / 4 and s["coverage50"] == n50 / 4
assert abs(s["mean_crps"] - sum(float(r["crps"]) for r in rows) / 4) <= 1e-9 * s["mean_crps"]
assert sum(s["pit_tenths"]) == 4 and s["pit"] == [o["pit"] for o in j["observations"]]
assert s["coverage_check"] is None
EOF
fi

B2="$T/bt2"
run "$MAGSIM" backtest "$SCEN" "$OBS" --paths "$PATHS" --threads 2 -q --out "$B2"
check "2 threads exits 0" is_rc 0
for f in backtest.csv backtest.json summary.csv timeseries.csv summary.json; do
    check "$f: the same bytes at 1 and 2 threads" cmp -s "$B1/$f" "$B2/$f"
done
run "$MAGSIM" run "$SCEN" --paths "$PATHS" --quantiles 0.05,0.1,0.25,0.5,0.75,0.9,0.95,0.99 -q --out "$T/run"
for f in summary.csv timeseries.csv; do
    check "$f: the same bytes as magsim run's" cmp -s "$B1/$f" "$T/run/$f"
done
run "$MAGSIM" report "$B1"
check "magsim report on the backtest directory exits 0" is_rc 0
check "  its backtest figure shows the observed points" grep -q 'data-key="backtest.csv:shipments,china,usa,all,2025-06,observed"' "$B1/report/figures/backtest.svg"
check "  report.md has the backtest figure" grep -q 'Observed values against the simulated distribution' "$B1/report/report.md"

# ---- --require-coverage ----
cat >"$T/far.csv" <<'EOF'
series,supplier,importer,product,month,value,source
shipments,china,all,all,2025-05,1e9,synthetic: far above any simulated value
shipments,china,usa,ndfeb,2025-06,1e9,synthetic
EOF
run "$MAGSIM" backtest "$SCEN" "$T/far.csv" --paths 256 -q --require-coverage 0.5 --out "$T/far"
check "coverage below --require-coverage exits 5" is_rc 5
check "  and says so" has_err "the 90% band covers 0 of 2 observations (0), below --require-coverage 0.5"
check "  the result is written" test -s "$T/far/backtest.csv"
check "  backtest.json: coverage check failed, PIT 1" sh -c "grep -q '\"coverage_check\": \"failed\"' '$T/far/backtest.json' && grep -q '\"pit\": \\[1, 1\\]' '$T/far/backtest.json'"
# observations at the simulated medians of the same run lie in both bands
awk -F, 'BEGIN { print "series,supplier,importer,product,month,value,source" }
         NR > 1 { print $1 "," $2 "," $3 "," $4 "," $5 "," $9 ",the simulated median" }' "$B1/backtest.csv" >"$T/near.csv"
run "$MAGSIM" backtest "$SCEN" "$T/near.csv" --paths "$PATHS" --require-coverage 1 --out "$T/near"
check "observations at the medians pass --require-coverage 1" sh -c "[ $rc -eq 0 ] && grep -q '\"coverage_check\": \"passed\"' '$T/near/backtest.json'"
check "  every PIT is about a half, every relative error 0" sh -c "awk -F, 'NR > 1 && (\$12 < 0.45 || \$12 > 0.55 || \$16 != 0) { bad = 1 } END { exit bad }' '$T/near/backtest.csv'"

# ---- limits, an existing --out, SIGINT ----
run "$MAGSIM" backtest "$SCEN" "$OBS" --paths 1000000000000
check "10^12 paths are refused with the estimate (exit 1)" sh -c "[ $rc -eq 1 ] && grep -q 'of memory' '$T/err'"
# the backtest needs its run (workspace and one block buffer per thread, accumulators) plus the kept
# values (8 bytes a path and observation) and its files: at 2,000 paths and 2 threads within 0.1 MiB of
# the run's estimate (it counted a second 4 MiB block buffer per thread, 7.6 MiB more, before)
run "$MAGSIM" "$SCEN" --paths 2000 --threads 2 --max-memory 1M
sed -n 's/.*need about \([0-9.]*\) MiB.*/\1/p' "$T/err" >"$T/est_run"
run "$MAGSIM" backtest "$SCEN" "$OBS" --paths 2000 --threads 2 --max-memory 1M
sed -n 's/.*need about \([0-9.]*\) MiB.*/\1/p' "$T/err" >"$T/est_bt"
check "the backtest's estimate is the run's and its kept values (one block buffer per thread)" \
    sh -c "[ -s '$T/est_run' ] && [ -s '$T/est_bt' ] && awk -v r=\$(cat '$T/est_run') -v b=\$(cat '$T/est_bt') 'BEGIN { exit !(b >= r && b - r <= 0.1) }'"
run "$MAGSIM" backtest "$SCEN" "$OBS" --paths 64 --max-memory 2M
check "--max-memory 2M refuses (exit 1)" sh -c "[ $rc -eq 1 ] && grep -q 'more than the 2.0 MiB allowed by --max-memory' '$T/err'"
run "$MAGSIM" backtest "$SCEN" "$OBS" --paths 64 --out "$B1"
check "an existing --out without --force exits 1" sh -c "[ $rc -eq 1 ] && grep -q -- '--out' '$T/err'"
interrupt 2 "$MAGSIM" backtest "$SCEN" "$OBS" --paths 100000000 --threads 2 --out "$T/int"
check "SIGINT exits 4" is_rc 4
check "  the partial result is written" sh -c "grep -q '\"partial\": true' '$T/int/backtest.json' && grep -q '\"partial\": true' '$T/int/manifest.json'"
invariants "$T/int/backtest.csv" >"$T/inv"
check "  its rows keep the invariants" sh -c "[ -s '$T/int/backtest.csv' ] && [ ! -s '$T/inv' ]"
check "no temporary directory left" no_tmp_left

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
