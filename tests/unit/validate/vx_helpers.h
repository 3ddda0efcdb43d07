/*
 * vx_helpers.h — fixtures shared by the validate tests: a temporary
 * directory with in/ and out/, standard-schema CSVs built from a valid
 * resident (or household) with some columns overridden, one run of
 * iko_validate_run against schema/jumin.yaml, and its outputs read back.
 */
#ifndef VX_HELPERS_H
#define VX_HELPERS_H

#include <stddef.h>

#include "iko_buf.h"
#include "iko_validate.h"

typedef struct vx_csv {
	size_t ncols;
	char **hdr;
	size_t nrows;
	char ***rows;
} vx_csv;

extern char vx_dir[64];

void vx_setup(void);
void vx_teardown(void);

/* Write text to vx_dir/<rel> (parent directories created). */
void vx_write(const char *rel, const char *text);

/* Absolute path of a file of the source tree (IKO_SOURCE_DIR); caller frees. */
char *vx_source_path(const char *rel);

/* The header line of resident.csv / household.csv (schema column order). */
void vx_resident_header(iko_buf *b);
void vx_household_header(iko_buf *b);
/*
 * Append one resident line: a valid current Japanese 世帯主 of 435015
 * living alone in household `setai`, with atena_no `atena`, then each
 * "column=value" of the NULL-terminated `set` applied over it.
 */
void vx_resident(iko_buf *b, const char *atena, const char *setai, const char *const *set);
/* Append one household line (435015, town 0010001). */
void vx_household(iko_buf *b, const char *setai, const char *head, int members);

/*
 * Validate vx_dir/in against schema/jumin.yaml (or schema, a path, when
 * given) into vx_dir/out with lg_code 435015 and the gaiji tables given.
 * *st is filled (caller releases it). Returns iko_validate_run's result.
 */
int vx_run(iko_validate_stats *st, const char *schema, const char *const *gaiji, size_t ngaiji);
/* vx_run's link_unchanged and follow (iko_validate_options); 0 and NULL unless a test sets them. */
extern int vx_link_unchanged;
extern struct iko_follow *vx_follow;

void vx_csv_load(vx_csv *t, const char *rel);
void vx_csv_free(vx_csv *t);
const char *vx_cell(const vx_csv *t, size_t row, const char *col);
/* Counts of a table in st (fails the test if the table is missing). */
const iko_validate_table *vx_table(const iko_validate_stats *st, const char *name);

#endif
