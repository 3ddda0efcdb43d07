/*
 * cli_summary.c — the rehearsal summary printed by `iko rehearse` and
 * `iko demo`: counts per stage (in = out + rejected), timings,
 * reconciliation outcome and where the reports are. No personal data.
 */
#include "cli.h"

#include "iko_rehearse.h"

#include <stdio.h>
#include <string.h>

void iko_cli_print_rehearsal(const iko_rehearse_result *r, const iko_project_muni *m)
{
	size_t i;

	printf("rehearsal %s of %s %s%s%s%s: %s\n", r->run_id ? r->run_id : "-", m->lg_code, m->name,
	       strcmp(m->business, "jumin") ? " (" : "", strcmp(m->business, "jumin") ? m->business : "",
	       strcmp(m->business, "jumin") ? ")" : "",
	       r->failed_stage ? "FAILED" : r->stopped_after ? "partial" : "completed");
	if (r->failed_stage)
		printf("  failed in stage: %s\n", r->failed_stage);
	if (r->reused_from[0])
		printf("  reused from %s: the stages before the first one run here\n", r->reused_from);
	if (r->stopped_after)
		printf("  stopped after %s (--to): partial run\n", r->stopped_after);
	printf("  %-10s %-12s %10s %10s %10s %9s  %s\n", "stage", "object", "in", "out",
	       "rejected", "warnings", "balance");
	for (i = 0; i < r->ncounts; i++) {
		const iko_stage_count *c = &r->counts[i];
		printf("  %-10s %-12s %10lld %10lld %10lld %9lld  %s\n", c->stage, c->object, c->in,
		       c->out, c->rejected, c->warnings, c->balanced ? "ok" : "UNBALANCED");
	}
	printf("  timings:");
	for (i = 0; i < r->ntimes; i++)
		printf(" %s %.2fs", r->times[i].stage, r->times[i].seconds);
	printf(" (total %.2fs)\n", r->seconds);
	printf("  measures: %lld PASS, %lld WARN, %lld FAIL\n", r->measures_pass,
	       r->measures_warn, r->measures_fail);
	printf("  records: %lld loaded, %lld only in source, %lld only in target, %lld mismatched\n",
	       r->loaded_rows, r->records_only_source, r->records_only_target, r->records_mismatch);
	printf("  rejected: %lld, warnings: %lld, unmapped gaiji: %lld\n", r->rejected_total,
	       r->warnings_total, r->gaiji_unmapped);
	if (r->lessons[0])
		printf("  lessons inherited: %s\n", r->lessons);
	printf("  run:      %s\n", r->run_dir ? r->run_dir : "-");
	printf("  manifest: %s\n", r->manifest ? r->manifest : "-");
	if (r->xlsx)
		printf("  workbook: %s\n", r->xlsx);
	if (r->legacy_note)
		printf("  note:     %s\n", r->legacy_note);
}
