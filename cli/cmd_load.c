/*
 * cmd_load.c — `iko load`: validated CSV into PostgreSQL, one partition per
 * municipality, swapped in atomically. Thin front end over load/iko_load.h.
 */
#include "cli.h"

#include "iko_checkdigit.h"
#include "iko_db.h"
#include "iko_error.h"
#include "iko_extract.h"
#include "iko_follow.h"
#include "iko_fs.h"
#include "iko_load.h"
#include "iko_package.h"
#include "iko_shard.h"
#include "iko_schema.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

const char cmd_load_usage[] =
	"usage: iko load --schema NAME|FILE --lg-code CODE --in DIR\n"
	"                [--db DSN | --db-dir DIR] [--run-id ID]\n"
	"                [--extract TABLE --layout FILE --input FILE [--gaiji FILE]\n"
	"                 [--comp5 big|little] [--on-error reject|stop]]\n"
	"       iko load --target package --out FILE.zip --schema NAME|FILE --lg-code CODE\n"
	"                --in DIR [--header en|ja]\n"
	"       iko load --rollback --schema NAME|FILE --lg-code CODE\n"
	"                [--db DSN | --db-dir DIR] [--run-id ID]\n"
	"\n"
	"Load one municipality's validated standard-schema CSV into PostgreSQL.\n"
	"DIR holds one <table>.csv per table of the schema, with a header row of\n"
	"column names (any order; columns missing from the file load as NULL).\n"
	"Every table is partitioned by lg_code: the municipality's rows live in\n"
	"<schema>.<table>_<CODE>. Each file is streamed by COPY into a fresh\n"
	"<table>_<CODE>_new, the primary key is built and the table analyzed;\n"
	"then all tables are swapped in one short transaction, keeping the\n"
	"previous generation as <table>_<CODE>_prev. All or nothing: a refused\n"
	"row, an error or a crash leaves the previous data, and every other\n"
	"municipality, untouched. A municipality placed on a shard (iko shard) is\n"
	"loaded on that server the same way and attached on this one as a\n"
	"postgres_fdw foreign partition.\n"
	"\n"
	"options:\n"
	"  --schema NAME|FILE  standard schema: a name (schema/NAME.yaml, e.g.\n"
	"                      jumin) or the path of a schema file\n"
	"  --lg-code CODE      団体コード of the municipality (6 digits, check\n"
	"                      digit included), e.g. 131016\n"
	"  --in DIR            directory holding <table>.csv for every table\n"
	"  --db DSN            libpq connection string or URI of the target\n"
	"                      database (default: the embedded server)\n"
	"  --db-dir DIR        embedded server directory when --db is not given\n"
	"                      (default .iko/pg; started if not running)\n"
	"  --run-id ID         rehearsal run id, recorded in iko.load_history\n"
	"  --extract TABLE     extract --input through --layout into DIR/TABLE.csv\n"
	"                      while loading it, for a legacy file that already\n"
	"                      has the table's columns (e.g. a standard-layout CSV\n"
	"                      in Shift_JIS): exactly what `iko extract --out\n"
	"                      DIR/TABLE.csv` writes (with its manifest and\n"
	"                      rejects), loaded as it is written; a failed extract\n"
	"                      loads nothing. The layout must have one record type\n"
	"  --layout FILE       the layout for --extract (as for iko extract)\n"
	"  --input FILE        the legacy file for --extract (as for iko extract)\n"
	"  --gaiji FILE        gaiji table for --extract (as for iko extract)\n"
	"  --comp5 ORDER       for --extract: the byte order of COMP-5 items (as for\n"
	"                      iko extract)\n"
	"  --on-error MODE     for --extract: reject (default) or stop (as for\n"
	"                      iko extract)\n"
	"  --target T          postgres (default) or package: write the standard\n"
	"                      migration package instead of loading: a zip of one\n"
	"                      UTF-8 CSV per table and manifest.json (table, rows,\n"
	"                      SHA-256, schema and pack versions, lg_code, created);\n"
	"                      check one with `iko package verify FILE.zip`\n"
	"  --out FILE.zip      the package (--target package)\n"
	"  --header en|ja      package CSV header: English column names (default)\n"
	"                      or the schema's Japanese labels\n"
	"  --rollback          restore the previous generation of every table (kept\n"
	"                      from the last load until the next one): current and\n"
	"                      previous change places in one transaction, recorded\n"
	"                      in iko.load_history with kind 'rollback'\n"
	"\n"
	"Output: one line per table with the rows loaded, e.g.\n"
	"  jumin.resident_131016: 1234 rows\n"
	"\n"
	"examples:\n"
	"  iko load --schema jumin --lg-code 131016 --in work/131016/valid\n"
	"  iko load --db 'host=db.example port=5432 dbname=iko' --schema jumin \\\n"
	"           --lg-code 131130 --in valid --run-id R3\n"
	"\n"
	"  iko load --schema jumin --lg-code 435015 --in work/435015 --extract resident \\\n"
	"           --layout resident.sjis.yaml --input JUMIN.CSV\n"
	"\n"
	"exit codes: 0 loaded, 1 error (nothing changed), 2 usage, 3 loaded, but\n"
	"--extract rejected records (DIR/TABLE.csv.rejects.csv).\n";

static void print_result(const iko_load_result *res, const char *schema, const char *lg,
			 const iko_cli *cli)
{
	size_t i;

	for (i = 0; i < res->ntables; i++)
		printf("%s.%s_%s: %lld rows\n", schema, res->tables[i].table, lg,
		       res->tables[i].rows);
	if (cli->tty)
		fprintf(stderr, "iko: load: %zu tables loaded in %.2f s\n", res->ntables,
			res->seconds);
}

/* --extract: the extract, on a thread of its own while the load reads its output */
typedef struct extract_job {
	iko_extract_options eo;
	iko_extract_stats st;
	iko_follow *follow;
	char *out;                 /* DIR/TABLE.csv: eo.out */
	int rc;
	char *err;
} extract_job;

static void *extract_main(void *arg)
{
	extract_job *j = arg;

	j->rc = iko_thread_keep_error(iko_extract_run(&j->st, &j->eo), &j->err);
	/* done, or the load fails reading what was not written: nothing is swapped */
	iko_follow_close(j->follow, !j->rc);
	return NULL;
}

/*
 * The size of --input, to order the tables by (the load's biggest first);
 * 0 (unknown) for ARCHIVE.zip:MEMBER, whose size is the member's.
 */
static long long input_size(const char *input)
{
	struct stat st;

	return stat(input, &st) == 0 && S_ISREG(st.st_mode) ? (long long)st.st_size : 0;
}

/* iko_cli_error("load") for the error just set; returns IKO_EXIT_ERROR */
static int load_failed(void)
{
	iko_cli_error("load");
	return IKO_EXIT_ERROR;
}

/*
 * Options of --extract TABLE, checked before anything starts: TABLE one of
 * the schema's, a layout of one record type. On success j->eo.out is
 * DIR/TABLE.csv (the caller frees it); else the exit code, the error
 * printed.
 */
static int extract_prepare(extract_job *j, const iko_cli *cli, const iko_schema *s,
			   const char *in, const char *table)
{
	size_t i, ntypes = 0;
	int found = 0;
	char *file, *path;

	for (i = 0; i < s->ntables; i++)
		found |= !strcmp(s->tables[i].name, table);
	if (!found)
		return iko_cli_usage(cli, "--extract %s: not a table of schema %s", table, s->name);
	if (iko_extract_layout_types(j->eo.layout_path, &ntypes))
		return load_failed();
	if (ntypes != 1)
		return iko_cli_usage(cli, "--layout %s: %zu record types; --extract takes a layout of one",
				     j->eo.layout_path, ntypes);
	/* spelled as the load spells its files (iko_path_join): the follow set matches the text */
	file = iko_aprintf("%s.csv", table);
	path = file ? iko_path_join(in, file) : NULL;
	free(file);
	if (!path) {
		iko_error_set(IKO_ENOMEM, "out of memory");
		return load_failed();
	}
	j->out = path;
	j->eo.out = path;
	return 0;
}

int cmd_load(int argc, char **argv, const iko_cli *cli)
{
	const char *db = NULL, *db_dir = NULL, *schema = NULL, *lg = NULL, *in = NULL,
		   *run_id = NULL;
	int rollback = 0;
	char *shard = NULL;
	const char *target = "postgres", *out = NULL, *header = "en", *xtable = NULL,
		   *on_error = "reject";
	extract_job xj;
	const iko_opt opts[] = {
		{ "db", IKO_OPT_STR, &db },
		{ "db-dir", IKO_OPT_STR, &db_dir },
		{ "schema", IKO_OPT_STR, &schema },
		{ "lg-code", IKO_OPT_STR, &lg },
		{ "in", IKO_OPT_STR, &in },
		{ "run-id", IKO_OPT_STR, &run_id },
		{ "rollback", IKO_OPT_FLAG, &rollback },
		{ "target", IKO_OPT_STR, &target },
		{ "out", IKO_OPT_STR, &out },
		{ "header", IKO_OPT_STR, &header },
		{ "extract", IKO_OPT_STR, &xtable },
		{ "layout", IKO_OPT_STR, &xj.eo.layout_path },
		{ "input", IKO_OPT_STR, &xj.eo.input },
		{ "gaiji", IKO_OPT_STR, &xj.eo.gaiji_path }, { "comp5", IKO_OPT_STR, &xj.eo.comp5 },
		{ "on-error", IKO_OPT_STR, &on_error },
		{ NULL, IKO_OPT_FLAG, NULL },
	};
	iko_load_options lo = IKO_LOAD_OPTIONS_INIT;
	iko_load_result res = { 0, NULL, 0, 0, 0 };
	iko_schema *s = NULL;
	PGconn *conn = NULL;
	pthread_t xth;
	char *load_err = NULL;
	int rc, exit_code = IKO_EXIT_ERROR, xstarted = 0;

	memset(&xj, 0, sizeof(xj));
	xj.eo = (iko_extract_options)IKO_EXTRACT_OPTIONS_INIT;
	if ((rc = iko_cli_parse(cli, argc, argv, opts, NULL, 0, NULL)))
		return rc;
	if (!xtable &&
	    (xj.eo.layout_path || xj.eo.input || xj.eo.gaiji_path || xj.eo.comp5 || strcmp(on_error, "reject")))
		return iko_cli_usage(cli, "--layout, --input, --gaiji, --comp5 and --on-error go with --extract TABLE");
	if (xtable && (!xj.eo.layout_path || !xj.eo.input))
		return iko_cli_usage(cli, "--extract needs --layout and --input");
	if (xtable && (rollback || strcmp(target, "postgres")))
		return iko_cli_usage(cli, "--extract loads into PostgreSQL: no --rollback or --target package");
	if (strcmp(on_error, "reject") && strcmp(on_error, "stop"))
		return iko_cli_usage(cli, "--on-error must be reject or stop, not %s", on_error);
	if (rollback && in)
		return iko_cli_usage(cli, "--rollback takes no --in");
	if (!schema || !lg || (!in && !rollback))
		return iko_cli_usage(cli, "--schema, --lg-code and --in are required");
	if (db && db_dir)
		return iko_cli_usage(cli, "--db and --db-dir exclude each other");
	if (strcmp(target, "postgres") && strcmp(target, "package"))
		return iko_cli_usage(cli, "--target %s: must be postgres or package", target);
	if (strcmp(header, "en") && strcmp(header, "ja"))
		return iko_cli_usage(cli, "--header %s: must be en or ja", header);
	if (!strcmp(target, "package")) {
		iko_package_options po = { NULL, lg, in, out, !strcmp(header, "ja"), NULL, NULL };
		iko_package_result pr;
		size_t i;
		if (!out)
			return iko_cli_usage(cli, "--target package needs --out FILE.zip");
		if (rollback || db || db_dir)
			return iko_cli_usage(cli, "--target package takes no --rollback, --db or --db-dir");
		if (!iko_lg_code_valid(lg, strlen(lg)))
			return iko_cli_usage(cli, "--lg-code %s: not a 6-digit 団体コード with a valid check digit", lg);
		if ((rc = iko_schema_load_spec(&s, schema))) {
			iko_cli_error("load");
			return IKO_EXIT_ERROR;
		}
		po.schema = s;
		rc = iko_package_write(&pr, &po);
		iko_schema_free(s);
		if (rc) {
			iko_cli_error("load");
			return IKO_EXIT_ERROR;
		}
		printf("package %s: %s %s, lg_code %s\n", out, pr.schema, pr.schema_version, lg);
		for (i = 0; i < pr.ntables; i++)
			printf("  %s.csv: %lld rows, sha256 %s\n", pr.tables[i].table, pr.tables[i].rows,
			       pr.tables[i].sha256);
		iko_package_result_release(&pr);
		return IKO_EXIT_OK;
	}
	if ((rc = iko_schema_load_spec(&s, schema))) {
		iko_cli_error("load");
		goto done;
	}
	if (xtable && (exit_code = extract_prepare(&xj, cli, s, in, xtable)) != 0)
		goto done;
	exit_code = IKO_EXIT_ERROR;
	lo.schema = s;
	lo.lg_code = lg;
	lo.in_dir = in;
	lo.run_id = run_id;
	lo.progress = iko_cli_progress;
	lo.payload = (void *)cli;
	if (xtable) {
		/* DIR/TABLE.csv named to the load before anything starts: it need not be there yet */
		if ((rc = iko_follow_new(&xj.follow)) ||
		    (rc = iko_follow_announce(xj.follow, xj.out, input_size(xj.eo.input)))) {
			iko_cli_error("load");
			goto done;
		}
		xj.eo.stop_on_error = !strcmp(on_error, "stop");
		xj.eo.follow = xj.follow;
		lo.follow = xj.follow;
		if ((rc = iko_load_check_inputs(&lo))) {
			iko_cli_error("load");
			goto done;
		}
	}
	/*
	 * Connected before the extract's thread starts: connecting may start the
	 * embedded server, which forks a child that must not inherit another
	 * thread's locks (as iko rehearse does).
	 */
	if ((rc = iko_db_connect(&conn, db, db_dir))) {
		iko_cli_error("load");
		goto done;
	}
	lo.conn = conn;
	/* beside the load, which reads the file as it is written; without a thread, before it */
	if (xtable) {
		if (iko_thread_start(&xth, extract_main, &xj) == 0)
			xstarted = 1;
		else
			extract_main(&xj);
	}
	rc = rollback ? iko_load_rollback(&res, &lo) : iko_load_routed(&res, &lo, &shard);
	iko_cli_progress_end(cli);
	if (rc)
		load_err = iko_strdup(iko_error_message());
	if (xtable) {
		/*
		 * A failed extract is the cause of the load's failure (the load
		 * swaps only once the extract has closed the file set as done).
		 */
		if (xstarted ? iko_thread_join(xth, &xj.rc, &xj.err) : xj.rc) {
			if (!xstarted)
				iko_error_set(xj.rc, "%s", xj.err ? xj.err : "out of memory");
			iko_cli_error("load");
			free(load_err);
			load_err = iko_aprintf("nothing loaded: the extract of %s failed; every table "
					       "of %s keeps its data", xtable, lg);
			rc = rc ? rc : IKO_ERROR;
		} else {
			iko_cli_extract_summary(xj.eo.input, &xj.st);
		}
	}
	if (rc) {
		iko_error_set(rc, "%s", load_err ? load_err : "out of memory");
		iko_cli_error("load");
		exit_code = rc == IKO_EINVAL ? IKO_EXIT_USAGE : IKO_EXIT_ERROR;
		goto done;
	}
	if (rollback)
		printf("rolled back %s for %s to the previous generation:\n", s->name, lg);
	if (shard)
		printf("loaded on shard %s (foreign partitions on the coordinator):\n", shard);
	print_result(&res, s->name, lg, cli);
	exit_code = xtable && xj.st.records_rejected ? IKO_EXIT_CHECKS : IKO_EXIT_OK;
done:
	if (xtable) {
		iko_extract_stats_release(&xj.st);
		iko_follow_free(xj.follow);
		free(xj.err);
		free(xj.out);
	}
	free(load_err);
	free(shard);
	iko_load_result_release(&res);
	PQfinish(conn);
	iko_schema_free(s);
	return exit_code;
}
