/*
 * iko_roles.c — municipality roles with row-level security and the loader
 * role (see iko_roles.h).
 */
#include "iko_roles.h"

#include "iko_buf.h"
#include "iko_checkdigit.h"
#include "iko_error.h"
#include "iko_load.h"

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

/* Rows of a one-column query with up to one parameter, as strings. */
static int strings(PGconn *c, const char *sql, const char *param, char ***out, size_t *n)
{
	const char *params[1] = { param };
	PGresult *r = PQexecParams(c, sql, param ? 1 : 0, NULL, params, NULL, NULL, 0);
	int i, rc = 0;

	*out = NULL;
	*n = 0;
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		rc = iko_error_set(IKO_EDB, "%s", PQresultErrorMessage(r));
		goto done;
	}
	*out = calloc((size_t)PQntuples(r) + 1, sizeof(char *));
	if (!*out) {
		rc = iko_error_set(IKO_ENOMEM, "out of memory");
		goto done;
	}
	for (i = 0; i < PQntuples(r); i++)
		if (!((*out)[(*n)++] = iko_strdup(PQgetvalue(r, i, 0)))) {
			rc = iko_error_set(IKO_ENOMEM, "out of memory");
			goto done;
		}
done:
	PQclear(r);
	return rc;
}

static void free_strings(char **s, size_t n)
{
	size_t i;

	for (i = 0; s && i < n; i++)
		free(s[i]);
	free(s);
}

/* CREATE ROLE name LOGIN [BYPASSRLS] unless it exists. */
static int ensure_role(PGconn *c, const char *name, int bypass)
{
	char **found = NULL;
	size_t n = 0;
	iko_buf sql = IKO_BUF_INIT;
	int rc;

	if ((rc = strings(c, "SELECT rolname FROM pg_roles WHERE rolname = $1", name, &found, &n)))
		return rc;
	free_strings(found, n);
	if (n)
		return 0;
	if (!(rc = iko_buf_puts(&sql, "CREATE ROLE ")) && !(rc = iko_load_quote_ident(&sql, name)) &&
	    !(rc = iko_buf_puts(&sql, bypass ? " LOGIN BYPASSRLS" : " LOGIN NOBYPASSRLS")))
		rc = exec(c, iko_buf_cstr(&sql));
	iko_buf_release(&sql);
	return rc;
}

/* head + "schema"."table" + tail */
static int on_table(PGconn *c, iko_buf *sql, const char *head, const char *schema,
		    const char *table, const char *tail)
{
	iko_buf_clear(sql);
	if (iko_buf_puts(sql, head) || iko_load_quote_ident(sql, schema) || iko_buf_putc(sql, '.') ||
	    iko_load_quote_ident(sql, table) || iko_buf_puts(sql, tail))
		return iko_error_set(IKO_EINVAL, "bad identifier %s.%s", schema, table);
	return exec(c, iko_buf_cstr(sql));
}

static int grant(PGconn *c, iko_buf *sql, const char *what, const char *to)
{
	iko_buf_clear(sql);
	if (iko_buf_puts(sql, what) || iko_buf_puts(sql, " TO ") || iko_load_quote_ident(sql, to))
		return iko_error_set(IKO_EINVAL, "bad role name %s", to);
	return exec(c, iko_buf_cstr(sql));
}

static int schema_clause(iko_buf *b, const char *head, const char *schema, const char *tail)
{
	iko_buf_clear(b);
	return iko_buf_puts(b, head) || iko_load_quote_ident(b, schema) || iko_buf_puts(b, tail);
}

int iko_roles_apply(iko_roles_result *out, PGconn *conn, const char *const *schemas,
		    size_t nschemas, const char *const *lg_codes, size_t nlg)
{
	char **sch = NULL, **lgs = NULL, **tabs = NULL;
	size_t ns = 0, nl = 0, nt = 0, i, k, t;
	iko_buf sql = IKO_BUF_INIT, what = IKO_BUF_INIT;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (nschemas) {
		sch = calloc(nschemas + 1, sizeof(char *));
		for (i = 0; sch && i < nschemas; i++)
			sch[ns++] = iko_strdup(schemas[i]);
	} else if ((rc = strings(conn, "SELECT DISTINCT schema_name FROM iko.load_history ORDER BY 1",
				 NULL, &sch, &ns))) {
		goto done;
	}
	if (nlg) {
		lgs = calloc(nlg + 1, sizeof(char *));
		for (i = 0; lgs && i < nlg; i++)
			lgs[nl++] = iko_strdup(lg_codes[i]);
	} else if ((rc = strings(conn, "SELECT DISTINCT lg_code FROM iko.load_history ORDER BY 1",
				 NULL, &lgs, &nl))) {
		goto done;
	}
	if (!sch || !lgs) {
		rc = iko_error_set(IKO_ENOMEM, "out of memory");
		goto done;
	}
	for (i = 0; i < nl; i++)
		if (!lgs[i] || strlen(lgs[i]) != 6 || !iko_lg_code_valid(lgs[i], 6)) {
			rc = iko_error_set(IKO_EINVAL, "not a valid 団体コード: %s", lgs[i] ? lgs[i] : "");
			goto done;
		}
	out->roles = calloc(nl + 1, sizeof(char *));
	if (!out->roles) {
		rc = iko_error_set(IKO_ENOMEM, "out of memory");
		goto done;
	}
	if ((rc = exec(conn, "BEGIN")) ||
	    (rc = exec(conn, "CREATE SCHEMA IF NOT EXISTS iko")) ||
	    (rc = exec(conn,
		"CREATE OR REPLACE FUNCTION iko.current_lg() RETURNS text LANGUAGE sql STABLE AS $f$"
		" SELECT CASE WHEN current_user ~ '^iko_lg_[0-9]{6}$' THEN substr(current_user, 8) END $f$")) ||
	    (rc = ensure_role(conn, "iko_loader", 1)) ||
	    (rc = grant(conn, &sql, "GRANT USAGE, CREATE ON SCHEMA iko", "iko_loader")))
		goto done;
	for (i = 0; i < nl; i++) {
		char role[16];
		snprintf(role, sizeof(role), "iko_lg_%s", lgs[i]);
		if ((rc = ensure_role(conn, role, 0)) ||
		    (rc = grant(conn, &sql, "GRANT USAGE ON SCHEMA iko", role)) ||
		    (rc = grant(conn, &sql, "GRANT EXECUTE ON FUNCTION iko.current_lg()", role)))
			goto done;
		if (!(out->roles[out->nroles++] = iko_strdup(role))) {
			rc = iko_error_set(IKO_ENOMEM, "out of memory");
			goto done;
		}
	}
	for (k = 0; k < ns; k++) {
		/* the partitioned parents of the schema */
		free_strings(tabs, nt);
		tabs = NULL;
		if ((rc = strings(conn, "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
					" WHERE n.nspname = $1 AND c.relkind = 'p' ORDER BY 1", sch[k], &tabs, &nt)))
			goto done;
		if ((rc = schema_clause(&what, "GRANT USAGE, CREATE ON SCHEMA ", sch[k], "") ? IKO_EINVAL : 0) ||
		    (rc = grant(conn, &sql, iko_buf_cstr(&what), "iko_loader")))
			goto done;
		for (i = 0; i < nl; i++) {
			if ((rc = schema_clause(&what, "GRANT USAGE ON SCHEMA ", sch[k], "") ? IKO_EINVAL : 0) ||
			    (rc = grant(conn, &sql, iko_buf_cstr(&what), out->roles[i])))
				goto done;
		}
		for (t = 0; t < nt; t++) {
			if ((rc = on_table(conn, &sql, "ALTER TABLE ", sch[k], tabs[t], " ENABLE ROW LEVEL SECURITY")) ||
			    (rc = on_table(conn, &sql, "DROP POLICY IF EXISTS iko_tenant ON ", sch[k], tabs[t], "")) ||
			    (rc = on_table(conn, &sql, "CREATE POLICY iko_tenant ON ", sch[k], tabs[t],
					   " USING (lg_code = iko.current_lg()) WITH CHECK (lg_code = iko.current_lg())")))
				goto done;
			iko_buf_clear(&what);
			if ((rc = (iko_buf_puts(&what, "GRANT ALL ON TABLE ") || iko_load_quote_ident(&what, sch[k]) ||
				   iko_buf_putc(&what, '.') || iko_load_quote_ident(&what, tabs[t])) ? IKO_EINVAL : 0) ||
			    (rc = grant(conn, &sql, iko_buf_cstr(&what), "iko_loader")))
				goto done;
			iko_buf_clear(&what);
			if (iko_buf_puts(&what, "GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE ") ||
			    iko_load_quote_ident(&what, sch[k]) || iko_buf_putc(&what, '.') ||
			    iko_load_quote_ident(&what, tabs[t])) {
				rc = IKO_ENOMEM;
				goto done;
			}
			for (i = 0; i < nl; i++)
				if ((rc = grant(conn, &sql, iko_buf_cstr(&what), out->roles[i])))
					goto done;
			out->ntables++;
		}
	}
	rc = exec(conn, "COMMIT");
done:
	if (rc)
		PQclear(PQexec(conn, "ROLLBACK"));
	free_strings(sch, ns);
	free_strings(lgs, nl);
	free_strings(tabs, nt);
	iko_buf_release(&sql);
	iko_buf_release(&what);
	if (rc)
		iko_roles_result_release(out);
	return rc;
}

void iko_roles_result_release(iko_roles_result *r)
{
	size_t i;

	for (i = 0; r && r->roles && i < r->nroles; i++)
		free(r->roles[i]);
	if (r) {
		free(r->roles);
		memset(r, 0, sizeof(*r));
	}
}
