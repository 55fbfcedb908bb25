#!/bin/sh
# tools/browser_check.sh - load the default scenario's report in headless
# Chromium, as a reader would open it, and check what the browser made of it.
#
#   MAGSIM=build/release/magsim sh tools/browser_check.sh [OUTDIR]    (make browser-check; CI)
#
# Runs the default scenario (BROWSER_PATHS paths, default 1000) with
# --report into OUTDIR/result (default build/browser), then Chromium
# (Debian's `chromium`, headless, no network needed: the page is
# self-contained) dumps the DOM after the load event and takes a screenshot
# (OUTDIR/report.png).  Checks: no console message at all (the page logs
# an error for a figure that did not decode; a script error or a blocked
# resource would show there too), every figure of figures/ present in the
# page, its <img> decoded with a non-zero size (data-loaded="yes", set by
# the page's script) and its data: URI non-trivial, the screenshot written.
# Then the same checks on a copy of the page with one figure broken must
# fail: the check can tell a broken page from a good one.
# The last line is "N passed, M failed"; the status is non-zero on any failure.
set -u
: "${MAGSIM:?set MAGSIM to the magsim binary}"
OUT="${1:-build/browser}"
cd "$(dirname "$0")/.." || exit 2
CHROME=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROME" ]; then
    echo "browser-check: no chromium (Debian: apt-get install chromium)"
    exit 1
fi
rm -rf "$OUT"
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
PROFILE=$(mktemp -d "${TMPDIR:-/tmp}/magsim-chromium.XXXXXX") || exit 2
trap 'rm -rf "$PROFILE"' EXIT

pass=0
fail=0
check() { name=$1; shift; if "$@"; then pass=$((pass + 1)); echo "ok   $name"; else fail=$((fail + 1)); echo "FAIL $name"; fi; }

# chrome URL LOG [extra options]: headless Chromium, console on stderr (LOG)
chrome() {
    url=$1 log=$2
    shift 2
    timeout 60 "$CHROME" --headless=new --no-sandbox --disable-gpu --no-first-run --hide-scrollbars \
        --user-data-dir="$PROFILE" --enable-logging=stderr --v=0 --virtual-time-budget=10000 "$@" "$url" 2>"$log"
}

# page_ok HTML TAG: the DOM and console checks on one page; 0 when all pass
page_ok() {
    html=$1 tag=$2 nfig=$3
    chrome "file://$html" "$OUT/$tag.log" --dump-dom >"$OUT/$tag.dom.html" || return 1
    ! grep -q ':CONSOLE' "$OUT/$tag.log" || return 1
    grep -q "<body data-figures=\"$nfig\" data-figures-loaded=\"$nfig\">" "$OUT/$tag.dom.html" || return 1
    [ "$(grep -o 'data-loaded="yes"' "$OUT/$tag.dom.html" | wc -l)" -eq "$nfig" ] || return 1
    [ "$(grep -o 'src="data:image/svg+xml;base64,[A-Za-z0-9+/=]*"' "$OUT/$tag.dom.html" |
        awk 'length > 2000' | wc -l)" -eq "$nfig" ]
}

echo "browser-check: $($CHROME --version 2>/dev/null), output in $OUT"
"$MAGSIM" scenarios/april2025_controls.yaml --paths "${BROWSER_PATHS:-1000}" --out "$OUT/result" --report --quiet
check "run --report exits 0" [ $? -eq 0 ]
HTML="$OUT/result/report/report.html"
NFIG=$(ls "$OUT/result/report/figures/"*.svg 2>/dev/null | wc -l)
check "the report has figures ($NFIG)" [ "$NFIG" -gt 0 ]
for f in "$OUT/result/report/figures/"*.svg; do
    name=$(basename "$f" .svg)
    check "figure $name is in the page" grep -q "data-figure=\"$name\"" "$HTML"
done
check "Chromium loads report.html: no console message, every figure decoded and non-empty" page_ok "$HTML" page "$NFIG"
if [ "$fail" -ne 0 ]; then
    sed -e 's/^/       | /' "$OUT/page.log" | grep -v 'dbus\|bluez\|vaapi\|sandbox_linux\|UPower\|ScreenSaver\|property.cc\|unexpected operator' | head -n 20
fi
chrome "file://$HTML" "$OUT/shot.log" --window-size=1100,2600 --screenshot="$OUT/report.png" >/dev/null
check "screenshot saved ($OUT/report.png)" sh -c "[ -s '$OUT/report.png' ] && [ \"\$(od -An -c -N4 '$OUT/report.png' | tr -d ' ')\" = '211PNG' ]"

# the check must fail on a page with a figure that does not decode
sed -e '0,/base64,/s//base64,AAAA/' "$HTML" >"$OUT/result/report/broken.html"
fails_check() { ! page_ok "$@"; }
check "a page with a broken figure fails the same check" fails_check "$OUT/result/report/broken.html" broken "$NFIG"
check "the broken figure is logged as a console error" grep -q 'magsim report: figure .* did not load' "$OUT/broken.log"
rm -f "$OUT/result/report/broken.html"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
