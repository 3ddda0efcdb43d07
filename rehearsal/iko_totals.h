/*
 * iko_totals.h — figures of reconciliation measures from three sources:
 * the old system's own totals (統計表, read through the pack's `totals:`
 * rules), the standard CSV iko produced, and the loaded PostgreSQL tables.
 *
 * A figure set maps (table.measure, group) → value. Groups are the values
 * of the measure's group_by columns joined with '|' ("1010001|1"); an
 * ungrouped measure has the group "".
 */
#ifndef IKO_TOTALS_H
#define IKO_TOTALS_H

#include <stddef.h>

#include "iko_schema.h"

struct iko_pack;
struct pg_conn;
struct iko_csv_row;

typedef struct iko_figures iko_figures;

int iko_figures_new(iko_figures **out);
void iko_figures_free(iko_figures *f);
/* Add v to (measure, group). measure is "table.measure". */
int iko_figures_add(iko_figures *f, const char *measure, const char *group, double v);
/* 1 and *v if present, else 0. */
int iko_figures_get(const iko_figures *f, const char *measure, const char *group, double *v);
/* Iterate every (measure, group) present: *pos starts at 0; 0 at the end. */
int iko_figures_next(const iko_figures *f, size_t *pos, const char **measure,
		     const char **group, double *v);

/*
 * Read the old system's totals: the pack's `totals:` section (one source or
 * a list), each applied to dump_dir/<file> in the given encoding or to
 * extract_dir/<extract>.csv (a record type iko extracted, such as a host
 * file's trailer). Errors name the file and row.
 */
int iko_figures_read_old(iko_figures *f, const struct iko_pack *pack, const char *dump_dir,
			 const char *extract_dir);

/*
 * strtod(v, NULL), computed without it for the common amount — an optional
 * '-', at most 15 digits with an optional '.', nothing else: the digits
 * make an exact integer below 2^53 and the power of ten is exact, so one
 * division rounds once, as strtod does. Anything else goes to strtod.
 */
double iko_figures_amount(const char *v);

/* Compute every measure of every table over dir/<table>.csv (missing skipped). */
int iko_figures_from_csv(iko_figures *f, const iko_schema *s, const char *dir);

/* Add every figure of src to dst. */
int iko_figures_merge(iko_figures *dst, const iko_figures *src);

/*
 * Measures computed over rows, one row at a time: count, sum and distinct
 * (iko_measure_row_kind); min and max only in SQL. The header names the
 * row's fields (a CSV header, or the table's columns in order); source
 * names the rows in errors. Rows are added up per measure and reach f with
 * iko_figures_rows_flush (iko_figures_rows_merge flushes both).
 */
typedef struct iko_figures_rows iko_figures_rows;
int iko_measure_row_kind(const iko_measure *m);
int iko_figures_rows_open(iko_figures_rows **out, iko_figures *f, const iko_table *t,
			  const struct iko_csv_row *header, const char *source);
int iko_figures_rows_add(iko_figures_rows *fr, const struct iko_csv_row *row);
/* Hand the figures added so far to the figure set (before reading it). */
int iko_figures_rows_flush(iko_figures_rows *fr);
void iko_figures_rows_free(iko_figures_rows *fr);
/*
 * Fold src — the same table's other rows, added to a figure set of its
 * own — into dst: counts and sums add up, a distinct value seen by both
 * counts once.
 */
int iko_figures_rows_merge(iko_figures_rows *dst, iko_figures_rows *src);

/*
 * Compute the measures over the loaded tables for lg_code in SQL; with
 * by_rows, the row-kind measures of the tables marked there are left to
 * the caller (who reads those tables' rows anyway).
 */
int iko_figures_from_db(iko_figures *f, const iko_schema *s, struct pg_conn *conn,
			const char *lg_code, const unsigned char *by_rows);

#endif
