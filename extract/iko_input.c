/*
 * iko_input.c — plain files and zip members as stdio streams.
 *
 * A zip member is exposed through fopencookie(), so the record readers
 * stay the same for both; a CRC or inflate error surfaces as a read error.
 */
#define _GNU_SOURCE
#include "iko_input.h"

#include "iko_buf.h"
#include "iko_error.h"

#include <stdlib.h>
#include <string.h>
#include <zip.h>

typedef struct zip_stream {
	zip_t *zip;
	zip_file_t *file;
} zip_stream;

static ssize_t zs_read(void *cookie, char *buf, size_t size)
{
	zip_stream *zs = cookie;
	zip_int64_t n = zip_fread(zs->file, buf, size);

	return n < 0 ? -1 : (ssize_t)n;
}

static int zs_close(void *cookie)
{
	zip_stream *zs = cookie;

	zip_fclose(zs->file);
	zip_discard(zs->zip);
	free(zs);
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
	zip_int64_t idx;
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
	if (member) {
		idx = zip_name_locate(zs->zip, member, 0);
		if (idx < 0) {
			zip_discard(zs->zip);
			free(zs);
			return iko_error_set(IKO_ENOTFOUND, "%s: no member named %s", path, member);
		}
	} else {
		zip_int64_t n = zip_get_num_entries(zs->zip, 0);
		if (n != 1) {
			zip_discard(zs->zip);
			free(zs);
			return iko_error_set(IKO_EINVAL, "%s holds %lld members: name one as %s:MEMBER",
					     path, (long long)n, path);
		}
		idx = 0;
	}
	mname = zip_get_name(zs->zip, (zip_uint64_t)idx, 0);
	zs->file = zip_fopen_index(zs->zip, (zip_uint64_t)idx, 0);
	if (!zs->file || !mname) {
		iko_error_set(IKO_EIO, "%s: cannot read member %s: %s", path, mname ? mname : "?",
			      zip_strerror(zs->zip));
		zip_discard(zs->zip);
		free(zs);
		return IKO_EIO;
	}
	*name = iko_strdup(mname);
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
	slash = strrchr(spec, '/');
	*name = iko_strdup(slash ? slash + 1 : spec);
	if (!*name) {
		fclose(*out);
		*out = NULL;
		return IKO_ENOMEM;
	}
	return 0;
}
