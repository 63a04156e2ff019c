#include "core/str.h"

static unsigned char lower(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

bool qoc_str_eq_nocase(struct qoc_str a, struct qoc_str b)
{
	if (a.len != b.len)
		return false;
	for (size_t i = 0; i < a.len; i++)
		if (lower((unsigned char)a.ptr[i]) != lower((unsigned char)b.ptr[i]))
			return false;
	return true;
}
