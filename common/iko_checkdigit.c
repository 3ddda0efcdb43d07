/*
 * iko_checkdigit.c — 個人番号, 団体コード and 法人番号 check digits.
 */
#include "iko_checkdigit.h"

static int all_digits(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

int iko_my_number_digit(const char *s11)
{
	static const int w[11] = { 6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2 };
	int i, sum = 0, r;

	if (!all_digits(s11, 11))
		return -1;
	for (i = 0; i < 11; i++)
		sum += (s11[i] - '0') * w[i];
	r = sum % 11;
	return r <= 1 ? 0 : 11 - r;
}

int iko_my_number_valid(const char *s, size_t len)
{
	return len == 12 && all_digits(s, 12) && iko_my_number_digit(s) == s[11] - '0';
}

int iko_lg_code_digit(const char *s5)
{
	int i, sum = 0;

	if (!all_digits(s5, 5))
		return -1;
	for (i = 0; i < 5; i++)
		sum += (s5[i] - '0') * (6 - i);
	return (11 - sum % 11) % 10;
}

int iko_lg_code_valid(const char *s, size_t len)
{
	return len == 6 && all_digits(s, 6) && iko_lg_code_digit(s) == s[5] - '0';
}

int iko_corp_number_digit(const char *s12)
{
	int n, sum = 0;

	if (!all_digits(s12, 12))
		return -1;
	/* n counts from the right: s12[11] is n = 1. */
	for (n = 1; n <= 12; n++)
		sum += (s12[12 - n] - '0') * (n % 2 ? 1 : 2);
	return 9 - sum % 9;
}

int iko_corp_number_valid(const char *s, size_t len)
{
	return len == 13 && all_digits(s, 13) && iko_corp_number_digit(s + 1) == s[0] - '0';
}
