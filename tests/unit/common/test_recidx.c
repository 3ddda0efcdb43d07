/*
 * test_recidx.c — the record hash (iko_rh) against its definition: each
 * 8 bytes a step, then the last 0-7 bytes little-endian with their count
 * + 1 in the top byte. Validate writes these hashes into the record index
 * and reconciliation hashes the rows it reads back with the same function,
 * so any other value for any length, alignment or byte would make every
 * loaded row look changed.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "iko_recidx.h"

Suite *recidx_suite(void);

/* The definition, a byte at a time. */
static uint64_t rh_reference(uint64_t h, const unsigned char *s, size_t len)
{
	const uint64_t k = 0x9e3779b97f4a7c15ull;
	uint64_t w;
	size_t i, j;

	for (; len >= 8; s += 8, len -= 8) {
		for (w = 0, j = 0; j < 8; j++)
			w |= (uint64_t)s[j] << (8 * j);
		h = (h ^ w) * k;
		h ^= h >> 32;
	}
	w = (uint64_t)(len + 1) << 56;
	for (i = 0; i < len; i++)
		w |= (uint64_t)s[i] << (8 * i);
	h = (h ^ w) * k;
	return h ^ (h >> 32);
}

/* Every length 0-40 at every alignment 0-7, bytes of all 256 values, two seeds. */
START_TEST(test_rh_matches_definition)
{
	unsigned char buf[64];
	uint64_t seeds[2] = { IKO_RH_SEED, 0x0123456789abcdefull };
	size_t len, off, s, n = 0;
	unsigned x = 12345;
	int round;

	for (round = 0; round < 20; round++) {
		for (s = 0; s < sizeof(buf); s++) {
			x = x * 1103515245u + 12345u;
			buf[s] = (unsigned char)(x >> 16);
		}
		if (round == 0)
			memset(buf, 0xFF, sizeof(buf)); /* every bit set: no byte may spill into the count */
		for (len = 0; len <= 40; len++)
			for (off = 0; off < 8; off++)
				for (s = 0; s < 2; s++, n++)
					ck_assert_msg(iko_rh(seeds[s], (const char *)buf + off, len) ==
						      rh_reference(seeds[s], buf + off, len),
						      "length %zu at offset %zu (round %d)", len, off, round);
	}
	ck_assert_uint_eq(n, 20 * 41 * 8 * 2);
}
END_TEST

/* Where one value ends and the next begins is part of the hash. */
START_TEST(test_rh_value_boundaries)
{
	uint64_t ab_c = iko_rh(iko_rh(IKO_RH_SEED, "ab", 2), "c", 1);
	uint64_t a_bc = iko_rh(iko_rh(IKO_RH_SEED, "a", 1), "bc", 2);
	uint64_t abc_ = iko_rh(iko_rh(IKO_RH_SEED, "abc", 3), "", 0);

	ck_assert(ab_c != a_bc);
	ck_assert(ab_c != abc_);
	ck_assert(a_bc != abc_);
	/* a trailing NUL is a byte of the value, not its end */
	ck_assert(iko_rh(IKO_RH_SEED, "abc", 3) != iko_rh(IKO_RH_SEED, "abc\0", 4));
	ck_assert(iko_rh(IKO_RH_SEED, "", 0) != iko_rh(IKO_RH_SEED, "\0", 1));
}
END_TEST

Suite *recidx_suite(void)
{
	Suite *s = suite_create("recidx");
	TCase *tc = tcase_create("rh");

	tcase_add_test(tc, test_rh_matches_definition);
	tcase_add_test(tc, test_rh_value_boundaries);
	suite_add_tcase(s, tc);
	return s;
}
