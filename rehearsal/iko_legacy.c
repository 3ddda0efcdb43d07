/*
 * iko_legacy.c — the legacy value beside each value reconciliation
 * reports: the source field(s) exactly as extracted (the 和暦 string next
 * to the ISO date, the vendor code next to the standard one).
 *
 * Transform does not copy those values; per table it writes
 *   transform/<table>.legacy.csv          key,offset — per record written,
 *                                          its key (key columns joined by
 *                                          '|') and the byte offset of its
 *                                          record in the extract CSV;
 *   transform/<table>.legacy-columns.csv  column,field,join,source,source_bytes
 *                                          — the source field(s) of each
 *                                          mapped column, the extract CSV
 *                                          and its size when transform read it.
 * Only the records with a reported difference are read back, with pread at
 * their offsets, in file order. When the extract CSV is missing or not the
 * size transform read, or a file cannot be read, the values of that table
 * are left out, with a note in the result, rather than read from the wrong
 * bytes: they are an aid to the reviewer, not a figure.
 */
#include "iko_legacy.h"

#include "iko_buf.h"
#include "iko_csv.h"
#include "iko_error.h"
#include "iko_fs.h"
#include "iko_schema.h"
#include "iko_strmap.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct lcol {
	char *column;
	char *join;
	int *field;      /* indexes in the extract CSV's header */
	char **names;
	size_t nfield;
} lcol;

typedef struct lspec {
	lcol *cols;
	size_t ncols;
	char *source;
	long long bytes;
} lspec;

typedef struct want {
	long long offset;
	long long diff;  /* first diff of the record (chained through next[]) */
} want;

static void spec_free(lspec *sp)
{
	size_t i, k;

	for (i = 0; i < sp->ncols; i++) {
		free(sp->cols[i].column);
		free(sp->cols[i].join);
		free(sp->cols[i].field);
		for (k = 0; k < sp->cols[i].nfield; k++)
			free(sp->cols[i].names[k]);
		free(sp->cols[i].names);
	}
	free(sp->cols);
	free(sp->source);
	memset(sp, 0, sizeof(*sp));
}

/* Read <table>.legacy-columns.csv: 1 read, 0 absent, <0 error (message set). */
static int spec_read(lspec *sp, const char *path)
{
	iko_csv_reader *rd = NULL;
	iko_csv_row row;
	int rc, ic = -1, ifld = -1, ij = -1, is = -1, ib = -1, need = 0; /* need: the highest of them */

	memset(sp, 0, sizeof(*sp));
	if (!iko_path_exists(path))
		return 0;
	if ((rc = iko_csv_reader_open(&rd, path)))
		return rc;
	while ((rc = iko_csv_next(rd, &row)) == 1) {
		lcol *c;
		char *end;
		long long b;
		if (row.record == 1) {
			ic = iko_csv_find(&row, "column");
			ifld = iko_csv_find(&row, "field");
			ij = iko_csv_find(&row, "join");
			is = iko_csv_find(&row, "source");
			ib = iko_csv_find(&row, "source_bytes");
			if (ic < 0 || ifld < 0 || ij < 0 || is < 0 || ib < 0) {
				rc = iko_error_set(IKO_EPARSE, "%s: not a legacy-columns file (header)", path);
				break;
			}
			need = ic > ifld ? ic : ifld;
			need = need > ij ? need : ij;
			need = need > is ? need : is;
			need = need > ib ? need : ib;
			continue;
		}
		if ((int)row.nfields <= need) {
			rc = iko_error_set(IKO_EPARSE, "%s: record %lld: %zu fields", path, row.record, row.nfields);
			break;
		}
		errno = 0;
		b = strtoll(row.fields[ib], &end, 10);
		if (errno || *end || end == row.fields[ib] || b < 0 ||
		    (sp->source && (strcmp(sp->source, row.fields[is]) || b != sp->bytes))) {
			rc = iko_error_set(IKO_EPARSE, "%s: record %lld: source %s of %s bytes, not one file of one size",
					   path, row.record, row.fields[is], row.fields[ib]);
			break;
		}
		if (!sp->source) {
			if (!(sp->source = iko_strdup(row.fields[is]))) {
				rc = IKO_ENOMEM;
				break;
			}
			sp->bytes = b;
		}
		c = sp->ncols ? &sp->cols[sp->ncols - 1] : NULL;
		if (!c || strcmp(c->column, row.fields[ic])) {
			lcol *a = realloc(sp->cols, (sp->ncols + 1) * sizeof(*a));
			if (!a) {
				rc = IKO_ENOMEM;
				break;
			}
			sp->cols = a;
			c = &sp->cols[sp->ncols++];
			memset(c, 0, sizeof(*c));
			c->column = iko_strdup(row.fields[ic]);
			c->join = iko_strdup(row.fields[ij]);
			if (!c->column || !c->join) {
				rc = IKO_ENOMEM;
				break;
			}
		}
		{
			char **n = realloc(c->names, (c->nfield + 1) * sizeof(*n));
			if (!n) {
				rc = IKO_ENOMEM;
				break;
			}
			c->names = n;
			if (!(c->names[c->nfield] = iko_strdup(row.fields[ifld]))) {
				rc = IKO_ENOMEM;
				break;
			}
			c->nfield++;
		}
	}
	iko_csv_reader_free(rd);
	if (rc < 0) {
		spec_free(sp);
		return rc == IKO_ENOMEM ? iko_error_set(IKO_ENOMEM, "out of memory") : rc;
	}
	if (!sp->source) {
		spec_free(sp);
		return 0;        /* no mapped column reads a source field */
	}
	return 1;
}

static int want_cmp(const void *a, const void *b)
{
	const want *x = a, *y = b;

	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

/* The record at `offset` of fd into *buf, parsed by rd: 1, 0 when none is there, <0 error. */
static int read_at(int fd, long long offset, long long size, iko_buf *buf, iko_csv_reader *rd, iko_csv_row *row)
{
	size_t have = 0, want_n = 4096, end;

	if (offset < 0 || offset >= size)
		return 0;
	for (;;) {
		ssize_t n;
		int at_eof;
		if (iko_buf_grow(buf, want_n))
			return IKO_ENOMEM;
		n = pread(fd, buf->ptr + have, want_n - have, (off_t)(offset + (long long)have));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return iko_error_set_errno(IKO_EIO, "cannot read the extract CSV");
		}
		have += (size_t)n;
		at_eof = n == 0 || offset + (long long)have >= size;
		if (iko_csv_record_end((const unsigned char *)buf->ptr, have, ',', at_eof, &end))
			break;
		if (at_eof)
			return 0;
		if (have == want_n)
			want_n *= 2;
	}
	iko_csv_reader_set_mem(rd, buf->ptr, end, 0, 0, offset);
	return iko_csv_next(rd, row) == 1 ? 1 : 0;
}

/*
 * One table: the records of idx (table \x1f key → its diffs through next[])
 * found in its legacy index, read back from the extract CSV.
 */
static int fill_table(iko_reconcile_result *r, const iko_table *tab, const char *run_dir, iko_strmap *idx,
		      long long *next, iko_buf *k, iko_buf *note)
{
	lspec sp;
	char *cpath = NULL, *lpath = NULL, *xpath = NULL, *rel = NULL;
	iko_csv_reader *rd = NULL, *xr = NULL;
	iko_csv_row row;
	iko_buf rec = IKO_BUF_INIT, v = IKO_BUF_INIT;
	want *w = NULL;
	size_t nw = 0, cap = 0, i, j, f;
	int rc, fd = -1;
	struct stat st;

	rel = iko_aprintf("transform/%s.legacy-columns.csv", tab->name);
	cpath = rel ? iko_path_join(run_dir, rel) : NULL;
	free(rel);
	rel = iko_aprintf("transform/%s.legacy.csv", tab->name);
	lpath = rel ? iko_path_join(run_dir, rel) : NULL;
	free(rel);
	if (!cpath || !lpath) {
		free(cpath);
		free(lpath);
		return iko_error_set(IKO_ENOMEM, "out of memory");
	}
	if ((rc = spec_read(&sp, cpath)) <= 0 || !iko_path_exists(lpath))
		goto done;
	rel = iko_aprintf("extract/%s", sp.source);
	xpath = rel ? iko_path_join(run_dir, rel) : NULL;
	free(rel);
	if (!xpath) {
		rc = iko_error_set(IKO_ENOMEM, "out of memory");
		goto done;
	}
	if (stat(xpath, &st) || (long long)st.st_size != sp.bytes) {
		int gone = errno == ENOENT;
		rc = gone ? iko_error_set(IKO_ENOTFOUND, "extract/%s is missing", sp.source)
			  : iko_error_set(IKO_EPARSE, "extract/%s is not the file transform read (%lld bytes, now %lld)",
					  sp.source, sp.bytes, (long long)st.st_size);
		goto done;
	}
	/* the records to read: the first index entry of every reported key */
	if ((rc = iko_csv_reader_open(&rd, lpath)))
		goto done;
	while ((rc = iko_csv_next(rd, &row)) == 1) {
		iko_strmap_entry *e;
		char *end;
		long long off;
		if (row.record == 1 || row.nfields < 2)
			continue;
		iko_buf_clear(k);
		if (iko_buf_printf(k, "%s\x1f%s", tab->name, row.fields[0])) {
			rc = IKO_ENOMEM;
			break;
		}
		if (!(e = iko_strmap_get(idx, k->ptr, k->len)) || e->b)
			continue;
		errno = 0;
		off = strtoll(row.fields[1], &end, 10);
		if (errno || *end || end == row.fields[1])
			continue;
		e->b = 1;
		if (nw == cap) {
			want *a = realloc(w, (cap = cap ? 2 * cap : 64) * sizeof(*a));
			if (!a) {
				rc = IKO_ENOMEM;
				break;
			}
			w = a;
		}
		w[nw].offset = off;
		w[nw].diff = e->a - 1;
		nw++;
	}
	if (rc < 0)
		goto done;
	rc = 0;
	if (!nw)
		goto done;
	qsort(w, nw, sizeof(*w), want_cmp);
	/* the extract CSV's header names the fields */
	if ((rc = iko_csv_reader_open(&xr, xpath)))
		goto done;
	if ((rc = iko_csv_next(xr, &row)) != 1) {
		rc = rc < 0 ? rc : 0;
		goto done;
	}
	for (i = 0; i < sp.ncols; i++) {
		if (!(sp.cols[i].field = malloc(sp.cols[i].nfield * sizeof(int)))) {
			rc = IKO_ENOMEM;
			goto done;
		}
		for (f = 0; f < sp.cols[i].nfield; f++)
			sp.cols[i].field[f] = iko_csv_find(&row, sp.cols[i].names[f]);
	}
	if ((fd = open(xpath, O_RDONLY | O_CLOEXEC)) < 0) {
		rc = iko_error_set_errno(IKO_EIO, "cannot open %s", xpath);
		goto done;
	}
	for (j = 0; j < nw; j++) {
		long long d;
		if ((rc = read_at(fd, w[j].offset, sp.bytes, &rec, xr, &row)) < 0)
			goto done;
		if (!rc)
			continue;
		for (d = w[j].diff; d >= 0; d = next[d]) {
			iko_record_diff *df = &r->diffs[d];
			int col = iko_table_column(tab, df->column);
			if (df->legacy_value)
				continue;
			for (i = 0; i < sp.ncols && strcmp(sp.cols[i].column, df->column); i++)
				;
			if (i == sp.ncols)
				continue;
			iko_buf_clear(&v);
			for (f = 0; f < sp.cols[i].nfield; f++) {
				int x = sp.cols[i].field[f];
				if ((f && iko_buf_puts(&v, sp.cols[i].join)) ||
				    (x >= 0 && x < (int)row.nfields && iko_buf_put(&v, row.fields[x], row.lens[x]))) {
					rc = IKO_ENOMEM;
					goto done;
				}
			}
			df->legacy_value = iko_strdup(col >= 0 && tab->cols[col].sensitive ? "(masked)" : iko_buf_cstr(&v));
			if (!df->legacy_value) {
				rc = IKO_ENOMEM;
				goto done;
			}
		}
	}
	rc = 0;
done:
	if (fd >= 0)
		close(fd);
	if (rc == IKO_ENOMEM)
		rc = iko_error_set(IKO_ENOMEM, "out of memory");
	else if (rc < 0) {
		/* the legacy values are an aid to the reviewer: the reconciliation goes on without them */
		if (!note->len && iko_buf_printf(note, "no legacy values for %s: %s", tab->name, iko_error_message()))
			rc = iko_error_set(IKO_ENOMEM, "out of memory");
		else
			rc = 0;
	}
	iko_csv_reader_free(rd);
	iko_csv_reader_free(xr);
	iko_buf_release(&rec);
	iko_buf_release(&v);
	spec_free(&sp);
	free(w);
	free(cpath);
	free(lpath);
	free(xpath);
	return rc;
}

int iko_legacy_fill(iko_reconcile_result *r, const iko_schema *s, const char *run_dir)
{
	iko_strmap *idx = NULL;
	long long *next = NULL;
	iko_buf k = IKO_BUF_INIT, note = IKO_BUF_INIT;
	size_t i, t;
	int rc = 0;

	if (!r->ndiffs)
		return 0;
	next = malloc(r->ndiffs * sizeof(*next));
	if (!next || (rc = iko_strmap_new(&idx))) {
		rc = iko_error_set(IKO_ENOMEM, "out of memory");
		goto done;
	}
	/* table \x1f key → the diffs of that record, chained through next[] */
	for (i = r->ndiffs; i-- > 0;) {
		iko_strmap_entry *e;
		iko_buf_clear(&k);
		if (iko_buf_printf(&k, "%s\x1f%s", r->diffs[i].table, r->diffs[i].key) ||
		    (rc = iko_strmap_upsert(idx, k.ptr, k.len, &e))) {
			rc = iko_error_set(IKO_ENOMEM, "out of memory");
			goto done;
		}
		next[i] = e->a ? e->a - 1 : -1;
		e->a = (long long)i + 1;
	}
	for (t = 0; t < s->ntables && !rc; t++)
		rc = fill_table(r, &s->tables[t], run_dir, idx, next, &k, &note);
	if (!rc && note.len)
		r->legacy_note = iko_buf_detach(&note);
done:
	iko_buf_release(&note);
	iko_strmap_free(idx);
	free(next);
	iko_buf_release(&k);
	return rc;
}
