/*
 * iko_recidx.h — the record index validate writes beside each validated
 * table (validate/<table>.index), so that reconciliation need not parse
 * the validated CSV again to know its records.
 *
 * Per record written, in file order: the byte offset of the record in
 * <table>.csv, a 64-bit hash of its key values and one of all its values
 * (iko_rh_*: the same functions hash the loaded rows read back). The file
 * starts with a header that names the CSV's size and modification time
 * when the index was committed; an index whose CSV has changed since is
 * not used (iko_recidx_load returns 0 and the caller reads the CSV).
 *
 * Format (native byte order; the magic's last field tells a reader of
 * another byte order that it cannot use the file):
 *   "IKORIDX1" u32 0x01020304 u32 24 (entry size)
 *   u64 records  i64 csv size  i64 csv mtime (s)  i64 csv mtime (ns)
 *   records × { i64 offset, u64 key hash, u64 row hash }
 */
#ifndef IKO_RECIDX_H
#define IKO_RECIDX_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct iko_recidx_ent {
	long long off;  /* byte offset of the record in the CSV */
	uint64_t kh;    /* iko_rh over the key values, in key order */
	uint64_t rh;    /* iko_rh over every value, in column order */
} iko_recidx_ent;

#define IKO_RH_SEED 1469598103934665603ull

/*
 * One value into a running hash: eight bytes a step, the last 0-7 with
 * their count + 1 in the top byte, so where one value ends and the next
 * begins is part of what is hashed. Start from IKO_RH_SEED.
 */
static inline uint64_t iko_rh(uint64_t h, const char *s, size_t len)
{
	const uint64_t k = 0x9e3779b97f4a7c15ull;
	uint64_t w;
	size_t i;

	for (; len >= 8; s += 8, len -= 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * k;
		h ^= h >> 32;
	}
	w = (uint64_t)(len + 1) << 56;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	/*
	 * The last 0-7 bytes as the loop below puts them, in two loads that
	 * overlap when len is not 4 (or 2): the bytes they share land on the
	 * same places. Most values are shorter than 8 bytes, and a byte at a
	 * time was a fifth of validate's per-record checks.
	 */
	(void)i;
	if (len >= 4) {
		uint32_t a, b;
		memcpy(&a, s, 4);
		memcpy(&b, s + len - 4, 4);
		w |= (uint64_t)a | (uint64_t)b << (8 * (len - 4));
	} else if (len >= 2) {
		uint16_t a, b;
		memcpy(&a, s, 2);
		memcpy(&b, s + len - 2, 2);
		w |= (uint64_t)a | (uint64_t)b << (8 * (len - 2));
	} else if (len) {
		w |= (unsigned char)s[0];
	}
#else
	for (i = 0; i < len; i++)
		w |= (uint64_t)(unsigned char)s[i] << (8 * i);
#endif
	h = (h ^ w) * k;
	return h ^ (h >> 32);
}

/* The index of a CSV: "<x>.index" for "<x>.csv", else "<path>.index" (malloc'd, NULL: out of memory). */
char *iko_recidx_path(const char *csv_path);

typedef struct iko_recidx_writer iko_recidx_writer;

/* Open path for atomic writing (mode 0600). */
int iko_recidx_writer_open(iko_recidx_writer **out, const char *path);
int iko_recidx_writer_add(iko_recidx_writer *w, const iko_recidx_ent *e, size_t n);
/* Write the header for csv_path as it is now (committed first) and commit. */
int iko_recidx_writer_commit(iko_recidx_writer *w, const char *csv_path);
/* Free; an uncommitted index is removed. NULL is fine. */
void iko_recidx_writer_free(iko_recidx_writer *w);

/*
 * Read index_path for csv_path: 1 and *ents (malloc'd, *n records) when it
 * exists and was written for the CSV as it is now; 0 when it is absent or
 * does not match (size, time, format, or entries not inside the file);
 * <0 on a read error (message set).
 */
int iko_recidx_load(iko_recidx_ent **ents, size_t *n, const char *index_path, const char *csv_path);

#endif
