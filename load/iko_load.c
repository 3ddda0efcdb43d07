/*
 * iko_load.c — PostgreSQL load: DDL from the schema, COPY, partition swap.
 *
 * Stage 4 of the pipeline. Phase 1 streams each <table>.csv through
 * COPY ... FROM STDIN into <table>_<lg>_new (created in the same transaction,
 * so with wal_level=minimal the bulk data skips the WAL, and with FREEZE the
 * rows are written already frozen: the index build, ANALYZE and later reads
 * need not set hint bits or rewrite pages; nobody can see the table before
 * the swap, so no snapshot is skipped), then adds the primary key and
 * ANALYZEs. Phase 2 swaps every table in one transaction:
 * detach <table>_<lg>, keep it as <table>_<lg>_prev, attach the new one.
 * A failure before phase 2 commits drops the _new tables and changes nothing
 * visible. Identifiers go through PQescapeIdentifier, values through
 * PQescapeLiteral or PQexecParams.
 */
#include "iko_load.h"

#include "iko_checkdigit.h"
#include "iko_csv.h"
#include "iko_date.h"
#include "iko_db.h"
#include "iko_error.h"
#include "iko_follow.h"
#include "iko_fs.h"
#include "iko_yaml.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <time.h>

#define NAME_MAX_BYTES 63        /* NAMEDATALEN - 1 */
#define COPY_CHUNK (1024 * 1024)  /* bytes sent per PQputCopyData */
#define PROGRESS_EVERY 10000

static const char stage_name[] = "load";

/* Quoting context: with a connection, libpq escapes; without, we do. */
typedef struct sqlq {
	PGconn *conn;
} sqlq;

/* State of one load run. */
typedef struct load_ctx {
	const iko_load_options *o;
	sqlq q;
	iko_buf schema_q;   /* quoted schema name */
	int *made_new;      /* per table: _new may exist, drop it on failure */
	int quiet;          /* no progress (the second connection's tables) */
	struct phase1 *p1;  /* the tables being loaded at once (load_tables) */
} load_ctx;

static double now_seconds(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/*
 * Test-only pause points: with IKO_TEST_PAUSE=<point> in the environment a
 * load stops at that point (iko_test_pause in common/iko_fs.h), so a test
 * can kill it there or stop the server under it. Points:
 * locked, copied:<table>, indexed:<table>, swap-begin, swap:<table>
 * (inside the swap transaction), swapped (committed).
 */
static void pause_point(const char *point, const char *table)
{
	char name[160];

	snprintf(name, sizeof(name), "%s%s%s", point, table ? ":" : "", table ? table : "");
	iko_test_pause(name);
}

int iko_load_quote_ident(iko_buf *out, const char *name)
{
	const char *s;

	if (!name || !*name || strlen(name) > NAME_MAX_BYTES)
		return iko_error_set(IKO_EINVAL, "not a valid SQL identifier (1-%d bytes): %s",
				     NAME_MAX_BYTES, name ? name : "(null)");
	if (iko_buf_putc(out, '"'))
		return IKO_ENOMEM;
	for (s = name; *s; s++)
		if ((*s == '"' && iko_buf_putc(out, '"')) || iko_buf_putc(out, *s))
			return IKO_ENOMEM;
	return iko_buf_putc(out, '"');
}

static int q_ident(iko_buf *b, const sqlq *q, const char *name)
{
	char *e;
	int rc;

	if (!q->conn || !name || !*name || strlen(name) > NAME_MAX_BYTES)
		return iko_load_quote_ident(b, name);
	e = PQescapeIdentifier(q->conn, name, strlen(name));
	if (!e)
		return iko_error_set(IKO_EDB, "cannot escape identifier %s: %s", name,
				     PQerrorMessage(q->conn));
	rc = iko_buf_puts(b, e);
	PQfreemem(e);
	return rc;
}

/* "<prefix><table>_<lg><suffix>" quoted. */
static int q_rel(iko_buf *b, const sqlq *q, const char *table, const char *lg,
		 const char *suffix)
{
	char *name = lg ? iko_aprintf("%s_%s%s", table, lg, suffix)
			: iko_strdup(table);
	int rc;

	if (!name)
		return IKO_ENOMEM;
	rc = q_ident(b, q, name);
	free(name);
	return rc;
}

static int q_literal(iko_buf *b, const sqlq *q, const char *s)
{
	char *e = PQescapeLiteral(q->conn, s, strlen(s));
	int rc;

	if (!e)
		return iko_error_set(IKO_EDB, "cannot escape a literal: %s",
				     PQerrorMessage(q->conn));
	rc = iko_buf_puts(b, e);
	PQfreemem(e);
	return rc;
}

static int col_type(iko_buf *b, const iko_column *c)
{
	switch (c->type) {
	case IKO_COL_TEXT:
		return c->length > 0 ? iko_buf_printf(b, "varchar(%d)", c->length)
				     : iko_buf_puts(b, "text");
	case IKO_COL_CODE:
		return c->length > 0 ? iko_buf_printf(b, "varchar(%d)", c->length)
				     : iko_buf_puts(b, "text");
	case IKO_COL_DATE:
		return iko_buf_puts(b, "date");
	case IKO_COL_INTEGER:
		return iko_buf_puts(b, "bigint");
	case IKO_COL_DECIMAL:
		return iko_buf_printf(b, "numeric(%d,%d)", c->precision, c->scale);
	case IKO_COL_FLAG:
		return iko_buf_puts(b, "smallint");
	case IKO_COL_TYPE_COUNT_:
		break;
	}
	return iko_error_set(IKO_EINVAL, "column %s: unknown type", c->name);
}

static int in_key(const iko_table *t, size_t col)
{
	size_t i;

	for (i = 0; i < t->nkey; i++)
		if ((size_t)t->key[i] == col)
			return 1;
	return 0;
}

/* One column definition line. */
static int col_def(iko_buf *b, const sqlq *q, const iko_table *t, size_t i)
{
	const iko_column *c = &t->cols[i];
	char *cname = NULL;
	int rc;

	if ((rc = iko_buf_putc(b, '\t')) || (rc = q_ident(b, q, c->name)) ||
	    (rc = iko_buf_putc(b, ' ')) || (rc = col_type(b, c)))
		return rc;
	if ((c->required || in_key(t, i)) && (rc = iko_buf_puts(b, " NOT NULL")))
		return rc;
	if (c->type != IKO_COL_FLAG)
		return iko_buf_puts(b, ",\n");
	/* Named alike on parent and partitions: ATTACH matches CHECKs by name. */
	if (!(cname = iko_aprintf("%s_check", c->name)))
		return IKO_ENOMEM;
	if (!(rc = iko_buf_puts(b, " CONSTRAINT ")) && !(rc = q_ident(b, q, cname)) &&
	    !(rc = iko_buf_puts(b, " CHECK (")) && !(rc = q_ident(b, q, c->name)))
		rc = iko_buf_puts(b, " IN (0, 1)),\n");
	free(cname);
	return rc;
}

static int key_list(iko_buf *b, const sqlq *q, const iko_table *t)
{
	size_t i;
	int rc;

	for (i = 0; i < t->nkey; i++)
		if ((i && (rc = iko_buf_puts(b, ", "))) ||
		    (rc = q_ident(b, q, t->cols[t->key[i]].name)))
			return rc;
	return 0;
}

/*
 * CREATE TABLE for table t: with lg == NULL the partitioned parent
 * (IF NOT EXISTS, primary key), else the standalone <t>_<lg>_new with the
 * partition CHECK (its primary key is added after COPY).
 */
static int table_ddl(iko_buf *b, const sqlq *q, const char *schema,
		     const iko_table *t, const char *lg)
{
	size_t i;
	int rc;

	if (iko_table_column(t, "lg_code") < 0)
		return iko_error_set(IKO_EINVAL, "table %s has no lg_code column", t->name);
	if ((rc = iko_buf_puts(b, lg ? "CREATE TABLE " : "CREATE TABLE IF NOT EXISTS ")) ||
	    (rc = q_ident(b, q, schema)) || (rc = iko_buf_putc(b, '.')) ||
	    (rc = q_rel(b, q, t->name, lg, "_new")) || (rc = iko_buf_puts(b, " (\n")))
		return rc;
	for (i = 0; i < t->ncols; i++)
		if ((rc = col_def(b, q, t, i)))
			return rc;
	if (lg) {
		if ((rc = iko_buf_puts(b, "\tCONSTRAINT \"lg_code_partition\" CHECK (\"lg_code\" = ")) ||
		    (rc = q_literal(b, q, lg)) || (rc = iko_buf_puts(b, ")\n);\n")))
			return rc;
		return 0;
	}
	/* drop the last ",\n" of the column list */
	iko_buf_truncate(b, b->len - 2);
	if ((rc = iko_buf_putc(b, '\n')))
		return rc;
	/*
	 * The primary key lives on every partition (built after the COPY),
	 * not on the parent: PostgreSQL refuses foreign partitions (shards)
	 * under a parent with a unique index. lg_code leads every key, so
	 * each partition's key is the global one.
	 */
	if (t->nkey && ((rc = iko_buf_puts(b, "\t-- PRIMARY KEY (")) || (rc = key_list(b, q, t)) ||
			(rc = iko_buf_puts(b, ") on every partition\n"))))
		return rc;
	return iko_buf_puts(b, ") PARTITION BY LIST (\"lg_code\");\n");
}

static int ddl(iko_buf *out, const sqlq *q, const iko_schema *s)
{
	size_t i;
	int rc;

	if ((rc = iko_buf_puts(out, "CREATE SCHEMA IF NOT EXISTS ")) ||
	    (rc = q_ident(out, q, s->name)) || (rc = iko_buf_puts(out, ";\n")))
		return rc;
	for (i = 0; i < s->ntables; i++)
		if ((rc = iko_buf_putc(out, '\n')) ||
		    (rc = table_ddl(out, q, s->name, &s->tables[i], NULL)))
			return rc;
	return 0;
}

int iko_load_ddl(iko_buf *out, const iko_schema *s)
{
	sqlq q = { NULL };

	return ddl(out, &q, s);
}

/* Message of a failed result without the trailing newline. */
static const char *res_msg(const PGresult *r, PGconn *c)
{
	const char *m = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;

	return m ? m : PQerrorMessage(c);
}

/* Run one statement expecting no rows; the error names what failed. */
static int sql_exec(PGconn *c, const char *sql, const char *what)
{
	PGresult *r = PQexec(c, sql);
	int rc = 0;

	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		const char *detail = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_DETAIL) : NULL;

		rc = iko_error_set(IKO_EDB, "%s: %s%s%s", what, res_msg(r, c),
				   detail ? ": " : "", detail ? detail : "");
	}
	PQclear(r);
	return rc;
}

int iko_load_ensure_schema(PGconn *conn, const iko_schema *s)
{
	iko_buf b = IKO_BUF_INIT;
	sqlq q = { conn };
	char *what = NULL;
	int rc;

	if ((rc = ddl(&b, &q, s)))
		goto done;
	if (!(what = iko_aprintf("cannot create the tables of schema %s", s->name))) {
		rc = IKO_ENOMEM;
		goto done;
	}
	rc = sql_exec(conn, iko_buf_cstr(&b), what);
done:
	free(what);
	iko_buf_release(&b);
	return rc;
}

void iko_load_result_release(iko_load_result *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->ntables; i++)
		free(r->tables[i].table);
	free(r->tables);
	memset(r, 0, sizeof(*r));
}

/* "ALTER TABLE|INDEX s.<a> <verb> <b>" style statement builder. */
static int stmt(iko_buf *b, const load_ctx *x, const char *head, const char *rel,
		const char *tail)
{
	iko_buf_clear(b);
	if (iko_buf_puts(b, head) || iko_buf_puts(b, iko_buf_cstr(&x->schema_q)) ||
	    iko_buf_putc(b, '.'))
		return IKO_ENOMEM;
	if (q_ident(b, &x->q, rel))
		return iko_error_code();
	return tail && iko_buf_puts(b, tail) ? IKO_ENOMEM : 0;
}

/* Validate the CSV header against the table; build the COPY column list. */
static int header_columns(iko_buf *cols, const load_ctx *x, const iko_table *t,
			  const iko_csv_row *h, const char *path)
{
	char *seen = calloc(t->ncols + 1, 1);
	size_t i;
	int rc = 0, ci;

	if (!seen)
		return iko_error_set(IKO_ENOMEM, "out of memory");
	for (i = 0; i < h->nfields && !rc; i++) {
		ci = iko_table_column(t, h->fields[i]);
		if (ci < 0)
			rc = iko_error_set(IKO_EPARSE, "%s: unknown column %s for table %s",
					   path, h->fields[i], t->name);
		else if (seen[ci])
			rc = iko_error_set(IKO_EPARSE, "%s: column %s appears twice", path,
					   h->fields[i]);
		else if ((i && iko_buf_puts(cols, ", ")) || q_ident(cols, &x->q, h->fields[i]))
			rc = iko_error_code() ? iko_error_code() : IKO_ENOMEM;
		else
			seen[ci] = 1;
	}
	for (i = 0; i < t->ncols && !rc; i++)
		if (!seen[i] && (t->cols[i].required || in_key(t, i)))
			rc = iko_error_set(IKO_EPARSE, "%s: missing required column %s", path,
					   t->cols[i].name);
	free(seen);
	return rc;
}

/*
 * Turn a COPY error into "<file>: line N, column C: message". The server's
 * CONTEXT may quote the whole input line, so only the line number and the
 * column name are taken from it; a sensitive column's value is not shown.
 */
static int copy_error(const load_ctx *x, const iko_table *t, const PGresult *r,
		      const char *path)
{
	const char *ctx = r ? PQresultErrorField(r, PG_DIAG_CONTEXT) : NULL;
	const char *msg = res_msg(r, x->q.conn), *p;
	char col[NAME_MAX_BYTES + 1] = "";
	long long line = 0;
	size_t n = 0;
	int ci;

	if (ctx && (p = strstr(ctx, ", line ")) != NULL) {
		line = strtoll(p + 7, NULL, 10);
		p += 7 + strspn(p + 7, "0123456789");
		if (!strncmp(p, ", column ", 9)) {
			p += 9;
			n = strcspn(p, ":\n");
			if (n > NAME_MAX_BYTES)
				n = NAME_MAX_BYTES;
			memcpy(col, p, n);
			col[n] = '\0';
		}
	}
	ci = *col ? iko_table_column(t, col) : -1;
	if (ci >= 0 && t->cols[ci].sensitive)
		msg = "value refused (personal data, not shown)";
	p = r ? PQresultErrorField(r, PG_DIAG_CONSTRAINT_NAME) : NULL;
	if (p && !strcmp(p, "lg_code_partition"))
		return iko_error_set(IKO_EDB, "%s: line %lld, column lg_code: not %s", path,
				     line, x->o->lg_code);
	if (line && *col)
		return iko_error_set(IKO_EDB, "%s: line %lld, column %s: %s", path, line, col, msg);
	if (line)
		return iko_error_set(IKO_EDB, "%s: line %lld: %s", path, line, msg);
	return iko_error_set(IKO_EDB, "%s: %s", path, msg);
}

/*
 * dir/<table>.csv, spelled as iko_path_join spells it, in one way for every
 * use: a follow set knows a file by its path's text (iko load --extract
 * names DIR/TABLE.csv the same way).
 */
static char *table_path(const char *dir, const char *table)
{
	char *file = iko_aprintf("%s.csv", table), *path = file ? iko_path_join(dir, file) : NULL;

	free(file);
	return path;
}

/*
 * The input's size for the progress estimate: the reader's file, or (a file
 * still being written when it was opened, iko_follow.h) the file under its
 * final name once it has one; 0 while unknown.
 */
static long long input_bytes(const load_ctx *x, iko_csv_reader *rd, const char *path)
{
	long long size = rd ? iko_csv_reader_size(rd) : 0;
	const char *base = strrchr(path, '/');
	struct stat st;
	char *like;

	if (size > 0 || !x->o->follow)
		return size;
	/* read ahead of validate: the size transform announced for the file */
	if (x->o->ahead_follow && (size = iko_follow_expected(x->o->ahead_follow, path)) > 0)
		return size;
	/* named by its writer (iko load --extract): the size it expects */
	if (!x->o->size_dir && (size = iko_follow_expected(x->o->follow, path)) > 0)
		return size;
	size = 0;
	if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
		return (long long)st.st_size;
	/* not there yet: the file it is made from is about as big */
	like = x->o->size_dir ? iko_path_join(x->o->size_dir, base ? base + 1 : path) : NULL;
	if (like && stat(like, &st) == 0 && S_ISREG(st.st_mode))
		size = (long long)st.st_size;
	free(like);
	return size;
}

/* Send the file's records (header first) as COPY data. *rows = data rows. */
/*
 * Send the file as it is (header included: COPY … HEADER true) in big
 * chunks, counting its records on the way with an RFC 4180 scan (a line
 * break inside quotes does not end a record), so the count can be checked
 * against the server's. The file is iko's own validated CSV; the server
 * parses it once, iko does not parse it again.
 */
static int copy_stream(const load_ctx *x, const char *path, long long *rows)
{
	PGconn *c = x->q.conn;
	FILE *f = iko_follow_fopen(x->o->follow, path);
	unsigned char *buf = malloc(COPY_CHUNK);
	long long records = 0, next_progress = PROGRESS_EVERY, sent = 0, size;
	int quoted = 0, pending = 0, rc = 0;
	size_t n, i;

	*rows = 0;
	if (!f || !buf) {
		rc = !buf ? IKO_ENOMEM : iko_error_set_errno(IKO_EIO, "cannot open %s", path);
		goto done;
	}
	size = iko_file_size(f);
	while ((n = fread(buf, 1, COPY_CHUNK, f)) > 0) {
		sent += (long long)n;
		for (i = 0; i < n; i++) {
			unsigned char ch = buf[i];
			if (ch == '"')
				quoted = !quoted;
			else if (ch == '\n' && !quoted) {
				records++;
				pending = 0;
				continue;
			}
			pending = 1;
		}
		if (PQputCopyData(c, (const char *)buf, (int)n) != 1)
			goto done; /* the server's error comes with the result */
		if (x->o->progress && !x->quiet && records - 1 >= next_progress) {
			long long total;
			if (size <= 0)
				size = input_bytes(x, NULL, path);
			total = iko_progress_total(records, sent, size);
			x->o->progress(stage_name, records - 1, total > 0 ? total - 1 : -1, x->o->payload);
			next_progress += PROGRESS_EVERY;
		}
	}
	if (ferror(f)) {
		rc = iko_error_set_errno(IKO_EIO, "cannot read %s", path);
		goto done;
	}
	if (quoted) {
		rc = iko_error_set(IKO_EPARSE, "%s: malformed CSV (a quote is never closed)", path);
		goto done;
	}
	records += pending;
	*rows = records > 0 ? records - 1 : 0;
done:
	if (f)
		fclose(f);
	free(buf);
	return rc;
}

/* ---- binary COPY ---------------------------------------------------------
 *
 * The server parses text (dates above all) more slowly than it reads
 * PostgreSQL's binary COPY format, so a table is sent in binary when every
 * value can be encoded exactly as the server would read its text: strings
 * as they are, dates YYYY-MM-DD (1-9999), integers of up to 18 digits, an
 * empty unquoted field as NULL (COPY's CSV rule). Anything else — a value
 * of another form, a malformed record, a decimal column, or any error the
 * server reports — abandons the binary attempt: the transaction is rolled
 * back and the table is sent again as text, so every message about bad
 * data is the one the text COPY gives (with its line numbers).
 * IKO_LOAD_FORMAT=text sends every table as text.
 */
#define COPY_AS_TEXT 1 /* copy_table: try again as text */

/* Big-endian (network order) integers at w, as COPY's binary format has them; past them. */
static inline unsigned char *be16(unsigned char *w, uint16_t v)
{
	w[0] = (unsigned char)(v >> 8);
	w[1] = (unsigned char)v;
	return w + 2;
}

static inline unsigned char *be32(unsigned char *w, uint32_t v)
{
	w[0] = (unsigned char)(v >> 24);
	w[1] = (unsigned char)(v >> 16);
	w[2] = (unsigned char)(v >> 8);
	w[3] = (unsigned char)v;
	return w + 4;
}

static int put16(iko_buf *b, uint16_t v)
{
	unsigned char t[2];

	return iko_buf_put(b, t, (size_t)(be16(t, v) - t));
}

static int put32(iko_buf *b, uint32_t v)
{
	unsigned char t[4];

	return iko_buf_put(b, t, (size_t)(be32(t, v) - t));
}

/* YYYY-MM-DD (a valid date, years 1-9999) as PostgreSQL's date: days since 2000-01-01; 0 if not that form. */
static int iso_date_days(const char *s, size_t len, int32_t *days)
{
	int y, m, d;

	if (len != 10 || !iko_date_parse_iso(s, &y, &m, &d))
		return 0;
	*days = (int32_t)(iko_day_of(y, m, d) - IKO_DAY_2000); /* PostgreSQL's day 0 */
	return 1;
}

/* -?[0-9]{1,18} as a number; 0 if not that form. */
static int plain_integer(const char *s, size_t len, int64_t *v)
{
	size_t i = s[0] == '-' ? 1 : 0;
	int64_t n = 0;

	if (len <= i || len - i > 18)
		return 0;
	for (; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		n = n * 10 + (s[i] - '0');
	}
	*v = s[0] == '-' ? -n : n;
	return 1;
}

/* Which fields of a raw CSV record are quoted (only asked of records with a quote). */
static void quoted_fields(const char *raw, size_t len, unsigned char *q, size_t n)
{
	size_t i = 0, f;

	memset(q, 0, n);
	for (f = 0; f < n && i <= len; f++) {
		if (i < len && raw[i] == '"') {
			q[f] = 1;
			for (i++; i < len; i++)
				if (raw[i] == '"') {
					if (i + 1 < len && raw[i + 1] == '"')
						i++;
					else
						break;
				}
		}
		while (i < len && raw[i] != ',' && raw[i] != '\n' && raw[i] != '\r')
			i++;
		if (i >= len || raw[i] != ',')
			break;
		i++;
	}
}

/* Characters of UTF-8 text (the bytes that do not continue a character). */
static size_t utf8_chars(const char *s, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		n += ((unsigned char)s[i] & 0xC0) != 0x80;
	return n;
}

/*
 * One record as a binary tuple; 1 when a value has no exact binary form.
 * strict (a record read ahead of validate, see load_ahead): the record's
 * fields are the table's columns in order, and 1 also when the server
 * would refuse the row — a NULL in a NOT NULL column, text longer than its
 * column, a flag not 0 or 1, another 団体コード than the load's.
 */
typedef struct strict_rules {
	const iko_table *t;
	const char *lg;
	size_t lglen;
	size_t lgcol;
} strict_rules;

/*
 * The tuple is written into room made once for all of it (the count, and
 * per value its length word and at most its text or 8 bytes); b grows by
 * the tuple only when every value has its binary form.
 */
static int encode_row(iko_buf *b, const iko_csv_row *row, const int *types, size_t n, unsigned char *q,
		      const strict_rules *strict)
{
	size_t i, need = 2;
	int32_t days;
	int64_t v;
	unsigned char *w;
	int quotes = row->raw && memchr(row->raw, '"', row->raw_len) != NULL;

	if (row->nfields != n)
		return 1;
	if (quotes)
		quoted_fields(row->raw, row->raw_len, q, n);
	for (i = 0; i < n; i++)
		need += 4 + (row->lens[i] > 8 ? row->lens[i] : 8);
	if (iko_buf_grow(b, need))
		return IKO_ENOMEM;
	w = be16((unsigned char *)b->ptr + b->len, (uint16_t)n);
	for (i = 0; i < n; i++) {
		const char *s = row->fields[i];
		size_t len = row->lens[i];
		const iko_column *c = strict ? &strict->t->cols[i] : NULL;
		if (len == 0 && !(quotes && q[i])) {
			if (c && (c->required || in_key(strict->t, i)))
				return 1;
			w = be32(w, 0xFFFFFFFFu); /* NULL */
		} else if (types[i] == IKO_COL_TEXT || types[i] == IKO_COL_CODE) {
			if (c && c->length > 0 && len > (size_t)c->length && utf8_chars(s, len) > (size_t)c->length)
				return 1;
			if (c && i == strict->lgcol && (len != strict->lglen || memcmp(s, strict->lg, len)))
				return 1;
			w = be32(w, (uint32_t)len);
			memcpy(w, s, len);
			w += len;
		} else if (types[i] == IKO_COL_DATE) {
			if (!iso_date_days(s, len, &days))
				return 1;
			w = be32(be32(w, 4), (uint32_t)days);
		} else if (types[i] == IKO_COL_INTEGER) {
			if (!plain_integer(s, len, &v))
				return 1;
			w = be32(be32(be32(w, 8), (uint32_t)((uint64_t)v >> 32)), (uint32_t)v);
		} else if (types[i] == IKO_COL_FLAG) {
			if (!plain_integer(s, len, &v) || v < -32768 || v > 32767 || (c && v != 0 && v != 1))
				return 1;
			w = be16(be32(w, 2), (uint16_t)(int16_t)v);
		} else {
			return 1;
		}
	}
	b->len = (size_t)((char *)w - b->ptr);
	b->ptr[b->len] = '\0';
	return 0;
}

/* Can the table's columns (as the header names them) go in binary at all? */
static int binary_types(const iko_table *t, const iko_csv_row *hdr, int *types)
{
	const char *e = getenv("IKO_LOAD_FORMAT");
	size_t i;
	int ci;

	if (e && !strcmp(e, "text"))
		return 0;
	for (i = 0; i < hdr->nfields; i++) {
		ci = iko_table_column(t, hdr->fields[i]);
		if (ci < 0 || t->cols[ci].type == IKO_COL_DECIMAL)
			return 0;
		types[i] = t->cols[ci].type;
	}
	return 1;
}

/*
 * Send the records read by rd as binary COPY data. 0, COPY_AS_TEXT when a
 * value (or record) has no exact binary form, or <0. strict (ahead of
 * validate, see load_ahead): such a record, or one the CSV reader cannot
 * parse, is left out instead (validate rejects it); *rows counts the
 * records sent.
 */
static int copy_binary_stream(const load_ctx *x, iko_csv_reader *rd, const char *path, const int *types,
			      size_t n, long long *rows, const strict_rules *strict)
{
	static const char sig[] = "PGCOPY\n\377\r\n";
	PGconn *c = x->q.conn;
	iko_buf b = IKO_BUF_INIT;
	unsigned char *q = calloc(n + 1, 1);
	long long records = 0, sent = 0, next_progress = PROGRESS_EVERY;
	iko_csv_row row;
	size_t mark;
	int rc = 0, got;

	*rows = 0;
	if (!q || iko_buf_put(&b, sig, 11) || put32(&b, 0) || put32(&b, 0)) {
		rc = iko_error_set(IKO_ENOMEM, "out of memory");
		goto done;
	}
	while ((got = iko_csv_next(rd, &row)) != 0) {
		if (got == IKO_EPARSE && strict)
			continue;
		if (got < 0) {
			rc = got == IKO_EPARSE ? COPY_AS_TEXT : got;
			goto done;
		}
		records++;
		mark = b.len;
		if ((rc = encode_row(&b, &row, types, n, q, strict)) < 0) {
			rc = iko_error_set(IKO_ENOMEM, "out of memory");
			goto done;
		}
		if (rc && !strict)
			goto done;
		if (rc)
			iko_buf_truncate(&b, mark); /* left out */
		else
			sent++;
		rc = 0;
		if (b.len >= COPY_CHUNK) {
			if (PQputCopyData(c, b.ptr, (int)b.len) != 1) {
				rc = COPY_AS_TEXT; /* the server's error comes with the text attempt */
				goto done;
			}
			iko_buf_clear(&b);
		}
		if (x->o->progress && !x->quiet && records >= next_progress) {
			x->o->progress(stage_name, records,
				       iko_progress_total(records, iko_csv_reader_tell(rd), input_bytes(x, rd, path)),
				       x->o->payload);
			next_progress += PROGRESS_EVERY;
		}
	}
	if (put16(&b, 0xFFFFu) || PQputCopyData(c, b.ptr, (int)b.len) != 1) {
		rc = COPY_AS_TEXT;
		goto done;
	}
	*rows = sent;
done:
	iko_buf_release(&b);
	free(q);
	return rc;
}

/* Run COPY for one table and check every result. */
static int copy_table(const load_ctx *x, const iko_table *t, iko_csv_reader *rd,
		      const iko_csv_row *hdr, const char *path, long long *loaded, const int *types,
		      const strict_rules *strict)
{
	iko_buf sql = IKO_BUF_INIT, cols = IKO_BUF_INIT;
	PGconn *c = x->q.conn;
	PGresult *r = NULL;
	long long rows = 0;
	int rc, end;

	*loaded = -1;
	if ((rc = header_columns(&cols, x, t, hdr, path)))
		goto done;
	if (iko_buf_printf(&sql, "COPY %s.", iko_buf_cstr(&x->schema_q))) {
		rc = IKO_ENOMEM;
		goto done;
	}
	if ((rc = q_rel(&sql, &x->q, t->name, x->o->lg_code, "_new")) ||
	    iko_buf_printf(&sql, " (%s) FROM STDIN WITH (%s, FREEZE true)", iko_buf_cstr(&cols),
			   types ? "FORMAT binary" : "FORMAT csv, HEADER true")) {
		rc = rc ? rc : IKO_ENOMEM;
		goto done;
	}
	r = PQexec(c, iko_buf_cstr(&sql));
	if (PQresultStatus(r) != PGRES_COPY_IN) {
		rc = types ? COPY_AS_TEXT : copy_error(x, t, r, path);
		goto done;
	}
	PQclear(r);
	r = NULL;
	rc = types ? copy_binary_stream(x, rd, path, types, hdr->nfields, &rows, strict) : copy_stream(x, path, &rows);
	end = PQputCopyEnd(c, rc ? "iko: input error" : NULL);
	/* Collect every result; the first one tells how COPY ended. */
	while ((r = PQgetResult(c)) != NULL) {
		if (!rc && PQresultStatus(r) != PGRES_COMMAND_OK)
			rc = types ? COPY_AS_TEXT : copy_error(x, t, r, path);
		else if (!rc && *loaded < 0)
			*loaded = strtoll(PQcmdTuples(r), NULL, 10);
		PQclear(r);
	}
	if (types && rc == COPY_AS_TEXT) {
		iko_error_clear();
		goto done;
	}
	if (!rc && end != 1)
		rc = iko_error_set(IKO_EDB, "%s: COPY did not finish: %s", path,
				   PQerrorMessage(c));
	if (!rc && *loaded != rows)
		rc = iko_error_set(IKO_EDB, "%s: %lld data rows but the server loaded %lld",
				   path, rows, *loaded);
done:
	PQclear(r);
	iko_buf_release(&cols);
	iko_buf_release(&sql);
	return rc;
}

/*
 * Ahead of validate (iko rehearse: the options' ahead_dir). The server's
 * COPY of the biggest table is the longest piece of a rehearsal, and from
 * validate's file it could only start once validate had read every table
 * once (a key is rejected when it occurs twice, a resident when its
 * household has no record, …). So a table's rows are sent while transform
 * still writes them, before validate has ruled on them, into the table's
 * _new in the COPY's own transaction — which nobody else sees — and only
 * what validate passed is committed:
 *  - a record the server would refuse (a wrong number of fields, NULL in a
 *    NOT NULL column, text longer than its column, a flag not 0 or 1,
 *    another 団体コード, a value with no exact binary form) is not sent;
 *    validate rejects it too;
 *  - once validate has finished, the records it rejected (rejects.csv
 *    holds each one's bytes) that were sent are deleted by their key. No
 *    record validate passed shares a key with one it rejected: validate
 *    rejects every occurrence of a key that occurs more than once, counting
 *    the key of every record it can parse;
 *  - the rows left must be exactly as many as validate passed (its
 *    manifest.json), which, with the above, means they are those rows.
 * When they are not, or the server refuses a record after all, the
 * transaction is rolled back and the table is loaded from validate's file
 * as without (AHEAD_AGAIN): slower, never different. Only for a file whose
 * header is the table's columns in order, every one with a binary form.
 */
#define AHEAD_AGAIN 2 /* load_ahead: load the table from validate's file instead */

/* Add s as an element of the array literal being built in a ({"…","…"}, closed by the caller). */
static int array_add(iko_buf *a, const char *s, size_t len)
{
	size_t i;

	if (iko_buf_putc(a, a->len ? ',' : '{') || iko_buf_putc(a, '"'))
		return IKO_ENOMEM;
	for (i = 0; i < len; i++)
		if (((s[i] == '"' || s[i] == '\\') && iko_buf_putc(a, '\\')) || iko_buf_putc(a, s[i]))
			return IKO_ENOMEM;
	return iko_buf_putc(a, '"') ? IKO_ENOMEM : 0;
}

/* The strict rules of encode_row for table t. */
static void strict_for(strict_rules *sr, const load_ctx *x, const iko_table *t)
{
	sr->t = t;
	sr->lg = x->o->lg_code;
	sr->lglen = strlen(sr->lg);
	sr->lgcol = (size_t)iko_table_column(t, "lg_code");
}

/*
 * Validate's verdict on table t, once it has finished: *passed, the
 * records it passed (its manifest.json), and in keys[] (one array literal
 * per key column) the keys of the records it rejected that load_ahead
 * sent, *nkeys of them.
 */
static int ahead_verdict(const load_ctx *x, const iko_table *t, const int *types, long long *passed,
			 iko_buf *keys, long long *nkeys)
{
	char *man = iko_path_join(x->o->in_dir, "manifest.json");
	char *rej = iko_path_join(x->o->in_dir, "rejects.csv");
	iko_yaml_doc *doc = NULL;
	const iko_yaml_node *tabs, *e;
	iko_csv_reader *rd = NULL, *one = NULL;
	iko_csv_row row, r1;
	iko_buf raw = IKO_BUF_INIT, scratch = IKO_BUF_INIT;
	unsigned char *q = calloc(t->ncols + 1, 1);
	strict_rules sr;
	int rc = IKO_ENOMEM, got, cs, cso, csv, csr, er;
	size_t i;

	*passed = -1;
	*nkeys = 0;
	if (!man || !rej || !q)
		goto done;
	if ((rc = iko_yaml_load_file(&doc, man)))
		goto done;
	tabs = iko_yaml_get(iko_yaml_root(doc), "tables");
	for (i = 0; (e = iko_yaml_at(tabs, i)) != NULL; i++)
		if (!strcmp(iko_yaml_str(e, "table", ""), t->name) && (rc = iko_yaml_int(passed, e, "records_out", -1)))
			goto done;
	if (*passed < 0) {
		rc = iko_error_set(IKO_EPARSE, "%s: no records_out for table %s", man, t->name);
		goto done;
	}
	if ((rc = iko_csv_reader_open(&rd, rej)) || (rc = iko_csv_reader_open_fp(&one, NULL, rej)))
		goto done;
	if ((got = iko_csv_next(rd, &row)) != 1) {
		rc = got < 0 ? got : iko_error_set(IKO_EPARSE, "%s: empty file (no header row)", rej);
		goto done;
	}
	cs = iko_csv_find(&row, "stage");
	cso = iko_csv_find(&row, "source");
	csv = iko_csv_find(&row, "severity");
	csr = iko_csv_find(&row, "raw_hex");
	if (cs < 0 || cso < 0 || csv < 0 || csr < 0) {
		rc = iko_error_set(IKO_EPARSE, "%s: not a rejects file", rej);
		goto done;
	}
	strict_for(&sr, x, t);
	while ((got = iko_csv_next(rd, &row)) != 0) {
		if (got < 0) {
			rc = got;
			goto done;
		}
		if ((size_t)csr >= row.nfields || strcmp(row.fields[cs], "validate") ||
		    strcmp(row.fields[cso], t->name) || strcmp(row.fields[csv], "reject"))
			continue;
		iko_buf_clear(&raw);
		if ((rc = iko_buf_put_unhex(&raw, row.fields[csr], row.lens[csr])) < 0)
			goto done;
		if (rc == 0 || raw.len == 0)
			continue;
		iko_csv_reader_set_mem(one, raw.ptr, raw.len, 1, 1, 0);
		if (iko_csv_next(one, &r1) != 1)
			continue; /* not a record it could parse: not sent */
		iko_buf_clear(&scratch);
		if ((er = encode_row(&scratch, &r1, types, t->ncols, q, &sr)) < 0) {
			rc = iko_error_set(IKO_ENOMEM, "out of memory");
			goto done;
		}
		if (er)
			continue; /* not sent */
		for (i = 0; i < t->nkey; i++)
			if ((rc = array_add(&keys[i], r1.fields[t->key[i]], r1.lens[t->key[i]])))
				goto done;
		(*nkeys)++;
	}
	for (i = 0; i < t->nkey; i++)
		if ((keys[i].len ? iko_buf_putc(&keys[i], '}') : iko_buf_puts(&keys[i], "{}")))
			goto done;
	rc = 0;
done:
	if (rc == IKO_ENOMEM && !iko_error_code())
		iko_error_set(IKO_ENOMEM, "out of memory");
	iko_csv_reader_free(one);
	iko_csv_reader_free(rd);
	iko_yaml_free(doc);
	iko_buf_release(&raw);
	iko_buf_release(&scratch);
	free(q);
	free(rej);
	free(man);
	return rc;
}

/* DELETE the rows with the keys in keys[] (ahead_verdict) from t's _new; *deleted. */
static int ahead_delete(const load_ctx *x, const iko_table *t, const char *newname, iko_buf *keys,
			long long *deleted)
{
	iko_buf sql = IKO_BUF_INIT;
	const char **params = calloc(t->nkey + 1, sizeof(*params));
	PGresult *r = NULL;
	size_t i;
	int rc;

	*deleted = 0;
	if (!params) {
		rc = iko_error_set(IKO_ENOMEM, "out of memory");
		goto done;
	}
	if ((rc = stmt(&sql, x, "DELETE FROM ", newname, " WHERE (")) || (rc = key_list(&sql, &x->q, t)) ||
	    (rc = iko_buf_puts(&sql, ") IN (SELECT * FROM unnest(")))
		goto done;
	for (i = 0; i < t->nkey; i++) {
		if ((rc = iko_buf_printf(&sql, "%s$%zu::", i ? ", " : "", i + 1)) ||
		    (rc = col_type(&sql, &t->cols[t->key[i]])) || (rc = iko_buf_puts(&sql, "[]")))
			goto done;
		params[i] = iko_buf_cstr(&keys[i]);
	}
	if ((rc = iko_buf_puts(&sql, "))")))
		goto done;
	r = PQexecParams(x->q.conn, iko_buf_cstr(&sql), (int)t->nkey, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		rc = AHEAD_AGAIN;
	else
		*deleted = strtoll(PQcmdTuples(r), NULL, 10);
done:
	PQclear(r);
	free(params);
	iko_buf_release(&sql);
	return rc;
}

/* In a new transaction, t's _new made afresh (empty, no primary key yet). */
static int fresh_table(const load_ctx *x, const iko_table *t, const char *newname, const char *path)
{
	iko_buf sql = IKO_BUF_INIT;
	int rc;

	if (!(rc = sql_exec(x->q.conn, "BEGIN", path)) &&
	    !(rc = stmt(&sql, x, "DROP TABLE IF EXISTS ", newname, NULL)) &&
	    !(rc = sql_exec(x->q.conn, iko_buf_cstr(&sql), path))) {
		iko_buf_clear(&sql);
		if (!(rc = table_ddl(&sql, &x->q, x->o->schema->name, t, x->o->lg_code)))
			rc = sql_exec(x->q.conn, iko_buf_cstr(&sql), path);
	}
	iko_buf_release(&sql);
	return rc;
}

/* Phase 1's rows for one table ahead of validate (see above): 0 committed, AHEAD_AGAIN, or <0. */
static int load_ahead(const load_ctx *x, size_t ti, iko_load_table_result *res)
{
	const iko_table *t = &x->o->schema->tables[ti];
	iko_buf *keys = calloc(t->nkey + 1, sizeof(iko_buf));
	iko_csv_reader *rd = NULL;
	iko_csv_row hdr;
	strict_rules sr;
	FILE *fp;
	char *file = iko_aprintf("%s/%s.csv", x->o->ahead_dir, t->name);
	char *newname = iko_aprintf("%s_%s_new", t->name, x->o->lg_code);
	const char **names = calloc(t->ncols + 1, sizeof(*names));
	int *types = calloc(t->ncols + 1, sizeof(*types));
	long long loaded = -1, deleted = 0, passed, nkeys;
	int rc = IKO_ENOMEM, intx = 0;
	size_t i;

	if (!keys || !file || !newname || !names || !types) {
		rc = iko_error_set(IKO_ENOMEM, "out of memory");
		goto done;
	}
	if ((fp = iko_follow_fopen(x->o->ahead_follow, file)) == NULL) {
		/* no such file from transform: validate's file (or its absence) says what to load */
		rc = errno == ENOENT ? AHEAD_AGAIN : iko_error_set_errno(IKO_ENOTFOUND, "cannot open %s", file);
		goto done;
	}
	if ((rc = iko_csv_reader_adopt_fp(&rd, fp, file)))
		goto done;
	/* the header: the table's columns, in order, each with a binary form */
	rc = AHEAD_AGAIN;
	if (iko_csv_next(rd, &hdr) != 1 || hdr.nfields != t->ncols)
		goto done;
	for (i = 0; i < t->ncols; i++)
		if (strcmp(hdr.fields[i], t->cols[i].name))
			goto done;
	if (!binary_types(t, &hdr, types))
		goto done;
	/* the same names, outliving the reader's next record */
	for (i = 0; i < t->ncols; i++)
		names[i] = t->cols[i].name;
	hdr.fields = (char **)names;
	x->made_new[ti] = 1;
	intx = 1;
	strict_for(&sr, x, t);
	if ((rc = fresh_table(x, t, newname, file)) ||
	    (rc = copy_table(x, t, rd, &hdr, file, &loaded, types, &sr)))
		goto done;
	/* validate's verdict: once it has finished */
	if (x->o->follow && !iko_follow_wait_closed(x->o->follow)) {
		rc = iko_error_set(IKO_ERROR, "%s: the files being loaded were not completed; nothing swapped",
				   x->o->in_dir);
		goto done;
	}
	if ((rc = ahead_verdict(x, t, types, &passed, keys, &nkeys)))
		goto done;
	if (nkeys && (rc = ahead_delete(x, t, newname, keys, &deleted)))
		goto done;
	if (loaded - deleted != passed) {
		rc = AHEAD_AGAIN;
		goto done;
	}
	if ((rc = sql_exec(x->q.conn, "COMMIT", file)))
		goto done;
	intx = 0;
	res->rows = passed;
	res->ahead = 1;
	res->ahead_deleted = deleted;
done:
	if (rc == COPY_AS_TEXT)
		rc = AHEAD_AGAIN; /* the server refused a row after all */
	if (rc == AHEAD_AGAIN && intx && PQstatus(x->q.conn) == CONNECTION_OK) {
		/* the server's message, if any, comes with the load from validate's file */
		if (sql_exec(x->q.conn, "ROLLBACK", file))
			rc = iko_error_code();
		else
			iko_error_clear();
	}
	iko_csv_reader_free(rd);
	for (i = 0; keys && i < t->nkey; i++)
		iko_buf_release(&keys[i]);
	free(keys);
	free(names);
	free(types);
	free(newname);
	free(file);
	return rc;
}

static int others_loading(const load_ctx *x);

/* Phase 1 for one table, the rows: a fresh _new filled from in_dir's file, committed. */
static int fill_table(const load_ctx *x, size_t ti, iko_load_table_result *res)
{
	const iko_table *t = &x->o->schema->tables[ti];
	const char *lg = x->o->lg_code;
	iko_csv_reader *rd = NULL;
	iko_csv_row hdr;
	FILE *fp;
	char *file = NULL, *path = NULL, *newname = NULL;
	int rc = IKO_ENOMEM, got, binary, *types = NULL;
	char **names = NULL;
	size_t k = 0;

	if (!(file = iko_aprintf("%s.csv", t->name)) || !(path = iko_path_join(x->o->in_dir, file)) ||
	    !(newname = iko_aprintf("%s_%s_new", t->name, lg)))
		goto done;
	/* a plain fopen without a follow set (iko_follow_fopen) */
	if ((fp = iko_follow_fopen(x->o->follow, path)) == NULL)
		rc = iko_error_set_errno(IKO_ENOTFOUND, "cannot open %s", path);
	else
		rc = iko_csv_reader_adopt_fp(&rd, fp, path);
	if (rc)
		goto done;
	got = iko_csv_next(rd, &hdr);
	if (got != 1) {
		rc = got < 0 ? iko_error_set(IKO_EPARSE, "%s: malformed header row", path)
			     : iko_error_set(IKO_EPARSE, "%s: empty file (no header row)", path);
		goto done;
	}
	x->made_new[ti] = 1;
	/* the header outlives the reader's next record (a binary attempt reads them all) */
	names = calloc(hdr.nfields + 1, sizeof(*names));
	types = calloc(hdr.nfields + 1, sizeof(*types));
	for (k = 0; names && k < hdr.nfields; k++)
		if (!(names[k] = iko_strdup(hdr.fields[k])))
			break;
	if (!names || !types || k < hdr.nfields) {
		rc = iko_error_set(IKO_ENOMEM, "out of memory");
		goto done;
	}
	hdr.fields = names;
	binary = binary_types(t, &hdr, types);
again:
	if ((rc = fresh_table(x, t, newname, path)))
		goto done;
	rc = copy_table(x, t, rd, &hdr, path, &res->rows, binary ? types : NULL, NULL);
	if (rc == COPY_AS_TEXT) {
		/* not every value has an exact binary form: the whole table as text */
		if ((rc = sql_exec(x->q.conn, "ROLLBACK", path)))
			goto done;
		binary = 0;
		goto again;
	}
	if (!rc)
		rc = sql_exec(x->q.conn, "COMMIT", path);
done:
	for (k = 0; names && names[k]; k++)
		free(names[k]);
	free(names);
	free(types);
	iko_csv_reader_free(rd);
	free(newname);
	free(path);
	free(file);
	return rc;
}

static void all_copied(const load_ctx *x);

/* Phase 1 for one table: fresh _new, COPY (ahead of validate if asked), primary key, ANALYZE. */
static int load_table(const load_ctx *x, size_t ti, iko_load_table_result *res)
{
	const iko_table *t = &x->o->schema->tables[ti];
	const char *lg = x->o->lg_code;
	iko_buf sql = IKO_BUF_INIT;
	char *newname = NULL, *pk = NULL, *path = NULL;
	double t0 = now_seconds();
	int rc = IKO_ENOMEM, others;

	if (!(newname = iko_aprintf("%s_%s_new", t->name, lg)) ||
	    !(pk = iko_aprintf("%s_%s_new_pkey", t->name, lg)) ||
	    !(path = table_path(x->o->in_dir, t->name)) ||
	    !(res->table = iko_strdup(t->name)))
		goto done;
	rc = x->o->ahead_dir ? load_ahead(x, ti, res) : AHEAD_AGAIN;
	if (rc == AHEAD_AGAIN)
		rc = fill_table(x, ti, res);
	if (rc)
		goto done;
	pause_point("copied", t->name);
	all_copied(x);
	/*
	 * The primary key's index, built under a SHARE lock: readers of _new
	 * (copied) go on beside it, where ALTER TABLE ADD PRIMARY KEY would
	 * lock them out. The swap makes it the constraint (swap_table).
	 */
	if (t->nkey) {
		iko_buf_clear(&sql);
		if ((rc = iko_buf_puts(&sql, "CREATE UNIQUE INDEX ")) ||
		    (rc = q_ident(&sql, &x->q, pk)) || (rc = iko_buf_puts(&sql, " ON ")) ||
		    (rc = iko_buf_printf(&sql, "%s.", iko_buf_cstr(&x->schema_q))) ||
		    (rc = q_ident(&sql, &x->q, newname)) || (rc = iko_buf_puts(&sql, " (")) ||
		    (rc = key_list(&sql, &x->q, t)) || (rc = iko_buf_putc(&sql, ')')) ||
		    (rc = sql_exec(x->q.conn, iko_buf_cstr(&sql), path)))
			goto done;
	}
	/* deferred, the ANALYZE still runs now beside another table's load (others_loading) */
	others = others_loading(x);
	res->analyzed = !x->o->defer_analyze || others;
	if (res->analyzed && ((rc = stmt(&sql, x, "ANALYZE ", newname, NULL)) ||
			      (rc = sql_exec(x->q.conn, iko_buf_cstr(&sql), path))))
		goto done;
	pause_point("indexed", t->name);
	res->seconds = now_seconds() - t0;
done:
	iko_buf_release(&sql);
	free(pk);
	free(newname);
	free(path);
	return rc;
}

/*
 * Phase 1 on two connections: the tables are independent until the swap
 * (each _new is created, filled and committed in a transaction of its
 * own), so while the server copies and indexes the biggest table on the
 * caller's connection, a second one takes the others — the server works
 * on two cores. Tables go biggest file first to whichever connection is
 * free; after a failure neither takes another. IKO_LOAD_CONNECTIONS=1, or
 * a second connection that cannot be made, loads them one by one.
 */
typedef struct phase1 {
	load_ctx x2;              /* the second connection's: no progress */
	iko_load_result *res;
	size_t *order, n, next;
	size_t loading;           /* tables taken and not yet copied and indexed */
	size_t copied;            /* tables whose rows are committed (all_copied) */
	pthread_mutex_t mu;
	int failed;
	pthread_t th;
	int started, rc2;
	char *err2;
	iko_db_params *params;    /* the second connection's, made on its thread */
} phase1;

static int take_table(phase1 *p, size_t *ti)
{
	int ok;

	pthread_mutex_lock(&p->mu);
	ok = !p->failed && p->next < p->n;
	if (ok) {
		*ti = p->order[p->next++];
		p->loading++;
	}
	pthread_mutex_unlock(&p->mu);
	return ok;
}

/*
 * This table is copied and indexed: whether another one is still being
 * copied or indexed on the other connection. With ANALYZE deferred
 * (defer_analyze) such a table is analyzed now, beside that work; the
 * last table to finish leaves its ANALYZE for after the swap
 * (iko_load_analyze), since before it the swap would wait for it.
 */
static int others_loading(const load_ctx *x)
{
	phase1 *p = x->p1;
	int others;

	pthread_mutex_lock(&p->mu);
	others = --p->loading > 0;
	pthread_mutex_unlock(&p->mu);
	return others;
}

/* This table's rows are committed: the last one calls the copied hook (iko_load_options). */
static void all_copied(const load_ctx *x)
{
	phase1 *p = x->p1;
	int all;

	pthread_mutex_lock(&p->mu);
	all = ++p->copied == p->n;
	pthread_mutex_unlock(&p->mu);
	if (all && x->o->copied)
		x->o->copied(x->o->hook_arg, x->o->conn);
}

static int phase1_run(phase1 *p, const load_ctx *x)
{
	size_t ti;
	int rc = 0;

	while (!rc && take_table(p, &ti))
		if ((rc = load_table(x, ti, &p->res->tables[ti]))) {
			pthread_mutex_lock(&p->mu);
			p->failed = 1;
			pthread_mutex_unlock(&p->mu);
		}
	return rc;
}

static void session_settings(PGconn *c);

/*
 * The second connection's thread: it connects here, while the caller's
 * connection has already begun the biggest table (made before, the
 * connection kept that one waiting 10-15 ms); one that cannot be made
 * takes no table and the caller's takes them all.
 */
static void *phase1_main(void *arg)
{
	phase1 *p = arg;

	if ((p->x2.q.conn = iko_db_connect_with(p->params)) == NULL)
		return NULL;
	session_settings(p->x2.q.conn);
	p->rc2 = iko_thread_keep_error(phase1_run(p, &p->x2), &p->err2);
	return NULL;
}

static long long input_size(const load_ctx *x, size_t ti)
{
	char *path = table_path(x->o->size_dir ? x->o->size_dir : x->o->in_dir, x->o->schema->tables[ti].name);
	struct stat st;
	long long n = -1;

	/* a file its writer named (iko_follow_announce): the size it was named with */
	if (path && x->o->follow && !x->o->size_dir)
		n = iko_follow_expected(x->o->follow, path);
	if (n < 0)
		n = path && stat(path, &st) == 0 ? (long long)st.st_size : 0;
	free(path);
	return n;
}

/*
 * Settings of each loading session, none of them needed for a correct
 * load; where the server does not take one, nothing changes.
 *
 * - backend_flush_after: the server writes a new table's pages back as
 *   the COPY goes (the kernel is asked to start writing every 2 MiB this
 *   backend writes), instead of leaving them all to the commit's fsync
 *   (wal_level=minimal syncs the new table's files at commit): at 1M
 *   residents that fsync of 250 MB took 0.2-0.3 s with both cores idle,
 *   and in a rehearsal it lies on the critical path, between validate's
 *   end and the primary key.
 * - maintenance_work_mem at least 256 MB, for the primary key's sort: with
 *   the default 64 MB, 1M residents' keys are sorted on disk. Measured on
 *   the same table: 0.76 s and 0.75 CPU-seconds at 64 MB (no parallel
 *   workers), 0.60 s and 0.60 CPU-seconds at 256 MB. The memory is only
 *   taken as the sort needs it.
 * - max_parallel_maintenance_workers = 0 when the server runs on this
 *   machine (a Unix socket) and it has at most two cores: a worker beside
 *   the leader then only takes a core from the rest of the rehearsal. The
 *   same build at 256 MB: 0.60-0.72 s and 0.93-1.09 CPU-seconds with the
 *   server's one worker, 0.60 s and 0.60 CPU-seconds without.
 */
#define SORT_MEM_MIN "268435456"

static void session_settings(PGconn *c)
{
	const char *host = PQhost(c);
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	PQclear(PQexec(c, "SET backend_flush_after = '2MB'"));
	PQclear(PQexec(c, "SELECT set_config('maintenance_work_mem', '256MB', false) "
			  "WHERE pg_size_bytes(current_setting('maintenance_work_mem')) < " SORT_MEM_MIN));
	if (host && host[0] == '/' && ncpu > 0 && ncpu <= 2)
		PQclear(PQexec(c, "SET max_parallel_maintenance_workers = 0"));
}

static int load_tables(const load_ctx *x, iko_load_result *res)
{
	const char *e = getenv("IKO_LOAD_CONNECTIONS");
	load_ctx x1;
	phase1 p;
	long long *size;
	size_t i, j, n = x->o->schema->ntables;
	int rc;

	memset(&p, 0, sizeof(p));
	p.res = res;
	p.n = n;
	p.order = calloc(n + 1, sizeof(*p.order));
	size = calloc(n + 1, sizeof(*size));
	if (!p.order || !size) {
		free(p.order);
		free(size);
		return iko_error_set(IKO_ENOMEM, "out of memory");
	}
	/* biggest first; equal sizes in schema order */
	for (i = 0; i < n; i++) {
		long long sz = input_size(x, i);
		for (j = i; j > 0 && size[j - 1] < sz; j--) {
			size[j] = size[j - 1];
			p.order[j] = p.order[j - 1];
		}
		size[j] = sz;
		p.order[j] = i;
	}
	free(size);
	pthread_mutex_init(&p.mu, NULL);
	session_settings(x->q.conn);
	x1 = *x;
	x1.p1 = &p;
	if (n > 1 && !(e && !strcmp(e, "1"))) {
		p.x2 = x1;
		p.x2.quiet = 1;
		p.x2.q.conn = NULL;
		if ((p.params = iko_db_params_of(x->q.conn)) != NULL && iko_thread_start(&p.th, phase1_main, &p) == 0)
			p.started = 1;
	}
	rc = phase1_run(&p, &x1);
	if (p.started) {
		pthread_join(p.th, NULL);
		if (!rc && p.rc2)
			rc = iko_error_set(p.rc2, "%s", p.err2 ? p.err2 : "out of memory");
	}
	/* closed before the caller drops the _new tables it may still hold */
	PQfinish(p.x2.q.conn);
	iko_db_params_free(p.params);
	pthread_mutex_destroy(&p.mu);
	free(p.err2);
	free(p.order);
	return rc;
}

/* Does <rel> exist in the schema, and is it a partition (attached)? */
static int rel_state(const load_ctx *x, const char *rel, int *exists, int *attached)
{
	const char *params[2] = { x->o->schema->name, rel };
	PGresult *r = PQexecParams(x->q.conn,
		"SELECT EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhrelid = c.oid)"
		" FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
		" WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind = 'r'",
		2, NULL, params, NULL, NULL, 0);
	int rc = 0;

	*exists = *attached = 0;
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		rc = iko_error_set(IKO_EDB, "cannot look up %s.%s: %s", x->o->schema->name, rel,
				   res_msg(r, x->q.conn));
	} else if (PQntuples(r) == 1) {
		*exists = 1;
		*attached = PQgetvalue(r, 0, 0)[0] == 't';
	}
	PQclear(r);
	return rc;
}

/* Rename index s.<from> to <to> if it exists. */
static int rename_index(const load_ctx *x, iko_buf *sql, const char *from, const char *to,
			const char *what)
{
	int rc;

	if ((rc = stmt(sql, x, "ALTER INDEX IF EXISTS ", from, " RENAME TO ")) ||
	    (rc = q_ident(sql, &x->q, to)))
		return rc;
	return sql_exec(x->q.conn, iko_buf_cstr(sql), what);
}

/*
 * Inside the caller's transaction: <table>_<lg>_prev and its primary key
 * renamed <table>_<lg>_old, to be dropped after the commit (drop_old):
 * dropping a table unlinks its files and drops its pages from the cache
 * when the transaction commits (0.18 s for 1M residents), and until the
 * swap commits every municipality's readers of the parent tables wait. An
 * _old already there is a leftover of a load stopped between its swap and
 * that drop (normally none: nothing to do).
 */
static int set_aside(const load_ctx *x, iko_buf *sql, const char *table, const char *what)
{
	const char *lg = x->o->lg_code;
	char *prev = iko_aprintf("%s_%s_prev", table, lg), *prev_pk = iko_aprintf("%s_%s_prev_pkey", table, lg);
	char *old = iko_aprintf("%s_%s_old", table, lg), *old_pk = iko_aprintf("%s_%s_old_pkey", table, lg);
	int rc = IKO_ENOMEM;

	if (prev && prev_pk && old && old_pk &&
	    !(rc = stmt(sql, x, "DROP TABLE IF EXISTS ", old, NULL)) &&
	    !(rc = sql_exec(x->q.conn, iko_buf_cstr(sql), what)) &&
	    !(rc = stmt(sql, x, "ALTER TABLE IF EXISTS ", prev, " RENAME TO ")) &&
	    !(rc = q_ident(sql, &x->q, old)) &&
	    !(rc = sql_exec(x->q.conn, iko_buf_cstr(sql), what)))
		rc = rename_index(x, sql, prev_pk, old_pk, what);
	free(prev);
	free(prev_pk);
	free(old);
	free(old_pk);
	return rc;
}

/* Phase 2 for one table, inside the swap transaction. */
static int swap_table(const load_ctx *x, const iko_table *t, iko_buf *sql)
{
	const char *lg = x->o->lg_code;
	char *cur = iko_aprintf("%s_%s", t->name, lg);
	char *prev = iko_aprintf("%s_%s_prev", t->name, lg);
	char *nw = iko_aprintf("%s_%s_new", t->name, lg);
	char *cur_pk = iko_aprintf("%s_%s_pkey", t->name, lg);
	char *prev_pk = iko_aprintf("%s_%s_prev_pkey", t->name, lg);
	char *new_pk = iko_aprintf("%s_%s_new_pkey", t->name, lg);
	char *what = iko_aprintf("cannot swap in the new partition %s.%s_%s",
				 x->o->schema->name, t->name, lg);
	int rc = IKO_ENOMEM, exists, attached;

	if (!cur || !prev || !nw || !cur_pk || !prev_pk || !new_pk || !what)
		goto done;
	if ((rc = rel_state(x, cur, &exists, &attached)))
		goto done;
	/* a foreign partition (the municipality was on a shard): its data stays there */
	if (!exists) {
		const char *params[2] = { x->o->schema->name, cur };
		PGresult *r = PQexecParams(x->q.conn,
			"SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
			" WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind = 'f'",
			2, NULL, params, NULL, NULL, 0);
		int foreign = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1;
		PQclear(r);
		if (foreign && ((rc = stmt(sql, x, "DROP FOREIGN TABLE ", cur, NULL)) ||
				(rc = sql_exec(x->q.conn, iko_buf_cstr(sql), what))))
			goto done;
	}
	if (exists) {
		/* the generation before _prev, dropped after the commit */
		if ((rc = set_aside(x, sql, t->name, what)))
			goto done;
		if (attached && ((rc = stmt(sql, x, "ALTER TABLE ", t->name, " DETACH PARTITION ")) ||
				 (rc = iko_buf_printf(sql, "%s.", iko_buf_cstr(&x->schema_q))) ||
				 (rc = q_ident(sql, &x->q, cur)) ||
				 (rc = sql_exec(x->q.conn, iko_buf_cstr(sql), what))))
			goto done;
		if ((rc = stmt(sql, x, "ALTER TABLE ", cur, " RENAME TO ")) ||
		    (rc = q_ident(sql, &x->q, prev)) ||
		    (rc = sql_exec(x->q.conn, iko_buf_cstr(sql), what)) ||
		    (rc = rename_index(x, sql, cur_pk, prev_pk, what)))
			goto done;
	}
	/* the unique index built after the COPY (load_table) becomes the primary key: no scan, the key columns are NOT NULL */
	if (t->nkey && ((rc = stmt(sql, x, "ALTER TABLE ", nw, " ADD CONSTRAINT ")) ||
			(rc = q_ident(sql, &x->q, new_pk)) || (rc = iko_buf_puts(sql, " PRIMARY KEY USING INDEX ")) ||
			(rc = q_ident(sql, &x->q, new_pk)) || (rc = sql_exec(x->q.conn, iko_buf_cstr(sql), what))))
		goto done;
	if ((rc = stmt(sql, x, "ALTER TABLE ", nw, " RENAME TO ")) ||
	    (rc = q_ident(sql, &x->q, cur)) ||
	    (rc = sql_exec(x->q.conn, iko_buf_cstr(sql), what)) ||
	    (rc = rename_index(x, sql, new_pk, cur_pk, what)) ||
	    (rc = stmt(sql, x, "ALTER TABLE ", t->name, " ATTACH PARTITION ")) ||
	    (rc = iko_buf_printf(sql, "%s.", iko_buf_cstr(&x->schema_q))) ||
	    (rc = q_ident(sql, &x->q, cur)) || (rc = iko_buf_puts(sql, " FOR VALUES IN (")) ||
	    (rc = q_literal(sql, &x->q, lg)) || (rc = iko_buf_putc(sql, ')')) ||
	    (rc = sql_exec(x->q.conn, iko_buf_cstr(sql), what)))
		goto done;
done:
	free(what);
	free(new_pk);
	free(prev_pk);
	free(cur_pk);
	free(nw);
	free(prev);
	free(cur);
	return rc;
}

/* Drop the generations the swap renamed <t>_<lg>_old (swap_table), each in a transaction of its own. */
static int drop_old(const load_ctx *x)
{
	iko_buf sql = IKO_BUF_INIT;
	char *old = NULL, *what = NULL;
	size_t i;
	int rc = 0;

	for (i = 0; !rc && i < x->o->schema->ntables; i++) {
		const iko_table *t = &x->o->schema->tables[i];
		free(old);
		free(what);
		old = iko_aprintf("%s_%s_old", t->name, x->o->lg_code);
		what = iko_aprintf("cannot drop the generation before %s.%s_%s_prev", x->o->schema->name, t->name,
				   x->o->lg_code);
		if (!old || !what)
			rc = iko_error_set(IKO_ENOMEM, "out of memory");
		else if (!(rc = stmt(&sql, x, "DROP TABLE IF EXISTS ", old, NULL)))
			rc = sql_exec(x->q.conn, iko_buf_cstr(&sql), what);
	}
	free(old);
	free(what);
	iko_buf_release(&sql);
	return rc;
}

static int record_history(const load_ctx *x, const iko_load_result *res, const char *kind)
{
	char rows[32];
	const char *params[6];
	PGresult *r;
	size_t i;
	int rc = 0;

	for (i = 0; i < res->ntables && !rc; i++) {
		snprintf(rows, sizeof(rows), "%lld", res->tables[i].rows);
		params[0] = x->o->run_id;
		params[1] = x->o->schema->name;
		params[2] = res->tables[i].table;
		params[3] = x->o->lg_code;
		params[4] = rows;
		params[5] = kind;
		r = PQexecParams(x->q.conn,
			"INSERT INTO iko.load_history (run_id, schema_name, table_name, lg_code, rows, kind)"
			" VALUES ($1, $2, $3, $4, $5, $6)", 6, NULL, params, NULL, NULL, 0);
		if (PQresultStatus(r) != PGRES_COMMAND_OK)
			rc = iko_error_set(IKO_EDB, "cannot record the load: %s",
					   res_msg(r, x->q.conn));
		PQclear(r);
	}
	return rc;
}

/* Phase 2: swap every table in one transaction and record the load. */
static int swap_all(const load_ctx *x, const iko_load_result *res)
{
	iko_buf sql = IKO_BUF_INIT;
	size_t i;
	int rc;

	if ((rc = sql_exec(x->q.conn, "BEGIN", "cannot start the swap")) ||
	    (rc = sql_exec(x->q.conn, "SET LOCAL lock_timeout = '60s'", "cannot start the swap")))
		goto done;
	for (i = 0; i < x->o->schema->ntables; i++) {
		if ((rc = swap_table(x, &x->o->schema->tables[i], &sql)))
			goto done;
		pause_point("swap", x->o->schema->tables[i].name);
	}
	if ((rc = record_history(x, res, "load")))
		goto done;
	rc = sql_exec(x->q.conn, "COMMIT", "cannot commit the swap");
	if (!rc)
		pause_point("swapped", NULL);
done:
	iko_buf_release(&sql);
	return rc;
}

static int ensure_history(PGconn *c)
{
	return sql_exec(c,
		"CREATE SCHEMA IF NOT EXISTS iko;\n"
		"CREATE TABLE IF NOT EXISTS iko.load_history (\n"
		"\trun_id text,\n\tschema_name text NOT NULL,\n\ttable_name text NOT NULL,\n"
		"\tlg_code text NOT NULL,\n\trows bigint NOT NULL,\n"
		"\tloaded_at timestamptz NOT NULL DEFAULT now()\n);\n"
		"ALTER TABLE iko.load_history ADD COLUMN IF NOT EXISTS kind text NOT NULL DEFAULT 'load';",
		"cannot create iko.load_history");
}

/* Session advisory lock per (schema, municipality); lock=0 releases. */
static int load_lock(const load_ctx *x, int lock)
{
	char *key = iko_aprintf("iko.load:%s:%s", x->o->schema->name, x->o->lg_code);
	const char *params[1] = { key };
	PGresult *r = NULL;
	int rc = 0;

	if (!key)
		return IKO_ENOMEM;
	r = PQexecParams(x->q.conn, lock ? "SELECT pg_try_advisory_lock(hashtext($1))"
					 : "SELECT pg_advisory_unlock(hashtext($1))",
			 1, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK)
		rc = iko_error_set(IKO_EDB, "cannot take the load lock: %s",
				   res_msg(r, x->q.conn));
	else if (lock && PQgetvalue(r, 0, 0)[0] != 't')
		rc = iko_error_set(IKO_ESTATE, "another load of %s into %s is running",
				   x->o->lg_code, x->o->schema->name);
	PQclear(r);
	free(key);
	return rc;
}

/* After a failure: roll back and drop the _new tables (best effort). */
static void cleanup_failed(const load_ctx *x)
{
	iko_buf sql = IKO_BUF_INIT;
	size_t i;
	char *nw;

	if (PQstatus(x->q.conn) != CONNECTION_OK)
		return;
	PQclear(PQexec(x->q.conn, "ROLLBACK"));
	for (i = 0; i < x->o->schema->ntables; i++) {
		if (!x->made_new[i])
			continue;
		nw = iko_aprintf("%s_%s_new", x->o->schema->tables[i].name, x->o->lg_code);
		if (nw && !stmt(&sql, x, "DROP TABLE IF EXISTS ", nw, NULL))
			PQclear(PQexec(x->q.conn, iko_buf_cstr(&sql)));
		free(nw);
	}
	iko_buf_release(&sql);
}

int iko_load_check_inputs(const iko_load_options *o)
{
	size_t i;
	char *path;
	int ok;

	if ((!o->follow || !o->size_dir) && !iko_is_dir(o->in_dir))
		return iko_error_set(IKO_ENOTFOUND, "no such directory: %s", o->in_dir);
	/* ahead of validate, a missing file is reported when the load opens it */
	for (i = 0; !o->ahead_dir && i < o->schema->ntables; i++) {
		path = table_path(o->in_dir, o->schema->tables[i].name);
		if (!path)
			return iko_error_set(IKO_ENOMEM, "out of memory");
		if (o->follow && o->size_dir) {
			/* still being written: there will be one for each file in size_dir */
			char *sized = iko_aprintf("%s/%s.csv", o->size_dir, o->schema->tables[i].name);
			ok = sized && iko_path_exists(sized);
			free(sized);
		} else {
			/* on disk, or named by the set's writer (iko_follow_announce) */
			ok = iko_path_exists(path) || (o->follow && iko_follow_expected(o->follow, path) >= 0);
		}
		if (!ok)
			iko_error_set(IKO_ENOTFOUND, "missing input file %s", path);
		free(path);
		if (!ok)
			return IKO_ENOTFOUND;
	}
	return 0;
}

static int check_options(const iko_load_options *o)
{
	if (!o || !o->conn || !o->schema || !o->lg_code || !o->in_dir)
		return iko_error_set(IKO_EINVAL, "load: conn, schema, lg_code and in_dir are required");
	if (strlen(o->lg_code) != 6 || strspn(o->lg_code, "0123456789") != 6 ||
	    !iko_lg_code_valid(o->lg_code, 6))
		return iko_error_set(IKO_EINVAL, "not a valid 団体コード (6 digits with check digit): %s",
				     o->lg_code);
	return iko_load_check_inputs(o);
}

int iko_load_run(iko_load_result *out, const iko_load_options *opts)
{
	load_ctx x;
	iko_load_result res;
	double t0 = now_seconds();
	int rc, locked = 0;
	size_t n, i;

	memset(out, 0, sizeof(*out));
	memset(&res, 0, sizeof(res));
	memset(&x, 0, sizeof(x));
	if ((rc = check_options(opts)))
		return rc;
	x.o = opts;
	x.q.conn = opts->conn;
	n = opts->schema->ntables;
	x.made_new = calloc(n + 1, sizeof(*x.made_new));
	res.tables = calloc(n + 1, sizeof(*res.tables));
	if (!x.made_new || !res.tables) {
		rc = iko_error_set(IKO_ENOMEM, "out of memory");
		goto done;
	}
	res.ntables = n;
	if ((rc = q_ident(&x.schema_q, &x.q, opts->schema->name)) ||
	    (rc = load_lock(&x, 1)))
		goto done;
	locked = 1;
	pause_point("locked", NULL);
	if ((rc = iko_load_ensure_schema(opts->conn, opts->schema)) ||
	    (rc = ensure_history(opts->conn)))
		goto done;
	if ((rc = load_tables(&x, &res)))
		goto done;
	if (opts->follow && !iko_follow_wait_closed(opts->follow)) {
		rc = iko_error_set(IKO_ERROR, "%s: the files being loaded were not completed; nothing swapped",
				   opts->in_dir);
		goto done;
	}
	pause_point("swap-begin", NULL);
	if (opts->before_swap)
		opts->before_swap(opts->hook_arg);
	if ((rc = swap_all(&x, &res)))
		goto done;
	/* the generation before _prev: now (the swap is committed and live), or by the caller (defer_analyze, defer_drop) */
	if (opts->defer_analyze || opts->defer_drop)
		res.drop_deferred = 1;
	else if ((rc = drop_old(&x))) {
		rc = iko_error_set(rc, "the new generation is loaded and live, but: %s", iko_error_message());
		goto done;
	}
	res.seconds = now_seconds() - t0;
	for (i = 0; i < res.ntables; i++)
		res.analyze_deferred |= !res.tables[i].analyzed;
	*out = res;
	memset(&res, 0, sizeof(res));
done:
	if (rc)
		cleanup_failed(&x);
	if (locked)
		PQclear(PQexec(opts->conn, "SELECT pg_advisory_unlock_all()"));
	iko_load_result_release(&res);
	iko_buf_release(&x.schema_q);
	free(x.made_new);
	return rc;
}

/* A context for statements on conn outside a load (iko_load_analyze, iko_load_drop_old); release x->schema_q. */
static int ctx_for(load_ctx *x, iko_load_options *o, PGconn *conn, const iko_schema *schema, const char *lg_code)
{
	memset(x, 0, sizeof(*x));
	o->conn = conn;
	o->schema = schema;
	o->lg_code = lg_code;
	x->o = o;
	x->q.conn = conn;
	return q_ident(&x->schema_q, &x->q, schema->name);
}

int iko_load_set_aside(PGconn *conn, const iko_schema *schema, const char *table, const char *lg_code)
{
	load_ctx x;
	iko_load_options o = IKO_LOAD_OPTIONS_INIT;
	iko_buf sql = IKO_BUF_INIT;
	char *what = iko_aprintf("cannot set aside the generation before %s.%s_%s", schema->name, table, lg_code);
	int rc;

	if (!(rc = ctx_for(&x, &o, conn, schema, lg_code)))
		rc = what ? set_aside(&x, &sql, table, what) : iko_error_set(IKO_ENOMEM, "out of memory");
	iko_buf_release(&x.schema_q);
	iko_buf_release(&sql);
	free(what);
	return rc;
}

int iko_load_drop_old(PGconn *conn, const iko_schema *schema, const char *lg_code)
{
	load_ctx x;
	iko_load_options o = IKO_LOAD_OPTIONS_INIT;
	int rc;

	if (!(rc = ctx_for(&x, &o, conn, schema, lg_code)))
		rc = drop_old(&x);
	iko_buf_release(&x.schema_q);
	return rc;
}

int iko_load_analyze(PGconn *conn, const iko_schema *schema, const char *lg_code,
		     const iko_load_table_result *done)
{
	load_ctx x;
	iko_load_options o = IKO_LOAD_OPTIONS_INIT;
	iko_buf sql = IKO_BUF_INIT;
	char *rel = NULL;
	size_t i;
	int rc = 0;

	if ((rc = ctx_for(&x, &o, conn, schema, lg_code)))
		goto done;
	for (i = 0; !rc && i < schema->ntables; i++) {
		if (done && done[i].analyzed)
			continue;
		free(rel);
		if (!(rel = iko_aprintf("%s_%s", schema->tables[i].name, lg_code))) {
			rc = IKO_ENOMEM;
			break;
		}
		if (!(rc = stmt(&sql, &x, "ANALYZE ", rel, NULL))) {
			char *what = iko_aprintf("cannot analyze %s.%s", schema->name, rel);
			rc = what ? sql_exec(conn, iko_buf_cstr(&sql), what) : IKO_ENOMEM;
			free(what);
		}
	}
	if (!rc)
		rc = drop_old(&x);
done:
	free(rel);
	iko_buf_release(&sql);
	iko_buf_release(&x.schema_q);
	return rc;
}

/* ---- rollback ------------------------------------------------------------ */

/* Rows of schema.rel (a plain table), or -1 with the error set. */
static long long count_rows(const load_ctx *x, iko_buf *sql, const char *rel)
{
	PGresult *r;
	long long n = -1;

	if (stmt(sql, x, "SELECT count(*) FROM ", rel, NULL))
		return -1;
	r = PQexec(x->q.conn, iko_buf_cstr(sql));
	if (PQresultStatus(r) == PGRES_TUPLES_OK)
		n = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	else
		iko_error_set(IKO_EDB, "cannot count %s: %s", rel, res_msg(r, x->q.conn));
	PQclear(r);
	return n;
}

/* Exchange <t>_<lg> and <t>_<lg>_prev (and their primary keys). */
static int rollback_table(const load_ctx *x, const iko_table *t, iko_buf *sql, long long *rows)
{
	const char *lg = x->o->lg_code;
	char *cur = iko_aprintf("%s_%s", t->name, lg), *prev = iko_aprintf("%s_%s_prev", t->name, lg);
	char *tmp = iko_aprintf("%s_%s_rb", t->name, lg);
	char *cur_pk = iko_aprintf("%s_%s_pkey", t->name, lg);
	char *prev_pk = iko_aprintf("%s_%s_prev_pkey", t->name, lg);
	char *tmp_pk = iko_aprintf("%s_%s_rb_pkey", t->name, lg);
	char *what = iko_aprintf("cannot roll back %s.%s_%s", x->o->schema->name, t->name, lg);
	int rc = IKO_ENOMEM, exists, attached, pexists, pattached;

	if (!cur || !prev || !tmp || !cur_pk || !prev_pk || !tmp_pk || !what)
		goto done;
	if ((rc = rel_state(x, cur, &exists, &attached)) ||
	    (rc = rel_state(x, prev, &pexists, &pattached)))
		goto done;
	if (!pexists) {
		rc = iko_error_set(IKO_ENOTFOUND, "no previous generation of %s.%s for %s to roll back to "
				   "(it is kept from the last load until the next one)",
				   x->o->schema->name, t->name, lg);
		goto done;
	}
	if (exists) {
		if (attached && ((rc = stmt(sql, x, "ALTER TABLE ", t->name, " DETACH PARTITION ")) ||
				 (rc = iko_buf_printf(sql, "%s.", iko_buf_cstr(&x->schema_q))) ||
				 (rc = q_ident(sql, &x->q, cur)) ||
				 (rc = sql_exec(x->q.conn, iko_buf_cstr(sql), what))))
			goto done;
		if ((rc = stmt(sql, x, "ALTER TABLE ", cur, " RENAME TO ")) ||
		    (rc = q_ident(sql, &x->q, tmp)) ||
		    (rc = sql_exec(x->q.conn, iko_buf_cstr(sql), what)) ||
		    (rc = rename_index(x, sql, cur_pk, tmp_pk, what)))
			goto done;
	}
	if ((rc = stmt(sql, x, "ALTER TABLE ", prev, " RENAME TO ")) ||
	    (rc = q_ident(sql, &x->q, cur)) ||
	    (rc = sql_exec(x->q.conn, iko_buf_cstr(sql), what)) ||
	    (rc = rename_index(x, sql, prev_pk, cur_pk, what)) ||
	    (rc = stmt(sql, x, "ALTER TABLE ", t->name, " ATTACH PARTITION ")) ||
	    (rc = iko_buf_printf(sql, "%s.", iko_buf_cstr(&x->schema_q))) ||
	    (rc = q_ident(sql, &x->q, cur)) || (rc = iko_buf_puts(sql, " FOR VALUES IN (")) ||
	    (rc = q_literal(sql, &x->q, lg)) || (rc = iko_buf_putc(sql, ')')) ||
	    (rc = sql_exec(x->q.conn, iko_buf_cstr(sql), what)))
		goto done;
	if (exists && ((rc = stmt(sql, x, "ALTER TABLE ", tmp, " RENAME TO ")) ||
		       (rc = q_ident(sql, &x->q, prev)) ||
		       (rc = sql_exec(x->q.conn, iko_buf_cstr(sql), what)) ||
		       (rc = rename_index(x, sql, tmp_pk, prev_pk, what))))
		goto done;
	*rows = count_rows(x, sql, cur);
	rc = *rows < 0 ? IKO_EDB : 0;
done:
	free(what);
	free(tmp_pk);
	free(prev_pk);
	free(cur_pk);
	free(tmp);
	free(prev);
	free(cur);
	return rc;
}

int iko_load_rollback(iko_load_result *out, const iko_load_options *opts)
{
	load_ctx x;
	iko_load_result res;
	iko_buf sql = IKO_BUF_INIT;
	double t0 = now_seconds();
	size_t i, n;
	int rc, locked = 0;

	memset(out, 0, sizeof(*out));
	memset(&res, 0, sizeof(res));
	memset(&x, 0, sizeof(x));
	if (!opts || !opts->conn || !opts->schema || !opts->lg_code)
		return iko_error_set(IKO_EINVAL, "rollback: conn, schema and lg_code are required");
	if (strlen(opts->lg_code) != 6 || !iko_lg_code_valid(opts->lg_code, 6))
		return iko_error_set(IKO_EINVAL, "not a valid 団体コード (6 digits with check digit): %s",
				     opts->lg_code);
	x.o = opts;
	x.q.conn = opts->conn;
	n = opts->schema->ntables;
	res.tables = calloc(n + 1, sizeof(*res.tables));
	if (!res.tables)
		return iko_error_set(IKO_ENOMEM, "out of memory");
	res.ntables = n;
	if ((rc = q_ident(&x.schema_q, &x.q, opts->schema->name)) || (rc = load_lock(&x, 1)))
		goto done;
	locked = 1;
	if ((rc = iko_load_ensure_schema(opts->conn, opts->schema)) || (rc = ensure_history(opts->conn)) ||
	    (rc = sql_exec(x.q.conn, "BEGIN", "cannot start the rollback")) ||
	    (rc = sql_exec(x.q.conn, "SET LOCAL lock_timeout = '60s'", "cannot start the rollback")))
		goto done;
	for (i = 0; i < n; i++) {
		if (!(res.tables[i].table = iko_strdup(opts->schema->tables[i].name))) {
			rc = iko_error_set(IKO_ENOMEM, "out of memory");
			goto done;
		}
		if ((rc = rollback_table(&x, &opts->schema->tables[i], &sql, &res.tables[i].rows)))
			goto done;
	}
	if ((rc = record_history(&x, &res, "rollback")) ||
	    (rc = sql_exec(x.q.conn, "COMMIT", "cannot commit the rollback")))
		goto done;
	res.seconds = now_seconds() - t0;
	*out = res;
	memset(&res, 0, sizeof(res));
done:
	if (rc && PQstatus(x.q.conn) == CONNECTION_OK)
		PQclear(PQexec(x.q.conn, "ROLLBACK"));
	if (locked)
		PQclear(PQexec(opts->conn, "SELECT pg_advisory_unlock_all()"));
	iko_load_result_release(&res);
	iko_buf_release(&x.schema_q);
	iko_buf_release(&sql);
	return rc;
}
