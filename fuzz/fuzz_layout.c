/*
 * fuzz_layout.c — the YAML layout loader (extract/iko_extract.c over
 * common/iko_yaml.c): the input is written to a .yaml file and loaded
 * through iko_extract_layout_types(), which parses and frees the layout.
 * The same bytes also go through iko_yaml_load_string() and a walk of
 * the tree with the typed accessors.
 */
#include "fuzz_common.h"

#include "iko_extract.h"
#include "iko_yaml.h"

static void walk(const iko_yaml_node *n, int depth)
{
	size_t i;
	long long v;
	int b;

	if (!n || depth > 64)
		return;
	if (n->kind == IKO_YAML_MAP) {
		for (i = 0; i < iko_yaml_count(n); i++) {
			const char *k = iko_yaml_key_at(n, i);
			(void)iko_yaml_int(&v, n, k, 0);
			(void)iko_yaml_bool(&b, n, k, 0);
			(void)iko_yaml_str(n, k, NULL);
			walk(iko_yaml_value_at(n, i), depth + 1);
		}
	} else if (n->kind == IKO_YAML_SEQ) {
		for (i = 0; i < iko_yaml_count(n); i++)
			walk(iko_yaml_at(n, i), depth + 1);
	} else {
		(void)iko_yaml_text(n);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[512];
	size_t n;
	iko_yaml_doc *doc = NULL;

	fz_path(path, sizeof(path), "layout.yaml");
	fz_write(path, data, size);
	(void)iko_extract_layout_types(path, &n);
	if (iko_yaml_load_string(&doc, (const char *)data, size, "fuzz.yaml") == 0) {
		walk(iko_yaml_root(doc), 0);
		iko_yaml_free(doc);
	}
	iko_error_clear();
	return 0;
}
