/*
 * fuzz_copybook.c — the COBOL copybook parser (extract/iko_copybook.c):
 * the input is written to a .cpy file and loaded as a layout, the way
 * `iko extract --layout X.cpy` loads it.
 */
#include "fuzz_common.h"

#include "iko_layout_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[512];
	xlayout l;

	fz_path(path, sizeof(path), "layout.cpy");
	fz_write(path, data, size);
	memset(&l, 0, sizeof(l));
	if (iko_copybook_load(&l, path) == 0)
		iko_xlayout_free(&l);
	iko_error_clear();
	return 0;
}
