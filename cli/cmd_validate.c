/*
 * cmd_validate.c — `iko validate`: standard CSV → accepted CSV + rejects.
 */
#include "cli.h"

#include "iko_buf.h"
#include "iko_error.h"
#include "iko_fs.h"
#include "iko_reject.h"
#include "iko_validate.h"
#include "iko_yaml.h"

#include <stdio.h>
#include <stdlib.h>

const char cmd_validate_usage[] =
	"usage: iko validate --in DIR --out DIR [--schema NAME|FILE|DIR] [--lg-code CODE]\n"
	"                    [--gaiji TABLE.csv]... [--charset MJLIST.csv] [--max-errors N]\n\n"
	"Check standard-schema CSV (<table>.csv in --in) against the schema:\n"
	"required columns, types and lengths, code lists, dates, 個人番号 and\n"
	"団体コード check digits, patterns, the standard character set (JIS X 0213\n"
	"plus IVS, plus the characters of the given gaiji tables), key uniqueness,\n"
	"exactly one 世帯主 per current household, every member's household exists,\n"
	"住民状態 vs 消除 fields, 外国人 fields.\n\n"
	"  --in DIR        transform output\n"
	"  --out DIR       accepted <table>.csv, rejects.csv, manifest.json, and\n"
	"                  <table>.index (offset and hashes of each record written,\n"
	"                  read by reconcile instead of <table>.csv)\n"
	"  --schema S      schema name (jumin, kojin_juminzei, kotei_shisanzei), file,\n"
	"                  or a directory of schema files; by default, and within a\n"
	"                  directory, the schema named in --in's manifest.json (what\n"
	"                  transform wrote), else jumin\n"
	"  --lg-code CODE  every row must belong to this municipality\n"
	"  --gaiji FILE    gaiji table whose characters are allowed (repeatable)\n"
	"  --charset FILE  a character list (MJ文字 list: CSV with a unicode or\n"
	"                  対応するUCS column of U+XXXX values) that replaces JIS X 0213\n"
	"  --max-errors N  stop once more than N records were rejected (exit 3; the\n"
	"                  table being checked and rejects.csv are not written)\n\n"
	"Prints records in/out/rejected per table and a summary by reason code\n"
	"(docs/reason-codes.md).\n"
	"Exit status: 0 when nothing was rejected, 3 when records were rejected\n"
	"(the accepted records are still written), 1 on error.\n";

/* The schema the transform output in in_dir was made for, or NULL. */
static char *schema_of_input(const char *in_dir)
{
	iko_yaml_doc *m = NULL;
	char *path = iko_path_join(in_dir, "manifest.json"), *name = NULL;

	if (path && iko_path_exists(path) && !iko_yaml_load_file(&m, path)) {
		const char *s = iko_yaml_str(iko_yaml_root(m), "schema", NULL);
		name = s ? iko_strdup(s) : NULL;
	}
	iko_yaml_free(m);
	free(path);
	return name;
}

int cmd_validate(int argc, char **argv, const iko_cli *cli)
{
	iko_validate_options o = IKO_VALIDATE_OPTIONS_INIT;
	iko_validate_stats st;
	iko_strlist gaiji = { { NULL }, 0 };
	long long rejected = 0;
	const char *schema = NULL;
	char *from_input = NULL, *spath = NULL;
	const iko_opt opts[] = {
		{ "in", IKO_OPT_STR, &o.in_dir }, { "out", IKO_OPT_STR, &o.out_dir },
		{ "schema", IKO_OPT_STR, &schema }, { "lg-code", IKO_OPT_STR, &o.lg_code },
		{ "gaiji", IKO_OPT_LIST, &gaiji }, { "max-errors", IKO_OPT_INT, &o.max_errors },
		{ "charset", IKO_OPT_STR, &o.charset_list },
		{ NULL, 0, NULL }
	};
	size_t i;
	int rc;

	if ((rc = iko_cli_parse(cli, argc, argv, opts, NULL, 0, NULL)))
		return rc;
	if (!o.in_dir)
		return iko_cli_usage(cli, "missing --in");
	if (!o.out_dir)
		return iko_cli_usage(cli, "missing --out");
	if (o.max_errors < 0)
		return iko_cli_usage(cli, "--max-errors %lld: must be 1 or more", o.max_errors);
	from_input = schema_of_input(o.in_dir);
	if (schema && iko_is_dir(schema)) {
		char *f = iko_aprintf("%s.yaml", from_input ? from_input : "jumin");
		spath = f ? iko_path_join(schema, f) : NULL;
		free(f);
		if (!spath) {
			free(from_input);
			return IKO_EXIT_ERROR;
		}
		o.schema = spath;
	} else {
		o.schema = schema ? schema : from_input ? from_input : "jumin";
	}
	o.charset_extra = gaiji.items;
	o.ncharset_extra = (size_t)gaiji.n;
	o.progress = iko_cli_progress;
	o.payload = (void *)cli;
	rc = iko_validate_run(&st, &o);
	iko_cli_progress_end(cli);
	if (rc) {
		iko_cli_error("validate");
		iko_validate_stats_release(&st);
		free(from_input);
		free(spath);
		return iko_cli_exit_for(rc);
	}
	printf("validate: schema %s\n", o.schema);
	for (i = 0; i < st.ntables; i++) {
		printf("  %-10s %10lld in  %10lld out  %8lld rejected  %8lld warnings\n",
		       st.tables[i].table, st.tables[i].records_in, st.tables[i].records_out,
		       st.tables[i].records_rejected, st.tables[i].warnings);
		rejected += st.tables[i].records_rejected;
	}
	for (i = 0; i < IKO_R_COUNT_; i++)
		if (st.by_reason[i])
			printf("  %-22s %8lld  %s\n", iko_reason_code((enum iko_reason)i), st.by_reason[i],
			       iko_reason_label((enum iko_reason)i));
	iko_validate_stats_release(&st);
	free(from_input);
	free(spath);
	return rejected ? IKO_EXIT_CHECKS : IKO_EXIT_OK;
}
