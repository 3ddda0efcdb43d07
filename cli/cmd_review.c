/*
 * cmd_review.c — `iko review import|status`: the reviewed discrepancy
 * workbook coming back from municipal staff.
 */
#include "cli.h"

#include "iko_error.h"
#include "iko_review.h"

#include <stdio.h>
#include <string.h>

const char cmd_review_usage[] =
	"usage: iko review import FILE.xlsx --run DIR\n"
	"       iko review status --run DIR\n\n"
	"Staff review discrepancies.xlsx in Excel: for each row the review columns\n"
	"確認状況 (未確認/確認済/要修正/旧システム誤り), 原因区分, 対応, 担当, 確認日 and\n"
	"コメント. Every row has a 差異ID made from what the discrepancy is (not where\n"
	"it sits), so a later rehearsal carries reviews over to the same discrepancy\n"
	"and nobody reviews it twice.\n\n"
	"  import FILE.xlsx  read the review columns back (the .xlsx is read with\n"
	"                    libzip and expat, whatever wrote it: Excel, LibreOffice,\n"
	"                    openpyxl) and record them in <runs>/<lg_code>/reviews.csv\n"
	"                    with the run, the time and the workbook's SHA-256. A value\n"
	"                    outside a drop-down list, a date that is not a date or a\n"
	"                    差異ID that is not the run's is refused with the cell's\n"
	"                    address, and then nothing is recorded.\n"
	"  status            reviewed and remaining discrepancies per sheet of the run\n"
	"  --run DIR         the rehearsal run (runs/<lg_code>/<run-id>)\n\n"
	"Exit status: import 0 recorded, 3 refused; status 0 everything reviewed,\n"
	"3 discrepancies remain; 1 error, 2 usage error.\n";

static int do_import(const char *xlsx, const char *run)
{
	iko_review_import_result r;
	size_t i;
	int rc = iko_review_import(&r, xlsx, run);

	if (rc == IKO_ECHECK) {
		for (i = 0; i < r.nerrors; i++)
			fprintf(stderr, "iko: review: %s\n", r.errors[i]);
		iko_cli_error("review");
		iko_review_import_result_release(&r);
		return IKO_EXIT_CHECKS;
	}
	if (rc) {
		iko_cli_error("review");
		iko_review_import_result_release(&r);
		return iko_cli_exit_for(rc);
	}
	printf("review: %lld rows read from %lld sheets, %lld reviews recorded\n", r.rows, r.sheets,
	       r.recorded);
	iko_review_import_result_release(&r);
	return IKO_EXIT_OK;
}

static int do_status(const char *run)
{
	iko_review_status st;
	size_t i;
	int rc = iko_review_status_run(&st, run);

	if (rc) {
		iko_cli_error("review");
		return iko_cli_exit_for(rc);
	}
	printf("%-28s %8s %8s %8s\n", "sheet", "total", "reviewed", "remaining");
	for (i = 0; i < st.nsheets; i++)
		printf("%-28s %8lld %8lld %8lld\n", st.sheets[i].sheet, st.sheets[i].total,
		       st.sheets[i].reviewed, st.sheets[i].total - st.sheets[i].reviewed);
	printf("%-28s %8lld %8lld %8lld\n", "total", st.total, st.reviewed, st.total - st.reviewed);
	rc = st.reviewed == st.total ? IKO_EXIT_OK : IKO_EXIT_CHECKS;
	iko_review_status_release(&st);
	return rc;
}

int cmd_review(int argc, char **argv, const iko_cli *cli)
{
	const char *run = NULL, *pos[2] = { NULL, NULL };
	const iko_opt opts[] = { { "run", IKO_OPT_STR, &run }, { NULL, IKO_OPT_FLAG, NULL } };
	int npos = 0, rc;

	if ((rc = iko_cli_parse(cli, argc, argv, opts, pos, 2, &npos)))
		return rc;
	if (npos < 1)
		return iko_cli_usage(cli, "missing action (import, status)");
	if (!run)
		return iko_cli_usage(cli, "missing --run");
	if (!strcmp(pos[0], "import")) {
		if (npos != 2)
			return iko_cli_usage(cli, "import: missing FILE.xlsx");
		return do_import(pos[1], run);
	}
	if (!strcmp(pos[0], "status")) {
		if (npos != 1)
			return iko_cli_usage(cli, "status takes no file");
		return do_status(run);
	}
	return iko_cli_usage(cli, "unknown action %s (import, status)", pos[0]);
}
