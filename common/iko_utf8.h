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
