#include "cli/cli.h"

#include <stdio.h>

int qoc_cli_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "qoc: not wired yet\n");
	return 2;
}
