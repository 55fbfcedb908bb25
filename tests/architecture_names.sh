#!/bin/sh
# tests/architecture_names.sh - docs/architecture.md names only what exists.
#
#   sh tests/architecture_names.sh [DOC]         (make lint does this)
#
# Every path the page names under sim/, include/, tests/, tools/, docs/,
# bench/ or scenarios/ (a glob such as sim/policy/*.c must match a file),
# every magsim/NAME.h (include/magsim/NAME.h), and every identifier that
# starts with ms_, MS_ or step_ must exist in the sources (sim/ and
# include/, as a whole word; a name written as a prefix, ms_outdir_*, must
# start some identifier).  The walk-through names a policy type that is not
# in the tree: the page lists those names in a comment
#   <!-- architecture_names: new NAME... -->
# and each of them must be absent from the sources (if it appears, the type
# was added for real and the page must say so).  And the page is complete:
# every hook of sim/engine_int.h (MS_HOOK_*) and every step_ function of
# sim/steps.c is named on it.
# The last line is "N passed, M failed"; the status is non-zero on a failure.
set -u
cd "$(dirname "$0")/.." || exit 2
DOC=${1:-docs/architecture.md}
[ -f "$DOC" ] || { echo "architecture_names: no $DOC" >&2; exit 2; }
T=$(mktemp -d "${TMPDIR:-/tmp}/magsim-archnames.XXXXXX") || exit 2
trap 'rm -rf "$T"' EXIT

pass=0
fail=0
bad() { fail=$((fail + 1)); echo "FAIL $DOC: $1"; }

# the sources the identifiers must be in
find sim include -name '*.[ch]' | sort >"$T/src"

new=$(sed -n 's/.*<!-- architecture_names: new \(.*\) -->.*/\1/p' "$DOC")
is_new() { for nn in $new; do [ "$nn" = "$1" ] && return 0; done; return 1; }

# the page without its comments (the list of new names is not a use)
sed -e 's/<!--.*-->//' "$DOC" >"$T/doc"

# ---- paths ----
grep -o -E '(^|[^A-Za-z0-9_./-])(sim|include|tests|tools|docs|bench|scenarios)/[A-Za-z0-9_./*-]*[A-Za-z0-9_*]' "$T/doc" |
    sed -e 's/^[^a-z]//' | sort -u >"$T/paths"
while read -r p; do
    if is_new "$p"; then
        if [ -e "$p" ]; then bad "$p is named as a new file in the walk-through but exists"; else pass=$((pass + 1)); fi
        continue
    fi
    # shellcheck disable=SC2086
    set -- $p # a glob expands; a plain path stays as it is
    if [ -e "$1" ]; then pass=$((pass + 1)); else bad "no file or directory $p"; fi
done <"$T/paths"

# ---- public headers written as magsim/NAME.h ----
grep -o -E '(^|[^A-Za-z0-9_/])magsim/[a-z_]+\.h' "$T/doc" | sed -e 's/^[^m]//' | sort -u >"$T/headers"
while read -r h; do
    if [ -f "include/$h" ]; then pass=$((pass + 1)); else bad "no header include/$h"; fi
done <"$T/headers"

# ---- identifiers ----
grep -o -E '(^|[^A-Za-z0-9_])(ms_|MS_|step_)[A-Za-z0-9_]*' "$T/doc" | sed -e 's/^[^A-Za-z]//' | sort -u >"$T/names"
while read -r n; do
    if is_new "$n"; then
        if xargs grep -q -w -e "$n" <"$T/src"; then
            bad "$n is named as new in the walk-through but is in the sources"
        else
            pass=$((pass + 1))
        fi
        continue
    fi
    case "$n" in
    *_) xargs grep -q -E "(^|[^A-Za-z0-9_])$n[A-Za-z0-9_]" <"$T/src" ;; # a prefix: ms_outdir_*
    *) xargs grep -q -w -e "$n" <"$T/src" ;;
    esac
    if [ $? -eq 0 ]; then pass=$((pass + 1)); else bad "$n is not in sim/ or include/"; fi
done <"$T/names"

# ---- completeness: every step and every hook of the engine is on the page ----
for n in $(grep -o -E '^    MS_HOOK_[A-Z_]+' sim/engine_int.h | grep -v MS_HOOK_COUNT) \
         $(grep -o -E '^(static )?void (step_[a-z_]+)\(' sim/steps.c | sed -e 's/.*\(step_[a-z_]*\)(/\1/'); do
    if grep -q -w -e "$n" "$DOC"; then pass=$((pass + 1)); else bad "$n (sim/engine_int.h, sim/steps.c) is not on the page"; fi
done

# the check itself must have found something to check
[ -s "$T/paths" ] && [ -s "$T/names" ] || bad "found no paths or names to check (is the page empty?)"
[ -n "$new" ] || bad "no <!-- architecture_names: new ... --> list (the walk-through's names)"

echo "architecture_names: $(wc -l <"$T/paths") paths, $(wc -l <"$T/headers") headers, $(wc -l <"$T/names") names"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
