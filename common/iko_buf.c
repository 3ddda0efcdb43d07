/*
 * iko_buf.c — growable byte buffer.
 */
#include "iko_buf.h"

#include "iko_error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int iko_buf_grow_slow(iko_buf *b, size_t extra)
{
	size_t need, cap;
	char *p;

	if (extra > (size_t)-1 / 2 - b->len)
		return iko_error_set(IKO_ENOMEM, "buffer too large");
	need = b->len + extra + 1;
	if (need <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap *= 2;
	p = realloc(b->ptr, cap);
	if (!p)
		return iko_error_set(IKO_ENOMEM, "out of memory (%zu bytes)", cap);
	if (!b->ptr)
		p[0] = '\0';
	b->ptr = p;
	b->cap = cap;
	return 0;
}

int iko_buf_puts(iko_buf *b, const char *s)
{
	return iko_buf_put(b, s, strlen(s));
}

int iko_buf_vprintf(iko_buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	int n, rc;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return iko_error_set(IKO_EINVAL, "bad format string");
	rc = iko_buf_grow(b, (size_t)n);
	if (rc)
		return rc;
	vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int iko_buf_printf(iko_buf *b, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = iko_buf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

int iko_buf_put_hex(iko_buf *b, const void *data, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	const unsigned char *p = data;
	size_t i;
	int rc = iko_buf_grow(b, len * 2);

	if (rc)
		return rc;
	for (i = 0; i < len; i++) {
		b->ptr[b->len++] = digits[p[i] >> 4];
		b->ptr[b->len++] = digits[p[i] & 15];
	}
	b->ptr[b->len] = '\0';
	return 0;
}

int iko_hex_digit(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

int iko_unhex(void *out, const char *hex, size_t len)
{
	unsigned char *o = out;
	size_t i;
	int hi, lo;

	if (len % 2)
		return 0;
	for (i = 0; i < len; i += 2) {
		if ((hi = iko_hex_digit(hex[i])) < 0 || (lo = iko_hex_digit(hex[i + 1])) < 0)
			return 0;
		o[i / 2] = (unsigned char)(hi << 4 | lo);
	}
	return 1;
}

int iko_buf_put_unhex(iko_buf *b, const char *hex, size_t len)
{
	int rc;

	if (len % 2)
		return 0;
	if (len == 0)
		return 1;
	if ((rc = iko_buf_grow(b, len / 2)))
		return rc;
	if (!iko_unhex(b->ptr + b->len, hex, len)) {
		b->ptr[b->len] = '\0';
		return 0;
	}
	b->len += len / 2;
	b->ptr[b->len] = '\0';
	return 1;
}

void iko_buf_truncate(iko_buf *b, size_t len)
{
	if (len < b->len) {
		b->len = len;
		b->ptr[len] = '\0';
	}
}

char *iko_buf_detach(iko_buf *b)
{
	char *p = b->ptr;

	if (!p) {
		p = malloc(1);
		if (!p) {
			iko_error_set(IKO_ENOMEM, "out of memory");
			return NULL;
		}
		p[0] = '\0';
	}
	b->ptr = NULL;
	b->len = b->cap = 0;
	return p;
}

void iko_buf_release(iko_buf *b)
{
	free(b->ptr);
	b->ptr = NULL;
	b->len = b->cap = 0;
}

char *iko_strndup(const char *s, size_t n)
{
	char *p = malloc(n + 1);

	if (!p) {
		iko_error_set(IKO_ENOMEM, "out of memory");
		return NULL;
	}
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *iko_strdup(const char *s)
{
	return iko_strndup(s, strlen(s));
}

char *iko_aprintf(const char *fmt, ...)
{
	iko_buf b = IKO_BUF_INIT;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = iko_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	if (rc) {
		iko_buf_release(&b);
		return NULL;
	}
	return iko_buf_detach(&b);
}
