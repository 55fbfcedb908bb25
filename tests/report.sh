#!/bin/sh
# tests/report.sh - end-to-end tests of `magsim report` and `run --report`
# (no browser: tools/browser_check.sh loads the page in Chromium).
#
#   MAGSIM=build/release/magsim sh tests/report.sh      (make report-check does this)
#
# Covers: run --report writes report/ (report.html, report.md, manifest.json,
# the figures as SVG and PNG) inside the result, atomically; `magsim report
# DIR` gives the same bytes; an existing report is refused without --force;
# not a result, a report directory, another magsim version (exit 3, what was
# found); --report without --out (exit 2); --no-series (figures left out and
# listed); an interrupted run (exit 4, the banner with the paths it holds);
# well-formed SVG, PNG signatures, the run's manifest still checks.
#
# Environment: E2E_PATHS (default 1000) paths per run.
# The last line is "N passed, M failed"; the status is non-zero on any failure.

set -u
: "${MAGSIM:?set MAGSIM to the magsim binary}"
case "$MAGSIM" in /*) ;; *) MAGSIM="$(pwd)/$MAGSIM" ;; esac
cd "$(dirname "$0")/.." || exit 2

PATHS="${E2E_PATHS:-1000}"
SC=scenarios/april2025_controls.yaml
T=$(mktemp -d "${TMPDIR:-/tmp}/magsim-report.XXXXXX") || exit 2
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
is_png() { [ "$(od -An -c -N4 "$1" | tr -d ' ')" = '211PNG' ]; }
xml_ok() { # well-formed XML when python3 is at hand
    if command -v python3 >/dev/null 2>&1; then
        python3 -c 'import sys, xml.etree.ElementTree as E; [E.parse(f) for f in sys.argv[1:]]' "$@" 2>/dev/null
    else
        head -c 5 "$1" | grep -q '<?xml'
    fi
}

echo "report: $MAGSIM, $PATHS paths"

# ---- run --report ----
R="$T/r"
run "$MAGSIM" "$SC" --paths "$PATHS" --out "$R" --report --quiet
check "run --report exits 0" is_rc 0
for f in report.html report.md manifest.json figures/shortage_fan.svg figures/shortage_fan.png \
    figures/exceedance.svg figures/exceedance.png figures/price_fan_ndfeb.svg figures/price_fan_ndfeb.png \
    figures/shipments_china_ndfeb.svg figures/shipments_china_ndfeb.png; do
    check "run --report wrote report/$f" test -s "$R/report/$f"
done
check "the figures are PNG" sh -c 'for f in "$0"/report/figures/*.png; do [ "$(od -An -c -N4 "$f" | tr -d " ")" = "211PNG" ] || exit 1; done' "$R"
check "the SVGs are well-formed XML" xml_ok "$R"/report/figures/*.svg
check "every figure has an SVG and a PNG" \
    sh -c '[ "$(ls "$0"/report/figures/*.svg | wc -l)" -eq "$(ls "$0"/report/figures/*.png | wc -l)" ]' "$R"
check "report.html embeds every figure" \
    sh -c '[ "$(grep -c "<figure class=\"fig\"" "$0/report/report.html")" -eq "$(ls "$0"/report/figures/*.svg | wc -l)" ]' "$R"
check "report.md links every PNG" \
    sh -c 'for f in "$0"/report/figures/*.png; do grep -q "](figures/$(basename "$f"))" "$0/report/report.md" || exit 1; done' "$R"
check "report manifest is a magsim-report" grep -q '"format": "magsim-report"' "$R/report/manifest.json"
check "the run's files still match its manifest" sh -c 'cd "$0" && python3 -c "
import json, hashlib
m = json.load(open(\"manifest.json\"))
for n, v in m[\"files\"].items():
    assert hashlib.sha256(open(n, \"rb\").read()).hexdigest() == v[\"sha256\"], n
"' "$R"
check "run --report adds the report's quantile levels" \
    grep -q '^metric,importer,industry,product,mean,sd,se,q05,q10,q25,q50,q75,q90,q95,q99,p_pos,cvar95$' "$R/summary.csv"
check "no temporary directory left" sh -c '! ls -d "$0"/*.tmp.* >/dev/null 2>&1' "$T"

# ---- magsim report DIR: same bytes ----
run "$MAGSIM" report "$R" --out "$T/again"
check "report --out exits 0" is_rc 0
check "report says what it wrote" has_err "wrote $T/again/report.html (6 figures)"
check "report DIR gives the bytes run --report gave" diff -r "$R/report" "$T/again"
run "$MAGSIM" report "$R"
check "an existing DIR/report is refused without --force" sh -c "[ $rc -eq 1 ] && grep -q 'already exists; use --force' '$T/err'"
run "$MAGSIM" report "$R" --force --quiet
check "--force replaces it, same bytes" sh -c "[ $rc -eq 0 ] && diff -r '$R/report' '$T/again'"

png_width() { od -An -tu1 -j16 -N4 "$1" | awk '{print $1 * 16777216 + $2 * 65536 + $3 * 256 + $4}'; }
check "PNGs are 1920 px wide by default" [ "$(png_width "$R/report/figures/exceedance.png")" -eq 1920 ]
run "$MAGSIM" report "$R" --out "$T/small" --png-scale 1 --quiet
check "--png-scale 1: 960 px wide" sh -c "[ $rc -eq 0 ] && [ \"\$(od -An -tu1 -j16 -N4 '$T/small/figures/exceedance.png' | awk '{print \$3 * 256 + \$4}')\" -eq 960 ]"
check "--png-scale 1: the same SVGs" cmp -s "$R/report/figures/exceedance.svg" "$T/small/figures/exceedance.svg"
run "$MAGSIM" report "$R" --out "$T/big" --png-scale 9
check "--png-scale 9 is a usage error quoting it" sh -c "[ $rc -eq 2 ] && grep -q -- '--png-scale: \"9\" is not a number from 0.5 to 4' '$T/err'"

# ---- bad input ----
mkdir "$T/empty"
run "$MAGSIM" report "$T/empty"
check "not a result exits 3" is_rc 3
check "not a result: says so and what is missing" \
    sh -c "grep -q 'is not a magsim result this version can read' '$T/err' && grep -q 'manifest.json: missing' '$T/err'"
check "not a result: nothing written" test ! -e "$T/empty/report"
run "$MAGSIM" report "$T/nonexistent"
check "a missing directory exits 3" sh -c "[ $rc -eq 3 ] && grep -q 'No such file or directory' '$T/err'"
run "$MAGSIM" report "$R/report" --out "$T/rr"
check "a report directory is not a result" sh -c "[ $rc -eq 3 ] && grep -q 'this is a report directory' '$T/err'"
cp -r "$R" "$T/old"
rm -rf "$T/old/report"
sed -e 's/"magsim_version": "[^"]*"/"magsim_version": "9.1.0"/' "$R/manifest.json" >"$T/old/manifest.json"
run "$MAGSIM" report "$T/old"
check "another magsim version exits 3 and names it" sh -c "[ $rc -eq 3 ] && grep -q 'written by magsim 9.1.0' '$T/err'"
run "$MAGSIM" "$SC" --paths 64 --report
check "--report without --out is a usage error" sh -c "[ $rc -eq 2 ] && grep -q -- '--report needs --out' '$T/err'"
run "$MAGSIM" report
check "report without DIR is a usage error" is_rc 2
run "$MAGSIM" help report
check "help report documents --out" sh -c "[ $rc -eq 0 ] && grep -q -- '--out DIR2' '$T/out'"

# ---- --no-series ----
run "$MAGSIM" "$SC" --paths 64 --no-series --out "$T/flat" --report --quiet
check "--no-series --report exits 0" is_rc 0
check "--no-series: the report says the series are missing" grep -q 'id="no-series"' "$T/flat/report/report.html"
check "--no-series: figures left out are listed" grep -q '<li><b>Price index per importer</b>' "$T/flat/report/report.html"
check "--no-series: the exceedance curves remain" test -s "$T/flat/report/figures/exceedance.svg"
check "--no-series: no fan chart" test ! -e "$T/flat/report/figures/shortage_fan.svg"

# ---- an interrupted run ----
"$MAGSIM" "$SC" --paths 1000000000 --threads 2 --out "$T/int" --report --quiet >"$T/out" 2>"$T/err" &
pid=$!
sleep 2
kill -INT "$pid" 2>/dev/null
i=0
while kill -0 "$pid" 2>/dev/null && [ $i -lt 120 ]; do sleep 0.5; i=$((i + 1)); done
kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
wait "$pid"
rc=$?
check "interrupted run --report exits 4" is_rc 4
check "interrupted: the report has the partial banner" \
    grep -q '<div class="banner" id="partial" role="alert">Partial result: the run was interrupted and holds' \
    "$T/int/report/report.html"
check "interrupted: report.md says so too" grep -q '^> \*\*Partial result' "$T/int/report/report.md"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
