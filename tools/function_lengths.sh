#!/bin/sh
# tools/function_lengths.sh - the longest functions of magsim's sources.
#
#   sh tools/function_lengths.sh                 the 10 longest functions in sim/
#   sh tools/function_lengths.sh -n 25           the 25 longest
#   sh tools/function_lengths.sh --max 150       also fail (exit 1) when one is longer than 150 lines
#   sh tools/function_lengths.sh FILE...         only these files
#
# A function is counted from the first line of its signature to its closing
# brace, both included: the project's style puts the signature at column 0,
# the opening brace alone on the next line (or after a signature that spans
# lines) and the closing brace alone at column 0.  Each line printed is
# "LINES FILE:LINE NAME", longest first.  make lint runs it with --max 150
# (docs/architecture.md, "Rules every module keeps").
set -u
cd "$(dirname "$0")/.." || exit 2
top=10
max=0
while [ $# -gt 0 ]; do
    case "$1" in
    -n) [ $# -ge 2 ] || { echo "function_lengths: -n needs a number" >&2; exit 2; }; top=$2; shift 2 ;;
    --max) [ $# -ge 2 ] || { echo "function_lengths: --max needs a number" >&2; exit 2; }; max=$2; shift 2 ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "function_lengths: unknown option \"$1\"" >&2; exit 2 ;;
    *) break ;;
    esac
done
case "$top$max" in *[!0-9]*) echo "function_lengths: -n and --max take whole numbers" >&2; exit 2 ;; esac
[ $# -gt 0 ] || set -- sim/*.c sim/policy/*.c sim/cli/*.c

T=$(mktemp "${TMPDIR:-/tmp}/magsim-fnlen.XXXXXX") || exit 2
trap 'rm -f "$T"' EXIT
# sig: the last line at column 0 that opens a parameter list and is not a
# declaration (ends in ';'); a '{' alone at column 0 opens its body and the
# next '}' at column 0 closes it.  Anything else at column 0 that is not a
# continuation forgets the signature (struct and table initialisers).
awk '
FNR == 1 { sig = ""; body = 0 }
body && /^}/ { body = 0; print FNR - start + 1, FILENAME ":" start, name; sig = ""; next }
body { next }
/^[A-Za-z_][A-Za-z0-9_ \t*,]*\(/ && !/;[ \t]*$/ {
    sig = $0; start = FNR
    match(sig, /[A-Za-z_][A-Za-z0-9_]*[ \t]*\(/)
    name = substr(sig, RSTART, RLENGTH); sub(/[ \t]*\($/, "", name)
    next
}
/^\{/ && sig != "" { body = 1; next }
/^[^ \t]/ { sig = "" }
' "$@" | sort -k1,1nr -k2,2 >"$T"
head -n "$top" "$T"
if [ "$max" -gt 0 ]; then
    over=$(awk -v m="$max" '$1 > m' "$T")
    if [ -n "$over" ]; then
        echo "function_lengths: longer than $max lines:" >&2
        echo "$over" | sed 's/^/  /' >&2
        exit 1
    fi
fi
exit 0
