/*
 * iko_csv.c — RFC 4180 reader (byte state machine) and canonical writer.
 */
#include "iko_csv.h"

#include "iko_buf.h"
#include "iko_error.h"
#include "iko_follow.h"
#include "iko_fs.h"
#include "iko_words.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * Eight bytes at a time: the bytes that end or quote a field (the
 * separator, '"', CR, LF) are all below a small bound (',' and '"': 0x2D),
 * while the text between them — digits, letters, UTF-8 — mostly is not. A
 * word with no byte below the bound is copied or skipped whole; at the
 * first word with one, the byte-wise loop takes over from that word
 * (iko_words.h).
 */
static inline uint32_t below32(uint32_t v, unsigned n)
{
	return (v - 0x01010101u * n) & ~v & 0x80808080u;
}

/*
 * Copy s[0..len) to d when no byte of it is below n: whole words, the last
 * one overlapping the one before (a field of 4 to 7 bytes: two 4-byte
 * words). 1 when copied; 0 when a byte is below n (d partly written).
 */
static inline int copy_above(char *d, const char *s, size_t len, unsigned n)
{
	uint64_t v;
	uint32_t a, b;
	size_t i;

	if (len >= 8) {
		for (i = 0; i + 8 <= len; i += 8) {
			memcpy(&v, s + i, 8);
			if (iko_word_below(v, n))
				return 0;
			memcpy(d + i, &v, 8);
		}
		if (i < len) {
			memcpy(&v, s + len - 8, 8);
			if (iko_word_below(v, n))
				return 0;
			memcpy(d + len - 8, &v, 8);
		}
		return 1;
	}
	if (len >= 4) {
		memcpy(&a, s, 4);
		memcpy(&b, s + len - 4, 4);
		if (below32(a, n) || below32(b, n))
			return 0;
		memcpy(d, &a, 4);
		memcpy(d + len - 4, &b, 4);
		return 1;
	}
	for (i = 0; i < len; i++) {
		if ((unsigned char)s[i] < n)
			return 0;
		d[i] = s[i];
	}
	return 1;
}

#define CSV_CHUNK 65536

struct iko_csv_reader {
	FILE *fp;
	int own_fp;
	char *name;
	char sep;
	unsigned char *in;   /* read buffer (or the caller's bytes: mem) */
	unsigned char *own;  /* the reader's own buffer */
	int mem;             /* reading from memory (iko_csv_reader_set_mem) */
	size_t in_len, in_pos;
	int eof;
	long long consumed;  /* bytes consumed before in_pos */
	long long record;
	long long line;
	iko_buf raw;         /* raw bytes of the current record */
	const unsigned char *raw_at; /* or, when set, they are in[] here (next_simple's records) */
	size_t raw_at_len;
	size_t raw_mark;     /* in[raw_mark..in_pos) is raw not yet copied to raw */
	int raw_active;      /* inside a record: a refill saves in[raw_mark..] first */
	iko_buf data;        /* unescaped field values, NUL separated */
	size_t *starts;      /* offsets into data */
	size_t *lens;
	char **ptrs;
	size_t nalloc;
	int bom_checked;
	unsigned char plain[256]; /* 1: a byte that neither ends nor quotes an unquoted field */
	unsigned bound;           /* every byte that is not plain is below it (iko_word_below) */
	int bytewise;             /* tests: no next_simple */
	int ptrs_ready;           /* next_plain set ptrs for fill_row */
};

static void set_plain(iko_csv_reader *r)
{
	int c;

	for (c = 0; c < 256; c++)
		r->plain[c] = c != (unsigned char)r->sep && c != '"' && c != '\r' && c != '\n';
	r->bound = (unsigned char)r->sep < 0x80 && (unsigned char)r->sep >= '"' ? (unsigned char)r->sep + 1u : '"' + 1u;
	if ((unsigned char)r->sep >= 0x80)
		r->bound = 0; /* never skips a word: the byte-wise loop does it all */
}

int iko_csv_reader_open_fp(iko_csv_reader **out, FILE *fp, const char *name)
{
	iko_csv_reader *r;

	*out = NULL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return iko_error_set(IKO_ENOMEM, "out of memory");
	r->in = r->own = malloc(CSV_CHUNK);
	r->name = iko_strdup(name);
	if (!r->in || !r->name) {
		free(r->own);
		free(r->name);
		free(r);
		return iko_error_set(IKO_ENOMEM, "out of memory");
	}
	r->fp = fp;
	r->sep = ',';
	set_plain(r);
	r->line = 1;
	*out = r;
	return 0;
}

int iko_csv_reader_adopt_fp(iko_csv_reader **out, FILE *fp, const char *name)
{
	int rc = iko_csv_reader_open_fp(out, fp, name);

	if (rc) {
		fclose(fp);
		return rc;
	}
	(*out)->own_fp = 1;
	return 0;
}

int iko_csv_reader_open(iko_csv_reader **out, const char *path)
{
	FILE *fp;
	int rc;

	*out = NULL;
	if (!strcmp(path, "-"))
		return iko_csv_reader_open_fp(out, stdin, "<stdin>");
	fp = fopen(path, "rb");
	if (!fp)
		return iko_error_set_errno(IKO_ENOTFOUND, "cannot open %s", path);
	rc = iko_csv_reader_open_fp(out, fp, path);
	if (rc) {
		fclose(fp);
		return rc;
	}
	(*out)->own_fp = 1;
	return 0;
}

int iko_csv_reader_open_follow(iko_csv_reader **out, const char *path, iko_follow *f)
{
	FILE *fp;

	*out = NULL;
	if (!f)
		return iko_csv_reader_open(out, path);
	if (!(fp = iko_follow_fopen(f, path)))
		return iko_error_set_errno(errno == EIO ? IKO_EIO : IKO_ENOTFOUND, "cannot open %s", path);
	return iko_csv_reader_adopt_fp(out, fp, path);
}

void iko_csv_reader_bytewise(iko_csv_reader *r)
{
	r->bytewise = 1;
}

void iko_csv_reader_set_sep(iko_csv_reader *r, char sep)
{
	r->sep = sep;
	set_plain(r);
}

const char *iko_csv_reader_name(const iko_csv_reader *r)
{
	return r->name;
}

long long iko_csv_reader_size(const iko_csv_reader *r)
{
	return r->mem ? r->consumed + (long long)r->in_len : iko_file_size(r->fp);
}

long long iko_csv_reader_tell(const iko_csv_reader *r)
{
	return r->consumed + (long long)r->in_pos;
}

void iko_csv_reader_free(iko_csv_reader *r)
{
	if (!r)
		return;
	if (r->own_fp && r->fp)
		fclose(r->fp);
	iko_buf_release(&r->raw);
	iko_buf_release(&r->data);
	free(r->starts);
	free(r->lens);
	free(r->ptrs);
	free(r->own);
	free(r->name);
	free(r);
}

void iko_csv_reader_set_mem(iko_csv_reader *r, const void *data, size_t len, long long record,
			    long long line, long long offset)
{
	r->mem = 1;
	r->in = (unsigned char *)data;
	r->in_len = len;
	r->in_pos = 0;
	r->eof = 1;
	r->consumed = offset;
	r->record = record - 1;
	r->line = line;
	r->raw_mark = 0;
	r->raw_active = 0;
	r->bom_checked = offset > 0;
}

/* Next byte, or -1 at EOF, -2 on read error. */
static int getb(iko_csv_reader *r)
{
	if (r->in_pos == r->in_len) {
		if (r->eof)
			return -1;
		/* the record's bytes in the old buffer become part of raw */
		if (r->raw_active && r->in_len > r->raw_mark &&
		    iko_buf_put(&r->raw, r->in + r->raw_mark, r->in_len - r->raw_mark))
			return -2;
		r->raw_mark = 0;
		r->consumed += (long long)r->in_len;
		r->in_pos = 0;
		r->in_len = fread(r->in, 1, CSV_CHUNK, r->fp);
		if (r->in_len == 0) {
			r->eof = 1;
			return ferror(r->fp) ? -2 : -1;
		}
	}
	return r->in[r->in_pos++];
}

static int peekb(iko_csv_reader *r)
{
	int c = getb(r);

	if (c >= 0)
		r->in_pos--;
	return c;
}

static int grow_fields(iko_csv_reader *r)
{
	size_t n = r->nalloc ? r->nalloc * 2 : 32;
	size_t *s = realloc(r->starts, n * sizeof(*s));
	char **p;

	if (!s)
		return iko_error_set(IKO_ENOMEM, "out of memory");
	r->starts = s;
	s = realloc(r->lens, n * sizeof(*s));
	if (!s)
		return iko_error_set(IKO_ENOMEM, "out of memory");
	r->lens = s;
	p = realloc(r->ptrs, n * sizeof(*p));
	if (!p)
		return iko_error_set(IKO_ENOMEM, "out of memory");
	r->ptrs = p;
	r->nalloc = n;
	return 0;
}

static int end_field(iko_csv_reader *r, size_t *nf, size_t start)
{
	if (*nf == r->nalloc && grow_fields(r))
		return IKO_ENOMEM;
	r->starts[*nf] = start;
	r->lens[*nf] = r->data.len - start;
	(*nf)++;
	return iko_buf_putc(&r->data, '\0');
}

static int put2(iko_csv_reader *r, int c)
{
	unsigned char ch = (unsigned char)c;

	return iko_buf_put(&r->data, &ch, 1) ? IKO_ENOMEM : 0;
}

/* Consume the rest of a broken line into raw. */
static void skip_line(iko_csv_reader *r)
{
	int c;

	while ((c = getb(r)) >= 0) {
		if (c == '\n') {
			r->line++;
			break;
		}
	}
}

/*
 * The common record, read in one sweep when it lies whole in the read
 * buffer: every field unquoted, or quoted with no quote or line break
 * inside, ended by LF or CRLF. Anything else (a doubled quote, a quoted
 * line break, a lone CR, text after a closing quote, a record running past
 * the buffer) returns 0 having consumed nothing, and the byte-wise path
 * below reads the record instead — with the same result for these.
 */
static size_t next_simple(iko_csv_reader *r)
{
	const unsigned char *start = r->in + r->in_pos, *end = r->in + r->in_len, *p = start, *f, *q;
	const unsigned char sep = (unsigned char)r->sep, *plain = r->plain;
	const unsigned bound = r->bound;
	size_t nf = 0, n;
	char *d;

	if (iko_buf_grow(&r->data, (size_t)(end - p) + 2))
		return 0;
	d = r->data.ptr;
	for (;;) {
		if (p < end && *p == '"') {
			q = memchr(p + 1, '"', (size_t)(end - p - 1));
			if (!q || q + 1 >= end || memchr(p + 1, '\n', (size_t)(q - p - 1)))
				return 0;
			f = p + 1;
			n = (size_t)(q - f);
			p = q + 1;
			if (*p != sep && *p != '\n' && *p != '\r')
				return 0;
			memcpy(d, f, n);
		} else {
			/* copied as it is scanned: a word is stored before it is
			 * known to be all plain. The values never take more room
			 * than their raw bytes, so a word stored while 8 bytes of
			 * input are left stays inside data's end - start + 2. */
			f = p;
			while (bound && end - p >= 8) {
				uint64_t v, m;
				memcpy(&v, p, 8);
				memcpy(d + (p - f), &v, 8);
				if ((m = iko_word_below(v, bound)) != 0) {
					p += iko_word_first_below(m);
					break;
				}
				p += 8;
			}
			while (p < end && plain[*p]) {
				d[p - f] = (char)*p;
				p++;
			}
			if (p >= end || *p == '"')
				return 0;
			n = (size_t)(p - f);
		}
		if (nf == r->nalloc && grow_fields(r))
			return 0;
		r->starts[nf] = (size_t)(d - r->data.ptr);
		r->lens[nf++] = n;
		d += n;
		*d++ = '\0';
		if (*p == sep) {
			p++;
			continue;
		}
		if (*p == '\r') {
			if (p + 1 >= end || p[1] != '\n')
				return 0;
			p++;
		}
		p++; /* the LF */
		break;
	}
	r->data.len = (size_t)(d - r->data.ptr);
	*d = '\0';
	/* the raw bytes stay where they are, in the buffer, until the next call */
	r->raw_at = start;
	r->raw_at_len = (size_t)(p - start);
	r->in_pos += (size_t)(p - start);
	return nf;
}

#if defined(__SSE2__)
/*
 * The commonest record of all, sixteen bytes at a time: no quote
 * anywhere, ended by LF or CRLF, lying whole in the read buffer with
 * sixteen bytes to spare. The bytes that matter — the separator, '"', CR,
 * LF — are found with four compares per sixteen bytes, and each is looked
 * at once; each sixteen bytes are stored into data as they are scanned,
 * every separator in the copy becomes the NUL that ends its field and the
 * field pointers are set on the way (ptrs_ready): the same values, the
 * same layout (each field's bytes and a NUL, in order) as next_simple
 * makes. Anything else — a quote, a lone CR, a record reaching the last
 * sixteen bytes of the buffer — returns 0 having consumed nothing, and
 * next_simple reads the record.
 */
static size_t next_plain(iko_csv_reader *r)
{
	const unsigned char *start = r->in + r->in_pos, *end = r->in + r->in_len, *p = start;
	const __m128i vs = _mm_set1_epi8(r->sep), vq = _mm_set1_epi8('"');
	const __m128i vr = _mm_set1_epi8('\r'), vn = _mm_set1_epi8('\n');
	const unsigned char sep = (unsigned char)r->sep;
	size_t nf = 0, fstart = 0, at;
	unsigned m;
	char *d;

	/* the chunks are stored as they are scanned: the record fits in end - start + 2 */
	if (iko_buf_grow(&r->data, (size_t)(end - start) + 2))
		return 0;
	d = r->data.ptr;
	for (;; p += 16) {
		__m128i v;
		if (end - p < 16)
			return 0;
		v = _mm_loadu_si128((const __m128i *)(const void *)p);
		_mm_storeu_si128((__m128i *)(void *)(d + (p - start)), v);
		m = (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, vs), _mm_cmpeq_epi8(v, vq)),
							   _mm_or_si128(_mm_cmpeq_epi8(v, vr), _mm_cmpeq_epi8(v, vn))));
		for (; m; m &= m - 1) {
			at = (size_t)(p - start) + (size_t)__builtin_ctz(m);
			if (start[at] != sep)
				goto line_end;
			if (nf == r->nalloc && grow_fields(r))
				return 0;
			d[at] = '\0';
			r->ptrs[nf] = d + fstart;
			r->lens[nf++] = at - fstart;
			fstart = at + 1;
		}
	}
line_end:
	/* a quote, or CR not followed by LF: next_simple's (or the byte-wise) reading */
	if (start[at] == '"' || (start[at] == '\r' && (start + at + 1 >= end || start[at + 1] != '\n')))
		return 0;
	if (nf == r->nalloc && grow_fields(r))
		return 0;
	d[at] = '\0';
	d[at + 1] = '\0';
	r->ptrs[nf] = d + fstart;
	r->lens[nf++] = at - fstart;
	r->data.len = at + 1;
	r->ptrs_ready = 1;
	at += start[at] == '\r' ? 2 : 1;
	r->raw_at = start;
	r->raw_at_len = at;
	r->in_pos += at;
	return nf;
}
#endif

/* The row of the record just read: nf fields from data, raw bytes from raw. */
static void fill_row(iko_csv_reader *r, iko_csv_row *row, size_t nf, long long line)
{
	size_t i;

	if (!r->ptrs_ready)
		for (i = 0; i < nf; i++)
			r->ptrs[i] = r->data.ptr + r->starts[i];
	r->ptrs_ready = 0;
	row->nfields = nf;
	row->fields = r->ptrs;
	row->lens = r->lens;
	row->record = r->record;
	row->line = line;
	if (r->raw_at) {
		row->raw = (const char *)r->raw_at;
		row->raw_len = r->raw_at_len;
	} else {
		row->raw = iko_buf_cstr(&r->raw);
		row->raw_len = r->raw.len;
	}
}

int iko_csv_next(iko_csv_reader *r, iko_csv_row *row)
{
	size_t nf = 0, start = 0;
	int c, quoted = 0, after_quote = 0, rc = 1;
	long long start_line = r->line;

	memset(row, 0, sizeof(*row));
	iko_buf_clear(&r->raw);
	r->raw_at = NULL;
	iko_buf_clear(&r->data);
	if (!r->bom_checked) {
		r->bom_checked = 1;
		if (peekb(r) == 0xEF && r->in_len - r->in_pos >= 3 &&
		    r->in[r->in_pos + 1] == 0xBB && r->in[r->in_pos + 2] == 0xBF)
			r->in_pos += 3;
	}
	row->offset = iko_csv_reader_tell(r);
	if (r->in_pos < r->in_len && !r->bytewise &&
#if defined(__SSE2__)
	    ((nf = next_plain(r)) > 0 || (nf = next_simple(r)) > 0)) {
#else
	    (nf = next_simple(r)) > 0) {
#endif
		r->record++;
		fill_row(r, row, nf, r->line++);
		return 1;
	}
	r->raw_mark = r->in_pos;
	r->raw_active = 1;
	c = getb(r);
	if (c == -2)
		return iko_error_set_errno(IKO_EIO, "cannot read %s", r->name);
	if (c == -1)
		return 0;
	r->record++;
	for (;; c = getb(r)) {
		if (c >= 0 && !after_quote &&
		    (quoted ? c != '"' && c != '\n' : c != r->sep && c != '"' && c != '\r' && c != '\n')) {
			/*
			 * Fast path: an ordinary byte, and the run of ordinary bytes
			 * after it in the buffer, go to data in one copy (what the
			 * byte-by-byte cases below would do). The raw bytes of the
			 * record are taken from the buffer as a whole (raw_mark).
			 */
			size_t p = r->in_pos, n;
			const unsigned char *in = (const unsigned char *)r->in;
			if (quoted)
				while (p < r->in_len && in[p] != '"' && in[p] != '\n')
					p++;
			else
				while (p < r->in_len && in[p] != r->sep && in[p] != '"' && in[p] != '\r' && in[p] != '\n')
					p++;
			/* c is in[in_pos - 1]: getb just returned it */
			n = p - r->in_pos + 1;
			if (r->data.len + n >= r->data.cap && iko_buf_grow(&r->data, n))
				return IKO_ENOMEM;
			memcpy(r->data.ptr + r->data.len, in + r->in_pos - 1, n);
			r->data.len += n;
			r->data.ptr[r->data.len] = '\0';
			r->in_pos = p;
			continue;
		}
		if (c == -2) {
			return iko_error_set_errno(IKO_EIO, "cannot read %s", r->name);
		}
		if (quoted) {
			if (c == -1) {
				rc = iko_error_set(IKO_EPARSE,
						   "%s: record %lld (line %lld): quoted field not closed at end of file",
						   r->name, r->record, start_line);
				break;
			}
			if (c == '"') {
				if (peekb(r) == '"') {
					getb(r);
					if (put2(r, '"'))
						return IKO_ENOMEM;
					continue;
				}
				quoted = 0;
				after_quote = 1;
				continue;
			}
			if (c == '\n')
				r->line++;
			if (iko_buf_putc(&r->data, c))
				return IKO_ENOMEM;
			continue;
		}
		if (c == -1 || c == '\n' || (c == '\r' && peekb(r) == '\n') ||
		    c == r->sep) {
			if (end_field(r, &nf, start))
				return IKO_ENOMEM;
			start = r->data.len;
			after_quote = 0;
			if (c == r->sep) {
				continue;
			}
			if (c == '\r') {
				c = getb(r);
			}
			if (c == '\n') {
				r->line++;
			}
			break;
		}
		if (after_quote) {
			skip_line(r);
			rc = iko_error_set(IKO_EPARSE,
					   "%s: record %lld (line %lld): text after closing quote in field %zu",
					   r->name, r->record, start_line, nf + 1);
			if (end_field(r, &nf, start))
				return IKO_ENOMEM;
			break;
		}
		if (c == '"' && r->data.len == start) {
			quoted = 1;
			continue;
		}
		if (put2(r, c))
			return IKO_ENOMEM;
	}
	if (quoted && end_field(r, &nf, start))
		return IKO_ENOMEM;
	/* the rest of the record's bytes, from this buffer */
	r->raw_active = 0;
	if (r->in_pos > r->raw_mark && iko_buf_put(&r->raw, r->in + r->raw_mark, r->in_pos - r->raw_mark))
		return IKO_ENOMEM;
	fill_row(r, row, nf, start_line);
	return rc;
}

/* Ordinary bytes outside quotes: none of them can end a field or a record. */
static int csv_plain(unsigned char ch, char sep)
{
	return ch != (unsigned char)sep && ch != '"' && ch != '\r' && ch != '\n';
}

int iko_csv_record_end(const unsigned char *s, size_t len, char sep, int at_eof, size_t *end)
{
	enum { FSTART, UNQ, QUOTED, AFTERQ, SKIP } st = FSTART;
	const unsigned char *q, *nl = memchr(s, '\n', len);
	size_t i = 0, lim = nl ? (size_t)(nl - s) : len;

	/* no quote before the line end: the line end ends the record (the common case) */
	if (!memchr(s, '"', lim)) {
		if (!nl && !at_eof)
			return 0;
		*end = nl ? lim + 1 : len;
		return 1;
	}

	while (i < len) {
		unsigned char ch = s[i];
		switch (st) {
		case QUOTED:
			q = memchr(s + i, '"', len - i);
			if (!q) {
				i = len;
				break;
			}
			i = (size_t)(q - s);
			if (i + 1 == len && !at_eof)
				return 0;
			if (i + 1 < len && s[i + 1] == '"') {
				i += 2;
				break;
			}
			i++;
			st = AFTERQ;
			break;
		case SKIP: /* after a malformed field the reader skips to the line end */
			q = memchr(s + i, '\n', len - i);
			if (!q) {
				i = len;
				break;
			}
			*end = (size_t)(q - s) + 1;
			return 1;
		default:
			if (ch == '\n') {
				*end = i + 1;
				return 1;
			}
			if (ch == '\r') {
				if (i + 1 == len && !at_eof)
					return 0;
				if (i + 1 < len && s[i + 1] == '\n') {
					*end = i + 2;
					return 1;
				}
				st = st == AFTERQ ? SKIP : UNQ;
				i++;
			} else if (ch == (unsigned char)sep) {
				st = FSTART;
				i++;
			} else if (st == AFTERQ) {
				st = SKIP;
				i++;
			} else if (ch == '"' && st == FSTART) {
				st = QUOTED;
				i++;
			} else {
				st = UNQ;
				for (i++; i < len && csv_plain(s[i], sep); i++)
					;
			}
		}
	}
	if (!at_eof)
		return 0;
	*end = len;
	return 1;
}

/* ---- whole records in batches ------------------------------------------------ */

#define CUT_CHUNK (1u << 20)

struct iko_csv_cutter {
	FILE *fp;
	char sep;
	unsigned char *buf;    /* bytes [pos, len) not handed out yet */
	size_t len, pos, cap;
	int eof, err;
	long long record;      /* records handed out */
	long long line;        /* the line the next record starts on */
	long long offset;      /* byte offset of buf[pos] */
};

int iko_csv_cutter_open(iko_csv_cutter **out, FILE *fp, char sep)
{
	iko_csv_cutter *c = calloc(1, sizeof(*c));

	*out = NULL;
	if (!c)
		return iko_error_set(IKO_ENOMEM, "out of memory");
	c->fp = fp;
	c->sep = sep;
	c->line = 1;
	*out = c;
	return 0;
}

void iko_csv_cutter_free(iko_csv_cutter *c)
{
	if (!c)
		return;
	free(c->buf);
	free(c);
}

/* At least n bytes at buf + pos unless the input ends first. */
static int cut_fill(iko_csv_cutter *c, size_t n)
{
	size_t got;

	if (c->len - c->pos >= n || c->eof)
		return 0;
	if (c->pos) {
		memmove(c->buf, c->buf + c->pos, c->len - c->pos);
		c->len -= c->pos;
		c->pos = 0;
	}
	if (c->cap < n + CUT_CHUNK) {
		size_t cap = c->cap ? c->cap : CUT_CHUNK;
		unsigned char *nb;
		while (cap < n + CUT_CHUNK)
			cap *= 2;
		if (!(nb = realloc(c->buf, cap)))
			return iko_error_set(IKO_ENOMEM, "out of memory");
		c->buf = nb;
		c->cap = cap;
	}
	while (c->len < n && !c->eof) {
		got = fread(c->buf + c->len, 1, c->cap - c->len, c->fp);
		if (got == 0) {
			if (ferror(c->fp))
				return IKO_EIO;
			c->eof = 1;
		}
		c->len += got;
	}
	return 0;
}

/*
 * Whole records at s (len bytes) before the first quote: every LF there
 * ends one, as iko_csv_record_end finds when no quote comes before the
 * line end. Looks at most want + 4 KiB bytes ahead, stops once want bytes
 * are taken; the records' count, their bytes in *adv (each record ends
 * with its LF, so as many lines). 0 when the first record holds a quote
 * or no LF ends it in that stretch: iko_csv_record_end takes that one.
 * A quote far ahead only ends the stretch there, so each byte is looked
 * at for a quote about once, however the quotes are spread.
 */
static size_t plain_records(const unsigned char *s, size_t len, size_t want, size_t *adv)
{
	const unsigned char *p = s, *nl, *lim;
	size_t n = 0;

	if (len > want && len - want > 4096)
		len = want + 4096;
	if ((lim = memchr(s, '"', len)) == NULL)
		lim = s + len;
	while ((n == 0 || (size_t)(p - s) < want) && (nl = memchr(p, '\n', (size_t)(lim - p))) != NULL) {
		p = nl + 1;
		n++;
	}
	*adv = (size_t)(p - s);
	return n;
}

int iko_csv_cutter_next(iko_csv_cutter *c, size_t max, iko_csv_batch *b)
{
	size_t skip = 0, scanned = 0, end, want, avail, n, lines = 0;
	const unsigned char *q, *e;
	int rc;

	memset(b, 0, sizeof(*b));
	if (c->offset == 0 && c->record == 0) {
		if ((rc = cut_fill(c, 3)))
			return rc;
		if (c->len - c->pos >= 3 && !memcmp(c->buf + c->pos, "\xEF\xBB\xBF", 3))
			skip = 3; /* a byte order mark: the reader skips it (offset 0) */
	}
	scanned = skip;
	for (want = CUT_CHUNK; scanned - skip < max || !b->records;) {
		avail = c->len - c->pos;
		if (avail > scanned &&
		    (n = plain_records(c->buf + c->pos + scanned, avail - scanned,
				       scanned - skip < max ? max - (scanned - skip) : 0, &end)) > 0) {
			scanned += end;
			b->records += n;
			lines += n;
			continue;
		}
		if (avail > scanned &&
		    iko_csv_record_end(c->buf + c->pos + scanned, avail - scanned, c->sep, c->eof, &end)) {
			/* its lines: a quoted field may hold line breaks */
			for (q = c->buf + c->pos + scanned, e = q + end; (q = memchr(q, '\n', (size_t)(e - q))) != NULL; q++)
				lines++;
			scanned += end;
			b->records++;
			continue;
		}
		if (c->eof)
			break;
		while (want <= avail)
			want *= 2;
		if ((rc = cut_fill(c, want)))
			return rc;
	}
	if (scanned == 0)
		return 0;
	b->data = c->buf + c->pos;
	b->len = scanned;
	b->record = c->record + 1;
	b->line = c->line;
	b->offset = c->offset;
	c->line += (long long)lines;
	c->record += b->records;
	c->pos += scanned;
	c->offset += (long long)scanned;
	return 1;
}

int iko_csv_cutter_next_copy(iko_csv_cutter *c, size_t max, iko_buf *into, iko_csv_batch *b)
{
	int rc = iko_csv_cutter_next(c, max, b);

	if (rc <= 0)
		return rc;
	iko_buf_clear(into);
	if (iko_buf_put(into, b->data, b->len))
		return iko_error_set(IKO_ENOMEM, "out of memory");
	b->data = (const unsigned char *)into->ptr;
	return 1;
}

int iko_csv_find(const iko_csv_row *header, const char *name)
{
	size_t i;

	for (i = 0; i < header->nfields; i++)
		if (!strcmp(header->fields[i], name))
			return (int)i;
	return -1;
}

/* Rows gather in `line` and go to the file in writes of about this size. */
#define WRITER_FLUSH (256u << 10)

struct iko_csv_writer {
	iko_afile *file;
	FILE *fp;
	int nfield;
	long long rows;
	long long bytes;       /* written to the file so far */
	iko_buf line;          /* whole rows not written yet, then the current one */
	iko_follow *follow;    /* told of every write and of the commit (iko_csv_writer_follow) */
	int committed;
};

/*
 * Bytes went to the file: the kernel may start writing them to the disk
 * (iko_afile_writeback), a follower may read them now.
 */
static int published(iko_csv_writer *w)
{
	int rc;

	if ((rc = iko_afile_writeback(w->file, w->bytes)))
		return rc;
	if (!w->follow)
		return 0;
	if (fflush(w->fp) != 0)
		return iko_error_set_errno(IKO_EIO, "cannot write %s", iko_afile_path(w->file));
	iko_follow_grew(w->follow, iko_afile_path(w->file));
	return 0;
}

static int writer_flush(iko_csv_writer *w)
{
	if (!w->fp)
		return 0; /* in memory: kept until iko_csv_writer_move */
	if (!w->line.len)
		return 0;
	if (fwrite(w->line.ptr, 1, w->line.len, w->fp) != w->line.len)
		return iko_error_set_errno(IKO_EIO, "cannot write %s", iko_afile_path(w->file));
	w->bytes += (long long)w->line.len;
	iko_buf_clear(&w->line);
	return published(w);
}

int iko_csv_writer_follow(iko_csv_writer *w, iko_follow *f)
{
	int rc;

	if (!f || !w->fp)
		return 0;
	if ((rc = writer_flush(w)) || (rc = iko_follow_begin(f, iko_afile_path(w->file), iko_afile_tmppath(w->file))))
		return rc;
	w->follow = f;
	return published(w);
}

int iko_csv_writer_open(iko_csv_writer **out, const char *path, mode_t mode)
{
	iko_csv_writer *w;
	int rc;

	*out = NULL;
	w = calloc(1, sizeof(*w));
	if (!w)
		return iko_error_set(IKO_ENOMEM, "out of memory");
	rc = iko_afile_open(&w->file, path, mode);
	if (rc) {
		free(w);
		return rc;
	}
	w->fp = iko_afile_fp(w->file);
	*out = w;
	return 0;
}

/* Bytes that make a comma-separated field need quotes. */
static const unsigned char needs_quotes[256] = { [','] = 1, ['"'] = 1, ['\r'] = 1, ['\n'] = 1 };

int iko_csv_writer_open_mem(iko_csv_writer **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : iko_error_set(IKO_ENOMEM, "out of memory");
}

void iko_csv_writer_discard(iko_csv_writer *mem)
{
	iko_buf_clear(&mem->line);
	mem->rows = 0;
	mem->nfield = 0;
}

int iko_csv_writer_move(iko_csv_writer *w, iko_csv_writer *mem)
{
	int rc = iko_csv_write_raw(w, mem->line.ptr, mem->line.len, mem->rows);

	iko_csv_writer_discard(mem);
	return rc;
}

int iko_csv_writer_copy_from(iko_csv_writer *w, const char *src, long long len, long long rows)
{
	int in, rc;

	if (!w->fp || w->nfield)
		return iko_error_set(IKO_EINVAL, "copy into a writer in memory or within a record");
	if ((rc = writer_flush(w)))
		return rc;
	if (fflush(w->fp) != 0)
		return iko_error_set_errno(IKO_EIO, "cannot write %s", iko_afile_path(w->file));
	if ((in = open(src, O_RDONLY | O_CLOEXEC)) < 0)
		return iko_error_set_errno(IKO_EIO, "cannot open %s", src);
	rc = iko_copy_range(in, 0, fileno(w->fp), (off_t)w->bytes, len);
	(void)close(in); /* read only: nothing to lose */
	if (rc)
		return iko_error_set_errno(IKO_EIO, "cannot copy %s to %s", src, iko_afile_tmppath(w->file));
	/* the stream's position after the bytes the kernel wrote */
	if (fseeko(w->fp, (off_t)(w->bytes + len), SEEK_SET) != 0)
		return iko_error_set_errno(IKO_EIO, "cannot write %s", iko_afile_path(w->file));
	w->bytes += len;
	w->rows += rows;
	return published(w);
}

int iko_csv_writer_commit_link(iko_csv_writer *w, const char *src, iko_follow *f)
{
	const char *path = iko_afile_path(w->file);
	struct stat st;
	int rc;

	if (!w->fp || w->bytes || w->line.len || w->follow)
		return iko_error_set(IKO_EINVAL, "%s: a link commit after writes", path);
	if ((rc = iko_afile_commit_link(w->file, src)))
		return rc;
	w->fp = NULL;
	if (stat(path, &st) != 0)
		return iko_error_set_errno(IKO_EIO, "cannot stat %s", path);
	w->bytes = (long long)st.st_size;
	if (f) {
		/* begun and done at once: a reader opens the final name */
		if ((rc = iko_follow_begin(f, path, iko_afile_tmppath(w->file))))
			return rc;
		iko_follow_expect(f, path, w->bytes);
		iko_follow_done(f, path, 1);
	}
	return 0;
}

int iko_csv_needs_quotes(const char *s, size_t n)
{
	size_t i = 0;
	uint64_t v;
	uint32_t a, b;

	/* eight (or four) bytes at a time, the last word overlapping the one
	 * before; byte by byte only where some byte is at or below ',' (the
	 * four are 0x0A, 0x0D, 0x22, 0x2C; a value's text is mostly above) */
	if (n >= 8) {
		for (;; i += 8) {
			if (i + 8 > n)
				i = n - 8;
			memcpy(&v, s + i, 8);
			if (iko_word_below(v, ',' + 1u))
				break;
			if (i + 8 == n)
				return 0;
		}
		i = 0;
	} else if (n >= 4) {
		memcpy(&a, s, 4);
		memcpy(&b, s + n - 4, 4);
		if (!iko_word_below(((uint64_t)a << 32) | b, ',' + 1u))
			return 0;
	}
	for (; i < n; i++)
		if (needs_quotes[(unsigned char)s[i]])
			return 1;
	return 0;
}

int iko_csv_escape(iko_buf *b, const char *s, size_t len, char sep)
{
	size_t i;
	int need = 0, rc;

	if (sep == ',') {
		need = iko_csv_needs_quotes(s, len);
	} else {
		for (i = 0; i < len && !need; i++)
			need = s[i] == sep || s[i] == '"' || s[i] == '\r' || s[i] == '\n';
	}
	if (!need)
		return iko_buf_put(b, s, len);
	if ((rc = iko_buf_putc(b, '"')))
		return rc;
	for (i = 0; i < len; i++) {
		if (s[i] == '"' && (rc = iko_buf_putc(b, '"')))
			return rc;
		if ((rc = iko_buf_putc(b, s[i])))
			return rc;
	}
	return iko_buf_putc(b, '"');
}

int iko_csv_write_field(iko_csv_writer *w, const char *s, size_t len)
{
	iko_buf *b = &w->line;
	char *d;
	size_t i;

	/* one pass: copy while checking for bytes that need quotes (rare) */
	if (b->cap - b->len < len + 2 && iko_buf_grow(b, len + 1))
		return IKO_ENOMEM;
	d = b->ptr + b->len;
	if (w->nfield++)
		*d++ = ',';
	if (copy_above(d, s, len, ',' + 1u))
		i = len;
	else
		for (i = 0; i < len && !needs_quotes[(unsigned char)s[i]]; i++)
			d[i] = s[i];
	b->len = (size_t)(d - b->ptr);
	if (i < len) {
		b->ptr[b->len] = '\0';
		return iko_csv_escape(b, s, len, ',');
	}
	b->len += len;
	b->ptr[b->len] = '\0';
	return 0;
}

int iko_csv_write_raw(iko_csv_writer *w, const void *data, size_t len, long long rows)
{
	int rc;

	if ((rc = writer_flush(w)))
		return rc;
	if (len && fwrite(data, 1, len, w->fp) != len)
		return iko_error_set_errno(IKO_EIO, "cannot write %s", iko_afile_path(w->file));
	w->bytes += (long long)len;
	w->rows += rows;
	return len ? published(w) : 0;
}

int iko_csv_write_str(iko_csv_writer *w, const char *s)
{
	return iko_csv_write_field(w, s ? s : "", s ? strlen(s) : 0);
}

int iko_csv_write_ll(iko_csv_writer *w, long long v)
{
	/* by hand, not snprintf: transform writes one per record (the legacy index's offsets) */
	char tmp[24], *p = tmp + sizeof(tmp);
	unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;

	do
		*--p = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	if (v < 0)
		*--p = '-';
	return iko_csv_write_field(w, p, (size_t)(tmp + sizeof(tmp) - p));
}

int iko_csv_end_row(iko_csv_writer *w)
{
	int rc = iko_buf_putc(&w->line, '\n');

	if (rc)
		return rc;
	w->nfield = 0;
	w->rows++;
	return w->line.len >= WRITER_FLUSH ? writer_flush(w) : 0;
}

int iko_csv_write_line(iko_csv_writer *w, const char *line, size_t len)
{
	int rc;

	if (w->nfield)
		return iko_error_set(IKO_EINVAL, "a record's bytes written in the middle of a record");
	if ((rc = iko_buf_put(&w->line, line, len)))
		return rc;
	w->rows++;
	return w->line.len >= WRITER_FLUSH ? writer_flush(w) : 0;
}

int iko_csv_write_row(iko_csv_writer *w, const char *const *fields, size_t n)
{
	size_t i;
	int rc;

	for (i = 0; i < n; i++)
		if ((rc = iko_csv_write_str(w, fields[i])))
			return rc;
	return iko_csv_end_row(w);
}

long long iko_csv_writer_rows(const iko_csv_writer *w)
{
	return w->rows;
}

long long iko_csv_writer_tell(const iko_csv_writer *w)
{
	return w->bytes + (long long)w->line.len;
}

void iko_csv_writer_expect(iko_csv_writer *w, long long pending, long long consumed, long long size)
{
	double est;

	if (!w->follow || consumed <= 0 || size <= 0)
		return;
	est = (double)(w->bytes + (long long)w->line.len + pending) * (double)size / (double)consumed;
	iko_follow_expect(w->follow, iko_afile_path(w->file), (long long)(est + 0.5));
}

int iko_csv_writer_commit(iko_csv_writer *w)
{
	int rc = writer_flush(w);

	if (!rc && !(rc = iko_afile_commit(w->file)) && w->follow) {
		w->committed = 1;
		iko_follow_expect(w->follow, iko_afile_path(w->file), w->bytes);
		iko_follow_done(w->follow, iko_afile_path(w->file), 1);
	}
	return rc;
}

void iko_csv_writer_free(iko_csv_writer *w)
{
	if (!w)
		return;
	if (w->follow && !w->committed)
		iko_follow_done(w->follow, iko_afile_path(w->file), 0);
	iko_afile_free(w->file);
	iko_buf_release(&w->line);
	free(w);
}
