/*
 * iko_pack_internal.h — the compiled mapping of a pack, shared by
 * iko_pack.c (which builds it) and iko_transform.c (which runs it).
 */
#ifndef IKO_PACK_INTERNAL_H
#define IKO_PACK_INTERNAL_H

#include "iko_codetable.h"
#include "iko_pack.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

typedef enum map_fn {
	MAP_TRIM,
	MAP_ZENKAKU,
	MAP_ZENKAKU_KANA,
	MAP_HANKAKU,
	MAP_ZERO_PAD,
	MAP_SPLIT,
	MAP_ERA_DATE,
	MAP_DATE_FORMAT,
	MAP_CODE,
	MAP_REGEX,
	MAP_LOOKUP,
	MAP_LG_CHECK_DIGIT,
	MAP_DEFAULT,
	MAP_GAIJI,
	MAP_FN_COUNT_
} map_fn;

typedef struct map_step {
	map_fn fn;
	int n;                          /* zero_pad width, split part */
	int era_format;                 /* iko_era_format */
	char *arg;                      /* split sep, date format, default text */
	char *replace;                  /* regex replacement */
	char *unknown_flag;             /* era_date: column set to 0/1 */
	char *note;                     /* era_date: column set to 不詳表記 */
	int unknown_flag_col, note_col; /* resolved output columns, -1 */
	iko_code_table *codes;          /* code/lookup: borrowed or owned */
	int owns_codes;
	pcre2_code *re;
} map_step;

typedef struct col_map {
	char *column;       /* standard column */
	char **from;        /* source fields */
	size_t nfrom;
	char *join;
	char *constant;     /* $lg_code substituted at run time */
	map_step *steps;
	size_t nsteps;
	int line;           /* line in pack/overlay, for errors */
	int overridden;     /* 1 if from the overlay */
} col_map;

typedef struct table_map {
	char *table;
	char *from;         /* input name */
	col_map *cols;
	size_t ncols;
} table_map;

struct iko_pack {
	char *dir;
	char *name, *vendor, *business, *version, *schema;
	iko_yaml_doc *doc;
	iko_yaml_doc *overlay_doc;
	char *overlay_path;
	size_t overlay_overrides;
	iko_pack_input *inputs;
	size_t ninputs;
	iko_code_table **codes;
	size_t ncodes;
	table_map *tables;
	size_t ntables;
};

const char *iko_map_fn_name(map_fn fn);

#endif
