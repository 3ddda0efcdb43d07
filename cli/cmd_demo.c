/*
 * cmd_demo.c — `iko demo`: a whole rehearsal on a generated municipality.
 */
#include "cli.h"

#include "iko_buf.h"
#include "iko_error.h"
#include "iko_fs.h"
#include "iko_rehearse.h"
#include "iko_run.h"
#include "iko_sample.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char cmd_demo_usage[] =
	"usage: iko demo [--dir DIR] [--residents N] [--inject N] [--seed S] [--db DSN]\n"
	"       iko demo --wave [--dir DIR] [--residents N] [--inject N] [--seed S] [--db DSN]\n\n"
	"Generate a fictional vendor-A municipality (錦町（見本）, 団体コード 435015)\n"
	"with injected defects, and rehearse it end to end into PostgreSQL: extract,\n"
	"transform, validate, load, reconcile against the old system's 統計表, and\n"
	"write the discrepancy workbook. Prints a summary and where the reports are.\n\n"
	"With --wave: four vendor-A municipalities (the 2012 seed's towns, 見本)\n"
	"whose dumps share the vendor's quirks, and a draft pack (0.9.0) that does\n"
	"not know them. The pilot is rehearsed, the pack fixes its coverage shows\n"
	"are recorded as lessons (pack 1.0.0), and the other three are rehearsed\n"
	"inheriting them. Prints the defects found per municipality, which fall\n"
	"after the pilot; exit 3 if they do not.\n\n"
	"  --dir DIR        work directory (default: demo, or demo-wave with --wave):\n"
	"                   DIR/dump, DIR/project.yaml, DIR/runs\n"
	"  --residents N    current residents (default 20000; the wave's pilot 3000,\n"
	"                   the others in proportion to the real towns)\n"
	"  --inject N       defects of every kind to plant (default 3, or 1 per town\n"
	"                   with --wave; 0 = clean)\n"
	"  --seed S         generator seed (default 20120201)\n"
	"  --db DSN         PostgreSQL connection string (default: the embedded\n"
	"                   server in .iko/pg, started if needed)\n";

static int write_project(const char *path, const char *dump, const char *db_dir)
{
	iko_afile *f = NULL;
	int rc;

	if ((rc = iko_afile_open(&f, path, 0644)))
		return rc;
	fprintf(iko_afile_fp(f),
		"# iko demo project (written by `iko demo`)\n"
		"project: 錦町（見本） 住民記録 移行リハーサル\n"
		"runs: runs\n"
		"db_dir: %s\n"
		"municipalities:\n"
		"  - lg_code: \"435015\"\n"
		"    name: 錦町（見本）\n"
		"    pack: packs/vendor-a/jumin\n"
		"    dump: %s\n", db_dir, dump);
	rc = iko_afile_commit(f);
	iko_afile_free(f);
	return rc;
}

int cmd_demo(int argc, char **argv, const iko_cli *cli)
{
	iko_sample_options so = IKO_SAMPLE_OPTIONS_INIT;
	iko_sample_result sr;
	iko_rehearse_options ro = IKO_REHEARSE_OPTIONS_INIT;
	iko_rehearse_result rr;
	iko_project *p = NULL;
	const char *dir = NULL, *db = NULL;
	long long residents = -1, inject = -1, seed = 20120201;
	int wave = 0;
	char *dump = NULL, *proj = NULL, *cwd_dbdir = NULL, cwd[4096];
	int rc, status = IKO_EXIT_ERROR;
	const iko_opt opts[] = {
		{ "dir", IKO_OPT_STR, &dir }, { "residents", IKO_OPT_INT, &residents },
		{ "inject", IKO_OPT_INT, &inject }, { "seed", IKO_OPT_INT, &seed },
		{ "db", IKO_OPT_STR, &db }, { "wave", IKO_OPT_FLAG, &wave }, { NULL, 0, NULL }
	};

	if ((rc = iko_cli_parse(cli, argc, argv, opts, NULL, 0, NULL)))
		return rc;
	if (residents == -1)
		residents = wave ? 3000 : 20000;
	if (inject == -1)
		inject = wave ? 1 : 3;
	if (residents < 1 || residents > IKO_SAMPLE_MAX_RESIDENTS)
		return iko_cli_usage(cli, "--residents must be 1..%lld", IKO_SAMPLE_MAX_RESIDENTS);
	if (inject < 0)
		return iko_cli_usage(cli, "--inject must not be negative");
	if (wave)
		return iko_demo_wave(dir ? dir : "demo-wave", residents, inject, (unsigned long long)seed, db, cli);
	if (!dir)
		dir = "demo";
	dump = iko_path_join(dir, "dump");
	proj = iko_path_join(dir, "project.yaml");
	if (!dump || !proj || iko_mkdir_p(dir, 1))
		goto fail;
	so.lg_code = "435015";
	so.name = "錦町（見本）";
	so.residents = residents;
	so.seed = (unsigned long long)seed;
	so.inject = inject;
	so.out = dump;
	so.progress = iko_cli_progress;
	so.payload = (void *)cli;
	printf("iko demo: generating %lld residents (vendor A, CP932) with %lld defects of each kind in %s\n",
	       residents, inject, dump);
	fflush(stdout);
	rc = iko_sample_generate(&sr, &so);
	iko_cli_progress_end(cli);
	if (rc)
		goto fail;
	printf("  JUMIN.DAT %lld records (%lld current, %lld removed), SETAI.DAT %lld households\n",
	       sr.residents_current + sr.residents_removed, sr.residents_current,
	       sr.residents_removed, sr.households);
	/* The embedded server lives in the current directory, shared by demos. */
	if (!getcwd(cwd, sizeof(cwd))) {
		iko_error_set_errno(IKO_EIO, "cannot get the current directory");
		goto fail;
	}
	cwd_dbdir = iko_path_join(cwd, ".iko/pg");
	if (!cwd_dbdir || write_project(proj, "dump", cwd_dbdir) || iko_project_load(&p, proj))
		goto fail;
	ro.project = p;
	ro.muni = &p->munis[0];
	ro.db = db;
	ro.progress = iko_cli_progress;
	ro.payload = (void *)cli;
	printf("iko demo: rehearsing into PostgreSQL (%s)\n", db ? "--db" : "embedded server in .iko/pg");
	fflush(stdout);
	rc = iko_rehearse_run(&rr, &ro);
	iko_cli_progress_end(cli);
	iko_cli_print_rehearsal(&rr, ro.muni);
	iko_rehearse_result_release(&rr);
	if (rc)
		goto fail;
	printf("\nNext: open the workbook above (staff review the 確認状況 column), look at\n"
	       "the run's rejects.csv files, or rerun with `iko rehearse %s`.\n", proj);
	status = IKO_EXIT_OK;
	goto done;
fail:
	iko_cli_error("demo");
done:
	iko_project_free(p);
	free(dump);
	free(proj);
	free(cwd_dbdir);
	return status;
}
