/*
 * sample_gen.h — the generator's state, shared by iko_sample.c (population
 * model, vendor A) and sample_host.c (vendors B and C: IBM host CCSID 930
 * and Fujitsu JEF). Internal to sample/.
 */
#ifndef IKO_SAMPLE_GEN_H
#define IKO_SAMPLE_GEN_H

#include "iko_sample.h"
#include "sample_internal.h"

#include "iko_buf.h"
#include "iko_csv.h"
#include "iko_fs.h"

#include <iconv.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>

/* The reference date ("today" of the old system): fixed for determinism. */
#define REF_Y 2025
#define REF_M 3
#define REF_D 31

#define JUMIN_LEN 280
#define SETAI_LEN 40
#define MAX_MEMBERS 10
#define PROGRESS_EVERY 16384
#define HOST_REC_MAX 512
#define NO_DATE LONG_MIN /* day numbers before 1970 are negative */

typedef struct town {
	char code[24];
	char name[64];
	char postal[24];
	int kind; /* 0 丁目 town, 1 大字, 2 other plain town */
	long long cur_m, cur_f, cur_all, households;
} town;

typedef struct person {
	const iko_sample_name *family, *given;
	long long atena;
	long long index;       /* global person index (個人番号) */
	char sex;              /* 'M', 'F', 'U' */
	int day_unknown;
	long birth, jumin, ido, shojo; /* day numbers; shojo NO_DATE if current */
	const char *zoku;      /* vendor 続柄 code */
	const char *jiyu;      /* vendor 異動事由 code */
	int jotai;             /* 0 1 2 9 */
	int shien;
	const char *zairyu;    /* NULL for 日本人 */
} person;

typedef struct household {
	person p[MAX_MEMBERS];
	int n, ncur;
	int town;
	long long setai_no;
	const iko_sample_foreign *nat; /* NULL = 日本人 */
	const iko_sample_name *family;
	char banchi[96];
	char katagaki[128];
} household;

/* Defect positions in one pool of eligible records, ascending. */
typedef struct plan {
	long long *pos;
	int *kind;
	long long n, next, ord;
} plan;

typedef struct gen {
	const iko_sample_options *o;
	iko_sample_rng rng;   /* the data stream (same in dry and writing pass) */
	iko_sample_rng irng;  /* details of planted defects */
	uint64_t data_seed, salt;
	int writing;
	iconv_t cd;
	town *towns;
	int ntowns;
	long ref, floor_day;
	iko_afile *jumin, *setai;
	iko_csv_writer *inj;
	long long person_idx, household_idx, cur, removed, nonheads;
	long long jumin_rec, setai_rec, next_progress;
	long long removed_m, removed_f, removed_all;
	long long injected[IKO_SAMPLE_DEFECT_COUNT];
	plan a, b;  /* a: current non-heads, b: other current residents */
	household h;
	iko_buf u8, hw;
	unsigned char rec[JUMIN_LEN + 2];
	/* vendors B and C (sample_host.c) */
	char vendor;               /* 'A', 'B', 'C' */
	struct host_enc *host;     /* EBCDIC/JEF encoders and record buffers */
	long long hash_atena;      /* B: trailer hash total of 宛名番号 */
	long long hash_members;    /* B: trailer hash total of 世帯員数 */
	/* tax files, vendors A and B (sample_tax.c) */
	struct tax_gen *tax;
	uint64_t tax_seed;
	long long tax_kojin, tax_kotei;  /* records written */
} gen;


/* ---- shared helpers (iko_sample.c) ---- */

/* The defect planned for the current resident p, or -1. */
int iko_sample_planned_defect(gen *g, const person *p);
/* One row of injected.csv; atena is the 10-digit 宛名番号 of the record. */
int iko_sample_write_injected(gen *g, const char *file, long long record, const char *atena,
			      int kind, const char *field);
/* 続柄 text of a vendor A 続柄 code ("01" 世帯主 …). */
const char *iko_sample_zoku_text(const char *zoku);
/* Write len bytes to an output file. */
int iko_sample_write_rec(iko_afile *f, const void *rec, size_t len);

/* ---- vendors B and C (sample_host.c) ---- */

/* Open the encoders (g->vendor 'B' or 'C'). */
int iko_sample_host_open(gen *g);
void iko_sample_host_close(gen *g);
/* Header records (B), before the first household. */
int iko_sample_host_begin(gen *g);
/* The residents of g->h and its household record, defects planted. */
int iko_sample_host_household(gen *g);
/* Trailer records (B), pending VB blocks (C). */
int iko_sample_host_end(gen *g);
/* C: the 統計表 TOUKEI.DAT (JEF, 80-byte records). */
int iko_sample_host_toukei(gen *g, const char *path, long long *rows);
/* The gaiji table with the vendor's user-defined-area codes. */
int iko_sample_host_gaiji(gen *g, const char *path);

/* ---- tax files, vendors A and B (sample_tax.c) ---- */

/* Open the two tax files (nothing for vendor C). */
int iko_sample_tax_open(gen *g, const char *kojin_path, const char *kotei_path);
/* Tax records of the household in g->h. */
int iko_sample_tax_household(gen *g);
/* Totals file (A) or trailers (B); commit the tax files. */
int iko_sample_tax_finish(gen *g, const char *toukei_path, long long *rows);
void iko_sample_tax_close(gen *g);

#endif
