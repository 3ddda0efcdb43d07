/*
 * iko_rehearse.h — one rehearsal of one municipality, every stage in one
 * process: extract → transform → validate → load → reconcile → report.
 *
 * Each stage reads and writes files in the run directory, so a run can be
 * inspected, and every stage's counts balance (records in = out +
 * rejected). The run manifest (manifest.json) records inputs with SHA-256,
 * versions, timings and counts per stage, and the reconciliation outcome;
 * it is written also when a stage fails, with the error.
 */
#ifndef IKO_REHEARSE_H
#define IKO_REHEARSE_H

#include <stddef.h>

#include "iko_progress.h"
#include "iko_run.h"

#define IKO_STAGE_MAX 16

typedef struct iko_stage_count {
	const char *stage;    /* "extract", "transform", ... */
	char *object;         /* file or table */
	long long in, out, rejected, warnings;
	int balanced;         /* in == out + rejected */
} iko_stage_count;

typedef struct iko_stage_time {
	const char *stage;
	double seconds;
} iko_stage_time;

typedef struct iko_rehearse_options {
	const iko_project *project;
	const iko_project_muni *muni;
	const char *db;        /* DSN override (NULL: project's, else embedded) */
	int reveal;
	iko_progress_fn progress;
	void *payload;
	/*
	 * Stage range (NULL: extract … reconcile). With from after extract,
	 * the stages before it are taken from the latest earlier run of the
	 * same municipality and business that got past them: their
	 * directories are linked (or copied) into the new run and their counts
	 * and input fingerprints copied from its manifest (reused_from). With
	 * to before reconcile the run stops there: status "partial", which
	 * no gate passes.
	 */
	const char *from, *to;
} iko_rehearse_options;

#define IKO_REHEARSE_OPTIONS_INIT { NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL }

/* Stage index 0 … 4 of extract, transform, validate, load, reconcile; -1 if unknown. */
int iko_rehearse_stage_index(const char *name);

typedef struct iko_rehearse_result {
	char *run_dir, *run_id, *xlsx, *manifest;
	char *legacy_note;         /* reconcile: why some legacy values are missing, or NULL */
	const char *failed_stage;  /* stage that failed, NULL on success */
	size_t ncounts;
	iko_stage_count counts[IKO_STAGE_MAX];
	size_t ntimes;
	iko_stage_time times[8];
	double seconds;
	long long rejected_total, warnings_total, gaiji_unmapped;
	long long measures_pass, measures_warn, measures_fail;
	long long records_only_source, records_only_target, records_mismatch;
	long long loaded_rows;
	int balanced;          /* every stage balanced */
	char lessons[256];     /* ids of the lessons inherited for vendor/business, "" if none */
	char reused_from[16];  /* --from: the run whose earlier stages were reused, "" if none */
	const char *stopped_after; /* --to: the last stage run when it is not reconcile */
} iko_rehearse_result;

/*
 * Run the rehearsal. Returns 0 when every stage ran (problems found in the
 * data are results, not errors), a negative error when a stage could not
 * run (the manifest still records how far it got).
 */
int iko_rehearse_run(iko_rehearse_result *out, const iko_rehearse_options *opts);
void iko_rehearse_result_release(iko_rehearse_result *r);

#endif
