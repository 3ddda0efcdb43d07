/*
 * cmd_db.c — `iko db start|stop|status|url`: the embedded PostgreSQL server.
 *
 * Thin front end over load/iko_db.h; see docs/load.md.
 */
#include "cli.h"

#include "iko_db.h"
#include "iko_error.h"
#include "iko_roles.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char cmd_db_usage[] =
	"usage: iko db start  [--dir DIR]\n"
	"       iko db stop   [--dir DIR]\n"
	"       iko db status [--dir DIR]\n"
	"       iko db url    [--dir DIR]\n"
	"       iko db roles  [--dir DIR | --db DSN] [--schema NAME]... [--lg-code CODE]...\n"
	"\n"
	"Manage the embedded PostgreSQL server that `iko load`, `iko reconcile`\n"
	"and `iko rehearse` use when no --db is given. The server is a private\n"
	"cluster under DIR, listening only on a unix socket in DIR/socket (no TCP),\n"
	"with trust authentication for that socket, a role `iko` and a database\n"
	"`iko`. It is created on the first start. As root, the server runs as the\n"
	"`postgres` system user (or `nobody`); if that user cannot reach DIR, or\n"
	"the socket path would be too long, the cluster is placed in\n"
	"/var/tmp/iko-pg-<hash> and DIR/cluster.path names it. A cluster already\n"
	"in DIR/data is never placed elsewhere: if the server user can no longer\n"
	"reach it, start fails and says so.\n"
	"\n"
	"actions:\n"
	"  start    create the cluster if needed, start the server and wait until\n"
	"           it accepts connections; print the connection string.\n"
	"           Already running is fine.\n"
	"  stop     stop the server (fast shutdown). Already stopped is fine.\n"
	"  status   print `status: running` or `status: stopped`, the url and the\n"
	"           data directory; exit 0 if running, 3 if stopped.\n"
	"  url      print the libpq connection string (usable by psql), whether\n"
	"           or not the server is running.\n"
	"  roles    tenant isolation: one role iko_lg_<CODE> per municipality that\n"
	"           reads and changes only its own lg_code's rows (row-level\n"
	"           security policy iko_tenant on every parent table; partitions\n"
	"           are never granted), and iko_loader, exempt from the policy\n"
	"           (BYPASSRLS: COPY is not allowed under RLS). Default: every\n"
	"           schema and municipality in iko.load_history. Idempotent; run\n"
	"           it again after new schemas or municipalities are loaded.\n"
	"\n"
	"options:\n"
	"  --dir DIR   cluster directory (default .iko/pg)\n"
	"  --db DSN    (roles) another PostgreSQL server instead of the embedded one\n"
	"  --schema S  (roles) only this standard schema (repeatable)\n"
	"  --lg-code C (roles) only this municipality (repeatable)\n"
	"\n"
	"The newest /usr/lib/postgresql/<version>/bin is used; set IKO_PG_BINDIR\n"
	"to use another directory of server programs.\n"
	"The client library (libpq.so.5) is loaded when a command first needs it;\n"
	"set IKO_LIBPQ to load another file.\n"
	"\n"
	"examples:\n"
	"  iko db start\n"
	"  psql \"$(iko db url)\" -c 'select count(*) from jumin.resident'\n"
	"  iko db status --dir work/pg\n"
	"  iko db stop\n"
	"\n"
	"exit codes: 0 ok, 1 error, 2 usage, 3 (status) server stopped.\n";

static int do_status(const char *dir, int print_all)
{
	char *url = NULL, *data = NULL;
	int running = 0, rc;

	if ((rc = iko_db_status(&running, &url, dir)) ||
	    (print_all && (rc = iko_db_data_dir(&data, dir)))) {
		iko_cli_error(print_all ? "db status" : "db url");
		free(url);
		return iko_cli_exit_for(rc);
	}
	if (print_all)
		printf("status: %s\nurl: %s\ndata: %s\n", running ? "running" : "stopped",
		       url, data);
	else
		printf("%s\n", url);
	free(url);
	free(data);
	if (print_all && !running)
		return IKO_EXIT_CHECKS;
	return IKO_EXIT_OK;
}

static int do_roles(const char *dir, const char *db, const iko_strlist *schemas,
		    const iko_strlist *lgs)
{
	PGconn *conn = NULL;
	iko_roles_result r;
	size_t i;
	int rc;

	if (db && dir) {
		fprintf(stderr, "iko: db roles: --db and --dir exclude each other\n");
		return IKO_EXIT_USAGE;
	}
	if ((rc = iko_db_connect(&conn, db, dir)) ||
	    (rc = iko_roles_apply(&r, conn, (const char *const *)schemas->items, (size_t)schemas->n,
				  (const char *const *)lgs->items, (size_t)lgs->n))) {
		iko_cli_error("db roles");
		PQfinish(conn);
		return iko_cli_exit_for(rc);
	}
	PQfinish(conn);
	printf("roles: %zu municipality roles, %zu tables under row-level security, loader iko_loader\n",
	       r.nroles, r.ntables);
	for (i = 0; i < r.nroles; i++)
		printf("  %s\n", r.roles[i]);
	iko_roles_result_release(&r);
	return IKO_EXIT_OK;
}

int cmd_db(int argc, char **argv, const iko_cli *cli)
{
	const char *dir = NULL, *db = NULL, *pos[1];
	iko_strlist schemas = { { NULL }, 0 }, lgs = { { NULL }, 0 };
	const iko_opt opts[] = {
		{ "dir", IKO_OPT_STR, &dir },
		{ "db", IKO_OPT_STR, &db },
		{ "schema", IKO_OPT_LIST, &schemas },
		{ "lg-code", IKO_OPT_LIST, &lgs },
		{ NULL, IKO_OPT_FLAG, NULL },
	};
	char *url = NULL;
	int npos = 0, rc;

	if ((rc = iko_cli_parse(cli, argc, argv, opts, pos, 1, &npos)))
		return rc;
	if (npos != 1)
		return iko_cli_usage(cli, "expected one action: start, stop, status or url");
	if (dir && !*dir)
		return iko_cli_usage(cli, "--dir must not be empty");
	if (strcmp(pos[0], "roles") && (db || schemas.n || lgs.n))
		return iko_cli_usage(cli, "--db, --schema and --lg-code go with roles only");
	if (!strcmp(pos[0], "roles"))
		return do_roles(dir, db, &schemas, &lgs);
	if (!strcmp(pos[0], "start")) {
		if ((rc = iko_db_start(&url, dir))) {
			iko_cli_error("db start");
			return iko_cli_exit_for(rc);
		}
		printf("%s\n", url);
		free(url);
		return IKO_EXIT_OK;
	}
	if (!strcmp(pos[0], "stop")) {
		if ((rc = iko_db_stop(dir))) {
			iko_cli_error("db stop");
			return iko_cli_exit_for(rc);
		}
		return IKO_EXIT_OK;
	}
	if (!strcmp(pos[0], "status"))
		return do_status(dir, 1);
	if (!strcmp(pos[0], "url"))
		return do_status(dir, 0);
	return iko_cli_usage(cli, "unknown action: %s", pos[0]);
}
