/*
 * iko_fs.c — atomic output files and small file-system helpers.
 */
#define _GNU_SOURCE /* sync_file_range */
#include "iko_fs.h"

#include "iko_buf.h"
#include "iko_error.h"
#include "iko_sha256.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct iko_afile {
	char *path;
	char *tmp;
	FILE *fp;
	int committed;
	mode_t mode;    /* the permission bits asked for */
	off_t flushed;  /* bytes handed to the kernel's writeback (iko_afile_writeback) */
};

/*
 * Temporary files in progress, so that a signal handler can remove them
 * (iko_tmp_cleanup): slots hold malloc'd copies of the names. Threads of
 * one run create files at the same time (transform beside extract, the
 * load beside validate), so claiming and releasing a slot takes a mutex;
 * a slot is set and cleared with atomic stores, and the handler (which
 * takes no lock) reads each with an atomic load and may see a name either
 * way around a claim or release — unlinking a name that was just renamed
 * away or already removed is harmless (the names carry our pid).
 */
#define TMP_SLOTS 256
static char *tmp_slots[TMP_SLOTS];
static pthread_mutex_t tmp_mu = PTHREAD_MUTEX_INITIALIZER;

void iko_tmp_remember(const char *tmp)
{
	char *p = iko_strdup(tmp);
	size_t i;

	pthread_mutex_lock(&tmp_mu);
	for (i = 0; p && i < TMP_SLOTS; i++)
		if (!__atomic_load_n(&tmp_slots[i], __ATOMIC_SEQ_CST)) {
			__atomic_store_n(&tmp_slots[i], p, __ATOMIC_SEQ_CST);
			p = NULL;
		}
	pthread_mutex_unlock(&tmp_mu);
	free(p); /* every slot taken: not removed on a signal */
}

void iko_tmp_forget(const char *tmp)
{
	char *gone = NULL;
	size_t i;

	pthread_mutex_lock(&tmp_mu);
	for (i = 0; tmp && !gone && i < TMP_SLOTS; i++) {
		char *p = __atomic_load_n(&tmp_slots[i], __ATOMIC_SEQ_CST);
		if (p && !strcmp(p, tmp)) {
			__atomic_store_n(&tmp_slots[i], NULL, __ATOMIC_SEQ_CST);
			gone = p;
		}
	}
	pthread_mutex_unlock(&tmp_mu);
	free(gone);
}

/*
 * A file being created (iko_afile_open, from naming it to its open) while
 * the handler runs: the handler first closes the door (tmp_closing: no new
 * file after it, for the rest of the process), then waits for the
 * creations already under way, and only then removes the names — so a
 * helper thread cannot create a file just after the removal (the faults
 * test saw validate's rejects.csv.tmp, created beside a paused transform,
 * left behind under ThreadSanitizer). Helper threads run with the signals
 * blocked (iko_thread_start), so the handler runs on the main thread, which
 * may itself be in the middle of a creation: the wait gives up after 0.2 s.
 * Files that libzip and libxlsxwriter create at their close (package,
 * evidence, workbook) are named here but created by them, on the main
 * thread.
 */
static int tmp_closing, tmp_creating;

/* A creation starts: 0 once the handler has closed the door. */
static int creation_begin(void)
{
	__atomic_add_fetch(&tmp_creating, 1, __ATOMIC_SEQ_CST);
	if (!__atomic_load_n(&tmp_closing, __ATOMIC_SEQ_CST))
		return 1;
	__atomic_sub_fetch(&tmp_creating, 1, __ATOMIC_SEQ_CST);
	return 0;
}

static void creation_end(void)
{
	__atomic_sub_fetch(&tmp_creating, 1, __ATOMIC_SEQ_CST);
}

size_t iko_tmp_cleanup(void)
{
	struct timespec ms = { 0, 1000000 };
	size_t i, n = 0;
	int waits;

	__atomic_store_n(&tmp_closing, 1, __ATOMIC_SEQ_CST);
	for (waits = 0; waits < 200 && __atomic_load_n(&tmp_creating, __ATOMIC_SEQ_CST) > 0; waits++)
		nanosleep(&ms, NULL);
	for (i = 0; i < TMP_SLOTS; i++) {
		char *p = __atomic_load_n(&tmp_slots[i], __ATOMIC_SEQ_CST);
		if (p && unlink(p) == 0)
			n++;
	}
	return n;
}

char *iko_tmpname(const char *path)
{
	char *t = iko_aprintf("%s.tmp.%ld", path, (long)getpid());

	if (t)
		iko_tmp_remember(t);
	return t;
}

void iko_test_pause(const char *point)
{
	const char *want = getenv("IKO_TEST_PAUSE"), *file = getenv("IKO_TEST_PAUSE_FILE");
	const char *resume = getenv("IKO_TEST_PAUSE_RESUME");

	if (!want || !point || strcmp(want, point))
		return;
	if (file) {
		FILE *f = fopen(file, "w");
		if (f)
			fclose(f);
	}
	for (;;) {
		struct timespec ts = { 0, 20 * 1000 * 1000 };
		if (resume && access(resume, F_OK) == 0)
			return;
		if (!resume)
			pause();
		else
			nanosleep(&ts, NULL);
	}
}

/* The test pause point commit:<file name>, just before an output gets its final name. */
static void pause_at_commit(const char *final)
{
	const char *base = strrchr(final, '/');
	char point[300];

	if (!getenv("IKO_TEST_PAUSE"))
		return;
	snprintf(point, sizeof(point), "commit:%s", base ? base + 1 : final);
	iko_test_pause(point);
}

int iko_afile_open(iko_afile **out, const char *path, mode_t mode)
{
	iko_afile *f = NULL;
	int fd = -1, rc = IKO_ENOMEM;

	*out = NULL;
	f = calloc(1, sizeof(*f));
	if (!f)
		goto done;
	f->path = iko_strdup(path);
	if (!f->path)
		goto done;
	if (!creation_begin()) {
		rc = iko_error_set(IKO_EIO, "cannot create a file for %s: interrupted", path);
		goto done;
	}
	f->tmp = iko_tmpname(path);
	if (f->tmp)
		fd = open(f->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	creation_end(); /* errno stays open's */
	if (!f->tmp)
		goto done;
	if (fd < 0) {
		rc = iko_error_set_errno(IKO_EIO, "cannot create %s", f->tmp);
		goto done;
	}
	(void)fchmod(fd, mode);
	f->mode = mode & 07777;
	f->fp = fdopen(fd, "wb");
	if (!f->fp) {
		rc = iko_error_set_errno(IKO_EIO, "cannot open %s", f->tmp);
		close(fd);
		unlink(f->tmp);
		goto done;
	}
	*out = f;
	return 0;
done:
	if (rc == IKO_ENOMEM && iko_error_code() != IKO_ENOMEM)
		iko_error_set(IKO_ENOMEM, "out of memory");
	if (f) {
		free(f->path);
		free(f->tmp);
		free(f);
	}
	return rc;
}

FILE *iko_afile_fp(iko_afile *f)
{
	return f->fp;
}

const char *iko_afile_tmppath(const iko_afile *f)
{
	return f->tmp;
}

const char *iko_afile_path(const iko_afile *f)
{
	return f->path;
}

int iko_afile_writeback(iko_afile *f, long long written)
{
	off_t at;

	if (written - (long long)f->flushed < IKO_AFILE_WRITEBACK_STEP)
		return 0;
	if (fflush(f->fp) != 0)
		return iko_error_set_errno(IKO_EIO, "cannot write %s", f->path);
	if ((at = ftello(f->fp)) > f->flushed) {
		/* advice only: where it fails (not a regular file) the commit's fsync does it all */
		(void)sync_file_range(fileno(f->fp), f->flushed, at - f->flushed, SYNC_FILE_RANGE_WRITE);
		f->flushed = at;
	}
	return 0;
}

int iko_afile_commit(iko_afile *f)
{
	int failed;

	failed = fflush(f->fp) != 0 || ferror(f->fp);
	if (!failed && fsync(fileno(f->fp)) != 0 && errno != EINVAL)
		failed = 1;
	if (failed) {
		iko_error_set_errno(IKO_EIO, "cannot write %s", f->path);
		fclose(f->fp);
		f->fp = NULL;
		return IKO_EIO;
	}
	if (fclose(f->fp) != 0) {
		f->fp = NULL;
		return iko_error_set_errno(IKO_EIO, "cannot close %s", f->path);
	}
	f->fp = NULL;
	pause_at_commit(f->path);
	if (rename(f->tmp, f->path) != 0)
		return iko_error_set_errno(IKO_EIO, "cannot rename %s to %s",
					   f->tmp, f->path);
	f->committed = 1;
	iko_tmp_forget(f->tmp);
	return 0;
}

int iko_copy_range(int in_fd, off_t in_off, int out_fd, off_t out_off, long long len)
{
	char buf[65536];
	ssize_t n, w;
	int kernel = 1;

	while (len > 0) {
		size_t want = len > (1LL << 30) ? (size_t)1 << 30 : (size_t)len;
		if (kernel) {
			n = copy_file_range(in_fd, &in_off, out_fd, &out_off, want, 0);
			if (n < 0 && (errno == EXDEV || errno == ENOSYS || errno == EINVAL || errno == EOPNOTSUPP ||
				      errno == EPERM)) {
				kernel = 0;
				continue;
			}
		} else {
			n = pread(in_fd, buf, want < sizeof(buf) ? want : sizeof(buf), in_off);
			for (w = 0; n > 0 && w < n;) {
				ssize_t k = pwrite(out_fd, buf + w, (size_t)(n - w), out_off + w);
				if (k < 0 && errno == EINTR)
					continue;
				if (k <= 0)
					return IKO_EIO;
				w += k;
			}
			if (n > 0) {
				in_off += n;
				out_off += n;
			}
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return IKO_EIO;
		if (n == 0) {
			errno = EIO; /* the source ended early */
			return IKO_EIO;
		}
		len -= n;
	}
	return 0;
}

int iko_copy_file(const char *src, const char *dst, mode_t mode, int sync)
{
	struct stat st;
	int in, out = -1, rc = 0;

	if ((in = open(src, O_RDONLY | O_CLOEXEC)) < 0 || fstat(in, &st) != 0)
		rc = iko_error_set_errno(IKO_EIO, "cannot read %s", src);
	else if ((out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)) < 0 || fchmod(out, mode) != 0)
		rc = iko_error_set_errno(IKO_EIO, "cannot create %s", dst);
	else if (iko_copy_range(in, 0, out, 0, (long long)st.st_size) != 0 || (sync && fsync(out) != 0))
		rc = iko_error_set_errno(IKO_EIO, "cannot copy %s to %s", src, dst);
	if (out >= 0 && close(out) != 0 && !rc)
		rc = iko_error_set_errno(IKO_EIO, "cannot close %s", dst);
	if (in >= 0)
		(void)close(in); /* read only: nothing to lose */
	return rc;
}

int iko_afile_commit_link(iko_afile *f, const char *src)
{
	struct stat st;
	int err = 0, rc;

	if (f->fp && fclose(f->fp) != 0) {
		f->fp = NULL;
		return iko_error_set_errno(IKO_EIO, "cannot close %s", f->path);
	}
	f->fp = NULL;
	if (unlink(f->tmp) != 0 && errno != ENOENT)
		return iko_error_set_errno(IKO_EIO, "cannot remove %s", f->tmp);
	if (stat(src, &st) != 0)
		return iko_error_set_errno(IKO_EIO, "cannot read %s", src);
	/*
	 * a link shares src's owner and permissions: only where they are the
	 * ones this file would get (0600 stays 0600). IKO_TEST_NO_LINK
	 * (tests): as on a file system without hard links
	 */
	if ((st.st_mode & 07777) != f->mode || st.st_uid != geteuid())
		err = EPERM;
	else if (getenv("IKO_TEST_NO_LINK"))
		err = EXDEV;
	else if (link(src, f->tmp) != 0)
		err = errno;
	if (err && err != EXDEV && err != EPERM && err != EMLINK && err != EOPNOTSUPP) {
		errno = err;
		return iko_error_set_errno(IKO_EIO, "cannot link %s to %s", src, f->tmp);
	}
	/* no hard link here: a copy of the bytes, fsynced as iko_afile_commit leaves them */
	if (err && (rc = iko_copy_file(src, f->tmp, f->mode, 1)))
		return rc;
	pause_at_commit(f->path);
	if (rename(f->tmp, f->path) != 0)
		return iko_error_set_errno(IKO_EIO, "cannot rename %s to %s", f->tmp, f->path);
	f->committed = 1;
	iko_tmp_forget(f->tmp);
	return 0;
}

void iko_afile_free(iko_afile *f)
{
	if (!f)
		return;
	if (f->fp)
		fclose(f->fp);
	if (!f->committed && f->tmp)
		unlink(f->tmp);
	iko_tmp_forget(f->tmp);
	free(f->path);
	free(f->tmp);
	free(f);
}

int iko_commit_rename(const char *tmp, const char *final)
{
	int fd = open(tmp, O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
	pause_at_commit(final);
	if (rename(tmp, final) != 0)
		return iko_error_set_errno(IKO_EIO, "cannot rename %s to %s", tmp,
					   final);
	iko_tmp_forget(tmp);
	return 0;
}

int iko_mkdir_p(const char *path, int private_dir)
{
	char *p = iko_strdup(path), *s;
	mode_t mode = private_dir ? 0700 : 0755;
	int rc = 0;

	if (!p)
		return IKO_ENOMEM;
	for (s = p + 1; ; s++) {
		if (*s == '/' || *s == '\0') {
			char c = *s;
			*s = '\0';
			if (mkdir(p, mode) != 0 && errno != EEXIST) {
				rc = iko_error_set_errno(IKO_EIO,
							 "cannot create directory %s", p);
				break;
			}
			*s = c;
			if (c == '\0')
				break;
		}
	}
	if (!rc && !iko_is_dir(path))
		rc = iko_error_set(IKO_EIO, "not a directory: %s", path);
	free(p);
	return rc;
}

int iko_path_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

int iko_is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

char *iko_path_join(const char *dir, const char *name)
{
	size_t n = strlen(dir);

	if (n && dir[n - 1] == '/')
		return iko_aprintf("%s%s", dir, name);
	return iko_aprintf("%s/%s", dir, name);
}

int iko_rm_rf(const char *path)
{
	struct stat st;
	DIR *d;
	struct dirent *e;
	int rc = 0;

	if (lstat(path, &st) != 0)
		return errno == ENOENT ? 0
				       : iko_error_set_errno(IKO_EIO, "cannot stat %s", path);
	if (!S_ISDIR(st.st_mode)) {
		if (unlink(path) != 0)
			return iko_error_set_errno(IKO_EIO, "cannot remove %s", path);
		return 0;
	}
	d = opendir(path);
	if (!d)
		return iko_error_set_errno(IKO_EIO, "cannot open directory %s", path);
	while (!rc && (e = readdir(d)) != NULL) {
		char *child;
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		child = iko_path_join(path, e->d_name);
		if (!child) {
			rc = IKO_ENOMEM;
			break;
		}
		rc = iko_rm_rf(child);
		free(child);
	}
	closedir(d);
	if (!rc && rmdir(path) != 0)
		rc = iko_error_set_errno(IKO_EIO, "cannot remove directory %s", path);
	return rc;
}

int iko_file_sha256(char hex[65], long long *size, const char *path)
{
	unsigned char buf[1 << 16];
	iko_sha256 ctx;
	FILE *fp = fopen(path, "rb");
	long long total = 0;
	size_t n;

	if (!fp)
		return iko_error_set_errno(IKO_ENOTFOUND, "cannot open %s", path);
	iko_sha256_init(&ctx);
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0) {
		iko_sha256_update(&ctx, buf, n);
		total += (long long)n;
	}
	if (ferror(fp)) {
		fclose(fp);
		return iko_error_set_errno(IKO_EIO, "cannot read %s", path);
	}
	fclose(fp);
	iko_sha256_final_hex(&ctx, hex);
	if (size)
		*size = total;
	return 0;
}

int iko_read_small_file(char **out, size_t *len, const char *path)
{
	iko_buf b = IKO_BUF_INIT;
	char chunk[8192];
	FILE *fp;
	size_t n;

	*out = NULL;
	fp = fopen(path, "rb");
	if (!fp)
		return iko_error_set_errno(IKO_ENOTFOUND, "cannot open %s", path);
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0) {
		if (b.len + n > (64u << 20) || iko_buf_put(&b, chunk, n)) {
			fclose(fp);
			iko_buf_release(&b);
			return iko_error_set(IKO_EIO, "%s: file too large", path);
		}
	}
	if (ferror(fp)) {
		fclose(fp);
		iko_buf_release(&b);
		return iko_error_set_errno(IKO_EIO, "cannot read %s", path);
	}
	fclose(fp);
	if (len)
		*len = b.len;
	*out = iko_buf_detach(&b);
	return *out ? 0 : IKO_ENOMEM;
}

void iko_now_iso(char out[21])
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

long long iko_file_size(FILE *fp)
{
	struct stat st;
	int fd = fp ? fileno(fp) : -1;

	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
		return 0;
	return (long long)st.st_size;
}

int iko_write_file(const char *path, const void *data, size_t len, mode_t mode)
{
	iko_afile *f = NULL;
	int rc;

	if ((rc = iko_afile_open(&f, path, mode)))
		return rc;
	if (len && fwrite(data, 1, len, iko_afile_fp(f)) != len)
		rc = iko_error_set_errno(IKO_EIO, "cannot write %s", path);
	if (!rc)
		rc = iko_afile_commit(f);
	iko_afile_free(f);
	return rc;
}

char *iko_path_beside(const char *file, const char *rel)
{
	const char *slash = strrchr(file, '/');
	char *dir, *out;

	if (rel[0] == '/' || !slash)
		return iko_strdup(rel);
	if (!(dir = iko_strndup(file, (size_t)(slash - file) + (slash == file))))
		return NULL;
	out = iko_path_join(dir, rel);
	free(dir);
	return out;
}

typedef struct thread_start {
	void *(*fn)(void *);
	void *arg;
} thread_start;

/* Run the thread's function, then free its error message (thread-local). */
static void *thread_main(void *p)
{
	thread_start ts = *(thread_start *)p;
	void *ret;

	free(p);
	ret = ts.fn(ts.arg);
	iko_error_clear();
	return ret;
}

int iko_thread_start(pthread_t *th, void *(*fn)(void *), void *arg)
{
	thread_start *ts = malloc(sizeof(*ts));
	sigset_t block, old;
	int rc;

	if (!ts)
		return -1;
	ts->fn = fn;
	ts->arg = arg;
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	rc = pthread_create(th, NULL, thread_main, ts);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc)
		free(ts);
	return rc;
}

int iko_thread_keep_error(int rc, char **err)
{
	if (rc && !(*err = iko_strdup(iko_error_message())))
		return IKO_ENOMEM;
	return rc;
}

int iko_thread_join(pthread_t th, const int *rc, char **err)
{
	pthread_join(th, NULL);
	if (*rc)
		iko_error_set(*rc, "%s", *err ? *err : "out of memory");
	free(*err);
	*err = NULL;
	return *rc;
}
