/* cmd_backup.c - qoc backup FILE, qoc restore FILE (docs/operations.md "Backups").
 *
 * A backup is the SQLite store as of one moment, taken while qoc serve runs. It holds
 * client secrets and signing keys sealed under master.key, so it is useless without that
 * key, and whoever holds both holds everything: the backup is refused inside the data
 * directory, next to the key. Restore puts a backup in place of a stopped data
 * directory's store after checking it (integrity, schema version, and that this data
 * directory's master.key opens its signing keys).
 */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/commands.h"
#include "core/clock.h"
#include "crypto/masterkey.h"
#include "oidc/signer.h"

static int one_file_arg(const char *cmd, int argc, char **argv, const char **file)
{
	if (argc != 1 || !argv[0][0] || argv[0][0] == '-') {
		fprintf(stderr, "qoc: %s: usage: qoc %s FILE\n", cmd, cmd);
		return QOC_EXIT_USAGE;
	}
	*file = argv[0];
	return QOC_EXIT_OK;
}

/* PostgreSQL stores are backed up with PostgreSQL's own tools. */
static int sqlite_only(const struct qoc_cli_ctx *ctx, const char *cmd)
{
	if (qoc_store_sqlite_path(ctx->cfg.database))
		return QOC_EXIT_OK;
	fprintf(stderr,
	        "qoc: %s: database: QOC_DATABASE is PostgreSQL; use pg_dump and pg_restore "
	        "(docs/operations.md \"Backups\")\n",
	        cmd);
	return QOC_EXIT_USAGE;
}

/* True when file's directory is the data directory (where master.key lives). */
static bool beside_master_key(const char *data_dir, const char *file)
{
	char copy[PATH_MAX], dir_real[PATH_MAX], data_real[PATH_MAX];
	if (snprintf(copy, sizeof(copy), "%s", file) >= (int)sizeof(copy))
		return false;
	return realpath(dirname(copy), dir_real) && realpath(data_dir, data_real) &&
	       strcmp(dir_real, data_real) == 0;
}

int qoc_cmd_backup(struct qoc_cli_ctx *ctx, int argc, char **argv)
{
	const char *file;
	int rc = one_file_arg("backup", argc, argv, &file);
	if (rc || (rc = sqlite_only(ctx, "backup")))
		return rc;
	if (beside_master_key(ctx->cfg.data_dir, file)) {
		fprintf(stderr,
		        "qoc: backup: %s is in the data directory, next to master.key: keep "
		        "backups apart from the key (docs/operations.md \"Backups\")\n",
		        file);
		return QOC_EXIT_USAGE;
	}
	if ((rc = qoc_cli_ctx_open_existing(ctx, 0)))
		return rc;
	enum qoc_err err = qoc_store_backup(ctx->store, file);
	if (err == QOC_ECONFLICT) {
		fprintf(stderr, "qoc: backup: %s exists; name a new file\n", file);
		return QOC_EXIT_USAGE;
	}
	if (err) {
		fprintf(stderr, "qoc: backup: cannot write %s: %s\n", file, qoc_strerror(err));
		return QOC_EXIT_FAIL;
	}
	printf("backup: %s written (mode 0600). It is useless without %s/master.key; keep the "
	       "two apart.\n",
	       file, ctx->cfg.data_dir);
	return QOC_EXIT_OK;
}

/* The restore's own check: this data directory's master key opens the backup's signing
 * keys (else the restored server would refuse to start, and every sealed secret would be
 * lost). */
static enum qoc_err keys_open(struct qoc_store *staged, void *arg)
{
	const struct qoc_cli_ctx *ctx = arg;
	struct qoc_signer *s = NULL;
	enum qoc_err err =
	    qoc_signer_new(staged, ctx->master_key, qoc_clock_now(&qoc_clock_system), &s);
	qoc_signer_free(s);
	return err;
}

static int restore_failed(const char *file, const char *dir, enum qoc_err err)
{
	const char *why = qoc_strerror(err);
	if (err == QOC_ENOTFOUND)
		why = "no such file";
	else if (err == QOC_EINVAL)
		why = "not an intact qoc store (see the line above)";
	else if (err == QOC_ECONFLICT)
		why = "made by a newer qoc (its schema is newer than this binary's)";
	else if (err == QOC_ECRYPTO)
		why = "this data directory's master.key does not open the backup's signing keys; "
		      "put the master.key of the data directory the backup was made from in place";
	fprintf(stderr, "qoc: restore: %s: %s; %s/qoc.db is unchanged\n", file, why, dir);
	return err == QOC_EIO || err == QOC_EDB || err == QOC_ENOMEM ? QOC_EXIT_FAIL
	                                                             : QOC_EXIT_USAGE;
}

int qoc_cmd_restore(struct qoc_cli_ctx *ctx, int argc, char **argv)
{
	const char *file;
	int rc = one_file_arg("restore", argc, argv, &file);
	if (rc || (rc = sqlite_only(ctx, "restore")))
		return rc;
	char key[4200];
	struct stat st;
	snprintf(key, sizeof(key), "%s/master.key", ctx->cfg.data_dir);
	if (stat(key, &st) != 0) {
		fprintf(stderr,
		        "qoc: restore: %s is missing: put the master.key of the data directory the "
		        "backup was made from there first\n",
		        key);
		return QOC_EXIT_USAGE;
	}
	if ((rc = qoc_cli_ctx_lock(ctx, true)))
		return rc;
	enum qoc_err err = qoc_master_key_load_or_create(key, ctx->master_key, NULL);
	if (err) {
		fprintf(stderr, "qoc: restore: cannot use %s: %s\n", key, qoc_strerror(err));
		return QOC_EXIT_USAGE;
	}
	ctx->have_master_key = true;
	struct qoc_store_options opts = qoc_cli_ctx_store_options(ctx);
	unsigned version = 0;
	err = qoc_store_restore(&opts, file, keys_open, ctx, &version);
	if (err)
		return restore_failed(file, ctx->cfg.data_dir, err);
	printf("restore: %s is now the store of %s (schema version %u); start qoc serve, which "
	       "applies any newer migrations\n",
	       file, ctx->cfg.data_dir, version);
	return QOC_EXIT_OK;
}
