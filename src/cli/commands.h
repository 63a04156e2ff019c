/* commands.h - one function per subcommand. Each gets the loaded configuration and the
 * arguments after the command words (--config already taken out) and returns an exit code. */
#ifndef QOC_CLI_COMMANDS_H
#define QOC_CLI_COMMANDS_H

#include "cli/context.h"

int qoc_cmd_serve(struct qoc_cli_ctx *ctx, int argc, char **argv);
int qoc_cmd_migrate(struct qoc_cli_ctx *ctx, int argc, char **argv);
int qoc_cmd_user_add(struct qoc_cli_ctx *ctx, int argc, char **argv);
int qoc_cmd_token_create(struct qoc_cli_ctx *ctx, int argc, char **argv);
int qoc_cmd_keys_rotate(struct qoc_cli_ctx *ctx, int argc, char **argv);
int qoc_cmd_backup(struct qoc_cli_ctx *ctx, int argc, char **argv);
int qoc_cmd_restore(struct qoc_cli_ctx *ctx, int argc, char **argv);

#endif
