/*
 * fuzz_pack.c — the mapping pack loader (transform/iko_pack.c, with its
 * code tables, regexes, lookups and overlay checks). The input is
 * pack.yaml; when it holds a line "#--overlay--", what follows goes to
 * overlays/435015.yaml and the pack is loaded for that municipality. A
 * lookup table lookup.csv sits next to pack.yaml for `lookup: {file:
 * lookup.csv}` steps.
 */
#include "fuzz_common.h"

#include "iko_pack.h"

static const char lookup_csv[] = "from,to\n01,1\n02,2\n\"0,3\",3\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	char dir[512], path[512];
	const uint8_t *sep = fz_split(data, size, "\n#--overlay--\n");
	size_t packlen = sep ? (size_t)(sep - data) : size;
	iko_pack *p = NULL;

	fz_path(dir, sizeof(dir), "pack");
	if (!ready) {
		fz_path(path, sizeof(path), "pack/overlays");
		if (iko_mkdir_p(path, 1))
			abort();
		fz_path(path, sizeof(path), "pack/lookup.csv");
		fz_write(path, lookup_csv, sizeof(lookup_csv) - 1);
		ready = 1;
	}
	fz_path(path, sizeof(path), "pack/pack.yaml");
	fz_write(path, data, packlen);
	fz_path(path, sizeof(path), "pack/overlays/435015.yaml");
	if (sep) {
		size_t skip = strlen("\n#--overlay--\n");
		fz_write(path, sep + skip, size - packlen - skip);
	} else {
		unlink(path);
	}
	if (iko_pack_load(&p, dir, "435015") == 0) {
		size_t i;
		(void)iko_pack_totals(p);
		for (i = 0; i < iko_pack_ninputs(p); i++)
			(void)iko_pack_input_at(p, i);
		iko_pack_free(p);
	}
	iko_error_clear();
	return 0;
}
