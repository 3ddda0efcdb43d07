/* cmd_transform.c — placeholder until the stage lands. */
#include "cli.h"

#include <stdio.h>

const char cmd_transform_usage[] = "usage: iko transform [options]\n\n(not implemented yet)\n";

int cmd_transform(int argc, char **argv, const iko_cli *cli)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "iko: %s: not implemented yet\n", cli->cmd->name);
	return IKO_EXIT_ERROR;
}
