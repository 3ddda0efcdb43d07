/*
 * test_follow_out.c — extract followed by a reader (iko rehearse's
 * transform beside extract): while it writes, extract tells the follow set
 * the size its output will have, from the share of the input read so far,
 * on its parallel path and on its one-thread path; at the commit, the exact
 * size.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "iko_extract.h"
#include "iko_follow.h"
#include "iko_fs.h"

Suite *follow_out_suite(void);

#define NREC 1000000 /* 20 bytes each: 77 of extract's 256 KiB batches */

static char dir[64];

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/iko-xfollow-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
	ck_assert_int_eq(iko_rm_rf(dir), 0);
}

typedef struct seen {
	iko_follow *f;
	char out[128];
	int calls, estimates;
	long long lo, hi;      /* the estimates told before the end */
} seen;

/* extract's progress: look at what the follow set says of the output so far */
static void on_progress(const char *stage, long long done, long long total, void *payload)
{
	seen *s = payload;
	long long e = iko_follow_expected(s->f, s->out);

	(void)stage;
	(void)total;
	s->calls++;
	if (e < 0 || done >= NREC)
		return;
	if (!s->estimates++ || e < s->lo)
		s->lo = e;
	if (e > s->hi)
		s->hi = e;
}

static void run(int threads)
{
	char layout[128], input[128];
	iko_extract_options o = IKO_EXTRACT_OPTIONS_INIT;
	iko_extract_stats st;
	struct stat sb;
	seen s;
	FILE *fp;
	long long i;

	memset(&s, 0, sizeof(s));
	snprintf(layout, sizeof(layout), "%s/L.yaml", dir);
	snprintf(input, sizeof(input), "%s/IN.DAT", dir);
	snprintf(s.out, sizeof(s.out), "%s/IN.csv", dir);
	fp = fopen(layout, "w");
	ck_assert_ptr_nonnull(fp);
	fputs("layout: t\nencoding: CP932\nrecfm: lines\nrecord_length: 19\nname: T\nfields:\n"
	      "  - {name: NO, offset: 0, length: 7, type: X}\n"
	      "  - {name: NAME, offset: 7, length: 12, type: X}\n",
	      fp);
	fclose(fp);
	fp = fopen(input, "w");
	ck_assert_ptr_nonnull(fp);
	for (i = 0; i < NREC; i++)
		fprintf(fp, "%07lldABCDEFGHIJKL\n", i);
	fclose(fp);
	ck_assert_int_eq(iko_follow_new(&s.f), 0);
	o.layout_path = layout;
	o.input = input;
	o.out = s.out;
	o.progress = on_progress;
	o.payload = &s;
	o.follow = s.f;
	setenv("IKO_EXTRACT_THREADS", threads ? "2" : "1", 1);
	memset(&st, 0, sizeof(st));
	ck_assert_int_eq(iko_extract_run(&st, &o), 0);
	unsetenv("IKO_EXTRACT_THREADS");
	iko_follow_close(s.f, 1);
	ck_assert_int_eq(st.records_written, NREC);
	ck_assert_int_eq(stat(s.out, &sb), 0);
	/* "NO,NAME\n" and a million rows of "0000123,ABCDEFGHIJKL\n" */
	ck_assert_int_eq(sb.st_size, 8 + NREC * 21LL);
	ck_assert_int_eq(iko_follow_expected(s.f, s.out), sb.st_size);
	/* told before the end, and within 1% of the size it got */
	ck_assert_int_gt(s.estimates, 0);
	ck_assert_int_le(s.hi * 100, sb.st_size * 101);
	ck_assert_int_ge(s.lo * 100, sb.st_size * 99);
	iko_extract_stats_release(&st);
	iko_follow_free(s.f);
}

START_TEST(test_expect_parallel)
{
	run(1);
}
END_TEST

START_TEST(test_expect_one_thread)
{
	run(0);
}
END_TEST

Suite *follow_out_suite(void)
{
	Suite *s = suite_create("follow_out");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_expect_parallel);
	tcase_add_test(tc, test_expect_one_thread);
	suite_add_tcase(s, tc);
	return s;
}
