/*
 * compat.h - replacements for functions glibc lacks (strlcpy, strlcat).
 */
#ifndef RDNS_COMPAT_H
#define RDNS_COMPAT_H

#include <stddef.h>

#ifndef HAVE_STRLCPY
size_t strlcpy(char *dst, const char *src, size_t size);
#endif
#ifndef HAVE_STRLCAT
size_t strlcat(char *dst, const char *src, size_t size);
#endif

#endif
