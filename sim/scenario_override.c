/*
 * scenario_override.c - a scenario with some inputs set before it is built
 * (magsim/scenario.h, ms_scenario_load_overrides).
 *
 * A sweep point is the base scenario with a few inputs changed.  Rather than
 * patching a built ms_scenario (which would skip the loader's checks), the
 * override edits the merged YAML tree (after extends:) and the loader builds
 * it as usual: a value outside the input's domain, a date before the horizon
 * or an approval above 1 is reported exactly as in a hand-edited file, but
 * at the place the override was written (the sweep file).  Every other node
 * is untouched, so every other input keeps its key path, its stream id and
 * hence its random numbers (common random numbers between points).
 *
 * Key paths: map keys by name; in the `policies` list an item by its `name`
 * (or, for an unnamed policy, by its default name "<type>_<index>"); in any
 * other list an item by its index.  A missing map key on the way (an input
 * left at its default) is created as a map, the last one as the scalar.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include "scenario_int.h"

/* A new node at the override's position. */
static msn *node_at(msl *L, const ms_override *o, msn_type t, const char *str)
{
    msn *n = calloc(1, sizeof *n);
    if (!n)
        return NULL;
    n->type = t;
    n->file = msl_intern(L, o->file ? o->file : "<override>");
    n->line = o->line;
    n->col = o->column;
    if (str && !(n->str = strdup(str))) {
        free(n);
        return NULL;
    }
    return n;
}

/* Index of the list item a segment names, or -1. */
static int list_item(const msn *list, const char *seg, int policies)
{
    for (int i = 0; policies && i < list->n; i++) {
        const msn *it = list->vals[i], *nm = msn_get(it, "name");
        if (nm && nm->type == MSN_SCALAR && !strcmp(nm->str, seg))
            return i;
        const msn *ty = msn_get(it, "type");
        if (!nm && ty && ty->type == MSN_SCALAR) {
            char def[128];
            snprintf(def, sizeof def, "%s_%d", ty->str, i);
            if (!strcmp(def, seg))
                return i;
        }
    }
    if (policies || !*seg)
        return -1;
    for (const char *p = seg; *p; p++)
        if (!isdigit((unsigned char)*p))
            return -1;
    long i = strtol(seg, NULL, 10);
    return i < list->n ? (int)i : -1;
}

/* The slot of the next segment inside node n (a map key's value or a list
 * item), created when a map lacks it; NULL after an error. */
static msn **child_slot(msl *L, msn *n, const char *seg, int last, int policies, const ms_override *o)
{
    if (n->type == MSN_LIST) {
        int i = list_item(n, seg, policies);
        return i < 0 ? NULL : &n->vals[i];
    }
    if (n->type != MSN_MAP)
        return NULL;
    for (int i = 0; i < n->n; i++)
        if (!strcmp(n->keys[i]->str, seg))
            return &n->vals[i];
    msn *k = node_at(L, o, MSN_SCALAR, seg), *v = node_at(L, o, last ? MSN_NULL : MSN_MAP, NULL);
    if (!k || !v || msn_push(n, k, v) < 0) {
        msn_free(k);
        msn_free(v);
        return NULL;
    }
    return &n->vals[n->n - 1];
}

static void apply_one(msl *L, msn *root, const ms_override *o)
{
    char path[512];
    if (!o->key || !o->value || strlen(o->key) >= sizeof path) {
        msl_err(L, MS_D_REF, NULL, "override: no key or value");
        return;
    }
    memcpy(path, o->key, strlen(o->key) + 1);
    msn *n = root, **slot = NULL;
    char *save = NULL;
    int depth = 0;
    for (char *seg = strtok_r(path, ".", &save); seg; seg = strtok_r(NULL, ".", &save), depth++) {
        int last = !save || !*save;
        int policies = depth == 1 && !strncmp(o->key, "policies.", 9);
        slot = child_slot(L, n, seg, last, policies, o);
        if (!slot) {
            ms_diags_add(L->diags, MS_D_REF, o->file ? o->file : "<override>", o->line, o->column,
                         "no input '%s' in the scenario ('%s' not found)", o->key, seg);
            return;
        }
        n = *slot;
    }
    msn *v = node_at(L, o, MSN_SCALAR, o->value);
    if (!slot || !v) {
        msn_free(v);
        return;
    }
    msn_free(*slot);
    *slot = v;
}

void msl_apply_overrides(msl *L, msn *root, const ms_override *ov, int nov)
{
    for (int i = 0; i < nov; i++)
        apply_one(L, root, &ov[i]);
}

ms_scenario *ms_scenario_load_overrides(const char *path, const ms_override *ov, int nov, ms_diags *diags)
{
    size_t len = 0;
    int err = 0;
    char *buf = msl_read_file(path, &len, &err);
    if (!buf) {
        ms_diags_add(diags, MS_D_IO, path, 0, 0, "cannot read the scenario: %s", strerror(err));
        return NULL;
    }
    ms_scenario *s = msl_load_scenario(path, buf, len, ov, nov, diags);
    free(buf);
    return s;
}
