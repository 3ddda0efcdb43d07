/*
 * iko_yaml.c — libyaml events → iko_yaml_node tree.
 */
#include "iko_yaml.h"

#include "iko_buf.h"
#include "iko_error.h"
#include "iko_fs.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#define YAML_MAX_DEPTH 64

struct iko_yaml_doc {
	char *name;
	iko_yaml_node *root;
};

static void node_free(iko_yaml_node *n)
{
	size_t i, count;

	if (!n)
		return;
	count = n->stored;
	for (i = 0; i < count; i++)
		node_free(n->items[i]);
	free(n->items);
	free(n->value);
	free(n);
}

static iko_yaml_node *node_new(iko_yaml_kind kind, int line)
{
	iko_yaml_node *n = calloc(1, sizeof(*n));

	if (n) {
		n->kind = kind;
		n->line = line;
	}
	return n;
}

struct frame {
	iko_yaml_node *node;
	size_t cap;
	size_t filled; /* items stored (for maps counts keys and values) */
};

static int attach(struct frame *stack, int depth, iko_yaml_node **root,
		  iko_yaml_node *n, const char *name)
{
	struct frame *f;
	iko_yaml_node *p;

	if (depth == 0) {
		if (*root) {
			node_free(n);
			return 0; /* only the first document is used */
		}
		*root = n;
		return 0;
	}
	f = &stack[depth - 1];
	p = f->node;
	if (p->kind == IKO_YAML_MAP && f->filled % 2 == 0 && n->kind == IKO_YAML_SCALAR) {
		size_t k;
		for (k = 0; k < f->filled; k += 2)
			if (p->items[k]->kind == IKO_YAML_SCALAR && !strcmp(p->items[k]->value, n->value)) {
				int line = n->line;
				char *key = n->value;
				n->value = NULL;
				node_free(n);
				iko_error_set(IKO_EPARSE, "%s:%d: duplicate key: %s", name, line, key);
				free(key);
				return IKO_EPARSE;
			}
	}
	if (f->filled + 1 > f->cap) {
		size_t nc = f->cap ? f->cap * 2 : 8;
		iko_yaml_node **items = realloc(p->items, nc * sizeof(*items));
		if (!items) {
			node_free(n);
			return IKO_ENOMEM;
		}
		p->items = items;
		f->cap = nc;
	}
	p->items[f->filled++] = n;
	p->stored = f->filled;
	p->n = p->kind == IKO_YAML_MAP ? f->filled / 2 : f->filled;
	return 0;
}

static int parse(iko_yaml_doc *doc, yaml_parser_t *parser)
{
	struct frame stack[YAML_MAX_DEPTH];
	int depth = 0, rc = 0, done = 0;
	iko_yaml_node *root = NULL;
	yaml_event_t ev;

	while (!done) {
		iko_yaml_node *n = NULL;
		int line;

		if (!yaml_parser_parse(parser, &ev)) {
			rc = iko_error_set(IKO_EPARSE, "%s:%zu: %s%s%s", doc->name,
					   parser->problem_mark.line + 1,
					   parser->problem ? parser->problem : "YAML error",
					   parser->context ? " " : "",
					   parser->context ? parser->context : "");
			break;
		}
		line = (int)ev.start_mark.line + 1;
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
		case YAML_DOCUMENT_END_EVENT:
			done = ev.type == YAML_STREAM_END_EVENT || root != NULL;
			break;
		case YAML_ALIAS_EVENT:
			rc = iko_error_set(IKO_EPARSE, "%s:%d: YAML aliases are not supported",
					   doc->name, line);
			break;
		case YAML_SCALAR_EVENT:
			n = node_new(IKO_YAML_SCALAR, line);
			if (!n || !(n->value = iko_strndup((const char *)ev.data.scalar.value,
							  ev.data.scalar.length))) {
				node_free(n);
				rc = iko_error_set(IKO_ENOMEM, "out of memory");
				break;
			}
			n->len = ev.data.scalar.length;
			n->plain = ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
			rc = attach(stack, depth, &root, n, doc->name);
			break;
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			if (depth == YAML_MAX_DEPTH) {
				rc = iko_error_set(IKO_EPARSE, "%s:%d: nesting too deep",
						   doc->name, line);
				break;
			}
			n = node_new(ev.type == YAML_MAPPING_START_EVENT ? IKO_YAML_MAP
									  : IKO_YAML_SEQ, line);
			if (!n) {
				rc = iko_error_set(IKO_ENOMEM, "out of memory");
				break;
			}
			rc = attach(stack, depth, &root, n, doc->name);
			if (!rc) {
				stack[depth].node = n;
				stack[depth].cap = 0;
				stack[depth].filled = 0;
				depth++;
			}
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			depth--;
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
		if (rc)
			break;
	}
	if (rc) {
		node_free(root);
		return rc;
	}
	if (!root || (root->kind == IKO_YAML_SCALAR && root->len == 0 && root->plain)) {
		node_free(root);
		root = node_new(IKO_YAML_MAP, 1);
		if (!root)
			return iko_error_set(IKO_ENOMEM, "out of memory");
	}
	doc->root = root;
	return 0;
}

int iko_yaml_load_string(iko_yaml_doc **out, const char *text, size_t len,
			 const char *name)
{
	yaml_parser_t parser;
	iko_yaml_doc *doc;
	int rc;

	*out = NULL;
	doc = calloc(1, sizeof(*doc));
	if (!doc || !(doc->name = iko_strdup(name))) {
		free(doc);
		return iko_error_set(IKO_ENOMEM, "out of memory");
	}
	if (!yaml_parser_initialize(&parser)) {
		free(doc->name);
		free(doc);
		return iko_error_set(IKO_ENOMEM, "cannot initialise YAML parser");
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	rc = parse(doc, &parser);
	yaml_parser_delete(&parser);
	if (rc) {
		iko_yaml_free(doc);
		return rc;
	}
	*out = doc;
	return 0;
}

int iko_yaml_load_file(iko_yaml_doc **out, const char *path)
{
	char *text;
	size_t len;
	int rc;

	*out = NULL;
	rc = iko_read_small_file(&text, &len, path);
	if (rc)
		return rc;
	rc = iko_yaml_load_string(out, text, len, path);
	free(text);
	return rc;
}

const iko_yaml_node *iko_yaml_root(const iko_yaml_doc *doc)
{
	return doc->root;
}

const char *iko_yaml_name(const iko_yaml_doc *doc)
{
	return doc->name;
}

void iko_yaml_free(iko_yaml_doc *doc)
{
	if (!doc)
		return;
	node_free(doc->root);
	free(doc->name);
	free(doc);
}

const iko_yaml_node *iko_yaml_get(const iko_yaml_node *map, const char *key)
{
	size_t i;

	if (!map || map->kind != IKO_YAML_MAP)
		return NULL;
	for (i = 0; i < map->n; i++) {
		const iko_yaml_node *k = map->items[2 * i];
		if (k->kind == IKO_YAML_SCALAR && !strcmp(k->value, key))
			return map->items[2 * i + 1];
	}
	return NULL;
}

const char *iko_yaml_text(const iko_yaml_node *node)
{
	return node && node->kind == IKO_YAML_SCALAR ? node->value : "";
}

const char *iko_yaml_str(const iko_yaml_node *map, const char *key,
			 const char *def)
{
	const iko_yaml_node *v = iko_yaml_get(map, key);

	if (!v || v->kind != IKO_YAML_SCALAR)
		return def;
	if (v->plain && (!strcmp(v->value, "~") || !strcmp(v->value, "null") ||
			 v->len == 0))
		return def;
	return v->value;
}

int iko_yaml_int(long long *out, const iko_yaml_node *map, const char *key,
		 long long def)
{
	const iko_yaml_node *v = iko_yaml_get(map, key);
	char *end;
	long long x;

	*out = def;
	if (!v)
		return 0;
	if (v->kind != IKO_YAML_SCALAR || v->len == 0)
		return iko_error_set(IKO_EPARSE, "line %d: %s: expected an integer",
				     v->line, key);
	errno = 0;
	x = strtoll(v->value, &end, 10);
	if (errno || *end)
		return iko_error_set(IKO_EPARSE, "line %d: %s: expected an integer, got \"%s\"",
				     v->line, key, v->value);
	*out = x;
	return 0;
}

int iko_yaml_bool(int *out, const iko_yaml_node *map, const char *key, int def)
{
	static const char *const yes[] = { "true", "yes", "on", "1" };
	static const char *const no[] = { "false", "no", "off", "0" };
	const iko_yaml_node *v = iko_yaml_get(map, key);
	size_t i;

	*out = def;
	if (!v)
		return 0;
	for (i = 0; i < 4 && v->kind == IKO_YAML_SCALAR; i++) {
		if (!strcasecmp(v->value, yes[i])) {
			*out = 1;
			return 0;
		}
		if (!strcasecmp(v->value, no[i])) {
			*out = 0;
			return 0;
		}
	}
	return iko_error_set(IKO_EPARSE, "line %d: %s: expected true or false",
			     v->line, key);
}

const iko_yaml_node *iko_yaml_at(const iko_yaml_node *seq, size_t i)
{
	if (!seq || seq->kind != IKO_YAML_SEQ || i >= seq->n)
		return NULL;
	return seq->items[i];
}

size_t iko_yaml_count(const iko_yaml_node *node)
{
	return node && node->kind != IKO_YAML_SCALAR ? node->n : 0;
}

const char *iko_yaml_key_at(const iko_yaml_node *map, size_t i)
{
	if (!map || map->kind != IKO_YAML_MAP || i >= map->n)
		return NULL;
	return iko_yaml_text(map->items[2 * i]);
}

const iko_yaml_node *iko_yaml_value_at(const iko_yaml_node *map, size_t i)
{
	if (!map || map->kind != IKO_YAML_MAP || i >= map->n)
		return NULL;
	return map->items[2 * i + 1];
}
