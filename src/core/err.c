#include "core/err.h"

const char *qoc_strerror(enum qoc_err err)
{
	static const char *const names[QOC_ERR_COUNT] = {
		[QOC_OK] = "ok",
		[QOC_ENOMEM] = "out of memory",
		[QOC_EINVAL] = "invalid input",
		[QOC_ENOTFOUND] = "not found",
		[QOC_ECONFLICT] = "conflict",
		[QOC_ELIMIT] = "limit exceeded",
		[QOC_EDB] = "store error",
		[QOC_EIO] = "I/O error",
		[QOC_ECRYPTO] = "cryptographic failure",
		[QOC_EBUSY] = "busy",
		[QOC_EPERM] = "not permitted",
		[QOC_EPENDING] = "pending",
	};
	if ((unsigned)err >= QOC_ERR_COUNT || !names[err])
		return "unknown error";
	return names[err];
}
