/*
 * iko_lesson.c — lessons carried forward (see iko_lesson.h).
 */
#include "iko_lesson.h"

#include "iko_buf.h"
#include "iko_csv.h"
#include "iko_error.h"
#include "iko_fs.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NF 9

static const char *const header[NF] = {
	"id", "recorded", "vendor", "business", "found_lg_code", "found_run", "symptom", "fix_kind", "fix",
};

char *iko_lesson_path(const char *project_path)
{
	return iko_path_beside(project_path, "lessons.csv");
}

static void set_field(iko_lesson *l, int i, char *v)
{
	char **slot[NF] = { &l->id, &l->recorded, &l->vendor, &l->business, &l->found_lg_code,
			    &l->found_run, &l->symptom, &l->fix_kind, &l->fix };

	free(*slot[i]);
	*slot[i] = v;
}

static const char *get_field(const iko_lesson *l, int i)
{
	const char *const v[NF] = { l->id, l->recorded, l->vendor, l->business, l->found_lg_code,
				    l->found_run, l->symptom, l->fix_kind, l->fix };

	return v[i] ? v[i] : "";
}

int iko_lessons_load(iko_lessons *out, const char *path)
{
	iko_csv_reader *r = NULL;
	iko_csv_row row;
	int rc, i;

	memset(out, 0, sizeof(*out));
	if (!iko_path_exists(path))
		return 0;
	if ((rc = iko_csv_reader_open(&r, path)))
		return rc;
	while ((rc = iko_csv_next(r, &row)) == 1) {
		iko_lesson *a, *l;
		if (row.record == 1)
			continue;
		if (row.nfields != NF) {
			rc = iko_error_set(IKO_EPARSE, "%s: record %lld: %zu fields, expected %d", path,
					   row.record, row.nfields, NF);
			break;
		}
		a = realloc(out->l, (out->n + 1) * sizeof(*a));
		if (!a) {
			rc = IKO_ENOMEM;
			break;
		}
		out->l = a;
		l = &a[out->n++];
		memset(l, 0, sizeof(*l));
		for (i = 0; i < NF; i++)
			set_field(l, i, iko_strdup(row.fields[i]));
	}
	iko_csv_reader_free(r);
	if (rc < 0) {
		iko_lessons_free(out);
		return rc;
	}
	return 0;
}

void iko_lessons_free(iko_lessons *ls)
{
	size_t k;
	int i;

	for (k = 0; ls && k < ls->n; k++)
		for (i = 0; i < NF; i++)
			set_field(&ls->l[k], i, NULL);
	if (ls) {
		free(ls->l);
		memset(ls, 0, sizeof(*ls));
	}
}

int iko_lesson_add(const char *path, iko_lesson *l)
{
	iko_lessons ls;
	iko_csv_writer *w = NULL;
	char id[16], now[21];
	size_t k;
	int rc, i;

	if (!l->vendor || !*l->vendor || !l->business || !*l->business || !l->symptom || !*l->symptom ||
	    !l->fix_kind || !l->fix || !*l->fix)
		return iko_error_set(IKO_EINVAL, "a lesson needs vendor, business, symptom and a fix");
	if (strcmp(l->fix_kind, "pack-version") && strcmp(l->fix_kind, "rule") && strcmp(l->fix_kind, "runbook"))
		return iko_error_set(IKO_EINVAL, "fix kind %s: must be pack-version, rule or runbook", l->fix_kind);
	if ((rc = iko_lessons_load(&ls, path)))
		return rc;
	snprintf(id, sizeof(id), "L%03zu", ls.n + 1);
	iko_now_iso(now);
	set_field(l, 0, iko_strdup(id));
	set_field(l, 1, iko_strdup(now));
	if ((rc = iko_csv_writer_open(&w, path, 0644)) || (rc = iko_csv_write_row(w, header, NF)))
		goto done;
	for (k = 0; k <= ls.n && !rc; k++) {
		const iko_lesson *x = k < ls.n ? &ls.l[k] : l;
		for (i = 0; i < NF && !rc; i++)
			rc = iko_csv_write_str(w, get_field(x, i));
		if (!rc)
			rc = iko_csv_end_row(w);
	}
	if (!rc)
		rc = iko_csv_writer_commit(w);
done:
	iko_csv_writer_free(w);
	iko_lessons_free(&ls);
	return rc;
}

int iko_lesson_applies(const iko_lesson *l, const char *vendor, const char *business)
{
	return vendor && business && !strcmp(l->vendor, vendor) && !strcmp(l->business, business);
}

int iko_version_cmp(const char *a, const char *b)
{
	while (*a || *b) {
		long x = strtol(a, (char **)&a, 10), y = strtol(b, (char **)&b, 10);
		if (x != y)
			return x < y ? -1 : 1;
		if (*a == '.')
			a++;
		if (*b == '.')
			b++;
		if ((*a && (*a < '0' || *a > '9')) || (*b && (*b < '0' || *b > '9')))
			return strcmp(a, b);
	}
	return 0;
}

/* Does text appear in any Markdown file of the runbooks directory? */
static int in_runbooks(const char *dir, const char *text)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int found = 0;

	if (!d)
		return 0;
	while (!found && (e = readdir(d)) != NULL) {
		size_t n = strlen(e->d_name);
		char *p, *body = NULL;
		size_t len;
		if (n < 4 || strcmp(e->d_name + n - 3, ".md"))
			continue;
		p = iko_path_join(dir, e->d_name);
		if (p && iko_read_small_file(&body, &len, p) == 0 && strstr(body, text))
			found = 1;
		free(body);
		free(p);
	}
	closedir(d);
	return found;
}

int iko_lesson_fixed(const iko_lesson *l, const char *pack_version, int rule_present,
		     const char *runbooks_dir)
{
	if (!strcmp(l->fix_kind, "pack-version"))
		return pack_version && iko_version_cmp(pack_version, l->fix) >= 0;
	if (!strcmp(l->fix_kind, "rule"))
		return rule_present;
	return runbooks_dir && in_runbooks(runbooks_dir, l->fix);
}
