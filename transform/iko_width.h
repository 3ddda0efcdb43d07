/*
 * iko_width.h — 半角↔全角 width normalisation for mapping packs.
 *
 * zenkaku: half-width katakana (U+FF61–U+FF9F) become full-width katakana,
 *   a following ﾞ/ﾟ (U+FF9E/U+FF9F) combining into the voiced form
 *   (ﾀﾞ → ダ, ﾊﾟ → パ, ｳﾞ → ヴ); with `ascii`, ASCII printable characters
 *   become their full-width forms (U+FF01–U+FF5E) and space becomes U+3000.
 * hankaku: full-width ASCII forms and U+3000 become ASCII (kana untouched).
 * Invalid UTF-8 is an error (IKO_ECONV), never silently altered.
 */
#ifndef IKO_WIDTH_H
#define IKO_WIDTH_H

#include <stddef.h>

struct iko_buf;

int iko_width_zenkaku(struct iko_buf *out, const char *s, size_t len, int ascii);
int iko_width_hankaku(struct iko_buf *out, const char *s, size_t len);

#endif
