/*
 * iko_charset.c — the standard character set check used by validate.
 *
 * Default set: JIS X 0213 (asked of glibc's EUC-JISX0213 converter, one
 * code point at a time, cached in a bitmap for the BMP), plus ideographic
 * variation selectors, plus the characters the municipality registered in
 * its gaiji table (their MJ文字 mapping makes them part of its set).
 * Control characters are never allowed.
 */
#include "iko_validate.h"

#include "iko_buf.h"
#include "iko_csv.h"
#include "iko_error.h"
#include "iko_strmap.h"
#include "iko_utf8.h"

#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct iko_charset {
	iconv_t cd;
	uint8_t known[65536 / 8]; /* the answer for a BMP code point is in ok[] */
	uint8_t ok[65536 / 8];
	iko_strmap *extra;  /* code points (as UTF-8) allowed by gaiji tables */
	int list_only;      /* an MJ list replaced JIS X 0213: only ASCII, IVS and the list */
};

int iko_charset_new(iko_charset **out)
{
	iko_charset *cs = calloc(1, sizeof(*cs));

	*out = NULL;
	if (!cs)
		return iko_error_set(IKO_ENOMEM, "out of memory");
	cs->cd = iconv_open("EUC-JISX0213", "UTF-8");
	if (cs->cd == (iconv_t)-1) {
		free(cs);
		return iko_error_set_errno(IKO_ECONV, "iconv cannot convert to EUC-JISX0213");
	}
	if (iko_strmap_new(&cs->extra)) {
		iconv_close(cs->cd);
		free(cs);
		return IKO_ENOMEM;
	}
	*out = cs;
	return 0;
}

void iko_charset_free(iko_charset *cs)
{
	if (!cs)
		return;
	iconv_close(cs->cd);
	iko_strmap_free(cs->extra);
	free(cs);
}

static int in_jisx0213(iko_charset *cs, uint32_t cp)
{
	iko_buf b = IKO_BUF_INIT;
	char out[16], *op = out, *ip;
	size_t il, ol = sizeof(out), r;

	if (iko_utf8_put(&b, cp))
		return 0;
	ip = b.ptr;
	il = b.len;
	iconv(cs->cd, NULL, NULL, NULL, NULL);
	r = iconv(cs->cd, &ip, &il, &op, &ol);
	if (r != (size_t)-1) {
		/* flush combining state (JIS X 0213 has combining sequences) */
		r = iconv(cs->cd, NULL, NULL, &op, &ol);
	}
	iko_buf_release(&b);
	return r != (size_t)-1 && r == 0;
}

static int in_set(iko_charset *cs, uint32_t cp)
{
	unsigned char u[4];
	size_t n;

	if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0))
		return 0;
	if (cp < 0x7F)
		return 1;
	if ((cp >= 0xFE00 && cp <= 0xFE0F) || (cp >= 0xE0100 && cp <= 0xE01EF))
		return 1;
	n = iko_utf8_encode(u, cp);
	if (iko_strmap_get(cs->extra, (const char *)u, n))
		return 1;
	if (cs->list_only)
		return 0;
	return in_jisx0213(cs, cp);
}

/* in_set, remembered per BMP code point (forgotten when the set changes). */
static int allowed(iko_charset *cs, uint32_t cp)
{
	if (cp >= 0x10000)
		return in_set(cs, cp);
	if (!(cs->known[cp >> 3] & (1u << (cp & 7)))) {
		cs->known[cp >> 3] |= (uint8_t)(1u << (cp & 7));
		if (in_set(cs, cp))
			cs->ok[cp >> 3] |= (uint8_t)(1u << (cp & 7));
	}
	return (cs->ok[cp >> 3] >> (cp & 7)) & 1;
}

static void forget(iko_charset *cs)
{
	memset(cs->known, 0, sizeof(cs->known));
	memset(cs->ok, 0, sizeof(cs->ok));
}

int iko_charset_scan(iko_charset *cs, const char *s, size_t len, size_t *nchars, unsigned *bad)
{
	size_t i = 0, count = 0;
	uint32_t cp;
	int n, ok = 1;

	while (i < len) {
		const unsigned char *p = (const unsigned char *)s + i;
		/* the common 3-byte character (kana, kanji) decoded here; the rest by iko_utf8_decode */
		if ((p[0] & 0xF0) == 0xE0 && len - i >= 3 && (p[1] & 0xC0) == 0x80 && (p[2] & 0xC0) == 0x80 &&
		    (cp = (uint32_t)(p[0] & 0x0F) << 12 | (uint32_t)(p[1] & 0x3F) << 6 | (p[2] & 0x3F)) >= 0x800 &&
		    (cp < 0xD800 || cp > 0xDFFF))
			n = 3;
		else if ((n = iko_utf8_decode(s + i, len - i, &cp)) < 0)
			return -1;
		if (ok && !allowed(cs, cp)) {
			*bad = cp;
			ok = 0;
		}
		i += (size_t)n;
		count++;
	}
	*nchars = count;
	return ok;
}

/* "U+9AD9 U+E0100" → each code point added to the extra set. */
static int add_unicode_list(iko_charset *cs, const char *s)
{
	iko_buf b = IKO_BUF_INIT;
	iko_strmap_entry *e;
	const char *p = s;
	int rc = 0;

	while (*p) {
		char *end;
		unsigned long cp;
		while (*p == ' ' || *p == '_' || *p == ',' || *p == ';')
			p++;
		if (!*p)
			break;
		if ((p[0] != 'U' && p[0] != 'u') || p[1] != '+')
			return iko_error_set(IKO_EPARSE, "bad unicode value \"%s\" (expected U+XXXX)", s);
		errno = 0;
		cp = strtoul(p + 2, &end, 16);
		if (errno || end == p + 2 || cp > 0x10FFFF)
			return iko_error_set(IKO_EPARSE, "bad unicode value \"%s\"", s);
		iko_buf_clear(&b);
		if ((rc = iko_utf8_put(&b, (uint32_t)cp)) ||
		    (rc = iko_strmap_upsert(cs->extra, b.ptr, b.len, &e)))
			break;
		p = end;
	}
	iko_buf_release(&b);
	forget(cs);
	return rc;
}

int iko_charset_add_gaiji_table(iko_charset *cs, const char *path)
{
	iko_csv_reader *r = NULL;
	iko_csv_row row;
	int rc, col = -1;

	if ((rc = iko_csv_reader_open(&r, path)))
		return rc;
	while ((rc = iko_csv_next(r, &row)) == 1) {
		if (row.record == 1) {
			col = iko_csv_find(&row, "unicode");
			if (col < 0) {
				rc = iko_error_set(IKO_EPARSE, "%s: header has no unicode column", path);
				break;
			}
			continue;
		}
		if ((size_t)col < row.nfields && row.lens[col] &&
		    (rc = add_unicode_list(cs, row.fields[col]))) {
			iko_error_set(IKO_EPARSE, "%s: record %lld: %s", path, row.record,
				      iko_error_message());
			break;
		}
	}
	iko_csv_reader_free(r);
	return rc < 0 ? rc : 0;
}

int iko_charset_use_list(iko_charset *cs, const char *path)
{
	static const char *const cols[] = { "unicode", "対応するUCS", "実装したUCS", "UCS", NULL };
	iko_csv_reader *r = NULL;
	iko_csv_row row;
	int rc, col = -1, k;
	long long n = 0;

	if ((rc = iko_csv_reader_open(&r, path)))
		return rc;
	while ((rc = iko_csv_next(r, &row)) == 1) {
		if (row.record == 1) {
			for (k = 0; cols[k] && col < 0; k++)
				col = iko_csv_find(&row, cols[k]);
			if (col < 0) {
				rc = iko_error_set(IKO_EPARSE, "%s: header has no unicode (or 対応するUCS) column", path);
				break;
			}
			continue;
		}
		if ((size_t)col < row.nfields && row.lens[col]) {
			if ((rc = add_unicode_list(cs, row.fields[col]))) {
				iko_error_set(IKO_EPARSE, "%s: record %lld: %s", path, row.record, iko_error_message());
				break;
			}
			n++;
		}
	}
	iko_csv_reader_free(r);
	if (rc < 0)
		return rc;
	if (n == 0)
		return iko_error_set(IKO_EPARSE, "%s: no characters listed", path);
	cs->list_only = 1;
	forget(cs);
	return 0;
}
