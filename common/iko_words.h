/*
 * iko_words.h — eight bytes at a time: whether some byte of a 64-bit word
 * is below or at least a bound, for the loops that copy or skip plain text
 * a word at a time (the CSV reader and writer, validate's printable-ASCII
 * test, CP932's ASCII runs). A word is loaded with memcpy (any alignment).
 */
#ifndef IKO_WORDS_H
#define IKO_WORDS_H

#include <stddef.h>
#include <stdint.h>

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

#endif
