/*
 * iko_workbook.h — generic .xlsx workbook writer for municipal staff.
 *
 * Pipeline position: reports/. The reconciliation stage (rehearsal/) and the
 * other report writers use it to hand discrepancies to 住民課 / 税務課 staff,
 * who review them in Excel, in Japanese, and never read logs.
 *
 * Every workbook follows the same conventions (docs/workbook.md):
 *   - an optional cover sheet 表紙 (title, then 項目 / 内容 rows), first;
 *   - one sheet per table: bold filled header row, frozen below the header,
 *     autofilter over the data, column widths fitted to the content (East
 *     Asian wide characters count 2), no merged cells;
 *   - numbers and dates stored as real numbers and dates, 個人番号 masked
 *     ("********9018") unless the workbook is opened with reveal;
 *   - optional review columns (確認状況, 原因区分, 対応, 担当, 確認日, コメント)
 *     with drop-down lists; every sheet is protected and only the review
 *     columns are editable (filtering and sorting stay allowed).
 *
 * Memory: with constant_memory (the default) rows are streamed to
 * libxlsxwriter's temporary files as they are written; the writer keeps only
 * per-column widths, so memory does not grow with the row count.
 * Output: written to "<path>.tmp.<pid>" and renamed over <path> by
 * iko_workbook_commit(); a workbook never committed leaves no file behind.
 */
#ifndef IKO_WORKBOOK_H
#define IKO_WORKBOOK_H

#include <stddef.h>

typedef enum iko_cell_kind {
	IKO_CELL_TEXT,    /* string as given */
	IKO_CELL_NUMBER,  /* decimal text → real number cell ("-305.03", shown
			   * with its own scale: #,##0.00); empty → blank;
			   * non-numeric, or a leading zero ("007"), or more than
			   * 15 significant digits → kept as a string */
	IKO_CELL_INTEGER, /* integer text → number cell, format #,##0; same
			   * fallbacks as NUMBER */
	IKO_CELL_DATE,    /* "YYYY-MM-DD" → real Excel date formatted yyyy-mm-dd;
			   * anything else (or before 1900-03-01, where Excel's
			   * 1900 calendar is ambiguous) → string */
	IKO_CELL_MASKED,  /* personal number: shown "********9018" (all but the
			   * last 4 characters replaced by '*'; values of 4
			   * characters or fewer fully masked) unless reveal */
	IKO_CELL_STATUS,  /* "PASS" / "WARN" / "FAIL": green / amber / red fill;
			   * other values as plain text */
	IKO_CELL_PHASE,   /* a cutover phase, filled by phase: リハーサル (blue),
			   * 凍結 (amber), 切替 (red), 稼働後 (green); other
			   * values as plain text */
	IKO_CELL_KIND_COUNT_
} iko_cell_kind;

/* One data column of a sheet. */
typedef struct iko_wb_column {
	const char *label; /* header text (Japanese), required */
	iko_cell_kind kind;
	double width;      /* minimum width in characters; 0 = auto only */
} iko_wb_column;

typedef struct iko_wb_options {
	int constant_memory; /* stream rows (1, default) or keep them in memory */
	int reveal;          /* 1: show personal numbers in full (the file is 0600 either way) */
} iko_wb_options;

#define IKO_WB_OPTIONS_INIT { 1, 0 }

/* Number of review columns appended by iko_workbook_sheet_begin(review=1). */
#define IKO_WB_REVIEW_COLUMNS 6

typedef struct iko_workbook iko_workbook;

/*
 * Start a workbook that will be written to path.
 * out:  receives the handle (free with iko_workbook_free()); NULL on failure.
 * path: final file name; "<path>.tmp.<pid>" is created at once (so a missing
 *       directory or a permission problem is reported here, IKO_EIO).
 * opts: NULL for IKO_WB_OPTIONS_INIT.
 * Returns 0, IKO_EIO, IKO_ENOMEM or IKO_EINVAL.
 */
/*
 * Load libxlsxwriter (reports/iko_libxlsxwriter.c: iko is not linked with
 * it); 0, or IKO_EIO saying why it cannot be. iko_workbook_new calls it.
 */
int iko_libxlsxwriter_load(void);

int iko_workbook_new(iko_workbook **out, const char *path,
		     const iko_wb_options *opts);

/*
 * Write the cover sheet "表紙": title in A1, then a 項目 / 内容 header and one
 * row per (keys[i], values[i]) pair (NULL values are blank). Must be called
 * at most once and before the first iko_workbook_sheet_begin() so that the
 * cover is the first sheet (IKO_ESTATE otherwise). Strings are copied.
 */
int iko_workbook_cover(iko_workbook *wb, const char *title,
		       const char *const *keys, const char *const *values,
		       size_t n);

/*
 * Start a data sheet. name is made legal and unique (characters []:*?/\
 * become '_', at most 31 characters, "(2)", "(3)" appended on a clash; case
 * is ignored as Excel does). cols[0..ncols) describe the data columns (the
 * array and labels are copied). If review != 0 the six review columns are
 * appended after them: 確認状況 (list 未確認/確認済/要修正/旧システム誤り,
 * default 未確認), 原因区分 (list 移行データ誤り/旧システム誤り/マッピング誤り/
 * 仕様差異/その他), 対応 (list 修正して再移行/旧システムで修正/対応不要/保留),
 * 担当 (free text), 確認日 (date), コメント (free text).
 * Returns 0, IKO_ESTATE (a sheet is already open, or after commit),
 * IKO_EINVAL (no columns, NULL label), IKO_ENOMEM, IKO_ERROR (libxlsxwriter).
 */
int iko_workbook_sheet_begin(iko_workbook *wb, const char *name,
			     const iko_wb_column *cols, size_t ncols,
			     int review);

/*
 * Write one data row: values[0..ncols) as UTF-8 text (NULL or "" = blank),
 * converted per column kind. Review cells are added automatically.
 * Returns 0, IKO_ESTATE (no open sheet), IKO_ECONV (invalid UTF-8: the
 * message names sheet, row and column, never the value), IKO_EINVAL (the
 * sheet already holds Excel's maximum of 1,048,575 data rows, or a value
 * longer than 32,767 characters), IKO_ENOMEM, IKO_ERROR.
 */
int iko_workbook_row(iko_workbook *wb, const char *const *values);

/*
 * The same, with the review cells filled from an earlier review:
 * review[0..IKO_WB_REVIEW_COLUMNS) = 確認状況, 原因区分, 対応, 担当, 確認日
 * (YYYY-MM-DD), コメント; NULL entries (or review == NULL) as for a new row.
 */
int iko_workbook_row_reviewed(iko_workbook *wb, const char *const *values,
			      const char *const *review);

/* The drop-down list of review column col (0 確認状況, 1 原因区分, 2 対応), NULL-terminated; NULL for the others. */
const char *const *iko_workbook_review_list(int col);
/* The header label of review column col (0..IKO_WB_REVIEW_COLUMNS-1). */
const char *iko_workbook_review_label(int col);

/*
 * Finish the open sheet: column widths, autofilter over header + data rows,
 * frozen header, drop-down validations over the data rows written, sheet
 * protection. Returns 0, IKO_ESTATE (no open sheet) or IKO_ERROR.
 */
int iko_workbook_sheet_end(iko_workbook *wb);

/*
 * Close the workbook (libxlsxwriter's workbook_close, checked) under the
 * temporary name, fsync and rename it to the final path. Requires at least
 * one sheet and no open sheet (IKO_ESTATE). On failure IKO_EIO with
 * lxw_strerror() in the message, and the temporary file is removed by
 * iko_workbook_free(). After commit only iko_workbook_free() may be called.
 */
int iko_workbook_commit(iko_workbook *wb);

/* Free everything; removes the temporary file if not committed. NULL-safe. */
void iko_workbook_free(iko_workbook *wb);

/*
 * Display width of UTF-8 text in Excel character units as used for column
 * fitting: East Asian wide and fullwidth characters count 2, combining marks
 * and variation selectors 0, others 1; the widest line counts.
 */
double iko_workbook_text_width(const char *s);

#endif
