/*
 * cmd_rehearsal.c — `iko rehearsal compare RUN_A RUN_B`: what the later
 * rehearsal fixed, what is new, what remains.
 */
#include "cli.h"

#include "iko_compare.h"
#include "iko_error.h"

#include <stdio.h>
#include <string.h>

const char cmd_rehearsal_usage[] =
	"usage: iko rehearsal compare RUN_A RUN_B [--out FILE.xlsx] [--all]\n\n"
	"Compare two rehearsals of a municipality (runs/<lg_code>/<run-id>): the\n"
	"discrepancies that need review, by 差異ID (the same discrepancy has the\n"
	"same ID in every run): fixed (only in RUN_A), new (only in RUN_B) and\n"
	"remaining (in both); and every reconciliation measure's status in each.\n\n"
	"  --out FILE.xlsx  also write the comparison as a workbook (cover, 差異の比較,\n"
	"                   集計の比較)\n"
	"  --all            list every discrepancy, not only the first 20 of each state\n\n"
	"Exit status: 0 (a comparison is not a check), 1 error, 2 usage error.\n";

int cmd_rehearsal(int argc, char **argv, const iko_cli *cli)
{
	const char *out = NULL, *pos[3] = { NULL, NULL, NULL };
	int all = 0, npos = 0, rc, s;
	const iko_opt opts[] = {
		{ "out", IKO_OPT_STR, &out }, { "all", IKO_OPT_FLAG, &all }, { NULL, IKO_OPT_FLAG, NULL }
	};
	iko_compare_result r;
	size_t i;

	if ((rc = iko_cli_parse(cli, argc, argv, opts, pos, 3, &npos)))
		return rc;
	if (npos < 1 || strcmp(pos[0], "compare"))
		return iko_cli_usage(cli, npos < 1 ? "missing action (compare)" : "unknown action %s (compare)",
				     pos[0]);
	if (npos != 3)
		return iko_cli_usage(cli, "compare needs RUN_A and RUN_B");
	if ((rc = iko_compare_runs(&r, pos[1], pos[2]))) {
		iko_cli_error("rehearsal");
		return iko_cli_exit_for(rc);
	}
	printf("discrepancies: %lld fixed, %lld new, %lld remaining\n", r.fixed, r.added, r.remaining);
	printf("measures:      %s PASS %lld / WARN %lld / FAIL %lld -> %s PASS %lld / WARN %lld / FAIL %lld, %lld changed\n",
	       pos[1], r.pass[0], r.warn[0], r.fail[0], pos[2], r.pass[1], r.warn[1], r.fail[1], r.changed);
	for (s = 0; s < 3; s++) {
		static const char *const names[] = { "fixed", "new", "remaining" };
		long long shown = 0;
		for (i = 0; i < r.nitems; i++) {
			const iko_compare_item *it = &r.items[i];
			if (it->state != s)
				continue;
			if (!all && shown == 20) {
				printf("  … (--all lists every one)\n");
				break;
			}
			printf("  %-9s %s  %s  %s %s %s\n", names[s], it->id, it->sheet, it->kind, it->key,
			       it->field);
			shown++;
		}
	}
	for (i = 0; i < r.nmeasures; i++) {
		const iko_compare_measure *m = &r.measures[i];
		if (m->status_a && m->status_b && !strcmp(m->status_a, m->status_b))
			continue;
		printf("  measure   %s → %s  %s %s\n", m->status_a ? m->status_a : "-",
		       m->status_b ? m->status_b : "-", m->label, m->group_label);
	}
	if (out && (rc = iko_compare_workbook(&r, pos[1], pos[2], out))) {
		iko_cli_error("rehearsal");
		iko_compare_result_release(&r);
		return iko_cli_exit_for(rc);
	}
	iko_compare_result_release(&r);
	return IKO_EXIT_OK;
}
