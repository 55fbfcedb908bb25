#!/bin/sh
# What the default scenario's mechanisms cost a path: the scenario as shipped
# against three variants derived from it here, each with one more mechanism
# taken out, run in alternating rounds (the machine's drift hits every
# variant alike).
#
#   full      scenarios/april2025_controls.yaml as it is
#   scalar    the NdFeB licence's affected share one number (0.8) instead of
#             one per end use: China's flows no longer followed cell by cell
#   noqueue   scalar, and no licence keeps a queue of applications
#   nopol     no policy at all: the 2025 world's month loop alone
#
#   sh bench/mechanisms.sh [PATHS [ROUNDS]]     (default 4096 paths, 5 rounds)
#   CALLGRIND=1 sh bench/mechanisms.sh          adds instructions per path
#
# Prints, per variant, the median over the rounds of bench_engine's time per
# path on one thread (series accumulated, as in a normal run) and of the
# simulation alone (the steps, series written but not accumulated); with
# CALLGRIND=1 also instructions per path with and without series
# (valgrind --tool=callgrind, MAGSIM_ISA=baseline, runs of 512 and 256
# paths, the difference over 256).  The variants are checked to load and to
# differ from the shipped file as intended before anything is timed.
set -e
P=${1:-4096}
R=${2:-5}
B=${BENCH_BIN:-build/release/bench/bench_engine}
M=${MAGSIM:-build/release/magsim}
S=scenarios/april2025_controls.yaml
D=$(mktemp -d)
trap 'rm -rf "$D"' EXIT INT TERM
ROOT=$(cd "$(dirname "$S")" && pwd)

# full: the shipped file; the variants extend it (the policies are a list,
# which a child replaces whole, so the two edited ones copy the list)
cp "$S" "$D/full.yaml"
sed -i "s|^extends: world_2025.yaml|extends: $ROOT/world_2025.yaml|" "$D/full.yaml"
# scalar: the per-end-use block of the NdFeB licence becomes one share
awk '/^    affected: +# by end use/ { print "    affected: 0.8"; skip = 1; next }
     skip && /^    [a-z]/ { skip = 0 }
     !skip' "$D/full.yaml" > "$D/scalar.yaml"
# noqueue: scalar without the queue lines (and the comments under them)
awk '/^      queue: / { skip = 1; next }
     skip && /^        #/ { next }
     { skip = 0; print }' "$D/scalar.yaml" > "$D/noqueue.yaml"
printf 'magsim: 1\nname: the 2025 world without policies\nextends: %s/full.yaml\npolicies: ~\n' "$D" > "$D/nopol.yaml"

count() { grep -c "$1" "$2" || true; }
if ! { [ "$(count '^    affected: 0.8$' "$D/scalar.yaml")" = 1 ] &&
    [ "$(count 'ev_traction:' "$D/scalar.yaml")" = 0 ] &&
    [ "$(count '^      queue: ' "$D/scalar.yaml")" = 4 ] &&
    [ "$(count '^      queue: ' "$D/noqueue.yaml")" = 0 ]; }; then
    echo "mechanisms.sh: $S no longer has the blocks this script edits" >&2
    exit 1
fi
for v in full scalar noqueue nopol; do
    "$M" validate "$D/$v.yaml" > /dev/null
done

median() { sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
echo "# mechanisms of $S: $P paths, 1 thread, medians of $R alternating rounds ($(date -u +%Y-%m-%d))"
for _ in $(seq "$R"); do
    for v in full scalar noqueue nopol; do
        "$B" "$D/$v.yaml" "$P" 1 > "$D/out"
        awk '/^threads  1:/ { print $5 }' "$D/out" >> "$D/$v.run"
        awk '/^simulation alone/ { print $5 }' "$D/out" >> "$D/$v.sim"
    done
done
printf '%-8s %14s %16s' variant 'us/path' 'us/path steps'
[ -z "$CALLGRIND" ] || printf ' %18s %18s' 'instr/path series' 'instr/path none'
echo
ipp() { # instructions per path of variant $1 with extra options $2
    for n in 256 512; do
        MAGSIM_ISA=baseline valgrind --tool=callgrind --callgrind-out-file="$D/cg$n" "$M" "$D/$1.yaml" \
            --paths $n --threads 1 --quiet --out "$D/r$n" --force ${2:+"$2"} > /dev/null 2>&1
        callgrind_annotate "$D/cg$n" | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }' > "$D/i$n"
    done
    echo $((($(cat "$D/i512") - $(cat "$D/i256")) / 256))
}
for v in full scalar noqueue nopol; do
    printf '%-8s %14s %16s' "$v" "$(median < "$D/$v.run")" "$(median < "$D/$v.sim")"
    [ -z "$CALLGRIND" ] || printf ' %18s %18s' "$(ipp $v '')" "$(ipp $v --no-series)"
    echo
done
