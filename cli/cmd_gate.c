/* cmd_gate.c — placeholder until this command lands. */
#include "cli.h"

#include <stdio.h>

const char cmd_gate_usage[] = "usage: iko gate ...\n\n(not implemented yet)\n";

int cmd_gate(int argc, char **argv, const iko_cli *cli)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "iko: %s: not implemented yet\n", cli->cmd->name);
	return IKO_EXIT_ERROR;
}
