/*
 * iko_buf.h — growable byte buffer, always NUL-terminated when ptr != NULL.
 *
 * Used for every string iko builds (paths, SQL identifiers, CSV rows, JSON).
 * An iko_buf is a value: initialise with IKO_BUF_INIT, release the contents
 * with iko_buf_release(). Functions return 0 or IKO_ENOMEM.
 */
#ifndef IKO_BUF_H
#define IKO_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <string.h>

typedef struct iko_buf {
	char *ptr;  /* contents; NULL until something is added */
	size_t len; /* bytes used, not counting the terminating NUL */
	size_t cap; /* bytes allocated */
} iko_buf;

#define IKO_BUF_INIT { NULL, 0, 0 }

/* iko_buf_grow when the room is not there yet: realloc. */
int iko_buf_grow_slow(iko_buf *b, size_t extra);

/*
 * Ensure room for `extra` more bytes plus the NUL (inline: the stages ask
 * before every field, and the room is nearly always there).
 */
static inline int iko_buf_grow(iko_buf *b, size_t extra)
{
	if (b->cap > b->len && extra < b->cap - b->len)
		return 0;
	return iko_buf_grow_slow(b, extra);
}

/* Append len bytes (inline: the stages append millions of short fields). */
static inline int iko_buf_put(iko_buf *b, const void *data, size_t len)
{
	int rc;

	if (len >= b->cap - b->len && (rc = iko_buf_grow(b, len)))
		return rc;
	if (len)
		memcpy(b->ptr + b->len, data, len);
	b->len += len;
	b->ptr[b->len] = '\0';
	return 0;
}

static inline int iko_buf_putc(iko_buf *b, int c)
{
	int rc;

	if (b->cap - b->len < 2 && (rc = iko_buf_grow(b, 1)))
		return rc;
	b->ptr[b->len++] = (char)c;
	b->ptr[b->len] = '\0';
	return 0;
}

int iko_buf_puts(iko_buf *b, const char *s);
int iko_buf_printf(iko_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int iko_buf_vprintf(iko_buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
/* Append len bytes as lower-case hex. */
int iko_buf_put_hex(iko_buf *b, const void *data, size_t len);
/* The value of a hex digit (either case), or -1. */
int iko_hex_digit(int ch);
/* The len / 2 bytes written as hex in hex[0..len) into out: 1, or 0 if it is not hex (out may be half written). */
int iko_unhex(void *out, const char *hex, size_t len);
/* Append the bytes written as hex in hex[0..len): 1, 0 if it is not hex (b as it was), or <0. */
int iko_buf_put_unhex(iko_buf *b, const char *hex, size_t len);
/* Set len to 0 keeping the allocation. */
static inline void iko_buf_clear(iko_buf *b)
{
	b->len = 0;
	if (b->ptr)
		b->ptr[0] = '\0';
}

/* Shorten to len (len <= b->len). */
void iko_buf_truncate(iko_buf *b, size_t len);
/* Contents as a C string: "" when empty, never NULL. */
static inline const char *iko_buf_cstr(const iko_buf *b)
{
	return b->ptr ? b->ptr : "";
}

/* Take ownership of the contents (caller frees; "" allocated if empty). */
char *iko_buf_detach(iko_buf *b);
/* Free the contents and reset to IKO_BUF_INIT. */
void iko_buf_release(iko_buf *b);

/* strdup that sets the last error on failure. Caller frees. */
char *iko_strdup(const char *s);
/* strndup equivalent that sets the last error on failure. Caller frees. */
char *iko_strndup(const char *s, size_t n);
/* Formatted allocation; NULL with the last error set on failure. Caller frees. */
char *iko_aprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
