/*
 * iko_validate.c — the validate stage (see iko_validate.h).
 */
#include "iko_validate.h"
#include "iko_yaml.h"

#include "iko_batches.h"
#include "iko_buf.h"
#include "iko_checkdigit.h"
#include "iko_csv.h"
#include "iko_date.h"
#include "iko_error.h"
#include "iko_follow.h"
#include "iko_fs.h"
#include "iko_json.h"
#include "iko_mem.h"
#include "iko_recidx.h"
#include "iko_schema.h"
#include "iko_strmap.h"
#include "iko_utf8.h"
#include "iko_words.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

/* A failed check: reason, column, detail. */
typedef struct vfail {
	enum iko_reason reason;
	const char *column;
	const char *value;
	iko_buf detail;
} vfail;

/* Column indexes used by the named table rules (-1 when absent). */
typedef struct rule_cols {
	int setai, jotai, zokugara, removal, ido, shubetsu, nationality, zairyu;
} rule_cols;

typedef struct vtable {
	const iko_table *t;
	char *in_path;
	int *map;                 /* schema column → CSV field index, -1 absent */
	int same_order;           /* the file's columns are the schema's, in its order (map[i] == i) */
	pcre2_code **re;          /* per schema column */
	unsigned char *jit;       /* per schema column: re has machine code (pcre2_jit_match) */
	unsigned char *digits;    /* per schema column: the pattern is a run of digits (iko_digits_rule_of) */
	size_t *dmin, *dmax;      /* ... of this many */
	pcre2_match_data *md;
	iko_strmap *keys;         /* key → occurrences */
	iko_strmap *dups;         /* the keys that occur more than once → occurrences */
	iko_strmap *heads;        /* setai → a: current members, b: heads */
	rule_cols rc;
	int has_head_rule, has_exists_rule, has_removal_rule, has_foreign_rule, has_death_rule;
	iko_validate_table *stats;
} vtable;

typedef struct vctx {
	const iko_validate_options *o;
	const iko_schema *s;
	iko_charset *cs;
	iko_rejects *rejects;
	iko_validate_stats *st;
	iko_strmap *households;   /* keys of the household table, if validated */
	size_t hh_hint, head_hint; /* iko_strmap_get_near: members of a household come together */
	iko_buf key;
	long long nrejected;      /* over every table, for --max-errors */
	char lg_ok[6];            /* the last 団体コード found valid (one municipality's rows carry one) */
	int lg_ok_set;
	long long rewritten;      /* records written value by value, not as their bytes stood */
	struct vbatch *batch;     /* on a helper thread: rejects go to the batch */
	iko_recidx_writer *ix;    /* <table>.index, for the records written on this thread */
} vctx;

/* Records checked on a helper thread. */
typedef struct vbatch {
	iko_csv_writer *out;      /* in memory */
	iko_buf idx;              /* iko_recidx_ent per record written, offsets within out */
	iko_reject_mem iss;       /* rejects and warnings, in record order */
	iko_validate_table st;    /* records_out, records_rejected, warnings */
	iko_validate_stats all;   /* by_reason, gaiji_records */
	long long rewritten;      /* records not written as their bytes stood */
} vbatch;

/* Both passes read records on VWORK helper threads, in batches of VBATCH bytes. */
#define VWORK 2
#define VSLOT (2 * VWORK)
#define VBATCH (1u << 20)

static int parallel_ok(void)
{
	const char *e = getenv("IKO_VALIDATE_THREADS");

	return !(e && !strcmp(e, "1"));
}

/* A record was rejected: count it; an error once past o->max_errors. */
static int count_reject(vctx *c, vtable *v)
{
	v->stats->records_rejected++;
	if (c->batch)
		return 0; /* counted again, in order, when the batch is written */
	if (c->o->max_errors > 0 && ++c->nrejected > c->o->max_errors)
		return iko_error_set(IKO_ECHECK, "stopped at %s record %lld: more than %lld records rejected "
				     "(--max-errors %lld)", v->t->name, v->stats->records_in,
				     c->o->max_errors, c->o->max_errors);
	return 0;
}

static const char *fld(const vtable *v, const iko_csv_row *row, int col, size_t *len)
{
	int f = col >= 0 ? v->map[col] : -1;

	if (f < 0 || (size_t)f >= row->nfields) {
		*len = 0;
		return "";
	}
	*len = row->lens[f];
	return row->fields[f];
}

static const char *fv(const vtable *v, const iko_csv_row *row, int col)
{
	size_t len;

	return fld(v, row, col, &len);
}

static int fail(vfail *f, enum iko_reason r, const char *col, const char *val,
		const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static int fail(vfail *f, enum iko_reason r, const char *col, const char *val,
		const char *fmt, ...)
{
	va_list ap;

	f->reason = r;
	f->column = col;
	f->value = val;
	iko_buf_clear(&f->detail);
	va_start(ap, fmt);
	iko_buf_vprintf(&f->detail, fmt, ap);
	va_end(ap);
	return 1;
}

/*
 * A value of an integer or decimal column as PostgreSQL takes it: -? and
 * digits, for a decimal with one optional '.' and at most scale digits
 * after it. 1: so; 0: not a number of that form; -1: a number too big for
 * the column (an integer beyond bigint, a decimal with more than
 * precision - scale digits before the point, leading zeros aside), which
 * the load could not store.
 */
static int check_number(const char *s, size_t len, const iko_column *cd)
{
	int integer = cd->type == IKO_COL_INTEGER, neg = 0, dot = 0, lead = 1;
	size_t i = 0, digits = 0, frac = 0, whole = 0;
	uint64_t v = 0;

	if (len && s[0] == '-') {
		neg = 1;
		i++;
	}
	for (; i < len; i++) {
		if (s[i] == '.' && !dot && !integer) {
			dot = 1;
			continue;
		}
		if (s[i] < '0' || s[i] > '9')
			return 0;
		digits++;
		if (dot)
			frac++;
		else if (!lead || s[i] != '0') {
			lead = 0;
			whole++;
		}
		if (integer && v <= (UINT64_MAX - 9) / 10)
			v = v * 10 + (uint64_t)(s[i] - '0');
		else if (integer)
			v = UINT64_MAX; /* too big, whatever follows */
	}
	if (!digits || (int)frac > cd->scale)
		return 0;
	if (integer) /* bigint */
		return v <= (neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX) ? 1 : -1;
	/* numeric(precision, scale) */
	return (int)whole <= cd->precision - cd->scale ? 1 : -1;
}

/* Per-column checks of one value. Returns 1 on failure (f filled). */
static int check_column(vctx *c, vtable *v, int col, const char *val, size_t len, vfail *f)
{
	const iko_column *cd = &v->t->cols[col];
	/* a sensitive value (個人番号, 支援措置) never goes into a detail either */
	const char *shown = cd->sensitive ? "(masked)" : val;
	unsigned bad = 0;
	size_t nchars;
	int y, m, d, r, printable, in_set, num;

	if (len == 0)
		return cd->required ? fail(f, IKO_R_REQUIRED, cd->name, val, "%s (%s) is required",
					  cd->label, cd->name)
				    : 0;
	/* most values (codes, numbers, dates) are printable ASCII: valid UTF-8,
	 * one character per byte, inside every character set */
	printable = iko_bytes_within(val, len, 0x20, 0x7F);
	/* one pass decodes the value: valid, its length, the first character outside the set */
	nchars = len;
	in_set = 1;
	if (!printable && (in_set = iko_charset_scan(c->cs, val, len, &nchars, &bad)) < 0)
		return fail(f, IKO_R_CHARSET, cd->name, val, "%s is not valid UTF-8", cd->label);
	switch (cd->type) {
	case IKO_COL_DATE:
		if (!iko_date_parse_iso(val, &y, &m, &d))
			return fail(f, IKO_R_DATE, cd->name, val, "%s: \"%s\" is not a valid date (YYYY-MM-DD)",
				    cd->label, shown);
		break;
	case IKO_COL_INTEGER:
		if ((num = check_number(val, len, cd)) < 0)
			return fail(f, IKO_R_FORMAT, cd->name, val, "%s: \"%s\" is out of range for an integer "
				    "(-9223372036854775808 to 9223372036854775807)", cd->label, shown);
		if (!num)
			return fail(f, IKO_R_FORMAT, cd->name, val, "%s: \"%s\" is not an integer", cd->label, shown);
		break;
	case IKO_COL_DECIMAL:
		if ((num = check_number(val, len, cd)) < 0)
			return fail(f, IKO_R_FORMAT, cd->name, val, "%s: \"%s\" has more than %d digits before the "
				    "decimal point", cd->label, shown, cd->precision - cd->scale);
		if (!num)
			return fail(f, IKO_R_FORMAT, cd->name, val, "%s: \"%s\" is not a decimal with at most %d decimals",
				    cd->label, shown, cd->scale);
		break;
	case IKO_COL_FLAG:
		if (len != 1 || (val[0] != '0' && val[0] != '1'))
			return fail(f, IKO_R_FORMAT, cd->name, val, "%s: \"%s\" is not 0 or 1", cd->label, shown);
		break;
	case IKO_COL_CODE:
	case IKO_COL_TEXT:
	case IKO_COL_TYPE_COUNT_:
		break;
	}
	if (cd->length && cd->type != IKO_COL_DATE && nchars > (size_t)cd->length)
		return fail(f, IKO_R_TOO_LONG, cd->name, val, "%s is longer than %d characters (%zu)",
			    cd->label, cd->length, nchars);
	if (cd->codes && !iko_code_list_has(cd->codes, val))
		return fail(f, IKO_R_CODE, cd->name, val, "%s: \"%s\" is not in code list %s",
			    cd->label, shown, cd->codes->name);
	switch (cd->check) {
	case IKO_CHECK_MY_NUMBER:
		if (!iko_my_number_valid(val, len))
			return fail(f, IKO_R_CHECK_DIGIT, cd->name, val,
				    "%s: not 12 digits with a valid check digit", cd->label);
		break;
	case IKO_CHECK_LG_CODE:
		if (len == 6 && c->lg_ok_set && !memcmp(val, c->lg_ok, 6))
			break;
		if (!iko_lg_code_valid(val, len))
			return fail(f, IKO_R_CHECK_DIGIT, cd->name, val,
				    "%s: \"%s\" is not a 6-digit 団体コード with a valid check digit", cd->label, shown);
		memcpy(c->lg_ok, val, 6);
		c->lg_ok_set = 1;
		break;
	case IKO_CHECK_CORP_NUMBER:
		if (!iko_corp_number_valid(val, len))
			return fail(f, IKO_R_CHECK_DIGIT, cd->name, val,
				    "%s: not 13 digits with a valid check digit", cd->label);
		break;
	default:
		break;
	}
	if (v->digits[col]) {
		if (!iko_digits_match(v->dmin[col], v->dmax[col], val, len))
			return fail(f, IKO_R_FORMAT, cd->name, val, "%s: \"%s\" does not match %s",
				    cd->label, shown, cd->pattern);
	} else if (v->re[col]) {
		/*
		 * the value is valid UTF-8 (checked above, as strictly as PCRE2
		 * checks), so the JIT's fast path, which checks nothing, may have
		 * it (pcre2_match's own checks cost more than the short patterns'
		 * matching)
		 */
		r = v->jit[col] ? pcre2_jit_match(v->re[col], (PCRE2_SPTR)val, len, 0, 0, v->md, NULL)
				: pcre2_match(v->re[col], (PCRE2_SPTR)val, len, 0, PCRE2_NO_UTF_CHECK, v->md, NULL);
		if (r < 0)
			return fail(f, IKO_R_FORMAT, cd->name, val, "%s: \"%s\" does not match %s",
				    cd->label, shown, cd->pattern);
	}
	if (!in_set)
		return fail(f, IKO_R_CHARSET, cd->name, val,
			    "%s: character U+%04X is outside the standard character set", cd->label, bad);
	return 0;
}

/* A count of PCRE2's quantifier, at *p: 1 to 5 digits, at most 65535 (PCRE2's limit). */
static int quant_count(const char **p, size_t *n)
{
	const char *s = *p;
	size_t v = 0;

	while (*s >= '0' && *s <= '9' && s - *p < 5)
		v = v * 10 + (size_t)(*s++ - '0');
	if (s == *p || (*s >= '0' && *s <= '9') || v > 65535)
		return 0;
	*p = s;
	*n = v;
	return 1;
}

int iko_digits_rule_of(const char *pattern, size_t *min, size_t *max)
{
	const char *p = pattern;

	if (strncmp(p, "^[0-9]", 6))
		return 0;
	p += 6;
	if (*p == '+' || *p == '*') {
		*min = *p == '+';
		*max = SIZE_MAX;
		p++;
	} else if (*p == '{') {
		p++;
		if (!quant_count(&p, min))
			return 0;
		*max = *min;
		if (*p == ',') {
			p++;
			*max = SIZE_MAX;
			if (*p != '}' && (!quant_count(&p, max) || *max < *min))
				return 0;
		}
		if (*p++ != '}')
			return 0;
	} else {
		return 0;
	}
	return !strcmp(p, "$");
}

int iko_digits_match(size_t min, size_t max, const char *s, size_t len)
{
	/* '$' matches at the end, or before a newline that is the subject's last character */
	if (len && s[len - 1] == '\n')
		len--;
	if (len < min || len > max)
		return 0;
	return iko_bytes_within(s, len, '0', '9' + 1);
}

static int build_key(vctx *c, const vtable *v, const iko_csv_row *row)
{
	size_t i, len;
	const char *s;

	iko_buf_clear(&c->key);
	for (i = 0; i < v->t->nkey; i++) {
		s = fld(v, row, v->t->key[i], &len);
		if ((i && iko_buf_putc(&c->key, '\x1f')) || iko_buf_put(&c->key, s, len))
			return IKO_ENOMEM;
	}
	if (!c->key.ptr)
		return iko_buf_grow(&c->key, 1);
	return 0;
}

static int is_current(const vtable *v, const iko_csv_row *row)
{
	return v->rc.jotai >= 0 && !strcmp(fv(v, row, v->rc.jotai), "1");
}

/*
 * The keys that occur more than once, in a map of their own: pass 2 looks
 * every record's key up there — a few entries, in cache — instead of in the
 * map of all keys.
 */
static int find_dups(vtable *v)
{
	iko_strmap_entry *e, *d;
	size_t pos = 0;
	int rc;

	while ((e = iko_strmap_next(v->keys, &pos)) != NULL)
		if (e->a > 1) {
			if ((rc = iko_strmap_upsert(v->dups, e->key, e->keylen, &d)))
				return rc;
			d->a = e->a;
		}
	return 0;
}

/*
 * Pass 1 on helper threads: they parse the records and make each key (and,
 * for a current resident, its 世帯番号 and whether it is the head); the
 * draining thread counts them in the maps. A batch's findings: entries of
 * [kind byte][length][bytes], kind 'k' a key, 'h' the 8 bytes of a key's
 * hash (see hset), or 'G' a run of one household's current members (see
 * hrun).
 */
typedef struct kbatch {
	iko_buf out;
} kbatch;

/*
 * The current members of one household come one after the other: a batch
 * counts a run of the same 世帯番号 itself and hands the map one entry
 * 'G' [length][bytes][members][heads] per run instead of one per member.
 */
typedef struct hrun {
	iko_buf setai;
	uint32_t members, heads;
} hrun;

/*
 * A table's keys, when nothing after pass 1 needs them (every table but
 * household, whose keys resident's records are checked against), are
 * only counted for duplicates — and most tables have none. Keeping a
 * million keys in a string map for that was the slowest part of pass 1
 * (its one drain thread inserting them while the helpers waited, half of
 * it in page faults). Instead the helpers hash each key (64 bits) and the
 * drain puts the hashes in a set of 8-byte slots; a hash seen twice is a
 * candidate. Only when there are candidates is the file read a second
 * time, the keys of candidate hashes counted exactly in the string map —
 * so two keys that share a hash are never taken for one, they only cost
 * that second read.
 */
typedef struct hset {
	uint64_t *slots;          /* 0 = empty */
	size_t cap, n;            /* cap == 1 << bits */
	unsigned bits;
	size_t mapped;            /* iko_big_alloc: a million residents' 32 MiB of slots, written in random order */
} hset;

static void hset_free(hset *h)
{
	iko_big_free(h->slots, h->mapped);
	memset(h, 0, sizeof(*h));
}

static size_t hset_home(const hset *h, uint64_t x)
{
	return (size_t)((x * 0x9E3779B97F4A7C15ull) >> (64 - h->bits));
}

static size_t hset_slot(const hset *h, uint64_t x)
{
	size_t i = hset_home(h, x);

	while (h->slots[i] && h->slots[i] != x)
		i = (i + 1) & (h->cap - 1);
	return i;
}

/* Room for at least n hashes (at most half the slots used). */
static int hset_grow(hset *h, size_t n)
{
	hset g = { NULL, h->cap ? h->cap * 2 : 1u << 16, 0, h->bits ? h->bits + 1 : 16, 0 };
	size_t i;

	while (g.cap < 2 * n && g.bits < 40) {
		g.cap *= 2;
		g.bits++;
	}
	if (g.bits > 40 || !(g.slots = iko_big_alloc(g.cap * sizeof(*g.slots), 1, &g.mapped)))
		return iko_error_set(IKO_ENOMEM, "out of memory");
	for (i = 0; i < h->cap; i++)
		if (h->slots[i])
			g.slots[hset_slot(&g, h->slots[i])] = h->slots[i];
	g.n = h->n;
	iko_big_free(h->slots, h->mapped);
	*h = g;
	return 0;
}

/* Add x (not 0): 1 when it was there already, 0 when added, <0 error. */
static int hset_add(hset *h, uint64_t x)
{
	size_t i;
	int rc;

	if ((h->n + 1) * 2 > h->cap && (rc = hset_grow(h, h->n + 1)))
		return rc;
	i = hset_slot(h, x);
	if (h->slots[i])
		return 1;
	h->slots[i] = x;
	h->n++;
	return 0;
}

static int hset_has(const hset *h, uint64_t x)
{
	return h->n && h->slots[hset_slot(h, x)] == x;
}

/*
 * 64 bits of a key: FNV-1a, then MurmurHash3's finalizer (the keys differ
 * in their last digits). IKO_VALIDATE_KEY_HASH_BITS (tests) keeps only
 * that many low bits, so that distinct keys share hashes.
 */
static uint64_t key_hash(const char *s, size_t len, uint64_t mask)
{
	uint64_t h = 1469598103934665603ull;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ull;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 33;
	h &= mask;
	return h ? h : 1;
}

static uint64_t key_hash_mask(void)
{
	const char *e = getenv("IKO_VALIDATE_KEY_HASH_BITS");
	int bits = e && *e ? atoi(e) : 64;

	return bits >= 1 && bits < 64 ? (1ull << bits) - 1 : ~0ull;
}

/* What a pass-1 helper hands the drain for each record. */
enum kmode {
	K_KEYS,                   /* the key ('k'), to count in v->keys */
	K_HASHES,                 /* its hash ('h'), to count in a hash set */
	K_CANDIDATES              /* the key ('k') when its hash is a candidate; no household runs */
};

typedef struct kpar {
	vctx c[VWORK];            /* key buffers */
	hrun h[VWORK];            /* per worker: the 世帯番号 run it is counting */
	vtable *v;
	kbatch b[VSLOT];
	enum kmode mode;
	uint64_t mask;            /* key_hash_mask() */
	hset seen;                /* K_HASHES: every hash */
	long long size;           /* of the file, to size seen */
	hset *cand;               /* K_HASHES: the hashes seen twice (filled); K_CANDIDATES: read */
} kpar;

static int kput(iko_buf *b, char kind, const char *s, size_t len)
{
	uint32_t n = (uint32_t)len;

	return iko_buf_putc(b, kind) || iko_buf_put(b, &n, sizeof(n)) || iko_buf_put(b, s, len) ? IKO_ENOMEM : 0;
}

static int hflush(iko_buf *b, hrun *h)
{
	int rc;

	if (!h->members)
		return 0;
	if ((rc = kput(b, 'G', h->setai.ptr, h->setai.len)) || iko_buf_put(b, &h->members, sizeof(h->members)) ||
	    iko_buf_put(b, &h->heads, sizeof(h->heads)))
		return rc ? rc : IKO_ENOMEM;
	h->members = h->heads = 0;
	return 0;
}

static int kp_work(void *ctx, int w, iko_csv_reader *rd, void *batch)
{
	kpar *p = ctx;
	kbatch *b = batch;
	vctx *c = &p->c[w];
	hrun *h = &p->h[w];
	const vtable *v = p->v;
	iko_csv_row row;
	size_t len;
	const char *setai;
	uint64_t x;
	int rc;

	iko_buf_clear(&b->out);
	h->members = h->heads = 0;
	while ((rc = iko_csv_next(rd, &row)) != 0) {
		if (rc == IKO_EPARSE)
			continue;
		if (rc < 0 || (rc = build_key(c, v, &row)))
			return rc;
		if (p->mode == K_KEYS)
			rc = kput(&b->out, 'k', c->key.ptr, c->key.len);
		else {
			x = key_hash(c->key.ptr, c->key.len, p->mask);
			if (p->mode == K_HASHES)
				rc = kput(&b->out, 'h', (const char *)&x, sizeof(x));
			else if (hset_has(p->cand, x))
				rc = kput(&b->out, 'k', c->key.ptr, c->key.len);
		}
		if (rc)
			return rc;
		if (p->mode != K_CANDIDATES && v->has_head_rule && is_current(v, &row)) {
			setai = fld(v, &row, v->rc.setai, &len);
			if (h->members && (h->setai.len != len || memcmp(h->setai.ptr, setai, len)) &&
			    (rc = hflush(&b->out, h)))
				return rc;
			if (!h->members) {
				iko_buf_clear(&h->setai);
				if (iko_buf_put(&h->setai, setai, len))
					return IKO_ENOMEM;
			}
			h->members++;
			h->heads += !strcmp(fv(v, &row, v->rc.zokugara), "02");
		}
	}
	return hflush(&b->out, h);
}

/* A hash into the set of every hash; one seen before becomes a candidate. */
static int seen_add(kpar *p, uint64_t x)
{
	int rc = hset_add(&p->seen, x);

	if (rc == 1 && (rc = hset_add(p->cand, x)) > 0)
		rc = 0; /* a third time */
	return rc;
}

#define KP_AHEAD 8 /* hashes whose slots are fetched before they are added */

static int kp_drain(void *ctx, void *batch, const iko_csv_batch *pos)
{
	kpar *p = ctx;
	kbatch *b = batch;
	const char *s = b->out.ptr, *end = b->out.ptr + b->out.len;
	iko_strmap_entry *e;
	uint32_t n, members, heads;
	uint64_t x, ring[KP_AHEAD];
	size_t first = 0, held = 0;
	int rc;

	/* sized once, from the first batch's bytes per record: no regrowth, no rehash */
	if (p->mode == K_HASHES && !p->seen.cap && pos->len && pos->records > 0 && p->size > 0 &&
	    (rc = hset_grow(&p->seen, (size_t)((double)p->size / (double)pos->len * (double)pos->records * 1.1))))
		return rc;
	while (s < end) {
		char kind = *s++;
		memcpy(&n, s, sizeof(n));
		s += sizeof(n);
		if (kind == 'h') {
			/* added KP_AHEAD hashes later, in the same order: by then
			 * its slot's cache line has arrived (the set is far bigger
			 * than the caches, every add a miss) */
			memcpy(&x, s, sizeof(x));
			s += n;
			if (p->seen.cap)
				__builtin_prefetch(&p->seen.slots[hset_home(&p->seen, x)], 1);
			if (held == KP_AHEAD) {
				if ((rc = seen_add(p, ring[first])) < 0)
					return rc;
				ring[first] = x;
				first = (first + 1) % KP_AHEAD;
			} else {
				ring[(first + held++) % KP_AHEAD] = x;
			}
			continue;
		}
		if ((rc = iko_strmap_upsert(kind == 'k' ? p->v->keys : p->v->heads, s, n, &e)))
			return rc;
		s += n;
		if (kind == 'k') {
			e->a++;
			continue;
		}
		memcpy(&members, s, sizeof(members));
		memcpy(&heads, s + sizeof(members), sizeof(heads));
		s += sizeof(members) + sizeof(heads);
		e->a += members;
		e->b += heads;
	}
	for (; held; held--, first = (first + 1) % KP_AHEAD)
		if ((rc = seen_add(p, ring[first])) < 0)
			return rc;
	return 0;
}

static int pass1_parallel(vtable *v, enum kmode mode, hset *cand, iko_follow *f)
{
	kpar *p = calloc(1, sizeof(*p));
	void *slots[VSLOT];
	iko_csv_batches_ops ops = { NULL, kp_work, kp_drain };
	size_t i;
	int rc;

	if (!p)
		return iko_error_set(IKO_ENOMEM, "out of memory");
	p->v = v;
	p->mode = mode;
	p->mask = key_hash_mask();
	p->cand = cand;
	{
		/* still being written (not under its name yet): the size transform expects */
		struct stat st;
		p->size = stat(v->in_path, &st) == 0 ? (long long)st.st_size
			: f ? iko_follow_expected(f, v->in_path) : 0;
		if (p->size < 0)
			p->size = 0;
	}
	ops.ctx = p;
	for (i = 0; i < VSLOT; i++)
		slots[i] = &p->b[i];
	rc = iko_csv_batches_run(v->in_path, v->in_path, VBATCH, &ops, slots, VSLOT, VWORK, f);
	for (i = 0; i < VWORK; i++) {
		iko_buf_release(&p->c[i].key);
		iko_buf_release(&p->h[i].setai);
	}
	for (i = 0; i < VSLOT; i++)
		iko_buf_release(&p->b[i].out);
	hset_free(&p->seen);
	free(p);
	return rc;
}

static int vtable_header(vtable *v, iko_follow *f);

/*
 * Pass 1: key occurrences and, for residents, heads per household. With
 * keep_keys (household) every key stays in v->keys; otherwise v->keys ends
 * up holding at least the keys that occur more than once.
 */
static int pass1(vctx *c, vtable *v, int keep_keys)
{
	iko_follow *f = c->o->in_follow;
	iko_csv_reader *r = NULL;
	iko_csv_row row;
	iko_strmap_entry *e;
	size_t len;
	const char *setai;
	int rc;

	/* the header here, on the table's thread (followed: once transform has written it) */
	if ((rc = vtable_header(v, f)))
		return rc;
	if (parallel_ok() && keep_keys)
		return (rc = pass1_parallel(v, K_KEYS, NULL, f)) ? rc : find_dups(v);
	if (parallel_ok()) {
		hset cand = { NULL, 0, 0, 0, 0 };
		/* the second read: transform has finished the file (its final name) */
		if (!(rc = pass1_parallel(v, K_HASHES, &cand, f)) && cand.n)
			rc = pass1_parallel(v, K_CANDIDATES, &cand, f);
		hset_free(&cand);
		return rc ? rc : find_dups(v);
	}
	if ((rc = iko_csv_reader_open_follow(&r, v->in_path, f)))
		return rc;
	iko_csv_next(r, &row); /* header, checked by the caller */
	while ((rc = iko_csv_next(r, &row)) != 0) {
		if (rc == IKO_EPARSE)
			continue;
		if (rc < 0)
			break;
		if ((rc = build_key(c, v, &row)) ||
		    (rc = iko_strmap_upsert(v->keys, c->key.ptr, c->key.len, &e)))
			break;
		e->a++;
		if (v->has_head_rule && is_current(v, &row)) {
			setai = fld(v, &row, v->rc.setai, &len);
			if ((rc = iko_strmap_upsert(v->heads, setai, len, &e)))
				break;
			e->a++;
			if (!strcmp(fv(v, &row, v->rc.zokugara), "02"))
				e->b++;
		}
	}
	iko_csv_reader_free(r);
	return rc < 0 ? rc : find_dups(v);
}

/* One table's pass 1 on a thread of its own (pass1_tables). */
typedef struct p1job {
	vctx *c;
	vtable *v;
	pthread_t th;
	int started, rc;
	char *err;
} p1job;

static void *p1_main(void *arg)
{
	p1job *j = arg;

	j->rc = iko_thread_keep_error(pass1(j->c, j->v, !strcmp(j->v->t->name, "household")), &j->err);
	return NULL;
}

/*
 * Pass 1 of every table at once, each on its thread (with its own helpers):
 * a table's pass 1 is its own (keys, duplicates, heads per household), and
 * one alone leaves a core idle part of the time — its drain, one thread,
 * is the slower side (at 1M residents resident's 0.8 s and household's
 * 0.25 s, one after the other before). The first failing table's error,
 * in table order.
 */
static int pass1_tables(vctx *c, vtable *vt, size_t n)
{
	p1job *j = calloc(n + 1, sizeof(*j));
	size_t i;
	int rc = 0;

	if (!j)
		return iko_error_set(IKO_ENOMEM, "out of memory");
	for (i = 0; i < n; i++) {
		j[i].c = c;
		j[i].v = &vt[i];
		if (iko_thread_start(&j[i].th, p1_main, &j[i]) == 0)
			j[i].started = 1;
		else
			p1_main(&j[i]);
	}
	for (i = 0; i < n; i++) {
		if (j[i].started)
			pthread_join(j[i].th, NULL);
		if (j[i].rc && !rc)
			rc = iko_error_set(j[i].rc, "%s", j[i].err ? j[i].err : "out of memory");
		free(j[i].err);
	}
	free(j);
	return rc;
}

static int is_removal_reason(const char *s)
{
	return strlen(s) == 2 && s[0] == '2' && s[1] >= '1' && s[1] <= '8';
}

/* Named table rules over one record. Returns 1 on failure. */
static int check_rules(vctx *c, vtable *v, const iko_csv_row *row, vfail *f)
{
	const rule_cols *k = &v->rc;
	const char *jotai = fv(v, row, k->jotai), *ido = fv(v, row, k->ido);
	const char *setai;
	iko_strmap_entry *e;
	size_t len;

	if (v->has_removal_rule) {
		int removed = !strcmp(jotai, "2") || !strcmp(jotai, "3") || !strcmp(jotai, "9");
		if (removed && !*fv(v, row, k->removal))
			return fail(f, IKO_R_REMOVAL, "removal_date", "", "住民状態 %s (消除) without 消除の異動年月日", jotai);
		if (removed && !is_removal_reason(ido))
			return fail(f, IKO_R_REMOVAL, "ido_reason", ido, "住民状態 %s (消除) needs a 消除 異動事由 (21–28), not \"%s\"", jotai, ido);
		if (!strcmp(jotai, "1") && *fv(v, row, k->removal))
			return fail(f, IKO_R_REMOVAL, "removal_date", fv(v, row, k->removal),
				    "住登者 with a 消除の異動年月日");
	}
	if (v->has_death_rule && (!strcmp(jotai, "3") != !strcmp(ido, "23")))
		return fail(f, IKO_R_REMOVAL, "ido_reason", ido,
			    "住民状態 3 (死亡者) and 異動事由 23 (死亡) must go together (住民状態 %s, 異動事由 %s)", jotai, ido);
	if (v->has_foreign_rule && !strcmp(fv(v, row, k->shubetsu), "2") &&
	    (!*fv(v, row, k->nationality) || !*fv(v, row, k->zairyu)))
		return fail(f, IKO_R_FOREIGN, !*fv(v, row, k->nationality) ? "nationality_code" : "zairyu_code",
			    "", "外国人 (住民種別 2) needs 国籍・地域コード and 在留資格等コード");
	if (v->has_exists_rule && c->households && is_current(v, row)) {
		setai = fld(v, row, k->setai, &len);
		iko_buf_clear(&c->key);
		if (iko_buf_puts(&c->key, fv(v, row, 0)) || iko_buf_putc(&c->key, '\x1f') ||
		    iko_buf_put(&c->key, setai, len))
			return IKO_ENOMEM;
		if (!iko_strmap_get_near(c->households, c->key.ptr, c->key.len, &c->hh_hint))
			return fail(f, IKO_R_ORPHAN, "setai_no", setai, "世帯番号 %s has no household record", setai);
	}
	if (v->has_head_rule && is_current(v, row)) {
		setai = fld(v, row, k->setai, &len);
		e = iko_strmap_get_near(v->heads, setai, len, &c->head_hint);
		if (e && e->b == 0)
			return fail(f, IKO_R_NO_HEAD, "zokugara_code", fv(v, row, k->zokugara),
				    "世帯 %s has no 世帯主 (続柄 02) among its %lld current members", setai, e->a);
		if (e && e->b > 1 && !strcmp(fv(v, row, k->zokugara), "02"))
			return fail(f, IKO_R_MANY_HEADS, "zokugara_code", "02",
				    "世帯 %s has %lld 世帯主 (続柄 02); exactly one is allowed", setai, e->b);
	}
	return 0;
}

/* The record's first field holding 〓 (U+3013, E3 80 93), 1-based; 0: none. */
static int has_u3013(const iko_csv_row *row)
{
	const char *s = row->raw, *end;
	size_t i;

	/* most records have none: look for it in the record's bytes once
	 * (memchr for its first byte; glibc's memmem costs more than three times as much here) */
	if (row->raw) {
		end = row->raw + row->raw_len;
		while (end - s > 2 && (s = memchr(s, 0xe3, (size_t)(end - s - 2))) != NULL) {
			if ((unsigned char)s[1] == 0x80 && (unsigned char)s[2] == 0x93)
				break;
			s++;
		}
		if (!s || end - s <= 2)
			return 0;
	}
	for (i = 0; i < row->nfields; i++)
		if (row->lens[i] >= 3 && strstr(row->fields[i], "\xe3\x80\x93"))
			return (int)i + 1;
	return 0;
}

static int emit(vctx *c, vtable *v, const iko_csv_row *row, const vfail *f,
		enum iko_severity sev)
{
	iko_reject rj;
	int k = v->t->nkey > 1 ? v->t->key[1] : 0;

	memset(&rj, 0, sizeof(rj));
	rj.stage = "validate";
	rj.source = v->t->name;
	rj.record = row->record - 1;
	rj.offset = row->offset;
	rj.key = fv(v, row, k);
	rj.reason = f->reason;
	rj.severity = sev;
	rj.field = f->column;
	rj.value = (v->t->cols[iko_table_column(v->t, f->column ? f->column : "lg_code") >= 0
			       ? iko_table_column(v->t, f->column ? f->column : "lg_code") : 0].sensitive)
			   ? "(masked)" : f->value;
	rj.detail = iko_buf_cstr(&f->detail);
	rj.raw = row->raw;
	rj.raw_len = row->raw_len;
	c->st->by_reason[f->reason]++;
	return c->batch ? iko_reject_mem_add(&c->batch->iss, &rj) : iko_rejects_add(c->rejects, &rj);
}

static int check_row(vctx *c, vtable *v, const iko_csv_row *row, vfail *f)
{
	iko_strmap_entry *e;
	size_t i, len;
	const char *val;
	int r;

	for (i = 0; i < v->t->ncols; i++) {
		val = fld(v, row, (int)i, &len);
		if ((r = check_column(c, v, (int)i, val, len, f)))
			return r;
	}
	if (c->o->lg_code && strcmp(fv(v, row, 0), c->o->lg_code))
		return fail(f, IKO_R_WRONG_LG, "lg_code", fv(v, row, 0),
			    "lg_code %s does not match the municipality %s", fv(v, row, 0), c->o->lg_code);
	if ((r = build_key(c, v, row)))
		return r;
	e = iko_strmap_get(v->dups, c->key.ptr, c->key.len);
	if (e)
		return fail(f, IKO_R_DUP_KEY, v->t->cols[v->t->key[v->t->nkey - 1]].name,
			    fv(v, row, v->t->key[v->t->nkey - 1]),
			    "key occurs %lld times; every occurrence is rejected", e->a);
	return check_rules(c, v, row, f);
}

/*
 * Write a record that passed, the schema's columns in its order, and hash
 * its values into *rh (the record index's, from IKO_RH_SEED). Where the
 * file's columns are already the schema's and the record's bytes are
 * what the writer would write — no field quoted, so every value is its
 * bytes as they stand, and one LF at the end — those bytes are written
 * as they are (transform's files are, but for the rare value with a
 * comma, quote or line break): the same file, without building it again
 * field by field.
 */
static int write_record(const vtable *v, const iko_csv_row *row, iko_csv_writer *w, uint64_t *rh,
			long long *rewritten)
{
	size_t i, n = v->t->ncols, sum = 0;
	uint64_t h = IKO_RH_SEED;
	int rc;

	if (v->same_order && row->nfields == n && row->raw) {
		for (i = 0; i < n; i++) {
			h = iko_rh(h, row->fields[i], row->lens[i]);
			sum += row->lens[i];
		}
		/*
		 * n - 1 commas and the LF: a quoted field or a CR LF makes the
		 * record longer; a quote or a CR inside an unquoted value (the
		 * reader takes both) the writer would quote
		 */
		if (sum + n == row->raw_len && row->raw[row->raw_len - 1] == '\n' &&
		    !memchr(row->raw, '"', row->raw_len) && !memchr(row->raw, '\r', row->raw_len)) {
			*rh = h;
			return iko_csv_write_line(w, row->raw, row->raw_len);
		}
		h = IKO_RH_SEED;
	}
	++*rewritten;
	for (i = 0; i < n; i++) {
		size_t len;
		const char *val = fld(v, row, (int)i, &len);
		if ((rc = iko_csv_write_field(w, val, len)))
			return rc;
		h = iko_rh(h, val, len);
	}
	*rh = h;
	return iko_csv_end_row(w);
}

/* Pass 2 for one record: check it, then write it or reject it. */
static int check_one(vctx *c, vtable *v, const iko_csv_row *row, int rc, iko_csv_writer *w, vfail *f)
{
	iko_recidx_ent ie;
	size_t i;

	if (rc == IKO_EPARSE) {
		fail(f, IKO_R_CSV, NULL, NULL, "%s", iko_error_message());
		if ((rc = emit(c, v, row, f, IKO_SEV_REJECT)) || (rc = count_reject(c, v)))
			return rc;
		return 0;
	}
	if (rc < 0)
		return rc;
	rc = check_row(c, v, row, f);
	if (rc < 0)
		return rc;
	if (rc > 0)
		return (rc = emit(c, v, row, f, IKO_SEV_REJECT)) ? rc : count_reject(c, v);
	if ((i = (size_t)has_u3013(row)) != 0) {
		int col = -1;
		size_t k;
		for (k = 0; k < v->t->ncols; k++)
			if (v->map[k] == (int)i - 1)
				col = (int)k;
		fail(f, IKO_R_GAIJI, col >= 0 ? v->t->cols[col].name : NULL,
		     row->fields[i - 1], "unmapped gaiji (〓): register it in the gaiji table before go-live");
		v->stats->warnings++;
		c->st->gaiji_records++;
		if ((rc = emit(c, v, row, f, IKO_SEV_WARN)))
			return rc;
	}
	ie.off = iko_csv_writer_tell(w);
	ie.kh = IKO_RH_SEED;
	if ((rc = write_record(v, row, w, &ie.rh, &c->rewritten)))
		return rc;
	/* the record index reconciliation reads instead of this file (iko_recidx.h) */
	for (i = 0; i < v->t->nkey; i++) {
		size_t len;
		const char *val = fld(v, row, v->t->key[i], &len);
		ie.kh = iko_rh(ie.kh, val, len);
	}
	if (c->batch)
		rc = iko_buf_put(&c->batch->idx, (const char *)&ie, sizeof(ie));
	else if (c->ix)
		rc = iko_recidx_writer_add(c->ix, &ie, 1);
	if (rc)
		return rc;
	v->stats->records_out++;
	return 0;
}

/* ---- pass 2 on two threads ---------------------------------------------------------- */


typedef struct vworker {
	vctx c;                   /* its own key buffer, character set, counters */
	vtable v;                 /* its own match data and counters; maps shared, read only */
	iko_validate_table st;
	iko_validate_stats all;
	vfail f;
} vworker;

/*
 * Validate's output, while it is the input's bytes so far
 * (iko_validate_options.link_unchanged): nothing is written until a batch
 * differs — a record rejected or written value by value — and then the
 * bytes so far are copied from the input in the kernel and writing goes on
 * as usual; a table that never differs becomes a link to its input.
 */
typedef struct vshadow {
	int on;                   /* the output so far is the input's first `end` bytes */
	long long end;            /* ... header included */
	long long rows;           /* ... records in them, header included */
	iko_follow *follow;       /* begun when the shadow ends (validate's followers) */
} vshadow;

/* The output stops being the input's bytes: write those so far, and let followers read. */
static int shadow_end(vshadow *sh, const vtable *v, iko_csv_writer *w)
{
	int rc;

	if (!sh->on)
		return 0;
	sh->on = 0;
	if ((rc = iko_csv_writer_copy_from(w, v->in_path, sh->end, sh->rows)))
		return rc;
	return iko_csv_writer_follow(w, sh->follow);
}

typedef struct vpar {
	vctx *c;
	vtable *v;
	iko_csv_writer *w;
	iko_recidx_writer *ix;
	vshadow *sh;
	long long size;
	vworker wk[VWORK];
	vbatch b[VSLOT];
} vpar;

static int vp_work(void *ctx, int w, iko_csv_reader *rd, void *batch)
{
	vpar *p = ctx;
	vbatch *b = batch;
	vworker *k = &p->wk[w];
	iko_csv_row row;
	int rc;

	iko_reject_mem_clear(&b->iss);
	iko_buf_clear(&b->idx);
	memset(&k->st, 0, sizeof(k->st));
	memset(&k->all, 0, sizeof(k->all));
	k->c.batch = b;
	k->c.rewritten = 0;
	while ((rc = iko_csv_next(rd, &row)) != 0)
		if ((rc = check_one(&k->c, &k->v, &row, rc, b->out, &k->f)))
			return rc;
	b->st = k->st;
	b->all = k->all;
	b->rewritten = k->c.rewritten;
	return 0;
}

/* Write a checked batch: rows and rejects in record order, --max-errors counted in order. */
static int vp_drain(void *ctx, void *batch, const iko_csv_batch *pos)
{
	vpar *p = ctx;
	vbatch *b = batch;
	vctx *c = p->c;
	vtable *v = p->v;
	long long base;
	iko_recidx_ent *ie = (iko_recidx_ent *)b->idx.ptr;
	size_t i, nie = b->idx.len / sizeof(*ie);
	int rc;

	/*
	 * The batch's output is its input exactly when every record in it was
	 * written as its bytes stood and they add up to the batch: those bytes
	 * are the batch's records one after the other, and nothing else
	 */
	if (p->sh->on && pos->offset == p->sh->end && b->rewritten == 0 && b->st.records_rejected == 0 &&
	    b->st.records_out == pos->records && iko_csv_writer_tell(b->out) == (long long)pos->len) {
		base = p->sh->end;
		p->sh->end += (long long)pos->len;
		p->sh->rows += pos->records;
		iko_csv_writer_discard(b->out);
	} else {
		if ((rc = shadow_end(p->sh, v, p->w)))
			return rc;
		base = iko_csv_writer_tell(p->w);
		if ((rc = iko_csv_writer_move(p->w, b->out)))
			return rc;
	}
	for (i = 0; i < nie; i++)
		ie[i].off += base;
	if (p->ix && (rc = iko_recidx_writer_add(p->ix, ie, nie)))
		return rc;
	for (i = 0; i < b->iss.n; i++) {
		iko_reject rj;
		iko_reject_mem_get(&b->iss, i, &rj);
		if ((rc = iko_rejects_add(c->rejects, &rj)))
			return rc;
		if (rj.severity == IKO_SEV_REJECT && c->o->max_errors > 0 && ++c->nrejected > c->o->max_errors)
			return iko_error_set(IKO_ECHECK, "stopped at %s record %lld: more than %lld records rejected "
					     "(--max-errors %lld)", v->t->name, rj.record,
					     c->o->max_errors, c->o->max_errors);
	}
	for (i = 0; i < IKO_R_COUNT_; i++)
		c->st->by_reason[i] += b->all.by_reason[i];
	c->st->gaiji_records += b->all.gaiji_records;
	v->stats->records_in += pos->records;
	v->stats->records_out += b->st.records_out;
	v->stats->records_rejected += b->st.records_rejected;
	v->stats->warnings += b->st.warnings;
	if (c->o->progress)
		c->o->progress("validate", v->stats->records_in,
			       iko_progress_total(v->stats->records_in, pos->offset + (long long)pos->len, p->size),
			       c->o->payload);
	return 0;
}


static int make_charset(iko_charset **out, const iko_validate_options *o);

/* The records after the header, checked on two threads; written exactly as one thread writes them. */
static int pass2_parallel(vctx *c, vtable *v, long long size, iko_csv_writer *w, iko_recidx_writer *ix,
			  vshadow *sh)
{
	vpar *p = calloc(1, sizeof(*p));
	void *slots[VSLOT];
	iko_csv_batches_ops ops = { NULL, vp_work, vp_drain };
	size_t i;
	int rc = IKO_ENOMEM;

	if (!p)
		return iko_error_set(IKO_ENOMEM, "out of memory");
	p->c = c;
	p->v = v;
	p->w = w;
	p->ix = ix;
	p->sh = sh;
	p->size = size;
	ops.ctx = p;
	for (i = 0; i < VWORK; i++) {
		vworker *k = &p->wk[i];
		k->c = *c;
		memset(&k->c.key, 0, sizeof(k->c.key));
		k->c.cs = NULL;
		k->c.rejects = NULL;
		k->c.st = &k->all;
		k->v = *v;
		k->v.stats = &k->st;
		if (!(k->v.md = pcre2_match_data_create(4, NULL)) || (rc = make_charset(&k->c.cs, c->o))) {
			rc = rc ? rc : IKO_ENOMEM;
			goto done;
		}
	}
	for (i = 0; i < VSLOT; i++) {
		slots[i] = &p->b[i];
		if ((rc = iko_csv_writer_open_mem(&p->b[i].out)))
			goto done;
	}
	rc = iko_csv_batches_run(v->in_path, v->in_path, VBATCH, &ops, slots, VSLOT, VWORK, NULL);
done:
	for (i = 0; i < VWORK; i++) {
		vworker *k = &p->wk[i];
		iko_buf_release(&k->c.key);
		iko_buf_release(&k->f.detail);
		iko_charset_free(k->c.cs);
		pcre2_match_data_free(k->v.md);
	}
	for (i = 0; i < VSLOT; i++) {
		iko_reject_mem_release(&p->b[i].iss);
		iko_buf_release(&p->b[i].idx);
		iko_csv_writer_free(p->b[i].out);
	}
	free(p);
	return rc;
}

/* The header validate writes: the schema's column names, as the writer writes them, and LF. */
static int header_line(const vtable *v, iko_buf *h)
{
	size_t i;

	for (i = 0; i < v->t->ncols; i++)
		if ((i && iko_buf_putc(h, ',')) || iko_csv_escape(h, v->t->cols[i].name, strlen(v->t->cols[i].name), ','))
			return iko_error_set(IKO_ENOMEM, "out of memory");
	return iko_buf_putc(h, '\n') ? iko_error_set(IKO_ENOMEM, "out of memory") : 0;
}

/* Whether the input file starts with header h: the shadow (vshadow) may start, its bytes counted. */
static int same_header(const vtable *v, const iko_buf *h, vshadow *sh)
{
	char got[4096];
	ssize_t n = -1;
	int fd;

	if (h->len > sizeof(got) || (fd = open(v->in_path, O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	do
		n = pread(fd, got, h->len, 0);
	while (n < 0 && errno == EINTR);
	(void)close(fd); /* read only: nothing to lose */
	if (n != (ssize_t)h->len || memcmp(got, h->ptr, h->len))
		return 0;
	sh->end = (long long)h->len;
	sh->rows = 1;
	return 1;
}

/* Pass 2: check and write. */
static int pass2(vctx *c, vtable *v)
{
	iko_csv_reader *r = NULL;
	iko_csv_writer *w = NULL;
	iko_recidx_writer *ix = NULL;
	iko_csv_row row;
	vfail f = { 0, NULL, NULL, IKO_BUF_INIT };
	vshadow sh = { 0, 0, 0, c->o->follow };
	iko_buf hdr = IKO_BUF_INIT;
	char *outp = iko_aprintf("%s/%s.csv", c->o->out_dir, v->t->name);
	char *ixp = outp ? iko_recidx_path(outp) : NULL;
	int rc;

	if (!outp || !ixp) {
		rc = iko_error_set(IKO_ENOMEM, "out of memory");
		goto done;
	}
	if ((rc = header_line(v, &hdr)))
		goto done;
	/* the shadow: batches on helper threads, the file's columns the schema's (see vshadow) */
	sh.on = c->o->link_unchanged && parallel_ok() && v->same_order && same_header(v, &hdr, &sh);
	if ((rc = iko_csv_writer_open(&w, outp, 0600)) || (!sh.on && (rc = iko_csv_writer_follow(w, c->o->follow))) ||
	    (rc = iko_recidx_writer_open(&ix, ixp)))
		goto done;
	if (!sh.on && (rc = iko_csv_write_raw(w, hdr.ptr, hdr.len, 1)))
		goto done;
	if ((rc = iko_csv_reader_open(&r, v->in_path)))
		goto done;
	if (parallel_ok()) {
		if ((rc = pass2_parallel(c, v, iko_csv_reader_size(r), w, ix, &sh)))
			goto done;
	} else {
		c->ix = ix;
		iko_csv_next(r, &row);
		while ((rc = iko_csv_next(r, &row)) != 0) {
			v->stats->records_in++;
			if ((rc = check_one(c, v, &row, rc, w, &f)))
				goto done;
			if (c->o->progress && (v->stats->records_in & 0x3fff) == 0)
				c->o->progress("validate", v->stats->records_in,
					       iko_progress_total(v->stats->records_in, iko_csv_reader_tell(r),
								  iko_csv_reader_size(r)),
					       c->o->payload);
		}
	}
	if (v->stats->records_in != v->stats->records_out + v->stats->records_rejected) {
		rc = iko_error_set(IKO_ERROR, "%s: counts do not balance", v->t->name);
		goto done;
	}
	/*
	 * the index after the CSV: it names the CSV's final size and time.
	 * Still the shadow: the output is the input whole (a link to it), or
	 * its first bytes (records the reader took nothing from follow: blank
	 * lines at the end)
	 */
	if (sh.on && sh.end == iko_csv_reader_size(r))
		rc = iko_csv_writer_commit_link(w, v->in_path, sh.follow);
	else if (!(rc = shadow_end(&sh, v, w)))
		rc = iko_csv_writer_commit(w);
	if (!rc)
		rc = iko_recidx_writer_commit(ix, outp);
done:
	c->ix = NULL;
	iko_buf_release(&hdr);
	iko_buf_release(&f.detail);
	iko_csv_writer_free(w);
	iko_recidx_writer_free(ix);
	iko_csv_reader_free(r);
	free(outp);
	free(ixp);
	return rc;
}

static int has_rule(const iko_table *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->nrules; i++)
		if (!strcmp(t->rules[i], name))
			return 1;
	return 0;
}

static int vtable_init(vtable *v, const iko_table *t, const char *in_dir)
{
	size_t i;
	int err;
	PCRE2_SIZE off;
	char *name = iko_aprintf("%s.csv", t->name);

	memset(v, 0, sizeof(*v));
	v->t = t;
	v->in_path = name ? iko_path_join(in_dir, name) : NULL;
	free(name);
	v->map = calloc(t->ncols, sizeof(int));
	v->re = calloc(t->ncols, sizeof(pcre2_code *));
	v->jit = calloc(t->ncols, 1);
	v->digits = calloc(t->ncols, 1);
	v->dmin = calloc(t->ncols, sizeof(size_t));
	v->dmax = calloc(t->ncols, sizeof(size_t));
	if (!v->in_path || !v->map || !v->re || !v->jit || !v->digits || !v->dmin || !v->dmax ||
	    iko_strmap_new(&v->keys) || iko_strmap_new(&v->dups) ||
	    iko_strmap_new(&v->heads))
		return iko_error_set(IKO_ENOMEM, "out of memory");
	for (i = 0; i < t->ncols; i++) {
		if (!t->cols[i].pattern)
			continue;
		v->re[i] = pcre2_compile((PCRE2_SPTR)t->cols[i].pattern, PCRE2_ZERO_TERMINATED,
					 PCRE2_UTF, &err, &off, NULL);
		if (!v->re[i])
			return iko_error_set(IKO_EPARSE, "schema %s.%s: bad pattern %s", t->name,
					     t->cols[i].name, t->cols[i].pattern);
		/* machine code for the pattern where PCRE2 has a JIT; else it is interpreted */
		v->jit[i] = pcre2_jit_compile(v->re[i], PCRE2_JIT_COMPLETE) == 0;
		v->digits[i] = (unsigned char)iko_digits_rule_of(t->cols[i].pattern, &v->dmin[i], &v->dmax[i]);
	}
	v->md = pcre2_match_data_create(4, NULL);
	if (!v->md)
		return IKO_ENOMEM;
	v->rc.setai = iko_table_column(t, "setai_no");
	v->rc.jotai = iko_table_column(t, "jumin_jotai");
	v->rc.zokugara = iko_table_column(t, "zokugara_code");
	v->rc.removal = iko_table_column(t, "removal_date");
	v->rc.ido = iko_table_column(t, "ido_reason");
	v->rc.shubetsu = iko_table_column(t, "jumin_shubetsu");
	v->rc.nationality = iko_table_column(t, "nationality_code");
	v->rc.zairyu = iko_table_column(t, "zairyu_code");
	v->has_head_rule = has_rule(t, "household_head");
	v->has_exists_rule = has_rule(t, "household_exists");
	v->has_removal_rule = has_rule(t, "removal");
	v->has_foreign_rule = has_rule(t, "foreign");
	v->has_death_rule = has_rule(t, "death_reason");
	for (i = 0; i < t->nrules; i++)
		if (!has_rule(t, t->rules[i]) || (strcmp(t->rules[i], "household_head") &&
		    strcmp(t->rules[i], "household_exists") && strcmp(t->rules[i], "removal") &&
		    strcmp(t->rules[i], "foreign") && strcmp(t->rules[i], "death_reason")))
			return iko_error_set(IKO_EPARSE, "schema %s: unknown table rule %s", t->name, t->rules[i]);
	if ((v->has_head_rule || v->has_exists_rule) && (v->rc.setai < 0 || v->rc.jotai < 0 || v->rc.zokugara < 0))
		return iko_error_set(IKO_EPARSE, "schema %s: household rules need setai_no, jumin_jotai and zokugara_code",
				     t->name);
	return 0;
}

/* The input's header: where each column is. f: read it as transform writes it. */
static int vtable_header(vtable *v, iko_follow *f)
{
	const iko_table *t = v->t;
	iko_csv_reader *r = NULL;
	iko_csv_row row;
	size_t i;
	int rc;

	if ((rc = iko_csv_reader_open_follow(&r, v->in_path, f)))
		return rc;
	rc = iko_csv_next(r, &row);
	if (rc != 1) {
		iko_csv_reader_free(r);
		return rc < 0 ? rc : iko_error_set(IKO_EPARSE, "%s: empty file (no header)", v->in_path);
	}
	v->same_order = row.nfields == t->ncols;
	for (i = 0; i < t->ncols; i++) {
		v->map[i] = iko_csv_find(&row, t->cols[i].name);
		if (v->map[i] != (int)i)
			v->same_order = 0;
		if (v->map[i] < 0 && t->cols[i].required) {
			rc = iko_error_set(IKO_EPARSE, "%s: required column %s missing from the header",
					   v->in_path, t->cols[i].name);
			break;
		}
		rc = 0;
	}
	iko_csv_reader_free(r);
	return rc;
}

static void vtable_release(vtable *v)
{
	size_t i;

	for (i = 0; v->re && i < v->t->ncols; i++)
		pcre2_code_free(v->re[i]);
	free(v->re);
	free(v->jit);
	free(v->digits);
	free(v->dmin);
	free(v->dmax);
	pcre2_match_data_free(v->md);
	free(v->map);
	free(v->in_path);
	iko_strmap_free(v->keys);
	iko_strmap_free(v->dups);
	iko_strmap_free(v->heads);
}

static int write_manifest(const iko_validate_options *o, const iko_validate_stats *st)
{
	iko_buf b = IKO_BUF_INIT;
	iko_json j;
	char *path = iko_path_join(o->out_dir, "manifest.json");
	size_t i;
	int rc, r;

	if (!path)
		return IKO_ENOMEM;
	iko_json_init(&j, &b);
	iko_json_object_begin(&j);
	iko_json_kv_str(&j, "stage", "validate");
	iko_json_kv_str(&j, "schema", o->schema);
	{
		/* carry the pack of the transform output forward (the package names it) */
		char *ip = iko_path_join(o->in_dir, "manifest.json");
		iko_yaml_doc *m = NULL;
		if (ip && iko_path_exists(ip) && !iko_yaml_load_file(&m, ip)) {
			const char *pk = iko_yaml_str(iko_yaml_root(m), "pack", NULL);
			const char *pv = iko_yaml_str(iko_yaml_root(m), "pack_version", NULL);
			if (pk && pv) {
				iko_json_kv_str(&j, "pack", pk);
				iko_json_kv_str(&j, "pack_version", pv);
			}
		}
		iko_yaml_free(m);
		free(ip);
	}
	iko_json_key(&j, "tables");
	iko_json_array_begin(&j);
	for (i = 0; i < st->ntables; i++) {
		iko_json_object_begin(&j);
		iko_json_kv_str(&j, "table", st->tables[i].table);
		iko_json_kv_int(&j, "records_in", st->tables[i].records_in);
		iko_json_kv_int(&j, "records_out", st->tables[i].records_out);
		iko_json_kv_int(&j, "records_rejected", st->tables[i].records_rejected);
		iko_json_kv_int(&j, "warnings", st->tables[i].warnings);
		iko_json_object_end(&j);
	}
	iko_json_array_end(&j);
	iko_json_key(&j, "by_reason");
	iko_json_object_begin(&j);
	for (r = 0; r < IKO_R_COUNT_; r++)
		if (st->by_reason[r])
			iko_json_kv_int(&j, iko_reason_code((enum iko_reason)r), st->by_reason[r]);
	iko_json_object_end(&j);
	iko_json_kv_int(&j, "gaiji_records", st->gaiji_records);
	iko_json_object_end(&j);
	rc = iko_json_finish(&j);
	if (!rc)
		rc = iko_json_write_file(path, &b);
	iko_buf_release(&b);
	free(path);
	return rc;
}

/* The character set of the options (JIS X 0213 or an MJ list, plus the gaiji tables). */
static int make_charset(iko_charset **out, const iko_validate_options *o)
{
	size_t i;
	int rc;

	if ((rc = iko_charset_new(out)))
		return rc;
	if (o->charset_list && (rc = iko_charset_use_list(*out, o->charset_list)))
		return rc;
	for (i = 0; i < o->ncharset_extra; i++)
		if ((rc = iko_charset_add_gaiji_table(*out, o->charset_extra[i])))
			return rc;
	return 0;
}

/* table is one of o->tables (those transform writes, when it is followed) */
static int named(const iko_validate_options *o, const char *table)
{
	size_t i;

	for (i = 0; i < o->ntables; i++)
		if (!strcmp(o->tables[i], table))
			return 1;
	return 0;
}

int iko_validate_run(iko_validate_stats *out, const iko_validate_options *o)
{
	iko_schema *s = NULL;
	vctx c;
	vtable *vt = NULL;
	char *rpath = NULL;
	size_t i, n = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&c, 0, sizeof(c));
	if (!o->schema || !o->in_dir || !o->out_dir)
		return iko_error_set(IKO_EINVAL, "validate needs a schema, an input and an output directory");
	if ((rc = iko_schema_load_spec(&s, o->schema)) || (rc = iko_mkdir_p(o->out_dir, 1)) ||
	    (rc = make_charset(&c.cs, o)))
		goto done;
	c.o = o;
	c.s = s;
	c.st = out;
	vt = calloc(s->ntables, sizeof(*vt));
	out->tables = calloc(s->ntables, sizeof(*out->tables));
	rpath = iko_path_join(o->out_dir, "rejects.csv");
	if (!vt || !out->tables || !rpath) {
		rc = iko_error_set(IKO_ENOMEM, "out of memory");
		goto done;
	}
	/* Tables present in in_dir, household-like tables (keyed on setai_no) first. */
	for (i = 0; i < s->ntables; i++) {
		char *name = iko_aprintf("%s.csv", s->tables[i].name), *p;
		int present;
		if (!name)
			goto oom;
		p = iko_path_join(o->in_dir, name);
		free(name);
		if (!p)
			goto oom;
		present = o->in_follow ? named(o, s->tables[i].name) : iko_path_exists(p);
		free(p);
		if (!present)
			continue;
		if ((rc = vtable_init(&vt[n], &s->tables[i], o->in_dir)))
			goto done_n1;
		vt[n].stats = &out->tables[n];
		if (!(out->tables[n].table = iko_strdup(s->tables[i].name)))
			goto oom;
		n++;
		out->ntables = n;
	}
	if (n == 0) {
		rc = iko_error_set(IKO_ENOTFOUND, "%s: no CSV for any table of schema %s", o->in_dir, s->name);
		goto done;
	}
	if ((rc = iko_rejects_open(&c.rejects, rpath)))
		goto done;
	if (parallel_ok() && n > 1) {
		if ((rc = pass1_tables(&c, vt, n)))
			goto done;
	} else {
		for (i = 0; i < n; i++)
			if ((rc = pass1(&c, &vt[i], !strcmp(vt[i].t->name, "household"))))
				goto done;
	}
	for (i = 0; i < n; i++) {
		if (!strcmp(vt[i].t->name, "household")) {
			c.households = vt[i].keys;
		} else {
			/* pass 2 needs only the duplicates (and the household keys) */
			iko_strmap_free(vt[i].keys);
			vt[i].keys = NULL;
		}
	}
	for (i = 0; i < n; i++)
		if ((rc = pass2(&c, &vt[i])))
			goto done;
	if ((rc = iko_rejects_commit(c.rejects)))
		goto done;
	rc = write_manifest(o, out);
	goto done;
done_n1:
	n++;
	goto done;
oom:
	rc = iko_error_set(IKO_ENOMEM, "out of memory");
done:
	for (i = 0; vt && i < n && i < s->ntables; i++)
		if (vt[i].t)
			vtable_release(&vt[i]);
	free(vt);
	free(rpath);
	iko_buf_release(&c.key);
	iko_rejects_free(c.rejects);
	iko_charset_free(c.cs);
	iko_schema_free(s);
	return rc;
}

void iko_validate_stats_release(iko_validate_stats *st)
{
	size_t i;

	for (i = 0; st->tables && i < st->ntables; i++)
		free(st->tables[i].table);
	free(st->tables);
	memset(st, 0, sizeof(*st));
}
