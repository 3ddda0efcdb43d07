/*
 * cmd_runs.c — `iko runs list|show`: the rehearsal runs of a project.
 */
#include "cli.h"

#include "iko_buf.h"
#include "iko_error.h"
#include "iko_fs.h"
#include "iko_run.h"
#include "iko_yaml.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char cmd_runs_usage[] =
	"usage: iko runs list (--project PROJECT.yaml | --runs DIR) [--lg-code CODE]\n"
	"       iko runs show RUN\n\n"
	"  list  every rehearsal run (runs/<lg_code>/<run-id>), oldest first: business,\n"
	"        status, when it finished, measures PASS/WARN/FAIL, records rejected,\n"
	"        minutes\n"
	"  show  one run's manifest: inputs and their SHA-256, versions, counts and\n"
	"        timings per stage, reconciliation\n\n"
	"Exit status: 0 ok, 1 error, 2 usage error.\n";

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names in dir (no dot files). */
static char **names(const char *dir, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **v = NULL, **a;

	*n = 0;
	if (!d)
		return NULL;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (!(a = realloc(v, (*n + 1) * sizeof(*v))))
			break;
		v = a;
		v[(*n)++] = iko_strdup(e->d_name);
	}
	closedir(d);
	if (v)
		qsort(v, *n, sizeof(*v), cmp_str);
	return v;
}

static void free_names(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void list_one(const char *run)
{
	char *mp = iko_path_join(run, "manifest.json");
	iko_yaml_doc *m = NULL;
	const iko_yaml_node *r, *rec, *tim;

	if (!mp || iko_yaml_load_file(&m, mp)) {
		free(mp);
		return;
	}
	r = iko_yaml_root(m);
	rec = iko_yaml_get(r, "reconcile");
	tim = iko_yaml_get(r, "timings");
	printf("%-8s %-6s %-16s %-10s %-20s %5s/%s/%-5s %8s %7.1f\n", iko_yaml_str(r, "lg_code", "?"),
	       iko_yaml_str(r, "run_id", "?"), iko_yaml_str(r, "business", "jumin"),
	       iko_yaml_str(r, "status", "?"), iko_yaml_str(r, "finished", ""),
	       iko_yaml_str(rec, "measures_pass", "-"), iko_yaml_str(rec, "measures_warn", "-"),
	       iko_yaml_str(rec, "measures_fail", "-"), iko_yaml_str(rec, "rejected", "-"),
	       strtod(iko_yaml_str(tim, "total", "0"), NULL) / 60.0);
	iko_yaml_free(m);
	free(mp);
}

static int do_list(const char *runs, const char *lg)
{
	char **lgs, **ids;
	size_t nl, ni, i, k;

	if (!iko_is_dir(runs)) {
		iko_error_set(IKO_ENOTFOUND, "no runs directory %s", runs);
		iko_cli_error("runs");
		return IKO_EXIT_ERROR;
	}
	printf("%-8s %-6s %-16s %-10s %-20s %13s %8s %7s\n", "lg_code", "run", "business", "status",
	       "finished", "PASS/WARN/FAIL", "rejected", "minutes");
	lgs = names(runs, &nl);
	for (i = 0; i < nl; i++) {
		char *d;
		if (lg && strcmp(lg, lgs[i]))
			continue;
		d = iko_path_join(runs, lgs[i]);
		ids = d ? names(d, &ni) : NULL;
		for (k = 0; ids && k < ni; k++) {
			char *run = iko_path_join(d, ids[k]);
			if (run && ids[k][0] == 'R' && iko_is_dir(run))
				list_one(run);
			free(run);
		}
		free_names(ids, ids ? ni : 0);
		free(d);
	}
	free_names(lgs, nl);
	return IKO_EXIT_OK;
}

static int do_show(const char *run)
{
	char *mp = iko_path_join(run, "manifest.json");
	iko_yaml_doc *m = NULL;
	const iko_yaml_node *r, *n;
	size_t i;

	if (!mp || iko_yaml_load_file(&m, mp)) {
		iko_cli_error("runs show");
		free(mp);
		return IKO_EXIT_ERROR;
	}
	r = iko_yaml_root(m);
	printf("run %s of %s %s (%s): %s, finished %s\n", iko_yaml_str(r, "run_id", "?"),
	       iko_yaml_str(r, "lg_code", "?"), iko_yaml_str(r, "municipality", ""),
	       iko_yaml_str(r, "business", "jumin"), iko_yaml_str(r, "status", "?"),
	       iko_yaml_str(r, "finished", ""));
	n = iko_yaml_get(r, "versions");
	printf("  versions: iko %s, schema %s %s, pack %s %s\n", iko_yaml_str(n, "iko", "?"),
	       iko_yaml_str(n, "schema", "?"), iko_yaml_str(n, "schema_version", "?"),
	       iko_yaml_str(n, "pack", "?"), iko_yaml_str(n, "pack_version", "?"));
	n = iko_yaml_get(r, "inputs");
	for (i = 0; i < iko_yaml_count(n); i++)
		printf("  input %-14s %12s bytes  sha256 %s\n", iko_yaml_str(iko_yaml_at(n, i), "file", "?"),
		       iko_yaml_str(iko_yaml_at(n, i), "bytes", "?"), iko_yaml_str(iko_yaml_at(n, i), "sha256", "?"));
	n = iko_yaml_get(r, "counts");
	for (i = 0; i < iko_yaml_count(n); i++) {
		const iko_yaml_node *c = iko_yaml_at(n, i);
		printf("  %-10s %-14s in %8s out %8s rejected %6s\n", iko_yaml_str(c, "stage", "?"),
		       iko_yaml_str(c, "object", "?"), iko_yaml_str(c, "in", "?"), iko_yaml_str(c, "out", "?"),
		       iko_yaml_str(c, "rejected", "?"));
	}
	n = iko_yaml_get(r, "reconcile");
	printf("  measures: %s PASS, %s WARN, %s FAIL; rejected %s; unmapped gaiji %s\n",
	       iko_yaml_str(n, "measures_pass", "-"), iko_yaml_str(n, "measures_warn", "-"),
	       iko_yaml_str(n, "measures_fail", "-"), iko_yaml_str(n, "rejected", "-"),
	       iko_yaml_str(n, "gaiji_unmapped", "-"));
	n = iko_yaml_get(r, "timings");
	printf("  seconds: total %s\n", iko_yaml_str(n, "total", "?"));
	iko_yaml_free(m);
	free(mp);
	return IKO_EXIT_OK;
}

int cmd_runs(int argc, char **argv, const iko_cli *cli)
{
	const char *project = NULL, *runs = NULL, *lg = NULL, *pos[2] = { NULL, NULL };
	const iko_opt opts[] = {
		{ "project", IKO_OPT_STR, &project }, { "runs", IKO_OPT_STR, &runs },
		{ "lg-code", IKO_OPT_STR, &lg }, { NULL, IKO_OPT_FLAG, NULL }
	};
	int npos = 0, rc;

	if ((rc = iko_cli_parse(cli, argc, argv, opts, pos, 2, &npos)))
		return rc;
	if (npos >= 1 && !strcmp(pos[0], "show")) {
		if (npos != 2)
			return iko_cli_usage(cli, "show: missing RUN");
		return do_show(pos[1]);
	}
	if (npos != 1 || strcmp(pos[0], "list"))
		return iko_cli_usage(cli, "expected an action: list or show");
	if (!!project == !!runs)
		return iko_cli_usage(cli, "list needs --project or --runs");
	if (project) {
		iko_project *p = NULL;
		if (iko_project_load(&p, project)) {
			iko_cli_error("runs");
			return IKO_EXIT_ERROR;
		}
		rc = do_list(p->runs, lg);
		iko_project_free(p);
		return rc;
	}
	return do_list(runs, lg);
}
