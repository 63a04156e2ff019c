/* mem.h - memory helpers that must not be optimised away. */
#ifndef QOC_CORE_MEM_H
#define QOC_CORE_MEM_H

#include <stddef.h>

/* Overwrites len bytes with zeros; the compiler may not elide it. */
void qoc_memwipe(void *p, size_t len);
/* Wipes strlen(s) bytes then frees s. NULL is a no-op. */
void qoc_free_secret_cstr(char *s);

#endif
