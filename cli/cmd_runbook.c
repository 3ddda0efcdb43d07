/*
 * cmd_runbook.c — `iko runbook render --plan PLAN.yaml --lg-code CODE`:
 * the runbooks/ templates filled in for one municipality (docs/runbooks.md).
 */
#include "cli.h"

#include "iko_buf.h"
#include "iko_checkdigit.h"
#include "iko_error.h"
#include "iko_fs.h"
#include "iko_lesson.h"
#include "iko_pack.h"
#include "iko_run.h"
#include "iko_runbook.h"
#include "iko_schedule.h"
#include "iko_schema.h"
#include "iko_yaml.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char cmd_runbook_usage[] =
	"usage: iko runbook render --plan PLAN.yaml --lg-code CODE [--kind KIND]\n"
	"                          [--out DIR] [--templates DIR]\n\n"
	"Fill in the runbook templates (runbooks/KIND.md) for one municipality of a\n"
	"cutover plan: its dates from the plan's schedule (T = its cutover day,\n"
	"R = its final rehearsal), the exact commands for its project, its\n"
	"contacts and the lessons it inherits.\n\n"
	"  --plan FILE       the cutover plan (iko schedule); its keys project:,\n"
	"                    contacts: and lessons: (plan-wide or per municipality)\n"
	"                    feed the runbook\n"
	"  --lg-code CODE    the municipality (団体コード)\n"
	"  --kind KIND       cutover (default), rollback or rehearsal\n"
	"  --out DIR         write DIR/CODE-cutover.md, CODE-rollback.md and\n"
	"                    CODE-rehearsal.md (or only --kind) instead of printing\n"
	"  --templates DIR   templates (default: the bundled runbooks/)\n\n"
	"Exit status: 0 ok, 1 error (the municipality has no cutover date, a bad\n"
	"template), 2 usage error.\n";

static const char *const kinds[] = { "cutover", "rollback", "rehearsal" };

/* Markdown table cell: | and newlines would break the row. */
static void cell(iko_buf *b, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '|')
			iko_buf_puts(b, "\\|");
		else if (*s == '\n' || *s == '\r')
			iko_buf_putc(b, ' ');
		else
			iko_buf_putc(b, *s);
	}
}

static void contact_rows(iko_buf *b, const iko_yaml_node *list, int *n)
{
	size_t i;

	for (i = 0; i < iko_yaml_count(list); i++) {
		const iko_yaml_node *c = iko_yaml_at(list, i);
		if (!*n)
			iko_buf_puts(b, "| 役割 | 氏名 | 連絡先 |\n|---|---|---|\n");
		iko_buf_puts(b, "| ");
		cell(b, iko_yaml_str(c, "role", "-"));
		iko_buf_puts(b, " | ");
		cell(b, iko_yaml_str(c, "name", "-"));
		iko_buf_puts(b, " | ");
		cell(b, iko_yaml_str(c, "tel", iko_yaml_str(c, "contact", "-")));
		iko_buf_puts(b, " |\n");
		(*n)++;
	}
}

static int lesson_rows(iko_buf *b, const char *path, const char *vendor, const char *business, const char *lg_code)
{
	iko_lessons ls;
	size_t i;
	int n = 0, rc;

	if ((rc = iko_lessons_load(&ls, path)))
		return rc;
	for (i = 0; i < ls.n; i++) {
		const iko_lesson *l = &ls.l[i];
		if (!iko_lesson_applies(l, vendor, business) || !strcmp(l->found_lg_code ? l->found_lg_code : "", lg_code))
			continue;
		if (!n++)
			iko_buf_puts(b, "| ID | 発見 | 症状 | 対策 |\n|---|---|---|---|\n");
		iko_buf_printf(b, "| %s | ", l->id ? l->id : "-");
		cell(b, l->found_lg_code);
		iko_buf_putc(b, '/');
		cell(b, l->found_run);
		iko_buf_puts(b, " | ");
		cell(b, l->symptom);
		iko_buf_printf(b, " | %s ", !strcmp(l->fix_kind ? l->fix_kind : "", "pack-version") ? "pack ≥"
					   : !strcmp(l->fix_kind ? l->fix_kind : "", "rule") ? "rule" : "runbook:");
		cell(b, l->fix);
		iko_buf_puts(b, " |\n");
	}
	if (!n)
		iko_buf_puts(b, "None recorded for this vendor and business.\n");
	iko_lessons_free(&ls);
	return b->ptr ? 0 : IKO_ENOMEM;
}

int cmd_runbook(int argc, char **argv, const iko_cli *cli)
{
	const char *plan = NULL, *lg = NULL, *kind = NULL, *out = NULL, *tdir = NULL, *pos[1] = { NULL };
	const iko_opt opts[] = { { "plan", IKO_OPT_STR, &plan }, { "lg-code", IKO_OPT_STR, &lg },
				 { "kind", IKO_OPT_STR, &kind }, { "out", IKO_OPT_STR, &out },
				 { "templates", IKO_OPT_STR, &tdir }, { NULL, IKO_OPT_FLAG, NULL } };
	iko_schedule s;
	iko_yaml_doc *doc = NULL;
	iko_project *proj = NULL;
	iko_pack *pack = NULL;
	const iko_sched_muni *m = NULL;
	const iko_yaml_node *pm = NULL, *ms;
	iko_buf contacts = IKO_BUF_INIT, lessons = IKO_BUF_INIT, text = IKO_BUF_INIT;
	char *templates = NULL, *project = NULL, *tpath = NULL, *opath = NULL, *body = NULL, res[32];
	const char *keys[12], *vals[12], *proj_rel;
	const char *runs = "runs", *db_dir = ".iko/pg", *pack_dir = "PACK", *pack_version = "X.Y.Z";
	iko_runbook_vars v;
	size_t i, k, len;
	int npos = 0, rc, status = IKO_EXIT_ERROR, ncontacts = 0;

	if ((rc = iko_cli_parse(cli, argc, argv, opts, pos, 1, &npos)))
		return rc;
	if (npos != 1 || strcmp(pos[0], "render"))
		return iko_cli_usage(cli, "expected the action render");
	if (!plan || !lg)
		return iko_cli_usage(cli, "render needs --plan and --lg-code");
	if (!iko_lg_code_valid(lg, strlen(lg)))
		return iko_cli_usage(cli, "--lg-code %s: not a 6-digit 団体コード with a valid check digit", lg);
	for (k = 0; kind && k < 3 && strcmp(kinds[k], kind); k++)
		;
	if (kind && k == 3)
		return iko_cli_usage(cli, "--kind %s: cutover, rollback or rehearsal", kind);
	/* s is zeroed by the load, also when it fails: freeing it is safe */
	if (iko_schedule_load(&s, plan) || iko_schedule_plan(&s))
		goto fail;
	for (i = 0; i < s.n; i++)
		if (!strcmp(s.m[i].lg_code, lg))
			m = &s.m[i];
	if (!m) {
		iko_error_set(IKO_EINVAL, "%s is not in the plan %s", lg, plan);
		goto fail;
	}
	if (m->cutover < 0) {
		iko_error_set(IKO_EINVAL, "%s %s has no cutover date in the plan: %s", m->lg_code, m->name, m->reason);
		goto fail;
	}
	/* the plan's runbook keys: project, contacts (plan-wide and the municipality's) */
	if (iko_yaml_load_file(&doc, plan))
		goto fail;
	ms = iko_yaml_get(iko_yaml_root(doc), "municipalities");
	for (i = 0; i < iko_yaml_count(ms); i++)
		if (!strcmp(iko_yaml_str(iko_yaml_at(ms, i), "lg_code", ""), lg))
			pm = iko_yaml_at(ms, i);
	contact_rows(&contacts, iko_yaml_get(iko_yaml_root(doc), "contacts"), &ncontacts);
	contact_rows(&contacts, iko_yaml_get(pm, "contacts"), &ncontacts);
	if (!ncontacts)
		iko_buf_puts(&contacts, "None given: add `contacts:` (role, name, tel) to the plan.\n");
	proj_rel = iko_yaml_str(pm, "project", iko_yaml_str(iko_yaml_root(doc), "project", NULL));
	if (proj_rel) {
		const iko_project_muni *pj;
		if (!(project = iko_path_beside(plan, proj_rel)) || iko_project_load(&proj, project))
			goto fail;
		if (!(pj = iko_project_find(proj, lg))) {
			iko_error_set(IKO_EINVAL, "%s is not in the project %s", lg, project);
			goto fail;
		}
		runs = proj->runs;
		db_dir = proj->db_dir ? proj->db_dir : db_dir;
		pack_dir = pj->pack;
		if (iko_pack_load(&pack, pj->pack, lg))
			goto fail;
		pack_version = iko_pack_version(pack);
	} else if (!(project = iko_strdup("PROJECT.yaml")))
		goto fail;
	if (s.lessons_path) {
		if (lesson_rows(&lessons, s.lessons_path, m->vendor, s.business, lg))
			goto fail;
	} else
		iko_buf_puts(&lessons, "No lessons file in the plan (`lessons:`).\n");
	snprintf(res, sizeof(res), "%lld", m->residents);
	keys[0] = "lg_code", vals[0] = m->lg_code;
	keys[1] = "name", vals[1] = m->name;
	keys[2] = "vendor", vals[2] = m->vendor;
	keys[3] = "business", vals[3] = s.business;
	keys[4] = "plan", vals[4] = s.plan;
	keys[5] = "project", vals[5] = project;
	keys[6] = "runs", vals[6] = runs;
	keys[7] = "db_dir", vals[7] = db_dir;
	keys[8] = "pack", vals[8] = pack_dir;
	keys[9] = "pack_version", vals[9] = pack_version;
	keys[10] = "residents", vals[10] = res;
	v.cutover = m->cutover;
	v.rehearsal = m->cutover - s.rehearsal_days;
	v.n = 11;
	v.keys = keys;
	v.values = vals;
	v.contacts = contacts.ptr;
	v.lessons = lessons.ptr;
	templates = tdir ? iko_strdup(tdir) : iko_data_path("runbooks");
	if (!templates || !contacts.ptr || !lessons.ptr)
		goto fail;
	if (out && iko_mkdir_p(out, 0))
		goto fail;
	for (k = 0; k < 3; k++) {
		if (kind ? strcmp(kind, kinds[k]) : (!out && k))
			continue;
		free(tpath);
		free(body);
		body = NULL;
		iko_buf_clear(&text);
		if (!(tpath = iko_aprintf("%s/%s.md", templates, kinds[k])) || iko_read_small_file(&body, &len, tpath) ||
		    iko_runbook_render(&text, body, tpath, &v))
			goto fail;
		if (!out) {
			fwrite(text.ptr, 1, text.len, stdout);
			continue;
		}
		free(opath);
		if (!(opath = iko_aprintf("%s/%s-%s.md", out, lg, kinds[k]))) {
			iko_error_set(IKO_ENOMEM, "out of memory");
			goto fail;
		}
		if (iko_write_file(opath, text.ptr, text.len, 0644))
			goto fail;
		printf("%s\n", opath);
	}
	status = IKO_EXIT_OK;
	goto done;
fail:
	iko_cli_error("runbook render");
done:
	iko_schedule_free(&s);
	iko_yaml_free(doc);
	iko_project_free(proj);
	iko_pack_free(pack);
	iko_buf_release(&contacts);
	iko_buf_release(&lessons);
	iko_buf_release(&text);
	free(templates);
	free(project);
	free(tpath);
	free(opath);
	free(body);
	return status;
}
