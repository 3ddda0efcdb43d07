/*
 * iko_yaml.h — YAML documents (layouts, schemas, packs, overlays, projects,
 * plans, manifests) loaded into a small read-only tree with line numbers.
 *
 * Built on libyaml's event parser. Aliases are refused (no expansion
 * bombs); every scalar is kept as its text, typed by the accessor that
 * reads it. JSON is accepted too, which lets iko read its own manifests.
 */
#ifndef IKO_YAML_H
#define IKO_YAML_H

#include <stddef.h>

typedef enum iko_yaml_kind {
	IKO_YAML_SCALAR,
	IKO_YAML_SEQ,
	IKO_YAML_MAP
} iko_yaml_kind;

typedef struct iko_yaml_node {
	iko_yaml_kind kind;
	char *value;                  /* scalar text (NUL-terminated), else NULL */
	size_t len;                   /* scalar length in bytes */
	int plain;                    /* 1 if an unquoted scalar */
	int line;                     /* 1-based line of the node */
	size_t n;                     /* sequence items, or mapping pairs */
	struct iko_yaml_node **items; /* seq: n items; map: key 2i, value 2i+1 */
	size_t stored;                /* internal: items held (a key may await its value) */
} iko_yaml_node;

typedef struct iko_yaml_doc iko_yaml_doc;

/* Parse a file; errors name the file and line. *out owned by caller. */
int iko_yaml_load_file(iko_yaml_doc **out, const char *path);
/* Parse a string; name is used in error messages. */
int iko_yaml_load_string(iko_yaml_doc **out, const char *text, size_t len,
			 const char *name);
/* Root node (an empty mapping for an empty document); owned by the doc. */
const iko_yaml_node *iko_yaml_root(const iko_yaml_doc *doc);
/* The file name given at load time. */
const char *iko_yaml_name(const iko_yaml_doc *doc);
void iko_yaml_free(iko_yaml_doc *doc);

/* Value for key in a mapping; NULL if node is not a mapping or key absent. */
const iko_yaml_node *iko_yaml_get(const iko_yaml_node *map, const char *key);
/* Scalar text of map[key], or def when absent or not a scalar. */
const char *iko_yaml_str(const iko_yaml_node *map, const char *key,
			 const char *def);
/* 1 if node is a scalar, returning its text; "" otherwise. */
const char *iko_yaml_text(const iko_yaml_node *node);
/* Integer map[key] into *out (def if absent); IKO_EPARSE if not an integer. */
int iko_yaml_int(long long *out, const iko_yaml_node *map, const char *key,
		 long long def);
/* Boolean map[key] (true/false/yes/no/on/off/1/0) into *out. */
int iko_yaml_bool(int *out, const iko_yaml_node *map, const char *key, int def);
/* Item i of a sequence, NULL when out of range or not a sequence. */
const iko_yaml_node *iko_yaml_at(const iko_yaml_node *seq, size_t i);
/* Number of items of a sequence or pairs of a mapping; 0 for scalars. */
size_t iko_yaml_count(const iko_yaml_node *node);
/* Key text and value of pair i of a mapping. */
const char *iko_yaml_key_at(const iko_yaml_node *map, size_t i);
const iko_yaml_node *iko_yaml_value_at(const iko_yaml_node *map, size_t i);

#endif
