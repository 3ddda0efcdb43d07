/*
 * iko_libzip.c — libzip, loaded when a command first needs it.
 *
 * libzip.so.4 brings OpenSSL's libcrypto and bzip2 with it; mapping and
 * relocating them at every start cost every command a few milliseconds
 * (common/iko_dynlib.h), and most commands never open a zip. So iko is not
 * linked with libzip: the functions it calls (zip inputs, the evidence
 * bundle, the cutover package, xlsx reading) are defined here with zip.h's
 * prototypes and call the library's own, loaded by the first call.
 *
 * IKO_LIBZIP, when set, names the file to load instead of libzip.so.4.
 * Without the library zip_open fails (ZIP_ER_INTERNAL), and
 * zip_error_strerror and the other message functions give why ("cannot
 * load the zip library: … (apt-get install libzip4)"), so every caller's
 * "cannot open X: <libzip's message>" says it; the rest are only reached
 * with an archive, which then cannot exist.
 */
#include "iko_dynlib.h"

#include <string.h>
#include <zip.h>

static iko_dynlib zl = IKO_DYNLIB_INIT("libzip.so.4", "IKO_LIBZIP", "the zip library", "libzip4", 0);

#define FN(ret, name, params, args, fail) IKO_DYN_FN(zl, ret, name, params, args, fail)
#define VFN(name, params, args) IKO_DYN_VFN(zl, name, params, args)

/* opening: fails as libzip fails to open a file, with an error code */
static __typeof__(&zip_open) p_zip_open;
zip_t *zip_open(const char *path, int flags, int *errorp)
{
	IKO_DYN_REAL(zl, zip_open);
	if (f_)
		return f_(path, flags, errorp);
	if (errorp)
		*errorp = ZIP_ER_INTERNAL;
	return NULL;
}
FN(int, zip_close, (zip_t *za), (za), -1)
VFN(zip_discard, (zip_t *za), (za))

/* messages: why the library is missing, when it is */
static __typeof__(&zip_error_init_with_code) p_zip_error_init_with_code;
void zip_error_init_with_code(zip_error_t *error, int ze)
{
	IKO_DYN_REAL(zl, zip_error_init_with_code);
	if (f_)
		f_(error, ze);
	else
		memset(error, 0, sizeof(*error));
}
VFN(zip_error_fini, (zip_error_t *error), (error))
FN(const char *, zip_error_strerror, (zip_error_t *error), (error), iko_dynlib_why(&zl))
FN(const char *, zip_strerror, (zip_t *za), (za), iko_dynlib_why(&zl))
FN(const char *, zip_file_strerror, (zip_file_t *zf), (zf), iko_dynlib_why(&zl))

/* reading */
FN(zip_int64_t, zip_get_num_entries, (zip_t *za, zip_flags_t flags), (za, flags), -1)
FN(const char *, zip_get_name, (zip_t *za, zip_uint64_t index, zip_flags_t flags), (za, index, flags), NULL)
FN(zip_int64_t, zip_name_locate, (zip_t *za, const char *fname, zip_flags_t flags), (za, fname, flags), -1)
FN(zip_file_t *, zip_fopen, (zip_t *za, const char *fname, zip_flags_t flags), (za, fname, flags), NULL)
FN(zip_file_t *, zip_fopen_index, (zip_t *za, zip_uint64_t index, zip_flags_t flags), (za, index, flags), NULL)
FN(zip_int64_t, zip_fread, (zip_file_t *zf, void *buf, zip_uint64_t nbytes), (zf, buf, nbytes), -1)
FN(int, zip_fclose, (zip_file_t *zf), (zf), -1)

/* writing */
FN(zip_source_t *, zip_source_file, (zip_t *za, const char *fname, zip_uint64_t start, zip_int64_t len),
   (za, fname, start, len), NULL)
FN(zip_source_t *, zip_source_buffer, (zip_t *za, const void *data, zip_uint64_t len, int freep),
   (za, data, len, freep), NULL)
VFN(zip_source_free, (zip_source_t *src), (src))
FN(zip_int64_t, zip_file_add, (zip_t *za, const char *name, zip_source_t *src, zip_flags_t flags),
   (za, name, src, flags), -1)
