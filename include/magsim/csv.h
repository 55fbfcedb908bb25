/*
 * magsim/csv.h - reading the CSV files magsim writes (summary.csv,
 * timeseries.csv, backtest.csv), the one way magsim reads them back.
 *
 * The files are RFC 4180: a header line, then rows of the same number of
 * fields, separated by commas, a field quoted when it holds a comma, quote or
 * line break ("" for a quote inside).  ms_csv_parse takes a whole file in
 * memory and splits it in place: every field becomes a NUL-terminated string
 * inside the table's own copy of the bytes, so a field costs no allocation.
 * Every malformed line is an error naming FILE:LINE and what was expected
 * (the first one only: a broken quote makes the rest meaningless).
 *
 * Numbers are read with ms_csv_num: strtod in the C locale (magsim never
 * calls setlocale), the whole field must be a finite number; an empty field
 * reads as NaN (magsim writes an empty field for a statistic that is not
 * finite).
 */
#ifndef MAGSIM_CSV_H
#define MAGSIM_CSV_H

#include <stddef.h>

typedef struct ms_csv {
    char *text;          /* the table's copy of the file, fields NUL-terminated in place */
    int ncols;           /* fields per line (the header's) */
    int nrows;           /* data rows (the header not counted) */
    const char **cell;   /* [(nrows + 1) * ncols]: row 0 is the header */
    int *line;           /* [nrows + 1]: line number (1-based) where each row starts */
} ms_csv;

/* Parse a CSV file's bytes (name for messages).  NULL with "NAME:LINE: ..."
 * in err when it is malformed or empty. */
ms_csv *ms_csv_parse(const char *name, const char *buf, size_t len, char *err, size_t errlen);
/* The same for a caller that locates errors itself: NULL with the bare
 * message in err ("a quoted field that never ends") and its line in
 * *errline (0 when the whole file is meant). */
ms_csv *ms_csv_parse_at(const char *buf, size_t len, char *err, size_t errlen, int *errline);
void ms_csv_free(ms_csv *c);

/* Column index of a header name, -1 when absent. */
int ms_csv_col(const ms_csv *c, const char *name);
/* Field of data row r (0-based) and column k; "" when k < 0. */
const char *ms_csv_get(const ms_csv *c, int r, int k);
/* Byte offset in the file where field k of data row r starts (its opening
 * quote when quoted); row -1 is the header.  -1 when out of range. */
long ms_csv_offset(const ms_csv *c, int r, int k);
/* A field as a number: 0 and *x set, NaN for an empty field; -1 when the
 * field is not a number. */
int ms_csv_num(const char *field, double *x);

#endif
