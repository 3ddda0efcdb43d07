/* cmd_package.c — placeholder until this command lands. */
#include "cli.h"

#include <stdio.h>

const char cmd_package_usage[] = "usage: iko package ...\n\n(not implemented yet)\n";

int cmd_package(int argc, char **argv, const iko_cli *cli)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "iko: %s: not implemented yet\n", cli->cmd->name);
	return IKO_EXIT_ERROR;
}
