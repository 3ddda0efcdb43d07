/*
 * iko_reject.h — reason codes and the rejects file every stage writes.
 *
 * Nothing is dropped silently: each stage either passes a record on or
 * writes it here with its raw bytes, position and a reason code. The
 * rejects file is CSV (0600, it may hold personal data) with the columns
 *
 *   stage,source,record,offset,key,reason,severity,field,value,detail,raw_hex
 *
 * `record` is the 1-based record number in `source`, `offset` its byte
 * offset, `raw_hex` the record's exact bytes in hex (legacy bytes for
 * extract, the CSV record for later stages). Codes are stable: tools,
 * reports and tests depend on them (docs/reason-codes.md).
 */
#ifndef IKO_REJECT_H
#define IKO_REJECT_H

#include <stddef.h>

enum iko_reason {
	/* extract: the legacy record could not be read */
	IKO_R_RECLEN,        /* record-length: record length does not match the layout */
	IKO_R_RDW,           /* bad-rdw: bad RDW/BDW length word */
	IKO_R_DECODE,        /* undecodable: bytes not valid in the field's encoding */
	IKO_R_ZONED,         /* bad-zoned: invalid zoned decimal */
	IKO_R_PACKED,        /* bad-packed: invalid packed decimal (COMP-3) */
	IKO_R_BINARY,        /* bad-binary: binary value does not fit the picture */
	IKO_R_RECTYPE,       /* unknown-record-type */
	IKO_R_CSV,           /* bad-csv: malformed CSV record */
	IKO_R_FIELDS,        /* field-count: wrong number of fields */
	/* transform: the record could not be mapped */
	IKO_R_CODE_UNMAPPED, /* unmapped-code: legacy code not in the pack's code table */
	IKO_R_ERA_DATE,      /* era-date-invalid: legacy (era) date cannot be converted */
	IKO_R_ERA_NORMALISED,/* era-normalised (warning): 平成 after 2019-04-30 → 令和 */
	IKO_R_MAP,           /* mapping-failed: a mapping function failed */
	/* validate: the record breaks a rule of the standard */
	IKO_R_REQUIRED,      /* required: required column empty */
	IKO_R_FORMAT,        /* bad-format: wrong type or pattern */
	IKO_R_TOO_LONG,      /* too-long: longer than the column allows (characters) */
	IKO_R_CODE,          /* unknown-code: value not in the column's code list */
	IKO_R_DATE,          /* date-invalid: not a valid date */
	IKO_R_CHECK_DIGIT,   /* check-digit: 個人番号, 団体コード or 法人番号 */
	IKO_R_WRONG_LG,      /* wrong-municipality: lg_code of another municipality */
	IKO_R_DUP_KEY,       /* duplicate-key */
	IKO_R_NO_HEAD,       /* no-household-head */
	IKO_R_MANY_HEADS,    /* many-household-heads */
	IKO_R_ORPHAN,        /* orphan-member: 世帯番号 does not exist */
	IKO_R_REMOVAL,       /* removal-inconsistent: 住民状態 vs 消除 fields */
	IKO_R_FOREIGN,       /* foreign-fields-missing */
	IKO_R_CHARSET,       /* char-outside-set */
	IKO_R_GAIJI,         /* unmapped-gaiji (warning): 〓 loads, blocks go-live */
	IKO_R_RULE,          /* pack-rule: a pack rule failed */
	/* load */
	IKO_R_LOAD,          /* load-refused: the database refused the row */
	IKO_R_COUNT_
};

enum iko_severity {
	IKO_SEV_REJECT, /* record not loaded */
	IKO_SEV_WARN    /* record loaded, reported */
};

/* Stable kebab-case code ("record-length", "check-digit", ...). */
const char *iko_reason_code(enum iko_reason r);
/* Japanese description for staff ("チェックデジット誤り"). */
const char *iko_reason_label(enum iko_reason r);
/* Reason for a code string; -1 if unknown. */
int iko_reason_from_code(const char *code);

typedef struct iko_reject {
	const char *stage;   /* "extract", "transform", "validate", "load" */
	const char *source;  /* input file (base name) */
	long long record;    /* 1-based record number in source */
	long long offset;    /* byte offset in source, -1 if not known */
	const char *key;     /* record key (e.g. atena_no) or NULL */
	enum iko_reason reason;
	enum iko_severity severity;
	const char *field;   /* offending field or NULL */
	const char *value;   /* offending value (as text) or NULL */
	const char *detail;  /* human explanation or NULL */
	const void *raw;     /* the record's exact bytes */
	size_t raw_len;
} iko_reject;

typedef struct iko_rejects iko_rejects;

/* Create a rejects file (atomic, mode 0600); header written at once. */
int iko_rejects_open(iko_rejects **out, const char *path);
/* Append one reject and count it. */
int iko_rejects_add(iko_rejects *w, const iko_reject *rj);
/* Rejected records (severity reject) so far. */
long long iko_rejects_total(const iko_rejects *w);
/* Entries (any severity) with this reason so far. */
long long iko_rejects_count(const iko_rejects *w, enum iko_reason r);
/* Commit the file into place. */
int iko_rejects_commit(iko_rejects *w);
/* Free; removes the file if not committed. NULL-safe. */
void iko_rejects_free(iko_rejects *w);

/*
 * Rejects kept in memory — by a helper thread that works on a batch of
 * records — and added to the rejects file later, in record order. Every
 * string and the raw bytes are copied; stage, source and field are kept as
 * pointers (names that outlive the list).
 */
typedef struct iko_reject_mem_entry iko_reject_mem_entry;
typedef struct iko_reject_mem {
	iko_reject_mem_entry *e;
	size_t n, cap;
	char *text;
	size_t tlen, tcap;
} iko_reject_mem;

int iko_reject_mem_add(iko_reject_mem *m, const iko_reject *rj);
/* Entry i (pointers into m, valid until the next add or clear). */
void iko_reject_mem_get(const iko_reject_mem *m, size_t i, iko_reject *rj);
/* Add every entry to the rejects file, in order, and empty m. */
int iko_reject_mem_flush(iko_reject_mem *m, iko_rejects *to);
void iko_reject_mem_clear(iko_reject_mem *m);
void iko_reject_mem_release(iko_reject_mem *m);

/* Column names of the rejects file, in order. */
extern const char *const iko_rejects_columns[11];

#endif
