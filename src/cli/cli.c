#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/context.h"

struct command {
	const char *name;  /* "user add": words matched against argv */
	const char *usage;
	const char *help;
	int (*run)(struct qoc_cli_ctx *ctx, int argc, char **argv);
};

static const struct command commands[] = {
	{ "serve", "qoc serve", "run the server (applies store migrations first)", qoc_cmd_serve },
	{ "migrate", "qoc migrate", "apply store migrations and exit", qoc_cmd_migrate },
	{ "user add", "qoc user add --email E --name N [--admin] [--password-stdin]",
	  "create an account", qoc_cmd_user_add },
	{ "token create", "qoc token create --email E [--ttl S]",
	  "print a personal access token for the management API", qoc_cmd_token_create },
	{ "keys rotate", "qoc keys rotate [--all]",
	  "new signing key of QOC_SIGNING_ALG (--all: of every algorithm); old keys stay published until their tokens expire",
	  qoc_cmd_keys_rotate },
	{ "backup", "qoc backup FILE",
	  "write a consistent copy of the SQLite store to FILE while serving (keep it apart from master.key)",
	  qoc_cmd_backup },
	{ "restore", "qoc restore FILE",
	  "replace a stopped data directory's SQLite store with the backup FILE, after checking it",
	  qoc_cmd_restore },
	{ "version", "qoc version", "version and build options", NULL },
	{ "help", "qoc help", "this list", NULL },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void print_help(FILE *out)
{
	fprintf(out, "QOC - OAuth 2.0 + OpenID Connect provider and console\n\nCommands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(out, "  %-62s %s\n", commands[i].usage, commands[i].help);
	fprintf(out, "\nEvery command takes --config FILE (or QOC_CONFIG=FILE); every key can be "
		     "set as QOC_<KEY>.\nSee qoc.conf.example and docs/configuration.md.\n");
}

static void print_version(void)
{
	printf("qoc %s (%s; libmicrohttpd, jansson, OpenSSL 3, libsodium, SQLite)\n", QOC_VERSION,
	       QOC_BUILD_OPTIONS);
}

/* How many argv words (1 or 2) the command name takes, or 0 when it does not match. */
static int match(const struct command *c, int argc, char **argv)
{
	const char *space = strchr(c->name, ' ');
	if (!space)
		return strcmp(argv[0], c->name) == 0 ? 1 : 0;
	size_t first = (size_t)(space - c->name);
	if (strlen(argv[0]) != first || strncmp(argv[0], c->name, first) != 0)
		return 0;
	return argc >= 2 && strcmp(argv[1], space + 1) == 0 ? 2 : 0;
}

/* Takes --config FILE out of argv (anywhere after the command). */
static int take_config(struct qoc_cli_ctx *ctx, int *argc, char **argv)
{
	int out = 0;
	for (int i = 0; i < *argc; i++) {
		if (strcmp(argv[i], "--config") == 0) {
			if (i + 1 >= *argc) {
				fprintf(stderr, "qoc: --config needs a file\n");
				return -1;
			}
			ctx->config_file = argv[++i];
			continue;
		}
		if (strncmp(argv[i], "--config=", 9) == 0) {
			ctx->config_file = argv[i] + 9;
			continue;
		}
		argv[out++] = argv[i];
	}
	*argc = out;
	return 0;
}

int qoc_cli_main(int argc, char **argv)
{
	if (argc < 2) {
		print_help(stderr);
		return QOC_EXIT_USAGE;
	}
	argc--;
	argv++;
	if (!strcmp(argv[0], "help") || !strcmp(argv[0], "--help") || !strcmp(argv[0], "-h")) {
		print_help(stdout);
		return QOC_EXIT_OK;
	}
	if (!strcmp(argv[0], "version") || !strcmp(argv[0], "--version")) {
		print_version();
		return QOC_EXIT_OK;
	}
	for (size_t i = 0; i < NCOMMANDS; i++) {
		int words = match(&commands[i], argc, argv);
		if (!words || !commands[i].run)
			continue;
		struct qoc_cli_ctx ctx;
		memset(&ctx, 0, sizeof(ctx));
		int rest = argc - words;
		char **rest_argv = argv + words;
		if (take_config(&ctx, &rest, rest_argv) != 0)
			return QOC_EXIT_USAGE;
		int rc = qoc_cli_ctx_config(&ctx);
		if (rc == QOC_EXIT_OK)
			rc = commands[i].run(&ctx, rest, rest_argv);
		qoc_cli_ctx_release(&ctx);
		return rc;
	}
	fprintf(stderr, "qoc: unknown command \"%s\" (see qoc help)\n", argv[0]);
	return QOC_EXIT_USAGE;
}
