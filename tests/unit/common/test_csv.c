/*
 * test_csv.c — the RFC 4180 reader and writer.
 */
#include <check.h>
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "iko_buf.h"
#include "iko_csv.h"
#include "iko_error.h"
#include "iko_fs.h"

Suite *csv_suite(void);

static iko_csv_reader *reader_on(const char *data, size_t len, FILE **fp)
{
	iko_csv_reader *r = NULL;

	*fp = fmemopen((void *)data, len, "rb");
	ck_assert_ptr_nonnull(*fp);
	ck_assert_int_eq(iko_csv_reader_open_fp(&r, *fp, "test.csv"), 0);
	return r;
}

START_TEST(test_quoting)
{
	static const char data[] =
		"a,b,c\r\n"
		"\"x,1\",\"he said \"\"hi\"\"\",\"multi\r\nline\"\n"
		",,\n"
		"last,\"\",end";
	FILE *fp;
	iko_csv_reader *r = reader_on(data, sizeof(data) - 1, &fp);
	iko_csv_row row;

	ck_assert_int_eq(iko_csv_next(r, &row), 1);
	ck_assert_uint_eq(row.nfields, 3);
	ck_assert_str_eq(row.fields[2], "c");
	ck_assert_int_eq(row.offset, 0);
	ck_assert_uint_eq(row.raw_len, 7);
	ck_assert_int_eq(iko_csv_next(r, &row), 1);
	ck_assert_uint_eq(row.nfields, 3);
	ck_assert_str_eq(row.fields[0], "x,1");
	ck_assert_str_eq(row.fields[1], "he said \"hi\"");
	ck_assert_str_eq(row.fields[2], "multi\r\nline");
	ck_assert_uint_eq(row.lens[2], 11);
	ck_assert_int_eq(row.record, 2);
	ck_assert_int_eq(row.line, 2);
	ck_assert_int_eq(row.offset, 7);
	ck_assert_int_eq(memcmp(row.raw, "\"x,1\"", 5), 0);
	ck_assert_uint_eq(row.raw_len, 37);
	ck_assert_int_eq(iko_csv_next(r, &row), 1);
	ck_assert_uint_eq(row.nfields, 3);
	ck_assert_str_eq(row.fields[0], "");
	ck_assert_int_eq(row.line, 4);
	ck_assert_int_eq(iko_csv_next(r, &row), 1);
	ck_assert_uint_eq(row.nfields, 3);
	ck_assert_str_eq(row.fields[1], "");
	ck_assert_str_eq(row.fields[2], "end");
	ck_assert_int_eq(iko_csv_next(r, &row), 0);
	iko_csv_reader_free(r);
	fclose(fp);
}
END_TEST

START_TEST(test_bom_and_sjis)
{
	/* UTF-8 BOM skipped; Shift_JIS 表 (0x95 0x5C) and ソ (0x83 0x5C) pass untouched */
	static const char data[] = "\xef\xbb\xbfid,name\n1,\x95\x5c\x83\x5c\n";
	FILE *fp;
	iko_csv_reader *r = reader_on(data, sizeof(data) - 1, &fp);
	iko_csv_row row;

	ck_assert_int_eq(iko_csv_next(r, &row), 1);
	ck_assert_str_eq(row.fields[0], "id");
	ck_assert_int_eq(iko_csv_next(r, &row), 1);
	ck_assert_str_eq(row.fields[1], "\x95\x5c\x83\x5c");
	ck_assert_int_eq(row.offset, 11);
	ck_assert_int_eq(iko_csv_next(r, &row), 0);
	iko_csv_reader_free(r);
	fclose(fp);
}
END_TEST

START_TEST(test_malformed)
{
	static const char data[] = "a,\"b\"x,c\nok,1,2\n\"open,3\n";
	FILE *fp;
	iko_csv_reader *r = reader_on(data, sizeof(data) - 1, &fp);
	iko_csv_row row;

	ck_assert_int_eq(iko_csv_next(r, &row), IKO_EPARSE);
	ck_assert_str_eq(iko_error_message(),
			 "test.csv: record 1 (line 1): text after closing quote in field 2");
	ck_assert_uint_eq(row.raw_len, 9);
	ck_assert_int_eq(memcmp(row.raw, "a,\"b\"x,c\n", 9), 0);
	ck_assert_int_eq(iko_csv_next(r, &row), 1);
	ck_assert_str_eq(row.fields[0], "ok");
	ck_assert_int_eq(row.offset, 9);
	ck_assert_int_eq(iko_csv_next(r, &row), IKO_EPARSE);
	ck_assert_str_eq(iko_error_message(),
			 "test.csv: record 3 (line 3): quoted field not closed at end of file");
	ck_assert_int_eq(iko_csv_next(r, &row), 0);
	iko_csv_reader_free(r);
	fclose(fp);
	iko_error_clear();
}
END_TEST

/* Every record of a CRLF file: its number, line, byte offset and raw bytes. */
START_TEST(test_records_crlf)
{
	static const char data[] =
		"id,name,note\r\n"          /* 0 */
		"1,\"a\r\nb\",\r\n"         /* 14: embedded CRLF, empty last field */
		"2,\"c\nd\",x\r\n"          /* 25: embedded LF */
		",,\r\n"                    /* 36: all empty */
		"3,\"\"\"\",\"\"";          /* 40: doubled quote; no final line end */
	static const struct {
		long long line, offset;
		const char *raw;
		const char *f[3];
	} want[] = {
		{ 1, 0, "id,name,note\r\n", { "id", "name", "note" } },
		{ 2, 14, "1,\"a\r\nb\",\r\n", { "1", "a\r\nb", "" } },
		{ 4, 25, "2,\"c\nd\",x\r\n", { "2", "c\nd", "x" } },
		{ 6, 36, ",,\r\n", { "", "", "" } },
		{ 7, 40, "3,\"\"\"\",\"\"", { "3", "\"", "" } },
	};
	FILE *fp;
	iko_csv_reader *r = reader_on(data, sizeof(data) - 1, &fp);
	iko_csv_row row;
	size_t i, k;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		ck_assert_int_eq(iko_csv_next(r, &row), 1);
		ck_assert_int_eq(row.record, (long long)i + 1);
		ck_assert_int_eq(row.line, want[i].line);
		ck_assert_int_eq(row.offset, want[i].offset);
		ck_assert_uint_eq(row.raw_len, strlen(want[i].raw));
		ck_assert_int_eq(memcmp(row.raw, want[i].raw, row.raw_len), 0);
		ck_assert_uint_eq(row.nfields, 3);
		for (k = 0; k < 3; k++) {
			ck_assert_str_eq(row.fields[k], want[i].f[k]);
			ck_assert_uint_eq(row.lens[k], strlen(want[i].f[k]));
		}
	}
	ck_assert_int_eq(iko_csv_next(r, &row), 0);
	ck_assert_int_eq(iko_csv_reader_tell(r), (long long)sizeof(data) - 1);
	iko_csv_reader_free(r);
	fclose(fp);
}
END_TEST

/* Fields made of awkward pieces, written then read back unchanged. */
START_TEST(test_random_round_trip)
{
	static const char *const pieces[] = {
		"a", ",", "\"", "\r", "\n", "\r\n", " ", "表", "\x95\x5c", "\x83\x5c", "0", "",
	};
	enum { ROWS = 300, MAXF = 7, MAXP = 6 };
	char dir[] = "/tmp/iko-csv-XXXXXX";
	char *path;
	iko_buf cells[ROWS][MAXF];
	size_t nf[ROWS];
	unsigned long seed = 20240501;
	iko_csv_writer *w = NULL;
	iko_csv_reader *r = NULL;
	iko_csv_row row;
	size_t i, k, j, np;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	path = iko_path_join(dir, "rt.csv");
	ck_assert_int_eq(iko_csv_writer_open(&w, path, 0600), 0);
	for (i = 0; i < ROWS; i++) {
		seed = seed * 1103515245u + 12345u;
		nf[i] = 2 + (seed >> 16) % (MAXF - 1);
		for (k = 0; k < nf[i]; k++) {
			iko_buf *b = &cells[i][k];
			*b = (iko_buf)IKO_BUF_INIT;
			ck_assert_int_eq(iko_buf_puts(b, ""), 0);
			seed = seed * 1103515245u + 12345u;
			np = (seed >> 16) % MAXP;
			for (j = 0; j < np; j++) {
				seed = seed * 1103515245u + 12345u;
				iko_buf_puts(b, pieces[(seed >> 16) % (sizeof(pieces) / sizeof(pieces[0]))]);
			}
			ck_assert_int_eq(iko_csv_write_field(w, b->ptr, b->len), 0);
		}
		ck_assert_int_eq(iko_csv_end_row(w), 0);
	}
	ck_assert_int_eq(iko_csv_writer_rows(w), ROWS);
	ck_assert_int_eq(iko_csv_writer_commit(w), 0);
	iko_csv_writer_free(w);
	ck_assert_int_eq(iko_csv_reader_open(&r, path), 0);
	for (i = 0; i < ROWS; i++) {
		ck_assert_int_eq(iko_csv_next(r, &row), 1);
		ck_assert_uint_eq(row.nfields, nf[i]);
		for (k = 0; k < nf[i]; k++) {
			ck_assert_uint_eq(row.lens[k], cells[i][k].len);
			ck_assert_int_eq(memcmp(row.fields[k], cells[i][k].ptr, row.lens[k]), 0);
			iko_buf_release(&cells[i][k]);
		}
	}
	ck_assert_int_eq(iko_csv_next(r, &row), 0);
	iko_csv_reader_free(r);
	ck_assert_int_eq(iko_rm_rf(dir), 0);
	free(path);
}
END_TEST

/* Size of the one file in dir whose name holds ".tmp." (an output not committed yet). */
static long long tmp_size(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	struct stat st;
	long long size = -1;
	int n = 0;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)))
		if (strstr(e->d_name, ".tmp.")) {
			char *p = iko_path_join(dir, e->d_name);
			ck_assert_int_eq(stat(p, &st), 0);
			size = (long long)st.st_size;
			free(p);
			n++;
		}
	closedir(d);
	ck_assert_int_eq(n, 1);
	return size;
}

/*
 * iko_afile_writeback flushes every IKO_AFILE_WRITEBACK_STEP bytes (and
 * starts the kernel writing them), not before; the CSV writer calls it
 * after each write, so the temporary file holds every byte written once a
 * step is passed. The committed file is whole.
 */
START_TEST(test_writeback)
{
	char dir[] = "/tmp/iko-csv-XXXXXX";
	char *path;
	iko_afile *f = NULL;
	iko_csv_writer *w = NULL;
	static char chunk[1000], vbuf[1 << 16];
	long long n = 0;
	size_t big = (size_t)IKO_AFILE_WRITEBACK_STEP + 1;
	char *data = malloc(big);
	struct stat st;

	ck_assert_ptr_nonnull(data);
	ck_assert_ptr_nonnull(mkdtemp(dir));
	memset(chunk, 'x', sizeof(chunk));
	path = iko_path_join(dir, "direct.bin");
	ck_assert_int_eq(iko_afile_open(&f, path, 0600), 0);
	/* a buffer larger than what is written below the step: nothing reaches the file unflushed */
	ck_assert_int_eq(setvbuf(iko_afile_fp(f), vbuf, _IOFBF, sizeof(vbuf)), 0);
	while (n + (long long)sizeof(chunk) < 50000) {
		ck_assert_uint_eq(fwrite(chunk, 1, sizeof(chunk), iko_afile_fp(f)), sizeof(chunk));
		n += (long long)sizeof(chunk);
		ck_assert_int_eq(iko_afile_writeback(f, n), 0);
	}
	ck_assert_int_eq(stat(iko_afile_tmppath(f), &st), 0);
	ck_assert_int_eq((long long)st.st_size, 0);
	while (n < IKO_AFILE_WRITEBACK_STEP + 123) {
		ck_assert_uint_eq(fwrite(chunk, 1, sizeof(chunk), iko_afile_fp(f)), sizeof(chunk));
		n += (long long)sizeof(chunk);
		ck_assert_int_eq(iko_afile_writeback(f, n), 0);
	}
	/* the step was passed at the last call: all of it is in the file */
	ck_assert_int_eq(stat(iko_afile_tmppath(f), &st), 0);
	ck_assert_int_eq((long long)st.st_size, n);
	ck_assert_int_eq(iko_afile_commit(f), 0);
	iko_afile_free(f);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq((long long)st.st_size, n);
	free(path);

	/* through the CSV writer: one raw write of a step and a byte */
	path = iko_path_join(dir, "out.csv");
	memset(data, 'y', big);
	ck_assert_int_eq(iko_csv_writer_open(&w, path, 0600), 0);
	ck_assert_int_eq(iko_csv_write_raw(w, data, big, 1), 0);
	ck_assert_int_eq(tmp_size(dir), (long long)big);
	ck_assert_int_eq(iko_csv_writer_commit(w), 0);
	iko_csv_writer_free(w);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq((long long)st.st_size, (long long)big);
	free(path);
	free(data);
	ck_assert_int_eq(iko_rm_rf(dir), 0);
}
END_TEST

/* iko_csv_write_ll writes a number as %lld does, the ends of the range included. */
START_TEST(test_write_ll)
{
	static const long long v[] = { 0, 7, -1, 10, -10, 42, 1234567890123LL, LLONG_MAX, LLONG_MIN, LLONG_MIN + 1 };
	char dir[] = "/tmp/iko-csv-XXXXXX", want[512], got[512];
	char *path;
	iko_csv_writer *w = NULL;
	size_t i, n = 0;
	FILE *fp;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	path = iko_path_join(dir, "ll.csv");
	ck_assert_int_eq(iko_csv_writer_open(&w, path, 0600), 0);
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		ck_assert_int_eq(iko_csv_write_ll(w, v[i]), 0);
		n += (size_t)snprintf(want + n, sizeof(want) - n, "%s%lld", i ? "," : "", v[i]);
	}
	ck_assert_int_eq(iko_csv_end_row(w), 0);
	n += (size_t)snprintf(want + n, sizeof(want) - n, "\n");
	ck_assert_int_eq(iko_csv_writer_commit(w), 0);
	iko_csv_writer_free(w);
	fp = fopen(path, "rb");
	ck_assert_ptr_nonnull(fp);
	ck_assert_uint_eq(fread(got, 1, sizeof(got), fp), n);
	fclose(fp);
	ck_assert_int_eq(memcmp(got, want, n), 0);
	ck_assert_int_eq(memcmp(got, "0,7,-1,10,-10,42,1234567890123,9223372036854775807,-9223372036854775808,", 71), 0);
	unlink(path);
	rmdir(dir);
	free(path);
}
END_TEST

START_TEST(test_writer_round_trip)
{
	static const char *const fields[] = {
		"plain", "with,comma", "with \"quote\"", "line\nbreak", "", "日本語　全角", " lead", "cr\r",
	};
	char dir[] = "/tmp/iko-csv-XXXXXX";
	char *path, *tmp;
	iko_csv_writer *w = NULL;
	iko_csv_reader *r = NULL;
	iko_csv_row row;
	size_t i;
	int k;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	path = iko_path_join(dir, "out.csv");
	ck_assert_int_eq(iko_csv_writer_open(&w, path, 0600), 0);
	for (k = 0; k < 3; k++)
		ck_assert_int_eq(iko_csv_write_row(w, fields, 8), 0);
	/* nothing under the final name before commit */
	ck_assert_int_eq(access(path, F_OK), -1);
	ck_assert_int_eq(iko_csv_writer_commit(w), 0);
	iko_csv_writer_free(w);
	ck_assert_int_eq(access(path, F_OK), 0);
	ck_assert_int_eq(iko_csv_reader_open(&r, path), 0);
	for (k = 0; k < 3; k++) {
		ck_assert_int_eq(iko_csv_next(r, &row), 1);
		ck_assert_uint_eq(row.nfields, 8);
		for (i = 0; i < 8; i++)
			ck_assert_str_eq(row.fields[i], fields[i]);
	}
	ck_assert_int_eq(iko_csv_next(r, &row), 0);
	iko_csv_reader_free(r);
	{
		iko_buf b = IKO_BUF_INIT;
		for (i = 0; i < 8; i++) {
			if (i)
				iko_buf_putc(&b, ',');
			iko_csv_escape(&b, fields[i], strlen(fields[i]), ',');
		}
		ck_assert_str_eq(iko_buf_cstr(&b),
				 "plain,\"with,comma\",\"with \"\"quote\"\"\",\"line\nbreak\",,日本語　全角, lead,\"cr\r\"");
		iko_buf_release(&b);
	}
	/* a writer freed without commit leaves nothing behind */
	tmp = iko_path_join(dir, "never.csv");
	ck_assert_int_eq(iko_csv_writer_open(&w, tmp, 0644), 0);
	ck_assert_int_eq(iko_csv_write_row(w, fields, 2), 0);
	iko_csv_writer_free(w);
	ck_assert_int_eq(access(tmp, F_OK), -1);
	ck_assert_int_eq(iko_rm_rf(dir), 0);
	ck_assert_int_eq(access(dir, F_OK), -1);
	free(path);
	free(tmp);
}
END_TEST

/* RFC 4180 quoting as the writer must do it, byte by byte (the reference). */
static void ref_field_sep(iko_buf *b, const char *s, size_t len, char sep)
{
	size_t i;
	int need = 0;

	for (i = 0; i < len; i++)
		need |= s[i] == sep || s[i] == '"' || s[i] == '\r' || s[i] == '\n';
	if (need)
		iko_buf_putc(b, '"');
	for (i = 0; i < len; i++) {
		if (s[i] == '"')
			iko_buf_putc(b, '"');
		iko_buf_putc(b, s[i]);
	}
	if (need)
		iko_buf_putc(b, '"');
}

static void ref_field(iko_buf *b, const char *s, size_t len)
{
	ref_field_sep(b, s, len, ',');
}

/*
 * The writer copies and checks a field in one pass: a byte that needs
 * quotes at every position of fields of 0..40 bytes, beside bytes that only
 * look alike in their low bits (0xAC = ',' + 0x80, 0xA2, 0x8D, 0x8A, UTF-8
 * text), is quoted exactly as the plain reference quotes it.
 */
START_TEST(test_write_field_every_position)
{
	static const char specials[] = { ',', '"', '\r', '\n', 0 };
	static const char fillers[][4] = { "a", "\xac", "\xa2", "\x8d", "\x8a", "\x2b", "\x2d", "\x21", "\x0b" };
	char dir[] = "/tmp/iko-csv-XXXXXX";
	char *path, field[64];
	iko_csv_writer *w = NULL;
	iko_buf want = IKO_BUF_INIT;
	size_t len, pos, f, k, n = 0;
	FILE *fp;
	char *got;
	long sz;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	path = iko_path_join(dir, "q.csv");
	ck_assert_int_eq(iko_csv_writer_open(&w, path, 0600), 0);
	for (f = 0; f < sizeof(fillers) / sizeof(fillers[0]); f++)
		for (len = 0; len <= 40; len++)
			for (pos = 0; pos <= len; pos++)
				for (k = 0; k < sizeof(specials); k++) {
					if (pos == len && k > 0)
						continue; /* pos == len: no special byte at all */
					memset(field, fillers[f][0], len);
					if (pos < len)
						field[pos] = specials[k];
					if (len > 2 && (len + f) % 3 == 0)
						memcpy(field, "\xe6\x97\xa5", 3); /* 日 */
					ck_assert_int_eq(iko_csv_write_field(w, "x", 1), 0);
					ck_assert_int_eq(iko_csv_write_field(w, field, len), 0);
					ck_assert_int_eq(iko_csv_end_row(w), 0);
					iko_buf_puts(&want, "x,");
					ref_field(&want, field, len);
					iko_buf_putc(&want, '\n');
					n++;
				}
	ck_assert_int_eq(iko_csv_writer_commit(w), 0);
	iko_csv_writer_free(w);
	ck_assert_uint_gt(n, 10000);
	fp = fopen(path, "rb");
	ck_assert_ptr_nonnull(fp);
	fseek(fp, 0, SEEK_END);
	sz = ftell(fp);
	rewind(fp);
	got = malloc((size_t)sz + 1);
	ck_assert_ptr_nonnull(got);
	ck_assert_uint_eq(fread(got, 1, (size_t)sz, fp), (size_t)sz);
	fclose(fp);
	ck_assert_uint_eq((size_t)sz, want.len);
	ck_assert_int_eq(memcmp(got, want.ptr, want.len), 0);
	free(got);
	iko_buf_release(&want);
	ck_assert_int_eq(iko_rm_rf(dir), 0);
	free(path);
}
END_TEST

/*
 * The reader skips eight bytes at a time while none is below a bound that
 * every separator, quote and line end is under: with the separators ',',
 * TAB, ';' and '|', a field of 0..40 bytes with, at every position, the
 * separator, a quote, a line end, or a harmless byte below the bound
 * (space, '!', VT, '#'), between fillers that only look alike in their low
 * bits, reads back unchanged — and exactly as the byte-wise reader reads it.
 */
START_TEST(test_read_every_position)
{
	static const char seps[] = { ',', '\t', ';', '|' };
	static const char odd[] = { 0, '"', '\r', '\n', ' ', '!', '\x0b', '#' }; /* 0: the separator */
	static const char fillers[][4] = { "a", "\xac", "\xa2", "\x8d", "\x2d", "\xbc", "\xfc" };
	static size_t lens[41 * 42 / 2 * sizeof(odd)];
	iko_buf text = IKO_BUF_INIT, want = IKO_BUF_INIT;
	char field[64];
	size_t si, f, len, pos, k, n, c, off;

	for (si = 0; si < sizeof(seps); si++) {
		char sep = seps[si];
		for (f = 0; f < sizeof(fillers) / sizeof(fillers[0]); f++) {
			int bytewise;
			iko_buf_clear(&text);
			iko_buf_clear(&want);
			n = 0;
			for (len = 0; len <= 40; len++)
				for (pos = 0; pos <= len; pos++)
					for (k = 0; k < sizeof(odd); k++) {
						if (pos == len && k > 0)
							continue;
						memset(field, fillers[f][0], len);
						if (pos < len)
							field[pos] = odd[k] ? odd[k] : sep;
						iko_buf_put(&want, field, len);
						ck_assert_uint_lt(n, sizeof(lens) / sizeof(lens[0]));
						lens[n++] = len;
						iko_buf_putc(&text, 'x');
						iko_buf_putc(&text, sep);
						ref_field_sep(&text, field, len, sep);
						iko_buf_putc(&text, sep);
						iko_buf_puts(&text, "y\n");
					}
			for (bytewise = 0; bytewise < 2; bytewise++) {
				iko_csv_row row;
				FILE *fp;
				iko_csv_reader *r = reader_on(text.ptr, text.len, &fp);
				iko_csv_reader_set_sep(r, sep);
				if (bytewise)
					iko_csv_reader_bytewise(r);
				for (c = 0, off = 0; c < n; off += lens[c++]) {
					ck_assert_int_eq(iko_csv_next(r, &row), 1);
					ck_assert_uint_eq(row.nfields, 3);
					ck_assert_str_eq(row.fields[0], "x");
					ck_assert_uint_eq(row.lens[1], lens[c]);
					ck_assert_int_eq(memcmp(row.fields[1], want.ptr + off, lens[c]), 0);
					ck_assert_str_eq(row.fields[2], "y");
				}
				ck_assert_int_eq(iko_csv_next(r, &row), 0);
				iko_csv_reader_free(r);
				fclose(fp);
			}
		}
	}
	iko_buf_release(&text);
	iko_buf_release(&want);
}
END_TEST

/*
 * Random text — plain fields of 0 to 40 bytes (so that separators and line
 * ends fall at every place of the sixteen-byte steps), quoted fields, a
 * quote inside a plain field, "" escapes, quoted line breaks, LF, CRLF, a
 * lone CR, empty lines, UTF-8 and Shift_JIS trail bytes, some 300 KiB so
 * records straddle the 64 KiB buffer — read with the fast paths and with
 * the byte-wise reader: every result the same (status, message, fields,
 * raw bytes, offset, record and line numbers).
 */
START_TEST(test_fast_paths_agree)
{
	static const char *const bits[] = {
		"a", "0123456789", "表", "\x95\x5c", " ", "x\"y", "\"q\"", "\"a,b\"", "\"he \"\"x\"\"\"",
		"\"l1\nl2\"", "\"\"", "\r", "\xe3\x81\x82",
	};
	iko_buf text = IKO_BUF_INIT;
	unsigned long seed = 77;
	size_t i, k, n, f;
	iko_csv_reader *r[2];
	FILE *fp[2];
	int rc[2], m;

	while (text.len < 300 * 1024) {
		seed = seed * 1103515245u + 12345u;
		n = (seed >> 16) % 30; /* fields in the record (0: an empty line) */
		for (f = 0; f < n; f++) {
			if (f)
				iko_buf_putc(&text, ',');
			seed = seed * 1103515245u + 12345u;
			if ((seed >> 16) % 8 == 0) {
				iko_buf_puts(&text, bits[(seed >> 20) % (sizeof(bits) / sizeof(bits[0]))]);
				continue;
			}
			for (k = (seed >> 20) % 41; k > 0; k--)
				iko_buf_putc(&text, (char)('a' + k % 26));
		}
		seed = seed * 1103515245u + 12345u;
		iko_buf_puts(&text, (seed >> 16) % 3 == 0 ? "\r\n" : "\n");
	}
	for (m = 0; m < 2; m++) {
		r[m] = reader_on(text.ptr, text.len, &fp[m]);
		if (m)
			iko_csv_reader_bytewise(r[m]);
	}
	for (i = 0;; i++) {
		iko_csv_row a, b;
		char msg[512];
		rc[0] = iko_csv_next(r[0], &a);
		snprintf(msg, sizeof(msg), "%s", rc[0] < 0 ? iko_error_message() : "");
		iko_error_clear();
		rc[1] = iko_csv_next(r[1], &b);
		ck_assert_int_eq(rc[0], rc[1]);
		if (rc[1] < 0)
			ck_assert_str_eq(msg, iko_error_message());
		iko_error_clear();
		if (rc[0] == 0)
			break;
		ck_assert_uint_eq(a.nfields, b.nfields);
		for (f = 0; f < a.nfields; f++) {
			ck_assert_uint_eq(a.lens[f], b.lens[f]);
			ck_assert_int_eq(memcmp(a.fields[f], b.fields[f], a.lens[f] + 1), 0);
		}
		ck_assert_uint_eq(a.raw_len, b.raw_len);
		ck_assert_int_eq(memcmp(a.raw, b.raw, a.raw_len), 0);
		ck_assert_int_eq(a.offset, b.offset);
		ck_assert_int_eq(a.record, b.record);
		ck_assert_int_eq(a.line, b.line);
	}
	ck_assert_uint_gt(i, 900);
	for (m = 0; m < 2; m++) {
		iko_csv_reader_free(r[m]);
		fclose(fp[m]);
	}
	iko_buf_release(&text);
}
END_TEST

START_TEST(test_missing_file)
{
	iko_csv_reader *r = NULL;

	ck_assert_int_eq(iko_csv_reader_open(&r, "/nonexistent/x.csv"), IKO_ENOTFOUND);
	ck_assert_str_eq(iko_error_message(), "cannot open /nonexistent/x.csv: No such file or directory");
	ck_assert_ptr_null(r);
	iko_error_clear();
}
END_TEST


/*
 * Records that straddle the reader's 64 KiB buffer, in every state (plain
 * and quoted fields, "" escapes, CRLF split between buffers): the values
 * and the raw bytes of every record come out exactly as written.
 */
START_TEST(test_chunk_boundaries)
{
	iko_buf in = IKO_BUF_INIT;
	size_t nrec = 0, i, k, off = 0;
	size_t *starts = NULL;
	FILE *fp;
	iko_csv_reader *r;
	iko_csv_row row;

	/* ~200 KiB of records of varying length so boundaries land everywhere */
	for (i = 0; in.len < 200000; i++) {
		starts = realloc(starts, (nrec + 1) * sizeof(*starts));
		starts[nrec++] = in.len;
		iko_buf_printf(&in, "%zu,plain", i);
		for (k = 0; k < i % 37; k++)
			iko_buf_putc(&in, (int)('a' + k % 26));
		iko_buf_puts(&in, ",\"quo,ted \"\"x\"\"");
		for (k = 0; k < i % 53; k++)
			iko_buf_puts(&in, "漢");
		iko_buf_puts(&in, i % 3 ? "\"\r\n" : "\"\n");
	}
	r = reader_on(in.ptr, in.len, &fp);
	for (i = 0; i < nrec; i++) {
		size_t end = i + 1 < nrec ? starts[i + 1] : in.len;
		char want[32];
		ck_assert_int_eq(iko_csv_next(r, &row), 1);
		ck_assert_uint_eq(row.nfields, 3);
		snprintf(want, sizeof(want), "%zu", i);
		ck_assert_str_eq(row.fields[0], want);
		ck_assert_uint_eq(row.lens[1], 5 + i % 37);
		ck_assert_int_eq(strncmp(row.fields[2], "quo,ted \"x\"", 11), 0);
		ck_assert_uint_eq(row.lens[2], 11 + 3 * (i % 53));
		ck_assert_uint_eq(row.raw_len, end - off);
		ck_assert_int_eq(memcmp(row.raw, in.ptr + off, row.raw_len), 0);
		ck_assert_int_eq(row.offset, (long long)off);
		off = end;
	}
	ck_assert_int_eq(iko_csv_next(r, &row), 0);
	iko_csv_reader_free(r);
	fclose(fp);
	free(starts);
	iko_buf_release(&in);
}
END_TEST

/* Everything a reader says about one record, as text, to compare readings. */
static void describe(iko_buf *out, int rc, const iko_csv_row *row)
{
	size_t i;
	char tmp[160];

	snprintf(tmp, sizeof(tmp), "rc=%d rec=%lld line=%lld off=%lld raw=%zu n=%zu|", rc, row->record, row->line,
		 row->offset, row->raw_len, row->nfields);
	ck_assert_int_eq(iko_buf_puts(out, tmp), 0);
	for (i = 0; i < row->nfields; i++) {
		ck_assert_int_eq(iko_buf_put(out, row->fields[i], row->lens[i]), 0);
		ck_assert_int_eq(iko_buf_putc(out, '|'), 0);
	}
	ck_assert_int_eq(iko_buf_put(out, row->raw, row->raw_len), 0);
	if (rc != 1)
		ck_assert_int_eq(iko_buf_puts(out, iko_error_message()), 0);
	ck_assert_int_eq(iko_buf_putc(out, '\n'), 0);
}

/* iko_csv_cutter's batches, read from memory, give what reading the whole gives. */
static void check_cutter(const unsigned char *data, size_t len, const char *whole)
{
	static const size_t maxes[] = { 1, 5, 40, 1u << 20 };
	iko_buf got = { 0 };
	iko_csv_reader *m = NULL;
	iko_csv_cutter *cut = NULL;
	iko_csv_batch b;
	iko_csv_row row;
	size_t i;
	long long n;
	FILE *fp;
	int rc;

	ck_assert_int_eq(iko_csv_reader_open_fp(&m, NULL, "test.csv"), 0);
	for (i = 0; i < sizeof(maxes) / sizeof(maxes[0]); i++) {
		iko_buf_clear(&got);
		fp = len ? fmemopen((void *)data, len, "rb") : fopen("/dev/null", "rb");
		ck_assert_ptr_nonnull(fp);
		ck_assert_int_eq(iko_csv_cutter_open(&cut, fp, ','), 0);
		while ((rc = iko_csv_cutter_next(cut, maxes[i], &b)) == 1) {
			iko_csv_reader_set_mem(m, b.data, b.len, b.record, b.line, b.offset);
			for (n = 0; (rc = iko_csv_next(m, &row)) != 0; n++)
				describe(&got, rc, &row);
			ck_assert_int_eq(n, b.records);
			/* every batch holds a record, except a byte order mark alone */
			if (!(len == 3 && !memcmp(data, "\xEF\xBB\xBF", 3)))
				ck_assert_int_ge(b.records, 1);
			if (maxes[i] == 1)
				ck_assert_int_le(b.records, 1);
		}
		ck_assert_int_eq(rc, 0);
		ck_assert_str_eq(iko_buf_cstr(&got), whole);
		iko_csv_cutter_free(cut);
		fclose(fp);
	}
	iko_csv_reader_free(m);
	iko_buf_release(&got);
}

/*
 * Cutting a text at the record ends iko_csv_record_end finds and reading
 * the pieces from memory (iko_csv_reader_set_mem) gives exactly what
 * reading it whole gives: rows, numbers, raw bytes and error messages.
 */
static void check_cuts(const unsigned char *data, size_t len)
{
	iko_buf whole = { 0 }, cut = { 0 };
	iko_csv_reader *r, *m = NULL;
	iko_csv_row row;
	FILE *fp;
	size_t pos = 0, bom = 0, end, end2, k;
	long long record = 1, line = 1;
	int rc;

	r = reader_on((const char *)data, len, &fp);
	while ((rc = iko_csv_next(r, &row)) != 0) {
		ck_assert(rc == 1 || rc == IKO_EPARSE);
		describe(&whole, rc, &row);
	}
	iko_csv_reader_free(r);
	fclose(fp);
	/* the one-sweep path for common records reads them as the byte-wise one */
	r = reader_on((const char *)data, len, &fp);
	iko_csv_reader_bytewise(r);
	while ((rc = iko_csv_next(r, &row)) != 0)
		describe(&cut, rc, &row);
	iko_csv_reader_free(r);
	fclose(fp);
	ck_assert_str_eq(iko_buf_cstr(&cut), iko_buf_cstr(&whole));
	iko_buf_clear(&cut);
	ck_assert_int_eq(iko_csv_reader_open_fp(&m, NULL, "test.csv"), 0);
	if (len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3))
		bom = 3;
	while (pos + bom < len) {
		ck_assert_int_eq(iko_csv_record_end(data + pos + bom, len - pos - bom, ',', 1, &end), 1);
		ck_assert_uint_gt(end, 0);
		/* with more input to come, it either waits or ends the record at the same place */
		for (k = 1; k <= len - pos - bom; k++)
			if (iko_csv_record_end(data + pos + bom, k, ',', 0, &end2))
				ck_assert_uint_eq(end2, end);
		iko_csv_reader_set_mem(m, data + pos, bom + end, record, line, (long long)pos);
		rc = iko_csv_next(m, &row);
		ck_assert(rc == 1 || rc == IKO_EPARSE);
		describe(&cut, rc, &row);
		ck_assert_int_eq(iko_csv_next(m, &row), 0);
		for (k = 0; k < bom + end; k++)
			line += data[pos + k] == '\n';
		pos += bom + end;
		bom = 0;
		record++;
	}
	ck_assert_str_eq(iko_buf_cstr(&cut), iko_buf_cstr(&whole));
	check_cutter(data, len, iko_buf_cstr(&whole));
	iko_csv_reader_free(m);
	iko_buf_release(&whole);
	iko_buf_release(&cut);
}

START_TEST(test_cut_at_record_ends)
{
	static const char *const cases[] = {
		"a,b,c\r\n\"x,1\",\"he said \"\"hi\"\"\",\"multi\r\nline\"\n,,\nlast,\"\",end",
		"\"open\nfield\r\nnever closed",
		"\"a\"x,b\nnext,\"q\"\r\n\"a\"\rb\nc\r\rd\n\"\"\"\"\n\"x\"",
		"\xEF\xBB\xBF\"bom\",x\n",
		"\xEF\xBB\xBF",
		"\n\n\r\n,\r\n\"\r\n\",\"\"\n",
		"a\"b\",c\nd,e\"\"f\n\"g\"\"\n",
		"\"a\"\"\"",
		"x\r",
		"\"x\"\r",
		"\x82\xa0,\"\x83\x5c\",\x95\x5c\n",
		/* no quote: every LF ends a record (the cutter's quote-free stretch) */
		"a,b\nc,d\r\ne,f\n\ng\n",
		"x\ny\nz",
		"\xEF\xBB\xBF" "a,b\nc\n",
		"1,2\r\n3\r4\n5,6\n7,\"8\"\n9\n",
	};
	unsigned char buf[96];
	const unsigned char alphabet[] = "a,\"\r\n\x82\x5c" "bc,\n\"";
	unsigned seed = 7;
	size_t i, j, n;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_cuts((const unsigned char *)cases[i], strlen(cases[i]));
	for (i = 0; i < 2500; i++) {
		seed = seed * 1103515245u + 12345u;
		n = (seed >> 16) % sizeof(buf);
		for (j = 0; j < n; j++) {
			seed = seed * 1103515245u + 12345u;
			buf[j] = alphabet[(seed >> 16) % (sizeof(alphabet) - 1)];
		}
		if (i % 10 == 0 && n >= 3)
			memcpy(buf, "\xEF\xBB\xBF", 3);
		/* every third one without quotes (or with one near its end) */
		for (j = 0; i % 3 == 0 && j < n; j++)
			if (buf[j] == '"' && j + 4 < n)
				buf[j] = 'q';
		check_cuts(buf, n);
	}
}
END_TEST

Suite *csv_suite(void)
{
	Suite *s = suite_create("csv");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60); /* thousands of random texts, slow under ASan */

	tcase_add_test(tc, test_quoting);
	tcase_add_test(tc, test_write_ll);
	tcase_add_test(tc, test_chunk_boundaries);
	tcase_add_test(tc, test_bom_and_sjis);
	tcase_add_test(tc, test_malformed);
	tcase_add_test(tc, test_records_crlf);
	tcase_add_test(tc, test_random_round_trip);
	tcase_add_test(tc, test_writer_round_trip);
	tcase_add_test(tc, test_writeback);
	tcase_add_test(tc, test_write_field_every_position);
	tcase_add_test(tc, test_read_every_position);
	tcase_add_test(tc, test_fast_paths_agree);
	tcase_add_test(tc, test_missing_file);
	tcase_add_test(tc, test_cut_at_record_ends);
	suite_add_tcase(s, tc);
	return s;
}
