/*
 * iko_words.h — eight bytes at a time: whether some byte of a 64-bit word
 * is below or at least a bound, for the loops that copy or skip plain text
 * a word at a time (the CSV reader and writer, validate's printable-ASCII
 * and digit tests, CP932's ASCII runs, the COPY row splitter), and the
 * hash of values a word a step (the record index, the key map). A word is
 * loaded with memcpy (any alignment).
 */
#ifndef IKO_WORDS_H
#define IKO_WORDS_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define IKO_WORD_ONES 0x0101010101010101ULL
#define IKO_WORD_HIGH 0x8080808080808080ULL

/* Nonzero iff some byte of v is < n (exact for n <= 128). */
static inline uint64_t iko_word_below(uint64_t v, unsigned n)
{
	return (v - IKO_WORD_ONES * n) & ~v & IKO_WORD_HIGH;
}

/* Nonzero iff some byte of v is >= n (exact for 1 <= n <= 128). */
static inline uint64_t iko_word_at_least(uint64_t v, unsigned n)
{
	return (v | (v + IKO_WORD_ONES * (128 - n))) & IKO_WORD_HIGH;
}

/*
 * How many bytes of the word come before its first byte below the bound
 * (m = iko_word_below(...) != 0); 0 on a big-endian machine, where the
 * caller's byte-wise loop finds it.
 */
static inline size_t iko_word_first_below(uint64_t m)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return (size_t)__builtin_ctzll(m) >> 3;
#else
	(void)m;
	return 0;
#endif
}

/*
 * The last 0-7 bytes of a value as a word, byte i at bits 8i (little-endian
 * order) and zeros above them: in two loads that overlap when there are
 * not exactly 4 (or 2) — the bytes they share land on the same places, so
 * the word is the one a byte at a time would build.
 */
static inline uint64_t iko_word_tail(const char *s, size_t len)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	if (len >= 4) {
		uint32_t a, b;
		memcpy(&a, s, 4);
		memcpy(&b, s + len - 4, 4);
		return (uint64_t)a | (uint64_t)b << (8 * (len - 4));
	}
	if (len >= 2) {
		uint16_t a, b;
		memcpy(&a, s, 2);
		memcpy(&b, s + len - 2, 2);
		return (uint64_t)a | (uint64_t)b << (8 * (len - 2));
	}
	return len ? (unsigned char)s[0] : 0;
#else
	uint64_t w = 0;
	size_t i;

	for (i = 0; i < len; i++)
		w |= (uint64_t)(unsigned char)s[i] << (8 * i);
	return w;
#endif
}

/*
 * Whether every byte of s[0..len) is at least lo and below hi (1 <= lo <
 * hi <= 128): eight bytes a load, the last 1-7 in one more load that
 * overlaps the bytes before them (or, for a value shorter than 8, its
 * iko_word_tail with the rest of the word filled with lo). A byte looked
 * at twice is the same byte, so the answer is the one a byte at a time
 * would give. 1 for an empty value.
 */
static inline int iko_bytes_within(const char *s, size_t len, unsigned lo, unsigned hi)
{
	uint64_t w;
	size_t i;

	if (len >= 8) {
		for (i = 0; i + 8 <= len; i += 8) {
			memcpy(&w, s + i, 8);
			if (iko_word_below(w, lo) || iko_word_at_least(w, hi))
				return 0;
		}
		if (i == len)
			return 1;
		memcpy(&w, s + len - 8, 8);
	} else {
		w = iko_word_tail(s, len) | ((IKO_WORD_ONES * lo) & (~0ull << (8 * len)));
	}
	return !iko_word_below(w, lo) && !iko_word_at_least(w, hi);
}

/*
 * One value into a running hash (iko_rh, iko_strmap): eight bytes a step,
 * the last 0-7 (iko_word_tail) with their count + 1 in the top byte, so
 * where one value ends and the next begins is part of what is hashed (a
 * byte at a time was a fifth of validate's per-record checks).
 */
#define IKO_HASH_SEED 1469598103934665603ull /* where a hash of values starts (iko_rh, iko_strmap) */

static inline uint64_t iko_hash_words(uint64_t h, const char *s, size_t len)
{
	const uint64_t k = 0x9e3779b97f4a7c15ull;
	uint64_t w;

	for (; len >= 8; s += 8, len -= 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * k;
		h ^= h >> 32;
	}
	w = (uint64_t)(len + 1) << 56 | iko_word_tail(s, len);
	h = (h ^ w) * k;
	return h ^ (h >> 32);
}

#endif
