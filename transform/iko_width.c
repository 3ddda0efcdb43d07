/*
 * iko_width.c — half-width/full-width conversion.
 */
#include "iko_width.h"

#include "iko_buf.h"
#include "iko_error.h"
#include "iko_utf8.h"

#include <string.h>

/* Full-width equivalents of U+FF61..U+FF9F. */
static const uint16_t kana[63] = {
	0x3002, 0x300C, 0x300D, 0x3001, 0x30FB, 0x30F2, 0x30A1, 0x30A3, 0x30A5,
	0x30A7, 0x30A9, 0x30E3, 0x30E5, 0x30E7, 0x30C3, 0x30FC, 0x30A2, 0x30A4,
	0x30A6, 0x30A8, 0x30AA, 0x30AB, 0x30AD, 0x30AF, 0x30B1, 0x30B3, 0x30B5,
	0x30B7, 0x30B9, 0x30BB, 0x30BD, 0x30BF, 0x30C1, 0x30C4, 0x30C6, 0x30C8,
	0x30CA, 0x30CB, 0x30CC, 0x30CD, 0x30CE, 0x30CF, 0x30D2, 0x30D5, 0x30D8,
	0x30DB, 0x30DE, 0x30DF, 0x30E0, 0x30E1, 0x30E2, 0x30E4, 0x30E6, 0x30E8,
	0x30E9, 0x30EA, 0x30EB, 0x30EC, 0x30ED, 0x30EF, 0x30F3, 0x309B, 0x309C
};

static int takes_dakuten(uint32_t c)
{
	return (c >= 0x30AB && c <= 0x30C2 && (c & 1)) ||
	       (c >= 0x30C4 && c <= 0x30C8 && !(c & 1)) ||
	       (c >= 0x30CF && c <= 0x30DB && (c - 0x30CF) % 3 == 0);
}

static int takes_handakuten(uint32_t c)
{
	return c >= 0x30CF && c <= 0x30DB && (c - 0x30CF) % 3 == 0;
}

/* Combine a full-width kana with a following half-width voicing mark. */
static uint32_t voiced(uint32_t base, uint32_t mark)
{
	if (mark == 0xFF9E) {
		if (base == 0x30A6)
			return 0x30F4; /* ヴ */
		if (base == 0x30EF)
			return 0x30F7; /* ヷ */
		if (base == 0x30F2)
			return 0x30FA; /* ヺ */
		if (takes_dakuten(base))
			return base + 1;
	} else if (mark == 0xFF9F && takes_handakuten(base)) {
		return base + 2;
	}
	return 0;
}

/* Whether p[0..2] is a half-width katakana or mark, U+FF61..U+FF9F (EF BD A1-BF, EF BE 80-9F). */
static inline int half_kana(const unsigned char *p)
{
	return p[0] == 0xEF && ((p[1] == 0xBD && p[2] >= 0xA1 && p[2] <= 0xBF) || (p[1] == 0xBE && p[2] <= 0x9F && p[2] >= 0x80));
}

/*
 * Character by character: a half-width katakana becomes its full-width
 * form (with a following ﾞ or ﾟ that voices it, one character), with
 * ascii an ASCII space U+3000 and U+0021-U+007E their full-width forms,
 * and every other character stays as its bytes were (valid UTF-8 decodes
 * and encodes to the same bytes). Written straight into out, which first
 * gets room for three bytes out per byte in — the most any character
 * needs (one ASCII byte becomes three).
 */
int iko_width_zenkaku(iko_buf *out, const char *s, size_t len, int ascii)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	uint32_t cp;
	char *w;
	int n, rc;

	if (!len)
		return 0;
	if (len > ((size_t)-1 - 1) / 3)
		return iko_error_set(IKO_ENOMEM, "out of memory");
	if ((rc = iko_buf_grow(out, 3 * len)))
		return rc;
	w = out->ptr + out->len;
	while (i < len) {
		if (p[i] < 0x80) {
			if (ascii && p[i] == 0x20)
				w += iko_utf8_encode((unsigned char *)w, 0x3000);
			else if (ascii && p[i] >= 0x21 && p[i] <= 0x7E)
				w += iko_utf8_encode((unsigned char *)w, p[i] + 0xFEE0u);
			else
				*w++ = (char)p[i];
			i++;
			continue;
		}
		if (len - i >= 3 && half_kana(p + i)) {
			uint32_t full = kana[(0xF000u | (uint32_t)(p[i + 1] & 0x3F) << 6 | (p[i + 2] & 0x3F)) - 0xFF61];
			i += 3;
			/* ﾞ U+FF9E, ﾟ U+FF9F */
			if (len - i >= 3 && p[i] == 0xEF && p[i + 1] == 0xBE && (p[i + 2] == 0x9E || p[i + 2] == 0x9F) &&
			    (cp = voiced(full, p[i + 2] == 0x9E ? 0xFF9E : 0xFF9F)) != 0) {
				full = cp;
				i += 3;
			}
			w += iko_utf8_encode((unsigned char *)w, full);
			continue;
		}
		if ((n = iko_utf8_decode(s + i, len - i, &cp)) < 0) {
			out->len = (size_t)(w - out->ptr);
			*w = '\0';
			return iko_error_set(IKO_ECONV, "invalid UTF-8 at byte %zu", i);
		}
		memcpy(w, s + i, (size_t)n);
		w += n;
		i += (size_t)n;
	}
	out->len = (size_t)(w - out->ptr);
	*w = '\0';
	return 0;
}

int iko_width_hankaku(iko_buf *out, const char *s, size_t len)
{
	size_t i = 0;
	uint32_t cp;
	int n, rc;

	while (i < len) {
		n = iko_utf8_decode(s + i, len - i, &cp);
		if (n < 0)
			return iko_error_set(IKO_ECONV, "invalid UTF-8 at byte %zu", i);
		i += (size_t)n;
		if (cp == 0x3000)
			cp = 0x20;
		else if (cp >= 0xFF01 && cp <= 0xFF5E)
			cp -= 0xFEE0;
		if ((rc = iko_utf8_put(out, cp)))
			return rc;
	}
	return 0;
}
