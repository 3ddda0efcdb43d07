/*
 * iko_db.h — the embedded PostgreSQL server and database connections.
 *
 * Sits under the load stage (and reconcile, which queries loaded data): with
 * no --db, iko runs a private PostgreSQL cluster under the work directory
 * (default ".iko/pg"). The cluster listens only on a unix socket in
 * <root>/socket (listen_addresses = ''), trusts local socket connections and
 * has a superuser role "iko" and a database "iko". When iko runs as root the
 * server binaries run as the "postgres" system user (else "nobody"), started
 * by fork + setgid/initgroups/setuid + exec. If that user cannot reach DIR,
 * or the socket path would be too long, the cluster lives in
 * /var/tmp/iko-pg-<sha256(abs DIR), 12 hex> and DIR/cluster.path names it.
 *
 * Layout of a cluster root: data/ (PGDATA), socket/ (unix socket),
 * server.log (postmaster log), commands.log (initdb/pg_ctl output).
 * The newest /usr/lib/postgresql/<major>/bin is used, or $IKO_PG_BINDIR.
 */
#ifndef IKO_DB_H
#define IKO_DB_H

#include <libpq-fe.h>

/* The fixed port of the embedded server (part of the socket file name). */
#define IKO_DB_PORT 5432
/* Default cluster directory, relative to the current directory. */
#define IKO_DB_DEFAULT_DIR ".iko/pg"

/*
 * Load the PostgreSQL client library (load/iko_libpq.c: iko is not linked
 * with it, the first command that needs it loads it; IKO_LIBPQ names
 * another file). 0, or IKO_EDB with the reason. iko_db_start, iko_db_status
 * and iko_db_connect call it first.
 */
int iko_libpq_load(void);

/*
 * Start the embedded server in dir (NULL = IKO_DB_DEFAULT_DIR), creating the
 * cluster on first use. Idempotent: a running server is left alone.
 * Waits until the server accepts connections.
 * out_url: the libpq connection string ("host=... port=5432 dbname=iko
 * user=iko"); caller frees. On failure *out_url is NULL and the last error
 * holds the reason with the tail of the server log.
 */
int iko_db_start(char **out_url, const char *dir);

/* Stop the embedded server in dir (fast shutdown). Stopped already is ok. */
int iko_db_stop(const char *dir);

/*
 * Report whether the embedded server in dir accepts connections.
 * out_running: 1 running, 0 stopped. out_url (may be NULL): the connection
 * string, caller frees. Follows DIR/cluster.path when present.
 */
int iko_db_status(int *out_running, char **out_url, const char *dir);

/*
 * Absolute data directory of the cluster for dir (following cluster.path),
 * whether or not it exists yet. Caller frees *out.
 */
int iko_db_data_dir(char **out, const char *dir);

/*
 * Connect to dsn, or when dsn is NULL to the embedded server in dir
 * (NULL = IKO_DB_DEFAULT_DIR), starting it if needed. The connection uses
 * client_encoding UTF8. *out is owned by the caller (PQfinish); NULL on
 * failure with IKO_EDB and the server's message as the last error.
 */
int iko_db_connect(PGconn **out, const char *dsn, const char *dir);

/*
 * A second connection like c (same server, database, user, options), set
 * up as iko_db_connect sets one up; NULL when it cannot be made (the
 * caller goes on with c alone).
 */
PGconn *iko_db_connect_like(PGconn *c);

/*
 * The same in two steps, for a connection made on another thread while c
 * is in use on this one: iko_db_params_of(c) here (NULL when out of
 * memory), iko_db_connect_with there (NULL when it cannot be made), then
 * iko_db_params_free.
 */
typedef struct iko_db_params iko_db_params;
iko_db_params *iko_db_params_of(PGconn *c);
PGconn *iko_db_connect_with(const iko_db_params *p);
void iko_db_params_free(iko_db_params *p);

/*
 * Append value to a libpq keyword/value connection string, quoted with
 * single quotes (and backslash escapes) when it is empty or holds spaces,
 * quotes or backslashes. Returns 0 or IKO_ENOMEM.
 */
struct iko_buf;
int iko_db_conninfo_value(struct iko_buf *out, const char *value);

/*
 * Split one row of COPY ... TO STDOUT in text format in place. row holds
 * len bytes, its final newline included or not; values are separated by
 * tabs, \N alone is NULL, and a backslash escapes as PostgreSQL reads the
 * format: \b \f \n \r \t \v, an octal number of one to three digits or x
 * with one or two hex digits give that byte, and any other character
 * stands for itself. Each of the first nfields values is decoded in place
 * (never longer) and NUL-terminated, so row needs one byte after len when
 * it has no newline (libpq's copy buffers end in a zero byte): fields[i], lens[i], a NULL as "" with
 * isnull[i] = 1 (isnull may be NULL). Returns how many values the row has;
 * more or fewer than nfields is the caller's error.
 */
size_t iko_db_copy_text_split(char *row, size_t len, char **fields, size_t *lens,
			      unsigned char *isnull, size_t nfields);

#endif
