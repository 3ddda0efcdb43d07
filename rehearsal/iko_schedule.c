/*
 * iko_schedule.c — staggered cutovers week by week (see iko_schedule.h).
 */
#include "iko_schedule.h"

#include "iko_buf.h"
#include "iko_checkdigit.h"
#include "iko_date.h"
#include "iko_error.h"
#include "iko_fs.h"
#include "iko_lesson.h"
#include "iko_workbook.h"
#include "iko_yaml.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void iso(char out[11], long day)
{
	int y, m, d;

	iko_day_civil(day, &y, &m, &d);
	iko_date_format_iso(out, y, m, d);
}

static int day_arg(const iko_yaml_node *n, const char *key, long *out, const char *path, int required)
{
	const char *v = iko_yaml_str(n, key, NULL);
	int y, m, d;

	if (!v) {
		if (required)
			return iko_error_set(IKO_EPARSE, "%s:%d: %s: missing", path, n ? n->line : 0, key);
		return 1;
	}
	if (!iko_date_parse_iso(v, &y, &m, &d))
		return iko_error_set(IKO_EPARSE, "%s:%d: %s: not a date (YYYY-MM-DD): %s", path, n->line, key, v);
	*out = iko_day_of(y, m, d);
	return 0;
}

/* 1970-01-01 was a Thursday: Monday = 0. */
int iko_day_weekday(long day)
{
	return (int)(((day % 7) + 7 + 3) % 7);
}

/* A key that must hold a list when present (a mapping there is a mistake). */
static int list_arg(const iko_yaml_node *parent, const char *key, const iko_yaml_node **out, const char *path)
{
	const iko_yaml_node *n = iko_yaml_get(parent, key);

	*out = n;
	if (n && n->kind != IKO_YAML_SEQ)
		return iko_error_set(IKO_EPARSE, "%s:%d: %s: must be a list (- {…} items)", path, n->line, key);
	return 0;
}

/* An item of a list that must be a mapping. */
static int item_arg(const iko_yaml_node *list, size_t i, const iko_yaml_node **out, const char *path, const char *key)
{
	const iko_yaml_node *n = iko_yaml_at(list, i);

	*out = n;
	if (!n || n->kind != IKO_YAML_MAP)
		return iko_error_set(IKO_EPARSE, "%s:%d: %s: each item must be a mapping ({key: value, …})", path,
				     n ? n->line : list->line, key);
	return 0;
}

static int load_costs(iko_schedule *s, const iko_yaml_node *c, const char *path)
{
	const iko_yaml_node *items;
	size_t i;
	int rc;

	if (!c)
		return 0;
	if ((rc = list_arg(c, "items", &items, path)))
		return rc;
	s->cost_unit = iko_strdup(iko_yaml_str(c, "unit", "人日"));
	s->cost = calloc(iko_yaml_count(items) + 1, sizeof(*s->cost));
	if (!s->cost || !s->cost_unit)
		return IKO_ENOMEM;
	for (i = 0; i < iko_yaml_count(items); i++) {
		const iko_yaml_node *n;
		const char *item, *amount;
		if ((rc = item_arg(items, i, &n, path, "costs.items")))
			return rc;
		item = iko_yaml_str(n, "item", NULL);
		amount = iko_yaml_str(n, "amount", NULL);
		const char *split = iko_yaml_str(n, "split", "shared"), *vendor = iko_yaml_str(n, "vendor", NULL);
		iko_sched_cost *k = &s->cost[s->ncost];
		char *end = NULL;
		if (!item || !amount)
			return iko_error_set(IKO_EPARSE, "%s:%d: a cost item needs item and amount", path,
					     n ? n->line : 0);
		k->amount = strtod(amount, &end);
		if (end == amount || *end || !(k->amount >= 0) || k->amount > 1e12)
			return iko_error_set(IKO_EPARSE, "%s:%d: amount %s: not a number of %s", path, n->line,
					     amount, s->cost_unit);
		if (!strcmp(split, "each"))
			k->split = 0;
		else if (!strcmp(split, "shared"))
			k->split = 1;
		else if (!strcmp(split, "residents"))
			k->split = 2;
		else
			return iko_error_set(IKO_EPARSE, "%s:%d: split %s: each, shared or residents", path,
					     n->line, split);
		k->item = iko_strdup(item);
		k->vendor = vendor ? iko_strdup(vendor) : NULL;
		s->ncost++;
		if (!k->item || (vendor && !k->vendor))
			return IKO_ENOMEM;
	}
	return 0;
}

int iko_schedule_costs(const iko_schedule *s, long long **shares)
{
	long long *sh = calloc(s->n * s->ncost + 1, sizeof(*sh));
	double *rem = calloc(s->n + 1, sizeof(*rem));
	size_t i, k;

	if (!sh || !rem) {
		free(sh);
		free(rem);
		return IKO_ENOMEM;
	}
	for (k = 0; k < s->ncost; k++) {
		const iko_sched_cost *c = &s->cost[k];
		long long total = llround(c->amount * 100), given = 0, weight = 0;
		for (i = 0; i < s->n; i++)
			if (!c->vendor || !strcmp(c->vendor, s->m[i].vendor))
				weight += c->split == 2 ? (s->m[i].residents > 0 ? s->m[i].residents : 0) : 1;
		for (i = 0; i < s->n; i++) {
			double exact;
			rem[i] = -1;
			if (c->vendor && strcmp(c->vendor, s->m[i].vendor))
				continue;
			if (c->split == 0) {
				sh[i * s->ncost + k] = total;
				continue;
			}
			exact = weight ? (double)total * (c->split == 2 ? (double)(s->m[i].residents > 0 ? s->m[i].residents : 0) : 1.0) / (double)weight : 0;
			sh[i * s->ncost + k] = (long long)floor(exact);
			rem[i] = exact - floor(exact);
			given += sh[i * s->ncost + k];
		}
		/* largest remainder: the shares add up to the amount */
		while (c->split && weight && given < total) {
			size_t best = s->n;
			for (i = 0; i < s->n; i++)
				if (rem[i] >= 0 && (best == s->n || rem[i] > rem[best]))
					best = i;
			if (best == s->n)
				break;
			sh[best * s->ncost + k]++;
			rem[best] = -0.5;
			given++;
		}
	}
	free(rem);
	*shares = sh;
	return 0;
}

int iko_schedule_load(iko_schedule *s, const char *path)
{
	static const char *const days[] = { "mon", "tue", "wed", "thu", "fri", "sat", "sun" };
	iko_yaml_doc *doc = NULL;
	const iko_yaml_node *root, *ms, *bl;
	const char *wd;
	size_t i;
	int rc;

	memset(s, 0, sizeof(*s));
	if ((rc = iko_yaml_load_file(&doc, path)))
		return rc;
	root = iko_yaml_root(doc);
	s->plan = iko_strdup(iko_yaml_str(root, "plan", "移行計画"));
	if ((rc = day_arg(root, "start", &s->start, path, 1)) || (rc = day_arg(root, "end", &s->end, path, 1)))
		goto done;
	s->start -= iko_day_weekday(s->start);
	wd = iko_yaml_str(root, "cutover_weekday", "fri");
	for (s->weekday = 0; s->weekday < 7 && strcmp(days[s->weekday], wd); s->weekday++)
		;
	if (s->weekday == 7) {
		rc = iko_error_set(IKO_EPARSE, "%s: cutover_weekday %s: mon … sun", path, wd);
		goto done;
	}
	s->slots = (int)strtol(iko_yaml_str(root, "slots_per_week", "1"), NULL, 10);
	s->rehearsal_days = (int)strtol(iko_yaml_str(root, "rehearsal_days_before", "14"), NULL, 10);
	if ((rc = list_arg(root, "blackouts", &bl, path)))
		goto done;
	s->black = calloc(iko_yaml_count(bl) + 1, sizeof(*s->black));
	for (i = 0; s->black && i < iko_yaml_count(bl); i++) {
		const iko_yaml_node *b;
		if ((rc = item_arg(bl, i, &b, path, "blackouts")) || (rc = day_arg(b, "from", &s->black[i].from, path, 1)) ||
		    (rc = day_arg(b, "to", &s->black[i].to, path, 1)))
			goto done;
		s->black[i].reason = iko_strdup(iko_yaml_str(b, "reason", "blackout"));
		s->nblack++;
	}
	if ((rc = list_arg(root, "municipalities", &ms, path)))
		goto done;
	if (!iko_yaml_count(ms)) {
		rc = iko_error_set(IKO_EPARSE, "%s: needs municipalities", path);
		goto done;
	}
	s->m = calloc(iko_yaml_count(ms), sizeof(*s->m));
	if (!s->m || !s->black) {
		rc = IKO_ENOMEM;
		goto done;
	}
	for (i = 0; i < iko_yaml_count(ms); i++) {
		const iko_yaml_node *n;
		iko_sched_muni *m;
		const char *lg;
		if ((rc = item_arg(ms, i, &n, path, "municipalities")))
			goto done;
		m = &s->m[s->n++];
		lg = iko_yaml_str(n, "lg_code", "");
		if (!iko_lg_code_valid(lg, strlen(lg))) {
			rc = iko_error_set(IKO_EPARSE, "%s:%d: lg_code %s: not a 6-digit 団体コード with a valid check digit",
					   path, n->line, lg);
			goto done;
		}
		m->lg_code = iko_strdup(lg);
		m->name = iko_strdup(iko_yaml_str(n, "name", lg));
		m->vendor = iko_strdup(iko_yaml_str(n, "vendor", "-"));
		m->residents = strtoll(iko_yaml_str(n, "residents", "0"), NULL, 10);
		m->pilot = !strcmp(iko_yaml_str(n, "pilot", "false"), "true");
		m->min_rehearsals = (int)strtol(iko_yaml_str(n, "min_rehearsals", "0"), NULL, 10);
		m->rehearsals_passed = (int)strtol(iko_yaml_str(n, "rehearsals_passed", "0"), NULL, 10);
		m->ready = s->start;
		if ((rc = day_arg(n, "ready", &m->ready, path, 0)) < 0)
			goto done;
		m->cutover = -1;
	}
	s->business = iko_strdup(iko_yaml_str(root, "business", "jumin"));
	if (iko_yaml_str(root, "lessons", NULL)) {
		s->lessons_path = iko_path_beside(path, iko_yaml_str(root, "lessons", NULL));
		if (!s->lessons_path) {
			rc = IKO_ENOMEM;
			goto done;
		}
	}
	if ((rc = load_costs(s, iko_yaml_get(root, "costs"), path)))
		goto done;
	/* a shared cost must have someone to share it */
	for (i = 0; i < s->ncost; i++) {
		long long who = 0;
		size_t k;
		for (k = 0; k < s->n; k++)
			if ((!s->cost[i].vendor || !strcmp(s->cost[i].vendor, s->m[k].vendor)) &&
			    (s->cost[i].split != 2 || s->m[k].residents > 0))
				who++;
		if (!who) {
			rc = iko_error_set(IKO_EPARSE, "%s: cost item %s: no municipality %s%s%s to bear it", path,
					   s->cost[i].item, s->cost[i].vendor ? "of vendor " : "",
					   s->cost[i].vendor ? s->cost[i].vendor : "in the plan",
					   s->cost[i].split == 2 ? " with residents" : "");
			goto done;
		}
	}
	/* vendor capacities: kept in the YAML, read again when planning */
	rc = 0;
	s->feasible = 0;
	{
		const iko_yaml_node *v = iko_yaml_get(root, "vendors");
		for (i = 0; i < s->n; i++) {
			const char *cap = iko_yaml_str(iko_yaml_get(v, s->m[i].vendor), "capacity_per_week", NULL);
			s->m[i].capacity = cap ? (int)strtol(cap, NULL, 10) : s->slots;
		}
	}
done:
	iko_yaml_free(doc);
	if (rc)
		iko_schedule_free(s);
	return rc;
}

static int before(const iko_sched_muni *a, const iko_sched_muni *b)
{
	if (a->residents != b->residents)
		return a->residents < b->residents;
	return strcmp(a->lg_code, b->lg_code) < 0;
}

static const char *blackout(const iko_schedule *s, long day)
{
	size_t i;

	for (i = 0; i < s->nblack; i++)
		if (day >= s->black[i].from && day <= s->black[i].to)
			return s->black[i].reason;
	return NULL;
}

int iko_schedule_actuals(iko_schedule *s, const char *path)
{
	iko_yaml_doc *doc = NULL;
	const iko_yaml_node *root, *a;
	long as_of = s->start;
	size_t i, k;
	int rc;

	if ((rc = iko_yaml_load_file(&doc, path)))
		return rc;
	root = iko_yaml_root(doc);
	if ((rc = day_arg(root, "as_of", &as_of, path, 1)) < 0)
		goto done;
	rc = 0;
	/* nothing new before the replanning date */
	for (i = 0; i < s->n; i++)
		if (s->m[i].ready < as_of)
			s->m[i].ready = as_of;
	if ((rc = list_arg(root, "actuals", &a, path)))
		goto done;
	for (k = 0; k < iko_yaml_count(a); k++) {
		const iko_yaml_node *n;
		const char *lg, *st;
		if ((rc = item_arg(a, k, &n, path, "actuals")))
			goto done;
		lg = iko_yaml_str(n, "lg_code", "");
		st = iko_yaml_str(n, "status", "");
		iko_sched_muni *m = NULL;
		long day;
		for (i = 0; i < s->n; i++)
			if (!strcmp(s->m[i].lg_code, lg))
				m = &s->m[i];
		if (!m) {
			rc = iko_error_set(IKO_EPARSE, "%s:%d: %s is not in the plan", path, n->line, lg);
			goto done;
		}
		if (!strcmp(st, "done")) {
			if ((rc = day_arg(n, "cutover", &day, path, 1)))
				goto done;
			m->cutover = day;
			snprintf(m->reason, sizeof(m->reason), "done (actual)");
		} else if (!strcmp(st, "slipped") || !strcmp(st, "gate_failed")) {
			day = as_of + 7; /* a failed gate or a slip: another week at least */
			if ((rc = day_arg(n, "not_before", &day, path, 0)) < 0)
				goto done;
			rc = 0;
			if (m->ready < day)
				m->ready = day;
			snprintf(m->replanned, sizeof(m->replanned), "replanned (%s: %s)", st,
				 iko_yaml_str(n, "reason", "-"));
		} else {
			rc = iko_error_set(IKO_EPARSE, "%s:%d: status %s: done, slipped or gate_failed", path,
					   n->line, st);
			goto done;
		}
	}
done:
	iko_yaml_free(doc);
	return rc;
}

/* Why m goes on day: its pilot role, then what held it back, if anything. */
static void explain(const iko_schedule *s, iko_sched_muni *m, long day)
{
	char d[11], extra[128] = "";
	const char *why;
	long prev;

	if (m->ready > s->start && m->ready > day - 7)
		iso(d, m->ready), snprintf(extra, sizeof(extra), "; ready from %s", d);
	else if ((prev = day - 7) >= s->start && prev >= m->ready && (why = blackout(s, prev)) != NULL)
		iso(d, prev), snprintf(extra, sizeof(extra), "; not %s (%s)", d, why);
	snprintf(m->reason, sizeof(m->reason), "%s%s%s%s",
		 m->pilot == 1 ? "the vendor's pilot (named)"
		 : m->pilot == 2 ? "the vendor's pilot (its smallest municipality)"
				 : "after its vendor's pilot, smaller before larger",
		 extra, m->replanned[0] ? "; " : "", m->replanned);
}

/* Earlier cutovers of the same vendor, and the recorded lessons each inherits. */
static int inherit(iko_schedule *s)
{
	iko_lessons ls = { 0, NULL };
	size_t i, j;
	int rc = 0;

	if (s->lessons_path && (rc = iko_lessons_load(&ls, s->lessons_path)))
		return rc;
	for (i = 0; i < s->n; i++) {
		iko_sched_muni *m = &s->m[i];
		m->earlier = 0;
		m->lessons = s->lessons_path ? 0 : -1;
		for (j = 0; j < s->n; j++)
			if (j != i && m->cutover >= 0 && s->m[j].cutover >= 0 && s->m[j].cutover < m->cutover &&
			    !strcmp(s->m[j].vendor, m->vendor))
				m->earlier++;
		for (j = 0; j < ls.n; j++)
			if (iko_lesson_applies(&ls.l[j], m->vendor, s->business) &&
			    strcmp(ls.l[j].found_lg_code ? ls.l[j].found_lg_code : "", m->lg_code))
				m->lessons++;
	}
	iko_lessons_free(&ls);
	return 0;
}

int iko_schedule_plan(iko_schedule *s)
{
	size_t i, j, placed = 0;
	int *cap = calloc(s->n + 1, sizeof(int)), order = 0;
	long week;

	if (!cap)
		return IKO_ENOMEM;
	for (i = 0; i < s->n; i++) {
		cap[i] = s->m[i].capacity;
		s->m[i].order = 0;
	}
	/* a pilot per vendor: the one named, else the smallest */
	for (i = 0; i < s->n; i++) {
		int has = 0;
		size_t best = i;
		for (j = 0; j < s->n; j++)
			if (!strcmp(s->m[j].vendor, s->m[i].vendor)) {
				has |= s->m[j].pilot;
				if (before(&s->m[j], &s->m[best]))
					best = j;
			}
		if (!has)
			s->m[best].pilot = 2; /* chosen: the smallest */
	}
	/* cutovers already done (--actuals) keep their date and come first */
	for (;;) {
		size_t first = s->n;
		for (i = 0; i < s->n; i++)
			if (s->m[i].cutover >= 0 && !s->m[i].order &&
			    (first == s->n || s->m[i].cutover < s->m[first].cutover))
				first = i;
		if (first == s->n)
			break;
		s->m[first].order = ++order;
		placed++;
	}
	for (week = s->start; week <= s->end && placed < s->n; week += 7) {
		long day = week + s->weekday;
		const char *why = blackout(s, day);
		int slots = s->slots;
		if (day > s->end)
			break;
		if (why)
			continue;
		for (i = 0; i < s->n; i++)
			if (s->m[i].cutover == day)
				slots--;
		while (slots > 0) {
			size_t best = s->n;
			for (i = 0; i < s->n; i++) {
				iko_sched_muni *m = &s->m[i];
				int used = 0, pilot_done = m->pilot != 0;
				if (m->cutover >= 0 || m->ready > day || m->rehearsals_passed < m->min_rehearsals)
					continue;
				for (j = 0; j < s->n; j++)
					if (!strcmp(s->m[j].vendor, m->vendor)) {
						if (s->m[j].cutover == day)
							used++;
						if (s->m[j].pilot && s->m[j].cutover >= 0 && s->m[j].cutover < week)
							pilot_done = 1;
					}
				if (!pilot_done || used >= cap[i])
					continue;
				/* pilots first, then smaller before larger */
				if (best == s->n || (m->pilot && !s->m[best].pilot) ||
				    (!m->pilot == !s->m[best].pilot && before(m, &s->m[best])))
					best = i;
			}
			if (best == s->n)
				break;
			s->m[best].cutover = day;
			s->m[best].order = ++order;
			explain(s, &s->m[best], day);
			placed++;
			slots--;
		}
	}
	s->feasible = placed == s->n;
	for (i = 0; i < s->n; i++) {
		iko_sched_muni *m = &s->m[i];
		char d[11];
		if (m->cutover >= 0)
			continue;
		m->order = 0;
		if (m->rehearsals_passed < m->min_rehearsals)
			snprintf(m->reason, sizeof(m->reason), "blocked: %d rehearsals passed, %d required",
				 m->rehearsals_passed, m->min_rehearsals);
		else if (m->ready > s->end)
			iso(d, m->ready), snprintf(m->reason, sizeof(m->reason), "blocked: not ready before %s", d);
		else
			iso(d, s->end), snprintf(m->reason, sizeof(m->reason),
					      "blocked: no free slot for vendor %s before %s (blackouts, capacity, its pilot)",
					      m->vendor, d);
	}
	free(cap);
	return inherit(s);
}

static int cmp_order(const void *a, const void *b)
{
	const iko_sched_muni *x = *(iko_sched_muni *const *)a, *y = *(iko_sched_muni *const *)b;

	if (!x->order != !y->order)
		return x->order ? -1 : 1;
	return x->order - y->order;
}

/* RFC 5545 text escaping. */
static int ics_text(iko_buf *b, const char *s)
{
	int rc = 0;

	for (; *s && !rc; s++) {
		if (*s == '\\' || *s == ';' || *s == ',')
			rc = iko_buf_putc(b, '\\');
		if (!rc)
			rc = *s == '\n' ? iko_buf_puts(b, "\\n") : iko_buf_putc(b, *s);
	}
	return rc;
}

/*
 * One content line, folded as RFC 5545 (3.1) asks: no line longer than 75
 * octets, a continuation line begins with a space; never inside a UTF-8
 * character (a Japanese name is 3 octets a character). Ends with CRLF.
 */
static int ics_line(iko_buf *b, const char *s, size_t n)
{
	size_t i = 0, col = 0, clen;
	int rc = 0;

	while (i < n && !rc) {
		unsigned char c = (unsigned char)s[i];
		clen = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
		if (clen > n - i)
			clen = n - i;
		if (col + clen > 75) {
			rc = iko_buf_puts(b, "\r\n ");
			col = 1;
		}
		if (!rc)
			rc = iko_buf_put(b, s + i, clen);
		col += clen;
		i += clen;
	}
	return rc || iko_buf_puts(b, "\r\n") ? IKO_ENOMEM : 0;
}

/* A property whose value is TEXT: NAME:escaped text, folded. */
static int ics_text_prop(iko_buf *b, iko_buf *tmp, const char *name, const char *text)
{
	iko_buf_clear(tmp);
	if (iko_buf_puts(tmp, name) || iko_buf_putc(tmp, ':') || ics_text(tmp, text))
		return IKO_ENOMEM;
	return ics_line(b, tmp->ptr, tmp->len);
}

static int ics_event(iko_buf *b, const char *uid, long day, const char *summary, const char *desc)
{
	iko_buf tmp = IKO_BUF_INIT;
	int y, m, d, y2, m2, d2, rc;

	iko_day_civil(day, &y, &m, &d);
	iko_day_civil(day + 1, &y2, &m2, &d2);
	rc = iko_buf_puts(&tmp, "UID:") || iko_buf_puts(&tmp, uid) || iko_buf_puts(&tmp, "@iko") ||
	     iko_buf_puts(b, "BEGIN:VEVENT\r\n") || ics_line(b, tmp.ptr, tmp.len) ||
	     iko_buf_printf(b, "DTSTAMP:20000101T000000Z\r\n"
			    "DTSTART;VALUE=DATE:%04d%02d%02d\r\nDTEND;VALUE=DATE:%04d%02d%02d\r\n",
			    y, m, d, y2, m2, d2) ||
	     ics_text_prop(b, &tmp, "SUMMARY", summary) || ics_text_prop(b, &tmp, "DESCRIPTION", desc) ||
	     iko_buf_puts(b, "END:VEVENT\r\n") ? IKO_ENOMEM : 0;
	iko_buf_release(&tmp);
	return rc;
}

/* The phase of a municipality in the week starting on monday. */
static const char *phase(const iko_schedule *s, const iko_sched_muni *m, long monday)
{
	long cw, rw;

	if (m->cutover < 0)
		return "";
	cw = m->cutover - iko_day_weekday(m->cutover);                 /* the cutover's Monday */
	rw = (m->cutover - s->rehearsal_days) - iko_day_weekday(m->cutover - s->rehearsal_days);
	if (monday == cw)
		return "切替";
	if (monday > cw && monday <= cw + 14)
		return "稼働後";
	if (monday >= rw && monday < cw - 7)
		return "リハーサル";
	if (monday == cw - 7)
		return "凍結";
	return "";
}

/* "設計（均等按分 A）": the item, how it is split, and among whom. */
static void cost_label(char *out, size_t size, const iko_sched_cost *c)
{
	snprintf(out, size, "%s（%s%s%s）", c->item,
		 c->split == 0 ? "各団体" : c->split == 1 ? "均等按分" : "人口按分",
		 c->vendor ? " " : "", c->vendor ? c->vendor : "");
}

static void hundredths(char *out, size_t size, long long v)
{
	snprintf(out, size, "%s%lld.%02lld", v < 0 ? "-" : "", (v < 0 ? -v : v) / 100, (v < 0 ? -v : v) % 100);
}

/* Sheet 費用按分: a row per municipality, a column per cost item, the total. */
static int write_cost_sheet(const iko_schedule *s, iko_sched_muni *const *o, iko_workbook *wb)
{
	size_t nc = 4 + s->ncost, i, k, idx;
	iko_wb_column *cols = calloc(nc, sizeof(*cols));
	char (*labels)[160] = calloc(s->ncost + 1, sizeof(*labels)), (*vals)[32] = calloc(nc, sizeof(*vals));
	const char **v = calloc(nc, sizeof(*v));
	long long *sh = NULL, *sum = calloc(s->ncost + 1, sizeof(*sum)), all = 0;
	int rc;

	if (!cols || !labels || !vals || !v || !sum) {
		rc = IKO_ENOMEM;
		goto done;
	}
	if ((rc = iko_schedule_costs(s, &sh)))
		goto done;
	cols[0] = (iko_wb_column){ "団体コード", IKO_CELL_TEXT, 0 };
	cols[1] = (iko_wb_column){ "団体名", IKO_CELL_TEXT, 0 };
	cols[2] = (iko_wb_column){ "ベンダ", IKO_CELL_TEXT, 0 };
	for (k = 0; k < s->ncost; k++) {
		cost_label(labels[k], sizeof(labels[k]), &s->cost[k]);
		cols[3 + k] = (iko_wb_column){ labels[k], IKO_CELL_NUMBER, 12 };
	}
	snprintf(labels[s->ncost], sizeof(labels[s->ncost]), "合計（%s）", s->cost_unit);
	cols[3 + s->ncost] = (iko_wb_column){ labels[s->ncost], IKO_CELL_NUMBER, 12 };
	if ((rc = iko_workbook_sheet_begin(wb, "費用按分", cols, nc, 0)))
		goto done;
	for (i = 0; i < s->n; i++) {
		long long total = 0;
		idx = (size_t)(o[i] - s->m);
		v[0] = o[i]->lg_code;
		v[1] = o[i]->name;
		v[2] = o[i]->vendor;
		for (k = 0; k < s->ncost; k++) {
			long long x = sh[idx * s->ncost + k];
			hundredths(vals[3 + k], sizeof(vals[3 + k]), x);
			v[3 + k] = vals[3 + k];
			total += x;
			sum[k] += x;
		}
		all += total;
		hundredths(vals[3 + s->ncost], sizeof(vals[3 + s->ncost]), total);
		v[3 + s->ncost] = vals[3 + s->ncost];
		if ((rc = iko_workbook_row(wb, v)))
			goto done;
	}
	v[0] = "合計";
	v[1] = v[2] = "";
	for (k = 0; k < s->ncost; k++)
		hundredths(vals[3 + k], sizeof(vals[3 + k]), sum[k]), v[3 + k] = vals[3 + k];
	hundredths(vals[3 + s->ncost], sizeof(vals[3 + s->ncost]), all);
	v[3 + s->ncost] = vals[3 + s->ncost];
	if (!(rc = iko_workbook_row(wb, v)))
		rc = iko_workbook_sheet_end(wb);
done:
	free(cols);
	free(labels);
	free(vals);
	free(v);
	free(sh);
	free(sum);
	return rc;
}

/* schedule.md: the 費用按分 section. */
static int md_costs(const iko_schedule *s, iko_sched_muni *const *o, iko_buf *md)
{
	long long *sh = NULL;
	char a[32];
	size_t i, k;
	int rc;

	if (!s->ncost)
		return 0;
	if ((rc = iko_schedule_costs(s, &sh)))
		return rc;
	iko_buf_printf(md, "\n## 費用按分 (%s)\n\nShared work on a vendor's pack is split across the "
		       "municipalities using it; verification with each municipality's own data stays with it.\n\n"
		       "| 団体コード | 団体名 |", s->cost_unit);
	for (k = 0; k < s->ncost; k++) {
		char label[200];
		cost_label(label, sizeof(label), &s->cost[k]);
		iko_buf_printf(md, " %s |", label);
	}
	iko_buf_puts(md, " 合計 |\n|---|---|");
	for (k = 0; k <= s->ncost; k++)
		iko_buf_puts(md, "---|");
	iko_buf_putc(md, '\n');
	for (i = 0; i < s->n; i++) {
		size_t idx = (size_t)(o[i] - s->m);
		long long total = 0;
		iko_buf_printf(md, "| %s | %s |", o[i]->lg_code, o[i]->name);
		for (k = 0; k < s->ncost; k++) {
			total += sh[idx * s->ncost + k];
			hundredths(a, sizeof(a), sh[idx * s->ncost + k]);
			iko_buf_printf(md, " %s |", a);
		}
		hundredths(a, sizeof(a), total);
		iko_buf_printf(md, " %s |\n", a);
	}
	free(sh);
	return md->ptr ? 0 : IKO_ENOMEM;
}

static int write_xlsx(const iko_schedule *s, iko_sched_muni *const *o, const char *path)
{
	static const iko_wb_column fixed[] = {
		{ "順", IKO_CELL_INTEGER, 4 }, { "団体コード", IKO_CELL_TEXT, 0 }, { "団体名", IKO_CELL_TEXT, 0 },
		{ "ベンダ", IKO_CELL_TEXT, 0 }, { "人口", IKO_CELL_INTEGER, 0 }, { "切替日", IKO_CELL_DATE, 0 },
		{ "先行団体", IKO_CELL_INTEGER, 0 }, { "教訓", IKO_CELL_TEXT, 0 },
	};
#define NFIXED 8
	static const iko_wb_column rcols[] = {
		{ "団体コード", IKO_CELL_TEXT, 0 }, { "団体名", IKO_CELL_TEXT, 0 }, { "理由", IKO_CELL_TEXT, 40 },
	};
	static const iko_wb_column bcols[] = {
		{ "開始", IKO_CELL_DATE, 0 }, { "終了", IKO_CELL_DATE, 0 }, { "理由", IKO_CELL_TEXT, 30 },
	};
	long first = s->start - 7 * ((s->rehearsal_days + 13) / 7), last = s->end + 14, w;
	size_t nw = (size_t)((last - first) / 7 + 1), nc = NFIXED + nw, i, k;
	iko_wb_column *cols = calloc(nc, sizeof(*cols));
	char (*labels)[8] = calloc(nw, sizeof(*labels));
	const char **v = calloc(nc, sizeof(*v));
	char order[16], res[32], cut[11], earlier[16], lessons[16];
	iko_workbook *wb = NULL;
	const char *keys[3], *vals[3];
	int rc;

	if (!cols || !labels || !v) {
		rc = IKO_ENOMEM;
		goto done;
	}
	memcpy(cols, fixed, sizeof(fixed));
	for (k = 0; k < nw; k++) {
		int y, m, d;
		iko_day_civil(first + 7 * (long)k, &y, &m, &d);
		snprintf(labels[k], sizeof(labels[k]), "%02u/%02u", (unsigned)m % 100u, (unsigned)d % 100u);
		cols[NFIXED + k].label = labels[k];
		cols[NFIXED + k].kind = IKO_CELL_PHASE;
		cols[NFIXED + k].width = 6;
	}
	keys[0] = "計画"; vals[0] = s->plan;
	keys[1] = "判定"; vals[1] = s->feasible ? "全団体を配置" : "配置できない団体あり（理由シート）";
	keys[2] = "凡例"; vals[2] = "リハーサル → 凍結 → 切替 → 稼働後（2週）";
	if ((rc = iko_workbook_new(&wb, path, NULL)) || (rc = iko_workbook_cover(wb, "切替計画", keys, vals, 3)) ||
	    (rc = iko_workbook_sheet_begin(wb, "切替計画", cols, nc, 0)))
		goto done;
	for (i = 0; i < s->n; i++) {
		const iko_sched_muni *m = o[i];
		snprintf(order, sizeof(order), "%d", m->order);
		snprintf(res, sizeof(res), "%lld", m->residents);
		if (m->cutover >= 0)
			iso(cut, m->cutover);
		else
			cut[0] = '\0';
		v[0] = m->order ? order : ""; v[1] = m->lg_code; v[2] = m->name; v[3] = m->vendor; v[4] = res;
		v[5] = cut;
		snprintf(earlier, sizeof(earlier), "%d", m->earlier);
		if (m->lessons >= 0)
			snprintf(lessons, sizeof(lessons), "%d", m->lessons);
		else
			snprintf(lessons, sizeof(lessons), "-");
		v[6] = m->cutover >= 0 ? earlier : "";
		v[7] = lessons;
		for (k = 0, w = first; k < nw; k++, w += 7)
			v[NFIXED + k] = phase(s, m, w);
		if ((rc = iko_workbook_row(wb, v)))
			goto done;
	}
	if ((rc = iko_workbook_sheet_end(wb)) || (rc = iko_workbook_sheet_begin(wb, "理由", rcols, 3, 0)))
		goto done;
	for (i = 0; i < s->n; i++) {
		const char *r[3] = { o[i]->lg_code, o[i]->name, o[i]->reason };
		if ((rc = iko_workbook_row(wb, r)))
			goto done;
	}
	if ((rc = iko_workbook_sheet_end(wb)) || (rc = iko_workbook_sheet_begin(wb, "停止期間", bcols, 3, 0)))
		goto done;
	for (i = 0; i < s->nblack; i++) {
		char a[11], b[11];
		const char *r[3] = { a, b, s->black[i].reason };
		iso(a, s->black[i].from);
		iso(b, s->black[i].to);
		if ((rc = iko_workbook_row(wb, r)))
			goto done;
	}
	if (!(rc = iko_workbook_sheet_end(wb)) && s->ncost)
		rc = write_cost_sheet(s, o, wb);
	if (!rc)
		rc = iko_workbook_commit(wb);
done:
	iko_workbook_free(wb);
	free(cols);
	free(labels);
	free(v);
	return rc;
}

iko_sched_muni **iko_schedule_in_order(const iko_schedule *s)
{
	iko_sched_muni **o = calloc(s->n + 1, sizeof(*o));
	size_t i;

	if (!o) {
		iko_error_set(IKO_ENOMEM, "out of memory");
		return NULL;
	}
	for (i = 0; i < s->n; i++)
		o[i] = &s->m[i];
	qsort(o, s->n, sizeof(*o), cmp_order);
	return o;
}

int iko_schedule_write(const iko_schedule *s, const char *dir)
{
	iko_sched_muni **o = iko_schedule_in_order(s);
	iko_buf md = IKO_BUF_INIT, ics = IKO_BUF_INIT, t = IKO_BUF_INIT, u = IKO_BUF_INIT;
	char *p = NULL, d1[11], d2[11], nl[16];
	size_t i;
	int rc = 0;

	if (!o)
		return IKO_ENOMEM;
	if ((rc = iko_mkdir_p(dir, 0)))
		goto done;
	iko_buf_printf(&md, "# %s — 切替計画\n\n%s\n\n| 順 | 団体コード | 団体名 | ベンダ | 人口 | 最終リハーサル | 切替日 | 先行団体 | 教訓 | 理由 |\n"
		       "|---|---|---|---|---|---|---|---|---|---|\n", s->plan,
		       s->feasible ? "All municipalities are placed." : "**Infeasible**: some municipalities cannot be placed (see 理由).");
	iko_buf_puts(&ics, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//iko//schedule//JA\r\nCALSCALE:GREGORIAN\r\n");
	for (i = 0; i < s->n; i++) {
		const iko_sched_muni *m = o[i];
		if (m->cutover >= 0) {
			iso(d1, m->cutover - s->rehearsal_days);
			iso(d2, m->cutover);
		} else {
			snprintf(d1, sizeof(d1), "-");
			snprintf(d2, sizeof(d2), "-");
		}
		if (m->lessons >= 0)
			snprintf(nl, sizeof(nl), "%d", m->lessons);
		else
			snprintf(nl, sizeof(nl), "-");
		iko_buf_printf(&md, "| %d | %s | %s | %s | %lld | %s | %s | %d | %s | %s |\n", m->order, m->lg_code,
			       m->name, m->vendor, m->residents, d1, d2, m->earlier, nl, m->reason);
		if (m->cutover < 0)
			continue;
		iko_buf_clear(&t);
		iko_buf_clear(&u);
		iko_buf_printf(&t, "切替 %s（%s）", m->name, m->lg_code);
		iko_buf_printf(&u, "cutover-%s-%s", m->lg_code, d2);
		if ((rc = ics_event(&ics, u.ptr, m->cutover, t.ptr, m->reason)))
			goto done;
		iko_buf_clear(&t);
		iko_buf_clear(&u);
		iko_buf_printf(&t, "最終リハーサル %s（%s）", m->name, m->lg_code);
		iko_buf_printf(&u, "rehearsal-%s-%s", m->lg_code, d1);
		if ((rc = ics_event(&ics, u.ptr, m->cutover - s->rehearsal_days, t.ptr, "final rehearsal and go/no-go gate")))
			goto done;
	}
	iko_buf_puts(&ics, "END:VCALENDAR\r\n");
	if (s->nblack)
		iko_buf_puts(&md, "\n## Blackouts\n\n");
	for (i = 0; i < s->nblack; i++) {
		iso(d1, s->black[i].from);
		iso(d2, s->black[i].to);
		iko_buf_printf(&md, "- %s – %s: %s\n", d1, d2, s->black[i].reason);
	}
	if (s->lessons_path)
		iko_buf_printf(&md, "\n先行団体: the vendor's cutovers before this one (their lessons are inherited); "
			       "教訓: lessons recorded in %s for the vendor and business %s, found elsewhere.\n",
			       s->lessons_path, s->business);
	if ((rc = md_costs(s, o, &md)))
		goto done;
	if (!(p = iko_path_join(dir, "schedule.md")) || (rc = iko_write_file(p, md.ptr, md.len, 0644)))
		goto done;
	free(p);
	if (!(p = iko_path_join(dir, "schedule.ics")) || (rc = iko_write_file(p, ics.ptr, ics.len, 0644)))
		goto done;
	free(p);
	if (!(p = iko_path_join(dir, "schedule.xlsx")) || (rc = write_xlsx(s, o, p)))
		goto done;
done:
	free(p);
	free(o);
	iko_buf_release(&md);
	iko_buf_release(&ics);
	iko_buf_release(&t);
	iko_buf_release(&u);
	return rc;
}

void iko_schedule_free(iko_schedule *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->n; i++) {
		free(s->m[i].lg_code);
		free(s->m[i].name);
		free(s->m[i].vendor);
	}
	for (i = 0; i < s->nblack; i++)
		free(s->black[i].reason);
	for (i = 0; i < s->ncost; i++) {
		free(s->cost[i].item);
		free(s->cost[i].vendor);
	}
	free(s->cost);
	free(s->cost_unit);
	free(s->business);
	free(s->lessons_path);
	free(s->m);
	free(s->black);
	free(s->plan);
	memset(s, 0, sizeof(*s));
}
