/*
 * iko_codec.c — codec backends for extract (see iko_codec.h).
 */
#include "iko_codec.h"

#include "iko_buf.h"
#include "iko_csv.h"
#include "iko_error.h"
#include "iko_strmap.h"
#include "iko_utf8.h"
#include "iko_words.h"

#include <iconv.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct codec_ops {
	const char *name;
	/* Called once by iko_codec_open(); mandatory. Sets up descriptors. */
	int (*open)(iko_codec *c, const char *enc);
	/*
	 * Called per field; mandatory. 0, 1 invalid, <0 error. rtrim: the
	 * caller trims the trailing spaces (U+0020, U+3000) from the text, so
	 * a backend may leave a run of them that ends the field undecoded.
	 */
	int (*decode)(iko_codec *c, iko_buf *out, const unsigned char *s, size_t len, int dbcs_only, int rtrim);
} codec_ops;

struct iko_codec {
	const codec_ops *ops;
	iconv_t cd;                   /* encoding (or its single-byte part) → UTF-8 */
	iconv_t euc;                  /* EUC-JP → UTF-8 for the DBCS part of JEF/KEIS/JIPS(E) */
	int ebcdic;
	unsigned char ki[2], ko[2];   /* kanji in / out shift codes */
	size_t shift_len;
	unsigned udc_lo, udc_hi;      /* lead bytes of the user-defined area, 0 = none */
	int jis78;                    /* JEF: JIS C 6226-1978 code assignment */
	int jipse;
	unsigned char jipse_inv[256]; /* JIPS(E): EBCDIC byte → JIS byte, 0 = invalid */
	iko_strmap *gaiji;            /* 2 legacy bytes → UTF-8 (entry->value) */
	iko_strmap *unmapped;         /* 2 legacy bytes → count */
	long long n_mapped, n_unmapped;
	iko_buf pend;                 /* pending DBCS bytes to convert */
	const uint32_t *sjis;         /* sjis: 2-byte code → UTF-8 (low 3 bytes) | length << 24 */
	const uint32_t *sjis1;        /* sjis: single bytes, same packing; 0 = invalid */
	struct ebc_tables *ebc;       /* ebcdic, shift (single bytes): glibc's converter as tables (below) */
	struct euc_tables *euct;      /* shift: EUC-JP's pairs as a table (below) */
};

/* IKO_CODEC_TABLES=0 (tests): every run through iconv, to compare the tables with */
static int tables_wanted(void)
{
	const char *e = getenv("IKO_CODEC_TABLES");

	return !(e && !strcmp(e, "0"));
}

/* ---- helpers ----------------------------------------------------------------- */

/*
 * Append one table entry: UTF-8 in the low 3 bytes, its length << 24.
 * The caller made room for 4 bytes (the 4th is overwritten later).
 */
static void put_packed(iko_buf *out, uint32_t v)
{
	memcpy(out->ptr + out->len, &v, 4);
	out->len += v >> 24;
}

/* Append iconv(cd, s) to out. 0 ok, 1 invalid bytes. */
static int conv(iconv_t cd, iko_buf *out, const unsigned char *s, size_t len)
{
	char *ip = (char *)s, *op;
	size_t il = len, ol;

	if (!len)
		return 0;
	if (iko_buf_grow(out, len * 4 + 8))
		return IKO_ENOMEM;
	op = out->ptr + out->len;
	ol = out->cap - out->len - 1;
	iconv(cd, NULL, NULL, NULL, NULL);
	if (iconv(cd, &ip, &il, &op, &ol) == (size_t)-1 || iconv(cd, NULL, NULL, &op, &ol) == (size_t)-1)
		return 1;
	out->len = (size_t)(op - out->ptr);
	out->ptr[out->len] = '\0';
	return 0;
}

/* A user-defined character: the gaiji table's Unicode, or 〓 counted. */
static int put_gaiji(iko_codec *c, iko_buf *out, const unsigned char *two)
{
	iko_strmap_entry *e = iko_strmap_get(c->gaiji, (const char *)two, 2);
	int rc;

	if (e) {
		c->n_mapped++;
		return iko_buf_puts(out, e->value);
	}
	c->n_unmapped++;
	if ((rc = iko_strmap_upsert(c->unmapped, (const char *)two, 2, &e)))
		return rc;
	e->a++;
	return iko_buf_puts(out, "\xe3\x80\x93");
}

/* ---- sjis: CP932 / SHIFT_JIS ------------------------------------------------------ */

/* Pack the UTF-8 of one iconv-converted code, or 0 when it does not convert. */
static uint32_t table_entry(iconv_t cd, const unsigned char *in, size_t n)
{
	char out[8], *ip = (char *)in, *op = out;
	size_t il = n, ol = sizeof(out), len;
	uint32_t v = 0;

	iconv(cd, NULL, NULL, NULL, NULL);
	if (iconv(cd, &ip, &il, &op, &ol) == (size_t)-1 || il)
		return 0;
	len = (size_t)(op - out);
	if (len == 0 || len > 3)
		return 0;
	memcpy(&v, out, len);
	return v | (uint32_t)len << 24;
}

/*
 * The decoding tables, built once per encoding for the whole process from
 * glibc's converter, so decoding is a table lookup per character instead of
 * an iconv call per field. Building one takes about 9,500 iconv calls and
 * 256 KiB; an extract opens a codec per decoding thread (three), and a
 * rehearsal one per input, so they share it (read-only once built; kept
 * until the process exits).
 */
typedef struct sjis_tables {
	uint32_t *two;                /* 2-byte code → packed UTF-8, as iko_codec.sjis */
	uint32_t one[256];            /* as iko_codec.sjis1 */
} sjis_tables;

static pthread_mutex_t sjis_mu = PTHREAD_MUTEX_INITIALIZER;
static sjis_tables sjis_cache[2]; /* [0] CP932, [1] SHIFT_JIS */

/* The tables of codec c's converter (cache slot k), built on first use; NULL out of memory. */
static const sjis_tables *sjis_tables_of(const iko_codec *c, int k)
{
	sjis_tables *t = &sjis_cache[k];
	unsigned b1, b2;

	pthread_mutex_lock(&sjis_mu);
	if (!t->two && (t->two = calloc(65536, sizeof(uint32_t))) != NULL) {
		for (b1 = 0; b1 < 256; b1++) {
			unsigned char in[2] = { (unsigned char)b1, 0 };
			int lead = (b1 >= 0x81 && b1 <= 0x9F) || (b1 >= 0xE0 && b1 <= 0xFC);
			if (!lead) {
				t->one[b1] = table_entry(c->cd, in, 1);
				continue;
			}
			if (b1 >= c->udc_lo && b1 <= c->udc_hi)
				continue;
			for (b2 = 0x40; b2 <= 0xFC; b2++) {
				in[1] = (unsigned char)b2;
				t->two[b1 << 8 | b2] = table_entry(c->cd, in, 2);
			}
		}
	}
	pthread_mutex_unlock(&sjis_mu);
	return t->two ? t : NULL;
}

static int sjis_open(iko_codec *c, const char *enc)
{
	/* pick() sends the names of these two here, in any case */
	int cp932 = !strcasecmp(enc, "CP932") || !strcasecmp(enc, "MS932") || !strcasecmp(enc, "WINDOWS-31J");
	const sjis_tables *t;

	c->cd = iconv_open("UTF-8", cp932 ? "CP932" : "SHIFT_JIS");
	c->udc_lo = 0xF0;
	c->udc_hi = 0xF9;
	if (c->cd == (iconv_t)-1)
		return IKO_EINVAL;
	if (!(t = sjis_tables_of(c, cp932 ? 0 : 1)))
		return IKO_ENOMEM;
	c->sjis = t->two;
	c->sjis1 = t->one;
	return 0;
}

/*
 * How many bytes from s on are spaces, ASCII (0x20) or ideographic (0x81
 * 0x40), taken as whole characters from a character boundary.
 */
static size_t sjis_spaces(const unsigned char *s, size_t n)
{
	static const unsigned char wide[8] = { 0x81, 0x40, 0x81, 0x40, 0x81, 0x40, 0x81, 0x40 };
	size_t i = 0;

	for (;;) {
		while (n - i >= 8 && !memcmp(s + i, wide, 8))
			i += 8; /* four ideographic spaces (memcmp of 8 is one compare) */
		if (i < n && s[i] == 0x20)
			i++;
		else if (i + 1 < n && s[i] == 0x81 && s[i + 1] == 0x40)
			i += 2;
		else
			return i;
	}
}

/*
 * rtrim: the caller trims trailing spaces from the text (a fixed field's
 * padding), so a run of spaces that goes to the end of the field is not
 * decoded. Found from a character boundary on the way forward, so a 0x81
 * 0x40 that is a trail byte and an '@' is never taken for one. Every run
 * is looked at once (spaced) and decoded as usual when something follows.
 */
static int sjis_decode(iko_codec *c, iko_buf *out, const unsigned char *s, size_t len, int dbcs_only, int rtrim)
{
	size_t i = 0, spaced = 0, n;
	int rc;

	(void)dbcs_only;
	if (iko_buf_grow(out, len * 3 + 4))
		return IKO_ENOMEM;
	while (i < len) {
		unsigned b = s[i];
		uint32_t v;
		if (b < 0x80) {
			/* ASCII (digits, codes, dates): eight bytes at a time while none has bit 7 */
			uint64_t w;
			while (len - i >= 8) {
				memcpy(&w, s + i, 8);
				if (iko_word_at_least(w, 0x80))
					break;
				memcpy(out->ptr + out->len, &w, 8);
				out->len += 8;
				i += 8;
			}
			if (len - i >= 4 && len - i < 8) {
				/* 4 to 7 left (a date, a short code): two 4-byte words, the second
				 * overlapping the first, where all of them are ASCII */
				uint32_t a, z;
				size_t r = len - i;
				memcpy(&a, s + i, 4);
				memcpy(&z, s + len - 4, 4);
				if (!((a | z) & 0x80808080u)) {
					memcpy(out->ptr + out->len, &a, 4);
					memcpy(out->ptr + out->len + r - 4, &z, 4);
					out->len += r;
					i = len;
					continue;
				}
			}
			while (i < len && s[i] < 0x80)
				out->ptr[out->len++] = (char)s[i++];
			continue;
		}
		if ((b >= 0x81 && b <= 0x9F) || (b >= 0xE0 && b <= 0xFC)) {
			if (i + 1 >= len)
				return 1; /* a lead byte cut off at the end of the field */
			if (b == 0x81 && s[i + 1] == 0x40 && rtrim && i >= spaced) {
				if (i + (n = sjis_spaces(s + i, len - i)) == len)
					break; /* padding to the end */
				spaced = i + n;
			}
			if (b >= c->udc_lo && b <= c->udc_hi) {
				if (s[i + 1] < 0x40 || s[i + 1] == 0x7F || s[i + 1] > 0xFC)
					return 1;
				out->ptr[out->len] = '\0';
				if ((rc = put_gaiji(c, out, s + i)))
					return rc;
				if (iko_buf_grow(out, (len - i) * 3 + 4))
					return IKO_ENOMEM;
				i += 2;
				continue;
			}
			v = c->sjis[b << 8 | s[i + 1]];
			i += 2;
		} else {
			v = c->sjis1[b];
			i++;
		}
		if (!v)
			return 1;
		/* room: every input byte makes at most 3 (grown above, and after
		 * each gaiji for the rest) */
		put_packed(out, v);
	}
	out->ptr[out->len] = '\0';
	return 0;
}

/* ---- ebcdic: IBM930 / 939 / 1390 / 1399 -------------------------------------------- */

/*
 * glibc's converter as tables, as for CP932 above: a single-byte code, or a
 * DBCS pair (as SO pair SI), converted once by iconv and kept — then
 * decoding is a lookup per character instead of an iconv call per run of
 * them (iconv was half of a vendor B extract's CPU). Both parts of these
 * encodings are stateless between SO and SI, so a run converts as its
 * characters one by one. An entry of 0 is a code that does not convert to
 * one character of at most 3 UTF-8 bytes (invalid, or in IBM1390/1399 a
 * character beyond the BMP or a pair of them): iconv converts it alone,
 * so the result is glibc's either way. The pairs are built a lead byte at
 * a time, when one is first met (256 iconv calls), so a small file pays
 * for the rows it uses; shared by every codec of the encoding in the
 * process, read without a lock once a row is marked built.
 */
typedef struct ebc_tables {
	pthread_mutex_t mu;
	int one_built;                /* under mu; one[] read only after the codec's open */
	uint32_t one[256];            /* SBCS byte → packed UTF-8 (as iko_codec.sjis) */
	uint32_t *two;                /* lead << 8 | trail → packed UTF-8 */
	unsigned char built[256];     /* per lead byte: its row of two[] is built (atomic) */
} ebc_tables;

static ebc_tables ebc_cache[4] = {
	{ PTHREAD_MUTEX_INITIALIZER, 0, { 0 }, NULL, { 0 } }, { PTHREAD_MUTEX_INITIALIZER, 0, { 0 }, NULL, { 0 } },
	{ PTHREAD_MUTEX_INITIALIZER, 0, { 0 }, NULL, { 0 } }, { PTHREAD_MUTEX_INITIALIZER, 0, { 0 }, NULL, { 0 } },
};

/* The row of lead byte b1 of c's pair table, built now if it is not yet; NULL out of memory. */
static const uint32_t *ebc_row(iko_codec *c, unsigned b1)
{
	ebc_tables *t = c->ebc;
	unsigned b2;

	if (__atomic_load_n(&t->built[b1], __ATOMIC_ACQUIRE))
		return t->two + (b1 << 8);
	pthread_mutex_lock(&t->mu);
	if (!t->two)
		t->two = calloc(65536, sizeof(uint32_t));
	if (t->two && !t->built[b1]) {
		for (b2 = 0; b2 < 256; b2++) {
			unsigned char in[4] = { 0x0E, (unsigned char)b1, (unsigned char)b2, 0x0F };
			t->two[b1 << 8 | b2] = table_entry(c->cd, in, 4);
		}
		__atomic_store_n(&t->built[b1], 1, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&t->mu);
	return t->two ? t->two + (b1 << 8) : NULL;
}

/* Use the tables of cache slot k for c (its c->cd that encoding), the single bytes built now. */
static void ebc_use(iko_codec *c, size_t k)
{
	unsigned b;

	if (!tables_wanted())
		return;
	c->ebc = &ebc_cache[k];
	pthread_mutex_lock(&c->ebc->mu);
	if (!c->ebc->one_built) {
		for (b = 0; b < 256; b++) {
			unsigned char in[1] = { (unsigned char)b };
			c->ebc->one[b] = b == 0x0E || b == 0x0F ? 0 : table_entry(c->cd, in, 1);
		}
		c->ebc->one_built = 1;
	}
	pthread_mutex_unlock(&c->ebc->mu);
}

static int ebcdic_open(iko_codec *c, const char *enc)
{
	static const char *const names[] = { "IBM930", "IBM939", "IBM1390", "IBM1399" };
	size_t k;

	c->cd = iconv_open("UTF-8", enc);
	c->ebcdic = 1;
	c->udc_lo = 0x69;
	c->udc_hi = 0x7F;
	if (c->cd == (iconv_t)-1)
		return IKO_EINVAL;
	for (k = 0; k < 4 && strcasecmp(enc, names[k]); k++)
		;
	if (k < 4) /* pick() sends only these; without tables, iconv per run */
		ebc_use(c, k);
	return 0;
}

/* A run of single-byte codes without SO or SI (ebcdic_decode cuts runs at them). 0, 1 invalid, <0. */
static int ebcdic_sbcs(iko_codec *c, iko_buf *out, const unsigned char *s, size_t len)
{
	size_t i;
	int rc;

	if (!c->ebc)
		return conv(c->cd, out, s, len);
	if (iko_buf_grow(out, len * 3 + 4))
		return IKO_ENOMEM;
	for (i = 0; i < len; i++) {
		uint32_t v = c->ebc->one[s[i]];
		if (v) {
			put_packed(out, v);
			continue;
		}
		if ((rc = conv(c->cd, out, s + i, 1)) || iko_buf_grow(out, (len - i) * 3 + 4))
			return rc ? rc : IKO_ENOMEM;
	}
	out->ptr[out->len] = '\0';
	return 0;
}

/* Convert the pending DBCS pairs wrapped in SO…SI (without tables). */
static int ebcdic_flush(iko_codec *c, iko_buf *out)
{
	int rc;

	if (!c->pend.len)
		return 0;
	if ((rc = iko_buf_putc(&c->pend, 0x0F)))
		return rc;
	rc = conv(c->cd, out, (const unsigned char *)c->pend.ptr, c->pend.len);
	iko_buf_clear(&c->pend);
	return rc;
}

static int ebcdic_pairs(iko_codec *c, iko_buf *out, const unsigned char *s, size_t len)
{
	const uint32_t *row;
	size_t i;
	int rc, tables = c->ebc != NULL;

	if (len % 2)
		return 1;
	/* a byte no pair has (below 0x40: SO, SI, controls; 0xFF): the run to
	 * iconv whole, as it reads it, not pair by pair */
	for (i = 0; i < len && tables; i++)
		tables = s[i] >= 0x40 && s[i] != 0xFF;
	for (i = 0; i < len; i += 2) {
		if (s[i] >= c->udc_lo && s[i] <= c->udc_hi) {
			if ((rc = ebcdic_flush(c, out)) || (rc = put_gaiji(c, out, s + i)))
				return rc;
			continue;
		}
		if (tables) {
			if (!(row = ebc_row(c, s[i])))
				return iko_error_set(IKO_ENOMEM, "out of memory");
			if (row[s[i + 1]]) {
				if (iko_buf_grow(out, 4))
					return IKO_ENOMEM;
				put_packed(out, row[s[i + 1]]);
				out->ptr[out->len] = '\0';
				continue;
			}
			/* not one character of at most 3 bytes: iconv says what it is */
		}
		if (!c->pend.len && (rc = iko_buf_putc(&c->pend, 0x0E)))
			return rc;
		if ((rc = iko_buf_put(&c->pend, s + i, 2)))
			return rc;
		if (tables && (rc = ebcdic_flush(c, out)))
			return rc;
	}
	return ebcdic_flush(c, out);
}

static int ebcdic_decode(iko_codec *c, iko_buf *out, const unsigned char *s, size_t len, int dbcs_only, int rtrim)
{
	size_t i, start = 0;
	int dbcs = 0, rc;

	(void)rtrim; /* the padding is decoded and trimmed after */
	iko_buf_clear(&c->pend);
	if (dbcs_only)
		return ebcdic_pairs(c, out, s, len);
	for (i = 0; i < len; i++) {
		if (s[i] == 0x0E && !dbcs) {
			if ((rc = ebcdic_sbcs(c, out, s + start, i - start)))
				return rc;
			dbcs = 1;
			start = i + 1;
		} else if (s[i] == 0x0F) {
			if (!dbcs)
				return 1; /* SI without SO */
			if ((rc = ebcdic_pairs(c, out, s + start, i - start)))
				return rc;
			dbcs = 0;
			start = i + 1;
		} else if (dbcs) {
			i++; /* second byte of the pair */
			if (i >= len)
				return 1;
		}
	}
	if (dbcs)
		return 1; /* SO without SI */
	return ebcdic_sbcs(c, out, s + start, len - start);
}

/* ---- shift-code DBCS: JEF, KEIS, JIPS(E) ---------------------------------------------- */

/*
 * JIS C 6226-1978 vs JIS X 0208-1983: 22 pairs of kanji swapped code
 * points. Positions (row, cell) as assigned in 1983 (what EUC-JP decodes):
 * the first holds the simplified form, the second the traditional one; a
 * JIS78-based code (JEF) at either position means the other character.
 */
static const unsigned char jis78_swaps[22][4] = {
	{ 16, 19, 82, 45 }, /* 鯵 鰺 */ { 18, 9, 82, 84 },  /* 鴬 鶯 */
	{ 19, 34, 73, 58 }, /* 蛎 蠣 */ { 19, 41, 57, 88 }, /* 撹 攪 */
	{ 19, 86, 67, 62 }, /* 竃 竈 */ { 20, 35, 62, 85 }, /* 潅 灌 */
	{ 20, 50, 75, 61 }, /* 諌 諫 */ { 23, 59, 80, 84 }, /* 頚 頸 */
	{ 25, 60, 66, 72 }, /* 砿 礦 */ { 28, 41, 73, 2 },  /* 蕊 蘂 */
	{ 31, 57, 80, 55 }, /* 靭 靱 */ { 33, 8, 76, 45 },  /* 賎 賤 */
	{ 36, 59, 52, 68 }, /* 壷 壺 */ { 37, 55, 66, 74 }, /* 砺 礪 */
	{ 37, 78, 59, 77 }, /* 梼 檮 */ { 37, 83, 62, 25 }, /* 涛 濤 */
	{ 38, 86, 77, 78 }, /* 迩 邇 */ { 39, 72, 74, 4 },  /* 蝿 蠅 */
	{ 41, 16, 59, 56 }, /* 桧 檜 */ { 43, 89, 48, 54 }, /* 侭 儘 */
	{ 44, 89, 73, 14 }, /* 薮 藪 */ { 47, 22, 68, 38 }, /* 篭 籠 */
};

/*
 * EUC-JP's two-byte codes (0xA1-0xFE twice: what a shift codec's pair
 * becomes) as a table from glibc's converter, a row when first met, as
 * the EBCDIC pairs above; EUC-JP is stateless there, so a run converts as
 * its pairs one by one. 0: iconv converts that pair itself.
 */
typedef struct euc_tables {
	pthread_mutex_t mu;
	uint32_t two[94 * 94];
	unsigned char built[94];      /* atomic */
} euc_tables;

static euc_tables euc_cache = { PTHREAD_MUTEX_INITIALIZER, { 0 }, { 0 } };

/* The packed UTF-8 of EUC-JP pair e0 e1 (both 0xA1-0xFE); 0 when iconv must say. */
static uint32_t euc_pair(iko_codec *c, unsigned e0, unsigned e1)
{
	euc_tables *t = c->euct;
	unsigned r = e0 - 0xA1, k;

	if (!__atomic_load_n(&t->built[r], __ATOMIC_ACQUIRE)) {
		pthread_mutex_lock(&t->mu);
		if (!t->built[r]) {
			for (k = 0; k < 94; k++) {
				unsigned char in[2] = { (unsigned char)e0, (unsigned char)(0xA1 + k) };
				t->two[r * 94 + k] = table_entry(c->euc, in, 2);
			}
			__atomic_store_n(&t->built[r], 1, __ATOMIC_RELEASE);
		}
		pthread_mutex_unlock(&t->mu);
	}
	return t->two[r * 94 + (e1 - 0xA1)];
}

static void jis78_to_83(unsigned char *row, unsigned char *cell)
{
	size_t i;

	for (i = 0; i < 22; i++) {
		if (*row == jis78_swaps[i][0] && *cell == jis78_swaps[i][1]) {
			*row = jis78_swaps[i][2];
			*cell = jis78_swaps[i][3];
			return;
		}
		if (*row == jis78_swaps[i][2] && *cell == jis78_swaps[i][3]) {
			*row = jis78_swaps[i][0];
			*cell = jis78_swaps[i][1];
			return;
		}
	}
}

static int shift_open(iko_codec *c, const char *enc)
{
	c->ebcdic = 1;
	c->cd = iconv_open("UTF-8", "IBM930"); /* its SBCS part: CCSID 290 EBCDIK, half-width kana */
	c->euc = iconv_open("UTF-8", "EUC-JP");
	if (c->cd == (iconv_t)-1 || c->euc == (iconv_t)-1)
		return IKO_EINVAL;
	ebc_use(c, 0); /* the single bytes: IBM930's, the same converter */
	if (tables_wanted())
		c->euct = &euc_cache;
	if (!strcasecmp(enc, "JEF")) {
		c->ki[0] = 0x28;
		c->ko[0] = 0x29;
		c->shift_len = 1;
		c->udc_lo = 0x80;
		c->udc_hi = 0xA0;
		c->jis78 = 1;
	} else if (!strcasecmp(enc, "KEIS")) {
		c->ki[0] = 0x0A;
		c->ki[1] = 0x42;
		c->ko[0] = 0x0A;
		c->ko[1] = 0x41;
		c->shift_len = 2;
		c->udc_lo = 0x81;
		c->udc_hi = 0xA0;
	} else {
		iconv_t e = iconv_open("IBM037", "ASCII");
		unsigned ch;
		c->ki[0] = 0x3F;
		c->ki[1] = 0x75;
		c->ko[0] = 0x3F;
		c->ko[1] = 0x76;
		c->shift_len = 2;
		c->jipse = 1;
		if (e == (iconv_t)-1)
			return IKO_EINVAL;
		/* each JIS byte 0x21–0x7E is sent as its EBCDIC code */
		for (ch = 0x21; ch <= 0x7E; ch++) {
			char in = (char)ch, outb[4], *ip = &in, *op = outb;
			size_t il = 1, ol = sizeof(outb);
			if (iconv(e, &ip, &il, &op, &ol) != (size_t)-1 && op - outb == 1)
				c->jipse_inv[(unsigned char)outb[0]] = (unsigned char)ch;
		}
		iconv_close(e);
	}
	return 0;
}

/* Convert the pending EUC-JP pairs (those left to iconv) and empty them. */
static int euc_flush(iko_codec *c, iko_buf *out)
{
	int rc = conv(c->euc, out, (const unsigned char *)iko_buf_cstr(&c->pend), c->pend.len);

	iko_buf_clear(&c->pend);
	return rc;
}

static int shift_pair(iko_codec *c, iko_buf *out, const unsigned char *p)
{
	unsigned char b1 = p[0], b2 = p[1], row, cell, euc[2];
	int rc;

	if (c->jipse) {
		b1 = c->jipse_inv[b1];
		b2 = c->jipse_inv[b2];
		if (!b1 || !b2)
			return 1;
		b1 |= 0x80;
		b2 |= 0x80;
	} else if (c->udc_lo && b1 >= c->udc_lo && b1 <= c->udc_hi && b2 >= 0xA1 && b2 <= 0xFE) {
		if ((rc = euc_flush(c, out)))
			return rc;
		return put_gaiji(c, out, p);
	}
	if (b1 < 0xA1 || b1 > 0xFE || b2 < 0xA1 || b2 > 0xFE)
		return 1;
	row = (unsigned char)(b1 - 0xA0);
	cell = (unsigned char)(b2 - 0xA0);
	if (c->jis78)
		jis78_to_83(&row, &cell);
	euc[0] = (unsigned char)(row + 0xA0);
	euc[1] = (unsigned char)(cell + 0xA0);
	if (c->euct) {
		uint32_t v = euc_pair(c, euc[0], euc[1]);
		if (v) {
			/* after the pairs iconv was left to convert, in order */
			if ((rc = euc_flush(c, out)))
				return rc;
			if (iko_buf_grow(out, 4))
				return IKO_ENOMEM;
			put_packed(out, v);
			out->ptr[out->len] = '\0';
			return 0;
		}
	}
	return iko_buf_put(&c->pend, euc, 2);
}

static int shift_dbcs(iko_codec *c, iko_buf *out, const unsigned char *s, size_t len)
{
	size_t i;
	int rc;

	if (len % 2)
		return 1;
	iko_buf_clear(&c->pend);
	for (i = 0; i < len; i += 2)
		if ((rc = shift_pair(c, out, s + i)))
			return rc;
	return euc_flush(c, out);
}

/*
 * A shift codec's single-byte run: IBM930's single bytes, but the run may
 * hold SO or SI, which IBM930 reads as shifts — such a run goes to iconv
 * whole, as it always did.
 */
static int shift_sbcs(iko_codec *c, iko_buf *out, const unsigned char *s, size_t len)
{
	if (memchr(s, 0x0E, len) || memchr(s, 0x0F, len))
		return conv(c->cd, out, s, len);
	return ebcdic_sbcs(c, out, s, len);
}

static int is_shift(const iko_codec *c, const unsigned char *s, size_t left, const unsigned char *code)
{
	return left >= c->shift_len && !memcmp(s, code, c->shift_len);
}

static int shift_decode(iko_codec *c, iko_buf *out, const unsigned char *s, size_t len, int dbcs_only, int rtrim)
{
	size_t i = 0, start = 0;
	int dbcs = 0, rc;

	(void)rtrim; /* the padding is decoded and trimmed after */
	if (dbcs_only)
		return shift_dbcs(c, out, s, len);
	while (i < len) {
		if (!dbcs && is_shift(c, s + i, len - i, c->ki)) {
			if ((rc = shift_sbcs(c, out, s + start, i - start)))
				return rc;
			dbcs = 1;
			i += c->shift_len;
			start = i;
		} else if (dbcs && is_shift(c, s + i, len - i, c->ko)) {
			if ((rc = shift_dbcs(c, out, s + start, i - start)))
				return rc;
			dbcs = 0;
			i += c->shift_len;
			start = i;
		} else {
			i += dbcs ? 2 : 1;
		}
	}
	if (dbcs) /* a field may end in kanji mode: the shift-out is implied */
		return i > len ? 1 : shift_dbcs(c, out, s + start, len - start);
	return shift_sbcs(c, out, s + start, len - start);
}

/* ---- generic iconv ------------------------------------------------------------------- */

static int iconv_open_(iko_codec *c, const char *enc)
{
	c->cd = iconv_open("UTF-8", enc);
	c->ebcdic = !strncasecmp(enc, "IBM", 3) || !strncasecmp(enc, "EBCDIC", 6) ||
		    !strncasecmp(enc, "CP037", 5) || !strncasecmp(enc, "CP290", 5);
	return c->cd == (iconv_t)-1 ? IKO_EINVAL : 0;
}

static int iconv_decode(iko_codec *c, iko_buf *out, const unsigned char *s, size_t len, int dbcs_only, int rtrim)
{
	(void)dbcs_only;
	(void)rtrim;
	return conv(c->cd, out, s, len);
}

static const codec_ops backends[] = {
	{ "sjis", sjis_open, sjis_decode },
	{ "ebcdic", ebcdic_open, ebcdic_decode },
	{ "shift", shift_open, shift_decode },
	{ "iconv", iconv_open_, iconv_decode },
};

static const codec_ops *pick(const char *enc)
{
	static const char *const sjis[] = { "CP932", "SHIFT_JIS", "SJIS", "SHIFT-JIS", "MS932", "WINDOWS-31J" };
	static const char *const ebc[] = { "IBM930", "IBM939", "IBM1390", "IBM1399" };
	static const char *const sh[] = { "JEF", "KEIS", "JIPSE", "JIPS" };
	size_t i;

	for (i = 0; i < sizeof(sjis) / sizeof(sjis[0]); i++)
		if (!strcasecmp(enc, sjis[i]))
			return &backends[0];
	for (i = 0; i < sizeof(ebc) / sizeof(ebc[0]); i++)
		if (!strcasecmp(enc, ebc[i]))
			return &backends[1];
	for (i = 0; i < sizeof(sh) / sizeof(sh[0]); i++)
		if (!strcasecmp(enc, sh[i]))
			return &backends[2];
	return &backends[3];
}

int iko_codec_open(iko_codec **out, const char *enc)
{
	iko_codec *c = calloc(1, sizeof(*c));
	int rc;

	*out = NULL;
	if (!c)
		return iko_error_set(IKO_ENOMEM, "out of memory");
	c->cd = c->euc = (iconv_t)-1;
	c->ops = pick(enc);
	if (iko_strmap_new(&c->gaiji) || iko_strmap_new(&c->unmapped)) {
		iko_codec_free(c);
		return IKO_ENOMEM;
	}
	rc = c->ops->open(c, enc);
	if (rc) {
		iko_codec_free(c);
		return rc == IKO_EINVAL ? iko_error_set(IKO_EINVAL, "unknown encoding %s (not known to iconv)", enc)
			: rc == IKO_ENOMEM ? iko_error_set(IKO_ENOMEM, "out of memory") : rc;
	}
	*out = c;
	return 0;
}

void iko_codec_free(iko_codec *c)
{
	size_t pos = 0;
	iko_strmap_entry *e;

	if (!c)
		return;
	while (c->gaiji && (e = iko_strmap_next(c->gaiji, &pos)) != NULL)
		free(e->value);
	iko_strmap_free(c->gaiji);
	iko_strmap_free(c->unmapped);
	if (c->cd != (iconv_t)-1)
		iconv_close(c->cd);
	if (c->euc != (iconv_t)-1)
		iconv_close(c->euc);
	iko_buf_release(&c->pend);
	free(c);
}

/* Decode and append; on 1 (invalid) nothing stays appended. */
static int append(iko_codec *c, iko_buf *out, const unsigned char *s, size_t len, int dbcs_only, int rtrim)
{
	size_t at = out->len;
	int rc = c->ops->decode(c, out, s, len, dbcs_only, rtrim);

	if (rc == 0 && !out->ptr)
		rc = iko_buf_grow(out, 1);
	if (rc == 1)
		iko_buf_truncate(out, at);
	else if (rc == 0 && rtrim)
		iko_buf_truncate(out, at + iko_utf8_rtrim_len(out->ptr + at, out->len - at));
	return rc;
}

int iko_codec_decode_append(iko_codec *c, iko_buf *out, const unsigned char *s, size_t len,
			    int dbcs_only)
{
	return append(c, out, s, len, dbcs_only, 0);
}

int iko_codec_decode_field(iko_codec *c, iko_buf *out, const unsigned char *s, size_t len, int dbcs_only)
{
	return append(c, out, s, len, dbcs_only, 1);
}

int iko_codec_decode(iko_codec *c, iko_buf *out, const unsigned char *s, size_t len, int dbcs_only)
{
	iko_buf_clear(out);
	return append(c, out, s, len, dbcs_only, 0);
}

int iko_codec_ebcdic(const iko_codec *c)
{
	return c->ebcdic;
}

long long iko_codec_gaiji_mapped(const iko_codec *c)
{
	return c->n_mapped;
}

int iko_codec_merge_counts(iko_codec *dst, const iko_codec *src)
{
	iko_strmap_entry *e, *d;
	size_t pos = 0;
	int rc;

	dst->n_mapped += src->n_mapped;
	dst->n_unmapped += src->n_unmapped;
	while ((e = iko_strmap_next(src->unmapped, &pos)) != NULL) {
		if ((rc = iko_strmap_upsert(dst->unmapped, e->key, e->keylen, &d)))
			return rc;
		d->a += e->a;
	}
	return 0;
}

long long iko_codec_gaiji_unmapped(const iko_codec *c)
{
	return c->n_unmapped;
}

int iko_codec_next_unmapped(const iko_codec *c, size_t *pos, char hex[9], long long *count)
{
	iko_strmap_entry *e = iko_strmap_next(c->unmapped, pos);

	if (!e)
		return 0;
	snprintf(hex, 9, "%02X%02X", (unsigned char)e->key[0], (unsigned char)e->key[1]);
	*count = e->a;
	return 1;
}

int iko_codec_load_gaiji(iko_codec *c, const char *path)
{
	iko_csv_reader *r = NULL;
	iko_csv_row row;
	iko_buf u = IKO_BUF_INIT;
	int rc, ccode = -1, cuni = -1;

	if ((rc = iko_csv_reader_open(&r, path)))
		return rc;
	while ((rc = iko_csv_next(r, &row)) == 1) {
		unsigned char key[2];
		const char *p, *code;
		iko_strmap_entry *e;
		if (row.record == 1) {
			ccode = iko_csv_find(&row, "code");
			cuni = iko_csv_find(&row, "unicode");
			if (ccode < 0 || cuni < 0) {
				rc = iko_error_set(IKO_EPARSE, "%s: header must be code,unicode,mj,note", path);
				break;
			}
			continue;
		}
		code = (size_t)ccode < row.nfields ? row.fields[ccode] : "";
		if ((size_t)cuni >= row.nfields || strlen(code) != 4 || !iko_unhex(key, code, 4)) {
			rc = iko_error_set(IKO_EPARSE, "%s: record %lld: code must be 4 hex digits", path, row.record);
			break;
		}
		iko_buf_clear(&u);
		for (p = row.fields[cuni]; *p;) {
			char *end;
			unsigned long cp;
			while (*p == ' ')
				p++;
			if (!*p)
				break;
			if ((p[0] != 'U' && p[0] != 'u') || p[1] != '+' ||
			    ((cp = strtoul(p + 2, &end, 16)), end == p + 2) || cp > 0x10FFFF) {
				rc = iko_error_set(IKO_EPARSE, "%s: record %lld: unicode must be U+XXXX [U+XXXX…]",
						   path, row.record);
				goto done;
			}
			iko_utf8_put(&u, (uint32_t)cp);
			p = end;
		}
		if (!u.len) {
			rc = iko_error_set(IKO_EPARSE, "%s: record %lld: empty unicode", path, row.record);
			break;
		}
		if ((rc = iko_strmap_upsert(c->gaiji, (const char *)key, 2, &e)))
			break;
		free(e->value);
		e->value = iko_buf_detach(&u);
	}
done:
	iko_buf_release(&u);
	iko_csv_reader_free(r);
	return rc < 0 ? rc : 0;
}
