/*
 * iko_validate.h — the validate stage: standard-schema CSV → accepted CSV
 * + rejects with reasons, by the rules of the schema and the pack.
 *
 * Column checks come from the schema file (required, type, length, code
 * list, check digit kind, pattern, standard character set); table rules
 * are named in the schema (household_head, household_exists, removal,
 * foreign, death_reason) and key uniqueness applies to every table.
 * Two passes per table: the first builds the key sets (the only memory
 * that grows with input), the second writes each record or rejects it
 * with the first rule it breaks. A record with an unmapped gaiji (〓) is
 * accepted and listed as a W_GAIJI warning: it blocks go-live, not the load.
 */
#ifndef IKO_VALIDATE_H
#define IKO_VALIDATE_H

#include <stddef.h>

#include "iko_progress.h"
#include "iko_reject.h"

typedef struct iko_validate_options {
	const char *schema;        /* schema name ("jumin") or path to a .yaml */
	const char *in_dir;        /* <table>.csv per schema table (missing tables skipped) */
	const char *out_dir;       /* accepted <table>.csv, rejects.csv, manifest.json */
	const char *lg_code;       /* if set, every row's lg_code must equal it */
	const char *const *charset_extra; /* gaiji tables whose characters are allowed */
	size_t ncharset_extra;
	iko_progress_fn progress;
	void *payload;
	long long max_errors;      /* > 0: stop with IKO_ECHECK past this many rejects, write nothing */
	const char *charset_list;  /* NULL, or an MJ list replacing JIS X 0213 (iko_charset_use_list) */
	struct iko_follow *follow; /* NULL, or readers follow each accepted <table>.csv as it is written */
	/*
	 * NULL, or transform is still writing in_dir (iko_follow.h, iko
	 * rehearse): the first pass reads each <table>.csv as it grows, and
	 * the tables are those named in tables (which need not exist yet)
	 * instead of those whose file is in in_dir.
	 */
	struct iko_follow *in_follow;
	const char *const *tables;
	size_t ntables;
	/*
	 * 1: a table whose every record passed as its bytes stand in
	 * in_dir's file (nothing rejected, nothing written again) is not
	 * copied: its <table>.csv becomes a hard link to that file
	 * (iko_afile_commit_link; a copy where there can be no link). Until
	 * validate meets a record it writes otherwise, it writes nothing, so
	 * a follower (follow) sees such a file only once it is whole; one that
	 * needs validate's files while they are written (a load beside
	 * validate) leaves this 0. For files that nothing writes into in place
	 * (a run's directory, iko rehearse).
	 */
	int link_unchanged;
} iko_validate_options;

#define IKO_VALIDATE_OPTIONS_INIT { NULL, NULL, NULL, NULL, NULL, 0, NULL, NULL, 0, NULL, NULL, NULL, NULL, 0, 0 }

typedef struct iko_validate_table {
	char *table;
	long long records_in, records_out, records_rejected, warnings;
} iko_validate_table;

typedef struct iko_validate_stats {
	size_t ntables;
	iko_validate_table *tables;
	long long by_reason[IKO_R_COUNT_];
	long long gaiji_records;   /* accepted records holding 〓 */
} iko_validate_stats;

int iko_validate_run(iko_validate_stats *out, const iko_validate_options *opts);
void iko_validate_stats_release(iko_validate_stats *st);

/* Character-set checker (JIS X 0213 + IVS + extra characters). */
typedef struct iko_charset iko_charset;
int iko_charset_new(iko_charset **out);
/* Allow the Unicode values of a gaiji table (code,unicode,mj,note). */
int iko_charset_add_gaiji_table(iko_charset *cs, const char *path);
/*
 * Replace JIS X 0213 by a character list (an MJ文字 list): a UTF-8 CSV whose
 * column unicode (or 対応するUCS / 実装したUCS / UCS) holds U+XXXX values,
 * several per cell allowed (base character plus variation selector, joined
 * by space, _ or comma). ASCII, IVS and gaiji tables stay allowed.
 */
int iko_charset_use_list(iko_charset *cs, const char *path);
/*
 * Check a string in one pass: -1 when it is not valid UTF-8; otherwise
 * *nchars its characters and 1 when every one is in the set, 0 when not
 * (*bad: the first outside it).
 */
int iko_charset_scan(iko_charset *cs, const char *s, size_t len, size_t *nchars, unsigned *bad);
void iko_charset_free(iko_charset *cs);

/*
 * The patterns the schemas give codes — ^[0-9]+$, ^[0-9]*$, ^[0-9]{N}$,
 * ^[0-9]{N,}$ and ^[0-9]{N,M}$, exactly so written — are checked by a
 * loop instead of PCRE2 (a tenth of the instructions): rule_of says
 * whether pattern is one of them (1, with *min and *max; max SIZE_MAX when
 * unbounded), match whether s[0..len) matches it as PCRE2 would, '$'
 * included, which also matches before a newline that ends the subject.
 */
int iko_digits_rule_of(const char *pattern, size_t *min, size_t *max);
int iko_digits_match(size_t min, size_t max, const char *s, size_t len);

#endif
