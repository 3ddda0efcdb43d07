/*
 * iko_reconcile.c — measures three ways, records two ways, and the
 * discrepancy workbook (see iko_reconcile.h).
 */
#include "iko_reconcile.h"

#include "iko_buf.h"
#include "iko_csv.h"
#include "iko_db.h"
#include "iko_error.h"
#include "iko_fs.h"
#include "iko_json.h"
#include "iko_legacy.h"
#include "iko_pack.h"
#include "iko_reject.h"
#include "iko_schema.h"
#include "iko_recidx.h"
#include "iko_totals.h"
#include "iko_workbook.h"

#include <libpq-fe.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Groups of one measure present in any figure set, sorted, unique. */
static int collect_groups(char ***out, size_t *n, const char *mname,
			  iko_figures *const *sets, int nsets)
{
	size_t cap = 0, pos, mlen = strlen(mname), i, k;
	const char *m, *g;
	char **v = NULL;
	double x;
	int s;

	*n = 0;
	for (s = 0; s < nsets; s++) {
		if (!sets[s])
			continue;
		pos = 0;
		while (iko_figures_next(sets[s], &pos, &m, &g, &x)) {
			if (strncmp(m, mname, mlen) || m[mlen] != '\x1e')
				continue;
			if (*n == cap) {
				char **a = realloc(v, (cap = cap ? cap * 2 : 64) * sizeof(*a));
				if (!a)
					goto oom;
				v = a;
			}
			if (!(v[(*n)++] = iko_strdup(g)))
				goto oom;
		}
	}
	if (*n)
		qsort(v, *n, sizeof(*v), cmp_str);
	for (i = k = 0; i < *n; i++) {
		if (k && !strcmp(v[k - 1], v[i])) {
			free(v[i]);
			continue;
		}
		v[k++] = v[i];
	}
	*n = k;
	*out = v;
	return 0;
oom:
	for (i = 0; i < *n; i++)
		free(v[i]);
	free(v);
	*n = 0;
	return iko_error_set(IKO_ENOMEM, "out of memory");
}

static char *group_label(const iko_table *t, const iko_measure *m, const char *group)
{
	iko_buf b = IKO_BUF_INIT;
	const char *p = group;
	size_t i;

	if (m->ngroup == 0)
		return iko_strdup("全体");
	for (i = 0; i < m->ngroup; i++) {
		const char *end = strchr(p, '|');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		int c = iko_table_column(t, m->group_by[i]);
		const iko_column *col = c >= 0 ? &t->cols[c] : NULL;
		char *val = iko_strndup(p, len);
		const char *cl = col && col->codes && val ? iko_code_list_label(col->codes, val) : NULL;

		iko_buf_printf(&b, "%s%s=%s%s%s", i ? " / " : "",
			       col ? col->label : !strcmp(m->group_by[i], "age_band") ? "年齢階級" : m->group_by[i],
			       val ? val : "", cl ? " " : "", cl ? cl : "");
		free(val);
		p = end ? end + 1 : p + len;
	}
	return iko_buf_detach(&b);
}

static int add_row(iko_reconcile_result *r, size_t *cap, const iko_table *t,
		   const iko_measure *m, const char *mname, const char *group,
		   iko_figures *old, iko_figures *ext, iko_figures *db)
{
	iko_measure_row *row;
	double tol, o = 0, e = 0, d = 0, ref;
	int has_old;

	if (r->nrows == *cap) {
		iko_measure_row *a = realloc(r->rows, (*cap = *cap ? *cap * 2 : 128) * sizeof(*a));
		if (!a)
			return iko_error_set(IKO_ENOMEM, "out of memory");
		r->rows = a;
	}
	row = &r->rows[r->nrows];
	memset(row, 0, sizeof(*row));
	has_old = old && iko_figures_get(old, mname, group, &o);
	iko_figures_get(ext, mname, group, &e);
	if (db)
		iko_figures_get(db, mname, group, &d);
	else
		d = e;
	row->measure = iko_strdup(mname);
	row->label = iko_strdup(m->label);
	row->group = iko_strdup(group);
	row->group_label = group_label(t, m, group);
	if (!row->measure || !row->label || !row->group || !row->group_label)
		return iko_error_set(IKO_ENOMEM, "out of memory");
	r->nrows++;
	row->has_old = has_old;
	row->old_v = o;
	row->ext_v = e;
	row->db_v = d;
	ref = has_old ? o : e;
	row->diff = d - ref;
	tol = m->tolerance_abs;
	if (m->tolerance_rel > 0 && m->tolerance_rel * fabs(ref) > tol)
		tol = m->tolerance_rel * fabs(ref);
	row->tolerance = tol;
	if (fabs(d - e) > tol || (has_old && (fabs(e - o) > tol || fabs(d - o) > tol))) {
		row->status = "FAIL";
		r->fail++;
	} else if (!has_old && old) {
		row->status = "WARN";
		r->warn++;
	} else {
		row->status = "PASS";
		r->pass++;
	}
	return 0;
}

/* Does the old system report this measure at all? */
static int old_reports(iko_figures *old, const char *mname)
{
	size_t pos = 0, mlen = strlen(mname);
	const char *m, *g;
	double x;

	while (old && iko_figures_next(old, &pos, &m, &g, &x))
		if (!strncmp(m, mname, mlen) && m[mlen] == '\x1e')
			return 1;
	return 0;
}

static int measures(iko_reconcile_result *r, const iko_schema *s, iko_figures *old,
		    iko_figures *ext, iko_figures *db)
{
	size_t cap = 0, i, k, j, ng;
	char **groups = NULL;
	int rc = 0;

	for (i = 0; i < s->ntables && !rc; i++) {
		const iko_table *t = &s->tables[i];
		for (k = 0; k < t->nmeasures && !rc; k++) {
			const iko_measure *m = &t->measures[k];
			char *mname = iko_aprintf("%s.%s", t->name, m->name);
			iko_figures *sets[3] = { old, ext, db };
			iko_figures *o = old_reports(old, mname ? mname : "") ? old : NULL;
			if (!mname)
				return IKO_ENOMEM;
			rc = collect_groups(&groups, &ng, mname, sets, 3);
			if (!rc && ng == 0 && m->ngroup == 0) {
				/* an ungrouped measure over nothing is still a figure: 0 */
				rc = add_row(r, &cap, t, m, mname, "", o, ext, db);
			}
			for (j = 0; j < ng; j++) {
				if (!rc)
					rc = add_row(r, &cap, t, m, mname, groups[j], o, ext, db);
				free(groups[j]);
			}
			free(groups);
			groups = NULL;
			free(mname);
		}
	}
	return rc;
}

/* ---- record level --------------------------------------------------------- */

/* The hash of a record's values in order (iko_recidx.h): both sides of the comparison. */
static uint64_t record_hash(const iko_csv_row *row)
{
	uint64_t h = IKO_RH_SEED;
	size_t i;

	for (i = 0; i < row->nfields; i++)
		h = iko_rh(h, row->fields[i], row->lens[i]);
	return h;
}

/* The hash of a record's key values in key order (iko_recidx.h); a missing field is empty. */
static uint64_t key_hash(const iko_table *t, const iko_csv_row *row)
{
	uint64_t h = IKO_RH_SEED;
	size_t i, c;

	for (i = 0; i < t->nkey; i++) {
		c = (size_t)t->key[i];
		h = c < row->nfields ? iko_rh(h, row->fields[c], row->lens[c]) : iko_rh(h, "", 0);
	}
	return h;
}

/* The record's key: its key columns joined by '|', as reports show it. 0 or IKO_ENOMEM. */
static int record_key(iko_buf *key, const iko_table *t, const iko_csv_row *row)
{
	size_t i, c;

	iko_buf_clear(key);
	for (i = 0; i < t->nkey; i++) {
		c = (size_t)t->key[i];
		if ((i && iko_buf_putc(key, '|')) || (c < row->nfields && iko_buf_put(key, row->fields[c], row->lens[c])))
			return IKO_ENOMEM;
	}
	return iko_buf_cstr(key) ? 0 : IKO_ENOMEM;
}

/* Do two records have the same key values? */
static int same_key(const iko_table *t, const iko_csv_row *a, const iko_csv_row *b)
{
	size_t i, c;

	for (i = 0; i < t->nkey; i++) {
		c = (size_t)t->key[i];
		if (c >= a->nfields || c >= b->nfields || a->lens[c] != b->lens[c] ||
		    memcmp(a->fields[c], b->fields[c], a->lens[c]))
			return 0;
	}
	return 1;
}

static void diff_free(iko_record_diff *d)
{
	free(d->table);
	free(d->key);
	free(d->column);
	free(d->source_value);
	free(d->loaded_value);
	free(d->legacy_value);
}

static int add_diff(iko_reconcile_result *r, size_t *cap, const char *kind, const char *table,
		    const char *key, const char *col, const char *sv, const char *lv)
{
	iko_record_diff *d;

	if (r->ndiffs >= IKO_RECONCILE_MAX_DIFFS)
		return 0;
	if (r->ndiffs == *cap) {
		iko_record_diff *a = realloc(r->diffs, (*cap = *cap ? *cap * 2 : 64) * sizeof(*a));
		if (!a)
			return iko_error_set(IKO_ENOMEM, "out of memory");
		r->diffs = a;
	}
	d = &r->diffs[r->ndiffs++];
	d->kind = kind;
	d->table = iko_strdup(table);
	d->key = iko_strdup(key);
	d->column = iko_strdup(col ? col : "");
	d->source_value = iko_strdup(sv ? sv : "");
	d->loaded_value = iko_strdup(lv ? lv : "");
	d->legacy_value = NULL;
	if (!d->table || !d->key || !d->column || !d->source_value || !d->loaded_value)
		return iko_error_set(IKO_ENOMEM, "out of memory");
	return 0;
}

/*
 * The validated records of a table in file order — validate's record
 * index (iko_recidx.h), or the same read from the CSV when there is no
 * index for it as it is now — and which of them were read back. A
 * loaded row is compared with the record after the one found last (a
 * freshly loaded table reads back in the validated file's order); when it
 * is not that one, a table from key hash to record finds it (built when
 * first needed). Records whose hashes alone cannot tell (a key hash shared
 * by other keys, or the values differ) are read from the CSV and compared.
 */
typedef struct rkeys {
	iko_recidx_ent *e;
	size_t n;
	unsigned char *seen;   /* per record: read back (set atomically: two streams share it) */
	uint32_t *slot;        /* record + 1 by key hash, open addressing; NULL until needed */
	size_t mask;
	uint64_t khmask;       /* all bits; fewer under IKO_RECONCILE_KEY_HASH_BITS (tests) */
} rkeys;

static void rkeys_free(rkeys *k)
{
	if (!k)
		return;
	free(k->e);
	free(k->seen);
	free(k->slot);
	free(k);
}

static size_t rkeys_slot(const rkeys *k, uint64_t kh)
{
	return (size_t)((kh ^ (kh >> 31)) * 0x9e3779b97f4a7c15ull >> 17) & k->mask;
}

/* The key-hash table (once: before streams start, or on the only one). */
static int rkeys_lookup(rkeys *k)
{
	size_t cap = 16, i, j;

	if (k->slot)
		return 0;
	while (cap < 2 * k->n)
		cap <<= 1;
	if (!(k->slot = calloc(cap, sizeof(*k->slot))))
		return iko_error_set(IKO_ENOMEM, "out of memory");
	k->mask = cap - 1;
	for (i = 0; i < k->n; i++) {
		for (j = rkeys_slot(k, k->e[i].kh); k->slot[j]; j = (j + 1) & k->mask)
			;
		k->slot[j] = (uint32_t)(i + 1);
	}
	return 0;
}

/* The records of a validated CSV read from the file itself (no index for it). */
static int rkeys_from_csv(rkeys *k, const iko_table *t, iko_csv_reader *rd)
{
	iko_csv_row row;
	size_t cap = 0;
	int rc;

	while ((rc = iko_csv_next(rd, &row)) == 1) {
		if (k->n == cap) {
			iko_recidx_ent *a = realloc(k->e, (cap = cap ? cap * 2 : 1024) * sizeof(*a));
			if (!a)
				return iko_error_set(IKO_ENOMEM, "out of memory");
			k->e = a;
		}
		k->e[k->n].off = row.offset;
		k->e[k->n].kh = key_hash(t, &row);
		k->e[k->n].rh = record_hash(&row);
		k->n++;
	}
	return rc;
}

/* The validated records of table t: validate/<t>.index for path, else path read. */
static int rkeys_load(rkeys **out, const iko_table *t, const char *path)
{
	iko_csv_reader *rd = NULL;
	iko_csv_row row;
	char *ipath = iko_recidx_path(path);
	const char *env = getenv("IKO_RECONCILE_KEY_HASH_BITS");
	int bits = env ? atoi(env) : 0;
	rkeys *k = calloc(1, sizeof(*k));
	size_t i;
	int rc;

	*out = NULL;
	if (!k || !ipath) {
		rc = iko_error_set(IKO_ENOMEM, "out of memory");
		goto done;
	}
	if ((rc = iko_csv_reader_open(&rd, path)))
		goto done;
	if (iko_csv_next(rd, &row) != 1 || row.nfields != t->ncols) {
		rc = iko_error_set(IKO_EPARSE, "%s: header does not match table %s", path, t->name);
		goto done;
	}
	/* validate's index when it is this CSV's, else the CSV itself */
	if ((rc = iko_recidx_load(&k->e, &k->n, ipath, path)) < 0 ||
	    (rc = rc == 1 ? 0 : rkeys_from_csv(k, t, rd)))
		goto done;
	/*
	 * Tests: IKO_RECONCILE_KEY_HASH_BITS=N keeps N bits of every key hash,
	 * so that many keys share one and records must be told apart by
	 * reading them (the results must not change).
	 */
	k->khmask = ~0ull;
	if (bits > 0 && bits < 64) {
		k->khmask = (1ull << bits) - 1;
		for (i = 0; i < k->n; i++)
			k->e[i].kh &= k->khmask;
	}
	if (k->n >= UINT32_MAX)
		rc = iko_error_set(IKO_EINVAL, "%s: more than 4294967294 records", path);
	else if (!(k->seen = calloc(k->n + 1, 1)))
		rc = iko_error_set(IKO_ENOMEM, "out of memory");
done:
	iko_csv_reader_free(rd);
	free(ipath);
	if (rc) {
		rkeys_free(k);
		return rc;
	}
	*out = k;
	return 0;
}

/*
 * One stream of loaded rows (a whole table, or a range of its pages) against
 * the validated records. Its differences and counts go to part, its
 * figures to fr; two streams share keys (a record is normally in one of
 * them only).
 */
typedef struct rstream {
	const iko_schema *s;
	const iko_table *t;
	const char *path, *lg, *range; /* range: " AND ctid < " or " AND ctid >= ", or NULL */
	const char *rel;               /* the relation read, in the schema: the table, or its _new (records_early) */
	const char *tid;               /* the bound */
	PGconn *conn;
	rkeys *keys;
	size_t next;                   /* the record after the one found last */
	FILE *src;                     /* path, opened for records read back from it */
	iko_figures_rows *fr;
	iko_reconcile_result part;
	size_t cap;
	pthread_t th;
	int started, rc;
	char *err;
} rstream;

/*
 * Is validated record i the one with loaded's key? 1 when it is (and, when
 * the values differ, its differences are counted and listed), 0 when not,
 * <0 on an error. Only called when the hashes alone cannot tell: record
 * i's key hash is loaded's and its value hash is not.
 */
static int source_is(rstream *x, size_t i, const iko_csv_row *loaded, const char *key)
{
	const iko_table *t = x->t;
	iko_reconcile_result *r = &x->part;
	iko_csv_reader *rd = NULL;
	iko_csv_row row;
	size_t c;
	int rc;

	if (!x->src && !(x->src = fopen(x->path, "rb")))
		return iko_error_set_errno(IKO_EIO, "cannot open %s", x->path);
	if (fseek(x->src, x->keys->e[i].off, SEEK_SET) != 0 || iko_csv_reader_open_fp(&rd, x->src, x->path))
		return iko_error_set(IKO_EIO, "cannot seek in %s", x->path);
	rc = iko_csv_next(rd, &row);
	if (rc != 1) {
		iko_csv_reader_free(rd);
		return rc < 0 ? rc : iko_error_set(IKO_EIO, "%s: no record at byte %lld", x->path, x->keys->e[i].off);
	}
	if (!same_key(t, &row, loaded)) {
		iko_csv_reader_free(rd);
		return 0; /* another key with the same hash */
	}
	r->mismatch++;
	for (rc = 0, c = 0; c < t->ncols && c < row.nfields && !rc; c++) {
		const char *lv = c < loaded->nfields ? loaded->fields[c] : "";
		if (strcmp(row.fields[c], lv))
			rc = add_diff(r, &x->cap, "mismatch", t->name, key, t->cols[c].name,
				      t->cols[c].sensitive ? "(masked)" : row.fields[c],
				      t->cols[c].sensitive ? "(masked)" : lv);
	}
	iko_csv_reader_free(rd);
	return rc < 0 ? rc : 1;
}

/* One loaded row against the validated records: found (and marked seen) or only in the target. */
static int match_row(rstream *x, const iko_csv_row *row, iko_buf *key)
{
	rkeys *k = x->keys;
	uint64_t kh = key_hash(x->t, row) & k->khmask, rh = record_hash(row);
	size_t i = x->next, j;
	int rc;

	if (i < k->n && k->e[i].kh == kh && k->e[i].rh == rh)
		goto found;
	if (record_key(key, x->t, row))
		return iko_error_set(IKO_ENOMEM, "out of memory");
	/* the next record with this key's hash but other values: the same key, changed? */
	if (i < k->n && k->e[i].kh == kh && (rc = source_is(x, i, row, key->ptr)))
		goto found_or_error;
	if ((rc = rkeys_lookup(k)))
		return rc;
	/* a record with both hashes; else one with the key's hash whose key is this one */
	for (j = rkeys_slot(k, kh); k->slot[j]; j = (j + 1) & k->mask) {
		i = k->slot[j] - 1;
		if (k->e[i].kh == kh && k->e[i].rh == rh)
			goto found;
	}
	for (j = rkeys_slot(k, kh); k->slot[j]; j = (j + 1) & k->mask) {
		i = k->slot[j] - 1;
		if (k->e[i].kh != kh || i == x->next)
			continue; /* another hash, or the record tried above */
		if ((rc = source_is(x, i, row, key->ptr)))
			goto found_or_error;
	}
	x->part.only_target++;
	return add_diff(&x->part, &x->cap, "only_in_target", x->t->name, key->ptr, NULL, NULL, NULL);
found_or_error:
	if (rc < 0)
		return rc;
found:
	x->next = i + 1;
	__atomic_store_n(&k->seen[i], 1, __ATOMIC_RELAXED);
	return 0;
}

/*
 * Read every loaded row of the stream's table (and range) with COPY ... TO
 * STDOUT: the server writes the rows straight from the scan with each
 * type's own output function, the text ::text would give, without a
 * projection or a result set per batch (half the server's time of a cursor
 * with ::text casts, measured at 100k); each row is split in place.
 */
static int stream_rows(rstream *x)
{
	const iko_table *t = x->t;
	PGconn *conn = x->conn;
	iko_buf key = IKO_BUF_INIT, sql = IKO_BUF_INIT;
	iko_csv_row row = { 0 };
	PGresult *res = NULL;
	size_t i, got;
	char *q, *buf = NULL;
	int rc = 0, n, planner_set = 0;

	row.fields = calloc(t->ncols + 1, sizeof(*row.fields));
	row.lens = calloc(t->ncols + 1, sizeof(*row.lens));
	if (!row.fields || !row.lens)
		goto oom;
	row.nfields = t->ncols;
	iko_buf_puts(&sql, "COPY (SELECT ");
	for (i = 0; i < t->ncols; i++) {
		q = PQescapeIdentifier(conn, t->cols[i].name, strlen(t->cols[i].name));
		if (!q)
			goto dberr;
		iko_buf_printf(&sql, "%s%s", i ? ", " : "", q);
		PQfreemem(q);
	}
	iko_buf_puts(&sql, " FROM ");
	if (!(q = PQescapeIdentifier(conn, x->s->name, strlen(x->s->name))))
		goto dberr;
	iko_buf_printf(&sql, "%s.", q);
	PQfreemem(q);
	if (!(q = PQescapeIdentifier(conn, x->rel, strlen(x->rel))))
		goto dberr;
	iko_buf_printf(&sql, "%s WHERE lg_code = ", q);
	PQfreemem(q);
	if (!(q = PQescapeLiteral(conn, x->lg, strlen(x->lg))))
		goto dberr;
	iko_buf_puts(&sql, q);
	PQfreemem(q);
	if (x->range) {
		if (!(q = PQescapeLiteral(conn, x->tid, strlen(x->tid))))
			goto dberr;
		iko_buf_printf(&sql, "%s%s::tid", x->range, q);
		PQfreemem(q);
	}
	if (iko_buf_puts(&sql, ") TO STDOUT"))
		goto oom;
	/*
	 * Every row of the partition is read: a sequential scan (or, for a
	 * half, a TID range scan). The table was swapped in moments ago and
	 * its ANALYZE runs beside this read, so without statistics the planner
	 * guesses a few matching rows and reads the whole primary key for a
	 * bitmap first: 0.7-0.9 s of the server's time at 1M residents
	 * against 0.12-0.18 s for the sequential scan. Not a parallel one
	 * either: its workers' pages come back interleaved, out of the
	 * validated file's order that match_row follows (at 1M residents a
	 * few hundred jumps, each a key-hash lookup, and the lookup table
	 * built for them), and on two cores they only take a core from the
	 * ANALYZE beside.
	 */
	res = PQexec(conn, "SET enable_bitmapscan = off; SET enable_indexscan = off; SET enable_indexonlyscan = off; "
		     "SET max_parallel_workers_per_gather = 0");
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		rc = iko_error_set(IKO_EDB, "%s", res ? PQresultErrorMessage(res) : PQerrorMessage(conn));
		goto done;
	}
	planner_set = 1;
	PQclear(res);
	res = PQexec(conn, sql.ptr);
	if (PQresultStatus(res) != PGRES_COPY_OUT) {
		rc = iko_error_set(IKO_EDB, "%s", res ? PQresultErrorMessage(res) : PQerrorMessage(conn));
		goto done;
	}
	PQclear(res);
	res = NULL;
	while ((n = PQgetCopyData(conn, &buf, 0)) > 0) {
		if (rc) { /* after an error the rest is read and dropped */
			PQfreemem(buf);
			continue;
		}
		got = iko_db_copy_text_split(buf, (size_t)n, row.fields, row.lens, NULL, t->ncols);
		if (got != t->ncols) {
			rc = iko_error_set(IKO_EDB, "a row of %zu values, expected %zu", got, t->ncols);
			PQfreemem(buf);
			continue;
		}
		if (!x->fr || !(rc = iko_figures_rows_add(x->fr, &row)))
			rc = match_row(x, &row, &key);
		PQfreemem(buf);
	}
	if (n == -2 && !rc)
		rc = iko_error_set(IKO_EDB, "%s", PQerrorMessage(conn));
	/* the COPY's own result, then the end of the command */
	while ((res = PQgetResult(conn)) != NULL) {
		if (PQresultStatus(res) != PGRES_COMMAND_OK && !rc)
			rc = iko_error_set(IKO_EDB, "%s", PQresultErrorMessage(res));
		PQclear(res);
	}
	goto done;
oom:
	rc = iko_error_set(IKO_ENOMEM, "out of memory");
	goto done;
dberr:
	rc = iko_error_set(IKO_EDB, "%s", PQerrorMessage(conn));
done:
	PQclear(res);
	if (planner_set)
		PQclear(PQexec(conn, "RESET enable_bitmapscan; RESET enable_indexscan; RESET enable_indexonlyscan; "
				  "RESET max_parallel_workers_per_gather"));
	if (rc && iko_error_code() == IKO_EDB)
		rc = iko_error_set(IKO_EDB, "reading %s.%s: %s", x->s->name, t->name, iko_error_message());
	free(row.fields);
	free(row.lens);
	iko_buf_release(&key);
	iko_buf_release(&sql);
	return rc;
}

static void *stream_main(void *arg)
{
	rstream *x = arg;

	x->rc = iko_thread_keep_error(stream_rows(x), &x->err);
	return NULL;
}

/* Append a stream's differences to r (up to the cap) and add its counts; part is left empty. */
static int take_part(iko_reconcile_result *r, size_t *cap, iko_reconcile_result *part)
{
	size_t i;
	int rc = 0;

	r->only_target += part->only_target;
	r->mismatch += part->mismatch;
	for (i = 0; i < part->ndiffs; i++) {
		iko_record_diff *d = &part->diffs[i];
		if (!rc && r->ndiffs < IKO_RECONCILE_MAX_DIFFS && r->ndiffs == *cap) {
			iko_record_diff *n = realloc(r->diffs, (*cap = *cap ? *cap * 2 : 64) * sizeof(*n));
			if (!n)
				rc = iko_error_set(IKO_ENOMEM, "out of memory");
			else
				r->diffs = n;
		}
		if (!rc && r->ndiffs < IKO_RECONCILE_MAX_DIFFS) {
			r->diffs[r->ndiffs++] = *d;
			continue;
		}
		diff_free(d);
	}
	free(part->diffs);
	memset(part, 0, sizeof(*part));
	return rc;
}

/*
 * The validated records no loaded row was found for, in file order: all
 * counted, the first (up to the list's cap) listed with their keys, read
 * from the CSV in one pass.
 */
static int only_in_source(iko_reconcile_result *r, size_t *cap, const iko_table *t, const char *path,
			  const rkeys *k)
{
	iko_csv_reader *rd = NULL;
	iko_buf key = IKO_BUF_INIT;
	iko_csv_row row;
	size_t i, first = k->n, want = 0;
	int rc = 0;

	for (i = 0; i < k->n; i++) {
		if (k->seen[i])
			continue;
		if (first == k->n)
			first = i;
		r->only_source++;
		want++;
	}
	if (r->ndiffs >= IKO_RECONCILE_MAX_DIFFS)
		want = 0;
	else if (want > IKO_RECONCILE_MAX_DIFFS - r->ndiffs)
		want = IKO_RECONCILE_MAX_DIFFS - r->ndiffs;
	if (!want)
		return 0;
	if ((rc = iko_csv_reader_open(&rd, path)))
		return rc;
	i = first;
	while (want && (rc = iko_csv_next(rd, &row)) == 1) {
		if (row.offset < k->e[i].off)
			continue;
		if (row.offset > k->e[i].off) {
			rc = iko_error_set(IKO_EIO, "%s: no record at byte %lld (the file changed during reconciliation)",
					   path, k->e[i].off);
			break;
		}
		if ((rc = record_key(&key, t, &row)) ||
		    (rc = add_diff(r, cap, "only_in_source", t->name, key.ptr, NULL, NULL, NULL)))
			break;
		want--;
		for (i++; i < k->n && k->seen[i]; i++)
			;
	}
	if (rc == 0 && want)
		rc = iko_error_set(IKO_EIO, "%s: no record at byte %lld (the file changed during reconciliation)",
				   path, k->e[i].off);
	iko_csv_reader_free(rd);
	iko_buf_release(&key);
	return rc < 0 ? rc : 0;
}

/* Pages of the partition for lg of rel (a table, or its _new), or -1 (then it is read in one stream). */
static long long table_pages(PGconn *conn, const iko_schema *s, const char *rel, const char *lg)
{
	iko_buf sql = IKO_BUF_INIT;
	PGresult *res = NULL;
	char *q1 = PQescapeIdentifier(conn, s->name, strlen(s->name));
	char *q2 = PQescapeIdentifier(conn, rel, strlen(rel));
	long long n = -1;

	if (q1 && q2 &&
	    !iko_buf_printf(&sql, "SELECT pg_relation_size(tableoid) / current_setting('block_size')::bigint "
				  "FROM %s.%s WHERE lg_code = $1 LIMIT 1", q1, q2)) {
		res = PQexecParams(conn, sql.ptr, 1, NULL, &lg, NULL, NULL, 0);
		if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
			n = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	}
	PQclear(res);
	PQfreemem(q1);
	PQfreemem(q2);
	iko_buf_release(&sql);
	return n;
}

/*
 * A table of this many validated records or more is read in two streams at
 * once (the first and second half of its pages) on a machine of four or
 * more cores. On two cores one stream is faster: the server writes the
 * rows with COPY as fast as one client thread compares them, and a second
 * pair would only take the cores from the ANALYZE that runs beside
 * reconcile (measured at 100k and 1M, docs/performance.md).
 * IKO_RECONCILE_SPLIT_ROWS sets the threshold on any machine (tests),
 * IKO_RECONCILE_STREAMS=1 reads every table in one stream.
 */
static size_t split_min_rows(void)
{
	const char *e = getenv("IKO_RECONCILE_SPLIT_ROWS"), *one = getenv("IKO_RECONCILE_STREAMS");

	if (one && !strcmp(one, "1"))
		return (size_t)-1;
	if (e && *e)
		return (size_t)strtoull(e, NULL, 10);
	return sysconf(_SC_NPROCESSORS_ONLN) >= 4 ? 100000 : (size_t)-1;
}

/*
 * Every loaded row of a table against the validated record with its key,
 * and the loaded figures from the same read (db). A big table is read on
 * two connections at once, the first half of its pages on conn and the
 * second on conn2: the server converts rows to text on two cores. The
 * first half's differences come first, so the list is the one a single
 * stream makes.
 */
static int record_table(iko_reconcile_result *r, size_t *cap, const iko_schema *s,
			const iko_table *t, const char *path, PGconn *conn, PGconn *conn2, const char *lg,
			const char *suffix, rkeys *keys, iko_figures *db)
{
	rstream x[2];
	iko_figures *f2 = NULL;
	iko_csv_row hdr = { 0 };
	char tid[64], *rel = suffix ? iko_aprintf("%s_%s%s", t->name, lg, suffix) : NULL;
	long long pages = -1;
	size_t i;
	int rc = 0, n = 1;

	memset(x, 0, sizeof(x));
	if ((suffix && !rel) || !(hdr.fields = calloc(t->ncols + 1, sizeof(*hdr.fields)))) {
		free(rel);
		return iko_error_set(IKO_ENOMEM, "out of memory");
	}
	for (i = 0; i < t->ncols; i++)
		hdr.fields[i] = t->cols[i].name;
	hdr.nfields = t->ncols;
	if (conn2 && keys->n >= split_min_rows() && (pages = table_pages(conn, s, rel ? rel : t->name, lg)) >= 2)
		n = 2;
	/* the second half starts far from the first record: both need the key table */
	if (n == 2 && (rc = rkeys_lookup(keys)))
		goto done;
	for (i = 0; i < (size_t)n; i++) {
		x[i].s = s;
		x[i].t = t;
		x[i].path = path;
		x[i].rel = rel ? rel : t->name;
		x[i].lg = lg;
		x[i].keys = keys;
		x[i].conn = i ? conn2 : conn;
	}
	if (n == 2) {
		snprintf(tid, sizeof(tid), "(%lld,0)", pages / 2);
		x[0].range = " AND ctid < ";
		x[1].range = " AND ctid >= ";
		x[0].tid = x[1].tid = tid;
	}
	if (db && ((rc = iko_figures_rows_open(&x[0].fr, db, t, &hdr, t->name)) ||
		   (n == 2 && ((rc = iko_figures_new(&f2)) ||
			       (rc = iko_figures_rows_open(&x[1].fr, f2, t, &hdr, t->name))))))
		goto done;
	if (n == 2 && iko_thread_start(&x[1].th, stream_main, &x[1]) == 0)
		x[1].started = 1;
	else if (n == 2)
		stream_main(&x[1]);
	rc = stream_rows(&x[0]);
	if (x[1].started) {
		pthread_join(x[1].th, NULL);
		x[1].started = 0;
	}
	if (!rc && x[1].rc)
		rc = iko_error_set(x[1].rc, "%s", x[1].err ? x[1].err : "out of memory");
	for (i = 0; i < (size_t)n; i++) {
		int trc = take_part(r, cap, &x[i].part);
		rc = rc ? rc : trc;
	}
	if (!rc && n == 2 && x[0].fr)
		rc = iko_figures_rows_merge(x[0].fr, x[1].fr);
	else if (!rc && x[0].fr)
		rc = iko_figures_rows_flush(x[0].fr);
	if (!rc)
		rc = only_in_source(r, cap, t, path, keys);
done:
	for (i = 0; i < 2; i++) {
		iko_figures_rows_free(x[i].fr);
		free(x[i].err);
		iko_reconcile_result_release(&x[i].part);
		if (x[i].src)
			fclose(x[i].src);
	}
	iko_figures_free(f2);
	free(hdr.fields);
	free(rel);
	return rc;
}

/*
 * The half of a reconciliation that needs no database — the old totals,
 * the transformed data's figures and the validated records (rkeys) — read
 * on a helper thread: beside validate and the load (iko_reconcile_prepare
 * with records_later, in a rehearsal), or else while the server computes
 * its own figures.
 */
struct iko_reconcile_prep {
	char *run_dir, *dump_dir, *tdir;
	int with_records;      /* build the key sets (a database will be compared) */
	iko_schema *s;
	iko_pack *pack;
	iko_figures *old, *ext;
	char **vpath;          /* per table: validate/<table>.csv, NULL when absent */
	rkeys **keys;          /* per table: the validated records of vpath */
	pthread_mutex_t mu;    /* records_later and cancel */
	pthread_cond_t cv;
	int records_later;     /* 1 until iko_reconcile_prep_records: vpath not checked yet */
	int cancel;            /* freed before that: the helper stops there */
	pthread_t th;
	int started, rc;
	char *err;             /* the thread's message, for the caller */
	/* iko_reconcile_read_early: the record comparison and the row figures, read before the swap */
	int early_done;
	iko_reconcile_result early;
	iko_figures *early_db;
};

/* Which validated files there are (on the caller's thread, before the helper reads them). */
static void check_vpaths(iko_reconcile_prep *w)
{
	size_t i;

	for (i = 0; w->with_records && i < w->s->ntables; i++)
		if (w->vpath[i] && !iko_path_exists(w->vpath[i])) {
			free(w->vpath[i]);
			w->vpath[i] = NULL;
		}
}

void iko_reconcile_prep_records(iko_reconcile_prep *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->mu);
	if (w->records_later) {
		check_vpaths(w);
		w->records_later = 0;
		pthread_cond_signal(&w->cv);
	}
	pthread_mutex_unlock(&w->mu);
}

/* Wait for iko_reconcile_prep_records; 0 when freed first (nothing more to read). */
static int records_ready(iko_reconcile_prep *w)
{
	int go;

	pthread_mutex_lock(&w->mu);
	while (w->records_later && !w->cancel)
		pthread_cond_wait(&w->cv, &w->mu);
	go = !w->cancel;
	pthread_mutex_unlock(&w->mu);
	return go;
}

static int prep_work(iko_reconcile_prep *w)
{
	size_t i;
	int rc;

	if (w->dump_dir) {
		char *xdir = iko_path_join(w->run_dir, "extract");
		rc = xdir ? iko_figures_read_old(w->old, w->pack, w->dump_dir, xdir) : IKO_ENOMEM;
		free(xdir);
		if (rc)
			return rc;
	}
	if ((rc = iko_figures_from_csv(w->ext, w->s, w->tdir)))
		return rc;
	if (w->with_records && !records_ready(w))
		return 0;
	for (i = 0; w->with_records && i < w->s->ntables; i++)
		if (w->vpath[i] && (rc = rkeys_load(&w->keys[i], &w->s->tables[i], w->vpath[i])))
			return rc;
	return 0;
}

static void *prep_main(void *arg)
{
	iko_reconcile_prep *w = arg;

	w->rc = iko_thread_keep_error(prep_work(w), &w->err);
	return NULL;
}

/* Wait for the helper thread; its error, if any, becomes this thread's. */
static int prep_join(iko_reconcile_prep *w)
{
	if (w->started) {
		pthread_join(w->th, NULL);
		w->started = 0;
	}
	if (w->rc)
		return iko_error_set(w->rc, "%s", w->err ? w->err : "out of memory");
	return 0;
}

void iko_reconcile_prep_free(iko_reconcile_prep *w)
{
	size_t i;

	if (!w)
		return;
	pthread_mutex_lock(&w->mu);
	w->cancel = 1;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
	if (w->started)
		pthread_join(w->th, NULL);
	pthread_cond_destroy(&w->cv);
	pthread_mutex_destroy(&w->mu);
	for (i = 0; w->s && i < w->s->ntables; i++) {
		if (w->vpath)
			free(w->vpath[i]);
		if (w->keys)
			rkeys_free(w->keys[i]);
	}
	free(w->vpath);
	free(w->keys);
	free(w->err);
	free(w->run_dir);
	free(w->dump_dir);
	free(w->tdir);
	iko_figures_free(w->old);
	iko_figures_free(w->ext);
	iko_figures_free(w->early_db);
	iko_reconcile_result_release(&w->early);
	iko_pack_free(w->pack);
	iko_schema_free(w->s);
	free(w);
}

int iko_reconcile_prepare(iko_reconcile_prep **out, const iko_reconcile_options *o)
{
	iko_reconcile_prep *w;
	size_t i;
	int rc = IKO_ENOMEM;

	*out = NULL;
	if (!o->run_dir || !o->schema || !o->pack_dir || !o->lg_code)
		return iko_error_set(IKO_EINVAL, "reconcile needs a run directory, schema, pack and lg_code");
	if (!(w = calloc(1, sizeof(*w))))
		return IKO_ENOMEM;
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	w->with_records = o->conn != NULL;
	w->records_later = o->records_later;
	if (!(w->run_dir = iko_strdup(o->run_dir)) || (o->dump_dir && !(w->dump_dir = iko_strdup(o->dump_dir))) ||
	    !(w->tdir = iko_path_join(o->run_dir, "transform")))
		goto fail;
	if ((rc = iko_schema_load_named(&w->s, o->schema)) || (rc = iko_pack_load(&w->pack, o->pack_dir, o->lg_code)) ||
	    (rc = iko_figures_new(&w->old)) || (rc = iko_figures_new(&w->ext)))
		goto fail;
	rc = IKO_ENOMEM;
	if (!(w->vpath = calloc(w->s->ntables + 1, sizeof(*w->vpath))) ||
	    !(w->keys = calloc(w->s->ntables + 1, sizeof(*w->keys))))
		goto fail;
	for (i = 0; w->with_records && i < w->s->ntables; i++) {
		char *rel = iko_aprintf("validate/%s.csv", w->s->tables[i].name);
		w->vpath[i] = rel ? iko_path_join(o->run_dir, rel) : NULL;
		free(rel);
		if (!w->vpath[i])
			goto fail;
	}
	if (!w->records_later)
		check_vpaths(w);
	if (iko_thread_start(&w->th, prep_main, w) == 0)
		w->started = 1;
	else
		prep_main(w);
	*out = w;
	return 0;
fail:
	iko_reconcile_prep_free(w);
	return rc;
}

/*
 * Every validated record against the loaded row with its key, read from
 * each table's partition for lg (suffix NULL) or from <table>_<lg><suffix>;
 * the loaded tables' row-kind figures are computed from the same read
 * into db.
 */
static int records(iko_reconcile_result *r, PGconn *conn, const char *lg, const char *suffix,
		   const iko_reconcile_prep *w, iko_figures *db)
{
	const iko_schema *s = w->s;
	PGconn *conn2 = NULL;
	size_t cap = 0, i;
	int rc = 0;

	/* a second connection for the big tables (read in two halves at once) */
	for (i = 0; i < s->ntables && !conn2; i++)
		if (w->vpath[i] && w->keys[i] && w->keys[i]->n >= split_min_rows())
			conn2 = iko_db_connect_like(conn);
	for (i = 0; i < s->ntables && !rc; i++) {
		char point[80];
		if (!w->vpath[i])
			continue;
		snprintf(point, sizeof(point), "reconcile-read:%s", s->tables[i].name);
		iko_test_pause(point);
		rc = record_table(r, &cap, s, &s->tables[i], w->vpath[i], conn, conn2, lg, suffix, w->keys[i], db);
	}
	PQfinish(conn2);
	return rc ? rc : iko_legacy_fill(r, s, w->run_dir);
}

int iko_reconcile_read_early(iko_reconcile_prep *w, struct pg_conn *conn, const char *lg_code,
			     const char *suffix)
{
	size_t i;
	int rc;

	if (!w || !w->with_records || w->early_done)
		return iko_error_set(IKO_EINVAL, "nothing to read early");
	/* the validated records: validate has finished */
	iko_reconcile_prep_records(w);
	if ((rc = prep_join(w)))
		return rc;
	if ((rc = iko_figures_new(&w->early_db)) || (rc = records(&w->early, conn, lg_code, suffix, w, w->early_db))) {
		/* iko_reconcile_run reads them all again, from the start */
		iko_figures_free(w->early_db);
		w->early_db = NULL;
		iko_reconcile_result_release(&w->early);
		for (i = 0; i < w->s->ntables; i++)
			if (w->keys[i])
				memset(w->keys[i]->seen, 0, w->keys[i]->n);
		return rc;
	}
	w->early_done = 1;
	return 0;
}

/* The record comparison iko_reconcile_read_early made, moved into r, its figures into db. */
static int take_early(iko_reconcile_result *r, iko_reconcile_prep *w, iko_figures *db)
{
	iko_reconcile_result *e = &w->early;

	r->diffs = e->diffs;
	r->ndiffs = e->ndiffs;
	r->only_source = e->only_source;
	r->only_target = e->only_target;
	r->mismatch = e->mismatch;
	r->legacy_note = e->legacy_note;
	e->diffs = NULL;
	e->ndiffs = 0;
	e->legacy_note = NULL;
	return iko_figures_merge(db, w->early_db);
}

/* ---- outputs ---------------------------------------------------------------- */

static void fmt_num(char *out, size_t n, double v)
{
	if (v == floor(v) && fabs(v) < 1e15)
		snprintf(out, n, "%.0f", v);
	else
		snprintf(out, n, "%.2f", v);
}

static int write_measures_csv(const iko_reconcile_result *r, const char *path)
{
	static const char *const hdr[] = { "status", "measure", "label", "group", "group_label",
					   "old", "extracted", "loaded", "difference", "tolerance" };
	iko_csv_writer *w = NULL;
	char o[32], e[32], d[32], df[32], t[32];
	size_t i;
	int rc;

	if ((rc = iko_csv_writer_open(&w, path, 0644)) || (rc = iko_csv_write_row(w, hdr, 10)))
		goto done;
	for (i = 0; i < r->nrows; i++) {
		const iko_measure_row *m = &r->rows[i];
		const char *f[10];
		fmt_num(o, sizeof(o), m->old_v);
		fmt_num(e, sizeof(e), m->ext_v);
		fmt_num(d, sizeof(d), m->db_v);
		fmt_num(df, sizeof(df), m->diff);
		fmt_num(t, sizeof(t), m->tolerance);
		f[0] = m->status; f[1] = m->measure; f[2] = m->label; f[3] = m->group;
		f[4] = m->group_label; f[5] = m->has_old ? o : ""; f[6] = e; f[7] = d;
		f[8] = df; f[9] = t;
		if ((rc = iko_csv_write_row(w, f, 10)))
			goto done;
	}
	rc = iko_csv_writer_commit(w);
done:
	iko_csv_writer_free(w);
	return rc;
}

static int write_records_csv(const iko_reconcile_result *r, const char *path)
{
	static const char *const hdr[] = { "kind", "table", "key", "column", "source_value", "loaded_value",
					   "legacy_value" };
	iko_csv_writer *w = NULL;
	size_t i;
	int rc;

	if ((rc = iko_csv_writer_open(&w, path, 0600)) || (rc = iko_csv_write_row(w, hdr, 7)))
		goto done;
	for (i = 0; i < r->ndiffs; i++) {
		const iko_record_diff *d = &r->diffs[i];
		const char *f[7] = { d->kind, d->table, d->key, d->column, d->source_value, d->loaded_value,
				     d->legacy_value ? d->legacy_value : "" };
		if ((rc = iko_csv_write_row(w, f, 7)))
			goto done;
	}
	rc = iko_csv_writer_commit(w);
done:
	iko_csv_writer_free(w);
	return rc;
}

/*
 * The loaded tables' figures that are not taken from the rows the record
 * comparison reads (min and max, and tables with no validated file), in
 * SQL on a second connection of their own while the first streams the
 * loaded rows: the server runs both at once instead of one after the other.
 */
typedef struct db_side {
	iko_figures *db;
	const iko_schema *s;
	PGconn *conn;
	const char *lg;
	const unsigned char *by_rows;
	pthread_t th;
	int started, rc;
	char *err;
} db_side;

static void *db_side_main(void *arg)
{
	db_side *d = arg;

	d->rc = iko_thread_keep_error(iko_figures_from_db(d->db, d->s, d->conn, d->lg, d->by_rows), &d->err);
	return NULL;
}

int iko_reconcile_run(iko_reconcile_result *out, const iko_reconcile_options *o)
{
	iko_reconcile_prep *w = o->prep;
	iko_figures *db = NULL, *dbsql = NULL;
	unsigned char *by_rows = NULL;
	char *dir = NULL, *p1 = NULL, *p2 = NULL;
	db_side d;
	int rc, rrc = 0;

	memset(out, 0, sizeof(*out));
	memset(&d, 0, sizeof(d));
	/* started now unless the caller started it earlier (during the load) */
	if (!w && (rc = iko_reconcile_prepare(&w, o)))
		return rc;
	iko_reconcile_prep_records(w); /* validate/ is complete by now (w->vpath is read below) */
	if (!(dir = iko_path_join(o->run_dir, "reconcile"))) {
		rc = IKO_ENOMEM;
		goto done;
	}
	if ((rc = iko_mkdir_p(dir, 1)))
		goto done;
	out->pack_version = iko_strdup(iko_pack_version(w->pack));
	out->schema_version = iko_strdup(w->s->version);
	if (o->conn) {
		size_t i, k, nsql = 0;
		if ((rc = iko_figures_new(&db)) || (rc = iko_figures_new(&dbsql)))
			goto done;
		if (!(by_rows = calloc(w->s->ntables + 1, 1))) {
			rc = IKO_ENOMEM;
			goto done;
		}
		for (i = 0; i < w->s->ntables; i++) {
			by_rows[i] = w->vpath[i] != NULL;
			for (k = 0; k < w->s->tables[i].nmeasures; k++)
				nsql += !by_rows[i] || !iko_measure_row_kind(&w->s->tables[i].measures[k]);
		}
		d.db = dbsql;
		d.s = w->s;
		d.lg = o->lg_code;
		d.by_rows = by_rows;
		if (!nsql)
			; /* every figure comes from the rows */
		else if ((d.conn = iko_db_connect_like(o->conn)) && iko_thread_start(&d.th, db_side_main, &d) == 0)
			d.started = 1;
		else if ((rc = iko_figures_from_db(dbsql, w->s, o->conn, o->lg_code, by_rows)))
			goto done;
	}
	if ((rc = prep_join(w)))
		goto done;
	if (o->conn && w->early_done)
		rrc = take_early(out, w, db);
	else if (o->conn)
		rrc = records(out, o->conn, o->lg_code, NULL, w, db);
	if (d.started) {
		d.started = 0;
		if ((rc = iko_thread_join(d.th, &d.rc, &d.err)))
			goto done;
	}
	if (!rrc && db && (rc = iko_figures_merge(db, dbsql)))
		goto done;
	if ((rc = rrc) || (rc = measures(out, w->s, o->dump_dir ? w->old : NULL, w->ext, db)))
		goto done;
	p1 = iko_path_join(dir, "measures.csv");
	p2 = iko_path_join(dir, "records.csv");
	if (!p1 || !p2) {
		rc = IKO_ENOMEM;
		goto done;
	}
	if ((rc = write_measures_csv(out, p1)) || (rc = write_records_csv(out, p2)))
		goto done;
	if (o->xlsx_path)
		rc = iko_discrepancy_workbook(out, w->s, o);
done:
	if (d.started)
		pthread_join(d.th, NULL);
	PQfinish(d.conn);
	free(d.err);
	if (!o->prep)
		iko_reconcile_prep_free(w);
	if (rc)
		iko_reconcile_result_release(out); /* nothing for the caller to free on an error */
	free(p1);
	free(p2);
	free(dir);
	free(by_rows);
	iko_figures_free(db);
	iko_figures_free(dbsql);
	return rc;
}

void iko_reconcile_result_release(iko_reconcile_result *r)
{
	size_t i;

	for (i = 0; i < r->nrows; i++) {
		free(r->rows[i].measure);
		free(r->rows[i].label);
		free(r->rows[i].group);
		free(r->rows[i].group_label);
	}
	free(r->rows);
	for (i = 0; i < r->ndiffs; i++)
		diff_free(&r->diffs[i]);
	free(r->diffs);
	free(r->pack_version);
	free(r->schema_version);
	free(r->legacy_note);
	memset(r, 0, sizeof(*r));
}
