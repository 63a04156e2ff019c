/* masterkey.h - the instance's 32-byte master key, kept in a file.
 *
 * Every key QOC uses at rest is derived from this one (qoc_kdf() in hash.h): the sealing
 * key for client secrets and signing keys, the client-secret hashing key, and so on.
 * Lose the file and sealed data cannot be opened; leak it and sealed data can be.
 *
 * The file holds the key as 64 hex digits and a newline (upper- or lower-case digits,
 * the newline optional, nothing else), readable and writable by its owner only.
 * `openssl rand -hex 32 > key; chmod 600 key` makes a valid one.
 */
#ifndef QOC_CRYPTO_MASTERKEY_H
#define QOC_CRYPTO_MASTERKEY_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"

#define QOC_MASTER_KEY_LEN 32

/* Loads the key at path into out, or creates it when the file does not exist.
 *
 * Creation writes 32 bytes from the kernel CSPRNG to a temporary file in the same
 * directory (mode 0600, O_CREAT|O_EXCL), fsyncs it and links it to `path`, which fails if
 * `path` appeared meanwhile: the file is never seen half-written, and of two processes
 * creating it at once one wins and the other loads the winner's key. The directory must
 * exist. *created (may be NULL) tells which happened.
 *
 * Errors (the caller reports the path; out is wiped on every error):
 *   QOC_EPERM   the file is accessible to group or others (any of mode 077)
 *   QOC_EINVAL  the file is not a regular file, or its contents are not a key
 *   QOC_ELIMIT  the path is too long
 *   QOC_EIO     any other I/O failure (missing directory, no permission, disk full)
 */
enum qoc_err qoc_master_key_load_or_create(const char *path, uint8_t out[QOC_MASTER_KEY_LEN],
                                           bool *created);

#endif
