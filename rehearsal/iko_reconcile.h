/*
 * iko_reconcile.h — reconciliation: the old system's totals ↔ what iko
 * produced ↔ what was loaded, record-level comparison of validated data
 * against the loaded rows, and the discrepancy workbook for staff.
 *
 * Measure level: every measure of the schema, per group, three columns —
 * the old figure (統計表, via the pack's totals rules), the figure over the
 * transform output (everything iko could read and map), and the figure
 * over the loaded tables (SQL). A group missing from a source counts 0
 * there; a measure the old system does not report has no old column.
 * Status: PASS when every present figure agrees within tolerance, WARN
 * when there is no old figure but extracted and loaded agree, else FAIL.
 *
 * Record level: each validated record against the loaded row with the same
 * key (validate's record index of offsets and hashes, common/iko_recidx.h;
 * loaded rows streamed with COPY): only-in-source, only-in-target, value
 * mismatch (column by column).
 */
#ifndef IKO_RECONCILE_H
#define IKO_RECONCILE_H

#include <stddef.h>

struct pg_conn;
typedef struct iko_reconcile_prep iko_reconcile_prep;

typedef struct iko_measure_row {
	char *measure;       /* table.measure */
	char *label;         /* Japanese label */
	char *group;         /* "1010001|1" */
	char *group_label;   /* "住所_町字コード=1010001 / 性別=1 男" */
	int has_old;
	double old_v, ext_v, db_v, diff, tolerance;
	const char *status;  /* "PASS", "WARN", "FAIL" */
} iko_measure_row;

typedef struct iko_record_diff {
	const char *kind;    /* "only_in_source", "only_in_target", "mismatch" */
	char *table, *key, *column, *source_value, *loaded_value;
	char *legacy_value;  /* the source field(s) as extracted (iko_legacy.h), or NULL */
} iko_record_diff;

typedef struct iko_reconcile_options {
	const char *run_dir;        /* runs/<lg>/<run>: transform/, validate/, ... */
	const char *schema;         /* schema name */
	const char *pack_dir;       /* for the totals rules */
	const char *dump_dir;       /* where the 統計表 is */
	const char *lg_code;
	struct pg_conn *conn;       /* loaded data; NULL = skip the loaded column */
	const char *xlsx_path;      /* NULL = no workbook */
	int reveal;                 /* show personal data in the workbook */
	/* cover sheet facts */
	const char *municipality, *run_id, *tool_version;
	size_t ninputs;
	const char *const *input_names, *const *input_sha256;
	iko_reconcile_prep *prep;   /* from iko_reconcile_prepare, or NULL (still owned by the caller) */
	int records_later;          /* iko_reconcile_prepare: validate/ is not complete yet (see there) */
} iko_reconcile_options;

#define IKO_RECONCILE_OPTIONS_INIT \
	{ NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, NULL, NULL, NULL, 0, NULL, NULL, NULL, 0 }

typedef struct iko_reconcile_result {
	size_t nrows;
	iko_measure_row *rows;
	long long pass, warn, fail;
	size_t ndiffs;
	iko_record_diff *diffs;     /* at most IKO_RECONCILE_MAX_DIFFS kept */
	long long only_source, only_target, mismatch;
	long long rejects_total, gaiji_warnings;
	char *pack_version, *schema_version;
	char *legacy_note;          /* why some legacy values are missing (iko_legacy.h), or NULL */
} iko_reconcile_result;

#define IKO_RECONCILE_MAX_DIFFS 100000

int iko_reconcile_run(iko_reconcile_result *out, const iko_reconcile_options *opts);
/*
 * Start reading the half of a reconciliation that needs no database (the
 * old totals, the transformed data's figures, the validated records with
 * their offsets and hashes; with opts->conn set) on a helper thread — e.g.
 * beside validate and the load. Hand it to
 * iko_reconcile_run as opts->prep; an error on the thread is reported there.
 */
int iko_reconcile_prepare(iko_reconcile_prep **out, const iko_reconcile_options *opts);
/*
 * With opts->records_later the helper reads the old totals and the
 * transformed figures at once (e.g. while validate runs) and the validated
 * records only once this is called (validate/ is complete). Called by
 * iko_reconcile_run if the caller has not. NULL-safe; once is enough.
 */
void iko_reconcile_prep_records(iko_reconcile_prep *p);
/*
 * The record comparison now, ahead of iko_reconcile_run: every validated
 * record against the row with its key in <table>_<lg_code><suffix> on
 * conn — the load's _new tables (suffix "_new"), while it builds their
 * primary keys and ANALYZEs them — with the loaded figures from the same
 * read; iko_reconcile_run then reports these instead of reading the
 * tables again. The rows read are those the swap makes current (it only
 * renames the tables). Only once validate has finished: this calls
 * iko_reconcile_prep_records and waits for the helper. On an error nothing is kept:
 * iko_reconcile_run reads the loaded tables itself, as without, and
 * reports its own error if it has one. p must have been prepared with a
 * connection; conn must not be used by another thread meanwhile.
 */
int iko_reconcile_read_early(iko_reconcile_prep *p, struct pg_conn *conn, const char *lg_code,
			     const char *suffix);
/* Wait for the thread and free. NULL-safe. */
void iko_reconcile_prep_free(iko_reconcile_prep *p);
void iko_reconcile_result_release(iko_reconcile_result *r);

struct iko_schema;
/*
 * Write the discrepancy workbook o->xlsx_path for municipal staff: 表紙
 * (cover), 集計照合 (measures, PASS/WARN/FAIL), one sheet per exception
 * kind found in the run's rejects files (extract, transform, validate),
 * and レコード照合 (record-level differences). Japanese headers, review
 * columns, personal data masked unless o->reveal.
 */
int iko_discrepancy_workbook(const iko_reconcile_result *r, const struct iko_schema *s,
			     const iko_reconcile_options *o);

#endif
