/*
 * fileio.h - reading a whole file, the one way magsim does it (internal).
 */
#ifndef MAGSIM_FILEIO_H
#define MAGSIM_FILEIO_H

#include <stddef.h>

/* Read the file at path into a malloc'd buffer with a NUL after the last
 * byte.  Returns NULL with *err set (an errno value: the fopen/fread error,
 * EFBIG when the file holds more than max bytes, ENOMEM) on failure; *len is
 * the number of bytes read (the NUL not counted). */
char *ms_read_file(const char *path, size_t max, size_t *len, int *err);

#endif
