/*
 * fuzz_common.h — shared by the libFuzzer harnesses (fuzz/fuzz_*.c) and the
 * replay driver (fuzz/driver.c): the entry point's prototype and a private
 * scratch directory for loaders that only take a path.
 *
 * The scratch directory is made once per process under /dev/shm (else
 * /tmp) and removed at exit; harnesses overwrite their files in it for
 * every input.
 */
#ifndef IKO_FUZZ_COMMON_H
#define IKO_FUZZ_COMMON_H

#include "iko_error.h"
#include "iko_fs.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char fz_scratch[256];

static inline void fz_cleanup(void)
{
	if (fz_scratch[0])
		iko_rm_rf(fz_scratch);
	iko_error_clear();
}

/* The scratch directory (created on first use); aborts if it cannot be made. */
static inline const char *fz_dir(void)
{
	if (!fz_scratch[0]) {
		const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
		snprintf(fz_scratch, sizeof(fz_scratch), "%s/iko-fuzz-XXXXXX", base);
		if (!mkdtemp(fz_scratch)) {
			perror("fuzz: mkdtemp");
			abort();
		}
		atexit(fz_cleanup);
	}
	return fz_scratch;
}

/* dir/name into out (at least 512 bytes). */
static inline const char *fz_path(char *out, size_t n, const char *name)
{
	snprintf(out, n, "%s/%s", fz_dir(), name);
	return out;
}

/* Write size bytes to path (truncating); aborts on failure. */
static inline void fz_write(const char *path, const void *data, size_t size)
{
	FILE *f = fopen(path, "wb");

	if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f)) {
		perror(path);
		abort();
	}
}

/* First occurrence of the separator line sep in data[0..size), or NULL. */
static inline const uint8_t *fz_split(const uint8_t *data, size_t size, const char *sep)
{
	size_t k = strlen(sep), i;

	for (i = 0; size >= k && i <= size - k; i++)
		if (!memcmp(data + i, sep, k))
			return data + i;
	return NULL;
}

#endif
