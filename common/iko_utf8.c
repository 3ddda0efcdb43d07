/*
 * iko_utf8.c — UTF-8 helpers.
 */
#include "iko_utf8.h"

#include "iko_buf.h"

int iko_utf8_decode(const char *s, size_t len, uint32_t *cp)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t c;
	int n, i;

	if (len == 0)
		return -1;
	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if (p[0] >= 0xC2 && p[0] <= 0xDF) {
		n = 2;
		c = p[0] & 0x1F;
	} else if (p[0] >= 0xE0 && p[0] <= 0xEF) {
		n = 3;
		c = p[0] & 0x0F;
	} else if (p[0] >= 0xF0 && p[0] <= 0xF4) {
		n = 4;
		c = p[0] & 0x07;
	} else {
		return -1;
	}
	if (len < (size_t)n)
		return -1;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return -1;
		c = c << 6 | (p[i] & 0x3F);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10FFFF)) ||
	    (c >= 0xD800 && c <= 0xDFFF))
		return -1;
	*cp = c;
	return n;
}

int iko_utf8_put(iko_buf *b, uint32_t cp)
{
	unsigned char t[4];

	return iko_buf_put(b, t, iko_utf8_encode(t, cp));
}

int iko_utf8_valid(const char *s, size_t len)
{
	size_t i = 0;
	uint32_t cp;

	while (i < len) {
		int n = iko_utf8_decode(s + i, len - i, &cp);
		if (n < 0)
			return 0;
		i += (size_t)n;
	}
	return 1;
}

size_t iko_utf8_length(const char *s, size_t len)
{
	size_t i = 0, count = 0;
	uint32_t cp;

	while (i < len) {
		int n = iko_utf8_decode(s + i, len - i, &cp);
		i += n < 0 ? 1 : (size_t)n;
		count++;
	}
	return count;
}

size_t iko_utf8_rtrim_len(const char *s, size_t len)
{
	for (;;) {
		if (len >= 1 && s[len - 1] == ' ')
			len--;
		else if (len >= 3 && (unsigned char)s[len - 3] == 0xE3 &&
			 (unsigned char)s[len - 2] == 0x80 && (unsigned char)s[len - 1] == 0x80)
			len -= 3;
		else
			return len;
	}
}

size_t iko_utf8_ltrim_off(const char *s, size_t len)
{
	size_t i = 0;

	for (;;) {
		if (i < len && s[i] == ' ')
			i++;
		else if (i + 3 <= len && (unsigned char)s[i] == 0xE3 &&
			 (unsigned char)s[i + 1] == 0x80 && (unsigned char)s[i + 2] == 0x80)
			i += 3;
		else
			return i;
	}
}
