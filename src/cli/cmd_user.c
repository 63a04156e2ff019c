#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli/commands.h"
#include "console/accounts.h"
#include "core/mem.h"

/* Reads one line (without its newline) into buf. Returns its length or -1. */
static long read_line(FILE *in, char *buf, size_t size)
{
	if (!fgets(buf, (int)size, in))
		return -1;
	size_t n = strlen(buf);
	if (n == size - 1 && buf[n - 1] != '\n' && !feof(in))
		return -1; /* longer than the buffer: refuse rather than truncate */
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	return (long)n;
}

static long prompt_password(char *buf, size_t size)
{
	struct termios old, quiet;
	if (tcgetattr(STDIN_FILENO, &old) != 0)
		return -1;
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	/* Echo off before the prompt: what is typed as soon as it shows is never echoed. */
	if (tcsetattr(STDIN_FILENO, TCSANOW, &quiet) != 0)
		return -1;
	fprintf(stderr, "Password: ");
	long n = read_line(stdin, buf, size);
	tcsetattr(STDIN_FILENO, TCSANOW, &old);
	fprintf(stderr, "\n");
	return n;
}

int qoc_cmd_user_add(struct qoc_cli_ctx *ctx, int argc, char **argv)
{
	struct qoc_account_input in = { 0 };
	bool from_stdin = false;
	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--email") && i + 1 < argc)
			in.email = argv[++i];
		else if (!strcmp(argv[i], "--name") && i + 1 < argc)
			in.name = argv[++i];
		else if (!strcmp(argv[i], "--admin"))
			in.is_admin = true;
		else if (!strcmp(argv[i], "--password-stdin"))
			from_stdin = true;
		else {
			fprintf(stderr, "qoc: user add: unexpected argument \"%s\"\n", argv[i]);
			return QOC_EXIT_USAGE;
		}
	}
	if (!in.email || !in.name) {
		fprintf(stderr, "qoc: user add: --email and --name are required\n");
		return QOC_EXIT_USAGE;
	}
	const char *why = qoc_account_check_email(in.email);
	if (!why)
		why = qoc_account_check_name(in.name);
	if (why) {
		fprintf(stderr, "qoc: user add: %s\n", why);
		return QOC_EXIT_USAGE;
	}
	if (!from_stdin && !isatty(STDIN_FILENO)) {
		fprintf(stderr, "qoc: user add: give --password-stdin to read the password from a pipe\n");
		return QOC_EXIT_USAGE;
	}
	char pw[QOC_PASSWORD_MAX + 2];
	long len = from_stdin ? read_line(stdin, pw, sizeof(pw)) : prompt_password(pw, sizeof(pw));
	int rc = QOC_EXIT_USAGE;
	if (len < 0) {
		fprintf(stderr, "qoc: user add: could not read a password (at most %d characters)\n",
			QOC_PASSWORD_MAX);
		goto out;
	}
	if ((why = qoc_account_check_password(pw, (size_t)len))) {
		fprintf(stderr, "qoc: user add: %s\n", why);
		goto out;
	}
	in.password = pw;
	in.password_len = (size_t)len;
	if ((rc = qoc_cli_ctx_open_existing(ctx, QOC_CLI_OPEN_KEY | QOC_CLI_OPEN_MIGRATE)))
		goto out;
	char id[32];
	enum qoc_err err = qoc_account_create(ctx->store, &qoc_clock_system, &in, id, sizeof(id), &why);
	if (err) {
		fprintf(stderr, "qoc: user add: %s\n", why ? why : qoc_strerror(err));
		rc = err == QOC_EINVAL ? QOC_EXIT_USAGE : QOC_EXIT_FAIL;
		goto out;
	}
	printf("created account %s <%s>%s\n", id, in.email, in.is_admin ? " (instance admin)" : "");
	rc = QOC_EXIT_OK;
out:
	qoc_memwipe(pw, sizeof(pw));
	return rc;
}
