/*
 * iko_date.c — Gregorian calendar checks and the era table.
 */
#include "iko_date.h"

#include <stdio.h>
#include <string.h>

static const iko_era_info eras[] = {
	[IKO_ERA_NONE] = { IKO_ERA_NONE, "", '\0', 0, 0, 0 },
	[IKO_ERA_MEIJI] = { IKO_ERA_MEIJI, "明治", 'M', 1868, 1, 25 },
	[IKO_ERA_TAISHO] = { IKO_ERA_TAISHO, "大正", 'T', 1912, 7, 30 },
	[IKO_ERA_SHOWA] = { IKO_ERA_SHOWA, "昭和", 'S', 1926, 12, 25 },
	[IKO_ERA_HEISEI] = { IKO_ERA_HEISEI, "平成", 'H', 1989, 1, 8 },
	[IKO_ERA_REIWA] = { IKO_ERA_REIWA, "令和", 'R', 2019, 5, 1 },
};
_Static_assert(sizeof(eras) / sizeof(eras[0]) == IKO_ERA_COUNT_,
	       "eras table must cover enum iko_era");

const iko_era_info *iko_era_get(enum iko_era era)
{
	if (era <= IKO_ERA_NONE || era >= IKO_ERA_COUNT_)
		return NULL;
	return &eras[era];
}

int iko_days_in_month(int y, int m)
{
	static const int dm[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (m < 1 || m > 12)
		return 0;
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return dm[m - 1];
}

int iko_date_valid(int y, int m, int d)
{
	return y >= 1 && y <= 9999 && d >= 1 && d <= iko_days_in_month(y, m);
}

int iko_date_cmp(int y1, int m1, int d1, int y2, int m2, int d2)
{
	if (y1 != y2)
		return y1 < y2 ? -1 : 1;
	if (m1 != m2)
		return m1 < m2 ? -1 : 1;
	if (d1 != d2)
		return d1 < d2 ? -1 : 1;
	return 0;
}

enum iko_era iko_era_of(int y, int m, int d)
{
	int e;

	for (e = IKO_ERA_REIWA; e >= IKO_ERA_MEIJI; e--)
		if (iko_date_cmp(y, m, d, eras[e].y, eras[e].m, eras[e].d) >= 0)
			return (enum iko_era)e;
	return IKO_ERA_NONE;
}

int iko_era_year(int y, int m, int d)
{
	enum iko_era e = iko_era_of(y, m, d);

	return e == IKO_ERA_NONE ? 0 : y - eras[e].y + 1;
}

int iko_era_to_year(enum iko_era era, int ey)
{
	const iko_era_info *e = iko_era_get(era);

	return e && ey >= 1 ? e->y + ey - 1 : 0;
}

/* s[i] is a digit (tested in order: a NUL ends the test before the bytes after it) */
#define ISO_DIGIT(s, i) ((unsigned)((unsigned char)(s)[i] - '0') <= 9u)

int iko_date_parse_iso(const char *s, int *y, int *m, int *d)
{
	/* exactly YYYY-MM-DD and nothing after it (what strlen == 10 and the byte tests said) */
	if (!(ISO_DIGIT(s, 0) && ISO_DIGIT(s, 1) && ISO_DIGIT(s, 2) && ISO_DIGIT(s, 3) && s[4] == '-' &&
	      ISO_DIGIT(s, 5) && ISO_DIGIT(s, 6) && s[7] == '-' && ISO_DIGIT(s, 8) && ISO_DIGIT(s, 9) && !s[10]))
		return 0;
	*y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	*m = (s[5] - '0') * 10 + (s[6] - '0');
	*d = (s[8] - '0') * 10 + (s[9] - '0');
	return iko_date_valid(*y, *m, *d);
}

void iko_date_format_iso(char out[11], int y, int m, int d)
{
	unsigned uy = (unsigned)y % 10000u, um = (unsigned)m % 100u, ud = (unsigned)d % 100u;

	/* "%04u-%02u-%02u" without printf: a transform formats millions */
	out[0] = (char)('0' + uy / 1000);
	out[1] = (char)('0' + uy / 100 % 10);
	out[2] = (char)('0' + uy / 10 % 10);
	out[3] = (char)('0' + uy % 10);
	out[4] = '-';
	out[5] = (char)('0' + um / 10);
	out[6] = (char)('0' + um % 10);
	out[7] = '-';
	out[8] = (char)('0' + ud / 10);
	out[9] = (char)('0' + ud % 10);
	out[10] = '\0';
}

long iko_day_of(int y, int m, int d)
{
	long yy = y - (m <= 2), era = (yy >= 0 ? yy : yy - 399) / 400;
	long yoe = yy - era * 400, doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

void iko_day_civil(long z, int *y, int *m, int *d)
{
	long era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}
