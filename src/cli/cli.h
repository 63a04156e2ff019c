/* cli.h - the `qoc` command line: subcommand dispatch. */
#ifndef QOC_CLI_H
#define QOC_CLI_H

/* Returns the process exit code: 0 success, 1 runtime failure, 2 usage or configuration error. */
int qoc_cli_main(int argc, char **argv);

#endif
