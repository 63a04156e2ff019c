#include <stdio.h>

#include "cli/commands.h"

int qoc_cmd_migrate(struct qoc_cli_ctx *ctx, int argc, char **argv)
{
	(void)argv;
	if (argc > 0) {
		fprintf(stderr, "qoc: migrate takes no arguments\n");
		return QOC_EXIT_USAGE;
	}
	unsigned applied = 0;
	int rc = qoc_cli_ctx_open(ctx, &applied);
	if (rc)
		return rc;
	printf("migrate: %s store up to date, applied %u migration%s\n", ctx->store->ops->name,
	       applied, applied == 1 ? "" : "s");
	return QOC_EXIT_OK;
}
