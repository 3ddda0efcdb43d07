/*
 * iko_strmap.h — string → small record hash map (open addressing).
 *
 * Used for key sets in validation and reconciliation: the only state
 * that may grow with input size. Keys are copied into an arena owned by
 * the map; each entry carries two counters and a pointer-sized value.
 */
#ifndef IKO_STRMAP_H
#define IKO_STRMAP_H

#include <stddef.h>

typedef struct iko_strmap_entry {
	const char *key;   /* NUL-terminated copy owned by the map */
	unsigned keylen;   /* keys are shorter than 4 GiB */
	unsigned tag;      /* internal: 32 bits of the key's hash (its slot, a quick compare) */
	long long a, b;    /* caller-defined counters */
	void *value;       /* caller-defined, not freed by the map */
} iko_strmap_entry;

typedef struct iko_strmap iko_strmap;

int iko_strmap_new(iko_strmap **out);
void iko_strmap_free(iko_strmap *m);
/* Find or insert key; *out points into the map until the next insert. */
int iko_strmap_upsert(iko_strmap *m, const char *key, size_t len, iko_strmap_entry **out);
/* Find key; NULL if absent. */
iko_strmap_entry *iko_strmap_get(const iko_strmap *m, const char *key, size_t len);
size_t iko_strmap_size(const iko_strmap *m);
/*
 * For keys that come in about the order they were inserted, or several
 * times in a row: *hint is the place (insertion order) of the entry found
 * last (start with 0); that entry and the one after it are compared with
 * key before the key is hashed (in a map of at most 8 entries, every
 * entry), and *hint is set to the entry found. Same results as
 * iko_strmap_get / iko_strmap_upsert.
 */
iko_strmap_entry *iko_strmap_get_near(const iko_strmap *m, const char *key, size_t len, size_t *hint);
int iko_strmap_upsert_near(iko_strmap *m, const char *key, size_t len, size_t *hint, iko_strmap_entry **out);
/*
 * Only a hint to the memory system: key is to be looked up soon. Its slot
 * is computed and fetched towards the cache; nothing else is done and the
 * map is unchanged. A map far bigger than the caches costs a cache miss per
 * lookup; issuing this some keys ahead lets the misses overlap.
 */
void iko_strmap_prefetch(const iko_strmap *m, const char *key, size_t len);

/* Iterate in the order the keys were first inserted: start with *pos = 0;
 * returns NULL at the end. */
iko_strmap_entry *iko_strmap_next(const iko_strmap *m, size_t *pos);

#endif
