/*
 * iko_legacy.h — the legacy value beside each value reconciliation reports
 * (the source field(s) exactly as extracted), read back from the extract
 * CSV through transform's legacy index (iko_legacy.c, docs/review.md).
 */
#ifndef IKO_LEGACY_H
#define IKO_LEGACY_H

#include "iko_reconcile.h"

struct iko_schema;

/*
 * Set legacy_value of r's diffs from run_dir's transform/<table>.legacy.csv,
 * transform/<table>.legacy-columns.csv and extract/<source>. Sensitive
 * columns read "(masked)". A table whose files are missing, unreadable or
 * do not match gets none, and r->legacy_note says why (the first such
 * table). Fails only when out of memory.
 */
int iko_legacy_fill(iko_reconcile_result *r, const struct iko_schema *s, const char *run_dir);

#endif
