/*
 * test_rehearsal.c — unit tests of rehearsal/: runbook rendering
 * (placeholders, working-day dates, escapes, errors with their line) and the
 * schedule's cost split (割り勘: shares add up exactly); the legacy values
 * beside reported differences in test_legacy.c; the measures computed row
 * by row in test_figures.c.
 */
#include "iko_buf.h"
#include "iko_error.h"
#include "iko_fs.h"
#include "iko_pack.h"
#include "iko_runbook.h"
#include "iko_schedule.h"
#include "iko_totals.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

TCase *legacy_tcase(void);
TCase *figures_tcase(void);

static const char *const keys[] = { "lg_code", "name" };
static const char *const vals[] = { "453617", "高原町" };

static iko_runbook_vars vars(void)
{
	iko_runbook_vars v;

	memset(&v, 0, sizeof(v));
	v.cutover = iko_day_of(2012, 2, 10);    /* a Friday */
	v.rehearsal = iko_day_of(2012, 1, 27);
	v.n = 2;
	v.keys = keys;
	v.values = vals;
	v.lessons = "| L001 |";
	return v;
}

static char *render(const char *tmpl, int *rc)
{
	iko_runbook_vars v = vars();
	iko_buf b = IKO_BUF_INIT;

	*rc = iko_runbook_render(&b, tmpl, "t.md", &v);
	return iko_buf_detach(&b);
}

START_TEST(test_placeholders)
{
	int rc;
	char *s = render("# {{name}}（{{ lg_code }}）\nT {{T}}, T-1 {{T-1}}, R {{R}}\n{{lessons}} {{contacts}} {{{{x}}\n", &rc);

	ck_assert_int_eq(rc, 0);
	ck_assert_str_eq(s, "# 高原町（453617）\nT 2012-02-10（金）, T-1 2012-02-09（木）, R 2012-01-27（金）\n"
			    "| L001 | - {{x}}\n");
	free(s);
}
END_TEST

START_TEST(test_working_days)
{
	int rc;
	/* Friday cutover: T+1 (Sat) → Monday, T-13 (Sat) → Friday T-14, T+7 a Friday */
	char *s = render("{{T+1}} {{T-13}} {{T+7}} {{T-5}} {{R+1}}", &rc);

	ck_assert_int_eq(rc, 0);
	ck_assert_str_eq(s, "2012-02-13（月） 2012-01-27（金） 2012-02-17（金） 2012-02-03（金） 2012-01-30（月）");
	free(s);
}
END_TEST

START_TEST(test_errors)
{
	int rc;
	char *s = render("ok\nline {{nope}}\n", &rc);

	ck_assert_int_eq(rc, IKO_EPARSE);
	ck_assert_str_eq(iko_error_message(), "t.md:2: unknown placeholder {{nope}}");
	free(s);
	s = render("a\nb\nc {{T-x}}", &rc);
	ck_assert_int_eq(rc, IKO_EPARSE);
	ck_assert_str_eq(iko_error_message(), "t.md:3: {{T-x}}: a date is T or R, optionally ±days (T-14)");
	free(s);
	s = render("{{name\n}}", &rc);
	ck_assert_int_eq(rc, IKO_EPARSE);
	ck_assert_str_eq(iko_error_message(), "t.md:1: {{ without }}");
	free(s);
}
END_TEST

static void put_file(const char *dir, const char *name, const char *text)
{
	char *path = iko_path_join(dir, name);
	FILE *fp = path ? fopen(path, "w") : NULL;

	ck_assert_ptr_nonnull(fp);
	ck_assert_int_eq(fputs(text, fp) >= 0, 1);
	ck_assert_int_eq(fclose(fp), 0);
	free(path);
}

/*
 * A totals rule whose when: or group: is a list, not a map, is refused
 * with its line (it read a list's missing keys as column names before).
 */
START_TEST(test_totals_rule_shape)
{
	static const char *const rules[] = { "{when: [区分], measure: resident.residents, value: 計}",
					     "{when: {区分: \"99\"}, measure: resident.residents, group: [sex], value: 計}" };
	char dir[] = "/tmp/iko-unit-totals.XXXXXX";
	size_t i;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	put_file(dir, "T.CSV", "区分,計\n99,5\n");
	for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		iko_pack *p = NULL;
		iko_figures *f = NULL;
		char pack[512];

		snprintf(pack, sizeof(pack),
			 "pack: test/totals\nversion: 1.0.0\nschema: jumin\n"
			 "inputs:\n  - {name: J, file: J.DAT, layout: J.yaml}\n"
			 "tables:\n  resident:\n    from: J\n    columns:\n      atena_no: {from: ID}\n"
			 "totals:\n  file: T.CSV\n  encoding: UTF-8\n  rows:\n    - %s\n", rules[i]);
		put_file(dir, "pack.yaml", pack);
		ck_assert_int_eq(iko_pack_load(&p, dir, NULL), 0);
		ck_assert_int_eq(iko_figures_new(&f), 0);
		ck_assert_int_eq(iko_figures_read_old(f, p, dir, dir), IKO_EPARSE);
		ck_assert_str_eq(iko_error_message(), "totals rule at line 15: when: and group: must map columns to values");
		iko_figures_free(f);
		iko_pack_free(p);
	}
	ck_assert_int_eq(iko_rm_rf(dir), 0);
	iko_error_clear();
}
END_TEST

static const char plan[] =
	"plan: t\nstart: 2012-02-01\nend: 2012-03-31\ncutover_weekday: fri\n"
	"costs:\n  unit: 人日\n  items:\n"
	"    - {item: 設計, amount: 1.0, split: shared, vendor: A}\n"
	"    - {item: 検証, amount: 1.0, split: each}\n"
	"    - {item: 改修, amount: 1.0, split: residents}\n"
	"municipalities:\n"
	"  - {lg_code: \"435015\", name: a, vendor: A, residents: 100}\n"
	"  - {lg_code: \"453617\", name: b, vendor: A, residents: 100}\n"
	"  - {lg_code: \"454061\", name: c, vendor: A, residents: 100}\n"
	"  - {lg_code: \"454052\", name: d, vendor: B, residents: 700}\n";

/* The sums' number parsing gives strtod's double, bit for bit, for every kind of amount. */
START_TEST(test_amounts)
{
	static const char *const fixed[] = {
		"0", "-0", "1", "-1", "0.1", "-0.1", ".5", "5.", "-.5", "123456789012345", "1234567890123456",
		"99999999999999.9", "0.000000000000001", "0.0000000000000001", "12.34.5", "1e3", " 12", "+12",
		"12 ", "-", ".", "", "abc", "0x10", "3.14159265358979", "-9007199254740993", "007", "1,000",
	};
	char buf[64];
	unsigned long seed = 12345;
	size_t i;
	double a, b;

	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		a = iko_figures_amount(fixed[i]);
		b = strtod(fixed[i], NULL);
		ck_assert_msg(memcmp(&a, &b, sizeof(a)) == 0, "\"%s\": %.17g, strtod %.17g", fixed[i], a, b);
	}
	for (i = 0; i < 200000; i++) {
		int nd, k, d, dot;
		char *p = buf;
		seed = seed * 6364136223846793005ul + 1442695040888963407ul;
		nd = 1 + (int)((seed >> 33) % 17);
		dot = (int)((seed >> 40) % (unsigned long)(nd + 2)) - 1; /* -1: none */
		if ((seed >> 50) & 1)
			*p++ = '-';
		for (k = 0; k < nd; k++) {
			if (k == dot)
				*p++ = '.';
			seed = seed * 6364136223846793005ul + 1442695040888963407ul;
			d = (int)((seed >> 33) % 10);
			*p++ = (char)('0' + d);
		}
		*p = '\0';
		a = iko_figures_amount(buf);
		b = strtod(buf, NULL);
		ck_assert_msg(memcmp(&a, &b, sizeof(a)) == 0, "\"%s\": %.17g, strtod %.17g", buf, a, b);
	}
}
END_TEST

START_TEST(test_costs)
{
	char path[] = "/tmp/iko-unit-plan.XXXXXX";
	int fd = mkstemp(path);
	iko_schedule s;
	long long *sh = NULL;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq((int)write(fd, plan, sizeof(plan) - 1), (int)sizeof(plan) - 1);
	close(fd);
	ck_assert_int_eq(iko_schedule_load(&s, path), 0);
	unlink(path);
	ck_assert_uint_eq(s.ncost, 3);
	ck_assert_int_eq(iko_schedule_costs(&s, &sh), 0);
	/* 設計 1.00 over vendor A's three: 0.34 + 0.33 + 0.33, nothing for B */
	ck_assert_int_eq(sh[0 * 3 + 0], 34);
	ck_assert_int_eq(sh[1 * 3 + 0], 33);
	ck_assert_int_eq(sh[2 * 3 + 0], 33);
	ck_assert_int_eq(sh[3 * 3 + 0], 0);
	/* 検証: every municipality the whole amount */
	ck_assert_int_eq(sh[0 * 3 + 1], 100);
	ck_assert_int_eq(sh[3 * 3 + 1], 100);
	/* 改修 by residents 100:100:100:700 */
	ck_assert_int_eq(sh[0 * 3 + 2], 10);
	ck_assert_int_eq(sh[3 * 3 + 2], 70);
	free(sh);
	iko_schedule_free(&s);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("rehearsal");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_placeholders);
	tcase_add_test(tc, test_working_days);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_costs);
	tcase_add_test(tc, test_amounts);
	tcase_add_test(tc, test_totals_rule_shape);
	suite_add_tcase(s, tc);
	suite_add_tcase(s, legacy_tcase());
	suite_add_tcase(s, figures_tcase());
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
