/*
 * test_strmap.c — the key map of validation and reconciliation: every key
 * found again after the table grows, absent keys not found, counters kept,
 * iteration in first-insertion order, keys with NUL bytes and the empty key.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iko_strmap.h"

/*
 * Keys of every length up to 40 that differ from the one before in a
 * single byte, at every position: near compares each with its neighbour
 * (the short keys without memcmp, as words) and must tell them apart.
 */
START_TEST(test_one_byte_apart)
{
	iko_strmap *m = NULL;
	iko_strmap_entry *e;
	char k[41];
	size_t len, p, hint, idx = 0, base;

	ck_assert_int_eq(iko_strmap_new(&m), 0);
	for (len = 0; len <= 40; len++) {
		base = idx;
		for (p = 0; p < len; p++)
			k[p] = (char)('a' + (p * 7 + len) % 26);
		ck_assert_int_eq(iko_strmap_upsert(m, k, len, &e), 0);
		e->a = (long long)++idx;
		for (p = 0; p < len; p++) {
			k[p] ^= 0x01;
			ck_assert_int_eq(iko_strmap_upsert(m, k, len, &e), 0);
			ck_assert_int_eq(e->a, 0); /* a new key */
			e->a = (long long)++idx;
			/* from the key before (one byte apart, or the base): this one, next to it */
			hint = idx - 2;
			e = iko_strmap_get_near(m, k, len, &hint);
			ck_assert_ptr_nonnull(e);
			ck_assert_int_eq(e->a, (long long)idx);
			ck_assert_uint_eq(hint, idx - 1);
			k[p] ^= 0x01;
			/* the base is not the variant either way round */
			hint = idx - 1;
			e = iko_strmap_get_near(m, k, len, &hint);
			ck_assert_int_eq(e->a, (long long)base + 1);
		}
	}
	ck_assert_uint_eq(iko_strmap_size(m), idx);
	ck_assert_uint_eq(idx, 41 + 40 * 41 / 2);
	iko_strmap_free(m);
}
END_TEST

/*
 * iko_strmap_prefetch is only a hint: interleaved with the inserts and
 * look-ups of 50,000 keys (the table growing past its first 1024 slots
 * several times), ahead of them and for keys never inserted, it changes
 * nothing a caller can see — every key found with its own count, the
 * absent ones absent, the size exact.
 */
START_TEST(test_prefetch_changes_nothing)
{
	iko_strmap *m = NULL;
	iko_strmap_entry *e;
	char key[32], ahead[32];
	size_t i;

	ck_assert_int_eq(iko_strmap_new(&m), 0);
	iko_strmap_prefetch(m, "", 0);
	for (i = 0; i < 50000; i++) {
		snprintf(key, sizeof(key), "%015zu", i * 7);
		snprintf(ahead, sizeof(ahead), "%015zu", (i + 8) * 7);
		iko_strmap_prefetch(m, ahead, strlen(ahead));
		iko_strmap_prefetch(m, "absent", 6);
		ck_assert_int_eq(iko_strmap_upsert(m, key, strlen(key), &e), 0);
		e->a = (long long)i + 1;
	}
	ck_assert_uint_eq(iko_strmap_size(m), 50000);
	for (i = 0; i < 50000; i++) {
		snprintf(key, sizeof(key), "%015zu", i * 7);
		iko_strmap_prefetch(m, key, strlen(key));
		e = iko_strmap_get(m, key, strlen(key));
		if (!e || e->a != (long long)i + 1)
			ck_abort_msg("%s: not found with its count after prefetches", key);
		snprintf(key, sizeof(key), "%015zu", i * 7 + 1);
		iko_strmap_prefetch(m, key, strlen(key));
		if (iko_strmap_get(m, key, strlen(key)))
			ck_abort_msg("%s: found, never inserted", key);
	}
	iko_strmap_free(m);
}
END_TEST

Suite *strmap_suite(void);

/* key i: "435015\x1f" + 10 digits, every 7th one with a NUL byte inside and
 * every 11th one longer (so keys differ in length as well as content) */
static size_t make_key(char *k, long i)
{
	int n = snprintf(k, 64, "435015\x1f%010ld", i);

	if (i % 7 == 0)
		k[3] = '\0';
	if (i % 11 == 0)
		n += snprintf(k + n, 64 - (size_t)n, "-%ld", i % 97);
	return (size_t)n;
}

START_TEST(test_empty)
{
	iko_strmap *m = NULL;
	size_t pos = 0;

	ck_assert_int_eq(iko_strmap_new(&m), 0);
	ck_assert_uint_eq(iko_strmap_size(m), 0);
	ck_assert_ptr_null(iko_strmap_get(m, "a", 1));
	ck_assert_ptr_null(iko_strmap_get(m, "", 0));
	ck_assert_ptr_null(iko_strmap_next(m, &pos));
	ck_assert_uint_eq(pos, 0);
	iko_strmap_free(m);
	iko_strmap_free(NULL);
}
END_TEST

START_TEST(test_many_keys)
{
	enum { N = 300000 };
	iko_strmap *m = NULL;
	iko_strmap_entry *e, *again;
	char k[64];
	size_t len, pos = 0;
	long i;

	ck_assert_int_eq(iko_strmap_new(&m), 0);
	for (i = 0; i < N; i++) {
		len = make_key(k, i);
		ck_assert_int_eq(iko_strmap_upsert(m, k, len, &e), 0);
		ck_assert_int_eq(e->a, 0);
		ck_assert_int_eq(e->b, 0);
		ck_assert_ptr_null(e->value);
		e->a = i + 1;
		e->b = -i;
		/* the same key again: the same entry, nothing added */
		ck_assert_int_eq(iko_strmap_upsert(m, k, len, &again), 0);
		ck_assert_ptr_eq(again, e);
		ck_assert_uint_eq(iko_strmap_size(m), (size_t)i + 1);
	}
	/* every key found after the table grew many times, its counters kept,
	 * its copy NUL-terminated and equal to the key */
	for (i = N - 1; i >= 0; i -= 3) {
		len = make_key(k, i);
		e = iko_strmap_get(m, k, len);
		ck_assert_msg(e != NULL, "key %ld lost", i);
		ck_assert_int_eq(e->a, i + 1);
		ck_assert_int_eq(e->b, -i);
		ck_assert_uint_eq(e->keylen, len);
		ck_assert_int_eq(memcmp(e->key, k, len), 0);
		ck_assert_int_eq(e->key[len], '\0');
	}
	/* absent keys: past the end, a prefix, one byte longer, one byte changed */
	len = make_key(k, N);
	ck_assert_ptr_null(iko_strmap_get(m, k, len));
	len = make_key(k, 12);
	ck_assert_ptr_null(iko_strmap_get(m, k, len - 1));
	k[len] = '0';
	ck_assert_ptr_null(iko_strmap_get(m, k, len + 1));
	k[len - 1] = 'z';
	ck_assert_ptr_null(iko_strmap_get(m, k, len));
	/* iteration: every entry once, in the order first inserted */
	for (i = 0; (e = iko_strmap_next(m, &pos)) != NULL; i++) {
		len = make_key(k, i);
		ck_assert_msg(e->keylen == len && !memcmp(e->key, k, len), "entry %ld out of order", i);
		ck_assert_int_eq(e->a, i + 1);
	}
	ck_assert_int_eq(i, N);
	ck_assert_ptr_null(iko_strmap_next(m, &pos));
	iko_strmap_free(m);
}
END_TEST

/*
 * Keys bigger than a block of the key arena, before and after the arena
 * moves to its big blocks (mapped in huge pages): each copied whole.
 */
START_TEST(test_long_keys)
{
	enum { BIG = 5 << 20, SMALL = 200000 };
	iko_strmap *m = NULL;
	iko_strmap_entry *e;
	char *big = malloc(BIG), k[64];
	size_t len;
	long i;
	int round;

	ck_assert_ptr_nonnull(big);
	memset(big, 'x', BIG);
	ck_assert_int_eq(iko_strmap_new(&m), 0);
	for (round = 0; round < 2; round++) {
		/* round 0: the first long key comes first; round 1: after SMALL keys */
		for (i = round * SMALL; round && i < 2 * SMALL; i++) {
			len = make_key(k, i);
			ck_assert_int_eq(iko_strmap_upsert(m, k, len, &e), 0);
			e->a = i;
		}
		big[BIG - 1] = (char)('a' + round);
		ck_assert_int_eq(iko_strmap_upsert(m, big, BIG, &e), 0);
		e->b = round + 1;
	}
	for (round = 0; round < 2; round++) {
		big[BIG - 1] = (char)('a' + round);
		e = iko_strmap_get(m, big, BIG);
		ck_assert_ptr_nonnull(e);
		ck_assert_int_eq(e->b, round + 1);
		ck_assert_uint_eq(e->keylen, BIG);
		ck_assert_int_eq(memcmp(e->key, big, BIG), 0);
		ck_assert_int_eq(e->key[BIG], '\0');
	}
	big[BIG - 1] = 'c';
	ck_assert_ptr_null(iko_strmap_get(m, big, BIG));
	ck_assert_ptr_null(iko_strmap_get(m, big, BIG - 1));
	for (i = SMALL; i < 2 * SMALL; i += 7) {
		len = make_key(k, i);
		e = iko_strmap_get(m, k, len);
		ck_assert_msg(e != NULL && e->a == i, "key %ld lost", i);
	}
	ck_assert_uint_eq(iko_strmap_size(m), SMALL + 2);
	iko_strmap_free(m);
	free(big);
}
END_TEST

START_TEST(test_empty_key_and_lengths)
{
	iko_strmap *m = NULL;
	iko_strmap_entry *e;
	static const char nul3[3] = { 'a', '\0', 'b' };
	size_t pos = 0;

	ck_assert_int_eq(iko_strmap_new(&m), 0);
	ck_assert_int_eq(iko_strmap_upsert(m, "", 0, &e), 0);
	e->a = 1;
	ck_assert_int_eq(iko_strmap_upsert(m, "a", 1, &e), 0);
	e->a = 2;
	ck_assert_int_eq(iko_strmap_upsert(m, nul3, 3, &e), 0);
	e->a = 3;
	ck_assert_int_eq(iko_strmap_upsert(m, "ab", 2, &e), 0);
	e->a = 4;
	ck_assert_uint_eq(iko_strmap_size(m), 4);
	ck_assert_int_eq(iko_strmap_get(m, "", 0)->a, 1);
	ck_assert_int_eq(iko_strmap_get(m, "a", 1)->a, 2);
	ck_assert_int_eq(iko_strmap_get(m, nul3, 3)->a, 3);
	ck_assert_int_eq(iko_strmap_get(m, "ab", 2)->a, 4);
	ck_assert_ptr_null(iko_strmap_get(m, nul3, 2));
	ck_assert_ptr_null(iko_strmap_get(m, "b", 1));
	/* a key longer than an arena block */
	{
		size_t big = (1u << 20) + 5;
		char *s = malloc(big);
		ck_assert_ptr_nonnull(s);
		memset(s, 'x', big);
		ck_assert_int_eq(iko_strmap_upsert(m, s, big, &e), 0);
		e->a = 5;
		ck_assert_int_eq(iko_strmap_get(m, s, big)->a, 5);
		ck_assert_ptr_null(iko_strmap_get(m, s, big - 1));
		free(s);
	}
	ck_assert_int_eq(iko_strmap_next(m, &pos)->a, 1);
	ck_assert_int_eq(iko_strmap_next(m, &pos)->a, 2);
	ck_assert_int_eq(iko_strmap_next(m, &pos)->a, 3);
	ck_assert_int_eq(iko_strmap_next(m, &pos)->a, 4);
	ck_assert_int_eq(iko_strmap_next(m, &pos)->a, 5);
	ck_assert_ptr_null(iko_strmap_next(m, &pos));
	iko_strmap_free(m);
}
END_TEST

/* the near lookups give what the plain ones give, in any order */
START_TEST(test_near)
{
	enum { N = 5000 };
	iko_strmap *m = NULL;
	iko_strmap_entry *e, *p;
	char k[64];
	size_t len, hint = 0, uh = 0;
	long i, j;

	ck_assert_int_eq(iko_strmap_new(&m), 0);
	/* upsert_near: new keys, then each key again right after (found at the hint) */
	for (i = 0; i < N; i++) {
		len = make_key(k, i);
		ck_assert_int_eq(iko_strmap_upsert_near(m, k, len, &uh, &e), 0);
		ck_assert_uint_eq(uh, (size_t)i);
		e->a = i + 1;
		ck_assert_int_eq(iko_strmap_upsert_near(m, k, len, &uh, &p), 0);
		ck_assert_ptr_eq(p, e);
		ck_assert_uint_eq(iko_strmap_size(m), (size_t)i + 1);
	}
	/* in order, each key twice, backwards, by a stride, and absent keys */
	for (j = 0; j < 4; j++)
		for (i = 0; i < N; i++) {
			long want = j == 0 ? i : j == 1 ? i / 2 : j == 2 ? N - 1 - i : (i * 7919) % N;
			len = make_key(k, want);
			e = iko_strmap_get_near(m, k, len, &hint);
			ck_assert_ptr_eq(e, iko_strmap_get(m, k, len));
			ck_assert_int_eq(e->a, want + 1);
			ck_assert_uint_eq(hint, (size_t)want);
		}
	len = make_key(k, N + 1);
	hint = N - 1;
	ck_assert_ptr_null(iko_strmap_get_near(m, k, len, &hint));
	ck_assert_uint_eq(hint, N - 1);
	/* a prefix of the next key is not the next key */
	len = make_key(k, 12);
	hint = 11;
	ck_assert_ptr_null(iko_strmap_get_near(m, k, len - 1, &hint));
	/* a hint past the end */
	hint = N + 10;
	len = make_key(k, 3);
	ck_assert_int_eq(iko_strmap_get_near(m, k, len, &hint)->a, 4);
	ck_assert_uint_eq(hint, 3);
	iko_strmap_free(m);
}
END_TEST

/*
 * A map of at most 8 entries is searched whole before hashing: whatever
 * the hint, each key is found (and the hint moved to it), a key that is a
 * prefix of another or differs in one byte is not taken for it, and an
 * absent key is inserted by upsert_near; at 9 entries the plain lookup
 * takes over with the same answers.
 */
START_TEST(test_near_small)
{
	static const char *const keys[] = { "", "1", "2", "9", "1|2", "10", "不詳", "0-14", "65-74" };
	iko_strmap *m = NULL;
	iko_strmap_entry *e;
	size_t n, i, h, hint;

	ck_assert_int_eq(iko_strmap_new(&m), 0);
	for (n = 0; n < 9; n++) {
		hint = 0;
		ck_assert_int_eq(iko_strmap_upsert_near(m, keys[n], strlen(keys[n]), &hint, &e), 0);
		ck_assert_int_eq(e->a, 0);
		e->a = (long long)n + 1;
		ck_assert_uint_eq(hint, n);
		ck_assert_uint_eq(iko_strmap_size(m), n + 1);
		/* every key so far, from every hint, the one just added included */
		for (i = 0; i <= n; i++)
			for (h = 0; h <= n + 2; h++) {
				hint = h;
				e = iko_strmap_get_near(m, keys[i], strlen(keys[i]), &hint);
				ck_assert_ptr_nonnull(e);
				ck_assert_ptr_eq(e, iko_strmap_get(m, keys[i], strlen(keys[i])));
				ck_assert_int_eq(e->a, (long long)i + 1);
				ck_assert_uint_eq(hint, i);
			}
		/* not there: a prefix, one byte changed, one byte more */
		hint = 0;
		ck_assert_ptr_null(iko_strmap_get_near(m, "1|", 2, &hint));
		ck_assert_uint_eq(hint, 0);
		ck_assert_ptr_null(iko_strmap_get_near(m, "3", 1, &hint));
		ck_assert_ptr_null(iko_strmap_get_near(m, "100", 3, &hint));
		ck_assert_ptr_null(iko_strmap_get_near(m, "65-75", 5, &hint));
	}
	iko_strmap_free(m);
}
END_TEST

Suite *strmap_suite(void)
{
	Suite *s = suite_create("strmap");
	TCase *tc = tcase_create("strmap");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_empty);
	tcase_add_test(tc, test_many_keys);
	tcase_add_test(tc, test_one_byte_apart);
	tcase_add_test(tc, test_long_keys);
	tcase_add_test(tc, test_empty_key_and_lengths);
	tcase_add_test(tc, test_near);
	tcase_add_test(tc, test_near_small);
	tcase_add_test(tc, test_prefetch_changes_nothing);
	suite_add_tcase(s, tc);
	return s;
}
