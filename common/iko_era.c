/*
 * iko_era.c — 和暦 date parsing (see iko_era.h), used by the transform
 * stage's era_date step. The input is first normalised (full-width digits
 * to ASCII, spaces dropped) into a small stack buffer, then read by one
 * parser per spelling; every spelling ends in finish()/finish_unknown(),
 * which hold the calendar and era-boundary rules.
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

/* The year as written (令和元年, 平成31年) into out, for messages and notes. */
static const char *year_text(char *out, size_t n, const iko_era_info *e, int ey)
{
	if (ey == 1)
		snprintf(out, n, "%s元年", e->kanji);
	else
		snprintf(out, n, "%s%d年", e->kanji, ey);
	return out;
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

/*
 * Day (m > 0) or month and day (m == 0) unknown: the known part must
 * overlap the era (昭和64年1月 does, 昭和64年2月 does not); a 平成 part after
 * 2019-04-30 is normalised like a full date.
 */
static int finish_unknown(iko_era_date *out, const iko_era_info *e, int ey, int y, int m,
			  const char *src)
{
	char yt[32], known[48];
	int ly, lm, ld, fm = m ? m : 1, lastm = m ? m : 12;

	year_text(yt, sizeof(yt), e, ey);
	if (m)
		snprintf(known, sizeof(known), "%s%d月", yt, m);
	else
		snprintf(known, sizeof(known), "%s", yt);
	era_end(e->era, &ly, &lm, &ld);
	if (iko_date_cmp(y, lastm, iko_days_in_month(y, lastm), e->y, e->m, e->d) < 0)
		return iko_error_set(IKO_EPARSE, "%s: %s is not in %s (%s began %04d-%02d-%02d)", src, known,
				     e->kanji, e->kanji, e->y, e->m, e->d);
	if (iko_date_cmp(y, fm, 1, ly, lm, ld) > 0) {
		if (e->era != IKO_ERA_HEISEI)
			return iko_error_set(IKO_EPARSE, "%s: %s is not in %s (%s ended %04d-%02d-%02d)", src,
					     known, e->kanji, e->kanji, ly, lm, ld);
		out->status = IKO_ERA_WARN_NORMALISED;
	}
	out->y = y;
	out->m = m;
	out->unknown = m ? 1 : 2;
	snprintf(out->note, sizeof(out->note), "%s%s日不詳", known, m ? "" : "月");
	return 0;
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
	if (d == 0)
		return finish_unknown(out, e, ey, y, m, src);
	if (d < 1 || d > 31)
		return iko_error_set(IKO_EPARSE, "%s: day %d out of range", src, d);
	if (!iko_date_valid(y, m, d))
		return iko_error_set(IKO_EPARSE, "%s: %s%d月%d日 does not exist (%04d-%02d has %d days)", src,
				     year_text(yt, sizeof(yt), e, ey), m, d, y, m, iko_days_in_month(y, m));
	if (iko_date_cmp(y, m, d, e->y, e->m, e->d) < 0)
		return iko_error_set(IKO_EPARSE, "%s: %s%d月%d日 is not a date of %s (%s began %04d-%02d-%02d)",
				     src, year_text(yt, sizeof(yt), e, ey), m, d, e->kanji, e->kanji, e->y, e->m, e->d);
	if (iko_date_cmp(y, m, d, ey_, em, ed) > 0) {
		if (era != IKO_ERA_HEISEI)
			return iko_error_set(IKO_EPARSE, "%s: %s%d月%d日 is not a date of %s (%s ended %04d-%02d-%02d)",
					     src, year_text(yt, sizeof(yt), e, ey), m, d, e->kanji, e->kanji, ey_, em, ed);
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

static int eat(const char **p, const char *lit)
{
	size_t n = strlen(lit);

	if (strncmp(*p, lit, n))
		return 0;
	*p += n;
	return 1;
}

static int is_sep(char c)
{
	return c == '.' || c == '/' || c == '-';
}

/* M/T/S/H/R + YYMMDD, or + Y.M.D (. / -); 元 for the year. */
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
	if (eat(&p, "元")) {
		ey = 1;
		if (strlen(p) == 4 && digits(p, 4, &n))
			return finish(out, era, 1, n / 100, n % 100, s);
	} else if (!read_num(&p, 2, &ey)) {
		goto syntax;
	}
	if (!is_sep(*p++) || !read_num(&p, 2, &m) || !is_sep(*p++) || !read_num(&p, 2, &d) || *p)
		goto syntax;
	return finish(out, era, ey, m, d, s);
syntax:
	return iko_error_set(IKO_EPARSE, "%s: expected era letter + YYMMDD or Y.M.D", s);
}

/* 不詳 for the year: "昭和不詳", "昭和年不詳", "昭和年月日不詳", or "不詳" alone. */
static int year_unknown(iko_era_date *out, enum iko_era era, const char *rest)
{
	if (strcmp(rest, "不詳") && strcmp(rest, "年不詳") && strcmp(rest, "年月日不詳"))
		return 0;
	memset(out, 0, sizeof(*out));
	out->era = era;
	out->unknown = 3;
	if (era == IKO_ERA_NONE)
		snprintf(out->note, sizeof(out->note), "不詳");
	else
		snprintf(out->note, sizeof(out->note), "%s年月日不詳", iko_era_get(era)->kanji);
	return 1;
}

/* 平成元年5月8日, 昭和45年3月15日, 昭和45年3月(日)不詳, 昭和45年(月日)不詳. */
static int parse_kanji(iko_era_date *out, const char *s)
{
	const char *p = s;
	int e, ey, m = 0, d = 0;

	if (year_unknown(out, IKO_ERA_NONE, p))
		return 0;
	for (e = IKO_ERA_MEIJI; e <= IKO_ERA_REIWA; e++)
		if (eat(&p, iko_era_get((enum iko_era)e)->kanji))
			break;
	if (e > IKO_ERA_REIWA)
		return iko_error_set(IKO_EPARSE, "%s: unknown era name", s);
	if (year_unknown(out, (enum iko_era)e, p))
		return 0;
	if (eat(&p, "元"))
		ey = 1;
	else if (!read_num(&p, 2, &ey))
		return iko_error_set(IKO_EPARSE, "%s: expected a year after the era", s);
	if (!eat(&p, "年"))
		return iko_error_set(IKO_EPARSE, "%s: expected 年", s);
	if (*p == '\0' || eat(&p, "不詳") || eat(&p, "月日不詳"))
		return *p ? iko_error_set(IKO_EPARSE, "%s: unexpected text after the year", s)
			  : finish(out, (enum iko_era)e, ey, 0, 0, s);
	if (!read_num(&p, 2, &m) || !eat(&p, "月"))
		return iko_error_set(IKO_EPARSE, "%s: expected a month", s);
	if (m == 0)
		return iko_error_set(IKO_EPARSE, "%s: month 0 out of range", s);
	if (*p == '\0' || eat(&p, "不詳") || eat(&p, "日不詳"))
		return *p ? iko_error_set(IKO_EPARSE, "%s: unexpected text after the month", s)
			  : finish(out, (enum iko_era)e, ey, m, 0, s);
	if (!read_num(&p, 2, &d) || !eat(&p, "日") || *p)
		return iko_error_set(IKO_EPARSE, "%s: expected a day and 日", s);
	if (d == 0)
		return iko_error_set(IKO_EPARSE, "%s: day 0 out of range", s);
	return finish(out, (enum iko_era)e, ey, m, d, s);
}

/*
 * The commonest value of all, read without the general path: exactly
 * GYYMMDD (7 ASCII digits) or EEYYMMDD (8), spelled as fmt asks (AUTO
 * decides by the length, as below), either all zeros (no date) or a whole
 * date that exists and lies inside its era. Returns 1 with out and the
 * return code set as the general path would set them; 0 for anything
 * else — another spelling, an unknown part, an era boundary crossed, any
 * error — which the general path then reads, messages and all.
 */
static int parse_plain_digits(iko_era_date *out, const char *s, size_t len, iko_era_format fmt, int *rc)
{
	const unsigned char *p = (const unsigned char *)s;
	const iko_era_info *e, *next;
	unsigned dg[8], era, ey, m, d, or = 0;
	size_t i, off;
	int y;

	if (len != 7 && len != 8)
		return 0;
	if (fmt != IKO_ERA_FMT_AUTO && fmt != (len == 8 ? IKO_ERA_FMT_CODE2 : IKO_ERA_FMT_GYYMMDD))
		return 0;
	for (i = 0; i < len; i++) {
		if ((dg[i] = (unsigned)p[i] - '0') > 9u)
			return 0;
		or |= dg[i];
	}
	if (!or) {
		*rc = IKO_ENOTFOUND;
		return 1;
	}
	off = len - 6;
	era = off == 2 ? dg[0] * 10 + dg[1] : dg[0];
	ey = dg[off] * 10 + dg[off + 1];
	m = dg[off + 2] * 10 + dg[off + 3];
	d = dg[off + 4] * 10 + dg[off + 5];
	if (era < IKO_ERA_MEIJI || era > IKO_ERA_REIWA || ey < 1 || m < 1 || m > 12 || d < 1)
		return 0;
	e = iko_era_get((enum iko_era)era);
	y = e->y + (int)ey - 1;
	if ((int)d > iko_days_in_month(y, (int)m))
		return 0;
	/* inside the era: from its first day to the day before the next one's */
	if (iko_date_cmp(y, (int)m, (int)d, e->y, e->m, e->d) < 0)
		return 0;
	if ((next = iko_era_get((enum iko_era)(era + 1))) && iko_date_cmp(y, (int)m, (int)d, next->y, next->m, next->d) >= 0)
		return 0;
	out->era = (enum iko_era)era;
	out->y = y;
	out->m = (int)m;
	out->d = (int)d;
	iko_date_format_iso(out->iso, y, (int)m, (int)d);
	*rc = 0;
	return 1;
}

int iko_era_parse(iko_era_date *out, const char *s, size_t len, iko_era_format fmt)
{
	char buf[ERA_MAX_INPUT * 3];
	int n;

	memset(out, 0, sizeof(*out));
	if (parse_plain_digits(out, s, len, fmt, &n))
		return n;
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
