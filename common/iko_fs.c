/*
 * iko_fs.c — atomic output files and small file-system helpers.
 */
#include "iko_fs.h"

#include "iko_buf.h"
#include "iko_error.h"
#include "iko_sha256.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
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
};

char *iko_tmpname(const char *path)
{
	return iko_aprintf("%s.tmp.%ld", path, (long)getpid());
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
	f->tmp = iko_tmpname(path);
	if (!f->path || !f->tmp)
		goto done;
	fd = open(f->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0) {
		rc = iko_error_set_errno(IKO_EIO, "cannot create %s", f->tmp);
		goto done;
	}
	(void)fchmod(fd, mode);
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
	if (rename(f->tmp, f->path) != 0)
		return iko_error_set_errno(IKO_EIO, "cannot rename %s to %s",
					   f->tmp, f->path);
	f->committed = 1;
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
	if (rename(tmp, final) != 0)
		return iko_error_set_errno(IKO_EIO, "cannot rename %s to %s", tmp,
					   final);
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
