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
	[IKO_R_RECLEN] = { "E_RECLEN", "レコード長がレイアウトと不一致" },
	[IKO_R_RDW] = { "E_RDW", "RDW/BDWの長さが不正" },
	[IKO_R_DECODE] = { "E_DECODE", "文字コード変換不可" },
	[IKO_R_ZONED] = { "E_ZONED", "ゾーン10進数が不正" },
	[IKO_R_PACKED] = { "E_PACKED", "パック10進数が不正" },
	[IKO_R_BINARY] = { "E_BINARY", "2進数が桁数を超過" },
	[IKO_R_RECTYPE] = { "E_RECTYPE", "レコード区分が不明" },
	[IKO_R_CSV] = { "E_CSV", "CSVレコードの形式誤り" },
	[IKO_R_FIELDS] = { "E_FIELDS", "項目数が不一致" },
	[IKO_R_CODE_UNMAPPED] = { "T_CODE_UNMAPPED", "コード変換表に未定義のコード" },
	[IKO_R_ERA_DATE] = { "T_ERA_DATE", "和暦日付を変換できない" },
	[IKO_R_MAP] = { "T_MAP", "項目変換エラー" },
	[IKO_R_REQUIRED] = { "V_REQUIRED", "必須項目が空" },
	[IKO_R_FORMAT] = { "V_FORMAT", "型・桁数・形式の誤り" },
	[IKO_R_CODE] = { "V_CODE", "コード値が標準のコード表にない" },
	[IKO_R_DATE] = { "V_DATE", "日付が不正" },
	[IKO_R_MY_NUMBER] = { "V_MY_NUMBER", "個人番号のチェックデジット誤り" },
	[IKO_R_LG_CODE] = { "V_LG_CODE", "団体コードのチェックデジット誤り" },
	[IKO_R_CORP_NUMBER] = { "V_CORP_NUMBER", "法人番号のチェックデジット誤り" },
	[IKO_R_DUP_KEY] = { "V_DUP_KEY", "キーの重複" },
	[IKO_R_HEAD_COUNT] = { "V_HEAD_COUNT", "世帯主が1人でない世帯" },
	[IKO_R_ORPHAN] = { "V_ORPHAN", "世帯番号が存在しない" },
	[IKO_R_REMOVAL] = { "V_REMOVAL", "住民状態と消除事由・消除日が不整合" },
	[IKO_R_FOREIGN] = { "V_FOREIGN", "外国人の国籍・在留資格が未設定" },
	[IKO_R_CHARSET] = { "V_CHARSET", "標準文字セット外の文字" },
	[IKO_R_GAIJI] = { "W_GAIJI", "外字が未登録（〓）" },
	[IKO_R_RULE] = { "V_RULE", "個別ルール違反" },
	[IKO_R_LOAD] = { "L_LOAD", "データベースへの登録エラー" },
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
