/*
 * test_follow.c — reading a file while another thread writes it
 * (iko_follow): the reader gets exactly the committed bytes, waits for a
 * file not begun yet, fails when the writer abandons the file or the set,
 * and reads a finished or never-followed file like any other.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "iko_buf.h"
#include "iko_csv.h"
#include "iko_error.h"
#include "iko_follow.h"
#include "iko_fs.h"

Suite *follow_suite(void);

static char dir[64];

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/iko-follow-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
	ck_assert_int_eq(iko_rm_rf(dir), 0);
}

typedef struct writer {
	iko_follow *f;
	char path[128];
	int rows, abandon, close_ok;
	long long rc;
} writer;

static void nap(void)
{
	struct timespec ts = { 0, 2 * 1000 * 1000 };
	nanosleep(&ts, NULL);
}

/* rows of ~100 bytes through an iko_csv_writer that the set follows */
static void *write_main(void *arg)
{
	writer *w = arg;
	iko_csv_writer *cw = NULL;
	int i, rc;

	nap(); /* the reader usually asks before the file is begun */
	rc = iko_csv_writer_open(&cw, w->path, 0600);
	if (!rc)
		rc = iko_csv_writer_follow(cw, w->f);
	for (i = 0; !rc && i < w->rows; i++) {
		char v[16];
		snprintf(v, sizeof(v), "%d", i);
		rc = iko_csv_write_str(cw, v) || iko_csv_write_str(cw, "宛名,\"引用\"\n改行") ||
		     iko_csv_write_str(cw, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx") ||
		     iko_csv_end_row(cw);
		if (i % 5000 == 0)
			nap();
	}
	if (!rc && !w->abandon)
		rc = iko_csv_writer_commit(cw);
	iko_csv_writer_free(cw);
	iko_follow_close(w->f, w->close_ok);
	w->rc = rc;
	return NULL;
}

static void read_all(FILE *fp, iko_buf *b, int *err)
{
	char chunk[3000];
	size_t n;

	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		ck_assert_int_eq(iko_buf_put(b, chunk, n), 0);
	*err = ferror(fp) ? errno : 0;
}

static void slurp(const char *path, iko_buf *b)
{
	FILE *fp = fopen(path, "rb");
	int err;

	ck_assert_ptr_nonnull(fp);
	read_all(fp, b, &err);
	ck_assert_int_eq(err, 0);
	fclose(fp);
}

/* Start w's writer, read its file through the set as it is written, wait for the writer. */
static void follow_read(writer *w, iko_buf *got)
{
	pthread_t th;
	FILE *fp;
	int err;

	ck_assert_int_eq(pthread_create(&th, NULL, write_main, w), 0);
	fp = iko_follow_fopen(w->f, w->path);
	ck_assert_ptr_nonnull(fp);
	read_all(fp, got, &err);
	ck_assert_int_eq(err, 0);
	fclose(fp);
	pthread_join(th, NULL);
	ck_assert_int_eq(w->rc, 0);
}

START_TEST(test_follow_whole_file)
{
	writer w;
	iko_buf got = IKO_BUF_INIT, want = IKO_BUF_INIT;
	FILE *fp;
	int err;

	memset(&w, 0, sizeof(w));
	ck_assert_int_eq(iko_follow_new(&w.f), 0);
	snprintf(w.path, sizeof(w.path), "%s/resident.csv", dir);
	w.rows = 40000; /* ~4 MB: many writes of 256 KiB */
	w.close_ok = 1;
	follow_read(&w, &got);
	slurp(w.path, &want);
	ck_assert_uint_gt(want.len, 3000000);
	ck_assert_uint_eq(got.len, want.len);
	ck_assert_int_eq(memcmp(got.ptr, want.ptr, want.len), 0);
	/* opened after the file is done: the file as it is */
	iko_buf_clear(&got);
	fp = iko_follow_fopen(w.f, w.path);
	ck_assert_ptr_nonnull(fp);
	read_all(fp, &got, &err);
	fclose(fp);
	ck_assert_uint_eq(got.len, want.len);
	ck_assert_int_eq(iko_follow_wait_closed(w.f), 1);
	iko_buf_release(&got);
	iko_buf_release(&want);
	iko_follow_free(w.f);
}
END_TEST

START_TEST(test_follow_csv_reader)
{
	writer w;
	pthread_t th;
	iko_csv_reader *rd = NULL;
	iko_csv_row row;
	FILE *fp;
	long long n = 0;
	int got;

	memset(&w, 0, sizeof(w));
	ck_assert_int_eq(iko_follow_new(&w.f), 0);
	snprintf(w.path, sizeof(w.path), "%s/t.csv", dir);
	w.rows = 30000;
	w.close_ok = 1;
	ck_assert_int_eq(pthread_create(&th, NULL, write_main, &w), 0);
	fp = iko_follow_fopen(w.f, w.path);
	ck_assert_ptr_nonnull(fp);
	ck_assert_int_eq(iko_csv_reader_adopt_fp(&rd, fp, w.path), 0);
	/* records cut across the writer's flushes come out whole */
	while ((got = iko_csv_next(rd, &row)) == 1) {
		char v[32];
		snprintf(v, sizeof(v), "%lld", n);
		ck_assert_uint_eq(row.nfields, 3);
		ck_assert_str_eq(row.fields[0], v);
		ck_assert_str_eq(row.fields[1], "宛名,\"引用\"\n改行");
		n++;
	}
	ck_assert_int_eq(got, 0);
	ck_assert_int_eq(n, 30000);
	iko_csv_reader_free(rd);
	pthread_join(th, NULL);
	ck_assert_int_eq(w.rc, 0);
	iko_follow_free(w.f);
}
END_TEST

/* The share (0-100) of path's pages in the page cache (mincore). */
static int cached_percent(const char *path)
{
	struct stat st;
	unsigned char *vec;
	size_t pages, i, in = 0;
	long pg = sysconf(_SC_PAGESIZE);
	void *m;
	int fd = open(path, O_RDONLY);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fstat(fd, &st), 0);
	pages = ((size_t)st.st_size + (size_t)pg - 1) / (size_t)pg;
	ck_assert_uint_gt(pages, 0);
	m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	ck_assert_ptr_ne(m, MAP_FAILED);
	vec = malloc(pages);
	ck_assert_ptr_nonnull(vec);
	ck_assert_int_eq(mincore(m, (size_t)st.st_size, vec), 0);
	for (i = 0; i < pages; i++)
		in += vec[i] & 1;
	free(vec);
	munmap(m, (size_t)st.st_size);
	close(fd);
	return (int)(in * 100 / pages);
}

/*
 * Read a ~40 MB file while it is written, with or without drop_read: the
 * same bytes either way; with it, the pages read are no longer cached
 * (the writer synced them), without it they are. Where the directory is
 * a tmpfs the kernel cannot drop them: only the bytes are compared.
 */
static void follow_drop(int drop)
{
	writer w;
	iko_buf got = IKO_BUF_INIT, want = IKO_BUF_INIT;
	struct statfs sf;
	int cached;

	memset(&w, 0, sizeof(w));
	ck_assert_int_eq(iko_follow_new(&w.f), 0);
	iko_follow_drop_read(w.f, drop);
	snprintf(w.path, sizeof(w.path), "%s/big.csv", dir);
	w.rows = 400000; /* ~40 MB: several writeback steps past the two the reader lags */
	w.close_ok = 1;
	follow_read(&w, &got);
	cached = cached_percent(w.path);
	ck_assert_int_eq(statfs(dir, &sf), 0);
	if (sf.f_type == TMPFS_MAGIC)
		fprintf(stderr, "test_follow_drop: %s is a tmpfs, its pages cannot be dropped: not checked\n", dir);
	else if (drop)
		ck_assert_msg(cached <= 10, "%d %% of the file still cached after a reader that drops", cached);
	else
		ck_assert_msg(cached >= 90, "only %d %% of the file cached after a reader that keeps", cached);
	slurp(w.path, &want);
	ck_assert_uint_gt(want.len, 38000000);
	ck_assert_uint_eq(got.len, want.len);
	ck_assert_int_eq(memcmp(got.ptr, want.ptr, want.len), 0);
	iko_buf_release(&got);
	iko_buf_release(&want);
	iko_follow_free(w.f);
}

START_TEST(test_follow_drop_read)
{
	follow_drop(1);
}
END_TEST

START_TEST(test_follow_keep_read)
{
	follow_drop(0);
}
END_TEST

START_TEST(test_follow_abandoned)
{
	writer w;
	pthread_t th;
	iko_buf got = IKO_BUF_INIT;
	FILE *fp;
	int err;

	memset(&w, 0, sizeof(w));
	ck_assert_int_eq(iko_follow_new(&w.f), 0);
	snprintf(w.path, sizeof(w.path), "%s/resident.csv", dir);
	w.rows = 20000;
	w.abandon = 1;   /* freed without commit: the temporary file is removed */
	w.close_ok = 0;
	ck_assert_int_eq(pthread_create(&th, NULL, write_main, &w), 0);
	fp = iko_follow_fopen(w.f, w.path);
	if (fp) {
		read_all(fp, &got, &err);
		ck_assert_int_eq(err, EIO);
		fclose(fp);
	} else {
		ck_assert_int_eq(errno, EIO); /* abandoned before the reader opened it */
	}
	pthread_join(th, NULL);
	ck_assert_int_eq(access(w.path, F_OK), -1);
	ck_assert_int_eq(iko_follow_wait_closed(w.f), 0);
	/* asked again afterwards: still failed */
	ck_assert_ptr_null(iko_follow_fopen(w.f, w.path));
	ck_assert_int_eq(errno, EIO);
	iko_buf_release(&got);
	iko_follow_free(w.f);
}
END_TEST

static void *close_later(void *arg)
{
	nap();
	iko_follow_close(arg, 1);
	return NULL;
}

START_TEST(test_follow_never_begun)
{
	iko_follow *f = NULL;
	pthread_t th;
	char path[128];
	FILE *fp;

	ck_assert_int_eq(iko_follow_new(&f), 0);
	snprintf(path, sizeof(path), "%s/household.csv", dir);
	/* waits until the set is closed, then the file as it is: missing */
	ck_assert_int_eq(pthread_create(&th, NULL, close_later, f), 0);
	fp = iko_follow_fopen(f, path);
	ck_assert_ptr_null(fp);
	ck_assert_int_eq(errno, ENOENT);
	pthread_join(th, NULL);
	/* a file nobody writes through the set: read as it is */
	fp = fopen(path, "w");
	ck_assert_ptr_nonnull(fp);
	fputs("a,b\n", fp);
	fclose(fp);
	fp = iko_follow_fopen(f, path);
	ck_assert_ptr_nonnull(fp);
	ck_assert_int_eq(fgetc(fp), 'a');
	fclose(fp);
	/* a reader can tell such a file from one a writer began or named */
	ck_assert_int_eq(iko_follow_expected(f, path), -1);
	/* no set: plain fopen */
	fp = iko_follow_fopen(NULL, path);
	ck_assert_ptr_nonnull(fp);
	fclose(fp);
	iko_follow_free(f);
	iko_follow_free(NULL);
}
END_TEST

/*
 * Files named up front (iko load --extract): the named one is waited for
 * and followed, with the size it was named with until the writer tells
 * more; one the set does not name is read as it is at once; a named file
 * the set is closed without beginning fails its reader, never read from
 * what an earlier run left under that name.
 */
START_TEST(test_follow_announce)
{
	writer w;
	iko_buf got = IKO_BUF_INIT, want = IKO_BUF_INIT;
	char other[128], stale[128];
	iko_follow *f = NULL;
	FILE *fp;

	memset(&w, 0, sizeof(w));
	ck_assert_int_eq(iko_follow_new(&w.f), 0);
	snprintf(w.path, sizeof(w.path), "%s/resident.csv", dir);
	snprintf(other, sizeof(other), "%s/household.csv", dir);
	ck_assert_int_eq(iko_follow_announce(w.f, w.path, 12345), 0);
	ck_assert_int_eq(iko_follow_announce(w.f, w.path, 1), IKO_EINVAL);
	ck_assert_int_eq(iko_follow_expected(w.f, w.path), 12345);
	/* not named: read at once, as it is (the writer has not even started) */
	fp = fopen(other, "w");
	ck_assert_ptr_nonnull(fp);
	fputs("a,b\n", fp);
	fclose(fp);
	fp = iko_follow_fopen(w.f, other);
	ck_assert_ptr_nonnull(fp);
	ck_assert_int_eq(fgetc(fp), 'a');
	fclose(fp);
	/* named: waited for, then followed to its last byte */
	w.rows = 20000;
	w.close_ok = 1;
	follow_read(&w, &got);
	slurp(w.path, &want);
	ck_assert_uint_eq(got.len, want.len);
	ck_assert_int_eq(memcmp(got.ptr, want.ptr, got.len), 0);
	ck_assert_int_eq(iko_follow_expected(w.f, w.path), (long long)want.len);
	iko_follow_free(w.f);
	/* named, never begun, the set closed (even as ok): EIO, the old file not read */
	ck_assert_int_eq(iko_follow_new(&f), 0);
	snprintf(stale, sizeof(stale), "%s/resident.csv", dir);
	ck_assert_int_eq(iko_follow_announce(f, stale, 0), 0);
	iko_follow_close(f, 1);
	errno = 0;
	ck_assert_ptr_null(iko_follow_fopen(f, stale));
	ck_assert_int_eq(errno, EIO);
	iko_follow_free(f);
	iko_buf_release(&got);
	iko_buf_release(&want);
}
END_TEST

/* the size a reader may expect: the writer's estimate, then the exact size */
START_TEST(test_follow_expect)
{
	iko_follow *f = NULL;
	iko_csv_writer *cw = NULL, *plain = NULL;
	char path[128], other[128];
	struct stat st;
	int i;

	ck_assert_int_eq(iko_follow_new(&f), 0);
	snprintf(path, sizeof(path), "%s/resident.csv", dir);
	snprintf(other, sizeof(other), "%s/household.csv", dir);
	ck_assert_int_eq(iko_csv_writer_open(&cw, path, 0600), 0);
	ck_assert_int_eq(iko_csv_writer_follow(cw, f), 0);
	ck_assert_int_eq(iko_follow_expected(f, path), -1);
	for (i = 0; i < 10; i++)
		ck_assert_int_eq(iko_csv_write_str(cw, "ab") || iko_csv_write_str(cw, "c") || iko_csv_end_row(cw), 0);
	/* 50 bytes from all of the input so far */
	iko_csv_writer_expect(cw, 0, 1, 1);
	ck_assert_int_eq(iko_follow_expected(f, path), 50);
	/* 50 written + 7 held by the caller from half of the input */
	iko_csv_writer_expect(cw, 7, 500, 1000);
	ck_assert_int_eq(iko_follow_expected(f, path), 114);
	/* nothing read or no size known: the estimate stays */
	iko_csv_writer_expect(cw, 0, 0, 1000);
	iko_csv_writer_expect(cw, 0, 10, 0);
	ck_assert_int_eq(iko_follow_expected(f, path), 114);
	/* the row being built counts too */
	ck_assert_int_eq(iko_csv_write_str(cw, "xyz"), 0);
	iko_csv_writer_expect(cw, 0, 3, 3);
	ck_assert_int_eq(iko_follow_expected(f, path), 53);
	ck_assert_int_eq(iko_csv_end_row(cw), 0);
	/* committed: the exact size */
	ck_assert_int_eq(iko_csv_writer_commit(cw), 0);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_size, 54);
	ck_assert_int_eq(iko_follow_expected(f, path), 54);
	/* a writer nobody follows tells nobody; an unknown path has none */
	ck_assert_int_eq(iko_csv_writer_open(&plain, other, 0600), 0);
	ck_assert_int_eq(iko_csv_write_str(plain, "q") || iko_csv_end_row(plain), 0);
	iko_csv_writer_expect(plain, 0, 1, 1);
	ck_assert_int_eq(iko_follow_expected(f, other), -1);
	iko_csv_writer_free(plain);
	iko_csv_writer_free(cw);
	iko_follow_free(f);
}
END_TEST

/*
 * Temporary names remembered by threads at once (transform beside
 * extract): every one is kept for the signal handler's cleanup, and
 * forgetting them leaves none (a lost slot was a data race).
 */
typedef struct namer {
	int id;
	char names[40][128];
} namer;

static void *remember_main(void *arg)
{
	namer *n = arg;
	int i;

	for (i = 0; i < 40; i++) {
		FILE *fp;
		snprintf(n->names[i], sizeof(n->names[i]), "%s/t%d-%d.tmp", dir, n->id, i);
		fp = fopen(n->names[i], "w");
		if (fp)
			fclose(fp);
		iko_tmp_remember(n->names[i]);
	}
	return NULL;
}

static void *forget_main(void *arg)
{
	namer *n = arg;
	int i;

	for (i = 0; i < 40; i++)
		iko_tmp_forget(n->names[i]);
	return NULL;
}

START_TEST(test_tmp_names_threads)
{
	static namer n[4];
	pthread_t th[4];
	int i, k;

	for (i = 0; i < 4; i++) {
		n[i].id = i;
		ck_assert_int_eq(pthread_create(&th[i], NULL, remember_main, &n[i]), 0);
	}
	for (i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	/* all 160 files removed by the handler's cleanup */
	ck_assert_int_eq(iko_tmp_cleanup(), 160);
	for (i = 0; i < 4; i++)
		for (k = 0; k < 40; k++)
			ck_assert_int_ne(access(n[i].names[k], F_OK), 0);
	for (i = 0; i < 4; i++)
		ck_assert_int_eq(pthread_create(&th[i], NULL, forget_main, &n[i]), 0);
	for (i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	/* forgotten: a file of one of those names is left alone */
	{
		FILE *fp = fopen(n[2].names[7], "w");
		ck_assert_ptr_nonnull(fp);
		fclose(fp);
	}
	ck_assert_int_eq(iko_tmp_cleanup(), 0);
	ck_assert_int_eq(access(n[2].names[7], F_OK), 0);
}
END_TEST

Suite *follow_suite(void)
{
	Suite *s = suite_create("follow");
	TCase *tc = tcase_create("follow");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_follow_whole_file);
	tcase_add_test(tc, test_follow_csv_reader);
	tcase_add_test(tc, test_follow_drop_read);
	tcase_add_test(tc, test_follow_keep_read);
	tcase_add_test(tc, test_follow_abandoned);
	tcase_add_test(tc, test_follow_never_begun);
	tcase_add_test(tc, test_follow_expect);
	tcase_add_test(tc, test_follow_announce);
	tcase_add_test(tc, test_tmp_names_threads);
	suite_add_tcase(s, tc);
	return s;
}
