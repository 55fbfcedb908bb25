/*
 * magsim/json.h - reading a JSON document (manifest.json), the one way
 * magsim reads JSON back.
 *
 * ms_json_parse builds a small tree of the whole document (RFC 8259: objects,
 * arrays, strings with escapes including \uXXXX and surrogate pairs, numbers,
 * true, false, null) and rejects anything else with "NAME:LINE:COLUMN: what
 * was expected".  A number keeps its text as well as its double value, so a
 * 64-bit seed reads back exactly.  Nesting is limited (MS_JSON_MAX_DEPTH) so
 * no input can exhaust the stack.
 */
#ifndef MAGSIM_JSON_H
#define MAGSIM_JSON_H

#include <stddef.h>

#define MS_JSON_MAX_DEPTH 64

typedef enum ms_json_type {
    MS_JSON_NULL, MS_JSON_FALSE, MS_JSON_TRUE, MS_JSON_NUMBER, MS_JSON_STRING, MS_JSON_ARRAY, MS_JSON_OBJECT
} ms_json_type;

typedef struct ms_json ms_json;
struct ms_json {
    ms_json_type type;   /* what the value is */
    char *str;           /* STRING: the decoded text (UTF-8); NUMBER: the number as written */
    double num;          /* NUMBER: its value */
    char *key;           /* the member name when this value is inside an object, else NULL */
    ms_json *child;      /* ARRAY, OBJECT: first element or member */
    ms_json *next;       /* next element or member of the parent */
    int n;               /* ARRAY, OBJECT: number of elements or members */
};

/* Parse a whole document (name for messages).  NULL with the error in err. */
ms_json *ms_json_parse(const char *name, const char *buf, size_t len, char *err, size_t errlen);
void ms_json_free(ms_json *j);

/* Member `key` of an object; NULL when j is not an object or has no such member. */
const ms_json *ms_json_get(const ms_json *j, const char *key);
/* The string of a STRING member, NULL otherwise. */
const char *ms_json_str(const ms_json *j, const char *key);
/* A NUMBER member's value in *x: 0, or -1 when absent or not a number. */
int ms_json_num(const ms_json *j, const char *key, double *x);
/* A true/false member: 1 true, 0 false, -1 absent or not a boolean. */
int ms_json_bool(const ms_json *j, const char *key);

#endif
