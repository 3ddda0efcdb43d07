/*
 * iko_extract.h — the extract stage: legacy records → canonical UTF-8 CSV.
 *
 * A layout (YAML, docs/layout-format.md) gives each field's byte offset,
 * length and type; a codec decodes text fields (CP932/SHIFT_JIS with the
 * municipality's gaiji table, or any glibc iconv encoding); a record format
 * (fixed, lines, rdw, vb) cuts the input into records — always by byte.
 * Output: the canonical CSV (UTF-8, RFC 4180, LF, header = field names as
 * declared, FILLER omitted, OCCURS as NAME_1..NAME_n, text right-trimmed of
 * U+0020/U+3000, numbers as plain decimals with the picture's scale), a
 * rejects file and a JSON manifest. records_read = written + rejected.
 */
#ifndef IKO_EXTRACT_H
#define IKO_EXTRACT_H

#include "iko_progress.h"
#include "iko_reject.h"

typedef struct iko_extract_options {
	const char *layout_path;   /* required */
	const char *input;         /* the legacy file */
	const char *out;           /* FILE.csv, or a directory for several record types */
	const char *encoding;      /* NULL = layout's */
	const char *recfm;         /* NULL = layout's, else "fixed" */
	long long lrecl;           /* 0 = layout's */
	const char *gaiji_path;    /* NULL = none */
	const char *rejects_path;  /* NULL = <out>.rejects.csv */
	int stop_on_error;
	iko_progress_fn progress;
	void *payload;
	/*
	 * NULL, or readers may follow each output CSV as it is written
	 * (iko_follow.h; iko rehearse's transform): told of every write and of
	 * the commit, or of the abandoned file when extract fails.
	 */
	struct iko_follow *follow;
	/*
	 * The byte order of COMP-5 items ("big" or "little"): binary in the
	 * byte order of the machine that wrote the file. NULL: big-endian for
	 * an EBCDIC encoding (IBM and Japanese hosts), an error otherwise
	 * (a PC or Unix file says nothing of the machine).
	 */
	const char *comp5;
} iko_extract_options;

#define IKO_EXTRACT_OPTIONS_INIT { NULL, NULL, NULL, NULL, NULL, 0, NULL, NULL, 0, NULL, NULL, NULL, NULL }

typedef struct iko_extract_stats {
	long long records_read, records_written, records_rejected, bytes;
	long long by_reason[IKO_R_COUNT_];
	char input_sha256[65];
	long long gaiji_unmapped;      /* characters replaced by 〓 */
	long long gaiji_mapped;        /* characters taken from the gaiji table */
	char *manifest_path;
} iko_extract_stats;

int iko_extract_run(iko_extract_stats *out, const iko_extract_options *opts);
void iko_extract_stats_release(iko_extract_stats *st);

/*
 * Number of record types the layout at path declares (*n >= 1): with more
 * than one, iko_extract_run needs a directory as out and writes one
 * <record name>.csv per type there. Errors as for iko_extract_run.
 */
int iko_extract_layout_types(const char *path, size_t *n);

#endif
