/*
 * sqllog.c — LD_PRELOAD shim for tests/e2e/sql_safety.sh: appends the text
 * of every SQL statement iko sends through libpq (PQexec, PQexecParams,
 * PQprepare, PQsendQuery, PQsendQueryParams, PQsendPrepare) to the file
 * named by IKO_SQL_LOG, one statement per record ended by "\n;;\n", and
 * passes the call on. Parameters and COPY data are not statement text, so
 * a value that shows up in the log was spliced into SQL.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void log_sql(const char *sql)
{
	const char *path = getenv("IKO_SQL_LOG");
	int fd;
	ssize_t w;

	if (!path || !sql)
		return;
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	w = write(fd, sql, strlen(sql));
	w = write(fd, "\n;;\n", 4);
	(void)w;
	close(fd);
}

#define NEXT(name) ((__typeof__(&name))dlsym(RTLD_NEXT, #name))

PGresult *PQexec(PGconn *conn, const char *query)
{
	log_sql(query);
	return NEXT(PQexec)(conn, query);
}

PGresult *PQexecParams(PGconn *conn, const char *command, int nParams, const Oid *paramTypes,
		       const char *const *paramValues, const int *paramLengths, const int *paramFormats,
		       int resultFormat)
{
	log_sql(command);
	return NEXT(PQexecParams)(conn, command, nParams, paramTypes, paramValues, paramLengths, paramFormats,
				  resultFormat);
}

PGresult *PQprepare(PGconn *conn, const char *stmtName, const char *query, int nParams, const Oid *paramTypes)
{
	log_sql(query);
	return NEXT(PQprepare)(conn, stmtName, query, nParams, paramTypes);
}

int PQsendQuery(PGconn *conn, const char *query)
{
	log_sql(query);
	return NEXT(PQsendQuery)(conn, query);
}

int PQsendQueryParams(PGconn *conn, const char *command, int nParams, const Oid *paramTypes,
		      const char *const *paramValues, const int *paramLengths, const int *paramFormats,
		      int resultFormat)
{
	log_sql(command);
	return NEXT(PQsendQueryParams)(conn, command, nParams, paramTypes, paramValues, paramLengths,
				       paramFormats, resultFormat);
}

int PQsendPrepare(PGconn *conn, const char *stmtName, const char *query, int nParams, const Oid *paramTypes)
{
	log_sql(query);
	return NEXT(PQsendPrepare)(conn, stmtName, query, nParams, paramTypes);
}
