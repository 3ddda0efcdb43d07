/*
 * iko_rehearse.c — the rehearsal runner (see iko_rehearse.h).
 */
#include "iko_rehearse.h"

#include "iko_buf.h"
#include "iko_db.h"
#include "iko_error.h"
#include "iko_extract.h"
#include "iko_fs.h"
#include "iko_json.h"
#include "iko_load.h"
#include "iko_evidence.h"
#include "iko_lesson.h"
#include "iko_pack.h"
#include "iko_pack_internal.h" /* vendor, business */
#include "iko_reconcile.h"
#include "iko_schema.h"
#include "iko_shard.h"
#include "iko_transform.h"
#include "iko_validate.h"

#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct input_fp {
	char *name;
	char *sha256;
	long long bytes;
} input_fp;

typedef struct rctx {
	const iko_rehearse_options *o;
	iko_rehearse_result *r;
	iko_pack *pack;
	iko_schema *schema;
	input_fp inputs[32];
	size_t ninputs;
	char *gaiji[8];
	size_t ngaiji;
	struct timespec t0;
} rctx;

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void add_time(iko_rehearse_result *r, const char *stage, double secs)
{
	if (r->ntimes < 8) {
		r->times[r->ntimes].stage = stage;
		r->times[r->ntimes++].seconds = secs;
	}
}

static int add_count(iko_rehearse_result *r, const char *stage, const char *object,
		     long long in, long long out, long long rej, long long warn)
{
	iko_stage_count *c;

	if (r->ncounts >= IKO_STAGE_MAX)
		return 0;
	c = &r->counts[r->ncounts++];
	c->stage = stage;
	c->object = iko_strdup(object);
	c->in = in;
	c->out = out;
	c->rejected = rej;
	c->warnings = warn;
	c->balanced = in == out + rej;
	if (!c->balanced)
		r->balanced = 0;
	r->rejected_total += rej;
	r->warnings_total += warn;
	return c->object ? 0 : IKO_ENOMEM;
}

static char *sub(const char *run, const char *name)
{
	return iko_path_join(run, name);
}

static int stage_extract(rctx *c)
{
	const iko_rehearse_options *o = c->o;
	size_t i;
	int rc = 0;

	for (i = 0; i < iko_pack_ninputs(c->pack) && !rc; i++) {
		const iko_pack_input *in = iko_pack_input_at(c->pack, i);
		iko_extract_options eo = IKO_EXTRACT_OPTIONS_INIT;
		iko_extract_stats st;
		char *input = iko_path_join(o->muni->dump, in->file);
		char *rel, *out, *gaiji;
		size_t ntypes = 0;

		/*
		 * One record type: extract/<input name>.csv. Several (header,
		 * details, trailer): extract/<record name>.csv, one per type.
		 */
		if ((rc = iko_extract_layout_types(in->layout, &ntypes))) {
			free(input);
			return rc;
		}
		rel = ntypes > 1 ? iko_strdup("extract") : iko_aprintf("extract/%s.csv", in->name);
		out = rel ? sub(c->r->run_dir, rel) : NULL;
		gaiji = in->gaiji ? iko_path_join(o->muni->dump, in->gaiji) : NULL;
		free(rel);
		if (!input || !out || (in->gaiji && !gaiji)) {
			free(input);
			free(out);
			free(gaiji);
			return IKO_ENOMEM;
		}
		eo.layout_path = in->layout;
		eo.input = input;
		eo.out = out;
		eo.encoding = in->encoding;
		eo.recfm = in->recfm;
		eo.gaiji_path = gaiji;
		eo.progress = o->progress;
		eo.payload = o->payload;
		memset(&st, 0, sizeof(st));
		rc = iko_extract_run(&st, &eo);
		if (!rc) {
			input_fp *fp = &c->inputs[c->ninputs < 31 ? c->ninputs++ : 31];
			fp->name = iko_strdup(in->file);
			fp->sha256 = iko_strdup(st.input_sha256);
			fp->bytes = st.bytes;
			rc = add_count(c->r, "extract", in->file, st.records_read, st.records_written,
				       st.records_rejected, st.gaiji_unmapped);
			c->r->gaiji_unmapped += st.gaiji_unmapped;
			if (gaiji && c->ngaiji < 8) {
				c->gaiji[c->ngaiji++] = gaiji;
				gaiji = NULL;
			}
		}
		iko_extract_stats_release(&st);
		free(input);
		free(out);
		free(gaiji);
	}
	return rc;
}

static int stage_transform(rctx *c)
{
	iko_transform_options to = IKO_TRANSFORM_OPTIONS_INIT;
	iko_transform_stats st;
	char *in = sub(c->r->run_dir, "extract"), *out = sub(c->r->run_dir, "transform");
	size_t i;
	int rc = IKO_ENOMEM;

	if (in && out) {
		to.pack_dir = c->o->muni->pack;
		to.lg_code = c->o->muni->lg_code;
		to.in_dir = in;
		to.out_dir = out;
		to.progress = c->o->progress;
		to.payload = c->o->payload;
		rc = iko_transform_run(&st, &to);
		for (i = 0; !rc && i < st.ntables; i++)
			rc = add_count(c->r, "transform", st.tables[i].table, st.tables[i].records_in,
				       st.tables[i].records_out, st.tables[i].records_rejected,
				       st.tables[i].warnings);
		iko_transform_stats_release(&st);
	}
	free(in);
	free(out);
	return rc;
}

static int stage_validate(rctx *c)
{
	iko_validate_options vo = IKO_VALIDATE_OPTIONS_INIT;
	iko_validate_stats st;
	char *in = sub(c->r->run_dir, "transform"), *out = sub(c->r->run_dir, "validate");
	size_t i;
	int rc = IKO_ENOMEM;

	if (in && out) {
		vo.schema = iko_pack_schema(c->pack);
		vo.in_dir = in;
		vo.out_dir = out;
		vo.lg_code = c->o->muni->lg_code;
		vo.charset_extra = (const char *const *)c->gaiji;
		vo.ncharset_extra = c->ngaiji;
		vo.progress = c->o->progress;
		vo.payload = c->o->payload;
		rc = iko_validate_run(&st, &vo);
		for (i = 0; !rc && i < st.ntables; i++)
			rc = add_count(c->r, "validate", st.tables[i].table, st.tables[i].records_in,
				       st.tables[i].records_out, st.tables[i].records_rejected,
				       st.tables[i].warnings);
		iko_validate_stats_release(&st);
	}
	free(in);
	free(out);
	return rc;
}

static int stage_load(rctx *c, PGconn *conn)
{
	iko_load_options lo = IKO_LOAD_OPTIONS_INIT;
	iko_load_result lr;
	char *in = sub(c->r->run_dir, "validate");
	size_t i, k;
	int rc;

	if (!in)
		return IKO_ENOMEM;
	lo.conn = conn;
	lo.schema = c->schema;
	lo.lg_code = c->o->muni->lg_code;
	lo.in_dir = in;
	lo.run_id = c->r->run_id;
	lo.progress = c->o->progress;
	lo.payload = c->o->payload;
	memset(&lr, 0, sizeof(lr));
	rc = iko_load_routed(&lr, &lo, NULL);
	for (i = 0; !rc && i < lr.ntables; i++) {
		long long expected = -1;
		for (k = 0; k < c->r->ncounts; k++)
			if (!strcmp(c->r->counts[k].stage, "validate") &&
			    !strcmp(c->r->counts[k].object, lr.tables[i].table))
				expected = c->r->counts[k].out;
		rc = add_count(c->r, "load", lr.tables[i].table, expected, lr.tables[i].rows,
			       expected >= 0 ? expected - lr.tables[i].rows : 0, 0);
		c->r->loaded_rows += lr.tables[i].rows;
	}
	iko_load_result_release(&lr);
	free(in);
	return rc;
}

static int stage_reconcile(rctx *c, PGconn *conn)
{
	iko_reconcile_options ro = IKO_RECONCILE_OPTIONS_INIT;
	iko_reconcile_result rr;
	const char *names[32], *shas[32];
	char *xlsx = sub(c->r->run_dir, "reports/discrepancies.xlsx"), *rep = sub(c->r->run_dir, "reports");
	size_t i;
	int rc = IKO_ENOMEM;

	if (xlsx && rep && !(rc = iko_mkdir_p(rep, 1))) {
		for (i = 0; i < c->ninputs; i++) {
			names[i] = c->inputs[i].name;
			shas[i] = c->inputs[i].sha256;
		}
		ro.run_dir = c->r->run_dir;
		ro.schema = iko_pack_schema(c->pack);
		ro.pack_dir = c->o->muni->pack;
		ro.dump_dir = c->o->muni->dump;
		ro.lg_code = c->o->muni->lg_code;
		ro.conn = conn;
		ro.xlsx_path = xlsx;
		ro.reveal = c->o->reveal;
		ro.municipality = c->o->muni->name;
		ro.run_id = c->r->run_id;
		ro.tool_version = IKO_VERSION;
		ro.ninputs = c->ninputs;
		ro.input_names = names;
		ro.input_sha256 = shas;
		rc = iko_reconcile_run(&rr, &ro);
		if (!rc) {
			c->r->measures_pass = rr.pass;
			c->r->measures_warn = rr.warn;
			c->r->measures_fail = rr.fail;
			c->r->records_only_source = rr.only_source;
			c->r->records_only_target = rr.only_target;
			c->r->records_mismatch = rr.mismatch;
			c->r->xlsx = xlsx;
			xlsx = NULL;
		}
		iko_reconcile_result_release(&rr);
	}
	free(xlsx);
	free(rep);
	return rc;
}

static int write_manifest(rctx *c, int failed_rc)
{
	iko_rehearse_result *r = c->r;
	iko_buf b = IKO_BUF_INIT;
	iko_json j;
	char when[21];
	size_t i;
	int rc;

	iko_now_iso(when);
	iko_json_init(&j, &b);
	iko_json_object_begin(&j);
	iko_json_kv_str(&j, "run_id", r->run_id);
	iko_json_kv_str(&j, "lg_code", c->o->muni->lg_code);
	iko_json_kv_str(&j, "business", c->o->muni->business);
	iko_json_kv_str(&j, "lessons_inherited", c->r->lessons);
	iko_json_kv_str(&j, "municipality", c->o->muni->name);
	iko_json_kv_str(&j, "project", c->o->project->path);
	iko_json_kv_str(&j, "pack_dir", c->o->muni->pack);
	iko_json_kv_str(&j, "dump", c->o->muni->dump);
	iko_json_kv_str(&j, "db_dir", c->o->project->db_dir);
	iko_json_kv_str(&j, "finished", when);
	iko_json_kv_str(&j, "status", failed_rc ? "failed" : "completed");
	if (failed_rc) {
		iko_json_kv_str(&j, "failed_stage", r->failed_stage);
		iko_json_kv_str(&j, "error", iko_error_message());
	}
	iko_json_key(&j, "versions");
	iko_json_object_begin(&j);
	iko_json_kv_str(&j, "iko", IKO_VERSION);
	iko_json_kv_str(&j, "schema", c->schema ? c->schema->name : NULL);
	iko_json_kv_str(&j, "schema_version", c->schema ? c->schema->version : NULL);
	iko_json_kv_str(&j, "pack", c->pack ? iko_pack_name(c->pack) : NULL);
	iko_json_kv_str(&j, "pack_version", c->pack ? iko_pack_version(c->pack) : NULL);
	iko_json_kv_str(&j, "overlay", c->pack ? iko_pack_overlay(c->pack) : NULL);
	iko_json_object_end(&j);
	iko_json_key(&j, "inputs");
	iko_json_array_begin(&j);
	for (i = 0; i < c->ninputs; i++) {
		iko_json_object_begin(&j);
		iko_json_kv_str(&j, "file", c->inputs[i].name);
		iko_json_kv_str(&j, "sha256", c->inputs[i].sha256);
		iko_json_kv_int(&j, "bytes", c->inputs[i].bytes);
		iko_json_object_end(&j);
	}
	iko_json_array_end(&j);
	iko_json_key(&j, "timings");
	iko_json_object_begin(&j);
	for (i = 0; i < r->ntimes; i++) {
		iko_json_key(&j, r->times[i].stage);
		iko_json_double(&j, r->times[i].seconds);
	}
	iko_json_key(&j, "total");
	iko_json_double(&j, r->seconds);
	iko_json_object_end(&j);
	iko_json_key(&j, "counts");
	iko_json_array_begin(&j);
	for (i = 0; i < r->ncounts; i++) {
		const iko_stage_count *sc = &r->counts[i];
		iko_json_object_begin(&j);
		iko_json_kv_str(&j, "stage", sc->stage);
		iko_json_kv_str(&j, "object", sc->object);
		iko_json_kv_int(&j, "in", sc->in);
		iko_json_kv_int(&j, "out", sc->out);
		iko_json_kv_int(&j, "rejected", sc->rejected);
		iko_json_kv_int(&j, "warnings", sc->warnings);
		iko_json_key(&j, "balanced");
		iko_json_bool(&j, sc->balanced);
		iko_json_object_end(&j);
	}
	iko_json_array_end(&j);
	iko_json_key(&j, "balanced");
	iko_json_bool(&j, r->balanced);
	iko_json_key(&j, "reconcile");
	iko_json_object_begin(&j);
	iko_json_kv_int(&j, "measures_pass", r->measures_pass);
	iko_json_kv_int(&j, "measures_warn", r->measures_warn);
	iko_json_kv_int(&j, "measures_fail", r->measures_fail);
	iko_json_kv_int(&j, "records_only_in_source", r->records_only_source);
	iko_json_kv_int(&j, "records_only_in_target", r->records_only_target);
	iko_json_kv_int(&j, "records_mismatch", r->records_mismatch);
	iko_json_kv_int(&j, "rejected", r->rejected_total);
	iko_json_kv_int(&j, "warnings", r->warnings_total);
	iko_json_kv_int(&j, "gaiji_unmapped", r->gaiji_unmapped);
	iko_json_kv_str(&j, "workbook", r->xlsx ? "reports/discrepancies.xlsx" : NULL);
	iko_json_object_end(&j);
	iko_json_object_end(&j);
	rc = iko_json_finish(&j);
	if (!rc)
		rc = iko_json_write_file(r->manifest, &b);
	iko_buf_release(&b);
	return rc;
}

#define STAGE(name, call)                                   \
	do {                                                \
		double t_ = now_s();                        \
		r->failed_stage = name;                     \
		if ((rc = (call)))                          \
			goto done;                          \
		add_time(r, name, now_s() - t_);            \
	} while (0)

int iko_rehearse_run(iko_rehearse_result *r, const iko_rehearse_options *o)
{
	rctx c;
	PGconn *conn = NULL;
	double t0 = now_s();
	const char *dsn;
	size_t i;
	int rc, mrc;

	memset(r, 0, sizeof(*r));
	memset(&c, 0, sizeof(c));
	c.o = o;
	c.r = r;
	r->balanced = 1;
	if ((rc = iko_run_create(&r->run_dir, &r->run_id, o->project->runs, o->muni->lg_code)))
		return rc;
	if (!(r->manifest = iko_path_join(r->run_dir, "manifest.json")))
		return IKO_ENOMEM;
	r->failed_stage = "setup";
	if (!iko_is_dir(o->muni->dump)) {
		rc = iko_error_set(IKO_ENOTFOUND, "dump directory %s does not exist", o->muni->dump);
		goto done;
	}
	if ((rc = iko_pack_load(&c.pack, o->muni->pack, o->muni->lg_code)) ||
	    (rc = iko_schema_load_named(&c.schema, iko_pack_schema(c.pack))))
		goto lessons_done;
	{
		/* the lessons this rehearsal inherits for its vendor and business */
		char *lp = iko_lesson_path(o->project->path);
		iko_lessons ls;
		size_t k;
		if (lp && iko_lessons_load(&ls, lp) == 0) {
			for (k = 0; k < ls.n; k++)
				if (iko_lesson_applies(&ls.l[k], c.pack->vendor, c.pack->business) &&
				    strlen(r->lessons) + strlen(ls.l[k].id) + 3 < sizeof(r->lessons))
					snprintf(r->lessons + strlen(r->lessons),
						 sizeof(r->lessons) - strlen(r->lessons), "%s%s",
						 r->lessons[0] ? ", " : "", ls.l[k].id);
			iko_lessons_free(&ls);
		}
		free(lp);
	}
lessons_done:
	if (rc)
		goto done;
	STAGE("extract", stage_extract(&c));
	STAGE("transform", stage_transform(&c));
	STAGE("validate", stage_validate(&c));
	dsn = o->db ? o->db : o->project->db;
	STAGE("connect", iko_db_connect(&conn, dsn, o->project->db_dir));
	STAGE("load", stage_load(&c, conn));
	STAGE("reconcile", stage_reconcile(&c, conn));
	r->failed_stage = NULL;
done:
	r->seconds = now_s() - t0;
	mrc = write_manifest(&c, rc);
	if (!rc)
		rc = mrc;
	if (conn && r->manifest && PQstatus(conn) == CONNECTION_OK) {
		/* the run in the database too: iko_meta.runs (manifest as jsonb) */
		char *json = NULL;
		size_t jlen;
		if (iko_read_small_file(&json, &jlen, r->manifest) == 0) {
			const char *p[5] = { o->muni->lg_code, o->muni->business, r->run_id,
					     r->failed_stage ? "failed" : "completed", json };
			PGresult *res = PQexec(conn,
				"CREATE SCHEMA IF NOT EXISTS iko_meta;\n"
				"CREATE TABLE IF NOT EXISTS iko_meta.runs (lg_code text NOT NULL, business text NOT NULL,"
				" run_id text NOT NULL, status text NOT NULL, recorded_at timestamptz NOT NULL DEFAULT now(),"
				" manifest jsonb NOT NULL, PRIMARY KEY (lg_code, business, run_id))");
			int ok = PQresultStatus(res) == PGRES_COMMAND_OK;
			PQclear(res);
			if (ok) {
				res = PQexecParams(conn,
					"INSERT INTO iko_meta.runs (lg_code, business, run_id, status, manifest)"
					" VALUES ($1, $2, $3, $4, $5::jsonb) ON CONFLICT (lg_code, business, run_id)"
					" DO UPDATE SET status = EXCLUDED.status, manifest = EXCLUDED.manifest,"
					" recorded_at = now()", 5, NULL, p, NULL, NULL, 0);
				ok = PQresultStatus(res) == PGRES_COMMAND_OK;
				PQclear(res);
			}
			if (!ok && !rc)
				rc = iko_error_set(IKO_EDB, "cannot record the run in iko_meta.runs: %s",
						   PQerrorMessage(conn));
		}
		free(json);
	}
	if (r->run_dir) {
		/* evidence.zip: manifests, rejects, reconciliation, workbook, SHA256SUMS —
		 * also for a failed run, which is evidence too */
		size_t nmem;
		int erc = iko_evidence_write(r->run_dir, &nmem);
		if (!rc)
			rc = erc;
	}
	if (conn)
		PQfinish(conn);
	for (i = 0; i < c.ninputs; i++) {
		free(c.inputs[i].name);
		free(c.inputs[i].sha256);
	}
	for (i = 0; i < c.ngaiji; i++)
		free(c.gaiji[i]);
	iko_pack_free(c.pack);
	iko_schema_free(c.schema);
	return rc;
}

void iko_rehearse_result_release(iko_rehearse_result *r)
{
	size_t i;

	for (i = 0; i < r->ncounts; i++)
		free(r->counts[i].object);
	free(r->run_dir);
	free(r->run_id);
	free(r->xlsx);
	free(r->manifest);
	memset(r, 0, sizeof(*r));
}
