#!/bin/sh
# tests/e2e_analysis.sh - end-to-end tests of `magsim compare` and `magsim sensitivity`.
#
#   MAGSIM=build/release/magsim sh tests/e2e_analysis.sh     (make e2e runs it)
#
# compare: usage errors (exit 2), invalid and mismatched scenarios (exit 3),
# a scenario against itself (every difference 0, variance ratio infinite),
# the result files and their headers, byte-identical files at 1 and 2
# threads, --max-memory, an existing --out, SIGINT (exit 4, partial result).
# sensitivity: bad metric, importer, industry, product and input names (exit
# 2, the valid ones listed), a scenario with no uncertain input (exit 3),
# the files, byte-identical at 1 and 2 threads, --max-memory, SIGINT.
#
# Environment: E2E_PATHS (default 256) paths per comparison.
# The last line is "N passed, M failed"; the status is non-zero on any failure.

set -u
: "${MAGSIM:?set MAGSIM to the magsim binary}"
case "$MAGSIM" in /*) ;; *) MAGSIM="$(pwd)/$MAGSIM" ;; esac
cd "$(dirname "$0")/.." || exit 2

PATHS="${E2E_PATHS:-256}"
BASE=scenarios/april2025_controls.yaml
POL=scenarios/oct2025_expansion.yaml
CMP_HDR="policy,metric,supplier,importer,industry,product,better,n,base_mean,policy_mean,diff_mean,diff_sd,diff_se,q05,q50,q95,q99,p_better,p_worse,var_independent,var_paired,var_ratio"
CTS_HDR="policy,series,supplier,importer,industry,product,month,stat,value"
SENS_HDR="metric,supplier,importer,industry,product,input,kind,s1,s1_lo,s1_hi,st,st_lo,st_hi"
TOR_HDR="metric,supplier,importer,industry,product,input,x_lo,x_mid,x_hi,y_lo,y_mid,y_hi,swing,swing_se"

T=$(mktemp -d "${TMPDIR:-/tmp}/magsim-e2e-analysis.XXXXXX") || exit 2
trap 'rm -rf "$T"' EXIT
trap 'exit 130' INT TERM
. tests/e2e_lib.sh

echo "e2e analysis: $MAGSIM, $PATHS paths"
# column N of every data row of a CSV (no quoted commas in these files)
col() { tail -n +2 "$1" | cut -d, -f"$2"; }

# ---- compare: usage and bad input ----
run "$MAGSIM" help compare
check "help compare describes --paths" sh -c "[ $rc -eq 0 ] && grep -q -- '--paths' '$T/out'"
usage_case "compare with one scenario" 'needs BASE and at least one POLICY' compare "$BASE"
usage_case "compare unknown option" '"--bogus"' compare "$BASE" "$POL" --bogus
usage_case "compare --paths 10k" '--paths: "10k" is not a whole number' compare "$BASE" "$POL" --paths 10k
run "$MAGSIM" compare "$BASE" "$T/missing.yaml"
check "compare with a missing file exits 3" is_rc 3
sed -e 's/^horizon: {months: 24}/horizon: {months: 12}/' "$POL" >"$T/short.yaml"
cp scenarios/world_2025.yaml scenarios/world_2024.yaml "$T/" 2>/dev/null
run "$MAGSIM" compare "$BASE" "$T/short.yaml" --paths 64
check "compare of different horizons exits 3" sh -c "[ $rc -eq 3 ] && grep -q 'different horizons' '$T/err'"

# ---- compare: a scenario against itself ----
OS="$T/self"
run "$MAGSIM" compare "$BASE" "$BASE" --paths "$PATHS" --threads 2 --out "$OS"
check "compare X X exits 0" is_rc 0
check "compare X X: labels apart" has_out "april2025_controls-2"
for f in compare.csv compare_timeseries.csv compare.json manifest.json base.yaml policy1.yaml world_2025.yaml; do
    check "compare --out writes $f" test -s "$OS/$f"
done
check "compare.csv header" first_line_is "$OS/compare.csv" "$CMP_HDR"
check "compare_timeseries.csv header" first_line_is "$OS/compare_timeseries.csv" "$CTS_HDR"
check "compare X X: every diff_mean is 0" sh -c "[ -z \"\$(tail -n +2 '$OS/compare.csv' | cut -d, -f11 | grep -v -x 0)\" ]"
check "compare X X: every q95 of a difference is 0" sh -c "[ -z \"\$(tail -n +2 '$OS/compare.csv' | cut -d, -f16 | grep -v -x 0)\" ]"
check "compare X X: every p_better is 0" sh -c "[ -z \"\$(tail -n +2 '$OS/compare.csv' | cut -d, -f18 | grep -v -x 0)\" ]"
check "compare X X: variance ratio inf where metrics vary" grep -q ',inf$' "$OS/compare.csv"
check "compare X X: no finite variance ratio" sh -c "! tail -n +2 '$OS/compare.csv' | cut -d, -f22 | grep -q '[0-9]'"
check "compare X X: timeseries differences 0" sh -c "! grep ',diff_mean,' '$OS/compare_timeseries.csv' | grep -v -q ',diff_mean,0$'"
check "compare.json is JSON" json_ok "$OS/compare.json"
check "compare.json flags the infinite ratio" grep -q '"var_ratio": null, "var_ratio_infinite": true' "$OS/compare.json"
check "compare manifest is JSON" json_ok "$OS/manifest.json"
check "compare manifest says partial false" grep -q '"partial": false' "$OS/manifest.json"
check "compare: base.yaml is a byte copy" cmp -s "$BASE" "$OS/base.yaml"

# ---- compare: byte-identical at 1 and 2 threads, with structure that differs ----
for n in 1 2; do
    run "$MAGSIM" compare "$BASE" "$POL" --paths "$PATHS" --threads "$n" --out "$T/cmp$n" --quiet
    check "compare --threads $n exits 0" is_rc 0
done
for f in compare.csv compare_timeseries.csv compare.json; do
    check "$f identical at --threads 1 and 2" cmp "$T/cmp1/$f" "$T/cmp2/$f"
done
# the October file restates the April regime of the base exactly (common random numbers): every input of
# the base is shared and drawn alike; only the October policy's own inputs are unshared
check "compare lists the policy's own inputs" grep -q '"policy_only": \[[^]]*"policies.oct2025_new_elements.affected"' "$T/cmp1/compare.json"
check "compare: no input of the base is unshared" grep -q '"inputs": {"base_only": \[\], "policy_only"' "$T/cmp1/compare.json"
check "compare: no shared input drawn from another distribution" grep -q '"changed": \[\]' "$T/cmp1/compare.json"
check "compare: the October rules raise the total shortage share" \
    sh -c "grep '^oct2025_expansion,shortage_share,,all,all,' '$T/cmp1/compare.csv' | cut -d, -f11 | grep -q '^[0-9]'"

# ---- compare: limits, existing output, SIGINT ----
run "$MAGSIM" compare "$BASE" "$POL" --paths 64 --max-memory 2M --quiet
check "compare --max-memory 2M refuses (exit 1)" sh -c "[ $rc -eq 1 ] && grep -q 'would need about' '$T/err'"
run "$MAGSIM" compare "$BASE" "$POL" --paths 64 --out "$T/cmp1" --quiet
check "compare into an existing --out exits 1" sh -c "[ $rc -eq 1 ] && grep -q -- '--force' '$T/err'"
interrupt 2 "$MAGSIM" compare "$BASE" "$POL" --paths 100000000 --threads 2 --out "$T/cmpint" --quiet
check "compare SIGINT exits 4" is_rc 4
check "compare SIGINT: manifest says partial true" grep -q '"partial": true' "$T/cmpint/manifest.json"
check "compare SIGINT: compare.json says partial" grep -q '"partial": true' "$T/cmpint/compare.json"
check "compare SIGINT: compare.csv header" first_line_is "$T/cmpint/compare.csv" "$CMP_HDR"

# ---- sensitivity: names that do not exist ----
run "$MAGSIM" help sensitivity
check "help sensitivity describes --metric" sh -c "[ $rc -eq 0 ] && grep -q -- '--metric' '$T/out'"
usage_case "sensitivity bad metric lists metrics" 'metrics: shortage_t, shortage_share' \
    sensitivity "$BASE" --metric shortage
usage_case "sensitivity bad importer lists importers" 'valid: germany, usa' \
    sensitivity "$BASE" --metric shortage_share --importer atlantis
usage_case "sensitivity bad industry lists the importer's industries" 'valid: ev_traction, wind' \
    sensitivity "$BASE" --metric shortage_share --importer usa --industry toasters
usage_case "sensitivity --product on a shortage metric" '--product does not apply to shortage_share' \
    sensitivity "$BASE" --metric shortage_share --product ndfeb
usage_case "sensitivity --importer before --metric" 'must follow the --metric' sensitivity "$BASE" --importer usa
usage_case "sensitivity bad input lists the uncertain ones" 'policies.april_licensing_ndfeb.affected' \
    sensitivity "$BASE" --inputs policies.nonesuch
usage_case "sensitivity fixed input" 'is fixed' sensitivity "$BASE" --inputs policies.april_licensing_smco.affected
usage_case "sensitivity --level 2" '--level: "2"' sensitivity "$BASE" --level 2
cat >"$T/fixed.yaml" <<'EOF'
magsim: 1
horizon: {start: 2025-01, months: 6}
products: {ndfeb: {price_usd_per_kg: 50}}
suppliers: {china: {country: CN, capacity_t_per_year: {ndfeb: 1000}}}
importers:
  usa:
    sourcing: {ndfeb: {china: 1}}
    industries: {ev: {demand_t_per_year: {ndfeb: 100}}}
EOF
run "$MAGSIM" sensitivity "$T/fixed.yaml"
check "sensitivity of a scenario with no uncertain input exits 3" \
    sh -c "[ $rc -eq 3 ] && grep -q 'no uncertain input' '$T/err'"

# ---- sensitivity: files, byte-identical at 1 and 2 threads ----
SENS="--inputs policies.april_licensing_ndfeb --metric shortage_share --importer usa --metric peak_price_shock
      --importer germany --product ndfeb --rows 64 --bootstrap 200 --tornado-paths 8"
for n in 1 2; do
    # shellcheck disable=SC2086
    run "$MAGSIM" sensitivity "$BASE" $SENS --threads "$n" --out "$T/sens$n"
    check "sensitivity --threads $n exits 0" is_rc 0
done
check "sensitivity prints the ranking" has_out "policies.april_licensing_ndfeb.affected"
for f in sensitivity.csv tornado.csv sensitivity.json manifest.json scenario.yaml world_2025.yaml; do
    check "sensitivity --out writes $f" test -s "$T/sens1/$f"
done
for f in sensitivity.csv tornado.csv sensitivity.json; do
    check "$f identical at --threads 1 and 2" cmp "$T/sens1/$f" "$T/sens2/$f"
done
check "sensitivity.csv header" first_line_is "$T/sens1/sensitivity.csv" "$SENS_HDR"
check "tornado.csv header" first_line_is "$T/sens1/tornado.csv" "$TOR_HDR"
# 2 outputs x (9 uncertain inputs of april_licensing_ndfeb + the intrinsic noise): approval_end,
# ramp_months, delay_months and the affected shares of 6 end uses (defense's is fixed at 1)
check "sensitivity.csv has 20 rows" sh -c "[ \$(tail -n +2 '$T/sens1/sensitivity.csv' | wc -l) -eq 20 ]"
check "sensitivity.csv has the intrinsic noise" grep -q ',(intrinsic),intrinsic,' "$T/sens1/sensitivity.csv"
check "tornado.csv has 18 rows" sh -c "[ \$(tail -n +2 '$T/sens1/tornado.csv' | wc -l) -eq 18 ]"
check "sensitivity.json is JSON" json_ok "$T/sens1/sensitivity.json"
check "sensitivity manifest says partial false" grep -q '"partial": false' "$T/sens1/manifest.json"

# ---- sensitivity: limits, SIGINT ----
run "$MAGSIM" sensitivity "$BASE" --rows 10000000 --max-memory 64M --quiet
check "sensitivity --max-memory refuses (exit 1)" sh -c "[ $rc -eq 1 ] && grep -q 'use fewer --rows' '$T/err'"
interrupt 3 "$MAGSIM" sensitivity "$BASE" --rows 100000 --tornado-paths 0 --bootstrap 20 --threads 2 \
    --out "$T/sensint" --quiet
check "sensitivity SIGINT exits 4" is_rc 4
check "sensitivity SIGINT: manifest says partial true" grep -q '"partial": true' "$T/sensint/manifest.json"
check "sensitivity SIGINT: sensitivity.csv header" first_line_is "$T/sensint/sensitivity.csv" "$SENS_HDR"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
