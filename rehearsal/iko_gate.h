/*
 * iko_gate.h — go/no-go gates (移行判定) of a rehearsal run.
 *
 * Criteria, configured under `gates:` in PROJECT.yaml (all on by default;
 * max_run_minutes only when given):
 *
 *   gates:
 *     counts_reconciled: true    # no FAIL measure, every stage balanced
 *     zero_fatal_rejects: true   # no record rejected
 *     no_unmapped_gaiji: true    # no 〓
 *     all_reviewed: true         # every discrepancy reviewed (iko review)
 *     max_run_minutes: 240       # the rehearsal fits the cutover window
 *     rollback_rehearsed: true   # a recorded successful rollback (iko load --rollback)
 *     lessons_applied: true      # every inherited lesson's fix is present
 */
#ifndef IKO_GATE_H
#define IKO_GATE_H

#include <stddef.h>

struct pg_conn;

typedef struct iko_gate_item {
	const char *name;     /* counts_reconciled, … */
	const char *label;    /* Japanese */
	int pass;
	char evidence[512];
} iko_gate_item;

typedef struct iko_gate_result {
	size_t n;
	iko_gate_item items[8];
	int pass;             /* every criterion */
	char lg_code[8], run_id[16];
} iko_gate_result;

/*
 * Evaluate the gates of run_dir. project: PROJECT.yaml (NULL: the one the
 * run's manifest names). conn: the database for the rollback criterion
 * (NULL: that criterion fails with "cannot check"). Returns 0 with
 * out->pass set, or an error when the run cannot be read.
 */
int iko_gate_run(iko_gate_result *out, const char *run_dir, const char *project,
		 struct pg_conn *conn);

#endif
