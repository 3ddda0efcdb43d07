/*
 * iko_runbook.c — runbook templates rendered per municipality (see
 * iko_runbook.h).
 */
#include "iko_runbook.h"

#include "iko_date.h"
#include "iko_error.h"
#include "iko_schedule.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void iko_runbook_day(char out[32], long day)
{
	static const char *const wd[] = { "月", "火", "水", "木", "金", "土", "日" };
	char iso[11];
	int y, m, d;

	iko_day_civil(day, &y, &m, &d);
	iko_date_format_iso(iso, y, m, d);
	snprintf(out, 32, "%s（%s）", iso, wd[iko_day_weekday(day)]);
}

/* {{T-14}} / {{R+3}}: 1 and *day set when key is a date expression. */
static int date_expr(const char *key, size_t len, const iko_runbook_vars *v, long *day, int *bad)
{
	long off = 0;
	size_t i;

	*bad = 0;
	if (!len || (key[0] != 'T' && key[0] != 'R') || (len > 1 && key[1] != '-' && key[1] != '+'))
		return 0;
	if (len > 1) {
		if (len == 2 || len > 6) {
			*bad = 1;
			return 1;
		}
		for (i = 2; i < len; i++) {
			if (key[i] < '0' || key[i] > '9') {
				*bad = 1;
				return 1;
			}
			off = off * 10 + (key[i] - '0');
		}
		if (key[1] == '-')
			off = -off;
	}
	*day = (key[0] == 'T' ? v->cutover : v->rehearsal) + off;
	/* the town hall's working days: before the base day a weekend moves back
	 * to Friday, after it forward to Monday; the base day itself stays */
	if (off < 0 && iko_day_weekday(*day) >= 5)
		*day -= iko_day_weekday(*day) - 4;
	else if (off > 0 && iko_day_weekday(*day) >= 5)
		*day += 7 - iko_day_weekday(*day);
	return 1;
}

int iko_runbook_render(iko_buf *out, const char *text, const char *name, const iko_runbook_vars *v)
{
	const char *p = text;
	int line = 1;

	while (*p) {
		const char *open = strstr(p, "{{"), *close, *k;
		size_t len, i;
		long day;
		int bad, found = 0;

		if (!open) {
			if (iko_buf_puts(out, p))
				return IKO_ENOMEM;
			break;
		}
		for (k = p; k < open; k++)
			line += *k == '\n';
		if (iko_buf_put(out, p, (size_t)(open - p)))
			return IKO_ENOMEM;
		if (!strncmp(open, "{{{{", 4)) {
			if (iko_buf_puts(out, "{{"))
				return IKO_ENOMEM;
			p = open + 4;
			continue;
		}
		k = open + 2;
		close = strstr(k, "}}");
		if (!close || memchr(k, '\n', (size_t)(close - k)))
			return iko_error_set(IKO_EPARSE, "%s:%d: {{ without }}", name, line);
		while (*k == ' ')
			k++;
		len = (size_t)(close - k);
		while (len && k[len - 1] == ' ')
			len--;
		if (date_expr(k, len, v, &day, &bad)) {
			char d[32];
			if (bad)
				return iko_error_set(IKO_EPARSE, "%s:%d: {{%.*s}}: a date is T or R, optionally ±days (T-14)",
						     name, line, (int)len, k);
			iko_runbook_day(d, day);
			found = !iko_buf_puts(out, d) ? 1 : -1;
		} else if (len == 8 && !strncmp(k, "contacts", 8)) {
			found = !iko_buf_puts(out, v->contacts ? v->contacts : "-") ? 1 : -1;
		} else if (len == 7 && !strncmp(k, "lessons", 7)) {
			found = !iko_buf_puts(out, v->lessons ? v->lessons : "-") ? 1 : -1;
		} else {
			for (i = 0; i < v->n && !found; i++)
				if (strlen(v->keys[i]) == len && !strncmp(v->keys[i], k, len))
					found = !iko_buf_puts(out, v->values[i] ? v->values[i] : "") ? 1 : -1;
		}
		if (found < 0)
			return IKO_ENOMEM;
		if (!found)
			return iko_error_set(IKO_EPARSE, "%s:%d: unknown placeholder {{%.*s}}", name, line, (int)len, k);
		p = close + 2;
	}
	return 0;
}
