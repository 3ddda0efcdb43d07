/*
 * iko_gate.c — go/no-go gates of a run (see iko_gate.h).
 */
#include "iko_gate.h"

#include "iko_buf.h"
#include "iko_error.h"
#include "iko_fs.h"
#include "iko_lesson.h"
#include "iko_review.h"
#include "iko_yaml.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static iko_gate_item *add(iko_gate_result *r, const char *name, const char *label, int pass)
{
	iko_gate_item *it = &r->items[r->n++];

	it->name = name;
	it->label = label;
	it->pass = pass;
	it->evidence[0] = '\0';
	if (!pass)
		r->pass = 0;
	return it;
}

/* gates.<name>: on unless false (absent gates: all on). */
static int enabled(const iko_yaml_node *gates, const char *name)
{
	const char *v = iko_yaml_str(gates, name, NULL);

	return !v || (strcmp(v, "false") && strcmp(v, "no") && strcmp(v, "off"));
}

static long long num(const iko_yaml_node *n, const char *key)
{
	const char *v = iko_yaml_str(n, key, "0");

	return strtoll(v, NULL, 10);
}

/* The pack's rule names include name? */
static int pack_has_rule(const iko_yaml_node *pack_root, const char *name)
{
	const iko_yaml_node *rules = iko_yaml_get(pack_root, "rules");
	size_t i;

	for (i = 0; i < iko_yaml_count(rules); i++)
		if (!strcmp(iko_yaml_str(iko_yaml_at(rules, i), "name", ""), name))
			return 1;
	return 0;
}

static void rollback(iko_gate_result *r, PGconn *conn, const char *lg, const char *schema)
{
	iko_gate_item *it;
	const char *p[2] = { lg, schema };
	PGresult *res;

	if (!conn) {
		it = add(r, "rollback_rehearsed", "切戻し（ロールバック）の実施", 0);
		snprintf(it->evidence, sizeof(it->evidence), "cannot check: no database connection");
		return;
	}
	res = PQexecParams(conn,
			   "SELECT count(DISTINCT loaded_at), max(loaded_at)::text FROM iko.load_history"
			   " WHERE lg_code = $1 AND schema_name = $2 AND kind = 'rollback'",
			   2, NULL, p, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		it = add(r, "rollback_rehearsed", "切戻し（ロールバック）の実施", 0);
		snprintf(it->evidence, sizeof(it->evidence), "cannot check: %s", PQresultErrorMessage(res));
	} else if (strtoll(PQgetvalue(res, 0, 0), NULL, 10) > 0) {
		it = add(r, "rollback_rehearsed", "切戻し（ロールバック）の実施", 1);
		snprintf(it->evidence, sizeof(it->evidence), "%s rollback(s) of %s recorded, last %s",
			 PQgetvalue(res, 0, 0), schema, PQgetvalue(res, 0, 1));
	} else {
		it = add(r, "rollback_rehearsed", "切戻し（ロールバック）の実施", 0);
		snprintf(it->evidence, sizeof(it->evidence),
			 "no rollback of %s recorded for %s (rehearse one: iko load --rollback)", schema, lg);
	}
	PQclear(res);
}

int iko_gate_run(iko_gate_result *out, const char *run_dir, const char *project, PGconn *conn)
{
	iko_yaml_doc *man = NULL, *proj = NULL, *pack = NULL;
	const iko_yaml_node *m, *rec, *gates = NULL, *ver, *tim;
	char *mpath = iko_path_join(run_dir, "manifest.json"), *ppath = NULL, *lpath = NULL, *rb = NULL;
	const char *lg, *schema, *pack_dir, *vendor = NULL, *business = NULL, *pver;
	iko_gate_item *it;
	iko_lessons ls;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&ls, 0, sizeof(ls));
	out->pass = 1;
	if (!mpath)
		return IKO_ENOMEM;
	if ((rc = iko_yaml_load_file(&man, mpath)))
		goto done;
	m = iko_yaml_root(man);
	lg = iko_yaml_str(m, "lg_code", "");
	snprintf(out->lg_code, sizeof(out->lg_code), "%s", lg);
	snprintf(out->run_id, sizeof(out->run_id), "%s", iko_yaml_str(m, "run_id", ""));
	ver = iko_yaml_get(m, "versions");
	schema = iko_yaml_str(ver, "schema", "jumin");
	pver = iko_yaml_str(ver, "pack_version", "");
	pack_dir = iko_yaml_str(m, "pack_dir", NULL);
	rec = iko_yaml_get(m, "reconcile");
	tim = iko_yaml_get(m, "timings");
	if (!project)
		project = iko_yaml_str(m, "project", NULL);
	if (project && iko_path_exists(project)) {
		if ((rc = iko_yaml_load_file(&proj, project)))
			goto done;
		gates = iko_yaml_get(iko_yaml_root(proj), "gates");
		ppath = iko_strdup(project);
	}
	if (pack_dir) {
		char *pp = iko_path_join(pack_dir, "pack.yaml");
		if (pp && iko_path_exists(pp) && iko_yaml_load_file(&pack, pp) == 0) {
			vendor = iko_yaml_str(iko_yaml_root(pack), "vendor", NULL);
			business = iko_yaml_str(iko_yaml_root(pack), "business", NULL);
		}
		free(pp);
	}
	if (strcmp(iko_yaml_str(m, "status", ""), "completed")) {
		it = add(out, "completed", "リハーサルの完了", 0);
		snprintf(it->evidence, sizeof(it->evidence), "the run did not complete (status %s)",
			 iko_yaml_str(m, "status", "?"));
	}
	if (enabled(gates, "counts_reconciled")) {
		long long fail = num(rec, "measures_fail"), pass = num(rec, "measures_pass");
		int balanced = !strcmp(iko_yaml_str(m, "balanced", "false"), "true");
		it = add(out, "counts_reconciled", "件数・金額の照合", fail == 0 && balanced && pass > 0);
		snprintf(it->evidence, sizeof(it->evidence), "%lld PASS, %lld WARN, %lld FAIL; stages %s", pass,
			 num(rec, "measures_warn"), fail, balanced ? "balance" : "do not balance");
	}
	if (enabled(gates, "zero_fatal_rejects")) {
		long long n = num(rec, "rejected");
		it = add(out, "zero_fatal_rejects", "除外レコードなし", n == 0);
		snprintf(it->evidence, sizeof(it->evidence), "%lld records rejected", n);
	}
	if (enabled(gates, "no_unmapped_gaiji")) {
		long long n = num(rec, "gaiji_unmapped");
		it = add(out, "no_unmapped_gaiji", "未登録外字なし", n == 0);
		snprintf(it->evidence, sizeof(it->evidence), "%lld characters shown as 〓", n);
	}
	if (enabled(gates, "all_reviewed")) {
		iko_review_status st;
		if (iko_review_status_run(&st, run_dir) == 0) {
			it = add(out, "all_reviewed", "差異の確認完了", st.reviewed == st.total);
			snprintf(it->evidence, sizeof(it->evidence), "%lld of %lld discrepancies reviewed",
				 st.reviewed, st.total);
			iko_review_status_release(&st);
		} else {
			it = add(out, "all_reviewed", "差異の確認完了", 0);
			snprintf(it->evidence, sizeof(it->evidence), "cannot check: %s", iko_error_message());
		}
	}
	if (iko_yaml_get(gates, "max_run_minutes")) {
		double total = strtod(iko_yaml_str(tim, "total", "0"), NULL);
		long long max = num(gates, "max_run_minutes");
		it = add(out, "run_time", "移行時間内に完了", total <= (double)max * 60.0);
		snprintf(it->evidence, sizeof(it->evidence), "the rehearsal took %.1f minutes (window %lld)",
			 total / 60.0, max);
	}
	if (enabled(gates, "rollback_rehearsed"))
		rollback(out, conn, lg, schema);
	if (enabled(gates, "lessons_applied")) {
		size_t k, nap = 0;
		iko_buf miss = IKO_BUF_INIT;
		if (ppath && (lpath = iko_lesson_path(ppath)) && (rc = iko_lessons_load(&ls, lpath)))
			goto done;
		if (ppath) {
			char *dir = iko_strdup(ppath), *sl = dir ? strrchr(dir, '/') : NULL;
			if (sl)
				*sl = '\0';
			rb = dir ? iko_path_join(sl ? dir : ".", "runbooks") : NULL;
			free(dir);
		}
		for (k = 0; k < ls.n; k++) {
			const iko_lesson *l = &ls.l[k];
			if (!iko_lesson_applies(l, vendor, business))
				continue;
			nap++;
			if (!iko_lesson_fixed(l, pver, pack && pack_has_rule(iko_yaml_root(pack), l->fix), rb))
				iko_buf_printf(&miss, "%s%s (%s %s)", miss.len ? ", " : "", l->id, l->fix_kind, l->fix);
		}
		it = add(out, "lessons_applied", "教訓の反映", miss.len == 0);
		if (miss.len)
			snprintf(it->evidence, sizeof(it->evidence), "fix missing for %s; pack %s", miss.ptr, pver);
		else
			snprintf(it->evidence, sizeof(it->evidence), "%zu lessons inherited for %s/%s, every fix present",
				 nap, vendor ? vendor : "?", business ? business : "?");
		iko_buf_release(&miss);
	}
	rc = 0;
done:
	iko_lessons_free(&ls);
	iko_yaml_free(man);
	iko_yaml_free(proj);
	iko_yaml_free(pack);
	free(mpath);
	free(ppath);
	free(lpath);
	free(rb);
	return rc;
}
