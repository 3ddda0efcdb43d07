/*
 * cmd_package.c — `iko package verify FILE.zip`: re-check a standard
 * migration package written by `iko load --target package`.
 */
#include "cli.h"

#include "iko_error.h"
#include "iko_package.h"

#include <stdio.h>
#include <string.h>

const char cmd_package_usage[] =
	"usage: iko package verify FILE.zip\n\n"
	"Re-check a standard migration package (iko load --target package): its\n"
	"manifest.json parses, every listed CSV is present with the listed row count\n"
	"(RFC 4180 records after the header) and SHA-256, and no member is unlisted.\n"
	"Prints one line per table, then OK or the first problem.\n\n"
	"Exit status: 0 the package is intact, 3 it is not, 1 it cannot be read,\n"
	"2 usage error.\n";

int cmd_package(int argc, char **argv, const iko_cli *cli)
{
	const char *pos[2] = { NULL, NULL };
	iko_package_result r;
	int npos = 0, rc;
	size_t i;

	if ((rc = iko_cli_parse(cli, argc, argv, NULL, pos, 2, &npos)))
		return rc;
	if (npos < 1)
		return iko_cli_usage(cli, "missing subcommand (verify)");
	if (strcmp(pos[0], "verify"))
		return iko_cli_usage(cli, "unknown subcommand %s (verify)", pos[0]);
	if (npos < 2)
		return iko_cli_usage(cli, "verify: missing FILE.zip");
	if ((rc = iko_package_verify(&r, pos[1]))) {
		iko_cli_error("package");
		iko_package_result_release(&r);
		return IKO_EXIT_ERROR;
	}
	printf("package %s: %s %s, lg_code %s\n", pos[1], r.schema ? r.schema : "?",
	       r.schema_version ? r.schema_version : "?", r.lg_code ? r.lg_code : "?");
	for (i = 0; i < r.ntables; i++)
		printf("  %-12s %10lld rows  %s\n", r.tables[i].table, r.tables[i].rows,
		       r.tables[i].ok ? "ok" : "MISMATCH");
	if (r.ok)
		printf("OK\n");
	else
		printf("NOT OK: %s\n", r.problem ? r.problem : "?");
	rc = r.ok ? IKO_EXIT_OK : IKO_EXIT_CHECKS;
	iko_package_result_release(&r);
	return rc;
}
