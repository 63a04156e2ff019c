/* err.h - the one error enum of QOC.
 *
 * Every action returns enum qoc_err; QOC_OK is zero so `if (err)` reads naturally.
 * Callers keep one `err` variable and one cleanup path (see STYLE.md).
 */
#ifndef QOC_CORE_ERR_H
#define QOC_CORE_ERR_H

enum qoc_err {
	QOC_OK = 0,
	QOC_ENOMEM,     /* allocation failed: a request path answers 503, never aborts */
	QOC_EINVAL,     /* input does not have the required form */
	QOC_ENOTFOUND,  /* no such row / key / route */
	QOC_ECONFLICT,  /* unique constraint or lost race (e.g. a code already consumed) */
	QOC_ELIMIT,     /* a bound was exceeded (buffer, field count, depth, size) */
	QOC_EDB,        /* the store failed */
	QOC_EIO,        /* file or socket I/O failed */
	QOC_ECRYPTO,    /* a cryptographic operation failed or a signature did not verify */
	QOC_EBUSY,      /* temporarily unavailable (pool exhausted, store locked); retry later */
	QOC_EPERM,      /* not allowed */
	QOC_EPENDING,   /* the work continues asynchronously (http offload) */
	QOC_ERR_COUNT
};

/* Static, never NULL, never contains data from the caller. */
const char *qoc_strerror(enum qoc_err err);

#endif
