#include <stdio.h>

#include "cli/commands.h"
#include "core/clock.h"
#include "oidc/keyring.h"

int qoc_cmd_keys_rotate(struct qoc_cli_ctx *ctx, int argc, char **argv)
{
	(void)argv;
	if (argc > 0) {
		fprintf(stderr, "qoc: keys rotate takes no arguments\n");
		return QOC_EXIT_USAGE;
	}
	int rc = qoc_cli_ctx_open(ctx, NULL);
	if (rc)
		return rc;
	struct qoc_keyring_params p = {
		.store = ctx->store,
		.clock = &qoc_clock_system,
		.master_key = ctx->master_key,
		.alg = ctx->cfg.signing_alg,
		.retention = ctx->cfg.key_retention,
	};
	char kid[128];
	enum qoc_err err = qoc_keyring_rotate(&p, kid, sizeof(kid));
	if (err) {
		fprintf(stderr, "qoc: keys rotate: %s\n", qoc_strerror(err));
		return QOC_EXIT_FAIL;
	}
	printf("new active signing key: kid %s (%s); the previous key stays published for %u s\n",
	       kid, ctx->cfg.signing_alg, ctx->cfg.key_retention);
	return QOC_EXIT_OK;
}
