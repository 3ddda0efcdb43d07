/*
 * iko_packrules.h — a pack's extra rules (`rules:` in pack.yaml), checked by
 * transform on every mapped record of a standard table. A failing record is
 * rejected with reason `pack-rule` and the rule's name. Rule forms:
 *
 *   rules:
 *     - {name: postal7, table: resident, column: postal_code, pattern: '^[0-9]{7}$'}
 *     - {name: removed_has_date, table: resident,
 *        when: {jumin_jotai: ["2", "3"]}, require: [removal_date]}
 *     - {name: hikazei_zero, table: assessment,
 *        when: {kazei_kubun: ["3"]}, values: {annual_tax: ["0"]}}
 *     - {name: annual_is_sum, table: assessment,
 *        sum: [shotokuwari, kintouwari], equals: annual_tax}
 *
 * pattern: PCRE2 that a non-empty value must match; when: a condition on
 * other columns (every listed column holds one of its values); require:
 * columns that must not be empty; values: allowed values; sum/equals:
 * integer columns whose sum must equal another column. `label:` is an
 * optional Japanese description shown in reports. Columns are checked
 * against the schema when the pack is used.
 */
#ifndef IKO_PACKRULES_H
#define IKO_PACKRULES_H

#include <stddef.h>

#include "iko_buf.h"
#include "iko_schema.h"

struct iko_pack;

typedef struct iko_packrules iko_packrules;

/* The rules of pack p for table t (none: *out empty, not NULL). */
int iko_packrules_load(iko_packrules **out, const struct iko_pack *p, const iko_table *t);
void iko_packrules_free(iko_packrules *r);
size_t iko_packrules_count(const iko_packrules *r);

/*
 * Check one record: vals[i] is the value of t's column i. Returns 0 when
 * every rule holds; 1 when one fails, with *column set to the column at
 * fault and detail to "rule NAME (label): why"; <0 on error.
 */
int iko_packrules_check(const iko_packrules *r, const iko_buf *vals, const char **column,
			iko_buf *detail);

#endif
