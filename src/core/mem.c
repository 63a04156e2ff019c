#include "core/mem.h"

#include <stdlib.h>
#include <string.h>

void qoc_memwipe(void *p, size_t len)
{
	if (p && len)
		explicit_bzero(p, len);
}

void qoc_free_secret_cstr(char *s)
{
	if (!s)
		return;
	qoc_memwipe(s, strlen(s));
	free(s);
}
