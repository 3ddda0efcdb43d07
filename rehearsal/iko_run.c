/*
 * iko_run.c — project files and numbered run directories.
 */
#include "iko_run.h"

#include "iko_buf.h"
#include "iko_checkdigit.h"
#include "iko_error.h"
#include "iko_fs.h"
#include "iko_schema.h"
#include "iko_yaml.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static char *resolve(const char *base, const char *p)
{
	if (!p)
		return NULL;
	return p[0] == '/' ? iko_strdup(p) : iko_path_join(base, p);
}

static char *resolve_pack(const char *base, const char *p)
{
	char *a = resolve(base, p);

	if (a && !iko_is_dir(a) && p[0] != '/') {
		free(a);
		a = iko_data_path(p);
	}
	return a;
}

int iko_project_load(iko_project **out, const char *path)
{
	iko_yaml_doc *doc = NULL;
	const iko_yaml_node *root, *ms;
	iko_project *p;
	char *slash;
	size_t i;
	int rc;

	*out = NULL;
	if ((rc = iko_yaml_load_file(&doc, path)))
		return rc;
	root = iko_yaml_root(doc);
	p = calloc(1, sizeof(*p));
	if (!p) {
		rc = IKO_ENOMEM;
		goto done;
	}
	{
		/* absolute, so a run's manifest finds its project from anywhere */
		char *abs = realpath(path, NULL);
		p->path = iko_strdup(abs ? abs : path);
		free(abs);
	}
	p->dir = iko_strdup(p->path);
	if (!p->path || !p->dir) {
		rc = IKO_ENOMEM;
		goto done;
	}
	slash = strrchr(p->dir, '/');
	if (slash)
		*slash = '\0';
	else {
		free(p->dir);
		p->dir = iko_strdup(".");
	}
	p->name = iko_strdup(iko_yaml_str(root, "project", "iko project"));
	p->runs = resolve(p->dir, iko_yaml_str(root, "runs", "runs"));
	p->db = iko_yaml_str(root, "db", NULL) ? iko_strdup(iko_yaml_str(root, "db", NULL)) : NULL;
	p->db_dir = resolve(p->dir, iko_yaml_str(root, "db_dir", ".iko/pg"));
	ms = iko_yaml_get(root, "municipalities");
	if (!ms || ms->kind != IKO_YAML_SEQ || ms->n == 0) {
		rc = iko_error_set(IKO_EPARSE, "%s: needs a list of municipalities", path);
		goto done;
	}
	p->munis = calloc(ms->n, sizeof(*p->munis));
	if (!p->munis) {
		rc = IKO_ENOMEM;
		goto done;
	}
	for (i = 0; i < ms->n; i++) {
		const iko_yaml_node *m = iko_yaml_at(ms, i);
		const char *lg = iko_yaml_str(m, "lg_code", NULL);
		iko_project_muni *pm = &p->munis[i];
		p->n = i + 1;
		if (!lg || !iko_lg_code_valid(lg, strlen(lg))) {
			rc = iko_error_set(IKO_EPARSE, "%s:%d: lg_code must be a 6-digit 団体コード with a valid check digit",
					   path, m->line);
			goto done;
		}
		if (!iko_yaml_str(m, "pack", NULL) || !iko_yaml_str(m, "dump", NULL)) {
			rc = iko_error_set(IKO_EPARSE, "%s:%d: municipality %s needs pack: and dump:", path, m->line, lg);
			goto done;
		}
		pm->lg_code = iko_strdup(lg);
		pm->name = iko_strdup(iko_yaml_str(m, "name", lg));
		pm->pack = resolve_pack(p->dir, iko_yaml_str(m, "pack", NULL));
		pm->dump = resolve(p->dir, iko_yaml_str(m, "dump", NULL));
		if (pm->pack) {
			/* the business is the pack directory's name: packs/<vendor>/<business> */
			const char *pk = pm->pack, *end = pk + strlen(pk), *b;
			while (end > pk && end[-1] == '/')
				end--;
			for (b = end; b > pk && b[-1] != '/'; b--)
				;
			pm->business = iko_strndup(b, (size_t)(end - b));
		}
		if (!pm->lg_code || !pm->name || !pm->pack || !pm->dump || !pm->business) {
			rc = IKO_ENOMEM;
			goto done;
		}
	}
	if (!p->name || !p->runs || !p->db_dir)
		rc = IKO_ENOMEM;
done:
	if (rc == IKO_ENOMEM)
		iko_error_set(IKO_ENOMEM, "out of memory");
	iko_yaml_free(doc);
	if (rc) {
		iko_project_free(p);
		return rc;
	}
	*out = p;
	return 0;
}

void iko_project_free(iko_project *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->n; i++) {
		free(p->munis[i].lg_code);
		free(p->munis[i].name);
		free(p->munis[i].pack);
		free(p->munis[i].business);
		free(p->munis[i].dump);
	}
	free(p->munis);
	free(p->path);
	free(p->dir);
	free(p->name);
	free(p->runs);
	free(p->db);
	free(p->db_dir);
	free(p);
}

const iko_project_muni *iko_project_find(const iko_project *p, const char *lg_code)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (!strcmp(p->munis[i].lg_code, lg_code))
			return &p->munis[i];
	return NULL;
}

int iko_run_create(char **out_dir, char **out_id, const char *runs, const char *lg_code)
{
	char *base = iko_path_join(runs, lg_code), *dir = NULL, *id = NULL;
	DIR *d;
	struct dirent *e;
	int next = 1, rc, tries;

	*out_dir = *out_id = NULL;
	if (!base)
		return IKO_ENOMEM;
	if ((rc = iko_mkdir_p(base, 1))) {
		free(base);
		return rc;
	}
	d = opendir(base);
	while (d && (e = readdir(d)) != NULL) {
		int n;
		char *end;
		if (e->d_name[0] != 'R')
			continue;
		n = (int)strtol(e->d_name + 1, &end, 10);
		if (!*end && n >= next)
			next = n + 1;
	}
	if (d)
		closedir(d);
	for (tries = 0; tries < 1000; tries++, next++) {
		free(dir);
		free(id);
		id = iko_aprintf("R%03d", next);
		dir = id ? iko_path_join(base, id) : NULL;
		if (!dir) {
			rc = IKO_ENOMEM;
			break;
		}
		if (mkdir(dir, 0700) == 0) {
			*out_dir = dir;
			*out_id = id;
			free(base);
			return 0;
		}
		if (errno != EEXIST) {
			rc = iko_error_set_errno(IKO_EIO, "cannot create run directory %s", dir);
			break;
		}
	}
	if (!rc)
		rc = iko_error_set(IKO_EIO, "no free run number under %s", base);
	free(dir);
	free(id);
	free(base);
	return rc;
}
