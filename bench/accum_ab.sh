#!/bin/sh
# bench/accum_ab.sh - is one version of the accumulators faster than another
# in the conditions of a run?  Builds sim/accum.c at two git revisions (or a
# file), links both into bench/accum_ab/harness.c with their entry points
# renamed, and runs the harness with each build in both places (the place
# biases the ratio by several percent; the geometric mean of B/A and the
# inverse of A/B with the places swapped cancels it).  Needs the release
# library (make) and git.  Prints the ratio time(B) / time(A) of each round:
# below 1, B is faster.
#
#   sh bench/accum_ab.sh A B [SCENARIO] [ROUNDS] [BLOCKS]
#     A, B      a git revision (its sim/accum.c), or a path to an accum.c
#     SCENARIO  default scenarios/april2025_controls.yaml
#     ROUNDS    default 3; BLOCKS of 64 paths per run, default 100
#
#   sh bench/accum_ab.sh HEAD~1 HEAD
set -eu
cd "$(dirname "$0")/.."
[ $# -ge 2 ] || { sed -n '2,16p' "$0"; exit 2; }
A=$1 B=$2 SCEN=${3:-scenarios/april2025_controls.yaml} ROUNDS=${4:-3} BLOCKS=${5:-100}
LIB=build/release/libmagsim.a
[ -f "$LIB" ] || { echo "accum_ab: $LIB missing: run make first" >&2; exit 1; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
CC=${CC:-cc}
CFLAGS="-std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -O2 -ffp-contract=off -Iinclude -Isim"
ENTRY="accum_alloc accum_free accum_set_shift accum_block_begin accum_block_add accum_block_end"

# source REV|FILE -> $T/$2.c
source_of() {
    if [ -f "$1" ]; then cp "$1" "$T/$2.c"; else git show "$1:sim/accum.c" > "$T/$2.c"; fi
}

# object SRC X -> $T/X.o: the entry points renamed X_*, every other global symbol local
object() {
    defs="" keep=""
    for f in $ENTRY; do
        defs="$defs -Dms_$f=$2_$f"
        keep="$keep --keep-global-symbol=$2_$f"
    done
    # shellcheck disable=SC2086
    $CC $CFLAGS $defs -c "$T/$1.c" -o "$T/$2raw.o"
    # shellcheck disable=SC2086
    objcopy $keep "$T/$2raw.o" "$T/$2.o"
}

source_of "$A" a
source_of "$B" b
LIBS="$(pkg-config --libs gsl yaml-0.1 libcrypto) $(pkg-config --libs cairo 2>/dev/null || true) -fopenmp -lm"
for order in ab ba; do
    first=$(echo $order | cut -c1) second=$(echo $order | cut -c2)
    object "$first" A
    object "$second" B
    # shellcheck disable=SC2086
    $CC $CFLAGS -fopenmp -o "$T/harness_$order" bench/accum_ab/harness.c "$T/A.o" "$T/B.o" "$LIB" $LIBS
done
echo "accum_ab: A = $A, B = $B, $SCEN, $BLOCKS blocks of 64 paths a run"
for r in $(seq "$ROUNDS"); do
    ab=$("$T/harness_ab" "$SCEN" "$BLOCKS" | awk '{print $NF}')
    ba=$("$T/harness_ba" "$SCEN" "$BLOCKS" | awk '{print $NF}')
    echo "$ab $ba" | awk '{printf "round %d: B/A %.3f with B second, %.3f with B first: time(B)/time(A) = %.3f\n", r, $1, 1 / $2, sqrt($1 / $2)}' r="$r"
done
