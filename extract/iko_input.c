/*
 * iko_input.c — plain files and zip members as stdio streams.
 *
 * A zip member is exposed through fopencookie(), so the record readers
 * stay the same for both; a CRC or inflate error surfaces as a read error.
 * A member pattern (shell wildcards) streams every matching member, in
 * name order, one after the other: a dump split into volumes reads as one.
 */
#define _GNU_SOURCE
#include "iko_input.h"

#include "iko_buf.h"
#include "iko_codec.h"
#include "iko_error.h"
#include "iko_utf8.h"

#include <errno.h>
#include <sys/stat.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

typedef struct zip_stream {
	zip_t *zip;
	zip_file_t *file;
	zip_uint64_t *next;   /* members still to read after file (pattern) */
	size_t nnext, pos;
	char **names;         /* every entry's name as UTF-8 (member_names) */
	zip_int64_t nnames;
} zip_stream;

/* The last archive read error of this thread (iko_input_error). */
static __thread char zip_error[160];

const char *iko_input_error(void)
{
	return zip_error[0] ? zip_error : NULL;
}

static ssize_t zs_read(void *cookie, char *buf, size_t size)
{
	zip_stream *zs = cookie;
	zip_int64_t n;

	for (;;) {
		if (!zs->file) {
			errno = EIO;
			return -1;
		}
		n = zip_fread(zs->file, buf, size);
		if (n < 0) {
			snprintf(zip_error, sizeof(zip_error), "%s", zip_file_strerror(zs->file));
			errno = EIO;
			return -1;
		}
		if (n != 0 || zs->pos >= zs->nnext)
			return (ssize_t)n;
		/* this member is done: go on with the next one */
		zip_fclose(zs->file);
		zs->file = zip_fopen_index(zs->zip, zs->next[zs->pos++], 0);
		if (!zs->file) {
			snprintf(zip_error, sizeof(zip_error), "%s", zip_strerror(zs->zip));
			errno = EIO;
			return -1;
		}
	}
}

static int zs_close(void *cookie)
{
	zip_stream *zs = cookie;
	zip_int64_t i;

	if (zs->file)
		zip_fclose(zs->file);
	zip_discard(zs->zip);
	free(zs->next);
	for (i = 0; i < zs->nnames; i++)
		free(zs->names[i]);
	free(zs->names);
	free(zs);
	return 0;
}

static int is_pattern(const char *member)
{
	return strpbrk(member, "*?[") != NULL;
}

/* s decoded by cdc (iko_codec: every byte must convert), malloc'd; NULL when it does not. */
static char *name_from(iko_codec *cdc, const char *s)
{
	iko_buf b = IKO_BUF_INIT;
	char *out = NULL;

	if (cdc && iko_codec_decode(cdc, &b, (const unsigned char *)s, strlen(s), 0) == 0)
		out = iko_strndup(b.ptr ? b.ptr : "", b.len);
	iko_buf_release(&b);
	return out;
}

/*
 * One entry's name as UTF-8. A zip name is UTF-8 when the archive says so
 * (general purpose bit 11, or Info-ZIP's Unicode path field) and CP437
 * otherwise (APPNOTE 4.4.4, appendix D), which is how libzip reads it.
 * But Windows in Japanese writes names in CP932 and says nothing, so a name
 * that is not UTF-8, and that libzip read as CP437, is read as CP932 when
 * every byte converts (住民.DAT, not ÅZû».DAT).
 */
static char *entry_name(zip_t *zip, zip_uint64_t i, iko_codec *cp437, iko_codec *cp932)
{
	const char *guess = zip_get_name(zip, i, 0), *raw = zip_get_name(zip, i, ZIP_FL_ENC_RAW);
	char *as437, *as932;

	if (!guess)
		return NULL;
	if (!raw || iko_utf8_valid(raw, strlen(raw)))
		return iko_strdup(guess);
	as437 = name_from(cp437, raw);
	if (as437 && strcmp(as437, guess) != 0) {
		/* libzip had a UTF-8 name from the archive itself */
		free(as437);
		return iko_strdup(guess);
	}
	free(as437);
	as932 = name_from(cp932, raw);
	return as932 ? as932 : iko_strdup(guess);
}

/* Every entry's name (entry_name), once per archive. */
static int member_names(zip_stream *zs)
{
	zip_int64_t n = zip_get_num_entries(zs->zip, 0), i;
	iko_codec *cp437 = NULL, *cp932 = NULL;

	if (zs->names || n <= 0)
		return 0;
	zs->names = calloc((size_t)n, sizeof(*zs->names));
	if (!zs->names)
		return iko_error_set(IKO_ENOMEM, "out of memory");
	zs->nnames = n;
	/* without either codec (out of memory) the name is libzip's */
	if (iko_codec_open(&cp437, "CP437") || iko_codec_open(&cp932, "CP932"))
		iko_error_clear();
	for (i = 0; i < n; i++)
		zs->names[i] = entry_name(zs->zip, (zip_uint64_t)i, cp437, cp932);
	iko_codec_free(cp437);
	iko_codec_free(cp932);
	return 0;
}

static const char *member_name(const zip_stream *zs, zip_uint64_t i)
{
	return (zip_int64_t)i < zs->nnames && zs->names[i] ? zs->names[i] : "";
}

static int name_cmp(const void *a, const void *b, void *zs)
{
	return strcmp(member_name(zs, *(const zip_uint64_t *)a), member_name(zs, *(const zip_uint64_t *)b));
}

/* Every file member matching pattern (names read: member_names), in name order: first in *idx, the rest in zs->next. */
static int match_members(zip_stream *zs, const char *path, const char *pattern, zip_int64_t *idx)
{
	zip_int64_t n = zip_get_num_entries(zs->zip, 0), i;
	zip_uint64_t *all;
	size_t k = 0;

	all = calloc(n > 0 ? (size_t)n : 1, sizeof(*all));
	if (!all)
		return iko_error_set(IKO_ENOMEM, "out of memory");
	for (i = 0; i < n; i++) {
		const char *nm = member_name(zs, (zip_uint64_t)i);
		size_t l = strlen(nm);
		if (nm && l && nm[l - 1] != '/' && fnmatch(pattern, nm, 0) == 0)
			all[k++] = (zip_uint64_t)i;
	}
	if (!k) {
		free(all);
		return iko_error_set(IKO_ENOTFOUND, "%s: no member matches %s", path, pattern);
	}
	qsort_r(all, k, sizeof(*all), name_cmp, zs);
	*idx = (zip_int64_t)all[0];
	memmove(all, all + 1, (k - 1) * sizeof(*all));
	zs->next = all;
	zs->nnext = k - 1;
	return 0;
}

static int has_zip_suffix(const char *s, size_t len)
{
	return len >= 4 && (!strncmp(s + len - 4, ".zip", 4) || !strncmp(s + len - 4, ".ZIP", 4));
}

static int open_member(FILE **out, char **name, const char *path, const char *member)
{
	cookie_io_functions_t io = { zs_read, NULL, NULL, zs_close };
	zip_stream *zs = NULL;
	zip_int64_t idx = 0;
	int err = 0;
	const char *mname;
	zip_error_t ze;

	zs = calloc(1, sizeof(*zs));
	if (!zs)
		return iko_error_set(IKO_ENOMEM, "out of memory");
	zs->zip = zip_open(path, ZIP_RDONLY, &err);
	if (!zs->zip) {
		zip_error_init_with_code(&ze, err);
		iko_error_set(err == ZIP_ER_NOENT || err == ZIP_ER_OPEN ? IKO_ENOTFOUND : IKO_EIO,
			      "cannot open %s: %s", path, zip_error_strerror(&ze));
		zip_error_fini(&ze);
		free(zs);
		return iko_error_code();
	}
	if (member_names(zs)) {
		zs_close(zs);
		return iko_error_code();
	}
	if (member && is_pattern(member)) {
		if (match_members(zs, path, member, &idx)) {
			zs_close(zs);
			return iko_error_code();
		}
	} else if (member) {
		for (idx = 0; idx < zs->nnames && strcmp(member_name(zs, (zip_uint64_t)idx), member); idx++)
			;
		if (idx >= zs->nnames) {
			zs_close(zs);
			return iko_error_set(IKO_ENOTFOUND, "%s: no member named %s", path, member);
		}
	} else {
		zip_int64_t n = zip_get_num_entries(zs->zip, 0);
		if (n != 1) {
			zs_close(zs);
			return iko_error_set(IKO_EINVAL, "%s holds %lld members: name one as %s:MEMBER",
					     path, (long long)n, path);
		}
		idx = 0;
	}
	mname = member_name(zs, (zip_uint64_t)idx);
	zs->file = zip_fopen_index(zs->zip, (zip_uint64_t)idx, 0);
	if (!zs->file) {
		iko_error_set(IKO_EIO, "%s: cannot read member %s: %s", path, mname, zip_strerror(zs->zip));
		zs_close(zs);
		return IKO_EIO;
	}
	*name = iko_strdup(member && is_pattern(member) ? member : mname);
	*out = fopencookie(zs, "rb", io);
	if (!*name || !*out) {
		free(*name);
		*name = NULL;
		zs_close(zs);
		return iko_error_set(IKO_ENOMEM, "out of memory");
	}
	return 0;
}

int iko_input_is_archive(const char *spec)
{
	return strstr(spec, ".zip:") || strstr(spec, ".ZIP:") || has_zip_suffix(spec, strlen(spec));
}

int iko_input_open(FILE **out, char **name, const char *spec)
{
	const char *colon = NULL, *p, *slash;
	char *path;
	int rc;

	zip_error[0] = '\0'; /* no stale archive error from an earlier input */

	*out = NULL;
	*name = NULL;
	/* ARCHIVE.zip:MEMBER — the last ".zip:" in the spec splits it */
	for (p = strstr(spec, ".zip:"); p; p = strstr(p + 1, ".zip:"))
		colon = p + 4;
	for (p = colon ? NULL : strstr(spec, ".ZIP:"); p; p = strstr(p + 1, ".ZIP:"))
		colon = p + 4;
	if (colon) {
		path = iko_strndup(spec, (size_t)(colon - spec));
		if (!path)
			return IKO_ENOMEM;
		rc = open_member(out, name, path, colon + 1);
		free(path);
		return rc;
	}
	if (has_zip_suffix(spec, strlen(spec)))
		return open_member(out, name, spec, NULL);
	*out = fopen(spec, "rb");
	if (!*out)
		return iko_error_set_errno(IKO_ENOTFOUND, "cannot open %s", spec);
	{
		struct stat st;
		if (fstat(fileno(*out), &st) == 0 && S_ISDIR(st.st_mode)) {
			fclose(*out);
			*out = NULL;
			return iko_error_set(IKO_EIO, "cannot open %s: Is a directory", spec);
		}
	}
	slash = strrchr(spec, '/');
	*name = iko_strdup(slash ? slash + 1 : spec);
	if (!*name) {
		fclose(*out);
		*out = NULL;
		return IKO_ENOMEM;
	}
	return 0;
}
