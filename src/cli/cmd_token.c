#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "console/pats.h"
#include "core/buf.h"

/* --ttl: seconds, 1 .. QOC_PAT_TTL_MAX. */
static bool parse_ttl(const char *s, int64_t *out)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v < 1 || v > QOC_PAT_TTL_MAX)
		return false;
	*out = v;
	return true;
}

/* qoc token create --email E [--ttl S] [--name N]: prints a personal access token of the
 * account (shown once; the store keeps its hash). */
int qoc_cmd_token_create(struct qoc_cli_ctx *ctx, int argc, char **argv)
{
	const char *email = NULL, *name = "cli";
	int64_t ttl = 0;
	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--email") && i + 1 < argc)
			email = argv[++i];
		else if (!strcmp(argv[i], "--name") && i + 1 < argc)
			name = argv[++i];
		else if (!strcmp(argv[i], "--ttl") && i + 1 < argc && parse_ttl(argv[i + 1], &ttl))
			i++;
		else {
			fprintf(stderr,
			        "qoc: token create: unexpected or invalid argument \"%s\""
			        " (--ttl takes 1..%lld seconds)\n",
			        argv[i], (long long)QOC_PAT_TTL_MAX);
			return QOC_EXIT_USAGE;
		}
	}
	if (!email) {
		fprintf(stderr, "qoc: token create: --email is required\n");
		return QOC_EXIT_USAGE;
	}
	int rc = qoc_cli_ctx_open_existing(ctx, QOC_CLI_OPEN_KEY | QOC_CLI_OPEN_MIGRATE);
	if (rc)
		return rc;
	struct qoc_arena a;
	qoc_arena_init(&a, 0);
	struct qoc_buf tok;
	qoc_buf_init(&tok, 256);
	struct qoc_account acct;
	char id[32];
	enum qoc_err err = qoc_store_account_by_email(ctx->store, &a, email, &acct);
	if (err == QOC_ENOTFOUND) {
		fprintf(stderr, "qoc: token create: no account with email %s\n", email);
		rc = QOC_EXIT_USAGE;
		goto out;
	}
	if (!err)
		err = qoc_pat_issue(ctx->store, &qoc_clock_system, acct.id, name, ttl, &tok, id,
		                    sizeof(id));
	if (err == QOC_ELIMIT) {
		fprintf(stderr,
		        "qoc: token create: %s already has %d live personal access tokens (the "
		        "limit); revoke one first\n",
		        email, QOC_PAT_LIVE_MAX);
		rc = QOC_EXIT_FAIL;
		goto out;
	}
	if (err) {
		fprintf(stderr, "qoc: token create: %s\n", qoc_strerror(err));
		rc = err == QOC_EINVAL ? QOC_EXIT_USAGE : QOC_EXIT_FAIL;
		goto out;
	}
	printf("%s\n", qoc_buf_cstr(&tok));
	fprintf(stderr, "created token %s for %s%s\n", id, acct.email, ttl ? "" : " (no expiry)");
	rc = QOC_EXIT_OK;
out:
	qoc_buf_release_secret(&tok);
	qoc_arena_release(&a);
	return rc;
}
