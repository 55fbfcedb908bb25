#!/bin/sh
# tests/price_caps.sh - end-to-end tests of tools/price_caps.sh (what the price caps decide).
#
#   MAGSIM=build/release/magsim sh tests/price_caps.sh     (make e2e runs it)
#
# Known answers, from the model (docs/model.md, step 10: premium = min(premium_cap, f^(1/eps)) when the
# fill rate f < 1, else 1):
#   - tariff_2026 has no export control and no shortage, so the premium is 1 on every path: lifting
#     premium_cap changes no peak price shock (P95 equal, P(cap) 0, shortage 0 either way);
#   - embargo_stress bans China's magnets to Germany for 12 months (86% of its NdFeB), so Germany's fill
#     rate falls far below cap^eps (at most 5^-0.5 = 0.45 with the world's draws) once its stocks are
#     gone: the cap decides Germany's peak on most paths (asserted > 50%; 97% at 10,000 paths), and the
#     P95 without it is higher;
#   - -s lifts the suppliers' caps instead, and says so.
# Then usage errors (exit 1, a message). 256 paths each.
#
# The last line is "N passed, M failed"; the status is non-zero on any failure.

set -u
: "${MAGSIM:?set MAGSIM to the magsim binary}"
case "$MAGSIM" in /*) ;; *) MAGSIM="$(pwd)/$MAGSIM" ;; esac
cd "$(dirname "$0")/.." || exit 2

T=$(mktemp -d "${TMPDIR:-/tmp}/magsim-caps.XXXXXX") || exit 2
trap 'rm -rf "$T"' EXIT
trap 'exit 130' INT TERM
. tests/e2e_lib.sh

echo "price_caps: $MAGSIM, 256 paths"

# field N (1-based, "|"-separated, blanks trimmed) of the table row of importer IMP in $T/out
cell() { awk -F'|' -v imp="$1" -v n="$2" '{ x = $2; gsub(/ /, "", x) } x == imp { v = $(n + 1); gsub(/ /, "", v); print v; exit }' "$T/out"; }

run sh tools/price_caps.sh -m "$MAGSIM" -n 256 tariff_2026
check "tariff_2026 runs" is_rc 0
check "tariff_2026: premium caps lifted" has_out "tariff_2026, premium caps lifted"
p95=$(cell usa 2)
nocap=$(cell usa 3)
check "tariff_2026: US NdFeB P95 the same without the cap ($p95, $nocap)" test -n "$p95" -a "$p95" = "$nocap"
check "tariff_2026: P(cap) 0 for US NdFeB" test "$(cell usa 4)" = 0
check "tariff_2026: P(cap) 0 for US SmCo" test "$(cell usa 7)" = 0
check "tariff_2026: no shortage either way" has_out "median 0.0%, P95 0.0% as shipped; median 0.0%, P95 0.0% without"

run sh tools/price_caps.sh -m "$MAGSIM" -n 256 embargo_stress
check "embargo_stress runs" is_rc 0
pc=$(cell germany 4)
check "embargo_stress: the cap decides Germany's NdFeB peak on most paths ($pc)" \
    awk -v p="$pc" 'BEGIN { sub(/%$/, "", p); exit !(p + 0 > 50) }'
p95=$(cell germany 2)
nocap=$(cell germany 3)
check "embargo_stress: Germany's P95 higher without the cap ($p95, $nocap)" \
    awk -v a="$p95" -v b="$nocap" 'BEGIN { gsub(/[+%]/, "", a); gsub(/[+%]/, "", b); exit !(b + 0 > a + 0) }'

run sh tools/price_caps.sh -m "$MAGSIM" -n 256 -s embargo_stress
check "-s runs" is_rc 0
check "-s lifts the suppliers' caps" has_out "embargo_stress, supplier caps lifted"

run sh tools/price_caps.sh -m "$MAGSIM"
check "no NAME: exit 1 with the usage" sh -c "[ $rc -eq 1 ] && grep -q usage '$T/err'"
run sh tools/price_caps.sh -m "$MAGSIM" no_such_scenario
check "unknown NAME: exit 1, not found" sh -c "[ $rc -eq 1 ] && grep -q 'no_such_scenario.yaml not found' '$T/err'"
run sh tools/price_caps.sh -m /nonexistent/magsim tariff_2026
check "bad -m: exit 1" sh -c "[ $rc -eq 1 ] && grep -q 'not executable' '$T/err'"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
