#!/bin/sh
# tests/fuzz/run.sh SECONDS - build and run the scenario-loader fuzzer.
#
#   sh tests/fuzz/run.sh 600        (make fuzz; make fuzz-smoke runs 60 s)
#
# Builds tests/fuzz/fuzz_scenario.c and every library source (sim/*.c, sim/policy/*.c) with
# clang -fsanitize=fuzzer,address,undefined into build/fuzz/, seeds a work
# corpus (build/fuzz/corpus) from scenarios/*.yaml, the test fixtures and
# tests/fuzz/corpus/, and runs libFuzzer for SECONDS with the schema
# dictionary.  A finding (crash, leak, sanitizer report, timeout) leaves its
# reproducer in build/fuzz/ as crash-*, leak-* or timeout-* and makes the
# script exit non-zero.
#
# Environment: FUZZ_JOBS (default 1) parallel fuzzing processes;
# FUZZ_MERGE=1 merges the work corpus back into tests/fuzz/corpus/ (minimised,
# coverage edges only) at the end; FUZZ_ARGS extra libFuzzer flags; CLANG (default clang).
set -eu
SECONDS_TO_RUN=${1:-60}
cd "$(dirname "$0")/../.."
CLANG=${CLANG:-clang}
B=build/fuzz
if ! command -v "$CLANG" >/dev/null 2>&1; then
    echo "fuzz: $CLANG not found (apt-get install clang libclang-rt-14-dev)" >&2
    exit 2
fi
mkdir -p "$B/obj" "$B/corpus"

CFLAGS="-std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Wall -Wextra -Wno-unused-parameter -g -O1 -Iinclude -fopenmp
        -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined
        -fno-omit-frame-pointer -DMAGSIM_VERSION=\"$(cat VERSION)\"
        $(pkg-config --cflags gsl yaml-0.1 libcrypto cairo fontconfig)"
LIBS="$(pkg-config --libs gsl yaml-0.1 libcrypto cairo fontconfig) -lm"
# OpenMP: the engine's parallel driver is not run here, but the library
# calls omp_* functions; LLVM's libomp comes with clang.
OMP="-fopenmp"

objs=""
for src in sim/*.c sim/policy/*.c tests/fuzz/fuzz_scenario.c; do
    o="$B/obj/$(basename "$src" .c).o"
    if [ ! -f "$o" ] || [ "$src" -nt "$o" ] || [ -n "$(find include sim -newer "$o" -name '*.h' 2>/dev/null | head -n 1)" ]; then
        echo "fuzz: cc $src"
        # shellcheck disable=SC2086
        $CLANG $CFLAGS -c "$src" -o "$o"
    fi
    objs="$objs $o"
done
# shellcheck disable=SC2086
$CLANG -fsanitize=fuzzer,address,undefined $OMP -o "$B/fuzz_scenario" $objs $LIBS

# seed corpus: the shipped scenarios, the fixtures and the committed corpus
for f in scenarios/*.yaml tests/fixtures/*/*.yaml tests/fuzz/corpus/*; do
    [ -f "$f" ] || continue
    cp "$f" "$B/corpus/seed-$(echo "$f" | tr '/' '_')"
done

JOBS=${FUZZ_JOBS:-1}
echo "fuzz: running $SECONDS_TO_RUN s ($JOBS job(s)); findings go to $B/"
set +e
if [ "$JOBS" -gt 1 ]; then
    # shellcheck disable=SC2086
    (cd "$B" && ./fuzz_scenario -max_total_time="$SECONDS_TO_RUN" -max_len=16384 -timeout=5 \
        -rss_limit_mb=2048 -dict=../../tests/fuzz/yaml.dict -jobs="$JOBS" -workers="$JOBS" \
        -print_final_stats=1 ${FUZZ_ARGS:-} corpus)
else
    # shellcheck disable=SC2086
    (cd "$B" && ./fuzz_scenario -max_total_time="$SECONDS_TO_RUN" -max_len=16384 -timeout=5 \
        -rss_limit_mb=2048 -dict=../../tests/fuzz/yaml.dict -print_final_stats=1 ${FUZZ_ARGS:-} corpus)
fi
rc=$?
set -e
if [ "$rc" -ne 0 ] || ls "$B"/crash-* "$B"/leak-* "$B"/timeout-* "$B"/oom-* >/dev/null 2>&1; then
    echo "fuzz: FINDING (exit $rc); reproducers:" >&2
    ls -l "$B"/crash-* "$B"/leak-* "$B"/timeout-* "$B"/oom-* 2>/dev/null >&2
    exit 1
fi
if [ "${FUZZ_MERGE:-0}" = 1 ]; then
    rm -rf "$B/merged"
    mkdir -p "$B/merged"
    (cd "$B" && ./fuzz_scenario -merge=1 -use_counters=0 -max_len=16384 -timeout=5 -dict=../../tests/fuzz/yaml.dict merged corpus)
    rm -f tests/fuzz/corpus/*
    cp "$B"/merged/* tests/fuzz/corpus/
    echo "fuzz: tests/fuzz/corpus now holds $(ls tests/fuzz/corpus | wc -l) files"
fi
echo "fuzz: no finding in $SECONDS_TO_RUN s"
