/*
 * sample_host.c — vendors B and C of the sample generator: the same
 * population as vendor A (same seed ⇒ the same people), written the way
 * host systems write it.
 *
 * Vendor B, an IBM-compatible host (CCSID 930; docs/vendor-b.md):
 * JUMIN.DAT (LRECL 300) and SETAI.DAT (LRECL 80), fixed length without
 * separators, each a header 'H', details 'D' and a trailer 'T' with the
 * record count and hash totals; names in PIC N (DBCS without SO/SI),
 * addresses mixed (SO 0x0E / SI 0x0F), numbers in COMP-3, dates packed
 * (birth 和暦 GYYMMDD, the others YYYYMMDD), gaiji in the IBM user-defined
 * area (0x69xx).
 *
 * Vendor C, a Fujitsu host (JEF; docs/vendor-c.md): JUMIN.DAT and SETAI.DAT
 * variable blocked (BDW + RDW, BLKSIZE 8192), mixed fields with KI 0x28 /
 * KO 0x29, kanji at their JIS C 6226-1978 code points, gaiji in the JEF
 * user area (0x80A1…), dates as era letter + YYMMDD, the address lines as
 * OCCURS 1 TO 2 DEPENDING ON, and the 統計表 TOUKEI.DAT (80-byte records).
 *
 * The bytes are made independently of extract's decoders: glibc iconv
 * (IBM930 for EBCDIC text, EUC-JP for JIS X 0208 rows and cells) and the
 * published list of the 22 kanji pairs JIS X 0208-1983 swapped, written
 * here as characters.
 */
#include "sample_gen.h"

#include "iko_error.h"
#include "iko_utf8.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define B_JUMIN_LEN 300
#define B_SETAI_LEN 80
#define C_BLKSIZE 8192
#define C_TOUKEI_LEN 80
#define GAIJI_BASE 0xE000u     /* model: U+E000+n is gaiji n of the table */
#define GAIJI_UNMAPPED 0xE100u /* U+E100+k: a user-area code not in the table */
#define SET(dst, src) snprintf((dst), sizeof(dst), "%s", (src))

/* A variable-blocked output file. */
typedef struct vbfile {
	iko_afile **f;
	unsigned char blk[C_BLKSIZE];
	size_t len;
} vbfile;

typedef struct host_enc {
	int jef;
	iconv_t ibm;               /* UTF-8 → IBM930 */
	iconv_t euc;               /* UTF-8 → EUC-JP (JEF) */
	unsigned char swap[44][2]; /* JEF: EUC codes of the 22 swapped pairs */
	unsigned char swap_to[44][2];
	iko_buf out, run, conv;
	unsigned char rec[HOST_REC_MAX];
	vbfile vj, vs;
	long long genju, shojo;    /* B trailer: current and removed details */
} host_enc;

/* The 22 pairs JIS X 0208-1983 exchanged against JIS C 6226-1978. */
static const char *const jis78_pairs[22][2] = {
	{ "鯵", "鰺" }, { "鴬", "鶯" }, { "蛎", "蠣" }, { "撹", "攪" }, { "竃", "竈" },
	{ "潅", "灌" }, { "諌", "諫" }, { "頚", "頸" }, { "砿", "礦" }, { "蕊", "蘂" },
	{ "靭", "靱" }, { "賎", "賤" }, { "壷", "壺" }, { "砺", "礪" }, { "梼", "檮" },
	{ "涛", "濤" }, { "迩", "邇" }, { "蝿", "蠅" }, { "桧", "檜" }, { "侭", "儘" },
	{ "薮", "藪" }, { "篭", "籠" },
};

/* ---------------------------------------------------------------- encoders */

static int iconv_all(iconv_t cd, iko_buf *out, const char *s, size_t n, const char *field)
{
	char *in = (char *)s;
	size_t inleft = n;
	int rc;

	iconv(cd, NULL, NULL, NULL, NULL);
	while (inleft) {
		char *op;
		size_t room, before;
		if ((rc = iko_buf_grow(out, inleft * 4 + 16)))
			return rc;
		op = out->ptr + out->len;
		room = before = out->cap - out->len - 1;
		if (iconv(cd, &in, &inleft, &op, &room) == (size_t)-1 && errno != E2BIG)
			return iko_error_set(IKO_ECONV, "sample: %s cannot be encoded", field);
		out->len += before - room;
	}
	/* flush the shift state (IBM930 closes an open SO run here) */
	{
		char *op;
		size_t room, before;
		if ((rc = iko_buf_grow(out, 16)))
			return rc;
		op = out->ptr + out->len;
		room = before = out->cap - out->len - 1;
		if (iconv(cd, NULL, NULL, &op, &room) == (size_t)-1)
			return iko_error_set(IKO_ECONV, "sample: %s cannot be encoded", field);
		out->len += before - room;
	}
	return 0;
}

/* A run of DBCS characters (no gaiji) as bare double-byte codes. */
static int dbcs_run(host_enc *e, const char *s, size_t n, const char *field)
{
	const unsigned char *p;
	size_t i, k;
	int rc;

	if (!n)
		return 0;
	iko_buf_clear(&e->conv);
	if ((rc = iconv_all(e->jef ? e->euc : e->ibm, &e->conv, s, n, field)))
		return rc;
	p = (const unsigned char *)e->conv.ptr;
	if (!e->jef) {
		/* IBM930 wraps DBCS in SO … SI: keep what is between */
		if (e->conv.len < 4 || p[0] != 0x0E || p[e->conv.len - 1] != 0x0F ||
		    memchr(p + 1, 0x0E, e->conv.len - 2) || memchr(p + 1, 0x0F, e->conv.len - 2))
			return iko_error_set(IKO_ECONV, "sample: %s: not a DBCS-only run", field);
		return iko_buf_put(&e->out, p + 1, e->conv.len - 2);
	}
	if (e->conv.len % 2)
		return iko_error_set(IKO_ECONV, "sample: %s: not JIS X 0208", field);
	for (i = 0; i < e->conv.len; i += 2) {
		unsigned char pair[2] = { p[i], p[i + 1] };
		if (pair[0] < 0xA1 || pair[1] < 0xA1)
			return iko_error_set(IKO_ECONV, "sample: %s: not JIS X 0208", field);
		for (k = 0; k < 44; k++)
			if (!memcmp(pair, e->swap[k], 2)) {
				memcpy(pair, e->swap_to[k], 2);
				break;
			}
		if ((rc = iko_buf_put(&e->out, pair, 2)))
			return rc;
	}
	return 0;
}

static int gaiji_code(host_enc *e, uint32_t cp, const char *field)
{
	unsigned n = cp - GAIJI_BASE;
	unsigned char b[2];

	if (n >= 0x200 || (n & 0xFF) >= 94)
		return iko_error_set(IKO_ECONV, "sample: %s: gaiji index out of range", field);
	if (e->jef) {
		b[0] = (unsigned char)(0x80 + (n >> 8));
		b[1] = (unsigned char)(0xA1 + (n & 0xFF));
	} else {
		b[0] = (unsigned char)(0x69 + (n >> 8));
		b[1] = (unsigned char)(0x41 + (n & 0xFF));
	}
	return iko_buf_put(&e->out, b, 2);
}

static int is_sbcs(uint32_t cp)
{
	return cp < 0x80 || (cp >= 0xFF61 && cp <= 0xFF9F);
}

/*
 * Encode UTF-8 s into dst[0..len): mixed (SBCS plus shifted DBCS runs) or
 * DBCS only (PIC N); padded with the SBCS space 0x40 or the DBCS space.
 */
static int enc_text(host_enc *e, unsigned char *dst, size_t len, const char *s, int dbcs_only,
		    const char *field)
{
	static const unsigned char so[2] = { 0x0E, 0x28 }, si[2] = { 0x0F, 0x29 };
	size_t n = strlen(s), i = 0, run_start = 0, k;
	int in_dbcs = 0, rc = 0, l;
	uint32_t cp;

	iko_buf_clear(&e->out);
	while (i < n) {
		if ((l = iko_utf8_decode(s + i, n - i, &cp)) < 0)
			return iko_error_set(IKO_ECONV, "sample: %s: invalid UTF-8", field);
		if (is_sbcs(cp)) {
			if (dbcs_only)
				return iko_error_set(IKO_ECONV, "sample: %s: SBCS text in a DBCS field", field);
			if (in_dbcs && (rc = iko_buf_putc(&e->out, (char)si[e->jef])))
				return rc;
			in_dbcs = 0;
			for (run_start = i; i < n; i += (size_t)l) {
				if ((l = iko_utf8_decode(s + i, n - i, &cp)) < 0 || !is_sbcs(cp))
					break;
			}
			iko_buf_clear(&e->conv);
			if ((rc = iconv_all(e->ibm, &e->conv, s + run_start, i - run_start, field)))
				return rc;
			if (memchr(e->conv.ptr, 0x0E, e->conv.len))
				return iko_error_set(IKO_ECONV, "sample: %s: SBCS run became DBCS", field);
			if ((rc = iko_buf_put(&e->out, e->conv.ptr, e->conv.len)))
				return rc;
			continue;
		}
		if (!in_dbcs && !dbcs_only && (rc = iko_buf_putc(&e->out, (char)so[e->jef])))
			return rc;
		in_dbcs = 1;
		if (cp >= GAIJI_BASE && cp < GAIJI_BASE + 0x200) {
			if ((rc = gaiji_code(e, cp, field)))
				return rc;
			i += (size_t)l;
			continue;
		}
		for (run_start = i; i < n; i += (size_t)l) {
			if ((l = iko_utf8_decode(s + i, n - i, &cp)) < 0 || is_sbcs(cp) ||
			    (cp >= GAIJI_BASE && cp < GAIJI_BASE + 0x200))
				break;
		}
		if ((rc = dbcs_run(e, s + run_start, i - run_start, field)))
			return rc;
	}
	if (in_dbcs && !dbcs_only && (rc = iko_buf_putc(&e->out, (char)si[e->jef])))
		return rc;
	if (e->out.len > len)
		return iko_error_set(IKO_ECONV, "sample: %s does not fit in %zu bytes", field, len);
	memcpy(dst, e->out.ptr, e->out.len);
	for (k = e->out.len; dbcs_only && k + 2 <= len; k += 2) {
		dst[k] = e->jef ? 0xA1 : 0x40;
		dst[k + 1] = e->jef ? 0xA1 : 0x40;
	}
	for (; k < len; k++)
		dst[k] = 0x40;
	return 0;
}

/* EBCDIC zoned digits (unsigned: zone F). v >= 0. */
static void enc_zoned(unsigned char *dst, size_t len, long long v)
{
	size_t i;

	for (i = len; i-- > 0; v /= 10)
		dst[i] = (unsigned char)(0xF0 + v % 10);
}

/* Packed decimal of len bytes: 2*len-1 digits and the sign nibble. */
static void enc_packed(unsigned char *dst, size_t len, long long v, unsigned sign)
{
	size_t i;
	unsigned d;

	dst[len - 1] = (unsigned char)((v % 10) << 4 | sign);
	v /= 10;
	for (i = len - 1; i-- > 0;) {
		d = (unsigned)(v % 10);
		v /= 10;
		dst[i] = (unsigned char)(d | (unsigned)(v % 10) << 4);
		v /= 10;
	}
}

/* ASCII digits/letters as EBCDIC (IBM930 SBCS), padded with 0x40. */
static int enc_x(host_enc *e, unsigned char *dst, size_t len, const char *s, const char *field)
{
	return enc_text(e, dst, len, s, 0, field);
}

/* ---------------------------------------------------------------- values */

/* One resident as the vendor writes it (strings, before encoding). */
typedef struct hvals {
	char atena[16], setai[16], sbt[2], jotai[2], sex[2];
	char birth[9], jumin_bi[9], ido_bi[9], shojo_bi[9];
	char zoku[4], jiyu[3], kojin[13], kokuseki[4], zairyu[3], shien[2];
	char kana[128], name[160];
	const char *zoku_mei;
} hvals;

static const char *code_of(const char *const (*map)[2], const char *a)
{
	for (; (*map)[0]; map++)
		if (!strcmp((*map)[0], a))
			return (*map)[1];
	return "??";
}

static const char *const b_zoku[][2] = {
	{ "01", "001" }, { "02", "010" }, { "03", "011" }, { "04", "020" }, { "05", "031" },
	{ "06", "032" }, { "09", "090" }, { NULL, NULL } };
static const char *const c_zoku[][2] = {
	{ "01", "10" }, { "02", "21" }, { "03", "22" }, { "04", "30" }, { "05", "41" },
	{ "06", "42" }, { "09", "90" }, { NULL, NULL } };
static const char *const b_jiyu[][2] = {
	{ "A1", "11" }, { "A2", "12" }, { "A3", "13" }, { "B1", "21" }, { "B2", "22" },
	{ "B3", "23" }, { "B4", "24" }, { "C1", "31" }, { "C2", "32" }, { "C3", "33" },
	{ NULL, NULL } };
static const char *const c_jiyu[][2] = {
	{ "A1", "01" }, { "A2", "02" }, { "A3", "03" }, { "B1", "11" }, { "B2", "12" },
	{ "B3", "13" }, { "B4", "14" }, { "C1", "21" }, { "C2", "22" }, { "C3", "23" },
	{ NULL, NULL } };

/* B: 和暦 GYYMMDD digits, "0000000" for none; C: era letter + YYMMDD, "" for none. */
static int era_text(gen *g, char out[9], long day, int unknown_day, const char *field)
{
	static const char letters[] = "?MTSHR";
	int y, m, d;

	if (day == NO_DATE) {
		snprintf(out, 9, "%s", g->vendor == 'B' ? "0000000" : "");
		return 0;
	}
	iko_sample_civil_from_days(day, &y, &m, &d);
	if (iko_sample_era_encode(out, y, m, unknown_day ? 0 : d))
		return iko_error_set(IKO_ERROR, "sample: %s: no era for a generated date", field);
	if (g->vendor == 'C')
		out[0] = letters[out[0] - '0'];
	return 0;
}

/* B: YYYYMMDD, "0" for none; C: as era_text. */
static int date_text(gen *g, char out[9], long day, const char *field)
{
	int y, m, d;

	if (g->vendor == 'C')
		return era_text(g, out, day, 0, field);
	if (day == NO_DATE) {
		snprintf(out, 9, "0");
		return 0;
	}
	iko_sample_civil_from_days(day, &y, &m, &d);
	snprintf(out, 9, "%04u%02u%02u", (unsigned)y % 10000u, (unsigned)m % 100u, (unsigned)d % 100u);
	return 0;
}

static int make_vals(gen *g, hvals *v, const household *h, const person *p)
{
	int b = g->vendor == 'B', rc;
	const char *sx = p->sex == 'M' ? "1" : p->sex == 'F' ? "2" : b ? "3" : "9";

	snprintf(v->atena, sizeof(v->atena), "%010lld", p->atena);
	snprintf(v->setai, sizeof(v->setai), "%010lld", h->setai_no);
	SET(v->sbt, h->nat ? "2" : "1");
	if (b)
		snprintf(v->jotai, sizeof(v->jotai), "%d", p->jotai == 0 ? 1 : p->jotai == 1 ? 2
							   : p->jotai == 2 ? 3 : 9);
	else
		snprintf(v->jotai, sizeof(v->jotai), "%d", p->jotai);
	SET(v->sex, sx);
	if ((rc = era_text(g, v->birth, p->birth, p->day_unknown, "birth date")) ||
	    (rc = date_text(g, v->jumin_bi, p->jumin, "JUMIN_BI")) ||
	    (rc = date_text(g, v->ido_bi, p->ido, "IDO_BI")) ||
	    (rc = date_text(g, v->shojo_bi, p->shojo, "SHOJO_BI")))
		return rc;
	snprintf(v->zoku, sizeof(v->zoku), "%s", code_of(b ? b_zoku : c_zoku, p->zoku));
	snprintf(v->jiyu, sizeof(v->jiyu), "%s", code_of(b ? b_jiyu : c_jiyu, p->jiyu));
	iko_sample_my_number(v->kojin, (uint64_t)p->index, g->salt);
	snprintf(v->kokuseki, sizeof(v->kokuseki), "%s", h->nat ? h->nat->kokuseki : "");
	snprintf(v->zairyu, sizeof(v->zairyu), "%s", h->nat ? p->zairyu : "");
	SET(v->shien, p->shien ? "1" : "0");
	iko_buf_clear(&g->u8);
	iko_buf_clear(&g->hw);
	if ((rc = iko_buf_printf(&g->u8, "%s %s", p->family->kana, p->given->kana)) ||
	    (rc = iko_sample_kana_halfwidth(&g->hw, iko_buf_cstr(&g->u8))))
		return rc;
	snprintf(v->kana, sizeof(v->kana), "%s", iko_buf_cstr(&g->hw));
	snprintf(v->name, sizeof(v->name), "%s　%s", p->family->kanji, p->given->kanji);
	v->zoku_mei = iko_sample_zoku_text(p->zoku);
	return 0;
}

/* Change exactly one value of v; returns the vendor field's name. */
static const char *plant(gen *g, int kind, hvals *v, const household *h, const person *p)
{
	iko_sample_rng *r = &g->irng;
	int b = g->vendor == 'B';
	uint64_t x;

	switch (kind) {
	case IKO_SAMPLE_INVALID_DATE:
		x = iko_sample_rng_below(r, 3);
		if (x == 0)
			memcpy(v->birth + 3, "13", 2);        /* month 13 */
		else if (x == 1)
			memcpy(v->birth + 3, "0230", 4);      /* 2月30日 */
		else
			SET(v->birth, b ? "3640108" : "S640108"); /* 昭和64年1月8日 */
		return b ? "JB-SEINENGAPPI" : "JC-SEINENGAPPI";
	case IKO_SAMPLE_BAD_MY_NUMBER:
		x = 1 + iko_sample_rng_below(r, 9);
		v->kojin[11] = (char)('0' + (v->kojin[11] - '0' + (int)x) % 10);
		return b ? "JB-KOJIN-NO" : "JC-KOJIN-NO";
	case IKO_SAMPLE_UNKNOWN_CODE:
		x = iko_sample_rng_below(r, strcmp(p->zoku, "01") ? 3 : 2);
		if (x == 0) {
			SET(v->sex, "7");
			return b ? "JB-SEIBETSU" : "JC-SEIBETSU";
		}
		if (x == 1) {
			SET(v->jiyu, "99");
			return b ? "JB-IDO-JIYU" : "JC-IDO-JIYU";
		}
		SET(v->zoku, b ? "999" : "99");
		return b ? "JB-ZOKUGARA" : "JC-ZOKUGARA";
	case IKO_SAMPLE_ORPHAN_MEMBER:
		snprintf(v->setai, sizeof(v->setai), "99%08llu",
			 (unsigned long long)iko_sample_rng_below(r, 100000000));
		return b ? "JB-SETAI-NO" : "JC-SETAI-NO";
	case IKO_SAMPLE_TWO_HEADS:
		SET(v->zoku, b ? "001" : "10");
		return b ? "JB-ZOKUGARA" : "JC-ZOKUGARA";
	case IKO_SAMPLE_DUPLICATE_KEY:
		snprintf(v->atena, sizeof(v->atena), "%010lld", h->p[0].atena);
		return b ? "JB-ATENA-NO" : "JC-ATENA-NO";
	default: { /* IKO_SAMPLE_UNMAPPED_GAIJI: a user-area code outside GAIJI.CSV */
		iko_buf t = IKO_BUF_INIT;
		uint32_t cp;
		int l = iko_utf8_decode(v->name, strlen(v->name), &cp);
		if (l > 0 && !iko_utf8_put(&t, GAIJI_UNMAPPED + (uint32_t)iko_sample_rng_below(r, 16)) &&
		    !iko_buf_puts(&t, v->name + l))
			snprintf(v->name, sizeof(v->name), "%s", iko_buf_cstr(&t));
		iko_buf_release(&t);
		return b ? "JB-SHIMEI" : "JC-SHIMEI";
	}
	}
}

/* Count the written resident in the old system's totals. */
static void count_vals(gen *g, const hvals *v, town *w)
{
	int cur = g->vendor == 'B' ? !strcmp(v->jotai, "1") : !strcmp(v->jotai, "0");
	int m = !strcmp(v->sex, "1"), f = !strcmp(v->sex, "2");

	if (cur) {
		w->cur_all++;
		w->cur_m += m;
		w->cur_f += f;
		g->host->genju++;
	} else {
		g->removed_all++;
		g->removed_m += m;
		g->removed_f += f;
		g->host->shojo++;
	}
	g->hash_atena += strtoll(v->atena, NULL, 10);
}

/* ---------------------------------------------------------------- vendor B */

static int b_packed_date(unsigned char *dst, size_t len, const char *s)
{
	enc_packed(dst, len, strtoll(s, NULL, 10), 0x0F);
	return 0;
}

static int b_jumin(gen *g, const household *h, const hvals *v)
{
	host_enc *e = g->host;
	unsigned char *r = e->rec;
	const town *w = &g->towns[h->town];
	int rc;

	memset(r, 0x40, B_JUMIN_LEN);
	r[0] = 0xC4; /* 'D' */
	enc_packed(r + 1, 6, strtoll(v->atena, NULL, 10), 0x0C);
	enc_packed(r + 7, 6, strtoll(v->setai, NULL, 10), 0x0C);
	if ((rc = enc_x(e, r + 13, 1, v->sbt, "JB-JUMIN-SBT")) ||
	    (rc = enc_x(e, r + 14, 1, v->jotai, "JB-JUMIN-JOTAI")) ||
	    (rc = enc_text(e, r + 15, 40, v->kana, 0, "JB-SHIMEI-KANA")) ||
	    (rc = enc_text(e, r + 55, 40, v->name, 1, "JB-SHIMEI")) ||
	    (rc = enc_x(e, r + 95, 1, v->sex, "JB-SEIBETSU")) ||
	    (rc = b_packed_date(r + 96, 4, v->birth)) ||
	    (rc = enc_x(e, r + 100, 3, v->zoku, "JB-ZOKUGARA")) ||
	    (rc = enc_text(e, r + 103, 20, v->zoku_mei, 1, "JB-ZOKUGARA-MEI")) ||
	    (rc = b_packed_date(r + 123, 5, v->jumin_bi)) ||
	    (rc = b_packed_date(r + 128, 5, v->ido_bi)) ||
	    (rc = enc_x(e, r + 133, 2, v->jiyu, "JB-IDO-JIYU")) ||
	    (rc = b_packed_date(r + 135, 5, v->shojo_bi)))
		return rc;
	enc_zoned(r + 140, 7, strtoll(w->code, NULL, 10));
	if ((rc = enc_text(e, r + 147, 40, h->banchi, 0, "JB-BANCHI")) ||
	    (rc = enc_text(e, r + 187, 50, h->katagaki, 0, "JB-KATAGAKI")) ||
	    (rc = enc_x(e, r + 237, 7, w->postal, "JB-YUBIN-NO")) ||
	    (rc = enc_x(e, r + 244, 6, g->o->lg_code, "JB-DANTAI-CD")))
		return rc;
	enc_zoned(r + 250, 12, strtoll(v->kojin, NULL, 10));
	if ((rc = enc_x(e, r + 262, 3, v->kokuseki, "JB-KOKUSEKI")) ||
	    (rc = enc_x(e, r + 265, 2, v->zairyu, "JB-ZAIRYU-CD")) ||
	    (rc = enc_x(e, r + 267, 1, v->shien, "JB-SHIEN-KBN")))
		return rc;
	return iko_sample_write_rec(g->jumin, r, B_JUMIN_LEN);
}

static int b_header(gen *g, iko_afile *f, size_t len)
{
	host_enc *e = g->host;
	unsigned char *r = e->rec;
	int rc;

	memset(r, 0x40, len);
	r[0] = 0xC8; /* 'H' */
	if ((rc = enc_x(e, r + 1, 6, g->o->lg_code, "JB-LG-CODE")))
		return rc;
	enc_zoned(r + 7, 8, REF_Y * 10000 + REF_M * 100 + REF_D);
	if ((rc = enc_x(e, r + 15, 8, "JUKIHOST", "JB-SYSTEM-ID")))
		return rc;
	return iko_sample_write_rec(f, r, len);
}

/* ---------------------------------------------------------------- vendor C */

static int vb_flush(vbfile *v)
{
	int rc;

	if (!v->len)
		return 0;
	v->blk[0] = (unsigned char)(v->len >> 8);
	v->blk[1] = (unsigned char)v->len;
	v->blk[2] = v->blk[3] = 0;
	rc = iko_sample_write_rec(*v->f, v->blk, v->len);
	v->len = 0;
	return rc;
}

static int vb_put(vbfile *v, const unsigned char *rec, size_t n)
{
	int rc;

	if (v->len && v->len + 4 + n > C_BLKSIZE && (rc = vb_flush(v)))
		return rc;
	if (!v->len)
		v->len = 4;
	v->blk[v->len] = (unsigned char)((n + 4) >> 8);
	v->blk[v->len + 1] = (unsigned char)(n + 4);
	v->blk[v->len + 2] = v->blk[v->len + 3] = 0;
	memcpy(v->blk + v->len + 4, rec, n);
	v->len += 4 + n;
	return 0;
}

static int c_jumin(gen *g, const household *h, const hvals *v)
{
	host_enc *e = g->host;
	unsigned char *r = e->rec;
	const town *w = &g->towns[h->town];
	int lines = h->katagaki[0] ? 2 : 1, rc;
	char shi[6];

	memcpy(shi, g->o->lg_code, 5);
	shi[5] = '\0';
	if ((rc = enc_x(e, r, 10, v->atena, "JC-ATENA-NO")) ||
	    (rc = enc_x(e, r + 10, 10, v->setai, "JC-SETAI-NO")) ||
	    (rc = enc_x(e, r + 20, 1, v->sbt, "JC-JUMIN-SBT")) ||
	    (rc = enc_x(e, r + 21, 1, v->jotai, "JC-JUMIN-JOTAI")) ||
	    (rc = enc_text(e, r + 22, 40, v->kana, 0, "JC-SHIMEI-KANA")) ||
	    (rc = enc_text(e, r + 62, 44, v->name, 0, "JC-SHIMEI")) ||
	    (rc = enc_x(e, r + 106, 1, v->sex, "JC-SEIBETSU")) ||
	    (rc = enc_x(e, r + 107, 7, v->birth, "JC-SEINENGAPPI")) ||
	    (rc = enc_x(e, r + 114, 2, v->zoku, "JC-ZOKUGARA")) ||
	    (rc = enc_text(e, r + 116, 22, v->zoku_mei, 0, "JC-ZOKUGARA-MEI")) ||
	    (rc = enc_x(e, r + 138, 7, v->jumin_bi, "JC-JUMIN-BI")) ||
	    (rc = enc_x(e, r + 145, 7, v->ido_bi, "JC-IDO-BI")) ||
	    (rc = enc_x(e, r + 152, 2, v->jiyu, "JC-IDO-JIYU")) ||
	    (rc = enc_x(e, r + 154, 7, v->shojo_bi, "JC-SHOJO-BI")))
		return rc;
	enc_zoned(r + 161, 7, strtoll(w->code, NULL, 10));
	if ((rc = enc_x(e, r + 168, 7, w->postal, "JC-YUBIN-NO")) ||
	    (rc = enc_x(e, r + 175, 5, shi, "JC-SHI-CD")) ||
	    (rc = enc_x(e, r + 180, 12, v->kojin, "JC-KOJIN-NO")) ||
	    (rc = enc_x(e, r + 192, 3, v->kokuseki, "JC-KOKUSEKI")) ||
	    (rc = enc_x(e, r + 195, 2, v->zairyu, "JC-ZAIRYU-CD")) ||
	    (rc = enc_x(e, r + 197, 1, v->shien, "JC-SHIEN-KBN")))
		return rc;
	enc_zoned(r + 198, 1, lines);
	if ((rc = enc_text(e, r + 199, 62, h->banchi, 0, "JC-JUSHO")) ||
	    (lines == 2 && (rc = enc_text(e, r + 261, 62, h->katagaki, 0, "JC-JUSHO"))))
		return rc;
	return vb_put(&e->vj, r, lines == 2 ? 323 : 261);
}

/* ---------------------------------------------------------------- driver */

int iko_sample_host_household(gen *g)
{
	household *h = &g->h;
	town *w = &g->towns[h->town];
	host_enc *e = g->host;
	hvals v;
	int i, kind, rc;

	for (i = 0; i < h->n; i++) {
		person *p = &h->p[i];
		const char *field = NULL;

		if ((rc = make_vals(g, &v, h, p)))
			return rc;
		g->jumin_rec++;
		kind = p->jotai == 0 ? iko_sample_planned_defect(g, p) : -1;
		if (kind >= 0)
			field = plant(g, kind, &v, h, p);
		if ((rc = g->vendor == 'B' ? b_jumin(g, h, &v) : c_jumin(g, h, &v)))
			return rc;
		/* vendor B: the header is record 1 */
		if (field && (rc = iko_sample_write_injected(g, "JUMIN.DAT",
							     g->jumin_rec + (g->vendor == 'B'),
							     v.atena, kind, field)))
			return rc;
		count_vals(g, &v, w);
	}
	memset(e->rec, 0x40, B_SETAI_LEN);
	if (g->vendor == 'B') {
		e->rec[0] = 0xC4;
		enc_packed(e->rec + 1, 6, h->setai_no, 0x0C);
		enc_packed(e->rec + 7, 6, h->p[0].atena, 0x0C);
		enc_zoned(e->rec + 13, 3, h->ncur);
		enc_zoned(e->rec + 16, 7, strtoll(w->code, NULL, 10));
		rc = iko_sample_write_rec(g->setai, e->rec, B_SETAI_LEN);
	} else {
		enc_zoned(e->rec, 10, h->setai_no);
		enc_zoned(e->rec + 10, 10, h->p[0].atena);
		enc_zoned(e->rec + 20, 3, h->ncur);
		enc_zoned(e->rec + 23, 7, strtoll(w->code, NULL, 10));
		rc = vb_put(&e->vs, e->rec, 30);
	}
	if (rc)
		return rc;
	g->setai_rec++;
	g->hash_members += h->ncur;
	w->households++;
	return 0;
}

int iko_sample_host_begin(gen *g)
{
	int rc;

	g->host->vj.f = &g->jumin;
	g->host->vs.f = &g->setai;
	if (g->vendor != 'B')
		return 0;
	if ((rc = b_header(g, g->jumin, B_JUMIN_LEN)))
		return rc;
	return b_header(g, g->setai, B_SETAI_LEN);
}

int iko_sample_host_end(gen *g)
{
	host_enc *e = g->host;
	unsigned char *r = e->rec;
	int rc;

	if (g->vendor == 'C') {
		if ((rc = vb_flush(&e->vj)))
			return rc;
		return vb_flush(&e->vs);
	}
	memset(r, 0x40, B_JUMIN_LEN);
	r[0] = 0xE3; /* 'T' */
	enc_zoned(r + 1, 9, g->jumin_rec);
	enc_zoned(r + 10, 9, e->genju);
	enc_zoned(r + 19, 9, e->shojo);
	enc_packed(r + 28, 8, g->hash_atena, 0x0C);
	if ((rc = iko_sample_write_rec(g->jumin, r, B_JUMIN_LEN)))
		return rc;
	memset(r, 0x40, B_SETAI_LEN);
	r[0] = 0xE3;
	enc_zoned(r + 1, 9, g->setai_rec);
	enc_packed(r + 10, 6, g->hash_members, 0x0C);
	return iko_sample_write_rec(g->setai, r, B_SETAI_LEN);
}

static int toukei_rec(gen *g, iko_afile *f, const char *kbn, const char *code, const char *name,
		      long long m, long long fe, long long all)
{
	host_enc *e = g->host;
	unsigned char *r = e->rec;
	int rc;

	memset(r, 0x40, C_TOUKEI_LEN);
	if ((rc = enc_x(e, r, 2, kbn, "JC-SHUKEI-KBN")) ||
	    (rc = enc_x(e, r + 2, 7, code, "JC-CHOAZA-CD")) ||
	    (rc = enc_text(e, r + 9, 42, name, 0, "JC-CHOAZA-MEI")))
		return rc;
	enc_zoned(r + 51, 7, m);
	enc_zoned(r + 58, 7, fe);
	enc_zoned(r + 65, 8, all);
	return iko_sample_write_rec(f, r, C_TOUKEI_LEN);
}

int iko_sample_host_toukei(gen *g, const char *path, long long *rows)
{
	iko_afile *f = NULL;
	long long m = 0, fe = 0, all = 0;
	int i, rc;

	if ((rc = iko_afile_open(&f, path, 0644)))
		goto done;
	for (i = 0; i < g->ntowns; i++) {
		const town *w = &g->towns[i];
		if ((rc = toukei_rec(g, f, "01", w->code, w->name, w->cur_m, w->cur_f, w->cur_all)))
			goto done;
		m += w->cur_m;
		fe += w->cur_f;
		all += w->cur_all;
	}
	for (i = 0; i < g->ntowns; i++) {
		const town *w = &g->towns[i];
		if ((rc = toukei_rec(g, f, "02", w->code, w->name, 0, 0, w->households)))
			goto done;
	}
	if ((rc = toukei_rec(g, f, "03", "", "", g->removed_m, g->removed_f, g->removed_all)) ||
	    (rc = toukei_rec(g, f, "99", "", g->o->name, m, fe, all)))
		goto done;
	*rows = 2LL * g->ntowns + 2;
	rc = iko_afile_commit(f);
done:
	iko_afile_free(f);
	return rc;
}

int iko_sample_host_gaiji(gen *g, const char *path)
{
	iko_csv_writer *w = NULL;
	static const char *const header[] = { "code", "unicode", "mj", "note" };
	size_t i;
	int rc;

	if ((rc = iko_csv_writer_open(&w, path, 0644)) || (rc = iko_csv_write_row(w, header, 4)))
		goto done;
	for (i = 0; i < iko_sample_ngaiji; i++) {
		const iko_sample_gaiji *x = &iko_sample_gaiji_table[i];
		/* the table's CP932 code F040+n names gaiji n (n < 63 here) */
		unsigned n = (unsigned)strtoul(x->code, NULL, 16) - 0xF040u;
		char code[8];
		const char *row[4];

		snprintf(code, sizeof(code), "%02X%02X", g->vendor == 'B' ? 0x69 : 0x80,
			 (g->vendor == 'B' ? 0x41 : 0xA1) + (n & 0x3F));
		row[0] = code;
		row[1] = x->unicode;
		row[2] = x->mj;
		row[3] = x->note;
		if ((rc = iko_csv_write_row(w, row, 4)))
			goto done;
	}
	rc = iko_csv_writer_commit(w);
done:
	iko_csv_writer_free(w);
	return rc;
}

int iko_sample_host_open(gen *g)
{
	host_enc *e = calloc(1, sizeof(*e));
	size_t i, k;
	int rc;

	if (!e)
		return iko_error_set(IKO_ENOMEM, "out of memory");
	g->host = e;
	e->jef = g->vendor == 'C';
	e->euc = (iconv_t)-1;
	e->ibm = iconv_open("IBM930", "UTF-8");
	if (e->ibm == (iconv_t)-1)
		return iko_error_set_errno(IKO_ECONV, "sample: iconv_open(IBM930, UTF-8)");
	if (!e->jef)
		return 0;
	e->euc = iconv_open("EUC-JP", "UTF-8");
	if (e->euc == (iconv_t)-1)
		return iko_error_set_errno(IKO_ECONV, "sample: iconv_open(EUC-JP, UTF-8)");
	/* JEF keeps the 1978 assignment: each of a swapped pair sits at the other's code */
	for (i = 0; i < 22; i++) {
		unsigned char c[2][2];
		for (k = 0; k < 2; k++) {
			iko_buf_clear(&e->conv);
			if ((rc = iconv_all(e->euc, &e->conv, jis78_pairs[i][k], strlen(jis78_pairs[i][k]),
					    "JIS78 table")))
				return rc;
			if (e->conv.len != 2)
				return iko_error_set(IKO_ECONV, "sample: JIS78 pair %zu is not in EUC-JP", i);
			memcpy(c[k], e->conv.ptr, 2);
		}
		memcpy(e->swap[2 * i], c[0], 2);
		memcpy(e->swap_to[2 * i], c[1], 2);
		memcpy(e->swap[2 * i + 1], c[1], 2);
		memcpy(e->swap_to[2 * i + 1], c[0], 2);
	}
	return 0;
}

void iko_sample_host_close(gen *g)
{
	host_enc *e = g->host;

	if (!e)
		return;
	if (e->ibm != (iconv_t)-1)
		iconv_close(e->ibm);
	if (e->euc != (iconv_t)-1)
		iconv_close(e->euc);
	iko_buf_release(&e->out);
	iko_buf_release(&e->run);
	iko_buf_release(&e->conv);
	free(e);
	g->host = NULL;
}
