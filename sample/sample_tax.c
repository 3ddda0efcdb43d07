/*
 * sample_tax.c — the tax files of the sample dump (vendors A and B):
 * 個人住民税 assessments for current residents aged 18 and over, 固定資産税
 * assessments for about 45 % of household heads, fiscal year 2024 (令和6年度,
 * the year the reference date 2025-03-31 closes), and the old system's own
 * tax totals. Byte layouts: docs/vendor-a.md and docs/vendor-b.md.
 *
 * Tax amounts come from their own random stream, so adding tax files does
 * not change the 住民記録 data of a seed.
 *
 *   vendor A (CP932 lines + CRLF): KOJIN.DAT (60 bytes), KOTEI.DAT (50 bytes),
 *            ZEI_TOUKEI.CSV (the 税務統計: counts and sums per 区分)
 *   vendor B (CCSID 930, FB 80, H/D/T): KOJINZEI.DAT, KOTEIZEI.DAT, the
 *            trailers holding record counts and hash totals of the amounts
 */
#include "sample_gen.h"

#include "iko_error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TAX_YEAR 2024
#define A_KOJIN_LEN 60
#define A_KOTEI_LEN 50
#define B_TAX_LEN 80

/* Running totals, as the old system printed them. */
typedef struct tax_totals {
	long long n[3], shotoku[3], kinto[3], annual[3];  /* by 課税区分 1/2/3 */
	long long by_method[3];                          /* 年税額 by 徴収方法 1/2/3 */
	long long kotei_n, land, house, kotei_annual;
} tax_totals;

typedef struct tax_gen {
	iko_sample_rng rng;
	iko_afile *kojin, *kotei;
	tax_totals t;
	unsigned char rec[B_TAX_LEN + 2];
} tax_gen;

static long long below(tax_gen *t, long long n)
{
	return (long long)iko_sample_rng_below(&t->rng, (uint64_t)n);
}

/* Age on the reference date. */
static int age_at(long birth, long ref)
{
	int by, bm, bd, ry, rm, rd, age;

	iko_sample_civil_from_days(birth, &by, &bm, &bd);
	iko_sample_civil_from_days(ref, &ry, &rm, &rd);
	age = ry - by;
	if (rm < bm || (rm == bm && rd < bd))
		age--;
	return age;
}

/* ---------------------------------------------------------------- encoders */

static void put_a(unsigned char *r, size_t off, size_t len, long long v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%0*lld", (int)len, v);
	memcpy(r + off, buf, len);
}

/* EBCDIC zoned digits, zone F. */
static void put_z(unsigned char *r, size_t off, size_t len, long long v)
{
	size_t i;

	for (i = len; i-- > 0; v /= 10)
		r[off + i] = (unsigned char)(0xF0 + v % 10);
}

/* Packed decimal, sign C, v >= 0. */
static void put_p(unsigned char *r, size_t off, size_t len, long long v)
{
	size_t i;
	unsigned d;

	r[off + len - 1] = (unsigned char)((v % 10) << 4 | 0x0C);
	v /= 10;
	for (i = len - 1; i-- > 0;) {
		d = (unsigned)(v % 10);
		v /= 10;
		r[off + i] = (unsigned char)(d | (unsigned)(v % 10) << 4);
		v /= 10;
	}
}

/* EBCDIC (CCSID 290/037 agree here) for the letters and digits used. */
static unsigned char ebc(char c)
{
	if (c >= '0' && c <= '9')
		return (unsigned char)(0xF0 + (c - '0'));
	if (c >= 'A' && c <= 'I')
		return (unsigned char)(0xC1 + (c - 'A'));
	if (c >= 'J' && c <= 'R')
		return (unsigned char)(0xD1 + (c - 'J'));
	if (c >= 'S' && c <= 'Z')
		return (unsigned char)(0xE2 + (c - 'S'));
	return 0x40;
}

static void put_e(unsigned char *r, size_t off, const char *s)
{
	for (; *s; s++)
		r[off++] = ebc(*s);
}

/* ---------------------------------------------------------------- records */

static int kojin_record(gen *g, tax_gen *t, const person *p)
{
	static const char a_kubun[] = { '1', '2', '9' }, b_kubun[] = { 'A', 'B', 'C' };
	static const char a_method[] = { 'F', 'K', 'N' };
	static const char *const b_method[] = { "10", "21", "22" };
	long long r = below(t, 100), shotoku = 0, kinto = 0, annual;
	int kubun = r < 62 ? 0 : r < 70 ? 1 : 2, method, age = age_at(p->birth, g->ref);
	unsigned char *rec = t->rec;

	if (kubun == 0)
		shotoku = (below(t, 7900) + 100) * 100;
	if (kubun < 2)
		kinto = 5000;
	annual = shotoku + kinto;
	if (kubun == 2)
		method = 0;
	else if (age >= 65)
		method = below(t, 100) < 60 ? 2 : 0;
	else
		method = below(t, 100) < 70 ? 1 : 0;
	t->t.n[kubun]++;
	t->t.shotoku[kubun] += shotoku;
	t->t.kinto[kubun] += kinto;
	t->t.annual[kubun] += annual;
	t->t.by_method[method] += annual;
	if (g->vendor == 'A') {
		memset(rec, ' ', A_KOJIN_LEN);
		rec[0] = '1';
		put_a(rec, 1, 10, p->atena);
		put_a(rec, 11, 4, TAX_YEAR);
		rec[15] = (unsigned char)a_kubun[kubun];
		put_a(rec, 16, 9, shotoku);
		put_a(rec, 25, 7, kinto);
		put_a(rec, 32, 9, annual);
		rec[41] = (unsigned char)a_method[method];
		rec[A_KOJIN_LEN] = '\r';
		rec[A_KOJIN_LEN + 1] = '\n';
		return iko_sample_write_rec(t->kojin, rec, A_KOJIN_LEN + 2);
	}
	memset(rec, 0x40, B_TAX_LEN);
	rec[0] = ebc('D');
	put_p(rec, 1, 6, p->atena);
	put_z(rec, 7, 4, TAX_YEAR);
	rec[11] = ebc(b_kubun[kubun]);
	put_p(rec, 12, 6, shotoku);
	put_p(rec, 18, 4, kinto);
	put_p(rec, 22, 6, annual);
	put_e(rec, 28, b_method[method]);
	return iko_sample_write_rec(t->kojin, rec, B_TAX_LEN);
}

static int kotei_record(gen *g, tax_gen *t, const person *p)
{
	long long land = (below(t, 29000) + 1000) * 1000;
	long long house = (below(t, 14500) + 500) * 1000;
	long long annual = (land + house) * 14 / 1000 / 100 * 100; /* 1.4 %, 100円未満切捨て */
	unsigned char *rec = t->rec;

	t->t.kotei_n++;
	t->t.land += land;
	t->t.house += house;
	t->t.kotei_annual += annual;
	if (g->vendor == 'A') {
		memset(rec, ' ', A_KOTEI_LEN);
		rec[0] = '1';
		put_a(rec, 1, 10, p->atena);
		put_a(rec, 11, 4, TAX_YEAR);
		put_a(rec, 15, 12, land);
		put_a(rec, 27, 12, house);
		put_a(rec, 39, 10, annual);
		rec[A_KOTEI_LEN] = '\r';
		rec[A_KOTEI_LEN + 1] = '\n';
		return iko_sample_write_rec(t->kotei, rec, A_KOTEI_LEN + 2);
	}
	memset(rec, 0x40, B_TAX_LEN);
	rec[0] = ebc('D');
	put_p(rec, 1, 6, p->atena);
	put_z(rec, 7, 4, TAX_YEAR);
	put_p(rec, 11, 7, land);
	put_p(rec, 18, 7, house);
	put_p(rec, 25, 6, annual);
	return iko_sample_write_rec(t->kotei, rec, B_TAX_LEN);
}

int iko_sample_tax_household(gen *g)
{
	tax_gen *t = g->tax;
	const household *h = &g->h;
	int i, rc;

	if (!t)
		return 0;
	for (i = 0; i < h->n; i++) {
		const person *p = &h->p[i];
		if (p->jotai == 0 && age_at(p->birth, g->ref) >= 18 &&
		    (rc = kojin_record(g, t, p)))
			return rc;
	}
	if (below(t, 100) < 45 && (rc = kotei_record(g, t, &h->p[0])))
		return rc;
	return 0;
}

/* ---------------------------------------------------------------- files */

static int b_header(gen *g, tax_gen *t, iko_afile *f)
{
	memset(t->rec, 0x40, B_TAX_LEN);
	t->rec[0] = ebc('H');
	put_e(t->rec, 1, g->o->lg_code);
	put_z(t->rec, 7, 8, REF_Y * 10000 + REF_M * 100 + REF_D);
	put_e(t->rec, 15, "ZEIHOST");
	return iko_sample_write_rec(f, t->rec, B_TAX_LEN);
}

int iko_sample_tax_open(gen *g, const char *kojin_path, const char *kotei_path)
{
	tax_gen *t;
	int rc;

	if (g->vendor == 'C')
		return 0;
	t = calloc(1, sizeof(*t));
	if (!t)
		return iko_error_set(IKO_ENOMEM, "out of memory");
	g->tax = t;
	iko_sample_rng_seed(&t->rng, g->tax_seed);
	if ((rc = iko_afile_open(&t->kojin, kojin_path, 0600)) ||
	    (rc = iko_afile_open(&t->kotei, kotei_path, 0600)))
		return rc;
	if (g->vendor == 'B' && ((rc = b_header(g, t, t->kojin)) || (rc = b_header(g, t, t->kotei))))
		return rc;
	return 0;
}

/* ZEI_TOUKEI.CSV: UTF-8 rows in g->u8 converted to CP932 with CRLF. */
static int toukei_row(gen *g, iko_afile *f, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int toukei_row(gen *g, iko_afile *f, const char *fmt, ...)
{
	char buf[512], *in, *out = buf;
	size_t inleft, outleft = sizeof(buf) - 2;
	va_list ap;
	int rc;

	iko_buf_clear(&g->u8);
	va_start(ap, fmt);
	rc = iko_buf_vprintf(&g->u8, fmt, ap);
	va_end(ap);
	if (rc)
		return rc;
	in = g->u8.ptr;
	inleft = g->u8.len;
	iconv(g->cd, NULL, NULL, NULL, NULL);
	if (iconv(g->cd, &in, &inleft, &out, &outleft) == (size_t)-1)
		return iko_error_set(IKO_ECONV, "sample: ZEI_TOUKEI.CSV cannot be encoded in CP932");
	*out++ = '\r';
	*out++ = '\n';
	return iko_sample_write_rec(f, buf, (size_t)(out - buf));
}

static int a_toukei(gen *g, const tax_totals *s, const char *path, long long *rows)
{
	static const char *const kubun[] = { "課税", "均等割のみ", "非課税" };
	static const char *const method[] = { "普通徴収", "特別徴収（給与）", "特別徴収（年金）" };
	iko_afile *f = NULL;
	long long n = 0, sh = 0, ki = 0, an = 0;
	int i, rc;

	if ((rc = iko_afile_open(&f, path, 0644)) ||
	    (rc = toukei_row(g, f, "税目,年度,区分,件数,所得割額,均等割額,年税額,土地課税標準額,家屋課税標準額")))
		goto done;
	for (i = 0; i < 3; i++) {
		if ((rc = toukei_row(g, f, "個人住民税,%d,%s,%lld,%lld,%lld,%lld,,", TAX_YEAR, kubun[i],
				     s->n[i], s->shotoku[i], s->kinto[i], s->annual[i])))
			goto done;
		n += s->n[i];
		sh += s->shotoku[i];
		ki += s->kinto[i];
		an += s->annual[i];
	}
	for (i = 0; i < 3; i++)
		if ((rc = toukei_row(g, f, "個人住民税,%d,%s,,,,%lld,,", TAX_YEAR, method[i],
				     s->by_method[i])))
			goto done;
	if ((rc = toukei_row(g, f, "個人住民税,%d,合計,%lld,%lld,%lld,%lld,,", TAX_YEAR, n, sh, ki, an)) ||
	    (rc = toukei_row(g, f, "固定資産税,%d,合計,%lld,,,%lld,%lld,%lld", TAX_YEAR, s->kotei_n,
			     s->kotei_annual, s->land, s->house)))
		goto done;
	*rows = 8;
	rc = iko_afile_commit(f);
done:
	iko_afile_free(f);
	return rc;
}

static int b_trailers(tax_gen *t)
{
	const tax_totals *s = &t->t;
	long long n = s->n[0] + s->n[1] + s->n[2];
	int rc;

	memset(t->rec, 0x40, B_TAX_LEN);
	t->rec[0] = ebc('T');
	put_z(t->rec, 1, 4, TAX_YEAR);
	put_z(t->rec, 5, 9, n);
	put_p(t->rec, 14, 8, s->shotoku[0] + s->shotoku[1] + s->shotoku[2]);
	put_p(t->rec, 22, 8, s->kinto[0] + s->kinto[1] + s->kinto[2]);
	put_p(t->rec, 30, 8, s->annual[0] + s->annual[1] + s->annual[2]);
	if ((rc = iko_sample_write_rec(t->kojin, t->rec, B_TAX_LEN)))
		return rc;
	memset(t->rec, 0x40, B_TAX_LEN);
	t->rec[0] = ebc('T');
	put_z(t->rec, 1, 4, TAX_YEAR);
	put_z(t->rec, 5, 9, s->kotei_n);
	put_p(t->rec, 14, 9, s->land);
	put_p(t->rec, 23, 9, s->house);
	put_p(t->rec, 32, 8, s->kotei_annual);
	return iko_sample_write_rec(t->kotei, t->rec, B_TAX_LEN);
}

int iko_sample_tax_finish(gen *g, const char *toukei_path, long long *rows)
{
	tax_gen *t = g->tax;
	int rc;

	if (!t)
		return 0;
	if (g->vendor == 'A')
		rc = a_toukei(g, &t->t, toukei_path, rows);
	else
		rc = b_trailers(t);
	if (rc || (rc = iko_afile_commit(t->kojin)) || (rc = iko_afile_commit(t->kotei)))
		return rc;
	g->tax_kojin = t->t.n[0] + t->t.n[1] + t->t.n[2];
	g->tax_kotei = t->t.kotei_n;
	return 0;
}

void iko_sample_tax_close(gen *g)
{
	tax_gen *t = g->tax;

	if (!t)
		return;
	iko_afile_free(t->kojin);
	iko_afile_free(t->kotei);
	free(t);
	g->tax = NULL;
}
