/*
 * cmd_demo_wave.c — `iko demo --wave`: measured proof that later
 * municipalities inherit what the pilot taught (issue 7, seed 003: 錦町 went
 * first, its problems were fixed, the next three followed smoothly).
 *
 * Four vendor-A municipalities are generated; their dumps share the
 * vendor's quirks (code values the vendor's system uses in every town:
 * 続柄 09, 異動事由 B4 and C3) plus each town's own data defects (--inject).
 * The vendor pack starts as a draft (0.9.0) written from the vendor's
 * documentation, which left those codes out. The wave:
 *
 *   1. rehearses the pilot with the draft and counts the defects found;
 *   2. finds the pack fix: coverage of the pilot's dump with the draft and
 *      with the vendor's full pack (1.0.0) — values only the draft leaves
 *      unmapped are vendor quirks (the pack fix); values neither maps are the
 *      town's own data defects (left for its review);
 *   3. records one lesson per quirk (fix: pack 1.0.0) and moves the pack to
 *      1.0.0; reruns the pilot;
 *   4. rehearses the other three with pack 1.0.0 — each inherits the
 *      lessons — and counts their defects, and what coverage with the draft
 *      says they would have hit without the lessons.
 *
 * Defects = records rejected at any stage + characters shown as 〓; every
 * figure comes from the rehearsals' own counts.
 */
#include "cli.h"

#include "iko_buf.h"
#include "iko_coverage.h"
#include "iko_error.h"
#include "iko_fs.h"
#include "iko_gate.h"
#include "iko_lesson.h"
#include "iko_rehearse.h"
#include "iko_run.h"
#include "iko_sample.h"
#include "iko_schema.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define WAVE_N 4
#define DRAFT_VERSION "0.9.0"

/* The 2012 seed's four towns (their real populations set the sizes). */
static const struct {
	const char *lg_code, *name;
	long long residents;
} towns[WAVE_N] = {
	{ "435015", "錦町（見本）", 11407 },
	{ "453617", "高原町（見本）", 9847 },
	{ "454061", "都農町（見本）", 11130 },
	{ "454052", "川南町（見本）", 16905 },
};

/* What the draft leaves out of the vendor's full pack (exact text of
 * packs/vendor-a/jumin/pack.yaml; the wave refuses to run if it changed). */
static const struct {
	const char *from, *to;
} draft_edits[] = {
	{ "version: 1.0.0\n", "version: " DRAFT_VERSION "\n" },
	{ ", \"06\": \"52\", \"09\": \"99\"}", ", \"06\": \"52\"}" },
	{ "B3: \"23\", B4: \"24\",", "B3: \"23\"," },
	{ "C2: \"42\", C3: \"43\"}", "C2: \"42\"}" },
};

typedef struct wave_row {
	const char *lg_code, *name;
	char run_id[16], pack[16];
	int lessons;
	long long rejected, gaiji, defects, hit, avoided;
	int lessons_gate;   /* 1 PASS, 0 FAIL, -1 not checked */
} wave_row;

static int copy_file(const char *from, const char *to)
{
	char *text = NULL;
	size_t len = 0;
	int rc;

	if ((rc = iko_read_small_file(&text, &len, from)))
		return rc;
	rc = iko_write_file(to, text, len, 0644);
	free(text);
	return rc;
}

/* Replace the first `from` in *text by `to`; IKO_EINVAL when absent. */
static int edit(char **text, const char *from, const char *to, const char *path)
{
	char *at = strstr(*text, from), *n;
	size_t a, fl = strlen(from), tl = strlen(to), len = strlen(*text);

	if (!at)
		return iko_error_set(IKO_EINVAL, "%s no longer holds `%s`: the wave's draft pack cannot be derived",
				     path, from);
	a = (size_t)(at - *text);
	if (!(n = malloc(len - fl + tl + 1)))
		return IKO_ENOMEM;
	memcpy(n, *text, a);
	memcpy(n + a, to, tl);
	memcpy(n + a + tl, at + fl, len - a - fl + 1);
	free(*text);
	*text = n;
	return 0;
}

/* Write DIR/packs/vendor-a/jumin: the vendor's pack, or its draft. */
static int write_pack(const char *ref, const char *dst, int draft)
{
	static const char *const layouts[] = { "layouts/JUMIN.yaml", "layouts/SETAI.yaml" };
	char *text = NULL, *p = NULL, *q = NULL, *ld = NULL;
	size_t len = 0, i;
	int rc;

	if (!(p = iko_path_join(ref, "pack.yaml")) || !(ld = iko_path_join(dst, "layouts"))) {
		rc = IKO_ENOMEM;
		goto done;
	}
	if ((rc = iko_mkdir_p(ld, 0)) || (rc = iko_read_small_file(&text, &len, p)))
		goto done;
	for (i = 0; draft && i < sizeof(draft_edits) / sizeof(draft_edits[0]); i++)
		if ((rc = edit(&text, draft_edits[i].from, draft_edits[i].to, p)))
			goto done;
	free(p);
	if (!(p = iko_path_join(dst, "pack.yaml"))) {
		rc = IKO_ENOMEM;
		goto done;
	}
	if ((rc = iko_write_file(p, text, strlen(text), 0644)))
		goto done;
	for (i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++) {
		free(p);
		free(q);
		p = iko_path_join(ref, layouts[i]);
		q = iko_path_join(dst, layouts[i]);
		if (!p || !q) {
			rc = IKO_ENOMEM;
			goto done;
		}
		if ((rc = copy_file(p, q)))
			goto done;
	}
done:
	free(text);
	free(p);
	free(q);
	free(ld);
	return rc;
}

static int write_project(const char *path, const char *db_dir)
{
	iko_afile *f = NULL;
	size_t i;
	int rc;

	if ((rc = iko_afile_open(&f, path, 0644)))
		return rc;
	fprintf(iko_afile_fp(f),
		"# iko demo --wave project (written by `iko demo --wave`)\n"
		"project: 見本 4町 住民記録 段階移行\n"
		"runs: runs\n"
		"db_dir: %s\n"
		"municipalities:\n", db_dir);
	for (i = 0; i < WAVE_N; i++)
		fprintf(iko_afile_fp(f), "  - {lg_code: \"%s\", name: %s, pack: packs/vendor-a/jumin, dump: dumps/%s}\n",
			towns[i].lg_code, towns[i].name, towns[i].lg_code);
	rc = iko_afile_commit(f);
	iko_afile_free(f);
	return rc;
}

static int count_lessons(const char *list)
{
	int n = list[0] ? 1 : 0;

	for (; *list; list++)
		n += *list == ',';
	return n;
}

/* Rehearse one municipality and fill its row. */
static int rehearse(wave_row *row, const iko_project *p, size_t i, const char *db, const char *pack_version,
		    const iko_cli *cli)
{
	iko_rehearse_options ro = IKO_REHEARSE_OPTIONS_INIT;
	iko_rehearse_result rr;
	iko_gate_result g;
	int rc;

	ro.project = p;
	ro.muni = &p->munis[i];
	ro.db = db;
	ro.progress = iko_cli_progress;
	ro.payload = (void *)cli;
	rc = iko_rehearse_run(&rr, &ro);
	iko_cli_progress_end(cli);
	if (rc) {
		iko_cli_print_rehearsal(&rr, ro.muni);
		iko_rehearse_result_release(&rr);
		return rc;
	}
	row->lg_code = p->munis[i].lg_code;
	row->name = p->munis[i].name;
	snprintf(row->run_id, sizeof(row->run_id), "%s", rr.run_id ? rr.run_id : "-");
	snprintf(row->pack, sizeof(row->pack), "%s", pack_version);
	row->lessons = count_lessons(rr.lessons);
	row->rejected = rr.rejected_total;
	row->gaiji = rr.gaiji_unmapped;
	row->defects = rr.rejected_total + rr.gaiji_unmapped;
	row->lessons_gate = -1;
	if (iko_gate_run(&g, rr.run_dir, p->path, NULL) == 0) {
		size_t k;
		for (k = 0; k < g.n; k++)
			if (!strcmp(g.items[k].name, "lessons_applied"))
				row->lessons_gate = g.items[k].pass;
	}
	printf("  %s %s %s: %lld defects found (%lld records rejected, %lld characters shown as 〓)%s%s\n",
	       row->run_id, row->lg_code, row->name, row->defects, row->rejected, row->gaiji,
	       rr.lessons[0] ? "; lessons inherited: " : "", rr.lessons);
	fflush(stdout);
	iko_rehearse_result_release(&rr);
	return 0;
}

/* Records coverage of the draft says a dump would lose to the pack's gaps
 * that the vendor's full pack closes. With quirks != NULL, also the list. */
static int quirks_of(long long *count, iko_coverage *quirks, const char *draft, const char *full, const char *dump,
		     const char *lg_code)
{
	iko_coverage cd, cf;
	size_t i, j;
	int rc;

	*count = 0;
	memset(&cf, 0, sizeof(cf));
	if ((rc = iko_coverage_run(&cd, draft, dump, lg_code)))
		return rc;
	if ((rc = iko_coverage_run(&cf, full, dump, lg_code))) {
		iko_coverage_release(&cd);
		return rc;
	}
	for (i = 0; i < cd.ncodes; i++) {
		int in_full = 0;
		for (j = 0; j < cf.ncodes; j++)
			if (!strcmp(cd.codes[i].code_table, cf.codes[j].code_table) &&
			    !strcmp(cd.codes[i].value, cf.codes[j].value))
				in_full = 1;
		if (in_full)
			continue;  /* unmapped by the vendor's full pack too: the town's own data */
		*count += cd.codes[i].count;
		if (quirks) {
			/* keep it: move the entry into quirks->codes */
			iko_cov_code *n = realloc(quirks->codes, (quirks->ncodes + 1) * sizeof(*n));
			if (!n) {
				rc = IKO_ENOMEM;
				break;
			}
			quirks->codes = n;
			n[quirks->ncodes++] = cd.codes[i];
			memset(&cd.codes[i], 0, sizeof(cd.codes[i]));
		}
	}
	iko_coverage_release(&cd);
	iko_coverage_release(&cf);
	return rc;
}

static void free_quirks(iko_coverage *q)
{
	size_t i;

	for (i = 0; i < q->ncodes; i++) {
		free(q->codes[i].table);
		free(q->codes[i].column);
		free(q->codes[i].code_table);
		free(q->codes[i].value);
	}
	free(q->codes);
	memset(q, 0, sizeof(*q));
}

int iko_demo_wave(const char *dir, long long residents, long long inject, unsigned long long seed, const char *db,
		  const iko_cli *cli)
{
	wave_row rows[WAVE_N + 1];
	iko_coverage quirks;
	iko_project *p = NULL;
	iko_buf b = IKO_BUF_INIT;
	char *proj = NULL, *pack = NULL, *draft = NULL, *ref = NULL, *cwd_dbdir = NULL, *lessons = NULL, cwd[4096];
	long long pilot_quirks = 0;
	size_t i, k, nrows = 0;
	int rc, status = IKO_EXIT_ERROR, fell = 1;

	memset(rows, 0, sizeof(rows));
	memset(&quirks, 0, sizeof(quirks));
	proj = iko_path_join(dir, "project.yaml");
	iko_buf_printf(&b, "%s/packs/vendor-a/jumin", dir);
	pack = iko_strdup(b.ptr);
	iko_buf_clear(&b);
	/* the draft stays beside the project's pack for the coverage comparisons */
	iko_buf_printf(&b, "%s/draft/vendor-a/jumin", dir);
	draft = iko_strdup(b.ptr);
	ref = iko_data_path("packs/vendor-a/jumin");
	if (!proj || !pack || !draft || !ref || !b.ptr) {
		rc = IKO_ENOMEM;
		goto fail;
	}
	if (iko_path_exists(proj)) {
		iko_error_set(IKO_EINVAL, "%s already holds a wave (project.yaml): use another --dir or remove it",
			      dir);
		goto fail;
	}
	if (!getcwd(cwd, sizeof(cwd))) {
		iko_error_set_errno(IKO_EIO, "cannot get the current directory");
		goto fail;
	}
	if (!(cwd_dbdir = iko_path_join(cwd, ".iko/pg")))
		goto fail;
	printf("iko demo --wave: four vendor-A municipalities whose dumps share the vendor's quirks,\n"
	       "with %lld defects of each kind of their own; pack vendor-a/jumin starts as draft %s\n",
	       inject, DRAFT_VERSION);
	if (iko_mkdir_p(dir, 1) || write_pack(ref, draft, 1) || write_pack(ref, pack, 1))
		goto fail;
	for (i = 0; i < WAVE_N; i++) {
		iko_sample_options so = IKO_SAMPLE_OPTIONS_INIT;
		iko_sample_result sr;
		iko_buf_clear(&b);
		iko_buf_printf(&b, "%s/dumps/%s", dir, towns[i].lg_code);
		so.lg_code = towns[i].lg_code;
		so.name = towns[i].name;
		so.residents = residents * towns[i].residents / towns[0].residents;
		if (so.residents < 1)
			so.residents = 1;
		so.seed = seed + i;
		so.inject = inject;
		so.out = b.ptr;
		so.progress = iko_cli_progress;
		so.payload = (void *)cli;
		rc = iko_sample_generate(&sr, &so);
		iko_cli_progress_end(cli);
		if (rc)
			goto fail;
		printf("  %s %s: %lld records in JUMIN.DAT\n", towns[i].lg_code, towns[i].name,
		       sr.residents_current + sr.residents_removed);
	}
	if (write_project(proj, cwd_dbdir) || iko_project_load(&p, proj))
		goto fail;
	if (!(lessons = iko_lesson_path(proj)))
		goto fail;

	/* 1. the pilot, with the draft */
	printf("\n1. pilot %s %s with pack %s\n", towns[0].lg_code, towns[0].name, DRAFT_VERSION);
	fflush(stdout);
	if (rehearse(&rows[nrows++], p, 0, db, DRAFT_VERSION, cli))
		goto fail;

	/* 2. the pack fix: what the draft misses and the vendor's full pack maps */
	iko_buf_clear(&b);
	iko_buf_printf(&b, "%s/dumps/%s", dir, towns[0].lg_code);
	if (quirks_of(&pilot_quirks, &quirks, draft, ref, b.ptr, towns[0].lg_code))
		goto fail;
	printf("\n2. pack fix: %zu code values the draft does not map and the vendor uses (%lld occurrences"
	       " in the pilot)\n", quirks.ncodes, pilot_quirks);
	for (k = 0; k < quirks.ncodes; k++) {
		iko_lesson l;
		char found[32], symptom[256];
		const iko_cov_code *c = &quirks.codes[k];
		snprintf(found, sizeof(found), "%s", rows[0].run_id);
		snprintf(symptom, sizeof(symptom), "コード表 %s に値 %s がない（%s.%s、%s %s で %lld 件）",
			 c->code_table, c->value, c->table, c->column, towns[0].lg_code, rows[0].run_id, c->count);
		memset(&l, 0, sizeof(l));
		l.vendor = (char *)"A";
		l.business = (char *)"jumin";
		l.found_lg_code = (char *)towns[0].lg_code;
		l.found_run = found;
		l.symptom = symptom;
		l.fix_kind = (char *)"pack-version";
		l.fix = (char *)"1.0.0";
		if (iko_lesson_add(lessons, &l))
			goto fail;
		printf("   lesson %s: %s → fixed in pack 1.0.0\n", l.id ? l.id : "-", symptom);
		free(l.id);
		free(l.recorded);
	}
	if (!quirks.ncodes) {
		iko_error_set(IKO_EINVAL, "the pilot's dump shows no vendor quirk: nothing for the wave to inherit");
		goto fail;
	}
	if (write_pack(ref, pack, 0))
		goto fail;
	printf("   pack vendor-a/jumin → 1.0.0; the pilot again:\n");
	fflush(stdout);
	if (rehearse(&rows[nrows++], p, 0, db, "1.0.0", cli))
		goto fail;

	/* 3. the rest, inheriting the lessons */
	printf("\n3. the other municipalities with pack 1.0.0\n");
	fflush(stdout);
	for (i = 1; i < WAVE_N; i++) {
		if (rehearse(&rows[nrows], p, i, db, "1.0.0", cli))
			goto fail;
		/* what they would have hit with the draft, had the pilot taught nothing */
		iko_buf_clear(&b);
		iko_buf_printf(&b, "%s/dumps/%s", dir, towns[i].lg_code);
		if (quirks_of(&rows[nrows].avoided, NULL, draft, ref, b.ptr, towns[i].lg_code))
			goto fail;
		nrows++;
	}

	printf("\nwave (defects: records rejected at any stage + characters shown as 〓; quirks: vendor-quirk\n"
	       "values the pilot hit; avoided: those the draft would have rejected in a later municipality,\n"
	       "per coverage; lessons✓: the gate criterion lessons_applied)\n");
	printf("  %-6s %-5s %-6s %7s %8s %6s %8s  %-9s %s\n", "団体", "run", "pack", "lessons", "defects", "quirks",
	       "avoided", "lessons✓", "団体名");
	rows[0].hit = pilot_quirks;
	for (i = 0; i < nrows; i++) {
		const wave_row *r = &rows[i];
		char hit[24] = "-", avoided[24] = "-";
		if (i == 0)
			snprintf(hit, sizeof(hit), "%lld", r->hit);
		if (i >= 2)
			snprintf(avoided, sizeof(avoided), "%lld", r->avoided);
		printf("  %-6s %-5s %-6s %7d %8lld %6s %8s  %-9s %s\n", r->lg_code, r->run_id, r->pack, r->lessons,
		       r->defects, hit, avoided, r->lessons_gate < 0 ? "-" : r->lessons_gate ? "PASS" : "FAIL",
		       r->name);
		if (i >= 2 && r->defects >= rows[0].defects)
			fell = 0;
	}
	printf("\ndefects found: pilot %lld with the draft pack; after it:", rows[0].defects);
	for (i = 2; i < nrows; i++)
		printf(" %s %lld%s", rows[i].lg_code, rows[i].defects, i + 1 < nrows ? "," : "");
	printf("\n%s\n", fell ? "every later municipality found fewer defects than the pilot: its lessons were inherited"
			      : "NOT every later municipality found fewer defects than the pilot");
	printf("lessons: %s; project: %s; runs: %s/runs\n", lessons, proj, dir);
	status = fell ? IKO_EXIT_OK : IKO_EXIT_CHECKS;
	goto done;
fail:
	iko_cli_error("demo --wave");
done:
	free_quirks(&quirks);
	iko_project_free(p);
	iko_buf_release(&b);
	free(proj);
	free(pack);
	free(draft);
	free(ref);
	free(cwd_dbdir);
	free(lessons);
	return status;
}
