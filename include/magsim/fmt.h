/*
 * magsim/fmt.h - numbers and strings in result files, the one way magsim
 * writes them.
 *
 * Every file magsim writes (CSV, JSON, reports) goes through these, so that
 * a number reads back to the same double everywhere, a NaN or infinity is
 * never written as text a loader would misread, and every string is escaped.
 * Numbers use the C locale's decimal point (magsim never calls setlocale).
 */
#ifndef MAGSIM_FMT_H
#define MAGSIM_FMT_H

#include <stddef.h>
#include <stdio.h>

/* The shortest of %.15g, %.16g and %.17g that reads back to the same double
 * (round-trip exact: 0.05 stays "0.05").  buf >= 32. */
void ms_fmt_double(char *buf, size_t len, double x);

/* A number in a CSV field: empty when not finite. */
void ms_fmt_csv_num(FILE *f, double x);
/* A number in JSON: null when not finite. */
void ms_fmt_json_num(FILE *f, double x);
/* A CSV field, quoted (RFC 4180) when it holds a comma, quote or line break;
 * nothing for NULL. */
void ms_fmt_csv_str(FILE *f, const char *s);
/* A JSON string with escapes; null for NULL. */
void ms_fmt_json_str(FILE *f, const char *s);

/* Text in XML or HTML (content or a quoted attribute): & < > " ' as
 * entities, control characters as spaces. */
void ms_fmt_xml_str(FILE *f, const char *s);

/* SHA-256 of a buffer as 64 lower-case hex digits and a NUL. */
void ms_fmt_sha256_hex(const void *buf, size_t len, char hex[65]);

#endif
