#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "core/clock.h"
#include "oidc/keyring.h"

int qoc_cmd_keys_rotate(struct qoc_cli_ctx *ctx, int argc, char **argv)
{
	bool all = argc == 1 && strcmp(argv[0], "--all") == 0;
	if (argc > 0 && !all) {
		fprintf(stderr, "qoc: keys rotate takes no arguments but --all\n");
		return QOC_EXIT_USAGE;
	}
	int rc = qoc_cli_ctx_open_existing(ctx, QOC_CLI_OPEN_KEY | QOC_CLI_OPEN_MIGRATE);
	if (rc)
		return rc;
	struct qoc_keyring_params p = {
		.store = ctx->store,
		.clock = &qoc_clock_system,
		.master_key = ctx->master_key,
		.alg = ctx->cfg.signing_alg,
		.retention = ctx->cfg.key_retention,
		.flags = all ? QOC_KEYRING_ALL_ALGS : 0,
	};
	char kid[128];
	enum qoc_err err = qoc_keyring_rotate(&p, kid, sizeof(kid));
	if (err) {
		fprintf(stderr, "qoc: keys rotate: %s\n", qoc_strerror(err));
		return QOC_EXIT_FAIL;
	}
	if (all)
		printf("new active signing keys for RS256, PS256, ES256 and EdDSA (%s: kid %s); "
		       "the previous keys stay published for %u s\n",
		       ctx->cfg.signing_alg, kid, ctx->cfg.key_retention);
	else
		printf("new active %s signing key: kid %s; the previous %s key stays published "
		       "for %u s\n",
		       ctx->cfg.signing_alg, kid, ctx->cfg.signing_alg, ctx->cfg.key_retention);
	return QOC_EXIT_OK;
}
