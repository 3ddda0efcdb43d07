/*
 * cmd_shard.c — `iko shard`: place municipalities on other PostgreSQL
 * servers (postgres_fdw foreign partitions, routing catalog).
 */
#include "cli.h"

#include "iko_db.h"
#include "iko_error.h"
#include "iko_shard.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char cmd_shard_usage[] =
	"usage: iko shard add NAME DSN      [--db DSN | --dir DIR]\n"
	"       iko shard place LG_CODE NAME [--db DSN | --dir DIR]\n"
	"       iko shard unplace LG_CODE    [--db DSN | --dir DIR]\n"
	"       iko shard list               [--db DSN | --dir DIR]\n\n"
	"Scale out on existing engines: the coordinator (--db, or the embedded\n"
	"server under --dir) keeps the parent tables; a municipality placed on a\n"
	"shard has its partitions on that server, attached on the coordinator as\n"
	"postgres_fdw foreign partitions. Its loads (iko load, iko rehearse) go\n"
	"straight to the shard, all or nothing as on the coordinator, and queries\n"
	"on the coordinator's parent tables reach them. See docs/scale-out.md.\n\n"
	"  add NAME DSN      register a shard (catalog iko.shards, foreign server\n"
	"                    iko_shard_NAME, user mapping from the DSN's user and\n"
	"                    password); NAME is 1-40 of a-z 0-9 _\n"
	"  place LG NAME     route a municipality to a shard (iko.routing); its next\n"
	"                    load goes there and replaces the local partition, which\n"
	"                    is kept as <table>_<LG>_prev\n"
	"  unplace LG        route it back to the coordinator (its next load is local)\n"
	"  list              shards and the municipalities on each\n";

int cmd_shard(int argc, char **argv, const iko_cli *cli)
{
	const char *db = NULL, *dir = NULL, *pos[3] = { NULL, NULL, NULL };
	const iko_opt opts[] = {
		{ "db", IKO_OPT_STR, &db }, { "dir", IKO_OPT_STR, &dir }, { NULL, IKO_OPT_FLAG, NULL },
	};
	PGconn *conn = NULL;
	int npos = 0, rc, want;

	if ((rc = iko_cli_parse(cli, argc, argv, opts, pos, 3, &npos)))
		return rc;
	if (npos < 1)
		return iko_cli_usage(cli, "missing action (add, place, unplace, list)");
	want = !strcmp(pos[0], "add") || !strcmp(pos[0], "place") ? 3
	       : !strcmp(pos[0], "unplace") ? 2 : !strcmp(pos[0], "list") ? 1 : 0;
	if (!want)
		return iko_cli_usage(cli, "unknown action %s (add, place, unplace, list)", pos[0]);
	if (npos != want)
		return iko_cli_usage(cli, "%s: wrong number of arguments", pos[0]);
	if (db && dir)
		return iko_cli_usage(cli, "--db and --dir exclude each other");
	if ((rc = iko_db_connect(&conn, db, dir))) {
		iko_cli_error("shard");
		return iko_cli_exit_for(rc);
	}
	if (!strcmp(pos[0], "add")) {
		rc = iko_shard_add(conn, pos[1], pos[2]);
		if (!rc)
			printf("shard %s added (foreign server iko_shard_%s)\n", pos[1], pos[1]);
	} else if (!strcmp(pos[0], "place") || !strcmp(pos[0], "unplace")) {
		rc = iko_shard_place(conn, pos[1], pos[0][0] == 'p' ? pos[2] : NULL);
		if (!rc)
			printf(pos[0][0] == 'p' ? "%s placed on shard %s (from its next load)\n"
						: "%s back on the coordinator (from its next load)%s\n",
			       pos[1], pos[0][0] == 'p' ? pos[2] : "");
	} else {
		iko_shard_row *rows = NULL;
		size_t n = 0, i;
		rc = iko_shard_list(conn, &rows, &n);
		for (i = 0; !rc && i < n; i++)
			printf("%-16s %-8s %s\n", rows[i].shard, rows[i].lg_code ? rows[i].lg_code : "-",
			       rows[i].dsn);
		iko_shard_rows_free(rows, n);
	}
	PQfinish(conn);
	if (rc) {
		iko_cli_error("shard");
		return rc == IKO_EINVAL ? IKO_EXIT_USAGE : iko_cli_exit_for(rc);
	}
	return IKO_EXIT_OK;
}
