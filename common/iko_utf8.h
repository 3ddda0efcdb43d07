/*
 * iko_utf8.h — minimal UTF-8 decoding/encoding used by mapping functions
 * and validation (width conversion, character-set checks, trimming).
 */
#ifndef IKO_UTF8_H
#define IKO_UTF8_H

#include <stddef.h>
#include <stdint.h>

struct iko_buf;

/*
 * Decode one code point at s[0..len). Returns its byte length (1–4) and the
 * code point in *cp, or -1 for an invalid or truncated sequence (overlong
 * forms and surrogates are invalid).
 */
int iko_utf8_decode(const char *s, size_t len, uint32_t *cp);
/* cp (U+0000..U+10FFFF) as UTF-8 at out; returns its byte length (1-4). */
static inline size_t iko_utf8_encode(unsigned char out[4], uint32_t cp)
{
	if (cp < 0x80) {
		out[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (unsigned char)(0xC0 | cp >> 6);
		out[1] = (unsigned char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (unsigned char)(0xE0 | cp >> 12);
		out[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (unsigned char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (unsigned char)(0xF0 | cp >> 18);
	out[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (unsigned char)(0x80 | (cp & 0x3F));
	return 4;
}
/* Append cp as UTF-8. */
int iko_utf8_put(struct iko_buf *b, uint32_t cp);
/* 1 if the whole string is valid UTF-8. */
int iko_utf8_valid(const char *s, size_t len);
/* Number of code points (invalid bytes count one each). */
size_t iko_utf8_length(const char *s, size_t len);
/* Length after removing trailing U+0020 and U+3000. */
size_t iko_utf8_rtrim_len(const char *s, size_t len);
/* Length of s with leading U+0020/U+3000 skipped: returns offset of first kept byte. */
size_t iko_utf8_ltrim_off(const char *s, size_t len);

#endif
