/*
 * test_rules.c — the table-level checks of validate/iko_validate.c: key
 * uniqueness, the household rules (one 世帯主 per current household, the
 * household record exists) and the state rules (住民状態 vs 消除 date and
 * 異動事由, 死亡, 外国人), with exact rows, columns and counts.
 */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "iko_csv.h"
#include "iko_error.h"
#include "iko_follow.h"
#include "iko_fs.h"
#include "iko_recidx.h"
#include "vx_helpers.h"

Suite *vrules_suite(void);

/* One expected rejects row. */
typedef struct exp_rj {
	const char *record, *key, *reason, *field, *value, *detail;
} exp_rj;

static void check_rejects(const exp_rj *e, size_t n)
{
	vx_csv rj;
	size_t i;

	vx_csv_load(&rj, "out/rejects.csv");
	for (i = 0; i < n && i < rj.nrows; i++) {
		ck_assert_str_eq(vx_cell(&rj, i, "source"), e[i].record[0] == 'h' ? "household" : "resident");
		ck_assert_str_eq(vx_cell(&rj, i, "record"), e[i].record + (e[i].record[0] == 'h'));
		ck_assert_str_eq(vx_cell(&rj, i, "key"), e[i].key);
		ck_assert_msg(!strcmp(vx_cell(&rj, i, "reason"), e[i].reason), "row %zu: %s, not %s", i,
			      vx_cell(&rj, i, "reason"), e[i].reason);
		ck_assert_str_eq(vx_cell(&rj, i, "severity"), "reject");
		ck_assert_str_eq(vx_cell(&rj, i, "field"), e[i].field);
		ck_assert_str_eq(vx_cell(&rj, i, "value"), e[i].value);
		ck_assert_str_eq(vx_cell(&rj, i, "detail"), e[i].detail);
	}
	ck_assert_uint_eq(rj.nrows, n);
	vx_csv_free(&rj);
}

#define SET(...) ((const char *const[]){ __VA_ARGS__, NULL })

START_TEST(test_duplicate_key)
{
	/* resident before household (schema order); every occurrence of a key is rejected */
	static const exp_rj e[] = {
		{ "1", "100", "duplicate-key", "atena_no", "100", "key occurs 2 times; every occurrence is rejected" },
		{ "3", "100", "duplicate-key", "atena_no", "100", "key occurs 2 times; every occurrence is rejected" },
		{ "4", "101", "wrong-municipality", "lg_code", "131016",
		  "lg_code 131016 does not match the municipality 435015" },
		{ "h2", "10", "duplicate-key", "setai_no", "10", "key occurs 3 times; every occurrence is rejected" },
		{ "h3", "10", "duplicate-key", "setai_no", "10", "key occurs 3 times; every occurrence is rejected" },
		{ "h4", "10", "duplicate-key", "setai_no", "10", "key occurs 3 times; every occurrence is rejected" },
	};
	iko_buf r = IKO_BUF_INIT, h = IKO_BUF_INIT;
	iko_validate_stats st;

	vx_resident_header(&r);
	vx_resident(&r, "100", "1", NULL);
	vx_resident(&r, "101", "2", NULL);
	vx_resident(&r, "100", "3", SET("name=別人"));
	/* the same atena_no under another lg_code is another key (rejected for its lg_code) */
	vx_resident(&r, "101", "4", SET("lg_code=131016"));
	vx_write("in/resident.csv", iko_buf_cstr(&r));
	vx_household_header(&h);
	vx_household(&h, "1", "100", 1);
	vx_household(&h, "10", "101", 1);
	vx_household(&h, "10", "101", 1);
	vx_household(&h, "10", "101", 1);
	vx_household(&h, "2", "101", 1);
	vx_household(&h, "3", "100", 1);
	vx_household(&h, "4", "101", 1);
	vx_write("in/household.csv", iko_buf_cstr(&h));
	ck_assert_int_eq(vx_run(&st, NULL, NULL, 0), 0);
	check_rejects(e, sizeof(e) / sizeof(e[0]));
	ck_assert_int_eq(vx_table(&st, "resident")->records_in, 4);
	ck_assert_int_eq(vx_table(&st, "resident")->records_out, 1);
	ck_assert_int_eq(vx_table(&st, "resident")->records_rejected, 3);
	ck_assert_int_eq(vx_table(&st, "household")->records_in, 7);
	ck_assert_int_eq(vx_table(&st, "household")->records_out, 4);
	ck_assert_int_eq(vx_table(&st, "household")->records_rejected, 3);
	ck_assert_int_eq(st.by_reason[IKO_R_DUP_KEY], 5);
	ck_assert_int_eq(st.by_reason[IKO_R_WRONG_LG], 1);
	iko_validate_stats_release(&st);
	iko_buf_release(&r);
	iko_buf_release(&h);
}
END_TEST

/*
 * A header and n residents living alone, atena_no (and setai_no) first,
 * first + 1, ...; every seventh (the first included) with `every7` set.
 */
static void residents(iko_buf *r, int first, int n, const char *const *every7)
{
	char atena[16];
	int i;

	vx_resident_header(r);
	for (i = 0; i < n; i++) {
		snprintf(atena, sizeof(atena), "%d", first + i);
		vx_resident(r, atena, atena, i % 7 ? NULL : every7);
	}
}

/*
 * Keys that share a hash are not duplicates. Pass 1 counts the hashes of
 * resident's keys; with IKO_VALIDATE_KEY_HASH_BITS=2 every key shares one
 * of four hashes with about a hundred others, all of them candidates, and
 * only the two keys that really occur twice may be rejected (the second
 * read counts the candidates' keys exactly). The same rejects without it.
 */
START_TEST(test_duplicate_key_shared_hashes)
{
	static const char *const bits[] = { NULL, "2", "1" };
	static const exp_rj e[] = {
		{ "8", "1007", "duplicate-key", "atena_no", "1007", "key occurs 2 times; every occurrence is rejected" },
		{ "351", "1350", "duplicate-key", "atena_no", "1350", "key occurs 2 times; every occurrence is rejected" },
		{ "401", "1007", "duplicate-key", "atena_no", "1007", "key occurs 2 times; every occurrence is rejected" },
		{ "402", "1350", "duplicate-key", "atena_no", "1350", "key occurs 2 times; every occurrence is rejected" },
	};
	size_t b;

	for (b = 0; b < sizeof(bits) / sizeof(bits[0]); b++) {
		iko_buf r = IKO_BUF_INIT;
		iko_validate_stats st;

		if (bits[b])
			setenv("IKO_VALIDATE_KEY_HASH_BITS", bits[b], 1);
		residents(&r, 1000, 400, NULL);
		vx_resident(&r, "1007", "9001", NULL);
		vx_resident(&r, "1350", "9002", NULL);
		vx_write("in/resident.csv", iko_buf_cstr(&r));
		ck_assert_int_eq(vx_run(&st, NULL, NULL, 0), 0);
		check_rejects(e, sizeof(e) / sizeof(e[0]));
		ck_assert_int_eq(vx_table(&st, "resident")->records_in, 402);
		ck_assert_int_eq(vx_table(&st, "resident")->records_out, 398);
		ck_assert_int_eq(st.by_reason[IKO_R_DUP_KEY], 4);
		iko_validate_stats_release(&st);
		iko_buf_release(&r);
		/* no key twice, every hash shared: nothing rejected */
		residents(&r, 1000, 400, NULL);
		vx_write("in/resident.csv", iko_buf_cstr(&r));
		ck_assert_int_eq(vx_run(&st, NULL, NULL, 0), 0);
		ck_assert_int_eq(vx_table(&st, "resident")->records_out, 400);
		ck_assert_int_eq(vx_table(&st, "resident")->records_rejected, 0);
		iko_validate_stats_release(&st);
		iko_buf_release(&r);
		unsetenv("IKO_VALIDATE_KEY_HASH_BITS");
	}
}
END_TEST

/*
 * validate/<table>.index: per record written, its offset in <table>.csv
 * and the hashes of its key and of all its values — exactly what reading
 * the CSV back gives (quoted values included), on one thread and on two
 * (4000 records: several batches, whose offsets are shifted when written),
 * with the rejected records left out. An index whose CSV has changed
 * since (one byte more, another time) or that is cut short is not used.
 */
static void check_index(size_t nexpect, iko_recidx_ent **out)
{
	char *csv = iko_path_join(vx_dir, "out/resident.csv"), *ix = iko_path_join(vx_dir, "out/resident.index");
	iko_csv_reader *rd = NULL;
	iko_recidx_ent *e = NULL;
	iko_csv_row row;
	size_t n = 0, i = 0, k;
	int lg, atena;

	ck_assert_int_eq(iko_recidx_load(&e, &n, ix, csv), 1);
	ck_assert_uint_eq(n, nexpect);
	ck_assert_int_eq(iko_csv_reader_open(&rd, csv), 0);
	ck_assert_int_eq(iko_csv_next(rd, &row), 1);
	lg = iko_csv_find(&row, "lg_code");
	atena = iko_csv_find(&row, "atena_no");
	ck_assert(lg >= 0 && atena >= 0);
	while (iko_csv_next(rd, &row) == 1) {
		uint64_t rh = IKO_RH_SEED, kh = IKO_RH_SEED;
		ck_assert_uint_lt(i, n);
		for (k = 0; k < row.nfields; k++)
			rh = iko_rh(rh, row.fields[k], row.lens[k]);
		kh = iko_rh(iko_rh(kh, row.fields[lg], row.lens[lg]), row.fields[atena], row.lens[atena]);
		ck_assert_int_eq(e[i].off, row.offset);
		ck_assert(e[i].rh == rh);
		ck_assert(e[i].kh == kh);
		i++;
	}
	ck_assert_uint_eq(i, n);
	iko_csv_reader_free(rd);
	free(csv);
	free(ix);
	*out = e;
}

/* An index of n entries for csv as it is now. */
static void write_index(const char *ix, const char *csv, const iko_recidx_ent *e, size_t n)
{
	iko_recidx_writer *w = NULL;

	ck_assert_int_eq(iko_recidx_writer_open(&w, ix), 0);
	ck_assert_int_eq(iko_recidx_writer_add(w, e, n), 0);
	ck_assert_int_eq(iko_recidx_writer_commit(w, csv), 0);
	iko_recidx_writer_free(w);
}

START_TEST(test_record_index)
{
	static const char *const threads[] = { NULL, "1" };
	static const char *const quoted[] = { "katagaki=コーポ,\"みどり\" 101", NULL };
	iko_recidx_ent *e[2] = { NULL, NULL };
	char *csv, *ix;
	size_t t;

	for (t = 0; t < 2; t++) {
		iko_buf r = IKO_BUF_INIT;
		iko_validate_stats st;

		if (threads[t])
			setenv("IKO_VALIDATE_THREADS", threads[t], 1);
		residents(&r, 10000, 4000, quoted);
		vx_resident(&r, "10003", "9001", NULL); /* a duplicate: 10003 twice, both rejected */
		vx_write("in/resident.csv", iko_buf_cstr(&r));
		ck_assert_int_eq(vx_run(&st, NULL, NULL, 0), 0);
		ck_assert_int_eq(vx_table(&st, "resident")->records_out, 3999);
		check_index(3999, &e[t]);
		iko_validate_stats_release(&st);
		iko_buf_release(&r);
		unsetenv("IKO_VALIDATE_THREADS");
	}
	ck_assert_int_eq(memcmp(e[0], e[1], 3999 * sizeof(*e[0])), 0);
	free(e[1]);
	e[1] = NULL;
	csv = iko_path_join(vx_dir, "out/resident.csv");
	ix = iko_path_join(vx_dir, "out/resident.index");
	{
		iko_recidx_ent *x = NULL;
		size_t n = 7;
		struct timespec ts[2] = { { 0, UTIME_OMIT }, { 1000000000, 0 } };
		FILE *fp;
		long sz;

		/* another time, same bytes */
		ck_assert_int_eq(utimensat(AT_FDCWD, csv, ts, 0), 0);
		ck_assert_int_eq(iko_recidx_load(&x, &n, ix, csv), 0);
		ck_assert_ptr_null(x);
		ck_assert_uint_eq(n, 0);
		/* a fresh index for it is used again; one byte more is not */
		write_index(ix, csv, e[0], 3999);
		ck_assert_int_eq(iko_recidx_load(&x, &n, ix, csv), 1);
		ck_assert_uint_eq(n, 3999);
		free(x);
		ck_assert_ptr_nonnull(fp = fopen(csv, "ab"));
		fputc('x', fp);
		fclose(fp);
		ck_assert_int_eq(iko_recidx_load(&x, &n, ix, csv), 0);
		/* an index cut short */
		ck_assert_ptr_nonnull(fp = fopen(csv, "r+b"));
		ck_assert_int_eq(fseek(fp, 0, SEEK_END), 0);
		sz = ftell(fp);
		fclose(fp);
		ck_assert_int_eq(truncate(csv, sz - 1), 0);
		write_index(ix, csv, e[0], 3999);
		ck_assert_int_eq(iko_recidx_load(&x, &n, ix, csv), 1);
		free(x);
		ck_assert_int_eq(truncate(ix, 48 + 3998 * 24 + 10), 0);
		ck_assert_int_eq(iko_recidx_load(&x, &n, ix, csv), 0);
		/* no index at all */
		ck_assert_int_eq(unlink(ix), 0);
		ck_assert_int_eq(iko_recidx_load(&x, &n, ix, csv), 0);
		ck_assert_ptr_null(x);
	}
	free(e[0]);
	free(csv);
	free(ix);
}
END_TEST

/* Replace the first "from" in b by "to". */
static void buf_replace(iko_buf *b, const char *from, const char *to)
{
	iko_buf o = IKO_BUF_INIT;
	const char *p = strstr(iko_buf_cstr(b), from);

	ck_assert_ptr_nonnull(p);
	iko_buf_put(&o, b->ptr, (size_t)(p - b->ptr));
	iko_buf_puts(&o, to);
	iko_buf_puts(&o, p + strlen(from));
	iko_buf_release(b);
	*b = o;
}

/* The canonical resident.csv's records with their columns in reverse order. */
static void reversed(iko_buf *out, const char *canon_path)
{
	iko_csv_reader *rd = NULL;
	iko_csv_row row;
	size_t k;

	ck_assert_int_eq(iko_csv_reader_open(&rd, canon_path), 0);
	while (iko_csv_next(rd, &row) == 1) {
		for (k = row.nfields; k-- > 0;) {
			ck_assert_int_eq(iko_csv_escape(out, row.fields[k], row.lens[k], ','), 0);
			iko_buf_putc(out, k ? ',' : '\n');
		}
	}
	iko_csv_reader_free(rd);
}

/*
 * A record that passes is written in the schema's column order as the
 * writer writes values (quoted only for a comma, quote or line break, LF
 * at the end): where its bytes are that already, as transform writes
 * them, they are copied as they are, else it is written value by value.
 * Every form of the same records — as the writer has them, with CR LF,
 * with a needless quote, a quote inside an unquoted value, no LF at the
 * end, the columns in another order — gives the same bytes and the same
 * record index, on one thread and on two.
 */
START_TEST(test_written_as_writer_writes)
{
	static const char *const comma[] = { "katagaki=コーポ,\"みどり\" 101", NULL };
	static const char *const quote[] = { "katagaki=コーポ\"みどり\"", NULL };
	static const char *const threads[] = { NULL, "1" };
	iko_buf canon = IKO_BUF_INIT, in = IKO_BUF_INIT;
	char *canon_path = NULL, *out_path = iko_path_join(vx_dir, "out/resident.csv"), *got;
	iko_recidx_ent *ref = NULL, *e;
	size_t len, v, t, nl, i;

	vx_resident_header(&canon);
	vx_resident(&canon, "1", "1", NULL);
	vx_resident(&canon, "2", "2", comma);
	vx_resident(&canon, "3", "3", quote);
	vx_resident(&canon, "4", "4", NULL);
	ck_assert_ptr_nonnull(strstr(iko_buf_cstr(&canon), ",\"コーポ\"\"みどり\"\"\","));
	vx_write("canon.csv", iko_buf_cstr(&canon));
	canon_path = iko_path_join(vx_dir, "canon.csv");
	for (v = 0; v < 6; v++) {
		iko_buf_clear(&in);
		switch (v) {
		case 0: /* as the writer writes it */
			iko_buf_puts(&in, iko_buf_cstr(&canon));
			break;
		case 1: /* CR LF */
			for (i = 0; i < canon.len; i++) {
				if (canon.ptr[i] == '\n')
					iko_buf_putc(&in, '\r');
				iko_buf_putc(&in, canon.ptr[i]);
			}
			break;
		case 2: /* a needless quote: resident 4's atena_no */
			iko_buf_puts(&in, iko_buf_cstr(&canon));
			buf_replace(&in, "\n435015,4,", "\n435015,\"4\",");
			break;
		case 3: /* a quote inside an unquoted value */
			iko_buf_puts(&in, iko_buf_cstr(&canon));
			buf_replace(&in, "\"コーポ\"\"みどり\"\"\"", "コーポ\"みどり\"");
			break;
		case 4: /* no LF after the last record */
			iko_buf_put(&in, canon.ptr, canon.len - 1);
			break;
		case 5: /* the columns in reverse order */
			reversed(&in, canon_path);
			break;
		}
		for (t = 0; t < 2; t++) {
			iko_validate_stats st;

			if (threads[t])
				setenv("IKO_VALIDATE_THREADS", threads[t], 1);
			vx_write("in/resident.csv", iko_buf_cstr(&in));
			ck_assert_msg(vx_run(&st, NULL, NULL, 0) == 0, "%s", iko_error_message());
			unsetenv("IKO_VALIDATE_THREADS");
			ck_assert_int_eq(vx_table(&st, "resident")->records_out, 4);
			iko_validate_stats_release(&st);
			ck_assert_int_eq(iko_read_small_file(&got, &len, out_path), 0);
			ck_assert_msg(len == canon.len && !memcmp(got, canon.ptr, len), "form %zu, %s thread(s): %s", v,
				      threads[t] ? "one" : "two", got);
			free(got);
			e = NULL;
			check_index(4, &e);
			if (!ref)
				ref = e;
			else {
				ck_assert_int_eq(memcmp(ref, e, 4 * sizeof(*e)), 0);
				free(e);
			}
		}
	}
	for (nl = 0, i = 0; i < canon.len; i++)
		nl += canon.ptr[i] == '\n';
	ck_assert_uint_eq(nl, 5);
	free(ref);
	free(canon_path);
	free(out_path);
	iko_buf_release(&canon);
	iko_buf_release(&in);
}
END_TEST

/* A reader of out/resident.csv through validate's follow set (iko_follow.h), as the load reads it. */
typedef struct follow_reader {
	iko_follow *f;
	char *path;
	iko_buf got;
	int ok;
} follow_reader;

static void *follow_read(void *arg)
{
	follow_reader *r = arg;
	FILE *fp = iko_follow_fopen(r->f, r->path);
	char buf[65536];
	size_t n;

	if (!fp)
		return NULL;
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
		if (iko_buf_put(&r->got, buf, n))
			break;
	r->ok = !ferror(fp) && feof(fp);
	fclose(fp);
	return NULL;
}

/* out/resident.csv's bytes, its index entries, and whether it is in/resident.csv's file. */
static void read_out(iko_buf *bytes, iko_recidx_ent **ents, size_t *n, int *linked)
{
	char *in = iko_path_join(vx_dir, "in/resident.csv"), *out = iko_path_join(vx_dir, "out/resident.csv");
	char *ix = iko_path_join(vx_dir, "out/resident.index"), *got;
	struct stat a, b;
	size_t len;

	ck_assert_int_eq(iko_read_small_file(&got, &len, out), 0);
	iko_buf_clear(bytes);
	iko_buf_put(bytes, got, len);
	free(got);
	ck_assert_int_eq(iko_recidx_load(ents, n, ix, out), 1);
	ck_assert_int_eq(stat(in, &a), 0);
	ck_assert_int_eq(stat(out, &b), 0);
	*linked = a.st_dev == b.st_dev && a.st_ino == b.st_ino;
	ck_assert_int_eq((int)b.st_nlink, *linked ? 2 : 1);
	ck_assert_int_eq(b.st_mode & 0777, 0600);
	free(in);
	free(out);
	free(ix);
}

/*
 * link_unchanged: a file whose every record passes as its bytes stand
 * (several batches of them) becomes a link to its input; one record
 * rejected (in the first batch or the last), written value by value, or
 * without its final LF, and the file is written — the prefix validate
 * did not write copied from the input — with the same bytes and index as
 * without link_unchanged. On one thread it is always written; where there
 * can be no link (IKO_TEST_NO_LINK), or the input is 0644 where the output
 * is 0600, the input is copied. A follower reads the same bytes either way.
 */
START_TEST(test_unchanged_linked)
{
	enum { N = 15000 };
	static const char *const bad_lg[] = { "lg_code=435016", NULL };
	static const char *const forms[] = { "whole", "reject early", "reject late", "needless quote", "no final LF",
					     "written otherwise, as long" };
	static const char *const kata[] = { "katagaki=コーポみどり", NULL };
	iko_buf clean = IKO_BUF_INIT, in = IKO_BUF_INIT, ref = IKO_BUF_INIT, got = IKO_BUF_INIT;
	char num[16], *outp = iko_path_join(vx_dir, "out/resident.csv"), *inp = iko_path_join(vx_dir, "in/resident.csv");
	iko_recidx_ent *eref = NULL, *e = NULL;
	size_t nref, n, f, i;
	int linked, mode;

	vx_resident_header(&clean);
	for (i = 1; i <= N; i++) {
		snprintf(num, sizeof(num), "%zu", i);
		vx_resident(&clean, num, num, NULL);
	}
	ck_assert_uint_gt(clean.len, 2u << 20); /* batches of 1 MiB: three at least */
	for (f = 0; f < 6; f++) {
		long long rejected = f == 1 || f == 2;
		iko_buf_clear(&in);
		if (f == 1 || f == 2) {
			/* resident 3 (the first batch) or 14998 (the last) with a 団体コード not its own */
			vx_resident_header(&in);
			for (i = 1; i <= N; i++) {
				snprintf(num, sizeof(num), "%zu", i);
				vx_resident(&in, num, num, i == (f == 1 ? 3u : 14998u) ? bad_lg : NULL);
			}
		} else if (f == 5) {
			/* three records of the second batch written otherwise, the batch as long:
			 * CR LF (one byte less), a needless quote (two less), a quote inside an
			 * unquoted value (three more) */
			vx_resident_header(&in);
			for (i = 1; i <= N; i++) {
				snprintf(num, sizeof(num), "%zu", i);
				vx_resident(&in, num, num, i == 7002 ? kata : NULL);
				if (i == 7000) {
					in.ptr[in.len - 1] = '\r';
					iko_buf_putc(&in, '\n');
				}
			}
			buf_replace(&in, "\n435015,7001,", "\n435015,\"7001\",");
			buf_replace(&in, "コーポみどり", "コーポ\"みどり");
			ck_assert_uint_eq(in.len, clean.len + 1 + 2 + strlen("コーポ\"みどり"));
		} else {
			iko_buf_puts(&in, iko_buf_cstr(&clean));
			if (f == 3)
				buf_replace(&in, "\n435015,6000,", "\n435015,\"6000\",");
			if (f == 4)
				in.ptr[--in.len] = '\0';
		}
		vx_write("in/resident.csv", iko_buf_cstr(&in));
		/* 0: the reference, written as always; 1: linked where it can be, with a follower;
		 * 2: one thread; 3: no hard links; 4: the input 0644 (a link would be too) */
		for (mode = 0; mode < 5; mode++) {
			follow_reader fr = { NULL, outp, IKO_BUF_INIT, 0 };
			pthread_t th;
			iko_validate_stats st;
			int rc;

			vx_link_unchanged = mode > 0;
			if (mode == 1) {
				ck_assert_int_eq(iko_follow_new(&fr.f), 0);
				vx_follow = fr.f;
				ck_assert_int_eq(pthread_create(&th, NULL, follow_read, &fr), 0);
			}
			if (mode == 2)
				setenv("IKO_VALIDATE_THREADS", "1", 1);
			if (mode == 3)
				setenv("IKO_TEST_NO_LINK", "1", 1);
			ck_assert_int_eq(chmod(inp, mode == 4 ? 0644 : 0600), 0);
			rc = vx_run(&st, NULL, NULL, 0);
			unsetenv("IKO_VALIDATE_THREADS");
			unsetenv("IKO_TEST_NO_LINK");
			vx_link_unchanged = 0;
			vx_follow = NULL;
			if (fr.f) {
				iko_follow_close(fr.f, rc == 0);
				ck_assert_int_eq(pthread_join(th, NULL), 0);
				iko_follow_free(fr.f);
			}
			ck_assert_msg(rc == 0, "%s", iko_error_message());
			ck_assert_int_eq(vx_table(&st, "resident")->records_in, N);
			ck_assert_int_eq(vx_table(&st, "resident")->records_rejected, rejected);
			ck_assert_int_eq(vx_table(&st, "resident")->records_out, N - rejected);
			iko_validate_stats_release(&st);
			read_out(mode ? &got : &ref, mode ? &e : &eref, mode ? &n : &nref, &linked);
			ck_assert_msg(linked == (f == 0 && (mode == 1)), "%s, mode %d: linked %d", forms[f], mode, linked);
			if (mode == 0) {
				ck_assert_uint_eq(nref, (size_t)(N - rejected));
				/* every form but the whole one is written otherwise than it came; the last as long */
				ck_assert_int_eq(ref.len == in.len && !memcmp(ref.ptr, in.ptr, in.len), f == 0);
				ck_assert_int_eq(ref.len == in.len, f == 0 || f == 5);
				continue;
			}
			ck_assert_msg(got.len == ref.len && !memcmp(got.ptr, ref.ptr, ref.len), "%s, mode %d: %zu bytes, not %zu",
				      forms[f], mode, got.len, ref.len);
			ck_assert_uint_eq(n, nref);
			ck_assert_int_eq(memcmp(e, eref, n * sizeof(*e)), 0);
			free(e);
			e = NULL;
			if (mode == 1) {
				ck_assert_int_eq(fr.ok, 1);
				ck_assert_msg(fr.got.len == ref.len && !memcmp(fr.got.ptr, ref.ptr, ref.len),
					      "%s: the follower read %zu bytes, not %zu", forms[f], fr.got.len, ref.len);
			}
			iko_buf_release(&fr.got);
		}
		free(eref);
		eref = NULL;
	}
	free(outp);
	free(inp);
	iko_buf_release(&clean);
	iko_buf_release(&in);
	iko_buf_release(&ref);
	iko_buf_release(&got);
}
END_TEST

START_TEST(test_household_heads)
{
	iko_buf r = IKO_BUF_INIT;
	iko_validate_stats st;
	static const exp_rj e[] = {
		{ "3", "201", "no-household-head", "zokugara_code", "12",
		  "世帯 20 has no 世帯主 (続柄 02) among its 2 current members" },
		{ "4", "202", "no-household-head", "zokugara_code", "20",
		  "世帯 20 has no 世帯主 (続柄 02) among its 2 current members" },
		{ "5", "301", "many-household-heads", "zokugara_code", "02",
		  "世帯 30 has 2 世帯主 (続柄 02); exactly one is allowed" },
		{ "7", "303", "many-household-heads", "zokugara_code", "02",
		  "世帯 30 has 2 世帯主 (続柄 02); exactly one is allowed" },
		{ "9", "402", "no-household-head", "zokugara_code", "20",
		  "世帯 40 has no 世帯主 (続柄 02) among its 1 current members" },
		{ "10", "501", "date-invalid", "birth_date", "1970-02-30",
		  "生年月日: \"1970-02-30\" is not a valid date (YYYY-MM-DD)" },
	};

	vx_resident_header(&r);
	/* 10: head and wife: fine */
	vx_resident(&r, "101", "10", NULL);
	vx_resident(&r, "102", "10", SET("zokugara_code=12"));
	/* 20: wife and child, no head: both rejected */
	vx_resident(&r, "201", "20", SET("zokugara_code=12"));
	vx_resident(&r, "202", "20", SET("zokugara_code=20"));
	/* 30: two heads (both rejected) and a child (accepted) */
	vx_resident(&r, "301", "30", NULL);
	vx_resident(&r, "302", "30", SET("zokugara_code=20"));
	vx_resident(&r, "303", "30", NULL);
	/* 40: the head moved out (not current): the child has no head */
	vx_resident(&r, "401", "40", SET("jumin_jotai=2", "removal_date=2020-04-01", "ido_reason=21"));
	vx_resident(&r, "402", "40", SET("zokugara_code=20"));
	/* 50: the head fails a column check; the household still has its head */
	vx_resident(&r, "501", "50", SET("birth_date=1970-02-30"));
	vx_resident(&r, "502", "50", SET("zokugara_code=20"));
	/* 60: removed residents only: no household rule applies */
	vx_resident(&r, "601", "60", SET("jumin_jotai=2", "removal_date=2020-04-01", "ido_reason=22",
					 "zokugara_code=20"));
	vx_write("in/resident.csv", iko_buf_cstr(&r));
	ck_assert_int_eq(vx_run(&st, NULL, NULL, 0), 0);
	check_rejects(e, sizeof(e) / sizeof(e[0]));
	ck_assert_int_eq(vx_table(&st, "resident")->records_in, 12);
	ck_assert_int_eq(vx_table(&st, "resident")->records_out, 6);
	ck_assert_int_eq(vx_table(&st, "resident")->records_rejected, 6);
	ck_assert_int_eq(st.by_reason[IKO_R_NO_HEAD], 3);
	ck_assert_int_eq(st.by_reason[IKO_R_MANY_HEADS], 2);
	ck_assert_int_eq(st.ntables, 1);
	iko_validate_stats_release(&st);
	iko_buf_release(&r);
}
END_TEST

START_TEST(test_orphan_member)
{
	iko_buf r = IKO_BUF_INIT, h = IKO_BUF_INIT;
	iko_validate_stats st;
	static const exp_rj e[] = {
		{ "2", "200", "orphan-member", "setai_no", "20", "世帯番号 20 has no household record" },
		{ "4", "400", "orphan-member", "setai_no", "11", "世帯番号 11 has no household record" },
		{ "h2", "11", "wrong-municipality", "lg_code", "131016",
		  "lg_code 131016 does not match the municipality 435015" },
	};

	vx_resident_header(&r);
	vx_resident(&r, "100", "10", NULL);
	vx_resident(&r, "200", "20", NULL);                 /* no household 20 */
	vx_resident(&r, "300", "30", SET("jumin_jotai=3", "removal_date=2020-04-01", "ido_reason=23"));
	vx_resident(&r, "400", "11", NULL);                 /* household 11 is another municipality's */
	vx_write("in/resident.csv", iko_buf_cstr(&r));
	vx_household_header(&h);
	vx_household(&h, "10", "100", 1);
	iko_buf_puts(&h, "131016,11,400,1,0010001\n");
	vx_write("in/household.csv", iko_buf_cstr(&h));
	ck_assert_int_eq(vx_run(&st, NULL, NULL, 0), 0);
	check_rejects(e, sizeof(e) / sizeof(e[0]));
	/* a removed resident (300) needs no household */
	ck_assert_int_eq(vx_table(&st, "resident")->records_out, 2);
	ck_assert_int_eq(st.by_reason[IKO_R_ORPHAN], 2);
	iko_validate_stats_release(&st);
	iko_buf_release(&r);
	iko_buf_release(&h);
}
END_TEST

START_TEST(test_removal_and_death)
{
	iko_buf r = IKO_BUF_INIT;
	iko_validate_stats st;
	static const exp_rj e[] = {
		{ "5", "5", "removal-inconsistent", "removal_date", "", "住民状態 2 (消除) without 消除の異動年月日" },
		{ "6", "6", "removal-inconsistent", "removal_date", "", "住民状態 9 (消除) without 消除の異動年月日" },
		{ "7", "7", "removal-inconsistent", "ido_reason", "01",
		  "住民状態 2 (消除) needs a 消除 異動事由 (21–28), not \"01\"" },
		{ "8", "8", "removal-inconsistent", "ido_reason", "",
		  "住民状態 3 (消除) needs a 消除 異動事由 (21–28), not \"\"" },
		{ "9", "9", "removal-inconsistent", "removal_date", "2020-04-01", "住登者 with a 消除の異動年月日" },
		{ "10", "10", "removal-inconsistent", "ido_reason", "21",
		  "住民状態 3 (死亡者) and 異動事由 23 (死亡) must go together (住民状態 3, 異動事由 21)" },
		{ "11", "11", "removal-inconsistent", "ido_reason", "23",
		  "住民状態 3 (死亡者) and 異動事由 23 (死亡) must go together (住民状態 2, 異動事由 23)" },
		{ "12", "12", "removal-inconsistent", "ido_reason", "23",
		  "住民状態 3 (死亡者) and 異動事由 23 (死亡) must go together (住民状態 1, 異動事由 23)" },
	};
	const char *const *rows[] = {
		NULL,
		SET("jumin_jotai=2", "removal_date=2020-04-01", "ido_reason=21"),
		SET("jumin_jotai=3", "removal_date=2020-04-01", "ido_reason=23"),
		SET("jumin_jotai=9", "removal_date=2020-04-01", "ido_reason=24"),
		SET("jumin_jotai=2", "ido_reason=21"),
		SET("jumin_jotai=9", "ido_reason=25"),
		SET("jumin_jotai=2", "removal_date=2020-04-01", "ido_reason=01"),
		SET("jumin_jotai=3", "removal_date=2020-04-01", "ido_reason="),
		SET("removal_date=2020-04-01"),
		SET("jumin_jotai=3", "removal_date=2020-04-01", "ido_reason=21"),
		SET("jumin_jotai=2", "removal_date=2020-04-01", "ido_reason=23"),
		SET("ido_reason=23"),
	};
	size_t i;
	char id[8];

	vx_resident_header(&r);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		snprintf(id, sizeof(id), "%zu", i + 1);
		vx_resident(&r, id, id, rows[i]);
	}
	vx_write("in/resident.csv", iko_buf_cstr(&r));
	ck_assert_int_eq(vx_run(&st, NULL, NULL, 0), 0);
	check_rejects(e, sizeof(e) / sizeof(e[0]));
	ck_assert_int_eq(vx_table(&st, "resident")->records_out, 4);
	ck_assert_int_eq(st.by_reason[IKO_R_REMOVAL], 8);
	iko_validate_stats_release(&st);
	iko_buf_release(&r);
}
END_TEST

START_TEST(test_foreign)
{
	iko_buf r = IKO_BUF_INIT;
	iko_validate_stats st;
	static const exp_rj e[] = {
		{ "2", "2", "foreign-fields-missing", "nationality_code", "",
		  "外国人 (住民種別 2) needs 国籍・地域コード and 在留資格等コード" },
		{ "3", "3", "foreign-fields-missing", "zairyu_code", "",
		  "外国人 (住民種別 2) needs 国籍・地域コード and 在留資格等コード" },
		{ "4", "4", "foreign-fields-missing", "nationality_code", "",
		  "外国人 (住民種別 2) needs 国籍・地域コード and 在留資格等コード" },
	};
	const char *const *rows[] = {
		SET("jumin_shubetsu=2", "nationality_code=840", "zairyu_code=27"),
		SET("jumin_shubetsu=2", "zairyu_code=27"),
		SET("jumin_shubetsu=2", "nationality_code=840"),
		SET("jumin_shubetsu=2"),
		SET("jumin_shubetsu=1"),   /* 日本人: neither needed */
	};
	size_t i;
	char id[8];

	vx_resident_header(&r);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		snprintf(id, sizeof(id), "%zu", i + 1);
		vx_resident(&r, id, id, rows[i]);
	}
	vx_write("in/resident.csv", iko_buf_cstr(&r));
	ck_assert_int_eq(vx_run(&st, NULL, NULL, 0), 0);
	check_rejects(e, sizeof(e) / sizeof(e[0]));
	ck_assert_int_eq(vx_table(&st, "resident")->records_out, 2);
	ck_assert_int_eq(st.by_reason[IKO_R_FOREIGN], 3);
	iko_validate_stats_release(&st);
	iko_buf_release(&r);
}
END_TEST

/* Masked values never reach the rejects: 個人番号 and 支援措置. */
START_TEST(test_masking)
{
	iko_buf r = IKO_BUF_INIT;
	iko_validate_stats st;
	vx_csv rj;
	size_t i;

	vx_resident_header(&r);
	vx_resident(&r, "1", "1", SET("my_number=987654321098"));
	vx_resident(&r, "2", "2", SET("shien_sochi=7"));
	vx_resident(&r, "3", "3", SET("shien_sochi=1", "my_number=123456789018", "sex=5"));
	vx_write("in/resident.csv", iko_buf_cstr(&r));
	ck_assert_int_eq(vx_run(&st, NULL, NULL, 0), 0);
	vx_csv_load(&rj, "out/rejects.csv");
	ck_assert_uint_eq(rj.nrows, 3);
	ck_assert_str_eq(vx_cell(&rj, 0, "field"), "my_number");
	ck_assert_str_eq(vx_cell(&rj, 0, "value"), "(masked)");
	ck_assert_str_eq(vx_cell(&rj, 1, "field"), "shien_sochi");
	ck_assert_str_eq(vx_cell(&rj, 1, "value"), "(masked)");
	ck_assert_str_eq(vx_cell(&rj, 1, "detail"), "支援措置区分: \"(masked)\" is not in code list shien_sochi");
	ck_assert_str_eq(vx_cell(&rj, 2, "field"), "sex");   /* other columns are shown */
	ck_assert_str_eq(vx_cell(&rj, 2, "value"), "5");
	for (i = 0; i < rj.nrows; i++) {
		ck_assert_ptr_null(strstr(vx_cell(&rj, i, "value"), "987654321098"));
		ck_assert_ptr_null(strstr(vx_cell(&rj, i, "detail"), "987654321098"));
		ck_assert_ptr_null(strstr(vx_cell(&rj, i, "detail"), "\"7\""));
	}
	iko_validate_stats_release(&st);
	vx_csv_free(&rj);
	iko_buf_release(&r);
}
END_TEST

/* The manifest: counts per table and by reason. */
START_TEST(test_manifest_and_errors)
{
	iko_buf r = IKO_BUF_INIT;
	iko_validate_stats st;
	char *p, *text = NULL;
	size_t len;

	vx_resident_header(&r);
	vx_resident(&r, "1", "1", NULL);
	vx_resident(&r, "2", "2", SET("sex=7"));
	vx_write("in/resident.csv", iko_buf_cstr(&r));
	ck_assert_int_eq(vx_run(&st, NULL, NULL, 0), 0);
	iko_validate_stats_release(&st);
	p = iko_path_join(vx_dir, "out/manifest.json");
	ck_assert_int_eq(iko_read_small_file(&text, &len, p), 0);
	ck_assert_ptr_nonnull(strstr(text, "\"records_in\": 2"));
	ck_assert_ptr_nonnull(strstr(text, "\"records_out\": 1"));
	ck_assert_ptr_nonnull(strstr(text, "\"records_rejected\": 1"));
	ck_assert_ptr_nonnull(strstr(text, "\"unknown-code\": 1"));
	free(text);
	free(p);
	/* a required column missing from the header */
	vx_write("in/resident.csv", "lg_code,atena_no\n435015,1\n");
	ck_assert_int_eq(vx_run(&st, NULL, NULL, 0), IKO_EPARSE);
	ck_assert_ptr_nonnull(strstr(iko_error_message(), "/in/resident.csv: required column setai_no missing from the header"));
	iko_validate_stats_release(&st);
	iko_buf_release(&r);
	iko_error_clear();
}
END_TEST

Suite *vrules_suite(void)
{
	Suite *s = suite_create("rules");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, vx_setup, vx_teardown);
	tcase_add_test(tc, test_duplicate_key);
	tcase_add_test(tc, test_duplicate_key_shared_hashes);
	tcase_add_test(tc, test_record_index);
	tcase_add_test(tc, test_written_as_writer_writes);
	tcase_add_test(tc, test_household_heads);
	tcase_add_test(tc, test_orphan_member);
	tcase_add_test(tc, test_removal_and_death);
	tcase_add_test(tc, test_foreign);
	tcase_add_test(tc, test_masking);
	tcase_add_test(tc, test_manifest_and_errors);
	suite_add_tcase(s, tc);
	/* 36 runs over 2.5 MB (sanitizer builds are several times slower) */
	tc = tcase_create("link");
	tcase_add_checked_fixture(tc, vx_setup, vx_teardown);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_unchanged_linked);
	suite_add_tcase(s, tc);
	return s;
}
