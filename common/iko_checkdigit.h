/*
 * iko_checkdigit.h — check digits of Japanese public identifiers.
 *
 *  個人番号 (My Number, 12 digits): weights 6,5,4,3,2,7,6,5,4,3,2 over
 *    digits 1–11; r = sum mod 11; CD = 0 if r <= 1 else 11 − r.
 *  団体コード (local government code, 6 digits): S = 6d1+5d2+4d3+3d4+2d5;
 *    CD = (11 − S mod 11) mod 10.
 *  法人番号 (corporate number, 13 digits): first digit =
 *    9 − (Σ Pn·Qn mod 9), Qn = 1 for odd n, 2 for even n, n counted from
 *    the right over the other 12 digits.
 * The validators return 1 for valid, 0 for invalid (wrong length, a
 * non-digit or a wrong check digit).
 */
#ifndef IKO_CHECKDIGIT_H
#define IKO_CHECKDIGIT_H

#include <stddef.h>

int iko_my_number_valid(const char *s, size_t len);
/* Check digit for the first 11 digits (as '0'..'9'), or -1 if not digits. */
int iko_my_number_digit(const char *s11);

int iko_lg_code_valid(const char *s, size_t len);
/* Check digit for a 5-digit code, or -1 if not digits. */
int iko_lg_code_digit(const char *s5);

int iko_corp_number_valid(const char *s, size_t len);
/* Check digit (the first digit) for the 12 base digits, or -1. */
int iko_corp_number_digit(const char *s12);

#endif
