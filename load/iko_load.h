/*
 * iko_load.h — load validated standard-schema CSV into PostgreSQL.
 *
 * Stage 4 of the pipeline (validate → load → reconcile). Every schema table
 * is a parent partitioned BY LIST (lg_code); each municipality's rows live
 * in their own partition <table>_<lg_code>. A load COPYs each CSV into a
 * fresh <table>_<lg_code>_new, builds the primary key, ANALYZEs, and then
 * swaps all tables in one short transaction (the old partition is kept as
 * <table>_<lg_code>_prev). It is all or nothing: any refused row, or a crash
 * at any moment, leaves the previous generation and every other
 * municipality untouched. See docs/load.md.
 */
#ifndef IKO_LOAD_H
#define IKO_LOAD_H

#include "iko_buf.h"
#include "iko_progress.h"
#include "iko_schema.h"

#include <libpq-fe.h>
#include <stddef.h>

typedef struct iko_load_options {
	PGconn *conn;              /* open connection (see iko_db_connect) */
	const iko_schema *schema;  /* the standard schema to load */
	const char *lg_code;       /* 団体コード: 6 digits with check digit */
	const char *in_dir;        /* holds <table>.csv for every schema table */
	const char *run_id;        /* recorded in iko.load_history; may be NULL */
	iko_progress_fn progress;  /* optional, called every 10,000 rows */
	void *payload;             /* passed to progress */
	/*
	 * NULL, or the files of in_dir are still being written (iko_follow.h):
	 * the load reads them as they grow and swaps only once the writer has
	 * closed the set as ok; size_dir (if set) holds files of about the
	 * same sizes to order the tables by. Without size_dir, a file the
	 * writer named up front (iko_follow_announce: iko load --extract) need
	 * not be on disk yet and is ordered by the size it was named with.
	 */
	struct iko_follow *follow;
	const char *size_dir;
	/*
	 * 1: do not ANALYZE the new tables before the swap, except a table
	 * finished while another one is still being copied or indexed on the
	 * other connection (its ANALYZE runs beside that); the caller runs
	 * iko_load_analyze for the others right after (iko rehearse, beside
	 * reconcile). Loads placed on a shard analyze before the swap
	 * regardless (result.analyze_deferred and each table's analyzed say
	 * which happened).
	 */
	int defer_analyze;
	/*
	 * NULL, or load each table ahead of validate (iko rehearse): from
	 * ahead_dir/<table>.csv, the file validate is checking, read through
	 * ahead_follow while its writer still writes it; in_dir and follow
	 * are validate's outputs, whose manifest.json and rejects.csv decide,
	 * once follow is closed ok, which rows are kept (docs/load.md,
	 * "Ahead of validate"). A table that cannot be loaded that way is
	 * loaded from in_dir as without.
	 */
	const char *ahead_dir;
	struct iko_follow *ahead_follow;
	/*
	 * NULL, or called once every table's rows are committed in its _new
	 * table (before their primary keys and ANALYZE), on the thread that
	 * committed the last one, with the load's connection (conn, or a
	 * shard's: the server that holds the _new tables), which that thread
	 * may be using: the caller may connect like it and read the rows from
	 * <table>_<lg>_new while the load indexes and analyzes them (the
	 * primary key is built as a unique index, which lets readers in, and
	 * becomes the constraint in the swap). Then before_swap (if set) is
	 * called before the swap, which waits for those readers: it returns
	 * once they are done.
	 */
	void (*copied)(void *arg, PGconn *conn);
	void (*before_swap)(void *arg);
	void *hook_arg;
	/*
	 * 1: leave dropping the generation the swap set aside (<table>_<lg>_old)
	 * to the caller's iko_load_analyze, as defer_analyze does, while every
	 * table is still analyzed before the swap (result.drop_deferred).
	 */
	int defer_drop;
} iko_load_options;

#define IKO_LOAD_OPTIONS_INIT { NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL, 0 }

typedef struct iko_load_table_result {
	char *table;               /* schema table name (owned) */
	long long rows;            /* rows loaded (COPY command tag) */
	double seconds;            /* COPY + primary key + ANALYZE */
	int analyzed;              /* ANALYZE ran before the swap */
	int ahead;                 /* loaded ahead of validate (ahead_dir) */
	long long ahead_deleted;   /* of those rows, deleted as validate rejected them */
} iko_load_table_result;

typedef struct iko_load_result {
	size_t ntables;
	iko_load_table_result *tables; /* in schema order (owned) */
	double seconds;                /* whole load including the swap */
	int analyze_deferred;          /* some tables still need iko_load_analyze */
	int drop_deferred;             /* the generation before _prev is still to drop (iko_load_analyze) */
} iko_load_result;

/*
 * Load opts->in_dir/<table>.csv for every table of opts->schema into the
 * municipality's partitions, all or nothing. The parent tables are created
 * if missing. Each CSV has a header row of column names in any order;
 * columns absent from the file are NULL; an unknown column, a missing
 * required column or a missing file is an error naming the file. A row the
 * server refuses fails the whole load with "<file>: line N, column C: msg"
 * (values of sensitive columns are never put in the message).
 * out: filled on success (release with iko_load_result_release); zeroed on
 * failure. Returns 0, IKO_EINVAL, IKO_ENOTFOUND, IKO_EPARSE, IKO_EIO,
 * IKO_ESTATE (another load of the same municipality is running) or IKO_EDB.
 */
int iko_load_run(iko_load_result *out, const iko_load_options *opts);

/*
 * The inputs' part of iko_load_run's checks, for a caller to make before it
 * connects or starts a writer: in_dir is a directory (unless follow and
 * size_dir: a rehearsal's, still to be made) and holds <table>.csv for
 * every table, except one the follow set will write. 0 or IKO_ENOTFOUND /
 * IKO_ENOMEM, the error set.
 */
int iko_load_check_inputs(const iko_load_options *opts);

/*
 * Roll opts->lg_code back to the previous generation of every table of
 * opts->schema: <table>_<lg> and <table>_<lg>_prev change places in one
 * transaction (so a second rollback returns to the newer data), recorded in
 * iko.load_history with kind 'rollback'. in_dir is not used. out gets the
 * rows now current per table. IKO_ENOTFOUND when a table has no previous
 * generation (nothing is changed then).
 */
int iko_load_rollback(iko_load_result *out, const iko_load_options *opts);

/* Free the contents of a result; NULL-safe, leaves it zeroed. */
void iko_load_result_release(iko_load_result *r);

/*
 * ANALYZE the municipality's partition of every table of schema (after a
 * load with defer_analyze) but those the load analyzed (done: the load
 * result's tables, in schema order; NULL: every table), then drop the
 * generation the swap set aside (<table>_<lg>_old: the one before _prev,
 * which a load without defer_analyze drops right after its swap). conn:
 * any connection to the server that holds them. 0, or IKO_EDB naming the
 * table.
 */
int iko_load_analyze(PGconn *conn, const iko_schema *schema, const char *lg_code,
		     const iko_load_table_result *done);

/*
 * Inside the caller's transaction, before <table>_<lg> becomes the
 * municipality's _prev: the generation before it (<table>_<lg>_prev and
 * its primary key) renamed <table>_<lg>_old, an _old a stopped load left
 * dropped first; iko_load_drop_old drops it after the commit, as a load's
 * swap does. 0, or IKO_EDB naming the table.
 */
int iko_load_set_aside(PGconn *conn, const iko_schema *schema, const char *table, const char *lg_code);

/*
 * Drop every <table>_<lg>_old of schema: the generation a swap set aside
 * (renamed from _prev inside the swap's transaction) to be dropped after
 * its commit, so that the drop — its files unlinked and its cached pages
 * dropped at commit — is not done while the swap holds the parent tables'
 * locks. Each in a transaction of its own; none there is fine. 0, or
 * IKO_EDB naming the table.
 */
int iko_load_drop_old(PGconn *conn, const iko_schema *schema, const char *lg_code);

/*
 * Append the parent-table DDL of s (CREATE SCHEMA IF NOT EXISTS, then one
 * CREATE TABLE IF NOT EXISTS ... PARTITION BY LIST (lg_code) per table) to
 * out, for `iko schema ddl`. Returns 0, IKO_ENOMEM or IKO_EINVAL (a name
 * that is not a valid PostgreSQL identifier, a table without lg_code).
 */
int iko_load_ddl(iko_buf *out, const iko_schema *s);

/* Create the schema and the parent tables of s in conn if missing. */
int iko_load_ensure_schema(PGconn *conn, const iko_schema *s);

/*
 * Append name as a quoted SQL identifier ("a""b"), exactly as
 * PQescapeIdentifier would. Fails with IKO_EINVAL for an empty name or one
 * longer than 63 bytes (PostgreSQL would silently truncate it).
 */
int iko_load_quote_ident(iko_buf *out, const char *name);

#endif
