/*
 * cmd_pack.c — `iko pack coverage|diff|new-overlay`: vendor reuse of mapping
 * packs for new joiners (transform/iko_coverage.h).
 */
#include "cli.h"

#include "iko_coverage.h"
#include "iko_error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char cmd_pack_usage[] =
	"usage: iko pack coverage --pack DIR --input DUMP [--lg-code CODE] [--out FILE.xlsx]\n"
	"       iko pack diff --pack DIR --lg-code CODE\n"
	"       iko pack new-overlay --pack DIR --lg-code CODE\n\n"
	"  coverage     run a new joiner's real dump (the directory holding the pack's\n"
	"               input files) through the pack without loading: extract, then\n"
	"               map every column of every record. Lists every code value the\n"
	"               pack's code tables do not map (with frequencies), every legacy\n"
	"               field no mapping reads (with how often it holds data), every\n"
	"               standard column without a source, and the share of records\n"
	"               that would pass. --out writes the gap analysis (差異分析)\n"
	"               workbook. Exit 0 when every record maps, 3 otherwise.\n"
	"  diff         list and count an overlay's customisations (overlays/CODE.yaml)\n"
	"               by kind: code entries added or replaced, unmapped policies,\n"
	"               column mappings replaced.\n"
	"  new-overlay  write an empty, commented overlays/CODE.yaml (never over an\n"
	"               existing one).\n\n"
	"  --pack DIR      mapping pack (packs/<vendor>/<business>)\n"
	"  --input DUMP    the new joiner's dump directory\n"
	"  --lg-code CODE  団体コード (6 digits, check digit): applies its overlay\n"
	"  --out FILE      coverage: the gap analysis workbook (.xlsx)\n\n"
	"Exit status: 0 ok, 1 error, 2 usage error, 3 coverage found records that\n"
	"would not migrate (unmapped codes, rejects).\n";

static int coverage(const char *pack, const char *input, const char *lg, const char *out)
{
	iko_coverage c;
	size_t i;
	int r, rc = iko_coverage_run(&c, pack, input, lg);

	if (rc) {
		iko_cli_error("pack coverage");
		return iko_cli_exit_for(rc);
	}
	printf("coverage of %s %s on %s%s%s\n", c.pack, c.pack_version, input,
	       c.overlay ? ", overlay " : "", c.overlay ? c.overlay : "");
	printf("extract: %lld records read, %lld rejected\n", c.extract_read, c.extract_rejected);
	printf("records: %lld of %lld mapped (%.1f%% would pass transform), %lld rejected\n", c.records_out,
	       c.records_in, c.records_in ? 100.0 * (double)c.records_out / (double)c.records_in : 0.0,
	       c.records_rejected);
	for (r = 0; r < IKO_R_COUNT_; r++)
		if (c.by_reason[r])
			printf("  %-22s %8lld  %s\n", iko_reason_code((enum iko_reason)r), c.by_reason[r],
			       iko_reason_label((enum iko_reason)r));
	printf("unmapped code values: %zu\n", c.ncodes);
	for (i = 0; i < c.ncodes; i++)
		printf("  %s.%s  %-14s %-10s %8lld\n", c.codes[i].table, c.codes[i].column,
		       c.codes[i].code_table, c.codes[i].value, c.codes[i].count);
	printf("legacy fields without a target: %zu\n", c.nfields);
	for (i = 0; i < c.nfields; i++)
		printf("  %s.%-20s %8lld of %lld records hold data\n", c.fields[i].input, c.fields[i].field,
		       c.fields[i].filled, c.fields[i].records);
	printf("standard columns without a source: %zu\n", c.ncolumns);
	for (i = 0; i < c.ncolumns; i++)
		printf("  %s.%-20s %s%s\n", c.columns[i].table, c.columns[i].column, c.columns[i].label,
		       c.columns[i].required ? " (required)" : "");
	if (out && (rc = iko_coverage_workbook(&c, input, out))) {
		iko_cli_error("pack coverage");
		iko_coverage_release(&c);
		return iko_cli_exit_for(rc);
	}
	if (out)
		printf("gap analysis: %s\n", out);
	rc = c.ncodes || c.records_rejected || c.extract_rejected ? IKO_EXIT_CHECKS : IKO_EXIT_OK;
	iko_coverage_release(&c);
	return rc;
}

static int diff(const char *pack, const char *lg)
{
	static const char *const kinds[] = { "code-added", "code-replaced", "policy", "column" };
	iko_overlay_diff d;
	size_t i, k;
	int rc = iko_overlay_diff_run(&d, pack, lg);

	if (rc) {
		iko_cli_error("pack diff");
		return rc == IKO_EINVAL ? IKO_EXIT_USAGE : iko_cli_exit_for(rc);
	}
	if (!d.path) {
		printf("no overlay for %s in %s: the pack is used as it is (0 customisations)\n", lg, pack);
		return IKO_EXIT_OK;
	}
	printf("overlay %s%s%s\n", d.path, d.reason && *d.reason ? ": " : "", d.reason ? d.reason : "");
	for (i = 0; i < d.n; i++)
		printf("  %-14s %-24s %s\n", d.items[i].kind, d.items[i].where, d.items[i].detail);
	printf("customisations: %zu", d.n);
	for (k = 0; k < 4; k++) {
		long long n = 0;
		for (i = 0; i < d.n; i++)
			n += !strcmp(d.items[i].kind, kinds[k]);
		printf("%s%s %lld", k ? ", " : " (", kinds[k], n);
	}
	printf(")\n");
	iko_overlay_diff_release(&d);
	return IKO_EXIT_OK;
}

int cmd_pack(int argc, char **argv, const iko_cli *cli)
{
	const char *pack = NULL, *input = NULL, *lg = NULL, *out = NULL, *pos[1] = { NULL };
	const iko_opt opts[] = {
		{ "pack", IKO_OPT_STR, &pack }, { "input", IKO_OPT_STR, &input },
		{ "lg-code", IKO_OPT_STR, &lg }, { "out", IKO_OPT_STR, &out }, { NULL, IKO_OPT_FLAG, NULL }
	};
	int npos = 0, rc;

	if ((rc = iko_cli_parse(cli, argc, argv, opts, pos, 1, &npos)))
		return rc;
	if (npos != 1)
		return iko_cli_usage(cli, "missing action (coverage, diff, new-overlay)");
	if (!pack)
		return iko_cli_usage(cli, "missing --pack");
	if (!strcmp(pos[0], "coverage")) {
		if (!input)
			return iko_cli_usage(cli, "coverage: missing --input DUMP");
		return coverage(pack, input, lg, out);
	}
	if (input || out)
		return iko_cli_usage(cli, "--input and --out go with coverage only");
	if (!lg)
		return iko_cli_usage(cli, "%s: missing --lg-code", pos[0]);
	if (!strcmp(pos[0], "diff"))
		return diff(pack, lg);
	if (!strcmp(pos[0], "new-overlay")) {
		char *path = NULL;
		if ((rc = iko_overlay_new(&path, pack, lg))) {
			iko_cli_error("pack new-overlay");
			return rc == IKO_EINVAL ? IKO_EXIT_USAGE : iko_cli_exit_for(rc);
		}
		printf("wrote %s\n", path);
		free(path);
		return IKO_EXIT_OK;
	}
	return iko_cli_usage(cli, "unknown action %s (coverage, diff, new-overlay)", pos[0]);
}
