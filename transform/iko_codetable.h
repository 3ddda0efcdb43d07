/*
 * iko_codetable.h — vendor code → standard code tables used by mapping packs.
 *
 * A table maps legacy codes (e.g. vendor A's 続柄 "01") to standard codes
 * ("02" 世帯主) and carries an explicit policy for values it does not list:
 *   reject — the record is rejected with T_CODE_UNMAPPED (default)
 *   warn   — the value is kept as is and reported as a warning
 *   keep   — the value is kept as is, silently (codes already standard)
 * Lookups are binary searches over a sorted copy, so a table of any size
 * costs O(log n) per value.
 */
#ifndef IKO_CODETABLE_H
#define IKO_CODETABLE_H

#include <stddef.h>

typedef enum iko_unmapped_policy {
	IKO_UNMAPPED_REJECT,
	IKO_UNMAPPED_WARN,
	IKO_UNMAPPED_KEEP,
	IKO_UNMAPPED_COUNT_
} iko_unmapped_policy;

typedef struct iko_code_table iko_code_table;

/* New empty table named name with a policy. *out owned by caller. */
int iko_code_table_new(iko_code_table **out, const char *name,
		       iko_unmapped_policy policy);
/* Add or replace one mapping (an overlay replaces). Returns 1 if replaced. */
int iko_code_table_set(iko_code_table *t, const char *from, const char *to);
void iko_code_table_set_policy(iko_code_table *t, iko_unmapped_policy p);
iko_unmapped_policy iko_code_table_policy(const iko_code_table *t);
const char *iko_code_table_name(const iko_code_table *t);
size_t iko_code_table_size(const iko_code_table *t);
/*
 * Map `in`. Returns 1 and sets *out to the standard code when listed;
 * 0 when unlisted (then *out = in for warn/keep, NULL for reject).
 */
int iko_code_table_map(const iko_code_table *t, const char *in, const char **out);
void iko_code_table_free(iko_code_table *t);

/* "reject"/"warn"/"keep" → policy; -1 if unknown. */
int iko_unmapped_policy_parse(const char *s);
const char *iko_unmapped_policy_name(iko_unmapped_policy p);

#endif
