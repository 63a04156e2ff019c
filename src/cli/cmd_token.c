#include <stdio.h>

#include "cli/commands.h"

/* Personal access tokens belong to the console API (issue "Console API: accounts, teams,
 * applications..."): until it lands this command says so instead of pretending. */
int qoc_cmd_token_create(struct qoc_cli_ctx *ctx, int argc, char **argv)
{
	(void)ctx;
	(void)argc;
	(void)argv;
	fprintf(stderr, "qoc: token create is not available yet: personal access tokens come with "
			"the management API\n");
	return QOC_EXIT_FAIL;
}
