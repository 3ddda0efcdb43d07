/*
 * cmd_schedule.c — `iko schedule PLAN.yaml --out DIR`: staggered cutovers.
 */
#include "cli.h"

#include "iko_date.h"
#include "iko_error.h"
#include "iko_schedule.h"

#include <stdio.h>
#include <stdlib.h>

const char cmd_schedule_usage[] =
	"usage: iko schedule PLAN.yaml --out DIR [--actuals ACTUALS.yaml]\n\n"
	"Sequence the cutovers (切替) week by week: within start..end, on the\n"
	"cutover weekday, outside blackouts, within the slots per week and each\n"
	"vendor's capacity, for municipalities that are ready and passed their\n"
	"minimum of rehearsals. Every vendor's pilot (named, or its smallest\n"
	"municipality) goes first; its other municipalities follow in later weeks,\n"
	"smaller before larger, so they inherit what the pilot taught. Every\n"
	"placement is explained; a municipality that cannot be placed is named\n"
	"with the constraint that blocks it. Writes DIR/schedule.md and\n"
	"DIR/schedule.ics (RFC 5545: one event per cutover, SUMMARY 切替 <name>,\n"
	"and one per final rehearsal) and DIR/schedule.xlsx (a row per municipality,\n"
	"a column per week coloured by phase). With `lessons:` in the plan, each\n"
	"municipality shows the recorded lessons it inherits; with `costs:`, the\n"
	"費用按分 (割り勘) sheet splits shared work across a vendor's municipalities.\n"
	"Plan format: rehearsal/iko_schedule.h; docs/schedule.md.\n\n"
	"  --actuals FILE  replan after a slip or a failed gate: cutovers done keep\n"
	"                  their date, a slipped or failed one moves (not before\n"
	"                  as_of + 7 days or its not_before), nothing new before as_of\n\n"
	"Exit status: 0 every municipality placed, 3 infeasible, 1 error,\n"
	"2 usage error.\n";

int cmd_schedule(int argc, char **argv, const iko_cli *cli)
{
	const char *out = NULL, *actuals = NULL, *pos[1] = { NULL };
	const iko_opt opts[] = { { "out", IKO_OPT_STR, &out }, { "actuals", IKO_OPT_STR, &actuals },
				 { NULL, IKO_OPT_FLAG, NULL } };
	iko_schedule s;
	iko_sched_muni **o;
	size_t i;
	int npos = 0, rc;

	if ((rc = iko_cli_parse(cli, argc, argv, opts, pos, 1, &npos)))
		return rc;
	if (npos != 1)
		return iko_cli_usage(cli, "missing PLAN.yaml");
	if (!out)
		return iko_cli_usage(cli, "missing --out DIR");
	if ((rc = iko_schedule_load(&s, pos[0])) || (actuals && (rc = iko_schedule_actuals(&s, actuals))) ||
	    (rc = iko_schedule_plan(&s)) ||
	    (rc = iko_schedule_write(&s, out))) {
		iko_cli_error("schedule");
		iko_schedule_free(&s);
		return iko_cli_exit_for(rc);
	}
	printf("schedule %s: %s\n", s.plan, s.feasible ? "feasible" : "INFEASIBLE");
	/* in cutover order, then the municipalities that could not be placed */
	if (!(o = iko_schedule_in_order(&s))) {
		iko_cli_error("schedule");
		iko_schedule_free(&s);
		return IKO_EXIT_ERROR;
	}
	for (i = 0; i < s.n; i++) {
		char d[11] = "-";
		if (o[i]->cutover >= 0) {
			int y, m, dd;
			iko_day_civil(o[i]->cutover, &y, &m, &dd);
			iko_date_format_iso(d, y, m, dd);
		}
		printf("  %2d %s %-10s %s  %s\n", o[i]->order, o[i]->lg_code, o[i]->name, d, o[i]->reason);
	}
	free(o);
	rc = s.feasible ? IKO_EXIT_OK : IKO_EXIT_CHECKS;
	iko_schedule_free(&s);
	return rc;
}
