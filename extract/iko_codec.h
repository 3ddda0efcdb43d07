/*
 * iko_codec.h — legacy character codecs for extract, behind one table of
 * functions (see iko_codec.c for the backends):
 *
 *   sjis   CP932 / SHIFT_JIS through glibc iconv; the user-defined area
 *          (lead bytes 0xF0–0xF9) goes through the gaiji table
 *   ebcdic IBM930 / IBM939 / IBM1390 / IBM1399 through iconv; SO (0x0E) / SI
 *          (0x0F) mixed fields parsed here, DBCS-only fields wrapped in SO…SI,
 *          the DBCS user-defined area (lead bytes 0x69–0x7F) via the gaiji table
 *   jef    Fujitsu JEF: kanji in/out 0x28 / 0x29, JIS X 0208 + 0x8080 on the
 *          JIS C 6226-1978 code assignment (22 swapped pairs), user area
 *          0x80A1–0xA0FE; single bytes EBCDIK (CCSID 290)
 *   keis   Hitachi KEIS: shifts 0x0A42 / 0x0A41, JIS X 0208 + 0x8080, user
 *          area 0x81A1–0xA0FE; single bytes EBCDIK (CCSID 290)
 *   jipse  NEC JIPS(E): shifts 0x3F75 / 0x3F76, each byte of the JIS code
 *          remapped through EBCDIC (docs/extract.md states the table)
 *   iconv  any other encoding glibc iconv knows (IBM037, ASCII, EUC-JP, …)
 *
 * Conversion never uses //IGNORE or //TRANSLIT: bytes that do not convert
 * make the field undecodable. An unmapped user-defined character becomes
 * 〓 (U+3013) and is counted per code.
 */
#ifndef IKO_CODEC_H
#define IKO_CODEC_H

#include <stddef.h>

struct iko_buf;

typedef struct iko_codec iko_codec;

/* Open a codec by encoding name (case-insensitive). IKO_EINVAL if unknown. */
int iko_codec_open(iko_codec **out, const char *encoding);
/* Load a gaiji table (code,unicode,mj,note; code in hex of the legacy bytes). */
int iko_codec_load_gaiji(iko_codec *c, const char *path);
/*
 * Decode len bytes into out (cleared first). dbcs_only: the field holds
 * double-byte characters without shift codes (PIC N / G).
 * Returns 0, 1 when the bytes are not valid in the encoding, <0 on error.
 */
int iko_codec_decode(iko_codec *c, struct iko_buf *out, const unsigned char *s, size_t len,
		     int dbcs_only);
/* The same, appending to out (on 1 nothing is appended). */
int iko_codec_decode_append(iko_codec *c, struct iko_buf *out, const unsigned char *s, size_t len,
			    int dbcs_only);
/*
 * The same, then the spaces at the end of what was appended are trimmed
 * (U+0020 and U+3000: a fixed field's padding). Where it can, the codec
 * does not decode a run of spaces that ends the field.
 */
int iko_codec_decode_field(iko_codec *c, struct iko_buf *out, const unsigned char *s, size_t len,
			   int dbcs_only);
/* 1 when digits are EBCDIC (0xF0–0xF9) rather than ASCII. */
int iko_codec_ebcdic(const iko_codec *c);
/* Characters taken from the gaiji table / replaced by 〓 so far. */
long long iko_codec_gaiji_mapped(const iko_codec *c);
long long iko_codec_gaiji_unmapped(const iko_codec *c);
/* Iterate unmapped codes: *pos starts at 0; returns 0 at the end. */
int iko_codec_next_unmapped(const iko_codec *c, size_t *pos, char hex[9], long long *count);
/* Add src's gaiji counts (mapped, unmapped, per unmapped code) to dst's. */
int iko_codec_merge_counts(iko_codec *dst, const iko_codec *src);
void iko_codec_free(iko_codec *c);

#endif
