/*
 * magsim/report.h - a report of a result directory: report.html (self-
 * contained: styles and figures inline, no network), report.md and the
 * figures as SVG and PNG, for policy memos.
 *
 * The report reads the result's files (manifest.json, summary.csv,
 * timeseries.csv, an optional backtest.csv: magsim/resultdir.h), never the
 * engine, so it shows what the files say.  Its figures come from one table
 * (sim/report.c: name, files read, whether monthly series are needed, the
 * function that draws it); a figure that the result cannot feed (no series,
 * missing quantiles) is left out and the report says which and why.  A
 * partial result gets a banner with the number of paths it holds.
 *
 * Output is deterministic: the same result files give the same bytes
 * (numbers in the C locale, no clock, no paths of this machine); every
 * string from the files is escaped for HTML, Markdown and SVG.
 * docs/report.md describes every figure and the columns it reads.
 */
#ifndef MAGSIM_REPORT_H
#define MAGSIM_REPORT_H

#include <stddef.h>
#include "magsim/outdir.h"

/* Return codes. */
enum {
    MS_REPORT_OK = 0,
    MS_REPORT_EIO = -1,      /* a file could not be written, out of memory, a drawing failed (message in err) */
    MS_REPORT_EINVAL = -3    /* the source is not a result this magsim can read (every problem in err) */
};

/* What a report holds, for the command's message. */
typedef struct ms_report_summary {
    int nfigures;            /* figures drawn */
    int nleft_out;           /* figures left out (the report lists them and why) */
    int partial;             /* 1: the result is partial (the report has a banner) */
    double paths_done;       /* paths the result holds */
} ms_report_summary;

/* PNG pixels per SVG px (figures are laid out 960 px wide): the default,
 * and the range allowed. */
#define MS_REPORT_PNG_SCALE 2.0
#define MS_REPORT_PNG_SCALE_MIN 0.5
#define MS_REPORT_PNG_SCALE_MAX 4.0

/* How the report is made. */
typedef struct ms_report_opts {
    double png_scale;        /* PNG pixels per px, in [MS_REPORT_PNG_SCALE_MIN, MAX] */
} ms_report_opts;

/* The quantile levels the report's figures use: 90% and 50% bands, the
 * median, and more points for exceedance curves.  `run --report` adds the
 * missing ones to the run's levels. */
extern const double ms_report_quantiles[];
extern const int ms_report_nquantiles;

/* Read the result at src_dir and add the report to d under prefix ("" or a
 * subdirectory such as "report", made here): report.html, report.md,
 * manifest.json (format magsim-report) and figures/NAME.svg, .png.
 * opts NULL: the defaults; summary may be NULL. */
int ms_report_write(const char *src_dir, ms_outdir *d, const char *prefix, const ms_report_opts *opts,
                    ms_report_summary *summary, char *err, size_t errlen);

#endif
