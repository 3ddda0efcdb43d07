/*
 * cmd_sample.c — `iko sample`: write a fictional municipality's legacy dump
 * (vendor A layout, docs/vendor-a.md) with the sample/ generator, optionally
 * with planted defects, and print what was written.
 */
#include "cli.h"

#include "iko_checkdigit.h"
#include "iko_error.h"
#include "iko_sample.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

const char cmd_sample_usage[] =
	"usage: iko sample --vendor A|B|C --lg-code CODE --residents N --seed S\n"
	"                  [--inject N] [--name NAME] --out DIR\n\n"
	"Generate a fictional municipality's legacy dump, deterministically: the\n"
	"same arguments always give byte-identical files, and the same seed gives\n"
	"the same people whichever vendor writes them. Files in DIR (created if\n"
	"missing; byte layouts in docs/vendor-a.md, vendor-b.md, vendor-c.md):\n"
	"  vendor A, a PC system (CP932):\n"
	"    JUMIN.DAT    residents, current and removed (280 bytes + CRLF), mode 0600\n"
	"    SETAI.DAT    households with current members (40 bytes + CRLF), mode 0600\n"
	"    TOUKEI.CSV   the old system's own totals (CP932 CSV, CRLF)\n"
	"    KOJIN.DAT    個人住民税 assessments, fiscal 2024 (60 bytes + CRLF), mode 0600\n"
	"    KOTEI.DAT    固定資産税 assessments (50 bytes + CRLF), mode 0600\n"
	"    ZEI_TOUKEI.CSV the old system's tax totals (CP932 CSV)\n"
	"  vendor B, an IBM host (CCSID 930, fixed length, no separators):\n"
	"    JUMIN.DAT    header, residents, trailer with counts and hash totals (LRECL 300)\n"
	"    SETAI.DAT    header, households, trailer (LRECL 80)\n"
	"    KOJINZEI.DAT 個人住民税, KOTEIZEI.DAT 固定資産税: H/D/T, LRECL 80, COMP-3 amounts,\n"
	"                 trailers with counts and hash totals\n"
	"  vendor C, a Fujitsu host (JEF, variable blocked BDW/RDW):\n"
	"    JUMIN.DAT    residents, SETAI.DAT households, TOUKEI.DAT totals (JEF, 80 bytes)\n"
	"  all vendors:\n"
	"    GAIJI.CSV    the municipality's gaiji table, vendor codes (UTF-8 CSV)\n"
	"    injected.csv with --inject: the planted defects (UTF-8 CSV), mode 0600\n\n"
	"options:\n"
	"  --vendor V      legacy vendor: A (PC, CP932), B (IBM host, CCSID 930) or\n"
	"                  C (Fujitsu host, JEF)\n"
	"  --lg-code CODE  6-digit 団体コード with a valid check digit (e.g. 131016);\n"
	"                  its first 5 digits become SHI_CD\n"
	"  --residents N   current residents (住登者) to generate, 1..10000000;\n"
	"                  about 8% removed residents (除票) come on top\n"
	"  --seed S        unsigned 64-bit seed of the generator\n"
	"  --inject N      plant N defects of each of the 7 kinds (invalid_date,\n"
	"                  bad_my_number, unknown_code, orphan_member, two_heads,\n"
	"                  duplicate_key, unmapped_gaiji), one per record, listed in\n"
	"                  injected.csv; 0 (default) writes a clean sample\n"
	"  --name NAME     municipality name (default: 見本市)\n"
	"  --out DIR       output directory\n\n"
	"examples:\n"
	"  iko sample --vendor A --lg-code 131016 --residents 2000 --seed 42 --out dump\n"
	"  iko sample --vendor A --lg-code 131130 --residents 1000000 --seed 7 \\\n"
	"      --inject 25 --name 渋谷区 --out big\n\n"
	"Exit codes: 0 ok, 1 error, 2 usage error.\n";

static int parse_seed(const char *s, unsigned long long *out)
{
	char *end;

	if (!s || !*s || s[0] == '-' || s[0] == '+')
		return -1;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return errno || *end ? -1 : 0;
}

static void print_summary(const iko_sample_options *o, const iko_sample_result *r)
{
	int k;

	printf("sample: vendor %s, lg_code %s, seed %llu -> %s\n", o->vendor, o->lg_code,
	       o->seed, o->out);
	printf("  JUMIN.DAT    %lld records (%lld current, %lld removed)\n",
	       r->residents_current + r->residents_removed, r->residents_current,
	       r->residents_removed);
	printf("  SETAI.DAT    %lld records\n", r->households);
	if (o->vendor[0] == 'B')
		printf("  (totals in the trailer records; %lld 町字)\n", r->towns);
	else
		printf("  %s   %lld rows (%lld 町字)\n", o->vendor[0] == 'A' ? "TOUKEI.CSV" : "TOUKEI.DAT",
		       r->toukei_rows, r->towns);
	printf("  GAIJI.CSV    %lld codes\n", r->gaiji_codes);
	if (o->vendor[0] == 'A')
		printf("  KOJIN.DAT    %lld 個人住民税 records\n  KOTEI.DAT    %lld 固定資産税 records\n"
		       "  ZEI_TOUKEI.CSV %lld rows\n", r->tax_kojin, r->tax_kotei, r->tax_toukei_rows);
	else if (o->vendor[0] == 'B')
		printf("  KOJINZEI.DAT %lld 個人住民税 records\n  KOTEIZEI.DAT %lld 固定資産税 records\n",
		       r->tax_kojin, r->tax_kotei);
	if (o->inject > 0) {
		printf("  injected.csv %lld rows\n", r->injected_rows);
		for (k = 0; k < IKO_SAMPLE_DEFECT_COUNT; k++)
			printf("    %-15s %lld\n", iko_sample_defect_name(k), r->injected[k]);
	}
}

int cmd_sample(int argc, char **argv, const iko_cli *cli)
{
	iko_sample_options o = IKO_SAMPLE_OPTIONS_INIT;
	iko_sample_result r;
	const char *vendor = NULL, *seed = NULL;
	long long residents = -1, inject = 0;
	const iko_opt opts[] = {
		{ "vendor", IKO_OPT_STR, &vendor },
		{ "lg-code", IKO_OPT_STR, &o.lg_code },
		{ "residents", IKO_OPT_INT, &residents },
		{ "seed", IKO_OPT_STR, &seed },
		{ "inject", IKO_OPT_INT, &inject },
		{ "name", IKO_OPT_STR, &o.name },
		{ "out", IKO_OPT_STR, &o.out },
		{ NULL, 0, NULL }
	};
	int rc;

	if ((rc = iko_cli_parse(cli, argc, argv, opts, NULL, 0, NULL)))
		return rc;
	if (!vendor)
		return iko_cli_usage(cli, "missing --vendor (supported: A, B, C)");
	if (strcmp(vendor, "A") && strcmp(vendor, "B") && strcmp(vendor, "C"))
		return iko_cli_usage(cli, "vendor %s is not supported (supported: A, B, C)", vendor);
	o.vendor = vendor;
	if (!o.lg_code)
		return iko_cli_usage(cli, "missing --lg-code");
	if (!iko_lg_code_valid(o.lg_code, strlen(o.lg_code)))
		return iko_cli_usage(cli, "--lg-code %s: not a 6-digit 団体コード with a valid "
				     "check digit", o.lg_code);
	if (residents == -1)
		return iko_cli_usage(cli, "missing --residents");
	if (residents < 1 || residents > IKO_SAMPLE_MAX_RESIDENTS)
		return iko_cli_usage(cli, "--residents %lld: must be 1..%lld", residents,
				     IKO_SAMPLE_MAX_RESIDENTS);
	o.residents = residents;
	if (!seed)
		return iko_cli_usage(cli, "missing --seed");
	if (parse_seed(seed, &o.seed))
		return iko_cli_usage(cli, "--seed: not an unsigned 64-bit integer: %s", seed);
	if (inject < 0)
		return iko_cli_usage(cli, "--inject %lld: must be 0 or more", inject);
	o.inject = inject;
	if (!*o.name)
		return iko_cli_usage(cli, "--name must not be empty");
	if (!o.out || !*o.out)
		return iko_cli_usage(cli, "missing --out");
	o.progress = iko_cli_progress;
	o.payload = (void *)cli;
	rc = iko_sample_generate(&r, &o);
	iko_cli_progress_end(cli);
	if (rc == IKO_EINVAL)
		return iko_cli_usage(cli, "%s", iko_error_message());
	if (rc) {
		iko_cli_error("sample");
		return iko_cli_exit_for(rc);
	}
	print_summary(&o, &r);
	return IKO_EXIT_OK;
}
