/* strlcpy - size-bounded string copying, for C libraries without it. */
#include "autoconf.h"

#include <string.h>

#include "compat.h"

/* Copy src to dst[size], always NUL-terminating when size > 0.
 * Returns strlen(src); truncation happened if that is >= size. */
size_t
strlcpy(char *dst, const char *src, size_t size)
{
	size_t len = strlen(src);

	if (size > 0) {
		size_t n = len >= size ? size - 1 : len;

		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}
