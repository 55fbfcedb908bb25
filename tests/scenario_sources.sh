#!/bin/sh
# tests/scenario_sources.sh - every number in a shipped scenario carries its source.
#
# usage: sh tests/scenario_sources.sh [FILE.yaml...]      (default: scenarios/*.yaml)
#
# The scenario library's rule (docs/scenarios.md): every number in scenarios/*.yaml has its source beside
# it, or is marked `derived:` (arithmetic on sourced figures) or `assumption:` (an analyst's choice). This
# checks it line by line. A line of YAML that holds a number or a date as a value (names such as
# `world_2024.yaml` or `sep2025_tightening` do not count; `magsim: 1` is the format version) must have a
# comment - on the line itself, or on the comment lines just below it that are indented deeper (a
# continuation) - and that comment must name a source or say where the number comes from:
#   - `assumption` or `derived` (any case), or a note of world_2024.yaml by number (A1-A9, or C for its
#     calibration section);
#   - or one of the sources of the project's table of calibration figures (DATA.md), by name;
#   - or "as ..." pointing at a sourced number nearby ("as NdFeB", "as above", "as world_2024.yaml").
# Lines that fail are printed as FILE:LINE: text; the exit status is 1 when any failed.
set -eu

[ $# -gt 0 ] || { cd "$(dirname "$0")/.." && set -- scenarios/*.yaml; }

awk '
BEGIN {
    # sources as DATA.md names them (lower case; matched as substrings of the comment)
    n = split("adamas|metalnomist|reuters|usitc|rare earth exchanges|indian express|caia|argus|iea|" \
              "mp materials|mp, jan|(mp;|fastmarkets|reex|noveon.co|company materials|automotive world|" \
              "china.org.cn|secondary sources|mining.com|fnn|heim & vander wal|holland & knight|clepa|press|" \
              "pillsbury|chemradar|resilinc|rawmaterials.net|adams magnetic|jd supra|ustr|crane worldwide|" \
              "mondaq|project blue|feasibility study|cyclic materials|industry reports|crs r47833", SRC, "|")
    bad = 0; nentries = 0
}
# Judge the pending entry (a value line, its flow continuation lines and its comments).
function flush(    text, ok, i, l) {
    if (!pend) return
    text = tolower(pcomment)
    ok = 0
    if (text ~ /assumption|derived/) ok = 1
    else if (text ~ /(^|[^a-z0-9])a[1-9]([^0-9]|$)/ || text ~ /derived c[^a-z]|\(c\)|note c/) ok = 1
    else for (i = 1; i <= n; i++) if (index(text, SRC[i])) { ok = 1; break }
    if (!ok) {
        l = pline; sub(/^[ \t]+/, "", l)
        if (pcomment ~ /^[ \t]*$/) printf "%s:%d: no source or note: %s\n", pfile, pnr, l
        else printf "%s:%d: the comment names no source and says neither derived nor assumption: %s\n", pfile, pnr, l
        bad++
    }
    nentries++
    lastcomment = pcomment; lastend = plast; lastfile = pfile
    pend = 0
}
# brackets opened minus closed on a line of flow YAML
function depth(s,    t, o, c) {
    t = s; o = gsub(/[\[{]/, "", t); t = s; c = gsub(/[\]}]/, "", t); return o - c
}
FNR == 1 { flush(); lastend = -1 }
{
    line = $0
    # a comment-only line: part of the pending entry when indented deeper than it
    if (line ~ /^[ \t]*#/) {
        if (pend) {
            match(line, /^[ \t]*/)
            if (RLENGTH > pindent) { c = line; sub(/^[ \t]*#/, "", c); pcomment = pcomment " " c; plast = FNR; next }
            flush()
        }
        next
    }
    # split off the comment (a # after a blank; the files have no # inside values)
    value = line; comment = ""
    if (match(line, /[ \t]#/)) { value = substr(line, 1, RSTART); comment = substr(line, RSTART + 2) }
    # a line inside an open flow map or list belongs to the pending entry
    if (pend && open > 0) {
        open += depth(value); pcomment = pcomment " " comment; plast = FNR; next
    }
    flush()
    if (line ~ /^[ \t]*$/) next
    open = depth(value)
    # not data: the format version, titles and names, and the Monte Carlo settings (paths, seed)
    if (value ~ /^magsim:|^[ \t]*(- )?name:|^run:/) { if (open > 0) skipflow = 1; next }
    # drop names (identifiers, file names) and keys, then look for digits
    v = value
    gsub(/[A-Za-z_][A-Za-z0-9_.-]*/, "", v)
    if (v !~ /[0-9]/) next
    # an inline comment that starts with two or more blanks continues the comment of the entry just above
    if (comment ~ /^  / && lastfile == FILENAME && lastend == FNR - 1) comment = lastcomment " " comment
    pend = 1; pfile = FILENAME; pnr = FNR; plast = FNR; pline = line; pcomment = comment
    match(line, /^[ \t]*/); pindent = RLENGTH
}
END {
    flush()
    if (bad) { printf "scenario_sources: %d of %d numbers without a source\n", bad, nentries; exit 1 }
    printf "scenario_sources: ok, %d lines with numbers, each with a source, derived or assumption\n", nentries
}' "$@"
