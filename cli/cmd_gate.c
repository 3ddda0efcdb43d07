/*
 * cmd_gate.c — `iko gate RUN`: the go/no-go criteria (移行判定) of a run.
 */
#include "cli.h"

#include "iko_db.h"
#include "iko_error.h"
#include "iko_fs.h"
#include "iko_gate.h"
#include "iko_yaml.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char cmd_gate_usage[] =
	"usage: iko gate RUN [--project PROJECT.yaml] [--db DSN | --db-dir DIR]\n\n"
	"Check a rehearsal run (runs/<lg_code>/<run-id>) against the go/no-go\n"
	"criteria (移行判定) configured under `gates:` in the project file (all on\n"
	"by default; max_run_minutes only when given):\n"
	"  counts_reconciled   no FAIL measure, every stage balanced\n"
	"  zero_fatal_rejects  no record rejected\n"
	"  no_unmapped_gaiji   no character shown as 〓\n"
	"  all_reviewed        every discrepancy reviewed (iko review import)\n"
	"  max_run_minutes: N  the rehearsal took at most N minutes (cutover window)\n"
	"  rollback_rehearsed  a successful rollback recorded (iko load --rollback)\n"
	"  lessons_applied     every lesson inherited for the pack's vendor and\n"
	"                      business has its fix (iko lesson)\n"
	"Each criterion is printed PASS or FAIL with its evidence.\n\n"
	"  --project FILE  the project (default: the one the run's manifest names)\n"
	"  --db DSN        database for the rollback criterion (default: the\n"
	"                  embedded server the run used)\n"
	"  --db-dir DIR    embedded server directory\n\n"
	"Exit status: 0 every criterion passes (go), 3 one fails (no-go), 1 error.\n";

int cmd_gate(int argc, char **argv, const iko_cli *cli)
{
	const char *project = NULL, *db = NULL, *dbdir = NULL, *pos[1] = { NULL };
	const iko_opt opts[] = {
		{ "project", IKO_OPT_STR, &project }, { "db", IKO_OPT_STR, &db },
		{ "db-dir", IKO_OPT_STR, &dbdir }, { NULL, IKO_OPT_FLAG, NULL }
	};
	iko_gate_result r;
	iko_yaml_doc *m = NULL;
	PGconn *conn = NULL;
	char *mpath = NULL;
	size_t i;
	int npos = 0, rc;

	if ((rc = iko_cli_parse(cli, argc, argv, opts, pos, 1, &npos)))
		return rc;
	if (npos != 1)
		return iko_cli_usage(cli, "missing RUN (runs/<lg_code>/<run-id>)");
	if (db && dbdir)
		return iko_cli_usage(cli, "--db and --db-dir exclude each other");
	if (!db && !dbdir && (mpath = iko_path_join(pos[0], "manifest.json")) && iko_path_exists(mpath) &&
	    iko_yaml_load_file(&m, mpath) == 0)
		dbdir = iko_yaml_str(iko_yaml_root(m), "db_dir", NULL);
	if (iko_db_connect(&conn, db, dbdir)) {
		PQfinish(conn);
		conn = NULL; /* the rollback criterion says it could not check */
	}
	rc = iko_gate_run(&r, pos[0], project, conn);
	PQfinish(conn);
	iko_yaml_free(m);
	free(mpath);
	if (rc) {
		iko_cli_error("gate");
		return iko_cli_exit_for(rc);
	}
	printf("移行判定 %s %s: %s\n", r.lg_code, r.run_id, r.pass ? "GO" : "NO-GO");
	for (i = 0; i < r.n; i++)
		printf("  %-4s %-20s %s — %s\n", r.items[i].pass ? "PASS" : "FAIL", r.items[i].name,
		       r.items[i].label, r.items[i].evidence);
	return r.pass ? IKO_EXIT_OK : IKO_EXIT_CHECKS;
}
