/*
 * cmd_rehearse.c — `iko rehearse PROJECT.yaml`: every stage, one process.
 */
#include "cli.h"

#include "iko_error.h"
#include "iko_rehearse.h"
#include "iko_run.h"

#include <stdio.h>
#include <string.h>

const char cmd_rehearse_usage[] =
	"usage: iko rehearse PROJECT.yaml [--lg-code CODE] [--business NAME] [--db DSN]\n"
	"                    [--from STAGE] [--to STAGE] [--reveal]\n\n"
	"Run a rehearsal (移行リハーサル) for each municipality of the project (or only\n"
	"--lg-code): extract every legacy file of its pack, transform, validate,\n"
	"load into PostgreSQL, reconcile against the old system's totals, and\n"
	"write the discrepancy workbook. Each rehearsal gets the next number under\n"
	"<runs>/<lg_code>/ (R001, R002, ...) with a manifest.json of inputs and\n"
	"their SHA-256, versions, timings and counts per stage. Transform reads\n"
	"each extracted file while extract is still writing it, validate each\n"
	"transformed file while transform writes it. The load sends each table's\n"
	"rows while transform writes them, ahead of validate, in a transaction of\n"
	"their own; once validate has finished, the rows it rejected are deleted\n"
	"and the rest committed only if they are exactly the rows it passed, else\n"
	"the table is loaded from validate's file (IKO_LOAD_AHEAD=0: always so).\n"
	"The load swaps the new data in only once validate has finished; reconcile\n"
	"reads the loaded rows back from the new tables while the load builds their\n"
	"primary keys and analyzes them, before the swap (IKO_REHEARSE_READ_EARLY=0:\n"
	"after it, the new tables analyzed meanwhile; IKO_REHEARSE_OVERLAP=0: one\n"
	"stage after the other).\n\n"
	"  --lg-code CODE  only this municipality\n"
	"  --business NAME only this business (the pack's directory name: jumin,\n"
	"                  kojin_juminzei, kotei_shisanzei)\n"
	"  --db DSN        PostgreSQL connection string (default: the project's db:,\n"
	"                  else the embedded server under the project's db_dir)\n"
	"  --from STAGE    start at STAGE (extract, transform, validate, load,\n"
	"                  reconcile): the stages before it are reused from the\n"
	"                  latest earlier run that got past them (linked into the\n"
	"                  new run; the manifest says reused_from)\n"
	"  --to STAGE      stop after STAGE: the run is \"partial\" (no gate passes it)\n"
	"  --reveal        show 個人番号 and 支援措置 in the workbook (masked by default)\n\n"
	"On a terminal, progress shows the stage, records/s and the ETA (nothing when\n"
	"stderr is not a terminal).\n\n"
	"PROJECT.yaml:\n"
	"  project: 見本市 移行\n"
	"  runs: runs\n"
	"  municipalities:\n"
	"    - {lg_code: \"435015\", name: 錦町, pack: packs/vendor-a/jumin, dump: dump}\n"
	"    - {lg_code: \"435015\", name: 錦町, pack: packs/vendor-a/kojin_juminzei, dump: dump}\n"
	"A municipality is listed once per business; every rehearsal of any business\n"
	"takes the municipality's next run number.\n\n"
	"Exit status: 0 all clean, 3 when records were rejected or a measure\n"
	"failed reconciliation, 1 when a stage could not run.\n";

int cmd_rehearse(int argc, char **argv, const iko_cli *cli)
{
	iko_rehearse_options o = IKO_REHEARSE_OPTIONS_INIT;
	iko_project *p = NULL;
	const char *pos[1] = { NULL }, *lg = NULL, *biz = NULL;
	int npos = 0, rc, status = IKO_EXIT_OK;
	size_t i;
	const iko_opt opts[] = {
		{ "lg-code", IKO_OPT_STR, &lg }, { "business", IKO_OPT_STR, &biz },
		{ "db", IKO_OPT_STR, &o.db },
		{ "reveal", IKO_OPT_FLAG, &o.reveal }, { "from", IKO_OPT_STR, &o.from },
		{ "to", IKO_OPT_STR, &o.to }, { NULL, 0, NULL }
	};

	if ((rc = iko_cli_parse(cli, argc, argv, opts, pos, 1, &npos)))
		return rc;
	if (npos != 1)
		return iko_cli_usage(cli, "missing PROJECT.yaml");
	if ((o.from && iko_rehearse_stage_index(o.from) < 0) || (o.to && iko_rehearse_stage_index(o.to) < 0))
		return iko_cli_usage(cli, "unknown stage %s: extract, transform, validate, load or reconcile",
				     o.from && iko_rehearse_stage_index(o.from) < 0 ? o.from : o.to);
	if (o.from && o.to && iko_rehearse_stage_index(o.from) > iko_rehearse_stage_index(o.to))
		return iko_cli_usage(cli, "--from %s comes after --to %s", o.from, o.to);
	if (iko_project_load(&p, pos[0])) {
		iko_cli_error("rehearse");
		return IKO_EXIT_ERROR;
	}
	if (lg && !iko_project_find(p, lg)) {
		fprintf(stderr, "iko: rehearse: municipality %s is not in %s\n", lg, pos[0]);
		iko_project_free(p);
		return IKO_EXIT_USAGE;
	}
	if (biz) {
		for (i = 0; i < p->n; i++)
			if (!strcmp(p->munis[i].business, biz) && (!lg || !strcmp(p->munis[i].lg_code, lg)))
				break;
		if (i == p->n) {
			fprintf(stderr, "iko: rehearse: no municipality%s%s with business %s in %s\n",
				lg ? " " : "", lg ? lg : "", biz, pos[0]);
			iko_project_free(p);
			return IKO_EXIT_USAGE;
		}
	}
	o.project = p;
	o.progress = iko_cli_progress;
	o.payload = (void *)cli;
	for (i = 0; i < p->n; i++) {
		iko_rehearse_result r;
		if ((lg && strcmp(p->munis[i].lg_code, lg)) || (biz && strcmp(p->munis[i].business, biz)))
			continue;
		o.muni = &p->munis[i];
		rc = iko_rehearse_run(&r, &o);
		iko_cli_progress_end(cli);
		iko_cli_print_rehearsal(&r, o.muni);
		if (rc) {
			iko_cli_error("rehearse");
			status = IKO_EXIT_ERROR;
		} else if (status == IKO_EXIT_OK &&
			   (r.rejected_total || r.measures_fail || !r.balanced)) {
			status = IKO_EXIT_CHECKS;
		}
		iko_rehearse_result_release(&r);
	}
	iko_project_free(p);
	return status;
}
