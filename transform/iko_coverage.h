/*
 * iko_coverage.h — vendor reuse: how well a mapping pack covers a new
 * joiner's real dump (before any rehearsal), an overlay's customisations,
 * and a fresh overlay.
 *
 * Coverage extracts every input of the pack from the dump into a temporary
 * directory, runs the transform without loading (mapping every column of
 * every record, so each unmapped value is seen), and reports:
 *   - code values the pack's code tables do not map, with frequencies;
 *   - legacy fields no column mapping reads, with how often they hold data;
 *   - standard columns the pack gives no source (the gap analysis);
 *   - the share of records that would pass transform, rejects by reason.
 */
#ifndef IKO_COVERAGE_H
#define IKO_COVERAGE_H

#include <stddef.h>

#include "iko_reject.h"

typedef struct iko_cov_code {
	char *table, *column, *code_table, *value;
	long long count;
} iko_cov_code;

typedef struct iko_cov_field {
	char *input, *field;
	long long filled, records;   /* non-empty values / records */
} iko_cov_field;

typedef struct iko_cov_column {
	char *table, *column, *label;
	int required;
} iko_cov_column;

typedef struct iko_coverage {
	char *pack, *pack_version, *schema, *overlay;
	size_t ncodes, nfields, ncolumns;
	iko_cov_code *codes;         /* sorted: table, column, count desc */
	iko_cov_field *fields;       /* ignored legacy fields */
	iko_cov_column *columns;     /* standard columns without a source */
	long long records_in, records_out, records_rejected;
	long long by_reason[IKO_R_COUNT_];
	long long extract_read, extract_rejected;
} iko_coverage;

/* lg_code may be NULL (then no overlay, and a placeholder 団体コード). */
int iko_coverage_run(iko_coverage *out, const char *pack_dir, const char *dump_dir,
		     const char *lg_code);
/* The gap analysis (差異分析) workbook. */
int iko_coverage_workbook(const iko_coverage *c, const char *dump_dir, const char *path);
void iko_coverage_release(iko_coverage *c);

typedef struct iko_overlay_item {
	char *kind;      /* "code-added", "code-replaced", "policy", "code-table-added", "column" */
	char *where;     /* "zokugara" / "resident.katagaki" */
	char *detail;    /* "07 → 99" */
} iko_overlay_item;

typedef struct iko_overlay_diff {
	char *path, *reason;     /* NULL path: no overlay */
	size_t n;
	iko_overlay_item *items;
} iko_overlay_diff;

int iko_overlay_diff_run(iko_overlay_diff *out, const char *pack_dir, const char *lg_code);
void iko_overlay_diff_release(iko_overlay_diff *d);

/* Write overlays/<lg_code>.yaml: empty, with commented examples from the pack. */
int iko_overlay_new(char **path_out, const char *pack_dir, const char *lg_code);

#endif
