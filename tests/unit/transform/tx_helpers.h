/*
 * tx_helpers.h — fixtures shared by the transform tests: a temporary pack
 * directory, a layout-free extract CSV, one run of iko_transform_run, and
 * its output and rejects read back into memory.
 */
#ifndef TX_HELPERS_H
#define TX_HELPERS_H

#include <stddef.h>

#include "iko_transform.h"

/* A CSV file read back: header + rows, every cell a NUL-terminated copy. */
typedef struct tx_csv {
	size_t ncols;
	char **hdr;
	size_t nrows;
	char ***rows;
} tx_csv;

/* The temporary directory of the running test (pack/, in/, out/ inside). */
extern char tx_dir[64];

/* Check fixture: create and remove tx_dir. */
void tx_setup(void);
void tx_teardown(void);

/* Write text to tx_dir/<rel> (parent directories created). */
void tx_write(const char *rel, const char *text);

/*
 * Write pack/pack.yaml (the jumin schema, one input J, table resident
 * from J) with the given `codes:` body (may be NULL) and `columns:` body
 * (lines indented by six spaces), write in/J.csv, and run the transform
 * for 435015 into out/. Returns iko_transform_run's result; the counts
 * of the resident table are left in tx_counts (in, out, rejected, warnings).
 */
int tx_run(const char *codes, const char *columns, const char *csv);
extern long long tx_counts[4];

/* Load tx_dir/<rel> (fails the test if it cannot be read). */
void tx_csv_load(tx_csv *t, const char *rel);
void tx_csv_free(tx_csv *t);
/* Cell of row (0-based, header excluded) in the named column. */
const char *tx_cell(const tx_csv *t, size_t row, const char *col);

#endif
