/* dynlib.c - dlopen at first use (see dynlib.h). */
#include "core/dynlib.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

/* POSIX dlsym: a function's address fits a void * and converts back. */
_Static_assert(sizeof(void (*)(void)) == sizeof(void *), "function pointers are not void *");

enum qoc_err qoc_dynlib_load(const char *soname, const struct qoc_dynlib_sym *syms, size_t nsyms,
                             void *table, void **handle, char *why, size_t why_size)
{
	*handle = NULL;
	void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		const char *e = dlerror();
		snprintf(why, why_size, "%s not found (%s)", soname, e ? e : "dlopen failed");
		return QOC_ENOTFOUND;
	}
	for (size_t i = 0; i < nsyms; i++) {
		dlerror(); /* a NULL from dlsym is only an error if dlerror says so */
		void *p = dlsym(h, syms[i].name);
		const char *e = dlerror();
		if (e || !p) {
			snprintf(why, why_size, "%s has no symbol %s", soname, syms[i].name);
			/* Unmapped again (what its constructors allocated stays: once, and small).
			 */
			dlclose(h);
			return QOC_ENOTFOUND;
		}
		memcpy((char *)table + syms[i].offset, &p, sizeof(p));
	}
	*handle = h;
	return QOC_OK;
}
