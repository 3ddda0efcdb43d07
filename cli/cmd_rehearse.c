/* cmd_rehearse.c — placeholder until the stage lands. */
#include "cli.h"

#include <stdio.h>

const char cmd_rehearse_usage[] = "usage: iko rehearse [options]\n\n(not implemented yet)\n";

int cmd_rehearse(int argc, char **argv, const iko_cli *cli)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "iko: %s: not implemented yet\n", cli->cmd->name);
	return IKO_EXIT_ERROR;
}
