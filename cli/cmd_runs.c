/* cmd_runs.c — placeholder until this command lands. */
#include "cli.h"

#include <stdio.h>

const char cmd_runs_usage[] = "usage: iko runs ...\n\n(not implemented yet)\n";

int cmd_runs(int argc, char **argv, const iko_cli *cli)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "iko: %s: not implemented yet\n", cli->cmd->name);
	return IKO_EXIT_ERROR;
}
