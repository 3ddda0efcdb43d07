/*
 * iko_xlsx_read.c — cells of an .xlsx through libzip and expat (see
 * iko_xlsx_read.h). Parts are streamed from the zip into the XML parser;
 * only the shared strings table is kept in memory.
 */
#include "iko_xlsx_read.h"

#include "iko_buf.h"
#include "iko_error.h"

#include <expat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

typedef struct sheet {
	char *name, *rid, *part;
} sheet;

struct iko_xlsx {
	char *path;
	zip_t *zip;
	sheet *sheets;
	size_t nsheets;
	char **sst;             /* shared strings */
	size_t nsst, csst;
	int date1904;           /* workbookPr date1904: serials count from 1904-01-01 */
};

/* Local name of a possibly prefixed XML name ("x:row" → "row"). */
static const char *local(const char *n)
{
	const char *c = strrchr(n, ':');

	return c ? c + 1 : n;
}

static const char *attr(const char **a, const char *name)
{
	for (; a && a[0]; a += 2)
		if (!strcmp(local(a[0]), name))
			return a[1];
	return NULL;
}

/* Stream one part of the zip through an expat parser; 1 if the part is absent. */
static int parse_part(iko_xlsx *x, const char *part, XML_StartElementHandler st,
		      XML_EndElementHandler en, XML_CharacterDataHandler ch, void *ud, int optional)
{
	zip_file_t *f;
	XML_Parser p;
	char buf[1 << 16];
	zip_int64_t n;
	int rc = 0;

	f = zip_fopen(x->zip, part, 0);
	if (!f) {
		if (optional)
			return 1;
		return iko_error_set(IKO_EPARSE, "%s: not a workbook: no %s", x->path, part);
	}
	p = XML_ParserCreate("UTF-8");
	if (!p) {
		zip_fclose(f);
		return iko_error_set(IKO_ENOMEM, "out of memory");
	}
	XML_SetUserData(p, ud);
	XML_SetElementHandler(p, st, en);
	XML_SetCharacterDataHandler(p, ch);
	do {
		n = zip_fread(f, buf, sizeof(buf));
		if (n < 0) {
			rc = iko_error_set(IKO_EIO, "%s: cannot read %s: %s", x->path, part, zip_file_strerror(f));
			break;
		}
		if (XML_Parse(p, buf, (int)n, n == 0) == XML_STATUS_ERROR) {
			rc = iko_error_set(IKO_EPARSE, "%s: %s line %lu: %s", x->path, part,
					   (unsigned long)XML_GetCurrentLineNumber(p),
					   XML_ErrorString(XML_GetErrorCode(p)));
			break;
		}
	} while (n > 0);
	XML_ParserFree(p);
	zip_fclose(f);
	return rc;
}

/* ---- workbook.xml and its relationships ---- */

static void wb_start(void *ud, const char *name, const char **a)
{
	iko_xlsx *x = ud;
	const char *n = attr(a, "name"), *id = attr(a, "id");
	sheet *s;

	if (!strcmp(local(name), "workbookPr")) {
		/* ECMA-376 Part 1, 18.2.28: 1 or true, the 1904 date system */
		const char *d = attr(a, "date1904");
		x->date1904 = d && (!strcmp(d, "1") || !strcmp(d, "true"));
		return;
	}
	if (strcmp(local(name), "sheet") || !n || !id)
		return;
	s = realloc(x->sheets, (x->nsheets + 1) * sizeof(*s));
	if (!s)
		return;
	x->sheets = s;
	s += x->nsheets++;
	s->name = iko_strdup(n);
	s->rid = iko_strdup(id);
	s->part = NULL;
}

static void rel_start(void *ud, const char *name, const char **a)
{
	iko_xlsx *x = ud;
	const char *id = attr(a, "Id"), *target = attr(a, "Target");
	size_t i;

	if (strcmp(local(name), "Relationship") || !id || !target)
		return;
	for (i = 0; i < x->nsheets; i++)
		if (x->sheets[i].rid && !strcmp(x->sheets[i].rid, id) && !x->sheets[i].part) {
			/* targets are relative to xl/, or absolute from the package root */
			x->sheets[i].part = target[0] == '/' ? iko_strdup(target + 1)
							     : iko_aprintf("xl/%s", target);
		}
}

static void no_end(void *ud, const char *name)
{
	(void)ud;
	(void)name;
}

static void no_text(void *ud, const char *s, int len)
{
	(void)ud;
	(void)s;
	(void)len;
}

/* ---- sharedStrings.xml ---- */

typedef struct sst_ctx {
	iko_xlsx *x;
	iko_buf cur;
	int in_si, in_t, in_rph, oom;
} sst_ctx;

static void sst_start(void *ud, const char *name, const char **a)
{
	sst_ctx *c = ud;
	const char *n = local(name);

	(void)a;
	if (!strcmp(n, "si")) {
		c->in_si = 1;
		iko_buf_clear(&c->cur);
	} else if (!strcmp(n, "rPh")) {
		c->in_rph = 1;
	} else if (!strcmp(n, "t") && c->in_si && !c->in_rph) {
		c->in_t = 1;
	}
}

static void sst_end(void *ud, const char *name)
{
	sst_ctx *c = ud;
	const char *n = local(name);
	iko_xlsx *x = c->x;

	if (!strcmp(n, "t")) {
		c->in_t = 0;
	} else if (!strcmp(n, "rPh")) {
		c->in_rph = 0;
	} else if (!strcmp(n, "si")) {
		c->in_si = 0;
		if (x->nsst == x->csst) {
			size_t nc = x->csst ? x->csst * 2 : 256;
			char **s = realloc(x->sst, nc * sizeof(*s));
			if (!s) {
				c->oom = 1;
				return;
			}
			x->sst = s;
			x->csst = nc;
		}
		x->sst[x->nsst] = iko_strdup(c->cur.ptr ? c->cur.ptr : "");
		if (!x->sst[x->nsst])
			c->oom = 1;
		x->nsst++;
	}
}

static void sst_text(void *ud, const char *s, int len)
{
	sst_ctx *c = ud;

	if (c->in_t && iko_buf_put(&c->cur, s, (size_t)len))
		c->oom = 1;
}

int iko_xlsx_open(iko_xlsx **out, const char *path)
{
	iko_xlsx *x;
	sst_ctx sc;
	int err = 0, rc;
	size_t i;

	*out = NULL;
	x = calloc(1, sizeof(*x));
	if (!x || !(x->path = iko_strdup(path))) {
		free(x);
		return iko_error_set(IKO_ENOMEM, "out of memory");
	}
	x->zip = zip_open(path, ZIP_RDONLY, &err);
	if (!x->zip) {
		zip_error_t ze;
		zip_error_init_with_code(&ze, err);
		rc = iko_error_set(err == ZIP_ER_NOENT || err == ZIP_ER_OPEN ? IKO_ENOTFOUND : IKO_EPARSE,
				   "cannot open %s: %s", path, zip_error_strerror(&ze));
		zip_error_fini(&ze);
		iko_xlsx_close(x);
		return rc;
	}
	if ((rc = parse_part(x, "xl/workbook.xml", wb_start, no_end, no_text, x, 0)) ||
	    (rc = parse_part(x, "xl/_rels/workbook.xml.rels", rel_start, no_end, no_text, x, 0))) {
		iko_xlsx_close(x);
		return rc;
	}
	for (i = 0; i < x->nsheets; i++)
		if (!x->sheets[i].name || !x->sheets[i].part) {
			iko_xlsx_close(x);
			return iko_error_set(IKO_EPARSE, "%s: sheet %zu has no part", path, i + 1);
		}
	memset(&sc, 0, sizeof(sc));
	sc.x = x;
	rc = parse_part(x, "xl/sharedStrings.xml", sst_start, sst_end, sst_text, &sc, 1);
	iko_buf_release(&sc.cur);
	if (rc < 0 || sc.oom) {
		iko_xlsx_close(x);
		return rc < 0 ? rc : iko_error_set(IKO_ENOMEM, "out of memory");
	}
	*out = x;
	return 0;
}

void iko_xlsx_close(iko_xlsx *x)
{
	size_t i;

	if (!x)
		return;
	for (i = 0; i < x->nsheets; i++) {
		free(x->sheets[i].name);
		free(x->sheets[i].rid);
		free(x->sheets[i].part);
	}
	for (i = 0; i < x->nsst; i++)
		free(x->sst[i]);
	free(x->sst);
	free(x->sheets);
	if (x->zip)
		zip_discard(x->zip);
	free(x->path);
	free(x);
}

size_t iko_xlsx_nsheets(const iko_xlsx *x)
{
	return x->nsheets;
}

const char *iko_xlsx_sheet_name(const iko_xlsx *x, size_t i)
{
	return i < x->nsheets ? x->sheets[i].name : NULL;
}

/* ---- a worksheet ---- */

typedef struct ws_ctx {
	iko_xlsx *x;
	iko_xlsx_cell_fn fn;
	void *ud;
	iko_buf val;
	unsigned row, col, next_col;
	char type[12];
	int in_c, in_v, in_t, in_is, in_rph, stop, bad;
} ws_ctx;

/* "BC12" → row 11, col 54; -1 if malformed. */
static int parse_ref(const char *r, unsigned *row, unsigned *col)
{
	unsigned c = 0, rw = 0;
	int nl = 0, nd = 0;

	for (; *r >= 'A' && *r <= 'Z'; r++, nl++)
		c = c * 26 + (unsigned)(*r - 'A' + 1);
	for (; *r >= '0' && *r <= '9'; r++, nd++)
		rw = rw * 10 + (unsigned)(*r - '0');
	if (*r || !nl || !nd || nl > 3 || rw == 0)
		return -1;
	*row = rw - 1;
	*col = c - 1;
	return 0;
}

static void ws_start(void *ud, const char *name, const char **a)
{
	ws_ctx *c = ud;
	const char *n = local(name);

	if (c->stop)
		return;
	if (!strcmp(n, "row")) {
		const char *r = attr(a, "r");
		if (r)
			c->row = (unsigned)strtoul(r, NULL, 10) - 1;
		else
			c->row++;
		c->next_col = 0;
	} else if (!strcmp(n, "c")) {
		const char *r = attr(a, "r"), *t = attr(a, "t");
		unsigned rw, cl;
		c->in_c = 1;
		iko_buf_clear(&c->val);
		snprintf(c->type, sizeof(c->type), "%s", t ? t : "n");
		if (r && parse_ref(r, &rw, &cl) == 0) {
			c->row = rw;
			c->col = cl;
		} else if (r) {
			c->bad = 1;
		} else {
			c->col = c->next_col;
		}
		c->next_col = c->col + 1;
	} else if (c->in_c && !strcmp(n, "v")) {
		c->in_v = 1;
	} else if (c->in_c && !strcmp(n, "is")) {
		c->in_is = 1;
	} else if (c->in_is && !strcmp(n, "rPh")) {
		c->in_rph = 1;
	} else if (c->in_is && !c->in_rph && !strcmp(n, "t")) {
		c->in_t = 1;
	}
}

static void ws_end(void *ud, const char *name)
{
	ws_ctx *c = ud;
	const char *n = local(name), *text;
	int num = 0;

	if (c->stop)
		return;
	if (!strcmp(n, "v")) {
		c->in_v = 0;
	} else if (!strcmp(n, "t")) {
		c->in_t = 0;
	} else if (!strcmp(n, "rPh")) {
		c->in_rph = 0;
	} else if (!strcmp(n, "is")) {
		c->in_is = 0;
	} else if (!strcmp(n, "c")) {
		c->in_c = 0;
		text = c->val.ptr ? c->val.ptr : "";
		if (!strcmp(c->type, "s")) {
			char *end;
			unsigned long k = strtoul(text, &end, 10);
			if (!*text || *end || k >= c->x->nsst) {
				c->bad = 1;
				return;
			}
			text = c->x->sst[k];
		} else if (!strcmp(c->type, "b")) {
			text = !strcmp(text, "1") ? "TRUE" : "FALSE";
		} else if (!strcmp(c->type, "n")) {
			num = 1;
		}
		if (*text && (c->stop = c->fn(c->ud, c->row, c->col, text, num)) != 0)
			return;
	}
}

static void ws_text(void *ud, const char *s, int len)
{
	ws_ctx *c = ud;

	if (!c->stop && (c->in_v || (c->in_t && !c->in_rph)) && iko_buf_put(&c->val, s, (size_t)len))
		c->stop = IKO_ENOMEM;
}

int iko_xlsx_read_sheet(iko_xlsx *x, size_t i, iko_xlsx_cell_fn fn, void *ud)
{
	ws_ctx c;
	int rc;

	if (i >= x->nsheets)
		return iko_error_set(IKO_EINVAL, "%s: no sheet %zu", x->path, i + 1);
	memset(&c, 0, sizeof(c));
	c.x = x;
	c.fn = fn;
	c.ud = ud;
	rc = parse_part(x, x->sheets[i].part, ws_start, ws_end, ws_text, &c, 0);
	iko_buf_release(&c.val);
	if (rc)
		return rc;
	if (c.bad)
		return iko_error_set(IKO_EPARSE, "%s: sheet %s: malformed cell reference or shared string",
				     x->path, x->sheets[i].name);
	return c.stop;
}

void iko_xlsx_cell_name(char *out, size_t n, unsigned row, unsigned col)
{
	char letters[8];
	int k = 0, i;
	unsigned c = col + 1;

	while (c && k < 7) {
		letters[k++] = (char)('A' + (c - 1) % 26);
		c = (c - 1) / 26;
	}
	for (i = 0; i < k / 2; i++) {
		char t = letters[i];
		letters[i] = letters[k - 1 - i];
		letters[k - 1 - i] = t;
	}
	letters[k] = '\0';
	snprintf(out, n, "%s%u", letters, row + 1);
}

int iko_xlsx_date1904(const iko_xlsx *x)
{
	return x->date1904;
}

int iko_xlsx_serial_date(char out[11], const char *serial, int date1904)
{
	char *end;
	double v = strtod(serial, &end);
	long z;
	long era, doe, yoe, y, doy, mp, d, m;

	if (end == serial || *end)
		return -1;
	if (date1904) {
		/* serial 0 is 1904-01-01, which is 1462 in the 1900 system */
		if (v < 0 || v > 2958465 - 1462)
			return -1;
		v += 1462;
	}
	if (v < 61 || v > 2958465)
		return -1;
	/* serial 25569 = 1970-01-01 (serials from 61 on skip Excel's 1900-02-29) */
	z = (long)v - 25569 + 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	y += m <= 2;
	snprintf(out, 11, "%04lu-%02lu-%02lu", (unsigned long)y % 10000u, (unsigned long)m % 100u,
		 (unsigned long)d % 100u);
	return 0;
}
