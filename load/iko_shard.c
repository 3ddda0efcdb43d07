/*
 * iko_shard.c — shards, the routing catalog and foreign partitions (see
 * iko_shard.h). DDL cannot take parameters: identifiers go through
 * iko_load_quote_ident and values through PQescapeLiteral; catalog reads
 * and writes use parameters.
 */
#include "iko_shard.h"

#include "iko_buf.h"
#include "iko_checkdigit.h"
#include "iko_error.h"

#include <stdlib.h>
#include <string.h>

static int exec(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);
	int rc = 0;

	if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK)
		rc = iko_error_set(IKO_EDB, "%s", PQresultErrorMessage(r));
	PQclear(r);
	return rc;
}

static int params(PGconn *c, const char *sql, int n, const char *const *p, PGresult **out)
{
	PGresult *r = PQexecParams(c, sql, n, NULL, p, NULL, NULL, 0);

	if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK) {
		int rc = iko_error_set(IKO_EDB, "%s", PQresultErrorMessage(r));
		PQclear(r);
		return rc;
	}
	if (out)
		*out = r;
	else
		PQclear(r);
	return 0;
}

static int literal(iko_buf *b, PGconn *c, const char *s)
{
	char *e = PQescapeLiteral(c, s, strlen(s));
	int rc;

	if (!e)
		return iko_error_set(IKO_EDB, "cannot quote a value: %s", PQerrorMessage(c));
	rc = iko_buf_puts(b, e);
	PQfreemem(e);
	return rc;
}

static int catalog(PGconn *c)
{
	return exec(c,
		"CREATE SCHEMA IF NOT EXISTS iko;\n"
		"CREATE TABLE IF NOT EXISTS iko.shards (name text PRIMARY KEY, dsn text NOT NULL,"
		" server text NOT NULL, added_at timestamptz NOT NULL DEFAULT now());\n"
		"CREATE TABLE IF NOT EXISTS iko.routing (lg_code text PRIMARY KEY,"
		" shard text NOT NULL REFERENCES iko.shards (name), placed_at timestamptz NOT NULL DEFAULT now());");
}

static int valid_name(const char *name)
{
	size_t i, n = strlen(name);

	if (n == 0 || n > 40)
		return 0;
	for (i = 0; i < n; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= '0' && name[i] <= '9') || name[i] == '_'))
			return 0;
	return 1;
}

int iko_shard_add(PGconn *coord, const char *name, const char *dsn)
{
	PQconninfoOption *opts, *o;
	char *err = NULL, server[64];
	iko_buf srv = IKO_BUF_INIT, um = IKO_BUF_INIT, sql = IKO_BUF_INIT;
	int nsrv = 0, num = 0, rc;
	const char *p[3];

	if (!valid_name(name))
		return iko_error_set(IKO_EINVAL, "shard name %s: use 1–40 of a-z, 0-9 and _", name);
	opts = PQconninfoParse(dsn, &err);
	if (!opts) {
		rc = iko_error_set(IKO_EINVAL, "not a connection string: %s", err ? err : dsn);
		PQfreemem(err);
		return rc;
	}
	snprintf(server, sizeof(server), "iko_shard_%s", name);
	rc = 0;
	for (o = opts; o->keyword && !rc; o++) {
		int is_user = !strcmp(o->keyword, "user") || !strcmp(o->keyword, "password");
		int is_srv = !strcmp(o->keyword, "host") || !strcmp(o->keyword, "hostaddr") ||
			     !strcmp(o->keyword, "port") || !strcmp(o->keyword, "dbname") ||
			     !strcmp(o->keyword, "sslmode");
		iko_buf *b = is_user ? &um : &srv;
		if (!o->val || !*o->val || (!is_user && !is_srv))
			continue;
		if ((is_user ? num++ : nsrv++) && (rc = iko_buf_puts(b, ", ")))
			break;
		if (!(rc = iko_buf_puts(b, o->keyword)) && !(rc = iko_buf_putc(b, ' ')))
			rc = literal(b, coord, o->val);
	}
	PQconninfoFree(opts);
	if (rc)
		goto done;
	p[0] = name;
	p[1] = dsn;
	p[2] = server;
	if ((rc = exec(coord, "BEGIN")) || (rc = exec(coord, "CREATE EXTENSION IF NOT EXISTS postgres_fdw")) ||
	    (rc = catalog(coord)) ||
	    (rc = params(coord, "INSERT INTO iko.shards (name, dsn, server) VALUES ($1, $2, $3)"
				" ON CONFLICT (name) DO UPDATE SET dsn = EXCLUDED.dsn", 3, p, NULL)))
		goto done;
	iko_buf_clear(&sql);
	if ((rc = iko_buf_puts(&sql, "DROP SERVER IF EXISTS ")) || (rc = iko_load_quote_ident(&sql, server)) ||
	    (rc = iko_buf_puts(&sql, " CASCADE")) || (rc = exec(coord, iko_buf_cstr(&sql))))
		goto done;
	iko_buf_clear(&sql);
	if ((rc = iko_buf_puts(&sql, "CREATE SERVER ")) || (rc = iko_load_quote_ident(&sql, server)) ||
	    (rc = iko_buf_puts(&sql, " FOREIGN DATA WRAPPER postgres_fdw")) ||
	    (nsrv && ((rc = iko_buf_puts(&sql, " OPTIONS (")) || (rc = iko_buf_puts(&sql, iko_buf_cstr(&srv))) ||
		      (rc = iko_buf_putc(&sql, ')')))) ||
	    (rc = exec(coord, iko_buf_cstr(&sql))))
		goto done;
	iko_buf_clear(&sql);
	if ((rc = iko_buf_puts(&sql, "CREATE USER MAPPING FOR CURRENT_USER SERVER ")) ||
	    (rc = iko_load_quote_ident(&sql, server)) ||
	    (num && ((rc = iko_buf_puts(&sql, " OPTIONS (")) || (rc = iko_buf_puts(&sql, iko_buf_cstr(&um))) ||
		     (rc = iko_buf_putc(&sql, ')')))) ||
	    (rc = exec(coord, iko_buf_cstr(&sql))))
		goto done;
	rc = exec(coord, "COMMIT");
done:
	if (rc)
		PQclear(PQexec(coord, "ROLLBACK"));
	iko_buf_release(&srv);
	iko_buf_release(&um);
	iko_buf_release(&sql);
	return rc;
}

int iko_shard_place(PGconn *coord, const char *lg_code, const char *name)
{
	const char *p[2] = { lg_code, name };
	PGresult *r = NULL;
	int rc;

	if (!lg_code || strlen(lg_code) != 6 || !iko_lg_code_valid(lg_code, 6))
		return iko_error_set(IKO_EINVAL, "not a valid 団体コード: %s", lg_code ? lg_code : "");
	if ((rc = catalog(coord)))
		return rc;
	if (!name)
		return params(coord, "DELETE FROM iko.routing WHERE lg_code = $1", 1, p, NULL);
	if ((rc = params(coord, "SELECT 1 FROM iko.shards WHERE name = $1", 1, p + 1, &r)))
		return rc;
	if (PQntuples(r) != 1) {
		PQclear(r);
		return iko_error_set(IKO_ENOTFOUND, "no shard named %s (add it with iko shard add)", name);
	}
	PQclear(r);
	return params(coord, "INSERT INTO iko.routing (lg_code, shard) VALUES ($1, $2)"
			     " ON CONFLICT (lg_code) DO UPDATE SET shard = EXCLUDED.shard, placed_at = now()",
		      2, p, NULL);
}

int iko_shard_list(PGconn *coord, iko_shard_row **out, size_t *n)
{
	PGresult *r = NULL;
	int i, rc;

	*out = NULL;
	*n = 0;
	if ((rc = catalog(coord)) ||
	    (rc = params(coord, "SELECT s.name, s.dsn, r.lg_code FROM iko.shards s"
				" LEFT JOIN iko.routing r ON r.shard = s.name ORDER BY s.name, r.lg_code",
			 0, NULL, &r)))
		return rc;
	*out = calloc((size_t)PQntuples(r) + 1, sizeof(**out));
	if (!*out) {
		PQclear(r);
		return iko_error_set(IKO_ENOMEM, "out of memory");
	}
	for (i = 0; i < PQntuples(r); i++) {
		iko_shard_row *row = &(*out)[(*n)++];
		row->shard = iko_strdup(PQgetvalue(r, i, 0));
		row->dsn = iko_strdup(PQgetvalue(r, i, 1));
		row->lg_code = PQgetisnull(r, i, 2) ? NULL : iko_strdup(PQgetvalue(r, i, 2));
	}
	PQclear(r);
	return 0;
}

void iko_shard_rows_free(iko_shard_row *rows, size_t n)
{
	size_t i;

	for (i = 0; rows && i < n; i++) {
		free(rows[i].lg_code);
		free(rows[i].shard);
		free(rows[i].dsn);
	}
	free(rows);
}

/* The shard lg_code is routed to: *name and *dsn, or both NULL. */
static int route(PGconn *coord, const char *lg, char **name, char **dsn, char **server)
{
	const char *p[1] = { lg };
	PGresult *r = NULL;
	int rc;

	*name = *dsn = *server = NULL;
	if ((rc = params(coord, "SELECT to_regclass('iko.routing') IS NOT NULL", 0, NULL, &r)))
		return rc;
	if (PQgetvalue(r, 0, 0)[0] != 't') {
		PQclear(r);
		return 0;
	}
	PQclear(r);
	if ((rc = params(coord, "SELECT s.name, s.dsn, s.server FROM iko.routing r JOIN iko.shards s"
				" ON s.name = r.shard WHERE r.lg_code = $1", 1, p, &r)))
		return rc;
	if (PQntuples(r) == 1) {
		*name = iko_strdup(PQgetvalue(r, 0, 0));
		*dsn = iko_strdup(PQgetvalue(r, 0, 1));
		*server = iko_strdup(PQgetvalue(r, 0, 2));
		if (!*name || !*dsn || !*server)
			rc = iko_error_set(IKO_ENOMEM, "out of memory");
	}
	PQclear(r);
	return rc;
}

/* relkind of schema.rel ('r', 'f', …) or 0 when it does not exist. */
static int relkind(PGconn *c, const char *schema, const char *rel, char *kind)
{
	const char *p[2] = { schema, rel };
	PGresult *r = NULL;
	int rc;

	*kind = 0;
	if ((rc = params(c, "SELECT c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
			    " WHERE n.nspname = $1 AND c.relname = $2", 2, p, &r)))
		return rc;
	if (PQntuples(r) == 1)
		*kind = PQgetvalue(r, 0, 0)[0];
	PQclear(r);
	return 0;
}

static int rel_sql(iko_buf *b, const char *head, const char *schema, const char *rel, const char *tail)
{
	iko_buf_clear(b);
	if (iko_buf_puts(b, head) || iko_load_quote_ident(b, schema) || iko_buf_putc(b, '.') ||
	    iko_load_quote_ident(b, rel) || iko_buf_puts(b, tail))
		return iko_error_set(IKO_EINVAL, "bad identifier %s.%s", schema, rel);
	return 0;
}

/* On the coordinator: <table>_<lg> becomes a foreign partition on the shard, for every table. */
static int attach_foreign(PGconn *coord, const iko_schema *s, const char *lg, const char *server)
{
	iko_buf sql = IKO_BUF_INIT;
	size_t i;
	int rc;

	if ((rc = exec(coord, "BEGIN")) || (rc = iko_load_ensure_schema(coord, s)))
		goto done;
	for (i = 0; i < s->ntables; i++) {
		const char *t = s->tables[i].name;
		char *cur = iko_aprintf("%s_%s", t, lg), *prev = iko_aprintf("%s_%s_prev", t, lg);
		char *cur_pk = iko_aprintf("%s_%s_pkey", t, lg), *prev_pk = iko_aprintf("%s_%s_prev_pkey", t, lg);
		char kind;
		if (!cur || !prev || !cur_pk || !prev_pk) {
			free(cur);
			free(prev);
			free(cur_pk);
			free(prev_pk);
			rc = iko_error_set(IKO_ENOMEM, "out of memory");
			goto done;
		}
		rc = relkind(coord, s->name, cur, &kind);
		if (!rc && kind == 'f' && !(rc = rel_sql(&sql, "DROP FOREIGN TABLE ", s->name, cur, "")))
			rc = exec(coord, iko_buf_cstr(&sql));
		if (!rc && kind == 'r') {
			/* the local generation stays beside it as _prev; the one
			 * before is set aside and dropped after the commit, as a
			 * load's swap does */
			if (!(rc = iko_load_set_aside(coord, s, t, lg)) &&
			    !(rc = rel_sql(&sql, "ALTER TABLE ", s->name, t, " DETACH PARTITION ")) &&
			    !(rc = iko_load_quote_ident(&sql, s->name) ? IKO_EINVAL : 0) &&
			    !(rc = iko_buf_putc(&sql, '.') ? IKO_ENOMEM : 0) &&
			    !(rc = iko_load_quote_ident(&sql, cur) ? IKO_EINVAL : 0) &&
			    !(rc = exec(coord, iko_buf_cstr(&sql))) &&
			    !(rc = rel_sql(&sql, "ALTER TABLE ", s->name, cur, " RENAME TO ")) &&
			    !(rc = iko_load_quote_ident(&sql, prev) ? IKO_EINVAL : 0) &&
			    !(rc = exec(coord, iko_buf_cstr(&sql))) &&
			    !(rc = rel_sql(&sql, "ALTER INDEX IF EXISTS ", s->name, cur_pk, " RENAME TO ")) &&
			    !(rc = iko_load_quote_ident(&sql, prev_pk) ? IKO_EINVAL : 0))
				rc = exec(coord, iko_buf_cstr(&sql));
		}
		if (!rc && !(rc = rel_sql(&sql, "CREATE FOREIGN TABLE ", s->name, cur, " PARTITION OF ")) &&
		    !(rc = iko_load_quote_ident(&sql, s->name) ? IKO_EINVAL : 0) &&
		    !(rc = iko_buf_putc(&sql, '.') ? IKO_ENOMEM : 0) &&
		    !(rc = iko_load_quote_ident(&sql, t) ? IKO_EINVAL : 0) &&
		    !(rc = iko_buf_puts(&sql, " FOR VALUES IN (") ? IKO_ENOMEM : 0) &&
		    !(rc = literal(&sql, coord, lg)) &&
		    !(rc = iko_buf_puts(&sql, ") SERVER ") ? IKO_ENOMEM : 0) &&
		    !(rc = iko_load_quote_ident(&sql, server) ? IKO_EINVAL : 0) &&
		    !(rc = iko_buf_puts(&sql, " OPTIONS (schema_name ") ? IKO_ENOMEM : 0) &&
		    !(rc = literal(&sql, coord, s->name)) &&
		    !(rc = iko_buf_puts(&sql, ", table_name ") ? IKO_ENOMEM : 0) &&
		    !(rc = literal(&sql, coord, cur)) &&
		    !(rc = iko_buf_putc(&sql, ')') ? IKO_ENOMEM : 0))
			rc = exec(coord, iko_buf_cstr(&sql));
		free(cur);
		free(prev);
		free(cur_pk);
		free(prev_pk);
		if (rc)
			goto done;
	}
	if ((rc = exec(coord, "COMMIT")))
		goto done;
	/* committed: nothing to roll back; what was set aside goes now */
	if ((rc = iko_load_drop_old(coord, s, lg)))
		rc = iko_error_set(rc, "the foreign partitions are attached, but: %s", iko_error_message());
	iko_buf_release(&sql);
	return rc;
done:
	if (rc)
		PQclear(PQexec(coord, "ROLLBACK"));
	iko_buf_release(&sql);
	return rc;
}

static int coord_history(PGconn *coord, const iko_load_options *o, const iko_load_result *res,
			 const char *shard)
{
	char rows[32], kind[80];
	const char *p[6];
	size_t i;
	int rc = exec(coord, "CREATE SCHEMA IF NOT EXISTS iko;\n"
		"CREATE TABLE IF NOT EXISTS iko.load_history (run_id text, schema_name text NOT NULL,"
		" table_name text NOT NULL, lg_code text NOT NULL, rows bigint NOT NULL,"
		" loaded_at timestamptz NOT NULL DEFAULT now());\n"
		"ALTER TABLE iko.load_history ADD COLUMN IF NOT EXISTS kind text NOT NULL DEFAULT 'load';");

	snprintf(kind, sizeof(kind), "load@%s", shard);
	for (i = 0; i < res->ntables && !rc; i++) {
		snprintf(rows, sizeof(rows), "%lld", res->tables[i].rows);
		p[0] = o->run_id;
		p[1] = o->schema->name;
		p[2] = res->tables[i].table;
		p[3] = o->lg_code;
		p[4] = rows;
		p[5] = kind;
		rc = params(coord, "INSERT INTO iko.load_history (run_id, schema_name, table_name, lg_code, rows, kind)"
				   " VALUES ($1, $2, $3, $4, $5, $6)", 6, p, NULL);
	}
	return rc;
}

int iko_load_routed(iko_load_result *out, const iko_load_options *opts, char **shard)
{
	char *name = NULL, *dsn = NULL, *server = NULL;
	iko_load_options so;
	PGconn *sc = NULL;
	int rc;

	if (shard)
		*shard = NULL;
	memset(out, 0, sizeof(*out));
	if ((rc = route(opts->conn, opts->lg_code, &name, &dsn, &server)))
		return rc;
	if (!name)
		return iko_load_run(out, opts);
	sc = PQconnectdb(dsn);
	if (PQstatus(sc) != CONNECTION_OK) {
		rc = iko_error_set(IKO_EDB, "cannot connect to shard %s: %s", name, PQerrorMessage(sc));
		goto done;
	}
	so = *opts;
	so.conn = sc;
	so.defer_analyze = 0; /* on the shard's server, before its swap */
	so.defer_drop = 0;
	if ((rc = iko_load_run(out, &so)))
		goto done;
	if ((rc = attach_foreign(opts->conn, opts->schema, opts->lg_code, server)) ||
	    (rc = coord_history(opts->conn, opts, out, name))) {
		/* the shard holds the new data; the coordinator could not follow */
		char *why = iko_strdup(iko_error_message());
		rc = iko_error_set(rc, "loaded on shard %s, but the coordinator could not attach it: %s",
				   name, why ? why : "?");
		free(why);
		iko_load_result_release(out);
		goto done;
	}
	if (shard) {
		*shard = name;
		name = NULL;
	}
done:
	PQfinish(sc);
	free(name);
	free(dsn);
	free(server);
	return rc;
}
