#!/bin/sh
# tools/price_caps.sh - what the price caps decide: rerun scenarios with the caps lifted and report,
# for the importers of the headline price table, the peak price shock with and without them and the
# share of paths on which the cap decides it.
#
# usage: sh tools/price_caps.sh [-m MAGSIM] [-n PATHS] [-s] NAME...
#
#   -m MAGSIM   the binary to run (default: $MAGSIM, else ./magsim, else build/release/magsim)
#   -n PATHS    paths (default: the scenario's run.paths)
#   -s          lift the suppliers' price_cap instead of the importers' premium_cap
#   NAME...     scenarios/NAME.yaml
#
# For each NAME the script writes a variant that extends scenarios/NAME.yaml and sets every
# importer's premium_cap (with -s: every supplier's price_cap) to 1e6, so that the cap never binds,
# and runs:
#   - magsim run on the scenario and on the variant (their quantiles);
#   - magsim compare NAME VARIANT: both on the same paths and seed (common random numbers), so that a
#     path whose peak price shock is higher without the cap is a path on which the cap decided it.
# It prints a Markdown table: the (at most five) importers with the largest P95 peak price shock, as
# in docs/scenarios.md, with for each product the P95 peak price shock as shipped, the P95 without
# the cap, and P(cap decides) = the share of paths whose peak is higher without the cap (compare's
# p_worse). Lifting a cap also moves demand (through the price) and so other importers a little: a
# share of a few tenths of a percent is that, not the cap. Then the same for the all-importer
# shortage share (median and P95), which the caps move only through the price response of demand and
# substitution. POSIX sh and awk only.
set -eu

die() { printf 'price_caps: %s\n' "$*" >&2; exit 1; }

root=$(cd "$(dirname "$0")/.." && pwd)
magsim=${MAGSIM:-}
paths=
what=premium
while getopts m:n:s opt; do
    case $opt in
    m) magsim=$OPTARG ;;
    n) paths=$OPTARG ;;
    s) what=supplier ;;
    *) die "usage: sh tools/price_caps.sh [-m MAGSIM] [-n PATHS] [-s] NAME..." ;;
    esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || die "usage: sh tools/price_caps.sh [-m MAGSIM] [-n PATHS] [-s] NAME..."

cd "$root"
if [ -z "$magsim" ]; then
    if [ -x ./magsim ]; then magsim=./magsim
    elif [ -x build/release/magsim ]; then magsim=build/release/magsim
    else die "no magsim binary: run make, or pass -m MAGSIM"
    fi
fi
case $magsim in /*) ;; *) magsim=$root/$magsim ;; esac
[ -x "$magsim" ] || die "$magsim is not executable"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/price_caps.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
np=
[ -n "$paths" ] && np="--paths $paths"

for n in "$@"; do
    f=$root/scenarios/$n.yaml
    [ -f "$f" ] || die "$f not found"
    # shellcheck disable=SC2086
    "$magsim" run "$f" $np --no-series --quiet --out "$tmp/$n.base" || die "$n: magsim run failed"
    # the variant: every importer (supplier) named in the scenario's results, its cap lifted
    {
        printf 'magsim: 1\nname: %s with the %s caps lifted\nextends: %s\n' "$n" "$what" "$f"
        if [ "$what" = premium ]; then
            printf 'importers:\n'
            awk -F, 'NR > 1 && $1 == "peak_price_shock" && $2 != "all" && !seen[$2]++ { printf "  %s: {premium_cap: 1.0e6}\n", $2 }' \
                "$tmp/$n.base/summary.csv"
        else
            printf 'suppliers:\n'
            awk -F, 'NR > 1 && $1 ~ /^shipments_t\[/ { s = $1; sub(/^shipments_t\[/, "", s); sub(/\]$/, "", s)
                      if (!seen[s]++) printf "  %s: {price_cap: 1.0e6}\n", s }' "$tmp/$n.base/summary.csv"
        fi
    } > "$tmp/${n}_nocap.yaml"
    # shellcheck disable=SC2086
    "$magsim" run "$tmp/${n}_nocap.yaml" $np --no-series --quiet --out "$tmp/$n.nocap" || die "$n: variant failed"
    # shellcheck disable=SC2086
    "$magsim" compare "$f" "$tmp/${n}_nocap.yaml" $np --no-series --quiet --out "$tmp/$n.cmp" ||
        die "$n: magsim compare failed"

    awk -v name="$n" -v what="$what" -v base="$tmp/$n.base/summary.csv" -v nf="$tmp/$n.nocap/summary.csv" \
        -v cf="$tmp/$n.cmp/compare.csv" '
    function pct(x) { if (x > -0.0005 && x < 0.0005) return "0"; return sprintf("%+.1f%%", 100 * x) }
    function sh(x) { return sprintf("%.1f%%", 100 * x) }
    function prob(x) { if (x >= 1) return "100%"; if (x == 0) return "0"; if (x < 0.001) return "<0.1%"; return sprintf("%.1f%%", 100 * x) }
    # summary.csv of a run: peak price shocks and the total shortage share
    function readsum(file, tag,    line, a, c, i, hdr) {
        hdr = 1
        while ((getline line < file) > 0) {
            split(line, a, ",")
            if (hdr) { for (i = 1; i in a; i++) c[a[i]] = i; hdr = 0; continue }
            if (a[1] == "peak_price_shock" && a[2] != "all") {
                q95[tag, a[2], a[4]] = a[c["q95"]] + 0
                if (tag == "base") {
                    if (!(a[2] in seeni)) { seeni[a[2]] = 1; ni++; iname[ni] = a[2]; imax[ni] = 0 }
                    if (!(a[4] in seenp)) { seenp[a[4]] = 1; np++; pname[np] = a[4] }
                    for (i = 1; i <= ni; i++) if (iname[i] == a[2] && a[c["q95"]] + 0 > imax[i]) imax[i] = a[c["q95"]] + 0
                }
            } else if (a[1] == "shortage_share" && a[2] == "all" && a[3] == "all") {
                tot50[tag] = a[c["q50"]] + 0; tot95[tag] = a[c["q95"]] + 0
            }
        }
        close(file)
    }
    BEGIN {
        readsum(base, "base"); readsum(nf, "nocap")
        hdr = 1
        while ((getline line < cf) > 0) {
            split(line, a, ",")
            if (hdr) { for (i = 1; i in a; i++) cc[a[i]] = i; hdr = 0; continue }
            if (a[2] == "peak_price_shock") pw[a[4], a[6]] = a[cc["p_worse"]] + 0
        }
        close(cf)
        for (a1 = 1; a1 <= ni; a1++) po[a1] = a1
        for (a1 = 2; a1 <= ni; a1++)
            for (b = a1; b > 1 && imax[po[b]] > imax[po[b - 1]]; b--) { x = po[b]; po[b] = po[b - 1]; po[b - 1] = x }
        printf "%s, %s caps lifted (P95 of the peak price shock; P(cap): share of paths whose peak is higher without the cap):\n\n", name, what
        h = "| importer |"; r = "|---|"
        for (k = 1; k <= np; k++) { h = h " " pname[k] ", P95 | without cap | P(cap) |"; r = r "---:|---:|---:|" }
        print h; print r
        for (a1 = 1; a1 <= ni && a1 <= 5; a1++) {
            if (imax[po[a1]] < 0.0005) break
            imp = iname[po[a1]]; l = "| " imp " |"
            for (k = 1; k <= np; k++) {
                if ((imp, pname[k]) in pw)
                    l = l " " pct(q95["base", imp, pname[k]]) " | " pct(q95["nocap", imp, pname[k]]) " | " prob(pw[imp, pname[k]]) " |"
                else l = l " - | - | - |"
            }
            print l
        }
        printf "\nAll importers, shortage share: median %s, P95 %s as shipped; median %s, P95 %s without the cap.\n\n", \
            sh(tot50["base"]), sh(tot95["base"]), sh(tot50["nocap"]), sh(tot95["nocap"])
    }' </dev/null
done
