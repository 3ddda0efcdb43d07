/*
 * iko_sample.h — deterministic generator of a fictional municipality's
 * legacy dump (sample/ stage). It produces the input side of the pipeline:
 * `iko sample` writes JUMIN.DAT, SETAI.DAT, TOUKEI.CSV and GAIJI.CSV in the
 * exact byte layout of docs/vendor-a.md (and injected.csv with --inject),
 * which extract → transform → validate → load → reconcile then consume.
 *
 * Same options ⇒ byte-identical files (own PRNG, fixed reference date
 * 2025-03-31, no clock, no locale). Memory is O(one household) + O(町字)
 * + O(--inject); the data is streamed to disk.
 */
#ifndef IKO_SAMPLE_H
#define IKO_SAMPLE_H

#include "iko_progress.h"

/* Defect kinds planted by --inject, in this order (iko_sample_defect_name). */
enum iko_sample_defect {
	IKO_SAMPLE_INVALID_DATE = 0,
	IKO_SAMPLE_BAD_MY_NUMBER,
	IKO_SAMPLE_UNKNOWN_CODE,
	IKO_SAMPLE_ORPHAN_MEMBER,
	IKO_SAMPLE_TWO_HEADS,
	IKO_SAMPLE_DUPLICATE_KEY,
	IKO_SAMPLE_UNMAPPED_GAIJI,
	IKO_SAMPLE_DEFECT_COUNT
};

typedef struct iko_sample_options {
	const char *vendor;          /* "A" (the only vendor so far) */
	const char *lg_code;         /* 6-digit 団体コード with a valid check digit */
	const char *name;            /* municipality name (UTF-8) */
	long long residents;         /* current residents, 1..10,000,000 */
	unsigned long long seed;     /* any value; same seed ⇒ same bytes */
	long long inject;            /* defects per kind (0 = clean sample) */
	const char *out;             /* output directory, created if missing */
	iko_progress_fn progress;    /* optional, called every 16,384 residents */
	void *payload;               /* passed to progress */
} iko_sample_options;

#define IKO_SAMPLE_OPTIONS_INIT { "A", NULL, "見本市", 0, 1, 0, NULL, NULL, NULL }

/* Upper bound of iko_sample_options.residents. */
#define IKO_SAMPLE_MAX_RESIDENTS 10000000LL

typedef struct iko_sample_result {
	long long residents_current;  /* JUMIN.DAT records with JUMIN_JOTAI 0 */
	long long residents_removed;  /* JUMIN.DAT records with JUMIN_JOTAI 1/2/9 */
	long long households;         /* SETAI.DAT records */
	long long gaiji_codes;        /* GAIJI.CSV rows (header excluded) */
	long long injected[IKO_SAMPLE_DEFECT_COUNT]; /* per kind, enum order */
	long long towns;              /* 町字 (TOUKEI.CSV 01 and 02 rows each) */
	long long toukei_rows;        /* TOUKEI.CSV rows, header excluded */
	long long injected_rows;      /* injected.csv rows, header excluded */
	long long tax_kojin;          /* 個人住民税 records (vendors A, B) */
	long long tax_kotei;          /* 固定資産税 records (vendors A, B) */
	long long tax_toukei_rows;    /* ZEI_TOUKEI.CSV rows (vendor A) */
} iko_sample_result;

/*
 * Generate the dump described by opts into opts->out (mkdir -p). Files are
 * written atomically (temporary name, renamed on success); JUMIN.DAT,
 * SETAI.DAT and injected.csv get mode 0600, TOUKEI.CSV and GAIJI.CSV 0644.
 *
 * out:  filled with the counts on success (zeroed first); may be NULL.
 * opts: see iko_sample_options; not modified, nothing retained.
 * Returns 0; IKO_EINVAL for a bad option (unsupported vendor, lg_code with a
 * bad check digit, residents out of range, inject too large for the
 * population), with the detail in the last error; IKO_EIO on a write
 * failure; IKO_ECONV if a generated text cannot be encoded in CP932 (a bug);
 * IKO_ENOMEM. Every file is renamed into place only after all of them were
 * written, so a failed run leaves the previous contents of out as they were
 * (unless a rename itself fails). Without inject, a stale injected.csv in
 * out is removed.
 */
int iko_sample_generate(iko_sample_result *out, const iko_sample_options *opts);

/* "invalid_date", "bad_my_number", … for a kind; NULL when out of range. */
const char *iko_sample_defect_name(int kind);

#endif
