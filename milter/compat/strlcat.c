/* strlcat - size-bounded string concatenation, for C libraries without it. */
#include "autoconf.h"

#include <string.h>

#include "compat.h"

/* Append src to dst[size], always NUL-terminating when dst has room.
 * Returns the length of the string it tried to create. */
size_t
strlcat(char *dst, const char *src, size_t size)
{
	size_t dlen = strnlen(dst, size);

	if (dlen == size)
		return size + strlen(src);
	return dlen + strlcpy(dst + dlen, src, size - dlen);
}
