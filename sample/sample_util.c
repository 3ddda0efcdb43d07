/*
 * sample_util.c — deterministic building blocks of the sample generator:
 * the PRNG (xoshiro256** seeded by splitmix64), half-width katakana,
 * 和暦 GYYMMDD encoding, day arithmetic and 個人番号 generation.
 * Used by iko_sample.c (sample/ stage, which feeds the extract tests).
 */
#include "sample_internal.h"

#include "iko_buf.h"
#include "iko_checkdigit.h"
#include "iko_date.h"
#include "iko_error.h"
#include "iko_utf8.h"

#include <stdio.h>
#include <string.h>

uint64_t iko_sample_splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

void iko_sample_rng_seed(iko_sample_rng *r, uint64_t seed)
{
	uint64_t st = seed;
	int i;

	for (i = 0; i < 4; i++)
		r->s[i] = iko_sample_splitmix64(&st);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t iko_sample_rng_next(iko_sample_rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

uint64_t iko_sample_rng_below(iko_sample_rng *r, uint64_t n)
{
	uint64_t x, limit;

	if (n <= 1)
		return 0;
	/* Reject the top partial block so every residue is equally likely. */
	limit = UINT64_MAX - UINT64_MAX % n;
	do
		x = iko_sample_rng_next(r);
	while (x >= limit);
	return x % n;
}

int iko_sample_rng_chance(iko_sample_rng *r, unsigned per_100k)
{
	return iko_sample_rng_below(r, 100000) < per_100k;
}

/* Half-width forms of U+30A1..U+30F6 (voiced marks as separate characters). */
static const char *const halfwidth[] = {
	"ｧ", "ｱ", "ｨ", "ｲ", "ｩ", "ｳ", "ｪ", "ｴ", "ｫ", "ｵ",
	"ｶ", "ｶﾞ", "ｷ", "ｷﾞ", "ｸ", "ｸﾞ", "ｹ", "ｹﾞ", "ｺ", "ｺﾞ",
	"ｻ", "ｻﾞ", "ｼ", "ｼﾞ", "ｽ", "ｽﾞ", "ｾ", "ｾﾞ", "ｿ", "ｿﾞ",
	"ﾀ", "ﾀﾞ", "ﾁ", "ﾁﾞ", "ｯ", "ﾂ", "ﾂﾞ", "ﾃ", "ﾃﾞ", "ﾄ",
	"ﾄﾞ", "ﾅ", "ﾆ", "ﾇ", "ﾈ", "ﾉ", "ﾊ", "ﾊﾞ", "ﾊﾟ", "ﾋ",
	"ﾋﾞ", "ﾋﾟ", "ﾌ", "ﾌﾞ", "ﾌﾟ", "ﾍ", "ﾍﾞ", "ﾍﾟ", "ﾎ", "ﾎﾞ",
	"ﾎﾟ", "ﾏ", "ﾐ", "ﾑ", "ﾒ", "ﾓ", "ｬ", "ﾔ", "ｭ", "ﾕ",
	"ｮ", "ﾖ", "ﾗ", "ﾘ", "ﾙ", "ﾚ", "ﾛ", "ﾜ", "ﾜ", "ｲ",
	"ｴ", "ｦ", "ﾝ", "ｳﾞ", "ｶ", "ｹ",
};
_Static_assert(sizeof(halfwidth) / sizeof(halfwidth[0]) == 0x30F6 - 0x30A1 + 1,
	       "halfwidth table must cover U+30A1..U+30F6");

int iko_sample_kana_halfwidth(iko_buf *out, const char *s)
{
	size_t len = strlen(s), i = 0;
	const char *hw;
	uint32_t cp;
	int n, rc;

	while (i < len) {
		n = iko_utf8_decode(s + i, len - i, &cp);
		if (n < 0)
			return iko_error_set(IKO_EINVAL, "kana: invalid UTF-8 at byte %zu", i);
		if (cp >= 0x30A1 && cp <= 0x30F6)
			hw = halfwidth[cp - 0x30A1];
		else if (cp == 0x30FC)
			hw = "ｰ";
		else if (cp == 0x30FB)
			hw = "･";
		else if (cp == 0x3000 || cp == 0x20)
			hw = " ";
		else
			return iko_error_set(IKO_EINVAL, "kana: U+%04X is not katakana", (unsigned)cp);
		if ((rc = iko_buf_puts(out, hw)))
			return rc;
		i += (size_t)n;
	}
	return 0;
}

int iko_sample_era_encode(char out[8], int y, int m, int d)
{
	int dd = d ? d : 1, ey;
	char tmp[32];
	enum iko_era e;

	out[0] = '\0';
	if (!iko_date_valid(y, m, dd))
		return iko_error_set(IKO_EINVAL, "invalid date %04d-%02d-%02d", y, m, d);
	e = iko_era_of(y, m, dd);
	ey = iko_era_year(y, m, dd);
	if (e == IKO_ERA_NONE || ey > 99)
		return iko_error_set(IKO_EINVAL, "date %04d-%02d-%02d has no era", y, m, d);
	snprintf(tmp, sizeof(tmp), "%d%02d%02d%02d", (int)e, ey % 100, m % 100, d % 100);
	memcpy(out, tmp, 8);
	return 0;
}

/* Howard Hinnant's days_from_civil / civil_from_days (proleptic Gregorian). */
long iko_sample_days_from_civil(int y, int m, int d)
{
	long yy = y - (m <= 2);
	long era = (yy >= 0 ? yy : yy - 399) / 400;
	long yoe = yy - era * 400;
	long doy = (153L * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

void iko_sample_civil_from_days(long z, int *y, int *m, int *d)
{
	long era, doe, yoe, doy, mp, yy;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	yy = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yy + (*m <= 2));
}

void iko_sample_my_number(char out[13], uint64_t index, uint64_t salt)
{
	/* Multiplier coprime to 10, so x -> (x*M + salt) mod 10^11 is a bijection. */
	static const uint64_t mod = 100000000000ULL, mul = 7777777777ULL;
	uint64_t base = (uint64_t)(((unsigned __int128)index * mul + salt % mod) % mod);

	snprintf(out, 13, "%011llu", (unsigned long long)base);
	out[11] = (char)('0' + iko_my_number_digit(out));
	out[12] = '\0';
}
