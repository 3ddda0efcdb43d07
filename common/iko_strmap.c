/*
 * iko_strmap.c — open-addressing hash map with an arena for keys.
 */
#include "iko_strmap.h"

#include "iko_error.h"
#include "iko_mem.h"
#include "iko_words.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_BLOCK (1u << 20)      /* the first blocks of keys */
#define ARENA_BIG_BLOCK (4u << 20)  /* the later ones, in huge pages */
#define ARENA_SMALL_BLOCKS 2        /* how many first blocks */

typedef struct arena_block {
	struct arena_block *next;
	size_t used, cap;
	size_t mapped;                  /* bytes mapped for it (iko_big_alloc), 0 when malloc'd */
	char data[];
} arena_block;

/*
 * The entries live in one array in the order they were inserted; the
 * open-addressing table holds only 8 bytes per slot: the key's 32-bit tag
 * (high half) and its entry's index + 1 (low half; 0 = empty). A probe
 * walks a table a fifth the size of the entries and touches an entry only
 * when the tags agree, so a lookup among a million keys costs about one
 * cache miss in the table and one in the entry. A big map's slot table,
 * entries and later key blocks come from iko_big_alloc (iko_mem.h).
 */

struct iko_strmap {
	uint64_t *slots;
	size_t cap;          /* slots: cap == 1 << bits */
	size_t slots_mapped; /* iko_big_alloc */
	unsigned bits;
	iko_strmap_entry *ents;
	size_t n, ents_cap;  /* entries used / allocated */
	size_t ents_mapped;  /* iko_big_alloc */
	arena_block *arena;
	size_t nblocks;
};

/*
 * iko_hash_words (iko_words.h): eight bytes a step, a key of 15 bytes (a
 * 宛名番号) in two steps instead of the fifteen of the FNV-1a it replaced.
 * Its multiplies carry every byte's bits upwards and its shifts bring the
 * high half down, so keys that differ only in their last byte still land
 * far apart after tag_of's Fibonacci step.
 */
static uint64_t hash(const char *s, size_t len)
{
	return iko_hash_words(IKO_HASH_SEED, s, len);
}

int iko_strmap_new(iko_strmap **out)
{
	iko_strmap *m = calloc(1, sizeof(*m));

	*out = NULL;
	if (!m)
		return iko_error_set(IKO_ENOMEM, "out of memory");
	m->cap = 1024;
	m->bits = 10;
	m->slots = calloc(m->cap, sizeof(*m->slots));
	if (!m->slots) {
		free(m);
		return iko_error_set(IKO_ENOMEM, "out of memory");
	}
	*out = m;
	return 0;
}

void iko_strmap_free(iko_strmap *m)
{
	arena_block *b, *nb;

	if (!m)
		return;
	for (b = m->arena; b; b = nb) {
		nb = b->next;
		iko_big_free(b, b->mapped);
	}
	iko_big_free(m->slots, m->slots_mapped);
	iko_big_free(m->ents, m->ents_mapped);
	free(m);
}

static char *arena_copy(iko_strmap *m, const char *s, size_t len)
{
	arena_block *b = m->arena;
	char *p;

	if (!b || b->cap - b->used < len + 1) {
		size_t block = m->nblocks < ARENA_SMALL_BLOCKS ? ARENA_BLOCK : ARENA_BIG_BLOCK;
		size_t cap = len + 1 > block - sizeof(*b) ? len + 1 : block - sizeof(*b), mapped;
		b = iko_big_alloc(sizeof(*b) + cap, 0, &mapped);
		if (!b)
			return NULL;
		b->used = 0;
		b->cap = cap;
		b->mapped = mapped;
		b->next = m->arena;
		m->arena = b;
		m->nblocks++;
	}
	p = b->data + b->used;
	memcpy(p, s, len);
	p[len] = '\0';
	b->used += len + 1;
	return p;
}

/*
 * Fibonacci hashing: the high 32 bits of h × 2^64/φ spread keys that differ
 * only in their last digits (宛名番号 0001000003, 0001000004, …). They are
 * kept in the slot: their top bits give the slot (so growing the table
 * never hashes a key again nor touches an entry) and a probe decides most
 * mismatches on them without touching the entry or the key.
 */
static unsigned tag_of(const char *key, size_t len)
{
	return (unsigned)((hash(key, len) * 0x9E3779B97F4A7C15ull) >> 32);
}

/* The first and the last w bytes of a and b (w 4 or 8, w <= n <= 2w: every byte is in one). */
static inline int ends_same(const char *a, const char *b, size_t n, size_t w)
{
	uint64_t a0 = 0, b0 = 0, a1 = 0, b1 = 0;

	memcpy(&a0, a, w);
	memcpy(&b0, b, w);
	memcpy(&a1, a + n - w, w);
	memcpy(&b1, b + n - w, w);
	return a0 == b0 && a1 == b1;
}

/*
 * Whether two keys of n bytes are the same. Most keys here are short (a
 * group such as "0080001|F", a code): up to 16 bytes they are compared as
 * two overlapping words, without a call to memcmp (which was 13 % of a
 * reconciliation's CPU at 1M residents, two or three calls per measure
 * per row).
 */
static inline int same_key(const char *a, const char *b, size_t n)
{
	size_t i;

	if (n > 16)
		return !memcmp(a, b, n);
	if (n >= 8)
		return ends_same(a, b, n, 8);
	if (n >= 4)
		return ends_same(a, b, n, 4);
	for (i = 0; i < n; i++)
		if (a[i] != b[i])
			return 0;
	return 1;
}

#define SLOT_TAG(s) ((unsigned)((s) >> 32))
#define SLOT_ENTRY(s) ((size_t)((s) & 0xFFFFFFFFu)) /* index + 1; 0: empty slot */

/* The slot holding key, or the empty slot where it would go. */
static uint64_t *probe(const iko_strmap *m, const char *key, size_t len, unsigned tag)
{
	size_t i = (size_t)(tag >> (32 - m->bits));

	for (;; i = (i + 1) & (m->cap - 1)) {
		uint64_t s = m->slots[i];
		if (!s)
			return &m->slots[i];
		if (SLOT_TAG(s) == tag) {
			const iko_strmap_entry *e = &m->ents[SLOT_ENTRY(s) - 1];
			if (e->keylen == len && same_key(e->key, key, len))
				return &m->slots[i];
		}
	}
}

void iko_strmap_prefetch(const iko_strmap *m, const char *key, size_t len)
{
	if (m->cap)
		__builtin_prefetch(&m->slots[tag_of(key, len) >> (32 - m->bits)]);
}

static int grow(iko_strmap *m)
{
	uint64_t *old = m->slots;
	size_t oldcap = m->cap, oldmapped = m->slots_mapped, i, j;

	if (m->bits >= 32)
		return iko_error_set(IKO_ENOMEM, "too many keys");
	m->slots = iko_big_alloc(oldcap * 2 * sizeof(*m->slots), 1, &m->slots_mapped);
	if (!m->slots) {
		m->slots = old;
		m->slots_mapped = oldmapped;
		return iko_error_set(IKO_ENOMEM, "out of memory");
	}
	m->cap = oldcap * 2;
	m->bits++;
	/* keys are distinct: each goes to the first free slot from its own */
	for (i = 0; i < oldcap; i++)
		if (old[i]) {
			for (j = SLOT_TAG(old[i]) >> (32 - m->bits); m->slots[j]; j = (j + 1) & (m->cap - 1))
				;
			m->slots[j] = old[i];
		}
	iko_big_free(old, oldmapped);
	return 0;
}

/* Room for twice the entries: realloc while small, iko_big_alloc and a copy once big. */
static int grow_ents(iko_strmap *m)
{
	size_t cap = m->ents_cap ? m->ents_cap * 2 : 64, mapped;
	iko_strmap_entry *ne;

	if (!m->ents_mapped && cap * sizeof(*ne) < IKO_MEM_HUGE) {
		if (!(ne = realloc(m->ents, cap * sizeof(*ne))))
			return iko_error_set(IKO_ENOMEM, "out of memory");
		m->ents = ne;
		m->ents_cap = cap;
		return 0;
	}
	if (!(ne = iko_big_alloc(cap * sizeof(*ne), 0, &mapped)))
		return iko_error_set(IKO_ENOMEM, "out of memory");
	if (m->n)
		memcpy(ne, m->ents, m->n * sizeof(*ne));
	iko_big_free(m->ents, m->ents_mapped);
	m->ents = ne;
	m->ents_cap = cap;
	m->ents_mapped = mapped;
	return 0;
}

int iko_strmap_upsert(iko_strmap *m, const char *key, size_t len, iko_strmap_entry **out)
{
	iko_strmap_entry *e;
	uint64_t *slot;
	unsigned tag;
	int rc;

	if (len > 0xFFFFFFFFu)
		return iko_error_set(IKO_EINVAL, "key too long (%zu bytes)", len);
	if ((m->n + 1) * 10 > m->cap * 7 && (rc = grow(m)))
		return rc;
	tag = tag_of(key, len);
	slot = probe(m, key, len, tag);
	if (*slot) {
		*out = &m->ents[SLOT_ENTRY(*slot) - 1];
		return 0;
	}
	if (m->n == m->ents_cap && (rc = grow_ents(m)))
		return rc;
	e = &m->ents[m->n];
	memset(e, 0, sizeof(*e));
	if (!(e->key = arena_copy(m, key, len)))
		return iko_error_set(IKO_ENOMEM, "out of memory");
	e->keylen = (unsigned)len;
	e->tag = tag;
	*slot = (uint64_t)tag << 32 | (uint64_t)(m->n + 1);
	m->n++;
	*out = e;
	return 0;
}

iko_strmap_entry *iko_strmap_get(const iko_strmap *m, const char *key, size_t len)
{
	uint64_t s = *probe(m, key, len, tag_of(key, len));

	return s ? &m->ents[SLOT_ENTRY(s) - 1] : NULL;
}

size_t iko_strmap_size(const iko_strmap *m)
{
	return m->n;
}

/* A map this small is searched entry by entry before the key is hashed. */
#define NEAR_ALL 8

/*
 * The entry at *hint or the one after it, if it holds key; in a map of at
 * most NEAR_ALL entries, any entry that holds it (a figure's few groups —
 * sex, age band — come in no order, and a hash and a probe cost more than
 * comparing a handful of short keys).
 */
static iko_strmap_entry *near(const iko_strmap *m, const char *key, size_t len, size_t *hint)
{
	/* a key is in one entry at most: which of them is compared first does not matter */
	size_t i = m->n <= NEAR_ALL ? 0 : *hint, to = m->n <= NEAR_ALL ? m->n : *hint + 2;

	for (; i < m->n && i < to; i++) {
		iko_strmap_entry *e = &m->ents[i];
		if (e->keylen == len && same_key(e->key, key, len)) {
			*hint = i;
			return e;
		}
	}
	return NULL;
}

iko_strmap_entry *iko_strmap_get_near(const iko_strmap *m, const char *key, size_t len, size_t *hint)
{
	iko_strmap_entry *e = near(m, key, len, hint);

	if (!e && (e = iko_strmap_get(m, key, len)) != NULL)
		*hint = (size_t)(e - m->ents);
	return e;
}

int iko_strmap_upsert_near(iko_strmap *m, const char *key, size_t len, size_t *hint, iko_strmap_entry **out)
{
	int rc;

	if ((*out = near(m, key, len, hint)) != NULL)
		return 0;
	if ((rc = iko_strmap_upsert(m, key, len, out)))
		return rc;
	*hint = (size_t)(*out - m->ents);
	return 0;
}

iko_strmap_entry *iko_strmap_next(const iko_strmap *m, size_t *pos)
{
	return *pos < m->n ? &m->ents[(*pos)++] : NULL;
}
