/*
 * test_figures.c — the measures iko computes row by row
 * (iko_figures_rows_*) against a plain definition written here: every
 * measure's filter tested on its own, its groups joined by '|' into a
 * string key, the keys in the order first seen, counts and sums added up
 * in row order, distinct values counted once per group. The figure set
 * must hold exactly these figures, in this order, with these values —
 * over random rows with empty values, a '|' inside a value, age bands,
 * amounts with and without decimals and measures that share filters and
 * group columns. And two halves merged give the whole.
 */
#include "iko_error.h"
#include "iko_csv.h"
#include "iko_fs.h"
#include "iko_schema.h"
#include "iko_totals.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

TCase *figures_tcase(void);

static const char schema_yaml[] =
	"schema: t\n"
	"label: t\n"
	"version: 1.0.0\n"
	"tables:\n"
	"  - name: p\n"
	"    label: p\n"
	"    key: [lg_code, k]\n"
	"    columns:\n"
	"      - {name: lg_code, label: a, type: code, length: 6}\n"
	"      - {name: k, label: b, type: code, length: 8}\n"
	"      - {name: st, label: c, type: code, length: 1}\n"
	"      - {name: sex, label: d, type: code, length: 1}\n"
	"      - {name: town, label: e, type: text, length: 10}\n"
	"      - {name: birth_date, label: f, type: date}\n"
	"      - {name: amt, label: g, type: text, length: 12}\n"
	"      - {name: hh, label: h, type: code, length: 4}\n"
	"    measures:\n"
	"      - {name: all, label: m1, kind: count}\n"
	"      - {name: by_sex, label: m2, kind: count, where: {st: [\"1\"]}, group_by: [sex]}\n"
	"      - {name: by_town_sex, label: m3, kind: count, where: {st: [\"1\"]}, group_by: [town, sex]}\n"
	"      - {name: by_town, label: m4, kind: count, where: {st: [\"1\"]}, group_by: [town]}\n"
	"      - {name: by_age, label: m5, kind: count, where: {st: [\"1\"]}, group_by: [age_band]}\n"
	"      - {name: gone_by_sex, label: m6, kind: count, where: {st: [\"2\", \"3\", \"9\"]}, group_by: [sex]}\n"
	"      - {name: amt_by_town, label: m7, kind: sum, column: amt, group_by: [town]}\n"
	"      - {name: amt, label: m8, kind: sum, column: amt}\n"
	"      - {name: amt_by_3, label: m9, kind: sum, column: amt, where: {sex: [\"1\", \"2\"]},\n"
	"         group_by: [town, age_band, st]}\n"
	"      - {name: hh, label: m10, kind: distinct, column: hh, where: {st: [\"1\"]}}\n"
	"      - {name: hh_by_town, label: m11, kind: distinct, column: hh, group_by: [town]}\n"
	"      - {name: by_st_sex, label: m12, kind: count, where: {sex: [\"1\", \"2\"]}, group_by: [st, sex]}\n";

enum { NCOL = 8, NROWS = 3000 };
static const char *const cols[NCOL] = { "lg_code", "k", "st", "sex", "town", "birth_date", "amt", "hh" };

/* ---- the definition ------------------------------------------------------ */

typedef struct fig {
	char *measure, *group;
	double v;     /* the figure set's: the parts of earlier flushes added up */
	double part;  /* added up since the last flush */
	int epoch;    /* the flushes before it was first seen */
	size_t midx;  /* the measure's place in the table */
	size_t seq;   /* first seen as the seq-th figure */
} fig;

typedef struct figs {
	fig *f;
	size_t n, cap;
	char **seen; /* distinct: "measure\x1egroup\x1evalue" */
	size_t nseen, capseen;
	int epoch;
} figs;

static void add(figs *e, size_t midx, const char *measure, const char *group, double v)
{
	size_t i;

	for (i = 0; i < e->n; i++)
		if (!strcmp(e->f[i].measure, measure) && !strcmp(e->f[i].group, group)) {
			e->f[i].part += v;
			return;
		}
	if (e->n == e->cap) {
		e->cap = e->cap ? e->cap * 2 : 64;
		e->f = realloc(e->f, e->cap * sizeof(*e->f));
		ck_assert_ptr_nonnull(e->f);
	}
	e->f[e->n].measure = strdup(measure);
	e->f[e->n].group = strdup(group);
	e->f[e->n].v = 0;
	e->f[e->n].part = v;
	e->f[e->n].epoch = e->epoch;
	e->f[e->n].midx = midx;
	e->f[e->n].seq = e->n;
	e->n++;
}

/*
 * The order of the figure set: each flush hands over the figures measure
 * by measure, each measure's groups in the order first seen; a figure
 * already there keeps its place.
 */
static int by_flush(const void *a, const void *b)
{
	const fig *x = a, *y = b;

	if (x->epoch != y->epoch)
		return x->epoch < y->epoch ? -1 : 1;
	if (x->midx != y->midx)
		return x->midx < y->midx ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int seen_before(figs *e, const char *key)
{
	size_t i;

	for (i = 0; i < e->nseen; i++)
		if (!strcmp(e->seen[i], key))
			return 1;
	if (e->nseen == e->capseen) {
		e->capseen = e->capseen ? e->capseen * 2 : 64;
		e->seen = realloc(e->seen, e->capseen * sizeof(*e->seen));
		ck_assert_ptr_nonnull(e->seen);
	}
	e->seen[e->nseen++] = strdup(key);
	return 0;
}

/* A flush: each figure's part goes to the figure set's value. */
static void flushed(figs *e)
{
	size_t i;

	for (i = 0; i < e->n; i++) {
		e->f[i].v += e->f[i].part;
		e->f[i].part = 0;
	}
	e->epoch++;
}

static void figs_free(figs *e)
{
	size_t i;

	for (i = 0; i < e->n; i++) {
		free(e->f[i].measure);
		free(e->f[i].group);
	}
	for (i = 0; i < e->nseen; i++)
		free(e->seen[i]);
	free(e->f);
	free(e->seen);
}

static int col_of(const char *name)
{
	int i;

	for (i = 0; i < NCOL; i++)
		if (!strcmp(cols[i], name))
			return i;
	ck_abort_msg("no column %s", name);
	return -1;
}

/* 年齢階級 on the day ty-tm-td, by whole years lived */
static const char *band(const char *birth, int ty, int tm, int td)
{
	int y, m, d, age;

	if (strlen(birth) != 10 || sscanf(birth, "%4d-%2d-%2d", &y, &m, &d) != 3)
		return "不詳";
	age = ty - y - (tm < m || (tm == m && td < d));
	return age < 15 ? "0-14" : age < 65 ? "15-64" : age < 75 ? "65-74" : "75-";
}

static void define(figs *e, const iko_table *t, char *const *row, int ty, int tm, int td)
{
	size_t i, j, k;
	char group[256], key[512];

	for (i = 0; i < t->nmeasures; i++) {
		const iko_measure *m = &t->measures[i];
		char name[64];
		int ok = 1;
		for (j = 0; j < m->nfilter && ok; j++) {
			const char *v = row[col_of(m->filters[j].column)];
			for (k = 0; k < m->filters[j].n && strcmp(m->filters[j].values[k], v); k++)
				;
			ok = k < m->filters[j].n;
		}
		if (!ok)
			continue;
		group[0] = '\0';
		for (j = 0; j < m->ngroup; j++) {
			const char *g = !strcmp(m->group_by[j], "age_band") ? band(row[5], ty, tm, td)
									   : row[col_of(m->group_by[j])];
			snprintf(group + strlen(group), sizeof(group) - strlen(group), "%s%s", j ? "|" : "", g);
		}
		snprintf(name, sizeof(name), "%s.%s", t->name, m->name);
		if (m->kind == IKO_MEASURE_COUNT) {
			add(e, i, name, group, 1);
		} else if (m->kind == IKO_MEASURE_SUM) {
			const char *v = row[col_of(m->column)];
			if (*v)
				add(e, i, name, group, strtod(v, NULL));
		} else if (m->kind == IKO_MEASURE_DISTINCT) {
			const char *v = row[col_of(m->column)];
			snprintf(key, sizeof(key), "%s\x1e%s\x1e%s", name, group, v);
			if (*v && !seen_before(e, key))
				add(e, i, name, group, 1);
		}
	}
}

/* ---- the rows ------------------------------------------------------------ */

static unsigned rnd(unsigned long long *s)
{
	*s = *s * 6364136223846793005ull + 1442695040888963407ull;
	return (unsigned)(*s >> 33);
}

static char rows[NROWS][NCOL][24];

static void make_rows(int ty)
{
	static const char *const towns[] = { "0010001", "0010002", "0020001", "", "a|b", "a", "b|", "0030009",
					     "本町一丁目", "0010003" };
	static const char *const sts[] = { "1", "1", "1", "2", "3", "9", "", "4" };
	static const char *const sexes[] = { "1", "2", "1", "2", "0", "" };
	unsigned long long s = 20261206;
	size_t i;

	for (i = 0; i < NROWS; i++) {
		unsigned r = rnd(&s);
		snprintf(rows[i][0], 24, "435015");
		snprintf(rows[i][1], 24, "%08zu", i);
		snprintf(rows[i][2], 24, "%s", sts[r % 8]);
		snprintf(rows[i][3], 24, "%s", sexes[(r >> 3) % 6]);
		/* runs of one town, then jumps: the near hints see both */
		snprintf(rows[i][4], 24, "%s", towns[(i / 7 + (r >> 6) % 3) % 10]);
		if ((r >> 8) % 17 == 0)
			rows[i][5][0] = '\0';
		else
			snprintf(rows[i][5], 24, "%04u-%02u-%02u", (unsigned)ty - (r >> 10) % 100, 1 + (r >> 17) % 12,
				 1 + (r >> 21) % 28);
		switch ((r >> 25) % 5) {
		case 0: rows[i][6][0] = '\0'; break;
		case 1: snprintf(rows[i][6], 24, "%u.%02u", (r >> 3) % 100000, r % 100); break;
		case 2: snprintf(rows[i][6], 24, "-%u", (r >> 5) % 1000); break;
		default: snprintf(rows[i][6], 24, "%u", (r >> 4) % 10000000); break;
		}
		snprintf(rows[i][7], 24, "%04u", (r >> 12) % 400);
		if ((r >> 28) % 11 == 0)
			rows[i][7][0] = '\0';
	}
}

static void as_row(iko_csv_row *row, char **f, size_t *lens, size_t i)
{
	size_t c;

	for (c = 0; c < NCOL; c++) {
		f[c] = i == (size_t)-1 ? (char *)cols[c] : rows[i][c];
		lens[c] = strlen(f[c]);
	}
	memset(row, 0, sizeof(*row));
	row->nfields = NCOL;
	row->fields = f;
	row->lens = lens;
}

static const iko_table *load_table(iko_schema **s)
{
	char path[] = "/tmp/iko-test-figures-XXXXXX";
	int fd = mkstemp(path);
	FILE *fp;

	ck_assert_int_ge(fd, 0);
	ck_assert_ptr_nonnull(fp = fdopen(fd, "w"));
	ck_assert_int_eq(fputs(schema_yaml, fp) >= 0, 1);
	ck_assert_int_eq(fclose(fp), 0);
	if (iko_schema_load(s, path))
		ck_abort_msg("schema: %s", iko_error_message());
	unlink(path);
	ck_assert_uint_eq((*s)->tables[0].nmeasures, 12);
	/* the schema as written: three groups, two filters' values, a distinct by town */
	ck_assert_uint_eq((*s)->tables[0].measures[8].ngroup, 3);
	ck_assert_str_eq((*s)->tables[0].measures[8].group_by[1], "age_band");
	ck_assert_uint_eq((*s)->tables[0].measures[8].filters[0].n, 2);
	ck_assert_uint_eq((*s)->tables[0].measures[10].ngroup, 1);
	return &(*s)->tables[0];
}

static void today(int *y, int *m, int *d)
{
	char now[21];

	iko_now_iso(now);
	ck_assert_int_eq(sscanf(now, "%4d-%2d-%2d", y, m, d), 3);
}

START_TEST(test_rows_as_defined)
{
	iko_schema *s = NULL;
	const iko_table *t = load_table(&s);
	iko_figures *f = NULL;
	iko_figures_rows *fr = NULL;
	iko_csv_row row;
	char *fv[NCOL];
	size_t lens[NCOL], i, pos = 0, n = 0;
	const char *m, *g;
	double v;
	figs e = { 0 };
	int ty, tm, td;

	today(&ty, &tm, &td);
	make_rows(ty);
	ck_assert_int_eq(iko_figures_new(&f), 0);
	as_row(&row, fv, lens, (size_t)-1);
	ck_assert_int_eq(iko_figures_rows_open(&fr, f, t, &row, "test"), 0);
	for (i = 0; i < NROWS; i++) {
		as_row(&row, fv, lens, i);
		ck_assert_int_eq(iko_figures_rows_add(fr, &row), 0);
		define(&e, t, fv, ty, tm, td);
		/* a flush in the middle: the figures go on adding up from there */
		if (i == NROWS / 3) {
			ck_assert_int_eq(iko_figures_rows_flush(fr), 0);
			flushed(&e);
		}
	}
	ck_assert_int_eq(iko_figures_rows_flush(fr), 0);
	flushed(&e);
	qsort(e.f, e.n, sizeof(*e.f), by_flush);
	while (iko_figures_next(f, &pos, &m, &g, &v)) {
		ck_assert_uint_lt(n, e.n);
		ck_assert_msg(strlen(e.f[n].measure) == strcspn(m, "\x1e") && !strncmp(m, e.f[n].measure, strlen(e.f[n].measure)),
			      "figure %zu: %.*s, defined %s", n, (int)strcspn(m, "\x1e"), m, e.f[n].measure);
		ck_assert_str_eq(g, e.f[n].group);
		ck_assert_msg(v == e.f[n].v, "%s %s: %.17g, defined %.17g", m, g, v, e.f[n].v);
		n++;
	}
	ck_assert_uint_eq(n, e.n);
	/* the rows reach every kind of figure: the definition is not trivially empty */
	ck_assert_uint_gt(n, 200);
	ck_assert_int_eq(iko_figures_get(f, "p.by_town_sex", "a|b|1", &v), 1);
	ck_assert_int_eq(iko_figures_get(f, "p.by_town", "", &v), 1);
	figs_free(&e);
	iko_figures_rows_free(fr);
	iko_figures_free(f);
	iko_schema_free(s);
}
END_TEST

/* Two halves of the rows, each in its own figure set, merged: the whole (counts and whole-number sums). */
START_TEST(test_halves_merged)
{
	iko_schema *s = NULL;
	const iko_table *t = load_table(&s);
	iko_figures *whole = NULL, *f1 = NULL, *f2 = NULL;
	iko_figures_rows *fw = NULL, *h1 = NULL, *h2 = NULL;
	iko_csv_row row;
	char *fv[NCOL];
	size_t lens[NCOL], i, pos = 0, n = 0;
	const char *m, *g;
	double v, got;
	int ty, tm, td;

	today(&ty, &tm, &td);
	make_rows(ty);
	for (i = 0; i < NROWS; i++)
		if (strchr(rows[i][6], '.'))
			*strchr(rows[i][6], '.') = '\0';
	ck_assert_int_eq(iko_figures_new(&whole), 0);
	ck_assert_int_eq(iko_figures_new(&f1), 0);
	ck_assert_int_eq(iko_figures_new(&f2), 0);
	as_row(&row, fv, lens, (size_t)-1);
	ck_assert_int_eq(iko_figures_rows_open(&fw, whole, t, &row, "test"), 0);
	ck_assert_int_eq(iko_figures_rows_open(&h1, f1, t, &row, "test"), 0);
	ck_assert_int_eq(iko_figures_rows_open(&h2, f2, t, &row, "test"), 0);
	for (i = 0; i < NROWS; i++) {
		as_row(&row, fv, lens, i);
		ck_assert_int_eq(iko_figures_rows_add(fw, &row), 0);
		ck_assert_int_eq(iko_figures_rows_add(i < NROWS / 2 ? h1 : h2, &row), 0);
	}
	ck_assert_int_eq(iko_figures_rows_flush(fw), 0);
	ck_assert_int_eq(iko_figures_rows_merge(h1, h2), 0);
	while (iko_figures_next(whole, &pos, &m, &g, &v)) {
		char name[64];
		snprintf(name, sizeof(name), "%.*s", (int)strcspn(m, "\x1e"), m);
		ck_assert_msg(iko_figures_get(f1, name, g, &got), "%s %s missing after the merge", name, g);
		ck_assert_msg(got == v, "%s %s: %.17g merged, %.17g whole", name, g, got, v);
		n++;
	}
	pos = 0;
	while (iko_figures_next(f1, &pos, &m, &g, &v))
		n--;
	ck_assert_uint_eq(n, 0);
	iko_figures_rows_free(fw);
	iko_figures_rows_free(h1);
	iko_figures_rows_free(h2);
	iko_figures_free(whole);
	iko_figures_free(f1);
	iko_figures_free(f2);
	iko_schema_free(s);
}
END_TEST

TCase *figures_tcase(void)
{
	TCase *tc = tcase_create("figures");

	tcase_add_test(tc, test_rows_as_defined);
	tcase_add_test(tc, test_halves_merged);
	return tc;
}
