/*
 * fuzz_zip.c — zip inputs (extract/iko_input.c, ARCHIVE.zip[:MEMBER|PATTERN]):
 * the input is written to dump.zip and opened as the only member, as a
 * named member and as a pattern of volumes; each stream is read to its end
 * and closed, as the record readers do.
 */
#include "fuzz_common.h"

#include "iko_input.h"

static void drain(const char *spec)
{
	FILE *f = NULL;
	char *name = NULL, buf[4096];
	size_t total = 0, n;

	if (iko_input_open(&f, &name, spec) == 0) {
		/* at most 16 MB: a deflate bomb is not what this harness looks for */
		while ((n = fread(buf, 1, sizeof(buf), f)) > 0 && (total += n) < (16u << 20))
			;
		fclose(f);
	}
	free(name);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[512], spec[600];

	fz_path(path, sizeof(path), "dump.zip");
	fz_write(path, data, size);
	drain(path);
	snprintf(spec, sizeof(spec), "%s:JUMIN.DAT", path);
	drain(spec);
	snprintf(spec, sizeof(spec), "%s:*.DAT", path);
	drain(spec);
	snprintf(spec, sizeof(spec), "%s:[A-Z]*", path);
	drain(spec);
	iko_error_clear();
	return 0;
}
