/*
 * iko_sample.c — the deterministic sample municipality generator
 * (sample/ stage: it makes the legacy dump that extract reads).
 *
 * One household at a time is composed in memory (head, spouse, children,
 * parents, 同居人 and some removed former members), encoded to CP932 and
 * written as fixed-length records exactly per docs/vendor-a.md. Totals per
 * 町字 are kept for TOUKEI.CSV. With --inject the run first makes a dry
 * pass over the same random stream to count the eligible records, picks
 * the defect positions evenly spread over them, then plants them while
 * writing and lists each in injected.csv.
 */
#include "sample_gen.h"

#include "iko_buf.h"
#include "iko_checkdigit.h"
#include "iko_csv.h"
#include "iko_date.h"
#include "iko_error.h"
#include "iko_fs.h"

#include <errno.h>
#include <iconv.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const defect_names[] = {
	[IKO_SAMPLE_INVALID_DATE] = "invalid_date",
	[IKO_SAMPLE_BAD_MY_NUMBER] = "bad_my_number",
	[IKO_SAMPLE_UNKNOWN_CODE] = "unknown_code",
	[IKO_SAMPLE_ORPHAN_MEMBER] = "orphan_member",
	[IKO_SAMPLE_TWO_HEADS] = "two_heads",
	[IKO_SAMPLE_DUPLICATE_KEY] = "duplicate_key",
	[IKO_SAMPLE_UNMAPPED_GAIJI] = "unmapped_gaiji",
};
_Static_assert(sizeof(defect_names) / sizeof(defect_names[0]) == IKO_SAMPLE_DEFECT_COUNT,
	       "defect_names must cover enum iko_sample_defect");

const char *iko_sample_defect_name(int kind)
{
	if (kind < 0 || kind >= IKO_SAMPLE_DEFECT_COUNT)
		return NULL;
	return defect_names[kind];
}

static uint64_t below(gen *g, uint64_t n)
{
	return iko_sample_rng_below(&g->rng, n);
}

static int chance(gen *g, unsigned per_100k)
{
	return iko_sample_rng_chance(&g->rng, per_100k);
}

static long range(gen *g, long lo, long hi)
{
	return hi <= lo ? lo : lo + (long)below(g, (uint64_t)(hi - lo + 1));
}

/* ---------------------------------------------------------------- towns */

static const char *const kanji_num[] = { "一", "二", "三", "四", "五" };

static int town_cmp(const void *x, const void *y)
{
	return strcmp(((const town *)x)->code, ((const town *)y)->code);
}

/* 20–60 町字 drawn from the built-in parts, sorted by code. */
static int make_towns(gen *g, uint64_t seed)
{
	iko_sample_rng r;
	int ncand, i, j, t, *cand = NULL, rc = 0;
	unsigned prefix;

	iko_sample_rng_seed(&r, seed);
	ncand = (int)(iko_sample_ntown_bases * 4 + iko_sample_ntown_plain);
	g->ntowns = 20 + (int)iko_sample_rng_below(&r, 41);
	cand = malloc(sizeof(*cand) * (size_t)ncand);
	g->towns = calloc((size_t)g->ntowns, sizeof(*g->towns));
	if (!cand || !g->towns) {
		rc = iko_error_set(IKO_ENOMEM, "out of memory");
		goto done;
	}
	for (i = 0; i < ncand; i++)
		cand[i] = i;
	for (i = ncand - 1; i > 0; i--) {
		j = (int)iko_sample_rng_below(&r, (uint64_t)i + 1);
		t = cand[i];
		cand[i] = cand[j];
		cand[j] = t;
	}
	for (i = 0; i < g->ntowns; i++) {
		town *w = &g->towns[i];
		int c = cand[i];

		if (c < (int)iko_sample_ntown_bases * 4) {
			w->kind = 0;
			snprintf(w->code, sizeof(w->code), "%04d%03d", (c / 4 + 1) * 10, c % 4 + 1);
			snprintf(w->name, sizeof(w->name), "%s%s丁目",
				 iko_sample_town_bases[c / 4], kanji_num[c % 4]);
		} else {
			c -= (int)iko_sample_ntown_bases * 4;
			w->kind = strncmp(iko_sample_town_plain[c], "大字", strlen("大字")) ? 2 : 1;
			snprintf(w->code, sizeof(w->code), "%04d000", 500 + c * 10);
			snprintf(w->name, sizeof(w->name), "%s", iko_sample_town_plain[c]);
		}
	}
	qsort(g->towns, (size_t)g->ntowns, sizeof(*g->towns), town_cmp);
	prefix = 100 + (unsigned)iko_sample_rng_below(&r, 900);
	for (i = 0; i < g->ntowns; i++)
		snprintf(g->towns[i].postal, sizeof(g->towns[i].postal), "%03u%04d",
			 prefix % 1000, (i + 1) * 10 + (int)iko_sample_rng_below(&r, 10));
done:
	free(cand);
	return rc;
}

/* ---------------------------------------------------------------- people */

/* Append n in full-width digits (１２３) to a fixed buffer. */
static void fw_num(char *buf, size_t size, int n)
{
	char digits[16];
	size_t used = strlen(buf);
	int i;

	snprintf(digits, sizeof(digits), "%d", n);
	for (i = 0; digits[i] && used + 4 <= size; i++, used += 3) {
		/* U+FF10 + d = EF BC 90+d */
		buf[used] = (char)0xEF;
		buf[used + 1] = (char)0xBC;
		buf[used + 2] = (char)(0x90 + (digits[i] - '0'));
		buf[used + 3] = '\0';
	}
}

static void fw_text(char *buf, size_t size, const char *s)
{
	size_t used = strlen(buf);

	snprintf(buf + used, size - used, "%s", s);
}

static void make_address(gen *g, household *h)
{
	const town *w = &g->towns[h->town];

	h->banchi[0] = h->katagaki[0] = '\0';
	if (w->kind == 2) {
		fw_num(h->banchi, sizeof(h->banchi), (int)range(g, 1, 5));
		fw_text(h->banchi, sizeof(h->banchi), "丁目");
	}
	if (w->kind == 1) {
		fw_num(h->banchi, sizeof(h->banchi), (int)range(g, 1, 3000));
		fw_text(h->banchi, sizeof(h->banchi), "番地");
		if (chance(g, 40000))
			fw_num(h->banchi, sizeof(h->banchi), (int)range(g, 1, 20));
	} else {
		fw_num(h->banchi, sizeof(h->banchi), (int)range(g, 1, 30));
		fw_text(h->banchi, sizeof(h->banchi), "番");
		fw_num(h->banchi, sizeof(h->banchi), (int)range(g, 1, 25));
		fw_text(h->banchi, sizeof(h->banchi), "号");
	}
	if (chance(g, 18000)) {
		fw_text(h->katagaki, sizeof(h->katagaki),
			iko_sample_buildings[below(g, iko_sample_nbuildings)]);
		fw_num(h->katagaki, sizeof(h->katagaki),
		       (int)range(g, 1, 8) * 100 + (int)range(g, 1, 9));
		fw_text(h->katagaki, sizeof(h->katagaki), "号");
	}
}

static const iko_sample_name *pick(gen *g, const iko_sample_name *list, size_t n)
{
	return &list[below(g, n)];
}

static const iko_sample_name *given_name(gen *g, const household *h, char sex)
{
	if (sex == 'U')
		sex = chance(g, 50000) ? 'M' : 'F';
	if (h->nat)
		return sex == 'M' ? pick(g, h->nat->male, h->nat->nmale)
				  : pick(g, h->nat->female, h->nat->nfemale);
	if (sex == 'M' && chance(g, 300))
		return pick(g, iko_sample_gaiji_given, iko_sample_ngaiji_given);
	return sex == 'M' ? pick(g, iko_sample_male, iko_sample_nmale)
			  : pick(g, iko_sample_female, iko_sample_nfemale);
}

static const iko_sample_name *family_name(gen *g, const household *h)
{
	if (h->nat)
		return pick(g, h->nat->family, h->nat->nfamily);
	if (chance(g, 500))
		return pick(g, iko_sample_gaiji_families, iko_sample_ngaiji_families);
	return pick(g, iko_sample_families, iko_sample_nfamilies);
}

/* Birth date for an age reached on the reference date. */
static long birth_for_age(gen *g, int age)
{
	long lo = iko_sample_days_from_civil(REF_Y - age - 1, REF_M + 1, 1);
	long hi = iko_sample_days_from_civil(REF_Y - age, REF_M, REF_D);

	return range(g, lo, hi);
}

/*
 * Add a person: birth, 住民となった日, 異動. removal is NULL for a current
 * resident, else the vendor 異動事由 (B1..B4) of the removal.
 */
static person *add_person(gen *g, household *h, const char *zoku, char sex, int age,
			  const iko_sample_name *family, const char *removal)
{
	person *p = &h->p[h->n++];
	int y, m, d, born_here;
	long lo, hi;

	memset(p, 0, sizeof(*p));
	if (age > 105)
		age = 105;
	if (age < 0)
		age = 0;
	p->zoku = zoku;
	p->sex = sex;
	p->family = family;
	p->given = given_name(g, h, sex);
	p->index = g->person_idx++;
	p->atena = 1000001 + p->index * 3 + (long long)below(g, 3);
	p->birth = birth_for_age(g, age);
	p->day_unknown = age >= 1 && chance(g, 1000);
	p->shien = chance(g, 300);
	p->zairyu = h->nat ? iko_sample_zairyu[below(g, iko_sample_nzairyu)] : NULL;
	born_here = !p->day_unknown && !removal && chance(g, age < 18 ? 60000 : 20000);
	if (born_here) {
		p->jumin = p->birth;
		p->jiyu = "A2";
	} else {
		iko_sample_civil_from_days(p->birth, &y, &m, &d);
		lo = p->day_unknown ? iko_sample_days_from_civil(y, m, iko_days_in_month(y, m)) + 1
				    : p->birth + 1;
		if (lo < g->floor_day)
			lo = g->floor_day;
		hi = removal ? g->ref - 30 : g->ref;
		if (lo <= hi) {
			p->jumin = range(g, lo, hi);
			p->jiyu = chance(g, 3000) ? "A3" : "A1";
		} else { /* born in the last days: only a birth record fits */
			p->jumin = p->birth;
			p->jiyu = "A2";
		}
	}
	p->ido = p->jumin;
	p->shojo = NO_DATE;
	if (removal) {
		p->shojo = range(g, p->jumin + 1, g->ref);
		p->ido = p->shojo;
		p->jiyu = removal;
		p->jotai = !strcmp(removal, "B3") ? 2 : !strcmp(removal, "B4") ? 9 : 1;
	} else if (p->jumin < g->ref && chance(g, 20000)) {
		uint64_t r = below(g, 10);

		p->ido = range(g, p->jumin + 1, g->ref);
		p->jiyu = r < 7 ? "C1" : r < 9 ? "C2" : "C3";
	}
	return p;
}

static char other_sex(char s)
{
	return s == 'M' ? 'F' : 'M';
}

static char any_sex(gen *g)
{
	if (chance(g, 50))
		return 'U';
	return chance(g, 51000) ? 'M' : 'F';
}

/* Former members removed from the register (除票), about 8% on top. */
static void add_removed(gen *g, household *h, int head_age)
{
	int k, nrem = chance(g, 15000) ? (chance(g, 15000) ? 2 : 1) : 0;

	for (k = 0; k < nrem && h->n < MAX_MEMBERS; k++) {
		uint64_t r = below(g, 100);
		char sex = chance(g, 50000) ? 'M' : 'F';

		if (r < 55)
			add_person(g, h, "04", sex, (int)range(g, 18, 45), h->family, "B1");
		else if (r < 60)
			add_person(g, h, "04", sex, (int)range(g, 18, 45), h->family, "B2");
		else if (r < 92)
			add_person(g, h, sex == 'M' ? "05" : "06", sex,
				   head_age + (int)range(g, 22, 40), h->family, "B3");
		else
			add_person(g, h, "09", sex, (int)range(g, 20, 70), family_name(g, h), "B4");
	}
}

/* Compose household number g->household_idx with `size` current members. */
static void make_household(gen *g, int size)
{
	household *h = &g->h;
	int spouse = 0, parents = 0, cohab = 0, children, head_age, i, maxc;
	char head_sex;

	h->n = 0;
	h->ncur = size;
	h->town = (int)below(g, (uint64_t)g->ntowns);
	h->setai_no = 5000000 + g->household_idx * 4 + (long long)below(g, 4);
	h->nat = chance(g, 2000)
		? &iko_sample_foreigners[below(g, iko_sample_nforeigners)] : NULL;
	h->family = family_name(g, h);
	make_address(g, h);
	if (size >= 2) {
		spouse = chance(g, size == 2 ? 78000 : 88000);
		if (size >= 4 && chance(g, 25000))
			parents = size >= 5 && chance(g, 50000) ? 2 : 1;
		cohab = chance(g, 4000);
	}
	children = size - 1 - spouse - parents - cohab;
	while (children < 0) {
		if (cohab)
			cohab = 0;
		else if (parents)
			parents--;
		else
			spouse = 0;
		children = size - 1 - spouse - parents - cohab;
	}
	if (size == 1)
		head_age = chance(g, 8000) ? (int)range(g, 85, 105) : (int)range(g, 18, 84);
	else if (children > 0)
		head_age = (int)range(g, 26, 62);
	else if (parents > 0)
		head_age = (int)range(g, 30, 62);
	else
		head_age = (int)range(g, 24, 92);
	head_sex = spouse ? (chance(g, 80000) ? 'M' : 'F') : (chance(g, 50000) ? 'M' : 'F');
	add_person(g, h, "01", head_sex, head_age, h->family, NULL);
	if (spouse)
		add_person(g, h, head_sex == 'M' ? "03" : "02", other_sex(head_sex),
			   head_age + (int)range(g, -6, 6), h->family, NULL);
	maxc = head_age - 20 < 40 ? head_age - 20 : 40;
	for (i = 0; i < children; i++)
		add_person(g, h, "04", any_sex(g), (int)range(g, 0, maxc), h->family, NULL);
	for (i = 0; i < parents; i++) {
		char s = parents == 2 ? (i ? 'F' : 'M') : (chance(g, 30000) ? 'M' : 'F');

		add_person(g, h, s == 'M' ? "05" : "06", s, head_age + (int)range(g, 22, 36),
			   h->family, NULL);
	}
	if (cohab)
		add_person(g, h, "09", any_sex(g), (int)range(g, 18, 80), family_name(g, h), NULL);
	add_removed(g, h, head_age);
}

/* Size of the next household, truncated to the residents still to make. */
static int next_size(gen *g)
{
	static const unsigned cum[6] = { 38000, 66000, 82000, 94000, 98000, 100000 };
	uint64_t r = below(g, 100000);
	long long left = g->o->residents - g->cur;
	int s = 1;

	while (s < 6 && r >= cum[s - 1])
		s++;
	return left < s ? (int)left : s;
}

/* ---------------------------------------------------------------- encoding */

/*
 * Convert UTF-8 s to CP932 into buf (size bytes); *outlen gets the length.
 * No //TRANSLIT: a character CP932 lacks is a generator bug. The message
 * names the field, never the text (it may be personal data).
 */
static int to_cp932(gen *g, const char *s, size_t len, char *buf, size_t size,
		    size_t *outlen, const char *field)
{
	char *in = (char *)s, *outp = buf;
	size_t inleft = len, outleft = size;

	iconv(g->cd, NULL, NULL, NULL, NULL);
	if (iconv(g->cd, &in, &inleft, &outp, &outleft) == (size_t)-1) {
		if (errno == E2BIG)
			return iko_error_set(IKO_ECONV, "sample: %s does not fit in %zu bytes",
					     field, size);
		return iko_error_set(IKO_ECONV, "sample: %s cannot be encoded in CP932", field);
	}
	*outlen = size - outleft;
	return 0;
}

/* Single-byte field: ASCII or half-width text, padded with spaces. */
static int put_x(gen *g, size_t off, size_t len, const char *s, const char *field)
{
	char buf[64];
	size_t n;
	int rc;

	if ((rc = to_cp932(g, s, strlen(s), buf, len < sizeof(buf) ? len : sizeof(buf),
			   &n, field)))
		return rc;
	memcpy(g->rec + off, buf, n);
	memset(g->rec + off + n, ' ', len - n);
	return 0;
}

/* Double-byte field: padded with 0x8140, an odd last byte with 0x20. */
static int put_n(gen *g, size_t off, size_t len, const char *s, const char *field)
{
	char buf[64];
	size_t n;
	int rc;

	if ((rc = to_cp932(g, s, strlen(s), buf, len < sizeof(buf) ? len : sizeof(buf),
			   &n, field)))
		return rc;
	memcpy(g->rec + off, buf, n);
	for (; n + 2 <= len; n += 2) {
		g->rec[off + n] = 0x81;
		g->rec[off + n + 1] = 0x40;
	}
	if (n < len)
		g->rec[off + n] = ' ';
	return 0;
}

static int put_date(gen *g, size_t off, long day, int unknown_day, const char *field)
{
	char ymd[8];
	int y, m, d;

	if (day == NO_DATE) {
		memcpy(g->rec + off, "0000000", 7);
		return 0;
	}
	iko_sample_civil_from_days(day, &y, &m, &d);
	if (iko_sample_era_encode(ymd, y, m, unknown_day ? 0 : d))
		return iko_error_set(IKO_ERROR, "sample: %s: no era for a generated date", field);
	memcpy(g->rec + off, ymd, 7);
	return 0;
}

static void put_num(gen *g, size_t off, size_t len, long long v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%0*lld", (int)len, v);
	memcpy(g->rec + off, buf, len);
}

const char *iko_sample_zoku_text(const char *zoku)
{
	static const char *const t[] = { "", "世帯主", "夫", "妻", "子", "父", "母", "", "",
					 "同居人" };
	int i = (zoku[0] - '0') * 10 + (zoku[1] - '0');

	return i >= 0 && i <= 9 ? t[i] : "";
}

/* Fill g->rec with the JUMIN.DAT record of p. */
static int build_jumin(gen *g, const household *h, const person *p)
{
	const town *w = &g->towns[h->town];
	char kojin[13];
	int rc;

	memset(g->rec, ' ', JUMIN_LEN);
	g->rec[JUMIN_LEN] = '\r';
	g->rec[JUMIN_LEN + 1] = '\n';
	g->rec[0] = '1';
	put_num(g, 1, 10, p->atena);
	put_num(g, 11, 10, h->setai_no);
	g->rec[21] = h->nat ? '2' : '1';
	g->rec[22] = (unsigned char)('0' + p->jotai);
	iko_buf_clear(&g->u8);
	iko_buf_clear(&g->hw);
	if ((rc = iko_buf_printf(&g->u8, "%s %s", p->family->kana, p->given->kana)) ||
	    (rc = iko_sample_kana_halfwidth(&g->hw, iko_buf_cstr(&g->u8))) ||
	    (rc = put_x(g, 23, 40, iko_buf_cstr(&g->hw), "SHIMEI_KANA")))
		return rc;
	iko_buf_clear(&g->u8);
	if ((rc = iko_buf_printf(&g->u8, "%s　%s", p->family->kanji, p->given->kanji)) ||
	    (rc = put_n(g, 63, 40, iko_buf_cstr(&g->u8), "SHIMEI")))
		return rc;
	g->rec[103] = (unsigned char)p->sex;
	if ((rc = put_date(g, 104, p->birth, p->day_unknown, "SEINENGAPPI")))
		return rc;
	memcpy(g->rec + 111, p->zoku, 2);
	if ((rc = put_n(g, 113, 20, iko_sample_zoku_text(p->zoku), "ZOKUGARA_MEI")) ||
	    (rc = put_date(g, 133, p->jumin, 0, "JUMIN_BI")) ||
	    (rc = put_date(g, 140, p->ido, 0, "IDO_BI")))
		return rc;
	memcpy(g->rec + 147, p->jiyu, 2);
	if ((rc = put_date(g, 149, p->shojo, 0, "SHOJO_BI")))
		return rc;
	memcpy(g->rec + 156, w->code, 7);
	if ((rc = put_n(g, 163, 30, h->banchi, "BANCHI")) ||
	    (rc = put_n(g, 193, 40, h->katagaki, "KATAGAKI")))
		return rc;
	memcpy(g->rec + 233, w->postal, 7);
	memcpy(g->rec + 240, g->o->lg_code, 5);
	iko_sample_my_number(kojin, (uint64_t)p->index, g->salt);
	memcpy(g->rec + 245, kojin, 12);
	if (h->nat) {
		memcpy(g->rec + 257, h->nat->kokuseki, 3);
		memcpy(g->rec + 260, p->zairyu, 2);
	}
	g->rec[262] = p->shien ? '1' : '0';
	return 0;
}

/* ---------------------------------------------------------------- defects */

/* Change exactly one field of g->rec; returns the field's name. */
static const char *plant(gen *g, int kind, const household *h, const person *p)
{
	iko_sample_rng *r = &g->irng;
	unsigned char *rec = g->rec;
	char buf[16];
	uint64_t v;

	switch (kind) {
	case IKO_SAMPLE_INVALID_DATE:
		v = iko_sample_rng_below(r, 3);
		if (v == 0)
			memcpy(rec + 107, "13", 2);           /* month 13 */
		else if (v == 1)
			memcpy(rec + 107, "0230", 4);         /* 2月30日 */
		else
			memcpy(rec + 104, "3640108", 7);      /* 昭和64年1月8日 */
		return "SEINENGAPPI";
	case IKO_SAMPLE_BAD_MY_NUMBER:
		v = 1 + iko_sample_rng_below(r, 9);
		rec[256] = (unsigned char)('0' + (rec[256] - '0' + (int)v) % 10);
		return "KOJIN_NO";
	case IKO_SAMPLE_UNKNOWN_CODE:
		/* A head keeps 続柄 01 so the household still has its head. */
		v = iko_sample_rng_below(r, strcmp(p->zoku, "01") ? 3 : 2);
		if (v == 0) {
			rec[103] = 'Z';
			return "SEIBETSU";
		}
		if (v == 1) {
			memcpy(rec + 147, "Z9", 2);
			return "IDO_JIYU";
		}
		memcpy(rec + 111, "X9", 2);
		return "ZOKUGARA";
	case IKO_SAMPLE_ORPHAN_MEMBER:
		/* Real 世帯番号 stay below 9,000,000,000. */
		snprintf(buf, sizeof(buf), "99%08llu",
			 (unsigned long long)iko_sample_rng_below(r, 100000000));
		memcpy(rec + 11, buf, 10);
		return "SETAI_NO";
	case IKO_SAMPLE_TWO_HEADS:
		memcpy(rec + 111, "01", 2);
		return "ZOKUGARA";
	case IKO_SAMPLE_DUPLICATE_KEY:
		put_num(g, 1, 10, h->p[0].atena);
		return "ATENA_NO";
	default: /* IKO_SAMPLE_UNMAPPED_GAIJI: F0A0..F0AF, none in GAIJI.CSV */
		rec[63] = 0xF0;
		rec[64] = (unsigned char)(0xA0 + iko_sample_rng_below(r, 16));
		return "SHIMEI";
	}
}

/* The defect planned for the current resident p, or -1. */
int iko_sample_planned_defect(gen *g, const person *p)
{
	int kind = -1;

	if (strcmp(p->zoku, "01")) {
		if (g->a.next < g->a.n && g->a.pos[g->a.next] == g->a.ord)
			kind = g->a.kind[g->a.next++];
		g->a.ord++;
	}
	if (kind < 0) {
		if (g->b.next < g->b.n && g->b.pos[g->b.next] == g->b.ord)
			kind = g->b.kind[g->b.next++];
		g->b.ord++;
	}
	return kind;
}

/* Spread k defects over a pool of size n, kinds cycling through kinds[]. */
static int make_plan(plan *pl, iko_sample_rng *r, long long k, long long n,
		     const int *kinds, int nkinds)
{
	long long i, lo, hi;

	pl->n = k;
	pl->next = pl->ord = 0;
	if (k == 0)
		return 0;
	pl->pos = malloc(sizeof(*pl->pos) * (size_t)k);
	pl->kind = malloc(sizeof(*pl->kind) * (size_t)k);
	if (!pl->pos || !pl->kind)
		return iko_error_set(IKO_ENOMEM, "out of memory");
	for (i = 0; i < k; i++) {
		lo = i * n / k;
		hi = (i + 1) * n / k;
		pl->pos[i] = lo + (long long)iko_sample_rng_below(r, (uint64_t)(hi - lo));
		pl->kind[i] = kinds[i % nkinds];
	}
	return 0;
}

/* ---------------------------------------------------------------- writing */

int iko_sample_write_rec(iko_afile *f, const void *rec, size_t len)
{
	if (fwrite(rec, 1, len, iko_afile_fp(f)) != len)
		return iko_error_set_errno(IKO_EIO, "cannot write %s", iko_afile_tmppath(f));
	return 0;
}

int iko_sample_write_injected(gen *g, const char *file, long long record, const char *atena,
			      int kind, const char *field)
{
	int rc;

	if ((rc = iko_csv_write_str(g->inj, file)) ||
	    (rc = iko_csv_write_ll(g->inj, record)) ||
	    (rc = iko_csv_write_str(g->inj, atena)) ||
	    (rc = iko_csv_write_str(g->inj, field)) ||
	    (rc = iko_csv_write_str(g->inj, defect_names[kind])) ||
	    (rc = iko_csv_end_row(g->inj)))
		return rc;
	g->injected[kind]++;
	return 0;
}

static int write_injected(gen *g, int kind, const char *field)
{
	char atena[11];

	memcpy(atena, g->rec + 1, 10);
	atena[10] = '\0';
	return iko_sample_write_injected(g, "JUMIN.DAT", g->jumin_rec, atena, kind, field);
}

/* Count the written record g->rec in the old system's totals. */
static void count_record(gen *g, town *w)
{
	char sex = (char)g->rec[103];

	if (g->rec[22] == '0') {
		w->cur_all++;
		w->cur_m += sex == 'M';
		w->cur_f += sex == 'F';
	} else {
		g->removed_all++;
		g->removed_m += sex == 'M';
		g->removed_f += sex == 'F';
	}
}

static int write_household_a(gen *g)
{
	household *h = &g->h;
	town *w = &g->towns[h->town];
	unsigned char srec[SETAI_LEN + 2];
	int i, kind, rc;


	for (i = 0; i < h->n; i++) {
		person *p = &h->p[i];
		const char *field = NULL;

		if ((rc = build_jumin(g, h, p)))
			return rc;
		g->jumin_rec++;
		kind = p->jotai == 0 ? iko_sample_planned_defect(g, p) : -1;
		if (kind >= 0)
			field = plant(g, kind, h, p);
		if ((rc = iko_sample_write_rec(g->jumin, g->rec, JUMIN_LEN + 2)))
			return rc;
		if (field && (rc = write_injected(g, kind, field)))
			return rc;
		count_record(g, w);
	}
	memset(srec, ' ', SETAI_LEN);
	srec[SETAI_LEN] = '\r';
	srec[SETAI_LEN + 1] = '\n';
	srec[0] = '1';
	snprintf((char *)g->rec, sizeof(g->rec), "%010lld%010lld%03d%s", h->setai_no,
		 h->p[0].atena, h->ncur, w->code);
	memcpy(srec + 1, g->rec, 10 + 10 + 3 + 7);
	if ((rc = iko_sample_write_rec(g->setai, srec, SETAI_LEN + 2)))
		return rc;
	g->setai_rec++;
	w->households++;
	return 0;
}

static int write_household(gen *g)
{
	int rc = g->vendor == 'A' ? write_household_a(g) : iko_sample_host_household(g);

	return rc ? rc : iko_sample_tax_household(g);
}

/*
 * One pass over the whole population. The dry pass (g->writing == 0) only
 * counts the current non-heads, which the defect plan needs.
 */
static int run_pass(gen *g)
{
	const iko_sample_options *o = g->o;
	int rc;

	iko_sample_rng_seed(&g->rng, g->data_seed);
	g->person_idx = g->household_idx = g->cur = g->removed = g->nonheads = 0;
	g->next_progress = PROGRESS_EVERY;
	while (g->cur < o->residents) {
		make_household(g, next_size(g));
		g->cur += g->h.ncur;
		g->removed += g->h.n - g->h.ncur;
		g->nonheads += g->h.ncur - 1;
		g->household_idx++;
		if (g->writing && (rc = write_household(g)))
			return rc;
		if (g->writing && o->progress && g->cur >= g->next_progress) {
			o->progress("sample", g->cur, o->residents, o->payload);
			g->next_progress += PROGRESS_EVERY;
		}
	}
	return 0;
}

/* One TOUKEI.CSV row, UTF-8 in g->u8, written as CP932 + CRLF. */
static int toukei_line(gen *g, iko_afile *f)
{
	char buf[512];
	size_t n;
	int rc;

	if ((rc = to_cp932(g, g->u8.ptr, g->u8.len, buf, sizeof(buf) - 2, &n, "TOUKEI.CSV")))
		return rc;
	buf[n++] = '\r';
	buf[n++] = '\n';
	iko_buf_clear(&g->u8);
	return iko_sample_write_rec(f, buf, n);
}

static int write_toukei(gen *g, const char *path, long long *rows)
{
	iko_afile *f = NULL;
	long long m = 0, fe = 0, all = 0;
	int i, pass, rc;

	if ((rc = iko_afile_open(&f, path, 0644)))
		goto done;
	iko_buf_clear(&g->u8);
	if ((rc = iko_buf_puts(&g->u8, "集計区分,町字コード,町字名,男,女,計")) ||
	    (rc = toukei_line(g, f)))
		goto done;
	for (pass = 1; pass <= 2; pass++) {
		for (i = 0; i < g->ntowns; i++) {
			const town *w = &g->towns[i];

			if (pass == 1) {
				rc = iko_buf_printf(&g->u8, "01,%s,", w->code);
				rc = rc ? rc : iko_csv_escape(&g->u8, w->name, strlen(w->name), ',');
				rc = rc ? rc : iko_buf_printf(&g->u8, ",%lld,%lld,%lld", w->cur_m,
							      w->cur_f, w->cur_all);
				m += w->cur_m;
				fe += w->cur_f;
				all += w->cur_all;
			} else {
				rc = iko_buf_printf(&g->u8, "02,%s,", w->code);
				rc = rc ? rc : iko_csv_escape(&g->u8, w->name, strlen(w->name), ',');
				rc = rc ? rc : iko_buf_printf(&g->u8, ",,,%lld", w->households);
			}
			if (rc || (rc = toukei_line(g, f)))
				goto done;
			(*rows)++;
		}
	}
	if ((rc = iko_buf_printf(&g->u8, "03,,,%lld,%lld,%lld", g->removed_m, g->removed_f,
				 g->removed_all)) ||
	    (rc = toukei_line(g, f)) ||
	    (rc = iko_buf_printf(&g->u8, "99,,")) ||
	    (rc = iko_csv_escape(&g->u8, g->o->name, strlen(g->o->name), ',')) ||
	    (rc = iko_buf_printf(&g->u8, ",%lld,%lld,%lld", m, fe, all)) ||
	    (rc = toukei_line(g, f)))
		goto done;
	*rows += 2;
	rc = iko_afile_commit(f);
done:
	iko_afile_free(f);
	return rc;
}

static int write_gaiji(const char *path)
{
	iko_csv_writer *w = NULL;
	static const char *const header[] = { "code", "unicode", "mj", "note" };
	size_t i;
	int rc;

	if ((rc = iko_csv_writer_open(&w, path, 0644)) ||
	    (rc = iko_csv_write_row(w, header, 4)))
		goto done;
	for (i = 0; i < iko_sample_ngaiji; i++) {
		const iko_sample_gaiji *e = &iko_sample_gaiji_table[i];
		const char *row[4] = { e->code, e->unicode, e->mj, e->note };

		if ((rc = iko_csv_write_row(w, row, 4)))
			goto done;
	}
	rc = iko_csv_writer_commit(w);
done:
	iko_csv_writer_free(w);
	return rc;
}

/* ---------------------------------------------------------------- driver */

#define NFILES 8

static int check_options(const iko_sample_options *o)
{
	if (!o->vendor || (strcmp(o->vendor, "A") && strcmp(o->vendor, "B") && strcmp(o->vendor, "C")))
		return iko_error_set(IKO_EINVAL, "vendor %s is not supported (supported: A, B, C)",
				     o->vendor ? o->vendor : "(none)");
	if (!o->lg_code || !iko_lg_code_valid(o->lg_code, strlen(o->lg_code)))
		return iko_error_set(IKO_EINVAL,
				     "--lg-code %s: not a 6-digit 団体コード with a valid check digit",
				     o->lg_code ? o->lg_code : "(none)");
	if (o->residents < 1 || o->residents > IKO_SAMPLE_MAX_RESIDENTS)
		return iko_error_set(IKO_EINVAL, "--residents %lld: must be 1..%lld", o->residents,
				     IKO_SAMPLE_MAX_RESIDENTS);
	if (o->inject < 0)
		return iko_error_set(IKO_EINVAL, "--inject %lld: must be 0 or more", o->inject);
	if (!o->name || !*o->name)
		return iko_error_set(IKO_EINVAL, "--name: must not be empty");
	if (!o->out || !*o->out)
		return iko_error_set(IKO_EINVAL, "--out: missing output directory");
	return 0;
}

/* Dry pass, then the defect plan over the two pools of current residents. */
static int prepare_plan(gen *g, uint64_t inj_seed)
{
	static const int kinds_a[] = { IKO_SAMPLE_ORPHAN_MEMBER, IKO_SAMPLE_TWO_HEADS,
				       IKO_SAMPLE_DUPLICATE_KEY };
	static const int kinds_b[] = { IKO_SAMPLE_INVALID_DATE, IKO_SAMPLE_BAD_MY_NUMBER,
				       IKO_SAMPLE_UNKNOWN_CODE, IKO_SAMPLE_UNMAPPED_GAIJI };
	long long n = g->o->inject, max;
	iko_sample_rng r;
	int rc;

	g->writing = 0;
	if ((rc = run_pass(g)))
		return rc;
	max = g->nonheads / 3 < g->o->residents / 7 ? g->nonheads / 3 : g->o->residents / 7;
	if (n > max)
		return iko_error_set(IKO_EINVAL,
				     "--inject %lld: too many defects for %lld residents "
				     "(at most %lld per kind)", n, g->o->residents, max);
	iko_sample_rng_seed(&r, inj_seed);
	if ((rc = make_plan(&g->a, &r, 3 * n, g->nonheads, kinds_a, 3)) ||
	    (rc = make_plan(&g->b, &r, 4 * n, g->o->residents - 3 * n, kinds_b, 4)))
		return rc;
	return 0;
}

static int open_outputs(gen *g, char **paths)
{
	int rc;

	if ((rc = iko_mkdir_p(g->o->out, 0)) ||
	    (rc = iko_afile_open(&g->jumin, paths[0], 0600)) ||
	    (rc = iko_afile_open(&g->setai, paths[1], 0600)))
		return rc;
	if (g->o->inject > 0) {
		static const char *const header[] = { "file", "record", "atena_no", "field", "kind" };

		if ((rc = iko_csv_writer_open(&g->inj, paths[4], 0600)) ||
		    (rc = iko_csv_write_row(g->inj, header, 5)))
			return rc;
	}
	return 0;
}

static void fill_result(iko_sample_result *out, const gen *g)
{
	int k;

	out->residents_current = g->cur;
	out->residents_removed = g->removed;
	out->households = g->setai_rec;
	out->gaiji_codes = (long long)iko_sample_ngaiji;
	out->towns = g->ntowns;
	out->tax_kojin = g->tax_kojin;
	out->tax_kotei = g->tax_kotei;
	for (k = 0; k < IKO_SAMPLE_DEFECT_COUNT; k++) {
		out->injected[k] = g->injected[k];
		out->injected_rows += g->injected[k];
	}
}

int iko_sample_generate(iko_sample_result *out, const iko_sample_options *opts)
{
	/* Vendor B has no 統計表: its totals are the trailer records. */
	static const char *const names[3][NFILES] = {
		{ "JUMIN.DAT", "SETAI.DAT", "TOUKEI.CSV", "GAIJI.CSV", "injected.csv",
		  "KOJIN.DAT", "KOTEI.DAT", "ZEI_TOUKEI.CSV" },
		{ "JUMIN.DAT", "SETAI.DAT", "TOUKEI.CSV", "GAIJI.CSV", "injected.csv",
		  "KOJINZEI.DAT", "KOTEIZEI.DAT", "ZEI_TOUKEI.CSV" },
		{ "JUMIN.DAT", "SETAI.DAT", "TOUKEI.DAT", "GAIJI.CSV", "injected.csv",
		  "KOJIN.DAT", "KOTEI.DAT", "ZEI_TOUKEI.CSV" },
	};
	iko_sample_result res;
	char *paths[NFILES] = { NULL };
	uint64_t st = opts ? opts->seed : 0, towns_seed, inj_seed;
	gen *g = NULL;
	int i, rc;

	memset(&res, 0, sizeof(res));
	if (out)
		memset(out, 0, sizeof(*out));
	if (!opts)
		return iko_error_set(IKO_EINVAL, "sample: no options");
	if ((rc = check_options(opts)))
		return rc;
	g = calloc(1, sizeof(*g));
	if (!g)
		return iko_error_set(IKO_ENOMEM, "out of memory");
	g->o = opts;
	g->cd = (iconv_t)-1;
	g->vendor = opts->vendor[0];
	towns_seed = iko_sample_splitmix64(&st);
	g->data_seed = iko_sample_splitmix64(&st);
	inj_seed = iko_sample_splitmix64(&st);
	g->salt = iko_sample_splitmix64(&st);
	iko_sample_rng_seed(&g->irng, iko_sample_splitmix64(&st));
	g->tax_seed = iko_sample_splitmix64(&st);
	g->ref = iko_sample_days_from_civil(REF_Y, REF_M, REF_D);
	g->floor_day = iko_sample_days_from_civil(1952, 1, 1);
	for (i = 0; i < NFILES; i++)
		if (!(paths[i] = iko_path_join(opts->out, names[g->vendor - 'A'][i]))) {
			rc = iko_error_set(IKO_ENOMEM, "out of memory");
			goto done;
		}
	g->cd = iconv_open("CP932", "UTF-8");
	if (g->cd == (iconv_t)-1) {
		rc = iko_error_set_errno(IKO_ECONV, "sample: iconv_open(CP932, UTF-8)");
		goto done;
	}
	if (g->vendor != 'A' && (rc = iko_sample_host_open(g)))
		goto done;
	if ((rc = make_towns(g, towns_seed)))
		goto done;
	if (opts->inject > 0 && (rc = prepare_plan(g, inj_seed)))
		goto done;
	if ((rc = open_outputs(g, paths)) || (rc = iko_sample_tax_open(g, paths[5], paths[6])))
		goto done;
	g->writing = 1;
	if ((g->vendor != 'A' && (rc = iko_sample_host_begin(g))) || (rc = run_pass(g)) ||
	    (g->vendor != 'A' && (rc = iko_sample_host_end(g))))
		goto done;
	if (g->vendor == 'A')
		rc = write_toukei(g, paths[2], &res.toukei_rows);
	else if (g->vendor == 'C')
		rc = iko_sample_host_toukei(g, paths[2], &res.toukei_rows);
	if (rc)
		goto done;
	if ((rc = iko_sample_tax_finish(g, paths[7], &res.tax_toukei_rows)))
		goto done;
	if ((rc = g->vendor == 'A' ? write_gaiji(paths[3]) : iko_sample_host_gaiji(g, paths[3])) ||
	    (rc = iko_afile_commit(g->jumin)) ||
	    (rc = iko_afile_commit(g->setai)) ||
	    (g->inj && (rc = iko_csv_writer_commit(g->inj))))
		goto done;
	/* A clean run must not leave a previous run's defect list beside it. */
	if (!g->inj && unlink(paths[4]) && errno != ENOENT) {
		rc = iko_error_set_errno(IKO_EIO, "cannot remove %s", paths[4]);
		goto done;
	}
	fill_result(&res, g);
	if (opts->progress)
		opts->progress("sample", g->cur, opts->residents, opts->payload);
	if (out)
		*out = res;
done:
	iko_sample_host_close(g);
	iko_sample_tax_close(g);
	if (g->cd != (iconv_t)-1)
		iconv_close(g->cd);
	iko_csv_writer_free(g->inj);
	iko_afile_free(g->setai);
	iko_afile_free(g->jumin);
	free(g->a.pos);
	free(g->a.kind);
	free(g->b.pos);
	free(g->b.kind);
	free(g->towns);
	iko_buf_release(&g->u8);
	iko_buf_release(&g->hw);
	for (i = 0; i < NFILES; i++)
		free(paths[i]);
	free(g);
	return rc;
}
