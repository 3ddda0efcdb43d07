/*
 * iko_libpq.c — libpq, loaded when a command first needs it.
 *
 * libpq.so.5 brings two dozen libraries with it (OpenSSL, Kerberos,
 * OpenLDAP, GnuTLS, …), and mapping and relocating them was most of every
 * iko command's start: 16 ms for `iko version`, 12 % of an extract of a
 * 100k-resident JUMIN.DAT, against 6 ms without them. So iko is not linked
 * with libpq: the functions it calls are defined here, with libpq-fe.h's
 * prototypes (the compiler checks them against the header), and each calls
 * the library's own, which the first call loads (dlopen, once for the
 * process) and looks up (by the global scope, so an LD_PRELOAD shim such
 * as tests/tools/sqllog.c still sees every call).
 *
 * IKO_LIBPQ, when set, names the file to load instead of libpq.so.5.
 * When the library cannot be loaded, the connecting functions fail the way
 * libpq fails to connect (NULL, CONNECTION_BAD, PQPING_NO_ATTEMPT) and
 * PQerrorMessage(NULL) says why; the others are only reached with a
 * connection or a result, which then cannot exist. The loading itself is
 * common/iko_dynlib.c's, as for libzip and libxlsxwriter.
 */
#include "iko_db.h"
#include "iko_dynlib.h"
#include "iko_error.h"

#include <libpq-fe.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static iko_dynlib pq = IKO_DYNLIB_INIT("libpq.so.5", "IKO_LIBPQ", "the PostgreSQL client library", "libpq5", 1);

/* Why libpq cannot be loaded, as libpq's messages end: with a newline. */
static pthread_once_t why_once = PTHREAD_ONCE_INIT;
static char why_nl[sizeof(pq.why) + 2];

static void make_why(void)
{
	snprintf(why_nl, sizeof(why_nl), "%s\n", iko_dynlib_why(&pq));
}

static char *why(void)
{
	pthread_once(&why_once, make_why);
	return why_nl;
}

int iko_libpq_load(void)
{
	if (iko_dynlib_loaded(&pq))
		return 0;
	return iko_error_set(IKO_EDB, "%s", iko_dynlib_why(&pq));
}

#define FN(ret, name, params, args, fail) IKO_DYN_FN(pq, ret, name, params, args, fail)
#define VFN(name, params, args) IKO_DYN_VFN(pq, name, params, args)

/* connecting */
FN(PGconn *, PQconnectdb, (const char *conninfo), (conninfo), NULL)
FN(PGconn *, PQconnectdbParams, (const char *const *keywords, const char *const *values, int expand_dbname),
   (keywords, values, expand_dbname), NULL)
FN(PGPing, PQping, (const char *conninfo), (conninfo), PQPING_NO_ATTEMPT)
FN(ConnStatusType, PQstatus, (const PGconn *conn), (conn), CONNECTION_BAD)
FN(PGTransactionStatusType, PQtransactionStatus, (const PGconn *conn), (conn), PQTRANS_UNKNOWN)
FN(char *, PQhost, (const PGconn *conn), (conn), NULL)
FN(PQconninfoOption *, PQconninfoParse, (const char *conninfo, char **errmsg), (conninfo, errmsg), NULL)
FN(PQconninfoOption *, PQconninfo, (PGconn *conn), (conn), NULL)
VFN(PQconninfoFree, (PQconninfoOption *connOptions), (connOptions))
VFN(PQfinish, (PGconn *conn), (conn))
VFN(PQfreemem, (void *ptr), (ptr))
FN(int, PQsetClientEncoding, (PGconn *conn, const char *encoding), (conn, encoding), -1)
FN(PQnoticeProcessor, PQsetNoticeProcessor, (PGconn *conn, PQnoticeProcessor proc, void *arg),
   (conn, proc, arg), NULL)

/* PQerrorMessage(NULL) is also how a failed connect without a library is explained */
static __typeof__(&PQerrorMessage) p_PQerrorMessage;
char *PQerrorMessage(const PGconn *conn)
{
	IKO_DYN_REAL(pq, PQerrorMessage);
	if (f_)
		return f_(conn);
	return why();
}

/* queries */
FN(PGresult *, PQexec, (PGconn *conn, const char *query), (conn, query), NULL)
FN(PGresult *, PQexecParams,
   (PGconn *conn, const char *command, int nParams, const Oid *paramTypes, const char *const *paramValues,
    const int *paramLengths, const int *paramFormats, int resultFormat),
   (conn, command, nParams, paramTypes, paramValues, paramLengths, paramFormats, resultFormat), NULL)
FN(PGresult *, PQprepare, (PGconn *conn, const char *stmtName, const char *query, int nParams, const Oid *paramTypes),
   (conn, stmtName, query, nParams, paramTypes), NULL)
FN(int, PQsendQuery, (PGconn *conn, const char *query), (conn, query), 0)
FN(int, PQsendQueryParams,
   (PGconn *conn, const char *command, int nParams, const Oid *paramTypes, const char *const *paramValues,
    const int *paramLengths, const int *paramFormats, int resultFormat),
   (conn, command, nParams, paramTypes, paramValues, paramLengths, paramFormats, resultFormat), 0)
FN(int, PQsendPrepare, (PGconn *conn, const char *stmtName, const char *query, int nParams, const Oid *paramTypes),
   (conn, stmtName, query, nParams, paramTypes), 0)
FN(PGresult *, PQgetResult, (PGconn *conn), (conn), NULL)
FN(char *, PQescapeIdentifier, (PGconn *conn, const char *str, size_t len), (conn, str, len), NULL)
FN(char *, PQescapeLiteral, (PGconn *conn, const char *str, size_t len), (conn, str, len), NULL)

/* COPY */
FN(int, PQputCopyData, (PGconn *conn, const char *buffer, int nbytes), (conn, buffer, nbytes), -1)
FN(int, PQputCopyEnd, (PGconn *conn, const char *errormsg), (conn, errormsg), -1)
FN(int, PQgetCopyData, (PGconn *conn, char **buffer, int async), (conn, buffer, async), -2)

/* results */
FN(ExecStatusType, PQresultStatus, (const PGresult *res), (res), PGRES_FATAL_ERROR)
FN(char *, PQresultErrorMessage, (const PGresult *res), (res), why())
FN(char *, PQresultErrorField, (const PGresult *res, int fieldcode), (res, fieldcode), NULL)
FN(int, PQntuples, (const PGresult *res), (res), 0)
FN(char *, PQgetvalue, (const PGresult *res, int tup_num, int field_num), (res, tup_num, field_num), NULL)
FN(int, PQgetisnull, (const PGresult *res, int tup_num, int field_num), (res, tup_num, field_num), 1)
FN(char *, PQcmdTuples, (PGresult *res), (res), NULL)
VFN(PQclear, (PGresult *res), (res))
