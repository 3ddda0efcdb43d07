/*
 * cmd_evidence.c — `iko evidence verify FILE.zip`: re-check a run's
 * evidence bundle against its SHA256SUMS.
 */
#include "cli.h"

#include "iko_error.h"
#include "iko_evidence.h"

#include <stdio.h>
#include <string.h>

const char cmd_evidence_usage[] =
	"usage: iko evidence verify runs/<lg_code>/<run-id>/evidence.zip\n\n"
	"Every rehearsal writes evidence.zip beside its manifest: the run and stage\n"
	"manifests, the rejects, the reconciliation files, the discrepancy workbook\n"
	"and SHA256SUMS (one \"<sha256>  <member>\" line per member). verify\n"
	"re-reads every member and checks its SHA-256, and that nothing is missing\n"
	"or unlisted.\n\n"
	"Exit status: 0 intact, 3 not intact, 1 unreadable, 2 usage error.\n";

int cmd_evidence(int argc, char **argv, const iko_cli *cli)
{
	const char *pos[2] = { NULL, NULL };
	iko_evidence_check c;
	int npos = 0, rc;

	if ((rc = iko_cli_parse(cli, argc, argv, NULL, pos, 2, &npos)))
		return rc;
	if (npos != 2 || strcmp(pos[0], "verify"))
		return iko_cli_usage(cli, "expected: verify FILE.zip");
	if ((rc = iko_evidence_verify(&c, pos[1]))) {
		iko_cli_error("evidence");
		return iko_cli_exit_for(rc);
	}
	printf("evidence %s: %zu of %zu members intact\n", pos[1], c.ok, c.members);
	if (c.problem)
		printf("NOT OK: %s\n", c.problem);
	else
		printf("OK\n");
	rc = c.problem ? IKO_EXIT_CHECKS : IKO_EXIT_OK;
	iko_evidence_check_release(&c);
	return rc;
}
