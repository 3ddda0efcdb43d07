/*
 * iko_review.h — municipal staff's review of the discrepancy workbook,
 * coming back (docs/review.md).
 *
 * Every reviewable row of discrepancies.xlsx carries a 差異ID computed from
 * what the discrepancy is, not from where it sits: a measure's name, group
 * and three figures; a reject's reason, key, field and value; a record
 * difference's kind, table, key, column and both values. The same
 * discrepancy in a later rehearsal has the same 差異ID, so its review is
 * carried over and staff never review the same thing twice.
 *
 *   <run>/reconcile/discrepancies.csv  id, sheet, kind, key, field, detail,
 *                                      needs_review (0 for a PASS measure) —
 *                                      every row of the review sheets
 *   <runs>/<lg_code>/reviews.csv       id, 確認状況, 原因区分, 対応, 担当, 確認日,
 *                                      コメント, run_id, imported_at, workbook_sha256
 *                                      — the municipality's reviews, latest per id
 */
#ifndef IKO_REVIEW_H
#define IKO_REVIEW_H

#include <stddef.h>

#include "iko_workbook.h"

struct iko_strmap;

/* "M-1a2b3c4d5e6f": prefix + the first 12 hex digits of SHA-256(parts joined by 0x1F). */
void iko_review_id(char out[16], char prefix, const char *const *parts, size_t n);

/* One review: v[0..6) in the workbook's review column order. */
typedef struct iko_review {
	char *id;
	char *v[IKO_WB_REVIEW_COLUMNS];
	char *run_id, *imported_at, *workbook_sha256;
} iko_review;

/* The municipality's review store next to run_dir (<run_dir>/../reviews.csv). */
char *iko_review_store_path(const char *run_dir);

/* Load a store (absent file: empty) into a map id → iko_review *. */
int iko_review_store_load(struct iko_strmap **out, const char *path);
void iko_review_store_free(struct iko_strmap *m);

typedef struct iko_review_import_result {
	long long rows;            /* rows with a 差異ID read from the workbook */
	long long recorded;        /* reviews recorded (not 未確認 or with any entry) */
	long long sheets;          /* sheets with a 差異ID column */
	char **errors;             /* "sheet!C5: …" — nothing is recorded when any */
	size_t nerrors;
} iko_review_import_result;

/*
 * Read the review columns of a reviewed workbook for run_dir and merge them
 * into the store (written atomically). Values outside the drop-down lists,
 * unreadable dates and 差異ID that are not the run's are errors naming the
 * cell; with any error nothing is recorded (returns IKO_ECHECK).
 */
int iko_review_import(iko_review_import_result *out, const char *xlsx, const char *run_dir);
void iko_review_import_result_release(iko_review_import_result *r);

typedef struct iko_review_sheet_status {
	char *sheet;
	long long total, reviewed;  /* reviewed: 確認状況 other than 未確認 */
} iko_review_sheet_status;

typedef struct iko_review_status {
	size_t nsheets;
	iko_review_sheet_status *sheets;
	long long total, reviewed;
} iko_review_status;

int iko_review_status_run(iko_review_status *out, const char *run_dir);
void iko_review_status_release(iko_review_status *s);

#endif
