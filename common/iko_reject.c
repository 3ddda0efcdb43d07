/*
 * iko_reject.c — reason code tables and the rejects writer.
 */
#include "iko_reject.h"

#include "iko_buf.h"
#include "iko_csv.h"
#include "iko_error.h"

#include <stdlib.h>
#include <string.h>

static const struct {
	const char *code;
	const char *label;
} reasons[] = {
	[IKO_R_RECLEN] = { "record-length", "レコード長がレイアウトと不一致" },
	[IKO_R_RDW] = { "bad-rdw", "RDW・BDWの長さが不正" },
	[IKO_R_DECODE] = { "undecodable", "文字コード変換不可" },
	[IKO_R_ZONED] = { "bad-zoned", "ゾーン10進数が不正" },
	[IKO_R_PACKED] = { "bad-packed", "パック10進数が不正" },
	[IKO_R_BINARY] = { "bad-binary", "2進数が桁数を超過" },
	[IKO_R_RECTYPE] = { "unknown-record-type", "レコード区分が不明" },
	[IKO_R_CSV] = { "bad-csv", "CSVレコードの形式誤り" },
	[IKO_R_FIELDS] = { "field-count", "項目数が不一致" },
	[IKO_R_CODE_UNMAPPED] = { "unmapped-code", "コード変換表に未定義のコード" },
	[IKO_R_ERA_DATE] = { "era-date-invalid", "和暦日付を変換できない" },
	[IKO_R_ERA_NORMALISED] = { "era-normalised", "平成31年5月以降を令和に読替" },
	[IKO_R_MAP] = { "mapping-failed", "項目変換エラー" },
	[IKO_R_REQUIRED] = { "required", "必須項目が空" },
	[IKO_R_FORMAT] = { "bad-format", "型・形式の誤り" },
	[IKO_R_TOO_LONG] = { "too-long", "桁数超過" },
	[IKO_R_CODE] = { "unknown-code", "コード値が標準のコード表にない" },
	[IKO_R_DATE] = { "date-invalid", "日付が不正" },
	[IKO_R_CHECK_DIGIT] = { "check-digit", "チェックデジット誤り" },
	[IKO_R_WRONG_LG] = { "wrong-municipality", "他団体の団体コード" },
	[IKO_R_DUP_KEY] = { "duplicate-key", "キーの重複" },
	[IKO_R_NO_HEAD] = { "no-household-head", "世帯主のいない世帯" },
	[IKO_R_MANY_HEADS] = { "many-household-heads", "世帯主が複数いる世帯" },
	[IKO_R_ORPHAN] = { "orphan-member", "世帯番号が存在しない" },
	[IKO_R_REMOVAL] = { "removal-inconsistent", "住民状態と消除事由・消除日が不整合" },
	[IKO_R_FOREIGN] = { "foreign-fields-missing", "外国人の国籍・在留資格が未設定" },
	[IKO_R_CHARSET] = { "char-outside-set", "標準文字セット外の文字" },
	[IKO_R_GAIJI] = { "unmapped-gaiji", "外字が未登録（〓）" },
	[IKO_R_RULE] = { "pack-rule", "個別ルール違反" },
	[IKO_R_LOAD] = { "load-refused", "データベースへの登録エラー" },
};
_Static_assert(sizeof(reasons) / sizeof(reasons[0]) == IKO_R_COUNT_,
	       "reasons table must cover enum iko_reason");

const char *const iko_rejects_columns[11] = {
	"stage", "source", "record", "offset", "key", "reason",
	"severity", "field", "value", "detail", "raw_hex"
};

const char *iko_reason_code(enum iko_reason r)
{
	return (unsigned)r < IKO_R_COUNT_ ? reasons[r].code : "UNKNOWN";
}

const char *iko_reason_label(enum iko_reason r)
{
	return (unsigned)r < IKO_R_COUNT_ ? reasons[r].label : "不明";
}

int iko_reason_from_code(const char *code)
{
	int i;

	for (i = 0; i < IKO_R_COUNT_; i++)
		if (!strcmp(reasons[i].code, code))
			return i;
	return -1;
}

struct iko_rejects {
	iko_csv_writer *w;
	long long total;
	long long by_reason[IKO_R_COUNT_];
	iko_buf hex;
};

int iko_rejects_open(iko_rejects **out, const char *path)
{
	iko_rejects *r;
	int rc;

	*out = NULL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return iko_error_set(IKO_ENOMEM, "out of memory");
	rc = iko_csv_writer_open(&r->w, path, 0600);
	if (!rc)
		rc = iko_csv_write_row(r->w, iko_rejects_columns, 11);
	if (rc) {
		iko_rejects_free(r);
		return rc;
	}
	*out = r;
	return 0;
}

int iko_rejects_add(iko_rejects *r, const iko_reject *rj)
{
	int rc = 0;

	iko_buf_clear(&r->hex);
	if (rj->raw_len && (rc = iko_buf_put_hex(&r->hex, rj->raw, rj->raw_len)))
		return rc;
	if ((rc = iko_csv_write_str(r->w, rj->stage)) ||
	    (rc = iko_csv_write_str(r->w, rj->source)) ||
	    (rc = iko_csv_write_ll(r->w, rj->record)))
		return rc;
	if (rj->offset >= 0)
		rc = iko_csv_write_ll(r->w, rj->offset);
	else
		rc = iko_csv_write_str(r->w, "");
	if (rc || (rc = iko_csv_write_str(r->w, rj->key)) ||
	    (rc = iko_csv_write_str(r->w, iko_reason_code(rj->reason))) ||
	    (rc = iko_csv_write_str(r->w, rj->severity == IKO_SEV_WARN ? "warn" : "reject")) ||
	    (rc = iko_csv_write_str(r->w, rj->field)) ||
	    (rc = iko_csv_write_str(r->w, rj->value)) ||
	    (rc = iko_csv_write_str(r->w, rj->detail)) ||
	    (rc = iko_csv_write_str(r->w, iko_buf_cstr(&r->hex))) ||
	    (rc = iko_csv_end_row(r->w)))
		return rc;
	if ((unsigned)rj->reason < IKO_R_COUNT_)
		r->by_reason[rj->reason]++;
	if (rj->severity == IKO_SEV_REJECT)
		r->total++;
	return 0;
}

long long iko_rejects_total(const iko_rejects *r)
{
	return r->total;
}

long long iko_rejects_count(const iko_rejects *r, enum iko_reason reason)
{
	return (unsigned)reason < IKO_R_COUNT_ ? r->by_reason[reason] : 0;
}

int iko_rejects_commit(iko_rejects *r)
{
	return iko_csv_writer_commit(r->w);
}

void iko_rejects_free(iko_rejects *r)
{
	if (!r)
		return;
	iko_csv_writer_free(r->w);
	iko_buf_release(&r->hex);
	free(r);
}

/* ---- rejects in memory ------------------------------------------------------------ */

struct iko_reject_mem_entry {
	iko_reject rj;         /* key, value, detail, raw: offsets into text (as integers) */
	size_t key, value, detail, raw;
	int has_key, has_value, has_detail;
};

static int mem_put(iko_reject_mem *m, const void *s, size_t n, size_t *at)
{
	if (m->tlen + n + 1 > m->tcap) {
		size_t cap = m->tcap ? m->tcap : 4096;
		char *t;
		while (cap < m->tlen + n + 1)
			cap *= 2;
		if (!(t = realloc(m->text, cap)))
			return iko_error_set(IKO_ENOMEM, "out of memory");
		m->text = t;
		m->tcap = cap;
	}
	*at = m->tlen;
	if (n)
		memcpy(m->text + m->tlen, s, n);
	m->text[m->tlen + n] = '\0';
	m->tlen += n + 1;
	return 0;
}

int iko_reject_mem_add(iko_reject_mem *m, const iko_reject *rj)
{
	iko_reject_mem_entry *x;
	int rc;

	if (m->n == m->cap) {
		size_t n = m->cap ? m->cap * 2 : 64;
		iko_reject_mem_entry *a = realloc(m->e, n * sizeof(*a));
		if (!a)
			return iko_error_set(IKO_ENOMEM, "out of memory");
		m->e = a;
		m->cap = n;
	}
	x = &m->e[m->n];
	x->rj = *rj;
	x->has_key = rj->key != NULL;
	x->has_value = rj->value != NULL;
	x->has_detail = rj->detail != NULL;
	if ((rc = mem_put(m, rj->key, rj->key ? strlen(rj->key) : 0, &x->key)) ||
	    (rc = mem_put(m, rj->value, rj->value ? strlen(rj->value) : 0, &x->value)) ||
	    (rc = mem_put(m, rj->detail, rj->detail ? strlen(rj->detail) : 0, &x->detail)) ||
	    (rc = mem_put(m, rj->raw, rj->raw ? rj->raw_len : 0, &x->raw)))
		return rc;
	m->n++;
	return 0;
}

void iko_reject_mem_get(const iko_reject_mem *m, size_t i, iko_reject *rj)
{
	const iko_reject_mem_entry *x = &m->e[i];

	*rj = x->rj;
	rj->key = x->has_key ? m->text + x->key : NULL;
	rj->value = x->has_value ? m->text + x->value : NULL;
	rj->detail = x->has_detail ? m->text + x->detail : NULL;
	rj->raw = x->rj.raw ? m->text + x->raw : NULL;
}

int iko_reject_mem_flush(iko_reject_mem *m, iko_rejects *to)
{
	iko_reject rj;
	size_t i;
	int rc;

	for (i = 0; i < m->n; i++) {
		iko_reject_mem_get(m, i, &rj);
		if ((rc = iko_rejects_add(to, &rj)))
			return rc;
	}
	iko_reject_mem_clear(m);
	return 0;
}

void iko_reject_mem_clear(iko_reject_mem *m)
{
	m->n = 0;
	m->tlen = 0;
}

void iko_reject_mem_release(iko_reject_mem *m)
{
	free(m->e);
	free(m->text);
	memset(m, 0, sizeof(*m));
}
