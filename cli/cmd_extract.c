/* cmd_extract.c — placeholder until the stage lands. */
#include "cli.h"

#include <stdio.h>

const char cmd_extract_usage[] = "usage: iko extract [options]\n\n(not implemented yet)\n";

int cmd_extract(int argc, char **argv, const iko_cli *cli)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "iko: %s: not implemented yet\n", cli->cmd->name);
	return IKO_EXIT_ERROR;
}
