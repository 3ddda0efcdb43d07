/*
 * iko_pack.h — vendor mapping packs and municipality overlays.
 *
 * A pack (packs/<vendor>/<business>/pack.yaml) belongs to one legacy vendor
 * product and one business. It lists the legacy inputs and their layouts,
 * the vendor → standard code tables, the column mappings of every standard
 * table, and how to read the old system's totals. A municipality uses the
 * pack plus an optional overlay (overlays/<lg_code>.yaml) that overrides
 * only what differs; overrides are counted and reported so customisation
 * stays small and visible. The format is documented in docs/packs.md.
 */
#ifndef IKO_PACK_H
#define IKO_PACK_H

#include <stddef.h>

#include "iko_yaml.h"

typedef struct iko_pack iko_pack;

typedef struct iko_pack_input {
	char *name;      /* "JUMIN": the extract output is <name>.csv */
	char *file;      /* file name in the dump directory */
	char *layout;    /* absolute or pack-relative path resolved to a path */
	char *encoding;  /* NULL = layout's */
	char *recfm;     /* NULL = layout's */
	char *gaiji;     /* gaiji table file name in the dump, or NULL */
	char *comp5;     /* COMP-5 byte order, "big" or "little" (iko_extract_options), or NULL */
} iko_pack_input;

/*
 * Load dir/pack.yaml and, when lg_code is given and
 * dir/overlays/<lg_code>.yaml exists, apply that overlay.
 * *out owned by caller (iko_pack_free).
 */
int iko_pack_load(iko_pack **out, const char *dir, const char *lg_code);
void iko_pack_free(iko_pack *p);

const char *iko_pack_name(const iko_pack *p);
const char *iko_pack_version(const iko_pack *p);
const char *iko_pack_schema(const iko_pack *p);
const char *iko_pack_dir(const iko_pack *p);
size_t iko_pack_ninputs(const iko_pack *p);
const iko_pack_input *iko_pack_input_at(const iko_pack *p, size_t i);
/* The `totals:` section (NULL if absent), owned by the pack. */
const iko_yaml_node *iko_pack_totals(const iko_pack *p);
/* 1 when no two tables of the pack are mapped from the same input (each input is read at most once). */
int iko_pack_inputs_read_once(const iko_pack *p);
/* Overlay file applied, or NULL. */
const char *iko_pack_overlay(const iko_pack *p);
/* Number of code entries and column mappings the overlay overrides or adds. */
size_t iko_pack_overlay_overrides(const iko_pack *p);

#endif
