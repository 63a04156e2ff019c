/* main.c - wiring only: everything lives in the library (src/cli/ dispatches). */
#include "cli/cli.h"

int main(int argc, char **argv)
{
	return qoc_cli_main(argc, argv);
}
