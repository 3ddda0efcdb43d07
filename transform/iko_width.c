/*
 * iko_width.c — half-width/full-width conversion.
 */
#include "iko_width.h"

#include "iko_buf.h"
#include "iko_error.h"
#include "iko_utf8.h"

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

int iko_width_zenkaku(iko_buf *out, const char *s, size_t len, int ascii)
{
	size_t i = 0;
	uint32_t cp, next;
	int n, m, rc;

	while (i < len) {
		n = iko_utf8_decode(s + i, len - i, &cp);
		if (n < 0)
			return iko_error_set(IKO_ECONV, "invalid UTF-8 at byte %zu", i);
		i += (size_t)n;
		if (cp >= 0xFF61 && cp <= 0xFF9F) {
			uint32_t full = kana[cp - 0xFF61];
			if (i < len && (m = iko_utf8_decode(s + i, len - i, &next)) > 0 &&
			    (next == 0xFF9E || next == 0xFF9F) && voiced(full, next)) {
				full = voiced(full, next);
				i += (size_t)m;
			}
			cp = full;
		} else if (ascii && cp == 0x20) {
			cp = 0x3000;
		} else if (ascii && cp >= 0x21 && cp <= 0x7E) {
			cp += 0xFEE0;
		}
		if ((rc = iko_utf8_put(out, cp)))
			return rc;
	}
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
