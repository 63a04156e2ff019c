/* sqlite_files.c - the database's files are private to the server's user (0600).
 *
 * SQLite creates qoc.db with 0644 & ~umask and gives its -wal and -shm the database
 * file's mode, so under a umask of 000 anyone on the host could read every hash, sealed
 * secret and pending request, or write the WAL. Creating the database 0600 ourselves
 * before SQLite opens it fixes all three; files left looser by an older version (or
 * copied in) are narrowed at start. The -appgen file (sqlite_appgen.c) is created 0600
 * already and narrowed here too. A file we cannot narrow stops the start: serving from a
 * world-readable database is worse than not serving.
 */
#include "store/sqlite/sqlite_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"

#define PRIVATE_MODE 0600

/* Narrows fd's file to 0600 when group or others have any bit. */
static int narrow(int fd)
{
	struct stat sb;
	if (fstat(fd, &sb) != 0)
		return -1;
	if (!S_ISREG(sb.st_mode)) {
		errno = EINVAL;
		return -1;
	}
	if ((sb.st_mode & 0077) == 0)
		return 0;
	return fchmod(fd, sb.st_mode & PRIVATE_MODE);
}

static enum qoc_err fail(const char *path, const char *step)
{
	int e = errno;
	char qpath[256];
	qoc_log_error("store: cannot make the database file private", "path=%s step=%s errno=%d",
	              qoc_log_quote(qpath, sizeof(qpath), path), step, e);
	return QOC_EIO;
}

enum qoc_err qoc_sqlite_files_private(const char *path)
{
	/* The database itself: created 0600 when missing (O_CREAT honours the mode only for
	 * a new file, and the umask can only take bits away from 0600). */
	int fd = open(path, O_RDONLY | O_CREAT | O_CLOEXEC, PRIVATE_MODE);
	if (fd < 0) {
		(void)fail(path, "open");
		return QOC_EDB; /* what SQLite's own open answers (no such directory, ...) */
	}
	int rc = narrow(fd);
	close(fd);
	if (rc != 0)
		return fail(path, "chmod");
	static const char *const suffixes[] = {"-wal", "-shm", "-appgen"};
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		char side[4096];
		int n = snprintf(side, sizeof(side), "%s%s", path, suffixes[i]);
		if (n < 0 || (size_t)n >= sizeof(side)) {
			errno = ENAMETOOLONG;
			return fail(path, "path");
		}
		/* Only if it exists; never follow a link planted in its place. */
		fd = open(side, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
		if (fd < 0) {
			if (errno == ENOENT)
				continue;
			return fail(side, "open");
		}
		rc = narrow(fd);
		close(fd);
		if (rc != 0)
			return fail(side, "chmod");
	}
	return QOC_OK;
}
