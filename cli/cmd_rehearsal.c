/* cmd_rehearsal.c — placeholder until this command lands. */
#include "cli.h"

#include <stdio.h>

const char cmd_rehearsal_usage[] = "usage: iko rehearsal ...\n\n(not implemented yet)\n";

int cmd_rehearsal(int argc, char **argv, const iko_cli *cli)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "iko: %s: not implemented yet\n", cli->cmd->name);
	return IKO_EXIT_ERROR;
}
