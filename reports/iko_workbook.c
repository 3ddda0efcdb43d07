/*
 * iko_workbook.c — .xlsx workbooks for municipal staff on top of
 * libxlsxwriter (reports/; used by the reconciliation stage and the other
 * report writers). Conventions: see iko_workbook.h and docs/workbook.md.
 *
 * Column widths: in constant_memory mode libxlsxwriter streams cell data to
 * a temporary file as rows are written, but the <cols> element is emitted
 * only when workbook_close() assembles the sheet. So the writer tracks the
 * widest display width of every column over all rows and sets the widths at
 * sheet end: exact widths, no row buffering, memory independent of rows.
 */
#include "iko_workbook.h"

#include "iko_buf.h"
#include "iko_date.h"
#include "iko_error.h"
#include "iko_fs.h"
#include "iko_utf8.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <xlsxwriter.h>

#define COVER_NAME "表紙"
#define MAX_SCALE 10          /* decimals kept as numbers; more → text */
#define MAX_SIG_DIGITS 15     /* Excel's double precision */
#define MAX_AUTO_WIDTH 60.0   /* content never widens a column beyond this */
#define FILTER_BUTTON 2.0     /* room for the autofilter drop-down arrow */
#define SHEET_NAME_MAX 31     /* Excel, in UTF-16 units */
#define CELL_TEXT_MAX 32767   /* Excel, characters per cell */

enum wb_fmt {
	FMT_HEADER,
	FMT_TITLE,
	FMT_DATE,
	FMT_PASS,
	FMT_WARN,
	FMT_FAIL,
	FMT_UNLOCKED,
	FMT_UNLOCKED_DATE,
	FMT_REHEARSAL,
	FMT_FREEZE,
	FMT_CUTOVER,
	FMT_HYPERCARE,
	FMT_COUNT_
};

/* Review column indexes, relative to the first review column. */
enum wb_review {
	REV_STATUS,  /* 確認状況 */
	REV_CAUSE,   /* 原因区分 */
	REV_ACTION,  /* 対応 */
	REV_OWNER,   /* 担当 */
	REV_DATE,    /* 確認日 */
	REV_COMMENT, /* コメント */
	REV_COUNT_
};
_Static_assert(REV_COUNT_ == IKO_WB_REVIEW_COLUMNS, "review column count");

static const char *const review_labels[] = {
	[REV_STATUS] = "確認状況",
	[REV_CAUSE] = "原因区分",
	[REV_ACTION] = "対応",
	[REV_OWNER] = "担当",
	[REV_DATE] = "確認日",
	[REV_COMMENT] = "コメント",
};
_Static_assert(sizeof(review_labels) / sizeof(review_labels[0]) == REV_COUNT_,
	       "review_labels must cover enum wb_review");

/* Minimum widths of the review columns (drop-down values, dates, notes). */
static const double review_widths[] = {
	[REV_STATUS] = 16, [REV_CAUSE] = 16, [REV_ACTION] = 18,
	[REV_OWNER] = 12, [REV_DATE] = 12, [REV_COMMENT] = 40,
};
_Static_assert(sizeof(review_widths) / sizeof(review_widths[0]) == REV_COUNT_,
	       "review_widths must cover enum wb_review");

static const char *const list_status[] = {
	"未確認", "確認済", "要修正", "旧システム誤り", NULL
};
static const char *const list_cause[] = {
	"移行データ誤り", "旧システム誤り", "マッピング誤り", "仕様差異", "その他",
	NULL
};
static const char *const list_action[] = {
	"修正して再移行", "旧システムで修正", "対応不要", "保留", NULL
};

struct wb_col {
	iko_cell_kind kind;
	double width;  /* widest content seen (display units) */
	double hint;   /* declared minimum width */
	double label;  /* header label width */
	int review;    /* review column: unlocked, no content cap */
};

struct iko_workbook {
	lxw_workbook *lxw;
	char *path;
	char *tmp;
	int reveal;
	int committed;
	int have_cover;
	lxw_format *fmt[FMT_COUNT_];
	lxw_format *num[MAX_SCALE + 1]; /* #,##0 / #,##0.0 / ... */
	char **names;                   /* sheet names in use */
	size_t nnames;
	/* the open sheet */
	lxw_worksheet *ws;
	const char *ws_name;            /* points into names[] */
	struct wb_col *cols;
	size_t ndata;                   /* data columns */
	size_t ncols;                   /* data + review columns */
	lxw_row_t rows;                 /* data rows written */
	iko_buf cell;                   /* scratch for masked values */
};

/* ---- errors ------------------------------------------------------------ */

static int lxw_fail(lxw_error err, const char *what, const iko_workbook *wb)
{
	int code = err == LXW_ERROR_MEMORY_MALLOC_FAILED ? IKO_ENOMEM : IKO_ERROR;

	return iko_error_set(code, "cannot %s in workbook %s: %s", what,
			     wb->path, lxw_strerror(err));
}

/* ---- display width ----------------------------------------------------- */

static int cp_width(uint32_t cp)
{
	if (cp == 0x200B || (cp >= 0x0300 && cp <= 0x036F) ||
	    (cp >= 0x3099 && cp <= 0x309A) || (cp >= 0xFE00 && cp <= 0xFE0F) ||
	    (cp >= 0xE0100 && cp <= 0xE01EF))
		return 0;
	if ((cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0x303E) ||
	    (cp >= 0x3041 && cp <= 0x33FF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
	    (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0xA000 && cp <= 0xA4CF) ||
	    (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
	    (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
	    (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x1F300 && cp <= 0x1F64F) ||
	    (cp >= 0x20000 && cp <= 0x3FFFD))
		return 2;
	return 1;
}

double iko_workbook_text_width(const char *s)
{
	size_t len = s ? strlen(s) : 0, i = 0;
	double line = 0, best = 0;
	uint32_t cp;
	int n;

	while (i < len) {
		n = iko_utf8_decode(s + i, len - i, &cp);
		if (n < 0) {
			n = 1;
			cp = '?';
		}
		i += (size_t)n;
		if (cp == '\n') {
			line = 0;
			continue;
		}
		line += cp_width(cp);
		if (line > best)
			best = line;
	}
	return best;
}

/* ---- value conversion -------------------------------------------------- */

/*
 * Parse "[+-]digits[.digits]" into *v with *scale fraction digits. Returns 0
 * for anything else, for a leading zero ("007": a code, keep as text), for
 * more than MAX_SIG_DIGITS significant digits or MAX_SCALE decimals. The
 * value is computed as mantissa / 10^scale: both exact doubles, so the
 * division yields the double nearest the decimal, whatever the locale.
 */
static int parse_decimal(const char *s, int allow_frac, double *v, int *scale,
			 int *intdigits)
{
	const char *p = s;
	long long mant = 0;
	double pow10 = 1;
	int neg = 0, nint = 0, nfrac = 0, sig = 0;

	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	for (; *p >= '0' && *p <= '9'; p++, nint++) {
		if (sig || *p != '0')
			sig++;
		mant = mant * 10 + (*p - '0');
		if (sig > MAX_SIG_DIGITS)
			return 0;
	}
	if (nint == 0 || (nint > 1 && s[neg || *s == '+'] == '0'))
		return 0;
	if (*p == '.' && allow_frac) {
		for (p++; *p >= '0' && *p <= '9'; p++, nfrac++) {
			if (sig || *p != '0')
				sig++;
			mant = mant * 10 + (*p - '0');
			pow10 *= 10;
			if (sig > MAX_SIG_DIGITS || nfrac > MAX_SCALE)
				return 0;
		}
		if (nfrac == 0)
			return 0;
	}
	if (*p != '\0')
		return 0;
	*v = mant == 0 ? 0.0 : (neg ? -1.0 : 1.0) * ((double)mant / pow10);
	*scale = nfrac;
	*intdigits = nint;
	return 1;
}

/* Width of a number shown with a #,##0[.0…] format. */
static double number_width(double v, int scale, int intdigits)
{
	return (v < 0) + intdigits + (intdigits - 1) / 3 + (scale ? scale + 1 : 0);
}

static lxw_format *number_format(iko_workbook *wb, int scale)
{
	char spec[8 + MAX_SCALE];
	int i;

	if (wb->num[scale])
		return wb->num[scale];
	memcpy(spec, "#,##0", 6);
	if (scale > 0) {
		spec[5] = '.';
		for (i = 0; i < scale; i++)
			spec[6 + i] = '0';
		spec[6 + scale] = '\0';
	}
	wb->num[scale] = workbook_add_format(wb->lxw);
	if (wb->num[scale])
		format_set_num_format(wb->num[scale], spec);
	return wb->num[scale];
}

/* "********9018": all but the last 4 characters masked (all if <= 4). */
static int mask_value(iko_buf *out, const char *s)
{
	size_t len = strlen(s), n = iko_utf8_length(s, len), keep, i, off = 0;
	uint32_t cp;
	int k;

	keep = n > 4 ? 4 : 0;
	iko_buf_clear(out);
	for (i = 0; i < n - keep; i++) {
		k = iko_utf8_decode(s + off, len - off, &cp);
		off += k > 0 ? (size_t)k : 1;
		if (iko_buf_putc(out, '*') != 0)
			return IKO_ENOMEM;
	}
	return iko_buf_put(out, s + off, len - off);
}

static int write_text(iko_workbook *wb, lxw_row_t row, lxw_col_t col,
		      const char *s, lxw_format *fmt)
{
	lxw_error err = worksheet_write_string(wb->ws, row, col, s, fmt);
	double w;

	if (err != LXW_NO_ERROR)
		return lxw_fail(err, "write a cell", wb);
	w = iko_workbook_text_width(s);
	if (w > wb->cols[col].width)
		wb->cols[col].width = w;
	return 0;
}

static int write_number(iko_workbook *wb, lxw_row_t row, lxw_col_t col,
			double v, int scale, int intdigits)
{
	lxw_format *fmt = number_format(wb, scale);
	lxw_error err;
	double w;

	if (!fmt)
		return iko_error_set(IKO_ENOMEM, "out of memory");
	err = worksheet_write_number(wb->ws, row, col, v, fmt);
	if (err != LXW_NO_ERROR)
		return lxw_fail(err, "write a number", wb);
	w = number_width(v, scale, intdigits);
	if (w > wb->cols[col].width)
		wb->cols[col].width = w;
	return 0;
}

static int write_date(iko_workbook *wb, lxw_row_t row, lxw_col_t col,
		      int y, int m, int d)
{
	lxw_datetime dt = { y, m, d, 0, 0, 0 };
	lxw_error err;

	err = worksheet_write_datetime(wb->ws, row, col, &dt, wb->fmt[FMT_DATE]);
	if (err != LXW_NO_ERROR)
		return lxw_fail(err, "write a date", wb);
	if (wb->cols[col].width < 10)
		wb->cols[col].width = 10;
	return 0;
}

static int write_status(iko_workbook *wb, lxw_row_t row, lxw_col_t col,
			const char *s)
{
	lxw_format *fmt = NULL;

	if (strcmp(s, "PASS") == 0)
		fmt = wb->fmt[FMT_PASS];
	else if (strcmp(s, "WARN") == 0)
		fmt = wb->fmt[FMT_WARN];
	else if (strcmp(s, "FAIL") == 0)
		fmt = wb->fmt[FMT_FAIL];
	return write_text(wb, row, col, s, fmt);
}

/* Convert and write one data value according to its column's kind. */
static int write_cell(iko_workbook *wb, lxw_row_t row, lxw_col_t col,
		      const char *s)
{
	size_t len;
	double v;
	int scale, intdigits, y, m, d;

	if (!s || !*s)
		return 0;
	len = strlen(s);
	if (!iko_utf8_valid(s, len))
		return iko_error_set(IKO_ECONV,
				     "invalid UTF-8 in workbook %s, sheet %s, "
				     "row %u, column %u", wb->path, wb->ws_name,
				     (unsigned)row + 1, (unsigned)col + 1);
	if (len > CELL_TEXT_MAX && iko_utf8_length(s, len) > CELL_TEXT_MAX)
		return iko_error_set(IKO_EINVAL,
				     "value longer than %d characters in "
				     "workbook %s, sheet %s, row %u, column %u",
				     CELL_TEXT_MAX, wb->path, wb->ws_name,
				     (unsigned)row + 1, (unsigned)col + 1);
	switch (wb->cols[col].kind) {
	case IKO_CELL_NUMBER:
	case IKO_CELL_INTEGER:
		if (parse_decimal(s, wb->cols[col].kind == IKO_CELL_NUMBER, &v,
				  &scale, &intdigits))
			return write_number(wb, row, col, v, scale, intdigits);
		break;
	case IKO_CELL_DATE:
		/* Serials before 1900-03-01 hit Excel's fictitious 1900-02-29. */
		if (iko_date_parse_iso(s, &y, &m, &d) &&
		    iko_date_cmp(y, m, d, 1900, 3, 1) >= 0)
			return write_date(wb, row, col, y, m, d);
		break;
	case IKO_CELL_MASKED:
		if (wb->reveal)
			break;
		if (mask_value(&wb->cell, s) != 0)
			return iko_error_set(IKO_ENOMEM, "out of memory");
		return write_text(wb, row, col, iko_buf_cstr(&wb->cell), NULL);
	case IKO_CELL_STATUS:
		return write_status(wb, row, col, s);
	case IKO_CELL_PHASE:
		return write_text(wb, row, col, s,
				  !strcmp(s, "リハーサル") ? wb->fmt[FMT_REHEARSAL]
				  : !strcmp(s, "凍結") ? wb->fmt[FMT_FREEZE]
				  : !strcmp(s, "切替") ? wb->fmt[FMT_CUTOVER]
				  : !strcmp(s, "稼働後") ? wb->fmt[FMT_HYPERCARE] : NULL);
	case IKO_CELL_TEXT:
	case IKO_CELL_KIND_COUNT_:
		break;
	}
	return write_text(wb, row, col, s, NULL);
}

/* ---- sheet names ------------------------------------------------------- */

static int name_used(const iko_workbook *wb, const char *name)
{
	size_t i;

	for (i = 0; i < wb->nnames; i++)
		if (strcasecmp(wb->names[i], name) == 0)
			return 1;
	return 0;
}

/*
 * Append to out the legal form of want, at most max UTF-16 units: []:*?/\
 * and control characters become '_', invalid UTF-8 bytes too.
 */
static int legal_name(iko_buf *out, const char *want, size_t max)
{
	size_t len = strlen(want), i = 0, units = 0;
	uint32_t cp;
	int n, rc = 0;

	while (i < len && rc == 0) {
		n = iko_utf8_decode(want + i, len - i, &cp);
		if (n < 0 || cp < 0x20 || cp == 0x7F ||
		    (cp < 0x80 && strchr("[]:*?/\\", (int)cp)))
			cp = '_';
		if (units + (cp >= 0x10000 ? 2 : 1) > max)
			break;
		units += cp >= 0x10000 ? 2 : 1;
		rc = iko_utf8_put(out, cp);
		i += n > 0 ? (size_t)n : 1;
	}
	return rc;
}

/* Choose a legal, unused sheet name for want and record it. */
static int claim_name(iko_workbook *wb, const char *want, const char **out)
{
	iko_buf base = IKO_BUF_INIT, b = IKO_BUF_INIT;
	char **names;
	char suffix[24];
	int k, rc = 0;

	*out = NULL;
	rc = legal_name(&base, want ? want : "", SHEET_NAME_MAX);
	/* A name may not begin or end with an apostrophe; "History" is taken. */
	if (rc == 0 && base.len > 0 && base.ptr[0] == '\'')
		base.ptr[0] = '_';
	if (rc == 0 && base.len > 0 && base.ptr[base.len - 1] == '\'')
		base.ptr[base.len - 1] = '_';
	if (rc == 0 && (base.len == 0 || strcasecmp(base.ptr, "History") == 0))
		rc = iko_buf_puts(&base, base.len == 0 ? "Sheet" : "_");
	if (rc == 0)
		rc = iko_buf_puts(&b, base.ptr);
	for (k = 2; rc == 0 && name_used(wb, b.ptr); k++) {
		/* base is legal already: legal_name() only shortens it. */
		snprintf(suffix, sizeof(suffix), "(%d)", k);
		iko_buf_clear(&b);
		rc = legal_name(&b, base.ptr, SHEET_NAME_MAX - strlen(suffix));
		if (rc == 0)
			rc = iko_buf_puts(&b, suffix);
	}
	if (rc != 0)
		goto done;
	names = realloc(wb->names, (wb->nnames + 1) * sizeof(*names));
	if (!names) {
		rc = IKO_ENOMEM;
		goto done;
	}
	wb->names = names;
	wb->names[wb->nnames] = iko_buf_detach(&b);
	*out = wb->names[wb->nnames++];
done:
	if (rc == IKO_ENOMEM)
		iko_error_set(IKO_ENOMEM, "out of memory");
	iko_buf_release(&b);
	iko_buf_release(&base);
	return rc;
}

/* ---- workbook ---------------------------------------------------------- */

static lxw_format *new_fill_format(lxw_workbook *lxw, lxw_color_t bg,
				   lxw_color_t fg)
{
	lxw_format *f = workbook_add_format(lxw);

	if (f) {
		format_set_pattern(f, LXW_PATTERN_SOLID);
		format_set_bg_color(f, bg);
		format_set_font_color(f, fg);
	}
	return f;
}

static int add_formats(iko_workbook *wb)
{
	lxw_format **f = wb->fmt;
	int i;

	f[FMT_HEADER] = new_fill_format(wb->lxw, 0xDDEBF7, 0x000000);
	f[FMT_TITLE] = workbook_add_format(wb->lxw);
	f[FMT_DATE] = workbook_add_format(wb->lxw);
	/* Excel's own Good / Neutral / Bad colours. */
	f[FMT_PASS] = new_fill_format(wb->lxw, 0xC6EFCE, 0x006100);
	f[FMT_WARN] = new_fill_format(wb->lxw, 0xFFEB9C, 0x9C5700);
	f[FMT_FAIL] = new_fill_format(wb->lxw, 0xFFC7CE, 0x9C0006);
	f[FMT_REHEARSAL] = new_fill_format(wb->lxw, 0xDDEBF7, 0x1F4E78);
	f[FMT_FREEZE] = new_fill_format(wb->lxw, 0xFFEB9C, 0x9C5700);
	f[FMT_CUTOVER] = new_fill_format(wb->lxw, 0xF8696B, 0xFFFFFF);
	f[FMT_HYPERCARE] = new_fill_format(wb->lxw, 0xC6EFCE, 0x006100);
	f[FMT_UNLOCKED] = workbook_add_format(wb->lxw);
	f[FMT_UNLOCKED_DATE] = workbook_add_format(wb->lxw);
	for (i = 0; i < FMT_COUNT_; i++)
		if (!f[i])
			return iko_error_set(IKO_ENOMEM, "out of memory");
	format_set_bold(f[FMT_HEADER]);
	format_set_bottom(f[FMT_HEADER], LXW_BORDER_THIN);
	format_set_bold(f[FMT_TITLE]);
	format_set_font_size(f[FMT_TITLE], 14);
	format_set_num_format(f[FMT_DATE], "yyyy-mm-dd");
	format_set_unlocked(f[FMT_UNLOCKED]);
	format_set_unlocked(f[FMT_UNLOCKED_DATE]);
	format_set_num_format(f[FMT_UNLOCKED_DATE], "yyyy-mm-dd");
	return 0;
}

int iko_workbook_new(iko_workbook **out, const char *path,
		     const iko_wb_options *opts)
{
	iko_wb_options defaults = IKO_WB_OPTIONS_INIT;
	lxw_workbook_options lopts = { 0 };
	iko_workbook *wb = NULL;
	int fd, rc = IKO_ENOMEM;

	*out = NULL;
	if (!path || !*path)
		return iko_error_set(IKO_EINVAL, "workbook path is empty");
	if (iko_libxlsxwriter_load())
		return iko_error_code(); /* reports/iko_libxlsxwriter.c: the library is loaded now */
	if (!opts)
		opts = &defaults;
	wb = calloc(1, sizeof(*wb));
	if (!wb)
		goto done;
	wb->reveal = opts->reveal != 0;
	wb->path = iko_strdup(path);
	wb->tmp = iko_tmpname(path);
	if (!wb->path || !wb->tmp)
		goto done;
	/*
	 * Create the temporary file now: a bad directory is reported before any
	 * work is done, with errno, and libxlsxwriter (which opens the file only
	 * in workbook_close) inherits the mode: 0600, a review workbook holds
	 * personal data (names, addresses, keys) even with numbers masked.
	 */
	fd = open(wb->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		rc = iko_error_set_errno(IKO_EIO, "cannot create workbook %s",
					 path);
		free(wb->tmp);
		wb->tmp = NULL; /* nothing to remove */
		goto done;
	}
	close(fd);
	lopts.constant_memory = opts->constant_memory != 0;
	wb->lxw = workbook_new_opt(wb->tmp, &lopts);
	if (!wb->lxw)
		goto done;
	rc = add_formats(wb);
	if (rc != 0)
		goto done;
	*out = wb;
	return 0;
done:
	if (rc == IKO_ENOMEM && iko_error_code() != IKO_ENOMEM)
		iko_error_set(IKO_ENOMEM, "out of memory");
	iko_workbook_free(wb);
	return rc;
}

/* Protect a sheet: only unlocked cells editable; filter and sort allowed. */
static int protect_sheet(iko_workbook *wb, lxw_worksheet *ws)
{
	lxw_protection prot;

	memset(&prot, 0, sizeof(prot));
	prot.autofilter = 1;
	prot.sort = 1;
	prot.format_columns = 1;
	prot.format_rows = 1;
	worksheet_protect(ws, NULL, &prot);
	return 0;
}

static int cover_row(iko_workbook *wb, lxw_worksheet *ws, lxw_row_t row,
		     const char *k, const char *v, lxw_format *fmt)
{
	int rc = 0;
	lxw_error err = LXW_NO_ERROR;

	if ((k && !iko_utf8_valid(k, strlen(k))) ||
	    (v && !iko_utf8_valid(v, strlen(v))))
		return iko_error_set(IKO_ECONV,
				     "invalid UTF-8 in workbook %s, sheet %s, "
				     "row %u", wb->path, COVER_NAME,
				     (unsigned)row + 1);
	if (k && *k)
		err = worksheet_write_string(ws, row, 0, k, fmt);
	if (err == LXW_NO_ERROR && v && *v)
		err = worksheet_write_string(ws, row, 1, v, fmt);
	if (err != LXW_NO_ERROR)
		rc = lxw_fail(err, "write the cover", wb);
	return rc;
}

int iko_workbook_cover(iko_workbook *wb, const char *title,
		       const char *const *keys, const char *const *values,
		       size_t n)
{
	lxw_worksheet *ws;
	const char *name;
	lxw_error err;
	double wk = 8, wv = 8, w;
	size_t i;
	int rc;

	if (n > 0 && !keys)
		return iko_error_set(IKO_EINVAL, "workbook %s: cover rows "
				     "without keys", wb->path);
	if (!wb->lxw || wb->have_cover || wb->nnames > 0)
		return iko_error_set(IKO_ESTATE, "workbook %s: the cover sheet "
				     "must be written once, before any other "
				     "sheet", wb->path);
	rc = claim_name(wb, COVER_NAME, &name);
	if (rc != 0)
		return rc;
	wb->have_cover = 1;
	ws = workbook_add_worksheet(wb->lxw, name);
	if (!ws)
		return iko_error_set(IKO_ERROR, "cannot add sheet %s to "
				     "workbook %s", name, wb->path);
	rc = cover_row(wb, ws, 0, title, NULL, wb->fmt[FMT_TITLE]);
	if (rc == 0)
		rc = cover_row(wb, ws, 2, "項目", "内容", wb->fmt[FMT_HEADER]);
	for (i = 0; i < n && rc == 0; i++) {
		rc = cover_row(wb, ws, (lxw_row_t)(3 + i), keys[i],
			       values ? values[i] : NULL, NULL);
		w = iko_workbook_text_width(keys[i]);
		wk = w > wk ? w : wk;
		w = iko_workbook_text_width(values ? values[i] : NULL);
		wv = w > wv ? w : wv;
	}
	if (rc != 0)
		return rc;
	wk = wk > MAX_AUTO_WIDTH ? MAX_AUTO_WIDTH : wk;
	wv = wv > MAX_AUTO_WIDTH + 20 ? MAX_AUTO_WIDTH + 20 : wv;
	err = worksheet_set_column(ws, 0, 0, wk + 2, NULL);
	if (err == LXW_NO_ERROR)
		err = worksheet_set_column(ws, 1, 1, wv + 2, NULL);
	if (err != LXW_NO_ERROR)
		return lxw_fail(err, "size the cover columns", wb);
	return protect_sheet(wb, ws);
}

/* Write the header row and set up the column state of a new sheet. */
static int sheet_header(iko_workbook *wb, const iko_wb_column *cols)
{
	const char *label;
	lxw_error err;
	size_t c;

	for (c = 0; c < wb->ncols; c++) {
		struct wb_col *col = &wb->cols[c];

		if (c < wb->ndata) {
			label = cols[c].label;
			col->kind = cols[c].kind;
			col->hint = cols[c].width > 0 ? cols[c].width : 0;
		} else {
			label = review_labels[c - wb->ndata];
			col->kind = IKO_CELL_TEXT;
			col->hint = review_widths[c - wb->ndata];
			col->review = 1;
		}
		col->label = iko_workbook_text_width(label) + FILTER_BUTTON;
		err = worksheet_write_string(wb->ws, 0, (lxw_col_t)c, label,
					     wb->fmt[FMT_HEADER]);
		if (err != LXW_NO_ERROR)
			return lxw_fail(err, "write the header", wb);
	}
	return 0;
}

static void close_sheet_state(iko_workbook *wb)
{
	free(wb->cols);
	wb->cols = NULL;
	wb->ws = NULL;
	wb->ws_name = NULL;
	wb->ndata = wb->ncols = 0;
	wb->rows = 0;
}

int iko_workbook_sheet_begin(iko_workbook *wb, const char *name,
			     const iko_wb_column *cols, size_t ncols,
			     int review)
{
	const char *legal;
	size_t c;
	int rc;

	if (!wb->lxw || wb->ws)
		return iko_error_set(IKO_ESTATE, "workbook %s: %s", wb->path,
				     wb->ws ? "previous sheet not ended"
					    : "already closed");
	if (ncols == 0 || !cols)
		return iko_error_set(IKO_EINVAL, "workbook %s, sheet %s: no "
				     "columns", wb->path, name ? name : "");
	for (c = 0; c < ncols; c++)
		if (!cols[c].label || (unsigned)cols[c].kind >=
					      (unsigned)IKO_CELL_KIND_COUNT_)
			return iko_error_set(IKO_EINVAL, "workbook %s, sheet %s: "
					     "column %zu has no label or a bad "
					     "kind", wb->path, name ? name : "",
					     c + 1);
	if (ncols + (review ? REV_COUNT_ : 0) > LXW_COL_MAX)
		return iko_error_set(IKO_EINVAL, "workbook %s, sheet %s: too many "
				     "columns (%zu)", wb->path, name ? name : "",
				     ncols);
	rc = claim_name(wb, name, &legal);
	if (rc != 0)
		return rc;
	wb->ndata = ncols;
	wb->ncols = ncols + (review ? REV_COUNT_ : 0);
	wb->rows = 0;
	wb->ws_name = legal;
	wb->cols = calloc(wb->ncols, sizeof(*wb->cols));
	if (!wb->cols) {
		rc = iko_error_set(IKO_ENOMEM, "out of memory");
		goto done;
	}
	wb->ws = workbook_add_worksheet(wb->lxw, legal);
	if (!wb->ws) {
		rc = iko_error_set(IKO_ERROR, "cannot add sheet %s to workbook "
				   "%s", legal, wb->path);
		goto done;
	}
	rc = sheet_header(wb, cols);
done:
	if (rc != 0)
		close_sheet_state(wb);
	return rc;
}

/*
 * The review cells of one data row, all unlocked: 確認状況 = 未確認 and the
 * rest blank, or the values of an earlier review (rv[REV_*], NULL = blank;
 * 確認日 "YYYY-MM-DD" becomes a real date).
 */
static int write_review(iko_workbook *wb, lxw_row_t row, const char *const *rv)
{
	lxw_col_t c0 = (lxw_col_t)wb->ndata, c;
	lxw_error err;

	err = worksheet_write_string(wb->ws, row, c0 + REV_STATUS,
				     rv && rv[REV_STATUS] && *rv[REV_STATUS] ? rv[REV_STATUS]
									     : list_status[0],
				     wb->fmt[FMT_UNLOCKED]);
	for (c = REV_CAUSE; c < REV_COUNT_ && err == LXW_NO_ERROR; c++) {
		lxw_format *f = wb->fmt[c == REV_DATE ? FMT_UNLOCKED_DATE : FMT_UNLOCKED];
		const char *v = rv ? rv[c] : NULL;
		int y, m, d;
		if (!v || !*v) {
			err = worksheet_write_blank(wb->ws, row, c0 + c, f);
		} else if (c == REV_DATE && sscanf(v, "%4d-%2d-%2d", &y, &m, &d) == 3) {
			lxw_datetime dt = { y, m, d, 0, 0, 0 };
			err = worksheet_write_datetime(wb->ws, row, c0 + c, &dt, f);
		} else {
			err = worksheet_write_string(wb->ws, row, c0 + c, v, f);
		}
	}
	if (err != LXW_NO_ERROR)
		return lxw_fail(err, "write the review columns", wb);
	return 0;
}

const char *const *iko_workbook_review_list(int col)
{
	return col == 0 ? list_status : col == 1 ? list_cause : col == 2 ? list_action : NULL;
}

const char *iko_workbook_review_label(int col)
{
	return col >= 0 && col < REV_COUNT_ ? review_labels[col] : NULL;
}

int iko_workbook_row(iko_workbook *wb, const char *const *values)
{
	return iko_workbook_row_reviewed(wb, values, NULL);
}

int iko_workbook_row_reviewed(iko_workbook *wb, const char *const *values,
			      const char *const *review)
{
	lxw_row_t row;
	size_t c;
	int rc;

	if (!wb->ws)
		return iko_error_set(IKO_ESTATE, "workbook %s: no open sheet",
				     wb->path);
	if (!values)
		return iko_error_set(IKO_EINVAL, "workbook %s, sheet %s: row "
				     "without values", wb->path, wb->ws_name);
	if (wb->rows >= LXW_ROW_MAX - 1)
		return iko_error_set(IKO_EINVAL, "workbook %s, sheet %s: more "
				     "than %u data rows (Excel's limit)",
				     wb->path, wb->ws_name,
				     (unsigned)(LXW_ROW_MAX - 1));
	row = wb->rows + 1;
	for (c = 0; c < wb->ndata; c++) {
		rc = write_cell(wb, row, (lxw_col_t)c, values[c]);
		if (rc != 0)
			return rc;
	}
	if (wb->ncols > wb->ndata) {
		rc = write_review(wb, row, review);
		if (rc != 0)
			return rc;
	}
	wb->rows++;
	return 0;
}

static int add_list_validation(iko_workbook *wb, lxw_col_t col,
			       const char *const *list)
{
	lxw_data_validation dv;
	lxw_error err;

	memset(&dv, 0, sizeof(dv));
	dv.validate = LXW_VALIDATION_TYPE_LIST;
	dv.value_list = (char **)list;
	dv.error_title = (char *)"入力エラー";
	dv.error_message = (char *)"一覧から選んでください。";
	err = worksheet_data_validation_range(wb->ws, 1, col, wb->rows, col,
					      &dv);
	if (err != LXW_NO_ERROR)
		return lxw_fail(err, "add a drop-down list", wb);
	return 0;
}

static int add_review_validations(iko_workbook *wb)
{
	lxw_col_t c0 = (lxw_col_t)wb->ndata;
	lxw_data_validation dv;
	lxw_datetime lo = { 2000, 1, 1, 0, 0, 0 }, hi = { 2099, 12, 31, 0, 0, 0 };
	lxw_error err;
	int rc;

	rc = add_list_validation(wb, c0 + REV_STATUS, list_status);
	if (rc == 0)
		rc = add_list_validation(wb, c0 + REV_CAUSE, list_cause);
	if (rc == 0)
		rc = add_list_validation(wb, c0 + REV_ACTION, list_action);
	if (rc != 0)
		return rc;
	memset(&dv, 0, sizeof(dv));
	dv.validate = LXW_VALIDATION_TYPE_DATE;
	dv.criteria = LXW_VALIDATION_CRITERIA_BETWEEN;
	dv.minimum_datetime = lo;
	dv.maximum_datetime = hi;
	dv.error_title = (char *)"入力エラー";
	dv.error_message = (char *)"日付を 2024-04-01 の形で入力してください。";
	err = worksheet_data_validation_range(wb->ws, 1, c0 + REV_DATE,
					      wb->rows, c0 + REV_DATE, &dv);
	if (err != LXW_NO_ERROR)
		return lxw_fail(err, "add the date validation", wb);
	return 0;
}

/* Width of a column: label, hint and content (content capped). */
static double column_width(const struct wb_col *col)
{
	double w = col->width > MAX_AUTO_WIDTH ? MAX_AUTO_WIDTH : col->width;

	if (col->label > w)
		w = col->label;
	if (col->hint > w)
		w = col->hint;
	return w + 1;
}

int iko_workbook_sheet_end(iko_workbook *wb)
{
	lxw_error err = LXW_NO_ERROR;
	size_t c;
	int rc = 0;

	if (!wb->ws)
		return iko_error_set(IKO_ESTATE, "workbook %s: no open sheet",
				     wb->path);
	for (c = 0; c < wb->ncols && err == LXW_NO_ERROR; c++)
		err = worksheet_set_column(wb->ws, (lxw_col_t)c, (lxw_col_t)c,
					   column_width(&wb->cols[c]), NULL);
	if (err == LXW_NO_ERROR)
		err = worksheet_autofilter(wb->ws, 0, 0, wb->rows,
					   (lxw_col_t)(wb->ncols - 1));
	if (err != LXW_NO_ERROR) {
		rc = lxw_fail(err, "finish a sheet", wb);
		goto done;
	}
	worksheet_freeze_panes(wb->ws, 1, 0);
	if (wb->ncols > wb->ndata && wb->rows > 0) {
		rc = add_review_validations(wb);
		if (rc != 0)
			goto done;
	}
	rc = protect_sheet(wb, wb->ws);
done:
	close_sheet_state(wb);
	return rc;
}

int iko_workbook_commit(iko_workbook *wb)
{
	lxw_error err;
	int rc;

	if (!wb->lxw || wb->ws || wb->nnames == 0)
		return iko_error_set(IKO_ESTATE, "workbook %s: %s", wb->path,
				     !wb->lxw ? "already closed"
				     : wb->ws ? "sheet not ended"
					      : "no sheets");
	err = workbook_close(wb->lxw); /* frees the workbook in any case */
	wb->lxw = NULL;
	if (err != LXW_NO_ERROR)
		return iko_error_set(IKO_EIO, "cannot write workbook %s: %s",
				     wb->path, lxw_strerror(err));
	rc = iko_commit_rename(wb->tmp, wb->path);
	if (rc != 0)
		return rc;
	wb->committed = 1;
	return 0;
}

void iko_workbook_free(iko_workbook *wb)
{
	size_t i;

	if (!wb)
		return;
	if (wb->lxw)
		lxw_workbook_free(wb->lxw);
	if (!wb->committed && wb->tmp)
		unlink(wb->tmp);
	iko_tmp_forget(wb->tmp);
	for (i = 0; i < wb->nnames; i++)
		free(wb->names[i]);
	free(wb->names);
	free(wb->cols);
	iko_buf_release(&wb->cell);
	free(wb->path);
	free(wb->tmp);
	free(wb);
}
