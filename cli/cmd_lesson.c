/*
 * cmd_lesson.c — `iko lesson add|list`: lessons carried forward.
 */
#include "cli.h"

#include "iko_buf.h"
#include "iko_error.h"
#include "iko_lesson.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char cmd_lesson_usage[] =
	"usage: iko lesson add --project PROJECT.yaml --vendor V --business B\n"
	"                      --found-in LG_CODE/RUN --symptom TEXT\n"
	"                      (--fix-pack-version X.Y.Z | --fix-rule NAME | --fix-runbook TEXT)\n"
	"       iko lesson list --project PROJECT.yaml [--vendor V] [--business B]\n\n"
	"Record what a rehearsal taught so later municipalities of the same vendor\n"
	"and business inherit it (lessons.csv beside the project file). The fix is\n"
	"a pack version (a rehearsal with an older pack misses it), a pack rule\n"
	"that must be present, or a runbook step (text that must appear in the\n"
	"project's runbooks/). Every rehearsal lists the lessons it inherits, and\n"
	"the gate lessons_applied fails while a fix is missing.\n\n"
	"Exit status: 0 ok, 1 error, 2 usage error.\n";

static char *dup_or_null(const char *s)
{
	return s ? iko_strdup(s) : NULL;
}

int cmd_lesson(int argc, char **argv, const iko_cli *cli)
{
	const char *project = NULL, *vendor = NULL, *business = NULL, *found = NULL, *symptom = NULL;
	const char *fpv = NULL, *frule = NULL, *frb = NULL, *pos[1] = { NULL };
	const iko_opt opts[] = {
		{ "project", IKO_OPT_STR, &project }, { "vendor", IKO_OPT_STR, &vendor },
		{ "business", IKO_OPT_STR, &business }, { "found-in", IKO_OPT_STR, &found },
		{ "symptom", IKO_OPT_STR, &symptom }, { "fix-pack-version", IKO_OPT_STR, &fpv },
		{ "fix-rule", IKO_OPT_STR, &frule }, { "fix-runbook", IKO_OPT_STR, &frb },
		{ NULL, IKO_OPT_FLAG, NULL }
	};
	iko_lessons ls;
	char *path;
	size_t k;
	int npos = 0, rc;

	if ((rc = iko_cli_parse(cli, argc, argv, opts, pos, 1, &npos)))
		return rc;
	if (npos != 1 || (strcmp(pos[0], "add") && strcmp(pos[0], "list")))
		return iko_cli_usage(cli, "expected an action: add or list");
	if (!project)
		return iko_cli_usage(cli, "missing --project");
	if (!(path = iko_lesson_path(project)))
		return IKO_EXIT_ERROR;
	if (!strcmp(pos[0], "add")) {
		iko_lesson l;
		const char *slash = found ? strchr(found, '/') : NULL;
		int nfix = (fpv != NULL) + (frule != NULL) + (frb != NULL);
		if (!vendor || !business || !symptom || !found || !slash || nfix != 1) {
			free(path);
			return iko_cli_usage(cli, "add needs --vendor, --business, --found-in LG_CODE/RUN, "
						  "--symptom and exactly one --fix-…");
		}
		memset(&l, 0, sizeof(l));
		l.vendor = dup_or_null(vendor);
		l.business = dup_or_null(business);
		l.found_lg_code = iko_strndup(found, (size_t)(slash - found));
		l.found_run = dup_or_null(slash + 1);
		l.symptom = dup_or_null(symptom);
		l.fix_kind = dup_or_null(fpv ? "pack-version" : frule ? "rule" : "runbook");
		l.fix = dup_or_null(fpv ? fpv : frule ? frule : frb);
		rc = iko_lesson_add(path, &l);
		if (!rc)
			printf("lesson %s recorded in %s\n", l.id, path);
		ls.n = 1;
		ls.l = malloc(sizeof(*ls.l));
		if (ls.l)
			ls.l[0] = l;
		iko_lessons_free(&ls);
		free(path);
		if (rc) {
			iko_cli_error("lesson");
			return rc == IKO_EINVAL ? IKO_EXIT_USAGE : iko_cli_exit_for(rc);
		}
		return IKO_EXIT_OK;
	}
	rc = iko_lessons_load(&ls, path);
	free(path);
	if (rc) {
		iko_cli_error("lesson");
		return iko_cli_exit_for(rc);
	}
	for (k = 0; k < ls.n; k++) {
		const iko_lesson *l = &ls.l[k];
		if ((vendor && strcmp(vendor, l->vendor)) || (business && strcmp(business, l->business)))
			continue;
		printf("%s  %s/%s  found in %s %s: %s — fix: %s %s\n", l->id, l->vendor, l->business,
		       l->found_lg_code, l->found_run, l->symptom, l->fix_kind, l->fix);
	}
	iko_lessons_free(&ls);
	return IKO_EXIT_OK;
}
