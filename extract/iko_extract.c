/*
 * iko_extract.c — the extract stage (see iko_extract.h): layout loading,
 * codecs, record formats and field decoding, kept behind one entry point.
 */
#define _GNU_SOURCE /* fopencookie */
#include "iko_extract.h"

#include "iko_batches.h"
#include "iko_buf.h"
#include "iko_csv.h"
#include "iko_error.h"
#include "iko_fs.h"
#include "iko_codec.h"
#include "iko_input.h"
#include "iko_layout_internal.h"
#include "iko_json.h"
#include "iko_sha256.h"
#include "iko_strmap.h"
#include "iko_utf8.h"
#include "iko_yaml.h"

#include <errno.h>
#include <pthread.h>
#include <iconv.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- layout --------------------------------------------------------------- */

void iko_xlayout_free(xlayout *l)
{
	size_t i, k;

	for (i = 0; i < l->nrecs; i++) {
		for (k = 0; k < l->recs[i].n; k++)
			free(l->recs[i].f[k].name);
		free(l->recs[i].f);
		free(l->recs[i].name);
		free(l->recs[i].when);
	}
	free(l->recs);
	free(l->encoding);
	free(l->recfm);
	memset(l, 0, sizeof(*l));
}

static int ftype_of(const char *s, ftype *t)
{
	static const struct { const char *n; ftype t; } names[] = {
		{ "X", FT_X }, { "N", FT_N }, { "G", FT_N }, { "9", FT_9 }, { "S9", FT_S9 },
		{ "P", FT_P }, { "COMP-3", FT_P }, { "B", FT_B }, { "COMP", FT_B },
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcasecmp(names[i].n, s)) {
			*t = names[i].t;
			return 1;
		}
	return 0;
}

static int load_fields(xrec *r, const iko_yaml_doc *doc, const iko_yaml_node *fields)
{
	size_t i, cap = 0;
	int next = 0;
	long long occ, k;

	if (!fields || fields->kind != IKO_YAML_SEQ || fields->n == 0)
		return iko_error_set(IKO_EPARSE, "%s: record %s needs a list of fields",
				     iko_yaml_name(doc), r->name);
	for (i = 0; i < fields->n; i++) {
		const iko_yaml_node *fn = iko_yaml_at(fields, i);
		const char *name = iko_yaml_str(fn, "name", NULL), *type = iko_yaml_str(fn, "type", "X");
		const char *order = iko_yaml_str(fn, "order", NULL);
		long long off, len, scale;
		int sgn;
		ftype t;

		if (!name)
			return iko_error_set(IKO_EPARSE, "%s:%d: field needs a name", iko_yaml_name(doc), fn->line);
		if (iko_yaml_int(&off, fn, "offset", next) || iko_yaml_int(&len, fn, "length", 0) ||
		    iko_yaml_int(&scale, fn, "scale", 0) || iko_yaml_int(&occ, fn, "occurs", 1) ||
		    iko_yaml_bool(&sgn, fn, "signed", 0))
			return iko_error_set(IKO_EPARSE, "%s: %s", iko_yaml_name(doc), iko_error_message());
		if (!ftype_of(type, &t))
			return iko_error_set(IKO_EPARSE, "%s:%d: field %s: unknown type %s (X, N, G, 9, S9, P, B)",
					     iko_yaml_name(doc), fn->line, name, type);
		if (len < 1 || len > 32767 || off < 0 || off > 1000000 || occ < 1 || occ > 10000 ||
		    scale < 0 || scale > 18 || (t == FT_B && len != 1 && len != 2 && len != 4 && len != 8 && len != 16))
			return iko_error_set(IKO_EPARSE, "%s:%d: field %s: bad offset, length, scale or occurs",
					     iko_yaml_name(doc), fn->line, name);
		if (order && (t != FT_B || (strcmp(order, "big") && strcmp(order, "little"))))
			return iko_error_set(IKO_EPARSE, "%s:%d: field %s: order is big or little, for a binary (B) field",
					     iko_yaml_name(doc), fn->line, name);
		if (t == FT_S9)
			sgn = 1;
		for (k = 0; k < occ; k++) {
			xfield *f;
			if (r->n == cap) {
				xfield *a = realloc(r->f, (cap = cap ? cap * 2 : 32) * sizeof(*a));
				if (!a)
					return iko_error_set(IKO_ENOMEM, "out of memory");
				r->f = a;
			}
			f = &r->f[r->n++];
			memset(f, 0, sizeof(*f));
			f->name = occ > 1 ? iko_aprintf("%s_%lld", name, k + 1) : iko_strdup(name);
			if (!f->name)
				return IKO_ENOMEM;
			f->offset = (int)(off + k * len);
			f->length = (int)len;
			f->type = t;
			f->scale = (int)scale;
			f->is_signed = sgn;
			f->order = order && !strcmp(order, "little") ? XO_LITTLE : XO_BIG;
			f->filler = !strcasecmp(name, "FILLER");
			if (f->offset + f->length > r->length)
				r->length = f->offset + f->length;
		}
		next = (int)(off + occ * len);
	}
	return 0;
}

/*
 * COMP-5 items (XO_NATIVE) take the byte order given (comp5), else
 * big-endian in an EBCDIC encoding: IBM and the Japanese hosts are
 * big-endian machines. In any other encoding the file may come from a
 * little-endian PC or a big-endian Unix server and nothing in it tells
 * which, so it is an error naming the first such field, not a guess.
 */
static int resolve_comp5(xlayout *l, const char *comp5, int ebcdic, const char *enc)
{
	size_t i, j;

	if (comp5 && strcmp(comp5, "big") && strcmp(comp5, "little"))
		return iko_error_set(IKO_EINVAL, "--comp5 is big or little, not %s", comp5);
	for (i = 0; i < l->nrecs; i++)
		for (j = 0; j < l->recs[i].n; j++) {
			xfield *f = &l->recs[i].f[j];
			if (f->order != XO_NATIVE)
				continue;
			if (!comp5 && !ebcdic)
				return iko_error_set(IKO_EINVAL,
						     "field %s is COMP-5, binary in the byte order of the machine that "
						     "wrote the file, which %s data does not tell: give --comp5 big or "
						     "little (a pack input: comp5:)", f->name, enc);
			f->order = comp5 && !strcmp(comp5, "little") ? XO_LITTLE : XO_BIG;
		}
	return 0;
}

static int is_copybook(const char *path)
{
	size_t n = strlen(path);

	return n > 4 && (!strcasecmp(path + n - 4, ".cpy") || !strcasecmp(path + n - 4, ".cob") ||
			 !strcasecmp(path + n - 4, ".cbl"));
}

static int layout_load(xlayout *l, const char *path)
{
	iko_yaml_doc *doc = NULL;
	const iko_yaml_node *root, *recs, *rt;
	long long reclen, v;
	size_t i;
	int rc;

	memset(l, 0, sizeof(*l));
	if (is_copybook(path))
		return iko_copybook_load(l, path);
	if ((rc = iko_yaml_load_file(&doc, path)))
		return rc;
	root = iko_yaml_root(doc);
	l->encoding = iko_strdup(iko_yaml_str(root, "encoding", "CP932"));
	l->recfm = iko_strdup(iko_yaml_str(root, "recfm", "fixed"));
	if ((rc = iko_yaml_bool(&l->csv_header, root, "header", 0)))
		goto done;
	if ((rc = iko_yaml_int(&reclen, root, "record_length", 0)))
		goto done;
	recs = iko_yaml_get(root, "records");
	rt = iko_yaml_get(root, "record_type");
	if (recs) {
		if (!rt || recs->kind != IKO_YAML_SEQ || recs->n == 0) {
			rc = iko_error_set(IKO_EPARSE, "%s: records: needs record_type: {offset, length}", path);
			goto done;
		}
		if ((rc = iko_yaml_int(&v, rt, "offset", 0)))
			goto done;
		l->rt_off = (int)v;
		if ((rc = iko_yaml_int(&v, rt, "length", 1)))
			goto done;
		l->rt_len = (int)v;
	}
	l->nrecs = recs ? recs->n : 1;
	l->recs = calloc(l->nrecs, sizeof(*l->recs));
	if (!l->recs || !l->encoding || !l->recfm) {
		rc = iko_error_set(IKO_ENOMEM, "out of memory");
		goto done;
	}
	for (i = 0; i < l->nrecs; i++) {
		const iko_yaml_node *rn = recs ? iko_yaml_at(recs, i) : root;
		xrec *r = &l->recs[i];
		r->name = iko_strdup(iko_yaml_str(rn, "name", "records"));
		r->when = iko_strdup(iko_yaml_str(rn, "when", ""));
		if (!r->name || !r->when) {
			rc = IKO_ENOMEM;
			goto done;
		}
		if ((rc = load_fields(r, doc, iko_yaml_get(rn, "fields"))))
			goto done;
		if (r->length > l->reclen)
			l->reclen = r->length;
	}
	if (reclen) {
		if (reclen < l->reclen) {
			rc = iko_error_set(IKO_EPARSE, "%s: record_length %lld is shorter than the fields (%d bytes)",
					   path, reclen, l->reclen);
			goto done;
		}
		l->reclen = (int)reclen;
	}
done:
	iko_yaml_free(doc);
	if (rc)
		iko_xlayout_free(l);
	return rc;
}

/* ---- numbers ------------------------------------------------------------------ */

/* Append digits (most significant first) with scale and sign, canonical. */
static int put_decimal(iko_buf *out, const char *dg, size_t n, int scale, int neg)
{
	size_t i = 0, intlen;
	int nonzero = 0, rc = 0;

	for (i = 0; i < n; i++)
		if (dg[i] != '0')
			nonzero = 1;
	if (neg && nonzero)
		rc |= iko_buf_putc(out, '-');
	if (scale < 0) {
		/* P scaling: 9(3)PP holds hundreds */
		for (i = 0; i + 1 < n && dg[i] == '0'; i++)
			;
		rc |= iko_buf_put(out, dg + i, n - i);
		for (i = 0; nonzero && i < (size_t)-scale; i++)
			rc |= iko_buf_putc(out, '0');
		return rc ? IKO_ENOMEM : 0;
	}
	intlen = n > (size_t)scale ? n - (size_t)scale : 0;
	/* integer part without leading zeros */
	for (i = 0; i + 1 < intlen && dg[i] == '0'; i++)
		;
	if (intlen == 0)
		rc |= iko_buf_putc(out, '0');
	else
		rc |= iko_buf_put(out, dg + i, intlen - i);
	if (scale > 0) {
		rc |= iko_buf_putc(out, '.');
		for (i = (size_t)scale; i > n; i--)
			rc |= iko_buf_putc(out, '0');
		rc |= iko_buf_put(out, dg + intlen, n - intlen);
	}
	return rc ? IKO_ENOMEM : 0;
}

static int all_blank(const unsigned char *s, size_t len, int ebcdic)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] != (ebcdic ? 0x40 : 0x20))
			return 0;
	return 1;
}

/*
 * A sign nibble of packed decimal, or the zone of an EBCDIC zoned digit
 * that carries the sign: 1 plus, -1 minus, 0 not a sign. IBM's
 * architecture (z/Architecture Principles of Operation, "Decimal
 * Instructions") and its COBOL take A, C, E and F as plus and B and D as
 * minus; C, D and F are the ones hosts write, A, B and E are as valid.
 */
static int sign_nibble(unsigned v)
{
	if (v == 0xB || v == 0xD)
		return -1;
	return v >= 0xA ? 1 : 0;
}

/* One digit byte, plain or overpunched. Returns the digit, -1 invalid; *neg set. */
static int zoned_digit(int ebcdic, unsigned b, int overpunch, int *neg)
{
	if (ebcdic) {
		int sg = overpunch ? sign_nibble(b >> 4) : (b >> 4 == 0xF);

		if ((b & 0x0F) > 9 || sg == 0)
			return -1;
		if (sg < 0)
			*neg = 1;
		return (int)(b & 0x0F);
	}
	if (b >= '0' && b <= '9')
		return (int)(b - '0');
	if (overpunch && (b == '{' || (b >= 'A' && b <= 'I')))
		return b == '{' ? 0 : (int)(b - 'A' + 1);
	if (overpunch && (b == '}' || (b >= 'J' && b <= 'R'))) {
		*neg = 1;
		return b == '}' ? 0 : (int)(b - 'J' + 1);
	}
	if (overpunch && b >= 'p' && b <= 'y') {
		*neg = 1;
		return (int)(b - 'p');
	}
	return -1;
}

/*
 * Zoned decimal (DISPLAY digits) with its sign: overpunched in the last
 * (default) or first byte, or a separate leading/trailing '+'/'-' byte.
 * 0 ok, 1 invalid.
 */
static int decode_zoned(const iko_codec *cdc, iko_buf *out, const xfield *f, const unsigned char *s)
{
	char dg[64];
	size_t n = (size_t)f->length, i, first = 0, last = n, nd = 0;
	int neg = 0, d;
	int ebcdic = iko_codec_ebcdic(cdc);
	unsigned plus = ebcdic ? 0x4E : '+', minus = ebcdic ? 0x60 : '-';

	if (n > 39)
		return 1;
	if (f->is_signed && (f->sign == XS_LEADING_SEPARATE || f->sign == XS_TRAILING_SEPARATE)) {
		unsigned sb = f->sign == XS_LEADING_SEPARATE ? s[0] : s[n - 1];
		if (sb == minus)
			neg = 1;
		else if (sb != plus)
			return 1;
		if (f->sign == XS_LEADING_SEPARATE)
			first = 1;
		else
			last = n - 1;
	}
	for (i = first; i < last; i++) {
		int op = f->is_signed && ((f->sign == XS_TRAILING && i == n - 1) ||
					  (f->sign == XS_LEADING && i == 0));
		d = zoned_digit(ebcdic, s[i], op, &neg);
		if (d < 0)
			return 1;
		dg[nd++] = (char)('0' + d);
	}
	return put_decimal(out, dg, nd, f->scale, neg);
}

static int decode_packed(iko_buf *out, const xfield *f, const unsigned char *s)
{
	char dg[80];
	size_t n = 0, i;
	int sign = sign_nibble(s[f->length - 1] & 0x0F);

	if (sign == 0)
		return 1;
	for (i = 0; i < (size_t)f->length; i++) {
		unsigned hi = s[i] >> 4, lo = s[i] & 0x0F;
		if (hi > 9 || n >= sizeof(dg) - 2)
			return 1;
		dg[n++] = (char)('0' + hi);
		if (i + 1 < (size_t)f->length) {
			if (lo > 9)
				return 1;
			dg[n++] = (char)('0' + lo);
		}
	}
	return put_decimal(out, dg, n, f->scale, sign < 0);
}

/*
 * Big-endian two's complement (signed) or unsigned binary of 1–16 bytes,
 * converted to decimal by long division on 32-bit limbs (no floating point,
 * no 128-bit compiler extension).
 */
static int decode_binary(iko_buf *out, const xfield *f, const unsigned char *s)
{
	uint32_t w[4] = { 0, 0, 0, 0 };
	char dg[48], tmp[48];
	unsigned char be[16];
	int i, neg = 0, n = 0, nz, k;

	if (f->length < 1 || f->length > 16)
		return 1;
	if (f->order == XO_LITTLE) {
		for (i = 0; i < f->length; i++)
			be[i] = s[f->length - 1 - i];
		s = be;
	}
	for (i = 0; i < f->length; i++) {
		int pos = f->length - 1 - i;          /* byte position from the right */
		w[3 - pos / 4] |= (uint32_t)s[i] << (8 * (pos % 4));
	}
	if (f->is_signed && (s[0] & 0x80)) {
		uint64_t carry = 1;
		for (i = f->length; i < 16; i++)      /* sign-extend to 16 bytes */
			w[3 - i / 4] |= (uint32_t)0xFF << (8 * (i % 4));
		for (i = 3; i >= 0; i--) {            /* negate: ~w + 1 */
			uint64_t v = (uint64_t)(uint32_t)~w[i] + carry;
			w[i] = (uint32_t)v;
			carry = v >> 32;
		}
		neg = 1;
	}
	do {
		uint64_t rem = 0;
		nz = 0;
		for (i = 0; i < 4; i++) {
			uint64_t cur = rem << 32 | w[i];
			w[i] = (uint32_t)(cur / 1000000000u);
			rem = cur % 1000000000u;
			nz |= w[i] != 0;
		}
		for (k = 0; k < 9 && (nz || rem); k++) {
			tmp[n++] = (char)('0' + rem % 10);
			rem /= 10;
		}
		if (nz)
			for (; k < 9; k++)
				tmp[n++] = '0';
	} while (nz);
	if (n == 0)
		tmp[n++] = '0';
	for (i = 0; i < n; i++)
		dg[i] = tmp[n - 1 - i];
	return put_decimal(out, dg, (size_t)n, f->scale, neg);
}

/* ---- record formats ----------------------------------------------------------- */

typedef struct reader {
	FILE *fp;
	int kind;             /* 0 fixed, 1 lines, 2 rdw, 3 vb, 4 csv */
	int reclen;
	long long offset;     /* byte offset of the next record */
	long long block_left; /* vb: bytes left in the current block */
	iko_buf rec;
	iko_sha256 sha;
	int hash_inline;      /* hash while reading (zip members); else a thread hashes the file */
	int broken;           /* rdw/vb: cannot resync */
	unsigned char *buf;   /* read buffer: bytes [pos, len) not consumed yet */
	size_t len, pos, cap;
	int eof;
	const char *note;     /* the detail of a record the reader rejects (next_record 2) */
	char note_buf[200];   /* the detail of the rest of a broken input (the last record) */
} reader;

#define RD_CHUNK (1u << 20)
#define RD_MAX_LINE (16u << 20)

/* Make n bytes available at buf + pos (fewer only at EOF). <0 on error. */
static int rd_fill(reader *r, size_t n)
{
	size_t got;

	if (r->len - r->pos >= n || r->eof)
		return 0;
	if (r->pos && r->len > r->pos)
		memmove(r->buf, r->buf + r->pos, r->len - r->pos);
	r->len -= r->pos;
	r->pos = 0;
	if (n > r->cap || r->cap - r->len < RD_CHUNK / 2) {
		size_t cap = r->cap ? r->cap : RD_CHUNK;
		unsigned char *nb;
		while (cap < n || cap - r->len < RD_CHUNK / 2)
			cap *= 2;
		nb = realloc(r->buf, cap);
		if (!nb)
			return iko_error_set(IKO_ENOMEM, "out of memory");
		r->buf = nb;
		r->cap = cap;
	}
	while (r->len < n && !r->eof) {
		got = fread(r->buf + r->len, 1, r->cap - r->len, r->fp);
		if (got == 0) {
			if (ferror(r->fp))
				return IKO_EIO;
			r->eof = 1;
			break;
		}
		if (r->hash_inline)
			iko_sha256_update(&r->sha, r->buf + r->len, got);
		r->len += got;
	}
	return 0;
}

/* Move n available bytes into the record. */
static int rd_take(reader *r, size_t n)
{
	int rc = iko_buf_put(&r->rec, r->buf + r->pos, n);

	r->pos += n;
	r->offset += (long long)n;
	return rc;
}

static size_t rd_avail(const reader *r)
{
	return r->len - r->pos;
}

/* The detail of a fixed-length or line record of another length (IKO_R_RECLEN). */
#define RECLEN_NOTE "record length differs from the layout"

/* A record the reader rejects for reason IKO_R_RDW: detail note. Returns 2. */
static int rd_reject(reader *r, enum iko_reason *reason, const char *note)
{
	r->note = note;
	*reason = IKO_R_RDW;
	return 2;
}

/* The bytes of the rest of an input that cannot be cut into records kept in its reject. */
#define RD_REST_RAW (1u << 20)

/*
 * Peek at a 4-byte descriptor word: *len its length, *code its byte 2 (a
 * segment's control code), or *len -1 when fewer than 4 bytes are left or
 * the word is not one: byte 3 must be 0, byte 2 at most 3 (BDW: 0). A BDW
 * with its first bit set is an extended one (large block interface): a
 * length of 31 bits. Nothing is consumed.
 */
static int rd_peek_word(reader *r, int bdw, long long *len, int *code)
{
	const unsigned char *h;
	int rc;

	*len = -1;
	*code = 0;
	if ((rc = rd_fill(r, 4)))
		return rc;
	if (rd_avail(r) < 4)
		return 0;
	h = r->buf + r->pos;
	if (bdw && (h[0] & 0x80)) {
		*len = (long long)(h[0] & 0x7F) << 24 | (long long)h[1] << 16 | h[2] << 8 | h[3];
		return 0;
	}
	if (h[3] || h[2] > (bdw ? 0 : 3))
		return 0;
	*len = h[0] << 8 | h[1];
	*code = h[2];
	return 0;
}

/*
 * The input cannot be cut into records from here: the rest of it, to its
 * end, becomes one rejected record (its first RD_REST_RAW bytes kept as
 * raw bytes, all of them read, so that they are counted and fingerprinted),
 * and the reader ends. Whatever the record had (a spanned record's first
 * segments) stays in front. Returns 2 (reject) or <0.
 */
static int rd_break(reader *r, enum iko_reason *reason, const char *what)
{
	long long rest = 0;
	size_t n;
	int rc;

	for (;;) {
		if ((rc = rd_fill(r, RD_CHUNK)))
			return rc;
		if ((n = rd_avail(r)) == 0)
			break;
		if (r->rec.len < RD_REST_RAW) {
			size_t keep = RD_REST_RAW - r->rec.len < n ? RD_REST_RAW - r->rec.len : n;
			if (iko_buf_put(&r->rec, r->buf + r->pos, keep))
				return IKO_ENOMEM;
		}
		r->pos += n;
		r->offset += (long long)n;
		rest += (long long)n;
	}
	snprintf(r->note_buf, sizeof(r->note_buf), "%s; the %lld bytes from here to the end of the input "
		 "cannot be cut into records%s", what, rest,
		 r->rec.len >= RD_REST_RAW ? " (raw bytes: the first 1048576)" : "");
	r->broken = 1;
	return rd_reject(r, reason, r->note_buf);
}

/*
 * A variable-length record (rdw: RDW, length, data; vb: the same in blocks
 * behind a BDW). A record may be spanned over segments (RECFM=VS/VBS):
 * byte 2 of each segment's descriptor says 0 whole, 1 first, 3 middle,
 * 2 last; the record is its segments' data, at the first one's offset. A
 * middle or last segment with no first one is rejected on its own; a
 * spanned record cut short by a whole or first segment is rejected, and
 * that segment read next. A descriptor that is not one, or a length that
 * does not fit, ends the reader (rd_break).
 */
static int next_variable(reader *r, long long *rec_off, enum iko_reason *reason)
{
	long long len;
	int rc, code, open = 0;
	size_t n;

	for (;;) {
		if ((rc = rd_fill(r, 4)))
			return rc;
		if (rd_avail(r) == 0) {
			/* the end of the input: what is open is rejected, once */
			r->broken = open || (r->kind == 3 && r->block_left > 0);
			if (open)
				return rd_reject(r, reason, "spanned record without its last segment at the end of the input");
			if (r->broken)
				return rd_reject(r, reason, "block shorter than its descriptor word says, at the end of the input");
			return 0;
		}
		if (r->kind == 3 && r->block_left <= 0) {
			if ((rc = rd_peek_word(r, 1, &len, &code)))
				return rc;
			if (len < 8)
				return rd_break(r, reason, "bad block descriptor word");
			r->pos += 4;
			r->offset += 4;
			r->block_left = len - 4;
			if (!open)
				*rec_off = r->offset;
			continue; /* the block's first record descriptor */
		}
		if ((rc = rd_peek_word(r, 0, &len, &code)))
			return rc;
		if (len < 4 || (r->kind == 3 && len > r->block_left))
			return rd_break(r, reason, "bad record descriptor word");
		if (open && (code == 0 || code == 1)) /* cut short: this segment begins the next record */
			return rd_reject(r, reason, "spanned record without its last segment");
		r->pos += 4;
		r->offset += 4;
		if (r->kind == 3)
			r->block_left -= len;
		if ((rc = rd_fill(r, (size_t)len - 4)))
			return rc;
		n = rd_avail(r) < (size_t)len - 4 ? rd_avail(r) : (size_t)len - 4;
		if ((rc = rd_take(r, n)))
			return rc;
		if (n < (size_t)len - 4) {
			r->broken = 1;
			return rd_reject(r, reason, "record shorter than its descriptor word says, at the end of the input");
		}
		if (!open && (code == 2 || code == 3))
			return rd_reject(r, reason, "segment of a spanned record without its first segment");
		if (code == 0 || code == 2)
			return 1;
		open = 1;
	}
}

/*
 * Next record into r->rec. Returns 1 record, 0 EOF, 2 record to reject
 * (*reason set, r->note its detail), <0 I/O error. *rec_off is its byte
 * offset.
 */
static int next_record(reader *r, long long *rec_off, enum iko_reason *reason)
{
	const unsigned char *nl;
	int rc;
	size_t n;

	iko_buf_clear(&r->rec);
	*rec_off = r->offset;
	if (r->broken)
		return 0;
	switch (r->kind) {
	case 0:
		if ((rc = rd_fill(r, (size_t)r->reclen)))
			return rc;
		n = rd_avail(r) < (size_t)r->reclen ? rd_avail(r) : (size_t)r->reclen;
		if (n == 0)
			return 0;
		if ((rc = rd_take(r, n)))
			return rc;
		if (n < (size_t)r->reclen) {
			r->note = RECLEN_NOTE;
			*reason = IKO_R_RECLEN;
			return 2;
		}
		return 1;
	case 1:
		for (n = (size_t)r->reclen + 2;; n = rd_avail(r) * 2) {
			if ((rc = rd_fill(r, n)))
				return rc;
			nl = memchr(r->buf + r->pos, '\n', rd_avail(r));
			if (nl || r->eof || rd_avail(r) >= RD_MAX_LINE)
				break;
		}
		if (!nl && rd_avail(r) == 0)
			return 0;
		n = nl ? (size_t)(nl - (r->buf + r->pos)) : rd_avail(r);
		if ((rc = rd_take(r, n)))
			return rc;
		if (nl) {
			r->pos++;
			r->offset++;
		}
		if (r->rec.len && r->rec.ptr[r->rec.len - 1] == '\r')
			iko_buf_truncate(&r->rec, r->rec.len - 1);
		if (r->rec.len != (size_t)r->reclen) {
			r->note = RECLEN_NOTE;
			*reason = IKO_R_RECLEN;
			return 2;
		}
		return 1;
	default:
		return next_variable(r, rec_off, reason);
	}
}

/* ---- input fingerprint -------------------------------------------------------- */

typedef struct hasher {
	pthread_t th;
	const char *path;
	char hex[65];
	int err;
	int started;
} hasher;

/* Hash a plain file on the other core while the main thread decodes it. */
static void *hash_main(void *arg)
{
	hasher *h = arg;
	long long size;

	h->err = iko_file_sha256(h->hex, &size, h->path);
	return NULL;
}

/* ---- the stage ------------------------------------------------------------------ */

/*
 * Field decoding, shared by the serial path and the decoding threads: each
 * decoder has its own codec (iconv descriptors are not shared) and buffers.
 */
typedef struct xdec {
	/* each decoder on cache lines of its own (see xbatch) */
	_Alignas(64) const xlayout *lay;
	const char *enc;       /* for messages */
	iko_codec *cdc;
	iko_buf tmp;
	int variable;          /* rdw/vb: absent trailing fields are empty */
	const char *source;    /* the input's name, for rejects */
	iko_csv_reader *csv;   /* csv threads: parses a batch in memory */
	long long hdr_skip;    /* csv: 1 when record 1 was a header (not counted) */
} xdec;

/* Why a record was rejected (fields point into the layout or detail). */
typedef struct xfail {
	enum iko_reason why;
	const char *field;
	char detail[160];
} xfail;

typedef struct xout {
	iko_csv_writer *w;
	char *path;
	long long rows;
} xout;

typedef struct xctx {
	const iko_extract_options *o;
	iko_extract_stats *st;
	xlayout lay;
	iko_codec *cdc;
	/* the reader's fields, written at every record, on lines of their own
	 * (the decoding threads read lay, before it, all the time) */
	_Alignas(64) reader rd;
	_Alignas(64) xout *outs;
	iko_rejects *rej;
	char *source;
	xdec dec;              /* the serial path's decoder */
	const char *enc;
	iko_buf *lines;        /* serial path: pending CSV lines per record type */
	long long *pending;
	long long input_size;  /* bytes, for the progress estimate (0: unknown) */
} xctx;

/* An extract reject: the record's place, its bytes, why. */
static void make_reject(iko_reject *rj, const char *source, long long recno, long long off, const void *raw,
			size_t len, enum iko_reason why, const char *field, const char *detail)
{
	memset(rj, 0, sizeof(*rj));
	rj->stage = "extract";
	rj->source = source;
	rj->record = recno;
	rj->offset = off;
	rj->reason = why;
	rj->severity = IKO_SEV_REJECT;
	rj->field = field;
	rj->detail = detail;
	rj->raw = raw;
	rj->raw_len = len;
}

static int reject(xctx *c, long long recno, long long off, enum iko_reason why, const char *field,
		  const char *detail)
{
	iko_reject rj;

	make_reject(&rj, c->source, recno, off, c->rd.rec.ptr, c->rd.rec.len, why, field, detail);
	c->st->records_rejected++;
	c->st->by_reason[why]++;
	if (c->o->stop_on_error)
		return iko_error_set(IKO_ERROR, "%s: record %lld (byte offset %lld): %s%s%s", c->source,
				     recno, off, iko_reason_code(why), field ? " in field " : "",
				     field ? field : "");
	return iko_rejects_add(c->rej, &rj);
}

static int pick_record(xdec *d, const unsigned char *rec, size_t len, size_t *which)
{
	size_t i;

	if (d->lay->rt_len == 0) {
		*which = 0;
		return 1;
	}
	if ((size_t)(d->lay->rt_off + d->lay->rt_len) > len)
		return 0;
	if (iko_codec_decode(d->cdc, &d->tmp, rec + d->lay->rt_off, (size_t)d->lay->rt_len, 0) != 0)
		return 0;
	iko_buf_truncate(&d->tmp, iko_utf8_rtrim_len(iko_buf_cstr(&d->tmp), d->tmp.len));
	for (i = 0; i < d->lay->nrecs; i++)
		if (!strcmp(d->lay->recs[i].when, iko_buf_cstr(&d->tmp))) {
			*which = i;
			return 1;
		}
	return 0;
}

/* The field b[start..] as a CSV field: quoted (inner quotes doubled) when needed. */
static int csv_quote_tail(iko_buf *b, size_t start)
{
	size_t n = b->len - start, i, q = 0, k, j, newn;
	char *p;

	if (!iko_csv_needs_quotes(b->ptr + start, n))
		return 0;
	for (i = 0; i < n; i++)
		q += b->ptr[start + i] == '"';
	if (iko_buf_grow(b, q + 2))
		return IKO_ENOMEM;
	p = b->ptr + start;
	newn = n + q + 2;
	p[newn - 1] = '"';
	k = newn - 2;
	for (j = n; j-- > 0;) {
		p[k--] = p[j];
		if (p[j] == '"')
			p[k--] = '"';
	}
	p[0] = '"';
	b->len = start + newn;
	b->ptr[b->len] = '\0';
	return 0;
}

/*
 * Decode one record and append it as a CSV line to outs[*which] (the
 * record type's output). 0 decoded, 1 rejected (*f says why; nothing was
 * appended), <0 error.
 */
static int decode_record(xdec *d, const unsigned char *rec, size_t len, iko_buf *outs,
			 size_t *which, xfail *f)
{
	const xrec *r;
	iko_buf *b;
	size_t i, line_start, start, nv = 0;
	int rc, bad, ebcdic = iko_codec_ebcdic(d->cdc);

	if (!pick_record(d, rec, len, which)) {
		f->why = IKO_R_RECTYPE;
		f->field = NULL;
		snprintf(f->detail, sizeof(f->detail), "record type not in the layout");
		return 1;
	}
	r = &d->lay->recs[*which];
	b = &outs[*which];
	line_start = b->len;
	if (d->variable && len > (size_t)r->length) {
		/* bytes no field describes: the layout is not this file's */
		f->why = IKO_R_RECLEN;
		f->field = NULL;
		snprintf(f->detail, sizeof(f->detail), "record is %zu bytes, longer than the layout's %d", len,
			 r->length);
		goto rejected;
	}
	for (i = 0; i < r->n; i++) {
		const xfield *fl = &r->f[i];
		const unsigned char *src = rec + fl->offset;
		if (fl->filler)
			continue;
		if (nv++ && iko_buf_putc(b, ','))
			return IKO_ENOMEM;
		start = b->len;
		if ((size_t)(fl->offset + fl->length) > len) {
			if (!d->variable || ((size_t)fl->offset < len && fl->type == FT_B)) {
				f->why = IKO_R_RECLEN;
				f->field = fl->name;
				snprintf(f->detail, sizeof(f->detail), "record is %zu bytes, field ends at %d", len,
					 fl->offset + fl->length);
				goto rejected;
			}
			if ((size_t)fl->offset >= len)
				continue; /* variable records: absent trailing fields are empty */
			{
				/*
				 * A variable record that ends inside a field: its trailing
				 * blanks were cut (DFSORT FTOV,VLTRIM and the like). The
				 * field is read with them put back, as VTOF's VLFILL does:
				 * text keeps what is there, a number cut in its digits does
				 * not decode and rejects the record.
				 */
				size_t have = len - (size_t)fl->offset;
				iko_buf_clear(&d->tmp);
				if (iko_buf_put(&d->tmp, src, have))
					return IKO_ENOMEM;
				for (; have < (size_t)fl->length; have++)
					if (iko_buf_putc(&d->tmp, ebcdic ? '\x40' : ' '))
						return IKO_ENOMEM;
				src = (const unsigned char *)d->tmp.ptr;
			}
		}
		if (fl->type == FT_X || fl->type == FT_N) {
			size_t flen = (size_t)fl->length;
			/* trailing ASCII spaces go before decoding: in ASCII-based
			 * encodings 0x20 is never part of a multibyte character */
			if (!ebcdic)
				while (flen && src[flen - 1] == ' ')
					flen--;
			bad = iko_codec_decode_field(d->cdc, b, src, flen, fl->type == FT_N);
		} else if ((fl->type == FT_9 || fl->type == FT_S9 || fl->type == FT_P) &&
			   all_blank(src, (size_t)fl->length, ebcdic)) {
			bad = 0; /* a number never set: a record initialised to SPACES */
		} else if (fl->type == FT_9 || fl->type == FT_S9) {
			bad = decode_zoned(d->cdc, b, fl, src);
		} else if (fl->type == FT_P) {
			bad = decode_packed(b, fl, src);
		} else {
			bad = decode_binary(b, fl, src);
		}
		if (bad < 0)
			return bad;
		if (bad) {
			enum iko_reason why = fl->type == FT_X || fl->type == FT_N ? IKO_R_DECODE
					      : fl->type == FT_P ? IKO_R_PACKED
					      : fl->type == FT_B ? IKO_R_BINARY : IKO_R_ZONED;
			f->why = why;
			f->field = fl->name;
			snprintf(f->detail, sizeof(f->detail), "bytes %d..%d of the record are not valid %s",
				 fl->offset, fl->offset + fl->length - 1,
				 why == IKO_R_DECODE ? d->enc
				 : why == IKO_R_PACKED ? "packed decimal"
				 : why == IKO_R_BINARY ? "binary" : "zoned decimal");
			goto rejected;
		}
		if ((rc = csv_quote_tail(b, start)))
			return rc;
	}
	return iko_buf_putc(b, '\n') ? IKO_ENOMEM : 0;
rejected:
	iko_buf_truncate(b, line_start);
	return 1;
}

/* Write the pending CSV lines of record type k. */
static int flush_lines(xctx *c, size_t k)
{
	int rc = iko_csv_write_raw(c->outs[k].w, c->lines[k].ptr, c->lines[k].len, c->pending[k]);

	iko_buf_clear(&c->lines[k]);
	c->pending[k] = 0;
	return rc;
}

/*
 * Tell a follower (transform beside extract) the size each output will
 * have, from the share of the input read: consumed bytes of it gave the
 * lines written and pending.
 */
static void expect_outputs(xctx *c, long long consumed)
{
	size_t k;

	for (k = 0; k < c->lay.nrecs; k++)
		iko_csv_writer_expect(c->outs[k].w, (long long)c->lines[k].len, consumed, c->input_size);
}

static int do_record(xctx *c, long long recno, long long off)
{
	size_t which;
	xfail f;
	int rc;

	rc = decode_record(&c->dec, (const unsigned char *)c->rd.rec.ptr, c->rd.rec.len, c->lines,
			   &which, &f);
	if (rc < 0)
		return rc;
	if (rc)
		return reject(c, recno, off, f.why, f.field, f.detail);
	c->pending[which]++;
	c->outs[which].rows++;
	c->st->records_written++;
	if (c->lines[which].len >= (1u << 20))
		return flush_lines(c, which);
	return 0;
}

static int open_outputs(xctx *c)
{
	const char *out = c->o->out;
	size_t n = strlen(out), i, k;
	int single_file = c->lay.nrecs == 1 && n > 4 && !strcasecmp(out + n - 4, ".csv");
	int rc;

	if (c->lay.nrecs > 1 && n > 4 && !strcasecmp(out + n - 4, ".csv"))
		return iko_error_set(IKO_EINVAL, "layout has %zu record types: --out must be a directory",
				     c->lay.nrecs);
	if (!single_file && (rc = iko_mkdir_p(out, 1)))
		return rc;
	if (single_file) {
		char *dir = iko_strdup(out), *slash = dir ? strrchr(dir, '/') : NULL;
		if (!dir)
			return IKO_ENOMEM;
		if (slash && slash != dir) {
			*slash = '\0';
			rc = iko_mkdir_p(dir, 1);
		} else {
			rc = 0;
		}
		free(dir);
		if (rc)
			return rc;
	}
	c->outs = calloc(c->lay.nrecs, sizeof(*c->outs));
	if (!c->outs)
		return IKO_ENOMEM;
	for (i = 0; i < c->lay.nrecs; i++) {
		const xrec *r = &c->lay.recs[i];
		char *name = iko_aprintf("%s.csv", r->name);
		c->outs[i].path = single_file ? iko_strdup(out) : name ? iko_path_join(out, name) : NULL;
		free(name);
		if (!c->outs[i].path)
			return IKO_ENOMEM;
		if ((rc = iko_csv_writer_open(&c->outs[i].w, c->outs[i].path, 0600)) ||
		    (c->o->follow && (rc = iko_csv_writer_follow(c->outs[i].w, c->o->follow))))
			return rc;
		for (k = 0; k < r->n; k++)
			if (!r->f[k].filler && (rc = iko_csv_write_str(c->outs[i].w, r->f[k].name)))
				return rc;
		if ((rc = iko_csv_end_row(c->outs[i].w)))
			return rc;
	}
	return 0;
}

static int write_manifest(xctx *c, const char *path, const char *enc, const char *recfm)
{
	iko_buf b = IKO_BUF_INIT;
	iko_json j;
	size_t i, pos = 0;
	char hex[9];
	long long count;
	int rc, r;

	iko_json_init(&j, &b);
	iko_json_object_begin(&j);
	iko_json_kv_str(&j, "stage", "extract");
	iko_json_kv_str(&j, "input", c->o->input);
	iko_json_kv_str(&j, "input_sha256", c->st->input_sha256);
	iko_json_kv_int(&j, "input_bytes", c->st->bytes);
	iko_json_kv_str(&j, "layout", c->o->layout_path);
	iko_json_kv_str(&j, "encoding", enc);
	iko_json_kv_str(&j, "recfm", recfm);
	iko_json_kv_int(&j, "records_read", c->st->records_read);
	iko_json_kv_int(&j, "records_written", c->st->records_written);
	iko_json_kv_int(&j, "records_rejected", c->st->records_rejected);
	iko_json_key(&j, "rejected_by_reason");
	iko_json_object_begin(&j);
	for (r = 0; r < IKO_R_COUNT_; r++)
		if (c->st->by_reason[r])
			iko_json_kv_int(&j, iko_reason_code((enum iko_reason)r), c->st->by_reason[r]);
	iko_json_object_end(&j);
	iko_json_key(&j, "outputs");
	iko_json_array_begin(&j);
	for (i = 0; i < c->lay.nrecs; i++) {
		iko_json_object_begin(&j);
		iko_json_kv_str(&j, "record_type", c->lay.recs[i].name);
		iko_json_kv_str(&j, "path", c->outs[i].path);
		iko_json_kv_int(&j, "rows", c->outs[i].rows);
		iko_json_object_end(&j);
	}
	iko_json_array_end(&j);
	iko_json_kv_int(&j, "gaiji_mapped", c->st->gaiji_mapped);
	iko_json_key(&j, "unmapped_gaiji");
	iko_json_array_begin(&j);
	{
		/* sorted by code: the same manifest however many threads decoded */
		struct { char hex[9]; long long n; } *u = NULL, t;
		size_t nu = 0, k, m;
		while (iko_codec_next_unmapped(c->cdc, &pos, hex, &count)) {
			void *a = realloc(u, (nu + 1) * sizeof(*u));
			if (!a)
				break;
			u = a;
			memcpy(u[nu].hex, hex, sizeof(hex));
			u[nu++].n = count;
		}
		for (k = 1; k < nu; k++)
			for (m = k; m > 0 && strcmp(u[m - 1].hex, u[m].hex) > 0; m--) {
				t = u[m];
				u[m] = u[m - 1];
				u[m - 1] = t;
			}
		for (k = 0; k < nu; k++) {
			iko_json_object_begin(&j);
			iko_json_kv_str(&j, "code", u[k].hex);
			iko_json_kv_int(&j, "count", u[k].n);
			iko_json_object_end(&j);
		}
		free(u);
	}
	iko_json_array_end(&j);
	iko_json_object_end(&j);
	rc = iko_json_finish(&j);
	if (!rc)
		rc = iko_json_write_file(path, &b);
	iko_buf_release(&b);
	return rc;
}

/* ---- delimited text (--recfm csv) ----------------------------------------------- */

typedef struct hash_stream {
	FILE *fp;
	iko_sha256 *sha;
	long long *bytes;
} hash_stream;

static ssize_t hs_read(void *cookie, char *buf, size_t size)
{
	hash_stream *h = cookie;
	size_t n = fread(buf, 1, size, h->fp);

	if (n == 0 && ferror(h->fp))
		return -1;
	if (h->sha)
		iko_sha256_update(h->sha, buf, n);
	*h->bytes += (long long)n;
	return (ssize_t)n;
}

static int hs_close(void *cookie)
{
	free(cookie);
	return 0;
}

/* A CSV field as a number (optional sign, digits, optional point), appended. */
static int csv_number(iko_buf *out, const char *s, size_t len)
{
	size_t i = 0, digits = 0;
	int dot = 0;

	if (len && (s[0] == '-' || s[0] == '+'))
		i++;
	for (; i < len; i++) {
		if (s[i] >= '0' && s[i] <= '9')
			digits++;
		else if (s[i] == '.' && !dot)
			dot = 1;
		else
			return 1;
	}
	if (len && !digits)
		return 1;
	return iko_buf_put(out, s[0] == '+' ? s + 1 : s, s[0] == '+' ? len - 1 : len) ? IKO_ENOMEM : 0;
}

/*
 * One delimited record as a CSV line appended to out: text fields decoded
 * and trimmed, number fields checked, each quoted only when it must be.
 * 0 decoded, 1 rejected (*f says why; nothing appended), <0 error. Shared by
 * the serial path and the decoding threads.
 */
static int decode_csv_row(xdec *d, const iko_csv_row *row, iko_buf *out, xfail *f)
{
	const xrec *r = &d->lay->recs[0];
	size_t i, start, line_start = out->len, nv = 0;
	int bad, rc;

	if (row->nfields != r->n) {
		f->why = IKO_R_FIELDS;
		f->field = NULL;
		snprintf(f->detail, sizeof(f->detail), "%zu fields, the layout has %zu", row->nfields, r->n);
		return 1;
	}
	if (!out->ptr && iko_buf_grow(out, 256))
		return IKO_ENOMEM;
	for (i = 0; i < r->n; i++) {
		const xfield *fl = &r->f[i];
		int text = fl->type == FT_X || fl->type == FT_N;
		if (fl->filler)
			continue;
		if (nv++ && iko_buf_putc(out, ','))
			return IKO_ENOMEM;
		start = out->len;
		if (text) {
			/* legacy CSV exports often keep the fixed field's padding */
			bad = iko_codec_decode_field(d->cdc, out, (const unsigned char *)row->fields[i], row->lens[i], 0);
		} else {
			bad = csv_number(out, row->fields[i], row->lens[i]);
		}
		if (bad < 0)
			return bad;
		if (bad) {
			f->why = text ? IKO_R_DECODE : IKO_R_ZONED;
			f->field = fl->name;
			snprintf(f->detail, sizeof(f->detail), "field is not valid");
			iko_buf_truncate(out, line_start);
			return 1;
		}
		if ((rc = csv_quote_tail(out, start)))
			return rc;
	}
	return iko_buf_putc(out, '\n') ? IKO_ENOMEM : 0;
}

static int csv_record(xctx *c, const iko_csv_row *row, long long recno)
{
	xfail f;
	int rc = decode_csv_row(&c->dec, row, &c->lines[0], &f);

	if (rc < 0)
		return rc;
	if (rc)
		return reject(c, recno, row->offset, f.why, f.field, f.detail);
	c->pending[0]++;
	c->outs[0].rows++;
	c->st->records_written++;
	if (c->lines[0].len >= (1u << 20))
		return flush_lines(c, 0);
	return 0;
}

/*
 * The input as a stream that counts the bytes read (c->rd.offset) and, for
 * a zip member, fingerprints them (a plain file is hashed on its own thread).
 */
static FILE *hashing_stream(xctx *c)
{
	cookie_io_functions_t io = { hs_read, NULL, NULL, hs_close };
	hash_stream *h = calloc(1, sizeof(*h));
	FILE *fp;

	if (!h)
		return NULL;
	h->fp = c->rd.fp;
	h->sha = c->rd.hash_inline ? &c->rd.sha : NULL;
	h->bytes = &c->rd.offset;
	if (!(fp = fopencookie(h, "rb", io)))
		free(h);
	return fp;
}

/* Read the whole input as delimited text in the layout's encoding (one thread). */
static int run_csv(xctx *c, int header)
{
	FILE *fp = hashing_stream(c);
	iko_csv_reader *r = NULL;
	iko_csv_row row;
	long long recno = 0;
	int rc;

	if (!fp)
		return IKO_ENOMEM;
	if ((rc = iko_csv_reader_open_fp(&r, fp, c->source))) {
		fclose(fp);
		return rc;
	}
	while ((rc = iko_csv_next(r, &row)) != 0) {
		if (rc < 0 && rc != IKO_EPARSE)
			break;
		if (header && row.record == 1 && rc == 1)
			continue;
		recno++;
		c->st->records_read++;
		c->rd.rec.len = 0;
		iko_buf_clear(&c->rd.rec);
		iko_buf_put(&c->rd.rec, row.raw, row.raw_len);
		rc = rc == IKO_EPARSE ? reject(c, recno, row.offset, IKO_R_CSV, NULL, iko_error_message())
				      : csv_record(c, &row, recno);
		if (rc)
			break;
		if ((recno & 0x3fff) == 0) {
			long long at = iko_csv_reader_tell(r);
			if (c->o->follow)
				expect_outputs(c, at);
			if (c->o->progress)
				c->o->progress("extract", recno, iko_progress_total(recno, at, c->input_size),
					       c->o->payload);
		}
	}
	iko_csv_reader_free(r);
	fclose(fp);
	return rc;
}

static int recfm_kind(const char *s)
{
	static const char *const names[] = { "fixed", "lines", "rdw", "vb", "csv" };
	int i;

	for (i = 0; i < 5; i++)
		if (!strcasecmp(names[i], s))
			return i;
	return -1;
}

/* ---- decoding on several threads ------------------------------------------------ */

/*
 * The reader (this thread) cuts records into batches of about BATCH_BYTES;
 * NWORK decoding threads take batch k when k % NWORK is theirs, decode
 * every record into CSV text per record type (and a list of rejects), and
 * this thread writes the batches out strictly in order — so the output is
 * byte for byte the serial one. The input fingerprint still runs on its own
 * thread.
 *
 * 256 KiB batches rather than 1 MiB: the NSLOT batches and their decoded
 * text are memory touched for the first time (page faults, costly on a
 * VM), and the threads wait for the first batch and on the last, so a
 * small file gained most: KEN_ALL.CSV (12 MB) 98 -> 86 ms, a 18 MB
 * Shift_JIS CSV 111 -> 97 ms, 100k residents' JUMIN.DAT (30 MB) 107 ->
 * 102 ms; 1M residents (300 MB) the same (docs/performance.md).
 */
#define NWORK 2
#define NSLOT (2 * NWORK)
#define BATCH_BYTES (256u << 10)

typedef struct xbatch {
	/*
	 * Each slot on cache lines of its own: the reader fills one slot while
	 * a decoding thread writes the one before (its rejects, its rows), and
	 * two slots sharing a line made both threads wait on it (false
	 * sharing: adding one pointer here made extract 20 % slower).
	 */
	_Alignas(64) long long rec0, line0, off0; /* csv: the first record's number, line and byte offset */
	long long end;         /* input bytes read when it was filled */
	iko_buf data;          /* the records' bytes */
	size_t n, cap;
	size_t *at, *len;
	long long *recno, *off;
	unsigned char *got;    /* 1 record, 2 rejected by the reader (why[], note[]) */
	enum iko_reason *why;
	const char **note;     /* the reader's detail of a record it rejects */
	iko_buf *out;          /* per record type: CSV lines */
	long long *rows;
	iko_reject_mem rej;    /* its rejects, in record order */
} xbatch;

typedef struct xpar {
	xctx *c;
	xbatch slot[NSLOT];
	int csv;               /* delimited input: batches of whole CSV records */
	int block;             /* fixed-length or line records: taken by the block (fill_block) */
	long long *recno;      /* records read so far */
	int got;               /* the reader's last answer: >0 more, 0 end, <0 read error */
	int read_err;          /* fill_block met a read error (IKO_EIO), reported after the records before it */
	xdec dec[NWORK];
	FILE *in;              /* csv: the input, fingerprinted as it is read (zip members) */
	iko_csv_cutter *cut;   /* csv: cuts it into whole records */
} xpar;

/* calloc on whole cache lines of its own (free() releases it). */
static void *line_calloc(size_t n, size_t size)
{
	size_t bytes;
	void *v;

	if (n && size > (SIZE_MAX - 63) / n)
		return NULL;
	bytes = (n * size + 63) / 64 * 64;
	if (!bytes)
		bytes = 64;
	if ((v = aligned_alloc(64, bytes)))
		memset(v, 0, bytes);
	return v;
}

static int parallel_ok(void)
{
	const char *e = getenv("IKO_EXTRACT_THREADS");

	if (e && !strcmp(e, "1"))
		return 0;
	return 1;
}

static int batch_reserve(xbatch *b)
{
	size_t nc;

	if (b->n < b->cap)
		return 0;
	nc = b->cap ? b->cap * 2 : 4096;
	if (!(b->at = realloc(b->at, nc * sizeof(*b->at))) || !(b->len = realloc(b->len, nc * sizeof(*b->len))) ||
	    !(b->recno = realloc(b->recno, nc * sizeof(*b->recno))) ||
	    !(b->off = realloc(b->off, nc * sizeof(*b->off))) || !(b->got = realloc(b->got, nc)) ||
	    !(b->why = realloc(b->why, nc * sizeof(*b->why))) || !(b->note = realloc(b->note, nc * sizeof(*b->note))))
		return IKO_ENOMEM;
	b->cap = nc;
	return 0;
}

/* A record of the batch, its bytes at b->data + at (already there); got 2: to reject for why. */
static int batch_add(xbatch *b, size_t at, size_t len, long long recno, long long off, int got,
		     enum iko_reason why, const char *note)
{
	int rc = batch_reserve(b);

	if (rc)
		return rc;
	b->at[b->n] = at;
	b->len[b->n] = len;
	b->recno[b->n] = recno;
	b->off[b->n] = off;
	b->got[b->n] = (unsigned char)got;
	b->why[b->n] = why;
	b->note[b->n] = note;
	b->n++;
	return 0;
}

/* A record of a batch rejected on a decoding thread (kept until the batch is written). */
static int batch_reject(const xdec *d, xbatch *b, long long recno, long long off, const void *raw, size_t len,
			enum iko_reason why, const char *field, const char *detail)
{
	iko_reject rj;

	make_reject(&rj, d->source, recno, off, raw, len, why, field, detail);
	return iko_reject_mem_add(&b->rej, &rj);
}

/* Decode every record of a batch into its CSV text. */
static int decode_batch(xdec *d, xbatch *b, size_t ntypes)
{
	size_t i, k, which;
	xfail f;
	int rc;

	for (k = 0; k < ntypes; k++) {
		iko_buf_clear(&b->out[k]);
		b->rows[k] = 0;
	}
	iko_reject_mem_clear(&b->rej);
	for (i = 0; i < b->n; i++) {
		const char *raw = b->data.ptr + b->at[i];
		if (b->got[i] == 2) {
			rc = batch_reject(d, b, b->recno[i], b->off[i], raw, b->len[i], b->why[i], NULL, b->note[i]);
		} else if ((rc = decode_record(d, (const unsigned char *)raw, b->len[i], b->out, &which, &f)) == 0) {
			b->rows[which]++;
			continue;
		} else if (rc > 0) {
			rc = batch_reject(d, b, b->recno[i], b->off[i], raw, b->len[i], f.why, f.field, f.detail);
		}
		if (rc)
			return rc;
	}
	return 0;
}

/*
 * Parse a batch of whole CSV records (cut by iko_csv_record_end) and decode
 * every record: the same rows, numbers and errors as the serial path.
 */
static int decode_csv_batch(xdec *d, xbatch *b)
{
	iko_csv_row row;
	xfail f;
	int rc;

	iko_buf_clear(&b->out[0]);
	b->rows[0] = 0;
	iko_reject_mem_clear(&b->rej);
	iko_csv_reader_set_mem(d->csv, b->data.ptr, b->data.len, b->rec0, b->line0, b->off0);
	while ((rc = iko_csv_next(d->csv, &row)) != 0) {
		long long recno = row.record - d->hdr_skip;
		if (rc == IKO_EPARSE)
			rc = batch_reject(d, b, recno, row.offset, row.raw, row.raw_len, IKO_R_CSV, NULL,
					  iko_error_message());
		else if (rc > 0 && (rc = decode_csv_row(d, &row, &b->out[0], &f)) == 0)
			b->rows[0]++;
		else if (rc > 0)
			rc = batch_reject(d, b, recno, row.offset, row.raw, row.raw_len, f.why, f.field, f.detail);
		if (rc)
			return rc;
	}
	return 0;
}

/* Write a decoded batch out (in order), then free its slot. */
static int write_batch(xpar *p, xbatch *b)
{
	xctx *c = p->c;
	size_t k;
	int rc;

	for (k = 0; k < c->lay.nrecs; k++) {
		if ((rc = iko_csv_write_raw(c->outs[k].w, b->out[k].ptr, b->out[k].len, b->rows[k])))
			return rc;
		c->outs[k].rows += b->rows[k];
		c->st->records_written += b->rows[k];
	}
	for (k = 0; k < b->rej.n; k++) {
		iko_reject rj;
		iko_reject_mem_get(&b->rej, k, &rj);
		c->st->records_rejected++;
		c->st->by_reason[rj.reason]++;
		if ((rc = iko_rejects_add(c->rej, &rj)))
			return rc;
	}
	if (c->o->follow)
		expect_outputs(c, b->end);
	return 0;
}

static void batch_release(xbatch *b, size_t ntypes)
{
	size_t k;

	iko_buf_release(&b->data);
	free(b->at);
	free(b->len);
	free(b->recno);
	free(b->off);
	free(b->got);
	free(b->why);
	free(b->note);
	for (k = 0; b->out && k < ntypes; k++)
		iko_buf_release(&b->out[k]);
	free(b->out);
	free(b->rows);
	iko_reject_mem_release(&b->rej);
}

/*
 * Delimited input: this thread cuts batches of whole records (iko_csv_cutter:
 * finding where each ends is all it does); the decoding threads parse and
 * decode them. *got: 0 at the end, -1 on a read error (reported by the caller).
 */
static int csv_fill_batch(xctx *c, xpar *p, xbatch *b, long long *recno, int *got)
{
	iko_csv_batch cb;
	int rc = iko_csv_cutter_next_copy(p->cut, BATCH_BYTES, &b->data, &cb);

	if (rc < 0 && rc != IKO_EIO)
		return rc;
	if (rc <= 0) {
		*got = rc ? -1 : 0;
		return 0;
	}
	b->rec0 = cb.record;
	b->line0 = cb.line;
	b->off0 = cb.offset;
	b->n = (size_t)cb.records;
	*recno += cb.records;
	c->st->records_read += cb.records;
	return 0;
}

/*
 * A header line (when the layout has one) is read here first, so that every
 * batch knows how to number its records: skipped when it parses; else it is
 * record 1, rejected like any other (before anything else is written).
 */
static int csv_header(xctx *c, xpar *p, long long *recno, int *got)
{
	iko_csv_batch cb;
	iko_csv_row row;
	int rc = iko_csv_cutter_next(p->cut, 1, &cb), w;

	if (rc == IKO_EIO)
		*got = -1;
	if (rc <= 0)
		return rc == IKO_EIO ? 0 : rc;
	iko_csv_reader_set_mem(p->dec[0].csv, cb.data, cb.len, cb.record, cb.line, cb.offset);
	if ((rc = iko_csv_next(p->dec[0].csv, &row)) == 0)
		return 0; /* a byte order mark and nothing else */
	if (rc == 1) {
		for (w = 0; w < NWORK; w++)
			p->dec[w].hdr_skip = 1;
		return 0;
	}
	++*recno;
	c->st->records_read++;
	iko_buf_clear(&c->rd.rec);
	if (iko_buf_put(&c->rd.rec, row.raw, row.raw_len))
		return IKO_ENOMEM;
	return reject(c, 1, row.offset, IKO_R_CSV, NULL, iko_error_message());
}

/*
 * Fixed-length and line records straight from the read buffer into a
 * batch, as many whole ones as the buffer holds up to room bytes, with one
 * copy (next_record copies each record twice: into the reader's record,
 * then into the batch). The same records, numbers, offsets and verdicts
 * as next_record: a line's length without its LF and one CR before it,
 * rejected (IKO_R_RECLEN) when it differs from the layout's. 0 when none
 * can be taken here (the end of the input, a line longer than the buffer
 * holds): next_record takes that one. Returns the records taken, or <0;
 * a read error (IKO_EIO) once the whole records read before it are taken.
 */
static long long fill_block(xctx *c, xpar *p, xbatch *b, size_t room)
{
	reader *r = &c->rd;
	const unsigned char *s, *e, *q, *nl;
	size_t reclen = (size_t)r->reclen, base = b->data.len, len;
	long long k = 0;
	int rc;

	if (!p->read_err && (rc = rd_fill(r, room + reclen + 2))) {
		if (rc != IKO_EIO)
			return rc;
		p->read_err = rc;
	}
	s = r->buf + r->pos;
	e = s + rd_avail(r);
	for (q = s; q < s + room; k++) {
		if (r->kind == 0) {
			if ((size_t)(e - q) < reclen)
				break;
			len = reclen;
			nl = q + reclen - 1;
		} else {
			if ((nl = memchr(q, '\n', (size_t)(e - q))) == NULL)
				break;
			len = (size_t)(nl - q);
			len -= len && q[len - 1] == '\r';
		}
		if ((rc = batch_add(b, base + (size_t)(q - s), len, ++*p->recno, r->offset + (q - s),
				    len == reclen ? 1 : 2, IKO_R_RECLEN, RECLEN_NOTE)))
			return rc;
		q = nl + 1;
	}
	if (k == 0)
		return p->read_err;
	if (iko_buf_put(&b->data, s, (size_t)(q - s)))
		return IKO_ENOMEM;
	r->pos += (size_t)(q - s);
	r->offset += q - s;
	c->st->records_read += k;
	p->got = 1;
	return k;
}

/* The next batch of records (this thread): 1, 0 when there is nothing more, <0 on error. */
static int x_fill(void *ctx, void *batch)
{
	xpar *p = ctx;
	xctx *c = p->c;
	xbatch *b = batch;
	long long off;
	enum iko_reason why = IKO_R_RECLEN;
	int rc;

	iko_buf_clear(&b->data);
	b->n = 0;
	if (p->got <= 0)
		return 0;
	if (p->csv && (rc = csv_fill_batch(c, p, b, p->recno, &p->got)))
		return rc;
	while (!p->csv && b->data.len < BATCH_BYTES) {
		long long k = p->block ? fill_block(c, p, b, BATCH_BYTES - b->data.len) : 0;
		if (k > 0)
			continue;
		if (k < 0 && k != IKO_EIO)
			return (int)k;
		if (k < 0) {
			p->got = IKO_EIO; /* as next_record answers it */
			break;
		}
		/* what fill_block leaves, and every RDW/VB record */
		if ((p->got = next_record(&c->rd, &off, &why)) <= 0)
			break;
		if ((rc = iko_buf_put(&b->data, c->rd.rec.ptr, c->rd.rec.len)) ||
		    (rc = batch_add(b, b->data.len - c->rd.rec.len, c->rd.rec.len, ++*p->recno, off, p->got, why,
				    c->rd.note)))
			return rc;
		c->st->records_read++;
	}
	b->end = c->rd.offset;
	if (c->o->progress)
		c->o->progress("extract", *p->recno, iko_progress_total(*p->recno, c->rd.offset, c->input_size),
			       c->o->payload);
	return b->n || (p->csv && b->data.len) ? 1 : 0;
}

/* Decode a batch on decoding thread w. */
static int x_work(void *ctx, int w, void *batch)
{
	xpar *p = ctx;

	return p->csv ? decode_csv_batch(&p->dec[w], batch) : decode_batch(&p->dec[w], batch, p->c->lay.nrecs);
}

static int x_drain(void *ctx, void *batch)
{
	return write_batch(ctx, batch);
}

static int run_parallel(xctx *c, long long *recno, int *got_out)
{
	xpar *p = calloc(1, sizeof(*p));
	iko_batches_ops ops = { NULL, x_fill, x_work, x_drain, 0 };
	void *slots[NSLOT];
	int rc = 0, w, k;

	if (!p)
		return IKO_ENOMEM;
	p->c = c;
	p->csv = c->rd.kind == 4;
	p->block = c->rd.kind == 0 || c->rd.kind == 1;
	p->recno = recno;
	p->got = 1;
	ops.ctx = p;
	for (k = 0; k < NSLOT; k++) {
		slots[k] = &p->slot[k];
		/* on cache lines of their own: a decoding thread writes a slot's
		 * buffers at every field, and two slots' small blocks side by side
		 * on one line made the two threads wait on each other */
		p->slot[k].out = line_calloc(c->lay.nrecs, sizeof(iko_buf));
		p->slot[k].rows = line_calloc(c->lay.nrecs, sizeof(long long));
		if (!p->slot[k].out || !p->slot[k].rows) {
			rc = IKO_ENOMEM;
			goto done;
		}
	}
	for (w = 0; w < NWORK; w++) {
		xdec *d = &p->dec[w];
		*d = c->dec;
		memset(&d->tmp, 0, sizeof(d->tmp));
		d->cdc = NULL;
		d->csv = NULL;
		if ((rc = iko_codec_open(&d->cdc, c->enc)) ||
		    (c->o->gaiji_path && (rc = iko_codec_load_gaiji(d->cdc, c->o->gaiji_path))) ||
		    (p->csv && (rc = iko_csv_reader_open_fp(&d->csv, NULL, c->source))))
			goto done;
	}
	if (p->csv && (!(p->in = hashing_stream(c)) || (rc = iko_csv_cutter_open(&p->cut, p->in, ',')))) {
		rc = rc ? rc : IKO_ENOMEM;
		goto done;
	}
	if (p->csv && c->lay.csv_header && (rc = csv_header(c, p, recno, &p->got)))
		goto done;
	if ((rc = iko_batches_run(&ops, slots, NSLOT, NWORK)))
		goto done;
	*got_out = p->got < 0 ? -1 : p->got;
	/* the main codec reports the gaiji counts of every thread */
	for (w = 0; !rc && w < NWORK; w++)
		rc = iko_codec_merge_counts(c->cdc, p->dec[w].cdc);
done:
	for (w = 0; w < NWORK; w++) {
		iko_buf_release(&p->dec[w].tmp);
		iko_codec_free(p->dec[w].cdc);
		iko_csv_reader_free(p->dec[w].csv);
	}
	for (k = 0; k < NSLOT; k++)
		batch_release(&p->slot[k], c->lay.nrecs);
	iko_csv_cutter_free(p->cut);
	if (p->in)
		fclose(p->in);
	free(p);
	return rc;
}

int iko_extract_layout_types(const char *path, size_t *n)
{
	xlayout l;
	int rc;

	memset(&l, 0, sizeof(l));
	*n = 0;
	if ((rc = layout_load(&l, path)) == 0)
		*n = l.nrecs;
	iko_xlayout_free(&l);
	return rc;
}

int iko_extract_run(iko_extract_stats *st, const iko_extract_options *o)
{
	xctx c;
	hasher hash;
	const char *enc, *recfm;
	char *rpath = NULL, *mpath = NULL, *outbase = NULL;
	long long recno = 0, off;
	enum iko_reason why = IKO_R_RECLEN;
	size_t i;
	int rc, got = 1;

	memset(st, 0, sizeof(*st));
	memset(&c, 0, sizeof(c));
	memset(&hash, 0, sizeof(hash));
	c.o = o;
	c.st = st;
	if (!o->layout_path || !o->input || !o->out)
		return iko_error_set(IKO_EINVAL, "extract needs a layout, an input and an output");
	if ((rc = layout_load(&c.lay, o->layout_path)))
		return rc;
	enc = o->encoding ? o->encoding : c.lay.encoding;
	recfm = o->recfm ? o->recfm : c.lay.recfm;
	c.rd.kind = recfm_kind(recfm);
	if (c.rd.kind < 0) {
		rc = iko_error_set(IKO_EINVAL, "unknown record format %s (fixed, lines, rdw, vb, csv)", recfm);
		goto done;
	}
	c.rd.reclen = o->lrecl > 0 ? (int)o->lrecl : c.lay.reclen;
	if ((rc = iko_codec_open(&c.cdc, enc)))
		goto done;
	if ((rc = resolve_comp5(&c.lay, o->comp5, iko_codec_ebcdic(c.cdc), enc)))
		goto done;
	if (o->gaiji_path && (rc = iko_codec_load_gaiji(c.cdc, o->gaiji_path)))
		goto done;
	if ((rc = iko_input_open(&c.rd.fp, &c.source, o->input)))
		goto done;
	c.input_size = iko_file_size(c.rd.fp);
	iko_sha256_init(&c.rd.sha);
	c.rd.hash_inline = iko_input_is_archive(o->input);
	if (!c.rd.hash_inline) {
		hash.path = o->input;
		if (iko_thread_start(&hash.th, hash_main, &hash) == 0)
			hash.started = 1;
		else
			c.rd.hash_inline = 1;
	}
	outbase = iko_strdup(o->out);
	if (!outbase) {
		rc = IKO_ENOMEM;
		goto done;
	}
	while (strlen(outbase) > 1 && outbase[strlen(outbase) - 1] == '/')
		outbase[strlen(outbase) - 1] = '\0';
	rpath = o->rejects_path ? iko_strdup(o->rejects_path) : iko_aprintf("%s.rejects.csv", outbase);
	mpath = iko_aprintf("%s.manifest.json", outbase);
	if (!rpath || !mpath) {
		rc = IKO_ENOMEM;
		goto done;
	}
	if ((rc = open_outputs(&c)) || (rc = iko_rejects_open(&c.rej, rpath)))
		goto done;
	c.dec.lay = &c.lay;
	c.dec.cdc = c.cdc;
	c.dec.enc = enc;
	c.dec.source = c.source;
	c.dec.variable = c.rd.kind >= 2;
	c.enc = enc;
	c.lines = calloc(c.lay.nrecs, sizeof(iko_buf));
	c.pending = calloc(c.lay.nrecs, sizeof(long long));
	if (!c.lines || !c.pending) {
		rc = IKO_ENOMEM;
		goto done;
	}
	if (c.rd.kind == 4 && c.lay.nrecs != 1) {
		rc = iko_error_set(IKO_EINVAL, "--recfm csv needs a layout with one record type");
		goto done;
	}
	if (c.rd.kind == 4 && (o->stop_on_error || !parallel_ok())) {
		if ((rc = run_csv(&c, c.lay.csv_header)))
			goto done;
		got = 0;
	} else if (!o->stop_on_error && parallel_ok()) {
		rc = run_parallel(&c, &recno, &got);
		if (rc)
			goto done;
	}
	while (c.rd.kind != 4 && got > 0 && (got = next_record(&c.rd, &off, &why)) > 0) {
		recno++;
		st->records_read++;
		rc = got == 2 ? reject(&c, recno, off, why, NULL, c.rd.note) : do_record(&c, recno, off);
		if (rc)
			goto done;
		if ((recno & 0x3fff) == 0) {
			if (o->follow)
				expect_outputs(&c, c.rd.offset);
			if (o->progress)
				o->progress("extract", recno, iko_progress_total(recno, c.rd.offset, c.input_size),
					    o->payload);
		}
	}
	if (got < 0) {
		rc = iko_error_set(IKO_EIO, "cannot read %s (byte offset %lld): %s", o->input, c.rd.offset,
				   iko_input_error() ? iko_input_error() : "read error");
		goto done;
	}
	st->bytes = c.rd.offset;
	if (hash.started) {
		pthread_join(hash.th, NULL);
		hash.started = 0;
		if (hash.err) {
			rc = hash.err;
			goto done;
		}
		memcpy(st->input_sha256, hash.hex, sizeof(hash.hex));
	} else {
		iko_sha256_final_hex(&c.rd.sha, st->input_sha256);
	}
	st->gaiji_mapped = iko_codec_gaiji_mapped(c.cdc);
	st->gaiji_unmapped = iko_codec_gaiji_unmapped(c.cdc);
	if (st->records_read != st->records_written + st->records_rejected) {
		rc = iko_error_set(IKO_ERROR, "%s: counts do not balance", o->input);
		goto done;
	}
	for (i = 0; i < c.lay.nrecs; i++)
		if ((rc = flush_lines(&c, i)) || (rc = iko_csv_writer_commit(c.outs[i].w)))
			goto done;
	if ((rc = iko_rejects_commit(c.rej)) || (rc = write_manifest(&c, mpath, enc, recfm)))
		goto done;
	st->manifest_path = mpath;
	mpath = NULL;
done:
	if (hash.started)
		pthread_join(hash.th, NULL);
	free(c.rd.buf);
	for (i = 0; c.outs && i < c.lay.nrecs; i++) {
		iko_csv_writer_free(c.outs[i].w);
		free(c.outs[i].path);
	}
	free(c.outs);
	iko_rejects_free(c.rej);
	if (c.rd.fp)
		fclose(c.rd.fp);
	iko_buf_release(&c.rd.rec);
	iko_buf_release(&c.dec.tmp);
	for (i = 0; c.lines && i < c.lay.nrecs; i++)
		iko_buf_release(&c.lines[i]);
	free(c.lines);
	free(c.pending);
	iko_codec_free(c.cdc);
	iko_xlayout_free(&c.lay);
	free(c.source);
	free(rpath);
	free(mpath);
	free(outbase);
	return rc;
}

void iko_extract_stats_release(iko_extract_stats *st)
{
	free(st->manifest_path);
	st->manifest_path = NULL;
}
