/*
 * iko_era.h — parsing legacy 和暦 (Japanese era) dates in their many
 * spellings into Gregorian dates, with 不詳 (unknown) parts kept as such.
 *
 * Accepted spellings (docs/dates.md):
 *   GYYMMDD   era digit 1 明治 2 大正 3 昭和 4 平成 5 令和: "3450315"
 *   LETTER    M/T/S/H/R (either case) + YYMMDD, or Y.M.D / Y/M/D / Y-M-D:
 *             "H010508", "H01.05.08", "h1/5/8", "S45-03-15"
 *   CODE2     two-digit era code 01..05 + YYMMDD: "04010508"
 *   KANJI     "平成元年5月8日", "昭和４５年３月１５日", "昭和45年3月不詳"
 * Full-width digits are accepted everywhere; 元 is year 1.
 * A date must exist and lie within its era (昭和64年1月8日 and 平成元年1月7日
 * do not exist), except that 平成 dates from 2019-05-01 on (平成31年5月以降,
 * 平成32年…) are normalised to the same day in 令和 with a warning, as real
 * systems printed them. Day 00 / 不詳 and month 00 are unknown parts
 * (never a made-up day); all zeros means no date at all.
 */
#ifndef IKO_ERA_H
#define IKO_ERA_H

#include <stddef.h>

#include "iko_date.h"

typedef enum iko_era_status {
	IKO_ERA_OK = 0,
	IKO_ERA_WARN_NORMALISED = 1 /* 平成31年5月以降 → 令和 */
} iko_era_status;

typedef struct iko_era_date {
	int y, m, d;          /* Gregorian; m or d 0 when unknown */
	int unknown;          /* 0 known; 1 day unknown; 2 month and day unknown */
	char iso[11];         /* "YYYY-MM-DD" when fully known, else "" */
	char note[64];        /* 不詳表記 ("昭和45年3月日不詳") when unknown, else "" */
	iko_era_status status;
	enum iko_era era;     /* era as written (before normalisation) */
} iko_era_date;

typedef enum iko_era_format {
	IKO_ERA_FMT_AUTO = 0,
	IKO_ERA_FMT_GYYMMDD,
	IKO_ERA_FMT_LETTER,
	IKO_ERA_FMT_CODE2,
	IKO_ERA_FMT_KANJI
} iko_era_format;

/*
 * Parse s[0..len). Returns 0 (out filled; out->status may be a warning),
 * IKO_ENOTFOUND for an all-zero "no date" value (no error message is set:
 * the caller treats it as empty), IKO_EPARSE with a precise message for an
 * invalid date.
 */
int iko_era_parse(iko_era_date *out, const char *s, size_t len, iko_era_format fmt);

/* Encode a Gregorian date as GYYMMDD into out[8]; IKO_EINVAL before 明治. */
int iko_era_format_gyymmdd(char out[8], int y, int m, int d);

#endif
