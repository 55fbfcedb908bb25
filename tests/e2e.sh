#!/bin/sh
# tests/e2e.sh - end-to-end tests of the magsim binary.
#
#   MAGSIM=build/release/magsim sh tests/e2e.sh        (make e2e does this)
#
# Covers: usage errors (exit 2, the bad value quoted back), --version, help,
# validate of every scenarios/*.yaml (exit 0) and of every
# tests/fixtures/bad/*.yaml (exit 3, FILE:LINE:COL:), a run with --out (the
# five files, their exact header lines), byte-identical outputs at 1, 2 and 4
# threads, an existing output directory (refused without --force, replaced
# with it, never a foreign directory), an unwritable output location (exit 1),
# a full disk (writes failing with EFBIG under ulimit -f; a tmpfs too small,
# when mounting is allowed), --max-memory and absurd sizes (refused up front
# with the estimate), and SIGINT in the middle of a run (exit 4, a complete
# partial result).
#
# Environment: E2E_PATHS (default 1000) paths per run, E2E_SCENARIO the
# scenario to run (default scenarios/april2025_controls.yaml).
# The last line is "N passed, M failed"; the status is non-zero on any failure.

set -u
: "${MAGSIM:?set MAGSIM to the magsim binary}"
case "$MAGSIM" in /*) ;; *) MAGSIM="$(pwd)/$MAGSIM" ;; esac
cd "$(dirname "$0")/.." || exit 2

PATHS="${E2E_PATHS:-1000}"
SC="${E2E_SCENARIO:-scenarios/april2025_controls.yaml}"
if [ ! -f "$SC" ]; then
    for f in scenarios/*.yaml tests/fixtures/good/*.yaml; do
        [ -f "$f" ] && { SC="$f"; break; }
    done
fi
Q="0.05,0.5,0.95,0.99"
SUMMARY_HDR="metric,importer,industry,product,mean,sd,se,q05,q50,q95,q99,p_pos,cvar95"
SERIES_HDR="series,supplier,importer,industry,product,month,stat,value"

T=$(mktemp -d "${TMPDIR:-/tmp}/magsim-e2e.XXXXXX") || exit 2
cleanup() { umount "$T/small" 2>/dev/null; chmod -R u+w "$T" 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

. tests/e2e_lib.sh  # pass/fail counters, check, run, has_err, json_ok, ...

echo "e2e: $MAGSIM, scenario $SC, $PATHS paths"

# ---- version and help ----
run "$MAGSIM" --version
check "--version prints the version" is_rc 0
check "--version says $(cat VERSION)" has_out "magsim $(cat VERSION)"
run "$MAGSIM" --help
check "--help exits 0 and lists exit codes" sh -c "[ $rc -eq 0 ] && grep -q 'exit status' '$T/out'"
run "$MAGSIM" help run
check "help run describes --paths" sh -c "[ $rc -eq 0 ] && grep -q -- '--paths' '$T/out'"
run "$MAGSIM" help nosuch
check "help of an unknown command exits 2" sh -c "[ $rc -eq 2 ] && grep -q '\"nosuch\"' '$T/err'"
run "$MAGSIM"
check "no arguments exits 2" is_rc 2

# ---- usage errors: exit 2, the value quoted back ----
usage_case "--paths 10k" 'magsim: --paths: "10k" is not a whole number' "$SC" --paths 10k
usage_case "--paths 0" '--paths: "0"' "$SC" --paths 0
usage_case "--paths -5" '--paths: "-5"' "$SC" --paths -5
usage_case "--seed 1.5" '--seed: "1.5" is not a whole number' "$SC" --seed 1.5
usage_case "--seed too big" '--seed: "99999999999999999999"' "$SC" --seed 99999999999999999999
usage_case "--threads x" '--threads: "x" is not a whole number' "$SC" --threads x
usage_case "--threads 0" '--threads: "0"' "$SC" --threads 0
usage_case "--quantiles not ascending" '--quantiles: "0.5,0.2"' "$SC" --quantiles 0.5,0.2
usage_case "--quantiles out of (0,1)" '--quantiles: "1.5"' "$SC" --quantiles 0.5,1.5
usage_case "--quantiles not a number" '--quantiles: "abc"' "$SC" --quantiles 0.1,abc
usage_case "--quantiles empty level" '--quantiles: "0.1,,0.5"' "$SC" --quantiles 0.1,,0.5
usage_case "--quantiles 17 levels" 'more than 16 levels' "$SC" \
    --quantiles 0.01,0.02,0.03,0.04,0.05,0.06,0.07,0.08,0.09,0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8
usage_case "unknown option" '"--bogus"' "$SC" --bogus
usage_case "missing option value" '--paths' "$SC" --paths
usage_case "no scenario" 'no SCENARIO' run --paths 10
usage_case "two scenarios" '"'"$SC"'"' run "$SC" "$SC"
usage_case "validate with no file" 'no SCENARIO' validate

# ---- validate ----
nsc=0
for f in scenarios/*.yaml; do
    [ -f "$f" ] || continue
    nsc=$((nsc + 1))
    run "$MAGSIM" validate "$f"
    check "validate $f exits 0" sh -c "[ $rc -eq 0 ] && grep -q -F '$f: ok' '$T/out'"
done
[ "$nsc" -gt 0 ] || echo "note: no scenarios/*.yaml to validate"
nbad=0
for f in tests/fixtures/bad/*.yaml; do
    [ -f "$f" ] || continue
    nbad=$((nbad + 1))
    run "$MAGSIM" validate "$f"
    if [ "$rc" -eq 3 ] && grep -q -F "$f:" "$T/err" && grep -q -E "^$f:[0-9]+:[0-9]+: " "$T/err"; then
        ok "validate $f exits 3 with $f:LINE:COL:"
    else
        no "validate $f exits 3 with $f:LINE:COL: (rc $rc)"
    fi
done
[ "$nbad" -gt 0 ] || echo "note: no tests/fixtures/bad/*.yaml"
if [ "$nbad" -gt 0 ]; then
    for f in tests/fixtures/bad/*.yaml; do break; done
    run "$MAGSIM" run "$f" --paths 64
    check "run of an invalid scenario exits 3" is_rc 3
fi
run "$MAGSIM" validate "$T/no-such-file.yaml"
check "validate of a missing file exits 3" is_rc 3

if [ ! -f "$SC" ]; then
    no "a scenario to run (none found)"
    echo "$pass passed, $fail failed"
    exit 1
fi

# ---- a run: terminal summary ----
run "$MAGSIM" "$SC" --paths "$PATHS" --threads 2 --no-series
check "run prints the summary (exit 0)" sh -c "[ $rc -eq 0 ] && grep -q 'P(short)' '$T/out'"
check "summary names the histogram bound" has_out "(histogram bound)"

# ---- a run with --out ----
O1="$T/out1"
run "$MAGSIM" run "$SC" --paths "$PATHS" --threads 1 --quantiles "$Q" --out "$O1" --quiet
check "run --out exits 0" is_rc 0
for f in summary.csv timeseries.csv summary.json manifest.json scenario.yaml; do
    check "run --out writes $f" test -s "$O1/$f"
done
check "summary.csv header" first_line_is "$O1/summary.csv" "$SUMMARY_HDR"
check "timeseries.csv header" first_line_is "$O1/timeseries.csv" "$SERIES_HDR"
check "summary.csv has rows" sh -c "[ \$(wc -l <'$O1/summary.csv') -gt 1 ]"
check "timeseries.csv has rows" sh -c "[ \$(wc -l <'$O1/timeseries.csv') -gt 1 ]"
check "summary.csv has no nan/inf" sh -c "! grep -q -i -E 'nan|inf' '$O1/summary.csv'"
check "summary.csv rolls up as importer all" grep -q '^shortage_t,all,all,' "$O1/summary.csv"
check "summary.json is JSON" json_ok "$O1/summary.json"
check "manifest.json is JSON" json_ok "$O1/manifest.json"
check "summary.json lists metrics and series" sh -c "grep -q '\"metrics\": \\[' '$O1/summary.json' && grep -q '\"series\": \\[' '$O1/summary.json'"
check "manifest says partial false" grep -q '"partial": false' "$O1/manifest.json"
check "manifest says paths_done $PATHS" grep -q "\"paths_done\": $PATHS," "$O1/manifest.json"
check "scenario.yaml is a byte copy" cmp -s "$SC" "$O1/scenario.yaml"
if command -v sha256sum >/dev/null 2>&1; then
    sum=$(sha256sum "$SC" | cut -d' ' -f1)
    check "manifest holds the scenario's SHA-256" grep -q "\"sha256\": \"$sum\"" "$O1/manifest.json"
fi
check "no temporary directory left" no_tmp_left

# ---- a scenario that extends another: both files copied ----
CH=tests/fixtures/extends/child.yaml
if [ -f "$CH" ] && grep -q '^extends: world.yaml' "$CH"; then
    run "$MAGSIM" run "$CH" --paths 64 --no-series --out "$T/outext" --quiet
    check "run of a scenario with extends: exits 0" is_rc 0
    check "extends: the base is copied beside scenario.yaml" cmp -s tests/fixtures/extends/world.yaml "$T/outext/world.yaml"
    check "extends: the manifest lists the base" grep -q '"extends": \["world.yaml"\]' "$T/outext/manifest.json"
fi

# ---- byte-identical across thread counts ----
for n in 2 4; do
    run "$MAGSIM" run "$SC" --paths "$PATHS" --threads "$n" --quantiles "$Q" --out "$T/out$n" --quiet
    check "run --threads $n exits 0" is_rc 0
    for f in summary.csv timeseries.csv summary.json; do
        check "$f identical at --threads 1 and $n" cmp "$O1/$f" "$T/out$n/$f"
    done
done

# ---- quantile names, --no-series ----
run "$MAGSIM" run "$SC" --paths 256 --quantiles 0.5,0.995 --no-series --out "$T/outq" --quiet
check "--quantiles 0.5,0.995 gives q50,q99.5" first_line_is "$T/outq/summary.csv" \
    "metric,importer,industry,product,mean,sd,se,q50,q99.5,p_pos,cvar95"
check "--no-series leaves timeseries.csv with its header only" \
    sh -c "[ \$(wc -l <'$T/outq/timeseries.csv') -eq 1 ]"

# ---- an existing output directory ----
cp "$O1/manifest.json" "$T/manifest.before"
run "$MAGSIM" run "$SC" --paths 64 --out "$O1" --quiet
check "existing --out without --force exits 1" is_rc 1
check "existing --out: message says --force" has_err "--force"
check "existing --out left intact" cmp -s "$T/manifest.before" "$O1/manifest.json"
echo marker >"$O1/marker"
run "$MAGSIM" run "$SC" --paths 64 --out "$O1" --force --quiet
check "--force replaces it (exit 0)" is_rc 0
check "--force: the old content is gone" test ! -e "$O1/marker"
check "--force: the new result is complete" sh -c "grep -q '\"paths_requested\": 64,' '$O1/manifest.json'"
check "--force: nothing left beside it" no_tmp_left
mkdir "$T/notours"
echo precious >"$T/notours/data.txt"
run "$MAGSIM" run "$SC" --paths 64 --out "$T/notours" --force --quiet
check "--force refuses a directory that is not a magsim output" sh -c "[ $rc -eq 1 ] && [ -f '$T/notours/data.txt' ]"

# ---- an output location that cannot be written ----
: >"$T/afile"
run "$MAGSIM" run "$SC" --paths 64 --out "$T/afile/sub" --quiet
check "--out under a regular file exits 1" is_rc 1
check "--out under a regular file: message names it" has_err "afile"
check "--out under a regular file: nothing left" no_tmp_left
if [ "$(id -u)" -ne 0 ]; then
    mkdir "$T/ro"
    chmod 500 "$T/ro"
    run "$MAGSIM" run "$SC" --paths 64 --out "$T/ro/res" --quiet
    check "--out in a read-only directory exits 1" is_rc 1
    check "--out in a read-only directory: clear message" has_err "Permission denied"
    chmod 700 "$T/ro"
else
    echo "skip read-only directory case (running as root)"
fi

# ---- a full disk: writes fail with EFBIG under a file-size limit ----
# (works as root and without mounting: SIGXFSZ ignored, ulimit -f in 1 KiB blocks)
OF="$T/outfull"
run "$MAGSIM" run "$SC" --paths 64 --no-series --out "$OF" --quiet
cp "$OF/manifest.json" "$T/full.before" 2>/dev/null
run sh -c "trap '' XFSZ; ulimit -f 40; exec \"\$0\" \"\$@\"" "$MAGSIM" run "$SC" --paths 128 --out "$OF" --force --quiet
check "full disk (EFBIG) exits 1" is_rc 1
check "full disk: clear message" sh -c "grep -q -- '--out: cannot write' '$T/err' && grep -q 'File too large' '$T/err'"
check "full disk: the earlier result at --out is intact" cmp -s "$T/full.before" "$OF/manifest.json"
check "full disk: the earlier result is complete" test -s "$OF/summary.csv"
check "full disk: nothing left beside it" no_tmp_left

# ---- a disk with too little room: refused up front (tmpfs of 1 MiB, when mounting is allowed) ----
SMALL="$T/small"
mkdir "$SMALL"
if [ "$(id -u)" -eq 0 ] && mount -t tmpfs -o size=1M magsim-e2e "$SMALL" 2>/dev/null; then
    run "$MAGSIM" run "$SC" --paths 64 --out "$SMALL/res" --quiet
    check "small disk exits 1" is_rc 1
    check "small disk: the message gives the estimate and the free space" \
        sh -c "grep -q 'the result files would take about' '$T/err' && grep -q 'free' '$T/err'"
    check "small disk: nothing written" test ! -e "$SMALL/res"
    umount "$SMALL"
else
    echo "skip small-disk case (cannot mount a tmpfs here)"
fi

# ---- resource limits: --max-memory and absurd sizes ----
usage_case "--max-memory not a size" '--max-memory: "lots"' "$SC" --max-memory lots
usage_case "--max-memory bad unit" '--max-memory: "4X"' "$SC" --max-memory 4X
usage_case "--max-memory too small" 'less than 1 MiB' "$SC" --max-memory 1000
run "$MAGSIM" run "$SC" --paths 64 --max-memory 2M --quiet
check "--max-memory 2M refuses the run (exit 1)" is_rc 1
check "--max-memory: the message gives the estimate" \
    sh -c "grep -q 'would need about .* MiB of memory' '$T/err' && grep -q 'more than the 2.0 MiB allowed by --max-memory' '$T/err'"
run "$MAGSIM" run "$SC" --paths 64 --max-memory 1.5GiB --no-series --quiet
check "--max-memory 1.5GiB lets a small run through (exit 0)" is_rc 0
# 1000 suppliers x 10 products, 100 importers, 1200 months: about 1.2e9 monthly
# statistics, terabytes; refused before anything is allocated
BIG="$T/big.yaml"
awk 'BEGIN {
    print "magsim: 1"; print "horizon: {start: 2025-01, months: 1200}";
    print "products:"; for (p = 0; p < 10; p++) printf "  p%d: {price_usd_per_kg: 50}\n", p;
    print "suppliers:";
    for (s = 0; s < 1000; s++) {
        printf "  s%d: {country: X, capacity_t_per_year: {", s;
        for (p = 0; p < 10; p++) printf "%sp%d: 100", (p ? ", " : ""), p;
        print "}}";
    }
    print "importers:";
    for (i = 0; i < 100; i++) {
        printf "  i%d:\n    sourcing: {", i;
        for (p = 0; p < 10; p++) printf "%sp%d: {s0: 1}", (p ? ", " : ""), p;
        print "}"; print "    industries: {ev: {demand_t_per_year: {p0: 10}}}";
    }
}' >"$BIG"
run "$MAGSIM" validate "$BIG"
check "the huge scenario is valid" is_rc 0
run "$MAGSIM" run "$BIG" --paths 64 --quiet
check "a run needing terabytes exits 1 at once" is_rc 1
check "huge run: the message gives the estimate" \
    sh -c "grep -q 'would need about .* TiB of memory (1200 months' '$T/err'"
run "$MAGSIM" run "$SC" --paths 1000000000001
check "--paths above 1e12 is a usage error" sh -c "[ $rc -eq 2 ] && grep -q -- '--paths: \"1000000000001\" is out of range' '$T/err'"
sed -e 's/^run:.*$/run: {paths: 10000000000000, seed: 1}/' tests/fixtures/good/full.yaml >"$T/manypaths.yaml"
run "$MAGSIM" run "$T/manypaths.yaml" --quiet
check "run.paths above 1e12 in the scenario is refused" \
    sh -c "[ $rc -eq 3 ] && grep -q 'run.paths is 10000000000000; at most 1000000000000' '$T/err'"

# ---- SIGINT in the middle of a run ----
OI="$T/outint"
interrupt 2 "$MAGSIM" run "$SC" --paths 1000000000 --threads 2 --quantiles "$Q" --out "$OI" --quiet
check "SIGINT mid-run exits 4" is_rc 4
for f in summary.csv timeseries.csv summary.json manifest.json scenario.yaml; do
    check "SIGINT: partial result has $f" test -s "$OI/$f"
done
check "SIGINT: manifest says partial true" grep -q '"partial": true' "$OI/manifest.json"
check "SIGINT: summary.csv header" first_line_is "$OI/summary.csv" "$SUMMARY_HDR"
check "SIGINT: summary.json is JSON" json_ok "$OI/summary.json"
check "SIGINT: no temporary directory left" no_tmp_left

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
