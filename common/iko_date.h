/*
 * iko_date.h — calendar dates and Japanese eras (和暦).
 *
 * Eras and their first days: 明治 1868-01-25 (as used by 住基 systems;
 * dates before the Gregorian switch of 1873 are accepted as given),
 * 大正 1912-07-30, 昭和 1926-12-25, 平成 1989-01-08, 令和 2019-05-01.
 * A date belongs to an era from its first day to the day before the next
 * era's first day: 昭和64年1月8日 and 平成31年5月1日 do not exist.
 * Parsing of the many legacy spellings lives in iko_era.h.
 */
#ifndef IKO_DATE_H
#define IKO_DATE_H

enum iko_era {
	IKO_ERA_NONE = 0,
	IKO_ERA_MEIJI = 1,
	IKO_ERA_TAISHO = 2,
	IKO_ERA_SHOWA = 3,
	IKO_ERA_HEISEI = 4,
	IKO_ERA_REIWA = 5,
	IKO_ERA_COUNT_
};

typedef struct iko_era_info {
	enum iko_era era;
	const char *kanji;  /* "平成" */
	char letter;        /* 'H' */
	int y, m, d;        /* first day (Gregorian) */
} iko_era_info;

/* Era table entry, or NULL for IKO_ERA_NONE / out of range. */
const iko_era_info *iko_era_get(enum iko_era era);

/* 1 if y-m-d is a valid Gregorian date (1 <= y <= 9999). */
int iko_date_valid(int y, int m, int d);
/* Days in month m of year y (0 if m out of range). */
int iko_days_in_month(int y, int m);
/* Compare two dates: <0, 0, >0. */
int iko_date_cmp(int y1, int m1, int d1, int y2, int m2, int d2);

/* The era a Gregorian date falls in (IKO_ERA_NONE before 明治). */
enum iko_era iko_era_of(int y, int m, int d);
/* Era year (1 = 元年) of a Gregorian date in its era; 0 if none. */
int iko_era_year(int y, int m, int d);
/* Gregorian year of era year ey (ey >= 1) of era. */
int iko_era_to_year(enum iko_era era, int ey);

/* Parse strict ISO "YYYY-MM-DD" (valid date); 1 ok, 0 not. */
int iko_date_parse_iso(const char *s, int *y, int *m, int *d);
/* Format y-m-d as "YYYY-MM-DD" into out[11]. */
void iko_date_format_iso(char out[11], int y, int m, int d);
/* Day numbers (days since 1970-01-01, proleptic Gregorian) and back. */
long iko_day_of(int y, int m, int d);
void iko_day_civil(long z, int *y, int *m, int *d);
/* iko_day_of(2000, 1, 1): the day PostgreSQL counts its dates from */
#define IKO_DAY_2000 10957L

#endif
