/*
 * test_codec.c — codec vectors. Expected characters come from published
 * code charts (Unicode, JIS X 0208, the CP932 and IBM CCSID tables), not
 * from the decoder: each case is legacy bytes → the code points they mean.
 */
#include <check.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "iko_buf.h"
#include "iko_codec.h"
#include "iko_error.h"
#include "iko_utf8.h"

static const struct {
	const char *enc;
	const char *bytes;
	size_t len;
	int dbcs_only;
	const char *utf8;   /* NULL: undecodable */
} vectors[] = {
	/* CP932: NEC row 13, IBM extension, 0x5C, WAVE DASH vs FULLWIDTH TILDE */
	{ "CP932", "\x87\x40", 2, 0, "\u2460" },               /* ① */
	{ "CP932", "\x87\x8a", 2, 0, "\u3231" },               /* ㈱ */
	{ "CP932", "\xfb\xfc", 2, 0, "\u9ad9" },               /* 髙 (IBM ext.) */
	{ "CP932", "\x5c", 1, 0, "\\" },
	{ "CP932", "\x81\x60", 2, 0, "\uff5e" },               /* ～ */
	{ "CP932", "\xb1\xde", 2, 0, "\uff71\uff9e" },         /* ｱﾞ */
	{ "CP932", "\x95\x5c", 2, 0, "\u8868" },               /* 表: trail byte 0x5C */
	{ "CP932", "\x85\x40", 2, 0, NULL },                   /* unassigned lead byte */
	{ "CP932", "A\x88", 2, 0, NULL },                      /* lead byte cut off */
	{ "SHIFT_JIS", "\x88\x9f", 2, 0, "\u4e9c" },           /* 亜 */
	/* IBM930 vs IBM939 single bytes (CCSID 290 vs 1027) */
	{ "IBM930", "\x5b\xe0\x81\xc1", 4, 0, "\u00a5$\uff71A" },   /* ¥ $ ｱ A */
	{ "IBM939", "\x5b\xe0\x81\xc1", 4, 0, "$\\aA" },
	/* mixed fields: SO 0x0E … SI 0x0F; DBCS-only fields without them */
	{ "IBM930", "\xc1\x0e\x45\x41\x0f\xc2", 6, 0, "A\u4e00B" }, /* 一 */
	{ "IBM939", "\x45\x41\x40\x40", 4, 1, "\u4e00\u3000" },
	{ "IBM930", "A\x0e\x45\x41", 4, 0, NULL },              /* SO without SI */
	{ "IBM930", "A\x0f", 2, 0, NULL },                      /* SI without SO */
	{ "IBM930", "\x45", 1, 1, NULL },                       /* odd DBCS length */
	/* JEF: JIS X 0208 + 0x8080, kanji in 0x28 / out 0x29, JIS78 code points */
	{ "JEF", "\xb0\xa1", 2, 1, "\u4e9c" },                  /* 16-01 亜 */
	{ "JEF", "\xb0\xb3", 2, 1, "\u9c3a" },                  /* 16-19 is 鰺 in JIS78 (鯵 in EUC-JP) */
	{ "JEF", "\xf2\xcd", 2, 1, "\u9bf5" },                  /* 82-45 is 鯵 in JIS78 */
	{ "JEF", "\xc1\x28\xb0\xa1\x29\xc2", 6, 0, "A\u4e9cB" },
	{ "JEF", "\xa1\xa1", 2, 1, "\u3000" },
	{ "JEF", "\xb0\x21", 2, 1, NULL },
	/* KEIS: shifts 0x0A42 / 0x0A41, JIS83 code points */
	{ "KEIS", "\xc1\x0a\x42\xb0\xb3\x0a\x41", 7, 0, "A\u9bf5" }, /* 鯵 */
	/* JIPS(E): shifts 0x3F75 / 0x3F76, JIS bytes sent as EBCDIC: 0x3021 → F0 5A */
	{ "JIPSE", "\x3f\x75\xf0\x5a\x3f\x76", 6, 0, "\u4e9c" },
};

START_TEST(test_vectors)
{
	iko_codec *c = NULL;
	iko_buf out = IKO_BUF_INIT;
	int rc;

	ck_assert_int_eq(iko_codec_open(&c, vectors[_i].enc), 0);
	rc = iko_codec_decode(c, &out, (const unsigned char *)vectors[_i].bytes, vectors[_i].len,
			      vectors[_i].dbcs_only);
	if (vectors[_i].utf8) {
		ck_assert_msg(rc == 0, "%s case %d: rc %d", vectors[_i].enc, _i, rc);
		ck_assert_str_eq(iko_buf_cstr(&out), vectors[_i].utf8);
	} else {
		ck_assert_msg(rc == 1, "%s case %d: expected undecodable, got %d (%s)", vectors[_i].enc, _i,
			      rc, iko_buf_cstr(&out));
	}
	iko_buf_release(&out);
	iko_codec_free(c);
}
END_TEST

/*
 * CP932 copies ASCII eight bytes at a time (a rest of 4 to 7 as two
 * overlapping 4-byte words): runs of 0..20 ASCII bytes
 * around a 2-byte kanji (表, trail byte 0x5C), a half-width kana and a
 * lead byte cut off at the end decode as they do one byte at a time.
 */
START_TEST(test_sjis_ascii_runs)
{
	iko_codec *c = NULL;
	iko_buf out = IKO_BUF_INIT, want = IKO_BUF_INIT;
	unsigned char in[64];
	size_t a, b, n, k;

	ck_assert_int_eq(iko_codec_open(&c, "CP932"), 0);
	for (a = 0; a <= 20; a++)
		for (b = 0; b <= 20; b++) {
			n = 0;
			iko_buf_clear(&want);
			for (k = 0; k < a; k++) {
				in[n++] = (unsigned char)('0' + k % 10);
				iko_buf_putc(&want, (char)('0' + k % 10));
			}
			in[n++] = 0x95; /* 表 */
			in[n++] = 0x5c;
			iko_buf_puts(&want, "\u8868");
			for (k = 0; k < b; k++) {
				in[n++] = (unsigned char)('A' + k % 26);
				iko_buf_putc(&want, (char)('A' + k % 26));
			}
			in[n++] = 0xb1; /* ｱ */
			iko_buf_puts(&want, "\uff71");
			for (k = 0; k < a; k++) {
				in[n++] = '~';
				iko_buf_putc(&want, '~');
			}
			ck_assert_int_eq(iko_codec_decode(c, &out, in, n, 0), 0);
			ck_assert_str_eq(iko_buf_cstr(&out), iko_buf_cstr(&want));
			/* the same with a lead byte cut off at the end: undecodable */
			in[n++] = 0x88;
			ck_assert_int_eq(iko_codec_decode(c, &out, in, n, 0), 1);
		}
	iko_buf_release(&out);
	iko_buf_release(&want);
	iko_codec_free(c);
}
END_TEST

/* A GAIJI.CSV in a temporary file holding rows (after the header); the caller unlinks and frees it. */
static char *gaiji_file(const char *rows)
{
	char *path = strdup("/tmp/iko-gaiji-XXXXXX");
	int fd = mkstemp(path);
	FILE *fp = fdopen(fd, "w");

	fputs("code,unicode,mj,note\n", fp);
	fputs(rows, fp);
	fclose(fp);
	return path;
}

START_TEST(test_user_areas)
{
	static const struct {
		const char *enc, *bytes;
		size_t len;
		int dbcs_only;
		const char *utf8;
	} cases[] = {
		{ "CP932", "\xf0\x40\xf0\x41", 4, 0, "\u8fbb\U000e0100\u3013" },
		{ "IBM930", "\x0e\x69\x41\x69\x42\x0f", 6, 0, "\u9ad9\u3013" },
		{ "JEF", "\x80\xa1\x80\xa2", 4, 1, "\u9ad9\u3013" },
	};
	char *path = gaiji_file("F040,U+8FBB U+E0100,MJ028901,辻\n6941,U+9AD9,,\n80A1,U+9AD9,,\n");
	size_t i;
	char hex[9];
	long long count;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		iko_codec *c = NULL;
		iko_buf out = IKO_BUF_INIT;
		size_t pos = 0;
		ck_assert_int_eq(iko_codec_open(&c, cases[i].enc), 0);
		ck_assert_int_eq(iko_codec_load_gaiji(c, path), 0);
		ck_assert_int_eq(iko_codec_decode(c, &out, (const unsigned char *)cases[i].bytes, cases[i].len,
						  cases[i].dbcs_only), 0);
		ck_assert_str_eq(iko_buf_cstr(&out), cases[i].utf8);
		ck_assert_int_eq(iko_codec_gaiji_mapped(c), 1);
		ck_assert_int_eq(iko_codec_gaiji_unmapped(c), 1);
		ck_assert_int_eq(iko_codec_next_unmapped(c, &pos, hex, &count), 1);
		ck_assert_int_eq(count, 1);
		ck_assert_int_eq(iko_codec_next_unmapped(c, &pos, hex, &count), 0);
		iko_buf_release(&out);
		iko_codec_free(c);
	}
	unlink(path);
	free(path);
}
END_TEST

/* How random_field builds a field of an encoding. */
typedef struct field_shape {
	unsigned char kin[2], kout[2]; /* the shift codes (second byte 0: one byte) */
	unsigned lo;                   /* pair bytes lo..0xFE */
	int ebcdic;                    /* EBCDIC: leads 0x69-0x7F (gaiji) moved; odd trails 0xFF or below 0x40;
					* no SO/SI among single bytes; a field ends in SBCS */
} field_shape;

/*
 * A random field (pseudo-random from *seed): single bytes and runs of pairs
 * between the shift codes, or pairs alone (dbcs_only); every 30th or 40th
 * trail byte one no pair has. Its length (at most 3 + 150 + 4 bytes).
 */
static size_t random_field(unsigned char *in, unsigned *seed, int dbcs_only, const field_shape *f)
{
	size_t sl = f->kin[1] ? 2 : 1, n = 0, want = 1 + (*seed = *seed * 1103515245u + 12345u) % 150;
	int dbcs = 0;

	while (n < want) {
		unsigned r = (*seed = *seed * 1103515245u + 12345u) >> 8;
		unsigned lead = f->lo + r % (0xFF - f->lo), trail = f->lo + (r >> 8) % (0xFF - f->lo);
		if (dbcs_only || dbcs) {
			if (f->ebcdic && lead >= 0x69 && lead <= 0x7F)
				lead += 0x20;
			if ((r >> 16) % (f->ebcdic ? 40 : 30) == 0)
				trail = f->ebcdic ? ((r >> 20) % 2 ? 0xFF : (r >> 21) % 0x40) : (r >> 20) & 0xFF;
			in[n++] = (unsigned char)lead;
			in[n++] = (unsigned char)trail;
			if (!dbcs_only && (r >> 24) % 4 == 0) {
				memcpy(in + n, f->kout, sl);
				n += sl;
				dbcs = 0;
			}
		} else if ((r >> 24) % 6 == 0) {
			memcpy(in + n, f->kin, sl);
			n += sl;
			dbcs = 1;
		} else {
			unsigned b = r % 256;
			in[n++] = (unsigned char)(f->ebcdic && (b == 0x0E || b == 0x0F) ? 0x40 : b);
		}
	}
	if (dbcs && f->ebcdic)
		in[n++] = 0x0F;
	return n;
}

/* glibc's converter on bytes, as the codec's result would be: 1 and the UTF-8, or 0 when it fails. */
static int ref_iconv(iconv_t cd, const unsigned char *in, size_t n, char *out, size_t cap, size_t *outlen)
{
	char *ip = (char *)in, *op = out;
	size_t il = n, ol = cap;

	iconv(cd, NULL, NULL, NULL, NULL);
	if (iconv(cd, &ip, &il, &op, &ol) == (size_t)-1 || iconv(cd, NULL, NULL, &op, &ol) == (size_t)-1)
		return 0;
	*outlen = (size_t)(op - out);
	return 1;
}

static void same_as_iconv(iko_codec *c, iconv_t cd, const char *enc, const unsigned char *in, size_t n,
			  int dbcs_only)
{
	unsigned char wrapped[600];
	char want[2400];
	size_t wlen = 0;
	iko_buf got = IKO_BUF_INIT;
	int ok, rc;

	ck_assert_uint_le(n, sizeof(wrapped) - 2);
	if (dbcs_only) {
		wrapped[0] = 0x0E;
		memcpy(wrapped + 1, in, n);
		wrapped[n + 1] = 0x0F;
	}
	ok = ref_iconv(cd, dbcs_only ? wrapped : in, dbcs_only ? n + 2 : n, want, sizeof(want), &wlen);
	rc = iko_codec_decode(c, &got, in, n, dbcs_only);
	ck_assert_msg(rc == (ok ? 0 : 1), "%s: %02x %02x… (%zu bytes, dbcs_only %d): codec %d, iconv %s", enc, in[0],
		      n > 1 ? in[1] : 0, n, dbcs_only, rc, ok ? "converts" : "fails");
	if (ok)
		ck_assert_msg(got.len == wlen && !memcmp(got.ptr, want, wlen), "%s: %02x %02x… (%zu bytes): not iconv's",
			      enc, in[0], n > 1 ? in[1] : 0, n);
	iko_buf_release(&got);
}

/*
 * The EBCDIC codecs decode by tables built from glibc's converter: every
 * single byte, every DBCS pair outside the user-defined area (0x69–0x7F,
 * gaiji), and random mixed fields (SO…SI runs, controls and 0xFF in
 * DBCS-only fields) give exactly what iconv gives on the same bytes —
 * the same characters, and the same failures.
 */
START_TEST(test_ebcdic_tables_as_iconv)
{
	static const char *const encs[] = { "IBM930", "IBM939", "IBM1390", "IBM1399" };
	static const field_shape ebc = { { 0x0E, 0 }, { 0x0F, 0 }, 0x41, 1 };
	const char *enc = encs[_i];
	iko_codec *c = NULL;
	iconv_t cd = iconv_open("UTF-8", enc);
	unsigned char in[512];
	unsigned b1, b2, seed = 12345u + (unsigned)_i;
	size_t k, n, converted = 0;

	ck_assert_msg(cd != (iconv_t)-1, "iconv has no %s", enc);
	ck_assert_int_eq(iko_codec_open(&c, enc), 0);
	for (b1 = 0; b1 < 256; b1++) {
		if (b1 == 0x0E || b1 == 0x0F)
			continue;
		in[0] = (unsigned char)b1;
		same_as_iconv(c, cd, enc, in, 1, 0);
	}
	for (b1 = 0x40; b1 <= 0xFE; b1++) {
		if (b1 >= 0x69 && b1 <= 0x7F)
			continue;
		for (b2 = 0x40; b2 <= 0xFE; b2++) {
			char out[16];
			size_t ol;
			unsigned char w[4] = { 0x0E, (unsigned char)b1, (unsigned char)b2, 0x0F };
			in[0] = (unsigned char)b1;
			in[1] = (unsigned char)b2;
			same_as_iconv(c, cd, enc, in, 2, 1);
			converted += (size_t)ref_iconv(cd, w, 4, out, sizeof(out), &ol);
		}
	}
	ck_assert_uint_gt(converted, 7000); /* the kanji are there: not a comparison of failures */
	for (k = 0; k < 3000; k++) {
		n = random_field(in, &seed, k % 3 == 0, &ebc);
		same_as_iconv(c, cd, enc, in, n, k % 3 == 0);
	}
	iko_codec_free(c);
	iconv_close(cd);
}
END_TEST

/* Codec a (tables) and b (IKO_CODEC_TABLES=0: iconv per run) on the same bytes: the same result. */
static void same_both(iko_codec *a, iko_codec *b, const char *enc, const unsigned char *in, size_t n,
		      int dbcs_only)
{
	iko_buf ga = IKO_BUF_INIT, gb = IKO_BUF_INIT;
	int ra = iko_codec_decode(a, &ga, in, n, dbcs_only), rb = iko_codec_decode(b, &gb, in, n, dbcs_only);

	ck_assert_msg(ra == rb, "%s: %02x %02x… (%zu bytes, dbcs_only %d): tables %d, iconv %d", enc, in[0],
		      n > 1 ? in[1] : 0, n, dbcs_only, ra, rb);
	if (ra == 0)
		ck_assert_msg(ga.len == gb.len && !memcmp(ga.ptr, gb.ptr, ga.len), "%s: %02x %02x… (%zu bytes): %s, not %s",
			      enc, in[0], n > 1 ? in[1] : 0, n, ga.ptr, gb.ptr);
	iko_buf_release(&ga);
	iko_buf_release(&gb);
}

/*
 * The shift-code codecs (JEF, KEIS, JIPS(E)) decode their single bytes
 * through IBM930's table and their kanji through a table of EUC-JP's
 * pairs: every single byte, every pair and random fields with shift codes
 * give what the same codec gives converting every run with iconv
 * (IKO_CODEC_TABLES=0), failures included; as do the EBCDIC codecs.
 */
START_TEST(test_shift_tables_as_iconv)
{
	static const char *const encs[] = { "JEF", "KEIS", "JIPSE", "IBM930", "IBM1399" };
	/* JIPS(E) sends JIS bytes as EBCDIC: its pairs from 0x40 */
	static const field_shape shapes[] = {
		{ { 0x28, 0 }, { 0x29, 0 }, 0xA1, 0 }, { { 0x0A, 0x42 }, { 0x0A, 0x41 }, 0xA1, 0 },
		{ { 0x3F, 0x75 }, { 0x3F, 0x76 }, 0x40, 0 }, { { 0x0E, 0 }, { 0x0F, 0 }, 0x41, 1 },
		{ { 0x0E, 0 }, { 0x0F, 0 }, 0x41, 1 },
	};
	const char *enc = encs[_i];
	size_t k, n;
	iko_codec *a = NULL, *b = NULL;
	unsigned char in[600];
	unsigned b1, b2, seed = 777u + (unsigned)_i;
	iko_buf probe = IKO_BUF_INIT;
	size_t kanji = 0;

	ck_assert_int_eq(iko_codec_open(&a, enc), 0);
	setenv("IKO_CODEC_TABLES", "0", 1);
	ck_assert_int_eq(iko_codec_open(&b, enc), 0);
	unsetenv("IKO_CODEC_TABLES");
	for (b1 = 0; b1 < 256; b1++) {
		in[0] = (unsigned char)b1;
		same_both(a, b, enc, in, 1, 0);
		for (b2 = 0; b2 < 256; b2++) {
			in[0] = (unsigned char)b1;
			in[1] = (unsigned char)b2;
			same_both(a, b, enc, in, 2, 1);
			kanji += iko_codec_decode(a, &probe, in, 2, 1) == 0 && probe.len == 3;
		}
	}
	ck_assert_uint_gt(kanji, 6000); /* the kanji decode: not a comparison of failures */
	for (k = 0; k < 3000; k++) {
		n = random_field(in, &seed, k % 4 == 0, &shapes[_i]);
		same_both(a, b, enc, in, n, k % 4 == 0);
	}
	iko_buf_release(&probe);
	iko_codec_free(a);
	iko_codec_free(b);
}
END_TEST

/*
 * iko_codec_decode_field is iko_codec_decode_append with the spaces
 * (U+0020, U+3000) at the end of what it appended trimmed, whatever the
 * codec skips on the way (CP932 and Shift_JIS do not decode a run of
 * spaces that ends the field). Fixed cases, where 0x81 0x40 is a trail
 * byte and an '@' rather than a space, then random fields of spaces, '@',
 * kanji with a 0x81 trail, gaiji (one mapped to U+3000) and bytes that do
 * not decode, against decode_append and a trim, on two codecs whose gaiji
 * counts must agree too.
 */
START_TEST(test_field_trims_as_decode)
{
	static const char *const encs[] = { "CP932", "SHIFT_JIS", "IBM930", "JEF" };
	static const struct { const char *bytes; const char *utf8; } fixed[] = {
		{ "\x90\xbc\x91\xba\x81\x40\x91\xe5\x8e\xf7\x81\x40\x81\x40\x81\x40", "\u897f\u6751\u3000\u5927\u6a39" },
		{ "\x8b\x81\x40\x81\x40", "\u6c42@" },             /* 求 @ then a space: the first 0x81 0x40 is 求's trail and an @ */
		{ "\x8b\x81\x40 \x81\x40 ", "\u6c42@" },
		{ "\x81\x40 \x81\x40 ", "" },
		{ "A\x81\x40\x81\x40" "B\x81\x40", "A\u3000\u3000B" },
		{ "\x81\x40\x81\x40\x81", NULL },                    /* a lead byte cut off after the spaces */
		{ "\x81\x40\x85\x40", NULL },                        /* unassigned after the spaces */
		{ "\xf0\x41\x81\x40", "" },                          /* gaiji mapped to U+3000, then padding */
		{ "\xf0\x40\x81\x40", "\u8fbb\U000e0100" },
	};
	char *gpath = gaiji_file("F040,U+8FBB U+E0100,MJ028901,辻\nF041,U+3000,,\n");
	iko_codec *a = NULL, *b = NULL;
	iko_buf got = IKO_BUF_INIT, want = IKO_BUF_INIT;
	unsigned char in[200];
	unsigned seed = 7u + (unsigned)_i;
	size_t i, n, k;
	int ra, rb, sjis = _i < 2;

	ck_assert_int_eq(iko_codec_open(&a, encs[_i]), 0);
	ck_assert_int_eq(iko_codec_open(&b, encs[_i]), 0);
	if (sjis) {
		ck_assert_int_eq(iko_codec_load_gaiji(a, gpath), 0);
		ck_assert_int_eq(iko_codec_load_gaiji(b, gpath), 0);
		for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
			iko_buf_clear(&got);
			iko_buf_puts(&got, "x,");
			ra = iko_codec_decode_field(a, &got, (const unsigned char *)fixed[i].bytes,
						    strlen(fixed[i].bytes), 0);
			ck_assert_msg(ra == (fixed[i].utf8 ? 0 : 1), "%s case %zu: %d", encs[_i], i, ra);
			ck_assert_mem_eq(got.ptr, "x,", 2);
			ck_assert_str_eq(got.ptr + 2, fixed[i].utf8 ? fixed[i].utf8 : "");
			(void)iko_codec_decode_append(b, &want, (const unsigned char *)fixed[i].bytes,
						      strlen(fixed[i].bytes), 0);
		}
	}
	for (k = 0; k < 20000; k++) {
		n = 0;
		while (n < 1 + (seed = seed * 1103515245u + 12345u) % 120) {
			unsigned r = (seed = seed * 1103515245u + 12345u) >> 8;
			switch (r % 9) {
			case 0: case 1: case 2: /* spaces: the padding, or between words */
				if (sjis && r & 0x100) {
					in[n++] = 0x81;
					in[n++] = 0x40;
				} else {
					in[n++] = sjis ? 0x20 : 0x40;
				}
				break;
			case 3: in[n++] = sjis ? '@' : 0x7C; break;
			case 4: in[n++] = sjis ? 0x8b : 0xC1; in[n++] = sjis ? 0x81 : 0xC2; break;
			case 5: in[n++] = sjis ? 0xf0 : 0xC3; in[n++] = sjis ? 0x40 + (r >> 9) % 3 : 0xC4; break;
			case 6: in[n++] = (unsigned char)(r >> 9); break; /* anything, a lead byte cut off too */
			default: in[n++] = sjis ? 'a' + (r >> 9) % 26 : 0xC1 + (r >> 9) % 9; break;
			}
		}
		/* mostly padded to the end, as fixed fields are */
		for (i = (seed >> 10) % 24; i > 0 && n + 2 <= sizeof(in); i--) {
			in[n++] = sjis ? 0x81 : 0x40;
			in[n++] = sjis ? 0x40 : 0x40;
		}
		iko_buf_clear(&got);
		iko_buf_clear(&want);
		iko_buf_puts(&got, "p,");
		iko_buf_puts(&want, "p,");
		ra = iko_codec_decode_field(a, &got, in, n, 0);
		rb = iko_codec_decode_append(b, &want, in, n, 0);
		if (rb == 0)
			iko_buf_truncate(&want, 2 + iko_utf8_rtrim_len(want.ptr + 2, want.len - 2));
		ck_assert_msg(ra == rb, "%s field %zu (%zu bytes): %d, decode_append %d", encs[_i], k, n, ra, rb);
		ck_assert_msg(got.len == want.len && !memcmp(got.ptr, want.ptr, want.len),
			      "%s field %zu (%zu bytes): '%s', want '%s'", encs[_i], k, n, iko_buf_cstr(&got),
			      iko_buf_cstr(&want));
	}
	ck_assert_int_eq(iko_codec_gaiji_mapped(a), iko_codec_gaiji_mapped(b));
	ck_assert_int_eq(iko_codec_gaiji_unmapped(a), iko_codec_gaiji_unmapped(b));
	if (sjis)
		ck_assert_int_gt(iko_codec_gaiji_mapped(a), 1000);
	iko_buf_release(&got);
	iko_buf_release(&want);
	iko_codec_free(a);
	iko_codec_free(b);
	unlink(gpath);
	free(gpath);
}
END_TEST

START_TEST(test_unknown_encoding)
{
	iko_codec *c = NULL;

	ck_assert_int_eq(iko_codec_open(&c, "NOPE-1"), IKO_EINVAL);
	ck_assert_str_eq(iko_error_message(), "unknown encoding NOPE-1 (not known to iconv)");
	ck_assert_ptr_null(c);
	iko_error_clear();
}
END_TEST

Suite *codec_suite(void);
Suite *follow_out_suite(void);
Suite *codec_suite(void)
{
	Suite *s = suite_create("codec");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_vectors, 0, (int)(sizeof(vectors) / sizeof(vectors[0])));
	tcase_add_test(tc, test_user_areas);
	tcase_add_test(tc, test_unknown_encoding);
	tcase_add_test(tc, test_sjis_ascii_runs);
	tcase_add_loop_test(tc, test_ebcdic_tables_as_iconv, 0, 4);
	tcase_add_loop_test(tc, test_shift_tables_as_iconv, 0, 5);
	tcase_add_loop_test(tc, test_field_trims_as_decode, 0, 4);
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(codec_suite());
	srunner_add_suite(sr, follow_out_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
