#include "core/random.h"

#include <errno.h>
#include <sys/random.h>

static enum qoc_err system_fill(void *ctx, void *buf, size_t len)
{
	(void)ctx;
	unsigned char *p = buf;
	while (len > 0) {
		ssize_t n = getrandom(p, len, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return QOC_EIO;
		}
		p += n;
		len -= (size_t)n;
	}
	return QOC_OK;
}

const struct qoc_random qoc_random_system = { system_fill, NULL };

enum qoc_err qoc_random_bytes(void *buf, size_t len)
{
	return system_fill(NULL, buf, len);
}
