#include "crypto/masterkey.h"
#include "core/str.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/mem.h"
#include "core/random.h"

#define KEY_HEX_LEN (2 * QOC_MASTER_KEY_LEN)

/* 64 hex digits, then nothing or a single "\n". */
static enum qoc_err parse_key(const char *text, size_t len, uint8_t out[QOC_MASTER_KEY_LEN])
{
	if (len == KEY_HEX_LEN + 1 && text[KEY_HEX_LEN] == '\n')
		len--;
	if (len != KEY_HEX_LEN)
		return QOC_EINVAL;
	for (size_t i = 0; i < QOC_MASTER_KEY_LEN; i++) {
		int hi = qoc_hex_value(text[2 * i]), lo = qoc_hex_value(text[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return QOC_EINVAL;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return QOC_OK;
}

/* Reads at most size bytes (EOF or a full buffer ends it). -1 on error. */
static ssize_t read_all(int fd, char *buf, size_t size)
{
	size_t got = 0;
	while (got < size) {
		ssize_t n = read(fd, buf + got, size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Loads an existing file. QOC_ENOTFOUND when there is none. */
static enum qoc_err load(const char *path, uint8_t out[QOC_MASTER_KEY_LEN])
{
	char text[KEY_HEX_LEN + 2];
	struct stat st;
	enum qoc_err err = QOC_EIO;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return errno == ENOENT ? QOC_ENOTFOUND : QOC_EIO;
	if (fstat(fd, &st) != 0)
		goto out;
	err = QOC_EINVAL;
	if (!S_ISREG(st.st_mode))
		goto out;
	err = QOC_EPERM;
	if (st.st_mode & (S_IRWXG | S_IRWXO))
		goto out;
	err = QOC_EIO;
	n = read_all(fd, text, sizeof(text));
	if (n < 0)
		goto out;
	err = parse_key(text, (size_t)n, out);
out:
	qoc_memwipe(text, sizeof(text));
	close(fd);
	return err;
}

/* fsyncs the directory holding path, so the new link survives a crash. */
static void sync_parent(const char *path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	size_t len = slash ? (size_t)(slash - path) : 0;
	if (!slash)
		memcpy(dir, ".", 2);
	else if (len == 0)
		memcpy(dir, "/", 2);
	else {
		memcpy(dir, path, len);
		dir[len] = '\0';
	}
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
}

/* Writes a new key to a temporary file and links it to path. QOC_ECONFLICT when path
 * appeared in the meantime. */
static enum qoc_err create(const char *path, uint8_t out[QOC_MASTER_KEY_LEN])
{
	static const char digits[] = "0123456789abcdef";
	char tmp[PATH_MAX], text[KEY_HEX_LEN + 1];
	enum qoc_err err;
	int n = snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", path);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return QOC_ELIMIT;
	err = qoc_random_bytes(out, QOC_MASTER_KEY_LEN);
	if (err)
		return err;
	for (size_t i = 0; i < QOC_MASTER_KEY_LEN; i++) {
		text[2 * i] = digits[out[i] >> 4];
		text[2 * i + 1] = digits[out[i] & 15];
	}
	text[KEY_HEX_LEN] = '\n';

	int fd = mkstemp(tmp); /* O_CREAT|O_EXCL, mode 0600 */
	if (fd < 0) {
		err = QOC_EIO;
		goto out;
	}
	err = QOC_EIO;
	if (fcntl(fd, F_SETFD, FD_CLOEXEC) != 0 || fchmod(fd, S_IRUSR | S_IWUSR) != 0 ||
	    write_all(fd, text, sizeof(text)) != 0 || fsync(fd) != 0) {
		close(fd);
		goto unlink_tmp;
	}
	if (close(fd) != 0)
		goto unlink_tmp;
	if (link(tmp, path) != 0) {
		err = errno == EEXIST ? QOC_ECONFLICT : QOC_EIO;
		goto unlink_tmp;
	}
	err = QOC_OK;
unlink_tmp:
	(void)unlink(tmp);
	if (!err)
		sync_parent(path);
out:
	qoc_memwipe(text, sizeof(text));
	return err;
}

enum qoc_err qoc_master_key_load_or_create(const char *path, uint8_t out[QOC_MASTER_KEY_LEN],
                                           bool *created)
{
	enum qoc_err err;
	bool made = false;
	if (!path || !path[0] || strnlen(path, PATH_MAX) >= PATH_MAX - 16) {
		err = path && path[0] ? QOC_ELIMIT : QOC_EINVAL;
		goto out;
	}
	err = load(path, out);
	if (err == QOC_ENOTFOUND) {
		err = create(path, out);
		made = err == QOC_OK;
		if (err == QOC_ECONFLICT) /* another process created it first: use its key */
			err = load(path, out);
		if (err == QOC_ENOTFOUND) /* ... and it vanished again */
			err = QOC_EIO;
	}
out:
	if (err)
		qoc_memwipe(out, QOC_MASTER_KEY_LEN);
	if (created)
		*created = made;
	return err;
}
