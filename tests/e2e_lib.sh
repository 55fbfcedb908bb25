# tests/e2e_lib.sh - what the end-to-end scripts share (sourced; $T is their
# temporary directory): pass/fail counters and the checks.
#   check NAME CMD...    ok when CMD succeeds
#   run CMD...           stdout to $T/out, stderr to $T/err, status in $rc
#   interrupt SECONDS CMD...   start CMD, SIGINT it after SECONDS, status in $rc
#   usage_case NAME TEXT ARGS...   ok when `$MAGSIM ARGS...` exits 2 with TEXT on stderr
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
no() {
    fail=$((fail + 1))
    echo "FAIL $1"
    if [ -s "$T/err" ]; then sed -e 's/^/       | /' "$T/err" | head -n 15; fi
}
check() { # NAME CONDITION... : ok when the condition (a command) succeeds
    name=$1
    shift
    if "$@"; then ok "$name"; else no "$name"; fi
}
# run CMD...: stdout to $T/out, stderr to $T/err, status in $rc
run() {
    "$@" >"$T/out" 2>"$T/err"
    rc=$?
}
usage_case() { # NAME EXPECTED-TEXT ARGS...: exit 2 and the text on stderr
    name=$1
    text=$2
    shift 2
    run "$MAGSIM" "$@"
    if [ "$rc" -eq 2 ] && has_err "$text"; then ok "$name"; else no "$name (rc $rc)"; fi
}
has_err() { grep -F -q -- "$1" "$T/err"; }
has_out() { grep -F -q -- "$1" "$T/out"; }
is_rc() { [ "$rc" -eq "$1" ]; }
no_tmp_left() { ! ls -d "$T"/*.tmp.* "$T"/*.old.* >/dev/null 2>&1; }
json_ok() { # valid JSON when python3 is at hand; else a light check
    if command -v python3 >/dev/null 2>&1; then
        python3 -m json.tool "$1" >/dev/null 2>&1
    else
        head -c 1 "$1" | grep -q '{' && tail -c 2 "$1" | grep -q '}'
    fi
}
first_line_is() { [ "$(head -n 1 "$1")" = "$2" ]; }
interrupt() { # SECONDS CMD...: SIGINT after SECONDS, wait up to 60 s more
    secs=$1
    shift
    "$@" >"$T/out" 2>"$T/err" &
    ipid=$!
    sleep "$secs"
    kill -INT "$ipid" 2>/dev/null
    i=0
    while kill -0 "$ipid" 2>/dev/null && [ $i -lt 120 ]; do
        sleep 0.5
        i=$((i + 1))
    done
    if kill -0 "$ipid" 2>/dev/null; then
        kill -KILL "$ipid" 2>/dev/null
        echo "       (the interrupted command did not stop within 60 s)"
    fi
    wait "$ipid"
    rc=$?
}
