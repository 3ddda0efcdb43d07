/*
 * iko_runbook.h — runbooks (runbooks/NAME.md) rendered for one municipality:
 * its dates from the cutover plan, the exact commands, its contacts and the
 * lessons it inherits (docs/runbooks.md).
 *
 * Template placeholders, `{{…}}`:
 *   {{T}}, {{T-14}}, {{T+7}}   the cutover day (切替日) offset by days, shown
 *                              "2012-02-03（金）"; an offset landing on a
 *                              weekend moves to the working day before
 *                              (negative offsets) or after (positive)
 *   {{R}}, {{R-3}}             the final rehearsal day (T - rehearsal_days_before)
 *   {{NAME}}                   a variable: lg_code, name, vendor, business,
 *                              plan, project, pack, runs, db_dir, …
 *   {{contacts}}, {{lessons}}  Markdown tables of the contacts and of the
 *                              inherited lessons
 * `{{{{` writes a literal `{{`. An unknown name, an unterminated `{{` or a
 * bad offset is an error naming the template and line.
 */
#ifndef IKO_RUNBOOK_H
#define IKO_RUNBOOK_H

#include "iko_buf.h"

#include <stddef.h>

typedef struct iko_runbook_vars {
	long cutover, rehearsal;      /* day numbers (iko_day_of) */
	size_t n;
	const char *const *keys;      /* variables (values as written) */
	const char *const *values;
	const char *contacts;         /* Markdown, may be NULL ("-") */
	const char *lessons;          /* Markdown, may be NULL ("-") */
} iko_runbook_vars;

/* Render text (the template called name, for errors) into out. */
int iko_runbook_render(iko_buf *out, const char *text, const char *name, const iko_runbook_vars *v);

/* "2012-02-03（金）" */
void iko_runbook_day(char out[32], long day);

#endif
