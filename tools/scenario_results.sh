#!/bin/sh
# tools/scenario_results.sh - rerun the scenario library and rewrite the headline results of
# docs/scenarios.md, so that the numbers there are always those of the files in scenarios/.
#
# usage: sh tools/scenario_results.sh [-m MAGSIM] [-d DOC] [-j THREADS] [-n] [NAME...]
#
#   -m MAGSIM   the binary to run (default: $MAGSIM, else ./magsim, else build/release/magsim)
#   -d DOC      the page to rewrite, relative to the repository root (default: docs/scenarios.md)
#   -j THREADS  worker threads (default: magsim's; results do not depend on it)
#   -n          print the new page on stdout instead of rewriting DOC
#   NAME...     only these scenarios (default: every `<!-- results:NAME -->` marker in DOC)
#
# For each marker `<!-- results:NAME -->` in DOC the script runs scenarios/NAME.yaml with its own
# default settings (its run.paths and run.seed) into a temporary directory, reads summary.csv,
# summary.json and manifest.json, and replaces everything between that marker and the next
# `<!-- /results -->` with:
#   - a line giving paths, seed, magsim version, horizon and the date of the run;
#   - the most exposed industries: the top five importer x industry cells by median shortage share
#     (ties: 95th percentile), with median and P95 shortage share and P(short);
#   - the shortage share of all importers together;
#   - the median and P95 peak price shock per importer and product, for the (at most five) importers
#     with the largest P95;
#   - China's shipments over the horizon (when the scenario has a supplier named china).
# Everything outside the markers is left as it is. The page is replaced only when every run
# succeeded. POSIX sh and awk (mawk or gawk) only.
set -eu

die() { printf 'scenario_results: %s\n' "$*" >&2; exit 1; }

root=$(cd "$(dirname "$0")/.." && pwd)
magsim=${MAGSIM:-}
doc=docs/scenarios.md
threads=
dry=0
while getopts m:d:j:n opt; do
    case $opt in
    m) magsim=$OPTARG ;;
    d) doc=$OPTARG ;;
    j) threads=$OPTARG ;;
    n) dry=1 ;;
    *) die "usage: sh tools/scenario_results.sh [-m MAGSIM] [-d DOC] [-j THREADS] [-n] [NAME...]" ;;
    esac
done
shift $((OPTIND - 1))

cd "$root"
if [ -z "$magsim" ]; then
    if [ -x ./magsim ]; then magsim=./magsim
    elif [ -x build/release/magsim ]; then magsim=build/release/magsim
    else die "no magsim binary: run make, or pass -m MAGSIM"
    fi
fi
case $magsim in /*|./*|../*) ;; */*) magsim=./$magsim ;; esac
[ -x "$magsim" ] || die "$magsim is not executable"
[ -f "$doc" ] || die "$doc not found"

# The scenarios named by the markers, in page order.
marked=$(awk '
    match($0, /^<!-- results:[A-Za-z0-9_-]+ -->[ \t]*$/) {
        s = substr($0, RSTART + 13, RLENGTH - 17); print s
    }' "$doc")
[ -n "$marked" ] || die "$doc has no <!-- results:NAME --> markers"
if [ $# -gt 0 ]; then
    for n in "$@"; do
        printf '%s\n' "$marked" | grep -qx -- "$n" || die "$doc has no marker <!-- results:$n -->"
    done
    names=$*
else
    names=$marked
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/scenario_results.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

today=$(date -u +%Y-%m-%d)
for n in $names; do
    f=scenarios/$n.yaml
    [ -f "$f" ] || die "$f not found (marker <!-- results:$n --> in $doc)"
    if [ -n "$threads" ]; then
        "$magsim" run "$f" --out "$tmp/$n" --quiet --threads "$threads" || die "$f: magsim failed"
    else
        "$magsim" run "$f" --out "$tmp/$n" --quiet || die "$f: magsim failed"
    fi
    awk -v name="$n" -v today="$today" -v mfile="$tmp/$n/manifest.json" -v jfile="$tmp/$n/summary.json" '
    function num(s) { return s + 0 }
    # 12345.6 -> "12,346"
    function thou(x,    s, out) {
        s = sprintf("%.0f", x); out = ""
        while (length(s) > 3) { out = "," substr(s, length(s) - 2) out; s = substr(s, 1, length(s) - 3) }
        return s out
    }
    function pct(x) {
        if (x <= 0) return "0"
        if (x < 0.0005) return "<0.1%"
        return sprintf("%.1f%%", 100 * x)
    }
    function prob(x) {
        if (x >= 1) return "100%"
        if (x > 0.999) return ">99.9%"
        if (x == 0) return "0"
        if (x < 0.001) return "<0.1%"
        return sprintf("%.1f%%", 100 * x)
    }
    function shock(x) {
        if (x > -0.0005 && x < 0.0005) return "0"
        return sprintf("%+.1f%%", 100 * x)
    }
    # value of a "key": scalar in a JSON file written one field per line (first match)
    function jget(file, key,    line, v, pat) {
        pat = "\"" key "\": "
        while ((getline line < file) > 0) {
            if (index(line, pat)) {
                v = substr(line, index(line, pat) + length(pat))
                sub(/[,}].*$/, "", v); gsub(/"/, "", v)
                close(file); return v
            }
        }
        close(file); return ""
    }
    BEGIN { FS = "," }
    NR == 1 {
        for (i = 1; i <= NF; i++) col[$i] = i
        if (!("q50" in col) || !("q95" in col) || !("p_pos" in col))
            { print "scenario_results: " name ": summary.csv lacks q50, q95 or p_pos" > "/dev/stderr"; bad = 1; exit 1 }
        next
    }
    {
        m = $1; imp = $2; ind = $3; prod = $4
        q50 = num($(col["q50"])); q95 = num($(col["q95"])); pp = num($(col["p_pos"])); mean = num($(col["mean"]))
        if (m == "shortage_share" && imp != "all" && ind != "all") {
            nc++; cimp[nc] = imp; cind[nc] = ind; c50[nc] = q50; c95[nc] = q95; cmean[nc] = mean
        } else if (m == "shortage_share" && imp == "all" && ind == "all") {
            all50 = q50; all95 = q95; have_all = 1
        } else if (m == "shortage_t" && imp != "all" && ind != "all") {
            pshort[imp SUBSEP ind] = pp
        } else if (m == "peak_price_shock" && imp != "all") {
            if (!(prod in seenp)) { seenp[prod] = 1; np++; pname[np] = prod }
            if (!(imp in seeni)) { seeni[imp] = 1; ni++; iname[ni] = imp; imax[ni] = 0 }
            pk50[imp SUBSEP prod] = q50; pk95[imp SUBSEP prod] = q95
            for (k = 1; k <= ni; k++) if (iname[k] == imp && q95 > imax[k]) imax[k] = q95
        } else if (m == "shipments_t[china]" && imp == "all") {
            china += mean; have_china = 1
        }
    }
    END {
        if (bad) exit 1
        paths = jget(mfile, "paths_done"); seed = jget(mfile, "seed"); ver = jget(mfile, "magsim_version")
        start = jget(jfile, "start"); months = jget(jfile, "months")
        y = num(substr(start, 1, 4)); mo = num(substr(start, 6, 2)) + num(months) - 1
        y += int((mo - 1) / 12); mo = (mo - 1) % 12 + 1
        printf "Run of `scenarios/%s.yaml` with its defaults: %s paths, seed %s, %s to %04d-%02d (%s months);\n", \
            name, thou(paths), seed, start, y, mo, months
        printf "magsim %s, %s (`sh tools/scenario_results.sh`).\n\n", ver, today

        # most exposed industries: sort cells by median, then P95, then mean (insertion sort, largest first)
        for (a = 1; a <= nc; a++) ord[a] = a
        for (a = 2; a <= nc; a++)
            for (b = a; b > 1; b--) {
                x = ord[b]; y = ord[b - 1]
                if (c50[x] > c50[y] || (c50[x] == c50[y] && (c95[x] > c95[y] || (c95[x] == c95[y] && cmean[x] > cmean[y])))) {
                    ord[b] = y; ord[b - 1] = x
                } else break
            }
        shown = 0
        for (a = 1; a <= nc && shown < 5; a++) {
            x = ord[a]
            if (c95[x] <= 0 && pshort[cimp[x] SUBSEP cind[x]] <= 0) continue
            if (!shown) {
                print "Most exposed industries (shortage share: tonnes short / tonnes demanded over the horizon;"
                print "P(short): share of paths with any shortage):"
                print ""
                print "| importer | industry | shortage, median | shortage, P95 | P(short) |"
                print "|---|---|---:|---:|---:|"
            }
            printf "| %s | %s | %s | %s | %s |\n", cimp[x], cind[x], pct(c50[x]), pct(c95[x]), prob(pshort[cimp[x] SUBSEP cind[x]])
            shown++
        }
        if (!shown)
            print "No shortage: every importer and industry is fully supplied on every path."
        else if (have_all)
            printf "\nAll importers together: median %s, P95 %s of demand short.\n", pct(all50), pct(all95)
        print ""

        # price shock: importers by their largest P95 peak over products
        for (a = 1; a <= ni; a++) po[a] = a
        for (a = 2; a <= ni; a++)
            for (b = a; b > 1; b--) {
                x = po[b]; y = po[b - 1]
                if (imax[x] > imax[y]) { po[b] = y; po[b - 1] = x } else break
            }
        if (ni == 0 || imax[po[1]] < 0.0005) {
            print "No price shock: the peak landed price index stays within 0.05% of its baseline for every importer."
        } else {
            print "Peak price shock (largest monthly landed price index - 1) of the importers with the largest P95"
            print "(at most five; importers whose price index stays within 0.05% of baseline are not listed):"
            print ""
            hdr = "| importer |"; rule = "|---|"
            for (k = 1; k <= np; k++) { hdr = hdr " " pname[k] ", median | " pname[k] ", P95 |"; rule = rule "---:|---:|" }
            print hdr; print rule
            for (a = 1; a <= ni && a <= 5; a++) {
                if (imax[po[a]] < 0.0005) break      # unaffected importers are not listed
                imp = iname[po[a]]; line = "| " imp " |"
                for (k = 1; k <= np; k++) {
                    key = imp SUBSEP pname[k]
                    if (key in pk95) line = line " " shock(pk50[key]) " | " shock(pk95[key]) " |"
                    else line = line " - | - |"
                }
                print line
            }
        }
        if (have_china)
            printf "\nChina'\''s shipments over the horizon, all importers and products: %s t (mean over paths).\n", thou(china)
    }' "$tmp/$n/summary.csv" > "$tmp/$n.md" || die "$n: cannot read the results"
    wall=$(awk -F': ' '/"wall_seconds"/ { sub(/,.*/, "", $2); printf "%.1f", $2 }' "$tmp/$n/manifest.json")
    printf 'scenario_results: %-24s %s s in the engine\n' "$n" "$wall" >&2
done

# Rewrite the page: the block after each <!-- results:NAME --> up to <!-- /results --> is replaced by
# $tmp/NAME.md when NAME was run; other blocks are kept.
awk -v dir="$tmp" '
    function flush(    line) {
        while ((getline line < file) > 0) print line
        close(file)
    }
    inblk == 0 && match($0, /^<!-- results:[A-Za-z0-9_-]+ -->[ \t]*$/) {
        name = substr($0, RSTART + 13, RLENGTH - 17)
        print
        file = dir "/" name ".md"
        if ((getline probe < file) > 0) { close(file); inblk = 2; flush() } else inblk = 1
        startline = NR
        next
    }
    inblk && /^<!-- \/results -->[ \t]*$/ { inblk = 0; print; next }
    inblk == 2 { next }
    { print }
    END {
        if (inblk) { printf "scenario_results: marker on line %d has no <!-- /results -->\n", startline > "/dev/stderr"; exit 1 }
    }' "$doc" > "$tmp/page.md" || die "cannot rewrite $doc"

if [ "$dry" = 1 ]; then
    cat "$tmp/page.md"
else
    cat "$tmp/page.md" > "$doc"
    printf 'scenario_results: rewrote %s\n' "$doc" >&2
fi
