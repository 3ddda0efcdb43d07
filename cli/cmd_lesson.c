/* cmd_lesson.c — placeholder until this command lands. */
#include "cli.h"

#include <stdio.h>

const char cmd_lesson_usage[] = "usage: iko lesson ...\n\n(not implemented yet)\n";

int cmd_lesson(int argc, char **argv, const iko_cli *cli)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "iko: %s: not implemented yet\n", cli->cmd->name);
	return IKO_EXIT_ERROR;
}
