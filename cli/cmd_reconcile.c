/*
 * cmd_reconcile.c — `iko reconcile --run DIR`: measures and records three
 * ways, and the discrepancy workbook.
 */
#include "cli.h"

#include "iko_db.h"
#include "iko_error.h"
#include "iko_fs.h"
#include "iko_reconcile.h"
#include "iko_yaml.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>

const char cmd_reconcile_usage[] =
	"usage: iko reconcile --run DIR [--out FILE.xlsx] [--db DSN] [--db-dir DIR] [--reveal]\n\n"
	"Reconcile a rehearsal run (made by `iko rehearse`): every measure of the\n"
	"schema three ways — the old system's own totals (統計表), the transformed\n"
	"data, and the loaded tables — with PASS / WARN / FAIL per group, and every\n"
	"validated record against the loaded row with the same key.\n\n"
	"  --run DIR      the run directory (runs/<lg_code>/<run-id>)\n"
	"  --out FILE     discrepancy workbook (default: DIR/reports/discrepancies.xlsx)\n"
	"  --db DSN       PostgreSQL (default: the embedded server of the run's project)\n"
	"  --db-dir DIR   embedded server directory\n"
	"  --reveal       show 個人番号 and 支援措置 in the workbook\n\n"
	"Writes DIR/reconcile/measures.csv and records.csv. Beside each mismatching\n"
	"value, the source field(s) as extracted (legacy_value, 旧システムの値), read\n"
	"back from DIR/extract through transform's legacy index; when an extract CSV\n"
	"is missing or changed since, a note says so and those values stay empty.\n"
	"The validated records are read from validate's <table>.index (offsets and\n"
	"hashes); the CSV itself when there is none or the CSV changed since.\n"
	"Exit status 3 when a measure failed or records differ.\n";

int cmd_reconcile(int argc, char **argv, const iko_cli *cli)
{
	iko_reconcile_options o = IKO_RECONCILE_OPTIONS_INIT;
	iko_reconcile_result r;
	iko_yaml_doc *m = NULL;
	const iko_yaml_node *root;
	const char *run = NULL, *out = NULL, *db = NULL, *dbdir = NULL;
	char *mpath = NULL, *defout = NULL;
	PGconn *conn = NULL;
	const char *names[32], *shas[32];
	int reveal = 0, rc, status = IKO_EXIT_ERROR;
	const iko_opt opts[] = {
		{ "run", IKO_OPT_STR, &run }, { "out", IKO_OPT_STR, &out },
		{ "db", IKO_OPT_STR, &db }, { "db-dir", IKO_OPT_STR, &dbdir },
		{ "reveal", IKO_OPT_FLAG, &reveal }, { NULL, 0, NULL }
	};

	if ((rc = iko_cli_parse(cli, argc, argv, opts, NULL, 0, NULL)))
		return rc;
	if (!run)
		return iko_cli_usage(cli, "missing --run");
	mpath = iko_path_join(run, "manifest.json");
	if (!mpath || iko_yaml_load_file(&m, mpath))
		goto fail;
	root = iko_yaml_root(m);
	o.run_dir = run;
	o.schema = iko_yaml_str(iko_yaml_get(root, "versions"), "schema", "jumin");
	o.pack_dir = iko_yaml_str(root, "pack_dir", NULL);
	o.dump_dir = iko_yaml_str(root, "dump", NULL);
	o.lg_code = iko_yaml_str(root, "lg_code", NULL);
	o.municipality = iko_yaml_str(root, "municipality", NULL);
	o.run_id = iko_yaml_str(root, "run_id", NULL);
	o.tool_version = IKO_VERSION;
	o.reveal = reveal;
	{
		const iko_yaml_node *in = iko_yaml_get(root, "inputs");
		size_t i;
		for (i = 0; i < iko_yaml_count(in) && i < 32; i++) {
			names[i] = iko_yaml_str(iko_yaml_at(in, i), "file", "");
			shas[i] = iko_yaml_str(iko_yaml_at(in, i), "sha256", "");
		}
		o.ninputs = i;
		o.input_names = names;
		o.input_sha256 = shas;
	}
	if (!o.pack_dir || !o.lg_code) {
		iko_error_set(IKO_EPARSE, "%s: not a run manifest (no pack_dir or lg_code)", mpath);
		goto fail;
	}
	if (!out && !(defout = iko_path_join(run, "reports/discrepancies.xlsx")))
		goto fail;
	o.xlsx_path = out ? out : defout;
	if (!out) {
		char *rep = iko_path_join(run, "reports");
		rc = rep ? iko_mkdir_p(rep, 1) : IKO_ENOMEM;
		free(rep);
		if (rc)
			goto fail;
	}
	if (iko_db_connect(&conn, db, dbdir ? dbdir : iko_yaml_str(root, "db_dir", NULL)))
		goto fail;
	o.conn = conn;
	if (iko_reconcile_run(&r, &o))
		goto fail;
	printf("reconcile %s: %lld PASS, %lld WARN, %lld FAIL; records: %lld only in source, %lld only in target, %lld mismatched\n",
	       run, r.pass, r.warn, r.fail, r.only_source, r.only_target, r.mismatch);
	printf("  workbook: %s\n", o.xlsx_path);
	if (r.legacy_note)
		printf("  note:     %s\n", r.legacy_note);
	status = r.fail || r.only_source || r.only_target || r.mismatch ? IKO_EXIT_CHECKS : IKO_EXIT_OK;
	iko_reconcile_result_release(&r);
	goto done;
fail:
	iko_cli_error("reconcile");
done:
	if (conn)
		PQfinish(conn);
	iko_yaml_free(m);
	free(mpath);
	free(defout);
	return status;
}
