/* cmd_sample.c — placeholder until the stage lands. */
#include "cli.h"

#include <stdio.h>

const char cmd_sample_usage[] = "usage: iko sample [options]\n\n(not implemented yet)\n";

int cmd_sample(int argc, char **argv, const iko_cli *cli)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "iko: %s: not implemented yet\n", cli->cmd->name);
	return IKO_EXIT_ERROR;
}
