/*
 * test_words.c — iko_bytes_within (validate's printable-ASCII and digit
 * tests, eight bytes a load with overlapping tails) against a byte at a
 * time: every length 0-40 at every alignment, with the bytes at and
 * around each bound placed at every position.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "iko_words.h"

Suite *words_suite(void);

static int within_reference(const unsigned char *s, size_t len, unsigned lo, unsigned hi)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] < lo || s[i] >= hi)
			return 0;
	return 1;
}

static void check_bounds(unsigned lo, unsigned hi, unsigned char inside)
{
	/* each bound, the bytes beside it, NUL and the top of the byte range */
	const unsigned char probes[] = { 0x00, (unsigned char)(lo - 1), (unsigned char)lo, (unsigned char)(lo + 1),
					 (unsigned char)(hi - 1), (unsigned char)hi, (unsigned char)(hi + 1),
					 0x7F, 0x80, 0xE3, 0xFF };
	unsigned char buf[64];
	size_t len, off, pos, k, n = 0, yes = 0;

	for (len = 0; len <= 40; len++)
		for (off = 0; off < 8; off++) {
			memset(buf, inside, sizeof(buf));
			/* the bytes just outside the value are out of range: they must not count */
			if (off)
				buf[off - 1] = 0xFF;
			buf[off + len] = 0x00;
			ck_assert_int_eq(iko_bytes_within((const char *)buf + off, len, lo, hi), 1);
			for (pos = 0; pos < len; pos++)
				for (k = 0; k < sizeof(probes); k++) {
					int want, got;
					memset(buf, inside, sizeof(buf));
					if (off)
						buf[off - 1] = 0xFF;
					buf[off + len] = 0x00;
					buf[off + pos] = probes[k];
					want = within_reference(buf + off, len, lo, hi);
					got = iko_bytes_within((const char *)buf + off, len, lo, hi);
					ck_assert_msg(got == want, "lo %u hi %u length %zu offset %zu byte 0x%02X at %zu: %d, not %d",
						      lo, hi, len, off, probes[k], pos, got, want);
					n++;
					yes += (size_t)want;
				}
		}
	ck_assert_uint_gt(yes, 0);
	ck_assert_uint_gt(n, yes);
}

START_TEST(test_printable_ascii)
{
	check_bounds(0x20, 0x7F, 'A');
}
END_TEST

START_TEST(test_digits)
{
	check_bounds('0', '9' + 1, '5');
}
END_TEST

/* Random bytes: the word test and the byte loop agree on every value. */
START_TEST(test_random)
{
	unsigned char buf[64];
	unsigned x = 7;
	size_t len, off, i;
	int round;

	for (round = 0; round < 200; round++)
		for (len = 0; len <= 24; len++)
			for (off = 0; off < 8; off++) {
				for (i = 0; i < sizeof(buf); i++) {
					x = x * 1103515245u + 12345u;
					/* mostly in range, so that long values pass now and then */
					buf[i] = (x >> 16) % 64 ? (unsigned char)(0x30 + (x >> 20) % 10)
								: (unsigned char)(x >> 8);
				}
				ck_assert_int_eq(iko_bytes_within((const char *)buf + off, len, '0', '9' + 1),
						 within_reference(buf + off, len, '0', '9' + 1));
				ck_assert_int_eq(iko_bytes_within((const char *)buf + off, len, 0x20, 0x7F),
						 within_reference(buf + off, len, 0x20, 0x7F));
			}
}
END_TEST

Suite *words_suite(void)
{
	Suite *s = suite_create("words");
	TCase *tc = tcase_create("within");

	tcase_add_test(tc, test_printable_ascii);
	tcase_add_test(tc, test_digits);
	tcase_add_test(tc, test_random);
	suite_add_tcase(s, tc);
	return s;
}
