/*
 * iko_era.h — parsing legacy 和暦 (Japanese era) dates in their many
 * spellings into Gregorian dates, with 不詳 (unknown) parts kept as such.
 *
 * Accepted spellings (docs/dates.md):
 *   GYYMMDD   era digit 1 明治 2 大正 3 昭和 4 平成 5 令和: "3450315"
 *   LETTER    M/T/S/H/R (either case) + YYMMDD, or Y.M.D / Y/M/D / Y-M-D:
 *             "H010508", "H01.05.08", "h1/5/8", "S45-03-15"
 *   CODE2     two-digit era code 01..05 + YYMMDD: "04010508"
 *   KANJI     "平成元年5月8日", "昭和４５年３月１５日", "昭和45年3月不詳",
 *             "昭和45年不詳", "令和元年", "昭和不詳", "不詳"
 * Full-width digits and spaces are accepted everywhere; 元 is year 1 (also
 * "H元.5.8").
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
	int unknown;          /* 0 known; 1 day unknown; 2 month and day unknown;
			         3 year unknown (y 0) / all unknown (era NONE) */
	char iso[11];         /* "YYYY-MM-DD" when fully known, else "" */
	char note[64];        /* 不詳表記 when unknown, else "": "昭和45年3月日不詳",
			         "昭和45年月日不詳", "昭和年月日不詳", "不詳" */
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
 * Parse the legacy date s[0..len) (UTF-8 or ASCII, not NUL-terminated)
 * spelled as fmt (IKO_ERA_FMT_AUTO: decided from the first character and
 * the length). out is always cleared first; nothing is allocated.
 * Returns 0 (out filled; out->status may be IKO_ERA_WARN_NORMALISED),
 * IKO_ENOTFOUND for an all-zero "no date" value (no error message is set:
 * the caller treats it as empty), IKO_EPARSE with a precise message in
 * iko_error_message() ("<input>: <problem>") for an invalid date,
 * IKO_EINVAL for an unknown fmt.
 */
int iko_era_parse(iko_era_date *out, const char *s, size_t len, iko_era_format fmt);

/*
 * Encode the Gregorian date y-m-d as GYYMMDD (era digit, era year, month,
 * day; NUL-terminated) into out[8]. Returns 0, or IKO_EINVAL for an
 * invalid date or one before 明治 (out untouched).
 */
int iko_era_format_gyymmdd(char out[8], int y, int m, int d);

#endif
