/*
 * sample_internal.h — building blocks of the sample generator (sample/),
 * shared by iko_sample.c and the unit tests in tests/unit/sample/. Not part
 * of the public API: callers use iko_sample.h.
 *
 * Everything here is deterministic: the same inputs give the same outputs
 * on every machine (no rand(), no clock, no locale).
 */
#ifndef IKO_SAMPLE_INTERNAL_H
#define IKO_SAMPLE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

struct iko_buf;

/* xoshiro256** state, seeded through splitmix64. A value type. */
typedef struct iko_sample_rng {
	uint64_t s[4];
} iko_sample_rng;

/* Seed r from a 64-bit seed (any value, 0 included). */
void iko_sample_rng_seed(iko_sample_rng *r, uint64_t seed);
/* Next 64 random bits. */
uint64_t iko_sample_rng_next(iko_sample_rng *r);
/* Uniform integer in [0, n); n >= 1 (n == 0 returns 0). Unbiased. */
uint64_t iko_sample_rng_below(iko_sample_rng *r, uint64_t n);
/* 1 with probability per_100k / 100000. */
int iko_sample_rng_chance(iko_sample_rng *r, unsigned per_100k);
/* splitmix64 step: used to derive independent sub-seeds. */
uint64_t iko_sample_splitmix64(uint64_t *state);

/*
 * Convert full-width katakana (U+30A1–U+30F6, ー, ・) and spaces (U+0020,
 * U+3000 → one U+0020) in UTF-8 `s` to half-width katakana in UTF-8,
 * appended to out: voiced kana become two characters (ダ → ﾀﾞ).
 * Returns 0, IKO_EINVAL for any other character, IKO_ENOMEM.
 */
int iko_sample_kana_halfwidth(struct iko_buf *out, const char *s);

/*
 * Encode a Gregorian date as 和暦 GYYMMDD (G = 1 明治 … 5 令和) into out[8]
 * (NUL-terminated). d == 0 means "day unknown" and is written as DD 00
 * (the era is that of the month's first day). Returns 0, or IKO_EINVAL for
 * an invalid date or one before 明治.
 */
int iko_sample_era_encode(char out[8], int y, int m, int d);

/* Days since 1970-01-01 of a Gregorian date, and back. */
long iko_sample_days_from_civil(int y, int m, int d);
void iko_sample_civil_from_days(long z, int *y, int *m, int *d);

/*
 * The index-th 個人番号 of a run salted with `salt`: 11 digits from an
 * affine bijection of index modulo 10^11 (so distinct indexes give distinct
 * numbers, no key set needed) plus the check digit. out[13], NUL-terminated.
 * index must be < 10^11.
 */
void iko_sample_my_number(char out[13], uint64_t index, uint64_t salt);

/* ---- built-in name, town and gaiji lists (sample_data.c) ---- */

typedef struct iko_sample_name {
	const char *kanji; /* UTF-8; gaiji as U+E000+n (CP932 0xF040+n) */
	const char *kana;  /* full-width katakana reading */
} iko_sample_name;

typedef struct iko_sample_foreign {
	const char *kokuseki;          /* ISO 3166-1 numeric */
	const iko_sample_name *family; /* katakana (kanji == kana) */
	size_t nfamily;
	const iko_sample_name *male, *female;
	size_t nmale, nfemale;
} iko_sample_foreign;

typedef struct iko_sample_gaiji {
	const char *code;    /* "F040" */
	const char *unicode; /* "U+8FBB U+E0100" */
	const char *mj;      /* "MJ028901" */
	const char *note;    /* the character and a short description */
} iko_sample_gaiji;

extern const iko_sample_name iko_sample_families[];
extern const size_t iko_sample_nfamilies;
extern const iko_sample_name iko_sample_gaiji_families[]; /* names using gaiji */
extern const size_t iko_sample_ngaiji_families;
extern const iko_sample_name iko_sample_male[];
extern const size_t iko_sample_nmale;
extern const iko_sample_name iko_sample_female[];
extern const size_t iko_sample_nfemale;
extern const iko_sample_name iko_sample_gaiji_given[]; /* male given names using gaiji */
extern const size_t iko_sample_ngaiji_given;
extern const iko_sample_foreign iko_sample_foreigners[];
extern const size_t iko_sample_nforeigners;
extern const iko_sample_gaiji iko_sample_gaiji_table[];
extern const size_t iko_sample_ngaiji;
/* 町字 name parts: chome towns (本町 + 一丁目) and plain ones (緑ケ丘). */
extern const char *const iko_sample_town_bases[];
extern const size_t iko_sample_ntown_bases;
extern const char *const iko_sample_town_plain[];
extern const size_t iko_sample_ntown_plain;
extern const char *const iko_sample_buildings[];
extern const size_t iko_sample_nbuildings;
extern const char *const iko_sample_zairyu[];
extern const size_t iko_sample_nzairyu;

#endif
