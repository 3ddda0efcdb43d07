/*
 * iko_transform.c — the transform stage (see iko_transform.h).
 *
 * For each standard table the pack maps, stream the source CSV, compute
 * every column through its steps, and write the record or reject it with
 * the first failing column's reason. Counts balance per table:
 * records_in = records_out + records_rejected.
 */
#include "iko_transform.h"

#include "iko_batches.h"
#include "iko_buf.h"
#include "iko_checkdigit.h"
#include "iko_csv.h"
#include "iko_era.h"
#include "iko_error.h"
#include "iko_follow.h"
#include "iko_fs.h"
#include "iko_json.h"
#include "iko_pack_internal.h"
#include "iko_packrules.h"
#include "iko_schema.h"
#include "iko_utf8.h"
#include "iko_width.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Why a record failed (or warned) in a step. */
typedef struct step_issue {
	enum iko_reason reason;
	const char *column;
	iko_buf value;
	iko_buf detail;
} step_issue;

typedef struct run_ctx {
	const iko_transform_options *opts;
	const iko_table *table;
	const table_map *map;
	int *out_col;          /* per col_map: output column */
	size_t *order;         /* col_maps in mapping order: key columns first */
	int **src;             /* per col_map: source field indexes */
	iko_buf *vals;         /* per output column */
	int *set;              /* per output column: set by a mapping */
	iko_buf tmp;
	step_issue fail;
	step_issue warn;
	int nwarn;
	iko_rejects *rejects;
	const char *source;
	const iko_csv_row *row;
	long long record;
	iko_transform_table *stats;
	long long *by_reason;
	iko_packrules *rules;  /* the pack's extra rules for this table */
	step_issue first;      /* keep_going: the record's first failure */
	int first_set;
	iko_csv_writer *legacy; /* <table>.legacy.csv: key + offset of the record in the source */
	iko_buf lkey;
	long long src_bytes;   /* of the source CSV, read so far */
	struct tbatch *batch;  /* on a helper thread: issues go to the batch, not the file */
} run_ctx;

/* Records mapped on a helper thread. */
typedef struct tbatch {
	iko_csv_writer *out, *legacy; /* in memory */
	iko_reject_mem iss;    /* rejects and warnings, in record order */
	iko_transform_table st; /* records_out, records_rejected, warnings */
	long long by_reason[IKO_R_COUNT_];
} tbatch;

static int issue(step_issue *is, enum iko_reason r, const char *col, const char *val,
		 const char *detail)
{
	is->reason = r;
	is->column = col;
	iko_buf_clear(&is->value);
	iko_buf_clear(&is->detail);
	if (iko_buf_puts(&is->value, val) || iko_buf_puts(&is->detail, detail))
		return IKO_ENOMEM;
	return 1;
}

static int swap_tmp(run_ctx *c, iko_buf *cur)
{
	iko_buf t = *cur;

	*cur = c->tmp;
	c->tmp = t;
	iko_buf_clear(&c->tmp);
	return 0;
}

static int set_col(run_ctx *c, int col, const char *s)
{
	if (col < 0)
		return 0;
	iko_buf_clear(&c->vals[col]);
	c->set[col] = 1;
	return iko_buf_puts(&c->vals[col], s);
}

static int step_era(run_ctx *c, const col_map *cm, const map_step *st, iko_buf *cur)
{
	iko_era_date d;
	int rc;

	if (cur->len == 0) {
		if ((rc = set_col(c, st->unknown_flag_col, "0")))
			return rc;
		return set_col(c, st->note_col, "");
	}
	rc = iko_era_parse(&d, cur->ptr, cur->len, (iko_era_format)st->era_format);
	if (rc == IKO_ENOTFOUND) {
		iko_error_clear();
		iko_buf_clear(cur);
		if ((rc = set_col(c, st->unknown_flag_col, "0")))
			return rc;
		return set_col(c, st->note_col, "");
	}
	if (rc == IKO_EPARSE)
		return issue(&c->fail, IKO_R_ERA_DATE, cm->column, cur->ptr, iko_error_message());
	if (rc)
		return rc;
	if (d.status == IKO_ERA_WARN_NORMALISED) {
		iko_buf msg = IKO_BUF_INIT;
		iko_buf_printf(&msg, "%s: 平成 date after 2019-04-30 normalised to 令和 (%s)",
			       cur->ptr, d.unknown ? d.note : d.iso);
		rc = issue(&c->warn, IKO_R_ERA_NORMALISED, cm->column, cur->ptr, iko_buf_cstr(&msg));
		iko_buf_release(&msg);
		if (rc < 0)
			return rc;
		c->nwarn++;
	}
	if ((rc = set_col(c, st->unknown_flag_col, d.unknown ? "1" : "0")) ||
	    (rc = set_col(c, st->note_col, d.unknown ? d.note : "")))
		return rc;
	iko_buf_clear(cur);
	return d.unknown ? 0 : iko_buf_puts(cur, d.iso);
}

/* {date_format: "%Y%m%d"}: parse with the given pattern into ISO. */
static int step_date_format(run_ctx *c, const col_map *cm, const map_step *st, iko_buf *cur)
{
	const char *f = st->arg, *s = cur->ptr;
	int y = -1, m = -1, d = -1, *target, width;
	char iso[11];

	if (cur->len == 0)
		return 0;
	for (; *f; f++) {
		if (*f != '%') {
			if (*s++ != *f)
				goto bad;
			continue;
		}
		f++;
		target = *f == 'Y' ? &y : *f == 'm' ? &m : *f == 'd' ? &d : NULL;
		if (!target)
			goto bad;
		width = *f == 'Y' ? 4 : 2;
		*target = 0;
		for (; width > 0; width--, s++) {
			if (*s < '0' || *s > '9')
				goto bad;
			*target = *target * 10 + (*s - '0');
		}
	}
	if (*s || !iko_date_valid(y, m, d))
		goto bad;
	iko_date_format_iso(iso, y, m, d);
	iko_buf_clear(cur);
	return iko_buf_puts(cur, iso);
bad:
	{
		iko_buf msg = IKO_BUF_INIT;
		int rc;
		iko_buf_printf(&msg, "not a valid date in format %s", st->arg);
		rc = issue(&c->fail, IKO_R_MAP, cm->column, cur->ptr, iko_buf_cstr(&msg));
		iko_buf_release(&msg);
		return rc;
	}
}

static int step_code(run_ctx *c, const col_map *cm, const map_step *st, iko_buf *cur)
{
	const char *to;
	iko_buf msg = IKO_BUF_INIT;
	int rc;

	if (cur->len == 0)
		return 0;
	if (iko_code_table_map(st->codes, cur->ptr, &to)) {
		iko_buf_clear(&c->tmp);
		if ((rc = iko_buf_puts(&c->tmp, to)))
			return rc;
		return swap_tmp(c, cur);
	}
	if (c->opts->on_unmapped &&
	    (rc = c->opts->on_unmapped(c->opts->ud, c->table->name, cm->column,
				       iko_code_table_name(st->codes), cur->ptr)))
		return rc < 0 ? rc : IKO_ERROR;
	iko_buf_printf(&msg, "code \"%s\" is not in code table %s (unmapped: %s)", cur->ptr,
		       iko_code_table_name(st->codes),
		       iko_unmapped_policy_name(iko_code_table_policy(st->codes)));
	switch (iko_code_table_policy(st->codes)) {
	case IKO_UNMAPPED_REJECT:
		rc = issue(&c->fail, IKO_R_CODE_UNMAPPED, cm->column, cur->ptr, iko_buf_cstr(&msg));
		break;
	case IKO_UNMAPPED_WARN:
		rc = issue(&c->warn, IKO_R_CODE_UNMAPPED, cm->column, cur->ptr, iko_buf_cstr(&msg));
		if (rc > 0) {
			c->nwarn++;
			rc = 0;
		}
		break;
	default:
		rc = 0;
	}
	iko_buf_release(&msg);
	return rc;
}

static int step_regex(run_ctx *c, const map_step *st, iko_buf *cur)
{
	PCRE2_SIZE outlen = cur->len * 2 + 64;
	int rc;

	for (;;) {
		iko_buf_clear(&c->tmp);
		if ((rc = iko_buf_grow(&c->tmp, outlen)))
			return rc;
		rc = pcre2_substitute(st->re, (PCRE2_SPTR)iko_buf_cstr(cur), cur->len, 0,
				      PCRE2_SUBSTITUTE_GLOBAL | PCRE2_SUBSTITUTE_OVERFLOW_LENGTH,
				      NULL, NULL, (PCRE2_SPTR)st->replace, PCRE2_ZERO_TERMINATED,
				      (PCRE2_UCHAR *)c->tmp.ptr, &outlen);
		if (rc == PCRE2_ERROR_NOMEMORY)
			continue; /* outlen now holds the needed size */
		if (rc < 0)
			return iko_error_set(IKO_ECONV, "regex replace failed (%d)", rc);
		c->tmp.len = outlen;
		c->tmp.ptr[outlen] = '\0';
		return swap_tmp(c, cur);
	}
}

static int run_step(run_ctx *c, const col_map *cm, const map_step *st, iko_buf *cur)
{
	size_t off, n;
	const char *p;
	int rc, dg;

	switch (st->fn) {
	case MAP_TRIM:
		off = iko_utf8_ltrim_off(iko_buf_cstr(cur), cur->len);
		n = iko_utf8_rtrim_len(iko_buf_cstr(cur), cur->len);
		if (n < off)
			n = off;
		memmove(cur->ptr ? cur->ptr : c->tmp.ptr, iko_buf_cstr(cur) + off, n - off);
		iko_buf_truncate(cur, n - off);
		return 0;
	case MAP_ZENKAKU:
	case MAP_ZENKAKU_KANA:
		iko_buf_clear(&c->tmp);
		rc = iko_width_zenkaku(&c->tmp, iko_buf_cstr(cur), cur->len, st->fn == MAP_ZENKAKU);
		if (rc == IKO_ECONV)
			return issue(&c->fail, IKO_R_MAP, cm->column, cur->ptr, iko_error_message());
		return rc ? rc : swap_tmp(c, cur);
	case MAP_HANKAKU:
		iko_buf_clear(&c->tmp);
		rc = iko_width_hankaku(&c->tmp, iko_buf_cstr(cur), cur->len);
		if (rc == IKO_ECONV)
			return issue(&c->fail, IKO_R_MAP, cm->column, cur->ptr, iko_error_message());
		return rc ? rc : swap_tmp(c, cur);
	case MAP_ZERO_PAD:
		if (cur->len == 0 || cur->len >= (size_t)st->n)
			return 0;
		iko_buf_clear(&c->tmp);
		for (n = cur->len; n < (size_t)st->n; n++)
			if ((rc = iko_buf_putc(&c->tmp, '0')))
				return rc;
		if ((rc = iko_buf_put(&c->tmp, cur->ptr, cur->len)))
			return rc;
		return swap_tmp(c, cur);
	case MAP_SPLIT:
		p = cur->len ? strstr(cur->ptr, st->arg) : NULL;
		if (st->n == 1) {
			if (p)
				iko_buf_truncate(cur, (size_t)(p - cur->ptr));
		} else {
			iko_buf_clear(&c->tmp);
			if (p && (rc = iko_buf_puts(&c->tmp, p + strlen(st->arg))))
				return rc;
			return swap_tmp(c, cur);
		}
		return 0;
	case MAP_ERA_DATE:
		return step_era(c, cm, st, cur);
	case MAP_DATE_FORMAT:
		return step_date_format(c, cm, st, cur);
	case MAP_CODE:
	case MAP_LOOKUP:
		return step_code(c, cm, st, cur);
	case MAP_REGEX:
		return step_regex(c, st, cur);
	case MAP_LG_CHECK_DIGIT:
		if (cur->len == 6 && iko_lg_code_valid(cur->ptr, 6))
			return 0;
		dg = cur->len == 5 ? iko_lg_code_digit(cur->ptr) : -1;
		if (dg < 0)
			return issue(&c->fail, IKO_R_MAP, cm->column, iko_buf_cstr(cur),
				     "lg_check_digit needs a 5-digit code (or a valid 6-digit one)");
		return iko_buf_putc(cur, '0' + dg);
	case MAP_DEFAULT:
		return cur->len ? 0 : iko_buf_puts(cur, st->arg);
	case MAP_GAIJI:
	case MAP_FN_COUNT_:
		return 0;
	}
	return 0;
}

static int map_column(run_ctx *c, size_t i)
{
	const col_map *cm = &c->map->cols[i];
	iko_buf *cur = &c->vals[c->out_col[i]];
	size_t k;
	int rc;

	iko_buf_clear(cur);
	c->set[c->out_col[i]] = 1;
	if (cm->constant) {
		rc = iko_buf_puts(cur, strcmp(cm->constant, "$lg_code") ? cm->constant
									: c->opts->lg_code);
		if (rc)
			return rc;
	} else {
		for (k = 0; k < cm->nfrom; k++) {
			int f = c->src[i][k];
			if (k && (rc = iko_buf_puts(cur, cm->join)))
				return rc;
			if (f < (int)c->row->nfields &&
			    (rc = iko_buf_put(cur, c->row->fields[f], c->row->lens[f])))
				return rc;
		}
	}
	if (!cur->ptr && (rc = iko_buf_grow(cur, 16)))
		return rc;
	for (k = 0; k < cm->nsteps; k++)
		if ((rc = run_step(c, cm, &cm->steps[k], cur)))
			return rc;
	return 0;
}

/* The record's key without lg_code: "0001000003", or "2024|0001000003". */
static const char *row_key(run_ctx *c)
{
	size_t i;

	if (c->table->nkey <= 2)
		return iko_buf_cstr(&c->vals[c->table->nkey > 1 ? c->table->key[1] : 0]);
	iko_buf_clear(&c->tmp);
	for (i = 1; i < c->table->nkey; i++)
		if ((i > 1 && iko_buf_putc(&c->tmp, '|')) ||
		    iko_buf_puts(&c->tmp, iko_buf_cstr(&c->vals[c->table->key[i]])))
			return "";
	return iko_buf_cstr(&c->tmp);
}

static int emit_issue(run_ctx *c, const step_issue *is, enum iko_severity sev)
{
	iko_reject rj;

	memset(&rj, 0, sizeof(rj));
	rj.stage = "transform";
	rj.source = c->source;
	rj.record = c->record;
	rj.offset = c->row->offset;
	rj.key = row_key(c);
	rj.reason = is->reason;
	rj.severity = sev;
	rj.field = is->column;
	rj.value = iko_buf_cstr(&is->value);
	rj.detail = iko_buf_cstr(&is->detail);
	rj.raw = c->row->raw;
	rj.raw_len = c->row->raw_len;
	if ((unsigned)is->reason < IKO_R_COUNT_)
		c->by_reason[is->reason]++;
	return c->batch ? iko_reject_mem_add(&c->batch->iss, &rj) : iko_rejects_add(c->rejects, &rj);
}

/*
 * Where the legacy value beside the mapped one comes from. Transform does
 * not copy the source values (at 1M residents that was 229 MB written,
 * synced and mostly never read): <table>.legacy.csv holds, per record
 * written, its key (key columns joined by '|', as reconciliation keys
 * records) and the byte offset of its record in the extract CSV, and
 * <table>.legacy-columns.csv which source field(s) each mapped column
 * comes from — so reconciliation can put the 和暦 string next to the ISO
 * date, the vendor code next to the standard one, for the few records it
 * reports (docs/review.md).
 */
static int write_legacy_header(run_ctx *c)
{
	int rc;

	if ((rc = iko_csv_write_str(c->legacy, "key")) || (rc = iko_csv_write_str(c->legacy, "offset")))
		return rc;
	return iko_csv_end_row(c->legacy);
}

static int write_legacy(run_ctx *c)
{
	size_t i;
	int rc;

	iko_buf_clear(&c->lkey);
	for (i = 0; i < c->table->nkey; i++)
		if ((i && iko_buf_putc(&c->lkey, '|')) ||
		    iko_buf_puts(&c->lkey, iko_buf_cstr(&c->vals[c->table->key[i]])))
			return IKO_ENOMEM;
	if ((rc = iko_csv_write_field(c->legacy, iko_buf_cstr(&c->lkey), c->lkey.len)) ||
	    (rc = iko_csv_write_ll(c->legacy, c->row->offset)))
		return rc;
	return iko_csv_end_row(c->legacy);
}

/*
 * <table>.legacy-columns.csv: one row per source field of every mapped
 * column (column, field, join, source file, the bytes of it transform
 * read — a reader checks the file is still the one the offsets point into).
 */
static int write_legacy_columns(run_ctx *c, const char *path)
{
	static const char *const hdr[] = { "column", "field", "join", "source", "source_bytes" };
	iko_csv_writer *w = NULL;
	size_t i, k;
	int rc;

	if ((rc = iko_csv_writer_open(&w, path, 0600)) || (rc = iko_csv_write_row(w, hdr, 5)))
		goto done;
	for (i = 0; i < c->map->ncols && !rc; i++) {
		const col_map *cm = &c->map->cols[i];
		for (k = 0; k < cm->nfrom && !rc; k++)
			if ((rc = iko_csv_write_str(w, cm->column)) || (rc = iko_csv_write_str(w, cm->from[k])) ||
			    (rc = iko_csv_write_str(w, cm->join ? cm->join : "")) ||
			    (rc = iko_csv_write_str(w, c->source)) || (rc = iko_csv_write_ll(w, c->src_bytes)))
				break;
			else
				rc = iko_csv_end_row(w);
	}
	if (!rc)
		rc = iko_csv_writer_commit(w);
done:
	iko_csv_writer_free(w);
	return rc;
}

static int do_row(run_ctx *c, iko_csv_writer *w)
{
	size_t i;
	int rc;

	c->nwarn = 0;
	for (i = 0; i < c->table->ncols; i++) {
		iko_buf_clear(&c->vals[i]);
		c->set[i] = 0;
	}
	for (i = 0; i < c->map->ncols; i++) {
		int wr;
		rc = map_column(c, c->order[i]);
		if (rc < 0)
			return rc;
		if (c->nwarn) {
			if ((wr = emit_issue(c, &c->warn, IKO_SEV_WARN)))
				return wr;
			c->stats->warnings++;
			c->nwarn = 0;
		}
		if (rc > 0 && !c->opts->keep_going) {
			c->stats->records_rejected++;
			return emit_issue(c, &c->fail, IKO_SEV_REJECT);
		}
		if (rc > 0 && !c->first_set) {
			/* keep_going: remember the first failure, map the rest */
			c->first_set = 1;
			c->first.reason = c->fail.reason;
			c->first.column = c->fail.column;
			iko_buf_clear(&c->first.value);
			iko_buf_clear(&c->first.detail);
			if (iko_buf_puts(&c->first.value, iko_buf_cstr(&c->fail.value)) ||
			    iko_buf_puts(&c->first.detail, iko_buf_cstr(&c->fail.detail)))
				return IKO_ENOMEM;
		}
	}
	if (c->first_set) {
		c->first_set = 0;
		c->stats->records_rejected++;
		rc = emit_issue(c, &c->first, IKO_SEV_REJECT);
		c->first.column = NULL;
		return rc;
	}
	if (c->rules) {
		const char *col = NULL;
		rc = iko_packrules_check(c->rules, c->vals, &col, &c->fail.detail);
		if (rc < 0)
			return rc;
		if (rc > 0) {
			int k;
			c->fail.reason = IKO_R_RULE;
			c->fail.column = col;
			iko_buf_clear(&c->fail.value);
			for (k = 0; k < (int)c->table->ncols; k++)
				if (!strcmp(c->table->cols[k].name, col) &&
				    iko_buf_puts(&c->fail.value, c->table->cols[k].sensitive
						 ? "(masked)" : iko_buf_cstr(&c->vals[k])))
					return IKO_ENOMEM;
			c->stats->records_rejected++;
			return emit_issue(c, &c->fail, IKO_SEV_REJECT);
		}
	}
	for (i = 0; i < c->table->ncols; i++)
		if ((rc = iko_csv_write_field(w, iko_buf_cstr(&c->vals[i]), c->vals[i].len)))
			return rc;
	if ((rc = iko_csv_end_row(w)))
		return rc;
	c->stats->records_out++;
	return write_legacy(c);
}

static int is_key_col(const iko_table *t, int col)
{
	size_t i;

	for (i = 0; i < t->nkey; i++)
		if (t->key[i] == col)
			return 1;
	return 0;
}

/* Resolve output columns and source field indexes against the header. */
static int resolve(run_ctx *c, const iko_csv_row *hdr, const char *path)
{
	size_t i, k, j, n;

	for (i = 0; i < c->map->ncols; i++) {
		const col_map *cm = &c->map->cols[i];
		c->out_col[i] = iko_table_column(c->table, cm->column);
		if (c->out_col[i] < 0)
			return iko_error_set(IKO_EPARSE, "pack maps %s.%s, which is not a column of the schema",
					     c->table->name, cm->column);
		c->src[i] = calloc(cm->nfrom ? cm->nfrom : 1, sizeof(int));
		if (!c->src[i])
			return iko_error_set(IKO_ENOMEM, "out of memory");
		for (k = 0; k < cm->nfrom; k++) {
			c->src[i][k] = iko_csv_find(hdr, cm->from[k]);
			if (c->src[i][k] < 0)
				return iko_error_set(IKO_EPARSE, "pack maps %s.%s from field %s, which %s does not have",
						     c->table->name, cm->column, cm->from[k], path);
		}
		for (k = 0; k < cm->nsteps; k++) {
			map_step *st = &cm->steps[k];
			if (st->fn != MAP_ERA_DATE)
				continue;
			st->unknown_flag_col = st->unknown_flag ? iko_table_column(c->table, st->unknown_flag) : -1;
			st->note_col = st->note ? iko_table_column(c->table, st->note) : -1;
			if ((st->unknown_flag && st->unknown_flag_col < 0) || (st->note && st->note_col < 0))
				return iko_error_set(IKO_EPARSE, "%s.%s: era_date names a column the schema does not have",
						     c->table->name, cm->column);
		}
		for (j = 0; j < i; j++)
			if (c->out_col[j] == c->out_col[i])
				return iko_error_set(IKO_EPARSE, "pack maps %s.%s twice", c->table->name, cm->column);
	}
	/* key columns first, so every reject and warning carries the record's key */
	for (i = 0, n = 0; i < c->map->ncols; i++)
		if (is_key_col(c->table, c->out_col[i]))
			c->order[n++] = i;
	for (i = 0; i < c->map->ncols; i++)
		if (!is_key_col(c->table, c->out_col[i]))
			c->order[n++] = i;
	return 0;
}

/* ---- mapping on two threads ------------------------------------------------------ */

#define TWORK 2
#define TSLOT (2 * TWORK)
#define TBATCH (1u << 20)

typedef struct tworker {
	run_ctx c;
	iko_transform_table st;
} tworker;

typedef struct tpar {
	run_ctx *c;            /* the table's own context: writers, rejects, stats */
	iko_csv_writer *w;
	long long size;        /* input bytes, for progress (0: still being written) */
	const char *in;        /* its path */
	tworker wk[TWORK];
	tbatch b[TSLOT];
} tpar;

/* Map a batch: the loop of run_table's serial path, into the batch. */
static int tp_work(void *ctx, int w, iko_csv_reader *rd, void *batch)
{
	tpar *p = ctx;
	tbatch *b = batch;
	tworker *k = &p->wk[w];
	run_ctx *c = &k->c;
	iko_csv_row row;
	int rc;

	iko_reject_mem_clear(&b->iss);
	memset(&k->st, 0, sizeof(k->st));
	memset(b->by_reason, 0, sizeof(b->by_reason));
	c->batch = b;
	c->legacy = b->legacy;
	c->by_reason = b->by_reason;
	while ((rc = iko_csv_next(rd, &row)) != 0) {
		c->row = &row;
		c->record = row.record - 1;
		if (rc == IKO_EPARSE) {
			step_issue is = { IKO_R_CSV, NULL, IKO_BUF_INIT, IKO_BUF_INIT };
			rc = iko_buf_puts(&is.detail, iko_error_message()) ? IKO_ENOMEM : 0;
			k->st.records_rejected++;
			if (!rc)
				rc = emit_issue(c, &is, IKO_SEV_REJECT);
			iko_buf_release(&is.detail);
			if (rc)
				return rc;
			continue;
		}
		if (rc < 0 || (rc = do_row(c, b->out)) < 0)
			return rc;
	}
	b->st = k->st;
	return 0;
}

/*
 * The input's size for the progress estimate: size, or while extract still
 * writes the file (size 0, read through the follow set) the size extract
 * expects it to have.
 */
static long long input_size(const iko_transform_options *o, const char *in, long long size)
{
	return size <= 0 && o->follow ? iko_follow_expected(o->follow, in) : size;
}

/* Write a mapped batch: rows, legacy values and issues in record order. */
static int tp_drain(void *ctx, void *batch, const iko_csv_batch *pos)
{
	tpar *p = ctx;
	tbatch *b = batch;
	run_ctx *c = p->c;
	long long size;
	size_t i;
	int rc;

	if ((rc = iko_csv_writer_move(p->w, b->out)) || (rc = iko_csv_writer_move(c->legacy, b->legacy)) ||
	    (rc = iko_reject_mem_flush(&b->iss, c->rejects)))
		return rc;
	for (i = 0; i < IKO_R_COUNT_; i++)
		c->by_reason[i] += b->by_reason[i];
	c->stats->records_in += pos->records;
	c->src_bytes = pos->offset + (long long)pos->len;
	c->stats->records_out += b->st.records_out;
	c->stats->records_rejected += b->st.records_rejected;
	c->stats->warnings += b->st.warnings;
	size = input_size(c->opts, p->in, p->size);
	/* validate, following the file, sizes its key set by this */
	iko_csv_writer_expect(p->w, 0, c->src_bytes, size);
	if (c->opts->progress)
		c->opts->progress("transform", c->stats->records_in,
				  iko_progress_total(c->stats->records_in, c->src_bytes, size), c->opts->payload);
	return 0;
}

static int parallel_ok(const iko_transform_options *o)
{
	const char *e = getenv("IKO_TRANSFORM_THREADS");

	/* the coverage report's callback is not for threads */
	return !o->on_unmapped && !(e && !strcmp(e, "1"));
}

/*
 * The records of `in` after its header, mapped on two threads. Each thread
 * has a context of its own (buffers, pack rules); rows, legacy values,
 * rejects and counts come out exactly as the serial loop writes them.
 */
static int run_rows_parallel(run_ctx *c, const iko_pack *pack, const char *in, long long size, iko_csv_writer *w)
{
	tpar *p = calloc(1, sizeof(*p));
	void *slots[TSLOT];
	iko_csv_batches_ops ops = { NULL, tp_work, tp_drain };
	size_t i, n;
	int rc = IKO_ENOMEM;

	if (!p)
		return iko_error_set(IKO_ENOMEM, "out of memory");
	p->c = c;
	p->w = w;
	p->size = size;
	p->in = in;
	ops.ctx = p;
	n = c->table->ncols;
	for (i = 0; i < TWORK; i++) {
		run_ctx *k = &p->wk[i].c;
		*k = *c;
		memset(&k->tmp, 0, sizeof(k->tmp));
		memset(&k->fail, 0, sizeof(k->fail));
		memset(&k->warn, 0, sizeof(k->warn));
		memset(&k->first, 0, sizeof(k->first));
		memset(&k->lkey, 0, sizeof(k->lkey));
		k->first_set = 0;
		k->stats = &p->wk[i].st;
		k->rules = NULL;
		k->vals = calloc(n, sizeof(iko_buf));
		k->set = calloc(n, sizeof(int));
		if (!k->vals || !k->set)
			goto done;
		if (c->rules && (rc = iko_packrules_load(&k->rules, pack, c->table)))
			goto done;
	}
	for (i = 0; i < TSLOT; i++) {
		slots[i] = &p->b[i];
		if ((rc = iko_csv_writer_open_mem(&p->b[i].out)) || (rc = iko_csv_writer_open_mem(&p->b[i].legacy)))
			goto done;
	}
	rc = iko_csv_batches_run(in, in, TBATCH, &ops, slots, TSLOT, TWORK, c->opts->follow);
done:
	for (i = 0; i < TWORK; i++) {
		run_ctx *k = &p->wk[i].c;
		size_t j;
		for (j = 0; k->vals && j < n; j++)
			iko_buf_release(&k->vals[j]);
		free(k->vals);
		free(k->set);
		iko_buf_release(&k->tmp);
		iko_buf_release(&k->fail.value);
		iko_buf_release(&k->fail.detail);
		iko_buf_release(&k->first.value);
		iko_buf_release(&k->first.detail);
		iko_buf_release(&k->warn.value);
		iko_buf_release(&k->warn.detail);
		iko_buf_release(&k->lkey);
		iko_packrules_free(k->rules);
	}
	for (i = 0; i < TSLOT; i++) {
		iko_reject_mem_release(&p->b[i].iss);
		iko_csv_writer_free(p->b[i].out);
		iko_csv_writer_free(p->b[i].legacy);
	}
	free(p);
	return rc;
}

static int run_table(const iko_transform_options *o, const iko_pack *pack, const iko_table *t,
		     const table_map *m, iko_rejects *rejects, iko_transform_stats *st,
		     iko_transform_table *ts)
{
	run_ctx c;
	iko_csv_reader *r = NULL;
	iko_csv_writer *w = NULL;
	iko_csv_row row;
	char *name = NULL, *in = NULL, *outp = NULL, *lpath = NULL, *cpath = NULL;
	size_t i;
	int rc;

	memset(&c, 0, sizeof(c));
	c.opts = o;
	c.table = t;
	c.map = m;
	c.rejects = rejects;
	c.stats = ts;
	c.by_reason = st->by_reason;
	c.out_col = calloc(m->ncols + 1, sizeof(int));
	c.order = calloc(m->ncols + 1, sizeof(size_t));
	c.src = calloc(m->ncols + 1, sizeof(int *));
	c.vals = calloc(t->ncols, sizeof(iko_buf));
	c.set = calloc(t->ncols, sizeof(int));
	name = iko_aprintf("%s.csv", m->from);
	in = name ? iko_path_join(o->in_dir, name) : NULL;
	outp = iko_aprintf("%s/%s.csv", o->out_dir, t->name);
	if (!c.out_col || !c.order || !c.src || !c.vals || !c.set || !in || !outp) {
		rc = iko_error_set(IKO_ENOMEM, "out of memory");
		goto done;
	}
	ts->table = iko_strdup(t->name);
	ts->source = iko_strdup(name);
	c.source = name;
	if ((rc = iko_packrules_load(&c.rules, pack, t)))
		goto done;
	if (!iko_packrules_count(c.rules)) {
		iko_packrules_free(c.rules);
		c.rules = NULL;
	}
	/* with o->follow extract may still be writing it: read as it grows */
	if ((rc = iko_csv_reader_open_follow(&r, in, o->follow)))
		goto done;
	rc = iko_csv_next(r, &row);
	if (rc <= 0) {
		rc = rc ? rc : iko_error_set(IKO_EPARSE, "%s: empty file (no header)", in);
		goto done;
	}
	c.src_bytes = row.offset + (long long)row.raw_len;
	if ((rc = resolve(&c, &row, in)) || (rc = iko_csv_writer_open(&w, outp, 0600)) ||
	    (rc = iko_csv_writer_follow(w, o->out_follow)))
		goto done;
	lpath = iko_aprintf("%s/%s.legacy.csv", o->out_dir, t->name);
	cpath = iko_aprintf("%s/%s.legacy-columns.csv", o->out_dir, t->name);
	if (!lpath || !cpath) {
		rc = IKO_ENOMEM;
		goto done;
	}
	if ((rc = iko_csv_writer_open(&c.legacy, lpath, 0600)) || (rc = write_legacy_header(&c)))
		goto done;
	for (i = 0; i < t->ncols; i++)
		if ((rc = iko_csv_write_str(w, t->cols[i].name)))
			goto done;
	if ((rc = iko_csv_end_row(w)))
		goto done;
	if (parallel_ok(o)) {
		long long size = iko_csv_reader_size(r);
		iko_csv_reader_free(r);
		r = NULL;
		if ((rc = run_rows_parallel(&c, pack, in, size, w)))
			goto done;
	}
	while (r && (rc = iko_csv_next(r, &row)) != 0) {
		c.row = &row;
		c.record = row.record - 1;
		ts->records_in++;
		if (rc == IKO_EPARSE) {
			step_issue is = { IKO_R_CSV, NULL, IKO_BUF_INIT, IKO_BUF_INIT };
			iko_buf_puts(&is.detail, iko_error_message());
			ts->records_rejected++;
			rc = emit_issue(&c, &is, IKO_SEV_REJECT);
			iko_buf_release(&is.detail);
			if (rc)
				goto done;
			continue;
		}
		if (rc < 0 || (rc = do_row(&c, w)) < 0)
			goto done;
		if ((ts->records_in & 0x3fff) == 0) {
			long long size = input_size(o, in, iko_csv_reader_size(r));
			iko_csv_writer_expect(w, 0, iko_csv_reader_tell(r), size);
			if (o->progress)
				o->progress("transform", ts->records_in,
					    iko_progress_total(ts->records_in, iko_csv_reader_tell(r), size), o->payload);
		}
	}
	if (ts->records_in != ts->records_out + ts->records_rejected) {
		rc = iko_error_set(IKO_ERROR, "%s: counts do not balance (%lld in, %lld out, %lld rejected)",
				   t->name, ts->records_in, ts->records_out, ts->records_rejected);
		goto done;
	}
	if (r)
		c.src_bytes = iko_csv_reader_tell(r);
	rc = iko_csv_writer_commit(w);
	if (!rc)
		rc = iko_csv_writer_commit(c.legacy);
	if (!rc)
		rc = write_legacy_columns(&c, cpath);
done:
	iko_packrules_free(c.rules);
	iko_csv_writer_free(w);
	iko_csv_writer_free(c.legacy);
	iko_buf_release(&c.lkey);
	free(lpath);
	free(cpath);
	iko_csv_reader_free(r);
	for (i = 0; c.src && i < m->ncols; i++)
		free(c.src[i]);
	for (i = 0; c.vals && i < t->ncols; i++)
		iko_buf_release(&c.vals[i]);
	iko_buf_release(&c.tmp);
	iko_buf_release(&c.fail.value);
	iko_buf_release(&c.fail.detail);
	iko_buf_release(&c.first.value);
	iko_buf_release(&c.first.detail);
	iko_buf_release(&c.warn.value);
	iko_buf_release(&c.warn.detail);
	free(c.src);
	free(c.vals);
	free(c.set);
	free(c.out_col);
	free(c.order);
	free(name);
	free(in);
	free(outp);
	return rc;
}

static int write_manifest(const iko_transform_options *o, const iko_transform_stats *st)
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
	iko_json_kv_str(&j, "stage", "transform");
	iko_json_kv_str(&j, "pack", st->pack_name);
	iko_json_kv_str(&j, "pack_version", st->pack_version);
	iko_json_kv_str(&j, "schema", st->schema_name);
	iko_json_kv_str(&j, "lg_code", o->lg_code);
	iko_json_kv_str(&j, "overlay", st->overlay);
	iko_json_kv_int(&j, "overlay_overrides", (long long)st->overlay_overrides);
	iko_json_key(&j, "tables");
	iko_json_array_begin(&j);
	for (i = 0; i < st->ntables; i++) {
		const iko_transform_table *t = &st->tables[i];
		iko_json_object_begin(&j);
		iko_json_kv_str(&j, "table", t->table);
		iko_json_kv_str(&j, "source", t->source);
		iko_json_kv_int(&j, "records_in", t->records_in);
		iko_json_kv_int(&j, "records_out", t->records_out);
		iko_json_kv_int(&j, "records_rejected", t->records_rejected);
		iko_json_kv_int(&j, "warnings", t->warnings);
		iko_json_object_end(&j);
	}
	iko_json_array_end(&j);
	iko_json_key(&j, "by_reason");
	iko_json_object_begin(&j);
	for (r = 0; r < IKO_R_COUNT_; r++)
		if (st->by_reason[r])
			iko_json_kv_int(&j, iko_reason_code((enum iko_reason)r), st->by_reason[r]);
	iko_json_object_end(&j);
	iko_json_object_end(&j);
	rc = iko_json_finish(&j);
	if (!rc)
		rc = iko_json_write_file(path, &b);
	iko_buf_release(&b);
	free(path);
	return rc;
}

int iko_transform_run(iko_transform_stats *out, const iko_transform_options *o)
{
	iko_pack *pack = NULL;
	iko_schema *schema = NULL;
	iko_rejects *rejects = NULL;
	char *rpath = NULL;
	size_t i, j;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!o->pack_dir || !o->lg_code || !o->in_dir || !o->out_dir)
		return iko_error_set(IKO_EINVAL, "transform needs a pack, an lg_code, an input and an output directory");
	if (!iko_lg_code_valid(o->lg_code, strlen(o->lg_code)))
		return iko_error_set(IKO_EINVAL, "invalid 団体コード %s (6 digits with a valid check digit)", o->lg_code);
	if ((rc = iko_pack_load(&pack, o->pack_dir, o->lg_code)) ||
	    (rc = iko_schema_load_named(&schema, iko_pack_schema(pack))) ||
	    (rc = iko_mkdir_p(o->out_dir, 1)))
		goto done;
	out->pack_name = iko_strdup(iko_pack_name(pack));
	out->pack_version = iko_strdup(iko_pack_version(pack));
	out->schema_name = iko_strdup(iko_pack_schema(pack));
	out->overlay = iko_pack_overlay(pack) ? iko_strdup(iko_pack_overlay(pack)) : NULL;
	out->overlay_overrides = iko_pack_overlay_overrides(pack);
	out->tables = calloc(pack->ntables + 1, sizeof(*out->tables));
	rpath = iko_path_join(o->out_dir, "rejects.csv");
	if (!out->tables || !rpath || !out->pack_name || !out->pack_version) {
		rc = iko_error_set(IKO_ENOMEM, "out of memory");
		goto done;
	}
	if ((rc = iko_rejects_open(&rejects, rpath)))
		goto done;
	for (i = 0; i < schema->ntables; i++) {
		const iko_table *t = &schema->tables[i];
		for (j = 0; j < pack->ntables; j++) {
			if (strcmp(pack->tables[j].table, t->name))
				continue;
			rc = run_table(o, pack, t, &pack->tables[j], rejects, out,
				       &out->tables[out->ntables++]);
			if (rc)
				goto done;
		}
	}
	for (j = 0; j < pack->ntables; j++)
		if (!iko_schema_table(schema, pack->tables[j].table)) {
			rc = iko_error_set(IKO_EPARSE, "pack maps table %s, which schema %s does not have",
					   pack->tables[j].table, schema->name);
			goto done;
		}
	if ((rc = iko_rejects_commit(rejects)))
		goto done;
	rc = write_manifest(o, out);
done:
	iko_rejects_free(rejects);
	free(rpath);
	iko_schema_free(schema);
	iko_pack_free(pack);
	return rc;
}

void iko_transform_stats_release(iko_transform_stats *st)
{
	size_t i;

	for (i = 0; st->tables && i < st->ntables; i++) {
		free(st->tables[i].table);
		free(st->tables[i].source);
	}
	free(st->tables);
	free(st->pack_name);
	free(st->schema_name);
	free(st->pack_version);
	free(st->overlay);
	memset(st, 0, sizeof(*st));
}
