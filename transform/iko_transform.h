/*
 * iko_transform.h — the transform stage: canonical extract CSV → standard
 * schema CSV through a mapping pack (+ municipality overlay).
 *
 * Input: one extract CSV per pack input, <in_dir>/<input name>.csv.
 * Output: <out_dir>/<table>.csv for every table the pack maps (columns in
 * schema order, mode 0600), <out_dir>/rejects.csv and
 * <out_dir>/manifest.json. Streaming: one record in memory at a time.
 * Every record is written or rejected (T_CODE_UNMAPPED, T_ERA_DATE, T_MAP);
 * warnings (a 平成 date after 2019-04-30 normalised to 令和, an unmapped
 * code kept under `warn`) are listed in rejects.csv with severity warn and
 * the record is written.
 */
#ifndef IKO_TRANSFORM_H
#define IKO_TRANSFORM_H

#include <stddef.h>

#include "iko_progress.h"
#include "iko_reject.h"

typedef struct iko_transform_options {
	const char *pack_dir;  /* packs/<vendor>/<business> */
	const char *lg_code;   /* municipality: $lg_code and the overlay */
	const char *in_dir;    /* extract outputs */
	const char *out_dir;   /* created if missing */
	iko_progress_fn progress;
	void *payload;
	/*
	 * Coverage (iko pack coverage): called for every value a code table
	 * does not map, whatever its policy; non-zero stops the run. With
	 * keep_going, a record that fails a column still has its other
	 * columns mapped (so every unmapped value is seen); it is rejected
	 * once, with its first failure.
	 */
	int (*on_unmapped)(void *ud, const char *table, const char *column, const char *code_table,
			   const char *value);
	void *ud;
	int keep_going;
	/*
	 * NULL, or the input CSVs may still be being written by extract
	 * (iko_follow.h, iko rehearse): each is read as it grows, and a file
	 * extract abandons fails the read.
	 */
	struct iko_follow *follow;
	/*
	 * NULL, or validate reads each <table>.csv while it is written
	 * (iko_follow.h, iko rehearse): every write is announced with the
	 * size the file is expected to reach, the commit marks it done and a
	 * failure abandons it. The caller closes the set.
	 */
	struct iko_follow *out_follow;
} iko_transform_options;

#define IKO_TRANSFORM_OPTIONS_INIT { NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, NULL, NULL }

typedef struct iko_transform_table {
	char *table;            /* standard table */
	char *source;           /* input CSV file name */
	long long records_in, records_out, records_rejected, warnings;
} iko_transform_table;

typedef struct iko_transform_stats {
	size_t ntables;
	iko_transform_table *tables;
	long long by_reason[IKO_R_COUNT_];
	char *pack_name, *pack_version, *overlay;
	char *schema_name;            /* the pack's standard schema */
	size_t overlay_overrides;
} iko_transform_stats;

/* Run the stage. *out is filled (release with iko_transform_stats_release). */
int iko_transform_run(iko_transform_stats *out, const iko_transform_options *opts);
void iko_transform_stats_release(iko_transform_stats *st);

#endif
