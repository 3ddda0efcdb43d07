/*
 * iko_evidence.h — a rehearsal's evidence bundle (evidence.zip): the run
 * manifest, every stage manifest, rejects and reconciliation files, the
 * discrepancy workbook, and SHA256SUMS (one "<sha256>  <member>" line per
 * member, as sha256sum writes it). Mode 0600: it holds personal data.
 */
#ifndef IKO_EVIDENCE_H
#define IKO_EVIDENCE_H

#include <stddef.h>

/* Write <run_dir>/evidence.zip (atomically). *members gets the count. */
int iko_evidence_write(const char *run_dir, size_t *members);

typedef struct iko_evidence_check {
	size_t members, ok;
	char *problem;          /* the first problem, or NULL when intact */
} iko_evidence_check;

/* Re-check a bundle against its SHA256SUMS: every member listed, every hash right. */
int iko_evidence_verify(iko_evidence_check *out, const char *zip_path);
void iko_evidence_check_release(iko_evidence_check *c);

#endif
