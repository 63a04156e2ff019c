/* context.h - what every subcommand sets up the same way: configuration, data directory,
 * master key, store. Keeping it in one place is what makes `QOC_DATA_DIR=x qoc user add`
 * act on the store that `QOC_DATA_DIR=x qoc serve` serves.
 */
#ifndef QOC_CLI_CONTEXT_H
#define QOC_CLI_CONTEXT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/config.h"
#include "store/store.h"

struct qoc_cli_ctx {
	struct qoc_config cfg;
	const char *config_file;      /* --config or QOC_CONFIG; NULL: none */
	struct qoc_store *store;      /* open after qoc_cli_ctx_open */
	uint8_t master_key[32];
	bool have_master_key;
	int lock_fd; /* <data dir>/qoc.lock while held (qoc_cli_ctx_lock), else unused */
	bool locked;
};

/* Exit codes (README): 0 ok, 1 runtime failure, 2 usage or configuration error. */
enum { QOC_EXIT_OK = 0, QOC_EXIT_FAIL = 1, QOC_EXIT_USAGE = 2 };

/* Loads and validates the configuration (printing one line naming the key on error).
 * Returns an exit code. */
int qoc_cli_ctx_config(struct qoc_cli_ctx *ctx);
/* Creates the data directory (0700) if needed and checks that it is writable, loads or
 * creates the master key, opens the store and applies migrations (*applied counts them;
 * may be NULL). Returns an exit code; prints the problem naming the key on failure. */
int qoc_cli_ctx_open(struct qoc_cli_ctx *ctx, unsigned *applied);
/* The store options the configuration gives (every command opens the store with them). */
struct qoc_store_options qoc_cli_ctx_store_options(const struct qoc_cli_ctx *ctx);
/* What qoc_cli_ctx_open_existing does beyond opening the store. */
enum {
	QOC_CLI_OPEN_KEY = 1 << 0,     /* load <data dir>/master.key (refused when missing) */
	QOC_CLI_OPEN_MIGRATE = 1 << 1, /* apply pending migrations to the existing store */
};
/* Opens the store without creating one: for commands that read or add to the store qoc
 * serve uses (user add, token create, keys rotate, backup). A data directory is one when it
 * holds master.key (and, on SQLite, the store file): otherwise nothing is created, and the
 * message names the data directory it looked in and how to point at the right one
 * (QOC_DATA_DIR, data_dir in --config FILE). flags: QOC_CLI_OPEN_*; 0 (qoc backup) neither
 * reads the key nor migrates. Returns an exit code. */
int qoc_cli_ctx_open_existing(struct qoc_cli_ctx *ctx, unsigned flags);
/* Takes <data dir>/qoc.lock (creating the data directory when missing): shared for
 * `qoc serve` (held until release), exclusive and without waiting for `qoc restore`, which
 * must not replace a store a server is using. Returns an exit code; prints the reason. */
int qoc_cli_ctx_lock(struct qoc_cli_ctx *ctx, bool exclusive);
void qoc_cli_ctx_release(struct qoc_cli_ctx *ctx);

#endif
