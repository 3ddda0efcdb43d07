/*
 * cmd_load.c — `iko load`: validated CSV into PostgreSQL, one partition per
 * municipality, swapped in atomically. Thin front end over load/iko_load.h.
 */
#include "cli.h"

#include "iko_checkdigit.h"
#include "iko_db.h"
#include "iko_error.h"
#include "iko_load.h"
#include "iko_package.h"
#include "iko_shard.h"
#include "iko_schema.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char cmd_load_usage[] =
	"usage: iko load --schema NAME|FILE --lg-code CODE --in DIR\n"
	"                [--db DSN | --db-dir DIR] [--run-id ID]\n"
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
	"exit codes: 0 loaded, 1 error (nothing changed), 2 usage.\n";

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

int cmd_load(int argc, char **argv, const iko_cli *cli)
{
	const char *db = NULL, *db_dir = NULL, *schema = NULL, *lg = NULL, *in = NULL,
		   *run_id = NULL;
	int rollback = 0;
	char *shard = NULL;
	const char *target = "postgres", *out = NULL, *header = "en";
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
		{ NULL, IKO_OPT_FLAG, NULL },
	};
	iko_load_options lo = IKO_LOAD_OPTIONS_INIT;
	iko_load_result res = { 0, NULL, 0, 0, 0 };
	iko_schema *s = NULL;
	PGconn *conn = NULL;
	int rc, exit_code = IKO_EXIT_ERROR;

	if ((rc = iko_cli_parse(cli, argc, argv, opts, NULL, 0, NULL)))
		return rc;
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
	if ((rc = iko_db_connect(&conn, db, db_dir))) {
		iko_cli_error("load");
		goto done;
	}
	lo.conn = conn;
	lo.schema = s;
	lo.lg_code = lg;
	lo.in_dir = in;
	lo.run_id = run_id;
	lo.progress = iko_cli_progress;
	lo.payload = (void *)cli;
	rc = rollback ? iko_load_rollback(&res, &lo) : iko_load_routed(&res, &lo, &shard);
	iko_cli_progress_end(cli);
	if (rc) {
		iko_cli_error("load");
		exit_code = rc == IKO_EINVAL ? IKO_EXIT_USAGE : IKO_EXIT_ERROR;
		goto done;
	}
	if (rollback)
		printf("rolled back %s for %s to the previous generation:\n", s->name, lg);
	if (shard)
		printf("loaded on shard %s (foreign partitions on the coordinator):\n", shard);
	print_result(&res, s->name, lg, cli);
	exit_code = IKO_EXIT_OK;
done:
	free(shard);
	iko_load_result_release(&res);
	PQfinish(conn);
	iko_schema_free(s);
	return exit_code;
}
