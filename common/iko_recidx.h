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

#include "iko_words.h"

typedef struct iko_recidx_ent {
	long long off;  /* byte offset of the record in the CSV */
	uint64_t kh;    /* iko_rh over the key values, in key order */
	uint64_t rh;    /* iko_rh over every value, in column order */
} iko_recidx_ent;

#define IKO_RH_SEED IKO_HASH_SEED

/* One value into a running hash (iko_hash_words, iko_words.h). Start from IKO_RH_SEED. */
static inline uint64_t iko_rh(uint64_t h, const char *s, size_t len)
{
	return iko_hash_words(h, s, len);
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
