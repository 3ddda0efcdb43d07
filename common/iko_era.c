/*
 * iko_era.c — 和暦 date parsing (see iko_era.h).
 */
#include "iko_era.h"

#include "iko_error.h"

#include <stdio.h>
#include <string.h>

#define ERA_MAX_INPUT 64

/* Copy s to out with full-width digits → ASCII and spaces removed. */
static int normalise(char *out, size_t cap, const char *s, size_t len)
{
	size_t i = 0, n = 0;
	const unsigned char *p = (const unsigned char *)s;

	while (i < len) {
		if (n + 4 >= cap)
			return -1;
		if (p[i] == ' ') {
			i++;
		} else if (i + 2 < len && p[i] == 0xEF && p[i + 1] == 0xBC &&
			   p[i + 2] >= 0x90 && p[i + 2] <= 0x99) {
			out[n++] = (char)('0' + (p[i + 2] - 0x90)); /* ０..９ */
			i += 3;
		} else if (i + 2 < len && p[i] == 0xE3 && p[i + 1] == 0x80 && p[i + 2] == 0x80) {
			i += 3; /* ideographic space */
		} else {
			out[n++] = (char)p[i++];
		}
	}
	out[n] = '\0';
	return (int)n;
}

static int digits(const char *s, int n, int *v)
{
	int i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		*v = *v * 10 + (s[i] - '0');
	}
	return 1;
}

/* Read 1..maxd digits; returns the count read. */
static int read_num(const char **p, int maxd, int *v)
{
	int n = 0;

	*v = 0;
	while (n < maxd && **p >= '0' && **p <= '9') {
		*v = *v * 10 + (**p - '0');
		(*p)++;
		n++;
	}
	return n;
}

static void year_text(char *out, size_t n, const iko_era_info *e, int ey)
{
	if (ey == 1)
		snprintf(out, n, "%s元年", e->kanji);
	else
		snprintf(out, n, "%s%d年", e->kanji, ey);
}

/* Day before the next era's first day, or 9999-12-31. */
static void era_end(enum iko_era era, int *y, int *m, int *d)
{
	const iko_era_info *next = iko_era_get((enum iko_era)(era + 1));

	if (!next) {
		*y = 9999; *m = 12; *d = 31;
		return;
	}
	*y = next->y; *m = next->m; *d = next->d - 1;
	if (*d == 0) {
		if (--*m == 0) {
			*m = 12;
			--*y;
		}
		*d = iko_days_in_month(*y, *m);
	}
}

/* Validate era/year/month/day and fill out. */
static int finish(iko_era_date *out, enum iko_era era, int ey, int m, int d, const char *src)
{
	const iko_era_info *e = iko_era_get(era);
	char yt[32];
	int y, ey_, em, ed;

	memset(out, 0, sizeof(*out));
	out->era = era;
	if (!e)
		return iko_error_set(IKO_EPARSE, "%s: unknown era", src);
	year_text(yt, sizeof(yt), e, ey);
	if (ey < 1)
		return iko_error_set(IKO_EPARSE, "%s: era year %02d out of range", src, ey);
	if (m < 0 || m > 12)
		return iko_error_set(IKO_EPARSE, "%s: month %d out of range", src, m);
	if (m == 0 && d != 0)
		return iko_error_set(IKO_EPARSE, "%s: day given without a month", src);
	y = iko_era_to_year(era, ey);
	if (y > 9999)
		return iko_error_set(IKO_EPARSE, "%s: era year %d out of range", src, ey);
	era_end(era, &ey_, &em, &ed);
	if (d == 0) {
		/* unknown day (or month): the known part must overlap the era */
		int lm = m ? m : 12, fm = m ? m : 1;
		if (iko_date_cmp(y, lm, iko_days_in_month(y, lm), e->y, e->m, e->d) < 0)
			return iko_error_set(IKO_EPARSE, "%s: %s%s is before %s began (%04d-%02d-%02d)", src,
					     yt, m ? "" : "", e->kanji, e->y, e->m, e->d);
		if (iko_date_cmp(y, fm, 1, ey_, em, ed) > 0 && era != IKO_ERA_HEISEI)
			return iko_error_set(IKO_EPARSE, "%s: %s is after %s ended (%04d-%02d-%02d)", src, yt,
					     e->kanji, ey_, em, ed);
		out->y = y;
		out->m = m;
		out->unknown = m ? 1 : 2;
		if (m)
			snprintf(out->note, sizeof(out->note), "%s%d月日不詳", yt, m);
		else
			snprintf(out->note, sizeof(out->note), "%s月日不詳", yt);
		if (era == IKO_ERA_HEISEI && iko_date_cmp(y, fm, 1, ey_, em, ed) > 0)
			out->status = IKO_ERA_WARN_NORMALISED;
		return 0;
	}
	if (d < 1 || d > 31)
		return iko_error_set(IKO_EPARSE, "%s: day %d out of range", src, d);
	if (!iko_date_valid(y, m, d))
		return iko_error_set(IKO_EPARSE, "%s: %s%d月%d日 does not exist (%04d-%02d has %d days)", src,
				     yt, m, d, y, m, iko_days_in_month(y, m));
	if (iko_date_cmp(y, m, d, e->y, e->m, e->d) < 0)
		return iko_error_set(IKO_EPARSE, "%s: %s%d月%d日 is not a date of %s (%s began %04d-%02d-%02d)",
				     src, yt, m, d, e->kanji, e->kanji, e->y, e->m, e->d);
	if (iko_date_cmp(y, m, d, ey_, em, ed) > 0) {
		if (era != IKO_ERA_HEISEI)
			return iko_error_set(IKO_EPARSE, "%s: %s%d月%d日 is not a date of %s (%s ended %04d-%02d-%02d)",
					     src, yt, m, d, e->kanji, e->kanji, ey_, em, ed);
		out->status = IKO_ERA_WARN_NORMALISED;
	}
	out->y = y;
	out->m = m;
	out->d = d;
	iko_date_format_iso(out->iso, y, m, d);
	return 0;
}

static enum iko_era era_of_letter(char c)
{
	switch (c) {
	case 'M': case 'm': return IKO_ERA_MEIJI;
	case 'T': case 't': return IKO_ERA_TAISHO;
	case 'S': case 's': return IKO_ERA_SHOWA;
	case 'H': case 'h': return IKO_ERA_HEISEI;
	case 'R': case 'r': return IKO_ERA_REIWA;
	default: return IKO_ERA_NONE;
	}
}

static int all_zero(const char *s)
{
	for (; *s; s++)
		if (*s != '0')
			return 0;
	return 1;
}

static int parse_digits(iko_era_date *out, const char *s, int n, int code2)
{
	int era, ey, m, d, off = code2 ? 2 : 1;

	if (n != (code2 ? 8 : 7) || !digits(s, n, &era))
		return iko_error_set(IKO_EPARSE, "%s: expected %s", s, code2 ? "EEYYMMDD (8 digits)"
								       : "GYYMMDD (7 digits)");
	if (all_zero(s))
		return IKO_ENOTFOUND;
	digits(s, off, &era);
	if (era < IKO_ERA_MEIJI || era > IKO_ERA_REIWA)
		return iko_error_set(IKO_EPARSE, "%s: era %s %d unknown", s, code2 ? "code" : "digit", era);
	digits(s + off, 2, &ey);
	digits(s + off + 2, 2, &m);
	digits(s + off + 4, 2, &d);
	return finish(out, (enum iko_era)era, ey, m, d, s);
}

static int parse_letter(iko_era_date *out, const char *s)
{
	enum iko_era era = era_of_letter(s[0]);
	const char *p = s + 1;
	int ey, m, d, n;

	if (era == IKO_ERA_NONE)
		return iko_error_set(IKO_EPARSE, "%s: era letter %c unknown", s, s[0]);
	if (strlen(p) == 6 && digits(p, 6, &n)) {
		digits(p, 2, &ey);
		digits(p + 2, 2, &m);
		digits(p + 4, 2, &d);
		return finish(out, era, ey, m, d, s);
	}
	if (!read_num(&p, 2, &ey) || (*p != '.' && *p != '/' && *p != '-'))
		return iko_error_set(IKO_EPARSE, "%s: expected era letter + YYMMDD or Y.M.D", s);
	p++;
	if (!read_num(&p, 2, &m) || (*p != '.' && *p != '/' && *p != '-'))
		return iko_error_set(IKO_EPARSE, "%s: expected era letter + YYMMDD or Y.M.D", s);
	p++;
	if (!read_num(&p, 2, &d) || *p)
		return iko_error_set(IKO_EPARSE, "%s: expected era letter + YYMMDD or Y.M.D", s);
	return finish(out, era, ey, m, d, s);
}

static int eat(const char **p, const char *lit)
{
	size_t n = strlen(lit);

	if (strncmp(*p, lit, n))
		return 0;
	*p += n;
	return 1;
}

static int parse_kanji(iko_era_date *out, const char *s)
{
	const char *p = s;
	int e, ey = 0, m = 0, d = 0;

	for (e = IKO_ERA_MEIJI; e <= IKO_ERA_REIWA; e++)
		if (eat(&p, iko_era_get((enum iko_era)e)->kanji))
			break;
	if (e > IKO_ERA_REIWA)
		return iko_error_set(IKO_EPARSE, "%s: unknown era name", s);
	if (!eat(&p, "元") && !read_num(&p, 2, &ey))
		return iko_error_set(IKO_EPARSE, "%s: expected a year after the era", s);
	if (ey == 0 && p[-1] != '0')
		ey = 1; /* 元年 */
	if (!eat(&p, "年"))
		return iko_error_set(IKO_EPARSE, "%s: expected 年", s);
	if (*p == '\0' || eat(&p, "不詳") || eat(&p, "月日不詳"))
		return *p ? iko_error_set(IKO_EPARSE, "%s: unexpected text after the year", s)
			  : finish(out, (enum iko_era)e, ey, 0, 0, s);
	if (!read_num(&p, 2, &m) || !eat(&p, "月"))
		return iko_error_set(IKO_EPARSE, "%s: expected a month", s);
	if (*p == '\0' || eat(&p, "不詳") || eat(&p, "日不詳"))
		return *p ? iko_error_set(IKO_EPARSE, "%s: unexpected text after the month", s)
			  : finish(out, (enum iko_era)e, ey, m, 0, s);
	if (!read_num(&p, 2, &d) || !eat(&p, "日") || *p)
		return iko_error_set(IKO_EPARSE, "%s: expected a day and 日", s);
	if (d == 0)
		return iko_error_set(IKO_EPARSE, "%s: day 0 out of range", s);
	return finish(out, (enum iko_era)e, ey, m, d, s);
}

int iko_era_parse(iko_era_date *out, const char *s, size_t len, iko_era_format fmt)
{
	char buf[ERA_MAX_INPUT * 3];
	int n;

	memset(out, 0, sizeof(*out));
	if (len > ERA_MAX_INPUT || (n = normalise(buf, sizeof(buf), s, len)) < 0)
		return iko_error_set(IKO_EPARSE, "date text too long (%zu bytes)", len);
	if (n == 0)
		return iko_error_set(IKO_EPARSE, "empty date");
	if (fmt == IKO_ERA_FMT_AUTO) {
		if (buf[0] >= '0' && buf[0] <= '9')
			fmt = n == 8 ? IKO_ERA_FMT_CODE2 : IKO_ERA_FMT_GYYMMDD;
		else if (era_of_letter(buf[0]) != IKO_ERA_NONE)
			fmt = IKO_ERA_FMT_LETTER;
		else
			fmt = IKO_ERA_FMT_KANJI;
	}
	switch (fmt) {
	case IKO_ERA_FMT_GYYMMDD:
		return parse_digits(out, buf, n, 0);
	case IKO_ERA_FMT_CODE2:
		return parse_digits(out, buf, n, 1);
	case IKO_ERA_FMT_LETTER:
		return parse_letter(out, buf);
	case IKO_ERA_FMT_KANJI:
		return parse_kanji(out, buf);
	default:
		return iko_error_set(IKO_EINVAL, "unknown era date format %d", (int)fmt);
	}
}

int iko_era_format_gyymmdd(char out[8], int y, int m, int d)
{
	enum iko_era e = iko_era_of(y, m, d);
	unsigned ey;

	if (e == IKO_ERA_NONE || !iko_date_valid(y, m, d))
		return iko_error_set(IKO_EINVAL, "%04d-%02d-%02d has no era", y, m, d);
	ey = (unsigned)iko_era_year(y, m, d) % 100u;
	snprintf(out, 8, "%u%02u%02u%02u", (unsigned)e % 10u, ey, (unsigned)m % 100u, (unsigned)d % 100u);
	return 0;
}
