/*
 * json.c - a small JSON reader (magsim/json.h).
 *
 * Recursive descent over the bytes, one node per value, members and elements
 * linked in document order.  The cursor tracks line and column for messages.
 * Depth is bounded; a string is decoded into UTF-8 (\uXXXX, surrogate pairs;
 * a lone surrogate is an error); a number must match RFC 8259's grammar.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "magsim/json.h"

typedef struct jcur {
    const char *p, *end;   /* cursor, end of input */
    const char *line0;     /* start of the current line */
    int line;              /* current line, 1-based */
    const char *name;      /* file name for messages */
    char *err;             /* message buffer */
    size_t errlen;
    int failed;            /* an error was recorded */
} jcur;

static void jerr(jcur *c, const char *fmt, ...)
{
    if (c->failed)
        return;
    c->failed = 1;
    int n = snprintf(c->err, c->errlen, "%s:%d:%d: ", c->name, c->line, (int)(c->p - c->line0) + 1);
    if (n < 0 || (size_t)n >= c->errlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
    va_end(ap);
}

static void skip_ws(jcur *c)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r')) {
        if (*c->p == '\n') {
            c->line++;
            c->line0 = c->p + 1;
        }
        c->p++;
    }
}

static ms_json *parse_value(jcur *c, int depth);

static int put_utf8(char *w, unsigned cp)
{
    if (cp < 0x80) { w[0] = (char)cp; return 1; }
    if (cp < 0x800) { w[0] = (char)(0xC0 | cp >> 6); w[1] = (char)(0x80 | (cp & 0x3F)); return 2; }
    if (cp < 0x10000) {
        w[0] = (char)(0xE0 | cp >> 12); w[1] = (char)(0x80 | (cp >> 6 & 0x3F)); w[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    w[0] = (char)(0xF0 | cp >> 18); w[1] = (char)(0x80 | (cp >> 12 & 0x3F));
    w[2] = (char)(0x80 | (cp >> 6 & 0x3F)); w[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

static int hex4(jcur *c, unsigned *out)
{
    unsigned v = 0;
    for (int i = 0; i < 4; i++, c->p++) {
        if (c->p >= c->end)
            return -1;
        char h = *c->p;
        v <<= 4;
        if (h >= '0' && h <= '9') v |= (unsigned)(h - '0');
        else if (h >= 'a' && h <= 'f') v |= (unsigned)(h - 'a' + 10);
        else if (h >= 'A' && h <= 'F') v |= (unsigned)(h - 'A' + 10);
        else return -1;
    }
    *out = v;
    return 0;
}

/* One escape after the backslash into w; bytes written, -1 on error. */
static int unescape(jcur *c, char *w)
{
    static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
    char e = *c->p++;
    const char *k = e ? strchr(from, e) : NULL;
    if (k) {
        *w = to[k - from];
        return 1;
    }
    unsigned cp, lo;
    if (e != 'u' || hex4(c, &cp))
        return -1;
    if (cp >= 0xDC00 && cp <= 0xDFFF)
        return -1;
    if (cp >= 0xD800 && cp <= 0xDBFF) {
        if (c->end - c->p < 6 || c->p[0] != '\\' || c->p[1] != 'u')
            return -1;
        c->p += 2;
        if (hex4(c, &lo) || lo < 0xDC00 || lo > 0xDFFF)
            return -1;
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
    }
    return put_utf8(w, cp);
}

/* A string at the cursor (on its opening quote); malloc'd, NULL on error. */
static char *parse_string(jcur *c)
{
    c->p++;
    const char *s = c->p;
    while (s < c->end && *s != '"')
        s += (*s == '\\' && s + 1 < c->end) ? 2 : 1;
    char *out = malloc((size_t)(s - c->p) + 1), *w = out;
    if (!out) {
        jerr(c, "out of memory");
        return NULL;
    }
    while (c->p < c->end && *c->p != '"') {
        unsigned char ch = (unsigned char)*c->p;
        if (ch < 0x20) {
            jerr(c, "a control character inside a string");
            free(out);
            return NULL;
        }
        if (ch != '\\') {
            *w++ = *c->p++;
            continue;
        }
        c->p++;
        int n = c->p < c->end ? unescape(c, w) : -1;
        if (n < 0) {
            jerr(c, "a bad escape in a string");
            free(out);
            return NULL;
        }
        w += n;
    }
    if (c->p >= c->end) {
        jerr(c, "a string that never ends");
        free(out);
        return NULL;
    }
    c->p++;
    *w = '\0';
    return out;
}

static const char *digits(const char *p, const char *end)
{
    while (p < end && *p >= '0' && *p <= '9')
        p++;
    return p;
}

/* RFC 8259: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static int parse_number(jcur *c, ms_json *j)
{
    const char *p = c->p, *e = c->end, *q;
    if (p < e && *p == '-')
        p++;
    if (p < e && *p == '0')
        p++;
    else if ((q = digits(p, e)) > p)
        p = q;
    else
        return -1;
    if (p < e && *p == '.') {
        if ((q = digits(p + 1, e)) == p + 1)
            return -1;
        p = q;
    }
    if (p < e && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < e && (*p == '+' || *p == '-'))
            p++;
        if ((q = digits(p, e)) == p)
            return -1;
        p = q;
    }
    j->str = strndup(c->p, (size_t)(p - c->p));
    if (!j->str)
        return -1;
    j->num = strtod(j->str, NULL);
    c->p = p;
    return isfinite(j->num) ? 0 : -1;
}

/* Elements of an array or members of an object, after the opening bracket. */
static int parse_items(jcur *c, ms_json *j, int depth, char close)
{
    ms_json **tail = &j->child;
    skip_ws(c);
    if (c->p < c->end && *c->p == close) {
        c->p++;
        return 0;
    }
    for (;;) {
        char *key = NULL;
        skip_ws(c);
        if (close == '}') {
            if (c->p >= c->end || *c->p != '"' || !(key = parse_string(c))) {
                jerr(c, "expected a member name in quotes");
                return -1;
            }
            skip_ws(c);
            if (c->p >= c->end || *c->p != ':') {
                free(key);
                jerr(c, "expected ':' after a member name");
                return -1;
            }
            c->p++;
        }
        ms_json *v = parse_value(c, depth + 1);
        if (!v) {
            free(key);
            return -1;
        }
        v->key = key;
        *tail = v;
        tail = &v->next;
        j->n++;
        skip_ws(c);
        if (c->p < c->end && *c->p == ',') {
            c->p++;
            continue;
        }
        if (c->p < c->end && *c->p == close) {
            c->p++;
            return 0;
        }
        jerr(c, "expected ',' or '%c'", close);
        return -1;
    }
}

static int parse_word(jcur *c, ms_json *j)
{
    static const struct { const char *w; ms_json_type t; } words[] = {
        {"null", MS_JSON_NULL}, {"true", MS_JSON_TRUE}, {"false", MS_JSON_FALSE}};
    for (size_t k = 0; k < 3; k++) {
        size_t n = strlen(words[k].w);
        if ((size_t)(c->end - c->p) >= n && !memcmp(c->p, words[k].w, n)) {
            j->type = words[k].t;
            c->p += n;
            return 0;
        }
    }
    return -1;
}

static ms_json *parse_value(jcur *c, int depth)
{
    skip_ws(c);
    if (depth > MS_JSON_MAX_DEPTH) {
        jerr(c, "nested deeper than %d levels", MS_JSON_MAX_DEPTH);
        return NULL;
    }
    ms_json *j = calloc(1, sizeof *j);
    if (!j) {
        jerr(c, "out of memory");
        return NULL;
    }
    int rc = 0;
    char ch = c->p < c->end ? *c->p : '\0';
    if (ch == '{' || ch == '[') {
        j->type = ch == '{' ? MS_JSON_OBJECT : MS_JSON_ARRAY;
        c->p++;
        rc = parse_items(c, j, depth, ch == '{' ? '}' : ']');
    } else if (ch == '"') {
        j->type = MS_JSON_STRING;
        rc = (j->str = parse_string(c)) ? 0 : -1;
    } else if (ch == '-' || (ch >= '0' && ch <= '9')) {
        j->type = MS_JSON_NUMBER;
        if ((rc = parse_number(c, j)))
            jerr(c, "a malformed number");
    } else if ((rc = parse_word(c, j))) {
        jerr(c, "expected a JSON value (object, array, string, number, true, false or null)");
    }
    if (rc) {
        ms_json_free(j);
        return NULL;
    }
    return j;
}

ms_json *ms_json_parse(const char *name, const char *buf, size_t len, char *err, size_t errlen)
{
    jcur c = {.p = buf, .end = buf + len, .line0 = buf, .line = 1, .name = name, .err = err, .errlen = errlen};
    ms_json *j = parse_value(&c, 0);
    if (!j)
        return NULL;
    skip_ws(&c);
    if (c.p != c.end) {
        jerr(&c, "text after the end of the document");
        ms_json_free(j);
        return NULL;
    }
    return j;
}

void ms_json_free(ms_json *j)
{
    while (j) {
        ms_json *next = j->next;
        ms_json_free(j->child);
        free(j->str);
        free(j->key);
        free(j);
        j = next;
    }
}

const ms_json *ms_json_get(const ms_json *j, const char *key)
{
    if (!j || j->type != MS_JSON_OBJECT)
        return NULL;
    for (const ms_json *m = j->child; m; m = m->next)
        if (!strcmp(m->key, key))
            return m;
    return NULL;
}

const char *ms_json_str(const ms_json *j, const char *key)
{
    const ms_json *m = ms_json_get(j, key);
    return m && m->type == MS_JSON_STRING ? m->str : NULL;
}

int ms_json_num(const ms_json *j, const char *key, double *x)
{
    const ms_json *m = ms_json_get(j, key);
    if (!m || m->type != MS_JSON_NUMBER)
        return -1;
    *x = m->num;
    return 0;
}

int ms_json_bool(const ms_json *j, const char *key)
{
    const ms_json *m = ms_json_get(j, key);
    if (!m || (m->type != MS_JSON_TRUE && m->type != MS_JSON_FALSE))
        return -1;
    return m->type == MS_JSON_TRUE;
}
