/*
 * iko_schema.h — the standard schema, loaded from schema/<business>.yaml.
 *
 * A schema file declares tables, their columns (English snake_case name,
 * Japanese label, type, length, required, code list, check kind,
 * sensitivity), keys (lg_code first) and reconciliation measures. The DDL,
 * validation, the migration package layout and report headers are all
 * derived from it; a new business is a new file, not new C code.
 * The in-memory schema is read-only after iko_schema_load().
 */
#ifndef IKO_SCHEMA_H
#define IKO_SCHEMA_H

#include <stddef.h>

typedef enum iko_col_type {
	IKO_COL_TEXT,    /* free text, `length` characters at most */
	IKO_COL_CODE,    /* a code: digits/letters, exact `length` if given */
	IKO_COL_DATE,    /* ISO YYYY-MM-DD */
	IKO_COL_INTEGER, /* signed integer */
	IKO_COL_DECIMAL, /* plain decimal with `scale` digits after the point */
	IKO_COL_FLAG,    /* 0 or 1 */
	IKO_COL_TYPE_COUNT_
} iko_col_type;

typedef enum iko_check_kind {
	IKO_CHECK_NONE,
	IKO_CHECK_MY_NUMBER,   /* 個人番号 (12 digits, check digit) */
	IKO_CHECK_LG_CODE,     /* 団体コード (6 digits, check digit) */
	IKO_CHECK_CORP_NUMBER, /* 法人番号 (13 digits, check digit) */
	IKO_CHECK_KIND_COUNT_
} iko_check_kind;

typedef enum iko_measure_kind {
	IKO_MEASURE_COUNT,
	IKO_MEASURE_SUM,
	IKO_MEASURE_DISTINCT,
	IKO_MEASURE_MIN,
	IKO_MEASURE_MAX,
	IKO_MEASURE_KIND_COUNT_
} iko_measure_kind;

typedef struct iko_code_list {
	char *name;
	size_t n;
	char **codes;
	char **labels;
	struct iko_strmap *index;    /* code → position + 1, for a list longer than a few codes; NULL: scanned */
} iko_code_list;

typedef struct iko_column {
	char *name;                  /* snake_case, used in CSV headers and DDL */
	char *label;                 /* Japanese label for reports */
	iko_col_type type;
	int length;                  /* max characters (0 = unlimited) */
	int precision, scale;        /* decimals */
	int required;
	const iko_code_list *codes;  /* NULL if no code list */
	iko_check_kind check;
	int sensitive;               /* personal data to mask: 個人番号, 支援措置 */
	char *pattern;               /* PCRE2 pattern or NULL */
} iko_column;

typedef struct iko_filter {
	char *column;
	size_t n;
	char **values;               /* column IN (values) */
} iko_filter;

typedef struct iko_measure {
	char *name;
	char *label;
	iko_measure_kind kind;
	char *column;                /* for sum/distinct/min/max; NULL for count */
	size_t ngroup;
	char **group_by;             /* column names */
	size_t nfilter;
	iko_filter *filters;         /* all must hold */
	double tolerance_abs;        /* allowed |difference| */
	double tolerance_rel;        /* allowed |difference| / |expected| */
} iko_measure;

typedef struct iko_table {
	char *name;
	char *label;
	size_t ncols;
	iko_column *cols;
	size_t nkey;
	int *key;                    /* column indexes, lg_code first */
	size_t nrules;
	char **rules;                /* table rules by name (see validate/) */
	size_t nmeasures;
	iko_measure *measures;
} iko_table;

typedef struct iko_schema {
	char *path;
	char *name;                  /* "jumin" */
	char *label;                 /* "住民記録" */
	char *version;
	size_t ntables;
	iko_table *tables;
	size_t ncodes;
	iko_code_list *codes;
} iko_schema;

/* Load a schema file; errors name the file, line and key. */
int iko_schema_load(iko_schema **out, const char *path);
/* Load schema/<name>.yaml from the data directory (iko_data_path). */
int iko_schema_load_named(iko_schema **out, const char *name);
/*
 * Load by name or path: anything with a '/' or ending in .yaml/.yml is a
 * path (iko_schema_load), anything else a name (iko_schema_load_named).
 */
int iko_schema_load_spec(iko_schema **out, const char *spec);
void iko_schema_free(iko_schema *s);

const iko_table *iko_schema_table(const iko_schema *s, const char *name);
/* Index of a column by name, -1 if absent. */
int iko_table_column(const iko_table *t, const char *name);
/* 1 if code is in the list. */
int iko_code_list_has(const iko_code_list *l, const char *code);
/* Label of a code or NULL. */
const char *iko_code_list_label(const iko_code_list *l, const char *code);

const char *iko_col_type_name(iko_col_type t);
const char *iko_check_kind_name(iko_check_kind k);
const char *iko_measure_kind_name(iko_measure_kind k);

/*
 * Path of a bundled data file (schema/, packs/, runbooks/): $IKO_HOME/<rel>
 * if IKO_HOME is set, else the source tree iko was built from. Caller frees.
 */
char *iko_data_path(const char *rel);

#endif
