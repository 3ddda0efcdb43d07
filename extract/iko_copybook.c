/*
 * iko_copybook.c — COBOL copybooks as record layouts for extract.
 *
 * Supported: fixed format (sequence area columns 1–6, indicator column 7:
 * '*' and '/' comments, '-' continuation, area A/B up to column 72) and
 * free format (detected when the first entry starts in columns 1–6 with a
 * level number); levels 01–49 and 77 (66 and 88 are skipped safely, an 88
 * VALUE under a record's first field tells the record type); PIC X A 9 S V
 * P N G with repeat counts, edited pictures as text; USAGE DISPLAY, COMP,
 * COMP-3, COMP-4, COMP-5, BINARY, PACKED-DECIMAL, DISPLAY-1, NATIONAL;
 * SIGN LEADING/TRAILING [SEPARATE]; REDEFINES; OCCURS n and OCCURS m TO n
 * DEPENDING ON (last item of its record only); FILLER. VALUE, JUSTIFIED,
 * BLANK WHEN ZERO, INDEXED BY, ASCENDING/DESCENDING KEY are read and
 * ignored; SYNC is taken where its binary item is already on its boundary
 * (slack bytes are not added: an item off it is an error). Anything else
 * is an error naming the line and column.
 * Several 01 records sharing one buffer become record types, told apart by
 * their first field's VALUE (or its first 88-level VALUE).
 */
#include "iko_layout_internal.h"

#include "iko_buf.h"
#include "iko_error.h"
#include "iko_fs.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Bytes of one record at most (the YAML layouts' offset limit too). */
#define CB_MAX_RECORD 1000000

typedef struct tok {
	char *s;
	int line, col;
	int end;            /* a period ended the sentence after this token */
} tok;

typedef struct item {
	int level, line, col;
	char *name;         /* NULL for FILLER */
	int group;
	ftype type;
	int size, scale, is_signed;
	xsign sign;
	int occurs, odo;
	char *redefines;
	char *value;        /* VALUE literal, or the first 88 VALUE */
	struct item **kids;
	size_t nkids;
	struct item *parent;
	int offset;         /* first occurrence */
	int one;            /* size of one occurrence */
	int sync;           /* SYNCHRONIZED: checked on its natural boundary (emit) */
	int native;         /* COMP-5: binary in the byte order of the machine that wrote it */
} item;

typedef struct cb {
	const char *path;
	tok *t;
	size_t nt, cap;
	item *root;         /* level 0 holding the 01s */
} cb;

static int cberr(const cb *c, int line, int col, const char *fmt, const char *a)
{
	return iko_error_set(IKO_EPARSE, "%s:%d:%d: %s%s", c->path, line, col, fmt, a ? a : "");
}

static int add_tok(cb *c, const char *s, size_t n, int line, int col)
{
	tok *t;

	if (c->nt == c->cap) {
		tok *a = realloc(c->t, (c->cap = c->cap ? c->cap * 2 : 256) * sizeof(*a));
		if (!a)
			return IKO_ENOMEM;
		c->t = a;
	}
	t = &c->t[c->nt];
	t->s = iko_strndup(s, n);
	if (!t->s)
		return IKO_ENOMEM;
	t->line = line;
	t->col = col;
	t->end = 0;
	c->nt++;
	return 0;
}

/* Tokenize one logical line (its text and the column of its first byte). */
static int tokenize(cb *c, const char *s, int line, int col0)
{
	size_t i = 0, n = strlen(s), st;
	int rc;

	while (i < n) {
		if (isspace((unsigned char)s[i]) || s[i] == ',' || s[i] == ';') {
			i++;
			continue;
		}
		st = i;
		if (s[i] == '\'' || s[i] == '"') {
			char q = s[i++];
			while (i < n && !(s[i] == q && (i + 1 >= n || s[i + 1] != q)))
				i += s[i] == q ? 2 : 1;
			if (i >= n)
				return cberr(c, line, col0 + (int)st, "literal not closed", NULL);
			i++;
		} else {
			while (i < n && !isspace((unsigned char)s[i]))
				i++;
		}
		if (i - st == 1 && s[st] == '.') {
			if (c->nt)
				c->t[c->nt - 1].end = 1;
			continue;
		}
		if (s[i - 1] == '.' && (i >= n || isspace((unsigned char)s[i]))) {
			if ((rc = add_tok(c, s + st, i - st - 1, line, col0 + (int)st)))
				return rc;
			c->t[c->nt - 1].end = 1;
		} else if ((rc = add_tok(c, s + st, i - st, line, col0 + (int)st))) {
			return rc;
		}
	}
	return 0;
}

static int is_free_format(const char *text)
{
	const char *p = text;

	while (*p) {
		const char *e = strchr(p, '\n');
		size_t len = e ? (size_t)(e - p) : strlen(p), i = 0, d = 0;
		while (i < len && i < 6 && p[i] == ' ')
			i++;
		if (i < len && p[i] != '*' && !(len > 6 && (p[6] == '*' || p[6] == '/'))) {
			while (i + d < len && isdigit((unsigned char)p[i + d]))
				d++;
			if (i < 6 && d >= 1 && d <= 2 && i + d < len && p[i + d] == ' ')
				return 1;
			if (i < len)
				return 0;
		}
		if (!e)
			break;
		p = e + 1;
	}
	return 0;
}

static int read_lines(cb *c, const char *text)
{
	int free_fmt = is_free_format(text), line = 0, rc;
	const char *p = text;
	iko_buf cur = IKO_BUF_INIT;
	int cur_line = 0, cur_col = 0;

	while (*p) {
		const char *e = strchr(p, '\n');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		char ind = ' ';
		const char *body = p;
		size_t blen = len;

		line++;
		if (len && p[len - 1] == '\r')
			len--, blen--;
		if (!free_fmt) {
			ind = len > 6 ? p[6] : ' ';
			body = len > 7 ? p + 7 : "";
			blen = len > 7 ? (len > 72 ? 65 : len - 7) : 0;
		} else if (len && (p[0] == '*' || (len > 1 && p[0] == '/'))) {
			ind = '*';
		}
		if (ind == '*' || ind == '/') {
			/* comment */
		} else if (ind == '-') {
			size_t k = 0;
			while (k < blen && body[k] == ' ')
				k++;
			if (k < blen && (body[k] == '\'' || body[k] == '"')) {
				k++; /* a continued literal resumes after its quote */
			} else {
				/* a continued word: no space between the two parts */
				size_t n = cur.len;
				while (n && cur.ptr[n - 1] == ' ')
					n--;
				iko_buf_truncate(&cur, n);
			}
			iko_buf_put(&cur, body + k, blen - k);
		} else if (ind == ' ' || ind == 'D' || ind == 'd') {
			if (cur.len && (rc = tokenize(c, cur.ptr, cur_line, cur_col)))
				goto done;
			iko_buf_clear(&cur);
			iko_buf_put(&cur, body, blen);
			cur_line = line;
			cur_col = free_fmt ? 1 : 8;
		} else {
			rc = cberr(c, line, 7, "unexpected indicator character", NULL);
			goto done;
		}
		if (!e)
			break;
		p = e + 1;
	}
	rc = cur.len ? tokenize(c, cur.ptr, cur_line, cur_col) : 0;
done:
	iko_buf_release(&cur);
	return rc;
}

static int kw(const tok *t, const char *k)
{
	return !strcasecmp(t->s, k);
}

static int is_keyword(const char *s)
{
	static const char *const k[] = { "PIC", "PICTURE", "USAGE", "COMP", "COMP-3", "COMP-4", "COMP-5",
		"COMPUTATIONAL", "COMPUTATIONAL-3", "BINARY", "PACKED-DECIMAL", "DISPLAY", "DISPLAY-1",
		"NATIONAL", "OCCURS", "REDEFINES", "VALUE", "VALUES", "SIGN", "JUSTIFIED", "JUST",
		"BLANK", "SYNC", "SYNCHRONIZED", "INDEXED", "LEADING", "TRAILING", "COMP-1", "COMP-2" };
	size_t i;

	for (i = 0; i < sizeof(k) / sizeof(k[0]); i++)
		if (!strcasecmp(k[i], s))
			return 1;
	return 0;
}

static void item_free(item *it)
{
	size_t i;

	if (!it)
		return;
	for (i = 0; i < it->nkids; i++)
		item_free(it->kids[i]);
	free(it->kids);
	free(it->name);
	free(it->redefines);
	free(it->value);
	free(it);
}

static int add_kid(item *p, item *k)
{
	item **a = realloc(p->kids, (p->nkids + 1) * sizeof(*a));

	if (!a)
		return IKO_ENOMEM;
	p->kids = a;
	p->kids[p->nkids++] = k;
	k->parent = p;
	return 0;
}

/* Expand "9(3)" style repeats and classify a PICTURE string. */
static int parse_pic(cb *c, const tok *t, item *it, const char *usage)
{
	int nx = 0, n9 = 0, nn = 0, s = 0, v = 0, after_v = 0, pl = 0, pt = 0, edited = 0, total = 0;
	long symbols = 0; /* every repeat, bounded so no count overflows */
	const char *p = t->s;

	while (*p) {
		char ch = (char)toupper((unsigned char)*p++);
		long rep = 1;
		if (*p == '(') {
			char *end;
			rep = strtol(p + 1, &end, 10);
			if (*end != ')' || rep < 1 || rep > 100000)
				return cberr(c, t->line, t->col, "bad repeat count in PICTURE ", t->s);
			p = end + 1;
		}
		if ((symbols += rep) > CB_MAX_RECORD)
			return cberr(c, t->line, t->col, "bad repeat count in PICTURE ", t->s);
		total += (int)rep;
		switch (ch) {
		case 'X': case 'A': nx += (int)rep; break;
		case 'N': case 'G': nn += (int)rep; break;
		case '9': n9 += (int)rep; if (v) after_v += (int)rep; break;
		case 'S': s = 1; total -= (int)rep; break;
		case 'V': v = 1; total -= (int)rep; break;
		case 'P':
			total -= (int)rep;
			if (v || n9 == 0) pl += (int)rep; else pt += (int)rep;
			break;
		case 'Z': case '*': case '+': case '-': case 'B': case '0': case '/': case ',':
		case '.': case '$': case 'C': case 'R': case 'D':
			edited = 1;
			break;
		default:
			return cberr(c, t->line, t->col, "unsupported PICTURE ", t->s);
		}
	}
	it->is_signed = s;
	if (nn) {
		it->type = FT_N;
		it->size = 2 * nn;
		return 0;
	}
	if (nx || edited) {
		it->type = FT_X;
		it->size = total;
		return 0;
	}
	if (n9 == 0)
		return cberr(c, t->line, t->col, "PICTURE without digits or characters: ", t->s);
	it->scale = after_v + (v ? pl : 0) - pt;
	if (n9 > 38)
		return cberr(c, t->line, t->col, "more than 38 digits: ", t->s);
	if (!usage || !strcasecmp(usage, "DISPLAY")) {
		it->type = s ? FT_S9 : FT_9;
		it->size = n9;
	} else if (!strcasecmp(usage, "COMP-3") || !strcasecmp(usage, "COMPUTATIONAL-3") ||
		   !strcasecmp(usage, "PACKED-DECIMAL")) {
		it->type = FT_P;
		it->size = n9 / 2 + 1;
	} else {
		it->type = FT_B;
		it->size = n9 <= 4 ? 2 : n9 <= 9 ? 4 : n9 <= 18 ? 8 : 16;
		it->native = !strcasecmp(usage, "COMP-5") || !strcasecmp(usage, "COMPUTATIONAL-5");
	}
	return 0;
}

static int parse_entry(cb *c, size_t *pos, item **stack, int *depth)
{
	size_t i = *pos;
	tok *lt = &c->t[i];
	item *it = NULL;
	const tok *pic = NULL;
	const char *usage = NULL;
	char *end;
	long level = strtol(lt->s, &end, 10);
	int rc = 0, sign_set = 0;

	if (*end || level < 1 || (level > 49 && level != 66 && level != 77 && level != 88))
		return cberr(c, lt->line, lt->col, "expected a level number, found ", lt->s);
	if (level == 66 || level == 88) {
		/* 66 RENAMES: skipped; 88: its first VALUE names a record type */
		const char *val = NULL;
		for (i++; i < c->nt; i++) {
			if ((kw(&c->t[i], "VALUE") || kw(&c->t[i], "VALUES")) && i + 1 < c->nt) {
				size_t k = i + 1;
				if (kw(&c->t[k], "IS") || kw(&c->t[k], "ARE"))
					k++;
				if (k < c->nt && !val)
					val = c->t[k].s;
			}
			if (c->t[i].end)
				break;
		}
		if (level == 88 && val && *depth > 0 && !stack[*depth - 1]->value) {
			item *owner = stack[*depth - 1];
			owner->value = iko_strdup(val);
			if (!owner->value)
				return IKO_ENOMEM;
		}
		*pos = i + 1;
		return 0;
	}
	it = calloc(1, sizeof(*it));
	if (!it)
		return IKO_ENOMEM;
	it->level = level == 77 ? 1 : (int)level;
	it->line = lt->line;
	it->col = lt->col;
	it->occurs = 1;
	i++;
	if (!lt->end && i < c->nt && !is_keyword(c->t[i].s)) {
		if (strcasecmp(c->t[i].s, "FILLER") && !(it->name = iko_strdup(c->t[i].s))) {
			rc = IKO_ENOMEM;
			goto fail;
		}
		i++;
	}
	for (; !c->t[i - 1].end && i < c->nt; i++) {
		tok *t = &c->t[i];
		if (kw(t, "PIC") || kw(t, "PICTURE")) {
			if (i + 1 < c->nt && kw(&c->t[i + 1], "IS"))
				i++;
			if (i + 1 >= c->nt)
				goto unended;
			pic = &c->t[++i];
		} else if (kw(t, "USAGE")) {
			if (i + 1 < c->nt && kw(&c->t[i + 1], "IS"))
				i++;
			if (i + 1 >= c->nt)
				goto unended;
			usage = c->t[++i].s;
		} else if (kw(t, "COMP") || kw(t, "COMPUTATIONAL") || kw(t, "COMP-4") || kw(t, "BINARY") ||
			   kw(t, "COMP-5") || kw(t, "COMPUTATIONAL-5") || kw(t, "COMPUTATIONAL-4") || kw(t, "COMP-3") || kw(t, "COMPUTATIONAL-3") ||
			   kw(t, "PACKED-DECIMAL") || kw(t, "DISPLAY") || kw(t, "DISPLAY-1") || kw(t, "NATIONAL")) {
			usage = t->s;
		} else if (kw(t, "COMP-1") || kw(t, "COMP-2")) {
			rc = cberr(c, t->line, t->col, "floating point items are not supported: ", t->s);
			goto fail;
		} else if (kw(t, "REDEFINES")) {
			if (i + 1 >= c->nt)
				goto unended;
			if (it->redefines) {
				rc = cberr(c, t->line, t->col, "REDEFINES given twice in one entry: ", t->s);
				goto fail;
			}
			if (!(it->redefines = iko_strdup(c->t[++i].s))) {
				rc = IKO_ENOMEM;
				goto fail;
			}
		} else if (kw(t, "OCCURS")) {
			long n1, n2;
			if (i + 1 >= c->nt)
				goto unended;
			n1 = n2 = strtol(c->t[++i].s, &end, 10);
			if (*end || n1 < 0 || n1 > 100000) {
				rc = cberr(c, c->t[i].line, c->t[i].col, "bad OCCURS count ", c->t[i].s);
				goto fail;
			}
			if (i + 1 < c->nt && kw(&c->t[i + 1], "TO")) {
				if (i + 2 >= c->nt)
					goto unended;
				i += 2;
				n2 = strtol(c->t[i].s, &end, 10);
				if (*end || n2 < n1 || n2 < 1 || n2 > 100000) {
					rc = cberr(c, c->t[i].line, c->t[i].col, "bad OCCURS count ", c->t[i].s);
					goto fail;
				}
			}
			if (n2 < 1) {
				rc = cberr(c, t->line, t->col, "OCCURS 0 is not supported", NULL);
				goto fail;
			}
			it->occurs = (int)n2;
			while (!c->t[i].end && i + 1 < c->nt && (kw(&c->t[i + 1], "TIMES"))) {
				i++;
			}
			if (!c->t[i].end && i + 1 < c->nt && kw(&c->t[i + 1], "DEPENDING")) {
				it->odo = 1;
				i++;
				if (i + 1 < c->nt && kw(&c->t[i + 1], "ON"))
					i++;
				i++; /* the count item */
			}
		} else if (kw(t, "SIGN") || kw(t, "LEADING") || kw(t, "TRAILING")) {
			if (kw(t, "SIGN")) {
				if (i + 1 < c->nt && kw(&c->t[i + 1], "IS"))
					i++;
				if (i + 1 >= c->nt)
					goto unended;
				t = &c->t[++i];
			}
			it->sign = kw(t, "LEADING") ? XS_LEADING : XS_TRAILING;
			sign_set = 1;
			if (!t->end && i + 1 < c->nt && kw(&c->t[i + 1], "SEPARATE")) {
				i++;
				it->sign = it->sign == XS_LEADING ? XS_LEADING_SEPARATE : XS_TRAILING_SEPARATE;
				if (!c->t[i].end && i + 1 < c->nt && kw(&c->t[i + 1], "CHARACTER"))
					i++;
			}
		} else if (kw(t, "VALUE") || kw(t, "VALUES")) {
			if (i + 1 < c->nt && (kw(&c->t[i + 1], "IS") || kw(&c->t[i + 1], "ARE")))
				i++;
			if (i + 1 >= c->nt)
				goto unended;
			i++;
			if (!it->value && !(it->value = iko_strdup(c->t[i].s))) {
				rc = IKO_ENOMEM;
				goto fail;
			}
		} else if (kw(t, "SYNC") || kw(t, "SYNCHRONIZED")) {
			it->sync = 1;
		} else if (kw(t, "JUSTIFIED") || kw(t, "JUST") || kw(t, "RIGHT") ||
			   kw(t, "LEFT") || kw(t, "BLANK") || kw(t, "WHEN") ||
			   kw(t, "ZERO") || kw(t, "ZEROS") || kw(t, "ZEROES") || kw(t, "IS") ||
			   kw(t, "GLOBAL") || kw(t, "EXTERNAL")) {
			/* no effect on the layout */
		} else if (kw(t, "INDEXED") || kw(t, "ASCENDING") || kw(t, "DESCENDING")) {
			while (!c->t[i].end && i + 1 < c->nt)
				i++; /* skip the rest of the entry */
		} else {
			rc = cberr(c, t->line, t->col, "unsupported clause: ", t->s);
			goto fail;
		}
	}
	if (i > c->nt) {
unended:	/* a clause that needs an operand ends the copybook */
		rc = cberr(c, lt->line, lt->col, "entry not ended by a period", NULL);
		goto fail;
	}
	if (pic) {
		if ((rc = parse_pic(c, pic, it, usage)))
			goto fail;
		if (sign_set && it->type != FT_S9) {
			rc = cberr(c, pic->line, pic->col, "SIGN clause on an item that is not signed DISPLAY: ", pic->s);
			goto fail;
		}
		if (it->type == FT_S9 && (it->sign == XS_LEADING_SEPARATE || it->sign == XS_TRAILING_SEPARATE))
			it->size++;
	} else if (usage && (!strcasecmp(usage, "COMP-3") || !strcasecmp(usage, "BINARY") ||
			     !strncasecmp(usage, "COMP", 4))) {
		rc = cberr(c, lt->line, lt->col, "numeric USAGE without PICTURE", NULL);
		goto fail;
	} else {
		it->group = 1;
	}
	/* place in the tree: pop to the parent with a lower level */
	while (*depth > 0 && stack[*depth - 1]->level >= it->level)
		(*depth)--;
	if (*depth == 0 && it->level != 1) {
		rc = cberr(c, lt->line, lt->col, "first entry must be level 01 or 77", NULL);
		goto fail;
	}
	if ((rc = add_kid(*depth ? stack[*depth - 1] : c->root, it)))
		goto fail;
	if (*depth < 64)
		stack[(*depth)++] = it;
	*pos = i;
	return 0;
fail:
	item_free(it);
	return rc;
}

/* Assign offsets; returns the item's total size (one occurrence × occurs). */
static int layout_item(cb *c, item *it, int offset)
{
	size_t k;
	int pos = offset, end = offset, one;

	it->offset = offset;
	if (!it->group) {
		one = it->size;
	} else {
		for (k = 0; k < it->nkids; k++) {
			item *kid = it->kids[k];
			int at = pos, sz;
			if (kid->redefines) {
				size_t j;
				for (j = 0; j < k; j++)
					if (it->kids[j]->name && !strcasecmp(it->kids[j]->name, kid->redefines))
						break;
				if (j == k)
					return cberr(c, kid->line, kid->col, "REDEFINES an unknown item: ", kid->redefines);
				at = it->kids[j]->offset;
			}
			sz = layout_item(c, kid, at);
			if (sz < 0)
				return sz;
			if (at + sz > CB_MAX_RECORD)
				return cberr(c, kid->line, kid->col, "record longer than 1000000 bytes at ",
					     kid->name ? kid->name : "FILLER");
			if (!kid->redefines)
				pos = at + sz;
			if (at + sz > end)
				end = at + sz;
			if (kid->odo && k + 1 < it->nkids)
				return cberr(c, kid->line, kid->col,
					     "OCCURS DEPENDING ON is supported only on the last item of a record", NULL);
		}
		one = end - offset;
	}
	it->one = one;
	if ((long long)one * it->occurs > CB_MAX_RECORD)
		return cberr(c, it->line, it->col, "record longer than 1000000 bytes at ",
			     it->name ? it->name : "FILLER");
	return one * it->occurs;
}

static const item *first_elementary(const item *it)
{
	size_t k;

	if (!it->group)
		return it;
	for (k = 0; k < it->nkids; k++) {
		const item *f = first_elementary(it->kids[k]);
		if (f)
			return f;
	}
	return NULL;
}

/*
 * Flatten an item into fields: every occurrence of every elementary item,
 * named NAME plus "_<n>" for each enclosing OCCURS (outermost first).
 * delta shifts offsets for occurrences of enclosing groups.
 */
static int emit(const cb *c, xrec *r, const item *it, int delta, const char *suffix, size_t *cap)
{
	iko_buf sfx = IKO_BUF_INIT;
	size_t k;
	int occ, rc = 0;

	/* a group without elementary items has no fields, however often it occurs */
	if (it->group && !first_elementary(it))
		return 0;
	for (occ = 0; occ < it->occurs && !rc; occ++) {
		int d = delta + occ * it->one;
		iko_buf_clear(&sfx);
		if (iko_buf_puts(&sfx, suffix) ||
		    (it->occurs > 1 && iko_buf_printf(&sfx, "_%d", occ + 1))) {
			rc = IKO_ENOMEM;
			break;
		}
		if (it->group) {
			for (k = 0; k < it->nkids && !rc; k++)
				rc = emit(c, r, it->kids[k], d, iko_buf_cstr(&sfx), cap);
			continue;
		}
		if (r->n >= CB_MAX_RECORD) { /* REDEFINES can multiply fields beyond bytes */
			rc = cberr(c, it->line, it->col, "more than 1000000 fields at ",
				   it->name ? it->name : "FILLER");
			break;
		}
		if (r->n == *cap) {
			xfield *a = realloc(r->f, (*cap = *cap ? *cap * 2 : 32) * sizeof(*a));
			if (!a) {
				rc = IKO_ENOMEM;
				break;
			}
			r->f = a;
		}
		{
			xfield *f = &r->f[r->n];
			memset(f, 0, sizeof(*f));
			f->name = it->name ? iko_aprintf("%s%s", it->name, iko_buf_cstr(&sfx))
					   : iko_strdup("FILLER");
			if (!f->name) {
				rc = IKO_ENOMEM;
				break;
			}
			r->n++;
			f->filler = !it->name;
			f->offset = it->offset + d;
			f->length = it->size;
			f->order = it->native ? XO_NATIVE : XO_BIG;
			if (it->sync && it->type == FT_B) {
				/*
				 * SYNCHRONIZED puts a binary item on its natural boundary
				 * from the record's start (IBM: a halfword for 2 bytes, a
				 * fullword for 4; 8 bytes taken as a doubleword here),
				 * with slack bytes before it that the copybook does not
				 * show. iko does not add them: an item off its boundary
				 * is an error, never a shifted layout.
				 */
				int b = it->size <= 2 ? 2 : it->size <= 4 ? 4 : 8;
				if (f->offset % b) {
					char m[160];
					snprintf(m, sizeof(m), "SYNC on %s at byte %d: the compiler puts it on a %d-byte "
						 "boundary with slack bytes before it, which iko does not add; write them as "
						 "a FILLER and drop SYNC", f->name, f->offset, b);
					rc = cberr(c, it->line, it->col, m, NULL);
					break;
				}
			}
			f->type = it->type;
			f->scale = it->scale;
			f->is_signed = it->is_signed;
			f->sign = it->sign;
			if (f->offset + f->length > r->length)
				r->length = f->offset + f->length;
		}
	}
	iko_buf_release(&sfx);
	return rc;
}

static char *unquote(const char *s)
{
	size_t n = strlen(s);

	if (n >= 2 && (s[0] == '\'' || s[0] == '"') && s[n - 1] == s[0])
		return iko_strndup(s + 1, n - 2);
	return iko_strdup(s);
}

static int build(cb *c, xlayout *l)
{
	size_t i;
	int rc;

	l->nrecs = c->root->nkids;
	l->recs = calloc(l->nrecs ? l->nrecs : 1, sizeof(*l->recs));
	if (!l->recs)
		return IKO_ENOMEM;
	for (i = 0; i < c->root->nkids; i++) {
		item *rec = c->root->kids[i];
		xrec *r = &l->recs[i];
		size_t cap = 0;
		int size = layout_item(c, rec, 0);

		if (size < 0)
			return size;
		r->name = iko_strdup(rec->name ? rec->name : "FILLER");
		r->when = iko_strdup("");
		if (!r->name || !r->when)
			return IKO_ENOMEM;
		rc = emit(c, r, rec, 0, "", &cap);
		if (rc)
			return rc;
		if (size > l->reclen)
			l->reclen = size;
	}
	if (l->nrecs > 1) {
		const item *f0 = first_elementary(c->root->kids[0]);
		for (i = 0; i < l->nrecs; i++) {
			const item *f = first_elementary(c->root->kids[i]);
			if (!f || !f->value || f->offset != f0->offset || f->size != f0->size)
				return cberr(c, c->root->kids[i]->line, c->root->kids[i]->col,
					     "several 01 records: the first field of each must be the record type "
					     "with a VALUE (or an 88 level) telling it apart: ",
					     c->root->kids[i]->name ? c->root->kids[i]->name : "FILLER");
			free(l->recs[i].when);
			if (!(l->recs[i].when = unquote(f->value)))
				return IKO_ENOMEM;
		}
		l->rt_off = f0->offset;
		l->rt_len = f0->size;
	}
	return 0;
}

int iko_copybook_load(xlayout *l, const char *path)
{
	cb c;
	char *text = NULL;
	item *stack[64];
	int depth = 0, rc;
	size_t pos = 0, i;

	memset(l, 0, sizeof(*l));
	memset(&c, 0, sizeof(c));
	c.path = path;
	c.root = calloc(1, sizeof(*c.root));
	if (!c.root)
		return iko_error_set(IKO_ENOMEM, "out of memory");
	c.root->group = 1;
	c.root->occurs = 1;
	if ((rc = iko_read_small_file(&text, NULL, path)) || (rc = read_lines(&c, text)))
		goto done;
	if (c.nt == 0) {
		rc = iko_error_set(IKO_EPARSE, "%s: no data description entries", path);
		goto done;
	}
	while (pos < c.nt)
		if ((rc = parse_entry(&c, &pos, stack, &depth)))
			goto done;
	if (c.root->nkids == 0) {
		rc = iko_error_set(IKO_EPARSE, "%s: no 01 record", path);
		goto done;
	}
	l->encoding = iko_strdup("CP932");
	l->recfm = iko_strdup("fixed");
	if (!l->encoding || !l->recfm) {
		rc = IKO_ENOMEM;
		goto done;
	}
	rc = build(&c, l);
done:
	if (rc == IKO_ENOMEM)
		iko_error_set(IKO_ENOMEM, "out of memory");
	for (i = 0; i < c.nt; i++)
		free(c.t[i].s);
	free(c.t);
	item_free(c.root);
	free(text);
	if (rc)
		iko_xlayout_free(l);
	return rc;
}
