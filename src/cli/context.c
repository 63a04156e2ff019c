#include "cli/context.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"
#include "core/mem.h"
#include "crypto/masterkey.h"

int qoc_cli_ctx_config(struct qoc_cli_ctx *ctx)
{
	char err[512];
	if (!ctx->config_file) {
		const char *env = getenv("QOC_CONFIG");
		if (env && *env)
			ctx->config_file = env;
	}
	if (qoc_config_load(&ctx->cfg, ctx->config_file, NULL, err, sizeof(err))) {
		fprintf(stderr, "qoc: %s\n", err);
		return QOC_EXIT_USAGE;
	}
	enum qoc_log_level level = QOC_LOG_INFO;
	qoc_log_level_parse(ctx->cfg.log_level, &level);
	qoc_log_set_level(level);
	enum qoc_log_format format = QOC_LOG_LOGFMT;
	qoc_log_format_parse(ctx->cfg.log_format, &format);
	qoc_log_set_format(format);
	return QOC_EXIT_OK;
}

/* mkdir -p with mode 0700 for what it creates. */
static int make_dirs(const char *path)
{
	char tmp[4096];
	int n = snprintf(tmp, sizeof(tmp), "%s", path);
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0700) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(tmp, 0700) != 0 && errno != EEXIST)
		return -1;
	struct stat st;
	if (stat(tmp, &st) != 0)
		return -1;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	return 0;
}

/* access(W_OK) says yes to root everywhere; creating a file is the real test. */
static int check_writable(const char *dir)
{
	char probe[4200];
	snprintf(probe, sizeof(probe), "%s/.qoc-write-test-%ld", dir, (long)getpid());
	int fd = open(probe, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	close(fd);
	unlink(probe);
	return 0;
}

static int open_master_key(struct qoc_cli_ctx *ctx)
{
	char path[4200];
	snprintf(path, sizeof(path), "%s/master.key", ctx->cfg.data_dir);
	bool created = false;
	enum qoc_err err = qoc_master_key_load_or_create(path, ctx->master_key, &created);
	if (err == QOC_EPERM) {
		fprintf(stderr, "qoc: data_dir: %s may be read or written by group or others; "
				"run chmod 600 on it\n", path);
		return QOC_EXIT_USAGE;
	}
	if (err) {
		fprintf(stderr, "qoc: data_dir: cannot use master key %s: %s\n", path,
			qoc_strerror(err));
		return QOC_EXIT_USAGE;
	}
	ctx->have_master_key = true;
	if (created)
		qoc_log_info("master key created", "path=%s", path);
	return QOC_EXIT_OK;
}

struct qoc_store_options qoc_cli_ctx_store_options(const struct qoc_cli_ctx *ctx)
{
	return (struct qoc_store_options){
	    .url = ctx->cfg.database,
	    .sync = strcmp(ctx->cfg.sqlite_synchronous, "normal") == 0 ? QOC_SYNC_NORMAL
	                                                               : QOC_SYNC_FULL,
	    .pool_size = ctx->cfg.db_pool_size,
	    .busy_timeout_ms = ctx->cfg.db_busy_timeout_ms,
	};
}

static int open_store(struct qoc_cli_ctx *ctx)
{
	struct qoc_store_options opts = qoc_cli_ctx_store_options(ctx);
	enum qoc_err err = qoc_store_open(&opts, &ctx->store);
	if (err) {
		/* Only a SQLite path is named: a PostgreSQL URL may carry a password. */
		bool sqlite = qoc_store_sqlite_path(ctx->cfg.database) != NULL;
		fprintf(stderr, "qoc: database: cannot open %s: %s\n",
			sqlite ? ctx->cfg.database : "the postgres database (QOC_DATABASE)",
			qoc_strerror(err));
		return err == QOC_EINVAL ? QOC_EXIT_USAGE : QOC_EXIT_FAIL;
	}
	return QOC_EXIT_OK;
}

/* Says that dir is not the data directory of a store, and how to name the right one. */
static int no_store(const struct qoc_cli_ctx *ctx, const char *missing)
{
	char cwd[4096];
	const char *dir = ctx->cfg.data_dir;
	bool relative = dir[0] != '/' && getcwd(cwd, sizeof(cwd));
	fprintf(stderr,
	        "qoc: data_dir: no qoc store in %s%s%s%s (%s is missing); nothing was created. "
	        "Run this in the directory qoc serve runs in, or point at its data directory "
	        "with QOC_DATA_DIR=DIR (or data_dir = DIR in --config FILE); qoc serve or qoc "
	        "migrate creates a new one\n",
	        dir, relative ? " (under " : "", relative ? cwd : "", relative ? ")" : "", missing);
	return QOC_EXIT_USAGE;
}

int qoc_cli_ctx_open_existing(struct qoc_cli_ctx *ctx, unsigned flags)
{
	const char *path = qoc_store_sqlite_path(ctx->cfg.database);
	char key[4200];
	struct stat st;
	snprintf(key, sizeof(key), "%s/master.key", ctx->cfg.data_dir);
	if (path && stat(path, &st) != 0)
		return no_store(ctx, path);
	if ((flags & QOC_CLI_OPEN_KEY) && stat(key, &st) != 0)
		return no_store(ctx, key);
	int rc;
	if ((flags & QOC_CLI_OPEN_KEY) && (rc = open_master_key(ctx)))
		return rc;
	if ((rc = open_store(ctx)))
		return rc;
	if (flags & QOC_CLI_OPEN_MIGRATE) {
		enum qoc_err err = qoc_store_migrate(ctx->store, NULL);
		if (err) {
			fprintf(stderr, "qoc: database: migration failed: %s\n", qoc_strerror(err));
			return QOC_EXIT_FAIL;
		}
	}
	return QOC_EXIT_OK;
}

int qoc_cli_ctx_lock(struct qoc_cli_ctx *ctx, bool exclusive)
{
	char path[4200];
	snprintf(path, sizeof(path), "%s/qoc.lock", ctx->cfg.data_dir);
	if (make_dirs(ctx->cfg.data_dir) != 0) {
		fprintf(stderr, "qoc: data_dir: cannot create %s: %s\n", ctx->cfg.data_dir,
		        strerror(errno));
		return QOC_EXIT_USAGE;
	}
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		fprintf(stderr, "qoc: data_dir: cannot open %s: %s\n", path, strerror(errno));
		return QOC_EXIT_USAGE;
	}
	if (flock(fd, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) != 0) {
		int e = errno;
		close(fd);
		if (e == EWOULDBLOCK) {
			fprintf(stderr,
			        "qoc: data_dir: %s is in use by a running qoc serve; stop "
			        "it first\n",
			        ctx->cfg.data_dir);
			return QOC_EXIT_USAGE;
		}
		fprintf(stderr, "qoc: data_dir: cannot lock %s: %s\n", path, strerror(e));
		return QOC_EXIT_FAIL;
	}
	ctx->lock_fd = fd;
	ctx->locked = true;
	return QOC_EXIT_OK;
}

int qoc_cli_ctx_open(struct qoc_cli_ctx *ctx, unsigned *applied)
{
	const char *dir = ctx->cfg.data_dir;
	if (make_dirs(dir) != 0 || check_writable(dir) != 0) {
		fprintf(stderr, "qoc: data_dir: cannot create or write %s: %s\n", dir,
		        strerror(errno));
		return QOC_EXIT_USAGE;
	}
	int rc = open_master_key(ctx);
	if (rc || (rc = open_store(ctx)))
		return rc;
	unsigned n = 0;
	enum qoc_err err = qoc_store_migrate(ctx->store, &n);
	if (err) {
		fprintf(stderr, "qoc: database: migration failed: %s\n", qoc_strerror(err));
		return QOC_EXIT_FAIL;
	}
	if (applied)
		*applied = n;
	return QOC_EXIT_OK;
}

void qoc_cli_ctx_release(struct qoc_cli_ctx *ctx)
{
	qoc_store_close(ctx->store);
	ctx->store = NULL;
	qoc_memwipe(ctx->master_key, sizeof(ctx->master_key));
	ctx->have_master_key = false;
	if (ctx->locked)
		close(ctx->lock_fd);
	ctx->locked = false;
	qoc_config_release(&ctx->cfg);
}
