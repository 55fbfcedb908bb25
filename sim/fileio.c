/* fileio.c - reading a whole file (see fileio.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include "fileio.h"

char *ms_read_file(const char *path, size_t max, size_t *len, int *err)
{
    *len = 0;
    *err = 0;
    FILE *f = fopen(path, "rb");
    if (!f) {
        *err = errno ? errno : EIO;
        return NULL;
    }
    size_t cap = 8192, n = 0;
    char *buf = malloc(cap + 1);
    while (buf) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap) {
            if (ferror(f))
                *err = errno ? errno : EIO;
            break;
        }
        if (n > max) {
            *err = EFBIG;
            break;
        }
        char *nb = realloc(buf, cap * 2 + 1);
        if (!nb) {
            *err = ENOMEM;
            break;
        }
        buf = nb;
        cap *= 2;
    }
    fclose(f);
    if (buf && !*err && n > max)
        *err = EFBIG;
    if (!buf || *err) {
        free(buf);
        if (!*err)
            *err = ENOMEM;
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}
