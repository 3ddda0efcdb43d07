/*
 * cmd_extract.c — `iko extract`: legacy records → canonical UTF-8 CSV.
 */
#include "cli.h"

#include "iko_error.h"
#include "iko_extract.h"
#include "iko_reject.h"

#include <stdio.h>
#include <string.h>

const char cmd_extract_usage[] =
	"usage: iko extract --layout FILE --input FILE|ARCHIVE.zip[:MEMBER] --out FILE.csv|DIR\n"
	"                   [--encoding ENC] [--recfm fixed|lines|rdw|vb|csv] [--lrecl N]\n"
	"                   [--comp5 big|little]\n"
	"                   [--gaiji TABLE.csv] [--rejects FILE] [--on-error reject|stop]\n\n"
	"Read a legacy file byte-exactly through a layout and write the canonical\n"
	"CSV: UTF-8, RFC 4180, LF, a header of the layout's field names (FILLER\n"
	"omitted, OCCURS as NAME_1..NAME_n), text right-trimmed of U+0020/U+3000,\n"
	"numbers as plain decimals with the picture's scale (-305.03, 0.00).\n\n"
	"  --layout FILE     YAML layout (docs/layout-format.md) or COBOL copybook\n"
	"                    (.cpy, .cob, .cbl)\n"
	"  --input FILE      the legacy file, or ARCHIVE.zip:MEMBER (or the only member),\n"
	"                    or ARCHIVE.zip:PATTERN (every matching member, in name order)\n"
	"  --out PATH        FILE.csv, or a directory (one <type>.csv per record type)\n"
	"  --encoding ENC    CP932, SHIFT_JIS, IBM930, IBM939, IBM1390, IBM1399 (IBM host,\n"
	"                    SO/SI), JEF (Fujitsu), KEIS (Hitachi), JIPSE/JIPS (NEC),\n"
	"                    IBM037, ASCII or any glibc iconv name (default: the\n"
	"                    layout's; CP932 for a copybook)\n"
	"  --recfm FMT       fixed (no separators), lines (LF/CRLF), rdw (4-byte RDW),\n"
	"                    vb (BDW + RDW), csv (delimited text in the encoding)\n"
	"                    (default: the layout's)\n"
	"  --lrecl N         record length for fixed/lines (default: the layout's)\n"
	"  --comp5 ORDER     big or little: the byte order of COMP-5 items, binary as\n"
	"                    the machine that wrote the file holds it (default: big\n"
	"                    for an EBCDIC encoding; for any other, a copybook with\n"
	"                    COMP-5 needs it)\n"
	"  --gaiji FILE      gaiji table, UTF-8 CSV code,unicode,mj,note (F040 → U+9AD9);\n"
	"                    unmapped user-defined characters become 〓 and are counted\n"
	"  --rejects FILE    rejects file (default: <out>.rejects.csv)\n"
	"  --on-error MODE   reject (default): reject bad records and go on;\n"
	"                    stop: stop at the first bad record\n\n"
	"Writes <out>.manifest.json (input SHA-256, counts, rejects by reason,\n"
	"unmapped gaiji). records read = written + rejected. Exit status 3 when\n"
	"records were rejected.\n";

void iko_cli_extract_summary(const char *input, const iko_extract_stats *st)
{
	int i;

	fprintf(stderr, "extract: %s: %lld read, %lld written, %lld rejected",
		input, st->records_read, st->records_written, st->records_rejected);
	for (i = 0; i < IKO_R_COUNT_; i++)
		if (st->by_reason[i])
			fprintf(stderr, ", %s %lld", iko_reason_code((enum iko_reason)i), st->by_reason[i]);
	fprintf(stderr, "; gaiji %lld mapped, %lld unmapped\n", st->gaiji_mapped, st->gaiji_unmapped);
}

int cmd_extract(int argc, char **argv, const iko_cli *cli)
{
	iko_extract_options o = IKO_EXTRACT_OPTIONS_INIT;
	iko_extract_stats st;
	const char *on_error = "reject";
	long long lrecl = 0;
	const iko_opt opts[] = {
		{ "layout", IKO_OPT_STR, &o.layout_path }, { "input", IKO_OPT_STR, &o.input },
		{ "out", IKO_OPT_STR, &o.out }, { "encoding", IKO_OPT_STR, &o.encoding },
		{ "recfm", IKO_OPT_STR, &o.recfm }, { "comp5", IKO_OPT_STR, &o.comp5 }, { "lrecl", IKO_OPT_INT, &lrecl },
		{ "gaiji", IKO_OPT_STR, &o.gaiji_path }, { "rejects", IKO_OPT_STR, &o.rejects_path },
		{ "on-error", IKO_OPT_STR, &on_error }, { NULL, 0, NULL }
	};
	int rc;

	if ((rc = iko_cli_parse(cli, argc, argv, opts, NULL, 0, NULL)))
		return rc;
	if (!o.layout_path)
		return iko_cli_usage(cli, "missing --layout");
	if (!o.input)
		return iko_cli_usage(cli, "missing --input");
	if (!o.out)
		return iko_cli_usage(cli, "missing --out");
	if (strcmp(on_error, "reject") && strcmp(on_error, "stop"))
		return iko_cli_usage(cli, "--on-error must be reject or stop, not %s", on_error);
	if (lrecl < 0 || lrecl > 1000000)
		return iko_cli_usage(cli, "--lrecl out of range: %lld", lrecl);
	o.lrecl = lrecl;
	o.stop_on_error = !strcmp(on_error, "stop");
	o.progress = iko_cli_progress;
	o.payload = (void *)cli;
	rc = iko_extract_run(&st, &o);
	iko_cli_progress_end(cli);
	if (rc) {
		iko_cli_error("extract");
		iko_extract_stats_release(&st);
		return rc == IKO_EINVAL ? IKO_EXIT_USAGE : IKO_EXIT_ERROR;
	}
	iko_cli_extract_summary(o.input, &st);
	iko_extract_stats_release(&st);
	return st.records_rejected ? IKO_EXIT_CHECKS : IKO_EXIT_OK;
}
