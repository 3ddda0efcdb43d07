/*
 * test_copyrow.c — splitting a row of COPY ... TO STDOUT text format
 * (iko_db_copy_text_split), the way reconcile reads loaded rows back.
 */
#include "load_tests.h"

#include "iko_db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXF 8

static const struct {
	const char *row;   /* as the server sends it */
	size_t want_n;     /* values in the row */
	const char *want;  /* the values joined by '|', a NULL as <NULL> */
} copy_cases[] = {
	{ "a\tb\tc\n", 3, "a|b|c" },
	{ "a\tb\tc", 3, "a|b|c" },                  /* no newline */
	{ "\n", 1, "" },                             /* one empty value */
	{ "\t\n", 2, "|" },
	{ "\\N\tx\t\\N\n", 3, "<NULL>|x|<NULL>" },
	{ "\\Nx\tx\\N\n", 2, "Nx|xN" },            /* \N inside a value is N */
	{ "\\N", 1, "<NULL>" },                       /* a NULL alone, no newline */
	{ "x\t\\N", 2, "x|<NULL>" },                 /* a NULL at the end */
	{ "\\\\N\t\\N\n", 2, "\\N|<NULL>" },       /* an escaped backslash and N, then a NULL */
	{ "a\\N\t\\N\n", 2, "aN|<NULL>" },           /* \N after a byte of the value, then a NULL */
	{ "a\\tb\\nc\\rd\\\\e\n", 1, "a\tb\nc\rd\\e" },
	{ "\\b\\f\\v\n", 1, "\b\f\v" },
	{ "\\101\\1010\\7\\08\n", 1, "AA0\a\\08" },   /* octal, 1-3 digits; \\0 in want: a zero byte */
	{ "\\x41\\x4a4\\xg\\x\n", 1, "AJ4xgx" },   /* hex, 1-2 digits; \x alone is x */
	{ "\\q\\.\\9\n", 1, "q.9" },               /* any other escaped char is itself */
	{ "末尾\\\\\t東京都\n", 2, "末尾\\|東京都" }, /* a backslash before the tab */
	{ "ends with \\", 1, "ends with \\" },      /* a lone backslash at the end */
	{ "2026-12-03\t0\t\t\n", 4, "2026-12-03|0||" },
	{ "1\t2\t3\t4\t5\t6\t7\t8\t9\t10\n", 10, "1|2|3|4|5|6|7|8" }, /* more than MAXF */
};

START_TEST(copy_split)
{
	size_t len = strlen(copy_cases[_i].row), n, i, at = 0, wl;
	char *row = malloc(len + 1), *fields[MAXF], got[256];
	size_t lens[MAXF];
	unsigned char nulls[MAXF];

	ck_assert_ptr_nonnull(row);
	memcpy(row, copy_cases[_i].row, len + 1);
	n = iko_db_copy_text_split(row, len, fields, lens, nulls, MAXF);
	ck_assert_uint_eq(n, copy_cases[_i].want_n);
	for (i = 0; i < n && i < MAXF; i++) {
		if (i)
			got[at++] = '|';
		/* every value ends in a zero byte at its length */
		ck_assert_int_eq(fields[i][lens[i]], '\0');
		if (nulls[i]) {
			ck_assert_uint_eq(lens[i], 0);
			memcpy(got + at, "<NULL>", 6);
			at += 6;
			continue;
		}
		memcpy(got + at, fields[i], lens[i]);
		at += lens[i];
	}
	/* the expected bytes, zero bytes included (\0 is written "\\0" in want) */
	wl = 0;
	{
		const char *w = copy_cases[_i].want;
		char want[256];
		while (*w) {
			if (w[0] == '\\' && w[1] == '0') {
				want[wl++] = '\0';
				w += 2;
			} else {
				want[wl++] = *w++;
			}
		}
		ck_assert_uint_eq(at, wl);
		ck_assert_mem_eq(got, want, wl);
	}
	free(row);
}
END_TEST

/* Without isnull, a NULL is still "" of length 0; no value is written past nfields. */
START_TEST(copy_split_few)
{
	char row[] = "x\t\\N\tyy";
	char *fields[2] = { NULL, NULL };
	size_t lens[2] = { 9, 9 };

	ck_assert_uint_eq(iko_db_copy_text_split(row, strlen(row), fields, lens, NULL, 2), 3);
	ck_assert_str_eq(fields[0], "x");
	ck_assert_uint_eq(lens[0], 1);
	ck_assert_str_eq(fields[1], "");
	ck_assert_uint_eq(lens[1], 0);
}
END_TEST

/* COPY's text form of a value: backslash, tab, newline and CR escaped. */
static size_t copy_encode(char *out, const char *v, size_t n)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		switch (v[i]) {
		case '\\': out[o++] = '\\'; out[o++] = '\\'; break;
		case '\t': out[o++] = '\\'; out[o++] = 't'; break;
		case '\n': out[o++] = '\\'; out[o++] = 'n'; break;
		case '\r': out[o++] = '\\'; out[o++] = 'r'; break;
		default: out[o++] = v[i];
		}
	}
	return o;
}

/*
 * Each special byte (escaped or a plain control byte the word test stops
 * at) at each position of values of 1 to 24 bytes, before a second value
 * of every length: both come back as they were, wherever the words fall.
 */
START_TEST(copy_split_every_position)
{
	static const char special[] = { '\t', '\\', '\n', '\r', 0x01, 0x0b, 'N' };
	char v1[32], v2[32], row[160], *fields[3];
	size_t lens[3], len, pos, k, n2, r;

	for (len = 1; len <= 24; len++)
		for (pos = 0; pos < len; pos++)
			for (k = 0; k < sizeof(special); k++) {
				memset(v1, 'a' + (int)(len % 26), len);
				v1[pos] = special[k];
				n2 = (len * 7 + pos) % 20;
				memset(v2, 'z', n2);
				if (n2)
					v2[n2 / 2] = (char)0xe3; /* a UTF-8 lead byte */
				r = copy_encode(row, v1, len);
				row[r++] = '\t';
				r += copy_encode(row + r, v2, n2);
				row[r++] = '\n';
				row[r] = '\0';
				ck_assert_uint_eq(iko_db_copy_text_split(row, r, fields, lens, NULL, 3), 2);
				ck_assert_uint_eq(lens[0], len);
				ck_assert_mem_eq(fields[0], v1, len);
				ck_assert_int_eq(fields[0][len], '\0');
				ck_assert_uint_eq(lens[1], n2);
				if (n2)
					ck_assert_mem_eq(fields[1], v2, n2);
				ck_assert_int_eq(fields[1][n2], '\0');
			}
}
END_TEST

/*
 * Rows whose only escapes are NULLs (split at tabs 16 bytes at a time): 1
 * to 40 values of 0 to 20 bytes each, about one in six a NULL (\N), so
 * that tabs fall at every place of a block, several in one block, none in
 * another; with and without the newline at the end; more values than
 * room. Each value comes back with its length and a zero byte after it,
 * a NULL as "" of length 0.
 */
START_TEST(copy_split_plain_rows)
{
	char row[1024], vals[40][24], *fields[40];
	size_t lens[40], vl[40], nv, i, r, n, room, nnull = 0;
	unsigned char nulls[40], isnul[40];
	unsigned x = 99;
	int nl;

	for (nv = 1; nv <= 40; nv++)
		for (nl = 0; nl < 2; nl++) {
			for (r = 0, i = 0; i < nv; i++) {
				size_t k;
				x = x * 1103515245u + 12345u;
				vl[i] = (x >> 16) % 21;
				for (k = 0; k < vl[i]; k++)
					vals[i][k] = k % 5 == 4 ? (char)0xe3 : (char)('a' + (i + k) % 26);
				isnul[i] = (x >> 8) % 6 == 0;
				if (i)
					row[r++] = '\t';
				if (isnul[i]) {
					vl[i] = 0;
					memcpy(row + r, "\\N", 2);
					r += 2;
					continue;
				}
				memcpy(row + r, vals[i], vl[i]);
				r += vl[i];
			}
			if (nl)
				row[r++] = '\n';
			row[r] = '\0';
			room = nv > 3 ? nv - 3 : nv; /* fewer places than values from 4 values on */
			memset(nulls, 7, sizeof(nulls));
			n = iko_db_copy_text_split(row, r, fields, lens, nulls, room);
			ck_assert_uint_eq(n, nv);
			for (i = 0; i < room; i++) {
				ck_assert_uint_eq(lens[i], vl[i]);
				ck_assert_mem_eq(fields[i], vals[i], vl[i]);
				ck_assert_int_eq(fields[i][vl[i]], '\0');
				ck_assert_int_eq(nulls[i], isnul[i]);
				nnull += isnul[i];
			}
			for (; i < 40; i++)
				ck_assert_int_eq(nulls[i], 7); /* nothing written past the room */
		}
	ck_assert_uint_gt(nnull, 50);
}
END_TEST

/* A newline before the end (COPY TO escapes it, so it cannot come) ends the row, as it always did. */
START_TEST(copy_split_newline_inside)
{
	char row[] = "a\tbb\nc\tdd";
	char *fields[4];
	size_t lens[4];

	ck_assert_uint_eq(iko_db_copy_text_split(row, strlen(row), fields, lens, NULL, 4), 2);
	ck_assert_str_eq(fields[0], "a");
	ck_assert_str_eq(fields[1], "bb");
	ck_assert_uint_eq(lens[1], 2);
}
END_TEST

TCase *load_copyrow_tcase(void)
{
	TCase *tc = tcase_create("copyrow");

	tcase_add_loop_test(tc, copy_split, 0, (int)(sizeof(copy_cases) / sizeof(copy_cases[0])));
	tcase_add_test(tc, copy_split_few);
	tcase_add_test(tc, copy_split_every_position);
	tcase_add_test(tc, copy_split_plain_rows);
	tcase_add_test(tc, copy_split_newline_inside);
	return tc;
}
