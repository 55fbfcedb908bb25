/*
 * scenario_tree.c - scenario text -> located node tree, and inheritance.
 *
 * A file's bytes are checked for UTF-8 first (libyaml's own message for bad
 * bytes has no useful position), then parsed with libyaml's document API
 * (yaml_parser_load).  The document is copied into an msn tree so that every
 * node carries the file, line and column where it was written (libyaml marks
 * are 0-based; the tree stores them 1-based) and so that inheritance can merge
 * trees from several files without losing where each node came from.
 *
 * Guards, so that no input can exhaust the loader:
 *   - collections nested deeper than MSL_MAX_DEPTH are an error (the copy is
 *     recursive; libyaml itself is not);
 *   - aliases are supported, but they are expanded by copying, and a file's
 *     tree may hold at most MSL_MAX_NODES nodes: a "billion laughs" file stops
 *     there with MS_D_LIMIT; a self-referencing alias stops at the depth limit;
 *   - duplicate keys (which libyaml accepts) are reported, and the first
 *     occurrence is kept.
 *
 * Inheritance: "extends: base.yaml" (relative to the extending file) loads
 * the base first (recursively, at most MSL_MAX_EXTENDS deep, cycles are
 * errors) and merges the child over it: maps merge key by key, recursively;
 * lists and scalars replace; a null value in the child removes the key.
 * "magsim:" is checked in every file.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>
#include "scenario_int.h"
#include "fileio.h"

/* ---- small helpers -------------------------------------------------------- */

const char *msl_intern(msl *L, const char *file)
{
    if (!file)
        file = "<input>";
    for (int i = 0; i < L->nfiles; i++)
        if (strcmp(L->files[i], file) == 0)
            return L->files[i];
    if (L->nfiles == L->filescap) {
        int cap = L->filescap ? 2 * L->filescap : 4;
        char **v = realloc(L->files, (size_t)cap * sizeof *v);
        if (!v)
            return "<input>";
        L->files = v;
        L->filescap = cap;
    }
    char *c = strdup(file);
    if (!c)
        return "<input>";
    L->files[L->nfiles++] = c;
    return c;
}

void msl_err(msl *L, ms_diag_kind k, const msn *at, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (at)
        ms_diags_add(L->diags, k, at->file, at->line, at->col, "%s", buf);
    else
        ms_diags_add(L->diags, k, L->nfiles ? L->files[0] : "<input>", 0, 0, "%s", buf);
}

int msl_edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 64 || lb > 64)
        return 1000;
    int row[65];
    for (size_t j = 0; j <= lb; j++)
        row[j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        int diag = row[0];
        row[0] = (int)i;
        for (size_t j = 1; j <= lb; j++) {
            int up = row[j];
            int best = diag + (a[i - 1] != b[j - 1]);
            if (row[j] + 1 < best) best = row[j] + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

const char *msl_suggest(const char *word, const char *const *words, int n)
{
    const char *best = NULL;
    int bd = 1000;
    size_t lw = strlen(word);
    for (int i = 0; n < 0 ? words[i] != NULL : i < n; i++) {
        int d = msl_edit_distance(word, words[i]);
        if (d < bd) {
            bd = d;
            best = words[i];
        }
    }
    size_t lb = best ? strlen(best) : 0;
    int allow = (int)((lw > lb ? lw : lb) / 3);
    if (allow < 2)
        allow = lw <= 2 ? 1 : 2;
    return best && bd <= allow ? best : NULL;
}

const char *msn_type_name(msn_type t)
{
    switch (t) {
    case MSN_NULL: return "null";
    case MSN_SCALAR: return "a scalar";
    case MSN_MAP: return "a map";
    case MSN_LIST: return "a list";
    default: return "a value";
    }
}

void msn_free(msn *n)
{
    if (!n)
        return;
    for (int i = 0; i < n->n; i++) {
        if (n->keys)
            msn_free(n->keys[i]);
        msn_free(n->vals[i]);
    }
    free(n->keys);
    free(n->vals);
    free(n->str);
    free(n);
}

static int msn_find(const msn *map, const char *key)
{
    if (!map || map->type != MSN_MAP)
        return -1;
    for (int i = 0; i < map->n; i++)
        if (strcmp(map->keys[i]->str, key) == 0)
            return i;
    return -1;
}

msn *msn_get(const msn *map, const char *key)
{
    int i = msn_find(map, key);
    return i < 0 ? NULL : map->vals[i];
}

const msn *msn_key(const msn *map, const char *key)
{
    int i = msn_find(map, key);
    return i < 0 ? NULL : map->keys[i];
}

static void msn_remove(msn *map, int i)
{
    msn_free(map->keys[i]);
    msn_free(map->vals[i]);
    memmove(map->keys + i, map->keys + i + 1, (size_t)(map->n - i - 1) * sizeof *map->keys);
    memmove(map->vals + i, map->vals + i + 1, (size_t)(map->n - i - 1) * sizeof *map->vals);
    map->n--;
}

int msn_push(msn *c, msn *key, msn *val)
{
    if (c->n == c->cap) {
        int cap = c->cap ? 2 * c->cap : 4;
        msn **v = realloc(c->vals, (size_t)cap * sizeof *v);
        if (!v)
            return -1;
        c->vals = v;
        if (c->type == MSN_MAP) {
            msn **k = realloc(c->keys, (size_t)cap * sizeof *k);
            if (!k)
                return -1;
            c->keys = k;
        }
        c->cap = cap;
    }
    if (c->type == MSN_MAP)
        c->keys[c->n] = key;
    c->vals[c->n++] = val;
    return 0;
}

/* ---- UTF-8 ------------------------------------------------------------------ */

/* 0 when s is well-formed UTF-8 (no overlongs, surrogates or > U+10FFFF);
 * else 1 with the 1-based line and column (in characters) of the first bad byte. */
static int utf8_check(const unsigned char *s, size_t len, int *line, int *col, size_t *at)
{
    int l = 1, c = 1;
    size_t i = 0;
    while (i < len) {
        unsigned char b = s[i];
        size_t need;
        unsigned cp, min;
        if (b < 0x80) {
            i++;
            if (b == '\n') {
                l++;
                c = 1;
            } else
                c++;
            continue;
        } else if ((b & 0xE0) == 0xC0) {
            need = 1; cp = b & 0x1F; min = 0x80;
        } else if ((b & 0xF0) == 0xE0) {
            need = 2; cp = b & 0x0F; min = 0x800;
        } else if ((b & 0xF8) == 0xF0) {
            need = 3; cp = b & 0x07; min = 0x10000;
        } else
            goto bad;
        for (size_t k = 1; k <= need; k++) {
            if (i + k >= len || (s[i + k] & 0xC0) != 0x80)
                goto bad;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            goto bad;
        i += need + 1;
        c++;
    }
    return 0;
bad:
    *line = l;
    *col = c;
    *at = i;
    return 1;
}

/* ---- libyaml document -> tree ------------------------------------------------ */

typedef struct conv_ctx {
    msl *L;
    yaml_document_t *doc;
    const char *file;
    int depth_reported;
    int fatal;           /* a limit was hit: the tree is incomplete, do not use it */
} conv_ctx;

static msn *mk(msn_type t, const char *file, yaml_mark_t m)
{
    msn *n = calloc(1, sizeof *n);
    if (!n)
        return NULL;
    n->type = t;
    n->file = file;
    n->line = (int)m.line + 1;
    n->col = (int)m.column + 1;
    return n;
}

typedef struct key_ix { const char *s; int i; } key_ix;

static int cmp_key_ix(const void *a, const void *b)
{
    const key_ix *x = a, *y = b;
    int c = strcmp(x->s, y->s);
    return c ? c : (x->i > y->i) - (x->i < y->i);
}

static msn *conv(conv_ctx *C, yaml_node_t *yn, int depth)
{
    msl *L = C->L;
    if (!yn)
        return NULL;
    if (L->nodes >= MSL_MAX_NODES) {
        C->fatal = 1;
        if (!L->limit_reported) {
            L->limit_reported = 1;
            ms_diags_add(L->diags, MS_D_LIMIT, C->file, (int)yn->start_mark.line + 1,
                         (int)yn->start_mark.column + 1,
                         "the file expands to more than %d nodes (aliases?); giving up", MSL_MAX_NODES);
        }
        return NULL;
    }
    L->nodes++;
    if (yn->type == YAML_SCALAR_NODE) {
        const char *v = (const char *)yn->data.scalar.value;
        size_t len = yn->data.scalar.length;
        int plain = yn->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
        int isnull = plain && (len == 0 || (len == 1 && v[0] == '~') ||
                               (len == 4 && (!memcmp(v, "null", 4) || !memcmp(v, "Null", 4) ||
                                             !memcmp(v, "NULL", 4))));
        msn *n = mk(isnull ? MSN_NULL : MSN_SCALAR, C->file, yn->start_mark);
        if (!n)
            return NULL;
        n->quoted = !plain;
        n->str = malloc(len + 1);
        if (!n->str) {
            free(n);
            return NULL;
        }
        if (len)
            memcpy(n->str, v, len);
        n->str[len] = 0;
        if (memchr(v, 0, len))
            ms_diags_add(L->diags, MS_D_VALUE, C->file, n->line, n->col, "NUL character in a scalar");
        return n;
    }
    if (yn->type != YAML_SEQUENCE_NODE && yn->type != YAML_MAPPING_NODE)
        return NULL;
    if (depth >= MSL_MAX_DEPTH) {
        C->fatal = 1;
        if (!C->depth_reported) {
            C->depth_reported = 1;
            ms_diags_add(L->diags, MS_D_LIMIT, C->file, (int)yn->start_mark.line + 1,
                         (int)yn->start_mark.column + 1, "nesting deeper than %d levels", MSL_MAX_DEPTH);
        }
        return NULL;
    }
    if (yn->type == YAML_SEQUENCE_NODE) {
        msn *n = mk(MSN_LIST, C->file, yn->start_mark);
        if (!n)
            return NULL;
        for (yaml_node_item_t *it = yn->data.sequence.items.start; it < yn->data.sequence.items.top; it++) {
            msn *c = conv(C, yaml_document_get_node(C->doc, *it), depth + 1);
            if (c && msn_push(n, NULL, c) < 0)
                msn_free(c);
        }
        return n;
    }
    msn *n = mk(MSN_MAP, C->file, yn->start_mark);
    if (!n)
        return NULL;
    for (yaml_node_pair_t *p = yn->data.mapping.pairs.start; p < yn->data.mapping.pairs.top; p++) {
        yaml_node_t *kn = yaml_document_get_node(C->doc, p->key);
        yaml_node_t *vn = yaml_document_get_node(C->doc, p->value);
        if (!kn || !vn)
            continue;
        if (kn->type != YAML_SCALAR_NODE) {
            ms_diags_add(L->diags, MS_D_TYPE, C->file, (int)kn->start_mark.line + 1,
                         (int)kn->start_mark.column + 1, "a map key must be a scalar, not %s",
                         kn->type == YAML_MAPPING_NODE ? "a map" : "a list");
            continue;
        }
        msn *k = conv(C, kn, depth + 1);
        if (!k)
            continue;
        k->type = MSN_SCALAR; /* "~" as a key is the name "~" */
        msn *v = conv(C, vn, depth + 1);
        if (!v) {
            msn_free(k);
            continue;
        }
        if (msn_push(n, k, v) < 0) {
            msn_free(k);
            msn_free(v);
        }
    }
    /* duplicate keys: sort (key, position), report and drop all but the first */
    if (n->n > 1) {
        key_ix *ix = malloc((size_t)n->n * sizeof *ix);
        char *drop = calloc((size_t)n->n, 1);
        if (ix && drop) {
            for (int i = 0; i < n->n; i++) {
                ix[i].s = n->keys[i]->str;
                ix[i].i = i;
            }
            qsort(ix, (size_t)n->n, sizeof *ix, cmp_key_ix);
            int first = 0;
            for (int i = 1; i < n->n; i++) {
                if (strcmp(ix[i].s, ix[first].s) != 0) {
                    first = i;
                    continue;
                }
                const msn *k0 = n->keys[ix[first].i], *k1 = n->keys[ix[i].i];
                ms_diags_add(L->diags, MS_D_DUP_KEY, C->file, k1->line, k1->col,
                             "duplicate key '%s' (first given at line %d)", k1->str, k0->line);
                drop[ix[i].i] = 1;
            }
            for (int i = n->n - 1; i >= 0; i--)
                if (drop[i])
                    msn_remove(n, i);
        }
        free(ix);
        free(drop);
    }
    return n;
}

/* ---- one file ---------------------------------------------------------------- */

static char *read_file(const char *path, size_t *len, int *err)
{
    return ms_read_file(path, MSL_MAX_FILE, len, err);
}

static msn *merge(msn *base, msn *child)
{
    if (base->type != MSN_MAP || child->type != MSN_MAP) {
        msn_free(base);
        return child;
    }
    for (int i = 0; i < child->n; i++) {
        msn *k = child->keys[i], *v = child->vals[i];
        int j = msn_find(base, k->str);
        if (v->type == MSN_NULL) {
            if (j >= 0)
                msn_remove(base, j);
            msn_free(k);
            msn_free(v);
        } else if (j >= 0 && base->vals[j]->type == MSN_MAP && v->type == MSN_MAP) {
            base->vals[j] = merge(base->vals[j], v);
            msn_free(k);
        } else if (j >= 0) {
            msn_free(base->keys[j]);
            msn_free(base->vals[j]);
            base->keys[j] = k;
            base->vals[j] = v;
        } else if (msn_push(base, k, v) < 0) {
            msn_free(k);
            msn_free(v);
        }
    }
    child->n = 0;
    msn_free(child);
    return base;
}

static char *join_rel(const char *from, const char *rel)
{
    if (rel[0] == '/')
        return strdup(rel);
    const char *slash = strrchr(from, '/');
    size_t dl = slash ? (size_t)(slash - from) + 1 : 0;
    size_t rl = strlen(rel);
    char *p = malloc(dl + rl + 1);
    if (!p)
        return NULL;
    memcpy(p, from, dl);
    memcpy(p + dl, rel, rl + 1);
    return p;
}

static msn *load_one(msl *L, const char *file, const char *buf, size_t len, char **chain, int depth);

/* Record a file the scenario is built from (the scenario first, then each
 * base of the extends chain), with the exact bytes that were parsed. */
void msl_add_source(msl *L, const char *path, const char *buf, size_t len)
{
    ms_scenario *s = L->s;
    ms_source *v = realloc(s->sources, (size_t)(s->nsources + 1) * sizeof *v);
    if (!v)
        return;
    s->sources = v;
    ms_source *src = &v[s->nsources];
    src->path = strdup(path);
    src->bytes = malloc(len + 1);
    src->len = len;
    if (!src->path || !src->bytes) {
        free(src->path);
        free(src->bytes);
        return;
    }
    memcpy(src->bytes, buf, len);
    src->bytes[len] = '\0';
    s->nsources++;
}

/* Handle "extends:" of a parsed child tree; returns the merged tree or NULL. */
static msn *do_extends(msl *L, msn *root, const char *file, char **chain, int depth)
{
    int ei = msn_find(root, "extends");
    if (ei < 0)
        return root;
    msn *ev = root->vals[ei];
    if (ev->type != MSN_SCALAR) {
        msl_err(L, MS_D_TYPE, ev, "extends: expected a file name, got %s", msn_type_name(ev->type));
        msn_free(root);
        return NULL;
    }
    if (depth + 1 > MSL_MAX_EXTENDS) {
        msl_err(L, MS_D_LIMIT, ev, "extends: more than %d levels of inheritance", MSL_MAX_EXTENDS);
        msn_free(root);
        return NULL;
    }
    char *path = join_rel(file, ev->str);
    if (!path) {
        msn_free(root);
        return NULL;
    }
    char *real = realpath(path, NULL);
    const char *id = real ? real : path;
    for (int i = 0; i <= depth; i++)
        if (chain[i] && strcmp(chain[i], id) == 0) {
            msl_err(L, MS_D_REF, ev, "extends: '%s' is already being loaded (inheritance cycle)", ev->str);
            free(real);
            free(path);
            msn_free(root);
            return NULL;
        }
    size_t blen = 0;
    int err = 0;
    /* only a regular file may be a base: a FIFO or a terminal (extends:
     * /dev/stdin) would block the loader, a device (/dev/zero) is no scenario */
    struct stat st;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        msl_err(L, MS_D_IO, ev, "extends: '%s' is not a regular file", path);
        free(real);
        free(path);
        msn_free(root);
        return NULL;
    }
    char *bbuf = read_file(path, &blen, &err);
    if (!bbuf) {
        msl_err(L, MS_D_IO, ev, "extends: cannot read '%s': %s", path, strerror(err));
        free(real);
        free(path);
        msn_free(root);
        return NULL;
    }
    msl_add_source(L, path, bbuf, blen);
    chain[depth + 1] = real ? real : strdup(path);
    msn *base = load_one(L, path, bbuf, blen, chain, depth + 1);
    free(chain[depth + 1]);
    chain[depth + 1] = NULL;
    free(bbuf);
    free(path);
    if (!base) {
        msn_free(root);
        return NULL;
    }
    msn_remove(root, msn_find(root, "extends"));
    return merge(base, root);
}

static msn *load_one(msl *L, const char *file, const char *buf, size_t len, char **chain, int depth)
{
    file = msl_intern(L, file);
    ms_diags_add_source(L->diags, file, buf, len);
    L->nodes = 0;
    L->limit_reported = 0;
    int line, col;
    if (len > MSL_MAX_FILE) {
        ms_diags_add(L->diags, MS_D_LIMIT, file, 0, 0, "file larger than %zu bytes", MSL_MAX_FILE);
        return NULL;
    }
    size_t at = 0;
    if (utf8_check((const unsigned char *)buf, len, &line, &col, &at)) {
        ms_diags_add(L->diags, MS_D_UTF8, file, line, col, "not valid UTF-8 (byte 0x%02x)",
                     (unsigned)(unsigned char)buf[at]);
        return NULL;
    }
    yaml_parser_t parser;
    yaml_document_t doc;
    if (!yaml_parser_initialize(&parser)) {
        ms_diags_add(L->diags, MS_D_IO, file, 0, 0, "cannot initialise the YAML parser");
        return NULL;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
    if (!yaml_parser_load(&parser, &doc)) {
        const char *prob = parser.problem ? parser.problem : "syntax error";
        yaml_mark_t m = parser.problem_mark;
        if (parser.error == YAML_READER_ERROR) { /* reader errors carry a byte offset, not a mark */
            m.line = m.column = 0;
            for (size_t i = 0; i < parser.problem_offset && i < len; i++) {
                unsigned char b = (unsigned char)buf[i];
                if (b == '\n') {
                    m.line++;
                    m.column = 0;
                } else if ((b & 0xC0) != 0x80)
                    m.column++;
            }
        }
        if (parser.context)
            ms_diags_add(L->diags, MS_D_SYNTAX, file, (int)m.line + 1, (int)m.column + 1, "%s %s", prob,
                         parser.context);
        else
            ms_diags_add(L->diags, MS_D_SYNTAX, file, (int)m.line + 1, (int)m.column + 1, "%s", prob);
        yaml_parser_delete(&parser);
        return NULL;
    }
    yaml_node_t *rootn = yaml_document_get_root_node(&doc);
    if (!rootn) {
        ms_diags_add(L->diags, MS_D_EMPTY, file, 1, 1, "empty file: no YAML document");
        yaml_document_delete(&doc);
        yaml_parser_delete(&parser);
        return NULL;
    }
    conv_ctx C = {L, &doc, file, 0, 0};
    msn *root = conv(&C, rootn, 0);
    if (C.fatal) {
        msn_free(root);
        root = NULL;
    }
    /* a second document is not allowed */
    yaml_document_t doc2;
    if (yaml_parser_load(&parser, &doc2)) {
        yaml_node_t *r2 = yaml_document_get_root_node(&doc2);
        if (r2)
            ms_diags_add(L->diags, MS_D_SYNTAX, file, (int)r2->start_mark.line + 1,
                         (int)r2->start_mark.column + 1, "more than one YAML document in the file");
        yaml_document_delete(&doc2);
    } else {
        yaml_mark_t m = parser.problem_mark;
        ms_diags_add(L->diags, MS_D_SYNTAX, file, (int)m.line + 1, (int)m.column + 1, "%s",
                     parser.problem ? parser.problem : "syntax error");
    }
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    if (!root)
        return NULL;
    if (root->type == MSN_NULL) {
        msl_err(L, MS_D_EMPTY, root, "empty document");
        msn_free(root);
        return NULL;
    }
    if (root->type != MSN_MAP) {
        msl_err(L, MS_D_TYPE, root, "a scenario must be a map of keys, not %s", msn_type_name(root->type));
        msn_free(root);
        return NULL;
    }
    int vi = msn_find(root, "magsim");
    if (vi < 0) {
        msl_err(L, MS_D_VERSION, root, "missing 'magsim: 1' (the scenario format version)");
    } else {
        msn *v = root->vals[vi];
        if (v->type != MSN_SCALAR || strcmp(v->str, "1") != 0)
            msl_err(L, MS_D_VERSION, v, "unsupported format version '%s' (this magsim reads 'magsim: 1')",
                    v->type == MSN_SCALAR ? v->str : msn_type_name(v->type));
    }
    return do_extends(L, root, file, chain, depth);
}

msn *msl_load_tree(msl *L, const char *file, const char *buf, size_t len)
{
    char *chain[MSL_MAX_EXTENDS + 2] = {0};
    char *real = realpath(file, NULL);
    chain[0] = real ? real : strdup(file);
    msn *t = load_one(L, file, buf, len, chain, 0);
    free(chain[0]);
    return t;
}

char *msl_read_file(const char *path, size_t *len, int *err)
{
    *err = 0;
    return read_file(path, len, err);
}
