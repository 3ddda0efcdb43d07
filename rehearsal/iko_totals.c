/*
 * iko_totals.c — measure figures from the 統計表, from CSV and from SQL.
 */
#include "iko_totals.h"

#include "iko_buf.h"
#include "iko_csv.h"
#include "iko_error.h"
#include "iko_fs.h"
#include "iko_pack.h"
#include "iko_strmap.h"

#include <errno.h>
#include <iconv.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct iko_figures {
	iko_strmap *map;   /* "measure\x1egroup" → entry->a: 1 + the index of its value in vals */
	double *vals;
	size_t n, cap;
	iko_buf key;
};

int iko_figures_new(iko_figures **out)
{
	iko_figures *f = calloc(1, sizeof(*f));

	*out = NULL;
	if (!f || iko_strmap_new(&f->map)) {
		free(f);
		return iko_error_set(IKO_ENOMEM, "out of memory");
	}
	*out = f;
	return 0;
}

void iko_figures_free(iko_figures *f)
{
	if (!f)
		return;
	iko_strmap_free(f->map);
	free(f->vals);
	iko_buf_release(&f->key);
	free(f);
}

static int make_key(iko_figures *f, const char *measure, const char *group)
{
	iko_buf_clear(&f->key);
	if (iko_buf_puts(&f->key, measure) || iko_buf_putc(&f->key, '\x1e') ||
	    iko_buf_puts(&f->key, group))
		return IKO_ENOMEM;
	return 0;
}

/*
 * Add v to the value of key in map: entry->a is the 1-based index of its
 * value in *vals (n values, room for cap), a new key starting at 0; *at
 * (when not NULL) is set to that index.
 */
static int add_value(iko_strmap *map, double **vals, size_t *n, size_t *cap, const char *key, size_t len,
		     double v, size_t *hint, size_t *at)
{
	iko_strmap_entry *e;
	int rc;

	if ((rc = hint ? iko_strmap_upsert_near(map, key, len, hint, &e) : iko_strmap_upsert(map, key, len, &e)))
		return rc;
	if (!e->a) {
		if (*n == *cap) {
			size_t nc = *cap ? *cap * 2 : 16;
			double *a = realloc(*vals, nc * sizeof(*a));
			if (!a)
				return iko_error_set(IKO_ENOMEM, "out of memory");
			*vals = a;
			*cap = nc;
		}
		(*vals)[*n] = 0;
		e->a = (long long)++*n;
	}
	(*vals)[e->a - 1] += v;
	if (at)
		*at = (size_t)e->a;
	return 0;
}

int iko_figures_add(iko_figures *f, const char *measure, const char *group, double v)
{
	int rc;

	if ((rc = make_key(f, measure, group)))
		return rc;
	return add_value(f->map, &f->vals, &f->n, &f->cap, f->key.ptr, f->key.len, v, NULL, NULL);
}

int iko_figures_get(const iko_figures *f, const char *measure, const char *group, double *v)
{
	iko_figures *mf = (iko_figures *)f;
	iko_strmap_entry *e;

	if (make_key(mf, measure, group))
		return 0;
	e = iko_strmap_get(f->map, mf->key.ptr, mf->key.len);
	if (!e)
		return 0;
	*v = f->vals[e->a - 1];
	return 1;
}

int iko_figures_next(const iko_figures *f, size_t *pos, const char **measure,
		     const char **group, double *v)
{
	iko_strmap_entry *e = iko_strmap_next(f->map, pos);
	const char *sep;

	if (!e)
		return 0;
	sep = strchr(e->key, '\x1e');
	*measure = e->key; /* caller must stop at \x1e: use iko_figures_split */
	*group = sep ? sep + 1 : "";
	*v = f->vals[e->a - 1];
	return 1;
}

int iko_figures_merge(iko_figures *dst, const iko_figures *src)
{
	size_t pos = 0;
	const char *m, *g;
	double v;
	iko_buf name = IKO_BUF_INIT;
	int rc = 0;

	while (!rc && iko_figures_next(src, &pos, &m, &g, &v)) {
		iko_buf_clear(&name);
		if (iko_buf_put(&name, m, strcspn(m, "\x1e")))
			rc = iko_error_set(IKO_ENOMEM, "out of memory");
		else
			rc = iko_figures_add(dst, iko_buf_cstr(&name), g, v);
	}
	iko_buf_release(&name);
	return rc;
}

/* ---- old system's totals ---------------------------------------------- */

static int to_utf8(iconv_t cd, iko_buf *out, const char *s, size_t len)
{
	char *ip = (char *)s, *op;
	size_t il = len, ol;
	int rc;

	iko_buf_clear(out);
	if ((rc = iko_buf_grow(out, len * 3 + 4)))
		return rc;
	op = out->ptr;
	ol = out->cap - 1;
	iconv(cd, NULL, NULL, NULL, NULL);
	if (iconv(cd, &ip, &il, &op, &ol) == (size_t)-1)
		return iko_error_set_errno(IKO_ECONV, "cannot convert \"%.*s\"", (int)len, s);
	out->len = (size_t)(op - out->ptr);
	out->ptr[out->len] = '\0';
	return 0;
}

/* Expand "{field}" references against the row. */
static int expand(iko_buf *out, const char *tmpl, char **hdr, size_t nhdr,
		  iko_buf *vals, const char *file, long long rec)
{
	const char *p = tmpl, *end;
	size_t i;
	int rc;

	iko_buf_clear(out);
	while (*p) {
		if (*p != '{') {
			if ((rc = iko_buf_putc(out, *p++)))
				return rc;
			continue;
		}
		end = strchr(p, '}');
		if (!end)
			return iko_error_set(IKO_EPARSE, "totals: unclosed { in \"%s\"", tmpl);
		for (i = 0; i < nhdr; i++)
			if (strlen(hdr[i]) == (size_t)(end - p - 1) && !strncmp(hdr[i], p + 1, (size_t)(end - p - 1)))
				break;
		if (i == nhdr)
			return iko_error_set(IKO_EPARSE, "%s: record %lld: totals rule refers to column %.*s, which the file does not have",
					     file, rec, (int)(end - p - 1), p + 1);
		if ((rc = iko_buf_puts(out, iko_buf_cstr(&vals[i]))))
			return rc;
		p = end + 1;
	}
	if (!out->ptr)
		return iko_buf_grow(out, 1);
	return 0;
}

static int col_of(char **hdr, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(hdr[i], name))
			return (int)i;
	return -1;
}

static int apply_rule(iko_figures *f, const iko_yaml_node *rule, char **hdr, size_t nhdr,
		      iko_buf *vals, const char *file, long long rec)
{
	const iko_yaml_node *when = iko_yaml_get(rule, "when"), *group = iko_yaml_get(rule, "group");
	const char *measure = iko_yaml_str(rule, "measure", NULL), *vcol = iko_yaml_str(rule, "value", NULL);
	iko_buf g = IKO_BUF_INIT, part = IKO_BUF_INIT;
	size_t i;
	int c, rc = 0;
	char *end;
	double v;

	if (!measure || !vcol)
		return iko_error_set(IKO_EPARSE, "totals rule at line %d needs measure: and value:", rule->line);
	if ((when && when->kind != IKO_YAML_MAP) || (group && group->kind != IKO_YAML_MAP))
		return iko_error_set(IKO_EPARSE, "totals rule at line %d: when: and group: must map columns to values",
				     rule->line);
	for (i = 0; i < iko_yaml_count(when); i++) {
		c = col_of(hdr, nhdr, iko_yaml_key_at(when, i));
		if (c < 0)
			return iko_error_set(IKO_EPARSE, "%s: no column %s (totals rule at line %d)", file,
					     iko_yaml_key_at(when, i), rule->line);
		if (strcmp(iko_buf_cstr(&vals[c]), iko_yaml_text(iko_yaml_value_at(when, i))))
			return 0;
	}
	c = col_of(hdr, nhdr, vcol);
	if (c < 0)
		return iko_error_set(IKO_EPARSE, "%s: no column %s (totals rule at line %d)", file, vcol, rule->line);
	if (vals[c].len == 0)
		return 0;
	errno = 0;
	v = strtod(iko_buf_cstr(&vals[c]), &end);
	if (errno || *end)
		return iko_error_set(IKO_EPARSE, "%s: record %lld: %s is not a number: \"%s\"", file, rec,
				     vcol, iko_buf_cstr(&vals[c]));
	for (i = 0; i < iko_yaml_count(group); i++) {
		if ((rc = expand(&part, iko_yaml_text(iko_yaml_value_at(group, i)), hdr, nhdr, vals, file, rec)))
			goto done;
		if ((i && (rc = iko_buf_putc(&g, '|'))) || (rc = iko_buf_puts(&g, part.ptr)))
			goto done;
	}
	rc = iko_figures_add(f, measure, iko_buf_cstr(&g), v);
done:
	iko_buf_release(&g);
	iko_buf_release(&part);
	return rc;
}

/*
 * One source of the old system's totals: a CSV in the dump (file:, in
 * encoding:) or a record type iko extracted from it (extract: NAME, read
 * from extract_dir/NAME.csv, UTF-8), e.g. a host file's trailer record.
 */
static int read_source(iko_figures *f, const iko_pack *pack, const iko_yaml_node *tot,
		       const char *dump_dir, const char *extract_dir)
{
	const iko_yaml_node *rules;
	const char *file, *enc, *ext;
	iko_csv_reader *r = NULL;
	iko_csv_row row;
	iconv_t cd = (iconv_t)-1;
	char **hdr = NULL, *path = NULL;
	iko_buf *vals = NULL;
	size_t nhdr = 0, i, k;
	int rc = 0;

	file = iko_yaml_str(tot, "file", NULL);
	ext = iko_yaml_str(tot, "extract", NULL);
	enc = ext ? "UTF-8" : iko_yaml_str(tot, "encoding", "UTF-8");
	rules = iko_yaml_get(tot, "rows");
	if ((!file == !ext) || !rules)
		return iko_error_set(IKO_EPARSE, "pack %s: totals line %d needs file: or extract:, and rows:",
				     iko_pack_name(pack), tot->line);
	if (ext) {
		char *name = iko_aprintf("%s.csv", ext);
		if (!extract_dir) {
			free(name);
			return iko_error_set(IKO_EINVAL, "pack %s: totals from extract %s need the run's extract directory",
					     iko_pack_name(pack), ext);
		}
		path = name ? iko_path_join(extract_dir, name) : NULL;
		free(name);
	} else {
		path = iko_path_join(dump_dir, file);
	}
	if (!path)
		return IKO_ENOMEM;
	cd = iconv_open("UTF-8", enc);
	if (cd == (iconv_t)-1) {
		rc = iko_error_set(IKO_EINVAL, "unknown encoding %s for %s", enc, path);
		goto done;
	}
	if ((rc = iko_csv_reader_open(&r, path)))
		goto done;
	while ((rc = iko_csv_next(r, &row)) == 1) {
		if (row.record == 1) {
			nhdr = row.nfields;
			hdr = calloc(nhdr, sizeof(char *));
			vals = calloc(nhdr, sizeof(iko_buf));
			if (!hdr || !vals) {
				rc = IKO_ENOMEM;
				goto done;
			}
			for (i = 0; i < nhdr; i++) {
				if ((rc = to_utf8(cd, &vals[i], row.fields[i], row.lens[i])))
					goto done;
				hdr[i] = iko_buf_detach(&vals[i]);
			}
			continue;
		}
		for (i = 0; i < nhdr; i++) {
			iko_buf_clear(&vals[i]);
			if (i < row.nfields && (rc = to_utf8(cd, &vals[i], row.fields[i], row.lens[i])))
				goto done;
			if (!vals[i].ptr && (rc = iko_buf_grow(&vals[i], 1)))
				goto done;
		}
		for (k = 0; k < iko_yaml_count(rules); k++)
			if ((rc = apply_rule(f, iko_yaml_at(rules, k), hdr, nhdr, vals, path, row.record)))
				goto done;
	}
done:
	if (rc == IKO_EPARSE && r && iko_error_code() != IKO_EPARSE)
		iko_error_set(IKO_EPARSE, "%s: %s", path, iko_error_message());
	for (i = 0; i < nhdr; i++) {
		if (hdr)
			free(hdr[i]);
		if (vals)
			iko_buf_release(&vals[i]);
	}
	free(hdr);
	free(vals);
	iko_csv_reader_free(r);
	if (cd != (iconv_t)-1)
		iconv_close(cd);
	free(path);
	return rc < 0 ? rc : 0;
}

int iko_figures_read_old(iko_figures *f, const iko_pack *pack, const char *dump_dir,
			 const char *extract_dir)
{
	const iko_yaml_node *tot = iko_pack_totals(pack);
	size_t i;
	int rc;

	if (!tot)
		return 0;
	if (tot->kind != IKO_YAML_SEQ)
		return read_source(f, pack, tot, dump_dir, extract_dir);
	for (i = 0; i < iko_yaml_count(tot); i++)
		if ((rc = read_source(f, pack, iko_yaml_at(tot, i), dump_dir, extract_dir)))
			return rc;
	return 0;
}

/* ---- measures over CSV -------------------------------------------------- */

/*
 * How many keys ahead a distinct measure looks: its map of values seen
 * (450,000 households at 1M residents) is far bigger than the caches and
 * each look-up was a cache miss; queued this many rows, their misses
 * overlap.
 */
#define DISTINCT_AHEAD 8

typedef struct mstate {
	const iko_measure *m;
	char *name;          /* table.measure */
	int col;             /* measured column */
	int *group;          /* group columns (AGE_BAND_COL: age_band) */
	int bcol;            /* birth_date, for age_band */
	int *fcol;           /* filter columns */
	iko_strmap *seen;    /* distinct: group\x1evalue */
	iko_strmap *acc;     /* group → index into val: the figures so far, added to f by flush */
	double *val;
	size_t nval, cap;
	size_t acc_hint, seen_hint; /* iko_strmap_upsert_near: rows of a group tend to come together */
	size_t whole_at;     /* the "" group's place in val + 1 once it has one (0: not yet) */
	/* a grouped count or sum: its groups by the numbers of their values (gcol) */
	size_t *gc;          /* the group columns' places in the table's gcol list (NULL: not by numbers) */
	size_t *slot;        /* one group: the value's number → place in val + 1 */
	size_t nslot;
	uint32_t *tuple;     /* the value numbers of each place in val, ngroup per place */
	/* distinct: the keys (groups \x1e value) of the last rows, looked up
	 * DISTINCT_AHEAD keys later, in the same order, their slots prefetched */
	iko_buf ahead[DISTINCT_AHEAD];
	size_t ahead_klen[DISTINCT_AHEAD], ahead_first, ahead_n;
	struct pair_slot {   /* two groups: their numbers → place in val + 1 (0: an empty slot) */
		uint64_t key;
		size_t at;
	} *pairs;
	size_t npairs, pcap;
	size_t fsame;        /* the first measure with the same filters (itself when none before) */
} mstate;

/* the age bands (age_band below) */
static const char *const age_bands[] = { "0-14", "15-64", "65-74", "75-", "不詳" };
enum { AGE_BANDS = 5, AGE_UNKNOWN = 4 /* 不詳: no birth date, or none that can be read */ };

/*
 * A column the counts and sums group by (or age_band), shared by every
 * measure that groups by it: each row's value is looked up once, whatever
 * the number of measures, and numbered in the order values are first seen.
 */
typedef struct gcol {
	int col;             /* a column, or AGE_BAND_COL */
	iko_strmap *ids;     /* value → its number + 1 */
	const char **name;   /* number → the value (the map's copy) */
	size_t n, cap, hint;
	unsigned long long stamp; /* the row whose value id holds */
	uint32_t id;
	uint32_t short_id[257 + AGE_BANDS]; /* its number + 1, once seen, of a value of one byte b
					    * (at b), of "" (at 256), of age band k (at 257 + k) */
} gcol;

struct iko_figures_rows {
	iko_figures *f;
	const iko_table *t;
	mstate *ms;
	size_t nms;
	iko_buf g;
	gcol *gcols;
	size_t ngcols;
	int bcol;                 /* birth_date, for age_band */
	unsigned long long stamp; /* rows added so far */
	unsigned char *pass;      /* per measure: whether this row passes its filters */
	uint32_t *ids;            /* a measure's value numbers, ngroup of them */
};

/*
 * Add v to the measure's figure for group, in the measure's own small map:
 * cheaper than a figure set's "table.measure\x1egroup" key per row.
 * iko_figures_rows_flush hands the sums to the figure set.
 */
static int acc_add(mstate *ms, const char *group, size_t len, double v)
{
	/* a measure without groups adds every row to the one figure: its place is kept */
	if (!len && ms->whole_at) {
		ms->val[ms->whole_at - 1] += v;
		return 0;
	}
	return add_value(ms->acc, &ms->val, &ms->nval, &ms->cap, group, len, v, &ms->acc_hint,
			 len ? NULL : &ms->whole_at);
}

static int passes(const mstate *ms, const iko_csv_row *row)
{
	size_t i, j;

	for (i = 0; i < ms->m->nfilter; i++) {
		const iko_filter *fl = &ms->m->filters[i];
		const char *v = (size_t)ms->fcol[i] < row->nfields ? row->fields[ms->fcol[i]] : "";
		/* the first bytes first: values are short codes ("1", "2", "9") */
		for (j = 0; j < fl->n && (fl->values[j][0] != v[0] || strcmp(fl->values[j], v)); j++)
			;
		if (j == fl->n)
			return 0;
	}
	return 1;
}

/*
 * age_band: 年齢階級 on the reconciliation day — 0-14 (年少), 15-64 (生産年齢),
 * 65-74 (前期高齢), 75- (後期高齢), 不詳 without a birth date. Measures group
 * by it as if it were a column (group_by: [age_band]).
 */
#define AGE_BAND "age_band"
#define AGE_BAND_COL (-2)          /* ms->group[i] for age_band; the date column is ms->bcol */

static char today[11];
static int today_y, today_m, today_d;

static void today_init(void)
{
	char now[21];

	iko_now_iso(now);
	memcpy(today, now, 10);
	today[10] = '\0';
	if (sscanf(today, "%4d-%2d-%2d", &today_y, &today_m, &today_d) != 3)
		today_y = 0;
}

/* strtod(v, NULL), the common amount without it (iko_totals.h). */
double iko_figures_amount(const char *v)
{
	static const double p10[16] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7,
					1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15 };
	const char *p = v;
	int64_t m = 0;
	int digits = 0, frac = -1, neg = *p == '-';

	p += neg;
	for (;; p++) {
		if (*p >= '0' && *p <= '9') {
			if (++digits > 15)
				return strtod(v, NULL);
			m = m * 10 + (*p - '0');
			frac += frac >= 0;
		} else if (*p == '.' && frac < 0) {
			frac = 0;
		} else {
			break;
		}
	}
	if (*p || !digits)
		return strtod(v, NULL);
	{
		double d = (double)m / p10[frac > 0 ? frac : 0];
		return neg ? -d : d;
	}
}

/* The reconciliation day, fixed at first use (the figures are read on two threads). */
static const char *today_iso(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, today_init);
	return today;
}

static int digits(const char *s, int n)
{
	int v = 0;

	for (; n > 0; n--, s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v;
}

/* The age band of birth as its place in age_bands. */
static int age_band_at(const char *birth, size_t len)
{
	int by, bm, bd, age;

	today_iso();
	if (len != 10 || !today_y)
		return AGE_UNKNOWN;
	/* YYYY-MM-DD as validated; anything else the slow way, as before */
	by = digits(birth, 4);
	bm = digits(birth + 5, 2);
	bd = digits(birth + 8, 2);
	if ((by < 0 || bm < 0 || bd < 0 || birth[4] != '-' || birth[7] != '-') &&
	    sscanf(birth, "%4d-%2d-%2d", &by, &bm, &bd) != 3)
		return AGE_UNKNOWN;
	age = today_y - by - ((today_m < bm || (today_m == bm && today_d < bd)) ? 1 : 0);
	return age < 15 ? 0 : age < 65 ? 1 : age < 75 ? 2 : 3;
}

static const char *age_band(const char *birth, size_t len)
{
	return age_bands[age_band_at(birth, len)];
}

/* The value of group column i of a measure in row: the column's, or the age band of birth_date. */
static const char *group_value(const mstate *ms, const iko_csv_row *row, size_t i)
{
	if (ms->group[i] == AGE_BAND_COL)
		return (size_t)ms->bcol < row->nfields ? age_band(row->fields[ms->bcol], row->lens[ms->bcol])
						       : age_bands[AGE_UNKNOWN];
	return (size_t)ms->group[i] < row->nfields ? row->fields[ms->group[i]] : "";
}

/* The number of the row's value of gc (looked up once per row, whatever the number of measures). */
static int gcol_id(iko_figures_rows *fr, gcol *gc, const iko_csv_row *row, uint32_t *id)
{
	const char *v;
	iko_strmap_entry *e;
	int rc;

	if (gc->stamp != fr->stamp) {
		size_t len, b;
		if (gc->col == AGE_BAND_COL) {
			b = 257 + (size_t)((size_t)fr->bcol < row->nfields
						   ? age_band_at(row->fields[fr->bcol], row->lens[fr->bcol]) : AGE_UNKNOWN);
			v = age_bands[b - 257];
		} else {
			v = (size_t)gc->col < row->nfields ? row->fields[gc->col] : "";
			b = !v[0] ? 256 : !v[1] ? (unsigned char)v[0] : SIZE_MAX;
		}
		/* codes of one byte (sex, status), empty values and age bands by a table, without the map */
		if (b != SIZE_MAX && gc->short_id[b]) {
			gc->id = gc->short_id[b] - 1;
			gc->stamp = fr->stamp;
			*id = gc->id;
			return 0;
		}
		len = b == 256 ? 0 : b < 256 ? 1 : strlen(v);
		if ((rc = iko_strmap_upsert_near(gc->ids, v, len, &gc->hint, &e)))
			return rc;
		if (!e->a) {
			if (gc->n == gc->cap) {
				size_t nc = gc->cap ? gc->cap * 2 : 16;
				const char **a = nc <= UINT32_MAX ? realloc(gc->name, nc * sizeof(*a)) : NULL;
				if (!a)
					return iko_error_set(IKO_ENOMEM, "out of memory");
				gc->name = a;
				gc->cap = nc;
			}
			gc->name[gc->n] = e->key;
			e->a = (long long)++gc->n;
		}
		gc->id = (uint32_t)(e->a - 1);
		gc->stamp = fr->stamp;
		if (b != SIZE_MAX)
			gc->short_id[b] = gc->id + 1;
	}
	*id = gc->id;
	return 0;
}

/* A new group of ms (its value numbers ids): its place in val + 1. */
static int new_place(mstate *ms, const uint32_t *ids, size_t *at)
{
	size_t ng = ms->m->ngroup;

	if (ms->nval == ms->cap) {
		size_t nc = ms->cap ? ms->cap * 2 : 16;
		double *a = realloc(ms->val, nc * sizeof(*a));
		uint32_t *t = a ? realloc(ms->tuple, nc * ng * sizeof(*t)) : NULL;
		if (a)
			ms->val = a;
		if (!t)
			return iko_error_set(IKO_ENOMEM, "out of memory");
		ms->tuple = t;
		ms->cap = nc;
	}
	ms->val[ms->nval] = 0;
	memcpy(ms->tuple + ms->nval * ng, ids, ng * sizeof(*ids));
	*at = ++ms->nval;
	return 0;
}

/* A pair's first slot in a table of cap (a power of two) slots: Fibonacci hashing, as iko_strmap's. */
static size_t pair_home(uint64_t key, size_t cap)
{
	return (size_t)((key * 0x9E3779B97F4A7C15ull) >> 32) & (cap - 1);
}

/* Two groups (numbers ids[0], ids[1]): their place in val + 1, from an open-addressing table of the pairs. */
static int pair_place(mstate *ms, const uint32_t *ids, size_t *at)
{
	uint64_t key = (uint64_t)ids[0] << 32 | ids[1];
	size_t mask, i;
	int rc;

	if ((ms->npairs + 1) * 2 > ms->pcap) {
		size_t nc = ms->pcap ? ms->pcap * 2 : 64, k;
		struct pair_slot *t = calloc(nc, sizeof(*t));
		if (!t)
			return iko_error_set(IKO_ENOMEM, "out of memory");
		for (k = 0; k < ms->pcap; k++) {
			if (!ms->pairs[k].at)
				continue;
			for (i = pair_home(ms->pairs[k].key, nc); t[i].at; i = (i + 1) & (nc - 1))
				;
			t[i] = ms->pairs[k];
		}
		free(ms->pairs);
		ms->pairs = t;
		ms->pcap = nc;
	}
	mask = ms->pcap - 1;
	for (i = pair_home(key, ms->pcap); ms->pairs[i].at; i = (i + 1) & mask)
		if (ms->pairs[i].key == key) {
			*at = ms->pairs[i].at;
			return 0;
		}
	if ((rc = new_place(ms, ids, at)))
		return rc;
	ms->pairs[i].key = key;
	ms->pairs[i].at = *at;
	ms->npairs++;
	return 0;
}

/*
 * Add v to the grouped count or sum ms for the row's groups: one group by
 * its value's number straight into slot, two by a table of the pairs of
 * numbers, more by their numbers as the key of acc. A group's place in val
 * is taken the first time it is seen, so the figures reach the figure set
 * in the order a map of the group values would give them
 * (iko_figures_rows_flush).
 */
static int measure_grouped(iko_figures_rows *fr, mstate *ms, const iko_csv_row *row, double v)
{
	size_t i, ng = ms->m->ngroup, at = 0;
	uint32_t *ids = fr->ids;
	iko_strmap_entry *e;
	int rc;

	for (i = 0; i < ng; i++)
		if ((rc = gcol_id(fr, &fr->gcols[ms->gc[i]], row, &ids[i])))
			return rc;
	if (ng == 1) {
		if (ids[0] >= ms->nslot) {
			size_t nn = ms->nslot ? ms->nslot : 16, *a;
			while (nn <= ids[0])
				nn *= 2;
			if (!(a = realloc(ms->slot, nn * sizeof(*a))))
				return iko_error_set(IKO_ENOMEM, "out of memory");
			memset(a + ms->nslot, 0, (nn - ms->nslot) * sizeof(*a));
			ms->slot = a;
			ms->nslot = nn;
		}
		if (!(at = ms->slot[ids[0]])) {
			if ((rc = new_place(ms, ids, &at)))
				return rc;
			ms->slot[ids[0]] = at;
		}
	} else if (ng == 2) {
		if ((rc = pair_place(ms, ids, &at)))
			return rc;
	} else {
		if ((rc = iko_strmap_upsert_near(ms->acc, (const char *)ids, ng * sizeof(*ids), &ms->acc_hint, &e)))
			return rc;
		if (!e->a) {
			if ((rc = new_place(ms, ids, &at)))
				return rc;
			e->a = (long long)at;
		}
		at = (size_t)e->a;
	}
	ms->val[at - 1] += v;
	return 0;
}

/* A distinct measure's key (klen bytes of groups, \x1e, the value): counted for its groups when new. */
static int distinct_seen(mstate *ms, const char *key, size_t len, size_t klen)
{
	iko_strmap_entry *e;
	int rc;

	if ((rc = iko_strmap_upsert_near(ms->seen, key, len, &ms->seen_hint, &e)))
		return rc;
	if (e->a++)
		return 0;
	return acc_add(ms, key, klen, 1);
}

/* The oldest queued key of a distinct measure, looked up now. */
static int distinct_next(mstate *ms)
{
	size_t at = ms->ahead_first;

	ms->ahead_first = (at + 1) % DISTINCT_AHEAD;
	ms->ahead_n--;
	return distinct_seen(ms, ms->ahead[at].ptr, ms->ahead[at].len, ms->ahead_klen[at]);
}

/* Every queued key, looked up (before the figures are read). */
static int distinct_drain(mstate *ms)
{
	int rc;

	while (ms->ahead_n)
		if ((rc = distinct_next(ms)))
			return rc;
	return 0;
}

/* Queue a distinct measure's key, its slot prefetched; the oldest is looked up when the queue is full. */
static int distinct_ahead(mstate *ms, const char *key, size_t len, size_t klen)
{
	size_t at;
	int rc;

	if (ms->ahead_n == DISTINCT_AHEAD && (rc = distinct_next(ms)))
		return rc;
	at = (ms->ahead_first + ms->ahead_n) % DISTINCT_AHEAD;
	iko_buf_clear(&ms->ahead[at]);
	if ((rc = iko_buf_put(&ms->ahead[at], key, len)))
		return rc;
	ms->ahead_klen[at] = klen;
	ms->ahead_n++;
	iko_strmap_prefetch(ms->seen, key, len);
	return 0;
}

/* One row into measure ms (its filters passed). */
static int measure_row(iko_figures_rows *fr, mstate *ms, const iko_csv_row *row, iko_buf *g)
{
	size_t i, klen;
	const char *v = ms->col >= 0 && (size_t)ms->col < row->nfields ? row->fields[ms->col] : "", *key;
	int rc;

	if (ms->gc) {
		if (ms->m->kind == IKO_MEASURE_COUNT)
			return measure_grouped(fr, ms, row, 1);
		return *v ? measure_grouped(fr, ms, row, iko_figures_amount(v)) : 0;
	}
	if (ms->m->ngroup == 0 && ms->m->kind != IKO_MEASURE_DISTINCT) {
		key = "";
		klen = 0;
	} else {
		/* the groups joined by '|' (a distinct value appends its own after them) */
		iko_buf_clear(g);
		for (i = 0; i < ms->m->ngroup; i++)
			if ((i && (rc = iko_buf_putc(g, '|'))) || (rc = iko_buf_puts(g, group_value(ms, row, i))))
				return rc;
		if (!g->ptr && (rc = iko_buf_grow(g, 1)))
			return rc;
		key = g->ptr;
		klen = g->len;
	}
	switch (ms->m->kind) {
	case IKO_MEASURE_COUNT:
		return acc_add(ms, key, klen, 1);
	case IKO_MEASURE_SUM:
		return *v ? acc_add(ms, key, klen, iko_figures_amount(v)) : 0;
	case IKO_MEASURE_DISTINCT:
		if (!*v)
			return 0;
		if ((rc = iko_buf_putc(g, '\x1e')) || (rc = iko_buf_puts(g, v)))
			return rc;
		return distinct_ahead(ms, g->ptr, g->len, klen);
	default:
		return 0; /* min/max are computed in SQL only for now */
	}
}

/* Which measures iko computes itself (row by row); the rest only in SQL. */
int iko_measure_row_kind(const iko_measure *m)
{
	return m->kind == IKO_MEASURE_COUNT || m->kind == IKO_MEASURE_SUM || m->kind == IKO_MEASURE_DISTINCT;
}

void iko_figures_rows_free(iko_figures_rows *fr)
{
	size_t i, j;

	if (!fr)
		return;
	for (i = 0; fr->ms && i < fr->nms; i++) {
		free(fr->ms[i].name);
		free(fr->ms[i].group);
		free(fr->ms[i].fcol);
		iko_strmap_free(fr->ms[i].seen);
		iko_strmap_free(fr->ms[i].acc);
		free(fr->ms[i].val);
		free(fr->ms[i].gc);
		free(fr->ms[i].slot);
		free(fr->ms[i].tuple);
		free(fr->ms[i].pairs);
		for (j = 0; j < DISTINCT_AHEAD; j++)
			iko_buf_release(&fr->ms[i].ahead[j]);
	}
	for (i = 0; i < fr->ngcols; i++) {
		iko_strmap_free(fr->gcols[i].ids);
		free(fr->gcols[i].name);
	}
	free(fr->gcols);
	free(fr->pass);
	free(fr->ids);
	free(fr->ms);
	iko_buf_release(&fr->g);
	free(fr);
}

/* Whether measures a and b have the same filters (the same columns, the same values, in order). */
static int same_filters(const iko_measure *a, const iko_measure *b)
{
	size_t i, j;

	if (a->nfilter != b->nfilter)
		return 0;
	for (i = 0; i < a->nfilter; i++) {
		if (strcmp(a->filters[i].column, b->filters[i].column) || a->filters[i].n != b->filters[i].n)
			return 0;
		for (j = 0; j < a->filters[i].n; j++)
			if (strcmp(a->filters[i].values[j], b->filters[i].values[j]))
				return 0;
	}
	return 1;
}

/* The place of column col (or AGE_BAND_COL) in fr's group columns, added when new. */
static int gcol_of(iko_figures_rows *fr, int col, size_t *at)
{
	size_t i;

	for (i = 0; i < fr->ngcols && fr->gcols[i].col != col; i++)
		;
	if (i == fr->ngcols) {
		gcol *a = realloc(fr->gcols, (i + 1) * sizeof(*a));
		if (!a)
			return IKO_ENOMEM;
		fr->gcols = a;
		memset(&a[i], 0, sizeof(a[i]));
		a[i].col = col;
		a[i].stamp = (unsigned long long)-1;
		fr->ngcols++;
		if (iko_strmap_new(&a[i].ids))
			return IKO_ENOMEM;
	}
	*at = i;
	return 0;
}

int iko_figures_rows_open(iko_figures_rows **out, iko_figures *f, const iko_table *t,
			  const iko_csv_row *header, const char *source)
{
	iko_figures_rows *fr = calloc(1, sizeof(*fr));
	size_t i, j;

	*out = NULL;
	if (!fr || !(fr->ms = calloc(t->nmeasures + 1, sizeof(*fr->ms)))) {
		free(fr);
		return iko_error_set(IKO_ENOMEM, "out of memory");
	}
	fr->f = f;
	fr->t = t;
	fr->nms = t->nmeasures;
	for (i = 0; i < t->nmeasures; i++) {
		const iko_measure *m = &t->measures[i];
		mstate *ms = &fr->ms[i];
		ms->m = m;
		ms->name = iko_aprintf("%s.%s", t->name, m->name);
		ms->col = m->column ? iko_csv_find(header, m->column) : -1;
		ms->group = calloc(m->ngroup + 1, sizeof(int));
		ms->fcol = calloc(m->nfilter + 1, sizeof(int));
		if (!ms->name || !ms->group || !ms->fcol || iko_strmap_new(&ms->seen) || iko_strmap_new(&ms->acc)) {
			iko_figures_rows_free(fr);
			return iko_error_set(IKO_ENOMEM, "out of memory");
		}
		for (j = 0; j < m->ngroup; j++) {
			if (!strcmp(m->group_by[j], AGE_BAND)) {
				ms->group[j] = AGE_BAND_COL;
				if ((ms->bcol = iko_csv_find(header, "birth_date")) < 0)
					goto missing;
				continue;
			}
			if ((ms->group[j] = iko_csv_find(header, m->group_by[j])) < 0)
				goto missing;
		}
		for (j = 0; j < m->nfilter; j++)
			if ((ms->fcol[j] = iko_csv_find(header, m->filters[j].column)) < 0)
				goto missing;
		if (m->column && ms->col < 0)
			goto missing;
	}
	/* measures with the same filters share their test; grouped counts and sums their group columns */
	fr->bcol = iko_csv_find(header, "birth_date");
	for (i = 0, j = 1; i < t->nmeasures; i++)
		j = t->measures[i].ngroup > j ? t->measures[i].ngroup : j;
	if (!(fr->pass = calloc(t->nmeasures + 1, 1)) || !(fr->ids = calloc(j, sizeof(*fr->ids))))
		goto nomem;
	for (i = 0; i < t->nmeasures; i++) {
		const iko_measure *m = &t->measures[i];
		mstate *ms = &fr->ms[i];
		for (ms->fsame = 0; ms->fsame < i; ms->fsame++)
			if (iko_measure_row_kind(fr->ms[ms->fsame].m) && same_filters(fr->ms[ms->fsame].m, m))
				break;
		if (!m->ngroup || (m->kind != IKO_MEASURE_COUNT && m->kind != IKO_MEASURE_SUM))
			continue;
		if (!(ms->gc = calloc(m->ngroup, sizeof(*ms->gc))))
			goto nomem;
		for (j = 0; j < m->ngroup; j++)
			if (gcol_of(fr, ms->group[j], &ms->gc[j]))
				goto nomem;
	}
	*out = fr;
	return 0;
nomem:
	iko_figures_rows_free(fr);
	return iko_error_set(IKO_ENOMEM, "out of memory");
missing:
	iko_error_set(IKO_EPARSE, "%s: a column used by measure %s is missing", source, fr->ms[i].name);
	iko_figures_rows_free(fr);
	return IKO_EPARSE;
}

int iko_figures_rows_add(iko_figures_rows *fr, const iko_csv_row *row)
{
	size_t i;
	int rc;

	fr->stamp++;
	for (i = 0; i < fr->nms; i++) {
		mstate *ms = &fr->ms[i];
		if (!iko_measure_row_kind(ms->m))
			continue;
		if (!(ms->fsame == i ? (fr->pass[i] = (unsigned char)passes(ms, row)) : fr->pass[ms->fsame]))
			continue;
		if ((rc = measure_row(fr, ms, row, &fr->g)))
			return rc;
	}
	return 0;
}

int iko_figures_rows_flush(iko_figures_rows *fr)
{
	iko_strmap_entry *e;
	size_t i, pos;
	int rc;

	for (i = 0; i < fr->nms; i++) {
		mstate *ms = &fr->ms[i];
		if ((rc = distinct_drain(ms)))
			return rc;
		if (ms->gc) {
			/* the groups in the order they were first seen, their values joined by '|' */
			size_t k, j, ng = ms->m->ngroup;
			for (k = 0; k < ms->nval; k++) {
				iko_buf_clear(&fr->g);
				for (j = 0; j < ng; j++)
					if ((j && iko_buf_putc(&fr->g, '|')) ||
					    iko_buf_puts(&fr->g, fr->gcols[ms->gc[j]].name[ms->tuple[k * ng + j]]))
						return iko_error_set(IKO_ENOMEM, "out of memory");
				if (!fr->g.ptr && iko_buf_grow(&fr->g, 1))
					return iko_error_set(IKO_ENOMEM, "out of memory");
				if ((rc = iko_figures_add(fr->f, ms->name, fr->g.ptr, ms->val[k])))
					return rc;
			}
			if (ms->nslot)
				memset(ms->slot, 0, ms->nslot * sizeof(*ms->slot));
			if (ms->pcap)
				memset(ms->pairs, 0, ms->pcap * sizeof(*ms->pairs));
			ms->npairs = 0;
		} else {
			pos = 0;
			while ((e = iko_strmap_next(ms->acc, &pos)) != NULL)
				if ((rc = iko_figures_add(fr->f, ms->name, e->key, ms->val[e->a - 1])))
					return rc;
		}
		iko_strmap_free(ms->acc);
		ms->acc = NULL;
		ms->nval = 0;
		ms->whole_at = 0;
		if ((rc = iko_strmap_new(&ms->acc)))
			return rc;
	}
	return 0;
}

int iko_figures_rows_merge(iko_figures_rows *dst, iko_figures_rows *src)
{
	iko_buf name = IKO_BUF_INIT, grp = IKO_BUF_INIT;
	iko_strmap_entry *e, *d;
	const char *m, *g;
	size_t pos = 0, i, n;
	double v;
	int rc = 0;

	if (dst->t != src->t || dst->nms != src->nms)
		return iko_error_set(IKO_EINVAL, "figures of different tables cannot be merged");
	if ((rc = iko_figures_rows_flush(dst)) || (rc = iko_figures_rows_flush(src)))
		return rc;
	/* counts and sums add up */
	while (!rc && iko_figures_next(src->f, &pos, &m, &g, &v)) {
		iko_buf_clear(&name);
		if (iko_buf_put(&name, m, strcspn(m, "\x1e"))) {
			rc = iko_error_set(IKO_ENOMEM, "out of memory");
			break;
		}
		for (i = 0; i < src->nms && strcmp(src->ms[i].name, iko_buf_cstr(&name)); i++)
			;
		if (i < src->nms && src->ms[i].m->kind == IKO_MEASURE_DISTINCT)
			continue;
		rc = iko_figures_add(dst->f, iko_buf_cstr(&name), g, v);
	}
	/* distinct values count once in both: only the ones dst has not seen */
	for (i = 0; !rc && i < src->nms; i++) {
		if (src->ms[i].m->kind != IKO_MEASURE_DISTINCT)
			continue;
		pos = 0;
		while (!rc && (e = iko_strmap_next(src->ms[i].seen, &pos)) != NULL) {
			if ((rc = iko_strmap_upsert(dst->ms[i].seen, e->key, e->keylen, &d)))
				break;
			if (d->a++)
				continue;
			n = strcspn(e->key, "\x1e");
			iko_buf_clear(&grp);
			if ((n && iko_buf_put(&grp, e->key, n)) || (!grp.ptr && iko_buf_grow(&grp, 1)))
				rc = iko_error_set(IKO_ENOMEM, "out of memory");
			else
				rc = iko_figures_add(dst->f, dst->ms[i].name, grp.ptr, 1);
		}
	}
	iko_buf_release(&name);
	iko_buf_release(&grp);
	return rc;
}

static int csv_table(iko_figures *f, const iko_table *t, const char *path)
{
	iko_csv_reader *r = NULL;
	iko_csv_row row;
	iko_figures_rows *fr = NULL;
	int rc;

	if ((rc = iko_csv_reader_open(&r, path)))
		return rc;
	if ((rc = iko_csv_next(r, &row)) != 1) {
		rc = rc < 0 ? rc : iko_error_set(IKO_EPARSE, "%s: empty file", path);
		goto done;
	}
	if ((rc = iko_figures_rows_open(&fr, f, t, &row, path)))
		goto done;
	while ((rc = iko_csv_next(r, &row)) != 0) {
		if (rc == IKO_EPARSE)
			continue;
		if (rc < 0 || (rc = iko_figures_rows_add(fr, &row)))
			goto done;
	}
	rc = iko_figures_rows_flush(fr);
done:
	iko_figures_rows_free(fr);
	iko_csv_reader_free(r);
	return rc;
}

int iko_figures_from_csv(iko_figures *f, const iko_schema *s, const char *dir)
{
	size_t i;
	int rc;

	for (i = 0; i < s->ntables; i++) {
		char *name = iko_aprintf("%s.csv", s->tables[i].name);
		char *p = name ? iko_path_join(dir, name) : NULL;
		free(name);
		if (!p)
			return IKO_ENOMEM;
		rc = iko_path_exists(p) ? csv_table(f, &s->tables[i], p) : 0;
		free(p);
		if (rc)
			return rc;
	}
	return 0;
}

/* ---- measures over SQL -------------------------------------------------- */

static int ident(iko_buf *b, PGconn *conn, const char *name)
{
	char *q = PQescapeIdentifier(conn, name, strlen(name));
	int rc;

	if (!q)
		return iko_error_set(IKO_EDB, "cannot escape identifier %s: %s", name, PQerrorMessage(conn));
	rc = iko_buf_puts(b, q);
	PQfreemem(q);
	return rc;
}

/* Build the measure's SELECT; parameters: $1 = lg_code, then filter values. */
static int measure_sql(iko_buf *sql, PGconn *conn, const iko_schema *s, const iko_table *t,
		       const iko_measure *m, const char **params, int *nparams)
{
	size_t i, j;
	int rc = 0;

	iko_buf_puts(sql, "SELECT ");
	for (i = 0; i < m->ngroup; i++) {
		if (!strcmp(m->group_by[i], AGE_BAND)) {
			/* the same bands as age_band() on the CSV side; $n = the day */
			int k = ++*nparams, b;
			params[k - 1] = today_iso();
			rc |= iko_buf_puts(sql, "CASE WHEN birth_date IS NULL THEN '不詳'");
			for (b = 0; b < 3; b++)
				rc |= iko_buf_printf(sql, " WHEN date_part('year', age($%d::date, birth_date)) < %d THEN '%s'",
						     k, b == 0 ? 15 : b == 1 ? 65 : 75,
						     b == 0 ? "0-14" : b == 1 ? "15-64" : "65-74");
			rc |= iko_buf_puts(sql, " ELSE '75-' END, ");
			continue;
		}
		rc |= iko_buf_puts(sql, "coalesce(");
		rc |= ident(sql, conn, m->group_by[i]);
		rc |= iko_buf_puts(sql, "::text, ''), ");
	}
	switch (m->kind) {
	case IKO_MEASURE_COUNT: rc |= iko_buf_puts(sql, "count(*)"); break;
	case IKO_MEASURE_SUM: rc |= iko_buf_puts(sql, "coalesce(sum("); break;
	case IKO_MEASURE_DISTINCT: rc |= iko_buf_puts(sql, "count(DISTINCT "); break;
	case IKO_MEASURE_MIN: rc |= iko_buf_puts(sql, "min("); break;
	case IKO_MEASURE_MAX: rc |= iko_buf_puts(sql, "max("); break;
	default: break;
	}
	if (m->kind == IKO_MEASURE_SUM) {
		/* code columns of digits (宛名番号 hash totals) sum as numbers too */
		rc |= iko_buf_putc(sql, '(');
		rc |= ident(sql, conn, m->column);
		rc |= iko_buf_puts(sql, ")::numeric), 0)");
	} else if (m->kind != IKO_MEASURE_COUNT) {
		rc |= ident(sql, conn, m->column);
		rc |= iko_buf_puts(sql, ")");
	}
	rc |= iko_buf_puts(sql, "::float8 FROM ");
	rc |= ident(sql, conn, s->name);
	rc |= iko_buf_putc(sql, '.');
	rc |= ident(sql, conn, t->name);
	rc |= iko_buf_puts(sql, " WHERE lg_code = $1");
	for (i = 0; i < m->nfilter; i++) {
		rc |= iko_buf_puts(sql, " AND ");
		rc |= ident(sql, conn, m->filters[i].column);
		rc |= iko_buf_puts(sql, "::text IN (");
		for (j = 0; j < m->filters[i].n; j++) {
			params[*nparams] = m->filters[i].values[j];
			rc |= iko_buf_printf(sql, "%s$%d", j ? ", " : "", ++*nparams);
		}
		rc |= iko_buf_puts(sql, ")");
	}
	if (m->ngroup) {
		rc |= iko_buf_puts(sql, " GROUP BY ");
		for (i = 0; i < m->ngroup; i++)
			rc |= iko_buf_printf(sql, "%s%zu", i ? ", " : "", i + 1);
	}
	return rc ? (iko_error_code() ? iko_error_code() : IKO_ENOMEM) : 0;
}

int iko_figures_from_db(iko_figures *f, const iko_schema *s, PGconn *conn, const char *lg_code,
			const unsigned char *by_rows)
{
	const char *params[64];
	iko_buf sql = IKO_BUF_INIT, g = IKO_BUF_INIT, name = IKO_BUF_INIT;
	size_t i, k;
	int rc = 0, np, row, c;

	for (i = 0; i < s->ntables && !rc; i++) {
		const iko_table *t = &s->tables[i];
		for (k = 0; k < t->nmeasures && !rc; k++) {
			const iko_measure *m = &t->measures[k];
			PGresult *res;
			size_t nvals = 1 + m->ngroup;
			if (by_rows && by_rows[i] && iko_measure_row_kind(m))
				continue; /* the caller computes it from the rows it reads */
			for (c = 0; c < (int)m->nfilter; c++)
				nvals += m->filters[c].n;
			if (nvals > 64) {
				rc = iko_error_set(IKO_EINVAL, "measure %s has too many filter values", m->name);
				break;
			}
			iko_buf_clear(&sql);
			params[0] = lg_code;
			np = 1;
			if ((rc = measure_sql(&sql, conn, s, t, m, params, &np)))
				break;
			res = PQexecParams(conn, sql.ptr, np, NULL, params, NULL, NULL, 0);
			if (PQresultStatus(res) != PGRES_TUPLES_OK) {
				rc = iko_error_set(IKO_EDB, "measure %s.%s: %s", t->name, m->name,
						   PQresultErrorMessage(res));
				PQclear(res);
				break;
			}
			iko_buf_clear(&name);
			iko_buf_printf(&name, "%s.%s", t->name, m->name);
			for (row = 0; row < PQntuples(res) && !rc; row++) {
				iko_buf_clear(&g);
				for (c = 0; c < (int)m->ngroup; c++) {
					if (c)
						iko_buf_putc(&g, '|');
					iko_buf_puts(&g, PQgetvalue(res, row, c));
				}
				if (!g.ptr)
					iko_buf_grow(&g, 1);
				if (!PQgetisnull(res, row, (int)m->ngroup))
					rc = iko_figures_add(f, name.ptr, g.ptr,
							     strtod(PQgetvalue(res, row, (int)m->ngroup), NULL));
			}
			PQclear(res);
		}
	}
	iko_buf_release(&sql);
	iko_buf_release(&g);
	iko_buf_release(&name);
	return rc;
}
